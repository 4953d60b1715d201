#ifndef INCLUDED_SECUREJSCC_JSCC_ENCODER_H
#define INCLUDED_SECUREJSCC_JSCC_ENCODER_H

#include <gnuradio/block.h>
#include <gnuradio/securejscc/api.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief DeepJSCC encoder: frames of height x width x 3 uint8 RGB bytes (HWC, as image_source emits) -> one latent per frame through a model file (core: sj_nn_model / sj_nn_plan, planned once for this size). A model whose output kind is complex_symbols gives gr_complex items, symbol i = (latent[2i], latent[2i+1]) in the CHW flat order of the C x H' x W' latent (unit average power per frame); any other kind gives the latent as float items in CHW flat order.
 * \ingroup securejscc
 * Every tag of an input frame moves to the first item of its output frame. Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API jscc_encoder : virtual public gr::block
{
public:
    typedef std::shared_ptr<jscc_encoder> sptr;
    //! precision: "bf16" (default) multiplies the Winograd 3x3 convolutions in bfloat16 where the CPU has AVX-512 BF16 (about 1.25x as fast, no measurable PSNR change; docs/model-format.md#precision), else float32; "fp32" is float32 throughout.
    static sptr make(const std::string& model_file, int width, int height,
                     const std::string& precision = "bf16");
    virtual bool complex_output() const = 0;          //!< true: gr_complex items; false: float items
    virtual size_t input_frame() const = 0;           //!< bytes per input frame (width * height * 3)
    virtual size_t output_frame() const = 0;          //!< items per output frame (symbols or floats)
    virtual std::vector<size_t> latent_shape() const = 0; //!< {C, H', W'} of the latent
    virtual std::string precision() const = 0; //!< what the plan runs in: "bf16" or "fp32"
};

} // namespace securejscc
} // namespace gr
#endif
