/* The LWE scheme's two inner loops (lwe_internal.h), each built three times
 * (SJ_LWE_CLONES: AVX-512, AVX2, baseline x86-64). Integer arithmetic, so every build
 * gives the same bits.
 *
 * sj_lwe_gemv_rows: four rows per pass cut the loads and stores of acc by four and let gcc
 * pair the int16 products into multiply-add instructions (pmaddwd / vpmaddwd). */
#include "lwe_internal.h"

SJ_LWE_CLONES void sj_lwe_gemv_rows(int32_t* restrict acc, const int16_t* M, size_t stride, const int16_t* w,
                                    size_t n, size_t len)
{
    size_t i = 0;
    for (; i + 4 <= n; i += 4) {
        const int16_t* restrict r0 = M + i * stride;
        const int16_t* restrict r1 = r0 + stride;
        const int16_t* restrict r2 = r1 + stride;
        const int16_t* restrict r3 = r2 + stride;
        const int32_t w0 = w[i], w1 = w[i + 1], w2 = w[i + 2], w3 = w[i + 3];
        for (size_t j = 0; j < len; j++)
            acc[j] += (int32_t)r0[j] * w0 + (int32_t)r1[j] * w1 + (int32_t)r2[j] * w2 + (int32_t)r3[j] * w3;
    }
    for (; i < n; i++) {
        const int16_t* restrict r = M + i * stride;
        const int32_t wi = w[i];
        for (size_t j = 0; j < len; j++)
            acc[j] += (int32_t)r[j] * wi;
    }
}


/* x mod p through a truncated double quotient: exact to 1e-10 for |x| < 2^30, so the
 * integer remainder is off by at most one p, which the two corrections take back. */
SJ_LWE_CLONES void sj_lwe_reduce(uint16_t* out, const int32_t* x, size_t n, int32_t p)
{
    const double inv = 1.0 / (double)p;
    for (size_t j = 0; j < n; j++) {
        int32_t r = x[j] - (int32_t)((double)x[j] * inv) * p;
        r += r < 0 ? p : 0;
        r -= r >= p ? p : 0;
        out[j] = (uint16_t)r;
    }
}
