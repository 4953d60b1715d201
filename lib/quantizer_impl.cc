/* quantizer: real latents in Z_p units -> nearest used centroid values (uint16), per frame;
 * the top `guard` centroids are never sent (quantizer.h, guard levels). */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/quantizer.h>
#include <securejscc/quantizer.h>
#include <cstring>

namespace gr {
namespace securejscc {

class quantizer_impl : public quantizer
{
    util::core_ptr<sj_quantizer, sj_quantizer_destroy> d_q;
    size_t d_frame;

public:
    quantizer_impl(unsigned levels, unsigned modulus, size_t frame_len, int guard)
        : gr::sync_block("quantizer",
                         gr::io_signature::make(1, 1, sizeof(float)),
                         gr::io_signature::make(1, 1, sizeof(uint16_t))),
          d_frame(frame_len)
    {
        if (frame_len == 0)
            util::fail_arg("quantizer", "frame_len", "must be > 0");
        util::check_guard("quantizer", levels, guard);
        sj_quantizer* q = nullptr;
        util::check("quantizer", "levels",
                    sj_quantizer_create_guarded(levels, static_cast<unsigned>(guard), modulus, &q));
        d_q.reset(q);
        set_output_multiple(static_cast<int>(frame_len));
    }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const float* in = static_cast<const float*>(input_items[0]) + f * d_frame;
            uint16_t* out = static_cast<uint16_t*>(output_items[0]) + f * d_frame;
            const sj_status st = sj_quantizer_hard(d_q.get(), in, d_frame, out, nullptr);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", nitems_read(0) + f * d_frame,
                                util::core_detail(st));
                std::memset(out, 0, d_frame * sizeof(uint16_t));
            }
        }
        return static_cast<int>(nframes * d_frame);
    }
};

quantizer::sptr quantizer::make(unsigned levels, unsigned modulus, size_t frame_len, int guard)
{
    return gnuradio::make_block_sptr<quantizer_impl>(levels, modulus, frame_len, guard);
}

} // namespace securejscc
} // namespace gr
