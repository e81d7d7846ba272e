/* test-tls.c: TLS for JSON-RPC (lib/tls.c, ssl:/pssl: in stream.c and
 * jsonrpc.c), over 127.0.0.1 only.
 *
 * A CA, a server and a client certificate, and a "rogue" client certificate
 * signed by another CA are generated with the openssl command into a
 * temporary directory when the test starts: no private key is checked in.
 *
 * The server runs on its own libuv loop in a thread, so that the blocking
 * client (jsonrpc_client) can talk to it from the test's thread.  It
 * answers "ping" with its params, and "notify-me" with a notification
 * before the reply, so data flows both ways; it records why each
 * connection closed, which is what its log line would say. */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include "jsonrpc.h"
#include "jsonrpc-client.h"
#include "stream.h"
#include "tls.h"
#include "util.h"

#include <openssl/ssl.h>

static char pki_dir[] = "/tmp/xt-tls-XXXXXX";

static char *
pki(const char *file)
{
    return xasprintf("%s/%s", pki_dir, file);
}

static void
generate_pki(void)
{
    static const char script[] =
        "set -e; exec >/dev/null 2>&1; cd '%s'\n"
        "ca() { openssl req -x509 -newkey ec "
        "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -days 2 "
        "-subj /CN=$1 -keyout $1-key.pem -out $1-cert.pem; }\n"
        "cert() { openssl req -newkey ec "
        "-pkeyopt ec_paramgen_curve:prime256v1 -nodes -subj /CN=$1 "
        "-keyout $1-key.pem -out $1-req.pem\n"
        "  openssl x509 -req -in $1-req.pem -CA $2-cert.pem "
        "-CAkey $2-key.pem -CAcreateserial -days 2 -out $1-cert.pem; }\n"
        "ca ca; ca otherca\n"
        "cert server ca; cert client ca; cert rogue otherca\n";
    char *cmd;

    if (!mkdtemp(pki_dir)) {
        perror("mkdtemp");
        exit(EXIT_FAILURE);
    }
    cmd = xasprintf(script, pki_dir);
    if (system(cmd) != 0) {
        fprintf(stderr, "generating certificates with openssl failed\n");
        exit(EXIT_FAILURE);
    }
    free(cmd);
}

static struct tls_config *
load_config(const char *name, const char *ca)
{
    char *key = xasprintf("%s/%s-key.pem", pki_dir, name);
    char *cert = xasprintf("%s/%s-cert.pem", pki_dir, name);
    char *cacert = xasprintf("%s/%s-cert.pem", pki_dir, ca);
    struct tls_config *config;
    char *error = NULL;

    ck_assert_msg(!tls_config_create(key, cert, cacert, &config, &error),
                  "%s", error);
    free(key);
    free(cert);
    free(cacert);
    return config;
}

/* ---- The server thread. ---- */

enum { MAX_CONNS = 16 };

struct tserver {
    uv_loop_t loop;
    uv_async_t stop;
    struct stream_listener *listener;
    struct tls_config *tls;
    int port;
    pthread_t thread;

    struct jsonrpc_conn *conns[MAX_CONNS];

    pthread_mutex_t mutex;      /* Protects the members below. */
    int n_closed;
    char last_close[512];       /* on_close message of the last close. */
};

static void
tserver_on_msg(struct jsonrpc_conn *conn, json_t *msg, void *aux OVS_UNUSED)
{
    const char *method = json_string_value(json_object_get(msg, "method"));
    json_t *params = json_object_get(msg, "params");
    json_t *id = json_object_get(msg, "id");

    if (method && !strcmp(method, "notify-me")) {
        jsonrpc_conn_send(conn, jsonrpc_create_notify(
                              "hello", json_pack("[s]", "from server")));
    }
    if (method && id) {
        jsonrpc_conn_send(conn, jsonrpc_create_reply(json_incref(params),
                                                     json_incref(id)));
    }
    json_decref(msg);
}

static void
tserver_on_close(struct jsonrpc_conn *conn,
                 enum jsonrpc_close_reason reason OVS_UNUSED,
                 const char *message, void *aux)
{
    struct tserver *ts = aux;

    for (int i = 0; i < MAX_CONNS; i++) {
        if (ts->conns[i] == conn) {
            ts->conns[i] = NULL;
        }
    }
    pthread_mutex_lock(&ts->mutex);
    ts->n_closed++;
    snprintf(ts->last_close, sizeof ts->last_close, "%s", message);
    pthread_mutex_unlock(&ts->mutex);
}

static void
tserver_accept(struct stream_listener *l OVS_UNUSED, uv_stream_t *client,
               const char *peer, void *aux)
{
    static const struct jsonrpc_conn_callbacks cbs = {
        .on_msg = tserver_on_msg,
        .on_close = tserver_on_close,
    };
    struct tserver *ts = aux;
    struct jsonrpc_conn_options options = { .tls = ts->tls };
    struct jsonrpc_conn *conn;

    ck_assert_ptr_nonnull(strstr(peer, "ssl:127.0.0.1:"));
    conn = jsonrpc_conn_create(client, peer, &cbs, &options, ts);
    for (int i = 0; i < MAX_CONNS; i++) {
        if (!ts->conns[i]) {
            ts->conns[i] = conn;
            return;
        }
    }
    jsonrpc_conn_close(conn);
}

static void
tserver_stop_cb(uv_async_t *async)
{
    struct tserver *ts = async->data;

    for (int i = 0; i < MAX_CONNS; i++) {
        jsonrpc_conn_close(ts->conns[i]);
    }
    stream_listener_close(ts->listener);
    uv_close((uv_handle_t *) async, NULL);
}

static void *
tserver_main(void *ts_)
{
    struct tserver *ts = ts_;

    uv_run(&ts->loop, UV_RUN_DEFAULT);
    return NULL;
}

static struct tserver *
tserver_start(void)
{
    struct tserver *ts = xzalloc(sizeof *ts);
    char *error = NULL;

    ts->tls = load_config("server", "ca");
    pthread_mutex_init(&ts->mutex, NULL);
    uv_loop_init(&ts->loop);
    uv_async_init(&ts->loop, &ts->stop, tserver_stop_cb);
    ts->stop.data = ts;
    ck_assert_msg(!stream_listen(&ts->loop, "pssl:0:127.0.0.1", NULL,
                                 tserver_accept, ts, &ts->listener, &error),
                  "%s", error);
    ts->port = stream_listener_port(ts->listener);
    ck_assert_int_gt(ts->port, 0);
    pthread_create(&ts->thread, NULL, tserver_main, ts);
    return ts;
}

static void
tserver_stop(struct tserver *ts)
{
    uv_async_send(&ts->stop);
    pthread_join(ts->thread, NULL);
    ck_assert_int_eq(uv_loop_close(&ts->loop), 0);
    tls_config_destroy(ts->tls);
    pthread_mutex_destroy(&ts->mutex);
    free(ts);
}

/* Waits until the server has seen 'n' connections close, and returns the
 * last one's reason (malloc'd). */
static char *
tserver_wait_closed(struct tserver *ts, int n)
{
    for (int i = 0; i < 500; i++) {
        pthread_mutex_lock(&ts->mutex);
        if (ts->n_closed >= n) {
            char *s = xstrdup(ts->last_close);
            pthread_mutex_unlock(&ts->mutex);
            return s;
        }
        pthread_mutex_unlock(&ts->mutex);
        usleep(10 * 1000);
    }
    ck_abort_msg("server did not see connection %d close", n);
    return NULL;
}

static char *
ssl_name(const struct tserver *ts, const char *prefix)
{
    return xasprintf("%s:127.0.0.1:%d", prefix, ts->port);
}

/* Sends "ping" [text] over 'c' and checks that the reply echoes it. */
static void
check_ping(struct jsonrpc_client *c, const char *text)
{
    json_t *reply;
    char *error = NULL;
    int retval = jsonrpc_client_transact(
        c, jsonrpc_create_request("ping", json_pack("[s]", text),
                                  json_integer(1)), 5000, &reply, &error);

    ck_assert_msg(!retval, "%s", error);
    ck_assert_str_eq(json_string_value(json_array_get(
                         json_object_get(reply, "result"), 0)), text);
    json_decref(reply);
}

/* ---- Tests. ---- */

START_TEST(test_config_errors)
{
    char *key = pki("client-key.pem"), *cert = pki("client-cert.pem");
    char *ca = pki("ca-cert.pem"), *other_key = pki("server-key.pem");
    struct tls_config *config;
    char *error = NULL;

    ck_assert_int_eq(tls_config_create(key, "/nonexistent/xt.pem", ca,
                                       &config, &error), ENOENT);
    ck_assert_ptr_null(config);
    ck_assert_msg(strstr(error, "/nonexistent/xt.pem"), "%s", error);
    free(error);

    ck_assert_int_eq(tls_config_create(other_key, cert, ca, &config,
                                       &error), EINVAL);
    ck_assert_msg(strstr(error, "mismatch"), "%s", error);
    free(error);

    /* A file that is not PEM at all. */
    ck_assert_int_eq(tls_config_create(key, cert, "/dev/null", &config,
                                       &error), EINVAL);
    ck_assert_msg(strstr(error, "CA certificate"), "%s", error);
    free(error);

    ck_assert_int_eq(tls_config_create(key, cert, ca, &config, &error), 0);
    ck_assert_ptr_null(error);
    tls_config_destroy(config);
    free(key);
    free(cert);
    free(ca);
    free(other_key);
}
END_TEST

START_TEST(test_parse)
{
    struct tls_config *config = load_config("client", "ca");
    struct stream_addr addr;
    char *error = NULL;

    ck_assert(stream_is_passive("pssl:6640"));
    ck_assert(!stream_is_passive("ssl:1.2.3.4:6640"));
    ck_assert(stream_is_tls("ssl:1.2.3.4:6640"));
    ck_assert(stream_is_tls("pssl:6640"));
    ck_assert(!stream_is_tls("tcp:1.2.3.4:6640"));

    /* Without keys an ssl: remote cannot work: say so at once. */
    ck_assert_int_eq(stream_parse("ssl:1.2.3.4:6640", &addr, &error),
                     EINVAL);
    ck_assert_msg(strstr(error, "--private-key"), "%s", error);
    free(error);

    ck_assert_int_eq(stream_parse_with_tls("pssl:6640:[::1]", &addr, NULL),
                     0);
    ck_assert(addr.passive && addr.tls && addr.kind == STREAM_TCP);
    ck_assert_str_eq(addr.host, "::1");
    ck_assert_int_eq(addr.port, 6640);
    stream_addr_destroy(&addr);

    stream_set_default_tls_config(config);
    ck_assert_int_eq(stream_parse("ssl:10.0.0.1:6641", &addr, NULL), 0);
    ck_assert(!addr.passive && addr.tls);
    ck_assert_str_eq(addr.host, "10.0.0.1");
    ck_assert_int_eq(addr.port, 6641);
    stream_addr_destroy(&addr);
    ck_assert_int_eq(stream_parse("ssl:10.0.0.1", &addr, &error), EINVAL);
    ck_assert_msg(strstr(error, "expected ssl:IP:PORT"), "%s", error);
    free(error);
    stream_set_default_tls_config(NULL);
    tls_config_destroy(config);
}
END_TEST

/* The blocking client: handshake, then requests, replies and a server
 * notification, including a message far larger than a TLS record. */
START_TEST(test_blocking_exchange)
{
    struct tserver *ts = tserver_start();
    struct tls_config *config = load_config("client", "ca");
    char *name = ssl_name(ts, "ssl");
    struct jsonrpc_client *c;
    json_t *reply, *note = NULL;
    char *error = NULL;
    char *big;

    ck_assert_msg(!jsonrpc_client_open_tls(name, config, 5000, &c, &error),
                  "%s", error);
    check_ping(c, "hello");

    big = xmalloc(300 * 1000 + 1);
    memset(big, 'x', 300 * 1000);
    big[300 * 1000] = '\0';
    check_ping(c, big);
    free(big);

    ck_assert_int_eq(jsonrpc_client_send(
                         c, jsonrpc_create_request("notify-me", NULL,
                                                   json_integer(2)),
                         5000, &error), 0);
    ck_assert_int_eq(jsonrpc_client_recv(c, 5000, &note, &error), 0);
    ck_assert_str_eq(json_string_value(json_object_get(note, "method")),
                     "hello");
    ck_assert_int_eq(jsonrpc_client_recv(c, 5000, &reply, &error), 0);
    ck_assert_int_eq(json_integer_value(json_object_get(reply, "id")), 2);
    json_decref(note);
    json_decref(reply);
    jsonrpc_client_close(c);

    /* The default configuration serves plain jsonrpc_client_open(). */
    ck_assert_int_eq(jsonrpc_client_open(name, 5000, &c, &error), EINVAL);
    ck_assert_msg(strstr(error, "TLS"), "%s", error);
    free(error);
    stream_set_default_tls_config(config);
    ck_assert_msg(!jsonrpc_client_open(name, 5000, &c, &error), "%s", error);
    check_ping(c, "default");
    jsonrpc_client_close(c);
    stream_set_default_tls_config(NULL);

    free(name);
    tls_config_destroy(config);
    tserver_stop(ts);
}
END_TEST

/* The reconnecting libuv session over ssl:. */
struct session_test {
    json_t *reply;
    json_t *note;
    uv_timer_t timeout;
};

static void
session_connected(struct jsonrpc_session *s, void *st_ OVS_UNUSED)
{
    /* Sent before the handshake completes: it must wait, not be lost. */
    jsonrpc_session_send(s, jsonrpc_create_request("notify-me",
                                                   json_pack("[i]", 42),
                                                   json_integer(7)));
}

static void
session_msg(struct jsonrpc_session *s OVS_UNUSED, json_t *msg, void *st_)
{
    struct session_test *st = st_;

    if (json_object_get(msg, "method")) {
        json_decref(st->note);
        st->note = msg;
    } else {
        json_decref(st->reply);
        st->reply = msg;
        uv_stop(st->timeout.loop);
    }
}

static void
session_timeout(uv_timer_t *t)
{
    uv_stop(t->loop);
}

START_TEST(test_session_exchange)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_connected = session_connected,
        .on_msg = session_msg,
    };
    struct tserver *ts = tserver_start();
    struct jsonrpc_session_options options = { .conn.tls = NULL };
    struct session_test st = { NULL, NULL };
    char *name = ssl_name(ts, "ssl");
    struct jsonrpc_session *s;
    char *error = NULL;
    uv_loop_t loop;

    options.conn.tls = load_config("client", "ca");
    uv_loop_init(&loop);
    uv_timer_init(&loop, &st.timeout);
    uv_timer_start(&st.timeout, session_timeout, 5000, 0);
    ck_assert_msg(!jsonrpc_session_create(&loop, name, &cbs, &options, &st,
                                          &s, &error), "%s", error);
    uv_run(&loop, UV_RUN_DEFAULT);

    ck_assert_ptr_nonnull(st.reply);
    ck_assert_int_eq(json_integer_value(json_array_get(
                         json_object_get(st.reply, "result"), 0)), 42);
    ck_assert_ptr_nonnull(st.note);
    ck_assert_str_eq(json_string_value(json_object_get(st.note, "method")),
                     "hello");
    json_decref(st.reply);
    json_decref(st.note);

    jsonrpc_session_destroy(s);
    uv_close((uv_handle_t *) &st.timeout, NULL);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);

    /* An ssl: session with no configuration at all is refused. */
    ck_assert_int_eq(jsonrpc_session_create(&loop, name, &cbs, NULL, &st,
                                            &s, &error), EINVAL);
    free(error);

    tls_config_destroy((struct tls_config *) options.conn.tls);
    free(name);
    tserver_stop(ts);
}
END_TEST

/* A client whose certificate another CA signed is refused, and the server
 * keeps serving others. */
START_TEST(test_wrong_ca_refused)
{
    struct tserver *ts = tserver_start();
    struct tls_config *rogue = load_config("rogue", "ca");
    struct tls_config *good = load_config("client", "ca");
    char *name = ssl_name(ts, "ssl");
    struct jsonrpc_client *c;
    json_t *reply = NULL;
    char *error = NULL;
    char *why;
    int retval;

    /* Under TLS 1.3 the client finishes its side of the handshake before
     * the server has checked its certificate, so the refusal may show only
     * at the first exchange. */
    retval = jsonrpc_client_open_tls(name, rogue, 5000, &c, &error);
    if (!retval) {
        retval = jsonrpc_client_transact(
            c, jsonrpc_create_request("ping", NULL, json_integer(1)), 5000,
            &reply, &error);
        jsonrpc_client_close(c);
    }
    ck_assert_int_ne(retval, 0);
    ck_assert_ptr_null(reply);
    free(error);
    why = tserver_wait_closed(ts, 1);
    ck_assert_msg(strstr(why, "TLS handshake failed: certificate verify "
                         "failed"), "%s", why);
    free(why);

    ck_assert_msg(!jsonrpc_client_open_tls(name, good, 5000, &c, &error),
                  "%s", error);
    check_ping(c, "still serving");
    jsonrpc_client_close(c);

    free(name);
    tls_config_destroy(rogue);
    tls_config_destroy(good);
    tserver_stop(ts);
}
END_TEST

/* A client verifies the server, too. */
START_TEST(test_client_verifies_server)
{
    struct tserver *ts = tserver_start();
    struct tls_config *distrust = load_config("client", "otherca");
    char *name = ssl_name(ts, "ssl");
    struct jsonrpc_client *c;
    char *error = NULL;
    char *why;

    ck_assert_int_eq(jsonrpc_client_open_tls(name, distrust, 5000, &c,
                                             &error), EPROTO);
    ck_assert_msg(strstr(error, "TLS handshake failed: certificate verify "
                         "failed"), "%s", error);
    free(error);
    why = tserver_wait_closed(ts, 1);
    ck_assert_msg(strstr(why, "TLS handshake failed"), "%s", why);
    free(why);

    free(name);
    tls_config_destroy(distrust);
    tserver_stop(ts);
}
END_TEST

/* A raw OpenSSL client, for what our own client never does: connect
 * without a certificate, or offer only old protocol versions.  Returns true
 * if a "ping" got an answer. */
static bool
raw_client_ping(int port, bool with_cert, int max_version)
{
    static const char request[] =
        "{\"method\":\"ping\",\"params\":[],\"id\":1}";
    SSL_CTX *ctx = SSL_CTX_new(TLS_client_method());
    char *name = xasprintf("tcp:127.0.0.1:%d", port);
    struct timeval tv = { .tv_sec = 5 };
    char buf[256];
    bool ok;
    SSL *ssl;
    int fd;

    ck_assert_ptr_nonnull(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, NULL);
    if (max_version) {
        SSL_CTX_set_security_level(ctx, 0);
        SSL_CTX_set_cipher_list(ctx, "DEFAULT:@SECLEVEL=0");
        SSL_CTX_set_min_proto_version(ctx, TLS1_VERSION);
        SSL_CTX_set_max_proto_version(ctx, max_version);
    }
    if (with_cert) {
        char *key = pki("client-key.pem"), *cert = pki("client-cert.pem");
        ck_assert_int_eq(SSL_CTX_use_certificate_file(ctx, cert,
                                                      SSL_FILETYPE_PEM), 1);
        ck_assert_int_eq(SSL_CTX_use_PrivateKey_file(ctx, key,
                                                     SSL_FILETYPE_PEM), 1);
        free(key);
        free(cert);
    }
    ck_assert_int_eq(stream_open_block(name, 5000, &fd, NULL), 0);
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
    ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    ok = (SSL_connect(ssl) == 1
          && SSL_write(ssl, request, strlen(request)) > 0
          && SSL_read(ssl, buf, sizeof buf) > 0);
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    close(fd);
    free(name);
    return ok;
}

START_TEST(test_raw_client_control)
{
    /* Shows that raw_client_ping() can succeed, so that the refusals below
     * mean something. */
    struct tserver *ts = tserver_start();

    ck_assert(raw_client_ping(ts->port, true, 0));
    tserver_stop(ts);
}
END_TEST

START_TEST(test_missing_client_cert_refused)
{
    struct tserver *ts = tserver_start();
    char *why;

    ck_assert(!raw_client_ping(ts->port, false, 0));
    why = tserver_wait_closed(ts, 1);
    ck_assert_msg(strstr(why, "TLS handshake failed"), "%s", why);
    ck_assert_msg(strstr(why, "certificate"), "%s", why);
    free(why);
    tserver_stop(ts);
}
END_TEST

START_TEST(test_tls11_refused)
{
    struct tserver *ts = tserver_start();
    char *why;

    ck_assert(!raw_client_ping(ts->port, true, TLS1_1_VERSION));
    why = tserver_wait_closed(ts, 1);
    /* The ClientHello reached the server, which turned the version down. */
    ck_assert_msg(strstr(why, "TLS handshake failed: unsupported protocol"),
                  "%s", why);
    free(why);
    tserver_stop(ts);
}
END_TEST

/* A client that does not speak TLS at all gets disconnected with a
 * reason, not served in plaintext. */
START_TEST(test_plain_client_refused)
{
    struct tserver *ts = tserver_start();
    char *name = ssl_name(ts, "tcp");
    struct jsonrpc_client *c;
    json_t *reply = NULL;
    char *error = NULL;
    char *why;

    ck_assert_int_eq(jsonrpc_client_open(name, 5000, &c, NULL), 0);
    ck_assert_int_ne(jsonrpc_client_transact(
                         c, jsonrpc_create_request("ping", NULL,
                                                   json_integer(1)),
                         5000, &reply, &error), 0);
    ck_assert_ptr_null(reply);
    free(error);
    jsonrpc_client_close(c);
    why = tserver_wait_closed(ts, 1);
    ck_assert_msg(strstr(why, "TLS handshake failed"), "%s", why);
    free(why);
    free(name);
    tserver_stop(ts);
}
END_TEST

static Suite *
tls_suite(void)
{
    Suite *s = suite_create("tls");
    TCase *tc = tcase_create("tls");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_config_errors);
    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_blocking_exchange);
    tcase_add_test(tc, test_session_exchange);
    tcase_add_test(tc, test_wrong_ca_refused);
    tcase_add_test(tc, test_client_verifies_server);
    tcase_add_test(tc, test_raw_client_control);
    tcase_add_test(tc, test_missing_client_cert_refused);
    tcase_add_test(tc, test_tls11_refused);
    tcase_add_test(tc, test_plain_client_refused);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr;
    char *cmd;
    int failed;

    /* Refused peers hang up on us mid-write. */
    signal(SIGPIPE, SIG_IGN);
    generate_pki();
    sr = srunner_create(tls_suite());
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    cmd = xasprintf("rm -rf '%s'", pki_dir);
    if (system(cmd)) {
        /* Nothing to do: a leftover directory in /tmp is harmless. */
    }
    free(cmd);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
