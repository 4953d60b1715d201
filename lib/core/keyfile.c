/* The key-file container of keyfile.h (format in docs/key-files.md).
 *
 * Writing never leaves a partial key behind: the bytes go to a fresh temporary file in the
 * target's folder (created with O_EXCL and the final mode, so a secret is never readable by
 * others even for an instant), are flushed to disk, and only then take the final name.
 * Reading trusts nothing in the file until the fixed header, the lengths and the exact file
 * size agree and the BLAKE2b checksum over everything matches. */
#define _POSIX_C_SOURCE 200809L
#include "le_bytes.h"
#include "securejscc/keyfile.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sodium.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

static const uint8_t sj_keyfile_magic[8] = { 'S', 'J', 'K', 'E', 'Y', '\0', '\r', '\n' };

#define SJ_KF_FIXED 24u
#define SJ_KF_SUM crypto_generichash_BYTES /* 32: BLAKE2b-256 */

/* Buffers handed to callers carry a 16-byte prefix that records which allocator made
 * them, because sj_keyfile_free() gets only the pointer and must release secret buffers
 * with sodium_free and public ones with free. 16 bytes keep the payload 16-byte aligned
 * (sodium_malloc returns an aligned pointer when the size is a multiple of 16). */
#define SJ_KF_PREFIX 16u
static const uint64_t sj_kf_tag_heap = 0x534a4b4648454150ull;   /* "SJKFHEAP" */
static const uint64_t sj_kf_tag_secure = 0x534a4b4653454355ull; /* "SJKFSECU" */

static int kind_is_valid(int kind)
{
    return kind == SJ_KEYFILE_LWE_PUBLIC || kind == SJ_KEYFILE_LWE_SECRET || kind == SJ_KEYFILE_KEYSTREAM;
}

static int kind_is_secret(int kind) { return kind == SJ_KEYFILE_LWE_SECRET || kind == SJ_KEYFILE_KEYSTREAM; }

static const char* kind_name(int kind)
{
    switch (kind) {
    case SJ_KEYFILE_LWE_PUBLIC: return "LWE public key";
    case SJ_KEYFILE_LWE_SECRET: return "LWE secret key";
    case SJ_KEYFILE_KEYSTREAM: return "keystream key";
    }
    return "unknown";
}

static void* kf_alloc(size_t len, int secret)
{
    size_t body = (len + 15u) & ~(size_t)15u;
    if (body < len || body > SIZE_MAX - SJ_KF_PREFIX)
        return NULL;
    uint8_t* base = secret ? sodium_malloc(body + SJ_KF_PREFIX) : malloc(body + SJ_KF_PREFIX);
    if (!base)
        return NULL;
    uint64_t tag = secret ? sj_kf_tag_secure : sj_kf_tag_heap;
    memcpy(base, &tag, sizeof tag);
    uint64_t size = body + SJ_KF_PREFIX;
    memcpy(base + 8, &size, sizeof size);
    return base + SJ_KF_PREFIX;
}

void sj_keyfile_free(void* buf, size_t len)
{
    (void)len; /* the prefix knows the true size; len is kept for the API's symmetry */
    if (!buf)
        return;
    uint8_t* base = (uint8_t*)buf - SJ_KF_PREFIX;
    uint64_t tag, size;
    memcpy(&tag, base, sizeof tag);
    memcpy(&size, base + 8, sizeof size);
    if (tag == sj_kf_tag_secure) {
        sodium_free(base); /* zeroes the region itself */
    } else {
        sodium_memzero(base, (size_t)size);
        free(base);
    }
}

static int write_all(int fd, const void* buf, size_t n)
{
    const uint8_t* p = buf;
    while (n > 0) {
        size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
        ssize_t w = write(fd, p, chunk);
        if (w < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        p += w;
        n -= (size_t)w;
    }
    return 0;
}

/* 0 on success, 1 at a clean end of file before n bytes, -1 on error (errno set). */
static int read_all(int fd, void* buf, size_t n)
{
    uint8_t* p = buf;
    while (n > 0) {
        size_t chunk = n > ((size_t)1 << 30) ? ((size_t)1 << 30) : n;
        ssize_t r = read(fd, p, chunk);
        if (r < 0) {
            if (errno == EINTR)
                continue;
            return -1;
        }
        if (r == 0)
            return 1;
        p += r;
        n -= (size_t)r;
    }
    return 0;
}

/* Flushes the folder holding path so that the rename itself survives a crash. Best effort:
 * some file systems refuse fsync on directories and the key is already complete. */
static void sync_parent_dir(const char* path)
{
    const char* slash = strrchr(path, '/');
    char dir[PATH_MAX];
    if (!slash) {
        strcpy(dir, ".");
    } else {
        size_t len = (size_t)(slash - path);
        if (len == 0)
            len = 1; /* the root folder */
        if (len >= sizeof dir)
            return;
        memcpy(dir, path, len);
        dir[len] = '\0';
    }
    int dfd = open(dir, O_RDONLY | O_CLOEXEC);
    if (dfd >= 0) {
        (void)fsync(dfd);
        close(dfd);
    }
}

sj_status sj_keyfile_write(const char* path, sj_keyfile_kind kind, const void* header, size_t header_len,
                           const void* payload, size_t payload_len, int secret, int force)
{
    if (!path || !*path)
        return sj_fail(SJ_ERR_INVALID_ARG, "key file: path is NULL or empty");
    if (!kind_is_valid((int)kind))
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: unknown kind %d", path, (int)kind);
    if ((header_len > 0 && !header) || (payload_len > 0 && !payload))
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: NULL header or payload with a nonzero length", path);
    if (header_len > UINT32_MAX)
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: header of %zu bytes exceeds the 32-bit length field", path,
                       header_len);
    if ((uint64_t)payload_len > SJ_KEYFILE_MAX_BYTES ||
        (uint64_t)header_len + (uint64_t)payload_len + SJ_KF_FIXED + SJ_KF_SUM > SJ_KEYFILE_MAX_BYTES)
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: %zu + %zu bytes exceed the limit of %llu bytes", path,
                       header_len, payload_len, (unsigned long long)SJ_KEYFILE_MAX_BYTES);
    if (kind_is_secret((int)kind) && !secret)
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: a %s must be written as a secret (mode 0600)", path,
                       kind_name((int)kind));
    if (sodium_init() < 0)
        return sj_fail(SJ_ERR_CRYPTO, "key file %s: libsodium could not be initialised", path);

    struct stat st;
    if (!force && lstat(path, &st) == 0)
        return sj_fail(SJ_ERR_EXISTS, "key file %s already exists; refusing to overwrite it (use force)", path);

    size_t plen = strlen(path);
    char* tmp = malloc(plen + 32);
    if (!tmp)
        return sj_fail(SJ_ERR_NOMEM, "key file %s: out of memory", path);

    const mode_t mode = secret ? 0600 : 0644;
    int fd = -1;
    for (int attempt = 0; attempt < 16 && fd < 0; attempt++) {
        uint8_t rnd[8];
        randombytes_buf(rnd, sizeof rnd);
        char hex[2 * sizeof rnd + 1];
        sodium_bin2hex(hex, sizeof hex, rnd, sizeof rnd);
        snprintf(tmp, plen + 32, "%s.tmp-%s", path, hex);
        fd = open(tmp, O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, mode);
        if (fd < 0 && errno != EEXIST)
            break;
    }
    if (fd < 0) {
        sj_status s = sj_fail(SJ_ERR_IO, "key file %s: cannot create a temporary file beside it: %s", path,
                              strerror(errno));
        free(tmp);
        return s;
    }
    /* open() applied the umask, which may only remove bits; set the exact mode so that a
     * public key is readable by others and a secret by its owner alone, whatever the umask. */
    if (fchmod(fd, mode) != 0) {
        sj_status s = sj_fail(SJ_ERR_IO, "key file %s: cannot set mode %o: %s", path, (unsigned)mode,
                              strerror(errno));
        close(fd);
        unlink(tmp);
        free(tmp);
        return s;
    }

    uint8_t fixed[SJ_KF_FIXED];
    memcpy(fixed, sj_keyfile_magic, 8);
    sj_put_le(fixed + 8, SJ_KEYFILE_VERSION, 2);
    sj_put_le(fixed + 10, (uint64_t)kind, 2);
    sj_put_le(fixed + 12, (uint64_t)header_len, 4);
    sj_put_le(fixed + 16, (uint64_t)payload_len, 8);

    crypto_generichash_state h;
    uint8_t sum[SJ_KF_SUM];
    crypto_generichash_init(&h, NULL, 0, SJ_KF_SUM);
    crypto_generichash_update(&h, fixed, sizeof fixed);
    if (header_len)
        crypto_generichash_update(&h, header, header_len);
    if (payload_len)
        crypto_generichash_update(&h, payload, payload_len);
    crypto_generichash_final(&h, sum, sizeof sum);
    sodium_memzero(&h, sizeof h); /* the state saw secret bytes */

    int err = 0;
    const char* what = "write";
    if (write_all(fd, fixed, sizeof fixed) || (header_len && write_all(fd, header, header_len)) ||
        (payload_len && write_all(fd, payload, payload_len)) || write_all(fd, sum, sizeof sum))
        err = errno;
    else if (fsync(fd) != 0)
        err = errno, what = "flush";
    if (close(fd) != 0 && !err)
        err = errno, what = "close";
    if (err) {
        unlink(tmp);
        free(tmp);
        return sj_fail(SJ_ERR_IO, "key file %s: cannot %s the temporary file: %s", path, what, strerror(err));
    }

    if (force) {
        if (rename(tmp, path) != 0) {
            err = errno;
            unlink(tmp);
            free(tmp);
            return sj_fail(SJ_ERR_IO, "key file %s: cannot rename the temporary file into place: %s", path,
                           strerror(err));
        }
    } else {
        /* link() fails if the name exists, so a file that appeared since the check above is
         * still never replaced. */
        if (link(tmp, path) != 0) {
            err = errno;
            if (err == EEXIST) {
                unlink(tmp);
                free(tmp);
                return sj_fail(SJ_ERR_EXISTS, "key file %s already exists; refusing to overwrite it (use force)",
                               path);
            }
            /* File systems without hard links: fall back to a checked rename. */
            if (lstat(path, &st) == 0) {
                unlink(tmp);
                free(tmp);
                return sj_fail(SJ_ERR_EXISTS, "key file %s already exists; refusing to overwrite it (use force)",
                               path);
            }
            if (rename(tmp, path) != 0) {
                err = errno;
                unlink(tmp);
                free(tmp);
                return sj_fail(SJ_ERR_IO, "key file %s: cannot rename the temporary file into place: %s", path,
                               strerror(err));
            }
        } else {
            unlink(tmp);
        }
    }
    free(tmp);
    sync_parent_dir(path);
    return SJ_OK;
}

sj_status sj_keyfile_read(const char* path, sj_keyfile_kind expected_kind, void** header, size_t* header_len,
                          void** payload, size_t* payload_len)
{
    if (!path || !*path)
        return sj_fail(SJ_ERR_INVALID_ARG, "key file: path is NULL or empty");
    if (!payload || !payload_len || (header && !header_len))
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: NULL output pointer", path);
    if (!kind_is_valid((int)expected_kind))
        return sj_fail(SJ_ERR_INVALID_ARG, "key file %s: unknown expected kind %d", path, (int)expected_kind);
    if (sodium_init() < 0)
        return sj_fail(SJ_ERR_CRYPTO, "key file %s: libsodium could not be initialised", path);
    *payload = NULL;
    *payload_len = 0;
    if (header) {
        *header = NULL;
        *header_len = 0;
    }

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return sj_fail(SJ_ERR_IO, "key file %s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0) {
        int e = errno;
        close(fd);
        return sj_fail(SJ_ERR_IO, "key file %s: cannot stat: %s", path, strerror(e));
    }
    if (!S_ISREG(st.st_mode)) {
        close(fd);
        return sj_fail(SJ_ERR_IO, "key file %s: not a regular file", path);
    }
    const uint64_t fsize = (uint64_t)st.st_size;
    if (fsize < SJ_KF_FIXED + SJ_KF_SUM) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: %llu bytes is too short for a key file (truncated?)", path,
                       (unsigned long long)fsize);
    }
    if (fsize > SJ_KEYFILE_MAX_BYTES) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: %llu bytes exceeds the limit of %llu bytes", path,
                       (unsigned long long)fsize, (unsigned long long)SJ_KEYFILE_MAX_BYTES);
    }

    uint8_t fixed[SJ_KF_FIXED];
    int r = read_all(fd, fixed, sizeof fixed);
    if (r != 0) {
        int e = errno;
        close(fd);
        return r > 0 ? sj_fail(SJ_ERR_FORMAT, "key file %s: truncated header", path)
                     : sj_fail(SJ_ERR_IO, "key file %s: read error: %s", path, strerror(e));
    }
    if (memcmp(fixed, sj_keyfile_magic, 8) != 0) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: not a securejscc key file (bad magic)", path);
    }
    const unsigned version = (unsigned)sj_get_le(fixed + 8, 2);
    const unsigned kind = (unsigned)sj_get_le(fixed + 10, 2);
    const uint64_t hlen = sj_get_le(fixed + 12, 4);
    const uint64_t plen = sj_get_le(fixed + 16, 8);
    if (version != SJ_KEYFILE_VERSION) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: format version %u, this library reads version %d", path,
                       version, SJ_KEYFILE_VERSION);
    }
    if (kind != (unsigned)expected_kind) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT, "key file %s: holds a %s (kind %u), expected a %s", path,
                       kind_name((int)kind), kind, kind_name((int)expected_kind));
    }
    /* hlen < 2^32 and plen is compared before adding, so the sum cannot overflow. */
    if (plen > SJ_KEYFILE_MAX_BYTES || SJ_KF_FIXED + hlen + plen + SJ_KF_SUM != fsize) {
        close(fd);
        return sj_fail(SJ_ERR_FORMAT,
                       "key file %s: header says %llu + %llu bytes but the file has %llu bytes (truncated or "
                       "damaged)",
                       path, (unsigned long long)hlen, (unsigned long long)plen, (unsigned long long)fsize);
    }

    const int secret = kind_is_secret((int)kind);
    uint8_t* hbuf = kf_alloc((size_t)hlen, secret);
    uint8_t* pbuf = kf_alloc((size_t)plen, secret);
    if (!hbuf || !pbuf) {
        sj_keyfile_free(hbuf, (size_t)hlen);
        sj_keyfile_free(pbuf, (size_t)plen);
        close(fd);
        return sj_fail(SJ_ERR_NOMEM, "key file %s: cannot allocate %llu bytes", path,
                       (unsigned long long)(hlen + plen));
    }
    uint8_t sum[SJ_KF_SUM], expect[SJ_KF_SUM];
    r = 0;
    if (hlen)
        r = read_all(fd, hbuf, (size_t)hlen);
    if (r == 0 && plen)
        r = read_all(fd, pbuf, (size_t)plen);
    if (r == 0)
        r = read_all(fd, sum, sizeof sum);
    int e = errno;
    close(fd);
    if (r != 0) {
        sj_keyfile_free(hbuf, (size_t)hlen);
        sj_keyfile_free(pbuf, (size_t)plen);
        /* The size was checked, so a short read means the file changed while being read. */
        return r > 0 ? sj_fail(SJ_ERR_FORMAT, "key file %s: truncated while reading", path)
                     : sj_fail(SJ_ERR_IO, "key file %s: read error: %s", path, strerror(e));
    }

    crypto_generichash_state h;
    crypto_generichash_init(&h, NULL, 0, SJ_KF_SUM);
    crypto_generichash_update(&h, fixed, sizeof fixed);
    crypto_generichash_update(&h, hbuf, (size_t)hlen);
    crypto_generichash_update(&h, pbuf, (size_t)plen);
    crypto_generichash_final(&h, expect, sizeof expect);
    sodium_memzero(&h, sizeof h);
    if (sodium_memcmp(sum, expect, sizeof sum) != 0) {
        sj_keyfile_free(hbuf, (size_t)hlen);
        sj_keyfile_free(pbuf, (size_t)plen);
        return sj_fail(SJ_ERR_CHECKSUM, "key file %s: checksum mismatch (the file was altered or damaged)", path);
    }

    *payload = pbuf;
    *payload_len = (size_t)plen;
    if (header) {
        *header = hbuf;
        *header_len = (size_t)hlen;
    } else {
        sj_keyfile_free(hbuf, (size_t)hlen);
    }
    return SJ_OK;
}
