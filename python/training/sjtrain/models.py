"""Network definitions, built only from operators the C runtime implements.

DeepJSCC (Bourtsoulatze et al., 2019): five 5x5 convolutions with PReLU (strides 2, 2, 1,
1, 1), power normalisation of the latent as complex symbols; the decoder mirrors it with
transposed convolutions and ends in a sigmoid. With c output channels on a HxW image the
latent has (H/4)(W/4)c reals = (H/4)(W/4)c/2 complex symbols, so the bandwidth ratio is
c / 96 (c = 16 gives 1/6).
"""
import torch
from torch import nn

from .channel import power_normalize


def _conv(cin, cout, stride):
    return nn.Conv2d(cin, cout, 5, stride=stride, padding=2)


def _tconv(cin, cout, stride):
    # output_padding restores the exact input size of a stride-2, padding-2, 5x5 convolution.
    return nn.ConvTranspose2d(cin, cout, 5, stride=stride, padding=2, output_padding=stride - 1)


class DeepJSCCEncoder(nn.Module):
    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.net = nn.Sequential(
            _conv(3, w1, 2), nn.PReLU(w1),
            _conv(w1, w2, 2), nn.PReLU(w2),
            _conv(w2, w3, 1), nn.PReLU(w3),
            _conv(w3, w4, 1), nn.PReLU(w4),
            _conv(w4, c, 1), nn.PReLU(c),
        )

    def forward(self, x):
        return power_normalize(self.net(x))


class DeepJSCCDecoder(nn.Module):
    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.net = nn.Sequential(
            _tconv(c, w4, 1), nn.PReLU(w4),
            _tconv(w4, w3, 1), nn.PReLU(w3),
            _tconv(w3, w2, 1), nn.PReLU(w2),
            _tconv(w2, w1, 2), nn.PReLU(w1),
            _tconv(w1, 3, 2), nn.Sigmoid(),
        )

    def forward(self, z):
        return self.net(z)


class DeepJSCC(nn.Module):
    """Encoder -> AWGN at a per-sample SNR -> decoder."""

    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        self.encoder = DeepJSCCEncoder(c, widths)
        self.decoder = DeepJSCCDecoder(c, widths)

    def forward(self, x, snr_db, channel):
        return self.decoder(channel(self.encoder(x), snr_db))
