#!/usr/bin/python3
"""Measures shipped models through the C core (the runtime, channel and metrics that users
run), never through PyTorch, and prints the model card's results table.

  /usr/bin/python3 python/training/evaluate.py --scheme plain --models models \\
      --cifar ../shared/data/cifar10 --kodak ../shared/data/kodak --snr 0 5 10 15 20

For every SNR: PSNR and SSIM means over the 1,000 CIFAR-10 test images and the 24 Kodak
images, for Bob and for Eve. Eve receives the same channel output; for `plain` she needs
nothing secret, so her figures equal Bob's (the baseline has no protection).
The core library is build/lib/core/libsecurejscc-core.so unless --core-lib says otherwise.
"""
import os

# One OpenBLAS thread: numpy loads OpenBLAS (the same library the core's networks use) at
# import, with a thread pool that spins in sched_yield on a busy machine; measured here: a
# whole evaluation 10x slower next to two training runs. It must be set before numpy loads.
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

import argparse  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402

import numpy as np  # noqa: E402
from tqdm import tqdm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import data  # noqa: E402
from sjeval.core import Core, Network, metrics  # noqa: E402,F401
from sjeval.plain import PlainScheme  # noqa: E402
from sjeval.srec import SrecNoSrScheme, SrecScheme  # noqa: E402
from sjeval.djescc import DjesccEncryptedScheme, DjesccScheme  # noqa: E402
from sjeval.lwe import LweKeystreamScheme, LweScheme  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))

# scheme name -> class (sjeval/<scheme>.py): (core, models, seed), transmit(img, snr_db)
SCHEMES = {
    "plain": PlainScheme,
    "srec": SrecScheme,  # with srec_sr when the file exists; Eve holds a wrong key
    "srec_nosr": SrecNoSrScheme,  # the same without the super-resolution stage
    "djescc": DjesccScheme,  # Eve: the decoded, still encrypted image y_hat
    "djescc_encrypted": DjesccEncryptedScheme,  # Eve columns: the encrypted image y vs x
    "lwe": LweScheme,  # Eve: every weight and the public key, not S; dequantises the ciphertext
    "lwe_keystream": LweKeystreamScheme,  # LWE-free variant, c = z + keystream mod p; Eve lacks the key
}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--scheme", required=True, choices=sorted(SCHEMES))
    ap.add_argument("--models", default=os.path.join(ROOT, "models"), help="folder of the model files")
    ap.add_argument("--cifar", help="CIFAR-10 strips folder (its 1000 test images are used)")
    ap.add_argument("--kodak", help="Kodak folder (kodim01..24.png)")
    ap.add_argument("--snr", type=float, nargs="+", default=[0, 5, 10, 15, 20])
    ap.add_argument("--cifar-images", type=int, default=1000, help="first N CIFAR-10 test images")
    ap.add_argument("--seed", type=int, default=1, help="channel noise seed")
    ap.add_argument("--core-lib", default=os.path.join(ROOT, "build", "lib", "core", "libsecurejscc-core.so"))
    ap.add_argument("--json", help="also write the figures to this JSON file")
    ap.add_argument("--precision", choices=Core.PRECISIONS, default="fp32",
                    help="arithmetic of the networks (default fp32; bf16: the runtime's bfloat16 Winograd "
                    "products, docs/model-format.md#precision)")
    ap.add_argument("--modulation", choices=("bpsk", "qpsk", "16qam"),
                    help="srec, srec_nosr: modem (default: the one the model was trained for)")
    ap.add_argument("--eve-decrypt", metavar="FILE",
                    help="djescc: Eve decrypts y_hat with this decryption U-Net (a wrong key: another run's "
                    "djescc_decrypt.safetensors) instead of looking at y_hat itself")
    args = ap.parse_args()
    if not args.cifar and not args.kodak:
        ap.error("give --cifar and/or --kodak")
    if not os.path.exists(args.core_lib):
        ap.error(f"core library not found: {args.core_lib} (build first, or pass --core-lib)")

    core = Core(args.core_lib, args.precision)
    if args.modulation and not args.scheme.startswith("srec"):
        ap.error("--modulation is for --scheme srec / srec_nosr")
    options = {"modulation": args.modulation} if args.modulation else {}
    if args.eve_decrypt:
        if args.scheme != "djescc":
            ap.error("--eve-decrypt is for --scheme djescc")
        options["eve_decrypt"] = args.eve_decrypt
    scheme = SCHEMES[args.scheme](core, args.models, args.seed, **options)
    sets = []
    if args.cifar:
        sets.append(("CIFAR-10 test", list(data.load_cifar10(args.cifar, "test")[:args.cifar_images])))
    if args.kodak:
        sets.append(("Kodak", data.load_kodak(args.kodak)))
    results, t0 = [], time.time()
    for name, images in sets:
        for snr in args.snr:
            acc = np.zeros(4)
            for img in tqdm(images, desc=f"{name} @ {snr:g} dB", mininterval=10, file=sys.stderr):
                bob, eve = scheme.transmit(img, snr)
                acc += (*metrics(core, img, bob), *metrics(core, img, eve))
            m = acc / len(images)
            results.append({"set": name, "images": len(images), "snr_db": snr, "psnr_bob": m[0], "ssim_bob": m[1],
                            "psnr_eve": m[2], "ssim_eve": m[3]})
    print(f"| data | SNR dB | Bob PSNR dB | Bob SSIM | Eve PSNR dB | Eve SSIM |")
    print("|---|---:|---:|---:|---:|---:|")
    for r in results:
        print(f"| {r['set']} ({r['images']}) | {r['snr_db']:g} | {r['psnr_bob']:.2f} | {r['ssim_bob']:.4f} | "
              f"{r['psnr_eve']:.2f} | {r['ssim_eve']:.4f} |")
    print(f"({time.time() - t0:.0f} s, scheme {args.scheme}, models {args.models}, seed {args.seed}, "
          f"precision {args.precision})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
