/* Execution of a plan: pad the input into its buffer, run the nodes in order, crop the
 * output out. Every buffer was allocated by the plan; nothing here allocates. */
#include "plan_internal.h"

#include <string.h>
#if defined(__x86_64__) || defined(__i386__)
#include <xmmintrin.h>
#endif

static size_t numel(sj_nn_shape s) { return s.c * s.h * s.w; }

static void run_node(sj_nn_plan* p, size_t i)
{
    const sj_nn_node* n = &p->m->nodes[i];
    const float* x = p->ptr[n->in[0]];
    sj_nn_shape s = p->shapes[n->in[0]];
    float* y = p->ptr[n->out];
    sj_nn_shape o = p->shapes[n->out];
    const sj_nn_node_exec* e = &p->exec[i];
    if (e->fused) /* done by the direct kernel of the node before it (plan.c) */
        return;
    if (e->isa != SJ_NN_ISA_GENERIC) {
        /* With a 1x1 fused after it, the node writes what the 1x1 (its epilogue,
         * residual and destination) would have. */
        const sj_nn_node_exec* last = e->pw_of >= 0 ? &p->exec[e->pw_of] : e;
        if (e->pre_of >= 0) /* the 1x1 fused before reads the real input */
            x = p->ptr[p->m->nodes[e->pre_of].in[0]];
        float* dst = p->ptr[last->dst_val];
        const float* res = last->res_val >= 0 ? p->ptr[last->res_val] : NULL;
        const float* xg = e->xg_val >= 0 ? p->ptr[e->xg_val] : NULL;
        if (n->op == SJ_OP_CONV2D) {
            int g = e->gdn_of;
            sj_nn_post post = { .gamma = g >= 0 ? p->exec[g].packed : NULL,
                                .beta = g >= 0 ? p->m->nodes[g].beta->data : NULL,
                                .shuffle = e->shuffle };
            if (e->pw_of >= 0) {
                const sj_nn_node* k = &p->m->nodes[e->pw_of];
                post.pw_w = last->packed;
                post.pw_bias = k->bias ? k->bias->data : NULL;
                post.pw_cout = k->cout;
                post.mid_ep = &e->ep;
            }
            if (e->pre_of >= 0) {
                const sj_nn_node* k = &p->m->nodes[e->pre_of];
                post.pre_w = p->exec[e->pre_of].packed;
                post.pre_bias = k->bias ? k->bias->data : NULL;
                post.pre_cin = k->cin;
                post.pre_ep = &p->exec[e->pre_of].ep;
            }
            const sj_nn_post* pp =
                g >= 0 || e->shuffle || e->pw_of >= 0 || e->pre_of >= 0 ? &post : NULL;
            if (e->wino)
                sj_nn_winograd_conv(n, x, s, dst, o, e->packed, p->scratch, p->scratch_len, e->isa,
                                    e->bf16, pp, &last->ep, xg, res);
            else
                sj_nn_conv_direct(n, x, s, dst, o, e->packed, p->scratch, p->scratch_len, e->isa, pp,
                                  &last->ep, xg, res);
        }
        else /* a GDN not fused into the convolution before it */
            sj_nn_gdn_direct(n, x, dst, s, e->packed, e->isa, &e->ep, res);
        return;
    }
    switch (n->op) {
    case SJ_OP_CONV2D:
        sj_nn_conv2d(n, x, s, y, o, p->scratch, p->scratch_len);
        break;
    case SJ_OP_CONV_TRANSPOSE2D:
        sj_nn_conv_transpose2d(n, x, s, y, o, p->scratch, p->scratch_len);
        break;
    case SJ_OP_LINEAR:
        sj_nn_linear(n, x, s, y);
        break;
    case SJ_OP_PRELU:
        sj_nn_prelu(n, x, y, s);
        break;
    case SJ_OP_RELU:
        sj_nn_relu(x, y, numel(s));
        break;
    case SJ_OP_LEAKY_RELU:
        sj_nn_leaky_relu(x, y, numel(s), n->slope);
        break;
    case SJ_OP_SIGMOID:
        sj_nn_sigmoid_isa(sj_nn_cpu_isa(), x, y, numel(s));
        break;
    case SJ_OP_TANH:
        sj_nn_tanh(x, y, numel(s));
        break;
    case SJ_OP_GDN:
    case SJ_OP_IGDN:
        sj_nn_gdn(n, x, y, s, p->scratch, p->scratch_len);
        break;
    case SJ_OP_PIXEL_SHUFFLE:
        sj_nn_pixel_shuffle(x, s, y, n->factor);
        break;
    case SJ_OP_UPSAMPLE_NEAREST:
        sj_nn_upsample_nearest(x, s, y, n->factor);
        break;
    case SJ_OP_UPSAMPLE_BILINEAR:
        sj_nn_upsample_bilinear(x, s, y, n->factor);
        break;
    case SJ_OP_AVG_POOL2D:
        sj_nn_avg_pool2d(n, x, s, y, o);
        break;
    case SJ_OP_ADD:
    case SJ_OP_MUL:
        sj_nn_binary(n->op, x, s, p->ptr[n->in[1]], p->shapes[n->in[1]], y);
        break;
    case SJ_OP_CONCAT: {
        /* CHW with the channel axis outermost: concatenation is consecutive copies. */
        size_t off = 0;
        for (size_t k = 0; k < n->nin; k++) {
            size_t len = numel(p->shapes[n->in[k]]);
            memcpy(y + off, p->ptr[n->in[k]], len * sizeof(float));
            off += len;
        }
        break;
    }
    case SJ_OP_POWER_NORMALIZE:
        sj_nn_power_normalize(x, y, numel(s));
        break;
    default:
        break;
    }
}

sj_status sj_nn_plan_run(sj_nn_plan* p, const float* in, float* out)
{
    if (!p || !in || !out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_plan_run: NULL argument");
    const sj_nn_model* m = p->m;
#if defined(__x86_64__) || defined(__i386__)
    unsigned int csr = _mm_getcsr();
    _mm_setcsr(csr | 0x8040u); /* FTZ (bit 15) | DAZ (bit 6) */
#endif
    if (p->in_user.h == p->in_padded.h && p->in_user.w == p->in_padded.w)
        memcpy(p->ptr[0], in, numel(p->in_user) * sizeof(float));
    else
        sj_nn_reflect_pad(in, p->in_user, p->ptr[0], p->in_padded);
    if (p->prof_s && p->prof_seen++ > 0) { /* the first run (page faults) not counted */
        for (size_t i = 0; i < m->nnodes; i++) {
            double t0 = sj_nn_profile_now();
            run_node(p, i);
            p->prof_s[i] += sj_nn_profile_now() - t0;
        }
        p->prof_runs++;
    } else
        for (size_t i = 0; i < m->nnodes; i++)
            run_node(p, i);
    const float* y = p->ptr[m->output_value];
    if (p->out_user.h == p->out_full.h && p->out_user.w == p->out_full.w)
        memcpy(out, y, numel(p->out_full) * sizeof(float));
    else
        sj_nn_crop(y, p->out_full, out, p->out_user);
#if defined(__x86_64__) || defined(__i386__)
    _mm_setcsr(csr);
#endif
    return SJ_OK;
}

void sj_nn_plan_input_shape(const sj_nn_plan* p, size_t* c, size_t* h, size_t* w)
{
    if (c)
        *c = p ? p->in_user.c : 0;
    if (h)
        *h = p ? p->in_user.h : 0;
    if (w)
        *w = p ? p->in_user.w : 0;
}

void sj_nn_plan_output_shape(const sj_nn_plan* p, size_t* c, size_t* h, size_t* w)
{
    if (c)
        *c = p ? p->out_user.c : 0;
    if (h)
        *h = p ? p->out_user.h : 0;
    if (w)
        *w = p ? p->out_user.w : 0;
}

size_t sj_nn_plan_memory_bytes(const sj_nn_plan* p) { return p ? p->bytes : 0; }

double sj_nn_plan_flops(const sj_nn_plan* p) { return p ? p->flops : 0.0; }
