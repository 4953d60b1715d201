/* The one container format of every key file (docs/key-files.md), little-endian:
 *
 *   offset size  field
 *   0      8     magic "SJKEY\0\r\n"
 *   8      2     format version (1)
 *   10     2     kind: 1 LWE public key, 2 LWE secret key, 3 keystream (symmetric) key
 *   12     4     header length H in bytes (the kind's own fields, may be 0)
 *   16     8     payload length L in bytes
 *   24     H     header (kind-specific fields)
 *   24+H   L     payload
 *   24+H+L 32    BLAKE2b-256 (libsodium crypto_generichash) of every byte before it
 *
 * Writing goes to a temporary file in the same folder, created with the requested mode
 * (0600 for secrets, 0644 otherwise), then renamed, so a crash never leaves half a key.
 * Reading checks magic, version, kind, exact file length and checksum before returning. */
#ifndef SECUREJSCC_KEYFILE_H
#define SECUREJSCC_KEYFILE_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SJ_KEYFILE_LWE_PUBLIC = 1,
    SJ_KEYFILE_LWE_SECRET = 2,
    SJ_KEYFILE_KEYSTREAM = 3
} sj_keyfile_kind;

#define SJ_KEYFILE_VERSION 1
#define SJ_KEYFILE_MAX_BYTES ((uint64_t)1 << 33) /* 8 GiB: refuse absurd lengths */

/* secret != 0: mode 0600, else 0644. force == 0: SJ_ERR_EXISTS if path exists. */
sj_status sj_keyfile_write(const char* path, sj_keyfile_kind kind, const void* header, size_t header_len,
                           const void* payload, size_t payload_len, int secret, int force);

/* On success *header and *payload are new buffers (sodium_malloc'd for secret kinds, so
 * release both with sj_keyfile_free). */
sj_status sj_keyfile_read(const char* path, sj_keyfile_kind expected_kind, void** header, size_t* header_len,
                          void** payload, size_t* payload_len);
/* Zeroes and frees a buffer returned by sj_keyfile_read. */
void sj_keyfile_free(void* buf, size_t len);

#ifdef __cplusplus
}
#endif
#endif
