#!/usr/bin/python3
"""How much of the content a machine still reads in djescc's protected images, through the
C core.

  /usr/bin/python3 python/training/djescc_leakage.py --cifar ../shared/data/cifar10 \\
      --models models --models models/djescc_tradeoff/lambda0 [--snr 10]

PSNR is a weak measure of visual protection: an image with its colours inverted or
remapped has a PSNR of a few dB against the original and still shows everything (see the
Fig. 9 figure of models/djescc.md). This script adds a semantic measure: the accuracy of
the project's frozen CIFAR-10 classifier (models/djescc_classifier.safetensors, the
feature extractor of the djescc losses) on the 1,000 CIFAR-10 test images x, on the
encrypted images y, on Eve's decoded images y_hat and on Bob's x_hat, next to the mean
PSNR of each against x. Chance is 10 %. It is a lower bound on the leakage: an
eavesdropper could train a classifier on protected images, which this one never saw.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: see evaluate.py

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import data  # noqa: E402
from sjeval.chain import to_chw  # noqa: E402
from sjeval.core import Core, Network, metrics  # noqa: E402
from sjeval.djescc import DjesccScheme  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--cifar", required=True, help="CIFAR-10 strips folder (its 1000 test images and labels.txt)")
    ap.add_argument("--models", action="append", help="folder with djescc_*.safetensors (repeatable; default models)")
    ap.add_argument("--classifier", default=os.path.join(ROOT, "models", "djescc_classifier.safetensors"))
    ap.add_argument("--snr", type=float, default=10.0)
    ap.add_argument("--images", type=int, default=1000)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--core-lib", default=os.path.join(ROOT, "build", "lib", "core", "libsecurejscc-core.so"))
    args = ap.parse_args()
    if not os.path.exists(args.core_lib):
        ap.error(f"core library not found: {args.core_lib} (build first, or pass --core-lib)")
    core = Core(args.core_lib)
    clf = Network(core, args.classifier)
    images = data.load_cifar10(args.cifar, "test")[:args.images]
    labels = data.load_cifar10_labels(args.cifar, "test")[:args.images]
    print("| models | image | classifier accuracy % | PSNR vs x dB |")
    print("|---|---|---:|---:|")
    for folder in args.models or [os.path.join(ROOT, "models")]:
        scheme = DjesccScheme(core, folder, args.seed)
        right, psnr = np.zeros(4), np.zeros(4)
        for img, label in tqdm(list(zip(images, labels)), desc=folder, mininterval=10, file=sys.stderr):
            shown = (img, *scheme.stages(img, args.snr))
            for i, im in enumerate(shown):
                right[i] += int(np.argmax(clf.run(to_chw(core, im)).reshape(-1)) == label)
                psnr[i] += metrics(core, img, im)[0] if i else 0.0
        n = len(images)
        for i, what in enumerate(("plain x", "encrypted y", "Eve's decoded y_hat", "Bob's x_hat")):
            print(f"| {folder} | {what} | {100 * right[i] / n:.1f} | {psnr[i] / n:.2f} |" if i else
                  f"| {folder} | {what} | {100 * right[i] / n:.1f} | - |")
    print(f"(CIFAR-10 test, {len(images)} images, AWGN {args.snr:g} dB, seed {args.seed})")


if __name__ == "__main__":
    main()
