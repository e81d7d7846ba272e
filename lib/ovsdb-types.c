/* ovsdb-types.c: see ovsdb-types.h.
 *
 * Parsing follows Open vSwitch's ovsdb-types.c closely in what it accepts
 * and in the wording of its errors, because schema authors and tests compare
 * our diagnostics against ovsdb-tool's.  Printing produces the compact form
 * ovsdb-server's "get_schema" returns: a bare type name when a base type has
 * no constraints, and no member whose value is the default. */
#include <config.h>
#include "ovsdb-types.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "util.h"

static const char *const atomic_type_names[OVSDB_N_TYPES] = {
    [OVSDB_TYPE_VOID] = "void",
    [OVSDB_TYPE_INTEGER] = "integer",
    [OVSDB_TYPE_REAL] = "real",
    [OVSDB_TYPE_BOOLEAN] = "boolean",
    [OVSDB_TYPE_STRING] = "string",
    [OVSDB_TYPE_UUID] = "uuid",
};

const char *
ovsdb_atomic_type_to_string(enum ovsdb_atomic_type type)
{
    return (unsigned int) type < OVSDB_N_TYPES ? atomic_type_names[type]
                                               : "<invalid>";
}

/* "void" is deliberately not accepted: it is how a type says "no value", not
 * something a schema may name. */
bool
ovsdb_atomic_type_from_string(const char *s, enum ovsdb_atomic_type *type)
{
    if (s) {
        for (int i = OVSDB_TYPE_VOID + 1; i < OVSDB_N_TYPES; i++) {
            if (!strcmp(s, atomic_type_names[i])) {
                *type = i;
                return true;
            }
        }
    }
    return false;
}

/* The type of an enum's datum: a set of plain 'atomic_type' atoms. */
static struct ovsdb_type
enum_type(enum ovsdb_atomic_type atomic_type)
{
    struct ovsdb_type type = {
        .value = OVSDB_BASE_VOID_INIT,
        .n_min = 1,
        .n_max = OVSDB_UNLIMITED,
    };

    /* Unconstrained, so that any atom of the type is a valid member. */
    ovsdb_base_type_init(&type.key, atomic_type);
    return type;
}

void
ovsdb_base_type_init(struct ovsdb_base_type *base,
                     enum ovsdb_atomic_type type)
{
    memset(base, 0, sizeof *base);
    base->type = type;
    base->enum_ = NULL;

    switch (type) {
    case OVSDB_TYPE_INTEGER:
        base->u.integer.min = INT64_MIN;
        base->u.integer.max = INT64_MAX;
        break;
    case OVSDB_TYPE_REAL:
        base->u.real.min = -DBL_MAX;
        base->u.real.max = DBL_MAX;
        break;
    case OVSDB_TYPE_STRING:
        base->u.string.min_len = 0;
        base->u.string.max_len = UINT_MAX;
        break;
    case OVSDB_TYPE_UUID:
        base->u.uuid.ref_table_name = NULL;
        base->u.uuid.ref_table = NULL;
        base->u.uuid.ref_type = OVSDB_REF_STRONG;
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
}

static void
ovsdb_base_type_clone(struct ovsdb_base_type *dst,
                      const struct ovsdb_base_type *src)
{
    *dst = *src;
    if (src->enum_) {
        struct ovsdb_type type = enum_type(src->type);
        dst->enum_ = xmalloc(sizeof *dst->enum_);
        ovsdb_datum_clone(dst->enum_, src->enum_, &type);
    }
    if (src->type == OVSDB_TYPE_UUID && src->u.uuid.ref_table_name) {
        dst->u.uuid.ref_table_name = xstrdup(src->u.uuid.ref_table_name);
    }
}

void
ovsdb_base_type_destroy(struct ovsdb_base_type *base)
{
    if (!base) {
        return;
    }
    if (base->enum_) {
        struct ovsdb_type type = enum_type(base->type);
        ovsdb_datum_destroy(base->enum_, &type);
        free(base->enum_);
        base->enum_ = NULL;
    }
    if (base->type == OVSDB_TYPE_UUID) {
        free(base->u.uuid.ref_table_name);
        base->u.uuid.ref_table_name = NULL;
    }
}

static bool
ovsdb_base_type_has_constraints(const struct ovsdb_base_type *base)
{
    if (base->enum_) {
        return true;
    }
    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        return (base->u.integer.min != INT64_MIN
                || base->u.integer.max != INT64_MAX);
    case OVSDB_TYPE_REAL:
        return base->u.real.min != -DBL_MAX || base->u.real.max != DBL_MAX;
    case OVSDB_TYPE_STRING:
        return (base->u.string.min_len != 0
                || base->u.string.max_len != UINT_MAX);
    case OVSDB_TYPE_UUID:
        return base->u.uuid.ref_table_name != NULL;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

bool
ovsdb_base_type_is_ref(const struct ovsdb_base_type *base)
{
    return base->type == OVSDB_TYPE_UUID && base->u.uuid.ref_table_name;
}

bool
ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *base)
{
    return (ovsdb_base_type_is_ref(base)
            && base->u.uuid.ref_type == OVSDB_REF_STRONG);
}

bool
ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *base)
{
    return (ovsdb_base_type_is_ref(base)
            && base->u.uuid.ref_type == OVSDB_REF_WEAK);
}

/* JSON object members, checked the way OVS's ovsdb_parser checks them so
 * that our messages read the same: a member of the wrong JSON type is a
 * "Type mismatch", and a member nobody asked for is "present but not allowed
 * here". */

enum member_kind {
    M_STRING = 1 << 0,
    M_INTEGER = 1 << 1,
    M_REAL = 1 << 2,
    M_ANY = 1 << 3,
    M_NUMBER = M_INTEGER | M_REAL,
};

static bool
json_is_kind(const json_t *json, int kinds)
{
    return ((kinds & M_ANY)
            || ((kinds & M_STRING) && json_is_string(json))
            || ((kinds & M_INTEGER) && json_is_integer(json))
            || ((kinds & M_REAL) && json_is_real(json)));
}

/* Returns 'name''s value in 'object', or NULL if absent.  Sets '*error' if it
 * is present with a JSON type outside 'kinds' or absent though 'required'.
 * Does nothing once '*error' is set, so that calls can be chained. */
static const json_t *
member_get(const json_t *object, const char *name, int kinds, bool required,
           struct ovsdb_error **error)
{
    const json_t *value;

    if (*error) {
        return NULL;
    }
    value = json_object_get(object, name);
    if (!value) {
        if (required) {
            *error = ovsdb_syntax_error(object, NULL,
                                        "Parsing ovsdb type failed: Required "
                                        "'%s' member is missing.", name);
        }
        return NULL;
    }
    if (!json_is_kind(value, kinds)) {
        *error = ovsdb_syntax_error(object, NULL,
                                    "Parsing ovsdb type failed: Type mismatch "
                                    "for member '%s'.", name);
        return NULL;
    }
    return value;
}

/* Fails if 'object' has a member not in the null-terminated 'allowed'. */
static struct ovsdb_error *
members_check_unknown(const json_t *object, const char *const *allowed)
{
    const char *key;
    json_t *value;

    json_object_foreach ((json_t *) object, key, value) {
        const char *const *p;

        for (p = allowed; *p && strcmp(*p, key); p++) {
            continue;
        }
        if (!*p) {
            return ovsdb_syntax_error(object, NULL,
                                      "Parsing ovsdb type failed: Member "
                                      "'%s' is present but not allowed here.",
                                      key);
        }
    }
    return NULL;
}

static double
json_number(const json_t *json)
{
    return json_is_integer(json) ? (double) json_integer_value(json)
                                 : json_real_value(json);
}

static struct ovsdb_error *
parse_string_length(const json_t *json, const char *name, unsigned int *len)
{
    json_int_t n = json_integer_value(json);

    if (n < 0 || n > UINT_MAX) {
        return ovsdb_syntax_error(json, NULL,
                                  "%s out of valid range 0 to %u",
                                  name, UINT_MAX);
    }
    *len = n;
    return NULL;
}

/* Gets the optional bound members 'min_name' and 'max_name' of 'json' (for
 * example "minInteger" and "maxInteger"), which must be of JSON kinds
 * 'kinds', into '*min' and '*max' (NULL where absent). */
static struct ovsdb_error *
bounds_get(const json_t *json, const char *min_name, const char *max_name,
           int kinds, const json_t **min, const json_t **max)
{
    struct ovsdb_error *error = NULL;

    *min = member_get(json, min_name, kinds, false, &error);
    *max = member_get(json, max_name, kinds, false, &error);
    return error;
}

/* The error for a lower bound above the upper one, as ovsdb-server words
 * it. */
static struct ovsdb_error *
bounds_inverted(const json_t *json, const char *min_name,
                const char *max_name)
{
    return ovsdb_syntax_error(json, NULL, "%s exceeds %s",
                              min_name, max_name);
}

static struct ovsdb_error *
parse_constraints(struct ovsdb_base_type *base, const json_t *json)
{
    struct ovsdb_error *error = NULL;
    const json_t *min, *max, *ref_table, *ref_type;

    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        error = bounds_get(json, "minInteger", "maxInteger", M_INTEGER,
                           &min, &max);
        if (error) {
            return error;
        }
        if (min) {
            base->u.integer.min = json_integer_value(min);
        }
        if (max) {
            base->u.integer.max = json_integer_value(max);
        }
        if (base->u.integer.min > base->u.integer.max) {
            return bounds_inverted(json, "minInteger", "maxInteger");
        }
        return NULL;

    case OVSDB_TYPE_REAL:
        error = bounds_get(json, "minReal", "maxReal", M_NUMBER, &min, &max);
        if (error) {
            return error;
        }
        if (min) {
            base->u.real.min = json_number(min);
        }
        if (max) {
            base->u.real.max = json_number(max);
        }
        if (base->u.real.min > base->u.real.max) {
            return bounds_inverted(json, "minReal", "maxReal");
        }
        return NULL;

    case OVSDB_TYPE_STRING:
        error = bounds_get(json, "minLength", "maxLength", M_INTEGER,
                           &min, &max);
        if (!error && min) {
            error = parse_string_length(min, "minLength",
                                        &base->u.string.min_len);
        }
        if (!error && max) {
            error = parse_string_length(max, "maxLength",
                                        &base->u.string.max_len);
        }
        if (!error && base->u.string.min_len > base->u.string.max_len) {
            error = bounds_inverted(json, "minLength", "maxLength");
        }
        return error;

    case OVSDB_TYPE_UUID:
        ref_table = member_get(json, "refTable", M_STRING, false, &error);
        if (error || !ref_table) {
            /* Without refTable, a refType is "not allowed here", which
             * members_check_unknown() reports. */
            return error;
        }
        base->u.uuid.ref_table_name = xstrdup(json_string_value(ref_table));
        base->u.uuid.ref_type = OVSDB_REF_STRONG;
        ref_type = member_get(json, "refType", M_STRING, false, &error);
        if (error) {
            return error;
        }
        if (ref_type) {
            const char *s = json_string_value(ref_type);
            if (!strcmp(s, "strong")) {
                base->u.uuid.ref_type = OVSDB_REF_STRONG;
            } else if (!strcmp(s, "weak")) {
                base->u.uuid.ref_type = OVSDB_REF_WEAK;
            } else {
                return ovsdb_syntax_error(json, NULL,
                                          "refType must be \"strong\" or "
                                          "\"weak\" (not \"%s\")", s);
            }
        }
        return NULL;

    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        return NULL;
    }
}

static struct ovsdb_error *
parse_base_type(struct ovsdb_base_type *base, const json_t *json)
{
    static const char *const common[] = { "type", "enum", NULL };
    static const char *const integer[] = {
        "type", "enum", "minInteger", "maxInteger", NULL
    };
    static const char *const real[] = {
        "type", "enum", "minReal", "maxReal", NULL
    };
    static const char *const string[] = {
        "type", "enum", "minLength", "maxLength", NULL
    };
    static const char *const uuid[] = { "type", "enum", "refTable", NULL };
    static const char *const ref[] = {
        "type", "enum", "refTable", "refType", NULL
    };
    struct ovsdb_error *error = NULL;
    const json_t *type_json, *enum_json;
    enum ovsdb_atomic_type type;
    const char *const *allowed;

    if (json_is_string(json)) {
        if (!ovsdb_atomic_type_from_string(json_string_value(json), &type)) {
            return ovsdb_syntax_error(json, NULL,
                                      "\"%s\" is not an atomic-type",
                                      json_string_value(json));
        }
        ovsdb_base_type_init(base, type);
        return NULL;
    }
    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL,
                                  "base type specification must be an "
                                  "atomic-type string or an object");
    }

    type_json = member_get(json, "type", M_STRING, true, &error);
    if (error) {
        return error;
    }
    if (!ovsdb_atomic_type_from_string(json_string_value(type_json),
                                       &type)) {
        return ovsdb_syntax_error(type_json, NULL,
                                  "\"%s\" is not an atomic-type",
                                  json_string_value(type_json));
    }
    ovsdb_base_type_init(base, type);

    enum_json = member_get(json, "enum", M_ANY, false, &error);
    if (!error && enum_json) {
        struct ovsdb_type etype = enum_type(type);
        base->enum_ = xmalloc(sizeof *base->enum_);
        error = ovsdb_datum_from_json(base->enum_, &etype, enum_json, NULL);
        if (error) {
            free(base->enum_);
            base->enum_ = NULL;
        }
    }
    if (!error) {
        error = parse_constraints(base, json);
    }
    if (!error) {
        allowed = (type == OVSDB_TYPE_INTEGER ? integer
                   : type == OVSDB_TYPE_REAL ? real
                   : type == OVSDB_TYPE_STRING ? string
                   : type == OVSDB_TYPE_UUID
                     ? (base->u.uuid.ref_table_name ? ref : uuid)
                   : common);
        error = members_check_unknown(json, allowed);
    }
    if (error) {
        ovsdb_base_type_destroy(base);
    }
    return error;
}

static struct ovsdb_error *
ovsdb_base_type_from_json(struct ovsdb_base_type *base, const json_t *json)
{
    struct ovsdb_error *error = parse_base_type(base, json);
    if (error) {
        ovsdb_base_type_init(base, OVSDB_TYPE_VOID);
    }
    return error;
}

/* A real bound or enum member, printed as ovsdb-server prints it. */
static json_t *
real_to_json(double d)
{
    union ovsdb_atom atom = { .real = d };
    return ovsdb_atom_to_json(&atom, OVSDB_TYPE_REAL);
}

static json_t *
ovsdb_base_type_to_json(const struct ovsdb_base_type *base)
{
    json_t *json;

    if (!ovsdb_base_type_has_constraints(base)) {
        return json_string(ovsdb_atomic_type_to_string(base->type));
    }

    json = json_object();
    json_object_set_new(json, "type",
                        json_string(ovsdb_atomic_type_to_string(base->type)));
    if (base->enum_) {
        struct ovsdb_type type = enum_type(base->type);
        json_object_set_new(json, "enum",
                            ovsdb_datum_to_json(base->enum_, &type));
    }

    switch (base->type) {
    case OVSDB_TYPE_INTEGER:
        if (base->u.integer.min != INT64_MIN) {
            json_object_set_new(json, "minInteger",
                                json_integer(base->u.integer.min));
        }
        if (base->u.integer.max != INT64_MAX) {
            json_object_set_new(json, "maxInteger",
                                json_integer(base->u.integer.max));
        }
        break;
    case OVSDB_TYPE_REAL:
        if (base->u.real.min != -DBL_MAX) {
            json_object_set_new(json, "minReal",
                                real_to_json(base->u.real.min));
        }
        if (base->u.real.max != DBL_MAX) {
            json_object_set_new(json, "maxReal",
                                real_to_json(base->u.real.max));
        }
        break;
    case OVSDB_TYPE_STRING:
        if (base->u.string.min_len != 0) {
            json_object_set_new(json, "minLength",
                                json_integer(base->u.string.min_len));
        }
        if (base->u.string.max_len != UINT_MAX) {
            json_object_set_new(json, "maxLength",
                                json_integer(base->u.string.max_len));
        }
        break;
    case OVSDB_TYPE_UUID:
        if (base->u.uuid.ref_table_name) {
            json_object_set_new(json, "refTable",
                                json_string(base->u.uuid.ref_table_name));
            if (base->u.uuid.ref_type == OVSDB_REF_WEAK) {
                json_object_set_new(json, "refType", json_string("weak"));
            }
        }
        break;
    case OVSDB_TYPE_VOID:
    case OVSDB_TYPE_BOOLEAN:
    case OVSDB_N_TYPES:
    default:
        break;
    }
    return json;
}

void
ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src)
{
    ovsdb_base_type_clone(&dst->key, &src->key);
    ovsdb_base_type_clone(&dst->value, &src->value);
    dst->n_min = src->n_min;
    dst->n_max = src->n_max;
}

void
ovsdb_type_destroy(struct ovsdb_type *type)
{
    ovsdb_base_type_destroy(&type->key);
    ovsdb_base_type_destroy(&type->value);
}

static bool
base_type_is_valid(const struct ovsdb_base_type *base)
{
    switch (base->type) {
    case OVSDB_TYPE_VOID:
        return true;
    case OVSDB_TYPE_INTEGER:
        return base->u.integer.min <= base->u.integer.max;
    case OVSDB_TYPE_REAL:
        return base->u.real.min <= base->u.real.max;
    case OVSDB_TYPE_BOOLEAN:
        return true;
    case OVSDB_TYPE_STRING:
        return base->u.string.min_len <= base->u.string.max_len;
    case OVSDB_TYPE_UUID:
        return true;
    case OVSDB_N_TYPES:
    default:
        return false;
    }
}

bool
ovsdb_type_is_valid(const struct ovsdb_type *type)
{
    return (type->key.type != OVSDB_TYPE_VOID
            && base_type_is_valid(&type->key)
            && base_type_is_valid(&type->value)
            && type->n_min <= 1
            && type->n_max >= 1
            && type->n_min <= type->n_max);
}

/* Parses "min" or "max": a nonnegative integer, or for "max" also
 * "unlimited". */
static struct ovsdb_error *
parse_n(const json_t *json, bool allow_unlimited, unsigned int *n)
{
    if (json_is_integer(json)) {
        json_int_t value = json_integer_value(json);
        if (value >= 0 && value <= UINT_MAX) {
            *n = value;
            return NULL;
        }
    } else if (allow_unlimited && json_is_string(json)
               && !strcmp(json_string_value(json), "unlimited")) {
        *n = OVSDB_UNLIMITED;
        return NULL;
    }
    return ovsdb_syntax_error(json, NULL, "bad min or max value");
}

struct ovsdb_error *
ovsdb_type_from_json(struct ovsdb_type *type, const json_t *json)
{
    static const char *const allowed[] = {
        "key", "value", "min", "max", NULL
    };
    struct ovsdb_error *error = NULL;
    const json_t *key, *value, *min, *max;

    ovsdb_base_type_init(&type->key, OVSDB_TYPE_VOID);
    ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
    type->n_min = 1;
    type->n_max = 1;

    if (json_is_string(json)) {
        return ovsdb_base_type_from_json(&type->key, json);
    }
    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "ovsdb type expected");
    }

    key = member_get(json, "key", M_ANY, true, &error);
    value = member_get(json, "value", M_ANY, false, &error);
    min = member_get(json, "min", M_INTEGER, false, &error);
    max = member_get(json, "max", M_INTEGER | M_STRING, false, &error);
    if (!error) {
        error = members_check_unknown(json, allowed);
    }
    if (!error) {
        error = ovsdb_base_type_from_json(&type->key, key);
    }
    if (!error && value) {
        error = ovsdb_base_type_from_json(&type->value, value);
    }
    if (!error && min) {
        error = parse_n(min, false, &type->n_min);
    }
    if (!error && max) {
        error = parse_n(max, true, &type->n_max);
    }
    if (!error && !ovsdb_type_is_valid(type)) {
        error = ovsdb_syntax_error(json, NULL,
                                   "ovsdb type fails constraint checks");
    }
    if (error) {
        ovsdb_type_destroy(type);
        ovsdb_base_type_init(&type->key, OVSDB_TYPE_VOID);
        ovsdb_base_type_init(&type->value, OVSDB_TYPE_VOID);
        type->n_min = type->n_max = 1;
    }
    return error;
}

json_t *
ovsdb_type_to_json(const struct ovsdb_type *type)
{
    json_t *json;

    if (ovsdb_type_is_scalar(type)
        && !ovsdb_base_type_has_constraints(&type->key)) {
        return ovsdb_base_type_to_json(&type->key);
    }

    json = json_object();
    json_object_set_new(json, "key", ovsdb_base_type_to_json(&type->key));
    if (type->value.type != OVSDB_TYPE_VOID) {
        json_object_set_new(json, "value",
                            ovsdb_base_type_to_json(&type->value));
    }
    if (type->n_min != 1) {
        json_object_set_new(json, "min", json_integer(type->n_min));
    }
    if (type->n_max == OVSDB_UNLIMITED) {
        json_object_set_new(json, "max", json_string("unlimited"));
    } else if (type->n_max != 1) {
        json_object_set_new(json, "max", json_integer(type->n_max));
    }
    return json;
}
