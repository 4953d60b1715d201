/* The network graph of a model file: __metadata__["graph"] is a JSON string holding
 * {"input": name, "output": name, "nodes": [{"op", "in", "out", "attrs", "params"}...]}
 * in topological order. Each node's inputs must be made by earlier nodes and its output
 * name must be new; its attributes and parameters are checked in graph_node.c. */
#include "graph_internal.h"

#include <cjson/cJSON.h>

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const char* const op_names[SJ_OP_COUNT] = {
    "conv2d", "conv_transpose2d", "prelu", "relu", "leaky_relu", "sigmoid", "tanh", "gdn",
    "igdn", "pixel_shuffle", "upsample_nearest", "upsample_bilinear", "avg_pool2d", "linear",
    "add", "mul", "concat", "power_normalize",
};

const char* sj_nn_op_name(sj_nn_opcode op)
{
    return (unsigned)op < SJ_OP_COUNT ? op_names[op] : "?";
}

static int find_value(const struct sj_nn_model* m, const char* name)
{
    for (size_t i = 0; i < m->nvalues; i++)
        if (strcmp(m->values[i], name) == 0)
            return (int)i;
    return -1;
}

static sj_status add_value(struct sj_nn_model* m, const char* name, size_t channels)
{
    size_t n = strlen(name) + 1;
    char* d = malloc(n);
    if (!d)
        return sj_fail(SJ_ERR_NOMEM, "model graph: no memory");
    memcpy(d, name, n);
    m->values[m->nvalues] = d;
    m->value_channels[m->nvalues++] = channels;
    return SJ_OK;
}

static sj_status parse_node(struct sj_nn_model* m, const cJSON* j, size_t index, sj_nn_node* n)
{
    node_ctx c = { m, index, "?", NULL, NULL };
    if (!cJSON_IsObject(j))
        return sj_fail(SJ_ERR_FORMAT, "model graph node %zu is not an object", index);
    const cJSON* op = cJSON_GetObjectItemCaseSensitive(j, "op");
    const cJSON* in = cJSON_GetObjectItemCaseSensitive(j, "in");
    const cJSON* out = cJSON_GetObjectItemCaseSensitive(j, "out");
    c.attrs = cJSON_GetObjectItemCaseSensitive(j, "attrs");
    c.params = cJSON_GetObjectItemCaseSensitive(j, "params");
    if (!cJSON_IsString(op))
        return sj_fail(SJ_ERR_FORMAT, "model graph node %zu has no 'op'", index);
    c.op = op->valuestring;
    n->op = SJ_OP_COUNT;
    for (int k = 0; k < SJ_OP_COUNT; k++)
        if (strcmp(op_names[k], op->valuestring) == 0)
            n->op = (sj_nn_opcode)k;
    if (n->op == SJ_OP_COUNT)
        return sj_fail(SJ_ERR_UNSUPPORTED, "model graph node %zu: unknown operator '%s'", index,
                       op->valuestring);
    if ((c.attrs && !cJSON_IsObject(c.attrs)) || (c.params && !cJSON_IsObject(c.params)))
        return NODE_FAIL(&c, SJ_ERR_FORMAT, "%s", "'attrs' and 'params' must be objects");
    if (!cJSON_IsArray(in) || !cJSON_IsString(out))
        return NODE_FAIL(&c, SJ_ERR_FORMAT, "%s", "needs an 'in' list and an 'out' name");
    int nin = cJSON_GetArraySize(in);
    int want_one = n->op != SJ_OP_ADD && n->op != SJ_OP_MUL && n->op != SJ_OP_CONCAT;
    if (nin < 1 || nin > SJ_NN_MAX_INPUTS || (want_one && nin != 1))
        return NODE_FAIL(&c, SJ_ERR_FORMAT, "has %d inputs", nin);
    n->nin = (size_t)nin;
    for (int i = 0; i < nin; i++) {
        const cJSON* v = cJSON_GetArrayItem(in, i);
        n->in[i] = cJSON_IsString(v) ? find_value(m, v->valuestring) : -1;
        if (n->in[i] < 0)
            return NODE_FAIL(&c, SJ_ERR_FORMAT, "input '%s' is not made by an earlier node",
                             cJSON_IsString(v) ? v->valuestring : "?");
    }
    if (find_value(m, out->valuestring) >= 0)
        return NODE_FAIL(&c, SJ_ERR_FORMAT, "output '%s' is already defined", out->valuestring);
    static const char* const node_keys[] = { "op", "in", "out", "attrs", "params", "name", NULL };
    n->cin = m->value_channels[n->in[0]];
    sj_status st = sj_nn_check_keys(&c, j, "key", node_keys);
    if (st == SJ_OK)
        st = sj_nn_node_attrs(&c, n);
    if (st != SJ_OK)
        return st;
    n->out = (int)m->nvalues;
    return add_value(m, out->valuestring, n->cout);
}

/* Parses a metadata value that is itself JSON. NULL (and an error) when absent or bad. */
static cJSON* meta_json(const struct sj_nn_model* m, const char* key, sj_status* st)
{
    const char* s = sj_nn_model_metadata(m, key);
    cJSON* j = s ? cJSON_Parse(s) : NULL;
    if (!s)
        *st = sj_fail(SJ_ERR_FORMAT, "model metadata has no '%s'", key);
    else if (!j || !cJSON_IsObject(j))
        *st = sj_fail(SJ_ERR_FORMAT, "model metadata '%s' is not a JSON object", key);
    if (*st != SJ_OK) {
        cJSON_Delete(j);
        return NULL;
    }
    return j;
}

static sj_status parse_settings(struct sj_nn_model* m)
{
    const char* fmt = sj_nn_model_metadata(m, "format");
    const char* ver = sj_nn_model_metadata(m, "version");
    if (!fmt || strcmp(fmt, "securejscc-model") != 0)
        return sj_fail(SJ_ERR_FORMAT, "model metadata 'format' is not \"securejscc-model\"");
    if (!ver || strcmp(ver, "1") != 0)
        return sj_fail(SJ_ERR_UNSUPPORTED, "model format version %s; this runtime reads 1",
                       ver ? ver : "(none)");
    sj_status st = SJ_OK;
    cJSON* in = meta_json(m, "input", &st);
    if (!in)
        return st;
    const cJSON* ch = cJSON_GetObjectItemCaseSensitive(in, "channels");
    double chv = cJSON_IsNumber(ch) ? ch->valuedouble : -1;
    cJSON_Delete(in);
    if (!(chv >= 1 && chv <= 65536 && floor(chv) == chv))
        return sj_fail(SJ_ERR_FORMAT, "model metadata 'input' lacks a valid 'channels'");
    m->in_channels = (size_t)chv;
    const char* mult = sj_nn_model_metadata(m, "size_multiple");
    char* end = NULL;
    unsigned long mv = mult ? strtoul(mult, &end, 10) : 1;
    if (mult && (end == mult || *end != '\0' || mv < 1 || mv > 4096))
        return sj_fail(SJ_ERR_FORMAT, "model metadata 'size_multiple' is not an integer in "
                                      "[1, 4096]");
    m->size_multiple = mv;
    const char* pol = sj_nn_model_metadata(m, "size_policy");
    if (!pol || strcmp(pol, "pad_reflect") == 0)
        m->size_policy = SJ_SIZE_PAD_REFLECT;
    else if (strcmp(pol, "refuse") == 0)
        m->size_policy = SJ_SIZE_REFUSE;
    else
        return sj_fail(SJ_ERR_FORMAT, "model metadata 'size_policy' is \"%s\", not "
                                      "\"pad_reflect\" or \"refuse\"", pol);
    return SJ_OK;
}

sj_status sj_nn_parse_graph(struct sj_nn_model* m)
{
    sj_status st = parse_settings(m);
    if (st != SJ_OK)
        return st;
    cJSON* g = meta_json(m, "graph", &st);
    if (!g)
        return st;
    const cJSON* in = cJSON_GetObjectItemCaseSensitive(g, "input");
    const cJSON* out = cJSON_GetObjectItemCaseSensitive(g, "output");
    const cJSON* nodes = cJSON_GetObjectItemCaseSensitive(g, "nodes");
    int nn = cJSON_IsArray(nodes) ? cJSON_GetArraySize(nodes) : -1;
    if (!cJSON_IsString(in) || !cJSON_IsString(out) || nn < 1 || nn > 100000) {
        cJSON_Delete(g);
        return sj_fail(SJ_ERR_FORMAT, "model graph needs 'input', 'output' and a non-empty "
                                      "'nodes' list");
    }
    m->nodes = calloc((size_t)nn, sizeof *m->nodes);
    m->values = calloc((size_t)nn + 1, sizeof *m->values);
    m->value_channels = calloc((size_t)nn + 1, sizeof *m->value_channels);
    if (!m->nodes || !m->values || !m->value_channels)
        st = sj_fail(SJ_ERR_NOMEM, "model graph: no memory for %d nodes", nn);
    else
        st = add_value(m, in->valuestring, m->in_channels);
    for (int i = 0; st == SJ_OK && i < nn; i++) {
        st = parse_node(m, cJSON_GetArrayItem(nodes, i), (size_t)i, &m->nodes[i]);
        m->nnodes = (size_t)i + 1;
    }
    if (st == SJ_OK) {
        m->output_value = find_value(m, out->valuestring);
        if (m->output_value <= 0)
            st = sj_fail(SJ_ERR_FORMAT, "model graph output '%s' is not made by any node",
                         out->valuestring);
    }
    cJSON_Delete(g);
    return st;
}
