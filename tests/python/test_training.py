"""The training pipeline: every task's loss is finite and reaches every trainable weight,
and an interrupted run resumes to exactly the weights of an uninterrupted one."""
import json
import os
import sys
from types import SimpleNamespace

import numpy as np
import pytest

torch = pytest.importorskip("torch")
sys.path.insert(0, os.path.join(os.environ["SJ_SOURCE_DIR"], "python", "training"))
import train  # noqa: E402
from sjtrain import data, safetensors_io, tasks  # noqa: E402


def small_args(tmp_path, **kw):
    args = train.parse_args(["--data", str(tmp_path), "--run-dir", str(tmp_path / "run")])
    for k, v in {"width": 8, "c": 4, **kw}.items():
        setattr(args, k, v)
    return args


@pytest.mark.parametrize("name", ["plain", "lwe", "lwe_keystream", "srec", "classifier"])
def test_task_loss_reaches_every_weight(tmp_path, name):
    torch.manual_seed(0)
    task = tasks.TASKS[name](small_args(tmp_path, c=16 if name == "plain" else 4), torch.device("cpu"))
    x = torch.rand(4, 3, 32, 32)
    batch = (x, torch.tensor([1, 2, 3, 4])) if task.needs_labels else x
    loss = task.loss(batch, step=0)
    assert torch.isfinite(loss)
    loss.backward()
    # A weight with no gradient at all is cut off from the loss (e.g. a chain that forgot
    # its straight-through path). A zero gradient can be legitimate (a PReLU slope whose
    # inputs are all positive at initialisation), so each network's total must be non-zero.
    missing = [n for n, p in task.net.named_parameters() if p.requires_grad and p.grad is None]
    assert not missing, missing
    for part, module in task.net.named_children():
        if not list(module.parameters()):
            continue
        total = sum(p.grad.abs().sum().item() for p in module.parameters() if p.grad is not None)
        assert total > 0, part


def test_half_resolution_srec_codec_and_sr(tmp_path):
    """--downsample 2: the codec's latent is c x H/8 x W/8 (128 bytes for c = 8 at 32x32,
    as c = 2 at full resolution), its loss is against the 2x2-averaged image, validation
    reconstructs at full size through the bilinear upsampler, and srec_sr is a scale-2
    network whose loss reaches every weight."""
    torch.manual_seed(3)
    args = small_args(tmp_path, c=8, downsample=2)
    task = tasks.TASKS["srec"](args, torch.device("cpu"))
    x = torch.rand(4, 3, 32, 32)
    assert task.net.encoder(x).shape == (4, 8, 4, 4)
    lowres = task.forward(x, torch.full((4,), 20.0), 0)
    assert lowres.shape == (4, 3, 16, 16)
    assert task.reconstruct(x, 20.0, 0).shape == x.shape
    # The target is the averaged image: a decoder that output it exactly would have zero loss.
    target = torch.nn.functional.avg_pool2d(x, 2)
    torch.manual_seed(4)
    loss = task.loss(x, 0)
    torch.manual_seed(4)
    snr = tasks.channel.sample_snr(4, args.snr_low, args.snr_high, torch.device("cpu"))
    assert torch.isclose(loss, torch.nn.functional.mse_loss(task.forward(x, snr, 0), target))
    sr = tasks.models.build_network("srec_sr", **tasks.sr_config(vars(args)))
    assert sr(lowres).shape == x.shape and sr.sj_config["scale"] == 2
    sr(lowres).mean().backward()
    assert all(p.grad is not None for p in sr.parameters() if p.requires_grad)


def test_djescc_feature_losses_push_encrypted_image_away(tmp_path):
    torch.manual_seed(1)
    clf = tasks.models.build_network("cifar_classifier")
    torch.save({"model": clf.state_dict()}, tmp_path / "clf.pt")
    args = small_args(tmp_path, c=16, classifier=str(tmp_path / "clf.pt"), lambda_e=0.5, lambda_d=0.5)
    task = tasks.TASKS["djescc"](args, torch.device("cpu"))
    x = torch.rand(4, 3, 32, 32)
    plain_loss = torch.nn.functional.mse_loss(task.forward(x, 10.0, 0), x)
    # With positive lambdas the total is below the reconstruction term alone (eq. 10).
    torch.manual_seed(2)
    total = task.loss(x, 0)
    assert total.item() < plain_loss.item() + 0.05
    # The feature terms are capped, so the total has a floor: a U-Net cannot win by
    # inflating features without bound.
    assert total.item() >= -(args.lambda_e + args.lambda_d) * args.feature_cap
    assert all(not p.requires_grad for p in task.h.parameters())  # the classifier stays frozen


def fake_cifar(monkeypatch):
    rng = np.random.default_rng(0)
    imgs = {"train": rng.integers(0, 256, (96, 32, 32, 3), dtype=np.uint8),
            "val": rng.integers(0, 256, (20, 32, 32, 3), dtype=np.uint8)}
    monkeypatch.setattr(data, "load_cifar10", lambda root, split: imgs[split])


def weights(run_dir):
    st = torch.load(os.path.join(run_dir, "last.pt"))
    return st["model"], st["step"]


def test_resume_is_exact(tmp_path, monkeypatch):
    fake_cifar(monkeypatch)
    torch.set_num_threads(1)
    common = ["--model", "plain", "--data", str(tmp_path), "--batch", "16", "--checkpoint-every", "1000",
              "--val-images", "20"]
    torch.manual_seed(5)
    train.main(common + ["--run-dir", str(tmp_path / "a"), "--epochs", "2"])
    torch.manual_seed(5)
    train.main(common + ["--run-dir", str(tmp_path / "b"), "--epochs", "2", "--stop-after", "1"])
    torch.manual_seed(123)  # the resumed process starts with a different RNG state
    train.main(common + ["--run-dir", str(tmp_path / "b"), "--epochs", "2"])
    wa, sa = weights(tmp_path / "a")
    wb, sb = weights(tmp_path / "b")
    assert sa == sb == 12
    for k in wa:
        assert torch.equal(wa[k], wb[k]), k
    assert (tmp_path / "a" / "log.csv").read_text().count("\n") == 3  # header + 2 epochs


@pytest.mark.parametrize("model", ["lwe", "classifier"])
def test_init_from_exported_models_restores_the_weights(tmp_path, monkeypatch, model):
    """A new machine has no run folder, only the shipped model files: --init-from must put
    the exported networks back into a new run. Compared by output, not by parameter: a
    GDN parameter below its lower bound is stored as the bound (the same effective value)."""
    import export_model
    fake_cifar(monkeypatch)
    if model == "classifier":
        labels = {"train": np.arange(96) % 10, "val": np.arange(20) % 10}
        monkeypatch.setattr(data, "load_cifar10_labels", lambda root, split: labels[split])
    torch.set_num_threads(1)
    common = ["--model", model, "--data", str(tmp_path), "--batch", "16", "--val-images", "20", "--width", "8",
              "--epochs", "1"]
    train.main(common + ["--run-dir", str(tmp_path / "a")])
    monkeypatch.setattr(sys, "argv", ["export_model.py", "--run-dir", str(tmp_path / "a"), "--checkpoint", "last.pt",
                                      "--out", str(tmp_path / "m" / model)])
    export_model.main()
    args = train.parse_args(common + ["--run-dir", str(tmp_path / "b")])
    trained = tasks.TASKS[model](args, torch.device("cpu"))
    trained.net.load_state_dict(weights(tmp_path / "a")[0])
    task = tasks.TASKS[model](args, torch.device("cpu"))
    train.init_from_models(task.net, model, str(tmp_path / "m" / model))
    x = torch.rand(2, 3, 32, 32)
    with torch.no_grad():
        if model == "lwe":
            u = trained.net.encoder(x)
            assert torch.allclose(task.net.encoder(x), u, atol=1e-5)
            assert torch.allclose(task.net.decoder(u), trained.net.decoder(u), atol=1e-5)
        else:
            assert torch.allclose(task.net(x), trained.net(x), atol=1e-5)
    with pytest.raises(SystemExit, match="not found"):
        train.init_from_models(task.net, model, str(tmp_path / "m" / "missing"))
    if model == "lwe":  # a continued run's files say what it started from
        train.main(common + ["--run-dir", str(tmp_path / "c"), "--init-from", str(tmp_path / "m" / model)])
        monkeypatch.setattr(sys, "argv", ["export_model.py", "--run-dir", str(tmp_path / "c"), "--checkpoint",
                                          "last.pt", "--out", str(tmp_path / "n" / model)])
        export_model.main()
        _, meta = safetensors_io.load(str(tmp_path / "n" / "lwe_encoder.safetensors"))
        training = json.loads(meta["training"])
        assert training["init_from"] == "lwe" and training["epochs_before"] == 1 and training["epochs"] == 1


def test_djescc_init_jscc_takes_the_plain_models_and_rounds_to_8_bits(tmp_path, monkeypatch):
    """--init-jscc starts djescc's DeepJSCC from an exported plain model (the U-Nets start
    afresh), and the images between the stages are 8-bit, as the runtime's blocks pass
    them, with the gradient passing straight through the rounding."""
    import export_model
    fake_cifar(monkeypatch)
    torch.set_num_threads(1)
    common = ["--model", "plain", "--data", str(tmp_path), "--batch", "16", "--val-images", "20", "--epochs", "1"]
    train.main(common + ["--run-dir", str(tmp_path / "p")])
    monkeypatch.setattr(sys, "argv", ["export_model.py", "--run-dir", str(tmp_path / "p"), "--checkpoint", "last.pt",
                                      "--out", str(tmp_path / "m" / "plain")])
    export_model.main()
    plain = weights(tmp_path / "p")[0]
    clf = tasks.models.build_network("cifar_classifier")
    torch.save({"model": clf.state_dict()}, tmp_path / "clf.pt")
    train.main(["--model", "djescc", "--data", str(tmp_path), "--run-dir", str(tmp_path / "d"), "--batch", "16",
                "--val-images", "20", "--epochs", "1", "--stop-after", "1", "--limit-batches", "1",
                "--lr", "1e-12", "--classifier", str(tmp_path / "clf.pt"), "--init-jscc", str(tmp_path / "m" / "plain")])
    djescc = weights(tmp_path / "d")[0]
    assert plain and all(torch.allclose(djescc["jscc." + k], v, atol=1e-6) for k, v in plain.items())
    with pytest.raises(SystemExit, match="not found"):
        train.main(["--model", "djescc", "--data", str(tmp_path), "--run-dir", str(tmp_path / "e"),
                    "--classifier", str(tmp_path / "clf.pt"), "--init-jscc", str(tmp_path / "m" / "missing")])
    x = torch.rand(8, 3, 32, 32, requires_grad=True)
    y = tasks.to_8bit(x * 1.2 - 0.1)
    assert torch.equal(y, (y * 255).round() / 255) and y.min() >= 0 and y.max() <= 1
    y.sum().backward()
    assert (x.grad != 0).float().mean() > 0.7  # straight through, except where clamped


def test_srec_sr_follows_an_exported_srec_model_and_sees_8_bit_images(tmp_path, monkeypatch):
    """srec_sr can train on a new machine from the shipped models/srec files (no run
    folder): its frozen JSCC must be exactly those weights, and the image it hands the
    super-resolution network is 8-bit, as the runtime's decoder block outputs it."""
    import export_model
    fake_cifar(monkeypatch)
    torch.set_num_threads(1)
    common = ["--data", str(tmp_path), "--batch", "16", "--val-images", "20", "--epochs", "1", "--c", "4"]
    train.main(["--model", "srec"] + common + ["--run-dir", str(tmp_path / "s")])
    monkeypatch.setattr(sys, "argv", ["export_model.py", "--run-dir", str(tmp_path / "s"), "--checkpoint", "last.pt",
                                      "--out", str(tmp_path / "m" / "srec")])
    export_model.main()
    args = train.parse_args(["--model", "srec_sr"] + common + ["--run-dir", str(tmp_path / "r"),
                                                              "--jscc-checkpoint", str(tmp_path / "m" / "srec")])
    task = tasks.TASKS["srec_sr"](args, torch.device("cpu"))
    trained = weights(tmp_path / "s")[0]
    got = task.jscc.state_dict()
    assert got and all(torch.allclose(got[k], trained[k], atol=1e-6) for k in got)
    assert not any(p.requires_grad for p in task.jscc.parameters())
    seen = []
    monkeypatch.setattr(task, "net", lambda img: seen.append(img) or img)
    task.forward(torch.rand(4, 3, 32, 32), torch.full((4,), 4.0), step=0)
    assert torch.equal(seen[0], (seen[0] * 255).round() / 255)
    args.jscc_checkpoint = str(tmp_path / "m" / "missing")
    with pytest.raises(SystemExit, match="not found"):
        tasks.TASKS["srec_sr"](args, torch.device("cpu"))


def test_psnr_loss_is_mean_per_image_log_mse():
    """--loss psnr: each image's error counts in dB, so one bad image cannot outweigh many
    good ones as it does under the pixel MSE (tasks.image_loss's reason)."""
    target = torch.zeros(2, 3, 4, 4)
    y = target.clone()
    y[0] += 0.1  # MSE 1e-2
    y[1] += 0.001  # MSE 1e-6
    expect = (np.log(1e-2 + 1e-8) + np.log(1e-6 + 1e-8)) / 2
    assert tasks.image_loss(y, target, "psnr").item() == pytest.approx(expect, rel=1e-5)
    assert tasks.image_loss(y, target, "mse").item() == pytest.approx((1e-2 + 1e-6) / 2, rel=1e-5)
    # Halving the small error lowers the psnr loss by about ln(4)/2, the MSE by almost nothing.
    y2 = y.clone()
    y2[1] = 0.0005
    assert tasks.image_loss(y, target, "psnr").item() - tasks.image_loss(y2, target, "psnr").item() == \
        pytest.approx((np.log(1e-6 + 1e-8) - np.log(2.5e-7 + 1e-8)) / 2, rel=1e-4)
    with pytest.raises(ValueError, match="unknown loss"):
        tasks.image_loss(y, target, "l1")
