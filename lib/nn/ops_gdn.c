/* Generalised divisive normalisation (Balle et al. 2016):
 *   gdn:  y_i = x_i / sqrt(beta_i + sum_j gamma_ij x_j^2)
 *   igdn: y_i = x_i * sqrt(beta_i + sum_j gamma_ij x_j^2)
 * with the effective (already reparametrised) beta and gamma from the model file. The sum
 * over channels is a [C, C] x [C, pixels] product, done in column tiles through sgemm so
 * the scratch stays bounded. */
#include "nn_internal.h"

#include <cblas.h>
#include <volk/volk.h>

size_t sj_nn_gdn_scratch(sj_nn_shape s, size_t budget)
{
    size_t plane = s.h * s.w;
    size_t cols = budget / (2 * s.c);
    cols = cols < 1 ? 1 : cols > plane ? plane : cols;
    return 2 * s.c * cols;
}

void sj_nn_gdn(const sj_nn_node* n, const float* x, float* y, sj_nn_shape s, float* scratch,
               size_t scratch_len)
{
    size_t C = s.c, plane = s.h * s.w;
    size_t cols = scratch_len / (2 * C);
    if (cols > plane)
        cols = plane;
    float* sq = scratch;
    for (size_t c0 = 0; c0 < plane; c0 += cols) {
        size_t nc = c0 + cols <= plane ? cols : plane - c0;
        float* norm = scratch + C * nc;
        for (size_t c = 0; c < C; c++) {
            const float* xp = x + c * plane + c0;
            volk_32f_x2_multiply_32f(sq + c * nc, xp, xp, (unsigned int)nc);
        }
        cblas_sgemm(CblasRowMajor, CblasNoTrans, CblasNoTrans, (int)C, (int)nc, (int)C, 1.0f,
                    n->gamma->data, (int)C, sq, (int)nc, 0.0f, norm, (int)nc);
        for (size_t c = 0; c < C; c++) {
            float* np = norm + c * nc;
            sj_nn_add_scalar(np, np, n->beta->data[c], nc);
            volk_32f_sqrt_32f(np, np, (unsigned int)nc);
            /* x is read here for the last time in this tile, so y may alias it. */
            if (n->op == SJ_OP_GDN)
                volk_32f_x2_divide_32f(y + c * plane + c0, x + c * plane + c0, np,
                                       (unsigned int)nc);
            else
                volk_32f_x2_multiply_32f(y + c * plane + c0, x + c * plane + c0, np,
                                         (unsigned int)nc);
        }
    }
}
