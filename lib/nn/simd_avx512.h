/* Macros for the kernel headers (conv_direct_kernel.h, winograd_kernel.h): AVX-512.
 * Include, then the kernel headers, then simd_undef.h. */
#ifndef SJ_NN_SIMD_AVX512_FNS
#define SJ_NN_SIMD_AVX512_FNS
#include <immintrin.h>
static inline __attribute__((always_inline, target("avx512f"))) __m512 sj_rsqrt_avx512(__m512 a)
{
    __m512 y = _mm512_rsqrt14_ps(a);
    __m512 hy = _mm512_mul_ps(_mm512_set1_ps(0.5f), y);
    return _mm512_fnmadd_ps(_mm512_mul_ps(a, y), _mm512_mul_ps(hy, y),
                            _mm512_mul_ps(_mm512_set1_ps(1.5f), y));
}
#endif

/* ---- AVX-512: 8 channels x 3 vectors of 16 pixels = 24 accumulators of 32 registers */
#define ISA(name) name##_avx512
#define TARGET __attribute__((target("avx512f,avx2,fma")))
#define VW 16
#define VEC __m512
#define COB 8
#define PB 3
#define LOAD(p) _mm512_loadu_ps(p)
#define STORE(p, a) _mm512_storeu_ps(p, a)
#define SET1(s) _mm512_set1_ps(s)
#define FMA(a, b, c) _mm512_fmadd_ps(a, b, c)
#define MUL(a, b) _mm512_mul_ps(a, b)
#define MAX(a, b) _mm512_max_ps(a, b)
#define ADD(a, b) _mm512_add_ps(a, b)
#define DIV(a, b) _mm512_div_ps(a, b)
#define SQRT(a) _mm512_sqrt_ps(a)
/* 1/sqrt(a): 14-bit estimate, one Newton step y (1.5 - a/2 y^2) */
#define RSQRT(a) sj_rsqrt_avx512(a)
#define SUB(a, b) _mm512_sub_ps(a, b)
#define MIN(a, b) _mm512_min_ps(a, b)
#define ROUND(a) _mm512_roundscale_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
#define EXP2N(p, n) _mm512_scalef_ps(p, n)
#define MLOAD(p, l) _mm512_maskz_loadu_ps((__mmask16)((1u << (l)) - 1u), p)
#define MSTORE(p, a, l) _mm512_mask_storeu_ps(p, (__mmask16)((1u << (l)) - 1u), a)
/* lo/hi: a and b interleaved (a0 b0 a1 b1 ...), the first and second VW of them */
#define ZIPLO(a, b)                                                                         \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 16, 1, 17, 2, 18, 3, 19, 4, 20, 5, 21, 6, \
                                                22, 7, 23), b)
#define ZIPHI(a, b)                                                                         \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(8, 24, 9, 25, 10, 26, 11, 27, 12, 28, 13,  \
                                                29, 14, 30, 15, 31), b)
/* the even / odd elements of a then b (a0 a2 ... b0 b2 ... / a1 a3 ... b1 b3 ...) */
#define UNZIP_EVEN(a, b)                                                                    \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(0, 2, 4, 6, 8, 10, 12, 14, 16, 18, 20, 22, \
                                                24, 26, 28, 30), b)
#define UNZIP_ODD(a, b)                                                                     \
    _mm512_permutex2var_ps(a, _mm512_setr_epi32(1, 3, 5, 7, 9, 11, 13, 15, 17, 19, 21, 23, \
                                                25, 27, 29, 31), b)
