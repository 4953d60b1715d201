#include <pybind11/pybind11.h>
#include <gnuradio/securejscc/keystream_decrypt.h>

namespace py = pybind11;

void bind_keystream_decrypt(py::module& m)
{
    using blk = gr::securejscc::keystream_decrypt;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "keystream_decrypt",
        "Keystream decryption mod q of frames (hard or soft); needs the sj_nonce tag of each frame.")
        .def(py::init(&blk::make), py::arg("key_file"), py::arg("modulus"), py::arg("frame_len"),
             py::arg("soft") = false)
        .def("frames", &blk::frames)
        .def("frames_dropped", &blk::frames_dropped);
}
