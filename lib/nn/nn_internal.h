/* Internal types of the neural-network runtime, shared by its source files:
 * safetensors.c (file -> tensors + metadata), graph.c (metadata graph -> validated nodes),
 * plan.c (shapes, buffers, run loop) and the ops_*.c kernels. */
#ifndef SJ_NN_INTERNAL_H
#define SJ_NN_INTERNAL_H

#include <securejscc/error.h>
#include <securejscc/nn_model.h>

#include <stddef.h>
#include <stdint.h>

struct cJSON;

#define SJ_NN_MAX_DIMS 4
#define SJ_NN_MAX_INPUTS 8

/* A parameter tensor of the file, its data copied to 64-byte-aligned memory. */
typedef struct {
    char* name;
    size_t ndim;
    size_t shape[SJ_NN_MAX_DIMS];
    size_t count;
    float* data;
} sj_nn_tensor;

typedef enum {
    SJ_OP_CONV2D,
    SJ_OP_CONV_TRANSPOSE2D,
    SJ_OP_PRELU,
    SJ_OP_RELU,
    SJ_OP_LEAKY_RELU,
    SJ_OP_SIGMOID,
    SJ_OP_TANH,
    SJ_OP_GDN,
    SJ_OP_IGDN,
    SJ_OP_PIXEL_SHUFFLE,
    SJ_OP_UPSAMPLE_NEAREST,
    SJ_OP_UPSAMPLE_BILINEAR,
    SJ_OP_AVG_POOL2D,
    SJ_OP_LINEAR,
    SJ_OP_ADD,
    SJ_OP_MUL,
    SJ_OP_CONCAT,
    SJ_OP_POWER_NORMALIZE,
    SJ_OP_COUNT
} sj_nn_opcode;

/* One validated node. Values (activations) are numbered: 0 is the network input. */
typedef struct {
    sj_nn_opcode op;
    size_t nin;
    int in[SJ_NN_MAX_INPUTS];
    int out;
    /* Attributes: kernel from the weight shape; (h, w) pairs. */
    size_t kh, kw, sh, sw, ph, pw, oph, opw;
    size_t factor;     /* pixel_shuffle upscale, upsample scale (same in both dims) */
    int global;        /* avg_pool2d over the whole image */
    float slope;       /* leaky_relu */
    size_t cin, cout;  /* channels in (of input 0) and out, checked at load */
    const sj_nn_tensor* weight; /* conv, tconv, prelu, linear */
    const sj_nn_tensor* bias;   /* optional */
    const sj_nn_tensor* beta;   /* gdn, igdn */
    const sj_nn_tensor* gamma;  /* gdn, igdn: [C, C] */
} sj_nn_node;

typedef enum { SJ_SIZE_PAD_REFLECT, SJ_SIZE_REFUSE } sj_nn_size_policy;

struct sj_nn_model {
    uint8_t* weights;          /* one aligned block holding every tensor's data */
    sj_nn_tensor* tensors;
    size_t ntensors;
    struct cJSON* metadata;    /* the __metadata__ object (string values only) */
    sj_nn_node* nodes;
    size_t nnodes;
    char** values;             /* activation names; index 0 is the input */
    size_t nvalues;
    size_t* value_channels;
    int output_value;
    size_t in_channels;
    size_t size_multiple;
    sj_nn_size_policy size_policy;
};

const char* sj_nn_op_name(sj_nn_opcode op);

/* safetensors.c: parses the container into model->weights/tensors/metadata. */
sj_status sj_nn_parse_safetensors(const uint8_t* buf, size_t len, struct sj_nn_model* m);
const sj_nn_tensor* sj_nn_find_tensor(const struct sj_nn_model* m, const char* name);

/* graph.c: parses and validates the graph and the size settings. */
sj_status sj_nn_parse_graph(struct sj_nn_model* m);

/* blas_check.c: warns once per process when OpenBLAS runs generic kernels on a CPU with
 * better ones (silent when OPENBLAS_CORETYPE or SJ_NN_QUIET is set). */
void sj_nn_blas_check_once(void);

/* Kernels. Shapes are CHW; every pointer comes from the plan's buffers. */
typedef struct {
    size_t c, h, w;
} sj_nn_shape;

/* ops_conv.c. scratch holds scratch_len floats; the kernels tile to fit it. */
size_t sj_nn_conv_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out, size_t budget);
void sj_nn_conv2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                  sj_nn_shape out, float* scratch, size_t scratch_len);
void sj_nn_conv_transpose2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                            sj_nn_shape out, float* scratch, size_t scratch_len);
void sj_nn_linear(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y);

/* ops_conv_direct.c: direct 1x1/3x3 convolutions (stride 1 or 2) for few channels, one kernel
 * per instruction set. sj_nn_cpu_isa: the best one this CPU runs (capped by the
 * environment variable SJ_NN_ISA=generic|avx2|avx512), chosen once per process;
 * GENERIC means no direct kernel (im2col + sgemm). */
typedef enum { SJ_NN_ISA_GENERIC = 0, SJ_NN_ISA_AVX2 = 1, SJ_NN_ISA_AVX512 = 2 } sj_nn_isa;
/* What a direct kernel does to each value a before it stores it, in this order: GDN or
 * IGDN of the layer input (sj_nn_gdn_direct, or a convolution's output with a fused
 * sj_nn_post), or GATE: xg * sigmoid(a) with xg a
 * tensor of the output's shape (an attention block's trunk * sigmoid(mask)); + a residual
 * tensor of the output's shape (the res argument; NULL: none); the activation (slope);
 * then a sigmoid (sigmoid != 0). */
typedef enum {
    SJ_NN_EP_CONV = 0,
    SJ_NN_EP_GDN = 1,
    SJ_NN_EP_IGDN = 2,
    SJ_NN_EP_GATE = 3
} sj_nn_ep_mode;
typedef struct {
    sj_nn_ep_mode mode;
    float slope; /* 1 none, 0 relu, 0 < slope < 1 leaky relu */
    int sigmoid;
} sj_nn_epilogue;
#define SJ_NN_GDN_DIRECT_MAXC 64
#define SJ_NN_SHUFFLE_MAXC 128 /* channels before a pixel shuffle fused into a convolution */
sj_nn_isa sj_nn_cpu_isa(void);
int sj_nn_isa_supported(sj_nn_isa isa);
int sj_nn_conv_direct_fits(const sj_nn_node* n);
size_t sj_nn_conv_direct_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out,
                                 size_t budget);
/* The weights reordered for isa's kernel (n->cout * n->cin * kh * kw floats in dst). */
void sj_nn_conv_direct_pack(const sj_nn_node* n, sj_nn_isa isa, float* dst);
/* What a direct convolution does to its output before the epilogue's other steps (the
 * plan fuses the node after it): a GDN/IGDN (gamma non-NULL: packed by
 * sj_nn_gdn_direct_pack, with beta; n->cout <= SJ_NN_GDN_DIRECT_MAXC; ep->mode then says
 * GDN or IGDN), or a pixel shuffle of factor 2 (shuffle != 0; not a 1x1 stride-1
 * convolution without padding; n->cout a multiple of 4, at most SJ_NN_SHUFFLE_MAXC; y and
 * res then have the shuffled shape, and ep no GATE). */
typedef struct {
    const float* gamma;
    const float* beta;
    int shuffle;
    /* Winograd only: a 1x1 stride-1 convolution fused after this one (pw_w non-NULL: its
     * weights packed by sj_nn_conv_direct_pack, pw_cout outputs, bias pw_bias or NULL).
     * This convolution's output (n->cout <= SJ_NN_PW_MIDC channels) then goes through
     * mid_ep (its activation only) into a tile on the stack, the 1x1 runs on the tile,
     * and the call's ep, res and y are the 1x1's: the middle value never reaches memory. */
    const float* pw_w;
    const float* pw_bias;
    size_t pw_cout;
    const sj_nn_epilogue* mid_ep;
    /* Winograd only: a 1x1 stride-1 convolution fused before this one (pre_w non-NULL: its
     * weights packed by sj_nn_conv_direct_pack, pre_cin inputs, bias pre_bias or NULL,
     * activation pre_ep). The call's x is then that 1x1's input (pre_cin channels of the
     * same height and width), and each input row this convolution needs is computed from
     * it into the scratch just before the row is split: the 1x1's output never reaches
     * memory. */
    const float* pre_w;
    const float* pre_bias;
    size_t pre_cin;
    const sj_nn_epilogue* pre_ep;
} sj_nn_post;
#define SJ_NN_PW_MIDC 64 /* channels between a Winograd convolution and a fused 1x1 */
/* post: NULL, or a GDN or pixel shuffle done to the convolution's output first; xg:
 * the GATE epilogue's factor (NULL otherwise); y may be the buffer of xg or res, not of
 * x. */
void sj_nn_conv_direct(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                       sj_nn_shape out, const float* packed, float* scratch,
                       size_t scratch_len, sj_nn_isa isa, const sj_nn_post* gdn,
                       const sj_nn_epilogue* ep, const float* xg, const float* res);
/* ops_conv_winograd.c: Winograd F(2x2, 3x3) for stride-1 3x3 convolutions with at least
 * 8 channels in and out, on the direct kernels' instruction sets (not GENERIC), unless
 * SJ_NN_WINOGRAD=0. Packed weights: sj_nn_winograd_packed_len floats (pack returns -1
 * when out of memory). Same epilogue and aliasing rules as sj_nn_conv_direct.
 * bf16 (AVX-512 only, where sj_nn_winograd_bf16_supported): the products over input
 * channels in bfloat16 (winograd_bf16_kernel.h); pack and conv must agree on it. */
int sj_nn_winograd_fits(const sj_nn_node* n, sj_nn_isa isa);
int sj_nn_winograd_bf16_supported(void);
size_t sj_nn_winograd_packed_len(const sj_nn_node* n, int bf16);
size_t sj_nn_winograd_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out,
                              size_t budget);
int sj_nn_winograd_pack(const sj_nn_node* n, sj_nn_isa isa, int bf16, float* dst);
void sj_nn_winograd_conv(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                         sj_nn_shape out, const float* packed, float* scratch,
                         size_t scratch_len, sj_nn_isa isa, int bf16, const sj_nn_post* post,
                         const sj_nn_epilogue* ep, const float* xg, const float* res);

/* One input row of w floats (src; NULL: a row of zeros), padded with pw zeros on the left
 * and zeros on the right, stored as its even padded columns (d[0..half)) then its odd
 * ones (d[half..2 half)): the layout the stride-2 and Winograd kernels read. */
void sj_nn_split_row(const float* src, size_t w, size_t pw, size_t half, float* d);
/* y[i] = sigmoid(x[i]) with isa's vector kernel (sj_nn_sigmoid for GENERIC); y may be x. */
void sj_nn_sigmoid_isa(sj_nn_isa isa, const float* x, float* y, size_t len);
/* GDN/IGDN with C <= SJ_NN_GDN_DIRECT_MAXC as a 1x1 convolution of x^2 (gamma packed
 * into C*C floats by sj_nn_gdn_direct_pack); y may be x; no scratch. */
int sj_nn_gdn_direct_fits(const sj_nn_node* n);
void sj_nn_gdn_direct_pack(const sj_nn_node* n, sj_nn_isa isa, float* dst);
void sj_nn_gdn_direct(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s,
                      const float* packed, sj_nn_isa isa, const sj_nn_epilogue* ep,
                      const float* res);

/* ops_elementwise.c */
void sj_nn_prelu(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s);
void sj_nn_relu(const float* x, float* y, size_t len);
void sj_nn_leaky_relu(const float* x, float* y, size_t len, float slope);
void sj_nn_sigmoid(const float* x, float* y, size_t len);
void sj_nn_tanh(const float* x, float* y, size_t len);
/* a and b have shapes sa, sb equal, or one of them is [C, 1, 1] (broadcast per channel). */
void sj_nn_binary(sj_nn_opcode op, const float* a, sj_nn_shape sa, const float* b,
                  sj_nn_shape sb, float* y);
void sj_nn_power_normalize(const float* x, float* y, size_t len);

/* ops_gdn.c: scratch of sj_nn_gdn_scratch floats. */
size_t sj_nn_gdn_scratch(sj_nn_shape s, size_t budget);
void sj_nn_gdn(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s, float* scratch,
               size_t scratch_len);

/* ops_resample.c */
void sj_nn_pixel_shuffle(const float* x, sj_nn_shape in, float* y, size_t r);
void sj_nn_upsample_nearest(const float* x, sj_nn_shape in, float* y, size_t s);
void sj_nn_upsample_bilinear(const float* x, sj_nn_shape in, float* y, size_t s);
void sj_nn_avg_pool2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                      sj_nn_shape out);
void sj_nn_reflect_pad(const float* x, sj_nn_shape in, float* y, sj_nn_shape out);
void sj_nn_crop(const float* x, sj_nn_shape in, float* y, sj_nn_shape out);

/* y[i] = x[i] + s. Not volk_32f_s32f_add_32f: VOLK 2.5.2 has no implementation named
 * "generic" for it, and under VOLK_GENERIC=1 (set by GNU Radio's QA tests) its dispatcher
 * loops forever printing "no arch found". gcc vectorises this loop itself. */
static inline void sj_nn_add_scalar(float* y, const float* x, float s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        y[i] = x[i] + s;
}

#endif
