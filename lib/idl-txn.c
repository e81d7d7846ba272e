/* idl-txn.c: the IDL's transactions (see idl.h), beside the replica of
 * lib/idl.c; idl-private.h is what the two share.
 *
 * Building.  Between ovsdb_idl_txn_create() and ovsdb_idl_txn_commit(),
 * each change goes into the row it touches, which joins the transaction's
 * list.  A write replaces the column in the row's 'new' copy, so that the
 * owner reads its own writes.  A set or map mutation ("insert", "delete")
 * changes that copy too and is also sent as a "mutate", which merges with
 * other clients' concurrent changes where a whole new value would undo
 * them (a row the transaction inserted, or a column it wrote whole, goes
 * out whole instead).  An inserted row sits in its table under a UUID of
 * our making until the commit names it with a "uuid-name", and references
 * to it become "named-uuid"s.
 *
 * Committing sends one "transact": the lock's "assert" if the IDL has a
 * lock; for each row touched an "insert", or a "wait" (the row still
 * exists and every column the owner verified still has the value read,
 * else "timed out" and TRY_AGAIN) followed by its "update" and "mutate",
 * or its "delete" (a deleted row of a non-root table is left to the
 * server's garbage collection); then ovsdb_idl_txn_increment()'s "mutate"
 * and "select", the comments, and an "abort" for a dry run.  The rows show
 * the replica again at once.  The outcome comes with the reply; a SUCCESS
 * also waits until the replica shows the rows the transaction inserted
 * into unconditionally monitored tables, so that an owner reading right
 * after the commit finds them.  A connection lost meanwhile ends it with
 * TRY_AGAIN (it may or may not have committed), or with its real status if
 * only the replica's update was awaited. */
#include <config.h>
#include "idl-private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "vlog.h"

/* Logs under idl.c's module (see idl_vlog_module()). */
#define this_module (idl_vlog_module())

/* Rows are const to readers; the transaction functions take them back. */
#define CONST_CAST(TYPE, POINTER) ((TYPE) (uintptr_t) (const void *) (POINTER))

struct ovsdb_idl_txn {
    struct ovsdb_idl *idl;
    enum ovsdb_idl_txn_status status;
    struct ovs_list rows;       /* Rows touched, via txn_node. */
    struct hmap inserted;       /* Inserted rows by temporary uuid. */
    char *error;
    char **comments;
    size_t n_comments;
    bool dry_run;

    const struct ovsdb_idl_row *inc_row;
    size_t inc_idx;
    int64_t inc_new_value;
    int inc_op;                 /* Index of the select op, or -1. */

    /* Inserted rows (pointers, owned through in_txn) to the index of their
     * insert op, and after success to their real uuid. */
    struct idl_insert {
        const struct ovsdb_idl_row *row;
        int op;
        struct uuid real;
        bool have_real;
    } *inserts;
    size_t n_inserts;
    int n_ops;

    int64_t request_id;         /* While INCOMPLETE. */
    bool awaiting_replica;      /* Succeeded, replica not there yet. */
    enum ovsdb_idl_txn_status final_status;

    ovsdb_idl_txn_done_cb *done_cb;
    void *done_aux;
};

const char *
ovsdb_idl_txn_status_to_string(enum ovsdb_idl_txn_status status)
{
    switch (status) {
    case OVSDB_IDL_TXN_UNCOMMITTED: return "uncommitted";
    case OVSDB_IDL_TXN_UNCHANGED: return "unchanged";
    case OVSDB_IDL_TXN_INCOMPLETE: return "incomplete";
    case OVSDB_IDL_TXN_ABORTED: return "aborted";
    case OVSDB_IDL_TXN_SUCCESS: return "success";
    case OVSDB_IDL_TXN_TRY_AGAIN: return "try again";
    case OVSDB_IDL_TXN_ERROR: return "error";
    case OVSDB_IDL_TXN_NOT_LOCKED: return "not locked";
    }
    return "<invalid>";
}

struct ovsdb_idl_txn *
ovsdb_idl_txn_create(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_txn *txn;

    if (idl->txn) {
        return NULL;
    }
    txn = xzalloc(sizeof *txn);
    txn->idl = idl;
    txn->status = OVSDB_IDL_TXN_UNCOMMITTED;
    ovs_list_init(&txn->rows);
    hmap_init(&txn->inserted);
    txn->inc_op = -1;
    txn->inc_new_value = -1;
    idl->txn = txn;
    return txn;
}

struct ovsdb_idl_txn *
ovsdb_idl_get_txn(const struct ovsdb_idl *idl)
{
    return idl->txn;
}

/* Ends read-your-writes: rows show the replica again and rows the
 * transaction inserted leave the tables (they stay allocated, for
 * ovsdb_idl_txn_get_insert_uuid(), until the transaction is destroyed). */
static void
txn_disassemble(struct ovsdb_idl_txn *txn)
{
    struct ovsdb_idl_row *row;

    LIST_FOR_EACH (row, txn_node, &txn->rows) {
        if (row->txn_inserted) {
            if (row->in_replica) {
                hmap_remove(&row->table->rows, &row->node);
                row->in_replica = false;
            }
            continue;
        }
        idl_fields_destroy(row->table, row->new, row->n_fields);
        row->new = NULL;
        for (size_t i = 0; i < row->n_fields; i++) {
            row->flags[i] &= ~(FIELD_WRITTEN | FIELD_VERIFIED);
        }
        idl_row_clear_mutations(row);
        row->txn_deleted = false;
    }
}

void
ovsdb_idl_txn_destroy(struct ovsdb_idl_txn *txn)
{
    struct ovsdb_idl_row *row;

    if (!txn) {
        return;
    }
    txn_disassemble(txn);
    LIST_FOR_EACH_POP (row, txn_node, &txn->rows) {
        row->in_txn = false;
        idl_row_maybe_free(row);    /* Frees the rows the transaction made. */
    }
    hmap_destroy(&txn->inserted);
    for (size_t i = 0; i < txn->n_comments; i++) {
        free(txn->comments[i]);
    }
    free(txn->comments);
    free(txn->inserts);
    free(txn->error);
    if (txn->idl->txn == txn) {
        txn->idl->txn = NULL;
    }
    free(txn);
}

/* Checks that 'row' may be changed by the open transaction of its IDL and
 * adds it to the transaction. */
static struct ovsdb_idl_txn *
txn_touch(const struct ovsdb_idl_row *row_)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    struct ovsdb_idl_txn *txn = row->table->idl->txn;

    if (!txn || txn->status != OVSDB_IDL_TXN_UNCOMMITTED) {
        xsw_fatal("idl: changing a row without an open transaction");
    }
    if (!row->in_txn) {
        row->in_txn = true;
        ovs_list_push_back(&txn->rows, &row->txn_node);
    }
    idl_row_ensure_fields(row);
    return txn;
}

/* Gives 'row' its transaction copy, if it does not have one yet. */
static void
row_prepare_new(struct ovsdb_idl_row *row)
{
    if (!row->new) {
        row->new = idl_fields_clone(row->table, row->old, row->n_fields);
    }
}

static bool
column_is_writable(const struct ovsdb_idl_row *row,
                   const struct ovsdb_idl_column *column)
{
    return column && column->table == row->table && column->schema;
}

const struct ovsdb_idl_row *
ovsdb_idl_txn_insert(struct ovsdb_idl_txn *txn,
                     struct ovsdb_idl_table *table, const struct uuid *uuid)
{
    struct ovsdb_idl_row *row;
    struct uuid u;

    if (uuid) {
        u = *uuid;
    } else {
        uuid_generate(&u);
    }
    row = idl_row_create(table, &u, false);
    row->txn_inserted = true;
    row->in_txn = true;
    ovs_list_push_back(&txn->rows, &row->txn_node);
    hmap_insert(&txn->inserted, &row->txn_insert_node, uuid_hash(&u));
    idl_row_insert_into_replica(row);
    return row;
}

void
ovsdb_idl_txn_write(const struct ovsdb_idl_row *row_,
                    const struct ovsdb_idl_column *column,
                    struct ovsdb_datum *datum)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    const struct ovsdb_type *type;

    txn_touch(row);
    if (!column_is_writable(row, column)) {
        VLOG_WARN("%s: cannot write column %s of table %s (not replicated)",
                  row->table->idl->remote, column ? column->name : "?",
                  row->table->name);
        return;
    }
    type = &column->schema->type;
    row_prepare_new(row);
    ovsdb_datum_destroy(&row->new[column->idx], type);
    row->new[column->idx] = *datum;
    ovsdb_datum_init_empty(datum);
    row->flags[column->idx] |= FIELD_WRITTEN;

    /* The whole value supersedes earlier mutations of the column. */
    size_t n = 0;
    for (size_t i = 0; i < row->n_mutations; i++) {
        struct idl_mutation *m = &row->mutations[i];
        if (m->idx == column->idx) {
            free(m->mutator);
            json_decref(m->arg);
        } else {
            row->mutations[n++] = *m;
        }
    }
    row->n_mutations = n;
}

static void
write_atom(const struct ovsdb_idl_row *row,
           const struct ovsdb_idl_column *column, union ovsdb_atom *atom)
{
    struct ovsdb_datum d;

    d.n = 1;
    d.keys = xmemdup(atom, sizeof *atom);
    d.values = NULL;
    ovsdb_idl_txn_write(row, column, &d);
}

void
ovsdb_idl_txn_write_string(const struct ovsdb_idl_row *row,
                           const struct ovsdb_idl_column *column,
                           const char *s)
{
    union ovsdb_atom atom = { .string = xstrdup(s) };
    write_atom(row, column, &atom);
}

void
ovsdb_idl_txn_write_integer(const struct ovsdb_idl_row *row,
                            const struct ovsdb_idl_column *column,
                            int64_t value)
{
    union ovsdb_atom atom = { .integer = value };
    write_atom(row, column, &atom);
}

void
ovsdb_idl_txn_write_boolean(const struct ovsdb_idl_row *row,
                            const struct ovsdb_idl_column *column,
                            bool value)
{
    union ovsdb_atom atom = { .boolean = value };
    write_atom(row, column, &atom);
}

/* The type of the keys of 'type', as a set of any size. */
static struct ovsdb_type
key_set_type(const struct ovsdb_type *type)
{
    struct ovsdb_type t = {
        .key = type->key,       /* Shallow: read only, never destroyed. */
        .value = { .type = OVSDB_TYPE_VOID },
        .n_min = 0,
        .n_max = OVSDB_UNLIMITED,
    };
    return t;
}

int
ovsdb_idl_txn_mutate(const struct ovsdb_idl_row *row_,
                     const struct ovsdb_idl_column *column,
                     const char *mutator, const struct ovsdb_datum *datum)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);
    bool insert = !strcmp(mutator, "insert");
    const struct ovsdb_type *type;
    struct ovsdb_type arg_type;
    bool keys_only;

    if (!insert && strcmp(mutator, "delete")) {
        return EINVAL;
    }
    txn_touch(row);
    if (!column_is_writable(row, column)) {
        return EINVAL;
    }
    type = &column->schema->type;
    keys_only = (!insert && ovsdb_type_is_map(type) && !datum->values);
    arg_type = keys_only ? key_set_type(type) : *type;
    arg_type.n_min = 0;
    arg_type.n_max = OVSDB_UNLIMITED;

    row_prepare_new(row);
    if (insert) {
        ovsdb_datum_union(&row->new[column->idx], datum, type);
    } else {
        ovsdb_datum_subtract(&row->new[column->idx], type, datum, &arg_type);
    }

    if (row->txn_inserted || (row->flags[column->idx] & FIELD_WRITTEN)) {
        /* The row or column goes out whole anyway. */
        row->flags[column->idx] |= FIELD_WRITTEN;
        return 0;
    }
    row->mutations = xrealloc(row->mutations,
                              (row->n_mutations + 1)
                              * sizeof *row->mutations);
    row->mutations[row->n_mutations++] = (struct idl_mutation) {
        .idx = column->idx,
        .mutator = xstrdup(mutator),
        .arg = ovsdb_datum_to_json(datum, &arg_type),
    };
    return 0;
}

void
ovsdb_idl_txn_delete(const struct ovsdb_idl_row *row_)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);

    txn_touch(row);
    row->txn_deleted = true;
}

void
ovsdb_idl_txn_verify(const struct ovsdb_idl_row *row_,
                     const struct ovsdb_idl_column *column)
{
    struct ovsdb_idl_row *row = CONST_CAST(struct ovsdb_idl_row *, row_);

    txn_touch(row);
    if (column_is_writable(row, column) && !row->txn_inserted) {
        row->flags[column->idx] |= FIELD_VERIFIED;
    }
}

void
ovsdb_idl_txn_increment(struct ovsdb_idl_txn *txn,
                        const struct ovsdb_idl_row *row,
                        const struct ovsdb_idl_column *column)
{
    if (column_is_writable(row, column)
        && column->schema->type.key.type == OVSDB_TYPE_INTEGER) {
        txn_touch(row);
        txn->inc_row = row;
        txn->inc_idx = column->idx;
    }
}

int64_t
ovsdb_idl_txn_get_increment_new_value(const struct ovsdb_idl_txn *txn)
{
    return txn->inc_new_value;
}

void
ovsdb_idl_txn_add_comment(struct ovsdb_idl_txn *txn, const char *fmt, ...)
{
    va_list args;

    va_start(args, fmt);
    txn->comments = xrealloc(txn->comments,
                             (txn->n_comments + 1) * sizeof *txn->comments);
    txn->comments[txn->n_comments++] = xvasprintf(fmt, args);
    va_end(args);
}

void
ovsdb_idl_txn_set_dry_run(struct ovsdb_idl_txn *txn)
{
    txn->dry_run = true;
}

void
ovsdb_idl_txn_set_done_cb(struct ovsdb_idl_txn *txn,
                          ovsdb_idl_txn_done_cb *cb, void *aux)
{
    txn->done_cb = cb;
    txn->done_aux = aux;
}

/* The "uuid-name" of a row the transaction inserts. */
static char *
named_uuid(const struct uuid *uuid)
{
    char *name = xasprintf("row"UUID_FMT, UUID_ARGS(uuid));

    for (char *p = name; *p; p++) {
        if (*p == '-') {
            *p = '_';
        }
    }
    return name;
}

/* Rewrites ["uuid", U] into ["named-uuid", NAME] throughout 'json' for
 * every U the transaction inserts, so that new rows can refer to each
 * other.  Returns 'json'. */
static json_t *
substitute_uuids(struct ovsdb_idl_txn *txn, json_t *json)
{
    if (json_is_array(json)) {
        const char *s;
        struct uuid uuid;

        if (json_array_size(json) == 2
            && (s = json_string_value(json_array_get(json, 0)))
            && !strcmp(s, "uuid")
            && (s = json_string_value(json_array_get(json, 1)))
            && uuid_from_string(&uuid, s)) {
            const struct ovsdb_idl_row *row;

            HMAP_FOR_EACH_WITH_HASH (row, txn_insert_node, uuid_hash(&uuid),
                                     &txn->inserted) {
                if (uuid_equals(&row->uuid, &uuid) && !row->txn_deleted) {
                    char *name = named_uuid(&uuid);
                    json_array_set_new(json, 0, json_string("named-uuid"));
                    json_array_set_new(json, 1, json_string(name));
                    free(name);
                    break;
                }
            }
            return json;
        }
        for (size_t i = 0; i < json_array_size(json); i++) {
            substitute_uuids(txn, json_array_get(json, i));
        }
    } else if (json_is_object(json)) {
        const char *key;
        json_t *value;

        json_object_foreach (json, key, value) {
            substitute_uuids(txn, value);
        }
    }
    return json;
}

static json_t *
where_uuid(const struct ovsdb_idl_row *row)
{
    char s[UUID_LEN + 1];

    uuid_to_string(&row->uuid, s);
    return json_pack("[[s s [s s]]]", "_uuid", "==", "uuid", s);
}

static json_t *
field_json(struct ovsdb_idl_txn *txn, const struct ovsdb_idl_row *row,
           const struct ovsdb_datum *fields, size_t idx)
{
    return substitute_uuids(txn, ovsdb_datum_to_json(
                                &fields[idx],
                                &row->table->columns[idx]->schema->type));
}

static bool
row_has_verified_field(const struct ovsdb_idl_row *row)
{
    for (size_t i = 0; i < row->n_fields; i++) {
        if (row->flags[i] & FIELD_VERIFIED) {
            return true;
        }
    }
    return false;
}

/* Appends to 'ops' the operations for 'row'.  Returns true if they change
 * the database (not just check it). */
static bool
txn_row_ops(struct ovsdb_idl_txn *txn, const struct ovsdb_idl_row *row,
            json_t *ops)
{
    struct ovsdb_idl_table *table = row->table;
    bool changes = false;

    if (row->txn_inserted) {
        if (row->txn_deleted) {
            return false;
        }
        json_t *values = json_object();
        for (size_t i = 0; i < row->n_fields; i++) {
            if (row->flags[i] & FIELD_WRITTEN) {
                json_object_set_new(values, table->columns[i]->name,
                                    field_json(txn, row, row->new, i));
            }
        }
        txn->inserts = xrealloc(txn->inserts,
                                (txn->n_inserts + 1) * sizeof *txn->inserts);
        txn->inserts[txn->n_inserts++] = (struct idl_insert) {
            .row = row, .op = (int) json_array_size(ops) - 1,
        };
        char *name = named_uuid(&row->uuid);
        json_array_append_new(ops, json_pack("{s:s s:s s:o s:s}",
                                             "op", "insert",
                                             "table", table->name,
                                             "row", values,
                                             "uuid-name", name));
        free(name);
        return true;
    }

    /* A deleted row of a non-root table is left to the server's garbage
     * collection, as Open vSwitch's IDL leaves it: the server deletes it
     * once nothing refers to it, which the same transaction usually
     * arranges (a port taken out of its bridge), and keeps it while
     * something else still does.  Only what the caller verified of it is
     * checked. */
    bool leave_to_server = (row->txn_deleted && table->schema
                            && !table->schema->is_root);
    if (leave_to_server && !row_has_verified_field(row)) {
        return false;
    }

    /* A "wait" first: the row still exists and every verified column still
     * has the value we read, else the commit fails with "timed out" and
     * the caller gets TRY_AGAIN. */
    json_t *columns = json_pack("[s]", "_uuid");
    char s[UUID_LEN + 1];
    uuid_to_string(&row->uuid, s);
    json_t *expect = json_pack("{s:[s s]}", "_uuid", "uuid", s);
    for (size_t i = 0; i < row->n_fields; i++) {
        if (row->flags[i] & FIELD_VERIFIED) {
            json_array_append_new(columns,
                                  json_string(table->columns[i]->name));
            json_object_set_new(expect, table->columns[i]->name,
                                field_json(txn, row, row->old, i));
        }
    }
    json_array_append_new(ops, json_pack("{s:s s:s s:o s:i s:o s:s s:[o]}",
                                         "op", "wait", "table", table->name,
                                         "where", where_uuid(row),
                                         "timeout", 0, "columns", columns,
                                         "until", "==", "rows", expect));

    if (leave_to_server) {
        return false;
    }
    if (row->txn_deleted) {
        json_array_append_new(ops, json_pack("{s:s s:s s:o}",
                                             "op", "delete",
                                             "table", table->name,
                                             "where", where_uuid(row)));
        return true;
    }

    json_t *values = json_object();
    for (size_t i = 0; i < row->n_fields; i++) {
        if (row->flags[i] & FIELD_WRITTEN) {
            json_object_set_new(values, table->columns[i]->name,
                                field_json(txn, row, row->new, i));
        }
    }
    if (json_object_size(values)) {
        json_array_append_new(ops, json_pack("{s:s s:s s:o s:o}",
                                             "op", "update",
                                             "table", table->name,
                                             "where", where_uuid(row),
                                             "row", values));
        changes = true;
    } else {
        json_decref(values);
    }
    if (row->n_mutations) {
        json_t *mutations = json_array();
        for (size_t i = 0; i < row->n_mutations; i++) {
            const struct idl_mutation *m = &row->mutations[i];
            json_array_append_new(
                mutations,
                json_pack("[s s o]", table->columns[m->idx]->name,
                          m->mutator,
                          substitute_uuids(txn, json_deep_copy(m->arg))));
        }
        json_array_append_new(ops, json_pack("{s:s s:s s:o s:o}",
                                             "op", "mutate",
                                             "table", table->name,
                                             "where", where_uuid(row),
                                             "mutations", mutations));
        changes = true;
    }
    return changes;
}

static void
txn_finish(struct ovsdb_idl_txn *txn, enum ovsdb_idl_txn_status status)
{
    txn->status = status;
    txn_disassemble(txn);
}

enum ovsdb_idl_txn_status
ovsdb_idl_txn_commit(struct ovsdb_idl_txn *txn)
{
    struct ovsdb_idl *idl = txn->idl;
    struct ovsdb_idl_row *row;
    bool changes = false;
    json_t *ops;

    if (txn->status != OVSDB_IDL_TXN_UNCOMMITTED) {
        return txn->status;
    }
    if (idl->lock_name && !idl->has_lock) {
        txn_finish(txn, OVSDB_IDL_TXN_NOT_LOCKED);
        return txn->status;
    }

    ops = json_pack("[s]", idl->db_name);
    if (idl->lock_name) {
        json_array_append_new(ops, json_pack("{s:s s:s}", "op", "assert",
                                             "lock", idl->lock_name));
    }
    LIST_FOR_EACH (row, txn_node, &txn->rows) {
        if (txn_row_ops(txn, row, ops)) {
            changes = true;
        }
    }
    if (txn->inc_row) {
        const struct ovsdb_idl_row *r = txn->inc_row;
        const char *col = r->table->columns[txn->inc_idx]->name;

        json_array_append_new(ops, json_pack("{s:s s:s s:o s:[[s s i]]}",
                                             "op", "mutate",
                                             "table", r->table->name,
                                             "where", where_uuid(r),
                                             "mutations", col, "+=", 1));
        json_array_append_new(ops, json_pack("{s:s s:s s:o s:[s]}",
                                             "op", "select",
                                             "table", r->table->name,
                                             "where", where_uuid(r),
                                             "columns", col));
        /* Results are numbered from the first op, after the db name. */
        txn->inc_op = (int) json_array_size(ops) - 2;
        changes = true;
    }
    if (!changes) {
        json_decref(ops);
        txn_finish(txn, OVSDB_IDL_TXN_UNCHANGED);
        return txn->status;
    }
    for (size_t i = 0; i < txn->n_comments; i++) {
        json_array_append_new(ops, json_pack("{s:s s:s}", "op", "comment",
                                             "comment", txn->comments[i]));
    }
    if (txn->dry_run) {
        json_array_append_new(ops, json_pack("{s:s}", "op", "abort"));
    }
    txn->n_ops = (int) json_array_size(ops) - 1;

    if (!ovsdb_idl_is_synced(idl)) {
        json_decref(ops);
        txn_finish(txn, OVSDB_IDL_TXN_TRY_AGAIN);
        return txn->status;
    }
    txn->request_id = idl->next_request_id++;
    txn_disassemble(txn);
    txn->status = OVSDB_IDL_TXN_INCOMPLETE;
    idl_send(idl, jsonrpc_create_request("transact", ops,
                                         json_integer(txn->request_id)));
    return txn->status;
}

/* Sets the final status and tells the owner. */
static void
txn_complete(struct ovsdb_idl_txn *txn, enum ovsdb_idl_txn_status status)
{
    txn->status = status;
    txn->awaiting_replica = false;
    if (txn->done_cb) {
        txn->done_cb(txn, status, txn->done_aux);   /* May destroy 'txn'. */
    }
}

/* After SUCCESS, waits until the replica shows the rows the transaction
 * inserted into and deleted from unconditionally monitored tables, in case
 * a server sent the reply before the update. */
static void
txn_check_replica(struct ovsdb_idl_txn *txn)
{
    for (size_t i = 0; i < txn->n_inserts; i++) {
        const struct idl_insert *ins = &txn->inserts[i];
        if (ins->have_real && ins->row->table->schema
            && !ins->row->table->condition
            && !idl_table_find_row(ins->row->table, &ins->real)) {
            txn->awaiting_replica = true;
            return;
        }
    }
    txn_complete(txn, txn->final_status);
}

static void
txn_set_error(struct ovsdb_idl_txn *txn, const json_t *error)
{
    const char *tag = json_string_value(json_object_get(error, "error"));
    const char *details = json_string_value(json_object_get(error,
                                                            "details"));

    if (txn->error) {
        return;                 /* Keep the first: later ones follow. */
    }
    if (tag && details) {
        txn->error = xasprintf("%s: %s", tag, details);
    } else if (tag) {
        txn->error = xstrdup(tag);
    } else {
        txn->error = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);
    }
}

void
idl_txn_handle_reply(struct ovsdb_idl_txn *txn, const struct jsonrpc_msg *msg)
{
    bool hard = false, soft = false, lock = false;
    enum ovsdb_idl_txn_status status;

    if (msg->type == JSONRPC_ERROR) {
        if (json_is_object(msg->error)) {
            txn_set_error(txn, msg->error);
        } else {
            txn->error = json_dumps(msg->error,
                                    JSON_COMPACT | JSON_ENCODE_ANY);
        }
        hard = true;
    } else if (!json_is_array(msg->result)) {
        txn->error = xstrdup("reply to \"transact\" is not an array");
        hard = true;
    } else {
        size_t i;
        json_t *r;

        json_array_foreach (msg->result, i, r) {
            const char *tag = json_string_value(json_object_get(r, "error"));

            if (!tag) {
                continue;
            } else if (!strcmp(tag, "timed out")) {
                soft = true;
            } else if (!strcmp(tag, "not owner")) {
                lock = true;
            } else if (!strcmp(tag, "aborted") && txn->dry_run
                       && (int) i == txn->n_ops - 1) {
                continue;
            } else {
                txn_set_error(txn, r);
                hard = true;
            }
        }
        if (!hard && !soft && !lock) {
            for (size_t k = 0; k < txn->n_inserts; k++) {
                struct idl_insert *ins = &txn->inserts[k];
                json_t *u = json_object_get(json_array_get(msg->result,
                                                           ins->op),
                                            "uuid");
                ins->have_real = uuid_from_string(
                    &ins->real, json_string_value(json_array_get(u, 1))
                                ? json_string_value(json_array_get(u, 1))
                                : "");
            }
            if (txn->inc_op >= 0) {
                json_t *rows = json_object_get(
                    json_array_get(msg->result, txn->inc_op), "rows");
                json_t *v = json_object_get(
                    json_array_get(rows, 0),
                    txn->inc_row->table->columns[txn->inc_idx]->name);
                txn->inc_new_value = json_is_integer(v)
                                     ? json_integer_value(v) : -1;
            }
        }
    }

    status = (hard ? OVSDB_IDL_TXN_ERROR
              : lock ? OVSDB_IDL_TXN_NOT_LOCKED
              : soft ? OVSDB_IDL_TXN_TRY_AGAIN
              : OVSDB_IDL_TXN_SUCCESS);
    if (status == OVSDB_IDL_TXN_SUCCESS && !txn->dry_run) {
        txn->final_status = status;
        txn_check_replica(txn);
    } else {
        txn_complete(txn, status);
    }
}

static enum ovsdb_idl_txn_status
ovsdb_idl_txn_get_status(const struct ovsdb_idl_txn *txn)
{
    return txn->status == OVSDB_IDL_TXN_INCOMPLETE || txn->awaiting_replica
           ? OVSDB_IDL_TXN_INCOMPLETE : txn->status;
}

const char *
ovsdb_idl_txn_get_error(const struct ovsdb_idl_txn *txn)
{
    return txn->status == OVSDB_IDL_TXN_ERROR ? txn->error : NULL;
}

const struct uuid *
ovsdb_idl_txn_get_insert_uuid(const struct ovsdb_idl_txn *txn,
                              const struct ovsdb_idl_row *row)
{
    if (txn->status != OVSDB_IDL_TXN_SUCCESS) {
        return NULL;
    }
    for (size_t i = 0; i < txn->n_inserts; i++) {
        if (txn->inserts[i].row == row && txn->inserts[i].have_real) {
            return &txn->inserts[i].real;
        }
    }
    return NULL;
}

/* ---- Blocking. ---- */

static bool
txn_is_done(struct ovsdb_idl *idl OVS_UNUSED, void *txn)
{
    return ovsdb_idl_txn_get_status(txn) != OVSDB_IDL_TXN_INCOMPLETE;
}

enum ovsdb_idl_txn_status
ovsdb_idl_txn_commit_block(struct ovsdb_idl_txn *txn, int timeout_ms)
{
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);

    if (status == OVSDB_IDL_TXN_INCOMPLETE) {
        idl_run_until(txn->idl, txn_is_done, txn, timeout_ms, false);
        status = ovsdb_idl_txn_get_status(txn);
    }
    return status;
}

/* ---- What the replica tells the transaction. ---- */

int64_t
idl_txn_pending_request(const struct ovsdb_idl_txn *txn)
{
    return txn->status == OVSDB_IDL_TXN_INCOMPLETE ? txn->request_id : 0;
}

void
idl_txn_replica_changed(struct ovsdb_idl_txn *txn)
{
    if (txn->awaiting_replica) {
        txn_check_replica(txn);
    }
}

void
idl_txn_disconnected(struct ovsdb_idl_txn *txn)
{
    if (txn->awaiting_replica) {
        /* It committed; the update it waited for will come with the
         * replica's reload after the reconnect. */
        txn_complete(txn, txn->final_status);
    } else if (txn->status == OVSDB_IDL_TXN_INCOMPLETE) {
        /* We cannot know whether it committed: the caller re-reads the
         * replica and retries, as with Open vSwitch. */
        txn_complete(txn, OVSDB_IDL_TXN_TRY_AGAIN);
    }
}
