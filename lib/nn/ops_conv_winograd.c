/* Winograd F(2x2, 3x3) for the stride-1 3x3 convolutions with enough channels on both
 * sides (winograd_kernel.h has the arithmetic): 16 multiplications per 2x2 output tile
 * and channel pair instead of 36, which is what the direct kernel, already near the
 * FMA units' peak on these layers, cannot get below. The transforms add a few adds per
 * value, and everything between them stays in L2 (a ring of 4 input rows, chunks of
 * tiles).
 *
 * Exactness: B and A hold only 0 and +-1, and G's 1/2 are exact in binary, so the only
 * extra rounding is in the sums of a few terms: a few ulp of the activations' size, far
 * inside the 1e-4 parity tolerance (tests/nn/test_conv_direct.c compares with im2col).
 * SJ_NN_WINOGRAD=0 in the environment turns it off (the direct kernel then runs). */
#include "nn_internal.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#define SJ_NN_WINO_TC 48                   /* tiles per chunk: a multiple of every VW */

/* One chunk of tiles: input transform, products, output transform (winograd_kernel.h). */
typedef void (*sj_wino_chunk_fn)(const float* const* rows, size_t cs, size_t half, size_t cin,
                                 size_t cout, size_t t0, size_t nt, const float* U,
                                 const float* bias, float* V, float* M, float* O, size_t os);

#if defined(__GNUC__) && defined(__x86_64__)
#define SJ_NN_X86 1
#include "simd_avx512.h"
#include "conv_direct_kernel.h"
#include "winograd_kernel.h"
#include "winograd_bf16_kernel.h"
#include "simd_undef.h"

#include "simd_avx2.h"
#include "conv_direct_kernel.h"
#include "winograd_kernel.h"
#include "simd_undef.h"
#else
#define SJ_NN_X86 0
#endif

int sj_nn_winograd_fits(const sj_nn_node* n, sj_nn_isa isa)
{
    static int off = -1; /* benign race: every thread computes the same value */
    if (off < 0) {
        const char* e = getenv("SJ_NN_WINOGRAD");
        off = e && !strcmp(e, "0");
    }
    /* Below 8 channels on either side the transforms cost more than they save. */
    return SJ_NN_X86 && !off && isa != SJ_NN_ISA_GENERIC && n->op == SJ_OP_CONV2D &&
           n->kh == 3 && n->kw == 3 && n->sh == 1 && n->sw == 1 && n->cin >= 8 &&
           n->cout >= 8;
}

/* Half a split band row: tiles rounded up to whole chunks, + 1 for the patches' overlap. */
static size_t half_len(sj_nn_shape out)
{
    size_t ntw = (out.w + 1) / 2;
    return (ntw + SJ_NN_WINO_TC - 1) / SJ_NN_WINO_TC * SJ_NN_WINO_TC + 1;
}

/* V, M and O: what follows the band in the scratch. */
static size_t tiles_len(const sj_nn_node* n)
{
    return 16 * n->cin * SJ_NN_WINO_TC + 16 * n->cout * SJ_NN_WINO_TC +
           2 * n->cout * 2 * SJ_NN_WINO_TC;
}

size_t sj_nn_winograd_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out,
                              size_t budget)
{
    (void)budget; /* a ring of 4 rows per channel: small; then one input row per channel
                   * for a 1x1 fused before (sj_nn_post.pre_w) */
    return n->cin * 4 * 2 * half_len(out) + tiles_len(n) + n->cin * in.w;
}

int sj_nn_winograd_bf16_supported(void)
{
#if SJ_NN_X86
    __builtin_cpu_init();
    return __builtin_cpu_supports("avx512f") && __builtin_cpu_supports("avx512bw") &&
           __builtin_cpu_supports("avx512bf16");
#else
    return 0;
#endif
}

size_t sj_nn_winograd_packed_len(const sj_nn_node* n, int bf16)
{
    return 16 * n->cout * (bf16 ? (n->cin + 1) / 2 : n->cin);
}

/* float32 to bfloat16, round to nearest even (as VCVTNE2PS2BF16 does; weights are finite) */
static uint32_t bf16_bits(float f)
{
    uint32_t b;
    memcpy(&b, &f, sizeof b);
    return (b + 0x7fffu + ((b >> 16) & 1u)) >> 16;
}

/* One position's [cout][cin] float32 weights as wino_gemm_bf16 reads them: channel blocks
 * of 8, 4, 2, 1, each [cin pair][cob] pairs. */
static void pack_pairs(const float* u, size_t cout, size_t cin, uint32_t* dst)
{
    size_t np = (cin + 1) / 2;
    for (size_t co = 0; co < cout;) {
        size_t cob = 8;
        while (co + cob > cout)
            cob /= 2;
        for (size_t cp = 0; cp < np; cp++)
            for (size_t c = 0; c < cob; c++) {
                const float* w = u + (co + c) * cin;
                uint32_t lo = bf16_bits(w[2 * cp]);
                uint32_t hi = 2 * cp + 1 < cin ? bf16_bits(w[2 * cp + 1]) : 0u;
                dst[co * np + cp * cob + c] = lo | hi << 16;
            }
        co += cob;
    }
}

int sj_nn_winograd_pack(const sj_nn_node* n, sj_nn_isa isa, int bf16, float* dst)
{
    /* U = G g G^T per channel pair, G = [1 0 0; 1/2 1/2 1/2; 1/2 -1/2 1/2; 0 0 1], in
     * double; then each of the 16 positions packed as a 1x1 layer's [cout, cin] weight. */
    static const double G[4][3] = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 },
                                    { 0, 0, 1 } };
    size_t cin = n->cin, cout = n->cout;
    float* u = malloc(16 * cout * cin * sizeof(float));
    if (!u)
        return -1;
    for (size_t co = 0; co < cout; co++)
        for (size_t ci = 0; ci < cin; ci++) {
            const float* g = n->weight->data + (co * cin + ci) * 9;
            for (int i = 0; i < 4; i++)
                for (int j = 0; j < 4; j++) {
                    double s = 0.0;
                    for (int a = 0; a < 3; a++)
                        for (int b = 0; b < 3; b++)
                            s += G[i][a] * (double)g[a * 3 + b] * G[j][b];
                    u[((size_t)(4 * i + j) * cout + co) * cin + ci] = (float)s;
                }
        }
    for (size_t e = 0; bf16 && e < 16; e++)
        pack_pairs(u + e * cout * cin, cout, cin, (uint32_t*)dst + e * cout * ((cin + 1) / 2));
    for (size_t e = 0; !bf16 && e < 16; e++) {
        sj_nn_tensor t = { .ndim = 4, .shape = { cout, cin, 1, 1 }, .count = cout * cin,
                           .data = u + e * cout * cin };
        sj_nn_node one = { .op = SJ_OP_CONV2D, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                           .cin = cin, .cout = cout, .weight = &t };
        sj_nn_conv_direct_pack(&one, isa, dst + e * cout * cin);
    }
    free(u);
    return 0;
}

void sj_nn_winograd_conv(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                         sj_nn_shape out, const float* packed, float* scratch,
                         size_t scratch_len, sj_nn_isa isa, int bf16, const sj_nn_post* post,
                         const sj_nn_epilogue* ep, const float* xg, const float* res)
{
    (void)scratch_len; /* at least sj_nn_winograd_scratch's */
    const float* bias = n->bias ? n->bias->data : NULL;
#if SJ_NN_X86
    if (isa == SJ_NN_ISA_AVX512)
        wino_conv_avx512(x, in, out, n->ph, n->pw, packed, bias, post, ep, xg, res, y, scratch,
                         half_len(out), bf16 ? wino_chunk_bf16 : NULL);
    else if (isa == SJ_NN_ISA_AVX2)
        wino_conv_avx2(x, in, out, n->ph, n->pw, packed, bias, post, ep, xg, res, y, scratch,
                       half_len(out), NULL);
#else
    (void)x, (void)in, (void)y, (void)packed, (void)scratch, (void)isa, (void)ep, (void)xg;
    (void)bf16;
    (void)res, (void)bias, (void)post;
#endif
}
