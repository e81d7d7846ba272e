/* openssl-dl.c: see openssl-dl.h; the loading itself is dl-table.h's. */
#include <config.h>
#include "openssl-dl.h"

#include "dl-table.h"

DL_TABLE_DEFINE(openssl_dl, OPENSSL_DL_FUNCTIONS, XSW_LIBSSL_SONAME,
                "OpenSSL")
