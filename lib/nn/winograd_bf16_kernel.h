/* Winograd F(2x2, 3x3) with the 16 products over input channels in bfloat16 (AVX-512
 * BF16's VDPBF16PS), included once, after simd_avx512.h, conv_direct_kernel.h and
 * winograd_kernel.h (whose wino_in and wino_out it reuses).
 *
 * Why: the products over input channels (16 1x1 convolutions over the tiles) are most of a
 * Winograd layer's arithmetic, and VDPBF16PS does two multiply-adds per 32-bit lane where
 * VFMADD231PS does one, at the same instruction rate (measured on this project's
 * development CPU: 6.1-6.3 G VDPBF16PS/s against 6.8 G VFMADD231PS/s on one core).
 * Inputs of the products (the transformed activations V and the transformed weights U)
 * are rounded to bfloat16 (8 significant bits, round to nearest even); the products and
 * their sums stay in float32, and so do the transforms, bias and epilogues. The error is
 * about 2^-9 of each product's size, relative; docs/model-format.md#precision gives the measured
 * effect on the shipped networks.
 *
 * Layout: V[e][cp][t] and U[e][co block][cp][cob] hold 32-bit pairs (channel 2 cp in the
 * low 16 bits, 2 cp + 1 in the high ones), the pair VDPBF16PS multiplies and adds into
 * one float lane; an odd last channel is paired with zeros. */

#define BF16_TARGET __attribute__((target("avx512f,avx512bw,avx512bf16,avx2,fma")))

/* 16 floats of channel a and 16 of channel b as 16 bfloat16 pairs (a low, b high). */
static inline __attribute__((always_inline)) BF16_TARGET __m512i sj_bf16_pair(__m512 a, __m512 b)
{
    /* cvtne2ps puts b's 16 values in words 0-15 (the second operand) and a's in 16-31 */
    __m512i ab = (__m512i)_mm512_cvtne2ps_pbh(b, a);
    const __m512i zip = _mm512_set_epi16(31, 15, 30, 14, 29, 13, 28, 12, 27, 11, 26, 10, 25, 9,
                                         24, 8, 23, 7, 22, 6, 21, 5, 20, 4, 19, 3, 18, 2, 17,
                                         1, 16, 0);
    return _mm512_permutexvar_epi16(zip, ab);
}

/* V pairs for a chunk of nt tiles (nt a multiple of 16): each channel pair's transform in
 * float32 into tmp (16 positions x 2 channels x nt, in L1), then rounded and zipped. */
static BF16_TARGET void wino_in_bf16(const float* const* rows, size_t cs, size_t half,
                                     size_t cin, size_t t0, size_t nt, uint32_t* V,
                                     float* tmp)
{
    size_t np = (cin + 1) / 2;
    for (size_t cp = 0; cp < np; cp++) {
        const float* r2[4];
        for (int k = 0; k < 4; k++)
            r2[k] = rows[k] + 2 * cp * cs;
        size_t two = 2 * cp + 1 < cin ? 2 : 1;
        wino_in_avx512(r2, cs, half, two, t0, nt, tmp, nt);
        for (size_t e = 0; e < 16; e++) {
            const float* a = tmp + e * two * nt;
            for (size_t t = 0; t < nt; t += 16) {
                __m512 va = _mm512_loadu_ps(a + t);
                __m512 vb = two == 2 ? _mm512_loadu_ps(a + nt + t) : _mm512_setzero_ps();
                _mm512_storeu_si512((void*)(V + (e * np + cp) * nt + t), sj_bf16_pair(va, vb));
            }
        }
    }
}

/* M[co][t] = sum over pairs of U . V for cob channels x pb vectors of tiles. */
static inline __attribute__((always_inline)) BF16_TARGET void
wino_bblock(const uint32_t* v, size_t vs, size_t np, const uint32_t* w, float* m, size_t ms,
            int cob, int pb)
{
    __m512 acc[8][3];
#pragma GCC unroll 8
    for (int c = 0; c < cob; c++)
#pragma GCC unroll 3
        for (int k = 0; k < pb; k++)
            acc[c][k] = _mm512_setzero_ps();
    for (size_t cp = 0; cp < np; cp++) {
        __m512i x[3];
#pragma GCC unroll 3
        for (int k = 0; k < pb; k++)
            x[k] = _mm512_loadu_si512((const void*)(v + cp * vs + 16 * k));
#pragma GCC unroll 8
        for (int c = 0; c < cob; c++) {
            __m512i wv = _mm512_set1_epi32((int)w[cp * cob + c]);
#pragma GCC unroll 3
            for (int k = 0; k < pb; k++)
                acc[c][k] = _mm512_dpbf16_ps(acc[c][k], (__m512bh)x[k], (__m512bh)wv);
        }
    }
#pragma GCC unroll 8
    for (int c = 0; c < cob; c++)
#pragma GCC unroll 3
        for (int k = 0; k < pb; k++)
            _mm512_storeu_ps(m + c * ms + 16 * k, acc[c][k]);
}

/* Channel blocks of 8, 4, 2, 1 as sj_nn_winograd_pack laid them out. */
static inline __attribute__((always_inline)) BF16_TARGET void
wino_gemm_bf16(const uint32_t* v, size_t vs, size_t np, const uint32_t* u, size_t cout,
               float* m, size_t ms, int pb)
{
    size_t co = 0;
    for (; co + 8 <= cout; co += 8)
        wino_bblock(v, vs, np, u + co * np, m + co * ms, ms, 8, pb);
    if (co + 4 <= cout) {
        wino_bblock(v, vs, np, u + co * np, m + co * ms, ms, 4, pb);
        co += 4;
    }
    if (co + 2 <= cout) {
        wino_bblock(v, vs, np, u + co * np, m + co * ms, ms, 2, pb);
        co += 2;
    }
    if (co < cout)
        wino_bblock(v, vs, np, u + co * np, m + co * ms, ms, 1, pb);
}

/* wino_chunk's bfloat16 twin (same arguments; U holds pairs, see above). V's region of
 * the scratch (16 cin TC floats) holds the pairs (16 ceil(cin/2) TC) and, above them,
 * the float transform of one channel pair (32 TC; cin >= 8 leaves room). */
static BF16_TARGET void wino_chunk_bf16(const float* const* rows, size_t cs, size_t half,
                                        size_t cin, size_t cout, size_t t0, size_t nt,
                                        const float* U, const float* bias, float* V, float* M,
                                        float* O, size_t os)
{
    size_t np = (cin + 1) / 2;
    uint32_t* vp = (uint32_t*)V;
    const uint32_t* up = (const uint32_t*)U;
    wino_in_bf16(rows, cs, half, cin, t0, nt, vp, V + 16 * np * SJ_NN_WINO_TC);
    for (size_t e = 0; e < 16; e++) {
        const uint32_t* v = vp + e * np * nt;
        const uint32_t* u = up + e * cout * np;
        float* m = M + e * cout * nt;
        /* nt is 16, 32 or 48 (a chunk, SJ_NN_WINO_TC, rounded up to vectors): one block */
        if (nt == 48)
            wino_gemm_bf16(v, nt, np, u, cout, m, nt, 3);
        else if (nt == 32)
            wino_gemm_bf16(v, nt, np, u, cout, m, nt, 2);
        else
            wino_gemm_bf16(v, nt, np, u, cout, m, nt, 1);
    }
    wino_out_avx512(M, nt, cout, nt, bias, O, os);
}
