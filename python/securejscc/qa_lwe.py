"""lwe_encrypt / lwe_decrypt in a flowgraph: the decryption error has the standard
deviation the theory gives (within 10 %), d rides on each frame's first item with
ceil(k / l) * n2 values and differs per frame, frames without d are zero-filled, and bad
key files or k fail at construction naming block and parameter. lwe_joint_decrypt (the joint
receiver) brings Bob near the sent centroids on both 4096-QAM mappings and Eve nowhere."""
import math

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc

from sj_qa_util import error_pattern, keystream_key, lwe_keys

N, P, S = 256, 4093, 8.35  # the medium preset


def dgauss_var(s):
    """Exact variance of the discrete Gaussian P(x) ~ exp(-pi x^2 / s^2) on the integers."""
    x = np.arange(-200, 201)
    w = np.exp(-math.pi * x ** 2 / s ** 2)
    return float(np.sum(w * x ** 2) / np.sum(w))


@pytest.fixture(scope="module")
def keys(tmp_path_factory):
    return lwe_keys(tmp_path_factory.mktemp("lwe"), "medium", 512)


def test_round_trip_error_and_d_tags(keys):
    pub, sec = keys
    k, frames = 1000, 4  # 2 blocks of l = 512 per frame, the last one short
    z = np.random.default_rng(7).integers(0, P, k * frames).astype(np.int16)
    tb = gr.top_block()
    enc = securejscc.lwe_encrypt(pub, k)
    dec = securejscc.lwe_decrypt(sec, k)
    cipher, out = blocks.vector_sink_s(), blocks.vector_sink_f()
    tb.connect(blocks.vector_source_s(z.tolist()), enc, blocks.short_to_float(), dec, out)
    tb.connect(enc, cipher)
    tb.run()
    assert enc.d_length() == dec.d_length() == 2 * N and enc.modulus() == P
    assert enc.frames() == dec.frames() == frames and dec.frames_dropped() == 0
    dtags = [t for t in cipher.tags() if pmt.symbol_to_string(t.key) == "sj_lwe_d"]
    assert [t.offset for t in dtags] == [f * k for f in range(frames)]
    ds = [np.array(pmt.u16vector_elements(t.value)) for t in dtags]
    assert all(len(d) == 2 * N and d.max() < P for d in ds)
    assert not np.array_equal(ds[0], ds[1])  # fresh randomness per frame
    c = np.array(cipher.data())
    assert np.mean(c == z) < 0.01
    y = np.array(out.data())
    err = (y - z + P / 2) % P - P / 2
    v = dgauss_var(S)
    theory = math.sqrt(2 * N * v * v + v)
    assert abs(np.std(err) / theory - 1) < 0.10, (np.std(err), theory)
    assert abs(np.mean(err)) < 0.1 * theory


def test_frame_without_d_is_zero_filled(keys):
    _, sec = keys
    k = 100
    tb = gr.top_block()
    dec = securejscc.lwe_decrypt(sec, k)
    out = blocks.vector_sink_f()
    tb.connect(blocks.vector_source_f([5.0] * (2 * k)), dec, out)
    tb.run()
    assert list(out.data()) == [0.0] * (2 * k)
    assert dec.frames_dropped() == 2


def test_bad_parameters(keys, tmp_path):
    pub, sec = keys
    with pytest.raises(RuntimeError, match=error_pattern("lwe_encrypt", "pubkey_file")):
        securejscc.lwe_encrypt(str(tmp_path / "none.pub"), 100)
    with pytest.raises(ValueError, match=error_pattern("lwe_encrypt", "pubkey_file")):
        securejscc.lwe_encrypt(sec, 100)  # a secret key is not a public key
    with pytest.raises(ValueError, match=error_pattern("lwe_decrypt", "seckey_file")):
        securejscc.lwe_decrypt(keystream_key(tmp_path), 100)
    with pytest.raises(ValueError, match=error_pattern("lwe_encrypt", "k")):
        securejscc.lwe_encrypt(pub, 0)
    with pytest.raises(ValueError, match=error_pattern("lwe_decrypt", "k")):
        securejscc.lwe_decrypt(sec, 0)


def centroid_stream(k, frames, levels=16, guard=2, seed=8):
    """Random plaintexts on the used centroids floor(l p / N), l < N - G."""
    lv = np.random.default_rng(seed).integers(0, levels - guard, k * frames)
    return lv * P // levels


@pytest.mark.parametrize("mapping", ["hilbert", "row"])
def test_joint_decrypt_recovers_the_centroids(keys, mapping):
    """lwe_encrypt -> symbol_mapper(4096qam[-hilbert]) -> AWGN at 20 dB -> lwe_joint_decrypt:
    Bob's posterior means sit near the sent centroids (the LWE noise of std 251 is about one
    centroid spacing, 256, so some land between levels); Eve, without the key, gets
    values unrelated to them. The sj_lwe_d and sj_noise_var tags are consumed."""
    pub, sec = keys
    k, frames, n0 = 1000, 4, 0.01
    z = centroid_stream(k, frames)
    modulation = "4096qam" if mapping == "row" else "4096qam-hilbert"
    tb = gr.top_block()
    enc = securejscc.lwe_encrypt(pub, k)
    mapper = securejscc.symbol_mapper(modulation, k)
    noise = blocks.add_cc()
    bob = securejscc.lwe_joint_decrypt(sec, k, 16, 2, n0, mapping, P)
    eve = securejscc.lwe_joint_decrypt("", k, 16, 2, n0, mapping, P)
    out_bob, out_eve = blocks.vector_sink_f(), blocks.vector_sink_f()
    w = np.random.default_rng(9).normal(size=(2, k * frames)) * math.sqrt(n0 / 2)
    tb.connect(blocks.vector_source_s(z.astype(np.int16).tolist()), enc, mapper, (noise, 0))
    tb.connect(blocks.vector_source_c((w[0] + 1j * w[1]).tolist()), (noise, 1))
    tb.connect(noise, bob, out_bob)
    tb.connect(noise, eve, out_eve)
    tb.run()
    assert bob.frames() == frames and bob.frames_dropped() == 0 and eve.frames() == frames
    assert abs(bob.lwe_noise_std() - 251.1) < 1.0 and eve.lwe_noise_std() == 0.0
    yb, ye = np.array(out_bob.data()), np.array(out_eve.data())
    assert len(yb) == len(ye) == k * frames
    # A guess from the prior alone is 1031 off (RMS). Through LWE noise of one level spacing
    # Bob measured 401 (row) and 441 (hilbert) here (20 dB), and a third of his values within 128 (0.31, 0.34).
    assert np.sqrt(np.mean((yb - z) ** 2)) < 500
    assert np.mean(np.abs(yb - z) < 128) > 0.25  # a uniform guess: 0.08
    assert abs(np.corrcoef(ye, z)[0, 1]) < 0.1
    keys_left = {pmt.symbol_to_string(t.key) for t in out_bob.tags()}
    assert "sj_lwe_d" not in keys_left and "sj_noise_var" not in keys_left


def test_joint_decrypt_spread_output(keys):
    """spread=True: each frame is 2k floats, the k posterior means (bit for bit those of
    spread=False) and then the k posterior standard deviations, which are the posterior's
    own: their mean square matches the means' squared error against the sent centroids
    (10 dB, Hilbert). Frame tags land on the same frame, at twice the offset."""
    pub, sec = keys
    k, frames, n0 = 1000, 4, 0.1
    z = centroid_stream(k, frames, seed=3)
    tb = gr.top_block()
    enc = securejscc.lwe_encrypt(pub, k)
    mapper = securejscc.symbol_mapper("4096qam-hilbert", k)
    noise = blocks.add_cc()
    plain = securejscc.lwe_joint_decrypt(sec, k, 16, 2, n0, "hilbert", P)
    spread = securejscc.lwe_joint_decrypt(sec, k, 16, 2, n0, "hilbert", P, True)
    assert spread.spread() and not plain.spread()
    out_plain, out_spread = blocks.vector_sink_f(), blocks.vector_sink_f()
    w = np.random.default_rng(4).normal(size=(2, k * frames)) * math.sqrt(n0 / 2)
    marks = [gr.tag_utils.python_to_tag((o, pmt.intern("mark"), pmt.from_long(o), pmt.PMT_F)) for o in (k, 2 * k + 10)]
    tb.connect(blocks.vector_source_s(z.astype(np.int16).tolist(), False, 1, marks), enc, mapper, (noise, 0))
    tb.connect(blocks.vector_source_c((w[0] + 1j * w[1]).tolist()), (noise, 1))
    tb.connect(noise, plain, out_plain)
    tb.connect(noise, spread, out_spread)
    tb.run()
    ym, ys = np.array(out_plain.data()), np.array(out_spread.data()).reshape(frames, 2, k)
    assert len(ym) == k * frames and spread.frames() == frames
    assert np.array_equal(ys[:, 0].ravel(), ym)
    sd = ys[:, 1].ravel()
    assert np.all(sd >= 0) and np.all(sd < P)
    ratio = np.mean(sd ** 2) / np.mean((ym - z) ** 2)
    assert 0.85 < ratio < 1.15, ratio  # measured in the C test: 1.016 on 20000 symbols
    tp = sorted((t.offset, pmt.symbol_to_string(t.key)) for t in out_plain.tags())
    ts = sorted((t.offset, pmt.symbol_to_string(t.key)) for t in out_spread.tags())
    assert len(tp) > 0 and ts == [(2 * o, key) for o, key in tp]


def test_joint_decrypt_frame_without_d_is_zero_filled(keys):
    _, sec = keys
    k = 100
    tb = gr.top_block()
    dec = securejscc.lwe_joint_decrypt(sec, k, 16, 2, 0.1)
    out = blocks.vector_sink_f()
    tb.connect(blocks.vector_source_c([0.1 + 0.1j] * (2 * k)), dec, out)
    tb.run()
    assert list(out.data()) == [0.0] * (2 * k)
    assert dec.frames_dropped() == 2 and dec.frames() == 0


def test_joint_decrypt_bad_parameters(keys, tmp_path):
    _, sec = keys
    cases = [
        ((sec, 0, 16, 2, 0.1), "k"),
        ((sec, 100, 16, 2, 0.0), "noise_var"),
        ((sec, 100, 16, 2, float("nan")), "noise_var"),
        ((sec, 100, 16, 15, 0.1), "guard"),
        ((sec, 100, 16, 2, 0.1, "snake"), "mapping"),
        ((sec, 100, 16, 2, 0.1, "hilbert", 2003), "modulus"),
        ((keystream_key(tmp_path), 100, 16, 2, 0.1), "seckey_file"),
    ]
    for args, param in cases:
        with pytest.raises(ValueError, match=error_pattern("lwe_joint_decrypt", param)):
            securejscc.lwe_joint_decrypt(*args)
    with pytest.raises(RuntimeError, match=error_pattern("lwe_joint_decrypt", "seckey_file")):
        securejscc.lwe_joint_decrypt(str(tmp_path / "none.sec"), 100, 16, 2, 0.1)
    with pytest.raises(ValueError, match=error_pattern("soft_demod", "modulation")):
        securejscc.soft_demod("4096qam-hilbert", 100, 0.1)  # no posterior-mean index on this mapping
    with pytest.raises(ValueError, match=error_pattern("symbol_mapper", "modulation")):
        securejscc.symbol_mapper("qpsk-hilbert", 100)
