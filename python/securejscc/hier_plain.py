"""plain scheme (unprotected DeepJSCC, the baseline): plain_tx and plain_rx.

Alice: image frames (height x width x 3 RGB bytes, HWC, as image_source sends them) ->
DeepJSCC encoder -> unit-power complex symbols. Bob (and anyone else on the channel):
noisy symbols -> DeepJSCC decoder -> image frames. There is no key: whoever receives the
symbols decodes the image as well as Bob does.

Every TX and RX here takes precision="bf16" (the default: the networks' Winograd layers
multiply in bfloat16 where the CPU has AVX-512 BF16, float32 elsewhere) or "fp32" (float32
throughout); see jscc_encoder and docs/model-format.md#precision.
"""
from gnuradio import gr

from . import securejscc_python as _sj


class plain_tx(gr.hier_block2):
    """Plain DeepJSCC transmitter: bytes (frames of width x height x 3) in, complex symbols
    out (encoder.output_frame() per frame, unit average power per frame).

    width, height: image size (padded by the model's size policy when not a multiple of 4);
    encoder_model: a deepjscc_encoder model file whose output kind is complex_symbols."""

    def __init__(self, width, height, encoder_model, precision="bf16"):
        gr.hier_block2.__init__(self, "plain_tx", gr.io_signature(1, 1, gr.sizeof_char),
                                gr.io_signature(1, 1, gr.sizeof_gr_complex))
        self.encoder = _sj.jscc_encoder(encoder_model, int(width), int(height), precision)
        if not self.encoder.complex_output():
            raise ValueError("securejscc.plain_tx: encoder_model: the model must output complex symbols "
                             "(output kind complex_symbols)")
        self.connect(self, self.encoder, self)

    def symbols_per_frame(self):
        return self.encoder.output_frame()


class plain_rx(gr.hier_block2):
    """Plain DeepJSCC receiver: complex symbols in, bytes (frames of width x height x 3)
    out. decoder_model: a deepjscc_decoder model file matching the transmitter's encoder."""

    def __init__(self, width, height, decoder_model, precision="bf16"):
        gr.hier_block2.__init__(self, "plain_rx", gr.io_signature(1, 1, gr.sizeof_gr_complex),
                                gr.io_signature(1, 1, gr.sizeof_char))
        self.decoder = _sj.jscc_decoder(decoder_model, int(width), int(height), "complex", precision)
        self.connect(self, self.decoder, self)

    def symbols_per_frame(self):
        return self.decoder.input_frame()
