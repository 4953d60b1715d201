#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/byte_quantizer.h>

namespace py = pybind11;

void bind_byte_quantizer(py::module& m)
{
    using blk = gr::securejscc::byte_quantizer;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "byte_quantizer",
        "Per-frame affine quantisation of float features to bytes (core: sj_byteq_quantize); the frame offset and scale ride on the tags sj_byteq_offset and sj_byteq_scale (double) on its first item.")
        .def(py::init(&blk::make), py::arg("frame_len"))
;
}
