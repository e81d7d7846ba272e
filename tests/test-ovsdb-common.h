/* test-ovsdb-common.h: fixtures shared by the data-model unit tests
 * (tests/test-ovsdb-schema.c, -condition.c and -mutation.c).
 *
 * They all work on the same schema "T", whose table A has one column of
 * every kind the data model distinguishes, so that an expected answer
 * captured from ovsdb-server for one test reads the same in the others.
 * Every helper fails the current test (ck_assert) instead of returning an
 * error: a broken fixture is a broken test, not a case under test. */
#ifndef XSW_TEST_OVSDB_COMMON_H
#define XSW_TEST_OVSDB_COMMON_H 1

#include <jansson.h>

#include "ovsdb-data.h"
#include "ovsdb-schema.h"

/* Table A's columns: scalars of each atomic type, a constrained integer,
 * optional values, sets and maps of several bounds, an immutable and an
 * ephemeral column, and a reference to table B. */
#define T_SCHEMA_A_COLUMNS                                                  \
    "  \"i\": {\"type\": \"integer\"},"                                     \
    "  \"ic\": {\"type\": {\"key\": {\"type\": \"integer\","                \
    "          \"minInteger\": 0, \"maxInteger\": 100}}},"                  \
    "  \"r\": {\"type\": \"real\"},"                                        \
    "  \"b\": {\"type\": \"boolean\"},"                                     \
    "  \"s\": {\"type\": \"string\"},"                                      \
    "  \"u\": {\"type\": \"uuid\"},"                                        \
    "  \"oi\": {\"type\": {\"key\": \"integer\", \"min\": 0, \"max\": 1}}," \
    "  \"si\": {\"type\": {\"key\": \"integer\", \"min\": 0,"               \
    "          \"max\": \"unlimited\"}},"                                   \
    "  \"s3\": {\"type\": {\"key\": \"integer\", \"min\": 1, \"max\": 3}}," \
    "  \"sr\": {\"type\": {\"key\": \"real\", \"min\": 0,"                  \
    "          \"max\": \"unlimited\"}},"                                   \
    "  \"ss\": {\"type\": {\"key\": \"string\", \"min\": 0,"                \
    "          \"max\": \"unlimited\"}},"                                   \
    "  \"m\": {\"type\": {\"key\": \"string\", \"value\": \"string\","      \
    "         \"min\": 0, \"max\": \"unlimited\"}},"                        \
    "  \"m2\": {\"type\": {\"key\": \"string\", \"value\": \"integer\","    \
    "          \"min\": 0, \"max\": 2}},"                                   \
    "  \"im\": {\"type\": \"integer\", \"mutable\": false},"                \
    "  \"e\": {\"type\": \"integer\", \"ephemeral\": true},"                \
    "  \"ref\": {\"type\": {\"key\": {\"type\": \"uuid\","                  \
    " \"refTable\": \"B\"},"                                                \
    "           \"min\": 0, \"max\": 1}}"

/* Schema "T" as text.  'A_EXTRA' and 'B_EXTRA' are appended inside the
 * definitions of tables A and B (each "" or starting with a comma): the
 * schema test adds indexes and maxRows there, the others need neither. */
#define T_SCHEMA_WITH(A_EXTRA, B_EXTRA)                                     \
    "{\"name\": \"T\", \"version\": \"1.2.3\", \"tables\": {"               \
    " \"A\": {\"columns\": {" T_SCHEMA_A_COLUMNS                            \
    " }, \"isRoot\": true" A_EXTRA "},"                                     \
    " \"B\": {\"columns\": {\"x\": {\"type\": \"integer\"}}" B_EXTRA "}"    \
    "}}"
#define T_SCHEMA T_SCHEMA_WITH("", "")

/* Parses 's' (any JSON value).  The caller owns the result. */
json_t *t_parse_json(const char *s);

/* Parses the schema text 's'.  The caller owns the result
 * (ovsdb_schema_destroy()). */
struct ovsdb_schema *t_parse_schema(const char *s);

/* Builds a row of 'table' as an array of table->n_columns datums, indexed
 * by column index: the columns named in the JSON object 's' take its
 * values, every other column its type's default.  The caller frees it with
 * t_row_destroy(). */
struct ovsdb_datum *t_row_create(const struct ovsdb_table_schema *table,
                                 const char *s);
void t_row_destroy(const struct ovsdb_table_schema *table,
                   struct ovsdb_datum *fields);

#endif /* test-ovsdb-common.h */
