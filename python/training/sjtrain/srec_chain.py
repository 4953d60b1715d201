"""The `srec` (paper 002) signal chain in PyTorch, for training.

Features -> bytes with a per-frame affine map (include/securejscc/byte_quantizer.h) ->
(byte + keystream) mod 256 -> bits, most significant first -> BPSK / QPSK / 16QAM with the
constellations of the C core (modem.h; they come from liquid-dsp, copied here as tables
and checked against the C core by tests/python/test_training_chain.py) -> AWGN -> hard
decisions -> bytes -> (byte - keystream) mod 256 -> features.

Bit errors on the ciphertext become errors of +-2^j modulo 256 on the plaintext byte, so
one flipped high bit can move a feature across its whole range: this is the damage the
super-resolution stage learns to repair. Gradients skip the non-differentiable part
(straight-through), like the lwe chain.
"""
import math

import torch

# Constellation points by symbol index (unit average power), as liquid-dsp 1.5 builds them:
# BPSK index 0 -> +1; QPSK and 16QAM are Gray coded per axis. Verified against
# sj_modem_map in the tests.
_S2 = 1 / math.sqrt(2)
_S10 = 1 / math.sqrt(10)


def _qam16():
    # Per axis 2 bits, Gray: 00 -> -3, 01 -> -1, 11 -> +1, 10 -> +3 (times 1/sqrt(10)),
    # the in-phase axis takes the two high bits of the index.
    gray_level = {0: -3, 1: -1, 3: 1, 2: 3}
    pts = []
    for idx in range(16):
        pts.append(complex(gray_level[idx >> 2], gray_level[idx & 3]) * _S10)
    return pts


CONSTELLATIONS = {
    "bpsk": [complex(1, 0), complex(-1, 0)],
    "qpsk": [complex(_S2, _S2), complex(-_S2, _S2), complex(_S2, -_S2), complex(-_S2, -_S2)],  # low bit: I sign, high bit: Q sign
    "16qam": _qam16(),
}
BITS = {"bpsk": 1, "qpsk": 2, "16qam": 4}


def constellation(name, device=None):
    pts = CONSTELLATIONS[name]
    return torch.tensor([[p.real, p.imag] for p in pts], dtype=torch.float32, device=device)


def byte_quantize(x):
    """Per-frame affine map of x (batch, n) to bytes: lo = min, scale = (max - min) / 255.
    Returns (bytes as int64, lo (batch, 1), scale (batch, 1))."""
    lo = x.amin(1, keepdim=True)
    scale = (x.amax(1, keepdim=True) - lo) / 255.0
    scale = torch.where(scale > 0, scale, torch.ones_like(scale))
    q = torch.clamp(torch.round((x - lo) / scale), 0, 255).long()
    return q, lo, scale


def byte_dequantize(q, lo, scale):
    return lo + q.float() * scale


def bytes_to_symbols(b, modulation):
    """int64 bytes (batch, n) -> symbol indices (batch, n * 8 / bps), MSB first."""
    bps = BITS[modulation]
    shifts = torch.arange(8 - bps, -1, -bps, device=b.device)
    return ((b.unsqueeze(-1) >> shifts) & ((1 << bps) - 1)).flatten(1)


def symbols_to_bytes(s, modulation):
    bps = BITS[modulation]
    per = 8 // bps
    shifts = torch.arange(8 - bps, -1, -bps, device=s.device)
    return (s.view(s.shape[0], -1, per) << shifts).sum(-1)


def transmit(symbols, modulation, snr_db):
    """Maps indices, adds complex AWGN (N0 = 10^(-snr/10)) and takes hard decisions."""
    pts = constellation(modulation, symbols.device)
    x = pts[symbols]
    if not torch.is_tensor(snr_db):
        snr_db = torch.full((symbols.shape[0],), float(snr_db), device=symbols.device)
    n0 = torch.pow(10.0, -snr_db / 10.0).view(-1, 1, 1)
    y = x + torch.randn_like(x) * torch.sqrt(n0 / 2)
    d = ((y.unsqueeze(-2) - pts) ** 2).sum(-1)
    return d.argmin(-1)


def srec_chain(features, modulation, snr_db, encrypt=True, generator=None):
    """Encoder features (batch, n) -> what Bob's decoder receives, straight-through."""
    q, lo, scale = byte_quantize(features.detach())
    if encrypt:
        ks = torch.randint(0, 256, q.shape, generator=generator).to(q.device)
        c = torch.remainder(q + ks, 256)
    else:
        c = q
    rx = symbols_to_bytes(transmit(bytes_to_symbols(c, modulation), modulation, snr_db), modulation)
    if encrypt:
        rx = torch.remainder(rx - ks, 256)
    hat = byte_dequantize(rx, lo, scale)
    return features + (hat - features).detach()
