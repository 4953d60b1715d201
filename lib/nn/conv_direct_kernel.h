/* Register-blocked direct convolution, one instruction set per inclusion.
 *
 * Included by ops_conv_direct.c and ops_conv_winograd.c once for each instruction set,
 * after simd_avx512.h or simd_avx2.h, which set these macros (simd_undef.h clears them):
 *   ISA(name)   appends the instruction set's suffix to a function name
 *   TARGET      __attribute__((target(...))) for that instruction set
 *   VW          floats per vector; VEC the vector type
 *   COB, PB     output channels x vectors of pixels held in registers (COB is 8, 4, 2 or 1)
 *   LOAD, STORE, SET1, FMA, and MLOAD/MSTORE(p, lanes) reading/writing the first `lanes`
 *   floats only (right edge of a row, end of a plane); arithmetic (ADD, MUL, RSQRT, ...),
 *   ZIPLO/ZIPHI and UNZIP_EVEN/UNZIP_ODD (interleave, de-interleave two vectors).
 *
 * One call of block() makes a [cob x (pb*VW)] tile of the output: cob consecutive output
 * channels times pb*VW consecutive pixels of one output row, accumulated in registers over
 * every input channel and kernel tap. w is the block's weights packed by
 * sj_nn_conv_direct_pack, [ci][ky][kx][cob], so the cob broadcasts of a tap sit at fixed
 * offsets from one pointer (no register per channel stride). Pixels are the vector axis (NCHW rows are contiguous,
 * a tap at offset kx is an unaligned load); each weight is one broadcast. The input is
 * either the plane itself (1x1, no padding: a plane is one long row) or a zero-padded copy
 * of a band of rows (ops_conv_direct.c), so the kernel never tests an edge. cob, pb, K and
 * `masked` are compile-time constants at every call (always_inline), so the loops below
 * unroll into straight-line FMAs on named registers.
 *
 * Stride 2 (S, also a constant): the band holds each padded row as its even columns then
 * its odd columns (`half` floats apart), so output pixels p..p+VW-1 at tap kx still read
 * consecutive floats: even half at p + kx/2 for even kx, odd half at p for kx = 1; and the
 * output row's taps start S band rows apart (the caller passes each row's first band row). */

#include "simd_sigmoid.h"


/* The epilogue of one vector a of results (ep; its tests are outside the hot loops, so
 * they cost nothing), in this order:
 *  - GDN/IGDN: a is beta + gamma x^2 and *xg the GDN input x: x / sqrt(a) is computed as
 *    x * rsqrt(a) (RSQRT: estimate + one Newton step, a few ulp; sqrt and divide would
 *    cost more than the 1x1 convolution's FMAs); a > 0 since beta > 0, gamma >= 0;
 *    GATE (an attention mask): *xg * sigmoid(a), xg the other factor of the product;
 *  - a residual input added (res);
 *  - an activation: slope 1 none, 0 relu, else leaky relu (x > 0 ? x : slope*x, written
 *    as max(x, slope*x), the same for 0 < slope < 1; the plan fuses no other); then a
 *    sigmoid if ep->sigmoid.
 * Callers store each result after this reads its xg and res elements, so the output may
 * be the buffer of either. masked: only the first `lanes` floats are read. */
static inline __attribute__((always_inline)) TARGET VEC
ISA(ep_one)(VEC a, const sj_nn_epilogue* ep, const float* xg, const float* res, int masked,
            int lanes)
{
    if (xg && ep->mode != SJ_NN_EP_CONV) {
        VEC xin = masked ? MLOAD(xg, lanes) : LOAD(xg);
        if (ep->mode == SJ_NN_EP_GATE)
            a = MUL(xin, ISA(sigmoid_v)(a));
        else
            a = ep->mode == SJ_NN_EP_GDN ? MUL(xin, RSQRT(a)) : MUL(xin, MUL(a, RSQRT(a)));
    }
    if (res)
        a = ADD(a, masked ? MLOAD(res, lanes) : LOAD(res));
    if (ep->slope == 0.0f)
        a = MAX(a, SET1(0.0f));
    else if (ep->slope != 1.0f)
        a = MAX(a, MUL(a, SET1(ep->slope)));
    if (ep->sigmoid)
        a = ISA(sigmoid_v)(a);
    return a;
}

static inline __attribute__((always_inline)) TARGET void
ISA(block)(const float* x, size_t cs, size_t rs, size_t half, size_t cin, const float* w,
           const float* bias, const sj_nn_epilogue* ep, const float* xg, size_t gs,
           const float* res, float* y, size_t ys, int cob, int pb, int K, int S, int masked,
           int lanes)
{
    /* A local copy: the stores below could alias *ep, which would make the compiler reload
     * its fields for every vector. */
    const sj_nn_epilogue e = *ep;
    VEC acc[COB][PB];
#pragma GCC unroll 8
    for (int c = 0; c < cob; c++)
#pragma GCC unroll 4
        for (int v = 0; v < pb; v++)
            acc[c][v] = SET1(bias ? bias[c] : 0.0f);
    for (size_t ci = 0; ci < cin; ci++) {
        const float* xc = x + ci * cs;
        const float* wc = w + ci * (size_t)(K * K * cob);
#pragma GCC unroll 3
        for (int ky = 0; ky < K; ky++)
#pragma GCC unroll 3
            for (int kx = 0; kx < K; kx++) {
                size_t col = S == 1 ? (size_t)kx : (size_t)(kx & 1) * half + (size_t)(kx / 2);
                const float* xp = xc + (size_t)ky * rs + col;
                VEC xv[PB];
#pragma GCC unroll 4
                for (int v = 0; v < pb; v++)
                    xv[v] = masked ? MLOAD(xp + v * VW, lanes) : LOAD(xp + v * VW);
#pragma GCC unroll 8
                for (int c = 0; c < cob; c++) {
                    VEC wv = SET1(wc[(ky * K + kx) * cob + c]);
#pragma GCC unroll 4
                    for (int v = 0; v < pb; v++)
                        acc[c][v] = FMA(wv, xv[v], acc[c][v]);
                }
            }
    }
#pragma GCC unroll 8
    for (int c = 0; c < cob; c++)
#pragma GCC unroll 4
        for (int v = 0; v < pb; v++) {
            size_t o = (size_t)c * ys + (size_t)(v * VW);
            VEC a = ISA(ep_one)(acc[c][v], &e, xg ? xg + (size_t)c * gs + (size_t)(v * VW) : NULL,
                                res ? res + o : NULL, masked, lanes);
            if (masked)
                MSTORE(y + o, a, lanes);
            else
                STORE(y + o, a);
        }
}

/* One output row (or a whole 1x1 plane): npix pixels, every output channel. Channel blocks
 * of COB, then 4, 2, 1 for the remainder; pixel blocks of PB vectors, then single vectors
 * with a mask for the rest. The pixel loop is outside the channel loop so a pixel block's
 * input stays in L1 while every output channel reads it. */
#define SJ_DIRECT_BLOCK(COB_, PB_, MASKED_, LANES_)                                         \
    ISA(block)(x, cs, rs, half, cin, w + co * wco, bias ? bias + co : NULL, ep,             \
               xg ? xg + co * gs : NULL, gs, res ? res + co * ys : NULL, y + co * ys, ys,    \
               COB_, PB_, K_, S_, MASKED_, LANES_)
#define SJ_DIRECT_CHANNELS(MASKED_, PB_, LANES_)                                            \
    do {                                                                                    \
        size_t co = 0;                                                                      \
        for (; co + COB <= cout; co += COB)                                                 \
            SJ_DIRECT_BLOCK(COB, PB_, MASKED_, LANES_);                                     \
        if (COB > 4 && co + 4 <= cout) {                                                    \
            SJ_DIRECT_BLOCK(4, PB_, MASKED_, LANES_);                                       \
            co += 4;                                                                        \
        }                                                                                   \
        if (COB > 2 && co + 2 <= cout) {                                                    \
            SJ_DIRECT_BLOCK(2, PB_, MASKED_, LANES_);                                       \
            co += 2;                                                                        \
        }                                                                                   \
        if (co < cout)                                                                      \
            SJ_DIRECT_BLOCK(1, PB_, MASKED_, LANES_);                                       \
    } while (0)

static inline __attribute__((always_inline)) TARGET void
ISA(row_conv)(const float* x0, size_t cs, size_t rs, size_t half, size_t cin, const float* w,
              size_t wco, const float* bias, const sj_nn_epilogue* ep, const float* xg0,
              size_t gs, const float* res0, float* y0, size_t ys, size_t cout, size_t npix,
              int K_, int S_)
{
    size_t p = 0;
    for (; p + PB * VW <= npix; p += PB * VW) {
        const float* x = x0 + p;
        const float* xg = xg0 ? xg0 + p : NULL;
        const float* res = res0 ? res0 + p : NULL;
        float* y = y0 + p;
        SJ_DIRECT_CHANNELS(0, PB, VW);
    }
    for (; p < npix; p += VW) {
        const float* x = x0 + p;
        const float* xg = xg0 ? xg0 + p : NULL;
        const float* res = res0 ? res0 + p : NULL;
        float* y = y0 + p;
        int lanes = npix - p < VW ? (int)(npix - p) : VW;
        SJ_DIRECT_CHANNELS(1, 1, lanes);
    }
}

/* The vector at p + i of a row of n floats, zeros past n (a whole tile's lanes, so that a
 * kernel run on the tile reads no stale values). */
static inline __attribute__((always_inline)) TARGET VEC ISA(load_below)(const float* p, size_t i,
                                                                        size_t n)
{
    int l = n > i ? (n - i < VW ? (int)(n - i) : VW) : 0;
    return l == VW ? LOAD(p + i) : l > 0 ? MLOAD(p + i, l) : SET1(0.0f);
}

/* GDN/IGDN of n <= PB*VW pixels of c channels (t, channel stride ts) into y (channel
 * stride ys): beta + gamma t^2 is a 1x1 convolution of the squares, so the squares go to
 * a tile on the stack and the same kernels run on it, the epilogue scaling t by the
 * (reciprocal) square root. Every channel block reads only the tile and its own channels
 * of t, so y may be t. */
static inline __attribute__((always_inline)) TARGET void
ISA(gdn_tile)(const float* t, size_t ts, size_t n, size_t c, const float* gamma,
              const float* beta, const sj_nn_epilogue* ep, const float* res, float* y,
              size_t ys)
{
    float sq[SJ_NN_GDN_DIRECT_MAXC * PB * VW];
    for (size_t ci = 0; ci < c; ci++)
        for (size_t i = 0; i < PB * VW; i += VW) {
            VEC v = ISA(load_below)(t + ci * ts, i, n);
            STORE(sq + ci * PB * VW + i, MUL(v, v));
        }
    ISA(row_conv)(sq, PB * VW, 0, 0, c, gamma, c, beta, ep, t, ts, res, y, ys, c, n, 1, 1);
}

/* sj_nn_split_row with vectors: the interior, where both columns of a pair are inside
 * the row, by unzipping two vectors at a time; the edges as the scalar code does. */
/* unused: not every file including this calls it */
static TARGET __attribute__((unused)) void
ISA(split_row)(const float* src, size_t w, size_t pw, size_t half, float* d)
{
    if (!src || w < 2 * VW + pw + 1) {
        sj_nn_split_row(src, w, pw, half, d);
        return;
    }
    /* Pair j is padded columns 2j, 2j+1 = input columns 2j - pw, 2j + 1 - pw. */
    size_t j0 = (pw + 1) / 2; /* first pair with 2j - pw >= 0 */
    for (size_t j = 0; j < j0; j++) {
        d[j] = 2 * j >= pw ? src[2 * j - pw] : 0.0f;
        d[half + j] = 2 * j + 1 >= pw ? src[2 * j + 1 - pw] : 0.0f;
    }
    const float* s0 = src + 2 * j0 - pw;
    size_t j = j0;
    for (; 2 * (j + VW) - pw <= w && j + VW <= half; j += VW) { /* 2 VW inputs, inside */
        VEC a = LOAD(s0 + 2 * (j - j0)), b = LOAD(s0 + 2 * (j - j0) + VW);
        STORE(d + j, UNZIP_EVEN(a, b));
        STORE(d + half + j, UNZIP_ODD(a, b));
    }
    /* The rest (the row's end and the zero padding up to half pairs) with masked loads
     * and stores: as scalars it cost as much as the whole vector loop on 384-wide rows. */
    for (; j < half; j += VW) {
        size_t nj = half - j < VW ? half - j : VW; /* pairs to write */
        size_t ce = 2 * j - pw;                    /* first input column; 2j >= pw here */
        size_t avail = ce < w ? w - ce : 0;        /* input columns left in the row */
        size_t na = avail < VW ? avail : VW, nb = avail > VW ? avail - VW : 0;
        nb = nb < VW ? nb : VW;
        VEC a = MLOAD(src + (na ? ce : 0), (int)na);
        VEC b = MLOAD(src + (nb ? ce + VW : 0), (int)nb);
        MSTORE(d + j, UNZIP_EVEN(a, b), (int)nj);
        MSTORE(d + half + j, UNZIP_ODD(a, b), (int)nj);
    }
}

/* Pixel shuffle (factor 2) as a store pattern: n pixels of one row h of the convolution's
 * output (t, channel stride ts), channel 4c + 2i + j going to output channel c, row
 * 2h + i, column 2w + j: channels 4c + 2i and 4c + 2i + 1 interleaved (ZIPLO/ZIPHI) make
 * 2n consecutive floats of output row 2h + i. y, res: output channel 0, row 2h, the
 * block's first column; wo the output row length, op the output channel plane. Then
 * ep's residual and activations (no GATE or GDN here). */
static inline __attribute__((always_inline)) TARGET void
ISA(shuffle_store)(const float* t, size_t ts, size_t n, size_t cout, const sj_nn_epilogue* ep,
                   const float* res, float* y, size_t wo, size_t op)
{
    const sj_nn_epilogue e = *ep; /* not reloaded after each store (see block) */
    for (size_t c = 0; c < cout / 4; c++)
        for (size_t i = 0; i < 2; i++) {
            const float* ta = t + (4 * c + 2 * i) * ts;
            size_t o = c * op + i * wo;
            for (size_t p = 0; p < n; p += VW) {
                int lanes = n - p < VW ? (int)(n - p) : VW;
                VEC a = lanes < VW ? MLOAD(ta + p, lanes) : LOAD(ta + p);
                VEC b = lanes < VW ? MLOAD(ta + ts + p, lanes) : LOAD(ta + ts + p);
                int l0 = 2 * lanes < VW ? 2 * lanes : VW, l1 = 2 * lanes - l0;
                float* yo = y + o + 2 * p;
                const float* ro = res ? res + o + 2 * p : NULL;
                VEC lo = ISA(ep_one)(ZIPLO(a, b), &e, NULL, ro, l0 < VW, l0);
                if (l0 < VW)
                    MSTORE(yo, lo, l0);
                else
                    STORE(yo, lo);
                if (l1 > 0) {
                    VEC hi = ISA(ep_one)(ZIPHI(a, b), &e, NULL, ro ? ro + VW : NULL, l1 < VW, l1);
                    if (l1 < VW)
                        MSTORE(yo + VW, hi, l1);
                    else
                        STORE(yo + VW, hi);
                }
            }
        }
}

/* One row of a convolution; with gamma (a GDN/IGDN fused after it, cout <= its maximum
 * channels) or wo (a pixel shuffle after it: output rows of wo floats; y0, res0 at output
 * channel 0, row 2h), each block of PB*VW pixels is first convolved into a tile on the
 * stack, so the GDN or the shuffle reads it from L1 and the convolution's own output
 * never reaches memory. */
static inline __attribute__((always_inline)) TARGET void
ISA(row_k)(const float* x0, size_t cs, size_t rs, size_t half, size_t cin, const float* w,
           size_t wco, const float* bias, const sj_nn_epilogue* ep, const float* gamma,
           const float* beta, size_t wo, const float* xg0, const float* res0, float* y0,
           size_t ys, size_t cout, size_t npix, int K_, int S_)
{
    if (!gamma && !wo) {
        ISA(row_conv)(x0, cs, rs, half, cin, w, wco, bias, ep, xg0, ys, res0, y0, ys, cout,
                      npix, K_, S_);
        return;
    }
    const sj_nn_epilogue plain = { SJ_NN_EP_CONV, 1.0f, 0 };
    float ct[SJ_NN_SHUFFLE_MAXC * PB * VW]; /* >= SJ_NN_GDN_DIRECT_MAXC */
    for (size_t p = 0; p < npix; p += PB * VW) {
        size_t n = npix - p < PB * VW ? npix - p : PB * VW;
        ISA(row_conv)(x0 + p, cs, rs, half, cin, w, wco, bias, &plain, NULL, 0, NULL, ct,
                      PB * VW, cout, n, K_, S_);
        if (wo)
            ISA(shuffle_store)(ct, PB * VW, n, cout, ep, res0 ? res0 + 2 * p : NULL,
                               y0 + 2 * p, wo, 4 * ys);
        else
            ISA(gdn_tile)(ct, PB * VW, n, cout, gamma, beta, ep, res0 ? res0 + p : NULL,
                          y0 + p, ys);
    }
}

/* The row function of ops_conv_direct.c: x is the first input row (band or plane), rs the
 * band's row stride, half the offset of a stride-2 row's odd columns; gamma, beta: a GDN
 * fused after the convolution (NULL: none); wo: a pixel shuffle's output row (0: none). */
/* unused: not every file including this calls it */
static TARGET __attribute__((unused)) void ISA(row)(const float* x, size_t cs, size_t rs, size_t half, size_t cin,
                            const float* w, size_t wco, const float* bias,
                            const sj_nn_epilogue* ep, const float* gamma, const float* beta,
                            size_t wo, const float* xg, const float* res, float* y, size_t ys,
                            size_t cout, size_t npix, int K, int S)
{
#define SJ_ROW(K_, S_)                                                                      \
    ISA(row_k)(x, cs, rs, half, cin, w, wco, bias, ep, gamma, beta, wo, xg, res, y, ys,     \
               cout, npix, K_, S_)
    if (K == 3 && S == 1)
        SJ_ROW(3, 1);
    else if (K == 1 && S == 1)
        SJ_ROW(1, 1);
    else if (K == 3)
        SJ_ROW(3, 2);
    else
        SJ_ROW(1, 2);
#undef SJ_ROW
}

/* GDN/IGDN over a plane (no convolution before it), PB vectors of pixels at a time. */
/* unused: not every file including this calls it */
static TARGET __attribute__((unused)) void ISA(gdn)(const float* x, size_t c, size_t plane, const float* gamma,
                            const float* beta, const sj_nn_epilogue* ep, const float* res,
                            float* y)
{
    for (size_t p = 0; p < plane; p += PB * VW) {
        size_t n = plane - p < PB * VW ? plane - p : PB * VW;
        ISA(gdn_tile)(x + p, plane, n, c, gamma, beta, ep, res ? res + p : NULL, y + p, plane);
    }
}

#undef SJ_DIRECT_CHANNELS
#undef SJ_DIRECT_BLOCK
