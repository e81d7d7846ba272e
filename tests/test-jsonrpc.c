/* test-jsonrpc.c: framing, message classification, libuv connections,
 * sessions, the blocking client and the output backlog bound. */
#include <config.h>
#include "jsonrpc.h"

#include <check.h>
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include "ds.h"
#include "json-in.h"
#include "json-out.h"
#include "jsonrpc-client.h"
#include "stream.h"

/* ---- Framing. ---- */

/* Three messages with the traps a naive scanner falls into: braces and
 * brackets inside strings, escaped quotes, an escaped backslash right
 * before a closing quote, whitespace and newlines between messages, and
 * an array at top level. */
static const char stream_text[] =
    "  {\"method\":\"echo\",\"params\":[\"a{b}[\",\"q\\\"}\"],\"id\":1}"
    "\n\r\t{\"result\":[\"\\\\\",{\"x\":\"]\"}],\"error\":null,\"id\":1}"
    "[1,[2,{\"3\":[]}]]  \n";

static json_t *
expected_messages(void)
{
    return json_pack("[{s:s, s:[s, s], s:i}, {s:[s, {s:s}], s:n, s:i}, "
                     "[i, [i, {s:[]}]]]",
                     "method", "echo", "params", "a{b}[", "q\"}", "id", 1,
                     "result", "\\", "x", "]", "error", "id", 1,
                     1, 2, "3");
}

/* Feeds 'text' in pieces of the sizes given by 'split' (and the rest at
 * once), appending the parsed messages to a new array. */
static json_t *
parse_in_pieces(const char *text, size_t len, size_t split)
{
    struct jsonrpc_parser p;
    json_t *messages = json_array();
    size_t pos = 0;

    jsonrpc_parser_init(&p, 0, 0);
    while (pos < len) {
        size_t n = split ? MIN(split, len - pos) : len - pos;
        const char *data = text + pos;

        pos += n;
        while (n > 0) {
            json_t *msg;
            char *error;
            size_t used = jsonrpc_parser_feed(&p, data, n, &msg, &error);

            ck_assert_msg(!error, "unexpected error: %s", error);
            ck_assert_int_le(used, n);
            data += used;
            n -= used;
            if (msg) {
                json_array_append_new(messages, msg);
            }
        }
    }
    ck_assert(!jsonrpc_parser_is_partial(&p));
    jsonrpc_parser_destroy(&p);
    return messages;
}

START_TEST(test_framing_every_split)
{
    size_t len = strlen(stream_text);
    json_t *expected = expected_messages();

    /* Two pieces, split at every byte boundary. */
    for (size_t k = 0; k <= len; k++) {
        struct jsonrpc_parser p;
        json_t *got = json_array();
        const char *pieces[2] = { stream_text, stream_text + k };
        size_t lens[2] = { k, len - k };

        jsonrpc_parser_init(&p, 0, 0);
        for (int i = 0; i < 2; i++) {
            const char *data = pieces[i];
            size_t n = lens[i];
            while (n > 0) {
                json_t *msg;
                char *error;
                size_t used = jsonrpc_parser_feed(&p, data, n, &msg, &error);
                ck_assert_msg(!error, "split %zu: %s", k, error);
                data += used;
                n -= used;
                if (msg) {
                    json_array_append_new(got, msg);
                }
            }
        }
        ck_assert_msg(json_equal(got, expected), "split at %zu", k);
        json_decref(got);
        jsonrpc_parser_destroy(&p);
    }

    /* One byte at a time, and everything at once. */
    for (size_t split = 0; split <= 1; split++) {
        json_t *got = parse_in_pieces(stream_text, len, split);
        ck_assert(json_equal(got, expected));
        json_decref(got);
    }
    json_decref(expected);
}
END_TEST

/* Feeds 'text' whole and returns the error (caller frees), after checking
 * that 'n_good' messages came first. */
static char *
feed_expecting_error(struct jsonrpc_parser *p, const char *text, size_t len,
                     int n_good)
{
    char *error = NULL;
    int n_msgs = 0;

    while (len > 0) {
        json_t *msg;
        size_t used = jsonrpc_parser_feed(p, text, len, &msg, &error);
        if (error) {
            break;
        }
        if (msg) {
            n_msgs++;
            json_decref(msg);
        }
        text += used;
        len -= used;
    }
    ck_assert_int_eq(n_msgs, n_good);
    ck_assert_ptr_nonnull(error);
    return error;
}

START_TEST(test_framing_malformed)
{
    static const struct {
        const char *text;
        int n_good;
        const char *needle;
    } cases[] = {
        { "{\"id\":1} {\"a\":}", 1, "syntax error" },
        { "{\"a\":1,}", 0, "syntax error" },
        { "hello", 0, "must be a JSON object" },
        { "{\"a\":1} 42", 1, "must be a JSON object" },
        { "{\"a\":[1}]", 0, "syntax error" },
        { "{\"a\":\"\xff\"}", 0, "syntax error" },
        /* Structure errors fail at once, without waiting for a closing
         * bracket that would never come (ovsdb-server closes the
         * connection; a framer that only counts brackets hung). */
        { "{\"method\":\"echo\",\"params\":[,", 0,
          "byte 27: ',' where a value or ']' was expected" },
        { "{{{{", 0, "byte 1: '{' where a member name or '}' was expected" },
        { "{\"id\":1} [1 2", 1, "'2' where ',' or ']' was expected" },
        { "{\"a\" 1", 0, "'1' where ':' was expected" },
        { "{\"a\":1]", 0, "']' where ',' or '}' was expected" },
        { "[\"a\":", 0, "':' where ',' or ']' was expected" },
        { "{\"a\":1,}", 0, "'}' where a member name was expected" },
        { "{\"a\":/", 0, "'/' where a value was expected" },
    };

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        struct jsonrpc_parser p;
        json_t *msg;
        char *error, *error2;

        jsonrpc_parser_init(&p, 0, 0);
        error = feed_expecting_error(&p, cases[i].text,
                                     strlen(cases[i].text), cases[i].n_good);
        ck_assert_msg(strstr(error, cases[i].needle), "%s: \"%s\"",
                      cases[i].text, error);
        free(error);

        /* Once failed, the parser refuses further input. */
        ck_assert_int_eq(jsonrpc_parser_feed(&p, "{}", 2, &msg, &error2), 0);
        ck_assert_ptr_null(msg);
        ck_assert_ptr_nonnull(error2);
        free(error2);
        jsonrpc_parser_destroy(&p);
    }
}
END_TEST

START_TEST(test_framing_depth)
{
    struct jsonrpc_parser p;
    char text[64];
    char *error;

    memset(text, '[', 11);
    memset(text + 11, ']', 11);
    text[22] = '\0';

    jsonrpc_parser_init(&p, 0, 10);
    error = feed_expecting_error(&p, text, 22, 0);
    ck_assert_msg(strstr(error, "maximum depth of 10"), "%s", error);
    free(error);
    jsonrpc_parser_destroy(&p);

    /* Exactly at the limit is fine. */
    json_t *got = parse_in_pieces(text + 1, 20, 3);
    ck_assert_int_eq(json_array_size(got), 1);
    json_decref(got);
}
END_TEST

/* A 100 MB message against a 1 MiB limit: rejected once the limit is
 * crossed, without buffering more than the limit plus one read. */
START_TEST(test_framing_oversize)
{
    enum { CHUNK = 64 * 1024, LIMIT = 1024 * 1024 };
    struct jsonrpc_parser p;
    char *chunk = xmalloc(CHUNK);
    size_t total = 0;
    char *error = NULL;

    memset(chunk, 'x', CHUNK);
    memcpy(chunk, "{\"s\":\"", 6);
    jsonrpc_parser_init(&p, LIMIT, 0);
    while (total < 100u * 1000 * 1000) {
        json_t *msg;
        size_t used = jsonrpc_parser_feed(&p, chunk, CHUNK, &msg, &error);

        if (error) {
            break;
        }
        ck_assert_int_eq(used, CHUNK);
        ck_assert_ptr_null(msg);
        total += used;
        if (total == CHUNK) {
            memset(chunk, 'x', 6);
        }
    }
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, "exceeds the maximum size of 1048576 bytes"),
                  "%s", error);
    ck_assert_int_le(total, LIMIT);
    ck_assert_int_le(p.allocated, LIMIT + CHUNK);
    free(error);
    free(chunk);
    jsonrpc_parser_destroy(&p);
}
END_TEST

/* ---- Parsing (json-in.h). ---- */

/* jansson's compact text of 'json' (NULL for NULL): object keys in their
 * order, integers told from reals. */
static char *
dump_any(const json_t *json)
{
    return json ? json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY) : NULL;
}

/* json_in_loadb() returns what json_loadb() does for 'text' under 'flags':
 * the same value, keys in the same order, or the same error.  Whether the
 * fast path took it must be 'fast'. */
static void
check_json_in(const char *text, size_t len, size_t flags, bool fast)
{
    json_error_t want_error, got_error;
    json_t *want = json_loadb(text, len, flags, &want_error);
    json_t *got = json_in_loadb(text, len, flags, &got_error);
    json_t *fast_json = json_in_parse_fast(text, len, flags);
    char *want_text = dump_any(want);
    char *got_text = dump_any(got);
    char *fast_text = dump_any(fast_json);

    ck_assert_msg(!fast_json == !fast, "'%.*s' (flags %zu): fast path %s",
                  (int) len, text, flags, fast_json ? "taken" : "not taken");
    if (want) {
        ck_assert_msg(got && !strcmp(want_text, got_text),
                      "'%.*s': jansson %s, json_in %s", (int) len, text,
                      want_text, got_text ? got_text : "(error)");
        ck_assert_msg(!fast_json || !strcmp(want_text, fast_text),
                      "'%.*s': jansson %s, fast path %s", (int) len, text,
                      want_text, fast_text);
    } else {
        ck_assert_msg(!got, "'%.*s': jansson failed (%s), json_in gave %s",
                      (int) len, text, want_error.text, got_text);
        ck_assert_str_eq(want_error.text, got_error.text);
        ck_assert_int_eq(want_error.position, got_error.position);
    }
    free(want_text);
    free(got_text);
    free(fast_text);
    json_decref(want);
    json_decref(got);
    json_decref(fast_json);
}

START_TEST(test_json_in)
{
    /* Taken by the fast path, with and without JSON_DECODE_ANY. */
    static const char *const fast[] = {
        "{\"id\":1,\"method\":\"transact\",\"params\":[\"Open_vSwitch\","
        "{\"op\":\"insert\",\"table\":\"Interface\",\"row\":{\"name\":"
        "\"p1\",\"type\":\"internal\",\"ofport_request\":-42},"
        "\"uuid-name\":\"i\"},{\"op\":\"mutate\",\"table\":\"Bridge\","
        "\"where\":[[\"name\",\"==\",\"br0\"]],\"mutations\":[[\"ports\","
        "\"insert\",[\"set\",[[\"named-uuid\",\"p\"]]]]]}]}",
        "{}", "[]", " \t\r\n[ 1 , [ ] , { } ]\n ", "[\"\"]",
        "{\"a\":1,\"b\":2,\"a\":3}",             /* The last "a" wins. */
        "{\"z\":null,\"y\":true,\"x\":false}",
        "[0,-0,7,-7,123456789012345678,-123456789012345678]",
        "[\"~\x7f!\"]",                         /* DEL needs no escape. */
        "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]",
    };
    /* Valid or not, jansson's business. */
    static const char *const slow[] = {
        "[1.5]", "[1e3]", "[-1E-2]", "[1.0]", "[0.1,2]",
        "[1234567890123456789]", "[9223372036854775807]",
        "[9223372036854775808]", "[-9223372036854775809]",
        "[01]", "[-01]", "[-]", "[+1]", "[.5]", "[1.]",
        "[\"a\\\"b\"]", "[\"\\u00e9\"]", "[\"\\u0000\"]", "{\"\\u0000\":1}",
        "[\"\xc3\xa9\"]", "[\"\xff\"]", "[\"\x01\"]", "[\"a\tb\"]",
        "[tru]", "[truex]", "[nul]", "[True]", "[NaN]",
        "", "  ", "1", "\"x\"", "true", "null",
        "{} x", "{}}", "[1 2]", "[1,]", "[,1]", "{\"a\" 1}", "{1:2}",
        "{\"a\":1,}", "{\"a\":}", "{\"a\"", "[1", "[\"abc", "{\"a\":1",
        "[1]]", "[1]x", "[1]\x01", "\xef\xbb\xbf[]",
    };

    for (size_t i = 0; i < ARRAY_SIZE(fast); i++) {
        check_json_in(fast[i], strlen(fast[i]), 0, true);
        check_json_in(fast[i], strlen(fast[i]), JSON_DECODE_ANY, true);
    }
    for (size_t i = 0; i < ARRAY_SIZE(slow); i++) {
        /* A top-level scalar is fast with JSON_DECODE_ANY only. */
        bool any_fast = (!strcmp(slow[i], "1") || !strcmp(slow[i], "\"x\"")
                         || !strcmp(slow[i], "true")
                         || !strcmp(slow[i], "null"));
        check_json_in(slow[i], strlen(slow[i]), 0, false);
        check_json_in(slow[i], strlen(slow[i]), JSON_DECODE_ANY, any_fast);
    }

    /* A NUL inside the text, and a length that ends before the text. */
    check_json_in("[1]\0", 4, 0, false);
    check_json_in("[\"a\0b\"]", 7, 0, false);
    check_json_in("[12]", 3, 0, false);
    check_json_in("[12]", 4, 0, true);

    /* Deeper than the fast path recurses: jansson's, up to its limit and
     * beyond it. */
    for (int depth = JSON_IN_MAX_FAST_DEPTH - 1;
         depth <= JSON_IN_MAX_FAST_DEPTH + 1; depth++) {
        struct ds b = DS_EMPTY_INITIALIZER;
        for (int i = 0; i < depth; i++) {
            ds_put_cstr(&b, "[");
        }
        ds_put_cstr(&b, "{\"a\":1}");
        for (int i = 0; i < depth; i++) {
            ds_put_cstr(&b, "]");
        }
        /* The object inside counts as one more level. */
        check_json_in(b.s, b.len, 0, depth + 1 <= JSON_IN_MAX_FAST_DEPTH);
        ds_destroy(&b);
    }
    struct ds deep = DS_EMPTY_INITIALIZER;
    for (int i = 0; i < 3000; i++) {
        ds_put_cstr(&deep, "[");
    }
    check_json_in(deep.s, deep.len, 0, false);
    ds_destroy(&deep);
}
END_TEST

/* ---- Messages. ---- */

static void
check_classify(const char *text, enum jsonrpc_msg_type type)
{
    json_t *json = json_loads(text, 0, NULL);
    struct jsonrpc_msg msg;
    char *error;

    ck_assert_ptr_nonnull(json);
    error = jsonrpc_msg_parse(json, &msg);
    ck_assert_msg(!error, "%s: %s", text, error);
    ck_assert_msg(msg.type == type, "%s: got %s", text,
                  jsonrpc_msg_type_to_string(msg.type));
    json_decref(json);
}

static void
check_invalid(const char *text, const char *needle)
{
    json_t *json = json_loads(text, JSON_DECODE_ANY, NULL);
    struct jsonrpc_msg msg;
    char *error;

    ck_assert_ptr_nonnull(json);
    error = jsonrpc_msg_parse(json, &msg);
    ck_assert_msg(error != NULL, "%s should be invalid", text);
    ck_assert_msg(strstr(error, needle), "%s: \"%s\" lacks \"%s\"", text,
                  error, needle);
    free(error);
    json_decref(json);
}

START_TEST(test_classify)
{
    check_classify("{\"method\":\"transact\",\"params\":[],\"id\":7}",
                   JSONRPC_REQUEST);
    check_classify("{\"method\":\"update\",\"params\":[1],\"id\":null}",
                   JSONRPC_NOTIFY);
    check_classify("{\"method\":\"update\",\"params\":[]}", JSONRPC_NOTIFY);
    check_classify("{\"result\":{},\"error\":null,\"id\":\"x\"}",
                   JSONRPC_REPLY);
    check_classify("{\"result\":null,\"error\":null,\"id\":3}",
                   JSONRPC_REPLY);
    check_classify("{\"result\":null,\"error\":{\"error\":\"e\"},\"id\":3}",
                   JSONRPC_ERROR);

    check_invalid("[1]", "not a JSON object");
    check_invalid("{\"method\":\"m\",\"params\":{},\"id\":1}",
                  "\"params\" of \"m\" must be an array");
    check_invalid("{\"method\":1,\"params\":[],\"id\":1}",
                  "\"method\" must be a string");
    check_invalid("{\"method\":\"m\",\"id\":1}", "lacks \"params\"");
    check_invalid("{\"method\":\"m\",\"params\":[],\"id\":1,\"x\":2}",
                  "unexpected member \"x\"");
    check_invalid("{\"result\":1,\"error\":null}", "reply lacks \"id\"");
    check_invalid("{\"params\":[],\"id\":1}", "no \"method\"");
    check_invalid("{\"id\":1}", "neither");

    /* The constructors produce what the classifier accepts. */
    json_t *msgs[] = {
        jsonrpc_create_request("echo", json_array(), json_integer(1)),
        jsonrpc_create_notify("update", json_array()),
        jsonrpc_create_reply(json_object(), json_integer(1)),
        jsonrpc_create_error(json_string("oops"), json_integer(1)),
    };
    for (size_t i = 0; i < ARRAY_SIZE(msgs); i++) {
        struct jsonrpc_msg msg;
        char *error = jsonrpc_msg_parse(msgs[i], &msg);
        ck_assert_msg(!error, "%s", error);
        ck_assert_int_eq(msg.type, (int) i);
        json_decref(msgs[i]);
    }

    json_t *req = jsonrpc_create_request("transact", json_array(),
                                         json_integer(5));
    char *s = json_dumps(req, JSON_COMPACT | JSON_SORT_KEYS);
    ck_assert_str_eq(s, "{\"id\":5,\"method\":\"transact\",\"params\":[]}");
    free(s);
    json_decref(req);
}
END_TEST

/* ---- Connections over libuv. ---- */

/* A tiny server: answers every request with {"echoed": params}, sends an
 * "echo" probe to each new client, and records the probe's reply. */
struct test_server {
    uv_loop_t *loop;
    struct stream_listener *listener;
    struct jsonrpc_conn *conn;
    struct jsonrpc_conn_options options;
    bool probe;                     /* Send an echo probe on accept. */
    bool probe_answered;
    bool notify_before_reply;       /* Send a notification first. */
    int n_requests;
    enum jsonrpc_close_reason close_reason;
    char *close_message;
    bool closed;
};

static json_t *
probe_params(void)
{
    return json_pack("[s, i]", "are you there", 7);
}

static void
server_on_msg(struct jsonrpc_conn *conn, json_t *json, void *ts_)
{
    struct test_server *ts = ts_;
    struct jsonrpc_msg msg;
    char *error = jsonrpc_msg_parse(json, &msg);

    ck_assert_msg(!error, "%s", error);
    if (msg.type == JSONRPC_REPLY && json_is_string(msg.id)
        && !strcmp(json_string_value(msg.id), "probe")) {
        json_t *params = probe_params();
        ts->probe_answered = json_equal(msg.result, params);
        json_decref(params);
    } else if (msg.type == JSONRPC_REQUEST
               && !strcmp(msg.method, "noreply")) {
        /* Never answered: for the timeout test. */
    } else if (msg.type == JSONRPC_REQUEST && !strcmp(msg.method, "bye")) {
        jsonrpc_conn_close(conn);
    } else if (msg.type == JSONRPC_REQUEST
               && !strcmp(msg.method, "list_dbs")) {
        jsonrpc_conn_send(conn, jsonrpc_create_reply(
                              json_pack("[s]", "xt_db"),
                              json_incref(msg.id)));
    } else if (msg.type == JSONRPC_REQUEST) {
        ts->n_requests++;
        if (ts->notify_before_reply) {
            jsonrpc_conn_send(conn, jsonrpc_create_notify(
                                  "update", json_pack("[s]", "hello")));
            jsonrpc_conn_send(conn, jsonrpc_create_request(
                                  "echo", probe_params(),
                                  json_string("probe")));
        }
        jsonrpc_conn_send(conn, jsonrpc_create_reply(
                              json_pack("{s:O}", "echoed", msg.params),
                              json_incref(msg.id)));
    }
    json_decref(json);
}

static void
server_on_close(struct jsonrpc_conn *conn, enum jsonrpc_close_reason reason,
                const char *message, void *ts_)
{
    struct test_server *ts = ts_;

    ts->closed = true;
    ts->close_reason = reason;
    free(ts->close_message);
    ts->close_message = xstrdup(message);
    if (ts->conn == conn) {
        ts->conn = NULL;
    }
}

static void
server_on_accept(struct stream_listener *l OVS_UNUSED, uv_stream_t *stream,
                 const char *peer, void *ts_)
{
    static const struct jsonrpc_conn_callbacks cbs = {
        .on_msg = server_on_msg,
        .on_close = server_on_close,
    };
    struct test_server *ts = ts_;

    ts->conn = jsonrpc_conn_create(stream, peer, &cbs, &ts->options, ts);
    if (ts->probe) {
        jsonrpc_conn_send(ts->conn, jsonrpc_create_request(
                              "echo", probe_params(), json_string("probe")));
    }
}

static void
server_start(struct test_server *ts, uv_loop_t *loop, const char *name)
{
    char *error = NULL;

    ts->loop = loop;
    ck_assert_msg(!stream_listen(loop, name, NULL, server_on_accept, ts,
                                 &ts->listener, &error), "%s", error);
}

static void
server_stop(struct test_server *ts)
{
    if (ts->conn) {
        jsonrpc_conn_close(ts->conn);
    }
    stream_listener_close(ts->listener);
}

/* Client side of the session test. */
struct test_client {
    struct test_server *server;
    int n_connected;
    json_t *reply;
};

static void
client_on_connected(struct jsonrpc_session *s, void *tc_)
{
    struct test_client *tc = tc_;

    tc->n_connected++;
    ck_assert(jsonrpc_session_is_connected(s));
    ck_assert_int_eq(jsonrpc_session_send(
                         s, jsonrpc_create_request(
                             "transact", json_pack("[s, i]", "db", 42),
                             json_integer(1))), 0);
}

static void
client_on_msg(struct jsonrpc_session *s, json_t *msg, void *tc_)
{
    struct test_client *tc = tc_;

    /* The server's echo probe must never get here. */
    ck_assert_ptr_null(json_object_get(msg, "method"));
    tc->reply = msg;
    /* Done: tear everything down from inside a callback. */
    jsonrpc_session_destroy(s);
    server_stop(tc->server);
}

/* A Unix socket in a fresh directory of its own, so that tests running at
 * the same time do not meet: the server listens on 'listen_name'
 * ("punix:DIR/db.sock"), clients connect to 'connect_name'
 * ("unix:DIR/db.sock").  unix_remote_destroy() frees the names and removes
 * the directory, which must be empty by then. */
struct unix_remote {
    char dir[sizeof "/tmp/xt-jsonrpc-XXXXXX"];
    char *listen_name, *connect_name;
};

static void
unix_remote_init(struct unix_remote *ur)
{
    strcpy(ur->dir, "/tmp/xt-jsonrpc-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(ur->dir));
    ur->listen_name = xasprintf("punix:%s/db.sock", ur->dir);
    ur->connect_name = xasprintf("unix:%s/db.sock", ur->dir);
}

static void
unix_remote_destroy(struct unix_remote *ur)
{
    free(ur->listen_name);
    free(ur->connect_name);
    rmdir(ur->dir);
}

static void
run_session_test(const char *listen_name, bool tcp)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_connected = client_on_connected,
        .on_msg = client_on_msg,
    };
    struct test_server ts = { .probe = true };
    struct test_client tc = { .server = &ts };
    struct jsonrpc_session *s;
    uv_loop_t loop;
    char *connect_name, *error = NULL;

    uv_loop_init(&loop);
    server_start(&ts, &loop, listen_name);
    connect_name = (tcp
                    ? xasprintf("tcp:127.0.0.1:%d",
                                stream_listener_port(ts.listener))
                    : xasprintf("unix:%s", listen_name + 6));
    ck_assert_msg(!jsonrpc_session_create(&loop, connect_name, &cbs, NULL,
                                          &tc, &s, &error), "%s", error);
    uv_run(&loop, UV_RUN_DEFAULT);

    ck_assert_int_eq(tc.n_connected, 1);
    ck_assert_ptr_nonnull(tc.reply);
    json_t *expected = json_pack("{s:{s:[s, i]}, s:n, s:i}",
                                 "result", "echoed", "db", 42,
                                 "error", "id", 1);
    ck_assert(json_equal(tc.reply, expected));
    ck_assert(ts.probe_answered);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    json_decref(expected);
    json_decref(tc.reply);
    free(ts.close_message);
    free(connect_name);
}

START_TEST(test_session_unix)
{
    struct unix_remote ur;

    unix_remote_init(&ur);
    run_session_test(ur.listen_name, false);
    unix_remote_destroy(&ur);
}
END_TEST

START_TEST(test_session_tcp)
{
    run_session_test("ptcp:0:127.0.0.1", true);
}
END_TEST

/* A session retries until the server appears, telling its owner of each
 * failed attempt; jsonrpc_session_force_reconnect() drops the connection
 * and connects again at once. */
struct reconnect_test {
    uv_timer_t timer;
    struct test_server *server;
    const char *listen_name;
    struct jsonrpc_session *session;
    int n_connected, n_disconnected, n_failed;
    int last_errno;
    char *last_reason;
};

static void
reconnect_timer_cb(uv_timer_t *timer)
{
    struct reconnect_test *rt = timer->data;

    ck_assert(!jsonrpc_session_is_connected(rt->session));
    server_start(rt->server, timer->loop, rt->listen_name);
    uv_close((uv_handle_t *) timer, NULL);
}

static void
reconnect_on_connected(struct jsonrpc_session *s, void *rt_)
{
    struct reconnect_test *rt = rt_;

    ck_assert_int_eq(jsonrpc_session_get_seqno(s), ++rt->n_connected);
    if (rt->n_connected == 1) {
        jsonrpc_session_force_reconnect(s);
    } else {
        jsonrpc_session_destroy(s);
        server_stop(rt->server);
    }
}

static void
reconnect_on_disconnected(struct jsonrpc_session *s OVS_UNUSED,
                          const char *reason OVS_UNUSED, void *rt_)
{
    struct reconnect_test *rt = rt_;

    rt->n_disconnected++;
}

static void
reconnect_on_connect_failed(struct jsonrpc_session *s, int error,
                            const char *reason, void *rt_)
{
    struct reconnect_test *rt = rt_;

    ck_assert(!jsonrpc_session_is_connected(s));
    rt->n_failed++;
    rt->last_errno = error;
    free(rt->last_reason);
    rt->last_reason = xstrdup(reason);
}

static void
ignore_msg(struct jsonrpc_session *s OVS_UNUSED, json_t *msg,
           void *aux OVS_UNUSED)
{
    json_decref(msg);
}

START_TEST(test_session_reconnect)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_connected = reconnect_on_connected,
        .on_msg = ignore_msg,
        .on_disconnected = reconnect_on_disconnected,
        .on_connect_failed = reconnect_on_connect_failed,
    };
    struct jsonrpc_session_options options = {
        .min_backoff_ms = 10, .max_backoff_ms = 40,
    };
    struct test_server ts = { 0 };
    struct reconnect_test rt = { .server = &ts };
    struct unix_remote ur;
    uv_loop_t loop;

    unix_remote_init(&ur);
    rt.listen_name = ur.listen_name;
    uv_loop_init(&loop);
    ck_assert(!jsonrpc_session_create(&loop, ur.connect_name, &cbs, &options,
                                      &rt, &rt.session, NULL));
    uv_timer_init(&loop, &rt.timer);
    rt.timer.data = &rt;
    uv_timer_start(&rt.timer, reconnect_timer_cb, 200, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(rt.n_connected, 2);
    ck_assert_int_eq(rt.n_disconnected, 1);
    /* 200 ms of backoff from 10 ms, capped at 40 ms: several attempts,
     * each refused because the socket file is not there yet. */
    ck_assert_int_ge(rt.n_failed, 3);
    ck_assert_int_eq(rt.last_errno, ENOENT);
    ck_assert_str_eq(rt.last_reason, "No such file or directory");
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    free(rt.last_reason);
    free(ts.close_message);
    unix_remote_destroy(&ur);
}
END_TEST

/* After the server drops an established connection, the session reports
 * it and reconnects on its own. */
struct drop_test {
    struct test_server *server;
    int n_connected, n_disconnected;
    char *reason;
};

static void
drop_on_connected(struct jsonrpc_session *s, void *dt_)
{
    struct drop_test *dt = dt_;

    ck_assert_int_eq(jsonrpc_session_get_seqno(s), ++dt->n_connected);
    if (dt->n_connected == 1) {
        jsonrpc_session_send(s, jsonrpc_create_request("bye", json_array(),
                                                       json_integer(1)));
    } else {
        jsonrpc_session_destroy(s);
        server_stop(dt->server);
    }
}

static void
drop_on_disconnected(struct jsonrpc_session *s, const char *reason,
                     void *dt_)
{
    struct drop_test *dt = dt_;

    ck_assert(!jsonrpc_session_is_connected(s));
    ck_assert_int_eq(jsonrpc_session_send(s, json_object()), ENOTCONN);
    dt->n_disconnected++;
    free(dt->reason);
    dt->reason = xstrdup(reason);
}

START_TEST(test_session_drop)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_connected = drop_on_connected,
        .on_msg = ignore_msg,
        .on_disconnected = drop_on_disconnected,
    };
    struct jsonrpc_session_options options = { .min_backoff_ms = 10 };
    struct test_server ts = { 0 };
    struct drop_test dt = { .server = &ts };
    struct jsonrpc_session *s;
    uv_loop_t loop;
    char *connect_name;

    uv_loop_init(&loop);
    server_start(&ts, &loop, "ptcp:0:127.0.0.1");
    connect_name = xasprintf("tcp:127.0.0.1:%d",
                             stream_listener_port(ts.listener));
    ck_assert(!jsonrpc_session_create(&loop, connect_name, &cbs, &options,
                                      &dt, &s, NULL));
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(dt.n_connected, 2);
    ck_assert_int_eq(dt.n_disconnected, 1);
    ck_assert_str_eq(dt.reason, "connection closed by peer");
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    free(dt.reason);
    free(ts.close_message);
    free(connect_name);
}
END_TEST

/* A peer that sends garbage is disconnected with a clear reason. */
/* A test server on a loop of its own, and a raw client socket 'fd'
 * connected to it (accepted once 'ts.conn' is set).  Set 'ts.options'
 * before raw_peer_open(). */
struct raw_peer {
    struct test_server ts;
    struct unix_remote ur;
    uv_loop_t loop;
    int fd;
};

static void
raw_peer_open(struct raw_peer *rp, bool wait_accept)
{
    unix_remote_init(&rp->ur);
    uv_loop_init(&rp->loop);
    server_start(&rp->ts, &rp->loop, rp->ur.listen_name);
    ck_assert_int_eq(stream_open_block(rp->ur.connect_name, 1000, &rp->fd,
                                       NULL), 0);
    while (wait_accept && !rp->ts.conn) {
        uv_run(&rp->loop, UV_RUN_ONCE);
    }
}

static void
raw_peer_close(struct raw_peer *rp)
{
    server_stop(&rp->ts);
    uv_run(&rp->loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&rp->loop), 0);
    close(rp->fd);
    free(rp->ts.close_message);
    unix_remote_destroy(&rp->ur);
}

/* Reads from 'rp''s client socket exactly the 'len' bytes of 'expected'. */
static void
raw_peer_expect(struct raw_peer *rp, const char *expected, size_t len)
{
    char *buf = xmalloc(len + 1);
    size_t got = 0;

    while (got < len) {
        ssize_t n = recv(rp->fd, buf + got, len + 1 - got, 0);
        ck_assert_int_gt(n, 0);
        got += n;
    }
    ck_assert_uint_eq(got, len);
    ck_assert_msg(!memcmp(buf, expected, len), "got %.*s\nexpected %s",
                  (int) got, buf, expected);
    free(buf);
}

/* Appends to the malloc'd '*text' ('*len' bytes) 'msg' as jansson dumps it
 * compactly: what jsonrpc_conn_send() must put on the wire. */
static void
append_dump(char **text, size_t *len, const json_t *msg)
{
    char *s = json_dumps(msg, JSON_COMPACT | JSON_REAL_PRECISION(15));
    size_t n = strlen(s);

    *text = xrealloc(*text, *len + n + 1);
    memcpy(*text + *len, s, n + 1);
    *len += n;
    free(s);
}

/* Inactivity probe: a client that says nothing is sent an "echo" after
 * the interval and dropped after another (JSONRPC_CLOSE_TIMEOUT). */
START_TEST(test_conn_probe)
{
    struct test_server ts = { .options.probe_interval_ms = 1000 };
    uv_loop_t loop;
    char *name, *error = NULL;
    char buf[4096];
    ssize_t n, total = 0;
    int fd;

    uv_loop_init(&loop);
    server_start(&ts, &loop, "ptcp:0:127.0.0.1");
    name = xasprintf("tcp:127.0.0.1:%d", stream_listener_port(ts.listener));
    ck_assert_msg(!stream_open_block(name, 5000, &fd, &error), "%s", error);
    uint64_t start = uv_hrtime();
    while (!ts.closed) {
        uv_run(&loop, UV_RUN_ONCE);
    }
    uint64_t ms = (uv_hrtime() - start) / 1000000;
    ck_assert_int_eq(ts.close_reason, JSONRPC_CLOSE_TIMEOUT);
    ck_assert_msg(strstr(ts.close_message, "inactivity probe"), "%s",
                  ts.close_message);
    ck_assert_msg(ms >= 1900 && ms < 10000, "dropped after %llu ms",
                  (unsigned long long) ms);
    while ((n = read(fd, buf + total, sizeof buf - 1 - total)) > 0) {
        total += n;
    }
    buf[total] = '\0';
    ck_assert_msg(strstr(buf, "\"method\":\"echo\""), "got: %s", buf);
    close(fd);
    server_stop(&ts);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    free(ts.close_message);
    free(name);
}
END_TEST

/* A session to a port where nothing listens reports what ovsdb-server
 * writes into a Manager's status: BACKOFF, the error, never connected. */
static void
stats_timer_cb(uv_timer_t *timer)
{
    struct jsonrpc_session *s = timer->data;
    struct jsonrpc_session_stats stats;

    jsonrpc_session_get_stats(s, &stats);
    ck_assert_str_eq(stats.state, "BACKOFF");
    ck_assert_str_eq(stats.last_error, "Connection refused");
    ck_assert_int_eq(stats.ms_since_connect, -1);
    jsonrpc_session_destroy(s);
    uv_close((uv_handle_t *) timer, NULL);
}

START_TEST(test_session_stats)
{
    static const struct jsonrpc_session_callbacks cbs = {
        .on_msg = ignore_msg,
    };
    struct jsonrpc_session_options options = {
        .min_backoff_ms = 1000, .max_backoff_ms = 1000,
    };
    struct jsonrpc_session *s;
    struct stream_listener *l;
    uv_timer_t timer;
    uv_loop_t loop;
    char *name;
    int port;

    /* A port that was free a moment ago. */
    uv_loop_init(&loop);
    ck_assert(!stream_listen(&loop, "ptcp:0:127.0.0.1", NULL, NULL, NULL,
                             &l, NULL));
    port = stream_listener_port(l);
    stream_listener_close(l);
    uv_run(&loop, UV_RUN_DEFAULT);

    name = xasprintf("tcp:127.0.0.1:%d", port);
    ck_assert(!jsonrpc_session_create(&loop, name, &cbs, &options, NULL, &s,
                                      NULL));
    uv_timer_init(&loop, &timer);
    timer.data = s;
    uv_timer_start(&timer, stats_timer_cb, 300, 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    free(name);
}
END_TEST

START_TEST(test_conn_protocol_error)
{
    struct raw_peer rp = { .ts = { 0 } };
    struct test_server *ts = &rp.ts;

    raw_peer_open(&rp, false);
    const char garbage[] = "{\"method\":\"echo\",\"params\":[],\"id\":1}"
                           "{\"method\":}";
    ck_assert_int_eq(write(rp.fd, garbage, strlen(garbage)),
                     strlen(garbage));
    while (!ts->closed) {
        uv_run(&rp.loop, UV_RUN_ONCE);
    }
    ck_assert_int_eq(ts->n_requests, 1);
    ck_assert_int_eq(ts->close_reason, JSONRPC_CLOSE_PROTOCOL);
    ck_assert_msg(strstr(ts->close_message, "syntax error"), "%s",
                  ts->close_message);
    raw_peer_close(&rp);
}
END_TEST

/* A value memoized for a scope goes out, inside every message that holds
 * it, exactly as jansson dumps it, the same the first time (serialized) and
 * the later ones (copied); an unserializable one is refused every time; the
 * memo lets go of its references when the scope ends, and outside a scope
 * json_out_memo_add() holds nothing. */
START_TEST(test_conn_memo)
{
    struct raw_peer rp = { .ts = { 0 } };
    struct jsonrpc_conn *conn;

    raw_peer_open(&rp, true);
    conn = rp.ts.conn;

    json_t *shared = json_pack("{s:[s,i,f], s:{s:b}}", "Port", "p\"1", 42,
                               0.5, "Interface", "new", 1);
    json_t *bad = json_pack("[o]", json_stringn_nocheck("\xff", 1));
    json_out_memo_add(shared);          /* No scope: no reference kept. */
    ck_assert_uint_eq(shared->refcount, 1);

    json_out_memo_begin();
    json_out_memo_begin();              /* Nested: the outer one counts. */
    json_out_memo_add(shared);
    json_out_memo_add(shared);          /* Once is enough. */
    json_out_memo_add(bad);
    json_out_memo_end();
    ck_assert_uint_eq(shared->refcount, 2);

    size_t exp_len = 0;
    char *expected = NULL;
    jsonrpc_conn_cork(conn);
    for (int i = 0; i < 3; i++) {
        json_t *msg = jsonrpc_create_notify(
            "update2", json_pack("[i,O,s]", i, shared, "txn"));
        append_dump(&expected, &exp_len, msg);
        ck_assert_int_eq(jsonrpc_conn_send(conn, msg), 0);
        ck_assert_int_eq(jsonrpc_conn_send(conn, jsonrpc_create_notify(
                             "update2", json_pack("[O]", bad))), EINVAL);
    }
    json_out_memo_end();
    ck_assert_uint_eq(shared->refcount, 1);
    ck_assert_uint_eq(bad->refcount, 1);
    ck_assert_int_eq(jsonrpc_conn_uncork(conn), 0);
    raw_peer_expect(&rp, expected, exp_len);

    json_decref(shared);
    json_decref(bad);
    free(expected);
    raw_peer_close(&rp);
}
END_TEST

/* The bytes on the wire are jansson's compact dump, exactly, for every kind
 * of value; corked messages stay in the server until uncorked and then
 * arrive in order; a message that cannot be serialized is refused without
 * spoiling the others. */
static json_t *
wire_test_message(int i)
{
    static const double reals[] = {
        0.1, 1.0, -2.5, 1e20, 1e-7, -2.5e-300, 123456789012345678.0,
        3.141592653589793, 1e300, 0.0,
    };
    json_t *a = json_array();

    json_array_append_new(a, json_real(reals[i % 10]));
    json_array_append_new(a, json_integer(-(json_int_t) 1 - ((json_int_t) 1 << (i * 5 % 62))));
    json_array_append_new(a, json_string("q\"b\\s/\b\f\n\r\t\x01\x1f\x7f"
                                         " \xc3\xa9 \xe2\x82\xac "
                                         "\xf0\x9f\x98\x80"));
    json_array_append_new(a, json_pack("{s:[], s:{}, s:b, s:b, s:n}",
                                       "e", "o", "t", 1, "f", 0, "z"));
    return jsonrpc_create_notify("update", a);
}

START_TEST(test_conn_wire_format)
{
    struct raw_peer rp = { .ts = { 0 } };
    struct jsonrpc_conn *conn;

    raw_peer_open(&rp, true);
    conn = rp.ts.conn;

    size_t exp_len = 0;
    char *expected = NULL;
    jsonrpc_conn_cork(conn);
    for (int i = 0; i < 12; i++) {
        json_t *msg = wire_test_message(i);
        append_dump(&expected, &exp_len, msg);
        ck_assert_int_eq(jsonrpc_conn_send(conn, msg), 0);
        if (i == 5) {
            json_t *bad = jsonrpc_create_notify(
                "update", json_pack("[o]", json_stringn_nocheck("\xff", 1)));
            ck_assert_int_eq(jsonrpc_conn_send(conn, bad), EINVAL);
        }
    }
    char buf[64];
    ck_assert_int_eq(recv(rp.fd, buf, sizeof buf, MSG_DONTWAIT), -1);
    ck_assert_int_eq(errno, EAGAIN);

    ck_assert_int_eq(jsonrpc_conn_uncork(conn), 0);
    ck_assert_int_eq(jsonrpc_conn_uncork(conn), 0);
    /* Not corked any more: this one goes out at once. */
    json_t *last = jsonrpc_create_notify("update", json_pack("[i]", 7));
    ck_assert_int_eq(jsonrpc_conn_send(conn, last), 0);
    static const char last_text[]
        = "{\"method\":\"update\",\"params\":[7],\"id\":null}";
    expected = xrealloc(expected, exp_len + sizeof last_text);
    strcpy(expected + exp_len, last_text);
    exp_len += strlen(last_text);
    raw_peer_expect(&rp, expected, exp_len);

    free(expected);
    raw_peer_close(&rp);
}
END_TEST

/* A client that never reads is cut off once the backlog passes the bound,
 * instead of making the server buffer without limit. */
START_TEST(test_conn_backlog)
{
    struct raw_peer rp = {
        .ts = { .options = { .max_backlog = 256 * 1024 } }
    };
    struct test_server *ts = &rp.ts;
    int n_sent, retval = 0;
    char *big;

    raw_peer_open(&rp, true);

    big = xmalloc(16 * 1024 + 1);
    memset(big, 'u', 16 * 1024);
    big[16 * 1024] = '\0';
    for (n_sent = 0; n_sent < 10000; n_sent++) {
        retval = jsonrpc_conn_send(ts->conn, jsonrpc_create_notify(
                                       "update", json_pack("[s]", big)));
        if (retval) {
            break;
        }
    }
    ck_assert_int_eq(retval, ENOBUFS);
    /* 10000 x 16 KiB would be 160 MB: we must have stopped far sooner. */
    ck_assert_int_lt(n_sent, 1000);
    ck_assert(jsonrpc_conn_is_closing(ts->conn));
    ck_assert_int_eq(jsonrpc_conn_send(ts->conn, json_object()), ENOTCONN);
    while (!ts->closed) {
        uv_run(&rp.loop, UV_RUN_ONCE);
    }
    ck_assert_int_eq(ts->close_reason, JSONRPC_CLOSE_BACKLOG);
    ck_assert_msg(strstr(ts->close_message, "not reading"), "%s",
                  ts->close_message);
    free(big);
    raw_peer_close(&rp);
}
END_TEST

/* ---- Blocking client against a libuv server in another thread. ---- */

struct server_thread {
    pthread_t thread;
    uv_loop_t loop;
    uv_async_t stop;
    struct test_server ts;
    char *listen_name;
};

static void
stop_cb(uv_async_t *async)
{
    struct server_thread *st = async->data;

    server_stop(&st->ts);
    uv_close((uv_handle_t *) async, NULL);
}

static void *
server_thread_main(void *st_)
{
    struct server_thread *st = st_;

    uv_run(&st->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void
server_thread_start(struct server_thread *st, const char *listen_name)
{
    uv_loop_init(&st->loop);
    uv_async_init(&st->loop, &st->stop, stop_cb);
    st->stop.data = st;
    server_start(&st->ts, &st->loop, listen_name);
    pthread_create(&st->thread, NULL, server_thread_main, st);
}

static void
server_thread_stop(struct server_thread *st)
{
    uv_async_send(&st->stop);
    pthread_join(st->thread, NULL);
    ck_assert_int_eq(uv_loop_close(&st->loop), 0);
    free(st->ts.close_message);
}

static void
count_notify(json_t *msg, void *n_)
{
    int *n = n_;

    ck_assert_str_eq(json_string_value(json_object_get(msg, "method")),
                     "update");
    (*n)++;
    json_decref(msg);
}

START_TEST(test_blocking_client)
{
    struct server_thread st = { .ts = { .notify_before_reply = true } };
    struct unix_remote ur;
    struct jsonrpc_client *c;
    char *error = NULL;
    json_t *reply;
    int n_notify = 0;

    unix_remote_init(&ur);
    server_thread_start(&st, ur.listen_name);

    ck_assert_msg(!jsonrpc_client_open(ur.connect_name, 1000, &c, &error),
                  "%s", error);
    jsonrpc_client_set_notify_cb(c, count_notify, &n_notify);
    ck_assert_msg(!jsonrpc_client_transact(
                      c, jsonrpc_create_request("transact", json_array(),
                                                json_integer(9)),
                      2000, &reply, &error), "%s", error);
    json_t *expected = json_pack("{s:{s:[]}, s:n, s:i}", "result", "echoed",
                                 "error", "id", 9);
    ck_assert(json_equal(reply, expected));
    ck_assert_int_eq(n_notify, 1);
    json_decref(reply);
    json_decref(expected);

    /* A request nobody answers times out, promptly. */
    ck_assert_int_eq(jsonrpc_client_transact(
                         c, jsonrpc_create_request("noreply", json_array(),
                                                   json_integer(10)),
                         200, &reply, &error), ETIMEDOUT);
    ck_assert_ptr_null(reply);
    ck_assert_ptr_nonnull(strstr(error, "timed out"));
    free(error);
    jsonrpc_client_close(c);

    /* The one-shot helper. */
    ck_assert_int_eq(jsonrpc_transact_block(
                         ur.connect_name,
                         jsonrpc_create_request("x", json_array(),
                                                json_string("id")),
                         2000, &reply, &error), 0);
    ck_assert_ptr_nonnull(json_object_get(reply, "result"));
    json_decref(reply);

    server_thread_stop(&st);
    /* The server's echo probe was answered by the blocking client. */
    ck_assert(st.ts.probe_answered);

    ck_assert_int_eq(jsonrpc_client_open(ur.connect_name, 1000, &c, &error),
                     ENOENT);
    ck_assert_ptr_nonnull(strstr(error, ur.connect_name));
    free(error);

    unix_remote_destroy(&ur);
}
END_TEST

/* Open vSwitch's own client must be able to talk to a server built on
 * jsonrpc_conn, and our blocking client to Open vSwitch's server. */
START_TEST(test_interop_ovsdb_client)
{
    struct server_thread st = { .ts = { 0 } };
    struct unix_remote ur;
    char *cmd, out[256];
    size_t n;
    FILE *p;

    unix_remote_init(&ur);
    server_thread_start(&st, ur.listen_name);
    cmd = xasprintf("ovsdb-client --timeout=5 list-dbs %s", ur.connect_name);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_str_eq(out, "xt_db\n");
    server_thread_stop(&st);
    free(cmd);
    unix_remote_destroy(&ur);
}
END_TEST

START_TEST(test_interop_ovsdb_server)
{
    char dir[] = "/tmp/xt-jsonrpc-XXXXXX";
    char *db, *sock, *remote, *ctl, *cmd, *error = NULL;
    json_t *reply = NULL;
    pid_t pid;
    int retval = -1;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    db = xasprintf("%s/conf.db", dir);
    sock = xasprintf("%s/db.sock", dir);
    remote = xasprintf("--remote=punix:%s", sock);
    ctl = xasprintf("--unixctl=%s/db.ctl", dir);
    cmd = xasprintf("ovsdb-tool create %s "
                    "/usr/share/openvswitch/vswitch.ovsschema", db);
    ck_assert_int_eq(system(cmd), 0);

    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (!pid) {
        execlp("ovsdb-server", "ovsdb-server", remote, ctl, "--no-chdir",
               "-vconsole:off", db, (char *) NULL);
        _exit(127);
    }
    char *unix_name = xasprintf("unix:%s", sock);
    for (int i = 0; i < 200 && retval; i++) {
        free(error);
        error = NULL;
        retval = jsonrpc_transact_block(
            unix_name, jsonrpc_create_request("list_dbs", json_array(),
                                              json_integer(0)),
            2000, &reply, &error);
        if (retval) {
            usleep(20000);
        }
    }
    kill(pid, SIGTERM);
    waitpid(pid, NULL, 0);
    ck_assert_msg(!retval, "%s", error);
    json_t *expected = json_pack("{s:[s, s], s:n, s:i}", "result",
                                 "Open_vSwitch", "_Server", "error", "id", 0);
    ck_assert(json_equal(reply, expected));
    json_decref(expected);
    json_decref(reply);

    free(unix_name);
    free(cmd);
    cmd = xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    free(db);
    free(sock);
    free(remote);
    free(ctl);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("jsonrpc");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_framing_every_split);
    tcase_add_test(tc, test_framing_malformed);
    tcase_add_test(tc, test_framing_depth);
    tcase_add_test(tc, test_framing_oversize);
    tcase_add_test(tc, test_json_in);
    tcase_add_test(tc, test_classify);
    tcase_add_test(tc, test_session_unix);
    tcase_add_test(tc, test_session_tcp);
    tcase_add_test(tc, test_session_reconnect);
    tcase_add_test(tc, test_session_drop);
    tcase_add_test(tc, test_conn_protocol_error);
    tcase_add_test(tc, test_conn_probe);
    tcase_add_test(tc, test_session_stats);
    tcase_add_test(tc, test_conn_backlog);
    tcase_add_test(tc, test_conn_wire_format);
    tcase_add_test(tc, test_conn_memo);
    tcase_add_test(tc, test_blocking_client);
    tcase_add_test(tc, test_interop_ovsdb_client);
    tcase_add_test(tc, test_interop_ovsdb_server);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
