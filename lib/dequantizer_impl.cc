/* dequantizer: noisy values in [0, p) -> posterior mean of the centroid, per frame, with
 * the noise variance of the parameter or of the frame's sj_noise_var tag; prior zero on the
 * top `guard` centroids, which the sender never uses (quantizer.h, guard levels). */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/dequantizer.h>
#include <securejscc/quantizer.h>
#include <atomic>
#include <cstring>

namespace gr {
namespace securejscc {

class dequantizer_impl : public dequantizer
{
    util::core_ptr<sj_quantizer, sj_quantizer_destroy> d_q;
    size_t d_frame;
    util::noise_var_param d_noise_var;

public:
    dequantizer_impl(unsigned levels, unsigned modulus, float noise_var, size_t frame_len, int guard)
        : gr::sync_block("dequantizer",
                         gr::io_signature::make(1, 1, sizeof(float)),
                         gr::io_signature::make(1, 1, sizeof(float))),
          d_frame(frame_len)
    {
        if (frame_len == 0)
            util::fail_arg("dequantizer", "frame_len", "must be > 0");
        d_noise_var.init("dequantizer", noise_var);
        util::check_guard("dequantizer", levels, guard);
        sj_quantizer* q = nullptr;
        util::check("dequantizer", "levels",
                    sj_quantizer_create_guarded(levels, static_cast<unsigned>(guard), modulus, &q));
        d_q.reset(q);
        set_output_multiple(static_cast<int>(frame_len));
    }

    float noise_var() const override { return d_noise_var.get(); }
    void set_noise_var(float noise_var) override { d_noise_var.set(d_logger, noise_var); }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const float* in = static_cast<const float*>(input_items[0]) + f * d_frame;
            float* out = static_cast<float*>(output_items[0]) + f * d_frame;
            const uint64_t start = nitems_read(0) + f * d_frame;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_frame, util::key_noise_var());
            const float nv = d_noise_var.for_frame(tags, d_logger, start);
            const sj_status st = sj_quantizer_soft_dequant(d_q.get(), in, d_frame, nv, out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", start, util::core_detail(st));
                std::memset(out, 0, d_frame * sizeof(float));
            }
        }
        return static_cast<int>(nframes * d_frame);
    }
};

dequantizer::sptr
dequantizer::make(unsigned levels, unsigned modulus, float noise_var, size_t frame_len, int guard)
{
    return gnuradio::make_block_sptr<dequantizer_impl>(levels, modulus, noise_var, frame_len, guard);
}

} // namespace securejscc
} // namespace gr
