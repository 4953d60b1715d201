/* The N-level uniform quantiser into Z_p of DeepJSCEC (paper 001, Sec. IV-A).
 *
 * Centroids q_i = floor(i * p / N), i = 0..N-1 (N = 16, p = 4093 gives 0, 255, 511, ...).
 * Hard quantisation maps a real latent value, expressed in Z_p units, to the nearest
 * centroid (values below q_0 or above q_{N-1} go to the end centroids; no wrap).
 * The soft dequantiser takes noisy real values in [0, p) (after channel and decryption
 * noise, taken mod p) and returns the posterior mean of the centroid value, assuming a
 * uniform prior over centroids and Gaussian noise of the given variance measured with the
 * circular distance mod p, so that 4092.5 counts as close to q_0 = 0. */
#ifndef SECUREJSCC_QUANTIZER_H
#define SECUREJSCC_QUANTIZER_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_quantizer sj_quantizer;

/* 2 <= levels <= modulus <= 65536. */
sj_status sj_quantizer_create(unsigned levels, unsigned modulus, sj_quantizer** out);
void sj_quantizer_destroy(sj_quantizer* q);
unsigned sj_quantizer_levels(const sj_quantizer* q);
unsigned sj_quantizer_modulus(const sj_quantizer* q);
uint16_t sj_quantizer_centroid(const sj_quantizer* q, unsigned i); /* i < levels */

/* Nearest centroid of each z[i]: its value in Z_p to values[i] and, if indices is not
 * NULL, its level to indices[i]. NaN is refused. */
sj_status sj_quantizer_hard(const sj_quantizer* q, const float* z, size_t n, uint16_t* values, uint8_t* indices);

/* Posterior mean E[q | y] for each y[i] in [0, p) (other values are first reduced mod p),
 * noise_var > 0 in Z_p units squared. Output in Z_p units (not reduced mod p). */
sj_status sj_quantizer_soft_dequant(const sj_quantizer* q, const float* y, size_t n, float noise_var, float* out);

#ifdef __cplusplus
}
#endif
#endif
