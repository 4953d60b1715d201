#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/image_sink.h>

namespace py = pybind11;

void bind_image_sink(py::module& m)
{
    using blk = gr::securejscc::image_sink;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "image_sink",
        "Receives frames of height x width x 3 uint8 bytes and writes each as <folder>/<prefix><frame>.png (frame from the sj_frame tag, else a count; no files when folder is empty). With an sj_source tag on a frame it computes PSNR and SSIM against that PNG (core: sj_psnr, sj_ssim) and publishes a dict {frame, psnr, ssim, path} on the message port \"metrics\".")
        .def(py::init(&blk::make), py::arg("folder"), py::arg("prefix"), py::arg("width"), py::arg("height"))
        .def("last_psnr", &blk::last_psnr)
        .def("last_ssim", &blk::last_ssim)
        .def("frames", &blk::frames);
}
