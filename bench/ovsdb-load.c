/* ovsdb-load: a load generator for OVSDB servers (xsw-dbserver and
 * ovsdb-server), used by bench/dbserver-bench.sh and bench/cluster-bench.sh
 * (whose "fanout" spreads up to thousands of monitors over several servers).
 *
 * It speaks raw RFC 7047 JSON-RPC over a unix socket with blocking I/O and
 * poll(), not lib/jsonrpc.h, on purpose: the generator must cost far less
 * per transaction than either server, and it must not share code with the
 * server under test.  Requests are formatted with snprintf() from templates
 * (a jansson build + dump would cost more than a small transaction does in
 * the server); replies are framed by a byte scanner and then parsed with
 * jansson, so that every reply is checked for errors.
 *
 * Every subcommand prints one line of "key=value" pairs on stdout for the
 * script to parse, and exits nonzero (with a message on stderr) if the
 * server answered anything unexpected. */

#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <jansson.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#define DB_NAME "Open_vSwitch"
#define MIN(A, B) ((A) < (B) ? (A) : (B))
#define BRIDGE_NAME "br0"

/* ---- Utilities. ---- */

static void __attribute__((noreturn, format(printf, 1, 2)))
fatal(const char *format, ...)
{
    va_list args;

    fputs("ovsdb-load: ", stderr);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static void *
xrealloc(void *p, size_t n)
{
    p = realloc(p, n ? n : 1);
    if (!p) {
        fatal("out of memory");
    }
    return p;
}

static uint64_t
clock_ns(clockid_t id)
{
    struct timespec ts;

    clock_gettime(id, &ts);
    return (uint64_t) ts.tv_sec * 1000000000u + ts.tv_nsec;
}

static uint64_t
now_ns(void)
{
    return clock_ns(CLOCK_MONOTONIC);
}

/* CPU time (user + system) this process has used, in ns.  Reported with
 * every rate so that a reader can see the generator was not saturated. */
static uint64_t
cpu_ns(void)
{
    struct rusage ru;

    getrusage(RUSAGE_SELF, &ru);
    return ((uint64_t) (ru.ru_utime.tv_sec + ru.ru_stime.tv_sec)
            * 1000000000u
            + (uint64_t) (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1000u);
}

/* A growable string for batched transactions. */
struct buf {
    char *s;
    size_t len, cap;
};

static void __attribute__((format(printf, 2, 3)))
buf_printf(struct buf *b, const char *format, ...)
{
    for (;;) {
        size_t room = b->cap - b->len;
        va_list args;
        int n;

        va_start(args, format);
        n = vsnprintf(b->s + b->len, room, format, args);
        va_end(args);
        if (n < 0) {
            fatal("vsnprintf failed");
        }
        if ((size_t) n < room) {
            b->len += n;
            return;
        }
        b->cap = 2 * b->cap + n + 1;
        b->s = xrealloc(b->s, b->cap);
    }
}

/* ---- Connections. ---- */

/* One client connection.  Input accumulates in 'in'; 'scan' is how far the
 * framing scanner got into the message that starts at 'start'. */
struct conn {
    int fd;
    char *in;
    size_t start, len, cap;
    size_t scan;
    int depth;
    bool in_string, escape;
    uint64_t read_ns;           /* When the last read() returned data. */
};

/* Connects to the unix socket at 'path'.  Returns 0 or a positive errno
 * value (ENOENT and ECONNREFUSED while a server is still starting). */
static int
conn_open(struct conn *c, const char *path)
{
    struct sockaddr_un sun;
    int fd;

    memset(c, 0, sizeof *c);
    c->fd = -1;
    if (strlen(path) >= sizeof sun.sun_path) {
        return ENAMETOOLONG;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return errno;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strcpy(sun.sun_path, path);
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0) {
        int error = errno;
        close(fd);
        return error;
    }
    c->fd = fd;
    return 0;
}

static void
conn_open_or_die(struct conn *c, const char *path)
{
    int error = conn_open(c, path);
    if (error) {
        fatal("%s: connect failed (%s)", path, strerror(error));
    }
}

static void
conn_close(struct conn *c)
{
    if (c->fd >= 0) {
        close(c->fd);
    }
    free(c->in);
    memset(c, 0, sizeof *c);
    c->fd = -1;
}

static void
conn_send(struct conn *c, const char *data, size_t n)
{
    while (n > 0) {
        ssize_t retval = write(c->fd, data, n);
        if (retval < 0) {
            if (errno == EINTR) {
                continue;
            }
            fatal("write failed (%s)", strerror(errno));
        }
        data += retval;
        n -= retval;
    }
}

/* Reads whatever is available (blocking if nothing is).  Returns false on
 * EOF.  Records the time in 'read_ns'. */
static bool
conn_read(struct conn *c)
{
    ssize_t n;

    /* Compact: drop consumed messages before growing. */
    if (c->start > 0) {
        memmove(c->in, c->in + c->start, c->len - c->start);
        c->len -= c->start;
        c->scan -= c->start;
        c->start = 0;
    }
    if (c->cap - c->len < 65536) {
        c->cap = c->cap * 2 + 65536;
        c->in = xrealloc(c->in, c->cap);
    }
    do {
        n = read(c->fd, c->in + c->len, c->cap - c->len);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        fatal("read failed (%s)", strerror(errno));
    }
    c->read_ns = now_ns();
    c->len += n;
    return n > 0;
}

/* Finds the next complete top-level JSON value in the input.  On success
 * stores its bounds in '*msgp' and '*np' (pointing into the input buffer,
 * valid until the next conn_read()) and returns true. */
static bool
conn_frame(struct conn *c, const char **msgp, size_t *np)
{
    while (c->scan < c->len) {
        char ch = c->in[c->scan++];

        if (c->in_string) {
            if (c->escape) {
                c->escape = false;
            } else if (ch == '\\') {
                c->escape = true;
            } else if (ch == '"') {
                c->in_string = false;
            }
        } else if (ch == '"') {
            c->in_string = true;
        } else if (ch == '{' || ch == '[') {
            c->depth++;
        } else if (ch == '}' || ch == ']') {
            if (--c->depth == 0) {
                *msgp = c->in + c->start;
                *np = c->scan - c->start;
                c->start = c->scan;
                return true;
            }
        } else if (c->depth == 0) {
            /* Whitespace between messages. */
            c->start = c->scan;
        }
    }
    return false;
}

/* Returns the next message parsed, blocking until one arrives.  Dies on EOF
 * or bad JSON. */
static json_t *
conn_recv(struct conn *c)
{
    const char *msg;
    size_t n;

    while (!conn_frame(c, &msg, &n)) {
        if (!conn_read(c)) {
            fatal("server closed the connection");
        }
    }

    json_error_t error;
    json_t *json = json_loadb(msg, n, 0, &error);
    if (!json) {
        fatal("bad JSON from server: %s", error.text);
    }
    return json;
}

/* Answers an "echo" request from the server (xsw or ovsdb-server may probe
 * an idle client) and returns true, or returns false if 'msg' is something
 * else. */
static bool
conn_answer_echo(struct conn *c, const json_t *msg)
{
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *id = json_object_get(msg, "id");

    if (!method || strcmp(method, "echo") || !id || json_is_null(id)) {
        return false;
    }

    json_t *reply = json_pack("{s:O, s:n, s:O}", "result",
                              json_object_get(msg, "params"),
                              "error", "id", id);
    char *s = json_dumps(reply, JSON_COMPACT);
    conn_send(c, s, strlen(s));
    free(s);
    json_decref(reply);
    return true;
}

/* Checks that 'msg' is a successful reply.  For a transaction, also checks
 * that no operation failed.  Returns its integer id. */
static json_int_t
check_reply(const json_t *msg, bool is_transact)
{
    json_t *result = json_object_get(msg, "result");
    json_t *error = json_object_get(msg, "error");
    json_t *id = json_object_get(msg, "id");

    if (!json_is_integer(id) || (error && !json_is_null(error))
        || !result) {
        char *s = json_dumps(msg, JSON_COMPACT);
        fatal("unexpected reply: %.500s", s);
    }
    if (is_transact) {
        size_t i;
        json_t *op;

        if (!json_is_array(result)) {
            fatal("transact result is not an array");
        }
        json_array_foreach (result, i, op) {
            if (!json_is_object(op) || json_object_get(op, "error")) {
                char *s = json_dumps(result, JSON_COMPACT);
                fatal("transaction failed: %.500s", s);
            }
        }
    }
    return json_integer_value(id);
}

/* Waits for the reply to request 'id', answering echo probes meanwhile. */
static json_t *
conn_wait_reply(struct conn *c, json_int_t id, bool is_transact)
{
    for (;;) {
        json_t *msg = conn_recv(c);
        if (conn_answer_echo(c, msg)) {
            json_decref(msg);
            continue;
        }
        if (json_object_get(msg, "method")) {
            json_decref(msg);           /* A notification: not ours. */
            continue;
        }
        if (check_reply(msg, is_transact) != id) {
            fatal("reply %" JSON_INTEGER_FORMAT " arrived out of order",
                  json_integer_value(json_object_get(msg, "id")));
        }
        return msg;
    }
}

/* ---- Requests. ---- */

/* Formats into 'b' a transaction that adds one port (a Port row, its
 * Interface row, and the Bridge's "ports" mutation): what `ovs-vsctl
 * add-port` writes, minus its verifies. */
static void
format_port_txn(struct buf *b, json_int_t id, const char *bridge_uuid,
                const char *prefix, unsigned int n)
{
    b->len = 0;
    buf_printf(b,
        "{\"id\":%" JSON_INTEGER_FORMAT ",\"method\":\"transact\","
        "\"params\":[\"" DB_NAME "\","
        "{\"op\":\"insert\",\"table\":\"Interface\","
        "\"row\":{\"name\":\"%s%u\"},\"uuid-name\":\"i\"},"
        "{\"op\":\"insert\",\"table\":\"Port\","
        "\"row\":{\"name\":\"%s%u\",\"interfaces\":[\"named-uuid\",\"i\"]},"
        "\"uuid-name\":\"p\"},"
        "{\"op\":\"mutate\",\"table\":\"Bridge\","
        "\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
        "\"mutations\":[[\"ports\",\"insert\",[\"named-uuid\",\"p\"]]]}]}",
        id, prefix, n, prefix, n, bridge_uuid);
}

/* Formats a transaction that adds ports 'first' ... 'first + count - 1'. */
static void
format_batch_txn(struct buf *b, json_int_t id, const char *bridge_uuid,
                 const char *prefix, unsigned int first, unsigned int count)
{
    b->len = 0;
    buf_printf(b, "{\"id\":%" JSON_INTEGER_FORMAT ",\"method\":\"transact\","
               "\"params\":[\"" DB_NAME "\"", id);
    for (unsigned int i = 0; i < count; i++) {
        unsigned int n = first + i;
        buf_printf(b,
            ",{\"op\":\"insert\",\"table\":\"Interface\","
            "\"row\":{\"name\":\"%s%u\"},\"uuid-name\":\"i%u\"}"
            ",{\"op\":\"insert\",\"table\":\"Port\","
            "\"row\":{\"name\":\"%s%u\","
            "\"interfaces\":[\"named-uuid\",\"i%u\"]},\"uuid-name\":\"p%u\"}",
            prefix, n, i, prefix, n, i, i);
    }
    buf_printf(b, ",{\"op\":\"mutate\",\"table\":\"Bridge\","
               "\"where\":[[\"_uuid\",\"==\",[\"uuid\",\"%s\"]]],"
               "\"mutations\":[[\"ports\",\"insert\",[\"set\",[",
               bridge_uuid);
    for (unsigned int i = 0; i < count; i++) {
        buf_printf(b, "%s[\"named-uuid\",\"p%u\"]", i ? "," : "", i);
    }
    buf_printf(b, "]]]]}]}");
}

/* Sends 'request' (a json_t, taken) and returns the checked reply. */
static json_t *
conn_transact_json(struct conn *c, json_t *request, bool is_transact)
{
    json_int_t id = json_integer_value(json_object_get(request, "id"));
    char *s = json_dumps(request, JSON_COMPACT);

    conn_send(c, s, strlen(s));
    free(s);
    json_decref(request);
    return conn_wait_reply(c, id, is_transact);
}

/* Returns the UUID of bridge "br0" in 'bridge_uuid' (37 bytes), creating
 * the bridge (and the Open_vSwitch root row, which ovs-vsctl needs) if the
 * database has none yet. */
static void
ensure_bridge(struct conn *c, char bridge_uuid[37])
{
    json_t *reply = conn_transact_json(c, json_pack(
        "{s:I, s:s, s:[s, {s:s, s:s, s:[], s:[s]}, {s:s, s:s, s:[[s,s,s]],"
        " s:[s]}]}",
        "id", (json_int_t) 1, "method", "transact", "params", DB_NAME,
        "op", "select", "table", "Open_vSwitch", "where", "columns",
        "_uuid",
        "op", "select", "table", "Bridge", "where", "name", "==",
        BRIDGE_NAME, "columns", "_uuid"), true);
    json_t *result = json_object_get(reply, "result");
    json_t *ovs_rows = json_object_get(json_array_get(result, 0), "rows");
    json_t *br_rows = json_object_get(json_array_get(result, 1), "rows");
    json_t *uuid;

    if (json_array_size(br_rows) == 0) {
        json_t *root_op;

        if (json_array_size(ovs_rows) == 0) {
            root_op = json_pack("{s:s, s:s, s:{s:[s,s]}}",
                                "op", "insert", "table", "Open_vSwitch",
                                "row", "bridges", "named-uuid", "br");
        } else {
            json_t *root = json_object_get(json_array_get(ovs_rows, 0),
                                           "_uuid");
            root_op = json_pack("{s:s, s:s, s:[[s,s,O]],"
                                " s:[[s,s,[s,s]]]}",
                                "op", "mutate", "table", "Open_vSwitch",
                                "where", "_uuid", "==", root,
                                "mutations", "bridges", "insert",
                                "named-uuid", "br");
        }
        json_decref(reply);
        reply = conn_transact_json(c, json_pack(
            "{s:I, s:s, s:[s, {s:s, s:s, s:{s:s}, s:s}, o]}",
            "id", (json_int_t) 2, "method", "transact", "params", DB_NAME,
            "op", "insert", "table", "Bridge", "row", "name", BRIDGE_NAME,
            "uuid-name", "br", root_op), true);
        uuid = json_object_get(json_array_get(json_object_get(reply,
                                                              "result"), 0),
                               "uuid");
    } else {
        uuid = json_object_get(json_array_get(br_rows, 0), "_uuid");
    }

    const char *s = json_string_value(json_array_get(uuid, 1));
    if (!s || strlen(s) != 36) {
        fatal("cannot find the UUID of bridge %s", BRIDGE_NAME);
    }
    memcpy(bridge_uuid, s, 37);
    json_decref(reply);
}

/* ---- Subcommands. ---- */

struct options {
    const char *socket;
    unsigned int count;         /* -n: transactions, requests, ports. */
    unsigned int depth;         /* -d: requests in flight. */
    unsigned int batch;         /* -b: ports per transaction. */
    unsigned int clients;       /* -c: monitoring clients. */
    const char *prefix;         /* -p: port name prefix. */
    const char *writer;         /* -w: the writer's socket (fanout). */
    uint64_t since_ns;          /* --since: CLOCK_REALTIME start. */
    double timeout;             /* --timeout: seconds. */
    double duration;            /* -t: stop starting requests after this
                                 * many seconds (the rate stays honest, the
                                 * benchmark stays bounded). */
};

static void
print_rate(const char *what, unsigned int n, uint64_t start, uint64_t cpu0)
{
    uint64_t wall = now_ns() - start;
    uint64_t cpu = cpu_ns() - cpu0;

    printf("%s=%.1f n=%u seconds=%.4f client_cpu=%.2f\n", what,
           n / (wall / 1e9), n, wall / 1e9, (double) cpu / wall);
}

/* Keeps up to 'depth' requests in flight; 'format' fills 'b' with request
 * number 'i' (whose id must be i + 100).  With 'depth' 1 this is the serial
 * case: send, wait, send. */
static void
run_requests(struct conn *c, unsigned int count, unsigned int depth,
             double max_seconds, bool is_transact, const char *what,
             void (*format)(struct buf *, unsigned int i, void *aux),
             void *aux)
{
    struct buf b = { NULL, 0, 0 }, out = { NULL, 0, 0 };
    unsigned int sent = 0, done = 0;
    uint64_t start = now_ns(), cpu0 = cpu_ns();
    uint64_t deadline = start + (uint64_t) (max_seconds * 1e9);

    while (done < sent || (sent < count && now_ns() < deadline)) {
        /* Fill the window with one write() per burst. */
        out.len = 0;
        while (sent < count && sent - done < depth
               && (sent == done || now_ns() < deadline)) {
            format(&b, sent++, aux);
            buf_printf(&out, "%.*s", (int) b.len, b.s);
        }
        if (out.len) {
            conn_send(c, out.s, out.len);
        }

        json_t *reply = conn_wait_reply(c, 100 + done, is_transact);
        json_decref(reply);
        done++;
    }
    print_rate(what, done, start, cpu0);
    free(b.s);
    free(out.s);
}

static void
format_echo(struct buf *b, unsigned int i, void *aux)
{
    (void) aux;
    b->len = 0;
    buf_printf(b, "{\"id\":%u,\"method\":\"echo\",\"params\":[\"x\"]}",
               i + 100);
}

struct port_aux {
    const char *bridge_uuid;
    const char *prefix;
};

static void
format_port(struct buf *b, unsigned int i, void *aux_)
{
    struct port_aux *aux = aux_;
    format_port_txn(b, i + 100, aux->bridge_uuid, aux->prefix, i);
}

/* "echo": echo requests/s, -d in flight.  The rate the generator reaches
 * here bounds what it can measure. */
static void
cmd_echo(const struct options *o)
{
    struct conn c;

    conn_open_or_die(&c, o->socket);
    run_requests(&c, o->count, o->depth, o->duration, false, "echo_per_s",
                 format_echo, NULL);
    conn_close(&c);
}

/* "txn": port-adding transactions/s, -d in flight (1 = serial). */
static void
cmd_txn(const struct options *o)
{
    char bridge_uuid[37];
    struct conn c;

    conn_open_or_die(&c, o->socket);
    ensure_bridge(&c, bridge_uuid);

    struct port_aux aux = { bridge_uuid, o->prefix };
    run_requests(&c, o->count, o->depth, o->duration, true, "txn_per_s",
                 format_port, &aux);
    conn_close(&c);
}

/* Formats a transaction that inserts one Queue row (a root table, so the
 * row stays without references) named by its external_ids: the smallest
 * write a client makes. */
static void
format_insert(struct buf *b, unsigned int i, void *prefix_)
{
    const char *prefix = prefix_;

    b->len = 0;
    buf_printf(b,
        "{\"id\":%u,\"method\":\"transact\",\"params\":[\"" DB_NAME "\","
        "{\"op\":\"insert\",\"table\":\"Queue\",\"row\":{\"external_ids\":"
        "[\"map\",[[\"name\",\"%s%u\"]]]}}]}", i + 100, prefix, i);
}

/* "insert": single-row inserts/s, -d in flight (1 = serial). */
static void
cmd_insert(const struct options *o)
{
    struct conn c;

    conn_open_or_die(&c, o->socket);
    run_requests(&c, o->count, o->depth, o->duration, true, "txn_per_s",
                 format_insert, (void *) o->prefix);
    conn_close(&c);
}

/* "load": adds -n ports in transactions of -b ports each, one at a time. */
static void
cmd_load(const struct options *o)
{
    struct buf b = { NULL, 0, 0 };
    char bridge_uuid[37];
    struct conn c;

    conn_open_or_die(&c, o->socket);
    ensure_bridge(&c, bridge_uuid);

    uint64_t start = now_ns(), cpu0 = cpu_ns();
    uint64_t deadline = start + (uint64_t) (o->duration * 1e9);
    json_int_t id = 100;
    unsigned int done = 0;
    while (done < o->count && now_ns() < deadline) {
        unsigned int n = MIN(o->batch, o->count - done);
        format_batch_txn(&b, id, bridge_uuid, o->prefix, done, n);
        conn_send(&c, b.s, b.len);
        json_decref(conn_wait_reply(&c, id++, true));
        done += n;
    }
    print_rate("ports_per_s", done, start, cpu0);
    free(b.s);
    conn_close(&c);
}

static int
compare_u64(const void *a_, const void *b_)
{
    uint64_t a = *(const uint64_t *) a_, b = *(const uint64_t *) b_;
    return a < b ? -1 : a > b;
}

/* Nearest-rank percentile of sorted 'v'. */
static uint64_t
percentile(const uint64_t *v, size_t n, double p)
{
    size_t rank = (size_t) (p / 100.0 * n + 0.999999);
    return v[rank ? MIN(rank, n) - 1 : 0];
}

/* Splits the comma-separated socket list 'list' into '*socksp' (pointers
 * into a copy that the caller frees with (*socksp)[0]); returns the count. */
static size_t
split_sockets(const char *list, char ***socksp)
{
    char *copy = strdup(list), *save = NULL;
    char **socks = NULL;
    size_t n = 0;

    if (!copy) {
        fatal("out of memory");
    }
    for (char *s = strtok_r(copy, ",", &save); s;
         s = strtok_r(NULL, ",", &save)) {
        socks = xrealloc(socks, (n + 1) * sizeof *socks);
        socks[n++] = s;
    }
    if (!n) {
        fatal("no socket in \"%s\"", list);
    }
    *socksp = socks;
    return n;
}

/* The kind of a complete message 'msg' ('n' bytes) from a monitor's
 * server, told without parsing it when possible: with 1,000 monitors,
 * parsing every update with jansson would cost the generator more than
 * the servers spend sending it.  Both servers put "method" in the first
 * few dozen bytes of a notification. */
enum msg_kind { MSG_UPDATE, MSG_OTHER };

static enum msg_kind
classify(const char *msg, size_t n)
{
    return memmem(msg, MIN(n, 64), "\"update2\"", 9) ? MSG_UPDATE : MSG_OTHER;
}

/* Handles a message on monitor 'c' that is not an update: answers an echo
 * probe, dies on anything else. */
static void
monitor_other(struct conn *c, unsigned int i, const char *s, size_t n)
{
    json_t *msg = json_loadb(s, n, 0, NULL);
    if (!msg) {
        fatal("bad JSON from server");
    }
    if (!conn_answer_echo(c, msg)) {
        char *dump = json_dumps(msg, JSON_COMPACT);
        fatal("monitor %u: unexpected message %.300s", i, dump);
    }
    json_decref(msg);
}

/* Points pfds[0..nmon) at the monitors, for poll(). */
static void
watch_monitors(const struct conn *mons, unsigned int nmon,
               struct pollfd *pfds)
{
    for (unsigned int i = 0; i < nmon; i++) {
        pfds[i].fd = mons[i].fd;
        pfds[i].events = POLLIN;
    }
}

/* Reads every monitor that poll() found readable in 'pfds', answers echo
 * probes, and returns how many updates they held.  The callers that time
 * updates (cmd_fanout()) frame them themselves: this one only counts. */
static uint64_t
read_monitors(struct conn *mons, unsigned int nmon, const struct pollfd *pfds)
{
    uint64_t updates = 0;

    for (unsigned int i = 0; i < nmon; i++) {
        const char *s;
        size_t n;

        if (!pfds[i].revents) {
            continue;
        }
        if (!conn_read(&mons[i])) {
            fatal("server closed a monitor's connection");
        }
        while (conn_frame(&mons[i], &s, &n)) {
            if (classify(s, n) == MSG_UPDATE) {
                updates++;
            } else {
                monitor_other(&mons[i], i, s, n);
            }
        }
    }
    return updates;
}

/* Reads every monitor until none has received anything for 'quiet_ms':
 * the updates a throughput phase left in flight must not be counted by the
 * next phase. */
static void
drain_monitors(struct conn *mons, unsigned int nmon, struct pollfd *pfds,
               int quiet_ms)
{
    for (;;) {
        watch_monitors(mons, nmon, pfds);
        if (poll(pfds, nmon, quiet_ms) <= 0) {
            return;
        }
        read_monitors(mons, nmon, pfds);
    }
}

/* Commits port-adding transactions on 'w', 'depth' in flight, for
 * 'seconds', while every monitor is read (and its updates counted) so that
 * no server has to queue output for slow readers.  Returns transactions/s
 * and stores in '*fanout_s' the rate of updates received divided by the
 * number of monitors (the rate at which the whole fan-out kept up). */
static double
throughput(struct conn *w, const char *bridge_uuid, const char *prefix,
           unsigned int *next_port, struct conn *mons, unsigned int nmon,
           struct pollfd *pfds, unsigned int depth, double seconds,
           double *fanout_s)
{
    struct buf b = { NULL, 0, 0 }, out = { NULL, 0, 0 };
    uint64_t start = now_ns();
    uint64_t deadline = start + (uint64_t) (seconds * 1e9);
    uint64_t sent = 0, done = 0, updates = 0;

    while (done < sent || now_ns() < deadline) {
        out.len = 0;
        while (sent - done < depth && now_ns() < deadline) {
            format_port_txn(&b, 100 + sent++, bridge_uuid, prefix,
                            (*next_port)++);
            buf_printf(&out, "%.*s", (int) b.len, b.s);
        }
        if (out.len) {
            conn_send(w, out.s, out.len);
        }

        watch_monitors(mons, nmon, pfds);
        pfds[nmon].fd = w->fd;
        pfds[nmon].events = POLLIN;
        if (poll(pfds, nmon + 1, 10000) <= 0) {
            fatal("throughput: nothing received within 10 s");
        }
        updates += read_monitors(mons, nmon, pfds);
        if (pfds[nmon].revents) {
            const char *s;
            size_t n;

            if (!conn_read(w)) {
                fatal("server closed the writer's connection");
            }
            while (conn_frame(w, &s, &n)) {
                json_t *msg = json_loadb(s, n, 0, NULL);
                if (!msg) {
                    fatal("bad JSON from server");
                }
                if (!conn_answer_echo(w, msg)
                    && !json_object_get(msg, "method")) {
                    /* A relay forwards each transaction on its own, and a
                     * RAFT member may retry one whose prerequisite lost a
                     * race: replies may come out of order. */
                    json_int_t id = check_reply(msg, true);
                    if (id < 100 || id >= (json_int_t) (100 + sent)) {
                        fatal("reply to unknown request %" JSON_INTEGER_FORMAT,
                              id);
                    }
                    done++;
                }
                json_decref(msg);
            }
        }
    }
    double wall = (now_ns() - start) / 1e9;
    *fanout_s = nmon ? updates / (double) nmon / wall : 0;
    free(b.s);
    free(out.s);
    return done / wall;
}

/* "fanout": opens -c monitoring clients (monitor_cond on Port and
 * Interface, all columns), spread round-robin over the comma-separated
 * unix sockets in SOCKET (front ends or relays of one database), and a
 * writer on -w (default: the first socket).  Then -n times: sends a
 * port-adding transaction and times, for every monitor, the gap between
 * sending it and receiving the update2 it causes.  The next transaction
 * goes out only when every monitor has its update and the reply is in, so
 * each sample is an unloaded latency.
 *
 * With several sockets, it also reports the latencies of the monitors on
 * the first socket (the writer's, unless -w) and on the others apart.
 *
 * With -t SECONDS, it then measures write throughput with the monitors
 * attached (and read): serially, then with -d transactions in flight, each
 * for SECONDS.
 *
 * All monitors are read before any is parsed: parsing 1,000 updates takes
 * longer than the latencies being measured, and it must not be charged to
 * the monitors read last. */
static void
cmd_fanout(const struct options *o)
{
    char **socks;
    size_t nsocks = split_sockets(o->socket, &socks);
    unsigned int nmon = o->clients;
    struct conn *mons = calloc(nmon, sizeof *mons);
    struct pollfd *pfds = calloc(nmon + 1, sizeof *pfds);
    bool *got = calloc(nmon, sizeof *got);
    uint64_t *samples = calloc((size_t) nmon * o->count, sizeof *samples);
    size_t nsamples = 0;
    /* The same samples split: monitors on the writer's server (the first
     * socket) and on the others, which the change reaches through the
     * shared storage (an etcd watch, a RAFT member). */
    uint64_t *first = calloc((size_t) nmon * o->count, sizeof *first);
    uint64_t *rest = calloc((size_t) nmon * o->count, sizeof *rest);
    size_t nfirst = 0, nrest = 0;
    struct buf b = { NULL, 0, 0 };
    char bridge_uuid[37];
    struct conn w;

    if (!mons || !pfds || !got || !samples || !first || !rest) {
        fatal("out of memory");
    }
    conn_open_or_die(&w, o->writer ? o->writer : socks[0]);
    ensure_bridge(&w, bridge_uuid);

    for (unsigned int i = 0; i < nmon; i++) {
        conn_open_or_die(&mons[i], socks[i % nsocks]);
        buf_printf(&b, "{\"id\":%u,\"method\":\"monitor_cond\",\"params\":"
                   "[\"" DB_NAME "\",\"m%u\",{\"Port\":[{}],"
                   "\"Interface\":[{}]}]}", 10 + i, i);
        conn_send(&mons[i], b.s, b.len);
        b.len = 0;
    }
    for (unsigned int i = 0; i < nmon; i++) {
        json_decref(conn_wait_reply(&mons[i], 10 + i, false));
    }

    /* The first transactions warm caches and allocators in the server;
     * their samples are dropped. */
    unsigned int warmup = MIN(5, o->count / 10);
    uint64_t cpu0 = cpu_ns(), start = now_ns();
    unsigned int t;
    for (t = 0; t < o->count + warmup; t++) {
        json_int_t id = 100 + t;
        unsigned int pending = nmon;
        bool replied = false;

        memset(got, 0, nmon * sizeof *got);
        format_port_txn(&b, id, bridge_uuid, o->prefix, t);
        uint64_t t0 = now_ns();
        conn_send(&w, b.s, b.len);

        while (pending || !replied) {
            watch_monitors(mons, nmon, pfds);
            pfds[nmon].fd = w.fd;
            pfds[nmon].events = POLLIN;
            if (poll(pfds, nmon + 1, 10000) <= 0) {
                fatal("no update within 10 s (%u monitors waiting)",
                      pending);
            }

            /* Pass 1: read, timestamping each read. */
            for (unsigned int i = 0; i <= nmon; i++) {
                struct conn *c = i < nmon ? &mons[i] : &w;
                if (pfds[i].revents && !conn_read(c)) {
                    fatal("server closed a connection");
                }
            }

            /* Pass 2: frame what arrived. */
            for (unsigned int i = 0; i < nmon; i++) {
                const char *s;
                size_t n;

                if (!pfds[i].revents) {
                    continue;
                }
                while (conn_frame(&mons[i], &s, &n)) {
                    if (classify(s, n) != MSG_UPDATE) {
                        monitor_other(&mons[i], i, s, n);
                        continue;
                    }
                    if (got[i]) {
                        fatal("monitor %u got two updates for one "
                              "transaction", i);
                    }
                    got[i] = true;
                    pending--;
                    if (t >= warmup) {
                        uint64_t lat = mons[i].read_ns - t0;
                        samples[nsamples++] = lat;
                        if (i % nsocks == 0) {
                            first[nfirst++] = lat;
                        } else {
                            rest[nrest++] = lat;
                        }
                    }
                }
            }
            if (pfds[nmon].revents) {
                const char *s;
                size_t n;

                while (conn_frame(&w, &s, &n)) {
                    json_t *msg = json_loadb(s, n, 0, NULL);
                    if (!msg) {
                        fatal("bad JSON from server");
                    }
                    if (!conn_answer_echo(&w, msg)
                        && !json_object_get(msg, "method")) {
                        if (check_reply(msg, true) != id) {
                            fatal("unexpected reply id");
                        }
                        replied = true;
                    }
                    json_decref(msg);
                }
            }
        }
    }
    uint64_t wall = now_ns() - start, cpu = cpu_ns() - cpu0;

    qsort(samples, nsamples, sizeof *samples, compare_u64);
    printf("p50_ms=%.3f p99_ms=%.3f max_ms=%.3f samples=%zu "
           "client_cpu=%.2f",
           percentile(samples, nsamples, 50) / 1e6,
           percentile(samples, nsamples, 99) / 1e6,
           samples[nsamples - 1] / 1e6, nsamples, (double) cpu / wall);
    if (nfirst && nrest) {
        qsort(first, nfirst, sizeof *first, compare_u64);
        qsort(rest, nrest, sizeof *rest, compare_u64);
        printf(" p50_first_ms=%.3f p99_first_ms=%.3f"
               " p50_rest_ms=%.3f p99_rest_ms=%.3f",
               percentile(first, nfirst, 50) / 1e6,
               percentile(first, nfirst, 99) / 1e6,
               percentile(rest, nrest, 50) / 1e6,
               percentile(rest, nrest, 99) / 1e6);
    }

    if (o->duration < 1e9) {
        /* Ids restart at 100 on the writer in each phase: its earlier
         * replies are all in. */
        unsigned int next_port = t;
        double fan1, fand;
        double serial = throughput(&w, bridge_uuid, o->prefix, &next_port,
                                   mons, nmon, pfds, 1, o->duration, &fan1);
        drain_monitors(mons, nmon, pfds, 300);
        double piped = throughput(&w, bridge_uuid, o->prefix, &next_port,
                                  mons, nmon, pfds, o->depth, o->duration,
                                  &fand);
        printf(" serial_txn_s=%.1f serial_fanout_s=%.1f"
               " pipelined_txn_s=%.1f pipelined_fanout_s=%.1f",
               serial, fan1, piped, fand);
    }
    putchar('\n');

    for (unsigned int i = 0; i < nmon; i++) {
        conn_close(&mons[i]);
    }
    conn_close(&w);
    free(mons);
    free(pfds);
    free(got);
    free(samples);
    free(first);
    free(rest);
    free(b.s);
    free(socks[0]);
    free(socks);
}

/* "ready": connects (retrying every millisecond while the socket is absent
 * or refuses) and sends list_dbs and a select on Bridge; prints the time
 * from --since (CLOCK_REALTIME ns, taken by the script just before it
 * started the server) to the second reply. */
static void
cmd_ready(const struct options *o)
{
    uint64_t deadline = now_ns() + (uint64_t) (o->timeout * 1e9);
    struct conn c;

    for (;;) {
        int error = conn_open(&c, o->socket);
        if (!error) {
            break;
        }
        if (error != ENOENT && error != ECONNREFUSED) {
            fatal("%s: connect failed (%s)", o->socket, strerror(error));
        }
        if (now_ns() > deadline) {
            fatal("%s: server not ready after %.0f s", o->socket,
                  o->timeout);
        }
        struct timespec ms = { 0, 1000000 };
        nanosleep(&ms, NULL);
    }

    json_decref(conn_transact_json(&c, json_pack(
        "{s:I, s:s, s:[]}", "id", (json_int_t) 1, "method", "list_dbs",
        "params"), false));
    json_decref(conn_transact_json(&c, json_pack(
        "{s:I, s:s, s:[s, {s:s, s:s, s:[], s:[s]}]}",
        "id", (json_int_t) 2, "method", "transact", "params", DB_NAME,
        "op", "select", "table", "Bridge", "where", "columns", "name"),
        true));

    uint64_t end = clock_ns(CLOCK_REALTIME);
    printf("ready_s=%.4f\n", (end - o->since_ns) / 1e9);
    conn_close(&c);
}

/* "timed CMD...": runs CMD, prints its wall-clock time, and exits with
 * CMD's status.  Used for ovs-vsctl, whose own start-up is part of what a
 * user waits for. */
static int
cmd_timed(char *argv[])
{
    uint64_t start = now_ns();
    pid_t pid = fork();
    int status;

    if (pid < 0) {
        fatal("fork failed (%s)", strerror(errno));
    } else if (pid == 0) {
        execvp(argv[0], argv);
        fprintf(stderr, "ovsdb-load: %s: %s\n", argv[0], strerror(errno));
        _exit(127);
    }
    while (waitpid(pid, &status, 0) < 0) {
        if (errno != EINTR) {
            fatal("waitpid failed (%s)", strerror(errno));
        }
    }
    printf("seconds=%.4f\n", (now_ns() - start) / 1e9);
    return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAILURE;
}

static void
usage(void)
{
    printf("ovsdb-load: load generator for OVSDB servers\n"
           "usage: ovsdb-load echo SOCKET [-n N] [-d DEPTH] [-t SECONDS]\n"
           "       ovsdb-load txn SOCKET [-n N] [-d DEPTH] [-t SECONDS] "
           "[-p PREFIX]\n"
           "       ovsdb-load insert SOCKET [-n N] [-d DEPTH] [-t SECONDS] "
           "[-p PREFIX]\n"
           "       ovsdb-load load SOCKET [-n PORTS] [-b BATCH] [-t SECONDS] "
           "[-p PREFIX]\n"
           "       ovsdb-load fanout SOCKET[,SOCKET...] [-n N] [-c CLIENTS] "
           "[-p PREFIX]\n"
           "                         [-w SOCKET] [-t SECONDS -d DEPTH]\n"
           "       ovsdb-load ready SOCKET --since=NS [--timeout=S]\n"
           "       ovsdb-load timed COMMAND [ARG]...\n"
           "SOCKET is a unix socket path.  -n counts requests (ports for\n"
           "load), -d is how many are in flight, -t stops starting new ones\n"
           "after SECONDS.  Each command prints one line of key=value\n"
           "results.  Ports go on bridge " BRIDGE_NAME ", which is created\n"
           "if missing.\n");
}

static unsigned int
parse_uint(const char *s, const char *what)
{
    char *end;
    unsigned long v;

    errno = 0;
    v = strtoul(s, &end, 10);
    if (errno || *end || !*s || v == 0 || v > 100000000) {
        fatal("%s: bad value \"%s\"", what, s);
    }
    return v;
}

int
main(int argc, char *argv[])
{
    static const struct option long_options[] = {
        {"since", required_argument, NULL, 'S'},
        {"timeout", required_argument, NULL, 'T'},
        {"help", no_argument, NULL, 'h'},
        {NULL, 0, NULL, 0},
    };
    struct options o = {
        .count = 1000, .depth = 1, .batch = 100, .clients = 50,
        .prefix = "p", .timeout = 30, .duration = 1e9,
    };

    if (argc < 2 || !strcmp(argv[1], "-h") || !strcmp(argv[1], "--help")) {
        usage();
        return argc < 2 ? EXIT_FAILURE : EXIT_SUCCESS;
    }
    const char *command = argv[1];
    if (!strcmp(command, "timed")) {
        if (argc < 3) {
            fatal("timed: missing command");
        }
        return cmd_timed(argv + 2);
    }
    if (argc < 3) {
        fatal("%s: missing SOCKET", command);
    }
    o.socket = argv[2];

    optind = 3;
    for (;;) {
        int c = getopt_long(argc, argv, "n:d:b:c:p:t:w:h", long_options, NULL);
        if (c == -1) {
            break;
        }
        switch (c) {
        case 'n': o.count = parse_uint(optarg, "-n"); break;
        case 'd': o.depth = parse_uint(optarg, "-d"); break;
        case 'b': o.batch = parse_uint(optarg, "-b"); break;
        case 'c': o.clients = parse_uint(optarg, "-c"); break;
        case 'p': o.prefix = optarg; break;
        case 'w': o.writer = optarg; break;
        case 't': o.duration = atof(optarg); break;
        case 'S': o.since_ns = strtoull(optarg, NULL, 10); break;
        case 'T': o.timeout = atof(optarg); break;
        case 'h': usage(); return EXIT_SUCCESS;
        default: return EXIT_FAILURE;
        }
    }
    if (optind != argc) {
        fatal("unexpected argument \"%s\"", argv[optind]);
    }

    if (!strcmp(command, "echo")) {
        cmd_echo(&o);
    } else if (!strcmp(command, "txn")) {
        cmd_txn(&o);
    } else if (!strcmp(command, "insert")) {
        cmd_insert(&o);
    } else if (!strcmp(command, "load")) {
        cmd_load(&o);
    } else if (!strcmp(command, "fanout")) {
        cmd_fanout(&o);
    } else if (!strcmp(command, "ready")) {
        if (!o.since_ns) {
            fatal("ready: --since is required");
        }
        cmd_ready(&o);
    } else {
        fatal("unknown command \"%s\" (try --help)", command);
    }
    return EXIT_SUCCESS;
}
