/* Discrete Gaussian sampler by inversion of a cumulative distribution table (dgauss.h).
 *
 * The table holds the distribution of |X|: cdt[m] = floor(2^64 * P(|X| <= m)) for
 * m = 0 .. T-1, with T = ceil(13 s / sqrt(2 pi)) + 1. A sample draws a uniform 64-bit u
 * and counts the entries u >= cdt[m], which is |X|; one more random bit gives the sign
 * (for |X| = 0 the sign changes nothing, and P(|X| = m) = 2 rho(m) / Z for m >= 1 splits
 * evenly into +m and -m). The count scans the WHOLE table with no data-dependent branch,
 * so the time taken does not depend on the secret value drawn; a binary search would be
 * faster but would leak |X| through timing and cache traffic. */
#include "securejscc/dgauss.h"

#include "lwe_internal.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>

#ifndef M_PI
#define M_PI 3.14159265358979323846
#endif

/* Samples drawn per request to the generator: 8 bytes each plus one 64-bit sign word. */
#define SJ_DG_BATCH 64

struct sj_dgauss {
    double s;
    unsigned T;      /* table length; samples lie in [-T, T] */
    uint64_t cdt[];  /* T entries */
};

unsigned sj_dgauss_tail_bound(double s)
{
    return (unsigned)ceil(13.0 * s / sqrt(2.0 * M_PI)) + 1u;
}

sj_status sj_dgauss_create(double s, sj_dgauss** out)
{
    if (out == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "dgauss: output pointer is NULL");
    *out = NULL;
    if (!(s >= 0.5 && s <= 1000.0)) /* also rejects NaN */
        return sj_fail(SJ_ERR_INVALID_ARG, "dgauss: Gaussian parameter s must be in [0.5, 1000], got %g", s);
    unsigned T = sj_dgauss_tail_bound(s);
    sj_dgauss* g = malloc(sizeof *g + (size_t)T * sizeof g->cdt[0]);
    if (g == NULL)
        return sj_fail(SJ_ERR_NOMEM, "dgauss: cannot allocate a table of %u entries", T);
    g->s = s;
    g->T = T;

    /* long double (64-bit mantissa on x86) so that the cumulative sums are accurate to
     * about the table's own 2^-64 resolution. The normaliser Z covers [-T, T]; the mass
     * outside is below 2^-120, far under that resolution. */
    long double a = (long double)M_PI / ((long double)s * (long double)s);
    long double Z = 1.0L;
    for (unsigned m = 1; m <= T; m++)
        Z += 2.0L * expl(-a * (long double)m * (long double)m);
    long double cum = 0.0L;
    for (unsigned m = 0; m < T; m++) {
        long double pm = (m == 0 ? 1.0L : 2.0L) * expl(-a * (long double)m * (long double)m) / Z;
        cum += pm;
        long double scaled = ldexpl(cum, 64);
        g->cdt[m] = scaled >= ldexpl(1.0L, 64) ? UINT64_MAX : (uint64_t)scaled;
    }
    *out = g;
    return SJ_OK;
}

void sj_dgauss_destroy(sj_dgauss* g)
{
    free(g);
}

/* The scan runs table entry by table entry over a whole batch of samples, so the inner
 * loop is the same compare-and-count for 64 independent samples: the compiler turns it
 * into vector compares (8 samples an instruction with AVX-512), built for AVX-512, AVX2
 * and baseline x86-64 (SJ_LWE_CLONES). Still no data-dependent branch or index. */
SJ_LWE_CLONES void sj_dgauss_sample(const sj_dgauss* g, sj_csprng* rng, int32_t* out, size_t n)
{
    if (g == NULL || rng == NULL || out == NULL)
        return;
    uint64_t r[SJ_DG_BATCH + 1] = { 0 }; /* the whole batch is scanned, even past m */
    int64_t mag[SJ_DG_BATCH];
    const uint64_t* cdt = g->cdt;
    const unsigned T = g->T;
    while (n > 0) {
        size_t m = n < SJ_DG_BATCH ? n : SJ_DG_BATCH;
        /* The bytes are uniform, so reading them in host byte order is fine. */
        sj_csprng_bytes(rng, r, (m + 1) * sizeof r[0]);
        uint64_t signs = r[m];
        for (size_t i = 0; i < SJ_DG_BATCH; i++)
            mag[i] = 0;
        for (unsigned t = 0; t < T; t++) {
            const uint64_t c = cdt[t];
            for (size_t i = 0; i < SJ_DG_BATCH; i++) /* past m: counted, not used */
                mag[i] += (int64_t)(r[i] >= c);
        }
        for (size_t i = 0; i < m; i++) {
            int32_t neg = (int32_t)((signs >> i) & 1u);
            out[i] = ((int32_t)mag[i] ^ -neg) + neg; /* branch-free conditional negation */
        }
        out += m;
        n -= m;
    }
    sodium_memzero(r, sizeof r);
    sodium_memzero(mag, sizeof mag);
}

double sj_dgauss_variance(double s)
{
    if (!(s > 0.0) || !isfinite(s))
        return NAN;
    /* Sum far past the sampler's cut (30 standard deviations) so the result is the
     * variance of the untruncated distribution to double precision. */
    double a = M_PI / (s * s);
    long bound = (long)ceil(30.0 * s / sqrt(2.0 * M_PI)) + 2;
    double num = 0.0, den = 1.0;
    for (long x = bound; x >= 1; x--) { /* small terms first, for accuracy */
        double w = 2.0 * exp(-a * (double)x * (double)x);
        num += (double)x * (double)x * w;
        den += w;
    }
    return num / den;
}
