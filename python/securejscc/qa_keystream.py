"""keystream_encrypt / keystream_decrypt in flowgraphs: exact round trips for q = 256 and
q = 4093, soft decryption, a fresh nonce tag per frame on the right item, a frame without
its nonce, a wrong key, and bad parameters."""
import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc

from sj_qa_util import error_pattern, keystream_key, lwe_keys

FRAME = 100


@pytest.fixture(scope="module")
def key(tmp_path_factory):
    return keystream_key(tmp_path_factory.mktemp("ks"))


def run_bytes(key_enc, key_dec, data, frame=FRAME):
    tb = gr.top_block()
    src = blocks.vector_source_b(list(data))
    enc = securejscc.keystream_encrypt(key_enc, 256, frame)
    dec = securejscc.keystream_decrypt(key_dec, 256, frame)
    cipher, plain = blocks.vector_sink_b(), blocks.vector_sink_b()
    tb.connect(src, enc, dec, plain)
    tb.connect(enc, cipher)
    tb.run()
    return np.array(cipher.data(), np.uint8), cipher.tags(), np.array(plain.data(), np.uint8), dec


def test_bytes_round_trip_and_nonce_tags(key):
    rng = np.random.default_rng(1)
    data = rng.integers(0, 256, 5 * FRAME, dtype=np.uint8)
    cipher, tags, plain, dec = run_bytes(key, key, data)
    assert np.array_equal(plain, data)
    assert dec.frames() == 5 and dec.frames_dropped() == 0
    # The ciphertext looks nothing like the plaintext.
    assert np.mean(cipher == data) < 0.05
    nonces = [t for t in tags if pmt.symbol_to_string(t.key) == "sj_nonce"]
    assert [t.offset for t in nonces] == [0, 100, 200, 300, 400]
    values = [bytes(pmt.u8vector_elements(t.value)) for t in nonces]
    assert all(len(v) == 24 for v in values)
    assert len(set(values)) == 5  # never the same nonce twice
    # The same plaintext frame twice gives two different ciphertexts.
    same = np.tile(data[:FRAME], 2)
    c2, _, p2, _ = run_bytes(key, key, same)
    assert np.array_equal(p2, same) and not np.array_equal(c2[:FRAME], c2[FRAME:])


def test_wrong_key_does_not_decrypt(key, tmp_path):
    other = keystream_key(tmp_path, "other")
    data = np.arange(3 * FRAME, dtype=np.uint8)
    _, _, plain, _ = run_bytes(key, other, data)
    assert np.mean(plain == data) < 0.05


def test_uint16_mod_p_round_trip_and_soft(key):
    p = 4093
    rng = np.random.default_rng(2)
    z = rng.integers(0, p, 4 * FRAME).astype(np.int16)
    tb = gr.top_block()
    src = blocks.vector_source_s(z.tolist())
    enc = securejscc.keystream_encrypt(key, p, FRAME)
    dec = securejscc.keystream_decrypt(key, p, FRAME)
    soft = securejscc.keystream_decrypt(key, p, FRAME, True)
    # Soft path: ciphertext as floats plus a small real-valued noise, like a 4096-QAM
    # posterior mean.
    noise = blocks.vector_source_f(rng.normal(0, 0.3, 4 * FRAME).astype(np.float32).tolist())
    add = blocks.add_ff()
    hard_out, soft_out, cipher = blocks.vector_sink_s(), blocks.vector_sink_f(), blocks.vector_sink_s()
    tb.connect(src, enc, dec, hard_out)
    tb.connect(enc, cipher)
    tb.connect(enc, blocks.short_to_float(), (add, 0))
    tb.connect(noise, (add, 1))
    tb.connect(add, soft, soft_out)
    tb.run()
    assert np.array_equal(np.array(hard_out.data()), z)
    c = np.array(cipher.data())
    assert c.min() >= 0 and c.max() < p and np.mean(c == z) < 0.05
    y = np.array(soft_out.data())
    assert y.min() >= 0 and y.max() < p
    err = (y - z + p / 2) % p - p / 2  # circular error
    assert np.max(np.abs(err)) < 2.0 and abs(np.std(err) - 0.3) < 0.05


def test_frame_without_nonce_is_zero_filled(key):
    data = np.arange(1, 2 * FRAME + 1, dtype=np.uint8)
    tb = gr.top_block()
    src = blocks.vector_source_b(data.tolist())  # no nonce tags at all
    dec = securejscc.keystream_decrypt(key, 256, FRAME)
    snk = blocks.vector_sink_b()
    tb.connect(src, dec, snk)
    tb.run()
    assert list(snk.data()) == [0] * (2 * FRAME)
    assert dec.frames_dropped() == 2 and dec.frames() == 0


def test_bad_parameters(key, tmp_path):
    with pytest.raises(RuntimeError, match=error_pattern("keystream_encrypt", "key_file") + ".*missing"):
        securejscc.keystream_encrypt(str(tmp_path / "missing.key"), 256, FRAME)
    pub, _ = lwe_keys(tmp_path, "toy", 16)
    with pytest.raises(ValueError, match=error_pattern("keystream_decrypt", "key_file")):
        securejscc.keystream_decrypt(pub, 256, FRAME)  # an LWE public key is the wrong kind
    with pytest.raises(ValueError, match=error_pattern("keystream_encrypt", "frame_len")):
        securejscc.keystream_encrypt(key, 256, 0)
    with pytest.raises(ValueError, match=error_pattern("keystream_decrypt", "modulus")):
        securejscc.keystream_decrypt(key, 1, FRAME)
