/* Discrete Gaussian sampler over Z: P(x) proportional to exp(-pi x^2 / s^2) (standard
 * deviation about s / sqrt(2 pi)), by inversion of a 64-bit cumulative table cut at
 * |x| <= ceil(13 * s / sqrt(2 pi)) + 1 (the mass beyond is below 2^-120), driven by an
 * sj_csprng. */
#ifndef SECUREJSCC_DGAUSS_H
#define SECUREJSCC_DGAUSS_H

#include <securejscc/csprng.h>
#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_dgauss sj_dgauss;

sj_status sj_dgauss_create(double s, sj_dgauss** out); /* 0.5 <= s <= 1000 */
void sj_dgauss_destroy(sj_dgauss* g);
void sj_dgauss_sample(const sj_dgauss* g, sj_csprng* rng, int32_t* out, size_t n);
/* Exact variance of the (untruncated) distribution, summed numerically. */
double sj_dgauss_variance(double s);

#ifdef __cplusplus
}
#endif
#endif
