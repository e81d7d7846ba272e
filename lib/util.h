/* util.h: small helpers every module uses.
 *
 * Allocation failure is not a recoverable condition for xsw's programs (a
 * switch daemon that cannot allocate a few bytes cannot do anything useful),
 * so x*alloc() abort with a message instead of returning NULL.  That keeps
 * every caller free of error paths that could never be tested. */
#ifndef XSW_UTIL_H
#define XSW_UTIL_H 1

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ARRAY_SIZE(A) (sizeof (A) / sizeof (A)[0])

/* Given POINTER to MEMBER within STRUCT, returns the STRUCT. */
#define CONTAINER_OF(POINTER, STRUCT, MEMBER) \
    ((STRUCT *) (void *) ((char *) (POINTER) - offsetof(STRUCT, MEMBER)))

/* Like CONTAINER_OF, but takes the type from OBJECT, which need not be
 * initialized (it is only used for its type). */
#define OBJECT_CONTAINING(POINTER, OBJECT, MEMBER) \
    ((__typeof__(OBJECT)) (void *) \
     ((char *) (POINTER) - offsetof(__typeof__(*(OBJECT)), MEMBER)))

#include <sys/param.h>   /* Defines MIN and MAX; we use those. */
#ifndef MIN
#define MIN(A, B) ((A) < (B) ? (A) : (B))
#endif
#ifndef MAX
#define MAX(A, B) ((A) > (B) ? (A) : (B))
#endif

#define PRINTF_FORMAT(FMT, ARG1) __attribute__((format(printf, FMT, ARG1)))
#define NO_RETURN __attribute__((noreturn))
#define OVS_UNUSED __attribute__((unused))

void *xmalloc(size_t);
void *xzalloc(size_t);
void *xcalloc(size_t, size_t);
void *xrealloc(void *, size_t);
void *xmemdup(const void *, size_t);
char *xstrdup(const char *);
char *xstrndup(const char *, size_t);
char *xasprintf(const char *format, ...) PRINTF_FORMAT(1, 2);
char *xvasprintf(const char *format, va_list);

/* Grows '*array', which has room for '*allocated' elements of 'size' bytes,
 * so that it has room for at least one more, and returns it. */
void *x2nrealloc(void *array, size_t *allocated, size_t size);

void xsw_fatal(const char *format, ...) PRINTF_FORMAT(1, 2) NO_RETURN;

/* For a function with an optional 'char **errorp' parameter: stores
 * 'message' (malloc'd, taken) in '*errorp' or, if 'errorp' is NULL, frees
 * it. */
void put_error(char **errorp, char *message);

static inline bool
str_starts_with(const char *s, const char *prefix)
{
    while (*prefix) {
        if (*s++ != *prefix++) {
            return false;
        }
    }
    return true;
}

#endif /* util.h */
