/* unixctl.h: the Open vSwitch control socket, so that
 *
 *     ovs-appctl -t /var/run/xsw/xsw-dbserver.ctl vlog/list
 *
 * works against our programs.  The protocol is JSON-RPC over a Unix socket:
 * the request's method is the command name and its params the command's
 * arguments (an array of strings); the reply's result is the command's
 * output (a string), or its error is an error message (a string).
 *
 * Commands are registered globally, before or after the server is created,
 * and every server serves them all.  "list-commands" and "version" are
 * built in. */
#ifndef XSW_UNIXCTL_H
#define XSW_UNIXCTL_H 1

#include <stdbool.h>
/* util.h before <uv.h>: both define MIN and MAX (<uv.h> through
 * <sys/param.h>), and only a redefinition inside a system header is
 * exempt from -Werror. */
#include "util.h"
#include <uv.h>

/* ---- Server (libuv). ---- */

struct unixctl_server;
struct unixctl_conn;

/* Runs command argv[0] with arguments argv[1] ... argv[argc - 1] (strings
 * valid only during the call).  Must eventually answer with exactly one of
 * unixctl_command_reply() or unixctl_command_reply_error(), during the call
 * or later (e.g. once a transaction commits). */
typedef void unixctl_cb_func(struct unixctl_conn *, int argc,
                             const char *argv[], void *aux);

/* Registers 'name', accepting between 'min_args' and 'max_args' arguments
 * (INT_MAX: no upper bound), described by 'usage' in "list-commands"
 * (e.g. "[module[:destination[:level]]]").  Registering a name again
 * replaces the earlier command. */
void unixctl_command_register(const char *name, const char *usage,
                              int min_args, int max_args,
                              unixctl_cb_func *cb, void *aux);

/* Replies to the command being run on 'conn' with output 'body' (copied;
 * NULL means empty).  A newline is appended to non-empty text that lacks
 * one, as ovs-appctl prints it verbatim.  If the client has gone away the
 * reply is dropped; either way 'conn' must not be used afterward. */
void unixctl_command_reply(struct unixctl_conn *, const char *body);
/* Same, as an error: ovs-appctl prints it to stderr and exits 2. */
void unixctl_command_reply_error(struct unixctl_conn *, const char *body);

/* Listens on Unix socket 'path' on 'loop'.  'path' NULL means the default
 * <rundir>/<program>.<pid>.ctl; a relative path is taken relative to the
 * run directory (see daemon.h), as Open vSwitch does. */
int unixctl_server_create(uv_loop_t *loop, const char *path,
                          struct unixctl_server **serverp, char **errorp);
/* Closes the socket (removing its file) and all connections; commands
 * still awaiting a reply answer into the void.  Run the loop afterward so
 * that libuv can release the handles. */
void unixctl_server_destroy(struct unixctl_server *);
const char *unixctl_server_get_path(const struct unixctl_server *);

/* The string "version" replies with, e.g. "xsw-dbserver (xsw) 0.1.0".
 * Default: "<program> (xsw) <version>". */
void unixctl_set_version(const char *version);

/* ---- Client (blocking). ---- */

/* Runs 'command' with 'argc' arguments 'argv' on the server at 'path',
 * waiting at most 'timeout_ms' (negative: no limit).  Returns 0 if the
 * exchange worked: then exactly one of '*result' (output) and '*error'
 * (the command failed) is a malloc'd string and the other is NULL.
 * Otherwise returns a positive errno value with both NULL, except that
 * '*error' describes the failure (connection refused, timeout, ...). */
int unixctl_client_transact(const char *path, const char *command,
                            int argc, const char *argv[], int timeout_ms,
                            char **result, char **error);

#endif /* unixctl.h */
