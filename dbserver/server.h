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

#include <stddef.h>
#include <uv.h>

struct server;
struct ovsdb_error;

struct server_options {
    size_t max_msg_size;      /* 0: the JSON-RPC default. */
    size_t max_backlog;       /* 0: the JSON-RPC default. */
};

struct server *server_create(uv_loop_t *, const struct server_options *);
void server_destroy(struct server *);

/* Opens database file 'path' and serves it.  Fails if the file cannot be
 * opened or a database of the same name is already served. */
struct ovsdb_error *server_add_db(struct server *, const char *path)
    __attribute__((warn_unused_result));

/* Starts listening on passive remote 'name' (punix:, ptcp:).  Returns 0 or
 * a positive errno value with a message in '*errorp'. */
int server_add_remote(struct server *, const char *name, char **errorp);

/* Registers the unixctl commands (exit, ovsdb-server/list-dbs, ...).
 * 'exit' stops the loop. */
void server_register_unixctl(struct server *);

#endif /* server.h */
