/* Planning: given an input size, work out every activation's shape, decide which
 * activations can share a buffer (an activation's buffer is free again after its last
 * reader has run), and allocate all buffers and the convolution scratch once. */
#include "plan_internal.h"

#include <stdlib.h>
#include <string.h>
#if defined(__linux__)
#include <sys/mman.h>
#endif

/* im2col/col2im scratch budget in floats (4 MiB): large convolutions are tiled by rows to
 * fit, which keeps a 768x512 image's peak memory low and the tiles cache-friendly. */
#define SJ_NN_SCRATCH_BUDGET ((size_t)1 << 20)
#define SJ_NN_MAX_ELEMS ((size_t)1 << 30)
#define SJ_NN_HUGE_PAGE ((size_t)2 << 20)

/* Activation buffers and scratch: 64-byte aligned (any SIMD width); those of 2 MiB and
 * more on 2 MiB boundaries, marked for transparent huge pages. Why: a 3x3 layer reads
 * every input channel's plane and writes every output channel's at once, dozens of
 * streams 400 KB apart at 768x512, each on its own 4 KiB pages. Measured with the lwe
 * encoder (768x512) and decoder running side by side on the two cores, as in the
 * flowgraph (bench_nn_runtime, 8 runs, 3 alternations, 2026-12-05): 310 ms for the pair
 * with 4 KiB pages, 293 ms with huge pages. Where THP is off (or "never"), madvise
 * fails harmlessly and 4 KiB pages are used. */
static void* buffer_alloc(size_t bytes)
{
    void* ptr = NULL;
    size_t align = bytes >= SJ_NN_HUGE_PAGE ? SJ_NN_HUGE_PAGE : 64;
    if (align == SJ_NN_HUGE_PAGE)
        bytes = (bytes + SJ_NN_HUGE_PAGE - 1) / SJ_NN_HUGE_PAGE * SJ_NN_HUGE_PAGE;
    if (posix_memalign(&ptr, align, bytes ? bytes : 64) != 0)
        return NULL;
#if defined(__linux__) && defined(MADV_HUGEPAGE)
    if (align == SJ_NN_HUGE_PAGE)
        (void)madvise(ptr, bytes, MADV_HUGEPAGE);
#endif
    return ptr;
}

static size_t numel(sj_nn_shape s) { return s.c * s.h * s.w; }

/* Output shape of node i, or an error naming the node and the input size. */
static sj_status node_shape(const sj_nn_plan* p, size_t i, sj_nn_shape* out)
{
    const sj_nn_node* n = &p->m->nodes[i];
    sj_nn_shape a = p->shapes[n->in[0]];
    sj_nn_shape o = { n->cout, a.h, a.w };
    const char* op = sj_nn_op_name(n->op);
    switch (n->op) {
    case SJ_OP_CONV2D:
        if (a.h + 2 * n->ph < n->kh || a.w + 2 * n->pw < n->kw)
            goto too_small;
        o.h = (a.h + 2 * n->ph - n->kh) / n->sh + 1;
        o.w = (a.w + 2 * n->pw - n->kw) / n->sw + 1;
        break;
    case SJ_OP_CONV_TRANSPOSE2D:
        if ((a.h - 1) * n->sh + n->kh + n->oph <= 2 * n->ph ||
            (a.w - 1) * n->sw + n->kw + n->opw <= 2 * n->pw)
            goto too_small;
        o.h = (a.h - 1) * n->sh + n->kh + n->oph - 2 * n->ph;
        o.w = (a.w - 1) * n->sw + n->kw + n->opw - 2 * n->pw;
        break;
    case SJ_OP_PIXEL_SHUFFLE:
    case SJ_OP_UPSAMPLE_NEAREST:
    case SJ_OP_UPSAMPLE_BILINEAR:
        o.h = a.h * n->factor;
        o.w = a.w * n->factor;
        break;
    case SJ_OP_AVG_POOL2D:
        if (n->global) {
            o.h = o.w = 1;
            break;
        }
        if (a.h < n->kh || a.w < n->kw)
            goto too_small;
        o.h = (a.h - n->kh) / n->sh + 1;
        o.w = (a.w - n->kw) / n->sw + 1;
        break;
    case SJ_OP_ADD:
    case SJ_OP_MUL: {
        sj_nn_shape b = p->shapes[n->in[1]];
        int same = a.h == b.h && a.w == b.w;
        if (!same && !(b.h == 1 && b.w == 1) && !(a.h == 1 && a.w == 1))
            return sj_fail(SJ_ERR_INVALID_ARG,
                           "model node %zu (%s): inputs of %zux%zu and %zux%zu cannot be "
                           "combined (input size %zux%zu)",
                           i, op, a.h, a.w, b.h, b.w, p->in_padded.h, p->in_padded.w);
        o.h = a.h * a.w >= b.h * b.w ? a.h : b.h;
        o.w = a.h * a.w >= b.h * b.w ? a.w : b.w;
        break;
    }
    case SJ_OP_CONCAT:
        for (size_t k = 1; k < n->nin; k++) {
            sj_nn_shape b = p->shapes[n->in[k]];
            if (b.h != a.h || b.w != a.w)
                return sj_fail(SJ_ERR_INVALID_ARG,
                               "model node %zu (concat): inputs of %zux%zu and %zux%zu "
                               "(input size %zux%zu; a size multiple the model does not "
                               "declare?)",
                               i, a.h, a.w, b.h, b.w, p->in_padded.h, p->in_padded.w);
        }
        break;
    default:
        break;
    }
    if (o.h == 0 || o.w == 0 || numel(o) > SJ_NN_MAX_ELEMS)
        goto too_small;
    *out = o;
    return SJ_OK;
too_small:
    return sj_fail(SJ_ERR_INVALID_ARG,
                   "model node %zu (%s): an input of %zux%zu gives an empty or oversized "
                   "output (image %zux%zu too small or too large for this network)",
                   i, op, a.h, a.w, p->in_padded.h, p->in_padded.w);
}

static double node_flops(const sj_nn_node* n, sj_nn_shape in, sj_nn_shape out)
{
    switch (n->op) {
    case SJ_OP_CONV2D:
        return 2.0 * n->cout * n->cin * n->kh * n->kw * out.h * out.w;
    case SJ_OP_CONV_TRANSPOSE2D:
        return 2.0 * n->cout * n->cin * n->kh * n->kw * in.h * in.w;
    case SJ_OP_LINEAR:
        return 2.0 * n->cout * n->cin * in.h * in.w;
    case SJ_OP_GDN:
    case SJ_OP_IGDN:
        return 2.0 * n->cin * n->cin * in.h * in.w + 4.0 * numel(in);
    default:
        return (double)numel(out);
    }
}

/* Elementwise ops may write over an input that nobody reads afterwards. */
static int in_place_ok(sj_nn_opcode op)
{
    switch (op) {
    case SJ_OP_PRELU: case SJ_OP_RELU: case SJ_OP_LEAKY_RELU: case SJ_OP_SIGMOID:
    case SJ_OP_TANH: case SJ_OP_GDN: case SJ_OP_IGDN: case SJ_OP_ADD: case SJ_OP_MUL:
    case SJ_OP_POWER_NORMALIZE:
        return 1;
    default:
        return 0;
    }
}

/* Whether slot k holds an input of convolution node c (-1: none). */
static int conv_input_slot(const sj_nn_model* m, const int* slot_of, int c, size_t k)
{
    for (size_t j = 0; c >= 0 && j < m->nodes[c].nin; j++)
        if (slot_of[m->nodes[c].in[j]] == (int)k)
            return 1;
    return 0;
}

/* Assigns each value a slot (index into cap/busy); grows slot capacities as needed.
 * The nodes after a convolution that fuse_epilogues may fold into it (a chain where each
 * reads only the one before, which nothing else reads) do not get the convolution's
 * input slots, which it still reads while it writes the chain's output (a shuffled or
 * gated output over the input would make the fusion unsafe and be refused). */
static sj_status assign_slots(sj_nn_plan* p, int* slot_of, size_t* cap, int* busy)
{
    const sj_nn_model* m = p->m;
    size_t nv = m->nvalues;
    int* last = malloc(nv * sizeof *last);
    size_t* nread = calloc(nv, sizeof *nread);
    if (!last || !nread) {
        free(last);
        free(nread);
        return sj_fail(SJ_ERR_NOMEM, "model plan: no memory");
    }
    for (size_t v = 0; v < nv; v++)
        last[v] = -1;
    for (size_t i = 0; i < m->nnodes; i++)
        for (size_t k = 0; k < m->nodes[i].nin; k++) {
            last[m->nodes[i].in[k]] = (int)i;
            nread[m->nodes[i].in[k]]++;
        }
    last[m->output_value] = (int)m->nnodes; /* read by the final copy-out */
    nread[m->output_value]++;
    int chain = -1; /* the convolution heading the current chain */
    slot_of[0] = 0;
    cap[0] = numel(p->shapes[0]);
    busy[0] = 1;
    p->nslots = 1;
    for (size_t i = 0; i < m->nnodes; i++) {
        const sj_nn_node* n = &m->nodes[i];
        size_t need = numel(p->shapes[n->out]);
        if (n->op == SJ_OP_CONV2D)
            chain = (int)i;
        else if (chain < 0 || i == 0 || n->in[0] != m->nodes[i - 1].out ||
                 nread[n->in[0]] != 1)
            chain = -1;
        int avoid = chain >= 0 && chain != (int)i ? chain : -1;
        int s = -1;
        for (size_t k = 0; s < 0 && in_place_ok(n->op) && k < n->nin; k++)
            if (last[n->in[k]] == (int)i && numel(p->shapes[n->in[k]]) == need &&
                n->in[k] != m->output_value)
                s = slot_of[n->in[k]];
        for (size_t k = 0; s < 0 && k < p->nslots; k++) /* best fit among free slots */
            if (!busy[k] && cap[k] >= need && (s < 0 || cap[k] < cap[s]) &&
                !conv_input_slot(m, slot_of, avoid, k))
                s = (int)k;
        for (size_t k = 0; s < 0 && k < p->nslots; k++) /* else grow the largest free */
            if (!busy[k] && (s < 0 || cap[k] > cap[s]) && !conv_input_slot(m, slot_of, avoid, k))
                s = (int)k;
        if (s < 0) {
            s = (int)p->nslots++;
            cap[s] = 0;
        }
        if (cap[s] < need)
            cap[s] = need;
        busy[s] = 1;
        slot_of[n->out] = s;
        for (size_t k = 0; k < n->nin; k++)
            if (last[n->in[k]] == (int)i && slot_of[n->in[k]] != s)
                busy[slot_of[n->in[k]]] = 0;
        if (last[n->out] <= (int)i && n->out != m->output_value) /* never read */
            busy[s] = 0;
    }
    free(last);
    free(nread);
    return SJ_OK;
}

static sj_status allocate(sj_nn_plan* p)
{
    const sj_nn_model* m = p->m;
    size_t nv = m->nvalues;
    int* slot_of = calloc(nv, sizeof *slot_of);
    size_t* cap = calloc(nv, sizeof *cap);
    int* busy = calloc(nv, sizeof *busy);
    sj_status st = SJ_OK;
    if (!slot_of || !cap || !busy)
        st = sj_fail(SJ_ERR_NOMEM, "model plan: no memory");
    if (st == SJ_OK)
        st = assign_slots(p, slot_of, cap, busy);
    if (st == SJ_OK && !(p->slots = calloc(p->nslots, sizeof *p->slots)))
        st = sj_fail(SJ_ERR_NOMEM, "model plan: no memory");
    for (size_t k = 0; st == SJ_OK && k < p->nslots; k++) {
        p->slots[k] = buffer_alloc(cap[k] * sizeof(float));
        if (!p->slots[k])
            st = sj_fail(SJ_ERR_NOMEM, "model plan: no memory for a %zu-float buffer", cap[k]);
        p->bytes += cap[k] * sizeof(float);
    }
    for (size_t v = 0; st == SJ_OK && v < nv; v++)
        p->ptr[v] = p->slots[slot_of[v]];
    free(slot_of);
    free(cap);
    free(busy);
    return st;
}

/* The other input of binary node b (ADD or MUL) whose input v is, if it has v's shape:
 * else -1. */
static int other_input(const sj_nn_plan* p, const sj_nn_node* b, int v)
{
    if (b->nin != 2 || (b->in[0] != v && b->in[1] != v) || b->in[0] == b->in[1])
        return -1;
    int r = b->in[0] == v ? b->in[1] : b->in[0];
    sj_nn_shape sr = p->shapes[r], sv = p->shapes[v];
    return sr.c == sv.c && sr.h == sv.h && sr.w == sv.w ? r : -1;
}

/* Whether node k is a direct 1x1 stride-1 unpadded convolution on instruction set isa with
 * no GDN, pixel shuffle or gate fused into it: one that a Winograd kernel can run on its
 * own tiles or rows (fuse_pre_pointwise, fuse_pointwise). */
static int plain_pointwise(const sj_nn_plan* p, size_t k, sj_nn_isa isa)
{
    const sj_nn_node* n = &p->m->nodes[k];
    const sj_nn_node_exec* f = &p->exec[k];
    return n->op == SJ_OP_CONV2D && f->isa == isa && !f->wino && n->kh == 1 && n->kw == 1 &&
           n->sh == 1 && n->sw == 1 && n->ph == 0 && n->pw == 0 && f->gdn_of < 0 &&
           !f->shuffle && f->ep.mode == SJ_NN_EP_CONV && f->xg_val < 0;
}

/* A 1x1 convolution k fused before a Winograd convolution i (an attention block's
 * residual unit starts 1x1 + relu, then 3x3): k's output, after its activation, is read by
 * i alone, and k is the node that runs just before i; i then computes each input row from
 * k's input as it needs it (sj_nn_post.pre_w) and k is skipped, so k's output never goes
 * through memory. k must be a direct 1x1 stride-1 unpadded convolution with nothing fused
 * but its activation. Where i writes is unaffected: it reads k's input rows ahead of the
 * rows it writes, as it read its own input's (see fuse_pointwise). */
static void fuse_pre_pointwise(sj_nn_plan* p, const size_t* readers)
{
    const sj_nn_model* m = p->m;
    for (size_t i = 1; i < m->nnodes; i++) {
        sj_nn_node_exec* e = &p->exec[i];
        const sj_nn_node* c = &m->nodes[i];
        if (!e->wino || e->fused)
            continue;
        size_t k = i - 1;
        while (k > 0 && p->exec[k].fused)
            k--;
        const sj_nn_node_exec* f = &p->exec[k];
        if (!f->fused && plain_pointwise(p, k, e->isa) && f->dst_val == c->in[0] &&
            readers[f->dst_val] == 1 && f->res_val < 0) {
            e->pre_of = (int)k;
            p->exec[k].fused = 1;
        }
    }
}

/* A 1x1 convolution k fused after a Winograd convolution i (an attention block's
 * residual unit: 3x3 + relu, then 1x1 + add + relu), once fuse_epilogues has given each
 * its own epilogue: i's output, after i's activation, is read by k alone, so i's kernel
 * runs k's 1x1 on each pixel block while it is in L1 (sj_nn_post.pw_w) and writes k's
 * output (k's epilogue and residual) instead of the middle value. i may have nothing
 * else fused but an activation; k must be the next node that runs, a direct 1x1 stride-1
 * unpadded convolution with no GDN, shuffle or gate. k's residual is read at each
 * position before it is written. k's output may be in i's input buffer (the allocator
 * may have given it there: i's input dies at i) when i keeps the height and width (3x3,
 * padding 1): i splits input rows up to 2 t + 2 into its ring before it writes output
 * rows 2 t and 2 t + 1, and channel c's row r sits at the same place in both tensors, so
 * every input row is read before anything is written over it. */
static void fuse_pointwise(sj_nn_plan* p, const size_t* readers)
{
    const sj_nn_model* m = p->m;
    for (size_t i = 0; i < m->nnodes; i++) {
        sj_nn_node_exec* e = &p->exec[i];
        const sj_nn_node* c = &m->nodes[i];
        if (!e->wino || e->fused || e->gdn_of >= 0 || e->shuffle || e->res_val >= 0 ||
            e->xg_val >= 0 || e->ep.mode != SJ_NN_EP_CONV || c->cout > SJ_NN_PW_MIDC)
            continue;
        size_t k = i + 1;
        while (k < m->nnodes && p->exec[k].fused)
            k++;
        if (k >= m->nnodes)
            continue;
        const sj_nn_node* n = &m->nodes[k];
        const sj_nn_node_exec* f = &p->exec[k];
        if (plain_pointwise(p, k, e->isa) && n->in[0] == e->dst_val &&
            readers[e->dst_val] == 1 &&
            (p->ptr[f->dst_val] != p->ptr[c->in[0]] || (c->ph == 1 && c->pw == 1))) {
            e->pw_of = (int)k;
            p->exec[k].fused = 1;
        }
    }
}

/* Fusion into a direct convolution or GDN node i (its output read by nothing else); each
 * step needs the value so far to be read only by the next node, and then that node is
 * skipped at run time and the kernel writes that node's output instead:
 *  - (convolution with at most SJ_NN_GDN_DIRECT_MAXC outputs) a GDN or IGDN of it, run
 *    on each pixel block of the convolution's output while it is in L1;
 *  - or (convolution with 4k <= SJ_NN_SHUFFLE_MAXC outputs, not 1x1 in place) a pixel
 *    shuffle of factor 2, as the pattern of its stores;
 *  - or (convolution) a sigmoid of it times another value t of the same shape, an
 *    attention block's mask: the GATE epilogue, t * sigmoid(conv);
 *  - an add of the value so far and another value r of the same shape: "+ r";
 *  - a relu or leaky relu (0 < slope < 1);
 *  - a sigmoid.
 * The kernel reads t, r (and a GDN's own input) at each position before it writes that
 * position, so it may write over any of them. A convolution reads input rows that later
 * output rows still need, so it must not write to its input's buffer. Any other buffer
 * it could write is free from node i on: the allocator gave it to the fused node's output
 * knowing that only the (now skipped) nodes in between ran before, and they read only t,
 * r and values the kernel never writes. Adjacent nodes only: a buffer is free once its
 * node runs, not necessarily earlier. */
static sj_status fuse_epilogues(sj_nn_plan* p)
{
    const sj_nn_model* m = p->m;
    size_t* readers = calloc(m->nvalues, sizeof *readers);
    if (!readers)
        return sj_fail(SJ_ERR_NOMEM, "model plan: no memory");
    for (size_t i = 0; i < m->nnodes; i++)
        for (size_t k = 0; k < m->nodes[i].nin; k++)
            readers[m->nodes[i].in[k]]++;
    readers[m->output_value]++; /* the final copy-out */
    for (size_t i = 0; i < m->nnodes; i++) {
        const sj_nn_node* c = &m->nodes[i];
        sj_nn_node_exec* e = &p->exec[i];
        if (e->isa == SJ_NN_ISA_GENERIC || e->fused)
            continue;
        int conv = c->op == SJ_OP_CONV2D;
        const float* xin = p->ptr[c->in[0]];
        int v = c->out;
        size_t j = i + 1;
#define SJ_WRITABLE(val) (!conv || p->ptr[val] != xin)
        if (conv && j < m->nnodes && p->exec[j].isa != SJ_NN_ISA_GENERIC &&
            (m->nodes[j].op == SJ_OP_GDN || m->nodes[j].op == SJ_OP_IGDN) &&
            m->nodes[j].in[0] == v && readers[v] == 1 && c->cout <= SJ_NN_GDN_DIRECT_MAXC &&
            SJ_WRITABLE(m->nodes[j].out)) {
            e->ep.mode = m->nodes[j].op == SJ_OP_GDN ? SJ_NN_EP_GDN : SJ_NN_EP_IGDN;
            e->gdn_of = (int)j;
            p->exec[j].fused = 1;
            v = e->dst_val = m->nodes[j].out;
            j++;
        } else if (conv && j < m->nnodes && m->nodes[j].op == SJ_OP_PIXEL_SHUFFLE &&
                   m->nodes[j].factor == 2 && m->nodes[j].in[0] == v && readers[v] == 1 &&
                   c->cout % 4 == 0 && c->cout <= SJ_NN_SHUFFLE_MAXC &&
                   !(c->kh == 1 && c->sh == 1 && c->ph == 0 && c->pw == 0) &&
                   SJ_WRITABLE(m->nodes[j].out)) {
            e->shuffle = 1;
            p->exec[j].fused = 1;
            v = e->dst_val = m->nodes[j].out;
            j++;
        } else if (conv && j + 1 < m->nnodes && m->nodes[j].op == SJ_OP_SIGMOID &&
            m->nodes[j].in[0] == v && readers[v] == 1 && m->nodes[j + 1].op == SJ_OP_MUL &&
            readers[m->nodes[j].out] == 1) {
            const sj_nn_node* mul = &m->nodes[j + 1];
            int t = other_input(p, mul, m->nodes[j].out);
            if (t >= 0 && SJ_WRITABLE(mul->out)) {
                e->ep.mode = SJ_NN_EP_GATE;
                e->xg_val = t;
                p->exec[j].fused = p->exec[j + 1].fused = 1;
                v = e->dst_val = mul->out;
                j += 2;
            }
        }
        if (j < m->nnodes && m->nodes[j].op == SJ_OP_ADD && readers[v] == 1) {
            const sj_nn_node* a = &m->nodes[j];
            int r = other_input(p, a, v);
            if (r >= 0 && SJ_WRITABLE(a->out)) {
                e->res_val = r;
                p->exec[j].fused = 1;
                v = e->dst_val = a->out;
                j++;
            }
        }
        if (j < m->nnodes && m->nodes[j].in[0] == v && readers[v] == 1 &&
            SJ_WRITABLE(m->nodes[j].out) &&
            (m->nodes[j].op == SJ_OP_RELU ||
             (m->nodes[j].op == SJ_OP_LEAKY_RELU && m->nodes[j].slope > 0.0f &&
              m->nodes[j].slope < 1.0f))) {
            e->ep.slope = m->nodes[j].op == SJ_OP_RELU ? 0.0f : m->nodes[j].slope;
            p->exec[j].fused = 1;
            v = e->dst_val = m->nodes[j].out;
            j++;
        }
        if (j < m->nnodes && m->nodes[j].op == SJ_OP_SIGMOID && m->nodes[j].in[0] == v &&
            readers[v] == 1 && SJ_WRITABLE(m->nodes[j].out)) {
            e->ep.sigmoid = 1;
            p->exec[j].fused = 1;
            e->dst_val = m->nodes[j].out;
        }
#undef SJ_WRITABLE
    }
    fuse_pre_pointwise(p, readers);
    fuse_pointwise(p, readers);
    free(readers);
    return SJ_OK;
}

static size_t round_up(size_t x, size_t m) { return (x + m - 1) / m * m; }

sj_status sj_nn_model_plan(const sj_nn_model* m, size_t height, size_t width, sj_nn_plan** plan)
{
    return sj_nn_model_plan_precision(m, height, width, SJ_NN_FP32, plan);
}

sj_nn_precision sj_nn_plan_precision(const sj_nn_plan* p)
{
    return p ? p->precision : SJ_NN_FP32;
}

const char* sj_nn_precision_name(sj_nn_precision precision)
{
    return precision == SJ_NN_BF16 ? "bf16" : "fp32";
}

sj_status sj_nn_precision_parse(const char* name, sj_nn_precision* precision)
{
    if (!name || !precision)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_precision_parse: NULL argument");
    if (!strcmp(name, "fp32") || !strcmp(name, "bf16")) {
        *precision = name[0] == 'b' ? SJ_NN_BF16 : SJ_NN_FP32;
        return SJ_OK;
    }
    return sj_fail(SJ_ERR_INVALID_ARG, "unknown precision '%s' (fp32 or bf16)", name);
}

sj_status sj_nn_model_plan_precision(const sj_nn_model* m, size_t height, size_t width,
                                     sj_nn_precision precision, sj_nn_plan** plan)
{
    if (!m || !plan)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_plan: model or plan pointer is NULL");
    *plan = NULL;
    if (height == 0 || width == 0 || height > 65536 || width > 65536)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_plan: input size %zux%zu out of range",
                       height, width);
    size_t mult = m->size_multiple;
    if ((height % mult || width % mult) && m->size_policy == SJ_SIZE_REFUSE)
        return sj_fail(SJ_ERR_INVALID_ARG,
                       "this model takes only heights and widths that are multiples of %zu; "
                       "got %zux%zu (pad or crop the image)",
                       mult, height, width);
    sj_nn_plan* p = calloc(1, sizeof *p);
    if (!p)
        return sj_fail(SJ_ERR_NOMEM, "sj_nn_model_plan: no memory");
    p->m = m;
    p->in_user = (sj_nn_shape){ m->in_channels, height, width };
    p->in_padded = (sj_nn_shape){ m->in_channels, round_up(height, mult), round_up(width, mult) };
    p->shapes = calloc(m->nvalues, sizeof *p->shapes);
    p->ptr = calloc(m->nvalues, sizeof *p->ptr);
    p->exec = calloc(m->nnodes, sizeof *p->exec);
    if (sj_nn_profile_enabled())
        p->prof_s = calloc(m->nnodes, sizeof *p->prof_s); /* NULL: no profile, no harm */
    sj_nn_isa isa = sj_nn_cpu_isa();
    int bf16_ok = precision == SJ_NN_BF16 && isa == SJ_NN_ISA_AVX512 &&
                  sj_nn_winograd_bf16_supported();
    sj_status st = SJ_OK;
    if (precision != SJ_NN_FP32 && precision != SJ_NN_BF16)
        st = sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_plan: unknown precision %d", (int)precision);
    if (!p->shapes || !p->ptr || !p->exec)
        st = sj_fail(SJ_ERR_NOMEM, "sj_nn_model_plan: no memory");
    if (st == SJ_OK)
        p->shapes[0] = p->in_padded;
    size_t scratch = 0;
    for (size_t i = 0; st == SJ_OK && i < m->nnodes; i++) {
        const sj_nn_node* n = &m->nodes[i];
        st = node_shape(p, i, &p->shapes[n->out]);
        if (st != SJ_OK)
            break;
        sj_nn_shape in = p->shapes[n->in[0]], out = p->shapes[n->out];
        p->flops += node_flops(n, in, out);
        size_t s = 0;
        sj_nn_node_exec* e = &p->exec[i];
        e->ep = (sj_nn_epilogue){ SJ_NN_EP_CONV, 1.0f, 0 };
        e->res_val = -1;
        e->xg_val = -1;
        e->gdn_of = -1;
        e->pw_of = -1;
        e->pre_of = -1;
        e->dst_val = n->out;
        int conv = n->op == SJ_OP_CONV2D && sj_nn_conv_direct_fits(n);
        int wino = conv && sj_nn_winograd_fits(n, isa);
        int bf16 = wino && bf16_ok;
        int gdn = sj_nn_gdn_direct_fits(n);
        if (isa != SJ_NN_ISA_GENERIC && (conv || gdn)) {
            size_t len = wino ? sj_nn_winograd_packed_len(n, bf16)
                              : conv ? n->weight->count : n->gamma->count;
            e->isa = isa;
            e->wino = (unsigned char)wino;
            e->bf16 = (unsigned char)bf16;
            p->precision = bf16 ? SJ_NN_BF16 : p->precision;
            e->packed = malloc(len * sizeof(float));
            if (!e->packed || (wino && sj_nn_winograd_pack(n, isa, bf16, e->packed) != 0)) {
                st = sj_fail(SJ_ERR_NOMEM, "sj_nn_model_plan: no memory");
                break;
            }
            p->bytes += len * sizeof(float);
            if (wino) {
                s = sj_nn_winograd_scratch(n, in, out, SJ_NN_SCRATCH_BUDGET);
            } else if (conv) {
                s = sj_nn_conv_direct_scratch(n, in, out, SJ_NN_SCRATCH_BUDGET);
                sj_nn_conv_direct_pack(n, isa, e->packed);
            } else {
                e->ep.mode = n->op == SJ_OP_GDN ? SJ_NN_EP_GDN : SJ_NN_EP_IGDN;
                sj_nn_gdn_direct_pack(n, isa, e->packed);
            }
        } else if (n->op == SJ_OP_CONV2D || n->op == SJ_OP_CONV_TRANSPOSE2D)
            s = sj_nn_conv_scratch(n, in, out, SJ_NN_SCRATCH_BUDGET);
        else if (n->op == SJ_OP_GDN || n->op == SJ_OP_IGDN)
            s = sj_nn_gdn_scratch(in, SJ_NN_SCRATCH_BUDGET);
        if (s > scratch)
            scratch = s;
    }
    if (st == SJ_OK) {
        p->out_full = p->shapes[m->output_value];
        p->out_user = p->out_full;
        /* Cropped back in proportion: ceil(size * out / padded), so an encoder's latent
         * keeps every row that still sees the real image. */
        p->out_user.h = (height * p->out_full.h + p->in_padded.h - 1) / p->in_padded.h;
        p->out_user.w = (width * p->out_full.w + p->in_padded.w - 1) / p->in_padded.w;
        st = allocate(p);
    }
    if (st == SJ_OK)
        st = fuse_epilogues(p);
    if (st == SJ_OK && scratch) {
        p->scratch_len = scratch;
        p->scratch = buffer_alloc(scratch * sizeof(float));
        if (!p->scratch)
            st = sj_fail(SJ_ERR_NOMEM, "sj_nn_model_plan: no memory for %zu floats of scratch",
                         scratch);
        p->bytes += scratch * sizeof(float);
    }
    if (st != SJ_OK) {
        sj_nn_plan_destroy(p);
        return st;
    }
    *plan = p;
    return SJ_OK;
}

void sj_nn_plan_destroy(sj_nn_plan* p)
{
    if (!p)
        return;
    sj_nn_profile_report(p);
    free(p->prof_s);
    for (size_t k = 0; p->slots && k < p->nslots; k++)
        free(p->slots[k]);
    free(p->slots);
    free(p->scratch);
    free(p->shapes);
    free(p->ptr);
    for (size_t i = 0; p->exec && i < p->m->nnodes; i++)
        free(p->exec[i].packed);
    free(p->exec);
    free(p);
}
