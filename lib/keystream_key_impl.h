/* Opening a keystream cipher from a key file, shared by keystream_encrypt and _decrypt. */
#ifndef INCLUDED_SECUREJSCC_KEYSTREAM_KEY_IMPL_H
#define INCLUDED_SECUREJSCC_KEYSTREAM_KEY_IMPL_H

#include "util_impl.h"
#include <securejscc/keystream.h>
#include <cstring>
#include <string>

namespace gr {
namespace securejscc {
namespace util {

using ks_ptr = core_ptr<sj_keystream, sj_keystream_destroy>;

/* Uint8 items for q = 256 (srec bytes), uint16 for every other modulus. */
inline size_t keystream_item_size(unsigned modulus) { return modulus == 256 ? sizeof(uint8_t) : sizeof(uint16_t); }

/* Loads the key and creates the cipher; the key bytes on the stack are wiped either way. */
inline sj_keystream* open_keystream(const char* block, const std::string& key_file, unsigned modulus)
{
    if (modulus < 2 || modulus > 65536)
        fail_arg(block, "modulus", "must be in 2..65536, got " + std::to_string(modulus));
    uint8_t key[SJ_KEYSTREAM_KEY_BYTES];
    sj_status st = sj_keystream_key_load(key_file.c_str(), key);
    if (st != SJ_OK) {
        explicit_bzero(key, sizeof key);
        fail_core(block, "key_file", st);
    }
    sj_keystream* ks = nullptr;
    st = sj_keystream_create(key, modulus, &ks);
    explicit_bzero(key, sizeof key);
    if (st != SJ_OK)
        fail_core(block, "modulus", st);
    return ks;
}

} // namespace util
} // namespace securejscc
} // namespace gr
#endif
