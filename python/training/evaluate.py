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
import argparse
import ctypes
import json
import os
import sys
import time

import numpy as np
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import data  # noqa: E402

ROOT = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))


class Core:
    """The few C core calls the evaluation needs, through ctypes."""

    def __init__(self, path):
        self.lib = ctypes.CDLL(path)
        self.lib.sj_last_error.restype = ctypes.c_char_p
        self.lib.sj_awgn_noise_var.restype = ctypes.c_float
        self.lib.sj_awgn_noise_var.argtypes = [ctypes.c_float, ctypes.c_float]

    def check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what}: {self.lib.sj_last_error().decode()}")

    def handle(self):
        return ctypes.c_void_p()


class Network:
    """A model file planned for one image size (plans are cached per size)."""

    def __init__(self, core, path):
        self.core, self.path = core, path
        self.model = core.handle()
        core.check(core.lib.sj_nn_model_load(path.encode(), ctypes.byref(self.model)), path)
        self.plans = {}

    def run(self, x):
        key = x.shape[1:]
        if key not in self.plans:
            plan = self.core.handle()
            self.core.check(self.core.lib.sj_nn_model_plan(self.model, ctypes.c_size_t(key[0]), ctypes.c_size_t(key[1]),
                                                           ctypes.byref(plan)), self.path)
            dims = [ctypes.c_size_t() for _ in range(3)]
            self.core.lib.sj_nn_plan_output_shape(plan, *[ctypes.byref(d) for d in dims])
            self.plans[key] = (plan, tuple(d.value for d in dims))
        plan, shape = self.plans[key]
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.empty(shape, dtype=np.float32)
        self.core.check(self.core.lib.sj_nn_plan_run(plan, x.ctypes.data_as(ctypes.c_void_p),
                                                     y.ctypes.data_as(ctypes.c_void_p)), self.path)
        return y


class PlainScheme:
    """DeepJSCC: encoder -> unit-power complex symbols -> AWGN (sj_awgn) -> decoder."""

    def __init__(self, core, models, seed):
        self.core = core
        self.enc = Network(core, os.path.join(models, "plain_encoder.safetensors"))
        self.dec = Network(core, os.path.join(models, "plain_decoder.safetensors"))
        self.awgn = core.handle()
        core.check(core.lib.sj_awgn_create(ctypes.c_uint64(seed), ctypes.byref(self.awgn)), "awgn")

    def transmit(self, img, snr_db):
        """uint8 HWC image -> (Bob's image, Eve's image)."""
        x = img.transpose(2, 0, 1).astype(np.float32) / 255.0
        z = self.enc.run(x)
        sym = np.ascontiguousarray(z.reshape(-1).view(np.complex64))
        n0 = self.core.lib.sj_awgn_noise_var(ctypes.c_float(snr_db), ctypes.c_float(1.0))
        ptr = sym.ctypes.data_as(ctypes.c_void_p)
        self.core.lib.sj_awgn_apply(self.awgn, ptr, ptr, ctypes.c_size_t(len(sym)), ctypes.c_float(n0))
        y = self.dec.run(sym.view(np.float32).reshape(z.shape))
        out = np.ascontiguousarray(np.clip(np.round(y * 255.0), 0, 255).astype(np.uint8).transpose(1, 2, 0))
        return out, out  # no secret anywhere: Eve decodes exactly as Bob does


def metrics(core, a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)  # the C core reads raw HWC bytes
    h, w, c = a.shape
    p, s = ctypes.c_double(), ctypes.c_double()
    pa, pb = a.ctypes.data_as(ctypes.c_void_p), b.ctypes.data_as(ctypes.c_void_p)
    core.check(core.lib.sj_psnr(pa, pb, w, h, c, ctypes.byref(p)), "psnr")
    core.check(core.lib.sj_ssim(pa, pb, w, h, c, ctypes.byref(s)), "ssim")
    return min(p.value, 100.0), s.value


SCHEMES = {"plain": PlainScheme}


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
    args = ap.parse_args()
    if not args.cifar and not args.kodak:
        ap.error("give --cifar and/or --kodak")
    if not os.path.exists(args.core_lib):
        ap.error(f"core library not found: {args.core_lib} (build first, or pass --core-lib)")
    os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")

    core = Core(args.core_lib)
    scheme = SCHEMES[args.scheme](core, args.models, args.seed)
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
    print(f"({time.time() - t0:.0f} s, scheme {args.scheme}, models {args.models}, seed {args.seed})")
    if args.json:
        with open(args.json, "w") as f:
            json.dump(results, f, indent=1)


if __name__ == "__main__":
    main()
