/* Times the C neural-network runtime on one or more models chained (e.g. an encoder then
 * a decoder), at one input size, and reports its peak memory.
 *
 *   bench_nn_runtime [--precision=fp32|bf16] HEIGHT WIDTH ITERS MODEL [MODEL...]
 *
 * Prints key: value lines (seconds_per_run, images_per_s, gflop_per_s, plan_bytes,
 * max_rss_kb: peak resident memory) for bench/bench_nn_vs_torch.py to read. The input is a fixed smooth
 * pattern; timing does not depend on the values. OpenBLAS threads follow
 * OPENBLAS_NUM_THREADS. */
#define _POSIX_C_SOURCE 200809L
#include <securejscc/nn_model.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#define MAX_MODELS 4

/* Peak resident memory of this process in KiB: VmHWM from /proc (Linux), which belongs to
 * this program's own address space. ru_maxrss is the fallback; on Linux it also counts the
 * parent's memory at fork time (a Python driver with torch loaded), so it over-reports. */
static long peak_rss_kb(void)
{
    FILE* f = fopen("/proc/self/status", "r");
    char line[256];
    long kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %ld kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    if (kb < 0) {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = ru.ru_maxrss;
    }
    return kb;
}

static double now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

int main(int argc, char** argv)
{
    sj_nn_precision prec = SJ_NN_FP32;
    if (argc > 1 && !strncmp(argv[1], "--precision=", 12)) {
        if (sj_nn_precision_parse(argv[1] + 12, &prec) != SJ_OK) {
            fprintf(stderr, "%s\n", sj_last_error());
            return 2;
        }
        argv++, argc--;
    }
    if (argc < 5 || argc - 4 > MAX_MODELS) {
        fprintf(stderr, "usage: %s [--precision=fp32|bf16] HEIGHT WIDTH ITERS MODEL [MODEL...]\n",
                argv[0]);
        return 2;
    }
    size_t h = strtoul(argv[1], NULL, 10), w = strtoul(argv[2], NULL, 10);
    long iters = strtol(argv[3], NULL, 10);
    int nm = argc - 4;
    sj_nn_model* m[MAX_MODELS] = { 0 };
    sj_nn_plan* p[MAX_MODELS] = { 0 };
    float* buf[MAX_MODELS + 1] = { 0 };
    size_t c, hh = h, ww = w;
    double flops = 0.0;
    size_t plan_bytes = 0;
    for (int i = 0; i < nm; i++) {
        if (sj_nn_model_load(argv[4 + i], &m[i]) != SJ_OK ||
            sj_nn_model_plan_precision(m[i], hh, ww, prec, &p[i]) != SJ_OK) {
            fprintf(stderr, "%s: %s\n", argv[4 + i], sj_last_error());
            return 1;
        }
        sj_nn_plan_input_shape(p[i], &c, &hh, &ww);
        if (i == 0)
            buf[0] = malloc(c * hh * ww * sizeof(float));
        sj_nn_plan_output_shape(p[i], &c, &hh, &ww);
        buf[i + 1] = malloc(c * hh * ww * sizeof(float));
        flops += sj_nn_plan_flops(p[i]);
        plan_bytes += sj_nn_plan_memory_bytes(p[i]);
    }
    size_t in_c = sj_nn_model_input_channels(m[0]);
    for (size_t k = 0; k < in_c * h * w; k++)
        buf[0][k] = 0.5f + 0.4f * (float)((k * 2654435761u) % 1000u) / 1000.0f - 0.2f;
    double best = 1e30, total = 0.0;
    for (long it = -1; it < iters; it++) { /* iteration -1 warms caches and OpenBLAS */
        double t0 = now();
        for (int i = 0; i < nm; i++)
            if (sj_nn_plan_run(p[i], buf[i], buf[i + 1]) != SJ_OK) {
                fprintf(stderr, "run: %s\n", sj_last_error());
                return 1;
            }
        double dt = now() - t0;
        if (it >= 0) {
            total += dt;
            if (dt < best)
                best = dt;
        }
    }
    double mean = iters > 0 ? total / (double)iters : 0.0;
    printf("seconds_per_run: %.9f\n", mean);
    printf("best_seconds: %.9f\n", best);
    printf("images_per_s: %.3f\n", mean > 0 ? 1.0 / mean : 0.0);
    printf("gflop_per_s: %.3f\n", mean > 0 ? flops / mean * 1e-9 : 0.0);
    printf("gflop_per_run: %.6f\n", flops * 1e-9);
    printf("plan_bytes: %zu\n", plan_bytes);
    printf("precision: %s\n", sj_nn_precision_name(sj_nn_plan_precision(p[0])));
    printf("max_rss_kb: %ld\n", peak_rss_kb());
    for (int i = nm - 1; i >= 0; i--) {
        sj_nn_plan_destroy(p[i]);
        sj_nn_model_destroy(m[i]);
    }
    for (int i = 0; i <= nm; i++)
        free(buf[i]);
    return 0;
}
