#ifndef INCLUDED_SECUREJSCC_LWE_DECRYPT_H
#define INCLUDED_SECUREJSCC_LWE_DECRYPT_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Soft LWE decryption of frames of k real-valued ciphertexts (float, e.g. 4096-QAM posterior means) with the secret key (core: sj_lwe_decryptor): out = S^T d + c mod p in [0, p). Each frame needs its sj_lwe_d tag (u16vector of d_length values); a frame without a valid one is logged and sent as zeros, keeping the frame alignment.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API lwe_decrypt : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<lwe_decrypt> sptr;
    static sptr make(const std::string& seckey_file, size_t k);
    virtual size_t d_length() const = 0; //!< values of d per frame
    virtual unsigned modulus() const = 0; //!< p of the key
    virtual uint64_t frames() const = 0; //!< frames decrypted so far
    virtual uint64_t frames_dropped() const = 0; //!< frames zero-filled for want of a valid sj_lwe_d tag
};

} // namespace securejscc
} // namespace gr
#endif
