"""Data sets read by path from the shared folders (never copied into the repository).

CIFAR-10 comes as 51 PNG strips of 1000 images (cifar10_batch_0..49: training, 50: the
first 1000 test images), each strip 1024 x 1000 RGB with one 32x32x3 image (HWC) a row.
"""
import os

import numpy as np
import torch
from PIL import Image

CIFAR_TRAIN_STRIPS = 50
CIFAR_VALIDATION = 5000  # the last 5000 training images are held out


def _read_strip(path):
    arr = np.asarray(Image.open(path).convert("RGB"), dtype=np.uint8)
    if arr.shape != (1000, 1024, 3):
        raise ValueError(f"{path}: expected a 1024x1000 RGB strip, got shape {arr.shape}")
    return arr.reshape(1000, 32, 32, 3)


def load_cifar10(root, split):
    """uint8 array N x 32 x 32 x 3 for split 'train' (45000), 'val' (5000) or 'test' (1000)."""
    if split not in ("train", "val", "test"):
        raise ValueError(f"unknown split {split!r}")
    if not os.path.isdir(root):
        raise FileNotFoundError(f"CIFAR-10 folder not found: {root} (pass --data)")
    if split == "test":
        return _read_strip(os.path.join(root, "cifar10_batch_50.png"))
    strips = [_read_strip(os.path.join(root, f"cifar10_batch_{i}.png")) for i in range(CIFAR_TRAIN_STRIPS)]
    images = np.concatenate(strips)
    n_train = images.shape[0] - CIFAR_VALIDATION
    return images[:n_train] if split == "train" else images[n_train:]


def load_cifar10_labels(root, split):
    with open(os.path.join(root, "labels.txt")) as f:
        labels = np.array([int(line) for line in f if line.strip()], dtype=np.int64)
    n_train = CIFAR_TRAIN_STRIPS * 1000 - CIFAR_VALIDATION
    return {"train": labels[:n_train], "val": labels[n_train:50000], "test": labels[50000:51000]}[split]


def load_kodak(root):
    """List of uint8 HxWx3 arrays, kodim01..kodim24."""
    paths = sorted(p for p in os.listdir(root) if p.startswith("kodim") and p.endswith(".png"))
    if not paths:
        raise FileNotFoundError(f"no kodim*.png in {root}")
    return [np.asarray(Image.open(os.path.join(root, p)).convert("RGB"), dtype=np.uint8) for p in paths]


def to_tensor(images):
    """uint8 NHWC -> float NCHW in [0, 1]."""
    return torch.from_numpy(images).permute(0, 3, 1, 2).float().div_(255.0)


class Batches:
    """Shuffled mini-batches of an in-memory uint8 image array, with random flips."""

    def __init__(self, images, batch_size, shuffle=True, augment=True, seed=0, rank=0, world=1, labels=None):
        self.images = torch.from_numpy(images).permute(0, 3, 1, 2).contiguous()  # uint8 NCHW
        self.labels = None if labels is None else torch.as_tensor(labels)  # then batches are (x, y)
        self.batch_size = batch_size
        self.shuffle = shuffle
        self.augment = augment
        self.seed = seed
        self.rank, self.world = rank, world  # torchrun: each process takes every world-th batch
        self.gen = torch.Generator().manual_seed(seed)

    def set_epoch(self, epoch):
        """Order and flips depend only on (seed, epoch), so a resumed run sees exactly the
        batches the interrupted one would have."""
        self.gen.manual_seed(self.seed * 1000003 + epoch)

    def __len__(self):
        total = (len(self.images) + self.batch_size - 1) // self.batch_size
        return (total - self.rank + self.world - 1) // self.world

    def __iter__(self):
        n = len(self.images)
        order = torch.randperm(n, generator=self.gen) if self.shuffle else torch.arange(n)
        flips = torch.rand(n, generator=self.gen) < 0.5
        for b, i in enumerate(range(0, n, self.batch_size)):
            if b % self.world != self.rank:
                continue
            idx = order[i:i + self.batch_size]
            x = self.images[idx].float().div_(255.0)
            if self.augment:
                f = flips[idx]
                x[f] = x[f].flip(3)
            yield x if self.labels is None else (x, self.labels[idx])
