/* LWE key generation, key objects and key files (lwe.h, docs/key-files-lwe.md).
 *
 *   A uniform in Z_p^{n1 x n2}; S (n2 x l) and U (n1 x l) discrete Gaussian(s);
 *   P = U - A S mod p.  Public key (A, P), secret key S.
 *
 * Both key files carry the same 64-byte kind-specific header: preset id, n1, n2, p, l, s
 * and the 32-byte key id, BLAKE2b-256 of the public header fields (bytes 0..31) followed
 * by the public payload, so that a secret key can be matched to its public key without
 * opening both. */
#include "le_bytes.h"
#include "lwe_internal.h"
#include "securejscc/keyfile.h"

#include <sodium.h>
#include <stdlib.h>
#include <string.h>

/* Columns of P computed together in keygen: the n2 x TILE slice of S (1 MiB at n2 = 256)
 * stays in cache while all n1 rows use it, instead of streaming all of S n1 times. */
#define SJ_KEYGEN_TILE 2048u

/* Header bytes 0..31; bytes 32..63 are the key id. */
static void header_fields(uint8_t h[32], sj_lwe_preset preset, const sj_lwe_params* pp, size_t l)
{
    uint64_t sbits;
    memcpy(&sbits, &pp->s, sizeof sbits); /* IEEE-754 binary64, stored little-endian */
    sj_put_le(h + 0, (uint64_t)preset, 4);
    sj_put_le(h + 4, pp->n1, 4);
    sj_put_le(h + 8, pp->n2, 4);
    sj_put_le(h + 12, pp->p, 4);
    sj_put_le(h + 16, (uint64_t)l, 8);
    sj_put_le(h + 24, sbits, 8);
}

/* Canonical [0, p) little-endian uint16 of centred values (public matrices). */
static void put_canonical(uint8_t* dst, const int16_t* src, size_t n, int32_t p)
{
    for (size_t i = 0; i < n; i++)
        sj_put_le(dst + 2 * i, sj_lwe_uncenter(src[i], p), 2);
}

static void key_id(const struct sj_lwe_pubkey* pub, uint8_t id[SJ_LWE_ID_BYTES])
{
    const sj_lwe_params* pp = pub->params;
    uint8_t h[32], chunk[8192];
    crypto_generichash_state st;
    header_fields(h, pub->preset, pp, pub->l);
    crypto_generichash_init(&st, NULL, 0, SJ_LWE_ID_BYTES);
    crypto_generichash_update(&st, h, sizeof h);
    /* Same bytes as the file payload (A then P), hashed in chunks to avoid a copy. */
    const int16_t* mats[2] = { pub->A, pub->P };
    size_t lens[2] = { (size_t)pp->n1 * pp->n2, (size_t)pp->n1 * pub->l };
    for (int m = 0; m < 2; m++) {
        for (size_t off = 0; off < lens[m]; off += sizeof chunk / 2) {
            size_t n = lens[m] - off < sizeof chunk / 2 ? lens[m] - off : sizeof chunk / 2;
            put_canonical(chunk, mats[m] + off, n, (int32_t)pp->p);
            crypto_generichash_update(&st, chunk, 2 * n);
        }
    }
    crypto_generichash_final(&st, id, SJ_LWE_ID_BYTES);
}

static sj_status alloc_pair(sj_lwe_preset preset, size_t l, struct sj_lwe_pubkey** pub, struct sj_lwe_seckey** sec)
{
    const sj_lwe_params* pp = sj_lwe_preset_params(preset);
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    if (pub != NULL) {
        *pub = calloc(1, sizeof **pub);
        if (*pub == NULL)
            return sj_fail(SJ_ERR_NOMEM, "LWE public key: out of memory");
        (*pub)->preset = preset, (*pub)->params = pp, (*pub)->l = l;
        (*pub)->A = malloc((size_t)pp->n1 * pp->n2 * sizeof(int16_t));
        (*pub)->P = malloc((size_t)pp->n1 * l * sizeof(int16_t));
        if ((*pub)->A == NULL || (*pub)->P == NULL)
            return sj_fail(SJ_ERR_NOMEM, "LWE public key: cannot allocate %zu bytes",
                           ((size_t)pp->n1 * pp->n2 + (size_t)pp->n1 * l) * 2);
    }
    if (sec != NULL) {
        *sec = calloc(1, sizeof **sec);
        if (*sec == NULL)
            return sj_fail(SJ_ERR_NOMEM, "LWE secret key: out of memory");
        (*sec)->preset = preset, (*sec)->params = pp, (*sec)->l = l;
        (*sec)->S = sodium_malloc((size_t)pp->n2 * l * sizeof(int16_t));
        if ((*sec)->S == NULL)
            return sj_fail(SJ_ERR_NOMEM, "LWE secret key: cannot allocate %zu bytes of protected memory",
                           (size_t)pp->n2 * l * 2);
    }
    return SJ_OK;
}

static sj_status check_preset_l(sj_lwe_preset preset, size_t l)
{
    if (sj_lwe_preset_params(preset) == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "unknown LWE preset id %d", (int)preset);
    if (l < 1 || l > SJ_LWE_MAX_L)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE block length l must be in [1, %zu], got %zu", SJ_LWE_MAX_L, l);
    return SJ_OK;
}

sj_status sj_lwe_keygen(sj_lwe_preset preset, size_t l, sj_lwe_pubkey** pub, sj_lwe_seckey** sec)
{
    if (pub == NULL || sec == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE keygen: output pointer is NULL");
    *pub = NULL, *sec = NULL;
    sj_status st = check_preset_l(preset, l);
    if (st != SJ_OK)
        return st;
    const sj_lwe_params* pp = sj_lwe_preset_params(preset);
    const size_t n1 = pp->n1, n2 = pp->n2;
    const int32_t p = (int32_t)pp->p;
    sj_csprng* rng = NULL;
    sj_dgauss* g = NULL;
    size_t tile = l < SJ_KEYGEN_TILE ? l : SJ_KEYGEN_TILE;
    int32_t* acc = malloc(2 * tile * sizeof *acc); /* a row tile of U, then of A S */
    if (acc == NULL) {
        st = sj_fail(SJ_ERR_NOMEM, "LWE keygen: out of memory");
        goto out;
    }
    int32_t* as = acc + tile;
    if ((st = alloc_pair(preset, l, pub, sec)) != SJ_OK || (st = sj_csprng_create_random(&rng)) != SJ_OK ||
        (st = sj_dgauss_create(pp->s, &g)) != SJ_OK)
        goto out;

    for (size_t i = 0; i < n1 * n2; i++)
        (*pub)->A[i] = sj_lwe_center(sj_csprng_uniform(rng, (uint32_t)p), (uint32_t)p);
    int16_t* S = (*sec)->S;
    for (size_t r = 0; r < n2; r++) {
        for (size_t j0 = 0; j0 < l; j0 += tile) {
            size_t w = l - j0 < tile ? l - j0 : tile;
            sj_dgauss_sample(g, rng, acc, w);
            for (size_t j = 0; j < w; j++)
                S[r * l + j0 + j] = (int16_t)acc[j];
        }
    }
    /* P = U - A S, one column tile at a time. */
    for (size_t j0 = 0; j0 < l; j0 += tile) {
        size_t w = l - j0 < tile ? l - j0 : tile;
        for (size_t i = 0; i < n1; i++) {
            sj_dgauss_sample(g, rng, acc, w);
            memset(as, 0, w * sizeof *as);
            sj_lwe_gemv_rows(as, S + j0, l, (*pub)->A + i * n2, n2, w); /* row i of A S */
            int16_t* prow = (*pub)->P + i * l + j0;
            for (size_t j = 0; j < w; j++)
                prow[j] = sj_lwe_center(sj_lwe_mod((int64_t)acc[j] - as[j], p), (uint32_t)p);
        }
    }
    key_id(*pub, (*pub)->id);
    memcpy((*sec)->id, (*pub)->id, SJ_LWE_ID_BYTES);
out:
    if (acc != NULL)
        sodium_memzero(acc, 2 * tile * sizeof *acc); /* rows of U and A S: secret */
    free(acc);
    sj_dgauss_destroy(g);
    sj_csprng_destroy(rng);
    if (st != SJ_OK) {
        sj_lwe_pubkey_destroy(*pub);
        sj_lwe_seckey_destroy(*sec);
        *pub = NULL, *sec = NULL;
    }
    return st;
}

void sj_lwe_pubkey_destroy(sj_lwe_pubkey* pub)
{
    if (pub == NULL)
        return;
    free(pub->A);
    free(pub->P);
    free(pub);
}

void sj_lwe_seckey_destroy(sj_lwe_seckey* sec)
{
    if (sec == NULL)
        return;
    sodium_free(sec->S); /* sodium_free zeroes the whole allocation before unmapping */
    sodium_memzero(sec, sizeof *sec);
    free(sec);
}

const sj_lwe_params* sj_lwe_pubkey_params(const sj_lwe_pubkey* pub) { return pub ? pub->params : NULL; }
const sj_lwe_params* sj_lwe_seckey_params(const sj_lwe_seckey* sec) { return sec ? sec->params : NULL; }
size_t sj_lwe_pubkey_block_length(const sj_lwe_pubkey* pub) { return pub ? pub->l : 0; }
size_t sj_lwe_seckey_block_length(const sj_lwe_seckey* sec) { return sec ? sec->l : 0; }
const uint8_t* sj_lwe_pubkey_id(const sj_lwe_pubkey* pub) { return pub ? pub->id : NULL; }
const uint8_t* sj_lwe_seckey_id(const sj_lwe_seckey* sec) { return sec ? sec->id : NULL; }

/* Both kinds: the 64-byte header, then A and P as canonical uint16 (public) or S as
 * two's complement int16 (secret), little-endian. Secret payloads live in locked memory. */
static sj_status save_key(const struct sj_lwe_pubkey* pub, const struct sj_lwe_seckey* sec, const char* path, int force)
{
    const char* what = pub ? "public" : "secret";
    if ((pub == NULL && sec == NULL) || path == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE %s key save: key or path is NULL", what);
    const sj_lwe_params* pp = pub ? pub->params : sec->params;
    const size_t l = pub ? pub->l : sec->l, na = (size_t)pp->n1 * pp->n2;
    const size_t n = pub ? na + (size_t)pp->n1 * l : (size_t)pp->n2 * l;
    sj_status st = sj_sodium_ready();
    if (st != SJ_OK)
        return st;
    uint8_t hdr[SJ_LWE_HEADER_BYTES];
    uint8_t* payload = pub ? malloc(2 * n) : sodium_malloc(2 * n);
    if (payload == NULL)
        return sj_fail(SJ_ERR_NOMEM, "LWE %s key save: cannot allocate %zu bytes", what, 2 * n);
    header_fields(hdr, pub ? pub->preset : sec->preset, pp, l);
    memcpy(hdr + 32, pub ? pub->id : sec->id, SJ_LWE_ID_BYTES);
    if (pub) {
        put_canonical(payload, pub->A, na, (int32_t)pp->p);
        put_canonical(payload + 2 * na, pub->P, n - na, (int32_t)pp->p);
    } else {
        for (size_t i = 0; i < n; i++)
            sj_put_le(payload + 2 * i, (uint16_t)sec->S[i], 2);
    }
    st = sj_keyfile_write(path, pub ? SJ_KEYFILE_LWE_PUBLIC : SJ_KEYFILE_LWE_SECRET, hdr, sizeof hdr, payload, 2 * n,
                          pub == NULL, force);
    if (pub)
        free(payload);
    else
        sodium_free(payload); /* zeroes the copy of S */
    return st;
}

sj_status sj_lwe_pubkey_save(const sj_lwe_pubkey* pub, const char* path, int force)
{
    return pub ? save_key(pub, NULL, path, force) : sj_fail(SJ_ERR_INVALID_ARG, "LWE public key save: key is NULL");
}

sj_status sj_lwe_seckey_save(const sj_lwe_seckey* sec, const char* path, int force)
{
    return sec ? save_key(NULL, sec, path, force) : sj_fail(SJ_ERR_INVALID_ARG, "LWE secret key save: key is NULL");
}

/* Loads a public (pubo != NULL) or secret key. Nothing in the file is trusted: the header
 * must repeat a preset's exact (n1, n2, p, s), l must be in range, the payload length must
 * follow from them, every value must be one the key generator can produce, and a public
 * key's stored id must be the hash of its contents. */
static sj_status load_key(const char* path, sj_lwe_pubkey** pubo, sj_lwe_seckey** seco)
{
    const char* what = pubo ? "public" : "secret";
    if (path == NULL || (pubo == NULL && seco == NULL))
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE %s key load: path or output pointer is NULL", what);
    uint8_t *hdr = NULL, *pl = NULL, expect[32];
    size_t hlen = 0, plen = 0;
    sj_status st = sj_keyfile_read(path, pubo ? SJ_KEYFILE_LWE_PUBLIC : SJ_KEYFILE_LWE_SECRET, (void**)&hdr, &hlen,
                                   (void**)&pl, &plen);
    if (st != SJ_OK)
        return st;
    const int hdr_ok = hlen == SJ_LWE_HEADER_BYTES;
    uint64_t id = hdr_ok ? sj_get_le(hdr, 4) : 0, l = hdr_ok ? sj_get_le(hdr + 16, 8) : 0;
    const sj_lwe_params* pp = id < 4 ? sj_lwe_preset_params((sj_lwe_preset)id) : NULL;
    if (pp != NULL)
        header_fields(expect, (sj_lwe_preset)id, pp, (size_t)l);
    if (!hdr_ok || pp == NULL || l < 1 || l > SJ_LWE_MAX_L || memcmp(expect, hdr, 32) != 0) {
        st = sj_fail(SJ_ERR_FORMAT, "%s: LWE %s key header (%zu bytes) does not hold a known preset's n1, n2, p, s and "
                     "a block length l in [1, 2^24]", path, what, hlen);
        goto done;
    }
    const size_t na = (size_t)pp->n1 * pp->n2, n = pubo ? na + (size_t)pp->n1 * l : (size_t)pp->n2 * l;
    if (plen != 2 * n) {
        st = sj_fail(SJ_ERR_FORMAT, "%s: LWE %s key payload is %zu bytes, expected %zu", path, what, plen, 2 * n);
        goto done;
    }
    struct sj_lwe_pubkey* pub = NULL;
    struct sj_lwe_seckey* sec = NULL;
    if ((st = alloc_pair((sj_lwe_preset)id, (size_t)l, pubo ? &pub : NULL, seco ? &sec : NULL)) == SJ_OK) {
        const int32_t p = (int32_t)pp->p, T = (int32_t)sj_dgauss_tail_bound(pp->s);
        for (size_t i = 0; i < n && st == SJ_OK; i++) {
            int32_t v = pub ? (int32_t)sj_get_le(pl + 2 * i, 2) : (int16_t)(uint16_t)sj_get_le(pl + 2 * i, 2);
            if (pub ? v >= p : (v < -T || v > T))
                st = sj_fail(SJ_ERR_FORMAT, "%s: %s key value %d at index %zu is out of range", path, what, (int)v, i);
            else if (sec)
                sec->S[i] = (int16_t)v;
            else if (i < na)
                pub->A[i] = sj_lwe_center((uint32_t)v, (uint32_t)p);
            else
                pub->P[i - na] = sj_lwe_center((uint32_t)v, (uint32_t)p);
        }
        uint8_t* kid = pub ? pub->id : sec->id;
        if (pub && st == SJ_OK)
            key_id(pub, kid);
        if (st == SJ_OK && pub && memcmp(kid, hdr + 32, SJ_LWE_ID_BYTES) != 0)
            st = sj_fail(SJ_ERR_FORMAT, "%s: stored key id does not match the public key's contents", path);
        memcpy(kid, hdr + 32, SJ_LWE_ID_BYTES);
    }
    if (st != SJ_OK) {
        sj_lwe_pubkey_destroy(pub);
        sj_lwe_seckey_destroy(sec);
    } else if (pubo) {
        *pubo = pub;
    } else {
        *seco = sec;
    }
done:
    sj_keyfile_free(hdr, hlen);
    sj_keyfile_free(pl, plen);
    return st;
}

sj_status sj_lwe_pubkey_load(const char* path, sj_lwe_pubkey** out)
{
    if (out != NULL)
        *out = NULL;
    return out ? load_key(path, out, NULL) : sj_fail(SJ_ERR_INVALID_ARG, "LWE public key load: output pointer is NULL");
}

sj_status sj_lwe_seckey_load(const char* path, sj_lwe_seckey** out)
{
    if (out != NULL)
        *out = NULL;
    return out ? load_key(path, NULL, out) : sj_fail(SJ_ERR_INVALID_ARG, "LWE secret key load: output pointer is NULL");
}
