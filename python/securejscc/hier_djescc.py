"""djescc scheme (Xu et al.): djescc_tx and djescc_rx.

Alice: image -> encryption U-Net (secret weights; a visually protected image) -> DeepJSCC
encoder -> complex symbols. Bob: DeepJSCC decoder -> decryption U-Net. Eve, without the
decryption network, sees the decoded protected image.

Every TX and RX here takes precision="bf16" (the default: the networks' Winograd layers
multiply in bfloat16 where the CPU has AVX-512 BF16, float32 elsewhere) or "fp32" (float32
throughout); see jscc_encoder and docs/model-format.md#precision.
"""
from gnuradio import gr

from . import securejscc_python as _sj


class djescc_tx(gr.hier_block2):
    """DJESCC transmitter: bytes (frames of width x height x 3) in, unit-power complex
    symbols out. encrypt_model: a djescc_encrypt U-Net; encoder_model: a deepjscc_encoder
    model with complex_symbols output."""

    def __init__(self, width, height, encrypt_model, encoder_model, precision="bf16"):
        gr.hier_block2.__init__(self, "djescc_tx", gr.io_signature(1, 1, gr.sizeof_char),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        self.encrypt = _sj.image_model(encrypt_model, int(width), int(height), precision)
        self.encoder = _sj.jscc_encoder(encoder_model, int(width), int(height), precision)
        if not self.encoder.complex_output():
            raise ValueError("securejscc.djescc_tx: encoder_model: the model must output complex symbols")
        self.connect(self, self.encrypt, self.encoder, self)

    def symbols_per_frame(self):
        return self.encoder.output_frame()


class djescc_rx(gr.hier_block2):
    """DJESCC receiver: complex symbols in, bytes (frames of width x height x 3) out.
    decoder_model: a deepjscc_decoder model; decrypt_model: the djescc_decrypt U-Net, or
    "" for an eavesdropper without it (she gets the protected image)."""

    def __init__(self, width, height, decoder_model, decrypt_model="", precision="bf16"):
        gr.hier_block2.__init__(self, "djescc_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex),
                                gr.io_signature(1, 1, gr.sizeof_char))
        self.decoder = _sj.jscc_decoder(decoder_model, int(width), int(height), "complex", precision)
        self.decrypt = _sj.image_model(decrypt_model, int(width), int(height), precision) if decrypt_model else None
        chain = [self, self.decoder] + ([self.decrypt] if self.decrypt is not None else []) + [self]
        self.connect(*chain)

    def symbols_per_frame(self):
        return self.decoder.input_frame()
