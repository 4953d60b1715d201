/* Image layout conversions between the byte images of the stream blocks (HWC, uint8, as
 * image_source emits and image_sink reads) and the float tensors of the neural-network
 * runtime (CHW float32 in [0, 1], include/securejscc/nn_model.h). Plain item moving: no
 * allocation, no failure on values (out-of-range floats are clamped). */
#ifndef SECUREJSCC_LAYOUT_H
#define SECUREJSCC_LAYOUT_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* hwc holds h*w*c bytes (pixel after pixel, channels innermost); chw receives c*h*w floats
 * (channel planes), each byte v as v / 255. SJ_ERR_INVALID_ARG for NULL pointers or a zero
 * size. */
sj_status sj_hwc_u8_to_chw_f32(const uint8_t* hwc, size_t h, size_t w, size_t c, float* chw);

/* chw holds c planes of h x w floats; hwc receives the top-left out_h x out_w region
 * (out_h <= h, out_w <= w: the crop a padded network output needs) as out_h*out_w*c bytes,
 * each value x as round(clamp(x, 0, 1) * 255) (halves away from zero; NaN gives 0).
 * SJ_ERR_INVALID_ARG for NULL pointers, a zero size, or a region larger than the planes. */
sj_status sj_chw_f32_to_hwc_u8(const float* chw, size_t c, size_t h, size_t w, size_t out_h, size_t out_w,
                               uint8_t* hwc);

#ifdef __cplusplus
}
#endif
#endif
