/* unixctl.c: see unixctl.h. */
#include <config.h>
#include "unixctl.h"

#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "daemon.h"
#include "jsonrpc.h"
#include "jsonrpc-client.h"
#include "list.h"
#include "shash.h"
#include "stream.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(unixctl);

struct unixctl_command {
    char *usage;
    int min_args, max_args;
    unixctl_cb_func *cb;
    void *aux;
};

/* All registered commands, by name.  Commands are registered from main()
 * before the loop runs, so no lock. */
static struct shash commands = SHASH_INITIALIZER(&commands);
static char *version_string;

struct unixctl_server {
    struct stream_listener *listener;
    char *path;
    struct ovs_list conns;          /* struct unixctl_conn's 'node'. */
};

/* One client connection.  It outlives its JSON-RPC connection while a
 * command is still running, so that a late unixctl_command_reply() has
 * something valid to reply on. */
struct unixctl_conn {
    struct ovs_list node;           /* In server's 'conns' while attached. */
    struct unixctl_server *server;  /* NULL once detached. */
    struct jsonrpc_conn *rpc;       /* NULL once closed. */
    json_t *request_id;             /* Running command's id, or NULL. */
    json_t *queue;                  /* Requests waiting their turn. */
};

/* ---- Commands. ---- */

void
unixctl_command_register(const char *name, const char *usage,
                         int min_args, int max_args, unixctl_cb_func *cb,
                         void *aux)
{
    struct unixctl_command *command = xmalloc(sizeof *command);
    struct unixctl_command *old;

    command->usage = xstrdup(usage ? usage : "");
    command->min_args = min_args;
    command->max_args = max_args;
    command->cb = cb;
    command->aux = aux;
    old = shash_replace(&commands, name, command);
    if (old) {
        free(old->usage);
        free(old);
    }
}

void
unixctl_set_version(const char *version)
{
    free(version_string);
    version_string = version ? xstrdup(version) : NULL;
}

static void
list_commands_cb(struct unixctl_conn *conn, int argc OVS_UNUSED,
                 const char *argv[] OVS_UNUSED,
                 void *aux OVS_UNUSED)
{
    const struct shash_node **nodes = shash_sort(&commands);
    size_t n = shash_count(&commands);
    size_t size = 0;
    char *s = NULL;
    FILE *stream = open_memstream(&s, &size);

    if (!stream) {
        xsw_fatal("open_memstream failed");
    }
    fputs("The available commands are:\n", stream);
    for (size_t i = 0; i < n; i++) {
        const struct unixctl_command *command = nodes[i]->data;
        fprintf(stream, "  %-23s %s\n", nodes[i]->name, command->usage);
    }
    fclose(stream);
    unixctl_command_reply(conn, s);
    free(s);
    free(nodes);
}

static void
version_cb(struct unixctl_conn *conn, int argc OVS_UNUSED,
           const char *argv[] OVS_UNUSED,
           void *aux OVS_UNUSED)
{
    if (version_string) {
        unixctl_command_reply(conn, version_string);
    } else {
        char *v = xasprintf("%s (xsw) %s", daemon_program_name(),
                            PACKAGE_VERSION);
        unixctl_command_reply(conn, v);
        free(v);
    }
}

static void
register_builtins(void)
{
    if (!shash_find(&commands, "list-commands")) {
        unixctl_command_register("list-commands", "", 0, 0, list_commands_cb,
                                 NULL);
    }
    if (!shash_find(&commands, "version")) {
        unixctl_command_register("version", "", 0, 0, version_cb, NULL);
    }
}

/* ---- Connections. ---- */

static void conn_process_next(struct unixctl_conn *);

static void
conn_free_if_done(struct unixctl_conn *conn)
{
    if (!conn->rpc && !conn->request_id) {
        if (conn->server) {
            ovs_list_remove(&conn->node);
        }
        json_decref(conn->queue);
        free(conn);
    }
}

static void
conn_reply__(struct unixctl_conn *conn, bool success, const char *body)
{
    json_t *id = conn->request_id;
    json_t *text;

    if (!id) {
        VLOG_WARN("command replied to twice (ignoring second reply)");
        return;
    }
    conn->request_id = NULL;

    if (!body) {
        body = "";
    }
    /* ovs-appctl prints the text as is: end it with a newline like Open
     * vSwitch does, unless it is empty. */
    text = (body[0] && body[strlen(body) - 1] != '\n'
            ? json_sprintf("%s\n", body) : json_string(body));
    if (!text) {
        /* Not valid UTF-8: still say something rather than nothing. */
        text = json_string("(command output is not valid UTF-8)\n");
    }
    if (conn->rpc) {
        jsonrpc_conn_send(conn->rpc, success
                          ? jsonrpc_create_reply(text, id)
                          : jsonrpc_create_error(text, id));
        conn_process_next(conn);
    } else {
        json_decref(text);
        json_decref(id);
        conn_free_if_done(conn);
    }
}

void
unixctl_command_reply(struct unixctl_conn *conn, const char *body)
{
    conn_reply__(conn, true, body);
}

void
unixctl_command_reply_error(struct unixctl_conn *conn, const char *body)
{
    conn_reply__(conn, false, body);
}

/* Runs request 'json' (taken) on 'conn'. */
static void
conn_run_request(struct unixctl_conn *conn, json_t *json)
{
    const struct unixctl_command *command;
    struct jsonrpc_msg msg;
    const char **argv;
    char *error;
    size_t n_args;

    error = jsonrpc_msg_parse(json, &msg);
    if (!error && msg.type != JSONRPC_REQUEST) {
        error = xasprintf("unexpected %s message",
                          jsonrpc_msg_type_to_string(msg.type));
    }
    if (error) {
        static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
        VLOG_WARN_RL(&rl, "%s: %s, closing connection",
                     jsonrpc_conn_get_name(conn->rpc), error);
        free(error);
        json_decref(json);
        jsonrpc_conn_close(conn->rpc);
        return;
    }

    conn->request_id = json_incref(msg.id);
    n_args = json_array_size(msg.params);
    command = shash_find_data(&commands, msg.method);
    if (!command) {
        error = xasprintf("\"%s\" is not a valid command (use "
                          "\"list-commands\" to see a list of valid "
                          "commands)", msg.method);
    } else if (n_args < (size_t) command->min_args) {
        error = xasprintf("\"%s\" command requires at least %d arguments",
                          msg.method, command->min_args);
    } else if (n_args > (size_t) command->max_args) {
        error = xasprintf("\"%s\" command takes at most %d arguments",
                          msg.method, command->max_args);
    } else {
        for (size_t i = 0; i < n_args; i++) {
            if (!json_is_string(json_array_get(msg.params, i))) {
                error = xasprintf("\"%s\" command has non-string argument",
                                  msg.method);
                break;
            }
        }
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        json_decref(json);
        return;
    }

    argv = xcalloc(n_args + 2, sizeof *argv);
    argv[0] = msg.method;
    for (size_t i = 0; i < n_args; i++) {
        argv[i + 1] = json_string_value(json_array_get(msg.params, i));
    }
    command->cb(conn, n_args + 1, argv, command->aux);
    free(argv);
    json_decref(json);
}

/* Starts the next queued request, if no command is running. */
static void
conn_process_next(struct unixctl_conn *conn)
{
    while (conn->rpc && !jsonrpc_conn_is_closing(conn->rpc)
           && !conn->request_id && json_array_size(conn->queue)) {
        json_t *next = json_incref(json_array_get(conn->queue, 0));
        json_array_remove(conn->queue, 0);
        conn_run_request(conn, next);
    }
}

static void
conn_on_msg(struct jsonrpc_conn *rpc OVS_UNUSED, json_t *msg, void *conn_)
{
    struct unixctl_conn *conn = conn_;

    /* Open vSwitch runs one command per connection at a time; requests that
     * arrive while one is running wait, in order. */
    json_array_append_new(conn->queue, msg);
    conn_process_next(conn);
}

static void
conn_on_close(struct jsonrpc_conn *rpc, enum jsonrpc_close_reason reason,
              const char *message, void *conn_)
{
    struct unixctl_conn *conn = conn_;

    if (reason != JSONRPC_CLOSE_EOF && reason != JSONRPC_CLOSE_LOCAL) {
        VLOG_INFO("%s: %s", jsonrpc_conn_get_name(rpc), message);
    }
    conn->rpc = NULL;
    conn_free_if_done(conn);
}

static void
server_on_accept(struct stream_listener *listener OVS_UNUSED,
                 uv_stream_t *stream,
                 const char *peer, void *server_)
{
    static const struct jsonrpc_conn_callbacks cbs = {
        .on_msg = conn_on_msg,
        .on_close = conn_on_close,
    };
    struct unixctl_server *server = server_;
    struct unixctl_conn *conn = xzalloc(sizeof *conn);
    char *name = xasprintf("unixctl:%s", peer);

    conn->server = server;
    conn->queue = json_array();
    ovs_list_push_back(&server->conns, &conn->node);
    conn->rpc = jsonrpc_conn_create(stream, name, &cbs, NULL, conn);
    free(name);
}

/* ---- Server. ---- */

int
unixctl_server_create(uv_loop_t *loop, const char *path,
                      struct unixctl_server **serverp, char **errorp)
{
    struct unixctl_server *server;
    char *abs_path, *name;
    int error;

    *serverp = NULL;
    register_builtins();

    if (!path) {
        abs_path = xasprintf("%s/%s.%ld.ctl", xsw_rundir(),
                             daemon_program_name(), (long) getpid());
    } else if (path[0] != '/') {
        abs_path = xasprintf("%s/%s", xsw_rundir(), path);
    } else {
        abs_path = xstrdup(path);
    }
    if (!path || path[0] != '/') {
        daemon_ensure_dir(xsw_rundir());
    }

    server = xzalloc(sizeof *server);
    server->path = abs_path;
    ovs_list_init(&server->conns);
    name = xasprintf("punix:%s", abs_path);
    error = stream_listen(loop, name, NULL, server_on_accept, server,
                          &server->listener, errorp);
    free(name);
    if (error) {
        free(server->path);
        free(server);
        return error;
    }
    *serverp = server;
    return 0;
}

void
unixctl_server_destroy(struct unixctl_server *server)
{
    struct unixctl_conn *conn, *next;

    if (!server) {
        return;
    }
    LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        ovs_list_remove(&conn->node);
        conn->server = NULL;
        if (conn->rpc) {
            jsonrpc_conn_close(conn->rpc);
        }
    }
    stream_listener_close(server->listener);
    free(server->path);
    free(server);
}

const char *
unixctl_server_get_path(const struct unixctl_server *server)
{
    return server->path;
}

/* ---- Client. ---- */

/* 'json' as text: a string's value, anything else serialized. */
static char *
json_to_text(const json_t *json)
{
    if (json_is_string(json)) {
        return xstrdup(json_string_value(json));
    }
    return jsonrpc_msg_to_string(json);
}

int
unixctl_client_transact(const char *path, const char *command, int argc,
                        const char *argv[], int timeout_ms, char **result,
                        char **error)
{
    struct jsonrpc_msg msg;
    json_t *params, *reply;
    char *remote, *bad;
    int retval;

    *result = NULL;
    *error = NULL;

    params = json_array();
    for (int i = 0; i < argc; i++) {
        json_array_append_new(params, json_string(argv[i]));
    }
    remote = xasprintf("unix:%s", path);
    retval = jsonrpc_transact_block(remote,
                                    jsonrpc_create_request(command, params,
                                                           json_integer(0)),
                                    timeout_ms, &reply, error);
    free(remote);
    if (retval) {
        return retval;
    }

    bad = jsonrpc_msg_parse(reply, &msg);
    if (bad) {
        *error = xasprintf("%s: bad reply (%s)", path, bad);
        free(bad);
        retval = EPROTO;
    } else if (msg.type == JSONRPC_ERROR) {
        *error = json_to_text(msg.error);
    } else {
        *result = json_to_text(msg.result);
    }
    json_decref(reply);
    return retval;
}
