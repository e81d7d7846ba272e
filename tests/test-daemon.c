/* test-daemon.c: pidfile locking, --detach hand-off, option parsing. */
#include <config.h>
#include "daemon.h"

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static char dir[] = "/tmp/xt-daemon-XXXXXX";

static void
setup(void)
{
    ck_assert_ptr_nonnull(mkdtemp(dir));
    setenv("XSW_RUNDIR", dir, 1);
    daemon_set_program_name("/usr/sbin/xt-daemon");
}

static void
teardown(void)
{
    char *cmd = xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    strcpy(dir, "/tmp/xt-daemon-XXXXXX");
}

/* Runs 'fn' in a child process; returns its exit status and stores
 * whatever it wrote to stderr in '*err' (malloc'd). */
static int
run_child(void (*fn)(void *), void *aux, char **err)
{
    int fds[2];
    pid_t pid;
    int status;
    char buf[4096];
    ssize_t n;
    size_t len = 0;

    ck_assert_int_eq(pipe(fds), 0);
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (!pid) {
        /* Only stderr may hold the pipe open: a detached daemon redirects
         * it to /dev/null when ready, and that must end our read. */
        dup2(fds[1], STDERR_FILENO);
        close(fds[0]);
        close(fds[1]);
        fn(aux);
        _exit(0);
    }
    close(fds[1]);
    while ((n = read(fds[0], buf + len, sizeof buf - 1 - len)) > 0) {
        len += n;
    }
    buf[len] = '\0';
    close(fds[0]);
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    *err = xstrdup(buf);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
try_pidfile(void *path)
{
    char *error;
    int retval = daemon_pidfile_create(path, false, &error);

    if (retval) {
        fprintf(stderr, "%s", error);
    }
    exit(retval);               /* Not _exit(): atexit removes the file. */
}

static void
cat_file(void *path)
{
    char buf[64];
    int fd = open(path, O_RDONLY);
    ssize_t n = read(fd, buf, sizeof buf);

    if (n > 0) {
        fwrite(buf, 1, n, stderr);
    }
    fflush(stderr);
    _exit(n > 0 ? 0 : 1);
}

START_TEST(test_pidfile_lock)
{
    char *path = xasprintf("%s/sub/xt.pid", dir);
    char *error, *err;
    FILE *f;
    long pid;

    /* Creates missing directories, writes our pid. */
    ck_assert_int_eq(daemon_pidfile_create(path, false, &error), 0);
    ck_assert_ptr_null(error);
    /* Read it from another process: closing any descriptor for the file
     * here would drop our POSIX lock. */
    ck_assert_int_eq(run_child(cat_file, path, &err), 0);
    ck_assert_int_eq(sscanf(err, "%ld", &pid), 1);
    free(err);
    ck_assert_int_eq(pid, getpid());
    ck_assert_int_eq(daemon_pidfile_read(path), getpid());

    /* Another process is refused, and told who holds it. */
    ck_assert_int_eq(run_child(try_pidfile, path, &err), EBUSY);
    char *expected = xasprintf("already running as pid %ld", (long) getpid());
    ck_assert_msg(strstr(err, expected), "%s", err);
    free(expected);
    free(err);

    /* So is a second attempt from this very process. */
    ck_assert_int_eq(daemon_pidfile_create(path, false, &error), EBUSY);
    free(error);

    /* Removed on request (and at exit). */
    daemon_pidfile_remove();
    ck_assert_int_ne(access(path, F_OK), 0);
    ck_assert_int_eq(daemon_pidfile_read(path), 0);

    /* A pidfile left by a dead process (no lock) is simply taken over. */
    f = fopen(path, "w");
    fprintf(f, "999999\n");
    fclose(f);
    ck_assert_int_eq(daemon_pidfile_read(path), 0);
    ck_assert_int_eq(run_child(try_pidfile, path, &err), 0);
    free(err);
    /* The child exited, so the lock is free again and the file is gone. */
    ck_assert_int_ne(access(path, F_OK), 0);
    free(path);
}
END_TEST

/* The daemon: with --detach, reports failure or readiness. */
static void
detached_daemon(void *mode_)
{
    const char *mode = mode_;
    char *pidfile = xasprintf("%s/xt-daemon.pid", dir);

    daemon_set_detach(true);
    daemon_set_pidfile(NULL);
    ck_assert_str_eq(daemon_get_pidfile(), pidfile);
    daemonize_start();
    if (!strcmp(mode, "fail")) {
        daemon_fatal("could not open database %s", "xt.db");
    } else if (!strcmp(mode, "crash")) {
        raise(SIGKILL);
    }
    daemonize_complete();
    /* Serve until told to go: the test kills us by the pid in the pidfile. */
    for (;;) {
        pause();
    }
}

START_TEST(test_detach_fail)
{
    char *err;

    ck_assert_int_eq(run_child(detached_daemon, "fail", &err), 1);
    ck_assert_str_eq(err, "xt-daemon: could not open database xt.db\n");
    free(err);

    ck_assert_int_eq(run_child(detached_daemon, "crash", &err), 1);
    ck_assert_msg(strstr(err, "killed by signal 9"), "%s", err);
    free(err);
}
END_TEST

START_TEST(test_detach_ready)
{
    char *pidfile = xasprintf("%s/xt-daemon.pid", dir);
    char *err;
    pid_t pid;

    /* The parent returns 0 only once the child is ready, and by then the
     * pidfile names the running daemon. */
    ck_assert_int_eq(run_child(detached_daemon, "ok", &err), 0);
    ck_assert_str_eq(err, "");
    free(err);
    pid = daemon_pidfile_read(pidfile);
    ck_assert_int_gt(pid, 0);
    ck_assert_int_eq(kill(pid, 0), 0);

    /* A second instance is refused while the first lives. */
    ck_assert_int_eq(run_child(detached_daemon, "ok", &err), 1);
    ck_assert_msg(strstr(err, "already running"), "%s", err);
    free(err);

    kill(pid, SIGKILL);
    for (int i = 0; i < 100 && daemon_pidfile_read(pidfile) > 0; i++) {
        usleep(10000);
    }
    ck_assert_int_eq(daemon_pidfile_read(pidfile), 0);
    free(pidfile);
}
END_TEST

START_TEST(test_options)
{
    static const struct option long_options[] = {
        DAEMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    char *argv[] = { "xt", "--pidfile=rel.pid", "--detach", "--no-chdir",
                     "--bogus", NULL };
    int argc = ARRAY_SIZE(argv) - 1;
    int c, n_unknown = 0;

    optind = 0;
    opterr = 0;
    while ((c = getopt_long(argc, argv, "", long_options, NULL)) != -1) {
        if (!daemon_handle_option(c, optarg)) {
            n_unknown++;
        }
    }
    ck_assert_int_eq(n_unknown, 1);
    char *expected = xasprintf("%s/rel.pid", dir);
    ck_assert_str_eq(daemon_get_pidfile(), expected);
    free(expected);
    ck_assert(daemon_is_detached());
    daemon_set_detach(false);

    ck_assert_str_eq(daemon_program_name(), "xt-daemon");
    ck_assert_str_eq(xsw_rundir(), dir);
    unsetenv("XSW_LOGDIR");
    ck_assert_str_eq(xsw_logdir(), "/var/log/xsw");
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("daemon");
    TCase *tc = tcase_create("core");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_pidfile_lock);
    tcase_add_test(tc, test_detach_fail);
    tcase_add_test(tc, test_detach_ready);
    tcase_add_test(tc, test_options);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
