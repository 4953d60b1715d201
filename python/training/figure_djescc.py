#!/usr/bin/python3
"""Draws a figure like paper 000's Fig. 9 for shipped djescc models, through the C core.

  /usr/bin/python3 python/training/figure_djescc.py --out models/djescc_fig9.png \\
      --models models "lambda 0.05" --models models/djescc_tradeoff/lambda0 "lambda 0"

One row per test image and model: the plain image x, the encrypted image y (what the
encryption U-Net sends into DeepJSCC), Eve's decoded, still encrypted image y_hat, and Bob's
decrypted image x_hat, each titled with its PSNR against x. The images are python3-skimage's
data images (a Debian package), scaled to --size pixels square, so the figure can be made
and shipped without the data sets. The channel is AWGN at --snr dB, seed --seed.
"""
import os

os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")  # before numpy: see evaluate.py

import argparse  # noqa: E402
import sys  # noqa: E402

import numpy as np  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjeval.core import Core, metrics  # noqa: E402
from sjeval.djescc import DjesccScheme  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
IMAGES = ("astronaut", "chelsea", "coffee")


def test_images(size):
    from PIL import Image
    from skimage import data as skdata

    out = []
    for name in IMAGES:
        img = Image.fromarray(getattr(skdata, name)()).convert("RGB")
        side = min(img.size)  # centre square, then scale
        left, top = (img.size[0] - side) // 2, (img.size[1] - side) // 2
        img = img.crop((left, top, left + side, top + side)).resize((size, size), Image.LANCZOS)
        out.append((name, np.asarray(img, dtype=np.uint8).copy()))
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--models", nargs=2, action="append", metavar=("DIR", "LABEL"),
                    help="a folder holding djescc_{encrypt,encoder,decoder,decrypt}.safetensors and its label "
                    "(repeat for several models; default: models, 'shipped')")
    ap.add_argument("--out", required=True, help="PNG to write")
    ap.add_argument("--snr", type=float, default=10.0)
    ap.add_argument("--size", type=int, default=128, help="side of the scaled test images (a multiple of 4)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--core-lib", default=os.path.join(ROOT, "build", "lib", "core", "libsecurejscc-core.so"))
    args = ap.parse_args()
    if args.size % 4:
        ap.error("--size must be a multiple of 4 (the DeepJSCC encoder halves the image twice)")
    if not os.path.exists(args.core_lib):
        ap.error(f"core library not found: {args.core_lib} (build first, or pass --core-lib)")
    models = args.models or [(os.path.join(ROOT, "models"), "shipped")]

    import matplotlib
    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    core = Core(args.core_lib)
    images = test_images(args.size)
    rows = [(name, img, d, label) for d, label in models for name, img in images]
    fig, axes = plt.subplots(len(rows), 4, figsize=(8, 2.15 * len(rows)), squeeze=False)
    columns = ("plain x", "encrypted y", "Eve: decoded y_hat", "Bob: decrypted x_hat")
    for r, (name, img, folder, label) in enumerate(rows):
        scheme = DjesccScheme(core, folder, args.seed)
        y, y_hat, x_hat = scheme.stages(img, args.snr)
        for c, shown in enumerate((img, y, y_hat, x_hat)):
            ax = axes[r][c]
            ax.imshow(shown)
            ax.set_xticks([])
            ax.set_yticks([])
            title = columns[c] if r == 0 else ""
            if c:
                psnr, ssim = metrics(core, img, shown)
                title = (title + "\n" if title else "") + f"{psnr:.1f} dB, SSIM {ssim:.2f}"
                print(f"{label:>14} {name:>10} {columns[c]:>22}: PSNR {psnr:6.2f} dB  SSIM {ssim:.3f}")
            ax.set_title(title, fontsize=8)
        axes[r][0].set_ylabel(f"{label}\n{name}", fontsize=8)
    fig.suptitle(f"djescc through the C core, AWGN {args.snr:g} dB", fontsize=10)
    fig.tight_layout(rect=(0, 0, 1, 1 - 0.35 / fig.get_figheight()))  # room for the title
    fig.savefig(args.out, dpi=90)
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
