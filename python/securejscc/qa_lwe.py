"""lwe_encrypt / lwe_decrypt in a flowgraph: the decryption error has the standard
deviation the theory gives (within 10 %), d rides on each frame's first item with
ceil(k / l) * n2 values and differs per frame, frames without d are zero-filled, and bad
key files or k fail at construction naming block and parameter."""
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
