/* ds.h: a growable string ("dynamic string"), as Open vSwitch's lib has.
 *
 * 's' is always null-terminated once anything was put (NULL before), so
 * ds_cstr() is free; 'len' excludes the terminator.  The ds owns 's':
 * ds_destroy() frees it, ds_steal_cstr() hands it over.  The put functions
 * never fail (memory exhaustion aborts, as everywhere in xsw). */
#ifndef XSW_DS_H
#define XSW_DS_H 1

#include <stdarg.h>
#include <stddef.h>
#include <string.h>
#include "util.h"

struct ds {
    char *s;
    size_t len;                 /* Bytes in 's', without the null. */
    size_t allocated;           /* Bytes allocated at 's'. */
};

#define DS_EMPTY_INITIALIZER { NULL, 0, 0 }

/* Makes room for 'n' more bytes and the terminator. */
void ds_reserve(struct ds *, size_t n);

static inline void
ds_put_buffer(struct ds *ds, const char *s, size_t n)
{
    if (ds->allocated - ds->len <= n) {
        ds_reserve(ds, n);
    }
    memcpy(ds->s + ds->len, s, n);
    ds->len += n;
    ds->s[ds->len] = '\0';
}

static inline void
ds_put_char(struct ds *ds, char c)
{
    ds_put_buffer(ds, &c, 1);
}

static inline void
ds_put_cstr(struct ds *ds, const char *s)
{
    ds_put_buffer(ds, s, strlen(s));
}

void ds_put_format(struct ds *, const char *format, ...) PRINTF_FORMAT(2, 3);
void ds_put_format_valist(struct ds *, const char *format, va_list);

/* The string so far: "" if nothing was put. */
const char *ds_cstr(const struct ds *);

/* Returns 's' (a malloc'd "" if nothing was put) and empties 'ds'. */
char *ds_steal_cstr(struct ds *);

/* Cuts the string back to its first 'len' bytes (at most its length). */
void ds_truncate(struct ds *, size_t len);

/* Forgets the contents, keeping the allocation. */
void ds_clear(struct ds *);

void ds_destroy(struct ds *);

#endif /* ds.h */
