/* remotes.c: see remotes.h.
 *
 * Open vSwitch's ovsdb-server does the same in query_db_remotes(),
 * add_manager_options(), reconfigure_remotes(), reconfigure_ssl() and
 * update_remote_status(); the behaviour, defaults and status keys follow
 * it. */
#include <config.h>
#include "remotes.h"

#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <uv.h>

#include "coverage.h"
#include "db.h"
#include "ds.h"
#include "jsonrpc.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "server.h"
#include "shash.h"
#include "stream.h"
#include "tls.h"
#include "unixctl.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(remotes);

COVERAGE_DEFINE(remotes_reconfigure);
COVERAGE_DEFINE(remotes_status_write);  /* A status txn that changed. */

/* Open vSwitch's defaults (lib/reconnect.h, lib/socket-util.h): TCP and
 * TLS connections are probed every 5 s (JSONRPC_PROBE_INTERVAL_DEFAULT),
 * Unix ones never (stream_needs_probes()); connections are marked DSCP 48
 * (CS6, "internetwork control"). */
#define DEFAULT_MAX_BACKOFF_MS 8000
#define DEFAULT_DSCP 48

/* One resolved remote: what the server was asked to serve. */
struct resolved {
    struct server_remote_options options;
    char *error;                /* Why it could not be served, or NULL. */
    bool refused;               /* 'error' is the row's doing: retrying
                                 * cannot help until the row changes. */
    bool added;                 /* The server serves it. */
};

struct remotes {
    struct server *server;
    struct shash configured;    /* Name -> bool * (read-only), owned. */
    struct shash resolved;      /* Target -> struct resolved. */
    char *last_errors;          /* Logged once until they change. */
    uv_timer_t status_timer;

    /* TLS: what the options name, what they resolved to last, and every
     * configuration made so far (sessions may still use an old one). */
    char *tls_names[3];         /* private key, certificate, CA cert. */
    char *tls_files[3];
    struct tls_config **tls_configs;
    size_t n_tls_configs;
};

/* ---- Reading database columns. ---- */

struct db_column {
    struct ovsdb_db *db;
    struct ovsdb_table *table;
    const struct ovsdb_column *column;
};

/* Parses "db:DB,TABLE,COLUMN" and finds it among the server's databases.
 * Returns NULL, or a malloc'd message in ovsdb-server's words. */
static char *
parse_db_column(const struct server *server, const char *name,
                struct db_column *dbc)
{
    char *copy = xstrdup(name + 3);
    char *save = NULL;
    char *db_name = strtok_r(copy, ",", &save);
    char *table_name = db_name ? strtok_r(NULL, ",", &save) : NULL;
    char *column_name = table_name ? strtok_r(NULL, ",", &save) : NULL;
    char *error = NULL;

    memset(dbc, 0, sizeof *dbc);
    if (!column_name || strtok_r(NULL, ",", &save)) {
        error = xasprintf("\"%s\": invalid syntax", name);
    } else if (!(dbc->db = server_get_db(server, db_name))) {
        error = xasprintf("\"%s\": no database named %s", name, db_name);
    } else if (!(dbc->table = ovsdb_db_get_table(dbc->db, table_name))) {
        error = xasprintf("\"%s\": no table named %s", name, table_name);
    } else if (!(dbc->column = ovsdb_table_schema_get_column(
                     dbc->table->schema, column_name))) {
        error = xasprintf("\"%s\": table \"%s\" has no column \"%s\"",
                          name, table_name, column_name);
    }
    free(copy);
    return error;
}

static const struct ovsdb_datum *
row_datum(const struct ovsdb_row *row, const char *column_name,
          enum ovsdb_atomic_type key_type, enum ovsdb_atomic_type value_type,
          const struct ovsdb_column **columnp)
{
    const struct ovsdb_column *column
        = ovsdb_table_schema_get_column(row->table->schema, column_name);

    if (columnp) {
        *columnp = column;
    }
    if (!column || column->type.key.type != key_type
        || column->type.value.type != value_type) {
        return NULL;
    }
    return &row->fields[column->index];
}

/* The value of optional scalar column 'name' of 'row', if it has one. */
static const union ovsdb_atom *
row_scalar(const struct ovsdb_row *row, const char *name,
           enum ovsdb_atomic_type type)
{
    const struct ovsdb_datum *d = row_datum(row, name, type, OVSDB_TYPE_VOID,
                                            NULL);
    return d && d->n == 1 ? &d->keys[0] : NULL;
}

static const char *
row_map_string(const struct ovsdb_row *row, const char *column,
               const char *key)
{
    const struct ovsdb_datum *d = row_datum(row, column, OVSDB_TYPE_STRING,
                                            OVSDB_TYPE_STRING, NULL);
    for (size_t i = 0; d && i < d->n; i++) {
        if (!strcmp(d->keys[i].string, key)) {
            return d->values[i].string;
        }
    }
    return NULL;
}

/* ---- Resolving. ---- */

static struct server_remote_options
default_options(const char *target)
{
    bool tcp = stream_needs_probes(target);
    struct server_remote_options options = {
        .max_backoff_ms = DEFAULT_MAX_BACKOFF_MS,
        .probe_interval_ms = tcp ? JSONRPC_PROBE_INTERVAL_DEFAULT : 0,
        .dscp = tcp ? DEFAULT_DSCP : 0,
    };
    return options;
}

static struct resolved *
add_resolved(struct shash *set, const char *target)
{
    struct resolved *r = shash_find_data(set, target);

    if (!r) {
        r = xzalloc(sizeof *r);
        r->options = default_options(target);
        shash_add(set, target, r);
    }
    return r;
}

static void
resolved_destroy(struct resolved *r)
{
    if (r) {
        free(r->error);
        free(r);
    }
}

static bool
target_is_acceptable(const char *target, struct ds *errors)
{
    if (!strncmp(target, "pfd:", 4)) {
        ds_put_format(errors, "pfd: remotes can only be specified on the "
                      "command line; ignoring \"%s\" from database\n",
                      target);
        return false;
    }
    return true;
}

/* A row with "target" and options, such as a Manager row. */
static void
add_manager_options(struct shash *set, const struct ovsdb_row *row,
                    bool read_only, struct ds *errors)
{
    const union ovsdb_atom *target = row_scalar(row, "target",
                                                OVSDB_TYPE_STRING);
    const union ovsdb_atom *atom;
    const char *dscp;
    struct resolved *r;

    if (!target) {
        ds_put_format(errors, "Table `%s' has missing or invalid `target' "
                      "column\n", row->table->schema->name);
        return;
    }
    if (!target_is_acceptable(target->string, errors)) {
        return;
    }
    r = add_resolved(set, target->string);
    if ((atom = row_scalar(row, "max_backoff", OVSDB_TYPE_INTEGER))) {
        r->options.max_backoff_ms = atom->integer;
    }
    if ((atom = row_scalar(row, "inactivity_probe", OVSDB_TYPE_INTEGER))) {
        r->options.probe_interval_ms = atom->integer;
    }
    if ((atom = row_scalar(row, "read_only", OVSDB_TYPE_BOOLEAN))) {
        r->options.read_only = atom->boolean;
    }
    r->options.read_only |= read_only;
    if ((dscp = row_map_string(row, "other_config", "dscp"))) {
        char *end;
        long n = strtol(dscp, &end, 10);
        if (!*end && n >= 0 && n <= 63) {
            r->options.dscp = n;
        }
    }
    if ((atom = row_scalar(row, "role", OVSDB_TYPE_STRING))
        && atom->string[0]) {
        /* ovsdb-server would restrict this client by role-based access
         * control, which xsw does not have: serving it anyway would give
         * it more than it was granted. */
        free(r->error);
        r->error = xasprintf("%s: role \"%s\" requested, but xsw-dbserver "
                             "has no role-based access control: not "
                             "serving this remote", target->string,
                             atom->string);
        r->refused = true;
    }
    if ((atom = row_scalar(row, "connection_mode", OVSDB_TYPE_STRING))
        && !strcmp(atom->string, "in-band")) {
        ds_put_format(errors, "%s: connection_mode \"in-band\" is not "
                      "applied: xsw sets up no in-band control flows, the "
                      "connection follows the host's routing "
                      "(out-of-band)\n", target->string);
    }
}

/* Adds the remotes that column 'name' ("db:DB,TABLE,COLUMN") lists to
 * 'set'; all of them read-only if 'read_only' (--read-only-remote=db:...),
 * whatever the rows say. */
static void
query_db_remotes(const struct server *server, const char *name,
                 bool read_only, struct shash *set, struct ds *errors)
{
    const struct ovsdb_type *type;
    const struct ovsdb_row *row;
    struct db_column dbc;
    char *error = parse_db_column(server, name, &dbc);

    if (error) {
        ds_put_format(errors, "%s\n", error);
        free(error);
        return;
    }
    type = &dbc.column->type;
    if (type->key.type == OVSDB_TYPE_STRING
        && type->value.type == OVSDB_TYPE_VOID) {
        HMAP_FOR_EACH (row, hmap_node, &dbc.table->rows) {
            const struct ovsdb_datum *d = &row->fields[dbc.column->index];
            for (size_t i = 0; i < d->n; i++) {
                if (target_is_acceptable(d->keys[i].string, errors)) {
                    add_resolved(set, d->keys[i].string)->options.read_only
                        |= read_only;
                }
            }
        }
    } else if (type->key.type == OVSDB_TYPE_UUID
               && type->key.u.uuid.ref_table
               && type->value.type == OVSDB_TYPE_VOID) {
        const struct ovsdb_table *ref_table = ovsdb_db_get_table(
            dbc.db, type->key.u.uuid.ref_table->name);
        HMAP_FOR_EACH (row, hmap_node, &dbc.table->rows) {
            const struct ovsdb_datum *d = &row->fields[dbc.column->index];
            for (size_t i = 0; ref_table && i < d->n; i++) {
                const struct ovsdb_row *ref
                    = ovsdb_table_get_row(ref_table, &d->keys[i].uuid);
                if (ref) {
                    add_manager_options(set, ref, read_only, errors);
                }
            }
        }
    }
}

/* The first non-empty string in column 'name' ("db:DB,TABLE,COLUMN") of
 * any row, as ovsdb-server's query_db_string(); 'name' itself if it is not
 * a "db:" name. */
static const char *
query_db_string(const struct server *server, const char *name,
                struct ds *errors)
{
    const struct ovsdb_row *row;
    struct db_column dbc;
    char *error;

    if (!name || strncmp(name, "db:", 3)) {
        return name;
    }
    error = parse_db_column(server, name, &dbc);
    if (!error && (dbc.column->type.key.type != OVSDB_TYPE_STRING
                   || dbc.column->type.value.type != OVSDB_TYPE_VOID)) {
        error = xasprintf("\"%s\": table \"%s\" column \"%s\" is not string "
                          "or set of strings", name, dbc.table->schema->name,
                          dbc.column->name);
    }
    if (error) {
        ds_put_format(errors, "%s\n", error);
        free(error);
        return NULL;
    }
    HMAP_FOR_EACH (row, hmap_node, &dbc.table->rows) {
        const struct ovsdb_datum *d = &row->fields[dbc.column->index];
        for (size_t i = 0; i < d->n; i++) {
            if (d->keys[i].string[0]) {
                return d->keys[i].string;
            }
        }
    }
    return NULL;
}

static bool
nullable_streq(const char *a, const char *b)
{
    return a ? b && !strcmp(a, b) : !b;
}

/* Resolves the TLS files; if they changed and all three are there, loads
 * them for the remotes that connect or are accepted from now on. */
static void
reconfigure_tls(struct remotes *r, struct ds *errors)
{
    const char *files[3];
    bool changed = false;
    struct tls_config *config;
    char *msg;

    if (!r->tls_names[0] && !r->tls_names[1] && !r->tls_names[2]) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        files[i] = query_db_string(r->server, r->tls_names[i], errors);
        changed |= !nullable_streq(files[i], r->tls_files[i]);
    }
    if (!changed) {
        return;
    }
    for (int i = 0; i < 3; i++) {
        free(r->tls_files[i]);
        r->tls_files[i] = files[i] ? xstrdup(files[i]) : NULL;
    }
    if (!files[0] || !files[1] || !files[2]) {
        /* ovsdb-server, too, waits for all three before TLS works. */
        return;
    }
    if (tls_config_create(files[0], files[1], files[2], &config, &msg)) {
        ds_put_format(errors, "TLS: %s\n", msg);
        free(msg);
        /* Try again at the next change, even if the names stay. */
        free(r->tls_files[0]);
        r->tls_files[0] = NULL;
        return;
    }
    VLOG_INFO("TLS: using private key %s, certificate %s, CA certificate %s",
              files[0], files[1], files[2]);
    r->tls_configs = xrealloc(r->tls_configs, (r->n_tls_configs + 1)
                              * sizeof *r->tls_configs);
    r->tls_configs[r->n_tls_configs++] = config;
    server_set_tls_config(r->server, config);
}

static bool
options_equal(const struct server_remote_options *a,
              const struct server_remote_options *b)
{
    return (a->read_only == b->read_only
            && a->max_backoff_ms == b->max_backoff_ms
            && a->probe_interval_ms == b->probe_interval_ms
            && a->dscp == b->dscp);
}

void
remotes_reconfigure(struct remotes *r)
{
    struct ds errors = DS_EMPTY_INITIALIZER;
    struct shash_node *node, *next;
    struct shash set;

    COVERAGE_INC(remotes_reconfigure);
    reconfigure_tls(r, &errors);

    shash_init(&set);
    SHASH_FOR_EACH (node, &r->configured) {
        const bool *read_only = node->data;
        if (!strncmp(node->name, "db:", 3)) {
            query_db_remotes(r->server, node->name, *read_only, &set,
                             &errors);
        } else {
            add_resolved(&set, node->name)->options.read_only = *read_only;
        }
    }

    /* Gone, or changed in a way that needs a new socket: remove. */
    SHASH_FOR_EACH_SAFE (node, next, &r->resolved) {
        struct resolved *old = node->data;
        struct resolved *new = shash_find_data(&set, node->name);

        if (!new || new->error || new->options.dscp != old->options.dscp
            || !old->added) {
            if (old->added) {
                server_remove_remote(r->server, node->name);
            }
            resolved_destroy(old);
            shash_delete(&r->resolved, node);
        }
    }
    /* New, or changed in place. */
    SHASH_FOR_EACH (node, &set) {
        struct resolved *new = node->data;
        struct resolved *old = shash_find_data(&r->resolved, node->name);

        if (old) {
            if (!options_equal(&old->options, &new->options)) {
                server_set_remote_options(r->server, node->name,
                                          &new->options);
                old->options = new->options;
            }
            continue;
        }
        if (!new->error) {
            char *error;
            if (server_add_remote(r->server, node->name, &new->options,
                                  &error)) {
                new->error = error;
            } else {
                new->added = true;
            }
        }
        if (new->error) {
            /* The message names the remote already. */
            ds_put_format(&errors, "%s\n", new->error);
        }
        shash_add(&r->resolved, node->name, new);
        node->data = NULL;
    }
    SHASH_FOR_EACH (node, &set) {
        resolved_destroy(node->data);
    }
    shash_destroy(&set);

    if (!nullable_streq(errors.s, r->last_errors)) {
        if (errors.len) {
            ds_truncate(&errors, errors.len - 1);   /* The last newline. */
            VLOG_ERR("%s", errors.s);
            ds_put_char(&errors, '\n');
        }
        free(r->last_errors);
        r->last_errors = errors.len ? xstrdup(errors.s) : NULL;
    }
    ds_destroy(&errors);
}

const char *
remotes_get_error(const struct remotes *r, const char *target)
{
    const struct resolved *res = shash_find_data(&r->resolved, target);

    return res ? res->error : NULL;
}

/* ---- Status. ---- */

/* Sets column 'name' of 'row' (in 'txn') to the value 'json' describes,
 * if the row has such a column and holds another value. */
static void
update_column(struct ovsdb_txn *txn, const struct ovsdb_row *row,
              const char *name, json_t *json)
{
    const struct ovsdb_column *column
        = ovsdb_table_schema_get_column(row->table->schema, name);
    struct ovsdb_datum datum;
    struct ovsdb_error *error;

    if (!column) {
        json_decref(json);
        return;
    }
    error = ovsdb_datum_from_json(&datum, &column->type, json, NULL);
    json_decref(json);
    if (error) {
        /* The table has a column of that name but another type. */
        ovsdb_error_destroy(error);
        return;
    }
    if (!ovsdb_datum_equals(&datum, &row->fields[column->index],
                            &column->type)) {
        struct ovsdb_row *rw = ovsdb_txn_row_modify(txn, row);
        ovsdb_datum_swap(&rw->fields[column->index], &datum);
    }
    ovsdb_datum_destroy(&datum, &column->type);
}

static void
put_status(json_t *pairs, const char *key, char *value)
{
    json_array_append_new(pairs, json_pack("[ss]", key, value));
    free(value);
}

static void
update_remote_row(struct remotes *r, struct ovsdb_txn *txn,
                  const struct ovsdb_row *row)
{
    const union ovsdb_atom *target = row_scalar(row, "target",
                                                OVSDB_TYPE_STRING);
    const struct resolved *res;
    struct server_remote_status st;
    json_t *pairs = json_array();

    if (!target) {
        json_decref(pairs);
        return;
    }
    server_get_remote_status(r->server, target->string, &st);
    res = shash_find_data(&r->resolved, target->string);
    if (res && res->error && !st.last_error) {
        st.last_error = xstrdup(res->error);
    }
    if (st.state) {
        put_status(pairs, "state", xstrdup(st.state));
    }
    if (st.sec_since_connect >= 0) {
        put_status(pairs, "sec_since_connect",
                   xasprintf("%lld", st.sec_since_connect));
    }
    if (st.sec_since_disconnect >= 0) {
        put_status(pairs, "sec_since_disconnect",
                   xasprintf("%lld", st.sec_since_disconnect));
    }
    if (st.last_error) {
        put_status(pairs, "last_error", xstrdup(st.last_error));
    }
    if (st.locks_held) {
        put_status(pairs, "locks_held", xstrdup(st.locks_held));
    }
    if (st.locks_waiting) {
        put_status(pairs, "locks_waiting", xstrdup(st.locks_waiting));
    }
    if (st.locks_lost) {
        put_status(pairs, "locks_lost", xstrdup(st.locks_lost));
    }
    if (st.n_connections > 1) {
        put_status(pairs, "n_connections",
                   xasprintf("%zu", st.n_connections));
    }
    if (st.bound_port) {
        put_status(pairs, "bound_port", xasprintf("%d", st.bound_port));
    }
    update_column(txn, row, "is_connected", json_boolean(st.is_connected));
    update_column(txn, row, "status", json_pack("[so]", "map", pairs));
    server_remote_status_destroy(&st);
}

/* Writes the status of every remote that a database row configures into
 * that row, if it changed. */
static void
remotes_update_status(struct remotes *r)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &r->configured) {
        const struct ovsdb_type *type;
        const struct ovsdb_table *ref_table;
        const struct ovsdb_row *row;
        struct ovsdb_error *error;
        struct ovsdb_txn *txn;
        struct db_column dbc;
        char *msg;

        if (strncmp(node->name, "db:", 3)) {
            continue;
        }
        if ((msg = parse_db_column(r->server, node->name, &dbc))) {
            free(msg);
            continue;
        }
        type = &dbc.column->type;
        if (type->key.type != OVSDB_TYPE_UUID || !type->key.u.uuid.ref_table
            || type->value.type != OVSDB_TYPE_VOID
            || !(ref_table = ovsdb_db_get_table(
                     dbc.db, type->key.u.uuid.ref_table->name))) {
            continue;
        }
        txn = ovsdb_txn_create(dbc.db);
        HMAP_FOR_EACH (row, hmap_node, &dbc.table->rows) {
            const struct ovsdb_datum *d = &row->fields[dbc.column->index];
            for (size_t i = 0; i < d->n; i++) {
                const struct ovsdb_row *ref
                    = ovsdb_table_get_row(ref_table, &d->keys[i].uuid);
                if (ref) {
                    update_remote_row(r, txn, ref);
                }
            }
        }
        if (!ovsdb_txn_is_empty(txn)) {
            COVERAGE_INC(remotes_status_write);
        }
        error = server_commit_txn(r->server, dbc.db, txn);
        if (error) {
            static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(1, 1);
            msg = ovsdb_error_to_string(error);
            VLOG_ERR_RL(&rl, "Failed to update remote status: %s", msg);
            free(msg);
            ovsdb_error_destroy(error);
        }
    }
}

static void
status_timer_cb(uv_timer_t *timer)
{
    struct remotes *r = timer->data;
    struct shash_node *node;

    /* A remote that failed (a port in use) is retried, as ovsdb-server
     * retries, at a calmer pace. */
    SHASH_FOR_EACH (node, &r->resolved) {
        struct resolved *res = node->data;
        if (!res->added && !res->refused) {
            remotes_reconfigure(r);
            break;
        }
    }
    remotes_update_status(r);
}

static void
database_changed_cb(void *r)
{
    remotes_reconfigure(r);
}

/* ---- Life cycle. ---- */

struct remotes *
remotes_create(struct server *server)
{
    struct remotes *r = xzalloc(sizeof *r);

    r->server = server;
    shash_init(&r->configured);
    shash_init(&r->resolved);
    uv_timer_init(server_get_loop(server), &r->status_timer);
    r->status_timer.data = r;
    uv_timer_start(&r->status_timer, status_timer_cb,
                   REMOTES_STATUS_INTERVAL_MS, REMOTES_STATUS_INTERVAL_MS);
    server_set_change_cb(server, database_changed_cb, r);
    return r;
}

void
remotes_destroy(struct remotes *r)
{
    struct shash_node *node;

    if (!r) {
        return;
    }
    server_set_change_cb(r->server, NULL, NULL);
    uv_close((uv_handle_t *) &r->status_timer, NULL);
    SHASH_FOR_EACH (node, &r->resolved) {
        struct resolved *res = node->data;
        if (res->added) {
            server_remove_remote(r->server, node->name);
        }
        resolved_destroy(res);
    }
    shash_destroy(&r->resolved);
    shash_destroy_free_data(&r->configured);
    server_set_tls_config(r->server, NULL);
    for (size_t i = 0; i < r->n_tls_configs; i++) {
        tls_config_destroy(r->tls_configs[i]);
    }
    free(r->tls_configs);
    for (int i = 0; i < 3; i++) {
        free(r->tls_names[i]);
        free(r->tls_files[i]);
    }
    free(r->last_errors);
    free(r);
}

int
remotes_add(struct remotes *r, const char *name, bool read_only,
            char **errorp)
{
    if (shash_find(&r->configured, name)) {
        *errorp = xasprintf("%s: already configured", name);
        return EEXIST;
    }
    if (strncmp(name, "db:", 3)) {
        struct stream_addr addr;
        int error = stream_parse_with_tls(name, &addr, errorp);
        if (error) {
            return error;
        }
        stream_addr_destroy(&addr);
    } else if (strchr(name, ',') == strrchr(name, ',')) {
        *errorp = xasprintf("\"%s\": invalid syntax (use "
                            "db:DATABASE,TABLE,COLUMN)", name);
        return EINVAL;
    }
    bool *ro = xmalloc(sizeof *ro);
    *ro = read_only;
    shash_add(&r->configured, name, ro);
    return 0;
}

void
remotes_set_tls_files(struct remotes *r, const char *private_key,
                      const char *certificate, const char *ca_cert)
{
    const char *names[3] = { private_key, certificate, ca_cert };

    for (int i = 0; i < 3; i++) {
        free(r->tls_names[i]);
        r->tls_names[i] = names[i] ? xstrdup(names[i]) : NULL;
    }
}

/* ---- unixctl. ---- */

static void
unixctl_add_remote(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[], void *r_)
{
    struct remotes *r = r_;
    const char *name = argv[1];
    struct db_column dbc;
    char *error = NULL;

    if (!strncmp(name, "db:", 3)) {
        /* As ovsdb-server: the column must exist now. */
        error = parse_db_column(r->server, name, &dbc);
    }
    if (!error && !remotes_add(r, name, false, &error)) {
        remotes_reconfigure(r);
        const struct resolved *res = shash_find_data(&r->resolved, name);
        if (res && res->error) {
            /* A remote that cannot work (a port in use) is not kept: the
             * caller sees the error and may try again. */
            unixctl_command_reply_error(conn, res->error);
            free(shash_find_and_delete(&r->configured, name));
            remotes_reconfigure(r);
        } else {
            unixctl_command_reply(conn, NULL);
        }
        return;
    }
    unixctl_command_reply_error(conn, error);
    free(error);
}

static void
unixctl_remove_remote(struct unixctl_conn *conn, int argc OVS_UNUSED,
                      const char *argv[], void *r_)
{
    struct remotes *r = r_;
    struct shash_node *node = shash_find(&r->configured, argv[1]);

    if (!node) {
        unixctl_command_reply_error(conn, "no such remote");
        return;
    }
    free(node->data);
    shash_delete(&r->configured, node);
    remotes_reconfigure(r);
    unixctl_command_reply(conn, NULL);
}

/* As ovsdb-server's: the configured names, sorted, one a line.  A
 * listener on port 0 also shows the port it bound, which is the one thing
 * a script cannot know otherwise. */
static void
unixctl_list_remotes(struct unixctl_conn *conn, int argc OVS_UNUSED,
                     const char *argv[] OVS_UNUSED, void *r_)
{
    struct remotes *r = r_;
    const struct shash_node **nodes = shash_sort(&r->configured);
    struct ds out = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < shash_count(&r->configured); i++) {
        const char *name = nodes[i]->name;
        const bool *read_only = nodes[i]->data;
        struct stream_addr addr;

        ds_put_cstr(&out, name);
        if (*read_only) {
            ds_put_cstr(&out, " (read-only)");
        }
        if (strncmp(name, "db:", 3)
            && !stream_parse_with_tls(name, &addr, NULL)) {
            if (addr.passive && addr.kind == STREAM_TCP && !addr.port) {
                int port = server_get_remote_port(r->server, name);
                if (port) {
                    ds_put_format(&out, " (port %d)", port);
                }
            }
            stream_addr_destroy(&addr);
        }
        ds_put_char(&out, '\n');
    }
    free(nodes);
    unixctl_command_reply(conn, out.len ? out.s : "");
    ds_destroy(&out);
}

void
remotes_register_unixctl(struct remotes *r)
{
    unixctl_command_register("ovsdb-server/add-remote", "REMOTE", 1, 1,
                             unixctl_add_remote, r);
    unixctl_command_register("ovsdb-server/remove-remote", "REMOTE", 1, 1,
                             unixctl_remove_remote, r);
    unixctl_command_register("ovsdb-server/list-remotes", "", 0, 0,
                             unixctl_list_remotes, r);
}
