/* ovsdb-error.c: see ovsdb-error.h. */
#include <config.h>
#include "ovsdb-error.h"

#include <stdlib.h>
#include <string.h>

static struct ovsdb_error *
ovsdb_error_valist(const char *tag, const char *details_fmt, va_list args)
{
    struct ovsdb_error *error = xzalloc(sizeof *error);

    error->tag = xstrdup(tag ? tag : "ovsdb error");
    error->details = details_fmt ? xvasprintf(details_fmt, args) : NULL;
    return error;
}

struct ovsdb_error *
ovsdb_error(const char *tag, const char *details_fmt, ...)
{
    struct ovsdb_error *error;
    va_list args;

    va_start(args, details_fmt);
    error = ovsdb_error_valist(tag, details_fmt, args);
    va_end(args);
    return error;
}

struct ovsdb_error *
ovsdb_syntax_error(const json_t *json, const char *tag,
                   const char *details_fmt, ...)
{
    struct ovsdb_error *error;
    va_list args;

    va_start(args, details_fmt);
    error = ovsdb_error_valist(tag ? tag : "syntax error", details_fmt, args);
    va_end(args);

    /* A deep copy: the caller's JSON is usually freed long before the error
     * reaches the reply. */
    if (json) {
        error->syntax = json_deep_copy(json);
    }
    return error;
}

struct ovsdb_error *
ovsdb_error_wrap(struct ovsdb_error *error, const char *context_fmt, ...)
{
    va_list args;
    char *context;

    va_start(args, context_fmt);
    context = xvasprintf(context_fmt, args);
    va_end(args);

    if (error->details) {
        char *details = xasprintf("%s: %s", context, error->details);
        free(error->details);
        free(context);
        error->details = details;
    } else {
        error->details = context;
    }
    return error;
}

struct ovsdb_error *
ovsdb_error_clone(const struct ovsdb_error *old)
{
    struct ovsdb_error *new = xzalloc(sizeof *new);

    new->tag = xstrdup(old->tag);
    new->details = old->details ? xstrdup(old->details) : NULL;
    new->syntax = old->syntax ? json_deep_copy(old->syntax) : NULL;
    return new;
}

void
ovsdb_error_destroy(struct ovsdb_error *error)
{
    if (error) {
        free(error->tag);
        free(error->details);
        json_decref(error->syntax);
        free(error);
    }
}

json_t *
ovsdb_error_to_json(const struct ovsdb_error *error)
{
    json_t *json = json_object();

    json_object_set_new(json, "error", json_string(error->tag));
    if (error->details) {
        /* json_string() refuses invalid UTF-8, which details may quote from
         * a client's bad input; fall back to the unchecked form so that the
         * member is never silently dropped. */
        json_t *details = json_string(error->details);
        if (!details) {
            details = json_stringn_nocheck(error->details,
                                           strlen(error->details));
        }
        json_object_set_new(json, "details", details);
    }
    /* ovsdb-server quotes the offending JSON as a string in "syntax", an
     * extension RFC 7047 permits. */
    if (error->syntax) {
        char *s = json_dumps(error->syntax,
                             JSON_COMPACT | JSON_ENCODE_ANY
                             | JSON_SORT_KEYS);
        if (s) {
            json_object_set_new(json, "syntax", json_string(s));
            free(s);
        }
    }
    return json;
}

json_t *
ovsdb_error_to_json_free(struct ovsdb_error *error)
{
    json_t *json = ovsdb_error_to_json(error);
    ovsdb_error_destroy(error);
    return json;
}

char *
ovsdb_error_to_string(const struct ovsdb_error *error)
{
    return (error->details
            ? xasprintf("%s: %s", error->tag, error->details)
            : xstrdup(error->tag));
}

const char *
ovsdb_error_get_tag(const struct ovsdb_error *error)
{
    return error->tag;
}
