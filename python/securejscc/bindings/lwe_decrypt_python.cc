#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/lwe_decrypt.h>

namespace py = pybind11;

void bind_lwe_decrypt(py::module& m)
{
    using blk = gr::securejscc::lwe_decrypt;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "lwe_decrypt",
        "Soft LWE decryption of frames of k real-valued ciphertexts (float, e.g. 4096-QAM posterior means) with the secret key (core: sj_lwe_decryptor): out = S^T d + c mod p in [0, p). Each frame needs its sj_lwe_d tag (u16vector of d_length values); a frame without a valid one is logged and sent as zeros, keeping the frame alignment.")
        .def(py::init(&blk::make), py::arg("seckey_file"), py::arg("k"))
        .def("d_length", &blk::d_length)
        .def("modulus", &blk::modulus)
        .def("frames", &blk::frames)
        .def("frames_dropped", &blk::frames_dropped);
}
