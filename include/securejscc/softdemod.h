/* Soft demodulation with VOLK kernels.
 *
 * Noise model: y = x + w, w complex Gaussian with E|w|^2 = noise_var (N0), i.e. noise_var / 2
 * per real dimension.
 * - Bit LLRs for BPSK / QPSK / 16QAM: LLR_j = log(sum_{x: bit j = 0} exp(-|y - x|^2 / N0))
 *   - log(sum_{x: bit j = 1} ...), positive meaning bit 0; exact (log-sum-exp), bits in
 *   the order of modem.h.
 * - 4096-QAM: the posterior mean of the index m in Z_p given y, with a uniform prior over
 *   the 4093 used points: E[m | y] = sum_m m exp(-|y - x_m|^2 / N0) / sum_m exp(...).
 *   SJ_SOFT4096_SEPARABLE computes it from the 64 row and 64 column weights (the grid
 *   is separable; the 3 unused corner points are subtracted) and drops the terms below
 *   exp(-40) of the largest; it equals SJ_SOFT4096_BRUTE (all 4093 terms) within 1e-3.
 *   SJ_SOFT4096_PAPER_EQ15 is the paper's literal equation (15): a softmax of
 *   sigma_l * P(y | x_m) (the likelihood itself, not its log) over the 4093 indices,
 *   sigma_l set by sj_softdemod_set_temperature (default 5).
 *   All three number the points row-major (index = 64 * row + column, SJ_QAM4096_ROW): for
 *   a modem with another mapping (SJ_QAM4096_HILBERT) sj_softdemod_posterior_mean returns
 *   SJ_ERR_UNSUPPORTED; sj_zp_posterior (zp_posterior.h) is the receiver for those. */
#ifndef SECUREJSCC_SOFTDEMOD_H
#define SECUREJSCC_SOFTDEMOD_H

#include <securejscc/error.h>
#include <securejscc/modem.h>
#include <stddef.h>
#include <stdint.h>
#include <volk/volk_complex.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SJ_SOFT4096_SEPARABLE = 0,
    SJ_SOFT4096_BRUTE = 1,
    SJ_SOFT4096_PAPER_EQ15 = 2
} sj_soft4096_method;

typedef struct sj_softdemod sj_softdemod;

/* Takes the constellation from the modem; the modem may be destroyed afterwards.
 * max_symbols bounds n in each call (scratch is allocated here, never in the calls). */
sj_status sj_softdemod_create(const sj_modem* m, size_t max_symbols, sj_softdemod** out);
void sj_softdemod_destroy(sj_softdemod* d);
sj_status sj_softdemod_set_temperature(sj_softdemod* d, float sigma_l);

/* n * bps LLRs (BPSK / QPSK / 16QAM only). noise_var > 0. */
sj_status sj_softdemod_llr(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var, float* llr);

/* n posterior means in [0, p - 1] (4096-QAM, row-major mapping only). noise_var > 0. */
sj_status sj_softdemod_posterior_mean(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var,
                                      sj_soft4096_method method, float* out);

#ifdef __cplusplus
}
#endif
#endif
