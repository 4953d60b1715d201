#ifndef INCLUDED_SECUREJSCC_KEYSTREAM_DECRYPT_H
#define INCLUDED_SECUREJSCC_KEYSTREAM_DECRYPT_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace securejscc {

/*!
 * \brief Keystream decryption mod q of frames (core: sj_keystream).
 * \ingroup securejscc
 *
 * Hard mode (soft = false): uint8 items for modulus 256, uint16 otherwise. Soft mode: float
 * items (noisy real values, e.g. 4096-QAM posterior means), output (y - k) mod q in [0, q).
 * Every frame needs its sj_nonce tag (u8vector of 24 bytes); a frame without a valid one
 * is logged and sent as zeros, so the stream keeps its frame alignment.
 */
class SECUREJSCC_API keystream_decrypt : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<keystream_decrypt> sptr;
    static sptr make(const std::string& key_file, unsigned modulus, size_t frame_len, bool soft = false);
    virtual uint64_t frames() const = 0;         //!< frames decrypted so far
    virtual uint64_t frames_dropped() const = 0; //!< frames zero-filled (no or bad nonce)
};

} // namespace securejscc
} // namespace gr
#endif
