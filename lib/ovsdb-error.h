/* ovsdb-error.h: errors in RFC 7047's form.
 *
 * Library functions return a struct ovsdb_error * (NULL means success) that
 * the caller owns: it either passes the error up, turns it into JSON for a
 * reply, or frees it.  'tag' is one of RFC 7047's error strings
 * ("constraint violation", "referential integrity violation", "syntax
 * error", ...); 'details' names the table, row, column and value at fault. */
#ifndef XSW_OVSDB_ERROR_H
#define XSW_OVSDB_ERROR_H 1

#include <jansson.h>
#include "util.h"

struct ovsdb_error {
    char *tag;       /* RFC 7047 "error" member, e.g. "constraint violation". */
    char *details;   /* Human-readable; may be NULL. */
    json_t *syntax;  /* Offending JSON, for "syntax error"; may be NULL. */
};

struct ovsdb_error *ovsdb_error(const char *tag, const char *details_fmt, ...)
    PRINTF_FORMAT(2, 3);
/* A "syntax error" quoting 'json' (may be NULL; not consumed). */
struct ovsdb_error *ovsdb_syntax_error(const json_t *json, const char *tag,
                                       const char *details_fmt, ...)
    PRINTF_FORMAT(3, 4);
/* Prefixes 'error''s details with "CONTEXT: ". Returns 'error'. */
struct ovsdb_error *ovsdb_error_wrap(struct ovsdb_error *error,
                                     const char *context_fmt, ...)
    PRINTF_FORMAT(2, 3);
struct ovsdb_error *ovsdb_error_clone(const struct ovsdb_error *);
void ovsdb_error_destroy(struct ovsdb_error *);

/* {"error": tag, "details": details}: a new reference. */
json_t *ovsdb_error_to_json(const struct ovsdb_error *);
/* Same, and frees 'error'. */
json_t *ovsdb_error_to_json_free(struct ovsdb_error *);
/* "tag: details" in a new string, for logs and command-line messages. */
char *ovsdb_error_to_string(const struct ovsdb_error *);
const char *ovsdb_error_get_tag(const struct ovsdb_error *);

#endif /* ovsdb-error.h */
