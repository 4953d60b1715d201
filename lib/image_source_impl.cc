/* image_source: PNG files -> frames of HWC RGB bytes, with frame number, size and path on
 * tags. Every image is decoded at construction so a bad or differently sized file fails
 * there, naming the file, instead of in the middle of a run. */
#include "util_impl.h"
#include <gnuradio/io_signature.h>
#include <gnuradio/securejscc/image_source.h>
#include <securejscc/image.h>
#include <algorithm>
#include <cstring>
#include <dirent.h>
#include <glob.h>
#include <sys/stat.h>

namespace gr {
namespace securejscc {

namespace {
const char* const BLOCK = "image_source";
using image_ptr = util::core_ptr<sj_image, sj_image_destroy>;

bool has_png_suffix(const std::string& name)
{
    if (name.size() < 4)
        return false;
    std::string ext = name.substr(name.size() - 4);
    std::transform(ext.begin(), ext.end(), ext.begin(), ::tolower);
    return ext == ".png";
}

/* A folder: its *.png files in name order; a pattern with glob characters: its matches in
 * glob's (sorted) order; anything else: the one file. */
std::vector<std::string> list_files(const std::string& path)
{
    std::vector<std::string> files;
    struct stat sb;
    if (path.empty())
        util::fail_arg(BLOCK, "path", "is empty");
    if (stat(path.c_str(), &sb) == 0 && S_ISDIR(sb.st_mode)) {
        DIR* dir = opendir(path.c_str());
        if (!dir)
            util::fail_arg(BLOCK, "path", "cannot open folder " + path);
        while (struct dirent* e = readdir(dir)) {
            if (has_png_suffix(e->d_name))
                files.push_back(path + "/" + e->d_name);
        }
        closedir(dir);
        std::sort(files.begin(), files.end());
        if (files.empty())
            util::fail_arg(BLOCK, "path", "folder " + path + " holds no .png file");
    } else if (path.find_first_of("*?[") != std::string::npos) {
        glob_t g;
        if (glob(path.c_str(), 0, nullptr, &g) == 0) {
            for (size_t i = 0; i < g.gl_pathc; i++)
                files.push_back(g.gl_pathv[i]);
        }
        globfree(&g);
        if (files.empty())
            util::fail_arg(BLOCK, "path", "no file matches " + path);
    } else {
        files.push_back(path);
    }
    return files;
}
} // namespace

class image_source_impl : public image_source
{
    std::vector<std::string> d_files;
    std::vector<image_ptr> d_images;
    bool d_repeat;
    int d_width = 0;
    int d_height = 0;
    size_t d_frame = 0;
    size_t d_next = 0; // index of the next image
    uint64_t d_frames = 0;

public:
    image_source_impl(const std::string& path, bool repeat)
        : gr::sync_block("image_source",
                         gr::io_signature::make(0, 0, 0),
                         gr::io_signature::make(1, 1, sizeof(uint8_t))),
          d_files(list_files(path)),
          d_repeat(repeat)
    {
        for (const auto& f : d_files) {
            sj_image* img = nullptr;
            util::check(BLOCK, "path", sj_image_read_png(f.c_str(), &img));
            d_images.emplace_back(img);
            if (d_images.size() == 1) {
                d_width = img->width;
                d_height = img->height;
            } else if (img->width != d_width || img->height != d_height) {
                util::fail_arg(BLOCK, "path",
                               f + " is " + std::to_string(img->width) + "x" + std::to_string(img->height) +
                                   " but " + d_files[0] + " is " + std::to_string(d_width) + "x" +
                                   std::to_string(d_height) + "; every image of a stream must have one size");
            }
        }
        d_frame = sj_image_size(d_images[0].get());
        set_output_multiple(static_cast<int>(d_frame));
    }

    int width() const override { return d_width; }
    int height() const override { return d_height; }
    std::vector<std::string> files() const override { return d_files; }
    uint64_t frames() const override { return d_frames; }

    int work(int noutput_items, gr_vector_const_void_star&, gr_vector_void_star& output_items) override
    {
        if (d_next >= d_images.size() && !d_repeat)
            return WORK_DONE;
        size_t produced = 0;
        while (produced + d_frame <= static_cast<size_t>(noutput_items)) {
            if (d_next >= d_images.size()) {
                if (!d_repeat)
                    break;
                d_next = 0;
            }
            const uint64_t start = nitems_written(0) + produced;
            std::memcpy(static_cast<uint8_t*>(output_items[0]) + produced, d_images[d_next]->data, d_frame);
            add_item_tag(0, start, util::key_frame(), pmt::from_uint64(d_frames));
            add_item_tag(0, start, util::key_width(), pmt::from_long(d_width));
            add_item_tag(0, start, util::key_height(), pmt::from_long(d_height));
            add_item_tag(0, start, util::key_source(), pmt::string_to_symbol(d_files[d_next]));
            produced += d_frame;
            d_next++;
            d_frames++;
        }
        return static_cast<int>(produced);
    }
};

image_source::sptr image_source::make(const std::string& path, bool repeat)
{
    return gnuradio::make_block_sptr<image_source_impl>(path, repeat);
}

} // namespace securejscc
} // namespace gr
