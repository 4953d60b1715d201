/* LWE parameter presets and the sizes derived from them (lwe.h).
 *
 * The four sets are those of Lindner & Peikert (CT-RSA 2011) that DeepJSCEC's Table I
 * quotes; n1 = n2 = n. The paper's own code hard-codes n = 192 ("low"); the project
 * default is "medium". */
#include "lwe_internal.h"

#include <math.h>
#include <string.h>

static const sj_lwe_params sj_lwe_presets[] = {
    [SJ_LWE_TOY] = { "toy", 136, 136, 2003, 13.01 },
    [SJ_LWE_LOW] = { "low", 192, 192, 4093, 8.87 },
    [SJ_LWE_MEDIUM] = { "medium", 256, 256, 4093, 8.35 },
    [SJ_LWE_HIGH] = { "high", 320, 320, 4093, 8.00 },
};
#define SJ_LWE_NPRESETS (sizeof sj_lwe_presets / sizeof sj_lwe_presets[0])

const sj_lwe_params* sj_lwe_preset_params(sj_lwe_preset preset)
{
    if ((unsigned)preset >= SJ_LWE_NPRESETS)
        return NULL;
    return &sj_lwe_presets[preset];
}

int sj_lwe_params_index(const sj_lwe_params* params)
{
    for (size_t i = 0; i < SJ_LWE_NPRESETS; i++)
        if (params == &sj_lwe_presets[i])
            return (int)i;
    return -1;
}

sj_status sj_lwe_preset_from_name(const char* name, sj_lwe_preset* out)
{
    if (name == NULL || out == NULL)
        return sj_fail(SJ_ERR_INVALID_ARG, "LWE preset: name or output pointer is NULL");
    for (size_t i = 0; i < SJ_LWE_NPRESETS; i++) {
        if (strcmp(name, sj_lwe_presets[i].name) == 0) {
            *out = (sj_lwe_preset)i;
            return SJ_OK;
        }
    }
    return sj_fail(SJ_ERR_INVALID_ARG, "unknown LWE parameter set '%s' (expected toy, low, medium or high)", name);
}

double sj_lwe_noise_std(const sj_lwe_params* params)
{
    if (params == NULL)
        return NAN;
    /* U^T e1 + S^T e2 + e3: n1 + n2 products of two independent zero-mean samples of
     * variance v (each product has variance v^2) plus one sample of variance v. */
    double v = sj_dgauss_variance(params->s);
    return sqrt((double)(params->n1 + params->n2) * v * v + v);
}

size_t sj_lwe_num_blocks(size_t l, size_t k)
{
    if (l == 0)
        return 0;
    return k / l + (k % l != 0);
}

size_t sj_lwe_d_length(const sj_lwe_params* params, size_t l, size_t k)
{
    if (params == NULL)
        return 0;
    size_t blocks = sj_lwe_num_blocks(l, k);
    if (blocks > SIZE_MAX / params->n2)
        return 0; /* cannot be represented; callers treat 0 as invalid */
    return blocks * params->n2;
}
