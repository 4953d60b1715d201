/* HWC uint8 <-> CHW float32 conversions: element placement, scaling, rounding, clamping,
 * cropping, and argument checks. */
#include "sj_test.h"

#include <securejscc/layout.h>

#include <stdint.h>

SJ_TEST(hwc_to_chw_places_and_scales)
{
    /* 2 x 3 image, 3 channels: byte value encodes (y, x, k) so placement is visible. */
    uint8_t hwc[2 * 3 * 3];
    for (size_t y = 0; y < 2; y++)
        for (size_t x = 0; x < 3; x++)
            for (size_t k = 0; k < 3; k++)
                hwc[(y * 3 + x) * 3 + k] = (uint8_t)(100 * k + 10 * y + x);
    float chw[18];
    SJ_REQUIRE(sj_hwc_u8_to_chw_f32(hwc, 2, 3, 3, chw) == SJ_OK, "%s", sj_last_error());
    int bad = 0;
    for (size_t k = 0; k < 3; k++)
        for (size_t y = 0; y < 2; y++)
            for (size_t x = 0; x < 3; x++)
                bad += chw[k * 6 + y * 3 + x] != (float)(100 * k + 10 * y + x) / 255.0f;
    SJ_CHECK(bad == 0, "%d misplaced values", bad);
}

SJ_TEST(round_trip_every_byte)
{
    uint8_t hwc[256 * 3], back[256 * 3];
    for (int i = 0; i < 256 * 3; i++)
        hwc[i] = (uint8_t)(i * 7);
    float chw[256 * 3];
    SJ_REQUIRE(sj_hwc_u8_to_chw_f32(hwc, 16, 16, 3, chw) == SJ_OK, "%s", sj_last_error());
    SJ_REQUIRE(sj_chw_f32_to_hwc_u8(chw, 3, 16, 16, 16, 16, back) == SJ_OK, "%s", sj_last_error());
    SJ_CHECK(memcmp(hwc, back, sizeof hwc) == 0, "bytes changed on the round trip");
}

SJ_TEST(rounding_and_clamping)
{
    const float in[8] = { -1.0f, 0.0f, 0.5f / 255.0f + 1e-6f, 0.49f / 255.0f, 127.5f / 255.0f + 1e-6f,
                          1.0f, 7.0f, NAN };
    const uint8_t expect[8] = { 0, 0, 1, 0, 128, 255, 255, 0 };
    uint8_t out[8];
    /* One channel, 1 x 8. */
    SJ_REQUIRE(sj_chw_f32_to_hwc_u8(in, 1, 1, 8, 1, 8, out) == SJ_OK, "%s", sj_last_error());
    for (int i = 0; i < 8; i++)
        SJ_CHECK(out[i] == expect[i], "value %d: %u, want %u", i, out[i], expect[i]);
}

SJ_TEST(crop_takes_top_left)
{
    /* 2 channels of 3 x 4; crop 2 x 3. */
    float chw[2 * 12];
    for (int k = 0; k < 2; k++)
        for (int i = 0; i < 12; i++)
            chw[k * 12 + i] = (float)(k * 12 + i) / 255.0f;
    uint8_t out[2 * 3 * 2];
    SJ_REQUIRE(sj_chw_f32_to_hwc_u8(chw, 2, 3, 4, 2, 3, out) == SJ_OK, "%s", sj_last_error());
    int bad = 0;
    for (int y = 0; y < 2; y++)
        for (int x = 0; x < 3; x++)
            for (int k = 0; k < 2; k++)
                bad += out[(y * 3 + x) * 2 + k] != (uint8_t)(k * 12 + y * 4 + x);
    SJ_CHECK(bad == 0, "%d wrong bytes in the crop", bad);
}

SJ_TEST(bad_arguments)
{
    float f[4] = { 0 };
    uint8_t b[4] = { 0 };
    SJ_CHECK(sj_hwc_u8_to_chw_f32(NULL, 1, 1, 1, f) == SJ_ERR_INVALID_ARG, "NULL input");
    SJ_CHECK(sj_hwc_u8_to_chw_f32(b, 0, 1, 1, f) == SJ_ERR_INVALID_ARG, "zero height");
    SJ_CHECK(sj_chw_f32_to_hwc_u8(f, 1, 2, 2, 3, 2, b) == SJ_ERR_INVALID_ARG, "crop taller than the plane");
    SJ_CHECK(strlen(sj_last_error()) > 0, "a detail is recorded");
    SJ_CHECK(sj_chw_f32_to_hwc_u8(f, 1, 2, 2, 2, 2, NULL) == SJ_ERR_INVALID_ARG, "NULL output");
}

SJ_TEST_MAIN("layout")
