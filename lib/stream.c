/* stream.c: see stream.h. */
#include <config.h>
#include "stream.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "timeval.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(stream);

/* ---- Parsing. ---- */

static bool
is_numeric_ip(const char *s)
{
    struct in6_addr a6;
    struct in_addr a4;

    return inet_pton(AF_INET, s, &a4) == 1 || inet_pton(AF_INET6, s, &a6) == 1;
}

/* Parses decimal port 's' (whole string) into '*port'. */
static bool
parse_port(const char *s, bool allow_zero, uint16_t *port)
{
    char *end;
    long n;

    if (!*s || strspn(s, "0123456789") != strlen(s)) {
        return false;
    }
    errno = 0;
    n = strtol(s, &end, 10);
    if (errno || n > 65535 || (!allow_zero && n == 0)) {
        return false;
    }
    *port = n;
    return true;
}

/* Strips one pair of brackets around an IPv6 address, in place. */
static char *
strip_brackets(char *s)
{
    size_t len = strlen(s);

    if (len >= 2 && s[0] == '[' && s[len - 1] == ']') {
        s[len - 1] = '\0';
        return s + 1;
    }
    return s;
}

static int
parse_unix(const char *name, const char *path, struct stream_addr *addr,
           char **errorp)
{
    if (!*path) {
        put_error(errorp, xasprintf("%s: missing socket file name", name));
        return EINVAL;
    }
    if (strlen(path) >= sizeof ((struct sockaddr_un *) 0)->sun_path) {
        put_error(errorp, xasprintf("%s: socket file name is longer than "
                                    "%zu bytes", name,
                                    sizeof ((struct sockaddr_un *) 0)->sun_path
                                    - 1));
        return ENAMETOOLONG;
    }
    addr->kind = STREAM_UNIX;
    addr->path = xstrdup(path);
    return 0;
}

/* Makes 'addr' the TCP address 'host' (a numeric IP) and 'port' (decimal,
 * 0 allowed only if 'allow_zero': a passive socket may let the kernel
 * choose).  Both are parts of the remote 'name', which errors quote. */
static int
set_tcp_addr(const char *name, const char *port, bool allow_zero,
             const char *host, struct stream_addr *addr, char **errorp)
{
    if (!parse_port(port, allow_zero, &addr->port)) {
        put_error(errorp, xasprintf("%s: \"%s\" is not a valid port number",
                                    name, port));
        return EINVAL;
    }
    if (!is_numeric_ip(host)) {
        put_error(errorp, xasprintf("%s: \"%s\" is not a numeric IP address",
                                    name, host));
        return EINVAL;
    }
    addr->kind = STREAM_TCP;
    addr->host = xstrdup(host);
    return 0;
}

/* "PORT[:IP]" */
static int
parse_ptcp(const char *name, const char *rest, struct stream_addr *addr,
           char **errorp)
{
    char *copy = xstrdup(rest);
    char *colon = strchr(copy, ':');
    const char *host = "0.0.0.0";
    int error;

    if (colon) {
        *colon = '\0';
        host = strip_brackets(colon + 1);
    }
    error = set_tcp_addr(name, copy, true, host, addr, errorp);
    free(copy);
    return error;
}

/* "IP:PORT" or "[IPv6]:PORT" */
static int
parse_tcp(const char *name, const char *rest, struct stream_addr *addr,
          char **errorp)
{
    char *copy = xstrdup(rest);
    char *colon = strrchr(copy, ':');
    char *host;
    int error;

    if (!colon) {
        put_error(errorp, xasprintf("%s: missing port number (expected "
                                    "%s:IP:PORT)", name,
                                    str_starts_with(name, "ssl:")
                                    ? "ssl" : "tcp"));
        free(copy);
        return EINVAL;
    }
    *colon = '\0';
    host = strip_brackets(copy);
    error = set_tcp_addr(name, colon + 1, false, host, addr, errorp);
    free(copy);
    return error;
}

/* The default TLS configuration, for ssl: remotes whose user gives none:
 * a program has one set of keys, configured once from its command line. */
static const struct tls_config *default_tls_config;

void
stream_set_default_tls_config(const struct tls_config *config)
{
    default_tls_config = config;
}

const struct tls_config *
stream_get_default_tls_config(void)
{
    return default_tls_config;
}

int
stream_parse(const char *name, struct stream_addr *addr, char **errorp)
{
    int error = stream_parse_with_tls(name, addr, errorp);

    if (!error && addr->tls && !default_tls_config) {
        put_error(errorp, xasprintf("\"%s\": TLS remotes need a private "
                                    "key, a certificate and a CA "
                                    "certificate (--private-key, "
                                    "--certificate, --ca-cert)", name));
        stream_addr_destroy(addr);
        memset(addr, 0, sizeof *addr);
        error = EINVAL;
    }
    return error;
}

int
stream_parse_with_tls(const char *name, struct stream_addr *addr,
                      char **errorp)
{
    int error;

    memset(addr, 0, sizeof *addr);
    if (errorp) {
        *errorp = NULL;
    }
    if (str_starts_with(name, "punix:")) {
        addr->passive = true;
        error = parse_unix(name, name + 6, addr, errorp);
    } else if (str_starts_with(name, "unix:")) {
        error = parse_unix(name, name + 5, addr, errorp);
    } else if (str_starts_with(name, "ptcp:")) {
        addr->passive = true;
        error = parse_ptcp(name, name + 5, addr, errorp);
    } else if (str_starts_with(name, "tcp:")) {
        error = parse_tcp(name, name + 4, addr, errorp);
    } else if (str_starts_with(name, "pssl:")) {
        addr->passive = addr->tls = true;
        error = parse_ptcp(name, name + 5, addr, errorp);
    } else if (str_starts_with(name, "ssl:")) {
        addr->tls = true;
        error = parse_tcp(name, name + 4, addr, errorp);
    } else {
        put_error(errorp, xasprintf("\"%s\": unknown remote syntax (expected "
                                    "punix:PATH, ptcp:PORT[:IP], "
                                    "pssl:PORT[:IP], unix:PATH, tcp:IP:PORT "
                                    "or ssl:IP:PORT)", name));
        error = strchr(name, ':') ? EAFNOSUPPORT : EINVAL;
    }
    if (error) {
        stream_addr_destroy(addr);
        memset(addr, 0, sizeof *addr);
    }
    return error;
}

void
stream_addr_destroy(struct stream_addr *addr)
{
    if (addr) {
        free(addr->path);
        free(addr->host);
    }
}

bool
stream_is_passive(const char *name)
{
    return (str_starts_with(name, "punix:") || str_starts_with(name, "ptcp:")
            || str_starts_with(name, "pssl:"));
}

bool
stream_is_tls(const char *name)
{
    return str_starts_with(name, "ssl:") || str_starts_with(name, "pssl:");
}

bool
stream_needs_probes(const char *name)
{
    return (str_starts_with(name, "tcp:") || str_starts_with(name, "ptcp:")
            || stream_is_tls(name));
}

/* Fills in 'ss' for a TCP address. */
static int
tcp_sockaddr(const struct stream_addr *addr, struct sockaddr_storage *ss)
{
    memset(ss, 0, sizeof *ss);
    if (strchr(addr->host, ':')) {
        return -uv_ip6_addr(addr->host, addr->port,
                            (struct sockaddr_in6 *) ss);
    } else {
        return -uv_ip4_addr(addr->host, addr->port,
                            (struct sockaddr_in *) ss);
    }
}

static void
free_handle_cb(uv_handle_t *handle)
{
    free(handle);
}

void
stream_close(uv_stream_t *stream)
{
    if (stream && !uv_is_closing((uv_handle_t *) stream)) {
        uv_close((uv_handle_t *) stream, free_handle_cb);
    }
}

/* ---- Listening. ---- */

struct stream_listener {
    union {
        uv_handle_t handle;
        uv_stream_t stream;
        uv_pipe_t pipe;
        uv_tcp_t tcp;
    } u;
    char *name;
    struct stream_addr addr;
    stream_accept_cb *cb;
    void *aux;
    int port;
    unsigned int n_accepted;    /* Numbers "unix#N" peers. */
};

/* 'prefix' is "tcp" or "ssl". */
static void
format_sockaddr(const struct sockaddr_storage *ss, const char *prefix,
                char *buf, size_t size)
{
    char ip[INET6_ADDRSTRLEN];

    if (ss->ss_family == AF_INET6) {
        const struct sockaddr_in6 *sin6 = (const void *) ss;
        inet_ntop(AF_INET6, &sin6->sin6_addr, ip, sizeof ip);
        snprintf(buf, size, "%s:[%s]:%u", prefix, ip,
                 ntohs(sin6->sin6_port));
    } else if (ss->ss_family == AF_INET) {
        const struct sockaddr_in *sin = (const void *) ss;
        inet_ntop(AF_INET, &sin->sin_addr, ip, sizeof ip);
        snprintf(buf, size, "%s:%s:%u", prefix, ip, ntohs(sin->sin_port));
    } else {
        snprintf(buf, size, "%s:?", prefix);
    }
}

static void
listener_on_connection(uv_stream_t *server, int status)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 5);
    struct stream_listener *l = server->data;
    uv_stream_t *client;
    char peer[INET6_ADDRSTRLEN + 16];
    int error;

    if (status < 0) {
        VLOG_WARN_RL(&rl, "%s: accept failed (%s)", l->name,
                     uv_strerror(status));
        return;
    }

    if (l->addr.kind == STREAM_UNIX) {
        uv_pipe_t *pipe = xmalloc(sizeof *pipe);
        uv_pipe_init(server->loop, pipe, 0);
        client = (uv_stream_t *) pipe;
    } else {
        uv_tcp_t *tcp = xmalloc(sizeof *tcp);
        uv_tcp_init(server->loop, tcp);
        client = (uv_stream_t *) tcp;
    }
    error = uv_accept(server, client);
    if (error) {
        VLOG_WARN_RL(&rl, "%s: accept failed (%s)", l->name,
                     uv_strerror(error));
        stream_close(client);
        return;
    }

    if (l->addr.kind == STREAM_UNIX) {
        snprintf(peer, sizeof peer, "unix#%u", ++l->n_accepted);
    } else {
        struct sockaddr_storage ss;
        int len = sizeof ss;

        uv_tcp_nodelay((uv_tcp_t *) client, 1);
        memset(&ss, 0, sizeof ss);
        uv_tcp_getpeername((uv_tcp_t *) client, (struct sockaddr *) &ss, &len);
        format_sockaddr(&ss, l->addr.tls ? "ssl" : "tcp", peer, sizeof peer);
    }
    l->cb(l, client, peer, l->aux);
}

/* If 'path' is a socket that nobody accepts on, removes it, so that a
 * daemon restarted after a crash can bind again.  A live listener is left
 * alone: binding then fails with EADDRINUSE, which is the truth. */
static void
remove_stale_socket(const char *path)
{
    struct sockaddr_un sun;
    struct stat st;
    int fd;

    if (lstat(path, &st) || !S_ISSOCK(st.st_mode)) {
        return;
    }
    fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        return;
    }
    memset(&sun, 0, sizeof sun);
    sun.sun_family = AF_UNIX;
    strncpy(sun.sun_path, path, sizeof sun.sun_path - 1);
    if (connect(fd, (struct sockaddr *) &sun, sizeof sun) < 0
        && errno == ECONNREFUSED) {
        unlink(path);
    }
    close(fd);
}

static int
listen_unix(uv_loop_t *loop, struct stream_listener *l, int mode,
            char **errorp)
{
    int error;

    uv_pipe_init(loop, &l->u.pipe, 0);
    remove_stale_socket(l->addr.path);
    /* The socket exists from bind() on: under a umask that already denies
     * what 'mode' denies, it is never more open than asked, not even until
     * the chmod() below (a client that raced in saw 0755). */
    mode_t old_umask = umask(~mode & 0777);
    error = uv_pipe_bind(&l->u.pipe, l->addr.path);
    umask(old_umask);
    if (error) {
        put_error(errorp, xasprintf("%s: bind failed (%s)", l->name,
                                    uv_strerror(error)));
        return -error;
    }
    /* libuv binds with the process umask; the database socket grants full
     * control of the switch, so restrict it explicitly. */
    if (chmod(l->addr.path, mode) < 0) {
        error = errno;
        put_error(errorp, xasprintf("%s: chmod failed (%s)", l->name,
                                    strerror(error)));
        unlink(l->addr.path);
        return error;
    }
    return 0;
}

static int
listen_tcp(uv_loop_t *loop, struct stream_listener *l, char **errorp)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    int error;

    uv_tcp_init(loop, &l->u.tcp);
    error = tcp_sockaddr(&l->addr, &ss);
    if (!error) {
        error = -uv_tcp_bind(&l->u.tcp, (struct sockaddr *) &ss, 0);
    }
    if (error) {
        put_error(errorp, xasprintf("%s: bind failed (%s)", l->name,
                                    strerror(error)));
        return error;
    }
    memset(&ss, 0, sizeof ss);
    if (!uv_tcp_getsockname(&l->u.tcp, (struct sockaddr *) &ss, &len)) {
        l->port = (ss.ss_family == AF_INET6
                   ? ntohs(((struct sockaddr_in6 *) &ss)->sin6_port)
                   : ntohs(((struct sockaddr_in *) &ss)->sin_port));
    }
    return 0;
}

static void
listener_free(struct stream_listener *l)
{
    stream_addr_destroy(&l->addr);
    free(l->name);
    free(l);
}

static void
listener_closed_cb(uv_handle_t *handle)
{
    listener_free(handle->data);
}

int
stream_listen(uv_loop_t *loop, const char *name,
              const struct stream_listen_options *options,
              stream_accept_cb *cb, void *aux,
              struct stream_listener **listenerp, char **errorp)
{
    struct stream_listener *l;
    int mode = options && options->unix_mode ? options->unix_mode : 0700;
    int backlog = options && options->backlog ? options->backlog : 128;
    int error;

    *listenerp = NULL;
    l = xzalloc(sizeof *l);
    error = stream_parse_with_tls(name, &l->addr, errorp);
    if (error) {
        free(l);
        return error;
    }
    if (!l->addr.passive) {
        put_error(errorp, xasprintf("%s: cannot listen on an active remote "
                                    "(use punix:, ptcp: or pssl:)", name));
        listener_free(l);
        return EINVAL;
    }
    l->name = xstrdup(name);
    l->cb = cb;
    l->aux = aux;

    error = (l->addr.kind == STREAM_UNIX
             ? listen_unix(loop, l, mode, errorp)
             : listen_tcp(loop, l, errorp));
    if (!error) {
        error = -uv_listen(&l->u.stream, backlog, listener_on_connection);
        if (error) {
            put_error(errorp, xasprintf("%s: listen failed (%s)", name,
                                        strerror(error)));
            if (l->addr.kind == STREAM_UNIX) {
                unlink(l->addr.path);
            }
        }
    }
    l->u.handle.data = l;
    if (error) {
        /* The handle was initialized, so libuv must close it before the
         * memory can go. */
        uv_close(&l->u.handle, listener_closed_cb);
        return error;
    }
    *listenerp = l;
    return 0;
}

void
stream_listener_close(struct stream_listener *l)
{
    if (l) {
        if (l->addr.kind == STREAM_UNIX) {
            unlink(l->addr.path);
        }
        uv_close(&l->u.handle, listener_closed_cb);
    }
}

int
stream_listener_port(const struct stream_listener *l)
{
    return l->port;
}

const char *
stream_listener_name(const struct stream_listener *l)
{
    return l->name;
}

int
stream_set_dscp(uv_stream_t *stream, int dscp)
{
    struct sockaddr_storage ss;
    int len = sizeof ss;
    int tos = (dscp & 0x3f) << 2;
    uv_os_fd_t fd;

    if (stream->type != UV_TCP || uv_fileno((uv_handle_t *) stream, &fd)) {
        return 0;
    }
    memset(&ss, 0, sizeof ss);
    if (uv_tcp_getsockname((uv_tcp_t *) stream, (struct sockaddr *) &ss,
                           &len)) {
        return 0;
    }
    if (ss.ss_family == AF_INET6
        ? setsockopt(fd, IPPROTO_IPV6, IPV6_TCLASS, &tos, sizeof tos)
        : setsockopt(fd, IPPROTO_IP, IP_TOS, &tos, sizeof tos)) {
        return errno;
    }
    return 0;
}

/* ---- Connecting, asynchronously. ---- */

struct stream_connect {
    uv_connect_t req;
    uv_stream_t *stream;        /* Handed to 'cb' on success. */
    stream_connect_cb *cb;
    void *aux;
    bool cancelled;
};

static void
connect_done_cb(uv_connect_t *req, int status)
{
    struct stream_connect *sc = req->data;

    if (sc->cancelled) {
        /* stream_connect_cancel() already closed the handle. */
    } else if (status < 0) {
        stream_close(sc->stream);
        sc->cb(NULL, -status, sc->aux);
    } else {
        if (sc->stream->type == UV_TCP) {
            uv_tcp_nodelay((uv_tcp_t *) sc->stream, 1);
        }
        sc->cb(sc->stream, 0, sc->aux);
    }
    free(sc);
}

/* Parses 'name' into '*addr' for stream_connect() and stream_open_block(),
 * which need an active remote. */
static int
parse_active(const char *name, struct stream_addr *addr, char **errorp)
{
    int error = stream_parse_with_tls(name, addr, errorp);

    if (!error && addr->passive) {
        put_error(errorp, xasprintf("%s: cannot connect to a passive remote "
                                    "(use unix:, tcp: or ssl:)", name));
        stream_addr_destroy(addr);
        error = EINVAL;
    }
    return error;
}

int
stream_connect(uv_loop_t *loop, const char *name, stream_connect_cb *cb,
               void *aux, struct stream_connect **connectp, char **errorp)
{
    struct stream_addr addr;
    struct stream_connect *sc;
    int error;

    if (connectp) {
        *connectp = NULL;
    }
    error = parse_active(name, &addr, errorp);
    if (error) {
        return error;
    }

    sc = xzalloc(sizeof *sc);
    sc->cb = cb;
    sc->aux = aux;
    sc->req.data = sc;
    if (addr.kind == STREAM_UNIX) {
        uv_pipe_t *pipe = xmalloc(sizeof *pipe);
        uv_pipe_init(loop, pipe, 0);
        sc->stream = (uv_stream_t *) pipe;
        uv_pipe_connect(&sc->req, pipe, addr.path, connect_done_cb);
    } else {
        uv_tcp_t *tcp = xmalloc(sizeof *tcp);
        struct sockaddr_storage ss;

        uv_tcp_init(loop, tcp);
        sc->stream = (uv_stream_t *) tcp;
        error = tcp_sockaddr(&addr, &ss);
        if (!error) {
            error = -uv_tcp_connect(&sc->req, tcp, (struct sockaddr *) &ss,
                                    connect_done_cb);
        }
        if (error) {
            put_error(errorp, xasprintf("%s: connect failed (%s)", name,
                                        strerror(error)));
            stream_close(sc->stream);
            free(sc);
            stream_addr_destroy(&addr);
            return error;
        }
    }
    stream_addr_destroy(&addr);
    if (connectp) {
        *connectp = sc;
    }
    return 0;
}

void
stream_connect_cancel(struct stream_connect *sc)
{
    if (sc && !sc->cancelled) {
        /* Closing the handle makes libuv complete the request with
         * UV_ECANCELED; connect_done_cb() then frees 'sc'. */
        sc->cancelled = true;
        stream_close(sc->stream);
    }
}

/* ---- Connecting, blocking. ---- */

/* Waits until 'fd' finishes a non-blocking connect. */
static int
wait_connected(int fd, int timeout_ms)
{
    long long int deadline = timeout_ms < 0 ? 0 : time_msec() + timeout_ms;
    struct pollfd pfd = { .fd = fd, .events = POLLOUT };
    socklen_t len = sizeof(int);
    int error = 0;

    for (;;) {
        int wait = -1;
        int n;

        if (timeout_ms >= 0) {
            long long int left = deadline - time_msec();
            wait = left > 0 ? left : 0;
        }
        n = poll(&pfd, 1, wait);
        if (n > 0) {
            break;
        } else if (n == 0) {
            return ETIMEDOUT;
        } else if (errno != EINTR) {
            return errno;
        }
    }
    if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &error, &len) < 0) {
        return errno;
    }
    return error;
}

int
stream_open_block(const char *name, int timeout_ms, int *fdp, char **errorp)
{
    struct sockaddr_storage ss;
    struct sockaddr_un sun;
    struct stream_addr addr;
    const struct sockaddr *sa;
    socklen_t sa_len;
    int fd = -1;
    int error;

    *fdp = -1;
    error = parse_active(name, &addr, errorp);
    if (error) {
        return error;
    }

    if (addr.kind == STREAM_UNIX) {
        memset(&sun, 0, sizeof sun);
        sun.sun_family = AF_UNIX;
        strncpy(sun.sun_path, addr.path, sizeof sun.sun_path - 1);
        sa = (struct sockaddr *) &sun;
        sa_len = sizeof sun;
    } else {
        error = tcp_sockaddr(&addr, &ss);
        sa = (struct sockaddr *) &ss;
        sa_len = (ss.ss_family == AF_INET6 ? sizeof(struct sockaddr_in6)
                  : sizeof(struct sockaddr_in));
    }

    if (!error) {
        fd = socket(sa->sa_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK,
                    0);
        if (fd < 0) {
            error = errno;
        }
    }
    if (!error) {
        if (connect(fd, sa, sa_len) < 0) {
            error = (errno == EINPROGRESS || errno == EAGAIN
                     ? wait_connected(fd, timeout_ms)
                     : errno);
        }
    }
    if (!error) {
        int flags = fcntl(fd, F_GETFL);
        fcntl(fd, F_SETFL, flags & ~O_NONBLOCK);
        if (addr.kind == STREAM_TCP) {
            int on = 1;
            setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &on, sizeof on);
        }
        *fdp = fd;
    } else {
        put_error(errorp, xasprintf("%s: connection failed (%s)", name,
                                    error == ETIMEDOUT
                                    ? "timed out" : strerror(error)));
        if (fd >= 0) {
            close(fd);
        }
    }
    stream_addr_destroy(&addr);
    return error;
}
