/* The separable 4096-QAM posterior mean's axis sums (softdemod_qam4096.c) for 8 symbols
 * at once, one per vector lane: the same walks outwards from each symbol's nearest grid
 * index, with the same multiplicative recurrence in double precision, but the lanes step
 * together, so the dependent multiplies of 8 symbols overlap in one AVX-512 register. A
 * lane whose walk is over (its own length, or the grid's edge) keeps its weight and adds
 * nothing: masks, not branches. Only where the CPU has AVX-512 (sj_soft4096_axis8_supported);
 * elsewhere softdemod_qam4096.c walks one symbol at a time. */
#include "softdemod_internal.h"


#define SIDE SJ_QAM4096_SIDE

#if defined(__x86_64__) && defined(__GNUC__)
#include <immintrin.h>

#define SJ_AVX512 __attribute__((target("avx512f")))

int sj_soft4096_axis8_supported(void)
{
    return __builtin_cpu_supports("avx512f");
}

/* One direction of the 8 walks: offsets 1..len[lane] from the nearest index, weights
 * w_1 = r0, w_{j+1} = w_j r_j with r_{j+1} = r_j g; out[0], out[1]: sums of w and of
 * offset * w over the offsets j <= cut[lane], out[2], out[3] over the others. (Right walk:
 * cut = split - c0, so these are the indices <= split; left walk: the reverse, which the
 * caller swaps.) */
static inline __attribute__((always_inline)) SJ_AVX512 void
walk8(__m512d len, __m512d cut, __m512d r, double g, int steps, __m512d out[4])
{
    const __m512d gv = _mm512_set1_pd(g);
    __m512d w = _mm512_set1_pd(1.0), a0 = _mm512_setzero_pd(), a1 = a0, b0 = a0, b1 = a0;
    for (int j = 1; j <= steps; j++) {
        const __m512d jv = _mm512_set1_pd((double)j);
        const __mmask8 on = _mm512_cmp_pd_mask(jv, len, _CMP_LE_OQ);
        const __mmask8 in = _mm512_mask_cmp_pd_mask(on, jv, cut, _CMP_LE_OQ);
        const __mmask8 out_ = on & (__mmask8)~in;
        w = _mm512_mask_mul_pd(w, on, w, r);
        r = _mm512_mask_mul_pd(r, on, r, gv);
        a0 = _mm512_mask_add_pd(a0, in, a0, w);
        a1 = _mm512_mask3_fmadd_pd(jv, w, a1, in);
        b0 = _mm512_mask_add_pd(b0, out_, b0, w);
        b1 = _mm512_mask3_fmadd_pd(jv, w, b1, out_);
    }
    out[0] = a0, out[1] = a1, out[2] = b0, out[3] = b1;
}

SJ_AVX512 void sj_soft4096_axis_sums8(const double* u, const sj_soft4096_consts* k, int split,
                                      double s[4][8])
{
    sj_soft4096_walk a[8];
    double c0a[8], kra[8], kla[8], rra[8], rla[8];
    int steps_r = 0, steps_l = 0;
    for (int i = 0; i < 8; i++) {
        a[i] = sj_soft4096_walk_setup(u[i], k);
        c0a[i] = a[i].c0, kra[i] = a[i].kr, kla[i] = a[i].kl;
        rra[i] = a[i].r_right, rla[i] = a[i].r_left;
        steps_r = a[i].kr > steps_r ? a[i].kr : steps_r;
        steps_l = a[i].kl > steps_l ? a[i].kl : steps_l;
    }
    const __m512d c0 = _mm512_loadu_pd(c0a), sp = _mm512_set1_pd((double)split);
    __m512d right[4], left[4];
    /* right: index c0 + j <= split while j <= split - c0; left: index c0 - j > split while
     * j <= c0 - split - 1, so the left walk's "first" sums are its hi part */
    walk8(_mm512_loadu_pd(kra), _mm512_sub_pd(sp, c0), _mm512_loadu_pd(rra), k->g, steps_r, right);
    walk8(_mm512_loadu_pd(kla), _mm512_sub_pd(_mm512_sub_pd(c0, sp), _mm512_set1_pd(1.0)),
          _mm512_loadu_pd(rla), k->g, steps_l, left);
    double r[4][8], l[4][8];
    for (int q = 0; q < 4; q++) {
        _mm512_storeu_pd(r[q], right[q]);
        _mm512_storeu_pd(l[q], left[(q + 2) % 4]); /* lo first, as the right walk's */
    }
    for (int i = 0; i < 8; i++) {
        const double ri[4] = { r[0][i], r[1][i], r[2][i], r[3][i] };
        const double li[4] = { l[0][i], l[1][i], l[2][i], l[3][i] };
        double si[4];
        sj_soft4096_axis_combine(a[i].c0, split, ri, li, si);
        for (int q = 0; q < 4; q++)
            s[q][i] = si[q];
    }
}
#else
int sj_soft4096_axis8_supported(void) { return 0; }

void sj_soft4096_axis_sums8(const double* u, const sj_soft4096_consts* k, int split,
                            double s[4][8])
{
    (void)u, (void)k, (void)split, (void)s; /* never called */
}
#endif
