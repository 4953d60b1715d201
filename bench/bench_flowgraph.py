#!/usr/bin/python3
"""bench_flowgraph: throughput of the full `lwe` and `plain` GNU Radio flowgraphs.

  bench_flowgraph [--models DIR] [--sizes 32x32 768x512] [--schemes plain lwe]
                  [--precisions fp32 bf16]

Each flowgraph is what securejscc-sim builds, without Eve and the metrics:
  image_source (repeat) -> head -> <scheme>_tx -> AWGN (noise_source_c + add_cc, 10 dB)
  -> <scheme>_rx (Bob) -> null_sink
run for a number of frames, timed from start to the last frame out (pipeline fill and
drain included), and also the steady rate between the first and the last frame out with
the first frame's latency (a live radio needs the steady rate; the fill is paid once). Printed per scheme and size: images/s and complex channel symbols/s
(symbols per frame of the TX block times images/s), and the busy time of every block per
image from GNU Radio's performance counters (where the time goes; blocks run in parallel
threads, so the sum can exceed the wall time per image).

Then each end of the link alone, as in an over-the-air run where Alice and Bob each have
a machine of their own (this one) and a USRP: TX alone (image to symbols) and RX alone
(one frame of TX output with its tags and AWGN, repeated, to image), in images/s and
Msym/s. The last line is still the whole flowgraph on one machine.

Reference figures measured in the same run, one thread each, through the C core directly
(ctypes): the 4096-QAM posterior-mean soft demodulator alone (Msym/s), the LWE encryption
and soft decryption alone (per frame), and the encoder and decoder networks alone (images/s).

The lwe and plain models (<scheme>_encoder/_decoder.safetensors) come from --models DIR
when it holds them, else from the shipped models/. The image is python3-skimage's astronaut.png, resized to each
size (timing does not depend on the content).

Every flowgraph runs once per --precisions entry: the network blocks' arithmetic, fp32
(float32 throughout) and bf16 (the Winograd 3x3 convolutions multiplied in bfloat16 where
the CPU has AVX-512 BF16, the blocks' default; docs/model-format.md#precision). The last line reads
`lwe_flowgraph_msyms: <value>`: Msym/s of the lwe flowgraph at 768x512 with the blocks'
default precision, bf16 (target: >= 1, real time for a USRP at 1 MS/s with one sample per
symbol); the line above it, `lwe_flowgraph_msyms_fp32`, the same in float32.
OPENBLAS_NUM_THREADS is 1 (each network block one thread, as securejscc-sim runs them).
"""
import argparse
import ctypes
import math
import os
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
# Filled in by CMake for the build tree's copy (build/bench/bench_flowgraph): the build's
# Python package, the source tree's models/ and the keygen program. "@...@" left as is
# means the script runs from the source tree (then the build/ folder next to it is tried).
BUILD_PYTHONPATH = "@SJ_BENCH_PYTHONPATH@"
DEFAULT_MODELS = "@SJ_BENCH_MODELS_DIR@"
KEYGEN_DIR = "@SJ_BENCH_KEYGEN_DIR@"
if BUILD_PYTHONPATH.startswith("@"):
    BUILD_PYTHONPATH = os.path.join(HERE, os.pardir, "build", "python_root")
    KEYGEN_DIR = os.path.join(HERE, os.pardir, "build", "apps")
if DEFAULT_MODELS.startswith("@"):
    DEFAULT_MODELS = os.path.join(HERE, os.pardir, "models")
if BUILD_PYTHONPATH and os.path.isdir(BUILD_PYTHONPATH):
    sys.path.insert(0, BUILD_PYTHONPATH)

ASTRONAUT = "/usr/lib/python3/dist-packages/skimage/data/astronaut.png"
SNR_DB = 10.0
PARTS = ("encoder", "decoder")
PRECISIONS = ("fp32", "bf16")  # sj_nn_precision, in the enum's order


def parse_size(text):
    try:
        w, h = (int(v) for v in text.lower().split("x"))
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r}: expected WIDTHxHEIGHT, e.g. 768x512")
    if w <= 0 or h <= 0 or w % 4 or h % 4:
        raise argparse.ArgumentTypeError(f"{text!r}: width and height must be positive multiples of 4")
    return w, h


def parse_args(argv):
    p = argparse.ArgumentParser(prog="bench_flowgraph", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--models", metavar="DIR", default="",
                   help="folder with lwe_encoder/lwe_decoder and/or plain_encoder/plain_decoder .safetensors, "
                        f"looked up before the shipped models ({os.path.normpath(DEFAULT_MODELS)})")
    p.add_argument("--schemes", nargs="+", choices=("plain", "lwe"), default=["plain", "lwe"])
    p.add_argument("--sizes", nargs="+", type=parse_size, default=[(32, 32), (768, 512)], metavar="WxH",
                   help="image sizes (default 32x32 768x512)")
    p.add_argument("--seconds", type=float, default=6.0,
                   help="aim for about this long per flowgraph (frames from a first timing; default 6)")
    p.add_argument("--min-frames", type=int, default=8, help="at least this many frames per flowgraph (default 8)")
    p.add_argument("--keygen", help="securejscc-keygen program (default: next to this program, the build, PATH)")
    p.add_argument("--precisions", nargs="+", choices=PRECISIONS, default=list(PRECISIONS),
                   help="network arithmetic of the flowgraphs, each measured in turn (default: fp32 bf16; the "
                   "blocks' default is bf16, docs/model-format.md#precision)")
    return p.parse_args(argv)


# ------------------------------------------------------------------ reference figures (C core)

class CoreRef:
    """Stages of the chain timed alone through the core library the bindings loaded."""

    def __init__(self):
        self.lib = ctypes.CDLL("libsecurejscc-core.so.0")
        self.lib.sj_last_error.restype = ctypes.c_char_p
        self.lib.sj_lwe_pubkey_params.restype = ctypes.c_void_p
        self.lib.sj_lwe_seckey_params.restype = ctypes.c_void_p
        self.lib.sj_lwe_d_length.restype = ctypes.c_size_t
        self.lib.sj_lwe_d_length.argtypes = [ctypes.c_void_p, ctypes.c_size_t, ctypes.c_size_t]
        self.lib.sj_lwe_pubkey_block_length.restype = ctypes.c_size_t
        self.lib.sj_lwe_pubkey_block_length.argtypes = [ctypes.c_void_p]

    def ok(self, st, what):
        if st != 0:
            raise RuntimeError(f"{what}: {self.lib.sj_last_error().decode()}")

    @staticmethod
    def timed(fn, min_seconds=0.5):
        fn()  # warm-up
        n, t0 = 0, time.perf_counter()
        while True:
            fn()
            n += 1
            dt = time.perf_counter() - t0
            if dt >= min_seconds:
                return dt / n

    def softdemod_msyms(self, k):
        import numpy as np
        m, d = ctypes.c_void_p(), ctypes.c_void_p()
        self.ok(self.lib.sj_modem_create(3, ctypes.byref(m)), "modem")  # SJ_MOD_4096QAM
        self.ok(self.lib.sj_softdemod_create(m, ctypes.c_size_t(k), ctypes.byref(d)), "softdemod")
        rng = np.random.default_rng(1)
        idx = rng.integers(0, 4093, k).astype(np.uint16)
        sym = np.empty(k, dtype=np.complex64)
        self.ok(self.lib.sj_modem_map(m, idx.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(k),
                                      sym.ctypes.data_as(ctypes.c_void_p)), "map")
        n0 = 10.0 ** (-SNR_DB / 10.0)
        sym += (rng.normal(0, math.sqrt(n0 / 2), (k, 2)).astype(np.float32).view(np.complex64)).reshape(-1)
        out = np.empty(k, dtype=np.float32)
        args = (d, sym.ctypes.data_as(ctypes.c_void_p), ctypes.c_size_t(k), ctypes.c_float(n0), 0,
                out.ctypes.data_as(ctypes.c_void_p))
        t = self.timed(lambda: self.ok(self.lib.sj_softdemod_posterior_mean(*args), "posterior mean"))
        self.lib.sj_softdemod_destroy(d)
        self.lib.sj_modem_destroy(m)
        return k / t / 1e6

    def lwe_ms(self, pub_path, sec_path, k):
        """(encrypt, soft decrypt) milliseconds per frame of k values."""
        import numpy as np
        pub, sec, enc, dec = (ctypes.c_void_p() for _ in range(4))
        self.ok(self.lib.sj_lwe_pubkey_load(pub_path.encode(), ctypes.byref(pub)), pub_path)
        self.ok(self.lib.sj_lwe_seckey_load(sec_path.encode(), ctypes.byref(sec)), sec_path)
        self.ok(self.lib.sj_lwe_encryptor_create(pub, ctypes.c_size_t(k), ctypes.byref(enc)), "encryptor")
        self.ok(self.lib.sj_lwe_decryptor_create(sec, ctypes.c_size_t(k), ctypes.byref(dec)), "decryptor")
        dl = self.lib.sj_lwe_d_length(self.lib.sj_lwe_pubkey_params(pub), self.lib.sj_lwe_pubkey_block_length(pub), k)
        z = np.random.default_rng(2).integers(0, 4093, k).astype(np.uint16)
        c, d = np.empty(k, dtype=np.uint16), np.empty(dl, dtype=np.uint16)
        cf, zf = np.empty(k, dtype=np.float32), np.empty(k, dtype=np.float32)
        p = lambda a: a.ctypes.data_as(ctypes.c_void_p)  # noqa: E731
        te = self.timed(lambda: self.ok(self.lib.sj_lwe_encrypt(enc, p(z), p(c), p(d)), "encrypt"), 0.3)
        cf[:] = c
        td = self.timed(lambda: self.ok(self.lib.sj_lwe_decrypt_soft(dec, p(cf), p(d), p(zf)), "decrypt"), 0.3)
        self.lib.sj_lwe_encryptor_destroy(enc)
        self.lib.sj_lwe_decryptor_destroy(dec)
        self.lib.sj_lwe_pubkey_destroy(pub)
        self.lib.sj_lwe_seckey_destroy(sec)
        return te * 1e3, td * 1e3

    def network_ms(self, path, h, w, precision):
        """Milliseconds per run of a model file on its input for an h x w image (decoders:
        the latent of that image, planned from the encoder's output shape by the caller),
        planned in precision ("fp32" or "bf16")."""
        import numpy as np
        model, plan = ctypes.c_void_p(), ctypes.c_void_p()
        self.ok(self.lib.sj_nn_model_load(path.encode(), ctypes.byref(model)), path)
        self.ok(self.lib.sj_nn_model_plan_precision(model, ctypes.c_size_t(h), ctypes.c_size_t(w),
                                                    ctypes.c_int(PRECISIONS.index(precision)), ctypes.byref(plan)),
                path)
        dims = [ctypes.c_size_t() for _ in range(6)]
        self.lib.sj_nn_plan_input_shape(plan, *[ctypes.byref(v) for v in dims[:3]])
        self.lib.sj_nn_plan_output_shape(plan, *[ctypes.byref(v) for v in dims[3:]])
        x = np.random.default_rng(3).random(dims[0].value * dims[1].value * dims[2].value).astype(np.float32)
        y = np.empty(dims[3].value * dims[4].value * dims[5].value, dtype=np.float32)
        args = (plan, x.ctypes.data_as(ctypes.c_void_p), y.ctypes.data_as(ctypes.c_void_p))
        t = self.timed(lambda: self.ok(self.lib.sj_nn_plan_run(*args), path), 0.3)
        self.lib.sj_nn_plan_flops.restype = ctypes.c_double
        self.lib.sj_nn_plan_flops.argtypes = [ctypes.c_void_p]
        self.gflops = self.lib.sj_nn_plan_flops(plan) / 1e9
        out = tuple(v.value for v in dims[3:])
        self.lib.sj_nn_plan_destroy(plan)
        self.lib.sj_nn_model_destroy(model)
        return t * 1e3, out


# ------------------------------------------------------------------ the flowgraphs

def find_keygen(explicit):
    for cand in ([explicit] if explicit else []) + [os.path.join(HERE, "securejscc-keygen"),
                                                    os.path.join(KEYGEN_DIR, "securejscc-keygen")]:
        if cand and os.access(cand, os.X_OK):
            return cand
    path = shutil.which("securejscc-keygen")
    if not path:
        raise SystemExit("bench_flowgraph: securejscc-keygen not found (give --keygen)")
    return path


def make_image(tmp, w, h):
    from PIL import Image
    path = os.path.join(tmp, f"img{w}x{h}.png")
    Image.open(ASTRONAUT).convert("RGB").resize((w, h), Image.BICUBIC).save(path)
    return path


def blocks_of(hier):
    """The core-backed and GNU Radio blocks inside a hier block, in chain order."""
    names = ("encoder", "scale", "quantizer", "encrypt", "mapper", "demod", "decrypt", "dequantizer", "unscale",
             "decoder")
    return [(n, getattr(hier, n)) for n in names if getattr(hier, n, None) is not None]


def make_end(scheme, side, w, h, models, keys, n0, precision):
    """The scheme's TX ("tx") or Bob's RX ("rx") hier block, as securejscc-sim builds it."""
    from gnuradio import securejscc
    if scheme == "lwe":
        return (securejscc.lwe_tx(w, h, models["encoder"], keys["pub"], precision=precision) if side == "tx" else
                securejscc.lwe_rx(w, h, models["decoder"], keys["sec"], n0, "medium", precision=precision))
    return (securejscc.plain_tx(w, h, models["encoder"], precision=precision) if side == "tx" else
            securejscc.plain_rx(w, h, models["decoder"], precision=precision))


def run_flowgraph(scheme, image, w, h, models, keys, frames, precision):
    """Runs frames images through TX, channel and Bob's RX. Returns (seconds, symbols per
    frame, {stage: busy seconds per image}, (steady images/s from the first image out to
    the last, seconds to the first image out))."""
    from gnuradio import analog, blocks, gr, securejscc
    n0 = 10.0 ** (-SNR_DB / 10.0)
    tb = gr.top_block()
    src = securejscc.image_source(image, True)
    head = blocks.head(gr.sizeof_char, frames * w * h * 3)
    tx = make_end(scheme, "tx", w, h, models, keys, n0, precision)
    rx = make_end(scheme, "rx", w, h, models, keys, n0, precision)
    noise = analog.noise_source_c(analog.GR_GAUSSIAN, math.sqrt(n0), 1)
    add = blocks.add_cc()
    sink = blocks.null_sink(gr.sizeof_char)
    tb.connect(src, head, tx, (add, 0))
    tb.connect(noise, (add, 1))
    tb.connect(add, rx, sink)
    # The sink's count, polled, gives when the first and the last image came out: the
    # steady rate between them (what a live radio needs) and the first image's latency.
    frame = w * h * 3
    t0 = time.perf_counter()
    tb.start()
    t_first = t_last = None
    while t_last is None:
        n = sink.nitems_read(0)
        now = time.perf_counter()
        if t_first is None and n >= frame:
            t_first = now
        if n >= frames * frame:
            t_last = now
        time.sleep(0.002)
    tb.wait()
    dt = time.perf_counter() - t0
    steady = (frames - 1) / (t_last - t_first) if frames > 1 and t_last > t_first else float("nan")
    tps = gr.high_res_timer_tps()
    busy = {}
    for side, hier in (("tx", tx), ("rx", rx)):
        for name, blk in blocks_of(hier):
            busy[f"{side}.{name}"] = blk.pc_work_time_total() / tps / frames
    busy["channel (noise + add)"] = (noise.pc_work_time_total() + add.pc_work_time_total()) / tps / frames
    busy["source + head"] = (src.pc_work_time_total() + head.pc_work_time_total()) / tps / frames
    return dt, tx.symbols_per_frame(), busy, (steady, t_first - t0)


def run_sides(scheme, image, w, h, models, keys, frames, precision):
    """Each end of a two-machine link alone, as when Alice and Bob each have their own
    computer and USRP: TX (image_source -> head -> <scheme>_tx -> null_sink) and RX (one
    frame of TX output with its tags and AWGN at SNR_DB, repeated by a vector_source ->
    head -> <scheme>_rx -> null_sink). Returns (TX seconds, RX seconds) for frames images."""
    import numpy as np
    from gnuradio import blocks, gr, securejscc
    n0 = 10.0 ** (-SNR_DB / 10.0)

    def make(side):
        return make_end(scheme, side, w, h, models, keys, n0, precision)

    def timed(tb):
        t0 = time.perf_counter()
        tb.run()
        return time.perf_counter() - t0

    tb = gr.top_block()
    tx = make("tx")
    spf = tx.symbols_per_frame()
    src = securejscc.image_source(image, True)
    cap = blocks.vector_sink_c()
    tb.connect(src, blocks.head(gr.sizeof_char, w * h * 3), tx, blocks.head(gr.sizeof_gr_complex, spf), cap)
    tb.run()
    rng = np.random.default_rng(1)
    sym = np.asarray(cap.data(), dtype=np.complex64)
    sym = sym + (rng.standard_normal(spf) + 1j * rng.standard_normal(spf)).astype(np.complex64) * math.sqrt(n0 / 2)
    tags = [t for t in cap.tags() if t.offset < spf]

    tb = gr.top_block()
    tb.connect(securejscc.image_source(image, True), blocks.head(gr.sizeof_char, frames * w * h * 3), make("tx"),
               blocks.null_sink(gr.sizeof_gr_complex))
    t_tx = timed(tb)
    tb = gr.top_block()
    tb.connect(blocks.vector_source_c(sym.tolist(), True, 1, tags), blocks.head(gr.sizeof_gr_complex, frames * spf),
               make("rx"), blocks.null_sink(gr.sizeof_char))
    t_rx = timed(tb)
    return t_tx, t_rx


def openblas_coretype():
    """The OpenBLAS kernel family this CPU's flags allow. OpenBLAS 0.3.21 (Debian bookworm)
    falls back to its generic Prescott kernels on CPU models newer than it knows; measured
    on an Emerald Rapids Xeon (family 6, model 207): the lwe networks 1.5x slower and the
    width-16 lwe flowgraph at half the speed (models/lwe.md)."""
    try:
        with open("/proc/cpuinfo") as f:
            line = next((ln for ln in f if ln.startswith("flags")), "")
    except OSError:
        return None
    flags = set(line.split(":", 1)[-1].split())
    if {"avx512f", "avx512bw", "avx512vl", "avx512dq", "avx512cd"} <= flags:
        return "SkylakeX"
    if {"avx2", "fma"} <= flags:
        return "Haswell"
    return None


def model_paths(scheme, folder):
    paths = {p: os.path.join(folder, f"{scheme}_{p}.safetensors") for p in PARTS}
    missing = [p for p in paths.values() if not os.path.isfile(p)]
    return paths, missing


def main(argv=None):
    args = parse_args(sys.argv[1:] if argv is None else argv)
    os.environ["OPENBLAS_NUM_THREADS"] = "1"
    coretype = None if "OPENBLAS_CORETYPE" in os.environ else openblas_coretype()
    if coretype:  # as securejscc-sim does
        os.environ["OPENBLAS_CORETYPE"] = coretype
    # Performance counters (per-block work time) must be on before the runtime starts.
    os.environ["GR_CONF_PERFCOUNTERS_ON"] = "True"
    try:
        from gnuradio import securejscc  # noqa: F401
    except ImportError as err:
        raise SystemExit(f"bench_flowgraph: cannot import gnuradio.securejscc ({err}); build the module first")
    models = {}
    folders = ([args.models] if args.models else []) + [DEFAULT_MODELS]
    for scheme in args.schemes:
        for folder in folders:
            paths, missing = model_paths(scheme, folder)
            if not missing:
                models[scheme] = paths
                break
        else:
            raise SystemExit(f"bench_flowgraph: {scheme}_encoder/_decoder.safetensors not found in "
                             f"{' or '.join(dict.fromkeys(folders))}: give a folder holding the {scheme} model "
                             "with --models")
    load = os.getloadavg()
    print(f"bench_flowgraph: {os.cpu_count()} CPUs, load average {load[0]:.2f} {load[1]:.2f} {load[2]:.2f} "
          f"(other processes share these cores), OPENBLAS_NUM_THREADS=1, OPENBLAS_CORETYPE={os.environ.get('OPENBLAS_CORETYPE', '(auto)')}, SNR {SNR_DB:g} dB, models {', '.join(sorted(set(os.path.dirname(p['encoder']) for p in models.values())))}")
    ref = CoreRef()
    tmp = tempfile.mkdtemp(prefix="bench-flowgraph-")
    results = {}
    try:
        keys = {}
        if "lwe" in args.schemes:
            prefix = os.path.join(tmp, "lwe")
            subprocess.run([find_keygen(args.keygen), "--scheme", "lwe", "--params", "medium", "--out", prefix],
                           check=True, capture_output=True)
            keys = {"pub": prefix + ".pub", "sec": prefix + ".sec"}
        for w, h in args.sizes:
            image = make_image(tmp, w, h)
            print(f"\n== {w}x{h}")
            for scheme, precision in [(sc, pr) for sc in args.schemes for pr in args.precisions]:
                # Short runs size the timed one to about --seconds (and warm caches up).
                frames = 2
                while True:
                    dt, spf, busy, (steady, latency) = run_flowgraph(scheme, image, w, h, models[scheme], keys,
                                                                     frames, precision)
                    if dt >= 0.5 * args.seconds and frames >= args.min_frames:
                        break
                    frames = max(args.min_frames, min(frames * 50, math.ceil(frames * args.seconds / max(dt, 0.02))))
                ips = frames / dt
                results[scheme, w, h, precision] = (ips, ips * spf)
                print(f"{scheme:5} flowgraph, networks in {precision}: {frames} images in {dt:.2f} s: {ips:.2f} images/s, "
                      f"{ips * spf / 1e6:.3f} Msym/s ({spf} complex symbols per image)")
                print(f"      steady rate from the first image out to the last: {steady:.2f} images/s = "
                      f"{steady * spf / 1e6:.3f} Msym/s; first image out after {latency * 1e3:.0f} ms (pipeline fill)")
                total = sum(busy.values())
                print(f"      busy time per image by block (sum {total * 1e3:.1f} ms, wall {dt / frames * 1e3:.1f} ms):")
                for name, sec in sorted(busy.items(), key=lambda kv: -kv[1]):
                    if sec * 1e3 >= 0.005:
                        print(f"        {name:24} {sec * 1e3:9.3f} ms  {100 * sec / total:5.1f} %")
                t_tx, t_rx = run_sides(scheme, image, w, h, models[scheme], keys, frames, precision)
                print(f"      each end alone (two machines, one per USRP): TX {frames / t_tx:.2f} images/s = "
                      f"{frames / t_tx * spf / 1e6:.3f} Msym/s, RX {frames / t_rx:.2f} images/s = "
                      f"{frames / t_rx * spf / 1e6:.3f} Msym/s")
                # Reference: the same stages alone, one thread, through the core.
                enc_ms, latent = ref.network_ms(models[scheme]["encoder"], h, w, precision)
                enc_gf = ref.gflops
                dec_ms, _ = ref.network_ms(models[scheme]["decoder"], latent[1], latent[2], precision)
                dec_gf = ref.gflops
                print(f"      reference, networks alone: encoder {enc_ms:.2f} ms ({enc_gf:.2f} GFLOP, "
                      f"{enc_gf / enc_ms * 1e3:.1f} GFLOP/s) + decoder {dec_ms:.2f} ms ({dec_gf:.2f} GFLOP, "
                      f"{dec_gf / dec_ms * 1e3:.1f} GFLOP/s) per image = {1e3 / (enc_ms + dec_ms):.2f} images/s "
                      "on one thread")
                if scheme == "lwe" and precision == args.precisions[0]:
                    k = spf
                    e_ms, d_ms = ref.lwe_ms(keys["pub"], keys["sec"], k)
                    sd = ref.softdemod_msyms(k)
                    print(f"      reference, core alone: 4096-QAM soft demodulation {sd:.2f} Msym/s "
                          f"({k / sd / 1e3:.2f} ms per image); LWE medium encrypt {e_ms:.2f} ms, "
                          f"soft decrypt {d_ms:.2f} ms per image (k = {k})")
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    # The last line: the blocks' default precision (bf16) when it ran, after the others.
    last = "bf16" if "bf16" in args.precisions else args.precisions[-1]
    print()
    for precision in [p for p in args.precisions if p != last] + [last]:
        key = ("lwe", 768, 512, precision)
        name = "lwe_flowgraph_msyms" + ("" if precision == last else f"_{precision}")
        print(f"{name}: {results[key][1] / 1e6:.3f}" if key in results else f"{name}: nan (lwe at 768x512 not run)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
