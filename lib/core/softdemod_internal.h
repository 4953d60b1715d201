/* Shared between softdemod.c (object, bit LLRs) and softdemod_qam4096.c (posterior mean
 * of the 4096-QAM index). Not installed. */
#ifndef SECUREJSCC_SOFTDEMOD_INTERNAL_H
#define SECUREJSCC_SOFTDEMOD_INTERNAL_H

#include "securejscc/softdemod.h"
#include "vexp_internal.h"

/* Symbols per internal block: the VOLK kernels run over a block at a time, so scratch
 * memory stays small (a few tens of KiB) whatever max_symbols is. */
#define SJ_SOFT_BLOCK 256

struct sj_softdemod {
    sj_modulation type;
    unsigned bps, order, used;
    size_t max_symbols;
    size_t block; /* min(max_symbols, SJ_SOFT_BLOCK) */
    float sigma_l;
    const char* exp_impl; /* sj_vexp's choice (vexp_internal.h) */

    /* BPSK / QPSK / 16QAM */
    lv_32fc_t* pts;        /* order points (volk_malloc) */
    unsigned char* member; /* [bit][group 0/1][order/2]: points whose bit is 0 / 1 */
    float* metric;         /* order * block: -|y - x_j|^2 / N0, point-major */
    float* tmp;            /* (order / 2) * block */
    float* mx;             /* block: group maximum */
    float* lse0;           /* block: log-sum-exp of the bit-0 group */
    float* lse1;           /* block: log-sum-exp of the bit-1 group */
    float* sum;            /* block */

    /* 4096-QAM, in grid units: column c at u = c, row r at v = r */
    double first; /* coordinate of column / row 0 */
    double step;  /* grid spacing */
    double* yi;      /* block: real parts, then u */
    double* yq;      /* block: imaginary parts, then v */
    float* dist;     /* 4096 (brute force / eq. 15) */
    float* ex;       /* 4096 */
    int axis8;       /* separable sums 8 symbols at a time (AVX-512); 0: one at a time */
};

/* Sets up the 4096-QAM part from the modem's constellation (verifies the grid). */
sj_status sj_soft4096_init(sj_softdemod* d, const lv_32fc_t* constellation);

/* The posterior mean / eq. (15); arguments already checked by the caller. */
sj_status sj_soft4096_run(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var,
                          sj_soft4096_method method, float* out);

/* The axis sums of the separable posterior mean (softdemod_qam4096.c, axis_sums) for 8
 * coordinates u[0..8) in grid units at once (softdemod_axis8.c): s[0][i], s[1][i] the sum
 * of the weights and of index * weight over indices <= split, s[2][i], s[3][i] over the
 * rest; beta = step^2 / N0, g = exp(-2 beta), thr = 40 / beta. */
void sj_soft4096_axis_sums8(const double* u, double beta, double g, double thr, int split,
                            double s[4][8]);
int sj_soft4096_axis8_supported(void); /* 1 where sj_soft4096_axis_sums8 can run (AVX-512) */

/* 1 if every real and imaginary part of in[0..n) is finite. */
int sj_soft_all_finite(const lv_32fc_t* in, size_t n);

#endif
