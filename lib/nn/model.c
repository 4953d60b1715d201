/* sj_nn_model: a validated model file held in memory (weights, metadata, graph). */
#include "nn_internal.h"

#include <cjson/cJSON.h>
#include <volk/volk.h>

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

/* Larger files are refused before reading: the shipped networks are a few MB. */
#define SJ_NN_MAX_FILE ((size_t)1 << 31)

void sj_nn_model_destroy(sj_nn_model* m)
{
    if (!m)
        return;
    for (size_t i = 0; i < m->ntensors; i++)
        free(m->tensors[i].name);
    free(m->tensors);
    if (m->weights)
        volk_free(m->weights);
    for (size_t i = 0; i < m->nvalues; i++)
        free(m->values[i]);
    free(m->values);
    free(m->value_channels);
    free(m->nodes);
    cJSON_Delete(m->metadata);
    free(m);
}

sj_status sj_nn_model_load_memory(const void* data, size_t len, sj_nn_model** model)
{
    if (!model)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_load: model pointer is NULL");
    *model = NULL;
    if (!data && len)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_load: data is NULL");
    sj_nn_model* m = calloc(1, sizeof *m);
    if (!m)
        return sj_fail(SJ_ERR_NOMEM, "sj_nn_model_load: no memory");
    sj_status st = sj_nn_parse_safetensors(data, len, m);
    if (st == SJ_OK)
        st = sj_nn_parse_graph(m);
    if (st != SJ_OK) {
        sj_nn_model_destroy(m);
        return st;
    }
    sj_nn_blas_check_once();
    *model = m;
    return SJ_OK;
}

sj_status sj_nn_model_load(const char* path, sj_nn_model** model)
{
    if (!path || !model)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_nn_model_load: path or model pointer is NULL");
    *model = NULL;
    FILE* f = fopen(path, "rb");
    if (!f)
        return sj_fail(SJ_ERR_IO, "cannot open model file %s: %s", path, strerror(errno));
    long size = -1;
    if (fseek(f, 0, SEEK_END) == 0)
        size = ftell(f);
    if (size < 0 || fseek(f, 0, SEEK_SET) != 0) {
        fclose(f);
        return sj_fail(SJ_ERR_IO, "cannot read model file %s", path);
    }
    if ((size_t)size > SJ_NN_MAX_FILE) {
        fclose(f);
        return sj_fail(SJ_ERR_FORMAT, "model file %s is %ld bytes, larger than any model", path,
                       size);
    }
    uint8_t* buf = malloc(size ? (size_t)size : 1);
    if (!buf) {
        fclose(f);
        return sj_fail(SJ_ERR_NOMEM, "no memory to read model file %s", path);
    }
    size_t got = fread(buf, 1, (size_t)size, f);
    fclose(f);
    if (got != (size_t)size) {
        free(buf);
        return sj_fail(SJ_ERR_IO, "short read on model file %s", path);
    }
    sj_status st = sj_nn_model_load_memory(buf, got, model);
    free(buf);
    if (st != SJ_OK) {
        /* Prefixes the file name so the user knows which model is broken. */
        char detail[400];
        snprintf(detail, sizeof detail, "%s", sj_last_error());
        return sj_fail(st, "%s: %s", path, detail);
    }
    return SJ_OK;
}

const char* sj_nn_model_metadata(const sj_nn_model* m, const char* key)
{
    if (!m || !key || !m->metadata)
        return NULL;
    const cJSON* v = cJSON_GetObjectItemCaseSensitive(m->metadata, key);
    return cJSON_IsString(v) ? v->valuestring : NULL;
}

size_t sj_nn_model_input_channels(const sj_nn_model* m) { return m ? m->in_channels : 0; }

size_t sj_nn_model_size_multiple(const sj_nn_model* m) { return m ? m->size_multiple : 0; }
