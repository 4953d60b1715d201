/* The N-level uniform quantiser into Z_p and its soft dequantiser (quantizer.h). */
#include "securejscc/quantizer.h"

#include <float.h>
#include <math.h>
#include <stdlib.h>

#include "vexp_internal.h"

struct sj_quantizer {
    unsigned levels;
    unsigned used; /* levels - guard: only q_0..q_{used-1} are ever sent or expected */
    unsigned modulus;
    uint16_t* centroid; /* q_i = floor(i p / N) */
    double* centroid_d; /* the same as doubles, for the inner loop of the soft path */
    const char* exp_impl; /* sj_vexp's choice (vexp_internal.h) */
};

sj_status sj_quantizer_create(unsigned levels, unsigned modulus, sj_quantizer** out)
{
    return sj_quantizer_create_guarded(levels, 0, modulus, out);
}

sj_status sj_quantizer_create_guarded(unsigned levels, unsigned guard, unsigned modulus, sj_quantizer** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_create: out is NULL");
    *out = NULL;
    if (levels < 2 || modulus < levels || modulus > 65536)
        return sj_fail(SJ_ERR_INVALID_ARG,
                       "sj_quantizer_create: need 2 <= levels <= modulus <= 65536, got levels %u, modulus %u",
                       levels, modulus);
    if (guard > levels - 2)
        return sj_fail(SJ_ERR_INVALID_ARG,
                       "sj_quantizer_create_guarded: guard levels must leave at least 2 levels in use (guard <= %u), "
                       "got guard %u with %u levels",
                       levels - 2, guard, levels);
    sj_quantizer* q = calloc(1, sizeof *q);
    if (!q)
        return sj_fail(SJ_ERR_NOMEM, "sj_quantizer_create: out of memory");
    q->centroid = malloc(levels * sizeof *q->centroid);
    q->centroid_d = malloc(levels * sizeof *q->centroid_d);
    if (!q->centroid || !q->centroid_d) {
        sj_quantizer_destroy(q);
        return sj_fail(SJ_ERR_NOMEM, "sj_quantizer_create: out of memory");
    }
    q->levels = levels;
    q->used = levels - guard;
    q->modulus = modulus;
    q->exp_impl = sj_vexp_impl_for_env();
    for (unsigned i = 0; i < levels; i++) {
        /* i p < 2^32 since both are <= 65536; 64-bit to be safe at the corner. The largest
         * centroid is below p <= 65536, so it fits uint16_t. */
        q->centroid[i] = (uint16_t)(((uint64_t)i * modulus) / levels);
        q->centroid_d[i] = q->centroid[i];
    }
    *out = q;
    return SJ_OK;
}

void sj_quantizer_destroy(sj_quantizer* q)
{
    if (!q)
        return;
    free(q->centroid);
    free(q->centroid_d);
    free(q);
}

unsigned sj_quantizer_levels(const sj_quantizer* q) { return q ? q->levels : 0; }
unsigned sj_quantizer_used_levels(const sj_quantizer* q) { return q ? q->used : 0; }
unsigned sj_quantizer_modulus(const sj_quantizer* q) { return q ? q->modulus : 0; }

uint16_t sj_quantizer_centroid(const sj_quantizer* q, unsigned i)
{
    return (q && i < q->levels) ? q->centroid[i] : 0;
}

/* Nearest centroid of q_0 < v < q_{U-1} (U used levels). Centroids are spaced p/N apart
 * to within one unit, so the nearest one is within one level of the rounded estimate
 * v N / p; comparing those three settles it exactly (ties to the lower level). */
static long nearest_inside(const sj_quantizer* q, double v, double step)
{
    const long N = (long)q->used;
    double est = floor(v * step + 0.5);
    long c = est < 0 ? 0 : est > (double)(N - 1) ? N - 1 : (long)est;
    long best = -1;
    double bestd = INFINITY;
    for (long j = c - 1; j <= c + 1; j++) {
        if (j < 0 || j >= N)
            continue;
        double d = fabs(v - q->centroid_d[j]);
        if (d < bestd) {
            best = j;
            bestd = d;
        }
    }
    return best;
}

sj_status sj_quantizer_hard(const sj_quantizer* q, const float* z, size_t n, uint16_t* values, uint8_t* indices)
{
    if (!q)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_hard: quantizer is NULL");
    if (n > 0 && (!z || !values))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_hard: NULL buffer for %zu values", n);
    if (indices && q->levels > 256)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_hard: %u levels do not fit 8-bit indices", q->levels);
    const unsigned N = q->used;
    const double step = (double)q->levels / q->modulus; /* levels per Z_p unit */
    for (size_t i = 0; i < n; i++) {
        const double v = z[i];
        if (isnan(v))
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_hard: value at index %zu is NaN", i);
        /* Outside [q_0, q_{U-1}] the end used centroids win (no wrap, no guard level). */
        long best;
        if (v <= q->centroid_d[0]) {
            best = 0;
        } else if (v >= q->centroid_d[N - 1]) {
            best = (long)N - 1; /* also where huge values make all distances compare equal */
        } else {
            best = nearest_inside(q, v, step);
        }
        values[i] = q->centroid[best];
        if (indices)
            indices[i] = (uint8_t)best;
    }
    return SJ_OK;
}

/* The value wrapped into [0, p) (the channel and the decryption leave any real). */
static double wrap(double v, double p)
{
    v -= p * floor(v / p);
    return v >= p ? v - p : v; /* rounding of a tiny negative value */
}

/* One value in double precision, for quantisers with more used levels than the vector
 * path's scratch holds (tests/core/test_quantizer.c checks both against a reference). Weights
 * exp(-d^2 / 2 var) underflow to 0 for every centroid once d^2 / 2 var passes ~745,
 * which small noise variances reach easily; subtracting the largest log-weight keeps
 * the best centroid's weight at exactly 1. */
static float soft_dequant_scalar(const sj_quantizer* q, double v, double inv2v)
{
    const unsigned N = q->used;
    const double p = q->modulus;
    const double* c = q->centroid_d;
    double maxl = -INFINITY;
    for (unsigned j = 0; j < N; j++) {
        double d = fabs(v - c[j]);
        d = d > p - d ? p - d : d;
        double l = -d * d * inv2v;
        maxl = l > maxl ? l : maxl;
    }
    double sw = 0.0, swq = 0.0;
    for (unsigned j = 0; j < N; j++) {
        double d = fabs(v - c[j]);
        d = d > p - d ? p - d : d;
        double w = exp(-d * d * inv2v - maxl);
        sw += w;
        swq += w * c[j];
    }
    return (float)(swq / sw);
}

/* The vector path works on a chunk of values at a time: the N x chunk matrix of
 * log-weights in float, one VOLK exp over all of it, then the weighted sums with the
 * value index innermost so that every loop vectorises. Why: the scalar path's N calls
 * of exp() per value were the largest cost of the lwe receiver after the networks and the
 * demodulator: 24.2 ms per 768x512 image, 4.6 ms this way (rx.dequantizer in
 * `bench_flowgraph --schemes lwe --sizes 768x512`, 2-core AMD EPYC, 2026-12-05). */
#define SOFT_CHUNK 256
#define SOFT_SCRATCH 4096

static void soft_dequant_chunk(const sj_quantizer* q, const float* y, size_t m, float nscale, float* out,
                               float* w)
{
    const unsigned N = q->used;
    const float p = (float)q->modulus;
    float dmin[SOFT_CHUNK], v[SOFT_CHUNK], sw[SOFT_CHUNK], swq[SOFT_CHUNK];
    for (size_t i = 0; i < m; i++) {
        v[i] = (float)wrap(y[i], q->modulus);
        dmin[i] = INFINITY;
    }
    /* Distances on the circle Z_p; centroids and |v - c| < 65536 are exact enough in
     * float (one ulp of v, under 0.004 of a Z_p unit). */
    for (unsigned j = 0; j < N; j++) {
        const float cj = (float)q->centroid[j];
        float* dj = w + (size_t)j * m;
        for (size_t i = 0; i < m; i++) {
            float d = fabsf(v[i] - cj);
            d = d > p - d ? p - d : d;
            dj[i] = d;
            dmin[i] = d < dmin[i] ? d : dmin[i];
        }
    }
    /* In place, distance -> log w - log w_max = -(d^2 - dmin^2) / 2 var, factored so that
     * the nearest centroid gets exactly 0 (weight 1); clamped where exp would underflow to
     * keep every lane finite. */
    for (unsigned j = 0; j < N; j++) {
        float* lj = w + (size_t)j * m;
        for (size_t i = 0; i < m; i++) {
            float l = (lj[i] - dmin[i]) * (lj[i] + dmin[i]) * nscale;
            lj[i] = l < -87.0f ? -87.0f : l;
        }
    }
    sj_vexp(q->exp_impl, w, w, (unsigned)(N * m));
    for (size_t i = 0; i < m; i++)
        sw[i] = swq[i] = 0.0f;
    for (unsigned j = 0; j < N; j++) {
        const float cj = (float)q->centroid[j];
        const float* wj = w + (size_t)j * m;
        for (size_t i = 0; i < m; i++) {
            sw[i] += wj[i];
            swq[i] += wj[i] * cj;
        }
    }
    for (size_t i = 0; i < m; i++)
        out[i] = swq[i] / sw[i];
}

sj_status sj_quantizer_soft_dequant(const sj_quantizer* q, const float* y, size_t n, float noise_var, float* out)
{
    if (!q)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_soft_dequant: quantizer is NULL");
    if (n > 0 && (!y || !out))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_soft_dequant: NULL buffer for %zu values", n);
    if (!(noise_var > 0.0f) || !isfinite(noise_var))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_soft_dequant: noise variance must be finite and > 0, got %g",
                       (double)noise_var);
    for (size_t i = 0; i < n; i++)
        if (!isfinite(y[i]))
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_quantizer_soft_dequant: value at index %zu is not finite", i);
    const unsigned N = q->used; /* the guard centroids have prior zero */
    const double inv2v = 1.0 / (2.0 * (double)noise_var);
    if (N > SOFT_SCRATCH) {
        for (size_t i = 0; i < n; i++)
            out[i] = soft_dequant_scalar(q, wrap(y[i], q->modulus), inv2v);
        return SJ_OK;
    }
    /* 16 KiB on the stack: no allocation per frame. */
    float scratch[SOFT_SCRATCH];
    /* -1 / 2 var in float; a variance so small that it overflows is as good as -FLT_MAX. */
    const float nscale = inv2v > FLT_MAX ? -FLT_MAX : (float)-inv2v;
    size_t chunk = SOFT_SCRATCH / N;
    chunk = chunk > SOFT_CHUNK ? SOFT_CHUNK : chunk;
    for (size_t i = 0; i < n; i += chunk) {
        size_t m = n - i < chunk ? n - i : chunk;
        soft_dequant_chunk(q, y + i, m, nscale, out + i, scratch);
    }
    return SJ_OK;
}
