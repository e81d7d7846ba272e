/* ds.c: a growable string (see ds.h). */
#include <config.h>
#include "ds.h"

#include <stdio.h>
#include <stdlib.h>

void
ds_reserve(struct ds *ds, size_t n)
{
    if (ds->allocated - ds->len <= n) {
        ds->allocated = MAX(ds->allocated * 2, ds->len + n + 64);
        ds->s = xrealloc(ds->s, ds->allocated);
    }
}

void
ds_put_format_valist(struct ds *ds, const char *format, va_list args_)
{
    size_t avail = ds->allocated - ds->len;
    va_list args;
    int n;

    va_copy(args, args_);
    n = vsnprintf(ds->s ? ds->s + ds->len : NULL, avail, format, args);
    va_end(args);
    if (n < 0) {
        xsw_fatal("vsnprintf failed on \"%s\"", format);
    }
    if ((size_t) n >= avail) {
        ds_reserve(ds, n);
        va_copy(args, args_);
        vsnprintf(ds->s + ds->len, n + 1, format, args);
        va_end(args);
    }
    ds->len += n;
}

void
ds_put_format(struct ds *ds, const char *format, ...)
{
    va_list args;

    va_start(args, format);
    ds_put_format_valist(ds, format, args);
    va_end(args);
}

const char *
ds_cstr(const struct ds *ds)
{
    return ds->s ? ds->s : "";
}

char *
ds_steal_cstr(struct ds *ds)
{
    char *s = ds->s ? ds->s : xstrdup("");

    *ds = (struct ds) DS_EMPTY_INITIALIZER;
    return s;
}

void
ds_truncate(struct ds *ds, size_t len)
{
    if (len < ds->len) {
        ds->len = len;
        ds->s[len] = '\0';
    }
}

void
ds_clear(struct ds *ds)
{
    ds_truncate(ds, 0);
}

void
ds_destroy(struct ds *ds)
{
    free(ds->s);
    *ds = (struct ds) DS_EMPTY_INITIALIZER;
}
