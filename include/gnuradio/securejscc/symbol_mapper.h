#ifndef INCLUDED_SECUREJSCC_SYMBOL_MAPPER_H
#define INCLUDED_SECUREJSCC_SYMBOL_MAPPER_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Maps frames of bytes (bpsk, qpsk, 16qam; MSB first) or uint16 indices < 4093 (4096qam) to complex symbols (core: sj_modem). frame_len counts input items; tags move with the rate.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API symbol_mapper : virtual public gr::block
{
public:
    typedef std::shared_ptr<symbol_mapper> sptr;
    static sptr make(const std::string& modulation, size_t frame_len);
    virtual unsigned bits_per_symbol() const = 0; //!< bits per symbol: 1, 2, 4 or 12
};

} // namespace securejscc
} // namespace gr
#endif
