/* storage.h: xsw-dbserver's durable copy of the database, in SQLite.
 *
 * The in-memory database (db.h) is what the server reads; this module keeps
 * a copy of it in one SQLite file so that it survives restarts and crashes.
 *
 * File layout (format 4)
 * ----------------------
 * The file is an ordinary SQLite database in WAL mode whose header carries
 * application_id 0x78737731 ("xsw1"), so `file` and our own open check can
 * tell it from other SQLite files without running a query.  It holds:
 *
 *   _xsw_meta(key TEXT PRIMARY KEY, value TEXT)
 *       'format'      "4": the layout version described here (or "3",
 *                     see below).
 *       'name'        the OVSDB database name ("Open_vSwitch").
 *       'schema'      the schema, as get_schema returns it (JSON).
 *   written once, at creation.  (The last transaction's id is not kept:
 *   transaction history does not survive a restart, so after one,
 *   monitor_cond_since sends everything whatever id a client has, and the
 *   loaded database's last_txn_id is zero, as in ovsdb-server's standalone
 *   databases.)
 *
 *   one table per OVSDB table, named as the OVSDB table (see "Names"),
 *   WITHOUT ROWID:
 *       "_uuid" TEXT PRIMARY KEY, and one column per
 *       persistent (non-ephemeral) scalar OVSDB column (exactly one value:
 *       min 1, max 1, no value type), in schema order:
 *         integer -> INTEGER      real   -> REAL
 *         boolean -> INTEGER 0/1  string -> TEXT
 *         uuid    -> TEXT (canonical 8-4-4-4-12 form)
 *
 *   one side table per persistent set, map or optional column, named
 *   "<Table>_<column>" (e.g. "Bridge_ports", "Port_tag", see "Names"),
 *   one SQL row per element:
 *       "_uuid" TEXT (the row's), "key" <typed as above>, and for a map
 *       "value" <typed>; PRIMARY KEY ("_uuid", "key"), WITHOUT ROWID, so
 *       a row's elements are stored together, in OVSDB's order.
 *       An empty set or map (an absent optional value) has no SQL rows.
 *       A trigger "_xsw_delete_<SQL table name>" deletes a row's elements
 *       when the row is deleted, also when an operator does it in the
 *       sqlite3 shell.
 *
 *   Ephemeral columns are not stored: they come back at their default
 *   after a restart, as in ovsdb-server, and a change to ephemeral columns
 *   only writes nothing.  Nor is _version: as ovsdb-server does, loading
 *   gives every row a fresh one, so that a change that adds an element to
 *   a set (a port to a bridge) writes the side table alone, not the row.
 *
 * Names
 * -----
 * Every schema that parses can be stored.  SQLite compares names without
 * case and keeps "sqlite_..." for itself, and "_xsw_..." is ours, while
 * OVSDB names are case-sensitive ids of any length: OVN's northbound
 * schema has a table Load_Balancer_Health_Check and a set column
 * Load_Balancer.health_check.  So each object gets its natural name (the
 * OVSDB table's or column's own, "<Table>_<column>" for a side table) if
 * no object named before it took that name in any case, and otherwise
 * "<natural>~N" with the smallest free N >= 2 ("Load_Balancer_health_check~2"
 * beside the table "Load_Balancer_Health_Check"); a natural name starting
 * with "sqlite_" (in any case) gets a "_" in front first.  No OVSDB id
 * contains "~" or starts with "_", so a changed name never takes another
 * object's natural one.  The order depends on the schema alone, not on its
 * text: tables by name (strcmp()), then each table's side tables by column
 * name, tables in name order; a table's scalar columns by name, after
 * "_uuid", among themselves.  The names are a function of the stored
 * schema, so the file records nothing more.
 *
 * Format 3 (written before names were told apart) is format 4 for a schema
 * whose natural names do not collide, which is every schema format 3 could
 * store: a format 3 file is read and written as it is and stays format 3.
 * An older xsw refuses format 4 files rather than read a side table under
 * another object's name.
 *
 * Writing a transaction costs what it changed: a modified row's set or map
 * column is written as the elements removed (DELETE), added (INSERT) and,
 * for maps, whose value changed (UPDATE), so adding one port to a bridge
 * with 10,000 ports writes one small row.  The file reads naturally with
 * joins: `sqlite3 conf.db 'SELECT b.name, p.name FROM Bridge b JOIN
 * Bridge_ports bp USING (_uuid) JOIN Port p ON p._uuid = bp.key'` lists the
 * ports of each bridge while the server runs (docs/storage.md has more).
 * When loading, a NULL scalar column (a row an operator inserted by hand)
 * reads as the column's default; any other value must have the type above
 * and meet the schema's constraints (including a set's size), and every
 * element must belong to a row of its table, or the load fails naming the
 * table, row and column.  Format 1 files (sets and maps as JSON text in the
 * row's table) and format 2 files (rowid tables with a _uuid index, and
 * last_txn_id rewritten by every commit) are refused with a message saying
 * so; format 3 files open (see "Names").
 *
 * Durability
 * ----------
 * Writes are grouped in batches, each one SQLite transaction:
 *
 *   storage_begin_batch(st);
 *   for each txn that arrived together:
 *       ovsdb_txn_precommit(txn), then storage_write_txn(st, txn)
 *   storage_commit_batch(st, durable);    -> only now may replies go out
 *
 * Each transaction but the batch's first is written inside its own
 * SAVEPOINT, so one that fails (a constraint inside SQLite, say) is rolled
 * back alone and the batch goes on; the first needs none, as rolling the
 * whole SQLite transaction back undoes it alone (and starts it again), and
 * a SAVEPOINT and its RELEASE cost a lone transaction about a tenth of its
 * instructions (callgrind, a serial client adding ports).  The batch commits in WAL mode with synchronous=NORMAL: once
 * storage_commit_batch() returns, the data is in the WAL in the kernel's
 * page cache and survives kill -9 of the server at any moment.  For a
 * durable batch (the caller says so, or any of its transactions had
 * "durable": true) storage_commit_batch() also fsync()s the WAL before it
 * returns, so the batch survives a power failure too.
 *
 * Checkpoints (copying the WAL into the database file, with an fsync() of
 * each) run in a thread of the storage's own, with a second SQLite
 * connection, each time the WAL has grown by 4000 pages (16 MiB): no
 * commit waits for them (the fewer checkpoints, the fewer times the WAL
 * starts over, which syncs its header inside a commit).  Should commits
 * come too fast for it to ever finish the WAL, the commit that brings the
 * WAL to 8000 pages (32 MiB) finishes the checkpoint itself, so the WAL stays bounded; once a checkpoint has
 * caught up, the WAL starts over and is cut back to 4 MiB.  A checkpoint
 * that fails (a full disk) leaves the data in the WAL, where it is as
 * safe, and is tried again later.
 *
 * Failures
 * --------
 * Every error is an "I/O error" (the tag Open vSwitch uses for storage
 * failures) whose details name the file, what was being done, and SQLite's
 * message, e.g. "conf.db: committing: database or disk is full".  SQLite
 * writes nothing to the file until a transaction commits, so a failure
 * (disk full, read-only file, I/O error) never damages what was committed;
 * the storage stays usable and the next batch may succeed once the cause is
 * gone.  But a failed storage_commit_batch() means that NONE of the batch's
 * transactions is on disk, even those whose storage_write_txn() succeeded:
 * the caller must answer every one of them with the error (and, if it
 * applied them to the in-memory database already, reload it with
 * storage_load_db()).  The same holds when storage_write_txn() reports that
 * the batch was rolled back (SQLite does that on disk full and I/O errors).
 * One exception: when only the final fsync() of a durable batch fails, the
 * batch is committed (it survives a crash of the process, maybe not a power
 * failure) and the error says "committed, but syncing ... failed".
 *
 * Files
 * -----
 * storage_create() builds the new database in a temporary file next to
 * 'path' and link()s it into place, so a crash during creation leaves no
 * half-made database, and an existing file is never overwritten.
 * storage_open() refuses, with a message naming the file, anything that is
 * not an xsw database (a text file, a foreign SQLite file, an unknown
 * format, a schema that does not parse, a file SQLite finds corrupt) and
 * never writes to it.  It also takes an flock() on the file, so that two
 * servers cannot share one database.
 *
 * Threading: a struct storage is used from one thread (the server's libuv
 * loop); its SQLite connection is opened without a mutex (NOMUTEX).  The
 * checkpoint thread has a connection of its own, and shares with the loop
 * only a request flag, under a mutex; storage_close() stops it. */
#ifndef XSW_STORAGE_H
#define XSW_STORAGE_H 1

#include <stdbool.h>

struct ovsdb_db;
struct ovsdb_error;
struct ovsdb_schema;
struct ovsdb_txn;
struct storage;

/* Creates a new, empty database file 'path' for 'schema'.  Fails if 'path'
 * exists (or a stale 'path'-wal does): it never overwrites anything. */
struct ovsdb_error *storage_create(const char *path,
                                   const struct ovsdb_schema *schema)
    __attribute__((warn_unused_result));

/* Opens the database file 'path' for reading and writing and loads it.  On
 * success, '*stp' is the storage (the caller closes it with storage_close())
 * and '*dbp' a new in-memory database holding every stored row (the caller
 * destroys it; its 'storage' member points to '*stp').  On failure both are
 * NULL and nothing was written to 'path'.
 *
 * A file the process may only read opens read-only (see
 * storage_is_read_only()): loading works and every write fails with an "I/O
 * error" that says so. */
struct ovsdb_error *storage_open(const char *path, struct storage **stp,
                                 struct ovsdb_db **dbp)
    __attribute__((warn_unused_result));

/* Reads the schema stored in database file 'path', without loading rows or
 * locking the file (for `xsw-dbserver --create`, tools and error messages).
 * The caller owns '*schemap' (NULL on failure). */
struct ovsdb_error *storage_read_schema(const char *path,
                                        struct ovsdb_schema **schemap)
    __attribute__((warn_unused_result));

/* Rolls back any open batch and closes the file.  NULL is a no-op. */
void storage_close(struct storage *);

const char *storage_get_path(const struct storage *);
bool storage_is_read_only(const struct storage *);

/* A new in-memory database holding what the file holds now (committed data
 * only: it must not be called inside a batch).  storage_open() uses it; a
 * server can use it to return to the stored state after a failed batch. */
struct ovsdb_error *storage_load_db(struct storage *, struct ovsdb_db **dbp)
    __attribute__((warn_unused_result));

/* Starts a batch (an SQLite write transaction). */
struct ovsdb_error *storage_begin_batch(struct storage *)
    __attribute__((warn_unused_result));

/* Writes the changes of 'txn', which ovsdb_txn_precommit() accepted: for an
 * inserted row, an INSERT of it and of each of its elements; for a modified
 * row, an UPDATE of its changed scalar columns (if any) and, per changed
 * set or map column, only the elements that changed; for a deleted row, a
 * DELETE (its elements go with it).  Called outside a batch, it is a
 * batch of its own (begun, written and committed, durable if txn->durable).
 * On failure the txn's writes are rolled back; the rest of the batch stays
 * unless the error says the batch was rolled back (see "Failures"). */
struct ovsdb_error *storage_write_txn(struct storage *,
                                      const struct ovsdb_txn *)
    __attribute__((warn_unused_result));

/* Commits the batch, fsync()ing it first if 'durable' or if any of its
 * transactions was durable.  On failure nothing of the batch is stored and
 * the batch is over (see "Failures"). */
struct ovsdb_error *storage_commit_batch(struct storage *, bool durable)
    __attribute__((warn_unused_result));

/* Rolls back the open batch, if any. */
void storage_abort_batch(struct storage *);

/* Removes database file 'path' and SQLite's files beside it (-wal, -shm,
 * -journal), ignoring any that do not exist: for temporary databases that
 * nobody has open. */
void storage_unlink_with_sidecars(const char *path);

/* Compacts the file, for "ovsdb-server/compact": rewrites the database
 * without its free pages (VACUUM) and folds the WAL into it, leaving the
 * WAL empty.  Not while a batch is open.  Takes as long as writing the
 * whole database does. */
struct ovsdb_error *storage_compact(struct storage *)
    __attribute__((warn_unused_result));

#endif /* storage.h */
