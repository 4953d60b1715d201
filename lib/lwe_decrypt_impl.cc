/* lwe_decrypt: soft decryption of frames of k real-valued ciphertexts with each frame's d. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/lwe_decrypt.h>
#include <securejscc/lwe.h>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "lwe_decrypt";
}

class lwe_decrypt_impl : public lwe_decrypt
{
    util::core_ptr<sj_lwe_seckey, sj_lwe_seckey_destroy> d_sec;
    util::core_ptr<sj_lwe_decryptor, sj_lwe_decryptor_destroy> d_dec; // destroyed before the key
    size_t d_k;
    size_t d_dlen = 0;
    unsigned d_p = 0;
    uint64_t d_frames = 0;
    uint64_t d_dropped = 0;

public:
    lwe_decrypt_impl(const std::string& seckey_file, size_t k)
        : gr::sync_block("lwe_decrypt",
                         gr::io_signature::make(1, 1, sizeof(float)),
                         gr::io_signature::make(1, 1, sizeof(float))),
          d_k(k)
    {
        if (k == 0)
            util::fail_arg(BLOCK, "k", "must be > 0");
        sj_lwe_seckey* sec = nullptr;
        util::check(BLOCK, "seckey_file", sj_lwe_seckey_load(seckey_file.c_str(), &sec));
        d_sec.reset(sec);
        sj_lwe_decryptor* dec = nullptr;
        util::check(BLOCK, "k", sj_lwe_decryptor_create(sec, k, &dec));
        d_dec.reset(dec);
        const sj_lwe_params* prm = sj_lwe_seckey_params(sec);
        d_p = prm->p;
        d_dlen = sj_lwe_d_length(prm, sj_lwe_seckey_block_length(sec), k);
        set_output_multiple(static_cast<int>(k));
    }

    size_t d_length() const override { return d_dlen; }
    unsigned modulus() const override { return d_p; }
    uint64_t frames() const override { return d_frames; }
    uint64_t frames_dropped() const override { return d_dropped; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_k;
        for (size_t f = 0; f < nframes; f++) {
            const float* in = static_cast<const float*>(input_items[0]) + f * d_k;
            float* out = static_cast<float*>(output_items[0]) + f * d_k;
            const uint64_t start = nitems_read(0) + f * d_k;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_k, util::key_lwe_d());
            sj_status st = SJ_ERR_INVALID_ARG;
            const uint16_t* d = util::lwe_d_of_frame(tags, d_dlen);
            if (!d) {
                d_logger->error("frame at item {} has no sj_lwe_d tag of {} uint16 values: sent as zeros", start,
                                d_dlen);
            } else {
                st = sj_lwe_decrypt_soft(d_dec.get(), in, d, out);
                if (st != SJ_OK)
                    d_logger->error("frame at item {} sent as zeros: {}", start, util::core_detail(st));
            }
            if (st != SJ_OK) {
                std::memset(out, 0, d_k * sizeof(float));
                d_dropped++;
                continue;
            }
            d_frames++;
        }
        return static_cast<int>(nframes * d_k);
    }
};

lwe_decrypt::sptr lwe_decrypt::make(const std::string& seckey_file, size_t k)
{
    return gnuradio::make_block_sptr<lwe_decrypt_impl>(seckey_file, k);
}

} // namespace securejscc
} // namespace gr
