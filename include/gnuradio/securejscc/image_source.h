#ifndef INCLUDED_SECUREJSCC_IMAGE_SOURCE_H
#define INCLUDED_SECUREJSCC_IMAGE_SOURCE_H

#include <gnuradio/securejscc/api.h>
#include <gnuradio/sync_block.h>
#include <string>
#include <vector>

namespace gr {
namespace securejscc {

/*!
 * \brief Reads PNG images (core: sj_image_read_png; one file, every *.png of a folder in name order, or a glob pattern) and sends each as one frame of height x width x 3 uint8 bytes (RGB, row-major HWC), once or repeated. Every image must have the size of the first. Tags on the first byte of each frame: sj_frame (uint64), sj_width, sj_height (long), sj_source (the path).
 * \ingroup securejscc
 * Constructor errors name the block and the parameter (docs/stream-tags.md lists the tags).
 */
class SECUREJSCC_API image_source : virtual public gr::sync_block
{
public:
    typedef std::shared_ptr<image_source> sptr;
    static sptr make(const std::string& path, bool repeat = false);
    virtual int width() const = 0; //!< image width
    virtual int height() const = 0; //!< image height
    virtual std::vector<std::string> files() const = 0; //!< the files, in sending order
    virtual uint64_t frames() const = 0; //!< frames sent so far
};

} // namespace securejscc
} // namespace gr
#endif
