"""The PyTorch copy of the `lwe` chain used in training (python/training/sjtrain/lwe_chain.py)
must compute what the C core computes, or the networks would train on the wrong noise."""
import ctypes
import os
import subprocess
import sys

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.environ["SJ_SOURCE_DIR"], "python", "training"))
from sjtrain import lwe_chain  # noqa: E402

LIB = ctypes.CDLL(os.environ["SJ_CORE_LIB"])
LIB.sj_last_error.restype = ctypes.c_char_p
SJ_MOD_4096QAM = 3
SJ_SOFT4096_SEPARABLE = 0


def ok(status):
    assert status == 0, LIB.sj_last_error().decode()


def obj():
    return ctypes.c_void_p()


def ptr(a):
    return a.ctypes.data_as(ctypes.c_void_p)


@pytest.fixture(scope="module")
def qam():
    m, d = obj(), obj()
    ok(LIB.sj_modem_create(SJ_MOD_4096QAM, ctypes.byref(m)))
    ok(LIB.sj_softdemod_create(m, ctypes.c_size_t(100000), ctypes.byref(d)))
    yield m, d
    LIB.sj_softdemod_destroy(d)
    LIB.sj_modem_destroy(m)


def c_map(m, idx):
    idx = np.ascontiguousarray(idx, dtype=np.uint16)
    out = np.zeros(len(idx), dtype=np.complex64)
    ok(LIB.sj_modem_map(m, ptr(idx), ctypes.c_size_t(len(idx)), ptr(out)))
    return out


def test_4096qam_grid_matches_c(qam):
    m, _ = qam
    idx = np.arange(lwe_chain.P)
    i, q = lwe_chain.qam4096_map(torch.from_numpy(idx))
    sym = c_map(m, idx)
    assert np.abs(sym.real - i.numpy()).max() < 1e-5
    assert np.abs(sym.imag - q.numpy()).max() < 1e-5


@pytest.mark.parametrize("snr_db", [0.0, 10.0, 20.0, 35.0])
def test_posterior_mean_matches_c(qam, snr_db):
    m, d = qam
    g = np.random.default_rng(int(snr_db))
    idx = g.integers(0, lwe_chain.P, 20000)
    idx[:10] = [0, 63, 4032, 4092, 4031, 64, 4000, 4090, 1, 2047]  # edges and the unused corner
    n0 = 10 ** (-snr_db / 10)
    sym = c_map(m, idx) + (g.normal(size=len(idx)) + 1j * g.normal(size=len(idx))).astype(np.complex64) * np.sqrt(
        n0 / 2)
    sym = sym.astype(np.complex64)
    out = np.zeros(len(idx), dtype=np.float32)
    ok(LIB.sj_softdemod_posterior_mean(d, ptr(sym), ctypes.c_size_t(len(idx)), ctypes.c_float(n0),
                                       SJ_SOFT4096_SEPARABLE, ptr(out)))
    mine = lwe_chain.qam4096_posterior_mean(torch.from_numpy(sym.real.copy()), torch.from_numpy(sym.imag.copy()),
                                            torch.tensor(n0))
    # float32 symbols and the C grid's gain rounded to 18 significant bits (modem.c) leave
    # differences of a few 1e-3 index units; anything structural (row/column swap, wrong
    # corner handling, wrong noise scaling) is off by 1 to thousands.
    assert np.abs(mine.numpy() - out).max() < 0.05


def guarded_quantizer(guard):
    q = obj()
    ok(LIB.sj_quantizer_create_guarded(16, guard, lwe_chain.P, ctypes.byref(q)))
    return q


@pytest.mark.parametrize("guard", [0, lwe_chain.GUARD_LEVELS])
def test_soft_dequantizer_matches_c(guard):
    q = guarded_quantizer(guard)
    y = np.random.default_rng(3).uniform(0, lwe_chain.P, 5000).astype(np.float32)
    y[:4] = [3325 + 300, 3837, 4092.5, 0]  # past the top used centroid, on a guard level, the wrap
    used = lwe_chain.LEVELS - guard
    for var in (25.0, 251.0 ** 2, 1e6):
        out = np.zeros_like(y)
        ok(LIB.sj_quantizer_soft_dequant(q, ptr(y), ctypes.c_size_t(len(y)), ctypes.c_float(var), ptr(out)))
        mine = lwe_chain.soft_dequantize(torch.from_numpy(y), var, used=used).numpy()
        assert np.abs(mine - out).max() < 0.05, var
    LIB.sj_quantizer_destroy(q)


@pytest.mark.parametrize("guard", [0, lwe_chain.GUARD_LEVELS])
def test_hard_quantizer_matches_c(guard):
    q = guarded_quantizer(guard)
    z = np.random.default_rng(4).uniform(-300, lwe_chain.P + 300, 5000).astype(np.float32)
    values = np.zeros(len(z), dtype=np.uint16)
    ok(LIB.sj_quantizer_hard(q, ptr(z), ctypes.c_size_t(len(z)), ptr(values), None))
    mine, _, _ = lwe_chain.quantize(torch.from_numpy(z), sigma_q=200.0, used=lwe_chain.LEVELS - guard)
    assert np.array_equal(mine.numpy().astype(np.uint16), values)
    if guard:
        top = int(lwe_chain.centroids()[lwe_chain.LEVELS - guard - 1])
        assert values.max() == top == LIB.sj_quantizer_centroid(q, lwe_chain.LEVELS - guard - 1)
    LIB.sj_quantizer_destroy(q)


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    prefix = str(tmp_path_factory.mktemp("keys") / "k")
    subprocess.run([os.path.join(os.environ["SJ_BIN_DIR"], "securejscc-keygen"), "--scheme", "lwe", "--length", "384",
                    "--out", prefix], check=True, capture_output=True)
    return prefix + ".pub", prefix + ".sec"


def test_torch_decrypts_c_ciphertexts_like_c(keys):
    pub_path, sec_path = keys
    k = 1000  # 3 blocks of l = 384, the last one partial
    pub, sec, enc, dec = obj(), obj(), obj(), obj()
    ok(LIB.sj_lwe_pubkey_load(pub_path.encode(), ctypes.byref(pub)))
    ok(LIB.sj_lwe_seckey_load(sec_path.encode(), ctypes.byref(sec)))
    ok(LIB.sj_lwe_encryptor_create(pub, ctypes.c_size_t(k), ctypes.byref(enc)))
    ok(LIB.sj_lwe_decryptor_create(sec, ctypes.c_size_t(k), ctypes.byref(dec)))
    key = lwe_chain.LweKey.from_files(pub_path, sec_path)
    g = np.random.default_rng(5)
    z = (g.integers(0, 16, k) * lwe_chain.P // 16).astype(np.uint16)
    c = np.zeros(k, dtype=np.uint16)
    d = np.zeros(3 * key.n2, dtype=np.uint16)
    ok(LIB.sj_lwe_encrypt(enc, ptr(z), ptr(c), ptr(d)))
    c_noisy = (c + g.normal(0, 3, k)).astype(np.float32)
    z_c = np.zeros(k, dtype=np.float32)
    ok(LIB.sj_lwe_decrypt_soft(dec, ptr(c_noisy), ptr(d), ptr(z_c)))
    z_t = key.decrypt_soft(torch.from_numpy(c_noisy)[None], torch.from_numpy(d.astype(np.int64)).view(1, 3, -1))[0]
    diff = np.remainder(z_t.numpy() - z_c + lwe_chain.P / 2, lwe_chain.P) - lwe_chain.P / 2
    assert np.abs(diff).max() < 1e-2
    for f, o in ((LIB.sj_lwe_encryptor_destroy, enc), (LIB.sj_lwe_decryptor_destroy, dec),
                 (LIB.sj_lwe_pubkey_destroy, pub), (LIB.sj_lwe_seckey_destroy, sec)):
        f(o)


def test_torch_encryption_noise_matches_theory(keys):
    key = lwe_chain.LweKey.from_files(*keys)
    g = torch.Generator().manual_seed(6)
    z = torch.randint(0, 16, (8, 1000), generator=g) * lwe_chain.P // 16
    c, d = key.encrypt(z, g)
    err = torch.remainder(key.decrypt_soft(c.float(), d) - z + lwe_chain.P / 2, lwe_chain.P) - lwe_chain.P / 2
    assert abs(err.std().item() / key.noise_std() - 1) < 0.1
    assert abs(key.noise_std() - 251.1) < 1.0  # medium preset, docs/lwe.md
    # Ciphertexts look uniform: mean of c near (p - 1) / 2 even for structured plaintexts.
    assert abs(c.double().mean().item() / ((lwe_chain.P - 1) / 2) - 1) < 0.02


def test_chain_gradient_reaches_encoder_and_keystream_variant_is_cleaner():
    torch.manual_seed(7)
    key = lwe_chain.LweKey.generate("medium", l=512)
    z = (torch.rand(4, 512) * (lwe_chain.P - 1)).requires_grad_()
    out = lwe_chain.lwe_chain(z, key, 20.0, sigma_q=50.0)
    out.sum().backward()
    assert z.grad is not None and torch.isfinite(z.grad).all() and z.grad.abs().sum() > 0
    z_bar, _, _ = lwe_chain.quantize(z.detach(), 200.0, used=lwe_chain.LEVELS - lwe_chain.GUARD_LEVELS)
    err_lwe = (lwe_chain.lwe_chain(z.detach(), key, 20.0, 200.0) - z_bar).abs().mean()
    err_ks = (lwe_chain.lwe_chain(z.detach(), None, 20.0, 200.0, encrypt=False) - z_bar).abs().mean()
    assert err_ks < err_lwe


# ---------------------------------------------------------------- Hilbert mapping, joint receiver

SJ_QAM4096_HILBERT = 1
LIB.sj_zp_posterior_create.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_uint, ctypes.c_uint,
                                       ctypes.c_double, ctypes.c_size_t, ctypes.c_void_p]


@pytest.fixture(scope="module")
def hilbert_modem():
    m = obj()
    ok(LIB.sj_modem_create_qam4096(SJ_QAM4096_HILBERT, ctypes.byref(m)))
    yield m
    LIB.sj_modem_destroy(m)


def test_hilbert_grid_matches_c(hilbert_modem):
    idx = np.arange(lwe_chain.P)
    i, q = lwe_chain.qam4096_map(torch.from_numpy(idx), "hilbert")
    sym = c_map(hilbert_modem, idx)
    assert np.abs(sym.real - i.numpy()).max() < 1e-5
    assert np.abs(sym.imag - q.numpy()).max() < 1e-5
    col, row = lwe_chain.qam4096_grid("hilbert")
    r, c = ctypes.c_uint(), ctypes.c_uint()
    for n in (0, 1, 2, 3, 63, 64, 1000, 2047, 4092, 4095):
        ok(LIB.sj_modem_qam4096_position(hilbert_modem, n, ctypes.byref(r), ctypes.byref(c)))
        assert (r.value, c.value) == (int(row[n]), int(col[n])), n


def c_joint(modem, sym, offset, n0, noise_std, guard=2, p=lwe_chain.P, with_std=False):
    zp = obj()
    ok(LIB.sj_zp_posterior_create(modem, p, lwe_chain.LEVELS, guard, noise_std, len(sym), ctypes.byref(zp)))
    out, sd = np.zeros(len(sym), dtype=np.float32), np.zeros(len(sym), dtype=np.float32)
    ok(LIB.sj_zp_posterior_mean_std(zp, ptr(sym), None if offset is None else ptr(offset),
                                    ctypes.c_size_t(len(sym)), ctypes.c_float(n0), ptr(out),
                                    ptr(sd) if with_std else None))
    LIB.sj_zp_posterior_destroy(zp)
    return (out, sd) if with_std else out


@pytest.mark.parametrize("mapping", ["row", "hilbert"])
@pytest.mark.parametrize("snr_db", [5.0, 10.0, 20.0])
@pytest.mark.parametrize("noise_std", [0.0, 251.1])
def test_joint_receiver_matches_c(qam, hilbert_modem, mapping, snr_db, noise_std):
    """The training chain's joint_posterior_mean against sj_zp_posterior: the decoder must
    meet at run time the input it was trained on."""
    modem = hilbert_modem if mapping == "hilbert" else qam[0]
    g = np.random.default_rng(int(snr_db) + 100 * (mapping == "hilbert") + int(noise_std))
    n, used = 20000, lwe_chain.LEVELS - 2
    level = g.integers(0, used, n)
    offset = g.integers(0, lwe_chain.P, n).astype(np.uint16)
    q = level * lwe_chain.P // lwe_chain.LEVELS
    noise = np.rint(g.normal(0, noise_std, n)) if noise_std else 0
    c = np.remainder(q - offset.astype(np.int64) + noise, lwe_chain.P).astype(np.uint16)  # z' = c + offset
    n0 = 10 ** (-snr_db / 10)
    sym = (c_map(modem, c) + (g.normal(size=n) + 1j * g.normal(size=n)) * np.sqrt(n0 / 2)).astype(np.complex64)
    out, sd = c_joint(modem, sym, offset, n0, noise_std, with_std=True)
    mine, mine_sd = lwe_chain.joint_posterior_mean(
        torch.from_numpy(sym.real.copy()), torch.from_numpy(sym.imag.copy()), torch.tensor(n0),
        torch.from_numpy(offset.astype(np.int64)), mapping, noise_std, used=used, return_std=True)
    mine, mine_sd = mine.numpy(), mine_sd.numpy()
    # Both sum the same terms (C in double, torch partly in float, each dropping negligible
    # weights); a wrong offset sign, bin or level is off by hundreds of Z_p units. The
    # spread likewise (the joint_spread decoders' second input).
    assert np.abs(mine - out).max() < 0.5
    assert np.abs(mine_sd - sd).max() < 0.5
    # and the receiver works: mean |error| about 15 % above what it measured on these draws
    # (a guess from the prior alone is 895 off; the draws move the mean by about 1 %)
    bound = {(0, "row"): {5.0: 630, 10.0: 375, 20.0: 90}, (0, "hilbert"): {5.0: 450, 10.0: 240, 20.0: 24},
             (1, "row"): {5.0: 690, 10.0: 495, 20.0: 300}, (1, "hilbert"): {5.0: 570, 10.0: 450, 20.0: 325}}
    assert np.abs(out - q).mean() < bound[(int(noise_std > 0), mapping)][snr_db]


def test_joint_receiver_beats_pm_with_hilbert(qam, hilbert_modem):
    """The reason for the joint receiver (docs/lwe.md): through LWE noise at 10 dB, Hilbert
    + joint posterior gives a smaller error than row-major + posterior-mean demodulation,
    decryption and Gaussian dequantisation on the same plaintexts."""
    g = np.random.default_rng(11)
    n, used, std, n0 = 40000, lwe_chain.LEVELS - 2, 251.1, 0.1
    q = g.integers(0, used, n) * lwe_chain.P // lwe_chain.LEVELS
    offset = g.integers(0, lwe_chain.P, n)
    c = np.remainder(q - offset + np.rint(g.normal(0, std, n)), lwe_chain.P).astype(np.uint16)
    w = (g.normal(size=n) + 1j * g.normal(size=n)) * np.sqrt(n0 / 2)
    joint = c_joint(hilbert_modem, (c_map(hilbert_modem, c) + w).astype(np.complex64), offset.astype(np.uint16), n0,
                    std)
    sym = (c_map(qam[0], c) + w).astype(np.complex64)
    c_hat = lwe_chain.qam4096_posterior_mean(torch.from_numpy(sym.real.copy()), torch.from_numpy(sym.imag.copy()),
                                             torch.tensor(n0))
    zp = torch.remainder(c_hat.double() + torch.from_numpy(offset), lwe_chain.P)
    pm = lwe_chain.soft_dequantize(zp, std ** 2 + lwe_chain.channel_var_index_units(n0), used=used).numpy()
    mse_joint, mse_pm = ((joint - q) ** 2).mean(), ((pm - q) ** 2).mean()
    assert mse_joint < 0.95 * mse_pm, (mse_joint, mse_pm)  # measured 0.88


# ---------------------------------------------------------------- the srec chain

from sjtrain import srec_chain  # noqa: E402

MODS = {"bpsk": 0, "qpsk": 1, "16qam": 2}


@pytest.mark.parametrize("name", ["bpsk", "qpsk", "16qam"])
def test_srec_byte_mapping_matches_c(name):
    m = obj()
    ok(LIB.sj_modem_create(MODS[name], ctypes.byref(m)))
    data = np.arange(256, dtype=np.uint8)
    nsym = 256 * 8 // srec_chain.BITS[name]
    sym = np.zeros(nsym, dtype=np.complex64)
    ok(LIB.sj_modem_map_bytes(m, ptr(data), ctypes.c_size_t(256), ptr(sym)))
    idx = srec_chain.bytes_to_symbols(torch.from_numpy(data.astype(np.int64))[None], name)[0]
    pts = srec_chain.constellation(name)[idx].numpy()
    assert np.abs(pts[:, 0] - sym.real).max() < 1e-6 and np.abs(pts[:, 1] - sym.imag).max() < 1e-6
    back = srec_chain.symbols_to_bytes(idx[None], name)[0].numpy()
    assert np.array_equal(back, data)
    LIB.sj_modem_destroy(m)


def test_srec_byte_quantizer_matches_c():
    class Params(ctypes.Structure):
        _fields_ = [("offset", ctypes.c_float), ("scale", ctypes.c_float)]

    x = np.random.default_rng(8).normal(0, 3, 777).astype(np.float32)
    out = np.zeros(len(x), dtype=np.uint8)
    prm = Params()
    ok(LIB.sj_byteq_quantize(ptr(x), ctypes.c_size_t(len(x)), ptr(out), ctypes.byref(prm)))
    q, lo, scale = srec_chain.byte_quantize(torch.from_numpy(x)[None])
    assert abs(lo.item() - prm.offset) < 1e-6 and abs(scale.item() / prm.scale - 1) < 1e-6
    assert np.abs(q[0].numpy() - out.astype(np.int64)).max() <= 1  # rounding ties may differ
    assert (q[0].numpy() != out).mean() < 0.01


def test_srec_chain_errors_grow_with_noise_and_wrap_under_encryption():
    torch.manual_seed(9)
    f = torch.rand(16, 512)
    err = {}
    for enc in (False, True):
        for snr in (4.0, 30.0):
            err[enc, snr] = (srec_chain.srec_chain(f, "qpsk", snr, encrypt=enc) - f).abs().mean().item()
    assert err[True, 30.0] < 0.01 and err[False, 30.0] < 0.01
    assert err[True, 4.0] > err[True, 30.0] * 10
    # With the mod-256 cipher a flipped bit wraps around the byte range, so the plaintext
    # error is larger than without encryption at the same SNR (the paper's motivation for SR).
    assert err[True, 4.0] > err[False, 4.0]
