#!/usr/bin/python3
"""How much the `lwe` chain can carry: mutual information per 4096-QAM symbol between the
quantiser level Alice sends and what Bob's soft dequantiser sees, for each SNR.

  /usr/bin/python3 bench/lwe_capacity.py [--preset medium] [--guard 2] [--snr 0 5 10 15 20]

Model (docs/lwe.md): the level's centroid q_L (uniform over the used levels) plus wrapped
Gaussian noise of variance LWE decryption noise + channel noise in index units (a row
error of the 64 x 64 grid costs 64 index values). The figure bounds any JSCC code on this
chain; it is compared with plain DeepJSCC's AWGN capacity log2(1 + SNR) per complex
symbol, measured in the same run. Bits per CIFAR-10 image = 512 symbols (rho = 1/6).
"""
import argparse
import math
import os
import sys

import numpy as np

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python", "training"))
from sjtrain import lwe_chain  # noqa: E402


def mutual_information(used, levels, p, std):
    """I(L; Y) in bits, Y = q_L + N mod p, N ~ wrapped N(0, std^2), on a grid of unit steps."""
    q = np.array([(i * p) // levels for i in range(used)], dtype=np.float64)
    y = np.arange(p, dtype=np.float64)
    d = np.abs(y[None, :] - q[:, None])
    d = np.minimum(d, p - d)
    lik = np.zeros_like(d)
    for wrap in (-1, 0, 1):  # the wrapped Gaussian, enough terms for std << p
        lik += np.exp(-(d + wrap * p) ** 2 / (2 * std * std))
    lik /= lik.sum(1, keepdims=True)
    py = lik.mean(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        terms = np.where(lik > 0, lik * np.log2(lik / py[None, :]), 0.0)
    return terms.sum(1).mean()


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="medium", choices=sorted(lwe_chain.PRESETS))
    ap.add_argument("--guard", type=int, default=lwe_chain.GUARD_LEVELS)
    ap.add_argument("--snr", type=float, nargs="+", default=[0, 5, 10, 15, 20])
    args = ap.parse_args()
    n, p, s = lwe_chain.PRESETS[args.preset]
    key = lwe_chain.LweKey(np.zeros((n, n)), None, None, p, s, 1)
    lwe_std = key.noise_std()
    used = lwe_chain.LEVELS - args.guard
    print(f"preset {args.preset}: LWE decryption noise std {lwe_std:.1f}; levels {used} of {lwe_chain.LEVELS} "
          f"(spacing {p / lwe_chain.LEVELS:.1f})")
    print("| SNR dB | channel std (index units) | total std | lwe bits/symbol | keystream bits/symbol | "
          "AWGN log2(1+SNR) | lwe bits/CIFAR image |")
    print("|---:|---:|---:|---:|---:|---:|---:|")
    for snr in args.snr:
        n0 = 10 ** (-snr / 10)
        chan = math.sqrt(lwe_chain.channel_var_index_units(n0))
        total = math.hypot(chan, lwe_std)
        mi = mutual_information(used, lwe_chain.LEVELS, p, total)
        mi_ks = mutual_information(used, lwe_chain.LEVELS, p, chan)
        awgn = math.log2(1 + 10 ** (snr / 10))
        print(f"| {snr:g} | {chan:.0f} | {total:.0f} | {mi:.2f} | {mi_ks:.2f} | {awgn:.2f} | {mi * 512:.0f} |")


if __name__ == "__main__":
    main()
