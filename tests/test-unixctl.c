/* test-unixctl.c: our control socket against Open vSwitch's real
 * ovs-appctl, and our blocking client against it too. */
#include <config.h>
#include "unixctl.h"

#include <check.h>
#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(test_unixctl);

struct ctl_thread {
    pthread_t thread;
    uv_loop_t loop;
    uv_async_t stop;
    struct unixctl_server *server;
    char dir[32];
    char *path;
};

/* "xt/echo A B": replies "A+B". */
static void
echo_cb(struct unixctl_conn *conn, int argc, const char *argv[],
        void *aux OVS_UNUSED)
{
    char *s = xstrdup("");

    ck_assert_str_eq(argv[0], "xt/echo");
    for (int i = 1; i < argc; i++) {
        char *t = xasprintf("%s%s%s", s, i > 1 ? "+" : "", argv[i]);
        free(s);
        s = t;
    }
    unixctl_command_reply(conn, s);
    free(s);
}

static void
fail_cb(struct unixctl_conn *conn, int argc OVS_UNUSED,
        const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    unixctl_command_reply_error(conn, "xt/fail failed as asked");
}

/* Replies later, from a timer: the asynchronous reply path. */
static void
later_timer_cb(uv_timer_t *timer)
{
    unixctl_command_reply(timer->data, "later");
    uv_close((uv_handle_t *) timer, (uv_close_cb) free);
}

static void
later_cb(struct unixctl_conn *conn, int argc OVS_UNUSED,
         const char *argv[] OVS_UNUSED, void *loop)
{
    uv_timer_t *timer = xmalloc(sizeof *timer);

    uv_timer_init(loop, timer);
    timer->data = conn;
    uv_timer_start(timer, later_timer_cb, 50, 0);
}

static void
stop_cb(uv_async_t *async)
{
    struct ctl_thread *ct = async->data;

    unixctl_server_destroy(ct->server);
    uv_close((uv_handle_t *) async, NULL);
}

static void *
thread_main(void *ct_)
{
    struct ctl_thread *ct = ct_;

    uv_run(&ct->loop, UV_RUN_DEFAULT);
    return NULL;
}

static void
ctl_start(struct ctl_thread *ct)
{
    char *error = NULL;

    strcpy(ct->dir, "/tmp/xt-unixctl-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(ct->dir));
    ct->path = xasprintf("%s/xt.ctl", ct->dir);

    uv_loop_init(&ct->loop);
    unixctl_command_register("xt/echo", "ARG...", 0, 3, echo_cb, NULL);
    unixctl_command_register("xt/fail", "", 0, 0, fail_cb, NULL);
    unixctl_command_register("xt/later", "", 0, 0, later_cb, &ct->loop);
    vlog_register_unixctl();
    ck_assert_msg(!unixctl_server_create(&ct->loop, ct->path, &ct->server,
                                         &error), "%s", error);
    ck_assert_str_eq(unixctl_server_get_path(ct->server), ct->path);
    uv_async_init(&ct->loop, &ct->stop, stop_cb);
    ct->stop.data = ct;
    pthread_create(&ct->thread, NULL, thread_main, ct);
}

static void
ctl_stop(struct ctl_thread *ct)
{
    uv_async_send(&ct->stop);
    pthread_join(ct->thread, NULL);
    ck_assert_int_eq(uv_loop_close(&ct->loop), 0);
    ck_assert_int_ne(access(ct->path, F_OK), 0);   /* Socket removed. */
    rmdir(ct->dir);
    free(ct->path);
}

/* Runs "ovs-appctl -t PATH ARGS" and returns its stdout and stderr (both
 * malloc'd) and exit status. */
static int
appctl(const char *path, const char *args, char **out, char **err)
{
    char errfile[] = "/tmp/xt-appctl-err-XXXXXX";
    int errfd = mkstemp(errfile);
    char *cmd = xasprintf("ovs-appctl --timeout=5 -t %s %s 2>%s", path, args,
                          errfile);
    FILE *p = popen(cmd, "r");
    size_t size = 0;
    int status;

    ck_assert_ptr_nonnull(p);
    *out = xzalloc(65536);
    size = fread(*out, 1, 65535, p);
    (*out)[size] = '\0';
    status = pclose(p);

    *err = xzalloc(65536);
    size = pread(errfd, *err, 65535, 0);
    (*err)[size > 0 ? size : 0] = '\0';
    close(errfd);
    unlink(errfile);
    free(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

START_TEST(test_ovs_appctl)
{
    struct ctl_thread ct;
    char *out, *err;

    if (access("/usr/bin/ovs-appctl", X_OK)) {
        ck_abort_msg("ovs-appctl is not installed");
    }
    daemon_set_program_name("xt-unixctl");
    ctl_start(&ct);

    ck_assert_int_eq(appctl(ct.path, "list-commands", &out, &err), 0);
    ck_assert_msg(str_starts_with(out, "The available commands are:\n"),
                  "%s", out);
    ck_assert_ptr_nonnull(strstr(out, "\n  list-commands"));
    ck_assert_ptr_nonnull(strstr(out, "\n  version"));
    ck_assert_ptr_nonnull(strstr(out, "\n  vlog/list"));
    ck_assert_ptr_nonnull(strstr(out, "\n  xt/echo                 ARG...\n"));
    free(out);
    free(err);

    ck_assert_int_eq(appctl(ct.path, "version", &out, &err), 0);
    ck_assert_str_eq(out, "xt-unixctl (xsw) " PACKAGE_VERSION "\n");
    free(out);
    free(err);

    ck_assert_int_eq(appctl(ct.path, "xt/echo a 'b c'", &out, &err), 0);
    ck_assert_str_eq(out, "a+b c\n");
    free(out);
    free(err);

    /* Errors: ovs-appctl prints them on stderr and exits 2. */
    ck_assert_int_eq(appctl(ct.path, "xt/fail", &out, &err), 2);
    ck_assert_str_eq(out, "");
    ck_assert_ptr_nonnull(strstr(err, "xt/fail failed as asked"));
    free(out);
    free(err);

    ck_assert_int_eq(appctl(ct.path, "no/such", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "\"no/such\" is not a valid command"));
    free(out);
    free(err);

    ck_assert_int_eq(appctl(ct.path, "xt/echo 1 2 3 4", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "at most 3 arguments"));
    free(out);
    free(err);

    ck_assert_int_eq(appctl(ct.path, "xt/later", &out, &err), 0);
    ck_assert_str_eq(out, "later\n");
    free(out);
    free(err);

    /* vlog/set takes effect and vlog/list shows it. */
    ck_assert_int_eq(appctl(ct.path, "vlog/set test_unixctl:file:dbg",
                            &out, &err), 0);
    free(out);
    free(err);
    ck_assert_int_eq(vlog_get_level(this_module, VLF_FILE), VLL_DBG);
    ck_assert_int_eq(appctl(ct.path, "vlog/list", &out, &err), 0);
    ck_assert_ptr_nonnull(strstr(out, "console    syslog    file"));
    ck_assert_msg(strstr(out, "\ntest_unixctl      WARN       WARN        DBG\n"),
                  "%s", out);
    free(out);
    free(err);
    ck_assert_int_eq(appctl(ct.path, "vlog/set nonsense", &out, &err), 2);
    ck_assert_ptr_nonnull(strstr(err, "\"nonsense\""));
    free(out);
    free(err);

    ctl_stop(&ct);
}
END_TEST

START_TEST(test_client_transact)
{
    const char *args[] = { "x", "y" };
    struct ctl_thread ct;
    char *result, *error;

    ctl_start(&ct);
    ck_assert_int_eq(unixctl_client_transact(ct.path, "xt/echo", 2, args,
                                             2000, &result, &error), 0);
    ck_assert_ptr_null(error);
    ck_assert_str_eq(result, "x+y\n");
    free(result);

    ck_assert_int_eq(unixctl_client_transact(ct.path, "xt/fail", 0, NULL,
                                             2000, &result, &error), 0);
    ck_assert_ptr_null(result);
    ck_assert_str_eq(error, "xt/fail failed as asked\n");
    free(error);

    ck_assert_int_eq(unixctl_client_transact(ct.path, "xt/later", 0, NULL,
                                             2000, &result, &error), 0);
    ck_assert_str_eq(result, "later\n");
    free(result);
    char *path = xstrdup(ct.path);
    ctl_stop(&ct);

    /* Server gone: a clear failure, not a hang. */
    ck_assert_int_eq(unixctl_client_transact(path, "version", 0, NULL,
                                             2000, &result, &error), ENOENT);
    free(path);
    ck_assert_ptr_null(result);
    ck_assert_ptr_nonnull(error);
    free(error);
}
END_TEST

/* "ovs-appctl -t NAME" finds the daemon by its pidfile and default socket
 * name under OVS_RUNDIR, as it does for Open vSwitch's own daemons. */
START_TEST(test_appctl_by_name)
{
    char dir[] = "/tmp/xt-unixctl-XXXXXX";
    struct unixctl_server *server;
    char *pidfile, *sock, *cmd, *error, out[256];
    size_t n;
    FILE *p;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    setenv("XSW_RUNDIR", dir, 1);
    daemon_set_program_name("xt-named");
    pidfile = xasprintf("%s/xt-named.pid", dir);
    ck_assert_int_eq(daemon_pidfile_create(pidfile, false, &error), 0);

    /* A server at the default path. */
    uv_loop_t loop;
    uv_loop_init(&loop);
    ck_assert_int_eq(unixctl_server_create(&loop, NULL, &server, &error), 0);
    sock = xasprintf("%s/xt-named.%ld.ctl", dir, (long) getpid());
    ck_assert_str_eq(unixctl_server_get_path(server), sock);

    /* ovs-appctl runs in the background while we serve it. */
    cmd = xasprintf("OVS_RUNDIR=%s ovs-appctl --timeout=5 -t xt-named "
                    "version", dir);
    p = popen(cmd, "r");
    ck_assert_ptr_nonnull(p);
    for (int i = 0; i < 300; i++) {
        uv_run(&loop, UV_RUN_NOWAIT);
        usleep(10000);
        struct pollfd pfd = { .fd = fileno(p), .events = POLLIN };
        if (poll(&pfd, 1, 0) > 0) {
            break;
        }
    }
    n = fread(out, 1, sizeof out - 1, p);
    out[n] = '\0';
    ck_assert_int_eq(pclose(p), 0);
    ck_assert_str_eq(out, "xt-named (xsw) " PACKAGE_VERSION "\n");

    unixctl_server_destroy(server);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    daemon_pidfile_remove();
    rmdir(dir);
    free(cmd);
    free(sock);
    free(pidfile);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("unixctl");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_ovs_appctl);
    tcase_add_test(tc, test_client_transact);
    tcase_add_test(tc, test_appctl_by_name);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
