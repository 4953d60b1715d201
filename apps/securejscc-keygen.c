/* securejscc-keygen: writes the key files the secure JSCC schemes need.
 *
 *   securejscc-keygen --scheme lwe [--params toy|low|medium|high] [--length L] --out PREFIX [--force]
 *       -> PREFIX.pub (LWE public key) and PREFIX.sec (LWE secret key, mode 0600)
 *   securejscc-keygen --scheme srec --out PREFIX [--force]
 *       -> PREFIX.key (256-bit keystream key, mode 0600)
 *
 * Exit status: 0 success, 1 failure while generating or writing (including refusing to
 * overwrite), 2 bad command line. Existing files are checked before any key is generated,
 * so a refused run leaves nothing half-written. */
#define _DEFAULT_SOURCE /* explicit_bzero */
#include <securejscc/error.h>
#include <securejscc/keystream.h>
#include <securejscc/lwe.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#define PROG "securejscc-keygen"
#define EXIT_USAGE 2
#define DEFAULT_LENGTH 512

static void usage(FILE* f)
{
    fprintf(f,
            "Usage:\n"
            "  " PROG " --scheme lwe [--params toy|low|medium|high] [--length L] --out PREFIX [--force]\n"
            "  " PROG " --scheme srec --out PREFIX [--force]\n"
            "\n"
            "Generates the keys of a secure JSCC scheme and writes them to key files.\n"
            "\n"
            "Options:\n"
            "  -s, --scheme NAME   lwe:  LWE public-key encryption (DeepJSCEC); writes PREFIX.pub\n"
            "                            (public key, give it to the sender) and PREFIX.sec\n"
            "                            (secret key, mode 0600, keep it at the receiver).\n"
            "                      srec: symmetric keystream cipher (SREC); writes PREFIX.key\n"
            "                            (256-bit key, mode 0600, needed by both ends).\n"
            "  -p, --params SET    LWE parameter set (Lindner-Peikert), lwe only:\n"
            "                        toy    n=136 p=2003 s=13.01 (tests only, not secure)\n"
            "                        low    n=192 p=4093 s=8.87\n"
            "                        medium n=256 p=4093 s=8.35 (default)\n"
            "                        high   n=320 p=4093 s=8.00\n"
            "  -l, --length L      LWE block length: values encrypted per block, 1..16777216\n"
            "                      (default %d, the 4096-QAM symbols of a 32x32 image at\n"
            "                      rho = 1/6). Each block sends n extra values (d), so a\n"
            "                      larger L lowers the overhead but enlarges both key files.\n"
            "  -o, --out PREFIX    path prefix of the files to write (required).\n"
            "  -f, --force         overwrite existing key files.\n"
            "  -h, --help          show this help and exit.\n"
            "\n"
            "Exit status: 0 success, 1 generation or write failure (e.g. file exists without\n"
            "--force), 2 invalid command line.\n",
            DEFAULT_LENGTH);
}

static int usage_error(const char* fmt, ...) __attribute__((format(printf, 1, 2)));
static int usage_error(const char* fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fprintf(stderr, PROG ": ");
    vfprintf(stderr, fmt, ap);
    fprintf(stderr, "\nRun '" PROG " --help' for usage.\n");
    va_end(ap);
    return EXIT_USAGE;
}

static int make_path(char* buf, size_t n, const char* prefix, const char* ext)
{
    int w = snprintf(buf, n, "%s%s", prefix, ext);
    return w > 0 && (size_t)w < n ? 0 : -1;
}

static long long file_size(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 ? (long long)st.st_size : -1;
}

static int exists(const char* path)
{
    struct stat st;
    return stat(path, &st) == 0 || errno != ENOENT;
}

static void print_hex(const char* label, const uint8_t* b, size_t n)
{
    printf("%s", label);
    for (size_t i = 0; i < n; i++)
        printf("%02x", b[i]);
    printf("\n");
}

static int fail(const char* what, sj_status st)
{
    fprintf(stderr, PROG ": %s: %s", what, sj_strerror(st));
    if (sj_last_error()[0] != '\0')
        fprintf(stderr, " (%s)", sj_last_error());
    if (st == SJ_ERR_EXISTS)
        fprintf(stderr, "; use --force to overwrite");
    fprintf(stderr, "\n");
    return 1;
}

static int refuse_existing(char* const* paths, int n)
{
    int any = 0;
    for (int i = 0; i < n; i++)
        if (exists(paths[i])) {
            fprintf(stderr, PROG ": %s already exists; use --force to overwrite\n", paths[i]);
            any = 1;
        }
    return any;
}

static int keygen_lwe(const char* prefix, sj_lwe_preset preset, size_t l, int force)
{
    char pubp[PATH_MAX], secp[PATH_MAX];
    if (make_path(pubp, sizeof pubp, prefix, ".pub") || make_path(secp, sizeof secp, prefix, ".sec"))
        return usage_error("--out prefix is too long: '%s'", prefix);
    char* paths[2] = { pubp, secp };
    if (!force && refuse_existing(paths, 2))
        return 1;
    sj_lwe_pubkey* pub = NULL;
    sj_lwe_seckey* sec = NULL;
    sj_status st = sj_lwe_keygen(preset, l, &pub, &sec);
    if (st != SJ_OK)
        return fail("LWE key generation failed", st);
    /* Secret first: if the public key then fails to write, nobody can encrypt to a key
     * whose secret half was lost. */
    int rc = 0;
    if ((st = sj_lwe_seckey_save(sec, secp, force)) != SJ_OK)
        rc = fail(secp, st);
    else if ((st = sj_lwe_pubkey_save(pub, pubp, force)) != SJ_OK)
        rc = fail(pubp, st);
    if (rc == 0) {
        const sj_lwe_params* pp = sj_lwe_pubkey_params(pub);
        printf("LWE key pair, parameter set %s (n1=%u n2=%u p=%u s=%.2f), block length l=%zu\n", pp->name, pp->n1,
               pp->n2, pp->p, pp->s, l);
        printf("wrote %s (public key): %lld bytes\n", pubp, file_size(pubp));
        printf("wrote %s (secret key, mode 0600): %lld bytes\n", secp, file_size(secp));
        print_hex("key id: ", sj_lwe_pubkey_id(pub), 32);
    }
    sj_lwe_pubkey_destroy(pub);
    sj_lwe_seckey_destroy(sec);
    return rc;
}

static int keygen_srec(const char* prefix, int force)
{
    char keyp[PATH_MAX];
    if (make_path(keyp, sizeof keyp, prefix, ".key"))
        return usage_error("--out prefix is too long: '%s'", prefix);
    char* paths[1] = { keyp };
    if (!force && refuse_existing(paths, 1))
        return 1;
    uint8_t key[SJ_KEYSTREAM_KEY_BYTES];
    sj_status st = sj_keystream_key_generate(key);
    if (st == SJ_OK)
        st = sj_keystream_key_save(key, keyp, force);
    explicit_bzero(key, sizeof key);
    if (st != SJ_OK)
        return fail(keyp, st);
    printf("wrote %s (keystream key, 256 bits, mode 0600): %lld bytes\n", keyp, file_size(keyp));
    /* The container's trailing BLAKE2b-256 identifies the key without revealing it. */
    uint8_t sum[32];
    FILE* f = fopen(keyp, "rb");
    if (f != NULL && fseek(f, -32, SEEK_END) == 0 && fread(sum, 1, sizeof sum, f) == sizeof sum)
        print_hex("key id (file checksum): ", sum, sizeof sum);
    if (f != NULL)
        fclose(f);
    return 0;
}

int main(int argc, char** argv)
{
    static const struct option opts[] = {
        { "scheme", required_argument, NULL, 's' }, { "params", required_argument, NULL, 'p' },
        { "length", required_argument, NULL, 'l' }, { "out", required_argument, NULL, 'o' },
        { "force", no_argument, NULL, 'f' },        { "help", no_argument, NULL, 'h' },
        { NULL, 0, NULL, 0 },
    };
    const char *scheme = NULL, *params = NULL, *length = NULL, *out = NULL;
    int force = 0, c;
    opterr = 0; /* our own messages, with the exit status 2 */
    while ((c = getopt_long(argc, argv, ":s:p:l:o:fh", opts, NULL)) != -1) {
        switch (c) {
        case 's': scheme = optarg; break;
        case 'p': params = optarg; break;
        case 'l': length = optarg; break;
        case 'o': out = optarg; break;
        case 'f': force = 1; break;
        case 'h': usage(stdout); return 0;
        case ':': return usage_error("option '%s' needs a value", argv[optind - 1]);
        default:
            if (optopt != 0) /* a short option: argv may hold it grouped, as in -fx */
                return usage_error("unknown option '-%c'", optopt);
            return usage_error("unknown option '%s'", argv[optind - 1]);
        }
    }
    if (optind < argc)
        return usage_error("unexpected argument '%s'", argv[optind]);
    if (scheme == NULL)
        return usage_error("missing --scheme (lwe or srec)");
    if (out == NULL || out[0] == '\0')
        return usage_error("missing --out PREFIX");
    if (strcmp(scheme, "srec") == 0) {
        if (params != NULL)
            return usage_error("--params '%s' applies only to --scheme lwe", params);
        if (length != NULL)
            return usage_error("--length '%s' applies only to --scheme lwe", length);
        return keygen_srec(out, force);
    }
    if (strcmp(scheme, "lwe") != 0)
        return usage_error("unknown scheme '%s' (expected lwe or srec)", scheme);
    sj_lwe_preset preset = SJ_LWE_DEFAULT_PRESET;
    if (params != NULL && sj_lwe_preset_from_name(params, &preset) != SJ_OK)
        return usage_error("unknown --params '%s' (expected toy, low, medium or high)", params);
    size_t l = DEFAULT_LENGTH;
    if (length != NULL) {
        char* end = NULL;
        errno = 0;
        unsigned long long v = strtoull(length, &end, 10);
        /* strtoull accepts "-1" (wrapping it) and leading blanks: require plain digits. */
        if (length[0] < '0' || length[0] > '9' || *end != '\0' || errno != 0 || v < 1 || v > (1ull << 24))
            return usage_error("--length must be an integer from 1 to 16777216, got '%s'", length);
        l = (size_t)v;
    }
    return keygen_lwe(out, preset, l, force);
}
