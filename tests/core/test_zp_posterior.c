/* Tests of zp_posterior.h: the joint posterior mean against a double-precision brute force
 * written here (both mappings, p = 4093 and 2003, guards 0 and 2, exact and binned, SNR 0 to
 * 20 dB, on and far off the used points), small and odd moduli and level counts, the
 * fallbacks (tiny noise_std, symbols in the unused part of the grid, far outside, extreme
 * N0), statistics (high-SNR recovery; Hilbert's lower error than row-major at 10 dB with LWE
 * noise), the offset convention, and bad arguments. */
#include "sj_test.h"

#include <complex.h>
#include <float.h>
#include <securejscc/awgn.h>
#include <securejscc/lwe.h>
#include <securejscc/modem.h>
#include <securejscc/zp_posterior.h>
#include "zp_posterior_internal.h"
#include <stdint.h>

static uint64_t test_rng = 0x2B0557E5ull;
static uint64_t next_u64(void)
{
    uint64_t z = (test_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}
static double uniform(void) { return (next_u64() >> 11) * 0x1p-53; }
static double gaussian(void) { return sqrt(-2 * log(1 - uniform())) * cos(2 * M_PI * uniform()); }

static unsigned centroid(unsigned l, unsigned p, unsigned levels) { return (unsigned)(((uint64_t)l * p) / levels); }

/* log(exp(a) + exp(b)) with -inf allowed. */
static double lse2(double a, double b)
{
    if (a == -INFINITY)
        return b;
    if (b == -INFINITY)
        return a;
    const double m = fmax(a, b);
    return m + log(exp(a - m) + exp(b - m));
}

/* The definition of zp_posterior.h in double, by brute force over the p indices, in the log
 * domain where it could underflow: exact, P(l) ~ exp(-|y - x_{c_l}|^2 / N0); binned,
 * P(l) ~ sum_b M_b T(64 b + 31.5 + o - q_l), M_b the likelihood summed over the bin's
 * indices < p. Returns the posterior mean of q_L and, if sd is not NULL, its standard
 * deviation (two passes: the mean first, then the centred second moment). */
static double ref_mean_sd(const lv_32fc_t* pts, unsigned p, unsigned levels, unsigned guard, double sigma,
                          lv_32fc_t y, unsigned o, double n0, double* sd)
{
    static double d[4096], lp[4096], lm[64];
    const unsigned used = levels - guard;
    double dmin = INFINITY;
    for (unsigned c = 0; c < p; c++) {
        const double a = (double)lv_creal(y) - lv_creal(pts[c]), b = (double)lv_cimag(y) - lv_cimag(pts[c]);
        d[c] = a * a + b * b;
        dmin = fmin(dmin, d[c]);
    }
    for (unsigned b = 0; b * 64 < p; b++) { /* log M_b, log-sum-exp: far bins can matter */
        double mx = -INFINITY, mb = 0.0;
        for (unsigned c = 64 * b; c < 64 * b + 64 && c < p; c++)
            mx = fmax(mx, -(d[c] - dmin) / n0);
        for (unsigned c = 64 * b; c < 64 * b + 64 && c < p; c++)
            mb += exp(-(d[c] - dmin) / n0 - mx);
        lm[b] = mx + log(mb);
    }
    for (unsigned l = 0; l < used; l++) {
        const unsigned q = centroid(l, p, levels);
        if (sigma == 0.0) {
            lp[l] = -(d[(q + p - o) % p] - dmin) / n0;
            continue;
        }
        lp[l] = -INFINITY;
        for (unsigned b = 0; b * 64 < p; b++) {
            double x = fmod(64.0 * b + 31.5 + o + p - q, (double)p);
            x = fmin(x, p - x);
            lp[l] = lse2(lp[l], lm[b] - x * x / (2 * sigma * sigma));
        }
    }
    double mx = -INFINITY, s0 = 0, s1 = 0, s2 = 0;
    for (unsigned l = 0; l < used; l++)
        mx = fmax(mx, lp[l]);
    for (unsigned l = 0; l < used; l++) {
        const double e = exp(lp[l] - mx);
        s0 += e;
        s1 += e * centroid(l, p, levels);
    }
    const double mean = s1 / s0;
    for (unsigned l = 0; l < used; l++) {
        const double dq = centroid(l, p, levels) - mean;
        s2 += exp(lp[l] - mx) * dq * dq;
    }
    if (sd)
        *sd = sqrt(s2 / s0);
    return mean;
}

static double ref_mean(const lv_32fc_t* pts, unsigned p, unsigned levels, unsigned guard, double sigma, lv_32fc_t y,
                       unsigned o, double n0)
{
    return ref_mean_sd(pts, p, levels, guard, sigma, y, o, n0, NULL);
}

/* Grid geometry of a 4096-QAM modem: first coordinate and step. */
static void grid_of(const lv_32fc_t* pts, double* x0, double* step)
{
    double lo = INFINITY, hi = -INFINITY;
    for (int i = 0; i < 4096; i++) {
        lo = fmin(lo, lv_creal(pts[i]));
        hi = fmax(hi, lv_creal(pts[i]));
    }
    *x0 = lo;
    *step = (hi - lo) / 63;
}

/* Symbols of the model: level l uniform, E ~ round(N(0, sigma^2)), offset uniform,
 * c = q_l + E - o mod p on the modem, plus complex AWGN of variance n0. kind 1 instead puts
 * the symbol anywhere on or around the grid (off the used points: the unused half of the
 * grid for p = 2003), kind 2 far outside it. */
static void make_symbols(const lv_32fc_t* pts, unsigned p, unsigned levels, unsigned guard, double sigma, double n0,
                         int kind, size_t n, lv_32fc_t* y, uint16_t* off, unsigned* lev)
{
    double x0, step;
    grid_of(pts, &x0, &step);
    const double sd = sqrt(n0 / 2);
    for (size_t i = 0; i < n; i++) {
        const unsigned l = (unsigned)(next_u64() % (levels - guard)), o = (unsigned)(next_u64() % p);
        const long e = sigma > 0 ? lround(sigma * gaussian()) : 0;
        const long c = (((long)centroid(l, p, levels) + e - (long)o) % (long)p + (long)p) % (long)p;
        if (kind == 0) {
            y[i] = CMPLXF((float)(lv_creal(pts[c]) + sd * gaussian()), (float)(lv_cimag(pts[c]) + sd * gaussian()));
        } else {
            const double u = kind == 1 ? -3 + 70 * uniform() : 31.5 + 1e3 * (uniform() - 0.5) * 2;
            const double v = kind == 1 ? -3 + 70 * uniform() : 31.5 + (uniform() < 0.5 ? -1e3 : 1e3);
            y[i] = CMPLXF((float)(x0 + u * step), (float)(x0 + v * step));
        }
        off[i] = (uint16_t)o;
        if (lev)
            lev[i] = l;
    }
}

/* Error bound against the double reference (zp_posterior.c): bins below 1e-12 of the
 * largest are skipped while the posterior sum is at least 1e-3, which moves the mean by at
 * most 64e-9 (N - G) p; the output is a float (half an ulp below 4096: 2.4e-4); the
 * recurrence of the axis weights and the other double arithmetic add about 1e-9. */
static double tolerance(unsigned p, unsigned used) { return 5e-4 + 64e-9 * used * p; }

/* The same for the standard deviation: the skipped bins move the second moment by at most
 * 64e-9 (N - G) p^2, and |sd - sd'| <= sqrt(|var - var'|). */
static double sd_tolerance(unsigned p, unsigned used) { return tolerance(p, used) + sqrt(64e-9 * used) * p; }

SJ_TEST(matches_double_reference)
{
    enum { N = 160 };
    static lv_32fc_t y[N];
    static uint16_t off[N];
    static float out[N], out2[N], sd[N];
    const unsigned ps[2] = { 4093, 2003 }, guards[2] = { 0, 2 };
    /* LWE decryption noise of the presets medium (p = 4093) and toy (p = 2003) */
    const double sig[2] = { sj_lwe_noise_std(sj_lwe_preset_params(SJ_LWE_MEDIUM)),
                            sj_lwe_noise_std(sj_lwe_preset_params(SJ_LWE_TOY)) };
    const double snrs[4] = { 0, 5, 10, 20 };
    double worst = 0, worst_sd = 0;
    for (int mp = 0; mp < 2; mp++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create_qam4096((sj_qam4096_mapping)mp, &m) == SJ_OK, "modem: %s", sj_last_error());
        lv_32fc_t* pts = malloc(4096 * sizeof *pts);
        sj_modem_constellation(m, pts);
        for (int pi = 0; pi < 2; pi++)
            for (int gi = 0; gi < 2; gi++)
                for (int ex = 0; ex < 2; ex++) {
                    const unsigned p = ps[pi], g = guards[gi];
                    const double sigma = ex ? 0.0 : sig[pi];
                    sj_zp_posterior* zp = NULL;
                    SJ_REQUIRE(sj_zp_posterior_create(m, p, 16, g, sigma, N, &zp) == SJ_OK, "create: %s",
                               sj_last_error());
                    const double tol = tolerance(p, 16 - g), tol_sd = sd_tolerance(p, 16 - g);
                    /* both dot-product paths (the AVX-512 one only where the CPU has it) */
                    for (int simd = 0; simd < 2 && sj_zp_posterior_use_avx512(zp, simd) == simd; simd++)
                    for (int k = 0; k < 4; k++) {
                        const double n0 = (float)pow(10.0, -snrs[k] / 10.0); /* the N0 the call gets */
                        for (int kind = 0; kind < 3; kind++) {
                            make_symbols(pts, p, 16, g, sigma, n0, kind, N, y, off, NULL);
                            const size_t n = kind == 0 ? N : N / 4;
                            SJ_REQUIRE(sj_zp_posterior_mean(zp, y, off, n, (float)n0, out) == SJ_OK, "mean: %s",
                                       sj_last_error());
                            SJ_REQUIRE(sj_zp_posterior_mean_std(zp, y, off, n, (float)n0, out2, sd) == SJ_OK,
                                       "mean_std: %s", sj_last_error());
                            for (size_t i = 0; i < n; i++) {
                                double rsd;
                                const double r = ref_mean_sd(pts, p, 16, g, sigma, y[i], off[i], n0, &rsd);
                                worst = fmax(worst, fabs(out[i] - r));
                                worst_sd = fmax(worst_sd, fabs(sd[i] - rsd));
                                SJ_CHECK(out2[i] == out[i], "mean_std's mean %.6f differs from mean's %.6f",
                                         out2[i], out[i]);
                                SJ_CHECK(fabs(sd[i] - rsd) <= tol_sd,
                                         "%s p %u G %u sigma %.1f SNR %.0f kind %d simd %d symbol %zu: sd %.6f vs "
                                         "reference %.6f",
                                         sj_qam4096_mapping_name((sj_qam4096_mapping)mp), p, g, sigma, snrs[k], kind,
                                         simd, i, sd[i], rsd);
                                SJ_CHECK(fabs(out[i] - r) <= tol,
                                         "%s p %u G %u sigma %.1f SNR %.0f kind %d simd %d symbol %zu: %.6f vs "
                                         "reference %.6f",
                                         sj_qam4096_mapping_name((sj_qam4096_mapping)mp), p, g, sigma, snrs[k], kind,
                                         simd, i, out[i], r);
                            }
                        }
                    }
                    sj_zp_posterior_destroy(zp);
                }
        free(pts);
        sj_modem_destroy(m);
    }
    printf("  largest |C - double reference| %.3g Z_p units (mean), %.3g (standard deviation)\n", worst,
           worst_sd);
}

/* Odd moduli (a partial bin of 1, 2, 36 indices; a single bin; p = 2), many levels (up to
 * p), guards, several noise levels including ones small enough for the log-domain path. */
SJ_TEST(small_moduli_and_many_levels)
{
    enum { N = 64 };
    static lv_32fc_t y[N];
    static uint16_t off[N];
    static float out[N];
    const struct {
        unsigned p, levels, guard;
        double sigma;
    } cfg[] = { { 2, 2, 0, 0.0 },    { 2, 2, 0, 0.7 },    { 64, 64, 0, 3.0 },   { 65, 5, 1, 10.0 },
                { 100, 100, 98, 0.0 }, { 100, 100, 50, 20.0 }, { 1000, 200, 3, 40.0 }, { 4036, 16, 2, 251.0 },
                { 4093, 64, 0, 251.0 }, { 4093, 16, 2, 5.0 }, { 4093, 16, 2, 0.3 }, { 2003, 16, 0, 1e6 },
                { 4093, 4093, 0, 30.0 } };
    const double snrs[3] = { 0, 12, 25 };
    double worst = 0;
    for (int mp = 0; mp < 2; mp++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create_qam4096((sj_qam4096_mapping)mp, &m) == SJ_OK, "modem");
        lv_32fc_t* pts = malloc(4096 * sizeof *pts);
        sj_modem_constellation(m, pts);
        for (size_t t = 0; t < sizeof cfg / sizeof cfg[0]; t++) {
            sj_zp_posterior* zp = NULL;
            SJ_REQUIRE(sj_zp_posterior_create(m, cfg[t].p, cfg[t].levels, cfg[t].guard, cfg[t].sigma, N, &zp) ==
                           SJ_OK,
                       "create p %u: %s", cfg[t].p, sj_last_error());
            const unsigned used = cfg[t].levels - cfg[t].guard;
            const double tol = tolerance(cfg[t].p, used);
            const size_t n = cfg[t].levels > 1000 ? 8 : N; /* the reference is slow with 4093 levels */
            for (int k = 0; k < 3; k++) {
                const double n0 = (float)pow(10.0, -snrs[k] / 10.0); /* the N0 the call gets */
                for (int kind = 0; kind < 2; kind++) {
                    make_symbols(pts, cfg[t].p, cfg[t].levels, cfg[t].guard, cfg[t].sigma, n0, kind, n, y, off, NULL);
                    SJ_REQUIRE(sj_zp_posterior_mean(zp, y, off, n, (float)n0, out) == SJ_OK, "mean");
                    for (size_t i = 0; i < n; i++) {
                        const double r = ref_mean(pts, cfg[t].p, cfg[t].levels, cfg[t].guard, cfg[t].sigma, y[i],
                                                  off[i], n0);
                        worst = fmax(worst, fabs(out[i] - r));
                        SJ_CHECK(fabs(out[i] - r) <= tol, "%s p %u N %u G %u sigma %g SNR %.0f kind %d: %.6f vs %.6f",
                                 sj_qam4096_mapping_name((sj_qam4096_mapping)mp), cfg[t].p, cfg[t].levels,
                                 cfg[t].guard, cfg[t].sigma, snrs[k], kind, out[i], r);
                    }
                }
            }
            sj_zp_posterior_destroy(zp);
        }
        free(pts);
        sj_modem_destroy(m);
    }
    printf("  largest |C - double reference| %.3g Z_p units\n", worst);
}

/* Never NaN, always within [q_0, q_{N-1-G}]: symbols far off the grid, on the unused points,
 * N0 from the smallest float to the largest, noise_std from tiny to huge. */
SJ_TEST(extreme_inputs_stay_finite)
{
    sj_modem* m = NULL;
    SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &m) == SJ_OK, "modem");
    lv_32fc_t pts[4096];
    sj_modem_constellation(m, pts);
    double x0, step;
    grid_of(pts, &x0, &step);
    const double uv[8][2] = { { 63, 0 }, { 62, 1 }, { 63.4, -0.4 }, { 1e8, -1e8 }, { -3e7, 31 }, { 30, 2e9 },
                              { 0, 0 }, { 40.5, 50.5 } };
    lv_32fc_t y[8];
    uint16_t off[8];
    for (int i = 0; i < 8; i++) {
        y[i] = CMPLXF((float)(x0 + uv[i][0] * step), (float)(x0 + uv[i][1] * step));
    }
    const float n0s[5] = { 1e-45f, FLT_MIN, 1e-9f, 1e6f, FLT_MAX };
    const double sigmas[5] = { 0.0, 1e-300, 0.2, 251.0, 1e300 };
    const unsigned ps[2] = { 4093, 2003 };
    int bad = 0;
    for (int pi = 0; pi < 2; pi++)
        for (int s = 0; s < 5; s++) {
            sj_zp_posterior* zp = NULL;
            SJ_REQUIRE(sj_zp_posterior_create(m, ps[pi], 16, 2, sigmas[s], 8, &zp) == SJ_OK, "create: %s",
                       sj_last_error());
            const double qmax = centroid(13, ps[pi], 16);
            for (int i = 0; i < 8; i++)
                off[i] = (uint16_t)((i * 511u) % ps[pi]);
            for (int k = 0; k < 5; k++) {
                float out[8];
                SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 8, n0s[k], out) == SJ_OK, "mean: %s", sj_last_error());
                for (int i = 0; i < 8; i++) {
                    const int ok = isfinite(out[i]) && out[i] >= 0.0f && out[i] <= qmax * (1 + 1e-6);
                    bad += !ok;
                    if (!ok)
                        printf("  p %u sigma %g N0 %g symbol %d: %g\n", ps[pi], sigmas[s], (double)n0s[k], i,
                               (double)out[i]);
                }
            }
            sj_zp_posterior_destroy(zp);
        }
    SJ_CHECK(bad == 0, "%d outputs non-finite or outside [q_0, q_{N-1-G}]", bad);
    sj_modem_destroy(m);
}

/* The exact receiver (no LWE noise) at high SNR returns the sent centroid. Not at 30 dB for
 * 99.9% of symbols: the exact posterior mean (the Python's too) is within 1 unit for about
 * 99.2% there, with either mapping, since another candidate level's point can lie 4 grid
 * steps away (row-major) or 1 (Hilbert) and 30 dB is 0.58 steps of noise per axis. 99.9% is
 * reached at about 33 dB (row-major) and 40 dB (Hilbert); a wrong offset convention or
 * candidate would give about 1 / 14 at any SNR. */
SJ_TEST(high_snr_exact_recovers_centroid)
{
    enum { N = 10000 };
    static lv_32fc_t x[N], y[N];
    static uint16_t off[N], c[N];
    static unsigned lev[N];
    static float out[N];
    const unsigned p = 4093;
    const double snr[2][2] = { { 30, 33 }, { 30, 40 } }; /* [mapping][low, high] */
    const double need[2] = { 0.985, 0.999 };
    for (int mp = 0; mp < 2; mp++) {
        sj_modem* m = NULL;
        sj_zp_posterior* zp = NULL;
        sj_awgn* ch = NULL;
        SJ_REQUIRE(sj_modem_create_qam4096((sj_qam4096_mapping)mp, &m) == SJ_OK &&
                       sj_zp_posterior_create(m, p, 16, 2, 0.0, N, &zp) == SJ_OK && sj_awgn_create(11 + mp, &ch) == SJ_OK,
                   "create");
        for (int h = 0; h < 2; h++) {
            for (int i = 0; i < N; i++) {
                lev[i] = (unsigned)(next_u64() % 14);
                off[i] = (uint16_t)(next_u64() % p);
                c[i] = (uint16_t)((centroid(lev[i], p, 16) + p - off[i]) % p);
            }
            const float n0 = sj_awgn_noise_var((float)snr[mp][h], 1.0f);
            sj_modem_map(m, c, N, x);
            sj_awgn_apply(ch, x, y, N, n0);
            SJ_REQUIRE(sj_zp_posterior_mean(zp, y, off, N, n0, out) == SJ_OK, "mean");
            int good = 0;
            for (int i = 0; i < N; i++)
                good += fabs(out[i] - centroid(lev[i], p, 16)) <= 1.0;
            printf("  %s at %.0f dB: %.2f%% within 1 unit of the sent centroid\n",
                   sj_qam4096_mapping_name((sj_qam4096_mapping)mp), snr[mp][h], 100.0 * good / N);
            SJ_CHECK(good >= need[h] * N, "%s at %.0f dB: only %d of %d within 1 unit",
                     sj_qam4096_mapping_name((sj_qam4096_mapping)mp), snr[mp][h], good, N);
        }
        sj_awgn_destroy(ch);
        sj_zp_posterior_destroy(zp);
        sj_modem_destroy(m);
    }
}

/* The point of the Hilbert mapping: with LWE noise (medium preset) at 10 dB, the joint
 * receiver's mean squared error against the sent centroid is lower than with row-major, on
 * the same levels, noise, offsets and channel noise (the Python measures about 15% lower). */
SJ_TEST(hilbert_beats_row_at_10db)
{
    enum { N = 10000 };
    static lv_32fc_t w[N], x[N];
    static uint16_t off[N], c[N];
    static unsigned lev[N];
    static float out[N];
    const unsigned p = 4093;
    const double sigma = sj_lwe_noise_std(sj_lwe_preset_params(SJ_LWE_MEDIUM));
    const double n0 = pow(10.0, -1.0), sd = sqrt(n0 / 2);
    for (int i = 0; i < N; i++) {
        lev[i] = (unsigned)(next_u64() % 14);
        off[i] = (uint16_t)(next_u64() % p);
        const long e = lround(sigma * gaussian());
        c[i] = (uint16_t)((((long)centroid(lev[i], p, 16) + e - off[i]) % (long)p + (long)p) % (long)p);
        w[i] = CMPLXF((float)(sd * gaussian()), (float)(sd * gaussian()));
    }
    double mse[2];
    for (int mp = 0; mp < 2; mp++) {
        sj_modem* m = NULL;
        sj_zp_posterior* zp = NULL;
        SJ_REQUIRE(sj_modem_create_qam4096((sj_qam4096_mapping)mp, &m) == SJ_OK &&
                       sj_zp_posterior_create(m, p, 16, 2, sigma, N, &zp) == SJ_OK,
                   "create");
        sj_modem_map(m, c, N, x);
        for (int i = 0; i < N; i++)
            x[i] += w[i];
        SJ_REQUIRE(sj_zp_posterior_mean(zp, x, off, N, (float)n0, out) == SJ_OK, "mean");
        mse[mp] = 0;
        for (int i = 0; i < N; i++)
            mse[mp] += pow(out[i] - centroid(lev[i], p, 16), 2) / N;
        sj_zp_posterior_destroy(zp);
        sj_modem_destroy(m);
    }
    printf("  10 dB, LWE noise std %.1f: MSE row %.0f, hilbert %.0f (Z_p units^2)\n", sigma, mse[0], mse[1]);
    SJ_CHECK(mse[1] < mse[0], "Hilbert MSE %.0f is not below row-major %.0f", mse[1], mse[0]);
    /* and both far below guessing: the prior's variance is about (p/N)^2 (14^2 - 1) / 12 */
    SJ_CHECK(mse[0] < 0.6 * 255.8 * 255.8 * 195 / 12, "row-major MSE %.0f no better than the prior", mse[0]);
}

/* The standard deviation is the posterior's own: where the model holds (the symbols are made
 * as the model says), the mean of sd^2 equals the mean squared error of the posterior mean
 * against the sent centroid, and symbols with a larger sd have larger errors. Hilbert at
 * 10 dB with `medium` LWE noise, and the keystream case (no LWE noise) at 5 dB. A wrong
 * second moment (uncentred, a level's weight missing, a wrong scale) breaks the first. */
SJ_TEST(std_is_calibrated)
{
    enum { N = 20000 };
    static lv_32fc_t x[N];
    static uint16_t off[N], c[N];
    static unsigned lev[N];
    static float mean[N], sd[N];
    const unsigned p = 4093;
    const double sigmas[2] = { sj_lwe_noise_std(sj_lwe_preset_params(SJ_LWE_MEDIUM)), 0.0 };
    const double snrs[2] = { 10.0, 5.0 };
    for (int t = 0; t < 2; t++) {
        const double sigma = sigmas[t], n0 = pow(10.0, -snrs[t] / 10), w = sqrt(n0 / 2);
        sj_modem* m = NULL;
        sj_zp_posterior* zp = NULL;
        SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &m) == SJ_OK &&
                       sj_zp_posterior_create(m, p, 16, 2, sigma, N, &zp) == SJ_OK,
                   "create");
        for (int i = 0; i < N; i++) {
            lev[i] = (unsigned)(next_u64() % 14);
            off[i] = (uint16_t)(next_u64() % p);
            const long e = sigma > 0 ? lround(sigma * gaussian()) : 0;
            c[i] = (uint16_t)((((long)centroid(lev[i], p, 16) + e - off[i]) % (long)p + (long)p) % (long)p);
        }
        sj_modem_map(m, c, N, x);
        for (int i = 0; i < N; i++)
            x[i] += CMPLXF((float)(w * gaussian()), (float)(w * gaussian()));
        SJ_REQUIRE(sj_zp_posterior_mean_std(zp, x, off, N, (float)n0, mean, sd) == SJ_OK, "mean_std: %s",
                   sj_last_error());
        /* errors of the half with the smaller and the larger sd */
        double mse = 0, msd = 0, lo = 0, hi = 0, split = 0;
        int nlo = 0, nhi = 0;
        for (int i = 0; i < N; i++)
            split += sd[i] / N;
        for (int i = 0; i < N; i++) {
            const double e2 = pow(mean[i] - centroid(lev[i], p, 16), 2);
            SJ_CHECK(sd[i] >= 0 && sd[i] <= p, "sd %g out of range", sd[i]);
            mse += e2 / N;
            msd += (double)sd[i] * sd[i] / N;
            if (sd[i] < split) {
                lo += e2;
                nlo++;
            } else {
                hi += e2;
                nhi++;
            }
        }
        lo /= nlo > 0 ? nlo : 1;
        hi /= nhi > 0 ? nhi : 1;
        printf("  %s, %.0f dB: MSE %.0f, mean sd^2 %.0f (ratio %.3f); MSE where sd < its mean %.0f, above %.0f\n",
               sigma > 0 ? "LWE noise" : "keystream", snrs[t], mse, msd, msd / mse, lo, hi);
        /* the binned noise density and the rounded noise of the symbols shift it by little;
         * 20000 symbols estimate the MSE to about 2% */
        SJ_CHECK(fabs(msd / mse - 1.0) < 0.08, "mean sd^2 %.0f against MSE %.0f", msd, mse);
        SJ_CHECK(hi > 2 * lo, "large-sd symbols' MSE %.0f is not well above the small-sd ones' %.0f", hi, lo);
        sj_zp_posterior_destroy(zp);
        sj_modem_destroy(m);
    }
}

/* The offset convention z' = c + o: a noise-free symbol at c = q_l - o (mod p) gives q_l, also
 * when c and o are shifted by the same k in opposite directions (c - k, o + k), and o = NULL
 * is o = 0, bit for bit. */
SJ_TEST(offset_semantics)
{
    enum { N = 500 };
    static lv_32fc_t y[N], y2[N];
    static uint16_t off[N], off2[N], c[N], c2[N], zero[N];
    static unsigned lev[N];
    static float a[N], b[N];
    const unsigned ps[2] = { 4093, 2003 };
    for (int mp = 0; mp < 2; mp++)
        for (int pi = 0; pi < 2; pi++) {
            const unsigned p = ps[pi];
            sj_modem* m = NULL;
            sj_zp_posterior *ex = NULL, *bi = NULL;
            SJ_REQUIRE(sj_modem_create_qam4096((sj_qam4096_mapping)mp, &m) == SJ_OK &&
                           sj_zp_posterior_create(m, p, 16, 2, 0.0, N, &ex) == SJ_OK &&
                           sj_zp_posterior_create(m, p, 16, 2, 251.0, N, &bi) == SJ_OK,
                       "create");
            for (int i = 0; i < N; i++) {
                const unsigned k = (unsigned)(next_u64() % p);
                lev[i] = (unsigned)(next_u64() % 14);
                off[i] = (uint16_t)(next_u64() % p);
                c[i] = (uint16_t)((centroid(lev[i], p, 16) + p - off[i]) % p);
                c2[i] = (uint16_t)((c[i] + p - k) % p);
                off2[i] = (uint16_t)((off[i] + k) % p);
            }
            sj_modem_map(m, c, N, y);
            sj_modem_map(m, c2, N, y2);
            const float n0 = 1e-5f; /* 50 dB: even adjacent candidates are told apart */
            SJ_REQUIRE(sj_zp_posterior_mean(ex, y, off, N, n0, a) == SJ_OK, "mean");
            SJ_REQUIRE(sj_zp_posterior_mean(ex, y2, off2, N, n0, b) == SJ_OK, "mean");
            int bad = 0;
            for (int i = 0; i < N; i++)
                bad += fabs(a[i] - centroid(lev[i], p, 16)) > 1e-3 || fabs(b[i] - a[i]) > 1e-3;
            SJ_CHECK(bad == 0, "%s p %u: %d of %d noise-free symbols not decoded to their centroid",
                     sj_qam4096_mapping_name((sj_qam4096_mapping)mp), p, bad, N);
            /* NULL offset == zeros, exact and binned */
            sj_zp_posterior* both[2] = { ex, bi };
            for (int t = 0; t < 2; t++) {
                SJ_REQUIRE(sj_zp_posterior_mean(both[t], y, NULL, N, 0.05f, a) == SJ_OK, "NULL offset");
                SJ_REQUIRE(sj_zp_posterior_mean(both[t], y, zero, N, 0.05f, b) == SJ_OK, "zero offset");
                SJ_CHECK(memcmp(a, b, sizeof a) == 0, "%s p %u: offset NULL differs from zeros (%s)",
                         sj_qam4096_mapping_name((sj_qam4096_mapping)mp), p, t ? "binned" : "exact");
            }
            sj_zp_posterior_destroy(ex);
            sj_zp_posterior_destroy(bi);
            sj_modem_destroy(m);
        }
}

/* Bad arguments fail with SJ_ERR_INVALID_ARG, a message naming the bad value, no crash, and
 * leave out untouched. */
SJ_TEST(bad_arguments)
{
    sj_modem *m = NULL, *q = NULL;
    sj_zp_posterior* zp = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK && sj_modem_create(SJ_MOD_16QAM, &q) == SJ_OK, "modems");
    SJ_CHECK(sj_zp_posterior_create(NULL, 4093, 16, 2, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG && zp == NULL, "NULL modem");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 2, 0.0, 8, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    sj_clear_error();
    SJ_CHECK(sj_zp_posterior_create(q, 4093, 16, 2, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG && zp == NULL, "16qam modem");
    SJ_CHECK(strstr(sj_last_error(), "16qam") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_zp_posterior_create(m, 4094, 16, 2, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "p 4094");
    SJ_CHECK(strstr(sj_last_error(), "4094") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_zp_posterior_create(m, 1, 2, 0, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "p 1");
    SJ_CHECK(sj_zp_posterior_create(m, 0, 2, 0, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "p 0");
    SJ_CHECK(sj_zp_posterior_create(m, 65536 + 4093, 16, 2, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "p 69629");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 1, 0, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "1 level");
    SJ_CHECK(sj_zp_posterior_create(m, 100, 101, 0, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "levels > p");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 15, 0.0, 8, &zp) == SJ_ERR_INVALID_ARG, "guard 15 of 16");
    SJ_CHECK(strstr(sj_last_error(), "15") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 2, -1.0, 8, &zp) == SJ_ERR_INVALID_ARG, "noise_std < 0");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 2, NAN, 8, &zp) == SJ_ERR_INVALID_ARG, "noise_std NaN");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 2, INFINITY, 8, &zp) == SJ_ERR_INVALID_ARG, "noise_std inf");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 2, 0.0, 0, &zp) == SJ_ERR_INVALID_ARG && zp == NULL, "max 0");
    SJ_CHECK(sj_zp_posterior_create(m, 4093, 16, 14, 251.0, 4, &zp) == SJ_OK, "guard N - 2 is allowed: %s",
             sj_last_error());
    sj_zp_posterior_destroy(zp);
    SJ_REQUIRE(sj_zp_posterior_create(m, 2003, 16, 2, 251.0, 4, &zp) == SJ_OK, "create");
    lv_32fc_t y[5] = { 0 };
    uint16_t off[5] = { 0, 2002, 0, 0, 0 };
    float out[5] = { -7, -7, -7, -7, -7 };
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 4, 0.1f, out) == SJ_OK, "valid call");
    for (int i = 0; i < 5; i++)
        out[i] = -7;
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 5, 0.1f, out) == SJ_ERR_INVALID_ARG, "n > max_symbols");
    SJ_CHECK(strstr(sj_last_error(), "max_symbols") != NULL, "message: %s", sj_last_error());
    const float bad_n0[4] = { 0.0f, -1.0f, NAN, INFINITY };
    for (int k = 0; k < 4; k++)
        SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 2, bad_n0[k], out) == SJ_ERR_INVALID_ARG, "noise_var %g",
                 (double)bad_n0[k]);
    off[2] = 2003;
    sj_clear_error();
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 3, 0.1f, out) == SJ_ERR_INVALID_ARG, "offset = p");
    SJ_CHECK(strstr(sj_last_error(), "2003") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 2, 0.1f, out) == SJ_OK, "offset = p beyond n is not read");
    off[2] = 0;
    for (int i = 0; i < 5; i++)
        out[i] = -7;
    y[1] = CMPLXF(NAN, 0.0f);
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "NaN sample");
    y[1] = CMPLXF(0.0f, INFINITY);
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "inf sample");
    y[1] = 0;
    SJ_CHECK(out[0] == -7 && out[1] == -7 && out[2] == -7, "out written by a failing call");
    SJ_CHECK(sj_zp_posterior_mean(NULL, y, off, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "NULL object");
    SJ_CHECK(sj_zp_posterior_mean(zp, NULL, off, 2, 0.1f, out) == SJ_ERR_INVALID_ARG, "NULL y");
    SJ_CHECK(sj_zp_posterior_mean(zp, y, off, 2, 0.1f, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_zp_posterior_mean(zp, NULL, NULL, 0, 0.1f, NULL) == SJ_OK, "n = 0 is a no-op");
    sj_zp_posterior_destroy(zp);
    sj_zp_posterior_destroy(NULL);
    sj_modem_destroy(m);
    sj_modem_destroy(q);
}

SJ_TEST_MAIN("zp_posterior")
