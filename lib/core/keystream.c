/* Additive keystream cipher modulo q over XChaCha20 (keystream.h).
 *
 * Why XChaCha20: its 192-bit nonce leaves room for a 128-bit random prefix per object plus a
 * 64-bit frame counter, so two transmitters that happen to share a key (or one restarted
 * with the same key) still never reuse a nonce, without any state kept on disk.
 *
 * The keystream of one frame is produced in fixed-size chunks in a stack buffer (no
 * allocation per call, and no shared scratch so encryption and decryption on one object
 * may run in different threads; only the nonce counter of encryption is object state). */
#include "securejscc/keystream.h"

#include "securejscc/keyfile.h"

#include <math.h>
#include <sodium.h>
#include <stdlib.h>
#include <string.h>

#define SJ_KS_PREFIX_BYTES 16
/* A multiple of the 64-byte ChaCha block, so that consecutive chunks continue the same
 * stream with block counter ic + CHUNK / 64, and even, so that 16-bit words never straddle. */
#define SJ_KS_CHUNK 4096

struct sj_keystream {
    uint8_t* key;     /* sodium_malloc'd: locked, guarded, zeroed on free */
    unsigned q;
    unsigned mask;    /* next power of two >= q, minus one (for rejection sampling) */
    uint8_t prefix[SJ_KS_PREFIX_BYTES];
    uint64_t counter; /* next frame number */
    int exhausted;    /* all 2^64 counters used */
};

/* One frame's keystream, read value by value. */
typedef struct {
    const uint8_t* key;
    const uint8_t* nonce;
    uint64_t ic; /* block counter of the next chunk */
    size_t pos;
    uint8_t buf[SJ_KS_CHUNK];
} ks_gen;

static void gen_init(ks_gen* g, const uint8_t* key, const uint8_t* nonce)
{
    g->key = key;
    g->nonce = nonce;
    g->ic = 0;
    g->pos = SJ_KS_CHUNK; /* empty: the first read fills */
}

static void gen_refill(ks_gen* g)
{
    /* XOR with zeros yields the raw stream; the _ic form lets chunks continue the stream. */
    memset(g->buf, 0, SJ_KS_CHUNK);
    crypto_stream_xchacha20_xor_ic(g->buf, g->buf, SJ_KS_CHUNK, g->nonce, g->ic, g->key);
    g->ic += SJ_KS_CHUNK / 64;
    g->pos = 0;
}

static void gen_wipe(ks_gen* g) { sodium_memzero(g->buf, sizeof g->buf); }

/* Next keystream value, uniform in [0, q). */
static inline unsigned gen_next(ks_gen* g, unsigned q, unsigned mask)
{
    if (q == 256) {
        if (g->pos >= SJ_KS_CHUNK)
            gen_refill(g);
        return g->buf[g->pos++];
    }
    for (;;) {
        if (g->pos >= SJ_KS_CHUNK)
            gen_refill(g);
        unsigned w = ((unsigned)g->buf[g->pos] | ((unsigned)g->buf[g->pos + 1] << 8)) & mask;
        g->pos += 2;
        /* Rejection keeps the values exactly uniform; for q = 4093 it discards 3 in 4096. */
        if (w < q)
            return w;
    }
}

sj_status sj_keystream_create(const uint8_t key[SJ_KEYSTREAM_KEY_BYTES], unsigned q, sj_keystream** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "keystream: out is NULL");
    *out = NULL;
    if (!key)
        return sj_fail(SJ_ERR_INVALID_ARG, "keystream: key is NULL");
    if (q < 2 || q > 65536)
        return sj_fail(SJ_ERR_INVALID_ARG, "keystream: modulus must be in [2, 65536], got %u", q);
    if (sodium_init() < 0)
        return sj_fail(SJ_ERR_CRYPTO, "keystream: libsodium could not be initialised");
    sj_keystream* ks = calloc(1, sizeof *ks);
    if (!ks)
        return sj_fail(SJ_ERR_NOMEM, "keystream: out of memory");
    ks->key = sodium_malloc(SJ_KEYSTREAM_KEY_BYTES);
    if (!ks->key) {
        free(ks);
        return sj_fail(SJ_ERR_NOMEM, "keystream: cannot allocate locked memory for the key");
    }
    memcpy(ks->key, key, SJ_KEYSTREAM_KEY_BYTES);
    ks->q = q;
    unsigned m = 1;
    while (m < q)
        m <<= 1;
    ks->mask = m - 1;
    /* A fresh random prefix per object: nonces stay distinct across objects and restarts
     * that share a key, with probability of a collision about n^2 / 2^129. */
    randombytes_buf(ks->prefix, sizeof ks->prefix);
    ks->counter = 0;
    ks->exhausted = 0;
    *out = ks;
    return SJ_OK;
}

void sj_keystream_destroy(sj_keystream* ks)
{
    if (!ks)
        return;
    sodium_free(ks->key); /* zeroes the key */
    sodium_memzero(ks, sizeof *ks);
    free(ks);
}

unsigned sj_keystream_modulus(const sj_keystream* ks) { return ks ? ks->q : 0; }

/* Takes the next nonce of the object. */
static sj_status next_nonce(sj_keystream* ks, uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES])
{
    if (ks->exhausted)
        return sj_fail(SJ_ERR_EXHAUSTED,
                       "keystream: all 2^64 frame nonces of this object are used; create a new object");
    memcpy(nonce, ks->prefix, SJ_KS_PREFIX_BYTES);
    uint64_t c = ks->counter;
    for (int i = 0; i < 8; i++)
        nonce[SJ_KS_PREFIX_BYTES + i] = (uint8_t)(c >> (8 * i));
    if (c == UINT64_MAX)
        ks->exhausted = 1;
    else
        ks->counter = c + 1;
    return SJ_OK;
}

static sj_status check_common(const sj_keystream* ks, const void* in, const void* out, size_t n,
                              const uint8_t* nonce, const char* fn)
{
    if (!ks)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: object is NULL", fn);
    if (!nonce)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: nonce is NULL", fn);
    if (n > 0 && (!in || !out))
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: NULL buffer for %zu values", fn, n);
    return SJ_OK;
}

sj_status sj_keystream_encrypt(sj_keystream* ks, const uint16_t* in, uint16_t* out, size_t n,
                               uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES])
{
    sj_status s = check_common(ks, in, out, n, nonce, "sj_keystream_encrypt");
    if (s != SJ_OK)
        return s;
    const unsigned q = ks->q;
    /* Refuse before taking a nonce, so that a rejected frame leaves no trace. */
    for (size_t i = 0; i < n; i++)
        if (in[i] >= q)
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_encrypt: value %u at index %zu is not below q = %u",
                           (unsigned)in[i], i, q);
    if ((s = next_nonce(ks, nonce)) != SJ_OK)
        return s;
    ks_gen g;
    gen_init(&g, ks->key, nonce);
    for (size_t i = 0; i < n; i++) {
        unsigned k = gen_next(&g, q, ks->mask);
        unsigned v = in[i] + k;
        out[i] = (uint16_t)(v >= q ? v - q : v);
    }
    gen_wipe(&g);
    return SJ_OK;
}

sj_status sj_keystream_decrypt(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const uint16_t* in,
                               uint16_t* out, size_t n)
{
    sj_status s = check_common(ks, in, out, n, nonce, "sj_keystream_decrypt");
    if (s != SJ_OK)
        return s;
    const unsigned q = ks->q;
    ks_gen g;
    gen_init(&g, ks->key, nonce);
    for (size_t i = 0; i < n; i++) {
        unsigned k = gen_next(&g, q, ks->mask);
        /* A hard demodulator may return a constellation point the transmitter never uses
         * (4096-QAM carries q = 4093): reduce it instead of losing the whole frame. */
        unsigned c = in[i] >= q ? in[i] % q : in[i];
        out[i] = (uint16_t)(c >= k ? c - k : c + q - k);
    }
    gen_wipe(&g);
    return SJ_OK;
}

sj_status sj_keystream_encrypt_u8(sj_keystream* ks, const uint8_t* in, uint8_t* out, size_t n,
                                  uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES])
{
    sj_status s = check_common(ks, in, out, n, nonce, "sj_keystream_encrypt_u8");
    if (s != SJ_OK)
        return s;
    if (ks->q != 256)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_encrypt_u8: needs q = 256, this object has q = %u", ks->q);
    if ((s = next_nonce(ks, nonce)) != SJ_OK)
        return s;
    ks_gen g;
    gen_init(&g, ks->key, nonce);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(in[i] + gen_next(&g, 256, 255));
    gen_wipe(&g);
    return SJ_OK;
}

sj_status sj_keystream_decrypt_u8(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const uint8_t* in,
                                  uint8_t* out, size_t n)
{
    sj_status s = check_common(ks, in, out, n, nonce, "sj_keystream_decrypt_u8");
    if (s != SJ_OK)
        return s;
    if (ks->q != 256)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_decrypt_u8: needs q = 256, this object has q = %u", ks->q);
    ks_gen g;
    gen_init(&g, ks->key, nonce);
    for (size_t i = 0; i < n; i++)
        out[i] = (uint8_t)(in[i] - gen_next(&g, 256, 255));
    gen_wipe(&g);
    return SJ_OK;
}

sj_status sj_keystream_decrypt_soft(sj_keystream* ks, const uint8_t nonce[SJ_KEYSTREAM_NONCE_BYTES], const float* in,
                                    float* out, size_t n)
{
    sj_status s = check_common(ks, in, out, n, nonce, "sj_keystream_decrypt_soft");
    if (s != SJ_OK)
        return s;
    for (size_t i = 0; i < n; i++)
        if (!isfinite(in[i]))
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_decrypt_soft: value at index %zu is not finite", i);
    const double q = (double)ks->q;
    ks_gen g;
    gen_init(&g, ks->key, nonce);
    for (size_t i = 0; i < n; i++) {
        double v = (double)in[i] - (double)gen_next(&g, ks->q, ks->mask);
        v -= q * floor(v / q);
        float f = (float)v;
        /* Rounding to float can land exactly on q (e.g. q - 1e-5); that point is 0 mod q. */
        if (!(f < (float)q) || f < 0.0f)
            f = 0.0f;
        out[i] = f;
    }
    gen_wipe(&g);
    return SJ_OK;
}

sj_status sj_keystream_key_generate(uint8_t key[SJ_KEYSTREAM_KEY_BYTES])
{
    if (!key)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_key_generate: key is NULL");
    if (sodium_init() < 0)
        return sj_fail(SJ_ERR_CRYPTO, "sj_keystream_key_generate: libsodium could not be initialised");
    crypto_stream_xchacha20_keygen(key);
    return SJ_OK;
}

sj_status sj_keystream_key_save(const uint8_t key[SJ_KEYSTREAM_KEY_BYTES], const char* path, int force)
{
    if (!key)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_key_save: key is NULL");
    return sj_keyfile_write(path, SJ_KEYFILE_KEYSTREAM, NULL, 0, key, SJ_KEYSTREAM_KEY_BYTES, 1, force);
}

sj_status sj_keystream_key_load(const char* path, uint8_t key[SJ_KEYSTREAM_KEY_BYTES])
{
    if (!key)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_keystream_key_load: key is NULL");
    void *h = NULL, *p = NULL;
    size_t hl = 0, pl = 0;
    sj_status s = sj_keyfile_read(path, SJ_KEYFILE_KEYSTREAM, &h, &hl, &p, &pl);
    if (s != SJ_OK)
        return s;
    if (hl != 0 || pl != SJ_KEYSTREAM_KEY_BYTES) {
        sj_keyfile_free(h, hl);
        sj_keyfile_free(p, pl);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: a keystream key has no header and %d key bytes, found %zu and %zu",
                       path, SJ_KEYSTREAM_KEY_BYTES, hl, pl);
    }
    memcpy(key, p, SJ_KEYSTREAM_KEY_BYTES);
    sj_keyfile_free(h, hl);
    sj_keyfile_free(p, pl);
    return SJ_OK;
}
