/* ChaCha20 byte stream (see csprng.h).
 *
 * The stream is libsodium's crypto_stream_chacha20 (original DJB variant: 64-bit nonce,
 * 64-bit block counter, so one key/nonce pair never runs out in practice). The nonce is
 * the caller's 64-bit stream number (0 for random keys). Output is produced SJ_BUF_BLOCKS
 * ChaCha blocks at a time into an internal buffer, because the discrete Gaussian sampler
 * asks for a few bytes at a time and a libsodium call per sample would dominate the cost.
 *
 * The object lives in sodium_malloc'd memory (guarded, locked where the system allows)
 * since both the key and the buffered keystream determine secret values (the LWE error
 * terms); sodium_free zeroes it. */
#include "securejscc/csprng.h"

#include <sodium.h>
#include <string.h>

#define SJ_CHACHA_BLOCK 64u
#define SJ_BUF_BLOCKS 64u
#define SJ_BUF_BYTES (SJ_CHACHA_BLOCK * SJ_BUF_BLOCKS)

struct sj_csprng {
    uint8_t key[crypto_stream_chacha20_KEYBYTES];
    uint8_t nonce[crypto_stream_chacha20_NONCEBYTES];
    uint64_t block; /* index of the next ChaCha block not yet generated */
    size_t pos;     /* next unread byte of buf; SJ_BUF_BYTES means empty */
    uint8_t buf[SJ_BUF_BYTES];
};

/* Internal (lwe_internal.h): every user of sodium_malloc or the RNG calls this first,
 * because libsodium aborts on sodium_malloc before sodium_init. */
sj_status sj_sodium_ready(void)
{
    /* sodium_init is idempotent and thread-safe; < 0 means no usable system RNG. */
    if (sodium_init() < 0)
        return sj_fail(SJ_ERR_CRYPTO, "libsodium could not be initialised (sodium_init failed)");
    return SJ_OK;
}

static void sj_csprng_set(sj_csprng* r, const uint8_t* key, uint64_t stream)
{
    memcpy(r->key, key, sizeof r->key);
    /* Little-endian stream number as nonce, so seeded streams are the same on every host. */
    for (size_t i = 0; i < sizeof r->nonce; i++)
        r->nonce[i] = (uint8_t)(stream >> (8 * i));
    r->block = 0;
    r->pos = SJ_BUF_BYTES;
    /* Old keystream must not leak into the new stream's reads or stay in memory. */
    sodium_memzero(r->buf, sizeof r->buf);
}

static sj_status sj_csprng_alloc(sj_csprng** out)
{
    if (out == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "csprng: output pointer is NULL");
    *out = NULL;
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    sj_csprng* r = sodium_malloc(sizeof *r);
    if (r == NULL)
        return sj_fail(SJ_ERR_NOMEM, "csprng: cannot allocate %zu bytes of protected memory", sizeof *r);
    *out = r;
    return SJ_OK;
}

sj_status sj_csprng_create_random(sj_csprng** out)
{
    sj_status st = sj_csprng_alloc(out);
    if (st != SJ_OK)
        return st;
    sj_csprng_set(*out, (const uint8_t[crypto_stream_chacha20_KEYBYTES]){ 0 }, 0);
    return sj_csprng_rekey_random(*out);
}

sj_status sj_csprng_create_seeded(const uint8_t seed[SJ_CSPRNG_SEED_BYTES], uint64_t stream, sj_csprng** out)
{
    if (seed == NULL) {
        if (out != NULL)
            *out = NULL;
        return sj_fail(SJ_ERR_INVALID_ARG, "csprng: seed is NULL");
    }
    sj_status st = sj_csprng_alloc(out);
    if (st != SJ_OK)
        return st;
    sj_csprng_set(*out, seed, stream);
    return SJ_OK;
}

sj_status sj_csprng_rekey_random(sj_csprng* r)
{
    if (r == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "csprng: generator is NULL");
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    uint8_t key[crypto_stream_chacha20_KEYBYTES];
    randombytes_buf(key, sizeof key);
    sj_csprng_set(r, key, 0);
    sodium_memzero(key, sizeof key);
    return SJ_OK;
}

/* Internal (declared in lwe_internal.h): re-key from a seed without allocating, for the
 * public-seed LWE mode, whose encryptor must not allocate per frame. */
sj_status sj_csprng_rekey_seeded(sj_csprng* r, const uint8_t seed[SJ_CSPRNG_SEED_BYTES], uint64_t stream)
{
    if (r == NULL || seed == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "csprng: generator or seed is NULL");
    sj_csprng_set(r, seed, stream);
    return SJ_OK;
}

void sj_csprng_destroy(sj_csprng* r)
{
    if (r != NULL)
        sodium_free(r); /* zeroes key, nonce and buffered keystream */
}

/* Writes nblocks ChaCha blocks starting at r->block into dst. */
static void sj_csprng_generate(sj_csprng* r, uint8_t* dst, size_t nblocks)
{
    size_t len = nblocks * SJ_CHACHA_BLOCK;
    /* xor_ic over zeros is the keystream from block counter r->block onward. */
    memset(dst, 0, len);
    crypto_stream_chacha20_xor_ic(dst, dst, (unsigned long long)len, r->nonce, r->block, r->key);
    r->block += nblocks;
}

void sj_csprng_bytes(sj_csprng* r, void* buf, size_t n)
{
    if (r == NULL || (buf == NULL && n > 0))
        return;
    uint8_t* out = buf;
    while (n > 0) {
        if (r->pos == SJ_BUF_BYTES) {
            /* Large aligned reads bypass the buffer; the byte sequence stays the same as
             * if they had gone through it, because blocks are consumed in order. */
            if (n >= SJ_BUF_BYTES) {
                size_t nblocks = n / SJ_CHACHA_BLOCK;
                sj_csprng_generate(r, out, nblocks);
                out += nblocks * SJ_CHACHA_BLOCK;
                n -= nblocks * SJ_CHACHA_BLOCK;
                continue;
            }
            sj_csprng_generate(r, r->buf, SJ_BUF_BLOCKS);
            r->pos = 0;
        }
        size_t take = SJ_BUF_BYTES - r->pos;
        if (take > n)
            take = n;
        memcpy(out, r->buf + r->pos, take);
        /* Consumed keystream is erased so a later memory disclosure cannot replay it. */
        sodium_memzero(r->buf + r->pos, take);
        r->pos += take;
        out += take;
        n -= take;
    }
}

uint32_t sj_csprng_uniform(sj_csprng* r, uint32_t bound)
{
    uint8_t b[4];
    if (r == NULL || bound == 1)
        return 0;
    /* Rejecting the lowest (2^32 mod bound) values leaves a range that is an exact
     * multiple of bound, so x % bound is unbiased. bound == 0 stands for 2^32. */
    uint32_t reject_below = bound == 0 ? 0 : (uint32_t)(-bound) % bound;
    for (;;) {
        sj_csprng_bytes(r, b, sizeof b);
        uint32_t x = (uint32_t)b[0] | (uint32_t)b[1] << 8 | (uint32_t)b[2] << 16 | (uint32_t)b[3] << 24;
        if (x >= reject_below)
            return bound == 0 ? x : x % bound;
    }
}
