"""Parity of the C runtime with PyTorch for every network of the project
(sjtrain.models.build_network): each architecture, at small widths and with random
weights (GDN terms, biases and slopes randomised too), is exported and run by both on a
32x32 and a 768x512 image (decoders: that image's latent); the outputs must agree within
1e-4 max abs. Also: rebuilding a network from a file's "architecture"/"config" metadata,
and the same parity check for every shipped models/*.safetensors (skipped, and reported
as skipped, while none are shipped). Needs torch and SJ_CORE_LIB (set by ctest)."""
import glob
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
from sjtrain import export, models  # noqa: E402

TOL = 1e-4

# (test id, architecture, small config, weight gain). Widths are small so that the whole
# file runs in well under a minute on two cores; the structure (every block type, every
# skip) is the full one. Weights are drawn with variance gain/fan_in: gain 2 (He) keeps
# activations O(1) through ReLU stacks, so outputs are not a flat 0.5 that would hide
# errors. The DeepJSCEC networks use 1 because IGDN multiplies by a factor growing with
# |x| and He-scaled random weights push its pre-sigmoid values into the thousands, where
# float32 rounding alone exceeds an absolute 1e-4 (a trained network stays far below);
# the SR network uses 1 because with 2 its unbounded output reaches +-50 instead of an
# image's [0, 1]-ish range, and an absolute tolerance should be judged at image scale.
CASES = [
    ("deepjscc_encoder", "deepjscc_encoder", dict(c=8, widths=(8, 16, 16, 16)), 2.0),
    ("deepjscc_decoder", "deepjscc_decoder", dict(c=8, widths=(8, 16, 16, 16)), 2.0),
    ("djescc_encrypt", "djescc_encrypt", dict(width=8), 2.0),
    ("djescc_decrypt", "djescc_decrypt", dict(width=8), 2.0),
    ("deepjscec_encoder", "deepjscec_encoder", dict(width=16, c_out=8), 1.0),
    ("deepjscec_decoder", "deepjscec_decoder", dict(width=16, c_out=8), 1.0),
    ("srec_encoder", "srec_encoder", dict(c=4, widths=(8, 16, 16, 16)), 2.0),
    ("srec_decoder", "srec_decoder", dict(c=4, widths=(8, 16, 16, 16)), 2.0),
    ("srec_encoder_half", "srec_encoder", dict(c=8, widths=(8, 16, 16, 16), downsample=2), 2.0),
    ("srec_decoder_half", "srec_decoder", dict(c=8, widths=(8, 16, 16, 16), downsample=2), 2.0),
    ("srec_sr", "srec_sr", dict(blocks=3, layers=3, growth=8, g0=16, unet_width=4), 1.0),
    ("srec_sr_x2", "srec_sr", dict(scale=2, blocks=2, layers=2, growth=8, g0=8,
                                   unet_width=4), 1.0),
    ("cifar_classifier", "cifar_classifier", dict(widths=(8, 16, 16)), 2.0),
    ("image_upsample", "image_upsample", dict(scale=2), 1.0),
]
SIZES = [(32, 32), (512, 768)]


def randomize(net, gain, seed):
    """Weights N(0, gain / fan_in) (transposed convolutions: fan_in = C_in k^2 / s^2, the
    taps that reach one output), then make_test_vectors' randomisation of biases, PReLU
    slopes and GDN beta/gamma (away from their initial values)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (torch.nn.Conv2d, torch.nn.ConvTranspose2d, torch.nn.Linear)):
                w = m.weight
                fan = w[0].numel()
                if isinstance(m, torch.nn.ConvTranspose2d):
                    fan = w.shape[0] * w[0, 0].numel() / (m.stride[0] * m.stride[1])
                w.copy_(torch.randn(w.shape, generator=g) * (gain / fan) ** 0.5)
    return mtv._randomize(net, seed)


@pytest.fixture(scope="module")
def lib():
    torch.set_num_threads(1)
    return sjnn.core_lib()


@pytest.fixture(scope="module")
def exported(tmp_path_factory):
    """test id -> (PyTorch module, model file), exported once per module."""
    d = tmp_path_factory.mktemp("arch")
    out = {}
    for i, (tid, name, cfg, gain) in enumerate(CASES):
        torch.manual_seed(40 + i)
        net = randomize(models.build_network(name, **cfg), gain, 40 + i)
        path = str(d / (tid + ".safetensors"))
        export.export_network(net, path, {"training": {"purpose": "parity test"}})
        out[tid] = (net, path)
    return out


def _input(name, cfg, h, w, seed):
    c, hh, ww = models.network_input_shape(name, cfg, h, w)
    x = torch.rand(1, c, hh, ww, generator=torch.Generator().manual_seed(seed))
    # The DeepJSCC decoder takes unit-power symbols, roughly in [-1, 1].
    return x * 2 - 1 if name == "deepjscc_decoder" else x


def _parity(lib, net, path, x):
    with torch.no_grad():
        ref = net.eval()(x)[0].numpy()
    y = sjnn.Model(lib, path).run(x[0].numpy())
    if ref.ndim == 1:  # a classifier's [1, N] logits are N x 1 x 1 in the runtime
        ref = ref.reshape(-1, 1, 1)
    assert y.shape == ref.shape
    return float(np.abs(y - ref).max()), ref


def test_every_architecture_is_covered():
    assert {name for _, name, _, _ in CASES} == set(models.NETWORK_SPECS)


@pytest.mark.parametrize("size", SIZES, ids=lambda s: f"{s[1]}x{s[0]}")
@pytest.mark.parametrize("tid", [c[0] for c in CASES])
def test_architecture_parity(lib, exported, tid, size):
    _, name, cfg, _ = next(c for c in CASES if c[0] == tid)
    net, path = exported[tid]
    h, w = size
    x = _input(name, cfg, h, w, seed=3)
    err, ref = _parity(lib, net, path, x)
    print(f"{tid} {w}x{h}: max abs error {err:.3g} (output std {ref.std():.3g})")
    # Random weights must give a varied output, or equality would prove little.
    assert ref.std() > 1e-2
    assert err <= TOL
    if models.NETWORK_SPECS[name][4] == "image":
        # Upscalers take the image at 1/scale (network_input_shape) and give it back at full
        # size; a half-resolution decoder gives half of it.
        down = cfg.get("downsample", 1)
        assert ref.shape == (3, h // down, w // down)


@pytest.mark.parametrize("tid", [c[0] for c in CASES])
def test_rebuild_from_metadata(exported, tid):
    """export_network writes the architecture and its full config; load_network rebuilds
    the same module from them and the file's tensors (GDN back from its effective beta and
    gamma)."""
    _, name, cfg, _ = next(c for c in CASES if c[0] == tid)
    net, path = exported[tid]
    rebuilt, meta = export.load_network(path)
    assert meta["architecture"] == name
    assert rebuilt.sj_config == net.sj_config
    x = _input(name, cfg, 32, 32, seed=9)
    with torch.no_grad():
        assert float((rebuilt(x) - net(x)).abs().max()) <= 1e-6


def test_latent_sizes_of_default_configs():
    """rho = 1/6 for DeepJSCEC: k = H W 3 / 6 real latent values; SR keeps the size; the
    feature extractor gives the block-2 map used by DJESCC's feature losses."""
    x = torch.rand(1, 3, 32, 32)
    with torch.no_grad():
        z = models.build_network("deepjscec_encoder").eval()(x)
        assert z.numel() == 32 * 32 * 3 // 6 and 0 < z.min() and z.max() < 1
        assert models.build_network("srec_sr").eval()(x).shape == x.shape
        assert models.build_network("srec_encoder").eval()(x).shape == (1, 4, 8, 8)
        clf = models.build_network("cifar_classifier").eval()
        assert clf.features(x).shape == (1, 64, 16, 16)
        assert clf(x).shape == (1, 10)


def _trained_models():
    """Trained weights: every shipped model file (variants in subfolders of models/ too),
    and the trained snapshots kept for this test in tests/nn/data/trained/ (made by
    python/training/export_model.py from a real training run)."""
    files = sorted(glob.glob(os.path.join(SRC, "models", "**", "*.safetensors"), recursive=True) +
                   glob.glob(os.path.join(SRC, "tests", "nn", "data", "trained", "*.safetensors")))
    if not files:
        return [pytest.param(None, None, marks=pytest.mark.skip(reason="no trained model files; nothing to check"))]
    return [pytest.param(f, size, id=f"{os.path.relpath(f, SRC)}-{size[1]}x{size[0]}")
            for f in files for size in ((32, 32), (512, 768))]


@pytest.mark.parametrize("path,size", _trained_models())
def test_trained_model_parity(lib, path, size):
    """Every trained model: rebuilt in PyTorch from its metadata, it must equal the C
    runtime on a 32x32 and a 768x512 image (a decoder: that image's latent)."""
    net, meta = export.load_network(path)
    name, cfg = meta["architecture"], net.sj_config
    x = _input(name, cfg, size[0], size[1], seed=4)
    err, _ = _parity(lib, net, path, x)
    print(f"{os.path.basename(path)} ({name}) {size[1]}x{size[0]}: max abs error {err:.3g}")
    assert err <= TOL
