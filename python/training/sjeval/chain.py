"""C core pieces of the secure chains as the GNU Radio blocks use them, through ctypes:
image layout conversions (layout.h), the byte modems (modem.h), the XChaCha20 keystream
cipher (keystream.h), the byte quantiser (byte_quantizer.h) and the AWGN channel
(awgn.h). No torch."""
import ctypes

import numpy as np

_vp = ctypes.c_void_p
_sz = ctypes.c_size_t


def _ptr(a):
    return a.ctypes.data_as(_vp)


def to_chw(core, img):
    """uint8 HWC image -> float32 CHW in [0, 1] (sj_hwc_u8_to_chw_f32, as the encoder and
    image_model blocks feed their networks)."""
    img = np.ascontiguousarray(img, dtype=np.uint8)
    h, w, c = img.shape
    out = np.empty((c, h, w), dtype=np.float32)
    core.check(core.lib.sj_hwc_u8_to_chw_f32(_ptr(img), _sz(h), _sz(w), _sz(c), _ptr(out)), "layout")
    return out


def to_hwc(core, chw, height, width):
    """float32 CHW -> uint8 HWC, the top-left height x width region (sj_chw_f32_to_hwc_u8:
    clamp, round, crop of a padded output, as the decoder and image_model blocks do)."""
    chw = np.ascontiguousarray(chw, dtype=np.float32)
    c, h, w = chw.shape
    out = np.empty((height, width, c), dtype=np.uint8)
    core.check(core.lib.sj_chw_f32_to_hwc_u8(_ptr(chw), _sz(c), _sz(h), _sz(w), _sz(height), _sz(width), _ptr(out)),
               "layout")
    return out


class Awgn:
    """sj_awgn: N0 = 10^(-snr/10) on unit-power symbols (the GNU Radio sim's channel)."""

    def __init__(self, core, seed):
        self.core = core
        self.h = core.handle()
        core.check(core.lib.sj_awgn_create(ctypes.c_uint64(seed), ctypes.byref(self.h)), "awgn")

    def __call__(self, sym, snr_db):
        sym = np.ascontiguousarray(sym, dtype=np.complex64).copy()
        n0 = self.core.lib.sj_awgn_noise_var(ctypes.c_float(snr_db), ctypes.c_float(1.0))
        self.core.lib.sj_awgn_apply(self.h, _ptr(sym), _ptr(sym), _sz(len(sym)), ctypes.c_float(n0))
        return sym

    def __del__(self):
        if getattr(self, "h", None) is not None and self.h.value:
            self.core.lib.sj_awgn_destroy(self.h)


class ByteModem:
    """BPSK / QPSK / 16QAM of liquid-dsp (sj_modem): bytes cut MSB first into symbols
    (sj_modem_map_bytes, the symbol_mapper block), hard decisions packed back into bytes
    (sj_modem_demap_bytes, the soft_demod block with hard=True)."""

    def __init__(self, core, name):
        if name not in ("bpsk", "qpsk", "16qam"):
            raise ValueError(f"modulation {name!r} is not one of bpsk, qpsk, 16qam")
        self.core, self.name = core, name
        mod = ctypes.c_int()
        core.check(core.lib.sj_modulation_from_name(name.encode(), ctypes.byref(mod)), name)
        self.h = core.handle()
        core.check(core.lib.sj_modem_create(mod, ctypes.byref(self.h)), name)
        self.bps = core.lib.sj_modem_bits_per_symbol(self.h)

    def map(self, data):
        data = np.ascontiguousarray(data, dtype=np.uint8)
        out = np.empty(len(data) * 8 // self.bps, dtype=np.complex64)
        self.core.check(self.core.lib.sj_modem_map_bytes(self.h, _ptr(data), _sz(len(data)), _ptr(out)), "map")
        return out

    def demap(self, sym):
        sym = np.ascontiguousarray(sym, dtype=np.complex64)
        out = np.empty(len(sym) * self.bps // 8, dtype=np.uint8)
        self.core.check(self.core.lib.sj_modem_demap_bytes(self.h, _ptr(sym), _sz(len(sym)), _ptr(out)), "demap")
        return out

    def __del__(self):
        if getattr(self, "h", None) is not None and self.h.value:
            self.core.lib.sj_modem_destroy(self.h)


KEY_BYTES = 32
NONCE_BYTES = 24


def generate_key(core):
    """A fresh random 256-bit keystream key (libsodium, sj_keystream_key_generate)."""
    key = (ctypes.c_uint8 * KEY_BYTES)()
    core.check(core.lib.sj_keystream_key_generate(key), "keystream key")
    return key


class Keystream:
    """(byte + XChaCha20 keystream) mod 256 (sj_keystream, q = 256). Each encryption takes
    the object's next nonce (never repeated) and returns it; decryption takes it."""

    def __init__(self, core, key, q=256):
        self.core = core
        self.h = core.handle()
        core.check(core.lib.sj_keystream_create(key, ctypes.c_uint(q), ctypes.byref(self.h)), "keystream")

    def encrypt(self, data):
        data = np.ascontiguousarray(data, dtype=np.uint8)
        out = np.empty_like(data)
        nonce = (ctypes.c_uint8 * NONCE_BYTES)()
        self.core.check(self.core.lib.sj_keystream_encrypt_u8(self.h, _ptr(data), _ptr(out), _sz(len(data)), nonce),
                        "keystream encrypt")
        return out, bytes(nonce)

    def decrypt(self, nonce, data):
        data = np.ascontiguousarray(data, dtype=np.uint8)
        out = np.empty_like(data)
        n = (ctypes.c_uint8 * NONCE_BYTES).from_buffer_copy(nonce)
        self.core.check(self.core.lib.sj_keystream_decrypt_u8(self.h, n, _ptr(data), _ptr(out), _sz(len(data))),
                        "keystream decrypt")
        return out

    def __del__(self):
        if getattr(self, "h", None) is not None and self.h.value:
            self.core.lib.sj_keystream_destroy(self.h)


class ByteqParams(ctypes.Structure):
    _fields_ = [("offset", ctypes.c_float), ("scale", ctypes.c_float)]


def byte_quantize(core, x):
    """float32 frame -> (bytes, params) with the per-frame affine map (sj_byteq_quantize)."""
    x = np.ascontiguousarray(x, dtype=np.float32).reshape(-1)
    out = np.empty(len(x), dtype=np.uint8)
    prm = ByteqParams()
    core.check(core.lib.sj_byteq_quantize(_ptr(x), _sz(len(x)), _ptr(out), ctypes.byref(prm)), "byte quantizer")
    return out, prm


def byte_dequantize(core, data, prm):
    data = np.ascontiguousarray(data, dtype=np.uint8)
    out = np.empty(len(data), dtype=np.float32)
    core.check(core.lib.sj_byteq_dequantize(_ptr(data), _sz(len(data)), ctypes.byref(prm), _ptr(out)),
               "byte dequantizer")
    return out
