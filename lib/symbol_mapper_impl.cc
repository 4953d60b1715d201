/* symbol_mapper: frames of bytes (or 4096-QAM indices) -> complex symbols via sj_modem. A
 * general block with a fixed rate per frame; tags are moved by hand (TPP_DONT) so each lands
 * on the symbol that carries its item. */
#include "modem_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/symbol_mapper.h>
#include <algorithm>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "symbol_mapper";

size_t in_size(const std::string& modulation)
{
    return util::parse_modulation(BLOCK, modulation) == SJ_MOD_4096QAM ? sizeof(uint16_t) : sizeof(uint8_t);
}
} // namespace

class symbol_mapper_impl : public symbol_mapper
{
    util::modem_ptr d_modem;
    bool d_index;      // 4096-QAM: uint16 index per symbol
    size_t d_in_frame;  // items per input frame
    size_t d_out_frame; // symbols per output frame
    unsigned d_bps;

public:
    symbol_mapper_impl(const std::string& modulation, size_t frame_len)
        : gr::block("symbol_mapper",
                    gr::io_signature::make(1, 1, in_size(modulation)),
                    gr::io_signature::make(1, 1, sizeof(gr_complex))),
          d_in_frame(frame_len)
    {
        const util::modulation_spec spec = util::parse_modulation_spec(BLOCK, modulation);
        d_index = spec.mod == SJ_MOD_4096QAM;
        d_bps = util::bits_per_symbol(spec.mod);
        if (frame_len == 0)
            util::fail_arg(BLOCK, "frame_len", "must be > 0");
        sj_modem* m = nullptr;
        util::check(BLOCK, "modulation", util::create_modem(spec, &m));
        d_modem.reset(m);
        d_out_frame = d_index ? frame_len : frame_len * 8 / d_bps;
        set_output_multiple(static_cast<int>(d_out_frame));
        set_relative_rate(d_out_frame, d_in_frame);
        set_tag_propagation_policy(TPP_DONT);
    }

    unsigned bits_per_symbol() const override { return d_bps; }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override
    {
        ninput_items_required[0] = util::frames_forecast(noutput_items, d_in_frame, d_out_frame);
    }

    int general_work(int noutput_items, gr_vector_int& ninput_items, gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override
    {
        const size_t nframes = util::frames_ready(ninput_items[0], noutput_items, d_in_frame, d_out_frame);
        const size_t isz = d_index ? 2 : 1;
        for (size_t f = 0; f < nframes; f++) {
            const char* in = static_cast<const char*>(input_items[0]) + f * d_in_frame * isz;
            gr_complex* out = static_cast<gr_complex*>(output_items[0]) + f * d_out_frame;
            const uint64_t in_start = nitems_read(0) + f * d_in_frame;
            const uint64_t out_start = nitems_written(0) + f * d_out_frame;
            const sj_status st =
                d_index ? sj_modem_map(d_modem.get(), reinterpret_cast<const uint16_t*>(in), d_in_frame, out)
                        : sj_modem_map_bytes(d_modem.get(), reinterpret_cast<const uint8_t*>(in), d_in_frame, out);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", in_start, util::core_detail(st));
                std::fill(out, out + d_out_frame, gr_complex(0, 0));
            }
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, in_start, in_start + d_in_frame);
            for (const auto& t : util::moved_tags(tags, in_start, out_start, d_out_frame, d_in_frame))
                add_item_tag(0, t);
        }
        consume_each(static_cast<int>(nframes * d_in_frame));
        return static_cast<int>(nframes * d_out_frame);
    }
};

symbol_mapper::sptr symbol_mapper::make(const std::string& modulation, size_t frame_len)
{
    return gnuradio::make_block_sptr<symbol_mapper_impl>(modulation, frame_len);
}

} // namespace securejscc
} // namespace gr
