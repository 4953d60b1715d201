/* Times one convolution layer through each path the runtime has: im2col + sgemm and the
 * direct kernel on every instruction set this CPU runs, interleaved so that a shared,
 * noisy machine slows them alike.
 *
 *   bench_conv CIN COUT K PAD H W [ITERS [STRIDE]]
 *
 * Prints one line per path: best milliseconds and GFLOP/s (random data; stride 1 unless
 * STRIDE says 2). */
#define _POSIX_C_SOURCE 200809L
#include "nn_internal.h"

#include <volk/volk.h>

#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static float* random_floats(size_t n)
{
    float* p = volk_malloc((n ? n : 1) * sizeof(float), volk_get_alignment());
    for (size_t i = 0; i < n; i++)
        p[i] = (float)rand() / (float)RAND_MAX - 0.5f;
    return p;
}

int main(int argc, char** argv)
{
    if (argc < 7) {
        fprintf(stderr, "usage: %s CIN COUT K PAD H W [ITERS]\n", argv[0]);
        return 2;
    }
    size_t cin = strtoul(argv[1], NULL, 10), cout = strtoul(argv[2], NULL, 10);
    size_t k = strtoul(argv[3], NULL, 10), pad = strtoul(argv[4], NULL, 10);
    size_t h = strtoul(argv[5], NULL, 10), w = strtoul(argv[6], NULL, 10);
    int iters = argc > 7 ? atoi(argv[7]) : 10;
    size_t st = argc > 8 ? strtoul(argv[8], NULL, 10) : 1;
    if (st != 1 && st != 2) {
        fprintf(stderr, "STRIDE: 1 or 2\n");
        return 2;
    }
    sj_nn_tensor wt = { .ndim = 4, .shape = { cout, cin, k, k }, .count = cout * cin * k * k };
    sj_nn_tensor bt = { .ndim = 1, .shape = { cout }, .count = cout };
    wt.data = random_floats(wt.count);
    bt.data = random_floats(bt.count);
    sj_nn_node n = { .op = SJ_OP_CONV2D, .kh = k, .kw = k, .sh = st, .sw = st, .ph = pad,
                     .pw = pad, .cin = cin, .cout = cout, .weight = &wt, .bias = &bt };
    sj_nn_shape in = { cin, h, w }, out = { cout, (h + 2 * pad - k) / st + 1,
                                           (w + 2 * pad - k) / st + 1 };
    size_t budget = (size_t)1 << 20;
    size_t s1 = sj_nn_conv_scratch(&n, in, out, budget);
    size_t s2 = sj_nn_conv_direct_scratch(&n, in, out, budget);
    size_t slen = s1 > s2 ? s1 : s2;
    float* x = random_floats(cin * h * w);
    float* y = random_floats(cout * out.h * out.w);
    float* scratch = random_floats(slen);
    float* packed[3];
    const char* names[3] = { "im2col", "avx2", "avx512" };
    double best[3] = { 1e30, 1e30, 1e30 };
    sj_nn_epilogue ep = { SJ_NN_EP_CONV, 1.0f, 0 };
    for (int isa = 1; isa <= 2; isa++) {
        packed[isa] = random_floats(wt.count);
        if (sj_nn_isa_supported((sj_nn_isa)isa))
            sj_nn_conv_direct_pack(&n, (sj_nn_isa)isa, packed[isa]);
    }
    for (int it = -1; it < iters; it++)
        for (int isa = 0; isa <= 2; isa++) {
            if (!sj_nn_isa_supported((sj_nn_isa)isa))
                continue;
            double t0 = now();
            if (isa == 0)
                sj_nn_conv2d(&n, x, in, y, out, scratch, slen);
            else
                sj_nn_conv_direct(&n, x, in, y, out, packed[isa], scratch, slen,
                                  (sj_nn_isa)isa, NULL, &ep, NULL, NULL);
            double dt = now() - t0;
            if (it >= 0 && dt < best[isa])
                best[isa] = dt;
        }
    double flop = 2.0 * cout * cin * k * k * out.h * out.w;
    for (int isa = 0; isa <= 2; isa++)
        if (sj_nn_isa_supported((sj_nn_isa)isa))
            printf("%zux%zu k%zu s%zu %zux%zu %-7s %8.3f ms %7.1f GFLOP/s\n", cin, cout, k, st, h, w,
                   names[isa], best[isa] * 1e3, flop / best[isa] * 1e-9);
    return 0;
}
