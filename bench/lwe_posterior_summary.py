#!/usr/bin/python3
"""How much of Bob's posterior over the quantiser levels reaches the decoder.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/lwe_posterior_summary.py [--snr 0 5 10 15 20]
      [--mapping hilbert] [--samples 400000] [--seed 1]

The joint receiver (include/securejscc/zp_posterior.h) computes P(l | y, o) over the 14
used levels of each symbol, and hands the decoder a summary of it. Mutual information per
symbol between the level L Alice sent (uniform) and:

  posterior   the whole posterior: log2 14 - E[H(L | y, o)] (the posterior is exact for
              the model, so this is I(L; Y, O); bench/lwe_mapping_capacity.py's "exact"
              column, with the binned noise density of the receiver);
  mean        E[q_L | y, o] alone: what the "joint" models' decoders get;
  mean+std    the mean and the posterior's standard deviation: what the "joint_spread"
              models' decoders get.

The summaries' information is a plug-in estimate on equal-mass bins (mean: --mean-bins,
std: --std-bins), with the Miller-Madow correction; the coarser grid in the last columns
shows how far binning moves it. Symbols are made as lwe_chain's model says: c = q_L + E - o
mod p, E the LWE noise of --preset (`medium`: std 251.1, rounded; none for the keystream variant), O
uniform, y = point(c) + complex AWGN of variance N0 = 10^(-SNR/10), and the posteriors come
from sjtrain.lwe_chain.joint_posterior, which test_training_chain.py checks against the C
core's sj_zp_posterior.
"""
import argparse
import math
import os
import sys
import time

import numpy as np
import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), os.pardir, "python", "training"))
from sjtrain import lwe_chain  # noqa: E402

def draw(snr_db, n, mapping, noise_std, gen, batch=20000):
    """(levels sent, posteriors) of n symbols."""
    p, used = lwe_chain.P, lwe_chain.LEVELS - lwe_chain.GUARD_LEVELS
    q = lwe_chain.centroids()[:used].long()
    n0 = torch.tensor(10 ** (-snr_db / 10))
    levels, posts = [], []
    for start in range(0, n, batch):
        m = min(batch, n - start)
        lv = torch.randint(0, used, (m,), generator=gen)
        o = torch.randint(0, p, (m,), generator=gen)
        e = torch.round(torch.randn(m, generator=gen) * noise_std).long()
        c = torch.remainder(q[lv] + e - o, p)
        i, qq = lwe_chain.qam4096_map(c, mapping)
        w = torch.randn(2, m, generator=gen) * math.sqrt(float(n0) / 2)
        post, _ = lwe_chain.joint_posterior(i + w[0], qq + w[1], n0, o, mapping, noise_std, used=used)
        levels.append(lv)
        posts.append(post.double())
    return torch.cat(levels).numpy(), torch.cat(posts).numpy()


def equal_mass_bins(x, bins):
    """Index of each value's equal-mass bin (ties broken by rank)."""
    order = np.argsort(x, kind="stable")
    idx = np.empty(len(x), np.int64)
    idx[order] = np.arange(len(x)) * bins // len(x)
    return idx


def plugin_mi(labels, cells, nlabels):
    """I(L; cell) in bits, plug-in with the Miller-Madow correction."""
    n = len(labels)
    ncell = int(cells.max()) + 1
    joint = np.bincount(labels * ncell + cells, minlength=nlabels * ncell).reshape(nlabels, ncell) / n
    pl, pc = joint.sum(1, keepdims=True), joint.sum(0, keepdims=True)
    nz = joint > 0
    mi = float((joint[nz] * np.log2(joint[nz] / (pl @ pc)[nz])).sum())
    k_joint, k_cell, k_lab = int(nz.sum()), int((pc > 0).sum()), int((pl > 0).sum())
    return mi - (k_joint - k_cell - k_lab + 1) / (2 * n * math.log(2))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--snr", type=float, nargs="+", default=[0, 5, 10, 15, 20])
    ap.add_argument("--mapping", default="hilbert", choices=["row", "hilbert"])
    ap.add_argument("--samples", type=int, default=400000)
    ap.add_argument("--mean-bins", type=int, default=128)
    ap.add_argument("--std-bins", type=int, default=16)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--preset", default="medium", choices=sorted(lwe_chain.PRESETS),
                    help="LWE preset whose decryption noise the lwe rows carry")
    args = ap.parse_args()
    if args.samples < 10000:
        ap.error("--samples must be at least 10000")
    gen = torch.Generator().manual_seed(args.seed)
    used = lwe_chain.LEVELS - lwe_chain.GUARD_LEVELS
    qd = lwe_chain.centroids()[:used].double().numpy()
    t0 = time.time()
    print(f"{args.mapping} mapping, {used} levels, {args.samples} symbols a row, seed {args.seed}; "
          f"bins: mean {args.mean_bins}, std {args.std_bins} (coarse: half of each)")
    print()
    print("| variant | SNR dB | posterior bits | mean bits | mean+std bits | mean share | mean+std share | "
          "mean (coarse) | mean+std (coarse) |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    n, p, s = lwe_chain.PRESETS[args.preset]
    lwe_std = lwe_chain.LweKey(np.zeros((n, n)), None, None, p, s, 1).noise_std()  # 251.1 for medium
    for name, noise in ((f"lwe ({args.preset})", lwe_std), ("keystream", 0.0)):
        for snr in args.snr:
            lv, post = draw(snr, args.samples, args.mapping, noise, gen)
            ent = -(post * np.log2(np.clip(post, 1e-300, None))).sum(1).mean()
            full = math.log2(used) - ent
            mean = post @ qd
            std = np.sqrt(np.clip(post @ (qd * qd) - mean * mean, 0, None))
            res = []
            for mb, sb in ((args.mean_bins, args.std_bins), (args.mean_bins // 2, args.std_bins // 2)):
                bm = equal_mass_bins(mean, mb)
                res.append(plugin_mi(lv, bm, used))
                res.append(plugin_mi(lv, bm * sb + equal_mass_bins(std, sb), used))
            print(f"| {name} | {snr:g} | {full:.2f} | {res[0]:.2f} | {res[1]:.2f} | {res[0] / full:.0%} | "
                  f"{res[1] / full:.0%} | {res[2]:.2f} | {res[3]:.2f} |", flush=True)
    print()
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
