"""Every shipped model, run by the C core (runtime, channel, metrics) on natural images that
Debian's python3-skimage ships, must stay above a PSNR floor a few dB under what it reaches
there, so a broken model or runtime cannot land. Floors come from
python/training/evaluate.py's PlainScheme on these crops (measured: models/plain.md)."""
import glob
import os
import sys

import numpy as np
import pytest
from PIL import Image

SRC = os.environ["SJ_SOURCE_DIR"]
sys.path.insert(0, os.path.join(SRC, "python", "training"))
import evaluate  # noqa: E402

DATA = "/usr/lib/python3/dist-packages/skimage/data/"
# (image, top, left, size): measured at 10 dB / 20 dB with the shipped plain model:
# 30.1/31.5, 26.6/27.1, 29.1/30.7, 29.0/29.8 dB
CROPS = [("astronaut.png", 100, 180, 32), ("astronaut.png", 100, 180, 128), ("coffee.png", 100, 200, 32),
         ("chelsea.png", 80, 120, 128)]
FLOOR_DB = {10.0: 24.0, 20.0: 25.0}


def crops():
    for name, y, x, size in CROPS:
        im = np.asarray(Image.open(DATA + name).convert("RGB"))
        yield f"{name}:{size}", np.ascontiguousarray(im[y:y + size, x:x + size])


@pytest.fixture(scope="module")
def core():
    return evaluate.Core(os.environ["SJ_CORE_LIB"])


@pytest.mark.skipif(not glob.glob(os.path.join(SRC, "models", "plain_*.safetensors")), reason="plain not shipped")
@pytest.mark.parametrize("snr", sorted(FLOOR_DB))
def test_plain_model_psnr_floor(core, snr):
    scheme = evaluate.PlainScheme(core, os.path.join(SRC, "models"), seed=3)
    for label, img in crops():
        bob, eve = scheme.transmit(img, snr)
        psnr, ssim = evaluate.metrics(core, img, bob)
        assert psnr > FLOOR_DB[snr], f"{label} at {snr} dB: {psnr:.2f} dB"
        assert ssim > 0.6, f"{label}: SSIM {ssim:.3f}"
        assert np.array_equal(bob, eve)  # plain protects nothing: Eve decodes as Bob does


def test_plain_psnr_grows_with_snr(core):
    if not glob.glob(os.path.join(SRC, "models", "plain_*.safetensors")):
        pytest.skip("plain not shipped")
    scheme = evaluate.PlainScheme(core, os.path.join(SRC, "models"), seed=4)
    img = dict(crops())["chelsea.png:128"]
    low = np.mean([evaluate.metrics(core, img, scheme.transmit(img, 0.0)[0])[0] for _ in range(3)])
    high = np.mean([evaluate.metrics(core, img, scheme.transmit(img, 20.0)[0])[0] for _ in range(3)])
    assert high > low + 1.0
