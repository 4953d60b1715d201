/* The plan object, shared by plan.c (shapes and buffers) and run.c (execution). */
#ifndef SJ_NN_PLAN_INTERNAL_H
#define SJ_NN_PLAN_INTERNAL_H

#include "nn_internal.h"

struct sj_nn_plan {
    const sj_nn_model* m;
    sj_nn_shape in_user;   /* what the caller passes */
    sj_nn_shape in_padded; /* what the network sees */
    sj_nn_shape out_full;  /* what the network makes */
    sj_nn_shape out_user;  /* what the caller gets (cropped back when padded) */
    sj_nn_shape* shapes;   /* per value */
    float** ptr;           /* per value: its buffer (shared with dead values) */
    float** slots;         /* the distinct buffers, each from volk_malloc */
    size_t nslots;
    float* scratch;        /* im2col / col2im / GDN tiles */
    size_t scratch_len;
    size_t bytes;
    double flops;
};

#endif
