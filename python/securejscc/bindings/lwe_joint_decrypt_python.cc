#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/lwe_joint_decrypt.h>

namespace py = pybind11;

void bind_lwe_joint_decrypt(py::module& m)
{
    using blk = gr::securejscc::lwe_joint_decrypt;
    py::class_<blk, gr::sync_interpolator, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "lwe_joint_decrypt",
        "Joint demodulation, LWE decryption and dequantisation of frames of k 4096-QAM symbols (core: sj_zp_posterior): out = Bob's posterior mean of the quantiser centroid given the symbol and his offset S^T d (float, Z_p units), with the LWE decryption noise of the key's preset. mapping (\"row\" or \"hilbert\") must be the transmitter's (symbol_mapper \"4096qam\" or \"4096qam-hilbert\"); levels and guard the quantiser's. seckey_file \"\" gives an eavesdropper without the key: no offset, no LWE noise, the ciphertext dequantised as it is. Each frame needs its sj_lwe_d tag (with a key; a frame without a valid one is logged and sent as zeros); noise_var (N0 = E|w|^2) is overridden for one frame by an sj_noise_var tag on it. Both tags are consumed here. With spread true each frame's output is 2k floats: the k posterior means, then the k posterior standard deviations (for decoders trained with receiver joint_spread, which take both).")
        .def(py::init(&blk::make), py::arg("seckey_file"), py::arg("k"), py::arg("levels"), py::arg("guard"),
             py::arg("noise_var"), py::arg("mapping") = "hilbert", py::arg("modulus") = 4093,
             py::arg("spread") = false)
        .def("modulus", &blk::modulus)
        .def("lwe_noise_std", &blk::lwe_noise_std)
        .def("spread", &blk::spread)
        .def("noise_var", &blk::noise_var)
        .def("set_noise_var", &blk::set_noise_var, py::arg("noise_var"))
        .def("frames", &blk::frames)
        .def("frames_dropped", &blk::frames_dropped);
}
