/* Little-endian integer encoding for the file formats (key files), independent of the
 * host's byte order. Internal to the core library. */
#ifndef SJ_LE_BYTES_H
#define SJ_LE_BYTES_H

#include <stdint.h>

static inline void sj_put_le(uint8_t* b, uint64_t v, int nbytes)
{
    for (int i = 0; i < nbytes; i++)
        b[i] = (uint8_t)(v >> (8 * i));
}

static inline uint64_t sj_get_le(const uint8_t* b, int nbytes)
{
    uint64_t v = 0;
    for (int i = 0; i < nbytes; i++)
        v |= (uint64_t)b[i] << (8 * i);
    return v;
}

#endif
