"""What each training run optimises: one Task per scheme stage.

A task owns its networks (one nn.Module holding every trainable part, so one optimiser
and one checkpoint cover them), computes the training loss of a batch, and reconstructs
images for validation. train.py is the loop around it; it knows nothing of schemes.

  plain          DeepJSCC (Bourtsoulatze et al.) over AWGN, SNR uniform in a range
  lwe            DeepJSCEC encoder/decoder through the real LWE chain (lwe_chain.py)
  lwe_keystream  the same networks through the LWE-free keystream variant (mod p)
  srec           convolutional JSCC through the srec byte / mod-256 / modem chain
"""
import torch
from torch import nn

from . import channel, lwe_chain, models, srec_chain


class Task:
    name = ""

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
    u * q_{N-1}; the chain returns the dequantised latent in Z_p units, divided by q_{N-1}
    for the decoder (models.DeepJSCECEncoder docstring)."""
    name = "lwe"
    encrypt = True

    def build(self):
        cfg = {"width": self.args.width, "c_out": 8}
        self.top = float(lwe_chain.centroids()[-1])
        self.key = lwe_chain.LweKey.generate(self.args.lwe_params, l=self.args.lwe_length,
                                             generator=torch.Generator().manual_seed(self.args.key_seed),
                                             device=self.device) if self.encrypt else None
        return EncoderDecoder(models.build_network("deepjscec_encoder", **cfg),
                              models.build_network("deepjscec_decoder", **cfg))

    def forward(self, x, snr_db, step):
        u = self.net.encoder(x)
        shape = u.shape
        z = u.flatten(1) * self.top
        z_hat = lwe_chain.lwe_chain(z, self.key, snr_db, lwe_chain.sigma_q_schedule(step), encrypt=self.encrypt)
        return self.net.decoder((z_hat / self.top).view(shape))

    def loss(self, x, step):
        # Paper 001 trains at one SNR (SNR_train 10 or 20 dB): --snr-low = --snr-high.
        return super().loss(x, step)


class LweKeystreamTask(LweTask):
    name = "lwe_keystream"
    encrypt = False


class SrecTask(Task):
    """SREC JSCC trained through the byte quantiser, the mod-256 keystream and hard
    decisions of the chosen modem (srec_chain.py)."""
    name = "srec"

    def build(self):
        cfg = {"c": self.args.c}
        return EncoderDecoder(models.build_network("srec_encoder", **cfg),
                              models.build_network("srec_decoder", **cfg))

    def forward(self, x, snr_db, step):
        f = self.net.encoder(x)
        shape = f.shape
        f_hat = srec_chain.srec_chain(f.flatten(1), self.args.modulation, snr_db)
        return self.net.decoder(f_hat.view(shape))


TASKS = {t.name: t for t in (PlainTask, LweTask, LweKeystreamTask, SrecTask)}
