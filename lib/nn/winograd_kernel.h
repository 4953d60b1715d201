/* Winograd F(2x2, 3x3) convolution kernels, one instruction set per inclusion (after
 * simd_<isa>.h and conv_direct_kernel.h, whose row_conv, gdn_tile and ep_one it uses).
 *
 * Each 2x2 block of output pixels (a tile) of a stride-1 3x3 convolution comes from the
 * 4x4 input patch d under it: Y = A^T [sum over input channels of U (.) V] A, with
 * V = B^T d B the input transform, U = G g G^T the kernel transform (done once, at plan
 * time) and (.) the elementwise product; 16 multiplications per tile and channel pair
 * instead of 36. The sum over input channels is, for each of the 16 positions of the 4x4
 * transform, a 1x1 convolution over the tiles: the direct kernel's row_conv does it.
 *
 *   B^T = [1 0 -1 0; 0 1 1 0; 0 -1 1 0; 0 1 0 -1]    A^T = [1 1 1 0; 0 1 -1 -1]
 *
 * Tiles are the vector axis. The input rows come split into even and odd padded columns
 * (sj_nn_split_row), so the four columns of tiles t..t+VW-1 are plain vector loads:
 * even[t], odd[t], even[t+1], odd[t+1]. The two output columns of a tile row come out as
 * separate vectors and are interleaved (ZIPLO/ZIPHI) into pixel order. */

/* V[e][ci][0..nt) for e = 4i + j, from 4 split input rows per channel (row k of channel
 * 0 at rows[k], channel stride cs, odd columns `half` after the even ones); nt a whole
 * number of vectors (the band rows are long enough). */
static TARGET void ISA(wino_in)(const float* const* rows, size_t cs, size_t half, size_t cin,
                                size_t t0, size_t nt, float* V, size_t vs)
{
    for (size_t ci = 0; ci < cin; ci++)
        for (size_t t = 0; t < nt; t += VW) {
            VEC c[4][4];
#pragma GCC unroll 4
            for (int k = 0; k < 4; k++) {
                const float* r = rows[k] + ci * cs + t0 + t;
                VEC d0 = LOAD(r), d1 = LOAD(r + half), d2 = LOAD(r + 1), d3 = LOAD(r + half + 1);
                c[k][0] = SUB(d0, d2);
                c[k][1] = ADD(d1, d2);
                c[k][2] = SUB(d2, d1);
                c[k][3] = SUB(d1, d3);
            }
            float* v = V + ci * vs + t;
            size_t es = cin * vs; /* between transform positions */
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                STORE(v + (size_t)(0 + j) * es, SUB(c[0][j], c[2][j]));
                STORE(v + (size_t)(4 + j) * es, ADD(c[1][j], c[2][j]));
                STORE(v + (size_t)(8 + j) * es, SUB(c[2][j], c[1][j]));
                STORE(v + (size_t)(12 + j) * es, SUB(c[1][j], c[3][j]));
            }
        }
}

/* O[r][co][0..2 nt) for the tile row's output rows r = 0, 1 in pixel order, + bias, from
 * M[e][co][0..nt). */
static TARGET void ISA(wino_out)(const float* M, size_t ms, size_t cout, size_t nt,
                                 const float* bias, float* O, size_t os)
{
    size_t es = cout * ms;
    for (size_t co = 0; co < cout; co++) {
        VEC b = SET1(bias ? bias[co] : 0.0f);
        for (size_t t = 0; t < nt; t += VW) {
            const float* m = M + co * ms + t;
            VEC s[2][4];
#pragma GCC unroll 4
            for (int j = 0; j < 4; j++) {
                VEC m0 = LOAD(m + (size_t)j * es), m1 = LOAD(m + (size_t)(4 + j) * es);
                VEC m2 = LOAD(m + (size_t)(8 + j) * es), m3 = LOAD(m + (size_t)(12 + j) * es);
                s[0][j] = ADD(ADD(m0, m1), m2);
                s[1][j] = SUB(SUB(m1, m2), m3);
            }
#pragma GCC unroll 2
            for (int r = 0; r < 2; r++) {
                VEC y0 = ADD(ADD(ADD(s[r][0], s[r][1]), s[r][2]), b);
                VEC y1 = ADD(SUB(SUB(s[r][1], s[r][2]), s[r][3]), b);
                float* o = O + ((size_t)r * cout + co) * os + 2 * t;
                STORE(o, ZIPLO(y0, y1));
                STORE(o + VW, ZIPHI(y0, y1));
            }
        }
    }
}

/* The epilogue of n <= PB*VW pixels of cout channels already computed (t, channel stride
 * ts) into y (channel stride ys): a fused GDN (gamma) or ep alone. */
static TARGET void ISA(wino_ep)(const float* t, size_t ts, size_t n, size_t cout,
                                const float* gamma, const float* beta,
                                const sj_nn_epilogue* ep, const float* xg, const float* res,
                                float* y, size_t ys)
{
    if (gamma) {
        ISA(gdn_tile)(t, ts, n, cout, gamma, beta, ep, res, y, ys);
        return;
    }
    const sj_nn_epilogue e = *ep; /* not reloaded after each store (see block) */
    for (size_t c = 0; c < cout; c++)
        for (size_t p = 0; p < n; p += VW) {
            int lanes = n - p < VW ? (int)(n - p) : VW, masked = lanes < VW;
            const float* tp = t + c * ts + p;
            VEC a = masked ? MLOAD(tp, lanes) : LOAD(tp);
            a = ISA(ep_one)(a, &e, xg ? xg + c * ys + p : NULL, res ? res + c * ys + p : NULL,
                            masked, lanes);
            if (masked)
                MSTORE(y + c * ys + p, a, lanes);
            else
                STORE(y + c * ys + p, a);
        }
}

/* With a 1x1 convolution fused after this one (post->pw_w): n <= PB*VW pixels of cout
 * channels (t, channel stride ts) through mid_ep (bias is in already) into a tile on the
 * stack, then the 1x1 on the tile, with the call's epilogue and residual, into y (pw_cout
 * channels, stride ys). The tile is zero past n, so the 1x1 reads no stale lanes. */
static TARGET void ISA(wino_pw)(const float* t, size_t ts, size_t n, size_t cout,
                                const sj_nn_post* post, const sj_nn_epilogue* ep,
                                const float* res, float* y, size_t ys)
{
    float mid[SJ_NN_PW_MIDC * PB * VW];
    const sj_nn_epilogue me = *post->mid_ep;
    for (size_t c = 0; c < cout; c++)
        for (size_t p = 0; p < PB * VW; p += VW)
            STORE(mid + c * PB * VW + p,
                  ISA(ep_one)(ISA(load_below)(t + c * ts, p, n), &me, NULL, NULL, 0, VW));
    ISA(row_conv)(mid, PB * VW, 0, 0, cout, post->pw_w, cout, post->pw_bias, ep, NULL, 0, res,
                  y, ys, post->pw_cout, n, 1, 1);
}

/* One chunk of nt tiles (nt a multiple of VW) of a tile row: input transform, the 16 1x1
 * convolutions over input channels (U packed per position e by sj_nn_conv_direct_pack
 * for a 1x1 layer), output transform into O. */
static TARGET void ISA(wino_chunk)(const float* const* rows, size_t cs, size_t half,
                                   size_t cin, size_t cout, size_t t0, size_t nt,
                                   const float* U, const float* bias, float* V, float* M,
                                   float* O, size_t os)
{
    static const sj_nn_epilogue plain = { SJ_NN_EP_CONV, 1.0f, 0 };
    ISA(wino_in)(rows, cs, half, cin, t0, nt, V, nt);
    for (size_t e = 0; e < 16; e++)
        ISA(row_conv)(V + e * cin * nt, nt, 0, 0, cin, U + e * cout * cin, cin, NULL, &plain,
                      NULL, 0, NULL, M + e * cout * nt, nt, cout, nt, 1, 1);
    ISA(wino_out)(M, nt, cout, nt, bias, O, os);
}

/* A whole convolution (chunk: another chunk kernel, e.g. wino_chunk_bf16, or NULL for
 * this ISA's wino_chunk; with post->pre_w, x is the pre-fused 1x1's input), tile row by
 * tile row: the 4 split input rows a tile row reads sit
 * in a ring of 4 slots per channel (slot = padded row mod 4), so each input row is split
 * once and the next tile row adds only its 2 new rows; each tile row goes in chunks of
 * SJ_NN_WINO_TC tiles, each chunk's two output rows through the epilogue (or the pixel
 * shuffle's store). The scratch
 * holds the ring, then V, M and O (sj_nn_winograd_scratch). */
static TARGET void ISA(wino_conv)(const float* x, sj_nn_shape in, sj_nn_shape out, size_t ph,
                                  size_t pw, const float* U, const float* bias,
                                  const sj_nn_post* post, const sj_nn_epilogue* ep,
                                  const float* xg, const float* res, float* y, float* scratch,
                                  size_t half, sj_wino_chunk_fn chunk)
{
    const float* gamma = post ? post->gamma : NULL;
    const float* beta = post ? post->beta : NULL;
    int shuffle = post && post->shuffle;
    int pwise = post && post->pw_w;
    size_t cin = in.c, cout = out.c, wp = 2 * half, cs = 4 * wp, plane = out.h * out.w;
    size_t nth = (out.h + 1) / 2, ntw = (out.w + 1) / 2, os = 2 * SJ_NN_WINO_TC;
    float* ring = scratch;
    float* V = ring + cin * cs;
    float* M = V + 16 * cin * SJ_NN_WINO_TC;
    float* O = M + 16 * cout * SJ_NN_WINO_TC;
    float* pre_row = O + 2 * cout * 2 * SJ_NN_WINO_TC; /* cin rows of in.w (pre-fused 1x1) */
    int pre = post && post->pre_w;
    size_t next = 0; /* next padded row to split */
    for (size_t tr = 0; tr < nth; tr++) {
        for (; next < 2 * tr + 4; next++) { /* padded rows 2 tr .. 2 tr + 3 */
            long iy = (long)next - (long)ph;
            int inside = iy >= 0 && iy < (long)in.h;
            const float* src = inside ? x + (size_t)iy * in.w : NULL; /* channel 0's row */
            size_t src_cs = in.h * in.w;
            if (pre && inside) { /* this row of the 1x1's output, all cin channels */
                ISA(row_conv)(src, src_cs, 0, 0, post->pre_cin, post->pre_w, post->pre_cin,
                              post->pre_bias, post->pre_ep, NULL, 0, NULL, pre_row, in.w, cin,
                              in.w, 1, 1);
                src = pre_row, src_cs = in.w;
            }
            for (size_t ci = 0; ci < cin; ci++)
                ISA(split_row)(src ? src + ci * src_cs : NULL, in.w, pw, half,
                               ring + ci * cs + (next % 4) * wp);
        }
        const float* rows[4];
        for (size_t k = 0; k < 4; k++)
            rows[k] = ring + ((2 * tr + k) % 4) * wp;
        for (size_t t0 = 0; t0 < ntw; t0 += SJ_NN_WINO_TC) {
            size_t nt = ntw - t0 < SJ_NN_WINO_TC ? ntw - t0 : SJ_NN_WINO_TC;
            nt = (nt + VW - 1) / VW * VW;
            (chunk ? chunk : ISA(wino_chunk))(rows, cs, half, cin, cout, t0, nt, U, bias, V, M,
                                              O, os);
            for (size_t r = 0; r < 2 && 2 * tr + r < out.h; r++) {
                size_t px0 = 2 * t0, npx = out.w - px0 < 2 * nt ? out.w - px0 : 2 * nt;
                size_t off = (2 * tr + r) * out.w + px0;
                size_t wo = 2 * out.w, soff = 2 * (2 * tr + r) * wo + 2 * px0; /* shuffled */
                for (size_t q = 0; shuffle && q < npx; q += PB * VW)
                    ISA(shuffle_store)(O + r * cout * os + q, os,
                                       npx - q < PB * VW ? npx - q : PB * VW, cout, ep,
                                       res ? res + soff + 2 * q : NULL, y + soff + 2 * q, wo,
                                       4 * plane);
                for (size_t q = 0; pwise && q < npx; q += PB * VW)
                    ISA(wino_pw)(O + r * cout * os + q, os,
                                 npx - q < PB * VW ? npx - q : PB * VW, cout, post, ep,
                                 res ? res + off + q : NULL, y + off + q, plane);
                for (size_t q = 0; !shuffle && !pwise && q < npx; q += PB * VW)
                    ISA(wino_ep)(O + r * cout * os + q, os,
                                 npx - q < PB * VW ? npx - q : PB * VW, cout, gamma, beta,
                                 ep, xg ? xg + off + q : NULL, res ? res + off + q : NULL,
                                 y + off + q, plane);
            }
        }
    }
}
