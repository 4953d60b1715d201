"""symbol_mapper and soft_demod in flowgraphs: bytes and 4096-QAM indices survive mapping,
a little noise and demodulation; LLR signs; unit power; tags land on the symbol of their
item; sj_noise_var tags are used and consumed; bad parameters."""
import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc

from sj_qa_util import error_pattern

BPS = {"bpsk": 1, "qpsk": 2, "16qam": 4}


def tag(offset, key, value):
    t = gr.tag_t()
    t.offset, t.key, t.value = offset, pmt.intern(key), value
    return t


def noisy(symbols, sigma2, seed):
    rng = np.random.default_rng(seed)
    w = (rng.normal(size=len(symbols)) + 1j * rng.normal(size=len(symbols))) * np.sqrt(sigma2 / 2)
    return (np.asarray(symbols) + w).astype(np.complex64)


@pytest.mark.parametrize("mod", ["bpsk", "qpsk", "16qam"])
def test_bytes_round_trip(mod):
    nbytes, frames = 24, 3
    bps = BPS[mod]
    nsym = nbytes * 8 // bps
    data = np.random.default_rng(3).integers(0, 256, nbytes * frames, dtype=np.uint8)
    tags = [tag(f * nbytes + 5, "sj_frame", pmt.from_uint64(f)) for f in range(frames)]
    tb = gr.top_block()
    src = blocks.vector_source_b(data.tolist(), tags=tags)
    mapper = securejscc.symbol_mapper(mod, nbytes)
    sym = blocks.vector_sink_c()
    tb.connect(src, mapper, sym)
    tb.run()
    s = np.array(sym.data())
    assert len(s) == nsym * frames and mapper.bits_per_symbol() == bps
    assert abs(np.mean(np.abs(s) ** 2) - 1) < 0.35  # unit average power (few random symbols)
    # A tag on byte 5 of frame f lands on the first symbol of that byte.
    got = sorted((t.offset, pmt.to_uint64(t.value)) for t in sym.tags())
    assert got == [(f * nsym + 5 * 8 // bps, f) for f in range(frames)]

    # Through a channel at high SNR: hard decisions give the bytes back, LLR signs the bits.
    y = noisy(s, 1e-3, 4)
    tb = gr.top_block()
    src = blocks.vector_source_c(y.tolist())
    hard = securejscc.soft_demod(mod, nsym, 1e-3, True)
    soft = securejscc.soft_demod(mod, nsym, 1e-3)
    hb, llr = blocks.vector_sink_b(), blocks.vector_sink_f()
    tb.connect(src, hard, hb)
    tb.connect(src, soft, llr)
    tb.run()
    assert np.array_equal(np.array(hb.data(), np.uint8), data)
    bits = np.unpackbits(data)  # MSB first, as the mapper sends them
    llrs = np.array(llr.data())
    assert len(llrs) == len(bits)
    assert np.array_equal((llrs < 0).astype(np.uint8), bits)


def test_4096qam_indices_and_noise_var_tag():
    k, frames = 256, 2
    idx = np.random.default_rng(5).integers(0, 4093, k * frames).astype(np.int16)
    tb = gr.top_block()
    mapper = securejscc.symbol_mapper("4096qam", k)
    sym = blocks.vector_sink_c()
    tb.connect(blocks.vector_source_s(idx.tolist()), mapper, sym)
    tb.run()
    s = np.array(sym.data())
    assert len(s) == k * frames and abs(np.mean(np.abs(s) ** 2) - 1) < 0.1
    # Grid spacing is sqrt(6 / 4095) = 0.038: noise std 0.0022 per axis (8.6 sigma to a
    # decision boundary) leaves every index recoverable.
    y = noisy(s, 1e-5, 6)
    # Frame 1 carries an sj_noise_var tag with a huge N0: its posterior means collapse
    # towards the middle of [0, p) (prior mean), proving the tag is read for that frame only.
    tags = [tag(k + 3, "sj_noise_var", pmt.from_double(100.0)), tag(7, "sj_frame", pmt.from_uint64(0))]
    tb = gr.top_block()
    soft = securejscc.soft_demod("4096qam", k, 1e-5)
    hard = securejscc.soft_demod("4096qam", k, 1e-5, True)
    src = blocks.vector_source_c(y.tolist(), tags=tags)
    pm, hi = blocks.vector_sink_f(), blocks.vector_sink_s()
    tb.connect(src, soft, pm)
    tb.connect(src, hard, hi)
    tb.run()
    m = np.array(pm.data())
    assert np.array_equal(np.round(m[:k]).astype(int), idx[:k])
    assert np.std(m[k:]) < 100  # flattened by N0 = 100
    assert np.array_equal(np.array(hi.data()), idx)
    keys = [pmt.symbol_to_string(t.key) for t in pm.tags()]
    assert keys == ["sj_frame"]  # sj_noise_var consumed, other tags passed on
    assert soft.noise_var() == pytest.approx(1e-5)
    soft.set_noise_var(0.5)
    assert soft.noise_var() == pytest.approx(0.5)


def test_bad_parameters():
    with pytest.raises(ValueError, match=error_pattern("symbol_mapper", "modulation")):
        securejscc.symbol_mapper("8psk", 10)
    with pytest.raises(ValueError, match=error_pattern("soft_demod", "modulation")):
        securejscc.soft_demod("qam64", 10, 0.1)
    with pytest.raises(ValueError, match=error_pattern("symbol_mapper", "frame_len")):
        securejscc.symbol_mapper("qpsk", 0)
    with pytest.raises(ValueError, match=error_pattern("soft_demod", "frame_len")):
        securejscc.soft_demod("16qam", 0, 0.1)
    with pytest.raises(ValueError, match=error_pattern("soft_demod", "frame_len")):
        securejscc.soft_demod("16qam", 3, 0.1, True)  # 12 bits are not whole bytes
    with pytest.raises(ValueError, match=error_pattern("soft_demod", "noise_var")):
        securejscc.soft_demod("bpsk", 8, 0.0)
