/* curl-dl.h: libcurl, loaded when the etcd backend first needs it.
 *
 * Why: only the etcd backend (etcd-client.c) uses libcurl, yet linking it
 * made every xsw-dbserver, on SQLite too, map 37 libraries before main()
 * (libcurl's libssl and libcrypto, which openssl-dl.h stopped linking,
 * libnghttp2, librtmp, libssh2, libldap, GnuTLS's nettle and gmp, Kerberos
 * and SASL...).  So xsw-dbserver does not link it: curl_dl_load(), called
 * by etcd_client_create(), dlopen()s the libcurl that configure found
 * (XSW_LIBCURL_SONAME), as lib/dl-table.h describes, and a server on
 * SQLite never maps it.
 *
 * Calls read as plain libcurl: include this header instead of
 * <curl/curl.h>, and no libcurl header after it.  libcurl's compile-time
 * type checks of curl_easy_setopt()'s and curl_easy_getinfo()'s last
 * argument (gcc macros that call the real functions by name, bypassing
 * the table) are off: those two are variadic, so the compiler checks only
 * their first two arguments. */
#ifndef XSW_CURL_DL_H
#define XSW_CURL_DL_H 1

#define CURL_DISABLE_TYPECHECK 1
#include <curl/curl.h>

#include "dl-table.h"

/* Loads libcurl if it is not loaded yet.  Returns 0, or ELIBACC with a
 * malloc'd message naming the library in '*errorp' (caller frees;
 * 'errorp' may be NULL).  Every call gives the first call's result. */
int curl_dl_load(char **errorp);

/* Every libcurl function that xsw calls. */
#define CURL_DL_FUNCTIONS(F)                                            \
    F(curl_global_init)                                                 \
    F(curl_easy_init) F(curl_easy_cleanup) F(curl_easy_reset)           \
    F(curl_easy_setopt) F(curl_easy_getinfo) F(curl_easy_perform)       \
    F(curl_easy_strerror)                                               \
    F(curl_slist_append) F(curl_slist_free_all)

struct curl_dl {
    CURL_DL_FUNCTIONS(DL_TABLE_MEMBER)
};
extern struct curl_dl curl_dl;

/* Each function, through the table.  Valid only after curl_dl_load()
 * returned 0.  (curl.h defines the two variadic ones as macros that check
 * their argument count.) */
#undef curl_easy_setopt
#undef curl_easy_getinfo
#define curl_global_init (*curl_dl.p_curl_global_init)
#define curl_easy_init (*curl_dl.p_curl_easy_init)
#define curl_easy_cleanup (*curl_dl.p_curl_easy_cleanup)
#define curl_easy_reset (*curl_dl.p_curl_easy_reset)
#define curl_easy_setopt (*curl_dl.p_curl_easy_setopt)
#define curl_easy_getinfo (*curl_dl.p_curl_easy_getinfo)
#define curl_easy_perform (*curl_dl.p_curl_easy_perform)
#define curl_easy_strerror (*curl_dl.p_curl_easy_strerror)
#define curl_slist_append (*curl_dl.p_curl_slist_append)
#define curl_slist_free_all (*curl_dl.p_curl_slist_free_all)

#endif /* curl-dl.h */
