/* Symbol mapping through liquid-dsp: BPSK, QPSK, 16QAM (Gray) for bytes, and 4096-QAM for
 * values in Z_p.
 *
 * BPSK, QPSK and 16QAM are liquid-dsp's LIQUID_MODEM_BPSK / QPSK / QAM16 (unit average
 * power, Gray). Bytes are cut into symbols most significant bit first: bit j of a symbol
 * (j = 0 first on the wire) is (index >> (bps - 1 - j)) & 1.
 * 4096-QAM is a 64 x 64 square grid on liquid-dsp's 64-ASK levels (liquid 1.5 modems,
 * arbitrary ones included, stop at 8 bits per symbol): the point of an index sits at a grid
 * column on the in-phase axis and a grid row on the quadrature axis, both increasing with
 * the coordinate. Which index goes where is the mapping:
 * - SJ_QAM4096_ROW (sj_modem_create): index = 64 * row + column.
 * - SJ_QAM4096_HILBERT: index d at column x, row y of step d along the Hilbert curve that
 *   fills the 64 x 64 grid from (0, 0) (the standard d2xy; sj_modem_qam4096_position).
 *   Indices that are close on Z_p are then close on the grid, and every run of 4^j indices
 *   starting at a multiple of 4^j fills an aligned 2^j x 2^j square (64 consecutive
 *   indices 64b..64b+63: an aligned 8 x 8 square); sj_zp_posterior relies on that.
 * The 3 points with index >= p = 4093 are never sent (row-major: row 63, columns 61..63;
 * Hilbert: (row 1, column 62), (row 0, columns 62, 63)). The grid is scaled so the 4093
 * used points have unit average power; the scale is computed over the used points of the
 * modem's own mapping (for these two mappings it rounds to the same value, modem.c). */
#ifndef SECUREJSCC_MODEM_H
#define SECUREJSCC_MODEM_H

#include <securejscc/error.h>
#include <stddef.h>
#include <stdint.h>
#include <volk/volk_complex.h>

#ifdef __cplusplus
extern "C" {
#endif

typedef enum { SJ_MOD_BPSK = 0, SJ_MOD_QPSK = 1, SJ_MOD_16QAM = 2, SJ_MOD_4096QAM = 3 } sj_modulation;
typedef enum { SJ_QAM4096_ROW = 0, SJ_QAM4096_HILBERT = 1 } sj_qam4096_mapping;

#define SJ_QAM4096_SIDE 64
#define SJ_QAM4096_USED 4093 /* = p of the LWE presets low/medium/high */

/* Accepts "bpsk", "qpsk", "16qam", "4096qam" (case-insensitive). */
sj_status sj_modulation_from_name(const char* name, sj_modulation* out);
const char* sj_modulation_name(sj_modulation m);
/* "row", "hilbert" (case-insensitive); SJ_ERR_INVALID_ARG otherwise, naming the value. */
sj_status sj_qam4096_mapping_from_name(const char* name, sj_qam4096_mapping* out);
const char* sj_qam4096_mapping_name(sj_qam4096_mapping m); /* "unknown" for a bad value */

typedef struct sj_modem sj_modem;

sj_status sj_modem_create(sj_modulation mod, sj_modem** out);
/* A 4096-QAM modem with the given mapping; sj_modem_create(SJ_MOD_4096QAM, ..) is SJ_QAM4096_ROW. */
sj_status sj_modem_create_qam4096(sj_qam4096_mapping mapping, sj_modem** out);
void sj_modem_destroy(sj_modem* m);
sj_modulation sj_modem_type(const sj_modem* m);
unsigned sj_modem_bits_per_symbol(const sj_modem* m); /* 1, 2, 4, 12 */
unsigned sj_modem_order(const sj_modem* m);           /* 2, 4, 16, 4096 */
unsigned sj_modem_num_used(const sj_modem* m);        /* order, or 4093 for 4096-QAM */
/* Copies the constellation (order points; for 4096-QAM the 3 unused ones too). */
void sj_modem_constellation(const sj_modem* m, lv_32fc_t* points);
/* The mapping of a 4096-QAM modem (SJ_QAM4096_ROW for the other modulations). */
sj_qam4096_mapping sj_modem_qam4096_mapping(const sj_modem* m);
/* Grid row (Q axis) and column (I axis) of an index < 4096 (4096-QAM only). */
sj_status sj_modem_qam4096_position(const sj_modem* m, unsigned index, unsigned* row, unsigned* col);

/* Index -> symbol. Each idx[i] must be < sj_modem_num_used(). */
sj_status sj_modem_map(sj_modem* m, const uint16_t* idx, size_t n, lv_32fc_t* out);
/* Bytes -> symbols (not for 4096-QAM): nbytes * 8 / bps symbols. */
sj_status sj_modem_map_bytes(sj_modem* m, const uint8_t* bytes, size_t nbytes, lv_32fc_t* out);
/* Nearest used constellation point (hard decision). */
sj_status sj_modem_demap_hard(sj_modem* m, const lv_32fc_t* in, size_t n, uint16_t* idx);
/* Hard decisions packed back into bytes (not for 4096-QAM); n symbols -> n * bps / 8 bytes,
 * n * bps must be a multiple of 8. */
sj_status sj_modem_demap_bytes(sj_modem* m, const lv_32fc_t* in, size_t n, uint8_t* bytes);

#ifdef __cplusplus
}
#endif
#endif
