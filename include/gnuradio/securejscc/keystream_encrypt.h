#ifndef INCLUDED_SECUREJSCC_KEYSTREAM_ENCRYPT_H
#define INCLUDED_SECUREJSCC_KEYSTREAM_ENCRYPT_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace securejscc {

/*!
 * \brief Additive keystream encryption mod q of frames (core: sj_keystream).
 * \ingroup securejscc
 *
 * Items are uint8 for modulus 256 (srec) and uint16 otherwise (values < modulus, e.g. the
 * mod-p LWE-free variant with modulus 4093). Each frame of frame_len items is encrypted
 * under a fresh nonce, written as the u8vector tag sj_nonce on the frame's first item.
 * A frame the core refuses (a value >= modulus) is logged and sent as zeros without a nonce.
 */
class SECUREJSCC_API keystream_encrypt : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<keystream_encrypt> sptr;
    static sptr make(const std::string& key_file, unsigned modulus, size_t frame_len);
    virtual uint64_t frames() const = 0; //!< frames encrypted so far
};

} // namespace securejscc
} // namespace gr
#endif
