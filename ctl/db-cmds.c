/* db-cmds.c: the database commands of xsw-ctl (list, find, get, set, add,
 * remove, clear, create, destroy, wait-until, comment), which work on any
 * table of the schema, with ovs-vsctl 3.1's syntax, output and messages.
 *
 * Each command fetches only what it needs: a record named by the user
 * fetches that record (ctl_pre_record), while list without records and
 * find fetch the whole table. */
#include <config.h>

#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "ctl.h"
#include "idl.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "table.h"
#include "util.h"
#include "uuid.h"

/* Prototype of the shared parser in main.c. */
const struct ovsdb_column *ctl_parse_column_key_value(
    const char *arg, const struct ovsdb_table_schema *ts, char **keyp,
    const char *const *ops, size_t n_ops, int *opp, char **valuep);

static const struct ovsdb_table_schema *
arg_table(struct ctl_context *ctx)
{
    return ctl_get_table(ctx->argv[1]);
}

/* Reads 'column' of 'row', or its default if the server lacks it
 * ('*tmp' then holds the default and must be destroyed by the caller). */
static const struct ovsdb_datum *
read_column(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
            const struct ovsdb_table_schema *ts,
            const struct ovsdb_column *c, struct ovsdb_datum *tmp)
{
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(
        row, ctl_idl_column(ctx, ts->name, c->name));
    if (d) {
        return d;
    }
    ovsdb_datum_init_default(tmp, &c->type);
    return tmp;
}

static bool
is_uuid_column_name(const char *name)
{
    return !strcasecmp(name, "_uuid") || !strcasecmp(name, "-uuid");
}

/* ---- list and find. ---- */

/* The columns to show: --columns=A,B (NULL entries stand for _uuid), or
 * _uuid followed by every column in alphabetical order, as ovs-vsctl's
 * generated tables have them.  The caller frees the array. */
static const struct ovsdb_column **
parse_column_names(const char *names, const struct ovsdb_table_schema *ts,
                   size_t *n)
{
    const struct ovsdb_column **columns;

    *n = 0;
    if (!names) {
        columns = xcalloc(ts->n_columns + 1, sizeof *columns);
        columns[(*n)++] = NULL;
        for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns;
             i++) {
            columns[(*n)++] = ts->columns[i];
        }
        /* Alphabetical, after _uuid. */
        for (size_t i = 2; i < *n; i++) {
            for (size_t j = i; j > 1
                     && strcmp(columns[j - 1]->name, columns[j]->name) > 0;
                 j--) {
                const struct ovsdb_column *t = columns[j];
                columns[j] = columns[j - 1];
                columns[j - 1] = t;
            }
        }
        return columns;
    }

    char *s = xstrdup(names), *save = NULL;
    size_t allocated = 0;
    columns = NULL;
    for (char *name = strtok_r(s, ", ", &save); name;
         name = strtok_r(NULL, ", ", &save)) {
        if (*n >= allocated) {
            columns = x2nrealloc(columns, &allocated, sizeof *columns);
        }
        columns[(*n)++] = !strcasecmp(name, "_uuid")
                          ? NULL : ctl_get_column(ts, name);
    }
    free(s);
    if (!*n) {
        ctl_fatal("must specify at least one column name");
    }
    return columns;
}

static void
pre_list_columns(struct ctl_context *ctx, const struct ovsdb_table_schema *ts)
{
    size_t n;
    const struct ovsdb_column **columns
        = parse_column_names(ctl_get_option(ctx, "--columns"), ts, &n);
    for (size_t i = 0; i < n; i++) {
        if (columns[i]) {
            ctl_pre_column(ctx, ts->name, columns[i]->name);
        }
    }
    free(columns);
}

static struct table *
list_make_table(const struct ovsdb_column **columns, size_t n)
{
    struct table *t = table_create();
    for (size_t i = 0; i < n; i++) {
        table_add_column(t, columns[i] ? columns[i]->name : "_uuid");
    }
    return t;
}

static void
list_record(struct ctl_context *ctx, const struct ovsdb_table_schema *ts,
            const struct ovsdb_idl_row *row,
            const struct ovsdb_column **columns, size_t n, struct table *out)
{
    table_add_row(out);
    for (size_t i = 0; i < n; i++) {
        if (!columns[i]) {
            union ovsdb_atom atom = { .uuid = *ovsdb_idl_row_get_uuid(row) };
            struct ovsdb_datum d = { 1, &atom, NULL };
            table_add_datum(out, &d, &ts->columns[OVSDB_COL_UUID]->type);
        } else {
            struct ovsdb_datum tmp = OVSDB_DATUM_EMPTY_INIT;
            table_add_datum(out, read_column(ctx, row, ts, columns[i], &tmp),
                            &columns[i]->type);
            ovsdb_datum_destroy(&tmp, &columns[i]->type);
        }
    }
}

static void
pre_cmd_list(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    pre_list_columns(ctx, ts);
    if (ctx->argc > 2) {
        for (int i = 2; i < ctx->argc; i++) {
            ctl_pre_record(ctx, ts->name, ctx->argv[i]);
        }
    } else {
        ctl_pre_all_rows(ctx, ts->name);
    }
}

static void
cmd_list(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    size_t n;
    const struct ovsdb_column **columns
        = parse_column_names(ctl_get_option(ctx, "--columns"), ts, &n);

    ctx->table = list_make_table(columns, n);
    if (ctx->argc > 2) {
        for (int i = 2; i < ctx->argc; i++) {
            const struct ovsdb_idl_row *row
                = ctl_get_row(ctx, ts->name, ctx->argv[i], must_exist);
            if (row) {
                list_record(ctx, ts, row, columns, n, ctx->table);
            }
        }
    } else {
        const struct ovsdb_idl_row *row;
        OVSDB_IDL_FOR_EACH_ROW (row, ctl_idl_table(ctx, ts->name)) {
            list_record(ctx, ts, row, columns, n, ctx->table);
        }
    }
    free(columns);
}

enum relop {
    RELOP_EQ, RELOP_NE, RELOP_LT, RELOP_GT, RELOP_LE, RELOP_GE,
    RELOP_SET_EQ, RELOP_SET_NE, RELOP_SET_LT, RELOP_SET_GT, RELOP_SET_LE,
    RELOP_SET_GE, RELOP_SET_IN, RELOP_SET_NOT_IN
};

static const char *const relop_names[] = {
    "=", "!=", "<", ">", "<=", ">=",
    "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"
};

static bool
is_set_operator(enum relop op)
{
    return op >= RELOP_SET_EQ;
}

static bool
evaluate_relop(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
               const struct ovsdb_type *type, enum relop op)
{
    switch (op) {
    case RELOP_EQ:
    case RELOP_SET_EQ:
        return ovsdb_datum_compare_3way(a, b, type) == 0;
    case RELOP_NE:
    case RELOP_SET_NE:
        return ovsdb_datum_compare_3way(a, b, type) != 0;
    case RELOP_LT:
        return ovsdb_datum_compare_3way(a, b, type) < 0;
    case RELOP_GT:
        return ovsdb_datum_compare_3way(a, b, type) > 0;
    case RELOP_LE:
        return ovsdb_datum_compare_3way(a, b, type) <= 0;
    case RELOP_GE:
        return ovsdb_datum_compare_3way(a, b, type) >= 0;
    case RELOP_SET_LT:
        return b->n > a->n && ovsdb_datum_includes_all(a, b, type);
    case RELOP_SET_GT:
        return a->n > b->n && ovsdb_datum_includes_all(b, a, type);
    case RELOP_SET_LE:
    case RELOP_SET_IN:
        return ovsdb_datum_includes_all(a, b, type);
    case RELOP_SET_GE:
        return ovsdb_datum_includes_all(b, a, type);
    case RELOP_SET_NOT_IN:
        return ovsdb_datum_excludes_all(a, b, type);
    }
    return false;
}

static void
parse_value_or_die(struct ovsdb_datum *d, const struct ovsdb_type *type,
                   const char *s, struct ovsdb_symbol_table *symtab)
{
    char *error = ovsdb_datum_from_string(d, type, s, symtab);
    if (error) {
        ctl_fatal("%s", error);
    }
}

/* Parses 'key', given as COLUMN:KEY to 'verb' ("check", "get"), as a key
 * of map column 'c'. */
static void
parse_map_key_or_die(struct ctl_context *ctx, const struct ovsdb_column *c,
                     const char *key, const char *verb,
                     union ovsdb_atom *atom)
{
    char *error;

    if (c->type.value.type == OVSDB_TYPE_VOID) {
        ctl_fatal("cannot specify key to %s for non-map column %s",
                  verb, c->name);
    }
    error = ovsdb_atom_from_string(atom, &c->type.key, key, ctx->symtab);
    if (error) {
        ctl_fatal("%s", error);
    }
}

/* True if 'row' satisfies "COLUMN[:KEY]OP VALUE". */
static bool
check_condition(struct ctl_context *ctx, const struct ovsdb_table_schema *ts,
                const struct ovsdb_idl_row *row, const char *arg)
{
    char *key, *value;
    int op;
    const struct ovsdb_column *c = ctl_parse_column_key_value(
        arg, ts, &key, relop_names, ARRAY_SIZE(relop_names), &op, &value);
    struct ovsdb_type type = c->type;
    struct ovsdb_datum tmp = OVSDB_DATUM_EMPTY_INIT;
    const struct ovsdb_datum *have = read_column(ctx, row, ts, c, &tmp);
    bool retval;

    type.n_max = UINT_MAX;
    if (key) {
        union ovsdb_atom want_key;
        struct ovsdb_datum b;

        parse_map_key_or_die(ctx, c, key, "check", &want_key);
        type.key = type.value;
        type.value.type = OVSDB_TYPE_VOID;
        parse_value_or_die(&b, &type, value, ctx->symtab);

        unsigned int idx = ovsdb_datum_find_key(have, &want_key,
                                                c->type.key.type);
        if (idx == UINT_MAX && !is_set_operator(op)) {
            retval = false;
        } else {
            struct ovsdb_datum a = { 0, NULL, NULL };
            if (idx != UINT_MAX) {
                a.n = 1;
                a.keys = &have->values[idx];
            }
            retval = evaluate_relop(&a, &b, &type, op);
        }
        ovsdb_atom_destroy(&want_key, c->type.key.type);
        ovsdb_datum_destroy(&b, &type);
    } else {
        struct ovsdb_datum want;
        parse_value_or_die(&want, &c->type, value, ctx->symtab);
        retval = evaluate_relop(have, &want, &type, op);
        ovsdb_datum_destroy(&want, &c->type);
    }
    ovsdb_datum_destroy(&tmp, &c->type);
    free(key);
    free(value);
    return retval;
}

static void
pre_conditions(struct ctl_context *ctx, const struct ovsdb_table_schema *ts,
               int first)
{
    for (int i = first; i < ctx->argc; i++) {
        char *key, *value;
        const struct ovsdb_column *c = ctl_parse_column_key_value(
            ctx->argv[i], ts, &key, relop_names, ARRAY_SIZE(relop_names),
            NULL, &value);
        ctl_pre_column(ctx, ts->name, c->name);
        free(key);
        free(value);
    }
}

static void
pre_cmd_find(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    pre_list_columns(ctx, ts);
    pre_conditions(ctx, ts, 2);
    ctl_pre_all_rows(ctx, ts->name);
}

static void
cmd_find(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    size_t n;
    const struct ovsdb_column **columns
        = parse_column_names(ctl_get_option(ctx, "--columns"), ts, &n);
    const struct ovsdb_idl_row *row;

    ctx->table = list_make_table(columns, n);
    OVSDB_IDL_FOR_EACH_ROW (row, ctl_idl_table(ctx, ts->name)) {
        int i;
        for (i = 2; i < ctx->argc; i++) {
            if (!check_condition(ctx, ts, row, ctx->argv[i])) {
                break;
            }
        }
        if (i == ctx->argc) {
            list_record(ctx, ts, row, columns, n, ctx->table);
        }
    }
    free(columns);
}

/* ---- get. ---- */

static struct ovsdb_symbol *
create_symbol(struct ctl_context *ctx, const char *id, bool *newp)
{
    struct ovsdb_symbol *symbol;

    if (id[0] != '@') {
        ctl_fatal("row id \"%s\" does not begin with \"@\"", id);
    }
    if (newp) {
        *newp = ovsdb_symbol_table_get(ctx->symtab, id) == NULL;
    }
    symbol = ovsdb_symbol_table_insert(ctx->symtab, id);
    if (symbol->created) {
        ctl_fatal("row id \"%s\" may only be specified on one --id option",
                  id);
    }
    symbol->created = true;
    return symbol;
}

static void
pre_cmd_get(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    ctl_pre_record(ctx, ts->name, ctx->argv[2]);
    for (int i = 3; i < ctx->argc; i++) {
        char *key;
        if (is_uuid_column_name(ctx->argv[i])) {
            continue;
        }
        const struct ovsdb_column *c = ctl_parse_column_key_value(
            ctx->argv[i], ts, &key, NULL, 0, NULL, NULL);
        ctl_pre_column(ctx, ts->name, c->name);
        free(key);
    }
}

static void
cmd_get(struct ctl_context *ctx)
{
    const char *id = ctl_get_option(ctx, "--id");
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const char *record_id = ctx->argv[2];

    if (id && !must_exist) {
        ctl_fatal("--if-exists and --id may not be specified together");
    }
    const struct ovsdb_idl_row *row = ctl_get_row(ctx, ts->name, record_id,
                                                  must_exist);
    if (!row) {
        return;
    }
    if (id) {
        bool new;
        struct ovsdb_symbol *symbol = create_symbol(ctx, id, &new);
        if (!new) {
            ctl_fatal("row id \"%s\" specified on \"get\" command was used "
                      "before it was defined", id);
        }
        symbol->uuid = *ovsdb_idl_row_get_uuid(row);
        symbol->strong_ref = true;
    }
    for (int i = 3; i < ctx->argc; i++) {
        char *key;

        if (is_uuid_column_name(ctx->argv[i])) {
            char s[UUID_LEN + 1];
            uuid_to_string(ovsdb_idl_row_get_uuid(row), s);
            ctl_printf(ctx, "%s\n", s);
            continue;
        }
        const struct ovsdb_column *c = ctl_parse_column_key_value(
            ctx->argv[i], ts, &key, NULL, 0, NULL, NULL);
        struct ovsdb_datum tmp = OVSDB_DATUM_EMPTY_INIT;

        ovsdb_idl_txn_verify(row, ctl_idl_column(ctx, ts->name, c->name));
        const struct ovsdb_datum *d = read_column(ctx, row, ts, c, &tmp);
        if (key) {
            union ovsdb_atom katom;

            parse_map_key_or_die(ctx, c, key, "get", &katom);
            unsigned int idx = ovsdb_datum_find_key(d, &katom,
                                                    c->type.key.type);
            ovsdb_atom_destroy(&katom, c->type.key.type);
            if (idx == UINT_MAX) {
                if (must_exist) {
                    ctl_fatal("no key \"%s\" in %s record \"%s\" column %s",
                              key, ts->name, record_id, c->name);
                }
            } else {
                char *s = ovsdb_atom_to_string(&d->values[idx],
                                               c->type.value.type);
                ctl_printf(ctx, "%s", s);
                free(s);
            }
        } else {
            char *s = ovsdb_datum_to_string(d, &c->type);
            ctl_printf(ctx, "%s", s);
            free(s);
        }
        ctl_printf(ctx, "\n");
        ovsdb_datum_destroy(&tmp, &c->type);
        free(key);
    }
}

/* ---- set, add, remove, clear. ---- */

static void
check_mutable(const struct ovsdb_table_schema *ts,
              const struct ovsdb_column *c)
{
    if (!c->mutable) {
        ctl_fatal("cannot modify read-only column %s in table %s",
                  c->name, ts->name);
    }
}

static void
pre_cmd_set(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    ctl_pre_record(ctx, ts->name, ctx->argv[2]);
    for (int i = 3; i < ctx->argc; i++) {
        ctl_pre_set_column(ctx, ts->name, ctx->argv[i]);
    }
}

static void
cmd_set(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const struct ovsdb_idl_row *row = ctl_get_row(
        ctx, ts->name, ctx->argv[2], !ctl_has_option(ctx, "--if-exists"));

    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        char *key, *value;
        static const char *const eq[] = { "=" };
        const struct ovsdb_column *c = ctl_parse_column_key_value(
            ctx->argv[i], ts, &key, eq, 1, NULL, &value);
        free(key);
        free(value);
        check_mutable(ts, c);
        ctl_set_column(ctx, ts->name, row, ctx->argv[i]);
    }
    ctl_invalidate_caches();
}

static void
pre_cmd_add_remove(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const struct ovsdb_column *c = ctl_get_column(ts, ctx->argv[3]);

    ctl_pre_record(ctx, ts->name, ctx->argv[2]);
    ctl_pre_column(ctx, ts->name, c->name);
}

/* A column that "add" or "remove" changes element by element: the command
 * edits a copy of its value, which column_edit_finish() writes back. */
struct column_edit {
    const struct ovsdb_table_schema *ts;
    const struct ovsdb_column *c;
    const struct ovsdb_idl_row *row;
    const struct ovsdb_idl_column *col;
    struct ovsdb_datum value;   /* Owned; of type c->type. */
};

/* Finds table argv[1], column argv[3] and record argv[2] (in that order, so
 * that a bad command fails with ovs-vsctl's first error) and copies the
 * column's value into 'e->value'.  Returns false, with nothing to free, if
 * --if-exists found no such record. */
static bool
column_edit_start(struct ctl_context *ctx, struct column_edit *e)
{
    struct ovsdb_datum tmp = OVSDB_DATUM_EMPTY_INIT;

    e->ts = arg_table(ctx);
    e->c = ctl_get_column(e->ts, ctx->argv[3]);
    e->row = ctl_get_row(ctx, e->ts->name, ctx->argv[2],
                         !ctl_has_option(ctx, "--if-exists"));
    if (!e->row) {
        return false;
    }
    check_mutable(e->ts, e->c);
    e->col = ctl_idl_column(ctx, e->ts->name, e->c->name);
    ovsdb_datum_clone(&e->value, read_column(ctx, e->row, e->ts, e->c, &tmp),
                      &e->c->type);
    ovsdb_datum_destroy(&tmp, &e->c->type);
    return true;
}

/* The type of one command-line argument of "add" or "remove": the column's
 * type, but any number of elements (at least one) per argument. */
static struct ovsdb_type
column_edit_arg_type(const struct column_edit *e)
{
    struct ovsdb_type type = e->c->type;

    type.n_min = 1;
    type.n_max = UINT_MAX;
    return type;
}

/* Writes 'e->value' back, verifying that the column did not change since it
 * was read, and frees it. */
static void
column_edit_finish(struct column_edit *e)
{
    ovsdb_idl_txn_verify(e->row, e->col);
    ovsdb_idl_txn_write(e->row, e->col, &e->value);
    ovsdb_datum_destroy(&e->value, &e->c->type);
    ctl_invalidate_caches();
}

static void
cmd_add(struct ctl_context *ctx)
{
    struct column_edit e;

    if (!column_edit_start(ctx, &e)) {
        return;
    }
    for (int i = 4; i < ctx->argc; i++) {
        struct ovsdb_type add_type = column_edit_arg_type(&e);
        struct ovsdb_datum add;

        parse_value_or_die(&add, &add_type, ctx->argv[i], ctx->symtab);
        ovsdb_datum_union(&e.value, &add, &e.c->type);
        ovsdb_datum_destroy(&add, &add_type);
    }
    /* Like ovs-vsctl 3.1, too many elements are left for the server to
     * reject, so that the error is the same. */
    column_edit_finish(&e);
}

static void
cmd_remove(struct ctl_context *ctx)
{
    struct column_edit e;

    if (!column_edit_start(ctx, &e)) {
        return;
    }
    for (int i = 4; i < ctx->argc; i++) {
        struct ovsdb_type rm_type = column_edit_arg_type(&e);
        struct ovsdb_datum rm;
        char *error;

        error = ovsdb_datum_from_string(&rm, &rm_type, ctx->argv[i],
                                        ctx->symtab);
        if (error) {
            if (!ovsdb_type_is_map(&rm_type)) {
                ctl_fatal("%s", error);
            }
            /* A map entry may be removed by its key alone. */
            free(error);
            rm_type.value.type = OVSDB_TYPE_VOID;
            parse_value_or_die(&rm, &rm_type, ctx->argv[i], ctx->symtab);
        }
        ovsdb_datum_subtract(&e.value, &e.c->type, &rm, &rm_type);
        ovsdb_datum_destroy(&rm, &rm_type);
    }
    if (e.value.n < e.c->type.n_min) {
        ctl_fatal("\"remove\" operation would put %u %s in column %s of "
                  "table %s but the minimum number is %u", e.value.n,
                  e.c->type.value.type == OVSDB_TYPE_VOID ? "values"
                                                          : "pairs",
                  e.c->name, e.ts->name, e.c->type.n_min);
    }
    column_edit_finish(&e);
}

static void
pre_cmd_clear(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    ctl_pre_record(ctx, ts->name, ctx->argv[2]);
    for (int i = 3; i < ctx->argc; i++) {
        ctl_pre_column(ctx, ts->name, ctl_get_column(ts, ctx->argv[i])->name);
    }
}

static void
cmd_clear(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const struct ovsdb_idl_row *row = ctl_get_row(
        ctx, ts->name, ctx->argv[2], !ctl_has_option(ctx, "--if-exists"));

    if (!row) {
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        const struct ovsdb_column *c = ctl_get_column(ts, ctx->argv[i]);
        struct ovsdb_datum empty = OVSDB_DATUM_EMPTY_INIT;

        check_mutable(ts, c);
        if (c->type.n_min > 0) {
            ctl_fatal("\"clear\" operation cannot be applied to column %s "
                      "of table %s, which is not allowed to be empty",
                      c->name, ts->name);
        }
        ovsdb_idl_txn_write(row, ctl_idl_column(ctx, ts->name, c->name),
                            &empty);
    }
    ctl_invalidate_caches();
}

/* ---- create and destroy. ---- */

/* Rows inserted by "create", so that postprocess can find the real UUID
 * of the row whose provisional UUID the command printed.  Rows of earlier
 * attempts (before a TRY_AGAIN) stay listed but are never matched: every
 * attempt inserts with fresh provisional UUIDs, and the newest entries are
 * searched first. */
struct created_row {
    struct uuid provisional;
    const struct ovsdb_idl_row *row;
};
static struct created_row *created_rows;
static size_t n_created, allocated_created;

static void
pre_cmd_create(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    ctl_pre_column(ctx, ts->name, ts->columns[OVSDB_N_IMPLICIT_COLUMNS]
                   ? ts->columns[OVSDB_N_IMPLICIT_COLUMNS]->name : "_uuid");
    for (int i = 2; i < ctx->argc; i++) {
        ctl_pre_set_column(ctx, ts->name, ctx->argv[i]);
    }
    /* No rows are needed: only inserting. */
    ctl_pre_rows_by_uuid(ctx, ts->name, &(struct uuid) { { 0 } });
}

static void
cmd_create(struct ctl_context *ctx)
{
    const char *id = ctl_get_option(ctx, "--id");
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const struct uuid *uuid = NULL;

    if (!id && !ts->is_root) {
        ctl_warn("applying \"create\" command to table %s without --id "
                 "option will have no effect", ts->name);
    }
    if (id) {
        struct ovsdb_symbol *symbol = create_symbol(ctx, id, NULL);
        if (ts->is_root) {
            symbol->strong_ref = true;
        }
        uuid = &symbol->uuid;
    }
    const struct ovsdb_idl_row *row = ovsdb_idl_txn_insert(
        ctx->txn, ctl_idl_table(ctx, ts->name), uuid);
    for (int i = 2; i < ctx->argc; i++) {
        ctl_set_column(ctx, ts->name, row, ctx->argv[i]);
    }
    if (n_created >= allocated_created) {
        created_rows = x2nrealloc(created_rows, &allocated_created,
                                  sizeof *created_rows);
    }
    created_rows[n_created++] = (struct created_row) {
        *ovsdb_idl_row_get_uuid(row), row };
    char s[UUID_LEN + 1];
    uuid_to_string(ovsdb_idl_row_get_uuid(row), s);
    ctl_printf(ctx, "%s", s);
}

static void
post_create(struct ctl_context *ctx)
{
    struct uuid provisional;

    if (uuid_from_string(&provisional, ds_cstr(&ctx->output))) {
        for (size_t i = n_created; i-- > 0; ) {
            if (uuid_equals(&created_rows[i].provisional, &provisional)) {
                struct uuid real = ctl_insert_uuid(ctx, created_rows[i].row);
                char s[UUID_LEN + 1];

                uuid_to_string(&real, s);
                ds_clear(&ctx->output);
                ctl_printf(ctx, "%s", s);
                break;
            }
        }
    }
    ctl_printf(ctx, "\n");
}

static void
pre_cmd_destroy(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    if (ctl_has_option(ctx, "--all")) {
        ctl_pre_all_rows(ctx, ts->name);
    }
    for (int i = 2; i < ctx->argc; i++) {
        ctl_pre_record(ctx, ts->name, ctx->argv[i]);
    }
    if (!ctl_has_option(ctx, "--all") && ctx->argc == 2) {
        ctl_pre_rows_by_uuid(ctx, ts->name, &(struct uuid) { { 0 } });
    }
}

static void
cmd_destroy(struct ctl_context *ctx)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    bool delete_all = ctl_has_option(ctx, "--all");
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    if (delete_all && ctx->argc > 2) {
        ctl_fatal("--all and records argument should not be specified "
                  "together");
    }
    if (delete_all && !must_exist) {
        ctl_fatal("--all and --if-exists should not be specified together");
    }
    if (!delete_all && ctx->argc == 2) {
        ctl_warn("either --all or records argument should be specified");
        return;
    }
    if (delete_all) {
        const struct ovsdb_idl_row *row, *next;
        for (row = ovsdb_idl_first_row(ctl_idl_table(ctx, ts->name)); row;
             row = next) {
            next = ovsdb_idl_next_row(row);
            ovsdb_idl_txn_delete(row);
        }
    } else {
        for (int i = 2; i < ctx->argc; i++) {
            const struct ovsdb_idl_row *row
                = ctl_get_row(ctx, ts->name, ctx->argv[i], must_exist);
            if (row) {
                ovsdb_idl_txn_delete(row);
            }
        }
    }
    ctl_invalidate_caches();
}

/* ---- wait-until and comment. ---- */

static void
pre_cmd_wait_until(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);

    ctl_pre_record(ctx, ts->name, ctx->argv[2]);
    pre_conditions(ctx, ts, 3);
}

static void
cmd_wait_until(struct ctl_context *ctx)
{
    const struct ovsdb_table_schema *ts = arg_table(ctx);
    const struct ovsdb_idl_row *row
        = ctl_get_row(ctx, ts->name, ctx->argv[2], false);

    if (!row) {
        ctx->try_again = true;
        return;
    }
    for (int i = 3; i < ctx->argc; i++) {
        if (!check_condition(ctx, ts, row, ctx->argv[i])) {
            ctx->try_again = true;
            return;
        }
    }
}

static void
cmd_comment(struct ctl_context *ctx OVS_UNUSED)
{
}

static const struct ctl_command_syntax db_commands[] = {
    { "comment", 0, INT_MAX, "[ARG]...", NULL, cmd_comment, NULL, "",
      CTL_RO },
    { "get", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]]...", pre_cmd_get,
      cmd_get, NULL, "--if-exists,--id=", CTL_RO },
    { "list", 1, INT_MAX, "TABLE [RECORD]...", pre_cmd_list, cmd_list, NULL,
      "--if-exists,--columns=", CTL_RO },
    { "find", 1, INT_MAX, "TABLE [COLUMN[:KEY]=VALUE]...", pre_cmd_find,
      cmd_find, NULL, "--columns=", CTL_RO },
    { "set", 3, INT_MAX, "TABLE RECORD COLUMN[:KEY]=VALUE...", pre_cmd_set,
      cmd_set, NULL, "--if-exists", CTL_RW },
    { "add", 4, INT_MAX, "TABLE RECORD COLUMN [KEY=]VALUE...",
      pre_cmd_add_remove, cmd_add, NULL, "--if-exists", CTL_RW },
    { "remove", 4, INT_MAX, "TABLE RECORD COLUMN KEY|VALUE|KEY=VALUE...",
      pre_cmd_add_remove, cmd_remove, NULL, "--if-exists", CTL_RW },
    { "clear", 3, INT_MAX, "TABLE RECORD COLUMN...", pre_cmd_clear,
      cmd_clear, NULL, "--if-exists", CTL_RW },
    { "create", 2, INT_MAX, "TABLE COLUMN[:KEY]=VALUE...", pre_cmd_create,
      cmd_create, post_create, "--id=", CTL_RW },
    { "destroy", 1, INT_MAX, "TABLE [RECORD]...", pre_cmd_destroy,
      cmd_destroy, NULL, "--if-exists,--all", CTL_RW },
    { "wait-until", 2, INT_MAX, "TABLE RECORD [COLUMN[:KEY]=VALUE]...",
      pre_cmd_wait_until, cmd_wait_until, NULL, "", CTL_RO },
    { NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO },
};

void
db_cmds_register(void)
{
    ctl_register_commands(db_commands);
}
