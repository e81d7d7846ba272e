/* json-out.c: see json-out.h. */
#include <config.h>
#include "json-out.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "utf8.h"
#include "util.h"

static bool
put_json_string(struct ds *b, const char *s_, size_t n)
{
    const unsigned char *s = (const unsigned char *) s_;
    const unsigned char *end = s + n;

    ds_reserve(b, n + 2);
    ds_put_char(b, '"');
    while (s < end) {
        const unsigned char *run = s;
        while (s < end && *s >= 0x20 && *s != '"' && *s != '\\'
               && *s < 0x80) {
            s++;
        }
        while (s < end && *s >= 0x80) {
            uint32_t cp;
            int len = utf8_decode(s, end - s, &cp);
            if (len < 0) {
                return false;
            }
            s += len;
        }
        if (s > run) {
            ds_put_buffer(b, (const char *) run, s - run);
            continue;
        }

        char esc[8];
        switch (*s) {
        case '"': ds_put_buffer(b, "\\\"", 2); break;
        case '\\': ds_put_buffer(b, "\\\\", 2); break;
        case '\b': ds_put_buffer(b, "\\b", 2); break;
        case '\f': ds_put_buffer(b, "\\f", 2); break;
        case '\n': ds_put_buffer(b, "\\n", 2); break;
        case '\r': ds_put_buffer(b, "\\r", 2); break;
        case '\t': ds_put_buffer(b, "\\t", 2); break;
        default:
            snprintf(esc, sizeof esc, "\\u%04X", *s);
            ds_put_buffer(b, esc, 6);
            break;
        }
        s++;
    }
    ds_put_char(b, '"');
    return true;
}

/* jansson's jsonp_dtostr() with precision 15, in the "C" locale that a
 * server runs in: "%.15g", then ".0" if that looks like an integer, and the
 * exponent without '+' or leading zeros. */
static void
put_json_real(struct ds *b, double d)
{
    char buf[48];
    int n = snprintf(buf, sizeof buf, "%.15g", d);
    char *e;

    if (!strpbrk(buf, ".e")) {
        memcpy(buf + n, ".0", 3);
        n += 2;
    }
    e = strchr(buf, 'e');
    if (e) {
        char *start = e + 1, *p = start;
        if (*p == '-') {
            start = ++p;
        } else if (*p == '+') {
            p++;
        }
        while (*p == '0' && p[1]) {
            p++;
        }
        if (p != start) {
            memmove(start, p, strlen(p) + 1);
        }
        n = strlen(buf);
    }
    ds_put_buffer(b, buf, n);
}

/* ---- Serializing one value for many messages. ----
 *
 * A database change that 50 clients monitor alike goes out as 50
 * notifications around one shared "updates" object (dbserver/monitor.c
 * composes it once).  Serializing that object 50 times was a fifth of the
 * server's time in a fan-out.  So, inside a memo scope, a value given to
 * json_out_memo_add() is serialized the first time a message holding it is,
 * and its text is copied into the later ones.  The scope is per thread. */

struct memo_entry {
    json_t *json;               /* A reference, held until the scope ends. */
    char *text;                 /* Its serialization, once made (owned). */
    size_t len;
};

static _Thread_local struct memo {
    struct memo_entry *entries;
    size_t n, allocated;
    unsigned int depth;         /* Nested json_out_memo_begin() calls. */
} memo;

void
json_out_memo_begin(void)
{
    memo.depth++;
}

void
json_out_memo_add(json_t *json)
{
    if (!memo.depth) {
        return;
    }
    for (size_t i = 0; i < memo.n; i++) {
        if (memo.entries[i].json == json) {
            return;
        }
    }
    if (memo.n == memo.allocated) {
        memo.entries = x2nrealloc(memo.entries, &memo.allocated,
                                  sizeof *memo.entries);
    }
    memo.entries[memo.n++] = (struct memo_entry) { json_incref(json),
                                                   NULL, 0 };
}

void
json_out_memo_end(void)
{
    if (!memo.depth || --memo.depth) {
        return;
    }
    for (size_t i = 0; i < memo.n; i++) {
        json_decref(memo.entries[i].json);
        free(memo.entries[i].text);
    }
    free(memo.entries);
    memo = (struct memo) { NULL, 0, 0, 0 };
}

/* The memo entry for 'json', if any.  Only a value with another reference
 * than its container's can be one (the memo holds one), which spares the
 * search for almost every value of almost every message. */
static struct memo_entry *
memo_find(const json_t *json)
{
    if (memo.n && json->refcount > 1) {
        for (size_t i = 0; i < memo.n; i++) {
            if (memo.entries[i].json == json) {
                return &memo.entries[i];
            }
        }
    }
    return NULL;
}

static bool put_json_value(struct ds *, const json_t *);

/* Appends 'json' to 'b', from or into the memo if it is there. */
static bool
put_json(struct ds *b, const json_t *json)
{
    struct memo_entry *e = memo_find(json);
    size_t start = b->len;

    if (!e) {
        return put_json_value(b, json);
    } else if (e->text) {
        ds_put_buffer(b, e->text, e->len);
        return true;
    } else if (put_json_value(b, json)) {
        e->len = b->len - start;
        e->text = xmemdup(b->s + start, e->len);
        return true;
    }
    return false;
}

static bool
put_json_value(struct ds *b, const json_t *json)
{
    char buf[32];
    const char *key;
    json_t *value;
    size_t i;
    bool first;

    switch (json_typeof(json)) {
    case JSON_OBJECT:
        ds_put_char(b, '{');
        first = true;
        json_object_foreach ((json_t *) json, key, value) {
            if (!first) {
                ds_put_char(b, ',');
            }
            first = false;
            if (!put_json_string(b, key, strlen(key))) {
                return false;
            }
            ds_put_char(b, ':');
            if (!put_json(b, value)) {
                return false;
            }
        }
        ds_put_char(b, '}');
        return true;

    case JSON_ARRAY:
        ds_put_char(b, '[');
        json_array_foreach (json, i, value) {
            if (i) {
                ds_put_char(b, ',');
            }
            if (!put_json(b, value)) {
                return false;
            }
        }
        ds_put_char(b, ']');
        return true;

    case JSON_STRING:
        return put_json_string(b, json_string_value(json),
                               json_string_length(json));

    case JSON_INTEGER:
        ds_put_buffer(b, buf, snprintf(buf, sizeof buf,
                                       "%" JSON_INTEGER_FORMAT,
                                       json_integer_value(json)));
        return true;

    case JSON_REAL:
        put_json_real(b, json_real_value(json));
        return true;

    case JSON_TRUE:
        ds_put_buffer(b, "true", 4);
        return true;
    case JSON_FALSE:
        ds_put_buffer(b, "false", 5);
        return true;
    case JSON_NULL:
        ds_put_buffer(b, "null", 4);
        return true;
    }
    return false;
}

bool
json_out_append(struct ds *b, const json_t *json)
{
    size_t len = b->len;

    if ((json_is_object(json) || json_is_array(json))
        && put_json(b, json)) {
        return true;
    }
    ds_truncate(b, len);
    return false;
}

char *
json_out_serialize(const json_t *json, size_t *lenp)
{
    struct ds b = DS_EMPTY_INITIALIZER;

    if (!json_out_append(&b, json)) {
        ds_destroy(&b);
        *lenp = 0;
        return NULL;
    }
    *lenp = b.len;
    return b.s;
}
