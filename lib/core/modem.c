/* Symbol mapping through liquid-dsp (modem.h).
 *
 * BPSK, QPSK and 16QAM are liquid's own modems. The constellation is read back from liquid
 * once at create (modem_modulate of every index) and mapping is a lookup in that table:
 * the same values liquid returns, without a function-pointer call per symbol. Hard
 * decisions use the same table: each of these constellations is the product of its I and
 * Q levels, so the nearest point is found per axis by comparing with the midpoints
 * (liquid's own modem_demodulate gives the same decisions; the tests check that) at a
 * fraction of the cost of its per-symbol call.
 *
 * 4096-QAM cannot be a liquid modem: liquid 1.5.0 refuses more than 8 bits per symbol
 * (MAX_MOD_BITS_PER_SYMBOL), also in modem_create_arbitrary, and modem_create_arbitrary
 * prints its whole table to stdout at create (and re-centres and rescales the table it is
 * given to zero mean and unit power). So each axis is liquid's 64-ASK (LIQUID_MODEM_ASK64,
 * unit power over its 64 levels): its 64 levels are read back, put in increasing order
 * (liquid numbers them in Gray order), checked to be uniform, and one fixed gain makes the
 * 4093 used points of the 64 x 64 grid unit power. Create verifies the result is the
 * documented separable grid, so the soft demodulator may rely on it. Hard decisions on the
 * grid are per-axis rounding.
 *
 * Where an index sits on the grid is the mapping (modem.h): a (row, column) table per index
 * and its inverse, built at create, so map, constellation and hard decisions are the same
 * code for every mapping (the row-major hard decision keeps its closed form for the unused
 * corner). */
#include "securejscc/modem.h"

#include <complex.h>
#include <liquid/liquid.h>
#include <math.h>
#include <stdlib.h>
#include <strings.h>

struct sj_modem {
    sj_modulation type;
    unsigned bps, order, used;
    lv_32fc_t* points;  /* order points, read back from liquid */
    /* BPSK/QPSK/16QAM hard decisions: the constellation is a product of I and Q levels
     * (checked at create), so the nearest point is the nearest level on each axis. */
    unsigned n_i, n_q;
    float thr_i[3], thr_q[3];    /* midpoints between consecutive sorted levels */
    uint8_t label[16];           /* index of the point with I level a and Q level b at [a * n_q + b] */
    double grid_first;  /* 4096-QAM: coordinate of column/row 0 */
    double grid_step;   /* 4096-QAM: spacing of the grid */
    sj_qam4096_mapping mapping; /* 4096-QAM; SJ_QAM4096_ROW for the others */
    uint8_t* qrow;      /* 4096-QAM: grid row (Q) of each index */
    uint8_t* qcol;      /* 4096-QAM: grid column (I) of each index */
    uint16_t* cell;     /* 4096-QAM: index at grid cell 64 * row + column */
};

static const char* const sj_mod_names[] = { "bpsk", "qpsk", "16qam", "4096qam" };

sj_status sj_modulation_from_name(const char* name, sj_modulation* out)
{
    if (!name || !out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modulation_from_name: %s is NULL", name ? "out" : "name");
    for (int i = 0; i < 4; i++)
        if (strcasecmp(name, sj_mod_names[i]) == 0) {
            *out = (sj_modulation)i;
            return SJ_OK;
        }
    return sj_fail(SJ_ERR_INVALID_ARG, "unknown modulation '%.64s' (expected bpsk, qpsk, 16qam or 4096qam)", name);
}

const char* sj_modulation_name(sj_modulation m)
{
    return ((unsigned)m < 4) ? sj_mod_names[m] : "unknown";
}

static const char* const sj_map_names[] = { "row", "hilbert" };

sj_status sj_qam4096_mapping_from_name(const char* name, sj_qam4096_mapping* out)
{
    if (!name || !out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_qam4096_mapping_from_name: %s is NULL", name ? "out" : "name");
    for (int i = 0; i < 2; i++)
        if (strcasecmp(name, sj_map_names[i]) == 0) {
            *out = (sj_qam4096_mapping)i;
            return SJ_OK;
        }
    return sj_fail(SJ_ERR_INVALID_ARG, "unknown 4096-QAM mapping '%.64s' (expected row or hilbert)", name);
}

const char* sj_qam4096_mapping_name(sj_qam4096_mapping m)
{
    return ((unsigned)m < 2) ? sj_map_names[m] : "unknown";
}

/* Column x and row y of step d along the Hilbert curve filling the 64 x 64 grid: the
 * standard d2xy, built from 2 x 2 cells upwards, each quadrant a rotated or reflected copy
 * of the curve one level down (python/training/sjtrain/lwe_chain.py: hilbert_xy). */
static void hilbert_d2xy(unsigned d, unsigned* x, unsigned* y)
{
    unsigned t = d, px = 0, py = 0;
    for (unsigned s = 1; s < SJ_QAM4096_SIDE; s *= 2) {
        const unsigned rx = (t >> 1) & 1, ry = (t ^ rx) & 1;
        if (ry == 0) {
            if (rx == 1) {
                px = s - 1 - px;
                py = s - 1 - py;
            }
            const unsigned tmp = px;
            px = py;
            py = tmp;
        }
        px += s * rx;
        py += s * ry;
        t >>= 2;
    }
    *x = px;
    *y = py;
}

/* The position tables of the modem's mapping, and their inverse; fails unless the mapping
 * is a bijection onto the grid. */
static sj_status build_positions(sj_modem* m)
{
    enum { N = SJ_QAM4096_SIDE * SJ_QAM4096_SIDE };
    for (unsigned k = 0; k < N; k++)
        m->cell[k] = UINT16_MAX;
    for (unsigned i = 0; i < N; i++) {
        unsigned x = i % SJ_QAM4096_SIDE, y = i / SJ_QAM4096_SIDE;
        if (m->mapping == SJ_QAM4096_HILBERT)
            hilbert_d2xy(i, &x, &y);
        const unsigned k = SJ_QAM4096_SIDE * y + x;
        if (x >= SJ_QAM4096_SIDE || y >= SJ_QAM4096_SIDE || m->cell[k] != UINT16_MAX)
            return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: 4096-QAM mapping %s is not a bijection at index %u",
                           sj_map_names[m->mapping], i);
        m->qcol[i] = (uint8_t)x;
        m->qrow[i] = (uint8_t)y;
        m->cell[k] = (uint16_t)i;
    }
    return SJ_OK;
}

/* Reads liquid's 64-ASK levels, checks them and builds the scaled 64 x 64 grid. */
static sj_status build_qam4096(sj_modem* m)
{
    modemcf ask = modemcf_create(LIQUID_MODEM_ASK64);
    if (!ask)
        return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: liquid-dsp could not create 64-ASK");
    double lev[SJ_QAM4096_SIDE], lo = INFINITY, hi = -INFINITY;
    for (unsigned k = 0; k < SJ_QAM4096_SIDE; k++) {
        liquid_float_complex y = 0;
        modemcf_modulate(ask, k, &y);
        lev[k] = crealf(y);
        lo = fmin(lo, lev[k]);
        hi = fmax(hi, lev[k]);
    }
    modemcf_destroy(ask);
    /* liquid's levels (in Gray order) must be, in some order, the centred uniform grid
     * (2j - 63) h0, j = 0..63, each once: checked, not assumed. */
    const double h0 = (hi - lo) / (2.0 * (SJ_QAM4096_SIDE - 1));
    uint64_t seen = 0;
    for (unsigned k = 0; k < SJ_QAM4096_SIDE; k++) {
        const double t = (lev[k] - lo) / (2.0 * h0);
        const long j = lrint(t);
        if (!(h0 > 0.0) || fabs(t - (double)j) > 1e-4 || j < 0 || j > 63)
            return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: liquid-dsp 64-ASK level %u is off a uniform grid", k);
        seen |= 1ull << j;
    }
    if (seen != ~0ull || fabs(lo + hi) > 1e-4 * h0)
        return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: liquid-dsp 64-ASK levels are not a centred grid");
    sj_status st = build_positions(m);
    if (st != SJ_OK)
        return st;
    /* The fixed gain: levels (2k - 63) h have average power h^2 q over the 4093 used
     * points of this mapping, q an exact integer sum, so h = 1 / sqrt(q). (The Hilbert
     * mapping leaves a different 3 points unused, (62, 1), (62, 0), (63, 0) as (column,
     * row), and its q is 8 larger than the row-major one's 11159002: h moves by 4e-7,
     * below the rounding that follows, so both mappings get the same h.) h is then rounded to 18
     * significant bits: (2k - 63) h, with |2k - 63| < 2^6, is then exact in a float, so
     * the float constellation IS the uniform grid first + c * step (with first = -63 h and
     * step = 2 h exact) that the separable soft demodulator computes with. The rounding
     * moves the power by less than 2^-17 (about 8e-6). */
    double q = 0.0;
    for (unsigned i = 0; i < SJ_QAM4096_USED; i++) {
        const double a = 2.0 * m->qcol[i] - 63.0, b = 2.0 * m->qrow[i] - 63.0;
        q += a * a + b * b;
    }
    int e = 0;
    const double frac = frexp(1.0 / sqrt(q / SJ_QAM4096_USED), &e);
    const double h = ldexp(nearbyint(ldexp(frac, 18)), e - 18);
    for (unsigned i = 0; i < SJ_QAM4096_SIDE * SJ_QAM4096_SIDE; i++)
        m->points[i] = CMPLXF((float)((2.0 * m->qcol[i] - 63.0) * h), (float)((2.0 * m->qrow[i] - 63.0) * h));
    m->grid_first = -63.0 * h;
    m->grid_step = 2.0 * h;

    /* Verify the documented geometry from the stored float points: the point of an index
     * at its column on I and its row on Q, each exactly first + k * step (so increasing,
     * centred and separable), and unit power over the used points. */
    double pw_used = 0.0;
    for (unsigned i = 0; i < SJ_QAM4096_SIDE * SJ_QAM4096_SIDE; i++) {
        const unsigned c = m->qcol[i], r = m->qrow[i];
        const double re = lv_creal(m->points[i]), im = lv_cimag(m->points[i]);
        if (re != m->grid_first + c * m->grid_step || im != m->grid_first + r * m->grid_step)
            return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: 4096-QAM point %u is off the uniform grid", i);
        if (i < SJ_QAM4096_USED)
            pw_used += re * re + im * im;
    }
    if (fabs(pw_used / SJ_QAM4096_USED - 1.0) > 1e-5)
        return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: 4096-QAM grid power %.9f is not 1",
                       pw_used / SJ_QAM4096_USED);
    return SJ_OK;
}

/* Sets up the per-axis hard decisions; fails unless the points are exactly the product of
 * their (at most 4) I and Q levels, each pair used once. */
static sj_status build_product(sj_modem* m)
{
    float lev[2][4];
    unsigned cnt[2] = { 0, 0 }, seen = 0;
    for (unsigned i = 0; i < m->order; i++)
        for (int ax = 0; ax < 2; ax++) {
            const float x = ax ? lv_cimag(m->points[i]) : lv_creal(m->points[i]);
            unsigned j = 0;
            while (j < cnt[ax] && lev[ax][j] != x)
                j++;
            if (j == 4)
                return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: %s has over 4 levels", sj_mod_names[m->type]);
            if (j == cnt[ax])
                lev[ax][cnt[ax]++] = x;
        }
    m->n_i = cnt[0];
    m->n_q = cnt[1];
    for (unsigned i = 0; i < m->order; i++) {
        unsigned ri[2] = { 0, 0 }; /* rank of the point's level on each axis */
        for (unsigned j = 0; j < cnt[0]; j++)
            ri[0] += lev[0][j] < lv_creal(m->points[i]);
        for (unsigned j = 0; j < cnt[1]; j++)
            ri[1] += lev[1][j] < lv_cimag(m->points[i]);
        const unsigned cell = ri[0] * m->n_q + ri[1];
        seen |= (cell < 16 ? 1u : 0u) << cell;
        m->label[cell & 15] = (uint8_t)i;
    }
    if (m->n_i * m->n_q != m->order || seen != (1u << m->order) - 1)
        return sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: liquid-dsp %s is not a square grid", sj_mod_names[m->type]);
    float sorted[2][4]; /* each level at its rank, then the midpoints between neighbours */
    for (int ax = 0; ax < 2; ax++)
        for (unsigned j = 0; j < cnt[ax]; j++) {
            unsigned rank = 0;
            for (unsigned q = 0; q < cnt[ax]; q++)
                rank += lev[ax][q] < lev[ax][j];
            sorted[ax][rank] = lev[ax][j];
        }
    for (unsigned j = 0; j + 1 < cnt[0]; j++)
        m->thr_i[j] = 0.5f * (sorted[0][j] + sorted[0][j + 1]);
    for (unsigned j = 0; j + 1 < cnt[1]; j++)
        m->thr_q[j] = 0.5f * (sorted[1][j] + sorted[1][j + 1]);
    return SJ_OK;
}

/* Nearest of the product constellation: count the midpoints below each coordinate. NaN
 * compares false everywhere and gives level 0. */
static inline unsigned nearest_small(const sj_modem* m, lv_32fc_t y)
{
    const float a = lv_creal(y), b = lv_cimag(y);
    unsigned ci = 0, ri = 0;
    for (unsigned j = 0; j + 1 < m->n_i; j++)
        ci += a > m->thr_i[j];
    for (unsigned j = 0; j + 1 < m->n_q; j++)
        ri += b > m->thr_q[j];
    return m->label[ci * m->n_q + ri];
}

/* sj_modem_create and sj_modem_create_qam4096 (mapping only for 4096-QAM); not
 * modem_create, which is liquid-dsp's. */
static sj_status modem_build(sj_modulation mod, sj_qam4096_mapping mapping, sj_modem** out)
{
    static const modulation_scheme schemes[3] = { LIQUID_MODEM_BPSK, LIQUID_MODEM_QPSK, LIQUID_MODEM_QAM16 };
    static const unsigned bps[4] = { 1, 2, 4, 12 };
    if ((unsigned)mod > SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_create: unknown modulation %d", (int)mod);
    sj_modem* m = calloc(1, sizeof *m);
    if (!m || !(m->points = malloc(((size_t)1 << bps[mod]) * sizeof *m->points))) {
        free(m);
        return sj_fail(SJ_ERR_NOMEM, "sj_modem_create: out of memory");
    }
    m->type = mod;
    m->mapping = mapping;
    m->bps = bps[mod];
    m->order = 1u << m->bps;
    m->used = (mod == SJ_MOD_4096QAM) ? SJ_QAM4096_USED : m->order;
    sj_status st = SJ_OK;
    if (mod == SJ_MOD_4096QAM) {
        const size_t n = (size_t)SJ_QAM4096_SIDE * SJ_QAM4096_SIDE;
        m->qrow = malloc(n);
        m->qcol = malloc(n);
        m->cell = malloc(n * sizeof *m->cell);
        st = (m->qrow && m->qcol && m->cell) ? build_qam4096(m)
                                              : sj_fail(SJ_ERR_NOMEM, "sj_modem_create: out of memory");
    } else {
        modemcf lq = modemcf_create(schemes[mod]);
        if (!lq) {
            st = sj_fail(SJ_ERR_UNSUPPORTED, "sj_modem_create: liquid-dsp could not create %s", sj_mod_names[mod]);
        } else {
            for (unsigned i = 0; i < m->order; i++) {
                liquid_float_complex y = 0;
                modemcf_modulate(lq, i, &y);
                m->points[i] = y;
            }
            modemcf_destroy(lq);
            st = build_product(m);
        }
    }
    if (st != SJ_OK) {
        sj_modem_destroy(m);
        return st;
    }
    *out = m;
    return SJ_OK;
}

sj_status sj_modem_create(sj_modulation mod, sj_modem** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_create: out is NULL");
    *out = NULL;
    return modem_build(mod, SJ_QAM4096_ROW, out);
}

sj_status sj_modem_create_qam4096(sj_qam4096_mapping mapping, sj_modem** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_create_qam4096: out is NULL");
    *out = NULL;
    if ((unsigned)mapping > SJ_QAM4096_HILBERT)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_create_qam4096: unknown mapping %d (expected row or hilbert)",
                       (int)mapping);
    return modem_build(SJ_MOD_4096QAM, mapping, out);
}

void sj_modem_destroy(sj_modem* m)
{
    if (!m)
        return;
    free(m->points);
    free(m->qrow);
    free(m->qcol);
    free(m->cell);
    free(m);
}

sj_modulation sj_modem_type(const sj_modem* m) { return m ? m->type : (sj_modulation)-1; }
unsigned sj_modem_bits_per_symbol(const sj_modem* m) { return m ? m->bps : 0; }
unsigned sj_modem_order(const sj_modem* m) { return m ? m->order : 0; }
unsigned sj_modem_num_used(const sj_modem* m) { return m ? m->used : 0; }

void sj_modem_constellation(const sj_modem* m, lv_32fc_t* points)
{
    if (!m || !points)
        return;
    for (unsigned i = 0; i < m->order; i++)
        points[i] = m->points[i];
}

sj_qam4096_mapping sj_modem_qam4096_mapping(const sj_modem* m)
{
    return (m && m->type == SJ_MOD_4096QAM) ? m->mapping : SJ_QAM4096_ROW;
}

sj_status sj_modem_qam4096_position(const sj_modem* m, unsigned index, unsigned* row, unsigned* col)
{
    if (!m || !row || !col)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_qam4096_position: NULL argument");
    if (m->type != SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_qam4096_position: needs a 4096qam modem, this one is %s",
                       sj_mod_names[m->type]);
    if (index >= m->order)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_qam4096_position: index %u is not below 4096", index);
    *row = m->qrow[index];
    *col = m->qcol[index];
    return SJ_OK;
}

sj_status sj_modem_map(sj_modem* m, const uint16_t* idx, size_t n, lv_32fc_t* out)
{
    if (!m || (n && (!idx || !out)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_map: NULL argument");
    /* Validate everything first so that a bad index leaves out untouched. */
    for (size_t i = 0; i < n; i++)
        if (idx[i] >= m->used)
            return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_map: index %u at position %zu is not below %u (%s)",
                           (unsigned)idx[i], i, m->used, sj_mod_names[m->type]);
    for (size_t i = 0; i < n; i++)
        out[i] = m->points[idx[i]];
    return SJ_OK;
}

sj_status sj_modem_map_bytes(sj_modem* m, const uint8_t* bytes, size_t nbytes, lv_32fc_t* out)
{
    if (!m || (nbytes && (!bytes || !out)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_map_bytes: NULL argument");
    if (m->type == SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_map_bytes: not for 4096qam (use sj_modem_map)");
    const unsigned bps = m->bps, per = 8 / bps, mask = m->order - 1;
    for (size_t i = 0; i < nbytes; i++) {
        const unsigned b = bytes[i];
        /* Most significant bits first: the first symbol of a byte holds its top bps bits. */
        for (unsigned s = 0; s < per; s++)
            out[i * per + s] = m->points[(b >> (8 - bps * (s + 1))) & mask];
    }
    return SJ_OK;
}

/* Nearest grid index along one axis of the 4096 grid; NaN goes to 0 without UB. */
static inline int grid_axis(double u)
{
    if (!(u > 0.0))
        return 0;
    if (u >= SJ_QAM4096_SIDE - 1)
        return SJ_QAM4096_SIDE - 1;
    return (int)(u + 0.5);
}

/* The nearest used point to (u, v) (grid units) when the nearest grid point (c, r) is an
 * unused one, for any mapping: a search of the used points in the 7 x 7 cells around
 * (c, r). That window always holds it, because at most 3 points are unused: a used point
 * (c + dc, r + dr) with |dc| >= 4 is farther from (u, v) than the 3 points (c + s, r + dr),
 * s = 1..3 towards c along its row (u - c <= 1/2 towards any column that exists, so each
 * of them is strictly closer along the row and as close along the column), which would
 * all have to be unused, and (c, r) is unused too: 4 unused points. Likewise for |dr|.
 * Distances are compared relative to (c, r), dc (dc - 2 (u - c)) + dr (dr - 2 (v - r)),
 * which is exact enough wherever (u, v) lies: the common (u - c)^2 + (v - r)^2, huge far
 * off the grid, would round the small differences away. Ties go to the smaller index. */
static unsigned nearest_used_window(const sj_modem* m, double u, double v, int c, int r)
{
    const double du = u - c, dv = v - r;
    double best = INFINITY;
    unsigned k_best = m->cell[0] < SJ_QAM4096_USED ? m->cell[0] : 0; /* NaN: some used index */
    for (int dr = -3; dr <= 3; dr++)
        for (int dc = -3; dc <= 3; dc++) {
            const int rr = r + dr, cc = c + dc;
            if (rr < 0 || rr >= SJ_QAM4096_SIDE || cc < 0 || cc >= SJ_QAM4096_SIDE)
                continue;
            const unsigned k = m->cell[SJ_QAM4096_SIDE * rr + cc];
            const double e = dc * (dc - 2.0 * du) + dr * (dr - 2.0 * dv);
            if (k < SJ_QAM4096_USED && (e < best || (e == best && k < k_best))) {
                best = e;
                k_best = k;
            }
        }
    return k_best;
}

sj_status sj_modem_demap_hard(sj_modem* m, const lv_32fc_t* in, size_t n, uint16_t* idx)
{
    if (!m || (n && (!in || !idx)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_demap_hard: NULL argument");
    if (m->type != SJ_MOD_4096QAM) {
        for (size_t i = 0; i < n; i++)
            idx[i] = (uint16_t)nearest_small(m, in[i]);
        return SJ_OK;
    }
    const double inv = 1.0 / m->grid_step, first = m->grid_first;
    if (m->mapping != SJ_QAM4096_ROW) {
        for (size_t i = 0; i < n; i++) {
            const double u = (lv_creal(in[i]) - first) * inv, v = (lv_cimag(in[i]) - first) * inv;
            const int c = grid_axis(u), r = grid_axis(v);
            unsigned k = m->cell[SJ_QAM4096_SIDE * r + c];
            if (k >= SJ_QAM4096_USED)
                k = nearest_used_window(m, u, v, c, r);
            idx[i] = (uint16_t)k;
        }
        return SJ_OK;
    }
    for (size_t i = 0; i < n; i++) {
        const double u = (lv_creal(in[i]) - first) * inv, v = (lv_cimag(in[i]) - first) * inv;
        const int c = grid_axis(u), r = grid_axis(v);
        unsigned k = (unsigned)(SJ_QAM4096_SIDE * r + c);
        if (k >= SJ_QAM4096_USED) {
            /* The nearest grid point is one of the 3 unused ones (row 63, columns 61..63).
             * The nearest used point is then (row 63, column 60) or (row 62, same column):
             * every other used point is farther than one of these two. */
            const double d_a = (u - 60.0) * (u - 60.0) + (v - 63.0) * (v - 63.0);
            const double d_b = (u - c) * (u - c) + (v - 62.0) * (v - 62.0);
            k = (d_a <= d_b) ? SJ_QAM4096_USED - 1 : (unsigned)(SJ_QAM4096_SIDE * 62 + c);
        }
        idx[i] = (uint16_t)k;
    }
    return SJ_OK;
}

sj_status sj_modem_demap_bytes(sj_modem* m, const lv_32fc_t* in, size_t n, uint8_t* bytes)
{
    if (!m || (n && (!in || !bytes)))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_demap_bytes: NULL argument");
    if (m->type == SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_demap_bytes: not for 4096qam (use sj_modem_demap_hard)");
    if ((n * m->bps) % 8 != 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_modem_demap_bytes: %zu symbols of %u bits are not whole bytes", n,
                       m->bps);
    const unsigned bps = m->bps, per = 8 / bps;
    for (size_t i = 0; i < n / per; i++) {
        unsigned b = 0;
        for (unsigned s = 0; s < per; s++)
            b = (b << bps) | nearest_small(m, in[i * per + s]);
        bytes[i] = (uint8_t)b;
    }
    return SJ_OK;
}
