#!/usr/bin/python3
"""Other mappings of Z_p onto 4096-QAM, and an exact receiver, for the `lwe` chain.

  OPENBLAS_NUM_THREADS=1 /usr/bin/python3 bench/lwe_mapping_capacity.py [--quick]
      [--preset medium] [--guard 2] [--snr 0 5 10 15 20] [--mappings row snake ...]

Mutual information per 4096-QAM symbol between the quantiser level L that Alice sends
(uniform over the 14 used levels q_l = floor(l p / 16)) and what Bob has, estimated by
Monte Carlo for several bijections between Z_p (p = 4093) and the 64 x 64 grid:

  c = q_L + O + E (mod p)   O uniform on Z_p (Bob knows it: o = -<s, d> for `lwe`, the
                            keystream for the keystream variant), E the LWE decryption noise
                            (Gaussian of the preset's std, wrapped; E = 0 for keystream)
  y = point(c) + W          W complex Gaussian, E|W|^2 = N0 = 10^(-SNR/10); the 4093 used
                            points have unit average power (include/securejscc/modem.h)

Two receivers:

  exact  Bob's posterior P(l | y, o) ~ sum_c P(y | point(c)) P_E(c - o - q_l mod p), all
         4093 points. I(L; Y, O) = log2 14 - E[H(L | y, o)] (the posterior entropy, averaged
         over samples; standard error printed, sampled until it is under --target-se).
  pm     today's pipeline: c_hat = E[c | y] (linear mean of the index over the grid, as the
         C core's posterior-mean soft demodulator does for row-major), z' = c_hat - o mod p.
         Then z' = q_L + N with N = (c_hat - c) + E independent of L (c is uniform because O
         is), so I(L; Z') is that of an additive noise channel on the circle: the density of
         c_hat - c is histogrammed on unit bins from --pm-samples draws and convolved with
         the LWE noise exactly. This is the best any dequantiser after the posterior-mean
         demodulator could do (for row-major, bench/lwe_capacity.py's 1-D Gaussian model).

Mappings (index c -> grid row on Q, column on I; the 3 indices >= 4093 are unused points):

  row      row-major, row = c // 64, column = c % 64 (today's modem)
  snake    boustrophedon: odd rows run right to left
  gray     row = Gray-decode(c >> 6), column = Gray-decode(c & 63): the 12-bit index is the
           Gray label of the point, as in bit-labelled QAM
  morton   Z-order: even bits of c give the column, odd bits the row
  hilbert  Hilbert curve of order 64
  blocked  16 x 16 tiles of 256 consecutive indices, tiles in snake order, Hilbert of
           order 16 inside each tile

Also printed: a cross-check against bench/lwe_capacity.py for row-major (its 1-D Gaussian
model, the pm figure with the deployed Gaussian dequantiser as decoding metric, the pm
figure with the true noise density), and the compute cost of the exact posterior: how
much truncating the sum to a (2W+1) x (2W+1) window of grid points around y, or summing
the likelihood over aligned bins of b consecutive indices with the LWE density taken at
the bin centre, loses (mean KL divergence from the exact posterior, bits/symbol).
Bits per CIFAR-10 image = 512 symbols (rho = 1/6, d not counted).
"""
import argparse
import math
import os
import sys
import time

import numpy as np

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, os.pardir, "python", "training"))
sys.path.insert(0, HERE)
from sjtrain import lwe_chain  # noqa: E402
import lwe_capacity  # noqa: E402

SIDE = 64
ORDER = SIDE * SIDE
LOG2 = math.log(2.0)


# ---------------------------------------------------------------- mappings

def gray_decode(g):
    """Inverse of g = b ^ (b >> 1), elementwise on an int array."""
    b = g.copy()
    shift = 1
    while shift < 32:
        b ^= b >> shift
        shift *= 2
    return b


def hilbert_xy(d, n):
    """Position (x, y) of step d along the Hilbert curve filling an n x n square: the
    training chain's curve (sjtrain/lwe_chain.py, the one the C modem uses), as numpy."""
    x, y = lwe_chain.hilbert_xy(np.asarray(d, dtype=np.int64), n)
    return x.numpy(), y.numpy()


def mapping(name):
    """(row, col) int arrays of length 4096: the grid point of every index."""
    c = np.arange(ORDER, dtype=np.int64)
    if name == "row":
        r, k = c // SIDE, c % SIDE
    elif name == "snake":
        r = c // SIDE
        k = np.where(r % 2 == 0, c % SIDE, SIDE - 1 - c % SIDE)
    elif name == "gray":
        r, k = gray_decode(c >> 6), gray_decode(c & 63)
    elif name == "morton":
        r = np.zeros_like(c)
        k = np.zeros_like(c)
        for bit in range(6):
            k |= ((c >> (2 * bit)) & 1) << bit
            r |= ((c >> (2 * bit + 1)) & 1) << bit
    elif name == "hilbert":
        k, r = hilbert_xy(c, SIDE)
    elif name == "blocked":
        tile = c // 256
        tr = tile // 4
        tc = np.where(tr % 2 == 0, tile % 4, 3 - tile % 4)
        x, y = hilbert_xy(c % 256, 16)
        r, k = 16 * tr + y, 16 * tc + x
    else:
        raise ValueError(name)
    assert len(set((r * SIDE + k).tolist())) == ORDER, f"{name} is not a bijection"
    return r, k


MAPPINGS = ["row", "snake", "gray", "morton", "hilbert", "blocked"]


class Constellation:
    """One mapping: per-index grid position, the per-axis level values scaled so the p
    used points have unit average power, and the index grid for posterior means."""

    def __init__(self, name, p):
        self.name, self.p = name, p
        r, k = mapping(name)
        self.row, self.col = r[:p], k[:p]
        lv = np.arange(SIDE, dtype=np.float64) - (SIDE - 1) / 2.0
        power = np.mean(lv[self.row] ** 2 + lv[self.col] ** 2)
        self.lv = lv / math.sqrt(power)
        self.step = self.lv[1] - self.lv[0]
        self.index_grid = np.zeros((SIDE, SIDE))  # index at (row, col), 0 where unused
        self.used_grid = np.zeros((SIDE, SIDE))
        self.index_grid[self.row, self.col] = np.arange(p)
        self.used_grid[self.row, self.col] = 1.0

    def transmit(self, c, n0, rng):
        """Received (yI, yQ) for indices c."""
        sd = math.sqrt(n0 / 2)
        return (self.lv[self.col[c]] + sd * rng.standard_normal(c.shape),
                self.lv[self.row[c]] + sd * rng.standard_normal(c.shape))

    def axis_weights(self, yi, yq, n0):
        """Column weights v (B x 64) and row weights w (B x 64), each scaled to max 1, so
        P(y | point(c)) is proportional to w[row(c)] v[col(c)]."""
        li = -(yi[:, None] - self.lv[None, :]) ** 2 / n0
        lq = -(yq[:, None] - self.lv[None, :]) ** 2 / n0
        v = np.exp(li - li.max(1, keepdims=True))
        w = np.exp(lq - lq.max(1, keepdims=True))
        return v, w

    def likelihood(self, v, w):
        """P(y | point(c)) up to a per-sample factor, B x p in index order."""
        return w[:, self.row] * v[:, self.col]

    def posterior_mean(self, v, w):
        """E[c | y] over the used points, uniform prior (linear mean of the index)."""
        num = ((w @ self.index_grid) * v).sum(1)
        den = ((w @ self.used_grid) * v).sum(1)
        return num / den


# ---------------------------------------------------------------- noise and levels

def lwe_density(p, std):
    """P_E(k) for k in Z_p: Gaussian of std `std` on the integers, wrapped mod p."""
    k = np.arange(p, dtype=np.float64)
    g = np.zeros(p)
    for wrap in range(-3, 4):
        g += np.exp(-(k + wrap * p) ** 2 / (2 * std * std))
    return g / g.sum()


def entropy_bits(post):
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(post > 0, post * np.log(post), 0.0)
    return -t.sum(1) / LOG2


def normalise(a):
    return a / a.sum(1, keepdims=True)


class Chain:
    def __init__(self, p, levels, used, lwe_std):
        self.p, self.used = p, used
        self.q = np.array([(i * p) // levels for i in range(used)], dtype=np.int64)
        self.lwe_std = lwe_std
        self.g = lwe_density(p, lwe_std)
        self.g_cdf = np.cumsum(self.g)
        z = np.arange(p)
        self.G = self.g[(z[:, None] - self.q[None, :]) % p]  # G[z, l] = P_E(z - q_l)

    def sample(self, n, lwe, rng):
        l = rng.integers(0, self.used, n)
        o = rng.integers(0, self.p, n)
        e = np.minimum(np.searchsorted(self.g_cdf, rng.random(n)), self.p - 1) if lwe else 0
        return l, o, (self.q[l] + o + e) % self.p

    def posterior_lwe(self, lik, o):
        """P(l | y, o) from the likelihood in index order (B x p)."""
        idx = (np.arange(self.p)[None, :] + o[:, None]) % self.p
        return normalise(np.take_along_axis(lik, idx, 1) @ self.G)

    def posterior_keystream(self, con, yi, yq, o, n0):
        c = (self.q[None, :] + o[:, None]) % self.p
        d2 = (yi[:, None] - con.lv[con.col[c]]) ** 2 + (yq[:, None] - con.lv[con.row[c]]) ** 2
        ll = -d2 / n0
        return normalise(np.exp(ll - ll.max(1, keepdims=True)))


# ---------------------------------------------------------------- estimators

def exact_mi(chain, con, n0, lwe, rng, target_se, max_n, batch):
    """log2(used) - mean posterior entropy; sampled in batches until SE < target_se."""
    hs = []
    n = 0
    while True:
        l, o, c = chain.sample(batch, lwe, rng)
        yi, yq = con.transmit(c, n0, rng)
        if lwe:
            v, w = con.axis_weights(yi, yq, n0)
            post = chain.posterior_lwe(con.likelihood(v, w), o)
        else:
            post = chain.posterior_keystream(con, yi, yq, o, n0)
        hs.append(entropy_bits(post))
        n += batch
        h = np.concatenate(hs)
        se = h.std(ddof=1) / math.sqrt(len(h))
        if (se < target_se and n >= 4 * batch) or n >= max_n:
            return math.log2(chain.used) - h.mean(), se, n


def pm_noise_histogram(chain, con, n0, rng, n, batch, parts=4):
    """Histograms (parts x p) of (c_hat - c) mod p on unit bins, c uniform."""
    p = chain.p
    hist = np.zeros((parts, p))
    per = n // parts
    for part in range(parts):
        done = 0
        while done < per:
            m = min(batch, per - done)
            c = rng.integers(0, p, m)
            yi, yq = con.transmit(c, n0, rng)
            v, w = con.axis_weights(yi, yq, n0)
            a = np.mod(con.posterior_mean(v, w) - c, p)
            hist[part] += np.bincount(np.minimum(np.floor(a).astype(np.int64), p - 1), minlength=p)
            done += m
    return hist


def circ_conv(a, b):
    return np.real(np.fft.ifft(np.fft.fft(a) * np.fft.fft(b)))


def additive_mi(chain, f):
    """I(L; q_L + N mod p), N with pmf f on Z_p, L uniform on the used levels."""
    p = chain.p
    z = np.arange(p)
    lik = f[(z[None, :] - chain.q[:, None]) % p]
    py = lik.mean(0)
    with np.errstate(divide="ignore", invalid="ignore"):
        t = np.where(lik > 0, lik * np.log2(lik / py[None, :]), 0.0)
    return t.sum(1).mean()


def gaussian_metric_rate(chain, f, var):
    """Achievable rate with the deployed dequantiser's metric (Gaussian of variance var in
    circular distance, prior on the used levels) on the channel with noise pmf f."""
    p = chain.p
    z = np.arange(p) + 0.5
    d = np.mod(z[None, :] - chain.q[:, None], p)
    d = np.minimum(d, p - d)
    lq = -d ** 2 / (2 * var)
    lq = lq - lq.max(0, keepdims=True)
    logq = lq - np.log(np.exp(lq).sum(0, keepdims=True))  # log q(l | z)
    lik = f[(np.arange(p)[None, :] - chain.q[:, None]) % p]
    return math.log2(chain.used) + (lik * logq).sum(1).mean() / LOG2


def pm_mi(chain, hist, lwe):
    """I(L; Z') from the histogram parts: full estimate, SE and bias from the parts."""
    def mi(h):
        f = h / h.sum()
        if lwe:
            f = np.clip(circ_conv(f, chain.g), 0, None)
            f /= f.sum()
        return additive_mi(chain, f), f

    full, f = mi(hist.sum(0))
    parts = np.array([mi(h)[0] for h in hist])
    k = len(parts)
    se = parts.std(ddof=1) / math.sqrt(k)
    bias = (parts.mean() - full) / (k - 1)  # plug-in bias scales as 1 / samples
    return full, se, bias, f


def truncation_loss(chain, con, n0, rng, n, batch, windows, bins):
    """Mean KL(exact posterior || approximate) in bits for the lwe exact receiver with
    (a) the sum restricted to a (2W+1)^2 window around the per-axis most likely levels,
    (b) the likelihood summed over aligned bins of b consecutive indices, P_E taken at the
    bin centre. Returns dicts W -> loss, b -> loss."""
    p = chain.p
    kw = {w_: 0.0 for w_ in windows}
    kb = {b: 0.0 for b in bins}
    done = 0
    while done < n:
        l, o, c = chain.sample(batch, True, rng)
        yi, yq = con.transmit(c, n0, rng)
        v, w = con.axis_weights(yi, yq, n0)
        lik = con.likelihood(v, w)
        post = chain.posterior_lwe(lik, o)
        logp = np.log(np.maximum(post, 1e-300))
        r0 = w.argmax(1)
        k0 = v.argmax(1)
        for W in windows:
            inside = ((np.abs(con.row[None, :] - r0[:, None]) <= W) &
                      (np.abs(con.col[None, :] - k0[:, None]) <= W))
            qa = chain.posterior_lwe(lik * inside, o)
            kw[W] += (post * (logp - np.log(np.maximum(qa, 1e-300)))).sum()
        for b in bins:
            nb = -(-p // b)
            pad = np.zeros((batch, nb * b))
            pad[:, :p] = lik
            mass = pad.reshape(batch, nb, b).sum(2)
            centre = np.minimum(np.arange(nb) * b, p - 1) + (np.minimum((np.arange(nb) + 1) * b, p) -
                                                              np.arange(nb) * b - 1) / 2.0
            # P_E at (centre - o - q_l), rounded to the nearest integer offset
            off = np.rint(centre[None, :, None] - o[:, None, None] - chain.q[None, None, :]).astype(np.int64)
            qa = normalise(np.einsum("bj,bjl->bl", mass, chain.g[off % p]))
            kb[b] += (post * (logp - np.log(np.maximum(qa, 1e-300)))).sum()
        done += batch
    return ({W: x / done / LOG2 for W, x in kw.items()}, {b: x / done / LOG2 for b, x in kb.items()})


# ---------------------------------------------------------------- main

def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--preset", default="medium", choices=sorted(lwe_chain.PRESETS))
    ap.add_argument("--guard", type=int, default=lwe_chain.GUARD_LEVELS)
    ap.add_argument("--noise-std", type=float, default=None,
                    help="LWE decryption noise std in Z_p units instead of the preset's: e.g. 19.62, what "
                         "the DeepJSCEC authors' code draws with err_k = 1 (docs/lwe.md, 'The paper's 25.95 dB')")
    ap.add_argument("--snr", type=float, nargs="+", default=[0, 5, 10, 15, 20])
    ap.add_argument("--mappings", nargs="+", default=MAPPINGS, choices=MAPPINGS)
    ap.add_argument("--target-se", type=float, default=0.01,
                    help="stop sampling the exact receiver when its standard error is below this (bits)")
    ap.add_argument("--max-samples", type=int, default=100000, help="cap on exact-receiver samples")
    ap.add_argument("--pm-samples", type=int, default=800000, help="draws for the pm noise histogram")
    ap.add_argument("--cost-mappings", nargs="*", default=["row", "hilbert", "blocked"], choices=MAPPINGS,
                    help="mappings for the cost table (none: skip it)")
    ap.add_argument("--cost-samples", type=int, default=1000)
    ap.add_argument("--batch", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--quick", action="store_true",
                    help="fewer samples (exact: SE up to ~0.02 bits; pm: upward histogram bias up to ~0.1 bit), "
                         "cost table at 10 dB only: about 15 s")
    args = ap.parse_args()
    if args.quick:
        args.target_se, args.max_samples, args.pm_samples = 0.05, 2000, 40000
        args.cost_samples = 500
    rng = np.random.default_rng(args.seed)
    t0 = time.time()

    n, p, s = lwe_chain.PRESETS[args.preset]
    lwe_std = lwe_chain.LweKey(np.zeros((n, n)), None, None, p, s, 1).noise_std()
    if args.noise_std is not None:
        if not args.noise_std > 0:
            ap.error("--noise-std must be > 0")
        lwe_std = args.noise_std
    used = lwe_chain.LEVELS - args.guard
    chain = Chain(p, lwe_chain.LEVELS, used, lwe_std)
    cons = {m: Constellation(m, p) for m in args.mappings}
    source = "given by --noise-std" if args.noise_std is not None else f"preset {args.preset}"
    print(f"LWE noise std {lwe_std:.1f} ({source}); levels {used} of {lwe_chain.LEVELS}; "
          f"log2({used}) = {math.log2(used):.2f} bits; seed {args.seed}; "
          f"exact: SE target {args.target_se}, at most {args.max_samples} samples; pm: {args.pm_samples} draws")
    ceiling = lwe_capacity.mutual_information(used, lwe_chain.LEVELS, p, lwe_std)
    print(f"Ceiling without channel noise, any mapping: lwe {ceiling:.2f} bits/symbol (LWE noise alone), "
          f"keystream {math.log2(used):.2f}.")
    print()
    print("| SNR dB | mapping | lwe exact | lwe pm | keystream exact | keystream pm | "
          "lwe exact bits/CIFAR image | lwe pm bits/CIFAR image |")
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    worst_se = worst_bias = 0.0
    cross = []
    for snr in args.snr:
        n0 = 10 ** (-snr / 10)
        for m in args.mappings:
            con = cons[m]
            ex_l, se_l, _ = exact_mi(chain, con, n0, True, rng, args.target_se, args.max_samples, args.batch)
            ex_k, se_k, _ = exact_mi(chain, con, n0, False, rng, args.target_se, args.max_samples,
                                     args.batch)
            hist = pm_noise_histogram(chain, con, n0, rng, args.pm_samples, 10 * args.batch)
            pm_l, sep_l, b_l, f_l = pm_mi(chain, hist, True)
            pm_k, sep_k, b_k, f_k = pm_mi(chain, hist, False)
            worst_se = max(worst_se, se_l, se_k, sep_l, sep_k)
            worst_bias = max(worst_bias, abs(b_l), abs(b_k))
            print(f"| {snr:g} | {m} | {ex_l:.2f} | {pm_l:.2f} | {ex_k:.2f} | {pm_k:.2f} | "
                  f"{512 * ex_l:.0f} | {512 * pm_l:.0f} |", flush=True)
            if m == "row":
                cvar = lwe_chain.channel_var_index_units(n0)
                cap = p * p / 12.0
                one_d_l = lwe_capacity.mutual_information(used, lwe_chain.LEVELS, p,
                                                          math.sqrt(cvar + lwe_std ** 2))
                one_d_k = lwe_capacity.mutual_information(used, lwe_chain.LEVELS, p, math.sqrt(cvar))
                g_l = gaussian_metric_rate(chain, f_l, min(cap, cvar + lwe_std ** 2))
                g_k = gaussian_metric_rate(chain, f_k, min(cap, cvar))
                cross.append((snr, one_d_l, g_l, pm_l, ex_l, one_d_k, g_k, pm_k, ex_k))
    print()
    print(f"Largest standard error {worst_se:.3f} bits; largest estimated pm histogram bias {worst_bias:.4f} bits.")

    if cross:
        print()
        print("Row-major cross-check (bits/symbol): 1-D = bench/lwe_capacity.py's Gaussian model; "
              "pm Gaussian = posterior-mean pipeline decoded with the deployed dequantiser's Gaussian "
              "metric (achievable rate, can be negative); pm = same pipeline, true noise density; exact = exact posterior.")
        print()
        print("| SNR dB | lwe 1-D | lwe pm Gaussian | lwe pm | lwe exact | keystream 1-D | keystream pm Gaussian | "
              "keystream pm | keystream exact |")
        print("|---:|---:|---:|---:|---:|---:|---:|---:|---:|")
        for row in cross:
            print("| {:g} | ".format(row[0]) + " | ".join(f"{x:.2f}" for x in row[1:]) + " |")

    if args.cost_mappings:
        windows = [4, 8, 12, 16, 24, 32, 48]
        bins = [16, 64, 256]
        snrs = [10.0] if args.quick else args.snr
        print()
        print("Cost of the exact lwe posterior: loss (mean KL from the exact posterior, bits/symbol) when the sum "
              "over the 4093 points is cut to a (2W+1)^2 window around y, or the likelihood is summed over bins of "
              "b consecutive indices with P_E at the bin centre (then b-bins x 14 multiply-adds). "
              f"{args.cost_samples} samples per cell. sigma = per-axis noise std in grid steps.")
        print()
        print("| SNR dB | mapping | sigma | " + " | ".join(f"W={W}" for W in windows) + " | " +
              " | ".join(f"b={b}" for b in bins) + " |")
        print("|---:|---|---:|" + "---:|" * (len(windows) + len(bins)))
        for snr in snrs:
            n0 = 10 ** (-snr / 10)
            for m in args.cost_mappings:
                con = Constellation(m, p)
                kw, kb = truncation_loss(chain, con, n0, rng, args.cost_samples, min(args.batch, 250),
                                         windows, bins)
                sig = math.sqrt(n0 / 2) / con.step
                print(f"| {snr:g} | {m} | {sig:.1f} | " + " | ".join(f"{max(0.0, kw[W]):.3f}" for W in windows) + " | " +
                      " | ".join(f"{max(0.0, kb[b]):.3f}" for b in bins) + " |", flush=True)
    print()
    print(f"({time.time() - t0:.0f} s)")


if __name__ == "__main__":
    main()
