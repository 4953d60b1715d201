/* volk_32f_exp_32f for the core's soft receivers (the 4096-QAM / 16QAM soft demodulator
 * and the soft dequantiser), safe under VOLK_GENERIC.
 *
 * With VOLK_GENERIC set (GR_ADD_TEST sets it), VOLK 2.5's dispatcher looks for an
 * implementation named exactly "generic"; volk_32f_exp_32f's are named "u_generic" and
 * "a_generic", so it prints a warning and retries on every call, which floods stderr and
 * slows a flowgraph to a crawl. sj_vexp_impl_for_env() says, once per object at creation,
 * whether to call the dispatcher (NULL) or the generic by name. */
#ifndef SECUREJSCC_VEXP_INTERNAL_H
#define SECUREJSCC_VEXP_INTERNAL_H

#include <volk/volk.h>

/* NULL when volk_32f_exp_32f's dispatcher is safe to call, else the generic's name. */
const char* sj_vexp_impl_for_env(void);

/* out[i] = exp(in[i]), i < n (in place allowed), through impl from sj_vexp_impl_for_env. */
static inline void sj_vexp(const char* impl, float* out, const float* in, unsigned n)
{
    if (impl)
        volk_32f_exp_32f_manual(out, in, n, impl);
    else
        volk_32f_exp_32f(out, in, n);
}

#endif
