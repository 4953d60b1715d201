/* 8-bit RGB images and PNG files (libpng).
 *
 * An sj_image is plain data: height x width x 3 bytes in row-major HWC order.
 * Reading converts every 8-bit PNG to RGB by one rule (docs/image-io.md):
 *   gray          -> R = G = B = gray
 *   gray + alpha  -> R = G = B = gray, alpha dropped
 *   RGBA          -> RGB, alpha dropped (pixels kept as stored, not blended)
 *   palette       -> expanded to RGB; gray of 1, 2 or 4 bits -> expanded to 8 bits
 * 16-bit PNGs are refused with SJ_ERR_UNSUPPORTED; anything that is not a complete PNG
 * with SJ_ERR_FORMAT. */
#ifndef SECUREJSCC_IMAGE_H
#define SECUREJSCC_IMAGE_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef struct {
    int width;
    int height;
    int channels; /* always 3 for images made by this library */
    uint8_t* data; /* height * width * channels bytes, HWC */
} sj_image;

/* Largest side accepted, to refuse absurd headers before allocating. */
#define SJ_IMAGE_MAX_SIDE 16384

sj_status sj_image_create(int width, int height, sj_image** out); /* zero-filled RGB */
void sj_image_destroy(sj_image* img);                             /* NULL is fine */
size_t sj_image_size(const sj_image* img);                        /* bytes of data */

sj_status sj_image_read_png(const char* path, sj_image** out);
/* Writes an 8-bit RGB PNG; overwrites an existing file. */
sj_status sj_image_write_png(const char* path, const sj_image* img);

/* Copies the rectangle (x, y, width, height) of src into a new image. */
sj_status sj_image_crop(const sj_image* src, int x, int y, int width, int height, sj_image** out);

#ifdef __cplusplus
}
#endif
#endif
