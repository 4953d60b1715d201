"""Parity of the C runtime with PyTorch, exported and compared at test time: every test
network (python/training/make_test_vectors.py) at 32x32, the DeepJSCC encoder and decoder
at 32x32 and 768x512, padding and refusal of odd sizes, and the exporter's refusals.
Needs torch (Debian's python3-torch) and SJ_CORE_LIB (set by ctest)."""
import os
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")

HERE = os.path.dirname(os.path.abspath(__file__))
SRC = os.environ.get("SJ_SOURCE_DIR", os.path.join(HERE, "..", ".."))
sys.path.insert(0, os.path.join(SRC, "python", "training"))
sys.path.insert(0, HERE)

import make_test_vectors as mtv  # noqa: E402
import sjnn  # noqa: E402
from sjtrain import export, models, safetensors_io  # noqa: E402

TOL = 1e-4


@pytest.fixture(scope="module")
def lib():
    torch.set_num_threads(1)
    return sjnn.core_lib()


def _tmp(tmp_path, name):
    return str(tmp_path / (name + ".safetensors"))


def _compare(lib, net, path, x):
    m = sjnn.Model(lib, path)
    with torch.no_grad():
        ref = net(x)[0].numpy()
    y = m.run(x[0].numpy())
    assert y.shape == ref.shape
    return float(np.abs(y - ref).max())


@pytest.mark.parametrize("name", list(mtv.NETWORKS))
def test_network_32x32(lib, tmp_path, name):
    net, c = mtv.build(name, seed=7)
    h, w = mtv.input_size(name)
    path = _tmp(tmp_path, name)
    export.export(net, path, channels=c, example_size=(h, w))
    x = torch.rand(1, c, h, w, generator=torch.Generator().manual_seed(3))
    err = _compare(lib, net, path, x)
    print(f"{name} 32x32 max abs error {err:.3g}")
    assert err <= TOL


def _deepjscc(tmp_path):
    torch.manual_seed(11)
    net = models.DeepJSCC()
    mtv._randomize(net, 11)
    enc, dec = _tmp(tmp_path, "enc"), _tmp(tmp_path, "dec")
    export.export(net.encoder, enc, channels=3, bandwidth_ratio=16 / 96)
    export.export(net.decoder, dec, channels=16, example_size=(8, 8))
    return net.eval(), enc, dec


@pytest.mark.parametrize("size", [(32, 32), (512, 768)])
def test_deepjscc_encoder_decoder(lib, tmp_path, size):
    net, enc_path, dec_path = _deepjscc(tmp_path)
    h, w = size
    x = torch.rand(1, 3, h, w, generator=torch.Generator().manual_seed(5))
    with torch.no_grad():
        z = net.encoder(x)
        y = net.decoder(z)
    zc = sjnn.Model(lib, enc_path).run(x[0].numpy())
    # The decoder is checked on PyTorch's latent (its own error) and on the C latent (the
    # whole C chain).
    dec = sjnn.Model(lib, dec_path)
    yc = dec.run(z[0].numpy())
    ychain = dec.run(zc)
    ez = float(np.abs(zc - z[0].numpy()).max())
    ey = float(np.abs(yc - y[0].numpy()).max())
    echain = float(np.abs(ychain - y[0].numpy()).max())
    print(f"deepjscc {w}x{h}: encoder {ez:.3g}, decoder {ey:.3g}, chain {echain:.3g}")
    assert zc.shape == (16, h // 4, w // 4)
    # Power normalisation: k = n/2 complex symbols of unit average power.
    assert abs(float((zc.astype(np.float64) ** 2).sum()) - zc.size / 2) < 1e-3 * zc.size
    assert ez <= TOL and ey <= TOL and echain <= TOL


def test_metadata(lib, tmp_path):
    _, enc_path, _ = _deepjscc(tmp_path)
    m = sjnn.Model(lib, enc_path)
    assert m.metadata("format") == "securejscc-model"
    assert m.metadata("size_multiple") == "4"
    assert float(m.metadata("bandwidth_ratio")) == pytest.approx(1 / 6)
    assert m.metadata("no such key") is None
    tensors, meta = safetensors_io.load(enc_path)
    assert meta["format"] == "securejscc-model"
    assert tensors["net.0.weight"].shape == (16, 3, 5, 5)


def test_reflect_padding_and_crop(lib, tmp_path):
    """30x26 is padded (reflect) to 32x28 for a size-multiple-4 U-Net; the output is
    cropped back to 30x26 and equals PyTorch on the padded image, cropped."""
    net, _ = mtv.build("unet", seed=3)
    path = _tmp(tmp_path, "unet")
    export.export(net, path, size_policy="pad_reflect")
    x = torch.rand(1, 3, 30, 26, generator=torch.Generator().manual_seed(1))
    xp = torch.nn.functional.pad(x, (0, 2, 0, 2), mode="reflect")
    with torch.no_grad():
        ref = net(xp)[0, :, :30, :26].numpy()
    y = sjnn.Model(lib, path).run(x[0].numpy())
    assert y.shape == (3, 30, 26)
    assert float(np.abs(y - ref).max()) <= TOL


def test_encoder_padding_keeps_latent_rows(lib, tmp_path):
    """A 30x30 image padded to 32x32 gives a latent of ceil(30/4) = 8 rows and columns."""
    _, enc_path, _ = _deepjscc(tmp_path)
    z = sjnn.Model(lib, enc_path).run(np.random.default_rng(0).random((3, 30, 30), np.float32))
    assert z.shape == (16, 8, 8)


def test_refuse_policy(lib, tmp_path):
    net, _ = mtv.build("unet", seed=3)
    path = _tmp(tmp_path, "unet_refuse")
    export.export(net, path, size_policy="refuse")
    m = sjnn.Model(lib, path)
    with pytest.raises(sjnn.NNError, match="multiples of 4"):
        m.run(np.zeros((3, 30, 32), np.float32))
    assert m.run(np.zeros((3, 32, 32), np.float32)).shape == (3, 32, 32)


def test_exporter_refuses_unsupported(tmp_path):
    net = torch.nn.Sequential(torch.nn.Conv2d(3, 4, 3), torch.nn.BatchNorm2d(4))
    with pytest.raises(export.ExportError, match="BatchNorm2d"):
        export.export(net, _tmp(tmp_path, "bn"))
    grouped = torch.nn.Sequential(torch.nn.Conv2d(4, 4, 3, groups=2))
    with pytest.raises(export.ExportError, match="groups"):
        export.export(grouped, _tmp(tmp_path, "g"), channels=4)

    class Scaled(torch.nn.Module):
        def forward(self, x):
            return x * 2.0

    with pytest.raises(export.ExportError, match="constant"):
        export.export(Scaled(), _tmp(tmp_path, "s"))


def test_corrupt_file_is_refused_from_python(lib, tmp_path):
    _, enc_path, _ = _deepjscc(tmp_path)
    data = open(enc_path, "rb").read()
    with pytest.raises(sjnn.NNError, match="truncated|outside"):
        sjnn.Model(lib, data=data[:-100])
    bad = bytearray(data)
    bad[12] ^= 0xFF
    with pytest.raises(sjnn.NNError):
        sjnn.Model(lib, data=bytes(bad))
