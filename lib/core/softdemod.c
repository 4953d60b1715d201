/* Soft demodulator object and exact bit LLRs (softdemod.h).
 *
 * LLR_j = log sum_{x: bit j = 0} exp(-|y - x|^2 / N0) - log sum_{x: bit j = 1} exp(...),
 * each log-sum-exp taken around its own group's largest term, so neither underflows however
 * far apart the groups are (at high SNR the LLRs are simply large). The work runs over a
 * block of symbols per VOLK call: distances from each constellation point to all symbols of
 * the block (volk_32fc_x2_square_dist_32f with the point as the single "source"), one scale
 * by -1/N0 (volk_32f_s32f_multiply_32f), and one volk_32f_exp_32f per bit and group. */
#include "softdemod_internal.h"

#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <volk/volk.h>

/* Metrics are clamped here: with N0 near the float minimum, -d / N0 would reach -inf for a
 * far symbol and a difference of two -inf is NaN. 1e30 keeps LLRs finite and loses nothing
 * (such an LLR is a certainty either way). */
#define SJ_METRIC_FLOOR (-1e30f)
#define SJ_INV_N0_MAX 1e30

int sj_soft_all_finite(const lv_32fc_t* in, size_t n)
{
    /* Exponent bits all ones = inf or NaN. Integer OR over the block vectorises. */
    const float* f = (const float*)in;
    uint32_t bad = 0;
    for (size_t i = 0; i < 2 * n; i++) {
        uint32_t b;
        memcpy(&b, &f[i], sizeof b);
        bad |= ((b & 0x7f800000u) == 0x7f800000u);
    }
    return !bad;
}

static void* vmalloc(size_t bytes) { return volk_malloc(bytes ? bytes : 1, volk_get_alignment()); }

sj_status sj_softdemod_create(const sj_modem* m, size_t max_symbols, sj_softdemod** out)
{
    if (!out)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_create: out is NULL");
    *out = NULL;
    if (!m)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_create: modem is NULL");
    if (max_symbols == 0)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_create: max_symbols must be at least 1");
    sj_softdemod* d = calloc(1, sizeof *d);
    if (!d)
        return sj_fail(SJ_ERR_NOMEM, "sj_softdemod_create: out of memory");
    d->type = sj_modem_type(m);
    d->bps = sj_modem_bits_per_symbol(m);
    d->order = sj_modem_order(m);
    d->used = sj_modem_num_used(m);
    d->max_symbols = max_symbols;
    d->block = max_symbols < SJ_SOFT_BLOCK ? max_symbols : SJ_SOFT_BLOCK;
    d->sigma_l = 5.0f;
    d->exp_impl = sj_vexp_impl_for_env();
    lv_32fc_t* c = malloc(d->order * sizeof *c);
    if (!c) {
        sj_softdemod_destroy(d);
        return sj_fail(SJ_ERR_NOMEM, "sj_softdemod_create: out of memory");
    }
    sj_modem_constellation(m, c);
    sj_status st = SJ_OK;
    if (d->type == SJ_MOD_4096QAM) {
        /* The grid in row-major order (point of cell 64 * row + column), whatever the
         * modem's mapping: that is the geometry sj_soft4096_init checks. The posterior
         * means themselves are row-major only (sj_softdemod_posterior_mean refuses others). */
        d->mapping = sj_modem_qam4096_mapping(m);
        lv_32fc_t* g = malloc(d->order * sizeof *g);
        if (!g) {
            st = sj_fail(SJ_ERR_NOMEM, "sj_softdemod_create: out of memory");
        } else {
            for (unsigned i = 0; i < d->order && st == SJ_OK; i++) {
                unsigned r = 0, col = 0;
                st = sj_modem_qam4096_position(m, i, &r, &col);
                g[SJ_QAM4096_SIDE * r + col] = c[i];
            }
            if (st == SJ_OK)
                st = sj_soft4096_init(d, g);
            free(g);
        }
    } else {
        const size_t M = d->order, half = M / 2, B = d->block;
        d->pts = vmalloc(M * sizeof *d->pts);
        d->member = malloc(d->bps * 2 * half);
        d->metric = vmalloc(M * B * sizeof(float));
        d->tmp = vmalloc(half * B * sizeof(float));
        d->mx = vmalloc(B * sizeof(float));
        d->lse0 = vmalloc(B * sizeof(float));
        d->lse1 = vmalloc(B * sizeof(float));
        d->sum = vmalloc(B * sizeof(float));
        if (!d->pts || !d->member || !d->metric || !d->tmp || !d->mx || !d->lse0 || !d->lse1 || !d->sum) {
            st = sj_fail(SJ_ERR_NOMEM, "sj_softdemod_create: out of memory");
        } else {
            memcpy(d->pts, c, M * sizeof *c);
            for (unsigned b = 0; b < d->bps; b++) {
                const unsigned shift = d->bps - 1 - b; /* bit b is sent b-th: MSB first */
                unsigned n0 = 0, n1 = 0;
                for (unsigned j = 0; j < M; j++) {
                    if ((j >> shift) & 1)
                        d->member[(b * 2 + 1) * half + n1++] = (unsigned char)j;
                    else
                        d->member[(b * 2 + 0) * half + n0++] = (unsigned char)j;
                }
            }
        }
    }
    free(c);
    if (st != SJ_OK) {
        sj_softdemod_destroy(d);
        return st;
    }
    *out = d;
    return SJ_OK;
}

void sj_softdemod_destroy(sj_softdemod* d)
{
    if (!d)
        return;
    volk_free(d->pts);
    free(d->member);
    volk_free(d->metric);
    volk_free(d->tmp);
    volk_free(d->mx);
    volk_free(d->lse0);
    volk_free(d->lse1);
    volk_free(d->sum);
    volk_free(d->yi);
    volk_free(d->yq);
    volk_free(d->dist);
    volk_free(d->ex);
    free(d);
}

sj_status sj_softdemod_set_temperature(sj_softdemod* d, float sigma_l)
{
    if (!d)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_set_temperature: object is NULL");
    if (!(sigma_l > 0.0f) || isinf(sigma_l))
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_set_temperature: sigma_l must be finite and > 0, got %g",
                       (double)sigma_l);
    d->sigma_l = sigma_l;
    return SJ_OK;
}

/* Common checks of the two soft calls. */
static sj_status check_call(const char* fn, const sj_softdemod* d, const void* in, size_t n, float noise_var,
                            const void* out)
{
    if (!d || (n && (!in || !out)))
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: NULL argument", fn);
    if (n > d->max_symbols)
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: n = %zu exceeds max_symbols = %zu given at create", fn, n,
                       d->max_symbols);
    if (!(noise_var > 0.0f) || isinf(noise_var))
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: noise_var must be finite and > 0, got %g", fn, (double)noise_var);
    if (!sj_soft_all_finite(in, n))
        return sj_fail(SJ_ERR_INVALID_ARG, "%s: input contains NaN or infinite samples", fn);
    return SJ_OK;
}

/* Log-sum-exp of one group for every symbol of the block: mx + log(sum exp(m - mx)). */
static void group_lse(sj_softdemod* d, const unsigned char* mem, size_t B, float* res)
{
    const size_t half = d->order / 2;
    float* mx = d->mx;
    const float* first = d->metric + (size_t)mem[0] * B;
    for (size_t i = 0; i < B; i++)
        mx[i] = first[i];
    for (size_t k = 1; k < half; k++) {
        const float* mk = d->metric + (size_t)mem[k] * B;
        for (size_t i = 0; i < B; i++)
            mx[i] = mk[i] > mx[i] ? mk[i] : mx[i];
    }
    for (size_t k = 0; k < half; k++) {
        const float* mk = d->metric + (size_t)mem[k] * B;
        float* t = d->tmp + k * B;
        for (size_t i = 0; i < B; i++)
            t[i] = mk[i] - mx[i];
    }
    sj_vexp(d->exp_impl, d->tmp, d->tmp, (unsigned)(half * B));
    float* s = d->sum;
    memcpy(s, d->tmp, B * sizeof *s);
    for (size_t k = 1; k < half; k++)
        for (size_t i = 0; i < B; i++)
            s[i] += d->tmp[k * B + i];
    /* s >= 1 (the group's own maximum contributes exp(0)), so the log is finite. */
    for (size_t i = 0; i < B; i++)
        res[i] = mx[i] + logf(s[i]);
}

sj_status sj_softdemod_llr(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var, float* llr)
{
    sj_status st = check_call("sj_softdemod_llr", d, in, n, noise_var, llr);
    if (st != SJ_OK)
        return st;
    if (d->type == SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_llr: bit LLRs are for bpsk, qpsk and 16qam; "
                                           "use sj_softdemod_posterior_mean for 4096qam");
    double inv = 1.0 / (double)noise_var;
    if (inv > SJ_INV_N0_MAX)
        inv = SJ_INV_N0_MAX;
    const float scale = (float)-inv;
    const size_t M = d->order, half = M / 2, bps = d->bps;
    for (size_t base = 0; base < n; base += d->block) {
        const size_t B = (n - base < d->block) ? n - base : d->block;
        lv_32fc_t* y = (lv_32fc_t*)(in + base); /* VOLK's prototype is not const; it only reads */
        for (size_t j = 0; j < M; j++)
            volk_32fc_x2_square_dist_32f(d->metric + j * B, &d->pts[j], y, (unsigned)B);
        volk_32f_s32f_multiply_32f(d->metric, d->metric, scale, (unsigned)(M * B));
        for (size_t i = 0; i < M * B; i++)
            d->metric[i] = d->metric[i] < SJ_METRIC_FLOOR ? SJ_METRIC_FLOOR : d->metric[i];
        for (size_t b = 0; b < bps; b++) {
            group_lse(d, d->member + (b * 2 + 0) * half, B, d->lse0);
            group_lse(d, d->member + (b * 2 + 1) * half, B, d->lse1);
            for (size_t i = 0; i < B; i++)
                llr[(base + i) * bps + b] = d->lse0[i] - d->lse1[i];
        }
    }
    return SJ_OK;
}

sj_status sj_softdemod_posterior_mean(sj_softdemod* d, const lv_32fc_t* in, size_t n, float noise_var,
                                      sj_soft4096_method method, float* out)
{
    sj_status st = check_call("sj_softdemod_posterior_mean", d, in, n, noise_var, out);
    if (st != SJ_OK)
        return st;
    if (d->type != SJ_MOD_4096QAM)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_posterior_mean: needs a 4096qam demodulator, this one is %s",
                       sj_modulation_name(d->type));
    if ((unsigned)method > SJ_SOFT4096_PAPER_EQ15)
        return sj_fail(SJ_ERR_INVALID_ARG, "sj_softdemod_posterior_mean: unknown method %d", (int)method);
    /* All three methods number the points row-major (index = 64 * row + column: the
     * separable sums, and the grid walks of the brute force and eq. 15). */
    if (d->mapping != SJ_QAM4096_ROW)
        return sj_fail(SJ_ERR_UNSUPPORTED,
                       "sj_softdemod_posterior_mean: the posterior mean of the index assumes the row-major 4096-QAM "
                       "mapping, this modem's is '%s'; use sj_zp_posterior (zp_posterior.h)",
                       sj_qam4096_mapping_name(d->mapping));
    return sj_soft4096_run(d, in, n, noise_var, method, out);
}
