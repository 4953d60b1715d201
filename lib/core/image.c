/* 8-bit RGB images and PNG files through libpng (image.h, docs/image-io.md).
 *
 * libpng reports errors by calling an error function that must not return; ours records
 * libpng's message for sj_fail() and longjmps back to the setjmp in the reader or writer,
 * which releases everything and turns the message into a status code. Variables written
 * after setjmp and read after the jump are volatile, as C requires. */
#define _POSIX_C_SOURCE 200809L
#include "securejscc/image.h"

#include <errno.h>
#include <png.h>
#include <setjmp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

typedef struct {
    char msg[256]; /* libpng's last error message */
} png_err_ctx;

static void sj_png_error(png_structp png, png_const_charp msg)
{
    png_err_ctx* ctx = png_get_error_ptr(png);
    if (ctx)
        snprintf(ctx->msg, sizeof ctx->msg, "%s", msg ? msg : "unknown libpng error");
    png_longjmp(png, 1);
}

/* Warnings (e.g. a bad CRC in an ancillary chunk, which libpng skips) do not stop reading;
 * a library prints nothing on its own, so they are dropped. */
static void sj_png_warning(png_structp png, png_const_charp msg)
{
    (void)png;
    (void)msg;
}

static sj_image* image_alloc(int width, int height, int channels)
{
    sj_image* img = calloc(1, sizeof *img);
    if (!img)
        return NULL;
    img->data = calloc((size_t)width * (size_t)height, (size_t)channels);
    if (!img->data) {
        free(img);
        return NULL;
    }
    img->width = width;
    img->height = height;
    img->channels = channels;
    return img;
}

sj_status sj_image_create(int width, int height, sj_image** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_create: out is NULL");
    *out = NULL;
    if (width < 1 || height < 1 || width > SJ_IMAGE_MAX_SIDE || height > SJ_IMAGE_MAX_SIDE)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_create: size %dx%d outside 1..%d", width, height,
                       SJ_IMAGE_MAX_SIDE);
    sj_image* img = image_alloc(width, height, 3);
    if (!img)
        return sj_fail(SJ_ERR_NOMEM, "sj_image_create: cannot allocate %dx%d RGB", width, height);
    *out = img;
    return SJ_OK;
}

void sj_image_destroy(sj_image* img)
{
    if (!img)
        return;
    free(img->data);
    free(img);
}

size_t sj_image_size(const sj_image* img)
{
    if (!img || img->width < 1 || img->height < 1 || img->channels < 1)
        return 0;
    return (size_t)img->width * (size_t)img->height * (size_t)img->channels;
}

sj_status sj_image_read_png(const char* path, sj_image** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_read_png: out is NULL");
    *out = NULL;
    if (!path || !*path)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_read_png: path is NULL or empty");

    FILE* f = fopen(path, "rb");
    if (!f)
        return sj_fail(SJ_ERR_IO, "%s: cannot open: %s", path, strerror(errno));
    struct stat st;
    if (fstat(fileno(f), &st) == 0 && S_ISDIR(st.st_mode)) {
        fclose(f);
        return sj_fail(SJ_ERR_IO, "%s: is a folder, not a PNG file", path);
    }
    png_byte sig[8];
    size_t got = fread(sig, 1, sizeof sig, f);
    if (got < sizeof sig && ferror(f)) {
        int e = errno;
        fclose(f);
        return sj_fail(SJ_ERR_IO, "%s: read error: %s", path, strerror(e));
    }
    if (got < sizeof sig || png_sig_cmp(sig, 0, sizeof sig) != 0) {
        fclose(f);
        return sj_fail(SJ_ERR_FORMAT, "%s: not a PNG file (bad signature)", path);
    }

    png_err_ctx ctx = { "" };
    png_structp png = png_create_read_struct(PNG_LIBPNG_VER_STRING, &ctx, sj_png_error, sj_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_read_struct(&png, NULL, NULL);
        fclose(f);
        return sj_fail(SJ_ERR_NOMEM, "%s: cannot allocate the PNG decoder", path);
    }

    sj_image* volatile img = NULL;
    png_bytep* volatile rows = NULL;
    /* A status decided inside the protected section (e.g. 16-bit) rather than by libpng. */
    volatile sj_status own = SJ_OK;

    if (setjmp(png_jmpbuf(png))) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        free(rows);
        sj_image_destroy(img);
        return sj_fail(SJ_ERR_FORMAT, "%s: not a valid or complete PNG: %s", path, ctx.msg);
    }

    png_init_io(png, f);
    png_set_sig_bytes(png, sizeof sig);
    png_read_info(png, info);

    png_uint_32 w = 0, h = 0;
    int depth = 0, color = 0, interlace = 0;
    png_get_IHDR(png, info, &w, &h, &depth, &color, &interlace, NULL, NULL);
    if (w > SJ_IMAGE_MAX_SIDE || h > SJ_IMAGE_MAX_SIDE) {
        own = sj_fail(SJ_ERR_UNSUPPORTED, "%s: %lux%lu pixels exceeds the largest accepted side of %d", path,
                      (unsigned long)w, (unsigned long)h, SJ_IMAGE_MAX_SIDE);
    } else if (depth == 16) {
        own = sj_fail(SJ_ERR_UNSUPPORTED, "%s: 16-bit PNGs are not supported; convert to 8 bits per sample", path);
    }
    if (own != SJ_OK) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        return own;
    }

    /* One rule for every 8-bit PNG (docs/image-io.md): expand palettes and low-bit gray to
     * 8 bits, replicate gray into R = G = B, and drop alpha without blending. tRNS is not
     * turned into alpha for gray or RGB (it would only be dropped again); for palettes libpng
     * expands it along with the palette and strip_alpha removes it. */
    if (color == PNG_COLOR_TYPE_PALETTE)
        png_set_palette_to_rgb(png);
    if (color == PNG_COLOR_TYPE_GRAY && depth < 8)
        png_set_expand_gray_1_2_4_to_8(png);
    if (color == PNG_COLOR_TYPE_GRAY || color == PNG_COLOR_TYPE_GRAY_ALPHA)
        png_set_gray_to_rgb(png);
    if (color & PNG_COLOR_MASK_ALPHA || png_get_valid(png, info, PNG_INFO_tRNS))
        png_set_strip_alpha(png);
    png_set_interlace_handling(png);
    png_read_update_info(png, info);

    if (png_get_bit_depth(png, info) != 8 || png_get_channels(png, info) != 3 ||
        png_get_rowbytes(png, info) != (size_t)w * 3) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        return sj_fail(SJ_ERR_UNSUPPORTED, "%s: PNG colour type %d, depth %d did not convert to 8-bit RGB", path,
                       color, depth);
    }

    img = image_alloc((int)w, (int)h, 3);
    rows = malloc((size_t)h * sizeof *rows);
    if (!img || !rows) {
        png_destroy_read_struct(&png, &info, NULL);
        fclose(f);
        free(rows);
        sj_image_destroy(img);
        return sj_fail(SJ_ERR_NOMEM, "%s: cannot allocate %lux%lu RGB", path, (unsigned long)w, (unsigned long)h);
    }
    for (png_uint_32 r = 0; r < h; r++)
        rows[r] = img->data + (size_t)r * w * 3;
    png_read_image(png, rows);
    /* Reads on to IEND, so that a file cut after its image data still counts as incomplete. */
    png_read_end(png, NULL);

    png_destroy_read_struct(&png, &info, NULL);
    fclose(f);
    free(rows);
    *out = img;
    return SJ_OK;
}

sj_status sj_image_write_png(const char* path, const sj_image* img)
{
    if (!path || !*path)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_write_png: path is NULL or empty");
    if (!img || !img->data)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_write_png: image is NULL");
    if (img->channels != 3)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_write_png: %d channels, only RGB (3) is written", img->channels);
    if (img->width < 1 || img->height < 1 || img->width > SJ_IMAGE_MAX_SIDE || img->height > SJ_IMAGE_MAX_SIDE)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_write_png: size %dx%d outside 1..%d", img->width, img->height,
                       SJ_IMAGE_MAX_SIDE);

    png_bytep* rows = malloc((size_t)img->height * sizeof *rows);
    if (!rows)
        return sj_fail(SJ_ERR_NOMEM, "%s: out of memory", path);
    for (int r = 0; r < img->height; r++)
        rows[r] = img->data + (size_t)r * (size_t)img->width * 3;

    FILE* f = fopen(path, "wb");
    if (!f) {
        int e = errno;
        free(rows);
        return sj_fail(SJ_ERR_IO, "%s: cannot create: %s", path, strerror(e));
    }
    png_err_ctx ctx = { "" };
    png_structp png = png_create_write_struct(PNG_LIBPNG_VER_STRING, &ctx, sj_png_error, sj_png_warning);
    png_infop info = png ? png_create_info_struct(png) : NULL;
    if (!info) {
        png_destroy_write_struct(&png, NULL);
        fclose(f);
        unlink(path);
        free(rows);
        return sj_fail(SJ_ERR_NOMEM, "%s: cannot allocate the PNG encoder", path);
    }
    if (setjmp(png_jmpbuf(png))) {
        png_destroy_write_struct(&png, &info);
        fclose(f);
        unlink(path); /* no half-written image left behind */
        free(rows);
        return sj_fail(SJ_ERR_IO, "%s: cannot write PNG: %s", path, ctx.msg);
    }
    png_init_io(png, f);
    png_set_IHDR(png, info, (png_uint_32)img->width, (png_uint_32)img->height, 8, PNG_COLOR_TYPE_RGB,
                 PNG_INTERLACE_NONE, PNG_COMPRESSION_TYPE_DEFAULT, PNG_FILTER_TYPE_DEFAULT);
    png_write_info(png, info);
    png_write_image(png, rows);
    png_write_end(png, NULL);
    png_destroy_write_struct(&png, &info);
    free(rows);
    /* A full disk often shows only when the buffered data is flushed. */
    int bad = ferror(f);
    if (fclose(f) != 0 || bad) {
        int e = errno;
        unlink(path);
        return sj_fail(SJ_ERR_IO, "%s: cannot write PNG: %s", path, bad ? "write error" : strerror(e));
    }
    return SJ_OK;
}

sj_status sj_image_crop(const sj_image* src, int x, int y, int width, int height, sj_image** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_crop: out is NULL");
    *out = NULL;
    if (!src || !src->data || src->channels < 1)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_crop: source image is NULL or empty");
    /* Compared by subtraction so that huge x + width cannot overflow int. */
    if (x < 0 || y < 0 || width < 1 || height < 1 || width > src->width || height > src->height ||
        x > src->width - width || y > src->height - height)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_image_crop: rectangle (%d, %d, %dx%d) is not inside the %dx%d image",
                       x, y, width, height, src->width, src->height);
    sj_image* img = image_alloc(width, height, src->channels);
    if (!img)
        return sj_fail(SJ_ERR_NOMEM, "sj_image_crop: cannot allocate %dx%d", width, height);
    const size_t c = (size_t)src->channels;
    for (int r = 0; r < height; r++)
        memcpy(img->data + (size_t)r * width * c, src->data + ((size_t)(y + r) * src->width + (size_t)x) * c,
               (size_t)width * c);
    *out = img;
    return SJ_OK;
}
