/* backend.h: where a served database is kept, as the server sees it.
 *
 * The transaction engine (db.c, transact.c), the monitors (monitor.c) and
 * the sessions (server.c) work on an in-memory database.  A backend keeps
 * the durable copy of it, and says what _Server reports about it.  The
 * server drives every backend through this interface alone, so none of
 * those modules knows which backend it runs on:
 *
 *   backend_open(storage, name, &b, &db) load: 'db' is what is stored
 *   backend_watch(b, loop, changed, aux) 'changed' runs when another server
 *                                        stored something: then
 *   backend_catch_up(b, db, apply, aux)  'apply' gets each of its txns
 *   for each loop turn with writes:
 *       backend_begin_batch(b)
 *       for each txn that arrived together:
 *           ovsdb_txn_precommit(txn), backend_write_txn(b, txn)
 *       backend_commit_batch(b, durable)  -> only now may replies and the
 *                                           monitors' updates go out
 *   backend_compact(b, db)               ovsdb-server/compact, or when
 *                                        backend_should_compact(b) says
 *   backend_convert(b, db, schema, ...)  the "convert" method
 *   backend_close(b)
 *
 * Locks (RFC 7047 4.1.8-4.1.10) belong to the server, not to a database;
 * server.c keeps its sessions' waiters and tells them "locked" and
 * "stolen".  Where several servers share a storage, the queue of each lock
 * must be shared too, so that two clients on two front ends never both own
 * one: the storage then keeps the queues (etcd-lock.c), and the server
 * asks it who owns what:
 *
 *   backend_locks_open(storage, loop, changed, aux, &locks)
 *                                        NULL for a storage only this
 *                                        server uses (SQLite: server.c's
 *                                        own queues, unchanged)
 *   backend_lock_enqueue(locks, name, steal, who)   "lock"/"steal"
 *   backend_lock_get_state(locks, lock)  owner, waiting or lost (to a
 *                                        later "steal")
 *   'changed' runs when any state may have changed: then
 *   backend_locks_refresh(locks), and the server compares each waiter's
 *   state with what its session was told
 *   backend_lock_dequeue(locks, lock)    "unlock", or the session closed
 *   backend_locks_close(locks)           gives up every place at once
 *
 * Backends
 * --------
 * A backend is named by a storage (xsw-dbserver's --storage) and a name:
 *   no storage      the name is the path of the embedded SQLite file of
 *                   storage.h (the default): a batch is one SQLite
 *                   transaction.
 *   etcd:URL[,URL]  the database of that name in an etcd cluster
 *                   (backend-etcd.c, docs/storage-etcd.md): a batch is one
 *                   etcd transaction, and several servers may share it.
 *
 * The durability contract is storage.h's, for every backend: when
 * backend_commit_batch() returns success, every transaction of the batch
 * survives kill -9 of the server (and, for a durable batch, what the
 * backend defines as a power failure: an fsync() of the SQLite WAL, a
 * quorum of etcd members each having fsync()ed its log).  When it fails,
 * NONE of the batch's transactions is stored, even those whose
 * backend_write_txn() succeeded: the server answers each with the error
 * and goes back to the stored state with backend_load_db(), unless the
 * only cause was another server's commit (backend_commit_conflicted()):
 * then it catches up and runs the batch's requests again.  A failed
 * backend_write_txn() rolls back that transaction alone unless its error
 * says the batch was rolled back (storage.h, "Failures"), after which the
 * server treats the batch as failed too.  Errors are "I/O error"s (Open
 * vSwitch's tag for storage failures) naming the database and the cause.
 *
 * The commit returns once the batch is durable: a backend that waits on
 * the network (etcd) blocks the loop for one round trip per batch, as the
 * SQLite one does for a WAL append; transactions that arrive meanwhile
 * wait in their sockets and form the next batch, which is what group
 * commit is for.  A commit that lets the loop run while the batch is in
 * etcd was measured and not built: a serial writer waits for the
 * acknowledgement either way (2.7 ms of its 3.05 ms per transaction), so
 * are the batch's monitor updates, and with 16 in flight the front end's
 * own work is 28% of a batch's cycle, the most overlapping could save
 * (docs/storage-etcd.md, "Committing without blocking the loop").
 *
 * Ownership: a struct backend owns whatever it keeps open (a file, a
 * connection); the in-memory databases it returns belong to the caller.
 * A backend is used from the server's loop thread only. */
#ifndef XSW_BACKEND_H
#define XSW_BACKEND_H 1

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "uuid.h"

struct ovsdb_db;
struct ovsdb_error;
struct ovsdb_schema;
struct ovsdb_txn;

/* What _Server.Database reports about a database (ovsdb-server(5)).  The
 * Open vSwitch IDLs read it to choose among several remotes: a "clustered"
 * database must be "connected", and "leader" if the client asked for a
 * leader, and its "index" must not go back behind what the client saw. */
struct backend_status {
    const char *model;          /* "standalone" or "clustered". */
    bool connected;             /* Up to date with the stored copy. */
    bool leader;                /* May write (every etcd front end may). */
    /* For "clustered" only: */
    struct uuid cid;            /* The stored database's id. */
    struct uuid sid;            /* This server's id within it. */
    uint64_t index;             /* Grows with every stored change. */
};

struct backend;
struct backend_locks;

struct backend_class {
    const char *name;           /* "sqlite", "etcd". */

    /* Creates database 'name' for 'schema' in 'location' (the storage
     * without its class prefix), never overwriting one. */
    struct ovsdb_error *(*create)(const char *location, const char *name,
                                  const struct ovsdb_schema *);
    /* Opens database 'name' in 'location' and loads it into a new '*dbp';
     * both NULL on failure. */
    struct ovsdb_error *(*open)(const char *location, const char *name,
                                struct backend **, struct ovsdb_db **dbp);
    void (*close)(struct backend *);
    struct ovsdb_error *(*load_db)(struct backend *, struct ovsdb_db **dbp);

    struct ovsdb_error *(*begin_batch)(struct backend *);
    struct ovsdb_error *(*write_txn)(struct backend *,
                                     const struct ovsdb_txn *);
    struct ovsdb_error *(*commit_batch)(struct backend *, bool durable);

    struct ovsdb_error *(*compact)(struct backend *,
                                   const struct ovsdb_db *);
    /* May be NULL: never on its own (backend_should_compact()). */
    bool (*should_compact)(const struct backend *);
    struct ovsdb_error *(*convert)(struct backend *, const struct ovsdb_db *,
                                   const struct ovsdb_schema *,
                                   struct ovsdb_db **loadedp);
    void (*get_status)(const struct backend *, struct backend_status *);
    /* May be NULL: the size is unknown (backend_get_size()). */
    int64_t (*get_size)(const struct backend *);
    /* May be NULL: txns keep their random ids (backend_get_txn_id()). */
    bool (*get_txn_id)(const struct backend *, struct uuid *);
    /* May be NULL: no history to look txns up in (backend_load_at()). */
    struct ovsdb_error *(*load_at)(struct backend *, const struct ovsdb_db *,
                                   const struct uuid *txn_id,
                                   struct ovsdb_db **thenp);

    /* For a storage that other servers write too (NULL otherwise): see
     * backend_watch() and backend_catch_up(). */
    void (*watch)(struct backend *, uv_loop_t *,
                  void (*changed)(void *aux), void *aux);
    struct ovsdb_error *(*catch_up)(struct backend *, struct ovsdb_db *,
                                    void (*apply)(void *aux,
                                                  struct ovsdb_txn *),
                                    void *aux);
    /* May be NULL: see backend_sync(). */
    void (*sync)(struct backend *);

    /* For a storage whose servers share their locks (NULL otherwise):
     * see backend_locks_open(); 'location' is the storage without its
     * class prefix. */
    struct ovsdb_error *(*locks_open)(const char *location, uv_loop_t *,
                                      void (*changed)(void *aux), void *aux,
                                      struct backend_locks **locksp);
};

/* Every backend begins with this. */
struct backend {
    const struct backend_class *class;
    char *name;                 /* For messages: a path, etcd's URLs. */
    bool conflict;              /* See backend_commit_conflicted(). */
};

/* Creates database 'name' (a file, for no storage) for 'schema' in
 * 'storage' (NULL: SQLite, see "Backends").  Fails if it exists. */
struct ovsdb_error *backend_create(const char *storage, const char *name,
                                   const struct ovsdb_schema *)
    __attribute__((warn_unused_result));

/* Opens database 'name' in 'storage' (see "Backends") and loads it: on
 * success '*bp' is the backend (close it with backend_close()) and '*dbp'
 * a new in-memory database holding what is stored (the caller destroys
 * it).  On failure both are NULL and nothing was written.  A storage that
 * xsw does not know is an error that says so. */
struct ovsdb_error *backend_open(const char *storage, const char *name,
                                 struct backend **bp, struct ovsdb_db **dbp)
    __attribute__((warn_unused_result));

/* Rolls back any open batch and closes.  NULL is a no-op. */
void backend_close(struct backend *);

const char *backend_get_name(const struct backend *);

/* A new in-memory database holding what is stored now (committed data
 * only: not inside a batch). */
struct ovsdb_error *backend_load_db(struct backend *, struct ovsdb_db **dbp)
    __attribute__((warn_unused_result));

/* A batch: see the top of this file. */
struct ovsdb_error *backend_begin_batch(struct backend *)
    __attribute__((warn_unused_result));
struct ovsdb_error *backend_write_txn(struct backend *,
                                     const struct ovsdb_txn *)
    __attribute__((warn_unused_result));
struct ovsdb_error *backend_commit_batch(struct backend *, bool durable)
    __attribute__((warn_unused_result));

/* Whether the last backend_commit_batch() or backend_convert() failed
 * only because another server committed first (etcd: the compare on
 * "head" failed).  Then nothing of the batch is stored, and the server may
 * take the batch's txns back (ovsdb_undo_rollback()), catch up
 * (backend_catch_up()) and run the same requests again in a new batch (or
 * convert the caught-up database). */
bool backend_commit_conflicted(const struct backend *);

/* Gives back the space that history and deleted rows take ("ovsdb-server/
 * compact").  Not inside a batch. */
struct ovsdb_error *backend_compact(struct backend *,
                                    const struct ovsdb_db *)
    __attribute__((warn_unused_result));

/* Whether the stored history has grown enough that the server should call
 * backend_compact() now, without being asked (as ovsdb-server snapshots
 * its log on its own).  Always false for a backend that keeps no history
 * (SQLite checkpoints its own write-ahead log). */
bool backend_should_compact(const struct backend *);

/* Replaces the stored database by 'db''s rows converted to 'schema', in one
 * atomic step (not inside a batch).  On success '*loadedp' is the new
 * database as the backend reads it back (without ephemeral columns, which
 * are never stored: SQLite drops their values, etcd stores 'schema' with
 * them made persistent, as a RAFT cluster does).  On failure '*loadedp' is NULL and the stored
 * database is the old one, still open.  Other servers sharing the storage
 * find out when they catch up: backend_catch_up() fails, and the reload
 * (backend_load_db()) has the new schema. */
struct ovsdb_error *backend_convert(struct backend *, const struct ovsdb_db *,
                                    const struct ovsdb_schema *,
                                    struct ovsdb_db **loadedp)
    __attribute__((warn_unused_result));

void backend_get_status(const struct backend *, struct backend_status *);

/* Bytes the stored database takes on this host (for SQLite, the file and
 * its write-ahead log), or -1 if the backend cannot tell (one that keeps
 * it elsewhere).  For the metrics. */
int64_t backend_get_size(const struct backend *);

/* After a successful backend_write_txn(): if the backend names each stored
 * txn the same way on every server that shares the storage, sets '*id' to
 * the name of the txn just written and returns true; the server then uses
 * it as the txn's id, which monitor_cond_since's clients send back, so
 * that a client may resume on another server.  False (the txn keeps its
 * random id) for a storage only this server writes, or a txn that stored
 * nothing.  backend_catch_up() gives the txns it applies the same ids. */
bool backend_get_txn_id(const struct backend *, struct uuid *id);

/* If the storage still holds its history back to txn 'txn_id' (an id of
 * backend_get_txn_id()'s), loads the database as it was just after that
 * txn into a new '*thenp' (of 'db''s schema; the caller destroys it), for
 * monitor_cond_since with an id older than the monitors' history in
 * memory.  '*thenp' is NULL if the storage does not hold it (an id of
 * another database, or older than the last compaction), or keeps no
 * history.  Reads the storage: costs what loading does, up to that txn. */
struct ovsdb_error *backend_load_at(struct backend *, const struct ovsdb_db *db,
                                    const struct uuid *txn_id,
                                    struct ovsdb_db **thenp)
    __attribute__((warn_unused_result));

/* Calls 'changed' from 'loop' (never from inside a backend call) whenever
 * another server may have stored something; a no-op for a backend only
 * this server writes. */
void backend_watch(struct backend *, uv_loop_t *,
                   void (*changed)(void *aux), void *aux);

/* Brings 'db' up to date with what other servers stored: each of their
 * transactions, in order, becomes a precommitted txn on 'db' passed to
 * 'apply', which must commit it (ovsdb_txn_commit(), after telling the
 * monitors).  Not inside a batch.  An error (the stored history no longer
 * reaches back to 'db''s state, or etcd failed) leaves 'db' with what was
 * applied; the caller may reload with backend_load_db(). */
struct ovsdb_error *backend_catch_up(struct backend *, struct ovsdb_db *,
                                     void (*apply)(void *aux,
                                                   struct ovsdb_txn *),
                                     void *aux)
    __attribute__((warn_unused_result));

/* Makes the next backend_catch_up() ask the storage for its newest state
 * instead of trusting what the watch delivered so far, so that it applies
 * every change stored before this call, by any server (on etcd: one
 * linearizable read of head; the records, if behind).  server.c calls it
 * before a read that no commit of its own will verify: docs/storage-etcd.md,
 * "Consistency across front ends".  A no-op where the storage is
 * unreachable (the read would only wait) and for a backend only this
 * server writes. */
void backend_sync(struct backend *);

/* Lock queues shared by every server on a storage (see the top of this
 * file).  The discipline is ovsdb-server's, as server.c's own queues have
 * it: "lock" joins the back of the queue; "steal" takes the lock at once,
 * and the former owner, if it had asked with "lock", waits on behind the
 * thief, or, if it had stolen the lock itself, loses its place ("lost")
 * until its session unlocks.  A server that can no longer be sure of its
 * places (etcd: its lease may have lapsed) owns nothing: fail closed. */
struct backend_locks;
struct backend_lock;            /* One waiter's place in one queue. */

enum backend_lock_state {
    BACKEND_LOCK_WAITING,       /* Queued, or waiting to be queued. */
    BACKEND_LOCK_OWNER,
    BACKEND_LOCK_LOST           /* To a later "steal": until dequeued. */
};

/* Opens the lock queues of 'storage' (as backend_open() names it): '*locksp'
 * is NULL for a storage that no other server shares.  'changed' runs from
 * 'loop' (never from inside a backend call) whenever the state of some
 * lock may have changed. */
struct ovsdb_error *backend_locks_open(const char *storage, uv_loop_t *loop,
                                       void (*changed)(void *aux), void *aux,
                                       struct backend_locks **locksp)
    __attribute__((warn_unused_result));
/* Gives up every place at once (etcd: revokes the lease).  NULL: no-op. */
void backend_locks_close(struct backend_locks *);
/* Reads what changed since the last call; see backend_lock_get_state(). */
void backend_locks_refresh(struct backend_locks *);
/* Joins the queue of lock 'name' ("lock"), or takes it ('steal'), for the
 * session 'who' names (for people reading the storage).  Never fails: a
 * place that the storage cannot take now is taken when it can, and waits
 * meanwhile.  Blocks for a round trip to the storage. */
struct backend_lock *backend_lock_enqueue(struct backend_locks *,
                                          const char *name, bool steal,
                                          const char *who);
/* Leaves the queue and frees 'lock'. */
void backend_lock_dequeue(struct backend_locks *, struct backend_lock *);
enum backend_lock_state backend_lock_get_state(const struct backend_locks *,
                                               const struct backend_lock *);

extern const struct backend_class sqlite_backend_class;   /* backend-sqlite.c */
extern const struct backend_class etcd_backend_class;     /* backend-etcd.c */

/* When the etcd backend snapshots on its own, for every database opened
 * after: once 'records' log records (or 16 MiB of them, and 4 times the
 * last snapshot) follow the snapshot, and at least 'interval_s' seconds
 * (plus a random part as long, so that front ends do not race) after this
 * server's start or its last snapshot.  Defaults: 1000 records, 60 s.
 * xsw-dbserver's --etcd-snapshot-records and --etcd-snapshot-interval. */
void etcd_backend_set_snapshot_policy(unsigned int records,
                                      unsigned int interval_s);

#endif /* backend.h */
