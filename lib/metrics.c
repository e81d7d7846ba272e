/* metrics.c: see metrics.h.
 *
 * A connection (struct metrics_conn) lives from accept to close; it owns
 * its stream and its deadline timer, and is freed once both are closed.
 * An answer is written with one uv_write() whose request owns the buffer,
 * so that closing a connection in the middle of a write (deadline, server
 * destroyed) never leaves libuv pointing into freed memory.  After the
 * answer the connection shuts down its sending side and reads until the
 * client closes (or the deadline): closing with unread input in the
 * kernel would reset the connection and could lose the answer. */
#include <config.h>
#include "metrics.h"

#include <dirent.h>
#include <errno.h>
#include <inttypes.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/resource.h>
#include <unistd.h>

#include "ds.h"
#include "list.h"
#include "stream.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(metrics);

static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

/* ---- The text exposition format. ---- */

static const char *
type_name(enum metrics_type type)
{
    return (type == METRICS_COUNTER ? "counter"
            : type == METRICS_GAUGE ? "gauge"
            : "histogram");
}

void
metrics_family(struct metrics *m, const char *name, enum metrics_type type,
               const char *help)
{
    m->family = name;
    ds_put_format(m->out, "# HELP %s ", name);
    /* HELP text escapes backslash and newline. */
    for (const char *p = help; *p; p++) {
        if (*p == '\\') {
            ds_put_cstr(m->out, "\\\\");
        } else if (*p == '\n') {
            ds_put_cstr(m->out, "\\n");
        } else {
            ds_put_char(m->out, *p);
        }
    }
    ds_put_format(m->out, "\n# TYPE %s %s\n", name, type_name(type));
}

/* Appends ',NAME="VALUE"' (without the comma if 'first'), escaping
 * backslash, double quote and newline in the value. */
static void
put_label(struct ds *ds, bool first, const char *name, const char *value)
{
    ds_put_format(ds, "%s%s=\"", first ? "" : ",", name);
    for (const char *p = value; *p; p++) {
        if (*p == '\\' || *p == '"') {
            ds_put_char(ds, '\\');
            ds_put_char(ds, *p);
        } else if (*p == '\n') {
            ds_put_cstr(ds, "\\n");
        } else {
            ds_put_char(ds, *p);
        }
    }
    ds_put_char(ds, '"');
}

/* The labels of 'args' (pairs up to a NULL name) into 'ds', without
 * braces.  Returns how many. */
static size_t
put_labels_valist(struct ds *ds, va_list args)
{
    const char *name;
    size_t n = 0;

    while ((name = va_arg(args, const char *))) {
        const char *value = va_arg(args, const char *);
        put_label(ds, n++ == 0, name, value ? value : "");
    }
    return n;
}

static void
put_value(struct ds *ds, double value)
{
    if (isnan(value)) {
        ds_put_cstr(ds, "NaN");
    } else if (isinf(value)) {
        ds_put_cstr(ds, value > 0 ? "+Inf" : "-Inf");
    } else if (value > -9007199254740992.0 && value < 9007199254740992.0
               && value == (double) (int64_t) value) {
        /* Integers, exactly: counters are most samples. */
        ds_put_format(ds, "%"PRId64, (int64_t) value);
    } else {
        /* The shortest form that reads back the same (0.00025, not
         * 0.00025000000000000001). */
        char buf[32];

        for (int precision = 15; precision <= 17; precision++) {
            snprintf(buf, sizeof buf, "%.*g", precision, value);
            if (strtod(buf, NULL) == value) {
                break;
            }
        }
        ds_put_cstr(ds, buf);
    }
}

/* One sample line: NAME{LABELS} VALUE. */
static void
put_sample(struct ds *out, const char *name, const char *suffix,
           const char *labels, double value)
{
    ds_put_format(out, "%s%s", name, suffix);
    if (*labels) {
        ds_put_format(out, "{%s}", labels);
    }
    ds_put_char(out, ' ');
    put_value(out, value);
    ds_put_char(out, '\n');
}

void
metrics_put(struct metrics *m, double value, ...)
{
    struct ds labels = DS_EMPTY_INITIALIZER;
    va_list args;

    ds_put_cstr(&labels, "");
    va_start(args, value);
    put_labels_valist(&labels, args);
    va_end(args);
    put_sample(m->out, m->family, "", ds_cstr(&labels), value);
    ds_destroy(&labels);
}

void
metrics_histogram_init(struct metrics_histogram *h, const double *bounds,
                       size_t n)
{
    h->bounds = bounds;
    h->n_bounds = n;
    h->counts = xcalloc(n + 1, sizeof *h->counts);
    h->count = 0;
    h->sum = 0;
}

void
metrics_histogram_destroy(struct metrics_histogram *h)
{
    if (h) {
        free(h->counts);
        h->counts = NULL;
    }
}

void
metrics_histogram_observe(struct metrics_histogram *h, double value)
{
    size_t i = 0;

    while (i < h->n_bounds && value > h->bounds[i]) {
        i++;
    }
    h->counts[i]++;
    h->count++;
    h->sum += value;
}

void
metrics_put_histogram(struct metrics *m, const struct metrics_histogram *h,
                      ...)
{
    struct ds labels = DS_EMPTY_INITIALIZER;
    struct ds with_le = DS_EMPTY_INITIALIZER;
    uint64_t cumulative = 0;
    va_list args;
    size_t n;

    ds_put_cstr(&labels, "");
    va_start(args, h);
    n = put_labels_valist(&labels, args);
    va_end(args);
    for (size_t i = 0; i <= h->n_bounds; i++) {
        char le[32];

        cumulative += h->counts[i];
        if (i < h->n_bounds) {
            struct ds v = DS_EMPTY_INITIALIZER;
            put_value(&v, h->bounds[i]);
            snprintf(le, sizeof le, "%s", ds_cstr(&v));
            ds_destroy(&v);
        } else {
            snprintf(le, sizeof le, "+Inf");
        }
        ds_clear(&with_le);
        ds_put_cstr(&with_le, ds_cstr(&labels));
        put_label(&with_le, n == 0, "le", le);
        put_sample(m->out, m->family, "_bucket", ds_cstr(&with_le),
                   cumulative);
    }
    put_sample(m->out, m->family, "_sum", ds_cstr(&labels), h->sum);
    put_sample(m->out, m->family, "_count", ds_cstr(&labels), h->count);
    ds_destroy(&labels);
    ds_destroy(&with_le);
}

/* ---- Process metrics. ---- */

/* Seconds since the epoch at boot, from /proc/stat's "btime", or 0. */
static long long
boot_time(void)
{
    long long btime = 0;
    char line[256];
    FILE *f = fopen("/proc/stat", "r");

    while (f && fgets(line, sizeof line, f)) {
        if (sscanf(line, "btime %lld", &btime) == 1) {
            break;
        }
    }
    if (f) {
        fclose(f);
    }
    return btime;
}

void
metrics_put_process(struct metrics *m)
{
    unsigned long long utime = 0, stime = 0, start = 0, vsize = 0;
    long long rss = 0;
    long ticks = sysconf(_SC_CLK_TCK);
    long page = sysconf(_SC_PAGESIZE);
    bool have_stat = false;
    struct rlimit rlim;
    char buf[1024];
    FILE *f;

    f = fopen("/proc/self/stat", "r");
    if (f) {
        size_t n = fread(buf, 1, sizeof buf - 1, f);
        /* The command name, in parentheses, may hold spaces: the fields
         * are counted from the last ')'. */
        buf[n] = '\0';
        char *p = strrchr(buf, ')');
        have_stat = p && sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u "
                                "%*u %*u %llu %llu %*d %*d %*d %*d %*d %*d "
                                "%llu %llu %lld", &utime, &stime, &start,
                                &vsize, &rss) == 5;
        fclose(f);
    }
    if (have_stat && ticks > 0) {
        metrics_family(m, "process_cpu_seconds_total", METRICS_COUNTER,
                       "Total user and system CPU time spent in seconds.");
        metrics_put(m, (double) (utime + stime) / ticks, NULL);
        metrics_family(m, "process_start_time_seconds", METRICS_GAUGE,
                       "Start time of the process since unix epoch in "
                       "seconds.");
        metrics_put(m, boot_time() + (double) start / ticks, NULL);
        metrics_family(m, "process_virtual_memory_bytes", METRICS_GAUGE,
                       "Virtual memory size in bytes.");
        metrics_put(m, vsize, NULL);
        metrics_family(m, "process_resident_memory_bytes", METRICS_GAUGE,
                       "Resident memory size in bytes.");
        metrics_put(m, (double) rss * page, NULL);
    }

    DIR *dir = opendir("/proc/self/fd");
    if (dir) {
        size_t n = 0;
        struct dirent *de;

        while ((de = readdir(dir))) {
            n += de->d_name[0] != '.';
        }
        closedir(dir);
        metrics_family(m, "process_open_fds", METRICS_GAUGE,
                       "Number of open file descriptors.");
        metrics_put(m, n - 1, NULL);    /* Less the directory's own. */
    }
    if (!getrlimit(RLIMIT_NOFILE, &rlim)) {
        metrics_family(m, "process_max_fds", METRICS_GAUGE,
                       "Maximum number of open file descriptors.");
        metrics_put(m, rlim.rlim_cur == RLIM_INFINITY ? INFINITY
                    : (double) rlim.rlim_cur, NULL);
    }
}

/* ---- HTTP. ---- */

/* RFC 9110 5.6.2 token characters. */
static bool
is_tchar(char c)
{
    return ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z')
            || (c >= '0' && c <= '9') || (c && strchr("!#$%&'*+-.^_`|~", c)));
}

/* Whether the 'n' bytes at 's' are visible ASCII, space or tab, or bytes
 * of UTF-8 text: no other control characters. */
static bool
is_field_text(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        unsigned char c = s[i];
        if ((c < 0x20 && c != '\t') || c == 0x7f) {
            return false;
        }
    }
    return true;
}

int
metrics_http_check_request(const char *req, size_t len, const char **why)
{
    const char *end = req + len;
    const char *line = req;
    const char *method, *target, *version;
    size_t method_len, target_len, version_len, path_len;
    bool http11, has_host = false;
    const char *eol;

    /* The request line. */
    eol = memchr(line, '\n', end - line);
    if (!eol) {
        *why = "no request line";
        return 400;
    }
    size_t line_len = eol - line - (eol > line && eol[-1] == '\r');
    if (!is_field_text(line, line_len)) {
        *why = "control characters in the request line";
        return 400;
    }
    method = line;
    for (method_len = 0; method_len < line_len && is_tchar(method[method_len]);
         method_len++) {
        continue;
    }
    if (!method_len || method_len >= line_len || method[method_len] != ' ') {
        *why = "malformed request line";
        return 400;
    }
    target = method + method_len + 1;
    target_len = strcspn(target, " \r\n");
    if (!target_len || target + target_len >= line + line_len
        || target[target_len] != ' ') {
        *why = "malformed request line";
        return 400;
    }
    version = target + target_len + 1;
    version_len = line + line_len - version;
    if (version_len != 8 || strncmp(version, "HTTP/", 5)
        || version[6] != '.' || version[5] < '0' || version[5] > '9'
        || version[7] < '0' || version[7] > '9') {
        *why = "malformed HTTP version";
        return 400;
    }
    if (strncmp(version, "HTTP/1.0", 8) && strncmp(version, "HTTP/1.1", 8)) {
        *why = "only HTTP/1.0 and HTTP/1.1 are served";
        return 505;
    }
    http11 = version[7] == '1';

    /* The header fields, up to the empty line. */
    for (line = eol + 1; line < end; line = eol + 1) {
        eol = memchr(line, '\n', end - line);
        if (!eol) {
            *why = "unterminated header line";
            return 400;
        }
        line_len = eol - line - (eol > line && eol[-1] == '\r');
        if (!line_len) {
            break;
        }
        if (line[0] == ' ' || line[0] == '\t') {
            *why = "obsolete header line folding";
            return 400;
        }
        size_t name_len = 0;
        while (name_len < line_len && is_tchar(line[name_len])) {
            name_len++;
        }
        if (!name_len || name_len >= line_len || line[name_len] != ':'
            || !is_field_text(line, line_len)) {
            *why = "malformed header line";
            return 400;
        }
        if (name_len == 4 && !strncasecmp(line, "host", 4)) {
            has_host = true;
        }
    }
    if (line >= end) {
        *why = "no empty line after the header";
        return 400;
    }
    if (http11 && !has_host) {
        *why = "an HTTP/1.1 request needs a Host header";
        return 400;
    }

    /* What it asks for. */
    if (target[0] != '/') {
        *why = "the target must be a path (origin form)";
        return 400;
    }
    path_len = strcspn(target, "? ");
    if (path_len != strlen("/metrics")
        || strncmp(target, "/metrics", path_len)) {
        *why = "only /metrics is served";
        return 404;
    }
    if (method_len != 3 || strncmp(method, "GET", 3)) {
        *why = "only GET is allowed";
        return 405;
    }
    *why = NULL;
    return 200;
}

struct metrics_server {
    uv_loop_t *loop;
    struct stream_listener *listener;
    metrics_collect_cb *cb;
    void *aux;
    struct ovs_list conns;          /* struct metrics_conn. */
    size_t n_conns;
};

enum conn_state {
    CONN_READING,                   /* Reading the request head. */
    CONN_ANSWERING,                 /* Writing the answer. */
    CONN_DRAINING,                  /* Answered: waiting for the close. */
};

struct metrics_conn {
    struct ovs_list node;           /* In server->conns until closed. */
    struct metrics_server *server;
    uv_stream_t *stream;            /* NULL once closed. */
    uv_timer_t deadline;
    char *peer;
    enum conn_state state;
    bool peer_done;                 /* The client shut down its side. */
    char buf[METRICS_MAX_REQUEST];
    size_t len;
};

/* One write: the request and the bytes it sends, freed together. */
struct metrics_write {
    uv_write_t req;
    struct metrics_conn *conn;      /* Valid only if the write succeeds. */
    char *data;
};

struct metrics_shutdown {
    uv_shutdown_t req;
};

static void conn_close(struct metrics_conn *);

static void
conn_free_cb(uv_handle_t *handle)
{
    struct metrics_conn *conn = handle->data;

    free(conn->peer);
    free(conn);
}

static void
conn_close(struct metrics_conn *conn)
{
    if (conn->stream) {
        /* A pending write or shutdown completes with UV_ECANCELED and does
         * not touch 'conn' then. */
        stream_close(conn->stream);
        conn->stream = NULL;
        ovs_list_remove(&conn->node);
        conn->server->n_conns--;
        uv_close((uv_handle_t *) &conn->deadline, conn_free_cb);
    }
}

static void
deadline_cb(uv_timer_t *timer)
{
    struct metrics_conn *conn = timer->data;

    VLOG_DBG("%s: closing after %d ms", conn->peer, METRICS_DEADLINE_MS);
    conn_close(conn);
}

static void
shutdown_cb(uv_shutdown_t *req, int status OVS_UNUSED)
{
    free(req);
}

static void
write_cb(uv_write_t *req, int status)
{
    struct metrics_write *w = (struct metrics_write *) req;
    struct metrics_conn *conn = w->conn;

    free(w->data);
    free(w);
    if (status == UV_ECANCELED) {
        return;                     /* 'conn' is closing, maybe gone. */
    }
    if (status < 0 || conn->peer_done) {
        /* Nothing more will arrive: closing loses nothing. */
        conn_close(conn);
        return;
    }
    /* Sends FIN once the answer is out; the client closes in turn, which
     * read_cb() sees as EOF. */
    uv_shutdown_t *sd = xmalloc(sizeof *sd);
    conn->state = CONN_DRAINING;
    if (uv_shutdown(sd, conn->stream, shutdown_cb)) {
        free(sd);
        conn_close(conn);
    }
}

static const char *
reason_phrase(int status)
{
    switch (status) {
    case 200: return "OK";
    case 400: return "Bad Request";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 431: return "Request Header Fields Too Large";
    case 505: return "HTTP Version Not Supported";
    default: return "Error";
    }
}

/* Answers with 'status' and 'body' ('len' bytes) of 'content_type'. */
static void
conn_answer(struct metrics_conn *conn, int status, const char *content_type,
            const char *body, size_t len)
{
    struct metrics_write *w = xmalloc(sizeof *w);
    struct ds out = DS_EMPTY_INITIALIZER;
    uv_buf_t buf;

    ds_put_format(&out, "HTTP/1.1 %d %s\r\n"
                  "Content-Type: %s\r\n"
                  "Content-Length: %zu\r\n"
                  "%s"
                  "Connection: close\r\n"
                  "\r\n", status, reason_phrase(status), content_type, len,
                  status == 405 ? "Allow: GET\r\n" : "");
    ds_put_buffer(&out, body, len);
    w->conn = conn;
    buf.len = out.len;
    w->data = buf.base = ds_steal_cstr(&out);
    conn->state = CONN_ANSWERING;
    if (uv_write(&w->req, conn->stream, &buf, 1, write_cb)) {
        free(w->data);
        free(w);
        conn_close(conn);
    }
}

static void
conn_answer_error(struct metrics_conn *conn, int status, const char *why)
{
    char *body = xasprintf("%d %s: %s\n", status, reason_phrase(status), why);

    VLOG_DBG_RL(&rl, "%s: %d %s", conn->peer, status, why);
    conn_answer(conn, status, "text/plain; charset=utf-8", body,
                strlen(body));
    free(body);
}

/* The end of the request head in 'conn->buf' (just past its empty line),
 * or NULL if it has not all arrived. */
static const char *
find_head_end(const struct metrics_conn *conn)
{
    for (size_t i = 0; i < conn->len; i++) {
        if (conn->buf[i] == '\n'
            && ((i >= 1 && conn->buf[i - 1] == '\n')
                || (i >= 2 && conn->buf[i - 1] == '\r'
                    && conn->buf[i - 2] == '\n'))) {
            return conn->buf + i + 1;
        }
    }
    return NULL;
}

static void
conn_handle_request(struct metrics_conn *conn, size_t head_len)
{
    const char *why;
    int status = metrics_http_check_request(conn->buf, head_len, &why);

    if (status != 200) {
        conn_answer_error(conn, status, why);
        return;
    }

    struct ds body = DS_EMPTY_INITIALIZER;
    struct metrics m = { .out = &body, .family = NULL };

    ds_put_cstr(&body, "");
    conn->server->cb(&m, conn->server->aux);
    conn_answer(conn, 200, METRICS_CONTENT_TYPE, ds_cstr(&body), body.len);
    ds_destroy(&body);
}

static void
alloc_cb(uv_handle_t *handle, size_t suggested OVS_UNUSED, uv_buf_t *buf)
{
    struct metrics_conn *conn = handle->data;
    static char discard[4096];

    if (conn->state == CONN_READING) {
        *buf = uv_buf_init(conn->buf + conn->len,
                           sizeof conn->buf - conn->len);
    } else {
        *buf = uv_buf_init(discard, sizeof discard);
    }
}

static void
read_cb(uv_stream_t *stream, ssize_t n, const uv_buf_t *buf OVS_UNUSED)
{
    struct metrics_conn *conn = stream->data;
    const char *head_end;

    if (n == UV_EOF && conn->state == CONN_ANSWERING) {
        /* A client may shut down its side once its request is sent: the
         * answer still goes out, then write_cb() closes. */
        conn->peer_done = true;
        uv_read_stop(stream);
        return;
    }
    if (n < 0) {
        /* EOF or an error: a client gone before its answer is normal. */
        conn_close(conn);
        return;
    }
    if (conn->state != CONN_READING) {
        return;                     /* Discarded. */
    }
    conn->len += n;
    head_end = find_head_end(conn);
    if (head_end) {
        conn_handle_request(conn, head_end - conn->buf);
    } else if (conn->len >= sizeof conn->buf) {
        conn_answer_error(conn, 431, "the request head is larger than "
                          "8192 bytes");
    }
}

static void
accept_cb(struct stream_listener *listener OVS_UNUSED, uv_stream_t *client,
          const char *peer, void *server_)
{
    struct metrics_server *server = server_;
    struct metrics_conn *conn;

    if (server->n_conns >= METRICS_MAX_CONNS) {
        VLOG_WARN_RL(&rl, "%s: refused: already %d connections", peer,
                     METRICS_MAX_CONNS);
        stream_close(client);
        return;
    }
    conn = xzalloc(sizeof *conn);
    conn->server = server;
    conn->stream = client;
    conn->peer = xstrdup(peer);
    conn->state = CONN_READING;
    client->data = conn;
    uv_timer_init(server->loop, &conn->deadline);
    conn->deadline.data = conn;
    uv_timer_start(&conn->deadline, deadline_cb, METRICS_DEADLINE_MS, 0);
    ovs_list_push_back(&server->conns, &conn->node);
    server->n_conns++;
    if (uv_read_start(client, alloc_cb, read_cb)) {
        conn_close(conn);
    }
}

int
metrics_server_create(uv_loop_t *loop, const char *name,
                      metrics_collect_cb *cb, void *aux,
                      struct metrics_server **serverp, char **errorp)
{
    struct metrics_server *server;
    struct stream_addr addr;
    int error;

    *serverp = NULL;
    error = stream_parse_with_tls(name, &addr, errorp);
    if (error) {
        return error;
    }
    bool ok = addr.kind == STREAM_TCP && addr.passive && !addr.tls;
    stream_addr_destroy(&addr);
    if (!ok) {
        *errorp = xasprintf("%s: metrics are served over plain HTTP on a "
                            "TCP port: give ptcp:PORT[:IP]", name);
        return EINVAL;
    }

    server = xzalloc(sizeof *server);
    server->loop = loop;
    server->cb = cb;
    server->aux = aux;
    ovs_list_init(&server->conns);
    error = stream_listen(loop, name, NULL, accept_cb, server,
                          &server->listener, errorp);
    if (error) {
        free(server);
        return error;
    }
    VLOG_INFO("%s: serving metrics on port %d", name,
              stream_listener_port(server->listener));
    *serverp = server;
    return 0;
}

void
metrics_server_destroy(struct metrics_server *server)
{
    struct metrics_conn *conn, *next;

    if (!server) {
        return;
    }
    stream_listener_close(server->listener);
    LIST_FOR_EACH_SAFE (conn, next, node, &server->conns) {
        conn_close(conn);
    }
    free(server);
}

int
metrics_server_port(const struct metrics_server *server)
{
    return stream_listener_port(server->listener);
}
