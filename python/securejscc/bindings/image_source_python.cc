#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/image_source.h>

namespace py = pybind11;

void bind_image_source(py::module& m)
{
    using blk = gr::securejscc::image_source;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "image_source",
        "Reads PNG images (core: sj_image_read_png; one file, every *.png of a folder in name order, or a glob pattern) and sends each as one frame of height x width x 3 uint8 bytes (RGB, row-major HWC), once or repeated. Every image must have the size of the first. Tags on the first byte of each frame: sj_frame (uint64), sj_width, sj_height (long), sj_source (the path).")
        .def(py::init(&blk::make), py::arg("path"), py::arg("repeat") = false)
        .def("width", &blk::width)
        .def("height", &blk::height)
        .def("files", &blk::files)
        .def("frames", &blk::frames);
}
