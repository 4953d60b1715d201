#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/soft_demod.h>

namespace py = pybind11;

void bind_soft_demod(py::module& m)
{
    using blk = gr::securejscc::soft_demod;
    py::class_<blk, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "soft_demod",
        "Soft demodulation of frames of frame_len symbols (core: sj_softdemod): bit LLRs (float, positive = bit 0) for bpsk/qpsk/16qam, the posterior mean of the index in [0, 4092] for 4096qam; with hard = true nearest-point decisions packed into bytes (bpsk/qpsk/16qam) or uint16 indices (4096qam). noise_var (N0 = E|w|^2) is overridden for one frame by an sj_noise_var tag on it, which this block consumes.")
        .def(py::init(&blk::make), py::arg("modulation"), py::arg("frame_len"), py::arg("noise_var"), py::arg("hard") = false)
        .def("noise_var", &blk::noise_var)
        .def("set_noise_var", &blk::set_noise_var, py::arg("noise_var"));
}
