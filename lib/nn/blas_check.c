/* A one-time warning when OpenBLAS runs its generic kernels on a CPU that has better ones.
 *
 * OpenBLAS picks its kernels by CPU model when it loads. Debian bookworm's 0.3.21 does not
 * know newer models (seen: an Emerald Rapids Xeon, family 6 model 207) and falls back to
 * "Prescott" (SSE3), which ran the lwe encoder at 768x512 in 0.96 s instead of 0.46-0.50 s
 * with OPENBLAS_CORETYPE=SkylakeX. The kernels cannot be changed once OpenBLAS is loaded (in
 * a GNU Radio flowgraph numpy loads it first), so the runtime can only tell the user, once
 * per process, what to set. A user who set OPENBLAS_CORETYPE chose, and is not told. */
#include "nn_internal.h"

#include <cblas.h>

#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* The OpenBLAS kernel family this CPU's flags allow, or NULL where none is known better. */
static const char* better_coretype(void)
{
#if defined(__GNUC__) && (defined(__x86_64__) || defined(__i386__))
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
        __builtin_cpu_supports("avx512vl") && __builtin_cpu_supports("avx512dq") &&
        __builtin_cpu_supports("avx512cd"))
        return "SkylakeX";
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        return "Haswell";
#endif
    return NULL;
}

void sj_nn_blas_check_once(void)
{
    static atomic_flag done = ATOMIC_FLAG_INIT;
    if (atomic_flag_test_and_set(&done))
        return;
    if (getenv("OPENBLAS_CORETYPE") || getenv("SJ_NN_QUIET"))
        return;
    const char* core = openblas_get_corename();
    const char* better = better_coretype();
    if (core && better && (strcmp(core, "Prescott") == 0 || strcmp(core, "Core2") == 0 ||
                           strcmp(core, "Nehalem") == 0 || strcmp(core, "Sandybridge") == 0))
        fprintf(stderr,
                "securejscc: OpenBLAS chose its generic %s kernels on a CPU that can run its %s ones; "
                "the networks run up to 2x faster with OPENBLAS_CORETYPE=%s in the environment "
                "(set it before the program starts; README, Measured)\n",
                core, better, better);
}
