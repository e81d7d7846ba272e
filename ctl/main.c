/* main.c: xsw-ctl's command line and transaction loop.
 *
 *   xsw-ctl [OPTIONS] COMMAND [ARG...] [-- [OPTIONS] COMMAND [ARG...]]...
 *
 * The whole command line is one transaction.  The stages (see ctl.h):
 *
 *   parse -> prerequisites -> fetch plan -> IDL sync (+ follow references)
 *   -> run every command in one txn -> commit
 *        TRY_AGAIN or wait-until not satisfied: wait for the replica to
 *        change, run everything again
 *   -> postprocess -> print -> wait for cur_cfg >= next_cfg (unless
 *      --no-wait)
 *
 * Messages, option names and exit statuses follow ovs-vsctl 3.1 so that
 * scripts written for it run unchanged. */
#include <config.h>

#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "ctl.h"
#include "cmdline.h"
#include "daemon.h"
#include "idl.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "stream.h"
#include "table.h"
#include "tls.h"
#include "timeval.h"
#include "util.h"
#include "vswitch-schema.h"
#include "uuid.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(vsctl);

struct ctl_global_options ctl_global;

/* ---- Output strings. ---- */

void
ctl_printf(struct ctl_context *ctx, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ds_put_format_valist(&ctx->output, format, args);
    va_end(args);
}

/* ---- Errors. ---- */

void
ctl_fatal(const char *format, ...)
{
    va_list args;

    fflush(stdout);
    fprintf(stderr, "%s: ", daemon_program_name());
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static void PRINTF_FORMAT(2, 0)
ctl_log_warn_valist(const char *module, const char *format, va_list args)
{
    static unsigned int seq = 1;
    char stamp[32];
    time_t now = time(NULL);
    struct tm tm;

    strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%SZ", gmtime_r(&now, &tm));
    fprintf(stderr, "%s|%05u|%s|WARN|", stamp, seq++, module);
    vfprintf(stderr, format, args);
    fputc('\n', stderr);
}

void
ctl_log_warn(const char *module, const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ctl_log_warn_valist(module, format, args);
    va_end(args);
}

void
ctl_warn(const char *format, ...)
{
    va_list args;
    va_start(args, format);
    ctl_log_warn_valist("db_ctl_base", format, args);
    va_end(args);
}

/* ovs-vsctl is killed by SIGALRM when --timeout expires, so its status is
 * 128 + SIGALRM; scripts may test for it, so xsw-ctl exits the same way,
 * after saying what it was waiting for. */
static void NO_RETURN PRINTF_FORMAT(1, 2)
ctl_timeout(const char *format, ...)
{
    va_list args;

    fflush(stdout);
    fprintf(stderr, "%s: timeout: ", daemon_program_name());
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fprintf(stderr, " (--timeout=%d)\n", ctl_global.timeout);
    exit(128 + SIGALRM);
}

/* ---- Commands. ---- */

static struct shash all_commands = SHASH_INITIALIZER(&all_commands);

void
ctl_register_commands(const struct ctl_command_syntax *cmds)
{
    for (; cmds->name; cmds++) {
        if (!shash_add_once(&all_commands, cmds->name, cmds)) {
            xsw_fatal("command %s registered twice", cmds->name);
        }
    }
}

#define MAX_CACHE_HOOKS 8
static void (*cache_hooks[MAX_CACHE_HOOKS])(void);
static size_t n_cache_hooks;

void
ctl_register_cache_hook(void (*invalidate)(void))
{
    for (size_t i = 0; i < n_cache_hooks; i++) {
        if (cache_hooks[i] == invalidate) {
            return;
        }
    }
    if (n_cache_hooks >= MAX_CACHE_HOOKS) {
        xsw_fatal("too many cache hooks");
    }
    cache_hooks[n_cache_hooks++] = invalidate;
}

void
ctl_invalidate_caches(void)
{
    for (size_t i = 0; i < n_cache_hooks; i++) {
        cache_hooks[i]();
    }
}

bool
ctl_has_option(const struct ctl_context *ctx, const char *name)
{
    return ctx->options && shash_find(ctx->options, name) != NULL;
}

const char *
ctl_get_option(const struct ctl_context *ctx, const char *name)
{
    return ctx->options ? shash_find_data(ctx->options, name) : NULL;
}

/* ---- Schema. ---- */

static struct ovsdb_schema *schema;

/* The Open_vSwitch schema that xsw-ctl was built with (like ovs-vsctl, it
 * validates names against its own copy, so errors do not need a
 * connection). */
static const struct ovsdb_schema *
ctl_schema(void)
{
    if (!schema) {
        json_error_t jerror;
        json_t *json = json_loads(xsw_vswitch_schema, 0, &jerror);
        struct ovsdb_error *error;

        if (!json) {
            xsw_fatal("built-in schema: %s", jerror.text);
        }
        error = ovsdb_schema_from_json(json, &schema);
        json_decref(json);
        if (error) {
            xsw_fatal("built-in schema: %s", ovsdb_error_to_string(error));
        }
    }
    return schema;
}

const struct ovsdb_table_schema *
ctl_get_table(const char *name)
{
    const struct ovsdb_table_schema *ts;
    char *error = ctl_cmdline_find_table(ctl_schema(), name, &ts);
    if (error) {
        ctl_fatal("%s", error);
    }
    return ts;
}

const struct ovsdb_column *
ctl_get_column(const struct ovsdb_table_schema *ts, const char *name)
{
    const struct ovsdb_column *column;
    char *error = ctl_cmdline_find_column(ts, name, &column);
    if (error) {
        ctl_fatal("%s", error);
    }
    return column;
}

/* ---- The fetch plan: which tables, columns and rows to replicate. ---- */

enum plan_selection {
    SEL_DEFAULT,    /* Nobody said: every row. */
    SEL_SOME,       /* The rows matching 'clauses' (none if empty). */
    SEL_ALL         /* Every row. */
};

struct plan_table {
    char *name;
    bool all_columns;
    struct shash columns;           /* Names; data unused. */
    enum plan_selection selection;
    json_t *clauses;                /* Array of clauses, OR-ed. */
    struct shash clause_set;        /* Clause JSON text, for dedup. */
    struct shash follow;            /* Columns whose targets to fetch. */
    struct shash referrers;         /* Columns whose referrers to fetch. */
    bool changed;                   /* Since last applied to the IDL. */
};

static struct shash plan = SHASH_INITIALIZER(&plan);

static struct plan_table *
plan_get(const char *name)
{
    struct plan_table *pt = shash_find_data(&plan, name);
    if (!pt) {
        if (!ovsdb_schema_get_table(ctl_schema(), name)) {
            xsw_fatal("xsw-ctl: no table %s in the schema", name);
        }
        pt = xzalloc(sizeof *pt);
        pt->name = xstrdup(name);
        shash_init(&pt->columns);
        shash_init(&pt->clause_set);
        shash_init(&pt->follow);
        shash_init(&pt->referrers);
        pt->clauses = json_array();
        pt->changed = true;
        shash_add(&plan, name, pt);
    }
    return pt;
}

static const struct ovsdb_column *
schema_column(const char *table, const char *column)
{
    const struct ovsdb_table_schema *ts
        = ovsdb_schema_get_table(ctl_schema(), table);
    const struct ovsdb_column *c = ts
        ? ovsdb_table_schema_get_column(ts, column) : NULL;
    if (!c) {
        xsw_fatal("no column %s in table %s of the schema", column, table);
    }
    return c;
}

/* Beyond this many clauses for one table, fetching the whole table is
 * cheaper than making the server test every row against every clause (a
 * chain of 1,000 del-ports would otherwise send 1,000 clauses, grown one
 * command at a time). */
#define PLAN_MAX_CLAUSES 64

/* Adds 'clause' (taken) to 'pt''s selection unless it is there already. */
static void
plan_add_clause(struct plan_table *pt, json_t *clause)
{
    if (pt->selection == SEL_ALL) {
        json_decref(clause);
        return;
    }
    if (json_array_size(pt->clauses) >= PLAN_MAX_CLAUSES) {
        pt->selection = SEL_ALL;
        pt->changed = true;
        json_decref(clause);
        return;
    }
    char *key = json_dumps(clause, JSON_COMPACT | JSON_SORT_KEYS);
    if (pt->selection == SEL_DEFAULT) {
        pt->selection = SEL_SOME;
        pt->changed = true;
    }
    if (shash_add_once(&pt->clause_set, key, NULL)) {
        json_array_append_new(pt->clauses, clause);
        if (pt->selection == SEL_SOME) {
            pt->changed = true;
        }
    } else {
        json_decref(clause);
    }
    free(key);
}

void
ctl_pre_column(struct ctl_context *ctx OVS_UNUSED, const char *table,
               const char *column)
{
    struct plan_table *pt = plan_get(table);
    if (strcmp(column, "_uuid") && strcmp(column, "_version")) {
        schema_column(table, column);
        if (shash_add_once(&pt->columns, column, NULL)) {
            pt->changed = true;
        }
    }
}

void
ctl_pre_all_rows(struct ctl_context *ctx OVS_UNUSED, const char *table)
{
    struct plan_table *pt = plan_get(table);
    if (pt->selection != SEL_ALL) {
        pt->selection = SEL_ALL;
        pt->changed = true;
    }
}

void
ctl_pre_rows_by_string(struct ctl_context *ctx, const char *table,
                       const char *column, const char *value)
{
    ctl_pre_column(ctx, table, column);
    plan_add_clause(plan_get(table),
                    json_pack("[s, s, s]", column, "==", value));
}

void
ctl_pre_rows_by_boolean(struct ctl_context *ctx, const char *table,
                        const char *column, bool value)
{
    ctl_pre_column(ctx, table, column);
    plan_add_clause(plan_get(table),
                    json_pack("[s, s, b]", column, "==", value));
}

void
ctl_pre_no_rows(struct ctl_context *ctx OVS_UNUSED, const char *table)
{
    struct plan_table *pt = plan_get(table);
    if (pt->selection == SEL_DEFAULT) {
        pt->selection = SEL_SOME;
        pt->changed = true;
    }
}

void
ctl_pre_rows_by_uuid(struct ctl_context *ctx OVS_UNUSED, const char *table,
                     const struct uuid *uuid)
{
    char s[UUID_LEN + 1];
    uuid_to_string(uuid, s);
    plan_add_clause(plan_get(table),
                    json_pack("[s, s, [s, s]]", "_uuid", "==", "uuid", s));
}

void
ctl_pre_referenced_rows(struct ctl_context *ctx, const char *table,
                        const char *column)
{
    const struct ovsdb_column *c = schema_column(table, column);
    const char *ref = c->type.key.type == OVSDB_TYPE_UUID
        ? c->type.key.u.uuid.ref_table_name : NULL;
    if (!ref && c->type.value.type == OVSDB_TYPE_UUID) {
        ref = c->type.value.u.uuid.ref_table_name;
    }
    if (!ref) {
        xsw_fatal("%s.%s is not a reference", table, column);
    }
    ctl_pre_column(ctx, table, column);
    shash_add_once(&plan_get(table)->follow, column, NULL);
    struct plan_table *target = plan_get(ref);
    if (target->selection == SEL_DEFAULT) {
        target->selection = SEL_SOME;
    }
}

void
ctl_pre_referring_rows(struct ctl_context *ctx OVS_UNUSED, const char *table,
                       const char *column)
{
    const struct ovsdb_column *c = schema_column(table, column);
    if (c->type.key.type != OVSDB_TYPE_UUID
        || !c->type.key.u.uuid.ref_table_name) {
        xsw_fatal("%s.%s is not a set of references", table, column);
    }
    /* The server finds the referring rows ("includes" condition); their
     * 'column' is not fetched, so that finding the bridge of one port does
     * not download the bridge's other 10,000 ports.  A command that reads
     * the column asks for it with ctl_pre_column(). */
    struct plan_table *pt = plan_get(table);
    if (shash_add_once(&pt->referrers, column, NULL)) {
        pt->changed = true;
    }
    if (pt->selection == SEL_DEFAULT) {
        pt->selection = SEL_SOME;
    }
}

/* ---- Record names. ---- */

/* How ovs-vsctl names the rows of each table besides by UUID: by a column
 * of the table itself, or by a column of another table ('name_table')
 * whose reference column 'uuid_column' points to the row (a Bridge's
 * Controller is named by the bridge's name). */
struct ctl_row_id {
    const char *table;
    const char *name_table;
    const char *name_column;
    const char *uuid_column;        /* NULL: the name_table row itself. */
};

static const struct ctl_row_id row_ids[] = {
    { "Bridge", "Bridge", "name", NULL },
    { "Controller", "Bridge", "name", "controller" },
    { "Interface", "Interface", "name", NULL },
    { "Mirror", "Mirror", "name", NULL },
    { "Manager", "Manager", "target", NULL },
    { "NetFlow", "Bridge", "name", "netflow" },
    { "Port", "Port", "name", NULL },
    { "QoS", "Port", "name", "qos" },
    { "sFlow", "Bridge", "name", "sflow" },
    { "Flow_Table", "Flow_Table", "name", NULL },
    { "IPFIX", "Bridge", "name", "ipfix" },
    { "AutoAttach", "Bridge", "name", "auto_attach" },
    { "Flow_Sample_Collector_Set", "Flow_Sample_Collector_Set", "id", NULL },
};

static const struct ctl_row_id *
find_row_id(const char *table)
{
    for (size_t i = 0; i < ARRAY_SIZE(row_ids); i++) {
        if (!strcmp(row_ids[i].table, table)
            && ovsdb_schema_get_table(ctl_schema(), row_ids[i].name_table)) {
            return &row_ids[i];
        }
    }
    return NULL;
}

/* True if 's' could be the beginning of a UUID's text (at least 4
 * characters), which ovs-vsctl accepts as a record name. */
static bool
is_uuid_prefix(const char *s)
{
    size_t n = strlen(s);
    if (n < 4 || n > UUID_LEN) {
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        bool dash = i == 8 || i == 13 || i == 18 || i == 23;
        if (dash ? s[i] != '-' : !isxdigit((unsigned char) s[i])) {
            return false;
        }
    }
    return true;
}

static bool
is_integer_name(const char *s)
{
    return s[0] && !s[strspn(s, "0123456789")];
}

void
ctl_pre_record(struct ctl_context *ctx, const char *table,
               const char *record_id)
{
    const struct ctl_row_id *id = find_row_id(table);
    struct uuid uuid;

    plan_get(table);
    if (uuid_from_string(&uuid, record_id)) {
        ctl_pre_rows_by_uuid(ctx, table, &uuid);
    }
    if (!strcmp(record_id, ".") || is_uuid_prefix(record_id)) {
        ctl_pre_all_rows(ctx, table);
    }
    if (id) {
        const struct ovsdb_column *nc = schema_column(id->name_table,
                                                      id->name_column);
        if (nc->type.key.type == OVSDB_TYPE_INTEGER) {
            if (is_integer_name(record_id)) {
                ctl_pre_column(ctx, id->name_table, id->name_column);
                plan_add_clause(plan_get(id->name_table),
                                json_pack("[s, s, I]", id->name_column, "==",
                                          (json_int_t) strtoll(record_id,
                                                               NULL, 10)));
            }
        } else {
            ctl_pre_rows_by_string(ctx, id->name_table, id->name_column,
                                   record_id);
        }
        if (id->uuid_column) {
            ctl_pre_referenced_rows(ctx, id->name_table, id->uuid_column);
        }
    } else if (!uuid_from_string(&uuid, record_id)) {
        /* Only a UUID prefix could name it: look at every row. */
        ctl_pre_all_rows(ctx, table);
    }
}

struct ovsdb_idl_table *
ctl_idl_table(struct ctl_context *ctx, const char *table)
{
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_name(ctx->idl, table);
    if (!t) {
        xsw_fatal("table %s was not registered in prerequisites", table);
    }
    return t;
}

const struct ovsdb_idl_column *
ctl_idl_column(struct ctl_context *ctx, const char *table,
               const char *column)
{
    const struct ovsdb_idl_column *c
        = ovsdb_idl_column_from_name(ctl_idl_table(ctx, table), column);
    if (!c) {
        xsw_fatal("column %s.%s was not registered in prerequisites",
                  table, column);
    }
    return c;
}

static bool
name_matches(const struct ovsdb_datum *d, const struct ovsdb_column *c,
             const char *record_id)
{
    if (!d || d->n != 1) {
        return false;
    }
    if (c->type.key.type == OVSDB_TYPE_STRING) {
        return !strcmp(d->keys[0].string, record_id);
    } else if (c->type.key.type == OVSDB_TYPE_INTEGER) {
        return is_integer_name(record_id)
               && d->keys[0].integer == strtoll(record_id, NULL, 10);
    }
    return false;
}

const struct ovsdb_idl_row *
ctl_get_row(struct ctl_context *ctx, const char *table,
            const char *record_id, bool must_exist)
{
    struct ovsdb_idl_table *t = ctl_idl_table(ctx, table);
    const struct ovsdb_idl_row *row = NULL;
    struct uuid uuid;

    if (uuid_from_string(&uuid, record_id)) {
        row = ovsdb_idl_get_row(t, &uuid);
    }
    if (!row && !strcmp(record_id, ".")) {
        row = ovsdb_idl_first_row(t);
        if (row && ovsdb_idl_next_row(row)) {
            row = NULL;
        }
    }
    const struct ctl_row_id *id = row ? NULL : find_row_id(table);
    if (id) {
        struct ovsdb_idl_table *nt = ctl_idl_table(ctx, id->name_table);
        const struct ovsdb_idl_column *ncol
            = ctl_idl_column(ctx, id->name_table, id->name_column);
        const struct ovsdb_column *nc = schema_column(id->name_table,
                                                      id->name_column);
        const struct ovsdb_idl_row *referrer = NULL, *r;

        OVSDB_IDL_FOR_EACH_ROW (r, nt) {
            if (name_matches(ovsdb_idl_row_get_datum(r, ncol), nc,
                             record_id)) {
                if (referrer) {
                    ctl_fatal("multiple rows in %s match \"%s\"",
                              id->name_table, record_id);
                }
                referrer = r;
            }
        }
        if (referrer && id->uuid_column) {
            const struct ovsdb_idl_column *ucol
                = ctl_idl_column(ctx, id->name_table, id->uuid_column);
            const struct ovsdb_datum *d;

            if (ctx->txn) {
                ovsdb_idl_txn_verify(referrer, ucol);
            }
            d = ovsdb_idl_row_get_datum(referrer, ucol);
            row = d && d->n == 1 ? ovsdb_idl_get_row(t, &d->keys[0].uuid)
                                 : NULL;
        } else {
            row = referrer;
        }
    }
    if (!row && is_uuid_prefix(record_id)) {
        const struct ovsdb_idl_row *r;
        size_t n = strlen(record_id);

        OVSDB_IDL_FOR_EACH_ROW (r, t) {
            char s[UUID_LEN + 1];
            uuid_to_string(ovsdb_idl_row_get_uuid(r), s);
            if (!strncmp(s, record_id, n)) {
                if (row) {
                    char a[UUID_LEN + 1];
                    uuid_to_string(ovsdb_idl_row_get_uuid(row), a);
                    ctl_fatal("%s contains 2 or more rows whose UUIDs begin "
                              "with %s: at least %s and %s", table,
                              record_id, a, s);
                }
                row = r;
            }
        }
    }
    if (!row && must_exist) {
        ctl_fatal("no row \"%s\" in table %s", record_id, table);
    }
    return row;
}

/* ---- Values. ---- */

/* Parses 'text' (ovs-vsctl syntax; "@name" for UUIDs) into 'datum' of
 * 'type', checking constraints.  Dies with the parser's message. */
static void
ctl_parse_datum(struct ctl_context *ctx, const struct ovsdb_type *type,
                const char *text, struct ovsdb_datum *datum)
{
    char *error = ovsdb_datum_from_string(datum, type, text, ctx->symtab);
    if (error) {
        ctl_fatal("%s", error);
    }
    struct ovsdb_error *cerror = ovsdb_datum_check_constraints(datum, type);
    if (cerror) {
        ctl_fatal("%s", ovsdb_error_to_string(cerror));
    }
}

/* ctl_cmdline_parse_column_key_value() for the commands, which report its
 * errors by dying (db-cmds.c has its own prototype). */
const struct ovsdb_column *ctl_parse_column_key_value(
    const char *arg, const struct ovsdb_table_schema *ts, char **keyp,
    const char *const *ops, size_t n_ops, int *opp, char **valuep);

const struct ovsdb_column *
ctl_parse_column_key_value(const char *arg,
                           const struct ovsdb_table_schema *ts, char **keyp,
                           const char *const *ops, size_t n_ops, int *opp,
                           char **valuep)
{
    const struct ovsdb_column *column;
    char *error = ctl_cmdline_parse_column_key_value(arg, ts, ops, n_ops,
                                                     &column, keyp, opp,
                                                     valuep);
    if (error) {
        ctl_fatal("%s", error);
    }
    return column;
}

void
ctl_pre_set_column(struct ctl_context *ctx, const char *table,
                   const char *arg)
{
    static const char *const eq[] = { "=" };
    const struct ovsdb_table_schema *ts = ctl_get_table(table);
    char *key, *value;
    const struct ovsdb_column *c
        = ctl_parse_column_key_value(arg, ts, &key, eq, 1, NULL, &value);
    ctl_pre_column(ctx, ts->name, c->name);
    free(key);
    free(value);
}

void
ctl_set_column(struct ctl_context *ctx, const char *table,
               const struct ovsdb_idl_row *row, const char *arg)
{
    static const char *const eq[] = { "=" };
    const struct ovsdb_table_schema *ts = ctl_get_table(table);
    char *key, *value;
    const struct ovsdb_column *c
        = ctl_parse_column_key_value(arg, ts, &key, eq, 1, NULL, &value);
    const struct ovsdb_idl_column *col = ctl_idl_column(ctx, ts->name,
                                                        c->name);
    struct ovsdb_datum datum;

    if (key) {
        union ovsdb_atom katom, vatom;
        char *error;

        if (!ovsdb_type_is_map(&c->type)) {
            ctl_fatal("cannot specify key to set for non-map column %s",
                      c->name);
        }
        error = ovsdb_atom_from_string(&katom, &c->type.key, key,
                                       ctx->symtab);
        if (!error) {
            error = ovsdb_atom_from_string(&vatom, &c->type.value, value,
                                           ctx->symtab);
            if (error) {
                ovsdb_atom_destroy(&katom, c->type.key.type);
            }
        }
        if (error) {
            ctl_fatal("%s", error);
        }
        struct ovsdb_error *cerror
            = ovsdb_atom_check_constraints(&katom, &c->type.key);
        if (!cerror) {
            cerror = ovsdb_atom_check_constraints(&vatom, &c->type.value);
        }
        if (cerror) {
            ctl_fatal("%s", ovsdb_error_to_string(cerror));
        }
        ovsdb_datum_init_empty(&datum);
        ovsdb_datum_add_unsafe(&datum, &katom, &vatom, &c->type);
        ovsdb_atom_destroy(&katom, c->type.key.type);
        ovsdb_atom_destroy(&vatom, c->type.value.type);

        /* The new value wins over the old one for the same key. */
        const struct ovsdb_datum *old = ovsdb_idl_row_get_datum(row, col);
        if (old) {
            ovsdb_datum_union(&datum, old, &c->type);
        }
        ovsdb_idl_txn_verify(row, col);
        struct ovsdb_error *e = ovsdb_datum_check_constraints(&datum,
                                                              &c->type);
        if (e) {
            ctl_fatal("%s", ovsdb_error_to_string(e));
        }
    } else {
        ctl_parse_datum(ctx, &c->type, value, &datum);
    }
    ovsdb_idl_txn_write(row, col, &datum);
    ovsdb_datum_destroy(&datum, &c->type);
    free(key);
    free(value);
}

struct uuid
ctl_insert_uuid(struct ctl_context *ctx OVS_UNUSED,
                const struct ovsdb_idl_row *row)
{
    extern struct ovsdb_idl_txn *ctl_committed_txn;
    const struct uuid *u = ctl_committed_txn
        ? ovsdb_idl_txn_get_insert_uuid(ctl_committed_txn, row) : NULL;
    return u ? *u : *ovsdb_idl_row_get_uuid(row);
}

/* The committed transaction, kept until postprocessing is done. */
struct ovsdb_idl_txn *ctl_committed_txn;

/* ---- Command-line parsing. ---- */

struct ctl_command {
    const struct ctl_command_syntax *syntax;
    int argc;
    char **argv;
    struct shash options;
    struct ds output;
    struct table *table;
};

/* From the global options (parse_options()). */
static struct table_style table_style;
static const char *db_remote;
static const char *argv0;   /* For getopt-style messages. */
static bool retry;

/* Splits the command line into commands (ctl/cmdline.c), dying on error.
 * The caller owns the array and each command's 'options' and values. */
static struct ctl_command *
parse_commands(int argc, char *argv[], struct shash *local_options,
               size_t *n_commandsp)
{
    struct ctl_cmdline_command *parsed;
    size_t n;
    char *error = ctl_cmdline_parse_commands(argc, argv, &all_commands,
                                             local_options, &parsed, &n);
    if (error) {
        ctl_fatal("%s", error);
    }

    struct ctl_command *commands = xcalloc(n, sizeof *commands);
    for (size_t i = 0; i < n; i++) {
        struct ctl_command *c = &commands[i];
        c->syntax = parsed[i].syntax;
        c->argc = parsed[i].argc;
        c->argv = parsed[i].argv;
        /* Swapped, not copied: a small hmap points into itself. */
        shash_init(&c->options);
        hmap_swap(&c->options.map, &parsed[i].options.map);
    }
    ctl_cmdline_commands_destroy(parsed, n);
    *n_commandsp = n;
    return commands;
}

static char *
default_db(void)
{
    const char *env = getenv("XSW_DB");
    if (env && env[0]) {
        return xstrdup(env);
    }
    return xasprintf("unix:%s/db.sock", xsw_rundir());
}

static void NO_RETURN
usage(void)
{
    char *db = default_db();
    printf("\
%s: Open vSwitch-compatible configuration utility for xsw\n\
usage: %s [OPTIONS] COMMAND [ARG...]\n\
       %s [OPTIONS] COMMAND [ARG...] -- [OPTIONS] COMMAND [ARG...] ...\n\
\n\
Open vSwitch commands:\n\
  init                        initialize database, if not yet initialized\n\
  show                        print overview of database contents\n\
  emer-reset                  reset configuration to clean state\n\
\n\
Bridge commands:\n\
  add-br BRIDGE               create a new bridge named BRIDGE\n\
  add-br BRIDGE PARENT VLAN   create new fake BRIDGE in PARENT on VLAN\n\
  del-br BRIDGE               delete BRIDGE and all of its ports\n\
  list-br                     print the names of all the bridges\n\
  br-exists BRIDGE            exit 2 if BRIDGE does not exist\n\
  br-to-vlan BRIDGE           print the VLAN which BRIDGE is on\n\
  br-to-parent BRIDGE         print the parent of BRIDGE\n\
  br-set-external-id BRIDGE KEY VALUE  set KEY on BRIDGE to VALUE\n\
  br-set-external-id BRIDGE KEY  unset KEY on BRIDGE\n\
  br-get-external-id BRIDGE KEY  print value of KEY on BRIDGE\n\
  br-get-external-id BRIDGE  list key-value pairs on BRIDGE\n\
\n\
Port commands (a bond is considered to be a single port):\n\
  list-ports BRIDGE           print the names of all the ports on BRIDGE\n\
  add-port BRIDGE PORT        add network device PORT to BRIDGE\n\
  add-bond BRIDGE PORT IFACE...  add bonded port PORT in BRIDGE from IFACES\n\
  del-port [BRIDGE] PORT      delete PORT (which may be bonded) from BRIDGE\n\
  port-to-br PORT             print name of bridge that contains PORT\n\
\n\
Interface commands (a bond consists of multiple interfaces):\n\
  list-ifaces BRIDGE          print the names of all interfaces on BRIDGE\n\
  iface-to-br IFACE           print name of bridge that contains IFACE\n\
\n\
Controller commands:\n\
  get-controller BRIDGE      print the controllers for BRIDGE\n\
  del-controller BRIDGE      delete the controllers for BRIDGE\n\
  [--inactivity-probe=MSECS]\n\
  set-controller BRIDGE TARGET...  set the controllers for BRIDGE\n\
  get-fail-mode BRIDGE       print the fail-mode for BRIDGE\n\
  del-fail-mode BRIDGE       delete the fail-mode for BRIDGE\n\
  set-fail-mode BRIDGE MODE  set the fail-mode for BRIDGE to MODE\n\
\n\
Manager commands:\n\
  get-manager                print the managers\n\
  del-manager                delete the managers\n\
  [--inactivity-probe=MSECS]\n\
  set-manager TARGET...      set the list of managers to TARGET...\n\
\n\
SSL commands:\n\
  get-ssl                     print the SSL configuration\n\
  del-ssl                     delete the SSL configuration\n\
  set-ssl PRIV-KEY CERT CA-CERT  set the SSL configuration\n\
\n\
Switch commands:\n\
  fdb-show BRIDGE             print the MAC learning table of BRIDGE\n\
  dpif-show                   print the datapath's ports and counters\n\
  bond-show [PORT]            print the state of bond PORT (or every bond)\n\
  trace BRIDGE FLOW...        where a frame (in_port=P dl_src=M dl_dst=M\n\
                              dl_vlan=V) received on BRIDGE would go\n\
\n\
Database commands:\n\
  list TBL [REC]              list RECord (or all records) in TBL\n\
  find TBL CONDITION...       list records satisfying CONDITION in TBL\n\
  get TBL REC COL[:KEY]       print values of COLumns in RECord in TBL\n\
  set TBL REC COL[:KEY]=VALUE set COLumn values in RECord in TBL\n\
  add TBL REC COL [KEY=]VALUE add (KEY=)VALUE to COLumn in RECord in TBL\n\
  remove TBL REC COL [KEY=]VALUE  remove (KEY=)VALUE from COLumn\n\
  clear TBL REC COL           clear values from COLumn in RECord in TBL\n\
  create TBL COL[:KEY]=VALUE  create and initialize new record\n\
  destroy TBL REC             delete RECord from TBL\n\
  wait-until TBL REC [COL[:KEY]=VALUE]  wait until condition is true\n\
Potentially unsafe database commands require --force option.\n\
\n\
Options:\n\
  --db=DATABASE               connect to DATABASE\n\
                              (default: %s;\n\
                              the XSW_DB environment variable overrides\n\
                              unix:$XSW_RUNDIR/db.sock)\n\
  --no-wait                   do not wait for xsw-switchd to reconfigure\n\
  --retry                     keep trying to connect to server forever\n\
  -t, --timeout=SECS          wait at most SECS seconds (exit status 142)\n\
  --dry-run                   do not commit changes to database\n\
  --oneline                   print exactly one line of output per command\n\
  -f, --format=FORMAT         table|list|html|csv|json output format\n\
  -d, --data=FORMAT           string|bare|json cell format\n\
  --no-headings               omit table headings\n\
  --pretty                    pretty-print JSON output\n\
  --bare                      same as --format=list --data=bare "
"--no-headings\n\
  --max-column-width=N        pad table columns to at most N characters\n\
\n\
TLS options (for ssl: databases):\n\
  -p, --private-key=FILE      file with private key\n\
  -c, --certificate=FILE      file with certificate for private key\n\
  -C, --ca-cert=FILE          file with CA certificate of the server\n\
\n\
Logging options:\n\
  -vSPEC, --verbose=SPEC      set logging levels\n\
  -v, --verbose               set maximum verbosity level\n\
  --log-file[=FILE]           enable logging to specified FILE\n\
\n\
Long options may be abbreviated to any unique prefix (--no-heading).\n\
\n\
Other options:\n\
  --commands                  list the commands and their arguments\n\
  --options                   list the global options\n\
  -h, --help                  display this help message\n\
  -V, --version               display version information\n",
           daemon_program_name(), daemon_program_name(),
           daemon_program_name(), db);
    free(db);
    exit(EXIT_SUCCESS);
}

/* getopt's messages start with argv[0] as given, not the base name. */
static void NO_RETURN PRINTF_FORMAT(1, 2)
getopt_fatal(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", argv0);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    exit(EXIT_FAILURE);
}

static char *
set_verbosity(const char *spec)
{
    return vlog_set_levels_from_string(spec);
}

/* As ovs-vsctl: a log file that cannot be opened is a warning, and if it
 * was named (--log-file=FILE) the end, with exit status 1. */
static void
set_log_file(const char *file)
{
    int error = vlog_set_log_file(file);
    if (error) {
        ctl_log_warn("vlog", "failed to open %s for logging: %s",
                     file ? file : "the default log file", strerror(error));
        if (file) {
            exit(EXIT_FAILURE);
        }
    }
}

static void
no_syslog(void)
{
    vlog_set_levels(this_module, VLF_SYSLOG, VLL_WARN);
}

/* Prints what --commands prints, a line per command, sorted. */
static void NO_RETURN
print_commands(void)
{
    const struct shash_node **nodes = shash_sort(&all_commands);
    for (size_t i = 0; i < shash_count(&all_commands); i++) {
        char *line = ctl_cmdline_command_to_string(nodes[i]->data);
        puts(line);
        free(line);
    }
    free(nodes);
    exit(EXIT_SUCCESS);
}

/* Loads the TLS files of -p, -c and -C for ssl: remotes.  As in ovs-vsctl
 * they are read whatever the remote; unlike it, a file that does not load
 * is an error at once rather than a failed connection later. */
static void
tls_configure(const struct ctl_cmdline_globals *g)
{
    static struct tls_config *config;
    char *msg;

    if (!g->private_key && !g->certificate && !g->ca_cert) {
        return;
    }
    if (!g->private_key || !g->certificate || !g->ca_cert) {
        ctl_fatal("TLS needs all of --private-key, --certificate and "
                  "--ca-cert");
    }
    if (tls_config_create(g->private_key, g->certificate, g->ca_cert,
                          &config, &msg)) {
        ctl_fatal("%s", msg);
    }
    stream_set_default_tls_config(config);
}

/* Parses the global options (ctl/cmdline.c) into this file's globals;
 * handles --help, --version, --commands and --options, and dies on error.
 * Command options (--may-exist...) given here go to 'local_options', for
 * the first command.  Returns the index of the first command argument. */
static int
parse_options(int argc, char *argv[], struct shash *local_options)
{
    static const struct ctl_cmdline_hooks hooks = {
        .verbose = set_verbosity,
        .log_file = set_log_file,
        .no_syslog = no_syslog,
    };
    struct ctl_cmdline_globals g;
    int first;
    char *error = ctl_cmdline_parse_globals(argc, argv, &all_commands,
                                            &hooks, &g, local_options,
                                            &first);
    if (error) {
        if (g.getopt_error) {
            getopt_fatal("%s", error);
        }
        ctl_fatal("%s", error);
    }

    db_remote = g.db_remote;
    ctl_global = g.global;
    table_style = g.style;
    retry = g.retry;
    switch (g.action) {
    case CTL_CMDLINE_RUN:
        break;
    case CTL_CMDLINE_HELP:
        usage();
    case CTL_CMDLINE_COMMANDS:
        print_commands();
    case CTL_CMDLINE_OPTIONS: {
        char *options = ctl_cmdline_options_to_string();
        fputs(options, stdout);
        free(options);
        exit(EXIT_SUCCESS);
    }
    case CTL_CMDLINE_VERSION:
        printf("%s (xsw) %s\n", daemon_program_name(), PACKAGE_VERSION);
        printf("DB Schema %s\n", ctl_schema()->version
               ? ctl_schema()->version : "unknown");
        exit(EXIT_SUCCESS);
    }
    tls_configure(&g);
    if (VLOG_IS_DBG_ENABLED()) {
        struct ds line = DS_EMPTY_INITIALIZER;
        for (int i = 0; i < argc; i++) {
            ds_put_format(&line, "%s%s", i ? " " : "", argv[i]);
        }
        VLOG_DBG("Called as %s", ds_cstr(&line));
        ds_destroy(&line);
    }
    return first;
}

/* ---- Deadline. ---- */

static long long int deadline_ms;   /* 0: none. */

/* Milliseconds left before --timeout expires, or -1 for no limit. */
static int
time_left(void)
{
    if (!deadline_ms) {
        return -1;
    }
    long long int now = time_msec();
    return now >= deadline_ms ? 0 : (int) (deadline_ms - now);
}

/* ---- Fetching. ---- */

/* Pushes the plan's changes into the IDL. */
static void
plan_apply(struct ovsdb_idl *idl)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &plan) {
        struct plan_table *pt = node->data;
        if (!pt->changed) {
            continue;
        }
        struct ovsdb_idl_table *t = ovsdb_idl_add_table(idl, pt->name);
        struct shash_node *cn;
        if (pt->all_columns) {
            ovsdb_idl_add_all_columns(t);
        }
        SHASH_FOR_EACH (cn, &pt->columns) {
            ovsdb_idl_add_column(t, cn->name);
        }
        /* Commands may mutate a referring column (add-port inserts into
         * Bridge.ports) without reading it. */
        SHASH_FOR_EACH (cn, &pt->referrers) {
            ovsdb_idl_add_write_only_column(t, cn->name);
        }
        if (pt->selection == SEL_SOME) {
            json_t *where = json_array_size(pt->clauses)
                ? json_deep_copy(pt->clauses) : json_pack("[b]", 0);
            ovsdb_idl_set_condition(t, where);
        } else {
            ovsdb_idl_set_condition(t, NULL);
        }
        pt->changed = false;
    }
}

static void
add_uuid_clause(const char *table, const struct uuid *uuid)
{
    struct plan_table *pt = plan_get(table);
    char s[UUID_LEN + 1];

    if (pt->selection == SEL_ALL) {
        return;
    }
    uuid_to_string(uuid, s);
    plan_add_clause(pt, json_pack("[s, s, [s, s]]", "_uuid", "==",
                                  "uuid", s));
}

/* Adds to the plan the rows that the fetched rows reference or that refer
 * to them, as ctl_pre_referenced_rows() and ctl_pre_referring_rows()
 * asked.  Returns true if the plan changed. */
static bool
plan_follow(struct ovsdb_idl *idl)
{
    struct shash_node *node;
    bool changed = false;

    SHASH_FOR_EACH (node, &plan) {
        struct plan_table *pt = node->data;
        struct ovsdb_idl_table *t = ovsdb_idl_table_from_name(idl, pt->name);
        struct shash_node *cn;

        SHASH_FOR_EACH (cn, &pt->follow) {
            const struct ovsdb_column *c = schema_column(pt->name, cn->name);
            const struct ovsdb_idl_column *col
                = ovsdb_idl_column_from_name(t, cn->name);
            const struct ovsdb_idl_row *row;

            OVSDB_IDL_FOR_EACH_ROW (row, t) {
                const struct ovsdb_datum *d
                    = ovsdb_idl_row_get_datum(row, col);
                for (unsigned int i = 0; d && i < d->n; i++) {
                    if (c->type.key.type == OVSDB_TYPE_UUID
                        && c->type.key.u.uuid.ref_table_name) {
                        add_uuid_clause(c->type.key.u.uuid.ref_table_name,
                                        &d->keys[i].uuid);
                    }
                    if (c->type.value.type == OVSDB_TYPE_UUID
                        && c->type.value.u.uuid.ref_table_name) {
                        add_uuid_clause(c->type.value.u.uuid.ref_table_name,
                                        &d->values[i].uuid);
                    }
                }
            }
        }
        SHASH_FOR_EACH (cn, &pt->referrers) {
            const struct ovsdb_column *c = schema_column(pt->name, cn->name);
            const char *target = c->type.key.u.uuid.ref_table_name;
            struct ovsdb_idl_table *tt = ovsdb_idl_table_from_name(idl,
                                                                   target);
            const struct ovsdb_idl_row *row;

            if (pt->selection == SEL_ALL || !tt) {
                continue;
            }
            OVSDB_IDL_FOR_EACH_ROW (row, tt) {
                char s[UUID_LEN + 1];
                uuid_to_string(ovsdb_idl_row_get_uuid(row), s);
                plan_add_clause(pt, json_pack("[s, s, [s, s]]", cn->name,
                                              "includes", "uuid", s));
            }
        }
    }
    SHASH_FOR_EACH (node, &plan) {
        struct plan_table *pt = node->data;
        changed |= pt->changed;
    }
    return changed;
}

static void
sync_or_die(struct ovsdb_idl *idl)
{
    char *error = NULL;
    int retval = ovsdb_idl_run_until_synced(idl, time_left(), &error);
    if (retval == ETIMEDOUT && deadline_ms) {
        ctl_timeout("no reply from the database %s",
                    ovsdb_idl_get_remote(idl));
    } else if (retval) {
        ctl_fatal("%s", error ? error : strerror(retval));
    }
    free(error);
}

/* A table that refers to a table fetched whole (ctl_pre_referring_rows()
 * asked for the rows referring to rows of a table that so many names
 * selected that it is fetched whole) is fetched whole too, with its
 * referring column: the column holds at most about as many UUIDs as the
 * referenced table has rows, which are coming anyway, and it answers the
 * question that one "includes" clause or one "select" per row would
 * otherwise ask the server (a chain of 1,000 del-ports on a bridge). */
static void
plan_widen_referrers(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &plan) {
        struct plan_table *pt = node->data;
        struct shash_node *cn;

        SHASH_FOR_EACH (cn, &pt->referrers) {
            const struct ovsdb_column *c = schema_column(pt->name, cn->name);
            struct plan_table *target
                = shash_find_data(&plan, c->type.key.u.uuid.ref_table_name);

            if (target && target->selection == SEL_ALL) {
                ctl_pre_column(NULL, pt->name, cn->name);
                ctl_pre_all_rows(NULL, pt->name);
            }
        }
    }
}

bool
ctl_fetches_all_rows(const char *table)
{
    const struct plan_table *pt = shash_find_data(&plan, table);
    return pt && pt->selection != SEL_SOME;
}

bool
ctl_fetches_column(const char *table, const char *column)
{
    const struct plan_table *pt = shash_find_data(&plan, table);
    return pt && (pt->all_columns || shash_find(&pt->columns, column));
}

/* Fetches what the plan asks for, following references until nothing new
 * is needed. */
static void
fetch(struct ovsdb_idl *idl)
{
    plan_widen_referrers();
    plan_apply(idl);
    sync_or_die(idl);
    for (int i = 0; i < 8 && plan_follow(idl); i++) {
        plan_widen_referrers();
        plan_apply(idl);
        sync_or_die(idl);
    }
}

/* ---- The transaction. ---- */

static void
context_init(struct ctl_context *ctx, struct ctl_command *c,
             struct ovsdb_idl *idl, struct ovsdb_idl_txn *txn,
             struct ovsdb_symbol_table *symtab,
             const struct ovsdb_idl_row *ovs_row)
{
    memset(ctx, 0, sizeof *ctx);
    if (c) {
        ctx->syntax = c->syntax;
        ctx->argc = c->argc;
        ctx->argv = c->argv;
        ctx->options = &c->options;   /* Shared; not freed by the ctx. */
        ctx->output = c->output;
        ctx->table = c->table;
    }
    ctx->idl = idl;
    ctx->txn = txn;
    ctx->symtab = symtab;
    ctx->ovs_row = ovs_row;
}

static void
context_done(struct ctl_context *ctx, struct ctl_command *c)
{
    c->output = ctx->output;
    c->table = ctx->table;
}

struct cfg_wait {
    struct ovsdb_idl *idl;
    int64_t next_cfg;
};

static bool
cur_cfg_reached(void *aux_)
{
    struct cfg_wait *aux = aux_;
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_name(aux->idl,
                                                          "Open_vSwitch");
    const struct ovsdb_idl_column *cur = ovsdb_idl_column_from_name(
        t, "cur_cfg");
    const struct ovsdb_idl_row *row;

    OVSDB_IDL_FOR_EACH_ROW (row, t) {
        if (ovsdb_idl_row_get_integer(row, cur, 0) >= aux->next_cfg) {
            return true;
        }
    }
    return false;
}

struct seqno_wait {
    struct ovsdb_idl *idl;
    uint64_t seqno;
};

static bool
seqno_changed(void *aux_)
{
    struct seqno_wait *aux = aux_;
    return ovsdb_idl_get_seqno(aux->idl) != aux->seqno;
}

/* Waits for the replica to change after 'seqno', for at most 'max_ms'
 * (and the --timeout). */
static void
wait_for_change(struct ovsdb_idl *idl, uint64_t seqno, int max_ms,
                const char *what)
{
    struct seqno_wait aux = { idl, seqno };
    int left = time_left();
    int ms = left < 0 ? max_ms : max_ms < 0 ? left : MIN(left, max_ms);

    if (ovsdb_idl_wait_for(idl, seqno_changed, &aux, ms) == ETIMEDOUT
        && time_left() == 0) {
        ctl_timeout("%s", what);
    }
}

static void
wait_for_cfg(struct ovsdb_idl *idl, int64_t next_cfg)
{
    struct cfg_wait aux = { idl, next_cfg };

    /* Tell the user what is going on if it takes more than a moment: with
     * no xsw-switchd running it would otherwise look like a hang. */
    int left = time_left();
    int first = left < 0 ? 2000 : MIN(left, 2000);
    if (!ovsdb_idl_wait_for(idl, cur_cfg_reached, &aux, first)) {
        return;
    }
    if (time_left() != 0) {
        fprintf(stderr, "%s: waiting for xsw-switchd to apply the "
                "configuration (Open_vSwitch next_cfg=%"PRId64"; is "
                "xsw-switchd running? use --no-wait not to wait)\n",
                daemon_program_name(), next_cfg);
        if (!ovsdb_idl_wait_for(idl, cur_cfg_reached, &aux, time_left())) {
            return;
        }
    }
    ctl_timeout("xsw-switchd did not apply the configuration "
                "(Open_vSwitch cur_cfg < next_cfg=%"PRId64")", next_cfg);
}

static void
print_output(struct ctl_command *commands, size_t n_commands)
{
    struct ds out = { NULL, 0, 0 };
    bool first_table = true;

    for (size_t i = 0; i < n_commands; i++) {
        struct ctl_command *c = &commands[i];
        if (c->table) {
            table_format(c->table, &table_style, first_table, &out);
            first_table = false;
        } else if (ctl_global.oneline) {
            const char *s = ds_cstr(&c->output);
            size_t len = strlen(s);
            while (len > 0 && s[len - 1] == '\n') {
                len--;
            }
            for (size_t j = 0; j < len; j++) {
                if (s[j] == '\n') {
                    ds_put_cstr(&out, "\\n");
                } else if (s[j] == '\\') {
                    ds_put_cstr(&out, "\\\\");
                } else {
                    ds_put_char(&out, s[j]);
                }
            }
            ds_put_cstr(&out, "\n");
        } else {
            ds_put_cstr(&out, ds_cstr(&c->output));
        }
    }
    fputs(ds_cstr(&out), stdout);
    fflush(stdout);
    ds_destroy(&out);
}

static void
do_ctl(struct ovsdb_idl *idl, struct ctl_command *commands,
       size_t n_commands)
{
    bool may_write = false;

    for (size_t i = 0; i < n_commands; i++) {
        may_write |= commands[i].syntax->mode == CTL_RW;
    }
    bool wait_cfg = may_write && !ctl_global.no_wait;

    for (;;) {
        struct ovsdb_symbol_table symtab;
        struct ovsdb_idl_txn *txn;
        struct ovsdb_idl_table *ovs_table
            = ctl_idl_table(&(struct ctl_context) { .idl = idl },
                            "Open_vSwitch");
        uint64_t seqno = ovsdb_idl_get_seqno(idl);
        bool try_again = false;

        ctl_invalidate_caches();
        txn = ovsdb_idl_txn_create(idl);
        if (ctl_global.dry_run) {
            ovsdb_idl_txn_set_dry_run(txn);
        }
        ovsdb_idl_txn_add_comment(txn, "%s: %s", daemon_program_name(),
                                  commands[0].syntax->name);

        const struct ovsdb_idl_row *ovs_row = ovsdb_idl_first_row(ovs_table);
        if (!ovs_row) {
            ovs_row = ovsdb_idl_txn_insert(txn, ovs_table, NULL);
        }
        if (wait_cfg) {
            ovsdb_idl_txn_increment(txn, ovs_row, ovsdb_idl_column_from_name(
                                        ovs_table, "next_cfg"));
        }

        ovsdb_symbol_table_init(&symtab);
        for (size_t i = 0; i < n_commands; i++) {
            struct ctl_command *c = &commands[i];
            struct ctl_context ctx;

            ds_clear(&c->output);
            table_destroy(c->table);
            c->table = NULL;
            context_init(&ctx, c, idl, txn, &symtab, ovs_row);
            c->syntax->run(&ctx);
            context_done(&ctx, c);
            if (ctx.try_again) {
                try_again = true;
                break;
            }
        }

        if (!try_again) {
            struct shash_node *node;
            SHASH_FOR_EACH (node, &symtab.sh) {
                struct ovsdb_symbol *symbol = node->data;
                if (!symbol->created) {
                    ctl_fatal("row id \"%s\" is referenced but never created "
                              "(e.g. with \"-- --id=%s create ...\")",
                              node->name, node->name);
                }
            }
        }
        ovsdb_symbol_table_destroy(&symtab);

        if (try_again) {
            ovsdb_idl_txn_destroy(txn);
            wait_for_change(idl, seqno, -1, "the wait-until condition is "
                            "still not true");
            fetch(idl);
            continue;
        }

        enum ovsdb_idl_txn_status status
            = ovsdb_idl_txn_commit_block(txn, time_left());
        switch (status) {
        case OVSDB_IDL_TXN_INCOMPLETE:
            ctl_timeout("no reply to the transaction from %s",
                        ovsdb_idl_get_remote(idl));
        case OVSDB_IDL_TXN_UNCOMMITTED:
        case OVSDB_IDL_TXN_ABORTED:
        case OVSDB_IDL_TXN_NOT_LOCKED:
            ctl_fatal("transaction aborted (%s)",
                      ovsdb_idl_txn_status_to_string(status));
        case OVSDB_IDL_TXN_ERROR:
            ctl_fatal("transaction error: %s",
                      ovsdb_idl_txn_get_error(txn)
                      ? ovsdb_idl_txn_get_error(txn) : "unknown error");
        case OVSDB_IDL_TXN_TRY_AGAIN:
            VLOG_DBG("transaction needs to be retried");
            ovsdb_idl_txn_destroy(txn);
            /* The server sends the update that made us fail before its
             * reply, but be patient if it did not arrive yet. */
            wait_for_change(idl, seqno, 1000,
                            "the transaction kept failing (TRY_AGAIN)");
            fetch(idl);
            continue;
        case OVSDB_IDL_TXN_UNCHANGED:
        case OVSDB_IDL_TXN_SUCCESS:
            break;
        }

        int64_t next_cfg = status == OVSDB_IDL_TXN_SUCCESS && wait_cfg
            ? ovsdb_idl_txn_get_increment_new_value(txn) : -1;
        ctl_committed_txn = txn;
        for (size_t i = 0; i < n_commands; i++) {
            struct ctl_command *c = &commands[i];
            if (c->syntax->postprocess) {
                struct ctl_context ctx;
                context_init(&ctx, c, idl, NULL, NULL, NULL);
                c->syntax->postprocess(&ctx);
                context_done(&ctx, c);
            }
        }
        ctl_committed_txn = NULL;
        print_output(commands, n_commands);
        ovsdb_idl_txn_destroy(txn);

        if (next_cfg >= 0 && !ctl_global.dry_run) {
            wait_for_cfg(idl, next_cfg);
        }
        return;
    }
}

static void
warning_cb(struct ovsdb_idl *idl OVS_UNUSED, const char *message,
           void *aux OVS_UNUSED)
{
    VLOG_DBG("%s", message);
}

int
main(int argc, char *argv[])
{
    struct shash local_options = SHASH_INITIALIZER(&local_options);

    argv0 = argv[0];
    daemon_set_program_name(argv[0]);
    /* A server that hangs up while we write to it is a failed connection
     * to report, not a reason to die without a word (ovs-vsctl ignores
     * SIGPIPE too). */
    signal(SIGPIPE, SIG_IGN);
    db_cmds_register();
    vsctl_cmds_register();
    trace_cmds_register();

    int first = parse_options(argc, argv, &local_options);
    size_t n_commands;
    struct ctl_command *commands = parse_commands(argc - first, argv + first,
                                                  &local_options,
                                                  &n_commands);
    if (ctl_global.timeout) {
        deadline_ms = time_msec() + ctl_global.timeout * 1000LL;
    }

    char *remote = db_remote ? xstrdup(db_remote) : default_db();
    uv_loop_t *loop = uv_default_loop();
    struct ovsdb_idl *idl = ovsdb_idl_create(loop, remote, "Open_vSwitch");
    ovsdb_idl_set_retry(idl, retry);
    ovsdb_idl_set_warning_cb(idl, warning_cb, NULL);

    /* Every command line needs the Open_vSwitch row: ovs-vsctl creates it
     * when missing, and waiting needs next_cfg and cur_cfg. */
    plan_get("Open_vSwitch");
    ctl_pre_column(NULL, "Open_vSwitch", "next_cfg");
    ctl_pre_column(NULL, "Open_vSwitch", "cur_cfg");
    for (size_t i = 0; i < n_commands; i++) {
        struct ctl_command *c = &commands[i];
        if (c->syntax->prerequisites) {
            struct ctl_context ctx;
            context_init(&ctx, c, idl, NULL, NULL, NULL);
            c->syntax->prerequisites(&ctx);
            context_done(&ctx, c);
        }
    }

    fetch(idl);
    do_ctl(idl, commands, n_commands);

    /* Tidy exit: free what we own so leak checkers stay quiet. */
    for (size_t i = 0; i < n_commands; i++) {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &commands[i].options) {
            free(node->data);
        }
        shash_destroy(&commands[i].options);
        ds_destroy(&commands[i].output);
        table_destroy(commands[i].table);
    }
    free(commands);
    shash_destroy(&local_options);
    ovsdb_idl_destroy(idl);
    uv_run(loop, UV_RUN_NOWAIT);
    free(remote);
    return 0;
}
