#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/symbol_mapper.h>

namespace py = pybind11;

void bind_symbol_mapper(py::module& m)
{
    using blk = gr::securejscc::symbol_mapper;
    py::class_<blk, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "symbol_mapper",
        "Maps frames of bytes (bpsk, qpsk, 16qam; MSB first) or uint16 indices < 4093 (4096qam) to complex symbols (core: sj_modem). frame_len counts input items; tags move with the rate.")
        .def(py::init(&blk::make), py::arg("modulation"), py::arg("frame_len"))
        .def("bits_per_symbol", &blk::bits_per_symbol);
}
