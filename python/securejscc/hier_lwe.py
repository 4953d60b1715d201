"""lwe scheme (DeepJSCEC, Tung and Gunduz, with fresh LWE randomness per block): lwe_tx
and lwe_rx.

Alice: image -> DeepJSCEC encoder (float latent u in (0, 1)) -> z = u * q_top ->
16-level quantiser into Z_p -> LWE encryption with the public key (d rides on the
sj_lwe_d tag) -> 4096-QAM. Bob: posterior-mean soft demodulation -> LWE decryption with
the secret key -> soft dequantiser -> / q_top -> DeepJSCEC decoder. Eve (no secret key)
dequantises the ciphertext itself: the best she can do without S.

Models trained through the joint receiver (training metadata receiver "joint", mapping
"hilbert"; model_receiver) are sent on 4096qam-hilbert, and Bob replaces demodulation,
decryption and dequantisation by lwe_joint_decrypt, his posterior over the quantiser
levels given each symbol and his offset S^T d (docs/lwe.md, the joint receiver). Models
trained with receiver "joint_spread" take the posterior's standard deviation too: the block
then gives 2k floats a frame, the means and the spreads, and the decoder reads both.

The quantiser is the one the networks were trained with, read from the model file's
"training" metadata (model_quantizer): levels N, guard levels G (the top G centroids are
never sent, include/securejscc/quantizer.h) and q_top = q_{N-1-G}. A model without these
keys gets N = 16, G = 0, q_top = q_{N-1}, as before guard levels existed.

Every TX and RX here takes precision="bf16" (the default: the networks' Winograd layers
multiply in bfloat16 where the CPU has AVX-512 BF16, float32 elsewhere) or "fp32" (float32
throughout); see jscc_encoder and docs/model-format.md#precision.
"""
import math

from gnuradio import blocks, gr

from . import securejscc_python as _sj
from .model_info import training_metadata

LEVELS = 16
# n and the exact discrete-Gaussian variance v of each preset (docs/lwe.md, Parameters).
LWE_PRESETS = {"toy": (136, 2003, 26.939), "low": (192, 4093, 12.522),
               "medium": (256, 4093, 11.097), "high": (320, 4093, 10.186)}
# Spacing of the 64 x 64 4096-QAM grid at unit average power: 3 / (M - 1) per axis squared
# sums to 6 / 4095 (qa_modem.py).
QAM4096_STEP = math.sqrt(6.0 / 4095.0)


def top_centroid(modulus, levels=LEVELS, guard=0):
    """q_{N-1-G} = floor((N - 1 - G) p / N): the largest centroid in use (3837 for p = 4093
    without guard levels, 3325 with G = 2), onto which the encoder's u = 1 is mapped so the
    codebook never wraps mod p."""
    return (levels - 1 - guard) * modulus // levels


def _failer(block, param, path):
    """Raises errors that name the hier block and parameter, like the blocks' own
    constructor errors."""
    def fail(detail):
        raise ValueError(f"securejscc.{block}: {param}: {path}: {detail}")
    return fail


def _training(path, fail):
    try:
        return training_metadata(path)
    except (OSError, ValueError) as e:
        fail(f"cannot read the model header ({e})")


def model_quantizer(path, modulus, block="lwe_tx", param="encoder_model"):
    """(levels, guard, latent_to_zp_scale) from the "training" metadata of a model file
    (docs/model-format.md: a safetensors header whose __metadata__ values are strings, the
    structured ones JSON text), or (16, 0, q_{N-1}) for a model without them. Errors name
    the hier block and parameter, like the blocks' own constructor errors."""
    fail = _failer(block, param, path)
    training = _training(path, fail)
    try:
        levels = int(training.get("quantizer_levels", LEVELS))
        guard = int(training.get("guard_levels", 0))
    except (TypeError, ValueError):
        fail("quantizer_levels / guard_levels in the training metadata are not integers")
    if not 2 <= levels <= modulus or not 0 <= guard <= levels - 2:
        fail(f"training metadata has {levels} quantizer levels with {guard} guard levels; "
             f"need 2 <= levels <= p = {modulus} and 0 <= guard <= levels - 2")
    top = top_centroid(modulus, levels, guard)
    scale = training.get("latent_to_zp_scale", top)
    try:
        scale = float(scale)
    except (TypeError, ValueError):
        fail(f"latent_to_zp_scale {scale!r} is not a number")
    if not 0 < scale < modulus:
        # e.g. a model trained for p = 4093 used with a toy key (p = 2003)
        fail(f"latent_to_zp_scale {scale:g} does not fit Z_p with p = {modulus}")
    return levels, guard, scale


MAPPINGS = ("row", "hilbert")
RECEIVERS = ("pm", "joint", "joint_spread")


def model_receiver(path, block="lwe_rx", param="decoder_model"):
    """(qam_mapping, receiver) from a model file's "training" metadata: the bijection
    between Z_p and the 4096-QAM grid the networks were trained through ("row" or
    "hilbert", include/securejscc/modem.h) and Bob's receiver ("pm": posterior-mean
    demodulation, decryption, soft dequantiser; "joint": lwe_joint_decrypt; "joint_spread":
    the same with the posterior's spread for the decoder too). A model without these keys
    predates them: ("row", "pm")."""
    fail = _failer(block, param, path)
    training = _training(path, fail)
    mapping = training.get("qam_mapping", "row")
    receiver = training.get("receiver", "pm")
    if mapping not in MAPPINGS:
        fail(f"training metadata has qam_mapping {mapping!r}; one of {MAPPINGS}")
    if receiver not in RECEIVERS:
        fail(f"training metadata has receiver {receiver!r}; one of {RECEIVERS}")
    if receiver == "pm" and mapping != "row":
        fail(f"receiver 'pm' needs the row-major mapping, not {mapping!r}")
    return mapping, receiver


def lwe_noise_std(preset):
    """Standard deviation of the LWE decryption error, sqrt(2 n v^2 + v) (docs/lwe.md)."""
    n, _, v = LWE_PRESETS[preset]
    return math.sqrt(2 * n * v * v + v)


def dequantizer_noise_var(channel_n0, preset="medium", decrypted=True):
    """Noise variance the soft dequantiser should assume, in Z_p units squared: the LWE
    decryption noise (Bob only) plus the channel noise mapped through the 4096-QAM index
    (index = 64 * row + column, so a row error costs 64), capped at the variance of a
    uniform value on Z_p, as apps/securejscc-chain-demo.c does."""
    _, p, _ = LWE_PRESETS[preset]
    chan = (64.0 * 64.0 + 1.0) * (channel_n0 / 2.0) / (QAM4096_STEP * QAM4096_STEP)
    lwe = lwe_noise_std(preset) ** 2 if decrypted else 0.0
    return min(lwe + chan, p * p / 12.0)


class lwe_tx(gr.hier_block2):
    """DeepJSCEC + LWE transmitter: bytes (frames of width x height x 3) in, 4096-QAM
    complex symbols out, one per latent value (k = encoder.output_frame() per frame), with
    the LWE side data d on each frame's first symbol (tag sj_lwe_d).

    encoder_model: a deepjscec_encoder model (float latent in (0, 1)); its training
    metadata sets the quantiser (model_quantizer); pubkey_file: an LWE public key from
    securejscc-keygen --scheme lwe."""

    def __init__(self, width, height, encoder_model, pubkey_file, precision="bf16"):
        gr.hier_block2.__init__(self, "lwe_tx", gr.io_signature(1, 1, gr.sizeof_char),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        self.encoder = _sj.jscc_encoder(encoder_model, int(width), int(height), precision)
        if self.encoder.complex_output():
            raise ValueError("securejscc.lwe_tx: encoder_model: the model must output a float latent in (0, 1), "
                             "not complex symbols")
        k = self.encoder.output_frame()
        self.encrypt = _sj.lwe_encrypt(pubkey_file, k)
        p = self.encrypt.modulus()
        self.levels, self.guard, self.zp_scale = model_quantizer(encoder_model, p, "lwe_tx", "encoder_model")
        self.scale = blocks.multiply_const_ff(self.zp_scale)
        self.quantizer = _sj.quantizer(self.levels, p, k, guard=self.guard)
        self.mapping, _ = model_receiver(encoder_model, "lwe_tx", "encoder_model")
        self.mapper = _sj.symbol_mapper("4096qam" if self.mapping == "row" else f"4096qam-{self.mapping}", k)
        self.connect(self, self.encoder, self.scale, self.quantizer, self.encrypt, self.mapper, self)

    def symbols_per_frame(self):
        return self.encoder.output_frame()


class lwe_rx(gr.hier_block2):
    """DeepJSCEC + LWE receiver: 4096-QAM complex symbols in, bytes (frames of width x
    height x 3) out.

    decoder_model: a deepjscec_decoder model (its training metadata sets the quantiser,
    model_quantizer; it must match the encoder's); seckey_file: the LWE secret key, or "" for an
    eavesdropper without it (the ciphertext is dequantised as it is); noise_var: the
    channel's N0 (E|w|^2 per unit-power symbol; an sj_noise_var tag overrides it per frame
    in the demodulator); preset: the LWE preset of the key (sets the decryption noise the
    dequantiser assumes)."""

    def __init__(self, width, height, decoder_model, seckey_file="", noise_var=0.1, preset="medium",
                 precision="bf16"):
        gr.hier_block2.__init__(self, "lwe_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex),
                                gr.io_signature(1, 1, gr.sizeof_char))
        if preset not in LWE_PRESETS:
            raise ValueError(f"securejscc.lwe_rx: preset: unknown preset {preset!r}; one of {sorted(LWE_PRESETS)}")
        self.decoder = _sj.jscc_decoder(decoder_model, int(width), int(height), "float", precision)
        p = LWE_PRESETS[preset][1]
        self.levels, self.guard, self.zp_scale = model_quantizer(decoder_model, p, "lwe_rx", "decoder_model")
        self.mapping, self.receiver = model_receiver(decoder_model)
        # A joint_spread decoder takes two latents, the posterior means and spreads: 2 floats
        # a symbol, the means first (lwe_joint_decrypt spread=True).
        spread = self.receiver == "joint_spread"
        k = self.decoder.input_frame() // (2 if spread else 1)
        self.k = k
        self.unscale = blocks.multiply_const_ff(1.0 / self.zp_scale)  # means and spreads alike
        if self.receiver in ("joint", "joint_spread"):
            # Demodulation, decryption and dequantisation in one block (sj_zp_posterior).
            self.joint = _sj.lwe_joint_decrypt(seckey_file, k, self.levels, self.guard, float(noise_var),
                                               self.mapping, p, spread)
            self.connect(self, self.joint, self.unscale, self.decoder, self)
            return
        self.demod = _sj.soft_demod("4096qam", k, float(noise_var))
        self.decrypt = _sj.lwe_decrypt(seckey_file, k) if seckey_file else None
        if self.decrypt is not None and self.decrypt.modulus() != p:
            raise ValueError(f"securejscc.lwe_rx: preset: the key's modulus {self.decrypt.modulus()} is not "
                             f"that of preset {preset} ({p})")
        self.dequantizer = _sj.dequantizer(self.levels, p,
                                           dequantizer_noise_var(noise_var, preset, self.decrypt is not None), k,
                                           guard=self.guard)
        chain = [self, self.demod] + ([self.decrypt] if self.decrypt is not None else [])
        self.connect(*(chain + [self.dequantizer, self.unscale, self.decoder, self]))

    def symbols_per_frame(self):
        return self.k
