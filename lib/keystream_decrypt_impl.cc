/* keystream_decrypt: finds each frame's sj_nonce tag and runs sj_keystream_decrypt(_u8/_soft). */
#include "keystream_key_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/keystream_decrypt.h>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "keystream_decrypt";

size_t item_size(unsigned modulus, bool soft) { return soft ? sizeof(float) : util::keystream_item_size(modulus); }
} // namespace

class keystream_decrypt_impl : public keystream_decrypt
{
    util::ks_ptr d_ks;
    size_t d_frame;
    bool d_soft;
    size_t d_isz;
    uint64_t d_frames = 0;
    uint64_t d_dropped = 0;

public:
    keystream_decrypt_impl(const std::string& key_file, unsigned modulus, size_t frame_len, bool soft)
        : gr::sync_block("keystream_decrypt",
                         gr::io_signature::make(1, 1, item_size(modulus, soft)),
                         gr::io_signature::make(1, 1, item_size(modulus, soft))),
          d_frame(frame_len),
          d_soft(soft),
          d_isz(item_size(modulus, soft))
    {
        if (frame_len == 0)
            util::fail_arg(BLOCK, "frame_len", "must be > 0");
        d_ks.reset(util::open_keystream(BLOCK, key_file, modulus));
        set_output_multiple(static_cast<int>(frame_len));
    }

    uint64_t frames() const override { return d_frames; }
    uint64_t frames_dropped() const override { return d_dropped; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const char* in = static_cast<const char*>(input_items[0]) + f * d_frame * d_isz;
            char* out = static_cast<char*>(output_items[0]) + f * d_frame * d_isz;
            const uint64_t start = nitems_read(0) + f * d_frame;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_frame, util::key_nonce());
            gr::tag_t tag;
            if (!util::find_tag(tags, util::key_nonce(), tag) || !pmt::is_u8vector(tag.value) ||
                pmt::length(tag.value) != SJ_KEYSTREAM_NONCE_BYTES) {
                d_logger->error("frame at item {} has no valid sj_nonce tag (u8vector of {} bytes): sent as zeros",
                                start, SJ_KEYSTREAM_NONCE_BYTES);
                std::memset(out, 0, d_frame * d_isz);
                d_dropped++;
                continue;
            }
            size_t len = 0;
            const uint8_t* nonce = pmt::u8vector_elements(tag.value, len);
            sj_status st;
            if (d_soft)
                st = sj_keystream_decrypt_soft(d_ks.get(), nonce, reinterpret_cast<const float*>(in),
                                               reinterpret_cast<float*>(out), d_frame);
            else if (d_isz == 1)
                st = sj_keystream_decrypt_u8(d_ks.get(), nonce, reinterpret_cast<const uint8_t*>(in),
                                             reinterpret_cast<uint8_t*>(out), d_frame);
            else
                st = sj_keystream_decrypt(d_ks.get(), nonce, reinterpret_cast<const uint16_t*>(in),
                                          reinterpret_cast<uint16_t*>(out), d_frame);
            if (st != SJ_OK) {
                d_logger->error("frame at item {} dropped (sent as zeros): {}", start, util::core_detail(st));
                std::memset(out, 0, d_frame * d_isz);
                d_dropped++;
                continue;
            }
            d_frames++;
        }
        return static_cast<int>(nframes * d_frame);
    }
};

keystream_decrypt::sptr
keystream_decrypt::make(const std::string& key_file, unsigned modulus, size_t frame_len, bool soft)
{
    return gnuradio::make_block_sptr<keystream_decrypt_impl>(key_file, modulus, frame_len, soft);
}

} // namespace securejscc
} // namespace gr
