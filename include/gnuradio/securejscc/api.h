/* Export macro of the gnuradio-securejscc block library (GNU Radio's attribute helpers). */
#ifndef INCLUDED_SECUREJSCC_API_H
#define INCLUDED_SECUREJSCC_API_H

#include <gnuradio/attributes.h>

#ifdef gnuradio_securejscc_EXPORTS
#define SECUREJSCC_API __GR_ATTR_EXPORT
#else
#define SECUREJSCC_API __GR_ATTR_IMPORT
#endif

#endif
