/* server.h: xsw-dbserver's sessions, methods and group commit.
 *
 * The server owns its databases (each an in-memory struct ovsdb_db with its
 * SQLite storage), the special "_Server" database that describes them, the
 * listening remotes and the client sessions.  Everything runs on one libuv
 * loop.
 *
 * Group commit: every write transaction that arrives during one turn of the
 * loop is applied in memory at once (so the next request sees it) and
 * written into one open SQLite transaction per database; in the loop's
 * "check" phase, after all input of that turn is processed, the SQLite
 * transactions commit and only then does any output leave: every reply and
 * notification produced while a batch was open is held until its commit.
 * So no client ever hears of data that is not on disk. */
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

/* Opens database file 'path' and serves it.  Fails if the file cannot be
 * opened or a database of the same name is already served. */
struct ovsdb_error *server_add_db(struct server *, const char *path)
    __attribute__((warn_unused_result));

/* Starts listening on passive remote 'name' (punix:, ptcp:).  Clients of a
 * 'read_only' remote may read and monitor but not write.  Returns 0 or a
 * positive errno value with a message in '*errorp'. */
int server_add_remote(struct server *, const char *name, bool read_only,
                      char **errorp);

/* TLS configuration for pssl: remotes (see tls.h); without one, adding a
 * pssl: remote fails.  The caller keeps ownership; 'tls' must outlive the
 * server.  Set it before adding pssl: remotes. */
struct tls_config;
void server_set_tls_config(struct server *, const struct tls_config *tls);

/* Registers the unixctl commands (exit, ovsdb-server/list-dbs, ...).
 * 'exit' stops the loop. */
void server_register_unixctl(struct server *);

#endif /* server.h */
