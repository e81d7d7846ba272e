/* jsonrpc.h: RFC 7047 JSON-RPC: framing, messages, connections.
 *
 * Four layers, each usable on its own:
 *
 *   1. struct jsonrpc_parser: OVSDB's JSON-RPC has no delimiters; messages
 *      are JSON objects sent back to back.  The parser finds where each
 *      top-level value ends (tracking nesting, strings and escapes), then
 *      hands that slice to json_in_loadb() (json-in.h: jansson's values,
 *      faster than json_loadb() for everyday messages).  It bounds
 *      message size and nesting depth, so a peer cannot make us buffer
 *      without limit.
 *
 *   2. Messages are plain json_t objects.  jsonrpc_create_*() build them;
 *      jsonrpc_msg_parse() classifies and validates one.
 *
 *   3. struct jsonrpc_conn: a message connection over a libuv stream, for
 *      servers (one per accepted client) and clients.
 *
 *   4. struct jsonrpc_session: a client connection that reconnects with
 *      backoff and answers "echo" probes (the IDL's connection, and
 *      xsw-dbserver's active remotes); struct jsonrpc_client: a blocking
 *      client for CLIs and tests.
 *
 * TLS (ssl: and pssl: remotes, see tls.h) lives in layers 3 and 4: the
 * connection runs the handshake over its stream, then frames messages
 * inside TLS exactly as it does over plain sockets.  A server enables it
 * per accepted connection through jsonrpc_conn_options; clients get it from
 * an ssl: remote name, with the TLS configuration passed explicitly or set
 * once with stream_set_default_tls_config().
 *
 * The blocking client of layer 4, struct jsonrpc_client, is declared in
 * jsonrpc-client.h; the serializer that layers 3 and 4 share, in
 * json-out.h.
 *
 * Errors are positive errno values plus, where a 'char **errorp' is taken, a
 * malloc'd message for the caller to free (NULL on success; 'errorp' may be
 * NULL).  Every json_t parameter documented as "taken" is consumed (its
 * reference is stolen) even on failure. */
#ifndef XSW_JSONRPC_H
#define XSW_JSONRPC_H 1

#include <jansson.h>
#include <stdbool.h>
#include <stddef.h>
/* util.h before <uv.h>: both define MIN and MAX (<uv.h> through
 * <sys/param.h>), and only a redefinition inside a system header is
 * exempt from -Werror. */
#include "util.h"
#include <uv.h>

/* Defaults.  64 MiB is far above any sane request (a transaction adding
 * 10,000 ports is about 5 MiB) yet keeps a hostile client from making us
 * allocate gigabytes.  1000 levels matches Open vSwitch's JSON parser and
 * stays under jansson's own compiled-in limit. */
#define JSONRPC_DEFAULT_MAX_MSG_SIZE (64u * 1024 * 1024)
#define JSONRPC_DEFAULT_MAX_DEPTH 1000
/* A client that lets 128 MiB of replies and updates pile up is not reading;
 * dropping it protects the server. */
#define JSONRPC_DEFAULT_MAX_BACKLOG (128u * 1024 * 1024)

/* ---- 1. Framing. ---- */

struct jsonrpc_parser {
    /* Limits (settable between messages). */
    size_t max_size;            /* Bytes per message, including whitespace
                                 * inside it; 0 = no limit. */
    int max_depth;              /* Nesting depth; 0 = no limit. */

    /* Bytes of a message that is split across feeds.  Reused across
     * messages so that steady-state parsing does not allocate. */
    char *buf;
    size_t len, allocated;

    /* Scanner state for the message in progress.  The scanner checks the
     * structure (brackets, commas, colons, member names) as bytes arrive,
     * so that input that can never become a message fails at once instead
     * of waiting for a closing bracket, as Open vSwitch's incremental
     * parser does; jansson checks the tokens once the message is whole. */
    size_t msg_len;             /* Bytes scanned in the current message. */
    int depth;
    bool in_string, escape;
    bool in_key;                /* The string scanned is a member name. */
    bool in_scalar;             /* In a number, true, false or null. */
    int expect;                 /* What may come next (see jsonrpc.c). */
    char *nesting;              /* '{' or '[' for each open level. */
    size_t nesting_allocated;
    bool failed;                /* Sticky: an error was reported. */
    size_t offset;              /* Bytes consumed since init, for errors. */
};

void jsonrpc_parser_init(struct jsonrpc_parser *, size_t max_size,
                         int max_depth);
void jsonrpc_parser_destroy(struct jsonrpc_parser *);

/* Consumes bytes from 'data' (of length 'n') until it either completes a
 * message or runs out of input, and returns the number of bytes consumed.
 *
 * When a message is completed, stores it (a new reference) in '*msgp';
 * otherwise stores NULL.  Call repeatedly until all of 'data' is consumed:
 *
 *     while (n > 0) {
 *         size_t used = jsonrpc_parser_feed(&p, data, n, &msg, &error);
 *         if (error) { ...report, close; break; }
 *         data += used, n -= used;
 *         if (msg) { ...handle msg... }
 *     }
 *
 * On a framing or syntax error (a message over 'max_size', nesting over
 * 'max_depth', a top-level value that is not an object or array, or JSON
 * that jansson rejects) stores a message in '*errorp' and returns 0; the
 * parser then stays failed: the stream cannot be resynchronized and the
 * connection should be closed.  Whitespace between messages is skipped. */
size_t jsonrpc_parser_feed(struct jsonrpc_parser *, const char *data,
                           size_t n, json_t **msgp, char **errorp);

/* True if the parser holds part of a message (so EOF now means the peer
 * hung up mid-message). */
bool jsonrpc_parser_is_partial(const struct jsonrpc_parser *);

/* ---- 2. Messages. ---- */

enum jsonrpc_msg_type {
    JSONRPC_REQUEST,            /* "method", "params", non-null "id". */
    JSONRPC_NOTIFY,             /* "method", "params", "id": null. */
    JSONRPC_REPLY,              /* "result", "error": null, "id". */
    JSONRPC_ERROR               /* "result": null, non-null "error", "id". */
};

const char *jsonrpc_msg_type_to_string(enum jsonrpc_msg_type);

/* Constructors.  'params', 'result', 'error' and 'id' are taken; 'id' may be
 * NULL for json_null().  Return a new reference. */
json_t *jsonrpc_create_request(const char *method, json_t *params,
                               json_t *id);
json_t *jsonrpc_create_notify(const char *method, json_t *params);
json_t *jsonrpc_create_reply(json_t *result, json_t *id);
json_t *jsonrpc_create_error(json_t *error, json_t *id);

/* A classified message.  All pointers are borrowed from the json_t that was
 * parsed and valid as long as it is.  Members absent in the message are
 * NULL ('id' is NULL for a notification). */
struct jsonrpc_msg {
    enum jsonrpc_msg_type type;
    const char *method;         /* Request, notify. */
    json_t *params;             /* Request, notify: always an array. */
    json_t *result;             /* Reply. */
    json_t *error;              /* Error. */
    json_t *id;                 /* Request, reply, error. */
};

/* Classifies 'json' into 'msg'.  Returns NULL on success, otherwise a
 * malloc'd description of what is wrong ("message is not a JSON object",
 * "\"params\" must be an array", "message has unexpected member \"x\"",
 * ...), leaving 'msg' unspecified. */
char *jsonrpc_msg_parse(const json_t *json, struct jsonrpc_msg *msg);

/* Compact one-line rendering for logs (malloc'd), truncated to a few
 * hundred bytes. */
char *jsonrpc_msg_to_string(const json_t *);

/* Returns the reply to 'json' (a new reference) if it is an "echo"
 * request, else NULL: the session and the blocking client answer those
 * themselves. */
json_t *jsonrpc_create_echo_reply(const json_t *json);

/* Logs 'json', a message sent or received on connection 'name' ('title' is
 * "send" or "received"), at debug level, in Open vSwitch's words
 * ("unix#3: received request, method="transact", params=[...], id=1"), so
 * that "-vjsonrpc:dbg" or "vlog/set jsonrpc:dbg" shows what a client sent
 * and was answered, whichever layer carried it. */
void jsonrpc_msg_log(const char *name, const char *title, const json_t *);

/* ---- 3. Connections over libuv streams. ---- */

struct jsonrpc_conn;

enum jsonrpc_close_reason {
    JSONRPC_CLOSE_LOCAL,        /* jsonrpc_conn_close() was called. */
    JSONRPC_CLOSE_EOF,          /* The peer closed the connection. */
    JSONRPC_CLOSE_IO_ERROR,     /* A read or write failed. */
    JSONRPC_CLOSE_PROTOCOL,     /* Framing or JSON syntax error, or a TLS
                                 * failure (the message starts with "TLS"). */
    JSONRPC_CLOSE_BACKLOG,      /* Output backlog exceeded its bound. */
    JSONRPC_CLOSE_TIMEOUT       /* No answer to an inactivity probe. */
};

struct jsonrpc_conn_callbacks {
    /* A message arrived.  The callback owns 'msg' (must json_decref() it).
     * Any well-formed JSON object or array is delivered; use
     * jsonrpc_msg_parse() to validate.  Required. */
    void (*on_msg)(struct jsonrpc_conn *, json_t *msg, void *aux);

    /* The connection is gone.  Called exactly once per connection, always
     * from the loop (never from inside a jsonrpc_conn_*() call), also after
     * jsonrpc_conn_close().  'message' explains the reason for logs
     * ("connection closed by peer", "syntax error in message starting at
     * byte 1234: ...").  The
     * connection is freed right after this returns.  Optional. */
    void (*on_close)(struct jsonrpc_conn *, enum jsonrpc_close_reason,
                     const char *message, void *aux);
};

struct tls_config;

struct jsonrpc_conn_options {
    size_t max_msg_size;        /* 0: JSONRPC_DEFAULT_MAX_MSG_SIZE. */
    int max_depth;              /* 0: JSONRPC_DEFAULT_MAX_DEPTH. */
    size_t max_backlog;         /* 0: JSONRPC_DEFAULT_MAX_BACKLOG;
                                 * SIZE_MAX: unlimited. */

    /* Nonnull: speak TLS over the stream with this configuration, which
     * need only be valid during jsonrpc_conn_create().  The handshake
     * starts at once; messages sent before it completes wait in plaintext
     * (and count toward the backlog).  A failed handshake closes the
     * connection with JSONRPC_CLOSE_PROTOCOL and a message "TLS handshake
     * failed: REASON", REASON from OpenSSL. */
    const struct tls_config *tls;
    bool tls_client;            /* With 'tls': we connected, so we are the
                                 * TLS client; otherwise the TLS server. */

    /* Inactivity probe, as Open vSwitch's reconnect FSM does it: after
     * 'probe_interval_ms' with nothing received, send an "echo" request;
     * if nothing arrives for another 'probe_interval_ms', close the
     * connection (JSONRPC_CLOSE_TIMEOUT).  0: no probes.  Values under
     * 1000 are raised to 1000, as Open vSwitch does.  Open vSwitch's
     * default for a TCP or TLS remote is JSONRPC_PROBE_INTERVAL_DEFAULT
     * (see stream_needs_probes()). */
    int probe_interval_ms;

    /* DSCP (1 to 63) for the packets of a TCP stream; 0 leaves the
     * system's default (see stream_set_dscp()). */
    int dscp;
};

/* Open vSwitch's RECONNECT_DEFAULT_PROBE_INTERVAL, in ms. */
#define JSONRPC_PROBE_INTERVAL_DEFAULT 5000

/* Starts reading and framing messages on 'stream' (taken: the connection
 * closes and frees it).  'name' (copied) names the peer in messages.
 * 'options' may be NULL for the defaults. */
struct jsonrpc_conn *jsonrpc_conn_create(
    uv_stream_t *stream, const char *name,
    const struct jsonrpc_conn_callbacks *, const struct jsonrpc_conn_options *,
    void *aux);

/* Serializes 'msg' (taken) compactly with json-out.h (so its memo
 * applies), encrypts it over TLS, and queues it for writing.  Returns 0 on
 * success, ENOTCONN if the connection is closing, EINVAL if 'msg' cannot be
 * serialized, or ENOBUFS if queueing the message pushed the output backlog
 * over 'max_backlog': the connection is then closed (on_close reports
 * JSONRPC_CLOSE_BACKLOG). */
int jsonrpc_conn_send(struct jsonrpc_conn *, json_t *msg);

/* Between jsonrpc_conn_cork() and jsonrpc_conn_uncork(), jsonrpc_conn_send()
 * only serializes: the messages go out, in order, in one write when
 * uncorked, which is cheaper for both ends than one write each.  The backlog
 * limit is enforced then too.  jsonrpc_conn_uncork() returns as
 * jsonrpc_conn_send() does, and 0 if the connection was not corked. */
void jsonrpc_conn_cork(struct jsonrpc_conn *);
int jsonrpc_conn_uncork(struct jsonrpc_conn *);

/* Closes the connection: no more on_msg calls; queued output is dropped;
 * on_close follows from the loop.  Safe from inside on_msg and idempotent. */
void jsonrpc_conn_close(struct jsonrpc_conn *);

/* Changes the inactivity probe interval (see jsonrpc_conn_options) of an
 * open connection; 0 stops probing. */
void jsonrpc_conn_set_probe_interval(struct jsonrpc_conn *, int ms);

/* Bytes serialized but not yet written to the socket (ciphertext over TLS,
 * plus plaintext waiting for the handshake). */
size_t jsonrpc_conn_get_backlog(const struct jsonrpc_conn *);
bool jsonrpc_conn_is_closing(const struct jsonrpc_conn *);
const char *jsonrpc_conn_get_name(const struct jsonrpc_conn *);
void jsonrpc_conn_set_aux(struct jsonrpc_conn *, void *aux);

/* ---- 4a. Reconnecting client session (libuv). ---- */

struct jsonrpc_session;

struct jsonrpc_session_callbacks {
    /* Connected (or reconnected): resend whatever state the peer needs
     * (e.g. monitor requests).  Optional. */
    void (*on_connected)(struct jsonrpc_session *, void *aux);
    /* A message other than an "echo" request (those are answered here).
     * The callback owns 'msg'.  Required. */
    void (*on_msg)(struct jsonrpc_session *, json_t *msg, void *aux);
    /* The connection was lost; a reconnect is scheduled.  Optional. */
    void (*on_disconnected)(struct jsonrpc_session *, const char *reason,
                            void *aux);
    /* A connection attempt failed: 'error' is a positive errno value
     * (ECONNREFUSED, ENOENT, ...), 'reason' words it for a user; a retry
     * is scheduled after the backoff.  With this callback the owner
     * reports the failure (a CLI says why it cannot reach the database);
     * without it the session logs it.  Runs from the loop, except when an
     * attempt cannot even start (no sockets left): then from inside the
     * call that started it.  Optional. */
    void (*on_connect_failed)(struct jsonrpc_session *, int error,
                              const char *reason, void *aux);
};

struct jsonrpc_session_options {
    int min_backoff_ms;         /* 0: 100. */
    int max_backoff_ms;         /* 0: 8000. */
    /* For an ssl: remote, 'conn.tls' is the TLS configuration (NULL: the
     * one set with stream_set_default_tls_config()); it must outlive the
     * session.  Ignored (no TLS) for other remotes. */
    struct jsonrpc_conn_options conn;
};

/* Creates a session that keeps connecting to active remote 'name' ("unix:",
 * "tcp:" or "ssl:"), starting now.  Fails only for a bad remote name, or an
 * ssl: remote without a TLS configuration.  'options' may be NULL.  Over
 * TLS, on_connected runs when the TCP connection is up, before the
 * handshake: messages it sends wait for the handshake, and a failed
 * handshake is reported to on_disconnected like any other loss. */
int jsonrpc_session_create(uv_loop_t *, const char *name,
                           const struct jsonrpc_session_callbacks *,
                           const struct jsonrpc_session_options *,
                           void *aux, struct jsonrpc_session **sessionp,
                           char **errorp);

/* Stops everything; no callback runs afterward.  Safe from inside the
 * session's own callbacks.  Memory is released once libuv has closed the
 * handles, so run the loop before uv_loop_close(). */
void jsonrpc_session_destroy(struct jsonrpc_session *);

/* Drops the current connection (on_disconnected follows from the loop)
 * or cuts the backoff short, and connects again at once; the backoff
 * starts over from its minimum. */
void jsonrpc_session_force_reconnect(struct jsonrpc_session *);

/* Sends 'msg' (taken).  ENOTCONN if not connected right now. */
int jsonrpc_session_send(struct jsonrpc_session *, json_t *msg);
bool jsonrpc_session_is_connected(const struct jsonrpc_session *);
/* Times connected so far (counts reconnects). */
unsigned int jsonrpc_session_get_seqno(const struct jsonrpc_session *);
/* The current connection, or NULL between connections.  Valid until the
 * session's on_disconnected callback. */
struct jsonrpc_conn *jsonrpc_session_get_conn(const struct jsonrpc_session *);

/* What ovsdb-server reports of an outgoing connection (the Manager table's
 * "status" column). */
struct jsonrpc_session_stats {
    /* "BACKOFF" (waiting to retry), "CONNECTING", "ACTIVE", "IDLE" (an
     * inactivity probe is unanswered): Open vSwitch's reconnect states. */
    const char *state;
    long long ms_since_connect;     /* -1: never connected. */
    long long ms_since_disconnect;  /* -1: never disconnected. */
    const char *last_error;     /* Why the last attempt or connection
                                 * ended (as strerror() words it), or NULL
                                 * while connected.  Valid until the
                                 * session changes. */
};
void jsonrpc_session_get_stats(const struct jsonrpc_session *,
                               struct jsonrpc_session_stats *);
/* Changes the backoff ceiling and the inactivity probe interval (see the
 * options), also of the current connection. */
void jsonrpc_session_set_max_backoff(struct jsonrpc_session *, int ms);
void jsonrpc_session_set_probe_interval(struct jsonrpc_session *, int ms);

#endif /* jsonrpc.h */
