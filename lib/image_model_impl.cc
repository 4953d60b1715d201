/* image_model: uint8 HWC image frames -> uint8 HWC image frames through an image-to-image
 * network that keeps the size (DJESCC U-Nets) or upscales it by an integer factor r (the
 * SREC super-resolution stage, or the bilinear upsampler that stands in for it). r is
 * read from the plan for the block's input size; one plan made in the constructor, and
 * work() converts layouts and runs it. */
#include "nn_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/image_model.h>
#include <securejscc/layout.h>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "image_model";

struct model_setup {
    util::nn_runner nn;
    size_t scale = 1;
    size_t in_frame = 0, out_frame = 0; // bytes
};

std::unique_ptr<model_setup>
setup(const std::string& model_file, int width, int height, const std::string& precision)
{
    util::check_image_size(BLOCK, width, height);
    auto s = std::make_unique<model_setup>();
    s->nn.set_precision(BLOCK, precision);
    s->nn.load(BLOCK, model_file);
    const size_t cin = sj_nn_model_input_channels(s->nn.model.get());
    if (cin != 3)
        util::fail_arg(BLOCK, "model_file",
                       model_file + " takes " + std::to_string(cin) +
                           " input channels, but the block feeds RGB images (3)");
    const size_t h = static_cast<size_t>(height), w = static_cast<size_t>(width);
    s->nn.make_plan(BLOCK, h, w);
    const util::chw_shape& o = s->nn.out;
    const size_t r = o.h / h;
    if (o.c != 3 || r == 0 || o.h != r * h || o.w != r * w || s->nn.in.size() != 3 * h * w)
        util::fail_arg(BLOCK, "model_file",
                       "a 3x" + std::to_string(h) + "x" + std::to_string(w) + " image gives " + o.str() +
                           "; image_model needs a network whose output has its input's size or an "
                           "integer multiple of it on both axes");
    s->scale = r;
    s->in_frame = h * w * 3;
    s->out_frame = s->in_frame * r * r;
    return s;
}
} // namespace

class image_model_impl : public image_model
{
    std::unique_ptr<model_setup> d_s;
    std::vector<float> d_in, d_out; // CHW buffers, allocated once

public:
    explicit image_model_impl(std::unique_ptr<model_setup> s)
        : gr::block("image_model",
                    gr::io_signature::make(1, 1, sizeof(uint8_t)),
                    gr::io_signature::make(1, 1, sizeof(uint8_t))),
          d_s(std::move(s)),
          d_in(d_s->in_frame),
          d_out(d_s->out_frame)
    {
        set_output_multiple(static_cast<int>(d_s->out_frame));
        set_relative_rate(d_s->out_frame, d_s->in_frame);
        set_tag_propagation_policy(TPP_DONT);
    }

    size_t frame_len() const override { return d_s->in_frame; }
    size_t output_frame_len() const override { return d_s->out_frame; }
    int scale() const override { return static_cast<int>(d_s->scale); }
    std::string precision() const override { return d_s->nn.plan_precision(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override
    {
        ninput_items_required[0] = util::frames_forecast(noutput_items, d_s->in_frame, d_s->out_frame);
    }

    int general_work(int noutput_items, gr_vector_int& ninput_items, gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override
    {
        const size_t in_frame = d_s->in_frame, out_frame = d_s->out_frame;
        const size_t nframes = util::frames_ready(ninput_items[0], noutput_items, in_frame, out_frame);
        const size_t h = d_s->nn.in.h, w = d_s->nn.in.w, oh = d_s->nn.out.h, ow = d_s->nn.out.w;
        for (size_t f = 0; f < nframes; f++) {
            const uint8_t* in = static_cast<const uint8_t*>(input_items[0]) + f * in_frame;
            uint8_t* out = static_cast<uint8_t*>(output_items[0]) + f * out_frame;
            const uint64_t in_start = nitems_read(0) + f * in_frame;
            const uint64_t out_start = nitems_written(0) + f * out_frame;
            sj_status st = sj_hwc_u8_to_chw_f32(in, h, w, 3, d_in.data());
            if (st == SJ_OK)
                st = sj_nn_plan_run(d_s->nn.plan.get(), d_in.data(), d_out.data());
            if (st == SJ_OK)
                st = sj_chw_f32_to_hwc_u8(d_out.data(), 3, oh, ow, oh, ow, out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", in_start, util::core_detail(st));
                std::memset(out, 0, out_frame);
            }
            // Tags keep their place in the frame, scaled by the frame ratio (a tag on a
            // frame's first byte stays on it).
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, in_start, in_start + in_frame);
            for (const auto& t : util::moved_tags(tags, in_start, out_start, out_frame, in_frame))
                add_item_tag(0, t);
        }
        consume_each(static_cast<int>(nframes * in_frame));
        return static_cast<int>(nframes * out_frame);
    }
};

image_model::sptr
image_model::make(const std::string& model_file, int width, int height, const std::string& precision)
{
    return gnuradio::make_block_sptr<image_model_impl>(setup(model_file, width, height, precision));
}

} // namespace securejscc
} // namespace gr
