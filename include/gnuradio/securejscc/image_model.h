#ifndef INCLUDED_SECUREJSCC_IMAGE_MODEL_H
#define INCLUDED_SECUREJSCC_IMAGE_MODEL_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>

namespace gr {
namespace securejscc {

/*!
 * \brief Image-to-image network on frames of height x width x 3 uint8 RGB bytes (HWC): each frame goes through a model file (core: sj_nn_model / sj_nn_plan, planned once) whose output has the size of its input, e.g. the DJESCC encryption/decryption U-Nets or the SREC enhancement network at scale 1. Output values are clamped to [0, 1] and rounded to bytes.
 * \ingroup securejscc
 * One item in, one item out: tags keep their offsets. Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API image_model : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<image_model> sptr;
    static sptr make(const std::string& model_file, int width, int height);
    virtual size_t frame_len() const = 0; //!< bytes per frame (width * height * 3)
};

} // namespace securejscc
} // namespace gr
#endif
