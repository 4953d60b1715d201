/* Additive keystream cipher modulo q: y = (x + k) mod q, x = (y - k) mod q.
 *
 * The keystream is XChaCha20 (libsodium crypto_stream_xchacha20) under a 256-bit key and a
 * 192-bit nonce. Values are uniform mod q: for q = 256 the stream bytes themselves; for
 * other q <= 65536, 16-bit little-endian words masked to the next power of two minus one
 * and rejected when >= q. Each encryption takes the next nonce of the object: 16 random
 * bytes drawn at create (distinct per object and session) followed by a 64-bit frame
 * counter, so a nonce never repeats; at counter exhaustion encryption fails with
 * SJ_ERR_EXHAUSTED. The nonce travels with the frame; decryption takes it as input.
 * q = 256 serves `srec`; q = p = 4093 the LWE-free variant of `lwe`. */
#ifndef SECUREJSCC_KEYSTREAM_H
#define SECUREJSCC_KEYSTREAM_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

#define SJ_KEYSTREAM_KEY_BYTES 32
#define SJ_KEYSTREAM_NONCE_BYTES 24

typedef struct sj_keystream sj_keystream;

/* 2 <= q <= 65536. The key is copied into locked memory; the caller may zero its copy. */
sj_status sj_keystream_create(const uint8_t key[SJ_KEYSTREAM_KEY_BYTES], unsigned q, sj_keystream** out);
void sj_keystream_destroy(sj_keystream* ks); /* zeroes the key */
unsigned sj_keystream_modulus(const sj_keystream* ks);

/* Encrypts n values < q (values >= q are refused) under the next nonce, written to nonce. */
sj_status sj_keystream_encrypt(sj_keystream* ks, const uint16_t* in, uint16_t* out, size_t n,
                               uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES]);
sj_status sj_keystream_decrypt(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const uint16_t* in,
                               uint16_t* out, size_t n);
/* Byte versions for q = 256 (SJ_ERR_INVALID_ARG for other q). */
sj_status sj_keystream_encrypt_u8(sj_keystream* ks, const uint8_t* in, uint8_t* out, size_t n,
                                  uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES]);
sj_status sj_keystream_decrypt_u8(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const uint8_t* in,
                                  uint8_t* out, size_t n);
/* Real-valued decryption of a noisy ciphertext: out = (in - k) mod q, in [0, q). */
sj_status sj_keystream_decrypt_soft(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const float* in,
                                    float* out, size_t n);

/* A fresh random key, and key files (kind SJ_KEYFILE_KEYSTREAM, mode 0600). */
sj_status sj_keystream_key_generate(uint8_t key[SJ_KEYSTREAM_KEY_BYTES]);
sj_status sj_keystream_key_save(const uint8_t key[SJ_KEYSTREAM_KEY_BYTES], const char* path, int force);
sj_status sj_keystream_key_load(const char* path, uint8_t key[SJ_KEYSTREAM_KEY_BYTES]);

#ifdef __cplusplus
}
#endif
#endif
