"""Layers beyond torch.nn that the C runtime can run.

GDN / inverse GDN (Balle et al. 2016), y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)
(inverse: times the square root). Training parametrises beta and gamma so they stay
positive and well conditioned (below); export writes the effective beta and gamma, so the
model file and the C runtime know nothing of the parametrisation.

AttentionBlock: the simplified attention module of Cheng et al. 2020 (no non-local block):
x + a(x) * sigmoid(b(x)), where a is three residual units and b three residual units and a
1x1 convolution. It is written in plain modules and operators so that the exporter's
tracing expands it into conv2d / relu / add / mul / sigmoid nodes.
"""
import torch
from torch import nn
import torch.nn.functional as F


class _LowerBound(torch.autograd.Function):
    """max(x, bound), whose gradient still flows when it would push x back above the
    bound (a plain clamp would freeze a parameter that once fell below it)."""

    @staticmethod
    def forward(ctx, x, bound):
        ctx.save_for_backward(x, bound)
        return torch.max(x, bound)

    @staticmethod
    def backward(ctx, grad):
        x, bound = ctx.saved_tensors
        pass_through = (x >= bound) | (grad < 0)
        return grad * pass_through.to(grad.dtype), None


class GDN(nn.Module):
    """beta = max(b, sqrt(beta_min + p))^2 - p and gamma = max(g, sqrt(p))^2 - p with a
    small pedestal p: squaring keeps them non-negative, and the square-root domain makes
    gradient steps on small values finer, as in Balle's reparametrisation."""

    pedestal = 2.0 ** -18

    def __init__(self, channels, inverse=False, beta_min=1e-6, gamma_init=0.1):
        super().__init__()
        self.inverse = bool(inverse)
        self.beta_min = float(beta_min)
        p = self.pedestal
        self.beta = nn.Parameter(torch.sqrt(torch.ones(channels) + p))
        self.gamma = nn.Parameter(torch.sqrt(gamma_init * torch.eye(channels) + p))

    def effective_params(self):
        p = self.pedestal
        beta_bound = torch.tensor((self.beta_min + p) ** 0.5, device=self.beta.device)
        gamma_bound = torch.tensor(p ** 0.5, device=self.gamma.device)
        beta = _LowerBound.apply(self.beta, beta_bound) ** 2 - p
        gamma = _LowerBound.apply(self.gamma, gamma_bound) ** 2 - p
        return beta, gamma

    def forward(self, x):
        beta, gamma = self.effective_params()
        c = x.shape[1]
        norm = torch.sqrt(F.conv2d(x * x, gamma.view(c, c, 1, 1), beta))
        return x * norm if self.inverse else x / norm


class ResidualUnit(nn.Module):
    """x -> relu(x + conv1x1(relu(conv3x3(relu(conv1x1(x)))))) with a channel bottleneck."""

    def __init__(self, n):
        super().__init__()
        h = max(n // 2, 1)
        self.conv1 = nn.Conv2d(n, h, 1)
        self.relu1 = nn.ReLU()
        self.conv2 = nn.Conv2d(h, h, 3, padding=1)
        self.relu2 = nn.ReLU()
        self.conv3 = nn.Conv2d(h, n, 1)
        self.relu3 = nn.ReLU()

    def forward(self, x):
        y = self.conv3(self.relu2(self.conv2(self.relu1(self.conv1(x)))))
        return self.relu3(x + y)


class AttentionBlock(nn.Module):
    """Cheng et al. 2020 simplified attention: x + a(x) * sigmoid(b(x))."""

    def __init__(self, n):
        super().__init__()
        self.trunk = nn.Sequential(ResidualUnit(n), ResidualUnit(n), ResidualUnit(n))
        self.mask = nn.Sequential(ResidualUnit(n), ResidualUnit(n), ResidualUnit(n),
                                  nn.Conv2d(n, n, 1))

    def forward(self, x):
        return x + self.trunk(x) * torch.sigmoid(self.mask(x))
