/* byte_quantizer: float frames -> bytes with the frame's offset and scale on tags. There is
 * no core object to hold: sj_byteq_quantize is a pure function of the frame. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/byte_quantizer.h>
#include <securejscc/byte_quantizer.h>
#include <cstring>

namespace gr {
namespace securejscc {

class byte_quantizer_impl : public byte_quantizer
{
    size_t d_frame;

public:
    explicit byte_quantizer_impl(size_t frame_len)
        : gr::sync_block("byte_quantizer",
                         gr::io_signature::make(1, 1, sizeof(float)),
                         gr::io_signature::make(1, 1, sizeof(uint8_t))),
          d_frame(frame_len)
    {
        if (frame_len == 0)
            util::fail_arg("byte_quantizer", "frame_len", "must be > 0");
        set_output_multiple(static_cast<int>(frame_len));
    }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const float* in = static_cast<const float*>(input_items[0]) + f * d_frame;
            uint8_t* out = static_cast<uint8_t*>(output_items[0]) + f * d_frame;
            const uint64_t start = nitems_written(0) + f * d_frame;
            sj_byteq_params prm;
            const sj_status st = sj_byteq_quantize(in, d_frame, out, &prm);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros without tags: {}", start, util::core_detail(st));
                std::memset(out, 0, d_frame);
                continue;
            }
            add_item_tag(0, start, util::key_byteq_offset(), pmt::from_double(prm.offset));
            add_item_tag(0, start, util::key_byteq_scale(), pmt::from_double(prm.scale));
        }
        return static_cast<int>(nframes * d_frame);
    }
};

byte_quantizer::sptr byte_quantizer::make(size_t frame_len)
{
    return gnuradio::make_block_sptr<byte_quantizer_impl>(frame_len);
}

} // namespace securejscc
} // namespace gr
