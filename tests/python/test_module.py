"""The GNU Radio module imports as `from gnuradio import securejscc` from the build tree,
and the chain demo runs end to end on a Debian-shipped image with sane results."""
import os
import subprocess
import sys

import numpy as np
import pytest
from PIL import Image

BUILD = os.environ.get("SJ_BUILD_DIR", "")
BIN = os.environ.get("SJ_BIN_DIR", "")
ASTRONAUT = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"


@pytest.mark.skipif(os.environ.get("SJ_CORE_ONLY", "OFF") in ("ON", "1", "TRUE"), reason="core-only build")
def test_import_from_build_tree():
    env = dict(os.environ, PYTHONPATH=os.path.join(BUILD, "python_root"))
    out = subprocess.run([sys.executable, "-c", "from gnuradio import securejscc; print(securejscc.__file__)"],
                         env=env, capture_output=True, text=True, check=True).stdout
    assert os.path.join(BUILD, "python_root") in out


def _psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / mse)


def test_chain_demo_bob_beats_eve(tmp_path):
    # A 96x96 crop keeps the test fast; the demo takes any PNG.
    crop = np.asarray(Image.open(ASTRONAUT).convert("RGB"))[100:196, 180:276]
    src = tmp_path / "crop.png"
    Image.fromarray(crop).save(src)
    out = tmp_path / "out"
    res = subprocess.run([os.path.join(BIN, "securejscc-chain-demo"), "--out", str(out), "--snr", "20", str(src)],
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr
    img = {n: np.asarray(Image.open(out / f"{n}.png")) for n in ("input", "lwe_bob", "lwe_eve", "srec_bob", "srec_eve")}
    assert np.array_equal(img["input"], crop)
    # srec at 20 dB on 16QAM: almost no bit errors, and the keystream cancels exactly.
    assert _psnr(crop, img["srec_bob"]) > 35
    # Without the key both eavesdroppers see noise: far below Bob and near or under the
    # mean-image baseline.
    baseline = _psnr(crop, np.full_like(crop, crop.mean()))
    assert _psnr(crop, img["srec_eve"]) < baseline + 1
    assert _psnr(crop, img["lwe_eve"]) < baseline + 1
    # lwe: pixels quantised to 16 levels plus LWE decryption noise (std ~ one level), yet
    # clearly better than Eve.
    assert _psnr(crop, img["lwe_bob"]) > _psnr(crop, img["lwe_eve"]) + 5
    assert (out / "mosaic.png").exists()


def test_chain_demo_rejects_bad_input(tmp_path):
    bad = tmp_path / "bad.png"
    bad.write_bytes(b"not a png at all")
    res = subprocess.run([os.path.join(BIN, "securejscc-chain-demo"), "--out", str(tmp_path), str(bad)],
                         capture_output=True, text=True)
    assert res.returncode == 1 and "bad.png" in res.stderr
    res = subprocess.run([os.path.join(BIN, "securejscc-chain-demo"), "--snr", "loud"], capture_output=True, text=True)
    assert res.returncode == 2 and "--snr" in res.stderr
    res = subprocess.run([os.path.join(BIN, "securejscc-chain-demo"), "--help"], capture_output=True, text=True)
    assert res.returncode == 0 and "Usage" in res.stdout
