/* byte_dequantizer: bytes -> floats with the frame's sj_byteq_offset / sj_byteq_scale tags. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/byte_dequantizer.h>
#include <securejscc/byte_quantizer.h>
#include <cstring>

namespace gr {
namespace securejscc {

class byte_dequantizer_impl : public byte_dequantizer
{
    size_t d_frame;
    uint64_t d_dropped = 0;

public:
    explicit byte_dequantizer_impl(size_t frame_len)
        : gr::sync_block("byte_dequantizer",
                         gr::io_signature::make(1, 1, sizeof(uint8_t)),
                         gr::io_signature::make(1, 1, sizeof(float))),
          d_frame(frame_len)
    {
        if (frame_len == 0)
            util::fail_arg("byte_dequantizer", "frame_len", "must be > 0");
        set_output_multiple(static_cast<int>(frame_len));
    }

    uint64_t frames_dropped() const override { return d_dropped; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const uint8_t* in = static_cast<const uint8_t*>(input_items[0]) + f * d_frame;
            float* out = static_cast<float*>(output_items[0]) + f * d_frame;
            const uint64_t start = nitems_read(0) + f * d_frame;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_frame);
            gr::tag_t to, ts;
            sj_status st = SJ_ERR_INVALID_ARG;
            if (util::find_tag(tags, util::key_byteq_offset(), to) && util::find_tag(tags, util::key_byteq_scale(), ts) &&
                pmt::is_real(to.value) && pmt::is_real(ts.value)) {
                const sj_byteq_params prm = { static_cast<float>(pmt::to_double(to.value)),
                                              static_cast<float>(pmt::to_double(ts.value)) };
                st = sj_byteq_dequantize(in, d_frame, &prm, out);
                if (st != SJ_OK)
                    d_logger->error("frame at item {} sent as zeros: {}", start, util::core_detail(st));
            } else {
                d_logger->error("frame at item {} lacks sj_byteq_offset / sj_byteq_scale (double): sent as zeros",
                                start);
            }
            if (st != SJ_OK) {
                std::memset(out, 0, d_frame * sizeof(float));
                d_dropped++;
            }
        }
        return static_cast<int>(nframes * d_frame);
    }
};

byte_dequantizer::sptr byte_dequantizer::make(size_t frame_len)
{
    return gnuradio::make_block_sptr<byte_dequantizer_impl>(frame_len);
}

} // namespace securejscc
} // namespace gr
