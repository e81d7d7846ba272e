/* curl-dl.c: see curl-dl.h; the loading itself is lib/dl-table.h's. */
#include <config.h>
#include "curl-dl.h"

DL_TABLE_DEFINE(curl_dl, CURL_DL_FUNCTIONS, XSW_LIBCURL_SONAME, "libcurl")
