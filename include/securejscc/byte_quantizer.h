/* Float features to bytes for the `srec` scheme (paper 002), with a per-frame affine map.
 *
 * For a frame x[0..n-1]: lo = min x, hi = max x, scale = (hi - lo) / 255 (1 if hi == lo),
 * byte = round((x - lo) / scale) in 0..255; dequantisation gives lo + byte * scale.
 * (lo, scale) travel with the frame as side data. Non-finite inputs are refused. */
#ifndef SECUREJSCC_BYTE_QUANTIZER_H
#define SECUREJSCC_BYTE_QUANTIZER_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    float offset; /* lo */
    float scale;  /* step between adjacent byte values, > 0 */
} sj_byteq_params;

sj_status sj_byteq_quantize(const float* x, size_t n, uint8_t* out, sj_byteq_params* params);
sj_status sj_byteq_dequantize(const uint8_t* in, size_t n, const sj_byteq_params* params, float* out);

#ifdef __cplusplus
}
#endif
#endif
