/* The plan object, shared by plan.c (shapes and buffers) and run.c (execution). */
#ifndef SJ_NN_PLAN_INTERNAL_H
#define SJ_NN_PLAN_INTERNAL_H

#include "nn_internal.h"

/* Per node, for the direct kernels (ops_conv_direct.c, ops_conv_winograd.c). */
typedef struct {
    sj_nn_isa isa;         /* the ISA of a direct conv/GDN (GENERIC: im2col, sgemm) */
    unsigned char wino;    /* a direct 3x3 convolution run as Winograd F(2x2, 3x3) */
    unsigned char bf16;    /* ... with its products in bfloat16 (plan precision BF16) */
    unsigned char shuffle; /* a pixel shuffle fused after a convolution */
    unsigned char fused;   /* an add/activation already done by the node before it */
    float* packed;         /* its weights (or gamma) reordered for that kernel */
    sj_nn_epilogue ep;     /* what it applies before storing */
    int res_val;           /* a residual value it adds (-1: none) */
    int xg_val;            /* the GATE epilogue's other factor (-1: none) */
    int gdn_of;            /* a GDN/IGDN node fused after a convolution (-1: none) */
    int pw_of;             /* a 1x1 convolution fused after a Winograd one (-1: none) */
    int pre_of;            /* a 1x1 convolution fused before a Winograd one (-1: none) */
    int dst_val;           /* the value it writes: its own, or a fused node's */
} sj_nn_node_exec;

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
    sj_nn_node_exec* exec; /* per node: how the direct kernels run it (plan.c) */
    sj_nn_precision precision; /* what the plan runs in (BF16 only where the CPU can) */
    float* scratch;        /* im2col / col2im / GDN tiles */
    size_t scratch_len;
    size_t bytes;
    double flops;
    double* prof_s;        /* per node: seconds summed over runs (SJ_NN_PROFILE only) */
    size_t prof_runs;      /* runs timed */
    size_t prof_seen;      /* runs seen (the first is not timed) */
};

/* profile.c */
int sj_nn_profile_enabled(void);
double sj_nn_profile_now(void);
void sj_nn_profile_report(const sj_nn_plan* p);

#endif
