/* jsonrpc.c: see jsonrpc.h. */
#include <config.h>
#include "jsonrpc.h"

#include <errno.h>
#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "json-in.h"
#include "json-out.h"
#include "stream.h"
#include "tls.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(jsonrpc);

/* ---- 1. Framing. ---- */

void
jsonrpc_parser_init(struct jsonrpc_parser *p, size_t max_size, int max_depth)
{
    memset(p, 0, sizeof *p);
    p->max_size = max_size;
    p->max_depth = max_depth;
}

void
jsonrpc_parser_destroy(struct jsonrpc_parser *p)
{
    if (p) {
        free(p->buf);
        p->buf = NULL;
        p->len = p->allocated = 0;
        free(p->nesting);
        p->nesting = NULL;
        p->nesting_allocated = 0;
    }
}

bool
jsonrpc_parser_is_partial(const struct jsonrpc_parser *p)
{
    return p->msg_len > 0;
}

static void
parser_append(struct jsonrpc_parser *p, const char *data, size_t n)
{
    if (p->len + n > p->allocated) {
        size_t want = MAX(p->allocated * 2, p->len + n);
        p->buf = xrealloc(p->buf, MAX(want, 4096));
        p->allocated = MAX(want, 4096);
    }
    memcpy(p->buf + p->len, data, n);
    p->len += n;
}

static bool
is_json_space(unsigned char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static size_t
parser_fail(struct jsonrpc_parser *p, char **errorp, char *message)
{
    p->failed = true;
    put_error(errorp, message);
    return 0;
}

/* What the structure scanner accepts next (jsonrpc_parser's 'expect'). */
enum {
    EXPECT_VALUE,               /* After '[' , ':' or an array's ','. */
    EXPECT_VALUE_OR_CLOSE,      /* Just after '['. */
    EXPECT_KEY,                 /* After an object's ','. */
    EXPECT_KEY_OR_CLOSE,        /* Just after '{'. */
    EXPECT_COLON,               /* After a member name. */
    EXPECT_NEXT,                /* After a value: ',' or the closer. */
};

static const char *
expect_description(const struct jsonrpc_parser *p)
{
    bool object = p->depth > 0 && p->nesting[p->depth - 1] == '{';

    switch (p->expect) {
    case EXPECT_VALUE: return "a value";
    case EXPECT_VALUE_OR_CLOSE: return "a value or ']'";
    case EXPECT_KEY: return "a member name";
    case EXPECT_KEY_OR_CLOSE: return "a member name or '}'";
    case EXPECT_COLON: return "':'";
    default: return object ? "',' or '}'" : "',' or ']'";
    }
}

/* Characters of numbers and of true, false and null: their spelling is
 * jansson's to check. */
static bool
is_scalar_char(unsigned char c)
{
    return ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'z')
            || (c >= 'A' && c <= 'Z') || c == '-' || c == '+' || c == '.');
}

static size_t
parser_unexpected(struct jsonrpc_parser *p, char **errorp, size_t ofs,
                  unsigned char c)
{
    return parser_fail(p, errorp, xasprintf(
                           "syntax error at byte %zu: '%c' where %s was "
                           "expected", p->offset + ofs,
                           c >= 0x20 && c < 0x7f ? c : '?',
                           expect_description(p)));
}

/* Opens a level of nesting with 'c' ('{' or '['), unless that exceeds the
 * maximum depth. */
static bool
parser_open(struct jsonrpc_parser *p, unsigned char c)
{
    if (p->max_depth && p->depth >= p->max_depth) {
        return false;
    }
    if ((size_t) p->depth >= p->nesting_allocated) {
        p->nesting_allocated = MAX(16, 2 * p->nesting_allocated);
        p->nesting = xrealloc(p->nesting, p->nesting_allocated);
    }
    p->nesting[p->depth++] = c;
    p->expect = c == '{' ? EXPECT_KEY_OR_CLOSE : EXPECT_VALUE_OR_CLOSE;
    return true;
}

size_t
jsonrpc_parser_feed(struct jsonrpc_parser *p, const char *data, size_t n,
                    json_t **msgp, char **errorp)
{
    size_t i = 0, start, msg_start;
    bool done = false;

    *msgp = NULL;
    if (errorp) {
        *errorp = NULL;
    }
    if (p->failed) {
        return parser_fail(p, errorp, xstrdup("input already failed to "
                                              "parse"));
    }

    if (!p->msg_len) {
        while (i < n && is_json_space(data[i])) {
            i++;
        }
        if (i == n) {
            p->offset += i;
            return i;
        }
        if (data[i] != '{' && data[i] != '[') {
            return parser_fail(p, errorp, xasprintf(
                                   "syntax error at byte %zu: a message must "
                                   "be a JSON object, not one starting with "
                                   "'%c'", p->offset + i,
                                   data[i] >= 0x20 && data[i] < 0x7f
                                   ? data[i] : '?'));
        }
    }

    /* Find the end of the top-level value, checking its structure on the
     * way: only quotes not escaped by a backslash toggle strings, and
     * outside them each bracket, comma and colon must be one that some
     * continuation could make valid.  jansson checks the tokens (numbers,
     * literals, escapes, UTF-8) once the slice is complete. */
    start = i;
    for (; i < n; i++) {
        unsigned char c = data[i];

        if (p->in_string) {
            if (p->escape) {
                p->escape = false;
            } else if (c == '\\') {
                p->escape = true;
            } else if (c == '"') {
                p->in_string = false;
                p->expect = p->in_key ? EXPECT_COLON : EXPECT_NEXT;
            }
            continue;
        }
        if (p->in_scalar) {
            if (is_scalar_char(c)) {
                continue;
            }
            p->in_scalar = false;
            p->expect = EXPECT_NEXT;
        }
        if (is_json_space(c)) {
            continue;
        }

        bool close = false;
        switch (p->expect) {
        case EXPECT_VALUE_OR_CLOSE:
            if (c == ']') {
                close = true;
                break;
            }
            /* Fall through. */
        case EXPECT_VALUE:
            if (c == '{' || c == '[') {
                if (!parser_open(p, c)) {
                    return parser_fail(p, errorp, xasprintf(
                                           "syntax error at byte %zu: "
                                           "nesting exceeds the maximum "
                                           "depth of %d", p->offset + i,
                                           p->max_depth));
                }
            } else if (c == '"') {
                p->in_string = true;
                p->in_key = false;
            } else if (is_scalar_char(c)) {
                p->in_scalar = true;
            } else {
                return parser_unexpected(p, errorp, i, c);
            }
            break;
        case EXPECT_KEY_OR_CLOSE:
            if (c == '}') {
                close = true;
                break;
            }
            /* Fall through. */
        case EXPECT_KEY:
            if (c != '"') {
                return parser_unexpected(p, errorp, i, c);
            }
            p->in_string = true;
            p->in_key = true;
            break;
        case EXPECT_COLON:
            if (c != ':') {
                return parser_unexpected(p, errorp, i, c);
            }
            p->expect = EXPECT_VALUE;
            break;
        case EXPECT_NEXT:
        default: {
            bool object = p->nesting[p->depth - 1] == '{';
            if (c == ',') {
                p->expect = object ? EXPECT_KEY : EXPECT_VALUE;
            } else if (c == (object ? '}' : ']')) {
                close = true;
            } else {
                return parser_unexpected(p, errorp, i, c);
            }
            break;
        }
        }
        if (close) {
            p->expect = EXPECT_NEXT;
            if (--p->depth == 0) {
                i++;
                done = true;
                break;
            }
        }
    }

    /* Checked per feed, before buffering, so an oversized message costs
     * at most one read buffer beyond the limit. */
    msg_start = p->offset + start - p->msg_len;
    if (p->max_size && p->msg_len + (i - start) > p->max_size) {
        return parser_fail(p, errorp, xasprintf(
                               "message starting at byte %zu exceeds the "
                               "maximum size of %zu bytes",
                               msg_start, p->max_size));
    }
    p->msg_len += i - start;

    if (done) {
        const char *text = data + start;
        size_t len = i - start;
        json_error_t jerror;
        json_t *json;

        if (p->len) {
            /* Split across feeds: complete the copy. */
            parser_append(p, text, len);
            text = p->buf;
            len = p->len;
        }
        json = json_in_loadb(text, len, 0, &jerror);
        if (!json) {
            return parser_fail(p, errorp, xasprintf(
                                   "syntax error in message starting at byte "
                                   "%zu: %s", msg_start, jerror.text));
        }
        *msgp = json;
        p->len = 0;
        p->msg_len = 0;
        p->depth = 0;
        p->in_string = p->escape = p->in_key = p->in_scalar = false;
        p->expect = EXPECT_VALUE;
    } else {
        parser_append(p, data + start, i - start);
    }
    p->offset += i;
    return i;
}

/* ---- 2. Messages. ---- */

const char *
jsonrpc_msg_type_to_string(enum jsonrpc_msg_type type)
{
    switch (type) {
    case JSONRPC_REQUEST: return "request";
    case JSONRPC_NOTIFY: return "notification";
    case JSONRPC_REPLY: return "reply";
    case JSONRPC_ERROR: return "error";
    }
    return "(unknown)";
}

json_t *
jsonrpc_create_request(const char *method, json_t *params, json_t *id)
{
    return json_pack("{s:s, s:o, s:o}", "method", method,
                     "params", params ? params : json_array(),
                     "id", id ? id : json_null());
}

json_t *
jsonrpc_create_notify(const char *method, json_t *params)
{
    return jsonrpc_create_request(method, params, json_null());
}

json_t *
jsonrpc_create_reply(json_t *result, json_t *id)
{
    return json_pack("{s:o, s:n, s:o}", "result",
                     result ? result : json_null(),
                     "error", "id", id ? id : json_null());
}

json_t *
jsonrpc_create_error(json_t *error, json_t *id)
{
    /* Open vSwitch sends no "result" member in an error reply. */
    return json_pack("{s:o, s:o}",
                     "error", error ? error : json_null(),
                     "id", id ? id : json_null());
}

json_t *
jsonrpc_create_echo_reply(const json_t *json)
{
    json_t *method = json_object_get(json, "method");
    json_t *id = json_object_get(json, "id");
    json_t *params = json_object_get(json, "params");

    if (json_is_string(method) && !strcmp(json_string_value(method), "echo")
        && id && !json_is_null(id) && json_is_array(params)) {
        return jsonrpc_create_reply(json_incref(params), json_incref(id));
    }
    return NULL;
}

char *
jsonrpc_msg_parse(const json_t *json, struct jsonrpc_msg *msg)
{
    static const char *const members[] = {
        "method", "params", "result", "error", "id"
    };
    json_t *method, *params, *result, *error, *id;
    const char *key;
    json_t *value;

    memset(msg, 0, sizeof *msg);
    if (!json_is_object(json)) {
        return xstrdup("message is not a JSON object");
    }
    json_object_foreach ((json_t *) json, key, value) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(members); i++) {
            if (!strcmp(key, members[i])) {
                break;
            }
        }
        if (i == ARRAY_SIZE(members)) {
            return xasprintf("message has unexpected member \"%s\"", key);
        }
    }
    method = json_object_get(json, "method");
    params = json_object_get(json, "params");
    result = json_object_get(json, "result");
    error = json_object_get(json, "error");
    id = json_object_get(json, "id");

    if (method) {
        if (!json_is_string(method)) {
            return xstrdup("\"method\" must be a string");
        } else if (!params) {
            return xasprintf("request \"%s\" lacks \"params\"",
                             json_string_value(method));
        } else if (!json_is_array(params)) {
            return xasprintf("\"params\" of \"%s\" must be an array",
                             json_string_value(method));
        } else if (result || error) {
            return xasprintf("request \"%s\" must not have \"%s\"",
                             json_string_value(method),
                             result ? "result" : "error");
        }
        msg->type = id && !json_is_null(id) ? JSONRPC_REQUEST : JSONRPC_NOTIFY;
        msg->method = json_string_value(method);
        msg->params = params;
        msg->id = msg->type == JSONRPC_REQUEST ? id : NULL;
    } else if (params) {
        return xstrdup("message has \"params\" but no \"method\"");
    } else if (error && !json_is_null(error)) {
        if (result && !json_is_null(result)) {
            return xstrdup("error reply must have \"result\": null");
        } else if (!id) {
            return xstrdup("error reply lacks \"id\"");
        }
        msg->type = JSONRPC_ERROR;
        msg->error = error;
        msg->id = id;
    } else if (result) {
        if (!id) {
            return xstrdup("reply lacks \"id\"");
        }
        msg->type = JSONRPC_REPLY;
        msg->result = result;
        msg->id = id;
    } else {
        return xstrdup("message is not a request, notification or reply "
                       "(it has neither \"method\" nor \"result\" nor "
                       "\"error\")");
    }
    return NULL;
}

void
jsonrpc_msg_log(const char *name, const char *title, const json_t *json)
{
    if (!VLOG_IS_DBG_ENABLED()) {
        return;
    }

    struct jsonrpc_msg msg;
    char *error = jsonrpc_msg_parse(json, &msg);
    if (error) {
        char *text = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        VLOG_DBG("%s: %s invalid message (%s): %s", name, title, error,
                 text ? text : "?");
        free(text);
        free(error);
        return;
    }

    static const char *const labels[] = {
        "params", "result", "error", "id"
    };
    const json_t *parts[] = { msg.params, msg.result, msg.error, msg.id };
    struct ds s = DS_EMPTY_INITIALIZER;
    if (msg.method) {
        ds_put_format(&s, ", method=\"%s\"", msg.method);
    }
    for (size_t i = 0; i < ARRAY_SIZE(parts); i++) {
        if (parts[i]) {
            char *text = json_dumps(parts[i],
                                    JSON_COMPACT | JSON_ENCODE_ANY);
            ds_put_format(&s, ", %s=%s", labels[i], text ? text : "?");
            free(text);
        }
    }
    VLOG_DBG("%s: %s %s%s", name, title, jsonrpc_msg_type_to_string(msg.type),
             ds_cstr(&s));
    ds_destroy(&s);
}

char *
jsonrpc_msg_to_string(const json_t *json)
{
    enum { MAX_LEN = 400 };
    char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);

    if (!s) {
        return xstrdup("(unserializable)");
    }
    if (strlen(s) > MAX_LEN) {
        char *t = xasprintf("%.*s...", MAX_LEN, s);
        free(s);
        return t;
    }
    return s;
}

/* ---- 3. Connections. ---- */

enum { READ_BUFFER_SIZE = 64 * 1024 };

struct jsonrpc_conn {
    uv_stream_t *stream;        /* Owned; stream->data is this conn. */
    char *name;
    struct jsonrpc_conn_callbacks cbs;
    void *aux;

    struct jsonrpc_parser parser;
    char *rbuf;                 /* READ_BUFFER_SIZE bytes, reused. */

    size_t backlog;             /* Bytes in uv_write()s not yet done. */
    size_t max_backlog;

    /* While corked, messages gather here, to go out in one write. */
    bool corked;
    struct ds cork;

    /* TLS (NULL if not).  The stream then carries ciphertext: 'rbuf'
     * receives it and 'tls_rbuf' the plaintext decrypted from it. */
    struct tls_session *tls;
    bool tls_established;
    char *tls_rbuf;             /* READ_BUFFER_SIZE bytes, reused. */
    char *tls_waiting;          /* Plaintext sent before the handshake. */
    size_t tls_waiting_len;

    /* Inactivity probe (see jsonrpc_conn_options); 'probe' is NULL when
     * off.  The timer is a separate allocation so that it can close on its
     * own schedule. */
    uv_timer_t *probe;
    int probe_interval_ms;
    uint64_t last_rx_ms;        /* uv_now() when bytes last arrived. */
    uint64_t probe_sent_ms;     /* When the unanswered probe left; 0: none. */

    bool closing;
    enum jsonrpc_close_reason reason;
    char *reason_msg;
};

struct conn_write {
    uv_write_t req;
    struct jsonrpc_conn *conn;
    char *data;                 /* From json_dumps() or the TLS session. */
    size_t len;
};

static void conn_closed_cb(uv_handle_t *);
static void conn_probe_stop(struct jsonrpc_conn *);

static void
conn_close(struct jsonrpc_conn *conn, enum jsonrpc_close_reason reason,
           char *message)
{
    if (conn->closing) {
        free(message);
        return;
    }
    conn->closing = true;
    conn->reason = reason;
    conn->reason_msg = message;
    conn_probe_stop(conn);
    uv_read_stop(conn->stream);
    /* Pending writes complete with UV_ECANCELED before conn_closed_cb(). */
    uv_close((uv_handle_t *) conn->stream, conn_closed_cb);
}

static void
conn_closed_cb(uv_handle_t *handle)
{
    struct jsonrpc_conn *conn = handle->data;

    if (conn->cbs.on_close) {
        conn->cbs.on_close(conn, conn->reason, conn->reason_msg, conn->aux);
    }
    free(conn->stream);
    free(conn->cork.s);
    jsonrpc_parser_destroy(&conn->parser);
    free(conn->rbuf);
    tls_session_destroy(conn->tls);
    free(conn->tls_rbuf);
    free(conn->tls_waiting);
    free(conn->reason_msg);
    free(conn->name);
    free(conn);
}

static void
conn_alloc_cb(uv_handle_t *handle, size_t suggested OVS_UNUSED, uv_buf_t *buf)
{
    struct jsonrpc_conn *conn = handle->data;

    *buf = uv_buf_init(conn->rbuf, READ_BUFFER_SIZE);
}

static void
conn_write_cb(uv_write_t *req, int status)
{
    struct conn_write *w = req->data;
    struct jsonrpc_conn *conn = w->conn;

    conn->backlog -= w->len;
    free(w->data);
    free(w);
    if (status < 0 && status != UV_ECANCELED) {
        conn_close(conn, JSONRPC_CLOSE_IO_ERROR,
                   xasprintf("send failed (%s)", uv_strerror(status)));
    }
}

/* Writes 'len' bytes of 'data' (taken, malloc'd) to the stream, queueing
 * what the socket does not take at once.  Returns 0, or an errno value
 * after closing the connection. */
static int
conn_write(struct jsonrpc_conn *conn, char *data, size_t len)
{
    struct conn_write *w;
    size_t written = 0;
    uv_buf_t buf;
    int error;

    if (conn->closing) {
        free(data);
        return ENOTCONN;
    }

    /* Most messages fit in the socket buffer right away: try that first so
     * that they need no write request at all.  Only with nothing queued,
     * or the bytes would overtake those. */
    if (!conn->backlog) {
        int n;

        buf = uv_buf_init(data, len);
        n = uv_try_write(conn->stream, &buf, 1);
        if (n > 0) {
            written = n;
        } else if (n < 0 && n != UV_EAGAIN && n != UV_ENOSYS) {
            free(data);
            conn_close(conn, JSONRPC_CLOSE_IO_ERROR,
                       xasprintf("send failed (%s)", uv_strerror(n)));
            return -n;
        }
        if (written == len) {
            free(data);
            return 0;
        }
    }

    w = xmalloc(sizeof *w);
    w->conn = conn;
    w->data = data;
    w->len = len - written;
    w->req.data = w;
    buf = uv_buf_init(data + written, len - written);
    error = uv_write(&w->req, conn->stream, &buf, 1, conn_write_cb);
    if (error) {
        free(data);
        free(w);
        conn_close(conn, JSONRPC_CLOSE_IO_ERROR,
                   xasprintf("send failed (%s)", uv_strerror(error)));
        return -error;
    }
    conn->backlog += w->len;
    return 0;
}

/* Frames 'n' bytes of plaintext from the peer into messages. */
static void
conn_receive(struct jsonrpc_conn *conn, const char *data, size_t n)
{
    while (n > 0 && !conn->closing) {
        json_t *msg;
        char *error;
        size_t used = jsonrpc_parser_feed(&conn->parser, data, n, &msg,
                                          &error);
        if (error) {
            conn_close(conn, JSONRPC_CLOSE_PROTOCOL, error);
            return;
        }
        data += used;
        n -= used;
        if (msg) {
            jsonrpc_msg_log(conn->name, "received", msg);
            conn->cbs.on_msg(conn, msg, conn->aux);
        }
    }
}

/* Sends whatever ciphertext the TLS session has produced. */
static int
conn_tls_flush(struct jsonrpc_conn *conn)
{
    size_t len;
    char *data = tls_session_take_output(conn->tls, &len);

    return data ? conn_write(conn, data, len) : 0;
}

/* Encrypts and sends 'len' bytes of plaintext 'data' (taken), or keeps them
 * until the handshake completes. */
static int
conn_tls_send(struct jsonrpc_conn *conn, char *data, size_t len)
{
    char *reason;
    int error;

    if (!conn->tls_established) {
        conn->tls_waiting = xrealloc(conn->tls_waiting,
                                     conn->tls_waiting_len + len);
        memcpy(conn->tls_waiting + conn->tls_waiting_len, data, len);
        conn->tls_waiting_len += len;
        free(data);
        return 0;
    }
    error = tls_session_write(conn->tls, data, len, &reason);
    free(data);
    if (error) {
        conn_close(conn, JSONRPC_CLOSE_PROTOCOL,
                   xasprintf("TLS error: %s", reason));
        free(reason);
        return error;
    }
    return conn_tls_flush(conn);
}

/* Advances the TLS handshake.  Returns true once it is complete and the
 * connection still open. */
static bool
conn_tls_handshake(struct jsonrpc_conn *conn)
{
    char *reason;
    int error;

    if (conn->tls_established) {
        return !conn->closing;
    }
    error = tls_session_handshake(conn->tls, &reason);
    /* Also after a failure: the alert tells the peer why. */
    conn_tls_flush(conn);
    if (error == EAGAIN) {
        return false;
    } else if (error) {
        conn_close(conn, JSONRPC_CLOSE_PROTOCOL,
                   xasprintf("TLS handshake failed: %s", reason));
        free(reason);
        return false;
    }

    VLOG_DBG("%s: TLS handshake complete", conn->name);
    conn->tls_established = true;
    if (conn->tls_waiting) {
        char *data = conn->tls_waiting;
        size_t len = conn->tls_waiting_len;

        conn->tls_waiting = NULL;
        conn->tls_waiting_len = 0;
        conn_tls_send(conn, data, len);
    }
    return !conn->closing;
}

/* Takes 'n' bytes of ciphertext from the peer. */
static void
conn_tls_receive(struct jsonrpc_conn *conn, const char *data, size_t n)
{
    tls_session_put_input(conn->tls, data, n);
    if (!conn_tls_handshake(conn)) {
        return;
    }
    while (!conn->closing) {
        char *reason;
        size_t nread;
        int error = tls_session_read(conn->tls, conn->tls_rbuf,
                                     READ_BUFFER_SIZE, &nread, &reason);
        if (!error) {
            conn_receive(conn, conn->tls_rbuf, nread);
        } else if (error == EAGAIN) {
            break;
        } else if (error == EOF) {
            conn_close(conn, JSONRPC_CLOSE_EOF,
                       xstrdup("connection closed by peer"));
        } else {
            conn_tls_flush(conn);
            conn_close(conn, JSONRPC_CLOSE_PROTOCOL,
                       xasprintf("TLS error: %s", reason));
            free(reason);
        }
    }
    /* Reading can produce output too (a TLS 1.3 key update, say). */
    conn_tls_flush(conn);
}

static void
conn_read_cb(uv_stream_t *stream, ssize_t nread, const uv_buf_t *buf)
{
    struct jsonrpc_conn *conn = stream->data;

    if (conn->closing) {
        return;
    }
    if (nread == UV_EOF) {
        conn_close(conn, JSONRPC_CLOSE_EOF,
                   xstrdup(conn->tls && !conn->tls_established
                           ? "connection closed by peer during the TLS "
                             "handshake"
                           : jsonrpc_parser_is_partial(&conn->parser)
                           ? "connection closed by peer in the middle of "
                             "a message"
                           : "connection closed by peer"));
        return;
    } else if (nread < 0) {
        conn_close(conn, JSONRPC_CLOSE_IO_ERROR,
                   xasprintf("receive failed (%s)", uv_strerror(nread)));
        return;
    }

    /* Any input, even part of a message, shows the peer is alive. */
    conn->last_rx_ms = uv_now(stream->loop);
    conn->probe_sent_ms = 0;
    if (conn->tls) {
        conn_tls_receive(conn, buf->base, nread);
    } else {
        conn_receive(conn, buf->base, nread);
    }
}

struct jsonrpc_conn *
jsonrpc_conn_create(uv_stream_t *stream, const char *name,
                    const struct jsonrpc_conn_callbacks *cbs,
                    const struct jsonrpc_conn_options *options, void *aux)
{
    struct jsonrpc_conn *conn = xzalloc(sizeof *conn);
    int error;

    conn->stream = stream;
    conn->name = xstrdup(name);
    conn->cbs = *cbs;
    conn->aux = aux;
    jsonrpc_parser_init(&conn->parser,
                        (options && options->max_msg_size
                         ? options->max_msg_size
                         : JSONRPC_DEFAULT_MAX_MSG_SIZE),
                        (options && options->max_depth
                         ? options->max_depth : JSONRPC_DEFAULT_MAX_DEPTH));
    conn->max_backlog = (options && options->max_backlog
                         ? options->max_backlog
                         : JSONRPC_DEFAULT_MAX_BACKLOG);
    conn->rbuf = xmalloc(READ_BUFFER_SIZE);
    if (options && options->tls) {
        conn->tls = tls_session_create(options->tls, options->tls_client);
        conn->tls_rbuf = xmalloc(READ_BUFFER_SIZE);
    }
    stream->data = conn;
    if (options && options->dscp > 0) {
        int dscp_error = stream_set_dscp(stream, options->dscp);
        if (dscp_error) {
            VLOG_WARN("%s: cannot set DSCP %d (%s)", name, options->dscp,
                      strerror(dscp_error));
        }
    }
    if (options && options->probe_interval_ms) {
        jsonrpc_conn_set_probe_interval(conn, options->probe_interval_ms);
    }

    error = uv_read_start(stream, conn_alloc_cb, conn_read_cb);
    if (error) {
        /* Reported through on_close, like any other failure, so that the
         * owner has a single place to handle a dead connection. */
        conn_close(conn, JSONRPC_CLOSE_IO_ERROR,
                   xasprintf("receive failed (%s)", uv_strerror(error)));
    } else if (conn->tls) {
        /* A client speaks first (ClientHello); a server just waits. */
        conn_tls_handshake(conn);
    }
    return conn;
}

/* Writes 'len' bytes of 'data' (taken), then enforces the backlog limit. */
static int
conn_send_data(struct jsonrpc_conn *conn, char *data, size_t len)
{
    size_t backlog;
    int error;

    error = (conn->tls
             ? conn_tls_send(conn, data, len)
             : conn_write(conn, data, len));
    if (error) {
        return error;
    }

    backlog = jsonrpc_conn_get_backlog(conn);
    if (conn->max_backlog != SIZE_MAX && backlog > conn->max_backlog) {
        conn_close(conn, JSONRPC_CLOSE_BACKLOG,
                   xasprintf("output backlog of %zu bytes exceeds the limit "
                             "of %zu bytes (peer is not reading)",
                             backlog, conn->max_backlog));
        return ENOBUFS;
    }
    return 0;
}

int
jsonrpc_conn_send(struct jsonrpc_conn *conn, json_t *msg)
{
    size_t len;
    char *data;
    bool ok;

    if (conn->closing) {
        json_decref(msg);
        return ENOTCONN;
    }
    jsonrpc_msg_log(conn->name, "send", msg);
    if (conn->corked) {
        ok = json_out_append(&conn->cork, msg);
        data = NULL;
        len = 0;
    } else {
        data = json_out_serialize(msg, &len);
        ok = data != NULL;
    }
    json_decref(msg);
    if (!ok) {
        /* Only invalid UTF-8 in a string gets here: a bug in the caller,
         * but not one worth killing a server for. */
        VLOG_ERR("%s: cannot serialize outgoing message", conn->name);
        return EINVAL;
    }
    return data ? conn_send_data(conn, data, len) : 0;
}

void
jsonrpc_conn_cork(struct jsonrpc_conn *conn)
{
    conn->corked = true;
}

int
jsonrpc_conn_uncork(struct jsonrpc_conn *conn)
{
    struct ds b = conn->cork;

    if (!conn->corked) {
        return 0;
    }
    conn->corked = false;
    memset(&conn->cork, 0, sizeof conn->cork);
    if (!b.len || conn->closing) {
        free(b.s);
        return conn->closing ? ENOTCONN : 0;
    }
    return conn_send_data(conn, b.s, b.len);
}

void
jsonrpc_conn_close(struct jsonrpc_conn *conn)
{
    if (conn) {
        conn_close(conn, JSONRPC_CLOSE_LOCAL, xstrdup("closed locally"));
    }
}

/* ---- Inactivity probe. ---- */

static void
conn_probe_free_cb(uv_handle_t *handle)
{
    free(handle);
}

static void
conn_probe_stop(struct jsonrpc_conn *conn)
{
    if (conn->probe) {
        uv_close((uv_handle_t *) conn->probe, conn_probe_free_cb);
        conn->probe = NULL;
    }
}

static void
conn_probe_cb(uv_timer_t *timer)
{
    struct jsonrpc_conn *conn = timer->data;
    uint64_t now = uv_now(timer->loop);
    uint64_t interval = conn->probe_interval_ms;
    uint64_t next;

    if (conn->probe_sent_ms) {
        if (now - conn->probe_sent_ms >= interval) {
            conn_close(conn, JSONRPC_CLOSE_TIMEOUT,
                       xasprintf("no response to inactivity probe after "
                                 "%.3g seconds, disconnecting",
                                 (now - conn->last_rx_ms) / 1000.0));
            return;
        }
        next = conn->probe_sent_ms + interval;
    } else if (now - conn->last_rx_ms >= interval) {
        VLOG_DBG("%s: idle %"PRIu64" ms, sending inactivity probe",
                 conn->name, now - conn->last_rx_ms);
        /* Before sending: a send may close the connection. */
        conn->probe_sent_ms = now;
        uv_timer_start(timer, conn_probe_cb, interval, 0);
        jsonrpc_conn_send(conn, jsonrpc_create_request(
                              "echo", json_array(), json_string("echo")));
        return;
    } else {
        next = conn->last_rx_ms + interval;
    }
    uv_timer_start(timer, conn_probe_cb, next > now ? next - now : 0, 0);
}

void
jsonrpc_conn_set_probe_interval(struct jsonrpc_conn *conn, int ms)
{
    if (conn->closing) {
        return;
    }
    if (ms <= 0) {
        conn_probe_stop(conn);
        conn->probe_sent_ms = 0;
        return;
    }
    conn->probe_interval_ms = MAX(ms, 1000);
    if (!conn->probe) {
        conn->probe = xmalloc(sizeof *conn->probe);
        uv_timer_init(conn->stream->loop, conn->probe);
        conn->probe->data = conn;
        conn->last_rx_ms = uv_now(conn->stream->loop);
    }
    conn_probe_cb(conn->probe);
}

/* True if an inactivity probe is waiting for an answer (Open vSwitch calls
 * that state "IDLE"). */
static bool
jsonrpc_conn_is_probing(const struct jsonrpc_conn *conn)
{
    return conn->probe_sent_ms != 0;
}

size_t
jsonrpc_conn_get_backlog(const struct jsonrpc_conn *conn)
{
    return conn->backlog + conn->tls_waiting_len;
}

bool
jsonrpc_conn_is_closing(const struct jsonrpc_conn *conn)
{
    return conn->closing;
}

const char *
jsonrpc_conn_get_name(const struct jsonrpc_conn *conn)
{
    return conn->name;
}

void
jsonrpc_conn_set_aux(struct jsonrpc_conn *conn, void *aux)
{
    conn->aux = aux;
}

/* ---- 4a. Reconnecting session. ---- */

struct jsonrpc_session {
    uv_loop_t *loop;
    char *name;
    struct jsonrpc_session_callbacks cbs;
    struct jsonrpc_session_options options;
    void *aux;

    struct jsonrpc_conn *conn;          /* Connected, or NULL. */
    struct stream_connect *connecting;  /* Connecting, or NULL. */
    uv_timer_t timer;                   /* Backoff before reconnecting. */
    int backoff_ms;                     /* Next delay after a failure. */
    unsigned int seqno;

    /* For jsonrpc_session_get_stats(). */
    uint64_t connected_ms, disconnected_ms;     /* uv_now(); 0: never. */
    char *last_error;

    bool destroyed;
    int n_handles;                      /* Timer + conn not yet closed. */
};

static void session_connect(struct jsonrpc_session *);

static void
session_release(struct jsonrpc_session *s)
{
    if (!--s->n_handles) {
        free(s->last_error);
        free(s->name);
        free(s);
    }
}

static void
session_timer_closed_cb(uv_handle_t *handle)
{
    session_release(handle->data);
}

static void
session_timer_cb(uv_timer_t *timer)
{
    session_connect(timer->data);
}

static void
session_schedule(struct jsonrpc_session *s, int delay_ms)
{
    uv_timer_start(&s->timer, session_timer_cb, delay_ms, 0);
}

static void
session_conn_msg(struct jsonrpc_conn *conn, json_t *msg, void *s_)
{
    struct jsonrpc_session *s = s_;
    json_t *reply;

    /* A message proves the connection works: if it drops later, the peer
     * is probably restarting, so retry quickly again. */
    s->backoff_ms = s->options.min_backoff_ms;
    if (s->destroyed) {
        json_decref(msg);
    } else if ((reply = jsonrpc_create_echo_reply(msg)) != NULL) {
        json_decref(msg);
        jsonrpc_conn_send(conn, reply);
    } else {
        s->cbs.on_msg(s, msg, s->aux);
    }
}

static void
session_set_last_error(struct jsonrpc_session *s, const char *error)
{
    free(s->last_error);
    s->last_error = xstrdup(error);
}

static void
session_conn_close(struct jsonrpc_conn *conn,
                   enum jsonrpc_close_reason reason, const char *message,
                   void *s_)
{
    struct jsonrpc_session *s = s_;

    if (s->conn == conn) {
        s->conn = NULL;
    }
    if (s->destroyed) {
        session_release(s);
        return;
    }
    s->n_handles--;             /* The session itself still holds one. */
    s->disconnected_ms = MAX(uv_now(s->loop), 1);
    /* Worded as Open vSwitch words the errno behind each. */
    session_set_last_error(s, (reason == JSONRPC_CLOSE_EOF ? "End of file"
                               : reason == JSONRPC_CLOSE_TIMEOUT
                               ? "Connection timed out"
                               : message));
    VLOG_INFO("%s: connection dropped (%s)", s->name, message);
    if (s->cbs.on_disconnected) {
        s->cbs.on_disconnected(s, message, s->aux);
    }
    if (!s->destroyed && !s->conn && !s->connecting) {
        /* A peer that accepts and hangs up at once gets the same growing
         * backoff as one that refuses outright. */
        session_schedule(s, reason == JSONRPC_CLOSE_LOCAL ? 0 : s->backoff_ms);
        s->backoff_ms = MIN(s->backoff_ms * 2, s->options.max_backoff_ms);
    }
}

/* An attempt failed with 'error' ('reason' words it): the owner hears of
 * it, and the session tries again after the backoff ('backoff_ms', or the
 * growing one if negative). */
static void
session_connect_failed(struct jsonrpc_session *s, int error,
                       const char *reason, int backoff_ms)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(6, 6);

    session_set_last_error(s, reason);
    if (s->cbs.on_connect_failed) {
        s->cbs.on_connect_failed(s, error, reason, s->aux);
        if (s->destroyed) {
            return;
        }
    } else {
        VLOG_WARN_RL(&rl, "%s: connection attempt failed (%s)", s->name,
                     reason);
    }
    if (backoff_ms >= 0) {
        session_schedule(s, backoff_ms);
    } else {
        session_schedule(s, s->backoff_ms);
        s->backoff_ms = MIN(s->backoff_ms * 2, s->options.max_backoff_ms);
    }
}

static void
session_connected(uv_stream_t *stream, int error, void *s_)
{
    static const struct jsonrpc_conn_callbacks conn_cbs = {
        .on_msg = session_conn_msg,
        .on_close = session_conn_close,
    };
    struct jsonrpc_session *s = s_;

    s->connecting = NULL;
    if (error) {
        session_connect_failed(s, error, strerror(error), -1);
        return;
    }

    VLOG_INFO("%s: connected", s->name);
    s->connected_ms = MAX(uv_now(s->loop), 1);
    free(s->last_error);        /* Only the last failure's: not stale. */
    s->last_error = NULL;
    s->n_handles++;
    s->conn = jsonrpc_conn_create(stream, s->name, &conn_cbs,
                                  &s->options.conn, s);
    s->seqno++;
    if (s->cbs.on_connected) {
        s->cbs.on_connected(s, s->aux);
    }
}

static void
session_connect(struct jsonrpc_session *s)
{
    char *error_msg;
    int error;

    if (s->destroyed || s->conn || s->connecting) {
        return;
    }
    uv_timer_stop(&s->timer);
    error = stream_connect(s->loop, s->name, session_connected, s,
                           &s->connecting, &error_msg);
    if (error) {
        /* The name was checked at creation, so this is a resource failure
         * (out of sockets, say): try again later. */
        session_connect_failed(s, error, error_msg,
                               s->options.max_backoff_ms);
        free(error_msg);
    }
}

int
jsonrpc_session_create(uv_loop_t *loop, const char *name,
                       const struct jsonrpc_session_callbacks *cbs,
                       const struct jsonrpc_session_options *options,
                       void *aux, struct jsonrpc_session **sessionp,
                       char **errorp)
{
    const struct tls_config *tls = options ? options->conn.tls : NULL;
    struct jsonrpc_session *s;
    struct stream_addr addr;
    bool is_tls;
    int error;

    /* Without a TLS configuration of its own, an ssl: remote needs the
     * default one, and stream_parse() says which options set it. */
    *sessionp = NULL;
    error = (tls ? stream_parse_with_tls(name, &addr, errorp)
             : stream_parse(name, &addr, errorp));
    if (error) {
        return error;
    }
    if (addr.passive) {
        put_error(errorp, xasprintf("%s: cannot connect to a passive "
                                    "remote (use unix:, tcp: or ssl:)",
                                    name));
        stream_addr_destroy(&addr);
        return EINVAL;
    }
    is_tls = addr.tls;
    stream_addr_destroy(&addr);
    if (!is_tls) {
        tls = NULL;             /* Only ssl: speaks TLS. */
    } else if (!tls) {
        tls = stream_get_default_tls_config();
    }

    s = xzalloc(sizeof *s);
    s->loop = loop;
    s->name = xstrdup(name);
    s->cbs = *cbs;
    s->aux = aux;
    if (options) {
        s->options = *options;
    }
    s->options.conn.tls = tls;
    s->options.conn.tls_client = true;
    if (s->options.min_backoff_ms <= 0) {
        s->options.min_backoff_ms = 100;
    }
    if (s->options.max_backoff_ms <= 0) {
        s->options.max_backoff_ms = 8000;
    }
    s->options.max_backoff_ms = MAX(s->options.max_backoff_ms,
                                    s->options.min_backoff_ms);
    s->backoff_ms = s->options.min_backoff_ms;
    uv_timer_init(loop, &s->timer);
    s->timer.data = s;
    s->n_handles = 1;

    session_connect(s);
    *sessionp = s;
    return 0;
}

void
jsonrpc_session_destroy(struct jsonrpc_session *s)
{
    if (!s || s->destroyed) {
        return;
    }
    s->destroyed = true;
    if (s->connecting) {
        stream_connect_cancel(s->connecting);
        s->connecting = NULL;
    }
    if (s->conn) {
        jsonrpc_conn_close(s->conn);     /* Releases from its on_close. */
    }
    uv_close((uv_handle_t *) &s->timer, session_timer_closed_cb);
}

void
jsonrpc_session_force_reconnect(struct jsonrpc_session *s)
{
    if (s->destroyed) {
        return;
    }
    s->backoff_ms = s->options.min_backoff_ms;
    if (s->conn) {
        jsonrpc_conn_close(s->conn);    /* session_conn_close() reconnects. */
    } else {
        session_connect(s);
    }
}

int
jsonrpc_session_send(struct jsonrpc_session *s, json_t *msg)
{
    if (!s->conn || s->destroyed) {
        json_decref(msg);
        return ENOTCONN;
    }
    return jsonrpc_conn_send(s->conn, msg);
}

bool
jsonrpc_session_is_connected(const struct jsonrpc_session *s)
{
    return s->conn && !jsonrpc_conn_is_closing(s->conn);
}

unsigned int
jsonrpc_session_get_seqno(const struct jsonrpc_session *s)
{
    return s->seqno;
}

struct jsonrpc_conn *
jsonrpc_session_get_conn(const struct jsonrpc_session *s)
{
    return s->conn;
}

void
jsonrpc_session_get_stats(const struct jsonrpc_session *s,
                          struct jsonrpc_session_stats *stats)
{
    uint64_t now = uv_now(s->loop);

    stats->state = (s->conn ? (jsonrpc_conn_is_probing(s->conn)
                               ? "IDLE" : "ACTIVE")
                    : s->connecting ? "CONNECTING"
                    : "BACKOFF");
    stats->ms_since_connect = (s->connected_ms
                              ? (long long) (now - s->connected_ms) : -1);
    stats->ms_since_disconnect = (s->disconnected_ms
                                  ? (long long) (now - s->disconnected_ms)
                                  : -1);
    stats->last_error = s->last_error;
}

void
jsonrpc_session_set_max_backoff(struct jsonrpc_session *s, int ms)
{
    s->options.max_backoff_ms = MAX(ms > 0 ? ms : 8000,
                                    s->options.min_backoff_ms);
    s->backoff_ms = MIN(s->backoff_ms, s->options.max_backoff_ms);
}

void
jsonrpc_session_set_probe_interval(struct jsonrpc_session *s, int ms)
{
    s->options.conn.probe_interval_ms = ms;
    if (s->conn) {
        jsonrpc_conn_set_probe_interval(s->conn, ms);
    }
}
