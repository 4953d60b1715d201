/* Model loading: a tiny hand-written model (one 3x3 convolution and a ReLU) is built in
 * memory, checked to run correctly, and then damaged in every way the loader must
 * refuse: truncation at every length, flipped header bytes, a header length beyond the
 * file, an unknown operator, a missing tensor, a wrong parameter shape, a non-F32 dtype,
 * offsets outside the data or overlapping, a broken graph. Each must give an error code
 * and a message naming the problem, never a crash (these run under ASan/UBSan too). */
#include "sj_test.h"

#include <securejscc/nn_model.h>

#include <stdint.h>

#define GOOD_GRAPH                                                                         \
    "{\"input\":\"x\",\"output\":\"y\",\"nodes\":["                                        \
    "{\"op\":\"conv2d\",\"in\":[\"x\"],\"out\":\"h\",\"attrs\":{\"stride\":1,"             \
    "\"padding\":[1,1]},\"params\":{\"weight\":\"c.weight\",\"bias\":\"c.bias\"}},"        \
    "{\"op\":\"relu\",\"in\":[\"h\"],\"out\":\"y\"}]}"
#define GOOD_TENSORS                                                                       \
    "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]},"               \
    "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}"
#define GOOD_META "\"format\":\"securejscc-model\",\"version\":\"1\""

static uint8_t buf[8192];

/* Writes a safetensors file into buf: metadata (format/version), input with 1 channel,
 * the graph (escaped into a JSON string), the tensor entries, and 80 bytes of data:
 * weights 1..18 (channel 0: 1..9, channel 1: 10..18), biases -100 and 0.5. */
static size_t build(const char* meta, const char* graph, const char* tensors)
{
    char esc[4096], hdr[6144];
    size_t k = 0;
    for (const char* p = graph; *p && k + 2 < sizeof esc; p++) {
        if (*p == '"' || *p == '\\')
            esc[k++] = '\\';
        esc[k++] = *p;
    }
    esc[k] = '\0';
    int n = snprintf(hdr, sizeof hdr,
                     "{\"__metadata__\":{%s,\"input\":\"{\\\"channels\\\":1}\",\"graph\":\"%s\"},%s}",
                     meta, esc, tensors);
    uint64_t len = (uint64_t)n;
    for (int i = 0; i < 8; i++)
        buf[i] = (uint8_t)(len >> (8 * i));
    memcpy(buf + 8, hdr, (size_t)n);
    float data[20];
    for (int i = 0; i < 18; i++)
        data[i] = (float)(i + 1);
    data[18] = -100.0f;
    data[19] = 0.5f;
    memcpy(buf + 8 + n, data, sizeof data);
    return 8 + (size_t)n + sizeof data;
}

static size_t good(void) { return build(GOOD_META, GOOD_GRAPH, GOOD_TENSORS); }

/* Loads buf[0..len) and expects code with msg in the detail; returns 1 if so. */
static int refused(size_t len, sj_status code, const char* msg, int* sj_failed_)
{
    sj_nn_model* m = (sj_nn_model*)1;
    sj_status st = sj_nn_model_load_memory(buf, len, &m);
    SJ_CHECK(st == code, "status %d, expected %d (%s)", st, code, sj_last_error());
    SJ_CHECK(m == NULL, "model pointer not cleared on failure");
    SJ_CHECK(strstr(sj_last_error(), msg) != NULL, "message '%s' lacks '%s'", sj_last_error(),
             msg);
    if (st == SJ_OK)
        sj_nn_model_destroy(m);
    return st == code;
}

SJ_TEST(good_model_runs)
{
    size_t len = good();
    sj_nn_model* m = NULL;
    sj_status st = sj_nn_model_load_memory(buf, len, &m);
    SJ_REQUIRE(st == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(strcmp(sj_nn_model_metadata(m, "version"), "1") == 0, "version");
    SJ_CHECK(sj_nn_model_metadata(m, "nothing") == NULL, "absent key");
    SJ_CHECK(sj_nn_model_input_channels(m) == 1, "channels");
    sj_nn_plan* p = NULL;
    st = sj_nn_model_plan(m, 3, 4, &p);
    SJ_REQUIRE(st == SJ_OK, "%s", sj_last_error());
    size_t c, h, w;
    sj_nn_plan_output_shape(p, &c, &h, &w);
    SJ_CHECK(c == 2 && h == 3 && w == 4, "shape %zux%zux%zu", c, h, w);
    float x[12], y[24];
    for (int i = 0; i < 12; i++)
        x[i] = 1.0f;
    SJ_REQUIRE(sj_nn_plan_run(p, x, y) == SJ_OK, "%s", sj_last_error());
    /* Centre pixel (1,1) of channel 1 sees all nine weights 10..18: 126 + 0.5. Channel 0
     * at a corner (0,0) sees weights 5,6,8,9 = 28, minus 100 -> ReLU gives 0. */
    SJ_CHECK_NEAR(y[12 + 1 * 4 + 1], 126.5, 1e-5);
    SJ_CHECK_NEAR(y[0], 0.0, 0.0);
    /* Channel 1 corner (0,0): weights 14,15,17,18 = 64 + 0.5. */
    SJ_CHECK_NEAR(y[12], 64.5, 1e-5);
    sj_nn_plan_destroy(p);
    sj_nn_model_destroy(m);
}

SJ_TEST(missing_file_is_io_error)
{
    sj_nn_model* m = NULL;
    sj_status st = sj_nn_model_load("/nonexistent/model.safetensors", &m);
    SJ_CHECK(st == SJ_ERR_IO && strstr(sj_last_error(), "/nonexistent") != NULL, "%s",
             sj_last_error());
    SJ_CHECK(sj_nn_model_load(NULL, &m) == SJ_ERR_INVALID_ARG, "NULL path");
}

SJ_TEST(every_truncation_is_refused)
{
    size_t len = good();
    for (size_t n = 0; n < len; n++) {
        sj_nn_model* m = NULL;
        sj_status st = sj_nn_model_load_memory(buf, n, &m);
        SJ_CHECK(st == SJ_ERR_FORMAT && sj_last_error()[0] != '\0',
                 "truncated to %zu of %zu bytes: status %d", n, len, st);
        sj_nn_model_destroy(m);
    }
    refused(len - 1, SJ_ERR_FORMAT, "outside the 79 data bytes", sj_failed_);
    refused(20, SJ_ERR_FORMAT, "exceeds", sj_failed_);
}

SJ_TEST(header_length_beyond_file)
{
    size_t len = good();
    buf[6] = 0x01; /* length + 2^48 */
    refused(len, SJ_ERR_FORMAT, "exceeds", sj_failed_);
}

SJ_TEST(flipped_header_bytes_never_crash)
{
    size_t len = good();
    uint64_t hlen = 0;
    for (int i = 7; i >= 0; i--)
        hlen = (hlen << 8) | buf[i];
    static uint8_t orig[8192];
    memcpy(orig, buf, len);
    size_t refusals = 0;
    for (size_t i = 0; i < 8 + hlen; i++) {
        memcpy(buf, orig, len);
        buf[i] ^= 0xFF;
        sj_nn_model* m = NULL;
        if (sj_nn_model_load_memory(buf, len, &m) != SJ_OK) {
            refusals++;
            SJ_CHECK(sj_last_error()[0] != '\0', "flip at %zu: no message", i);
            continue;
        }
        /* A flip the loader accepts (say, inside a metadata value it does not read) must
         * still plan and run cleanly. */
        sj_nn_plan* p = NULL;
        float x[16] = { 0 }, y[64];
        if (sj_nn_model_plan(m, 4, 4, &p) == SJ_OK)
            SJ_CHECK(sj_nn_plan_run(p, x, y) == SJ_OK, "flip at %zu: run failed", i);
        sj_nn_plan_destroy(p);
        sj_nn_model_destroy(m);
    }
    /* Every byte of the length, and all structure, is checked: nearly all flips fail. */
    SJ_CHECK(refusals + 2 >= 8 + hlen, "only %zu of %llu flips refused", refusals,
             (unsigned long long)(8 + hlen));
    printf("  %zu of %llu header byte flips refused\n", refusals, (unsigned long long)(8 + hlen));
    memcpy(buf, orig, len);
    buf[8] ^= 0xFF; /* the opening brace */
    refused(len, SJ_ERR_FORMAT, "not valid JSON", sj_failed_);
}

SJ_TEST(unknown_operator)
{
    char g[] = GOOD_GRAPH;
    char* r = strstr(g, "relu");
    r[3] = 'x';
    size_t len = build(GOOD_META, g, GOOD_TENSORS);
    refused(len, SJ_ERR_UNSUPPORTED, "unknown operator 'relx'", sj_failed_);
}

SJ_TEST(missing_tensor)
{
    size_t len = build(GOOD_META, GOOD_GRAPH,
                       "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]},"
                       "\"c.weigth\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "'c.weight' is missing", sj_failed_);
}

SJ_TEST(wrong_parameter_shape)
{
    /* 18 floats declared as [1,2,3,3]: consistent in the file, but the node's input has 1
     * channel, not 2. */
    size_t len = build(GOOD_META, GOOD_GRAPH,
                       "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]},"
                       "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[1,2,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "has shape [1,2,3,3], expected [*,1,*,*]", sj_failed_);
    /* A bias that does not match the output channels. */
    len = build(GOOD_META, GOOD_GRAPH,
                "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[1],\"data_offsets\":[72,76]},"
                "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "'bias' (c.bias) has shape [1], expected [2]", sj_failed_);
    /* Data size that does not match the shape. */
    len = build(GOOD_META, GOOD_GRAPH,
                "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[72,80]},"
                "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,68]}");
    refused(len, SJ_ERR_FORMAT, "68 data bytes for a shape of 18 floats", sj_failed_);
}

SJ_TEST(non_f32_dtype)
{
    size_t len = build(GOOD_META, GOOD_GRAPH,
                       "\"c.bias\":{\"dtype\":\"F16\",\"shape\":[2],\"data_offsets\":[72,76]},"
                       "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_UNSUPPORTED, "dtype F16", sj_failed_);
}

SJ_TEST(offsets_out_of_range_or_overlapping)
{
    size_t len = build(GOOD_META, GOOD_GRAPH,
                       "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[80,88]},"
                       "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "data_offsets [80, 88] outside", sj_failed_);
    len = build(GOOD_META, GOOD_GRAPH,
                "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[64,72]},"
                "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "overlap", sj_failed_);
    len = build(GOOD_META, GOOD_GRAPH,
                "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[80,72]},"
                "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "outside", sj_failed_);
    len = build(GOOD_META, GOOD_GRAPH,
                "\"c.bias\":{\"dtype\":\"F32\",\"shape\":[2],\"data_offsets\":[-8,0]},"
                "\"c.weight\":{\"dtype\":\"F32\",\"shape\":[2,1,3,3],\"data_offsets\":[0,72]}");
    refused(len, SJ_ERR_FORMAT, "data_offsets is not", sj_failed_);
}

SJ_TEST(broken_graphs)
{
    size_t len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"relu\","
                                  "\"in\":[\"q\"],\"out\":\"y\"}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "input 'q' is not made by an earlier node", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"z\",\"nodes\":[{\"op\":\"relu\","
                           "\"in\":[\"x\"],\"out\":\"y\"}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "output 'z' is not made", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"x\",\"nodes\":[{\"op\":\"relu\","
                           "\"in\":[\"x\"],\"out\":\"x\"}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "already defined", sj_failed_);
    len = build(GOOD_META, "[1,2", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "'graph' is not a JSON object", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"conv2d\","
                           "\"in\":[\"x\"],\"out\":\"y\",\"attrs\":{\"groups\":2},"
                           "\"params\":{\"weight\":\"c.weight\"}}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "'groups' must be integers in [1, 1]", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"conv2d\","
                           "\"in\":[\"x\"],\"out\":\"y\",\"params\":{\"weight\":\"c.weight\","
                           "\"scale\":\"c.bias\"}}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "unexpected parameter role 'scale'", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"add\","
                           "\"in\":[\"x\"],\"out\":\"y\"}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "takes 2 inputs", sj_failed_);
    /* A misspelt attribute is an error, not a silent default. */
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"conv2d\","
                           "\"in\":[\"x\"],\"out\":\"y\",\"attrs\":{\"paddnig\":1},"
                           "\"params\":{\"weight\":\"c.weight\"}}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "unexpected attribute 'paddnig'", sj_failed_);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"relu\","
                           "\"in\":[\"x\"],\"out\":\"y\",\"atrs\":{}}]}", GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "unexpected key 'atrs'", sj_failed_);
}

SJ_TEST(bad_metadata)
{
    size_t len = build("\"format\":\"something-else\",\"version\":\"1\"", GOOD_GRAPH,
                       GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "format", sj_failed_);
    len = build("\"format\":\"securejscc-model\",\"version\":\"2\"", GOOD_GRAPH, GOOD_TENSORS);
    refused(len, SJ_ERR_UNSUPPORTED, "version 2", sj_failed_);
    len = build(GOOD_META ",\"size_multiple\":\"0\"", GOOD_GRAPH, GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "size_multiple", sj_failed_);
    len = build(GOOD_META ",\"size_policy\":\"stretch\"", GOOD_GRAPH, GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "size_policy", sj_failed_);
    len = build(GOOD_META ",\"bandwidth_ratio\":0.5", GOOD_GRAPH, GOOD_TENSORS);
    refused(len, SJ_ERR_FORMAT, "is not a string", sj_failed_);
}

SJ_TEST(plan_refuses_impossible_sizes)
{
    size_t len = build(GOOD_META ",\"size_multiple\":\"4\",\"size_policy\":\"refuse\"",
                       "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"conv2d\","
                       "\"in\":[\"x\"],\"out\":\"y\",\"params\":{\"weight\":\"c.weight\"}}]}",
                       GOOD_TENSORS);
    sj_nn_model* m = NULL;
    sj_status st = sj_nn_model_load_memory(buf, len, &m);
    SJ_REQUIRE(st == SJ_OK, "%s", sj_last_error());
    sj_nn_plan* p = (sj_nn_plan*)1;
    st = sj_nn_model_plan(m, 6, 8, &p);
    SJ_CHECK(st == SJ_ERR_INVALID_ARG && strstr(sj_last_error(), "multiples of 4"), "%s",
             sj_last_error());
    SJ_CHECK(p == NULL, "plan pointer not cleared");
    /* 4x4 is a multiple but an unpadded 3x3 convolution still fits; 0x4 does not. */
    st = sj_nn_model_plan(m, 4, 4, &p);
    SJ_CHECK(st == SJ_OK, "%s", sj_last_error());
    sj_nn_plan_destroy(p);
    st = sj_nn_model_plan(m, 0, 4, &p);
    SJ_CHECK(st == SJ_ERR_INVALID_ARG, "empty input accepted");
    sj_nn_model_destroy(m);
    len = build(GOOD_META, "{\"input\":\"x\",\"output\":\"y\",\"nodes\":[{\"op\":\"conv2d\","
                           "\"in\":[\"x\"],\"out\":\"y\",\"params\":{\"weight\":\"c.weight\"}}]}",
                GOOD_TENSORS);
    st = sj_nn_model_load_memory(buf, len, &m);
    SJ_REQUIRE(st == SJ_OK, "%s", sj_last_error());
    st = sj_nn_model_plan(m, 2, 2, &p);
    SJ_CHECK(st == SJ_ERR_INVALID_ARG && strstr(sj_last_error(), "too small"), "%s",
             sj_last_error());
    sj_nn_model_destroy(m);
}

SJ_TEST_MAIN("nn_model_load")
