/* Symbol mapping through liquid-dsp: BPSK, QPSK, 16QAM (Gray) for bytes, and 4096-QAM for
 * values in Z_p.
 *
 * BPSK, QPSK and 16QAM are liquid-dsp's LIQUID_MODEM_BPSK / QPSK / QAM16 (unit average
 * power, Gray). Bytes are cut into symbols most significant bit first: bit j of a symbol
 * (j = 0 first on the wire) is (index >> (bps - 1 - j)) & 1.
 * 4096-QAM is a 64 x 64 square grid on liquid-dsp's 64-ASK levels (liquid 1.5 modems,
 * arbitrary ones included, stop at 8 bits per symbol): index = 64 * row +
 * column, column on the in-phase axis and row on the quadrature axis, both increasing
 * with the coordinate; the 3 points with index >= p = 4093 are never sent; the grid is
 * scaled so the 4093 used points have unit average power. */
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

#define SJ_QAM4096_SIDE 64
#define SJ_QAM4096_USED 4093 /* = p of the LWE presets low/medium/high */

/* Accepts "bpsk", "qpsk", "16qam", "4096qam" (case-insensitive). */
sj_status sj_modulation_from_name(const char* name, sj_modulation* out);
const char* sj_modulation_name(sj_modulation m);

typedef struct sj_modem sj_modem;

sj_status sj_modem_create(sj_modulation mod, sj_modem** out);
void sj_modem_destroy(sj_modem* m);
sj_modulation sj_modem_type(const sj_modem* m);
unsigned sj_modem_bits_per_symbol(const sj_modem* m); /* 1, 2, 4, 12 */
unsigned sj_modem_order(const sj_modem* m);           /* 2, 4, 16, 4096 */
unsigned sj_modem_num_used(const sj_modem* m);        /* order, or 4093 for 4096-QAM */
/* Copies the constellation (order points; for 4096-QAM the 3 unused ones too). */
void sj_modem_constellation(const sj_modem* m, lv_32fc_t* points);

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
