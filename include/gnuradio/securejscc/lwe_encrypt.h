#ifndef INCLUDED_SECUREJSCC_LWE_ENCRYPT_H
#define INCLUDED_SECUREJSCC_LWE_ENCRYPT_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief LWE public-key encryption of frames of k values in Z_p (uint16; core: sj_lwe_encryptor, created once). Each frame gets fresh randomness; its vector d (sj_lwe_d_length values) rides on the u16vector tag sj_lwe_d on the first item. A frame the core refuses (a value >= p) is logged and sent as zeros without a tag.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API lwe_encrypt : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<lwe_encrypt> sptr;
    static sptr make(const std::string& pubkey_file, size_t k);
    virtual size_t d_length() const = 0; //!< values of d per frame: ceil(k / l) * n2
    virtual unsigned modulus() const = 0; //!< p of the key
    virtual uint64_t frames() const = 0; //!< frames encrypted so far
};

} // namespace securejscc
} // namespace gr
#endif
