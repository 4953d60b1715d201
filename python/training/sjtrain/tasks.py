"""What each training run optimises: one Task per scheme stage.

A task owns its networks (one nn.Module holding every trainable part, so one optimiser
and one checkpoint cover them), computes the training loss of a batch, and reconstructs
images for validation. train.py is the loop around it; it knows nothing of schemes.

  plain          DeepJSCC (Bourtsoulatze et al.) over AWGN, SNR uniform in a range
  lwe            DeepJSCEC encoder/decoder through the real LWE chain (lwe_chain.py)
  lwe_keystream  the same networks through the LWE-free keystream variant (mod p)
  srec           convolutional JSCC through the srec byte / mod-256 / modem chain
  srec_sr        the super-resolution stage on the outputs of a trained, frozen srec JSCC
  classifier     the CIFAR-10 classifier whose features drive the djescc losses
  djescc         encryption U-Net, DeepJSCC and decryption U-Net with the feature losses
                 of paper 000, eqs. (7)-(10), against a trained, frozen classifier

Batches are image tensors, or (images, labels) for tasks with needs_labels.
"""
import torch
from torch import nn

from . import channel, lwe_chain, models, srec_chain
from .parts import load_parts, srec_downsample


class Task:
    name = ""
    needs_labels = False
    metric = "val PSNR"

    def __init__(self, args, device):
        self.args = args
        self.device = device
        self.net = self.build().to(device)

    def build(self):
        raise NotImplementedError

    def forward(self, x, snr_db, step):
        raise NotImplementedError

    def loss(self, x, step):
        snr = channel.sample_snr(len(x), self.args.snr_low, self.args.snr_high, self.device)
        return nn.functional.mse_loss(self.forward(x, snr, step), x)

    @torch.no_grad()
    def reconstruct(self, x, snr_db, step):
        return self.forward(x, snr_db, step)

    @torch.no_grad()
    def validate(self, batches, step):
        """Mean PSNR at --val-snr of 8-bit rounded reconstructions (what the C runtime's
        users see); higher is better, as for every task's metric."""
        total, n = 0.0, 0
        for x in batches:
            x = x.to(self.device)
            y = torch.round(self.reconstruct(x, self.args.val_snr, step).clamp(0, 1) * 255) / 255
            mse = (x - y).pow(2).flatten(1).mean(1).clamp_min(1e-10)
            total += (10 * torch.log10(1.0 / mse)).sum().item()
            n += len(x)
        return total / n


def load_frozen(module, path, device, prefix=None):
    """Loads a best.pt / last.pt of another run (optionally only the keys under prefix),
    or an exported model file (.safetensors, e.g. models/djescc_classifier.safetensors),
    into module and freezes it."""
    if path.endswith(".safetensors"):
        from .export import load_network
        state = load_network(path)[0].state_dict()
        prefix = None
    else:
        state = torch.load(path, map_location=device)["model"]
    if prefix:
        state = {k[len(prefix):]: v for k, v in state.items() if k.startswith(prefix)}
    module.load_state_dict(state)
    return freeze(module)


def freeze(module):
    for p in module.parameters():
        p.requires_grad_(False)
    return module.eval()


class PlainTask(Task):
    name = "plain"

    def build(self):
        # The module layout (encoder/decoder of models.DeepJSCC) is what checkpoints of
        # earlier runs hold, so it stays exactly this.
        return models.DeepJSCC(c=self.args.c, widths=tuple(self.args.widths))

    def forward(self, x, snr_db, step):
        return self.net(x, snr_db, channel.awgn)


class EncoderDecoder(nn.Module):
    def __init__(self, encoder, decoder):
        super().__init__()
        self.encoder = encoder
        self.decoder = decoder


class LweTask(Task):
    """DeepJSCEC (paper 001): the encoder's sigmoid output u in (0, 1) goes to Z_p as
    u * q_top, q_top = q_{N-1-G} with G = --guard-levels; the chain returns the
    dequantised latent in Z_p units, divided by q_top for the decoder
    (models.DeepJSCECEncoder docstring)."""
    name = "lwe"
    encrypt = True

    def build(self):
        cfg = {"width": self.args.width, "c_out": 8}
        self.used = lwe_chain.LEVELS - self.args.guard_levels
        self.top = float(lwe_chain.centroids()[self.used - 1])
        self.key = lwe_chain.LweKey.generate(self.args.lwe_params, l=self.args.lwe_length,
                                             generator=torch.Generator().manual_seed(self.args.key_seed),
                                             device=self.device) if self.encrypt else None
        return EncoderDecoder(models.build_network("deepjscec_encoder", **cfg),
                              # joint_spread: the decoder also takes the posterior's spread, 2 x 8 channels
                              models.build_network("deepjscec_decoder", **cfg,
                                                   spread=getattr(self.args, "receiver", "pm") == "joint_spread"))

    def forward(self, x, snr_db, step):
        u = self.net.encoder(x)
        shape = u.shape
        z = u.flatten(1) * self.top
        z_hat = lwe_chain.lwe_chain(z, self.key, snr_db, lwe_chain.sigma_q_schedule(step), encrypt=self.encrypt,
                                    used=self.used, mapping=getattr(self.args, "qam_mapping", "row"),
                                    receiver=getattr(self.args, "receiver", "pm"))
        return self.net.decoder(lwe_chain.decoder_input(z_hat, self.top, shape))

    def loss(self, x, step):
        # Paper 001 trains at one SNR (SNR_train 10 or 20 dB): --snr-low = --snr-high.
        return super().loss(x, step)


class LweKeystreamTask(LweTask):
    name = "lwe_keystream"
    encrypt = False


def mosaic_split(x, use):
    """With --mosaic: the batch as [its first half, 2 x 2 mosaics of the rest] (the second
    part has a quarter as many images, each twice the size); else [x]. Why: at half
    resolution a 32x32 image is 16x16 and the latent 4x4, so every position the 5x5
    layers see touches the zero padding; a network trained only on that never meets the
    interior of a large image and gives it garbage (measured: the half-resolution codec
    at 8.3 dB on the 512x512 astronaut, 17-18 dB on CIFAR). Mosaics give it interior
    positions; the seams between their tiles are the price."""
    if not use:
        return [x]
    half = len(x) // 2
    rest = x[half:half + (len(x) - half) // 4 * 4]
    parts = [x[:half]] if half else []
    if len(rest):
        b, c, h, w = rest.shape
        parts.append(rest.view(b // 4, 2, 2, c, h, w).permute(0, 3, 1, 4, 2, 5).reshape(b // 4, c, 2 * h, 2 * w))
    return parts


def image_loss(y, target, kind="mse"):
    """The batch's loss. "mse": the mean squared error over all pixels. "psnr": the mean
    over images of ln(per-image MSE), i.e. -PSNR up to a scale: why: with SNRs drawn per
    image, the MSE is dominated by the worst links, so a restoration stage trained on it
    gives away quality on the nearly error-free images that make up most of a moderate
    SNR; the log weighs every image's dB alike, as the PSNR tables do."""
    if kind == "mse":
        return nn.functional.mse_loss(y, target)
    if kind == "psnr":
        return torch.log((y - target).pow(2).flatten(1).mean(1) + 1e-8).mean()
    raise ValueError(f"unknown loss {kind!r} (mse or psnr)")


def mosaic_loss(task, x, step, target_fn):
    """Mean of the losses (image_loss, --loss) of task.forward on each part of
    mosaic_split(x), weighted by pixels, against target_fn(part)."""
    total, pixels = 0.0, 0
    kind = getattr(task.args, "loss", "mse")
    for part in mosaic_split(x, getattr(task.args, "mosaic", False)):
        snr = channel.sample_snr(len(part), task.args.snr_low, task.args.snr_high, task.device)
        n = part.numel()
        total = total + image_loss(task.forward(part, snr, step), target_fn(part), kind) * n
        pixels += n
    return total / pixels


class SrecTask(Task):
    """SREC JSCC trained through the byte quantiser, the mod-256 keystream and hard
    decisions of the chosen modem (srec_chain.py). With --downsample r > 1 the codec
    carries the image at 1/r resolution (r x r average pooling in the encoder) and is
    trained to reconstruct that low-resolution image; validation measures what a receiver
    without the super-resolution stage sees: the 8-bit decoded image upsampled
    bilinearly (models.ImageUpsample) against the full-resolution original."""
    name = "srec"

    def build(self):
        r = srec_downsample(self.args)
        self.upsample = models.ImageUpsample(r) if r > 1 else None
        cfg = {"c": self.args.c, "downsample": r}
        return EncoderDecoder(models.build_network("srec_encoder", **cfg),
                              models.build_network("srec_decoder", **cfg))

    def forward(self, x, snr_db, step):
        """The decoded image (1/r resolution)."""
        f = self.net.encoder(x)
        shape = f.shape
        f_hat = srec_chain.srec_chain(f.flatten(1), self.args.modulation, snr_db)
        return self.net.decoder(f_hat.view(shape))

    def loss(self, x, step):
        # The encoder's own pooling gives the low-resolution target (none at r = 1).
        pool = self.net.encoder.pool
        return mosaic_loss(self, x, step, lambda part: pool(part) if pool is not None else part)

    @torch.no_grad()
    def reconstruct(self, x, snr_db, step):
        y = self.forward(x, snr_db, step)
        return self.upsample(to_8bit(y)) if self.upsample is not None else y


class SrecSrTask(Task):
    """Trains only the super-resolution network, on what Bob's frozen srec decoder outputs
    through the real chain at SNRs drawn from [--snr-low, --snr-high]."""
    name = "srec_sr"

    def build(self):
        path = self.args.jscc_checkpoint
        if not path:
            raise SystemExit("srec_sr needs --jscc-checkpoint (best.pt of an srec run, "
                             "or the prefix of exported files such as models/srec)")
        jscc = SrecTask.build(self)
        if path.endswith(".pt"):
            self.jscc = load_frozen(jscc, path, self.device)
        else:  # exported PREFIX_encoder / PREFIX_decoder.safetensors
            load_parts(jscc, path, [("encoder", "encoder."), ("decoder", "decoder.")], "--jscc-checkpoint")
            self.jscc = freeze(jscc)
        # Scale r: the codec's resolution divisor (1: enhancement at the same size).
        return models.build_network("srec_sr", **sr_config(self.args))

    def forward(self, x, snr_db, step):
        with torch.no_grad():
            decoded = SrecTask.forward(self._jscc_view(), x, snr_db, step)
            # The runtime hands the super-resolution stage an 8-bit image.
            decoded = to_8bit(decoded)
        return self.net(decoded)

    def loss(self, x, step):
        return mosaic_loss(self, x, step, lambda part: part)

    def _jscc_view(self):
        view = type("JsccView", (), {})()
        view.net, view.args = self.jscc, self.args
        return view


class ClassifierTask(Task):
    name = "classifier"
    needs_labels = True
    metric = "val accuracy %"

    def build(self):
        return models.build_network("cifar_classifier")

    def loss(self, batch, step):
        x, y = batch
        return nn.functional.cross_entropy(self.net(x), y.to(self.device))

    @torch.no_grad()
    def validate(self, batches, step):
        right, n = 0, 0
        for x, y in batches:
            right += (self.net(x.to(self.device)).argmax(1).cpu() == y).sum().item()
            n += len(y)
        return 100.0 * right / n


def sr_config(args):
    """The srec_sr network's config from a run's args (a dict or a namespace): scale =
    the codec's --downsample; --sr-blocks/--sr-growth size it (defaults: the network's)."""
    a = args if isinstance(args, dict) else vars(args)
    cfg = {"scale": srec_downsample(a)}
    for opt, key in (("sr_blocks", "blocks"), ("sr_growth", "growth")):
        if a.get(opt):
            cfg[key] = int(a[opt])
    return cfg


def to_8bit(img):
    """Rounds an image in [0, 1] to 256 levels; the gradient passes straight through."""
    img = img.clamp(0, 1)
    return img + ((img * 255).round() / 255 - img).detach()


class DjesccNets(nn.Module):
    def __init__(self, encrypt, jscc, decrypt):
        super().__init__()
        self.encrypt = encrypt
        self.jscc = jscc
        self.decrypt = decrypt


class DjesccTask(Task):
    """Paper 000: L_total = L_r - lambda_e L_e - lambda_d L_d (eq. 10) with L_r the MSE of
    the decrypted image (eq. 9), L_e and L_d the mean squared feature distances of the
    encrypted image y and the decoded image y_hat from the plain image x (eqs. 7-8;
    relative and capped here, see feature_distance),
    features from the frozen classifier (--classifier, best.pt of a classifier run)."""
    name = "djescc"

    def build(self):
        if not self.args.classifier:
            raise SystemExit("djescc needs --classifier (best.pt of a classifier run)")
        self.h = load_frozen(models.build_network("cifar_classifier"), self.args.classifier, self.device)
        w = self.args.unet_width
        return DjesccNets(models.build_network("djescc_encrypt", width=w),
                          models.DeepJSCC(c=self.args.c, widths=tuple(self.args.widths)),
                          models.build_network("djescc_decrypt", width=w))

    def stages(self, x, snr_db):
        # The runtime passes y and y_hat between the blocks as 8-bit images
        # (image_model's uint8 items); rounding them here, straight-through, keeps the
        # U-Nets from hiding the image in fractions of a grey level that the blocks drop.
        y = to_8bit(self.net.encrypt(x))
        y_hat = to_8bit(self.net.jscc(y, snr_db, channel.awgn))
        return y, y_hat, self.net.decrypt(y_hat)

    def forward(self, x, snr_db, step):
        return self.stages(x, snr_db)[2]

    def loss(self, x, step):
        snr = channel.sample_snr(len(x), self.args.snr_low, self.args.snr_high, self.device)
        y, y_hat, x_hat = self.stages(x, snr)
        hx = self.h.features(x)
        return (nn.functional.mse_loss(x_hat, x) - self.args.lambda_e * self.feature_distance(hx, y)
                - self.args.lambda_d * self.feature_distance(hx, y_hat))

    def feature_distance(self, hx, img):
        """L_e / L_d of eqs. (7)-(8), relative to the plain image's feature energy and
        capped at --feature-cap. Our change to the paper: the classifier's ReLU features
        are unbounded, so with the raw distance the total loss of eq. (10) has no lower
        bound; a run with it drove the loss to -0.64 with the validation PSNR stuck at
        12.7 dB after 3 epochs, the U-Nets inflating features instead of learning to
        invert each other. Past the cap (1: as far from h(x) as h(x) is from zero) the
        term stops pulling and the reconstruction loss takes over."""
        d = (hx - self.h.features(img)).pow(2).mean() / hx.pow(2).mean().clamp_min(1e-8)
        return d.clamp(max=self.args.feature_cap)


TASKS = {t.name: t for t in (PlainTask, LweTask, LweKeystreamTask, SrecTask, SrecSrTask, ClassifierTask, DjesccTask)}
