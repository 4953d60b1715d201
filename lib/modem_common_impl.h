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

/* Parsed before the base class is built (the item sizes depend on it), so it throws with
 * the block's name itself. */
inline sj_modulation parse_modulation(const char* block, const std::string& name)
{
    sj_modulation m;
    const sj_status st = sj_modulation_from_name(name.c_str(), &m);
    if (st != SJ_OK)
        fail_core(block, "modulation", st);
    return m;
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
