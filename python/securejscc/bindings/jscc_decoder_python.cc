#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/jscc_decoder.h>

namespace py = pybind11;

void bind_jscc_decoder(py::module& m)
{
    using blk = gr::securejscc::jscc_decoder;
    py::class_<blk, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "jscc_decoder",
        "DeepJSCC decoder: latent frames (complex symbols or floats, jscc_encoder's order) -> uint8 HWC "
        "RGB frames of height x width x 3 (core: sj_nn_model / sj_nn_plan).")
        .def(py::init(&blk::make), py::arg("model_file"), py::arg("width"), py::arg("height"),
             py::arg("latent_type") = "complex", py::arg("precision") = "bf16")
        .def("complex_input", &blk::complex_input)
        .def("input_frame", &blk::input_frame)
        .def("output_frame", &blk::output_frame)
        .def("latent_shape", &blk::latent_shape)
        .def("precision", &blk::precision);
}
