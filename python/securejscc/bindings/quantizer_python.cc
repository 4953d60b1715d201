#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/quantizer.h>

namespace py = pybind11;

void bind_quantizer(py::module& m)
{
    using blk = gr::securejscc::quantizer;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "quantizer",
        "Hard N-level quantisation of real latents in Z_p units to the nearest centroid floor(i p / N), as uint16 values (core: sj_quantizer). A frame with a NaN is logged and sent as zeros.")
        .def(py::init(&blk::make), py::arg("levels"), py::arg("modulus"), py::arg("frame_len"))
;
}
