"""The few C core calls the evaluations need, through ctypes: the library, model files
planned per image size, and the metrics."""
import ctypes

import numpy as np


class Core:
    """The few C core calls the evaluation needs, through ctypes."""

    PRECISIONS = ("fp32", "bf16")  # sj_nn_precision, in the enum's order

    def __init__(self, path, precision="fp32"):
        """precision: what every network is planned in (sj_nn_model_plan_precision; bf16
        falls back to fp32 on CPUs without AVX-512 BF16)."""
        self.precision = self.PRECISIONS.index(precision)
        self.lib = ctypes.CDLL(path)
        self.lib.sj_last_error.restype = ctypes.c_char_p
        self.lib.sj_awgn_noise_var.restype = ctypes.c_float
        self.lib.sj_awgn_noise_var.argtypes = [ctypes.c_float, ctypes.c_float]

    def check(self, status, what):
        if status != 0:
            raise RuntimeError(f"{what}: {self.lib.sj_last_error().decode()}")

    def handle(self):
        return ctypes.c_void_p()


class Network:
    """A model file planned for one image size (plans are cached per size)."""

    def __init__(self, core, path):
        self.core, self.path = core, path
        self.model = core.handle()
        core.check(core.lib.sj_nn_model_load(path.encode(), ctypes.byref(self.model)), path)
        self.plans = {}

    def run(self, x):
        key = x.shape[1:]
        if key not in self.plans:
            plan = self.core.handle()
            self.core.check(self.core.lib.sj_nn_model_plan_precision(
                self.model, ctypes.c_size_t(key[0]), ctypes.c_size_t(key[1]), ctypes.c_int(self.core.precision),
                ctypes.byref(plan)), self.path)
            dims = [ctypes.c_size_t() for _ in range(3)]
            self.core.lib.sj_nn_plan_output_shape(plan, *[ctypes.byref(d) for d in dims])
            self.plans[key] = (plan, tuple(d.value for d in dims))
        plan, shape = self.plans[key]
        x = np.ascontiguousarray(x, dtype=np.float32)
        y = np.empty(shape, dtype=np.float32)
        self.core.check(self.core.lib.sj_nn_plan_run(plan, x.ctypes.data_as(ctypes.c_void_p),
                                                     y.ctypes.data_as(ctypes.c_void_p)), self.path)
        return y


def metrics(core, a, b):
    a, b = np.ascontiguousarray(a), np.ascontiguousarray(b)  # the C core reads raw HWC bytes
    h, w, c = a.shape
    p, s = ctypes.c_double(), ctypes.c_double()
    pa, pb = a.ctypes.data_as(ctypes.c_void_p), b.ctypes.data_as(ctypes.c_void_p)
    core.check(core.lib.sj_psnr(pa, pb, w, h, c, ctypes.byref(p)), "psnr")
    core.check(core.lib.sj_ssim(pa, pb, w, h, c, ctypes.byref(s)), "ssim")
    return min(p.value, 100.0), s.value
