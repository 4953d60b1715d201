/* Shared between softdemod.c (object, bit LLRs) and softdemod_qam4096.c (posterior mean
 * of the 4096-QAM index). Not installed. */
#ifndef SECUREJSCC_SOFTDEMOD_INTERNAL_H
#define SECUREJSCC_SOFTDEMOD_INTERNAL_H

#include "securejscc/softdemod.h"
#include "vexp_internal.h"

#include <math.h>

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
    sj_qam4096_mapping mapping; /* the modem's; the posterior means need SJ_QAM4096_ROW */
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

/* The separable posterior mean's constants for one noise level. */
typedef struct {
    double beta; /* step^2 / N0 */
    double g;    /* exp(-2 beta) */
    double thr;  /* 40 / beta */
} sj_soft4096_consts;

/* One axis's walks outwards from the nearest grid index c0 to coordinate u (grid units):
 * kr, kl terms to the right and left (to the grid's edge, or where the relative weight
 * exp(beta (2 k dd - k^2)), dd = u - c0, drops below exp(-40)), and the first ratios
 * r_right = w_{c0+1} / w_{c0}, r_left = w_{c0-1} / w_{c0} (0 for an empty walk); each next
 * ratio is the last one times g. Shared by the one-symbol walk (softdemod_qam4096.c) and
 * the 8-lane one (softdemod_axis8.c). */
typedef struct {
    int c0, kr, kl;
    double r_right, r_left;
} sj_soft4096_walk;

static inline sj_soft4096_walk sj_soft4096_walk_setup(double u, const sj_soft4096_consts* k)
{
    sj_soft4096_walk a = { 0, 0, 0, 0.0, 0.0 };
    if (u > 0.0)
        a.c0 = (u >= SJ_QAM4096_SIDE - 1) ? SJ_QAM4096_SIDE - 1 : (int)(u + 0.5);
    const double dd = u - a.c0, root = sqrt(dd * dd + k->thr);
    /* Only the integer parts of the lengths matter, and with |dd| <= 1e9 the rounding of
     * root -+ dd is far below 1, so no division is spent on a cancellation-free form. */
    const double kr_d = dd + root, kl_d = root - dd;
    a.kr = kr_d >= (double)(SJ_QAM4096_SIDE - 1 - a.c0) ? SJ_QAM4096_SIDE - 1 - a.c0 : (int)kr_d;
    a.kl = kl_d >= (double)a.c0 ? a.c0 : (int)kl_d;
    if (a.kr > 0)
        a.r_right = exp(k->beta * (2.0 * dd - 1.0)); /* >= exp(-40): kr > 0 */
    if (a.kl > 0) /* r_right * r_left = g; one exp serves both when both walks run */
        a.r_left = a.kr > 0 ? k->g / a.r_right : exp(-k->beta * (2.0 * dd + 1.0));
    return a;
}

/* An axis's sums from its two walks: right[0..4) and left[0..4) the sums of w and of
 * offset * w over the indices <= split (lo) and > split (hi); into s[0] = sum w,
 * s[1] = sum index * w over the indices <= split (the centre c0 included, weight 1),
 * s[2], s[3] over the rest. Index = c0 + offset to the right, c0 - offset to the left. */
static inline void sj_soft4096_axis_combine(int c0, int split, const double right[4],
                                            const double left[4], double s[4])
{
    const double c = c0, centre_lo = c0 <= split ? 1.0 : 0.0;
    s[0] = centre_lo + right[0] + left[0];
    s[1] = c * s[0] + right[1] - left[1];
    s[2] = (1.0 - centre_lo) + right[2] + left[2];
    s[3] = c * s[2] + right[3] - left[3];
}

/* The axis sums (sj_soft4096_axis_combine's s) for 8 coordinates u[0..8) in grid units
 * at once (softdemod_axis8.c): s[k][i] for coordinate i. */
void sj_soft4096_axis_sums8(const double* u, const sj_soft4096_consts* k, int split,
                            double s[4][8]);
int sj_soft4096_axis8_supported(void); /* 1 where sj_soft4096_axis_sums8 can run (AVX-512) */

/* 1 if every real and imaginary part of in[0..n) is finite. */
int sj_soft_all_finite(const lv_32fc_t* in, size_t n);

#endif
