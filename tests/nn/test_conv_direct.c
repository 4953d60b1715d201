/* The direct convolution kernels (lib/nn/ops_conv_direct.c) against the im2col + sgemm
 * path on random data, on every instruction set this CPU runs (the network tests run only
 * the best one, and GNU Radio's QA tests force VOLK's generic kernels, which does not
 * reach these). Shapes cover what the kernels treat separately: channel counts that are
 * and are not multiples of the register blocks (8/4/2/1 output channels), widths below,
 * at and above a vector and a 3-vector pixel block (right-edge masks), 1x1 planes whose
 * length is not a multiple of the vector (masked loads at the end of the buffer), every
 * padding of a 3x3, bands of one row or a few (small scratch), bias or none, and the
 * fused activations. Buffers are exact-sized mallocs (AddressSanitizer sees overruns by
 * the plain loads and the band copy) with a guard zone after the output, checked by
 * hand because masked stores are not instrumented. The fused epilogues (residual add,
 * activation; GDN/IGDN as a 1x1 convolution of the squares; the attention gate and a
 * final sigmoid), stride 2 and the vector sigmoid are checked the same way. */
#include "sj_test.h"

#include "nn_internal.h"

#include <stdint.h>
#include <string.h>

#define TOL 1e-4
#define GUARD 64

static uint32_t rng = 12345u;

static float frand(void)
{
    rng = rng * 1664525u + 1013904223u;
    return (float)(rng >> 8) / 16777216.0f - 0.5f;
}

static float* rand_buf(size_t n)
{
    float* p = malloc((n ? n : 1) * sizeof(float));
    for (size_t i = 0; i < n; i++)
        p[i] = frand();
    return p;
}

/* One shape on one ISA with one scratch size; returns the max abs error (or a huge
 * value when the guard zone was written). */
static float sigmoid_ref(float x) { return 1.0f / (1.0f + expf(-x)); }

/* A guard zone after an output of n floats, set before the kernel runs. */
static void set_guard(float* y, size_t n)
{
    for (size_t i = 0; i < GUARD; i++)
        y[n + i] = 1234.5f;
}

/* Max abs error of y[0..n) against ref (a NaN counts), or 1e30 when `guarded` and the
 * guard zone after y was written (masked stores are not instrumented by AddressSanitizer). */
static double max_error(const float* y, const float* ref, size_t n, int guarded)
{
    double err = 0.0;
    for (size_t i = 0; i < n; i++) {
        double e = fabs((double)y[i] - (double)ref[i]);
        if (!(e <= err))
            err = e;
    }
    for (size_t i = 0; guarded && i < GUARD; i++)
        if (y[n + i] != 1234.5f)
            err = 1e30;
    return err;
}

/* The epilogue's tail on a reference: + residual (NULL: none), then the activation. */
static void res_act_ref(float* ref, const float* res, size_t n, float slope)
{
    for (size_t i = 0; i < n; i++) {
        if (res)
            ref[i] += res[i];
        if (!(ref[i] > 0.0f))
            ref[i] *= slope;
    }
}

/* Epilogue variations on top of the residual and the activation: gate (GATE mode, the
 * conv output through a sigmoid times a random tensor), a fused GDN/IGDN (reference:
 * ops_gdn.c), and a final sigmoid. */
typedef struct {
    size_t stride;
    int gate, sigmoid;
    int gdn; /* 1 GDN, 2 IGDN fused after the convolution (before res/activation) */
    int wino; /* through sj_nn_winograd_conv (3x3 stride 1) */
    int shuffle; /* a pixel shuffle (factor 2) fused, before res/activation */
    int bf16; /* Winograd with its products in bfloat16 (error relative to max |ref|) */
} conv_extra;

static double run_case_x(sj_nn_isa isa, size_t cin, size_t cout, size_t k, size_t pad,
                         size_t h, size_t w, int with_bias, float slope, int with_res,
                         size_t budget, conv_extra ex)
{
    size_t st = ex.stride;
    sj_nn_tensor wt = { .ndim = 4, .shape = { cout, cin, k, k }, .count = cout * cin * k * k };
    sj_nn_tensor bt = { .ndim = 1, .shape = { cout }, .count = cout };
    wt.data = rand_buf(wt.count);
    bt.data = rand_buf(cout);
    sj_nn_node n = { .op = SJ_OP_CONV2D, .kh = k, .kw = k, .sh = st, .sw = st, .ph = pad,
                     .pw = pad, .cin = cin, .cout = cout, .weight = &wt,
                     .bias = with_bias ? &bt : NULL };
    sj_nn_shape in = { cin, h, w }, out = { cout, (h + 2 * pad - k) / st + 1,
                                            (w + 2 * pad - k) / st + 1 };
    size_t ny = cout * out.h * out.w;
    float* x = rand_buf(cin * h * w);
    float* ref = rand_buf(ny);
    float* y = rand_buf(ny + GUARD);
    set_guard(y, ny);
    size_t s_ref = sj_nn_conv_scratch(&n, in, out, (size_t)1 << 20);
    float* scratch_ref = rand_buf(s_ref);
    float* res = with_res ? rand_buf(ny) : NULL;
    float* xg = ex.gate ? rand_buf(ny) : NULL;
    sj_nn_conv2d(&n, x, in, ref, out, scratch_ref, s_ref);
    sj_nn_tensor gt = { .ndim = 2, .shape = { cout, cout }, .count = cout * cout };
    sj_nn_tensor gb = { .ndim = 1, .shape = { cout }, .count = cout };
    sj_nn_node g = { .op = ex.gdn == 2 ? SJ_OP_IGDN : SJ_OP_GDN, .cin = cout, .cout = cout,
                     .beta = &gb, .gamma = &gt };
    float* gpacked = NULL;
    if (ex.gdn) {
        gt.data = rand_buf(gt.count);
        gb.data = rand_buf(cout);
        for (size_t i = 0; i < gt.count; i++)
            gt.data[i] = 0.2f * fabsf(gt.data[i]);
        for (size_t i = 0; i < cout; i++)
            gb.data[i] = 0.6f + gb.data[i];
        sj_nn_shape so = out;
        size_t sl = sj_nn_gdn_scratch(so, (size_t)1 << 20);
        float* gs = rand_buf(sl);
        sj_nn_gdn(&g, ref, ref, so, gs, sl);
        free(gs);
        gpacked = rand_buf(gt.count);
        sj_nn_gdn_direct_pack(&g, isa, gpacked);
    }
    if (ex.shuffle) {
        float* t = malloc(ny * sizeof(float));
        sj_nn_pixel_shuffle(ref, out, t, 2);
        memcpy(ref, t, ny * sizeof(float));
        free(t);
    }
    sj_nn_post stage = { .gamma = gpacked, .beta = ex.gdn ? gb.data : NULL,
                         .shuffle = ex.shuffle };
    for (size_t i = 0; i < ny; i++) {
        if (xg)
            ref[i] = xg[i] * sigmoid_ref(ref[i]);
        if (res)
            ref[i] += res[i];
        if (!(ref[i] > 0.0f))
            ref[i] *= slope;
        if (ex.sigmoid)
            ref[i] = sigmoid_ref(ref[i]);
    }
    size_t s = ex.wino ? sj_nn_winograd_scratch(&n, in, out, budget)
                       : sj_nn_conv_direct_scratch(&n, in, out, budget);
    float* scratch = rand_buf(s);
    float* packed = rand_buf(ex.wino ? sj_nn_winograd_packed_len(&n, ex.bf16) : wt.count);
    if (ex.wino)
        sj_nn_winograd_pack(&n, isa, ex.bf16, packed);
    else
        sj_nn_conv_direct_pack(&n, isa, packed);
    sj_nn_ep_mode mode = ex.gate ? SJ_NN_EP_GATE
                         : ex.gdn ? (ex.gdn == 2 ? SJ_NN_EP_IGDN : SJ_NN_EP_GDN)
                                  : SJ_NN_EP_CONV;
    sj_nn_epilogue ep = { mode, slope, ex.sigmoid };
    if (ex.wino)
        sj_nn_winograd_conv(&n, x, in, y, out, packed, scratch, s, isa, ex.bf16,
                            ex.gdn || ex.shuffle ? &stage : NULL, &ep, xg, res);
    else
        sj_nn_conv_direct(&n, x, in, y, out, packed, scratch, s, isa,
                          ex.gdn || ex.shuffle ? &stage : NULL, &ep, xg, res);
    double err = max_error(y, ref, ny, 1);
    if (ex.bf16 && err < 1e30) {
        double top = 0.0;
        for (size_t i = 0; i < ny; i++)
            top = fmax(top, fabs((double)ref[i]));
        err /= top > 0.0 ? top : 1.0;
    }
    free(wt.data);
    free(bt.data);
    free(x);
    free(ref);
    free(y);
    free(scratch_ref);
    free(scratch);
    free(packed);
    free(res);
    free(xg);
    if (ex.gdn) {
        free(gt.data);
        free(gb.data);
        free(gpacked);
    }
    return err;
}

static double run_case(sj_nn_isa isa, size_t cin, size_t cout, size_t k, size_t pad,
                       size_t h, size_t w, int with_bias, float slope, int with_res,
                       size_t budget)
{
    conv_extra ex = { 1, 0, 0, 0, 0, 0, 0 };
    return run_case_x(isa, cin, cout, k, pad, h, w, with_bias, slope, with_res, budget, ex);
}

static int isa_cases(sj_nn_isa isa, int* sj_failed_)
{
    static const size_t cins[] = { 1, 3, 8, 17 };
    static const size_t couts[] = { 1, 3, 4, 7, 8, 12, 16, 19 };
    static const size_t sizes[][2] = { { 1, 1 }, { 2, 7 }, { 3, 8 }, { 5, 16 }, { 4, 17 },
                                       { 3, 47 }, { 2, 49 }, { 6, 53 } };
    static const float slopes[] = { 1.0f, 0.0f, 0.01f };
    int ncases = 0;
    for (size_t a = 0; a < sizeof cins / sizeof *cins; a++)
        for (size_t b = 0; b < sizeof couts / sizeof *couts; b++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                for (size_t kc = 0; kc < 5; kc++) {
                    /* (k, pad): 1x1 in place, 1x1 padded (band), 3x3 pad 0/1/2 */
                    size_t k = kc < 2 ? 1 : 3, pad = kc < 2 ? kc : kc - 2;
                    size_t h = sizes[s][0], w = sizes[s][1];
                    if (h + 2 * pad < k || w + 2 * pad < k)
                        continue;
                    int bias = (int)((a + b + s) % 2);
                    float slope = slopes[(a + b + s + kc) % 3];
                    /* Scratch for bands of 1 row, and the default. */
                    size_t budgets[2] = { 1, (size_t)1 << 20 };
                    for (int bi = 0; bi < 2; bi++) {
                        int res = (int)((a + s + kc + (size_t)bi) % 2);
                        double err = run_case(isa, cins[a], couts[b], k, pad, h, w, bias,
                                              slope, res, budgets[bi]);
                        ncases++;
                        SJ_CHECK(err <= TOL,
                                 "isa %d: %zu->%zu k%zu pad %zu %zux%zu bias %d slope %g "
                                 "residual %d budget %zu: max abs error %g",
                                 (int)isa, cins[a], couts[b], k, pad, h, w, bias,
                                 (double)slope, res, budgets[bi], err);
                    }
                }
    return ncases;
}

SJ_TEST(direct_matches_im2col_every_isa)
{
    int tested = 0;
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa)) {
            printf("  isa %d: not supported by this CPU, skipped\n", isa);
            continue;
        }
        int n = isa_cases((sj_nn_isa)isa, sj_failed_);
        printf("  isa %d: %d cases\n", isa, n);
        tested++;
    }
    (void)tested;
}

/* Layers of the shipped networks' size class, 16 channels at a width that is not a
 * multiple of the pixel block, with bands of several rows. */
SJ_TEST(direct_network_sizes)
{
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        double e1 = run_case((sj_nn_isa)isa, 16, 16, 3, 1, 37, 101, 1, 0.01f, 0, 1 << 16);
        double e2 = run_case((sj_nn_isa)isa, 16, 64, 3, 1, 9, 50, 1, 1.0f, 1, 1 << 14);
        double e3 = run_case((sj_nn_isa)isa, 32, 16, 1, 0, 19, 23, 1, 0.0f, 1, 1 << 20);
        SJ_CHECK(e1 <= TOL && e2 <= TOL && e3 <= TOL, "isa %d: errors %g %g %g", isa, e1, e2,
                 e3);
        /* a ResBlock's conv2 + GDN + skip, its stride-2 conv1, and an IGDN at 64 channels
         * (the fused GDN's largest tile) */
        conv_extra g = { 1, 0, 0, 1, 0, 0, 0 }, s2 = { 2, 0, 0, 0, 0, 0, 0 },
                   ig = { 1, 0, 0, 2, 0, 0, 0 };
        double e4 = run_case_x((sj_nn_isa)isa, 32, 32, 3, 1, 11, 101, 1, 1.0f, 1, 1 << 16, g);
        double e5 = run_case_x((sj_nn_isa)isa, 3, 32, 3, 1, 24, 97, 1, 0.01f, 0, 1 << 16, s2);
        double e6 = run_case_x((sj_nn_isa)isa, 16, 64, 3, 1, 5, 61, 1, 0.0f, 1, 1 << 20, ig);
        SJ_CHECK(e4 <= TOL && e5 <= TOL && e6 <= TOL, "isa %d: errors %g %g %g", isa, e4, e5,
                 e6);
    }
}

/* GDN/IGDN through the direct kernel against ops_gdn.c (sgemm + VOLK), in place and
 * not, with and without a fused residual and activation. */
static double gdn_case(sj_nn_isa isa, sj_nn_opcode op, size_t c, size_t h, size_t w,
                       int in_place, int with_res, float slope)
{
    sj_nn_tensor gt = { .ndim = 2, .shape = { c, c }, .count = c * c };
    sj_nn_tensor bt = { .ndim = 1, .shape = { c }, .count = c };
    gt.data = rand_buf(c * c);
    bt.data = rand_buf(c);
    for (size_t i = 0; i < c * c; i++)
        gt.data[i] = 0.2f * fabsf(gt.data[i]);
    for (size_t i = 0; i < c; i++)
        bt.data[i] = 0.6f + bt.data[i];
    sj_nn_node n = { .op = op, .cin = c, .cout = c, .beta = &bt, .gamma = &gt };
    sj_nn_shape s = { c, h, w };
    size_t len = c * h * w;
    float* x = rand_buf(len);
    float* ref = rand_buf(len);
    float* res = with_res ? rand_buf(len) : NULL;
    size_t sl = sj_nn_gdn_scratch(s, (size_t)1 << 20);
    float* scratch = rand_buf(sl);
    sj_nn_gdn(&n, x, ref, s, scratch, sl);
    res_act_ref(ref, res, len, slope);
    float* y = in_place ? x : rand_buf(len + GUARD);
    if (!in_place)
        set_guard(y, len);
    float* packed = rand_buf(c * c);
    sj_nn_gdn_direct_pack(&n, isa, packed);
    sj_nn_epilogue ep = { op == SJ_OP_GDN ? SJ_NN_EP_GDN : SJ_NN_EP_IGDN, slope, 0 };
    sj_nn_gdn_direct(&n, x, y, s, packed, isa, &ep, res);
    double err = max_error(y, ref, len, !in_place);
    if (!in_place)
        free(y);
    free(x);
    free(ref);
    free(res);
    free(scratch);
    free(packed);
    free(gt.data);
    free(bt.data);
    return err;
}

SJ_TEST(gdn_direct_matches_sgemm_every_isa)
{
    static const size_t cs[] = { 1, 3, 8, 12, 16, 17, 32 };
    static const size_t sizes[][2] = { { 1, 1 }, { 3, 5 }, { 4, 12 }, { 7, 9 }, { 2, 55 } };
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        for (size_t a = 0; a < sizeof cs / sizeof *cs; a++)
            for (size_t b = 0; b < sizeof sizes / sizeof *sizes; b++)
                for (int k = 0; k < 8; k++) {
                    sj_nn_opcode op = k & 1 ? SJ_OP_IGDN : SJ_OP_GDN;
                    float slope = k & 4 ? 0.0f : 1.0f;
                    double err = gdn_case((sj_nn_isa)isa, op, cs[a], sizes[b][0],
                                          sizes[b][1], (k >> 1) & 1, k & 4, slope);
                    SJ_CHECK(err <= TOL, "isa %d: %s C %zu %zux%zu case %d: max abs error %g",
                             isa, op == SJ_OP_GDN ? "gdn" : "igdn", cs[a], sizes[b][0],
                             sizes[b][1], k, err);
                }
    }
}

/* Stride 2 (even/odd column split of the band, every other band row), the GATE and
 * sigmoid epilogues and a fused GDN/IGDN, over odd and even input sizes (the last output column then reads
 * the right padding or not), every padding, widths around the vector and pixel-block
 * sizes, one-row bands and the default. */
SJ_TEST(direct_stride2_and_gate_every_isa)
{
    static const size_t cins[] = { 1, 3, 8, 17 };
    static const size_t couts[] = { 1, 4, 7, 8, 12 };
    static const size_t sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 7 }, { 4, 16 }, { 5, 17 },
                                       { 3, 32 }, { 4, 33 }, { 2, 95 }, { 7, 98 }, { 6, 130 } };
    static const float slopes[] = { 1.0f, 0.0f, 0.01f };
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        int ncases = 0;
        for (size_t a = 0; a < sizeof cins / sizeof *cins; a++)
            for (size_t b = 0; b < sizeof couts / sizeof *couts; b++)
                for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                    for (size_t kc = 0; kc < 5; kc++) {
                        /* (k, pad): 1x1 pad 0/1, 3x3 pad 0/1/2 */
                        size_t k = kc < 2 ? 1 : 3, pad = kc < 2 ? kc : kc - 2;
                        size_t h = sizes[s][0], w = sizes[s][1];
                        if (h + 2 * pad < k || w + 2 * pad < k)
                            continue;
                        for (int v = 0; v < 7; v++) {
                            /* v: stride 2 plain, stride 2 gated, stride 1 gated, stride 2
                             * with a final sigmoid, GDN fused (stride 1, 2), IGDN fused */
                            conv_extra ex = { v == 2 || v == 4 ? 1 : 2, v == 1 || v == 2,
                                              v == 3, v < 4 ? 0 : v == 6 ? 2 : 1, 0, 0, 0 };
                            size_t budget = (a + s + (size_t)v) % 2 ? 1 : (size_t)1 << 20;
                            int bias = (int)((a + b + s) % 2);
                            int res = (int)((b + s + kc + (size_t)v) % 2);
                            float slope = slopes[(a + b + s + kc + (size_t)v) % 3];
                            double err = run_case_x((sj_nn_isa)isa, cins[a], couts[b], k,
                                                    pad, h, w, bias, slope, res, budget, ex);
                            ncases++;
                            SJ_CHECK(err <= TOL,
                                     "isa %d: %zu->%zu k%zu pad %zu stride %zu gate %d "
                                     "sigmoid %d gdn %d %zux%zu bias %d slope %g residual "
                                     "%d budget %zu: max abs error %g",
                                     isa, cins[a], couts[b], k, pad, ex.stride, ex.gate,
                                     ex.sigmoid, ex.gdn, h, w, bias, (double)slope, res, budget, err);
                        }
                    }
        printf("  isa %d: %d stride-2 / gate / fused-GDN cases\n", isa, ncases);
    }
}

/* Winograd F(2x2, 3x3) against im2col: channel counts around the register blocks, odd
 * and even output sizes (a last tile half outside), widths around a chunk of tiles (48)
 * and beyond, every padding, one-tile-row bands and the default, and each epilogue (bias,
 * residual, activations, gate, fused GDN/IGDN, final sigmoid). */
SJ_TEST(winograd_matches_im2col_every_isa)
{
    static const size_t chans[][2] = { { 8, 8 }, { 8, 13 }, { 17, 8 }, { 16, 16 }, { 32, 12 },
                                       { 9, 33 } };
    static const size_t sizes[][2] = { { 1, 1 }, { 2, 2 }, { 3, 5 }, { 4, 31 }, { 5, 32 },
                                       { 2, 33 }, { 6, 95 }, { 3, 96 }, { 7, 97 }, { 4, 200 } };
    static const float slopes[] = { 1.0f, 0.0f, 0.01f };
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        int ncases = 0;
        for (size_t a = 0; a < sizeof chans / sizeof *chans; a++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                for (size_t pad = 0; pad < 3; pad++) {
                    size_t h = sizes[s][0], w = sizes[s][1];
                    if (h + 2 * pad < 3 || w + 2 * pad < 3)
                        continue;
                    for (int v = 0; v < 6; v++) {
                        /* v: plain, gate, GDN, IGDN, sigmoid, plain again (other budget) */
                        conv_extra ex = { 1, v == 1, v == 4, v == 2 ? 1 : v == 3 ? 2 : 0, 1, 0, 0 };
                        size_t budget = (a + s + (size_t)v) % 2 ? 1 : (size_t)1 << 20;
                        int bias = (int)((a + s + pad + (size_t)v) % 2);
                        int res = (int)((s + pad + (size_t)v) % 2);
                        float slope = slopes[(a + s + pad + (size_t)v) % 3];
                        double err = run_case_x((sj_nn_isa)isa, chans[a][0], chans[a][1], 3,
                                                pad, h, w, bias, slope, res, budget, ex);
                        ncases++;
                        SJ_CHECK(err <= TOL,
                                 "isa %d: %zu->%zu pad %zu %zux%zu variant %d bias %d slope %g "
                                 "residual %d budget %zu: max abs error %g",
                                 isa, chans[a][0], chans[a][1], pad, h, w, v, bias,
                                 (double)slope, res, budget, err);
                    }
                }
        /* A shipped-network layer: 32 -> 32 with GDN and a residual, rows of 384. */
        conv_extra g = { 1, 0, 0, 1, 1, 0, 0 };
        double e = run_case_x((sj_nn_isa)isa, 32, 32, 3, 1, 9, 384, 1, 1.0f, 1, 1 << 16, g);
        SJ_CHECK(e <= TOL, "isa %d: 32->32 GDN 9x384: max abs error %g", isa, e);
        printf("  isa %d: %d Winograd cases\n", isa, ncases + 1);
    }
}

/* The bfloat16 products (winograd_bf16_kernel.h) against im2col in float32: the largest
 * error relative to the layer's largest output, within 2^-9 (a bfloat16 rounding) times a
 * small factor for the transforms' sums; a wrong pairing of channels or positions, or a
 * missing block, makes errors of the outputs' own size. Channel counts odd and even around
 * the 8, 4, 2, 1 blocks and the pairs, chunks of 1, 2 and 3 vectors of tiles, the
 * epilogues. Where the CPU has no AVX-512 BF16 the test says so and checks nothing. */
SJ_TEST(winograd_bf16_close_to_im2col)
{
    static const size_t chans[][2] = { { 8, 8 }, { 9, 13 }, { 17, 8 }, { 16, 16 }, { 32, 12 },
                                       { 32, 32 }, { 128, 32 }, { 15, 33 } };
    static const size_t sizes[][2] = { { 1, 1 }, { 3, 5 }, { 4, 31 }, { 5, 32 }, { 2, 33 },
                                       { 6, 95 }, { 3, 96 }, { 7, 97 }, { 4, 200 } };
    if (!sj_nn_isa_supported(SJ_NN_ISA_AVX512) || !sj_nn_winograd_bf16_supported()) {
        printf("  no AVX-512 BF16 on this CPU: bfloat16 Winograd not tested here\n");
        return;
    }
    double worst = 0.0;
    int ncases = 0;
    for (size_t a = 0; a < sizeof chans / sizeof *chans; a++)
        for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
            for (int v = 0; v < 4; v++) {
                size_t pad = (a + s + (size_t)v) % 3, h = sizes[s][0], w = sizes[s][1];
                if (h + 2 * pad < 3 || w + 2 * pad < 3)
                    continue;
                /* v: plain, gate, GDN, IGDN */
                conv_extra ex = { 1, v == 1, 0, v == 2 ? 1 : v == 3 ? 2 : 0, 1, 0, 1 };
                int bias = (int)((a + s) % 2), res = (int)((s + (size_t)v) % 2);
                double err = run_case_x(SJ_NN_ISA_AVX512, chans[a][0], chans[a][1], 3, pad, h,
                                        w, bias, 1.0f, res, (size_t)1 << 20, ex);
                ncases++;
                worst = fmax(worst, err);
                SJ_CHECK(err <= 8.0 / 512.0,
                         "%zu->%zu pad %zu %zux%zu variant %d: error %g of the largest output",
                         chans[a][0], chans[a][1], pad, h, w, v, err);
            }
    printf("  %d bfloat16 Winograd cases, largest error %.2e of the largest output\n", ncases,
           worst);
}

/* 1x1 convolutions fused around a Winograd 3x3, as in an attention block's residual unit:
 * optionally a 1x1 before it (sj_nn_post.pre_w: cpre -> cin, + bias, activation; cpre 0:
 * none), then the 3x3 (+ bias, activation), then a 1x1 after it (sj_nn_post.pw_w, + bias,
 * residual, activation), against im2col for each with every value in memory. Channels
 * around the register blocks, widths around a vector, a pixel block and a chunk of tiles
 * (masked last blocks), and the output buffers the plan may choose: alias 1 the
 * residual's, 2 the call's input's (x: the pre 1x1's input, or the 3x3's), 3 both (the
 * unit's input is its residual and its output, cpre == cout). */
typedef struct {
    size_t cpre, cin, cmid, cout, h, w;
    float pre_slope, mid_slope, slope;
    int with_res, alias;
} pw_case;

static double run_pointwise_case(sj_nn_isa isa, pw_case c)
{
    size_t cin = c.cin, cmid = c.cmid, cout = c.cout, h = c.h, w = c.w, plane = h * w;
    size_t cx = c.cpre ? c.cpre : cin; /* channels of the call's x */
    sj_nn_tensor w0 = { .ndim = 4, .shape = { cin, cx, 1, 1 }, .count = cin * cx };
    sj_nn_tensor b0 = { .ndim = 1, .shape = { cin }, .count = cin };
    sj_nn_tensor w3 = { .ndim = 4, .shape = { cmid, cin, 3, 3 }, .count = cmid * cin * 9 };
    sj_nn_tensor b3 = { .ndim = 1, .shape = { cmid }, .count = cmid };
    sj_nn_tensor w1 = { .ndim = 4, .shape = { cout, cmid, 1, 1 }, .count = cout * cmid };
    sj_nn_tensor b1 = { .ndim = 1, .shape = { cout }, .count = cout };
    w0.data = rand_buf(w0.count), b0.data = rand_buf(cin);
    w3.data = rand_buf(w3.count), b3.data = rand_buf(cmid);
    w1.data = rand_buf(w1.count), b1.data = rand_buf(cout);
    sj_nn_node n0 = { .op = SJ_OP_CONV2D, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .cin = cx,
                      .cout = cin, .weight = &w0, .bias = &b0 };
    sj_nn_node n3 = { .op = SJ_OP_CONV2D, .kh = 3, .kw = 3, .sh = 1, .sw = 1, .ph = 1,
                      .pw = 1, .cin = cin, .cout = cmid, .weight = &w3, .bias = &b3 };
    sj_nn_node n1 = { .op = SJ_OP_CONV2D, .kh = 1, .kw = 1, .sh = 1, .sw = 1, .cin = cmid,
                      .cout = cout, .weight = &w1, .bias = &b1 };
    sj_nn_shape sx = { cx, h, w }, in = { cin, h, w }, mid = { cmid, h, w }, out = { cout, h, w };
    size_t ny = cout * plane, nbig = (cx > cout ? cx : cout) * plane;
    float* x = rand_buf(nbig + GUARD);
    float* xin = rand_buf(cin * plane); /* the 3x3's input */
    float* m = rand_buf(cmid * plane);
    float* ref = rand_buf(ny);
    float* res = c.alias == 3 ? x : c.with_res || c.alias == 1 ? rand_buf(ny + GUARD) : NULL;
    size_t s_ref = sj_nn_conv_scratch(&n3, in, mid, (size_t)1 << 20);
    size_t s1 = sj_nn_conv_scratch(&n1, mid, out, (size_t)1 << 20);
    size_t s0 = sj_nn_conv_scratch(&n0, sx, in, (size_t)1 << 20);
    s_ref = s_ref > s1 ? s_ref : s1;
    float* scratch_ref = rand_buf(s_ref > s0 ? s_ref : s0);
    if (c.cpre) {
        sj_nn_conv2d(&n0, x, sx, xin, in, scratch_ref, s0);
        res_act_ref(xin, NULL, cin * plane, c.pre_slope);
    } else
        memcpy(xin, x, cin * plane * sizeof(float));
    sj_nn_conv2d(&n3, xin, in, m, mid, scratch_ref, s_ref);
    res_act_ref(m, NULL, cmid * plane, c.mid_slope);
    sj_nn_conv2d(&n1, m, mid, ref, out, scratch_ref, s_ref);
    res_act_ref(ref, res, ny, c.slope);
    float* y = c.alias == 1 ? res : c.alias >= 2 ? x : rand_buf(ny + GUARD);
    if (y != x)
        set_guard(y, ny);
    size_t s = sj_nn_winograd_scratch(&n3, in, mid, (size_t)1 << 20);
    float* scratch = rand_buf(s);
    float* packed0 = rand_buf(w0.count);
    float* packed3 = rand_buf(16 * cmid * cin);
    float* packed1 = rand_buf(w1.count);
    sj_nn_conv_direct_pack(&n0, isa, packed0);
    sj_nn_winograd_pack(&n3, isa, 0, packed3);
    sj_nn_conv_direct_pack(&n1, isa, packed1);
    sj_nn_epilogue pre_ep = { SJ_NN_EP_CONV, c.pre_slope, 0 };
    sj_nn_epilogue mid_ep = { SJ_NN_EP_CONV, c.mid_slope, 0 }, ep = { SJ_NN_EP_CONV, c.slope, 0 };
    sj_nn_post post = { .pw_w = packed1, .pw_bias = b1.data, .pw_cout = cout,
                        .mid_ep = &mid_ep };
    if (c.cpre) {
        post.pre_w = packed0, post.pre_bias = b0.data, post.pre_cin = cx;
        post.pre_ep = &pre_ep;
    }
    sj_nn_winograd_conv(&n3, x, in, y, mid, packed3, scratch, s, isa, 0, &post, &ep, NULL, res);
    double err = max_error(y, ref, ny, y != x);
    if (y != x && y != res)
        free(y);
    if (res != x)
        free(res);
    free(x), free(xin), free(m), free(ref), free(scratch_ref), free(scratch);
    free(packed0), free(packed3), free(packed1), free(w0.data), free(b0.data);
    free(w3.data), free(b3.data), free(w1.data), free(b1.data);
    return err;
}

SJ_TEST(pointwise_around_winograd_every_isa)
{
    /* cpre (0: no 1x1 before), cin, cmid, cout */
    static const size_t chans[][4] = { { 0, 8, 8, 16 }, { 0, 32, 16, 32 }, { 0, 16, 16, 13 },
                                       { 0, 9, 64, 5 }, { 0, 12, 24, 1 }, { 32, 16, 16, 32 },
                                       { 8, 8, 8, 8 }, { 5, 13, 9, 5 }, { 17, 64, 8, 3 } };
    static const size_t sizes[][2] = { { 1, 1 }, { 2, 3 }, { 3, 16 }, { 2, 47 }, { 5, 49 },
                                       { 4, 97 }, { 3, 200 } };
    static const float slopes[] = { 1.0f, 0.0f, 0.01f };
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        int ncases = 0;
        for (size_t a = 0; a < sizeof chans / sizeof *chans; a++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                for (int v = 0; v < 5; v++) {
                    /* v: residual; none; output over the residual; output over x (with a
                     * residual); output over x, which is the residual too */
                    if (v == 4 && chans[a][0] != chans[a][3])
                        continue;
                    pw_case c = { chans[a][0], chans[a][1], chans[a][2], chans[a][3],
                                  sizes[s][0], sizes[s][1], slopes[(a + s + 1) % 3],
                                  slopes[(a + s) % 3], slopes[(a + s + (size_t)v) % 3],
                                  v != 1, v == 2 ? 1 : v == 3 ? 2 : v == 4 ? 3 : 0 };
                    double err = run_pointwise_case((sj_nn_isa)isa, c);
                    ncases++;
                    SJ_CHECK(err <= TOL,
                             "isa %d: %zu->%zu->%zu->%zu %zux%zu variant %d: max abs error %g",
                             isa, c.cpre, c.cin, c.cmid, c.cout, c.h, c.w, v, err);
                }
        printf("  isa %d: %d cases of 1x1s around a Winograd 3x3\n", isa, ncases);
    }
}

/* A pixel shuffle fused as the store pattern of a direct 3x3 (stride 1 or 2, or a padded
 * 1x1 through the band) or Winograd convolution, against im2col + sj_nn_pixel_shuffle:
 * output channels 4..128 (the stack tile's limit), widths below, at and above a vector
 * and a pixel block (masked halves of the interleaved stores), with residual and
 * activations after the shuffle. */
SJ_TEST(pixel_shuffle_store_every_isa)
{
    static const size_t chans[][2] = { { 3, 4 }, { 8, 12 }, { 16, 8 }, { 5, 20 }, { 32, 128 } };
    static const size_t sizes[][2] = { { 1, 1 }, { 2, 3 }, { 3, 8 }, { 2, 9 }, { 4, 16 },
                                       { 3, 17 }, { 2, 47 }, { 3, 49 }, { 2, 100 } };
    static const float slopes[] = { 1.0f, 0.0f, 0.01f };
    for (int isa = SJ_NN_ISA_AVX2; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        int ncases = 0;
        for (size_t a = 0; a < sizeof chans / sizeof *chans; a++)
            for (size_t s = 0; s < sizeof sizes / sizeof *sizes; s++)
                for (int v = 0; v < 5; v++) {
                    /* v: direct 3x3, direct 3x3 stride 2, Winograd, Winograd + sigmoid,
                     * padded 1x1 */
                    size_t k = v == 4 ? 1 : 3, h = sizes[s][0], w = sizes[s][1];
                    int wino = (v == 2 || v == 3) && chans[a][0] >= 8 && chans[a][1] >= 8;
                    conv_extra ex = { v == 1 ? 2 : 1, 0, v == 3, 0, wino, 1, 0 };
                    int res = (int)((a + s + (size_t)v) % 2), bias = (int)((s + (size_t)v) % 2);
                    float slope = slopes[(a + s + (size_t)v) % 3];
                    size_t budget = (a + (size_t)v) % 2 ? 1 : (size_t)1 << 20;
                    double err = run_case_x((sj_nn_isa)isa, chans[a][0], chans[a][1], k, 1, h,
                                            w, bias, slope, res, budget, ex);
                    ncases++;
                    SJ_CHECK(err <= TOL,
                             "isa %d: %zu->%zu k%zu %zux%zu variant %d winograd %d bias %d "
                             "slope %g residual %d: max abs error %g",
                             isa, chans[a][0], chans[a][1], k, h, w, v, wino, bias,
                             (double)slope, res, err);
                }
        printf("  isa %d: %d pixel-shuffle cases\n", isa, ncases);
    }
}

/* The vector sigmoid against 1 / (1 + expf(-x)) over the whole useful range, far tails
 * (clamped exponent), signed zeros, and lengths around the vector width (masked tail;
 * exact-sized buffers for AddressSanitizer). Also in place. */
SJ_TEST(sigmoid_matches_libm_every_isa)
{
    for (int isa = SJ_NN_ISA_GENERIC; isa <= SJ_NN_ISA_AVX512; isa++) {
        if (!sj_nn_isa_supported((sj_nn_isa)isa))
            continue;
        size_t n = 200003;
        float* x = malloc(n * sizeof(float));
        float* y = malloc(n * sizeof(float));
        for (size_t i = 0; i < n; i++)
            x[i] = -120.0f + 240.0f * (float)i / (float)(n - 1);
        x[0] = -1e30f, x[1] = 1e30f, x[2] = 0.0f, x[3] = -0.0f, x[4] = -87.5f, x[5] = 88.9f;
        sj_nn_sigmoid_isa((sj_nn_isa)isa, x, y, n);
        double err = 0.0, rel = 0.0;
        for (size_t i = 0; i < n; i++) {
            double r = 1.0 / (1.0 + exp(-(double)x[i]));
            double e = fabs((double)y[i] - r);
            if (!(e <= err))
                err = e;
            if (r > 1e-30 && !(e / r <= rel))
                rel = e / r;
        }
        SJ_CHECK(err < 1e-6 && rel < 1e-5, "isa %d: max abs error %g, max rel error %g", isa,
                 err, rel);
        for (size_t len = 0; len < 40; len++) {
            float* a = malloc((len ? len : 1) * sizeof(float));
            for (size_t i = 0; i < len; i++)
                a[i] = frand() * 20.0f;
            float b[40];
            for (size_t i = 0; i < len; i++)
                b[i] = sigmoid_ref(a[i]);
            sj_nn_sigmoid_isa((sj_nn_isa)isa, a, a, len);
            for (size_t i = 0; i < len; i++)
                SJ_CHECK(fabsf(a[i] - b[i]) < 1e-6f, "isa %d len %zu [%zu]: %g vs %g", isa,
                         len, i, (double)a[i], (double)b[i]);
            free(a);
        }
        free(x);
        free(y);
    }
}

/* The shape class the plan hands to the direct kernel. */
SJ_TEST(direct_fits_only_1x1_3x3_stride_1_2)
{
    sj_nn_node n = { .op = SJ_OP_CONV2D, .kh = 3, .kw = 3, .sh = 1, .sw = 1 };
    SJ_CHECK(sj_nn_conv_direct_fits(&n), "3x3 stride 1");
    n.sh = n.sw = 2;
    SJ_CHECK(sj_nn_conv_direct_fits(&n), "3x3 stride 2");
    n.sw = 1;
    SJ_CHECK(!sj_nn_conv_direct_fits(&n), "3x3 stride 2x1");
    n.sh = n.sw = 3;
    SJ_CHECK(!sj_nn_conv_direct_fits(&n), "3x3 stride 3");
    n.sh = n.sw = 1, n.kh = n.kw = 5;
    SJ_CHECK(!sj_nn_conv_direct_fits(&n), "5x5");
    n.kh = 1, n.kw = 3;
    SJ_CHECK(!sj_nn_conv_direct_fits(&n), "1x3");
    n.kw = 1;
    SJ_CHECK(sj_nn_conv_direct_fits(&n), "1x1");
    n.op = SJ_OP_CONV_TRANSPOSE2D;
    SJ_CHECK(!sj_nn_conv_direct_fits(&n), "transposed");
    SJ_CHECK(sj_nn_isa_supported(SJ_NN_ISA_GENERIC), "generic always runs");
}

SJ_TEST_MAIN("nn_conv_direct")
