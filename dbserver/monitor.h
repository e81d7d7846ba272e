/* monitor.h: xsw-dbserver's monitors ("monitor", "monitor_cond",
 * "monitor_cond_since", "monitor_cond_change"), as Open vSwitch 3.1's
 * ovsdb-server implements them.
 *
 * A monitor belongs to one client session and watches some columns of some
 * tables.  It reports, as JSON-RPC notifications, every committed change
 * those columns see:
 *
 *   version  method                notification  row updates
 *   V1       "monitor"             "update"      {"old": .., "new": ..}
 *   V2       "monitor_cond"        "update2"     {"initial"|"insert"|
 *   V3       "monitor_cond_since"  "update3"      "delete"|"modify": ..}
 *
 * V2 and V3 monitors have a condition per table ("where", a disjunction of
 * clauses: a row is monitored if ANY clause matches, or if there are none).
 * A row that starts matching is reported as an "insert", one that stops
 * matching as a "delete", exactly as ovsdb-server does.
 *
 * The session layer (server.c) drives this module:
 *
 *   ovsdb_monitor_create()          on a monitor* request: returns the
 *                                   method's result;
 *   ovsdb_monitors_txn_committed()  after storage accepted a txn and before
 *                                   ovsdb_txn_commit(): sends each monitor
 *                                   at most one notification for the txn,
 *                                   and records the txn in the history that
 *                                   monitor_cond_since reads;
 *   ovsdb_monitor_cond_change()     on monitor_cond_change;
 *   ovsdb_monitor_destroy()         on monitor_cancel and session close;
 *   ovsdb_monitor_db_destroy()      before ovsdb_db_destroy().
 *
 * Notifications go out through the send callback given at creation, which
 * takes ownership of the JSON object
 *     {"method": "update"|"update2"|"update3", "params": [...], "id": null}.
 * The callback runs inside the functions above, so it must not destroy any
 * monitor itself (a session that fails to send should close later, from its
 * own event loop).  Notifications may share sub-objects (monitors that watch
 * the same thing get the very same table-updates object), so the receiver
 * must treat them as read-only.
 *
 * Everything runs on the server's single thread. */
#ifndef XSW_MONITOR_H
#define XSW_MONITOR_H 1

#include <stdbool.h>
#include <stddef.h>
#include <jansson.h>

struct ovsdb_db;
struct ovsdb_error;
struct ovsdb_txn;
struct uuid;

enum ovsdb_monitor_version {
    OVSDB_MONITOR_V1,           /* "monitor" -> "update". */
    OVSDB_MONITOR_V2,           /* "monitor_cond" -> "update2". */
    OVSDB_MONITOR_V3            /* "monitor_cond_since" -> "update3". */
};

/* Sends 'notification' (ownership passes to the callee) to 'session'. */
typedef void ovsdb_monitor_send_func(void *session, json_t *notification);

struct ovsdb_monitor;

/* Creates a monitor of 'version' on 'db' for the session 'session', from
 * the method's 'monitor_id' (any JSON; copied) and 'monitor_requests'
 * ({table: request or [request, ...]}, RFC 7047 4.1.5 and ovsdb-server(7)).
 * 'last_txn_id' is monitor_cond_since's fourth parameter (a UUID string;
 * NULL or ignored for V1 and V2).
 *
 * On success stores the new monitor (owned by 'db' until
 * ovsdb_monitor_destroy()) in '*monitorp' and the method's result, owned
 * by the caller, in '*resultp':
 *   V1, V2: the initial table updates, {} if there are none;
 *   V3: [found, last_txn_id, table_updates2], where 'found' says that the
 *       client's 'last_txn_id' is in the history, in which case the updates
 *       are the changes made since that txn; otherwise they are the whole
 *       initial contents.  'last_txn_id' is the id of the newest txn.
 * On failure returns the error ovsdb-server would report for the request
 * and stores NULL in both.  The server checks for duplicate monitor ids. */
struct ovsdb_error *ovsdb_monitor_create(struct ovsdb_db *,
                                         enum ovsdb_monitor_version,
                                         const json_t *monitor_id,
                                         const json_t *monitor_requests,
                                         const json_t *last_txn_id,
                                         ovsdb_monitor_send_func *,
                                         void *session,
                                         struct ovsdb_monitor **monitorp,
                                         json_t **resultp)
    __attribute__((warn_unused_result));

/* The same, with 'then' (may be NULL): the database as it was just after
 * txn 'last_txn_id', of the same schema, for a 'last_txn_id' that the
 * history no longer holds (server.c gets it from the backend,
 * backend_load_at()): then 'found' is true and the updates are the
 * changes from 'then' to 'db', so that a client resuming after a longer
 * absence still gets only what it missed. */
struct ovsdb_error *ovsdb_monitor_create_since(
    struct ovsdb_db *, enum ovsdb_monitor_version, const json_t *monitor_id,
    const json_t *monitor_requests, const json_t *last_txn_id,
    const struct ovsdb_db *then, ovsdb_monitor_send_func *, void *session,
    struct ovsdb_monitor **monitorp, json_t **resultp)
    __attribute__((warn_unused_result));

/* Whether 'txn_id' is in 'db''s history: monitor_cond_since finds it. */
bool ovsdb_monitor_history_has(const struct ovsdb_db *,
                               const struct uuid *txn_id);

/* Stops 'monitor' and frees it.  NULL is allowed. */
void ovsdb_monitor_destroy(struct ovsdb_monitor *);

/* Reports the changes in 'txn' (precommitted, not yet committed) to every
 * monitor on 'db', and remembers them for monitor_cond_since.  Call it once
 * per txn, after storage accepted it and before ovsdb_txn_commit(), also for
 * a txn that changed nothing (its id becomes the db's last txn id). */
void ovsdb_monitors_txn_committed(struct ovsdb_db *, const struct ovsdb_txn *);

/* The txns after 'db''s last_txn_id were taken back (ovsdb_undo_rollback()
 * in db.h: the storage did not take them): forgets them in the history
 * that monitor_cond_since reads.  The monitors' notifications about them
 * must not have left (server.c holds them until the storage answers). */
void ovsdb_monitors_txns_taken_back(struct ovsdb_db *);

/* monitor_cond_change: renames 'monitor' to 'new_monitor_id' (copied) and
 * replaces the conditions of the tables in 'requests' ({table: [{"where":
 * condition}, ...]}), then sends one "update2"/"update3" that inserts the
 * rows that now match and deletes those that no longer do (none when
 * nothing changed).  As in ovsdb-server the notification goes out before
 * the method's reply, which is an empty object for the server to send.  On
 * error nothing changes.  A V1 monitor accepts the request and only takes
 * the new id. */
struct ovsdb_error *ovsdb_monitor_cond_change(struct ovsdb_monitor *,
                                              const json_t *new_monitor_id,
                                              const json_t *requests)
    __attribute__((warn_unused_result));

/* Accessors, for the session layer's bookkeeping. */
const json_t *ovsdb_monitor_get_id(const struct ovsdb_monitor *);

/* The history of txns that monitor_cond_since can resume from holds at most
 * 'max_txns' txns and, beyond the newest one, at most 'max_rows' changed
 * rows in all; older txns are forgotten first.  'max_txns' == 0 disables
 * the history (monitor_cond_since then always sends the full contents).
 * The defaults are OVSDB_MONITOR_HISTORY_TXNS and _ROWS. */
#define OVSDB_MONITOR_HISTORY_TXNS 100
#define OVSDB_MONITOR_HISTORY_ROWS 10000
void ovsdb_monitor_set_history_limits(struct ovsdb_db *,
                                      size_t max_txns, size_t max_rows);
/* Number of txns in the history (for tests and statistics). */
size_t ovsdb_monitor_history_count(const struct ovsdb_db *);

/* Destroys every monitor on 'db' and its history.  Call it before
 * ovsdb_db_destroy(), which leaves db->monitors alone. */
void ovsdb_monitor_db_destroy(struct ovsdb_db *);

#endif /* monitor.h */
