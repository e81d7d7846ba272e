/* dl-table.c: see dl-table.h. */
#include <config.h>
#include "dl-table.h"

#include <dlfcn.h>
#include <errno.h>

int
dl_table_resolve(const char *soname, const char *what,
                 const char *const names[], void *syms[], size_t n,
                 char **messagep)
{
    void *handle = dlopen(soname, RTLD_NOW | RTLD_LOCAL);

    if (!handle) {
        *messagep = xasprintf("cannot load %s (%s)", what, dlerror());
        return ELIBACC;
    }
    /* dlsym() on a library's handle also searches the libraries it needs
     * (libssl's libcrypto). */
    for (size_t i = 0; i < n; i++) {
        syms[i] = dlsym(handle, names[i]);
        if (!syms[i]) {
            *messagep = xasprintf("cannot load %s (%s)", what, dlerror());
            /* The library stays mapped, unused: see dl-table.h. */
            return ELIBACC;
        }
    }
    return 0;
}
