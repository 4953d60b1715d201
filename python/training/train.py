#!/usr/bin/python3
"""Trains gr-securejscc's networks on CIFAR-10, resumably.

  /usr/bin/python3 python/training/train.py --model plain --data ../shared/data/cifar10 \\
      --run-dir runs/plain --epochs 200

Models (sjtrain/tasks.py): plain, lwe, lwe_keystream, srec, srec_sr (needs
--jscc-checkpoint), classifier, djescc (needs --classifier). Every run keeps, in --run-dir:
last.pt (networks, optimiser, schedule, epoch, step: a killed run resumes from it when the
same command is started again), best.pt (best validation PSNR at --val-snr), log.csv (one
row per epoch) and args.json.

Hardware: --device cuda for one GPU; several GPUs or machines with
  torchrun --nproc_per_node=N python/training/train.py ... --device cuda
(each process takes every N-th batch, gradients are averaged across processes, rank 0
writes the run folder). Debian's torchrun (torch 1.13 on Python 3.11) fails inside its own
launcher; start the processes with the variables torchrun would set instead:
  for r in 0 1; do MASTER_ADDR=127.0.0.1 MASTER_PORT=29500 WORLD_SIZE=2 RANK=$r LOCAL_RANK=$r \
      /usr/bin/python3 python/training/train.py ... & done; wait
On CPU, --threads sets torch's thread count.
"""
import os
import sys

# OpenBLAS keeps a thread pool of its own that torch.set_num_threads does not size; on a
# busy machine its idle threads spin in sched_yield and take whole cores from the other
# runs (seen here: an srec run slowed 15-fold next to an lwe run). It must be sized before
# torch loads it.
if "--threads" in sys.argv[1:-1]:
    os.environ.setdefault("OPENBLAS_NUM_THREADS", sys.argv[sys.argv.index("--threads") + 1])

import argparse  # noqa: E402
import csv  # noqa: E402
import json  # noqa: E402
import math  # noqa: E402
import time  # noqa: E402

import torch  # noqa: E402
import torch.distributed as dist  # noqa: E402
from tqdm import tqdm  # noqa: E402

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import data, tasks  # noqa: E402
from sjtrain.parts import PARTS, load_parts  # noqa: E402


def evaluate(task, batches, step):
    task.net.eval()
    value = task.validate(batches, step)
    task.net.train()
    return value


def save(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def init_from_models(net, task, prefix):
    """Loads the exported parts of a task (sjtrain/parts.py) into its networks."""
    if task not in PARTS:
        raise SystemExit(f"--init-from: {task} runs have no exported parts")
    load_parts(net, prefix, [(suffix, key_prefix) for suffix, _, key_prefix, _ in PARTS[task]], "--init-from")


def parse_args(argv=None):
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="plain", choices=sorted(tasks.TASKS))
    ap.add_argument("--data", required=True, help="folder with the CIFAR-10 strips (read in place)")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--c", type=int, default=16, help="latent channels (plain: 16 gives rho = 1/6; srec: 4)")
    ap.add_argument("--widths", type=int, nargs=4, default=[16, 32, 32, 32], help="plain: conv widths")
    ap.add_argument("--width", type=int, default=32, help="lwe: residual block width (paper: 256)")
    ap.add_argument("--lwe-params", default="medium", choices=["toy", "low", "medium", "high"])
    ap.add_argument("--lwe-length", type=int, default=512, help="LWE block length l")
    ap.add_argument("--guard-levels", type=int, default=2,
                    help="lwe: top quantiser levels never sent (sjtrain/lwe_chain.py GUARD_LEVELS)")
    ap.add_argument("--qam-mapping", default="row", choices=["row", "hilbert"],
                    help="lwe: bijection between Z_p and the 4096-QAM grid (include/securejscc/modem.h)")
    ap.add_argument("--receiver", default="pm", choices=["pm", "joint", "joint_spread"],
                    help="lwe: pm = posterior-mean demodulation, decryption, soft dequantiser (the paper); "
                         "joint = Bob's posterior over the levels from y and his offset "
                         "(include/securejscc/zp_posterior.h); joint_spread = joint, and the decoder "
                         "also takes the posterior's standard deviation (twice the input channels; "
                         "--init-from a joint model starts with zero weights on them)")
    ap.add_argument("--key-seed", type=int, default=1, help="seed of the training-only LWE key")
    ap.add_argument("--modulation", default="qpsk", choices=["bpsk", "qpsk", "16qam"], help="srec modem")
    ap.add_argument("--downsample", type=int, default=1,
                    help="srec, srec_sr: code the image at 1/N resolution; the super-resolution stage scales by N")
    ap.add_argument("--mosaic", action="store_true",
                    help="srec, srec_sr: train half of each batch on 2x2 mosaics of CIFAR images, so that "
                         "half-resolution networks also learn the interior of large images")
    ap.add_argument("--sr-blocks", type=int, default=0, help="srec_sr: residual dense blocks (0: the default, 4)")
    ap.add_argument("--sr-growth", type=int, default=0, help="srec_sr: growth rate (0: the default, 32)")
    ap.add_argument("--jscc-checkpoint", help="srec_sr: best.pt of the srec run whose decoder it follows")
    ap.add_argument("--classifier", help="djescc: best.pt of the classifier run, or its exported "
                    "models/djescc_classifier.safetensors (frozen feature extractor)")
    ap.add_argument("--lambda-e", type=float, default=0.05, help="djescc: weight of the encrypted-image feature loss")
    ap.add_argument("--lambda-d", type=float, default=0.05, help="djescc: weight of the decoded-image feature loss")
    ap.add_argument("--unet-width", type=int, default=16,
                    help="djescc: width of the encryption and decryption U-Nets (16 trains 3x faster than 32 here)")
    ap.add_argument("--feature-cap", type=float, default=1.0,
                    help="djescc: cap of the relative feature distances L_e, L_d (sjtrain/tasks.py)")
    ap.add_argument("--loss", default="mse", choices=["mse", "psnr"],
                    help="srec, srec_sr: pixel MSE, or the mean per-image log MSE (-PSNR; see tasks.image_loss)")
    ap.add_argument("--snr-low", type=float, default=0.0)
    ap.add_argument("--snr-high", type=float, default=20.0)
    ap.add_argument("--val-images", type=int, default=5000, help="validate on the first N of the 5000 held out")
    ap.add_argument("--val-snr", type=float, default=10.0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch default)")
    ap.add_argument("--checkpoint-every", type=int, default=200, help="steps between last.pt saves")
    ap.add_argument("--init-from", metavar="PREFIX",
                    help="start a new run (no last.pt yet) from exported model files PREFIX_<part>.safetensors, "
                    "e.g. models/lwe: continues training shipped weights on a machine without the run folder "
                    "(optimiser state starts afresh)")
    ap.add_argument("--init-jscc", metavar="PREFIX",
                    help="djescc: start a new run's DeepJSCC from a plain model, PREFIX_encoder/_decoder.safetensors "
                    "(e.g. models/plain); the U-Nets start afresh")
    ap.add_argument("--stop-after", type=int, default=0,
                    help="leave after this many epochs of this process (resume later with the same command)")
    ap.add_argument("--limit-batches", type=int, default=0, help="stop each epoch after N batches (smoke tests)")
    return ap.parse_args(argv)


def main(argv=None):
    args = parse_args(argv)
    world = int(os.environ.get("WORLD_SIZE", "1"))
    rank = int(os.environ.get("RANK", "0"))
    if world > 1:
        dist.init_process_group("nccl" if args.device == "cuda" else "gloo")
    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(f"cuda:{int(os.environ.get('LOCAL_RANK', 0))}" if args.device == "cuda" else args.device)
    main_proc = rank == 0
    os.makedirs(args.run_dir, exist_ok=True)
    last_path = os.path.join(args.run_dir, "last.pt")
    best_path = os.path.join(args.run_dir, "best.pt")

    task = tasks.TASKS[args.model](args, device)
    net = task.net
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=args.lr * 0.05)
    epoch, step, best = 0, 0, -math.inf
    if os.path.exists(last_path):
        st = torch.load(last_path, map_location=device)
        net.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        epoch, step, best = st["epoch"], st["step"], st["best"]
        if "rng" in st:
            torch.set_rng_state(st["rng"])
        if main_proc:
            print(f"resumed {last_path}: epoch {epoch}, step {step}, best {best:.2f} dB", flush=True)
    elif args.init_from:
        init_from_models(net, args.model, args.init_from)
        if main_proc:
            print(f"initialised from {args.init_from}_*.safetensors", flush=True)
    elif args.init_jscc:
        if args.model != "djescc":
            raise SystemExit("--init-jscc is for --model djescc")
        load_parts(net, args.init_jscc, [("encoder", "jscc.encoder."), ("decoder", "jscc.decoder.")], "--init-jscc")
        if main_proc:
            print(f"DeepJSCC initialised from {args.init_jscc}_{{encoder,decoder}}.safetensors", flush=True)
    if world > 1:
        # Tasks call their networks' parts (encoder, chain, decoder), not one forward, so
        # instead of a DistributedDataParallel wrapper the gradients are averaged by hand
        # after each backward pass; every process starts from rank 0's weights.
        for p_ in net.state_dict().values():
            dist.broadcast(p_, 0)
    if main_proc:
        with open(os.path.join(args.run_dir, "args.json"), "w") as f:
            json.dump(vars(args), f, indent=1)

    labels = {split: data.load_cifar10_labels(args.data, split) if task.needs_labels else None
              for split in ("train", "val")}
    train = data.Batches(data.load_cifar10(args.data, "train"), args.batch, rank=rank, world=world,
                         labels=labels["train"])
    val_x = data.load_cifar10(args.data, "val")[:args.val_images]
    val_y = None if labels["val"] is None else labels["val"][:args.val_images]
    val = data.Batches(val_x, 500, shuffle=False, augment=False, labels=val_y)
    per_epoch = min(len(train), args.limit_batches) if args.limit_batches else len(train)
    writer = None
    if main_proc:
        log_path = os.path.join(args.run_dir, "log.csv")
        new_log = not os.path.exists(log_path)
        log = open(log_path, "a", newline="")
        writer = csv.writer(log)
        if new_log:
            writer.writerow(["epoch", "step", "train_loss", "val_metric", "lr", "seconds"])

    def state():
        return {"model": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch,
                "step": step, "best": best, "args": vars(args), "rng": torch.get_rng_state()}

    # A resumed run skips the batches of its unfinished epoch that it already trained on;
    # set_epoch makes the order the same as the interrupted run's.
    skip = step - epoch * per_epoch
    stop_at = min(args.epochs, epoch + args.stop_after) if args.stop_after else args.epochs
    while epoch < stop_at:
        t0 = time.time()
        train.set_epoch(epoch)
        loss_sum, count = 0.0, 0
        bar = tqdm(train, total=per_epoch, desc=f"epoch {epoch + 1}/{args.epochs}", mininterval=30, file=sys.stdout,
                   disable=not main_proc)
        for i, x in enumerate(bar):
            if i >= per_epoch:
                break
            if i < skip:
                continue
            batch = tuple(t.to(device) for t in x) if isinstance(x, tuple) else x.to(device)
            loss = task.loss(batch, step)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            if world > 1:
                for p_ in net.parameters():
                    if p_.grad is not None:
                        dist.all_reduce(p_.grad)
                        p_.grad /= world
            opt.step()
            step += 1
            loss_sum += loss.item()
            count += 1
            bar.set_postfix(loss=f"{loss_sum / count:.5f}", refresh=False)
            if main_proc and step % args.checkpoint_every == 0:
                save(last_path, state())
        skip = 0
        epoch += 1
        sched.step()
        if not main_proc:
            continue
        v = evaluate(task, val, step)
        if v > best:
            best = v
            save(best_path, {"model": net.state_dict(), "epoch": epoch, "val_metric": v, "args": vars(args)})
        save(last_path, state())
        writer.writerow([epoch, step, f"{loss_sum / max(count, 1):.6f}", f"{v:.3f}", f"{sched.get_last_lr()[0]:.2e}",
                         f"{time.time() - t0:.0f}"])
        log.flush()
        print(f"epoch {epoch}: train loss {loss_sum / max(count, 1):.5f}, {task.metric} @ {args.val_snr:g} dB: {v:.2f} "
              f"(best {best:.2f}), {time.time() - t0:.0f} s", flush=True)
    if world > 1:
        dist.destroy_process_group()


if __name__ == "__main__":
    main()
