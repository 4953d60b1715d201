/* Direct convolution for the narrow 1x1 and 3x3 layers (stride 1 or 2) of DeepJSCEC-style
 * networks, and the vectorised sigmoid that shares their instruction-set plumbing.
 *
 * With 8-32 channels, im2col + sgemm spends most of its time moving data: im2col writes
 * Cin*9 copies of the input, and OpenBLAS then packs that [Cin*9, pixels] matrix again
 * before its kernel sees it, while each packed value feeds only Cout (8-32) FMAs. Here
 * the output is made directly, vectorised along the pixels of a row: a tile of up to 8
 * output channels x 48 pixels (AVX-512; 4 x 16 with AVX2) lives in registers while every
 * input channel and tap is added in (conv_direct_kernel.h). A 3x3 convolution first
 * copies a band of input rows, zero-padded, into the scratch (one extra pass over the
 * input, small next to the Cout*9 FMAs each value feeds); a stride-1 1x1 convolution
 * reads its input plane in place. For stride 2 the band copy also splits each row into
 * its even and odd columns, so the kernel's loads stay contiguous.
 *
 * The instruction set is chosen once per process from __builtin_cpu_supports (the plan
 * records it per node); SJ_NN_ISA=generic|avx2|avx512 caps it, e.g. to compare with the
 * im2col path. Without AVX2 + FMA (or on other architectures) the plan keeps im2col. */
#include "nn_internal.h"

#include <stdlib.h>
#include <string.h>

#if defined(__GNUC__) && defined(__x86_64__)
#define SJ_NN_X86 1
#else
#define SJ_NN_X86 0
#endif

/* Band of padded input rows kept below this many floats (256 KiB: it stays in L2 while
 * the band's output rows are made). */
#define SJ_NN_DIRECT_BAND ((size_t)1 << 16)
/* Padded row length: every vector load of the kernels stays inside the row. */
#define SJ_NN_DIRECT_VMAX 16

#if SJ_NN_X86
#include "simd_avx512.h"
#include "conv_direct_kernel.h"
#include "simd_undef.h"

#include "simd_avx2.h"
#include "conv_direct_kernel.h"
#include "simd_undef.h"
#endif

static sj_nn_isa detect_isa(void)
{
    sj_nn_isa best = SJ_NN_ISA_GENERIC;
#if SJ_NN_X86
    __builtin_cpu_init();
    if (__builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma"))
        best = SJ_NN_ISA_AVX2;
    if (best == SJ_NN_ISA_AVX2 && __builtin_cpu_supports("avx512f"))
        best = SJ_NN_ISA_AVX512;
#endif
    const char* cap = getenv("SJ_NN_ISA");
    if (cap && !strcmp(cap, "generic"))
        best = SJ_NN_ISA_GENERIC;
    else if (cap && !strcmp(cap, "avx2") && best > SJ_NN_ISA_AVX2)
        best = SJ_NN_ISA_AVX2;
    return best;
}

sj_nn_isa sj_nn_cpu_isa(void)
{
    /* Benign race: every thread computes the same value. */
    static int cached = -1;
    if (cached < 0)
        cached = (int)detect_isa();
    return (sj_nn_isa)cached;
}

int sj_nn_isa_supported(sj_nn_isa isa)
{
#if SJ_NN_X86
    __builtin_cpu_init();
    int avx2 = __builtin_cpu_supports("avx2") && __builtin_cpu_supports("fma");
    if (isa == SJ_NN_ISA_AVX2)
        return avx2;
    if (isa == SJ_NN_ISA_AVX512)
        return avx2 && __builtin_cpu_supports("avx512f");
#endif
    return isa == SJ_NN_ISA_GENERIC;
}

int sj_nn_conv_direct_fits(const sj_nn_node* n)
{
    return n->op == SJ_OP_CONV2D && n->sh == n->sw && (n->sh == 1 || n->sh == 2) &&
           n->kh == n->kw && (n->kh == 1 || n->kh == 3);
}

/* 1x1 stride 1 without padding reads the input in place; everything else goes through a
 * band. */
static int in_place(const sj_nn_node* n)
{
    return n->kh == 1 && n->sh == 1 && n->ph == 0 && n->pw == 0;
}

/* Band row: the output row's pixels rounded up to whole vectors, plus the taps' reach
 * beyond them; with stride 2 two halves of that (even then odd padded columns). */
static size_t half_row(const sj_nn_node* n, sj_nn_shape out)
{
    size_t w = (out.w + SJ_NN_DIRECT_VMAX - 1) / SJ_NN_DIRECT_VMAX * SJ_NN_DIRECT_VMAX;
    return n->sw == 1 ? w + n->kw - 1 : w + (n->kw - 1) / 2;
}

static size_t padded_row(const sj_nn_node* n, sj_nn_shape out)
{
    return n->sw * half_row(n, out);
}

/* Input rows a band of `rows` output rows reads. */
static size_t band_span(const sj_nn_node* n, size_t rows) { return (rows - 1) * n->sh + n->kh; }

static size_t band_rows(const sj_nn_node* n, sj_nn_shape out, size_t budget)
{
    size_t row = n->cin * padded_row(n, out);
    size_t fit = budget / row; /* input rows that fit */
    size_t rows = fit > n->kh ? (fit - n->kh) / n->sh + 1 : 1;
    return rows > out.h ? out.h : rows;
}

size_t sj_nn_conv_direct_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out,
                                 size_t budget)
{
    (void)in;
    if (in_place(n))
        return 0;
    if (budget > SJ_NN_DIRECT_BAND)
        budget = SJ_NN_DIRECT_BAND;
    return n->cin * band_span(n, band_rows(n, out, budget)) * padded_row(n, out);
}

/* Stride 1: band[ci][r][c] = x[ci][iy][c - pw] with iy = r0 - ph + r, zero outside the
 * input. Stride 2: the same padded row stored as its even columns, then (from `half`) its
 * odd columns, and iy = 2 r0 - ph + r. Rows no tap reads (a 1x1 stride-2 kernel skips every
 * other row) are left as they are. */
static void fill_band(const sj_nn_node* n, const float* x, sj_nn_shape in, size_t r0,
                      size_t nb, size_t wp, size_t half, float* band, sj_nn_isa isa)
{
    size_t S = n->sh;
    for (size_t ci = 0; ci < in.c; ci++)
        for (size_t r = 0; r < nb; r++) {
            if (n->kh < S && r % S >= n->kh)
                continue;
            float* d = band + (ci * nb + r) * wp;
            long iy = (long)(r0 * S + r) - (long)n->ph;
            if (iy < 0 || iy >= (long)in.h) {
                memset(d, 0, wp * sizeof(float));
                continue;
            }
            const float* src = x + (ci * in.h + (size_t)iy) * in.w;
            if (S == 1) {
                /* in.w + 2*pw - kw + 1 = out.w, so pw + in.w <= wp. */
                memset(d, 0, n->pw * sizeof(float));
                memcpy(d + n->pw, src, in.w * sizeof(float));
                memset(d + n->pw + in.w, 0, (wp - n->pw - in.w) * sizeof(float));
                continue;
            }
#if SJ_NN_X86
            if (isa == SJ_NN_ISA_AVX512) {
                split_row_avx512(src, in.w, n->pw, half, d);
                continue;
            }
            if (isa == SJ_NN_ISA_AVX2) {
                split_row_avx2(src, in.w, n->pw, half, d);
                continue;
            }
#endif
            (void)isa;
            sj_nn_split_row(src, in.w, n->pw, half, d);
        }
}

void sj_nn_split_row(const float* src, size_t w, size_t pw, size_t half, float* d)
{
    /* Padded column 2j + phase is input column 2j + phase - pw. */
    for (long phase = 0; phase < 2; phase++) {
        float* dh = d + (size_t)phase * half;
        long j = 0, nh = (long)half, p = (long)pw, last = (long)w - 1 - phase + p;
        for (; j < nh && 2 * j + phase - p < 0; j++)
            dh[j] = 0.0f;
        long jend = !src || last < 0 ? 0 : last / 2 + 1; /* first j past the row */
        if (jend > nh)
            jend = nh;
        for (; j < jend; j++)
            dh[j] = src[2 * j + phase - p];
        for (; j < nh; j++)
            dh[j] = 0.0f;
    }
}

void sj_nn_conv_direct_pack(const sj_nn_node* n, sj_nn_isa isa, float* dst)
{
    /* Channel blocks as SJ_DIRECT_CHANNELS walks them: the ISA's COB, then 4, 2, 1. */
    size_t cob_max = isa == SJ_NN_ISA_AVX512 ? 8 : 4;
    size_t kk = n->kh * n->kw, wco = n->cin * kk;
    const float* w = n->weight->data;
    for (size_t co = 0; co < n->cout;) {
        size_t cob = cob_max;
        while (co + cob > n->cout)
            cob /= 2;
        for (size_t ci = 0; ci < n->cin; ci++)
            for (size_t t = 0; t < kk; t++)
                for (size_t c = 0; c < cob; c++)
                    dst[co * wco + (ci * kk + t) * cob + c] = w[(co + c) * wco + ci * kk + t];
        co += cob;
    }
}

typedef void (*row_fn)(const float*, size_t, size_t, size_t, size_t, const float*, size_t,
                       const float*, const sj_nn_epilogue*, const float*, const float*, size_t,
                       const float*, const float*, float*, size_t, size_t, size_t, int, int);

static row_fn row_of(sj_nn_isa isa)
{
#if SJ_NN_X86
    return isa == SJ_NN_ISA_AVX512 ? row_avx512 : isa == SJ_NN_ISA_AVX2 ? row_avx2 : NULL;
#else
    (void)isa;
    return NULL;
#endif
}

void sj_nn_conv_direct(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                       sj_nn_shape out, const float* packed, float* scratch,
                       size_t scratch_len, sj_nn_isa isa, const sj_nn_post* post,
                       const sj_nn_epilogue* ep, const float* xg, const float* res)
{
    row_fn row = row_of(isa);
    const float* gamma = post ? post->gamma : NULL;
    const float* beta = post ? post->beta : NULL;
    size_t wo = post && post->shuffle ? 2 * out.w : 0; /* shuffled output row */
    if (!row) /* not reached: the plan picks an ISA only where one is compiled in */
        return;
    size_t K = n->kh, S = n->sh, wco = n->cin * K * K, plane = out.h * out.w;
    const float* bias = n->bias ? n->bias->data : NULL;
    if (in_place(n)) {
        row(x, in.h * in.w, 0, 0, n->cin, packed, wco, bias, ep, gamma, beta, 0, xg, res, y,
            plane, n->cout, plane, (int)K, 1);
        return;
    }
    /* The plan's scratch fits the largest layer; bands stay L2-sized regardless. */
    size_t wp = padded_row(n, out), half = half_row(n, out);
    size_t rows = band_rows(n, out, scratch_len < SJ_NN_DIRECT_BAND ? scratch_len
                                                                     : SJ_NN_DIRECT_BAND);
    for (size_t r0 = 0; r0 < out.h; r0 += rows) {
        size_t nr = r0 + rows <= out.h ? rows : out.h - r0;
        size_t nb = band_span(n, nr);
        fill_band(n, x, in, r0, nb, wp, half, scratch, isa);
        for (size_t r = 0; r < nr; r++) {
            /* shuffled: output row 2h, channel 0 */
            size_t off = wo ? 2 * (r0 + r) * wo : (r0 + r) * out.w;
            row(scratch + r * S * wp, nb * wp, wp, half, n->cin, packed, wco, bias, ep, gamma,
                beta, wo, xg ? xg + off : NULL, res ? res + off : NULL, y + off, plane, n->cout, out.w,
                (int)K, (int)S);
        }
    }
}

void sj_nn_sigmoid_isa(sj_nn_isa isa, const float* x, float* y, size_t len)
{
#if SJ_NN_X86
    if (isa == SJ_NN_ISA_AVX512) {
        sigmoid_array_avx512(x, y, len);
        return;
    }
    if (isa == SJ_NN_ISA_AVX2) {
        sigmoid_array_avx2(x, y, len);
        return;
    }
#endif
    (void)isa;
    sj_nn_sigmoid(x, y, len);
}

int sj_nn_gdn_direct_fits(const sj_nn_node* n)
{
    return (n->op == SJ_OP_GDN || n->op == SJ_OP_IGDN) && n->cin <= SJ_NN_GDN_DIRECT_MAXC;
}

void sj_nn_gdn_direct_pack(const sj_nn_node* n, sj_nn_isa isa, float* dst)
{
    /* gamma [C, C] is the weight of a 1x1 convolution of x^2 with bias beta. */
    sj_nn_node conv = { .op = SJ_OP_CONV2D, .kh = 1, .kw = 1, .sh = 1, .sw = 1,
                        .cin = n->cin, .cout = n->cin, .weight = n->gamma };
    sj_nn_conv_direct_pack(&conv, isa, dst);
}

void sj_nn_gdn_direct(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s,
                      const float* packed, sj_nn_isa isa, const sj_nn_epilogue* ep,
                      const float* res)
{
#if SJ_NN_X86
    if (isa == SJ_NN_ISA_AVX512)
        gdn_avx512(x, s.c, s.h * s.w, packed, n->beta->data, ep, res, y);
    else if (isa == SJ_NN_ISA_AVX2)
        gdn_avx2(x, s.c, s.h * s.w, packed, n->beta->data, ep, res, y);
#else
    (void)n, (void)x, (void)y, (void)s, (void)packed, (void)isa, (void)ep, (void)res;
#endif
}
