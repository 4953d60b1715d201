"""quantizer / dequantizer and byte_quantizer / byte_dequantizer in flowgraphs: hard
quantisation to the centroids floor(i p / N), exact soft dequantisation at tiny noise,
the sj_noise_var tag override, guard levels (the top centroids never used), per-frame
byte offset/scale tags and their round trip, frames without tags, and bad parameters."""
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


def test_guard_levels_in_flowgraph():
    """guard=2: latents above q_13 go to q_13, and noise past q_13 toward p is not read as
    the smallest value (sj_quantizer guard levels)."""
    frame = 6
    x = np.array([0.0, 3000.0, 3325.0, 3600.0, 3837.0, 4092.0], np.float32)
    tb = gr.top_block()
    q = securejscc.quantizer(LEVELS, P, frame, guard=2)
    vals = blocks.vector_sink_s()
    tb.connect(blocks.vector_source_f(x.tolist()), q, vals)
    # Bob's side: q_13 + 300 with noise var 256^2, and a guard level value itself.
    y = np.array([3325.0 + 300.0, 3837.0, 3325.0, 0.0, 1000.0, 4092.0], np.float32)
    dq_g = securejscc.dequantizer(LEVELS, P, 256.0 ** 2, frame, guard=2)
    dq_0 = securejscc.dequantizer(LEVELS, P, 256.0 ** 2, frame)  # default: all 16 levels
    out_g, out_0 = blocks.vector_sink_f(), blocks.vector_sink_f()
    src = blocks.vector_source_f(y.tolist())
    tb.connect(src, dq_g, out_g)
    tb.connect(src, dq_0, out_0)
    tb.run()
    assert list(vals.data()) == [0, 3069, 3325, 3325, 3325, 3325]
    g, o = np.array(out_g.data()), np.array(out_0.data())
    assert np.all(g <= CENTROIDS[13] + 1e-3) and np.all(g >= 0)
    assert g[0] > 2300  # pulled down by q_0 468 away, but not across the range
    assert np.allclose(g, posterior_mean(y, 256.0 ** 2, 14), atol=0.05)
    assert np.allclose(o, posterior_mean(y, 256.0 ** 2, 16), atol=0.05)


def posterior_mean(y, var, used):
    c = CENTROIDS[:used].astype(np.float64)
    d = np.abs(y.astype(np.float64)[:, None] - c) % P
    d = np.minimum(d, P - d)
    w = np.exp(-(d * d - (d * d).min(1, keepdims=True)) / (2 * var))
    return (w * c).sum(1) / w.sum(1)


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
    for bad in (15, 16, -1):
        with pytest.raises(ValueError, match=error_pattern("quantizer", "guard")):
            securejscc.quantizer(LEVELS, P, 10, guard=bad)
        with pytest.raises(ValueError, match=error_pattern("dequantizer", "guard")):
            securejscc.dequantizer(LEVELS, P, 1.0, 10, guard=bad)
    securejscc.quantizer(LEVELS, P, 10, guard=14)  # leaves 2 levels: accepted
    with pytest.raises(ValueError, match=error_pattern("byte_quantizer", "frame_len")):
        securejscc.byte_quantizer(0)
    with pytest.raises(ValueError, match=error_pattern("byte_dequantizer", "frame_len")):
        securejscc.byte_dequantizer(0)
