/* server.c: xsw-dbserver's sessions, methods and group commit.
 *
 * See server.h for the model.  The pieces, in the order a request meets
 * them:
 *
 *   remotes   stream listeners, whose accepted connections become sessions,
 *             and active remotes (a jsonrpc_session that connects out and
 *             reconnects), whose each connection becomes a session; which
 *             remotes exist is remotes.c's business
 *   session   one JSON-RPC connection: its monitors, locks and pending
 *             (waiting) transactions
 *   methods   one handler per RFC 7047 / Open vSwitch method
 *   batch     the open backend batch of each database and the output
 *             held until it commits
 *   triggers  transactions whose "wait" operation is not yet satisfied,
 *             re-run after every commit and when their timeout expires
 *   _Server   the in-memory database that lists the served databases
 */
#include <config.h>
#include "server.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "backend.h"
#include "convert.h"
#include "coverage.h"
#include "db.h"
#include "ds.h"
#include "json-out.h"
#include "jsonrpc.h"
#include "list.h"
#include "metrics.h"
#include "monitor.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "shash.h"
#include "stream.h"
#include "transact.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(server);

static struct vlog_rate_limit session_rl = VLOG_RATE_LIMIT_INIT(60, 20);

/* For coverage/show. */
COVERAGE_DEFINE(server_txn_write);      /* A transaction changed a db. */
COVERAGE_DEFINE(server_batch_commit);   /* A backend commit of a batch. */
COVERAGE_DEFINE(server_txn_elsewhere);  /* Another server stored a txn. */
COVERAGE_DEFINE(server_batch_rerun);    /* A batch re-run after a conflict. */
COVERAGE_DEFINE(server_session_open);
COVERAGE_DEFINE(server_session_close);

/* What became of a transaction, for xsw_db_transactions_total. */
enum txn_result {
    TXN_COMMITTED,              /* Changed the database. */
    TXN_UNCHANGED,              /* Succeeded without a change. */
    TXN_FAILED,                 /* An operation failed: rolled back. */
    TXN_CANCELED,               /* Waited, then "cancel"ed or its database
                                 * replaced. */
    TXN_N_RESULTS
};

static const char *const txn_result_names[TXN_N_RESULTS] = {
    "committed", "unchanged", "failed", "canceled",
};

/* Upper bounds of the SQLite commit latency histogram, in seconds: a
 * commit takes tens of microseconds on a fast disk (see
 * docs/benchmarks-dbserver.md), milliseconds with fsync on a slow one. */
static const double commit_latency_bounds[] = {
    0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
    0.25, 0.5, 1,
};

/* A database the server serves. */
struct server_db {
    struct server *server;
    char *name;                 /* Same as db->schema->name. */
    struct ovsdb_db *db;        /* Owned. */
    struct backend *backend;    /* Owned; NULL for _Server. */
    struct uuid server_row;     /* Its row in _Server's Database table. */
    uint64_t reported_index;    /* The index _Server reports (clustered). */

    /* Group commit. */
    bool in_batch;              /* A backend batch is open. */
    bool batch_durable;         /* Some txn in it asked for durability. */
    bool changed;               /* Committed something since triggers ran. */
    bool catch_up;              /* Read what other servers stored, once the
                                 * open batch is committed. */
    bool sending_stored;        /* Monitors hear of a txn already stored. */
    uint64_t n_txns_elsewhere;  /* Txns caught up with, ever. */
    /* On a storage that other servers write too: the open batch's txns,
     * committed in memory, to take back if another server stores first
     * (rerun_batch()). */
    struct ovsdb_undo undo;

    /* For the metrics. */
    uint64_t n_txns[TXN_N_RESULTS];
    /* Txns written into the open batch: counted in 'n_txns' as committed
     * or failed once the batch's commit is done (count_batch_txns()), so
     * that the "committed" counter never counts what the storage then
     * refuses (a Prometheus counter must not go down). */
    uint64_t n_batch_txns;
    struct metrics_histogram commit_latency;    /* Of each batch commit. */
};

/* A message held until the batches commit. */
enum held_kind {
    HELD_PLAIN,                 /* Any reply or notification. */
    HELD_WRITE_REPLY,           /* Reply to a transaction that wrote 'sdb'. */
    HELD_UPDATE                 /* Monitor notification about 'sdb'. */
};

struct held_msg {
    struct ovs_list node;       /* In server->held. */
    struct session *session;
    struct server_db *sdb;      /* For HELD_WRITE_REPLY and HELD_UPDATE. */
    enum held_kind kind;
    json_t *msg;                /* Owned. */
    /* The reply to a "transact" that ran on 'sdb' while its batch was open
     * (whether it wrote or not): the request, to run it again if the batch
     * must be re-run (rerun_batch()).  Owned; NULL otherwise. */
    json_t *ops, *id;
    long long start_ms;
};

/* A lock (RFC 7047 4.1.8).  The first waiter owns it.
 *
 * On a storage that other servers share (etcd), the queues are shared too
 * (backend.h, "Locks"): then no struct server_lock exists, each waiter has
 * its place in the storage's queue ('shared'), and the server tells its
 * sessions "locked" and "stolen" as the storage's answer to who owns what
 * changes (shared_locks_changed()).  The discipline is the same. */
struct server_lock {
    char *name;
    struct ovs_list waiters;    /* struct lock_waiter. */
};

/* A session's "lock" or "steal" of one lock, until its "unlock".  As in
 * ovsdb-server, a waiter that asked with "lock" stays in the queue when its
 * lock is stolen, and is told "locked" again when the thief lets go; one
 * that had stolen the lock itself leaves the queue when it is stolen from
 * in turn ('lock' becomes NULL) but, like any waiter, lives on until its
 * session sends "unlock". */
struct lock_waiter {
    struct ovs_list node;       /* In lock->waiters, if 'lock'. */
    struct server_lock *lock;   /* NULL once lost to a later "steal". */
    struct session *session;
    bool stole;                 /* Asked with "steal". */
    /* Shared locks only ('lock' is NULL): */
    struct backend_lock *shared;    /* Its place in the storage's queue. */
    bool told_owner;            /* What its session was told last. */
};

/* A transaction waiting for a "wait" operation to be satisfied. */
struct trigger {
    struct ovs_list node;       /* In server->triggers. */
    struct session *session;
    struct server_db *sdb;
    json_t *id;                 /* Request id, owned. */
    json_t *ops;                /* Operations, owned. */
    long long start_ms;
    long long deadline_ms;      /* LLONG_MAX: re-run only on change. */
};

struct session_monitor {
    struct ovs_list node;       /* In session->monitors. */
    struct session *session;
    json_t *id;                 /* Monitor id, owned. */
    struct server_db *sdb;
    struct ovsdb_monitor *monitor;   /* Owned. */
};

/* A remote: listening (passive) or connecting out (active). */
struct remote {
    struct server *server;
    char *name;
    struct server_remote_options options;
    struct stream_listener *listener;   /* Passive, else NULL. */
    struct jsonrpc_session *js;         /* Active, else NULL. */
    struct session *active;             /* Active and connected: the peer's
                                         * session. */
};

struct session {
    struct ovs_list node;       /* In server->sessions. */
    struct server *server;
    struct remote *remote;      /* The remote it came through. */
    bool read_only;             /* From a read-only remote. */
    struct jsonrpc_conn *conn;  /* NULL once closed.  For an active remote,
                                 * its jsonrpc_session's connection. */
    char *name;
    struct ovs_list monitors;   /* struct session_monitor. */
    struct shash waiters;       /* Lock name -> struct lock_waiter. */
    bool db_change_aware;
    bool close_after_flush;     /* Its monitors lost sync: drop it. */
};

struct server {
    uv_loop_t *loop;
    struct server_options options;
    struct shash dbs;           /* Name -> struct server_db. */
    struct server_db *server_db;    /* _Server. */
    struct shash remotes;       /* Name -> struct remote. */
    const struct tls_config *tls;   /* For pssl: remotes; NULL: none. */
    size_t n_sessions;
    struct ovs_list sessions;
    struct shash locks;         /* Name -> struct server_lock. */
    struct backend_locks *shared_locks;  /* Instead of 'locks', or NULL. */
    struct ovs_list triggers;
    struct uuid server_id;

    struct ovs_list held;       /* struct held_msg, in send order. */
    bool holding;               /* Some database is in a batch. */
    uv_check_t commit_check;
    uv_timer_t trigger_timer;

    uv_idle_t heap_tidy;        /* See heap_tidy_cb(). */
    unsigned int n_tidy_steps;  /* Since heap_tidy_soon(). */

    /* server_set_change_cb(). */
    void (*change_cb)(void *aux);
    void *change_aux;
    bool stored_change;         /* A database changed on disk this turn. */
    bool read_fresh_change;     /* server_db_read_fresh() applied some. */
    bool in_check;              /* In commit_check_cb(). */
};

static void session_send(struct session *, json_t *msg, enum held_kind,
                         struct server_db *);
static void session_destroy(struct session *);
static void server_db_update_server_row(struct server_db *);
static void server_db_report_index(struct server_db *);
static void run_triggers(struct server *, bool only_expired);
static void server_db_resync(struct server_db *);
static void server_db_replace(struct server_db *, struct ovsdb_db *new_db,
                              const struct session *requester);
static void disconnect_change_unaware(struct server_db *,
                                      const struct session *requester);
static void server_db_stored_elsewhere(void *sdb);
static void shared_locks_changed(void *server);
static void close_lost_sessions(struct server *);
static void commit_check_cb(uv_check_t *);
static void trigger_timer_cb(uv_timer_t *);
static void schedule_trigger_timer(struct server *);
static void session_monitor_destroy(struct session_monitor *);
static void held_msg_destroy(struct held_msg *);
static bool result_has_error(const json_t *result);
static bool execute_transaction(struct session *, struct server_db *,
                                const json_t *ops, const json_t *id,
                                long long start_ms, long long *deadline_ms,
                                bool may_be_stale);
static void add_trigger(struct session *, struct server_db *,
                        const json_t *ops, const json_t *id,
                        long long start_ms, long long deadline_ms);

static long long
now_ms(const struct server *server)
{
    return uv_now(server->loop);
}

/* ---- _Server. ---- */

/* _Server's schema, as Open vSwitch 3.1 has it: clients monitor its
 * Database table to learn whether a database is there and usable. */
static const char server_schema_json[] =
    "{\"name\":\"_Server\",\"version\":\"1.2.0\","
    "\"cksum\":\"3009684573 744\","
    "\"tables\":{\"Database\":{\"columns\":{"
    "\"name\":{\"type\":\"string\"},"
    "\"model\":{\"type\":{\"key\":{\"type\":\"string\","
    "\"enum\":[\"set\",[\"clustered\",\"relay\",\"standalone\"]]}}},"
    "\"connected\":{\"type\":\"boolean\"},"
    "\"leader\":{\"type\":\"boolean\"},"
    "\"schema\":{\"type\":{\"key\":\"string\",\"min\":0}},"
    "\"cid\":{\"type\":{\"key\":\"uuid\",\"min\":0}},"
    "\"sid\":{\"type\":{\"key\":\"uuid\",\"min\":0}},"
    "\"index\":{\"type\":{\"key\":\"integer\",\"min\":0}}}}}}";

static struct ovsdb_db *
create_server_db(void)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    json_t *json = json_loads(server_schema_json, 0, NULL);

    error = ovsdb_schema_from_json(json, &schema);
    json_decref(json);
    if (error) {
        xsw_fatal("_Server schema: %s", ovsdb_error_to_string(error));
    }
    return ovsdb_db_create(schema);
}

/* Sets 'column' of 'row' to the one atom 'value' (which it takes). */
static void
set_atom(struct ovsdb_row *row, const char *column, union ovsdb_atom value)
{
    const struct ovsdb_column *c
        = ovsdb_table_schema_get_column(row->table->schema, column);
    struct ovsdb_datum *d = &row->fields[c->index];

    ovsdb_datum_destroy(d, &c->type);
    d->n = 1;
    d->keys = xmalloc(sizeof *d->keys);
    d->keys[0] = value;
    d->values = NULL;
}

static void
set_string(struct ovsdb_row *row, const char *column, const char *value)
{
    set_atom(row, column, (union ovsdb_atom) { .string = xstrdup(value) });
}

static void
set_bool(struct ovsdb_row *row, const char *column, bool value)
{
    set_atom(row, column, (union ovsdb_atom) { .boolean = value });
}

/* Commits 'txn', which changes only the in-memory _Server database, telling
 * its monitors. */
static void
commit_memory_txn(struct server_db *sdb, struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);

    if (error) {
        xsw_fatal("_Server: %s", ovsdb_error_to_string(error));
    }
    ovsdb_monitors_txn_committed(sdb->db, txn);
    ovsdb_txn_commit(txn);
    sdb->changed = true;
}

/* Adds or refreshes 'sdb''s row in _Server.Database. */
static void
server_db_update_server_row(struct server_db *sdb)
{
    struct server_db *ssdb = sdb->server->server_db;
    struct ovsdb_table *table = ovsdb_db_get_table(ssdb->db, "Database");
    const struct ovsdb_row *old = ovsdb_table_get_row(table, &sdb->server_row);
    struct ovsdb_txn *txn = ovsdb_txn_create(ssdb->db);
    struct ovsdb_row *row;
    json_t *schema_json = ovsdb_schema_to_json(sdb->db->schema);
    char *schema = json_dumps(schema_json, JSON_COMPACT | JSON_SORT_KEYS);

    json_decref(schema_json);
    if (old) {
        row = ovsdb_txn_row_modify(txn, old);
    } else {
        row = ovsdb_row_create(table, &sdb->server_row);
        ovsdb_txn_row_insert(txn, row);
    }
    struct backend_status status = {
        .model = "standalone", .connected = true, .leader = true
    };
    if (sdb->backend) {
        backend_get_status(sdb->backend, &status);
    }
    set_string(row, "name", sdb->name);
    set_string(row, "model", status.model);
    set_bool(row, "connected", status.connected);
    set_bool(row, "leader", status.leader);
    set_string(row, "schema", schema);
    free(schema);
    if (!strcmp(status.model, "clustered")) {
        set_atom(row, "cid", (union ovsdb_atom) { .uuid = status.cid });
        set_atom(row, "sid", (union ovsdb_atom) { .uuid = status.sid });
        set_atom(row, "index", (union ovsdb_atom) {
                     .integer = status.index });
        sdb->reported_index = status.index;
    }
    commit_memory_txn(ssdb, txn);
}

/* A clustered database's index grows with every stored change, this
 * server's or another's: the IDLs refuse a server whose index is behind
 * what they saw, so that a client that fails over never goes back in
 * time.  Called after each commit and catch-up; a no-op when nothing new
 * was stored (and for a standalone database). */
static void
server_db_report_index(struct server_db *sdb)
{
    struct backend_status status = { .model = "standalone" };

    if (!sdb->backend) {
        return;
    }
    backend_get_status(sdb->backend, &status);
    if (strcmp(status.model, "clustered")
        || status.index == sdb->reported_index) {
        return;
    }

    struct server_db *ssdb = sdb->server->server_db;
    struct ovsdb_table *table = ovsdb_db_get_table(ssdb->db, "Database");
    const struct ovsdb_row *old = ovsdb_table_get_row(table, &sdb->server_row);
    if (!old) {
        return;
    }
    struct ovsdb_txn *txn = ovsdb_txn_create(ssdb->db);
    struct ovsdb_row *row = ovsdb_txn_row_modify(txn, old);
    set_atom(row, "index", (union ovsdb_atom) { .integer = status.index });
    sdb->reported_index = status.index;
    commit_memory_txn(ssdb, txn);
}

/* ---- Databases. ---- */

static struct server_db *
server_db_create(struct server *server, struct ovsdb_db *db,
                 struct backend *backend)
{
    struct server_db *sdb = xzalloc(sizeof *sdb);

    sdb->server = server;
    sdb->name = xstrdup(db->schema->name);
    sdb->db = db;
    sdb->backend = backend;
    metrics_histogram_init(&sdb->commit_latency, commit_latency_bounds,
                           ARRAY_SIZE(commit_latency_bounds));
    uuid_generate(&sdb->server_row);
    ovsdb_undo_init(&sdb->undo);
    shash_add(&server->dbs, sdb->name, sdb);
    return sdb;
}

struct ovsdb_error *
server_add_db(struct server *server, const char *storage, const char *name)
{
    struct ovsdb_error *error;
    struct backend *backend;
    struct ovsdb_db *db;

    error = backend_open(storage, name, &backend, &db);
    if (error) {
        return error;
    }
    if (shash_find(&server->dbs, db->schema->name)) {
        error = ovsdb_error("duplicate database",
                            "%s: a database named %s is already served",
                            name, db->schema->name);
        ovsdb_db_destroy(db);
        backend_close(backend);
        return error;
    }
    if (storage && !server->shared_locks) {
        /* Every database of a server shares one lock namespace, as in
         * ovsdb-server; main.c gives every database the same storage. */
        error = backend_locks_open(storage, server->loop,
                                   shared_locks_changed, server,
                                   &server->shared_locks);
        if (error) {
            ovsdb_db_destroy(db);
            backend_close(backend);
            return error;
        }
    }
    struct server_db *sdb = server_db_create(server, db, backend);
    server_db_update_server_row(sdb);
    backend_watch(backend, server->loop, server_db_stored_elsewhere, sdb);
    VLOG_INFO("serving database %s from %s%s%s", db->schema->name,
              storage ? storage : "", storage ? " " : "", name);
    return NULL;
}

static struct server_db *
server_find_db(const struct server *server, const json_t *name)
{
    return json_is_string(name)
           ? shash_find_data(&server->dbs, json_string_value(name))
           : NULL;
}

/* ---- Group commit. ---- */

static void
start_batch(struct server_db *sdb, struct ovsdb_error **errorp)
{
    *errorp = NULL;
    if (!sdb->in_batch) {
        *errorp = backend_begin_batch(sdb->backend);
        if (!*errorp) {
            sdb->in_batch = true;
            sdb->batch_durable = false;
            if (!sdb->server->holding) {
                /* The monitors' updates of the batch, held with it, may
                 * share values: see json_out_memo_add(). */
                json_out_memo_begin();
                sdb->server->holding = true;
            }
        }
    }
}

/* Writes 'txn' into 'sdb''s batch, opening one if needed.  A backend that
 * names txns the same way on every server it shares the storage with
 * names 'txn' (backend_get_txn_id()): monitor_cond_since's clients then
 * resume with that id on any of them. */
static struct ovsdb_error *
write_txn(struct server_db *sdb, struct ovsdb_txn *txn)
{
    struct ovsdb_error *error;

    start_batch(sdb, &error);
    if (!error) {
        error = backend_write_txn(sdb->backend, txn);
    }
    if (!error) {
        backend_get_txn_id(sdb->backend, &txn->txn_id);
    }
    return error;
}

/* Tells the monitors about 'txn', written into 'sdb''s batch, and commits
 * it to the in-memory database: with an undo log if other servers write
 * the storage too (rerun_batch() may take it back). */
static void
commit_in_memory(struct server_db *sdb, struct ovsdb_txn *txn)
{
    ovsdb_monitors_txn_committed(sdb->db, txn);
    if (sdb->backend && sdb->backend->class->catch_up) {
        ovsdb_txn_commit_undoable(txn, &sdb->undo);
    } else {
        ovsdb_txn_commit(txn);
    }
    sdb->changed = true;
    if (sdb->backend) {
        sdb->server->stored_change = true;
    }
}

/* The open batch of 'sdb' ended with 'result' (committed or failed):
 * counts its txns so. */
static void
count_batch_txns(struct server_db *sdb, enum txn_result result)
{
    sdb->n_txns[result] += sdb->n_batch_txns;
    sdb->n_batch_txns = 0;
}

/* Appends 'error' to the result array of held transact reply 'msg'. */
static void
fail_held_reply(json_t *msg, const struct ovsdb_error *error)
{
    json_t *result = json_object_get(msg, "result");

    if (json_is_array(result)) {
        json_array_append_new(result, ovsdb_error_to_json(error));
    }
}

/* The batch of 'sdb' failed to commit: none of its transactions is on
 * disk, but all of them are in memory and their monitors were told.  Go
 * back to what the disk holds: reload the database, turn each held reply
 * into a failure, drop the held updates and disconnect the sessions that
 * monitor this database (their replicas are ahead of the truth; on
 * reconnecting they resynchronize). */
static void
recover_from_failed_batch(struct server_db *sdb, struct ovsdb_error *error)
{
    struct server *server = sdb->server;
    struct held_msg *h, *next;

    char *s_err = ovsdb_error_to_string(error);
    VLOG_ERR("%s: commit failed, transactions rolled back: %s",
             sdb->name, s_err);
    free(s_err);

    count_batch_txns(sdb, TXN_FAILED);
    LIST_FOR_EACH_SAFE (h, next, node, &server->held) {
        if (h->sdb != sdb) {
            continue;
        }
        if (h->kind == HELD_WRITE_REPLY) {
            fail_held_reply(h->msg, error);
        } else if (h->kind == HELD_UPDATE) {
            ovs_list_remove(&h->node);
            held_msg_destroy(h);
        }
    }

    server_db_resync(sdb);
}

/* Replaces 'sdb''s database by what its backend stores now, and marks the
 * sessions that monitor it for disconnection (their replicas may be
 * ahead of or beside the truth; on reconnecting they resynchronize). */
static void
server_db_resync(struct server_db *sdb)
{
    struct ovsdb_error *load_error;
    struct ovsdb_db *db;
    struct session *s;

    /* What the undo log kept belongs to the database replaced below. */
    ovsdb_undo_forget(&sdb->undo);
    load_error = backend_load_db(sdb->backend, &db);
    if (load_error) {
        /* What we committed to a moment ago no longer loads: nothing
         * sensible can go on serving it. */
        xsw_fatal("%s: cannot reload: %s",
                  sdb->name, ovsdb_error_to_string(load_error));
    }
    if (!ovsdb_schema_equal(db->schema, sdb->db->schema)) {
        /* Another server converted the database (etcd): its clients are
         * told as this server's own would be (method_convert()). */
        VLOG_INFO("%s: converted to schema version %s by another server",
                  sdb->name,
                  db->schema->version ? db->schema->version : "(none)");
        server_db_replace(sdb, db, NULL);
        disconnect_change_unaware(sdb, NULL);
        return;
    }
    LIST_FOR_EACH (s, node, &sdb->server->sessions) {
        struct session_monitor *m, *next_m;
        LIST_FOR_EACH_SAFE (m, next_m, node, &s->monitors) {
            if (m->sdb == sdb) {
                session_monitor_destroy(m);
                s->close_after_flush = true;
            }
        }
    }

    ovsdb_monitor_db_destroy(sdb->db);
    ovsdb_db_destroy(sdb->db);
    sdb->db = db;
}

/* A transaction that another server stored reaches the monitors and the
 * in-memory database. */
static void
apply_stored_elsewhere(void *sdb_, struct ovsdb_txn *txn)
{
    struct server_db *sdb = sdb_;

    COVERAGE_INC(server_txn_elsewhere);
    sdb->n_txns_elsewhere++;
    sdb->sending_stored = true;
    ovsdb_monitors_txn_committed(sdb->db, txn);
    sdb->sending_stored = false;
    ovsdb_txn_commit(txn);
    sdb->changed = true;
    sdb->server->stored_change = true;
}

/* Reads what other servers stored in 'sdb''s backend since we last
 * looked.  Not inside a batch: the in-memory database must hold what is
 * stored, nothing more. */
static void
server_db_catch_up(struct server_db *sdb)
{
    struct ovsdb_error *error;

    sdb->catch_up = false;
    error = backend_catch_up(sdb->backend, sdb->db, apply_stored_elsewhere,
                             sdb);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN("%s: catching up failed, reloading: %s", sdb->name, s);
        free(s);
        ovsdb_error_destroy(error);
        server_db_resync(sdb);
    }
    server_db_report_index(sdb);
}

/* The backend of 'sdb' says another server stored something. */
static void
server_db_stored_elsewhere(void *sdb_)
{
    struct server_db *sdb = sdb_;
    struct server *server = sdb->server;

    if (sdb->in_batch) {
        sdb->catch_up = true;       /* After the batch: commit_batches(). */
        return;
    }
    server_db_catch_up(sdb);
    /* What waited for these changes runs now, and what it writes is
     * committed (the loop may sleep before its next check phase). */
    run_triggers(server, false);
    commit_check_cb(&server->commit_check);
    close_lost_sessions(server);
}

/* Before a request reads 'sdb' (a "transact", a monitor's first
 * contents), catches up with every commit that etcd acknowledged before
 * now, through whichever front end: a client that saw its write through
 * front end A acknowledged and then reads through B sees it (B says it is
 * a "leader", and ovsdb(7) promises fresh reads from the leader).  The
 * watch alone gets there a few milliseconds later; this costs one round
 * trip to etcd per read (docs/storage-etcd.md, "Consistency across front
 * ends"; method_transact() skips it for writes, which their commit's
 * compare makes fresh).  Not inside a batch: then the batch's own commit
 * compares head, and its held replies run again if another server came
 * first.  What the catch-up applies wakes the triggers in the check phase
 * (commit_check_cb()): the watch will not ring again for it.  Returns
 * whether it applied anything. */
static bool
server_db_read_fresh(struct server_db *sdb)
{
    if (sdb->backend && sdb->backend->class->catch_up && !sdb->in_batch) {
        uint64_t n = sdb->n_txns_elsewhere;

        backend_sync(sdb->backend);
        server_db_catch_up(sdb);
        if (sdb->n_txns_elsewhere != n) {
            sdb->server->read_fresh_change = true;
            return true;
        }
    }
    return false;
}

/* Commits the open batch of 'sdb'. */
static struct ovsdb_error *
commit_batch(struct server_db *sdb)
{
    uint64_t start = uv_hrtime();
    struct ovsdb_error *error = backend_commit_batch(sdb->backend,
                                                     sdb->batch_durable);

    metrics_histogram_observe(&sdb->commit_latency,
                              (uv_hrtime() - start) / 1e9);
    COVERAGE_INC(server_batch_commit);
    sdb->in_batch = false;
    return error;
}

/* How many times a batch is run again after conflicts before its clients
 * get the conflict as an error (and the front end reloads, as after any
 * failed commit).  Each conflict means another front end's batch landed,
 * so the storage as a whole makes progress; the bound only stops one
 * front end from retrying for ever while others keep winning. */
#define MAX_BATCH_RERUNS 32

/* The batch of 'sdb' lost to another server's commit (the storage took
 * none of it).  Takes its txns back from the in-memory database (the
 * monitors' updates about them never left: they are dropped), applies
 * what the other servers stored, through the monitors as the watch path
 * does, then runs every request that ran during the batch again, in the
 * same order, against that fresh state, and commits the new batch.  A
 * request gets the answer it gets now: success, the constraint error or
 * failed "wait" that the fresh state gives, or it waits (a trigger).
 * Returns the new commit's error, or catching up's (then the held replies
 * get it, and the caller reloads). */
static struct ovsdb_error *
rerun_batch(struct server_db *sdb)
{
    struct server *server = sdb->server;
    struct ovs_list requests;
    struct held_msg *h, *next;
    struct ovsdb_error *error;

    COVERAGE_INC(server_batch_rerun);
    ovsdb_undo_rollback(sdb->db, &sdb->undo);
    ovsdb_monitors_txns_taken_back(sdb->db);
    ovs_list_init(&requests);
    LIST_FOR_EACH_SAFE (h, next, node, &server->held) {
        if (h->sdb != sdb) {
            continue;
        }
        if (h->ops) {
            ovs_list_remove(&h->node);
            ovs_list_push_back(&requests, &h->node);
        } else if (h->kind == HELD_UPDATE) {
            ovs_list_remove(&h->node);
            held_msg_destroy(h);
        }
    }

    error = backend_catch_up(sdb->backend, sdb->db, apply_stored_elsewhere,
                             sdb);
    if (error) {
        /* The replies go out as they were, the written ones failed by the
         * caller's recover_from_failed_batch(). */
        LIST_FOR_EACH_POP (h, node, &requests) {
            ovs_list_push_back(&server->held, &h->node);
        }
        return error;
    }

    /* Counted again by the re-run (the writes are not counted yet). */
    sdb->n_batch_txns = 0;
    LIST_FOR_EACH_POP (h, node, &requests) {
        long long deadline;

        if (h->kind != HELD_WRITE_REPLY) {
            json_t *result = json_object_get(h->msg, "result");
            sdb->n_txns[result_has_error(result) ? TXN_FAILED
                        : TXN_UNCHANGED]--;
        }
        if (!execute_transaction(h->session, sdb, h->ops, h->id,
                                 h->start_ms, &deadline, false)) {
            add_trigger(h->session, sdb, h->ops, h->id, h->start_ms,
                        deadline);
        }
        held_msg_destroy(h);
    }
    return sdb->in_batch ? commit_batch(sdb) : NULL;
}

/* Compacts 'sdb''s stored history if its backend says it has grown enough
 * (backend_should_compact()), as ovsdb-server snapshots on its own: after
 * a batch's replies left, so that no client waits for it.  A failure
 * (another front end committed meanwhile, etcd unavailable) is logged and
 * the next batch tries again later: nothing was lost. */
static void
server_db_maybe_compact(struct server_db *sdb)
{
    if (!sdb->backend || sdb->in_batch
        || !backend_should_compact(sdb->backend)) {
        return;
    }
    struct ovsdb_error *error = backend_compact(sdb->backend, sdb->db);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_INFO("%s: automatic compaction did not happen: %s", sdb->name,
                  s);
        free(s);
        ovsdb_error_destroy(error);
    } else {
        VLOG_INFO("%s: compacted the stored history on its own",
                  sdb->name);
    }
}

/* Commits 'sdb''s open batch, running it again after each conflict with
 * another server's commit (at most MAX_BATCH_RERUNS times).  On failure
 * the batch's clients get the error, 'sdb' goes back to what is stored
 * (recover_from_failed_batch()), and the error is returned for the caller
 * to destroy; NULL once the batch is stored. */
static struct ovsdb_error *
commit_open_batch(struct server_db *sdb)
{
    struct ovsdb_error *error = commit_batch(sdb);
    int n_reruns = 0;

    while (error && backend_commit_conflicted(sdb->backend)
           && n_reruns < MAX_BATCH_RERUNS) {
        ovsdb_error_destroy(error);
        error = rerun_batch(sdb);
        n_reruns++;
    }
    if (error) {
        if (backend_commit_conflicted(sdb->backend)) {
            VLOG_WARN("%s: another server committed first %d times in a "
                      "row: giving up on this batch", sdb->name,
                      n_reruns + 1);
        }
        recover_from_failed_batch(sdb, error);
    } else {
        count_batch_txns(sdb, TXN_COMMITTED);
        ovsdb_undo_forget(&sdb->undo);
    }
    server_db_report_index(sdb);
    return error;
}

/* Commits every open batch, then lets the held output go. */
static void
commit_batches(struct server *server)
{
    bool was_holding = server->holding;
    struct shash_node *node;
    struct held_msg *h;

    SHASH_FOR_EACH (node, &server->dbs) {
        struct server_db *sdb = node->data;
        if (sdb->in_batch) {
            ovsdb_error_destroy(commit_open_batch(sdb));
        }
    }
    server->holding = false;

    /* A pipelining client has many replies in a batch: corked, they leave
     * in one write() instead of one each, which saves both ends a system
     * call and a wakeup per reply.  The held requests and replies are
     * freed only after that write: freeing a port-adding transaction's
     * parsed operations and its reply costs about 15k instructions
     * (callgrind), which a serial client need not wait for. */
    struct ovs_list sent = OVS_LIST_INITIALIZER(&sent);
    LIST_FOR_EACH_POP (h, node, &server->held) {
        struct session *s = h->session;
        if (s->conn) {
            jsonrpc_conn_cork(s->conn);
            jsonrpc_conn_send(s->conn, json_incref(h->msg));
        }
        ovs_list_push_back(&sent, &h->node);
    }

    if (was_holding) {
        json_out_memo_end();
    }

    struct session *s;
    LIST_FOR_EACH (s, node, &server->sessions) {
        if (s->conn) {
            jsonrpc_conn_uncork(s->conn);
        }
    }
    LIST_FOR_EACH_POP (h, node, &sent) {
        held_msg_destroy(h);
    }

    SHASH_FOR_EACH (node, &server->dbs) {
        struct server_db *sdb = node->data;
        if (sdb->catch_up) {
            server_db_catch_up(sdb);
        }
        server_db_maybe_compact(sdb);
    }
    close_lost_sessions(server);
}

/* Disconnects the sessions whose monitors lost sync: server_db_resync(). */
static void
close_lost_sessions(struct server *server)
{
    struct session *s, *next;

    LIST_FOR_EACH_SAFE (s, next, node, &server->sessions) {
        if (s->close_after_flush && s->conn) {
            VLOG_WARN("%s: disconnecting: its monitors lost sync with the "
                      "stored database", s->name);
            jsonrpc_conn_close(s->conn);
            s->close_after_flush = false;
        }
    }
}

/* Commits what this turn of the loop wrote, and what the transactions it
 * woke wrote in turn. */
static void
commit_all(struct server *server)
{
    int rounds = 0;

    /* Committing wakes triggers whose transactions may write again; loop
     * until quiet, but bounded, so a pathological trigger cannot spin. */
    while (server->holding && rounds++ < 8) {
        commit_batches(server);
        run_triggers(server, false);
    }
    if (server->holding) {
        commit_batches(server);
    }
}

/* The loop's check phase: all input of this turn is processed. */
static void
commit_check_cb(uv_check_t *handle)
{
    struct server *server = handle->data;

    if (server->in_check) {
        return;
    }
    server->in_check = true;
    if (server->read_fresh_change) {
        /* A catch-up outside the watch's ring: server_db_read_fresh(). */
        server->read_fresh_change = false;
        run_triggers(server, false);
    }
    commit_all(server);
    if (server->stored_change && server->change_cb) {
        /* Cleared first: what the callback writes counts for the next
         * turn (and changes nothing then, or it would never settle). */
        server->stored_change = false;
        server->change_cb(server->change_aux);
        commit_all(server);
    }
    server->in_check = false;
}

/* ---- Heap upkeep. ----
 *
 * A big reply or a big session leaves, once freed, tens of thousands of
 * free fragments in glibc malloc's "unsorted" list (the heap is full of
 * holes between live rows).  malloc() sorts that list into its size bins
 * lazily, up to 10,000 fragments per call, on the next calls that the
 * small-size caches cannot serve: a few milliseconds each.  Left alone,
 * those calls are the next client's: after a client read 10,000 ports,
 * accepting the next connection took 7 ms, which made a 4 ms "xsw-ctl get"
 * take 11 ms.
 *
 * So after a turn of the loop that handled requests or dropped a session,
 * the server makes that call itself while it has nothing else to do: an
 * idle handle allocates and frees one block per turn (too big for the
 * caches, so malloc sorts on the way), and stops once a step is quick,
 * i.e. nothing is left to sort.  Input still comes first: with an idle
 * handle active, libuv polls without blocking between steps.  With any
 * other allocator a step is just a cheap malloc() and free(). */

/* Above glibc's tcache and small bins (1 KiB), below its mmap threshold. */
#define HEAP_TIDY_BLOCK 4000
/* A step this quick (ns) found nothing left to sort. */
#define HEAP_TIDY_QUICK_NS 50000
/* Bounds the work after one burst, whatever the allocator does. */
#define HEAP_TIDY_MAX_STEPS 256

static void
heap_tidy_cb(uv_idle_t *handle)
{
    struct server *server = handle->data;
    uint64_t start = uv_hrtime();

    free(xmalloc(HEAP_TIDY_BLOCK));
    if (uv_hrtime() - start < HEAP_TIDY_QUICK_NS
        || ++server->n_tidy_steps >= HEAP_TIDY_MAX_STEPS) {
        uv_idle_stop(handle);
    }
}

/* Called after freeing what may be a lot of memory.  Not once
 * server_destroy() closed the handle: sessions go after it. */
static void
heap_tidy_soon(struct server *server)
{
    if (!uv_is_closing((uv_handle_t *) &server->heap_tidy)) {
        server->n_tidy_steps = 0;
        uv_idle_start(&server->heap_tidy, heap_tidy_cb);
    }
}

/* ---- Sessions: output. ---- */

static void
held_msg_destroy(struct held_msg *h)
{
    json_decref(h->msg);
    json_decref(h->ops);
    json_decref(h->id);
    free(h);
}

/* Sends 'msg' to 's', or holds it until the batches commit.  If 'ops' is
 * nonnull, 'msg' is the reply to "transact" request 'id' with 'ops',
 * started at 'start_ms', which ran while 'sdb''s batch was open: that
 * request is kept with the reply (see struct held_msg). */
static void
session_send__(struct session *s, json_t *msg, enum held_kind kind,
               struct server_db *sdb, const json_t *ops, const json_t *id,
               long long start_ms)
{
    if (!s->conn) {
        json_decref(msg);
    } else if (s->server->holding) {
        struct held_msg *h = xzalloc(sizeof *h);
        h->session = s;
        h->sdb = sdb;
        h->kind = kind;
        h->msg = msg;
        if (ops) {
            h->ops = json_incref((json_t *) ops);
            h->id = json_incref((json_t *) id);
            h->start_ms = start_ms;
        }
        ovs_list_push_back(&s->server->held, &h->node);
    } else {
        jsonrpc_conn_send(s->conn, msg);
    }
}

static void
session_send(struct session *s, json_t *msg, enum held_kind kind,
             struct server_db *sdb)
{
    session_send__(s, msg, kind, sdb, NULL, NULL, 0);
}

static void
send_reply(struct session *s, json_t *result, const json_t *id)
{
    session_send(s, jsonrpc_create_reply(result, json_incref((json_t *) id)),
                 HELD_PLAIN, NULL);
}

/* An RFC 7047 error reply: "error" is an error object. */
static void
send_error(struct session *s, struct ovsdb_error *error, const json_t *id)
{
    session_send(s, jsonrpc_create_error(ovsdb_error_to_json_free(error),
                                         json_incref((json_t *) id)),
                 HELD_PLAIN, NULL);
}

/* Monitor notifications come here (see monitor.h). */
static void
monitor_send_cb(void *aux, json_t *notification)
{
    struct session_monitor *m = aux;

    /* An update about a txn that is stored already (another server's) is
     * never taken back: rerun_batch() keeps it. */
    session_send(m->session, notification,
                 m->sdb->sending_stored ? HELD_PLAIN : HELD_UPDATE, m->sdb);
}

/* ---- Transactions. ---- */

static enum backend_lock_state lock_waiter_state(const struct server *,
                                                  const struct lock_waiter *);

static bool
session_has_lock(void *aux, const char *lock_name)
{
    struct session *s = aux;
    struct lock_waiter *w = shash_find_data(&s->waiters, lock_name);

    return w && lock_waiter_state(s->server, w) == BACKEND_LOCK_OWNER;
}

/* Whether the result array of a transaction holds an error object. */
static bool
result_has_error(const json_t *result)
{
    size_t i;
    json_t *op;

    json_array_foreach (result, i, op) {
        if (json_is_object(op) && json_object_get(op, "error")) {
            return true;
        }
    }
    return false;
}

/* Runs transaction 'ops' of 'sdb' for 's'.  Returns true if it is done
 * (replied to), false if it waits for its "wait" operation; then
 * '*deadline_ms' says until when. */
static bool
execute_transaction(struct session *s, struct server_db *sdb,
                    const json_t *ops, const json_t *id, long long start_ms,
                    long long *deadline_ms, bool may_be_stale)
{
    struct server *server = s->server;
    struct ovsdb_execute_ctx ctx = {
        /* _Server is read-only because its name is reserved: transact.c
         * refuses writes to it with ovsdb-server's message. */
        .read_only = s->read_only,
        .has_lock = session_has_lock,
        .aux = s,
    };
    struct ovsdb_txn *txn = NULL;
    json_t *result = NULL;
    enum ovsdb_execute_status status;
    long long now = now_ms(server);

    status = ovsdb_execute(sdb->db, ops, &ctx, now, now - start_ms,
                           &result, &txn, deadline_ms);
    if (status == OVSDB_EXECUTE_RETRY) {
        return false;
    }
    /* A reply that depends on the open batch is kept with its request. */
    const json_t *rerun_ops = sdb->in_batch ? ops : NULL;
    if (!txn && may_be_stale && server_db_read_fresh(sdb)) {
        /* A write that skipped server_db_read_fresh() changed nothing,
         * so no commit checks what it read, and the catch-up just found
         * that it read an old state: run it again on the fresh one. */
        json_decref(result);
        return execute_transaction(s, sdb, ops, id, start_ms, deadline_ms,
                                   false);
    }
    if (!txn) {
        sdb->n_txns[result_has_error(result) ? TXN_FAILED : TXN_UNCHANGED]++;
        session_send__(s, jsonrpc_create_reply(result,
                                               json_incref((json_t *) id)),
                       HELD_PLAIN, sdb, rerun_ops, id, start_ms);
        return true;
    }

    struct ovsdb_error *error = NULL;
    size_t n_rows = ovs_list_size(&txn->rows);
    if (n_rows > server->options.max_txn_rows) {
        error = ovsdb_error("resources exhausted", "transaction changes "
                            "%zu rows, more than this server's limit of %zu "
                            "(--max-txn-rows)", n_rows,
                            server->options.max_txn_rows);
    } else if (sdb->backend) {
        error = write_txn(sdb, txn);
    }
    if (error) {
        ovsdb_txn_abort(txn);
        json_array_append_new(result, ovsdb_error_to_json_free(error));
        sdb->n_txns[TXN_FAILED]++;
        session_send__(s, jsonrpc_create_reply(result,
                                               json_incref((json_t *) id)),
                       HELD_PLAIN, sdb, sdb->in_batch ? ops : NULL, id,
                       start_ms);
        return true;
    }
    if (sdb->in_batch) {
        sdb->n_batch_txns++;
    } else {
        sdb->n_txns[TXN_COMMITTED]++;
    }
    if (txn->durable) {
        sdb->batch_durable = true;
    }
    COVERAGE_INC(server_txn_write);
    commit_in_memory(sdb, txn);
    session_send__(s, jsonrpc_create_reply(result,
                                           json_incref((json_t *) id)),
                   sdb->backend ? HELD_WRITE_REPLY : HELD_PLAIN, sdb,
                   sdb->in_batch ? ops : NULL, id, start_ms);
    return true;
}

/* Transaction 'ops' of 's' waits ("wait" operation) until 'deadline_ms'
 * or a change of 'sdb'. */
static void
add_trigger(struct session *s, struct server_db *sdb, const json_t *ops,
            const json_t *id, long long start_ms, long long deadline_ms)
{
    struct trigger *t = xmalloc(sizeof *t);

    t->session = s;
    t->sdb = sdb;
    t->id = json_incref((json_t *) id);
    t->ops = json_incref((json_t *) ops);
    t->start_ms = start_ms;
    t->deadline_ms = deadline_ms;
    ovs_list_push_back(&s->server->triggers, &t->node);
    schedule_trigger_timer(s->server);
}

static void
trigger_destroy(struct trigger *t)
{
    ovs_list_remove(&t->node);
    json_decref(t->id);
    json_decref(t->ops);
    free(t);
}

static void
schedule_trigger_timer(struct server *server)
{
    long long next = LLONG_MAX;
    struct trigger *t;

    LIST_FOR_EACH (t, node, &server->triggers) {
        next = MIN(next, t->deadline_ms);
    }
    if (next == LLONG_MAX) {
        uv_timer_stop(&server->trigger_timer);
    } else {
        long long now = now_ms(server);
        uv_timer_start(&server->trigger_timer, trigger_timer_cb,
                       next > now ? next - now : 0, 0);
    }
}

/* Re-runs waiting transactions: all those on databases that changed, and
 * (always) those whose deadline passed, which then fail with "timed out". */
static void
run_triggers(struct server *server, bool only_expired)
{
    struct trigger *t, *next;
    long long now = now_ms(server);
    struct shash_node *node;

    LIST_FOR_EACH_SAFE (t, next, node, &server->triggers) {
        if ((!only_expired && t->sdb->changed) || t->deadline_ms <= now) {
            long long deadline;
            if (execute_transaction(t->session, t->sdb, t->ops, t->id,
                                    t->start_ms, &deadline, false)) {
                trigger_destroy(t);
            } else {
                t->deadline_ms = deadline;
            }
        }
    }
    SHASH_FOR_EACH (node, &server->dbs) {
        struct server_db *sdb = node->data;
        sdb->changed = false;
    }
    schedule_trigger_timer(server);
}

static void
trigger_timer_cb(uv_timer_t *timer)
{
    struct server *server = timer->data;

    run_triggers(server, true);
}

/* ---- Methods. ---- */

/* An error reply whose "error" is a bare string, as ovsdb-server sends
 * for an unknown method or monitor. */
static void
send_error_string(struct session *s, const char *error, const json_t *id)
{
    session_send(s, jsonrpc_create_error(json_string(error),
                                         json_incref((json_t *) id)),
                 HELD_PLAIN, NULL);
}

/* For methods whose first parameter names a database: the database, or
 * NULL after replying with ovsdb-server's error. */
static struct server_db *
get_db_param(struct session *s, const json_t *params, const json_t *id,
             const char *method)
{
    const json_t *name = json_array_get(params, 0);
    struct server_db *sdb;

    if (!json_is_string(name)) {
        send_error(s, ovsdb_syntax_error(params, NULL, "%s request params "
                                         "must begin with <db-name>",
                                         method), id);
        return NULL;
    }
    sdb = server_find_db(s->server, name);
    if (!sdb) {
        send_error(s, ovsdb_syntax_error(params, "unknown database",
                                         "%s request specifies unknown "
                                         "database %s", method,
                                         json_string_value(name)), id);
    }
    return sdb;
}

static void
method_list_dbs(struct session *s, const json_t *params OVS_UNUSED,
                const json_t *id)
{
    const struct shash_node **nodes = shash_sort(&s->server->dbs);
    json_t *names = json_array();

    for (size_t i = 0; i < shash_count(&s->server->dbs); i++) {
        json_array_append_new(names, json_string(nodes[i]->name));
    }
    free(nodes);
    send_reply(s, names, id);
}

static void
method_get_schema(struct session *s, const json_t *params, const json_t *id)
{
    struct server_db *sdb;

    /* Later parameters are ignored, as ovsdb-server ignores them (the
     * Python IDL sends the database's last known cid). */
    if ((sdb = get_db_param(s, params, id, "get_schema"))) {
        send_reply(s, ovsdb_schema_to_json(sdb->db->schema), id);
    }
}

static void
method_transact(struct session *s, const json_t *params, const json_t *id)
{
    struct server *server = s->server;
    struct server_db *sdb;
    long long deadline;
    json_t *ops;

    if (!(sdb = get_db_param(s, params, id, "transact"))) {
        return;
    }
    ops = json_array();
    for (size_t i = 1; i < json_array_size(params); i++) {
        json_array_append(ops, json_array_get(params, i));
    }
    /* A transaction that writes is made fresh by its commit's compare:
     * it reads etcd only if it turns out to change nothing. */
    bool writes = ovsdb_ops_may_write(ops);
    if (!writes) {
        server_db_read_fresh(sdb);
    }
    long long start_ms = now_ms(server);
    if (!execute_transaction(s, sdb, ops, id, start_ms, &deadline, writes)) {
        add_trigger(s, sdb, ops, id, start_ms, deadline);
    }
    json_decref(ops);
}

/* "cancel" [id]: abandons a waiting transaction, which gets a "canceled"
 * error, as ovsdb-server does. */
static void
method_cancel(struct session *s, const json_t *params,
              const json_t *id OVS_UNUSED)
{
    struct trigger *t, *next;

    LIST_FOR_EACH_SAFE (t, next, node, &s->server->triggers) {
        if (t->session == s && json_equal(t->id, json_array_get(params, 0))) {
            t->sdb->n_txns[TXN_CANCELED]++;
            send_error(s, ovsdb_error("canceled", NULL), t->id);
            trigger_destroy(t);
        }
    }
    schedule_trigger_timer(s->server);
    /* RFC 7047 4.1.4: "cancel" itself gets no reply. */
}

/* Replaces 'sdb''s database by 'new_db' (taken), as
 * ovsdb-server's ovsdb_replace() does: the database's monitors are
 * canceled (with "monitor_canceled" to clients that asked to be told, by
 * "set_db_change_aware"), its waiting transactions fail with "canceled"
 * (told only to the clients that stay connected: 'requester' and the
 * change-aware ones, see method_convert()), and its row in
 * _Server.Database shows the new schema. */
static void
server_db_replace(struct server_db *sdb, struct ovsdb_db *new_db,
                  const struct session *requester)
{
    struct server *server = sdb->server;
    struct trigger *t, *next_t;
    struct session *s;

    LIST_FOR_EACH (s, node, &server->sessions) {
        struct session_monitor *m, *next_m;
        LIST_FOR_EACH_SAFE (m, next_m, node, &s->monitors) {
            if (m->sdb == sdb) {
                if (s->db_change_aware) {
                    json_t *params = json_pack("[O]", m->id);
                    session_send(s, jsonrpc_create_notify("monitor_canceled",
                                                          params),
                                 HELD_PLAIN, NULL);
                }
                session_monitor_destroy(m);
            }
        }
    }
    LIST_FOR_EACH_SAFE (t, next_t, node, &server->triggers) {
        if (t->sdb == sdb) {
            sdb->n_txns[TXN_CANCELED]++;
            if (t->session->db_change_aware || t->session == requester) {
                send_error_string(t->session, "canceled", t->id);
            }
            trigger_destroy(t);
        }
    }
    schedule_trigger_timer(server);

    ovsdb_monitor_db_destroy(sdb->db);
    ovsdb_db_destroy(sdb->db);
    sdb->db = new_db;
    server_db_update_server_row(sdb);
}

/* Converts 'sdb' to 'schema', in its backend first (backend_convert()),
 * then in memory.  Nothing changes on failure. */
static struct ovsdb_error *
server_db_convert(struct server_db *sdb, const struct ovsdb_schema *schema,
                  const struct session *requester)
{
    struct ovsdb_error *error;
    struct ovsdb_db *loaded;

    /* What this turn of the loop wrote is stored first: the copy is made
     * from memory, and the stored database it replaces must not hold
     * less. */
    if (sdb->in_batch) {
        /* As at the end of the turn: a conflict runs the batch again
         * rather than failing its clients' writes. */
        error = commit_open_batch(sdb);
        if (error) {
            return error;
        }
    }
    /* Another server's commit in between (etcd) fails the conversion's
     * compare: catch up with it and convert that, as a batch is re-run. */
    for (int n_reruns = 0; ; n_reruns++) {
        error = backend_convert(sdb->backend, sdb->db, schema, &loaded);
        if (!error || !backend_commit_conflicted(sdb->backend)
            || n_reruns >= MAX_BATCH_RERUNS) {
            break;
        }
        ovsdb_error_destroy(error);
        VLOG_INFO("%s: another server committed first: catching up and "
                  "converting again", sdb->name);
        server_db_catch_up(sdb);
    }
    if (error) {
        return error;
    }
    /* The loaded copy holds the rows but not the ephemeral columns (on
     * SQLite; etcd stores them, persistent), which ovsdb-server keeps:
     * convert once more, in memory, to the schema as the backend reads it
     * (its column order is the one the backend writes by), and serve
     * that. */
    struct ovsdb_db *served;
    struct ovsdb_error *again = ovsdb_convert(sdb->db, loaded->schema,
                                              &served);
    if (again) {
        /* Cannot happen: the same rows converted a moment ago. */
        ovsdb_error_destroy(again);
        served = loaded;
    } else {
        ovsdb_db_destroy(loaded);
    }
    server_db_replace(sdb, served, requester);
    VLOG_INFO("%s: converted to schema version %s", sdb->name,
              schema->version ? schema->version : "(none)");
    return NULL;
}

/* After 'sdb' was converted: as in ovsdb-server, every client but
 * 'requester' (may be NULL) that did not say "set_db_change_aware" is
 * disconnected: its view of the schema is stale. */
static void
disconnect_change_unaware(struct server_db *sdb,
                          const struct session *requester)
{
    struct session *other;

    LIST_FOR_EACH (other, node, &sdb->server->sessions) {
        if (other != requester && !other->db_change_aware && other->conn) {
            VLOG_INFO("%s: disconnecting (committed %s database schema "
                      "conversion)", other->name, sdb->name);
            jsonrpc_conn_close(other->conn);
        }
    }
}

/* "convert" [db-name, new-schema] (Open vSwitch's extension, ovsdb-server(7)
 * 4.1.17).  The reply is {} once the converted database is on disk.  Then,
 * as in ovsdb-server, every other client that did not say
 * "set_db_change_aware" is disconnected: its view of the schema is stale. */
static void
method_convert(struct session *s, const json_t *params, const json_t *id)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    struct server_db *sdb;

    if (!(sdb = get_db_param(s, params, id, "convert"))) {
        return;
    }
    if (json_array_size(params) != 2) {
        send_error(s, ovsdb_syntax_error(params, NULL, "array expected"), id);
        return;
    }
    if (!sdb->backend) {
        send_error(s, ovsdb_error("not allowed", "database %s cannot be "
                                  "converted", sdb->name), id);
        return;
    }
    if (s->read_only) {
        /* Open vSwitch 3.1.5 and later refuse too, with this message. */
        send_error(s, ovsdb_error("not allowed", "conversion is not allowed "
                                  "for read-only database %s", sdb->name),
                   id);
        return;
    }
    error = ovsdb_schema_from_json(json_array_get(params, 1), &schema);
    if (!error && strcmp(schema->name, sdb->name)) {
        error = ovsdb_error("invalid parameters", "new schema name (%s) does "
                            "not match database name (%s)", schema->name,
                            sdb->name);
    }
    if (!error) {
        error = server_db_convert(sdb, schema, s);
    }
    if (schema) {
        ovsdb_schema_destroy(schema);
    }
    if (error) {
        send_error(s, error, id);
        return;
    }
    send_reply(s, json_object(), id);
    disconnect_change_unaware(sdb, s);
}

static struct session_monitor *
session_find_monitor(const struct session *s, const json_t *monitor_id)
{
    struct session_monitor *m;

    LIST_FOR_EACH (m, node, &s->monitors) {
        if (json_equal(m->id, monitor_id)) {
            return m;
        }
    }
    return NULL;
}

/* For monitor_cond_since with a 'last_txn_id' older than the monitors'
 * history in memory: the database as of that txn, if the backend still
 * holds it (a client resuming here after a longer absence, or from another
 * front end, then gets only what it missed), else NULL (the full
 * contents).  Blocks on the storage, as loading does. */
static struct ovsdb_db *
monitor_since_db(struct server_db *sdb, enum ovsdb_monitor_version version,
                 const json_t *last_txn_id)
{
    struct ovsdb_db *then = NULL;
    struct uuid txn_id;

    if (version != OVSDB_MONITOR_V3 || !sdb->backend
        || !json_is_string(last_txn_id)
        || !uuid_from_string(&txn_id, json_string_value(last_txn_id))
        || uuid_is_zero(&txn_id)
        || uuid_equals(&txn_id, &sdb->db->last_txn_id)
        || ovsdb_monitor_history_has(sdb->db, &txn_id)) {
        return NULL;
    }
    struct ovsdb_error *error = backend_load_at(sdb->backend, sdb->db,
                                                &txn_id, &then);
    if (error) {
        char *s = ovsdb_error_to_string(error);
        VLOG_WARN("%s: monitor_cond_since: cannot read the history, "
                  "sending the whole contents: %s", sdb->name, s);
        free(s);
        ovsdb_error_destroy(error);
    }
    return then;
}

static void
method_monitor(struct session *s, const json_t *params, const json_t *id,
               enum ovsdb_monitor_version version)
{
    size_t n = version == OVSDB_MONITOR_V3 ? 4 : 3;
    const char *method = (version == OVSDB_MONITOR_V1 ? "monitor"
                          : version == OVSDB_MONITOR_V2 ? "monitor_cond"
                          : "monitor_cond_since");
    struct session_monitor *m;
    struct server_db *sdb;
    struct ovsdb_error *error;
    json_t *result;

    if (json_array_size(params) != n) {
        send_error(s, ovsdb_syntax_error(params, NULL, "invalid parameters"),
                   id);
        return;
    }
    if (!(sdb = get_db_param(s, params, id, method))) {
        return;
    }
    server_db_read_fresh(sdb);
    const json_t *monitor_id = json_array_get(params, 1);
    if (session_find_monitor(s, monitor_id)) {
        send_error(s, ovsdb_syntax_error(monitor_id, NULL,
                                         "duplicate monitor ID"), id);
        return;
    }
    m = xzalloc(sizeof *m);
    m->id = json_incref((json_t *) monitor_id);
    m->session = s;
    m->sdb = sdb;
    /* The monitor may send its first notification only after it exists in
     * the session, so link it first. */
    ovs_list_push_back(&s->monitors, &m->node);
    struct ovsdb_db *then = monitor_since_db(sdb, version,
                                             json_array_get(params, 3));
    error = ovsdb_monitor_create_since(sdb->db, version, monitor_id,
                                       json_array_get(params, 2),
                                       json_array_get(params, 3), then,
                                       monitor_send_cb, m, &m->monitor,
                                       &result);
    if (then) {
        ovsdb_monitor_db_destroy(then);
        ovsdb_db_destroy(then);
    }
    if (error) {
        ovs_list_remove(&m->node);
        json_decref(m->id);
        free(m);
        send_error(s, error, id);
        return;
    }
    send_reply(s, result, id);
}

static void
session_monitor_destroy(struct session_monitor *m)
{
    ovs_list_remove(&m->node);
    ovsdb_monitor_destroy(m->monitor);
    json_decref(m->id);
    free(m);
}

static void
method_monitor_cancel(struct session *s, const json_t *params,
                      const json_t *id)
{
    struct session_monitor *m;

    m = session_find_monitor(s, json_array_get(params, 0));
    if (json_array_size(params) != 1 || !m) {
        send_error_string(s, "unknown monitor", id);
        return;
    }
    session_monitor_destroy(m);
    send_reply(s, json_object(), id);
}

static void
method_monitor_cond_change(struct session *s, const json_t *params,
                           const json_t *id)
{
    struct session_monitor *m;
    struct ovsdb_error *error;

    if (json_array_size(params) != 3) {
        send_error(s, ovsdb_syntax_error(params, NULL, "invalid parameters"),
                   id);
        return;
    }
    m = session_find_monitor(s, json_array_get(params, 0));
    if (!m) {
        send_error(s, ovsdb_syntax_error(json_array_get(params, 0), NULL,
                                         "unknown monitor session"), id);
        return;
    }
    const json_t *new_id = json_array_get(params, 1);
    if (!json_equal(new_id, m->id) && session_find_monitor(s, new_id)) {
        send_error(s, ovsdb_syntax_error(new_id, NULL,
                                         "duplicate monitor ID"), id);
        return;
    }
    /* The rows that start or stop matching go first, in an update; the
     * reply follows, as ovsdb-server does it. */
    error = ovsdb_monitor_cond_change(m->monitor, new_id,
                                      json_array_get(params, 2));
    if (error) {
        send_error(s, error, id);
        return;
    }
    send_reply(s, json_object(), id);
    json_decref(m->id);
    m->id = json_incref((json_t *) new_id);
}

/* ---- Locks. ---- */

static bool
lock_name_is_valid(const json_t *name)
{
    const char *s = json_string_value(name);

    if (!s || !s[0] || !(s[0] == '_' || (s[0] | 0x20) >= 'a')) {
        return false;
    }
    return strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
                  "0123456789_") == strlen(s);
}

static struct server_lock *
get_lock(struct server *server, const char *name)
{
    struct server_lock *lock = shash_find_data(&server->locks, name);

    if (!lock) {
        lock = xzalloc(sizeof *lock);
        lock->name = xstrdup(name);
        ovs_list_init(&lock->waiters);
        shash_add(&server->locks, name, lock);
    }
    return lock;
}

static struct session *
lock_owner(const struct server_lock *lock)
{
    return (ovs_list_is_empty(&lock->waiters) ? NULL
            : CONTAINER_OF(lock->waiters.next, struct lock_waiter,
                           node)->session);
}

static void
notify(struct session *s, const char *method, const char *arg)
{
    json_t *params = json_pack("[s]", arg);

    session_send(s, jsonrpc_create_notify(method, params), HELD_PLAIN, NULL);
}

/* Whether 'w' owns its lock, waits for it, or lost it to a later
 * "steal". */
static enum backend_lock_state
lock_waiter_state(const struct server *server, const struct lock_waiter *w)
{
    if (w->shared) {
        return backend_lock_get_state(server->shared_locks, w->shared);
    }
    return (!w->lock ? BACKEND_LOCK_LOST
            : w->lock->waiters.next == &w->node ? BACKEND_LOCK_OWNER
            : BACKEND_LOCK_WAITING);
}

/* Shared locks: some owner may have changed, here or on another server.
 * Tells each session whose ownership differs from what it was told. */
static void
shared_locks_notify(struct server *server)
{
    struct session *s;

    LIST_FOR_EACH (s, node, &server->sessions) {
        struct shash_node *node;

        SHASH_FOR_EACH (node, &s->waiters) {
            struct lock_waiter *w = node->data;
            bool owner = (lock_waiter_state(server, w)
                          == BACKEND_LOCK_OWNER);

            if (owner != w->told_owner) {
                w->told_owner = owner;
                notify(s, owner ? "locked" : "stolen", node->name);
            }
        }
    }
}

/* backend_locks_open()'s callback. */
static void
shared_locks_changed(void *server_)
{
    struct server *server = server_;

    backend_locks_refresh(server->shared_locks);
    shared_locks_notify(server);
}

/* The number of locks that this server's clients hold or wait for. */
static size_t
server_count_locks(const struct server *server)
{
    if (!server->shared_locks) {
        return shash_count(&server->locks);
    }
    /* Shared: the names of this server's waiters (others' are theirs). */
    struct shash names = SHASH_INITIALIZER(&names);
    const struct session *s;

    LIST_FOR_EACH (s, node, &server->sessions) {
        const struct shash_node *node;

        SHASH_FOR_EACH (node, &s->waiters) {
            shash_add_once(&names, node->name, NULL);
        }
    }
    size_t n = shash_count(&names);
    shash_destroy(&names);
    return n;
}

/* Removes 'w' from its lock; tells the next waiter if it now owns it. */
static void
lock_waiter_remove(struct server *server, struct lock_waiter *w,
                   const char *name)
{
    struct server_lock *lock = w->lock;
    bool was_owner = lock && lock_owner(lock) == w->session;

    shash_find_and_delete(&w->session->waiters, name);
    if (w->shared) {
        backend_lock_dequeue(server->shared_locks, w->shared);
        free(w);
        shared_locks_notify(server);
        return;
    }
    if (!lock) {
        free(w);                /* Lost to a "steal": nothing to tell. */
        return;
    }
    ovs_list_remove(&w->node);
    free(w);
    if (was_owner && lock_owner(lock)) {
        notify(lock_owner(lock), "locked", lock->name);
    }
    if (ovs_list_is_empty(&lock->waiters)) {
        shash_find_and_delete(&server->locks, lock->name);
        free(lock->name);
        free(lock);
    }
}

/* "lock" and "steal" (RFC 7047 4.1.8, 4.1.9).  A session may hold or wait
 * for a lock only once: it must unlock before asking again. */
static void
method_lock(struct session *s, const json_t *params, const json_t *id,
            bool steal)
{
    const char *method = steal ? "steal" : "lock";
    struct server_lock *lock;
    struct lock_waiter *w;

    const json_t *name = json_array_get(params, 0);
    if (json_array_size(params) != 1 || !lock_name_is_valid(name)) {
        send_error(s, ovsdb_syntax_error(params, NULL, "%s request params "
                                         "must be <id>", method), id);
        return;
    }
    const char *lock_name = json_string_value(name);
    if (shash_find(&s->waiters, lock_name)) {
        send_error(s, ovsdb_syntax_error(params, NULL, "must issue \"unlock\" "
                                         "before new \"%s\"", method), id);
        return;
    }
    if (s->server->shared_locks) {
        w = xzalloc(sizeof *w);
        w->session = s;
        w->stole = steal;
        w->shared = backend_lock_enqueue(s->server->shared_locks, lock_name,
                                         steal, s->name);
        w->told_owner = (lock_waiter_state(s->server, w)
                         == BACKEND_LOCK_OWNER);
        shash_add(&s->waiters, lock_name, w);
        /* A victim on this server hears of it now, one elsewhere through
         * the storage's watch. */
        shared_locks_notify(s->server);
        send_reply(s, json_pack("{s:b}", "locked", w->told_owner), id);
        return;
    }
    lock = get_lock(s->server, lock_name);
    w = xzalloc(sizeof *w);
    w->lock = lock;
    w->session = s;
    w->stole = steal;
    shash_add(&s->waiters, lock_name, w);
    if (steal) {
        struct lock_waiter *vw = (ovs_list_is_empty(&lock->waiters) ? NULL
                                  : CONTAINER_OF(lock->waiters.next,
                                                 struct lock_waiter, node));
        ovs_list_push_front(&lock->waiters, &w->node);
        if (vw) {
            /* A victim that had asked with "lock" waits on, second in
             * line; one that had stolen the lock leaves the queue
             * (ovsdb-server's ovsdb_server_lock()). */
            if (vw->stole) {
                ovs_list_remove(&vw->node);
                vw->lock = NULL;
            }
            notify(vw->session, "stolen", lock_name);
        }
    } else {
        ovs_list_push_back(&lock->waiters, &w->node);
    }
    send_reply(s, json_pack("{s:b}", "locked", lock_owner(lock) == s), id);
}

static void
method_unlock(struct session *s, const json_t *params, const json_t *id)
{
    const char *name = json_string_value(json_array_get(params, 0));
    struct lock_waiter *w = name ? shash_find_data(&s->waiters, name) : NULL;

    if (json_array_size(params) != 1 || !w) {
        send_error(s, ovsdb_syntax_error(params, NULL, "unlock: \"unlock\" "
                                         "without \"lock\" or \"steal\""),
                   id);
        return;
    }
    lock_waiter_remove(s->server, w, name);
    send_reply(s, json_object(), id);
}

static void
handle_request(struct session *s, const struct jsonrpc_msg *msg)
{
    const char *method = msg->method;
    const json_t *params = msg->params;
    const json_t *id = msg->id;

    if (!strcmp(method, "transact")) {
        method_transact(s, params, id);
    } else if (!strcmp(method, "monitor_cond_since")) {
        method_monitor(s, params, id, OVSDB_MONITOR_V3);
    } else if (!strcmp(method, "monitor_cond")) {
        method_monitor(s, params, id, OVSDB_MONITOR_V2);
    } else if (!strcmp(method, "monitor")) {
        method_monitor(s, params, id, OVSDB_MONITOR_V1);
    } else if (!strcmp(method, "monitor_cond_change")) {
        method_monitor_cond_change(s, params, id);
    } else if (!strcmp(method, "monitor_cancel")) {
        method_monitor_cancel(s, params, id);
    } else if (!strcmp(method, "get_schema")) {
        method_get_schema(s, params, id);
    } else if (!strcmp(method, "list_dbs")) {
        method_list_dbs(s, params, id);
    } else if (!strcmp(method, "echo")) {
        send_reply(s, json_deep_copy(params), id);
    } else if (!strcmp(method, "lock")) {
        method_lock(s, params, id, false);
    } else if (!strcmp(method, "steal")) {
        method_lock(s, params, id, true);
    } else if (!strcmp(method, "unlock")) {
        method_unlock(s, params, id);
    } else if (!strcmp(method, "set_db_change_aware")) {
        s->db_change_aware = json_is_true(json_array_get(params, 0));
        send_reply(s, json_object(), id);
    } else if (!strcmp(method, "get_server_id")) {
        char buf[UUID_LEN + 1];
        uuid_to_string(&s->server->server_id, buf);
        send_reply(s, json_string(buf), id);
    } else if (!strcmp(method, "cancel")) {
        method_cancel(s, params, id);
    } else if (!strcmp(method, "convert")) {
        method_convert(s, params, id);
    } else {
        send_error_string(s, "unknown method", id);
    }
}

/* ---- Sessions: input and life cycle. ---- */

static void
session_receive(struct session *s, json_t *json)
{
    struct jsonrpc_msg msg;
    char *error = jsonrpc_msg_parse(json, &msg);

    if (error) {
        VLOG_WARN_RL(&session_rl, "%s: received bad JSON-RPC message, "
                     "disconnecting: %s", s->name, error);
        free(error);
        jsonrpc_conn_close(s->conn);
    } else if (msg.type == JSONRPC_REQUEST) {
        handle_request(s, &msg);
    } else if (msg.type == JSONRPC_NOTIFY) {
        /* "cancel" may come as a notification (RFC 7047 4.1.4). */
        if (!strcmp(msg.method, "cancel")) {
            method_cancel(s, msg.params, NULL);
        }
    } else if (!json_is_string(msg.id)
               || strcmp(json_string_value(msg.id), "echo")) {
        /* The server's only requests are its inactivity probes, with id
         * "echo": any other reply answers nothing, and ovsdb-server drops
         * the connection. */
        VLOG_WARN_RL(&session_rl, "%s: received unexpected %s message, "
                     "disconnecting", s->name,
                     jsonrpc_msg_type_to_string(msg.type));
        jsonrpc_conn_close(s->conn);
    }
    json_decref(json);
    heap_tidy_soon(s->server);
}

static void
session_on_msg(struct jsonrpc_conn *conn OVS_UNUSED, json_t *json,
               void *aux)
{
    session_receive(aux, json);
}

static void
session_on_close(struct jsonrpc_conn *conn OVS_UNUSED,
                 enum jsonrpc_close_reason reason,
                 const char *message, void *aux)
{
    struct session *s = aux;

    if (reason == JSONRPC_CLOSE_EOF || reason == JSONRPC_CLOSE_LOCAL) {
        VLOG_DBG("%s: %s", s->name, message);
    } else {
        VLOG_WARN_RL(&session_rl, "%s: disconnected: %s", s->name, message);
    }
    s->conn = NULL;
    session_destroy(s);
}

static void
session_destroy(struct session *s)
{
    struct server *server = s->server;
    struct session_monitor *m, *next_m;
    struct trigger *t, *next_t;
    struct held_msg *h, *next_h;
    struct shash_node *node, *next_node;

    if (s->conn) {
        /* on_close will call us again with conn == NULL. */
        jsonrpc_conn_close(s->conn);
        return;
    }
    COVERAGE_INC(server_session_close);
    LIST_FOR_EACH_SAFE (m, next_m, node, &s->monitors) {
        session_monitor_destroy(m);
    }
    LIST_FOR_EACH_SAFE (t, next_t, node, &server->triggers) {
        if (t->session == s) {
            trigger_destroy(t);
        }
    }
    LIST_FOR_EACH_SAFE (h, next_h, node, &server->held) {
        if (h->session == s) {
            ovs_list_remove(&h->node);
            held_msg_destroy(h);
        }
    }
    SHASH_FOR_EACH_SAFE (node, next_node, &s->waiters) {
        lock_waiter_remove(server, node->data, node->name);
    }
    shash_destroy(&s->waiters);
    ovs_list_remove(&s->node);
    if (s->remote && s->remote->active == s) {
        s->remote->active = NULL;
    }
    server->n_sessions--;
    free(s->name);
    free(s);
    heap_tidy_soon(server);
}

/* Options for the connections of 'remote'. */
static struct jsonrpc_conn_options
remote_conn_options(const struct remote *remote)
{
    const struct server *server = remote->server;
    struct jsonrpc_conn_options options = {
        .max_msg_size = server->options.max_msg_size,
        .max_depth = server->options.max_depth,
        .max_backlog = server->options.max_backlog,
        .probe_interval_ms = remote->options.probe_interval_ms,
        .dscp = remote->options.dscp,
    };

    if (stream_is_tls(remote->name)) {
        options.tls = server->tls;
    }
    return options;
}

/* A new session for 'conn' (or, for an active remote, a connection that
 * will be set right after). */
static struct session *
session_create(struct remote *remote, char *name)
{
    struct server *server = remote->server;
    struct session *s = xzalloc(sizeof *s);

    s->server = server;
    s->remote = remote;
    s->read_only = remote->options.read_only;
    s->name = name;
    COVERAGE_INC(server_session_open);
    ovs_list_init(&s->monitors);
    shash_init(&s->waiters);
    ovs_list_push_back(&server->sessions, &s->node);
    server->n_sessions++;
    return s;
}

static void
accept_cb(struct stream_listener *listener, uv_stream_t *client,
          const char *peer, void *aux)
{
    struct remote *remote = aux;
    struct server *server = remote->server;
    struct jsonrpc_conn_options options = remote_conn_options(remote);
    static const struct jsonrpc_conn_callbacks callbacks = {
        .on_msg = session_on_msg,
        .on_close = session_on_close,
    };
    static struct vlog_rate_limit full_rl = VLOG_RATE_LIMIT_INIT(6, 1);
    struct session *s;

    if (server->n_sessions >= server->options.max_sessions) {
        VLOG_WARN_RL(&full_rl, "%s: refusing connection from %s: already "
                     "serving %zu clients (--max-sessions)",
                     stream_listener_name(listener), peer,
                     server->n_sessions);
        stream_close(client);
        return;
    }
    s = session_create(remote, xasprintf("%s (%s)",
                                         stream_listener_name(listener),
                                         peer));
    s->conn = jsonrpc_conn_create(client, s->name, &callbacks, &options, s);
    VLOG_DBG("%s: connected", s->name);
}

/* Active remotes: the jsonrpc_session connects and reconnects; each
 * connection is served as a session of its own, as if it had been
 * accepted, so that no state (monitors, locks) outlives a connection. */

static void
active_on_connected(struct jsonrpc_session *js, void *remote_)
{
    struct remote *remote = remote_;

    if (remote->active) {
        /* Not expected: the previous connection's disconnection comes
         * first.  Do not serve two at once. */
        struct session *old = remote->active;
        old->conn = NULL;
        session_destroy(old);
    }
    remote->active = session_create(remote, xstrdup(remote->name));
    remote->active->conn = jsonrpc_session_get_conn(js);
    VLOG_INFO("%s: connected; serving the peer as a client", remote->name);
}

static void
active_on_msg(struct jsonrpc_session *js OVS_UNUSED, json_t *msg,
              void *remote_)
{
    struct remote *remote = remote_;

    if (remote->active) {
        session_receive(remote->active, msg);
    } else {
        json_decref(msg);
    }
}

static void
active_on_disconnected(struct jsonrpc_session *js OVS_UNUSED,
                       const char *reason OVS_UNUSED, void *remote_)
{
    struct remote *remote = remote_;
    struct session *s = remote->active;

    if (s) {
        s->conn = NULL;         /* The jsonrpc_session frees it. */
        session_destroy(s);
    }
}

static int
remote_start_active(struct remote *remote, char **errorp)
{
    static const struct jsonrpc_session_callbacks callbacks = {
        .on_connected = active_on_connected,
        .on_msg = active_on_msg,
        .on_disconnected = active_on_disconnected,
    };
    struct jsonrpc_session_options options = {
        .max_backoff_ms = remote->options.max_backoff_ms,
        .conn = remote_conn_options(remote),
    };

    if (stream_is_tls(remote->name) && !remote->server->tls) {
        *errorp = xasprintf("%s: TLS remotes need --private-key, "
                            "--certificate and --ca-cert", remote->name);
        return EINVAL;
    }
    return jsonrpc_session_create(remote->server->loop, remote->name,
                                  &callbacks, &options, remote, &remote->js,
                                  errorp);
}

int
server_add_remote(struct server *server, const char *name,
                  const struct server_remote_options *options,
                  char **errorp)
{
    static const struct server_remote_options default_options;
    struct stream_listen_options listen_options = {
        .unix_mode = server->options.unix_mode,
    };
    struct remote *remote;
    int error;

    if (shash_find(&server->remotes, name)) {
        *errorp = xasprintf("%s: already listening", name);
        return EEXIST;
    }
    if (stream_is_passive(name) && stream_is_tls(name) && !server->tls) {
        *errorp = xasprintf("%s: TLS remotes need --private-key, "
                            "--certificate and --ca-cert", name);
        return EINVAL;
    }
    remote = xzalloc(sizeof *remote);
    remote->server = server;
    remote->name = xstrdup(name);
    remote->options = options ? *options : default_options;
    if (stream_is_passive(name)) {
        error = stream_listen(server->loop, name, &listen_options, accept_cb,
                              remote, &remote->listener, errorp);
    } else {
        error = remote_start_active(remote, errorp);
    }
    if (error) {
        free(remote->name);
        free(remote);
        return error;
    }
    shash_add(&server->remotes, name, remote);
    if (remote->listener) {
        struct stream_addr addr;

        VLOG_INFO("listening on %s%s", name,
                  remote->options.read_only ? " (read-only)" : "");
        if (!stream_parse_with_tls(name, &addr, NULL)) {
            if (addr.kind == STREAM_TCP && !addr.port) {
                /* Port 0: say which one the kernel chose, in Open
                 * vSwitch's words, for scripts and tests to find. */
                VLOG_INFO("%s: listening on port %d", name,
                          stream_listener_port(remote->listener));
            }
            stream_addr_destroy(&addr);
        }
    } else {
        VLOG_INFO("connecting to %s%s", name,
                  remote->options.read_only ? " (read-only)" : "");
    }
    return 0;
}

void
server_set_tls_config(struct server *server, const struct tls_config *tls)
{
    server->tls = tls;
}

static void
remote_destroy(struct remote *remote)
{
    struct server *server = remote->server;
    struct session *s, *next;

    /* Its clients go with it, as in ovsdb-server: a manager that was
     * removed must not keep control through a connection it opened. */
    LIST_FOR_EACH_SAFE (s, next, node, &server->sessions) {
        if (s->remote != remote) {
            continue;
        }
        s->remote = NULL;
        if (remote->js) {
            s->conn = NULL;         /* The jsonrpc_session closes it. */
            session_destroy(s);
        } else if (s->conn) {
            jsonrpc_conn_close(s->conn);    /* on_close destroys it. */
        }
    }
    remote->active = NULL;
    stream_listener_close(remote->listener);
    jsonrpc_session_destroy(remote->js);
    free(remote->name);
    free(remote);
}

bool
server_remove_remote(struct server *server, const char *name)
{
    struct shash_node *node = shash_find(&server->remotes, name);

    if (!node) {
        return false;
    }
    remote_destroy(node->data);
    shash_delete(&server->remotes, node);
    VLOG_INFO("%s: remote deconfigured", name);
    return true;
}

void
server_set_remote_options(struct server *server, const char *name,
                          const struct server_remote_options *options)
{
    struct remote *remote = shash_find_data(&server->remotes, name);
    struct session *s;

    if (!remote) {
        return;
    }
    remote->options.read_only = options->read_only;
    remote->options.max_backoff_ms = options->max_backoff_ms;
    remote->options.probe_interval_ms = options->probe_interval_ms;
    if (remote->js) {
        jsonrpc_session_set_max_backoff(remote->js, options->max_backoff_ms);
        jsonrpc_session_set_probe_interval(remote->js,
                                           options->probe_interval_ms);
    }
    LIST_FOR_EACH (s, node, &server->sessions) {
        if (s->remote == remote) {
            s->read_only = options->read_only;
            if (s->conn && !remote->js) {
                jsonrpc_conn_set_probe_interval(s->conn,
                                                options->probe_interval_ms);
            }
        }
    }
}

int
server_get_remote_port(const struct server *server, const char *name)
{
    const struct remote *remote = shash_find_data(&server->remotes, name);

    return remote && remote->listener
           ? stream_listener_port(remote->listener) : 0;
}

/* Appends the names of the locks 's' holds, waits for, and lost to a
 * "steal" (but did not unlock yet) to 'held', 'waiting' and 'lost'
 * (space-separated), as ovsdb-server sorts them. */
static void
session_get_locks(const struct session *s, struct ds *held,
                  struct ds *waiting, struct ds *lost)
{
    const struct shash_node **nodes = shash_sort(&s->waiters);

    for (size_t i = 0; i < shash_count(&s->waiters); i++) {
        const struct lock_waiter *w = nodes[i]->data;
        enum backend_lock_state state = lock_waiter_state(s->server, w);
        struct ds *ds = (state == BACKEND_LOCK_LOST ? lost
                         : state == BACKEND_LOCK_OWNER ? held
                         : waiting);

        if (ds->len) {
            ds_put_char(ds, ' ');
        }
        ds_put_cstr(ds, nodes[i]->name);
    }
    free(nodes);
}

static char *
ds_steal_or_null(struct ds *ds)
{
    char *s = ds->len ? ds_steal_cstr(ds) : NULL;

    ds_destroy(ds);
    return s;
}

bool
server_get_remote_status(const struct server *server, const char *name,
                         struct server_remote_status *status)
{
    const struct remote *remote = shash_find_data(&server->remotes, name);
    const struct session *s;

    memset(status, 0, sizeof *status);
    status->sec_since_connect = status->sec_since_disconnect = -1;
    if (!remote) {
        return false;
    }
    if (remote->listener) {
        status->bound_port = stream_listener_port(remote->listener);
        LIST_FOR_EACH (s, node, &server->sessions) {
            if (s->remote == remote && s->conn) {
                status->n_connections++;
            }
        }
        status->is_connected = status->n_connections > 0;
        return true;
    }

    struct jsonrpc_session_stats stats;
    jsonrpc_session_get_stats(remote->js, &stats);
    status->is_connected = jsonrpc_session_is_connected(remote->js);
    status->state = stats.state;
    status->sec_since_connect = (stats.ms_since_connect < 0 ? -1
                                 : stats.ms_since_connect / 1000);
    status->sec_since_disconnect = (stats.ms_since_disconnect < 0 ? -1
                                    : stats.ms_since_disconnect / 1000);
    status->last_error = stats.last_error ? xstrdup(stats.last_error) : NULL;
    if (remote->active) {
        struct ds held = DS_EMPTY_INITIALIZER;
        struct ds waiting = DS_EMPTY_INITIALIZER;
        struct ds lost = DS_EMPTY_INITIALIZER;

        status->n_connections = 1;
        session_get_locks(remote->active, &held, &waiting, &lost);
        status->locks_held = ds_steal_or_null(&held);
        status->locks_waiting = ds_steal_or_null(&waiting);
        status->locks_lost = ds_steal_or_null(&lost);
    }
    return true;
}

void
server_remote_status_destroy(struct server_remote_status *status)
{
    free(status->last_error);
    free(status->locks_held);
    free(status->locks_waiting);
    free(status->locks_lost);
}

struct ovsdb_db *
server_get_db(const struct server *server, const char *name)
{
    const struct server_db *sdb = shash_find_data(&server->dbs, name);

    return sdb ? sdb->db : NULL;
}

struct ovsdb_error *
server_commit_txn(struct server *server, struct ovsdb_db *db,
                  struct ovsdb_txn *txn)
{
    struct server_db *sdb = shash_find_data(&server->dbs,
                                            db->schema->name);
    struct ovsdb_error *error;

    if (!sdb || sdb->db != db) {
        ovsdb_txn_abort(txn);
        return ovsdb_error("unknown database", "database %s is not served",
                           db->schema->name);
    }
    error = ovsdb_txn_precommit(txn);
    if (!error && ovsdb_txn_is_empty(txn)) {
        ovsdb_txn_abort(txn);
        return NULL;
    }
    if (!error && sdb->backend) {
        error = write_txn(sdb, txn);
    }
    if (error) {
        ovsdb_txn_abort(txn);
        return error;
    }
    /* If the batch must be re-run, this txn is taken back with it and not
     * run again (there is no request to run): remotes.c writes the status
     * again at its next update. */
    commit_in_memory(sdb, txn);
    if (!server->in_check) {
        /* Outside the loop's check phase (a timer's callback, say) nothing
         * else would commit the batch before the loop sleeps. */
        commit_check_cb(&server->commit_check);
    }
    return NULL;
}

void
server_set_change_cb(struct server *server, void (*cb)(void *aux),
                     void *aux)
{
    server->change_cb = cb;
    server->change_aux = aux;
}

/* ---- Life cycle. ---- */

struct server *
server_create(uv_loop_t *loop, const struct server_options *options)
{
    struct server *server = xzalloc(sizeof *server);

    server->loop = loop;
    server->options = *options;
    if (!server->options.max_sessions) {
        server->options.max_sessions = SERVER_DEFAULT_MAX_SESSIONS;
    }
    if (!server->options.max_txn_rows) {
        server->options.max_txn_rows = SERVER_DEFAULT_MAX_TXN_ROWS;
    }
    shash_init(&server->dbs);
    shash_init(&server->remotes);
    shash_init(&server->locks);
    ovs_list_init(&server->sessions);
    ovs_list_init(&server->triggers);
    ovs_list_init(&server->held);
    uuid_generate(&server->server_id);

    uv_check_init(loop, &server->commit_check);
    server->commit_check.data = server;
    uv_check_start(&server->commit_check, commit_check_cb);
    uv_timer_init(loop, &server->trigger_timer);
    server->trigger_timer.data = server;
    uv_idle_init(loop, &server->heap_tidy);
    server->heap_tidy.data = server;

    server->server_db = server_db_create(server, create_server_db(), NULL);
    server_db_update_server_row(server->server_db);
    return server;
}

uv_loop_t *
server_get_loop(const struct server *server)
{
    return server->loop;
}

void
server_destroy(struct server *server)
{
    struct shash_node *node, *next;
    struct session *s, *next_s;

    if (!server) {
        return;
    }
    if (server->holding) {
        commit_batches(server);
    }
    LIST_FOR_EACH_SAFE (s, next_s, node, &server->sessions) {
        if (s->conn) {
            jsonrpc_conn_close(s->conn);
        }
    }
    SHASH_FOR_EACH_SAFE (node, next, &server->remotes) {
        remote_destroy(node->data);
        shash_delete(&server->remotes, node);
    }
    uv_close((uv_handle_t *) &server->commit_check, NULL);
    uv_close((uv_handle_t *) &server->trigger_timer, NULL);
    uv_close((uv_handle_t *) &server->heap_tidy, NULL);
    /* Let libuv finish closing connections so that sessions go away before
     * the databases their monitors point into. */
    uv_run(server->loop, UV_RUN_NOWAIT);
    /* Before the databases, whose watches take up to a second each to
     * stop: the lock waiters on other servers learn at once. */
    backend_locks_close(server->shared_locks);
    SHASH_FOR_EACH_SAFE (node, next, &server->dbs) {
        struct server_db *sdb = node->data;
        ovsdb_undo_forget(&sdb->undo);
        ovsdb_monitor_db_destroy(sdb->db);
        ovsdb_db_destroy(sdb->db);
        backend_close(sdb->backend);
        metrics_histogram_destroy(&sdb->commit_latency);
        free(sdb->name);
        free(sdb);
        shash_delete(&server->dbs, node);
    }
    shash_destroy(&server->dbs);
    shash_destroy(&server->remotes);
    shash_destroy(&server->locks);
    free(server);
}

/* ---- unixctl. ---- */

static void
unixctl_exit(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[] OVS_UNUSED,
             void *aux)
{
    struct server *server = aux;

    unixctl_command_reply(conn, NULL);
    uv_stop(server->loop);
}

/* The names in 'sh', sorted, one per line, each followed by what
 * 'describe' says of its data (NULL: nothing).  The caller frees it. */
static char *
format_names(const struct shash *sh, const char *(*describe)(const void *))
{
    const struct shash_node **nodes = shash_sort(sh);
    size_t n = shash_count(sh);
    char *out = xstrdup("");

    for (size_t i = 0; i < n; i++) {
        const char *extra = describe ? describe(nodes[i]->data) : NULL;
        char *next = xasprintf("%s%s%s\n", out, nodes[i]->name,
                               extra ? extra : "");
        free(out);
        out = next;
    }
    free(nodes);
    return out;
}

static void
unixctl_list_dbs(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED,
                 void *aux)
{
    struct server *server = aux;
    char *out = format_names(&server->dbs, NULL);

    unixctl_command_reply(conn, out);
    free(out);
}

/* Resident set size in KiB, from /proc/self/statm, or 0. */
static unsigned long
rss_kib(void)
{
    unsigned long size, resident = 0;
    FILE *f = fopen("/proc/self/statm", "r");

    if (f) {
        if (fscanf(f, "%lu %lu", &size, &resident) != 2) {
            resident = 0;
        }
        fclose(f);
    }
    return resident * (sysconf(_SC_PAGESIZE) / 1024);
}

/* As ovsdb-server prints it: "key:value" pairs, sorted by key.  "cells"
 * (column values, _uuid and _version included) and "atoms" (the values in
 * them), "monitors", "sessions" and "backlog" (bytes queued for clients)
 * mean what they mean there; "rows", "triggers", "locks" and "rss-kib"
 * are xsw's own. */
static void
unixctl_memory_show(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED,
                    void *aux)
{
    struct server *server = aux;
    size_t n_rows = 0, n_cells = 0, n_atoms = 0;
    size_t n_sessions = 0, n_monitors = 0, backlog = 0;
    struct shash_node *node;
    struct session *s;

    SHASH_FOR_EACH (node, &server->dbs) {
        struct server_db *sdb = node->data;
        struct shash_node *tnode;
        SHASH_FOR_EACH (tnode, &sdb->db->tables) {
            struct ovsdb_table *table = tnode->data;
            const struct ovsdb_table_schema *ts = table->schema;
            const struct ovsdb_row *row;

            n_rows += hmap_count(&table->rows);
            n_cells += hmap_count(&table->rows) * ts->n_columns;
            HMAP_FOR_EACH (row, hmap_node, &table->rows) {
                for (unsigned int i = 0; i < ts->n_columns; i++) {
                    const struct ovsdb_datum *d = &row->fields[i];
                    n_atoms += d->n * (d->values ? 2 : 1);
                }
            }
        }
    }
    LIST_FOR_EACH (s, node, &server->sessions) {
        n_sessions++;
        n_monitors += ovs_list_size(&s->monitors);
        if (s->conn) {
            backlog += jsonrpc_conn_get_backlog(s->conn);
        }
    }
    char *out = xasprintf("atoms:%zu backlog:%zu cells:%zu locks:%zu "
                          "monitors:%zu rows:%zu rss-kib:%lu sessions:%zu "
                          "triggers:%zu\n", n_atoms, backlog, n_cells,
                          server_count_locks(server), n_monitors, n_rows,
                          rss_kib(), n_sessions,
                          ovs_list_size(&server->triggers));
    unixctl_command_reply(conn, out);
    free(out);
}

/* ---- Metrics. ---- */

void
server_metrics_collect(struct metrics *m, void *server_)
{
    struct server *server = server_;
    const struct shash_node **dbs = shash_sort(&server->dbs);
    const struct shash_node **remotes = shash_sort(&server->remotes);
    size_t n_dbs = shash_count(&server->dbs);
    size_t backlog = 0;
    struct session *s;

    metrics_family(m, "xsw_db_transactions_total", METRICS_COUNTER,
                   "Transactions (transact requests) done, by result: "
                   "committed (changed the database), unchanged (succeeded "
                   "without a change), failed (rolled back: an operation, a "
                   "constraint or the commit to storage failed), canceled "
                   "(waited, then canceled).");
    for (size_t i = 0; i < n_dbs; i++) {
        const struct server_db *sdb = dbs[i]->data;

        for (int r = 0; r < TXN_N_RESULTS; r++) {
            metrics_put(m, sdb->n_txns[r], "db", sdb->name,
                        "result", txn_result_names[r], NULL);
        }
    }
    metrics_family(m, "xsw_db_commit_duration_seconds", METRICS_HISTOGRAM,
                   "Time each commit to storage took (an SQLite "
                   "transaction): one per turn of the event loop in which "
                   "transactions changed the database (group commit), "
                   "before any of them is answered.");
    for (size_t i = 0; i < n_dbs; i++) {
        const struct server_db *sdb = dbs[i]->data;

        if (sdb->backend) {
            metrics_put_histogram(m, &sdb->commit_latency, "db", sdb->name,
                                  NULL);
        }
    }
    metrics_family(m, "xsw_db_rows", METRICS_GAUGE,
                   "Rows in the table.");
    for (size_t i = 0; i < n_dbs; i++) {
        const struct server_db *sdb = dbs[i]->data;
        const struct shash_node **tables = shash_sort(&sdb->db->tables);

        for (size_t j = 0; j < shash_count(&sdb->db->tables); j++) {
            const struct ovsdb_table *table = tables[j]->data;

            metrics_put(m, hmap_count(&table->rows), "db", sdb->name,
                        "table", tables[j]->name, NULL);
        }
        free(tables);
    }
    metrics_family(m, "xsw_db_file_size_bytes", METRICS_GAUGE,
                   "Bytes the stored database takes on this host: the "
                   "SQLite file and its write-ahead log.");
    for (size_t i = 0; i < n_dbs; i++) {
        const struct server_db *sdb = dbs[i]->data;

        int64_t size = sdb->backend ? backend_get_size(sdb->backend) : -1;

        if (size >= 0) {
            metrics_put(m, size, "db", sdb->name, NULL);
        }
    }
    metrics_family(m, "xsw_db_monitors", METRICS_GAUGE,
                   "Monitors of the database that clients hold.");
    for (size_t i = 0; i < n_dbs; i++) {
        const struct server_db *sdb = dbs[i]->data;
        size_t n = 0;

        LIST_FOR_EACH (s, node, &server->sessions) {
            const struct session_monitor *sm;
            LIST_FOR_EACH (sm, node, &s->monitors) {
                n += sm->sdb == sdb;
            }
        }
        metrics_put(m, n, "db", sdb->name, NULL);
    }
    metrics_family(m, "xsw_db_sessions", METRICS_GAUGE,
                   "Clients connected (JSON-RPC sessions), by the remote "
                   "they came through.");
    for (size_t i = 0; i < shash_count(&server->remotes); i++) {
        const struct remote *r = remotes[i]->data;
        size_t n = 0;

        LIST_FOR_EACH (s, node, &server->sessions) {
            n += s->remote == r;
        }
        metrics_put(m, n, "remote", r->name, NULL);
    }
    LIST_FOR_EACH (s, node, &server->sessions) {
        if (s->conn) {
            backlog += jsonrpc_conn_get_backlog(s->conn);
        }
    }
    metrics_family(m, "xsw_db_backlog_bytes", METRICS_GAUGE,
                   "Output queued for clients, not yet sent.");
    metrics_put(m, backlog, NULL);
    metrics_family(m, "xsw_db_waiting_transactions", METRICS_GAUGE,
                   "Transactions waiting for a \"wait\" operation to be "
                   "satisfied.");
    metrics_put(m, ovs_list_size(&server->triggers), NULL);
    metrics_family(m, "xsw_db_locks", METRICS_GAUGE,
                   "Locks that clients hold or wait for.");
    metrics_put(m, server_count_locks(server), NULL);
    free(dbs);
    free(remotes);
    coverage_put_metrics(m);
    metrics_put_process(m);
}

/* "ovsdb-server/compact [DB]...": every database, or those named. */
static void
unixctl_compact(struct unixctl_conn *conn, int argc, const char *argv[],
                void *aux)
{
    struct server *server = aux;
    struct ds errors = DS_EMPTY_INITIALIZER;
    struct shash_node *node;

    if (server->holding) {
        commit_batches(server);
    }
    for (int i = 1; i < argc; i++) {
        if (!shash_find(&server->dbs, argv[i])) {
            unixctl_command_reply_error(conn, "no database by that name");
            return;
        }
    }
    SHASH_FOR_EACH (node, &server->dbs) {
        struct server_db *sdb = node->data;
        bool named = argc < 2;

        for (int i = 1; i < argc; i++) {
            named |= !strcmp(argv[i], sdb->name);
        }
        if (!named || !sdb->backend) {
            continue;
        }
        VLOG_INFO("compacting %s database by user request", sdb->name);
        struct ovsdb_error *error = backend_compact(sdb->backend, sdb->db);
        if (error) {
            char *msg = ovsdb_error_to_string(error);
            ds_put_format(&errors, "%s\n", msg);
            free(msg);
            ovsdb_error_destroy(error);
        }
    }
    if (errors.len) {
        unixctl_command_reply_error(conn, errors.s);
    } else {
        unixctl_command_reply(conn, NULL);
    }
    ds_destroy(&errors);
}

/* ovsdb-server says "state: active" unless it is a backup (--sync-from),
 * which xsw-dbserver never is. */
static void
unixctl_sync_status(struct unixctl_conn *conn, int argc OVS_UNUSED,
                    const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    unixctl_command_reply(conn, "state: active\n");
}

void
server_register_unixctl(struct server *server)
{
    unixctl_command_register("exit", "", 0, 0, unixctl_exit, server);
    unixctl_command_register("ovsdb-server/list-dbs", "", 0, 0,
                             unixctl_list_dbs, server);
    unixctl_command_register("memory/show", "", 0, 0, unixctl_memory_show,
                             server);
    unixctl_command_register("ovsdb-server/compact", "[DB]...", 0, INT_MAX,
                             unixctl_compact, server);
    unixctl_command_register("ovsdb-server/sync-status", "", 0, 0,
                             unixctl_sync_status, server);
}
