/* test-stream.c: remote-name parsing and blocking connects. */
#include <config.h>
#include "stream.h"

#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

static void
check_parse(const char *name, enum stream_kind kind, bool passive,
            const char *path, const char *host, int port)
{
    struct stream_addr addr;
    char *error;
    int retval = stream_parse(name, &addr, &error);

    ck_assert_msg(!retval, "%s: %s", name, error);
    ck_assert_ptr_null(error);
    ck_assert_int_eq(addr.kind, kind);
    ck_assert_int_eq(addr.passive, passive);
    if (path) {
        ck_assert_str_eq(addr.path, path);
    } else {
        ck_assert_str_eq(addr.host, host);
        ck_assert_int_eq(addr.port, port);
    }
    stream_addr_destroy(&addr);
}

/* Asserts that 'name' is rejected with a message containing 'needle'. */
static void
check_parse_error(const char *name, const char *needle)
{
    struct stream_addr addr;
    char *error = NULL;
    int retval = stream_parse(name, &addr, &error);

    ck_assert_msg(retval != 0, "%s should not parse", name);
    ck_assert_ptr_nonnull(error);
    ck_assert_msg(strstr(error, needle), "\"%s\" lacks \"%s\"", error,
                  needle);
    free(error);
}

START_TEST(test_parse_valid)
{
    check_parse("punix:/var/run/xsw/db.sock", STREAM_UNIX, true,
                "/var/run/xsw/db.sock", NULL, 0);
    check_parse("unix:db.sock", STREAM_UNIX, false, "db.sock", NULL, 0);
    check_parse("ptcp:6640", STREAM_TCP, true, NULL, "0.0.0.0", 6640);
    check_parse("ptcp:6640:127.0.0.1", STREAM_TCP, true, NULL, "127.0.0.1",
                6640);
    check_parse("ptcp:6640:[::1]", STREAM_TCP, true, NULL, "::1", 6640);
    check_parse("ptcp:6640:::1", STREAM_TCP, true, NULL, "::1", 6640);
    check_parse("ptcp:0", STREAM_TCP, true, NULL, "0.0.0.0", 0);
    check_parse("tcp:10.0.0.1:6641", STREAM_TCP, false, NULL, "10.0.0.1",
                6641);
    check_parse("tcp:[fe80::1]:6640", STREAM_TCP, false, NULL, "fe80::1",
                6640);
    ck_assert(stream_is_passive("punix:/x"));
    ck_assert(stream_is_passive("ptcp:1"));
    ck_assert(!stream_is_passive("unix:/x"));
    ck_assert(!stream_is_passive("tcp:1.2.3.4:5"));
}
END_TEST

START_TEST(test_parse_invalid)
{
    check_parse_error("ssl:1.2.3.4:6640", "\"ssl:1.2.3.4:6640\"");
    check_parse_error("/var/run/db.sock", "unknown remote syntax");
    check_parse_error("unix:", "missing socket file name");
    check_parse_error("tcp:1.2.3.4", "missing port number");
    check_parse_error("tcp:1.2.3.4:0", "not a valid port");
    check_parse_error("tcp:1.2.3.4:70000", "not a valid port");
    check_parse_error("tcp:localhost:6640", "not a numeric IP");
    check_parse_error("ptcp:http", "not a valid port");
    check_parse_error("ptcp:6640:1.2.3", "not a numeric IP");

    char name[300];
    memset(name, 'a', sizeof name);
    memcpy(name, "unix:", 5);
    name[sizeof name - 1] = '\0';
    check_parse_error(name, "longer than");
}
END_TEST

START_TEST(test_open_block_refused)
{
    char *error = NULL;
    int fd;
    int retval = stream_open_block("unix:/nonexistent/xt-none.sock", 1000,
                                   &fd, &error);

    ck_assert_int_eq(retval, ENOENT);
    ck_assert_int_eq(fd, -1);
    ck_assert_ptr_nonnull(strstr(error, "unix:/nonexistent/xt-none.sock"));
    free(error);

    /* Nothing listens on port 1 of the loopback: refused, not a hang. */
    retval = stream_open_block("tcp:127.0.0.1:1", 1000, &fd, &error);
    ck_assert_int_eq(retval, ECONNREFUSED);
    free(error);

    retval = stream_open_block("punix:/tmp/x", 1000, &fd, &error);
    ck_assert_int_eq(retval, EINVAL);
    ck_assert_ptr_nonnull(strstr(error, "passive"));
    free(error);
}
END_TEST

static void
never_called(uv_stream_t *stream OVS_UNUSED, int error OVS_UNUSED,
             void *aux OVS_UNUSED)
{
    ck_abort_msg("a passive remote must not start a connection");
}

/* The non-blocking connect refuses a passive remote as the blocking one
 * does, before it touches the loop. */
START_TEST(test_connect_passive)
{
    struct stream_connect *sc = (void *) 1;
    char *error = NULL;
    uv_loop_t loop;

    ck_assert_int_eq(uv_loop_init(&loop), 0);
    ck_assert_int_eq(stream_connect(&loop, "ptcp:0:127.0.0.1", never_called,
                                    NULL, &sc, &error), EINVAL);
    ck_assert_ptr_null(sc);
    ck_assert_str_eq(error, "ptcp:0:127.0.0.1: cannot connect to a passive "
                     "remote (use unix:, tcp: or ssl:)");
    free(error);
    ck_assert_int_eq(uv_run(&loop, UV_RUN_NOWAIT), 0);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static void
accept_and_keep(struct stream_listener *l, uv_stream_t *client,
                const char *peer, void *aux)
{
    char **peerp = aux;

    *peerp = xstrdup(peer);
    stream_close(client);
    stream_listener_close(l);
}

/* A punix: socket gets owner-only permissions, a stale socket file is
 * replaced, and a blocking connect reaches a libuv listener. */
START_TEST(test_listen_unix)
{
    char dir[] = "/tmp/xt-stream-XXXXXX";
    struct stream_listener *l;
    char *path, *name, *conn_name, *error = NULL, *peer = NULL;
    uv_loop_t loop;
    struct stat st;
    int fd;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    path = xasprintf("%s/db.sock", dir);
    name = xasprintf("punix:%s", path);
    conn_name = xasprintf("unix:%s", path);
    uv_loop_init(&loop);

    /* A stale socket file, as a crashed daemon leaves behind. */
    struct sockaddr_un sun = { .sun_family = AF_UNIX };
    int stale = socket(AF_UNIX, SOCK_STREAM, 0);
    strcpy(sun.sun_path, path);
    ck_assert_int_eq(bind(stale, (struct sockaddr *) &sun, sizeof sun), 0);
    close(stale);
    ck_assert_int_eq(access(path, F_OK), 0);

    ck_assert_int_eq(stream_listen(&loop, name, NULL, accept_and_keep, &peer,
                                   &l, &error), 0);
    ck_assert_int_eq(stat(path, &st), 0);
    ck_assert_int_eq(st.st_mode & 0777, 0700);

    /* A live listener is not "stale": a second one must fail. */
    struct stream_listener *l2;
    ck_assert_int_eq(stream_listen(&loop, name, NULL, accept_and_keep, &peer,
                                   &l2, &error), EADDRINUSE);
    ck_assert_ptr_nonnull(strstr(error, path));
    free(error);
    error = NULL;

    ck_assert_int_eq(stream_open_block(conn_name, 1000, &fd, &error), 0);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_ptr_nonnull(peer);
    ck_assert(str_starts_with(peer, "unix#"));
    close(fd);
    ck_assert_int_eq(uv_loop_close(&loop), 0);

    free(peer);
    free(path);
    free(name);
    free(conn_name);
    rmdir(dir);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("stream");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_parse_valid);
    tcase_add_test(tc, test_parse_invalid);
    tcase_add_test(tc, test_open_block_refused);
    tcase_add_test(tc, test_connect_passive);
    tcase_add_test(tc, test_listen_unix);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
