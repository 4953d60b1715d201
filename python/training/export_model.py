#!/usr/bin/python3
"""Exports the networks of a training run to model files the C runtime loads.

  /usr/bin/python3 python/training/export_model.py --run-dir runs/plain --out models/plain \\
      [--checkpoint best.pt] [--trained-on "2-core CPU (Debian bookworm)"]

writes <out>_encoder.safetensors and <out>_decoder.safetensors (and the other parts a
task has: djescc adds _encrypt/_decrypt, srec_sr writes _sr) with the architecture,
config and training facts in their metadata.
"""
import argparse
import json
import os
import sys

import torch

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import export, lwe_chain, models, safetensors_io  # noqa: E402
from sjtrain.parts import PARTS, srec_downsample  # noqa: E402



def bandwidth_ratio(task, args):
    if task in ("plain", "djescc"):
        return args["c"] / 96.0  # c H W / 32 complex symbols over 3 H W values
    if task in ("lwe", "lwe_keystream"):
        return 1.0 / 6.0  # 8 (H/4)(W/4) 4096-QAM symbols over 3 H W values
    if task in ("srec", "srec_sr"):
        bps = {"bpsk": 1, "qpsk": 2, "16qam": 4}[args["modulation"]]
        r = srec_downsample(args)
        return args["c"] * 8 / (16 * r * r) / bps / 3.0
    return None


def earlier_training(prefix, task):
    """The "training" metadata of the model files a run was started from (--init-from
    PREFIX: PREFIX_<part>.safetensors), or {} when they cannot be read."""
    suffix = PARTS[task][0][0]
    try:
        _, meta = safetensors_io.load(f"{prefix}_{suffix}.safetensors")
        return json.loads(meta.get("training", "{}"))
    except (OSError, ValueError):
        return {}


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--checkpoint", default="best.pt")
    ap.add_argument("--out", required=True, help="path prefix of the model files")
    ap.add_argument("--trained-on", default="2-core x86-64 CPU, Debian bookworm, PyTorch 1.13")
    opts = ap.parse_args()

    ckpt = torch.load(os.path.join(opts.run_dir, opts.checkpoint), map_location="cpu")
    args = ckpt["args"]
    task = args["model"]
    if task not in PARTS:
        raise SystemExit(f"{task} runs have nothing to export")
    training = {"task": task, "epochs": ckpt["epoch"], "val_metric": round(float(ckpt.get("val_metric", ckpt.get(
        "val_psnr", float("nan")))), 3), "val_snr_db": args["val_snr"], "snr_train_db": [args["snr_low"], args["snr_high"]],
        "batch": args["batch"], "lr": args["lr"], "trained_on": opts.trained_on,
        "data": "CIFAR-10 training strips 0-44 (45000 images; last 5000 held out)"}
    if args.get("init_from"):
        # A continued run: say what it started from, and the epochs behind that, so the
        # file tells the whole training (models/<name>.md cards quote it).
        training["init_from"] = os.path.basename(args["init_from"])
        earlier = earlier_training(args["init_from"], task)
        training["epochs_before"] = int(earlier.get("epochs", 0)) + int(earlier.get("epochs_before", 0))
    if task in ("lwe", "lwe_keystream"):
        # The runtime (hier_lwe, sjeval/lwe.py) reads these to quantise as the run did: runs
        # older than --guard-levels used all 16 levels, hence the default 0.
        guard = int(args.get("guard_levels", 0))
        training.update({"lwe_params": args["lwe_params"], "lwe_length": args["lwe_length"],
                         "quantizer_levels": lwe_chain.LEVELS, "guard_levels": guard,
                         "latent_to_zp_scale": float(lwe_chain.centroids()[lwe_chain.LEVELS - guard - 1]),
                         # runs older than these options trained through row-major and pm
                         "qam_mapping": args.get("qam_mapping", "row"),
                         "receiver": args.get("receiver", "pm")})
    if task.startswith("srec"):
        training["modulation"] = args["modulation"]
        training["loss"] = args.get("loss", "mse")  # runs older than --loss trained on the MSE
    os.makedirs(os.path.dirname(os.path.abspath(opts.out)), exist_ok=True)
    for suffix, arch, prefix, cfg in PARTS[task]:
        net = models.build_network(arch, **cfg(args))
        state = {k[len(prefix):]: v for k, v in ckpt["model"].items() if k.startswith(prefix)}
        net.load_state_dict(state)
        net.eval()
        path = f"{opts.out}_{suffix}.safetensors"
        meta = {"training": training}
        if suffix == "decoder" and task in ("plain", "djescc"):
            meta["input_range"] = "noisy unit-power complex symbols, channel pairs (re, im)"
        ratio = bandwidth_ratio(task, args)
        if ratio is not None:
            meta["bandwidth_ratio"] = ratio
        export.export_network(net, path, meta)
        print(f"wrote {path} ({arch}, {sum(p.numel() for p in net.parameters())} parameters)")
    r = srec_downsample(args)
    if task == "srec" and r > 1:
        # The receiver without the super-resolution stage upsamples the decoded
        # low-resolution image bilinearly; that stage ships as a model file too.
        net = models.build_network("image_upsample", scale=r)
        path = f"{opts.out}_upsample.safetensors"
        export.export_network(net, path, {"training": {"task": "none: bilinear upsampling, no weights"}})
        print(f"wrote {path} (image_upsample, scale {r})")
    print(json.dumps(training))


if __name__ == "__main__":
    main()
