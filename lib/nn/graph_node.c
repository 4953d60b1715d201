/* One graph node's attributes and parameters: each is checked against the operator
 * (unknown names are refused) and each parameter tensor's shape against the channel count
 * flowing into the node, so that a plan only has to work out spatial sizes. */
#include "graph_internal.h"

#include <math.h>
#include <stdio.h>
#include <string.h>

/* An attribute that is an int or an [h, w] pair of ints, each within [lo, hi]. */
static sj_status attr_pair(const node_ctx* c, const char* key, size_t dflt, size_t lo, size_t hi,
                           size_t* h, size_t* w)
{
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(c->attrs, key);
    double a, b;
    if (!v) {
        *h = *w = dflt;
        return SJ_OK;
    }
    if (cJSON_IsNumber(v)) {
        a = b = v->valuedouble;
    } else if (cJSON_IsArray(v) && cJSON_GetArraySize(v) == 2 &&
               cJSON_IsNumber(cJSON_GetArrayItem(v, 0)) &&
               cJSON_IsNumber(cJSON_GetArrayItem(v, 1))) {
        a = cJSON_GetArrayItem(v, 0)->valuedouble;
        b = cJSON_GetArrayItem(v, 1)->valuedouble;
    } else {
        return NODE_FAIL(c, SJ_ERR_FORMAT, "attribute '%s' is not an integer or a pair", key);
    }
    if (floor(a) != a || floor(b) != b || a < (double)lo || b < (double)lo || a > (double)hi ||
        b > (double)hi)
        return NODE_FAIL(c, SJ_ERR_FORMAT, "attribute '%s' must be integers in [%zu, %zu]", key,
                         lo, hi);
    *h = (size_t)a;
    *w = (size_t)b;
    return SJ_OK;
}

/* The parameter of a role: NULL when absent and optional; an error when required and
 * absent, when the named tensor is missing, or when its shape is not `want` (0 = any). */
static sj_status param(const node_ctx* c, const char* role, int required, size_t ndim,
                       const size_t* want, const sj_nn_tensor** out)
{
    *out = NULL;
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(c->params, role);
    if (!v) {
        if (required)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "needs a '%s' parameter", role);
        return SJ_OK;
    }
    if (!cJSON_IsString(v))
        return NODE_FAIL(c, SJ_ERR_FORMAT, "parameter '%s' is not a tensor name", role);
    const sj_nn_tensor* t = sj_nn_find_tensor(c->m, v->valuestring);
    if (!t)
        return NODE_FAIL(c, SJ_ERR_FORMAT, "parameter tensor '%s' is missing from the file",
                         v->valuestring);
    int ok = t->ndim == ndim;
    for (size_t i = 0; ok && i < ndim; i++)
        ok = want[i] == 0 ? t->shape[i] > 0 : t->shape[i] == want[i];
    if (!ok) {
        char got[96] = "", exp[96] = "";
        for (size_t i = 0; i < t->ndim; i++)
            snprintf(got + strlen(got), sizeof got - strlen(got), "%s%zu", i ? "," : "",
                     t->shape[i]);
        for (size_t i = 0; i < ndim; i++) {
            if (want[i])
                snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s%zu", i ? "," : "",
                         want[i]);
            else
                snprintf(exp + strlen(exp), sizeof exp - strlen(exp), "%s*", i ? "," : "");
        }
        return NODE_FAIL(c, SJ_ERR_FORMAT, "parameter '%s' (%s) has shape [%s], expected [%s]",
                         role, v->valuestring, got, exp);
    }
    *out = t;
    return SJ_OK;
}

/* Unknown keys are errors, not ignored: a misspelt or damaged "padding" would otherwise
 * silently run a different network. */
sj_status sj_nn_check_keys(const node_ctx* c, const cJSON* obj, const char* what,
                            const char* const* allowed)
{
    const cJSON* it;
    cJSON_ArrayForEach(it, obj)
    {
        int ok = 0;
        for (size_t i = 0; allowed[i]; i++)
            ok |= strcmp(it->string, allowed[i]) == 0;
        if (!ok)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "has an unexpected %s '%s'", what, it->string);
    }
    return SJ_OK;
}

static sj_status check_roles(const node_ctx* c, const char* const* allowed)
{
    return sj_nn_check_keys(c, c->params, "parameter role", allowed);
}

static sj_status check_attrs(const sj_nn_node* n, const node_ctx* c)
{
    static const char* const conv[] = { "stride", "padding", "groups", "dilation", NULL };
    static const char* const tconv[] = { "stride", "padding", "groups", "dilation",
                                         "output_padding", NULL };
    static const char* const leaky[] = { "negative_slope", NULL };
    static const char* const shuffle[] = { "upscale_factor", NULL };
    static const char* const up[] = { "scale", NULL };
    static const char* const pool[] = { "kernel", "stride", "global", NULL };
    static const char* const none[] = { NULL };
    const char* const* allowed = none;
    switch (n->op) {
    case SJ_OP_CONV2D: allowed = conv; break;
    case SJ_OP_CONV_TRANSPOSE2D: allowed = tconv; break;
    case SJ_OP_LEAKY_RELU: allowed = leaky; break;
    case SJ_OP_PIXEL_SHUFFLE: allowed = shuffle; break;
    case SJ_OP_UPSAMPLE_NEAREST: case SJ_OP_UPSAMPLE_BILINEAR: allowed = up; break;
    case SJ_OP_AVG_POOL2D: allowed = pool; break;
    default: break;
    }
    return sj_nn_check_keys(c, c->attrs, "attribute", allowed);
}

/* Checks a conv/tconv/linear weight against the incoming channels and fills n. */
static sj_status conv_like(const node_ctx* c, sj_nn_node* n, size_t cin)
{
    size_t nd = n->op == SJ_OP_LINEAR ? 2 : 4;
    size_t want[4] = { 0, 0, 0, 0 };
    /* conv2d: [out, in, kh, kw]; conv_transpose2d: [in, out, kh, kw]; linear: [out, in]. */
    want[n->op == SJ_OP_CONV_TRANSPOSE2D ? 0 : 1] = cin;
    sj_status st = param(c, "weight", 1, nd, want, &n->weight);
    if (st != SJ_OK)
        return st;
    n->cout = n->op == SJ_OP_CONV_TRANSPOSE2D ? n->weight->shape[1] : n->weight->shape[0];
    if (nd == 4) {
        n->kh = n->weight->shape[2];
        n->kw = n->weight->shape[3];
    }
    size_t bshape[1] = { n->cout };
    return param(c, "bias", 0, 1, bshape, &n->bias);
}

static sj_status read_attrs(const node_ctx* c, sj_nn_node* n)
{
    static const char* const conv_roles[] = { "weight", "bias", NULL };
    static const char* const gdn_roles[] = { "beta", "gamma", NULL };
    static const char* const prelu_roles[] = { "weight", NULL };
    static const char* const none[] = { NULL };
    size_t C = n->cin;
    sj_status st = SJ_OK;
    size_t g1, g2;
    n->cout = C;
    switch (n->op) {
    case SJ_OP_CONV2D:
    case SJ_OP_CONV_TRANSPOSE2D:
        if ((st = check_roles(c, conv_roles)) || (st = conv_like(c, n, C)) ||
            (st = attr_pair(c, "stride", 1, 1, 64, &n->sh, &n->sw)) ||
            (st = attr_pair(c, "padding", 0, 0, 64, &n->ph, &n->pw)) ||
            (st = attr_pair(c, "groups", 1, 1, 1, &g1, &g2)) ||
            (st = attr_pair(c, "dilation", 1, 1, 1, &g1, &g2)))
            return st;
        if (n->op == SJ_OP_CONV_TRANSPOSE2D) {
            if ((st = attr_pair(c, "output_padding", 0, 0, 63, &n->oph, &n->opw)))
                return st;
            if (n->oph >= n->sh || n->opw >= n->sw)
                return NODE_FAIL(c, SJ_ERR_FORMAT, "output_padding %zux%zu must be below the "
                                                   "stride", n->oph, n->opw);
        }
        return SJ_OK;
    case SJ_OP_LINEAR:
        if ((st = check_roles(c, conv_roles)) || (st = conv_like(c, n, C)))
            return st;
        return SJ_OK;
    case SJ_OP_PRELU: {
        const cJSON* v = cJSON_GetObjectItemCaseSensitive(c->params, "weight");
        const sj_nn_tensor* t = cJSON_IsString(v) ? sj_nn_find_tensor(c->m, v->valuestring) : 0;
        size_t want[1] = { t && t->ndim == 1 && t->shape[0] == 1 ? 1 : C };
        if ((st = check_roles(c, prelu_roles)) || (st = param(c, "weight", 1, 1, want, &n->weight)))
            return st;
        return SJ_OK;
    }
    case SJ_OP_GDN:
    case SJ_OP_IGDN: {
        size_t b[1] = { C }, g[2] = { C, C };
        if ((st = check_roles(c, gdn_roles)) || (st = param(c, "beta", 1, 1, b, &n->beta)) ||
            (st = param(c, "gamma", 1, 2, g, &n->gamma)))
            return st;
        return SJ_OK;
    }
    case SJ_OP_LEAKY_RELU: {
        const cJSON* v = cJSON_GetObjectItemCaseSensitive(c->attrs, "negative_slope");
        n->slope = 0.01f;
        if (v && !cJSON_IsNumber(v))
            return NODE_FAIL(c, SJ_ERR_FORMAT, "%s", "negative_slope is not a number");
        if (v)
            n->slope = (float)v->valuedouble;
        return check_roles(c, none);
    }
    case SJ_OP_PIXEL_SHUFFLE:
        if ((st = check_roles(c, none)) ||
            (st = attr_pair(c, "upscale_factor", 0, 1, 64, &n->factor, &g1)))
            return st;
        if (n->factor == 0 || C % (n->factor * n->factor) != 0)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "needs an upscale_factor r with %zu channels "
                                               "divisible by r*r", C);
        n->cout = C / (n->factor * n->factor);
        return SJ_OK;
    case SJ_OP_UPSAMPLE_NEAREST:
    case SJ_OP_UPSAMPLE_BILINEAR:
        if ((st = check_roles(c, none)) || (st = attr_pair(c, "scale", 0, 1, 64, &g1, &g2)))
            return st;
        if (g1 == 0 || g1 != g2)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "%s", "needs one integer 'scale' for both axes");
        n->factor = g1;
        return SJ_OK;
    case SJ_OP_AVG_POOL2D: {
        const cJSON* gl = cJSON_GetObjectItemCaseSensitive(c->attrs, "global");
        n->global = cJSON_IsTrue(gl);
        if (n->global)
            return check_roles(c, none);
        if ((st = check_roles(c, none)) ||
            (st = attr_pair(c, "kernel", 0, 1, 64, &n->kh, &n->kw)) ||
            (st = attr_pair(c, "stride", n->kh, 1, 64, &n->sh, &n->sw)))
            return st;
        if (n->kh == 0)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "%s", "needs a 'kernel' or 'global': true");
        if (cJSON_GetObjectItemCaseSensitive(c->attrs, "stride") == NULL)
            n->sw = n->kw;
        return SJ_OK;
    }
    case SJ_OP_ADD:
    case SJ_OP_MUL:
        if (n->nin != 2)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "takes 2 inputs, got %zu", n->nin);
        if (c->m->value_channels[n->in[1]] != C)
            return NODE_FAIL(c, SJ_ERR_FORMAT, "inputs have %zu and %zu channels", C,
                             c->m->value_channels[n->in[1]]);
        return check_roles(c, none);
    case SJ_OP_CONCAT:
        n->cout = 0;
        for (size_t i = 0; i < n->nin; i++)
            n->cout += c->m->value_channels[n->in[i]];
        return check_roles(c, none);
    default:
        return check_roles(c, none);
    }
}

sj_status sj_nn_node_attrs(const node_ctx* c, sj_nn_node* n)
{
    sj_status st = check_attrs(n, c);
    return st != SJ_OK ? st : read_attrs(c, n);
}
