/* transact.c: see transact.h.
 *
 * Results and error texts follow Open vSwitch 3.1's ovsdb-server exactly,
 * because real OVSDB clients (and people) compare them. */
#include <config.h>
#include "transact.h"

#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "hash.h"
#include "ovsdb-condition.h"
#include "ovsdb-error.h"
#include "ovsdb-mutation.h"

/* Parsing an operation object, with ovsdb-server's error messages. */

enum {
    P_OBJECT = 1 << 0,
    P_ARRAY = 1 << 1,
    P_STRING = 1 << 2,
    P_INTEGER = 1 << 3,
    P_BOOLEAN = 1 << 4,
    P_ID = 1 << 5,              /* A string that is an identifier. */
    P_OPTIONAL = 1 << 6
};

#define PARSER_MAX_MEMBERS 16

struct parser {
    const json_t *json;         /* The object, or NULL if not an object. */
    size_t idx, n_ops;          /* "ovsdb operation <idx> of <n_ops>". */
    struct ovsdb_error *error;  /* First error, or NULL. */
    const char *used[PARSER_MAX_MEMBERS];
    size_t n_used;
};

static void PRINTF_FORMAT(2, 3)
parser_raise(struct parser *p, const char *fmt, ...)
{
    if (!p->error) {
        va_list args;
        va_start(args, fmt);
        char *msg = xvasprintf(fmt, args);
        va_end(args);
        p->error = ovsdb_syntax_error(p->json, NULL, "Parsing ovsdb "
                                      "operation %zu of %zu failed: %s",
                                      p->idx, p->n_ops, msg);
        free(msg);
    }
}

static void
parser_init(struct parser *p, const json_t *json, size_t i, size_t n)
{
    p->json = json_is_object(json) ? json : NULL;
    p->idx = i;
    p->n_ops = n;
    p->error = NULL;
    p->n_used = 0;
    if (!p->json) {
        parser_raise(p, "Object expected.");
    }
}

static bool
is_id(const char *s)
{
    if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
          || *s == '_')) {
        return false;
    }
    for (s++; *s; s++) {
        if (!((*s >= 'a' && *s <= 'z') || (*s >= 'A' && *s <= 'Z')
              || (*s >= '0' && *s <= '9') || *s == '_')) {
            return false;
        }
    }
    return true;
}

static const json_t *
parser_member(struct parser *p, const char *name, unsigned int types)
{
    if (!p->json) {
        return NULL;
    }

    const json_t *value = json_object_get(p->json, name);
    if (!value) {
        if (!(types & P_OPTIONAL)) {
            parser_raise(p, "Required '%s' member is missing.", name);
        }
        return NULL;
    }
    if ((types & P_OBJECT && json_is_object(value))
        || (types & P_ARRAY && json_is_array(value))
        || (types & P_STRING && json_is_string(value))
        || (types & P_INTEGER && json_is_integer(value))
        || (types & P_BOOLEAN && json_is_boolean(value))
        || (types & P_ID && json_is_string(value)
            && is_id(json_string_value(value)))) {
        if (p->n_used < PARSER_MAX_MEMBERS) {
            p->used[p->n_used++] = name;
        }
        return value;
    }
    parser_raise(p, "Type mismatch for member '%s'.", name);
    return NULL;
}

static bool
parser_used(const struct parser *p, const char *name)
{
    for (size_t i = 0; i < p->n_used; i++) {
        if (!strcmp(p->used[i], name)) {
            return true;
        }
    }
    return false;
}

/* Reports members that no operation asked for.  Returns the parser's error,
 * owned by the caller. */
static struct ovsdb_error *
parser_finish(struct parser *p)
{
    if (!p->error && json_object_size(p->json) > p->n_used) {
        size_t n_unused = json_object_size(p->json) - p->n_used;
        const char *key;
        json_t *value;

        json_object_foreach ((json_t *) p->json, key, value) {
            if (parser_used(p, key)) {
                continue;
            }
            if (n_unused > 1) {
                parser_raise(p, "Member '%s' and %zu other member%s are "
                             "present but not allowed here.", key,
                             n_unused - 1, n_unused > 2 ? "s" : "");
            } else {
                parser_raise(p, "Member '%s' is present but not allowed "
                             "here.", key);
            }
            break;
        }
    }
    return p->error;
}

/* The error so far, as a copy the caller owns. */
static struct ovsdb_error *
parser_get_error(const struct parser *p)
{
    return p->error ? ovsdb_error_clone(p->error) : NULL;
}

/* Execution. */

struct execution {
    struct ovsdb_db *db;
    struct ovsdb_txn *txn;
    struct ovsdb_symbol_table symtab;
    const struct ovsdb_execute_ctx *ctx;
    long long elapsed_ms;
    long long timeout_ms;       /* Shortest "wait" timeout so far. */
    bool durable;
};

typedef struct ovsdb_error *executor_func(struct execution *,
                                          struct parser *, json_t *result);

static struct ovsdb_table *
parse_table(struct execution *x, struct parser *p)
{
    const json_t *json = parser_member(p, "table", P_ID);
    if (!json) {
        return NULL;
    }

    const char *name = json_string_value(json);
    struct ovsdb_table *table = ovsdb_db_get_table(x->db, name);
    if (!table) {
        parser_raise(p, "No table named %s.", name);
    }
    return table;
}

/* Fills in 'row''s columns from the JSON object 'json', adding each column
 * to 'columns' if nonnull. */
static struct ovsdb_error *
parse_row(struct execution *x, const json_t *json, struct ovsdb_row *row,
          struct ovsdb_column_set *columns)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    const char *name;
    json_t *value;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "row must be JSON object");
    }
    json_object_foreach ((json_t *) json, name, value) {
        const struct ovsdb_column *c = ovsdb_table_schema_get_column(ts, name);
        struct ovsdb_datum datum;
        struct ovsdb_error *error;

        if (!c) {
            return ovsdb_syntax_error(json, "unknown column",
                                      "No column %s in table %s.",
                                      name, ts->name);
        }
        error = ovsdb_datum_from_json(&datum, &c->type, value, &x->symtab);
        if (error) {
            return error;
        }
        ovsdb_datum_swap(&row->fields[c->index], &datum);
        ovsdb_datum_destroy(&datum, &c->type);
        if (columns) {
            ovsdb_column_set_add(columns, c);
        }
    }
    return NULL;
}

/* Parses an optional array of distinct column names; all columns when
 * 'json' is NULL. */
static struct ovsdb_error *
parse_column_set(const json_t *json, const struct ovsdb_table_schema *ts,
                 struct ovsdb_column_set *set)
{
    struct ovsdb_error *error = NULL;

    if (!json) {
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            ovsdb_column_set_add(set, ts->columns[i]);
        }
        return NULL;
    }
    if (!json_is_array(json)) {
        goto error;
    }
    for (size_t i = 0; i < json_array_size(json); i++) {
        const json_t *elem = json_array_get(json, i);
        const struct ovsdb_column *c;

        if (!json_is_string(elem)) {
            goto error;
        }
        c = ovsdb_table_schema_get_column(ts, json_string_value(elem));
        if (!c) {
            error = ovsdb_syntax_error(json, NULL,
                                       "%s is not a valid column name",
                                       json_string_value(elem));
            goto error;
        }
        if (ovsdb_column_set_contains(set, c->index)) {
            goto error;
        }
        ovsdb_column_set_add(set, c);
    }
    return NULL;

error:
    ovsdb_column_set_destroy(set);
    ovsdb_column_set_init(set);
    return (error ? error
            : ovsdb_syntax_error(json, NULL,
                                 "array of distinct column names expected"));
}

/* Calls 'cb' for each row of 'table' that satisfies 'cond', as the
 * transaction sees it.  A "_uuid ==" clause is answered with one lookup,
 * so that operations on one row cost the same in a table of any size. */
struct query {
    const struct ovsdb_condition *cond;
    bool (*cb)(const struct ovsdb_row *, void *aux);
    void *aux;
};

static bool
query_cb(const struct ovsdb_row *row, void *q_)
{
    struct query *q = q_;
    return (!ovsdb_condition_evaluate(q->cond, row->fields)
            || q->cb(row, q->aux));
}

static void
query(struct execution *x, struct ovsdb_table *table,
      const struct ovsdb_condition *cond,
      bool (*cb)(const struct ovsdb_row *, void *aux), void *aux)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *c = &cond->clauses[i];
        if (c->function == OVSDB_F_EQ && c->column
            && c->column->index == OVSDB_COL_UUID && c->arg.n == 1) {
            const struct ovsdb_row *row;
            row = ovsdb_txn_get_row(x->txn, table, &c->arg.keys[0].uuid);
            if (row && ovsdb_condition_evaluate(cond, row->fields)) {
                cb(row, aux);
            }
            return;
        }
    }

    struct query q = { cond, cb, aux };
    ovsdb_txn_for_each_row(x->txn, table, query_cb, &q);
}

static struct ovsdb_error *
parse_where(struct execution *x, struct ovsdb_table *table,
            const json_t *where, struct ovsdb_condition *cond)
{
    return ovsdb_condition_from_json(table->schema, where, &x->symtab, false,
                                     cond);
}

/* A set of rows, distinct in some columns ("select" and "wait"). */
struct row_hash {
    struct hmap rows;                     /* struct row_hash_node. */
    const struct ovsdb_column_set *columns;
};

struct row_hash_node {
    struct hmap_node hmap_node;
    const struct ovsdb_row *row;
};

static void
row_hash_init(struct row_hash *rh, const struct ovsdb_column_set *columns)
{
    hmap_init(&rh->rows);
    rh->columns = columns;
}

static bool
row_hash_contains(const struct row_hash *rh, const struct ovsdb_row *row)
{
    uint32_t hash = ovsdb_index_hash(row->fields, rh->columns);
    const struct row_hash_node *n;

    HMAP_FOR_EACH_WITH_HASH (n, hmap_node, hash, &rh->rows) {
        bool equal = true;
        for (size_t i = 0; equal && i < rh->columns->n; i++) {
            const struct ovsdb_column *c = rh->columns->columns[i];
            equal = ovsdb_datum_equals(&n->row->fields[c->index],
                                       &row->fields[c->index], &c->type);
        }
        if (equal) {
            return true;
        }
    }
    return false;
}

/* Adds 'row' unless an equal one is there; returns true if added. */
static bool
row_hash_insert(struct row_hash *rh, const struct ovsdb_row *row)
{
    if (row_hash_contains(rh, row)) {
        return false;
    }
    struct row_hash_node *n = xmalloc(sizeof *n);
    n->row = row;
    hmap_insert(&rh->rows, &n->hmap_node,
                ovsdb_index_hash(row->fields, rh->columns));
    return true;
}

/* Frees the set, and its rows too if 'destroy_rows'. */
static void
row_hash_destroy(struct row_hash *rh, bool destroy_rows)
{
    struct row_hash_node *n;
    HMAP_FOR_EACH_POP (n, hmap_node, &rh->rows) {
        if (destroy_rows) {
            ovsdb_row_destroy((struct ovsdb_row *) n->row);
        }
        free(n);
    }
    hmap_destroy(&rh->rows);
}

/* "insert" */

static struct ovsdb_error *
execute_insert(struct execution *x, struct parser *p, json_t *result)
{
    struct ovsdb_table *table = parse_table(x, p);
    const json_t *uuid_json = parser_member(p, "uuid", P_STRING | P_OPTIONAL);
    const json_t *uuid_name = parser_member(p, "uuid-name",
                                            P_ID | P_OPTIONAL);
    const json_t *row_json = parser_member(p, "row", P_OBJECT);
    struct ovsdb_error *error = parser_get_error(p);
    struct uuid uuid;

    if (error) {
        return error;
    }

    if (uuid_json) {
        /* Open vSwitch lets a client choose the new row's UUID. */
        if (!uuid_from_string(&uuid, json_string_value(uuid_json))) {
            return ovsdb_syntax_error(uuid_json, NULL, "bad uuid");
        }
        if (!ovsdb_txn_may_create_row(x->txn, table, &uuid)) {
            return ovsdb_syntax_error(uuid_json, "duplicate uuid",
                                      "This UUID would duplicate a UUID "
                                      "already present within the table or "
                                      "deleted within the same "
                                      "transaction.");
        }
    }
    if (uuid_name) {
        struct ovsdb_symbol *symbol = ovsdb_symbol_table_insert(
            &x->symtab, json_string_value(uuid_name));
        if (symbol->created) {
            return ovsdb_syntax_error(uuid_name, "duplicate uuid-name",
                                      "This \"uuid-name\" appeared on an "
                                      "earlier \"insert\" operation.");
        }
        if (uuid_json) {
            symbol->uuid = uuid;
        } else {
            uuid = symbol->uuid;
        }
        symbol->created = true;
    } else if (!uuid_json) {
        uuid_generate(&uuid);
    }

    struct ovsdb_row *row = ovsdb_row_create(table, &uuid);
    error = parse_row(x, row_json, row, NULL);

    /* Defaults for the columns "row" omits might violate constraints (an
     * enum without ""); a datum with more than one element came from the
     * client and was checked while parsing. */
    const struct ovsdb_table_schema *ts = table->schema;
    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS;
         !error && i < ts->n_columns; i++) {
        if (row->fields[i].n == 1) {
            error = ovsdb_datum_check_constraints(&row->fields[i],
                                                  &ts->columns[i]->type);
        }
    }
    if (error) {
        ovsdb_row_destroy(row);
        return error;
    }

    /* A "_uuid" in "row" does not choose the UUID: "uuid" does. */
    row->fields[OVSDB_COL_UUID].keys[0].uuid = uuid;
    ovsdb_txn_row_insert(x->txn, row);
    const union ovsdb_atom *uuid_atom = &row->fields[OVSDB_COL_UUID].keys[0];
    json_object_set_new(result, "uuid",
                        ovsdb_atom_to_json(uuid_atom, OVSDB_TYPE_UUID));
    return NULL;
}

/* "select" */

struct select_aux {
    const struct ovsdb_row **rows;
    size_t n, allocated;
    struct row_hash distinct;   /* Used unless _uuid is selected. */
    bool dedup;
};

static bool
select_cb(const struct ovsdb_row *row, void *sa_)
{
    struct select_aux *sa = sa_;

    if (!sa->dedup || row_hash_insert(&sa->distinct, row)) {
        if (sa->n >= sa->allocated) {
            sa->rows = x2nrealloc(sa->rows, &sa->allocated, sizeof *sa->rows);
        }
        sa->rows[sa->n++] = row;
    }
    return true;
}

static int
compare_rows(const void *a_, const void *b_, void *sort_)
{
    const struct ovsdb_row *a = *(const struct ovsdb_row *const *) a_;
    const struct ovsdb_row *b = *(const struct ovsdb_row *const *) b_;
    const struct ovsdb_column_set *sort = sort_;

    for (size_t i = 0; i < sort->n; i++) {
        const struct ovsdb_column *c = sort->columns[i];
        int cmp = ovsdb_datum_compare_3way(&a->fields[c->index],
                                           &b->fields[c->index], &c->type);
        if (cmp) {
            return cmp;
        }
    }
    return 0;
}

static struct ovsdb_error *
execute_select(struct execution *x, struct parser *p, json_t *result)
{
    struct ovsdb_table *table = parse_table(x, p);
    const json_t *where = parser_member(p, "where", P_ARRAY);
    const json_t *columns_json = parser_member(p, "columns",
                                               P_ARRAY | P_OPTIONAL);
    const json_t *sort_json = parser_member(p, "sort", P_ARRAY | P_OPTIONAL);
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_column_set columns, sort;
    struct ovsdb_error *error = parser_get_error(p);

    ovsdb_column_set_init(&columns);
    ovsdb_column_set_init(&sort);
    if (!error) {
        error = parse_where(x, table, where, &cond);
    }
    if (!error) {
        error = parse_column_set(columns_json, table->schema, &columns);
    }
    if (!error && sort_json) {
        error = parse_column_set(sort_json, table->schema, &sort);
    }
    if (!error) {
        /* Like ovsdb-server, return each distinct combination of the
         * selected columns once; rows always differ in _uuid. */
        struct select_aux sa = { .dedup = columns_json != NULL
                                 && !ovsdb_column_set_contains(
                                     &columns, OVSDB_COL_UUID) };
        row_hash_init(&sa.distinct, &columns);
        query(x, table, &cond, select_cb, &sa);
        if (sort.n && sa.n) {
            qsort_r(sa.rows, sa.n, sizeof *sa.rows, compare_rows, &sort);
        }

        json_t *rows = json_array();
        for (size_t i = 0; i < sa.n; i++) {
            json_array_append_new(rows, ovsdb_row_to_json(sa.rows[i],
                                                          &columns));
        }
        json_object_set_new(result, "rows", rows);
        row_hash_destroy(&sa.distinct, false);
        free(sa.rows);
    }
    ovsdb_column_set_destroy(&sort);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&cond);
    return error;
}

/* "update" */

struct update_aux {
    struct ovsdb_txn *txn;
    const struct ovsdb_row *row;            /* The new values. */
    const struct ovsdb_column_set *columns; /* Which ones. */
    size_t n_matches;
};

static bool
update_cb(const struct ovsdb_row *row, void *ua_)
{
    struct update_aux *ua = ua_;
    const struct ovsdb_column_set *cs = ua->columns;
    struct ovsdb_row *rw = NULL;

    ua->n_matches++;
    for (size_t i = 0; i < cs->n; i++) {
        const struct ovsdb_column *c = cs->columns[i];
        if (!ovsdb_datum_equals(&row->fields[c->index],
                                &ua->row->fields[c->index], &c->type)) {
            if (!rw) {
                rw = ovsdb_txn_row_modify(ua->txn, row);
            }
            ovsdb_datum_destroy(&rw->fields[c->index], &c->type);
            ovsdb_datum_clone(&rw->fields[c->index],
                              &ua->row->fields[c->index], &c->type);
        }
    }
    return true;
}

static struct ovsdb_error *
execute_update(struct execution *x, struct parser *p, json_t *result)
{
    struct ovsdb_table *table = parse_table(x, p);
    const json_t *where = parser_member(p, "where", P_ARRAY);
    const json_t *row_json = parser_member(p, "row", P_OBJECT);
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error = parser_get_error(p);
    struct ovsdb_column_set columns;
    struct ovsdb_row *row = NULL;

    ovsdb_column_set_init(&columns);
    if (!error) {
        row = ovsdb_row_create(table, NULL);
        error = parse_row(x, row_json, row, &columns);
    }
    for (size_t i = 0; !error && i < columns.n; i++) {
        const struct ovsdb_column *c = columns.columns[i];
        if (!c->mutable || c->index < OVSDB_N_IMPLICIT_COLUMNS) {
            error = ovsdb_syntax_error(p->json, "constraint violation",
                                       "Cannot update immutable column %s "
                                       "in table %s.",
                                       c->name, table->schema->name);
        }
    }
    if (!error) {
        error = parse_where(x, table, where, &cond);
    }
    if (!error) {
        struct update_aux ua = { x->txn, row, &columns, 0 };
        query(x, table, &cond, update_cb, &ua);
        json_object_set_new(result, "count", json_integer(ua.n_matches));
    }
    ovsdb_row_destroy(row);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&cond);
    return error;
}

/* "mutate" */

struct mutate_aux {
    struct ovsdb_txn *txn;
    const struct ovsdb_mutation_set *mutations;
    struct ovsdb_error *error;
    size_t n_matches;
};

static bool
mutate_cb(const struct ovsdb_row *row, void *ma_)
{
    struct mutate_aux *ma = ma_;
    const struct ovsdb_mutation_set *set = ma->mutations;
    struct ovsdb_row *rw = ovsdb_txn_row_modify(ma->txn, row);

    /* The txn's copy shares its columns with the committed row.  "insert"
     * and "delete" unshare what they change themselves, but arithmetic
     * mutators write the atoms in place. */
    for (size_t i = 0; i < set->n_mutations; i++) {
        const struct ovsdb_mutation *m = &set->mutations[i];

        if (m->mutator != OVSDB_M_INSERT && m->mutator != OVSDB_M_DELETE) {
            ovsdb_datum_unshare(&rw->fields[m->column->index],
                                &m->column->type);
        }
    }

    /* The txn's copy absorbs a half-applied mutation: on error the whole
     * txn is aborted. */
    ma->n_matches++;
    ma->error = ovsdb_mutation_set_execute(rw->fields, set);
    return ma->error == NULL;
}

static struct ovsdb_error *
execute_mutate(struct execution *x, struct parser *p, json_t *result)
{
    struct ovsdb_table *table = parse_table(x, p);
    const json_t *where = parser_member(p, "where", P_ARRAY);
    const json_t *mutations_json = parser_member(p, "mutations", P_ARRAY);
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_mutation_set mutations = { NULL, 0 };
    struct ovsdb_error *error = parser_get_error(p);

    if (!error) {
        error = ovsdb_mutation_set_from_json(table->schema, mutations_json,
                                             &x->symtab, &mutations);
    }
    if (!error) {
        error = parse_where(x, table, where, &cond);
    }
    if (!error) {
        struct mutate_aux ma = { x->txn, &mutations, NULL, 0 };
        query(x, table, &cond, mutate_cb, &ma);
        error = ma.error;
        json_object_set_new(result, "count", json_integer(ma.n_matches));
    }
    ovsdb_mutation_set_destroy(&mutations);
    ovsdb_condition_destroy(&cond);
    return error;
}

/* "delete" */

struct delete_aux {
    struct ovsdb_txn *txn;
    size_t n_matches;
};

static bool
delete_cb(const struct ovsdb_row *row, void *da_)
{
    struct delete_aux *da = da_;
    da->n_matches++;
    ovsdb_txn_row_delete(da->txn, row);
    return true;
}

static struct ovsdb_error *
execute_delete(struct execution *x, struct parser *p, json_t *result)
{
    const json_t *where = parser_member(p, "where", P_ARRAY);
    struct ovsdb_table *table = parse_table(x, p);
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error = parser_get_error(p);

    if (!error) {
        error = parse_where(x, table, where, &cond);
    }
    if (!error) {
        struct delete_aux da = { x->txn, 0 };
        query(x, table, &cond, delete_cb, &da);
        json_object_set_new(result, "count", json_integer(da.n_matches));
    }
    ovsdb_condition_destroy(&cond);
    return error;
}

/* "wait" */

struct wait_aux {
    struct row_hash *expected, *actual;
    bool equal;
};

static bool
wait_cb(const struct ovsdb_row *row, void *wa_)
{
    struct wait_aux *wa = wa_;

    if (!row_hash_contains(wa->expected, row)) {
        /* A row nobody expected: the sets differ, no need to go on. */
        wa->equal = false;
        return false;
    }
    row_hash_insert(wa->actual, row);
    return true;
}

/* An unsatisfied "wait" that may still be satisfied later: not an error
 * the client sees, ovsdb_execute() turns it into OVSDB_EXECUTE_RETRY. */
static const char retry_tag[] = "xsw retry";

static struct ovsdb_error *
execute_wait(struct execution *x, struct parser *p, json_t *result OVS_UNUSED)
{
    const json_t *timeout = parser_member(p, "timeout",
                                          P_INTEGER | P_OPTIONAL);
    const json_t *where = parser_member(p, "where", P_ARRAY);
    const json_t *columns_json = parser_member(p, "columns",
                                               P_ARRAY | P_OPTIONAL);
    const json_t *until = parser_member(p, "until", P_STRING);
    const json_t *rows = parser_member(p, "rows", P_ARRAY);
    struct ovsdb_table *table = parse_table(x, p);
    struct ovsdb_condition cond = OVSDB_CONDITION_INITIALIZER;
    struct ovsdb_error *error = parser_get_error(p);
    struct ovsdb_column_set columns;
    struct row_hash expected, actual;
    long long timeout_ms = LLONG_MAX;

    ovsdb_column_set_init(&columns);
    row_hash_init(&expected, &columns);
    row_hash_init(&actual, &columns);
    if (!error) {
        error = parse_where(x, table, where, &cond);
    }
    if (!error) {
        error = parse_column_set(columns_json, table->schema, &columns);
    }
    if (!error && timeout) {
        timeout_ms = json_integer_value(timeout);
        if (timeout_ms < 0) {
            error = ovsdb_syntax_error(timeout, NULL,
                                       "timeout must be nonnegative");
        } else if (timeout_ms < x->timeout_ms) {
            x->timeout_ms = timeout_ms;
        }
    }
    const char *until_s = until ? json_string_value(until) : "";
    if (!error && strcmp(until_s, "==") && strcmp(until_s, "!=")) {
        error = ovsdb_syntax_error(until, NULL,
                                   "\"until\" must be \"==\" or \"!=\"");
    }
    for (size_t i = 0; !error && i < json_array_size(rows); i++) {
        struct ovsdb_row *row = ovsdb_row_create(table, NULL);
        error = parse_row(x, json_array_get(rows, i), row, NULL);
        if (error || !row_hash_insert(&expected, row)) {
            ovsdb_row_destroy(row);
        }
    }
    if (!error) {
        struct wait_aux wa = { &expected, &actual, true };
        query(x, table, &cond, wait_cb, &wa);
        /* Every actual row is expected and both sets are distinct: they
         * are equal if they have the same size. */
        bool equal = (wa.equal && (hmap_count(&actual.rows)
                                   == hmap_count(&expected.rows)));
        if (!strcmp(until_s, "==") != equal) {
            if (timeout && x->elapsed_ms >= timeout_ms) {
                error = (x->elapsed_ms
                         ? ovsdb_error("timed out",
                                       "\"wait\" timed out after %lld ms",
                                       x->elapsed_ms)
                         : ovsdb_error("timed out",
                                       "\"where\" clause test failed"));
            } else if (x->ctx && x->ctx->no_triggers) {
                error = ovsdb_error("not supported", "triggers not supported");
            } else {
                error = ovsdb_error(retry_tag, NULL);
            }
        }
    }
    row_hash_destroy(&expected, true);
    row_hash_destroy(&actual, false);
    ovsdb_column_set_destroy(&columns);
    ovsdb_condition_destroy(&cond);
    return error;
}

/* "commit", "abort", "comment", "assert" */

static struct ovsdb_error *
execute_commit(struct execution *x, struct parser *p,
               json_t *result OVS_UNUSED)
{
    const json_t *durable = parser_member(p, "durable", P_BOOLEAN);
    if (durable && json_is_true(durable)) {
        x->durable = true;
    }
    return NULL;
}

static struct ovsdb_error *
execute_abort(struct execution *x OVS_UNUSED, struct parser *p OVS_UNUSED,
              json_t *result OVS_UNUSED)
{
    return ovsdb_error("aborted", "aborted by request");
}

static struct ovsdb_error *
execute_comment(struct execution *x, struct parser *p,
                json_t *result OVS_UNUSED)
{
    const json_t *comment = parser_member(p, "comment", P_STRING);
    struct ovsdb_txn *txn = x->txn;

    if (comment) {
        const char *s = json_string_value(comment);
        char *joined = (txn->comment
                        ? xasprintf("%s\n%s", txn->comment, s)
                        : xstrdup(s));
        free(txn->comment);
        txn->comment = joined;
    }
    return NULL;
}

static struct ovsdb_error *
execute_assert(struct execution *x, struct parser *p,
               json_t *result OVS_UNUSED)
{
    const json_t *lock = parser_member(p, "lock", P_ID);
    const struct ovsdb_execute_ctx *ctx = x->ctx;

    if (!lock) {
        return NULL;
    }
    const char *name = json_string_value(lock);
    if (ctx && ctx->has_lock && ctx->has_lock(ctx->aux, name)) {
        return NULL;
    }
    return ovsdb_error("not owner", "Asserted lock %s not held.", name);
}

static executor_func *
lookup_executor(const char *name, bool *read_only)
{
    static const struct {
        const char *name;
        bool read_only;
        executor_func *func;
    } ops[] = {
        { "insert", false, execute_insert },
        { "select", true, execute_select },
        { "update", false, execute_update },
        { "mutate", false, execute_mutate },
        { "delete", false, execute_delete },
        { "wait", true, execute_wait },
        { "commit", false, execute_commit },
        { "abort", true, execute_abort },
        { "comment", true, execute_comment },
        { "assert", true, execute_assert },
    };

    for (size_t i = 0; i < ARRAY_SIZE(ops); i++) {
        if (!strcmp(ops[i].name, name)) {
            *read_only = ops[i].read_only;
            return ops[i].func;
        }
    }
    return NULL;
}

bool
ovsdb_ops_may_write(const json_t *ops)
{
    for (size_t i = 0; i < json_array_size(ops); i++) {
        const char *op = json_string_value(
            json_object_get(json_array_get(ops, i), "op"));
        bool read_only;

        if (op && lookup_executor(op, &read_only) && !read_only) {
            return true;
        }
    }
    return false;
}

enum ovsdb_execute_status
ovsdb_execute(struct ovsdb_db *db, const json_t *ops,
              const struct ovsdb_execute_ctx *ctx, long long now_ms,
              long long elapsed_ms, json_t **resultp, struct ovsdb_txn **txnp,
              long long *wait_deadline_ms)
{
    *resultp = NULL;
    *txnp = NULL;
    if (!json_is_array(ops)) {
        *resultp = ovsdb_error_to_json_free(
            ovsdb_syntax_error(ops, NULL, "array expected"));
        return OVSDB_EXECUTE_DONE;
    }

    struct execution x = {
        .db = db,
        .txn = ovsdb_txn_create(db),
        .ctx = ctx,
        .elapsed_ms = elapsed_ms,
        .timeout_ms = LLONG_MAX,
    };
    ovsdb_symbol_table_init(&x.symtab);

    size_t n_ops = json_array_size(ops);
    json_t *results = json_array();
    bool failed = false;

    for (size_t i = 0; i < n_ops; i++) {
        const json_t *op_json = json_array_get(ops, i);
        json_t *result = json_object();
        struct ovsdb_error *error = NULL;
        const char *op_name = NULL;
        bool ro = false;
        struct parser p;

        parser_init(&p, op_json, i + 1, n_ops);
        const json_t *op = parser_member(&p, "op", P_ID);
        if (op) {
            op_name = json_string_value(op);
            executor_func *func = lookup_executor(op_name, &ro);
            if (func) {
                error = func(&x, &p, result);
            } else {
                parser_raise(&p, "No operation \"%s\"", op_name);
            }
        }

        /* A parse error overrides any other error. */
        struct ovsdb_error *parse_error = parser_finish(&p);
        if (parse_error) {
            ovsdb_error_destroy(error);
            error = parse_error;
        }
        if (!error && !ro) {
            if (ctx && ctx->read_only) {
                error = ovsdb_error("not allowed",
                                    "%s operation not allowed when database "
                                    "server is in read only mode", op_name);
            } else if (db->schema->name[0] == '_') {
                /* _Server and the like belong to the server. */
                error = ovsdb_error("not allowed",
                                    "%s operation not allowed on table in "
                                    "reserved database %s",
                                    op_name, db->schema->name);
            }
        }
        if (error) {
            json_decref(result);
            if (!strcmp(ovsdb_error_get_tag(error), retry_tag)) {
                /* Run the whole transaction again later. */
                ovsdb_error_destroy(error);
                json_decref(results);
                ovsdb_txn_abort(x.txn);
                ovsdb_symbol_table_destroy(&x.symtab);
                /* A client may ask for any timeout up to LLONG_MAX, so
                 * saturate: an overflow would wrap to a deadline long
                 * past, and the server would retry in a busy loop. */
                long long first_ms = now_ms - elapsed_ms;
                long long room = LLONG_MAX - MAX(first_ms, 0);

                *wait_deadline_ms = (x.timeout_ms > room ? LLONG_MAX
                                     : first_ms + x.timeout_ms);
                return OVSDB_EXECUTE_RETRY;
            }
            json_array_append_new(results, ovsdb_error_to_json_free(error));
            failed = true;
            break;
        }
        json_array_append_new(results, result);
    }
    while (json_array_size(results) < n_ops) {
        json_array_append_new(results, json_null());
    }
    ovsdb_symbol_table_destroy(&x.symtab);

    struct ovsdb_txn *txn = x.txn;
    if (!failed && !ovsdb_txn_is_empty(txn)) {
        struct ovsdb_error *error = ovsdb_txn_precommit(txn);
        if (error) {
            /* Commit-time failures follow the operations' results. */
            json_array_append_new(results, ovsdb_error_to_json_free(error));
        } else {
            txn->durable = x.durable;
            *txnp = txn;
            txn = NULL;
        }
    }
    if (txn) {
        ovsdb_txn_abort(txn);
    }
    *resultp = results;
    return OVSDB_EXECUTE_DONE;
}
