/* stream.h: OVSDB remote names, listening and connecting.
 *
 * A remote name is what ovsdb-server and ovs-vsctl accept:
 *
 *     punix:PATH          listen on a Unix socket
 *     ptcp:PORT[:IP]      listen on TCP; IP defaults to 0.0.0.0 and may be
 *                         IPv6, bare ("ptcp:6640:::1") or in brackets
 *                         ("ptcp:6640:[::1]"); PORT 0 picks a free port
 *     unix:PATH           connect to a Unix socket
 *     tcp:IP:PORT         connect over TCP ("tcp:[::1]:6640" for IPv6)
 *     pssl:PORT[:IP]      listen on TCP for TLS; like ptcp:
 *     ssl:IP:PORT         connect over TCP for TLS; like tcp:
 *
 * This module only moves bytes: for ssl: and pssl: it sets up the TCP
 * connection, and struct jsonrpc_conn and struct jsonrpc_client run TLS
 * over it (see tls.h).  Programs that take TLS options register them once
 * with stream_set_default_tls_config(); stream_parse() accepts ssl: and
 * pssl: names only after that, so that a remote which cannot work without
 * keys is refused at once, with a message that says what is missing.
 *
 * Event-driven code uses libuv: stream_listen() and stream_connect() hand
 * out connected uv_stream_t handles (a uv_pipe_t or uv_tcp_t that this
 * module allocated with malloc).  Whoever receives such a handle owns it
 * and releases it with stream_close(), or passes it on (jsonrpc_conn_create()
 * takes it over).  The handle's 'data' member is free for the owner's use.
 *
 * Short-lived programs use stream_open_block(), which returns a plain
 * blocking file descriptor.
 *
 * Errors are positive errno values; functions that take 'char **errorp'
 * also store a malloc'd, human-readable message there on failure (caller
 * frees) and NULL on success.  'errorp' may be NULL. */
#ifndef XSW_STREAM_H
#define XSW_STREAM_H 1

#include <stdbool.h>
#include <stdint.h>
/* util.h before <uv.h>: both define MIN and MAX (<uv.h> through
 * <sys/param.h>), and only a redefinition inside a system header is
 * exempt from -Werror. */
#include "util.h"
#include <uv.h>

/* A parsed remote name. */
enum stream_kind {
    STREAM_UNIX,                /* unix: or punix: */
    STREAM_TCP                  /* tcp: or ptcp: */
};

struct stream_addr {
    enum stream_kind kind;
    bool passive;               /* punix:, ptcp: or pssl: */
    bool tls;                   /* ssl: or pssl: (kind is STREAM_TCP). */
    char *path;                 /* STREAM_UNIX: socket file (owned). */
    char *host;                 /* STREAM_TCP: numeric IP, no brackets
                                 * (owned). */
    uint16_t port;              /* STREAM_TCP. */
};

/* Parses 'name' into 'addr', which the caller later frees with
 * stream_addr_destroy().  On error returns EINVAL (or EAFNOSUPPORT for an
 * unknown "xxx:" prefix) with a message that quotes 'name', and leaves
 * 'addr' with nothing to free. */
int stream_parse(const char *name, struct stream_addr *addr, char **errorp);
/* Like stream_parse(), but accepts ssl: and pssl: whether or not a default
 * TLS configuration is set: for callers that bring their own. */
int stream_parse_with_tls(const char *name, struct stream_addr *addr,
                          char **errorp);
void stream_addr_destroy(struct stream_addr *);

/* True if 'name' looks like a listening remote ("punix:", "ptcp:" or
 * "pssl:"). */
bool stream_is_passive(const char *name);
/* True if 'name' looks like a TLS remote ("ssl:" or "pssl:"). */
bool stream_is_tls(const char *name);
/* True if connections over 'name' should be probed for inactivity: TCP and
 * TLS ones, where a peer can vanish without a word (a host that died, a
 * cable pulled, a peer stopped), and not Unix ones, whose peer the kernel
 * closes when it dies.  Open vSwitch's stream_or_pstream_needs_probes(). */
bool stream_needs_probes(const char *name);

/* TLS. */

struct tls_config;

/* Sets the TLS configuration that ssl: remotes use unless the caller gives
 * one (NULL: none, the default).  The caller keeps ownership; 'config' must
 * stay valid until it is replaced, and as long as a session that uses it
 * exists.  Not thread-safe: call it at startup. */
void stream_set_default_tls_config(const struct tls_config *config);
const struct tls_config *stream_get_default_tls_config(void);

/* Listening. */

struct stream_listener;

/* Called for each accepted connection.  'client' belongs to the callback.
 * 'peer' names the other end for log messages ("unix" or
 * "tcp:IP:PORT", or "ssl:IP:PORT" on a pssl: remote); it is valid only
 * during the call. */
typedef void stream_accept_cb(struct stream_listener *, uv_stream_t *client,
                              const char *peer, void *aux);

struct stream_listen_options {
    int unix_mode;              /* punix: socket file mode; 0 means 0700. */
    int backlog;                /* listen(2) backlog; 0 means 128. */
};

/* Starts listening on 'name' (which must be passive) on 'loop'.  A stale
 * socket file left behind by a dead process is removed first.  'options'
 * may be NULL for the defaults. */
int stream_listen(uv_loop_t *loop, const char *name,
                  const struct stream_listen_options *options,
                  stream_accept_cb *cb, void *aux,
                  struct stream_listener **listenerp, char **errorp);

/* Stops listening and removes a punix: socket file.  No accept callback
 * runs afterward; the memory is freed once libuv is done with the handle,
 * so the loop must run (uv_run) before uv_loop_close(). */
void stream_listener_close(struct stream_listener *);

/* The TCP port actually bound (useful with "ptcp:0"), or 0 for Unix. */
int stream_listener_port(const struct stream_listener *);
/* The name given to stream_listen(). */
const char *stream_listener_name(const struct stream_listener *);

/* Connecting, asynchronously. */

struct stream_connect;

/* On success 'stream' is connected and belongs to the callback and 'error'
 * is 0; on failure 'stream' is NULL and 'error' is a positive errno value. */
typedef void stream_connect_cb(uv_stream_t *stream, int error, void *aux);

/* Starts connecting to active remote 'name'.  On success stores a handle in
 * '*connectp' (may be NULL if the caller will never cancel) and 'cb' will be
 * called exactly once from the loop, unless the attempt is cancelled first.
 * Syntax errors are reported here, connection errors through 'cb'. */
int stream_connect(uv_loop_t *loop, const char *name, stream_connect_cb *cb,
                   void *aux, struct stream_connect **connectp,
                   char **errorp);

/* Abandons a connection attempt whose callback has not run yet: the
 * callback will not be called.  Must not be called after the callback. */
void stream_connect_cancel(struct stream_connect *);

/* Closes and frees a stream handle obtained from this module (also when
 * it is still inside a uv callback). */
void stream_close(uv_stream_t *);

/* TCP_NODELAY is set on every TCP stream this module creates. */

/* Sets the DSCP (0 to 63, the upper six bits of the IP TOS or IPv6 traffic
 * class) of the packets TCP stream 'stream' sends.  Does nothing to a Unix
 * stream.  Returns 0 or a positive errno value. */
int stream_set_dscp(uv_stream_t *stream, int dscp);

/* Connecting, blocking: for CLIs and tests. */

/* Connects to active remote 'name', waiting at most 'timeout_ms'
 * milliseconds (negative: no limit).  On success stores a blocking socket
 * in '*fdp' that the caller closes.  ETIMEDOUT if the timer ran out. */
int stream_open_block(const char *name, int timeout_ms, int *fdp,
                      char **errorp);

#endif /* stream.h */
