/* jsonrpc-client.c: see jsonrpc-client.h. */
#include <config.h>
#include "jsonrpc-client.h"

#include <errno.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "json-out.h"
#include "jsonrpc.h"
#include "stream.h"
#include "tls.h"
#include "util.h"
#include "timeval.h"

enum { READ_BUFFER_SIZE = 64 * 1024 };

struct jsonrpc_client {
    int fd;
    char *name;
    struct jsonrpc_parser parser;
    char *buf;                  /* READ_BUFFER_SIZE bytes. */
    size_t ofs, len;            /* Unparsed bytes: buf[ofs, len). */
    struct tls_session *tls;    /* NULL if not TLS. */
    char *tls_buf;              /* READ_BUFFER_SIZE bytes of ciphertext. */
    void (*notify_cb)(json_t *, void *);
    void *notify_aux;
};

static struct jsonrpc_client *
jsonrpc_client_from_fd(int fd, const char *name)
{
    struct jsonrpc_client *c = xzalloc(sizeof *c);

    c->fd = fd;
    c->name = xstrdup(name);
    jsonrpc_parser_init(&c->parser, JSONRPC_DEFAULT_MAX_MSG_SIZE,
                        JSONRPC_DEFAULT_MAX_DEPTH);
    c->buf = xmalloc(READ_BUFFER_SIZE);
    return c;
}

static int client_tls_handshake(struct jsonrpc_client *,
                                long long int deadline, char **errorp);
static long long int make_deadline(int timeout_ms);

int
jsonrpc_client_open(const char *name, int timeout_ms,
                    struct jsonrpc_client **clientp, char **errorp)
{
    return jsonrpc_client_open_tls(name, NULL, timeout_ms, clientp, errorp);
}

int
jsonrpc_client_open_tls(const char *name, const struct tls_config *tls,
                        int timeout_ms, struct jsonrpc_client **clientp,
                        char **errorp)
{
    long long int deadline = make_deadline(timeout_ms);
    struct jsonrpc_client *c;
    int error;
    int fd;

    *clientp = NULL;
    if (stream_is_tls(name)) {
        tls = tls ? tls : stream_get_default_tls_config();
        if (!tls) {
            put_error(errorp, xasprintf("\"%s\": TLS remotes need a private "
                                        "key, a certificate and a CA "
                                        "certificate", name));
            return EINVAL;
        }
    } else {
        tls = NULL;
    }

    error = stream_open_block(name, timeout_ms, &fd, errorp);
    if (error) {
        return error;
    }
    c = jsonrpc_client_from_fd(fd, name);
    if (tls) {
        c->tls = tls_session_create(tls, true);
        c->tls_buf = xmalloc(READ_BUFFER_SIZE);
        error = client_tls_handshake(c, deadline, errorp);
        if (error) {
            jsonrpc_client_close(c);
            return error;
        }
    }
    *clientp = c;
    return 0;
}

void
jsonrpc_client_close(struct jsonrpc_client *c)
{
    if (c) {
        tls_session_destroy(c->tls);
        free(c->tls_buf);
        close(c->fd);
        jsonrpc_parser_destroy(&c->parser);
        free(c->buf);
        free(c->name);
        free(c);
    }
}

void
jsonrpc_client_set_notify_cb(struct jsonrpc_client *c,
                             void (*cb)(json_t *msg, void *aux), void *aux)
{
    c->notify_cb = cb;
    c->notify_aux = aux;
}

/* Milliseconds left until 'deadline' (0 = none) for poll(): -1 for no
 * limit. */
static int
time_left(long long int deadline)
{
    long long int left;

    if (!deadline) {
        return -1;
    }
    left = deadline - time_msec();
    return left > 0 ? (left > INT32_MAX ? INT32_MAX : left) : 0;
}

static long long int
make_deadline(int timeout_ms)
{
    return timeout_ms < 0 ? 0 : time_msec() + timeout_ms;
}

/* Waits for 'events' on the client's socket. */
static int
client_wait(struct jsonrpc_client *c, short events, long long int deadline,
            char **errorp)
{
    struct pollfd pfd = { .fd = c->fd, .events = events };

    for (;;) {
        int n = poll(&pfd, 1, time_left(deadline));
        if (n > 0) {
            return 0;
        } else if (n == 0) {
            put_error(errorp, xasprintf("%s: timed out", c->name));
            return ETIMEDOUT;
        } else if (errno != EINTR) {
            int error = errno;
            put_error(errorp, xasprintf("%s: poll failed (%s)", c->name,
                                        strerror(error)));
            return error;
        }
    }
}

/* Sends all 'len' bytes of 'data' over the socket. */
static int
client_send_raw(struct jsonrpc_client *c, const char *data, size_t len,
                long long int deadline, char **errorp)
{
    size_t sent = 0;
    int error = 0;

    while (sent < len) {
        ssize_t n = send(c->fd, data + sent, len - sent,
                         MSG_NOSIGNAL | MSG_DONTWAIT);
        if (n > 0) {
            sent += n;
        } else if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
            error = client_wait(c, POLLOUT, deadline, errorp);
            if (error) {
                break;
            }
        } else if (n < 0 && errno != EINTR) {
            error = errno;
            put_error(errorp, xasprintf("%s: send failed (%s)", c->name,
                                        strerror(error)));
            break;
        }
    }
    return error;
}

/* Waits until the socket is readable and reads up to READ_BUFFER_SIZE bytes
 * into 'buf', as they arrive (plaintext or TLS ciphertext: the callers
 * differ only in where the bytes go).  Returns 0 with the count in '*n',
 * which is 0 after a spurious wakeup or a signal (the caller tries again),
 * or EOF (with the message "connection closed by peer") or another error,
 * with the message in '*errorp'. */
static int
client_recv_raw(struct jsonrpc_client *c, void *buf, long long int deadline,
                size_t *n, char **errorp)
{
    int error = client_wait(c, POLLIN, deadline, errorp);
    ssize_t retval;

    *n = 0;
    if (error) {
        return error;
    }
    retval = recv(c->fd, buf, READ_BUFFER_SIZE, MSG_DONTWAIT);
    if (retval > 0) {
        *n = retval;
    } else if (retval == 0) {
        put_error(errorp, xasprintf("%s: connection closed by peer",
                                    c->name));
        return EOF;
    } else if (errno != EINTR && errno != EAGAIN) {
        error = errno;
        put_error(errorp, xasprintf("%s: receive failed (%s)", c->name,
                                    strerror(error)));
        return error;
    }
    return 0;
}

/* Sends the ciphertext the TLS session has produced. */
static int
client_tls_flush(struct jsonrpc_client *c, long long int deadline,
                 char **errorp)
{
    size_t len;
    char *data = tls_session_take_output(c->tls, &len);
    int error = data ? client_send_raw(c, data, len, deadline, errorp) : 0;

    free(data);
    return error;
}

/* Waits for ciphertext and hands it to the TLS session.  Returns 0, EOF
 * (with the message "connection closed by peer") or another error. */
static int
client_tls_fill(struct jsonrpc_client *c, long long int deadline,
                char **errorp)
{
    size_t n;
    int error = client_recv_raw(c, c->tls_buf, deadline, &n, errorp);

    if (!error && n) {
        tls_session_put_input(c->tls, c->tls_buf, n);
    }
    return error;
}

static int
client_tls_handshake(struct jsonrpc_client *c, long long int deadline,
                     char **errorp)
{
    for (;;) {
        char *reason;
        int error = tls_session_handshake(c->tls, &reason);

        if (!error || error == EAGAIN) {
            int error2 = client_tls_flush(c, deadline, errorp);
            if (error2) {
                return error2;
            } else if (!error) {
                return 0;
            }
            error = client_tls_fill(c, deadline, &reason);
            if (!error) {
                continue;
            } else if (error != EOF) {
                put_error(errorp, reason);
                return error;
            }
            /* The server hung up on us. */
            free(reason);
            reason = xstrdup("connection closed by peer");
        } else {
            /* Best effort: the alert tells the server why. */
            client_tls_flush(c, deadline, NULL);
        }
        put_error(errorp, xasprintf("%s: TLS handshake failed: %s", c->name,
                                    reason));
        free(reason);
        return EPROTO;
    }
}

/* Receives and decrypts the next piece of plaintext into 'c->buf'. */
static int
client_tls_recv(struct jsonrpc_client *c, long long int deadline,
                char **errorp)
{
    for (;;) {
        char *reason;
        size_t n;
        int error = tls_session_read(c->tls, c->buf, READ_BUFFER_SIZE, &n,
                                     &reason);

        if (!error || error == EAGAIN) {
            /* Reading can produce output too (a TLS 1.3 key update). */
            int error2 = client_tls_flush(c, deadline, errorp);
            if (error2) {
                return error2;
            }
        }
        if (!error) {
            c->ofs = 0;
            c->len = n;
            return 0;
        } else if (error == EAGAIN) {
            error = client_tls_fill(c, deadline, errorp);
            if (error) {
                return error;
            }
        } else if (error == EOF) {
            put_error(errorp, xasprintf("%s: connection closed by peer",
                                        c->name));
            return EOF;
        } else {
            put_error(errorp, xasprintf("%s: TLS error: %s", c->name,
                                        reason));
            free(reason);
            return EPROTO;
        }
    }
}

static int
client_send_deadline(struct jsonrpc_client *c, json_t *msg,
                     long long int deadline, char **errorp)
{
    size_t len;
    char *data = json_out_serialize(msg, &len);
    char *reason;
    int error;

    jsonrpc_msg_log(c->name, "send", msg);
    json_decref(msg);
    if (!data) {
        put_error(errorp, xasprintf("%s: cannot serialize message", c->name));
        return EINVAL;
    }
    if (!c->tls) {
        error = client_send_raw(c, data, len, deadline, errorp);
    } else {
        error = tls_session_write(c->tls, data, len, &reason);
        if (error) {
            put_error(errorp, xasprintf("%s: TLS error: %s", c->name,
                                        reason));
            free(reason);
        } else {
            error = client_tls_flush(c, deadline, errorp);
        }
    }
    free(data);
    return error;
}

int
jsonrpc_client_send(struct jsonrpc_client *c, json_t *msg, int timeout_ms,
                    char **errorp)
{
    if (errorp) {
        *errorp = NULL;
    }
    return client_send_deadline(c, msg, make_deadline(timeout_ms), errorp);
}

static int
client_recv_deadline(struct jsonrpc_client *c, long long int deadline,
                     json_t **msgp, char **errorp)
{
    *msgp = NULL;
    for (;;) {
        while (c->ofs < c->len) {
            char *error;
            size_t used = jsonrpc_parser_feed(&c->parser, c->buf + c->ofs,
                                              c->len - c->ofs, msgp, &error);
            if (error) {
                put_error(errorp, xasprintf("%s: %s", c->name, error));
                free(error);
                return EPROTO;
            }
            c->ofs += used;
            if (*msgp) {
                jsonrpc_msg_log(c->name, "received", *msgp);
                return 0;
            }
        }

        if (c->tls) {
            int error = client_tls_recv(c, deadline, errorp);
            if (error) {
                return error;
            }
            continue;
        }

        size_t n;
        int error = client_recv_raw(c, c->buf, deadline, &n, errorp);
        if (error) {
            return error;
        }
        if (n) {
            c->ofs = 0;
            c->len = n;
        }
    }
}

int
jsonrpc_client_recv(struct jsonrpc_client *c, int timeout_ms, json_t **msgp,
                    char **errorp)
{
    if (errorp) {
        *errorp = NULL;
    }
    return client_recv_deadline(c, make_deadline(timeout_ms), msgp, errorp);
}

int
jsonrpc_client_transact(struct jsonrpc_client *c, json_t *request,
                        int timeout_ms, json_t **replyp, char **errorp)
{
    long long int deadline = make_deadline(timeout_ms);
    json_t *id = json_incref(json_object_get(request, "id"));
    int error;

    *replyp = NULL;
    if (errorp) {
        *errorp = NULL;
    }
    if (!id || json_is_null(id)) {
        json_decref(request);
        json_decref(id);
        put_error(errorp, xstrdup("request to transact has no \"id\""));
        return EINVAL;
    }
    error = client_send_deadline(c, request, deadline, errorp);
    while (!error) {
        struct jsonrpc_msg msg;
        json_t *json, *reply;
        char *bad;

        error = client_recv_deadline(c, deadline, &json, errorp);
        if (error) {
            break;
        }
        bad = jsonrpc_msg_parse(json, &msg);
        if (bad) {
            put_error(errorp, xasprintf("%s: received bad JSON-RPC message "
                                        "(%s)", c->name, bad));
            free(bad);
            json_decref(json);
            error = EPROTO;
        } else if ((msg.type == JSONRPC_REPLY || msg.type == JSONRPC_ERROR)
                   && json_equal(msg.id, id)) {
            *replyp = json;
            break;
        } else if ((reply = jsonrpc_create_echo_reply(json)) != NULL) {
            json_decref(json);
            error = client_send_deadline(c, reply, deadline, errorp);
        } else if (c->notify_cb) {
            c->notify_cb(json, c->notify_aux);
        } else {
            json_decref(json);
        }
    }
    json_decref(id);
    return error;
}

int
jsonrpc_transact_block(const char *name, json_t *request, int timeout_ms,
                       json_t **replyp, char **errorp)
{
    long long int deadline = make_deadline(timeout_ms);
    struct jsonrpc_client *c;
    int error;

    *replyp = NULL;
    error = jsonrpc_client_open(name, timeout_ms, &c, errorp);
    if (error) {
        json_decref(request);
        return error;
    }
    error = jsonrpc_client_transact(c, request,
                                    deadline ? MAX(time_left(deadline), 0)
                                    : -1, replyp, errorp);
    jsonrpc_client_close(c);
    return error;
}
