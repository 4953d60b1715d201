/* The securejscc_python extension module: registers every block's binding. */
#include <pybind11/pybind11.h>

namespace py = pybind11;

#define SJ_BLOCK(name) void bind_##name(py::module& m);
#include "blocks.def"
#undef SJ_BLOCK

PYBIND11_MODULE(securejscc_python, m)
{
    // The base classes (gr::sync_block, gr::block, gr::basic_block) are registered by
    // gnuradio.gr; importing it first lets our classes derive from them.
    py::module::import("gnuradio.gr");
#define SJ_BLOCK(name) bind_##name(m);
#include "blocks.def"
#undef SJ_BLOCK
}
