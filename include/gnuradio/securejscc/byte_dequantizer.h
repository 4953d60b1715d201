#ifndef INCLUDED_SECUREJSCC_BYTE_DEQUANTIZER_H
#define INCLUDED_SECUREJSCC_BYTE_DEQUANTIZER_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Bytes back to floats, offset + byte * scale, with each frame's sj_byteq_offset and sj_byteq_scale tags (core: sj_byteq_dequantize). A frame without both is logged and sent as zeros.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API byte_dequantizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<byte_dequantizer> sptr;
    static sptr make(size_t frame_len);
    virtual uint64_t frames_dropped() const = 0; //!< frames zero-filled for want of the tags
};

} // namespace securejscc
} // namespace gr
#endif
