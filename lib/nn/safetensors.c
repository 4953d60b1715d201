/* safetensors container: 8-byte little-endian header length N, N bytes of JSON, then the
 * raw tensor bytes. Every field is checked before it is used, because a model file is
 * input from outside: a bad one must give an error naming the problem, never a crash. */
#include "nn_internal.h"

#include <cjson/cJSON.h>
#include <volk/volk.h>

#include <math.h>
#include <stdlib.h>
#include <string.h>

/* Headers are small (a few KB per hundred tensors); a larger claim is corruption, and
 * refusing it early keeps a flipped length byte from asking the JSON parser for gigabytes. */
#define SJ_ST_MAX_HEADER (64u << 20)
#define SJ_ST_ALIGN 64

static char* dup_string(const char* s)
{
    size_t n = strlen(s) + 1;
    char* d = malloc(n);
    if (d)
        memcpy(d, s, n);
    return d;
}

/* A JSON number that is an exact non-negative integer that fits a size_t (and a double). */
static int json_size(const cJSON* v, size_t* out)
{
    if (!cJSON_IsNumber(v))
        return 0;
    double d = v->valuedouble;
    if (!(d >= 0.0) || d > 9007199254740992.0 || floor(d) != d)
        return 0;
    *out = (size_t)d;
    return 1;
}

typedef struct {
    size_t begin, end, index;
} span;

static int span_cmp(const void* a, const void* b)
{
    const span* x = a;
    const span* y = b;
    return (x->begin > y->begin) - (x->begin < y->begin);
}

static int name_cmp(const void* a, const void* b)
{
    return strcmp(((const sj_nn_tensor*)a)->name, ((const sj_nn_tensor*)b)->name);
}

/* Reads one tensor entry's dtype, shape and offsets; fills t (name set by the caller). */
static sj_status parse_entry(const cJSON* e, size_t data_len, sj_nn_tensor* t, span* sp)
{
    if (!cJSON_IsObject(e))
        return sj_fail(SJ_ERR_FORMAT, "model header: entry '%s' is not an object", t->name);
    const cJSON* dtype = cJSON_GetObjectItemCaseSensitive(e, "dtype");
    const cJSON* shape = cJSON_GetObjectItemCaseSensitive(e, "shape");
    const cJSON* offs = cJSON_GetObjectItemCaseSensitive(e, "data_offsets");
    if (!cJSON_IsString(dtype) || !cJSON_IsArray(shape) || !cJSON_IsArray(offs))
        return sj_fail(SJ_ERR_FORMAT,
                       "model header: tensor '%s' lacks a dtype, shape or data_offsets",
                       t->name);
    if (strcmp(dtype->valuestring, "F32") != 0)
        return sj_fail(SJ_ERR_UNSUPPORTED,
                       "model tensor '%s' has dtype %s; this runtime reads F32 only", t->name,
                       dtype->valuestring);
    int nd = cJSON_GetArraySize(shape);
    if (nd > SJ_NN_MAX_DIMS)
        return sj_fail(SJ_ERR_UNSUPPORTED, "model tensor '%s' has %d dimensions (at most %d)",
                       t->name, nd, SJ_NN_MAX_DIMS);
    t->ndim = (size_t)nd;
    t->count = 1;
    for (int i = 0; i < nd; i++) {
        size_t d;
        if (!json_size(cJSON_GetArrayItem(shape, i), &d) || d > (1u << 30))
            return sj_fail(SJ_ERR_FORMAT, "model tensor '%s': dimension %d is not a valid size",
                           t->name, i);
        t->shape[i] = d;
        if (d != 0 && t->count > ((size_t)1 << 32) / d)
            return sj_fail(SJ_ERR_FORMAT, "model tensor '%s' is implausibly large", t->name);
        t->count *= d;
    }
    size_t b, en;
    if (cJSON_GetArraySize(offs) != 2 || !json_size(cJSON_GetArrayItem(offs, 0), &b) ||
        !json_size(cJSON_GetArrayItem(offs, 1), &en))
        return sj_fail(SJ_ERR_FORMAT, "model tensor '%s': data_offsets is not [begin, end]",
                       t->name);
    if (b > en || en > data_len)
        return sj_fail(SJ_ERR_FORMAT,
                       "model tensor '%s': data_offsets [%zu, %zu] outside the %zu data bytes "
                       "(truncated file?)",
                       t->name, b, en, data_len);
    if (en - b != t->count * sizeof(float))
        return sj_fail(SJ_ERR_FORMAT,
                       "model tensor '%s': %zu data bytes for a shape of %zu floats", t->name,
                       en - b, t->count);
    sp->begin = b;
    sp->end = en;
    return SJ_OK;
}

static sj_status parse_metadata(cJSON* root, struct sj_nn_model* m)
{
    cJSON* meta = cJSON_DetachItemFromObjectCaseSensitive(root, "__metadata__");
    if (!meta)
        return sj_fail(SJ_ERR_FORMAT, "model header has no __metadata__ (not a securejscc model)");
    m->metadata = meta;
    if (!cJSON_IsObject(meta))
        return sj_fail(SJ_ERR_FORMAT, "model header: __metadata__ is not an object");
    const cJSON* it;
    cJSON_ArrayForEach(it, meta)
    {
        if (!cJSON_IsString(it))
            return sj_fail(SJ_ERR_FORMAT, "model metadata '%s' is not a string (safetensors "
                                          "metadata values are strings)",
                           it->string ? it->string : "?");
    }
    return SJ_OK;
}

static sj_status parse_tensors(cJSON* root, const uint8_t* data, size_t data_len,
                               struct sj_nn_model* m)
{
    size_t n = (size_t)cJSON_GetArraySize(root);
    m->tensors = calloc(n ? n : 1, sizeof *m->tensors);
    span* spans = calloc(n ? n : 1, sizeof *spans);
    if (!m->tensors || !spans) {
        free(spans);
        return sj_fail(SJ_ERR_NOMEM, "model: no memory for %zu tensor entries", n);
    }
    sj_status st = SJ_OK;
    size_t total = 0;
    const cJSON* e;
    cJSON_ArrayForEach(e, root)
    {
        sj_nn_tensor* t = &m->tensors[m->ntensors];
        t->name = dup_string(e->string ? e->string : "");
        if (!t->name) {
            st = sj_fail(SJ_ERR_NOMEM, "model: no memory for a tensor name");
            break;
        }
        m->ntensors++;
        spans[m->ntensors - 1].index = m->ntensors - 1;
        if ((st = parse_entry(e, data_len, t, &spans[m->ntensors - 1])) != SJ_OK)
            break;
        total += (t->count * sizeof(float) + SJ_ST_ALIGN - 1) / SJ_ST_ALIGN * SJ_ST_ALIGN;
    }
    if (st == SJ_OK) {
        qsort(spans, m->ntensors, sizeof *spans, span_cmp);
        for (size_t i = 1; i < m->ntensors; i++)
            if (spans[i].begin < spans[i - 1].end && spans[i].begin != spans[i].end) {
                st = sj_fail(SJ_ERR_FORMAT, "model tensors '%s' and '%s' overlap in the file",
                             m->tensors[spans[i - 1].index].name,
                             m->tensors[spans[i].index].name);
                break;
            }
    }
    if (st == SJ_OK) {
        m->weights = volk_malloc(total ? total : SJ_ST_ALIGN, SJ_ST_ALIGN);
        if (!m->weights)
            st = sj_fail(SJ_ERR_NOMEM, "model: no memory for %zu bytes of weights", total);
    }
    if (st == SJ_OK) {
        /* Copies each tensor to its own aligned slot: file offsets need not be aligned. */
        size_t pos = 0;
        for (size_t i = 0; i < m->ntensors; i++) {
            sj_nn_tensor* t = &m->tensors[spans[i].index];
            t->data = (float*)(m->weights + pos);
            memcpy(t->data, data + spans[i].begin, t->count * sizeof(float));
            pos += (t->count * sizeof(float) + SJ_ST_ALIGN - 1) / SJ_ST_ALIGN * SJ_ST_ALIGN;
        }
        /* Sorted by name: lookups by bsearch, and duplicates sit side by side. */
        qsort(m->tensors, m->ntensors, sizeof *m->tensors, name_cmp);
        for (size_t i = 1; i < m->ntensors; i++)
            if (strcmp(m->tensors[i].name, m->tensors[i - 1].name) == 0) {
                st = sj_fail(SJ_ERR_FORMAT, "model header names tensor '%s' twice",
                             m->tensors[i].name);
                break;
            }
    }
    free(spans);
    return st;
}

sj_status sj_nn_parse_safetensors(const uint8_t* buf, size_t len, struct sj_nn_model* m)
{
    const uint16_t probe = 1;
    if (*(const uint8_t*)&probe != 1)
        return sj_fail(SJ_ERR_UNSUPPORTED, "model files are little-endian; this host is not");
    if (len < 8)
        return sj_fail(SJ_ERR_FORMAT, "model file of %zu bytes is too short for a header", len);
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | buf[i];
    if (hlen > len - 8)
        return sj_fail(SJ_ERR_FORMAT,
                       "model header length %llu exceeds the %zu bytes that follow it "
                       "(truncated or corrupt file)",
                       (unsigned long long)hlen, len - 8);
    if (hlen > SJ_ST_MAX_HEADER || hlen < 2)
        return sj_fail(SJ_ERR_FORMAT, "model header length %llu is implausible",
                       (unsigned long long)hlen);
    cJSON* root = cJSON_ParseWithLength((const char*)buf + 8, (size_t)hlen);
    if (!root)
        return sj_fail(SJ_ERR_FORMAT, "model header is not valid JSON (corrupt file?)");
    sj_status st;
    if (!cJSON_IsObject(root))
        st = sj_fail(SJ_ERR_FORMAT, "model header is not a JSON object");
    else if ((st = parse_metadata(root, m)) == SJ_OK)
        st = parse_tensors(root, buf + 8 + hlen, len - 8 - (size_t)hlen, m);
    cJSON_Delete(root);
    return st;
}

const sj_nn_tensor* sj_nn_find_tensor(const struct sj_nn_model* m, const char* name)
{
    sj_nn_tensor key = { 0 };
    key.name = (char*)name;
    return bsearch(&key, m->tensors, m->ntensors, sizeof key, name_cmp);
}
