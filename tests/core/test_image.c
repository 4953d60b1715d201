/* PNG reading and writing: the conversion rule of image.h for every colour type and depth,
 * interlacing, refusals (16-bit, truncated, damaged, not a PNG, missing, oversized), crop.
 *
 * The test PNGs are encoded here by a small writer (stored deflate blocks, CRC-32, Adler-32)
 * rather than by libpng: the tests do not link libpng, and an independent encoder checks
 * the reader against the format rather than against libpng's own writer. */
#define _POSIX_C_SOURCE 200809L
#include "sj_test.h"

#include <securejscc/image.h>

#include <limits.h>
#include <stdint.h>
#include <unistd.h>

/* SJ_REQUIRE evaluates its condition twice: only side-effect-free conditions go in it. */

static void tmp_path(char* buf, size_t n, const char* name)
{
    const char* dir = getenv("SJ_TEST_TMP");
    if (!dir || !*dir)
        dir = "/tmp";
    snprintf(buf, n, "%s/test_image_%ld_%s", dir, (long)getpid(), name);
    unlink(buf);
}

/* ---------------- a minimal PNG encoder ---------------- */

typedef struct {
    uint8_t* p;
    size_t len, cap;
} bytes;

static void put(bytes* b, const void* src, size_t n)
{
    if (b->len + n > b->cap) {
        size_t cap = (b->cap + n) * 2;
        b->p = realloc(b->p, cap);
        b->cap = cap;
    }
    memcpy(b->p + b->len, src, n);
    b->len += n;
}

static void put8(bytes* b, unsigned v)
{
    uint8_t x = (uint8_t)v;
    put(b, &x, 1);
}

static void put32be(bytes* b, uint32_t v)
{
    uint8_t x[4] = { (uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v };
    put(b, x, 4);
}

static uint32_t crc32_update(uint32_t crc, const uint8_t* p, size_t n)
{
    crc = ~crc;
    for (size_t i = 0; i < n; i++) {
        crc ^= p[i];
        for (int k = 0; k < 8; k++)
            crc = (crc >> 1) ^ (0xEDB88320u & (0u - (crc & 1u)));
    }
    return ~crc;
}

static void put_chunk(bytes* b, const char* type, const uint8_t* data, size_t n)
{
    put32be(b, (uint32_t)n);
    size_t start = b->len;
    put(b, type, 4);
    if (n)
        put(b, data, n);
    put32be(b, crc32_update(0, b->p + start, n + 4));
}

/* zlib stream of stored (uncompressed) deflate blocks. */
static void zlib_stored(bytes* out, const uint8_t* p, size_t n)
{
    put8(out, 0x78);
    put8(out, 0x01);
    size_t off = 0;
    do {
        size_t len = n - off > 65535 ? 65535 : n - off;
        put8(out, off + len == n ? 1 : 0);
        put8(out, len & 0xff);
        put8(out, len >> 8);
        put8(out, ~len & 0xff);
        put8(out, (~len >> 8) & 0xff);
        put(out, p + off, len);
        off += len;
    } while (off < n);
    uint32_t a = 1, c = 0;
    for (size_t i = 0; i < n; i++) {
        a = (a + p[i]) % 65521u;
        c = (c + a) % 65521u;
    }
    put32be(out, (c << 16) | a);
}

enum { GRAY = 0, RGB = 2, PALETTE = 3, GRAY_ALPHA = 4, RGBA = 6 };

static int samples_per_pixel(int color)
{
    return color == GRAY || color == PALETTE ? 1 : color == GRAY_ALPHA ? 2 : color == RGB ? 3 : 4;
}

typedef struct {
    int w, h, depth, color, interlace;
    const uint16_t* samples; /* h * w * samples_per_pixel values */
    const uint8_t* plte;     /* palette RGB triples (or NULL) */
    int plte_n;
    const uint8_t* trns; /* tRNS chunk contents (or NULL) */
    int trns_n;
} png_spec;

/* Appends the filtered (filter 0) scanlines of the sub-image x0 + k dx, y0 + j dy. */
static void put_scanlines(bytes* raw, const png_spec* s, int x0, int y0, int dx, int dy)
{
    const int spp = samples_per_pixel(s->color);
    for (int y = y0; y < s->h; y += dy) {
        if (x0 >= s->w)
            return; /* empty pass: no rows at all */
        put8(raw, 0);
        unsigned acc = 0;
        int nbits = 0;
        for (int x = x0; x < s->w; x += dx)
            for (int c = 0; c < spp; c++) {
                unsigned v = s->samples[((size_t)y * s->w + x) * spp + c];
                if (s->depth == 16) {
                    put8(raw, v >> 8);
                    put8(raw, v & 0xff);
                } else if (s->depth == 8) {
                    put8(raw, v);
                } else {
                    acc = (acc << s->depth) | v;
                    nbits += s->depth;
                    if (nbits == 8) {
                        put8(raw, acc);
                        acc = 0;
                        nbits = 0;
                    }
                }
            }
        if (nbits)
            put8(raw, acc << (8 - nbits));
    }
}

static bytes encode_png(const png_spec* s)
{
    bytes out = { 0 }, raw = { 0 }, z = { 0 };
    static const uint8_t sig[8] = { 137, 80, 78, 71, 13, 10, 26, 10 };
    put(&out, sig, 8);
    uint8_t ihdr[13];
    for (int i = 0; i < 4; i++) {
        ihdr[i] = (uint8_t)((unsigned)s->w >> (24 - 8 * i));
        ihdr[4 + i] = (uint8_t)((unsigned)s->h >> (24 - 8 * i));
    }
    ihdr[8] = (uint8_t)s->depth;
    ihdr[9] = (uint8_t)s->color;
    ihdr[10] = ihdr[11] = 0;
    ihdr[12] = (uint8_t)s->interlace;
    put_chunk(&out, "IHDR", ihdr, 13);
    if (s->plte)
        put_chunk(&out, "PLTE", s->plte, (size_t)s->plte_n * 3);
    if (s->trns)
        put_chunk(&out, "tRNS", s->trns, (size_t)s->trns_n);
    if (s->samples) {
        if (!s->interlace) {
            put_scanlines(&raw, s, 0, 0, 1, 1);
        } else {
            static const int adam7[7][4] = { { 0, 0, 8, 8 }, { 4, 0, 8, 8 }, { 0, 4, 4, 8 }, { 2, 0, 4, 4 },
                                             { 0, 2, 2, 4 }, { 1, 0, 2, 2 }, { 0, 1, 1, 2 } };
            for (int p = 0; p < 7; p++)
                put_scanlines(&raw, s, adam7[p][0], adam7[p][1], adam7[p][2], adam7[p][3]);
        }
        zlib_stored(&z, raw.p, raw.len);
        /* Two IDAT chunks, to exercise the reader across a chunk boundary. */
        size_t half = z.len / 2;
        put_chunk(&out, "IDAT", z.p, half);
        put_chunk(&out, "IDAT", z.p + half, z.len - half);
    } else {
        /* Header-only files: an IDAT too short for the image, for size checks that must
         * happen before any pixel is read. */
        zlib_stored(&z, (const uint8_t*)"\0", 1);
        put_chunk(&out, "IDAT", z.p, z.len);
    }
    put_chunk(&out, "IEND", NULL, 0);
    free(raw.p);
    free(z.p);
    return out;
}

static int write_bytes(const char* path, const uint8_t* p, size_t n)
{
    FILE* f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(p, 1, n, f);
    return (fclose(f) == 0 && w == n) ? 0 : -1;
}

static int write_spec(const char* path, const png_spec* s)
{
    bytes b = encode_png(s);
    int r = write_bytes(path, b.p, b.len);
    free(b.p);
    return r;
}

/* Deterministic test pattern (not secret, not random). */
static unsigned pattern(int x, int y, int c, unsigned maxv)
{
    return (unsigned)(x * 37 + y * 101 + c * 53 + ((x * y) % 7)) % (maxv + 1);
}

static sj_image* read_ok(const char* path, int* failed_flag)
{
    sj_image* img = NULL;
    sj_status s = sj_image_read_png(path, &img);
    if (s != SJ_OK) {
        fprintf(stderr, "  read %s: %s (%s)\n", path, sj_strerror(s), sj_last_error());
        *failed_flag = 1;
        return NULL;
    }
    return img;
}

/* ---------------- tests ---------------- */

SJ_TEST(write_read_round_trip)
{
    char path[512];
    tmp_path(path, sizeof path, "rt.png");
    const int sizes[][2] = { { 37, 23 }, { 1, 1 }, { 256, 3 }, { 2, 300 } };
    for (int t = 0; t < 4; t++) {
        sj_image* img = NULL;
        sj_status s = sj_image_create(sizes[t][0], sizes[t][1], &img);
        SJ_REQUIRE(s == SJ_OK, "create");
        SJ_CHECK(img->channels == 3 && sj_image_size(img) == (size_t)sizes[t][0] * sizes[t][1] * 3, "size");
        size_t zeros = 0;
        for (size_t i = 0; i < sj_image_size(img); i++)
            zeros += img->data[i] == 0;
        SJ_CHECK(zeros == sj_image_size(img), "create is not zero-filled");
        for (int y = 0; y < img->height; y++)
            for (int x = 0; x < img->width; x++)
                for (int c = 0; c < 3; c++)
                    img->data[((size_t)y * img->width + x) * 3 + c] = (uint8_t)pattern(x, y, c, 255);
        s = sj_image_write_png(path, img);
        SJ_CHECK(s == SJ_OK, "write: %s", sj_last_error());
        /* Overwriting an existing file is allowed. */
        s = sj_image_write_png(path, img);
        SJ_CHECK(s == SJ_OK, "overwrite: %s", sj_last_error());
        sj_image* back = read_ok(path, sj_failed_);
        SJ_REQUIRE(back, "read");
        SJ_CHECK(back->width == img->width && back->height == img->height && back->channels == 3, "shape");
        SJ_CHECK(memcmp(back->data, img->data, sj_image_size(img)) == 0, "%dx%d pixels differ", img->width,
                 img->height);
        sj_image_destroy(back);
        sj_image_destroy(img);
    }
    unlink(path);
}

/* Reads a PNG made from spec and compares with the expected RGB from expect(). */
typedef void (*expect_fn)(const png_spec* s, int x, int y, uint8_t rgb[3]);

static int check_conversion(const png_spec* s, expect_fn expect, const char* name, int* sj_failed_)
{
    char path[512];
    tmp_path(path, sizeof path, name);
    if (write_spec(path, s) != 0) {
        fprintf(stderr, "  cannot write %s\n", path);
        *sj_failed_ = 1;
        return 0;
    }
    sj_image* img = read_ok(path, sj_failed_);
    unlink(path);
    if (!img)
        return 0;
    int bad = 0;
    if (img->width != s->w || img->height != s->h || img->channels != 3) {
        SJ_CHECK(0, "%s: shape %dx%dx%d", name, img->width, img->height, img->channels);
        sj_image_destroy(img);
        return 0;
    }
    for (int y = 0; y < s->h; y++)
        for (int x = 0; x < s->w; x++) {
            uint8_t want[3];
            expect(s, x, y, want);
            const uint8_t* got = img->data + ((size_t)y * s->w + x) * 3;
            if (memcmp(got, want, 3) != 0) {
                if (bad < 3)
                    fprintf(stderr, "  %s (%d,%d): got %u %u %u want %u %u %u\n", name, x, y, got[0], got[1], got[2],
                            want[0], want[1], want[2]);
                bad++;
            }
        }
    SJ_CHECK(bad == 0, "%s: %d pixels differ from the conversion rule", name, bad);
    sj_image_destroy(img);
    return bad == 0;
}

static uint16_t* make_samples(int w, int h, int spp, unsigned maxv)
{
    uint16_t* v = malloc((size_t)w * h * spp * sizeof *v);
    for (int y = 0; y < h; y++)
        for (int x = 0; x < w; x++)
            for (int c = 0; c < spp; c++)
                v[((size_t)y * w + x) * spp + c] = (uint16_t)pattern(x, y, c, maxv);
    return v;
}

static void expect_gray(const png_spec* s, int x, int y, uint8_t rgb[3])
{
    const int spp = samples_per_pixel(s->color);
    unsigned v = s->samples[((size_t)y * s->w + x) * spp];
    /* Low-bit gray is scaled to the full 8-bit range: 1 bit -> x255, 2 -> x85, 4 -> x17. */
    unsigned scaled = v * 255u / ((1u << s->depth) - 1u);
    rgb[0] = rgb[1] = rgb[2] = (uint8_t)scaled;
}

static void expect_rgb(const png_spec* s, int x, int y, uint8_t rgb[3])
{
    const int spp = samples_per_pixel(s->color);
    for (int c = 0; c < 3; c++)
        rgb[c] = (uint8_t)s->samples[((size_t)y * s->w + x) * spp + c];
}

static void expect_palette(const png_spec* s, int x, int y, uint8_t rgb[3])
{
    unsigned idx = s->samples[(size_t)y * s->w + x];
    memcpy(rgb, s->plte + 3 * idx, 3);
}

SJ_TEST(gray_all_depths)
{
    const int depths[] = { 1, 2, 4, 8 };
    for (int d = 0; d < 4; d++) {
        uint16_t* v = make_samples(19, 13, 1, (1u << depths[d]) - 1);
        png_spec s = { 19, 13, depths[d], GRAY, 0, v, NULL, 0, NULL, 0 };
        char name[32];
        snprintf(name, sizeof name, "gray%d.png", depths[d]);
        check_conversion(&s, expect_gray, name, sj_failed_);
        /* A tRNS colour key is not applied: pixels stay as stored. */
        uint8_t trns[2] = { 0, 1 };
        s.trns = trns;
        s.trns_n = 2;
        snprintf(name, sizeof name, "gray%d_trns.png", depths[d]);
        check_conversion(&s, expect_gray, name, sj_failed_);
        /* Interlaced gives the same pixels. */
        s.trns = NULL;
        s.interlace = 1;
        snprintf(name, sizeof name, "gray%d_adam7.png", depths[d]);
        check_conversion(&s, expect_gray, name, sj_failed_);
        free(v);
    }
}

SJ_TEST(gray_alpha_drops_alpha)
{
    uint16_t* v = make_samples(17, 9, 2, 255);
    for (int i = 0; i < 17 * 9; i += 3)
        v[2 * i + 1] = 0; /* fully transparent pixels keep their gray value */
    png_spec s = { 17, 9, 8, GRAY_ALPHA, 0, v, NULL, 0, NULL, 0 };
    check_conversion(&s, expect_gray, "ga.png", sj_failed_);
    s.interlace = 1;
    check_conversion(&s, expect_gray, "ga_adam7.png", sj_failed_);
    free(v);
}

SJ_TEST(rgb_and_rgba)
{
    uint16_t* v = make_samples(21, 11, 3, 255);
    png_spec s = { 21, 11, 8, RGB, 0, v, NULL, 0, NULL, 0 };
    check_conversion(&s, expect_rgb, "rgb.png", sj_failed_);
    uint8_t trns[6] = { 0, 5, 0, 7, 0, 9 };
    s.trns = trns;
    s.trns_n = 6;
    check_conversion(&s, expect_rgb, "rgb_trns.png", sj_failed_);
    s.trns = NULL;
    s.interlace = 1;
    check_conversion(&s, expect_rgb, "rgb_adam7.png", sj_failed_);
    free(v);

    v = make_samples(21, 11, 4, 255);
    for (int i = 0; i < 21 * 11; i += 2)
        v[4 * i + 3] = 0; /* transparent: RGB kept as stored, not blended */
    png_spec a = { 21, 11, 8, RGBA, 0, v, NULL, 0, NULL, 0 };
    check_conversion(&a, expect_rgb, "rgba.png", sj_failed_);
    a.interlace = 1;
    check_conversion(&a, expect_rgb, "rgba_adam7.png", sj_failed_);
    free(v);
}

SJ_TEST(palette_all_depths)
{
    uint8_t plte[256 * 3];
    for (int i = 0; i < 256; i++) {
        plte[3 * i] = (uint8_t)(i * 7 + 3);
        plte[3 * i + 1] = (uint8_t)(255 - i);
        plte[3 * i + 2] = (uint8_t)(i * 13);
    }
    const int depths[] = { 1, 2, 4, 8 };
    for (int d = 0; d < 4; d++) {
        int n = 1 << depths[d];
        uint16_t* v = make_samples(23, 7, 1, (unsigned)n - 1);
        png_spec s = { 23, 7, depths[d], PALETTE, 0, v, plte, n, NULL, 0 };
        char name[32];
        snprintf(name, sizeof name, "pal%d.png", depths[d]);
        check_conversion(&s, expect_palette, name, sj_failed_);
        /* tRNS on a palette: alpha dropped, colours kept. */
        uint8_t trns[3] = { 0, 128, 255 };
        s.trns = trns;
        s.trns_n = n < 3 ? n : 3;
        snprintf(name, sizeof name, "pal%d_trns.png", depths[d]);
        check_conversion(&s, expect_palette, name, sj_failed_);
        s.interlace = 1;
        snprintf(name, sizeof name, "pal%d_trns_adam7.png", depths[d]);
        check_conversion(&s, expect_palette, name, sj_failed_);
        free(v);
    }
}

static sj_status read_status(const char* path)
{
    sj_image* img = (sj_image*)0x1; /* must be reset to NULL on failure */
    sj_status s = sj_image_read_png(path, &img);
    if (s == SJ_OK)
        sj_image_destroy(img);
    else if (img != NULL)
        return (sj_status)100;
    return s;
}

SJ_TEST(sixteen_bit_refused)
{
    char path[512];
    tmp_path(path, sizeof path, "g16.png");
    uint16_t* v = make_samples(5, 4, 4, 65535);
    const int colors[] = { GRAY, RGB, GRAY_ALPHA, RGBA };
    for (int c = 0; c < 4; c++) {
        png_spec s = { 5, 4, 16, colors[c], 0, v, NULL, 0, NULL, 0 };
        SJ_REQUIRE(write_spec(path, &s) == 0, "write");
        sj_status st = read_status(path);
        SJ_CHECK(st == SJ_ERR_UNSUPPORTED, "16-bit colour type %d: got %d", colors[c], st);
        SJ_CHECK(strstr(sj_last_error(), "16-bit") != NULL && strstr(sj_last_error(), path) != NULL, "message: %s",
                 sj_last_error());
    }
    free(v);
    unlink(path);
}

SJ_TEST(truncated_and_damaged_refused)
{
    char path[512];
    tmp_path(path, sizeof path, "trunc.png");
    uint16_t* v = make_samples(40, 30, 3, 255);
    png_spec s = { 40, 30, 8, RGB, 0, v, NULL, 0, NULL, 0 };
    bytes b = encode_png(&s);
    free(v);
    /* Cuts: inside the signature, inside IHDR, inside the first and second IDAT, just
     * before IEND, and inside IEND. */
    const size_t cuts[] = { 0, 4, 8, 20, 40, b.len / 2, b.len - 20, b.len - 12, b.len - 1 };
    for (size_t i = 0; i < sizeof cuts / sizeof cuts[0]; i++) {
        SJ_REQUIRE(write_bytes(path, b.p, cuts[i]) == 0, "write");
        sj_status st = read_status(path);
        SJ_CHECK(st == SJ_ERR_FORMAT, "cut at %zu of %zu: got %d (%s)", cuts[i], b.len, st, sj_last_error());
        SJ_CHECK(strstr(sj_last_error(), path) != NULL, "message lacks the path: %s", sj_last_error());
    }
    /* The complete file reads. */
    SJ_REQUIRE(write_bytes(path, b.p, b.len) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_OK, "complete file: %s", sj_last_error());
    /* A flipped bit in the image data breaks the IDAT CRC. */
    b.p[b.len / 2] ^= 0x10;
    SJ_REQUIRE(write_bytes(path, b.p, b.len) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "damaged IDAT accepted");
    b.p[b.len / 2] ^= 0x10;
    /* A bad IHDR CRC. */
    b.p[8 + 8 + 3] ^= 0x01;
    SJ_REQUIRE(write_bytes(path, b.p, b.len) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "damaged IHDR accepted");
    free(b.p);
    unlink(path);
}

SJ_TEST(not_png_refused)
{
    char path[512];
    tmp_path(path, sizeof path, "text.png");
    const char* text = "P6\n2 2\n255\nthis is a PPM, not a PNG, despite the file name\n";
    SJ_REQUIRE(write_bytes(path, (const uint8_t*)text, strlen(text)) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "text accepted");
    SJ_CHECK(strstr(sj_last_error(), path) != NULL, "%s", sj_last_error());
    SJ_REQUIRE(write_bytes(path, (const uint8_t*)"", 0) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "empty file accepted");
    /* A PNG signature followed by garbage. */
    uint8_t junk[64] = { 137, 80, 78, 71, 13, 10, 26, 10 };
    for (int i = 8; i < 64; i++)
        junk[i] = (uint8_t)(i * 31);
    SJ_REQUIRE(write_bytes(path, junk, sizeof junk) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "signature + junk accepted");
    /* Zero width is invalid in IHDR. */
    png_spec s = { 0, 5, 8, RGB, 0, NULL, NULL, 0, NULL, 0 };
    SJ_REQUIRE(write_spec(path, &s) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_FORMAT, "zero width accepted");
    unlink(path);
}

SJ_TEST(missing_file_and_folder)
{
    char path[512];
    tmp_path(path, sizeof path, "does-not-exist.png");
    SJ_CHECK(read_status(path) == SJ_ERR_IO, "missing file");
    SJ_CHECK(strstr(sj_last_error(), path) != NULL, "message lacks the path: %s", sj_last_error());
    SJ_CHECK(read_status("/tmp") == SJ_ERR_IO, "folder");
    SJ_CHECK(read_status(NULL) == SJ_ERR_INVALID_ARG, "NULL path");
    SJ_CHECK(sj_image_read_png(path, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
}

SJ_TEST(oversized_refused_before_allocating)
{
    char path[512];
    tmp_path(path, sizeof path, "huge.png");
    /* Headers only: a reader that allocated first would try gigabytes, then fail on data. */
    const int dims[][2] = { { SJ_IMAGE_MAX_SIDE + 1, 1 }, { 1, SJ_IMAGE_MAX_SIDE + 1 }, { 1000000, 1000000 } };
    for (int t = 0; t < 3; t++) {
        png_spec s = { dims[t][0], dims[t][1], 8, RGB, 0, NULL, NULL, 0, NULL, 0 };
        SJ_REQUIRE(write_spec(path, &s) == 0, "write");
        sj_status st = read_status(path);
        SJ_CHECK(st == SJ_ERR_UNSUPPORTED || st == SJ_ERR_FORMAT, "%dx%d: got %d", dims[t][0], dims[t][1], st);
    }
    png_spec s = { SJ_IMAGE_MAX_SIDE + 1, 2, 8, RGB, 0, NULL, NULL, 0, NULL, 0 };
    SJ_REQUIRE(write_spec(path, &s) == 0, "write");
    SJ_CHECK(read_status(path) == SJ_ERR_UNSUPPORTED, "side %d: %s", SJ_IMAGE_MAX_SIDE + 1, sj_last_error());
    unlink(path);
}

SJ_TEST(write_errors)
{
    sj_image* img = NULL;
    sj_status s = sj_image_create(4, 4, &img);
    SJ_REQUIRE(s == SJ_OK, "create");
    SJ_CHECK(sj_image_write_png("/nonexistent-dir-sj/x.png", img) == SJ_ERR_IO, "unwritable folder");
    SJ_CHECK(strstr(sj_last_error(), "/nonexistent-dir-sj/x.png") != NULL, "%s", sj_last_error());
    SJ_CHECK(sj_image_write_png(NULL, img) == SJ_ERR_INVALID_ARG, "NULL path");
    SJ_CHECK(sj_image_write_png("/tmp/x.png", NULL) == SJ_ERR_INVALID_ARG, "NULL image");
    img->channels = 4;
    SJ_CHECK(sj_image_write_png("/tmp/never-written.png", img) == SJ_ERR_INVALID_ARG, "4 channels");
    img->channels = 3;
    if (access("/dev/full", W_OK) == 0)
        SJ_CHECK(sj_image_write_png("/dev/full", img) == SJ_ERR_IO, "full disk not reported");
    sj_image_destroy(img);
}

SJ_TEST(create_and_size)
{
    sj_image* img = NULL;
    SJ_CHECK(sj_image_create(0, 5, &img) == SJ_ERR_INVALID_ARG && !img, "width 0");
    SJ_CHECK(sj_image_create(5, -1, &img) == SJ_ERR_INVALID_ARG, "negative height");
    SJ_CHECK(sj_image_create(SJ_IMAGE_MAX_SIDE + 1, 1, &img) == SJ_ERR_INVALID_ARG, "too wide");
    SJ_CHECK(sj_image_create(5, 5, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_image_size(NULL) == 0, "size of NULL");
    sj_image_destroy(NULL);
}

SJ_TEST(crop)
{
    sj_image* img = NULL;
    sj_status s = sj_image_create(10, 8, &img);
    SJ_REQUIRE(s == SJ_OK, "create");
    for (size_t i = 0; i < sj_image_size(img); i++)
        img->data[i] = (uint8_t)i;
    sj_image* c = NULL;
    s = sj_image_crop(img, 3, 2, 5, 4, &c);
    SJ_REQUIRE(s == SJ_OK, "crop: %s", sj_last_error());
    SJ_CHECK(c->width == 5 && c->height == 4 && c->channels == 3, "shape");
    int bad = 0;
    for (int y = 0; y < 4; y++)
        for (int x = 0; x < 5; x++)
            for (int k = 0; k < 3; k++)
                bad += c->data[((size_t)y * 5 + x) * 3 + k] != img->data[((size_t)(y + 2) * 10 + x + 3) * 3 + k];
    SJ_CHECK(bad == 0, "%d cropped values wrong", bad);
    sj_image_destroy(c);
    /* The whole image and the last pixel are inside. */
    s = sj_image_crop(img, 0, 0, 10, 8, &c);
    SJ_CHECK(s == SJ_OK && memcmp(c->data, img->data, sj_image_size(img)) == 0, "full crop");
    sj_image_destroy(c);
    s = sj_image_crop(img, 9, 7, 1, 1, &c);
    SJ_CHECK(s == SJ_OK && c->data[0] == img->data[(7 * 10 + 9) * 3], "last pixel");
    sj_image_destroy(c);
    /* Out of bounds in every direction, and sums that would overflow int. */
    const int bad_rects[][4] = { { -1, 0, 2, 2 },  { 0, -1, 2, 2 },      { 9, 0, 2, 1 },      { 0, 7, 1, 2 },
                                 { 0, 0, 0, 1 },   { 0, 0, 1, 0 },       { 0, 0, 11, 1 },     { 0, 0, 1, 9 },
                                 { 10, 0, 1, 1 },  { INT_MAX, 0, 2, 1 }, { 1, 0, INT_MAX, 1 }, { 0, 0, -5, 2 } };
    for (size_t i = 0; i < sizeof bad_rects / sizeof bad_rects[0]; i++) {
        c = (sj_image*)0x1;
        s = sj_image_crop(img, bad_rects[i][0], bad_rects[i][1], bad_rects[i][2], bad_rects[i][3], &c);
        SJ_CHECK(s == SJ_ERR_INVALID_ARG && c == NULL, "rect (%d,%d,%d,%d) accepted", bad_rects[i][0],
                 bad_rects[i][1], bad_rects[i][2], bad_rects[i][3]);
    }
    SJ_CHECK(sj_image_crop(NULL, 0, 0, 1, 1, &c) == SJ_ERR_INVALID_ARG, "NULL source");
    sj_image_destroy(img);
}

SJ_TEST_MAIN("image")
