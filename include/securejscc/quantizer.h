/* The N-level uniform quantiser into Z_p of DeepJSCEC (paper 001, Sec. IV-A).
 *
 * Centroids q_i = floor(i * p / N), i = 0..N-1 (N = 16, p = 4093 gives 0, 255, 511, ...).
 * Hard quantisation maps a real latent value, expressed in Z_p units, to the nearest
 * centroid (values below q_0 or above q_{N-1} go to the end centroids; no wrap).
 * The soft dequantiser takes noisy real values in [0, p) (after channel and decryption
 * noise, taken mod p) and returns the posterior mean of the centroid value, assuming a
 * uniform prior over centroids and Gaussian noise of the given variance measured with the
 * circular distance mod p, so that 4092.5 counts as close to q_0 = 0.
 *
 * Guard levels: the centroids are evenly spaced on the circle Z_p, so q_{N-1} and q_0 are
 * neighbours across the wrap, and noise of about one spacing (LWE decryption noise, a
 * 4096-QAM row error) turns the largest value into the smallest; the posterior mean between
 * them is mid-range. A quantiser with G guard levels never uses the top G centroids: hard
 * quantisation maps onto q_0..q_{N-1-G} only (values above q_{N-1-G} go to it) and the soft
 * dequantiser puts prior zero on the guard centroids, so the ends of the used range are
 * G + 1 spacings apart around the wrap. The encoder then scales its latent to
 * q_{N-1-G} = sj_quantizer_centroid(q, sj_quantizer_used_levels(q) - 1). Sender and
 * receiver must agree on G (the model file's guard_levels, docs/model-format.md). */
#ifndef SECUREJSCC_QUANTIZER_H
#define SECUREJSCC_QUANTIZER_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_quantizer sj_quantizer;

/* 2 <= levels <= modulus <= 65536; no guard levels (all N centroids in use). */
sj_status sj_quantizer_create(unsigned levels, unsigned modulus, sj_quantizer** out);
/* The same with the top `guard` centroids unused; guard <= levels - 2 (two levels at least
 * stay in use). */
sj_status sj_quantizer_create_guarded(unsigned levels, unsigned guard, unsigned modulus, sj_quantizer** out);
void sj_quantizer_destroy(sj_quantizer* q);
unsigned sj_quantizer_levels(const sj_quantizer* q);      /* N, guard levels included */
unsigned sj_quantizer_used_levels(const sj_quantizer* q); /* N - G */
unsigned sj_quantizer_modulus(const sj_quantizer* q);
uint16_t sj_quantizer_centroid(const sj_quantizer* q, unsigned i); /* i < levels (guards too) */

/* Nearest used centroid of each z[i]: its value in Z_p to values[i] and, if indices is not
 * NULL, its level to indices[i]. NaN is refused. */
sj_status sj_quantizer_hard(const sj_quantizer* q, const float* z, size_t n, uint16_t* values, uint8_t* indices);

/* Posterior mean E[q | y] over the used centroids for each y[i] in [0, p) (other values
 * are first reduced mod p), noise_var > 0 in Z_p units squared. Output in Z_p units (not
 * reduced mod p), within [q_0, q_{N-1-G}]. */
sj_status sj_quantizer_soft_dequant(const sj_quantizer* q, const float* y, size_t n, float noise_var, float* out);

#ifdef __cplusplus
}
#endif
#endif
