/* test-idl.c: the IDL against a real xsw-dbserver (and, where it shows
 * the IDL is not tied to our server, Debian's ovsdb-server 3.1), with
 * ovs-vsctl as the "other client".
 *
 * Each test starts its server in a fresh temporary directory.  The server
 * dies with the test process (PR_SET_PDEATHSIG) and an atexit() handler
 * kills it by PID and removes the directory, so a failing assertion leaves
 * nothing behind. */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "idl.h"
#include "jsonrpc.h"
#include "jsonrpc-client.h"
#include "stream.h"
#include "ovsdb-data.h"
#include "timeval.h"
#include "util.h"

/* ---- Servers and the other client. ---- */

struct server {
    bool ovs;                   /* ovsdb-server instead of xsw-dbserver. */
    char dir[64];
    char sock[128], ctl[128], db[128], remote[160];
    int tcp_port;               /* Nonzero: also listens on this port. */
    pid_t pid;
};

static struct server *cleanup_server;

static const char *
top_dir(const char *var)
{
    const char *d = getenv(var);
    return d ? d : ".";
}

static int PRINTF_FORMAT(1, 2)
shell(const char *fmt, ...)
{
    va_list args;
    char *cmd;
    int status;

    va_start(args, fmt);
    cmd = xvasprintf(fmt, args);
    va_end(args);
    status = system(cmd);
    free(cmd);
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
server_start(struct server *s)
{
    char *dbserver = xasprintf("%s/dbserver/xsw-dbserver",
                               top_dir("top_builddir"));
    char *remote = xasprintf("--remote=punix:%s", s->sock);
    char *unixctl = xasprintf("--unixctl=%s", s->ctl);
    char *tcp = xasprintf("--remote=ptcp:%d:127.0.0.1", s->tcp_port);
    pid_t parent = getpid();
    pid_t pid = fork();

    ck_assert_int_ge(pid, 0);
    if (!pid) {
        char *log = xasprintf("%s/server.log", s->dir);
        int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

        prctl(PR_SET_PDEATHSIG, SIGKILL);
        if (getppid() != parent) {
            _exit(1);
        }
        dup2(fd, 1);
        dup2(fd, 2);
        setenv("XSW_RUNDIR", s->dir, 1);
        setenv("OVS_RUNDIR", s->dir, 1);
        setenv("OVS_DBDIR", s->dir, 1);
        if (s->ovs) {
            execlp("ovsdb-server", "ovsdb-server", remote, unixctl,
                   "-vconsole:off", s->db, s->tcp_port ? tcp : (char *) NULL,
                   (char *) NULL);
        } else {
            execl(dbserver, dbserver, remote, unixctl, "-vconsole:off",
                  s->db, s->tcp_port ? tcp : (char *) NULL, (char *) NULL);
        }
        _exit(127);
    }
    s->pid = pid;
    free(dbserver);
    free(remote);
    free(unixctl);
    free(tcp);

    /* The socket file appears at bind(), a little before listen(). */
    for (int i = 0; i < 1000; i++) {
        if (!access(s->sock, F_OK)
            && !shell("ovsdb-client list-dbs --timeout=1 %s >/dev/null "
                      "2>&1", s->remote)) {
            return;
        }
        usleep(10 * 1000);
    }
    ck_abort_msg("server did not create %s", s->sock);
}

static void
server_stop(struct server *s)
{
    if (s->pid > 0) {
        kill(s->pid, SIGCONT);  /* In case a test stopped it. */
        kill(s->pid, SIGTERM);
        waitpid(s->pid, NULL, 0);
        s->pid = 0;
        unlink(s->sock);
    }
}

static void
server_cleanup_atexit(void)
{
    if (cleanup_server) {
        server_stop(cleanup_server);
        shell("rm -rf '%s'", cleanup_server->dir);
        cleanup_server = NULL;
    }
}

static void
server_create_db(struct server *s)
{
    const char *schema_fmt = "%s/schema/vswitch.ovsschema";
    char *schema = xasprintf(schema_fmt, top_dir("top_srcdir"));

    unlink(s->db);
    if (s->ovs) {
        ck_assert_int_eq(shell("ovsdb-tool create '%s' '%s'", s->db, schema),
                         0);
    } else {
        ck_assert_int_eq(shell("'%s/dbserver/xsw-dbserver' --create '%s' "
                               "'%s'", top_dir("top_builddir"), schema,
                               s->db), 0);
    }
    free(schema);
}

/* Starts a server on a fresh vswitch database. */
static void
server_init(struct server *s, bool ovs)
{
    memset(s, 0, sizeof *s);
    s->ovs = ovs;
    strcpy(s->dir, "/tmp/xt-idl-XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(s->dir));
    snprintf(s->sock, sizeof s->sock, "%s/db.sock", s->dir);
    snprintf(s->ctl, sizeof s->ctl, "%s/db.ctl", s->dir);
    snprintf(s->db, sizeof s->db, "%s/conf.db", s->dir);
    snprintf(s->remote, sizeof s->remote, "unix:%s", s->sock);
    cleanup_server = s;
    atexit(server_cleanup_atexit);
    server_create_db(s);
    server_start(s);
}

static void
server_destroy(struct server *s)
{
    server_cleanup_atexit();
    (void) s;
}

/* Runs ovs-vsctl --no-wait against 's' and asserts that it succeeded. */
static void PRINTF_FORMAT(2, 3)
vsctl(struct server *s, const char *fmt, ...)
{
    va_list args;
    char *cmd;

    va_start(args, fmt);
    cmd = xvasprintf(fmt, args);
    va_end(args);
    ck_assert_msg(shell("ovs-vsctl --no-wait --timeout=10 --db=%s %s",
                        s->remote, cmd) == 0, "ovs-vsctl %s failed", cmd);
    free(cmd);
}

/* ovs-vsctl's output (first line, without the newline), to free. */
static char * PRINTF_FORMAT(2, 3)
vsctl_output(struct server *s, const char *fmt, ...)
{
    char line[4096] = "";
    va_list args;
    char *cmd, *full;
    FILE *f;

    va_start(args, fmt);
    cmd = xvasprintf(fmt, args);
    va_end(args);
    full = xasprintf("ovs-vsctl --no-wait --timeout=10 --db=%s %s",
                     s->remote, cmd);
    f = popen(full, "r");
    ck_assert_ptr_nonnull(f);
    if (!fgets(line, sizeof line, f)) {
        line[0] = '\0';
    }
    ck_assert_int_eq(pclose(f), 0);
    line[strcspn(line, "\n")] = '\0';
    free(cmd);
    free(full);
    return xstrdup(line);
}

/* ---- IDL helpers. ---- */

struct fixture {
    struct server server;
    uv_loop_t loop;
    struct ovsdb_idl *idl;
    int n_warnings;
    char last_warning[512];
};

static void
record_warning(struct ovsdb_idl *idl OVS_UNUSED, const char *msg, void *f_)
{
    struct fixture *f = f_;
    f->n_warnings++;
    snprintf(f->last_warning, sizeof f->last_warning, "%s", msg);
}

static void
fixture_init(struct fixture *f, bool ovs)
{
    memset(f, 0, sizeof *f);
    server_init(&f->server, ovs);
    uv_loop_init(&f->loop);
    f->idl = ovsdb_idl_create(&f->loop, f->server.remote, "Open_vSwitch");
    ovsdb_idl_set_warning_cb(f->idl, record_warning, f);
}

static void
sync_idl(struct ovsdb_idl *idl)
{
    char *error;
    int retval = ovsdb_idl_run_until_synced(idl, 10000, &error);
    ck_assert_msg(!retval, "sync failed: %s", error ? error : "?");
}

static void
fixture_destroy(struct fixture *f)
{
    ovsdb_idl_destroy(f->idl);
    uv_run(&f->loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&f->loop), 0);
    server_destroy(&f->server);
}

static const struct ovsdb_idl_row *
find_by_name(const struct ovsdb_idl_table *table, const char *name)
{
    const struct ovsdb_idl_column *col
        = ovsdb_idl_column_from_name(table, "name");
    const struct ovsdb_idl_row *row;

    OVSDB_IDL_FOR_EACH_ROW (row, table) {
        if (!strcmp(ovsdb_idl_row_get_string(row, col, ""), name)) {
            return row;
        }
    }
    return NULL;
}

static json_t *
where_name(const char *name)
{
    return json_pack("[[s s s]]", "name", "==", name);
}

struct name_wait {
    const struct ovsdb_idl_table *table;
    const char *name;
    bool present;
};

static bool
name_present(void *w_)
{
    struct name_wait *w = w_;
    return (find_by_name(w->table, w->name) != NULL) == w->present;
}

/* Runs the loop until 'name' is (or is not) in 'table'. */
static void
wait_name(struct ovsdb_idl *idl, const struct ovsdb_idl_table *table,
          const char *name, bool present)
{
    struct name_wait w = { table, name, present };
    ck_assert_msg(!ovsdb_idl_wait_for(idl, name_present, &w, 10000),
                  "timed out waiting for %s to be %s", name,
                  present ? "present" : "absent");
}

static struct ovsdb_datum
string_set(const char *s)
{
    struct ovsdb_datum d = { 1, xmalloc(sizeof *d.keys), NULL };
    d.keys[0].string = xstrdup(s);
    return d;
}

static struct ovsdb_datum
uuid_set(const struct uuid *u)
{
    struct ovsdb_datum d = { 1, xmalloc(sizeof *d.keys), NULL };
    d.keys[0].uuid = *u;
    return d;
}

static struct ovsdb_datum
string_map(const char *k, const char *v)
{
    struct ovsdb_datum d = { 1, xmalloc(sizeof *d.keys),
                             xmalloc(sizeof *d.values) };
    d.keys[0].string = xstrdup(k);
    d.values[0].string = xstrdup(v);
    return d;
}

static void
datum_free(struct ovsdb_datum *d, const struct ovsdb_idl_column *col)
{
    ovsdb_datum_destroy(d, ovsdb_idl_column_get_type(col));
}

/* ---- Tests. ---- */

/* Only the registered tables and columns arrive; unknown ones warn. */
static void
check_replicate(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0 -- add-port br0 p1 -- add-br br1");

    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    const struct ovsdb_idl_column *br_name = ovsdb_idl_add_column(br, "name");
    const struct ovsdb_idl_column *br_ports = ovsdb_idl_add_column(br,
                                                                   "ports");
    struct ovsdb_idl_table *port = ovsdb_idl_add_table(f.idl, "Port");
    const struct ovsdb_idl_column *port_name
        = ovsdb_idl_add_column(port, "name");
    ovsdb_idl_add_table(f.idl, "No_Such_Table");
    const struct ovsdb_idl_column *bogus
        = ovsdb_idl_add_column(br, "no_such_column");

    ck_assert_ptr_null(ovsdb_idl_get_schema(f.idl));
    sync_idl(f.idl);
    ck_assert_ptr_nonnull(ovsdb_idl_get_schema(f.idl));
    ck_assert_int_eq(f.n_warnings, 2);
    ck_assert_ptr_null(ovsdb_idl_column_get_type(bogus));
    ck_assert_ptr_nonnull(ovsdb_idl_column_get_type(br_name));

    ck_assert_int_eq(ovsdb_idl_count_rows(br), 2);
    ck_assert_int_eq(ovsdb_idl_count_rows(port), 3);   /* br0, p1, br1. */
    ck_assert_ptr_null(ovsdb_idl_table_from_name(f.idl, "Interface"));
    ck_assert_ptr_null(ovsdb_idl_column_from_name(br, "datapath_type"));

    const struct ovsdb_idl_row *br0 = find_by_name(br, "br0");
    ck_assert_ptr_nonnull(br0);
    ck_assert_ptr_null(ovsdb_idl_row_get_datum(br0, bogus));
    const struct ovsdb_datum *ports = ovsdb_idl_row_get_datum(br0, br_ports);
    ck_assert_int_eq(ports->n, 2);
    for (unsigned int i = 0; i < ports->n; i++) {
        const struct ovsdb_idl_row *p
            = ovsdb_idl_get_row(port, &ports->keys[i].uuid);
        ck_assert_ptr_nonnull(p);
        const char *name = ovsdb_idl_row_get_string(p, port_name, "");
        ck_assert(!strcmp(name, "br0") || !strcmp(name, "p1"));
    }
    ck_assert_ptr_eq(ovsdb_idl_get_row(br, ovsdb_idl_row_get_uuid(br0)), br0);

    /* A change by the other client shows up. */
    uint64_t seqno = ovsdb_idl_get_seqno(f.idl);
    vsctl(&f.server, "add-br br2");
    wait_name(f.idl, br, "br2", true);
    ck_assert(ovsdb_idl_get_seqno(f.idl) != seqno);

    fixture_destroy(&f);
}

START_TEST(test_replicate)
{
    check_replicate(false);
}
END_TEST

START_TEST(test_replicate_ovs)
{
    check_replicate(true);
}
END_TEST

START_TEST(test_connection_failed)
{
    uv_loop_t loop;
    struct ovsdb_idl *idl;
    char *error;

    uv_loop_init(&loop);
    idl = ovsdb_idl_create(&loop, "unix:/tmp/xt-idl-nonexistent.sock",
                           "Open_vSwitch");
    ck_assert_int_eq(ovsdb_idl_run_until_synced(idl, 5000, &error), ENOENT);
    ck_assert_str_eq(error, "unix:/tmp/xt-idl-nonexistent.sock: database "
                     "connection failed (No such file or directory)");
    free(error);

    /* With retry, it keeps trying until the deadline. */
    ovsdb_idl_set_retry(idl, true);
    ck_assert_int_eq(ovsdb_idl_run_until_synced(idl, 300, &error),
                     ETIMEDOUT);
    ck_assert_ptr_nonnull(strstr(error, "timed out"));
    free(error);
    ovsdb_idl_destroy(idl);

    /* A remote it can never connect to is final. */
    static const struct {
        const char *remote;
        int error;
        const char *message;
    } bad[] = {
        { "bogus:x", EAFNOSUPPORT, "bogus:x" },
        { "punix:/tmp/xt-idl-passive.sock", EINVAL,
          "punix:/tmp/xt-idl-passive.sock: cannot connect to a passive "
          "remote (use unix:, tcp: or ssl:)" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        idl = ovsdb_idl_create(&loop, bad[i].remote, "Open_vSwitch");
        ovsdb_idl_set_retry(idl, true);
        ck_assert_int_eq(ovsdb_idl_run_until_synced(idl, 1000, &error),
                         bad[i].error);
        ck_assert_msg(strstr(error, bad[i].message), "%s", error);
        free(error);
        ovsdb_idl_destroy(idl);
    }

    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
}
END_TEST

static void
start_server_cb(uv_timer_t *timer)
{
    server_start(timer->data);
}

static bool
not_synced(void *idl)
{
    return !ovsdb_idl_is_synced(idl);
}

/* The server is not there when the IDL starts, and goes away later.  A
 * failed attempt is reported at once without retry, yet the IDL keeps
 * reconnecting on its own; with retry, ovsdb_idl_run_until_synced() waits
 * through the failed attempts until the server is back. */
START_TEST(test_server_late)
{
    struct server s;
    uv_timer_t timer;
    uv_loop_t loop;
    char *error;

    server_init(&s, false);
    server_stop(&s);
    uv_loop_init(&loop);
    struct ovsdb_idl *idl = ovsdb_idl_create(&loop, s.remote,
                                             "Open_vSwitch");
    struct ovsdb_idl_table *ovs = ovsdb_idl_add_table(idl, "Open_vSwitch");
    ck_assert_int_eq(ovsdb_idl_run_until_synced(idl, 5000, &error), ENOENT);
    ck_assert_msg(strstr(error, ": database connection failed (No such file "
                         "or directory)"), "%s", error);
    free(error);

    server_start(&s);
    vsctl(&s, "init");
    sync_idl(idl);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(idl), 1);
    ck_assert_int_eq(ovsdb_idl_count_rows(ovs), 1);

    server_stop(&s);
    ck_assert_int_eq(ovsdb_idl_wait_for(idl, not_synced, idl, 10000), 0);
    ck_assert_int_ne(ovsdb_idl_run_until_synced(idl, 5000, &error), 0);
    ck_assert_msg(strstr(error, ": database connection failed ("), "%s",
                  error);
    free(error);

    ovsdb_idl_set_retry(idl, true);
    uv_timer_init(&loop, &timer);
    timer.data = &s;
    uv_timer_start(&timer, start_server_cb, 500, 0);
    sync_idl(idl);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(idl), 2);
    ck_assert_int_eq(ovsdb_idl_count_rows(ovs), 1);

    uv_close((uv_handle_t *) &timer, NULL);
    ovsdb_idl_destroy(idl);
    uv_run(&loop, UV_RUN_DEFAULT);
    ck_assert_int_eq(uv_loop_close(&loop), 0);
    server_destroy(&s);
}
END_TEST

static void
check_conditions(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0 -- add-br br1 -- add-br br2 "
          "-- add-port br1 p1 -- add-port br2 p2");

    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_column(br, "name");
    struct ovsdb_idl_table *port = ovsdb_idl_add_table(f.idl, "Port");
    ovsdb_idl_add_column(port, "name");
    ovsdb_idl_set_condition(br, where_name("br1"));
    ovsdb_idl_set_condition(port, where_name("p1"));
    sync_idl(f.idl);

    ck_assert_int_eq(ovsdb_idl_count_rows(br), 1);
    ck_assert_ptr_nonnull(find_by_name(br, "br1"));
    ck_assert_int_eq(ovsdb_idl_count_rows(port), 1);
    ck_assert_ptr_nonnull(find_by_name(port, "p1"));

    /* Rows that do not match stay out, even new ones. */
    vsctl(&f.server, "add-br br3");
    vsctl(&f.server, "set Bridge br1 external_ids:x=y");
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 1);

    /* Changing the condition swaps the rows. */
    ovsdb_idl_set_condition(br, json_pack("[[s s s] [s s s]]",
                                          "name", "==", "br2",
                                          "name", "==", "br3"));
    ck_assert(!ovsdb_idl_is_synced(f.idl));
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 2);
    ck_assert_ptr_null(find_by_name(br, "br1"));
    ck_assert_ptr_nonnull(find_by_name(br, "br2"));
    ck_assert_ptr_nonnull(find_by_name(br, "br3"));

    ovsdb_idl_set_condition(br, json_pack("[b]", false));
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 0);

    ovsdb_idl_set_condition(br, NULL);
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 4);
    ck_assert_int_eq(ovsdb_idl_count_rows(port), 1);

    fixture_destroy(&f);
}

START_TEST(test_conditions)
{
    check_conditions(false);
}
END_TEST

START_TEST(test_conditions_ovs)
{
    check_conditions(true);
}
END_TEST

/* Registering more after the first sync re-monitors and fills in. */
START_TEST(test_late_registration)
{
    struct fixture f;

    fixture_init(&f, false);
    vsctl(&f.server, "add-br br0 -- set Bridge br0 external_ids:k=v");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_column(br, "name");
    sync_idl(f.idl);
    const struct ovsdb_idl_row *row = find_by_name(br, "br0");
    ck_assert_ptr_nonnull(row);

    const struct ovsdb_idl_column *ext = ovsdb_idl_add_column(br,
                                                              "external_ids");
    ck_assert(!ovsdb_idl_is_synced(f.idl));
    sync_idl(f.idl);
    row = find_by_name(br, "br0");
    ck_assert_str_eq(ovsdb_idl_row_get_map_string(row, ext, "k", "-"), "v");

    struct ovsdb_idl_table *ovs = ovsdb_idl_add_table(f.idl, "Open_vSwitch");
    ovsdb_idl_add_all_columns(ovs);
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_count_rows(ovs), 1);
    ck_assert_ptr_nonnull(ovsdb_idl_column_from_name(ovs, "next_cfg"));

    fixture_destroy(&f);
}
END_TEST

static void
check_transactions(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0");

    struct ovsdb_idl_table *ovs_t = ovsdb_idl_add_table(f.idl,
                                                        "Open_vSwitch");
    const struct ovsdb_idl_column *ovs_bridges
        = ovsdb_idl_add_column(ovs_t, "bridges");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_all_columns(br);
    struct ovsdb_idl_table *port = ovsdb_idl_add_table(f.idl, "Port");
    ovsdb_idl_add_all_columns(port);
    struct ovsdb_idl_table *iface = ovsdb_idl_add_table(f.idl, "Interface");
    ovsdb_idl_add_all_columns(iface);
    sync_idl(f.idl);

    const struct ovsdb_idl_column *br_name
        = ovsdb_idl_column_from_name(br, "name");
    const struct ovsdb_idl_column *br_ports
        = ovsdb_idl_column_from_name(br, "ports");
    const struct ovsdb_idl_column *br_ext
        = ovsdb_idl_column_from_name(br, "external_ids");
    const struct ovsdb_idl_column *port_name
        = ovsdb_idl_column_from_name(port, "name");
    const struct ovsdb_idl_column *port_ifaces
        = ovsdb_idl_column_from_name(port, "interfaces");
    const struct ovsdb_idl_column *iface_name
        = ovsdb_idl_column_from_name(iface, "name");

    /* Insert a bridge with its port and interface, referring to each other
     * by the UUIDs they were inserted with, and add the bridge to
     * Open_vSwitch with a "mutate" insert. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(f.idl);
    ck_assert_ptr_null(ovsdb_idl_txn_create(f.idl));   /* One at a time. */
    const struct ovsdb_idl_row *i = ovsdb_idl_txn_insert(txn, iface, NULL);
    ovsdb_idl_txn_write_string(i, iface_name, "br9");
    const struct ovsdb_idl_row *p = ovsdb_idl_txn_insert(txn, port, NULL);
    ovsdb_idl_txn_write_string(p, port_name, "br9");
    struct ovsdb_datum d = uuid_set(ovsdb_idl_row_get_uuid(i));
    ovsdb_idl_txn_write(p, port_ifaces, &d);
    ck_assert_int_eq(d.n, 0);          /* Taken. */
    const struct ovsdb_idl_row *b = ovsdb_idl_txn_insert(txn, br, NULL);
    ovsdb_idl_txn_write_string(b, br_name, "br9");
    d = uuid_set(ovsdb_idl_row_get_uuid(p));
    ovsdb_idl_txn_write(b, br_ports, &d);
    const struct ovsdb_idl_row *root = ovsdb_idl_first_row(ovs_t);
    ck_assert_ptr_nonnull(root);
    d = uuid_set(ovsdb_idl_row_get_uuid(b));
    ck_assert_int_eq(ovsdb_idl_txn_mutate(root, ovs_bridges, "insert", &d),
                     0);
    ck_assert_int_eq(ovsdb_idl_txn_mutate(root, ovs_bridges, "frob", &d),
                     EINVAL);
    datum_free(&d, ovs_bridges);

    /* Read-your-writes. */
    ck_assert_ptr_eq(find_by_name(br, "br9"), b);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 2);
    ck_assert_int_eq(ovsdb_idl_row_get_datum(root, ovs_bridges)->n, 2);
    ovsdb_idl_txn_add_comment(txn, "test: add br9");

    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit_block(txn,
                                                                  10000);
    ck_assert_msg(status == OVSDB_IDL_TXN_SUCCESS, "%s: %s",
                  ovsdb_idl_txn_status_to_string(status),
                  ovsdb_idl_txn_get_error(txn));
    const struct uuid *real = ovsdb_idl_txn_get_insert_uuid(txn, b);
    ck_assert_ptr_nonnull(real);
    const struct ovsdb_idl_row *b2 = find_by_name(br, "br9");
    ck_assert_ptr_nonnull(b2);      /* The replica shows it at once. */
    ck_assert(uuid_equals(ovsdb_idl_row_get_uuid(b2), real));
    ck_assert_ptr_null(ovsdb_idl_txn_get_insert_uuid(txn, root));
    ovsdb_idl_txn_destroy(txn);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 2);

    char *out = vsctl_output(&f.server, "list-br | tr '\\n' ' '");
    ck_assert_str_eq(out, "br0 br9 ");
    free(out);
    out = vsctl_output(&f.server, "list-ports br9");
    ck_assert_str_eq(out, "");      /* Its only port is the bridge's own. */
    free(out);
    out = vsctl_output(&f.server, "get Interface br9 name");
    ck_assert_str_eq(out, "br9");
    free(out);

    /* Write a map, mutate-delete a key, verify-only = unchanged. */
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_map("a", "1");
    ovsdb_idl_txn_write(b2, br_ext, &d);
    ck_assert_str_eq(ovsdb_idl_row_get_map_string(b2, br_ext, "a", "-"),
                     "1");
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    out = vsctl_output(&f.server, "get Bridge br9 external_ids:a");
    ck_assert_str_eq(out, "\"1\"");
    free(out);

    vsctl(&f.server, "set Bridge br9 external_ids:b=2");
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_set("a");            /* Keys only: delete key "a". */
    ck_assert_int_eq(ovsdb_idl_txn_mutate(b2, br_ext, "delete", &d), 0);
    datum_free(&d, br_name);
    ck_assert_str_eq(ovsdb_idl_row_get_map_string(b2, br_ext, "a", "-"),
                     "-");
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    out = vsctl_output(&f.server, "get Bridge br9 external_ids");
    ck_assert_str_eq(out, "{b=\"2\"}");
    free(out);
    ck_assert_str_eq(ovsdb_idl_row_get_map_string(b2, br_ext, "b", "-"),
                     "2");

    txn = ovsdb_idl_txn_create(f.idl);
    ovsdb_idl_txn_verify(b2, br_ext);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_UNCHANGED);
    ovsdb_idl_txn_destroy(txn);

    /* A dry run changes nothing. */
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_map("dry", "run");
    ovsdb_idl_txn_write(b2, br_ext, &d);
    ovsdb_idl_txn_set_dry_run(txn);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    out = vsctl_output(&f.server, "get Bridge br9 external_ids");
    ck_assert_str_eq(out, "{b=\"2\"}");
    free(out);

    /* The server's refusal comes back as ERROR with its words. */
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_set("bogus");
    ovsdb_idl_txn_write(b2, ovsdb_idl_column_from_name(br, "fail_mode"), &d);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_ERROR);
    ck_assert_ptr_nonnull(strstr(ovsdb_idl_txn_get_error(txn),
                                 "constraint violation"));
    ovsdb_idl_txn_destroy(txn);

    /* Delete: remove br9 from Open_vSwitch (the rest is garbage). */
    txn = ovsdb_idl_txn_create(f.idl);
    d = uuid_set(ovsdb_idl_row_get_uuid(b2));
    ovsdb_idl_txn_mutate(ovsdb_idl_first_row(ovs_t), ovs_bridges, "delete",
                         &d);
    datum_free(&d, ovs_bridges);
    ovsdb_idl_txn_delete(b2);
    ck_assert_ptr_null(find_by_name(br, "br9"));     /* Read-your-writes. */
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    wait_name(f.idl, br, "br9", false);
    out = vsctl_output(&f.server, "list-br");
    ck_assert_str_eq(out, "br0");
    free(out);

    fixture_destroy(&f);
}

START_TEST(test_transactions)
{
    check_transactions(false);
}
END_TEST

START_TEST(test_transactions_ovs)
{
    check_transactions(true);
}
END_TEST

/* Deleting a row of a non-root table leaves it to the server's garbage
 * collection, as Open vSwitch's IDL does: while something still refers to
 * it, it stays and the commit succeeds (a "delete" would fail with a
 * referential integrity violation); once the same transaction takes it out
 * of its bridge, it goes. */
static void
check_delete_non_root(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0 -- add-port br0 p1");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_column(br, "name");
    const struct ovsdb_idl_column *br_ports
        = ovsdb_idl_add_column(br, "ports");
    struct ovsdb_idl_table *port = ovsdb_idl_add_table(f.idl, "Port");
    ovsdb_idl_add_column(port, "name");
    sync_idl(f.idl);
    wait_name(f.idl, port, "p1", true);

    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(f.idl);
    ovsdb_idl_txn_delete(find_by_name(port, "p1"));
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_UNCHANGED);
    ovsdb_idl_txn_destroy(txn);
    char *out = vsctl_output(&f.server, "list-ports br0");
    ck_assert_str_eq(out, "p1");
    free(out);

    wait_name(f.idl, port, "p1", true);
    const struct ovsdb_idl_row *p1 = find_by_name(port, "p1");
    txn = ovsdb_idl_txn_create(f.idl);
    struct ovsdb_datum d = uuid_set(ovsdb_idl_row_get_uuid(p1));
    ovsdb_idl_txn_mutate(find_by_name(br, "br0"), br_ports, "delete", &d);
    datum_free(&d, br_ports);
    ovsdb_idl_txn_delete(p1);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);
    out = vsctl_output(&f.server, "--columns=name find Port name=p1");
    ck_assert_str_eq(out, "");
    free(out);

    fixture_destroy(&f);
}

START_TEST(test_delete_non_root)
{
    check_delete_non_root(false);
}
END_TEST

START_TEST(test_delete_non_root_ovs)
{
    check_delete_non_root(true);
}
END_TEST

/* Columns that hold at most one value (Port.tag, Bridge.fail_mode: min 0,
 * max 1) follow set, change and clear.  ovsdb-server(7) sends the new
 * value as their update2 diff, ["set",[]] when they become empty; a replica
 * that reads the diff as a symmetric difference keeps the old tag, warns
 * "applying the diff leaves 2 elements", and shows the old value again
 * after a clear. */
struct optional_wait {
    struct ovsdb_idl_table *table;
    const char *name;
    const struct ovsdb_idl_column *column;
    const char *want;           /* As ovsdb_datum_to_string() writes it. */
};

static bool
optional_is(void *w_)
{
    struct optional_wait *w = w_;
    const struct ovsdb_idl_row *row = find_by_name(w->table, w->name);
    bool equal;
    char *s;

    if (!row) {
        return false;
    }
    s = ovsdb_datum_to_string(ovsdb_idl_row_get_datum(row, w->column),
                              ovsdb_idl_column_get_type(w->column));
    equal = !strcmp(s, w->want);
    free(s);
    return equal;
}

static void
wait_optional(struct fixture *f, struct ovsdb_idl_table *table,
              const char *name, const struct ovsdb_idl_column *column,
              const char *want)
{
    struct optional_wait w = { table, name, column, want };
    const struct ovsdb_idl_row *row;
    char *got;

    if (!ovsdb_idl_wait_for(f->idl, optional_is, &w, 10000)) {
        return;
    }
    row = find_by_name(table, name);
    got = (row ? ovsdb_datum_to_string(ovsdb_idl_row_get_datum(row, column),
                                       ovsdb_idl_column_get_type(column))
           : xstrdup("(no row)"));
    ck_abort_msg("%s %s: the replica has %s, the database %s (last "
                 "warning: %s)", name, ovsdb_idl_column_get_name(column),
                 got, want, f->last_warning);
}

static void
check_optional_columns(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0 -- add-port br0 p1 tag=10");
    struct ovsdb_idl_table *port = ovsdb_idl_add_table(f.idl, "Port");
    ovsdb_idl_add_column(port, "name");
    const struct ovsdb_idl_column *tag = ovsdb_idl_add_column(port, "tag");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_column(br, "name");
    const struct ovsdb_idl_column *fail_mode
        = ovsdb_idl_add_column(br, "fail_mode");
    sync_idl(f.idl);
    wait_optional(&f, port, "p1", tag, "10");

    static const char *const steps[][2] = {
        { "set Port p1 tag=20", "20" },
        { "clear Port p1 tag", "[]" },
        { "set Port p1 tag=30", "30" },
        { "set Port p1 tag=4095", "4095" },
        { "remove Port p1 tag 4095", "[]" },
    };
    for (size_t i = 0; i < ARRAY_SIZE(steps); i++) {
        vsctl(&f.server, "%s", steps[i][0]);
        wait_optional(&f, port, "p1", tag, steps[i][1]);
    }
    vsctl(&f.server, "set-fail-mode br0 secure");
    wait_optional(&f, br, "br0", fail_mode, "secure");
    vsctl(&f.server, "set-fail-mode br0 standalone");
    wait_optional(&f, br, "br0", fail_mode, "standalone");
    vsctl(&f.server, "del-fail-mode br0");
    wait_optional(&f, br, "br0", fail_mode, "[]");
    ck_assert_msg(f.n_warnings == 0, "%d warnings, the last: %s",
                  f.n_warnings, f.last_warning);

    fixture_destroy(&f);
}

START_TEST(test_optional_columns)
{
    check_optional_columns(false);
}
END_TEST

START_TEST(test_optional_columns_ovs)
{
    check_optional_columns(true);
}
END_TEST

static void
check_verify(bool ovs)
{
    struct fixture f;

    fixture_init(&f, ovs);
    vsctl(&f.server, "add-br br0");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    ovsdb_idl_add_column(br, "name");
    const struct ovsdb_idl_column *ports = ovsdb_idl_add_column(br, "ports");
    const struct ovsdb_idl_column *ext = ovsdb_idl_add_column(br,
                                                              "external_ids");
    sync_idl(f.idl);
    const struct ovsdb_idl_row *br0 = find_by_name(br, "br0");

    /* Another client changes the verified column between our read and our
     * commit (the loop does not run meanwhile, so the replica is stale). */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(f.idl);
    ovsdb_idl_txn_verify(br0, ports);
    struct ovsdb_datum d = string_map("owner", "idl");
    ovsdb_idl_txn_write(br0, ext, &d);
    vsctl(&f.server, "add-port br0 p1");
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_TRY_AGAIN);
    ovsdb_idl_txn_destroy(txn);
    char *out = vsctl_output(&f.server, "get Bridge br0 external_ids");
    ck_assert_str_eq(out, "{}");
    free(out);

    /* Once the replica caught up, the retry succeeds. */
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_row_get_datum(br0, ports)->n, 2);
    txn = ovsdb_idl_txn_create(f.idl);
    ovsdb_idl_txn_verify(br0, ports);
    d = string_map("owner", "idl");
    ovsdb_idl_txn_write(br0, ext, &d);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    /* A row deleted behind our back is also TRY_AGAIN, not a silent
     * no-op. */
    vsctl(&f.server, "add-br br1");
    wait_name(f.idl, br, "br1", true);
    const struct ovsdb_idl_row *br1 = find_by_name(br, "br1");
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_map("k", "v");
    ovsdb_idl_txn_write(br1, ext, &d);
    vsctl(&f.server, "del-br br1");
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_TRY_AGAIN);
    ovsdb_idl_txn_destroy(txn);

    fixture_destroy(&f);
}

START_TEST(test_verify)
{
    check_verify(false);
}
END_TEST

START_TEST(test_verify_ovs)
{
    check_verify(true);
}
END_TEST

struct cfg_wait {
    const struct ovsdb_idl_table *table;
    const struct ovsdb_idl_column *column;
    int64_t value;
};

static bool
cfg_reached(void *w_)
{
    struct cfg_wait *w = w_;
    const struct ovsdb_idl_row *row = ovsdb_idl_first_row(w->table);
    return row && ovsdb_idl_row_get_integer(row, w->column, -1) >= w->value;
}

START_TEST(test_increment)
{
    struct fixture f;

    fixture_init(&f, false);
    vsctl(&f.server, "init");
    struct ovsdb_idl_table *ovs = ovsdb_idl_add_table(f.idl, "Open_vSwitch");
    const struct ovsdb_idl_column *next_cfg
        = ovsdb_idl_add_column(ovs, "next_cfg");
    const struct ovsdb_idl_column *cur_cfg
        = ovsdb_idl_add_column(ovs, "cur_cfg");
    sync_idl(f.idl);

    for (int64_t want = 1; want <= 2; want++) {
        struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(f.idl);
        ovsdb_idl_txn_increment(txn, ovsdb_idl_first_row(ovs), next_cfg);
        ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                         OVSDB_IDL_TXN_SUCCESS);
        ck_assert_int_eq(ovsdb_idl_txn_get_increment_new_value(txn), want);
        ovsdb_idl_txn_destroy(txn);
        ck_assert_int_eq(ovsdb_idl_row_get_integer(ovsdb_idl_first_row(ovs),
                                                   next_cfg, -1), want);
    }

    /* wait_for: another client plays the switch and sets cur_cfg. */
    struct cfg_wait w = { ovs, cur_cfg, 2 };
    ck_assert_int_eq(ovsdb_idl_wait_for(f.idl, cfg_reached, &w, 200),
                     ETIMEDOUT);
    vsctl(&f.server, "set Open_vSwitch . cur_cfg=2");
    ck_assert_int_eq(ovsdb_idl_wait_for(f.idl, cfg_reached, &w, 10000), 0);

    fixture_destroy(&f);
}
END_TEST

/* Replicates the names of the bridges with change tracking, what the
 * reconnection tests watch across a reconnect, and waits for the first
 * snapshot. */
static struct ovsdb_idl_table *
track_bridge_names(struct ovsdb_idl *idl)
{
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(idl, "Bridge");

    ovsdb_idl_add_column(br, "name");
    ovsdb_idl_track_enable(idl);
    sync_idl(idl);
    return br;
}

static bool
reconnected(void *f_)
{
    struct fixture *f = f_;
    return ovsdb_idl_is_synced(f->idl)
           && ovsdb_idl_get_connection_seqno(f->idl) >= 2;
}

START_TEST(test_reconnect)
{
    struct fixture f;

    fixture_init(&f, false);
    vsctl(&f.server, "add-br br0 -- add-br br1");
    struct ovsdb_idl_table *br = track_bridge_names(f.idl);
    ck_assert_int_eq(ovsdb_idl_get_reload_count(f.idl), 1);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(f.idl), 1);
    const struct ovsdb_idl_row *br0 = find_by_name(br, "br0");
    ovsdb_idl_track_clear(f.idl);

    /* A dropped connection resumes from the last transaction id: the
     * server still has it ("found"), so nothing is reloaded. */
    ovsdb_idl_force_reconnect(f.idl);
    ck_assert_int_eq(ovsdb_idl_wait_for(f.idl, reconnected, &f, 10000), 0);
    ck_assert_int_eq(ovsdb_idl_get_reload_count(f.idl), 1);
    ck_assert_ptr_eq(find_by_name(br, "br0"), br0);
    ck_assert_ptr_null(ovsdb_idl_track_first(br));

    /* Server restart on the same database, with changes made while we
     * were away. */
    server_stop(&f.server);
    server_start(&f.server);
    vsctl(&f.server, "del-br br1 -- add-br br2");
    wait_name(f.idl, br, "br2", true);
    ck_assert_ptr_null(find_by_name(br, "br1"));
    ck_assert_ptr_eq(find_by_name(br, "br0"), br0);
    ovsdb_idl_track_clear(f.idl);

    /* A different database at the same place: the server cannot know our
     * transaction id ("found": false), so the replica is replaced and the
     * differences are tracked. */
    unsigned int reloads = ovsdb_idl_get_reload_count(f.idl);
    server_stop(&f.server);
    server_create_db(&f.server);
    server_start(&f.server);
    vsctl(&f.server, "add-br br0 -- add-br br7");
    wait_name(f.idl, br, "br7", true);
    ck_assert_int_eq(ovsdb_idl_get_reload_count(f.idl), reloads + 1);
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 2);

    int n_inserted = 0, n_deleted = 0;
    const struct ovsdb_idl_row *row;
    OVSDB_IDL_FOR_EACH_TRACKED (row, br) {
        const char *name = ovsdb_idl_row_get_string(
            row, ovsdb_idl_column_from_name(br, "name"), "");
        if (ovsdb_idl_row_get_change(row) == OVSDB_IDL_INSERTED) {
            n_inserted++;
        } else if (ovsdb_idl_row_get_change(row) == OVSDB_IDL_DELETED) {
            n_deleted++;
        }
        ck_assert(strcmp(name, "br2") || ovsdb_idl_row_get_change(row)
                  == OVSDB_IDL_DELETED);
    }
    /* br0 and br2 went (br0 has a new UUID), br0 and br7 came. */
    ck_assert_int_eq(n_inserted, 2);
    ck_assert_int_eq(n_deleted, 2);

    fixture_destroy(&f);
}
END_TEST

/* ---- Inactivity probes. ---- */

/* A free TCP port on the loopback: bound, read and released, for the
 * server to take a moment later. */
static int
free_tcp_port(void)
{
    struct sockaddr_in sin = {
        .sin_family = AF_INET,
        .sin_addr.s_addr = htonl(INADDR_LOOPBACK),
    };
    socklen_t len = sizeof sin;
    int fd = socket(AF_INET, SOCK_STREAM, 0);

    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *) &sin, sizeof sin), 0);
    ck_assert_int_eq(getsockname(fd, (struct sockaddr *) &sin, &len), 0);
    close(fd);
    return ntohs(sin.sin_port);
}

static bool
synced_again(void *idl)
{
    return (ovsdb_idl_is_synced(idl)
            && ovsdb_idl_get_connection_seqno(idl) >= 2);
}

/* A server that goes silent over TCP (stopped: the kernel keeps its
 * sockets open and even accepts new connections, so only an unanswered
 * probe tells) is noticed within two probe intervals, and the IDL is back
 * in sync, with what changed meanwhile, once the server resumes. */
static void
check_probe(bool ovs)
{
    struct fixture f;

    /* The fixture's server again, on TCP too, and an IDL over TCP. */
    fixture_init(&f, ovs);
    ovsdb_idl_destroy(f.idl);
    uv_run(&f.loop, UV_RUN_NOWAIT);
    f.server.tcp_port = free_tcp_port();
    server_stop(&f.server);
    server_start(&f.server);
    char *remote = xasprintf("tcp:127.0.0.1:%d", f.server.tcp_port);
    struct ovsdb_idl *idl = f.idl = ovsdb_idl_create(&f.loop, remote,
                                                     "Open_vSwitch");
    ovsdb_idl_set_probe_interval(idl, 1000);
    struct ovsdb_idl_table *br = track_bridge_names(idl);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(idl), 1);

    ck_assert_int_eq(kill(f.server.pid, SIGSTOP), 0);
    long long int stopped = time_msec();
    ck_assert_msg(!ovsdb_idl_wait_for(idl, not_synced, idl, 5000),
                  "the IDL did not notice a silent server in 5 s");
    /* An echo after 1 s of silence, given up on after another. */
    ck_assert_int_ge(time_msec() - stopped, 1000);

    ck_assert_int_eq(kill(f.server.pid, SIGCONT), 0);
    ck_assert_msg(!ovsdb_idl_wait_for(idl, synced_again, idl, 15000),
                  "the IDL did not reconnect to the resumed server");
    vsctl(&f.server, "add-br br1");
    wait_name(idl, br, "br1", true);

    free(remote);
    fixture_destroy(&f);
}

START_TEST(test_probe)
{
    check_probe(false);
}
END_TEST

START_TEST(test_probe_ovs)
{
    check_probe(true);
}
END_TEST

/* ---- A proxy that makes the server look older. ----
 *
 * It relays JSON-RPC between each client and the server, except that it
 * answers requests for the methods in 'reject' with "unknown method", as a
 * server that predates them would. */

struct proxy {
    uv_loop_t *loop;
    const char *target;
    const char *const *reject;  /* NULL-terminated. */
    struct stream_listener *listener;
    int n_rejected;
};

struct proxy_link {
    struct proxy *proxy;
    struct jsonrpc_conn *client, *server;
};

static void
proxy_close(struct jsonrpc_conn *conn OVS_UNUSED,
            enum jsonrpc_close_reason reason OVS_UNUSED,
            const char *message OVS_UNUSED, void *link_)
{
    struct proxy_link *link = link_;

    /* Whichever side goes first takes the other with it. */
    if (conn == link->client) {
        link->client = NULL;
        if (link->server) {
            jsonrpc_conn_close(link->server);
        }
    } else {
        link->server = NULL;
        if (link->client) {
            jsonrpc_conn_close(link->client);
        }
    }
    if (!link->client && !link->server) {
        free(link);
    }
}

static void
proxy_from_client(struct jsonrpc_conn *conn, json_t *msg, void *link_)
{
    struct proxy_link *link = link_;
    const char *method = json_string_value(json_object_get(msg, "method"));

    for (const char *const *r = link->proxy->reject; method && *r; r++) {
        if (!strcmp(method, *r)) {
            link->proxy->n_rejected++;
            jsonrpc_conn_send(conn, jsonrpc_create_error(
                                  json_string("unknown method"),
                                  json_incref(json_object_get(msg, "id"))));
            json_decref(msg);
            return;
        }
    }
    if (link->server) {
        jsonrpc_conn_send(link->server, msg);
    } else {
        json_decref(msg);
    }
}

static void
proxy_from_server(struct jsonrpc_conn *conn OVS_UNUSED, json_t *msg,
                  void *link_)
{
    struct proxy_link *link = link_;

    if (link->client) {
        jsonrpc_conn_send(link->client, msg);
    } else {
        json_decref(msg);
    }
}

static uv_stream_t *
pipe_from_fd(uv_loop_t *loop, int fd)
{
    uv_pipe_t *pipe = xmalloc(sizeof *pipe);

    uv_pipe_init(loop, pipe, 0);
    ck_assert_int_eq(uv_pipe_open(pipe, fd), 0);
    return (uv_stream_t *) pipe;
}

static void
proxy_accept(struct stream_listener *listener OVS_UNUSED,
             uv_stream_t *client, const char *peer OVS_UNUSED, void *proxy_)
{
    static const struct jsonrpc_conn_callbacks client_cbs = {
        .on_msg = proxy_from_client, .on_close = proxy_close,
    };
    static const struct jsonrpc_conn_callbacks server_cbs = {
        .on_msg = proxy_from_server, .on_close = proxy_close,
    };
    struct proxy *proxy = proxy_;
    struct proxy_link *link = xzalloc(sizeof *link);
    int fd;

    link->proxy = proxy;
    ck_assert_int_eq(stream_open_block(proxy->target, 5000, &fd, NULL), 0);
    link->server = jsonrpc_conn_create(pipe_from_fd(proxy->loop, fd),
                                       "server", &server_cbs, NULL, link);
    link->client = jsonrpc_conn_create(client, "client", &client_cbs, NULL,
                                       link);
}

static void
check_fallback(const char *const *reject, int n_rejected)
{
    struct fixture f;
    struct proxy proxy;
    char *listen, *remote;

    fixture_init(&f, false);
    vsctl(&f.server, "add-br br0 -- add-br br1");

    /* Point a second IDL at the proxy. */
    memset(&proxy, 0, sizeof proxy);
    proxy.loop = &f.loop;
    proxy.target = f.server.remote;
    proxy.reject = reject;
    listen = xasprintf("punix:%s/proxy.sock", f.server.dir);
    ck_assert_int_eq(stream_listen(&f.loop, listen, NULL, proxy_accept,
                                   &proxy, &proxy.listener, NULL), 0);
    remote = xasprintf("unix:%s/proxy.sock", f.server.dir);
    struct ovsdb_idl *idl = ovsdb_idl_create(&f.loop, remote,
                                             "Open_vSwitch");

    struct ovsdb_idl_table *br = ovsdb_idl_add_table(idl, "Bridge");
    const struct ovsdb_idl_column *ext = ovsdb_idl_add_column(br,
                                                              "external_ids");
    ovsdb_idl_add_column(br, "name");
    ovsdb_idl_set_condition(br, where_name("br1"));
    sync_idl(idl);
    ck_assert_int_eq(proxy.n_rejected, n_rejected);
    /* Plain "monitor" cannot filter: the condition is moot there. */
    ck_assert_int_eq(ovsdb_idl_count_rows(br), n_rejected == 2 ? 2 : 1);

    /* Updates arrive in the older formats too. */
    vsctl(&f.server, "set Bridge br1 external_ids:k=v -- add-br br2");
    while (strcmp(ovsdb_idl_row_get_map_string(find_by_name(br, "br1"), ext,
                                               "k", "-"), "v")) {
        uv_run(&f.loop, UV_RUN_ONCE);
    }
    if (n_rejected == 2) {
        wait_name(idl, br, "br2", true);
    }
    vsctl(&f.server, "del-br br1");
    wait_name(idl, br, "br1", false);

    /* Condition changes are monitor_cond_change for monitor_cond. */
    if (n_rejected == 1) {
        ovsdb_idl_set_condition(br, where_name("br2"));
        sync_idl(idl);
        ck_assert_int_eq(ovsdb_idl_count_rows(br), 1);
        ck_assert_ptr_nonnull(find_by_name(br, "br2"));
    }

    ovsdb_idl_destroy(idl);
    stream_listener_close(proxy.listener);
    free(listen);
    free(remote);
    fixture_destroy(&f);
}

START_TEST(test_fallback_monitor_cond)
{
    static const char *const reject[] = { "monitor_cond_since", NULL };
    check_fallback(reject, 1);
}
END_TEST

START_TEST(test_fallback_monitor)
{
    static const char *const reject[] = { "monitor_cond_since",
                                          "monitor_cond", NULL };
    check_fallback(reject, 2);
}
END_TEST

static bool
has_lock(void *idl)
{
    return ovsdb_idl_has_lock(idl);
}

static void
count_lock_changes(struct ovsdb_idl *idl OVS_UNUSED, void *n_)
{
    unsigned int *n = n_;
    (*n)++;
}

static bool
relocked(void *idl)
{
    return ovsdb_idl_get_connection_seqno(idl) >= 2
           && ovsdb_idl_has_lock(idl);
}

/* Debian's ovsdb-server keeps no transaction history for a standalone
 * database, so every reconnect reloads; rows that did not change are not
 * reported and keep their identity. */
START_TEST(test_reconnect_ovs)
{
    struct fixture f;

    fixture_init(&f, true);
    vsctl(&f.server, "add-br br0");
    struct ovsdb_idl_table *br = track_bridge_names(f.idl);
    const struct ovsdb_idl_row *br0 = find_by_name(br, "br0");
    ovsdb_idl_track_clear(f.idl);

    server_stop(&f.server);
    server_start(&f.server);
    vsctl(&f.server, "add-br br1");
    wait_name(f.idl, br, "br1", true);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(f.idl), 2);
    ck_assert_ptr_eq(find_by_name(br, "br0"), br0);
    const struct ovsdb_idl_row *row = ovsdb_idl_track_first(br);
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_eq(row, find_by_name(br, "br1"));
    ck_assert_ptr_null(ovsdb_idl_track_next(row));

    fixture_destroy(&f);
}
END_TEST

START_TEST(test_locks)
{
    struct fixture f;

    fixture_init(&f, false);
    vsctl(&f.server, "init");
    struct ovsdb_idl *idl2 = ovsdb_idl_create(&f.loop, f.server.remote,
                                              "Open_vSwitch");
    struct ovsdb_idl_table *ovs = ovsdb_idl_add_table(f.idl, "Open_vSwitch");
    const struct ovsdb_idl_column *ext = ovsdb_idl_add_column(ovs,
                                                              "external_ids");
    struct ovsdb_idl_table *ovs2 = ovsdb_idl_add_table(idl2, "Open_vSwitch");
    const struct ovsdb_idl_column *ext2 = ovsdb_idl_add_column(ovs2,
                                                               "external_ids");

    ovsdb_idl_set_lock(f.idl, "xsw_switchd");
    sync_idl(f.idl);
    ck_assert(ovsdb_idl_has_lock(f.idl));
    ck_assert(!ovsdb_idl_is_lock_contended(f.idl));

    ovsdb_idl_set_lock(idl2, "xsw_switchd");
    sync_idl(idl2);
    ck_assert(!ovsdb_idl_has_lock(idl2));
    ck_assert(ovsdb_idl_is_lock_contended(idl2));

    /* Without the lock, a transaction fails at once. */
    struct ovsdb_idl_txn *txn = ovsdb_idl_txn_create(idl2);
    struct ovsdb_datum d = string_map("who", "idl2");
    ovsdb_idl_txn_write(ovsdb_idl_first_row(ovs2), ext2, &d);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_NOT_LOCKED);
    ovsdb_idl_txn_destroy(txn);

    /* With it, it goes through. */
    txn = ovsdb_idl_txn_create(f.idl);
    d = string_map("who", "idl1");
    ovsdb_idl_txn_write(ovsdb_idl_first_row(ovs), ext, &d);
    ck_assert_int_eq(ovsdb_idl_txn_commit_block(txn, 10000),
                     OVSDB_IDL_TXN_SUCCESS);
    ovsdb_idl_txn_destroy(txn);

    /* When the holder goes away the waiter is told it has the lock. */
    ovsdb_idl_destroy(f.idl);
    f.idl = NULL;
    ck_assert_int_eq(ovsdb_idl_wait_for(idl2, has_lock, idl2, 10000), 0);
    ck_assert(!ovsdb_idl_is_lock_contended(idl2));

    /* A reconnect asks for the lock again. */
    unsigned int n_lock_changes = 0;
    ovsdb_idl_set_change_cb(idl2, count_lock_changes, &n_lock_changes);
    ovsdb_idl_force_reconnect(idl2);
    ck_assert_int_eq(ovsdb_idl_wait_for(idl2, relocked, idl2, 10000), 0);
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(idl2), 2);
    ck_assert_int_ge(n_lock_changes, 2);   /* Lost with the connection,
                                            * then granted again. */

    ovsdb_idl_destroy(idl2);
    fixture_destroy(&f);
}
END_TEST

/* Another client steals the IDL's lock, then unlocks it: the server keeps
 * the IDL queued behind the thief (it had asked with "lock") and tells it
 * "locked" again, on the same connection, as ovsdb-server does. */
static bool
lock_stolen(void *idl)
{
    return !ovsdb_idl_has_lock(idl) && ovsdb_idl_is_lock_contended(idl);
}

static void
thief_call(struct jsonrpc_client *thief, const char *method, int id,
           bool expect_locked)
{
    json_t *reply;
    char *error;

    ck_assert_int_eq(jsonrpc_client_transact(
                         thief, jsonrpc_create_request(
                             method, json_pack("[s]", "xt_steal"),
                             json_integer(id)), 10000, &reply, &error), 0);
    json_t *result = json_object_get(reply, "result");
    ck_assert_ptr_nonnull(result);
    if (expect_locked) {
        ck_assert(json_is_true(json_object_get(result, "locked")));
    }
    json_decref(reply);
}

static void
check_lock_stolen_and_returned(bool ovs)
{
    struct jsonrpc_client *thief;
    struct fixture f;
    char *error;

    fixture_init(&f, ovs);
    vsctl(&f.server, "init");
    ovsdb_idl_add_table(f.idl, "Open_vSwitch");
    ovsdb_idl_set_lock(f.idl, "xt_steal");
    sync_idl(f.idl);
    ck_assert_int_eq(ovsdb_idl_wait_for(f.idl, has_lock, f.idl, 10000), 0);

    ck_assert_int_eq(jsonrpc_client_open(f.server.remote, 10000, &thief,
                                         &error), 0);
    thief_call(thief, "steal", 1, true);
    ck_assert_int_eq(ovsdb_idl_wait_for(f.idl, lock_stolen, f.idl, 10000),
                     0);
    thief_call(thief, "unlock", 2, false);
    ck_assert_msg(!ovsdb_idl_wait_for(f.idl, has_lock, f.idl, 10000),
                  "the IDL did not get its lock back after the thief "
                  "unlocked");
    ck_assert(!ovsdb_idl_is_lock_contended(f.idl));
    ck_assert_int_eq(ovsdb_idl_get_connection_seqno(f.idl), 1);

    jsonrpc_client_close(thief);
    fixture_destroy(&f);
}

START_TEST(test_lock_stolen)
{
    check_lock_stolen_and_returned(false);
}
END_TEST

START_TEST(test_lock_stolen_ovs)
{
    check_lock_stolen_and_returned(true);
}
END_TEST

static void
count_changes(struct ovsdb_idl *idl OVS_UNUSED, void *n_)
{
    int *n = n_;
    (*n)++;
}

START_TEST(test_tracking)
{
    struct fixture f;
    int n_calls = 0;

    fixture_init(&f, false);
    vsctl(&f.server, "add-br br0");
    struct ovsdb_idl_table *br = ovsdb_idl_add_table(f.idl, "Bridge");
    const struct ovsdb_idl_column *name = ovsdb_idl_add_column(br, "name");
    const struct ovsdb_idl_column *ext = ovsdb_idl_add_column(br,
                                                              "external_ids");
    ovsdb_idl_track_enable(f.idl);
    ovsdb_idl_set_change_cb(f.idl, count_changes, &n_calls);
    sync_idl(f.idl);
    ck_assert_int_ge(n_calls, 1);
    ck_assert_ptr_nonnull(ovsdb_idl_track_first(br));
    ovsdb_idl_track_clear(f.idl);
    ck_assert_ptr_null(ovsdb_idl_track_first(br));

    vsctl(&f.server, "add-br br1");
    wait_name(f.idl, br, "br1", true);
    const struct ovsdb_idl_row *row = ovsdb_idl_track_first(br);
    ck_assert_ptr_nonnull(row);
    ck_assert_ptr_null(ovsdb_idl_track_next(row));
    ck_assert_int_eq(ovsdb_idl_row_get_change(row), OVSDB_IDL_INSERTED);
    ck_assert_str_eq(ovsdb_idl_row_get_string(row, name, ""), "br1");
    ovsdb_idl_track_clear(f.idl);

    n_calls = 0;
    uint64_t seqno = ovsdb_idl_get_seqno(f.idl);
    vsctl(&f.server, "set Bridge br1 external_ids:a=b");
    while (!ovsdb_idl_track_first(br)) {
        uv_run(&f.loop, UV_RUN_ONCE);
    }
    row = ovsdb_idl_track_first(br);
    ck_assert_int_eq(ovsdb_idl_row_get_change(row), OVSDB_IDL_MODIFIED);
    ck_assert(ovsdb_idl_row_column_changed(row, ext));
    ck_assert(!ovsdb_idl_row_column_changed(row, name));
    ck_assert_int_eq(n_calls, 1);
    ck_assert(ovsdb_idl_get_seqno(f.idl) != seqno);
    ovsdb_idl_track_clear(f.idl);

    vsctl(&f.server, "del-br br1");
    wait_name(f.idl, br, "br1", false);
    row = ovsdb_idl_track_first(br);
    ck_assert_ptr_nonnull(row);
    ck_assert_int_eq(ovsdb_idl_row_get_change(row), OVSDB_IDL_DELETED);
    ck_assert_str_eq(ovsdb_idl_row_get_string(row, name, ""), "br1");
    ck_assert_str_eq(ovsdb_idl_row_get_map_string(row, ext, "a", ""), "b");
    ovsdb_idl_track_clear(f.idl);
    ck_assert_ptr_null(ovsdb_idl_track_first(br));
    ck_assert_int_eq(ovsdb_idl_count_rows(br), 1);

    fixture_destroy(&f);
}
END_TEST

static Suite *
idl_suite(void)
{
    Suite *s = suite_create("idl");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_replicate);
    tcase_add_test(tc, test_replicate_ovs);
    tcase_add_test(tc, test_connection_failed);
    tcase_add_test(tc, test_server_late);
    tcase_add_test(tc, test_conditions);
    tcase_add_test(tc, test_conditions_ovs);
    tcase_add_test(tc, test_late_registration);
    tcase_add_test(tc, test_transactions);
    tcase_add_test(tc, test_transactions_ovs);
    tcase_add_test(tc, test_delete_non_root);
    tcase_add_test(tc, test_delete_non_root_ovs);
    tcase_add_test(tc, test_optional_columns);
    tcase_add_test(tc, test_optional_columns_ovs);
    tcase_add_test(tc, test_verify);
    tcase_add_test(tc, test_verify_ovs);
    tcase_add_test(tc, test_increment);
    tcase_add_test(tc, test_reconnect);
    tcase_add_test(tc, test_reconnect_ovs);
    tcase_add_test(tc, test_probe);
    tcase_add_test(tc, test_probe_ovs);
    tcase_add_test(tc, test_fallback_monitor_cond);
    tcase_add_test(tc, test_fallback_monitor);
    tcase_add_test(tc, test_locks);
    tcase_add_test(tc, test_lock_stolen);
    tcase_add_test(tc, test_lock_stolen_ovs);
    tcase_add_test(tc, test_tracking);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(idl_suite());
    int n_failed;

    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
