/* keystream_encrypt: moves frames through sj_keystream_encrypt and tags each with its nonce. */
#include "keystream_key_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/keystream_encrypt.h>
#include <securejscc/keystream.h>
#include <algorithm>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "keystream_encrypt";
using util::ks_ptr;
using util::keystream_item_size;
} // namespace

class keystream_encrypt_impl : public keystream_encrypt
{
    ks_ptr d_ks;
    size_t d_frame;
    bool d_bytes;
    uint64_t d_frames = 0;

public:
    keystream_encrypt_impl(const std::string& key_file, unsigned modulus, size_t frame_len)
        : gr::sync_block("keystream_encrypt",
                         gr::io_signature::make(1, 1, keystream_item_size(modulus)),
                         gr::io_signature::make(1, 1, keystream_item_size(modulus))),
          d_frame(frame_len),
          d_bytes(modulus == 256)
    {
        if (frame_len == 0)
            util::fail_arg(BLOCK, "frame_len", "must be > 0");
        d_ks.reset(util::open_keystream(BLOCK, key_file, modulus));
        set_output_multiple(static_cast<int>(frame_len));
    }

    uint64_t frames() const override { return d_frames; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        const size_t isz = d_bytes ? 1 : 2;
        for (size_t f = 0; f < nframes; f++) {
            const char* in = static_cast<const char*>(input_items[0]) + f * d_frame * isz;
            char* out = static_cast<char*>(output_items[0]) + f * d_frame * isz;
            uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES];
            const sj_status st =
                d_bytes ? sj_keystream_encrypt_u8(d_ks.get(), reinterpret_cast<const uint8_t*>(in),
                                                  reinterpret_cast<uint8_t*>(out), d_frame, nonce)
                        : sj_keystream_encrypt(d_ks.get(), reinterpret_cast<const uint16_t*>(in),
                                               reinterpret_cast<uint16_t*>(out), d_frame, nonce);
            if (st != SJ_OK) {
                d_logger->error("frame dropped (sent as zeros): {}", util::core_detail(st));
                std::memset(out, 0, d_frame * isz);
                continue;
            }
            add_item_tag(0, nitems_written(0) + f * d_frame, util::key_nonce(),
                         pmt::init_u8vector(SJ_KEYSTREAM_NONCE_BYTES, nonce));
            d_frames++;
        }
        return static_cast<int>(nframes * d_frame);
    }
};

keystream_encrypt::sptr keystream_encrypt::make(const std::string& key_file, unsigned modulus, size_t frame_len)
{
    return gnuradio::make_block_sptr<keystream_encrypt_impl>(key_file, modulus, frame_len);
}

} // namespace securejscc
} // namespace gr
