#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/image_model.h>

namespace py = pybind11;

void bind_image_model(py::module& m)
{
    using blk = gr::securejscc::image_model;
    py::class_<blk, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "image_model",
        "Image-to-image network on uint8 HWC RGB frames of height x width x 3 (core: sj_nn_model / "
        "sj_nn_plan): same size (DJESCC U-Nets) or an integer upscaling r (SREC super-resolution, "
        "bilinear upsampler), giving frames of (r height) x (r width) x 3.")
        .def(py::init(&blk::make), py::arg("model_file"), py::arg("width"), py::arg("height"),
             py::arg("precision") = "bf16")
        .def("frame_len", &blk::frame_len)
        .def("output_frame_len", &blk::output_frame_len)
        .def("scale", &blk::scale)
        .def("precision", &blk::precision);
}
