/* Simulated AWGN channel (awgn.h).
 *
 * Uniforms come from xoshiro256** (Blackman & Vigna): fast, 256-bit state, passes the
 * usual statistical batteries, and reproducible from a 64-bit seed, which is what tests
 * and benchmarks need. It is NOT cryptographic and is never used for keys or encryption
 * noise (those come from libsodium). The seed is expanded with splitmix64 so that nearby
 * seeds (0, 1, 2...) give unrelated states and the state is never all zero.
 * Gaussians come from the Box-Muller transform in double precision: exact in distribution
 * (no table or polynomial approximation), so bit error rates measured with it match the
 * Q-function formulas down into the tails the tests use. */
#include "securejscc/awgn.h"

#include <complex.h>
#include <math.h>
#include <stdlib.h>

struct sj_awgn {
    uint64_t s[4];
};

static inline uint64_t rotl64(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

static uint64_t splitmix64(uint64_t* x)
{
    uint64_t z = (*x += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static inline uint64_t xoshiro_next(uint64_t* s)
{
    const uint64_t result = rotl64(s[1] * 5, 7) * 9;
    const uint64_t t = s[1] << 17;
    s[2] ^= s[0];
    s[3] ^= s[1];
    s[1] ^= s[2];
    s[0] ^= s[3];
    s[2] ^= t;
    s[3] = rotl64(s[3], 45);
    return result;
}

/* A pair of independent standard normals. u1 is in (0, 1] so log(u1) is finite; u2 in
 * [0, 1). 53-bit uniforms keep the radius exact out to about 8.6 sigma. */
static inline void gauss_pair(uint64_t* s, double* z0, double* z1)
{
    const double u1 = ((xoshiro_next(s) >> 11) + 1) * 0x1.0p-53;
    const double u2 = (xoshiro_next(s) >> 11) * 0x1.0p-53;
    const double r = sqrt(-2.0 * log(u1));
    const double th = 6.283185307179586476925 * u2;
    *z0 = r * cos(th);
    *z1 = r * sin(th);
}

sj_status sj_awgn_create(uint64_t seed, sj_awgn** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_awgn_create: out is NULL");
    *out = NULL;
    sj_awgn* a = malloc(sizeof *a);
    if (!a)
        return sj_fail(SJ_ERR_NOMEM, "sj_awgn_create: out of memory");
    uint64_t x = seed;
    for (int i = 0; i < 4; i++)
        a->s[i] = splitmix64(&x);
    *out = a;
    return SJ_OK;
}

void sj_awgn_destroy(sj_awgn* a) { free(a); }

void sj_awgn_apply(sj_awgn* a, const lv_32fc_t* in, lv_32fc_t* out, size_t n, float noise_var)
{
    if (!a || !in || !out || n == 0)
        return;
    /* The function returns nothing, so a bad noise level cannot fail: no noise is added
     * (out = in) and the detail is recorded for sj_last_error(). */
    if (!(noise_var > 0.0f) || isinf(noise_var)) {
        if (!(noise_var == 0.0f))
            sj_fail(SJ_ERR_INVALID_ARG, "sj_awgn_apply: noise_var must be finite and >= 0, got %g; no noise added",
                    (double)noise_var);
        for (size_t i = 0; i < n; i++)
            out[i] = in[i];
        return;
    }
    const double sd = sqrt(0.5 * (double)noise_var); /* per real dimension */
    for (size_t i = 0; i < n; i++) {
        double z0, z1;
        gauss_pair(a->s, &z0, &z1);
        out[i] = CMPLXF((float)(lv_creal(in[i]) + sd * z0), (float)(lv_cimag(in[i]) + sd * z1));
    }
}

void sj_awgn_gaussian(sj_awgn* a, float* out, size_t n)
{
    if (!a || !out)
        return;
    size_t i = 0;
    for (; i + 1 < n; i += 2) {
        double z0, z1;
        gauss_pair(a->s, &z0, &z1);
        out[i] = (float)z0;
        out[i + 1] = (float)z1;
    }
    if (i < n) { /* odd n: the second value of the last pair is dropped */
        double z0, z1;
        gauss_pair(a->s, &z0, &z1);
        out[i] = (float)z0;
    }
}

float sj_awgn_noise_var(float snr_db, float symbol_energy)
{
    return (float)((double)symbol_energy / pow(10.0, (double)snr_db / 10.0));
}
