#ifndef INCLUDED_SECUREJSCC_QUANTIZER_H
#define INCLUDED_SECUREJSCC_QUANTIZER_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Hard N-level quantisation of real latents in Z_p units to the nearest used centroid floor(i p / N), as uint16 values (core: sj_quantizer). guard: the top guard centroids are never used (values above q_{N-1-guard} go to it), so the ends of the used range are not neighbours across the wrap mod p; 0 uses all N. It must match the dequantizer's guard and the model's guard_levels. A frame with a NaN is logged and sent as zeros.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API quantizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<quantizer> sptr;
    static sptr make(unsigned levels, unsigned modulus, size_t frame_len, int guard = 0);
};

} // namespace securejscc
} // namespace gr
#endif
