/* ovsdb-condition.c: see ovsdb-condition.h.
 *
 * Parsing follows Open vSwitch 3.1 to the letter, because what a "where"
 * accepts and how it fails is visible to clients:
 *
 *   - "<", "<=", ">", ">=" apply only to integer and real columns that are
 *     scalars or optional scalars, and their argument is one atom.
 *   - "==" and "!=" take a value of the column's own type.
 *   - "includes" relaxes the argument's minimum size to 0 and "excludes"
 *     also its maximum, for non-scalar columns (it is meaningful to ask
 *     whether a set of at most 3 elements excludes 5 values).
 *
 * Evaluation treats every non-scalar column as a set (or map) and applies
 * RFC 7047's set semantics, which is also what Open vSwitch does for
 * optional scalars: an empty optional integer is "== []" and "excludes" any
 * value, and is neither "<" nor ">=" anything. */
#include <config.h>
#include "ovsdb-condition.h"

#include <stdlib.h>
#include <string.h>

#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "util.h"

static const char *const function_names[] = {
    [OVSDB_F_FALSE] = "false",
    [OVSDB_F_TRUE] = "true",
    [OVSDB_F_EQ] = "==",
    [OVSDB_F_NE] = "!=",
    [OVSDB_F_LT] = "<",
    [OVSDB_F_LE] = "<=",
    [OVSDB_F_GT] = ">",
    [OVSDB_F_GE] = ">=",
    [OVSDB_F_INCLUDES] = "includes",
    [OVSDB_F_EXCLUDES] = "excludes",
};

const char *
ovsdb_function_to_string(enum ovsdb_function function)
{
    return (unsigned int) function < ARRAY_SIZE(function_names)
           ? function_names[function] : NULL;
}

/* Only the functions a clause may name: the literals are JSON true/false,
 * never strings. */
static bool
function_from_string(const char *name, enum ovsdb_function *function)
{
    for (int f = OVSDB_F_EQ; f <= OVSDB_F_EXCLUDES; f++) {
        if (!strcmp(name, function_names[f])) {
            *function = f;
            return true;
        }
    }
    return false;
}

static bool
is_ordering(enum ovsdb_function function)
{
    return function >= OVSDB_F_LT && function <= OVSDB_F_GE;
}

static struct ovsdb_error *
clause_from_json(const struct ovsdb_table_schema *ts, const json_t *json,
                 struct ovsdb_symbol_table *symtab, bool allow_literals,
                 struct ovsdb_clause *clause)
{
    const char *column_name, *function_name;
    struct ovsdb_type arg_type;

    clause->column = NULL;
    ovsdb_datum_init_empty(&clause->arg);

    if (allow_literals && json_is_boolean(json)) {
        clause->function = json_is_true(json) ? OVSDB_F_TRUE : OVSDB_F_FALSE;
        return NULL;
    }

    if (!json_is_array(json) || json_array_size(json) != 3
        || !json_is_string(json_array_get(json, 0))
        || !json_is_string(json_array_get(json, 1))) {
        return ovsdb_syntax_error(json, NULL, "Parse error in condition.");
    }
    column_name = json_string_value(json_array_get(json, 0));
    function_name = json_string_value(json_array_get(json, 1));

    clause->column = ovsdb_table_schema_get_column(ts, column_name);
    if (!clause->column) {
        return ovsdb_syntax_error(json, "unknown column",
                                  "No column %s in table %s.",
                                  column_name, ts->name);
    }
    if (!function_from_string(function_name, &clause->function)) {
        return ovsdb_syntax_error(NULL, "unknown function",
                                  "No function named %s.", function_name);
    }

    /* A shallow copy: only the size bounds change, and the copy is used
     * just to parse the argument, never destroyed. */
    arg_type = clause->column->type;
    if (is_ordering(clause->function)) {
        if (!(ovsdb_type_is_scalar(&arg_type)
              || ovsdb_type_is_optional_scalar(&arg_type))
            || (arg_type.key.type != OVSDB_TYPE_INTEGER
                && arg_type.key.type != OVSDB_TYPE_REAL)) {
            char *type = ovsdb_column_describe_type(clause->column);
            struct ovsdb_error *error = ovsdb_syntax_error(
                json, NULL, "Type mismatch: \"%s\" operator may not be "
                "applied to column %s of type %s.",
                function_name, clause->column->name, type);
            free(type);
            return error;
        }
        arg_type.n_min = 1;
    } else if (clause->function == OVSDB_F_INCLUDES) {
        if (!ovsdb_type_is_scalar(&arg_type)) {
            arg_type.n_min = 0;
        }
    } else if (clause->function == OVSDB_F_EXCLUDES) {
        if (!ovsdb_type_is_scalar(&arg_type)) {
            arg_type.n_min = 0;
            arg_type.n_max = OVSDB_UNLIMITED;
        }
    }

    return ovsdb_datum_from_json(&clause->arg, &arg_type,
                                 json_array_get(json, 2), symtab);
}

static void
clause_destroy(struct ovsdb_clause *clause)
{
    if (clause->column) {
        ovsdb_datum_destroy(&clause->arg, &clause->column->type);
    }
}

static unsigned int
clause_column_index(const struct ovsdb_clause *clause)
{
    return clause->column ? clause->column->index : 0;
}

/* Orders clauses so that the cheapest, most selective ones come first (the
 * enum lists FALSE, TRUE, ==, ... in that spirit) and so that equal
 * conditions written in different orders compare equal. */
static int
clause_compare_3way(const struct ovsdb_clause *a, const struct ovsdb_clause *b)
{
    unsigned int ai = clause_column_index(a);
    unsigned int bi = clause_column_index(b);

    if (a->function != b->function) {
        return a->function < b->function ? -1 : 1;
    } else if (ai != bi) {
        return ai < bi ? -1 : 1;
    } else if (!a->column) {
        return 0;
    }
    return ovsdb_datum_compare_3way(&a->arg, &b->arg, &a->column->type);
}

static int
clause_compare_qsort(const void *a, const void *b)
{
    return clause_compare_3way(a, b);
}

void
ovsdb_condition_init(struct ovsdb_condition *cnd)
{
    cnd->clauses = NULL;
    cnd->n_clauses = 0;
}

struct ovsdb_error *
ovsdb_condition_from_json(const struct ovsdb_table_schema *ts,
                          const json_t *json,
                          struct ovsdb_symbol_table *symtab,
                          bool allow_literals,
                          struct ovsdb_condition *cnd)
{
    size_t n;

    ovsdb_condition_init(cnd);
    if (!json_is_array(json)) {
        return ovsdb_syntax_error(json, NULL,
                                  "Condition must be an array of clauses.");
    }

    n = json_array_size(json);
    cnd->clauses = xcalloc(n, sizeof *cnd->clauses);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_error *error;

        error = clause_from_json(ts, json_array_get(json, i), symtab,
                                 allow_literals, &cnd->clauses[i]);
        if (error) {
            ovsdb_condition_destroy(cnd);
            return error;
        }
        cnd->n_clauses++;
    }

    qsort(cnd->clauses, cnd->n_clauses, sizeof *cnd->clauses,
          clause_compare_qsort);
    return NULL;
}

static json_t *
clause_to_json(const struct ovsdb_clause *clause)
{
    if (!clause->column) {
        return json_boolean(clause->function == OVSDB_F_TRUE);
    }
    return json_pack("[s, s, o]", clause->column->name,
                     ovsdb_function_to_string(clause->function),
                     ovsdb_datum_to_json(&clause->arg,
                                         &clause->column->type));
}

json_t *
ovsdb_condition_to_json(const struct ovsdb_condition *cnd)
{
    json_t *json = json_array();

    for (size_t i = 0; i < cnd->n_clauses; i++) {
        json_array_append_new(json, clause_to_json(&cnd->clauses[i]));
    }
    return json;
}

void
ovsdb_condition_destroy(struct ovsdb_condition *cnd)
{
    for (size_t i = 0; i < cnd->n_clauses; i++) {
        clause_destroy(&cnd->clauses[i]);
    }
    free(cnd->clauses);
    ovsdb_condition_init(cnd);
}

bool
ovsdb_condition_is_true(const struct ovsdb_condition *cnd)
{
    for (size_t i = 0; i < cnd->n_clauses; i++) {
        if (cnd->clauses[i].function != OVSDB_F_TRUE) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_is_false(const struct ovsdb_condition *cnd)
{
    for (size_t i = 0; i < cnd->n_clauses; i++) {
        if (cnd->clauses[i].function == OVSDB_F_FALSE) {
            return true;
        }
    }
    return false;
}

/* Evaluation runs once per row per clause in every select, update, delete
 * and monitor, so it allocates nothing and takes the atom fast path for
 * scalars. */
static bool
clause_evaluate(const struct ovsdb_clause *c, const struct ovsdb_datum *fields)
{
    const struct ovsdb_type *type;
    const struct ovsdb_datum *field;
    int cmp;

    switch (c->function) {
    case OVSDB_F_FALSE:
        return false;
    case OVSDB_F_TRUE:
        return true;
    default:
        break;
    }

    type = &c->column->type;
    field = &fields[c->column->index];

    if (is_ordering(c->function)) {
        /* Parsing allowed only (optional) scalars with a one-atom arg. */
        if (!field->n) {
            return false;
        }
        cmp = ovsdb_atom_compare_3way(&field->keys[0], &c->arg.keys[0],
                                      type->key.type);
        switch (c->function) {
        case OVSDB_F_LT: return cmp < 0;
        case OVSDB_F_LE: return cmp <= 0;
        case OVSDB_F_GT: return cmp > 0;
        default:         return cmp >= 0;
        }
    }

    if (ovsdb_type_is_scalar(type)) {
        /* Both sides are exactly one atom, so "includes" is "==" and
         * "excludes" is "!=". */
        bool eq = ovsdb_atom_equals(&field->keys[0], &c->arg.keys[0],
                                    type->key.type);
        return (c->function == OVSDB_F_EQ
                || c->function == OVSDB_F_INCLUDES) ? eq : !eq;
    }

    switch (c->function) {
    case OVSDB_F_EQ:
        return ovsdb_datum_equals(field, &c->arg, type);
    case OVSDB_F_NE:
        return !ovsdb_datum_equals(field, &c->arg, type);
    case OVSDB_F_INCLUDES:
        return ovsdb_datum_includes_all(&c->arg, field, type);
    case OVSDB_F_EXCLUDES:
        return ovsdb_datum_excludes_all(&c->arg, field, type);
    default:
        return false;
    }
}

bool
ovsdb_condition_evaluate(const struct ovsdb_condition *cnd,
                         const struct ovsdb_datum *fields)
{
    for (size_t i = 0; i < cnd->n_clauses; i++) {
        if (!clause_evaluate(&cnd->clauses[i], fields)) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_condition_equals(const struct ovsdb_condition *a,
                       const struct ovsdb_condition *b)
{
    if (a->n_clauses != b->n_clauses) {
        return false;
    }
    for (size_t i = 0; i < a->n_clauses; i++) {
        if (clause_compare_3way(&a->clauses[i], &b->clauses[i])) {
            return false;
        }
    }
    return true;
}
