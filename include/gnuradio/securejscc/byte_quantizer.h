#ifndef INCLUDED_SECUREJSCC_BYTE_QUANTIZER_H
#define INCLUDED_SECUREJSCC_BYTE_QUANTIZER_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Per-frame affine quantisation of float features to bytes (core: sj_byteq_quantize); the frame offset and scale ride on the tags sj_byteq_offset and sj_byteq_scale (double) on its first item.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API byte_quantizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<byte_quantizer> sptr;
    static sptr make(size_t frame_len);
};

} // namespace securejscc
} // namespace gr
#endif
