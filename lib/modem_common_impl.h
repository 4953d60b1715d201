/* Modulation names -> core modem, shared by symbol_mapper and soft_demod. */
#ifndef INCLUDED_SECUREJSCC_MODEM_COMMON_IMPL_H
#define INCLUDED_SECUREJSCC_MODEM_COMMON_IMPL_H

#include "util_impl.h"
#include <securejscc/modem.h>
#include <string>

namespace gr {
namespace securejscc {
namespace util {

using modem_ptr = core_ptr<sj_modem, sj_modem_destroy>;

/* A block's modulation name is a core modulation name, or "4096qam-<mapping>" for 4096-QAM
 * with another bijection between Z_p and the grid ("4096qam-hilbert"; "4096qam" is
 * "4096qam-row"). */
struct modulation_spec {
    sj_modulation mod;
    sj_qam4096_mapping mapping;
};

/* Parsed before the base class is built (the item sizes depend on it), so it throws with
 * the block's name itself. */
inline modulation_spec parse_modulation_spec(const char* block, const std::string& name)
{
    modulation_spec spec{ SJ_MOD_4096QAM, SJ_QAM4096_ROW };
    const size_t dash = name.find('-');
    const std::string base = name.substr(0, dash);
    sj_status st = sj_modulation_from_name(base.c_str(), &spec.mod);
    if (st == SJ_OK && dash != std::string::npos) {
        if (spec.mod != SJ_MOD_4096QAM)
            fail_arg(block, "modulation", "only 4096qam takes a mapping suffix, got '" + name + "'");
        st = sj_qam4096_mapping_from_name(name.substr(dash + 1).c_str(), &spec.mapping);
    }
    if (st != SJ_OK)
        fail_core(block, "modulation", st);
    return spec;
}

inline sj_modulation parse_modulation(const char* block, const std::string& name)
{
    return parse_modulation_spec(block, name).mod;
}

inline sj_status create_modem(const modulation_spec& spec, sj_modem** out)
{
    return spec.mod == SJ_MOD_4096QAM ? sj_modem_create_qam4096(spec.mapping, out) : sj_modem_create(spec.mod, out);
}

inline unsigned bits_per_symbol(sj_modulation m)
{
    switch (m) {
    case SJ_MOD_BPSK: return 1;
    case SJ_MOD_QPSK: return 2;
    case SJ_MOD_16QAM: return 4;
    default: return 12;
    }
}

} // namespace util
} // namespace securejscc
} // namespace gr
#endif
