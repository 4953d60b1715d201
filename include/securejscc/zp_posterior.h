/* Bob's posterior mean of the quantiser centroid, straight from the 4096-QAM symbol and his
 * offset: demodulation, decryption and dequantisation of the `lwe` scheme in one step (the
 * "joint" receiver of python/training/sjtrain/lwe_chain.py, joint_posterior_mean).
 *
 * Model. The sender puts c in Z_p (the ciphertext, uniform on [0, p)) on the 4096-QAM point
 * x_c of the modem's mapping (modem.h); the channel gives y = x_c + w, E|w|^2 = N0. Bob knows
 * an offset o with z' = c + o mod p (LWE: o = S^T d, sj_lwe_decrypt_offset; the keystream
 * variant: o = -keystream mod p), and z' = q_L + E mod p: a centroid q_l = floor(l p / N) of
 * the quantiser (quantizer.h), l < N - G with a uniform prior, plus the LWE decryption noise
 * E, Gaussian with standard deviation noise_std (0 for the keystream variant). So
 *   P(l | y, o) ~ sum_c exp(-|y - x_c|^2 / N0) P_E(c + o - q_l mod p)
 * and the output is E[q_L | y, o] = sum_l P(l | y, o) q_l, in Z_p units (not reduced mod p),
 * within [q_0, q_{N-1-G}].
 * - noise_std = 0 (exact): only c_l = (q_l - o) mod p is possible for level l, so
 *   P(l | y, o) ~ exp(-|y - x_{c_l}|^2 / N0).
 * - noise_std > 0 (binned): the indices are cut into bins of 64 consecutive ones, b = 0..63,
 *   [64 b, 64 b + 64), and the noise density is taken at the bin centre for the whole bin
 *   (E spreads over hundreds of indices, so it is nearly constant across 64; the Python
 *   bench bench/lwe_mapping_capacity.py measures <= 0.003 bits/symbol lost):
 *     P(l | y, o) ~ sum_b M_b T(64 b + 31.5 + o - q_l),
 *     M_b = sum_{c in bin b, c < p} exp(-|y - x_c|^2 / N0),
 *     T(x) = exp(-d^2 / (2 noise_std^2)), d the circular distance of x from 0 mod p.
 *   Each bin is a rectangle of the grid for both mappings (a row for "row", an aligned 8 x 8
 *   square for "hilbert"), so M_b is a product of a row sum and a column sum.
 * Results agree with the Python to float rounding wherever the Python's float arithmetic does
 * not underflow (far off the used points at very high SNR it returns 0; this object then
 * still returns the exact posterior mean, computed in the log domain).
 *
 * All scratch memory is allocated at create. One object must not be used by two threads at
 * once (the scratch is shared by its calls). */
#ifndef SECUREJSCC_ZP_POSTERIOR_H
#define SECUREJSCC_ZP_POSTERIOR_H

#include <securejscc/error.h>
#include <securejscc/modem.h>
#include <stddef.h>
#include <stdint.h>
#include <volk/volk_complex.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_zp_posterior sj_zp_posterior;

/* m: a 4096-QAM modem (mapping read from it; the object copies what it needs, m may be
 * destroyed after).
 * p: modulus, 2 <= p <= 4093 (c is uniform on [0, p); indices >= p have prior 0).
 * levels N with 2 <= N <= p, guard G with 0 <= G <= N - 2: centroids q_l = floor(l * p / N)
 * for l < N - G (uniform prior).
 * noise_std: finite, >= 0: std of the additive noise on Z_p between the ciphertext and z'
 * (LWE decryption noise, sj_lwe_noise_std); 0 = none (keystream).
 * max_symbols >= 1 bounds n of each call. */
sj_status sj_zp_posterior_create(const sj_modem* m, uint32_t p, unsigned levels, unsigned guard, double noise_std,
                                 size_t max_symbols, sj_zp_posterior** out);
void sj_zp_posterior_destroy(sj_zp_posterior* zp);

/* out[i] = E[q_L | y[i], offset[i]] (Z_p units, float), z' = c + offset mod p.
 * offset may be NULL (all zero: e.g. an eavesdropper who treats the ciphertext as plaintext).
 * noise_var = N0 = E|w|^2 > 0 (finite), n <= max_symbols, every offset < p, every y finite.
 * On an error out is left untouched. */
sj_status sj_zp_posterior_mean(sj_zp_posterior* zp, const lv_32fc_t* y, const uint16_t* offset, size_t n,
                               float noise_var, float* out);

/* As sj_zp_posterior_mean, and also sd[i] = the posterior's standard deviation of q_L,
 * sqrt(E[(q_L - out[i])^2 | y[i], offset[i]]) (Z_p units, float; sd may be NULL). The mean
 * alone loses much of what the posterior knows where it is split between distant levels (a
 * Hilbert symbol near a jump of the curve): at 10 dB through `medium` LWE noise it carries
 * about 1.02 bits a symbol of the level against the posterior's 1.41, and mean and spread
 * together about 1.34 (bench/lwe_posterior_summary.py), so the decoder of the "joint_spread"
 * models takes both. */
sj_status sj_zp_posterior_mean_std(sj_zp_posterior* zp, const lv_32fc_t* y, const uint16_t* offset, size_t n,
                                   float noise_var, float* out, float* sd);

#ifdef __cplusplus
}
#endif
#endif
