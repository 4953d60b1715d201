/* HWC uint8 <-> CHW float32 conversions between stream images and network tensors. */
#include <securejscc/layout.h>

sj_status sj_hwc_u8_to_chw_f32(const uint8_t* hwc, size_t h, size_t w, size_t c, float* chw)
{
    if (!hwc || !chw)
        return sj_fail(SJ_ERR_INVALID_ARG, "layout: NULL buffer");
    if (h == 0 || w == 0 || c == 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "layout: zero size (%zu x %zu x %zu)", h, w, c);
    const size_t plane = h * w;
    /* Division rather than multiplication by 1/255: v / 255.0f is what PyTorch's
     * ToTensor-style conversion gives, bit for bit, so parity tests can compare exactly. */
    for (size_t p = 0; p < plane; p++)
        for (size_t k = 0; k < c; k++)
            chw[k * plane + p] = (float)hwc[p * c + k] / 255.0f;
    return SJ_OK;
}

static uint8_t to_byte(float x)
{
    /* The comparisons are written so that NaN fails both and ends at 0. */
    if (!(x > 0.0f))
        return 0;
    if (!(x < 1.0f))
        return 255;
    return (uint8_t)(x * 255.0f + 0.5f); /* x * 255 is in (0, 255): +0.5 and truncation round */
}

sj_status sj_chw_f32_to_hwc_u8(const float* chw, size_t c, size_t h, size_t w, size_t out_h, size_t out_w,
                               uint8_t* hwc)
{
    if (!hwc || !chw)
        return sj_fail(SJ_ERR_INVALID_ARG, "layout: NULL buffer");
    if (h == 0 || w == 0 || c == 0 || out_h == 0 || out_w == 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "layout: zero size");
    if (out_h > h || out_w > w)
        return sj_fail(SJ_ERR_INVALID_ARG, "layout: crop %zu x %zu is larger than the %zu x %zu planes", out_h,
                       out_w, h, w);
    const size_t plane = h * w;
    for (size_t y = 0; y < out_h; y++)
        for (size_t x = 0; x < out_w; x++)
            for (size_t k = 0; k < c; k++)
                hwc[(y * out_w + x) * c + k] = to_byte(chw[k * plane + y * w + x]);
    return SJ_OK;
}
