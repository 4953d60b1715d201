"""plain: DeepJSCC through the C core (evaluate.py --scheme plain)."""
import ctypes
import os

import numpy as np

from .core import Network


class PlainScheme:
    """DeepJSCC: encoder -> unit-power complex symbols -> AWGN (sj_awgn) -> decoder."""

    def __init__(self, core, models, seed):
        self.core = core
        self.enc = Network(core, os.path.join(models, "plain_encoder.safetensors"))
        self.dec = Network(core, os.path.join(models, "plain_decoder.safetensors"))
        self.awgn = core.handle()
        core.check(core.lib.sj_awgn_create(ctypes.c_uint64(seed), ctypes.byref(self.awgn)), "awgn")

    def transmit(self, img, snr_db):
        """uint8 HWC image -> (Bob's image, Eve's image)."""
        x = img.transpose(2, 0, 1).astype(np.float32) / 255.0
        z = self.enc.run(x)
        sym = np.ascontiguousarray(z.reshape(-1).view(np.complex64))
        n0 = self.core.lib.sj_awgn_noise_var(ctypes.c_float(snr_db), ctypes.c_float(1.0))
        ptr = sym.ctypes.data_as(ctypes.c_void_p)
        self.core.lib.sj_awgn_apply(self.awgn, ptr, ptr, ctypes.c_size_t(len(sym)), ctypes.c_float(n0))
        y = self.dec.run(sym.view(np.float32).reshape(z.shape))
        out = np.ascontiguousarray(np.clip(np.round(y * 255.0), 0, 255).astype(np.uint8).transpose(1, 2, 0))
        return out, out  # no secret anywhere: Eve decodes exactly as Bob does
