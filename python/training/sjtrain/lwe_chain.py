"""The `lwe` (DeepJSCEC, paper 001) signal chain in PyTorch, for training.

It computes exactly what the C core does at run time, so the networks train on the noise
they will meet: the 16-level quantiser into Z_p, Lindner-Peikert encryption with fresh
e1, e2, e3 per block (integer arithmetic, exact), 4096-QAM on the 64 x 64 grid of
include/securejscc/modem.h, AWGN, the separable posterior-mean soft demodulator, soft
decryption and the circular posterior-mean dequantiser. tests/python/test_training_chain.py
checks each piece against the C core through ctypes.

The encryption, modulation and demodulation are not differentiable; as in the paper
(eq. 28) the gradient skips them: the chain returns z_soft + (z_hat - z_soft).detach(),
so the loss gradient reaches the encoder through the soft quantiser (eq. 17-18).
Training randomness (keys, e, channel) comes from torch's generator: a training key is
not a secret, and nothing here is used to protect data.
"""
import math

import torch

P = 4093
LEVELS = 16
SIDE = 64
PRESETS = {  # Lindner & Peikert (CT-RSA 2011): n1 = n2 = n, p, s
    "toy": (136, 2003, 13.01),
    "low": (192, 4093, 8.87),
    "medium": (256, 4093, 8.35),
    "high": (320, 4093, 8.00),
}


# ---------------------------------------------------------------- quantiser

# Levels left unused at the top of Z_p. The centroids are evenly spaced on the circle
# Z_p, so q_{N-1} and q_0 are neighbours: with all N in use, noise of one spacing turns
# the brightest latent value into the darkest, and the posterior mean between them is
# mid-range. With the top G levels never sent (prior zero at the receiver), the two ends
# of the used range are G + 1 spacings apart around the wrap.
GUARD_LEVELS = 2

def centroids(levels=LEVELS, p=P, device=None):
    """q_i = floor(i p / N) as float (paper 001, Sec. IV-A)."""
    return torch.tensor([(i * p) // levels for i in range(levels)], dtype=torch.float32, device=device)


def sigma_q_schedule(step, start=5.0, increment=5.0, every=2000, cap=200.0):
    """Quantiser hardness of eq. (29), read as +5 every 2000 updates from 5, capped at 200
    (the recursion as printed would grow quadratically; this is its evident intent)."""
    return min(cap, start + increment * (step // every))


def quantize(z, sigma_q, levels=LEVELS, p=P, used=None):
    """Soft-to-hard quantisation (eq. 17-18) of z in Z_p units onto the first `used`
    centroids (all N when None; see GUARD_LEVELS).

    Distances are measured in units of the centroid spacing p / N, so sigma_q has the
    same meaning whatever p is. Returns (z_bar, z_soft, index): z_bar is the hard value
    forward with the soft gradient backward; index the integer level."""
    q = centroids(levels, p, z.device)[:used]
    step = p / levels
    d = ((z.unsqueeze(-1) - q) / step) ** 2
    w = torch.softmax(-sigma_q * d, dim=-1)
    z_soft = (w * q).sum(-1)
    index = d.argmin(-1)
    z_hard = q[index]
    return z_soft + (z_hard - z_soft).detach(), z_soft, index


def soft_dequantize(y, noise_var, levels=LEVELS, p=P, used=None):
    """Posterior mean of the centroid given y in [0, p), Gaussian noise of variance
    noise_var with circular distance mod p, uniform prior over the first `used` centroids
    and none on the guard levels above them (sj_quantizer_soft_dequant)."""
    q = centroids(levels, p, y.device)[:used].double()
    diff = torch.remainder(y.double().unsqueeze(-1) - q, p)
    dcirc = torch.minimum(diff, p - diff)
    if torch.is_tensor(noise_var):
        noise_var = noise_var.double().unsqueeze(-1)  # one variance per frame or value
    logw = -dcirc ** 2 / (2.0 * noise_var)
    w = torch.softmax(logw, dim=-1)
    return (w * q).sum(-1).float()


# ---------------------------------------------------------------- LWE

def discrete_gaussian(shape, s, generator=None, device=None):
    """Samples of D_s (P(x) ~ exp(-pi x^2 / s^2)) by inversion of its CDF."""
    sigma = s / math.sqrt(2 * math.pi)
    t = math.ceil(13 * sigma) + 1
    xs = torch.arange(-t, t + 1, dtype=torch.float64)
    pdf = torch.exp(-math.pi * xs ** 2 / s ** 2)
    cdf = torch.cumsum(pdf / pdf.sum(), 0)
    u = torch.rand(shape, dtype=torch.float64, generator=generator)
    idx = torch.searchsorted(cdf, u).clamp_max(len(xs) - 1)
    return (idx - t).to(device=device, dtype=torch.int64)


class LweKey:
    """A Lindner-Peikert key pair held as int64 tensors: A (n1 x n2), P = U - A S mod p
    (n1 x l), S (n2 x l). Made fresh for training, or read from the C core's key files."""

    def __init__(self, A, P_, S, p, s, l):
        self.A, self.P, self.S, self.p, self.s, self.l = A, P_, S, p, s, l
        self.n1, self.n2 = A.shape

    @classmethod
    def generate(cls, preset="medium", l=512, generator=None, device=None):
        n, p, s = PRESETS[preset]
        A = torch.randint(0, p, (n, n), generator=generator, dtype=torch.int64).to(device)
        S = discrete_gaussian((n, l), s, generator, device)
        U = discrete_gaussian((n, l), s, generator, device)
        return cls(A, torch.remainder(U - A @ S, p), S, p, s, l)

    @classmethod
    def from_files(cls, pub_path, sec_path, device=None):
        """Reads PREFIX.pub / PREFIX.sec as written by securejscc-keygen
        (docs/key-files-lwe.md). Checksums are verified by the C loader, not here: this
        reader is for tests and training only."""
        import numpy as np

        def read(path, kind):
            raw = open(path, "rb").read()
            if raw[:8] != b"SJKEY\0\r\n" or int.from_bytes(raw[10:12], "little") != kind:
                raise ValueError(f"{path}: not an LWE key file of kind {kind}")
            h = int.from_bytes(raw[12:16], "little")
            n_payload = int.from_bytes(raw[16:24], "little")
            return raw[24:24 + h], raw[24 + h:24 + h + n_payload]

        hp, pp = read(pub_path, 1)
        hs, ps = read(sec_path, 2)
        if hp[32:64] != hs[32:64]:
            raise ValueError("public and secret key files are not a pair (key ids differ)")
        n1, n2, p = (int.from_bytes(hp[o:o + 4], "little") for o in (4, 8, 12))
        l = int.from_bytes(hp[16:24], "little")
        s = float(np.frombuffer(hp[24:32], "<f8")[0])
        pub = torch.from_numpy(np.frombuffer(pp, "<u2").astype(np.int64))
        A = pub[:n1 * n2].reshape(n1, n2)
        P_ = pub[n1 * n2:].reshape(n1, l)
        S = torch.from_numpy(np.frombuffer(ps, "<i2").astype(np.int64)).reshape(n2, l)
        return cls(A.to(device), P_.to(device), S.to(device), p, s, l)

    def blocks(self, k):
        return (k + self.l - 1) // self.l

    def encrypt(self, z, generator=None):
        """z: int64 (batch, k) in [0, p). Returns c (batch, k) and d (batch, blocks, n2),
        with fresh e1, e2, e3 for every block of every frame."""
        b, k = z.shape
        nb = self.blocks(k)
        dev = z.device
        e1 = discrete_gaussian((b, nb, self.n1), self.s, generator, dev)
        e2 = discrete_gaussian((b, nb, self.n2), self.s, generator, dev)
        e3 = discrete_gaussian((b, nb * self.l), self.s, generator, dev)[:, :k]
        pe = torch.remainder(e1 @ self.P, self.p).reshape(b, nb * self.l)[:, :k]
        c = torch.remainder(pe + e3 + z, self.p)
        d = torch.remainder(e1 @ self.A + e2, self.p)
        return c, d

    def offset(self, d, k):
        """S^T d mod p (batch, k): what decryption adds to the ciphertext."""
        return torch.remainder(d @ self.S, self.p).reshape(d.shape[0], -1)[:, :k]

    def decrypt_soft(self, c, d):
        """z' = S^T d + c mod p for real-valued c (batch, k); result in [0, p)."""
        sd = self.offset(d, c.shape[1])
        return torch.remainder(sd.double() + c.double(), self.p).float()

    def noise_std(self):
        """sqrt((n1 + n2) v^2 + v), v the exact variance of D_s (sj_lwe_noise_std)."""
        sigma = self.s / math.sqrt(2 * math.pi)
        t = math.ceil(13 * sigma) + 1
        xs = torch.arange(-t, t + 1, dtype=torch.float64)
        w = torch.exp(-math.pi * xs ** 2 / self.s ** 2)
        v = float((w * xs ** 2).sum() / w.sum())
        return math.sqrt((self.n1 + self.n2) * v * v + v)


# ---------------------------------------------------------------- 4096-QAM

def qam4096_levels(device=None, used=P, mapping="row"):
    """Per-axis coordinates of the 64 x 64 grid, scaled so the points of the `used` indices
    (< used) have unit average power (modem.h; the mapping decides which 3 grid points are
    left out, which moves the scale by about 1e-6)."""
    lv = torch.arange(SIDE, dtype=torch.float64, device=device) - (SIDE - 1) / 2.0
    col, row = qam4096_grid(mapping)
    power = (lv[col[:used].to(lv.device)] ** 2 + lv[row[:used].to(lv.device)] ** 2).mean()
    return lv / power.sqrt()


def hilbert_xy(d, n=SIDE):
    """Column x and row y of step d along the Hilbert curve filling an n x n square (n a
    power of two), built from 2 x 2 cells upwards, each quadrant a rotated copy. Every run
    of 4^j steps starting at a multiple of 4^j fills an aligned 2^j x 2^j square: so the 64
    indices of a bin (c // 64) are an aligned 8 x 8 square of the grid (sj_qam4096_mapping)."""
    t = torch.as_tensor(d, dtype=torch.int64).clone()
    x = torch.zeros_like(t)
    y = torch.zeros_like(t)
    s = 1
    while s < n:
        rx = (t >> 1) & 1
        ry = (t ^ rx) & 1
        flip = (ry == 0) & (rx == 1)
        x = torch.where(flip, s - 1 - x, x)
        y = torch.where(flip, s - 1 - y, y)
        swap = ry == 0
        x, y = torch.where(swap, y, x), torch.where(swap, x, y)
        x = x + s * rx
        y = y + s * ry
        t = t >> 2
        s *= 2
    return x, y


# Bijections between Z_p (indices 0..4092; 4093..4095 never sent) and the 64 x 64 grid,
# as in include/securejscc/modem.h. "row": row = c // 64, column = c % 64 (every model
# trained before mappings existed). "hilbert": the Hilbert curve, so that indices close
# on Z_p are close on the grid in both directions (bench/lwe_mapping_capacity.py).
MAPPINGS = ("row", "hilbert")
_grid_cache = {}


def qam4096_grid(mapping="row"):
    """(column, row) int64 tensors of length 4096: the grid point of every index."""
    if mapping not in _grid_cache:
        c = torch.arange(SIDE * SIDE, dtype=torch.int64)
        if mapping == "row":
            _grid_cache[mapping] = (c % SIDE, c // SIDE)
        elif mapping == "hilbert":
            _grid_cache[mapping] = hilbert_xy(c)
        else:
            raise ValueError(f"unknown 4096-QAM mapping {mapping!r}; one of {MAPPINGS}")
    return _grid_cache[mapping]


def qam4096_map(c, mapping="row"):
    """int64 indices -> (I, Q) float tensors."""
    lv = qam4096_levels(c.device, mapping=mapping)
    col, row = (t.to(c.device) for t in qam4096_grid(mapping))
    return lv[col[c]].float(), lv[row[c]].float()


def awgn(i, q, snr_db):
    """Complex AWGN with E|w|^2 = N0 = 10^(-snr/10) for unit-power symbols; snr_db is a
    float or a (batch,) tensor. Returns (i, q, n0 as a broadcastable tensor)."""
    if not torch.is_tensor(snr_db):
        snr_db = torch.full((i.shape[0],), float(snr_db), device=i.device)
    n0 = torch.pow(10.0, -snr_db / 10.0).view(-1, *([1] * (i.dim() - 1)))
    sd = torch.sqrt(n0 / 2)
    return i + torch.randn_like(i) * sd, q + torch.randn_like(q) * sd, n0


def qam4096_posterior_mean(yi, yq, n0, used=P):
    """E[index | y] over the `used` points, uniform prior, computed separably from 64
    row and 64 column weights minus the unused corner (sj_softdemod_posterior_mean)."""
    lv = qam4096_levels(yi.device).to(torch.float64)
    n0 = n0.double() if torch.is_tensor(n0) else torch.tensor(n0, dtype=torch.float64)
    li = -(yi.double().unsqueeze(-1) - lv) ** 2 / n0.unsqueeze(-1)
    lq = -(yq.double().unsqueeze(-1) - lv) ** 2 / n0.unsqueeze(-1)
    v = torch.exp(li - li.amax(-1, keepdim=True))  # column weights
    w = torch.exp(lq - lq.amax(-1, keepdim=True))  # row weights
    k = torch.arange(SIDE, dtype=torch.float64, device=yi.device)
    V, W = v.sum(-1), w.sum(-1)
    Cv, Rw = (v * k).sum(-1), (w * k).sum(-1)
    num = SIDE * Rw * V + W * Cv
    den = W * V
    first_unused_col = used - SIDE * (SIDE - 1)
    if first_unused_col < SIDE:
        ex = slice(first_unused_col, SIDE)
        w_last = w[..., SIDE - 1]
        num = num - w_last * (v[..., ex] * (SIDE * (SIDE - 1) + k[ex])).sum(-1)
        den = den - w_last * v[..., ex].sum(-1)
    return (num / den).float()


def channel_var_index_units(n0):
    """Variance of the demodulated index caused by the channel, for the dequantiser: a
    row error costs 64 index values, a column error 1 (a conservative Gaussian estimate)."""
    step = float(qam4096_levels()[1] - qam4096_levels()[0])
    return (SIDE * SIDE + 1) * (n0 / 2) / step ** 2


# ---------------------------------------------------------------- joint receiver

BIN = 64  # indices per bin of the joint receiver: a grid row ("row") or an 8 x 8 square


def _axis_weights(yi, yq, n0, mapping):
    """exp(-(y - level)^2 / N0) per axis, each scaled by its largest: (column weights v,
    row weights w), float64 (..., 64)."""
    lv = qam4096_levels(yi.device, mapping=mapping).to(torch.float64)
    n0 = n0.double().unsqueeze(-1)
    li = -(yi.double().unsqueeze(-1) - lv) ** 2 / n0
    lq = -(yq.double().unsqueeze(-1) - lv) ** 2 / n0
    return torch.exp(li - li.amax(-1, keepdim=True)), torch.exp(lq - lq.amax(-1, keepdim=True))


_bin_cache = {}


def _bin_tables(mapping):
    """Membership (64 grid rows x 64 bins, 64 grid columns x 64 bins) of the bins of BIN
    consecutive indices, which must be grid rectangles (built once per mapping)."""
    if mapping in _bin_cache:
        return _bin_cache[mapping]
    col, row = qam4096_grid(mapping)
    rm = torch.zeros(SIDE, SIDE, dtype=torch.float64)
    cm = torch.zeros(SIDE, SIDE, dtype=torch.float64)
    for b in range(SIDE * SIDE // BIN):
        rs, cs = row[b * BIN:(b + 1) * BIN].unique(), col[b * BIN:(b + 1) * BIN].unique()
        if len(rs) * len(cs) != BIN:
            raise ValueError(f"mapping {mapping}: bin {b} is not a grid rectangle")
        rm[rs, b] = 1.0
        cm[cs, b] = 1.0
    _bin_cache[mapping] = (rm, cm)
    return rm, cm


_level_table_cache = {}


def _level_noise_table(p, sigma, q, offset, device):
    """Row j (j = 0..2p-1) holds exp(-d^2 / (2 sigma^2)) for every level l, d the circular
    distance mod p of j + offset - q_l from 0: the LWE noise density (up to a constant) of
    z' = q_l at a bin whose first index plus Bob's offset is j. One row gather per bin
    then gives all levels at once."""
    key = (p, sigma, tuple(q.tolist()), offset, str(device))
    if key not in _level_table_cache:
        j = torch.arange(2 * p, dtype=torch.float64).unsqueeze(-1) + offset - q.double().cpu()
        d = torch.remainder(j, p)
        d = torch.minimum(d, p - d)
        _level_table_cache[key] = torch.exp(-d * d / (2.0 * sigma * sigma)).float().to(device)
    return _level_table_cache[key]


def joint_posterior(yi, yq, n0, offset, mapping="row", noise_std=0.0, levels=LEVELS, p=P, used=None):
    """Bob's posterior P(l | y, o) over the `used` quantiser levels (uniform prior), given
    the channel output y and his offset o (z' = c + o mod p: o = S^T d for `lwe`,
    -keystream for the keystream variant), as sj_zp_posterior computes it. Returns
    (post (..., used), centroids q (used,)).

    With LWE noise (noise_std > 0): P(l | y, o) ~ sum over bins b of 64 consecutive
    indices of P(y in b) * P_E(centre_b + o - q_l), the noise density taken at the bin
    centre (it is smooth on that scale: bench/lwe_mapping_capacity.py measures <= 0.003
    bits/symbol lost). Without LWE noise (keystream): P(l | y, o) ~ P(y | point(q_l - o)),
    exact."""
    q = centroids(levels, p, yi.device)[:used]
    v, w = _axis_weights(yi, yq, n0, mapping)
    col, row = (t.to(yi.device) for t in qam4096_grid(mapping))
    offset = offset.long()
    if noise_std > 0:
        rm, cm = (t.to(yi.device) for t in _bin_tables(mapping))
        nbins = (p + BIN - 1) // BIN  # bins at or beyond p hold no index ever sent
        mass = ((w @ rm) * (v @ cm))[..., :nbins]
        for c in range(p, nbins * BIN):  # points never sent, in the last bin
            mass[..., c // BIN] -= w[..., row[c]] * v[..., col[c]]
        mass = mass.clamp_min(0.0).float()
        table = _level_noise_table(p, noise_std, q, (BIN - 1) / 2.0, yi.device)  # (2p, used)
        start = torch.arange(nbins, device=yi.device) * BIN  # first index of each bin
        rows = start + torch.remainder(offset, p).unsqueeze(-1)  # (..., nbins) in [0, 2p)
        post = (mass.unsqueeze(-2) @ table[rows]).squeeze(-2)  # (..., used)
    else:
        c = torch.remainder(q.long() - offset.unsqueeze(-1), p)  # (..., used)
        post = (torch.gather(v, -1, col[c]) * torch.gather(w, -1, row[c])).float()
    return post / post.sum(-1, keepdim=True).clamp_min(1e-30), q


def joint_posterior_mean(yi, yq, n0, offset, mapping="row", noise_std=0.0, levels=LEVELS, p=P, used=None,
                         return_std=False):
    """E[q_L | y, o] under joint_posterior, Bob's "joint" receiver (sj_zp_posterior_mean).

    return_std=True also returns the posterior's standard deviation, sqrt(E[(q_L -
    mean)^2]) (sj_zp_posterior_mean_std). The mean alone drops much of what the posterior
    knows where it is split between distant levels: bench/lwe_posterior_summary.py measures
    how much."""
    post, q = joint_posterior(yi, yq, n0, offset, mapping, noise_std, levels, p, used)
    mean = (post * q).sum(-1)
    if not return_std:
        return mean
    qc = q.double() - mean.double().unsqueeze(-1)  # centred: no cancellation
    return mean, torch.sqrt((post.double() * qc * qc).sum(-1)).float()


# ---------------------------------------------------------------- the whole chain

def decoder_input(received, top, shape):
    """The DeepJSCEC decoder's input from what lwe_chain returns: z_hat / top shaped as the
    latent (B, C, H, W); for receiver joint_spread, (z_hat, std), the two / top concatenated
    along C, means first (as lwe_joint_decrypt spread=True and sjeval hand them over)."""
    if isinstance(received, tuple):
        z_hat, std = received
        return torch.cat([(z_hat / top).view(shape), (std / top).view(shape)], 1)
    return (received / top).view(shape)


# Receivers: "pm" is the paper's pipeline (posterior-mean soft demodulation, decryption,
# Gaussian soft dequantiser); "joint" computes Bob's posterior over the levels from the
# channel output and his offset at once (joint_posterior_mean).
# "joint_spread" is "joint" that also hands the decoder the posterior's standard deviation
# (a second latent of the same shape; the decoder takes both).
RECEIVERS = ("pm", "joint", "joint_spread")


def lwe_chain(z, key, snr_db, sigma_q, generator=None, encrypt=True, used=LEVELS - GUARD_LEVELS,
              mapping="row", receiver="pm"):
    """Encoder output z (batch, k) in Z_p units -> the decoder's input z_hat.

    encrypt=False gives the LWE-free keystream variant: an additive cipher mod p whose
    keystream cancels exactly at Bob, so only the channel noise remains. receiver
    "joint_spread" returns (z_hat, std), the posterior's standard deviation in Z_p units (no
    gradient)."""
    if receiver not in RECEIVERS:
        raise ValueError(f"unknown receiver {receiver!r}; one of {RECEIVERS}")
    z_bar, z_soft, _ = quantize(z, sigma_q, p=key.p if key is not None else P, used=used)
    zi = z_bar.detach().round().long()
    p = key.p if key is not None else P
    if encrypt:
        c, d = key.encrypt(zi, generator)
    else:
        ks = torch.randint(0, p, zi.shape, generator=generator).to(zi.device)
        c = torch.remainder(zi + ks, p)
    yi, yq, n0 = awgn(*qam4096_map(c, mapping), snr_db)
    if receiver in ("joint", "joint_spread"):
        if encrypt:
            offset, noise = key.offset(d, c.shape[1]), key.noise_std()
        else:
            offset, noise = -ks, 0.0
        out = joint_posterior_mean(yi, yq, n0, offset, mapping, noise, p=p, used=used,
                                   return_std=receiver == "joint_spread")
        if receiver == "joint":
            return z_soft + (out - z_soft).detach()
        z_hat, std = out
        return z_soft + (z_hat - z_soft).detach(), std.detach()
    c_hat = qam4096_posterior_mean(yi, yq, n0, used=P)
    if encrypt:
        z_prime = key.decrypt_soft(c_hat, d)
        var = key.noise_std() ** 2 + channel_var_index_units(n0)
    else:
        z_prime = torch.remainder(c_hat - ks, p)
        var = channel_var_index_units(n0)
    var = torch.clamp(torch.as_tensor(var, dtype=torch.float64), max=p * p / 12.0)
    z_hat = soft_dequantize(z_prime, var, p=p, used=used)
    return z_soft + (z_hat - z_soft).detach()
