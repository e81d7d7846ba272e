/* jsonrpc-client.h: a blocking JSON-RPC client, for CLIs and tests.
 *
 * xsw-ctl, xsw-cni and the unixctl client ask one question and wait for the
 * answer; an event loop would only add a second way for that to fail.  So
 * this client runs on a plain socket with poll() and a deadline per call:
 * it connects (stream_open_block()), sends, and reads until the reply with
 * the request's id arrives, answering "echo" requests and handing
 * notifications to a callback meanwhile.  Over an ssl: remote it runs its
 * own TLS session (tls.h) on the socket, handshake included, within the
 * same deadline.
 *
 * It shares with jsonrpc.h, whose messages it sends, the framing (struct
 * jsonrpc_parser), the serializer (json-out.h) and the debug log of
 * messages (jsonrpc_msg_log(), so "-vjsonrpc:dbg" shows its traffic too),
 * and nothing else: it has its own file because the libuv connections and
 * sessions of jsonrpc.c never call it, and it never calls them.
 *
 * Errors are positive errno values plus, where a 'char **errorp' is taken,
 * a malloc'd message for the caller to free (NULL on success; 'errorp' may
 * be NULL).  Every json_t parameter documented as "taken" is consumed even
 * on failure.  A client belongs to one thread at a time. */
#ifndef XSW_JSONRPC_CLIENT_H
#define XSW_JSONRPC_CLIENT_H 1

#include <jansson.h>

struct tls_config;

struct jsonrpc_client;

/* Connects to active remote 'name' within 'timeout_ms' (negative: no
 * limit).  An ssl: remote uses the configuration set with
 * stream_set_default_tls_config() (EINVAL if there is none) and completes
 * the TLS handshake within the same time limit: EPROTO, with OpenSSL's
 * reason in the message, if it fails. */
int jsonrpc_client_open(const char *name, int timeout_ms,
                        struct jsonrpc_client **clientp, char **errorp);
/* Same, with TLS configuration 'tls' (used only during the call) for an
 * ssl: remote; NULL means the default, as above. */
int jsonrpc_client_open_tls(const char *name, const struct tls_config *tls,
                            int timeout_ms, struct jsonrpc_client **clientp,
                            char **errorp);
/* Closes the connection and frees the client; NULL does nothing. */
void jsonrpc_client_close(struct jsonrpc_client *);

/* Notifications (and unexpected replies) that arrive while
 * jsonrpc_client_transact() waits are passed to 'cb', which owns 'msg', or
 * dropped if no callback is set. */
void jsonrpc_client_set_notify_cb(struct jsonrpc_client *,
                                  void (*cb)(json_t *msg, void *aux),
                                  void *aux);

/* Sends 'msg' (taken), waiting at most 'timeout_ms' for the socket to
 * accept it. */
int jsonrpc_client_send(struct jsonrpc_client *, json_t *msg,
                        int timeout_ms, char **errorp);

/* Receives the next message of any kind into '*msgp' (caller owns it).
 * Returns 0, EOF (-1, as in <stdio.h>) when the peer closed the
 * connection, ETIMEDOUT, EPROTO for a framing error, or another errno. */
int jsonrpc_client_recv(struct jsonrpc_client *, int timeout_ms,
                        json_t **msgp, char **errorp);

/* Sends 'request' (taken; must be a request with an "id") and waits for
 * the reply or error reply with the same id, answering "echo" requests and
 * passing other messages to the notify callback meanwhile.  Stores the
 * whole reply message in '*replyp' (caller owns it: check its "error").
 * 'timeout_ms' bounds the whole exchange. */
int jsonrpc_client_transact(struct jsonrpc_client *, json_t *request,
                            int timeout_ms, json_t **replyp, char **errorp);

/* Convenience: connect, transact, close. */
int jsonrpc_transact_block(const char *name, json_t *request, int timeout_ms,
                           json_t **replyp, char **errorp);

#endif /* jsonrpc-client.h */
