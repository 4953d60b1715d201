"""The C core's metrics and PNG reader against the reference implementations.

- sj_psnr / sj_ssim against scikit-image's peak_signal_noise_ratio and
  structural_similarity(gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
  data_range=255, channel_axis=-1), on natural images shipped with Debian's python3-skimage
  and a noisy, a JPEG-compressed and a blurred version of each, at several sizes.
- sj_msssim against a direct numpy implementation of the definition in metrics.h.
- sj_image_read_png against PIL on the PNGs shipped with scikit-image (RGB, gray, 1-bit,
  palette with and without tRNS, RGBA), and sj_image_write_png read back by PIL.

ctest runs this with SJ_CORE_LIB = path of libsecurejscc-core.so.
"""
import ctypes
import io
import os
import tempfile
import warnings

import numpy as np
import pytest
from PIL import Image
from scipy import ndimage
from skimage.metrics import peak_signal_noise_ratio, structural_similarity

DATA = "/usr/lib/python3/dist-packages/skimage/data"
TOL = 1e-3


class SjImage(ctypes.Structure):
    _fields_ = [("width", ctypes.c_int), ("height", ctypes.c_int), ("channels", ctypes.c_int),
                ("data", ctypes.POINTER(ctypes.c_uint8))]


def _sanitized(path):
    with open(path, "rb") as f:
        return b"libasan.so" in f.read()


@pytest.fixture(scope="module")
def lib():
    path = os.environ.get("SJ_CORE_LIB")
    if not path or not os.path.exists(path):
        pytest.skip("SJ_CORE_LIB is not set to the built libsecurejscc-core.so")
    if _sanitized(path):
        # An AddressSanitizer library cannot be loaded into an uninstrumented Python; the
        # C tests cover the sanitizer build.
        pytest.skip("libsecurejscc-core is built with AddressSanitizer (SJ_SANITIZE=ON)")
    lib = ctypes.CDLL(path)
    for name in ("sj_psnr", "sj_ssim", "sj_msssim"):
        f = getattr(lib, name)
        f.argtypes = [ctypes.c_void_p, ctypes.c_void_p, ctypes.c_int, ctypes.c_int, ctypes.c_int,
                      ctypes.POINTER(ctypes.c_double)]
        f.restype = ctypes.c_int
    lib.sj_image_read_png.argtypes = [ctypes.c_char_p, ctypes.POINTER(ctypes.POINTER(SjImage))]
    lib.sj_image_read_png.restype = ctypes.c_int
    lib.sj_image_write_png.argtypes = [ctypes.c_char_p, ctypes.POINTER(SjImage)]
    lib.sj_image_write_png.restype = ctypes.c_int
    lib.sj_image_destroy.argtypes = [ctypes.POINTER(SjImage)]
    lib.sj_image_destroy.restype = None
    lib.sj_last_error.argtypes = []
    lib.sj_last_error.restype = ctypes.c_char_p
    return lib


def c_metric(lib, name, a, b):
    a = np.ascontiguousarray(a, dtype=np.uint8)
    b = np.ascontiguousarray(b, dtype=np.uint8)
    assert a.shape == b.shape
    h, w = a.shape[:2]
    c = 1 if a.ndim == 2 else a.shape[2]
    out = ctypes.c_double()
    rc = getattr(lib, name)(a.ctypes.data, b.ctypes.data, w, h, c, ctypes.byref(out))
    assert rc == 0, f"{name} failed: {lib.sj_last_error().decode()}"
    return out.value


def load(name):
    return np.asarray(Image.open(os.path.join(DATA, name)))


def noisy(img, seed):
    rng = np.random.default_rng(seed)
    return np.clip(np.rint(img + rng.normal(0.0, 15.0, img.shape)), 0, 255).astype(np.uint8)


def jpeg(img, quality=20):
    buf = io.BytesIO()
    Image.fromarray(img).save(buf, format="JPEG", quality=quality)
    return np.asarray(Image.open(io.BytesIO(buf.getvalue())).convert(Image.fromarray(img).mode))


def blurred(img):
    sigma = (2.0, 2.0, 0.0) if img.ndim == 3 else 2.0
    return np.clip(np.rint(ndimage.gaussian_filter(img.astype(np.float64), sigma)), 0, 255).astype(np.uint8)


IMAGES = ["astronaut.png", "chelsea.png", "coffee.png", "camera.png"]
# (rows, cols) crops: full image, non-square odd, the minimum 11x11, a thin strip.
CROPS = [None, (101, 77), (11, 11), (13, 250), (200, 333)]
DEGRADE = {"noise": lambda im: noisy(im, 1234), "jpeg": jpeg, "blur": blurred}


def crop(img, size, offset=(17, 29)):
    if size is None:
        return img
    y, x = offset
    return img[y:y + size[0], x:x + size[1]]


def skimage_ssim(a, b):
    return structural_similarity(a, b, gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
                                 data_range=255, channel_axis=-1 if a.ndim == 3 else None)


MAX_DIFF = {"ssim": 0.0, "psnr": 0.0, "msssim": 0.0}


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("kind", sorted(DEGRADE))
def test_ssim_psnr_match_skimage(lib, name, kind):
    full = load(name)
    degraded_full = DEGRADE[kind](full)
    for size in CROPS:
        a = np.ascontiguousarray(crop(full, size))
        b = np.ascontiguousarray(crop(degraded_full, size))
        ref_s = skimage_ssim(a, b)
        got_s = c_metric(lib, "sj_ssim", a, b)
        MAX_DIFF["ssim"] = max(MAX_DIFF["ssim"], abs(got_s - ref_s))
        assert abs(got_s - ref_s) < TOL, (name, kind, a.shape, got_s, ref_s)
        ref_p = peak_signal_noise_ratio(a, b, data_range=255)
        got_p = c_metric(lib, "sj_psnr", a, b)
        MAX_DIFF["psnr"] = max(MAX_DIFF["psnr"], abs(got_p - ref_p))
        assert abs(got_p - ref_p) < TOL, (name, kind, a.shape, got_p, ref_p)
        # Symmetry of the C SSIM, and that the degradation is actually visible.
        assert abs(c_metric(lib, "sj_ssim", b, a) - got_s) < 1e-12
        assert got_s < 0.999


def test_identical_and_extreme(lib):
    a = load("coffee.png")
    assert c_metric(lib, "sj_ssim", a, a) == pytest.approx(1.0, abs=1e-12)
    assert c_metric(lib, "sj_msssim", a, a) == pytest.approx(1.0, abs=1e-12)
    assert np.isinf(c_metric(lib, "sj_psnr", a, a))
    inv = 255 - a
    assert abs(c_metric(lib, "sj_ssim", a, inv) - skimage_ssim(a, inv)) < TOL


def test_too_small_refused(lib):
    a = np.zeros((10, 40, 3), np.uint8)
    out = ctypes.c_double()
    assert lib.sj_ssim(a.ctypes.data, a.ctypes.data, 40, 10, 3, ctypes.byref(out)) == -1
    with pytest.raises(ValueError):  # skimage agrees that 10 rows are too few
        skimage_ssim(a, a)


# ---- MS-SSIM against a direct numpy implementation of metrics.h's definition ----

def _gauss_window():
    x = np.arange(-5, 6, dtype=np.float64)
    g = np.exp(-x ** 2 / (2 * 1.5 ** 2))
    g /= g.sum()
    return np.outer(g, g)


def _valid_filter(img, win):
    # 2D correlation over every position where the 11x11 window fits.
    view = np.lib.stride_tricks.sliding_window_view(img, win.shape)
    return np.einsum("ijkl,kl->ij", view, win)


def _ssim_cs(x, y):
    win = _gauss_window()
    c1, c2 = (0.01 * 255) ** 2, (0.03 * 255) ** 2
    mx, my = _valid_filter(x, win), _valid_filter(y, win)
    vx = _valid_filter(x * x, win) - mx * mx
    vy = _valid_filter(y * y, win) - my * my
    vxy = _valid_filter(x * y, win) - mx * my
    cs = (2 * vxy + c2) / (vx + vy + c2)
    lum = (2 * mx * my + c1) / (mx ** 2 + my ** 2 + c1)
    return (lum * cs).mean(), cs.mean()


def _pool(x):
    h, w = x.shape[0] // 2 * 2, x.shape[1] // 2 * 2
    x = x[:h, :w]
    return 0.25 * (x[0::2, 0::2] + x[1::2, 0::2] + x[0::2, 1::2] + x[1::2, 1::2])


def msssim_reference(a, b):
    weights = [0.0448, 0.2856, 0.3001, 0.2363, 0.1333]
    a = a.astype(np.float64)
    b = b.astype(np.float64)
    if a.ndim == 2:
        a, b = a[..., None], b[..., None]
    vals = []
    for c in range(a.shape[2]):
        x, y = a[..., c], b[..., c]
        prod = 1.0
        for j, wt in enumerate(weights):
            s, cs = _ssim_cs(x, y)
            term = s if j == len(weights) - 1 else cs
            prod *= max(term, 0.0) ** wt
            x, y = _pool(x), _pool(y)
        vals.append(prod)
    return float(np.mean(vals))


@pytest.mark.parametrize("name", IMAGES)
@pytest.mark.parametrize("kind", sorted(DEGRADE))
def test_msssim_matches_definition(lib, name, kind):
    full = load(name)
    degraded_full = DEGRADE[kind](full)
    for size in (None, (177, 251), (176, 176)):
        a = np.ascontiguousarray(crop(full, size, (3, 5)))
        b = np.ascontiguousarray(crop(degraded_full, size, (3, 5)))
        ref = msssim_reference(a, b)
        got = c_metric(lib, "sj_msssim", a, b)
        MAX_DIFF["msssim"] = max(MAX_DIFF["msssim"], abs(got - ref))
        assert abs(got - ref) < TOL, (name, kind, a.shape, got, ref)
        assert 0.0 < got < 1.0


def test_msssim_at_scale_one_equals_ssim_structure(lib):
    # The reference's first-scale SSIM equals skimage's: ties the two references together.
    a = load("chelsea.png")[..., 0]
    b = noisy(a, 5)
    s, _ = _ssim_cs(a.astype(np.float64), b.astype(np.float64))
    assert abs(s - skimage_ssim(a, b)) < 1e-9


# ---- PNG reading and writing against PIL ----

def c_read_png(lib, path):
    ptr = ctypes.POINTER(SjImage)()
    rc = lib.sj_image_read_png(path.encode(), ctypes.byref(ptr))
    assert rc == 0, f"read {path}: {lib.sj_last_error().decode()}"
    img = ptr.contents
    assert img.channels == 3
    arr = np.ctypeslib.as_array(img.data, shape=(img.height, img.width, 3)).copy()
    lib.sj_image_destroy(ptr)
    return arr


PNGS = ["astronaut.png", "chelsea.png", "camera.png", "checker_bilevel.png", "foo3x5x4indexed.png",
        "green_palette.png", "palette_color.png", "palette_gray.png", "horse.png", "logo.png", "coins.png"]


@pytest.mark.parametrize("name", PNGS)
def test_png_reader_matches_pil(lib, name):
    path = os.path.join(DATA, name)
    with Image.open(path) as im, warnings.catch_warnings():
        # PIL's convert('RGB') applies the documented rule: gray replicated, palette
        # expanded, alpha dropped without blending. (It warns that a palette with tRNS
        # could become RGBA; dropping the alpha is what is wanted here.)
        warnings.simplefilter("ignore", UserWarning)
        ref = np.asarray(im.convert("RGB"))
    got = c_read_png(lib, path)
    assert got.shape == ref.shape
    assert np.array_equal(got, ref), f"{name}: {np.count_nonzero(got != ref)} values differ"


def test_png_writer_read_by_pil(lib):
    ref = np.ascontiguousarray(load("coffee.png")[:123, :77])
    img = SjImage(ref.shape[1], ref.shape[0], 3, ref.ctypes.data_as(ctypes.POINTER(ctypes.c_uint8)))
    with tempfile.TemporaryDirectory(dir=os.environ.get("SJ_TEST_TMP")) as d:
        path = os.path.join(d, "out.png")
        assert lib.sj_image_write_png(path.encode(), ctypes.byref(img)) == 0, lib.sj_last_error()
        with Image.open(path) as im:
            assert im.mode == "RGB"
            back = np.asarray(im)
        assert np.array_equal(back, ref)
        assert np.array_equal(c_read_png(lib, path), ref)


def test_report_max_differences():
    # Runs last (file order): prints the largest differences seen, for the record.
    print(f"\nmax |C - reference|: ssim {MAX_DIFF['ssim']:.3g}, psnr {MAX_DIFF['psnr']:.3g}, "
          f"msssim {MAX_DIFF['msssim']:.3g}")
