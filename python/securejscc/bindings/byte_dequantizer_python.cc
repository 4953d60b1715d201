#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/byte_dequantizer.h>

namespace py = pybind11;

void bind_byte_dequantizer(py::module& m)
{
    using blk = gr::securejscc::byte_dequantizer;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "byte_dequantizer",
        "Bytes back to floats, offset + byte * scale, with each frame's sj_byteq_offset and sj_byteq_scale tags (core: sj_byteq_dequantize). A frame without both is logged and sent as zeros.")
        .def(py::init(&blk::make), py::arg("frame_len"))
        .def("frames_dropped", &blk::frames_dropped);
}
