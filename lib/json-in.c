/* json-in.c: JSON text to jansson values, fast (see json-in.h).
 *
 * A recursive descent over the text in place.  Every function returns
 * NULL (or false) as soon as the text leaves the fast subset, whether the
 * text is wrong or merely unusual; json_in_loadb() then frees what was
 * built and asks jansson.  So nothing here reports an error or decides
 * whether text is valid JSON: it only recognizes text that certainly is,
 * and builds from it what jansson would (the same constructors, in the
 * same order: a repeated key replaces the earlier value, as in jansson
 * without JSON_REJECT_DUPLICATES). */
#include <config.h>
#include "json-in.h"

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

#include "coverage.h"

/* A text jansson parsed (coverage/show): outside the fast subset or
 * invalid. */
COVERAGE_DEFINE(json_in_fallback);

struct json_in {
    const unsigned char *p;       /* Next byte. */
    const unsigned char *end;
};

/* Bytes a string takes as they are: printable ASCII other than the quote
 * and the backslash (JSON allows DEL, 0x7f, unescaped, and so does
 * jansson).  Everything else (an escape, a control character, which JSON
 * forbids, or a byte of a multibyte UTF-8 sequence, which jansson checks)
 * is jansson's business. */
static bool
plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* JSON's whitespace, which jansson skips between tokens. */
static void
skip_space(struct json_in *in)
{
    while (in->p < in->end
           && (*in->p == ' ' || *in->p == '\n' || *in->p == '\r'
               || *in->p == '\t')) {
        in->p++;
    }
}

/* The string whose opening quote is at 'in->p': its bytes are '*s', '*n'
 * long (not null-terminated), and 'in->p' moves past its closing quote. */
static bool
scan_string(struct json_in *in, const char **s, size_t *n)
{
    const unsigned char *start = in->p + 1;
    const unsigned char *p;

    for (p = start; p < in->end && plain_byte(*p); p++) {
        continue;
    }
    if (p >= in->end || *p != '"') {
        return false;
    }
    *s = (const char *) start;
    *n = p - start;
    in->p = p + 1;
    return true;
}

/* An integer, as jansson lexes one: an optional '-', then "0" or a digit
 * other than 0 followed by digits.  Reals (a '.', 'e' or 'E' follows),
 * leading zeros (an error in jansson) and more than 18 digits (which could
 * overflow, and jansson reports that) are not taken. */
static json_t *
parse_integer(struct json_in *in)
{
    const unsigned char *p = in->p;
    bool negative = false;
    uint64_t value = 0;
    int n_digits = 0;

    if (*p == '-') {
        negative = true;
        p++;
    }
    if (p < in->end && *p == '0' && p + 1 < in->end
        && p[1] >= '0' && p[1] <= '9') {
        return NULL;
    }
    for (; p < in->end && *p >= '0' && *p <= '9'; p++) {
        if (++n_digits > 18) {
            return NULL;
        }
        value = value * 10 + (*p - '0');
    }
    if (!n_digits
        || (p < in->end && (*p == '.' || *p == 'e' || *p == 'E'))) {
        return NULL;
    }
    in->p = p;
    return json_integer(negative ? -(json_int_t) value : (json_int_t) value);
}

/* 'word' (true, false or null) at 'in->p'.  What follows it is checked by
 * the caller, which accepts only a delimiter (jansson would read "truex"
 * as one bad token). */
static bool
scan_word(struct json_in *in, const char *word, size_t len)
{
    if (in->end - in->p >= (ptrdiff_t) len && !memcmp(in->p, word, len)) {
        in->p += len;
        return true;
    }
    return false;
}

static json_t *parse_value(struct json_in *, int depth);

static json_t *
parse_object(struct json_in *in, int depth)
{
    json_t *object = json_object();

    in->p++;                    /* '{' */
    skip_space(in);
    if (in->p < in->end && *in->p == '}') {
        in->p++;
        return object;
    }
    for (;;) {
        const char *key;
        size_t key_len;
        json_t *value;

        if (in->p >= in->end || *in->p != '"'
            || !scan_string(in, &key, &key_len)) {
            break;
        }
        skip_space(in);
        if (in->p >= in->end || *in->p != ':') {
            break;
        }
        in->p++;
        skip_space(in);
        value = parse_value(in, depth + 1);
        /* Takes 'value', even when it fails. */
        if (!value
            || json_object_setn_new_nocheck(object, key, key_len, value)) {
            break;
        }
        skip_space(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            skip_space(in);
        } else if (in->p < in->end && *in->p == '}') {
            in->p++;
            return object;
        } else {
            break;
        }
    }
    json_decref(object);
    return NULL;
}

static json_t *
parse_array(struct json_in *in, int depth)
{
    json_t *array = json_array();

    in->p++;                    /* '[' */
    skip_space(in);
    if (in->p < in->end && *in->p == ']') {
        in->p++;
        return array;
    }
    for (;;) {
        json_t *value = parse_value(in, depth + 1);
        /* Takes 'value', even when it fails. */
        if (!value || json_array_append_new(array, value)) {
            break;
        }
        skip_space(in);
        if (in->p < in->end && *in->p == ',') {
            in->p++;
            skip_space(in);
        } else if (in->p < in->end && *in->p == ']') {
            in->p++;
            return array;
        } else {
            break;
        }
    }
    json_decref(array);
    return NULL;
}

/* The value at 'in->p' (no whitespace before it), inside 'depth' arrays
 * and objects, or NULL. */
static json_t *
parse_value(struct json_in *in, int depth)
{
    const char *s;
    size_t n;

    if (in->p >= in->end) {
        return NULL;
    }
    switch (*in->p) {
    case '{':
        return depth < JSON_IN_MAX_FAST_DEPTH ? parse_object(in, depth) : NULL;
    case '[':
        return depth < JSON_IN_MAX_FAST_DEPTH ? parse_array(in, depth) : NULL;
    case '"':
        return scan_string(in, &s, &n) ? json_stringn_nocheck(s, n) : NULL;
    case 't':
        return scan_word(in, "true", 4) ? json_true() : NULL;
    case 'f':
        return scan_word(in, "false", 5) ? json_false() : NULL;
    case 'n':
        return scan_word(in, "null", 4) ? json_null() : NULL;
    default:
        return (*in->p == '-' || (*in->p >= '0' && *in->p <= '9')
                ? parse_integer(in) : NULL);
    }
}

json_t *
json_in_parse_fast(const char *text, size_t len, size_t flags)
{
    struct json_in in = {
        .p = (const unsigned char *) text,
        .end = (const unsigned char *) text + len,
    };

    if (!text || flags & ~(size_t) JSON_DECODE_ANY) {
        return NULL;
    }
    skip_space(&in);
    if (in.p < in.end
        && (flags & JSON_DECODE_ANY || *in.p == '{' || *in.p == '[')) {
        json_t *json = parse_value(&in, 0);
        if (json) {
            skip_space(&in);
            if (in.p == in.end) {
                return json;
            }
            json_decref(json);
        }
    }
    return NULL;
}

json_t *
json_in_loadb(const char *text, size_t len, size_t flags, json_error_t *error)
{
    json_t *json = json_in_parse_fast(text, len, flags);
    if (json) {
        return json;
    }
    COVERAGE_INC(json_in_fallback);
    return json_loadb(text, len, flags, error);
}
