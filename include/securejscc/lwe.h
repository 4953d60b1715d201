/* Lindner-Peikert LWE public-key encryption of Z_p vectors (paper 001, Sec. IV-B).
 *
 * Key generation, for l plaintext values per block chosen by the caller:
 *   A  in Z_p^{n1 x n2} uniform;  S in Z^{n2 x l}, U in Z^{n1 x l} discrete Gaussian(s)
 *   public key (P = U - A S mod p, A), secret key S.
 * Encryption of a block z in Z_p^l with FRESH SECRET e1 (n1), e2 (n2), e3 (l) drawn from
 * the discrete Gaussian through a ChaCha20 stream keyed by randombytes_buf() per call:
 *   c = P^T e1 + e3 + z (mod p)      (l values, sent on 4096-QAM)
 *   d = A^T e1 + e2     (mod p)      (n2 values, side data of the frame)
 * Decryption: z' = S^T d + c (mod p) = z + U^T e1 + S^T e2 + e3 (mod p).
 * A payload of k values is cut into ceil(k / l) blocks of l (the last may be shorter);
 * each block has its own fresh randomness and its own d, stored block after block.
 *
 * Presets (Lindner & Peikert, CT-RSA 2011): toy (136, 2003, 13.01), low (192, 4093, 8.87),
 * medium (256, 4093, 8.35, the default), high (320, 4093, 8.00); n1 = n2 = n.
 *
 * The insecure public-seed mode reproduces the paper's published design, in which the
 * seed of e is public: anyone with the public key then recovers z exactly
 * (sj_lwe_attack_public_seed). It exists for eavesdropper experiments only. */
#ifndef SECUREJSCC_LWE_H
#define SECUREJSCC_LWE_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SJ_LWE_TOY = 0, SJ_LWE_LOW = 1, SJ_LWE_MEDIUM = 2, SJ_LWE_HIGH = 3 } sj_lwe_preset;
#define SJ_LWE_DEFAULT_PRESET SJ_LWE_MEDIUM

typedef struct {
    const char* name; /* "toy", "low", "medium", "high" */
    unsigned n1;
    unsigned n2;
    unsigned p;
    double s; /* Gaussian parameter: P(x) ~ exp(-pi x^2 / s^2) */
} sj_lwe_params;

/* NULL for an unknown preset. */
const sj_lwe_params* sj_lwe_preset_params(sj_lwe_preset preset);
sj_status sj_lwe_preset_from_name(const char* name, sj_lwe_preset* out);
/* Standard deviation of one decrypted value's error U^T e1 + S^T e2 + e3 (before mod p),
 * sqrt((n1 + n2) v^2 + v) with v the exact discrete Gaussian variance. */
double sj_lwe_noise_std(const sj_lwe_params* params);

typedef struct sj_lwe_pubkey sj_lwe_pubkey;
typedef struct sj_lwe_seckey sj_lwe_seckey;

/* 1 <= l <= 2^24. Both keys are new objects the caller destroys. */
sj_status sj_lwe_keygen(sj_lwe_preset preset, size_t l, sj_lwe_pubkey** pub, sj_lwe_seckey** sec);
void sj_lwe_pubkey_destroy(sj_lwe_pubkey* pub);
void sj_lwe_seckey_destroy(sj_lwe_seckey* sec); /* zeroes S first */

const sj_lwe_params* sj_lwe_pubkey_params(const sj_lwe_pubkey* pub);
const sj_lwe_params* sj_lwe_seckey_params(const sj_lwe_seckey* sec);
size_t sj_lwe_pubkey_block_length(const sj_lwe_pubkey* pub); /* l */
size_t sj_lwe_seckey_block_length(const sj_lwe_seckey* sec);
/* 32-byte identifier of the key pair (BLAKE2b of the public key), stored in both files. */
const uint8_t* sj_lwe_pubkey_id(const sj_lwe_pubkey* pub);
const uint8_t* sj_lwe_seckey_id(const sj_lwe_seckey* sec);

/* Key files (format in docs/key-files.md). The secret key file is created with mode 0600.
 * Without force an existing file is not overwritten (SJ_ERR_EXISTS). Loading refuses a
 * wrong magic, version, kind or preset, a truncated file and a checksum mismatch. */
sj_status sj_lwe_pubkey_save(const sj_lwe_pubkey* pub, const char* path, int force);
sj_status sj_lwe_seckey_save(const sj_lwe_seckey* sec, const char* path, int force);
sj_status sj_lwe_pubkey_load(const char* path, sj_lwe_pubkey** out);
sj_status sj_lwe_seckey_load(const char* path, sj_lwe_seckey** out);

/* Number of blocks and length of d for a payload of k values: ceil(k / l) * n2. */
size_t sj_lwe_num_blocks(size_t l, size_t k);
size_t sj_lwe_d_length(const sj_lwe_params* params, size_t l, size_t k);

/* Encryptor and decryptor for payloads of exactly k values; all scratch memory is
 * allocated at create, none in execute. They keep a pointer to their key, which must
 * outlive them; one object must not be used by two threads at once. */
typedef struct sj_lwe_encryptor sj_lwe_encryptor;
typedef struct sj_lwe_decryptor sj_lwe_decryptor;

sj_status sj_lwe_encryptor_create(const sj_lwe_pubkey* pub, size_t k, sj_lwe_encryptor** out);
void sj_lwe_encryptor_destroy(sj_lwe_encryptor* e);
/* z: k values < p. c: k values; d: sj_lwe_d_length() values. Fresh secret e per block. */
sj_status sj_lwe_encrypt(sj_lwe_encryptor* e, const uint16_t* z, uint16_t* c, uint16_t* d);

sj_status sj_lwe_decryptor_create(const sj_lwe_seckey* sec, size_t k, sj_lwe_decryptor** out);
void sj_lwe_decryptor_destroy(sj_lwe_decryptor* dec);
/* Hard decryption of integer ciphertexts: z = S^T d + c mod p, values in [0, p). */
sj_status sj_lwe_decrypt(sj_lwe_decryptor* dec, const uint16_t* c, const uint16_t* d, uint16_t* z);
/* Soft decryption of a real-valued noisy ciphertext: z = S^T d + c mod p, in [0, p). */
sj_status sj_lwe_decrypt_soft(sj_lwe_decryptor* dec, const float* c, const uint16_t* d, float* z);
/* Bob's offset o = S^T d mod p (k values in [0, p)): decryption is z = c + o mod p. For a
 * receiver that decrypts jointly with demodulation (sj_zp_posterior). Equals sj_lwe_decrypt
 * with an all-zero c; d is checked as there. */
sj_status sj_lwe_decrypt_offset(sj_lwe_decryptor* dec, const uint16_t* d, uint16_t* offset);

/* INSECURE: e drawn from a ChaCha20 stream keyed by a public seed and the frame number,
 * as the paper describes. Never use it to protect data. */
#define SJ_LWE_PUBLIC_SEED_BYTES 32
sj_status sj_lwe_encrypt_insecure_public_seed(sj_lwe_encryptor* e, const uint8_t seed[SJ_LWE_PUBLIC_SEED_BYTES],
                                              uint64_t frame, const uint16_t* z, uint16_t* c, uint16_t* d);
/* The attack the public seed allows: regenerate e1, e3 and output
 * z = c - P^T e1 - e3 (mod p) with nothing but the public key. Against the secure mode the
 * result is unrelated to the plaintext. */
sj_status sj_lwe_attack_public_seed(sj_lwe_encryptor* e, const uint8_t seed[SJ_LWE_PUBLIC_SEED_BYTES],
                                    uint64_t frame, const uint16_t* c, uint16_t* z);

#ifdef __cplusplus
}
#endif
#endif
