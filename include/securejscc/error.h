/* Error codes and user-facing messages for the securejscc C core.
 *
 * Every core function that can fail returns an sj_status. On failure it also records a
 * human-readable detail (which argument, which file, what was expected) in a per-thread
 * buffer that sj_last_error() returns; sj_strerror() gives the generic text of a code.
 * This is the one place messages for the user come from. */
#ifndef SECUREJSCC_ERROR_H
#define SECUREJSCC_ERROR_H

#ifdef __cplusplus
extern "C" {
#endif

typedef enum {
    SJ_OK = 0,
    SJ_ERR_INVALID_ARG = -1, /* a NULL pointer, a wrong length, a value out of range */
    SJ_ERR_NOMEM = -2,       /* an allocation failed */
    SJ_ERR_IO = -3,          /* a file could not be opened, read or written */
    SJ_ERR_FORMAT = -4,      /* a file is corrupt, truncated or not of the expected kind */
    SJ_ERR_UNSUPPORTED = -5, /* a valid input this library does not handle (e.g. 16-bit PNG) */
    SJ_ERR_CHECKSUM = -6,    /* a file's checksum does not match its contents (tampered) */
    SJ_ERR_CRYPTO = -7,      /* libsodium could not be initialised or a crypto call failed */
    SJ_ERR_EXISTS = -8,      /* refusing to overwrite an existing file */
    SJ_ERR_EXHAUSTED = -9,   /* a counter (e.g. a nonce) would repeat */
    SJ_ERR_MISMATCH = -10    /* two objects that must belong together do not (key pair, sizes) */
} sj_status;

/* Generic description of a status code; never NULL. */
const char* sj_strerror(sj_status code);

/* Detail of the most recent failure in this thread ("" if none). Valid until the next
 * failing call in the same thread. */
const char* sj_last_error(void);

/* Records a failure detail (printf-style) and returns code, so that call sites can write
 * `return sj_fail(SJ_ERR_INVALID_ARG, "k must be > 0, got %zu", k);`. */
sj_status sj_fail(sj_status code, const char* fmt, ...)
#if defined(__GNUC__)
    __attribute__((format(printf, 2, 3)))
#endif
    ;

/* Clears the per-thread detail. */
void sj_clear_error(void);

#ifdef __cplusplus
}
#endif
#endif
