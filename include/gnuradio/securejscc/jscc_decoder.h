#ifndef INCLUDED_SECUREJSCC_JSCC_DECODER_H
#define INCLUDED_SECUREJSCC_JSCC_DECODER_H

#include <gnuradio/block.h>
#include <gnuradio/securejscc/api.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief DeepJSCC decoder: latent frames (gr_complex symbols when latent_type is "complex", else float values; the CHW flat order jscc_encoder gives) -> frames of height x width x 3 uint8 RGB bytes (HWC, for image_sink), through a model file (core: sj_nn_model / sj_nn_plan, planned once). The latent size follows from width, height and the model's upscaling; a decoder output larger than width x height (an encoder that padded the image) is cropped to its top-left corner.
 * \ingroup securejscc
 * Every tag of an input frame moves to the first item of its output frame, except sj_noise_var (in latent units, meaningless on pixels). Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API jscc_decoder : virtual public gr::block
{
public:
    typedef std::shared_ptr<jscc_decoder> sptr;
    //! precision: "bf16" (default) multiplies the Winograd 3x3 convolutions in bfloat16 where the CPU has AVX-512 BF16 (about 1.25x as fast, no measurable PSNR change; docs/model-format.md#precision), else float32; "fp32" is float32 throughout.
    static sptr make(const std::string& model_file, int width, int height,
                     const std::string& latent_type = "complex", const std::string& precision = "bf16");
    virtual bool complex_input() const = 0;           //!< true: gr_complex items; false: float items
    virtual size_t input_frame() const = 0;           //!< items per input frame (symbols or floats)
    virtual size_t output_frame() const = 0;          //!< bytes per output frame (width * height * 3)
    virtual std::vector<size_t> latent_shape() const = 0; //!< {C, H', W'} the decoder reads
    virtual std::string precision() const = 0; //!< what the plan runs in: "bf16" or "fp32"
};

} // namespace securejscc
} // namespace gr
#endif
