#ifndef INCLUDED_SECUREJSCC_SOFT_DEMOD_H
#define INCLUDED_SECUREJSCC_SOFT_DEMOD_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Soft demodulation of frames of frame_len symbols (core: sj_softdemod): bit LLRs (float, positive = bit 0) for bpsk/qpsk/16qam, the posterior mean of the index in [0, 4092] for 4096qam; with hard = true nearest-point decisions packed into bytes (bpsk/qpsk/16qam) or uint16 indices (4096qam). noise_var (N0 = E|w|^2) is overridden for one frame by an sj_noise_var tag on it, which this block consumes.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API soft_demod : virtual public gr::block
{
public:
    typedef std::shared_ptr<soft_demod> sptr;
    static sptr make(const std::string& modulation, size_t frame_len, float noise_var, bool hard = false);
    virtual float noise_var() const = 0; //!< noise variance used for frames without an sj_noise_var tag
    virtual void set_noise_var(float noise_var) = 0;
};

} // namespace securejscc
} // namespace gr
#endif
