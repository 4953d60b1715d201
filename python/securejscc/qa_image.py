"""image_source / image_sink in flowgraphs with cropped scikit-image pictures: files, a
folder and a glob; exact PNG round trip; frame tags; repeat; metrics messages equal to the
core's PSNR/SSIM (and to scikit-image's); a differently sized file and bad parameters."""
import ctypes
import math
import os

import numpy as np
import pmt
import pytest
from gnuradio import blocks, gr, securejscc
from PIL import Image
from skimage.metrics import structural_similarity

from sj_qa_util import error_pattern

DATA = "/usr/lib/python3/dist-packages/skimage/data"
W, H = 40, 32


def core_lib():
    return ctypes.CDLL(os.path.join(os.environ["SJ_BUILD_DIR"], "lib", "core", "libsecurejscc-core.so"))


def core_metric(name, a, b):
    fn = getattr(core_lib(), name)
    fn.restype = ctypes.c_int
    out = ctypes.c_double()
    a = np.ascontiguousarray(a, np.uint8)
    b = np.ascontiguousarray(b, np.uint8)
    st = fn(a.ctypes.data_as(ctypes.c_void_p), b.ctypes.data_as(ctypes.c_void_p), a.shape[1], a.shape[0], 3,
            ctypes.byref(out))
    assert st == 0
    return out.value


@pytest.fixture
def images(tmp_path):
    src = tmp_path / "in"
    src.mkdir()
    crops = []
    for i, name in enumerate(["astronaut.png", "coffee.png", "chelsea.png"]):
        img = np.asarray(Image.open(os.path.join(DATA, name)).convert("RGB"))[50:50 + H, 60:60 + W]
        Image.fromarray(img).save(src / f"img{i}.png")
        crops.append(img)
    return src, crops


def run(source, sink, middle=None):
    tb = gr.top_block()
    dbg = blocks.message_debug()
    if middle is None:
        tb.connect(source, sink)
    else:
        tb.connect(source, middle, sink)
    tb.msg_connect(sink, "metrics", dbg, "store")
    tb.run()
    return [pmt.to_python(dbg.get_message(i)) for i in range(dbg.num_messages())]


def test_folder_round_trip_tags_and_metrics(images, tmp_path):
    src, crops = images
    out = tmp_path / "out"
    out.mkdir()
    source = securejscc.image_source(str(src))
    assert (source.width(), source.height()) == (W, H) and len(source.files()) == 3
    sink = securejscc.image_sink(str(out), "rx_", W, H)
    tb = gr.top_block()
    tap = blocks.vector_sink_b()
    tb.connect(source, tap)
    tb.connect(source, sink)
    dbg = blocks.message_debug()
    tb.msg_connect(sink, "metrics", dbg, "store")
    tb.run()
    frame = W * H * 3
    assert np.array_equal(np.array(tap.data(), np.uint8), np.concatenate([c.ravel() for c in crops]))
    tags = {}
    for t in tap.tags():
        tags.setdefault(t.offset, {})[pmt.symbol_to_string(t.key)] = pmt.to_python(t.value)
    assert sorted(tags) == [0, frame, 2 * frame]
    for i, off in enumerate(sorted(tags)):
        assert tags[off] == {"sj_frame": i, "sj_width": W, "sj_height": H, "sj_source": str(src / f"img{i}.png")}
    for i, c in enumerate(crops):
        assert np.array_equal(np.asarray(Image.open(out / f"rx_{i}.png")), c)
    msgs = [pmt.to_python(dbg.get_message(i)) for i in range(dbg.num_messages())]
    assert [m["frame"] for m in msgs] == [0, 1, 2]
    assert all(math.isinf(m["psnr"]) and m["ssim"] == pytest.approx(1.0) for m in msgs)
    assert msgs[1]["path"] == str(out / "rx_1.png") and msgs[1]["source"] == str(src / "img1.png")
    assert sink.frames() == 3


def test_metrics_equal_the_core_on_a_distorted_image(images, tmp_path):
    src, crops = images
    # A deterministic distortion: every byte + 9 (mod 256) is a big error where it wraps.
    source = securejscc.image_source(str(src / "img*.png"))
    sink = securejscc.image_sink("", "", W, H)  # no files, metrics only
    msgs = run(source, sink, blocks.add_const_bb(9))
    assert len(msgs) == 3
    for m, c in zip(msgs, crops):
        d = (c.astype(np.int32) + 9).astype(np.uint8)
        assert m["psnr"] == pytest.approx(core_metric("sj_psnr", c, d), rel=1e-9)
        assert m["ssim"] == pytest.approx(core_metric("sj_ssim", c, d), rel=1e-9)
        ref = structural_similarity(c, d, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                    data_range=255, channel_axis=-1)
        assert m["ssim"] == pytest.approx(ref, abs=1e-4)
        assert m["path"] == ""
    assert sink.last_psnr() == pytest.approx(msgs[-1]["psnr"]) and sink.last_ssim() == pytest.approx(msgs[-1]["ssim"])


def test_single_file_repeat(images):
    src, crops = images
    tb = gr.top_block()
    source = securejscc.image_source(str(src / "img0.png"), True)
    head = blocks.head(gr.sizeof_char, 4 * W * H * 3)
    tap = blocks.vector_sink_b()
    tb.connect(source, head, tap)
    tb.run()
    assert np.array_equal(np.array(tap.data(), np.uint8), np.tile(crops[0].ravel(), 4))
    frames = sorted(pmt.to_uint64(t.value) for t in tap.tags() if pmt.symbol_to_string(t.key) == "sj_frame")
    assert frames == [0, 1, 2, 3]


def test_bad_parameters(images, tmp_path):
    src, _ = images
    big = np.asarray(Image.open(os.path.join(DATA, "astronaut.png")).convert("RGB"))[:H + 1, :W]
    Image.fromarray(big).save(src / "img9.png")
    with pytest.raises(ValueError, match=error_pattern("image_source", "path") + ".*img9.png"):
        securejscc.image_source(str(src))
    with pytest.raises(RuntimeError, match=error_pattern("image_source", "path") + ".*nothing.png"):
        securejscc.image_source(str(tmp_path / "nothing.png"))
    with pytest.raises(ValueError, match=error_pattern("image_source", "path")):
        securejscc.image_source(str(tmp_path / "*.jpeg"))
    (tmp_path / "bad.png").write_bytes(b"not a png")
    with pytest.raises(ValueError, match=error_pattern("image_source", "path") + ".*bad.png"):
        securejscc.image_source(str(tmp_path / "bad.png"))
    with pytest.raises(ValueError, match=error_pattern("image_sink", "folder")):
        securejscc.image_sink(str(tmp_path / "absent"), "x", W, H)
    with pytest.raises(ValueError, match=error_pattern("image_sink", "width")):
        securejscc.image_sink("", "x", 0, H)
