/* Tests of softdemod.h: exact LLRs against a double-precision reference and against the
 * modem's hard decisions, the 4096-QAM posterior mean (separable = brute force = a double
 * reference), eq. (15), extreme noise levels, VOLK SIMD vs generic kernels, bad arguments. */
#include "sj_test.h"

#include <complex.h>
#include <float.h>
#include <securejscc/awgn.h>
#include <securejscc/modem.h>
#include <securejscc/softdemod.h>
#include "softdemod_internal.h" /* d->axis8: the 8-lane path on or off */
#include <stdint.h>
#include <volk/volk.h>

static uint64_t test_rng = 0xD1CE5EEDull;
static uint64_t next_u64(void)
{
    uint64_t z = (test_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double uniform(void) { return (next_u64() >> 11) * 0x1p-53; }

/* Double-precision exact LLRs, log-sum-exp around each group's maximum. */
static void ref_llr(const lv_32fc_t* pts, unsigned M, unsigned bps, lv_32fc_t y, double n0, double* out)
{
    for (unsigned b = 0; b < bps; b++) {
        double mx[2] = { -INFINITY, -INFINITY }, s[2] = { 0, 0 };
        for (unsigned j = 0; j < M; j++) {
            const double m = -pow(cabs((double complex)y - (double complex)pts[j]), 2) / n0;
            const int g = (j >> (bps - 1 - b)) & 1;
            mx[g] = fmax(mx[g], m);
        }
        for (unsigned j = 0; j < M; j++) {
            const double m = -pow(cabs((double complex)y - (double complex)pts[j]), 2) / n0;
            const int g = (j >> (bps - 1 - b)) & 1;
            s[g] += exp(m - mx[g]);
        }
        out[b] = (mx[0] + log(s[0])) - (mx[1] + log(s[1]));
    }
}

/* Double-precision posterior mean over the 4093 used points. */
static double ref_mean(const lv_32fc_t* pts, lv_32fc_t y, double n0)
{
    static double d[4093];
    double dmin = INFINITY, s0 = 0, s1 = 0;
    for (int j = 0; j < 4093; j++) {
        const double a = (double)lv_creal(y) - lv_creal(pts[j]), b = (double)lv_cimag(y) - lv_cimag(pts[j]);
        d[j] = a * a + b * b;
        dmin = fmin(dmin, d[j]);
    }
    for (int j = 0; j < 4093; j++) {
        const double w = exp(-(d[j] - dmin) / n0);
        s0 += w;
        s1 += j * w;
    }
    return s1 / s0;
}

SJ_TEST(llr_matches_reference)
{
    const sj_modulation mods[3] = { SJ_MOD_BPSK, SJ_MOD_QPSK, SJ_MOD_16QAM };
    const double snrs[5] = { -5, 0, 10, 20, 30 };
    enum { N = 1000 };
    for (int t = 0; t < 3; t++) {
        sj_modem* m = NULL;
        sj_softdemod* d = NULL;
        sj_awgn* ch = NULL;
        SJ_REQUIRE(sj_modem_create(mods[t], &m) == SJ_OK, "modem");
        SJ_REQUIRE(sj_softdemod_create(m, N, &d) == SJ_OK, "softdemod: %s", sj_last_error());
        sj_awgn_create(5 + t, &ch);
        const unsigned M = sj_modem_order(m), bps = sj_modem_bits_per_symbol(m);
        lv_32fc_t pts[16], y[N];
        uint16_t idx[N];
        float llr[N * 4];
        sj_modem_constellation(m, pts);
        for (int k = 0; k < 5; k++) {
            const float n0 = sj_awgn_noise_var((float)snrs[k], 1.0f);
            for (int i = 0; i < N; i++)
                idx[i] = (uint16_t)(next_u64() % M);
            sj_modem_map(m, idx, N, y);
            sj_awgn_apply(ch, y, y, N, n0);
            SJ_REQUIRE(sj_softdemod_llr(d, y, N, n0, llr) == SJ_OK, "llr: %s", sj_last_error());
            double worst = 0;
            for (int i = 0; i < N; i++) {
                double r[4];
                ref_llr(pts, M, bps, y[i], n0, r);
                for (unsigned b = 0; b < bps; b++)
                    worst = fmax(worst, fabs(llr[i * bps + b] - r[b]) / (1.0 + fabs(r[b])));
            }
            SJ_CHECK(worst < 1e-4, "%s at %.0f dB: relative LLR error %.3g", sj_modulation_name(mods[t]), snrs[k],
                     worst);
        }
        sj_awgn_destroy(ch);
        sj_softdemod_destroy(d);
        sj_modem_destroy(m);
    }
}

/* Signs of the LLRs give the hard decision of the modem's demapper. For BPSK and QPSK this
 * holds at any SNR (each bit is one axis's sign). For 16QAM the exact LLR of an inner/outer
 * bit crosses zero slightly beyond the midpoint between levels (by about
 * (N0/4) exp(-8 a^2 / N0) in units of a), so at low SNR a thin band disagrees by design;
 * at 15 dB that band is far below float resolution. Noise-free symbols give their own bits
 * (the bit order of modem.h). */
SJ_TEST(llr_signs_vs_hard)
{
    const sj_modulation mods[3] = { SJ_MOD_BPSK, SJ_MOD_QPSK, SJ_MOD_16QAM };
    const double snrs[3] = { 0, 0, 15 };
    enum { N = 20000 };
    static lv_32fc_t y[N];
    static uint16_t idx[N], hard[N];
    static float llr[N * 4];
    for (int t = 0; t < 3; t++) {
        sj_modem* m = NULL;
        sj_softdemod* d = NULL;
        sj_awgn* ch = NULL;
        SJ_REQUIRE(sj_modem_create(mods[t], &m) == SJ_OK && sj_softdemod_create(m, N, &d) == SJ_OK, "create");
        sj_awgn_create(77, &ch);
        const unsigned M = sj_modem_order(m), bps = sj_modem_bits_per_symbol(m);
        for (int i = 0; i < N; i++)
            idx[i] = (uint16_t)(i < (int)M ? (uint64_t)i : next_u64() % M);
        sj_modem_map(m, idx, N, y);
        const float n0 = sj_awgn_noise_var((float)snrs[t], 1.0f);
        SJ_CHECK(sj_softdemod_llr(d, y, M, n0, llr) == SJ_OK, "clean llr");
        int bad = 0;
        for (unsigned i = 0; i < M; i++)
            for (unsigned b = 0; b < bps; b++)
                bad += (llr[i * bps + b] < 0) != (int)((i >> (bps - 1 - b)) & 1);
        SJ_CHECK(bad == 0, "%s: %d bits of clean symbols wrong (bit order)", sj_modulation_name(mods[t]), bad);
        sj_awgn_apply(ch, y, y, N, n0);
        SJ_CHECK(sj_softdemod_llr(d, y, N, n0, llr) == SJ_OK, "llr");
        SJ_CHECK(sj_modem_demap_hard(m, y, N, hard) == SJ_OK, "hard");
        bad = 0;
        for (int i = 0; i < N; i++) {
            unsigned s = 0;
            for (unsigned b = 0; b < bps; b++)
                s = (s << 1) | (llr[i * bps + b] < 0);
            bad += s != hard[i];
        }
        SJ_CHECK(bad == 0, "%s: %d of %d LLR sign decisions differ from demap_hard", sj_modulation_name(mods[t]), bad,
                 N);
        sj_awgn_destroy(ch);
        sj_softdemod_destroy(d);
        sj_modem_destroy(m);
    }
}

SJ_TEST(llr_extreme_noise_is_finite)
{
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_16QAM, &m) == SJ_OK && sj_softdemod_create(m, 8, &d) == SJ_OK, "create");
    const lv_32fc_t y[4] = { CMPLXF(0.3f, -0.2f), CMPLXF(1e10f, -1e10f), CMPLXF(-3e18f, 1e-20f), 0 };
    const float n0s[5] = { 1e-45f, FLT_MIN, 1e-20f, 1e20f, FLT_MAX };
    float llr[16];
    for (int k = 0; k < 5; k++) {
        SJ_CHECK(sj_softdemod_llr(d, y, 4, n0s[k], llr) == SJ_OK, "llr at N0 %g", (double)n0s[k]);
        int bad = 0;
        for (int i = 0; i < 16; i++)
            bad += !isfinite(llr[i]);
        SJ_CHECK(bad == 0, "%d non-finite LLRs at N0 %g", bad, (double)n0s[k]);
    }
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
}

/* The separable sums 8 symbols at a time (AVX-512, softdemod_axis8.c) against one at a
 * time (the path of CPUs without it): the same recurrence, so the same means to rounding,
 * for symbol counts around the 8-lane groups (a padded last group) and the internal block,
 * at SNRs from -5 to 50 dB, on the grid, at its edges and far outside it. */
SJ_TEST(posterior_eight_lanes_equal_one_at_a_time)
{
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    enum { N = 613 };
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_softdemod_create(m, N, &d) == SJ_OK, "create");
    if (!d->axis8) {
        printf("  no AVX-512 here: only the one-at-a-time path runs\n");
        sj_softdemod_destroy(d);
        sj_modem_destroy(m);
        return;
    }
    lv_32fc_t p[4096];
    sj_modem_constellation(m, p);
    const double x0 = lv_creal(p[0]), step = lv_creal(p[1]) - x0;
    static lv_32fc_t y[N];
    static float a[N], b[N];
    const double snrs[6] = { -5, 5, 10, 20, 35, 50 };
    const size_t counts[5] = { 1, 7, 9, 256, N };
    double worst = 0;
    for (int k = 0; k < 6; k++) {
        const double n0 = pow(10.0, -snrs[k] / 10.0), sd = sqrt(n0 / 2) / step;
        for (int i = 0; i < N; i++) {
            const int kind = i % 3;
            double u, v;
            if (kind == 0) { /* a used point plus noise */
                const int j = (int)(next_u64() % 4093);
                u = j % 64 + sd * (2 * uniform() - 1) * 3, v = j / 64 + sd * (2 * uniform() - 1) * 3;
            } else if (kind == 1) { /* around the edges and the unused corner */
                u = -2 + 68 * uniform(), v = uniform() < 0.5 ? -2 + 4 * uniform() : 61 + 4 * uniform();
            } else { /* far outside */
                u = 31.5 + (uniform() - 0.5) * 2e4, v = 31.5 + (uniform() - 0.5) * 2e4;
            }
            y[i] = CMPLXF((float)(x0 + u * step), (float)(x0 + v * step));
        }
        for (int c = 0; c < 5; c++) {
            d->axis8 = 1;
            SJ_REQUIRE(sj_softdemod_posterior_mean(d, y, counts[c], (float)n0, SJ_SOFT4096_SEPARABLE, a) == SJ_OK, "8");
            d->axis8 = 0;
            SJ_REQUIRE(sj_softdemod_posterior_mean(d, y, counts[c], (float)n0, SJ_SOFT4096_SEPARABLE, b) == SJ_OK, "1");
            for (size_t i = 0; i < counts[c]; i++) {
                worst = fmax(worst, fabs((double)a[i] - b[i]));
                SJ_CHECK(fabs((double)a[i] - b[i]) <= 1e-4, "SNR %.0f, %zu symbols, symbol %zu: 8 lanes %.6f, one %.6f",
                         snrs[k], counts[c], i, a[i], b[i]);
            }
        }
    }
    printf("  largest |8 lanes - one at a time| %.3g index units\n", worst);
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
}

/* Separable = brute force = double reference, within 1e-3 index units. */
SJ_TEST(posterior_separable_equals_brute)
{
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    enum { N = 400 };
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_softdemod_create(m, N, &d) == SJ_OK, "create");
    lv_32fc_t* p = malloc(4096 * sizeof *p);
    sj_modem_constellation(m, p);
    const double x0 = lv_creal(p[0]), step = lv_creal(p[1]) - x0;
    static lv_32fc_t y[N];
    static float sep[N], bru[N];
    const double snrs[11] = { -5, 0, 5, 10, 15, 20, 25, 30, 35, 40, 50 };
    double worst_sep = 0, worst_bru = 0;
    for (int k = 0; k < 11; k++) {
        const double n0 = pow(10.0, -snrs[k] / 10.0), sd = sqrt(n0 / 2);
        for (int kind = 0; kind < 4; kind++) {
            for (int i = 0; i < N; i++) {
                double u, v;
                if (kind == 0) { /* a random used point plus Gaussian noise (Box-Muller here) */
                    const int j = (int)(next_u64() % 4093);
                    const double r = sqrt(-2 * log(1 - uniform())), th = 2 * M_PI * uniform();
                    u = j % 64 + r * cos(th) * sd / step;
                    v = j / 64 + r * sin(th) * sd / step;
                } else if (kind == 1) { /* on and near the edges of the grid */
                    const int e = (int)(next_u64() % 64), side = (int)(next_u64() % 4);
                    const double o = -1.5 + 3 * uniform(), a = e + uniform() - 0.5;
                    u = side == 0 ? o : side == 1 ? 63 + o : a;
                    v = side == 2 ? o : side == 3 ? 63 + o : a;
                } else if (kind == 2) { /* around the 3 unused points */
                    u = 59 + 6 * uniform();
                    v = 61 + 4 * uniform();
                } else { /* far outside the grid */
                    const double r = pow(10.0, 1 + 5 * uniform()), th = 2 * M_PI * uniform();
                    u = 31.5 + r * cos(th);
                    v = 31.5 + r * sin(th);
                }
                y[i] = CMPLXF((float)(x0 + u * step), (float)(x0 + v * step));
            }
            SJ_REQUIRE(sj_softdemod_posterior_mean(d, y, N, (float)n0, SJ_SOFT4096_SEPARABLE, sep) == SJ_OK, "sep");
            SJ_REQUIRE(sj_softdemod_posterior_mean(d, y, N, (float)n0, SJ_SOFT4096_BRUTE, bru) == SJ_OK, "brute");
            const int nref = kind == 0 ? N : N / 4; /* the double reference is slow */
            for (int i = 0; i < N; i++) {
                worst_bru = fmax(worst_bru, fabs(sep[i] - bru[i]));
                SJ_CHECK(fabs(sep[i] - bru[i]) < 1e-3, "SNR %.0f kind %d: separable %.6f brute %.6f", snrs[k], kind,
                         sep[i], bru[i]);
                if (i < nref) {
                    const double r = ref_mean(p, y[i], (float)n0);
                    worst_sep = fmax(worst_sep, fabs(sep[i] - r));
                    SJ_CHECK(fabs(sep[i] - r) < 1e-3, "SNR %.0f kind %d: separable %.6f reference %.6f", snrs[k],
                             kind, sep[i], r);
                }
            }
        }
    }
    printf("  largest |separable - brute| %.3g, |separable - double reference| %.3g (index units)\n", worst_bru,
           worst_sep);
    free(p);
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
}

/* N0 -> 0: no NaN or inf; the result is the nearest used index (or the midpoint of an exact
 * tie). Also inside the unused corner cell, where the separable path hands over. */
SJ_TEST(posterior_tiny_noise)
{
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_softdemod_create(m, 16, &d) == SJ_OK, "create");
    lv_32fc_t p[4096];
    sj_modem_constellation(m, p);
    const double x0 = lv_creal(p[0]), step = lv_creal(p[1]) - x0;
    const double uv[6][2] = { { 10.2, 20.1 }, { 62.1, 63.2 }, { 63.1, 62.8 }, { 70, 70 }, { -5, 30.3 }, { 0, 0 } };
    lv_32fc_t y[6];
    uint16_t hard[6];
    for (int i = 0; i < 6; i++)
        y[i] = CMPLXF((float)(x0 + uv[i][0] * step), (float)(x0 + uv[i][1] * step));
    sj_modem_demap_hard(m, y, 6, hard);
    const float n0s[4] = { 1e-45f, FLT_MIN, 1e-30f, 1e-8f };
    for (int k = 0; k < 4; k++)
        for (int meth = 0; meth < 2; meth++) {
            float out[6];
            SJ_CHECK(sj_softdemod_posterior_mean(d, y, 6, n0s[k], (sj_soft4096_method)meth, out) == SJ_OK, "run");
            for (int i = 0; i < 6; i++)
                SJ_CHECK(isfinite(out[i]) && fabs(out[i] - hard[i]) < 1e-3, "N0 %g method %d symbol %d: %g vs %u",
                         (double)n0s[k], meth, i, out[i], hard[i]);
        }
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
}

SJ_TEST(paper_eq15_option)
{
    sj_modem* m = NULL;
    sj_softdemod* d = NULL;
    enum { N = 300 };
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_softdemod_create(m, N, &d) == SJ_OK, "create");
    static lv_32fc_t y[N];
    static uint16_t idx[N];
    static float out[N];
    sj_awgn* ch = NULL;
    sj_awgn_create(3, &ch);
    for (int i = 0; i < N; i++)
        idx[i] = (uint16_t)(next_u64() % 4093);
    const float snrs[5] = { -5, 10, 20, 40, 80 };
    for (int k = 0; k < 5; k++) {
        const float n0 = sj_awgn_noise_var(snrs[k], 1.0f);
        sj_modem_map(m, idx, N, y);
        sj_awgn_apply(ch, y, y, N, n0);
        SJ_CHECK(sj_softdemod_posterior_mean(d, y, N, n0, SJ_SOFT4096_PAPER_EQ15, out) == SJ_OK, "eq15");
        int bad = 0;
        for (int i = 0; i < N; i++)
            bad += !(out[i] >= 0.0f && out[i] <= 4092.0f);
        SJ_CHECK(bad == 0, "%d eq.15 values outside [0, 4092] at %.0f dB", bad, (double)snrs[k]);
    }
    /* On a clean point at 20 dB the softmax of sigma_l * likelihood (sigma_l / (pi N0) = 159)
     * is peaked at that point. A larger temperature sharpens it further. */
    sj_modem_map(m, idx, N, y);
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 8, 0.01f, SJ_SOFT4096_PAPER_EQ15, out) == SJ_OK, "eq15 clean");
    for (int i = 0; i < 8; i++)
        SJ_CHECK(fabs(out[i] - idx[i]) < 0.01, "clean point %u gave %g", idx[i], out[i]);
    SJ_CHECK(sj_softdemod_set_temperature(d, 50.0f) == SJ_OK, "temperature");
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 8, 0.01f, SJ_SOFT4096_PAPER_EQ15, out) == SJ_OK, "eq15 sharper");
    for (int i = 0; i < 8; i++)
        SJ_CHECK(fabs(out[i] - idx[i]) < 1e-3, "clean point %u gave %g at sigma_l 50", idx[i], out[i]);
    sj_awgn_destroy(ch);
    sj_softdemod_destroy(d);
    sj_modem_destroy(m);
}

/* The name of a kernel's generic implementation, "" if it has none. VOLK 2.5 names it
 * "generic" for most kernels but "u_generic" / "a_generic" for volk_32f_exp_32f. */
static const char* generic_impl(volk_func_desc_t desc)
{
    const char* best = "";
    for (size_t i = 0; i < desc.n_impls; i++) {
        if (strcmp(desc.impl_names[i], "generic") == 0)
            return desc.impl_names[i];
        if (strcmp(desc.impl_names[i], "u_generic") == 0)
            best = desc.impl_names[i];
    }
    return best;
}

/* Whether this CPU can run an implementation, judged from the ISA names in its name
 * (VOLK exports no query for that); unknown names are skipped, never run. */
static int cpu_runs(const char* impl)
{
    if (strstr(impl, "generic") || strstr(impl, "orc"))
        return 1;
#if defined(__x86_64__) || defined(__i386__)
    int ok = 1, known = 0;
    if (strstr(impl, "avx512")) {
        known = 1;
        ok &= __builtin_cpu_supports("avx512f") && (!strstr(impl, "avx512cd") || __builtin_cpu_supports("avx512cd"));
    } else if (strstr(impl, "avx2")) {
        known = 1;
        ok &= __builtin_cpu_supports("avx2");
    } else if (strstr(impl, "avx")) {
        known = 1;
        ok &= __builtin_cpu_supports("avx");
    } else if (strstr(impl, "sse4_1")) {
        known = 1;
        ok &= __builtin_cpu_supports("sse4.1");
    } else if (strstr(impl, "sse4_2")) {
        known = 1;
        ok &= __builtin_cpu_supports("sse4.2");
    } else if (strstr(impl, "ssse3")) {
        known = 1;
        ok &= __builtin_cpu_supports("ssse3");
    } else if (strstr(impl, "sse3")) {
        known = 1;
        ok &= __builtin_cpu_supports("sse3");
    } else if (strstr(impl, "sse2")) {
        known = 1;
        ok &= __builtin_cpu_supports("sse2");
    } else if (strstr(impl, "sse")) {
        known = 1;
        ok &= __builtin_cpu_supports("sse");
    }
    if (strstr(impl, "fma"))
        ok &= __builtin_cpu_supports("fma");
    return known && ok;
#else
    return 0;
#endif
}

/* Every VOLK kernel the soft demodulator uses, each SIMD implementation this CPU runs
 * (called by name, so VOLK_GENERIC, under which ctest may run, cannot hide them) and the
 * dispatcher, against the generic implementation on the same data: lengths with tails,
 * aligned and unaligned pointers. */
SJ_TEST(volk_simd_vs_generic)
{
    enum { N = 4093 + 8 };
    const volk_func_desc_t dsq = volk_32fc_x2_square_dist_32f_get_func_desc(),
                           dmul = volk_32f_s32f_multiply_32f_get_func_desc(), dexp = volk_32f_exp_32f_get_func_desc(),
                           dmax = volk_32f_index_max_32u_get_func_desc(),
                           dde = volk_32fc_deinterleave_64f_x2_get_func_desc();
    const char *g_sq = generic_impl(dsq), *g_mul = generic_impl(dmul), *g_exp = generic_impl(dexp),
               *g_max = generic_impl(dmax), *g_de = generic_impl(dde);
    SJ_REQUIRE(*g_sq && *g_mul && *g_exp && *g_max && *g_de, "a kernel without a generic version");
    /* The dispatcher of exp hangs under VOLK_GENERIC (see softdemod_internal.h). */
    const int exp_dispatch_ok = !getenv("VOLK_GENERIC") || strcmp(g_exp, "generic") == 0;
    float* a = volk_malloc(N * sizeof(float), volk_get_alignment());
    float* r1 = volk_malloc(N * sizeof(float), volk_get_alignment());
    float* r2 = volk_malloc(N * sizeof(float), volk_get_alignment());
    lv_32fc_t* c = volk_malloc(N * sizeof(lv_32fc_t), volk_get_alignment());
    double* d1 = volk_malloc(2 * N * sizeof(double), volk_get_alignment());
    double* d2 = volk_malloc(2 * N * sizeof(double), volk_get_alignment());
    for (int i = 0; i < N; i++) {
        a[i] = (float)(-90.0 + 95.0 * uniform());
        c[i] = CMPLXF((float)(4 * uniform() - 2), (float)(4 * uniform() - 2));
    }
    const unsigned lens[3] = { 4093, 255, 17 };
    int simd_runs = 0;
    for (int o = 0; o < 2; o++) /* o = 1: pointers off the alignment */
        for (int l = 0; l < 3; l++) {
            const unsigned n = lens[l];
            const int al = o == 0; /* "a_" implementations need aligned pointers */
            lv_32fc_t src = CMPLXF(0.3f, -0.7f);
            /* k = -1: the dispatcher; k >= 0: implementation k by name */
            for (int k = -1; k < (int)dsq.n_impls; k++) {
                const char* nm = k < 0 ? "dispatcher" : dsq.impl_names[k];
                if (k >= 0 && (!cpu_runs(nm) || (dsq.impl_alignment[k] && !al)))
                    continue;
                if (k < 0)
                    volk_32fc_x2_square_dist_32f(r1 + o, &src, c + o, n);
                else
                    volk_32fc_x2_square_dist_32f_manual(r1 + o, &src, c + o, n, nm);
                volk_32fc_x2_square_dist_32f_manual(r2 + o, &src, c + o, n, g_sq);
                int bad = 0;
                for (unsigned i = 0; i < n; i++)
                    bad += fabsf(r1[o + i] - r2[o + i]) > 1e-5f * (1 + r2[o + i]);
                SJ_CHECK(bad == 0, "square_dist %s: %d differ (n %u, offset %d)", nm, bad, n, o);
                simd_runs += k >= 0;
            }
            for (int k = -1; k < (int)dmul.n_impls; k++) {
                const char* nm = k < 0 ? "dispatcher" : dmul.impl_names[k];
                if (k >= 0 && (!cpu_runs(nm) || (dmul.impl_alignment[k] && !al)))
                    continue;
                if (k < 0)
                    volk_32f_s32f_multiply_32f(r1 + o, a + o, -3.5f, n);
                else
                    volk_32f_s32f_multiply_32f_manual(r1 + o, a + o, -3.5f, n, nm);
                volk_32f_s32f_multiply_32f_manual(r2 + o, a + o, -3.5f, n, g_mul);
                SJ_CHECK(memcmp(r1 + o, r2 + o, n * sizeof(float)) == 0, "multiply %s (n %u, offset %d)", nm, n, o);
            }
            for (int k = -1; k < (int)dexp.n_impls; k++) {
                const char* nm = k < 0 ? "dispatcher" : dexp.impl_names[k];
                if (k < 0 ? !exp_dispatch_ok : (!cpu_runs(nm) || (dexp.impl_alignment[k] && !al)))
                    continue;
                if (k < 0)
                    volk_32f_exp_32f(r1 + o, a + o, n);
                else
                    volk_32f_exp_32f_manual(r1 + o, a + o, n, nm);
                volk_32f_exp_32f_manual(r2 + o, a + o, n, g_exp);
                int bad = 0;
                for (unsigned i = 0; i < n; i++)
                    bad += fabsf(r1[o + i] - r2[o + i]) > 2e-6f * r2[o + i] + 1e-37f;
                SJ_CHECK(bad == 0, "exp %s: %d differ (n %u, offset %d)", nm, bad, n, o);
            }
            {
                uint32_t j1 = 0, j2 = 1;
                volk_32f_index_max_32u(&j1, a + o, n);
                volk_32f_index_max_32u_manual(&j2, a + o, n, g_max);
                SJ_CHECK(j1 == j2, "index_max dispatcher: %u vs %u", j1, j2);
            }
            for (int k = 0; k < (int)dmax.n_impls; k++) {
                const char* nm = dmax.impl_names[k];
                if (!cpu_runs(nm) || (dmax.impl_alignment[k] && !al))
                    continue;
                uint32_t j1 = 0, j2 = 1;
                volk_32f_index_max_32u_manual(&j1, a + o, n, nm);
                volk_32f_index_max_32u_manual(&j2, a + o, n, g_max);
                SJ_CHECK(j1 == j2, "index_max %s: %u vs %u", nm, j1, j2);
            }
            for (int k = -1; k < (int)dde.n_impls; k++) {
                const char* nm = k < 0 ? "dispatcher" : dde.impl_names[k];
                if (k >= 0 && (!cpu_runs(nm) || (dde.impl_alignment[k] && !al)))
                    continue;
                if (k < 0)
                    volk_32fc_deinterleave_64f_x2(d1, d1 + N, c + o, n);
                else
                    volk_32fc_deinterleave_64f_x2_manual(d1, d1 + N, c + o, n, nm);
                volk_32fc_deinterleave_64f_x2_manual(d2, d2 + N, c + o, n, g_de);
                SJ_CHECK(memcmp(d1, d2, n * sizeof(double)) == 0 && memcmp(d1 + N, d2 + N, n * sizeof(double)) == 0,
                         "deinterleave_64f %s (n %u, offset %d)", nm, n, o);
            }
        }
    SJ_CHECK(simd_runs > 0, "no SIMD implementation was run");
    printf("  square_dist: %d SIMD implementation runs compared with %s\n", simd_runs, g_sq);
    /* exp at the inputs the demodulator gives it: 0 gives 1, very negative gives 0. */
    const float e_in[4] = { 0.0f, -1e30f, -200.0f, 0.0f };
    float e_out[4];
    volk_32f_exp_32f_manual(e_out, e_in, 4, g_exp);
    for (int k = 0; k < (int)dexp.n_impls; k++)
        if (cpu_runs(dexp.impl_names[k]) && !dexp.impl_alignment[k]) {
            volk_32f_exp_32f_manual(e_out, e_in, 4, dexp.impl_names[k]);
            SJ_CHECK(e_out[0] == 1.0f && e_out[1] >= 0.0f && e_out[1] < 1e-37f && e_out[2] < 1e-37f,
                     "exp %s edge %g %g %g", dexp.impl_names[k], e_out[0], e_out[1], e_out[2]);
        }
    volk_free(a);
    volk_free(r1);
    volk_free(r2);
    volk_free(c);
    volk_free(d1);
    volk_free(d2);
}

/* The index posterior means number the points row-major: for a Hilbert modem the object is
 * created (its grid checks out) but every method is refused as unsupported, pointing to
 * sj_zp_posterior; a row-major modem made by sj_modem_create_qam4096 works as before. */
SJ_TEST(hilbert_modem_refused)
{
    sj_modem *h = NULL, *r = NULL, *r2 = NULL;
    sj_softdemod *dh = NULL, *dr = NULL, *dr2 = NULL;
    SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &h) == SJ_OK &&
                   sj_modem_create_qam4096(SJ_QAM4096_ROW, &r) == SJ_OK && sj_modem_create(SJ_MOD_4096QAM, &r2) == SJ_OK,
               "modems");
    SJ_REQUIRE(sj_softdemod_create(h, 8, &dh) == SJ_OK, "create on hilbert: %s", sj_last_error());
    SJ_REQUIRE(sj_softdemod_create(r, 8, &dr) == SJ_OK && sj_softdemod_create(r2, 8, &dr2) == SJ_OK, "create on row");
    lv_32fc_t y[8];
    uint16_t idx[8];
    for (int i = 0; i < 8; i++)
        idx[i] = (uint16_t)(next_u64() % 4093);
    sj_modem_map(r, idx, 8, y);
    float out[8] = { -1, -1, -1, -1, -1, -1, -1, -1 }, o2[8];
    for (int meth = 0; meth < 3; meth++) {
        sj_clear_error();
        SJ_CHECK(sj_softdemod_posterior_mean(dh, y, 8, 0.01f, (sj_soft4096_method)meth, out) == SJ_ERR_UNSUPPORTED,
                 "method %d accepted a hilbert modem", meth);
        SJ_CHECK(strstr(sj_last_error(), "sj_zp_posterior") != NULL && strstr(sj_last_error(), "hilbert") != NULL,
                 "message: %s", sj_last_error());
        SJ_CHECK(out[0] == -1, "out written");
        SJ_CHECK(sj_softdemod_posterior_mean(dr, y, 8, 0.01f, (sj_soft4096_method)meth, out) == SJ_OK &&
                     sj_softdemod_posterior_mean(dr2, y, 8, 0.01f, (sj_soft4096_method)meth, o2) == SJ_OK,
                 "row-major method %d: %s", meth, sj_last_error());
        SJ_CHECK(memcmp(out, o2, sizeof out) == 0, "sj_modem_create_qam4096(ROW) demodulates differently");
        for (int i = 0; i < 8; i++)
            out[i] = -1;
    }
    sj_softdemod_destroy(dh);
    sj_softdemod_destroy(dr);
    sj_softdemod_destroy(dr2);
    sj_modem_destroy(h);
    sj_modem_destroy(r);
    sj_modem_destroy(r2);
}

SJ_TEST(bad_arguments)
{
    sj_modem *m = NULL, *q = NULL;
    sj_softdemod *d = NULL, *dq = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_modem_create(SJ_MOD_QPSK, &q) == SJ_OK, "modems");
    SJ_CHECK(sj_softdemod_create(NULL, 8, &d) == SJ_ERR_INVALID_ARG, "NULL modem");
    SJ_CHECK(sj_softdemod_create(m, 0, &d) == SJ_ERR_INVALID_ARG && d == NULL, "max_symbols 0");
    SJ_CHECK(sj_last_error()[0] != '\0', "no message");
    SJ_CHECK(sj_softdemod_create(m, 8, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_REQUIRE(sj_softdemod_create(m, 8, &d) == SJ_OK && sj_softdemod_create(q, 8, &dq) == SJ_OK, "create");
    lv_32fc_t y[9] = { 0 };
    float out[32];
    sj_clear_error();
    SJ_CHECK(sj_softdemod_llr(d, y, 4, 0.1f, out) == SJ_ERR_INVALID_ARG, "llr on 4096qam");
    SJ_CHECK(strstr(sj_last_error(), "4096") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_softdemod_posterior_mean(dq, y, 4, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG,
             "posterior on qpsk");
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 4, 0.1f, (sj_soft4096_method)3, out) == SJ_ERR_INVALID_ARG,
             "bad method");
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 9, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG,
             "n > max_symbols");
    SJ_CHECK(sj_softdemod_llr(dq, y, 9, 0.1f, out) == SJ_ERR_INVALID_ARG, "llr n > max_symbols");
    const float bad_n0[4] = { 0.0f, -1.0f, NAN, INFINITY };
    for (int k = 0; k < 4; k++) {
        SJ_CHECK(sj_softdemod_posterior_mean(d, y, 2, bad_n0[k], SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG,
                 "noise_var %g", (double)bad_n0[k]);
        SJ_CHECK(sj_softdemod_llr(dq, y, 2, bad_n0[k], out) == SJ_ERR_INVALID_ARG, "llr noise_var %g",
                 (double)bad_n0[k]);
    }
    y[1] = CMPLXF(NAN, 0.0f);
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 2, 0.1f, SJ_SOFT4096_BRUTE, out) == SJ_ERR_INVALID_ARG, "NaN input");
    SJ_CHECK(strstr(sj_last_error(), "NaN") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_softdemod_llr(dq, y, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "llr NaN input");
    y[1] = CMPLXF(0.0f, -INFINITY);
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 2, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG, "inf");
    y[1] = 0;
    SJ_CHECK(sj_softdemod_posterior_mean(NULL, y, 2, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG, "NULL");
    SJ_CHECK(sj_softdemod_posterior_mean(d, NULL, 2, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_ERR_INVALID_ARG, "NULL");
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 2, 0.1f, SJ_SOFT4096_SEPARABLE, NULL) == SJ_ERR_INVALID_ARG, "NULL");
    SJ_CHECK(sj_softdemod_llr(dq, NULL, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "NULL in");
    SJ_CHECK(sj_softdemod_llr(NULL, y, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "NULL object");
    SJ_CHECK(sj_softdemod_posterior_mean(d, y, 0, 0.1f, SJ_SOFT4096_SEPARABLE, out) == SJ_OK, "n = 0 no-op");
    SJ_CHECK(sj_softdemod_set_temperature(d, 0.0f) == SJ_ERR_INVALID_ARG, "temperature 0");
    SJ_CHECK(sj_softdemod_set_temperature(d, NAN) == SJ_ERR_INVALID_ARG, "temperature NaN");
    SJ_CHECK(sj_softdemod_set_temperature(NULL, 5.0f) == SJ_ERR_INVALID_ARG, "temperature NULL");
    sj_softdemod_destroy(NULL);
    sj_softdemod_destroy(d);
    sj_softdemod_destroy(dq);
    sj_modem_destroy(m);
    sj_modem_destroy(q);
}

SJ_TEST_MAIN("softdemod")
