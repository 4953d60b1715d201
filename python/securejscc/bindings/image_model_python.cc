#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/image_model.h>

namespace py = pybind11;

void bind_image_model(py::module& m)
{
    using blk = gr::securejscc::image_model;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "image_model",
        "Same-size image-to-image network (DJESCC U-Nets, SREC at scale 1) on uint8 HWC RGB frames of "
        "height x width x 3 (core: sj_nn_model / sj_nn_plan).")
        .def(py::init(&blk::make), py::arg("model_file"), py::arg("width"), py::arg("height"))
        .def("frame_len", &blk::frame_len);
}
