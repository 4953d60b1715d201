/* Spatial rearrangements: pixel shuffle, nearest and bilinear upsampling, average
 * pooling, and the reflect padding and cropping that fit odd image sizes to a network.
 * Index rules follow PyTorch's exactly (its bilinear align_corners=False source index
 * (dst + 0.5) / scale - 0.5, clamped at 0), since parity is tested against it. */
#include "nn_internal.h"

#include <string.h>

void sj_nn_pixel_shuffle(const float* x, sj_nn_shape in, float* y, size_t r)
{
    /* y[c, h*r + i, w*r + j] = x[c*r*r + i*r + j, h, w] */
    size_t co = in.c / (r * r), ho = in.h * r, wo = in.w * r;
    for (size_t c = 0; c < co; c++)
        for (size_t i = 0; i < r; i++)
            for (size_t j = 0; j < r; j++) {
                const float* src = x + ((c * r + i) * r + j) * in.h * in.w;
                for (size_t h = 0; h < in.h; h++) {
                    float* dst = y + (c * ho + h * r + i) * wo + j;
                    const float* s = src + h * in.w;
                    for (size_t w = 0; w < in.w; w++)
                        dst[w * r] = s[w];
                }
            }
}

void sj_nn_upsample_nearest(const float* x, sj_nn_shape in, float* y, size_t s)
{
    size_t wo = in.w * s;
    for (size_t c = 0; c < in.c; c++)
        for (size_t h = 0; h < in.h; h++) {
            const float* src = x + (c * in.h + h) * in.w;
            float* dst = y + (c * in.h * s + h * s) * wo;
            for (size_t w = 0; w < wo; w++)
                dst[w] = src[w / s];
            for (size_t k = 1; k < s; k++)
                memcpy(dst + k * wo, dst, wo * sizeof(float));
        }
}

/* Source index and weight of output position d for an integer upscale s. */
static void bilinear_src(size_t d, size_t s, size_t n, size_t* i0, size_t* i1, float* l1)
{
    float src = ((float)d + 0.5f) / (float)s - 0.5f;
    if (src < 0.0f)
        src = 0.0f;
    *i0 = (size_t)src;
    if (*i0 > n - 1)
        *i0 = n - 1;
    *i1 = *i0 + (*i0 < n - 1 ? 1 : 0);
    *l1 = src - (float)*i0;
}

void sj_nn_upsample_bilinear(const float* x, sj_nn_shape in, float* y, size_t s)
{
    size_t ho = in.h * s, wo = in.w * s;
    for (size_t c = 0; c < in.c; c++) {
        const float* xp = x + c * in.h * in.w;
        for (size_t oy = 0; oy < ho; oy++) {
            size_t y0, y1, x0, x1;
            float ly, lx;
            bilinear_src(oy, s, in.h, &y0, &y1, &ly);
            const float* r0 = xp + y0 * in.w;
            const float* r1 = xp + y1 * in.w;
            float* dst = y + (c * ho + oy) * wo;
            for (size_t ox = 0; ox < wo; ox++) {
                bilinear_src(ox, s, in.w, &x0, &x1, &lx);
                dst[ox] = (1.0f - ly) * ((1.0f - lx) * r0[x0] + lx * r0[x1]) +
                          ly * ((1.0f - lx) * r1[x0] + lx * r1[x1]);
            }
        }
    }
}

void sj_nn_avg_pool2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                      sj_nn_shape out)
{
    size_t plane = in.h * in.w;
    if (n->global) {
        for (size_t c = 0; c < in.c; c++) {
            double sum = 0.0;
            for (size_t i = 0; i < plane; i++)
                sum += x[c * plane + i];
            y[c] = (float)(sum / (double)plane);
        }
        return;
    }
    float inv = 1.0f / (float)(n->kh * n->kw);
    for (size_t c = 0; c < in.c; c++)
        for (size_t oy = 0; oy < out.h; oy++)
            for (size_t ox = 0; ox < out.w; ox++) {
                float sum = 0.0f;
                for (size_t ky = 0; ky < n->kh; ky++) {
                    const float* r = x + c * plane + (oy * n->sh + ky) * in.w + ox * n->sw;
                    for (size_t kx = 0; kx < n->kw; kx++)
                        sum += r[kx];
                }
                y[(c * out.h + oy) * out.w + ox] = sum * inv;
            }
}

/* Reflection without repeating the edge (PyTorch's "reflect"), bouncing if needed. */
static size_t reflect(size_t i, size_t n)
{
    if (n == 1)
        return 0;
    size_t m = i % (2 * (n - 1));
    return m < n ? m : 2 * (n - 1) - m;
}

void sj_nn_reflect_pad(const float* x, sj_nn_shape in, float* y, sj_nn_shape out)
{
    for (size_t c = 0; c < out.c; c++)
        for (size_t oy = 0; oy < out.h; oy++) {
            const float* src = x + (c * in.h + reflect(oy, in.h)) * in.w;
            float* dst = y + (c * out.h + oy) * out.w;
            memcpy(dst, src, in.w * sizeof(float));
            for (size_t ox = in.w; ox < out.w; ox++)
                dst[ox] = src[reflect(ox, in.w)];
        }
}

void sj_nn_crop(const float* x, sj_nn_shape in, float* y, sj_nn_shape out)
{
    for (size_t c = 0; c < out.c; c++)
        for (size_t oy = 0; oy < out.h; oy++)
            memcpy(y + (c * out.h + oy) * out.w, x + (c * in.h + oy) * in.w,
                   out.w * sizeof(float));
}
