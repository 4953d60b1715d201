/* PSNR, SSIM and MS-SSIM on 8-bit HWC images (metrics.h).
 *
 * SSIM follows scikit-image 0.19's structural_similarity with gaussian_weights=True,
 * sigma=1.5, use_sample_covariance=False, data_range=255, channel_axis=-1, step by step:
 *   - window: scipy.ndimage's Gaussian, radius int(3.5 * 1.5 + 0.5) = 5 (11 taps),
 *     weights exp(-x^2 / (2 sigma^2)) normalised to sum 1, applied separably;
 *   - mu, E[x^2], E[y^2], E[xy] filtered; population (co)variances E[x^2] - mu_x^2 etc.;
 *   - SSIM map ((2 mu_x mu_y + C1)(2 s_xy + C2)) / ((mu_x^2 + mu_y^2 + C1)(s_x + s_y + C2)),
 *     C1 = (0.01 * 255)^2, C2 = (0.03 * 255)^2;
 *   - mean over the map with a 5-pixel border cropped on every side. Those are exactly the
 *     pixels whose window lies inside the image, so skimage's 'reflect' padding never
 *     reaches the mean and only the valid part of the map is computed here;
 *   - the mean over channels of the per-channel means.
 * All arithmetic is in double, as skimage's is (float64 for uint8 input).
 *
 * MS-SSIM (Wang, Simoncelli, Bovik 2003) uses the same window and constants at every scale:
 * for scales 1..4 the mean contrast-structure term cs = (2 s_xy + C2) / (s_x + s_y + C2)
 * over the valid region, at scale 5 the mean SSIM; each term is clamped at 0 and raised to
 * its weight (0.0448, 0.2856, 0.3001, 0.2363, 0.1333), and the product is averaged over
 * channels. Between scales each image is 2x2 average-pooled (in double, not rounded); an
 * odd last row or column is dropped. */
#include "securejscc/metrics.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SJ_SSIM_RADIUS 5
#define SJ_SSIM_WIN (2 * SJ_SSIM_RADIUS + 1)
#define SJ_MSSSIM_SCALES 5

static const double sj_msssim_weights[SJ_MSSSIM_SCALES] = { 0.0448, 0.2856, 0.3001, 0.2363, 0.1333 };

static sj_status check_args(const uint8_t* a, const uint8_t* b, int width, int height, int channels, const double* out,
                            int min_side, const char* fn, size_t* n)
{
    if (!a || !b || !out)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: NULL argument", fn);
    if (width < 1 || height < 1 || channels < 1)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: bad shape %dx%dx%d", fn, width, height, channels);
    if (width < min_side || height < min_side)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: image %dx%d is too small, each side must be at least %d", fn, width,
                       height, min_side);
    size_t px = (size_t)width * (size_t)height;
    if (px > SIZE_MAX / sizeof(double) / 8 / (size_t)channels)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: image %dx%dx%d is too large", fn, width, height, channels);
    *n = px * (size_t)channels;
    return SJ_OK;
}

sj_status sj_psnr(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out)
{
    size_t n = 0;
    sj_status s = check_args(a, b, width, height, channels, out, 1, "sj_psnr", &n);
    if (s != SJ_OK)
        return s;
    /* Integer squared differences summed exactly (each <= 65025, so 2^64 is never near). */
    uint64_t sse = 0;
    for (size_t i = 0; i < n; i++) {
        int d = (int)a[i] - (int)b[i];
        sse += (uint64_t)(d * d);
    }
    if (sse == 0) {
        *out = INFINITY;
        return SJ_OK;
    }
    const double mse = (double)sse / (double)n;
    *out = 10.0 * log10(255.0 * 255.0 / mse);
    return SJ_OK;
}

/* The 11-tap Gaussian of scipy.ndimage.gaussian_filter for sigma 1.5, truncate 3.5. */
static void gaussian_window(double g[SJ_SSIM_WIN])
{
    const double sigma = 1.5;
    double sum = 0;
    for (int k = -SJ_SSIM_RADIUS; k <= SJ_SSIM_RADIUS; k++) {
        g[k + SJ_SSIM_RADIUS] = exp(-0.5 * (double)(k * k) / (sigma * sigma));
        sum += g[k + SJ_SSIM_RADIUS];
    }
    for (int k = 0; k < SJ_SSIM_WIN; k++)
        g[k] /= sum;
}

/* Scratch for one channel at one scale: the five horizontally filtered planes, each
 * h x (w - 10), and one row of vertical sums. */
typedef struct {
    double* hx;
    double* hy;
    double* hxx;
    double* hyy;
    double* hxy;
} ssim_scratch;

static int scratch_alloc(ssim_scratch* s, size_t plane)
{
    double* p = malloc(5 * plane * sizeof(double));
    if (!p)
        return -1;
    s->hx = p;
    s->hy = p + plane;
    s->hxx = p + 2 * plane;
    s->hyy = p + 3 * plane;
    s->hxy = p + 4 * plane;
    return 0;
}

/* Mean SSIM and mean cs over the valid region of one channel (x, y: h x w doubles, w, h >=
 * 11). scratch holds at least 5 h (w - 10) doubles. */
static void ssim_channel(const double* x, const double* y, int w, int h, const ssim_scratch* sc, double* ssim_mean,
                         double* cs_mean)
{
    double g[SJ_SSIM_WIN];
    gaussian_window(g);
    const double C1 = (0.01 * 255.0) * (0.01 * 255.0);
    const double C2 = (0.03 * 255.0) * (0.03 * 255.0);
    const int wo = w - 2 * SJ_SSIM_RADIUS; /* valid columns */
    const int ho = h - 2 * SJ_SSIM_RADIUS; /* valid rows */

    /* Horizontal pass over every row, valid columns only. */
    for (int r = 0; r < h; r++) {
        const double* xr = x + (size_t)r * w;
        const double* yr = y + (size_t)r * w;
        size_t o = (size_t)r * wo;
        for (int c = 0; c < wo; c++) {
            double sx = 0, sy = 0, sxx = 0, syy = 0, sxy = 0;
            for (int k = 0; k < SJ_SSIM_WIN; k++) {
                const double gk = g[k], xv = xr[c + k], yv = yr[c + k];
                sx += gk * xv;
                sy += gk * yv;
                sxx += gk * xv * xv;
                syy += gk * yv * yv;
                sxy += gk * xv * yv;
            }
            sc->hx[o + c] = sx;
            sc->hy[o + c] = sy;
            sc->hxx[o + c] = sxx;
            sc->hyy[o + c] = syy;
            sc->hxy[o + c] = sxy;
        }
    }
    /* Vertical pass at valid rows, combined into the map at once. Row sums first, then the
     * total, which keeps the rounding of the mean small for large images. */
    double tot_s = 0, tot_cs = 0;
    for (int r = 0; r < ho; r++) {
        double row_s = 0, row_cs = 0;
        for (int c = 0; c < wo; c++) {
            double mx = 0, my = 0, exx = 0, eyy = 0, exy = 0;
            for (int k = 0; k < SJ_SSIM_WIN; k++) {
                const size_t i = (size_t)(r + k) * wo + c;
                const double gk = g[k];
                mx += gk * sc->hx[i];
                my += gk * sc->hy[i];
                exx += gk * sc->hxx[i];
                eyy += gk * sc->hyy[i];
                exy += gk * sc->hxy[i];
            }
            const double vx = exx - mx * mx;
            const double vy = eyy - my * my;
            const double vxy = exy - mx * my;
            const double cs = (2.0 * vxy + C2) / (vx + vy + C2);
            const double lum = (2.0 * mx * my + C1) / (mx * mx + my * my + C1);
            row_s += lum * cs;
            row_cs += cs;
        }
        tot_s += row_s;
        tot_cs += row_cs;
    }
    const double count = (double)ho * (double)wo;
    *ssim_mean = tot_s / count;
    *cs_mean = tot_cs / count;
}

/* Copies channel ch of an HWC byte image into a plane of doubles. */
static void extract_channel(const uint8_t* src, int w, int h, int channels, int ch, double* dst)
{
    const size_t n = (size_t)w * (size_t)h;
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i * (size_t)channels + (size_t)ch];
}

sj_status sj_ssim(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out)
{
    size_t n;
    sj_status s = check_args(a, b, width, height, channels, out, SJ_SSIM_WIN, "sj_ssim", &n);
    if (s != SJ_OK)
        return s;
    const size_t plane = (size_t)width * (size_t)height;
    double* x = malloc(2 * plane * sizeof(double));
    ssim_scratch sc;
    if (!x || scratch_alloc(&sc, (size_t)height * (size_t)(width - 2 * SJ_SSIM_RADIUS)) != 0) {
        free(x);
        return sj_fail(SJ_ERR_NOMEM, "sj_ssim: cannot allocate work buffers for %dx%d", width, height);
    }
    double* y = x + plane;
    double total = 0;
    for (int c = 0; c < channels; c++) {
        extract_channel(a, width, height, channels, c, x);
        extract_channel(b, width, height, channels, c, y);
        double m, cs;
        ssim_channel(x, y, width, height, &sc, &m, &cs);
        total += m;
    }
    free(sc.hx);
    free(x);
    *out = total / channels;
    return SJ_OK;
}

/* 2x2 average pooling; an odd last row or column is dropped. */
static void pool2(const double* src, int w, int h, double* dst)
{
    const int wo = w / 2, ho = h / 2;
    for (int r = 0; r < ho; r++) {
        const double* s0 = src + (size_t)(2 * r) * w;
        const double* s1 = s0 + w;
        double* d = dst + (size_t)r * wo;
        for (int c = 0; c < wo; c++)
            d[c] = 0.25 * (s0[2 * c] + s0[2 * c + 1] + s1[2 * c] + s1[2 * c + 1]);
    }
}

sj_status sj_msssim(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out)
{
    const int min_side = SJ_SSIM_WIN << (SJ_MSSSIM_SCALES - 1); /* 176 */
    size_t n;
    sj_status s = check_args(a, b, width, height, channels, out, min_side, "sj_msssim", &n);
    if (s != SJ_OK)
        return s;
    const size_t plane = (size_t)width * (size_t)height;
    /* Two planes per image: the current scale and the next, swapped after pooling. */
    double* buf = malloc(4 * plane * sizeof(double));
    ssim_scratch sc;
    if (!buf || scratch_alloc(&sc, (size_t)height * (size_t)(width - 2 * SJ_SSIM_RADIUS)) != 0) {
        free(buf);
        return sj_fail(SJ_ERR_NOMEM, "sj_msssim: cannot allocate work buffers for %dx%d", width, height);
    }
    double total = 0;
    for (int c = 0; c < channels; c++) {
        double *x = buf, *y = buf + plane, *nx = buf + 2 * plane, *ny = buf + 3 * plane;
        extract_channel(a, width, height, channels, c, x);
        extract_channel(b, width, height, channels, c, y);
        int w = width, h = height;
        double prod = 1.0;
        for (int j = 0; j < SJ_MSSSIM_SCALES; j++) {
            double m, cs;
            ssim_channel(x, y, w, h, &sc, &m, &cs);
            /* The last scale contributes luminance too (its full SSIM), the others only
             * contrast-structure; negative terms (anti-correlated content) are clamped at 0
             * so that a fractional power stays real. */
            double term = j == SJ_MSSSIM_SCALES - 1 ? m : cs;
            prod *= pow(term > 0.0 ? term : 0.0, sj_msssim_weights[j]);
            if (j + 1 < SJ_MSSSIM_SCALES) {
                pool2(x, w, h, nx);
                pool2(y, w, h, ny);
                w /= 2;
                h /= 2;
                double* t = x;
                x = nx;
                nx = t;
                t = y;
                y = ny;
                ny = t;
            }
        }
        total += prod;
    }
    free(sc.hx);
    free(buf);
    *out = total / channels;
    return SJ_OK;
}
