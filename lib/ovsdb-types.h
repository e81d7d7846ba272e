/* ovsdb-types.h: the OVSDB type system of RFC 7047 section 3.2.
 *
 * A column's type (struct ovsdb_type) is a key base type, an optional value
 * base type (a map when present) and a size range [n_min, n_max].  A base
 * type (struct ovsdb_base_type) is an atomic type plus its constraints:
 * an enum, integer/real bounds, string lengths, or a reference. */
#ifndef XSW_OVSDB_TYPES_H
#define XSW_OVSDB_TYPES_H 1

#include <limits.h>
#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>

struct ovsdb_error;
struct ovsdb_datum;
struct ovsdb_table_schema;

enum ovsdb_atomic_type {
    OVSDB_TYPE_VOID,     /* No value: a type's 'value' when it is not a map. */
    OVSDB_TYPE_INTEGER,
    OVSDB_TYPE_REAL,
    OVSDB_TYPE_BOOLEAN,
    OVSDB_TYPE_STRING,
    OVSDB_TYPE_UUID,
    OVSDB_N_TYPES
};

/* "integer", "real", ... ; NULL-safe reverse lookup. */
const char *ovsdb_atomic_type_to_string(enum ovsdb_atomic_type);
bool ovsdb_atomic_type_from_string(const char *, enum ovsdb_atomic_type *);

enum ovsdb_ref_type {
    OVSDB_REF_STRONG,
    OVSDB_REF_WEAK
};

struct ovsdb_base_type {
    enum ovsdb_atomic_type type;

    /* If nonnull, the atom must be one of these keys (an ovsdb_datum of
     * 'type' atoms, sorted). Owned by the base type. */
    struct ovsdb_datum *enum_;

    union {
        struct { int64_t min, max; } integer;   /* INT64_MIN/MAX: none. */
        struct { double min, max; } real;       /* -DBL_MAX/DBL_MAX: none. */
        struct { unsigned int min_len, max_len; } string;  /* UTF-8 chars;
                                                 * max UINT_MAX: none. */
        struct {
            char *ref_table_name;               /* NULL: not a reference. */
            struct ovsdb_table_schema *ref_table;  /* Resolved by schema. */
            enum ovsdb_ref_type ref_type;
        } uuid;
    } u;
};

#define OVSDB_BASE_VOID_INIT    { .type = OVSDB_TYPE_VOID }

void ovsdb_base_type_init(struct ovsdb_base_type *, enum ovsdb_atomic_type);
void ovsdb_base_type_destroy(struct ovsdb_base_type *);
bool ovsdb_base_type_is_ref(const struct ovsdb_base_type *);
bool ovsdb_base_type_is_strong_ref(const struct ovsdb_base_type *);
bool ovsdb_base_type_is_weak_ref(const struct ovsdb_base_type *);

#define OVSDB_UNLIMITED UINT_MAX

struct ovsdb_type {
    struct ovsdb_base_type key;
    struct ovsdb_base_type value;   /* OVSDB_TYPE_VOID if not a map. */
    unsigned int n_min;             /* 0 or 1. */
    unsigned int n_max;             /* >= 1, or OVSDB_UNLIMITED. */
};

void ovsdb_type_clone(struct ovsdb_type *dst, const struct ovsdb_type *src);
void ovsdb_type_destroy(struct ovsdb_type *);
bool ovsdb_type_is_valid(const struct ovsdb_type *);

static inline bool ovsdb_type_is_scalar(const struct ovsdb_type *t)
{ return t->value.type == OVSDB_TYPE_VOID && t->n_min == 1 && t->n_max == 1; }
static inline bool ovsdb_type_is_optional(const struct ovsdb_type *t)
{ return t->n_min == 0; }
static inline bool ovsdb_type_is_optional_scalar(const struct ovsdb_type *t)
{ return t->value.type == OVSDB_TYPE_VOID && t->n_min == 0 && t->n_max == 1; }
static inline bool ovsdb_type_is_map(const struct ovsdb_type *t)
{ return t->value.type != OVSDB_TYPE_VOID; }
static inline bool ovsdb_type_is_set(const struct ovsdb_type *t)
{ return t->value.type == OVSDB_TYPE_VOID
         && (t->n_min != 1 || t->n_max != 1); }
static inline bool ovsdb_type_is_composite(const struct ovsdb_type *t)
{ return t->n_max > 1; }

/* Parses a column "type" (a string or an object with key/value/min/max). */
struct ovsdb_error *ovsdb_type_from_json(struct ovsdb_type *, const json_t *)
    __attribute__((warn_unused_result));
json_t *ovsdb_type_to_json(const struct ovsdb_type *);

#endif /* ovsdb-types.h */
