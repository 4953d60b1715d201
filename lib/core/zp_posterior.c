/* Bob's joint posterior mean of the quantiser centroid (zp_posterior.h).
 *
 * Everything runs in grid units, as the soft demodulator does (softdemod_qam4096.c):
 * u = (Re y - first) / step and v likewise, in double, so the point of index c sits at
 * (col_c, row_c) and |y - x_c|^2 / N0 = beta ((u - col_c)^2 + (v - row_c)^2), beta =
 * step^2 / N0.
 *
 * Exact (noise_std = 0): the N - G candidate indices c_l = (q_l - o) mod p, each with its
 * log-likelihood -beta (...), exponentiated relative to the largest: exact in the log domain,
 * so no symbol, however far off the grid, underflows to 0 / 0.
 *
 * Binned (noise_std > 0), per symbol:
 * 1. Axis weights v_c = exp(-beta (u - c)^2), w_r likewise, relative to the nearest grid
 *    coordinate (weight 1), by the multiplicative recurrence of the separable soft
 *    demodulator (sj_soft4096_walk_setup): one exp per axis instead of 64, double precision
 *    (relative error about 63^2 / 2 ulp). Each walk's length is where its weights drop
 *    below exp(-40) (or the grid's edge); the four walks (left and right, both axes) run
 *    together, each a chain of dependent multiplies, so their latencies overlap (details at
 *    axis_weights); what no walk reaches stays 0.
 * 2. Bin masses. At create every bin's used indices (those < p) are cut into aligned runs of
 *    4^j consecutive indices, j = 3, 2, 1, 0; for both mappings such a run is a rectangle of
 *    the grid (a row or part of one; an aligned square), checked at create. A bin is one run
 *    of 64; only the bin holding p, if p is not a multiple of 64, has more (at most 9), and
 *    bins at or beyond p have none: so the indices >= p are never added, and nothing is
 *    subtracted (no cancellation when y lies next to the unused points). A rectangle's mass
 *    is (sum of its rows' w)(sum of its columns' v). Every such range of rows or columns is
 *    an aligned block of 2^k coordinates (checked at create), so per symbol each axis gets
 *    the sums of all aligned blocks of 2, 4, .., 64 (a binary tree, 63 additions) and a
 *    range's sum is one lookup.
 * 3. The masses are scaled by the largest, and those below SKIP_REL (1e-12) of it set to 0,
 *    so only the bins from the first to the last significant one take part (at high SNR a
 *    few; at 10 dB nearly all). 1e-12 rather than 1e-9: the posterior sum may be as small
 *    as POST_MIN before the fallback takes over, and the skipped part must stay negligible
 *    against it (the bound below); the cost is a fraction of a grid step more per side.
 * 4. P(l) = sum_b M_b T(64 b + 31.5 + o - q_l). With s_l = (o - q_l) mod p this is
 *    sum_b M_b G2[64 b + s_l], G2[k] = T(k + 31.5) for k in [0, 2p) (doubled, so no modulo
 *    per term: 64 b < p). The table is stored transposed by 64, table[k mod 64][k / 64], so
 *    the terms of one level over consecutive bins are consecutive in memory: each P(l) is a
 *    dot product of the mass vector with a contiguous slice of one table row: two levels at
 *    a time, in four independent 2-lane accumulators (GCC vector extensions, SSE2 at the
 *    default target; without -ffast-math gcc would not reorder a floating-point sum into
 *    vector lanes itself); where the CPU has AVX-512F, 8-lane FMAs instead,
 *    dot8x2_avx512). The table, 64 x (p / 64 + nbins + DOT_PAD) doubles (70 KB for
 *    p = 4093), serves any number of levels.
 * Fallbacks, per symbol, for what the fast path cannot resolve (never in normal reception):
 * - the largest bin mass is below MASS_MIN (1e-3) of the nearest grid point's weight (y sits
 *   on or beyond unused points, e.g. p = 2003 leaves half the grid unused, at high SNR): the
 *   dropped exp(-40) weights would no longer be negligible, or everything underflows. The
 *   masses are then computed in the log domain (the same tree of block sums, of log-sum-exps),
 *   exact for any y.
 * - the posterior sum over levels is below POST_MIN (1e-3), the masses scaled to a largest
 *   of 1 and T <= 1 (only with a small noise_std, where T is tiny at every significant bin,
 *   or a symbol wildly inconsistent with every level; with noise_std = 251, N = 16, G = 2
 *   the top bin alone gives at least T(384) = 0.31, 384 being half the guard gap): skipped bins could then matter, or all terms underflow. P(l) is
 *   then computed in the log domain over all bins.
 * Accuracy of the fast path against the exact binned formula: the skipped bins add at most
 * 64 * 1e-12 to each P(l) against a total of at least 1e-3, so the mean moves by at most
 * 64e-9 * (N - G) * p (about 4e-3 for p = 4093, N - G = 14, in the worst case; typically far
 * less); the rest is double rounding. */
#include "securejscc/zp_posterior.h"

#include "softdemod_internal.h" /* sj_soft4096_walk_setup, sj_soft_all_finite */
#include "zp_posterior_internal.h"

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>
#define SJ_ZP_HAVE_AVX512 1
#endif
static int cpu_has_avx512(void);

#include <math.h>
#include <stdlib.h>
#include <string.h>

#define SIDE SJ_QAM4096_SIDE
#define NPTS (SJ_QAM4096_SIDE * SJ_QAM4096_SIDE)
#define BIN 64                /* indices per bin */
#define NBINS_MAX (NPTS / BIN) /* 64 */
#define PART_MAX 16           /* runs of the partial bin: at most 3 + 3 + 3 */
#define DOT_PAD 8             /* the dot products run in steps of 8 bins (4 without AVX-512) */
#define REL_CUTOFF 40.0       /* axis weights below exp(-40) of the largest are dropped */
#define MASS_MIN 1e-3         /* largest bin mass below this: log-domain masses */
#define SKIP_REL 1e-12        /* bins below this of the largest mass are skipped */
#define POST_MIN 1e-3         /* sum of P(l) below this (masses scaled to 1): log domain */
#define TABLE_FLUSH 1e-200    /* table entries below this are 0 (no denormal products) */
#define INV_2VAR_MAX 1e290    /* 1 / (2 noise_std^2) clamp: d^2 <= p^2 / 4 keeps it finite */
#define U_MAX 1e9             /* |u| clamp, as in the soft demodulator */

/* One axis's buffer (doubles): the 64 weights at AX_W, 64 of padding on each side for the
 * walks to run past the grid's edges, then the sums of the aligned blocks of 2, 4, .., 64
 * coordinates. The sum of the block of 2^k coordinates from start is at
 * ax_level[k] + start / 2^k (k = 0: the weight itself). */
#define AX_W 64
#define AX_LEN 256
static const unsigned ax_level[7] = { AX_W, 192, 224, 240, 248, 252, 254 };

typedef double v2d __attribute__((vector_size(16)));

struct sj_zp_posterior {
    uint32_t p;
    unsigned used; /* N - G levels in use */
    double noise_std;
    double inv_2var; /* 1 / (2 noise_std^2), clamped; 0 if exact */
    size_t max_symbols;
    double first, step; /* grid geometry of the modem */
    uint8_t col[NPTS], row[NPTS];
    uint16_t* qi; /* used: the centroids */
    double* ll;   /* used: scratch, log-likelihoods / posteriors of the levels */

    /* binned: bins 0..nfull-1 are whole rectangles, bin nfull (if nbins > nfull) the
     * partial one, npart rectangles; a rectangle is its row and column block sums' places
     * in the axis buffers */
    unsigned nbins, nfull, npart;
    uint8_t full_r[NBINS_MAX], full_c[NBINS_MAX], part_r[PART_MAX], part_c[PART_MAX];
    size_t tstride; /* columns of the transposed table */
    int avx512;     /* dot products in 8-lane AVX-512 FMAs (sj_zp_posterior_use_avx512) */
    double* table;  /* 64 x tstride: table[(k % 64) * tstride + k / 64] = G2[k] */

    /* per-symbol scratch */
    double axc[AX_LEN], axr[AX_LEN]; /* columns (u), rows (v); logs in the log-domain fallback */
    double mass[NBINS_MAX + DOT_PAD]; /* entries from nbins on stay 0 */
    double lmass[NBINS_MAX];
};

/* Place in an axis buffer of the sum of coordinates lo..hi, which must be an aligned block
 * of 2^k; UINT8_MAX if it is not. */
static uint8_t block_place(unsigned lo, unsigned hi)
{
    const unsigned len = hi - lo + 1;
    for (unsigned k = 0; k < 7; k++)
        if (len == 1u << k)
            return lo % len == 0 ? (uint8_t)(ax_level[k] + lo / len) : UINT8_MAX;
    return UINT8_MAX;
}

/* The rectangles of every bin's used indices (see the top comment). */
static sj_status build_bins(sj_zp_posterior* zp)
{
    zp->nfull = zp->p / BIN;
    zp->npart = 0;
    for (unsigned b = 0; b < zp->nbins; b++) {
        const unsigned end = (BIN * (b + 1) < zp->p) ? BIN * (b + 1) : zp->p;
        for (unsigned pos = BIN * b; pos < end;) {
            unsigned size = BIN;
            while (size > 1 && (pos % size != 0 || pos + size > end))
                size /= 4;
            unsigned r0 = SIDE, r1 = 0, c0 = SIDE, c1 = 0;
            for (unsigned i = pos; i < pos + size; i++) {
                r0 = zp->row[i] < r0 ? zp->row[i] : r0;
                r1 = zp->row[i] > r1 ? zp->row[i] : r1;
                c0 = zp->col[i] < c0 ? zp->col[i] : c0;
                c1 = zp->col[i] > c1 ? zp->col[i] : c1;
            }
            /* size distinct points (the mapping is a bijection) in a box of size cells fill
             * it; its sides must be aligned blocks for the block sums */
            const uint8_t pr = block_place(r0, r1), pc = block_place(c0, c1);
            if ((r1 - r0 + 1) * (c1 - c0 + 1) != size || pr == UINT8_MAX || pc == UINT8_MAX ||
                (b == zp->nfull && zp->npart == PART_MAX))
                return sj_fail(SJ_ERR_UNSUPPORTED,
                               "sj_zp_posterior_create: the indices %u..%u of the 4096-QAM mapping are not an aligned "
                               "grid rectangle",
                               pos, pos + size - 1);
            if (b < zp->nfull) { /* one run of 64 */
                zp->full_r[b] = pr;
                zp->full_c[b] = pc;
            } else {
                zp->part_r[zp->npart] = pr;
                zp->part_c[zp->npart++] = pc;
            }
            pos += size;
        }
    }
    return SJ_OK;
}

/* T at the integer k + 31.5 (k >= 0), the bin centre offset of the Python. */
static double noise_log_density(const sj_zp_posterior* zp, unsigned k)
{
    const double p = zp->p;
    double x = fmod((double)k + 31.5, p);
    const double d = x < p - x ? x : p - x;
    return -d * d * zp->inv_2var;
}

static sj_status build_table(sj_zp_posterior* zp)
{
    /* The largest k read is 64 (b + DOT_PAD - 1) + s (s < p, b < nbins, a dot product
     * rounded up to DOT_PAD bins), in column s / 64 + b + DOT_PAD - 1 < tstride; entries
     * for k >= 2p are 0 and meet masses of 0. */
    zp->tstride = (size_t)((zp->p - 1) / BIN) + zp->nbins + DOT_PAD;
    zp->table = malloc(BIN * zp->tstride * sizeof *zp->table);
    if (!zp->table)
        return sj_fail(SJ_ERR_NOMEM, "sj_zp_posterior_create: out of memory");
    for (size_t j = 0; j < zp->tstride; j++)
        for (unsigned r = 0; r < BIN; r++) {
            const size_t k = BIN * j + r;
            double t = 0.0;
            if (k < 2 * (size_t)zp->p) {
                t = exp(noise_log_density(zp, (unsigned)k));
                t = t >= TABLE_FLUSH ? t : 0.0;
            }
            zp->table[r * zp->tstride + j] = t;
        }
    return SJ_OK;
}

sj_status sj_zp_posterior_create(const sj_modem* m, uint32_t p, unsigned levels, unsigned guard, double noise_std,
                                 size_t max_symbols, sj_zp_posterior** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: out is NULL");
    *out = NULL;
    if (!m)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: modem is NULL");
    if (sj_modem_type(m) != SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: needs a 4096qam modem, this one is %s",
                       sj_modulation_name(sj_modem_type(m)));
    if (p < 2 || p > SJ_QAM4096_USED)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: modulus p = %u is not in [2, %u]", (unsigned)p,
                       SJ_QAM4096_USED);
    if (levels < 2 || levels > p)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: levels = %u is not in [2, p = %u]", levels,
                       (unsigned)p);
    if (guard > levels - 2)
        return sj_fail(SJ_ERR_INVALID_ARG,
                       "sj_zp_posterior_create: guard = %u leaves fewer than 2 of the %u levels in use", guard, levels);
    if (!(noise_std >= 0.0) || isinf(noise_std))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: noise_std must be finite and >= 0, got %g",
                       noise_std);
    if (max_symbols == 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_create: max_symbols must be at least 1");

    sj_zp_posterior* zp = calloc(1, sizeof *zp);
    lv_32fc_t* pts = malloc(NPTS * sizeof *pts);
    if (!zp || !pts) {
        free(zp);
        free(pts);
        return sj_fail(SJ_ERR_NOMEM, "sj_zp_posterior_create: out of memory");
    }
    zp->avx512 = cpu_has_avx512();
    zp->p = p;
    zp->used = levels - guard;
    zp->noise_std = noise_std;
    zp->max_symbols = max_symbols;
    zp->nbins = (p + BIN - 1) / BIN;
    sj_status st = SJ_OK;

    /* The modem's grid: positions, and first / step from the constellation, checked to be
     * the grid first + k * step on both axes (the modem builds it so; this checks that it is
     * that grid which is used here). */
    sj_modem_constellation(m, pts);
    double lo = INFINITY, hi = -INFINITY;
    for (unsigned i = 0; i < NPTS && st == SJ_OK; i++) {
        unsigned r = 0, c = 0;
        st = sj_modem_qam4096_position(m, i, &r, &c);
        zp->row[i] = (uint8_t)r;
        zp->col[i] = (uint8_t)c;
        lo = fmin(lo, lv_creal(pts[i]));
        hi = fmax(hi, lv_creal(pts[i]));
    }
    zp->first = lo;
    zp->step = (hi - lo) / (SIDE - 1);
    for (unsigned i = 0; i < NPTS && st == SJ_OK; i++) {
        const double eu = (lv_creal(pts[i]) - zp->first) / zp->step - zp->col[i];
        const double ev = (lv_cimag(pts[i]) - zp->first) / zp->step - zp->row[i];
        if (!(zp->step > 0.0) || !(fabs(eu) <= 1e-3 && fabs(ev) <= 1e-3))
            st = sj_fail(SJ_ERR_UNSUPPORTED, "sj_zp_posterior_create: 4096-QAM point %u is off the grid", i);
    }
    free(pts);

    if (st == SJ_OK) {
        zp->qi = malloc(zp->used * sizeof *zp->qi);
        zp->ll = malloc(zp->used * sizeof *zp->ll);
        if (!zp->qi || !zp->ll)
            st = sj_fail(SJ_ERR_NOMEM, "sj_zp_posterior_create: out of memory");
        else
            for (unsigned l = 0; l < zp->used; l++)
                zp->qi[l] = (uint16_t)(((uint64_t)l * p) / levels);
    }
    if (st == SJ_OK && noise_std > 0.0) {
        const double iv = 0.5 / noise_std / noise_std;
        zp->inv_2var = iv < INV_2VAR_MAX ? iv : INV_2VAR_MAX;
        st = build_bins(zp);
        if (st == SJ_OK)
            st = build_table(zp);
    }
    if (st != SJ_OK) {
        sj_zp_posterior_destroy(zp);
        return st;
    }
    *out = zp;
    return SJ_OK;
}

void sj_zp_posterior_destroy(sj_zp_posterior* zp)
{
    if (!zp)
        return;
    free(zp->qi);
    free(zp->ll);
    free(zp->table);
    free(zp);
}

/* (a - b) mod p for a, b < p. */
static inline unsigned sub_mod(unsigned a, unsigned b, unsigned p)
{
    const int d = (int)a - (int)b;
    return (unsigned)(d < 0 ? d + (int)p : d);
}

/* Mean and standard deviation of q_L from the unnormalised sums s0 = sum_l P(l),
 * s1 = sum_l P(l) q_l, s2 = sum_l P(l) q_l^2 (s0 > 0). The variance s2/s0 - mean^2 loses
 * at most about 1e-16 q^2 ~ 1e-9 to cancellation (q < 4093), far under float's resolution
 * of the result; it is clamped at 0. */
static float mean_std(double s0, double s1, double s2, float* sd)
{
    const double m = s1 / s0, var = s2 / s0 - m * m;
    *sd = (float)sqrt(var > 0.0 ? var : 0.0);
    return (float)m;
}

/* Mean (and std in *sd) of q_L from log P(l) (any finite values) in ll. */
static float mean_from_logs(const sj_zp_posterior* zp, double* ll, float* sd)
{
    double mx = -INFINITY;
    for (unsigned l = 0; l < zp->used; l++)
        mx = ll[l] > mx ? ll[l] : mx;
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    for (unsigned l = 0; l < zp->used; l++) {
        const double e = exp(ll[l] - mx); /* the largest gives 1: s0 >= 1 */
        const double eq = e * zp->qi[l];
        s0 += e;
        s1 += eq;
        s2 += eq * zp->qi[l];
    }
    return mean_std(s0, s1, s2, sd);
}

/* Exact: the candidate index of each level. */
static float exact_one(sj_zp_posterior* zp, double u, double v, unsigned o, double beta, float* sd)
{
    for (unsigned l = 0; l < zp->used; l++) {
        const unsigned c = sub_mod(zp->qi[l], o, zp->p);
        const double a = u - zp->col[c], b = v - zp->row[c];
        zp->ll[l] = -beta * (a * a + b * b);
    }
    return mean_from_logs(zp, zp->ll, sd);
}

/* One step of an axis's two walks from its nearest coordinate c0, right in lane 0 and left
 * in lane 1: x *= q, q *= g, the new weights to c0 + j and c0 - j. */
static inline void walk_step(v2d* x, v2d* q, v2d g, double* c0, int j)
{
    *x *= *q;
    *q *= g;
    c0[j] = (*x)[0];
    c0[-j] = (*x)[1];
}

/* Weights exp(-beta (u - c)^2) of the columns (into ac) and exp(-beta (v - r)^2) of the rows
 * (into ar), each relative to its nearest grid coordinate c0 (weight 1), by the recurrence
 * w_{c0+j+1} = w_{c0+j} r_j, r_{j+1} = r_j g (and mirrored). Each axis's right and left walks
 * share a 2-lane vector and run for the longer one's length: the other goes on with the
 * true weights (past the grid's edge into the padding, or at most a step past its exp(-40)
 * cut-off, so no denormals), and an empty walk has ratio 0 (sj_soft4096_walk_setup) and
 * writes 0. The two axes run in one loop as far as both need, so the latencies of the
 * dependent multiplies overlap; weights that no walk reaches stay 0. */
static void axis_weights(double u, double v, const sj_soft4096_consts* k, double* ac, double* ar)
{
    const sj_soft4096_walk a = sj_soft4096_walk_setup(u, k), b = sj_soft4096_walk_setup(v, k);
    for (int c = 0; c < SIDE; c++) {
        ac[AX_W + c] = 0.0;
        ar[AX_W + c] = 0.0;
    }
    const int nu = a.kr > a.kl ? a.kr : a.kl, nv = b.kr > b.kl ? b.kr : b.kl, n = nu < nv ? nu : nv;
    /* the padding takes what runs past the grid: AX_W + c0 +- j stays within [1, 190] */
    double *cu = ac + AX_W + a.c0, *cv = ar + AX_W + b.c0;
    *cu = 1.0;
    *cv = 1.0;
    v2d xu = { 1.0, 1.0 }, xv = xu, qu = { a.r_right, a.r_left }, qv = { b.r_right, b.r_left };
    const v2d g = { k->g, k->g };
    int j = 1;
    for (; j <= n; j++) {
        walk_step(&xu, &qu, g, cu, j);
        walk_step(&xv, &qv, g, cv, j);
    }
    for (; j <= nu; j++)
        walk_step(&xu, &qu, g, cu, j);
    for (; j <= nv; j++)
        walk_step(&xv, &qv, g, cv, j);
}

/* The sums of the aligned blocks of 2, 4, .., 64 coordinates, from the weights (ax_level). */
static void block_sums(double* ax)
{
    for (unsigned k = 1; k < 7; k++) {
        const double* lo = ax + ax_level[k - 1];
        double* hi = ax + ax_level[k];
        for (unsigned i = 0; i < (unsigned)SIDE >> k; i++)
            hi[i] = lo[2 * i] + lo[2 * i + 1];
    }
}

/* Bin masses relative to the nearest grid point's likelihood; returns the largest. */
static double masses(sj_zp_posterior* zp, double u, double v, const sj_soft4096_consts* k)
{
    double *ac = zp->axc, *ar = zp->axr;
    axis_weights(u, v, k, ac, ar);
    block_sums(ac);
    block_sums(ar);
    double mx = 0.0;
    for (unsigned b = 0; b < zp->nfull; b++) {
        const double m = ar[zp->full_r[b]] * ac[zp->full_c[b]];
        zp->mass[b] = m;
        mx = m > mx ? m : mx;
    }
    if (zp->npart) {
        double m = 0.0;
        for (unsigned j = 0; j < zp->npart; j++)
            m += ar[zp->part_r[j]] * ac[zp->part_c[j]];
        zp->mass[zp->nfull] = m;
        mx = m > mx ? m : mx;
    }
    return mx;
}

/* log(exp(a) + exp(b)) for finite a, b. */
static inline double lse2(double a, double b)
{
    const double m = a > b ? a : b, d = a > b ? b - a : a - b;
    return m + log1p(exp(d));
}

/* Log-domain bin masses into lmass (exact for any finite u, v); returns the largest. The
 * same block tree, of log-sum-exps. */
static double log_masses(sj_zp_posterior* zp, double u, double v, double beta)
{
    double *ac = zp->axc, *ar = zp->axr;
    for (int c = 0; c < SIDE; c++) {
        ac[AX_W + c] = -beta * (u - c) * (u - c);
        ar[AX_W + c] = -beta * (v - c) * (v - c);
    }
    for (unsigned k = 1; k < 7; k++)
        for (unsigned i = 0; i < (unsigned)SIDE >> k; i++) {
            ac[ax_level[k] + i] = lse2(ac[ax_level[k - 1] + 2 * i], ac[ax_level[k - 1] + 2 * i + 1]);
            ar[ax_level[k] + i] = lse2(ar[ax_level[k - 1] + 2 * i], ar[ax_level[k - 1] + 2 * i + 1]);
        }
    double top = -INFINITY;
    for (unsigned b = 0; b < zp->nfull; b++) {
        zp->lmass[b] = ar[zp->full_r[b]] + ac[zp->full_c[b]];
        top = zp->lmass[b] > top ? zp->lmass[b] : top;
    }
    if (zp->npart) {
        double m = ar[zp->part_r[0]] + ac[zp->part_c[0]];
        for (unsigned j = 1; j < zp->npart; j++)
            m = lse2(m, ar[zp->part_r[j]] + ac[zp->part_c[j]]);
        zp->lmass[zp->nfull] = m;
        top = m > top ? m : top;
    }
    return top;
}

static inline v2d load2(const double* p)
{
    v2d v;
    memcpy(&v, p, sizeof v); /* unaligned */
    return v;
}

/* sum_i m[i] a[i] and sum_i m[i] b[i] for n a multiple of 4, as four independent 2-lane
 * accumulators (lane j of the first and second holding the terms i = j and i = 2 + j mod
 * 4). Written with GCC vectors: left to itself, gcc vectorises the plain 4-partial-sum loop
 * by assembling vectors from scalars, at three times the instructions. */
static inline void dot4x2(const double* m, const double* a, const double* b, unsigned n, double* sa, double* sb)
{
    v2d a0 = { 0.0, 0.0 }, a1 = a0, b0 = a0, b1 = a0;
    for (unsigned i = 0; i < n; i += 4) {
        const v2d m0 = load2(m + i), m1 = load2(m + i + 2);
        a0 += m0 * load2(a + i);
        a1 += m1 * load2(a + i + 2);
        b0 += m0 * load2(b + i);
        b1 += m1 * load2(b + i + 2);
    }
    *sa = (a0[0] + a0[1]) + (a1[0] + a1[1]);
    *sb = (b0[0] + b0[1]) + (b1[0] + b1[1]);
}

#ifdef SJ_ZP_HAVE_AVX512
/* dot4x2 in 8-lane AVX-512 FMAs, n a multiple of 8: the sums come out in another order
 * (and fused), so they may differ from dot4x2's in the last bits. */
__attribute__((target("avx512f"))) static void dot8x2_avx512(const double* m, const double* a, const double* b,
                                                             unsigned n, double* sa, double* sb)
{
    __m512d s0 = _mm512_setzero_pd(), s1 = s0;
    for (unsigned i = 0; i < n; i += 8) {
        const __m512d mm = _mm512_loadu_pd(m + i);
        s0 = _mm512_fmadd_pd(mm, _mm512_loadu_pd(a + i), s0);
        s1 = _mm512_fmadd_pd(mm, _mm512_loadu_pd(b + i), s1);
    }
    *sa = _mm512_reduce_add_pd(s0);
    *sb = _mm512_reduce_add_pd(s1);
}

static int cpu_has_avx512(void) { return __builtin_cpu_supports("avx512f"); }
#else
static void dot8x2_avx512(const double* m, const double* a, const double* b, unsigned n, double* sa, double* sb)
{
    dot4x2(m, a, b, n, sa, sb);
}

static int cpu_has_avx512(void) { return 0; }
#endif

int sj_zp_posterior_use_avx512(sj_zp_posterior* zp, int on)
{
    zp->avx512 = on && cpu_has_avx512();
    return zp->avx512;
}

/* Binned: see the top comment. */
static float binned_one(sj_zp_posterior* zp, double u, double v, unsigned o, const sj_soft4096_consts* k,
                        float* sd)
{
    const unsigned nb = zp->nbins, p = zp->p;
    const double mx = masses(zp, u, v, k);
    const int logs = !(mx >= MASS_MIN); /* lmass then holds the log-domain masses */
    double inv = 1.0;
    if (!logs) {
        inv = 1.0 / mx;
    } else {
        const double top = log_masses(zp, u, v, k->beta);
        for (unsigned b = 0; b < nb; b++)
            zp->mass[b] = exp(zp->lmass[b] - top);
    }
    /* Scaled to the largest (1), the insignificant bins set to 0, and only the run from the
     * first to the last significant one taken, rounded up to whole steps of DOT_PAD (the entries
     * past nbins are 0). The largest bin is 1, so both scans stop. */
    for (unsigned b = 0; b < nb; b++) {
        const double m = zp->mass[b] * inv;
        zp->mass[b] = m >= SKIP_REL ? m : 0.0;
    }
    unsigned lo = 0, hi = nb - 1;
    while (zp->mass[lo] == 0.0)
        lo++;
    while (zp->mass[hi] == 0.0)
        hi--;
    const unsigned len = (hi - lo + 1 + DOT_PAD - 1) / DOT_PAD * DOT_PAD; /* lo <= hi: the top bin is 1 */
    double s0 = 0.0, s1 = 0.0, s2 = 0.0;
    for (unsigned l = 0; l < zp->used; l += 2) {
        /* levels l and l + 1 (l again if l is the last: counted once) */
        const unsigned l2 = l + 1 < zp->used ? l + 1 : l;
        const unsigned sa = sub_mod(o, zp->qi[l], p), sb = sub_mod(o, zp->qi[l2], p);
        const double* ta = zp->table + (size_t)(sa % BIN) * zp->tstride + sa / BIN + lo;
        const double* tb = zp->table + (size_t)(sb % BIN) * zp->tstride + sb / BIN + lo;
        double pa, pb;
        if (zp->avx512)
            dot8x2_avx512(zp->mass + lo, ta, tb, len, &pa, &pb);
        else
            dot4x2(zp->mass + lo, ta, tb, len, &pa, &pb);
        pb = l2 != l ? pb : 0.0;
        const double qa = pa * zp->qi[l], qb = pb * zp->qi[l2];
        s0 += pa + pb;
        s1 += qa + qb;
        s2 += qa * zp->qi[l] + qb * zp->qi[l2];
    }
    if (s0 >= POST_MIN)
        return mean_std(s0, s1, s2, sd);

    /* Log domain over all bins: log P(l) = log sum_b exp(log M_b + log T). */
    if (!logs)
        log_masses(zp, u, v, k->beta);
    for (unsigned l = 0; l < zp->used; l++) {
        const unsigned s = sub_mod(o, zp->qi[l], p);
        double m = -INFINITY, acc = 0.0;
        for (unsigned b = 0; b < nb; b++) {
            const double x = zp->lmass[b] + noise_log_density(zp, BIN * b + s);
            m = x > m ? x : m;
        }
        for (unsigned b = 0; b < nb; b++)
            acc += exp(zp->lmass[b] + noise_log_density(zp, BIN * b + s) - m);
        zp->ll[l] = m + log(acc);
    }
    return mean_from_logs(zp, zp->ll, sd);
}

sj_status sj_zp_posterior_mean(sj_zp_posterior* zp, const lv_32fc_t* y, const uint16_t* offset, size_t n,
                               float noise_var, float* out)
{
    return sj_zp_posterior_mean_std(zp, y, offset, n, noise_var, out, NULL);
}

sj_status sj_zp_posterior_mean_std(sj_zp_posterior* zp, const lv_32fc_t* y, const uint16_t* offset, size_t n,
                                   float noise_var, float* out, float* sd)
{
    if (!zp || (n && (!y || !out)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_mean: NULL argument");
    if (n > zp->max_symbols)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_mean: n = %zu exceeds max_symbols = %zu given at create",
                       n, zp->max_symbols);
    if (!(noise_var > 0.0f) || isinf(noise_var))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_mean: noise_var must be finite and > 0, got %g",
                       (double)noise_var);
    if (offset)
        for (size_t i = 0; i < n; i++)
            if (offset[i] >= zp->p)
                return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_mean: offset %u at position %zu is not below p = %u",
                               (unsigned)offset[i], i, (unsigned)zp->p);
    if (!sj_soft_all_finite(y, n))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_zp_posterior_mean: input contains NaN or infinite samples");

    sj_soft4096_consts k;
    k.beta = zp->step * zp->step / (double)noise_var;
    k.g = exp(-2.0 * k.beta);
    k.thr = REL_CUTOFF / k.beta;
    const double inv_step = 1.0 / zp->step, first = zp->first;
    for (size_t i = 0; i < n; i++) {
        double u = ((double)lv_creal(y[i]) - first) * inv_step, v = ((double)lv_cimag(y[i]) - first) * inv_step;
        u = u > U_MAX ? U_MAX : (u < -U_MAX ? -U_MAX : u);
        v = v > U_MAX ? U_MAX : (v < -U_MAX ? -U_MAX : v);
        const unsigned o = offset ? offset[i] : 0;
        float s;
        out[i] = zp->noise_std > 0.0 ? binned_one(zp, u, v, o, &k, &s) : exact_one(zp, u, v, o, k.beta, &s);
        if (sd)
            sd[i] = s;
    }
    return SJ_OK;
}
