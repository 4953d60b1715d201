"""`cmake --install` puts every part where the installed programs and Debian's tools look
for it: the Python package, the GRC files, and the shipped models where the installed
securejscc-sim reads them. Installs the build as configured (its own prefix) into a
DESTDIR under pytest's temporary folder; the build tree is not touched."""
import glob
import os
import re
import shutil
import subprocess

import pytest

BUILD = os.environ.get("SJ_BUILD_DIR", "")
SRC = os.environ.get("SJ_SOURCE_DIR", "")
CORE_ONLY = os.environ.get("SJ_CORE_ONLY", "OFF") in ("ON", "1", "TRUE")


def cache_value(name):
    with open(os.path.join(BUILD, "CMakeCache.txt")) as f:
        for line in f:
            if line.startswith(name + ":"):
                return line.split("=", 1)[1].strip()
    return None


@pytest.mark.skipif(CORE_ONLY, reason="core-only build")
def test_install_layout(tmp_path):
    dest = tmp_path / "root"
    res = subprocess.run([shutil.which("cmake"), "--install", BUILD], env=dict(os.environ, DESTDIR=str(dest)),
                         capture_output=True, text=True)
    assert res.returncode == 0, res.stderr[-2000:]
    prefix = cache_value("CMAKE_INSTALL_PREFIX")
    root = dest / prefix.lstrip("/")
    # Debian's rule (CMakeLists.txt): lib/python3/dist-packages for /usr, else pythonX.Y
    pkgs = glob.glob(str(root / "lib/python3*/dist-packages/gnuradio/securejscc"))
    assert len(pkgs) == 1, pkgs
    if prefix == "/usr":
        assert pkgs[0].endswith("lib/python3/dist-packages/gnuradio/securejscc")
    for f in ("__init__.py", "model_info.py", "hier_lwe.py"):
        assert os.path.isfile(os.path.join(pkgs[0], f)), f
    assert glob.glob(os.path.join(pkgs[0], "securejscc_python*.so"))
    assert glob.glob(str(root / "share/gnuradio/grc/blocks/securejscc_*.block.yml"))
    shipped = {os.path.basename(p) for p in glob.glob(os.path.join(SRC, "models", "*.safetensors"))}
    models = root / "share/gr-securejscc/models"
    assert shipped and shipped <= set(os.listdir(models))
    sim = (root / "bin/securejscc-sim").read_text()
    assert re.search(rf'^DEFAULT_MODELS = "{re.escape(prefix)}/share/gr-securejscc/models"$', sim, re.M)
    assert re.search(r'^BUILD_PYTHONPATH = ""$', sim, re.M)  # imports the installed package, not the build's
