#ifndef INCLUDED_SECUREJSCC_IMAGE_SINK_H
#define INCLUDED_SECUREJSCC_IMAGE_SINK_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Receives frames of height x width x 3 uint8 bytes and writes each as <folder>/<prefix><frame>.png (frame from the sj_frame tag, else a count; no files when folder is empty). With an sj_source tag on a frame it computes PSNR and SSIM against that PNG (core: sj_psnr, sj_ssim) and publishes a dict {frame, psnr, ssim, path} on the message port "metrics".
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API image_sink : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<image_sink> sptr;
    static sptr make(const std::string& folder, const std::string& prefix, int width, int height);
    virtual double last_psnr() const = 0; //!< PSNR of the last frame with a reference (NaN before)
    virtual double last_ssim() const = 0; //!< SSIM of the last frame with a reference (NaN before or when the image is under 11 pixels a side)
    virtual uint64_t frames() const = 0; //!< frames received so far
};

} // namespace securejscc
} // namespace gr
#endif
