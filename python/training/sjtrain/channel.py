"""Differentiable channel models used in training."""
import torch


def power_normalize(z):
    """Scales each sample's latent (pairs of reals = complex symbols) to unit average
    symbol power: sum |s|^2 = k for k complex symbols. Matches the C runtime's operator."""
    flat = z.reshape(z.shape[0], -1)
    k = flat.shape[1] / 2.0
    norm = flat.pow(2).sum(dim=1, keepdim=True).clamp_min(1e-12).sqrt()
    return (flat * (k ** 0.5) / norm).reshape(z.shape)


def awgn(z, snr_db):
    """Adds complex AWGN of variance N0 = 10^(-snr/10) per symbol (N0/2 per real value) to
    unit-power symbols; snr_db is a tensor of one SNR per sample or a float."""
    if not torch.is_tensor(snr_db):
        snr_db = torch.full((z.shape[0],), float(snr_db), device=z.device)
    n0 = torch.pow(10.0, -snr_db / 10.0).view(-1, *([1] * (z.dim() - 1)))
    return z + torch.randn_like(z) * torch.sqrt(n0 / 2.0)


def sample_snr(batch, low, high, device):
    return torch.empty(batch, device=device).uniform_(low, high)
