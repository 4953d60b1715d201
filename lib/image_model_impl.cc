/* image_model: uint8 HWC image frames -> uint8 HWC image frames through a same-size
 * image-to-image network (DJESCC U-Nets, SREC enhancement at scale 1). One plan made in
 * the constructor; work() converts layouts and runs it. */
#include "nn_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/image_model.h>
#include <securejscc/layout.h>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "image_model";
}

class image_model_impl : public image_model
{
    util::nn_runner d_nn;
    size_t d_frame = 0;
    std::vector<float> d_in, d_out; // CHW buffers, allocated once

public:
    image_model_impl(const std::string& model_file, int width, int height)
        : gr::sync_block("image_model",
                         gr::io_signature::make(1, 1, sizeof(uint8_t)),
                         gr::io_signature::make(1, 1, sizeof(uint8_t)))
    {
        util::check_image_size(BLOCK, width, height);
        d_nn.load(BLOCK, model_file);
        const size_t cin = sj_nn_model_input_channels(d_nn.model.get());
        if (cin != 3)
            util::fail_arg(BLOCK, "model_file",
                           model_file + " takes " + std::to_string(cin) +
                               " input channels, but the block feeds RGB images (3)");
        const size_t h = static_cast<size_t>(height), w = static_cast<size_t>(width);
        d_nn.make_plan(BLOCK, h, w);
        if (d_nn.out.c != 3 || d_nn.out.h != h || d_nn.out.w != w || d_nn.in.size() != 3 * h * w)
            util::fail_arg(BLOCK, "model_file",
                           "a 3x" + std::to_string(h) + "x" + std::to_string(w) + " image gives " + d_nn.out.str() +
                               "; image_model needs a network whose output has its input's size");
        d_frame = h * w * 3;
        d_in.resize(d_frame);
        d_out.resize(d_frame);
        set_output_multiple(static_cast<int>(d_frame));
    }

    size_t frame_len() const override { return d_frame; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        const size_t h = d_nn.in.h, w = d_nn.in.w;
        for (size_t f = 0; f < nframes; f++) {
            const uint8_t* in = static_cast<const uint8_t*>(input_items[0]) + f * d_frame;
            uint8_t* out = static_cast<uint8_t*>(output_items[0]) + f * d_frame;
            sj_status st = sj_hwc_u8_to_chw_f32(in, h, w, 3, d_in.data());
            if (st == SJ_OK)
                st = sj_nn_plan_run(d_nn.plan.get(), d_in.data(), d_out.data());
            if (st == SJ_OK)
                st = sj_chw_f32_to_hwc_u8(d_out.data(), 3, h, w, h, w, out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", nitems_read(0) + f * d_frame,
                                util::core_detail(st));
                std::memset(out, 0, d_frame);
            }
        }
        return static_cast<int>(nframes * d_frame);
    }
};

image_model::sptr image_model::make(const std::string& model_file, int width, int height)
{
    return gnuradio::make_block_sptr<image_model_impl>(model_file, width, height);
}

} // namespace securejscc
} // namespace gr
