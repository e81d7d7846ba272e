/* util.c: see util.h. */
#include <config.h>
#include "util.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void
xsw_fatal(const char *format, ...)
{
    va_list args;

    fflush(stdout);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    abort();
}

void
put_error(char **errorp, char *message)
{
    if (errorp) {
        *errorp = message;
    } else {
        free(message);
    }
}

static void *
check_alloc(void *p, size_t size)
{
    if (!p && size) {
        xsw_fatal("out of memory allocating %zu bytes", size);
    }
    return p;
}

void *xmalloc(size_t size) { return check_alloc(malloc(size ? size : 1), size); }
void *xcalloc(size_t n, size_t size) { return check_alloc(calloc(n ? n : 1, size ? size : 1), n * size); }
void *xzalloc(size_t size) { return xcalloc(1, size); }
void *xrealloc(void *p, size_t size) { return check_alloc(realloc(p, size ? size : 1), size); }

void *
xmemdup(const void *p, size_t size)
{
    void *q = xmalloc(size);
    if (size) {
        memcpy(q, p, size);
    }
    return q;
}

char *xstrdup(const char *s) { return xmemdup(s, strlen(s) + 1); }

char *
xstrndup(const char *s, size_t n)
{
    size_t len = strnlen(s, n);
    char *q = xmalloc(len + 1);
    memcpy(q, s, len);
    q[len] = '\0';
    return q;
}

char *
xvasprintf(const char *format, va_list args)
{
    va_list args2;
    int needed;
    char *s;

    va_copy(args2, args);
    needed = vsnprintf(NULL, 0, format, args);
    s = xmalloc(needed + 1);
    vsnprintf(s, needed + 1, format, args2);
    va_end(args2);
    return s;
}

char *
xasprintf(const char *format, ...)
{
    va_list args;
    char *s;

    va_start(args, format);
    s = xvasprintf(format, args);
    va_end(args);
    return s;
}

void *
x2nrealloc(void *array, size_t *allocated, size_t size)
{
    *allocated = *allocated ? *allocated * 2 : 4;
    return xrealloc(array, *allocated * size);
}
