/* Image quality metrics on 8-bit images (data range 255), HWC layout, any channel count.
 *
 * sj_psnr:   10 log10(255^2 / MSE) over all samples; +INFINITY for identical images.
 * sj_ssim:   Wang et al. 2004 with an 11x11 Gaussian window (sigma 1.5, truncated at 3.5
 *            sigma), K1 = 0.01, K2 = 0.03, population covariances; the mean of the SSIM
 *            map over the pixels whose window lies inside the image, averaged over
 *            channels. Equal to scikit-image's structural_similarity(a, b,
 *            gaussian_weights=True, sigma=1.5, use_sample_covariance=False,
 *            data_range=255, channel_axis=-1). Both sides must be at least 11.
 * sj_msssim: Wang et al. 2003, 5 scales, weights (0.0448, 0.2856, 0.3001, 0.2363,
 *            0.1333), 2x2 average pooling between scales (an odd last row or column
 *            is dropped), contrast-structure terms
 *            clamped at 0; each side must be at least 11 * 2^4 = 176.
 * Results are written to *out; errors for mismatched sizes or too-small images. */
#ifndef SECUREJSCC_METRICS_H
#define SECUREJSCC_METRICS_H

#include <securejscc/error.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

sj_status sj_psnr(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out);
sj_status sj_ssim(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out);
sj_status sj_msssim(const uint8_t* a, const uint8_t* b, int width, int height, int channels, double* out);

#ifdef __cplusplus
}
#endif
#endif
