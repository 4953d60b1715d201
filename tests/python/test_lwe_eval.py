"""The C-core evaluation of lwe / lwe_keystream (python/training/sjeval/lwe.py) must run the
chain the networks were trained on (sjtrain/lwe_chain.py): same quantiser with the model's
guard levels, same noise, same statistics of the decoder input. Model-independent checks
use random-weight networks exported on the fly; the end-to-end PSNR check needs trained
weights: models/lwe_*.safetensors, or a folder named by SJ_LWE_TEST_MODELS."""
import os
import sys

import numpy as np
import pytest
from PIL import Image

torch = pytest.importorskip("torch")
SRC = os.environ["SJ_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "python", "training"))
from sjeval.core import Core, metrics  # noqa: E402
from sjeval.lwe import LweKeystreamScheme, LweScheme  # noqa: E402
from sjtrain import lwe_chain  # noqa: E402
from sjtrain.export import export_network, load_network  # noqa: E402
from sjtrain.models import build_network  # noqa: E402

SCHEMES = {"lwe": LweScheme, "lwe_keystream": LweKeystreamScheme}
GUARDED = {"task": "lwe", "quantizer_levels": 16, "guard_levels": 2, "latent_to_zp_scale": 3325.0,
           "lwe_params": "medium", "lwe_length": 512}  # what export_model.py writes for pm runs
JOINT = dict(GUARDED, qam_mapping="hilbert", receiver="joint")  # --qam-mapping hilbert --receiver joint
SPREAD = dict(JOINT, receiver="joint_spread")  # the decoder takes the posterior's spread too
SKIMAGE = "/usr/lib/python3/dist-packages/skimage/data/"


@pytest.fixture(scope="module")
def core():
    return Core(os.environ["SJ_CORE_LIB"])


def random_models(folder, training):
    torch.manual_seed(0)
    spread = {"spread": True} if training and training.get("receiver") == "joint_spread" else {}
    for prefix in SCHEMES:
        for part in ("encoder", "decoder"):
            net = build_network(f"deepjscec_{part}", width=8, c_out=8, **(spread if part == "decoder" else {})).eval()
            export_network(net, str(folder / f"{prefix}_{part}.safetensors"),
                           {"training": training} if training is not None else None)
    return str(folder)


@pytest.fixture(scope="module")
def guarded(tmp_path_factory):
    return random_models(tmp_path_factory.mktemp("guarded"), GUARDED)


@pytest.fixture(scope="module")
def joint(tmp_path_factory):
    return random_models(tmp_path_factory.mktemp("joint"), JOINT)


@pytest.fixture(scope="module")
def spread(tmp_path_factory):
    return random_models(tmp_path_factory.mktemp("spread"), SPREAD)


def test_quantiser_comes_from_the_metadata(core, guarded, tmp_path):
    s = LweScheme(core, guarded, 1)
    assert (s.levels, s.guard, s.scale, s.p, s.block_length) == (16, 2, 3325.0, 4093, 512)
    old = LweScheme(core, random_models(tmp_path, None), 1)  # no quantiser facts: before guard levels
    assert (old.levels, old.guard, old.scale) == (16, 0, 3837.0)
    assert (s.mapping, s.receiver, old.mapping, old.receiver) == ("row", "pm", "row", "pm")


def test_receiver_comes_from_the_metadata(core, joint, tmp_path):
    s = LweScheme(core, joint, 1)
    assert (s.mapping, s.receiver) == ("hilbert", "joint")
    with pytest.raises(ValueError, match="qam_mapping"):
        LweScheme(core, random_models(tmp_path, dict(GUARDED, qam_mapping="hilbert")), 1)  # pm needs row


@pytest.mark.parametrize("receiver", ["pm", "joint", "joint_spread"])
@pytest.mark.parametrize("prefix", sorted(SCHEMES))
def test_latents_match_the_torch_chain(core, guarded, joint, spread, prefix, receiver):
    """The same latents through the C chain and the torch chain: Bob's decoder input has
    the same error statistics (uniform latents, and latents at the top of the range, where
    the guard levels matter); Eve's is unrelated to the latent. joint_spread: the means come
    first, then the posterior's spreads, with the same statistics in both chains."""
    s = SCHEMES[prefix](core, {"pm": guarded, "joint": joint, "joint_spread": spread}[receiver], 2)
    g = torch.Generator().manual_seed(3)
    key = lwe_chain.LweKey.generate("medium", l=512, generator=g) if prefix == "lwe" else None
    rng = np.random.default_rng(4)
    for lo in (0.0, 0.9):
        u = rng.uniform(lo, 1.0, (16, 512)).astype(np.float32)  # 16 frames of one LWE block each
        bob, eve = zip(*(s.latents(f, 10.0) for f in u))
        bob, eve = np.stack(bob), np.stack(eve)
        with torch.no_grad():
            mine = lwe_chain.lwe_chain(torch.from_numpy(u) * s.scale, key, 10.0, 200.0, generator=g,
                                       encrypt=key is not None, used=16 - s.guard, mapping=s.mapping,
                                       receiver=s.receiver)
        if receiver == "joint_spread":
            assert bob.shape == eve.shape == (16, 1024)
            sd_c, sd_t = bob[:, 512:], mine[1].numpy() / s.scale
            assert np.all(sd_c >= 0) and np.all(eve[:, 512:] >= 0)
            assert abs(sd_c.mean() / sd_t.mean() - 1) < 0.1, (lo, sd_c.mean(), sd_t.mean())
            bob, eve, mine = bob[:, :512], eve[:, :512], mine[0]
        mine = np.asarray(mine) / s.scale
        uq = np.asarray(lwe_chain.quantize(torch.from_numpy(u) * s.scale, 200.0, used=14)[0]) / s.scale
        err_c, err_t = np.sqrt(np.mean((bob - uq) ** 2)), np.sqrt(np.mean((mine - uq) ** 2))
        assert abs(err_c / err_t - 1) < 0.1, (lo, err_c, err_t)
        assert abs(bob.mean() - mine.mean()) < 0.02, (lo, bob.mean(), mine.mean())
        assert bob.max() <= 1.0 + 1e-6 and eve.max() <= 1.0 + 1e-6  # no guard level value comes out
        if lo == 0.0:
            assert np.corrcoef(bob.ravel(), u.ravel())[0, 1] > 0.8
            assert abs(np.corrcoef(eve.ravel(), u.ravel())[0, 1]) < 0.05


@pytest.mark.parametrize("which", ["pm", "joint_spread"])
@pytest.mark.parametrize("prefix", sorted(SCHEMES))
def test_transmit_keeps_the_image_size(core, guarded, spread, prefix, which):
    s = SCHEMES[prefix](core, guarded if which == "pm" else spread, 3)
    img = np.asarray(Image.open(SKIMAGE + "astronaut.png").convert("RGB"))[100:136, 180:224].copy()  # 36 x 44
    bob, eve = s.transmit(img, 10.0)
    assert bob.shape == eve.shape == img.shape and bob.dtype == eve.dtype == np.uint8


def trained_models(prefix):
    for folder in (os.environ.get("SJ_LWE_TEST_MODELS"), os.path.join(SRC, "models")):
        if folder and all(os.path.isfile(os.path.join(folder, f"{prefix}_{p}.safetensors"))
                          for p in ("encoder", "decoder")):
            return folder
    return None


def tiles(n=64, side=32):
    """n side x side crops of the skimage photographs (a fixed grid)."""
    out = []
    for name in ("astronaut.png", "coffee.png", "chelsea.png"):
        im = np.asarray(Image.open(SKIMAGE + name).convert("RGB"))
        for y in range(0, im.shape[0] - side + 1, 64):
            for x in range(0, im.shape[1] - side + 1, 96):
                out.append(np.ascontiguousarray(im[y:y + side, x:x + side]))
    return out[::max(1, len(out) // n)][:n]


@pytest.mark.parametrize("prefix", sorted(SCHEMES))
def test_c_chain_psnr_equals_torch_chain(core, prefix):
    folder = trained_models(prefix)
    if folder is None:
        pytest.skip(f"no trained {prefix} models (models/ or SJ_LWE_TEST_MODELS)")
    s = SCHEMES[prefix](core, folder, 5)
    imgs = tiles()
    c_psnr = np.mean([metrics(core, im, s.transmit(im, 10.0)[0])[0] for im in imgs])
    enc, dec = (load_network(os.path.join(folder, f"{prefix}_{p}.safetensors"))[0] for p in ("encoder", "decoder"))
    g = torch.Generator().manual_seed(6)
    key = lwe_chain.LweKey.generate(s.params.contents.name.decode(), l=s.block_length, generator=g) \
        if prefix == "lwe" else None
    x = torch.from_numpy(np.stack(imgs)).permute(0, 3, 1, 2).float() / 255
    with torch.no_grad():
        u = enc(x)
        z_hat = lwe_chain.lwe_chain(u.flatten(1) * s.scale, key, 10.0, 200.0, generator=g,
                                    encrypt=key is not None, used=16 - s.guard, mapping=s.mapping,
                                    receiver=s.receiver)
        y = torch.round(dec(lwe_chain.decoder_input(z_hat, s.scale, u.shape)).clamp(0, 1) * 255) / 255
    t_psnr = (10 * torch.log10(1 / (x - y).pow(2).flatten(1).mean(1).clamp_min(1e-10))).mean().item()
    assert abs(c_psnr - t_psnr) < 1.0, (c_psnr, t_psnr)
