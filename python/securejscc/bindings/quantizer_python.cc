#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/quantizer.h>

namespace py = pybind11;

void bind_quantizer(py::module& m)
{
    using blk = gr::securejscc::quantizer;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "quantizer",
        "Hard N-level quantisation of real latents in Z_p units to the nearest used centroid floor(i p / N), as uint16 values (core: sj_quantizer). guard: the top guard centroids are never used (values above q_{N-1-guard} go to it), so the ends of the used range are not neighbours across the wrap mod p; 0 uses all N. It must match the dequantizer's guard and the model's guard_levels. A frame with a NaN is logged and sent as zeros.")
        .def(py::init(&blk::make), py::arg("levels"), py::arg("modulus"), py::arg("frame_len"), py::arg("guard") = 0)
;
}
