/* ovsdb-mutation.c: see ovsdb-mutation.h.
 *
 * As with conditions, parsing and error reporting copy Open vSwitch 3.1:
 *
 *   - Arithmetic takes one integer or real atom, free of the column's
 *     constraints (adding 1000 to a column limited to 0..100 is a fine
 *     request as long as the result fits), and applies it to every element.
 *   - "insert" takes a value of the column's type with no minimum size, and
 *     "delete" one with no size limit at all; for a map, "delete" takes
 *     either a map (pairs to remove) or a set of keys.
 *   - The result must satisfy the column's constraints and size bounds. */
#include <config.h>
#include "ovsdb-mutation.h"

#include <float.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "util.h"

static const char *const mutator_names[] = {
    [OVSDB_M_ADD] = "+=",
    [OVSDB_M_SUB] = "-=",
    [OVSDB_M_MUL] = "*=",
    [OVSDB_M_DIV] = "/=",
    [OVSDB_M_MOD] = "%=",
    [OVSDB_M_INSERT] = "insert",
    [OVSDB_M_DELETE] = "delete",
};

const char *
ovsdb_mutator_to_string(enum ovsdb_mutator mutator)
{
    return (unsigned int) mutator < ARRAY_SIZE(mutator_names)
           ? mutator_names[mutator] : NULL;
}

static bool
mutator_from_string(const char *name, enum ovsdb_mutator *mutator)
{
    for (size_t i = 0; i < ARRAY_SIZE(mutator_names); i++) {
        if (!strcmp(name, mutator_names[i])) {
            *mutator = i;
            return true;
        }
    }
    return false;
}

static bool
is_arithmetic(enum ovsdb_mutator mutator)
{
    return mutator <= OVSDB_M_MOD;
}

static struct ovsdb_error *
type_mismatch(const struct ovsdb_mutation *m, const json_t *json)
{
    char *type = ovsdb_column_describe_type(m->column);
    struct ovsdb_error *error = ovsdb_syntax_error(
        json, NULL, "Type mismatch: \"%s\" operator may not be "
        "applied to column %s of type %s.",
        ovsdb_mutator_to_string(m->mutator), m->column->name, type);

    free(type);
    return error;
}

/* Copies the reference targets that ovsdb_type_clone() may not carry over,
 * so that parsing the argument sees the same reference as the column. */
static void
copy_ref_tables(struct ovsdb_type *dst, const struct ovsdb_type *src)
{
    if (src->key.type == OVSDB_TYPE_UUID) {
        dst->key.u.uuid.ref_table = src->key.u.uuid.ref_table;
    }
    if (src->value.type == OVSDB_TYPE_UUID) {
        dst->value.u.uuid.ref_table = src->value.u.uuid.ref_table;
    }
}

/* On success 'm->type' and 'm->arg' are owned by 'm'; on failure 'm' owns
 * nothing. */
static struct ovsdb_error *
mutation_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                   struct ovsdb_symbol_table *symtab,
                   struct ovsdb_mutation *m)
{
    const struct ovsdb_type *column_type;
    const char *column_name, *mutator_name;
    const json_t *value;
    struct ovsdb_error *error;

    if (!json_is_array(json) || json_array_size(json) != 3
        || !json_is_string(json_array_get(json, 0))
        || !json_is_string(json_array_get(json, 1))) {
        return ovsdb_syntax_error(json, NULL, "Parse error in mutation.");
    }
    column_name = json_string_value(json_array_get(json, 0));
    mutator_name = json_string_value(json_array_get(json, 1));
    value = json_array_get(json, 2);

    m->column = ovsdb_table_schema_get_column(ts, column_name);
    if (!m->column) {
        return ovsdb_syntax_error(json, "unknown column",
                                  "No column %s in table %s.",
                                  column_name, ts->name);
    }
    /* _uuid and _version are immutable columns too. */
    if (!m->column->mutable) {
        return ovsdb_syntax_error(json, "constraint violation",
                                  "Cannot mutate immutable column %s in "
                                  "table %s.", column_name, ts->name);
    }
    if (!mutator_from_string(mutator_name, &m->mutator)) {
        return ovsdb_syntax_error(NULL, "unknown mutator",
                                  "No mutator named %s.", mutator_name);
    }

    column_type = &m->column->type;
    if (is_arithmetic(m->mutator)) {
        if ((!ovsdb_type_is_scalar(column_type)
             && !ovsdb_type_is_set(column_type))
            || (column_type->key.type != OVSDB_TYPE_INTEGER
                && column_type->key.type != OVSDB_TYPE_REAL)
            || (m->mutator == OVSDB_M_MOD
                && column_type->key.type == OVSDB_TYPE_REAL)) {
            return type_mismatch(m, json);
        }
        ovsdb_base_type_init(&m->type.key, column_type->key.type);
        ovsdb_base_type_init(&m->type.value, OVSDB_TYPE_VOID);
        m->type.n_min = m->type.n_max = 1;
        error = ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
    } else {
        if (!ovsdb_type_is_set(column_type)
            && !ovsdb_type_is_map(column_type)) {
            return type_mismatch(m, json);
        }
        ovsdb_type_clone(&m->type, column_type);
        copy_ref_tables(&m->type, column_type);
        m->type.n_min = 0;
        if (m->mutator == OVSDB_M_DELETE) {
            m->type.n_max = OVSDB_UNLIMITED;
        }
        error = ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
        if (error && m->mutator == OVSDB_M_DELETE
            && ovsdb_type_is_map(&m->type)) {
            /* Not a map: try a set of keys, and if that fails too, report
             * that error, as Open vSwitch does. */
            ovsdb_error_destroy(error);
            ovsdb_base_type_destroy(&m->type.value);
            ovsdb_base_type_init(&m->type.value, OVSDB_TYPE_VOID);
            error = ovsdb_datum_from_json(&m->arg, &m->type, value, symtab);
        }
    }

    if (error) {
        ovsdb_type_destroy(&m->type);
    }
    return error;
}

static void
mutation_destroy(struct ovsdb_mutation *m)
{
    ovsdb_datum_destroy(&m->arg, &m->type);
    ovsdb_type_destroy(&m->type);
}

struct ovsdb_error *
ovsdb_mutation_set_from_json(const struct ovsdb_table_schema *ts,
                             const json_t *json,
                             struct ovsdb_symbol_table *symtab,
                             struct ovsdb_mutation_set *set)
{
    size_t n;

    set->mutations = NULL;
    set->n_mutations = 0;
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL,
                                  "Mutations must be an array.");
    }

    n = json_array_size(json);
    set->mutations = xcalloc(n, sizeof *set->mutations);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error;

        error = mutation_from_json(ts, json_array_get(json, i), symtab,
                                   &set->mutations[i]);
        if (error) {
            ovsdb_mutation_set_destroy(set);
            return error;
        }
        set->n_mutations++;
    }
    return NULL;
}

json_t *
ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *set)
{
    json_t *json = json_array();

    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];

        json_array_append_new(json, json_pack(
            "[s, s, o]", m->column->name, ovsdb_mutator_to_string(m->mutator),
            ovsdb_datum_to_json(&m->arg, &m->type)));
    }
    return json;
}

void
ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        mutation_destroy(&set->mutations[i]);
    }
    free(set->mutations);
    set->mutations = NULL;
    set->n_mutations = 0;
}

/* Arithmetic.  Each operation returns NULL or the error for its result. */

static struct ovsdb_error *
range_error(enum ovsdb_mutator mutator)
{
    return ovsdb_error("range error",
                       "Result of \"%s\" operation is out of range.",
                       ovsdb_mutator_to_string(mutator));
}

static struct ovsdb_error *
domain_error(void)
{
    return ovsdb_error("domain error", "Division by zero.");
}

static struct ovsdb_error *
mutate_integer(int64_t *x, int64_t y, enum ovsdb_mutator mutator)
{
    int64_t result;

    switch (mutator) {
    case OVSDB_M_ADD:
        if (__builtin_add_overflow(*x, y, &result)) {
            return range_error(mutator);
        }
        break;
    case OVSDB_M_SUB:
        if (__builtin_sub_overflow(*x, y, &result)) {
            return range_error(mutator);
        }
        break;
    case OVSDB_M_MUL:
        if (__builtin_mul_overflow(*x, y, &result)) {
            return range_error(mutator);
        }
        break;
    case OVSDB_M_DIV:
    case OVSDB_M_MOD:
        if (!y) {
            return domain_error();
        } else if (*x == INT64_MIN && y == -1) {
            /* The quotient, -INT64_MIN, does not fit; C leaves even the
             * remainder undefined. */
            return range_error(mutator);
        }
        result = mutator == OVSDB_M_DIV ? *x / y : *x % y;
        break;
    default:
        abort();
    }
    *x = result;
    return NULL;
}

static struct ovsdb_error *
mutate_real(double *x, double y, enum ovsdb_mutator mutator)
{
    double result;

    switch (mutator) {
    case OVSDB_M_ADD:
        result = *x + y;
        break;
    case OVSDB_M_SUB:
        result = *x - y;
        break;
    case OVSDB_M_MUL:
        result = *x * y;
        break;
    case OVSDB_M_DIV:
        if (y == 0) {
            return domain_error();
        }
        result = *x / y;
        break;
    default:
        abort();
    }
    /* JSON has no infinities or NaNs, so such a result cannot be stored. */
    if (!(result >= -DBL_MAX && result <= DBL_MAX)) {
        return range_error(mutator);
    }
    *x = result;
    return NULL;
}

static struct ovsdb_error *
mutate_arithmetic(struct ovsdb_datum *dst, const struct ovsdb_type *dst_type,
                  const union ovsdb_atom *arg, enum ovsdb_mutator mutator)
{
    const struct ovsdb_base_type *base = &dst_type->key;
    struct ovsdb_error *error;

    for (unsigned int i = 0; i < dst->n; i++) {
        error = (base->type == OVSDB_TYPE_INTEGER
                 ? mutate_integer(&dst->keys[i].integer, arg->integer,
                                  mutator)
                 : mutate_real(&dst->keys[i].real, arg->real, mutator));
        if (error) {
            return error;
        }
    }
    for (unsigned int i = 0; i < dst->n; i++) {
        error = ovsdb_atom_check_constraints(&dst->keys[i], base);
        if (error) {
            return error;
        }
    }

    /* Multiplying by a negative number reverses the order, "%=" scrambles
     * it, and either may make two elements equal. */
    error = ovsdb_datum_sort(dst, dst_type);
    if (error) {
        ovsdb_error_destroy(error);
        return ovsdb_error("constraint violation",
                           "Result of \"%s\" operation contains duplicates.",
                           ovsdb_mutator_to_string(mutator));
    }
    return NULL;
}

static struct ovsdb_error *
check_count(const struct ovsdb_datum *dst, const struct ovsdb_column *column)
{
    if (dst->n < column->type.n_min || dst->n > column->type.n_max) {
        char *type = ovsdb_column_describe_type(column);
        struct ovsdb_error *error = ovsdb_error(
            "constraint violation", "Attempted to store %u elements in %s.",
            dst->n, type);
        free(type);
        return error;
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_mutation_set_execute(struct ovsdb_datum *fields,
                           const struct ovsdb_mutation_set *set)
{
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];
        const struct ovsdb_type *dst_type = &m->column->type;
        struct ovsdb_datum *dst = &fields[m->column->index];
        struct ovsdb_error *error;

        switch (m->mutator) {
        case OVSDB_M_INSERT:
            ovsdb_datum_union(dst, &m->arg, dst_type);
            error = check_count(dst, m->column);
            break;
        case OVSDB_M_DELETE:
            ovsdb_datum_subtract(dst, dst_type, &m->arg, &m->type);
            error = check_count(dst, m->column);
            break;
        default:
            error = mutate_arithmetic(dst, dst_type, &m->arg.keys[0],
                                      m->mutator);
            break;
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}
