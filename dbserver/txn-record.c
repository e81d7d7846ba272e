/* txn-record.c: transactions as JSON records.  See txn-record.h.
 *
 * Reading replays a record through db.h's transactions, with their checks
 * (types, constraints, references, garbage collection), as ovsdb-server
 * does when it opens a file. */
#include <config.h>
#include "txn-record.h"

#include <stdbool.h>
#include <string.h>

#include "db.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "util.h"
#include "uuid.h"

/* Sets column 'column' of 'row' from 'value': the new value, or the
 * difference from the current one if 'is_diff'. */
static struct ovsdb_error *
update_column(struct ovsdb_row *row, const struct ovsdb_column *column,
              const json_t *value, bool is_diff)
{
    struct ovsdb_datum *field = &row->fields[column->index];
    struct ovsdb_datum datum;
    struct ovsdb_error *error;

    /* A column with at most one value records its new value even in a
     * diff (Open vSwitch's ovsdb_datum_diff()); a diff of a set or map may
     * exceed the column's size limits before it is applied. */
    if (is_diff && ovsdb_type_is_composite(&column->type)) {
        struct ovsdb_datum diff;
        error = ovsdb_datum_from_json_unbounded(&diff, &column->type, value,
                                                NULL);
        if (error) {
            return error;
        }
        error = ovsdb_datum_apply_diff(&datum, field, &diff, &column->type);
        ovsdb_datum_destroy(&diff, &column->type);
    } else {
        error = ovsdb_datum_from_json(&datum, &column->type, value, NULL);
    }
    if (error) {
        return error;
    }
    ovsdb_datum_destroy(field, &column->type);
    *field = datum;
    return NULL;
}

static struct ovsdb_error *
update_row(struct ovsdb_row *row, const json_t *json, bool is_diff)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    const char *name;
    json_t *value;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "row must be JSON object");
    }
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column *column
            = ovsdb_table_schema_get_column(ts, name);
        if (!column || column->index == OVSDB_COL_UUID
            || column->index == OVSDB_COL_VERSION) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.", name,
                                      ts->name);
        }
        struct ovsdb_error *error = update_column(row, column, value,
                                                  is_diff);
        if (error) {
            return ovsdb_error_wrap(error, "column %s of table %s", name,
                                    ts->name);
        }
    }
    return NULL;
}

static struct ovsdb_error *
replay_table(struct ovsdb_txn *txn, struct ovsdb_table *table,
             const json_t *rows, bool is_diff)
{
    const char *uuid_string;
    json_t *row_json;

    if (!json_is_object(rows)) {
        return ovsdb_syntax_error(rows, NULL, "object expected");
    }
    json_object_foreach ((json_t *) rows, uuid_string, row_json) {
        struct uuid uuid;
        if (!uuid_from_string(&uuid, uuid_string)) {
            return ovsdb_syntax_error(rows, NULL, "\"%s\" is not a valid "
                                      "UUID", uuid_string);
        }
        const struct ovsdb_row *row = ovsdb_txn_get_row(txn, table, &uuid);
        struct ovsdb_error *error;
        if (json_is_null(row_json)) {
            if (!row) {
                return ovsdb_syntax_error(NULL, NULL, "transaction deletes "
                                          "row %s that does not exist",
                                          uuid_string);
            }
            ovsdb_txn_row_delete(txn, row);
        } else if (row) {
            error = update_row(ovsdb_txn_row_modify(txn, row), row_json,
                               is_diff);
            if (error) {
                return error;
            }
        } else {
            /* A new row holds its values, never a difference. */
            struct ovsdb_row *new = ovsdb_row_create(table, &uuid);
            error = update_row(new, row_json, false);
            if (error) {
                ovsdb_row_destroy(new);
                return error;
            }
            ovsdb_txn_row_insert(txn, new);
        }
    }
    return NULL;
}

struct ovsdb_error *
txn_record_to_txn(struct ovsdb_db *db, const json_t *json,
                  struct ovsdb_txn **txnp)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_error *error = NULL;
    bool is_diff = json_is_true(json_object_get(json, "_is_diff"));
    const char *name;
    json_t *value;

    *txnp = NULL;
    if (!json_is_object(json)) {
        ovsdb_txn_abort(txn);
        return ovsdb_syntax_error(json, NULL, "transaction record must be "
                                  "a JSON object");
    }
    json_object_foreach ((json_t *) json, name, value) {
        struct ovsdb_table *table = ovsdb_db_get_table(db, name);
        if (table) {
            error = replay_table(txn, table, value, is_diff);
        } else if ((!strcmp(name, "_date") && json_is_integer(value))
                   || (!strcmp(name, "_is_diff") && json_is_boolean(value))
                   || !strcmp(name, "_comment")) {
            continue;
        } else {
            error = ovsdb_syntax_error(json, "unknown table",
                                       "No table named %s.", name);
        }
        if (error) {
            break;
        }
    }
    if (!error) {
        error = ovsdb_txn_precommit(txn);
    }
    if (error) {
        ovsdb_txn_abort(txn);
        return error;
    }
    *txnp = txn;
    return NULL;
}

struct ovsdb_error *
txn_record_replay(struct ovsdb_db *db, const json_t *json)
{
    struct ovsdb_txn *txn;
    struct ovsdb_error *error = txn_record_to_txn(db, json, &txn);

    if (!error) {
        ovsdb_txn_commit(txn);
    }
    return error;
}


/* Adds 'row_json' under 'table' and 'uuid' in 'record'. */
static void
record_add_row(json_t *record, const struct ovsdb_table *table,
               const struct ovsdb_row *row, json_t *row_json)
{
    json_t *rows = json_object_get(record, table->schema->name);
    char uuid[UUID_LEN + 1];

    if (!rows) {
        rows = json_object();
        json_object_set_new(record, table->schema->name, rows);
    }
    uuid_to_string(ovsdb_row_get_uuid(row), uuid);
    json_object_set_new(rows, uuid, row_json);
}

/* The stored columns of 'row' that differ from their defaults. */
static json_t *
row_to_record(const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *json = json_object();

    for (unsigned int i = OVSDB_COL_VERSION + 1; i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        if (c->persistent
            && !ovsdb_datum_is_default(&row->fields[i], &c->type)) {
            json_object_set_new(json, c->name,
                                ovsdb_datum_to_json(&row->fields[i],
                                                    &c->type));
        }
    }
    return json;
}

json_t *
txn_record_from_txn(const struct ovsdb_txn *txn)
{
    json_t *record = json_object();
    const struct ovsdb_txn_row *r;
    bool empty = true;

    LIST_FOR_EACH (r, node, &txn->rows) {
        const struct ovsdb_table_schema *ts = r->table->schema;
        json_t *row_json;

        if (!r->has_changes) {
            continue;
        } else if (!r->new) {
            record_add_row(record, r->table, r->old, json_null());
        } else if (!r->old) {
            record_add_row(record, r->table, r->new, row_to_record(r->new));
        } else {
            row_json = NULL;
            for (unsigned int i = OVSDB_COL_VERSION + 1; i < ts->n_columns;
                 i++) {
                const struct ovsdb_column *c = ts->columns[i];
                if (!c->persistent || !ovsdb_txn_row_column_changed(r, i)) {
                    continue;
                }
                struct ovsdb_datum diff;
                ovsdb_datum_diff(&diff, &r->old->fields[i], &r->new->fields[i],
                                 &c->type);
                if (!row_json) {
                    row_json = json_object();
                }
                json_object_set_new(row_json, c->name,
                                    ovsdb_datum_to_json(&diff, &c->type));
                ovsdb_datum_destroy(&diff, &c->type);
            }
            if (!row_json) {
                continue;       /* Only ephemeral columns changed. */
            }
            record_add_row(record, r->table, r->new, row_json);
        }
        empty = false;
    }
    if (empty) {
        json_decref(record);
        return NULL;
    }
    json_object_set_new(record, "_is_diff", json_true());
    return record;
}

json_t *
txn_record_from_db(const struct ovsdb_db *db)
{
    json_t *record = json_object();
    struct shash_node *node;

    SHASH_FOR_EACH (node, &db->tables) {
        const struct ovsdb_table *table = node->data;
        const struct ovsdb_row *row;

        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            record_add_row(record, table, row, row_to_record(row));
        }
    }
    return record;
}
