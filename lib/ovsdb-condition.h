/* ovsdb-condition.h: "where" conditions (RFC 7047 5.1) over any row form.
 *
 * A condition is parsed against a table schema once and then evaluated
 * against rows.  Rows are given as an array of datums indexed by column
 * index (see ovsdb-schema.h), so the server and the client replica can both
 * use it.  Conditions also serve monitor_cond (a "true"/"false" literal is
 * allowed there). */
#ifndef XSW_OVSDB_CONDITION_H
#define XSW_OVSDB_CONDITION_H 1

#include <stdbool.h>
#include <jansson.h>
#include "ovsdb-data.h"

struct ovsdb_error;
struct ovsdb_table_schema;
struct ovsdb_column;

enum ovsdb_function {
    OVSDB_F_FALSE, OVSDB_F_TRUE,   /* Literal conditions (monitor_cond). */
    OVSDB_F_EQ, OVSDB_F_NE,
    OVSDB_F_LT, OVSDB_F_LE, OVSDB_F_GT, OVSDB_F_GE,
    OVSDB_F_INCLUDES, OVSDB_F_EXCLUDES
};

const char *ovsdb_function_to_string(enum ovsdb_function);

struct ovsdb_clause {
    enum ovsdb_function function;
    const struct ovsdb_column *column;   /* NULL for FALSE/TRUE. */
    struct ovsdb_datum arg;
    /* For <, <=, >, >= on an optional scalar, 'arg' is compared with the
     * single element, and an empty column never matches. */
};

struct ovsdb_condition {
    struct ovsdb_clause *clauses;
    size_t n_clauses;
};

#define OVSDB_CONDITION_INITIALIZER { NULL, 0 }

void ovsdb_condition_init(struct ovsdb_condition *);
/* Parses an array of clauses [column, function, value].  With
 * 'allow_literals' a clause may also be the JSON true or false (Open
 * vSwitch 3.1 accepts them in every "where", so transact should pass true
 * to be indistinguishable from it).
 * Errors, as ovsdb-server words them: "syntax error" quoting the clause for
 * a malformed clause or a function not valid for the column's type (<, >
 * on non-numeric or composite columns); "unknown column"; "unknown
 * function"; the datum parser's errors for a bad argument. */
struct ovsdb_error *ovsdb_condition_from_json(
    const struct ovsdb_table_schema *, const json_t *,
    struct ovsdb_symbol_table *, bool allow_literals,
    struct ovsdb_condition *)
    __attribute__((warn_unused_result));
json_t *ovsdb_condition_to_json(const struct ovsdb_condition *);
void ovsdb_condition_destroy(struct ovsdb_condition *);
bool ovsdb_condition_is_true(const struct ovsdb_condition *);   /* Empty or
                                                   * all clauses TRUE. */
bool ovsdb_condition_is_false(const struct ovsdb_condition *);  /* Has a
                                                   * FALSE clause. */
/* True if the row whose fields are 'fields' (indexed by column index)
 * satisfies every clause. */
bool ovsdb_condition_evaluate(const struct ovsdb_condition *,
                              const struct ovsdb_datum *fields);
/* True if two conditions are equal (for monitor_cond_change bookkeeping). */
bool ovsdb_condition_equals(const struct ovsdb_condition *,
                            const struct ovsdb_condition *);

#endif /* ovsdb-condition.h */
