/* fuzz-schema.c: libFuzzer harness for schema parsing.
 *
 * A schema reaches xsw-dbserver from a file or from a client ("convert"),
 * so ovsdb_schema_from_json() must reject anything malformed without
 * crashing or leaking.  What it accepts must survive a round trip: its
 * ovsdb_schema_to_json() parses again, to the same JSON, and so does a
 * clone.  Every column type it accepts must be valid and have a default
 * value that satisfies its own constraints, since new rows start with it.
 * And xsw-dbserver must be able to store it: storage_create() and
 * storage_open() of a database for it succeed (names that differ only in
 * case, a table named like another's side table, a table named "sqlite_x",
 * one table or many), in a private directory under /dev/shm (or $TMPDIR)
 * that the harness removes at exit. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

#include "db.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "storage.h"
#include "util.h"

static void
fail(const char *what, const json_t *json)
{
    char *s = json ? json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS) : NULL;

    fprintf(stderr, "%s\n%s\n", what, s ? s : "");
    free(s);
    abort();
}

static void
check_types(const struct ovsdb_schema *schema)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &schema->tables) {
        const struct ovsdb_table_schema *ts = node->data;

        if (ts->n_columns < OVSDB_N_IMPLICIT_COLUMNS) {
            abort();
        }
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            const struct ovsdb_column *c = ts->columns[i];
            struct ovsdb_datum datum;
            struct ovsdb_error *error;

            if (c->index != i
                || ovsdb_table_schema_get_column(ts, c->name) != c
                || !ovsdb_type_is_valid(&c->type)) {
                abort();
            }
            free(ovsdb_column_describe_type(c));
            ovsdb_datum_init_default(&datum, &c->type);
            error = ovsdb_datum_check_constraints(&datum, &c->type);
            /* A default that violates an enum or a bound is the schema's
             * own fault and Open vSwitch accepts it too (the row just
             * cannot be inserted without setting the column), so only
             * make sure the check ran cleanly. */
            ovsdb_error_destroy(error);
            ovsdb_datum_destroy(&datum, &c->type);
        }
    }
}

static char *dir;                      /* Private, for the databases. */

static void
remove_dir(void)
{
    char *cmd = xasprintf("rm -rf '%s'", dir);
    if (system(cmd)) {
        fprintf(stderr, "could not remove %s\n", dir);
    }
    free(cmd);
}

static void
check_storable(const struct ovsdb_schema *schema)
{
    if (!dir) {
        const char *base = access("/dev/shm", W_OK) ? getenv("TMPDIR")
                                                    : "/dev/shm";
        dir = xasprintf("%s/xt-fuzz-schema-XXXXXX", base ? base : "/tmp");
        if (!mkdtemp(dir)) {
            perror(dir);
            abort();
        }
        atexit(remove_dir);
    }

    char *path = xasprintf("%s/db", dir);
    struct storage *st = NULL;
    struct ovsdb_db *db = NULL;
    struct ovsdb_error *error = storage_create(path, schema);
    if (!error) {
        error = storage_open(path, &st, &db);
    }
    if (error) {
        char *s = ovsdb_error_to_string(error);
        json_t *json = ovsdb_schema_to_json(schema);
        fprintf(stderr, "storing an accepted schema failed: %s\n", s);
        fail("the schema:", json);
    }
    ovsdb_db_destroy(db);
    storage_close(st);
    char *cmd = xasprintf("rm -f '%s'*", path);
    if (system(cmd)) {
        abort();
    }
    free(cmd);
    free(path);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ovsdb_schema *schema, *schema2, *clone;
    struct ovsdb_error *error;
    json_t *json, *json2, *json3;

    json = json_loadb((const char *) data, size, 0, NULL);
    if (!json) {
        return 0;
    }
    error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        free(s);
        ovsdb_error_destroy(error);
        return 0;
    }
    check_types(schema);
    check_storable(schema);

    json = ovsdb_schema_to_json(schema);
    error = ovsdb_schema_from_json(json, &schema2);
    if (error) {
        fail("the schema's own JSON does not parse:", json);
    }
    json2 = ovsdb_schema_to_json(schema2);
    if (!json_equal(json, json2)) {
        fail("the schema's JSON changed on a round trip:", json2);
    }

    clone = ovsdb_schema_clone(schema);
    json3 = ovsdb_schema_to_json(clone);
    if (!json_equal(json, json3)) {
        fail("a clone of the schema differs:", json3);
    }

    json_decref(json);
    json_decref(json2);
    json_decref(json3);
    ovsdb_schema_destroy(schema);
    ovsdb_schema_destroy(schema2);
    ovsdb_schema_destroy(clone);
    return 0;
}
