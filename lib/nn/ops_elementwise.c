/* Elementwise operators. VOLK kernels where VOLK has one (add, multiply, scale); the
 * activation functions use libm so that they agree with PyTorch to float rounding (VOLK's
 * fast exp/tanh approximations are too coarse for the 1e-4 parity the tests demand). */
#include "nn_internal.h"

#include <volk/volk.h>

#include <math.h>

void sj_nn_prelu(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s)
{
    size_t plane = s.h * s.w;
    int shared = n->weight->count == 1; /* nn.PReLU() has one slope for all channels */
    for (size_t c = 0; c < s.c; c++) {
        float a = n->weight->data[shared ? 0 : c];
        const float* xp = x + c * plane;
        float* yp = y + c * plane;
        for (size_t i = 0; i < plane; i++)
            yp[i] = xp[i] > 0.0f ? xp[i] : a * xp[i];
    }
}

void sj_nn_relu(const float* x, float* y, size_t len)
{
    for (size_t i = 0; i < len; i++)
        y[i] = x[i] > 0.0f ? x[i] : 0.0f;
}

void sj_nn_leaky_relu(const float* x, float* y, size_t len, float slope)
{
    for (size_t i = 0; i < len; i++)
        y[i] = x[i] > 0.0f ? x[i] : slope * x[i];
}

void sj_nn_sigmoid(const float* x, float* y, size_t len)
{
    for (size_t i = 0; i < len; i++)
        y[i] = 1.0f / (1.0f + expf(-x[i]));
}

void sj_nn_tanh(const float* x, float* y, size_t len)
{
    for (size_t i = 0; i < len; i++)
        y[i] = tanhf(x[i]);
}

void sj_nn_binary(sj_nn_opcode op, const float* a, sj_nn_shape sa, const float* b,
                  sj_nn_shape sb, float* y)
{
    if (sa.h == sb.h && sa.w == sb.w) {
        unsigned int len = (unsigned int)(sa.c * sa.h * sa.w);
        if (op == SJ_OP_ADD)
            volk_32f_x2_add_32f(y, a, b, len);
        else
            volk_32f_x2_multiply_32f(y, a, b, len);
        return;
    }
    /* One side is [C, 1, 1]: a per-channel scalar (both ops commute). */
    if (sa.h * sa.w < sb.h * sb.w) {
        const float* t = a;
        a = b;
        b = t;
        sj_nn_shape u = sa;
        sa = sb;
        sb = u;
    }
    unsigned int plane = (unsigned int)(sa.h * sa.w);
    for (size_t c = 0; c < sa.c; c++) {
        if (op == SJ_OP_ADD)
            sj_nn_add_scalar(y + c * plane, a + c * plane, b[c], plane);
        else
            volk_32f_s32f_multiply_32f(y + c * plane, a + c * plane, b[c], plane);
    }
}

void sj_nn_power_normalize(const float* x, float* y, size_t len)
{
    /* Pairs of reals are complex symbols; k = len/2 symbols are scaled to total power k
     * (unit average power), as channel.power_normalize does in training. The sum runs in
     * double: it is a reduction over up to ~10^6 terms. */
    double sum = 0.0;
    for (size_t i = 0; i < len; i++)
        sum += (double)x[i] * (double)x[i];
    if (sum < 1e-12)
        sum = 1e-12;
    float scale = (float)(sqrt((double)len / 2.0) / sqrt(sum));
    volk_32f_s32f_multiply_32f(y, x, scale, (unsigned int)len);
}
