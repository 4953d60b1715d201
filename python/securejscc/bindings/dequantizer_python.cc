#include <pybind11/pybind11.h>
#include <pybind11/stl.h>
#include <gnuradio/securejscc/dequantizer.h>

namespace py = pybind11;

void bind_dequantizer(py::module& m)
{
    using blk = gr::securejscc::dequantizer;
    py::class_<blk, gr::sync_block, gr::block, gr::basic_block, std::shared_ptr<blk>>(
        m, "dequantizer",
        "Soft dequantisation (core: sj_quantizer): posterior mean of the centroid given noisy values in [0, p) (float), Gaussian noise of variance noise_var in Z_p units squared, circular distance mod p, uniform prior over the used centroids (guard: the top guard centroids, never sent, have prior zero; 0 uses all N; must match the quantizer's). An sj_noise_var tag on a frame overrides noise_var for that frame.")
        .def(py::init(&blk::make), py::arg("levels"), py::arg("modulus"), py::arg("noise_var"), py::arg("frame_len"), py::arg("guard") = 0)
        .def("noise_var", &blk::noise_var)
        .def("set_noise_var", &blk::set_noise_var, py::arg("noise_var"));
}
