"""quantizer / dequantizer and byte_quantizer / byte_dequantizer in flowgraphs: hard
quantisation to the centroids floor(i p / N), exact soft dequantisation at tiny noise,
the sj_noise_var tag override, per-frame byte offset/scale tags and their round trip,
frames without tags, and bad parameters."""
import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc

from sj_qa_util import error_pattern

P, LEVELS = 4093, 16
CENTROIDS = np.array([i * P // LEVELS for i in range(LEVELS)])


def tag(offset, key, value):
    t = gr.tag_t()
    t.offset, t.key, t.value = offset, pmt.intern(key), value
    return t


def test_quantizer_dequantizer_tiny_noise_exact():
    frame, frames = 64, 3
    x = np.random.default_rng(8).uniform(-300, P + 300, frame * frames).astype(np.float32)
    expect = CENTROIDS[np.argmin(np.abs(np.clip(x, 0, None)[:, None] - CENTROIDS[None, :]), axis=1)]
    tb = gr.top_block()
    q = securejscc.quantizer(LEVELS, P, frame)
    dq = securejscc.dequantizer(LEVELS, P, 1.0, frame)
    vals, soft = blocks.vector_sink_s(), blocks.vector_sink_f()
    tb.connect(blocks.vector_source_f(x.tolist()), q, vals)
    tb.connect(q, blocks.short_to_float(), dq, soft)
    tb.run()
    assert np.array_equal(np.array(vals.data()), expect)
    assert np.allclose(np.array(soft.data()), expect, atol=1e-3)


def test_dequantizer_noise_var_tag_is_per_frame():
    frame = 32
    y = np.full(2 * frame, 100.0, np.float32)  # between centroids 0 and 255
    tb = gr.top_block()
    dq = securejscc.dequantizer(LEVELS, P, 1.0, frame)
    out = blocks.vector_sink_f()
    src = blocks.vector_source_f(y.tolist(), tags=[tag(frame, "sj_noise_var", pmt.from_double(1e4))])
    tb.connect(src, dq, out)
    tb.run()
    o = np.array(out.data())
    assert np.allclose(o[:frame], 0.0, atol=1e-3)  # N0 = 1: surely centroid 0
    assert np.all(o[frame:] > 10) and np.all(o[frame:] < 245)  # N0 = 1e4: a real mixture
    dq.set_noise_var(4.0)
    assert dq.noise_var() == pytest.approx(4.0)


def test_byte_quantizer_round_trip_and_tags():
    frame, frames = 50, 3
    x = np.random.default_rng(9).normal(0, 1, frame * frames).astype(np.float32)
    x[frame:2 * frame] *= 10  # frames of different range get different scales
    tb = gr.top_block()
    bq = securejscc.byte_quantizer(frame)
    bd = securejscc.byte_dequantizer(frame)
    b, out = blocks.vector_sink_b(), blocks.vector_sink_f()
    tb.connect(blocks.vector_source_f(x.tolist()), bq, bd, out)
    tb.connect(bq, b)
    tb.run()
    tags = {(t.offset, pmt.symbol_to_string(t.key)): pmt.to_double(t.value) for t in b.tags()}
    assert sorted(tags) == sorted((f * frame, k) for f in range(frames) for k in ("sj_byteq_offset", "sj_byteq_scale"))
    y = np.array(out.data())
    for f in range(frames):
        xf = x[f * frame:(f + 1) * frame]
        lo, scale = tags[(f * frame, "sj_byteq_offset")], tags[(f * frame, "sj_byteq_scale")]
        assert lo == pytest.approx(xf.min()) and scale == pytest.approx((xf.max() - xf.min()) / 255, rel=1e-5)
        assert np.max(np.abs(y[f * frame:(f + 1) * frame] - xf)) <= scale / 2 + 1e-5
    assert bd.frames_dropped() == 0


def test_byte_dequantizer_without_tags_zero_fills():
    tb = gr.top_block()
    bd = securejscc.byte_dequantizer(10)
    out = blocks.vector_sink_f()
    tb.connect(blocks.vector_source_b([7] * 20), bd, out)
    tb.run()
    assert list(out.data()) == [0.0] * 20 and bd.frames_dropped() == 2


def test_bad_parameters():
    with pytest.raises(ValueError, match=error_pattern("quantizer", "levels")):
        securejscc.quantizer(1, P, 10)
    with pytest.raises(ValueError, match=error_pattern("quantizer", "frame_len")):
        securejscc.quantizer(LEVELS, P, 0)
    with pytest.raises(ValueError, match=error_pattern("dequantizer", "noise_var")):
        securejscc.dequantizer(LEVELS, P, -1.0, 10)
    with pytest.raises(ValueError, match=error_pattern("dequantizer", "levels")):
        securejscc.dequantizer(LEVELS, 8, 1.0, 10)  # more levels than the modulus
    with pytest.raises(ValueError, match=error_pattern("byte_quantizer", "frame_len")):
        securejscc.byte_quantizer(0)
    with pytest.raises(ValueError, match=error_pattern("byte_dequantizer", "frame_len")):
        securejscc.byte_dequantizer(0)
