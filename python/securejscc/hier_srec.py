"""srec scheme (SREC): srec_tx and srec_rx.

Alice: image -> SREC JSCC encoder (float latent) -> per-frame byte quantiser (offset and
scale ride on tags) -> (byte + XChaCha20 keystream) mod 256 (nonce on a tag) -> BPSK,
QPSK or 16QAM. Bob: hard-decision demodulation to bytes -> keystream decryption ->
byte dequantiser -> SREC decoder -> super-resolution network. Eve without the key
dequantises the ciphertext bytes; with a wrong key she decrypts them to noise.

A codec trained with --downsample r > 1 carries the image at 1/r resolution (its files
say downsample = r: the encoder averages r x r pixels first, the decoder gives a width/r
x height/r image), and the receiver's last stage brings it back to width x height: the
super-resolution network (srec_sr at scale r) or, without it, a bilinear upsampler
(srec_upsample). The shipped codec has r = 1: it decodes at full size, and the optional
super-resolution stage (scale 1) restores the decoded image.

Every TX and RX here takes precision="bf16" (the default: the networks' Winograd layers
multiply in bfloat16 where the CPU has AVX-512 BF16, float32 elsewhere) or "fp32" (float32
throughout); see jscc_encoder and docs/model-format.md#precision.
"""
from gnuradio import gr

from . import securejscc_python as _sj
from .model_info import downsample as _downsample

BITS = {"bpsk": 1, "qpsk": 2, "16qam": 4}


def _check_modulation(block, modulation):
    if modulation not in BITS:
        raise ValueError(f"securejscc.{block}: modulation: {modulation!r} is not one of bpsk, qpsk, 16qam")


class srec_tx(gr.hier_block2):
    """SREC transmitter: bytes (frames of width x height x 3) in, complex symbols out
    (k * 8 / bits-per-symbol per frame, k = encoder.output_frame() latent bytes).

    encoder_model: an srec_encoder model (float latent); key_file: a keystream key from
    securejscc-keygen --scheme srec; modulation: bpsk, qpsk or 16qam."""

    def __init__(self, width, height, encoder_model, key_file, modulation="16qam", precision="bf16"):
        gr.hier_block2.__init__(self, "srec_tx", gr.io_signature(1, 1, gr.sizeof_char),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        _check_modulation("srec_tx", modulation)
        self.encoder = _sj.jscc_encoder(encoder_model, int(width), int(height), precision)
        if self.encoder.complex_output():
            raise ValueError("securejscc.srec_tx: encoder_model: the model must output a float latent, "
                             "not complex symbols")
        k = self.encoder.output_frame()
        self.encrypt = _sj.keystream_encrypt(key_file, 256, k)
        self.quantizer = _sj.byte_quantizer(k)
        self.mapper = _sj.symbol_mapper(modulation, k)
        self.bits = BITS[modulation]
        self.connect(self, self.encoder, self.quantizer, self.encrypt, self.mapper, self)

    def symbols_per_frame(self):
        return self.encoder.output_frame() * 8 // self.bits


class srec_rx(gr.hier_block2):
    """SREC receiver: complex symbols in, bytes (frames of width x height x 3) out.

    decoder_model: an srec_decoder model; key_file: the keystream key, or "" for an
    eavesdropper without one (a wrong key file models a wrong guess); modulation: as the
    transmitter's; sr_model: the super-resolution model (srec_sr; srec_sr_bpsk, trained
    on BPSK's bit errors, for bpsk), "" for none;
    upsample_model: what upscales the decoded image when sr_model is "" and the codec
    works at reduced resolution (srec_upsample, bilinear); noise_var: the channel's N0
    (hard decisions barely use it)."""

    def __init__(self, width, height, decoder_model, key_file="", modulation="16qam", sr_model="", noise_var=0.1,
                 upsample_model="", precision="bf16"):
        gr.hier_block2.__init__(self, "srec_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex),
                                gr.io_signature(1, 1, gr.sizeof_char))
        _check_modulation("srec_rx", modulation)
        width, height = int(width), int(height)
        try:
            r = _downsample(decoder_model)
        except (OSError, ValueError) as e:
            raise ValueError(f"securejscc.srec_rx: decoder_model: {decoder_model}: {e}") from e
        for name, size in (("width", width), ("height", height)):
            if size % r:
                raise ValueError(f"securejscc.srec_rx: {name}: {size} is not a multiple of {r}, the "
                                 "codec's resolution divisor")
        if r > 1 and not sr_model and not upsample_model:
            raise ValueError(f"securejscc.srec_rx: upsample_model: the decoder gives a 1/{r} resolution image; "
                             "give sr_model (srec_sr) or upsample_model (srec_upsample) to bring it back")
        self.scale = r
        self.decoder = _sj.jscc_decoder(decoder_model, width // r, height // r, "float", precision)
        k = self.decoder.input_frame()
        self.bits = BITS[modulation]
        self.demod = _sj.soft_demod(modulation, k * 8 // self.bits, float(noise_var), True)
        self.decrypt = _sj.keystream_decrypt(key_file, 256, k) if key_file else None
        self.dequantizer = _sj.byte_dequantizer(k)
        last = sr_model or (upsample_model if r > 1 else "")
        self.sr = _sj.image_model(last, width // r, height // r, precision) if last else None
        if self.sr is not None and self.sr.scale() != r:
            param = "sr_model" if sr_model else "upsample_model"
            raise ValueError(f"securejscc.srec_rx: {param}: {last} scales by {self.sr.scale()}, but the decoder "
                             f"gives a 1/{r} resolution image")
        chain = [self, self.demod] + ([self.decrypt] if self.decrypt is not None else [])
        chain += [self.dequantizer, self.decoder] + ([self.sr] if self.sr is not None else []) + [self]
        self.connect(*chain)

    def symbols_per_frame(self):
        return self.decoder.input_frame() * 8 // self.bits
