/* Neural-network runtime: loads a model file (safetensors with the network graph in its
 * __metadata__, see docs/model-format.md), plans every buffer for one input size, and runs
 * the network on CHW float32 images (batch 1) without allocating.
 *
 *   sj_nn_model* m;  sj_nn_plan* p;
 *   sj_nn_model_load("encoder.safetensors", &m);
 *   sj_nn_model_plan(m, height, width, &p);        // allocates once, for this size
 *   sj_nn_plan_run(p, image_chw, latent);          // per frame: no allocation
 *   sj_nn_plan_destroy(p); sj_nn_model_destroy(m);
 *
 * A plan borrows its model's weights: destroy every plan before its model. A plan is not
 * thread-safe (it owns the activation buffers); make one plan per thread. Matrix products
 * go through OpenBLAS, whose thread count is process-wide: set OPENBLAS_NUM_THREADS (or
 * call openblas_set_num_threads) before the first run; GNU Radio flowgraphs that run
 * several networks at once usually want 1. */
#ifndef SECUREJSCC_NN_MODEL_H
#define SECUREJSCC_NN_MODEL_H

#include <securejscc/error.h>
#include <stddef.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_nn_model sj_nn_model;
typedef struct sj_nn_plan sj_nn_plan;

/* Reads and validates a model file: header, every tensor's dtype (F32 only), shape and
 * offsets, every graph node and the shape of each of its parameters. SJ_ERR_IO when the
 * file cannot be read, SJ_ERR_FORMAT when it is malformed or inconsistent,
 * SJ_ERR_UNSUPPORTED for a valid file this runtime cannot run (unknown operator, dtype). */
sj_status sj_nn_model_load(const char* path, sj_nn_model** model);
/* The same from bytes in memory (copied; the caller keeps its buffer). */
sj_status sj_nn_model_load_memory(const void* data, size_t len, sj_nn_model** model);
void sj_nn_model_destroy(sj_nn_model* model);

/* The string value of a __metadata__ key ("format", "version", "input", "output",
 * "size_multiple", "size_policy", "bandwidth_ratio", "training", "graph", ...), or NULL if
 * the file has none. Valid until the model is destroyed. */
const char* sj_nn_model_metadata(const sj_nn_model* model, const char* key);
/* Channels the network expects at its input (from the "input" metadata). */
size_t sj_nn_model_input_channels(const sj_nn_model* model);
/* Height and width must be multiples of this (or are padded up to one, per the policy). */
size_t sj_nn_model_size_multiple(const sj_nn_model* model);

/* Plans a run on a height x width input: computes every shape and allocates every buffer.
 * Sizes that are not a multiple of the model's size_multiple are reflect-padded up to one
 * (the output is then cropped to ceil(size * output/padded), see docs/model-format.md) or
 * refused with SJ_ERR_INVALID_ARG, as the model's size_policy says. */
sj_status sj_nn_model_plan(const sj_nn_model* model, size_t height, size_t width,
                           sj_nn_plan** plan);

/* Arithmetic of a plan. FP32: float32 throughout (the default, what sj_nn_model_plan
 * gives). BF16: the Winograd 3x3 convolutions multiply in bfloat16 (8 significant bits)
 * and add in float32, about 1.25x as fast on CPUs with AVX-512 BF16; everything else stays
 * float32. The effect on the shipped networks is measured in docs/model-format.md#precision. */
typedef enum { SJ_NN_FP32 = 0, SJ_NN_BF16 = 1 } sj_nn_precision;
/* sj_nn_model_plan with a precision. BF16 on a CPU without AVX-512 BF16 (or with no layer
 * it applies to) plans FP32; sj_nn_plan_precision says which one the plan got. */
sj_status sj_nn_model_plan_precision(const sj_nn_model* model, size_t height, size_t width,
                                     sj_nn_precision precision, sj_nn_plan** plan);
sj_nn_precision sj_nn_plan_precision(const sj_nn_plan* plan);
/* "fp32" or "bf16"; sj_nn_precision_parse reads them back (SJ_ERR_INVALID_ARG otherwise). */
const char* sj_nn_precision_name(sj_nn_precision precision);
sj_status sj_nn_precision_parse(const char* name, sj_nn_precision* precision);
void sj_nn_plan_destroy(sj_nn_plan* plan);

/* Shapes of what sj_nn_plan_run reads and writes (CHW, after cropping). */
void sj_nn_plan_input_shape(const sj_nn_plan* plan, size_t* c, size_t* h, size_t* w);
void sj_nn_plan_output_shape(const sj_nn_plan* plan, size_t* c, size_t* h, size_t* w);
/* Bytes of memory the plan holds for activations and scratch (weights not counted). */
size_t sj_nn_plan_memory_bytes(const sj_nn_plan* plan);
/* Floating-point operations of one run (multiply-adds count as two), for benchmarks. */
double sj_nn_plan_flops(const sj_nn_plan* plan);

/* Runs the network: in holds c*h*w floats of the input shape, out receives the output
 * shape's floats. Allocates nothing. */
sj_status sj_nn_plan_run(sj_nn_plan* plan, const float* in, float* out);

#ifdef __cplusplus
}
#endif
#endif
