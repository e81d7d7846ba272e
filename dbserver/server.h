/* server.h: xsw-dbserver's sessions, methods and group commit.
 *
 * The server owns its databases (each an in-memory struct ovsdb_db with the
 * backend that stores it, backend.h), the special "_Server" database that
 * describes them, the listening remotes and the client sessions.
 * Everything runs on one libuv loop.
 *
 * Group commit: every write transaction that arrives during one turn of the
 * loop is applied in memory at once (so the next request sees it) and
 * written into one open backend batch per database (one SQLite
 * transaction); in the loop's "check" phase, after all input of that turn
 * is processed, the batches commit and only then does any output leave:
 * every reply and notification produced while a batch was open is held
 * until its commit.  So no client ever hears of data that is not stored. */
#ifndef XSW_SERVER_H
#define XSW_SERVER_H 1

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

struct server;
struct ovsdb_error;

struct server_options {
    size_t max_msg_size;      /* 0: the JSON-RPC default. */
    int max_depth;            /* JSON nesting; 0: the JSON-RPC default. */
    size_t max_backlog;       /* 0: the JSON-RPC default. */
    size_t max_sessions;      /* 0: SERVER_DEFAULT_MAX_SESSIONS. */
    size_t max_txn_rows;      /* 0: SERVER_DEFAULT_MAX_TXN_ROWS. */
    int unix_mode;            /* punix: socket mode; 0: owner only. */
};

/* Enough for every client a host plausibly has, yet a bound. */
#define SERVER_DEFAULT_MAX_SESSIONS 10000
/* A transaction adding 10,000 ports changes 20,000 rows. */
#define SERVER_DEFAULT_MAX_TXN_ROWS 1000000

struct server *server_create(uv_loop_t *, const struct server_options *);
void server_destroy(struct server *);
uv_loop_t *server_get_loop(const struct server *);

/* Opens database 'name' in 'storage' (NULL: 'name' is an SQLite file; see
 * backend_open()) and serves it.  Fails if it cannot be opened or a
 * database of the same name is already served. */
struct ovsdb_error *server_add_db(struct server *, const char *storage,
                                  const char *name)
    __attribute__((warn_unused_result));

/* How the server serves one remote (what the Manager table configures). */
struct server_remote_options {
    bool read_only;             /* Clients may read and monitor only. */
    int max_backoff_ms;         /* Active remotes: the longest wait between
                                 * connection attempts; 0: 8000. */
    int probe_interval_ms;      /* Inactivity probe; 0: none. */
    int dscp;                   /* DSCP of TCP connections; 0: default. */
};

/* Starts serving remote 'name': listening on a passive one (punix:, ptcp:,
 * pssl:), or connecting to an active one (unix:, tcp:, ssl:) with backoff
 * and serving the peer as a client once connected (and again after every
 * reconnection).  'options' may be NULL for the defaults.  Returns 0 or a
 * positive errno value with a message in '*errorp'. */
int server_add_remote(struct server *, const char *name,
                      const struct server_remote_options *, char **errorp);
/* Stops serving remote 'name' and closes its connections.  Returns false
 * if there is no such remote. */
bool server_remove_remote(struct server *, const char *name);
/* Changes the options of remote 'name' in place, for its current and
 * future connections (not 'dscp': re-add the remote for that). */
void server_set_remote_options(struct server *, const char *name,
                               const struct server_remote_options *);
/* The TCP port a listening remote bound (useful with port 0), or 0. */
int server_get_remote_port(const struct server *, const char *name);

/* What ovsdb-server reports of a remote in the Manager table's "status". */
struct server_remote_status {
    bool is_connected;
    const char *state;          /* Active remotes: reconnect state, or NULL
                                 * (see jsonrpc_session_get_stats()). */
    long long sec_since_connect;    /* -1: never, or not applicable. */
    long long sec_since_disconnect; /* -1: never, or not applicable. */
    char *last_error;           /* NULL if none. */
    int bound_port;             /* Listening TCP remotes; 0 otherwise. */
    size_t n_connections;
    char *locks_held;           /* Space-separated lock names, or NULL. */
    char *locks_waiting;
    char *locks_lost;
};
/* Fills in '*status' for remote 'name', returning false if there is no
 * such remote.  Free it with server_remote_status_destroy(). */
bool server_get_remote_status(const struct server *, const char *name,
                              struct server_remote_status *);
void server_remote_status_destroy(struct server_remote_status *);

/* Databases, for code that reads their contents (remotes.c).  The
 * returned pointer is valid only until the loop runs again: the server
 * may replace a database in memory after a failed commit. */
struct ovsdb_db *server_get_db(const struct server *, const char *name);

/* Commits 'txn' (taken), which changes database 'db' (from
 * server_get_db()), as the server commits its clients' transactions:
 * on disk, then to monitors.  An empty 'txn' is dropped.  On error
 * returns it and nothing changed. */
struct ovsdb_txn;
struct ovsdb_error *server_commit_txn(struct server *, struct ovsdb_db *,
                                      struct ovsdb_txn *)
    __attribute__((warn_unused_result));

/* Calls 'cb' (with 'aux') once after each turn of the loop in which a
 * client's transaction, or server_commit_txn(), changed a database on
 * disk.  One callback per server; NULL to remove it. */
void server_set_change_cb(struct server *, void (*cb)(void *aux), void *aux);

/* TLS configuration for pssl: remotes (see tls.h); without one, adding a
 * pssl: remote fails.  The caller keeps ownership; 'tls' must outlive the
 * server.  Set it before adding pssl: remotes. */
struct tls_config;
void server_set_tls_config(struct server *, const struct tls_config *tls);

/* Registers the unixctl commands (exit, ovsdb-server/list-dbs, ...).
 * 'exit' stops the loop.  The remotes' commands (add-remote,
 * remove-remote, list-remotes) are remotes.c's. */
void server_register_unixctl(struct server *);

/* A metrics_collect_cb (metrics.h) for 'server' (the 'aux'): writes the
 * server's metrics, xsw_db_*, and the process's (README.md lists them). */
struct metrics;
void server_metrics_collect(struct metrics *, void *server);

#endif /* server.h */
