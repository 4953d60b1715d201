/* The N-level quantiser into Z_p, its soft dequantiser, and the byte quantiser of srec. */
#include "sj_test.h"

#include <securejscc/byte_quantizer.h>
#include <securejscc/quantizer.h>

#include <float.h>
#include <stdint.h>
#include <string.h>

/* SJ_REQUIRE evaluates its condition twice: only side-effect-free conditions go in it. */

static sj_quantizer* make(unsigned n, unsigned p)
{
    sj_quantizer* q = NULL;
    return sj_quantizer_create(n, p, &q) == SJ_OK ? q : NULL;
}

SJ_TEST(centroids_16_4093)
{
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(q, "create: %s", sj_last_error());
    SJ_CHECK(sj_quantizer_levels(q) == 16 && sj_quantizer_modulus(q) == 4093, "accessors");
    const unsigned expect[16] = { 0,    255,  511,  767,  1023, 1279, 1534, 1790,
                                  2046, 2302, 2558, 2813, 3069, 3325, 3581, 3837 };
    for (unsigned i = 0; i < 16; i++) {
        SJ_CHECK(sj_quantizer_centroid(q, i) == expect[i], "q_%u = %u, want %u", i, sj_quantizer_centroid(q, i),
                 expect[i]);
        SJ_CHECK(sj_quantizer_centroid(q, i) == (i * 4093u) / 16u, "floor(i p / N)");
    }
    sj_quantizer_destroy(q);
}

SJ_TEST(centroids_other_sizes)
{
    const unsigned cfg[][2] = { { 2, 2 }, { 4, 7 }, { 256, 65536 }, { 1000, 4093 }, { 65536, 65536 } };
    for (int t = 0; t < 5; t++) {
        sj_quantizer* q = make(cfg[t][0], cfg[t][1]);
        SJ_REQUIRE(q, "create %u %u", cfg[t][0], cfg[t][1]);
        int bad = 0;
        for (unsigned i = 0; i < cfg[t][0]; i++)
            bad += sj_quantizer_centroid(q, i) != (uint16_t)(((uint64_t)i * cfg[t][1]) / cfg[t][0]);
        SJ_CHECK(bad == 0, "N=%u p=%u: %d centroids wrong", cfg[t][0], cfg[t][1], bad);
        sj_quantizer_destroy(q);
    }
}

/* Brute-force nearest centroid, lowest index on ties. */
static unsigned nearest(const sj_quantizer* q, double v)
{
    unsigned best = 0;
    double bd = INFINITY;
    for (unsigned j = 0; j < sj_quantizer_levels(q); j++) {
        double d = fabs(v - sj_quantizer_centroid(q, j));
        if (d < bd) {
            bd = d;
            best = j;
        }
    }
    return best;
}

SJ_TEST(hard_nearest_centroid)
{
    const unsigned cfg[][2] = { { 16, 4093 }, { 5, 13 }, { 256, 4093 } };
    for (int t = 0; t < 3; t++) {
        sj_quantizer* q = make(cfg[t][0], cfg[t][1]);
        SJ_REQUIRE(q, "create");
        enum { N = 20001 };
        static float z[N];
        static uint16_t v[N];
        static uint8_t idx[N];
        const double p = cfg[t][1];
        /* A fine sweep from well below 0 to well above p, hitting midpoints and integers. */
        for (int i = 0; i < N; i++)
            z[i] = (float)(-0.5 * p + 2.0 * p * i / (N - 1));
        sj_status s = sj_quantizer_hard(q, z, N, v, idx);
        SJ_REQUIRE(s == SJ_OK, "hard: %s", sj_last_error());
        int bad = 0;
        for (int i = 0; i < N; i++) {
            unsigned b = nearest(q, z[i]);
            if (idx[i] != b || v[i] != sj_quantizer_centroid(q, b)) {
                /* exact ties may go either way; both must then be equally near */
                double d1 = fabs(z[i] - (double)v[i]), d2 = fabs(z[i] - (double)sj_quantizer_centroid(q, b));
                if (d1 != d2 || v[i] != sj_quantizer_centroid(q, idx[i]))
                    bad++;
            }
        }
        SJ_CHECK(bad == 0, "N=%u p=%u: %d values not mapped to the nearest centroid", cfg[t][0], cfg[t][1], bad);
        sj_quantizer_destroy(q);
    }
}

SJ_TEST(hard_outside_range_and_specials)
{
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(q, "create");
    float z[] = { -1e9f, -1.0f, 0.0f, 127.0f, 128.0f, 4092.9f, 4093.0f, 5000.0f, 1e30f, INFINITY, -INFINITY };
    const unsigned want[] = { 0, 0, 0, 0, 1, 15, 15, 15, 15, 15, 0 };
    enum { K = sizeof z / sizeof z[0] };
    uint16_t v[K];
    uint8_t idx[K];
    sj_status s = sj_quantizer_hard(q, z, K, v, idx);
    SJ_REQUIRE(s == SJ_OK, "hard: %s", sj_last_error());
    for (int i = 0; i < K; i++)
        SJ_CHECK(idx[i] == want[i] && v[i] == sj_quantizer_centroid(q, want[i]), "z=%g -> level %u (%u), want %u",
                 (double)z[i], idx[i], v[i], want[i]);
    /* Values only, no indices. */
    s = sj_quantizer_hard(q, z, K, v, NULL);
    SJ_CHECK(s == SJ_OK, "indices NULL");
    float bad[2] = { 1.0f, NAN };
    SJ_CHECK(sj_quantizer_hard(q, bad, 2, v, idx) == SJ_ERR_INVALID_ARG, "NaN accepted");
    sj_quantizer_destroy(q);

    sj_quantizer* big = make(1000, 4093);
    SJ_REQUIRE(big, "create");
    SJ_CHECK(sj_quantizer_hard(big, z, 1, v, idx) == SJ_ERR_INVALID_ARG, "1000 levels into 8-bit indices");
    SJ_CHECK(sj_quantizer_hard(big, z, 1, v, NULL) == SJ_OK, "values only");
    sj_quantizer_destroy(big);
}

SJ_TEST(soft_tiny_noise_gives_centroid)
{
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(q, "create");
    enum { K = 16 * 3 };
    float y[K], out[K];
    for (int i = 0; i < 16; i++) {
        double c = sj_quantizer_centroid(q, i);
        y[3 * i] = (float)c;
        y[3 * i + 1] = (float)(c + 40.0);
        y[3 * i + 2] = (float)(c - 40.0 < 0 ? c - 40.0 + 4093 : c - 40.0); /* mod p */
    }
    /* Variance 1: weights of the other centroids are exp(-200^2 / 2) = 0, which without the
     * max-subtraction would underflow every weight and give 0/0. */
    sj_status s = sj_quantizer_soft_dequant(q, y, K, 1.0f, out);
    SJ_REQUIRE(s == SJ_OK, "soft: %s", sj_last_error());
    for (int i = 0; i < K; i++) {
        double want = sj_quantizer_centroid(q, i / 3);
        SJ_CHECK(isfinite(out[i]) && fabs(out[i] - want) < 1e-3, "y=%g -> %g, want %g", (double)y[i],
                 (double)out[i], want);
    }
    sj_quantizer_destroy(q);
}

SJ_TEST(soft_wraps_around)
{
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(q, "create");
    /* y = p - 0.5 is 0.5 from q_0 = 0 on the circle and 255.5 from q_15 = 3837. */
    float y[4] = { 4092.5f, -0.5f, 4093.0f + 3.0f, 2.0f * 4093.0f - 1.0f };
    float out[4];
    sj_status s = sj_quantizer_soft_dequant(q, y, 4, 100.0f, out);
    SJ_REQUIRE(s == SJ_OK, "soft: %s", sj_last_error());
    for (int i = 0; i < 4; i++)
        SJ_CHECK(fabs(out[i]) < 1e-3, "y=%g -> %g, want q_0 = 0", (double)y[i], (double)out[i]);
    /* Midway between q_15 = 3837 and p = q_0 + p (128 units from each): equal weights, so the
     * posterior mean is the average of the two centroid values 3837 and 0. */
    float mid = (3837.0f + 4093.0f) / 2.0f;
    s = sj_quantizer_soft_dequant(q, &mid, 1, 100.0f, out);
    SJ_CHECK(s == SJ_OK && fabs(out[0] - 3837.0 / 2) < 1e-2, "midpoint across the wrap -> %g", (double)out[0]);
    /* Closer to q_0 across the wrap: the value moves toward 0. */
    float near0 = 4093.0f - 20.0f;
    s = sj_quantizer_soft_dequant(q, &near0, 1, 2000.0f, out);
    SJ_CHECK(s == SJ_OK && out[0] < 1000.0f, "y = p - 20 with var 2000 -> %g, expected close to 0", (double)out[0]);
    sj_quantizer_destroy(q);
}

/* Posterior mean by the definition, in double. */
static double soft_reference(const sj_quantizer* q, double y, double var)
{
    const double p = sj_quantizer_modulus(q);
    y -= p * floor(y / p);
    double best = INFINITY;
    for (unsigned j = 0; j < sj_quantizer_used_levels(q); j++) {
        double d = fabs(y - sj_quantizer_centroid(q, j));
        d = fmin(d, p - d);
        best = fmin(best, d * d);
    }
    double sw = 0, swq = 0;
    for (unsigned j = 0; j < sj_quantizer_used_levels(q); j++) {
        double d = fabs(y - sj_quantizer_centroid(q, j));
        d = fmin(d, p - d);
        double w = exp(-(d * d - best) / (2.0 * var));
        sw += w;
        swq += w * sj_quantizer_centroid(q, j);
    }
    return swq / sw;
}

SJ_TEST(soft_matches_reference_and_huge_noise)
{
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(q, "create");
    double mean = 0;
    for (unsigned j = 0; j < 16; j++)
        mean += sj_quantizer_centroid(q, j) / 16.0;
    float y[7] = { 0.0f, 100.0f, 1000.3f, 2047.0f, 3000.0f, 4000.0f, 4092.9f };
    float out[7];
    sj_status s = sj_quantizer_soft_dequant(q, y, 7, 1e12f, out);
    SJ_REQUIRE(s == SJ_OK, "soft: %s", sj_last_error());
    for (int i = 0; i < 7; i++)
        SJ_CHECK(fabs(out[i] - mean) < 1e-2, "huge noise: y=%g -> %g, want mean %g", (double)y[i], (double)out[i],
                 mean);
    /* Moderate noise against a direct evaluation of the definition. */
    const float vars[3] = { 500.0f, 5000.0f, 50000.0f };
    for (int t = 0; t < 3; t++) {
        s = sj_quantizer_soft_dequant(q, y, 7, vars[t], out);
        SJ_REQUIRE(s == SJ_OK, "soft");
        for (int i = 0; i < 7; i++) {
            double want = soft_reference(q, y[i], vars[t]);
            SJ_CHECK(fabs(out[i] - want) < 1e-2 * fmax(1.0, want / 1000), "var %g y=%g: %g vs %g",
                     (double)vars[t], (double)y[i], (double)out[i], want);
        }
    }
    float bad = NAN;
    SJ_CHECK(sj_quantizer_soft_dequant(q, y, 1, 0.0f, out) == SJ_ERR_INVALID_ARG, "zero variance accepted");
    SJ_CHECK(sj_quantizer_soft_dequant(q, y, 1, -1.0f, out) == SJ_ERR_INVALID_ARG, "negative variance accepted");
    SJ_CHECK(sj_quantizer_soft_dequant(q, &bad, 1, 1.0f, out) == SJ_ERR_INVALID_ARG, "NaN accepted");
    sj_quantizer_destroy(q);
}

SJ_TEST(create_arguments)
{
    sj_quantizer* q = NULL;
    SJ_CHECK(sj_quantizer_create(1, 4093, &q) == SJ_ERR_INVALID_ARG && !q, "1 level");
    SJ_CHECK(sj_quantizer_create(16, 15, &q) == SJ_ERR_INVALID_ARG, "modulus < levels");
    SJ_CHECK(sj_quantizer_create(16, 65537, &q) == SJ_ERR_INVALID_ARG, "modulus > 65536");
    SJ_CHECK(sj_quantizer_create(16, 4093, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_quantizer_levels(NULL) == 0 && sj_quantizer_modulus(NULL) == 0, "NULL accessors");
    sj_quantizer_destroy(NULL);
}

/* ---- guard levels ---- */

static sj_quantizer* make_guarded(unsigned n, unsigned g, unsigned p)
{
    sj_quantizer* q = NULL;
    return sj_quantizer_create_guarded(n, g, p, &q) == SJ_OK ? q : NULL;
}

SJ_TEST(guard_hard_clamps_to_top_used)
{
    sj_quantizer* q = make_guarded(16, 2, 4093);
    SJ_REQUIRE(q, "create: %s", sj_last_error());
    SJ_CHECK(sj_quantizer_levels(q) == 16 && sj_quantizer_used_levels(q) == 14, "levels %u used %u",
             sj_quantizer_levels(q), sj_quantizer_used_levels(q));
    SJ_CHECK(sj_quantizer_centroid(q, 13) == 3325 && sj_quantizer_centroid(q, 15) == 3837,
             "centroids keep floor(i p / N)");
    /* 3453 is the midpoint of q_13 and q_14: without the guard 3454 would go to q_14. */
    float z[] = { -5.0f, 3069.0f, 3196.5f, 3325.0f, 3454.0f, 3581.0f, 3837.0f, 4092.0f, 1e30f, INFINITY };
    const unsigned want[] = { 0, 12, 12, 13, 13, 13, 13, 13, 13, 13 };
    enum { K = sizeof z / sizeof z[0] };
    uint16_t v[K];
    uint8_t idx[K];
    SJ_REQUIRE(sj_quantizer_hard(q, z, K, v, idx) == SJ_OK, "hard: %s", sj_last_error());
    for (int i = 0; i < K; i++)
        SJ_CHECK(idx[i] == want[i] && v[i] == sj_quantizer_centroid(q, want[i]), "z=%g -> level %u, want %u",
                 (double)z[i], idx[i], want[i]);
    /* Below the top used centroid the guard changes nothing: a sweep against the plain one. */
    sj_quantizer* plain = make(16, 4093);
    SJ_REQUIRE(plain, "create");
    enum { M = 4000 };
    static float s[M];
    static uint16_t a[M], b[M];
    for (int i = 0; i < M; i++)
        s[i] = (float)(-100.0 + 3425.0 * i / (M - 1)); /* up to q_13 */
    SJ_REQUIRE(sj_quantizer_hard(q, s, M, a, NULL) == SJ_OK && sj_quantizer_hard(plain, s, M, b, NULL) == SJ_OK,
               "hard");
    int bad = 0;
    for (int i = 0; i < M; i++)
        bad += s[i] <= 3389.0f && a[i] != b[i]; /* 3389 < midpoint of q_13 and q_14 */
    SJ_CHECK(bad == 0, "%d values below q_13 quantised differently", bad);
    sj_quantizer_destroy(plain);
    sj_quantizer_destroy(q);
}

SJ_TEST(guard_soft_never_outputs_guard_values)
{
    sj_quantizer* q = make_guarded(16, 2, 4093);
    SJ_REQUIRE(q, "create");
    enum { M = 4093 * 2 };
    static float y[M], out[M];
    for (int i = 0; i < M; i++)
        y[i] = (float)(i * 0.5);
    const float vars[] = { 1.0f, 100.0f, 256.0f * 256.0f, 1e6f, 1e12f };
    for (int t = 0; t < 5; t++) {
        SJ_REQUIRE(sj_quantizer_soft_dequant(q, y, M, vars[t], out) == SJ_OK, "soft: %s", sj_last_error());
        int bad = 0;
        for (int i = 0; i < M; i++)
            bad += !(out[i] >= 0.0f && out[i] <= 3325.0f + 1e-3f);
        SJ_CHECK(bad == 0, "var %g: %d outputs outside [q_0, q_13]", (double)vars[t], bad);
    }
    /* Against the definition with a prior over q_0..q_13 only. */
    const float ys[] = { 100.0f, 2000.0f, 3500.0f, 3837.0f, 4000.0f };
    float o[5];
    SJ_REQUIRE(sj_quantizer_soft_dequant(q, ys, 5, 50000.0f, o) == SJ_OK, "soft");
    for (int i = 0; i < 5; i++) {
        double sw = 0, swq = 0;
        for (unsigned j = 0; j < 14; j++) {
            double c = sj_quantizer_centroid(q, j), d = fabs(ys[i] - c);
            d = fmin(d, 4093 - d);
            double w = exp(-d * d / 1e5);
            sw += w;
            swq += w * c;
        }
        SJ_CHECK(fabs(o[i] - swq / sw) < 1e-2, "y=%g: %g vs %g", (double)ys[i], (double)o[i], swq / sw);
    }
    sj_quantizer_destroy(q);
}

SJ_TEST(guard_soft_symmetric_cases)
{
    sj_quantizer* q = make_guarded(16, 2, 4093);
    SJ_REQUIRE(q, "create");
    /* The circular gap between q_13 = 3325 and q_0 + p = 4093 is 768 wide; its midpoint 3709
     * is equally far from both, so with small noise the posterior splits evenly. */
    float y[3] = { 3709.0f, 3325.0f, 0.0f };
    float out[3];
    SJ_REQUIRE(sj_quantizer_soft_dequant(q, y, 3, 2000.0f, out) == SJ_OK, "soft");
    SJ_CHECK(fabs(out[0] - 3325.0 / 2) < 1.0, "gap midpoint -> %g, want %g", (double)out[0], 3325.0 / 2);
    SJ_CHECK(fabs(out[1] - 3325.0) < 1e-2 && fabs(out[2]) < 1e-2, "centroids -> %g, %g", (double)out[1],
             (double)out[2]);
    /* Values d either side of the gap midpoint: the posterior mean mirrors around q_13 / 2. */
    for (int d = 10; d <= 300; d += 70) {
        float pair[2] = { 3709.0f - (float)d, 3709.0f + (float)d }, o[2];
        SJ_REQUIRE(sj_quantizer_soft_dequant(q, pair, 2, 5000.0f, o) == SJ_OK, "soft");
        SJ_CHECK(fabs((o[0] + o[1]) - 3325.0) < 1.0, "d=%d: %g + %g != q_13", d, (double)o[0], (double)o[1]);
        SJ_CHECK(o[0] > o[1], "d=%d: nearer q_13 should give the larger value", d);
    }
    /* With all 14 used centroids equally weighted (huge noise): their mean. */
    float big;
    const float mid = 1000.0f;
    SJ_REQUIRE(sj_quantizer_soft_dequant(q, &mid, 1, 1e12f, &big) == SJ_OK, "soft");
    double mean = 0;
    for (unsigned j = 0; j < 14; j++)
        mean += sj_quantizer_centroid(q, j) / 14.0;
    SJ_CHECK(fabs(big - mean) < 1e-2, "huge noise -> %g, want %g", (double)big, mean);
    sj_quantizer_destroy(q);
}

/* RMS error of the posterior mean when the top used centroid is sent through Gaussian
 * noise of standard deviation sd (Box-Muller on a fixed LCG: deterministic). */
static double top_rms_error(const sj_quantizer* q, double sd)
{
    enum { M = 20000 };
    static float y[M], out[M];
    const double top = sj_quantizer_centroid(q, sj_quantizer_used_levels(q) - 1);
    uint32_t s = 987654321u;
    for (int i = 0; i < M; i += 2) {
        double u[2];
        for (int j = 0; j < 2; j++) {
            s = s * 1664525u + 1013904223u;
            u[j] = ((s >> 8) + 0.5) / 16777216.0;
        }
        const double r = sd * sqrt(-2.0 * log(u[0]));
        y[i] = (float)(top + r * cos(2 * M_PI * u[1]));
        y[i + 1] = (float)(top + r * sin(2 * M_PI * u[1]));
    }
    if (sj_quantizer_soft_dequant(q, y, M, (float)(sd * sd), out) != SJ_OK)
        return INFINITY;
    double se = 0;
    for (int i = 0; i < M; i++)
        se += (out[i] - top) * (out[i] - top);
    return sqrt(se / M);
}

SJ_TEST(guard_keeps_top_value_near_top)
{
    /* The failure the guard fixes: noise of about one spacing (LWE decryption noise std 251)
     * pushes the top value past it toward p. Without the guard q_{N-1} + 300 lies next to
     * q_0 across the wrap and comes back as 1030 (from 3837); with 2 guard levels
     * q_13 + 300 lies in a 768-wide empty gap and comes back as 2448 (from 3325): still
     * pulled down, by the posterior weight of q_0 468 away, but no longer across the range. */
    sj_quantizer* g = make_guarded(16, 2, 4093);
    sj_quantizer* q = make(16, 4093);
    SJ_REQUIRE(g && q, "create");
    const float var = 256.0f * 256.0f;
    const float yg = 3325.0f + 300.0f, yq = 3837.0f + 300.0f;
    float og, oq;
    SJ_REQUIRE(sj_quantizer_soft_dequant(g, &yg, 1, var, &og) == SJ_OK, "soft");
    SJ_REQUIRE(sj_quantizer_soft_dequant(q, &yq, 1, var, &oq) == SJ_OK, "soft");
    SJ_CHECK(og > 2300.0f && og <= 3325.0f, "guarded: q_13 + 300 -> %g, want in the upper part of [0, 3325]",
             (double)og);
    SJ_CHECK(oq < 1200.0f, "unguarded: q_15 + 300 -> %g, expected the wrap to pull it low", (double)oq);
    /* Over the whole noise distribution (std 256): RMS error of the top value 767 with the
     * guard, 1727 without (interior levels: 256, the noise itself). */
    const double eg = top_rms_error(g, 256.0), eq = top_rms_error(q, 256.0);
    SJ_CHECK(eg < 850.0 && eq > 1500.0, "top-level RMS error %g guarded, %g unguarded", eg, eq);
    sj_quantizer_destroy(g);
    sj_quantizer_destroy(q);
}

SJ_TEST(guard_arguments)
{
    sj_quantizer* q = NULL;
    SJ_CHECK(sj_quantizer_create_guarded(16, 15, 4093, &q) == SJ_ERR_INVALID_ARG && !q, "guard 15 of 16");
    SJ_CHECK(strstr(sj_last_error(), "guard") != NULL, "message names the guard: %s", sj_last_error());
    SJ_CHECK(sj_quantizer_create_guarded(16, 16, 4093, &q) == SJ_ERR_INVALID_ARG, "guard 16 of 16");
    SJ_CHECK(sj_quantizer_create_guarded(16, 4000000000u, 4093, &q) == SJ_ERR_INVALID_ARG, "huge guard");
    SJ_CHECK(sj_quantizer_create_guarded(2, 1, 4093, &q) == SJ_ERR_INVALID_ARG, "2 levels, guard 1");
    SJ_CHECK(sj_quantizer_create_guarded(1, 0, 4093, &q) == SJ_ERR_INVALID_ARG, "1 level");
    SJ_CHECK(sj_quantizer_create_guarded(16, 14, 4093, &q) == SJ_OK && sj_quantizer_used_levels(q) == 2,
             "guard 14 of 16 leaves 2");
    sj_quantizer_destroy(q);
    q = NULL;
    SJ_CHECK(sj_quantizer_create(16, 4093, &q) == SJ_OK && sj_quantizer_used_levels(q) == 16, "create = guard 0");
    sj_quantizer_destroy(q);
    SJ_CHECK(sj_quantizer_used_levels(NULL) == 0, "NULL accessor");
}

/* ---- byte quantiser ---- */

SJ_TEST(byteq_round_trip)
{
    enum { N = 5000 };
    static float x[N], y[N];
    static uint8_t b[N];
    /* Ranges from tiny to huge and shifted far from zero. */
    const double spans[] = { 1e-3, 1.0, 37.5, 1e6 };
    const double shifts[] = { 0.0, -3.0, 1e4 };
    uint32_t state = 12345u; /* a fixed LCG: the data only needs to be spread, not random */
    for (int a = 0; a < 4; a++)
        for (int c = 0; c < 3; c++) {
            for (int i = 0; i < N; i++) {
                state = state * 1664525u + 1013904223u;
                x[i] = (float)(shifts[c] + spans[a] * ((state >> 8) / 16777216.0 - 0.5));
            }
            sj_byteq_params prm;
            sj_status s = sj_byteq_quantize(x, N, b, &prm);
            SJ_REQUIRE(s == SJ_OK, "quantize: %s", sj_last_error());
            SJ_REQUIRE(sj_byteq_dequantize(b, N, &prm, y) == SJ_OK, "dequantize");
            float lo = x[0], hi = x[0];
            for (int i = 0; i < N; i++) {
                lo = fminf(lo, x[i]);
                hi = fmaxf(hi, x[i]);
            }
            SJ_CHECK(prm.offset == lo, "offset %g, min %g", (double)prm.offset, (double)lo);
            SJ_CHECK(fabs(prm.scale - (hi - (double)lo) / 255) <= 1e-6 * prm.scale, "scale %g", (double)prm.scale);
            double maxerr = 0;
            int used0 = 0, used255 = 0;
            for (int i = 0; i < N; i++) {
                maxerr = fmax(maxerr, fabs((double)y[i] - x[i]));
                used0 |= b[i] == 0;
                used255 |= b[i] == 255;
            }
            /* scale / 2 from rounding, plus float rounding of the result itself. */
            double tol = prm.scale / 2 * (1 + 1e-5) + 4 * FLT_EPSILON * fmax(fabs(lo), fabs(hi));
            SJ_CHECK(maxerr <= tol, "span %g shift %g: max error %g > %g", spans[a], shifts[c], maxerr, tol);
            SJ_CHECK(used0 && used255, "the full byte range is not used");
        }
}

SJ_TEST(byteq_constant_and_refusals)
{
    float x[10];
    uint8_t b[10];
    float y[10];
    for (int i = 0; i < 10; i++)
        x[i] = -2.75f;
    sj_byteq_params prm;
    sj_status s = sj_byteq_quantize(x, 10, b, &prm);
    SJ_REQUIRE(s == SJ_OK, "constant: %s", sj_last_error());
    SJ_CHECK(prm.offset == -2.75f && prm.scale == 1.0f, "constant frame params %g %g", (double)prm.offset,
             (double)prm.scale);
    int nz = 0;
    for (int i = 0; i < 10; i++)
        nz += b[i] != 0;
    SJ_CHECK(nz == 0, "constant frame bytes not 0");
    SJ_CHECK(sj_byteq_dequantize(b, 10, &prm, y) == SJ_OK && y[3] == -2.75f, "constant round trip");

    x[4] = NAN;
    SJ_CHECK(sj_byteq_quantize(x, 10, b, &prm) == SJ_ERR_INVALID_ARG, "NaN accepted");
    x[4] = INFINITY;
    SJ_CHECK(sj_byteq_quantize(x, 10, b, &prm) == SJ_ERR_INVALID_ARG, "inf accepted");
    x[4] = 0;
    SJ_CHECK(sj_byteq_quantize(x, 0, b, &prm) == SJ_ERR_INVALID_ARG, "empty frame");
    SJ_CHECK(sj_byteq_quantize(NULL, 10, b, &prm) == SJ_ERR_INVALID_ARG, "NULL");
    /* Extreme range: no overflow to inf in the scale. */
    x[0] = -FLT_MAX;
    x[1] = FLT_MAX;
    s = sj_byteq_quantize(x, 10, b, &prm);
    SJ_CHECK(s == SJ_OK && isfinite(prm.scale) && b[0] == 0 && b[1] == 255, "extreme range");
    sj_byteq_params badp = { 0.0f, 0.0f };
    SJ_CHECK(sj_byteq_dequantize(b, 10, &badp, y) == SJ_ERR_INVALID_ARG, "zero scale accepted");
    badp.scale = NAN;
    SJ_CHECK(sj_byteq_dequantize(b, 10, &badp, y) == SJ_ERR_INVALID_ARG, "NaN scale accepted");
    badp.scale = 1.0f;
    badp.offset = INFINITY;
    SJ_CHECK(sj_byteq_dequantize(b, 10, &badp, y) == SJ_ERR_INVALID_ARG, "inf offset accepted");
}

SJ_TEST(byteq_known_answer)
{
    float x[4] = { 0.0f, 1.0f, 2.55f, 0.006f };
    uint8_t b[4];
    sj_byteq_params prm;
    sj_status s = sj_byteq_quantize(x, 4, b, &prm);
    SJ_REQUIRE(s == SJ_OK, "quantize");
    SJ_CHECK(prm.offset == 0.0f && fabs(prm.scale - 0.01) < 1e-7, "params %g %g", (double)prm.offset,
             (double)prm.scale);
    SJ_CHECK(b[0] == 0 && b[1] == 100 && b[2] == 255 && b[3] == 1, "bytes %u %u %u %u", b[0], b[1], b[2], b[3]);
}

/* The vector path works in chunks of values (the last one short) and in float; the path
 * for more than 4096 used levels in double. Both against the definition, at noise from a
 * tenth of a spacing to several spacings, on values on both sides of the wrap. */
SJ_TEST(soft_chunks_and_many_levels_match_reference)
{
    const unsigned cfg[][2] = { { 16, 4093 }, { 256, 65521 }, { 5000, 65536 } };
    enum { M = 1037 };
    static float y[M], out[M];
    for (int t = 0; t < 3; t++) {
        sj_quantizer* q = make(cfg[t][0], cfg[t][1]);
        SJ_REQUIRE(q, "create %u %u", cfg[t][0], cfg[t][1]);
        const double p = cfg[t][1], spacing = p / cfg[t][0];
        for (int i = 0; i < M; i++) /* a fixed spread over [-p/8, 9p/8): no RNG needed */
            y[i] = (float)(fmod(i * 0.6180339887 * p, 1.25 * p) - p / 8);
        const double sds[3] = { 0.1, 0.5, 3.0 };
        for (int k = 0; k < 3; k++) {
            const double var = (sds[k] * spacing) * (sds[k] * spacing);
            SJ_REQUIRE(sj_quantizer_soft_dequant(q, y, M, (float)var, out) == SJ_OK, "soft: %s", sj_last_error());
            int bad = 0;
            for (int i = 0; i < M; i++) {
                double want = soft_reference(q, y[i], var);
                /* float distances: a few ulps of values up to 65536 */
                if (!(fabs(out[i] - want) <= 1e-3 * spacing + 0.05) && bad++ < 3)
                    SJ_CHECK(0, "N %u p %u sd %g spacings: y=%g -> %g, want %g", cfg[t][0], cfg[t][1], sds[k],
                             (double)y[i], (double)out[i], want);
            }
            SJ_CHECK(bad == 0, "%d of %d values off", bad, M);
        }
        sj_quantizer_destroy(q);
    }
}

SJ_TEST_MAIN("quantizer")
