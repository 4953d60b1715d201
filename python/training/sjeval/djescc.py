"""djescc (paper 000, Xu et al.) through the C core (evaluate.py --scheme djescc /
djescc_encrypted).

The chain of python/securejscc/hier_djescc.py (djescc_tx, djescc_rx) and of
sjtrain/tasks.py DjesccTask.stages, in the same order: x -> encryption U-Net -> encrypted
image y (uint8, as the image_model block passes it on) -> DeepJSCC encoder (unit-power
complex symbols) -> AWGN of N0 = 10^(-SNR/10) -> DeepJSCC decoder -> decoded image y_hat
(uint8) -> decryption U-Net -> Bob's x_hat.

Eve knows the DeepJSCC encoder and decoder but not the secret U-Nets: what she gets is
y_hat, the decoded, still encrypted image, and her figures are y_hat against the plain
image x. Paper 000 also asks that the encrypted image y itself be visually protected:
--scheme djescc_encrypted reports y against x in Eve's columns (Bob's are the same).

The secret of djescc is the U-Nets' weights. eve_decrypt (evaluate.py --eve-decrypt) gives
Eve a wrong key instead: the decryption U-Net of another training run, applied to y_hat.
"""
import os

import numpy as np

from .chain import Awgn, to_chw, to_hwc
from .core import Network


class DjesccScheme:
    """transmit -> (Bob's x_hat, Eve's y_hat); stages -> (y, y_hat, x_hat)."""

    def __init__(self, core, models, seed, eve_decrypt=None):
        self.core = core
        part = lambda name: Network(core, os.path.join(models, f"djescc_{name}.safetensors"))  # noqa: E731
        self.encrypt, self.enc, self.dec, self.decrypt = (part(n) for n in ("encrypt", "encoder", "decoder", "decrypt"))
        self.eve_decrypt = Network(core, eve_decrypt) if eve_decrypt else None
        self.awgn = Awgn(core, seed)

    def stages(self, img, snr_db):
        h, w, _ = img.shape
        y = to_hwc(self.core, self.encrypt.run(to_chw(self.core, img)), h, w)
        z = self.enc.run(to_chw(self.core, y))
        sym = self.awgn(z.reshape(-1).view(np.complex64), snr_db)
        y_hat = to_hwc(self.core, self.dec.run(sym.view(np.float32).reshape(z.shape)), h, w)
        x_hat = to_hwc(self.core, self.decrypt.run(to_chw(self.core, y_hat)), h, w)
        return y, y_hat, x_hat

    def transmit(self, img, snr_db):
        """uint8 HWC image -> (Bob's image, Eve's image)."""
        _, y_hat, x_hat = self.stages(img, snr_db)
        if self.eve_decrypt is not None:
            h, w, _ = img.shape
            return x_hat, to_hwc(self.core, self.eve_decrypt.run(to_chw(self.core, y_hat)), h, w)
        return x_hat, y_hat


class DjesccEncryptedScheme(DjesccScheme):
    """As DjesccScheme with the encrypted image y (what the encryption U-Net sends into
    the DeepJSCC encoder) in Eve's place, for its PSNR against the plain image."""

    def transmit(self, img, snr_db):
        y, _, x_hat = self.stages(img, snr_db)
        return x_hat, y
