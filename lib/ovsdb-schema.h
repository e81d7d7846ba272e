/* ovsdb-schema.h: database schemas (RFC 7047 section 3.2).
 *
 * Every table has the implicit columns "_uuid" (index 0) and "_version"
 * (index 1) ahead of the columns the schema declares, so a column's 'index'
 * addresses the same field in every row representation (server rows, the
 * client replica).  A schema owns its tables, a table its columns. */
#ifndef XSW_OVSDB_SCHEMA_H
#define XSW_OVSDB_SCHEMA_H 1

#include <stdbool.h>
#include <jansson.h>
#include "ovsdb-types.h"
#include "shash.h"

struct ovsdb_error;

enum {
    OVSDB_COL_UUID = 0,       /* "_uuid" */
    OVSDB_COL_VERSION = 1,    /* "_version" */
    OVSDB_N_IMPLICIT_COLUMNS = 2
};

struct ovsdb_column {
    char *name;
    unsigned int index;       /* Position in ovsdb_table_schema.columns[]. */
    struct ovsdb_type type;
    bool mutable;             /* Default true. */
    bool persistent;          /* !ephemeral. */
};

struct ovsdb_column_set {
    const struct ovsdb_column **columns;   /* Not owned. */
    size_t n, allocated;
};

void ovsdb_column_set_init(struct ovsdb_column_set *);
void ovsdb_column_set_destroy(struct ovsdb_column_set *);
void ovsdb_column_set_add(struct ovsdb_column_set *,
                          const struct ovsdb_column *);
bool ovsdb_column_set_contains(const struct ovsdb_column_set *,
                               unsigned int column_index);

struct ovsdb_table_schema;
/* Parses an array of distinct column names of 'ts' into 'set' (initialized
 * here).  A null 'json' means every column, the implicit ones included, as
 * for a "select" without "columns". */
struct ovsdb_error *ovsdb_column_set_from_json(const json_t *,
                                               const struct ovsdb_table_schema *,
                                               struct ovsdb_column_set *)
    __attribute__((warn_unused_result));
/* The column names as a JSON array (a new reference). */
json_t *ovsdb_column_set_to_json(const struct ovsdb_column_set *);

/* The column's type in words, as Open vSwitch's error messages put it:
 * "integer", "set of up to 3 strings", "map of (string, integer) pairs".
 * The caller frees the string. */
char *ovsdb_column_describe_type(const struct ovsdb_column *);

struct ovsdb_table_schema {
    char *name;
    bool is_root;             /* Default true when the schema has no
                               * "isRoot" anywhere (RFC 7047 compatibility),
                               * per Open vSwitch; see the .c file. */
    unsigned int max_rows;    /* UINT_MAX if unlimited. */
    struct shash columns_by_name;          /* -> struct ovsdb_column *. */
    struct ovsdb_column **columns;         /* By index; owned. */
    unsigned int n_columns;                /* Including implicit ones. */
    struct ovsdb_column_set *indexes;      /* "indexes": each a column set. */
    size_t n_indexes;
};

const struct ovsdb_column *ovsdb_table_schema_get_column(
    const struct ovsdb_table_schema *, const char *name);

struct ovsdb_schema {
    char *name;
    char *version;            /* "x.y.z"; may be NULL. */
    char *cksum;              /* May be NULL. */
    struct shash tables;      /* -> struct ovsdb_table_schema *, owned. */
};

/* Parses a schema, checking names, types, that every refTable exists
 * (resolving ovsdb_base_type.u.uuid.ref_table) and that index columns
 * exist and are not ephemeral. */
struct ovsdb_error *ovsdb_schema_from_json(const json_t *,
                                           struct ovsdb_schema **)
    __attribute__((warn_unused_result));
struct ovsdb_error *ovsdb_schema_from_file(const char *file_name,
                                           struct ovsdb_schema **)
    __attribute__((warn_unused_result));
/* A schema from its JSON text (the built-in vswitch schema, say). */
struct ovsdb_error *ovsdb_schema_from_string(const char *text,
                                             struct ovsdb_schema **)
    __attribute__((warn_unused_result));
/* The schema as JSON, as get_schema returns it. */
json_t *ovsdb_schema_to_json(const struct ovsdb_schema *);
struct ovsdb_schema *ovsdb_schema_clone(const struct ovsdb_schema *);
/* True if the two schemas are the same, as Open vSwitch's
 * ovsdb_schema_equal() decides it (equal JSON forms): what
 * "needs-conversion" asks. */
bool ovsdb_schema_equal(const struct ovsdb_schema *,
                        const struct ovsdb_schema *);
/* Makes every ephemeral column of 'schema' persistent, as Open vSwitch's
 * clustered storage does (ovsdb_schema_persist_ephemeral_columns(): RAFT
 * stores every column).  Returns how many it changed; if any, '*tablep'
 * and '*columnp' name the first one in table order (for the caller's
 * warning; they point into 'schema'), else both are NULL. */
unsigned int ovsdb_schema_persist_ephemeral_columns(struct ovsdb_schema *,
                                                    const char **tablep,
                                                    const char **columnp);
void ovsdb_schema_destroy(struct ovsdb_schema *);
const struct ovsdb_table_schema *ovsdb_schema_get_table(
    const struct ovsdb_schema *, const char *name);

#endif /* ovsdb-schema.h */
