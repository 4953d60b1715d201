/* Shared by graph.c (the graph as a whole) and graph_node.c (one node's attributes and
 * parameters). */
#ifndef SJ_NN_GRAPH_INTERNAL_H
#define SJ_NN_GRAPH_INTERNAL_H

#include "nn_internal.h"

#include <cjson/cJSON.h>

/* Context of the node being parsed, for error messages. */
typedef struct {
    struct sj_nn_model* m;
    size_t index;
    const char* op;
    const cJSON* attrs;
    const cJSON* params;
} node_ctx;

#define NODE_FAIL(ctx, code, fmt, ...)                                                      \
    sj_fail(code, "model graph node %zu (%s): " fmt, (ctx)->index, (ctx)->op, __VA_ARGS__)

sj_status sj_nn_check_keys(const node_ctx* c, const cJSON* obj, const char* what,
                           const char* const* allowed);
/* Checks the attribute names, then reads the attributes and parameters of node n (op,
 * inputs and n->cin already set) and sets n->cout. */
sj_status sj_nn_node_attrs(const node_ctx* c, sj_nn_node* n);

#endif
