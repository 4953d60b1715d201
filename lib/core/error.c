/* The single source of user-facing error text (see error.h). The detail buffer is
 * thread-local so that blocks running in different GNU Radio threads never see each
 * other's messages; it is the only mutable state in the library outside its objects. */
#include "securejscc/error.h"

#include <stdarg.h>
#include <stdio.h>

static _Thread_local char sj_detail[512];

const char* sj_strerror(sj_status code)
{
    switch (code) {
    case SJ_OK: return "success";
    case SJ_ERR_INVALID_ARG: return "invalid argument";
    case SJ_ERR_NOMEM: return "out of memory";
    case SJ_ERR_IO: return "input/output error";
    case SJ_ERR_FORMAT: return "malformed or truncated data";
    case SJ_ERR_UNSUPPORTED: return "unsupported input";
    case SJ_ERR_CHECKSUM: return "checksum mismatch (file altered or damaged)";
    case SJ_ERR_CRYPTO: return "cryptographic library failure";
    case SJ_ERR_EXISTS: return "file exists";
    case SJ_ERR_EXHAUSTED: return "counter exhausted";
    case SJ_ERR_MISMATCH: return "objects do not match";
    }
    return "unknown error";
}

const char* sj_last_error(void) { return sj_detail; }

void sj_clear_error(void) { sj_detail[0] = '\0'; }

sj_status sj_fail(sj_status code, const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(sj_detail, sizeof sj_detail, fmt, ap);
    va_end(ap);
    return code;
}
