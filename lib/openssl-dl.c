/* openssl-dl.c: see openssl-dl.h. */
#include <config.h>
#include "openssl-dl.h"

#include <dlfcn.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>

#include "util.h"

struct openssl_dl openssl_dl;

static int load_error;
static char *load_message;      /* Kept for later callers; never freed. */

static void
load(void)
{
    void *handle = dlopen(XSW_LIBSSL_SONAME, RTLD_NOW | RTLD_LOCAL);

    if (!handle) {
        load_error = ELIBACC;
        load_message = xasprintf("cannot load OpenSSL (%s)", dlerror());
        return;
    }
    /* dlsym() on libssl's handle also searches libcrypto, which libssl
     * needs.  POSIX guarantees that its void * converts to a function
     * pointer. */
#define OPENSSL_DL_RESOLVE(NAME)                                        \
    if (!load_error) {                                                  \
        void *sym = dlsym(handle, #NAME);                               \
        if (!sym) {                                                     \
            load_error = ELIBACC;                                       \
            load_message = xasprintf("cannot load OpenSSL (%s)",        \
                                     dlerror());                        \
        }                                                               \
        openssl_dl.p_##NAME = (__typeof__(openssl_dl.p_##NAME)) sym;    \
    }
    OPENSSL_DL_FUNCTIONS(OPENSSL_DL_RESOLVE)
#undef OPENSSL_DL_RESOLVE
    /* On failure the library stays mapped, unused: dlclose() of OpenSSL
     * is not safe once its initialization has run. */
}

int
openssl_dl_load(char **errorp)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;

    pthread_once(&once, load);
    if (errorp) {
        *errorp = load_error ? xstrdup(load_message) : NULL;
    }
    return load_error;
}
