/* dl-table.h: a shared library loaded when a program first needs it, its
 * functions called through a table.
 *
 * Why: a library that a program links is mapped, relocated and bound
 * before main(), whether the program uses it or not; for OpenSSL that was
 * a third of an xsw-ctl command (openssl-dl.h has the figures), and for
 * libcurl, which only xsw-dbserver's etcd backend uses, it is the 37
 * libraries that libcurl brings (dbserver/curl-dl.h).  So such a library
 * is not linked: its header lists the functions xsw calls (an X-macro
 * LIST(F) calling F(name) for each), declares a table 'struct PREFIX'
 * with a member 'p_NAME' per function (DL_TABLE_MEMBERS) and defines each
 * name as a macro for its entry, so that calls read as plain calls and
 * the compiler checks them against the library's own prototypes.  Its .c
 * file says DL_TABLE_DEFINE once, which defines the table and
 * PREFIX_load(): the first call dlopen()s the library (by the soname
 * configure found for it, so that it matches the headers) and resolves
 * every function at once; a function missing from the list is an
 * undefined reference at link time, since nothing links the library.
 *
 * Loading is once per process and thread-safe; every call of PREFIX_load()
 * gives the first call's result.  The library stays loaded until exit:
 * dlclose() is unsafe for libraries with initializers of their own
 * (OpenSSL, libcurl). */
#ifndef XSW_DL_TABLE_H
#define XSW_DL_TABLE_H 1

#include <pthread.h>
#include <stddef.h>

#include "util.h"

/* dlopen()s 'soname' and resolves the 'n' functions named in 'names' into
 * 'syms'.  Returns 0, or ELIBACC with a malloc'd message "cannot load
 * WHAT (dlerror's text, which names the library)" in '*messagep'. */
int dl_table_resolve(const char *soname, const char *what,
                     const char *const names[], void *syms[], size_t n,
                     char **messagep);

/* Inside 'struct PREFIX { LIST(DL_TABLE_MEMBER) };'. */
#define DL_TABLE_MEMBER(NAME) __typeof__(NAME) *p_##NAME;

#define DL_TABLE_NAME_(NAME) #NAME,
#define DL_TABLE_SET_(NAME) \
    table->p_##NAME = (__typeof__(table->p_##NAME)) syms[i++];

/* Defines 'struct PREFIX PREFIX' (the table, declared in the header) and
 * 'int PREFIX_load(char **errorp)': loads SONAME if it is not loaded yet
 * and returns 0, or ELIBACC with a malloc'd message naming the library in
 * '*errorp' (caller frees; 'errorp' may be NULL).  WHAT names the library
 * in messages ("OpenSSL").  POSIX guarantees that dlsym()'s void *
 * converts to a function pointer. */
#define DL_TABLE_DEFINE(PREFIX, LIST, SONAME, WHAT)                     \
    struct PREFIX PREFIX;                                               \
    static int PREFIX##_error;                                          \
    static char *PREFIX##_message; /* Kept for later callers. */        \
    static void                                                         \
    PREFIX##_resolve(void)                                              \
    {                                                                   \
        static const char *const names[] = { LIST(DL_TABLE_NAME_) };    \
        void *syms[ARRAY_SIZE(names)];                                  \
        struct PREFIX *table = &PREFIX;                                 \
        size_t i = 0;                                                   \
                                                                        \
        PREFIX##_error = dl_table_resolve(SONAME, WHAT, names, syms,    \
                                          ARRAY_SIZE(names),            \
                                          &PREFIX##_message);           \
        if (!PREFIX##_error) {                                          \
            LIST(DL_TABLE_SET_)                                         \
        }                                                               \
    }                                                                   \
    int                                                                 \
    PREFIX##_load(char **errorp)                                        \
    {                                                                   \
        static pthread_once_t once = PTHREAD_ONCE_INIT;                 \
                                                                        \
        pthread_once(&once, PREFIX##_resolve);                          \
        if (errorp) {                                                   \
            *errorp = PREFIX##_error ? xstrdup(PREFIX##_message) : NULL; \
        }                                                               \
        return PREFIX##_error;                                          \
    }

#endif /* dl-table.h */
