/* soft_demod: frames of complex symbols -> LLRs / posterior means (sj_softdemod) or hard
 * decisions (sj_modem). A general block with a fixed rate per frame; tags are moved by hand
 * (TPP_DONT), and sj_noise_var, which is in symbol units, is consumed here so no block
 * downstream mistakes it for a variance in its own units. */
#include "modem_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/soft_demod.h>
#include <securejscc/softdemod.h>
#include <algorithm>
#include <atomic>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "soft_demod";
using softdemod_ptr = util::core_ptr<sj_softdemod, sj_softdemod_destroy>;

size_t out_size(const std::string& modulation, bool hard)
{
    const sj_modulation m = util::parse_modulation(BLOCK, modulation);
    if (!hard)
        return sizeof(float);
    return m == SJ_MOD_4096QAM ? sizeof(uint16_t) : sizeof(uint8_t);
}
} // namespace

class soft_demod_impl : public soft_demod
{
    util::modem_ptr d_modem;
    softdemod_ptr d_soft;
    bool d_index;
    bool d_hard;
    size_t d_in_frame;  // symbols per frame
    size_t d_out_frame; // output items per frame
    size_t d_osz;
    util::noise_var_param d_noise_var;

public:
    soft_demod_impl(const std::string& modulation, size_t frame_len, float noise_var, bool hard)
        : gr::block("soft_demod",
                    gr::io_signature::make(1, 1, sizeof(gr_complex)),
                    gr::io_signature::make(1, 1, out_size(modulation, hard))),
          d_hard(hard),
          d_in_frame(frame_len),
          d_osz(out_size(modulation, hard))
    {
        const util::modulation_spec spec = util::parse_modulation_spec(BLOCK, modulation);
        const sj_modulation mod = spec.mod;
        d_index = mod == SJ_MOD_4096QAM;
        if (!hard && spec.mapping != SJ_QAM4096_ROW)
            util::fail_arg(BLOCK, "modulation",
                           "the posterior-mean index is defined for row-major 4096qam only; for '" + modulation +
                               "' use hard = True, or lwe_joint_decrypt for soft decoding");
        const unsigned bps = util::bits_per_symbol(mod);
        if (frame_len == 0)
            util::fail_arg(BLOCK, "frame_len", "must be > 0");
        if (hard && !d_index && (frame_len * bps) % 8 != 0)
            util::fail_arg(BLOCK, "frame_len",
                           "hard byte output needs frame_len * bits per symbol to be a multiple of 8, got " +
                               std::to_string(frame_len) + " * " + std::to_string(bps));
        d_noise_var.init(BLOCK, noise_var);
        sj_modem* m = nullptr;
        util::check(BLOCK, "modulation", util::create_modem(spec, &m));
        d_modem.reset(m);
        if (!hard) {
            sj_softdemod* s = nullptr;
            util::check(BLOCK, "frame_len", sj_softdemod_create(m, frame_len, &s));
            d_soft.reset(s);
        }
        if (d_index)
            d_out_frame = frame_len;
        else
            d_out_frame = hard ? frame_len * bps / 8 : frame_len * bps;
        set_output_multiple(static_cast<int>(d_out_frame));
        set_relative_rate(d_out_frame, d_in_frame);
        set_tag_propagation_policy(TPP_DONT);
    }

    float noise_var() const override { return d_noise_var.get(); }
    void set_noise_var(float noise_var) override { d_noise_var.set(d_logger, noise_var); }

    void forecast(int noutput_items, gr_vector_int& ninput_items_required) override
    {
        ninput_items_required[0] = util::frames_forecast(noutput_items, d_in_frame, d_out_frame);
    }

    int general_work(int noutput_items, gr_vector_int& ninput_items, gr_vector_const_void_star& input_items,
                     gr_vector_void_star& output_items) override
    {
        const size_t nframes = util::frames_ready(ninput_items[0], noutput_items, d_in_frame, d_out_frame);
        for (size_t f = 0; f < nframes; f++) {
            const gr_complex* in = static_cast<const gr_complex*>(input_items[0]) + f * d_in_frame;
            char* out = static_cast<char*>(output_items[0]) + f * d_out_frame * d_osz;
            const uint64_t in_start = nitems_read(0) + f * d_in_frame;
            const uint64_t out_start = nitems_written(0) + f * d_out_frame;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, in_start, in_start + d_in_frame);
            const float nv = d_noise_var.for_frame(tags, d_logger, in_start);
            sj_status st;
            if (d_hard && d_index)
                st = sj_modem_demap_hard(d_modem.get(), in, d_in_frame, reinterpret_cast<uint16_t*>(out));
            else if (d_hard)
                st = sj_modem_demap_bytes(d_modem.get(), in, d_in_frame, reinterpret_cast<uint8_t*>(out));
            else if (d_index)
                st = sj_softdemod_posterior_mean(d_soft.get(), in, d_in_frame, nv, SJ_SOFT4096_SEPARABLE,
                                                 reinterpret_cast<float*>(out));
            else
                st = sj_softdemod_llr(d_soft.get(), in, d_in_frame, nv, reinterpret_cast<float*>(out));
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros: {}", in_start, util::core_detail(st));
                std::memset(out, 0, d_out_frame * d_osz);
            }
            for (const auto& mt :
                 util::moved_tags(tags, in_start, out_start, d_out_frame, d_in_frame, { util::key_noise_var() }))
                add_item_tag(0, mt);
        }
        consume_each(static_cast<int>(nframes * d_in_frame));
        return static_cast<int>(nframes * d_out_frame);
    }
};

soft_demod::sptr soft_demod::make(const std::string& modulation, size_t frame_len, float noise_var, bool hard)
{
    return gnuradio::make_block_sptr<soft_demod_impl>(modulation, frame_len, noise_var, hard);
}

} // namespace securejscc
} // namespace gr
