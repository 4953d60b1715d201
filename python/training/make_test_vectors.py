#!/usr/bin/python3
"""Writes the C runtime's committed test vectors: for each small random-weight network
below (one per operator family, the DeepJSCC encoder and decoder of models.py, and
small-width DeepJSCEC decoder and SREC super-resolution networks), a model file tests/nn/data/<name>.safetensors and tests/nn/data/<name>.vec holding a seeded
random input and PyTorch's output for it.

  /usr/bin/python3 python/training/make_test_vectors.py [--out tests/nn/data]

.vec layout (little-endian): b"SJV1", then for the input and then the output: uint32 C,
H, W followed by C*H*W float32 values. tests/nn/test_vectors.c reads them; the pytest
parity tests (tests/nn/test_parity.py) reuse NETWORKS to compare at test time as well.
"""
import argparse
import os
import struct
import sys

import numpy as np
import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import export, layers, models  # noqa: E402


def _randomize(net, seed):
    """Gives every parameter a seeded random value, so that slopes, GDN terms and biases
    are not their (often uniform) defaults and a wrong index would show."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, nn.PReLU):
                m.weight.copy_(torch.rand(m.weight.shape, generator=g) * 0.5)
            elif isinstance(m, layers.GDN):
                c = m.beta.numel()
                m.beta.copy_(torch.sqrt(0.5 + torch.rand(c, generator=g)))
                m.gamma.copy_(torch.sqrt(0.1 * torch.rand(c, c, generator=g) + 0.05 * torch.eye(c)))
            elif isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)) and m.bias is not None:
                m.bias.copy_(torch.randn(m.bias.shape, generator=g) * 0.1)
    return net.eval()


class Activations(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, 8, 3, padding=1), nn.Conv2d(8, 8, 3, stride=2, padding=1)
        self.c3, self.c4 = nn.Conv2d(8, 8, (3, 1), padding=(1, 0)), nn.Conv2d(8, 4, 1)
        self.relu, self.leaky, self.tanh = nn.ReLU(), nn.LeakyReLU(0.2), nn.Tanh()
        self.prelu = nn.PReLU()  # one shared slope

    def forward(self, x):
        x = self.relu(self.c1(x))
        x = self.leaky(self.c2(x))
        x = self.prelu(self.tanh(self.c3(x)))
        return torch.sigmoid(self.c4(x))


class GdnNet(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.g1 = nn.Conv2d(3, 8, 5, stride=2, padding=2), layers.GDN(8)
        self.t1 = nn.ConvTranspose2d(8, 6, 3, stride=2, padding=1, output_padding=1)
        self.g2 = layers.GDN(6, inverse=True)

    def forward(self, x):
        return self.g2(self.t1(self.g1(self.c1(x))))


class Resample(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1 = nn.Conv2d(3, 16, 3, stride=2, padding=1)
        self.shuffle = nn.PixelShuffle(2)
        self.near = nn.Upsample(scale_factor=2, mode="nearest")
        self.c2 = nn.Conv2d(4, 4, 3, padding=1)
        self.bil = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.pool = nn.AvgPool2d(2)
        self.pool3 = nn.AvgPool2d(3, stride=2)
        self.c3 = nn.Conv2d(4, 3, 3, padding=1)

    def forward(self, x):
        x = self.near(self.shuffle(self.c1(x)))
        x = self.pool(self.bil(self.c2(x)))
        return self.c3(self.pool3(x))


class UNet(nn.Module):
    """Two levels with a channel-concatenated skip, as the encryption U-Nets use."""

    def __init__(self, c=8):
        super().__init__()
        self.inc = nn.Conv2d(3, c, 3, padding=1)
        self.down1 = nn.Conv2d(c, 2 * c, 3, stride=2, padding=1)
        self.down2 = nn.Conv2d(2 * c, 2 * c, 3, stride=2, padding=1)
        self.up2 = nn.ConvTranspose2d(2 * c, 2 * c, 2, stride=2)
        self.mix2 = nn.Conv2d(4 * c, c, 3, padding=1)
        self.up1 = nn.Upsample(scale_factor=2, mode="bilinear", align_corners=False)
        self.mix1 = nn.Conv2d(2 * c, 3, 3, padding=1)
        self.act = nn.ReLU()

    def forward(self, x):
        e0 = self.act(self.inc(x))
        e1 = self.act(self.down1(e0))
        e2 = self.act(self.down2(e1))
        d1 = self.act(self.mix2(torch.cat([self.up2(e2), e1], dim=1)))
        return x + self.mix1(torch.cat([self.up1(d1), e0], 1))


class Attention(nn.Module):
    def __init__(self):
        super().__init__()
        self.c1, self.att, self.c2 = nn.Conv2d(3, 8, 3, padding=1), layers.AttentionBlock(8), nn.Conv2d(8, 3, 1)

    def forward(self, x):
        return self.c2(self.att(self.c1(x)))


class ChannelGate(nn.Module):
    """Global pooling -> two linear layers -> per-channel scale (ADJSCC-style)."""

    def __init__(self, c=8):
        super().__init__()
        self.c1, self.c2 = nn.Conv2d(3, c, 3, padding=1), nn.Conv2d(c, 3, 3, padding=1)
        self.pool = nn.AdaptiveAvgPool2d(1)
        self.fc1, self.fc2 = nn.Linear(c, 4), nn.Linear(4, c)
        self.relu, self.sig = nn.ReLU(), nn.Sigmoid()

    def forward(self, x):
        h = self.c1(x)
        g = self.sig(self.fc2(self.relu(self.fc1(torch.flatten(self.pool(h), 1)))))
        h = h * g.view(1, -1, 1, 1)
        return self.c2(h + g.view(1, -1, 1, 1))


def _he_weights(net, gain, seed):
    """Convolution and linear weights N(0, gain / fan_in), so that activations keep an
    O(1) spread through deep stacks (PyTorch's default initialisation shrinks them layer
    by layer, and a network whose output is a flat 0.5 tests little)."""
    g = torch.Generator().manual_seed(seed)
    with torch.no_grad():
        for m in net.modules():
            if isinstance(m, (nn.Conv2d, nn.ConvTranspose2d, nn.Linear)):
                fan = m.weight[0].numel()
                if isinstance(m, nn.ConvTranspose2d):
                    fan = m.weight.shape[0] * m.weight[0, 0].numel() / (m.stride[0] * m.stride[1])
                m.weight.copy_(torch.randn(m.weight.shape, generator=g) * (gain / fan) ** 0.5)
    return net


# The project's networks at small widths (full structure) for C-only vectors: the
# DeepJSCEC decoder (attention, GDN, IGDN, pixel shuffle, residual adds) and the SREC
# super-resolution network (U-Net with transposed convolutions and concat, dense concat,
# mul by the weight map, mean-shift convolutions).
def _deepjscec_dec():
    return _he_weights(models.build_network("deepjscec_decoder", width=16, c_out=8), 1.0, 1)


def _srec_sr():
    return _he_weights(models.build_network("srec_sr", blocks=3, layers=3, growth=8, g0=16,
                                            unet_width=4), 1.0, 2)


def _srec_sr_x2():
    return _he_weights(models.build_network("srec_sr", scale=2, blocks=2, layers=2, growth=8, g0=8,
                                            unet_width=4), 1.0, 2)


# name -> (builder, input channels)
NETWORKS = {
    "deepjscc_enc": (lambda: models.DeepJSCCEncoder(), 3),
    "deepjscc_dec": (lambda: models.DeepJSCCDecoder(), 16),
    "activations": (Activations, 3),
    "gdn": (GdnNet, 3),
    "resample": (Resample, 3),
    "unet": (UNet, 3),
    "attention": (Attention, 3),
    "channel_gate": (ChannelGate, 3),
    "deepjscec_dec": (_deepjscec_dec, 8),
    "srec_sr": (_srec_sr, 3),
    "srec_sr_x2": (_srec_sr_x2, 3),  # upscales 2x (image_model's scaling path)
}

# Networks whose input is a latent at 1/4 of the image size.
_LATENT_INPUT = ("deepjscc_dec", "deepjscec_dec")


def build(name, seed=1):
    builder, channels = NETWORKS[name]
    torch.manual_seed(seed)
    return _randomize(builder(), seed), channels


def input_size(name, h=32, w=32):
    """A decoder takes a latent: an image of h x w gives h/4 x w/4."""
    return (h // 4, w // 4) if name in _LATENT_INPUT else (h, w)


def write_vec(path, x, y):
    with open(path, "wb") as f:
        f.write(b"SJV1")
        for a in (x, y):
            a = np.ascontiguousarray(a, dtype="<f4")
            f.write(struct.pack("<3I", *a.shape))
            f.write(a.tobytes())


def write_srec_half(out):
    """Random-weight srec codec files with downsample 2 and their bilinear upsampler
    (srec_half_{encoder,decoder,upsample}.safetensors): the GNU Radio QA tests run the
    reduced-resolution srec_tx / srec_rx path with them (no shipped model uses it)."""
    training = {"purpose": "test model, random weights", "modulation": "qpsk"}
    for i, (part, name, cfg) in enumerate((("encoder", "srec_encoder", {"c": 8, "widths": (8, 16, 16, 16), "downsample": 2}),
                                           ("decoder", "srec_decoder", {"c": 8, "widths": (8, 16, 16, 16), "downsample": 2}),
                                           ("upsample", "image_upsample", {"scale": 2}))):
        torch.manual_seed(300 + i)
        net = _randomize(models.build_network(name, **cfg), 300 + i)
        export.export_network(net, os.path.join(out, f"srec_half_{part}.safetensors"), {"training": training})
    print("srec_half: encoder, decoder, upsample")


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--out", default=os.path.join(here, "..", "..", "tests", "nn", "data"))
    ap.add_argument("--only", nargs="+", choices=sorted(NETWORKS) + ["srec_half"], help="write only these")
    args = ap.parse_args()
    os.makedirs(args.out, exist_ok=True)
    torch.set_num_threads(1)
    if not args.only or "srec_half" in args.only:
        write_srec_half(args.out)
    for i, name in enumerate(NETWORKS):
        if args.only and name not in args.only:
            continue
        net, c = build(name, seed=100 + i)
        h, w = input_size(name)
        path = os.path.join(args.out, name + ".safetensors")
        training = {"purpose": "test vector, random weights"}
        if hasattr(net, "sj_architecture"):
            # A registry network: its file also names the architecture and config.
            export.export_network(net, path, {"training": training})
        else:
            export.export(net, path, channels=c, example_size=(h, w), training=training)
        g = torch.Generator().manual_seed(200 + i)
        x = torch.rand(1, c, h, w, generator=g)
        if name == "deepjscc_dec":
            x = x * 2 - 1
        with torch.no_grad():
            y = net(x)
        write_vec(os.path.join(args.out, name + ".vec"), x[0].numpy(), y[0].numpy())
        print(f"{name}: {c}x{h}x{w} -> {tuple(y.shape[1:])}")


if __name__ == "__main__":
    main()
