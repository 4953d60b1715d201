/* A ChaCha20 byte stream (libsodium) used as the randomness source of the LWE sampler.
 *
 * sj_csprng_create_random() keys it with 32 bytes from randombytes_buf(): this is the
 * only mode secret material comes from. sj_csprng_create_seeded() keys it from a caller's
 * seed and a 64-bit stream number; it is deterministic and therefore NOT secret: the
 * library uses it only for the explicitly insecure public-seed LWE mode and for
 * reproducible tests. The key is zeroed on destroy. */
#ifndef SECUREJSCC_CSPRNG_H
#define SECUREJSCC_CSPRNG_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct sj_csprng sj_csprng;

#define SJ_CSPRNG_SEED_BYTES 32

sj_status sj_csprng_create_random(sj_csprng** out);
sj_status sj_csprng_create_seeded(const uint8_t seed[SJ_CSPRNG_SEED_BYTES], uint64_t stream, sj_csprng** out);
/* Re-keys an existing generator from fresh system randomness (no allocation). */
sj_status sj_csprng_rekey_random(sj_csprng* r);
void sj_csprng_destroy(sj_csprng* r);

/* Next n bytes of the stream. */
void sj_csprng_bytes(sj_csprng* r, void* buf, size_t n);
/* Uniform integer in [0, bound), 1 <= bound <= 2^32, by rejection (no modulo bias). */
uint32_t sj_csprng_uniform(sj_csprng* r, uint32_t bound);

#ifdef __cplusplus
}
#endif
#endif
