/* metrics.h: Prometheus metrics, served over HTTP on a daemon's libuv loop.
 *
 * A daemon given --metrics=ptcp:PORT[:IP] answers "GET /metrics" with its
 * metrics in the Prometheus text exposition format, version 0.0.4, which
 * Prometheus, promtool and every other scraper read.  The daemon supplies
 * one callback that writes its metrics through struct metrics; this module
 * does the format (HELP and TYPE lines, label escaping, histograms) and
 * the HTTP.
 *
 * Why HTTP by hand rather than libmicrohttpd (Debian's libmicrohttpd12,
 * weighed): the server answers one GET of one path to scrapers on a
 * trusted network, which is ~150 lines of strict parsing; libmicrohttpd
 * would need a listening socket of its own (this one is stream.c's, so
 * --metrics takes exactly the ptcp: syntax, IPv6 forms and port 0 of every
 * other xsw listener), a bridge from its epoll fd and timeouts into the
 * libuv loop, and GnuTLS linked into both daemons for nothing.
 *
 * The HTTP subset, strict on purpose: a request head of at most
 * METRICS_MAX_REQUEST bytes (else 431), request line "METHOD TARGET
 * HTTP/1.0|1.1" (else 400, or 505 for another version), header lines
 * "Name: value" (obsolete line folding, control characters: 400), Host
 * required in HTTP/1.1 (400).  Path /metrics (a query string is ignored;
 * anything else is 404), method GET (else 405, with "Allow: GET").  Each
 * answer closes the connection.  A request body is never read.
 *
 * Slow or idle clients cannot hold the loop: everything is non-blocking,
 * a connection has METRICS_DEADLINE_MS from accept to close, whatever it
 * does, and at most METRICS_MAX_CONNS are served at once (more are closed
 * as they arrive).  Metrics are written by the callback on the loop's
 * thread, during the request, so they are as fresh as the scrape.
 *
 * Writing metrics:
 *
 *     metrics_family(m, "xsw_fdb_entries", METRICS_GAUGE,
 *                    "MAC addresses in the bridge's forwarding database.");
 *     metrics_put(m, 12, "bridge", "br0", NULL);
 *
 * Every sample of a family must follow its metrics_family() call, before
 * the next family: the format wants a family's samples together.  Label
 * values may be any UTF-8 text: they are escaped here.  Names follow
 * Prometheus conventions (snake case, base units, _total on counters); the
 * callers choose them, this module checks nothing about them.
 *
 * All functions are for the thread that runs the loop. */
#ifndef XSW_METRICS_H
#define XSW_METRICS_H 1

#include <stddef.h>
#include <stdint.h>
/* util.h before <uv.h>: see stream.h. */
#include "util.h"
#include <uv.h>

struct ds;

#define METRICS_MAX_REQUEST 8192    /* Bytes of request head. */
#define METRICS_MAX_CONNS 16        /* Connections served at once. */
#define METRICS_DEADLINE_MS 10000   /* From accept to close. */

/* The Content-Type of the answer. */
#define METRICS_CONTENT_TYPE "text/plain; version=0.0.4; charset=utf-8"

enum metrics_type {
    METRICS_COUNTER,
    METRICS_GAUGE,
    METRICS_HISTOGRAM,
};

/* A text exposition being written into 'out' (which the caller owns). */
struct metrics {
    struct ds *out;
    const char *family;         /* The current family's name. */
};

/* Starts family 'name' of 'type', described by 'help' (one sentence). */
void metrics_family(struct metrics *, const char *name, enum metrics_type,
                    const char *help);

/* Adds a sample of the current family with 'value' and the labels given
 * as NULL-terminated pairs of name and value ("bridge", "br0", ..., NULL).
 * Not for histograms. */
void metrics_put(struct metrics *, double value, ...)
    __attribute__((sentinel));

/* A histogram: counts of observations by upper bound.  The caller owns it
 * and observes into it; metrics_put_histogram() writes it. */
struct metrics_histogram {
    const double *bounds;       /* Ascending upper bounds, not +Inf. */
    size_t n_bounds;
    uint64_t *counts;           /* n_bounds + 1, the last for +Inf; not
                                 * cumulative. */
    uint64_t count;
    double sum;
};

/* Initializes 'h' with 'n' upper bounds at 'bounds', which must stay valid
 * as long as 'h' (a static array, typically). */
void metrics_histogram_init(struct metrics_histogram *h,
                            const double *bounds, size_t n);
void metrics_histogram_destroy(struct metrics_histogram *);
void metrics_histogram_observe(struct metrics_histogram *, double value);

/* Writes 'h' as a sample of the current family (a METRICS_HISTOGRAM), with
 * the labels given as in metrics_put(): its cumulative _bucket series (le
 * label added), _sum and _count. */
void metrics_put_histogram(struct metrics *, const struct metrics_histogram *,
                           ...)
    __attribute__((sentinel));

/* The standard process metrics of Prometheus's client libraries
 * (process_cpu_seconds_total, process_resident_memory_bytes,
 * process_virtual_memory_bytes, process_open_fds, process_max_fds,
 * process_start_time_seconds), from /proc/self. */
void metrics_put_process(struct metrics *);

/* Serving. */

struct metrics_server;

/* Writes every metric of the daemon into 'm'. */
typedef void metrics_collect_cb(struct metrics *m, void *aux);

/* Starts serving GET /metrics on 'name', which must be "ptcp:PORT[:IP]"
 * (PORT 0: a free port; see metrics_server_port()), on 'loop'; each scrape
 * calls 'cb' with 'aux'.  Returns 0 or a positive errno value with a
 * malloc()ed message in '*errorp'. */
int metrics_server_create(uv_loop_t *loop, const char *name,
                          metrics_collect_cb *cb, void *aux,
                          struct metrics_server **serverp, char **errorp);

/* Stops listening and closes every connection.  Run the loop afterward so
 * that libuv releases the handles. */
void metrics_server_destroy(struct metrics_server *);

/* The TCP port the server listens on. */
int metrics_server_port(const struct metrics_server *);

/* Parses one HTTP request head in 'req' ('len' bytes, all of it up to and
 * including the empty line) and returns the status code to answer with:
 * 200 for a good GET /metrics, else 400, 404, 405 or 505, with a reason
 * for the body in '*why' (a static string).  For tests. */
int metrics_http_check_request(const char *req, size_t len,
                               const char **why);

#endif /* metrics.h */
