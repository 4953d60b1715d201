/* Posterior mean of the 4096-QAM index (softdemod.h): separable, brute force, and the
 * paper's literal equation (15).
 *
 * Everything runs in grid units: u = (Re y - first) / step, v likewise, so column c sits at
 * u = c and row r at v = r, and |y - x_{64r+c}|^2 / N0 = beta ((u - c)^2 + (v - r)^2) with
 * beta = step^2 / N0. The modem's float constellation is exactly that grid (modem.c), and
 * u, v are formed in double (VOLK deinterleaves into doubles): a float u near 63 would be
 * off by up to 2e-6 steps, which at 40 dB SNR moves the mean by up to 1e-3 index units.
 *
 * Separable method. With column weights v_c = exp(-beta (u - c)^2) and row weights
 * w_r = exp(-beta (v - r)^2), the sums over the used points split into a row-0..62 part
 * (all 64 columns) and a row-63 part (columns 0..60):
 *   den = W' V + w_63 V',   num = 64 R' V + W' C + w_63 (64 * 63 V' + C')
 * W' = sum_{r<=62} w_r, R' = sum_{r<=62} r w_r, V = sum_c v_c, C = sum_c c v_c,
 * V' = sum_{c<=60} v_c, C' = sum_{c<=60} c v_c. All terms are positive: unlike
 * "all 4096 minus the 3 unused", there is no cancellation when the symbol lies near the
 * unused corner. Each axis's weights are taken relative to its nearest grid index c0
 * (d = u - c0) and built outwards by the multiplicative recurrence
 *   v_{c0+k+1} = v_{c0+k} r_k,  r_{k+1} = r_k g,  r_0 = exp(beta (2d - 1)),  g = exp(-2 beta)
 * (and mirrored to the left), in double precision: after 63 steps the relative error is
 * about 63^2 / 2 ulp, 1e-13, far below the 1e-3 index units promised. The walk stops where
 * the relative weight exp(beta (2kd - k^2)) drops below exp(-40), i.e. at
 * k = d + sqrt(d^2 + 40 / beta), known before the walk. Cost per symbol: one exp() per
 * axis (the left ratio is g over the right one) and at most 2 x 64 multiply-adds, run as
 * four interleaved chains, against 4093 exponentials for the brute force. Where the CPU
 * has AVX-512, softdemod_axis8.c runs the same walks for 8 symbols at once, one per
 * vector lane (1.4-1.6x the symbols per second, bench_core), and this file's walk serves
 * other CPUs.
 * If the nearest grid point is one of the 3 unused ones, the used mass relative to it can be
 * tiny; below 1e-3 the dropped exp(-40) terms would no longer be negligible, so that symbol
 * (only symbols in or beyond the unused corner, at high SNR) goes through the brute force. */
#include "softdemod_internal.h"

#include <math.h>
#include <stdlib.h>
#include <volk/volk.h>

#define SIDE SJ_QAM4096_SIDE
#define USED SJ_QAM4096_USED
#define REL_CUTOFF 40.0  /* terms below exp(-40) of the axis maximum are dropped */
#define CORNER_MIN 1e-3  /* below this used mass (relative) the corner symbol goes brute force */
#define BETA_F_MAX 1e30f /* float clamp of beta / of eq. 15's 1 / (pi N0) scale; see uses */
#define U_MAX 1e9        /* |u| clamp: farther than 1e9 steps behaves as 1e9 steps away */

sj_status sj_soft4096_init(sj_softdemod* d, const lv_32fc_t* c)
{
    const double first = lv_creal(c[0]);
    const double step = (lv_creal(c[SIDE - 1]) - first) / (SIDE - 1);
    if (!(step > 0.0))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_create: 4096-QAM constellation is not an increasing grid");
    /* The modem verified its grid; this checks that what was passed is that grid. */
    for (unsigned i = 0; i < SIDE * SIDE; i++) {
        const double eu = (lv_creal(c[i]) - first) / step - (double)(i % SIDE);
        const double ev = (lv_cimag(c[i]) - first) / step - (double)(i / SIDE);
        if (fabs(eu) > 1e-3 || fabs(ev) > 1e-3)
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_create: 4096-QAM point %u is off the grid", i);
    }
    d->first = first;
    d->step = step;
    d->axis8 = sj_soft4096_axis8_supported();
    const size_t al = volk_get_alignment();
    d->yi = volk_malloc(d->block * sizeof(double), al);
    d->yq = volk_malloc(d->block * sizeof(double), al);
    d->dist = volk_malloc(SIDE * SIDE * sizeof(float), al);
    d->ex = volk_malloc(SIDE * SIDE * sizeof(float), al);
    if (!d->yi || !d->yq || !d->dist || !d->ex)
        return sj_fail(SJ_ERR_NOMEM, "sj_softdemod_create: out of memory");
    return SJ_OK;
}


/* One direction of an axis walk. State: w, the weight of the last term taken, and r, the
 * ratio of the next term to it; each step is w *= r, r *= g. walk() adds the next n terms
 * (offsets k..k+n-1 from the nearest index) to s0 (sum of w) and s1 (sum of offset * w).
 * A chain of dependent multiplies costs its latency per term, so for n >= 8 four lanes
 * (two 2-wide GCC vectors, plain SSE2) run four interleaved chains, lane j holding terms
 * j, j+4, ...: w_{j+4} / w_j = r^4 g^(4j+10), and that ratio itself is multiplied by g^16
 * per step. Every factor is <= 1 (the walk starts at the largest weight), so nothing
 * overflows; what underflows is below exp(-40) anyway. */
typedef double v2d __attribute__((vector_size(16)));

static inline void walk(double* w_io, double* r_io, double g, int k, int n, double* s0, double* s1)
{
    double w = *w_io, r = *r_io, a0 = 0.0, a1 = 0.0;
    int j = 0;
    if (n >= 8) {
        const double g2 = g * g, g4 = g2 * g2, g8 = g4 * g4, g16 = g8 * g8;
        const double w0 = w * r, w1 = w0 * r * g, w2 = w1 * r * g2, w3 = w2 * r * g2 * g;
        const double rho = r * r * r * r * g8 * g2;
        /* lanes 0, 1 in wa, lanes 2, 3 in wb */
        v2d wa = { w0, w1 }, wb = { w2, w3 }, ra = { rho, rho * g4 }, rb = { rho * g8, rho * g8 * g4 };
        v2d ka = { k, k + 1 }, kb = { k + 2, k + 3 };
        const v2d gg = { g16, g16 }, four = { 4, 4 };
        v2d s0a = { 0, 0 }, s0b = { 0, 0 }, s1a = { 0, 0 }, s1b = { 0, 0 }, lastb = wb;
        double gn = 1.0; /* g^(4 * groups): the scalar ratio r advances by g per term */
        for (; j + 4 <= n; j += 4) {
            s0a += wa;
            s0b += wb;
            s1a += ka * wa;
            s1b += kb * wb;
            lastb = wb;
            wa *= ra;
            wb *= rb;
            ra *= gg;
            rb *= gg;
            ka += four;
            kb += four;
            gn *= g4;
        }
        a0 = (s0a[0] + s0a[1]) + (s0b[0] + s0b[1]);
        a1 = (s1a[0] + s1a[1]) + (s1b[0] + s1b[1]);
        /* Continue the scalar chain from the last term taken. */
        w = lastb[1];
        r *= gn;
    }
    for (; j < n; j++) {
        w *= r;
        r *= g;
        a0 += w;
        a1 += (double)(k + j) * w;
    }
    *w_io = w;
    *r_io = r;
    *s0 += a0;
    *s1 += a1;
}

/* Sums of one axis's weights (relative to the nearest index c0), split into indices
 * <= split (lo: s[0] = sum w, s[1] = sum index * w) and > split (hi: s[2], s[3]). */
static inline void axis_sums(double u, const sj_soft4096_consts* k, int split, double s[4])
{
    const sj_soft4096_walk a = sj_soft4096_walk_setup(u, k);
    /* lo/hi sums of w and of offset * w, per direction: {lo w, lo offset w, hi w, hi
     * offset w}. */
    double right[4] = { 0 }, left[4] = { 0 };
    if (a.kr > 0) {
        int n_lo = split - a.c0;
        n_lo = n_lo < 0 ? 0 : (n_lo > a.kr ? a.kr : n_lo);
        double w = 1.0, r = a.r_right;
        walk(&w, &r, k->g, 1, n_lo, &right[0], &right[1]);
        walk(&w, &r, k->g, 1 + n_lo, a.kr - n_lo, &right[2], &right[3]);
    }
    if (a.kl > 0) {
        int n_hi = a.c0 - split - 1;
        n_hi = n_hi < 0 ? 0 : (n_hi > a.kl ? a.kl : n_hi);
        double w = 1.0, r = a.r_left;
        walk(&w, &r, k->g, 1, n_hi, &left[2], &left[3]);
        walk(&w, &r, k->g, 1 + n_hi, a.kl - n_hi, &left[0], &left[1]);
    }
    sj_soft4096_axis_combine(a.c0, split, right, left, s);
}

/* Squared distances (grid units) from (u, v) to the 4093 used points, minus the smallest
 * of them, m0 (returned): the brute force and eq. (15) exponentiate -beta (d_j - m0) <= 0.
 * The squares and the subtraction of m0 are in double and only the small differences are
 * rounded to float: near the unused corner at very high SNR the result hinges on
 * differences of 1e-2 between distances of 10 or more, which a float distance would blur. */
static double fill_dist(sj_softdemod* d, double u, double v)
{
    double du2[SIDE], dv2[SIDE], mu = INFINITY, mu60 = INFINITY, mv62 = INFINITY;
    for (int k = 0; k < SIDE; k++) {
        du2[k] = (u - k) * (u - k);
        dv2[k] = (v - k) * (v - k);
        mu = du2[k] < mu ? du2[k] : mu;
        mu60 = (k <= SIDE - 4 && du2[k] < mu60) ? du2[k] : mu60;
        mv62 = (k <= SIDE - 2 && dv2[k] < mv62) ? dv2[k] : mv62;
    }
    /* nearest used point: rows 0..62 with any column, or row 63 with columns 0..60 */
    const double m0 = fmin(mv62 + mu, dv2[SIDE - 1] + mu60);
    for (int r = 0; r < SIDE; r++) {
        const double rowd = dv2[r] - m0;
        float* dr = d->dist + r * SIDE;
        const int nc = r == SIDE - 1 ? USED - (SIDE - 1) * SIDE : SIDE;
        for (int c = 0; c < nc; c++) { /* >= 0: a rounding below 0 times -beta = 1e30 is +inf */
            const double e = rowd + du2[c];
            dr[c] = e > 0.0 ? (float)e : 0.0f;
        }
    }
    return m0;
}

/* Index-weighted and plain sums of d->ex[0..USED) in double: a float sum of 4093 terms
 * could be off by more than 1e-3 index units. */
static double weighted_mean(const float* ex)
{
    double s0[4] = { 0 }, s1[4] = { 0 };
    unsigned j = 0;
    for (; j + 4 <= USED; j += 4)
        for (unsigned q = 0; q < 4; q++) {
            s0[q] += ex[j + q];
            s1[q] += (double)(j + q) * ex[j + q];
        }
    for (; j < USED; j++) {
        s0[0] += ex[j];
        s1[0] += (double)j * ex[j];
    }
    return (s1[0] + s1[1] + s1[2] + s1[3]) / (s0[0] + s0[1] + s0[2] + s0[3]);
}

/* Brute force for one symbol: all 4093 terms, each relative to the nearest used point
 * (scaled by -beta and exponentiated by VOLK), so nothing underflows at any noise level. */
static double brute_one(sj_softdemod* d, double u, double v, float beta_f)
{
    fill_dist(d, u, v);
    volk_32f_s32f_multiply_32f(d->dist, d->dist, -beta_f, USED);
    sj_vexp(d->exp_impl, d->ex, d->dist, USED);
    return weighted_mean(d->ex);
}

/* Paper eq. (15), literally, for reproducing the paper (NOT the posterior mean):
 *   c_hat = sum_j softmax_j(sigma_l * l_j) * j,   l_j = P(y | x_j) = exp(-|y - x_j|^2 / N0) / (pi N0)
 * the likelihood itself in the softmax, not its logarithm, over the 4093 used indices.
 * With l in [0, 1 / (pi N0)] the softmax is nearly flat unless sigma_l / (pi N0) is large,
 * so at low SNR, and at very high SNR off the grid points, the result drifts towards the
 * middle of Z_p; that is what the equation says. Computed as exp(A (e_j - e_max)) with
 * e_j = exp(-beta (d_j - m0)) and A = sigma_l exp(-beta m0) / (pi N0), clamped to 1e30
 * (beyond that only exact ties with the nearest point keep any weight either way). */
static double eq15_one(sj_softdemod* d, double u, double v, float beta_f, double a)
{
    uint32_t imax = 0;
    const double m0 = fill_dist(d, u, v);
    const double a_eff = a * exp(-(double)beta_f * m0);
    const float a_f = a_eff > BETA_F_MAX ? BETA_F_MAX : (float)a_eff;
    volk_32f_s32f_multiply_32f(d->dist, d->dist, -beta_f, USED);
    sj_vexp(d->exp_impl, d->ex, d->dist, USED); /* e_j = pi N0 l_j exp(beta m0), in [0, 1] */
    volk_32f_index_max_32u(&imax, d->ex, USED);
    /* A plain loop, not volk_32f_s32f_add_32f: VOLK 2.5 registers no generic version of
     * that kernel, so with VOLK_GENERIC set its dispatcher searches for one forever. */
    const float emax = d->ex[imax];
    for (unsigned j = 0; j < USED; j++)
        d->dist[j] = d->ex[j] - emax;
    volk_32f_s32f_multiply_32f(d->dist, d->dist, a_f, USED);
    sj_vexp(d->exp_impl, d->ex, d->dist, USED);
    return weighted_mean(d->ex);
}

static inline float clamp_index(double m)
{
    return (float)(m < 0.0 ? 0.0 : (m > USED - 1 ? USED - 1 : m));
}

/* The separable posterior mean from the column sums cs and row sums rs (axis_sums) of the
 * symbol at (u, v): rows 0..62 with every column, row 63 with columns 0..60. A symbol whose
 * used mass near the unused corner is below CORNER_MIN goes brute force. */
static float separable_mean(sj_softdemod* d, const double cs[4], const double rs[4], double u,
                            double v, float beta_f)
{
    const double V = cs[0] + cs[2], C = cs[1] + cs[3];
    const double den = rs[0] * V + rs[2] * cs[0];
    if (den < CORNER_MIN)
        return clamp_index(brute_one(d, u, v, beta_f));
    const double num = SIDE * rs[1] * V + rs[0] * C + rs[2] * (SIDE * (SIDE - 1) * cs[0] + cs[1]);
    return clamp_index(num / den);
}

/* The separable posterior mean of B symbols (u, v in d->yi, d->yq), 8 at a time through
 * sj_soft4096_axis_sums8 (the last group padded with copies of the last symbol). */
static void separable_block8(sj_softdemod* d, const sj_soft4096_consts* k, float beta_f,
                             size_t B, float* out)
{
    for (size_t i0 = 0; i0 < B; i0 += 8) {
        double u[8], v[8], cs[4][8], rs[4][8];
        for (size_t j = 0; j < 8; j++) {
            size_t i = i0 + j < B ? i0 + j : B - 1;
            u[j] = d->yi[i], v[j] = d->yq[i];
        }
        sj_soft4096_axis_sums8(u, k, SIDE - 4, cs); /* columns 0..60 | 61..63 */
        sj_soft4096_axis_sums8(v, k, SIDE - 2, rs); /* rows 0..62 | 63 */
        for (size_t j = 0; j < 8 && i0 + j < B; j++) {
            const double c[4] = { cs[0][j], cs[1][j], cs[2][j], cs[3][j] };
            const double r[4] = { rs[0][j], rs[1][j], rs[2][j], rs[3][j] };
            out[i0 + j] = separable_mean(d, c, r, u[j], v[j], beta_f);
        }
    }
}

sj_status sj_soft4096_run(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var,
                          sj_soft4096_method method, float* out)
{
    sj_soft4096_consts k;
    k.beta = d->step * d->step / (double)noise_var;
    k.g = exp(-2.0 * k.beta);
    k.thr = REL_CUTOFF / k.beta;
    /* Float copies for the VOLK paths: beta beyond 1e30 (N0 below ~1e-33) changes no weight
     * that is not already 0 or 1. */
    const float beta_f = k.beta > BETA_F_MAX ? BETA_F_MAX : (float)k.beta;
    const double a = (double)d->sigma_l / (3.14159265358979323846 * (double)noise_var);
    const double inv_step = 1.0 / d->step, first = d->first;

    for (size_t base = 0; base < n; base += d->block) {
        const size_t B = (n - base < d->block) ? n - base : d->block;
        volk_32fc_deinterleave_64f_x2(d->yi, d->yq, in + base, (unsigned)B);
        for (size_t i = 0; i < B; i++) { /* grid units, clamped */
            double u = (d->yi[i] - first) * inv_step, v = (d->yq[i] - first) * inv_step;
            d->yi[i] = u > U_MAX ? U_MAX : (u < -U_MAX ? -U_MAX : u);
            d->yq[i] = v > U_MAX ? U_MAX : (v < -U_MAX ? -U_MAX : v);
        }
        if (method == SJ_SOFT4096_SEPARABLE && d->axis8) {
            separable_block8(d, &k, beta_f, B, out + base);
            continue;
        }
        for (size_t i = 0; i < B; i++) {
            const double u = d->yi[i], v = d->yq[i];
            float res;
            if (method == SJ_SOFT4096_SEPARABLE) {
                double cs[4], rs[4];
                axis_sums(u, &k, SIDE - 4, cs); /* columns: 0..60 | 61..63 */
                axis_sums(v, &k, SIDE - 2, rs); /* rows: 0..62 | 63 */
                res = separable_mean(d, cs, rs, u, v, beta_f);
            } else if (method == SJ_SOFT4096_BRUTE) {
                res = clamp_index(brute_one(d, u, v, beta_f));
            } else {
                res = clamp_index(eq15_one(d, u, v, beta_f, a));
            }
            out[base + i] = res;
        }
    }
    return SJ_OK;
}
