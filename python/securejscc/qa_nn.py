"""The neural-network blocks jscc_encoder, jscc_decoder and image_model: a trained DeepJSCC
model (tests/nn/data/trained, rho = 1/6) round trip on a natural 32x32 crop, bit-for-bit
agreement with the core runtime called through ctypes, unit symbol power, frame-wise tag
moving over several frames, bad parameters naming block and parameter, and a flowgraph
image_source -> encoder -> AWGN at 20 dB -> decoder -> image_sink with its PSNR message."""
import json
import os
import struct
import sys
import time

# One OpenBLAS thread: read when the core library loads (below, with gnuradio.securejscc);
# the test machine is shared and a flowgraph runs its networks in parallel anyway.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc

from sj_qa_util import error_pattern

SRC = os.environ.get("SJ_SOURCE_DIR", "")
DATA = os.path.join(SRC, "tests", "nn", "data")
ENC = os.path.join(DATA, "trained", "plain_epoch23_encoder.safetensors")
DEC = os.path.join(DATA, "trained", "plain_epoch23_decoder.safetensors")
ASTRONAUT = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
W = H = 32
# Measured (3 crops, the build machine's OpenBLAS): 27.7 / 30.3 / 31.0 dB without a channel
# and 27.6 / 30.1 / 30.8 dB at 20 dB SNR; the floors sit about 3 dB under the worst crop.
PSNR_FLOOR_CLEAN = 25.0
PSNR_FLOOR_20DB = 24.5

sys.path.insert(0, os.path.join(SRC, "tests", "nn"))
import sjnn  # noqa: E402  (ctypes access to the core runtime, shared with the parity tests)


def core():
    return sjnn.core_lib(os.path.join(os.environ.get("SJ_BUILD_DIR", ""), "lib", "core", "libsecurejscc-core.so"))


def crop(y, x, h=H, w=W):
    from PIL import Image
    img = np.asarray(Image.open(ASTRONAUT).convert("RGB"), dtype=np.uint8)
    return np.ascontiguousarray(img[y:y + h, x:x + w])


CROPS = [(100, 180), (300, 200), (40, 400)]  # face, suit, background detail


def psnr(a, b):
    mse = np.mean((a.astype(np.float64) - b.astype(np.float64)) ** 2)
    return 10 * np.log10(255.0 ** 2 / mse)


def to_chw(hwc):
    return np.ascontiguousarray(hwc.transpose(2, 0, 1)).astype(np.float32) / np.float32(255)


def to_bytes(chw):
    """The rounding of sj_chw_f32_to_hwc_u8, in float32 like the C code."""
    x = chw.transpose(1, 2, 0).astype(np.float32)
    x = np.where(np.isnan(x), 0, x)
    return np.floor(np.clip(x, 0, 1) * np.float32(255) + np.float32(0.5)).astype(np.uint8)


def tag(offset, key, value):
    t = gr.tag_t()
    t.offset, t.key, t.value = offset, pmt.intern(key), value
    return t


def run_chain(frames, tags=()):
    """encoder -> decoder with no channel over the given HWC frames; returns both blocks,
    the latent symbols, their tags, the decoded bytes and their tags."""
    tb = gr.top_block()
    src = blocks.vector_source_b(np.concatenate([f.ravel() for f in frames]).tolist(), tags=list(tags))
    enc = securejscc.jscc_encoder(ENC, W, H)
    dec = securejscc.jscc_decoder(DEC, W, H)
    lat, img = blocks.vector_sink_c(), blocks.vector_sink_b()
    tb.connect(src, enc, dec, img)
    tb.connect(enc, lat)
    tb.run()
    return enc, dec, np.array(lat.data(), np.complex64), lat.tags(), np.array(img.data(), np.uint8), img.tags()


def test_sizes_follow_the_model():
    enc = securejscc.jscc_encoder(ENC, W, H)
    dec = securejscc.jscc_decoder(DEC, W, H)
    assert enc.complex_output() and dec.complex_input()
    assert list(enc.latent_shape()) == [16, 8, 8] == list(dec.latent_shape())
    assert enc.input_frame() == W * H * 3 == dec.output_frame()
    assert enc.output_frame() == 16 * 8 * 8 // 2 == dec.input_frame()  # rho = 512 / 3072 = 1/6


def test_round_trip_psnr_without_channel():
    frames = [crop(*c) for c in CROPS]
    _, _, _, _, out, _ = run_chain(frames)
    assert out.size == len(frames) * W * H * 3
    for f, img in enumerate(frames):
        p = psnr(img, out[f * W * H * 3:(f + 1) * W * H * 3].reshape(H, W, 3))
        print(f"crop {CROPS[f]}: PSNR {p:.2f} dB")
        assert p > PSNR_FLOOR_CLEAN


def test_blocks_equal_core_runtime():
    img = crop(*CROPS[0])
    _, _, lat, _, out, _ = run_chain([img])
    lib = core()
    latent = sjnn.Model(lib, ENC).run(to_chw(img))
    # Symbol i is (latent[2i], latent[2i+1]) in CHW flat order.
    flat = latent.ravel()
    assert np.allclose(lat.real, flat[0::2], atol=1e-5, rtol=0) and np.allclose(lat.imag, flat[1::2], atol=1e-5, rtol=0)
    # The decoder on the block's own symbols (the same floats the block decoder read).
    sym = np.stack([lat.real, lat.imag], axis=1).astype(np.float32).reshape(16, 8, 8)
    expect = to_bytes(sjnn.Model(lib, DEC).run(sym))
    assert np.array_equal(out.reshape(H, W, 3), expect)


def test_complex_output_unit_power_per_frame():
    frames = [crop(*c) for c in CROPS]
    _, _, lat, _, _, _ = run_chain(frames)
    k = 512
    assert lat.size == len(frames) * k
    for f in range(len(frames)):
        assert np.mean(np.abs(lat[f * k:(f + 1) * k]) ** 2) == pytest.approx(1.0, abs=1e-4)


def test_tags_move_to_first_item_of_each_frame():
    frames = [crop(*c) for c in CROPS]
    n_in, k = W * H * 3, 512
    tags = []
    for f in range(3):
        tags.append(tag(f * n_in, "sj_frame", pmt.from_uint64(f)))
        tags.append(tag(f * n_in + 100, "mid", pmt.from_long(f)))  # anywhere in the frame
    enc, dec, lat, lat_tags, out, out_tags = run_chain(frames, tags)
    got = sorted((t.offset, pmt.symbol_to_string(t.key), pmt.to_python(t.value)) for t in lat_tags)
    assert got == sorted([(f * k, "sj_frame", f) for f in range(3)] + [(f * k, "mid", f) for f in range(3)])
    got = sorted((t.offset, pmt.symbol_to_string(t.key), pmt.to_python(t.value)) for t in out_tags)
    assert got == sorted([(f * n_in, "sj_frame", f) for f in range(3)] + [(f * n_in, "mid", f) for f in range(3)])
    # Each frame is coded on its own: the same as a one-frame run.
    _, _, lat1, _, _, _ = run_chain([frames[2]])
    assert np.array_equal(lat[2 * k:], lat1)


def test_decoder_drops_noise_var_and_takes_float_latent():
    img = crop(*CROPS[1])
    _, _, lat, _, out_c, _ = run_chain([img])
    floats = np.stack([lat.real, lat.imag], axis=1).ravel().astype(np.float32)
    tb = gr.top_block()
    src = blocks.vector_source_f(floats.tolist(), tags=[tag(0, "sj_noise_var", pmt.from_double(0.1)),
                                                        tag(5, "sj_frame", pmt.from_uint64(7))])
    dec = securejscc.jscc_decoder(DEC, W, H, "float")
    snk = blocks.vector_sink_b()
    tb.connect(src, dec, snk)
    tb.run()
    assert not dec.complex_input() and dec.input_frame() == 1024
    assert np.array_equal(np.array(snk.data(), np.uint8), out_c)
    assert [(t.offset, pmt.symbol_to_string(t.key)) for t in snk.tags()] == [(0, "sj_frame")]


def test_padded_size_is_cropped_back():
    # 30x30 is padded to 32x32 by the encoder (pad_reflect, multiple 4): an 8x8 latent,
    # which the decoder decodes to 32x32 and crops to 30x30.
    enc = securejscc.jscc_encoder(ENC, 30, 30)
    dec = securejscc.jscc_decoder(DEC, 30, 30)
    assert list(enc.latent_shape()) == [16, 8, 8] == list(dec.latent_shape())
    img = crop(100, 180, 30, 30)
    tb = gr.top_block()
    snk = blocks.vector_sink_b()
    tb.connect(blocks.vector_source_b(img.ravel().tolist()), enc, dec, snk)
    tb.run()
    out = np.array(snk.data(), np.uint8)
    assert out.size == 30 * 30 * 3 and psnr(img, out.reshape(30, 30, 3)) > PSNR_FLOOR_CLEAN - 2


def refusing_copy(src, dst):
    """A copy of a model file whose size_policy is refuse (the header rewritten)."""
    raw = open(src, "rb").read()
    n = struct.unpack("<Q", raw[:8])[0]
    header = json.loads(raw[8:8 + n])
    header["__metadata__"]["size_policy"] = "refuse"
    text = json.dumps(header).encode()
    text += b" " * (-len(text) % 8)
    open(dst, "wb").write(struct.pack("<Q", len(text)) + text + raw[8 + n:])
    return str(dst)


def test_bad_parameters(tmp_path):
    errors = (ValueError, RuntimeError)
    with pytest.raises(errors, match=error_pattern("jscc_encoder", "model_file")):
        securejscc.jscc_encoder(str(tmp_path / "missing.safetensors"), W, H)
    with pytest.raises(errors, match=error_pattern("jscc_decoder", "model_file")):
        securejscc.jscc_decoder(str(tmp_path / "missing.safetensors"), W, H)
    with pytest.raises(errors, match=error_pattern("image_model", "model_file")):
        securejscc.image_model(str(tmp_path / "missing.safetensors"), W, H)
    refuse = refusing_copy(ENC, tmp_path / "refuse.safetensors")
    securejscc.jscc_encoder(refuse, 32, 32)  # a multiple of 4 is fine
    with pytest.raises(ValueError, match=error_pattern("jscc_encoder", "width") + ".*multiple"):
        securejscc.jscc_encoder(refuse, 30, 32)
    with pytest.raises(ValueError, match=error_pattern("jscc_encoder", "height") + ".*multiple"):
        securejscc.jscc_encoder(refuse, 32, 30)
    with pytest.raises(ValueError, match=error_pattern("jscc_encoder", "model_file") + ".*16 input channels"):
        securejscc.jscc_encoder(DEC, W, H)  # a decoder given to the encoder
    with pytest.raises(ValueError, match=error_pattern("jscc_decoder", "model_file") + ".*16 output channels"):
        securejscc.jscc_decoder(ENC, W, H)  # an encoder given to the decoder
    with pytest.raises(ValueError, match=error_pattern("jscc_decoder", "latent_type")):
        securejscc.jscc_decoder(DEC, W, H, "bytes")
    with pytest.raises(ValueError, match=error_pattern("jscc_encoder", "width")):
        securejscc.jscc_encoder(ENC, 0, H)
    with pytest.raises(ValueError, match=error_pattern("jscc_decoder", "height")):
        securejscc.jscc_decoder(DEC, W, -1)
    with pytest.raises(ValueError, match=error_pattern("image_model", "model_file") + ".*input's size"):
        securejscc.image_model(os.path.join(DATA, "deepjscc_enc.safetensors"), W, H)
    with pytest.raises(ValueError, match=error_pattern("image_model", "model_file") + ".*input channels"):
        securejscc.image_model(DEC, W, H)


@pytest.mark.parametrize("precision", ["fp32", "bf16"])
@pytest.mark.parametrize("name,scale", [("unet", 1), ("srec_sr", 1), ("srec_sr_x2", 2)])
def test_image_model_equals_core_and_keeps_tags(name, scale, precision):
    """Same-size networks and a scale-2 one (srec_sr_x2: 32x32 -> 64x64, output frames four
    times the input frames): each frame equals the core's run planned in the block's
    precision, and each frame's tag lands on its output frame's first byte."""
    path = os.path.join(DATA, name + ".safetensors")
    frames = [crop(*c) for c in CROPS[:2]]
    n = W * H * 3
    m = n * scale * scale
    tb = gr.top_block()
    src = blocks.vector_source_b(np.concatenate([f.ravel() for f in frames]).tolist(),
                                 tags=[tag(f * n, "sj_frame", pmt.from_uint64(f)) for f in range(2)])
    blk = securejscc.image_model(path, W, H, precision)
    snk = blocks.vector_sink_b()
    tb.connect(src, blk, snk)
    tb.run()
    assert (blk.scale(), blk.frame_len(), blk.output_frame_len()) == (scale, n, m)
    out = np.array(snk.data(), np.uint8)
    assert len(out) == 2 * m
    model = sjnn.Model(core(), path, precision=precision)
    for f, img in enumerate(frames):
        assert np.array_equal(out[f * m:(f + 1) * m].reshape(H * scale, W * scale, 3),
                              to_bytes(model.run(to_chw(img))))
    assert sorted((t.offset, pmt.to_uint64(t.value)) for t in snk.tags()) == [(0, 0), (m, 1)]
    assert blk.precision() == model.planned


def test_precision_default_and_bad_value():
    """The blocks plan bf16 by default, which the core grants only on CPUs with AVX-512
    BF16 (fp32 elsewhere); the block reports what its plan got. bf16 and fp32 outputs of a
    U-Net with Winograd layers differ (where bf16 runs) but stay within a few grey levels.
    An unknown precision names the block and the parameter."""
    path = os.path.join(DATA, "unet.safetensors")
    model = sjnn.Model(core(), path, precision="bf16")
    img = to_chw(crop(*CROPS[0]))
    y16 = model.run(img)
    for blk in (securejscc.image_model(path, W, H), securejscc.jscc_encoder(ENC, W, H),
                securejscc.jscc_decoder(DEC, W, H)):
        assert blk.precision() in ("bf16", "fp32")
    assert securejscc.image_model(path, W, H).precision() == model.planned
    assert securejscc.image_model(path, W, H, "fp32").precision() == "fp32"
    y32 = sjnn.Model(core(), path).run(img)
    diff = np.abs(y16 - y32).max()
    if model.planned == "bf16":
        assert 0 < diff < 0.05, diff
    else:
        assert diff == 0
    for make in (lambda: securejscc.image_model(path, W, H, "fp64"),
                 lambda: securejscc.jscc_encoder(ENC, W, H, "half"),
                 lambda: securejscc.jscc_decoder(DEC, W, H, "complex", "")):
        with pytest.raises(ValueError, match=r"(image_model|jscc_encoder|jscc_decoder).*precision"):
            make()


def test_flowgraph_awgn_20db_psnr(tmp_path):
    from PIL import Image
    for i, c in enumerate(CROPS):
        Image.fromarray(crop(*c)).save(tmp_path / f"img{i}.png")
    snr_db = 20.0
    n0 = 10 ** (-snr_db / 10)
    tb = gr.top_block()
    src = securejscc.image_source(str(tmp_path), False)
    enc = securejscc.jscc_encoder(ENC, W, H)
    # Complex Gaussian noise of variance n0 per symbol (n0 / 2 per component) on unit-power
    # symbols: SNR = 1 / n0. Drawn here, one value per symbol, so the run ends with the data.
    k = enc.output_frame() * len(CROPS)
    rng = np.random.default_rng(5)
    w = (rng.normal(0, np.sqrt(n0 / 2), k) + 1j * rng.normal(0, np.sqrt(n0 / 2), k)).astype(np.complex64)
    add = blocks.add_cc()
    dec = securejscc.jscc_decoder(DEC, W, H)
    sink = securejscc.image_sink("", "", W, H)
    dbg = blocks.message_debug()
    tb.connect(src, enc, (add, 0))
    tb.connect(blocks.vector_source_c(w.tolist()), (add, 1))
    tb.connect(add, dec, sink)
    tb.msg_connect(sink, "metrics", dbg, "store")
    tb.run()
    assert sink.frames() == len(CROPS)
    for _ in range(100):  # messages are delivered asynchronously
        if dbg.num_messages() == len(CROPS):
            break
        time.sleep(0.05)
    assert dbg.num_messages() == len(CROPS)
    for i in range(len(CROPS)):
        m = pmt.to_python(dbg.get_message(i))
        print(f"frame {m['frame']}: PSNR {m['psnr']:.2f} dB at {snr_db} dB SNR")
        assert m["psnr"] > PSNR_FLOOR_20DB
