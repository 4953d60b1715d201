#!/usr/bin/python3
"""Prints the size and cost of every network in sjtrain.models' registry, for
docs/networks.md:

  /usr/bin/python3 python/training/describe_networks.py [--size 32] [--layers NAME]

For each architecture at its default config: trainable and total parameters, the
multiply-accumulates (MACs) of one forward pass on a size x size image (a decoder: on that
image's latent) counted over convolutions, transposed convolutions, linear layers and
GDN/IGDN (a 1x1 convolution of x^2), and FLOPs = 2 x MACs. Elementwise operators
(activations, adds, muls, sigmoids, pixel shuffles) are left out: they are a few per
activation value, negligible next to the convolutions. --layers NAME lists that
network's leaf layers with their output shapes.
"""
import argparse
import os
import sys

import torch
from torch import nn

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import layers, models  # noqa: E402


def _macs(m, inp, out):
    x = inp[0]
    if isinstance(m, nn.Conv2d):
        k = m.weight[0].numel()  # C_in * kh * kw
        return out.numel() * k
    if isinstance(m, nn.ConvTranspose2d):
        # every input value meets every tap of its C_out filters once
        return x.numel() * m.weight.shape[1] * m.weight.shape[2] * m.weight.shape[3]
    if isinstance(m, nn.Linear):
        return m.in_features * m.out_features
    if isinstance(m, layers.GDN):
        return x.numel() * x.shape[1]
    return 0


def describe(name, size, cfg=None, show_layers=False):
    net = models.build_network(name, **(cfg or {})).eval()
    c, h, w = models.network_input_shape(name, net.sj_config, size, size)
    total = {"macs": 0}
    rows = []

    def hook(m, inp, out):
        total["macs"] += _macs(m, inp, out)
        rows.append((m, tuple(out.shape[1:])))

    leaves = (nn.Conv2d, nn.ConvTranspose2d, nn.Linear, layers.GDN, nn.PixelShuffle,
              nn.AvgPool2d, nn.AdaptiveAvgPool2d)
    handles = [m.register_forward_hook(hook) for m in net.modules() if isinstance(m, leaves)]
    with torch.no_grad():
        y = net(torch.rand(1, c, h, w))
    for hd in handles:
        hd.remove()
    names = {m: q for q, m in net.named_modules()}
    if show_layers:
        for m, shape in rows:
            print(f"  {names[m]:40s} {type(m).__name__:18s} -> {'x'.join(map(str, shape))}")
    trainable = sum(p.numel() for p in net.parameters() if p.requires_grad)
    allp = sum(p.numel() for p in net.parameters())
    return {"name": name, "config": net.sj_config, "input": (c, h, w),
            "output": tuple(y.shape[1:]), "trainable": trainable, "params": allp,
            "macs": total["macs"]}


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--size", type=int, default=32, help="image height and width")
    ap.add_argument("--layers", metavar="NAME", help="list the leaf layers of NAME")
    args = ap.parse_args()
    torch.set_num_threads(1)
    if args.layers:
        d = describe(args.layers, args.size, show_layers=True)
        print(d)
        return
    print(f"| network | default config | input | output | parameters (trainable) | "
          f"MMACs at {args.size}x{args.size} | MFLOPs |")
    print("|---|---|---|---|---|---|---|")
    for name in models.NETWORK_SPECS:
        d = describe(name, args.size)
        cfg = ", ".join(f"{k}={v}" for k, v in d["config"].items())
        shape = lambda s: "x".join(map(str, s))  # noqa: E731
        print(f"| `{name}` | {cfg} | {shape(d['input'])} | {shape(d['output'])} | "
              f"{d['params']:,} ({d['trainable']:,}) | {d['macs'] / 1e6:.1f} | "
              f"{2 * d['macs'] / 1e6:.1f} |")


if __name__ == "__main__":
    main()
