/* fuzz-transact.c: libFuzzer harness for whole "transact" requests.
 *
 * Every client that can connect can send any operations, so ovsdb_execute()
 * and the transaction machinery under it (db.c) must hold up against
 * anything: no crash, no leak, and above all no committed state that
 * breaks the database's rules, because later transactions, monitors and
 * storage all trust them.
 *
 * The input is a JSON array: either the operations of one transaction, or
 * (when every element is itself an array) up to 8 transactions run one
 * after the other, so that later ones see what earlier ones committed.  The
 * database is tests/schemas/test.ovsschema, filled first with a few rows
 * by a fixed transaction, and every input starts from the same state.
 *
 * After each transaction that succeeds, the harness commits it (or, for
 * every other one, aborts it and checks that nothing changed at all), then
 * checks the invariants: rows sorted and within their types' constraints,
 * strong and weak references pointing at rows that exist, reference counts
 * exact, no orphaned non-root rows, maxRows and indexes respected. */
#include <config.h>

#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "transact.h"

#define MAX_TXNS 8

static struct ovsdb_schema *schema;     /* Parsed once, cloned per input. */

/* The rows every input starts with: a root with a child and grandchild,
 * weak references both ways, and a full "Limited" table. */
static const char setup_ops[] =
    "[{\"op\":\"insert\",\"table\":\"Grand\",\"row\":{\"name\":\"g1\"},"
    "  \"uuid-name\":\"g1\"},"
    " {\"op\":\"insert\",\"table\":\"Child\",\"row\":{\"name\":\"c1\","
    "  \"grand\":[\"named-uuid\",\"g1\"]},\"uuid-name\":\"c1\"},"
    " {\"op\":\"insert\",\"table\":\"Child\",\"row\":{\"name\":\"c2\"},"
    "  \"uuid-name\":\"c2\"},"
    " {\"op\":\"insert\",\"table\":\"Target\",\"row\":{\"name\":\"t1\"},"
    "  \"uuid-name\":\"t1\"},"
    " {\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"name\":\"r1\","
    "  \"i\":5,\"s\":\"abc\",\"e\":\"red\",\"iset\":[\"set\",[1,2,3]],"
    "  \"smap\":[\"map\",[[\"k\",\"v\"]]],\"imap\":[\"map\",[[\"a\",1]]],"
    "  \"children\":[\"set\",[[\"named-uuid\",\"c1\"],"
    "                          [\"named-uuid\",\"c2\"]]],"
    "  \"weak\":[\"named-uuid\",\"t1\"],\"fixed\":\"f\"}},"
    " {\"op\":\"insert\",\"table\":\"Root\",\"row\":{\"name\":\"r2\"}},"
    " {\"op\":\"insert\",\"table\":\"WeakOne\",\"row\":{\"name\":\"w1\","
    "  \"target\":[\"named-uuid\",\"t1\"]}},"
    " {\"op\":\"insert\",\"table\":\"Limited\",\"row\":{\"a\":1,\"b\":1}},"
    " {\"op\":\"insert\",\"table\":\"Limited\",\"row\":{\"a\":1,\"b\":2}}]";

static void
fail(const char *what, const json_t *json)
{
    char *s = json ? json_dumps(json, JSON_COMPACT) : NULL;

    fprintf(stderr, "%s%s%s\n", what, s ? ": " : "", s ? s : "");
    free(s);
    abort();
}

static bool
has_lock(void *aux, const char *name)
{
    return !strcmp(name, "held");
}

/* Every committed row of every table as JSON, with its reference count:
 * what an abort must leave exactly as it was. */
static json_t *
db_snapshot(const struct ovsdb_db *db)
{
    json_t *snap = json_object();
    struct shash_node *node;

    SHASH_FOR_EACH (node, &db->tables) {
        const struct ovsdb_table *table = node->data;
        json_t *rows = json_object();
        const struct ovsdb_row *row;

        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            char uuid[UUID_LEN + 1];
            json_t *json = ovsdb_row_to_json(row, NULL);

            snprintf(uuid, sizeof uuid, UUID_FMT,
                     UUID_ARGS(ovsdb_row_get_uuid(row)));
            json_object_set_new(json, "n_refs", json_integer(row->n_refs));
            json_object_set_new(rows, uuid, json);
        }
        json_object_set_new(snap, node->name, rows);
    }
    return snap;
}

/* Strong references to 'target' from every other committed row (a row's
 * references to itself do not count, as in ovsdb-server). */
static size_t
count_strong_refs(const struct ovsdb_db *db, const struct ovsdb_row *target)
{
    const struct uuid *uuid = ovsdb_row_get_uuid(target);
    struct shash_node *node;
    size_t n = 0;

    SHASH_FOR_EACH (node, &db->tables) {
        const struct ovsdb_table *table = node->data;
        const struct ovsdb_table_schema *ts = table->schema;
        const struct ovsdb_row *row;

        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            for (unsigned int c = 0; row != target && c < ts->n_columns;
                 c++) {
                const struct ovsdb_type *type = &ts->columns[c]->type;
                const struct ovsdb_datum *d = &row->fields[c];

                for (unsigned int i = 0; i < d->n; i++) {
                    if (ovsdb_base_type_is_strong_ref(&type->key)
                        && type->key.u.uuid.ref_table == target->table->schema
                        && uuid_equals(&d->keys[i].uuid, uuid)) {
                        n++;
                    }
                    if (ovsdb_base_type_is_strong_ref(&type->value)
                        && type->value.u.uuid.ref_table
                           == target->table->schema
                        && uuid_equals(&d->values[i].uuid, uuid)) {
                        n++;
                    }
                }
            }
        }
    }
    return n;
}

static void
check_ref(const struct ovsdb_db *db, const struct ovsdb_base_type *base,
          const union ovsdb_atom *atom)
{
    const struct ovsdb_table *target;

    if (!ovsdb_base_type_is_ref(base)) {
        return;
    }
    target = ovsdb_db_get_table(db, base->u.uuid.ref_table->name);
    if (!ovsdb_table_get_row(target, &atom->uuid)) {
        fail(ovsdb_base_type_is_strong_ref(base)
             ? "committed strong reference to a missing row"
             : "committed dangling weak reference", NULL);
    }
}

static void
check_row(const struct ovsdb_db *db, const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;

    for (unsigned int c = 0; c < ts->n_columns; c++) {
        const struct ovsdb_type *type = &ts->columns[c]->type;
        const struct ovsdb_datum *d = &row->fields[c];
        struct ovsdb_error *error;

        error = ovsdb_datum_check_constraints(d, type);
        if (error) {
            json_t *json = ovsdb_error_to_json_free(error);
            fail("committed value violates its column's constraints", json);
        }
        for (unsigned int i = 0; i < d->n; i++) {
            if (i && ovsdb_atom_compare_3way(&d->keys[i - 1], &d->keys[i],
                                             type->key.type) >= 0) {
                fail("committed datum is not sorted and unique", NULL);
            }
            check_ref(db, &type->key, &d->keys[i]);
            if (d->values) {
                check_ref(db, &type->value, &d->values[i]);
            }
        }
    }
    if (row->n_refs != count_strong_refs(db, row)) {
        fail("reference count differs from the references", NULL);
    }
    if (!ts->is_root && !row->n_refs) {
        fail("unreferenced non-root row survived the commit", NULL);
    }
}

static void
check_indexes(const struct ovsdb_table *table)
{
    const struct ovsdb_table_schema *ts = table->schema;

    for (size_t x = 0; x < ts->n_indexes; x++) {
        const struct ovsdb_column_set *index = &ts->indexes[x];
        const struct ovsdb_row *a, *b;

        HMAP_FOR_EACH (a, hmap_node, &table->rows) {
            HMAP_FOR_EACH (b, hmap_node, &table->rows) {
                bool same = a != b;

                for (size_t i = 0; same && i < index->n; i++) {
                    const struct ovsdb_column *c = index->columns[i];
                    same = ovsdb_datum_equals(&a->fields[c->index],
                                              &b->fields[c->index], &c->type);
                }
                if (same) {
                    fail("two committed rows share an index key", NULL);
                }
            }
        }
    }
}

static void
check_db(const struct ovsdb_db *db)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &db->tables) {
        const struct ovsdb_table *table = node->data;
        const struct ovsdb_row *row;

        if (hmap_count(&table->rows) > table->schema->max_rows) {
            fail("table holds more than maxRows rows", NULL);
        }
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            if (row->table != table || row->txn_row) {
                fail("committed row in an inconsistent state", NULL);
            }
            check_row(db, row);
        }
        check_indexes(table);
    }
}

/* Runs one transaction; 'commit' chooses between committing and aborting a
 * transaction that succeeds. */
static void
run_txn(struct ovsdb_db *db, const json_t *ops, bool commit)
{
    const struct ovsdb_execute_ctx ctx = { .has_lock = has_lock };
    enum ovsdb_execute_status status;
    struct ovsdb_txn *txn;
    long long deadline;
    json_t *result;

    /* A clock far from zero, so that deadline arithmetic overflows for
     * the timeouts a fuzzer can reach (2^62 and up), not only in the last
     * thousand values below LLONG_MAX. */
    status = ovsdb_execute(db, ops, &ctx, 1LL << 62, 0, &result, &txn,
                           &deadline);
    if (status == OVSDB_EXECUTE_RETRY) {
        if (result || txn) {
            fail("RETRY with a result or a transaction", ops);
        }
        /* As the server would once every "wait" has timed out. */
        status = ovsdb_execute(db, ops, &ctx, LLONG_MAX / 4, LLONG_MAX / 4,
                               &result, &txn, &deadline);
        if (status == OVSDB_EXECUTE_RETRY) {
            return;
        }
    }
    if (!json_is_array(result)
        || (json_array_size(result) != json_array_size(ops)
            && json_array_size(result) != json_array_size(ops) + 1)) {
        fail("result is not one element per operation (plus one)", result);
    }
    if (txn) {
        size_t i;
        json_t *elem;

        json_array_foreach (result, i, elem) {
            if (json_object_get(elem, "error")) {
                fail("an operation failed but the transaction goes on",
                     result);
            }
        }
        if (commit) {
            ovsdb_txn_commit(txn);
        } else {
            json_t *before = db_snapshot(db), *after;

            ovsdb_txn_abort(txn);
            after = db_snapshot(db);
            if (!json_equal(before, after)) {
                fail("abort changed the database", after);
            }
            json_decref(before);
            json_decref(after);
        }
    }
    json_decref(result);
    check_db(db);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct ovsdb_db *db;
    json_t *json, *setup;
    bool sequence;
    size_t i;
    json_t *elem;

    if (!schema) {
        struct ovsdb_error *error = ovsdb_schema_from_file(FUZZ_TEST_SCHEMA,
                                                           &schema);
        if (error) {
            fprintf(stderr, "%s: cannot read the schema\n", FUZZ_TEST_SCHEMA);
            abort();
        }
    }

    json = json_loadb((const char *) data, size, 0, NULL);
    if (!json_is_array(json)) {
        json_decref(json);
        return 0;
    }

    db = ovsdb_db_create(ovsdb_schema_clone(schema));
    setup = json_loads(setup_ops, 0, NULL);
    run_txn(db, setup, true);
    json_decref(setup);
    if (hmap_count(&ovsdb_db_get_table(db, "Root")->rows) != 2) {
        fail("the setup transaction failed", NULL);
    }

    sequence = json_array_size(json) > 0;
    json_array_foreach (json, i, elem) {
        if (!json_is_array(elem)) {
            sequence = false;
        }
    }
    if (sequence) {
        json_array_foreach (json, i, elem) {
            if (i >= MAX_TXNS) {
                break;
            }
            run_txn(db, elem, i % 2 == 0);
        }
    } else {
        run_txn(db, json, true);
    }

    json_decref(json);
    ovsdb_db_destroy(db);
    return 0;
}
