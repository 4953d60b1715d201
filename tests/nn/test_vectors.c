/* Numerical parity of the C runtime with PyTorch on committed vectors: every network in
 * tests/nn/data (written by python/training/make_test_vectors.py, one per operator
 * family plus the DeepJSCC encoder and decoder, a DeepJSCEC decoder and an SREC
 * super-resolution network) must reproduce PyTorch's output within
 * 1e-4 (max abs). Runs without Python, so the C suite checks numerics on its own. */
#include "sj_test.h"

#include <securejscc/nn_model.h>

#include <math.h>
#include <stdint.h>

#define TOL 1e-4

typedef struct {
    uint32_t c, h, w;
    float* data;
} vec;

static int read_vec(FILE* f, vec* v)
{
    uint32_t s[3];
    if (fread(s, sizeof s, 1, f) != 1 || s[0] * s[1] * s[2] == 0 || s[0] * s[1] * s[2] > (1u << 24))
        return 0;
    v->c = s[0], v->h = s[1], v->w = s[2];
    size_t n = (size_t)s[0] * s[1] * s[2];
    v->data = malloc(n * sizeof(float));
    return v->data && fread(v->data, sizeof(float), n, f) == n;
}

static void data_path(char* buf, size_t n, const char* name, const char* ext)
{
    const char* dir = getenv("SJ_TEST_DATA");
    snprintf(buf, n, "%s/%s%s", dir && *dir ? dir : "tests/nn/data", name, ext);
}

static double check_network(const char* name, int* sj_failed_)
{
    char path[512];
    vec x = { 0 }, y = { 0 };
    double maxerr = -1.0;
    data_path(path, sizeof path, name, ".vec");
    FILE* f = fopen(path, "rb");
    char magic[4] = { 0 };
    int ok = f && fread(magic, 4, 1, f) == 1 && memcmp(magic, "SJV1", 4) == 0 &&
             read_vec(f, &x) && read_vec(f, &y);
    if (f)
        fclose(f);
    SJ_CHECK(ok, "cannot read %s", path);
    sj_nn_model* m = NULL;
    sj_nn_plan* p = NULL;
    data_path(path, sizeof path, name, ".safetensors");
    sj_status st = ok ? sj_nn_model_load(path, &m) : SJ_ERR_IO;
    SJ_CHECK(!ok || st == SJ_OK, "%s: %s", name, sj_last_error());
    if (st == SJ_OK) {
        st = sj_nn_model_plan(m, x.h, x.w, &p);
        SJ_CHECK(st == SJ_OK, "%s plan: %s", name, sj_last_error());
    }
    if (st == SJ_OK) {
        size_t c, h, w;
        sj_nn_plan_output_shape(p, &c, &h, &w);
        SJ_CHECK(c == y.c && h == y.h && w == y.w, "%s: output %zux%zux%zu, expected %ux%ux%u",
                 name, c, h, w, y.c, y.h, y.w);
        if (c == y.c && h == y.h && w == y.w) {
            float* out = malloc(c * h * w * sizeof(float));
            /* Twice: a second run on the same plan must give the same answer (buffers
             * reused, nothing left over from the first). */
            for (int rep = 0; rep < 2 && out; rep++) {
                st = sj_nn_plan_run(p, x.data, out);
                SJ_CHECK(st == SJ_OK, "%s run: %s", name, sj_last_error());
                maxerr = 0.0;
                for (size_t i = 0; i < c * h * w; i++) {
                    double e = fabs((double)out[i] - (double)y.data[i]);
                    if (!(e <= maxerr))
                        maxerr = e;
                }
            }
            free(out);
        }
    }
    SJ_CHECK(maxerr >= 0.0 && maxerr <= TOL, "%s: max abs error %g", name, maxerr);
    printf("  %-14s max abs error %.3g\n", name, maxerr);
    sj_nn_plan_destroy(p);
    sj_nn_model_destroy(m);
    free(x.data);
    free(y.data);
    return maxerr;
}

#define VECTOR_TEST(name)                                                                  \
    SJ_TEST(vectors_##name) { check_network(#name, sj_failed_); }

VECTOR_TEST(deepjscc_enc)
VECTOR_TEST(deepjscc_dec)
VECTOR_TEST(activations)
VECTOR_TEST(gdn)
VECTOR_TEST(resample)
VECTOR_TEST(unet)
VECTOR_TEST(attention)
VECTOR_TEST(channel_gate)
/* The project's own architectures at small widths (sjtrain.models): DeepJSCEC decoder
 * (attention, GDN, IGDN, pixel shuffle) and SREC super-resolution (U-Net, dense concat,
 * weight-map mul), at scale 1 and at scale 2 (pixel shuffles, output twice the input). */
VECTOR_TEST(deepjscec_dec)
VECTOR_TEST(srec_sr)
VECTOR_TEST(srec_sr_x2)

/* The committed DeepJSCC encoder, loaded and planned for h x w (SJ_OK or the failure). */
static sj_status load_encoder(size_t h, size_t w, sj_nn_model** m, sj_nn_plan** p)
{
    char path[512];
    data_path(path, sizeof path, "deepjscc_enc", ".safetensors");
    sj_status st = sj_nn_model_load(path, m);
    return st == SJ_OK ? sj_nn_model_plan(*m, h, w, p) : st;
}

/* Liveness: a 768x512 DeepJSCC encode holds ~40 MB of activations in total (input 4.7 MB,
 * ten layer outputs), but at most two are alive at a time, plus a 4 MiB tiled im2col
 * scratch: the plan must stay well below the total. */
SJ_TEST(plan_reuses_buffers)
{
    sj_nn_model* m = NULL;
    sj_nn_plan* p = NULL;
    SJ_REQUIRE(load_encoder(512, 768, &m, &p) == SJ_OK, "%s", sj_last_error());
    size_t bytes = sj_nn_plan_memory_bytes(p);
    printf("  768x512 encoder plan: %.1f MB\n", (double)bytes / 1048576.0);
    SJ_CHECK(bytes > 0 && bytes < 20u * 1048576u, "plan holds %zu bytes", bytes);
    sj_nn_plan_destroy(p);
    sj_nn_model_destroy(m);
}

#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
/* sj_nn_plan_run flushes subnormal floats to zero while it runs (FTZ/DAZ: a decoder fed
 * real latents made them and ran 1.3x slower) and gives the caller's thread its own
 * floating-point control word back, whatever it was: with FTZ/DAZ off (the default) and
 * with only DAZ on. The input has subnormal values; the output stays finite. */
SJ_TEST(plan_run_restores_the_callers_mxcsr)
{
    sj_nn_model* m = NULL;
    sj_nn_plan* p = NULL;
    SJ_REQUIRE(load_encoder(32, 32, &m, &p) == SJ_OK, "%s", sj_last_error());
    size_t c, h, w;
    sj_nn_plan_output_shape(p, &c, &h, &w);
    float* x = malloc(3 * 32 * 32 * sizeof(float));
    float* y = malloc(c * h * w * sizeof(float));
    for (size_t i = 0; i < 3 * 32 * 32; i++)
        x[i] = i % 3 ? 0.5f : 1e-40f; /* every third value subnormal */
    unsigned int saved = _mm_getcsr();
    const unsigned int modes[] = { saved & ~0x8040u, (saved & ~0x8040u) | 0x0040u };
    for (int k = 0; k < 2; k++) {
        _mm_setcsr(modes[k]);
        SJ_CHECK(sj_nn_plan_run(p, x, y) == SJ_OK, "%s", sj_last_error());
        unsigned int after = _mm_getcsr();
        _mm_setcsr(saved);
        SJ_CHECK((after & ~0x3fu) == (modes[k] & ~0x3fu),
                 "control word %#x before the run, %#x after (flags bits ignored)", modes[k],
                 after);
        for (size_t i = 0; i < c * h * w; i++)
            SJ_CHECK(isfinite(y[i]), "output %zu is %g", i, (double)y[i]);
    }
    free(x);
    free(y);
    sj_nn_plan_destroy(p);
    sj_nn_model_destroy(m);
}
#endif

SJ_TEST_MAIN("nn_vectors")
