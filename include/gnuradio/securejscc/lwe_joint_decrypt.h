#ifndef INCLUDED_SECUREJSCC_LWE_JOINT_DECRYPT_H
#define INCLUDED_SECUREJSCC_LWE_JOINT_DECRYPT_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_interpolator.h>
#include <string>

namespace gr {
namespace securejscc {

/*!
 * \brief Joint demodulation, LWE decryption and dequantisation of frames of k 4096-QAM symbols (core: sj_zp_posterior): out = Bob's posterior mean of the quantiser centroid given the symbol and his offset S^T d (float, Z_p units), with the LWE decryption noise of the key's preset. mapping ("row" or "hilbert") must be the transmitter's (symbol_mapper "4096qam" or "4096qam-hilbert"); levels and guard the quantiser's. seckey_file "" gives an eavesdropper without the key: no offset, no LWE noise, the ciphertext dequantised as it is. Each frame needs its sj_lwe_d tag (with a key; a frame without a valid one is logged and sent as zeros); noise_var (N0 = E|w|^2) is overridden for one frame by an sj_noise_var tag on it. Both tags are consumed here. With spread true each frame's output is 2k floats: the k posterior means, then the k posterior standard deviations (for decoders trained with receiver joint_spread, which take both).
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API lwe_joint_decrypt : virtual public gr::sync_interpolator
{
public:
    typedef std::shared_ptr<lwe_joint_decrypt> sptr;
    static sptr make(const std::string& seckey_file, size_t k, unsigned levels, unsigned guard, float noise_var,
                     const std::string& mapping = "hilbert", unsigned modulus = 4093, bool spread = false);
    virtual unsigned modulus() const = 0;      //!< p (the key's, or the modulus parameter without a key)
    virtual double lwe_noise_std() const = 0;  //!< LWE decryption noise assumed (0 without a key)
    virtual bool spread() const = 0;           //!< whether each frame also carries the k standard deviations
    virtual float noise_var() const = 0;       //!< noise variance used for frames without an sj_noise_var tag
    virtual void set_noise_var(float noise_var) = 0;
    virtual uint64_t frames() const = 0;         //!< frames decoded so far
    virtual uint64_t frames_dropped() const = 0; //!< frames zero-filled for want of a valid sj_lwe_d tag
};

} // namespace securejscc
} // namespace gr
#endif
