/* lwe_joint_decrypt: 4096-QAM symbols -> Bob's posterior mean of the quantiser centroid,
 * demodulating, decrypting and dequantising at once (sj_zp_posterior), so that the
 * receiver uses the whole likelihood of each symbol instead of its posterior-mean index
 * (docs/lwe.md, "The joint receiver"). */
#include "modem_common_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/lwe_joint_decrypt.h>
#include <securejscc/lwe.h>
#include <securejscc/zp_posterior.h>
#include <cstring>
#include <vector>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "lwe_joint_decrypt";
}

class lwe_joint_decrypt_impl : public lwe_joint_decrypt
{
    util::core_ptr<sj_lwe_seckey, sj_lwe_seckey_destroy> d_sec;
    util::core_ptr<sj_lwe_decryptor, sj_lwe_decryptor_destroy> d_dec; // destroyed before the key
    util::core_ptr<sj_zp_posterior, sj_zp_posterior_destroy> d_post;
    std::vector<uint16_t> d_offset;
    size_t d_k;
    bool d_spread; // output per frame: k means, then (if set) k standard deviations
    size_t d_dlen = 0;
    unsigned d_p;
    double d_lwe_std = 0.0;
    util::noise_var_param d_noise_var;
    uint64_t d_frames = 0;
    uint64_t d_dropped = 0;

public:
    lwe_joint_decrypt_impl(const std::string& seckey_file, size_t k, unsigned levels, unsigned guard,
                           float noise_var, const std::string& mapping, unsigned modulus, bool spread)
        : gr::sync_interpolator("lwe_joint_decrypt",
                                gr::io_signature::make(1, 1, sizeof(gr_complex)),
                                gr::io_signature::make(1, 1, sizeof(float)),
                                spread ? 2 : 1),
          d_k(k),
          d_spread(spread),
          d_p(modulus)
    {
        if (k == 0)
            util::fail_arg(BLOCK, "k", "must be > 0");
        d_noise_var.init(BLOCK, noise_var);
        util::check_guard(BLOCK, levels, static_cast<int>(guard));
        sj_qam4096_mapping map;
        util::check(BLOCK, "mapping", sj_qam4096_mapping_from_name(mapping.c_str(), &map));
        if (!seckey_file.empty()) {
            sj_lwe_seckey* sec = nullptr;
            util::check(BLOCK, "seckey_file", sj_lwe_seckey_load(seckey_file.c_str(), &sec));
            d_sec.reset(sec);
            sj_lwe_decryptor* dec = nullptr;
            util::check(BLOCK, "k", sj_lwe_decryptor_create(sec, k, &dec));
            d_dec.reset(dec);
            const sj_lwe_params* prm = sj_lwe_seckey_params(sec);
            if (prm->p != modulus)
                util::fail_arg(BLOCK, "modulus", "the key's modulus is " + std::to_string(prm->p) + ", not " +
                                                     std::to_string(modulus));
            d_dlen = sj_lwe_d_length(prm, sj_lwe_seckey_block_length(sec), k);
            d_lwe_std = sj_lwe_noise_std(prm);
            d_offset.resize(k);
        }
        sj_modem* m = nullptr;
        util::check(BLOCK, "mapping", sj_modem_create_qam4096(map, &m));
        util::modem_ptr modem(m);
        sj_zp_posterior* post = nullptr;
        util::check(BLOCK, "levels", sj_zp_posterior_create(m, modulus, levels, guard, d_lwe_std, k, &post));
        d_post.reset(post);
        set_output_multiple(static_cast<int>(k * interpolation()));
        set_tag_propagation_policy(TPP_DONT);
    }

    unsigned modulus() const override { return d_p; }
    double lwe_noise_std() const override { return d_lwe_std; }
    bool spread() const override { return d_spread; }
    float noise_var() const override { return d_noise_var.get(); }
    void set_noise_var(float noise_var) override { d_noise_var.set(d_logger, noise_var); }
    uint64_t frames() const override { return d_frames; }
    uint64_t frames_dropped() const override { return d_dropped; }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star& output_items) override
    {
        const size_t ratio = interpolation(), out_frame = d_k * ratio;
        const size_t nframes = static_cast<size_t>(noutput_items) / out_frame;
        for (size_t f = 0; f < nframes; f++) {
            const gr_complex* in = static_cast<const gr_complex*>(input_items[0]) + f * d_k;
            float* out = static_cast<float*>(output_items[0]) + f * out_frame;
            const uint64_t start = nitems_read(0) + f * d_k;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_k);
            const float nv = d_noise_var.for_frame(tags, d_logger, start);
            sj_status st = SJ_OK;
            const uint16_t* offset = nullptr;
            if (d_dec) {
                const uint16_t* d = util::lwe_d_of_frame(tags, d_dlen);
                if (!d) {
                    d_logger->error("frame at item {} has no sj_lwe_d tag of {} uint16 values: sent as zeros",
                                    start, d_dlen);
                    st = SJ_ERR_INVALID_ARG;
                } else {
                    st = sj_lwe_decrypt_offset(d_dec.get(), d, d_offset.data());
                    if (st != SJ_OK)
                        d_logger->error("frame at item {} sent as zeros: {}", start, util::core_detail(st));
                    offset = d_offset.data();
                }
            }
            if (st == SJ_OK) {
                st = sj_zp_posterior_mean_std(d_post.get(), in, offset, d_k, nv, out, d_spread ? out + d_k : nullptr);
                if (st != SJ_OK)
                    d_logger->error("frame at item {} sent as zeros: {}", start, util::core_detail(st));
            }
            if (st != SJ_OK) {
                std::memset(out, 0, out_frame * sizeof(float));
                d_dropped++;
            } else {
                d_frames++;
            }
            for (const auto& mt :
                 util::moved_tags(tags, start, nitems_written(0) + f * out_frame, ratio, 1,
                                  { util::key_noise_var(), util::key_lwe_d() }))
                add_item_tag(0, mt);
        }
        return static_cast<int>(nframes * out_frame);
    }
};

lwe_joint_decrypt::sptr lwe_joint_decrypt::make(const std::string& seckey_file, size_t k, unsigned levels,
                                                unsigned guard, float noise_var, const std::string& mapping,
                                                unsigned modulus, bool spread)
{
    return gnuradio::make_block_sptr<lwe_joint_decrypt_impl>(seckey_file, k, levels, guard, noise_var, mapping,
                                                             modulus, spread);
}

} // namespace securejscc
} // namespace gr
