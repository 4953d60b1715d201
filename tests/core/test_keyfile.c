/* Key-file container: round trip, modes, refusal to overwrite, and every way a damaged or
 * foreign file must be refused with the right code. */
#define _POSIX_C_SOURCE 200809L
#include "sj_test.h"

#include <securejscc/keyfile.h>

#include <sodium.h>
#include <stdint.h>
#include <sys/stat.h>
#include <unistd.h>

/* SJ_REQUIRE evaluates its condition twice (once in SJ_CHECK, once to return), so every
 * call with a side effect is made first and only its result is checked. */

static void tmp_path(char* buf, size_t n, const char* name)
{
    const char* dir = getenv("SJ_TEST_TMP");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(buf, n, "%s/test_keyfile_%ld_%s", dir, (long)getpid(), name);
    unlink(buf);
}

static long file_size(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long)st.st_size : -1;
}

static unsigned file_mode(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (unsigned)(st.st_mode & 07777) : 0xffffu;
}

static int read_file(const char* path, uint8_t* buf, size_t cap, size_t* len)
{
    FILE* f = fopen(path, "rb");
    if (!f)
        return -1;
    *len = fread(buf, 1, cap, f);
    fclose(f);
    return 0;
}

static int write_file(const char* path, const uint8_t* buf, size_t len)
{
    FILE* f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(buf, 1, len, f);
    fclose(f);
    return w == len ? 0 : -1;
}

static const uint8_t hdr[5] = { 1, 2, 3, 4, 5 };
static uint8_t pay[1000];

static void fill_payload(void)
{
    for (size_t i = 0; i < sizeof pay; i++)
        pay[i] = (uint8_t)(i * 37u + 11u);
}

SJ_TEST(round_trip_secret)
{
    char path[512];
    tmp_path(path, sizeof path, "rt.key");
    fill_payload();
    sj_status s = sj_keyfile_write(path, SJ_KEYFILE_LWE_SECRET, hdr, sizeof hdr, pay, sizeof pay, 1, 0);
    SJ_REQUIRE(s == SJ_OK, "write: %s", sj_last_error());
    SJ_CHECK(file_size(path) == 24 + 5 + 1000 + 32, "size %ld", file_size(path));
    SJ_CHECK(file_mode(path) == 0600, "mode %o", file_mode(path));
    void *h = NULL, *p = NULL;
    size_t hl = 0, pl = 0;
    s = sj_keyfile_read(path, SJ_KEYFILE_LWE_SECRET, &h, &hl, &p, &pl);
    SJ_REQUIRE(s == SJ_OK, "read: %s", sj_last_error());
    SJ_CHECK(hl == sizeof hdr && memcmp(h, hdr, hl) == 0, "header differs");
    SJ_CHECK(pl == sizeof pay && memcmp(p, pay, pl) == 0, "payload differs");
    SJ_CHECK(((uintptr_t)p & 15u) == 0, "payload not 16-byte aligned");
    sj_keyfile_free(h, hl);
    sj_keyfile_free(p, pl);
    unlink(path);
}

SJ_TEST(round_trip_public_mode_and_empty_header)
{
    char path[512];
    tmp_path(path, sizeof path, "pub.key");
    fill_payload();
    mode_t old = umask(077); /* a strict umask must not make the public key private */
    sj_status s = sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, pay, sizeof pay, 0, 0);
    umask(old);
    SJ_REQUIRE(s == SJ_OK, "write: %s", sj_last_error());
    SJ_CHECK(file_mode(path) == 0644, "mode %o", file_mode(path));
    void *h = NULL, *p = NULL;
    size_t hl = 99, pl = 0;
    s = sj_keyfile_read(path, SJ_KEYFILE_LWE_PUBLIC, &h, &hl, &p, &pl);
    SJ_REQUIRE(s == SJ_OK, "read: %s", sj_last_error());
    SJ_CHECK(hl == 0, "header length %zu", hl);
    SJ_CHECK(pl == sizeof pay && memcmp(p, pay, pl) == 0, "payload differs");
    sj_keyfile_free(h, hl);
    sj_keyfile_free(p, pl);
    /* Header not wanted: NULL is accepted. */
    s = sj_keyfile_read(path, SJ_KEYFILE_LWE_PUBLIC, NULL, NULL, &p, &pl);
    SJ_CHECK(s == SJ_OK, "read without header: %s", sj_last_error());
    sj_keyfile_free(p, pl);
    unlink(path);
}

SJ_TEST(secret_mode_despite_permissive_umask)
{
    char path[512];
    tmp_path(path, sizeof path, "umask.key");
    mode_t old = umask(0);
    sj_status s = sj_keyfile_write(path, SJ_KEYFILE_KEYSTREAM, NULL, 0, pay, 32, 1, 0);
    umask(old);
    SJ_REQUIRE(s == SJ_OK, "write: %s", sj_last_error());
    SJ_CHECK(file_mode(path) == 0600, "mode %o", file_mode(path));
    unlink(path);
}

SJ_TEST(secret_kind_must_be_secret)
{
    char path[512];
    tmp_path(path, sizeof path, "notsecret.key");
    sj_status s = sj_keyfile_write(path, SJ_KEYFILE_KEYSTREAM, NULL, 0, pay, 32, 0, 0);
    SJ_CHECK(s == SJ_ERR_INVALID_ARG, "got %d", s);
    SJ_CHECK(access(path, F_OK) != 0, "file was created");
}

SJ_TEST(no_overwrite_without_force)
{
    char path[512];
    tmp_path(path, sizeof path, "exists.key");
    fill_payload();
    sj_status s0 = sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, hdr, sizeof hdr, pay, 100, 0, 0);
    SJ_REQUIRE(s0 == SJ_OK, "%s", sj_last_error());
    uint8_t other[10] = { 9, 9, 9 };
    sj_status s = sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, other, sizeof other, 0, 0);
    SJ_CHECK(s == SJ_ERR_EXISTS, "got %d", s);
    SJ_CHECK(strstr(sj_last_error(), path) != NULL, "message does not name the file: %s", sj_last_error());
    SJ_CHECK(file_size(path) == 24 + 5 + 100 + 32, "original changed");
    s = sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, other, sizeof other, 0, 1);
    SJ_CHECK(s == SJ_OK, "force: %s", sj_last_error());
    SJ_CHECK(file_size(path) == 24 + 10 + 32, "not replaced");
    /* Forcing a secret over a public file leaves a 0600 file. */
    s = sj_keyfile_write(path, SJ_KEYFILE_LWE_SECRET, NULL, 0, other, sizeof other, 1, 1);
    SJ_CHECK(s == SJ_OK && file_mode(path) == 0600, "mode %o", file_mode(path));
    unlink(path);
}

SJ_TEST(no_temporary_files_left)
{
    const char* dir = getenv("SJ_TEST_TMP");
    if (!dir || !*dir)
        dir = "/tmp";
    char sub[512], path[600];
    snprintf(sub, sizeof sub, "%s/test_keyfile_dir_%ld", dir, (long)getpid());
    mkdir(sub, 0700);
    snprintf(path, sizeof path, "%s/k.key", sub);
    sj_status s0 = sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, pay, 10, 0, 0);
    SJ_REQUIRE(s0 == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, pay, 10, 0, 0) == SJ_ERR_EXISTS, "exists");
    unlink(path);
    SJ_CHECK(rmdir(sub) == 0, "folder not empty: a temporary file was left behind");
}

/* Writes a valid file and returns its bytes for the damage tests. */
static size_t make_valid(const char* path, uint8_t* buf, size_t cap)
{
    fill_payload();
    unlink(path);
    if (sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, hdr, sizeof hdr, pay, 200, 0, 0) != SJ_OK)
        return 0;
    size_t len = 0;
    if (read_file(path, buf, cap, &len) != 0)
        return 0;
    return len;
}

static sj_status try_read(const char* path, sj_keyfile_kind kind)
{
    void *h = NULL, *p = NULL;
    size_t hl = 0, pl = 0;
    sj_status s = sj_keyfile_read(path, kind, &h, &hl, &p, &pl);
    if (s == SJ_OK) {
        sj_keyfile_free(h, hl);
        sj_keyfile_free(p, pl);
    } else if (h || p) {
        return (sj_status)100; /* outputs must stay NULL on failure */
    }
    return s;
}

SJ_TEST(truncated_refused)
{
    char path[512];
    uint8_t buf[512];
    tmp_path(path, sizeof path, "trunc.key");
    size_t len = make_valid(path, buf, sizeof buf);
    SJ_REQUIRE(len == 24 + 5 + 200 + 32, "len %zu", len);
    const size_t cuts[] = { 0, 1, 10, 23, 24, 40, len - 33, len - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        SJ_REQUIRE(write_file(path, buf, cuts[i]) == 0, "write");
        sj_status s = try_read(path, SJ_KEYFILE_LWE_PUBLIC);
        SJ_CHECK(s == SJ_ERR_FORMAT, "cut at %zu: got %d", cuts[i], s);
        SJ_CHECK(strstr(sj_last_error(), path) != NULL, "message lacks path: %s", sj_last_error());
    }
    /* An extra byte at the end is refused too. */
    buf[len] = 0;
    SJ_REQUIRE(write_file(path, buf, len + 1) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "appended byte accepted");
    unlink(path);
}

SJ_TEST(every_flipped_byte_refused)
{
    char path[512];
    uint8_t buf[512];
    tmp_path(path, sizeof path, "flip.key");
    size_t len = make_valid(path, buf, sizeof buf);
    SJ_REQUIRE(len > 0, "setup");
    for (size_t i = 0; i < len; i++) {
        buf[i] ^= 0x01;
        SJ_REQUIRE(write_file(path, buf, len) == 0, "write");
        sj_status s = try_read(path, SJ_KEYFILE_LWE_PUBLIC);
        buf[i] ^= 0x01;
        /* Bytes in the fixed header are caught as format errors, everything else by the
         * checksum; either way the file must never load. */
        sj_status want = i < 24 ? SJ_ERR_FORMAT : SJ_ERR_CHECKSUM;
        if (i >= 12 && i < 24)
            want = SJ_ERR_FORMAT; /* lengths no longer match the size */
        SJ_CHECK(s == want, "flip at byte %zu: got %d want %d", i, s, want);
    }
    unlink(path);
}

SJ_TEST(wrong_kind_magic_version)
{
    char path[512];
    uint8_t buf[512];
    tmp_path(path, sizeof path, "kind.key");
    size_t len = make_valid(path, buf, sizeof buf);
    SJ_REQUIRE(len > 0, "setup");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_SECRET) == SJ_ERR_FORMAT, "wrong kind accepted");
    SJ_CHECK(strstr(sj_last_error(), "expected") != NULL, "%s", sj_last_error());
    SJ_CHECK(try_read(path, SJ_KEYFILE_KEYSTREAM) == SJ_ERR_FORMAT, "wrong kind accepted");
    SJ_CHECK(try_read(path, (sj_keyfile_kind)7) == SJ_ERR_INVALID_ARG, "bad expected kind");
    buf[0] = 'X';
    SJ_REQUIRE(write_file(path, buf, len) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "bad magic accepted");
    SJ_CHECK(strstr(sj_last_error(), "magic") != NULL, "%s", sj_last_error());
    buf[0] = 'S';
    buf[8] = 2; /* version 2 */
    SJ_REQUIRE(write_file(path, buf, len) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "version 2 accepted");
    /* A non-key file (text). */
    const char* text = "this is not a key file at all, just some text to fill sixty bytes.\n";
    SJ_REQUIRE(write_file(path, (const uint8_t*)text, strlen(text)) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "text accepted");
    unlink(path);
}

SJ_TEST(huge_lengths_refused)
{
    char path[512];
    uint8_t buf[512];
    tmp_path(path, sizeof path, "huge.key");
    size_t len = make_valid(path, buf, sizeof buf);
    SJ_REQUIRE(len > 0, "setup");
    memset(buf + 16, 0xff, 8); /* payload length 2^64 - 1: the size check must not overflow */
    SJ_REQUIRE(write_file(path, buf, len) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "huge payload length accepted");
    memset(buf + 12, 0xff, 4);
    SJ_REQUIRE(write_file(path, buf, len) == 0, "write");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_FORMAT, "huge header length accepted");
    unlink(path);
}

SJ_TEST(missing_file_and_bad_args)
{
    char path[512];
    tmp_path(path, sizeof path, "missing.key");
    SJ_CHECK(try_read(path, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_IO, "missing file");
    SJ_CHECK(strstr(sj_last_error(), path) != NULL, "%s", sj_last_error());
    SJ_CHECK(try_read(NULL, SJ_KEYFILE_LWE_PUBLIC) == SJ_ERR_INVALID_ARG, "NULL path");
    SJ_CHECK(sj_keyfile_write(NULL, SJ_KEYFILE_LWE_PUBLIC, NULL, 0, pay, 1, 0, 0) == SJ_ERR_INVALID_ARG, "NULL");
    SJ_CHECK(sj_keyfile_write(path, (sj_keyfile_kind)0, NULL, 0, pay, 1, 0, 0) == SJ_ERR_INVALID_ARG, "kind 0");
    SJ_CHECK(sj_keyfile_write(path, SJ_KEYFILE_LWE_PUBLIC, NULL, 3, pay, 1, 0, 0) == SJ_ERR_INVALID_ARG,
             "NULL header with length");
    SJ_CHECK(sj_keyfile_write("/nonexistent-dir-sj/x.key", SJ_KEYFILE_LWE_PUBLIC, NULL, 0, pay, 1, 0, 0) ==
                 SJ_ERR_IO,
             "unwritable folder");
    void* p;
    size_t pl;
    SJ_CHECK(sj_keyfile_read(path, SJ_KEYFILE_LWE_PUBLIC, NULL, NULL, NULL, &pl) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_keyfile_read("/tmp", SJ_KEYFILE_LWE_PUBLIC, NULL, NULL, &p, &pl) != SJ_OK, "a folder");
    sj_keyfile_free(NULL, 0);
}

SJ_TEST(known_layout)
{
    /* Pins the on-disk layout of keyfile.h so that it cannot drift silently. */
    char path[512];
    uint8_t buf[128];
    tmp_path(path, sizeof path, "layout.key");
    const uint8_t h2[2] = { 0xaa, 0xbb };
    const uint8_t p3[3] = { 0x01, 0x02, 0x03 };
    sj_status s0 = sj_keyfile_write(path, SJ_KEYFILE_KEYSTREAM, h2, 2, p3, 3, 1, 0);
    SJ_REQUIRE(s0 == SJ_OK, "%s", sj_last_error());
    size_t len = 0;
    SJ_REQUIRE(read_file(path, buf, sizeof buf, &len) == 0 && len == 24 + 2 + 3 + 32, "len %zu", len);
    SJ_CHECK(memcmp(buf, "SJKEY\0\r\n", 8) == 0, "magic");
    SJ_CHECK(buf[8] == 1 && buf[9] == 0, "version");
    SJ_CHECK(buf[10] == 3 && buf[11] == 0, "kind");
    SJ_CHECK(buf[12] == 2 && buf[13] == 0 && buf[14] == 0 && buf[15] == 0, "header length");
    SJ_CHECK(buf[16] == 3 && buf[17] == 0 && buf[23] == 0, "payload length");
    SJ_CHECK(buf[24] == 0xaa && buf[25] == 0xbb && buf[26] == 1 && buf[28] == 3, "body");
    uint8_t sum[32];
    crypto_generichash(sum, sizeof sum, buf, 29, NULL, 0);
    SJ_CHECK(memcmp(sum, buf + 29, 32) == 0, "checksum is not BLAKE2b-256 of the preceding bytes");
    unlink(path);
}

SJ_TEST_MAIN("keyfile")
