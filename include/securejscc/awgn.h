/* Simulated AWGN channel for tests, benchmarks, demos and training evaluation.
 * Not cryptographic: a seeded xoshiro256** generator with Box-Muller Gaussians. */
#ifndef SECUREJSCC_AWGN_H
#define SECUREJSCC_AWGN_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>
#include <volk/volk_complex.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_awgn sj_awgn;

sj_status sj_awgn_create(uint64_t seed, sj_awgn** out);
void sj_awgn_destroy(sj_awgn* a);
/* out = in + w, E|w|^2 = noise_var (noise_var / 2 per real dimension); in may equal out. */
void sj_awgn_apply(sj_awgn* a, const lv_32fc_t* in, lv_32fc_t* out, size_t n, float noise_var);
/* Standard normal samples. */
void sj_awgn_gaussian(sj_awgn* a, float* out, size_t n);
/* N0 for a given SNR in dB and average symbol energy Es: Es / 10^(snr/10). */
float sj_awgn_noise_var(float snr_db, float symbol_energy);

#ifdef __cplusplus
}
#endif
#endif
