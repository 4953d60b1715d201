/* Per-frame affine quantisation of float features to bytes (byte_quantizer.h). */
#include "securejscc/byte_quantizer.h"

#include <math.h>

sj_status sj_byteq_quantize(const float* x, size_t n, uint8_t* out, sj_byteq_params* params)
{
    if (!x || !out || !params)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_byteq_quantize: NULL argument");
    if (n == 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_byteq_quantize: an empty frame has no range");
    float lo = x[0], hi = x[0];
    for (size_t i = 0; i < n; i++) {
        if (!isfinite(x[i]))
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_byteq_quantize: value at index %zu is not finite", i);
        if (x[i] < lo)
            lo = x[i];
        if (x[i] > hi)
            hi = x[i];
    }
    /* The range in double: hi - lo of two large floats of opposite sign overflows float. */
    float scale = (float)(((double)hi - (double)lo) / 255.0);
    if (hi == lo || !(scale > 0.0f))
        scale = 1.0f; /* a constant frame (or a range too small for a float step): all bytes 0 */
    /* Bytes come from the stored float scale, so the receiver's lo + byte * scale is the
     * grid this side rounded to. */
    const double s = scale;
    for (size_t i = 0; i < n; i++) {
        double b = floor(((double)x[i] - (double)lo) / s + 0.5);
        out[i] = (uint8_t)(b < 0 ? 0 : b > 255 ? 255 : b);
    }
    params->offset = lo;
    params->scale = scale;
    return SJ_OK;
}

sj_status sj_byteq_dequantize(const uint8_t* in, size_t n, const sj_byteq_params* params, float* out)
{
    if (!params || (n > 0 && (!in || !out)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_byteq_dequantize: NULL argument");
    /* The side data arrives over the air: refuse nonsense rather than emit NaNs. */
    if (!isfinite(params->offset) || !isfinite(params->scale) || !(params->scale > 0.0f))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_byteq_dequantize: bad parameters (offset %g, scale %g)",
                       (double)params->offset, (double)params->scale);
    const double lo = params->offset, s = params->scale;
    for (size_t i = 0; i < n; i++)
        out[i] = (float)(lo + in[i] * s);
    return SJ_OK;
}
