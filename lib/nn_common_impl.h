/* Shared by the neural-network blocks (jscc_encoder, jscc_decoder, image_model): one model
 * and one plan per block, loaded and planned in the constructor for the block's fixed
 * image size, so work() only converts layouts and calls sj_nn_plan_run (no allocation). */
#ifndef INCLUDED_SECUREJSCC_NN_COMMON_IMPL_H
#define INCLUDED_SECUREJSCC_NN_COMMON_IMPL_H

#include "util_impl.h"
#include <securejscc/nn_model.h>
#include <string>

namespace gr {
namespace securejscc {
namespace util {

using nn_model_ptr = core_ptr<sj_nn_model, sj_nn_model_destroy>;
using nn_plan_ptr = core_ptr<sj_nn_plan, sj_nn_plan_destroy>;

struct chw_shape {
    size_t c = 0, h = 0, w = 0;
    size_t size() const { return c * h * w; }
    std::string str() const
    {
        return std::to_string(c) + "x" + std::to_string(h) + "x" + std::to_string(w);
    }
};

/* The model and its plan. The plan borrows the model's weights, so it is declared after
 * the model (members are destroyed in reverse order: the plan first). */
struct nn_runner {
    nn_model_ptr model;
    nn_plan_ptr plan;
    chw_shape in, out;
    sj_nn_precision precision = SJ_NN_FP32; // what make_plan asks for

    /* The block's "precision" parameter: "bf16" or "fp32" (docs/model-format.md#precision). */
    void set_precision(const char* block, const std::string& name)
    {
        if (sj_nn_precision_parse(name.c_str(), &precision) != SJ_OK)
            fail_arg(block, "precision", "must be \"bf16\" or \"fp32\", got \"" + name + "\"");
    }

    /* What the plan runs in: "bf16", or "fp32" (asked for, or where the CPU has no
     * AVX-512 BF16). */
    std::string plan_precision() const
    {
        return sj_nn_precision_name(sj_nn_plan_precision(plan.get()));
    }

    void load(const char* block, const std::string& path)
    {
        if (path.empty())
            fail_arg(block, "model_file", "is empty");
        sj_nn_model* m = nullptr;
        check(block, "model_file", sj_nn_model_load(path.c_str(), &m));
        model.reset(m);
    }

    /* Plans for an h x w input. A refusal is blamed on param when given (a size the block
     * derived itself), else on width or height, whichever is not a multiple of the model's
     * size multiple (width when both are fine and the image is simply too small). */
    void make_plan(const char* block, size_t h, size_t w, const char* param = nullptr)
    {
        sj_nn_plan* p = nullptr;
        const sj_status st = sj_nn_model_plan_precision(model.get(), h, w, precision, &p);
        if (st != SJ_OK) {
            const size_t m = sj_nn_model_size_multiple(model.get());
            const bool height_off = m > 1 && h % m != 0 && w % m == 0;
            fail_core(block, param ? param : (height_off ? "height" : "width"), st);
        }
        plan.reset(p);
        sj_nn_plan_input_shape(p, &in.c, &in.h, &in.w);
        sj_nn_plan_output_shape(p, &out.c, &out.h, &out.w);
    }

    /* The "kind" of the model's "output" metadata (complex_symbols, image, latent_unit,
     * logits), or "" when there is none. The value is small, flat JSON written by our own
     * exporter; finding the string after "kind": is enough and keeps cJSON out of the
     * block library. */
    std::string output_kind() const
    {
        const char* meta = sj_nn_model_metadata(model.get(), "output");
        if (!meta)
            return "";
        const std::string s(meta);
        size_t k = s.find("\"kind\"");
        if (k == std::string::npos)
            return "";
        k = s.find(':', k);
        const size_t a = k == std::string::npos ? k : s.find('"', k);
        const size_t b = a == std::string::npos ? a : s.find('"', a + 1);
        return b == std::string::npos ? "" : s.substr(a + 1, b - a - 1);
    }
};

/* The image dimension parameters all three blocks take. */
inline void check_image_size(const char* block, int width, int height)
{
    if (width <= 0)
        fail_arg(block, "width", "must be > 0, got " + std::to_string(width));
    if (height <= 0)
        fail_arg(block, "height", "must be > 0, got " + std::to_string(height));
}

} // namespace util
} // namespace securejscc
} // namespace gr
#endif
