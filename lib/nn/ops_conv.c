/* Convolutions as matrix products (OpenBLAS sgemm).
 *
 * conv2d: im2col turns the input patches of a band of output rows into a
 * [Cin*Kh*Kw, rows*Wo] matrix; Y[:, band] = W[Cout, Cin*Kh*Kw] * cols. The weight tensor
 * in PyTorch's [Cout, Cin, Kh, Kw] order is already that row-major matrix.
 * conv_transpose2d: the adjoint. cols = W^T * X[:, band of input rows], with W in
 * PyTorch's [Cin, Cout, Kh, Kw] order read as a transposed [Cin, Cout*Kh*Kw] matrix, then
 * col2im adds each column into the output pixels it touches.
 * Tiling by rows bounds the scratch (sj_nn_conv_scratch) so a 768x512 image does not need
 * a 30 MB patch matrix, and keeps each band in cache between im2col and the product. */
#include "nn_internal.h"

#include <cblas.h>

#include <string.h>

/* Range [lo, hi) of output (conv) or input (tconv) columns whose partner column
 * i*stride - pad + k lies inside [0, limit). */
static void valid_range(size_t n, size_t stride, size_t pad, size_t k, size_t limit,
                        size_t* lo, size_t* hi)
{
    *lo = k >= pad ? 0 : (pad - k + stride - 1) / stride;
    long top = (long)limit - 1 + (long)pad - (long)k; /* largest i*stride */
    *hi = top < 0 ? 0 : (size_t)top / stride + 1;
    if (*hi > n)
        *hi = n;
    if (*lo > *hi)
        *lo = *hi;
}

static int is_pointwise(const sj_nn_node* n)
{
    return n->kh == 1 && n->kw == 1 && n->sh == 1 && n->sw == 1 && n->ph == 0 && n->pw == 0;
}

size_t sj_nn_conv_scratch(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out, size_t budget)
{
    size_t row;
    if (n->op == SJ_OP_CONV2D) {
        if (is_pointwise(n))
            return 0;
        row = n->cin * n->kh * n->kw * out.w;
        size_t rows = budget / row;
        rows = rows < 1 ? 1 : rows > out.h ? out.h : rows;
        return rows * row;
    }
    row = n->cout * n->kh * n->kw * in.w;
    size_t rows = budget / row;
    rows = rows < 1 ? 1 : rows > in.h ? in.h : rows;
    return rows * row;
}

static void add_bias(const sj_nn_node* n, float* y, size_t plane, size_t off, size_t len)
{
    if (!n->bias)
        return;
    for (size_t c = 0; c < n->cout; c++) {
        float b = n->bias->data[c];
        float* p = y + c * plane + off;
        for (size_t i = 0; i < len; i++)
            p[i] += b;
    }
}

static void im2col(const sj_nn_node* n, const float* x, sj_nn_shape in, size_t r0, size_t nr,
                   size_t wo, float* col)
{
    for (size_t ci = 0; ci < in.c; ci++)
        for (size_t ky = 0; ky < n->kh; ky++)
            for (size_t kx = 0; kx < n->kw; kx++) {
                float* dst = col + ((ci * n->kh + ky) * n->kw + kx) * nr * wo;
                size_t lo, hi;
                valid_range(wo, n->sw, n->pw, kx, in.w, &lo, &hi);
                for (size_t r = 0; r < nr; r++) {
                    float* d = dst + r * wo;
                    long iy = (long)((r0 + r) * n->sh) - (long)n->ph + (long)ky;
                    if (iy < 0 || iy >= (long)in.h) {
                        memset(d, 0, wo * sizeof(float));
                        continue;
                    }
                    const float* src = x + (ci * in.h + (size_t)iy) * in.w;
                    memset(d, 0, lo * sizeof(float));
                    memset(d + hi, 0, (wo - hi) * sizeof(float));
                    if (n->sw == 1) {
                        memcpy(d + lo, src + (lo + kx - n->pw), (hi - lo) * sizeof(float));
                    } else {
                        for (size_t ox = lo; ox < hi; ox++)
                            d[ox] = src[ox * n->sw + kx - n->pw];
                    }
                }
            }
}

void sj_nn_conv2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                  sj_nn_shape out, float* scratch, size_t scratch_len)
{
    size_t K = n->cin * n->kh * n->kw;
    size_t plane = out.h * out.w;
    if (is_pointwise(n)) {
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n->cout, (int)plane,
                    (int)K, 1.0f, n->weight->data, (int)K, x, (int)plane, 0.0f, y, (int)plane);
        add_bias(n, y, plane, 0, plane);
        return;
    }
    size_t rows = scratch_len / (K * out.w);
    if (rows > out.h)
        rows = out.h;
    for (size_t r0 = 0; r0 < out.h; r0 += rows) {
        size_t nr = r0 + rows <= out.h ? rows : out.h - r0;
        size_t cols = nr * out.w;
        im2col(n, x, in, r0, nr, out.w, scratch);
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n->cout, (int)cols, (int)K,
                    1.0f, n->weight->data, (int)K, scratch, (int)cols, 0.0f, y + r0 * out.w,
                    (int)plane);
        add_bias(n, y, plane, r0 * out.w, cols);
    }
}

static void col2im(const sj_nn_node* n, const float* col, sj_nn_shape in, size_t r0, size_t nr,
                   float* y, sj_nn_shape out)
{
    for (size_t co = 0; co < out.c; co++)
        for (size_t ky = 0; ky < n->kh; ky++)
            for (size_t kx = 0; kx < n->kw; kx++) {
                const float* src = col + ((co * n->kh + ky) * n->kw + kx) * nr * in.w;
                size_t lo, hi;
                valid_range(in.w, n->sw, n->pw, kx, out.w, &lo, &hi);
                for (size_t r = 0; r < nr; r++) {
                    long oy = (long)((r0 + r) * n->sh) - (long)n->ph + (long)ky;
                    if (oy < 0 || oy >= (long)out.h)
                        continue;
                    /* Output column of input column ix: ix*sw + kx - pw, >= 0 for ix >= lo. */
                    float* d = y + (co * out.h + (size_t)oy) * out.w;
                    const float* s = src + r * in.w;
                    if (n->sw == 1) {
                        float* dd = d + (lo + kx - n->pw);
                        for (size_t ix = 0; ix < hi - lo; ix++)
                            dd[ix] += s[lo + ix];
                    } else {
                        for (size_t ix = lo; ix < hi; ix++)
                            d[ix * n->sw + kx - n->pw] += s[ix];
                    }
                }
            }
}

void sj_nn_conv_transpose2d(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y,
                            sj_nn_shape out, float* scratch, size_t scratch_len)
{
    size_t Kc = n->cout * n->kh * n->kw;
    size_t plane_in = in.h * in.w, plane = out.h * out.w;
    for (size_t c = 0; c < n->cout; c++) {
        float b = n->bias ? n->bias->data[c] : 0.0f;
        float* p = y + c * plane;
        for (size_t i = 0; i < plane; i++)
            p[i] = b;
    }
    size_t rows = scratch_len / (Kc * in.w);
    if (rows > in.h)
        rows = in.h;
    for (size_t r0 = 0; r0 < in.h; r0 += rows) {
        size_t nr = r0 + rows <= in.h ? rows : in.h - r0;
        size_t cols = nr * in.w;
        cblas_sgemm(CblasRowMajor, CblasTrans, CblasNoTrans, (int)Kc, (int)cols, (int)n->cin,
                    1.0f, n->weight->data, (int)Kc, x + r0 * in.w, (int)plane_in, 0.0f, scratch,
                    (int)cols);
        col2im(n, scratch, in, r0, nr, y, out);
    }
}

void sj_nn_linear(const sj_nn_node* n, const float* x, sj_nn_shape in, float* y)
{
    /* Applied to each pixel's channel vector; on a [C, 1, 1] tensor it is the usual
     * fully connected layer. */
    size_t plane = in.h * in.w;
    cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)n->cout, (int)plane,
                (int)n->cin, 1.0f, n->weight->data, (int)n->cin, x, (int)plane, 0.0f, y,
                (int)plane);
    add_bias(n, y, plane, 0, plane);
}
