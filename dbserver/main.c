/* main.c: xsw-dbserver's command line.
 *
 *   xsw-dbserver [--remote=REMOTE]... [--unixctl=PATH] [--pidfile[=F]]
 *                [--metrics=ptcp:PORT[:IP]] [--detach] [--log-file[=F]]
 *                [-v SPEC] [DBFILE]...
 *   xsw-dbserver --create SCHEMA DBFILE
 *   xsw-dbserver --convert SCHEMA DBFILE
 *   xsw-dbserver --import OVS-DBFILE DBFILE
 *
 * With no DBFILE it serves the default database, <dbdir>/conf.db, creating
 * it from the built-in Open_vSwitch schema the first time.  With no
 * --remote it listens on punix:<rundir>/db.sock, where xsw-ctl and
 * xsw-switchd look by default, and serves the Manager rows of the
 * Open_vSwitch database (db:Open_vSwitch,Open_vSwitch,manager_options), as
 * Open vSwitch's ovs-ctl starts ovsdb-server. */
#include <config.h>

#include <errno.h>
#include <getopt.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>
#include <uv.h>

#include "convert.h"
#include "coverage.h"
#include "daemon.h"
#include "db.h"
#include "etcd-client.h"
#include "metrics.h"
#include "ovs-file.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "remotes.h"
#include "server.h"
#include "backend.h"
#include "tls.h"
#include "unixctl.h"
#include "util.h"
#include "vswitch-schema.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(dbserver);


static const char *
default_dbdir(void)
{
    const char *dir = getenv("XSW_DBDIR");
    return dir && dir[0] ? dir : "/var/lib/xsw";
}

/* ---- TLS options (--private-key, --certificate, --ca-cert). ---- */

enum {
    OPT_PRIVATE_KEY = 0x30000,
    OPT_CERTIFICATE,
    OPT_CA_CERT,
    OPT_BOOTSTRAP_CA_CERT
};
#define TLS_LONG_OPTIONS                                            \
    {"private-key", required_argument, NULL, OPT_PRIVATE_KEY},      \
    {"certificate", required_argument, NULL, OPT_CERTIFICATE},      \
    {"ca-cert", required_argument, NULL, OPT_CA_CERT},              \
    {"bootstrap-ca-cert", required_argument, NULL, OPT_BOOTSTRAP_CA_CERT}

static const char *tls_private_key, *tls_certificate, *tls_ca_cert;

static bool
tls_handle_option(int c, const char *arg)
{
    switch (c) {
    case OPT_PRIVATE_KEY: tls_private_key = arg; return true;
    case OPT_CERTIFICATE: tls_certificate = arg; return true;
    case OPT_CA_CERT: tls_ca_cert = arg; return true;
    case OPT_BOOTSTRAP_CA_CERT:
        /* Trusting whatever CA the first peer presents is a choice an
         * operator should make knowingly, outside the server. */
        fprintf(stderr, "%s: --bootstrap-ca-cert is not supported: "
                "xsw-dbserver does not fetch its CA certificate from the "
                "first peer; install the CA certificate and give it with "
                "--ca-cert=FILE (a file or db:DB,TABLE,COLUMN)\n",
                daemon_program_name());
        exit(EXIT_FAILURE);
    }
    return false;
}

/* True if any TLS option names a database column: then remotes.c resolves
 * them, at start and whenever the database changes. */
static bool
tls_from_db(void)
{
    const char *names[] = { tls_private_key, tls_certificate, tls_ca_cert };

    for (size_t i = 0; i < ARRAY_SIZE(names); i++) {
        if (names[i] && !strncmp(names[i], "db:", 3)) {
            return true;
        }
    }
    return false;
}

/* Loads the TLS files named on the command line, or returns NULL if there
 * are none.  Exits on error: pssl: remotes cannot work without all three,
 * and a server that came up without them would fail later, less clearly. */
static struct tls_config *
tls_configure(void)
{
    struct tls_config *config;
    char *msg;

    if (!tls_private_key && !tls_certificate && !tls_ca_cert) {
        return NULL;
    }
    if (!tls_private_key || !tls_certificate || !tls_ca_cert) {
        fprintf(stderr, "%s: TLS needs all of --private-key, --certificate "
                "and --ca-cert\n", daemon_program_name());
        exit(EXIT_FAILURE);
    }
    if (tls_config_create(tls_private_key, tls_certificate, tls_ca_cert,
                          &config, &msg)) {
        fprintf(stderr, "%s: %s\n", daemon_program_name(), msg);
        exit(EXIT_FAILURE);
    }
    return config;
}

/* ---- End of TLS options. ---- */

/* ---- ovsdb-server's replication and clustering, which xsw refuses. ---- */

enum {
    OPT_SYNC_FROM = 0x40000,
    OPT_SYNC_EXCLUDE,
    OPT_ACTIVE
};
#define REPLICATION_LONG_OPTIONS                                        \
    {"sync-from", required_argument, NULL, OPT_SYNC_FROM},              \
    {"sync-exclude-tables", required_argument, NULL, OPT_SYNC_EXCLUDE}, \
    {"active", no_argument, NULL, OPT_ACTIVE}

/* Refuses an ovsdb-server high-availability mode ('what') by name, saying
 * what xsw does instead, and exits. */
static void NO_RETURN
refuse_replication(const char *what)
{
    fprintf(stderr, "%s: %s is not supported: xsw-dbserver does not "
            "replicate between servers itself (no active-backup, relay or "
            "clustered mode); it is to replicate through its storage "
            "backend instead: several servers on one etcd cluster with "
            "--storage=etcd:URL[,URL...]\n",
            daemon_program_name(), what);
    exit(EXIT_FAILURE);
}

static bool
replication_handle_option(int c)
{
    switch (c) {
    case OPT_SYNC_FROM: refuse_replication("--sync-from (backup mode)");
    case OPT_SYNC_EXCLUDE: refuse_replication("--sync-exclude-tables");
    case OPT_ACTIVE: refuse_replication("--active");
    }
    return false;
}

/* ovsdb-server takes "relay:DB:REMOTE" for a relay and a file made by
 * "ovsdb-tool create-cluster" for a clustered database. */
static void
refuse_replicated_db(const char *arg)
{
    char header[16] = "";   /* "OVSDB CLUSTER " starts one. */
    FILE *f;

    if (!strncmp(arg, "relay:", 6)) {
        refuse_replication("a relay database (relay:)");
    }
    f = fopen(arg, "r");
    if (f) {
        size_t n = fread(header, 1, sizeof header - 1, f);
        header[n] = '\0';
        fclose(f);
        if (!strncmp(header, "OVSDB CLUSTER", 13)) {
            refuse_replication("a clustered database (made by ovsdb-tool "
                               "create-cluster or join-cluster)");
        }
    }
}


static void usage(void) NO_RETURN;

static void
usage(void)
{
    printf("%s: an OVSDB server on SQLite\n"
           "usage: %s [OPTIONS] [DBFILE]...\n"
           "       %s --create SCHEMA DBFILE\n"
           "       %s --convert SCHEMA DBFILE\n"
           "       %s --import OVS-DBFILE DBFILE\n"
           "\n"
           "With no DBFILE, serves %s/conf.db (created from the built-in\n"
           "Open_vSwitch schema if missing; $XSW_DBDIR overrides the folder).\n"
           "\n"
           "Options:\n"
           "  --remote=REMOTE       listen on REMOTE: punix:PATH,\n"
           "                        ptcp:PORT[:IP] or pssl:PORT[:IP];\n"
           "                        connect to REMOTE and serve the peer:\n"
           "                        unix:PATH, tcp:IP:PORT, ssl:IP:PORT;\n"
           "                        or serve the remotes a database column\n"
           "                        names: db:DB,TABLE,COLUMN (repeatable;\n"
           "                        default punix:%s/db.sock and\n"
           "                        db:Open_vSwitch,Open_vSwitch,\n"
           "                        manager_options)\n"
           "  --unixctl=PATH        control socket (default\n"
           "                        %s/xsw-dbserver.<pid>.ctl)\n"
           "  --metrics=ptcp:PORT[:IP]  serve Prometheus metrics over HTTP\n"
           "                        (GET /metrics)\n"
           "  --max-message-size=N  largest JSON-RPC message accepted, bytes\n"
           "                        (default 64 MiB)\n"
           "  --read-only-remote=REMOTE  like --remote, but its clients may\n"
           "                        only read and monitor\n"
           "  --unix-socket-mode=MODE  mode of punix: sockets (default 0700)\n"
           "  --max-backlog=N       output bytes queued for a client before\n"
           "                        it is disconnected (default 128 MiB)\n"
           "  --max-nesting-depth=N deepest JSON nesting accepted (default\n"
           "                        1000)\n"
           "  --max-sessions=N      most clients served at once (default\n"
           "                        10000)\n"
           "  --max-txn-rows=N      most rows one transaction may change\n"
           "                        (default 1000000)\n"
           "  --private-key=FILE    TLS private key, for pssl: and ssl:\n"
           "                        remotes (FILE may be db:DB,TABLE,COLUMN,\n"
           "                        as may the next two)\n"
           "  --certificate=FILE    TLS certificate for that key\n"
           "  --ca-cert=FILE        CA that clients' certificates must be\n"
           "                        signed by (required for pssl:)\n"
           "  --storage=etcd:URL[,URL...]  keep the databases in etcd, shared\n"
           "                        with other servers: DB arguments are\n"
           "                        database names (default Open_vSwitch)\n"
           "  --etcd-ca-cert=FILE   CA that etcd's certificate must be\n"
           "                        signed by (required for https:// URLs)\n"
           "  --etcd-certificate=FILE  client certificate for etcd's\n"
           "                        --client-cert-auth, with\n"
           "  --etcd-private-key=FILE  its key\n"
           "  --etcd-snapshot-records=N  snapshot on its own once N log\n"
           "                        records follow the last (default 1000)\n"
           "  --etcd-snapshot-interval=S  ...but not within S s of the last\n"
           "                        (plus up to S s at random; default 60)\n"
           "  --create SCHEMA DBFILE  create DBFILE from SCHEMA and exit\n"
           "                        (with --storage: --create SCHEMA)\n"
           "  --convert SCHEMA DBFILE  convert DBFILE to SCHEMA in place\n"
           "                        (atomically) and exit\n"
           "  --import OVS-DBFILE DBFILE  create DBFILE from an Open vSwitch\n"
           "                        standalone database file and exit\n"
           "  -h, --help            this help\n"
           "  -V, --version         print the version\n",
           daemon_program_name(), daemon_program_name(),
           daemon_program_name(), daemon_program_name(),
           daemon_program_name(), default_dbdir(),
           xsw_rundir(), xsw_rundir());
    daemon_usage();
    vlog_usage();
    exit(EXIT_SUCCESS);
}

/* Creates 'db_file' (for a 'storage', the database named by the schema)
 * from the schema in 'schema_file' (NULL: built in). */
static struct ovsdb_error *
create_db(const char *storage, const char *schema_file, const char *db_file)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;

    error = (schema_file ? ovsdb_schema_from_file(schema_file, &schema)
             : ovsdb_schema_from_string(xsw_vswitch_schema, &schema));
    if (error) {
        return error;
    }
    error = backend_create(storage, db_file, schema);
    ovsdb_schema_destroy(schema);
    return error;
}

/* --convert SCHEMA DBFILE. */
static struct ovsdb_error *
convert_db(const char *schema_file, const char *db_file)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(schema_file, &schema);

    if (!error) {
        error = db_file_convert(db_file, schema);
        ovsdb_schema_destroy(schema);
    }
    return error;
}

/* --import OVS-DBFILE DBFILE. */
static struct ovsdb_error *
import_db(const char *ovs_file, const char *db_file)
{
    struct ovsdb_error *error;
    struct ovsdb_db *db;
    char *warning;

    error = ovs_file_read(ovs_file, &db, &warning);
    if (warning) {
        fprintf(stderr, "%s: warning: %s\n", daemon_program_name(), warning);
        free(warning);
    }
    if (!error) {
        error = db_file_write(db_file, db, NULL);
        ovsdb_db_destroy(db);
    }
    return error;
}

/* Reports 'error' (freed) as a start-up failure and exits. */
static void NO_RETURN
fatal_ovsdb_error(struct ovsdb_error *error)
{
    char *s = ovsdb_error_to_string(error);
    char msg[4096];

    snprintf(msg, sizeof msg, "%s", s);
    free(s);
    ovsdb_error_destroy(error);
    daemon_fatal("%s", msg);
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

/* Each client is a file descriptor: allow as many as the hard limit does,
 * so that --max-sessions, not the default soft limit of 1024, is what
 * bounds them. */
static void
raise_fd_limit(void)
{
    struct rlimit rl;

    if (!getrlimit(RLIMIT_NOFILE, &rl) && rl.rlim_cur < rl.rlim_max) {
        rl.rlim_cur = rl.rlim_max;
        setrlimit(RLIMIT_NOFILE, &rl);
    }
}

static size_t
parse_size(const char *option, const char *s)
{
    char *end;
    unsigned long long n;

    errno = 0;
    n = strtoull(s, &end, 10);
    if (errno || *end || !n) {
        fprintf(stderr, "%s: --%s: \"%s\" is not a positive number of "
                "bytes\n", daemon_program_name(), option, s);
        exit(EXIT_FAILURE);
    }
    return n;
}

int
main(int argc, char *argv[])
{
    enum {
        OPT_REMOTE = 0x20000,
        OPT_UNIXCTL,
        OPT_CREATE,
        OPT_MAX_MSG,
        OPT_MAX_BACKLOG,
        OPT_READ_ONLY_REMOTE,
        OPT_MAX_DEPTH,
        OPT_MAX_SESSIONS,
        OPT_MAX_TXN_ROWS,
        OPT_UNIX_MODE,
        OPT_CONVERT,
        OPT_IMPORT,
        OPT_METRICS,
        OPT_STORAGE,
        OPT_ETCD_CA_CERT,
        OPT_ETCD_CERTIFICATE,
        OPT_ETCD_PRIVATE_KEY,
        OPT_ETCD_SNAPSHOT_RECORDS,
        OPT_ETCD_SNAPSHOT_INTERVAL
    };
    static const struct option long_options[] = {
        {"remote", required_argument, NULL, OPT_REMOTE},
        {"unixctl", required_argument, NULL, OPT_UNIXCTL},
        {"metrics", required_argument, NULL, OPT_METRICS},
        {"create", required_argument, NULL, OPT_CREATE},
        {"convert", required_argument, NULL, OPT_CONVERT},
        {"import", required_argument, NULL, OPT_IMPORT},
        {"storage", required_argument, NULL, OPT_STORAGE},
        {"etcd-ca-cert", required_argument, NULL, OPT_ETCD_CA_CERT},
        {"etcd-certificate", required_argument, NULL, OPT_ETCD_CERTIFICATE},
        {"etcd-private-key", required_argument, NULL, OPT_ETCD_PRIVATE_KEY},
        {"etcd-snapshot-records", required_argument, NULL,
         OPT_ETCD_SNAPSHOT_RECORDS},
        {"etcd-snapshot-interval", required_argument, NULL,
         OPT_ETCD_SNAPSHOT_INTERVAL},
        {"max-message-size", required_argument, NULL, OPT_MAX_MSG},
        {"max-backlog", required_argument, NULL, OPT_MAX_BACKLOG},
        {"read-only-remote", required_argument, NULL, OPT_READ_ONLY_REMOTE},
        {"max-nesting-depth", required_argument, NULL, OPT_MAX_DEPTH},
        {"max-sessions", required_argument, NULL, OPT_MAX_SESSIONS},
        {"max-txn-rows", required_argument, NULL, OPT_MAX_TXN_ROWS},
        {"unix-socket-mode", required_argument, NULL, OPT_UNIX_MODE},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        DAEMON_LONG_OPTIONS,
        TLS_LONG_OPTIONS,
        REPLICATION_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    struct server_options options = { 0 };
    const char *unixctl_path = NULL, *metrics_name = NULL;
    struct metrics_server *metrics = NULL;
    const char *create_schema = NULL;
    const char *convert_schema = NULL, *import_file = NULL;
    const char *storage = NULL;     /* --storage: DBs are names in it. */
    /* etcd's TLS files: options of their own, not --ca-cert etc., which
     * are this server's identity towards its clients (and may name
     * database columns, unreadable before the database is loaded from
     * etcd); docs/storage-etcd.md, "TLS". */
    const char *etcd_ca_cert = NULL, *etcd_certificate = NULL;
    const char *etcd_private_key = NULL;
    size_t snapshot_records = 1000, snapshot_interval = 60;
    /* Two more for the defaults. */
    char **remote_names = xcalloc(argc + 2, sizeof *remote_names);
    bool *read_only = xcalloc(argc + 2, sizeof *read_only);
    bool default_remotes = false;
    struct remotes *remotes;
    size_t n_remotes = 0;
    struct ovsdb_error *error;
    struct unixctl_server *unixctl;
    struct server *server;
    struct tls_config *tls;
    uv_signal_t sigterm, sigint;
    uv_timer_t coverage_timer;
    uv_loop_t *loop;
    char *default_db = NULL;
    char *msg;
    int c;

    daemon_set_program_name(argv[0]);
    unixctl_set_version("xsw-dbserver (xsw) " PACKAGE_VERSION);
    while ((c = getopt_long(argc, argv, "hVv::", long_options, NULL)) != -1) {
        switch (c) {
        case OPT_REMOTE:
        case OPT_READ_ONLY_REMOTE:
            read_only[n_remotes] = c == OPT_READ_ONLY_REMOTE;
            remote_names[n_remotes++] = optarg;
            break;
        case OPT_MAX_DEPTH:
            options.max_depth = parse_size("max-nesting-depth", optarg);
            break;
        case OPT_MAX_SESSIONS:
            options.max_sessions = parse_size("max-sessions", optarg);
            break;
        case OPT_MAX_TXN_ROWS:
            options.max_txn_rows = parse_size("max-txn-rows", optarg);
            break;
        case OPT_UNIX_MODE: {
            char *end;
            long mode = strtol(optarg, &end, 8);
            if (*end || mode <= 0 || mode > 0777) {
                fprintf(stderr, "%s: --unix-socket-mode: \"%s\" is not an "
                        "octal file mode such as 0700\n",
                        daemon_program_name(), optarg);
                exit(EXIT_FAILURE);
            }
            options.unix_mode = mode;
            break;
        }
        case OPT_UNIXCTL:
            unixctl_path = optarg;
            break;
        case OPT_METRICS:
            metrics_name = optarg;
            break;
        case OPT_CREATE:
            create_schema = optarg;
            break;
        case OPT_CONVERT:
            convert_schema = optarg;
            break;
        case OPT_IMPORT:
            import_file = optarg;
            break;
        case OPT_STORAGE:
            storage = optarg;
            break;
        case OPT_ETCD_CA_CERT:
            etcd_ca_cert = optarg;
            break;
        case OPT_ETCD_CERTIFICATE:
            etcd_certificate = optarg;
            break;
        case OPT_ETCD_PRIVATE_KEY:
            etcd_private_key = optarg;
            break;
        case OPT_ETCD_SNAPSHOT_RECORDS:
            snapshot_records = parse_size("etcd-snapshot-records", optarg);
            break;
        case OPT_ETCD_SNAPSHOT_INTERVAL: {
            char *end;
            errno = 0;
            snapshot_interval = strtoul(optarg, &end, 10);
            if (errno || *end || !optarg[0] || snapshot_interval > 86400) {
                fprintf(stderr, "%s: --etcd-snapshot-interval: \"%s\" is "
                        "not a number of seconds from 0 to 86400\n",
                        daemon_program_name(), optarg);
                exit(EXIT_FAILURE);
            }
            break;
        }
        case OPT_MAX_MSG:
            options.max_msg_size = parse_size("max-message-size", optarg);
            break;
        case OPT_MAX_BACKLOG:
            options.max_backlog = parse_size("max-backlog", optarg);
            break;
        case 'h':
            usage();
        case 'V':
            printf("xsw-dbserver (xsw) %s\n", PACKAGE_VERSION);
            return 0;
        case '?':
            exit(EXIT_FAILURE);
        default:
            if (!vlog_handle_option(c, optarg)
                && !daemon_handle_option(c, optarg)
                && !tls_handle_option(c, optarg)
                && !replication_handle_option(c)) {
                fprintf(stderr, "%s: unhandled option\n",
                        daemon_program_name());
                exit(EXIT_FAILURE);
            }
        }
    }
    argc -= optind;
    argv += optind;
    if ((etcd_ca_cert || etcd_certificate || etcd_private_key)
        && (!storage || strncmp(storage, "etcd:", 5))) {
        fprintf(stderr, "%s: --etcd-ca-cert, --etcd-certificate and "
                "--etcd-private-key are for --storage=etcd:https://...\n",
                daemon_program_name());
        exit(EXIT_FAILURE);
    }
    etcd_client_set_tls(etcd_ca_cert, etcd_certificate, etcd_private_key);
    etcd_backend_set_snapshot_policy(MIN(snapshot_records, UINT_MAX),
                                     snapshot_interval);
    if (storage && (convert_schema || import_file)) {
        fprintf(stderr, "%s: --%s works on database files, not with "
                "--storage\n", daemon_program_name(),
                convert_schema ? "convert" : "import");
        exit(EXIT_FAILURE);
    }
    for (int i = 0; i < argc && !storage; i++) {
        refuse_replicated_db(argv[i]);
        if (!import_file && ovs_file_is_standalone(argv[i])) {
            fprintf(stderr, "%s: %s is an Open vSwitch database file; make "
                    "an xsw database of it with \"%s --import %s NEW.db\"\n",
                    daemon_program_name(), argv[i], daemon_program_name(),
                    argv[i]);
            exit(EXIT_FAILURE);
        }
    }

    if (convert_schema || import_file) {
        if (argc != 1 || create_schema || (convert_schema && import_file)) {
            fprintf(stderr, "%s: %s\n", daemon_program_name(),
                    convert_schema
                    ? "--convert needs a schema file and one database file: "
                      "--convert SCHEMA DBFILE"
                    : "--import needs an Open vSwitch database file and "
                      "the new database file: --import OVS-DBFILE DBFILE");
            exit(EXIT_FAILURE);
        }
        error = (convert_schema ? convert_db(convert_schema, argv[0])
                 : import_db(import_file, argv[0]));
        free(remote_names);
        free(read_only);
        if (error) {
            fatal_ovsdb_error(error);
        }
        return 0;
    }

    if (create_schema) {
        if (argc != !storage) {
            fprintf(stderr, "%s: %s\n", daemon_program_name(), storage
                    ? "with --storage, --create takes the schema file alone "
                      "(the database is named by the schema): --create SCHEMA"
                    : "--create needs a schema file and one database file: "
                      "--create SCHEMA DBFILE");
            exit(EXIT_FAILURE);
        }
        error = create_db(storage, create_schema, storage ? NULL : argv[0]);
        free(remote_names);
        free(read_only);
        if (error) {
            fatal_ovsdb_error(error);
        }
        return 0;
    }

    if (!argc && !storage) {
        int err = daemon_ensure_dir(default_dbdir());
        if (err) {
            fprintf(stderr, "%s: cannot create %s: %s\n",
                    daemon_program_name(), default_dbdir(), strerror(err));
            exit(EXIT_FAILURE);
        }
        default_db = xasprintf("%s/conf.db", default_dbdir());
        if (access(default_db, F_OK)) {
            error = create_db(NULL, NULL, default_db);
            if (error) {
                fatal_ovsdb_error(error);
            }
            VLOG_INFO("created %s from the built-in schema", default_db);
        }
    }

    tls = tls_from_db() ? NULL : tls_configure();
    raise_fd_limit();
    daemonize_start();
    loop = uv_default_loop();

    /* Before any socket exists: a client that can connect may also send
     * SIGTERM at once (test harnesses take "accepts" for "ready"), and
     * that must be an orderly exit, not the default disposition.  A client
     * that disconnects mid-write must not kill us. */
    signal(SIGPIPE, SIG_IGN);
    uv_signal_init(loop, &sigterm);
    uv_signal_start(&sigterm, exit_on_signal, SIGTERM);
    uv_signal_init(loop, &sigint);
    uv_signal_start(&sigint, exit_on_signal, SIGINT);

    server = server_create(loop, &options);
    server_set_tls_config(server, tls);
    if (argc) {
        for (int i = 0; i < argc; i++) {
            error = server_add_db(server, storage, argv[i]);
            if (error) {
                fatal_ovsdb_error(error);
            }
        }
    } else {
        error = server_add_db(server, storage,
                              storage ? "Open_vSwitch" : default_db);
        if (error) {
            fatal_ovsdb_error(error);
        }
    }

    /* The control socket exists before any remote listens, as with
     * ovsdb-server: a client that saw the database socket accept (a test,
     * an orchestrator's start-up script) may run ovs-appctl at once.
     * Under ASan and a CPU hog that window once lasted long enough for a
     * test's stat() of the control socket to fail. */
    if (unixctl_server_create(loop, unixctl_path, &unixctl, &msg)) {
        daemon_fatal("%s", msg);
    }
    remotes = remotes_create(server);
    if (tls_from_db()) {
        remotes_set_tls_files(remotes, tls_private_key, tls_certificate,
                              tls_ca_cert);
    }
    if (!n_remotes) {
        int err = daemon_ensure_dir(xsw_rundir());
        if (err) {
            daemon_fatal("cannot create %s: %s", xsw_rundir(), strerror(err));
        }
        remote_names[n_remotes++] = xasprintf("punix:%s/db.sock",
                                              xsw_rundir());
        if (server_get_db(server, "Open_vSwitch")) {
            remote_names[n_remotes++] = xstrdup(
                "db:Open_vSwitch,Open_vSwitch,manager_options");
        }
        default_remotes = true;
    }
    for (size_t i = 0; i < n_remotes; i++) {
        if (remotes_add(remotes, remote_names[i], read_only[i], &msg)) {
            daemon_fatal("%s", msg);
        }
    }
    remotes_reconfigure(remotes);
    for (size_t i = 0; i < n_remotes; i++) {
        /* A remote given on the command line that cannot work is a
         * start-up error; a database's remotes are retried. */
        const char *why = remotes_get_error(remotes, remote_names[i]);
        if (why) {
            daemon_fatal("%s", why);
        }
    }

    if (metrics_name && metrics_server_create(loop, metrics_name,
                                              server_metrics_collect, server,
                                              &metrics, &msg)) {
        daemon_fatal("--metrics: %s", msg);
    }
    vlog_register_unixctl();
    vlog_reopen_on_sighup(loop);
    server_register_unixctl(server);
    remotes_register_unixctl(remotes);
    coverage_register_unixctl();
    uv_timer_init(loop, &coverage_timer);
    uv_timer_start(&coverage_timer, coverage_timer_cb, 1000, 1000);

    daemonize_complete();
    VLOG_INFO("%s started", "xsw-dbserver " PACKAGE_VERSION);
    uv_run(loop, UV_RUN_DEFAULT);

    /* Orderly shutdown: everything is already committed (no batch outlives
     * a turn of the loop), so this only releases resources. */
    metrics_server_destroy(metrics);
    unixctl_server_destroy(unixctl);
    remotes_destroy(remotes);
    server_destroy(server);
    tls_config_destroy(tls);
    uv_close((uv_handle_t *) &coverage_timer, NULL);
    uv_close((uv_handle_t *) &sigterm, NULL);
    uv_close((uv_handle_t *) &sigint, NULL);
    uv_run(loop, UV_RUN_NOWAIT);
    free(default_db);
    if (default_remotes) {
        for (size_t i = 0; i < n_remotes; i++) {
            free(remote_names[i]);
        }
    }
    free(remote_names);
    free(read_only);
    return 0;
}
