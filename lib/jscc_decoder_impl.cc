/* jscc_decoder: latent frames (complex symbols or floats, in jscc_encoder's CHW flat order)
 * -> uint8 HWC image frames through a DeepJSCC decoder model. The latent size is derived in
 * make() from width/height and the model's upscaling factor (measured by planning a probe
 * size), then the model is planned once; work() runs the plan and converts the layout with
 * sj_chw_f32_to_hwc_u8, cropping a padded output back to width x height. */
#include "nn_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/jscc_decoder.h>
#include <securejscc/layout.h>
#include <algorithm>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "jscc_decoder";

struct decoder_setup {
    util::nn_runner nn;
    bool complex_in = true;
    size_t width = 0, height = 0;
    size_t in_frame = 0;  // items
    size_t out_frame = 0; // bytes
};

/* Output pixels per latent pixel along one axis, from a plan on a probe size: the models
 * upsample by a fixed integer factor (4 for DeepJSCC). */
size_t upscale(util::nn_runner& nn, const std::string& model_file, size_t probe_h, size_t probe_w,
               size_t& scale_w)
{
    nn.make_plan(BLOCK, probe_h, probe_w, "model_file");
    // The channel check comes first: an encoder file is the likeliest mistake, and its
    // downscaling would otherwise be reported as an odd upscaling.
    if (nn.out.c != 3)
        util::fail_arg(BLOCK, "model_file",
                       model_file + " gives " + std::to_string(nn.out.c) +
                           " output channels, not an RGB image (3); is it an encoder?");
    if (nn.out.h % probe_h != 0 || nn.out.w % probe_w != 0 || nn.out.h == 0 || nn.out.w == 0)
        util::fail_arg(BLOCK, "model_file",
                       "a " + std::to_string(probe_h) + "x" + std::to_string(probe_w) + " latent decodes to " +
                           nn.out.str() + ", not an integer upscaling");
    scale_w = nn.out.w / probe_w;
    return nn.out.h / probe_h;
}

std::unique_ptr<decoder_setup> setup(const std::string& model_file, int width, int height,
                                     const std::string& latent_type, const std::string& precision)
{
    util::check_image_size(BLOCK, width, height);
    auto s = std::make_unique<decoder_setup>();
    s->nn.set_precision(BLOCK, precision);
    if (latent_type == "complex")
        s->complex_in = true;
    else if (latent_type == "float")
        s->complex_in = false;
    else
        util::fail_arg(BLOCK, "latent_type", "must be \"complex\" or \"float\", got \"" + latent_type + "\"");
    s->nn.load(BLOCK, model_file);
    const size_t m = std::max<size_t>(1, sj_nn_model_size_multiple(s->nn.model.get()));
    // A probe of at least 8 latent pixels a side: large enough for any kernel of the shipped
    // decoders, and a multiple of the model's size multiple so no padding blurs the ratio.
    const size_t probe = (8 + m - 1) / m * m;
    size_t sw = 0;
    const size_t sh = upscale(s->nn, model_file, probe, probe, sw);
    s->width = static_cast<size_t>(width);
    s->height = static_cast<size_t>(height);
    // The latent that covers the image: an encoder that padded the image up to its size
    // multiple produced ceil(size / scale) latent rows, and the decoder crops back.
    const size_t lh = (s->height + sh - 1) / sh, lw = (s->width + sw - 1) / sw;
    s->nn.make_plan(BLOCK, lh, lw);
    if (s->nn.out.c != 3 || s->nn.out.h < s->height || s->nn.out.w < s->width)
        util::fail_arg(BLOCK, "width", "a " + std::to_string(lh) + "x" + std::to_string(lw) + " latent decodes to " +
                                           s->nn.out.str() + ", smaller than the 3x" + std::to_string(height) + "x" +
                                           std::to_string(width) + " image");
    const size_t n = s->nn.in.size();
    if (s->complex_in && n % 2 != 0)
        util::fail_arg(BLOCK, "latent_type", "latent " + s->nn.in.str() + " has an odd number of values (" +
                                                 std::to_string(n) + "); complex symbols need pairs");
    s->in_frame = s->complex_in ? n / 2 : n;
    s->out_frame = s->height * s->width * 3;
    return s;
}
} // namespace

class jscc_decoder_impl : public jscc_decoder
{
    std::unique_ptr<decoder_setup> d_s;
    std::vector<float> d_chw; // the network's CHW output, allocated once

public:
    explicit jscc_decoder_impl(std::unique_ptr<decoder_setup> s)
        : gr::block("jscc_decoder",
                    gr::io_signature::make(1, 1, s->complex_in ? sizeof(gr_complex) : sizeof(float)),
                    gr::io_signature::make(1, 1, sizeof(uint8_t))),
          d_s(std::move(s)),
          d_chw(d_s->nn.out.size())
    {
        set_output_multiple(static_cast<int>(d_s->out_frame));
        set_relative_rate(d_s->out_frame, d_s->in_frame);
        set_tag_propagation_policy(TPP_DONT);
    }

    bool complex_input() const override { return d_s->complex_in; }
    size_t input_frame() const override { return d_s->in_frame; }
    size_t output_frame() const override { return d_s->out_frame; }
    std::vector<size_t> latent_shape() const override { return { d_s->nn.in.c, d_s->nn.in.h, d_s->nn.in.w }; }
    std::string precision() const override { return d_s->nn.plan_precision(); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override
    {
        ninput_items_required[0] = util::frames_forecast(noutput_items, d_s->in_frame, d_s->out_frame);
    }

    int general_work(int noutput_items, gr_vector_int& ninput_items, gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override
    {
        const size_t in_frame = d_s->in_frame, out_frame = d_s->out_frame;
        const size_t nfloats = d_s->nn.in.size();
        const util::chw_shape& o = d_s->nn.out;
        const size_t nframes = util::frames_ready(ninput_items[0], noutput_items, in_frame, out_frame);
        for (size_t f = 0; f < nframes; f++) {
            // Complex symbols are (re, im) float pairs: the latent in CHW flat order as is.
            const float* in = static_cast<const float*>(input_items[0]) + f * nfloats;
            uint8_t* out = static_cast<uint8_t*>(output_items[0]) + f * out_frame;
            const uint64_t in_start = nitems_read(0) + f * in_frame;
            const uint64_t out_start = nitems_written(0) + f * out_frame;
            sj_status st = sj_nn_plan_run(d_s->nn.plan.get(), in, d_chw.data());
            if (st == SJ_OK)
                st = sj_chw_f32_to_hwc_u8(d_chw.data(), o.c, o.h, o.w, d_s->height, d_s->width, out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", in_start, util::core_detail(st));
                std::memset(out, 0, out_frame);
            }
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, in_start, in_start + in_frame);
            // sj_noise_var is in latent units: meaningless on pixels, so it stops here.
            for (const auto& t : util::moved_tags(tags, in_start, out_start, 0, 1, { util::key_noise_var() }))
                add_item_tag(0, t);
        }
        consume_each(static_cast<int>(nframes * in_frame));
        return static_cast<int>(nframes * out_frame);
    }
};

jscc_decoder::sptr
jscc_decoder::make(const std::string& model_file, int width, int height, const std::string& latent_type,
                   const std::string& precision)
{
    return gnuradio::make_block_sptr<jscc_decoder_impl>(
        setup(model_file, width, height, latent_type, precision));
}

} // namespace securejscc
} // namespace gr
