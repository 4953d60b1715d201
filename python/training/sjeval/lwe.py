"""lwe (DeepJSCEC, paper 001) and its LWE-free keystream variant through the C core
(evaluate.py --scheme lwe / lwe_keystream).

The chain of python/securejscc/hier_lwe.py (lwe_tx, lwe_rx), stage for stage:
image -> DeepJSCEC encoder (sigmoid latent u in (0, 1)) -> z = u * latent_to_zp_scale ->
hard quantiser onto the used centroids (sj_quantizer with the model's guard levels) ->
LWE encryption with a key pair made here by the core, fresh e per block (sj_lwe) ->
4096-QAM (sj_modem) -> AWGN of N0 = 10^(-SNR/10) on unit-power symbols (sj_awgn) ->
posterior-mean demodulation (sj_softdemod) -> Bob: soft decryption with S, soft
dequantiser with the LWE noise plus the channel noise in index units -> / scale ->
DeepJSCEC decoder. sjtrain/lwe_chain.py is the same chain in PyTorch for training.
Models trained through the joint receiver (training metadata receiver "joint") are sent on
the model's qam_mapping (Hilbert), and Bob's demodulation, decryption and dequantisation
are one step, his posterior mean of the centroid given y and his offset (sj_zp_posterior;
o = S^T d from sj_lwe_decrypt_offset, or minus the keystream).

Eve has every model weight and the public key but not S: she dequantises the demodulated
ciphertext itself, assuming only the channel noise (hier_lwe's lwe_rx without a key;
with the joint receiver: sj_zp_posterior with no offset and no LWE noise). Models trained
with receiver "joint_spread" get the posterior's standard deviation too
(sj_zp_posterior_mean_std), as a second latent after the means, for Bob and for Eve.
In the keystream variant the cipher is c = z + XChaCha20 keystream mod p (sj_keystream,
q = p), Bob subtracts it, and Eve, without the key, dequantises c.
"""
import ctypes
import json
import math
import os

import numpy as np

from .chain import Awgn, generate_key, to_chw, to_hwc
from .core import Network

_vp, _sz = ctypes.c_void_p, ctypes.c_size_t
SJ_MOD_4096QAM = 3
QAM4096_MAPPINGS = {"row": 0, "hilbert": 1}  # sj_qam4096_mapping
SJ_SOFT4096_SEPARABLE = 0
NONCE_BYTES = 24


def _ptr(a):
    return a.ctypes.data_as(_vp)


class LweParams(ctypes.Structure):  # sj_lwe_params (lwe.h)
    _fields_ = [("name", ctypes.c_char_p), ("n1", ctypes.c_uint), ("n2", ctypes.c_uint), ("p", ctypes.c_uint),
                ("s", ctypes.c_double)]


def _declare(lib):
    """Return types ctypes cannot guess (pointers and doubles)."""
    lib.sj_nn_model_metadata.restype = ctypes.c_char_p
    lib.sj_nn_model_metadata.argtypes = [_vp, ctypes.c_char_p]
    lib.sj_lwe_preset_params.restype = ctypes.POINTER(LweParams)
    lib.sj_lwe_noise_std.restype = ctypes.c_double
    lib.sj_lwe_noise_std.argtypes = [ctypes.POINTER(LweParams)]
    lib.sj_quantizer_centroid.restype = ctypes.c_uint16
    lib.sj_zp_posterior_create.argtypes = [_vp, ctypes.c_uint32, ctypes.c_uint, ctypes.c_uint, ctypes.c_double,
                                           _sz, _vp]


def training_metadata(core, network):
    """The "training" metadata of a model file as a dict ({} when absent or free text)."""
    raw = core.lib.sj_nn_model_metadata(network.model, b"training")
    try:
        meta = json.loads(raw.decode()) if raw else {}
    except ValueError:
        return {}
    return meta if isinstance(meta, dict) else {}


class _Base:
    """What both variants share: networks, the model's quantiser, 4096-QAM, the channel
    and the two receivers' dequantisers."""
    prefix = None

    def __init__(self, core, models, seed):
        self.core = core
        _declare(core.lib)
        self.enc = Network(core, os.path.join(models, f"{self.prefix}_encoder.safetensors"))
        self.dec = Network(core, os.path.join(models, f"{self.prefix}_decoder.safetensors"))
        t = training_metadata(core, self.enc)
        preset = ctypes.c_int()
        core.check(core.lib.sj_lwe_preset_from_name(str(t.get("lwe_params", "medium")).encode(),
                                                    ctypes.byref(preset)), "lwe_params")
        self.preset = preset.value
        self.params = core.lib.sj_lwe_preset_params(self.preset)
        self.p = self.params.contents.p
        self.block_length = int(t.get("lwe_length", 512))
        # As hier_lwe.model_quantizer: a model without these keys predates guard levels.
        self.levels = int(t.get("quantizer_levels", 16))
        self.guard = int(t.get("guard_levels", 0))
        self.q = core.handle()
        core.check(core.lib.sj_quantizer_create_guarded(self.levels, self.guard, self.p, ctypes.byref(self.q)),
                   "quantizer")
        top = core.lib.sj_quantizer_centroid(self.q, self.levels - self.guard - 1)
        self.scale = float(t.get("latent_to_zp_scale", top))
        if not 0 < self.scale < self.p:
            raise ValueError(f"{self.prefix}: latent_to_zp_scale {self.scale:g} does not fit Z_p, p = {self.p}")
        # As hier_lwe.model_receiver: a model without these keys predates them.
        self.mapping = str(t.get("qam_mapping", "row"))
        self.receiver = str(t.get("receiver", "pm"))
        if self.mapping not in QAM4096_MAPPINGS or self.receiver not in ("pm", "joint", "joint_spread") or (
                self.receiver == "pm" and self.mapping != "row"):
            raise ValueError(f"{self.prefix}: unsupported qam_mapping {self.mapping!r} / receiver {self.receiver!r}")
        self.modem = core.handle()
        core.check(core.lib.sj_modem_create_qam4096(QAM4096_MAPPINGS[self.mapping], ctypes.byref(self.modem)),
                   "4096-QAM")
        self.qam_step = abs(complex(*self._map(np.array([1], np.uint16)).view(np.float32))
                            - complex(*self._map(np.array([0], np.uint16)).view(np.float32)))
        self.awgn = Awgn(core, seed)
        self.demods = {}  # symbols per frame -> sj_softdemod
        self.posteriors = {}  # (symbols per frame, LWE noise std) -> sj_zp_posterior

    def __del__(self):
        lib = self.core.lib
        for d in getattr(self, "demods", {}).values():
            lib.sj_softdemod_destroy(d)
        for z in getattr(self, "posteriors", {}).values():
            lib.sj_zp_posterior_destroy(z)
        for name, destroy in (("modem", lib.sj_modem_destroy), ("q", lib.sj_quantizer_destroy)):
            h = getattr(self, name, None)
            if h is not None and h.value:
                destroy(h)

    # ------------------------------------------------------------ core calls
    def _map(self, idx):
        out = np.empty(len(idx), np.complex64)
        self.core.check(self.core.lib.sj_modem_map(self.modem, _ptr(idx), _sz(len(idx)), _ptr(out)), "4096-QAM map")
        return out

    def _demod(self, sym, n0):
        k = len(sym)
        if k not in self.demods:
            d = self.core.handle()
            self.core.check(self.core.lib.sj_softdemod_create(self.modem, _sz(k), ctypes.byref(d)), "softdemod")
            self.demods[k] = d
        out = np.empty(k, np.float32)
        self.core.check(self.core.lib.sj_softdemod_posterior_mean(self.demods[k], _ptr(sym), _sz(k), ctypes.c_float(n0),
                                                                  SJ_SOFT4096_SEPARABLE, _ptr(out)), "posterior mean")
        return out

    def _joint(self, sym, offset, n0, noise_std, spread=False):
        """Posterior mean of the centroid given each symbol and the offset (None: zero);
        spread: the posterior's standard deviations appended after the means."""
        k = len(sym)
        if (k, noise_std) not in self.posteriors:
            z = self.core.handle()
            self.core.check(self.core.lib.sj_zp_posterior_create(self.modem, self.p, self.levels, self.guard,
                                                                 ctypes.c_double(noise_std), _sz(k), ctypes.byref(z)),
                            "zp_posterior")
            self.posteriors[(k, noise_std)] = z
        out = np.empty(2 * k if spread else k, np.float32)
        self.core.check(self.core.lib.sj_zp_posterior_mean_std(
            self.posteriors[(k, noise_std)], _ptr(sym), None if offset is None else _ptr(offset), _sz(k),
            ctypes.c_float(n0), _ptr(out), _ptr(out[k:]) if spread else None), "joint posterior")
        return out

    def _dequant(self, y, var):
        out = np.empty_like(y)
        self.core.check(self.core.lib.sj_quantizer_soft_dequant(self.q, _ptr(y), _sz(len(y)), ctypes.c_float(var),
                                                                _ptr(out)), "soft dequantiser")
        return out

    def channel_var(self, n0):
        """Channel noise of the demodulated index, in Z_p units squared: a row error of
        the 64 x 64 grid costs 64, a column error 1 (hier_lwe.dequantizer_noise_var,
        lwe_chain.channel_var_index_units)."""
        return (64.0 * 64.0 + 1.0) * (n0 / 2.0) / self.qam_step ** 2

    def capped(self, var):
        return min(var, self.p * self.p / 12.0)  # the variance of a uniform value on Z_p

    # ------------------------------------------------------------ the chain
    def latents(self, u, snr_db):
        """Float latent u in (0, 1), any shape -> (Bob's, Eve's) decoder inputs."""
        z = np.ascontiguousarray(u, np.float32).reshape(-1) * np.float32(self.scale)
        zq = np.empty(len(z), np.uint16)
        self.core.check(self.core.lib.sj_quantizer_hard(self.q, _ptr(z), _sz(len(z)), _ptr(zq), None), "quantizer")
        c, side = self.encrypt(zq)
        n0 = self.core.lib.sj_awgn_noise_var(ctypes.c_float(snr_db), ctypes.c_float(1.0))
        sym = self.awgn(self._map(c), snr_db)
        if self.receiver in ("joint", "joint_spread"):
            # joint_spread: the decoder's input is the means' latent, then the spreads' (C x H x
            # W each, concatenated along C: the model's input has twice the latent's channels).
            spread = self.receiver == "joint_spread"
            shape = (2 * np.shape(u)[0],) + tuple(np.shape(u)[1:]) if spread else np.shape(u)
            bob = self._joint(sym, self.offset(side, len(c)), n0, math.sqrt(self.bob_noise_var()), spread)
            eve = self._joint(sym, None, n0, 0.0, spread)
            return (bob / self.scale).reshape(shape), (eve / self.scale).reshape(shape)
        c_hat = self._demod(sym, n0)
        bob = self._dequant(self.decrypt(c_hat, side), self.capped(self.bob_noise_var() + self.channel_var(n0)))
        eve = self._dequant(c_hat, self.capped(self.channel_var(n0)))
        return (bob / self.scale).reshape(np.shape(u)), (eve / self.scale).reshape(np.shape(u))

    def transmit(self, img, snr_db):
        """uint8 HWC image -> (Bob's image, Eve's image)."""
        h, w, _ = img.shape
        u = self.enc.run(to_chw(self.core, img))
        return tuple(to_hwc(self.core, self.dec.run(np.ascontiguousarray(v, np.float32)), h, w)
                     for v in self.latents(u, snr_db))


class LweScheme(_Base):
    """DeepJSCEC with Lindner-Peikert LWE (preset and block length from the model's
    training metadata: lwe_params, lwe_length; medium and 512 when absent)."""
    prefix = "lwe"

    def __init__(self, core, models, seed):
        super().__init__(core, models, seed)
        lib = core.lib
        self.pub, self.sec = core.handle(), core.handle()
        core.check(lib.sj_lwe_keygen(self.preset, _sz(self.block_length), ctypes.byref(self.pub),
                                     ctypes.byref(self.sec)), "lwe keygen")
        self.noise_std = lib.sj_lwe_noise_std(self.params)
        self.coders = {}  # symbols per frame -> (encryptor, decryptor, len(d))

    def __del__(self):
        lib = self.core.lib
        for e, d, _ in getattr(self, "coders", {}).values():
            lib.sj_lwe_encryptor_destroy(e)
            lib.sj_lwe_decryptor_destroy(d)
        if getattr(self, "sec", None) is not None:
            lib.sj_lwe_seckey_destroy(self.sec)  # zeroes S
            lib.sj_lwe_pubkey_destroy(self.pub)
        super().__del__()

    def _coders(self, k):
        if k not in self.coders:
            e, d = self.core.handle(), self.core.handle()
            self.core.check(self.core.lib.sj_lwe_encryptor_create(self.pub, _sz(k), ctypes.byref(e)), "encryptor")
            self.core.check(self.core.lib.sj_lwe_decryptor_create(self.sec, _sz(k), ctypes.byref(d)), "decryptor")
            self.core.lib.sj_lwe_d_length.restype = _sz
            n = self.core.lib.sj_lwe_d_length(self.params, _sz(self.block_length), _sz(k))
            self.coders[k] = (e, d, n)
        return self.coders[k]

    def encrypt(self, zq):
        e, _, n = self._coders(len(zq))
        c, d = np.empty_like(zq), np.empty(n, np.uint16)
        self.core.check(self.core.lib.sj_lwe_encrypt(e, _ptr(zq), _ptr(c), _ptr(d)), "lwe encrypt")
        return c, d

    def decrypt(self, c_hat, d):
        _, dec, _ = self._coders(len(c_hat))
        out = np.empty_like(c_hat)
        self.core.check(self.core.lib.sj_lwe_decrypt_soft(dec, _ptr(c_hat), _ptr(d), _ptr(out)), "lwe decrypt")
        return out

    def offset(self, d, k):
        """Bob's offset S^T d mod p (decryption is c + offset)."""
        _, dec, _ = self._coders(k)
        out = np.empty(k, np.uint16)
        self.core.check(self.core.lib.sj_lwe_decrypt_offset(dec, _ptr(d), _ptr(out)), "lwe offset")
        return out

    def bob_noise_var(self):
        return self.noise_std ** 2


class LweKeystreamScheme(_Base):
    """The LWE-free variant: additive XChaCha20 keystream cipher mod p, a fresh nonce per
    frame (it travels in the clear; Eve knows it but not the key)."""
    prefix = "lwe_keystream"

    def __init__(self, core, models, seed):
        super().__init__(core, models, seed)
        key = generate_key(core)
        self.alice, self.bob = core.handle(), core.handle()
        for h in (self.alice, self.bob):
            core.check(core.lib.sj_keystream_create(key, ctypes.c_uint(self.p), ctypes.byref(h)), "keystream")
        ctypes.memset(key, 0, len(key))

    def __del__(self):
        for h in (getattr(self, "alice", None), getattr(self, "bob", None)):
            if h is not None:
                self.core.lib.sj_keystream_destroy(h)  # zeroes the key
        super().__del__()

    def encrypt(self, zq):
        c, nonce = np.empty_like(zq), (ctypes.c_uint8 * NONCE_BYTES)()
        self.core.check(self.core.lib.sj_keystream_encrypt(self.alice, _ptr(zq), _ptr(c), _sz(len(zq)), nonce),
                        "keystream encrypt")
        return c, bytes(nonce)

    def decrypt(self, c_hat, nonce):
        out = np.empty_like(c_hat)
        n = (ctypes.c_uint8 * NONCE_BYTES).from_buffer_copy(nonce)
        self.core.check(self.core.lib.sj_keystream_decrypt_soft(self.bob, n, _ptr(c_hat), _ptr(out), _sz(len(c_hat))),
                        "keystream decrypt")
        return out

    def offset(self, nonce, k):
        """Bob's offset, minus the keystream mod p: the decryption of an all-zero ciphertext."""
        out = np.empty(k, np.uint16)
        n = (ctypes.c_uint8 * NONCE_BYTES).from_buffer_copy(nonce)
        zeros = np.zeros(k, np.uint16)
        self.core.check(self.core.lib.sj_keystream_decrypt(self.bob, n, _ptr(zeros), _ptr(out), _sz(k)),
                        "keystream offset")
        return out

    def bob_noise_var(self):
        return 0.0  # the keystream cancels exactly
