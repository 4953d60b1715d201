"""ctypes access to the C neural-network runtime in libsecurejscc-core, for the parity
tests and the benchmark (path from SJ_CORE_LIB, as ctest sets it)."""
import ctypes
import os

import numpy as np


def core_lib(path=None):
    path = path or os.environ.get("SJ_CORE_LIB")
    if not path:
        raise RuntimeError("set SJ_CORE_LIB to the built libsecurejscc-core.so")
    lib = ctypes.CDLL(path)
    vp, sz = ctypes.c_void_p, ctypes.c_size_t
    lib.sj_nn_model_load.argtypes = [ctypes.c_char_p, ctypes.POINTER(vp)]
    lib.sj_nn_model_load_memory.argtypes = [ctypes.c_char_p, sz, ctypes.POINTER(vp)]
    lib.sj_nn_model_plan.argtypes = [vp, sz, sz, ctypes.POINTER(vp)]
    lib.sj_nn_model_plan_precision.argtypes = [vp, sz, sz, ctypes.c_int, ctypes.POINTER(vp)]
    lib.sj_nn_plan_precision.argtypes = [vp]
    lib.sj_nn_plan_precision.restype = ctypes.c_int
    lib.sj_nn_plan_run.argtypes = [vp, ctypes.c_void_p, ctypes.c_void_p]
    lib.sj_nn_plan_output_shape.argtypes = [vp] + [ctypes.POINTER(sz)] * 3
    lib.sj_nn_plan_destroy.argtypes = [vp]
    lib.sj_nn_model_destroy.argtypes = [vp]
    lib.sj_nn_model_metadata.argtypes = [vp, ctypes.c_char_p]
    lib.sj_nn_model_metadata.restype = ctypes.c_char_p
    lib.sj_last_error.restype = ctypes.c_char_p
    for f in ("sj_nn_model_load", "sj_nn_model_load_memory", "sj_nn_model_plan",
              "sj_nn_model_plan_precision", "sj_nn_plan_run"):
        getattr(lib, f).restype = ctypes.c_int
    return lib


class NNError(RuntimeError):
    def __init__(self, code, detail):
        super().__init__(f"status {code}: {detail}")
        self.code = code
        self.detail = detail


PRECISIONS = ("fp32", "bf16")  # sj_nn_precision, in the enum's order


class Model:
    def __init__(self, lib, path=None, data=None, precision="fp32"):
        """precision: what run() plans in (sj_nn_model_plan_precision); after a run,
        self.planned says what the plan got (bf16 falls back to fp32 without AVX-512 BF16)."""
        self.lib = lib
        self.precision = PRECISIONS.index(precision)
        self.planned = None
        self.h = ctypes.c_void_p()
        if data is not None:
            st = lib.sj_nn_model_load_memory(data, len(data), ctypes.byref(self.h))
        else:
            st = lib.sj_nn_model_load(str(path).encode(), ctypes.byref(self.h))
        if st != 0:
            raise NNError(st, lib.sj_last_error().decode(errors="replace"))

    def metadata(self, key):
        v = self.lib.sj_nn_model_metadata(self.h, key.encode())
        return v.decode() if v is not None else None

    def run(self, x):
        """x: float32 array [C, H, W]; returns the output array."""
        x = np.ascontiguousarray(x, dtype=np.float32)
        plan = ctypes.c_void_p()
        st = self.lib.sj_nn_model_plan_precision(self.h, x.shape[1], x.shape[2], self.precision,
                                                 ctypes.byref(plan))
        if st != 0:
            raise NNError(st, self.lib.sj_last_error().decode(errors="replace"))
        self.planned = PRECISIONS[self.lib.sj_nn_plan_precision(plan)]
        try:
            c, h, w = ctypes.c_size_t(), ctypes.c_size_t(), ctypes.c_size_t()
            self.lib.sj_nn_plan_output_shape(plan, ctypes.byref(c), ctypes.byref(h),
                                             ctypes.byref(w))
            y = np.empty((c.value, h.value, w.value), dtype=np.float32)
            st = self.lib.sj_nn_plan_run(plan, x.ctypes.data, y.ctypes.data)
            if st != 0:
                raise NNError(st, self.lib.sj_last_error().decode(errors="replace"))
            return y
        finally:
            self.lib.sj_nn_plan_destroy(plan)

    def __del__(self):
        if getattr(self, "h", None):
            self.lib.sj_nn_model_destroy(self.h)
            self.h = None
