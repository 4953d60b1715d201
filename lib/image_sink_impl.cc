/* image_sink: frames of HWC RGB bytes -> PNG files, and PSNR / SSIM against the frame's
 * source image (sj_source tag) published on the "metrics" message port. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/image_sink.h>
#include <securejscc/image.h>
#include <securejscc/metrics.h>
#include <cstring>
#include <limits>
#include <mutex>
#include <sys/stat.h>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "image_sink";
using image_ptr = util::core_ptr<sj_image, sj_image_destroy>;
}

class image_sink_impl : public image_sink
{
    std::string d_folder;
    std::string d_prefix;
    image_ptr d_frame_img; // the frame being written (its data buffer is reused)
    image_ptr d_ref;       // the last reference image read, cached for repeated sources
    std::string d_ref_path;
    size_t d_frame;
    uint64_t d_count = 0;
    mutable std::mutex d_mutex;
    double d_psnr = std::numeric_limits<double>::quiet_NaN();
    double d_ssim = std::numeric_limits<double>::quiet_NaN();
    const pmt::pmt_t d_port = pmt::mp("metrics");

public:
    image_sink_impl(const std::string& folder, const std::string& prefix, int width, int height)
        : gr::sync_block("image_sink",
                         gr::io_signature::make(1, 1, sizeof(uint8_t)),
                         gr::io_signature::make(0, 0, 0)),
          d_folder(folder),
          d_prefix(prefix)
    {
        if (width <= 0 || width > SJ_IMAGE_MAX_SIDE)
            util::fail_arg(BLOCK, "width", "must be in 1.." + std::to_string(SJ_IMAGE_MAX_SIDE));
        if (height <= 0 || height > SJ_IMAGE_MAX_SIDE)
            util::fail_arg(BLOCK, "height", "must be in 1.." + std::to_string(SJ_IMAGE_MAX_SIDE));
        struct stat sb;
        if (!folder.empty() && (stat(folder.c_str(), &sb) != 0 || !S_ISDIR(sb.st_mode)))
            util::fail_arg(BLOCK, "folder", folder + " is not an existing folder");
        sj_image* img = nullptr;
        util::check(BLOCK, "width", sj_image_create(width, height, &img));
        d_frame_img.reset(img);
        d_frame = sj_image_size(img);
        message_port_register_out(d_port);
        set_output_multiple(static_cast<int>(d_frame));
    }

    double last_psnr() const override
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        return d_psnr;
    }
    double last_ssim() const override
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        return d_ssim;
    }
    uint64_t frames() const override
    {
        std::lock_guard<std::mutex> lock(d_mutex);
        return d_count;
    }

    int work(int noutput_items, gr_vector_const_void_star& input_items, gr_vector_void_star&) override
    {
        const size_t nframes = static_cast<size_t>(noutput_items) / d_frame;
        for (size_t f = 0; f < nframes; f++) {
            const uint8_t* in = static_cast<const uint8_t*>(input_items[0]) + f * d_frame;
            const uint64_t start = nitems_read(0) + f * d_frame;
            std::vector<gr::tag_t> tags;
            get_tags_in_range(tags, 0, start, start + d_frame);
            gr::tag_t t;
            uint64_t frame = d_count;
            if (util::find_tag(tags, util::key_frame(), t) && pmt::is_integer(t.value))
                frame = pmt::to_uint64(t.value);
            else if (util::find_tag(tags, util::key_frame(), t) && pmt::is_uint64(t.value))
                frame = pmt::to_uint64(t.value);
            std::memcpy(d_frame_img->data, in, d_frame);
            std::string path;
            if (!d_folder.empty()) {
                path = d_folder + "/" + d_prefix + std::to_string(frame) + ".png";
                const sj_status st = sj_image_write_png(path.c_str(), d_frame_img.get());
                if (st != SJ_OK)
                    d_logger->error("frame {}: {}", frame, util::core_detail(st));
            }
            if (util::find_tag(tags, util::key_source(), t) && pmt::is_symbol(t.value))
                publish_metrics(frame, pmt::symbol_to_string(t.value), path);
            std::lock_guard<std::mutex> lock(d_mutex);
            d_count++;
        }
        return static_cast<int>(nframes * d_frame);
    }

private:
    void publish_metrics(uint64_t frame, const std::string& src, const std::string& path)
    {
        if (src != d_ref_path) {
            sj_image* ref = nullptr;
            const sj_status st = sj_image_read_png(src.c_str(), &ref);
            if (st != SJ_OK) {
                d_logger->error("frame {}: reference: {}", frame, util::core_detail(st));
                return;
            }
            d_ref.reset(ref);
            d_ref_path = src;
        }
        const sj_image* a = d_ref.get();
        const sj_image* b = d_frame_img.get();
        if (a->width != b->width || a->height != b->height) {
            d_logger->error("frame {}: reference {} is {}x{}, the frame {}x{}", frame, src, a->width, a->height,
                            b->width, b->height);
            return;
        }
        double psnr = std::numeric_limits<double>::quiet_NaN();
        double ssim = std::numeric_limits<double>::quiet_NaN();
        sj_status st = sj_psnr(a->data, b->data, a->width, a->height, 3, &psnr);
        if (st != SJ_OK)
            d_logger->error("frame {}: PSNR: {}", frame, util::core_detail(st));
        // SSIM needs 11 pixels a side; smaller images report NaN, which is not an error.
        if (a->width >= 11 && a->height >= 11) {
            st = sj_ssim(a->data, b->data, a->width, a->height, 3, &ssim);
            if (st != SJ_OK)
                d_logger->error("frame {}: SSIM: {}", frame, util::core_detail(st));
        }
        {
            std::lock_guard<std::mutex> lock(d_mutex);
            d_psnr = psnr;
            d_ssim = ssim;
        }
        pmt::pmt_t d = pmt::make_dict();
        d = pmt::dict_add(d, pmt::mp("frame"), pmt::from_uint64(frame));
        d = pmt::dict_add(d, pmt::mp("psnr"), pmt::from_double(psnr));
        d = pmt::dict_add(d, pmt::mp("ssim"), pmt::from_double(ssim));
        d = pmt::dict_add(d, pmt::mp("path"), pmt::mp(path)); // the PNG written ("" when none)
        d = pmt::dict_add(d, pmt::mp("source"), pmt::mp(src));
        message_port_pub(d_port, d);
    }
};

image_sink::sptr image_sink::make(const std::string& folder, const std::string& prefix, int width, int height)
{
    return gnuradio::make_block_sptr<image_sink_impl>(folder, prefix, width, height);
}

} // namespace securejscc
} // namespace gr
