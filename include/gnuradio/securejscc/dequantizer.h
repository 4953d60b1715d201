#ifndef INCLUDED_SECUREJSCC_DEQUANTIZER_H
#define INCLUDED_SECUREJSCC_DEQUANTIZER_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Soft dequantisation (core: sj_quantizer): posterior mean of the centroid given noisy values in [0, p) (float), Gaussian noise of variance noise_var in Z_p units squared, circular distance mod p, uniform prior over the used centroids (guard: the top guard centroids, never sent, have prior zero; 0 uses all N; must match the quantizer's). An sj_noise_var tag on a frame overrides noise_var for that frame.
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API dequantizer : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<dequantizer> sptr;
    static sptr make(unsigned levels, unsigned modulus, float noise_var, size_t frame_len, int guard = 0);
    virtual float noise_var() const = 0; //!< noise variance for frames without an sj_noise_var tag
    virtual void set_noise_var(float noise_var) = 0;
};

} // namespace securejscc
} // namespace gr
#endif
