/* test-metrics: the Prometheus text format and the HTTP server that the
 * daemons' --metrics serves it with (lib/metrics.c).
 *
 * The server is driven as a daemon drives it, on a libuv loop, with plain
 * blocking sockets as the clients: each exchange turns the loop until the
 * client has read the whole answer and the server closed. */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "ds.h"
#include "metrics.h"
#include "timeval.h"
#include "util.h"

/* ---- The text format. ---- */

START_TEST(test_format)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    struct metrics m = { .out = &out };

    metrics_family(&m, "xt_things_total", METRICS_COUNTER,
                   "Things with a \\ and a\nnewline.");
    metrics_put(&m, 3, "name", "a\"b\\c\nd", "other", "", NULL);
    metrics_put(&m, 12345678901234.0, NULL);
    metrics_family(&m, "xt_level", METRICS_GAUGE, "A level.");
    metrics_put(&m, 0.25, NULL);
    metrics_put(&m, 0.1, "k", "v", NULL);
    metrics_put(&m, INFINITY, NULL);
    metrics_put(&m, NAN, NULL);
    metrics_put(&m, -2, NULL);
    ck_assert_str_eq(ds_cstr(&out),
        "# HELP xt_things_total Things with a \\\\ and a\\nnewline.\n"
        "# TYPE xt_things_total counter\n"
        "xt_things_total{name=\"a\\\"b\\\\c\\nd\",other=\"\"} 3\n"
        "xt_things_total 12345678901234\n"
        "# HELP xt_level A level.\n"
        "# TYPE xt_level gauge\n"
        "xt_level 0.25\n"
        "xt_level{k=\"v\"} 0.1\n"
        "xt_level +Inf\n"
        "xt_level NaN\n"
        "xt_level -2\n");
    ds_destroy(&out);
}
END_TEST

START_TEST(test_histogram)
{
    static const double bounds[] = { 0.001, 0.01, 0.1 };
    struct ds out = DS_EMPTY_INITIALIZER;
    struct metrics m = { .out = &out };
    struct metrics_histogram h;

    metrics_histogram_init(&h, bounds, ARRAY_SIZE(bounds));
    metrics_histogram_observe(&h, 0.0005);
    metrics_histogram_observe(&h, 0.001);     /* le is inclusive. */
    metrics_histogram_observe(&h, 0.05);
    metrics_histogram_observe(&h, 2);
    metrics_family(&m, "xt_seconds", METRICS_HISTOGRAM, "Latency.");
    metrics_put_histogram(&m, &h, "db", "x", NULL);
    metrics_put_histogram(&m, &h, NULL);
    ck_assert_str_eq(ds_cstr(&out),
        "# HELP xt_seconds Latency.\n"
        "# TYPE xt_seconds histogram\n"
        "xt_seconds_bucket{db=\"x\",le=\"0.001\"} 2\n"
        "xt_seconds_bucket{db=\"x\",le=\"0.01\"} 2\n"
        "xt_seconds_bucket{db=\"x\",le=\"0.1\"} 3\n"
        "xt_seconds_bucket{db=\"x\",le=\"+Inf\"} 4\n"
        "xt_seconds_sum{db=\"x\"} 2.0515\n"
        "xt_seconds_count{db=\"x\"} 4\n"
        "xt_seconds_bucket{le=\"0.001\"} 2\n"
        "xt_seconds_bucket{le=\"0.01\"} 2\n"
        "xt_seconds_bucket{le=\"0.1\"} 3\n"
        "xt_seconds_bucket{le=\"+Inf\"} 4\n"
        "xt_seconds_sum 2.0515\n"
        "xt_seconds_count 4\n");
    metrics_histogram_destroy(&h);
    ds_destroy(&out);
}
END_TEST

/* ---- Requests. ---- */

static const struct {
    const char *request;
    int status;
} requests[] = {
    { "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 200 },
    { "GET /metrics HTTP/1.0\r\n\r\n", 200 },
    { "GET /metrics?name[]=up HTTP/1.1\r\nHost: x\r\nAccept: */*\r\n"
      "Accept-Encoding: gzip\r\n\r\n", 200 },
    { "GET /metrics HTTP/1.1\nHost: x\n\n", 200 },
    { "POST /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405 },
    { "HEAD /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 405 },
    { "GET / HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
    { "GET /metricsx HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
    { "GET /metrics/ HTTP/1.1\r\nHost: x\r\n\r\n", 404 },
    { "GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n", 505 },
    { "GET /metrics HTTP/1.1\r\n\r\n", 400 },             /* No Host. */
    { "GET /metrics\r\n\r\n", 400 },                      /* HTTP/0.9. */
    { "GET  /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
    { "GET /metrics HTTP/1.1 \r\nHost: x\r\n\r\n", 400 },
    { "GET /metrics HTTX/1.1\r\nHost: x\r\n\r\n", 400 },
    { "G\x01T /metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
    { "GET http://x/metrics HTTP/1.1\r\nHost: x\r\n\r\n", 400 },
    { "GET /metrics HTTP/1.1\r\nHost: x\r\n folded\r\n\r\n", 400 },
    { "GET /metrics HTTP/1.1\r\nHost x\r\n\r\n", 400 },
    { "GET /metrics HTTP/1.1\r\nHost : x\r\n\r\n", 400 },
    { "GET /metrics HTTP/1.1\r\nHost: x\x7f\r\n\r\n", 400 },
    { "\r\n\r\n", 400 },
};

START_TEST(test_check_request)
{
    for (size_t i = 0; i < ARRAY_SIZE(requests); i++) {
        const char *why;
        int status = metrics_http_check_request(requests[i].request,
                                                strlen(requests[i].request),
                                                &why);

        ck_assert_msg(status == requests[i].status,
                      "request %zu (%s): %d, wanted %d (%s)", i,
                      requests[i].request, status, requests[i].status,
                      why ? why : "");
        ck_assert(status == 200 ? !why : why && *why);
    }
}
END_TEST

/* ---- The server. ---- */

static unsigned int n_collects;

static void
collect(struct metrics *m, void *aux)
{
    n_collects++;
    metrics_family(m, "xt_up", METRICS_GAUGE, "Up.");
    metrics_put(m, 1, "who", aux, NULL);
}

static uv_loop_t loop;
static struct metrics_server *server;

static void
setup(void)
{
    char *error = NULL;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(metrics_server_create(&loop, "ptcp:0:127.0.0.1",
                                           collect, "test", &server,
                                           &error), 0);
    ck_assert_ptr_null(error);
    ck_assert_int_gt(metrics_server_port(server), 0);
    n_collects = 0;
}

static void
teardown(void)
{
    metrics_server_destroy(server);
    server = NULL;
    uv_run(&loop, UV_RUN_NOWAIT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}

static int
client_connect(void)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_port = htons(metrics_server_port(server)),
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    /* Completes from the listen backlog, before the loop accepts. */
    ck_assert_int_eq(connect(fd, (struct sockaddr *) &sin, sizeof sin), 0);
    return fd;
}

/* Turns the loop until 'fd' reads EOF or 5 s pass; returns what it read
 * (the caller frees), or NULL on a timeout.  '*reset' says whether the
 * connection ended in a reset rather than an orderly close. */
static char *
client_read_all(int fd, bool *reset)
{
    struct ds in = DS_EMPTY_INITIALIZER;
    long long int deadline = time_msec() + 5000;

    *reset = false;
    ds_put_cstr(&in, "");
    for (;;) {
        struct pollfd pfd = { .fd = fd, .events = POLLIN };
        char buf[4096];

        uv_run(&loop, UV_RUN_NOWAIT);
        if (poll(&pfd, 1, 1) == 1) {
            ssize_t n = read(fd, buf, sizeof buf);
            if (n > 0) {
                ds_put_buffer(&in, buf, n);
                continue;
            }
            *reset = n < 0 && errno == ECONNRESET;
            return ds_steal_cstr(&in);
        }
        if (time_msec() >= deadline) {
            ds_destroy(&in);
            return NULL;
        }
    }
}

/* Sends 'request' ('len' bytes) on a new connection and returns the whole
 * answer (the caller frees). */
static char *
exchange(const char *request, size_t len)
{
    int fd = client_connect();
    bool reset;
    char *answer;

    ck_assert_int_eq(write(fd, request, len), (ssize_t) len);
    answer = client_read_all(fd, &reset);
    ck_assert_msg(answer, "no answer within 5 s");
    ck_assert_msg(!reset, "connection reset");
    close(fd);
    return answer;
}

/* Turns the loop for about 'ms' milliseconds: the server sees the EOFs of
 * clients that closed. */
static void
pump(int ms)
{
    for (int i = 0; i < ms; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(1000);
    }
}

static char *
exchange_str(const char *request)
{
    return exchange(request, strlen(request));
}

START_TEST(test_serve)
{
    static const char req[] = "GET /metrics HTTP/1.1\r\nHost: x\r\n\r\n";
    char *answer = exchange(req, strlen(req));
    static const char body[] = "# HELP xt_up Up.\n# TYPE xt_up gauge\n"
                               "xt_up{who=\"test\"} 1\n";
    char *expected = xasprintf(
        "HTTP/1.1 200 OK\r\n"
        "Content-Type: text/plain; version=0.0.4; charset=utf-8\r\n"
        "Content-Length: %zu\r\n"
        "Connection: close\r\n\r\n%s", strlen(body), body);

    ck_assert_str_eq(answer, expected);
    ck_assert_uint_eq(n_collects, 1);
    free(expected);
    free(answer);
}
END_TEST

/* A client that shuts down its sending side once its request is out (as
 * "nc -N" does) still gets the whole answer. */
START_TEST(test_half_close)
{
    static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
    int fd = client_connect();
    bool reset;
    char *answer;

    ck_assert_int_eq(write(fd, req, strlen(req)), (ssize_t) strlen(req));
    ck_assert_int_eq(shutdown(fd, SHUT_WR), 0);
    answer = client_read_all(fd, &reset);
    ck_assert_ptr_nonnull(answer);
    ck_assert(!reset);
    ck_assert_msg(strstr(answer, "HTTP/1.1 200 OK\r\n") == answer
                  && strstr(answer, "xt_up{who=\"test\"} 1\n"), "%s", answer);
    free(answer);
    close(fd);
}
END_TEST

START_TEST(test_errors)
{
    char *answer;

    answer = exchange_str("POST /metrics HTTP/1.1\r\nHost: x\r\n"
                          "Content-Length: 3\r\n\r\nabc");
    ck_assert_msg(strstr(answer, "HTTP/1.1 405 Method Not Allowed\r\n")
                  == answer, "%s", answer);
    ck_assert_ptr_nonnull(strstr(answer, "\r\nAllow: GET\r\n"));
    ck_assert_ptr_nonnull(strstr(answer, "only GET is allowed"));
    free(answer);

    answer = exchange_str("GET /index.html HTTP/1.1\r\nHost: x\r\n\r\n");
    ck_assert_msg(strstr(answer, "HTTP/1.1 404 Not Found\r\n") == answer,
                  "%s", answer);
    free(answer);

    answer = exchange_str("hello\r\n\r\n");
    ck_assert_msg(strstr(answer, "HTTP/1.1 400 Bad Request\r\n") == answer,
                  "%s", answer);
    free(answer);

    /* A head that never ends within the limit. */
    char big[METRICS_MAX_REQUEST + 100];
    memset(big, 'a', sizeof big);
    memcpy(big, "GET /metrics HTTP/1.1\r\nX: ", 26);
    answer = exchange(big, sizeof big);
    ck_assert_msg(strstr(answer, "HTTP/1.1 431 ") == answer, "%s", answer);
    free(answer);

    ck_assert_uint_eq(n_collects, 0);
}
END_TEST

/* Clients that connect and say nothing, or half a request, hold neither
 * the loop nor the others; beyond METRICS_MAX_CONNS they are turned away,
 * and once they go the server serves again. */
START_TEST(test_slow_clients)
{
    static const char req[] = "GET /metrics HTTP/1.0\r\n\r\n";
    int idle[METRICS_MAX_CONNS - 1];
    bool reset;
    char *answer;
    int fd;

    for (size_t i = 0; i < ARRAY_SIZE(idle); i++) {
        idle[i] = client_connect();
        if (i % 2) {
            ck_assert_int_eq(write(idle[i], "GET /met", 8), 8);
        }
        uv_run(&loop, UV_RUN_NOWAIT);
    }
    answer = exchange(req, strlen(req));
    ck_assert_ptr_nonnull(strstr(answer, "xt_up{who=\"test\"} 1\n"));
    free(answer);
    pump(50);

    /* One more idle one fills the server: the next is closed at once
     * (reset: its request is unread), unanswered. */
    fd = client_connect();
    pump(10);
    int turned_away = client_connect();
    ck_assert_int_eq(write(turned_away, req, strlen(req)),
                     (ssize_t) strlen(req));
    answer = client_read_all(turned_away, &reset);
    ck_assert_msg(answer, "the server kept a connection beyond its limit");
    ck_assert_msg(!strstr(answer, "HTTP/1.1"), "%s", answer);
    free(answer);
    close(turned_away);

    close(fd);
    for (size_t i = 0; i < ARRAY_SIZE(idle); i++) {
        close(idle[i]);
    }
    pump(50);
    answer = exchange(req, strlen(req));
    ck_assert_ptr_nonnull(strstr(answer, "HTTP/1.1 200 OK\r\n"));
    free(answer);
}
END_TEST

START_TEST(test_bad_names)
{
    static const char *const names[] = {
        "punix:/tmp/xt.sock", "tcp:127.0.0.1:80", "ptcp:99999", "http:80",
    };
    uv_loop_t l;

    ck_assert_int_eq(uv_loop_init(&l), 0);
    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        struct metrics_server *s = NULL;
        char *error = NULL;

        ck_assert_int_ne(metrics_server_create(&l, names[i], collect, NULL,
                                               &s, &error), 0);
        ck_assert_ptr_null(s);
        ck_assert_msg(error && strstr(error, names[i]), "%s: %s", names[i],
                      error ? error : "(no message)");
        free(error);
    }
    ck_assert_int_eq(uv_loop_close(&l), 0);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("metrics");
    TCase *tc = tcase_create("format");
    TCase *tc_server = tcase_create("server");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_histogram);
    tcase_add_test(tc, test_check_request);
    tcase_add_test(tc, test_bad_names);
    suite_add_tcase(s, tc);
    tcase_add_checked_fixture(tc_server, setup, teardown);
    tcase_add_test(tc_server, test_serve);
    tcase_add_test(tc_server, test_half_close);
    tcase_add_test(tc_server, test_errors);
    tcase_add_test(tc_server, test_slow_clients);
    tcase_set_timeout(tc_server, 30);
    suite_add_tcase(s, tc_server);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
