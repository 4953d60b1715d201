#include <pybind11/pybind11.h>
#include <gnuradio/securejscc/keystream_encrypt.h>

namespace py = pybind11;

void bind_keystream_encrypt(py::module& m)
{
    using blk = gr::securejscc::keystream_encrypt;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "keystream_encrypt",
        "Keystream encryption mod q of frames; nonce per frame on the sj_nonce tag.")
        .def(py::init(&blk::make), py::arg("key_file"), py::arg("modulus"), py::arg("frame_len"))
        .def("frames", &blk::frames);
}
