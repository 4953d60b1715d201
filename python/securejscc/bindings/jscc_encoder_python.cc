#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/jscc_encoder.h>

namespace py = pybind11;

void bind_jscc_encoder(py::module& m)
{
    using blk = gr::securejscc::jscc_encoder;
    py::class_<blk, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "jscc_encoder",
        "DeepJSCC encoder: uint8 HWC RGB frames of height x width x 3 -> the model's latent per frame; "
        "complex symbols (latent[2i], latent[2i+1]) in CHW flat order when the model's output kind is "
        "complex_symbols, else float values (core: sj_nn_model / sj_nn_plan).")
        .def(py::init(&blk::make), py::arg("model_file"), py::arg("width"), py::arg("height"),
             py::arg("precision") = "bf16")
        .def("complex_output", &blk::complex_output)
        .def("input_frame", &blk::input_frame)
        .def("output_frame", &blk::output_frame)
        .def("latent_shape", &blk::latent_shape)
        .def("precision", &blk::precision);
}
