"""securejscc-keygen: exit codes, the files it writes (sizes, modes, container and LWE header
fields, key ids recomputed independently with hashlib), --force, --help and bad arguments.
Run by ctest with SJ_BIN_DIR pointing at the built apps."""
import hashlib
import os
import re
import stat
import struct
import subprocess

import pytest

BIN = os.environ.get("SJ_BIN_DIR", "")
KEYGEN = os.path.join(BIN, "securejscc-keygen")
PRESETS = {"toy": (0, 136, 2003, 13.01), "low": (1, 192, 4093, 8.87), "medium": (2, 256, 4093, 8.35),
           "high": (3, 320, 4093, 8.00)}

pytestmark = pytest.mark.skipif(not os.path.exists(KEYGEN), reason="securejscc-keygen not built (set SJ_BIN_DIR)")


def run(*args, cwd=None):
    return subprocess.run([KEYGEN, *args], capture_output=True, text=True, cwd=cwd, timeout=120)


def parse_container(path, kind):
    """Checks the generic container (docs/key-files.md) and returns (header, payload)."""
    data = open(path, "rb").read()
    assert data[:8] == b"SJKEY\0\r\n"
    version, k, hlen, plen = struct.unpack_from("<HHIQ", data, 8)
    assert (version, k) == (1, kind)
    assert len(data) == 24 + hlen + plen + 32
    assert hashlib.blake2b(data[:-32], digest_size=32).digest() == data[-32:]
    return data[24:24 + hlen], data[24 + hlen:24 + hlen + plen]


def lwe_sizes(n, l):
    return 24 + 64 + 2 * (n * n + n * l) + 32, 24 + 64 + 2 * n * l + 32


def check_lwe_files(prefix, preset, l, stdout):
    pid, n, p, s = PRESETS[preset]
    pub, sec = f"{prefix}.pub", f"{prefix}.sec"
    assert stat.S_IMODE(os.stat(sec).st_mode) == 0o600
    assert stat.S_IMODE(os.stat(pub).st_mode) & 0o022 == 0  # not writable by others
    assert (os.path.getsize(pub), os.path.getsize(sec)) == lwe_sizes(n, l)
    ph, pp = parse_container(pub, 1)
    sh, sp = parse_container(sec, 2)
    for h in (ph, sh):
        assert len(h) == 64
        assert struct.unpack_from("<IIIIQd", h) == (pid, n, n, p, l, s)
    assert ph == sh  # same fields and the same key id
    # Key id = BLAKE2b-256(public header bytes 0..31 || public payload) (docs/key-files-lwe.md).
    key_id = hashlib.blake2b(ph[:32] + pp, digest_size=32).digest()
    assert ph[32:] == key_id
    vals = struct.unpack(f"<{len(pp) // 2}H", pp)
    assert max(vals) < p
    svals = struct.unpack(f"<{len(sp) // 2}h", sp)
    assert max(abs(v) for v in svals) <= 70 and any(svals)
    # What it printed: both paths, both sizes, the key id in hex.
    assert pub in stdout and sec in stdout
    assert str(os.path.getsize(pub)) in stdout and str(os.path.getsize(sec)) in stdout
    assert key_id.hex() in stdout
    return key_id


def test_help_lists_every_option():
    r = run("--help")
    assert r.returncode == 0
    for word in ("--scheme", "--params", "--length", "--out", "--force", "--help", "lwe", "srec", "toy", "low",
                 "medium", "high", "0600", "512"):
        assert word in r.stdout, word
    assert run("-h").stdout == r.stdout


def test_lwe_default_is_medium_512(tmp_path):
    prefix = str(tmp_path / "k")
    r = run("--scheme", "lwe", "--out", prefix)
    assert r.returncode == 0, r.stderr
    check_lwe_files(prefix, "medium", 512, r.stdout)


@pytest.mark.parametrize("preset,l", [("toy", 1), ("low", 100), ("high", 333), ("medium", 4096)])
def test_lwe_presets_and_lengths(tmp_path, preset, l):
    prefix = str(tmp_path / preset)
    r = run("--scheme", "lwe", "--params", preset, "--length", str(l), "--out", prefix)
    assert r.returncode == 0, r.stderr
    check_lwe_files(prefix, preset, l, r.stdout)


def test_srec_key(tmp_path):
    prefix = str(tmp_path / "s")
    r = run("--scheme", "srec", "--out", prefix)
    assert r.returncode == 0, r.stderr
    key = prefix + ".key"
    assert stat.S_IMODE(os.stat(key).st_mode) == 0o600
    header, payload = parse_container(key, 3)
    assert len(payload) >= 32 and any(payload)
    assert key in r.stdout and str(os.path.getsize(key)) in r.stdout
    assert open(key, "rb").read()[-32:].hex() in r.stdout
    assert not os.path.exists(prefix + ".pub") and not os.path.exists(prefix + ".sec")
    # Two runs give different keys.
    r2 = run("--scheme", "srec", "--out", str(tmp_path / "s2"))
    assert r2.returncode == 0 and parse_container(str(tmp_path / "s2.key"), 3)[1] != payload


@pytest.mark.parametrize("scheme,exts", [("lwe", (".pub", ".sec")), ("srec", (".key",))])
def test_refuses_overwrite_without_force(tmp_path, scheme, exts):
    prefix = str(tmp_path / "k")
    extra = ["--params", "toy", "--length", "16"] if scheme == "lwe" else []
    assert run("--scheme", scheme, *extra, "--out", prefix).returncode == 0
    before = {e: open(prefix + e, "rb").read() for e in exts}
    r = run("--scheme", scheme, *extra, "--out", prefix)
    assert r.returncode == 1
    assert "--force" in r.stderr and prefix in r.stderr
    assert {e: open(prefix + e, "rb").read() for e in exts} == before
    r = run("--scheme", scheme, *extra, "--out", prefix, "--force")
    assert r.returncode == 0, r.stderr
    after = {e: open(prefix + e, "rb").read() for e in exts}
    assert all(after[e] != before[e] for e in exts)
    for e in exts:
        if e != ".pub":
            assert stat.S_IMODE(os.stat(prefix + e).st_mode) == 0o600


def test_lwe_refuses_when_only_one_file_exists(tmp_path):
    prefix = str(tmp_path / "k")
    open(prefix + ".sec", "wb").write(b"precious")
    r = run("--scheme", "lwe", "--params", "toy", "--length", "8", "--out", prefix)
    assert r.returncode == 1 and "--force" in r.stderr
    assert open(prefix + ".sec", "rb").read() == b"precious"
    assert not os.path.exists(prefix + ".pub")  # nothing half-written


@pytest.mark.parametrize("args,needle", [
    (["--bogus"], "--bogus"),
    (["-x"], "-x"),
    (["--scheme", "lwe"], "--out"),
    (["--out", "k"], "--scheme"),
    (["--scheme", "rsa", "--out", "k"], "rsa"),
    (["--scheme", "lwe", "--params", "ultra", "--out", "k"], "ultra"),
    (["--scheme", "lwe", "--length", "0", "--out", "k"], "--length"),
    (["--scheme", "lwe", "--length", "-5", "--out", "k"], "--length"),
    (["--scheme", "lwe", "--length", "12abc", "--out", "k"], "12abc"),
    (["--scheme", "lwe", "--length", "16777217", "--out", "k"], "--length"),
    (["--scheme", "lwe", "--length", "99999999999999999999999", "--out", "k"], "--length"),
    (["--scheme", "lwe", "--out", "k", "--length"], "--length"),
    (["--scheme", "srec", "--params", "low", "--out", "k"], "--params"),
    (["--scheme", "srec", "--length", "5", "--out", "k"], "--length"),
    (["--scheme", "lwe", "--out", "k", "stray"], "stray"),
    (["--scheme", "lwe", "--out", ""], "--out"),
])
def test_bad_arguments_exit_2(tmp_path, args, needle):
    r = run(*args, cwd=tmp_path)
    assert r.returncode == 2, (args, r.returncode, r.stderr)
    assert needle in r.stderr, r.stderr
    assert r.stdout == ""
    assert os.listdir(tmp_path) == []


def test_unwritable_destination_fails_with_1(tmp_path):
    r = run("--scheme", "lwe", "--params", "toy", "--length", "8", "--out", str(tmp_path / "no" / "such" / "k"))
    assert r.returncode == 1
    assert re.search(r"no/such/k\.(pub|sec)", r.stderr)
