/* ovsdb-data.c: see ovsdb-data.h.
 *
 * Every datum is kept sorted by key, so that lookups are binary searches and
 * the set operations (union, subtract, includes, diff) are linear merges of
 * two sorted arrays: a 10,000-element set costs 10,000 comparisons, never
 * 10,000 squared.  Sorting happens once, when a datum is parsed or built
 * with ovsdb_datum_add_unsafe(); everything else preserves the order.
 *
 * Diagnostics follow Open vSwitch's wording, because users compare them
 * with what ovsdb-server and ovs-vsctl print. */
#include <config.h>
#include "ovsdb-data.h"

#include <ctype.h>
#include <errno.h>
#include <float.h>
#include <inttypes.h>
#include <malloc.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ds.h"
#include "hmap.h"
#include "ovsdb-error.h"
#include "utf8.h"
#include "util.h"

/* Appends 's' as a JSON string: the quoting ovs-vsctl uses for strings that
 * would not read back as themselves when bare. */
static void
put_quoted(struct ds *b, const char *s)
{
    ds_put_char(b, '"');
    for (const char *p = s; *p; p++) {
        unsigned char c = *p;
        switch (c) {
        case '"':  ds_put_cstr(b, "\\\""); break;
        case '\\': ds_put_cstr(b, "\\\\"); break;
        case '\b': ds_put_cstr(b, "\\b"); break;
        case '\f': ds_put_cstr(b, "\\f"); break;
        case '\n': ds_put_cstr(b, "\\n"); break;
        case '\r': ds_put_cstr(b, "\\r"); break;
        case '\t': ds_put_cstr(b, "\\t"); break;
        default:
            if (c < 0x20) {
                ds_put_format(b, "\\u%04x", c);
            } else {
                ds_put_char(b, c);
            }
            break;
        }
    }
    ds_put_char(b, '"');
}

/* Atoms. */

void
ovsdb_atom_init_default(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        atom->integer = 0;
        break;
    case OVSDB_TYPE_REAL:
        atom->real = 0.0;
        break;
    case OVSDB_TYPE_BOOLEAN:
        atom->boolean = false;
        break;
    case OVSDB_TYPE_STRING:
        atom->string = xstrdup("");
        break;
    case OVSDB_TYPE_UUID:
        uuid_zero(&atom->uuid);
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        memset(atom, 0, sizeof *atom);
        break;
    }
}

bool
ovsdb_atom_is_default(const union ovsdb_atom *atom,
                      enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return atom->integer == 0;
    case OVSDB_TYPE_REAL:
        return atom->real == 0.0;
    case OVSDB_TYPE_BOOLEAN:
        return !atom->boolean;
    case OVSDB_TYPE_STRING:
        return atom->string[0] == '\0';
    case OVSDB_TYPE_UUID:
        return uuid_is_zero(&atom->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return true;
    }
}

void
ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                 enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        dst->string = xstrdup(src->string);
    } else {
        *dst = *src;
    }
}

void
ovsdb_atom_destroy(union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        free(atom->string);
        atom->string = NULL;
    }
}

uint32_t
ovsdb_atom_hash(const union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                uint32_t basis)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return hash_finish(hash_add64(basis, atom->integer), 8);
    case OVSDB_TYPE_REAL: {
        /* 0.0 and -0.0 compare equal, so they must hash alike. */
        double d = atom->real == 0.0 ? 0.0 : atom->real;
        return hash_bytes(&d, sizeof d, basis);
    }
    case OVSDB_TYPE_BOOLEAN:
        return hash_int(atom->boolean, basis);
    case OVSDB_TYPE_STRING:
        return hash_string(atom->string, basis);
    case OVSDB_TYPE_UUID:
        return hash_int(uuid_hash(&atom->uuid), basis);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return basis;
    }
}

int
ovsdb_atom_compare_3way(const union ovsdb_atom *a, const union ovsdb_atom *b,
                        enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return a->integer < b->integer ? -1 : a->integer > b->integer;
    case OVSDB_TYPE_REAL:
        return a->real < b->real ? -1 : a->real > b->real;
    case OVSDB_TYPE_BOOLEAN:
        return (int) a->boolean - (int) b->boolean;
    case OVSDB_TYPE_STRING:
        return strcmp(a->string, b->string);
    case OVSDB_TYPE_UUID:
        return uuid_compare_3way(&a->uuid, &b->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return 0;
    }
}

bool
ovsdb_atom_equals(const union ovsdb_atom *a, const union ovsdb_atom *b,
                  enum ovsdb_atomic_type type)
{
    return !ovsdb_atom_compare_3way(a, b, type);
}

/* A real as OVS prints it in messages and text output ("%.15g"). */
static char *
real_to_string(double d)
{
    return xasprintf("%.*g", DBL_DIG, d);
}

static struct ovsdb_error *
check_string_constraints(const char *s, const struct ovsdb_base_type *base)
{
    unsigned int min = base->u.string.min_len;
    unsigned int max = base->u.string.max_len;
    size_t n_chars = 0;
    char *msg;

    msg = utf8_validate(s, &n_chars);
    if (msg) {
        struct ovsdb_error *error = ovsdb_error("constraint violation",
                                                "not a valid UTF-8 string: "
                                                "%s", msg);
        free(msg);
        return error;
    }
    if (n_chars < min || n_chars > max) {
        struct ds q = DS_EMPTY_INITIALIZER;
        struct ovsdb_error *error;

        put_quoted(&q, s);
        error = (n_chars < min
                 ? ovsdb_error("constraint violation",
                               "%s length %zu is less than minimum allowed "
                               "length %u", q.s, n_chars, min)
                 : ovsdb_error("constraint violation",
                               "%s length %zu is greater than maximum "
                               "allowed length %u", q.s, n_chars, max));
        free(q.s);
        return error;
    }
    return NULL;
}

static struct ovsdb_error *
check_real_constraints(double d, const struct ovsdb_base_type *base)
{
    double min = base->u.real.min, max = base->u.real.max;
    struct ovsdb_error *error = NULL;

    if (d < min || d > max) {
        char *v = real_to_string(d);
        char *lo = real_to_string(min);
        char *hi = real_to_string(max);

        if (min != -DBL_MAX && max != DBL_MAX) {
            error = ovsdb_error("constraint violation",
                                "%s is not in the valid range %s to %s "
                                "(inclusive)", v, lo, hi);
        } else if (d < min) {
            error = ovsdb_error("constraint violation",
                                "%s is less than minimum allowed value %s",
                                v, lo);
        } else {
            error = ovsdb_error("constraint violation",
                                "%s is greater than maximum allowed value %s",
                                v, hi);
        }
        free(v);
        free(lo);
        free(hi);
    }
    return error;
}

static struct ovsdb_error *
check_integer_constraints(int64_t i, const struct ovsdb_base_type *base)
{
    int64_t min = base->u.integer.min, max = base->u.integer.max;

    if (i >= min && i <= max) {
        return NULL;
    } else if (min != INT64_MIN && max != INT64_MAX) {
        return ovsdb_error("constraint violation",
                           "%"PRId64" is not in the valid range %"PRId64
                           " to %"PRId64" (inclusive)", i, min, max);
    } else if (i < min) {
        return ovsdb_error("constraint violation",
                           "%"PRId64" is less than minimum allowed value %"
                           PRId64, i, min);
    } else {
        return ovsdb_error("constraint violation",
                           "%"PRId64" is greater than maximum allowed value %"
                           PRId64, i, max);
    }
}

struct ovsdb_error *
ovsdb_atom_check_constraints(const union ovsdb_atom *atom,
                             const struct ovsdb_base_type *base)
{
    if (base->enum_) {
        if (ovsdb_datum_find_key(base->enum_, atom, base->type) == UINT_MAX) {
            struct ovsdb_type enum_type = {
                .key = { .type = base->type },
                .value = OVSDB_BASE_VOID_INIT,
                .n_min = 1,
                .n_max = OVSDB_UNLIMITED,
            };
            char *value = ovsdb_atom_to_string(atom, base->type);
            char *allowed = ovsdb_datum_to_string(base->enum_, &enum_type);
            struct ovsdb_error *error;

            error = ovsdb_error("constraint violation",
                                "%s is not one of the allowed values (%s)",
                                value, allowed);
            free(value);
            free(allowed);
            return error;
        }
        /* Like OVS, an enum replaces the other constraints except that a
         * string must still be valid UTF-8. */
        return (base->type == OVSDB_TYPE_STRING
                ? check_string_constraints(atom->string, base)
                : NULL);
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        return check_integer_constraints(atom->integer, base);
    case OVSDB_TYPE_REAL:
        return check_real_constraints(atom->real, base);
    case OVSDB_TYPE_STRING:
        return check_string_constraints(atom->string, base);
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_TYPE_UUID:
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return NULL;
    }
}

/* Symbol table. */

void
ovsdb_symbol_table_init(struct ovsdb_symbol_table *symtab)
{
    shash_init(&symtab->sh);
}

void
ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *symtab)
{
    if (symtab) {
        shash_destroy_free_data(&symtab->sh);
    }
}

struct ovsdb_symbol *
ovsdb_symbol_table_get(const struct ovsdb_symbol_table *symtab,
                       const char *name)
{
    return shash_find_data(&symtab->sh, name);
}

struct ovsdb_symbol *
ovsdb_symbol_table_put(struct ovsdb_symbol_table *symtab, const char *name,
                       const struct uuid *uuid, bool created)
{
    struct ovsdb_symbol *symbol = xzalloc(sizeof *symbol);

    symbol->uuid = *uuid;
    symbol->created = created;
    free(shash_replace(&symtab->sh, name, symbol));
    return symbol;
}

struct ovsdb_symbol *
ovsdb_symbol_table_insert(struct ovsdb_symbol_table *symtab,
                          const char *name)
{
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_get(symtab, name);

    if (!symbol) {
        struct uuid uuid;

        uuid_generate(&uuid);
        symbol = ovsdb_symbol_table_put(symtab, name, &uuid, false);
    }
    return symbol;
}

/* Looks up (or adds) the symbol 'name' and records how 'base' refers to it,
 * which the transaction engine needs to decide whether a row created under
 * that name is garbage. */
static struct ovsdb_symbol *
symbol_reference(struct ovsdb_symbol_table *symtab, const char *name,
                 const struct ovsdb_base_type *base)
{
    struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(symtab, name);

    if (ovsdb_base_type_is_strong_ref(base)) {
        symbol->strong_ref = true;
    } else if (ovsdb_base_type_is_weak_ref(base)) {
        symbol->weak_ref = true;
    }
    return symbol;
}

/* JSON <-> atom. */

static struct ovsdb_error *
uuid_from_json(struct uuid *uuid, const struct ovsdb_base_type *base,
               const json_t *json, struct ovsdb_symbol_table *symtab)
{
    if (json_is_array(json) && json_array_size(json) == 2
        && json_is_string(json_array_get(json, 0))
        && json_is_string(json_array_get(json, 1))) {
        const char *kind = json_string_value(json_array_get(json, 0));
        const char *s = json_string_value(json_array_get(json, 1));

        if (!strcmp(kind, "uuid")) {
            if (!uuid_from_string(uuid, s)) {
                return ovsdb_syntax_error(json, NULL,
                                          "\"%s\" is not a valid UUID", s);
            }
            return NULL;
        } else if (!strcmp(kind, "named-uuid") && symtab) {
            *uuid = symbol_reference(symtab, s, base)->uuid;
            return NULL;
        }
    }
    return ovsdb_syntax_error(json, NULL, "expected [\"uuid\", <string>]");
}

static struct ovsdb_error *
ovsdb_atom_from_json(union ovsdb_atom *atom,
                     const struct ovsdb_base_type *base, const json_t *json,
                     struct ovsdb_symbol_table *symtab)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (json_is_integer(json)) {
            atom->integer = json_integer_value(json);
            return NULL;
        }
        return ovsdb_syntax_error(json, NULL, "expected integer");

    case OVSDB_TYPE_REAL:
        if (json_is_number(json)) {
            atom->real = json_number_value(json);
            return NULL;
        }
        return ovsdb_syntax_error(json, NULL, "expected real");

    case OVSDB_TYPE_BOOLEAN:
        if (json_is_boolean(json)) {
            atom->boolean = json_is_true(json);
            return NULL;
        }
        return ovsdb_syntax_error(json, NULL, "expected boolean");

    case OVSDB_TYPE_STRING:
        if (json_is_string(json)) {
            atom->string = xstrdup(json_string_value(json));
            return NULL;
        }
        return ovsdb_syntax_error(json, NULL, "expected string");

    case OVSDB_TYPE_UUID:
        return uuid_from_json(&atom->uuid, base, json, symtab);

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return ovsdb_error("ovsdb error", "atom of void type");
    }
}

/* Integral reals go out as JSON integers, because ovsdb-server prints 1.0 as
 * "1" (it formats reals with "%.15g") and clients such as the Python IDL
 * accept an integer for a real column.  Beyond 2**53 a double is no longer
 * exactly an integer in JSON readers' eyes, so it stays a real. */
static json_t *
real_to_json(double d)
{
    if (d == floor(d) && fabs(d) < 9007199254740992.0) {
        return json_integer((json_int_t) d);
    }
    return json_real(d);
}

json_t *
ovsdb_atom_to_json(const union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return json_integer(atom->integer);
    case OVSDB_TYPE_REAL:
        return real_to_json(atom->real);
    case OVSDB_TYPE_BOOLEAN:
        return json_boolean(atom->boolean);
    case OVSDB_TYPE_STRING: {
        json_t *json = json_string(atom->string);
        /* Strings are validated on the way in; this only keeps a bug
         * elsewhere from turning into a NULL dereference. */
        return json ? json : json_stringn_nocheck(atom->string,
                                                  strlen(atom->string));
    }
    case OVSDB_TYPE_UUID: {
        /* Every row in every reply and update has a few of these: build
         * the array directly, json_pack() would parse its format. */
        char s[UUID_LEN + 1];
        json_t *json = json_array();

        uuid_to_string(&atom->uuid, s);
        json_array_append_new(json, json_stringn_nocheck("uuid", 4));
        json_array_append_new(json, json_stringn_nocheck(s, UUID_LEN));
        return json;
    }
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return json_null();
    }
}

/* Text <-> atom. */

/* True if 's' would not read back as itself when printed bare: ovs-vsctl
 * prints a string bare only if it looks like an identifier (a letter or
 * '_', then letters, digits, '_', '-' or '.') and is not a boolean or a
 * UUID. */
static bool
string_needs_quotes(const char *s)
{
    const unsigned char *p = (const unsigned char *) s;
    struct uuid uuid;

    if (!isalpha(*p) && *p != '_') {
        return true;
    }
    for (p++; *p; p++) {
        if (!isalnum(*p) && *p != '_' && *p != '-' && *p != '.') {
            return true;
        }
    }
    return (!strcmp(s, "true") || !strcmp(s, "false")
            || uuid_from_string(&uuid, s));
}

static void
put_atom(struct ds *b, const union ovsdb_atom *atom,
         enum ovsdb_atomic_type type, bool bare)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        ds_put_format(b, "%"PRId64, atom->integer);
        break;
    case OVSDB_TYPE_REAL:
        ds_put_format(b, "%.*g", DBL_DIG, atom->real);
        break;
    case OVSDB_TYPE_BOOLEAN:
        ds_put_cstr(b, atom->boolean ? "true" : "false");
        break;
    case OVSDB_TYPE_STRING:
        if (bare || !string_needs_quotes(atom->string)) {
            ds_put_cstr(b, atom->string);
        } else {
            put_quoted(b, atom->string);
        }
        break;
    case OVSDB_TYPE_UUID:
        ds_put_format(b, UUID_FMT, UUID_ARGS(&atom->uuid));
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        break;
    }
}

char *
ovsdb_atom_to_string(const union ovsdb_atom *atom,
                     enum ovsdb_atomic_type type)
{
    struct ds b = DS_EMPTY_INITIALIZER;
    put_atom(&b, atom, type, false);
    return ds_steal_cstr(&b);
}

char *
ovsdb_atom_to_bare(const union ovsdb_atom *atom, enum ovsdb_atomic_type type)
{
    struct ds b = DS_EMPTY_INITIALIZER;
    put_atom(&b, atom, type, true);
    return ds_steal_cstr(&b);
}

static int
hexit(int c)
{
    return (c >= '0' && c <= '9' ? c - '0'
            : c >= 'a' && c <= 'f' ? c - 'a' + 10
            : c >= 'A' && c <= 'F' ? c - 'A' + 10
            : -1);
}

static bool
parse_hex4(const char *p, unsigned int *value)
{
    unsigned int v = 0;

    for (int i = 0; i < 4; i++) {
        int h = hexit((unsigned char) p[i]);
        if (h < 0) {
            return false;
        }
        v = (v << 4) | h;
    }
    *value = v;
    return true;
}

/* Decodes the 'len' bytes at 's', the inside of a double-quoted string with
 * JSON escapes (the escapes ovs-vsctl accepts), into '*out'.  Returns NULL
 * or an error message; 'quoted' is the whole token, for the message. */
static char *
string_unescape(const char *s, size_t len, const char *quoted, char **out)
{
    struct ds b = DS_EMPTY_INITIALIZER;
    const char *end = s + len;

    for (const char *p = s; p < end; p++) {
        unsigned int cp, lo;

        if (*p != '\\') {
            ds_put_char(&b, *p);
            continue;
        }
        if (++p >= end) {
            free(b.s);
            return xasprintf("%s: quoted string may not end with "
                             "backslash", quoted);
        }
        switch (*p) {
        case '"': case '\\': case '/':
            ds_put_char(&b, *p);
            break;
        case 'b': ds_put_char(&b, '\b'); break;
        case 'f': ds_put_char(&b, '\f'); break;
        case 'n': ds_put_char(&b, '\n'); break;
        case 'r': ds_put_char(&b, '\r'); break;
        case 't': ds_put_char(&b, '\t'); break;
        case 'u':
            if (end - p < 5 || !parse_hex4(p + 1, &cp)) {
                free(b.s);
                return xasprintf("%s: malformed \\u escape", quoted);
            }
            p += 4;
            if (cp >= 0xd800 && cp <= 0xdbff) {
                /* A UTF-16 surrogate pair encodes one character. */
                if (end - p < 7 || p[1] != '\\' || p[2] != 'u'
                    || !parse_hex4(p + 3, &lo)
                    || lo < 0xdc00 || lo > 0xdfff) {
                    free(b.s);
                    return xasprintf("%s: malformed UTF-16 surrogate pair",
                                     quoted);
                }
                cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
                p += 6;
            } else if (cp >= 0xdc00 && cp <= 0xdfff) {
                free(b.s);
                return xasprintf("%s: malformed UTF-16 surrogate pair",
                                 quoted);
            }
            if (!cp) {
                free(b.s);
                return xasprintf("%s: null bytes not supported in quoted "
                                 "strings", quoted);
            }
            char utf8[4];
            ds_put_buffer(&b, utf8, utf8_encode(cp, utf8));
            break;
        default:
            free(b.s);
            return xasprintf("%s: bad escape \\%c", quoted, *p);
        }
    }
    *out = ds_steal_cstr(&b);
    return NULL;
}

static bool
parse_boolean(const char *s, bool *value)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };

    for (size_t i = 0; i < ARRAY_SIZE(yes); i++) {
        if (!strcmp(s, yes[i])) {
            *value = true;
            return true;
        } else if (!strcmp(s, no[i])) {
            *value = false;
            return true;
        }
    }
    return false;
}

static bool
parse_integer(const char *s, int64_t *value)
{
    char *end;
    long long int ll;

    errno = 0;
    ll = strtoll(s, &end, 10);
    if (errno || end == s || *end || isspace((unsigned char) *s)) {
        return false;
    }
    *value = ll;
    return true;
}

/* Parses 's' as an atom of 'base''s type without checking constraints. */
static char *
atom_from_string__(union ovsdb_atom *atom, const struct ovsdb_base_type *base,
                   const char *s, struct ovsdb_symbol_table *symtab)
{
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (!parse_integer(s, &atom->integer)) {
            return xasprintf("\"%s\" is not a valid integer", s);
        }
        return NULL;

    case OVSDB_TYPE_REAL: {
        char *end;

        errno = 0;
        atom->real = strtod(s, &end);
        if (errno || end == s || *end || isspace((unsigned char) *s)
            || !isfinite(atom->real)) {
            return xasprintf("\"%s\" is not a valid real number", s);
        }
        return NULL;
    }

    case OVSDB_TYPE_BOOLEAN:
        if (!parse_boolean(s, &atom->boolean)) {
            return xasprintf("\"%s\" is not a valid boolean "
                             "(use \"true\" or \"false\")", s);
        }
        return NULL;

    case OVSDB_TYPE_STRING: {
        size_t len = strlen(s);

        if (!len) {
            return xstrdup("An empty string is not valid as input; use \"\" "
                           "to represent the empty string");
        } else if (s[0] == '"') {
            /* The closing quote must be there and not itself escaped. */
            size_t n_bs = 0;
            while (len >= 2 + n_bs + 1 && s[len - 2 - n_bs] == '\\') {
                n_bs++;
            }
            if (len < 2 || s[len - 1] != '"' || n_bs % 2) {
                return xasprintf("%s: missing quote at end of quoted "
                                 "string", s);
            }
            return string_unescape(s + 1, len - 2, s, &atom->string);
        }
        atom->string = xstrdup(s);
        return NULL;
    }

    case OVSDB_TYPE_UUID:
        if (symtab && s[0] == '@') {
            atom->uuid = symbol_reference(symtab, s, base)->uuid;
            return NULL;
        }
        if (!uuid_from_string(&atom->uuid, s)) {
            return xasprintf("\"%s\" is not a valid UUID", s);
        }
        return NULL;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return xstrdup("atom of void type");
    }
}

/* Turns a constraint error into the message ovs-vsctl prints for it. */
static char *
check_constraints_string(union ovsdb_atom *atom,
                         const struct ovsdb_base_type *base)
{
    struct ovsdb_error *error = ovsdb_atom_check_constraints(atom, base);

    if (error) {
        char *msg = ovsdb_error_to_string(error);
        ovsdb_error_destroy(error);
        ovsdb_atom_destroy(atom, base->type);
        return msg;
    }
    return NULL;
}

char *
ovsdb_atom_from_string(union ovsdb_atom *atom,
                       const struct ovsdb_base_type *base, const char *s,
                       struct ovsdb_symbol_table *symtab)
{
    char *error = atom_from_string__(atom, base, s, symtab);
    return error ? error : check_constraints_string(atom, base);
}

/* Datums. */

void
ovsdb_datum_init_empty(struct ovsdb_datum *datum)
{
    datum->n = 0;
    datum->keys = NULL;
    datum->values = NULL;
}

void
ovsdb_datum_init_default(struct ovsdb_datum *datum,
                         const struct ovsdb_type *type)
{
    ovsdb_datum_init_empty(datum);
    if (type->n_min) {
        datum->n = 1;
        datum->keys = xmalloc(sizeof *datum->keys);
        ovsdb_atom_init_default(&datum->keys[0], type->key.type);
        if (type->value.type != OVSDB_TYPE_VOID) {
            datum->values = xmalloc(sizeof *datum->values);
            ovsdb_atom_init_default(&datum->values[0], type->value.type);
        }
    }
}

bool
ovsdb_datum_is_default(const struct ovsdb_datum *datum,
                       const struct ovsdb_type *type)
{
    if (!type->n_min) {
        return datum->n == 0;
    }
    return (datum->n == 1
            && ovsdb_atom_is_default(&datum->keys[0], type->key.type)
            && (type->value.type == OVSDB_TYPE_VOID
                || ovsdb_atom_is_default(&datum->values[0],
                                         type->value.type)));
}

/* Copies 'n' atoms of 'type' into 'dst': a memcpy, except that strings are
 * duplicated. */
static void
copy_atoms(union ovsdb_atom *dst, const union ovsdb_atom *src, unsigned int n,
           enum ovsdb_atomic_type type)
{
    if (!n) {
        /* 'dst' may be NULL then, which memcpy() does not allow. */
    } else if (type != OVSDB_TYPE_STRING) {
        memcpy(dst, src, n * sizeof *src);
    } else {
        for (unsigned int i = 0; i < n; i++) {
            dst[i].string = xstrdup(src[i].string);
        }
    }
}

static union ovsdb_atom *
clone_atoms(const union ovsdb_atom *src, unsigned int n,
            enum ovsdb_atomic_type type)
{
    union ovsdb_atom *dst;

    if (!n || type == OVSDB_TYPE_VOID) {
        return NULL;
    }
    dst = xmalloc(n * sizeof *dst);
    copy_atoms(dst, src, n, type);
    return dst;
}

static void
free_atoms(union ovsdb_atom *atoms, unsigned int n,
           enum ovsdb_atomic_type type)
{
    if (type == OVSDB_TYPE_STRING) {
        for (unsigned int i = 0; i < n; i++) {
            free(atoms[i].string);
        }
    }
    free(atoms);
}

/* Copy-on-write sharing.
 *
 * The datums that share arrays are counted in a registry beside them, keyed
 * by the address of the 'keys' array, rather than in struct ovsdb_datum:
 * code all over xsw builds datums by hand ({ n, keys, values }, or three
 * assignments), and a fourth member would be left uninitialized there.  A
 * datum whose arrays are not in the registry owns them alone, so a datum
 * nobody cloned costs nothing, and ovsdb_datum_clone() costs one hash
 * lookup.
 *
 * The registry records the address disguised (complemented), so that
 * LeakSanitizer does not count it as a reference: leaked shared arrays are
 * still reported.
 *
 * A sharer must not write the arrays or change 'n': the registry catches a
 * changed 'n' or 'values' cheaply whenever it sees the datum again, and
 * with CHECK_SHARED_WRITES also a changed element, by checksumming the
 * arrays (O(n) for each clone and release, so only in debug builds: the
 * sanitizer build turns it on). */
#ifndef CHECK_SHARED_WRITES
#if defined(__SANITIZE_ADDRESS__)
#define CHECK_SHARED_WRITES 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define CHECK_SHARED_WRITES 1
#endif
#endif
#endif
#ifndef CHECK_SHARED_WRITES
#define CHECK_SHARED_WRITES 0
#endif

struct shared_arrays {
    struct hmap_node node;      /* In 'registry', by hash of 'keys_id'. */
    uintptr_t keys_id;          /* ~(uintptr_t) keys. */
    uintptr_t values_id;        /* ~(uintptr_t) values. */
    unsigned int n;
    unsigned int refcnt;        /* Datums sharing the arrays, at least 2. */
    uint32_t checksum;          /* With CHECK_SHARED_WRITES only. */
};

/* Not thread-safe: like the rest of the data model, datums belong to one
 * thread (every xsw program keeps them on its main thread). */
static struct hmap registry = HMAP_INITIALIZER(&registry);

static uintptr_t
disguise(const void *p)
{
    return ~(uintptr_t) p;
}

static uint32_t
shared_checksum(const struct ovsdb_datum *datum)
{
    uint32_t hash = hash_bytes(datum->keys, datum->n * sizeof *datum->keys,
                               datum->n);
    return (datum->values
            ? hash_bytes(datum->values, datum->n * sizeof *datum->values,
                         hash)
            : hash);
}

static struct shared_arrays *
shared_find(const struct ovsdb_datum *datum)
{
    struct shared_arrays *sa;
    uintptr_t id;

    if (!datum->n || hmap_is_empty(&registry)) {
        return NULL;
    }
    id = disguise(datum->keys);
    HMAP_FOR_EACH_WITH_HASH (sa, node, hash_pointer((void *) id, 0),
                             &registry) {
        if (sa->keys_id == id) {
            if (sa->n != datum->n || sa->values_id != disguise(datum->values)
                || (CHECK_SHARED_WRITES
                    && sa->checksum != shared_checksum(datum))) {
                /* Someone wrote into a shared datum without
                 * ovsdb_datum_unshare(): the other sharers see it too. */
                xsw_fatal("ovsdb_datum %p (n=%u) was modified while "
                          "shared", (void *) datum->keys, datum->n);
            }
            return sa;
        }
    }
    return NULL;
}

/* Drops 'datum''s claim on arrays it shares.  Returns true if other datums
 * still use them (so 'datum' must not free them), false if 'datum' was
 * their only owner. */
static bool
shared_release(const struct ovsdb_datum *datum)
{
    struct shared_arrays *sa = shared_find(datum);

    if (!sa) {
        return false;
    }
    if (--sa->refcnt < 2) {
        /* The last sharer owns the arrays alone again. */
        hmap_remove(&registry, &sa->node);
        free(sa);
    }
    return true;
}

bool
ovsdb_datum_is_shared(const struct ovsdb_datum *datum)
{
    return shared_find(datum) != NULL;
}

void
ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                  const struct ovsdb_type *type OVS_UNUSED)
{
    struct shared_arrays *sa;

    if (!src->n) {
        /* An empty datum may still hold an empty allocation: no need to
         * share that. */
        ovsdb_datum_init_empty(dst);
        return;
    }
    sa = shared_find(src);
    if (!sa) {
        sa = xmalloc(sizeof *sa);
        sa->keys_id = disguise(src->keys);
        sa->values_id = disguise(src->values);
        sa->n = src->n;
        sa->refcnt = 1;
        sa->checksum = CHECK_SHARED_WRITES ? shared_checksum(src) : 0;
        hmap_insert(&registry, &sa->node,
                    hash_pointer((void *) sa->keys_id, 0));
    }
    sa->refcnt++;
    *dst = *src;
}

void
ovsdb_datum_unshare(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    if (ovsdb_datum_is_shared(datum)) {
        union ovsdb_atom *keys = clone_atoms(datum->keys, datum->n,
                                             type->key.type);
        union ovsdb_atom *values = clone_atoms(datum->values, datum->n,
                                               type->value.type);
        shared_release(datum);
        datum->keys = keys;
        datum->values = values;
    }
}

void
ovsdb_datum_destroy(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    if (!shared_release(datum)) {
        free_atoms(datum->keys, datum->n, type->key.type);
        free_atoms(datum->values, datum->n, type->value.type);
    }
    ovsdb_datum_init_empty(datum);
}

void
ovsdb_datum_swap(struct ovsdb_datum *a, struct ovsdb_datum *b)
{
    struct ovsdb_datum tmp = *a;
    *a = *b;
    *b = tmp;
}

/* Sorting. */

static bool
datum_is_sorted(const struct ovsdb_datum *datum, enum ovsdb_atomic_type type)
{
    for (unsigned int i = 1; i < datum->n; i++) {
        if (ovsdb_atom_compare_3way(&datum->keys[i - 1], &datum->keys[i],
                                    type) >= 0) {
            return false;
        }
    }
    return true;
}

/* One element being sorted: its key, value and original position (the
 * position makes the sort stable, so sort_unique() keeps the first). */
struct sort_elem {
    union ovsdb_atom key, value;
    unsigned int idx;
};

static int
compare_sort_elems(const void *a_, const void *b_, void *type_)
{
    const struct sort_elem *a = a_, *b = b_;
    const enum ovsdb_atomic_type *type = type_;
    int cmp = ovsdb_atom_compare_3way(&a->key, &b->key, *type);

    return cmp ? cmp : (a->idx > b->idx) - (a->idx < b->idx);
}

static void
datum_sort__(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    enum ovsdb_atomic_type key_type = type->key.type;
    struct sort_elem *elems;
    unsigned int n = datum->n;

    if (n < 2 || datum_is_sorted(datum, key_type)) {
        return;
    }
    ovsdb_datum_unshare(datum, type);
    elems = xmalloc(n * sizeof *elems);
    for (unsigned int i = 0; i < n; i++) {
        elems[i].key = datum->keys[i];
        elems[i].value = datum->values ? datum->values[i]
                                       : (union ovsdb_atom) { 0 };
        elems[i].idx = i;
    }
    qsort_r(elems, n, sizeof *elems, compare_sort_elems, &key_type);
    for (unsigned int i = 0; i < n; i++) {
        datum->keys[i] = elems[i].key;
        if (datum->values) {
            datum->values[i] = elems[i].value;
        }
    }
    free(elems);
}

/* True if sorted 'datum' has two equal keys. */
static bool
has_duplicate(const struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    for (unsigned int i = 1; i < datum->n; i++) {
        if (ovsdb_atom_equals(&datum->keys[i - 1], &datum->keys[i],
                              type->key.type)) {
            return true;
        }
    }
    return false;
}

/* Open vSwitch reports a duplicate with this tag and these words, without
 * naming the value (ovs-vsctl prints "1,1: set contains duplicate value");
 * a transact reply says "set contains duplicate", see datum_from_json__. */
static struct ovsdb_error *
duplicate_error(const struct ovsdb_type *type)
{
    return ovsdb_error("ovsdb error", ovsdb_type_is_map(type)
                       ? "map contains duplicate key"
                       : "set contains duplicate value");
}

struct ovsdb_error *
ovsdb_datum_sort(struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    datum_sort__(datum, type);
    return has_duplicate(datum, type) ? duplicate_error(type) : NULL;
}

void
ovsdb_datum_sort_unique(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type)
{
    unsigned int dst = 0;

    datum_sort__(datum, type);
    if (!has_duplicate(datum, type)) {
        return;                 /* Also leaves a shared datum shared. */
    }
    ovsdb_datum_unshare(datum, type);
    for (unsigned int i = 0; i < datum->n; i++) {
        if (dst && ovsdb_atom_equals(&datum->keys[dst - 1], &datum->keys[i],
                                     type->key.type)) {
            ovsdb_atom_destroy(&datum->keys[i], type->key.type);
            if (datum->values) {
                ovsdb_atom_destroy(&datum->values[i], type->value.type);
            }
            continue;
        }
        datum->keys[dst] = datum->keys[i];
        if (datum->values) {
            datum->values[dst] = datum->values[i];
        }
        dst++;
    }
    datum->n = dst;
}

/* The "N members" size error, worded and tagged as ovsdb-server words and
 * tags it ("syntax error"), quoting 'json' when there is one. */
static struct ovsdb_error *
check_size(unsigned int n, const struct ovsdb_type *type, const json_t *json)
{
    const char *class = ovsdb_type_is_map(type) ? "map" : "set";

    if (n >= type->n_min && n <= type->n_max) {
        return NULL;
    } else if (type->n_min == 1 && type->n_max == 1) {
        return ovsdb_syntax_error(json, NULL, "%s must have exactly one "
                                  "member but %u are present", class, n);
    } else {
        return ovsdb_syntax_error(json, NULL, "%s must have %u to %u members "
                                  "but %u are present", class, type->n_min,
                                  type->n_max, n);
    }
}

struct ovsdb_error *
ovsdb_datum_check_constraints(const struct ovsdb_datum *datum,
                              const struct ovsdb_type *type)
{
    struct ovsdb_error *error = check_size(datum->n, type, NULL);

    for (unsigned int i = 0; !error && i < datum->n; i++) {
        error = ovsdb_atom_check_constraints(&datum->keys[i], &type->key);
        if (!error && type->value.type != OVSDB_TYPE_VOID) {
            error = ovsdb_atom_check_constraints(&datum->values[i],
                                                 &type->value);
        }
    }
    return error;
}

/* JSON <-> datum. */

/* Parses one atom and checks its constraints. */
static struct ovsdb_error *
atom_from_json_checked(union ovsdb_atom *atom,
                       const struct ovsdb_base_type *base, const json_t *json,
                       struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_error *error = ovsdb_atom_from_json(atom, base, json,
                                                     symtab);
    if (!error) {
        error = ovsdb_atom_check_constraints(atom, base);
        if (error) {
            ovsdb_atom_destroy(atom, base->type);
        }
    }
    return error;
}

static struct ovsdb_error *
datum_from_json__(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                  const json_t *json, struct ovsdb_symbol_table *symtab,
                  bool check_bounds)
{
    bool is_map = ovsdb_type_is_map(type);
    const char *class = is_map ? "map" : "set";
    struct ovsdb_error *error = NULL;
    const json_t *elems;
    size_t n;

    ovsdb_datum_init_empty(datum);

    /* ["set", [...]] or ["map", [...]]; anything else is a single atom
     * (which for a uuid is itself a 2-element array). */
    if (json_is_array(json) && json_array_size(json) > 0
        && json_is_string(json_array_get(json, 0))
        && !strcmp(json_string_value(json_array_get(json, 0)), class)) {
        elems = json_array_get(json, 1);
        if (json_array_size(json) != 2 || !json_is_array(elems)) {
            return ovsdb_syntax_error(json, NULL, "expected [\"%s\", <array>]",
                                      class);
        }
        n = json_array_size(elems);
    } else if (is_map) {
        return ovsdb_syntax_error(json, NULL, "expected [\"map\", <array>]");
    } else {
        elems = NULL;
        n = 1;
    }

    if (check_bounds) {
        error = check_size(n, type, json);
        if (error) {
            return error;
        }
    }

    datum->keys = n ? xmalloc(n * sizeof *datum->keys) : NULL;
    datum->values = is_map && n ? xmalloc(n * sizeof *datum->values) : NULL;
    for (size_t i = 0; i < n; i++) {
        const json_t *elem = elems ? json_array_get(elems, i) : json;
        const json_t *key = elem, *value = NULL;

        if (is_map) {
            if (!json_is_array(elem) || json_array_size(elem) != 2) {
                error = ovsdb_syntax_error(elem, NULL,
                                           "expected 2-element array");
                break;
            }
            key = json_array_get(elem, 0);
            value = json_array_get(elem, 1);
        }
        error = atom_from_json_checked(&datum->keys[i], &type->key, key,
                                       symtab);
        if (error) {
            break;
        }
        if (is_map) {
            error = atom_from_json_checked(&datum->values[i], &type->value,
                                           value, symtab);
            if (error) {
                ovsdb_atom_destroy(&datum->keys[i], type->key.type);
                break;
            }
        }
        datum->n++;
    }
    if (!error) {
        error = ovsdb_datum_sort(datum, type);
        if (error && !is_map) {
            /* ovsdb-server's wording for a set in a transaction. */
            ovsdb_error_destroy(error);
            error = ovsdb_error("ovsdb error", "set contains duplicate");
        }
    }
    if (error) {
        ovsdb_datum_destroy(datum, type);
    }
    return error;
}

struct ovsdb_error *
ovsdb_datum_from_json(struct ovsdb_datum *datum,
                      const struct ovsdb_type *type, const json_t *json,
                      struct ovsdb_symbol_table *symtab)
{
    return datum_from_json__(datum, type, json, symtab, true);
}

struct ovsdb_error *
ovsdb_datum_from_json_unbounded(struct ovsdb_datum *datum,
                                const struct ovsdb_type *type,
                                const json_t *json,
                                struct ovsdb_symbol_table *symtab)
{
    return datum_from_json__(datum, type, json, symtab, false);
}

json_t *
ovsdb_datum_to_json(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type)
{
    json_t *elems;

    if (ovsdb_type_is_map(type)) {
        elems = json_array();
        for (unsigned int i = 0; i < datum->n; i++) {
            json_array_append_new(
                elems, json_pack("[oo]",
                                 ovsdb_atom_to_json(&datum->keys[i],
                                                    type->key.type),
                                 ovsdb_atom_to_json(&datum->values[i],
                                                    type->value.type)));
        }
        return json_pack("[so]", "map", elems);
    }
    if (datum->n == 1) {
        return ovsdb_atom_to_json(&datum->keys[0], type->key.type);
    }
    elems = json_array();
    for (unsigned int i = 0; i < datum->n; i++) {
        json_array_append_new(elems, ovsdb_atom_to_json(&datum->keys[i],
                                                        type->key.type));
    }
    return json_pack("[so]", "set", elems);
}

/* Text <-> datum. */

static bool
is_delim(char c)
{
    return c && strchr(":=, []{}!<>", c) != NULL;
}

static const char *
skip_spaces(const char *p)
{
    while (isspace((unsigned char) *p)) {
        p++;
    }
    return p;
}

/* Describes 'type' in English for messages, like ovs-vsctl. */
static char *
base_type_to_english(const struct ovsdb_base_type *base, bool plural)
{
    if (ovsdb_base_type_is_ref(base)) {
        return xasprintf("%s row%s", base->u.uuid.ref_table_name,
                         plural ? "s" : "");
    }
    return xasprintf("%s%s", ovsdb_atomic_type_to_string(base->type),
                     plural ? "s" : "");
}

static char *
type_to_english(const struct ovsdb_type *type)
{
    char *key, *value, *s;

    if (ovsdb_type_is_scalar(type)) {
        return base_type_to_english(&type->key, false);
    }
    if (ovsdb_type_is_map(type)) {
        key = base_type_to_english(&type->key, false);
        value = base_type_to_english(&type->value, false);
        s = xasprintf("map of (%s, %s) pairs", key, value);
        free(key);
        free(value);
        return s;
    }
    key = base_type_to_english(&type->key, true);
    if (type->n_max == 1) {
        s = base_type_to_english(&type->key, false);
        free(key);
        key = xasprintf("optional %s", s);
        free(s);
        return key;
    } else if (type->n_max == OVSDB_UNLIMITED) {
        s = (type->n_min ? xasprintf("set of 1 or more %s", key)
                         : xasprintf("set of %s", key));
    } else {
        s = (type->n_min ? xasprintf("set of 1 to %u %s", type->n_max, key)
                         : xasprintf("set of up to %u %s", type->n_max, key));
    }
    free(key);
    return s;
}

/* Extracts the token at '*pp' (a double-quoted string, quotes included, or
 * the characters up to the next delimiter or space) into '*token'. */
static char *
parse_token(const char **pp, char **token)
{
    const char *start = *pp, *p = start;

    if (*p == '"') {
        for (p++; *p != '"'; p++) {
            if (*p == '\\' && p[1]) {
                p++;
            } else if (!*p) {
                return xasprintf("%s: quoted string extends past end of "
                                 "argument", start);
            }
        }
        p++;
    } else {
        while (*p && !is_delim(*p) && !isspace((unsigned char) *p)) {
            p++;
        }
    }
    *token = xstrndup(start, p - start);
    *pp = p;
    return NULL;
}

/* Ranges "A-B" in sets of integers, as ovs-vsctl accepts for VLAN lists.
 * A range may not exceed the set's size limit; without a limit, 4096
 * elements keeps a typo from exhausting memory. */
#define MAX_RANGE 4096

/* Parses one element token of a set or map side into 'atom', or for an
 * integer set possibly a range into '*range_end'.  Checks constraints. */
static char *
parse_atom_token(const char **pp, const struct ovsdb_base_type *base,
                 union ovsdb_atom *atom, int64_t *range_end,
                 struct ovsdb_symbol_table *symtab)
{
    char *token, *error;

    error = parse_token(pp, &token);
    if (error) {
        return error;
    }
    if (range_end) {
        const char *dash = token[0] ? strchr(token + 1, '-') : NULL;
        int64_t start, end;

        if (!parse_integer(token, &start)) {
            char *start_s = dash ? xstrndup(token, dash - token) : NULL;
            if (!dash || !parse_integer(start_s, &start)
                || !parse_integer(dash + 1, &end)) {
                error = xasprintf("\"%s\" is not a valid integer or range",
                                  token);
            } else if (end < start) {
                error = xasprintf("\"%s\" is not a valid range. Range end "
                                  "cannot be before start.", token);
            } else {
                atom->integer = start;
                *range_end = end;
            }
            free(start_s);
        } else {
            atom->integer = start;
            *range_end = start;
        }
        if (!error) {
            union ovsdb_atom last = { .integer = *range_end };
            error = check_constraints_string(atom, base);
            if (!error) {
                error = check_constraints_string(&last, base);
            }
            if (!error && ((uint64_t) *range_end - (uint64_t) atom->integer
                           >= MAX_RANGE)) {
                error = xasprintf("\"%s\" is too big a range (at most %d "
                                  "values)", token, MAX_RANGE);
            }
        }
    } else {
        error = ovsdb_atom_from_string(atom, base, token, symtab);
    }
    free(token);
    return error;
}

/* Appends key (and value) to 'datum', which has room for '*allocated'. */
static void
datum_append(struct ovsdb_datum *datum, size_t *allocated, bool is_map,
             const union ovsdb_atom *key, const union ovsdb_atom *value)
{
    if (datum->n >= *allocated) {
        size_t n = *allocated;
        datum->keys = x2nrealloc(datum->keys, &n, sizeof *datum->keys);
        if (is_map) {
            n = *allocated;
            datum->values = x2nrealloc(datum->values, &n,
                                       sizeof *datum->values);
        }
        *allocated = n;
    }
    datum->keys[datum->n] = *key;
    if (is_map) {
        datum->values[datum->n] = *value;
    }
    datum->n++;
}

static char *
datum_from_string__(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                    const char *s, struct ovsdb_symbol_table *symtab)
{
    bool is_map = ovsdb_type_is_map(type);
    bool ranges = !is_map && type->key.type == OVSDB_TYPE_INTEGER;
    char open = is_map ? '{' : '[', close = is_map ? '}' : ']';
    bool delimited = false;
    size_t allocated = 0;
    const char *p;

    p = skip_spaces(s);
    if (*p == open) {
        delimited = true;
        p = skip_spaces(p + 1);
    } else if (!*p) {
        return xstrdup(is_map ? "use \"{}\" to specify the empty map"
                              : "use \"[]\" to specify the empty set");
    }

    while (*p && !(delimited && *p == close)) {
        union ovsdb_atom key, value;
        int64_t range_end = 0;
        const char *start = p;
        char *error;

        if (is_delim(*p)) {
            char *english = type_to_english(type);
            error = xasprintf("%s: unexpected \"%c\" parsing %s",
                              s, *p, english);
            free(english);
            return error;
        }

        error = parse_atom_token(&p, &type->key, &key,
                                 ranges ? &range_end : NULL, symtab);
        if (error) {
            return error;
        }
        if (is_map) {
            p = skip_spaces(p);
            if (*p != '=') {
                error = (*p
                         ? xasprintf("%s: syntax error at \"%c\" expecting "
                                     "\"=\"", start, *p)
                         : xasprintf("%s: syntax error at end of input "
                                     "expecting \"=\"", start));
                ovsdb_atom_destroy(&key, type->key.type);
                return error;
            }
            p = skip_spaces(p + 1);
            error = parse_atom_token(&p, &type->value, &value, NULL, symtab);
            if (error) {
                ovsdb_atom_destroy(&key, type->key.type);
                return error;
            }
            datum_append(datum, &allocated, true, &key, &value);
        } else if (ranges) {
            for (int64_t i = key.integer; ; i++) {
                union ovsdb_atom atom = { .integer = i };

                /* The ends were checked, but an enum may have holes. */
                if (type->key.enum_) {
                    error = check_constraints_string(&atom, &type->key);
                    if (error) {
                        return error;
                    }
                }
                datum_append(datum, &allocated, false, &atom, NULL);
                if (i == range_end) {
                    break;
                }
            }
        } else {
            datum_append(datum, &allocated, false, &key, NULL);
        }

        p = skip_spaces(p);
        if (*p == ',') {
            p = skip_spaces(p + 1);
        }
    }

    if (delimited) {
        if (*p != close) {
            return xasprintf("%s: missing \"%c\" at end of data", s, close);
        }
        p = skip_spaces(p + 1);
        if (*p) {
            return xasprintf("%s: trailing garbage after \"%c\"", s, close);
        }
    }
    return NULL;
}

char *
ovsdb_datum_from_string(struct ovsdb_datum *datum,
                        const struct ovsdb_type *type, const char *s,
                        struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_error *dup;
    char *error;

    ovsdb_datum_init_empty(datum);
    error = datum_from_string__(datum, type, s, symtab);
    if (!error) {
        dup = ovsdb_datum_sort(datum, type);
        if (dup) {
            error = xasprintf("%s: %s", s, dup->details);
            ovsdb_error_destroy(dup);
        } else if (datum->n > type->n_max) {
            error = xasprintf("%s: %u value(s) specified but the maximum "
                              "number is %u", s, datum->n, type->n_max);
        } else if (datum->n < type->n_min) {
            error = xasprintf("%s: %u value(s) specified but the minimum "
                              "number is %u", s, datum->n, type->n_min);
        }
    }
    if (error) {
        ovsdb_datum_destroy(datum, type);
    }
    return error;
}

static char *
datum_to_text(const struct ovsdb_datum *datum, const struct ovsdb_type *type,
              bool bare)
{
    bool is_map = ovsdb_type_is_map(type);
    struct ds b = DS_EMPTY_INITIALIZER;

    if (!bare && type->n_max == 1 && datum->n == 1) {
        put_atom(&b, &datum->keys[0], type->key.type, false);
        return ds_steal_cstr(&b);
    }
    if (!bare) {
        ds_put_char(&b, is_map ? '{' : '[');
    }
    for (unsigned int i = 0; i < datum->n; i++) {
        if (i) {
            ds_put_cstr(&b, bare ? " " : ", ");
        }
        put_atom(&b, &datum->keys[i], type->key.type, bare);
        if (is_map) {
            ds_put_char(&b, '=');
            put_atom(&b, &datum->values[i], type->value.type, bare);
        }
    }
    if (!bare) {
        ds_put_char(&b, is_map ? '}' : ']');
    }
    return ds_steal_cstr(&b);
}

char *
ovsdb_datum_to_string(const struct ovsdb_datum *datum,
                      const struct ovsdb_type *type)
{
    return datum_to_text(datum, type, false);
}

char *
ovsdb_datum_to_bare(const struct ovsdb_datum *datum,
                    const struct ovsdb_type *type)
{
    return datum_to_text(datum, type, true);
}

/* Comparison. */

uint32_t
ovsdb_datum_hash(const struct ovsdb_datum *datum,
                 const struct ovsdb_type *type, uint32_t basis)
{
    uint32_t hash = basis;

    for (unsigned int i = 0; i < datum->n; i++) {
        hash = ovsdb_atom_hash(&datum->keys[i], type->key.type, hash);
        if (datum->values) {
            hash = ovsdb_atom_hash(&datum->values[i], type->value.type,
                                   hash);
        }
    }
    return hash_finish(hash, datum->n);
}

static int
atoms_compare_3way(const union ovsdb_atom *a, const union ovsdb_atom *b,
                   enum ovsdb_atomic_type type, unsigned int n)
{
    for (unsigned int i = 0; i < n; i++) {
        int cmp = ovsdb_atom_compare_3way(&a[i], &b[i], type);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

int
ovsdb_datum_compare_3way(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    int cmp;

    if (a->n != b->n) {
        return a->n < b->n ? -1 : 1;
    } else if (a->keys == b->keys && a->values == b->values) {
        return 0;               /* Shared, or both empty. */
    }
    cmp = atoms_compare_3way(a->keys, b->keys, type->key.type, a->n);
    if (!cmp && type->value.type != OVSDB_TYPE_VOID) {
        cmp = atoms_compare_3way(a->values, b->values, type->value.type,
                                 a->n);
    }
    return cmp;
}

bool
ovsdb_datum_equals(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_type *type)
{
    if (a->n != b->n) {
        return false;
    } else if (!a->n || (a->keys == b->keys && a->values == b->values)) {
        /* Empty, or sharing arrays: a txn's copy of a row shares every
         * column it did not write with the committed row. */
        return true;
    }
    /* A UUID fills its atom exactly, so a set of references (every
     * commit compares a bridge's whole 'ports' set) compares as bytes. */
    if (type->key.type == OVSDB_TYPE_UUID
        && (type->value.type == OVSDB_TYPE_VOID
            || type->value.type == OVSDB_TYPE_UUID)) {
        return (!memcmp(a->keys, b->keys, a->n * sizeof *a->keys)
                && (type->value.type == OVSDB_TYPE_VOID
                    || !memcmp(a->values, b->values,
                               a->n * sizeof *a->values)));
    }
    return !ovsdb_datum_compare_3way(a, b, type);
}

unsigned int
ovsdb_datum_find_key(const struct ovsdb_datum *datum,
                     const union ovsdb_atom *key,
                     enum ovsdb_atomic_type type)
{
    unsigned int lo = 0, hi = datum->n;

    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;
        int cmp = ovsdb_atom_compare_3way(key, &datum->keys[mid], type);

        if (!cmp) {
            return mid;
        } else if (cmp < 0) {
            hi = mid;
        } else {
            lo = mid + 1;
        }
    }
    return UINT_MAX;
}

unsigned int
ovsdb_datum_find_key_value(const struct ovsdb_datum *datum,
                           const union ovsdb_atom *key,
                           enum ovsdb_atomic_type key_type,
                           const union ovsdb_atom *value,
                           enum ovsdb_atomic_type value_type)
{
    unsigned int idx = ovsdb_datum_find_key(datum, key, key_type);

    if (idx != UINT_MAX && value_type != OVSDB_TYPE_VOID
        && !ovsdb_atom_equals(&datum->values[idx], value, value_type)) {
        idx = UINT_MAX;
    }
    return idx;
}

/* Counts the elements of 'a' found in 'b' (a key-value pair for a map),
 * walking both sorted arrays once. */
static unsigned int
count_common(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
             const struct ovsdb_type *type)
{
    unsigned int i = 0, j = 0, n = 0;

    while (i < a->n && j < b->n) {
        int cmp = ovsdb_atom_compare_3way(&a->keys[i], &b->keys[j],
                                          type->key.type);
        if (cmp < 0) {
            i++;
        } else if (cmp > 0) {
            j++;
        } else {
            if (type->value.type == OVSDB_TYPE_VOID
                || ovsdb_atom_equals(&a->values[i], &b->values[j],
                                     type->value.type)) {
                n++;
            }
            i++;
            j++;
        }
    }
    return n;
}

bool
ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    return a->n <= b->n && count_common(a, b, type) == a->n;
}

bool
ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                         const struct ovsdb_datum *b,
                         const struct ovsdb_type *type)
{
    return count_common(a, b, type) == 0;
}

/* Builds a datum by merging: the helpers below append atoms that the new
 * datum takes over (moved) or copies (cloned). */
struct merge {
    struct ovsdb_datum out;
    const struct ovsdb_type *type;
};

static void
merge_init(struct merge *m, unsigned int capacity,
           const struct ovsdb_type *type)
{
    m->type = type;
    m->out.n = 0;
    m->out.keys = capacity ? xmalloc(capacity * sizeof *m->out.keys) : NULL;
    m->out.values = (capacity && type->value.type != OVSDB_TYPE_VOID
                     ? xmalloc(capacity * sizeof *m->out.values) : NULL);
}

static void
merge_move(struct merge *m, const struct ovsdb_datum *src, unsigned int i)
{
    m->out.keys[m->out.n] = src->keys[i];
    if (m->out.values) {
        m->out.values[m->out.n] = src->values[i];
    }
    m->out.n++;
}

static void
merge_clone(struct merge *m, const struct ovsdb_datum *src, unsigned int i)
{
    ovsdb_atom_clone(&m->out.keys[m->out.n], &src->keys[i],
                     m->type->key.type);
    if (m->out.values) {
        ovsdb_atom_clone(&m->out.values[m->out.n], &src->values[i],
                         m->type->value.type);
    }
    m->out.n++;
}

/* Clones key 'i' of 'keys_src' with value 'i' of 'values_src'. */
static void
merge_clone_pair(struct merge *m, const struct ovsdb_datum *keys_src,
                 const struct ovsdb_datum *values_src, unsigned int i,
                 unsigned int j)
{
    ovsdb_atom_clone(&m->out.keys[m->out.n], &keys_src->keys[i],
                     m->type->key.type);
    ovsdb_atom_clone(&m->out.values[m->out.n], &values_src->values[j],
                     m->type->value.type);
    m->out.n++;
}

/* Frees an array whose atoms were all moved elsewhere or destroyed. */
static void
datum_free_shell(struct ovsdb_datum *datum)
{
    free(datum->keys);
    free(datum->values);
    ovsdb_datum_init_empty(datum);
}

/* At most this many elements are inserted or deleted by binary search. */
#define UNION_FEW 8

/* Moves 'n' atoms from arrays that their datum owns ('shared' false), or
 * copies them from shared arrays. */
static void
take_atoms(union ovsdb_atom *dst, const union ovsdb_atom *src, unsigned int n,
           enum ovsdb_atomic_type type, bool shared)
{
    if (shared) {
        copy_atoms(dst, src, n, type);
    } else if (n) {
        memcpy(dst, src, n * sizeof *src);
    }
}

/* Gives 'datum' the 'n' atoms in 'keys' and 'values' (taken over), built
 * with take_atoms() from its arrays, which it releases. */
static void
datum_replace_arrays(struct ovsdb_datum *datum, bool shared,
                     union ovsdb_atom *keys, union ovsdb_atom *values,
                     unsigned int n)
{
    if (shared) {
        shared_release(datum);
    } else {
        free(datum->keys);
        free(datum->values);
    }
    datum->n = n;
    datum->keys = keys;
    datum->values = values;
    if (!n) {
        datum_free_shell(datum);
    }
}

/* Index of the first key of 'datum' not less than 'key'. */
static unsigned int
lower_bound(const struct ovsdb_datum *datum, const union ovsdb_atom *key,
            enum ovsdb_atomic_type type)
{
    unsigned int lo = 0, hi = datum->n;

    while (lo < hi) {
        unsigned int mid = lo + (hi - lo) / 2;
        if (ovsdb_atom_compare_3way(&datum->keys[mid], key, type) < 0) {
            lo = mid + 1;
        } else {
            hi = mid;
        }
    }
    return lo;
}

/* ovsdb_datum_union() for a 'b' much smaller than 'a' (inserting a port
 * into a bridge of 10,000): each new key's place is found with a binary
 * search and the result is built with one copy of 'a''s arrays, in the
 * chunks between the new keys.  Atoms are moved out of arrays that 'a' owns
 * and copied out of shared ones. */
static void
union_insert_few(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                 const struct ovsdb_type *type)
{
    enum ovsdb_atomic_type kt = type->key.type, vt = type->value.type;
    bool is_map = vt != OVSDB_TYPE_VOID;
    bool shared = ovsdb_datum_is_shared(a);
    unsigned int pos[UNION_FEW], from[UNION_FEW], k = 0;
    unsigned int prev = 0, out = 0;
    union ovsdb_atom *keys, *values;

    for (unsigned int j = 0; j < b->n; j++) {
        unsigned int idx = lower_bound(a, &b->keys[j], kt);

        if (idx >= a->n || !ovsdb_atom_equals(&a->keys[idx], &b->keys[j],
                                              kt)) {
            pos[k] = idx;
            from[k++] = j;
        }
    }
    if (!k) {
        return;
    }

    keys = xmalloc((a->n + k) * sizeof *keys);
    values = is_map ? xmalloc((a->n + k) * sizeof *values) : NULL;
    for (unsigned int t = 0; t <= k; t++) {
        unsigned int end = t < k ? pos[t] : a->n;

        take_atoms(&keys[out], &a->keys[prev], end - prev, kt, shared);
        if (is_map) {
            take_atoms(&values[out], &a->values[prev], end - prev, vt,
                       shared);
        }
        out += end - prev;
        prev = end;
        if (t < k) {
            ovsdb_atom_clone(&keys[out], &b->keys[from[t]], kt);
            if (is_map) {
                ovsdb_atom_clone(&values[out], &b->values[from[t]], vt);
            }
            out++;
        }
    }
    datum_replace_arrays(a, shared, keys, values, out);
}

void
ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                  const struct ovsdb_type *type)
{
    unsigned int i = 0, j = 0;
    bool shared;
    struct merge m;

    if (!b->n) {
        return;
    }
    if (b->n <= UNION_FEW && a->n > 64) {
        union_insert_few(a, b, type);
        return;
    }
    shared = ovsdb_datum_is_shared(a);
    merge_init(&m, a->n + b->n, type);
    while (i < a->n || j < b->n) {
        int cmp = (i >= a->n ? 1 : j >= b->n ? -1
                   : ovsdb_atom_compare_3way(&a->keys[i], &b->keys[j],
                                             type->key.type));
        if (cmp > 0) {
            merge_clone(&m, b, j++);
            continue;
        }
        if (shared) {
            merge_clone(&m, a, i++);
        } else {
            merge_move(&m, a, i++);
        }
        if (cmp == 0) {
            j++;
        }
    }
    datum_replace_arrays(a, shared, m.out.keys, m.out.values, m.out.n);
}

/* Removes the 'k' elements of 'datum' whose indexes are in 'drop'
 * (ascending).  A shared datum gets new arrays without them (one copy); an
 * unshared one is compacted in place. */
static void
remove_indexes(struct ovsdb_datum *datum, const struct ovsdb_type *type,
               const unsigned int *drop, unsigned int k)
{
    enum ovsdb_atomic_type kt = type->key.type, vt = type->value.type;
    bool shared = ovsdb_datum_is_shared(datum);
    union ovsdb_atom *keys, *values;
    unsigned int n = datum->n - k, out = 0, prev = 0;

    if (!k) {
        return;
    }
    if (shared) {
        keys = n ? xmalloc(n * sizeof *keys) : NULL;
        values = n && datum->values ? xmalloc(n * sizeof *values) : NULL;
    } else {
        keys = datum->keys;
        values = datum->values;
        for (unsigned int t = 0; t < k; t++) {
            ovsdb_atom_destroy(&keys[drop[t]], kt);
            if (values) {
                ovsdb_atom_destroy(&values[drop[t]], vt);
            }
        }
    }
    for (unsigned int t = 0; t <= k; t++) {
        unsigned int end = t < k ? drop[t] : datum->n;
        unsigned int len = end - prev;

        if (!len) {
            /* Nothing to keep here; 'keys' may even be NULL (n == 0). */
        } else if (shared) {
            copy_atoms(&keys[out], &datum->keys[prev], len, kt);
            if (values) {
                copy_atoms(&values[out], &datum->values[prev], len, vt);
            }
        } else if (out != prev) {
            memmove(&keys[out], &keys[prev], len * sizeof *keys);
            if (values) {
                memmove(&values[out], &values[prev], len * sizeof *values);
            }
        }
        out += len;
        prev = end + 1;
    }
    if (shared) {
        datum_replace_arrays(datum, true, keys, values, n);
    } else {
        datum->n = n;
        if (!n) {
            datum_free_shell(datum);
        }
    }
}

void
ovsdb_datum_subtract(struct ovsdb_datum *a, const struct ovsdb_type *a_type,
                     const struct ovsdb_datum *b,
                     const struct ovsdb_type *b_type)
{
    enum ovsdb_atomic_type kt = a_type->key.type, vt = a_type->value.type;
    bool pairs = (vt != OVSDB_TYPE_VOID
                  && b_type->value.type != OVSDB_TYPE_VOID);
    unsigned int few[UNION_FEW], *drop, k = 0;

    if (!a->n || !b->n) {
        return;
    }
    drop = b->n <= UNION_FEW ? few : xmalloc(MIN(a->n, b->n) * sizeof *drop);
    if (b->n <= UNION_FEW && a->n > 64) {
        /* Deleting a port from a bridge of 10,000: binary searches. */
        for (unsigned int j = 0; j < b->n; j++) {
            unsigned int idx = ovsdb_datum_find_key(a, &b->keys[j], kt);

            if (idx != UINT_MAX
                && (!pairs || ovsdb_atom_equals(&a->values[idx],
                                                &b->values[j], vt))) {
                drop[k++] = idx;
            }
        }
    } else {
        unsigned int i = 0, j = 0;

        while (i < a->n && j < b->n) {
            int cmp = ovsdb_atom_compare_3way(&a->keys[i], &b->keys[j], kt);

            if (cmp < 0) {
                i++;
            } else if (cmp > 0) {
                j++;
            } else {
                if (!pairs || ovsdb_atom_equals(&a->values[i],
                                                &b->values[j], vt)) {
                    drop[k++] = i;
                }
                i++;
                j++;
            }
        }
    }
    /* Nothing to delete leaves 'a' alone, still shared if it was. */
    remove_indexes(a, a_type, drop, k);
    if (drop != few) {
        free(drop);
    }
}

/* Makes room for 'n' atoms in 'atoms'.  A datum does not record its
 * capacity, but the allocator does: growing by doubling keeps a datum built
 * one atom at a time linear even where realloc() always moves the block
 * (AddressSanitizer's does, which made building 100,000-element sets take
 * minutes). */
static union ovsdb_atom *
atoms_reserve(union ovsdb_atom *atoms, unsigned int n)
{
    if (!atoms || malloc_usable_size(atoms) < n * sizeof *atoms) {
        atoms = xrealloc(atoms, MAX(n, 2 * (n - 1)) * sizeof *atoms);
    }
    return atoms;
}

void
ovsdb_datum_add_unsafe(struct ovsdb_datum *datum, const union ovsdb_atom *key,
                       const union ovsdb_atom *value,
                       const struct ovsdb_type *type)
{
    unsigned int n = datum->n + 1;

    ovsdb_datum_unshare(datum, type);
    datum->keys = atoms_reserve(datum->keys, n);
    ovsdb_atom_clone(&datum->keys[n - 1], key, type->key.type);
    if (type->value.type != OVSDB_TYPE_VOID) {
        datum->values = atoms_reserve(datum->values, n);
        ovsdb_atom_clone(&datum->values[n - 1], value, type->value.type);
    }
    datum->n = n;
}

void
ovsdb_datum_remove(struct ovsdb_datum *datum, unsigned int idx,
                   const struct ovsdb_type *type)
{
    remove_indexes(datum, type, &idx, 1);
}

/* update2 diffs. */

/* True if element 'i' of 'a' equals element 'j' of 'b' (key and value). */
static bool
elems_equal(const struct ovsdb_datum *a, unsigned int i,
            const struct ovsdb_datum *b, unsigned int j,
            const struct ovsdb_type *type)
{
    return (ovsdb_atom_equals(&a->keys[i], &b->keys[j], type->key.type)
            && (type->value.type == OVSDB_TYPE_VOID
                || ovsdb_atom_equals(&a->values[i], &b->values[j],
                                     type->value.type)));
}

/* True if 'n' elements of 'a' from 'i' are bytewise those of 'b' from 'j',
 * which for UUIDs (they fill their atoms) means equal. */
static bool
uuid_elems_equal(const struct ovsdb_datum *a, unsigned int i,
                 const struct ovsdb_datum *b, unsigned int j, unsigned int n)
{
    return (!memcmp(&a->keys[i], &b->keys[j], n * sizeof *a->keys)
            && (!a->values
                || !memcmp(&a->values[i], &b->values[j],
                           n * sizeof *a->values)));
}

/* Counts the leading elements that 'a' and 'b' share into '*head', and the
 * trailing ones (not overlapping those) into '*tail', so that comparing two
 * versions of a large set costs little more than the part that changed:
 * sets of references, the large ones, are compared 64 elements at a
 * time. */
static void
common_ends(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
            const struct ovsdb_type *type, unsigned int *headp,
            unsigned int *tailp)
{
    bool uuids = (type->key.type == OVSDB_TYPE_UUID
                  && (type->value.type == OVSDB_TYPE_VOID
                      || type->value.type == OVSDB_TYPE_UUID));
    unsigned int n = MIN(a->n, b->n), head = 0, tail = 0;

    while (uuids && head + 64 <= n && uuid_elems_equal(a, head, b, head, 64)) {
        head += 64;
    }
    while (head < n && elems_equal(a, head, b, head, type)) {
        head++;
    }
    n -= head;
    while (uuids && tail + 64 <= n
           && uuid_elems_equal(a, a->n - tail - 64, b, b->n - tail - 64,
                               64)) {
        tail += 64;
    }
    while (tail < n && elems_equal(a, a->n - tail - 1, b, b->n - tail - 1,
                                   type)) {
        tail++;
    }
    *headp = head;
    *tailp = tail;
}

void
ovsdb_datum_diff(struct ovsdb_datum *diff, const struct ovsdb_datum *old,
                 const struct ovsdb_datum *new,
                 const struct ovsdb_type *type)
{
    bool is_map = ovsdb_type_is_map(type);
    unsigned int head, tail, i, j, old_end, new_end;
    struct merge m;

    /* ovsdb-server(7): a column that holds at most one value (a scalar,
     * an optional value, a map of at most one pair) has its new value as
     * its diff, ["set",[]] when it becomes empty.  A symmetric difference
     * would be ambiguous to a client: the same ["set",[4,6]] or "4" reads
     * differently against a replica that missed nothing. */
    if (!ovsdb_type_is_composite(type)) {
        ovsdb_datum_clone(diff, new, type);
        return;
    }

    /* Only the elements between the common ends can differ. */
    common_ends(old, new, type, &head, &tail);
    i = j = head;
    old_end = old->n - tail;
    new_end = new->n - tail;
    merge_init(&m, (old_end - head) + (new_end - head), type);
    while (i < old_end || j < new_end) {
        int cmp = (i >= old_end ? 1 : j >= new_end ? -1
                   : ovsdb_atom_compare_3way(&old->keys[i], &new->keys[j],
                                             type->key.type));
        if (cmp < 0) {
            merge_clone(&m, old, i++);        /* Removed. */
        } else if (cmp > 0) {
            merge_clone(&m, new, j++);        /* Added. */
        } else {
            if (is_map && !ovsdb_atom_equals(&old->values[i],
                                             &new->values[j],
                                             type->value.type)) {
                merge_clone(&m, new, j);      /* Changed value. */
            }
            i++;
            j++;
        }
    }
    if (!m.out.n) {
        datum_free_shell(&m.out);
    }
    *diff = m.out;
}

struct ovsdb_error *
ovsdb_datum_apply_diff(struct ovsdb_datum *new, const struct ovsdb_datum *old,
                       const struct ovsdb_datum *diff,
                       const struct ovsdb_type *type)
{
    bool is_map = ovsdb_type_is_map(type);
    unsigned int i = 0, j = 0;
    struct ovsdb_error *error;
    struct merge m;

    if (!ovsdb_type_is_composite(type)) {
        ovsdb_datum_clone(new, diff, type);     /* The new value itself. */
    } else {
        merge_init(&m, old->n + diff->n, type);
        while (i < old->n || j < diff->n) {
            int cmp = (i >= old->n ? 1 : j >= diff->n ? -1
                       : ovsdb_atom_compare_3way(&old->keys[i],
                                                 &diff->keys[j],
                                                 type->key.type));
            if (cmp < 0) {
                merge_clone(&m, old, i++);    /* Untouched. */
            } else if (cmp > 0) {
                merge_clone(&m, diff, j++);   /* Added. */
            } else {
                /* In both: a set element or an unchanged map pair is
                 * removed; a map key with another value takes it. */
                if (is_map && !ovsdb_atom_equals(&old->values[i],
                                                 &diff->values[j],
                                                 type->value.type)) {
                    merge_clone_pair(&m, old, diff, i, j);
                }
                i++;
                j++;
            }
        }
        if (!m.out.n) {
            datum_free_shell(&m.out);
        }
        *new = m.out;
    }

    if (new->n < type->n_min || new->n > type->n_max) {
        error = ovsdb_error("constraint violation",
                            "applying the diff leaves %u elements, but the "
                            "column allows %u to %u", new->n, type->n_min,
                            type->n_max);
        ovsdb_datum_destroy(new, type);
        return error;
    }
    return NULL;
}
