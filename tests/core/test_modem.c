/* Tests of modem.h and awgn.h: round trips, constellation power and geometry, Gray
 * labelling, bit order, BER over AWGN against exact theory, and argument errors. */
#include "sj_test.h"

#include <complex.h>
#include <liquid/liquid.h>
#include <securejscc/awgn.h>
#include <securejscc/modem.h>
#include <stdint.h>

static const sj_modulation all_mods[4] = { SJ_MOD_BPSK, SJ_MOD_QPSK, SJ_MOD_16QAM, SJ_MOD_4096QAM };

/* Test data generator (splitmix64): deterministic, independent of the channel's PRNG. */
static uint64_t test_rng = 0x5EC0DE5EC0DEull;
static uint64_t next_u64(void)
{
    uint64_t z = (test_rng += 0x9E3779B97F4A7C15ull);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
    return z ^ (z >> 31);
}

static double qfunc(double x) { return 0.5 * erfc(x / sqrt(2.0)); }

SJ_TEST(names)
{
    sj_modulation m;
    SJ_CHECK(sj_modulation_from_name("bpsk", &m) == SJ_OK && m == SJ_MOD_BPSK, "bpsk");
    SJ_CHECK(sj_modulation_from_name("QPSK", &m) == SJ_OK && m == SJ_MOD_QPSK, "QPSK");
    SJ_CHECK(sj_modulation_from_name("16Qam", &m) == SJ_OK && m == SJ_MOD_16QAM, "16Qam");
    SJ_CHECK(sj_modulation_from_name("4096QAM", &m) == SJ_OK && m == SJ_MOD_4096QAM, "4096QAM");
    sj_clear_error();
    SJ_CHECK(sj_modulation_from_name("64qam", &m) == SJ_ERR_INVALID_ARG, "unknown name accepted");
    SJ_CHECK(strstr(sj_last_error(), "64qam") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_modulation_from_name(NULL, &m) == SJ_ERR_INVALID_ARG, "NULL name");
    SJ_CHECK(sj_modulation_from_name("bpsk", NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    for (int i = 0; i < 4; i++) {
        SJ_CHECK(sj_modulation_from_name(sj_modulation_name(all_mods[i]), &m) == SJ_OK && m == all_mods[i], "%d", i);
    }
    SJ_CHECK(strcmp(sj_modulation_name((sj_modulation)9), "unknown") == 0, "bad enum name");
}

SJ_TEST(sizes_power_roundtrip)
{
    static const unsigned bps[4] = { 1, 2, 4, 12 }, used[4] = { 2, 4, 16, 4093 };
    for (int t = 0; t < 4; t++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create(all_mods[t], &m) == SJ_OK, "create %d: %s", t, sj_last_error());
        SJ_CHECK(sj_modem_type(m) == all_mods[t], "type");
        SJ_CHECK(sj_modem_bits_per_symbol(m) == bps[t], "bps %u", sj_modem_bits_per_symbol(m));
        SJ_CHECK(sj_modem_order(m) == 1u << bps[t], "order");
        SJ_CHECK(sj_modem_num_used(m) == used[t], "used");
        const unsigned order = sj_modem_order(m), nu = sj_modem_num_used(m);
        lv_32fc_t* pts = malloc(order * sizeof *pts);
        uint16_t* idx = malloc(nu * sizeof *idx);
        uint16_t* back = malloc(nu * sizeof *back);
        lv_32fc_t* sym = malloc(nu * sizeof *sym);
        sj_modem_constellation(m, pts);
        double pw = 0.0;
        for (unsigned i = 0; i < nu; i++)
            pw += lv_creal(pts[i]) * lv_creal(pts[i]) + lv_cimag(pts[i]) * lv_cimag(pts[i]);
        SJ_CHECK_NEAR(pw / nu, 1.0, 1e-5);
        for (unsigned i = 0; i < nu; i++)
            idx[i] = (uint16_t)i;
        SJ_CHECK(sj_modem_map(m, idx, nu, sym) == SJ_OK, "map");
        SJ_CHECK(sj_modem_demap_hard(m, sym, nu, back) == SJ_OK, "demap");
        int bad = 0;
        for (unsigned i = 0; i < nu; i++)
            bad += back[i] != i || sym[i] != pts[i];
        SJ_CHECK(bad == 0, "%s: %d indices do not round-trip", sj_modulation_name(all_mods[t]), bad);
        free(pts);
        free(idx);
        free(back);
        free(sym);
        sj_modem_destroy(m);
    }
}

SJ_TEST(bytes_roundtrip_and_bit_order)
{
    for (int t = 0; t < 3; t++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create(all_mods[t], &m) == SJ_OK, "create");
        const unsigned bps = sj_modem_bits_per_symbol(m), per = 8 / bps;
        uint8_t bytes[256], back[256];
        lv_32fc_t sym[256 * 8], pts[16];
        for (int i = 0; i < 256; i++)
            bytes[i] = (uint8_t)i;
        sj_modem_constellation(m, pts);
        SJ_CHECK(sj_modem_map_bytes(m, bytes, 256, sym) == SJ_OK, "map_bytes");
        SJ_CHECK(sj_modem_demap_bytes(m, sym, 256 * per, back) == SJ_OK, "demap_bytes");
        SJ_CHECK(memcmp(bytes, back, 256) == 0, "%s bytes do not round-trip", sj_modulation_name(all_mods[t]));
        /* Most significant bits first: byte 0xA5 -> symbols of its top bps bits first. */
        const uint8_t b = 0xA5;
        SJ_CHECK(sj_modem_map_bytes(m, &b, 1, sym) == SJ_OK, "map one");
        for (unsigned s = 0; s < per; s++) {
            const unsigned want = (b >> (8 - bps * (s + 1))) & ((1u << bps) - 1);
            SJ_CHECK(sym[s] == pts[want], "%s symbol %u of 0xA5 is not point %u", sj_modulation_name(all_mods[t]), s,
                     want);
        }
        sj_modem_destroy(m);
    }
}

SJ_TEST(qam4096_geometry)
{
    sj_modem* m = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK, "create");
    lv_32fc_t* p = malloc(4096 * sizeof *p);
    sj_modem_constellation(m, p);
    const double step = lv_creal(p[1]) - lv_creal(p[0]);
    SJ_CHECK(step > 0, "column must increase along I");
    SJ_CHECK_NEAR(lv_creal(p[0]) + lv_creal(p[63]), 0.0, 1e-7); /* centred */
    int bad = 0;
    for (int r = 0; r < 64; r++)
        for (int c = 0; c < 64; c++) {
            const lv_32fc_t x = p[64 * r + c];
            bad += fabs(lv_creal(x) - (lv_creal(p[0]) + c * step)) > 1e-6;
            bad += fabs(lv_cimag(x) - (lv_cimag(p[0]) + r * step)) > 1e-6; /* row on Q, increasing */
        }
    SJ_CHECK(bad == 0, "%d coordinates off the documented 64x64 grid", bad);
    SJ_CHECK_NEAR(lv_cimag(p[0]), lv_creal(p[0]), 1e-7);
    /* Over the 4093 used points the power is 1; over all 4096 it is not. */
    double pu = 0.0, pa = 0.0;
    for (int i = 0; i < 4096; i++) {
        const double e = lv_creal(p[i]) * lv_creal(p[i]) + lv_cimag(p[i]) * lv_cimag(p[i]);
        pa += e;
        pu += i < 4093 ? e : 0.0;
    }
    SJ_CHECK_NEAR(pu / 4093, 1.0, 1e-5);
    SJ_CHECK(fabs(pa / 4096 - 1.0) > 1e-4, "power over 4096 should differ from 1");
    free(p);
    sj_modem_destroy(m);
}

/* Gray: every pair of nearest neighbours differs in exactly one bit. */
SJ_TEST(gray_labels)
{
    for (int t = 1; t < 3; t++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create(all_mods[t], &m) == SJ_OK, "create");
        const unsigned M = sj_modem_order(m);
        lv_32fc_t p[16];
        sj_modem_constellation(m, p);
        double dmin = 1e9;
        for (unsigned i = 0; i < M; i++)
            for (unsigned j = i + 1; j < M; j++)
                dmin = fmin(dmin, cabsf(p[i] - p[j]));
        int pairs = 0, bad = 0;
        for (unsigned i = 0; i < M; i++)
            for (unsigned j = i + 1; j < M; j++)
                if (cabsf(p[i] - p[j]) < dmin * 1.001) {
                    pairs++;
                    bad += __builtin_popcount(i ^ j) != 1;
                }
        SJ_CHECK(bad == 0, "%s: %d neighbour pairs differ in more than one bit", sj_modulation_name(all_mods[t]), bad);
        SJ_CHECK(pairs == (t == 1 ? 4 : 24), "%d neighbour pairs", pairs);
        sj_modem_destroy(m);
    }
}

/* The table-based hard decisions of BPSK / QPSK / 16QAM equal liquid-dsp's own
 * demodulator (the modem reads its constellation from liquid but decides by itself). */
SJ_TEST(hard_matches_liquid)
{
    static const modulation_scheme lq[3] = { LIQUID_MODEM_BPSK, LIQUID_MODEM_QPSK, LIQUID_MODEM_QAM16 };
    enum { N = 20000 };
    static lv_32fc_t y[N];
    static uint16_t got[N];
    for (int t = 0; t < 3; t++) {
        sj_modem* m = NULL;
        SJ_REQUIRE(sj_modem_create(all_mods[t], &m) == SJ_OK, "create");
        modemcf ref = modemcf_create(lq[t]);
        for (int i = 0; i < N; i++)
            y[i] = CMPLXF((float)(3.0 * ((next_u64() >> 11) * 0x1p-53) - 1.5),
                          (float)(3.0 * ((next_u64() >> 11) * 0x1p-53) - 1.5));
        SJ_CHECK(sj_modem_demap_hard(m, y, N, got) == SJ_OK, "demap");
        int bad = 0;
        for (int i = 0; i < N; i++) {
            unsigned s = 0;
            modemcf_demodulate(ref, y[i], &s);
            bad += s != got[i];
        }
        SJ_CHECK(bad == 0, "%s: %d of %d decisions differ from liquid-dsp", sj_modulation_name(all_mods[t]), bad, N);
        modemcf_destroy(ref);
        sj_modem_destroy(m);
    }
}

/* The 4096 hard decision is the nearest USED point, also off the grid and in the corner. */
SJ_TEST(qam4096_hard_nearest_used)
{
    sj_modem* m = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK, "create");
    lv_32fc_t* p = malloc(4096 * sizeof *p);
    sj_modem_constellation(m, p);
    const double step = lv_creal(p[1]) - lv_creal(p[0]);
    enum { N = 3000 };
    lv_32fc_t y[N];
    uint16_t got[N];
    for (int i = 0; i < N; i++) {
        double u, v;
        if (i < 1000) { /* the top-right corner, around the unused points */
            u = 58.0 + 8.0 * (next_u64() >> 11) * 0x1p-53;
            v = 59.0 + 8.0 * (next_u64() >> 11) * 0x1p-53;
        } else { /* anywhere, including well outside the grid */
            u = -20.0 + 104.0 * (next_u64() >> 11) * 0x1p-53;
            v = -20.0 + 104.0 * (next_u64() >> 11) * 0x1p-53;
        }
        y[i] = CMPLXF((float)(lv_creal(p[0]) + u * step), (float)(lv_cimag(p[0]) + v * step));
    }
    SJ_CHECK(sj_modem_demap_hard(m, y, N, got) == SJ_OK, "demap");
    int bad = 0;
    for (int i = 0; i < N; i++) {
        double best = 1e30, dg = 0;
        for (int j = 0; j < 4093; j++) {
            const double e = cabs((double complex)y[i] - (double complex)p[j]);
            if (e < best)
                best = e;
            if (j == got[i])
                dg = e;
        }
        bad += dg > best * (1 + 1e-6) + 1e-9;
    }
    SJ_CHECK(bad == 0, "%d symbols not decided to the nearest used point", bad);
    free(p);
    sj_modem_destroy(m);
}

SJ_TEST(qam4096_mapping_names_and_getters)
{
    sj_qam4096_mapping mp = SJ_QAM4096_HILBERT;
    SJ_CHECK(sj_qam4096_mapping_from_name("row", &mp) == SJ_OK && mp == SJ_QAM4096_ROW, "row");
    SJ_CHECK(sj_qam4096_mapping_from_name("HilBert", &mp) == SJ_OK && mp == SJ_QAM4096_HILBERT, "HilBert");
    sj_clear_error();
    SJ_CHECK(sj_qam4096_mapping_from_name("zorder", &mp) == SJ_ERR_INVALID_ARG, "unknown mapping accepted");
    SJ_CHECK(strstr(sj_last_error(), "zorder") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_qam4096_mapping_from_name(NULL, &mp) == SJ_ERR_INVALID_ARG, "NULL name");
    SJ_CHECK(sj_qam4096_mapping_from_name("row", NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(strcmp(sj_qam4096_mapping_name(SJ_QAM4096_ROW), "row") == 0, "name row");
    SJ_CHECK(strcmp(sj_qam4096_mapping_name(SJ_QAM4096_HILBERT), "hilbert") == 0, "name hilbert");
    SJ_CHECK(strcmp(sj_qam4096_mapping_name((sj_qam4096_mapping)2), "unknown") == 0, "bad enum name");
    sj_modem *m = (sj_modem*)&mp, *h = NULL, *r = NULL, *q = NULL;
    SJ_CHECK(sj_modem_create_qam4096((sj_qam4096_mapping)2, &m) == SJ_ERR_INVALID_ARG && m == NULL, "mapping 2");
    SJ_CHECK(sj_modem_create_qam4096((sj_qam4096_mapping)-1, &m) == SJ_ERR_INVALID_ARG, "mapping -1");
    SJ_CHECK(sj_modem_create_qam4096(SJ_QAM4096_ROW, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &h) == SJ_OK && sj_modem_create(SJ_MOD_4096QAM, &r) == SJ_OK &&
                   sj_modem_create(SJ_MOD_QPSK, &q) == SJ_OK,
               "create");
    SJ_CHECK(sj_modem_type(h) == SJ_MOD_4096QAM && sj_modem_num_used(h) == 4093 && sj_modem_order(h) == 4096 &&
                 sj_modem_bits_per_symbol(h) == 12,
             "hilbert modem sizes");
    SJ_CHECK(sj_modem_qam4096_mapping(h) == SJ_QAM4096_HILBERT, "mapping of hilbert");
    SJ_CHECK(sj_modem_qam4096_mapping(r) == SJ_QAM4096_ROW, "sj_modem_create(4096qam) is row-major");
    SJ_CHECK(sj_modem_qam4096_mapping(q) == SJ_QAM4096_ROW && sj_modem_qam4096_mapping(NULL) == SJ_QAM4096_ROW,
             "mapping of qpsk / NULL");
    unsigned row = 99, col = 99;
    SJ_CHECK(sj_modem_qam4096_position(h, 4096, &row, &col) == SJ_ERR_INVALID_ARG, "index 4096");
    SJ_CHECK(strstr(sj_last_error(), "4096") != NULL, "message: %s", sj_last_error());
    SJ_CHECK(sj_modem_qam4096_position(q, 0, &row, &col) == SJ_ERR_INVALID_ARG, "qpsk");
    SJ_CHECK(sj_modem_qam4096_position(NULL, 0, &row, &col) == SJ_ERR_INVALID_ARG, "NULL modem");
    SJ_CHECK(sj_modem_qam4096_position(h, 0, NULL, &col) == SJ_ERR_INVALID_ARG, "NULL row");
    SJ_CHECK(sj_modem_qam4096_position(h, 0, &row, NULL) == SJ_ERR_INVALID_ARG, "NULL col");
    SJ_CHECK(row == 99 && col == 99, "outputs written by failing calls");
    sj_modem_destroy(h);
    sj_modem_destroy(r);
    sj_modem_destroy(q);
}

/* Row-major stays what it was: index 64 r + c at row r, column c (also from
 * sj_modem_create_qam4096(ROW), which is the same modem as sj_modem_create). */
SJ_TEST(qam4096_row_mapping_unchanged)
{
    sj_modem *a = NULL, *b = NULL;
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &a) == SJ_OK && sj_modem_create_qam4096(SJ_QAM4096_ROW, &b) == SJ_OK,
               "create");
    int bad = 0;
    for (unsigned i = 0; i < 4096; i++) {
        unsigned r = 0, c = 0;
        bad += sj_modem_qam4096_position(a, i, &r, &c) != SJ_OK || r != i / 64 || c != i % 64;
    }
    SJ_CHECK(bad == 0, "%d row-major positions are not (i / 64, i %% 64)", bad);
    lv_32fc_t* pa = malloc(4096 * sizeof *pa);
    lv_32fc_t* pb = malloc(4096 * sizeof *pb);
    sj_modem_constellation(a, pa);
    sj_modem_constellation(b, pb);
    SJ_CHECK(memcmp(pa, pb, 4096 * sizeof *pa) == 0, "sj_modem_create_qam4096(ROW) differs from sj_modem_create");
    enum { N = 4000 };
    static lv_32fc_t y[N];
    static uint16_t ia[N], ib[N];
    for (int i = 0; i < N; i++)
        y[i] = CMPLXF((float)(2.6 * ((next_u64() >> 11) * 0x1p-53) - 1.3), (float)(2.6 * ((next_u64() >> 11) * 0x1p-53) - 1.3));
    SJ_CHECK(sj_modem_demap_hard(a, y, N, ia) == SJ_OK && sj_modem_demap_hard(b, y, N, ib) == SJ_OK, "demap");
    SJ_CHECK(memcmp(ia, ib, sizeof ia) == 0, "hard decisions differ");
    free(pa);
    free(pb);
    sj_modem_destroy(a);
    sj_modem_destroy(b);
}

/* The Hilbert mapping: a bijection onto the grid; consecutive indices are grid neighbours;
 * every 64 consecutive indices from a multiple of 64 fill an aligned 8 x 8 square (and every
 * 16, 4 from multiples of 16, 4 an aligned 4 x 4, 2 x 2); the positions of
 * python/training/sjtrain/lwe_chain.py hilbert_xy; the same grid coordinates and scale as
 * row-major, unit power over the used points, and the constellation at those positions. */
SJ_TEST(qam4096_hilbert_geometry)
{
    sj_modem *h = NULL, *r = NULL;
    SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &h) == SJ_OK && sj_modem_create(SJ_MOD_4096QAM, &r) == SJ_OK,
               "create");
    unsigned row[4096], col[4096];
    int seen[4096] = { 0 }, bad = 0;
    for (unsigned i = 0; i < 4096; i++) {
        SJ_REQUIRE(sj_modem_qam4096_position(h, i, &row[i], &col[i]) == SJ_OK, "position %u", i);
        SJ_REQUIRE(row[i] < 64 && col[i] < 64, "index %u off the grid", i);
        seen[64 * row[i] + col[i]]++;
    }
    for (int k = 0; k < 4096; k++)
        bad += seen[k] != 1;
    SJ_CHECK(bad == 0, "%d grid cells not hit exactly once", bad);
    bad = 0;
    for (unsigned i = 1; i < 4096; i++)
        bad += abs((int)row[i] - (int)row[i - 1]) + abs((int)col[i] - (int)col[i - 1]) != 1;
    SJ_CHECK(bad == 0, "%d consecutive index pairs are not grid neighbours", bad);
    for (unsigned side = 2; side <= 8; side *= 2) {
        bad = 0;
        const unsigned run = side * side;
        for (unsigned b = 0; b < 4096 / run; b++) {
            const unsigned r0 = row[b * run] / side, c0 = col[b * run] / side;
            for (unsigned i = b * run; i < (b + 1) * run; i++)
                bad += row[i] / side != r0 || col[i] / side != c0; /* run cells, all in one aligned square */
        }
        SJ_CHECK(bad == 0, "%d indices outside their run's aligned %u x %u square", bad, side, side);
    }
    /* From the Python reference: hilbert_xy(d) = (column, row). */
    static const unsigned known[][3] = { { 0, 0, 0 },     { 1, 1, 0 },      { 2, 1, 1 },      { 3, 0, 1 },
                                         { 4, 0, 2 },     { 15, 3, 0 },     { 63, 0, 7 },     { 64, 0, 8 },
                                         { 100, 4, 14 },  { 1000, 6, 30 },  { 2002, 25, 37 }, { 2003, 24, 37 },
                                         { 4092, 63, 1 }, { 4093, 62, 1 },  { 4094, 62, 0 },  { 4095, 63, 0 } };
    for (size_t k = 0; k < sizeof known / sizeof known[0]; k++)
        SJ_CHECK(col[known[k][0]] == known[k][1] && row[known[k][0]] == known[k][2],
                 "index %u at column %u row %u, expected column %u row %u", known[k][0], col[known[k][0]],
                 row[known[k][0]], known[k][1], known[k][2]);
    lv_32fc_t* ph = malloc(4096 * sizeof *ph);
    lv_32fc_t* pr = malloc(4096 * sizeof *pr);
    sj_modem_constellation(h, ph);
    sj_modem_constellation(r, pr);
    bad = 0;
    double pw = 0.0;
    for (unsigned i = 0; i < 4096; i++) {
        /* the point at (row, col) is the row-major point of index 64 row + col: same grid */
        bad += ph[i] != pr[64 * row[i] + col[i]];
        pw += i < 4093 ? lv_creal(ph[i]) * lv_creal(ph[i]) + lv_cimag(ph[i]) * lv_cimag(ph[i]) : 0.0;
    }
    SJ_CHECK(bad == 0, "%d Hilbert points are not at their grid position", bad);
    SJ_CHECK_NEAR(pw / 4093, 1.0, 1e-5);
    free(ph);
    free(pr);
    sj_modem_destroy(h);
    sj_modem_destroy(r);
}

/* Hilbert: every used index round-trips through map and hard demap; the hard decision is
 * the nearest USED point, around the unused corner (column 62..63, row 0..1), on the unused
 * points themselves, anywhere on the grid and far outside it. */
SJ_TEST(qam4096_hilbert_roundtrip_and_nearest_used)
{
    sj_modem* m = NULL;
    SJ_REQUIRE(sj_modem_create_qam4096(SJ_QAM4096_HILBERT, &m) == SJ_OK, "create");
    lv_32fc_t* p = malloc(4096 * sizeof *p);
    sj_modem_constellation(m, p);
    static uint16_t idx[4093], back[4093];
    static lv_32fc_t sym[4093];
    for (int i = 0; i < 4093; i++)
        idx[i] = (uint16_t)i;
    SJ_CHECK(sj_modem_map(m, idx, 4093, sym) == SJ_OK && sj_modem_demap_hard(m, sym, 4093, back) == SJ_OK, "map");
    int bad = 0;
    for (int i = 0; i < 4093; i++)
        bad += back[i] != i || sym[i] != p[i];
    SJ_CHECK(bad == 0, "%d indices do not round-trip", bad);
    uint16_t over = 4093;
    SJ_CHECK(sj_modem_map(m, &over, 1, sym) == SJ_ERR_INVALID_ARG, "index 4093 mapped");

    double x0 = INFINITY, x1 = -INFINITY;
    for (int i = 0; i < 4096; i++)
        x0 = fmin(x0, lv_creal(p[i])), x1 = fmax(x1, lv_creal(p[i]));
    const double step = (x1 - x0) / 63;
    enum { N = 4000 };
    static lv_32fc_t y[N];
    static uint16_t got[N];
    for (int i = 0; i < N; i++) {
        double u, v;
        if (i < 3) { /* exactly on the unused points */
            u = lv_creal(p[4093 + i]), v = lv_cimag(p[4093 + i]);
            y[i] = CMPLXF((float)u, (float)v);
            continue;
        }
        if (i < 1500) { /* around the unused corner, inside and outside the grid */
            u = 57.0 + 10.0 * (next_u64() >> 11) * 0x1p-53;
            v = -4.0 + 9.0 * (next_u64() >> 11) * 0x1p-53;
        } else if (i < 3500) { /* anywhere, including outside the grid */
            u = -20.0 + 104.0 * (next_u64() >> 11) * 0x1p-53;
            v = -20.0 + 104.0 * (next_u64() >> 11) * 0x1p-53;
        } else { /* far beyond the corner */
            u = 63.0 + 1e5 * (next_u64() >> 11) * 0x1p-53;
            v = -1e5 * (next_u64() >> 11) * 0x1p-53 + 1.5 * (i % 3);
        }
        y[i] = CMPLXF((float)(x0 + u * step), (float)(x0 + v * step));
    }
    SJ_CHECK(sj_modem_demap_hard(m, y, N, got) == SJ_OK, "demap");
    bad = 0;
    for (int i = 0; i < N; i++) {
        double best = INFINITY, dg = 0;
        for (int j = 0; j < 4093; j++) {
            const double a = (double)lv_creal(y[i]) - lv_creal(p[j]), b = (double)lv_cimag(y[i]) - lv_cimag(p[j]);
            const double e = a * a + b * b;
            best = fmin(best, e);
            dg = j == got[i] ? e : dg;
        }
        bad += !(got[i] < 4093) || dg > best * (1 + 1e-9) + 1e-12;
    }
    SJ_CHECK(bad == 0, "%d symbols not decided to the nearest used point", bad);
    /* on an unused point the nearest used ones are one step away */
    for (int i = 0; i < 3; i++) {
        const double a = lv_creal(y[i]) - lv_creal(p[got[i]]), b = lv_cimag(y[i]) - lv_cimag(p[got[i]]);
        SJ_CHECK(fabs(sqrt(a * a + b * b) - step) < 1e-6, "unused point %d decided %u at distance %g steps", 4093 + i,
                 got[i], sqrt(a * a + b * b) / step);
    }
    const lv_32fc_t weird[3] = { CMPLXF(NAN, NAN), CMPLXF(INFINITY, -INFINITY), CMPLXF(1e30f, -1e30f) };
    SJ_CHECK(sj_modem_demap_hard(m, weird, 3, got) == SJ_OK && got[0] < 4093 && got[1] < 4093 && got[2] < 4093,
             "weird input");
    SJ_CHECK(got[2] == 4092, "(+1e30, -1e30) decided %u, not 4092 (column 63, row 1)", got[2]);
    free(p);
    sj_modem_destroy(m);
}

/* Bit errors of hard byte decisions over sj_awgn, with enough bits for >= 2500 expected
 * errors (so the 10% tolerance is about 5 standard deviations) and a fixed seed. */
static double measure_ber(sj_modulation mod, double snr_db, double theory, uint64_t seed)
{
    sj_modem* m = NULL;
    sj_awgn* ch = NULL;
    if (sj_modem_create(mod, &m) != SJ_OK || sj_awgn_create(seed, &ch) != SJ_OK)
        return -1.0;
    const unsigned per = 8 / sj_modem_bits_per_symbol(m);
    const size_t chunk = 1 << 15, nbits = (size_t)(2500.0 / theory) + 1;
    uint8_t* tx = malloc(chunk);
    uint8_t* rx = malloc(chunk);
    lv_32fc_t* s = malloc(chunk * per * sizeof *s);
    const float n0 = sj_awgn_noise_var((float)snr_db, 1.0f);
    size_t bits = 0, errors = 0;
    while (bits < nbits) {
        for (size_t i = 0; i < chunk; i += 8) {
            const uint64_t r = next_u64();
            memcpy(tx + i, &r, 8);
        }
        sj_modem_map_bytes(m, tx, chunk, s);
        sj_awgn_apply(ch, s, s, chunk * per, n0);
        sj_modem_demap_bytes(m, s, chunk * per, rx);
        for (size_t i = 0; i < chunk; i++)
            errors += __builtin_popcount(tx[i] ^ rx[i]);
        bits += chunk * 8;
    }
    free(tx);
    free(rx);
    free(s);
    sj_awgn_destroy(ch);
    sj_modem_destroy(m);
    return (double)errors / bits;
}

SJ_TEST(ber_vs_theory)
{
    static const double snrs[3][3] = { { 0, 4, 7 }, { 3, 7, 10 }, { 10, 14, 17 } };
    for (int t = 0; t < 3; t++)
        for (int k = 0; k < 3; k++) {
            const double snr = snrs[t][k], n0 = pow(10.0, -snr / 10.0), s = sqrt(n0 / 2.0);
            double th;
            if (t == 0)
                th = qfunc(1.0 / s); /* BPSK: amplitude 1 */
            else if (t == 1)
                th = qfunc(sqrt(0.5) / s); /* QPSK: sqrt(1/2) per axis */
            else {
                const double a = 1.0 / sqrt(10.0); /* 16QAM levels +-1, +-3 times 1/sqrt(10) */
                th = 0.25 * (3 * qfunc(a / s) + 2 * qfunc(3 * a / s) - qfunc(5 * a / s));
            }
            const double ber = measure_ber(all_mods[t], snr, th, 1000 + 10 * t + k);
            printf("  BER %-5s Es/N0 %4.1f dB: measured %.4e theory %.4e ratio %.3f\n",
                   sj_modulation_name(all_mods[t]), snr, ber, th, ber / th);
            SJ_CHECK(fabs(ber / th - 1.0) < 0.10, "%s at %.1f dB: BER %.4e vs theory %.4e",
                     sj_modulation_name(all_mods[t]), snr, ber, th);
        }
}

SJ_TEST(awgn_statistics_and_seed)
{
    sj_awgn *a = NULL, *b = NULL;
    SJ_REQUIRE(sj_awgn_create(7, &a) == SJ_OK && sj_awgn_create(7, &b) == SJ_OK, "create");
    enum { N = 200001 };
    float* x = malloc(N * sizeof *x);
    float* z = malloc(N * sizeof *z);
    sj_awgn_gaussian(a, x, N);
    sj_awgn_gaussian(b, z, N);
    SJ_CHECK(memcmp(x, z, N * sizeof *x) == 0, "same seed, different stream");
    double s1 = 0, s2 = 0;
    for (int i = 0; i < N; i++) {
        s1 += x[i];
        s2 += (double)x[i] * x[i];
    }
    SJ_CHECK_NEAR(s1 / N, 0.0, 0.01);
    SJ_CHECK_NEAR(s2 / N, 1.0, 0.01);
    /* apply: E|w|^2 = noise_var, in place allowed; noise_var 0 adds nothing. */
    lv_32fc_t* c = calloc(N / 2, sizeof *c);
    sj_awgn_apply(a, c, c, N / 2, 0.5f);
    double e = 0;
    for (int i = 0; i < N / 2; i++)
        e += lv_creal(c[i]) * lv_creal(c[i]) + lv_cimag(c[i]) * lv_cimag(c[i]);
    SJ_CHECK_NEAR(e / (N / 2), 0.5, 0.01);
    const lv_32fc_t one = 1.0f;
    lv_32fc_t o = 0;
    sj_awgn_apply(a, &one, &o, 1, 0.0f);
    SJ_CHECK(o == one, "noise_var 0 must add nothing");
    sj_awgn_apply(a, &one, &o, 1, NAN); /* void: no noise, an error detail, no crash */
    SJ_CHECK(o == one && sj_last_error()[0] != '\0', "NaN noise_var");
    SJ_CHECK_NEAR(sj_awgn_noise_var(10.0f, 1.0f), 0.1, 1e-7);
    SJ_CHECK_NEAR(sj_awgn_noise_var(-3.0f, 2.0f), 2.0 * pow(10.0, 0.3), 1e-5);
    SJ_CHECK(sj_awgn_create(1, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    sj_awgn_apply(NULL, c, c, 1, 1.0f);
    sj_awgn_gaussian(NULL, x, 1);
    sj_awgn_destroy(NULL);
    free(x);
    free(z);
    free(c);
    sj_awgn_destroy(a);
    sj_awgn_destroy(b);
}

SJ_TEST(bad_arguments)
{
    sj_modem *m = NULL, *q = NULL;
    SJ_CHECK(sj_modem_create((sj_modulation)4, &m) == SJ_ERR_INVALID_ARG && m == NULL, "bad modulation");
    SJ_CHECK(sj_last_error()[0] != '\0', "no message");
    SJ_CHECK(sj_modem_create((sj_modulation)-1, &m) == SJ_ERR_INVALID_ARG, "negative modulation");
    SJ_CHECK(sj_modem_create(SJ_MOD_QPSK, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_REQUIRE(sj_modem_create(SJ_MOD_4096QAM, &m) == SJ_OK, "create");
    SJ_REQUIRE(sj_modem_create(SJ_MOD_16QAM, &q) == SJ_OK, "create");
    uint16_t idx[4] = { 4092, 4093, 0, 0 };
    lv_32fc_t s[16] = { 0 };
    uint8_t b[8];
    sj_clear_error();
    SJ_CHECK(sj_modem_map(m, idx, 2, s) == SJ_ERR_INVALID_ARG, "index 4093 accepted");
    SJ_CHECK(strstr(sj_last_error(), "4093") != NULL, "message: %s", sj_last_error());
    idx[0] = 16;
    SJ_CHECK(sj_modem_map(q, idx, 1, s) == SJ_ERR_INVALID_ARG, "index 16 accepted by 16qam");
    SJ_CHECK(sj_modem_map(NULL, idx, 1, s) == SJ_ERR_INVALID_ARG, "NULL modem");
    SJ_CHECK(sj_modem_map(q, NULL, 1, s) == SJ_ERR_INVALID_ARG, "NULL idx");
    SJ_CHECK(sj_modem_map(q, idx, 1, NULL) == SJ_ERR_INVALID_ARG, "NULL out");
    SJ_CHECK(sj_modem_map(q, idx, 0, s) == SJ_OK, "n = 0 is a no-op");
    SJ_CHECK(sj_modem_map_bytes(m, b, 1, s) == SJ_ERR_INVALID_ARG, "map_bytes on 4096qam");
    SJ_CHECK(sj_modem_map_bytes(q, NULL, 1, s) == SJ_ERR_INVALID_ARG, "NULL bytes");
    SJ_CHECK(sj_modem_demap_bytes(m, s, 2, b) == SJ_ERR_INVALID_ARG, "demap_bytes on 4096qam");
    SJ_CHECK(sj_modem_demap_bytes(q, s, 3, b) == SJ_ERR_INVALID_ARG, "3 16qam symbols are not whole bytes");
    SJ_CHECK(sj_modem_demap_bytes(q, s, 2, NULL) == SJ_ERR_INVALID_ARG, "NULL bytes out");
    SJ_CHECK(sj_modem_demap_hard(q, NULL, 1, idx) == SJ_ERR_INVALID_ARG, "NULL in");
    SJ_CHECK(sj_modem_demap_hard(NULL, s, 1, idx) == SJ_ERR_INVALID_ARG, "NULL modem");
    /* Non-finite samples still give a valid index (no UB, no crash). */
    const lv_32fc_t weird[3] = { CMPLXF(NAN, NAN), CMPLXF(INFINITY, -INFINITY), CMPLXF(1e30f, -1e30f) };
    SJ_CHECK(sj_modem_demap_hard(m, weird, 3, idx) == SJ_OK && idx[0] < 4093 && idx[1] < 4093, "weird input");
    SJ_CHECK(sj_modem_bits_per_symbol(NULL) == 0 && sj_modem_order(NULL) == 0 && sj_modem_num_used(NULL) == 0,
             "NULL getters");
    sj_modem_constellation(NULL, s);
    sj_modem_destroy(NULL);
    sj_modem_destroy(m);
    sj_modem_destroy(q);
}

SJ_TEST_MAIN("modem")
