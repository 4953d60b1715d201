"""Network definitions, built only from operators the C runtime implements.

DeepJSCC (Bourtsoulatze et al., 2019): five 5x5 convolutions with PReLU (strides 2, 2, 1,
1, 1), power normalisation of the latent as complex symbols; the decoder mirrors it with
transposed convolutions and ends in a sigmoid. With c output channels on a HxW image the
latent has (H/4)(W/4)c reals = (H/4)(W/4)c/2 complex symbols, so the bandwidth ratio is
c / 96 (c = 16 gives 1/6).

Also here (each class's docstring cites the paper section it follows and says where the
paper's lost figures left a choice to us): DJESCC's encryption and decryption U-Nets and the
feature-extractor classifier (paper 000), DeepJSCEC's residual-block encoder and decoder
(paper 001), SREC's JSCC encoder/decoder and super-resolution network (paper 002), and the
registry build_network(name, **config) that names them all (docs/networks.md describes
each, with parameter counts and FLOPs from python/training/describe_networks.py).
"""
import torch
from torch import nn

from .channel import power_normalize
from .layers import GDN, AttentionBlock


def _conv(cin, cout, stride):
    return nn.Conv2d(cin, cout, 5, stride=stride, padding=2)


def _tconv(cin, cout, stride):
    # output_padding restores the exact input size of a stride-2, padding-2, 5x5 convolution.
    return nn.ConvTranspose2d(cin, cout, 5, stride=stride, padding=2, output_padding=stride - 1)


class DeepJSCCEncoder(nn.Module):
    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.net = nn.Sequential(
            _conv(3, w1, 2), nn.PReLU(w1),
            _conv(w1, w2, 2), nn.PReLU(w2),
            _conv(w2, w3, 1), nn.PReLU(w3),
            _conv(w3, w4, 1), nn.PReLU(w4),
            _conv(w4, c, 1), nn.PReLU(c),
        )

    def forward(self, x):
        return power_normalize(self.net(x))


class DeepJSCCDecoder(nn.Module):
    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        w1, w2, w3, w4 = widths
        self.net = nn.Sequential(
            _tconv(c, w4, 1), nn.PReLU(w4),
            _tconv(w4, w3, 1), nn.PReLU(w3),
            _tconv(w3, w2, 1), nn.PReLU(w2),
            _tconv(w2, w1, 2), nn.PReLU(w1),
            _tconv(w1, 3, 2), nn.Sigmoid(),
        )

    def forward(self, z):
        return self.net(z)


class DeepJSCC(nn.Module):
    """Encoder -> AWGN at a per-sample SNR -> decoder."""

    def __init__(self, c=16, widths=(16, 32, 32, 32)):
        super().__init__()
        self.encoder = DeepJSCCEncoder(c, widths)
        self.decoder = DeepJSCCDecoder(c, widths)

    def forward(self, x, snr_db, channel):
        return self.decoder(channel(self.encoder(x), snr_db))


# ----------------------------------------------------------------------------------------
# DJESCC (paper 000): encryption and decryption U-Nets, and the feature extractor h_psi.
# ----------------------------------------------------------------------------------------

class ShallowUNet(nn.Module):
    """A one-level ("shallow") U-Net from image to image of the same size, output in [0, 1].

    Paper 000 (Xu et al., DJESCC) Sec. IV: "The architecture shown in Fig. 7 is employed as
    the architectures of the encryption network and the decryption network, which is a
    shallow version of U-Net [70]". Fig. 7 was lost in the text extraction, so the layers
    here are our choice, kept to the U-Net pattern of Ronneberger et al. with one
    resolution step:

        conv3x3(3->w)+ReLU, conv3x3(w->w)+ReLU                       full resolution (skip)
        conv3x3 stride 2 (w->2w)+ReLU, conv3x3+ReLU, conv3x3+ReLU    half resolution
        conv_transpose 2x2 stride 2 (2w->w)                          back to full resolution
        concat with the skip (2w), conv3x3(2w->w)+ReLU, conv3x3(w->w)+ReLU
        conv3x3(w->3), sigmoid                                       image in [0, 1]

    The sigmoid keeps the encrypted image a valid image (the DeepJSCC encoder that follows
    expects [0, 1] input, and the paper shows encrypted images as pictures). Input height
    and width must be even (size_multiple 2, padded by reflection otherwise). Width w
    (default 32) is configurable.
    """

    def __init__(self, width=32):
        super().__init__()
        w = width
        self.in1, self.act1 = nn.Conv2d(3, w, 3, padding=1), nn.ReLU()
        self.in2, self.act2 = nn.Conv2d(w, w, 3, padding=1), nn.ReLU()
        self.down, self.act3 = nn.Conv2d(w, 2 * w, 3, stride=2, padding=1), nn.ReLU()
        self.mid1, self.act4 = nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.ReLU()
        self.mid2, self.act5 = nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.ReLU()
        self.up = nn.ConvTranspose2d(2 * w, w, 2, stride=2)
        self.out1, self.act6 = nn.Conv2d(2 * w, w, 3, padding=1), nn.ReLU()
        self.out2, self.act7 = nn.Conv2d(w, w, 3, padding=1), nn.ReLU()
        self.out3, self.sig = nn.Conv2d(w, 3, 3, padding=1), nn.Sigmoid()

    def forward(self, x):
        skip = self.act2(self.in2(self.act1(self.in1(x))))
        h = self.act3(self.down(skip))
        h = self.act5(self.mid2(self.act4(self.mid1(h))))
        h = torch.cat([self.up(h), skip], dim=1)
        h = self.act7(self.out2(self.act6(self.out1(h))))
        return self.sig(self.out3(h))


class DJESCCEncrypt(ShallowUNet):
    """DJESCC encryption network e_mu (paper 000 Sec. III, Eq. (1)): plain image -> visually
    protected image. Structure: ShallowUNet (Fig. 7 lost; see there)."""


class DJESCCDecrypt(ShallowUNet):
    """DJESCC decryption network d_nu (paper 000 Sec. III, Eq. (5)): decoded protected image
    -> plain image. Same structure as the encryption network, as the paper says of Fig. 7."""


class CifarClassifier(nn.Module):
    """VGG-style CIFAR-10 classifier, the frozen feature extractor h_psi of DJESCC's feature
    losses L_e and L_d (paper 000 Sec. III, Eqs. (7)-(8); Sec. IV uses "a part of the VGG16
    with batch normalization ... pretrained on the CIFAR-10").

    Our simplification: three VGG blocks of two conv3x3+ReLU and a 2x2 average pooling
    (widths configurable, default 32/64/128), then global average pooling and a linear
    layer to 10 classes. No batch normalisation, so that the same network can be exported
    to the runtime unchanged (it only needs to run in training, though). features(x)
    returns the ReLU output of block `feature_block` (default 2: 64 x H/2 x W/2), the
    m = h_f w_f c_f values whose mean squared difference is the feature loss.
    """

    def __init__(self, widths=(32, 64, 128), classes=10, feature_block=2):
        super().__init__()
        blocks, cin = [], 3
        for w in widths:
            blocks.append(nn.Sequential(nn.Conv2d(cin, w, 3, padding=1), nn.ReLU(),
                                        nn.Conv2d(w, w, 3, padding=1), nn.ReLU()))
            cin = w
        self.blocks = nn.ModuleList(blocks)
        self.pools = nn.ModuleList(nn.AvgPool2d(2) for _ in widths)
        self.gap = nn.AdaptiveAvgPool2d(1)
        self.fc = nn.Linear(cin, classes)
        if not 1 <= feature_block <= len(widths):
            raise ValueError(f"feature_block must be 1..{len(widths)}, got {feature_block}")
        self.feature_block = int(feature_block)

    def features(self, x):
        """h_psi(x): the activation after block feature_block (before its pooling)."""
        for i, (block, pool) in enumerate(zip(self.blocks, self.pools)):
            x = block(x)
            if i + 1 == self.feature_block:
                return x
            x = pool(x)
        raise AssertionError("unreachable")

    def forward(self, x):
        for block, pool in zip(self.blocks, self.pools):
            x = pool(block(x))
        return self.fc(torch.flatten(self.gap(x), 1))


# ----------------------------------------------------------------------------------------
# DeepJSCEC (paper 001): residual-block encoder and decoder of Table II (CIFAR-10 column).
# ----------------------------------------------------------------------------------------

class ResBlock(nn.Module):
    """RB of paper 001 Fig. 2 (lost in extraction; following Cheng et al. 2020, which the
    paper cites for its blocks): conv3x3 - LeakyReLU - conv3x3 - GDN, plus the identity
    (a 1x1 convolution when the channel count changes, as in Cheng et al.). Table II
    names the same "RB" in the encoder and the decoder, so the decoder's plain blocks are
    these too, with GDN; IGDN appears only in RB upsample. (We tried IGDN in the decoder's
    plain blocks as well: IGDN multiplies by a factor that grows with |x|, and eight of
    them in a row overflowed to inf on He-scaled random weights.)"""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv1, self.act = nn.Conv2d(cin, cout, 3, padding=1), nn.LeakyReLU(0.01)
        self.conv2, self.gdn = nn.Conv2d(cout, cout, 3, padding=1), GDN(cout)
        self.skip = nn.Conv2d(cin, cout, 1) if cin != cout else None

    def forward(self, x):
        y = self.gdn(self.conv2(self.act(self.conv1(x))))
        return y + (self.skip(x) if self.skip is not None else x)


class ResBlockStride2(nn.Module):
    """RB stride 2 (paper 001 Fig. 2, after Cheng et al. 2020): conv3x3 stride 2 -
    LeakyReLU - conv3x3 - GDN, plus a 1x1 stride-2 convolution shortcut."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv1 = nn.Conv2d(cin, cout, 3, stride=2, padding=1)
        self.act = nn.LeakyReLU(0.01)
        self.conv2, self.gdn = nn.Conv2d(cout, cout, 3, padding=1), GDN(cout)
        self.skip = nn.Conv2d(cin, cout, 1, stride=2)

    def forward(self, x):
        return self.gdn(self.conv2(self.act(self.conv1(x)))) + self.skip(x)


class ResBlockUpsample(nn.Module):
    """RB upsample (paper 001 Fig. 2, after Cheng et al. 2020): conv3x3 to 4*C_out and
    pixel shuffle 2 - LeakyReLU - conv3x3 - IGDN, plus a shortcut of the same sub-pixel
    convolution (conv3x3 to 4*C_out and pixel shuffle 2)."""

    def __init__(self, cin, cout):
        super().__init__()
        self.conv1, self.shuffle1 = nn.Conv2d(cin, 4 * cout, 3, padding=1), nn.PixelShuffle(2)
        self.act = nn.LeakyReLU(0.01)
        self.conv2 = nn.Conv2d(cout, cout, 3, padding=1)
        self.igdn = GDN(cout, inverse=True)
        self.skip, self.shuffle2 = nn.Conv2d(cin, 4 * cout, 3, padding=1), nn.PixelShuffle(2)

    def forward(self, x):
        y = self.igdn(self.conv2(self.act(self.shuffle1(self.conv1(x)))))
        return y + self.shuffle2(self.skip(x))


class DeepJSCECEncoder(nn.Module):
    """DeepJSCEC encoder f_theta, paper 001 Table II, CIFAR10 column (blocks of Fig. 2, see
    ResBlock*; attention = layers.AttentionBlock, Cheng et al.'s simplified module):

        RB stride 2 (C), RB (C), RB (C), RB (C), Attention (C),
        RB stride 2 (C), RB (C), RB (C), RB (C -> C_out), Attention (C_out), sigmoid

    Choices where the table's text is ambiguous: the table's last RB is listed with C
    channels but the attention block that follows has C_out; attention keeps the channel
    count, so here the last RB maps C -> C_out (with a 1x1 shortcut). Width C is
    configurable: the paper uses 256, the default here is 64 so that it trains on two CPU
    cores.

    Latent and quantiser. Downsampling is 4 in each direction, so C_out = 8 gives
    k = 8 (H/4)(W/4) = H W 3 / 6 real values for rho = 1/6 (each real becomes one Z_p
    value and one 4096-QAM symbol). The output is a real tensor, NOT power-normalised:
    the N-level quantiser into Z_p (include/securejscc/quantizer.h) comes after it in C.
    The final sigmoid bounds each value u to (0, 1); the transmitter maps it onto the
    quantiser's range as z = u * q_top, with q_top = q_{N-1-G} = floor((N-1-G) p / N) the
    largest centroid in use (G guard levels, lwe_chain.GUARD_LEVELS: 3325 for G = 2,
    3837 for G = 0, N = 16, p = 4093), so that u = 0 and u = 1 are the end centroids in
    use and the codebook never wraps mod p. The receiver's soft dequantiser returns
    E[q | y] in Z_p units; divided by q_top it is back in [0, 1], the decoder's input range.
    """

    def __init__(self, width=64, c_out=8):
        super().__init__()
        C = width
        self.blocks = nn.Sequential(
            ResBlockStride2(3, C), ResBlock(C, C), ResBlock(C, C), ResBlock(C, C),
            AttentionBlock(C),
            ResBlockStride2(C, C), ResBlock(C, C), ResBlock(C, C), ResBlock(C, c_out),
            AttentionBlock(c_out),
        )
        self.bound = nn.Sigmoid()

    def forward(self, x):
        return self.bound(self.blocks(x))


class DeepJSCECDecoder(nn.Module):
    """DeepJSCEC decoder g_phi, paper 001 Table II, CIFAR10 column:

        conv3x3 (C_out -> C) [our addition], Attention (C), RB (C), RB (C), RB (C),
        RB upsample (C), Attention (C), RB (C), RB (C), RB (C), RB upsample (C -> 3), sigmoid

    Choices: the table starts with Attention (C) on a C_out-channel input, so a 3x3
    convolution first lifts C_out to C; the plain RBs are the encoder's (GDN, see
    ResBlock) and the RB upsample blocks carry the IGDN;
    the final sigmoid (not in the table) keeps the image in [0, 1] as the rest of the
    project expects. Input: the dequantised latent divided by q_top (see
    DeepJSCECEncoder), C_out x H/4 x W/4; with spread=True (receiver joint_spread) also
    the posterior's standard deviation divided by q_top, as C_out more channels after them.
    """

    def __init__(self, width=64, c_out=8, spread=False):
        super().__init__()
        C = width
        self.head = nn.Conv2d(c_out * (2 if spread else 1), C, 3, padding=1)
        self.blocks = nn.Sequential(
            AttentionBlock(C),
            ResBlock(C, C), ResBlock(C, C), ResBlock(C, C),
            ResBlockUpsample(C, C),
            AttentionBlock(C),
            ResBlock(C, C), ResBlock(C, C), ResBlock(C, C),
            ResBlockUpsample(C, 3),
        )
        self.out = nn.Sigmoid()

    def forward(self, z):
        return self.out(self.blocks(self.head(z)))


# ----------------------------------------------------------------------------------------
# SREC (paper 002): convolutional JSCC with a byte-quantised latent, and the RDN-based
# super-resolution module.
# ----------------------------------------------------------------------------------------

class SRECEncoder(DeepJSCCEncoder):
    """SREC semantic/JSCC encoder. Paper 002 Sec. III uses NTSCC (a Swin-transformer
    nonlinear transform source-channel code), far too large to train and run here; we use
    the convolutional DeepJSCC structure instead (DeepJSCCEncoder: 5x5 convs, PReLU,
    strides 2,2,1,1,1) with c latent channels and a sigmoid-bounded latent in place of
    power normalisation, because SREC quantises the features to bytes (byte_quantizer.h)
    before modulo-256 encryption; the modem, not the network, sets the symbol power.

    With c channels the latent has c H W / 16 values, one byte each, i.e. 8 c H W / 16
    bits; over 3 H W source values the bandwidth ratio is c/6 / bits-per-symbol: for the
    default c = 4, 2/3 (BPSK), 1/3 (QPSK), 1/6 (16QAM)."""

    def __init__(self, c=4, widths=(16, 32, 32, 32), downsample=1):
        super().__init__(c, widths)
        self.bound = nn.Sigmoid()
        # downsample = r > 1: the transmitter codes the image at 1/r resolution (r x r
        # average pooling first) and the receiver's super-resolution stage (scale r)
        # brings it back, the low-resolution-plus-SR shape of paper 002. The latent is
        # then c x H/(4r) x W/(4r).
        self.downsample = int(downsample)
        if self.downsample < 1:
            raise ValueError(f"downsample must be >= 1, got {downsample}")
        self.pool = nn.AvgPool2d(self.downsample) if self.downsample > 1 else None

    def forward(self, x):
        if self.pool is not None:
            x = self.pool(x)
        return self.bound(self.net(x))


class SRECDecoder(DeepJSCCDecoder):
    """SREC JSCC decoder: DeepJSCCDecoder (transposed 5x5 convs, PReLU, sigmoid output) on
    the dequantised byte latent (values in [0, 1]), c x H/4 x W/4 -> 3 x H x W. See
    SRECEncoder for why this replaces NTSCC. downsample records the encoder's: with r > 1
    the decoder outputs the image at 1/r resolution (3 x H/r x W/r), for the
    super-resolution stage; the layers are the same."""

    def __init__(self, c=4, widths=(16, 32, 32, 32), downsample=1):
        super().__init__(c, widths)
        self.downsample = int(downsample)


class MeanShift(nn.Conv2d):
    """x + sign * mean per RGB channel, as a 1x1 convolution with a fixed identity weight
    and a bias: the exporter refuses tensor constants, and a convolution is an operator the
    runtime has. Its parameters are frozen (requires_grad False) but saved, so a model file
    carries its mean. Default mean: that of DIV2K (0.4488, 0.4371, 0.4040), as in RDN."""

    def __init__(self, sign, mean=(0.4488, 0.4371, 0.4040)):
        super().__init__(3, 3, 1)
        with torch.no_grad():
            self.weight.copy_(torch.eye(3).view(3, 3, 1, 1))
            self.bias.copy_(float(sign) * torch.tensor(mean))
        self.requires_grad_(False)


class WeightUNet(nn.Module):
    """The U-Net of paper 002 Sec. II-C, Eq. (12): "four downsampling blocks and four
    upsampling blocks, preserving image details by connecting corresponding layers",
    giving the weight map W that multiplies the fused features (Eq. (20)). Block contents
    are our choice (figure lost): down = conv3x3 stride 2 + ReLU + conv3x3 + ReLU, up =
    2x2 stride-2 transposed conv + concat with the same-size encoder feature + conv3x3 +
    ReLU; widths u, 2u, 4u, 4u, 4u (capped so it stays small); a 1x1 conv to `out`
    channels and a sigmoid give a weight in (0, 1) per feature channel and pixel (so the
    product is an equal-shape mul in the runtime). Input sizes: multiples of 16."""

    def __init__(self, out, u=16):
        super().__init__()
        ch = [u, 2 * u, 4 * u, 4 * u, 4 * u]
        self.inc, self.inact = nn.Conv2d(3, ch[0], 3, padding=1), nn.ReLU()
        self.downs = nn.ModuleList(
            nn.Sequential(nn.Conv2d(ch[i], ch[i + 1], 3, stride=2, padding=1), nn.ReLU(),
                          nn.Conv2d(ch[i + 1], ch[i + 1], 3, padding=1), nn.ReLU())
            for i in range(4))
        self.ups = nn.ModuleList(nn.ConvTranspose2d(ch[i + 1], ch[i], 2, stride=2)
                                 for i in reversed(range(4)))
        self.mixes = nn.ModuleList(
            nn.Sequential(nn.Conv2d(2 * ch[i], ch[i], 3, padding=1), nn.ReLU())
            for i in reversed(range(4)))
        self.out, self.sig = nn.Conv2d(ch[0], out, 1), nn.Sigmoid()

    def forward(self, x):
        skips = [self.inact(self.inc(x))]
        for down in self.downs:
            skips.append(down(skips[-1]))
        h = skips.pop()
        for up, mix in zip(self.ups, self.mixes):
            h = mix(torch.cat([up(h), skips.pop()], dim=1))
        return self.sig(self.out(h))


class ResidualDenseBlock(nn.Module):
    """RDB of Zhang et al. 2018 (paper 002 Eqs. (16)-(18)): C layers of conv3x3 + ReLU,
    each seeing the concatenation of the block input (G0 channels) and all earlier layer
    outputs (G each); a 1x1 local feature fusion back to G0; plus the block input (local
    residual learning). Concatenation is done two tensors at a time (DenseNet style), so
    any C stays within the runtime's 8-input concat."""

    def __init__(self, g0, g, layers):
        super().__init__()
        self.convs = nn.ModuleList(nn.Conv2d(g0 + i * g, g, 3, padding=1) for i in range(layers))
        self.acts = nn.ModuleList(nn.ReLU() for _ in range(layers))
        self.fuse = nn.Conv2d(g0 + layers * g, g0, 1)

    def forward(self, x):
        h = x
        for conv, act in zip(self.convs, self.acts):
            h = torch.cat([h, act(conv(h))], dim=1)
        return self.fuse(h) + x


class SRECSuperResolution(nn.Module):
    """SREC super-resolution module, paper 002 Sec. II-C (RDN of Zhang et al. 2018 with a
    U-Net weight map), Eqs. (11)-(24):

        x_n = x - mean                          (11) MeanShift(-1), a fixed 1x1 conv
        W   = UNet(x_n)                         (12) G0 x H x W, sigmoid
        F_i = PixelShuffle_r(conv3x3(x_n))      (13) initial feature, G0 x rH x rW
        F_0 = conv3x3(conv3x3(x_n))             (14) shallow features (G0)
        F_d = RDB_d(F_{d-1}), d = 1..D          (15)-(18)
        F_g = conv3x3(conv1x1(cat(F_1..F_D)))   (19) global feature fusion
        F_w = F_g * W                           (20)
        F_u = PixelShuffle_r(conv3x3(F_w))      (21)
        F_r = F_u + F_i                         (22) global residual
        y   = conv3x3(F_r) + mean               (23)-(24) MeanShift(+1)

    The scale r is configurable, default 1: in this project the JSCC decoder already
    outputs the full-resolution image, so the module restores detail at the same size
    rather than upscaling (the pixel shuffles then vanish: with r = 1 they are identities
    and are left out). D (RDBs), C (layers per RDB), G (growth) and G0 are configurable
    with small defaults D = 4, C = 4, G = G0 = 32 (RDN: 16, 8, 64, 64). Which tensor
    feeds the shallow features and the weight U-Net was lost with the symbols of the
    extraction; we use x_n for both. Input sizes: multiples of 16 (the U-Net's four
    downsamplings), padded by reflection otherwise. No output clamp: the caller rounds
    to 8 bits with saturation."""

    def __init__(self, scale=1, blocks=4, layers=4, growth=32, g0=32, unet_width=16):
        super().__init__()
        r = int(scale)
        if r < 1:
            raise ValueError(f"scale must be >= 1, got {scale}")
        self.sub_mean, self.add_mean = MeanShift(-1), MeanShift(+1)
        self.weight_map = WeightUNet(g0, unet_width)
        self.init_conv = nn.Conv2d(3, g0 * r * r, 3, padding=1)
        self.init_shuffle = nn.PixelShuffle(r) if r > 1 else nn.Identity()
        self.sfe1 = nn.Conv2d(3, g0, 3, padding=1)
        self.sfe2 = nn.Conv2d(g0, g0, 3, padding=1)
        self.rdbs = nn.ModuleList(ResidualDenseBlock(g0, growth, layers) for _ in range(blocks))
        self.gff1 = nn.Conv2d(blocks * g0, g0, 1)
        self.gff2 = nn.Conv2d(g0, g0, 3, padding=1)
        self.up_conv = nn.Conv2d(g0, g0 * r * r, 3, padding=1)
        self.up_shuffle = nn.PixelShuffle(r) if r > 1 else nn.Identity()
        self.final = nn.Conv2d(g0, 3, 3, padding=1)

    def forward(self, x):
        xn = self.sub_mean(x)
        w = self.weight_map(xn)
        f_init = self.init_shuffle(self.init_conv(xn))
        h = self.sfe2(self.sfe1(xn))
        outs = []
        for rdb in self.rdbs:
            h = rdb(h)
            outs.append(h)
        cat = outs[0]
        for o in outs[1:]:
            cat = torch.cat([cat, o], dim=1)
        g = self.gff2(self.gff1(cat)) * w
        h = self.up_shuffle(self.up_conv(g)) + f_init
        return self.add_mean(self.final(h))


class ImageUpsample(nn.Module):
    """Bilinear upsampling by an integer scale, no weights: what srec's receiver does in
    place of the super-resolution stage (the "without SR" baseline), shipped as a model
    file so that the same image_model block and the same evaluation run either."""

    def __init__(self, scale=2):
        super().__init__()
        if int(scale) < 1:
            raise ValueError(f"scale must be >= 1, got {scale}")
        self.up = nn.Upsample(scale_factor=int(scale), mode="bilinear", align_corners=False)

    def forward(self, x):
        return self.up(x)


# ----------------------------------------------------------------------------------------
# Registry: every network by name, with what export and the tests need to know about it.
# ----------------------------------------------------------------------------------------

# name -> (class, input channels from the config, spatial divisor of the input relative
#          to the image (decoders take the latent), size_multiple, output kind); the
#          divisor and the multiple are numbers or functions of the full config
NETWORK_SPECS = {
    "deepjscc_encoder": (DeepJSCCEncoder, lambda c: 3, 1, 4, "complex_symbols"),
    "deepjscc_decoder": (DeepJSCCDecoder, lambda c: c["c"], 4, 1, "image"),
    "djescc_encrypt": (DJESCCEncrypt, lambda c: 3, 1, 2, "image"),
    "djescc_decrypt": (DJESCCDecrypt, lambda c: 3, 1, 2, "image"),
    "deepjscec_encoder": (DeepJSCECEncoder, lambda c: 3, 1, 4, "latent_unit"),
    "deepjscec_decoder": (DeepJSCECDecoder, lambda c: c["c_out"] * (2 if c.get("spread") else 1), 4, 1, "image"),
    "srec_encoder": (SRECEncoder, lambda c: 3, 1, lambda c: 4 * c["downsample"], "latent_unit"),
    "srec_decoder": (SRECDecoder, lambda c: c["c"], lambda c: 4 * c["downsample"], 1, "image"),
    "srec_sr": (SRECSuperResolution, lambda c: 3, lambda c: c["scale"], 16, "image"),
    "image_upsample": (ImageUpsample, lambda c: 3, lambda c: c["scale"], 1, "image"),
    "cifar_classifier": (CifarClassifier, lambda c: 3, 1, 8, "logits"),
}


def _full_config(cls, cfg):
    """The constructor's defaults overlaid with cfg, JSON-friendly (tuples as lists)."""
    import inspect

    params = inspect.signature(cls.__init__).parameters
    unknown = set(cfg) - set(params)
    if unknown:
        raise TypeError(f"{cls.__name__}: unknown config keys {sorted(unknown)}")
    full = {k: p.default for k, p in params.items()
            if k != "self" and p.default is not inspect.Parameter.empty}
    full.update(cfg)
    return {k: list(v) if isinstance(v, tuple) else v for k, v in full.items()}


def build_network(name, **cfg):
    """The network called name, built with cfg over its defaults. The returned module
    carries sj_architecture (name) and sj_config (the full config), which
    export.export_network writes into the model file's metadata, so that the same module
    can be rebuilt from the file (export.load_network)."""
    if name not in NETWORK_SPECS:
        raise KeyError(f"unknown network {name!r}; known: {sorted(NETWORK_SPECS)}")
    cls = NETWORK_SPECS[name][0]
    full = _full_config(cls, cfg)
    net = cls(**full)
    net.sj_architecture = name
    net.sj_config = full
    return net


def network_input_shape(name, config, height, width):
    """(C, H, W) of the network's input for an image of height x width (decoders take the
    latent of that image)."""
    _, chans, div, _, _ = NETWORK_SPECS[name]
    full = _full_config(NETWORK_SPECS[name][0], config)
    if callable(div):
        div = div(full)
    return chans(full), height // div, width // div
