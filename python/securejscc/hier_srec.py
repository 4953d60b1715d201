"""srec scheme (SREC): srec_tx and srec_rx.

Alice: image -> SREC JSCC encoder (float latent) -> per-frame byte quantiser (offset and
scale ride on tags) -> (byte + XChaCha20 keystream) mod 256 (nonce on a tag) -> BPSK,
QPSK or 16QAM. Bob: hard-decision demodulation to bytes -> keystream decryption ->
byte dequantiser -> SREC decoder -> optional super-resolution (enhancement) network.
Eve without the key dequantises the ciphertext bytes; with a wrong key she decrypts them
to noise.
"""
from gnuradio import gr

from . import securejscc_python as _sj

BITS = {"bpsk": 1, "qpsk": 2, "16qam": 4}


def _check_modulation(block, modulation):
    if modulation not in BITS:
        raise ValueError(f"securejscc.{block}: modulation: {modulation!r} is not one of bpsk, qpsk, 16qam")


class srec_tx(gr.hier_block2):
    """SREC transmitter: bytes (frames of width x height x 3) in, complex symbols out
    (k * 8 / bits-per-symbol per frame, k = encoder.output_frame() latent bytes).

    encoder_model: an srec_encoder model (float latent); key_file: a keystream key from
    securejscc-keygen --scheme srec; modulation: bpsk, qpsk or 16qam."""

    def __init__(self, width, height, encoder_model, key_file, modulation="16qam"):
        gr.hier_block2.__init__(self, "srec_tx", gr.io_signature(1, 1, gr.sizeof_char),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        _check_modulation("srec_tx", modulation)
        self.encoder = _sj.jscc_encoder(encoder_model, int(width), int(height))
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
    transmitter's; sr_model: an optional image-to-image enhancement model (srec_sr at
    scale 1), "" for none; noise_var: the channel's N0 (hard decisions barely use it)."""

    def __init__(self, width, height, decoder_model, key_file="", modulation="16qam", sr_model="", noise_var=0.1):
        gr.hier_block2.__init__(self, "srec_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex),
                                gr.io_signature(1, 1, gr.sizeof_char))
        _check_modulation("srec_rx", modulation)
        self.decoder = _sj.jscc_decoder(decoder_model, int(width), int(height), "float")
        k = self.decoder.input_frame()
        self.bits = BITS[modulation]
        self.demod = _sj.soft_demod(modulation, k * 8 // self.bits, float(noise_var), True)
        self.decrypt = _sj.keystream_decrypt(key_file, 256, k) if key_file else None
        self.dequantizer = _sj.byte_dequantizer(k)
        self.sr = _sj.image_model(sr_model, int(width), int(height)) if sr_model else None
        chain = [self, self.demod] + ([self.decrypt] if self.decrypt is not None else [])
        chain += [self.dequantizer, self.decoder] + ([self.sr] if self.sr is not None else []) + [self]
        self.connect(*chain)

    def symbols_per_frame(self):
        return self.decoder.input_frame() * 8 // self.bits
