/* idl.h: the client-side replica of an OVSDB database (the "IDL").
 *
 * An IDL keeps an in-memory copy of the tables and columns its owner
 * registered, kept current by an OVSDB monitor over a connection that it
 * re-establishes on its own, and lets its owner change the database through
 * transactions.  It is generic: tables and columns are named at run time and
 * the schema is fetched from the server (get_schema) on every connect, so it
 * works with any schema and needs no generated code.
 *
 * Life cycle:
 *
 *     struct ovsdb_idl *idl = ovsdb_idl_create(loop, "unix:db.sock",
 *                                              "Open_vSwitch");
 *     struct ovsdb_idl_table *br = ovsdb_idl_add_table(idl, "Bridge");
 *     const struct ovsdb_idl_column *br_name
 *         = ovsdb_idl_add_column(br, "name");
 *     ovsdb_idl_add_column(br, "ports");
 *     ovsdb_idl_set_condition(br, json_loads("[[\"name\",\"==\",\"br0\"]]",
 *                                            0, NULL));   (taken)
 *     if (ovsdb_idl_run_until_synced(idl, 5000, &error)) {
 *         fprintf(stderr, "%s\n", error);   (caller frees 'error')
 *     }
 *     OVSDB_IDL_FOR_EACH_ROW (row, br) {
 *         puts(ovsdb_idl_row_get_string(row, br_name, ""));
 *     }
 *     ovsdb_idl_destroy(idl);
 *     uv_run(loop, UV_RUN_DEFAULT);   (lets libuv close the handles)
 *
 * Everything runs on the caller's libuv loop: connecting, replicating and
 * committing happen while the loop runs, either because the owner runs it
 * (a daemon) or inside the blocking helpers (ovsdb_idl_run_until_synced(),
 * ovsdb_idl_wait_for(), ovsdb_idl_txn_commit_block()), which run it one
 * iteration at a time.  Not thread-safe.
 *
 * Protocol: get_schema, then monitor_cond_since (update3 notifications);
 * servers that lack it get monitor_cond (update2), then monitor (update).
 * After a reconnect the monitor resumes from the last transaction id: if
 * the server still has the history ("found"), only the changes since are
 * applied, otherwise the replica is replaced by the server's contents (rows
 * that differ are reported to change tracking as deleted, inserted or
 * modified; identical rows are left alone).  A schema that differs from the
 * previous connection's replaces the replica.  Echo requests are answered.
 *
 * Handles: table and column handles (struct ovsdb_idl_table,
 * struct ovsdb_idl_column) belong to the IDL and stay valid until
 * ovsdb_idl_destroy(), across reconnects and schema changes.  Row pointers
 * (const struct ovsdb_idl_row *) stay valid until the replica changes, that
 * is, until control returns to the loop; with change tracking on, rows
 * deleted from the replica stay readable until ovsdb_idl_track_clear().
 *
 * Registration (tables, columns, conditions) may happen at any time.
 * Before the first connect it shapes the first monitor request; later, the
 * IDL updates the monitor on the next loop iteration (a changed condition
 * becomes a monitor_cond_change; new tables or columns a new monitor).  A
 * registered table or column that the server's schema lacks is skipped with
 * a warning passed to the warning callback (default: logged), never fatal.
 *
 * Errors follow HACKING.md: positive errno values, with a malloc'd message
 * through 'char **errorp' (may be NULL; NULL is stored on success). */
#ifndef XSW_IDL_H
#define XSW_IDL_H 1

#include <stdbool.h>
#include <stdint.h>
#include <jansson.h>
/* util.h before <uv.h>: see jsonrpc.h. */
#include "util.h"
#include <uv.h>
#include "ovsdb-data.h"
#include "ovsdb-schema.h"
#include "uuid.h"

struct ovsdb_idl;
struct ovsdb_idl_table;
struct ovsdb_idl_column;
struct ovsdb_idl_row;
struct ovsdb_idl_txn;

/* ---- Creation and connection. ---- */

/* Creates an IDL that replicates database 'db_name' from active remote
 * 'remote' ("unix:PATH" or "tcp:IP:PORT") and starts connecting on 'loop'
 * (nothing happens until the loop runs).  Never returns NULL: a malformed
 * 'remote' is reported by ovsdb_idl_run_until_synced(). */
struct ovsdb_idl *ovsdb_idl_create(uv_loop_t *, const char *remote,
                                   const char *db_name);

/* Disconnects and frees everything, including any transaction still open
 * (whose done callback is not called).  libuv handles are released once
 * the loop runs again, so run it before uv_loop_close().  Safe on NULL. */
void ovsdb_idl_destroy(struct ovsdb_idl *);

const char *ovsdb_idl_get_remote(const struct ovsdb_idl *);
const char *ovsdb_idl_get_db_name(const struct ovsdb_idl *);

/* The server's schema for the database, as fetched on the latest connect:
 * NULL until first connected.  Owned by the IDL; valid until the next
 * schema change (a reconnect to a server with a different schema). */
const struct ovsdb_schema *ovsdb_idl_get_schema(const struct ovsdb_idl *);

/* True when connected and the replica matches the server: the monitor
 * reply has been applied and no condition change or re-monitor is still
 * unanswered. */
bool ovsdb_idl_is_synced(const struct ovsdb_idl *);

/* Number of times a connection (with schema and monitor) was established;
 * grows by one on each reconnect. */
unsigned int ovsdb_idl_get_connection_seqno(const struct ovsdb_idl *);

/* Number of times the replica was (re)loaded wholesale from a monitor
 * reply: the first connect, a reconnect the server could not resume
 * ("found": false, or a server without monitor_cond_since), a re-monitor
 * after new registrations.  A resumed reconnect leaves it alone. */
unsigned int ovsdb_idl_get_reload_count(const struct ovsdb_idl *);

/* Whether ovsdb_idl_run_until_synced() keeps retrying after a failed
 * connection attempt (true) or gives up at once (false, the default, as
 * ovs-vsctl without --retry does).  The IDL itself always reconnects. */
void ovsdb_idl_set_retry(struct ovsdb_idl *, bool retry);

/* Drops the connection and reconnects at once (resuming the monitor from
 * the last transaction id). */
void ovsdb_idl_force_reconnect(struct ovsdb_idl *);

/* Inactivity probes: with 'ms' milliseconds of silence from the server the
 * IDL sends an "echo" request, and if another 'ms' pass with nothing, it
 * drops the connection and reconnects (see jsonrpc_conn_options).  The
 * default is Open vSwitch's: 5000 for tcp: and ssl: remotes, 0 (never)
 * for unix:, where the kernel reports a dead server.  0 turns probes off;
 * values under 1000 become 1000. */
void ovsdb_idl_set_probe_interval(struct ovsdb_idl *, int ms);

/* Called with a message (valid only during the call) for each registered
 * table or column that the server's schema lacks, and for protocol
 * problems worth a user's attention.  The default (cb NULL) logs them with
 * VLOG_WARN. */
typedef void ovsdb_idl_warning_cb(struct ovsdb_idl *, const char *message,
                                  void *aux);
void ovsdb_idl_set_warning_cb(struct ovsdb_idl *, ovsdb_idl_warning_cb *,
                              void *aux);

/* ---- Registration: what to replicate. ---- */

/* Replicates table 'name' (no columns yet: only its rows' UUIDs).
 * Returns the table's handle; registering a table twice returns the same
 * handle. */
struct ovsdb_idl_table *ovsdb_idl_add_table(struct ovsdb_idl *,
                                            const char *name);
/* Replicates column 'name' of 'table'.  Returns its handle (the same one
 * if registered twice).  Whether the server has it is only known once
 * connected: see ovsdb_idl_column_get_type(). */
const struct ovsdb_idl_column *ovsdb_idl_add_column(struct ovsdb_idl_table *,
                                                    const char *name);
/* Registers column 'name' of 'table' for writing only: transactions may
 * write or mutate it, but its value is not fetched (rows show its default)
 * unless ovsdb_idl_add_column() asks for it too.  This is how a client adds
 * one element to a set of 10,000 without downloading the 10,000. */
const struct ovsdb_idl_column *ovsdb_idl_add_write_only_column(
    struct ovsdb_idl_table *, const char *name);
/* Replicates every column the server's schema has for 'table', now and
 * after each schema (re)load. */
void ovsdb_idl_add_all_columns(struct ovsdb_idl_table *);

/* Restricts 'table' to the rows that match 'where' (taken), a JSON array
 * of RFC 7047 clauses ([column, function, value]; the literals true and
 * false are also allowed), as monitor_cond's "where".  As in Open
 * vSwitch's monitor_cond, a row matches if ANY clause is true (unlike a
 * transaction's "where"): [["name","==","p1"],["name","==","p2"]] fetches
 * both ports.  NULL or [] means every row (the default); [false] means
 * none.  Changing it while
 * connected sends monitor_cond_change (or re-monitors a server without
 * conditional monitoring, filtering nothing): rows that stop matching
 * leave the replica, rows that start matching enter it, and
 * ovsdb_idl_is_synced() is false until the server has answered.
 * Unknown columns in 'where' make the server reject the monitor: the
 * error is reported through the warning callback. */
void ovsdb_idl_set_condition(struct ovsdb_idl_table *, json_t *where);

/* Table and column handles by name: registered ones only (NULL otherwise;
 * with ovsdb_idl_add_all_columns(), every column of the loaded schema). */
struct ovsdb_idl_table *ovsdb_idl_table_from_name(const struct ovsdb_idl *,
                                                  const char *name);
const struct ovsdb_idl_column *ovsdb_idl_column_from_name(
    const struct ovsdb_idl_table *, const char *name);

const char *ovsdb_idl_table_get_name(const struct ovsdb_idl_table *);

const char *ovsdb_idl_column_get_name(const struct ovsdb_idl_column *);
struct ovsdb_idl_table *ovsdb_idl_column_get_table(
    const struct ovsdb_idl_column *);
/* The column's type in the server's schema, or NULL if not connected yet
 * or the server lacks the column (it is then not replicated). */
const struct ovsdb_type *ovsdb_idl_column_get_type(
    const struct ovsdb_idl_column *);

/* ---- Reading the replica. ---- */

/* The rows of 'table', in no particular order.  While a transaction is
 * open, rows it inserted are included and rows it deleted are not, and
 * every getter shows the transaction's values (read-your-writes). */
const struct ovsdb_idl_row *ovsdb_idl_first_row(
    const struct ovsdb_idl_table *);
const struct ovsdb_idl_row *ovsdb_idl_next_row(const struct ovsdb_idl_row *);
#define OVSDB_IDL_FOR_EACH_ROW(ROW, TABLE)                               \
    for ((ROW) = ovsdb_idl_first_row(TABLE); (ROW);                      \
         (ROW) = ovsdb_idl_next_row(ROW))
size_t ovsdb_idl_count_rows(const struct ovsdb_idl_table *);

/* The row with 'uuid' in 'table', or NULL.  (Rows inserted by the open
 * transaction are found by the UUID they were inserted with.) */
const struct ovsdb_idl_row *ovsdb_idl_get_row(const struct ovsdb_idl_table *,
                                              const struct uuid *);

const struct uuid *ovsdb_idl_row_get_uuid(const struct ovsdb_idl_row *);
struct ovsdb_idl_table *ovsdb_idl_row_get_table(const struct ovsdb_idl_row *);

/* The value of 'column' in 'row' (owned by the IDL), or NULL if 'column'
 * is not replicated (the server lacks it) or belongs to another table.  A
 * column the server did not send holds its type's default. */
const struct ovsdb_datum *ovsdb_idl_row_get_datum(
    const struct ovsdb_idl_row *, const struct ovsdb_idl_column *);
/* Same, by column name. */
const struct ovsdb_datum *ovsdb_idl_row_get_datum_by_name(
    const struct ovsdb_idl_row *, const char *column_name);

/* Typed conveniences: the first (for a scalar, the only) element if the
 * column holds at least one of the right type, else 'dflt'. */
const char *ovsdb_idl_row_get_string(const struct ovsdb_idl_row *,
                                     const struct ovsdb_idl_column *,
                                     const char *dflt);
int64_t ovsdb_idl_row_get_integer(const struct ovsdb_idl_row *,
                                  const struct ovsdb_idl_column *,
                                  int64_t dflt);
bool ovsdb_idl_row_get_boolean(const struct ovsdb_idl_row *,
                               const struct ovsdb_idl_column *, bool dflt);
/* For a map with string keys: the value of 'key' as a string (string
 * values only), or 'dflt' if absent. */
const char *ovsdb_idl_row_get_map_string(const struct ovsdb_idl_row *,
                                         const struct ovsdb_idl_column *,
                                         const char *key, const char *dflt);

/* ---- Change notification and tracking. ---- */

/* A number that changes whenever the replica changes (and on connection
 * and lock state changes): compare it with a saved value to decide whether
 * to reconfigure. */
uint64_t ovsdb_idl_get_seqno(const struct ovsdb_idl *);

/* Called after each batch of changes has been applied to the replica (a
 * monitor reply or an update notification), and after lock state changes.
 * It may read the replica and create transactions. */
typedef void ovsdb_idl_change_cb(struct ovsdb_idl *, void *aux);
void ovsdb_idl_set_change_cb(struct ovsdb_idl *, ovsdb_idl_change_cb *,
                             void *aux);

/* Per-row change tracking, off by default (a deleted row is kept until
 * ovsdb_idl_track_clear(), so a program that never clears must not turn
 * it on).  Turning it on applies to changes from then on. */
void ovsdb_idl_track_enable(struct ovsdb_idl *);

enum ovsdb_idl_change {
    OVSDB_IDL_UNCHANGED,
    OVSDB_IDL_INSERTED,         /* Inserted (possibly modified since). */
    OVSDB_IDL_MODIFIED,         /* Existed before; some column changed. */
    OVSDB_IDL_DELETED           /* Gone (maybe inserted since the clear). */
};

/* The rows of 'table' that changed since the last ovsdb_idl_track_clear(),
 * deleted ones included (their last values remain readable). */
const struct ovsdb_idl_row *ovsdb_idl_track_first(
    const struct ovsdb_idl_table *);
const struct ovsdb_idl_row *ovsdb_idl_track_next(
    const struct ovsdb_idl_row *);
#define OVSDB_IDL_FOR_EACH_TRACKED(ROW, TABLE)                           \
    for ((ROW) = ovsdb_idl_track_first(TABLE); (ROW);                    \
         (ROW) = ovsdb_idl_track_next(ROW))
enum ovsdb_idl_change ovsdb_idl_row_get_change(const struct ovsdb_idl_row *);
/* True if 'column' of 'row' changed since the last clear (true for every
 * column of an inserted or deleted row). */
bool ovsdb_idl_row_column_changed(const struct ovsdb_idl_row *,
                                  const struct ovsdb_idl_column *);
/* Forgets all tracked changes and frees tracked deleted rows. */
void ovsdb_idl_track_clear(struct ovsdb_idl *);

/* ---- Locks (RFC 7047 4.1.8). ---- */

/* Asks for lock 'name' (NULL: give up any lock), now and after every
 * reconnect.  While the IDL has a lock name but does not hold the lock,
 * transactions fail with OVSDB_IDL_TXN_NOT_LOCKED. */
void ovsdb_idl_set_lock(struct ovsdb_idl *, const char *name);
/* True if the server granted the lock (and did not take it back). */
bool ovsdb_idl_has_lock(const struct ovsdb_idl *);
/* True if another client holds the lock we asked for. */
bool ovsdb_idl_is_lock_contended(const struct ovsdb_idl *);

/* ---- Transactions. ---- */

/* One transaction per IDL at a time, as in Open vSwitch.  Building one
 * changes nothing on the server and, apart from read-your-writes, nothing
 * in the replica: the replica changes when the server's update arrives. */
enum ovsdb_idl_txn_status {
    OVSDB_IDL_TXN_UNCOMMITTED,  /* Not committed yet. */
    OVSDB_IDL_TXN_UNCHANGED,    /* Nothing to do: nothing was sent. */
    OVSDB_IDL_TXN_INCOMPLETE,   /* Sent, waiting for the reply. */
    OVSDB_IDL_TXN_ABORTED,      /* ovsdb_idl_txn_abort() was called. */
    OVSDB_IDL_TXN_SUCCESS,      /* Committed (the replica shows it). */
    OVSDB_IDL_TXN_TRY_AGAIN,    /* A verified column changed, a row was
                                 * deleted meanwhile, or the connection
                                 * dropped: refresh and retry. */
    OVSDB_IDL_TXN_ERROR,        /* The server refused it: see
                                 * ovsdb_idl_txn_get_error(). */
    OVSDB_IDL_TXN_NOT_LOCKED    /* The IDL has a lock name but does not
                                 * hold the lock. */
};
const char *ovsdb_idl_txn_status_to_string(enum ovsdb_idl_txn_status);

/* Starts a transaction.  Returns NULL if 'idl' already has one open (or
 * pending). */
struct ovsdb_idl_txn *ovsdb_idl_txn_create(struct ovsdb_idl *);
/* Frees 'txn' (safe on NULL).  A pending one is forgotten: its reply is
 * ignored and its done callback not called.  Read-your-writes ends. */
void ovsdb_idl_txn_destroy(struct ovsdb_idl_txn *);
/* The open or pending transaction of 'idl', or NULL. */
struct ovsdb_idl_txn *ovsdb_idl_get_txn(const struct ovsdb_idl *);

/* Inserts a row in 'table' with every replicated column at its default.
 * 'uuid' (may be NULL: one is made up) is the row's UUID within the
 * transaction: other rows' columns may refer to the new row with it, and
 * the IDL sends it as a named-uuid.  The server assigns the real UUID:
 * see ovsdb_idl_txn_get_insert_uuid(). */
const struct ovsdb_idl_row *ovsdb_idl_txn_insert(struct ovsdb_idl_txn *,
                                                 struct ovsdb_idl_table *,
                                                 const struct uuid *);

/* Sets 'column' of 'row' to 'datum' (taken: its contents are moved out
 * and it is left empty), sent as an "update" of that column.  'row' must
 * be in the open transaction's IDL and 'column' replicated. */
void ovsdb_idl_txn_write(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *,
                         struct ovsdb_datum *);
/* Same for a scalar string, integer or boolean column. */
void ovsdb_idl_txn_write_string(const struct ovsdb_idl_row *,
                                const struct ovsdb_idl_column *,
                                const char *);
void ovsdb_idl_txn_write_integer(const struct ovsdb_idl_row *,
                                 const struct ovsdb_idl_column *, int64_t);
void ovsdb_idl_txn_write_boolean(const struct ovsdb_idl_row *,
                                 const struct ovsdb_idl_column *, bool);

/* Applies set/map mutator 'mutator' ("insert" or "delete") with 'datum'
 * (not taken) to 'column' of 'row', sent as a "mutate" operation, so that
 * adding one element to a large set does not rewrite the set.  'datum' has
 * the column's type, except that for "delete" on a map it may be a set of
 * keys (keys only, no values).  Returns 0, or EINVAL for an unknown
 * mutator.  The replica's view inside the transaction applies the
 * mutation at once (read-your-writes). */
int ovsdb_idl_txn_mutate(const struct ovsdb_idl_row *,
                         const struct ovsdb_idl_column *,
                         const char *mutator, const struct ovsdb_datum *);

/* Deletes 'row' (a row inserted by the same transaction just vanishes). */
void ovsdb_idl_txn_delete(const struct ovsdb_idl_row *);

/* Makes the commit fail with TRY_AGAIN unless 'column' of 'row' still has,
 * on the server, the value the replica has now (a "wait" operation).
 * Verify what a change was computed from: e.g. a bridge's "ports" before
 * rewriting it. */
void ovsdb_idl_txn_verify(const struct ovsdb_idl_row *,
                          const struct ovsdb_idl_column *);

/* Adds 1 to integer 'column' of 'row' on the server within the
 * transaction, and fetches the new value (used for next_cfg).  One
 * increment per transaction. */
void ovsdb_idl_txn_increment(struct ovsdb_idl_txn *,
                             const struct ovsdb_idl_row *,
                             const struct ovsdb_idl_column *);
/* After SUCCESS: the incremented value, or -1 if none. */
int64_t ovsdb_idl_txn_get_increment_new_value(const struct ovsdb_idl_txn *);

/* Adds a "comment" operation (shown in the server's log). */
void ovsdb_idl_txn_add_comment(struct ovsdb_idl_txn *, const char *fmt, ...)
    PRINTF_FORMAT(2, 3);
/* Sends the transaction with a final "abort" operation: checks everything
 * and changes nothing; SUCCESS if it would have succeeded. */
void ovsdb_idl_txn_set_dry_run(struct ovsdb_idl_txn *);

/* Called once when a committed transaction completes (any final status).
 * It may destroy the transaction, except under
 * ovsdb_idl_txn_commit_block(), which reads it afterward. */
typedef void ovsdb_idl_txn_done_cb(struct ovsdb_idl_txn *,
                                   enum ovsdb_idl_txn_status, void *aux);
void ovsdb_idl_txn_set_done_cb(struct ovsdb_idl_txn *,
                               ovsdb_idl_txn_done_cb *, void *aux);

/* Sends the transaction.  Returns INCOMPLETE (the done callback follows
 * from the loop), or at once a final status, for which the done callback
 * is not called: UNCHANGED (nothing to send), NOT_LOCKED, or TRY_AGAIN if
 * not connected or not synced.  Read-your-writes ends here: until the
 * server's update arrives the replica shows the old values.  On SUCCESS
 * the replica shows the transaction's inserts (a reply that overtakes the
 * update is held back until the update arrives). */
enum ovsdb_idl_txn_status ovsdb_idl_txn_commit(struct ovsdb_idl_txn *);
/* Commits and runs the loop until the transaction completes or
 * 'timeout_ms' (negative: no limit) passes; returns the final status, or
 * INCOMPLETE on timeout (the transaction is still pending). */
enum ovsdb_idl_txn_status ovsdb_idl_txn_commit_block(struct ovsdb_idl_txn *,
                                                     int timeout_ms);

/* After ERROR: the server's error ("constraint violation: ..."), owned by
 * the transaction; NULL otherwise. */
const char *ovsdb_idl_txn_get_error(const struct ovsdb_idl_txn *);
/* After SUCCESS: the real UUID of 'row', inserted by 'txn', or NULL. */
const struct uuid *ovsdb_idl_txn_get_insert_uuid(
    const struct ovsdb_idl_txn *, const struct ovsdb_idl_row *);

/* ---- Blocking helpers for command-line programs. ---- */

/* Runs the loop until ovsdb_idl_is_synced().  Returns 0; ETIMEDOUT after
 * 'timeout_ms' (negative: no limit); or, without ovsdb_idl_set_retry(),
 * the errno of the first failed connection attempt (ENOENT,
 * ECONNREFUSED, ...) or EINVAL for a malformed remote, with a message in
 * '*errorp' as ovs-vsctl words it: "unix:/x.sock: database connection
 * failed (No such file or directory)". */
int ovsdb_idl_run_until_synced(struct ovsdb_idl *, int timeout_ms,
                               char **errorp);

/* Runs the loop until 'predicate(aux)' is true (checked first, then after
 * every loop iteration).  Returns 0 or ETIMEDOUT. */
int ovsdb_idl_wait_for(struct ovsdb_idl *, bool (*predicate)(void *aux),
                       void *aux, int timeout_ms);

#endif /* idl.h */
