/* main.c: xsw-switchd's command line.
 *
 *   xsw-switchd [--db=DATABASE | DATABASE] [--unixctl=PATH]
 *               [--n-threads=N] [--metrics=ptcp:PORT[:IP]] [--pidfile[=F]]
 *               [--detach] [--log-file[=F]] [-v SPEC]
 *
 * DATABASE is unix:PATH or tcp:IP:PORT; not ssl:, as xsw-switchd takes no
 * TLS keys (ovs-vswitchd has --private-key and the like for it).  It
 * defaults to unix:<rundir>/db.sock, where xsw-dbserver listens by
 * default; $XSW_DB overrides that default and --db (or a positional
 * argument, as ovs-vswitchd takes it) overrides both.  It is checked here,
 * before the daemon starts: the IDL would only give up on a bad one
 * without a word.  The
 * control socket has a fixed name, <rundir>/xsw-switchd.ctl, so that
 * "xsw-ctl fdb-show" and "ovs-appctl -t <rundir>/xsw-switchd.ctl" find it
 * without knowing the pid; unless --unixctl is given, the same commands
 * are also served where Open vSwitch's tools look,
 * <rundir>/xsw-switchd.<pid>.ctl. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bridge.h"
#include "coverage.h"
#include "daemon.h"
#include "metrics.h"
#include "stream.h"
#include "switch-metrics.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"
#include <uv.h>

VLOG_DEFINE_THIS_MODULE(switchd);

static bool exiting_cleanup;

static void usage(void) NO_RETURN;

static void
usage(void)
{
    printf("%s: xsw's switch daemon: keeps the datapath equal to what the\n"
           "database says and forwards packets between the ports of each\n"
           "bridge.\n"
           "usage: %s [OPTIONS] [DATABASE]\n"
           "\n"
           "DATABASE is how to reach xsw-dbserver (default\n"
           "unix:%s/db.sock; $XSW_DB overrides the default).\n"
           "Active DATABASE connection methods:\n"
           "  unix:PATH             Unix domain socket named PATH\n"
           "  tcp:IP:PORT           PORT at remote IP, a numeric address\n"
           "                        (IPv6 in brackets: tcp:[::1]:6640)\n"
           "ssl: is not available: xsw-switchd takes no TLS keys.\n"
           "\n"
           "Options:\n"
           "  --db=DATABASE         the same as the DATABASE argument\n"
           "  --unixctl=PATH        control socket (default\n"
           "                        %s/xsw-switchd.ctl)\n"
           "  --n-threads=N         forwarding threads (default: 1 on up to\n"
           "                        2 CPUs, else half the CPUs)\n"
           "  --metrics=ptcp:PORT[:IP]  serve Prometheus metrics over HTTP\n"
           "                        (GET /metrics)\n"
           "  -h, --help            this help\n"
           "  -V, --version         print the version\n",
           daemon_program_name(), daemon_program_name(), xsw_rundir(),
           xsw_rundir());
    daemon_usage();
    vlog_usage();
    exit(EXIT_SUCCESS);
}

/* Exits with an error unless 'db' names a database xsw-switchd can
 * connect to: unix:PATH or tcp:IP:PORT. */
static void
check_db_remote(const char *db)
{
    struct stream_addr addr;
    char *msg = NULL;

    if (!str_starts_with(db, "unix:") && !str_starts_with(db, "tcp:")) {
        fprintf(stderr, "%s: %s: the database must be unix:PATH or "
                "tcp:IP:PORT%s\n", daemon_program_name(), db,
                str_starts_with(db, "ssl:")
                ? " (ssl: is not available: xsw-switchd takes no TLS keys)"
                : "");
        exit(EXIT_FAILURE);
    }
    if (stream_parse(db, &addr, &msg)) {
        fprintf(stderr, "%s: %s\n", daemon_program_name(), msg);
        exit(EXIT_FAILURE);
    }
    stream_addr_destroy(&addr);
}

/* Samples the event counters for coverage/show. */
static void
coverage_timer_cb(uv_timer_t *timer OVS_UNUSED)
{
    coverage_run();
}

static void
exit_on_signal(uv_signal_t *handle, int signum)
{
    VLOG_INFO("%s, exiting", strsignal(signum));
    uv_stop(handle->loop);
}

/* "exit [--cleanup]": like ovs-vswitchd's; --cleanup also deletes the TAP
 * devices of internal ports, which otherwise outlive the daemon. */
static void
exit_cmd(struct unixctl_conn *conn, int argc, const char *argv[], void *aux)
{
    uv_loop_t *loop = aux;

    if (argc > 1) {
        if (strcmp(argv[1], "--cleanup")) {
            unixctl_command_reply_error(conn, "exit: unknown option");
            return;
        }
        exiting_cleanup = true;
    }
    VLOG_INFO("exiting on request%s", exiting_cleanup ? " (cleanup)" : "");
    unixctl_command_reply(conn, NULL);
    uv_stop(loop);
}

static unsigned int
default_n_threads(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);

    return n <= 2 ? 1 : n / 2;
}

int
main(int argc, char *argv[])
{
    enum {
        OPT_DB = 0x20000,
        OPT_UNIXCTL,
        OPT_N_THREADS,
        OPT_METRICS,
    };
    static const struct option long_options[] = {
        {"db", required_argument, NULL, OPT_DB},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"n-threads", required_argument, NULL, OPT_N_THREADS},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    const char *db = NULL;
    char *default_db = NULL, *default_ctl = NULL;
    const char *unixctl_path = NULL, *metrics_name = NULL;
    struct metrics_server *metrics = NULL;
    unsigned int n_threads = default_n_threads();
    struct unixctl_server *unixctl, *unixctl_ovs = NULL;
    uv_signal_t sigterm, sigint;
    uv_timer_t coverage_timer;
    uv_loop_t *loop;
    char *error;
    int c, err;

    daemon_set_program_name(argv[0]);
    unixctl_set_version("xsw-switchd (xsw) " PACKAGE_VERSION);
    while ((c = getopt_long(argc, argv, "hVv::", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_DB:
            db = optarg;
            break;
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;
        case OPT_METRICS:
            metrics_name = optarg;
            break;
        case OPT_N_THREADS: {
            char *end;
            long n = strtol(optarg, &end, 10);
            if (*end || n < 1 || n > 64) {
                fprintf(stderr, "%s: --n-threads: \"%s\" is not a number "
                        "between 1 and 64\n", daemon_program_name(), optarg);
                exit(EXIT_FAILURE);
            }
            n_threads = n;
            break;
        }
        case 'h':
            usage();
        case 'V':
            printf("xsw-switchd (xsw) %s\n", PACKAGE_VERSION);
            return 0;
        case '?':
            exit(EXIT_FAILURE);
        default:
            if (!vlog_handle_option(c, optarg)
                && !daemon_handle_option(c, optarg)) {
                fprintf(stderr, "%s: unhandled option\n",
                        daemon_program_name());
                exit(EXIT_FAILURE);
            }
        }
    }
    argc -= optind;
    argv += optind;
    if (argc > 1 || (argc == 1 && db)) {
        fprintf(stderr, "%s: at most one database may be given (use --help "
                "for help)\n", daemon_program_name());
        exit(EXIT_FAILURE);
    }
    if (argc == 1) {
        db = argv[0];
    }
    if (!db) {
        db = getenv("XSW_DB");
        if (!db || !*db) {
            db = default_db = xasprintf("unix:%s/db.sock", xsw_rundir());
        }
    }
    check_db_remote(db);
    if (!unixctl_path) {
        err = daemon_ensure_dir(xsw_rundir());
        if (err) {
            fprintf(stderr, "%s: cannot create %s: %s\n",
                    daemon_program_name(), xsw_rundir(), strerror(err));
            exit(EXIT_FAILURE);
        }
        unixctl_path = default_ctl = xasprintf("%s/xsw-switchd.ctl",
                                               xsw_rundir());
    }

    daemonize_start();
    loop = uv_default_loop();

    /* A control socket left by a crashed instance is in the way; a live
     * instance holding it would be stopped by the pidfile or, without one,
     * by the database lock, so removing the file is safe. */
    if (!access(unixctl_path, F_OK)) {
        char *result = NULL, *cerror = NULL;
        if (unixctl_client_transact(unixctl_path, "version", 0, NULL, 1000,
                                    &result, &cerror) == 0) {
            daemon_fatal("%s: another xsw-switchd is running and listening "
                         "there", unixctl_path);
        }
        free(result);
        free(cerror);
        unlink(unixctl_path);
    }
    err = unixctl_server_create(loop, unixctl_path, &unixctl, &error);
    if (err) {
        daemon_fatal("%s", error);
    }
    if (default_ctl) {
        /* Also where Open vSwitch's tools look, so that "ovs-appctl -t
         * xsw-switchd" works with OVS_RUNDIR=<rundir> (and --pidfile). */
        err = unixctl_server_create(loop, NULL, &unixctl_ovs, &error);
        if (err) {
            VLOG_WARN("%s", error);
            free(error);
            unixctl_ovs = NULL;
        }
    }
    vlog_register_unixctl();
    vlog_reopen_on_sighup(loop);
    unixctl_command_register("exit", "[--cleanup]", 0, 1, exit_cmd, loop);
    coverage_register_unixctl();
    uv_timer_init(loop, &coverage_timer);
    uv_timer_start(&coverage_timer, coverage_timer_cb, 1000, 1000);

    err = bridge_init(loop, db, n_threads, &error);
    if (err) {
        VLOG_ERR("%s", error);
        daemon_fatal("%s", error);
    }
    if (metrics_name && metrics_server_create(loop, metrics_name,
                                              switch_metrics_collect, NULL,
                                              &metrics, &error)) {
        daemon_fatal("--metrics: %s", error);
    }

    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, exit_on_signal, SIGTERM);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, exit_on_signal, SIGINT);
    signal(SIGPIPE, SIG_IGN);

    daemonize_complete();
    VLOG_INFO("xsw-switchd (xsw) %s started; control socket %s",
              PACKAGE_VERSION, unixctl_path);
    uv_run(loop, UV_RUN_DEFAULT);

    metrics_server_destroy(metrics);
    bridge_exit(exiting_cleanup);
    unixctl_server_destroy(unixctl);
    if (unixctl_ovs) {
        unixctl_server_destroy(unixctl_ovs);
    }
    uv_close((uv_handle_t *) &coverage_timer, NULL);
    uv_close((uv_handle_t *) &sigterm, NULL);
    uv_close((uv_handle_t *) &sigint, NULL);
    vlog_stop_reopen_on_sighup();
    uv_run(loop, UV_RUN_NOWAIT);
    free(default_db);
    free(default_ctl);
    return 0;
}
