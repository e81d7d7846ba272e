/* idl-private.h: what the IDL's two halves share, lib/idl.c (connection,
 * protocol, the replica) and lib/idl-txn.c (transactions); nothing else
 * includes it.
 *
 * The replica owns the rows.  A transaction borrows the rows it touches:
 * it gives each a 'new' copy of its fields, flags the columns it writes or
 * verifies (FIELD_*), queues its mutations, and keeps the row allocated
 * while the row is in the transaction ('in_txn', see idl_row_maybe_free()).
 * It sends its "transact" through the replica's connection (idl_send());
 * the replica tells it of the events that decide its outcome through
 * idl_txn_*(): the reply, an update of the replica that it may be waiting
 * for, and the loss of the connection. */
#ifndef XSW_IDL_PRIVATE_H
#define XSW_IDL_PRIVATE_H 1

#include "hmap.h"
#include "idl.h"
#include "jsonrpc.h"
#include "list.h"
#include "shash.h"

/* Monitor methods, newest first: we start with the best and fall back when
 * a server answers "unknown method". */
enum idl_monitor_version {
    IDL_MONITOR_V1 = 1,         /* "monitor", "update". */
    IDL_MONITOR_V2,             /* "monitor_cond", "update2". */
    IDL_MONITOR_V3              /* "monitor_cond_since", "update3". */
};

enum idl_state {
    IDL_S_DISCONNECTED,
    IDL_S_SCHEMA_REQUESTED,     /* Connected, get_schema sent. */
    IDL_S_MONITOR_REQUESTED,    /* Monitor request sent. */
    IDL_S_MONITORING,           /* Monitor reply applied. */
    IDL_S_FAILED                /* The server refused us; see last_error. */
};

/* Per-field flags in row->flags. */
enum {
    FIELD_WRITTEN = 1 << 0,     /* The open transaction wrote the column. */
    FIELD_VERIFIED = 1 << 1,    /* The open transaction verifies it. */
    FIELD_CHANGED = 1 << 2      /* Changed since the last track_clear. */
};

struct ovsdb_idl_column {
    struct ovsdb_idl_table *table;
    char *name;
    size_t idx;                          /* In table->columns, row fields. */
    const struct ovsdb_column *schema;   /* NULL if the server lacks it. */
    bool monitored;                      /* False: write-only, see
                                          * ovsdb_idl_add_write_only_column */
};

struct ovsdb_idl_table {
    struct ovsdb_idl *idl;
    char *name;
    const struct ovsdb_table_schema *schema;  /* NULL if unknown. */

    struct ovsdb_idl_column **columns;   /* Owned. */
    size_t n_columns, allocated_columns;
    struct shash columns_by_name;        /* -> struct ovsdb_idl_column *. */
    bool all_columns;

    json_t *condition;          /* "where" array, or NULL for all rows. */
    bool cond_dirty;            /* Changed since sent to the server. */

    struct hmap rows;           /* struct ovsdb_idl_row, by uuid_hash(). */
    struct ovs_list tracked;    /* Rows with a tracked change. */
};

/* A mutate operation the open transaction will send for one row. */
struct idl_mutation {
    size_t idx;                 /* Column. */
    char *mutator;
    json_t *arg;
};

struct ovsdb_idl_row {
    struct hmap_node node;      /* In table->rows, while 'in_replica'. */
    struct uuid uuid;
    struct ovsdb_idl_table *table;

    struct ovsdb_datum *old;    /* 'n_fields' datums; NULL for a row the
                                 * transaction inserted. */
    struct ovsdb_datum *new;    /* The transaction's values, or NULL. */
    uint8_t *flags;             /* FIELD_* per field. */
    size_t n_fields;

    bool in_replica;            /* In table->rows. */
    bool stale;                 /* Not yet seen in a wholesale reload. */

    /* Change tracking. */
    enum ovsdb_idl_change change;
    struct ovs_list track_node; /* In table->tracked, if 'change'. */

    /* Transaction. */
    bool in_txn;                /* In txn->rows. */
    struct ovs_list txn_node;
    bool txn_inserted, txn_deleted;
    struct hmap_node txn_insert_node;  /* In txn->inserted (if inserted). */
    struct idl_mutation *mutations;
    size_t n_mutations;
};

struct ovsdb_idl {
    uv_loop_t *loop;
    char *remote;
    char *db_name;

    /* Connection. */
    struct jsonrpc_session *session;    /* NULL: malformed remote. */
    uv_timer_t kick_timer;      /* Deferred monitor updates. */
    uv_timer_t deadline_timer;  /* For the blocking helpers. */
    int n_handles;              /* Timers not yet closed. */
    bool destroyed;
    bool deadline_expired;
    int last_errno;
    char *last_error;
    unsigned int n_failures;    /* Connection failures and refusals. */
    bool retry;

    /* Protocol. */
    enum idl_state state;
    enum idl_monitor_version monitor_version;
    int64_t next_request_id;
    int64_t schema_request, monitor_request, cond_request, lock_request;
    json_t *monitor_id;         /* Current monitor's id (a string). */
    unsigned int n_monitors;    /* For fresh monitor ids. */
    char last_txn_id[UUID_LEN + 1];
    bool remonitor;             /* Registration changed: monitor again. */
    unsigned int conn_seqno;
    unsigned int n_reloads;     /* Wholesale replica loads. */

    /* Schema and registrations. */
    json_t *schema_json;
    struct ovsdb_schema *schema;
    struct shash tables;        /* -> struct ovsdb_idl_table *, owned. */
    bool all_tables;

    /* Change notification. */
    uint64_t seqno;
    bool tracking;
    ovsdb_idl_change_cb *change_cb;
    void *change_aux;
    ovsdb_idl_warning_cb *warning_cb;
    void *warning_aux;

    /* Lock. */
    char *lock_name;
    bool has_lock;
    bool lock_contended;

    struct ovsdb_idl_txn *txn;  /* Open or pending, or NULL. */
};

/* ---- lib/idl.c, for the transactions. ---- */

/* Rows and their fields (see the "Rows" note in idl.c). */
struct ovsdb_idl_row *idl_row_create(struct ovsdb_idl_table *,
                                     const struct uuid *, bool with_old);
void idl_row_ensure_fields(struct ovsdb_idl_row *);
void idl_row_insert_into_replica(struct ovsdb_idl_row *);
void idl_row_clear_mutations(struct ovsdb_idl_row *);
void idl_row_maybe_free(struct ovsdb_idl_row *);
struct ovsdb_idl_row *idl_table_find_row(const struct ovsdb_idl_table *,
                                         const struct uuid *);
struct ovsdb_datum *idl_fields_clone(struct ovsdb_idl_table *,
                                     const struct ovsdb_datum *, size_t n);
void idl_fields_destroy(struct ovsdb_idl_table *, struct ovsdb_datum *,
                        size_t n);

/* Sends 'msg' (taken) on the current connection; ENOTCONN between
 * connections. */
int idl_send(struct ovsdb_idl *, json_t *msg);
/* Runs the loop until 'done(idl, aux)' or 'timeout_ms' passes (negative:
 * no limit).  Returns 0 or ETIMEDOUT; with 'fail_fast', the errno of a
 * connection failure recorded meanwhile. */
int idl_run_until(struct ovsdb_idl *,
                  bool (*done)(struct ovsdb_idl *, void *aux), void *aux,
                  int timeout_ms, bool fail_fast);
/* idl.c's log module, "idl", which idl-txn.c logs under too: "-vidl"
 * covers both files. */
struct vlog_module *idl_vlog_module(void);

/* ---- lib/idl-txn.c, for the replica. ---- */

/* The id of the "transact" request whose reply 'txn' awaits, or 0. */
int64_t idl_txn_pending_request(const struct ovsdb_idl_txn *);
/* The reply to that request. */
void idl_txn_handle_reply(struct ovsdb_idl_txn *, const struct jsonrpc_msg *);
/* The replica changed: a transaction that succeeded may have been waiting
 * for its own rows to appear in it. */
void idl_txn_replica_changed(struct ovsdb_idl_txn *);
/* The connection is gone: a transaction still in flight ends. */
void idl_txn_disconnected(struct ovsdb_idl_txn *);

#endif /* idl-private.h */
