/* Test hooks of zp_posterior.c (not installed). */
#ifndef SECUREJSCC_ZP_POSTERIOR_INTERNAL_H
#define SECUREJSCC_ZP_POSTERIOR_INTERNAL_H

#include "securejscc/zp_posterior.h"

/* Switches the AVX-512 dot products of the binned sum off (0) or back on (1, where the CPU
 * has AVX-512F); returns whether they are now on. Tests run both paths on the same data. */
int sj_zp_posterior_use_avx512(sj_zp_posterior* zp, int on);

#endif
