"""srec (paper 002) through the C core (evaluate.py --scheme srec / srec_nosr).

The chain of python/securejscc/hier_srec.py (srec_tx, srec_rx), stage for stage:
image -> SREC encoder (float latent, CHW flat order) -> per-frame byte quantiser (lo,
scale) -> (byte + XChaCha20 keystream) mod 256 under a fresh nonce per frame -> BPSK /
QPSK / 16QAM, bytes cut MSB first -> AWGN of N0 = 10^(-SNR/10) on unit-power symbols ->
hard decisions packed back into bytes -> (byte - keystream) mod 256 -> byte dequantiser ->
SREC decoder -> uint8 image (at 1/r resolution for a codec with downsample r) -> the
super-resolution stage (scale r), or without it the bilinear upsampler
(srec_upsample.safetensors; nothing for r = 1) -> uint8 image. sjtrain/srec_chain.py is
the same chain in PyTorch for training.

Eve knows every model weight and the nonce (it travels in the clear) and receives the same
channel output as Bob, but holds another random key: she decrypts with it, dequantises,
decodes and enhances exactly as Bob does.
"""
import ctypes
import json
import os

from .chain import Awgn, ByteModem, Keystream, byte_dequantize, byte_quantize, generate_key, to_chw, to_hwc
from .core import Network


def _metadata_json(core, network, key):
    """A JSON object from the model's metadata (its "training" or "config"), {} if none."""
    core.lib.sj_nn_model_metadata.restype = ctypes.c_char_p
    core.lib.sj_nn_model_metadata.argtypes = [ctypes.c_void_p, ctypes.c_char_p]
    raw = core.lib.sj_nn_model_metadata(network.model, key.encode())
    try:
        value = json.loads(raw.decode()) if raw else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


def model_modulation(core, network):
    """The modulation an srec model was trained for (its "training" metadata), or None."""
    return _metadata_json(core, network, "training").get("modulation")


def model_downsample(core, network):
    """The resolution divisor of an srec codec (its "config"; 1 for files without it)."""
    return int(_metadata_json(core, network, "config").get("downsample", 1))


def sr_model_path(models, modulation):
    """srec_sr_<modulation>.safetensors (a stage trained on that modem's bit errors) when
    the folder has it, else srec_sr.safetensors (as securejscc-sim picks them)."""
    per_modem = os.path.join(models, f"srec_sr_{modulation}.safetensors")
    return per_modem if os.path.isfile(per_modem) else os.path.join(models, "srec_sr.safetensors")


class SrecScheme:
    """SREC with the super-resolution stage (sr_model_path) when its file exists (sr=None),
    always (sr=True: the file must exist) or never (sr=False). modulation: bpsk, qpsk or
    16qam; None takes the one the encoder was trained for (16qam if it does not say)."""

    def __init__(self, core, models, seed, modulation=None, sr=None):
        self.core = core
        self.enc = Network(core, os.path.join(models, "srec_encoder.safetensors"))
        self.dec = Network(core, os.path.join(models, "srec_decoder.safetensors"))
        self.r = model_downsample(core, self.enc)
        self.modulation = modulation or model_modulation(core, self.enc) or "16qam"
        sr_path = sr_model_path(models, self.modulation)
        if sr is None:
            sr = os.path.isfile(sr_path)
        if sr:
            self.sr = Network(core, sr_path)
        elif self.r > 1:
            self.sr = Network(core, os.path.join(models, "srec_upsample.safetensors"))
        else:
            self.sr = None
        self.modem = ByteModem(core, self.modulation)
        self.awgn = Awgn(core, seed)
        key, wrong = generate_key(core), generate_key(core)
        self.alice = Keystream(core, key)
        self.bob = Keystream(core, key)
        self.eve = Keystream(core, wrong)
        ctypes.memset(key, 0, len(key))
        ctypes.memset(wrong, 0, len(wrong))

    def latents(self, img, snr_db):
        """The encoder's latent z and what Bob's and Eve's decoders receive (CHW floats)."""
        z = self.enc.run(to_chw(self.core, img))
        q, prm = byte_quantize(self.core, z)
        cipher, nonce = self.alice.encrypt(q)
        rx = self.modem.demap(self.awgn(self.modem.map(cipher), snr_db))
        return z, *(byte_dequantize(self.core, ks.decrypt(nonce, rx), prm).reshape(z.shape)
                    for ks in (self.bob, self.eve))

    def decode(self, latent, h, w):
        r = self.r
        img = to_hwc(self.core, self.dec.run(latent), h // r, w // r)
        if self.sr is not None:
            img = to_hwc(self.core, self.sr.run(to_chw(self.core, img)), h, w)
        return img

    def transmit(self, img, snr_db):
        """uint8 HWC image -> (Bob's image, Eve's image)."""
        h, w, _ = img.shape
        _, bob, eve = self.latents(img, snr_db)
        return self.decode(bob, h, w), self.decode(eve, h, w)


class SrecNoSrScheme(SrecScheme):
    """SREC without the super-resolution stage (evaluate.py --scheme srec_nosr): a
    half-resolution codec's image is upsampled bilinearly instead."""

    def __init__(self, core, models, seed, modulation=None):
        super().__init__(core, models, seed, modulation=modulation, sr=False)
