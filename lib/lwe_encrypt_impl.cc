/* lwe_encrypt: frames of k values in Z_p -> ciphertext frames, with d on the sj_lwe_d tag.
 * The encryptor (all scratch memory) is created once here, never per frame. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/lwe_encrypt.h>
#include <securejscc/lwe.h>
#include <cstring>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "lwe_encrypt";
}

class lwe_encrypt_impl : public lwe_encrypt
{
    util::core_ptr<sj_lwe_pubkey, sj_lwe_pubkey_destroy> d_pub;
    // Declared after the key: destroyed first, as it points into the key.
    util::core_ptr<sj_lwe_encryptor, sj_lwe_encryptor_destroy> d_enc;
    size_t d_k;
    size_t d_dlen = 0;
    unsigned d_p = 0;
    std::vector<uint16_t> d_d;
    uint64_t d_frames = 0;

public:
    lwe_encrypt_impl(const std::string& pubkey_file, size_t k)
        : gr::sync_block("lwe_encrypt",
                         gr::io_signature::make(1, 1, sizeof(uint16_t)),
                         gr::io_signature::make(1, 1, sizeof(uint16_t))),
          d_k(k)
    {
        if (k == 0)
            util::fail_arg(BLOCK, "k", "must be > 0");
        sj_lwe_pubkey* pub = nullptr;
        util::check(BLOCK, "pubkey_file", sj_lwe_pubkey_load(pubkey_file.c_str(), &pub));
        d_pub.reset(pub);
        sj_lwe_encryptor* e = nullptr;
        util::check(BLOCK, "k", sj_lwe_encryptor_create(pub, k, &e));
        d_enc.reset(e);
        const sj_lwe_params* prm = sj_lwe_pubkey_params(pub);
        d_p = prm->p;
        d_dlen = sj_lwe_d_length(prm, sj_lwe_pubkey_block_length(pub), k);
        d_d.resize(d_dlen);
        set_output_multiple(static_cast<int>(k));
    }

    size_t d_length() const override { return d_dlen; }
    unsigned modulus() const override { return d_p; }
    uint64_t frames() const override { return d_frames; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_k;
        for (size_t f = 0; f < nframes; f++) {
            const uint16_t* in = static_cast<const uint16_t*>(input_items[0]) + f * d_k;
            uint16_t* out = static_cast<uint16_t*>(output_items[0]) + f * d_k;
            const uint64_t start = nitems_written(0) + f * d_k;
            const sj_status st = sj_lwe_encrypt(d_enc.get(), in, out, d_d.data());
            if (st != SJ_OK) {
                d_logger->error("frame at item {} sent as zeros without sj_lwe_d: {}", start, util::core_detail(st));
                std::memset(out, 0, d_k * sizeof(uint16_t));
                continue;
            }
            add_item_tag(0, start, util::key_lwe_d(), pmt::init_u16vector(d_dlen, d_d.data()));
            d_frames++;
        }
        return static_cast<int>(nframes * d_k);
    }
};

lwe_encrypt::sptr lwe_encrypt::make(const std::string& pubkey_file, size_t k)
{
    return gnuradio::make_block_sptr<lwe_encrypt_impl>(pubkey_file, k);
}

} // namespace securejscc
} // namespace gr
