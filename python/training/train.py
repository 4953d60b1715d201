#!/usr/bin/python3
"""Trains gr-securejscc's networks on CIFAR-10, resumably.

  /usr/bin/python3 python/training/train.py --model plain --data ../shared/data/cifar10 \
      --run-dir runs/plain --epochs 200

Every run keeps, in --run-dir: last.pt (model, optimiser, epoch, step, RNG state: a killed
run resumes from it when started again with the same command), best.pt (best validation
PSNR at --val-snr), log.csv (one row per epoch) and args.json. --device cuda trains on a
GPU when one is present.
"""
import argparse
import csv
import json
import math
import os
import sys
import time

import torch
from tqdm import tqdm

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from sjtrain import channel, data, models  # noqa: E402


def build(args):
    if args.model == "plain":
        return models.DeepJSCC(c=args.c, widths=tuple(args.widths))
    raise SystemExit(f"unknown --model {args.model}")


def psnr(x, y):
    mse = (x - y).pow(2).flatten(1).mean(1).clamp_min(1e-10)
    return 10 * torch.log10(1.0 / mse)


@torch.no_grad()
def evaluate(net, batches, snr_db, device):
    net.eval()
    total, n = 0.0, 0
    for x in batches:
        x = x.to(device)
        # Round to 8 bits as the C runtime's output is, so validation PSNR is what users see.
        y = torch.round(net(x, snr_db, channel.awgn) * 255) / 255
        total += psnr(x, y).sum().item()
        n += len(x)
    net.train()
    return total / n


def save(path, state):
    tmp = path + ".tmp"
    torch.save(state, tmp)
    os.replace(tmp, path)  # never leave a half-written checkpoint


def main():
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--model", default="plain", choices=["plain"])
    ap.add_argument("--data", required=True, help="folder with the CIFAR-10 strips (read in place)")
    ap.add_argument("--run-dir", required=True)
    ap.add_argument("--epochs", type=int, default=200)
    ap.add_argument("--batch", type=int, default=64)
    ap.add_argument("--lr", type=float, default=1e-3)
    ap.add_argument("--c", type=int, default=16, help="latent channels (16: rho = 1/6)")
    ap.add_argument("--widths", type=int, nargs=4, default=[16, 32, 32, 32])
    ap.add_argument("--snr-low", type=float, default=0.0)
    ap.add_argument("--snr-high", type=float, default=20.0)
    ap.add_argument("--val-snr", type=float, default=10.0)
    ap.add_argument("--device", default="cpu", help="cpu or cuda")
    ap.add_argument("--threads", type=int, default=0, help="CPU threads (0: torch default)")
    ap.add_argument("--checkpoint-every", type=int, default=200, help="steps between last.pt saves")
    args = ap.parse_args()

    if args.threads:
        torch.set_num_threads(args.threads)
    device = torch.device(args.device)
    os.makedirs(args.run_dir, exist_ok=True)
    last_path = os.path.join(args.run_dir, "last.pt")
    best_path = os.path.join(args.run_dir, "best.pt")

    net = build(args).to(device)
    opt = torch.optim.Adam(net.parameters(), lr=args.lr)
    sched = torch.optim.lr_scheduler.CosineAnnealingLR(opt, T_max=args.epochs, eta_min=args.lr * 0.05)
    epoch, step, best = 0, 0, -math.inf
    if os.path.exists(last_path):
        st = torch.load(last_path, map_location=device)
        net.load_state_dict(st["model"])
        opt.load_state_dict(st["opt"])
        sched.load_state_dict(st["sched"])
        epoch, step, best = st["epoch"], st["step"], st["best"]
        torch.set_rng_state(st["rng"])
        print(f"resumed {last_path}: epoch {epoch}, step {step}, best {best:.2f} dB", flush=True)
    with open(os.path.join(args.run_dir, "args.json"), "w") as f:
        json.dump(vars(args), f, indent=1)

    train = data.Batches(data.load_cifar10(args.data, "train"), args.batch, seed=epoch)
    val = data.Batches(data.load_cifar10(args.data, "val"), 500, shuffle=False, augment=False)
    log_path = os.path.join(args.run_dir, "log.csv")
    new_log = not os.path.exists(log_path)
    log = open(log_path, "a", newline="")
    writer = csv.writer(log)
    if new_log:
        writer.writerow(["epoch", "step", "train_loss", "val_psnr", "lr", "seconds"])

    def state():
        return {"model": net.state_dict(), "opt": opt.state_dict(), "sched": sched.state_dict(), "epoch": epoch,
                "step": step, "best": best, "rng": torch.get_rng_state(), "args": vars(args)}

    # A resumed run skips the batches of its unfinished epoch that it already trained on.
    skip = step - epoch * len(train)
    while epoch < args.epochs:
        t0 = time.time()
        loss_sum, count = 0.0, 0
        bar = tqdm(train, desc=f"epoch {epoch + 1}/{args.epochs}", mininterval=30, file=sys.stdout)
        for i, x in enumerate(bar):
            if i < skip:
                continue
            x = x.to(device)
            snr = channel.sample_snr(len(x), args.snr_low, args.snr_high, device)
            loss = torch.nn.functional.mse_loss(net(x, snr, channel.awgn), x)
            opt.zero_grad(set_to_none=True)
            loss.backward()
            opt.step()
            step += 1
            loss_sum += loss.item()
            count += 1
            bar.set_postfix(loss=f"{loss_sum / count:.5f}", refresh=False)
            if step % args.checkpoint_every == 0:
                save(last_path, state())
        skip = 0
        epoch += 1
        sched.step()
        v = evaluate(net, val, args.val_snr, device)
        if v > best:
            best = v
            save(best_path, {"model": net.state_dict(), "epoch": epoch, "val_psnr": v, "args": vars(args)})
        save(last_path, state())
        writer.writerow([epoch, step, f"{loss_sum / max(count, 1):.6f}", f"{v:.3f}", f"{sched.get_last_lr()[0]:.2e}",
                         f"{time.time() - t0:.0f}"])
        log.flush()
        print(f"epoch {epoch}: train mse {loss_sum / max(count, 1):.5f}, val PSNR @ {args.val_snr:g} dB: {v:.2f} dB "
              f"(best {best:.2f}), {time.time() - t0:.0f} s", flush=True)


if __name__ == "__main__":
    main()
