/* ovsdb-mutation.h: "mutate" operations' mutations (RFC 7047 5.1).
 *
 * Mutators: += -= *= /= %= on integer and real columns (and on each element
 * of sets of them), "insert" and "delete" on sets and maps.  Division by
 * zero fails with "domain error", integer overflow with "range error", a
 * result violating the column's constraints with "constraint violation". */
#ifndef XSW_OVSDB_MUTATION_H
#define XSW_OVSDB_MUTATION_H 1

#include <jansson.h>
#include "ovsdb-data.h"

struct ovsdb_error;
struct ovsdb_table_schema;
struct ovsdb_column;

enum ovsdb_mutator {
    OVSDB_M_ADD, OVSDB_M_SUB, OVSDB_M_MUL, OVSDB_M_DIV, OVSDB_M_MOD,
    OVSDB_M_INSERT, OVSDB_M_DELETE
};

/* "+=", ..., "insert", "delete". */
const char *ovsdb_mutator_to_string(enum ovsdb_mutator);

struct ovsdb_mutation {
    const struct ovsdb_column *column;
    enum ovsdb_mutator mutator;
    struct ovsdb_datum arg;
    struct ovsdb_type type;   /* Type of 'arg' (for insert/delete on a map,
                               * a set of keys or a map). */
};

struct ovsdb_mutation_set {
    struct ovsdb_mutation *mutations;
    size_t n_mutations;
};

/* Parses [[column, mutator, value], ...].  Fails, as ovsdb-server does, on
 * unknown columns ("unknown column"), immutable columns including
 * _uuid/_version ("constraint violation"), unknown mutators ("unknown
 * mutator") and mutators not valid for the column's type ("syntax
 * error"). */
struct ovsdb_error *ovsdb_mutation_set_from_json(
    const struct ovsdb_table_schema *, const json_t *,
    struct ovsdb_symbol_table *, struct ovsdb_mutation_set *)
    __attribute__((warn_unused_result));
json_t *ovsdb_mutation_set_to_json(const struct ovsdb_mutation_set *);
void ovsdb_mutation_set_destroy(struct ovsdb_mutation_set *);

/* Applies every mutation in order to 'fields' (indexed by column index),
 * modifying them in place, and checks the results' constraints.  On error,
 * 'fields' may be partly modified: callers apply to a copy. */
struct ovsdb_error *ovsdb_mutation_set_execute(
    struct ovsdb_datum *fields, const struct ovsdb_mutation_set *)
    __attribute__((warn_unused_result));

#endif /* ovsdb-mutation.h */
