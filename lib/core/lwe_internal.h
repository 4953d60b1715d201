/* Internal to the LWE part of the core (lwe_params.c, lwe_keys.c, lwe_crypt.c, dgauss.c,
 * csprng.c) and to its white-box tests; not installed, not part of the API.
 *
 * In memory every Z_p matrix is stored CENTRED, as int16 in [-(p-1)/2, (p-1)/2], and
 * row-major with the long dimension (l, or n2 for A) contiguous. Centring keeps every
 * product small (|A| <= 2046, |S|, |e| <= the sampler's cut T <= 70 for the presets), so
 * a whole dot product of up to 320 terms fits int32 without intermediate reductions, and
 * the row-major layout turns every matrix-vector product into a sequence of
 * "acc[0..len) += row[0..len) * scalar" loops that the compiler vectorises. Files hold
 * the canonical representatives in [0, p) instead (docs/key-files-lwe.md). */
#ifndef SECUREJSCC_LWE_INTERNAL_H
#define SECUREJSCC_LWE_INTERNAL_H

#include "securejscc/csprng.h"
#include "securejscc/dgauss.h"
#include "securejscc/lwe.h"

#include <stddef.h>
#include <stdint.h>

#define SJ_LWE_MAX_L ((size_t)1 << 24)
#define SJ_LWE_ID_BYTES 32
#define SJ_LWE_HEADER_BYTES 64 /* kind-specific header of both LWE key files */

struct sj_lwe_pubkey {
    sj_lwe_preset preset;
    const sj_lwe_params* params;
    size_t l;
    int16_t* A; /* n1 x n2, centred */
    int16_t* P; /* n1 x l, centred: P = U - A S mod p */
    uint8_t id[SJ_LWE_ID_BYTES];
};

struct sj_lwe_seckey {
    sj_lwe_preset preset;
    const sj_lwe_params* params;
    size_t l;
    int16_t* S; /* n2 x l, small integers; sodium_malloc'd, zeroed on destroy */
    uint8_t id[SJ_LWE_ID_BYTES];
};

/* Largest |x| the discrete Gaussian sampler can output for parameter s. */
unsigned sj_dgauss_tail_bound(double s);

/* sodium_init() with its failure mapped to SJ_ERR_CRYPTO (call before sodium_malloc). */
sj_status sj_sodium_ready(void);

/* Re-keys a generator from a (public) seed and stream number without allocating. */
sj_status sj_csprng_rekey_seeded(sj_csprng* r, const uint8_t seed[SJ_CSPRNG_SEED_BYTES], uint64_t stream);

/* Index of a preset's parameter record, or -1 if params is not one of the presets. */
int sj_lwe_params_index(const sj_lwe_params* params);

static inline int16_t sj_lwe_center(uint32_t v, uint32_t p)
{
    return (int16_t)(v > p / 2 ? (int32_t)v - (int32_t)p : (int32_t)v);
}

static inline uint16_t sj_lwe_uncenter(int32_t v, int32_t p)
{
    return (uint16_t)(v < 0 ? v + p : v);
}

/* On a function: build it for AVX-512 (x86-64-v4), AVX2 (v3) and baseline x86-64, the
 * loader picking the best the CPU runs (an ifunc), so a distribution build that targets
 * baseline x86-64 still gets wide vectors for the LWE loops (lwe_kernels.c, dgauss.c).
 * Off under AddressSanitizer and on other compilers and CPUs: one plain build. */
#if defined(__x86_64__) && defined(__GNUC__) && !defined(__clang__) && !defined(__SANITIZE_ADDRESS__)
#define SJ_LWE_CLONES __attribute__((target_clones("arch=x86-64-v4", "arch=x86-64-v3", "default")))
#else
#define SJ_LWE_CLONES
#endif

/* acc[0..len) += sum_{i < n} M[i * stride + j] * w[i]: the one kernel that every
 * matrix-vector product of the scheme reduces to (rows of M contiguous). lwe_kernels.c,
 * compiled for AVX-512, AVX2 and baseline x86-64 (the loader picks one). No overflow:
 * each product is below 2^18 in magnitude. */
void sj_lwe_gemv_rows(int32_t* restrict acc, const int16_t* M, size_t stride, const int16_t* w, size_t n,
                      size_t len);

/* out[j] = x[j] mod p in [0, p), for |x[j]| < 2^30 (every sum of the scheme is below 2^26):
 * the reductions after each product, vectorised (lwe_kernels.c). */
void sj_lwe_reduce(uint16_t* out, const int32_t* x, size_t n, int32_t p);

/* x mod p in [0, p) for any int64 x (C's % truncates toward zero). */
static inline uint16_t sj_lwe_mod(int64_t x, int32_t p)
{
    int64_t r = x % p;
    return (uint16_t)(r < 0 ? r + p : r);
}

#endif
