#!/usr/bin/python3
"""C neural-network runtime vs PyTorch on the same CPU thread count, for the DeepJSCC
encoder + decoder (random weights: timing does not depend on them).

  /usr/bin/python3 bench/bench_nn_vs_torch.py --build-dir build [--threads 1]

Exports the encoder and decoder, times PyTorch (torch.set_num_threads) and the C runtime
(the bench_nn_runtime program, OPENBLAS_NUM_THREADS set to the same count) at 32x32
(batch 1, many iterations) and 768x512, and measures the peak memory of a 768x512 encode in a separate
C process (VmHWM: ru_maxrss of a child on Linux includes its parent's memory at fork). The last line is `c_over_torch_32x32: <ratio>`,
C's images/s over PyTorch's (above 1: C is faster).
"""
import argparse
import os
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "python", "training"))

import torch  # noqa: E402

from sjtrain import export, models  # noqa: E402


def find_program(build_dir):
    for sub in ("lib/nn", "bench", "bench/nn", "."):
        p = os.path.join(build_dir, sub, "bench_nn_runtime")
        if os.path.exists(p):
            return p
    raise SystemExit(f"bench_nn_runtime not found under {build_dir}")


def run_c(prog, h, w, iters, models_, threads):
    env = dict(os.environ, OPENBLAS_NUM_THREADS=str(threads))
    out = subprocess.run([prog, str(h), str(w), str(iters), *models_], env=env, check=True,
                         capture_output=True, text=True).stdout
    return {k.strip(): float(v) for k, v in (line.split(":") for line in out.splitlines())}


@torch.no_grad()
def time_torch(net, h, w, iters):
    x = torch.rand(1, 3, h, w)
    net.decoder(net.encoder(x))  # warm-up (oneDNN primitive creation)
    t0 = time.perf_counter()
    for _ in range(iters):
        net.decoder(net.encoder(x))
    return (time.perf_counter() - t0) / iters


def torch_peak_rss_kb(h, w, threads):
    """Peak RSS of a fresh Python process that imports torch and encodes one image."""
    code = (
        "import sys, torch; sys.path.insert(0, %r);"
        "from sjtrain import models; torch.set_num_threads(%d);"
        "e = models.DeepJSCCEncoder().eval();"
        "torch.set_grad_enabled(False);"
        "e(torch.rand(1, 3, %d, %d));"
        "print([l.split()[1] for l in open('/proc/self/status') if l.startswith('VmHWM')][0])"
    ) % (os.path.join(HERE, "..", "python", "training"), threads, h, w)
    out = subprocess.run([sys.executable, "-c", code], check=True, capture_output=True, text=True)
    return int(out.stdout.strip().splitlines()[-1])


def main():
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--build-dir", default=os.path.join(HERE, "..", "build"))
    ap.add_argument("--threads", type=int, default=1)
    ap.add_argument("--iters-small", type=int, default=300)
    ap.add_argument("--iters-large", type=int, default=5)
    args = ap.parse_args()
    prog = find_program(args.build_dir)
    torch.set_num_threads(args.threads)
    torch.manual_seed(0)
    net = models.DeepJSCC().eval()
    with tempfile.TemporaryDirectory() as tmp:
        enc, dec = os.path.join(tmp, "enc.safetensors"), os.path.join(tmp, "dec.safetensors")
        export.export(net.encoder, enc, channels=3, bandwidth_ratio=1 / 6)
        export.export(net.decoder, dec, channels=16, example_size=(8, 8))
        print(f"DeepJSCC encoder+decoder (c=16), {args.threads} thread(s), "
              f"OpenBLAS threads = torch threads")
        print(f"{'size':>9} {'torch img/s':>12} {'C img/s':>10} {'C GFLOP/s':>10} {'C/torch':>8}")
        ratios = {}
        for (h, w, iters) in ((32, 32, args.iters_small), (512, 768, args.iters_large)):
            t_torch = time_torch(net, h, w, iters)
            c = run_c(prog, h, w, iters, [enc, dec], args.threads)
            ratio = t_torch / c["seconds_per_run"]
            ratios[(h, w)] = ratio
            print(f"{w:>4}x{h:<4} {1 / t_torch:12.2f} {c['images_per_s']:10.2f} "
                  f"{c['gflop_per_s']:10.2f} {ratio:8.2f}")
        peak = run_c(prog, 512, 768, 1, [enc], args.threads)
        torch_peak = torch_peak_rss_kb(512, 768, args.threads)
        print(f"peak memory, 768x512 encode: C {peak['max_rss_kb'] / 1024:.1f} MB "
              f"(plan buffers {peak['plan_bytes'] / 2**20:.1f} MB); "
              f"PyTorch process {torch_peak / 1024:.1f} MB")
        print(f"c_over_torch_768x512: {ratios[(512, 768)]:.3f}")
        print(f"c_over_torch_32x32: {ratios[(32, 32)]:.3f}")


if __name__ == "__main__":
    main()
