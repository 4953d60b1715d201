/* LWE encryption and decryption of k-value payloads in blocks of l (lwe.h).
 *
 *   c = P^T e1 + e3 + z,  d = A^T e1 + e2  (mod p)        per block, fresh e
 *   z' = S^T d + c (mod p)
 *
 * Speed: every product is sj_lwe_gemv_rows over rows of the centred, row-major matrices
 * of lwe_internal.h, so the inner loop is contiguous int16 x int16 -> int32 multiply-adds
 * that gcc vectorises at -O3 with the default target; sums of up to 320 such products stay
 * below 2^27, so one reduction mod p per output suffices.
 *
 * Objects keep a pointer to their key, which must outlive them. All scratch (including the
 * secret error terms and partial sums) is one sodium_malloc'd arena allocated at create
 * and zeroed after each call that filled it, so nothing is allocated per frame. */
#include "lwe_internal.h"

#include <math.h>
#include <sodium.h>
#include <string.h>

struct sj_lwe_encryptor {
    const struct sj_lwe_pubkey* pub;
    size_t k, lmax; /* lmax = min(l, k): the longest block of this payload */
    sj_dgauss* g;
    sj_csprng* rng;  /* re-keyed from randombytes_buf at every secure encryption */
    sj_csprng* prng; /* re-keyed from the public seed in the insecure mode */
    void* arena;
    size_t arena_bytes;
    int32_t *e1, *e2, *e3, *acc; /* n1, n2, lmax, max(lmax, n2) */
    int16_t* e1s;                /* e1 as int16, for the widening multiply */
};

struct sj_lwe_decryptor {
    const struct sj_lwe_seckey* sec;
    size_t k, lmax;
    void* arena;
    size_t arena_bytes;
    int32_t* acc; /* lmax: S^T d, which with c gives the plaintext */
    int16_t* ds;  /* n2: one block's d, centred */
};

sj_status sj_lwe_encryptor_create(const sj_lwe_pubkey* pub, size_t k, sj_lwe_encryptor** out)
{
    if (out == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE encryptor: output pointer is NULL");
    *out = NULL;
    if (pub == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE encryptor: public key is NULL");
    if (k == 0 || sj_lwe_d_length(pub->params, pub->l, k) == 0 || k > SIZE_MAX / 8)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE encryptor: payload length k must be >= 1 and representable, got %zu",
                       k);
    const size_t n1 = pub->params->n1, n2 = pub->params->n2;
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    sj_lwe_encryptor* e = sodium_malloc(sizeof *e);
    if (e == NULL)
        return sj_fail(SJ_ERR_NOMEM, "LWE encryptor: out of memory");
    memset(e, 0, sizeof *e);
    e->pub = pub, e->k = k, e->lmax = k < pub->l ? k : pub->l;
    size_t nacc = e->lmax > n2 ? e->lmax : n2;
    e->arena_bytes = (n1 + n2 + e->lmax + nacc) * sizeof(int32_t) + n1 * sizeof(int16_t);
    e->arena = sodium_malloc(e->arena_bytes);
    if (e->arena == NULL)
        st = sj_fail(SJ_ERR_NOMEM, "LWE encryptor: cannot allocate %zu bytes of scratch", e->arena_bytes);
    else if ((st = sj_dgauss_create(pub->params->s, &e->g)) == SJ_OK &&
             (st = sj_csprng_create_random(&e->rng)) == SJ_OK)
        st = sj_csprng_create_seeded((const uint8_t[SJ_CSPRNG_SEED_BYTES]){ 0 }, 0, &e->prng);
    if (st != SJ_OK) {
        sj_lwe_encryptor_destroy(e);
        return st;
    }
    e->e1 = e->arena;
    e->e2 = e->e1 + n1;
    e->e3 = e->e2 + n2;
    e->acc = e->e3 + e->lmax;
    e->e1s = (int16_t*)(e->acc + nacc);
    *out = e;
    return SJ_OK;
}

void sj_lwe_encryptor_destroy(sj_lwe_encryptor* e)
{
    if (e == NULL)
        return;
    sodium_free(e->arena); /* zeroes it */
    sj_dgauss_destroy(e->g);
    sj_csprng_destroy(e->rng);
    sj_csprng_destroy(e->prng);
    sodium_free(e);
}

/* One block: draw e1, e2, e3 from rng. Encrypting, reads z and writes c and d; attacking
 * (the public-seed attack), reads c and writes z = c - P^T e1 - e3. */
static void lwe_block(sj_lwe_encryptor* e, sj_csprng* rng, size_t len, const uint16_t* z, uint16_t* c, uint16_t* d,
                      uint16_t* zout)
{
    const struct sj_lwe_pubkey* pub = e->pub;
    const size_t n1 = pub->params->n1, n2 = pub->params->n2, l = pub->l;
    const int32_t p = (int32_t)pub->params->p;
    sj_dgauss_sample(e->g, rng, e->e1, n1);
    sj_dgauss_sample(e->g, rng, e->e2, n2); /* drawn in the attack too, to stay in step */
    sj_dgauss_sample(e->g, rng, e->e3, len);
    for (size_t i = 0; i < n1; i++)
        e->e1s[i] = (int16_t)e->e1[i];

    memset(e->acc, 0, len * sizeof *e->acc);
    sj_lwe_gemv_rows(e->acc, pub->P, l, e->e1s, n1, len);
    if (zout != NULL) {
        for (size_t j = 0; j < len; j++)
            e->acc[j] = (int32_t)c[j] - e->acc[j] - e->e3[j];
        sj_lwe_reduce(zout, e->acc, len, p);
        return;
    }
    for (size_t j = 0; j < len; j++)
        e->acc[j] += e->e3[j] + (int32_t)z[j];
    sj_lwe_reduce(c, e->acc, len, p);

    memset(e->acc, 0, n2 * sizeof *e->acc);
    sj_lwe_gemv_rows(e->acc, pub->A, n2, e->e1s, n1, n2);
    for (size_t j = 0; j < n2; j++)
        e->acc[j] += e->e2[j];
    sj_lwe_reduce(d, e->acc, n2, p);
}

/* Runs all blocks with the given generator; zout != NULL selects the attack. */
static void lwe_run(sj_lwe_encryptor* e, sj_csprng* rng, const uint16_t* z, uint16_t* c, uint16_t* d, uint16_t* zout)
{
    const size_t l = e->pub->l, n2 = e->pub->params->n2;
    for (size_t off = 0, b = 0; off < e->k; off += l, b++) {
        size_t len = e->k - off < l ? e->k - off : l;
        lwe_block(e, rng, len, z ? z + off : NULL, c + off, d ? d + b * n2 : NULL, zout ? zout + off : NULL);
    }
    sodium_memzero(e->arena, e->arena_bytes);
}

static sj_status check_values(const uint16_t* v, size_t n, unsigned p, const char* what)
{
    for (size_t i = 0; i < n; i++)
        if (v[i] >= p)
            return sj_fail(SJ_ERR_INVALID_ARG, "LWE: %s value %u at index %zu is not below p = %u", what, v[i], i, p);
    return SJ_OK;
}

sj_status sj_lwe_encrypt(sj_lwe_encryptor* e, const uint16_t* z, uint16_t* c, uint16_t* d)
{
    if (e == NULL || z == NULL || c == NULL || d == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE encrypt: NULL encryptor or buffer");
    sj_status st = check_values(z, e->k, e->pub->params->p, "plaintext");
    if (st != SJ_OK || (st = sj_csprng_rekey_random(e->rng)) != SJ_OK)
        return st;
    lwe_run(e, e->rng, z, c, d, NULL);
    return SJ_OK;
}

sj_status sj_lwe_encrypt_insecure_public_seed(sj_lwe_encryptor* e, const uint8_t seed[SJ_LWE_PUBLIC_SEED_BYTES],
                                              uint64_t frame, const uint16_t* z, uint16_t* c, uint16_t* d)
{
    if (e == NULL || seed == NULL || z == NULL || c == NULL || d == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE public-seed encrypt: NULL encryptor, seed or buffer");
    sj_status st = check_values(z, e->k, e->pub->params->p, "plaintext");
    if (st != SJ_OK || (st = sj_csprng_rekey_seeded(e->prng, seed, frame)) != SJ_OK)
        return st;
    lwe_run(e, e->prng, z, c, d, NULL);
    return SJ_OK;
}

sj_status sj_lwe_attack_public_seed(sj_lwe_encryptor* e, const uint8_t seed[SJ_LWE_PUBLIC_SEED_BYTES], uint64_t frame,
                                    const uint16_t* c, uint16_t* z)
{
    if (e == NULL || seed == NULL || c == NULL || z == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE public-seed attack: NULL encryptor, seed or buffer");
    sj_status st = check_values(c, e->k, e->pub->params->p, "ciphertext");
    if (st != SJ_OK || (st = sj_csprng_rekey_seeded(e->prng, seed, frame)) != SJ_OK)
        return st;
    lwe_run(e, e->prng, NULL, (uint16_t*)c, NULL, z); /* c is only read in the attack */
    return SJ_OK;
}

sj_status sj_lwe_decryptor_create(const sj_lwe_seckey* sec, size_t k, sj_lwe_decryptor** out)
{
    if (out == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE decryptor: output pointer is NULL");
    *out = NULL;
    if (sec == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE decryptor: secret key is NULL");
    if (k == 0 || sj_lwe_d_length(sec->params, sec->l, k) == 0 || k > SIZE_MAX / 8)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE decryptor: payload length k must be >= 1 and representable, got %zu",
                       k);
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    sj_lwe_decryptor* dec = sodium_malloc(sizeof *dec);
    if (dec == NULL)
        return sj_fail(SJ_ERR_NOMEM, "LWE decryptor: out of memory");
    memset(dec, 0, sizeof *dec);
    dec->sec = sec, dec->k = k, dec->lmax = k < sec->l ? k : sec->l;
    dec->arena_bytes = dec->lmax * sizeof(int32_t) + sec->params->n2 * sizeof(int16_t);
    dec->arena = sodium_malloc(dec->arena_bytes);
    if (dec->arena == NULL) {
        sodium_free(dec);
        return sj_fail(SJ_ERR_NOMEM, "LWE decryptor: cannot allocate %zu bytes of scratch", dec->arena_bytes);
    }
    dec->acc = dec->arena;
    dec->ds = (int16_t*)(dec->acc + dec->lmax);
    *out = dec;
    return SJ_OK;
}

void sj_lwe_decryptor_destroy(sj_lwe_decryptor* dec)
{
    if (dec == NULL)
        return;
    sodium_free(dec->arena);
    sodium_free(dec);
}

/* acc[0..len) = S^T d_block for block b (not reduced). */
static void st_d(sj_lwe_decryptor* dec, size_t b, size_t len, const uint16_t* d)
{
    const struct sj_lwe_seckey* sec = dec->sec;
    const size_t n2 = sec->params->n2, l = sec->l;
    for (size_t i = 0; i < n2; i++)
        dec->ds[i] = sj_lwe_center(d[b * n2 + i], sec->params->p);
    memset(dec->acc, 0, len * sizeof *dec->acc);
    sj_lwe_gemv_rows(dec->acc, sec->S, l, dec->ds, n2, len);
}

/* z = S^T d + c mod p block by block; c NULL counts as all zeros (the offset alone). */
static sj_status decrypt_hard(sj_lwe_decryptor* dec, const uint16_t* c, const uint16_t* d, uint16_t* z)
{
    const sj_lwe_params* pp = dec->sec->params;
    const size_t l = dec->sec->l;
    sj_status st = c ? check_values(c, dec->k, pp->p, "ciphertext c") : SJ_OK;
    if (st != SJ_OK || (st = check_values(d, sj_lwe_d_length(pp, l, dec->k), pp->p, "ciphertext d")) != SJ_OK)
        return st;
    for (size_t off = 0, b = 0; off < dec->k; off += l, b++) {
        size_t len = dec->k - off < l ? dec->k - off : l;
        st_d(dec, b, len, d);
        if (c)
            for (size_t j = 0; j < len; j++)
                dec->acc[j] += (int32_t)c[off + j];
        sj_lwe_reduce(z + off, dec->acc, len, (int32_t)pp->p);
    }
    sodium_memzero(dec->arena, dec->arena_bytes);
    return SJ_OK;
}

sj_status sj_lwe_decrypt(sj_lwe_decryptor* dec, const uint16_t* c, const uint16_t* d, uint16_t* z)
{
    if (dec == NULL || c == NULL || d == NULL || z == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE decrypt: NULL decryptor or buffer");
    return decrypt_hard(dec, c, d, z);
}

sj_status sj_lwe_decrypt_offset(sj_lwe_decryptor* dec, const uint16_t* d, uint16_t* offset)
{
    if (dec == NULL || d == NULL || offset == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE decrypt offset: NULL decryptor or buffer");
    return decrypt_hard(dec, NULL, d, offset);
}

sj_status sj_lwe_decrypt_soft(sj_lwe_decryptor* dec, const float* c, const uint16_t* d, float* z)
{
    if (dec == NULL || c == NULL || d == NULL || z == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE soft decrypt: NULL decryptor or buffer");
    const sj_lwe_params* pp = dec->sec->params;
    const size_t l = dec->sec->l;
    for (size_t i = 0; i < dec->k; i++)
        if (!isfinite(c[i]))
            return sj_fail(SJ_ERR_INVALID_ARG, "LWE soft decrypt: ciphertext value at index %zu is not finite", i);
    sj_status st = check_values(d, sj_lwe_d_length(pp, l, dec->k), pp->p, "ciphertext d");
    if (st != SJ_OK)
        return st;
    const double p = pp->p;
    for (size_t off = 0, b = 0; off < dec->k; off += l, b++) {
        size_t len = dec->k - off < l ? dec->k - off : l;
        st_d(dec, b, len, d);
        for (size_t j = 0; j < len; j++) {
            /* Exact integer part first, then the real offset, wrapped into [0, p) in
             * double so that only the final rounding to float is inexact. */
            double x = (double)sj_lwe_mod(dec->acc[j], (int32_t)pp->p) + (double)c[off + j];
            x -= p * floor(x / p);
            float f = (float)x;
            z[off + j] = f >= (float)p || f < 0.0f ? 0.0f : f; /* x just below p rounds up to p == 0 */
        }
    }
    sodium_memzero(dec->arena, dec->arena_bytes);
    return SJ_OK;
}
