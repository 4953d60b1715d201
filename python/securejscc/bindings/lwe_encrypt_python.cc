#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/lwe_encrypt.h>

namespace py = pybind11;

void bind_lwe_encrypt(py::module& m)
{
    using blk = gr::securejscc::lwe_encrypt;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "lwe_encrypt",
        "LWE public-key encryption of frames of k values in Z_p (uint16; core: sj_lwe_encryptor, created once). Each frame gets fresh randomness; its vector d (sj_lwe_d_length values) rides on the u16vector tag sj_lwe_d on the first item. A frame the core refuses (a value >= p) is logged and sent as zeros without a tag.")
        .def(py::init(&blk::make), py::arg("pubkey_file"), py::arg("k"))
        .def("d_length", &blk::d_length)
        .def("modulus", &blk::modulus)
        .def("frames", &blk::frames);
}
