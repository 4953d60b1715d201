/* jscc_encoder: uint8 HWC image frames -> the latent of a DeepJSCC encoder model, as
 * complex symbols (model output kind complex_symbols) or floats. The model is loaded and
 * planned in make() so that the output item type can follow the model; work() converts the
 * layout (sj_hwc_u8_to_chw_f32) and runs the plan straight into the output buffer. */
#include "nn_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/jscc_encoder.h>
#include <securejscc/layout.h>
#include <algorithm>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "jscc_encoder";

struct encoder_setup {
    util::nn_runner nn;
    bool complex_out = false;
    size_t in_frame = 0;  // bytes
    size_t out_frame = 0; // items
};

std::unique_ptr<encoder_setup>
setup(const std::string& model_file, int width, int height, const std::string& precision)
{
    util::check_image_size(BLOCK, width, height);
    auto s = std::make_unique<encoder_setup>();
    s->nn.set_precision(BLOCK, precision);
    s->nn.load(BLOCK, model_file);
    const size_t cin = sj_nn_model_input_channels(s->nn.model.get());
    if (cin != 3)
        util::fail_arg(BLOCK, "model_file",
                       model_file + " takes " + std::to_string(cin) +
                           " input channels, but the block feeds RGB images (3); is it a decoder?");
    const size_t h = static_cast<size_t>(height), w = static_cast<size_t>(width);
    s->nn.make_plan(BLOCK, h, w);
    if (s->nn.in.c != 3 || s->nn.in.h != h || s->nn.in.w != w)
        util::fail_arg(BLOCK, "model_file", "planned input is " + s->nn.in.str() + ", not 3x" +
                                                std::to_string(h) + "x" + std::to_string(w));
    s->complex_out = s->nn.output_kind() == "complex_symbols";
    const size_t n = s->nn.out.size();
    if (s->complex_out && n % 2 != 0)
        util::fail_arg(BLOCK, "model_file", "latent " + s->nn.out.str() + " has an odd number of values (" +
                                                std::to_string(n) + "); complex symbols need pairs");
    s->in_frame = h * w * 3;
    s->out_frame = s->complex_out ? n / 2 : n;
    return s;
}
} // namespace

class jscc_encoder_impl : public jscc_encoder
{
    std::unique_ptr<encoder_setup> d_s;
    std::vector<float> d_chw; // the frame as the network's CHW input, allocated once

public:
    explicit jscc_encoder_impl(std::unique_ptr<encoder_setup> s)
        : gr::block("jscc_encoder",
                    gr::io_signature::make(1, 1, sizeof(uint8_t)),
                    gr::io_signature::make(1, 1, s->complex_out ? sizeof(gr_complex) : sizeof(float))),
          d_s(std::move(s)),
          d_chw(d_s->in_frame)
    {
        set_output_multiple(static_cast<int>(d_s->out_frame));
        set_relative_rate(d_s->out_frame, d_s->in_frame);
        // A latent has no item-to-item relation with the pixels: tags move per frame.
        set_tag_propagation_policy(TPP_DONT);
    }

    bool complex_output() const override { return d_s->complex_out; }
    size_t input_frame() const override { return d_s->in_frame; }
    size_t output_frame() const override { return d_s->out_frame; }
    std::vector<size_t> latent_shape() const override { return { d_s->nn.out.c, d_s->nn.out.h, d_s->nn.out.w }; }
    std::string precision() const override { return d_s->nn.plan_precision(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override
    {
        ninput_items_required[0] = util::frames_forecast(noutput_items, d_s->in_frame, d_s->out_frame);
    }

    int general_work(int noutput_items, gr_vector_int& ninput_items, gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override
    {
        const size_t in_frame = d_s->in_frame, out_frame = d_s->out_frame;
        const size_t nfloats = d_s->nn.out.size();
        const size_t nframes = util::frames_ready(ninput_items[0], noutput_items, in_frame, out_frame);
        for (size_t f = 0; f < nframes; f++) {
            const uint8_t* in = static_cast<const uint8_t*>(input_items[0]) + f * in_frame;
            // gr_complex is two floats (re, im): the latent's consecutive flat values are
            // the symbols' real and imaginary parts, so the plan writes the output directly.
            float* out = static_cast<float*>(output_items[0]) + f * nfloats;
            const uint64_t in_start = nitems_read(0) + f * in_frame;
            const uint64_t out_start = nitems_written(0) + f * out_frame;
            sj_status st = sj_hwc_u8_to_chw_f32(in, d_s->nn.in.h, d_s->nn.in.w, 3, d_chw.data());
            if (st == SJ_OK)
                st = sj_nn_plan_run(d_s->nn.plan.get(), d_chw.data(), out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", in_start, util::core_detail(st));
                std::fill(out, out + nfloats, 0.0f);
            }
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, in_start, in_start + in_frame);
            for (const auto& t : util::moved_tags(tags, in_start, out_start, 0, 1))
                add_item_tag(0, t);
        }
        consume_each(static_cast<int>(nframes * in_frame));
        return static_cast<int>(nframes * out_frame);
    }
};

jscc_encoder::sptr
jscc_encoder::make(const std::string& model_file, int width, int height, const std::string& precision)
{
    return gnuradio::make_block_sptr<jscc_encoder_impl>(setup(model_file, width, height, precision));
}

} // namespace securejscc
} // namespace gr
