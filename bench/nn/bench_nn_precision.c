/* float32 against bfloat16 plans of the same networks, in one process, runs alternated
 * (so that this shared machine's drift slows both alike), with how far the bfloat16
 * output is from the float32 one.
 *
 *   bench_nn_precision HEIGHT WIDTH ROUNDS MODEL [MODEL...]
 *
 * The models run chained (an encoder then its decoder) on a fixed smooth pattern, or, with
 * SJ_BENCH_IMAGE=FILE.png (8-bit RGB, HEIGHT x WIDTH), on that image. Prints key: value
 * lines: fp32_best_s, bf16_best_s, fp32_median_s, bf16_median_s, speedup (fp32 best /
 * bf16 best), output_max_abs_diff and output_psnr_db (bf16 against fp32, peak 1, over the
 * last model's output), precision_bf16 (what the plan got: bf16, or fp32 where this CPU
 * has no AVX-512 BF16). */
#define _POSIX_C_SOURCE 200809L
#include <securejscc/image.h>
#include <securejscc/nn_model.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#define MAX_MODELS 4
#define MAX_ROUNDS 1000

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

static int cmp_double(const void* a, const void* b)
{
    double x = *(const double*)a, y = *(const double*)b;
    return (x > y) - (x < y);
}

/* The chain of plans pl[0..nm) on buf[0], intermediate results in buf[1..nm]. */
static int run_chain(sj_nn_plan** pl, int nm, float** buf)
{
    for (int i = 0; i < nm; i++)
        if (sj_nn_plan_run(pl[i], buf[i], buf[i + 1]) != SJ_OK) {
            fprintf(stderr, "run: %s\n", sj_last_error());
            return -1;
        }
    return 0;
}

int main(int argc, char** argv)
{
    if (argc < 5 || argc - 4 > MAX_MODELS) {
        fprintf(stderr, "usage: %s HEIGHT WIDTH ROUNDS MODEL [MODEL...]\n", argv[0]);
        return 2;
    }
    size_t h = strtoul(argv[1], NULL, 10), w = strtoul(argv[2], NULL, 10);
    long rounds = strtol(argv[3], NULL, 10);
    if (rounds < 1 || rounds > MAX_ROUNDS) {
        fprintf(stderr, "ROUNDS must be 1..%d\n", MAX_ROUNDS);
        return 2;
    }
    int nm = argc - 4;
    sj_nn_model* m[MAX_MODELS] = { 0 };
    sj_nn_plan* pl[2][MAX_MODELS] = { { 0 } };
    float* buf[2][MAX_MODELS + 1] = { { 0 } };
    size_t out_len = 0;
    for (int k = 0; k < 2; k++) {
        size_t c, hh = h, ww = w;
        for (int i = 0; i < nm; i++) {
            if ((k == 0 && sj_nn_model_load(argv[4 + i], &m[i]) != SJ_OK) ||
                sj_nn_model_plan_precision(m[i], hh, ww, k ? SJ_NN_BF16 : SJ_NN_FP32,
                                           &pl[k][i]) != SJ_OK) {
                fprintf(stderr, "%s: %s\n", argv[4 + i], sj_last_error());
                return 1;
            }
            sj_nn_plan_input_shape(pl[k][i], &c, &hh, &ww);
            if (i == 0)
                buf[k][0] = malloc(c * hh * ww * sizeof(float));
            sj_nn_plan_output_shape(pl[k][i], &c, &hh, &ww);
            out_len = c * hh * ww;
            buf[k][i + 1] = malloc(out_len * sizeof(float));
        }
    }
    size_t in_c = sj_nn_model_input_channels(m[0]), n_in = in_c * h * w;
    const char* img_path = getenv("SJ_BENCH_IMAGE");
    if (img_path) {
        sj_image* img = NULL;
        if (sj_image_read_png(img_path, &img) != SJ_OK || (size_t)img->width != w ||
            (size_t)img->height != h || in_c != 3) {
            fprintf(stderr, "%s: not a %zux%zu RGB image for a 3-channel model (%s)\n",
                    img_path, w, h, img ? "wrong size" : sj_last_error());
            sj_image_destroy(img);
            return 1;
        }
        for (size_t c = 0; c < 3; c++) /* HWC bytes to CHW floats in [0, 1] */
            for (size_t p = 0; p < h * w; p++)
                buf[0][0][c * h * w + p] = (float)img->data[p * 3 + c] / 255.0f;
        sj_image_destroy(img);
    } else
        for (size_t k = 0; k < n_in; k++)
            buf[0][0][k] = 0.3f + 0.4f * (float)((k * 2654435761u) % 1000u) / 1000.0f;
    memcpy(buf[1][0], buf[0][0], n_in * sizeof(float));
    double t[2][MAX_ROUNDS];
    for (long r = -1; r < rounds; r++) /* round -1 warms caches */
        for (int k = 0; k < 2; k++) {
            int kk = (int)(r & 1) ? 1 - k : k; /* alternate which goes first */
            double t0 = now();
            if (run_chain(pl[kk], nm, buf[kk]) != 0)
                return 1;
            if (r >= 0)
                t[kk][r] = now() - t0;
        }
    double md = 0.0, se = 0.0;
    for (size_t i = 0; i < out_len; i++) {
        double d = (double)buf[1][nm][i] - (double)buf[0][nm][i];
        md = fmax(md, fabs(d));
        se += d * d;
    }
    double mse = se / (double)out_len;
    for (int k = 0; k < 2; k++)
        qsort(t[k], (size_t)rounds, sizeof(double), cmp_double);
    printf("precision_bf16: %s\n", sj_nn_precision_name(sj_nn_plan_precision(pl[1][0])));
    printf("fp32_best_s: %.6f\n", t[0][0]);
    printf("bf16_best_s: %.6f\n", t[1][0]);
    printf("fp32_median_s: %.6f\n", t[0][rounds / 2]);
    printf("bf16_median_s: %.6f\n", t[1][rounds / 2]);
    printf("speedup: %.3f\n", t[0][0] / t[1][0]);
    printf("output_max_abs_diff: %.3g\n", md);
    printf("output_psnr_db: %.2f\n", mse > 0 ? 10.0 * log10(1.0 / mse) : INFINITY);
    for (int k = 0; k < 2; k++)
        for (int i = nm - 1; i >= 0; i--) {
            sj_nn_plan_destroy(pl[k][i]);
            free(buf[k][i + 1]);
        }
    free(buf[0][0]);
    free(buf[1][0]);
    for (int i = 0; i < nm; i++)
        sj_nn_model_destroy(m[i]);
    return 0;
}
