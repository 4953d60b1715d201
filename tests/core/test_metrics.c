/* PSNR, SSIM and MS-SSIM: known answers, an independent direct (non-separable) SSIM
 * reference, invariants (identity, symmetry, monotonicity, channel averaging) and the
 * argument checks. The comparison against scikit-image itself is
 * tests/python/test_metrics_skimage.py. */
#include "sj_test.h"

#include <securejscc/metrics.h>

#include <stdint.h>

/* SJ_REQUIRE evaluates its condition twice: only side-effect-free conditions go in it. */

/* Deterministic pseudo-random bytes for test images (a fixed LCG; nothing secret). */
static uint32_t lcg_state;
static unsigned lcg_byte(void)
{
    lcg_state = lcg_state * 1664525u + 1013904223u;
    return lcg_state >> 24;
}

/* A smooth, textured image: gradients plus a checker and some noise. */
static uint8_t* make_image(int w, int h, int ch, uint32_t seed)
{
    uint8_t* p = malloc((size_t)w * h * ch);
    lcg_state = seed;
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < ch; c++) {
                double v = 128 + 60 * sin(x * 0.11 + c) * cos(y * 0.07) + (((x / 8 + y / 8) & 1) ? 30 : -30) +
                           (double)(lcg_byte() % 21) - 10;
                p[((size_t)y * w + x) * ch + c] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
            }
    return p;
}

static uint8_t* add_noise(const uint8_t* a, size_t n, int amp, uint32_t seed)
{
    uint8_t* b = malloc(n);
    lcg_state = seed;
    for (size_t i = 0; i < n; i++) {
        int v = a[i] + (int)(lcg_byte() % (2 * amp + 1)) - amp;
        b[i] = (uint8_t)(v < 0 ? 0 : v > 255 ? 255 : v);
    }
    return b;
}

SJ_TEST(psnr_known_answers)
{
    enum { W = 16, H = 12, C = 3, N = W * H * C };
    uint8_t a[N], b[N];
    for (int i = 0; i < N; i++) {
        a[i] = (uint8_t)(i % 200);
        b[i] = (uint8_t)(a[i] + 1);
    }
    double p = 0;
    SJ_CHECK(sj_psnr(a, b, W, H, C, &p) == SJ_OK, "psnr");
    SJ_CHECK_NEAR(p, 10 * log10(65025.0), 1e-9);
    SJ_CHECK_NEAR(p, 48.1308, 1e-4);
    /* Half the samples off by 10: MSE 50. */
    for (int i = 0; i < N; i++)
        b[i] = (uint8_t)(i % 2 ? a[i] + 10 : a[i]);
    SJ_CHECK(sj_psnr(a, b, W, H, C, &p) == SJ_OK, "psnr");
    SJ_CHECK_NEAR(p, 10 * log10(65025.0 / 50.0), 1e-9);
    /* Black against white: 0 dB. */
    memset(a, 0, N);
    memset(b, 255, N);
    SJ_CHECK(sj_psnr(a, b, W, H, C, &p) == SJ_OK && fabs(p) < 1e-12, "0 dB: %g", p);
    /* Identical: +inf. */
    SJ_CHECK(sj_psnr(a, a, W, H, C, &p) == SJ_OK && isinf(p) && p > 0, "identical: %g", p);
    /* 1x1 single channel is fine for PSNR. */
    SJ_CHECK(sj_psnr(a, b, 1, 1, 1, &p) == SJ_OK, "1x1");
}

SJ_TEST(identical_images_score_one)
{
    const int w = 200, h = 190, c = 3;
    uint8_t* a = make_image(w, h, c, 1);
    double s = 0, ms = 0, p = 0;
    SJ_CHECK(sj_ssim(a, a, w, h, c, &s) == SJ_OK, "ssim");
    SJ_CHECK(sj_msssim(a, a, w, h, c, &ms) == SJ_OK, "msssim: %s", sj_last_error());
    SJ_CHECK(sj_psnr(a, a, w, h, c, &p) == SJ_OK, "psnr");
    SJ_CHECK_NEAR(s, 1.0, 1e-12);
    SJ_CHECK_NEAR(ms, 1.0, 1e-12);
    SJ_CHECK(isinf(p), "psnr %g", p);
    free(a);
}

SJ_TEST(constant_images_closed_form)
{
    /* With no variance anywhere cs = 1 and SSIM is the luminance term alone. */
    const int w = 180, h = 177;
    uint8_t* a = malloc((size_t)w * h);
    uint8_t* b = malloc((size_t)w * h);
    memset(a, 100, (size_t)w * h);
    memset(b, 110, (size_t)w * h);
    const double C1 = (0.01 * 255) * (0.01 * 255);
    const double lum = (2.0 * 100 * 110 + C1) / (100.0 * 100 + 110.0 * 110 + C1);
    double s = 0, ms = 0;
    SJ_CHECK(sj_ssim(a, b, w, h, 1, &s) == SJ_OK, "ssim");
    SJ_CHECK_NEAR(s, lum, 1e-12);
    SJ_CHECK(sj_msssim(a, b, w, h, 1, &ms) == SJ_OK, "msssim");
    SJ_CHECK_NEAR(ms, pow(lum, 0.1333), 1e-12);
    free(a);
    free(b);
}

/* Direct SSIM from the definition: an 11x11 2D Gaussian window at each valid centre. */
static double ssim_direct(const uint8_t* a, const uint8_t* b, int w, int h, int ch)
{
    double g1[11], g[11][11], sum = 0;
    for (int k = 0; k < 11; k++) {
        g1[k] = exp(-(double)((k - 5) * (k - 5)) / (2 * 1.5 * 1.5));
        sum += g1[k];
    }
    for (int i = 0; i < 11; i++)
        for (int j = 0; j < 11; j++)
            g[i][j] = g1[i] * g1[j] / (sum * sum);
    const double C1 = 6.5025, C2 = 58.5225;
    double total = 0;
    for (int c = 0; c < ch; c++) {
        double acc = 0;
        for (int y = 5; y < h - 5; y++)
            for (int x = 5; x < w - 5; x++) {
                double mx = 0, my = 0, sxx = 0, syy = 0, sxy = 0;
                for (int i = 0; i < 11; i++)
                    for (int j = 0; j < 11; j++) {
                        double xv = a[((size_t)(y + i - 5) * w + x + j - 5) * ch + c];
                        double yv = b[((size_t)(y + i - 5) * w + x + j - 5) * ch + c];
                        mx += g[i][j] * xv;
                        my += g[i][j] * yv;
                    }
                for (int i = 0; i < 11; i++)
                    for (int j = 0; j < 11; j++) {
                        double xv = a[((size_t)(y + i - 5) * w + x + j - 5) * ch + c] - mx;
                        double yv = b[((size_t)(y + i - 5) * w + x + j - 5) * ch + c] - my;
                        sxx += g[i][j] * xv * xv;
                        syy += g[i][j] * yv * yv;
                        sxy += g[i][j] * xv * yv;
                    }
                acc += (2 * mx * my + C1) * (2 * sxy + C2) / ((mx * mx + my * my + C1) * (sxx + syy + C2));
            }
        total += acc / ((double)(w - 10) * (h - 10));
    }
    return total / ch;
}

SJ_TEST(ssim_matches_direct_definition)
{
    const int sizes[][3] = { { 11, 11, 1 }, { 23, 19, 2 }, { 40, 31, 3 }, { 12, 50, 1 } };
    for (int t = 0; t < 4; t++) {
        int w = sizes[t][0], h = sizes[t][1], c = sizes[t][2];
        uint8_t* a = make_image(w, h, c, 10 + t);
        uint8_t* b = add_noise(a, (size_t)w * h * c, 40, 20 + t);
        double s = 0;
        SJ_CHECK(sj_ssim(a, b, w, h, c, &s) == SJ_OK, "ssim: %s", sj_last_error());
        double ref = ssim_direct(a, b, w, h, c);
        SJ_CHECK(fabs(s - ref) < 1e-9, "%dx%dx%d: %.12f vs direct %.12f", w, h, c, s, ref);
        free(a);
        free(b);
    }
}

SJ_TEST(ssim_symmetric_monotone_and_below_one)
{
    const int w = 64, h = 48, c = 3;
    const size_t n = (size_t)w * h * c;
    uint8_t* a = make_image(w, h, c, 3);
    double prev = 1.0;
    const int amps[] = { 2, 8, 30, 90 };
    for (int t = 0; t < 4; t++) {
        uint8_t* b = add_noise(a, n, amps[t], 7);
        double ab = 0, ba = 0;
        SJ_CHECK(sj_ssim(a, b, w, h, c, &ab) == SJ_OK && sj_ssim(b, a, w, h, c, &ba) == SJ_OK, "ssim");
        SJ_CHECK(fabs(ab - ba) < 1e-12, "not symmetric: %.15f vs %.15f", ab, ba);
        SJ_CHECK(ab < 1.0 && ab > -1.0, "noise %d: ssim %g", amps[t], ab);
        SJ_CHECK(ab < prev, "more noise (%d) did not lower ssim: %g >= %g", amps[t], ab, prev);
        prev = ab;
        free(b);
    }
    free(a);
}

SJ_TEST(ssim_averages_channels)
{
    const int w = 30, h = 25, c = 3;
    const size_t px = (size_t)w * h;
    uint8_t* a = make_image(w, h, c, 5);
    uint8_t* b = add_noise(a, px * c, 25, 6);
    uint8_t* pa = malloc(px);
    uint8_t* pb = malloc(px);
    double all = 0, mean = 0, one = 0;
    SJ_CHECK(sj_ssim(a, b, w, h, c, &all) == SJ_OK, "ssim");
    for (int k = 0; k < c; k++) {
        for (size_t i = 0; i < px; i++) {
            pa[i] = a[i * c + k];
            pb[i] = b[i * c + k];
        }
        SJ_CHECK(sj_ssim(pa, pb, w, h, 1, &one) == SJ_OK, "ssim");
        mean += one / c;
    }
    SJ_CHECK_NEAR(all, mean, 1e-12);
    free(a);
    free(b);
    free(pa);
    free(pb);
}

SJ_TEST(msssim_properties)
{
    const int w = 181, h = 176, c = 3; /* odd width: pooling drops the last column */
    const size_t n = (size_t)w * h * c;
    uint8_t* a = make_image(w, h, c, 8);
    double prev = 1.0;
    const int amps[] = { 4, 20, 80 };
    for (int t = 0; t < 3; t++) {
        uint8_t* b = add_noise(a, n, amps[t], 9);
        double ab = 0, ba = 0, s = 0;
        SJ_CHECK(sj_msssim(a, b, w, h, c, &ab) == SJ_OK, "msssim: %s", sj_last_error());
        SJ_CHECK(sj_msssim(b, a, w, h, c, &ba) == SJ_OK, "msssim");
        SJ_CHECK(sj_ssim(a, b, w, h, c, &s) == SJ_OK, "ssim");
        SJ_CHECK(fabs(ab - ba) < 1e-12, "not symmetric");
        SJ_CHECK(ab > 0 && ab < 1.0, "noise %d: %g", amps[t], ab);
        SJ_CHECK(ab < prev, "more noise did not lower MS-SSIM");
        /* Pixel noise hurts the fine scale most; MS-SSIM forgives it more than SSIM. */
        SJ_CHECK(ab > s, "noise %d: MS-SSIM %g <= SSIM %g", amps[t], ab, s);
        prev = ab;
        free(b);
    }
    /* Inverted contrast: cs < 0 at every scale, clamped to 0, so the product is 0. */
    uint8_t* inv = malloc(n);
    for (size_t i = 0; i < n; i++)
        inv[i] = (uint8_t)(255 - a[i]);
    double ms = -1, s = 0;
    SJ_CHECK(sj_msssim(a, inv, w, h, c, &ms) == SJ_OK, "msssim");
    SJ_CHECK(ms == 0.0, "inverted image: MS-SSIM %g, expected 0 (clamped)", ms);
    SJ_CHECK(sj_ssim(a, inv, w, h, c, &s) == SJ_OK && s < 0, "inverted image: SSIM %g, expected < 0", s);
    free(inv);
    free(a);
}

SJ_TEST(argument_checks)
{
    uint8_t* a = make_image(200, 200, 3, 1);
    double v = 0;
    SJ_CHECK(sj_ssim(a, a, 10, 20, 1, &v) == SJ_ERR_INVALID_ARG, "width 10 accepted");
    SJ_CHECK(sj_ssim(a, a, 20, 10, 1, &v) == SJ_ERR_INVALID_ARG, "height 10 accepted");
    SJ_CHECK(sj_ssim(a, a, 11, 11, 1, &v) == SJ_OK, "11x11 refused");
    SJ_CHECK(sj_msssim(a, a, 175, 200, 1, &v) == SJ_ERR_INVALID_ARG, "width 175 accepted");
    SJ_CHECK(sj_msssim(a, a, 200, 175, 1, &v) == SJ_ERR_INVALID_ARG, "height 175 accepted");
    SJ_CHECK(sj_msssim(a, a, 176, 176, 1, &v) == SJ_OK && fabs(v - 1) < 1e-12, "176x176 refused");
    SJ_CHECK(sj_psnr(NULL, a, 4, 4, 1, &v) == SJ_ERR_INVALID_ARG, "NULL a");
    SJ_CHECK(sj_ssim(a, NULL, 20, 20, 1, &v) == SJ_ERR_INVALID_ARG, "NULL b");
    SJ_CHECK(sj_msssim(a, a, 200, 200, 1, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_psnr(a, a, 0, 4, 1, &v) == SJ_ERR_INVALID_ARG, "width 0");
    SJ_CHECK(sj_ssim(a, a, 20, 20, 0, &v) == SJ_ERR_INVALID_ARG, "0 channels");
    SJ_CHECK(sj_ssim(a, a, -20, 20, 1, &v) == SJ_ERR_INVALID_ARG, "negative width");
    free(a);
}

SJ_TEST_MAIN("metrics")
