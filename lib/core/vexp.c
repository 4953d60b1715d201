/* See vexp_internal.h. */
#include "vexp_internal.h"

#include <stdlib.h>
#include <string.h>

const char* sj_vexp_impl_for_env(void)
{
    if (!getenv("VOLK_GENERIC"))
        return NULL;
    const volk_func_desc_t desc = volk_32f_exp_32f_get_func_desc();
    const char* alt = NULL;
    for (size_t i = 0; i < desc.n_impls; i++) {
        if (strcmp(desc.impl_names[i], "generic") == 0)
            return NULL;
        if (strcmp(desc.impl_names[i], "u_generic") == 0)
            alt = desc.impl_names[i];
    }
    return alt;
}
