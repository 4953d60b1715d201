/* Macros for the kernel headers (conv_direct_kernel.h, winograd_kernel.h): AVX2 + FMA.
 * Include, then the kernel headers, then simd_undef.h. */
#ifndef SJ_NN_SIMD_AVX2_FNS
#define SJ_NN_SIMD_AVX2_FNS
#include <immintrin.h>
static inline __attribute__((always_inline, target("avx2,fma"))) __m256 sj_rsqrt_avx2(__m256 a)
{
    __m256 y = _mm256_rsqrt_ps(a);
    __m256 hy = _mm256_mul_ps(_mm256_set1_ps(0.5f), y);
    return _mm256_fnmadd_ps(_mm256_mul_ps(a, y), _mm256_mul_ps(hy, y),
                            _mm256_mul_ps(_mm256_set1_ps(1.5f), y));
}
#endif

/* ---- AVX2 + FMA: 4 channels x 2 vectors of 8 pixels = 8 accumulators of 16 registers
 * (with 3 vectors gcc folds the loads into the FMAs and runs at half the speed) */
#define ISA(name) name##_avx2
#define TARGET __attribute__((target("avx2,fma")))
#define VW 8
#define VEC __m256
#define COB 4
#define PB 2
#define LOAD(p) _mm256_loadu_ps(p)
#define STORE(p, a) _mm256_storeu_ps(p, a)
#define SET1(s) _mm256_set1_ps(s)
#define FMA(a, b, c) _mm256_fmadd_ps(a, b, c)
#define MUL(a, b) _mm256_mul_ps(a, b)
#define MAX(a, b) _mm256_max_ps(a, b)
#define ADD(a, b) _mm256_add_ps(a, b)
#define DIV(a, b) _mm256_div_ps(a, b)
#define SQRT(a) _mm256_sqrt_ps(a)
/* 1/sqrt(a): 12-bit estimate, one Newton step y (1.5 - a/2 y^2) */
#define RSQRT(a) sj_rsqrt_avx2(a)
#define SUB(a, b) _mm256_sub_ps(a, b)
#define MIN(a, b) _mm256_min_ps(a, b)
#define ROUND(a) _mm256_round_ps(a, _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC)
/* n (integer-valued, in [-124, 127]) added to p's exponent field: p in [0.7, 1.5]. */
#define EXP2N(p, n)                                                                         \
    _mm256_castsi256_ps(_mm256_add_epi32(_mm256_castps_si256(p),                          \
                                         _mm256_slli_epi32(_mm256_cvtps_epi32(n), 23)))
#define AVX2_MASK(l) _mm256_cmpgt_epi32(_mm256_set1_epi32(l), _mm256_setr_epi32(0, 1, 2, 3, 4, 5, 6, 7))
#define MLOAD(p, l) _mm256_maskload_ps(p, AVX2_MASK(l))
#define MSTORE(p, a, l) _mm256_maskstore_ps(p, AVX2_MASK(l), a)
/* lo/hi: a and b interleaved (a0 b0 a1 b1 ...), the first and second VW of them */
#define ZIPLO(a, b)                                                                         \
    _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x20)
#define ZIPHI(a, b)                                                                         \
    _mm256_permute2f128_ps(_mm256_unpacklo_ps(a, b), _mm256_unpackhi_ps(a, b), 0x31)
/* the even / odd elements of a then b (a0 a2 ... b0 b2 ... / a1 a3 ... b1 b3 ...):
 * shuffle_ps works per 128-bit lane, the 64-bit permute puts the lanes' halves in order */
#define UNZIP_EVEN(a, b)                                                                    \
    _mm256_castpd_ps(_mm256_permute4x64_pd(                                               \
        _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(2, 0, 2, 0))), 0xD8))
#define UNZIP_ODD(a, b)                                                                     \
    _mm256_castpd_ps(_mm256_permute4x64_pd(                                               \
        _mm256_castps_pd(_mm256_shuffle_ps(a, b, _MM_SHUFFLE(3, 1, 3, 1))), 0xD8))
