/* idl.c: the client-side replica of an OVSDB database.
 *
 * Structure of this file:
 *
 *   connection   a jsonrpc_session connects, backs off, reconnects and
 *                answers echo requests; its callbacks drive the states
 *                below (connected, connect failed, disconnected), and a
 *                failed attempt is recorded for a CLI to report
 *   protocol     get_schema -> lock -> monitor_cond_since (or fallbacks),
 *                dispatch of replies and notifications
 *   replica      applying table updates (update, update2, update3) to rows,
 *                change tracking
 *   reading      the public getters
 *   blocking     the helpers that run the loop until something happens
 *
 * Transactions are in idl-txn.c; idl-private.h holds what the two files
 * share (the structures, the row helpers, and the events the replica
 * passes to the transaction).
 *
 * Rows.  A row holds one datum per registered column of its table
 * (row->old, indexed like table->columns), whatever the server's column
 * order.  A transaction that changes a row gives it a second array,
 * row->new, a full copy that getters prefer, which is how the transaction
 * reads its own writes.  A row is freed only when nothing refers to it: not
 * the replica (in table->rows), not change tracking (a deleted row kept for
 * its last values) and not the open transaction (see idl_row_maybe_free()). */
#include <config.h>
#include "idl-private.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hash.h"
#include "ovsdb-error.h"
#include "stream.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(idl);

#define ZERO_TXN_ID "00000000-0000-0000-0000-000000000000"

static void idl_send_monitor(struct ovsdb_idl *);
static void idl_kick(struct ovsdb_idl *);
static void idl_clear_replica(struct ovsdb_idl *);
static void idl_changed(struct ovsdb_idl *);
static const struct ovsdb_type *column_type(const struct ovsdb_idl_column *);

static void PRINTF_FORMAT(2, 3)
idl_warn(struct ovsdb_idl *idl, const char *format, ...)
{
    va_list args;
    char *msg;

    va_start(args, format);
    msg = xvasprintf(format, args);
    va_end(args);
    if (idl->warning_cb) {
        idl->warning_cb(idl, msg, idl->warning_aux);
    } else {
        VLOG_WARN("%s", msg);
    }
    free(msg);
}

struct vlog_module *
idl_vlog_module(void)
{
    return this_module;
}

/* Records a failure that ovsdb_idl_run_until_synced() reports.  Takes
 * 'msg'. */
static void
idl_fail(struct ovsdb_idl *idl, int error, char *msg)
{
    free(idl->last_error);
    idl->last_errno = error;
    idl->last_error = msg;
    idl->n_failures++;
}

/* ---- Connection. ---- */

static void
idl_timer_closed(uv_handle_t *handle)
{
    struct ovsdb_idl *idl = handle->data;

    if (!--idl->n_handles) {
        free(idl);
    }
}

static bool
idl_is_connected(const struct ovsdb_idl *idl)
{
    return idl->session && jsonrpc_session_is_connected(idl->session);
}

int
idl_send(struct ovsdb_idl *idl, json_t *msg)
{
    if (!idl_is_connected(idl)) {
        json_decref(msg);
        return ENOTCONN;
    }
    return jsonrpc_session_send(idl->session, msg);
}

/* Sends a request and returns its id. */
static int64_t
idl_request(struct ovsdb_idl *idl, const char *method, json_t *params)
{
    int64_t id = idl->next_request_id++;

    idl_send(idl, jsonrpc_create_request(method, params, json_integer(id)));
    return id;
}

/* The connection is gone (or never came): forget per-connection state and
 * fail what cannot survive it. */
static void
idl_disconnected(struct ovsdb_idl *idl)
{
    bool had_lock = idl->has_lock;

    idl->schema_request = idl->monitor_request = 0;
    idl->cond_request = idl->lock_request = 0;
    if (idl->state != IDL_S_FAILED) {
        idl->state = IDL_S_DISCONNECTED;
    }
    idl->has_lock = idl->lock_contended = false;
    if (idl->txn) {
        idl_txn_disconnected(idl->txn);
    }
    if (had_lock) {
        idl_changed(idl);
    } else {
        idl->seqno++;
    }
}

static void idl_on_msg(struct jsonrpc_session *, json_t *msg, void *aux);

static void
idl_on_disconnected(struct jsonrpc_session *session OVS_UNUSED,
                    const char *reason, void *idl_)
{
    struct ovsdb_idl *idl = idl_;

    if (idl->state == IDL_S_SCHEMA_REQUESTED
        || idl->state == IDL_S_MONITOR_REQUESTED) {
        /* Dropped before we ever got the database: as good as refused. */
        idl_fail(idl, ECONNRESET,
                 xasprintf("%s: database connection failed (%s)",
                           idl->remote, reason));
    }
    idl_disconnected(idl);
}

static void
idl_on_connect_failed(struct jsonrpc_session *session OVS_UNUSED, int error,
                      const char *reason, void *idl_)
{
    struct ovsdb_idl *idl = idl_;

    idl_fail(idl, error, xasprintf("%s: database connection failed (%s)",
                                   idl->remote, reason));
}

static void
idl_on_connected(struct jsonrpc_session *session OVS_UNUSED, void *idl_)
{
    struct ovsdb_idl *idl = idl_;

    idl->state = IDL_S_SCHEMA_REQUESTED;
    idl->schema_request = idl_request(idl, "get_schema",
                                      json_pack("[s]", idl->db_name));
}

struct ovsdb_idl *
ovsdb_idl_create(uv_loop_t *loop, const char *remote, const char *db_name)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_connected = idl_on_connected,
        .on_msg = idl_on_msg,
        .on_disconnected = idl_on_disconnected,
        .on_connect_failed = idl_on_connect_failed,
    };
    /* Probed as Open vSwitch's IDL probes its remote, which ovs-vswitchd
     * and ovs-vsctl keep: every 5 s over TCP and TLS, never over Unix. */
    struct jsonrpc_session_options options = {
        .conn.probe_interval_ms = (stream_needs_probes(remote)
                                   ? JSONRPC_PROBE_INTERVAL_DEFAULT : 0),
    };
    struct ovsdb_idl *idl = xzalloc(sizeof *idl);
    char *msg = NULL;
    int error;

    idl->loop = loop;
    idl->remote = xstrdup(remote);
    idl->db_name = xstrdup(db_name);
    idl->next_request_id = 1;
    idl->monitor_version = IDL_MONITOR_V3;
    strcpy(idl->last_txn_id, ZERO_TXN_ID);
    shash_init(&idl->tables);

    uv_timer_init(loop, &idl->kick_timer);
    uv_timer_init(loop, &idl->deadline_timer);
    idl->kick_timer.data = idl->deadline_timer.data = idl;
    idl->n_handles = 2;

    /* An ssl: remote speaks TLS with the program's configuration (see
     * stream_set_default_tls_config()). */
    error = jsonrpc_session_create(loop, remote, &cbs, &options, idl,
                                   &idl->session, &msg);
    if (error) {
        idl_fail(idl, error, msg ? msg : xasprintf("%s: invalid remote",
                                                   remote));
        idl->state = IDL_S_FAILED;
    }
    return idl;
}

static void
table_destroy(struct ovsdb_idl_table *table)
{
    for (size_t i = 0; i < table->n_columns; i++) {
        free(table->columns[i]->name);
        free(table->columns[i]);
    }
    free(table->columns);
    shash_destroy(&table->columns_by_name);
    json_decref(table->condition);
    hmap_destroy(&table->rows);
    free(table->name);
    free(table);
}

void
ovsdb_idl_destroy(struct ovsdb_idl *idl)
{
    struct shash_node *node;

    if (!idl) {
        return;
    }
    idl->destroyed = true;
    ovsdb_idl_txn_destroy(idl->txn);    /* Calls no done callback. */
    jsonrpc_session_destroy(idl->session);     /* No callbacks after. */

    idl->tracking = false;
    idl_clear_replica(idl);
    ovsdb_idl_track_clear(idl);
    SHASH_FOR_EACH (node, &idl->tables) {
        table_destroy(node->data);
    }
    shash_destroy(&idl->tables);
    ovsdb_schema_destroy(idl->schema);
    json_decref(idl->schema_json);
    json_decref(idl->monitor_id);
    free(idl->lock_name);
    free(idl->last_error);
    free(idl->remote);
    free(idl->db_name);

    uv_close((uv_handle_t *) &idl->kick_timer, idl_timer_closed);
    uv_close((uv_handle_t *) &idl->deadline_timer, idl_timer_closed);
}

const char *
ovsdb_idl_get_remote(const struct ovsdb_idl *idl)
{
    return idl->remote;
}

const char *
ovsdb_idl_get_db_name(const struct ovsdb_idl *idl)
{
    return idl->db_name;
}

const struct ovsdb_schema *
ovsdb_idl_get_schema(const struct ovsdb_idl *idl)
{
    return idl->schema;
}

static bool
idl_conds_dirty(const struct ovsdb_idl *idl)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &idl->tables) {
        const struct ovsdb_idl_table *table = node->data;
        if (table->cond_dirty && table->schema) {
            return true;
        }
    }
    return false;
}

bool
ovsdb_idl_is_synced(const struct ovsdb_idl *idl)
{
    return (idl_is_connected(idl) && idl->state == IDL_S_MONITORING
            && !idl->cond_request && !idl->remonitor
            && (idl->monitor_version == IDL_MONITOR_V1
                || !idl_conds_dirty(idl))
            && (!idl->lock_name || idl->lock_request == 0));
}

unsigned int
ovsdb_idl_get_connection_seqno(const struct ovsdb_idl *idl)
{
    return idl->conn_seqno;
}

unsigned int
ovsdb_idl_get_reload_count(const struct ovsdb_idl *idl)
{
    return idl->n_reloads;
}

void
ovsdb_idl_set_retry(struct ovsdb_idl *idl, bool retry)
{
    idl->retry = retry;
}

void
ovsdb_idl_set_probe_interval(struct ovsdb_idl *idl, int ms)
{
    if (idl->session) {
        jsonrpc_session_set_probe_interval(idl->session, ms);
    }
}

void
ovsdb_idl_force_reconnect(struct ovsdb_idl *idl)
{
    if (idl->session) {
        jsonrpc_session_force_reconnect(idl->session);
    }
}

void
ovsdb_idl_set_warning_cb(struct ovsdb_idl *idl, ovsdb_idl_warning_cb *cb,
                         void *aux)
{
    idl->warning_cb = cb;
    idl->warning_aux = aux;
}

/* ---- Registration. ---- */

/* Points 'column' at its schema in the table's current schema (or NULL). */
static void
column_resolve(struct ovsdb_idl_column *column)
{
    const struct ovsdb_table_schema *ts = column->table->schema;

    column->schema = ts ? ovsdb_table_schema_get_column(ts, column->name)
                        : NULL;
    if (column->schema && column->schema->index < OVSDB_N_IMPLICIT_COLUMNS) {
        column->schema = NULL;   /* _uuid and _version are not columns. */
    }
}

static struct ovsdb_idl_column *
table_add_column(struct ovsdb_idl_table *table, const char *name)
{
    struct ovsdb_idl_column *column;

    column = shash_find_data(&table->columns_by_name, name);
    if (column) {
        return column;
    }
    column = xzalloc(sizeof *column);
    column->table = table;
    column->name = xstrdup(name);
    column->idx = table->n_columns;
    if (table->n_columns >= table->allocated_columns) {
        table->columns = x2nrealloc(table->columns,
                                    &table->allocated_columns,
                                    sizeof *table->columns);
    }
    table->columns[table->n_columns++] = column;
    shash_add(&table->columns_by_name, name, column);
    column_resolve(column);
    return column;
}

/* Registers every column of the table's schema, if known. */
static bool
table_add_schema_columns(struct ovsdb_idl_table *table)
{
    size_t n = table->n_columns;
    bool upgraded = false;

    if (table->schema) {
        for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS;
             i < table->schema->n_columns; i++) {
            struct ovsdb_idl_column *column
                = table_add_column(table, table->schema->columns[i]->name);
            upgraded |= !column->monitored;
            column->monitored = true;
        }
    }
    return table->n_columns != n || upgraded;
}

/* Registration changed what the server must send us: if a monitor is
 * already running, replace it. */
static void
idl_registration_changed(struct ovsdb_idl *idl)
{
    if (idl->state == IDL_S_MONITOR_REQUESTED
        || idl->state == IDL_S_MONITORING) {
        idl->remonitor = true;
        idl_kick(idl);
    }
}

struct ovsdb_idl_table *
ovsdb_idl_add_table(struct ovsdb_idl *idl, const char *name)
{
    struct ovsdb_idl_table *table = shash_find_data(&idl->tables, name);

    if (table) {
        return table;
    }
    table = xzalloc(sizeof *table);
    table->idl = idl;
    table->name = xstrdup(name);
    shash_init(&table->columns_by_name);
    hmap_init(&table->rows);
    ovs_list_init(&table->tracked);
    shash_add(&idl->tables, name, table);
    if (idl->schema) {
        table->schema = ovsdb_schema_get_table(idl->schema, name);
        if (!table->schema) {
            idl_warn(idl, "%s: database %s has no table %s (ignoring it)",
                     idl->remote, idl->db_name, name);
        }
    }
    idl_registration_changed(idl);
    return table;
}

const struct ovsdb_idl_column *
ovsdb_idl_add_column(struct ovsdb_idl_table *table, const char *name)
{
    size_t n = table->n_columns;
    struct ovsdb_idl_column *column = table_add_column(table, name);

    if (!column->monitored) {
        column->monitored = true;
        if (table->n_columns == n) {
            idl_registration_changed(table->idl);
        }
    }
    if (table->n_columns != n) {
        if (table->schema && !column->schema) {
            idl_warn(table->idl, "%s: table %s has no column %s (ignoring "
                     "it)", table->idl->remote, table->name, name);
        }
        idl_registration_changed(table->idl);
    }
    return column;
}

const struct ovsdb_idl_column *
ovsdb_idl_add_write_only_column(struct ovsdb_idl_table *table,
                                const char *name)
{
    size_t n = table->n_columns;
    struct ovsdb_idl_column *column = table_add_column(table, name);

    if (table->n_columns != n && table->schema && !column->schema) {
        idl_warn(table->idl, "%s: table %s has no column %s (ignoring it)",
                 table->idl->remote, table->name, name);
    }
    return column;
}

void
ovsdb_idl_add_all_columns(struct ovsdb_idl_table *table)
{
    table->all_columns = true;
    if (table_add_schema_columns(table)) {
        idl_registration_changed(table->idl);
    }
}

void
ovsdb_idl_set_condition(struct ovsdb_idl_table *table, json_t *where)
{
    if (where && json_is_array(where) && !json_array_size(where)) {
        json_decref(where);
        where = NULL;           /* [] is "every row", like no condition. */
    }
    if ((!where && !table->condition)
        || (where && table->condition && json_equal(where,
                                                    table->condition))) {
        json_decref(where);
        return;
    }
    json_decref(table->condition);
    table->condition = where;
    table->cond_dirty = true;
    if (table->idl->state == IDL_S_MONITORING) {
        idl_kick(table->idl);
    }
}

struct ovsdb_idl_table *
ovsdb_idl_table_from_name(const struct ovsdb_idl *idl, const char *name)
{
    return shash_find_data(&idl->tables, name);
}

const struct ovsdb_idl_column *
ovsdb_idl_column_from_name(const struct ovsdb_idl_table *table,
                           const char *name)
{
    return table ? shash_find_data(&table->columns_by_name, name) : NULL;
}

const char *
ovsdb_idl_table_get_name(const struct ovsdb_idl_table *table)
{
    return table->name;
}

const char *
ovsdb_idl_column_get_name(const struct ovsdb_idl_column *column)
{
    return column->name;
}

struct ovsdb_idl_table *
ovsdb_idl_column_get_table(const struct ovsdb_idl_column *column)
{
    return column->table;
}

const struct ovsdb_type *
ovsdb_idl_column_get_type(const struct ovsdb_idl_column *column)
{
    return column->schema ? &column->schema->type : NULL;
}

/* ---- Rows. ---- */

/* Unresolved columns hold empty datums, which need no real type to be
 * freed; this one stands in. */
static const struct ovsdb_type *
column_type(const struct ovsdb_idl_column *column)
{
    static const struct ovsdb_type empty_type = {
        .key = { .type = OVSDB_TYPE_INTEGER },
        .value = { .type = OVSDB_TYPE_VOID },
        .n_min = 0, .n_max = OVSDB_UNLIMITED,
    };
    return column->schema ? &column->schema->type : &empty_type;
}

static void
column_init_default(const struct ovsdb_idl_column *column,
                    struct ovsdb_datum *datum)
{
    if (column->schema) {
        ovsdb_datum_init_default(datum, &column->schema->type);
    } else {
        ovsdb_datum_init_empty(datum);
    }
}

void
idl_fields_destroy(struct ovsdb_idl_table *table, struct ovsdb_datum *fields,
               size_t n)
{
    if (fields) {
        for (size_t i = 0; i < n; i++) {
            ovsdb_datum_destroy(&fields[i], column_type(table->columns[i]));
        }
        free(fields);
    }
}

struct ovsdb_datum *
idl_fields_clone(struct ovsdb_idl_table *table, const struct ovsdb_datum *src,
             size_t n)
{
    struct ovsdb_datum *dst = xcalloc(n ? n : 1, sizeof *dst);

    for (size_t i = 0; i < n; i++) {
        ovsdb_datum_clone(&dst[i], &src[i], column_type(table->columns[i]));
    }
    return dst;
}

/* Grows 'row''s arrays to cover columns registered after it was made. */
void
idl_row_ensure_fields(struct ovsdb_idl_row *row)
{
    struct ovsdb_idl_table *table = row->table;
    size_t old_n = row->n_fields, n = table->n_columns;

    if (old_n >= n) {
        return;
    }
    row->flags = xrealloc(row->flags, n);
    memset(row->flags + old_n, 0, n - old_n);
    if (row->old) {
        row->old = xrealloc(row->old, n * sizeof *row->old);
        for (size_t i = old_n; i < n; i++) {
            column_init_default(table->columns[i], &row->old[i]);
        }
    }
    if (row->new) {
        row->new = xrealloc(row->new, n * sizeof *row->new);
        for (size_t i = old_n; i < n; i++) {
            column_init_default(table->columns[i], &row->new[i]);
        }
    }
    row->n_fields = n;
}

struct ovsdb_idl_row *
idl_row_create(struct ovsdb_idl_table *table, const struct uuid *uuid,
           bool with_old)
{
    struct ovsdb_idl_row *row = xzalloc(sizeof *row);
    size_t n = table->n_columns;
    struct ovsdb_datum *fields = xcalloc(n ? n : 1, sizeof *fields);

    row->uuid = *uuid;
    row->table = table;
    row->n_fields = n;
    row->flags = xzalloc(n ? n : 1);
    for (size_t i = 0; i < n; i++) {
        column_init_default(table->columns[i], &fields[i]);
    }
    if (with_old) {
        row->old = fields;
    } else {
        row->new = fields;
    }
    return row;
}

void
idl_row_clear_mutations(struct ovsdb_idl_row *row)
{
    for (size_t i = 0; i < row->n_mutations; i++) {
        free(row->mutations[i].mutator);
        json_decref(row->mutations[i].arg);
    }
    free(row->mutations);
    row->mutations = NULL;
    row->n_mutations = 0;
}

/* Frees 'row' once nothing refers to it any more. */
void
idl_row_maybe_free(struct ovsdb_idl_row *row)
{
    if (row->in_replica || row->in_txn
        || row->change != OVSDB_IDL_UNCHANGED) {
        return;
    }
    idl_fields_destroy(row->table, row->old, row->n_fields);
    idl_fields_destroy(row->table, row->new, row->n_fields);
    idl_row_clear_mutations(row);
    free(row->flags);
    free(row);
}

static void
row_track(struct ovsdb_idl_row *row, enum ovsdb_idl_change change)
{
    struct ovsdb_idl *idl = row->table->idl;

    if (!idl->tracking) {
        return;
    }
    if (row->change == OVSDB_IDL_UNCHANGED) {
        ovs_list_push_back(&row->table->tracked, &row->track_node);
        row->change = change;
    } else if (change == OVSDB_IDL_DELETED) {
        row->change = OVSDB_IDL_DELETED;
    }
    /* INSERTED then MODIFIED stays INSERTED. */
}

void
idl_row_insert_into_replica(struct ovsdb_idl_row *row)
{
    hmap_insert(&row->table->rows, &row->node, uuid_hash(&row->uuid));
    row->in_replica = true;
}

/* Takes 'row' out of the replica: tracked as deleted, or freed. */
static void
row_delete_from_replica(struct ovsdb_idl_row *row)
{
    hmap_remove(&row->table->rows, &row->node);
    row->in_replica = false;
    if (row->table->idl->tracking) {
        for (size_t i = 0; i < row->n_fields; i++) {
            row->flags[i] |= FIELD_CHANGED;
        }
    }
    row_track(row, OVSDB_IDL_DELETED);
    idl_row_maybe_free(row);
}

struct ovsdb_idl_row *
idl_table_find_row(const struct ovsdb_idl_table *table,
                   const struct uuid *uuid)
{
    struct ovsdb_idl_row *row;

    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(&row->uuid, uuid) && !row->txn_inserted) {
            return row;
        }
    }
    return NULL;
}

/* Removes every row from the replica (schema change, destroy). */
static void
idl_clear_replica(struct ovsdb_idl *idl)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &idl->tables) {
        struct ovsdb_idl_table *table = node->data;
        struct ovsdb_idl_row *row, *next;

        HMAP_FOR_EACH_SAFE (row, next, node, &table->rows) {
            if (!row->txn_inserted) {
                row_delete_from_replica(row);
            }
        }
    }
}

/* ---- Applying updates. ---- */

/* Parses 'json', a <row> object, into 'fields' (n_columns datums, which
 * must hold defaults or previous values): each column present replaces
 * its field, and FIELD_CHANGED marks fields that changed if 'row' is
 * nonnull.  With 'diff', values are update2 "modify" diffs.  Returns true
 * if any field changed. */
static bool
row_apply_json(struct ovsdb_idl_table *table, struct ovsdb_idl_row *row,
               struct ovsdb_datum *fields, const json_t *json, bool diff)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const char *name;
    json_t *value;
    bool changed = false;

    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_idl_column *column;
        struct ovsdb_error *error;
        const struct ovsdb_type *type;
        struct ovsdb_datum datum;

        column = shash_find_data(&table->columns_by_name, name);
        if (!column || !column->schema) {
            continue;           /* Not ours (e.g. a re-monitor race). */
        }
        type = &column->schema->type;
        if (diff) {
            struct ovsdb_datum d;

            error = ovsdb_datum_from_json_unbounded(&d, type, value, NULL);
            if (!error) {
                error = ovsdb_datum_apply_diff(&datum, &fields[column->idx],
                                               &d, type);
                ovsdb_datum_destroy(&d, type);
            }
        } else {
            error = ovsdb_datum_from_json(&datum, type, value, NULL);
        }
        if (error) {
            char *s = ovsdb_error_to_string(error);
            VLOG_WARN_RL(&rl, "%s: bad value for %s column %s in update "
                         "(%s)", table->idl->remote, table->name, name, s);
            free(s);
            ovsdb_error_destroy(error);
            continue;
        }
        if (ovsdb_datum_equals(&datum, &fields[column->idx], type)) {
            ovsdb_datum_destroy(&datum, type);
            continue;
        }
        ovsdb_datum_swap(&datum, &fields[column->idx]);
        ovsdb_datum_destroy(&datum, type);
        changed = true;
        if (row && table->idl->tracking) {
            row->flags[column->idx] |= FIELD_CHANGED;
        }
    }
    return changed;
}

/* A full <row> for 'uuid' ("initial", "insert", or a monitor v1 "new"
 * with no "old"): inserts the row, or during a wholesale reload replaces
 * the values of the row we already had. */
static void
apply_full_row(struct ovsdb_idl_table *table, const struct uuid *uuid,
               const json_t *json)
{
    struct ovsdb_idl_row *row = idl_table_find_row(table, uuid);

    if (!row) {
        row = idl_row_create(table, uuid, true);
        row_apply_json(table, NULL, row->old, json, false);
        idl_row_insert_into_replica(row);
        row_track(row, OVSDB_IDL_INSERTED);
        return;
    }

    /* Compare against a fresh row built from defaults, so that columns the
     * update omits (they hold their defaults) are compared too. */
    struct ovsdb_datum *fields;
    bool changed = false;

    idl_row_ensure_fields(row);
    row->stale = false;
    fields = xcalloc(row->n_fields ? row->n_fields : 1, sizeof *fields);
    for (size_t i = 0; i < row->n_fields; i++) {
        column_init_default(table->columns[i], &fields[i]);
    }
    row_apply_json(table, NULL, fields, json, false);
    for (size_t i = 0; i < row->n_fields; i++) {
        const struct ovsdb_type *type = column_type(table->columns[i]);
        if (!ovsdb_datum_equals(&fields[i], &row->old[i], type)) {
            ovsdb_datum_swap(&fields[i], &row->old[i]);
            if (table->idl->tracking) {
                row->flags[i] |= FIELD_CHANGED;
            }
            changed = true;
        }
    }
    idl_fields_destroy(table, fields, row->n_fields);
    if (changed) {
        row_track(row, OVSDB_IDL_MODIFIED);
    }
}

static void
apply_modify(struct ovsdb_idl_table *table, const struct uuid *uuid,
             const json_t *json, bool diff)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ovsdb_idl_row *row = idl_table_find_row(table, uuid);

    if (!row) {
        VLOG_WARN_RL(&rl, "%s: update modifies unknown %s row "UUID_FMT,
                     table->idl->remote, table->name, UUID_ARGS(uuid));
        return;
    }
    idl_row_ensure_fields(row);
    if (row_apply_json(table, row, row->old, json, diff)) {
        row_track(row, OVSDB_IDL_MODIFIED);
    }
}

static void
apply_delete(struct ovsdb_idl_table *table, const struct uuid *uuid)
{
    struct ovsdb_idl_row *row = idl_table_find_row(table, uuid);

    if (row) {
        row_delete_from_replica(row);
    }
}

/* Applies one <row-update> (update2/update3 form when 'version' >= 2,
 * RFC 7047 "update" form otherwise). */
static void
apply_row_update(struct ovsdb_idl_table *table, const struct uuid *uuid,
                 const json_t *ru, enum idl_monitor_version version)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    const json_t *j;

    if (!json_is_object(ru)) {
        goto bad;
    }
    if (version == IDL_MONITOR_V1) {
        const json_t *old = json_object_get(ru, "old");
        const json_t *new = json_object_get(ru, "new");

        if (!new) {
            apply_delete(table, uuid);
        } else if (!old || !idl_table_find_row(table, uuid)) {
            apply_full_row(table, uuid, new);
        } else {
            apply_modify(table, uuid, new, false);
        }
        return;
    }
    if ((j = json_object_get(ru, "initial"))
        || (j = json_object_get(ru, "insert"))) {
        apply_full_row(table, uuid, j);
    } else if ((j = json_object_get(ru, "modify"))) {
        apply_modify(table, uuid, j, true);
    } else if (json_object_get(ru, "delete")) {
        apply_delete(table, uuid);
    } else {
        goto bad;
    }
    return;

bad:
    VLOG_WARN_RL(&rl, "%s: malformed row update for %s table",
                 table->idl->remote, table->name);
}

/* Applies <table-updates> 'updates'.  With 'reload', 'updates' is the
 * whole of the monitored data: rows we have that it lacks are deleted. */
static void
apply_table_updates(struct ovsdb_idl *idl, const json_t *updates,
                    enum idl_monitor_version version, bool reload)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct shash_node *node;
    const char *table_name;
    json_t *table_updates;

    if (reload) {
        idl->n_reloads++;
        SHASH_FOR_EACH (node, &idl->tables) {
            struct ovsdb_idl_table *table = node->data;
            struct ovsdb_idl_row *row;

            HMAP_FOR_EACH (row, node, &table->rows) {
                row->stale = true;
            }
        }
    }

    if (json_is_object(updates)) {
        json_object_foreach ((json_t *) updates, table_name, table_updates) {
            struct ovsdb_idl_table *table;
            const char *uuid_s;
            json_t *ru;

            table = shash_find_data(&idl->tables, table_name);
            if (!table || !table->schema || !json_is_object(table_updates)) {
                VLOG_WARN_RL(&rl, "%s: update for unexpected table %s",
                             idl->remote, table_name);
                continue;
            }
            json_object_foreach (table_updates, uuid_s, ru) {
                struct uuid uuid;

                if (!uuid_from_string(&uuid, uuid_s)) {
                    VLOG_WARN_RL(&rl, "%s: bad row UUID %s in update",
                                 idl->remote, uuid_s);
                    continue;
                }
                apply_row_update(table, &uuid, ru, version);
            }
        }
    }

    if (reload) {
        SHASH_FOR_EACH (node, &idl->tables) {
            struct ovsdb_idl_table *table = node->data;
            struct ovsdb_idl_row *row, *next;

            HMAP_FOR_EACH_SAFE (row, next, node, &table->rows) {
                if (row->stale && !row->txn_inserted) {
                    row->stale = false;
                    row_delete_from_replica(row);
                }
            }
        }
    }
}

/* The replica (or lock state) changed. */
static void
idl_changed(struct ovsdb_idl *idl)
{
    idl->seqno++;
    if (idl->txn) {
        idl_txn_replica_changed(idl->txn);
    }
    if (idl->change_cb) {
        idl->change_cb(idl, idl->change_aux);
    }
}

/* ---- Protocol. ---- */

/* {table: [{"columns": [...], "where": [...]}], ...} for every table and
 * column the server has. */
static json_t *
idl_monitor_requests(struct ovsdb_idl *idl)
{
    json_t *requests = json_object();
    struct shash_node *node;

    SHASH_FOR_EACH (node, &idl->tables) {
        struct ovsdb_idl_table *table = node->data;
        json_t *columns, *request;

        if (!table->schema) {
            continue;
        }
        columns = json_array();
        for (size_t i = 0; i < table->n_columns; i++) {
            if (table->columns[i]->schema && table->columns[i]->monitored) {
                json_array_append_new(columns,
                                      json_string(table->columns[i]->name));
            }
        }
        request = json_pack("{s:o}", "columns", columns);
        if (table->condition && idl->monitor_version >= IDL_MONITOR_V2) {
            json_object_set(request, "where", table->condition);
        }
        table->cond_dirty = false;
        json_object_set_new(requests, table->name,
                            json_pack("[o]", request));
    }
    return requests;
}

static void
idl_send_monitor(struct ovsdb_idl *idl)
{
    static const char *const methods[] = {
        [IDL_MONITOR_V1] = "monitor",
        [IDL_MONITOR_V2] = "monitor_cond",
        [IDL_MONITOR_V3] = "monitor_cond_since",
    };
    json_t *params;

    json_decref(idl->monitor_id);
    idl->monitor_id = json_sprintf("xsw-idl-%u", ++idl->n_monitors);
    params = json_pack("[s O o]", idl->db_name, idl->monitor_id,
                       idl_monitor_requests(idl));
    if (idl->monitor_version == IDL_MONITOR_V3) {
        json_array_append_new(params, json_string(idl->last_txn_id));
    }
    idl->remonitor = false;
    idl->state = IDL_S_MONITOR_REQUESTED;
    idl->monitor_request = idl_request(idl, methods[idl->monitor_version],
                                       params);
}

static void
idl_send_lock(struct ovsdb_idl *idl)
{
    idl->lock_request = idl_request(idl, "lock",
                                    json_pack("[s]", idl->lock_name));
}

/* Resolves tables and columns against a freshly loaded schema. */
static void
idl_resolve_schema(struct ovsdb_idl *idl)
{
    struct shash_node *node;

    if (idl->all_tables) {
        SHASH_FOR_EACH (node, &idl->schema->tables) {
            ovsdb_idl_add_table(idl, node->name);
        }
    }
    SHASH_FOR_EACH (node, &idl->tables) {
        struct ovsdb_idl_table *table = node->data;

        table->schema = ovsdb_schema_get_table(idl->schema, table->name);
        if (!table->schema) {
            idl_warn(idl, "%s: database %s has no table %s (ignoring it)",
                     idl->remote, idl->db_name, table->name);
            continue;
        }
        if (table->all_columns || idl->all_tables) {
            table->all_columns = true;
            table_add_schema_columns(table);
        }
        for (size_t i = 0; i < table->n_columns; i++) {
            struct ovsdb_idl_column *column = table->columns[i];

            column_resolve(column);
            if (!column->schema) {
                idl_warn(idl, "%s: table %s has no column %s (ignoring it)",
                         idl->remote, table->name, column->name);
            }
        }
    }
}

static void
idl_handle_schema_reply(struct ovsdb_idl *idl, json_t *result)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;

    if (!idl->schema_json || !json_equal(idl->schema_json, result)) {
        error = ovsdb_schema_from_json(result, &schema);
        if (error) {
            char *s = ovsdb_error_to_string(error);
            idl_fail(idl, EPROTO, xasprintf("%s: server sent a bad schema "
                                            "for %s (%s)", idl->remote,
                                            idl->db_name, s));
            idl_warn(idl, "%s", idl->last_error);
            free(s);
            ovsdb_error_destroy(error);
            idl->state = IDL_S_FAILED;
            return;
        }
        if (idl->schema) {
            /* A new schema: the old replica cannot be trusted to fit it.
             * Rows go (tracked rows lose their values, whose types may have
             * changed) and the monitor starts from scratch. */
            idl_clear_replica(idl);
            struct shash_node *node;
            SHASH_FOR_EACH (node, &idl->tables) {
                struct ovsdb_idl_table *table = node->data;
                struct ovsdb_idl_row *row;
                LIST_FOR_EACH (row, track_node, &table->tracked) {
                    idl_fields_destroy(table, row->old, row->n_fields);
                    row->old = xzalloc(sizeof *row->old);
                    row->n_fields = 0;
                }
            }
            strcpy(idl->last_txn_id, ZERO_TXN_ID);
        }
        ovsdb_schema_destroy(idl->schema);
        idl->schema = schema;
        json_decref(idl->schema_json);
        idl->schema_json = json_incref(result);
        idl_resolve_schema(idl);
    }
    if (idl->lock_name) {
        idl_send_lock(idl);
    }
    idl_send_monitor(idl);
}

static void
idl_handle_monitor_reply(struct ovsdb_idl *idl, json_t *result)
{
    if (idl->monitor_version == IDL_MONITOR_V3) {
        json_t *found = json_array_get(result, 0);
        json_t *last_id = json_array_get(result, 1);
        json_t *updates = json_array_get(result, 2);

        if (!json_is_boolean(found) || !json_is_string(last_id)
            || strlen(json_string_value(last_id)) != UUID_LEN) {
            idl_warn(idl, "%s: malformed monitor_cond_since reply",
                     idl->remote);
            jsonrpc_session_force_reconnect(idl->session);
            return;
        }
        VLOG_DBG("%s: monitor_cond_since: found=%s", idl->remote,
                 json_is_true(found) ? "true" : "false");
        apply_table_updates(idl, updates, IDL_MONITOR_V3,
                            !json_is_true(found));
        strcpy(idl->last_txn_id, json_string_value(last_id));
    } else {
        apply_table_updates(idl, result, idl->monitor_version, true);
    }
    idl->state = IDL_S_MONITORING;
    idl->conn_seqno++;
    if (idl->remonitor || idl_conds_dirty(idl)) {
        idl_kick(idl);
    }
    idl_changed(idl);
}

static void
idl_handle_monitor_error(struct ovsdb_idl *idl, json_t *error)
{
    /* Open vSwitch answers an unknown method with the bare string. */
    const char *s = (json_is_string(error) ? json_string_value(error)
                     : json_string_value(json_object_get(error, "error")));

    if (s && !strcmp(s, "unknown method")
        && idl->monitor_version > IDL_MONITOR_V1) {
        idl->monitor_version--;
        VLOG_INFO("%s: server lacks conditional monitoring, falling back",
                  idl->remote);
        idl_send_monitor(idl);
        return;
    }
    char *text = json_dumps(error, JSON_COMPACT | JSON_ENCODE_ANY);
    idl_fail(idl, EPROTO, xasprintf("%s: server refused to monitor %s (%s)",
                                    idl->remote, idl->db_name, text));
    free(text);
    idl_warn(idl, "%s", idl->last_error);
    idl->state = IDL_S_FAILED;
}

/* Sends monitor_cond_change for the tables whose condition changed. */
static void
idl_send_cond_change(struct ovsdb_idl *idl)
{
    json_t *requests = json_object();
    struct shash_node *node;

    SHASH_FOR_EACH (node, &idl->tables) {
        struct ovsdb_idl_table *table = node->data;

        if (table->cond_dirty && table->schema) {
            json_t *where = (table->condition
                             ? json_incref(table->condition)
                             : json_pack("[b]", true));
            json_object_set_new(requests, table->name,
                                json_pack("[{s:o}]", "where", where));
            table->cond_dirty = false;
        }
    }
    idl->cond_request = idl_request(idl, "monitor_cond_change",
                                    json_pack("[O O o]", idl->monitor_id,
                                              idl->monitor_id, requests));
}

static void
idl_kick_cb(uv_timer_t *timer)
{
    struct ovsdb_idl *idl = timer->data;

    if (!idl_is_connected(idl) || idl->state != IDL_S_MONITORING
        || idl->cond_request) {
        return;                 /* Done again when that settles. */
    }
    if (idl->remonitor) {
        /* New tables or columns: a diff since our last txn id would lack
         * their values, so reload everything under a new monitor. */
        idl_send(idl, jsonrpc_create_request("monitor_cancel",
                                             json_pack("[O]", idl->monitor_id),
                                             json_integer(
                                                 idl->next_request_id++)));
        strcpy(idl->last_txn_id, ZERO_TXN_ID);
        idl_send_monitor(idl);
    } else if (idl_conds_dirty(idl)) {
        if (idl->monitor_version == IDL_MONITOR_V1) {
            /* No conditions to change: we get every row anyway. */
            struct shash_node *node;
            SHASH_FOR_EACH (node, &idl->tables) {
                ((struct ovsdb_idl_table *) node->data)->cond_dirty = false;
            }
        } else {
            idl_send_cond_change(idl);
        }
    }
}

static void
idl_kick(struct ovsdb_idl *idl)
{
    if (!idl->destroyed) {
        uv_timer_start(&idl->kick_timer, idl_kick_cb, 0, 0);
    }
}

static void
idl_handle_lock_result(struct ovsdb_idl *idl, bool locked)
{
    idl->has_lock = locked;
    idl->lock_contended = !locked;
    idl_changed(idl);
}

static bool
id_matches(const json_t *id, int64_t want)
{
    return want && json_is_integer(id) && json_integer_value(id) == want;
}

static void
idl_handle_reply(struct ovsdb_idl *idl, const struct jsonrpc_msg *msg)
{
    bool ok = msg->type == JSONRPC_REPLY;

    if (id_matches(msg->id, idl->schema_request)) {
        idl->schema_request = 0;
        if (ok) {
            idl_handle_schema_reply(idl, msg->result);
        } else {
            char *text = json_dumps(msg->error,
                                    JSON_COMPACT | JSON_ENCODE_ANY);
            idl_fail(idl, ENOENT, xasprintf("%s: database %s not available "
                                            "(%s)", idl->remote,
                                            idl->db_name, text));
            free(text);
            idl_warn(idl, "%s", idl->last_error);
            idl->state = IDL_S_FAILED;
        }
    } else if (id_matches(msg->id, idl->monitor_request)) {
        idl->monitor_request = 0;
        if (ok) {
            idl_handle_monitor_reply(idl, msg->result);
        } else {
            idl_handle_monitor_error(idl, msg->error);
        }
    } else if (id_matches(msg->id, idl->cond_request)) {
        idl->cond_request = 0;
        if (!ok) {
            char *text = json_dumps(msg->error,
                                    JSON_COMPACT | JSON_ENCODE_ANY);
            idl_warn(idl, "%s: monitor_cond_change failed (%s)",
                     idl->remote, text);
            free(text);
        }
        if (idl->remonitor || idl_conds_dirty(idl)) {
            idl_kick(idl);
        }
        idl_changed(idl);
    } else if (id_matches(msg->id, idl->lock_request)) {
        idl->lock_request = 0;
        if (ok) {
            idl_handle_lock_result(
                idl, json_is_true(json_object_get(msg->result, "locked")));
        } else {
            idl_warn(idl, "%s: lock request failed", idl->remote);
        }
    } else if (idl->txn
               && id_matches(msg->id, idl_txn_pending_request(idl->txn))) {
        idl_txn_handle_reply(idl->txn, msg);
    }
    /* Anything else answers a request we no longer care about (a
     * monitor_cancel, an unlock, a destroyed transaction). */
}

static void
idl_handle_notify(struct ovsdb_idl *idl, const struct jsonrpc_msg *msg)
{
    const json_t *params = msg->params;
    const char *method = msg->method;

    if (!strcmp(method, "update3") || !strcmp(method, "update2")
        || !strcmp(method, "update")) {
        bool v3 = !strcmp(method, "update3");
        enum idl_monitor_version version = (v3 ? IDL_MONITOR_V3
                                            : method[6] ? IDL_MONITOR_V2
                                            : IDL_MONITOR_V1);
        const json_t *id = json_array_get(params, 0);

        if (!idl->monitor_id || !id || !json_equal(id, idl->monitor_id)
            || (idl->state != IDL_S_MONITORING
                && idl->state != IDL_S_MONITOR_REQUESTED)) {
            return;             /* A cancelled monitor's last words. */
        }
        if (v3) {
            const json_t *last_id = json_array_get(params, 1);
            if (json_is_string(last_id)
                && strlen(json_string_value(last_id)) == UUID_LEN) {
                strcpy(idl->last_txn_id, json_string_value(last_id));
            }
        }
        apply_table_updates(idl, json_array_get(params, v3 ? 2 : 1),
                            version, false);
        idl_changed(idl);
    } else if (!strcmp(method, "locked") || !strcmp(method, "stolen")) {
        const char *name = json_string_value(json_array_get(params, 0));

        if (idl->lock_name && name && !strcmp(name, idl->lock_name)) {
            idl_handle_lock_result(idl, method[0] == 'l');
        }
    }
}

static void
idl_on_msg(struct jsonrpc_session *session OVS_UNUSED, json_t *json,
           void *aux)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct ovsdb_idl *idl = aux;
    struct jsonrpc_msg msg;
    char *error;

    error = jsonrpc_msg_parse(json, &msg);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: bad JSON-RPC message (%s)", idl->remote,
                     error);
        free(error);
    } else if (msg.type == JSONRPC_REQUEST) {
        /* The session answers "echo"; we serve nothing else. */
        idl_send(idl, jsonrpc_create_error(json_string("unknown method"),
                                           json_incref(msg.id)));
    } else if (msg.type == JSONRPC_NOTIFY) {
        idl_handle_notify(idl, &msg);
    } else {
        idl_handle_reply(idl, &msg);
    }
    json_decref(json);
}

/* ---- Reading. ---- */

static const struct ovsdb_idl_row *
next_visible(const struct ovsdb_idl_table *table, struct hmap_node *node)
{
    for (; node; node = hmap_next(&table->rows, node)) {
        const struct ovsdb_idl_row *row
            = CONTAINER_OF(node, struct ovsdb_idl_row, node);
        if (!row->txn_deleted) {
            return row;
        }
    }
    return NULL;
}

const struct ovsdb_idl_row *
ovsdb_idl_first_row(const struct ovsdb_idl_table *table)
{
    return next_visible(table, hmap_first(&table->rows));
}

const struct ovsdb_idl_row *
ovsdb_idl_next_row(const struct ovsdb_idl_row *row)
{
    return next_visible(row->table, hmap_next(&row->table->rows,
                                              &row->node));
}

size_t
ovsdb_idl_count_rows(const struct ovsdb_idl_table *table)
{
    const struct ovsdb_idl_row *row;
    size_t n = 0;

    OVSDB_IDL_FOR_EACH_ROW (row, table) {
        n++;
    }
    return n;
}

const struct ovsdb_idl_row *
ovsdb_idl_get_row(const struct ovsdb_idl_table *table,
                  const struct uuid *uuid)
{
    const struct ovsdb_idl_row *row;

    HMAP_FOR_EACH_WITH_HASH (row, node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(&row->uuid, uuid) && !row->txn_deleted) {
            return row;
        }
    }
    return NULL;
}

const struct uuid *
ovsdb_idl_row_get_uuid(const struct ovsdb_idl_row *row)
{
    return &row->uuid;
}

struct ovsdb_idl_table *
ovsdb_idl_row_get_table(const struct ovsdb_idl_row *row)
{
    return row->table;
}

const struct ovsdb_datum *
ovsdb_idl_row_get_datum(const struct ovsdb_idl_row *row,
                        const struct ovsdb_idl_column *column)
{
    if (!column || column->table != row->table || !column->schema
        || column->idx >= row->n_fields) {
        return NULL;
    }
    return row->new ? &row->new[column->idx] : &row->old[column->idx];
}

const struct ovsdb_datum *
ovsdb_idl_row_get_datum_by_name(const struct ovsdb_idl_row *row,
                                const char *name)
{
    return ovsdb_idl_row_get_datum(
        row, ovsdb_idl_column_from_name(row->table, name));
}

/* The datum of 'column' if its key type is 'type' and it has an element. */
static const struct ovsdb_datum *
get_typed(const struct ovsdb_idl_row *row,
          const struct ovsdb_idl_column *column, enum ovsdb_atomic_type type)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, column);

    return (d && d->n && column->schema->type.key.type == type ? d : NULL);
}

const char *
ovsdb_idl_row_get_string(const struct ovsdb_idl_row *row,
                         const struct ovsdb_idl_column *column,
                         const char *dflt)
{
    const struct ovsdb_datum *d = get_typed(row, column, OVSDB_TYPE_STRING);
    return d ? d->keys[0].string : dflt;
}

int64_t
ovsdb_idl_row_get_integer(const struct ovsdb_idl_row *row,
                          const struct ovsdb_idl_column *column, int64_t dflt)
{
    const struct ovsdb_datum *d = get_typed(row, column, OVSDB_TYPE_INTEGER);
    return d ? d->keys[0].integer : dflt;
}

bool
ovsdb_idl_row_get_boolean(const struct ovsdb_idl_row *row,
                          const struct ovsdb_idl_column *column, bool dflt)
{
    const struct ovsdb_datum *d = get_typed(row, column, OVSDB_TYPE_BOOLEAN);
    return d ? d->keys[0].boolean : dflt;
}

const char *
ovsdb_idl_row_get_map_string(const struct ovsdb_idl_row *row,
                             const struct ovsdb_idl_column *column,
                             const char *key, const char *dflt)
{
    const struct ovsdb_datum *d = get_typed(row, column, OVSDB_TYPE_STRING);
    union ovsdb_atom atom;
    unsigned int idx;

    if (!d || column->schema->type.value.type != OVSDB_TYPE_STRING) {
        return dflt;
    }
    atom.string = (char *) key;
    idx = ovsdb_datum_find_key(d, &atom, OVSDB_TYPE_STRING);
    return idx == UINT_MAX ? dflt : d->values[idx].string;
}

/* ---- Change notification and tracking. ---- */

uint64_t
ovsdb_idl_get_seqno(const struct ovsdb_idl *idl)
{
    return idl->seqno;
}

void
ovsdb_idl_set_change_cb(struct ovsdb_idl *idl, ovsdb_idl_change_cb *cb,
                        void *aux)
{
    idl->change_cb = cb;
    idl->change_aux = aux;
}

void
ovsdb_idl_track_enable(struct ovsdb_idl *idl)
{
    idl->tracking = true;
}

static const struct ovsdb_idl_row *
track_row(const struct ovsdb_idl_table *table, const struct ovs_list *node)
{
    return (node == &table->tracked ? NULL
            : CONTAINER_OF(node, struct ovsdb_idl_row, track_node));
}

const struct ovsdb_idl_row *
ovsdb_idl_track_first(const struct ovsdb_idl_table *table)
{
    return track_row(table, table->tracked.next);
}

const struct ovsdb_idl_row *
ovsdb_idl_track_next(const struct ovsdb_idl_row *row)
{
    return track_row(row->table, row->track_node.next);
}

enum ovsdb_idl_change
ovsdb_idl_row_get_change(const struct ovsdb_idl_row *row)
{
    return row->change;
}

bool
ovsdb_idl_row_column_changed(const struct ovsdb_idl_row *row,
                             const struct ovsdb_idl_column *column)
{
    if (row->change == OVSDB_IDL_INSERTED
        || row->change == OVSDB_IDL_DELETED) {
        return true;
    }
    return (column && column->table == row->table
            && column->idx < row->n_fields
            && (row->flags[column->idx] & FIELD_CHANGED));
}

void
ovsdb_idl_track_clear(struct ovsdb_idl *idl)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &idl->tables) {
        struct ovsdb_idl_table *table = node->data;
        struct ovsdb_idl_row *row;

        LIST_FOR_EACH_POP (row, track_node, &table->tracked) {
            row->change = OVSDB_IDL_UNCHANGED;
            for (size_t i = 0; i < row->n_fields; i++) {
                row->flags[i] &= ~FIELD_CHANGED;
            }
            idl_row_maybe_free(row);
        }
    }
}

/* ---- Locks. ---- */

void
ovsdb_idl_set_lock(struct ovsdb_idl *idl, const char *name)
{
    if ((!name && !idl->lock_name)
        || (name && idl->lock_name && !strcmp(name, idl->lock_name))) {
        return;
    }
    if (idl->lock_name && idl_is_connected(idl)) {
        idl_send(idl, jsonrpc_create_request(
                     "unlock", json_pack("[s]", idl->lock_name),
                     json_integer(idl->next_request_id++)));
    }
    free(idl->lock_name);
    idl->lock_name = name ? xstrdup(name) : NULL;
    idl->has_lock = idl->lock_contended = false;
    idl->lock_request = 0;
    if (name && idl_is_connected(idl)
        && idl->state != IDL_S_SCHEMA_REQUESTED) {
        idl_send_lock(idl);
    }
    idl->seqno++;
}

bool
ovsdb_idl_has_lock(const struct ovsdb_idl *idl)
{
    return idl->has_lock;
}

bool
ovsdb_idl_is_lock_contended(const struct ovsdb_idl *idl)
{
    return idl->lock_contended;
}

/* ---- Blocking helpers. ---- */

static void
idl_deadline_cb(uv_timer_t *timer)
{
    struct ovsdb_idl *idl = timer->data;
    idl->deadline_expired = true;
}

/* Runs the loop until 'done(idl, aux)' or the deadline.  Returns 0 or
 * ETIMEDOUT; or, with 'fail_fast', the errno of a failure recorded while
 * running. */
int
idl_run_until(struct ovsdb_idl *idl, bool (*done)(struct ovsdb_idl *,
                                                  void *),
              void *aux, int timeout_ms, bool fail_fast)
{
    unsigned int n_failures = idl->n_failures;
    int error = 0;

    idl->deadline_expired = false;
    if (timeout_ms >= 0) {
        uv_timer_start(&idl->deadline_timer, idl_deadline_cb, timeout_ms, 0);
    }
    for (;;) {
        if (done(idl, aux)) {
            break;
        }
        if (fail_fast && (idl->n_failures != n_failures
                          || idl->state == IDL_S_FAILED)) {
            error = idl->last_errno ? idl->last_errno : EPROTO;
            break;
        }
        if (idl->deadline_expired) {
            error = ETIMEDOUT;
            break;
        }
        uv_run(idl->loop, UV_RUN_ONCE);
    }
    uv_timer_stop(&idl->deadline_timer);
    return error;
}

static bool
is_synced(struct ovsdb_idl *idl, void *aux OVS_UNUSED)
{
    return ovsdb_idl_is_synced(idl);
}

int
ovsdb_idl_run_until_synced(struct ovsdb_idl *idl, int timeout_ms,
                           char **errorp)
{
    int error;

    if (errorp) {
        *errorp = NULL;
    }
    if (!idl->session) {
        error = idl->last_errno;
    } else {
        error = idl_run_until(idl, is_synced, NULL, timeout_ms, !idl->retry);
    }
    if (error && errorp) {
        *errorp = (error == ETIMEDOUT
                   ? xasprintf("%s: timed out after %d ms waiting for "
                               "database %s%s%s", idl->remote, timeout_ms,
                               idl->db_name,
                               idl->last_error ? ": " : "",
                               idl->last_error ? idl->last_error : "")
                   : xstrdup(idl->last_error ? idl->last_error
                             : strerror(error)));
    }
    return error;
}

struct predicate_aux {
    bool (*predicate)(void *);
    void *aux;
};

static bool
predicate_true(struct ovsdb_idl *idl OVS_UNUSED, void *pa_)
{
    struct predicate_aux *pa = pa_;
    return pa->predicate(pa->aux);
}

int
ovsdb_idl_wait_for(struct ovsdb_idl *idl, bool (*predicate)(void *aux),
                   void *aux, int timeout_ms)
{
    struct predicate_aux pa = { predicate, aux };
    return idl_run_until(idl, predicate_true, &pa, timeout_ms, false);
}
