#ifndef INCLUDED_SECUREJSCC_IMAGE_MODEL_H
#define INCLUDED_SECUREJSCC_IMAGE_MODEL_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/block.h>
#include <string>

namespace gr {
namespace securejscc {

/*!
 * \brief Image-to-image network on frames of height x width x 3 uint8 RGB bytes (HWC): each frame goes through a model file (core: sj_nn_model / sj_nn_plan, planned once) whose output has its input's size (the DJESCC encryption/decryption U-Nets) or an integer multiple r of it on both axes (the SREC super-resolution network, or the bilinear upsampler that replaces it): output frames of (r height) x (r width) x 3. Output values are clamped to [0, 1] and rounded to bytes.
 * \ingroup securejscc
 * One input frame, one output frame: tags keep their place in the frame (offsets scaled by r^2). Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API image_model : virtual public gr::block
{
public:
    typedef std::shared_ptr<image_model> sptr;
    //! width, height: of the input images. precision: "bf16" (default) multiplies the Winograd 3x3 convolutions in bfloat16 where the CPU has AVX-512 BF16 (about 1.25x as fast, no measurable PSNR change; docs/model-format.md#precision), else float32; "fp32" is float32 throughout.
    static sptr make(const std::string& model_file, int width, int height,
                     const std::string& precision = "bf16");
    virtual size_t frame_len() const = 0;        //!< bytes per input frame (width * height * 3)
    virtual size_t output_frame_len() const = 0; //!< bytes per output frame (frame_len() * scale()^2)
    virtual int scale() const = 0;               //!< the network's upscaling factor r (1: same size)
    virtual std::string precision() const = 0;   //!< what the plan runs in: "bf16" or "fp32"
};

} // namespace securejscc
} // namespace gr
#endif
