/* monitor.c: monitors and the txn history behind monitor_cond_since.
 *
 * Composing updates
 * -----------------
 * Every update, whatever triggered it, is composed from "row changes": a
 * row's old and new fields (either may be missing).  A txn gives one per
 * txn_row; the history gives one per row changed since some txn; the
 * initial contents and condition changes give one per row of a table.
 * row_update_type() then decides, from the monitor's "select" flags and
 * condition, whether and how the client hears about the row, and
 * compose_row() writes the row update in the monitor's dialect.
 *
 * Sharing work between monitors
 * -----------------------------
 * Many clients typically monitor the same thing (every ovs-vsctl the same
 * tables, every ovn-controller the same columns with different
 * conditions).  So, per txn:
 *   - monitors with equal 'cond_key' (same dialect, columns, selects and
 *     conditions) get the very same table-updates object;
 *   - monitors with equal 'columns_key' (same but conditions) share each
 *     row's JSON, so a differing condition costs a pass over the changed
 *     rows, not their serialization.
 *
 * History
 * -------
 * Each db has a bounded list of its latest txns, holding the versions of
 * the rows they changed, so that a client that reconnects with
 * monitor_cond_since gets only what it missed.  db.h has no room for it, so
 * the histories live in a small registry keyed by db. */
#include <config.h>
#include "monitor.h"

#include <stdio.h>
#include <string.h>
#include "db.h"
#include "ds.h"
#include "hash.h"
#include "json-out.h"
#include "jsonrpc.h"
#include "ovsdb-condition.h"
#include "ovsdb-error.h"
#include "util.h"

/* Kinds of row update, as "select" bits. */
enum {
    SEL_INITIAL = 1 << 0,
    SEL_INSERT = 1 << 1,
    SEL_DELETE = 1 << 2,
    SEL_MODIFY = 1 << 3,
    SEL_ALL = SEL_INITIAL | SEL_INSERT | SEL_DELETE | SEL_MODIFY
};

struct monitor_column {
    const struct ovsdb_column *column;
    unsigned int select;        /* SEL_*: which updates show the column. */
};

struct monitor_table {
    const struct ovsdb_table *table;
    struct monitor_column *columns;     /* In request order. */
    size_t n_columns, allocated_columns;
    unsigned int select;                /* Union of the requests' selects. */
    /* V2 and V3: the rows to report.  Like ovsdb-server, only the first
     * request for a table that has a "where" sets it. */
    struct ovsdb_condition condition;
    bool has_condition;
};

struct ovsdb_monitor {
    struct ovs_list node;               /* In db->monitors. */
    struct ovsdb_db *db;
    enum ovsdb_monitor_version version;
    json_t *id;                         /* Owned. */
    ovsdb_monitor_send_func *send;
    void *session;
    struct monitor_table *tables;       /* In request order. */
    size_t n_tables;
    /* Monitors with equal keys compose identical rows (columns_key) or
     * identical updates (cond_key).  Owned strings, with their hashes: a
     * key spells out every monitored column, so hashing it once per txn
     * and monitor was a twentieth of a fan-out's time. */
    char *columns_key;
    char *cond_key;
    uint32_t columns_hash;
    uint32_t cond_hash;
};

/* One row's change: see the comment at the top of the file. */
struct row_change {
    const struct ovsdb_table *table;
    const struct uuid *uuid;
    const struct ovsdb_datum *old;      /* Old fields; NULL if inserted. */
    const struct ovsdb_datum *new;      /* New fields; NULL if deleted. */
    /* If nonnull, its 'changed' bitmap says which columns changed; else
     * the fields are compared. */
    const struct ovsdb_txn_row *txn_row;
};

/* Per-txn cache of row JSON (see "Sharing work" above): for each row
 * change, its update as an insert, a delete and a modify. */
enum { PIECE_INSERT, PIECE_DELETE, PIECE_MODIFY, N_PIECES };

static json_t *compose_updates(const struct ovsdb_monitor *,
                               const struct row_change *, size_t n,
                               json_t **pieces);
static json_t *compose_initial(const struct ovsdb_monitor *);
static bool history_changes_since(const struct ovsdb_db *,
                                  const struct uuid *,
                                  struct row_change **, size_t *n);
static void history_record(struct ovsdb_db *, const struct ovsdb_txn *);

/* Conditions. */

/* monitor_cond's "where" is a disjunction (unlike "select"'s): a row
 * matches if any clause does, or if there is no clause at all. */
/* Rows that may match 'cond', found through the table's indexes instead
 * of a scan, when every clause is "==" on _uuid or on the one column of a
 * schema index (xsw-ctl asks for the Port named p1 among 10,000 that way).
 * Returns false if some clause needs a scan.  Otherwise appends the
 * candidates to '*rows' (a growable array; duplicates are possible): the
 * caller still tests each with condition_matches(). */
static bool
condition_candidates(const struct ovsdb_table *table,
                     const struct ovsdb_condition *cond,
                     const struct ovsdb_row ***rows, size_t *n,
                     size_t *allocated)
{
    const struct ovsdb_table_schema *ts = table->schema;

    if (!cond->n_clauses) {
        return false;               /* Everything matches. */
    }
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        size_t k;

        if (clause->function == OVSDB_F_FALSE) {
            continue;
        } else if (clause->function != OVSDB_F_EQ) {
            return false;
        } else if (clause->column->index == OVSDB_COL_UUID) {
            continue;
        }
        for (k = 0; k < ts->n_indexes; k++) {
            if (ts->indexes[k].n == 1
                && ts->indexes[k].columns[0] == clause->column) {
                break;
            }
        }
        if (k == ts->n_indexes) {
            return false;
        }
    }

    struct ovsdb_datum *key = xcalloc(ts->n_columns, sizeof *key);
    for (size_t i = 0; i < cond->n_clauses; i++) {
        const struct ovsdb_clause *clause = &cond->clauses[i];
        unsigned int col = clause->function == OVSDB_F_EQ
                           ? clause->column->index : 0;
        const struct ovsdb_row *row;

        if (clause->function == OVSDB_F_FALSE) {
            continue;
        } else if (col == OVSDB_COL_UUID) {
            row = (clause->arg.n == 1
                   ? ovsdb_table_get_row(table, &clause->arg.keys[0].uuid)
                   : NULL);
            if (row) {
                if (*n >= *allocated) {
                    *rows = x2nrealloc(*rows, allocated, sizeof **rows);
                }
                (*rows)[(*n)++] = row;
            }
            continue;
        }
        for (size_t k = 0; k < ts->n_indexes; k++) {
            const struct ovsdb_column_set *index = &ts->indexes[k];
            const struct ovsdb_index_node *node;

            if (index->n != 1 || index->columns[0] != clause->column) {
                continue;
            }
            key[col] = clause->arg;     /* Shallow: only hashed. */
            HMAP_FOR_EACH_WITH_HASH (node, hmap_node,
                                     ovsdb_index_hash(key, index),
                                     &table->indexes[k]) {
                if (*n >= *allocated) {
                    *rows = x2nrealloc(*rows, allocated, sizeof **rows);
                }
                (*rows)[(*n)++] = node->row;
            }
            key[col] = (struct ovsdb_datum) OVSDB_DATUM_EMPTY_INIT;
            break;
        }
    }
    free(key);
    return true;
}

static bool
condition_matches(const struct ovsdb_condition *cond,
                  const struct ovsdb_datum *fields)
{
    if (!cond->n_clauses) {
        return true;
    }
    for (size_t i = 0; i < cond->n_clauses; i++) {
        struct ovsdb_clause *clause = &cond->clauses[i];
        struct ovsdb_condition one = { clause, 1 };

        if (clause->function == OVSDB_F_TRUE) {
            return true;
        } else if (clause->function != OVSDB_F_FALSE
                   && ovsdb_condition_evaluate(&one, fields)) {
            return true;
        }
    }
    return false;
}

static bool
condition_is_always_true(const struct ovsdb_condition *cond)
{
    for (size_t i = 0; i < cond->n_clauses; i++) {
        if (cond->clauses[i].function == OVSDB_F_TRUE) {
            return true;
        }
    }
    return !cond->n_clauses;
}

/* Parsing monitor requests. */

static struct monitor_table *
monitor_find_table(const struct ovsdb_monitor *m,
                   const struct ovsdb_table *table)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        if (m->tables[i].table == table) {
            return &m->tables[i];
        }
    }
    return NULL;
}

static struct ovsdb_error *
monitor_add_column(struct monitor_table *mt, const struct ovsdb_column *c,
                   unsigned int select, const json_t *columns_json)
{
    for (size_t i = 0; i < mt->n_columns; i++) {
        if (mt->columns[i].column == c) {
            return ovsdb_syntax_error(columns_json, NULL,
                                      "column %s mentioned more than once",
                                      c->name);
        }
    }
    if (mt->n_columns >= mt->allocated_columns) {
        mt->columns = x2nrealloc(mt->columns, &mt->allocated_columns,
                                 sizeof *mt->columns);
    }
    mt->columns[mt->n_columns++] = (struct monitor_column) { c, select };
    return NULL;
}

static struct ovsdb_error *
parse_select(const char *table_name, const json_t *select_json,
             unsigned int *select)
{
    static const struct { const char *name; unsigned int bit; } flags[] = {
        { "initial", SEL_INITIAL }, { "insert", SEL_INSERT },
        { "delete", SEL_DELETE }, { "modify", SEL_MODIFY },
    };
    const char *key;
    json_t *value;

    json_object_foreach ((json_t *) select_json, key, value) {
        size_t i;

        for (i = 0; i < ARRAY_SIZE(flags); i++) {
            if (!strcmp(key, flags[i].name)) {
                break;
            }
        }
        if (i >= ARRAY_SIZE(flags)) {
            return ovsdb_syntax_error(select_json, NULL,
                                      "Parsing table %s select failed: "
                                      "Member '%s' is present but not "
                                      "allowed here.", table_name, key);
        }
        if (!json_is_boolean(value)) {
            return ovsdb_syntax_error(select_json, NULL,
                                      "Parsing table %s select failed: "
                                      "Type mismatch for member '%s'.",
                                      table_name, key);
        }
        if (json_is_true(value)) {
            *select |= flags[i].bit;
        } else {
            *select &= ~flags[i].bit;
        }
    }
    return NULL;
}

/* Parses one <monitor-request> for 'mt'. */
static struct ovsdb_error *
parse_request(const struct ovsdb_monitor *m, struct monitor_table *mt,
              const json_t *request)
{
    const struct ovsdb_table_schema *ts = mt->table->schema;
    const json_t *columns, *select_json, *where;
    unsigned int select = SEL_ALL;
    struct ovsdb_error *error;
    const char *key;
    json_t *value;

    if (!json_is_object(request)) {
        return ovsdb_syntax_error(NULL, NULL,
                                  "Parsing table %s failed: Object expected.",
                                  ts->name);
    }
    json_object_foreach ((json_t *) request, key, value) {
        bool is_array = !strcmp(key, "columns") || !strcmp(key, "where");

        if (!is_array && strcmp(key, "select")) {
            goto not_allowed;
        } else if (!strcmp(key, "where") && m->version == OVSDB_MONITOR_V1) {
            goto not_allowed;
        } else if (is_array ? !json_is_array(value)
                   : !json_is_object(value)) {
            return ovsdb_syntax_error(request, NULL,
                                      "Parsing table %s failed: Type "
                                      "mismatch for member '%s'.",
                                      ts->name, key);
        }
        continue;

    not_allowed:
        return ovsdb_syntax_error(request, NULL,
                                  "Parsing table %s failed: Member '%s' is "
                                  "present but not allowed here.",
                                  ts->name, key);
    }

    select_json = json_object_get(request, "select");
    if (select_json) {
        error = parse_select(ts->name, select_json, &select);
        if (error) {
            return error;
        }
    }
    /* Even with "columns": [], the client hears that rows exist. */
    mt->select |= select;

    columns = json_object_get(request, "columns");
    if (columns) {
        size_t i;

        json_array_foreach ((json_t *) columns, i, value) {
            if (!json_is_string(value)) {
                return ovsdb_syntax_error(columns, NULL,
                                          "array of column names expected");
            }
        }
        json_array_foreach ((json_t *) columns, i, value) {
            const struct ovsdb_column *c;

            c = ovsdb_table_schema_get_column(ts, json_string_value(value));
            if (!c) {
                return ovsdb_syntax_error(columns, NULL,
                                          "%s is not a valid column name",
                                          json_string_value(value));
            }
            error = monitor_add_column(mt, c, select, columns);
            if (error) {
                return error;
            }
        }
    } else {
        /* Every column but _uuid (which the row update's key already
         * gives), _version included, as in ovsdb-server. */
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            if (i != OVSDB_COL_UUID) {
                error = monitor_add_column(mt, ts->columns[i], select, NULL);
                if (error) {
                    return error;
                }
            }
        }
    }

    where = json_object_get(request, "where");
    if (where) {
        struct ovsdb_condition cond;

        error = ovsdb_condition_from_json(ts, where, NULL, true, &cond);
        if (error) {
            return error;
        }
        if (mt->has_condition) {
            ovsdb_condition_destroy(&cond);
        } else {
            mt->condition = cond;
            mt->has_condition = true;
        }
    }
    return NULL;
}

static struct ovsdb_error *
parse_requests(struct ovsdb_monitor *m, const json_t *requests)
{
    const char *name;
    json_t *value;

    if (!json_is_object(requests)) {
        return ovsdb_syntax_error(requests, NULL,
                                  "monitor-requests must be object");
    }

    m->tables = xcalloc(MAX(json_object_size(requests), 1),
                        sizeof *m->tables);
    json_object_foreach ((json_t *) requests, name, value) {
        const struct ovsdb_table *table = ovsdb_db_get_table(m->db, name);
        struct monitor_table *mt;
        struct ovsdb_error *error;

        if (!table) {
            return ovsdb_syntax_error(NULL, NULL, "no table named %s", name);
        }
        mt = &m->tables[m->n_tables++];
        mt->table = table;
        ovsdb_condition_init(&mt->condition);

        if (json_is_array(value)) {
            size_t i;
            json_t *request;

            json_array_foreach (value, i, request) {
                error = parse_request(m, mt, request);
                if (error) {
                    return error;
                }
            }
        } else {
            error = parse_request(m, mt, value);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

/* Computes 'm''s sharing keys from its tables (again, after a condition
 * change). */
static void
monitor_update_keys(struct ovsdb_monitor *m)
{
    struct ds kb = DS_EMPTY_INITIALIZER;

    free(m->columns_key);
    free(m->cond_key);

    ds_put_format(&kb, "%d", m->version == OVSDB_MONITOR_V1 ? 1 : 2);
    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];

        ds_put_format(&kb, "|%s/%u:", mt->table->schema->name, mt->select);
        for (size_t j = 0; j < mt->n_columns; j++) {
            ds_put_format(&kb, "%u/%u,", mt->columns[j].column->index,
                          mt->columns[j].select);
        }
    }
    m->columns_key = xstrdup(ds_cstr(&kb));
    m->columns_hash = hash_string(m->columns_key, 0);

    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        char *s = NULL;

        if (!condition_is_always_true(&mt->condition)) {
            json_t *json = ovsdb_condition_to_json(&mt->condition);
            s = json_dumps(json, JSON_COMPACT);
            json_decref(json);
        }
        ds_put_format(&kb, "|%s", s ? s : "true");
        free(s);
    }
    m->cond_key = ds_steal_cstr(&kb);
    m->cond_hash = hash_string(m->cond_key, 0);
}

static void
monitor_free(struct ovsdb_monitor *m)
{
    for (size_t i = 0; i < m->n_tables; i++) {
        free(m->tables[i].columns);
        ovsdb_condition_destroy(&m->tables[i].condition);
    }
    free(m->tables);
    json_decref(m->id);
    free(m->columns_key);
    free(m->cond_key);
    free(m);
}

/* Notifications. */

static json_t *
uuid_to_json_string(const struct uuid *uuid)
{
    char s[UUID_LEN + 1];

    uuid_to_string(uuid, s);
    return json_string(s);
}

/* Wraps 'updates' (consumed) in the notification 'm''s client expects.
 * 'txn_id' is the txn that the updates bring the client to (V3 only). */
static json_t *
make_notification(const struct ovsdb_monitor *m, json_t *updates,
                  const struct uuid *txn_id)
{
    const char *method;
    json_t *params;

    params = json_array();
    json_array_append(params, m->id);
    switch (m->version) {
    case OVSDB_MONITOR_V1:
        method = "update";
        break;
    case OVSDB_MONITOR_V2:
        method = "update2";
        break;
    case OVSDB_MONITOR_V3:
    default:
        method = "update3";
        json_array_append_new(params, uuid_to_json_string(txn_id));
        break;
    }
    json_array_append_new(params, updates);
    return json_pack("{s:s, s:o, s:n}", "method", method, "params", params,
                     "id");
}

/* The net changes from 'then' to 'db' (two databases of one schema), for
 * ovsdb_monitor_create_since(): every row of either, in '*changesp' (the
 * caller frees the array; it points into both databases), and the
 * monitors' row_update_type() leaves out those whose columns are equal.
 * False if the two do not have the same tables and columns. */
static bool
db_changes_since(const struct ovsdb_db *then, const struct ovsdb_db *db,
                 struct row_change **changesp, size_t *np)
{
    struct shash_node *node;
    size_t n = 0, allocated = 0;
    struct row_change *changes = NULL;

    SHASH_FOR_EACH (node, &db->tables) {
        const struct ovsdb_table *t = node->data;
        const struct ovsdb_table *old_t = ovsdb_db_get_table(then,
                                                             node->name);
        const struct ovsdb_row *row;

        if (!old_t || old_t->schema->n_columns != t->schema->n_columns) {
            free(changes);
            return false;
        }
        HMAP_FOR_EACH (row, hmap_node, &t->rows) {
            const struct ovsdb_row *old = ovsdb_table_get_row(
                old_t, ovsdb_row_get_uuid(row));
            if (n >= allocated) {
                changes = x2nrealloc(changes, &allocated, sizeof *changes);
            }
            changes[n++] = (struct row_change) {
                t, ovsdb_row_get_uuid(row), old ? old->fields : NULL,
                row->fields, NULL,
            };
        }
        HMAP_FOR_EACH (row, hmap_node, &old_t->rows) {
            if (!ovsdb_table_get_row(t, ovsdb_row_get_uuid(row))) {
                if (n >= allocated) {
                    changes = x2nrealloc(changes, &allocated,
                                         sizeof *changes);
                }
                changes[n++] = (struct row_change) {
                    t, ovsdb_row_get_uuid(row), row->fields, NULL, NULL,
                };
            }
        }
    }
    *changesp = changes;
    *np = n;
    return true;
}

/* Public API. */

struct ovsdb_error *
ovsdb_monitor_create(struct ovsdb_db *db, enum ovsdb_monitor_version version,
                     const json_t *monitor_id, const json_t *monitor_requests,
                     const json_t *last_txn_id,
                     ovsdb_monitor_send_func *send, void *session,
                     struct ovsdb_monitor **monitorp, json_t **resultp)
{
    return ovsdb_monitor_create_since(db, version, monitor_id,
                                      monitor_requests, last_txn_id, NULL,
                                      send, session, monitorp, resultp);
}

struct ovsdb_error *
ovsdb_monitor_create_since(struct ovsdb_db *db,
                           enum ovsdb_monitor_version version,
                           const json_t *monitor_id,
                           const json_t *monitor_requests,
                           const json_t *last_txn_id,
                           const struct ovsdb_db *then,
                           ovsdb_monitor_send_func *send, void *session,
                           struct ovsdb_monitor **monitorp, json_t **resultp)
{
    struct uuid last_id;
    struct ovsdb_error *error;
    struct ovsdb_monitor *m;

    *monitorp = NULL;
    *resultp = NULL;

    uuid_zero(&last_id);
    if (version == OVSDB_MONITOR_V3 && last_txn_id
        && (!json_is_string(last_txn_id)
            || !uuid_from_string(&last_id,
                                 json_string_value(last_txn_id)))) {
        return ovsdb_syntax_error(last_txn_id, NULL,
                                  "last-txn-id must be UUID format.");
    }

    m = xzalloc(sizeof *m);
    m->db = db;
    m->version = version;
    m->id = json_deep_copy(monitor_id);
    m->send = send;
    m->session = session;
    error = parse_requests(m, monitor_requests);
    if (error) {
        monitor_free(m);
        return error;
    }
    monitor_update_keys(m);

    if (version == OVSDB_MONITOR_V3) {
        struct row_change *changes;
        json_t *updates;
        size_t n;
        bool found;

        found = history_changes_since(db, &last_id, &changes, &n);
        if (!found && then) {
            found = db_changes_since(then, db, &changes, &n);
        }
        if (found) {
            updates = compose_updates(m, changes, n, NULL);
            free(changes);
            if (!updates) {
                updates = json_object();
            }
        } else {
            updates = compose_initial(m);
        }
        *resultp = json_pack("[b, o, o]", found,
                             uuid_to_json_string(&db->last_txn_id), updates);
    } else {
        *resultp = compose_initial(m);
    }

    ovs_list_push_back(&db->monitors, &m->node);
    *monitorp = m;
    return NULL;
}

void
ovsdb_monitor_destroy(struct ovsdb_monitor *m)
{
    if (m) {
        ovs_list_remove(&m->node);
        monitor_free(m);
    }
}

const json_t *
ovsdb_monitor_get_id(const struct ovsdb_monitor *m)
{
    return m->id;
}

/* Composing row updates. */

static bool
change_column_changed(const struct row_change *c,
                      const struct ovsdb_column *column)
{
    return (c->txn_row
            ? ovsdb_txn_row_column_changed(c->txn_row, column->index)
            : !ovsdb_datum_equals(&c->old[column->index],
                                  &c->new[column->index], &column->type));
}

/* Returns the kind of update (SEL_*) that 'c' means for the client of 'm'
 * through 'mt', or 0 if the client should not hear about it. */
static unsigned int
row_update_type(const struct ovsdb_monitor *m, const struct monitor_table *mt,
                const struct row_change *c, bool initial)
{
    unsigned int type = (initial ? SEL_INITIAL
                         : !c->old ? SEL_INSERT
                         : !c->new ? SEL_DELETE
                         : SEL_MODIFY);

    if (m->version != OVSDB_MONITOR_V1 && mt->condition.n_clauses) {
        bool old_match = c->old && condition_matches(&mt->condition, c->old);
        bool new_match = c->new && condition_matches(&mt->condition, c->new);

        if (type == SEL_MODIFY) {
            type = (!old_match && !new_match ? 0
                    : !old_match ? SEL_INSERT
                    : !new_match ? SEL_DELETE
                    : SEL_MODIFY);
        } else if (!(type == SEL_DELETE ? old_match : new_match)) {
            type = 0;
        }
    }

    if (!(mt->select & type)) {
        return 0;
    }
    if (type == SEL_MODIFY) {
        /* A change to columns the client does not see (or a change undone
         * later in the txn) is no change at all to it. */
        for (size_t i = 0; i < mt->n_columns; i++) {
            if (change_column_changed(c, mt->columns[i].column)) {
                return type;
            }
        }
        return 0;
    }
    return type;
}

/* RFC 7047 <row-update>: "old" has all monitored columns for a delete and
 * the changed ones for a modify, "new" all monitored columns. */
static json_t *
compose_row_v1(const struct monitor_table *mt, const struct row_change *c,
               unsigned int type)
{
    json_t *row = json_object();
    json_t *old = NULL, *new = NULL;

    if (type & (SEL_DELETE | SEL_MODIFY)) {
        old = json_object();
        json_object_set_new(row, "old", old);
    }
    if (type & (SEL_INITIAL | SEL_INSERT | SEL_MODIFY)) {
        new = json_object();
        json_object_set_new(row, "new", new);
    }
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct ovsdb_column *column = mt->columns[i].column;

        if (!(type & mt->columns[i].select)) {
            continue;
        }
        if (type == SEL_DELETE
            || (type == SEL_MODIFY && change_column_changed(c, column))) {
            json_object_set_new(old, column->name,
                                ovsdb_datum_to_json(&c->old[column->index],
                                                    &column->type));
        }
        if (new) {
            json_object_set_new(new, column->name,
                                ovsdb_datum_to_json(&c->new[column->index],
                                                    &column->type));
        }
    }
    return row;
}

/* ovsdb-server(7) <row-update2>: "initial" and "insert" omit columns at
 * their default value, "modify" gives each changed column's diff. */
static json_t *
compose_row_v2(const struct monitor_table *mt, const struct row_change *c,
               unsigned int type)
{
    json_t *fields;
    const char *op;

    if (type == SEL_DELETE) {
        return json_pack("{s:n}", "delete");
    }

    fields = json_object();
    for (size_t i = 0; i < mt->n_columns; i++) {
        const struct ovsdb_column *column = mt->columns[i].column;
        const struct ovsdb_datum *new = &c->new[column->index];

        if (!(type & mt->columns[i].select)) {
            continue;
        }
        if (type == SEL_MODIFY) {
            struct ovsdb_datum diff;

            if (!change_column_changed(c, column)) {
                continue;
            }
            ovsdb_datum_diff(&diff, &c->old[column->index], new,
                             &column->type);
            json_object_set_new(fields, column->name,
                                ovsdb_datum_to_json(&diff, &column->type));
            ovsdb_datum_destroy(&diff, &column->type);
        } else if (!ovsdb_datum_is_default(new, &column->type)) {
            json_object_set_new(fields, column->name,
                                ovsdb_datum_to_json(new, &column->type));
        }
    }

    op = (type == SEL_INITIAL ? "initial"
          : type == SEL_MODIFY ? "modify"
          : "insert");
    return json_pack("{s:o}", op, fields);
}

static json_t *
compose_row(const struct ovsdb_monitor *m, const struct monitor_table *mt,
            const struct row_change *c, unsigned int type)
{
    return (m->version == OVSDB_MONITOR_V1
            ? compose_row_v1(mt, c, type)
            : compose_row_v2(mt, c, type));
}

/* Adds 'row_json' (consumed) for row 'uuid' of 'mt' to '*updates', creating
 * '*updates' and '*table_json' as needed. */
static void
add_row_update(json_t **updates, json_t **table_json,
               const struct monitor_table *mt, const struct uuid *uuid,
               json_t *row_json)
{
    char s[UUID_LEN + 1];

    if (!*updates) {
        *updates = json_object();
    }
    if (!*table_json) {
        *table_json = json_object();
        json_object_set_new(*updates, mt->table->schema->name, *table_json);
    }
    uuid_to_string(uuid, s);
    json_object_set_new(*table_json, s, row_json);
}

static int
piece_index(unsigned int type)
{
    return (type == SEL_DELETE ? PIECE_DELETE
            : type == SEL_MODIFY ? PIECE_MODIFY
            : PIECE_INSERT);
}

/* Returns the table updates 'changes' mean to the client of 'm', or NULL if
 * none.  'pieces', if nonnull, caches row JSON among monitors with the same
 * columns_key: N_PIECES slots per change, NULL until filled in. */
static json_t *
compose_updates(const struct ovsdb_monitor *m,
                const struct row_change *changes, size_t n, json_t **pieces)
{
    json_t *updates = NULL;

    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        json_t *table_json = NULL;

        for (size_t j = 0; j < n; j++) {
            const struct row_change *c = &changes[j];
            json_t **slot, *row_json;
            unsigned int type;

            if (c->table != mt->table) {
                continue;
            }
            type = row_update_type(m, mt, c, false);
            if (!type) {
                continue;
            }

            slot = pieces ? &pieces[j * N_PIECES + piece_index(type)] : NULL;
            if (slot && *slot) {
                row_json = json_incref(*slot);
            } else {
                row_json = compose_row(m, mt, c, type);
                if (slot) {
                    *slot = json_incref(row_json);
                }
            }
            add_row_update(&updates, &table_json, mt, c->uuid, row_json);
        }
    }
    return updates;
}

static void
add_initial_row(const struct ovsdb_monitor *m, const struct monitor_table *mt,
                const struct ovsdb_row *row, json_t **updates,
                json_t **table_json)
{
    struct row_change c = {
        mt->table, ovsdb_row_get_uuid(row), NULL, row->fields, NULL
    };
    unsigned int type = row_update_type(m, mt, &c, true);

    if (type) {
        add_row_update(updates, table_json, mt, c.uuid,
                       compose_row(m, mt, &c, type));
    }
}

static int
compare_row_pointers(const void *a_, const void *b_)
{
    const struct ovsdb_row *const *a = a_, *const *b = b_;
    return *a < *b ? -1 : *a > *b;
}

/* Sorts 'rows' and drops repeats (a row found by two clauses). */
static void
sort_unique_rows(const struct ovsdb_row **rows, size_t *n)
{
    size_t out = 0;

    if (*n < 2) {
        return;                 /* Also: qsort() must not get NULL. */
    }
    qsort(rows, *n, sizeof *rows, compare_row_pointers);
    for (size_t i = 0; i < *n; i++) {
        if (!out || rows[out - 1] != rows[i]) {
            rows[out++] = rows[i];
        }
    }
    *n = out;
}

/* For monitor_cond_change: reports 'row' as inserted or deleted if it
 * starts or stops matching when 'mt''s condition becomes 'new_cond'. */
static void
add_cond_change_row(const struct ovsdb_monitor *m,
                    const struct monitor_table *mt,
                    const struct ovsdb_row *row,
                    const struct ovsdb_condition *new_cond,
                    json_t **updates, json_t **table_json)
{
    bool old_match = condition_matches(&mt->condition, row->fields);
    bool new_match = condition_matches(new_cond, row->fields);
    unsigned int type = (old_match && !new_match ? SEL_DELETE
                         : !old_match && new_match ? SEL_INSERT
                         : 0);

    if (mt->select & type) {
        struct row_change c = {
            mt->table, ovsdb_row_get_uuid(row), row->fields, row->fields,
            NULL
        };
        add_row_update(updates, table_json, mt, c.uuid,
                       compose_row(m, mt, &c, type));
    }
}

/* The initial contents, {} if none. */
static json_t *
compose_initial(const struct ovsdb_monitor *m)
{
    json_t *updates = NULL;

    for (size_t i = 0; i < m->n_tables; i++) {
        const struct monitor_table *mt = &m->tables[i];
        json_t *table_json = NULL;
        const struct ovsdb_row *row;

        if (!(mt->select & SEL_INITIAL)) {
            continue;
        }

        const struct ovsdb_row **rows = NULL;
        size_t n_rows = 0, allocated = 0;
        bool indexed = condition_candidates(mt->table, &mt->condition,
                                            &rows, &n_rows, &allocated);
        if (indexed) {
            sort_unique_rows(rows, &n_rows);
            for (size_t r = 0; r < n_rows; r++) {
                add_initial_row(m, mt, rows[r], &updates, &table_json);
            }
        } else {
            HMAP_FOR_EACH (row, hmap_node, &mt->table->rows) {
                add_initial_row(m, mt, row, &updates, &table_json);
            }
        }
        free(rows);
    }
    return updates ? updates : json_object();
}

/* Transactions. */

/* What the monitors with one columns_key, or one cond_key, share during
 * one txn. */
struct share {
    struct hmap_node node;      /* By the key's hash. */
    const char *key;            /* The first monitor's key (not owned). */
    json_t **pieces;            /* For a columns_key. */
    json_t *updates;            /* For a cond_key; NULL if none. */
};

static struct share *
share_get(struct hmap *shares, const char *key, uint32_t hash,
          size_t n_pieces, bool *new)
{
    struct share *share;

    HMAP_FOR_EACH_WITH_HASH (share, node, hash, shares) {
        if (share->key == key || !strcmp(share->key, key)) {
            *new = false;
            return share;
        }
    }
    *new = true;
    share = xzalloc(sizeof *share);
    share->key = key;
    share->pieces = n_pieces ? xcalloc(n_pieces, sizeof *share->pieces)
                             : NULL;
    hmap_insert(shares, &share->node, hash);
    return share;
}

static void
shares_destroy(struct hmap *shares, size_t n_pieces)
{
    struct share *share;

    HMAP_FOR_EACH_POP (share, node, shares) {
        if (share->pieces) {
            for (size_t i = 0; i < n_pieces; i++) {
                json_decref(share->pieces[i]);
            }
            free(share->pieces);
        }
        json_decref(share->updates);
        free(share);
    }
    hmap_destroy(shares);
}

void
ovsdb_monitors_txn_committed(struct ovsdb_db *db, const struct ovsdb_txn *txn)
{
    struct hmap by_columns, by_cond;
    struct row_change *changes;
    const struct ovsdb_txn_row *r;
    struct ovsdb_monitor *m;
    size_t n, n_pieces;

    history_record(db, txn);
    if (ovs_list_is_empty(&db->monitors)) {
        return;
    }

    n = 0;
    LIST_FOR_EACH (r, node, &txn->rows) {
        n++;
    }
    changes = xmalloc(MAX(n, 1) * sizeof *changes);
    n = 0;
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (r->has_changes && (r->old || r->new)) {
            const struct ovsdb_row *row = r->new ? r->new : r->old;

            changes[n++] = (struct row_change) {
                r->table, ovsdb_row_get_uuid(row),
                r->old ? r->old->fields : NULL,
                r->new ? r->new->fields : NULL,
                r->old && r->new ? r : NULL,
            };
        }
    }
    n_pieces = n * N_PIECES;

    hmap_init(&by_columns);
    hmap_init(&by_cond);
    LIST_FOR_EACH (m, node, &db->monitors) {
        bool new_cond, new_columns;
        struct share *cond_share, *columns_share;

        cond_share = share_get(&by_cond, m->cond_key, m->cond_hash, 0,
                               &new_cond);
        if (new_cond) {
            columns_share = share_get(&by_columns, m->columns_key,
                                      m->columns_hash, n_pieces,
                                      &new_columns);
            cond_share->updates = compose_updates(m, changes, n,
                                                  columns_share->pieces);
        } else if (cond_share->updates) {
            /* A second monitor: serialize the updates once for all. */
            json_out_memo_add(cond_share->updates);
        }
        if (cond_share->updates) {
            m->send(m->session,
                    make_notification(m, json_incref(cond_share->updates),
                                      &txn->txn_id));
        }
    }
    shares_destroy(&by_cond, 0);
    shares_destroy(&by_columns, n_pieces);
    free(changes);
}

/* monitor_cond_change. */

static struct ovsdb_error *
parse_cond_change(const struct ovsdb_monitor *m, const json_t *requests,
                  struct ovsdb_condition *new_conds, bool *changed)
{
    const char *name;
    json_t *value;

    if (!json_is_object(requests)) {
        return ovsdb_syntax_error(requests, NULL,
                                  "monitor-cond-change-requests must be "
                                  "object");
    }
    json_object_foreach ((json_t *) requests, name, value) {
        const struct ovsdb_table *table = ovsdb_db_get_table(m->db, name);
        const struct monitor_table *mt;
        json_t *request;
        size_t i, idx;

        if (!table) {
            return ovsdb_syntax_error(NULL, NULL, "no table named %s", name);
        }
        mt = monitor_find_table(m, table);
        if (!mt) {
            return ovsdb_syntax_error(NULL, NULL,
                                      "no table named %s in monitor session",
                                      name);
        }
        if (!json_is_array(value)) {
            return ovsdb_syntax_error(NULL, NULL,
                                      "table %s no monitor-cond-change JSON "
                                      "array", name);
        }
        idx = mt - m->tables;

        json_array_foreach (value, i, request) {
            struct ovsdb_condition cond;
            struct ovsdb_error *error;
            const json_t *where;
            const char *key;
            json_t *member;

            if (!json_is_object(request)) {
                return ovsdb_syntax_error(NULL, NULL, "Parsing table %s "
                                          "failed: Object expected.", name);
            }
            json_object_foreach (request, key, member) {
                if (!strcmp(key, "columns")) {
                    return ovsdb_syntax_error(request, NULL, "changing "
                                              "columns is unsupported");
                } else if (strcmp(key, "where")) {
                    return ovsdb_syntax_error(request, NULL, "Parsing table "
                                              "%s failed: Member '%s' is "
                                              "present but not allowed "
                                              "here.", name, key);
                } else if (!json_is_array(member)) {
                    return ovsdb_syntax_error(request, NULL, "Parsing table "
                                              "%s failed: Type mismatch for "
                                              "member 'where'.", name);
                }
            }

            /* ovsdb-server crashes on a request without "where"; taking
             * it as "true", as monitor_cond does, is the kindest reading. */
            where = json_object_get(request, "where");
            if (where) {
                error = ovsdb_condition_from_json(table->schema, where, NULL,
                                                  true, &cond);
                if (error) {
                    return error;
                }
            } else {
                ovsdb_condition_init(&cond);
            }
            if (changed[idx]) {
                ovsdb_condition_destroy(&cond);
            } else {
                new_conds[idx] = cond;
                changed[idx] = true;
            }
        }
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_monitor_cond_change(struct ovsdb_monitor *m,
                          const json_t *new_monitor_id,
                          const json_t *requests)
{
    struct ovsdb_condition *new_conds;
    struct ovsdb_error *error;
    json_t *updates = NULL;
    bool *changed;

    new_conds = xcalloc(MAX(m->n_tables, 1), sizeof *new_conds);
    changed = xcalloc(MAX(m->n_tables, 1), sizeof *changed);
    error = parse_cond_change(m, requests, new_conds, changed);
    if (error || m->version == OVSDB_MONITOR_V1) {
        for (size_t i = 0; i < m->n_tables; i++) {
            if (changed[i]) {
                ovsdb_condition_destroy(&new_conds[i]);
            }
        }
        goto out;
    }

    for (size_t i = 0; i < m->n_tables; i++) {
        struct monitor_table *mt = &m->tables[i];
        json_t *table_json = NULL;
        const struct ovsdb_row *row;

        if (!changed[i]) {
            continue;
        }
        if (ovsdb_condition_equals(&mt->condition, &new_conds[i])) {
            ovsdb_condition_destroy(&new_conds[i]);
            continue;
        }

        /* Only rows either condition can match may change sides: with
         * both answered by indexes, look at those rows alone. */
        const struct ovsdb_row **rows = NULL;
        size_t n_rows = 0, allocated = 0;
        bool indexed = (condition_candidates(mt->table, &mt->condition,
                                             &rows, &n_rows, &allocated)
                        && condition_candidates(mt->table, &new_conds[i],
                                                &rows, &n_rows,
                                                &allocated));
        if (indexed) {
            sort_unique_rows(rows, &n_rows);
            for (size_t r = 0; r < n_rows; r++) {
                add_cond_change_row(m, mt, rows[r], &new_conds[i], &updates,
                                    &table_json);
            }
        } else {
            HMAP_FOR_EACH (row, hmap_node, &mt->table->rows) {
                add_cond_change_row(m, mt, row, &new_conds[i], &updates,
                                    &table_json);
            }
        }
        free(rows);
        ovsdb_condition_destroy(&mt->condition);
        mt->condition = new_conds[i];
        mt->has_condition = true;
    }
    monitor_update_keys(m);

out:
    free(new_conds);
    free(changed);
    if (!error) {
        json_decref(m->id);
        m->id = json_deep_copy(new_monitor_id);
        if (updates) {
            m->send(m->session,
                    make_notification(m, updates, &m->db->last_txn_id));
        }
    }
    return error;
}

/* History. */

struct history_row {
    const struct ovsdb_table *table;
    /* The txn's row versions, held with ovsdb_row_ref() (no copy: committed
     * versions never change); either may be NULL. */
    struct ovsdb_row *old, *new;
};

struct history_txn {
    struct ovs_list node;               /* In monitor_history.txns. */
    struct uuid txn_id;
    struct history_row *rows;
    size_t n_rows;
};

struct monitor_history {
    struct hmap_node node;              /* In 'histories'. */
    const struct ovsdb_db *db;
    struct ovs_list txns;               /* Oldest first. */
    size_t n_txns, n_rows;
    size_t max_txns, max_rows;
};

/* Every db's history, by hash_pointer(db). */
static struct hmap histories = HMAP_INITIALIZER(&histories);

static struct monitor_history *
history_find(const struct ovsdb_db *db)
{
    struct monitor_history *h;

    HMAP_FOR_EACH_WITH_HASH (h, node, hash_pointer(db, 0), &histories) {
        if (h->db == db) {
            return h;
        }
    }
    return NULL;
}

static struct monitor_history *
history_get(const struct ovsdb_db *db)
{
    struct monitor_history *h = history_find(db);

    if (!h) {
        h = xzalloc(sizeof *h);
        h->db = db;
        ovs_list_init(&h->txns);
        h->max_txns = OVSDB_MONITOR_HISTORY_TXNS;
        h->max_rows = OVSDB_MONITOR_HISTORY_ROWS;
        hmap_insert(&histories, &h->node, hash_pointer(db, 0));
    }
    return h;
}

static void
history_txn_destroy(struct history_txn *ht)
{
    for (size_t i = 0; i < ht->n_rows; i++) {
        if (ht->rows[i].old) {
            ovsdb_row_destroy(ht->rows[i].old);
        }
        if (ht->rows[i].new) {
            ovsdb_row_destroy(ht->rows[i].new);
        }
    }
    free(ht->rows);
    free(ht);
}

/* Forgets the oldest txns until 'h' is within its limits, keeping the newest
 * txn whatever its size (unless the history is disabled), so that a client
 * that is up to date never needs the full contents again. */
static void
history_trim(struct monitor_history *h)
{
    while (h->n_txns > h->max_txns
           || (h->n_txns > 1 && h->n_rows > h->max_rows)) {
        struct history_txn *ht;

        ht = CONTAINER_OF(ovs_list_pop_front(&h->txns), struct history_txn,
                          node);
        h->n_txns--;
        h->n_rows -= ht->n_rows;
        history_txn_destroy(ht);
    }
}

static void
history_record(struct ovsdb_db *db, const struct ovsdb_txn *txn)
{
    struct monitor_history *h = history_get(db);
    const struct ovsdb_txn_row *r;
    struct history_txn *ht;
    size_t n;

    if (!h->max_txns) {
        return;
    }

    n = 0;
    LIST_FOR_EACH (r, node, &txn->rows) {
        n++;
    }
    ht = xzalloc(sizeof *ht);
    ht->txn_id = txn->txn_id;
    ht->rows = xmalloc(MAX(n, 1) * sizeof *ht->rows);
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (r->has_changes && (r->old || r->new)) {
            ht->rows[ht->n_rows++] = (struct history_row) {
                r->table,
                r->old ? ovsdb_row_ref(r->old) : NULL,
                r->new ? ovsdb_row_ref(r->new) : NULL,
            };
        }
    }
    ovs_list_push_back(&h->txns, &ht->node);
    h->n_txns++;
    h->n_rows += ht->n_rows;
    history_trim(h);
}

void
ovsdb_monitors_txns_taken_back(struct ovsdb_db *db)
{
    struct monitor_history *h = history_find(db);

    while (h && !ovs_list_is_empty(&h->txns)) {
        struct history_txn *ht = CONTAINER_OF(h->txns.prev,
                                              struct history_txn, node);
        if (uuid_equals(&ht->txn_id, &db->last_txn_id)) {
            break;
        }
        ovs_list_remove(&ht->node);
        h->n_txns--;
        h->n_rows -= ht->n_rows;
        history_txn_destroy(ht);
    }
}

/* A row's net change over several txns, while merging them. */
struct merged_row {
    struct hmap_node node;              /* By uuid_hash(). */
    struct row_change change;
};

/* If the txn 'txn_id' is in 'db''s history, returns true and the net
 * changes since it in '*changesp' (the caller frees the array, not what it
 * points into, which the history owns) and '*np'.  Otherwise returns
 * false. */
static bool
history_changes_since(const struct ovsdb_db *db, const struct uuid *txn_id,
                      struct row_change **changesp, size_t *np)
{
    struct monitor_history *h = history_find(db);
    struct history_txn *start = NULL, *ht;
    struct merged_row *rows, *mr;
    struct hmap by_uuid;
    size_t n_rows, n;

    *changesp = NULL;
    *np = 0;
    if (!h || uuid_is_zero(txn_id)) {
        return false;
    }
    LIST_FOR_EACH (ht, node, &h->txns) {
        if (uuid_equals(&ht->txn_id, txn_id)) {
            start = ht;
        }
    }
    if (!start) {
        return false;
    }

    /* Net change of each row: its oldest old and newest new version. */
    n_rows = 0;
    for (ht = start; ht->node.next != &h->txns; ) {
        ht = CONTAINER_OF(ht->node.next, struct history_txn, node);
        n_rows += ht->n_rows;
    }
    rows = xmalloc(MAX(n_rows, 1) * sizeof *rows);
    hmap_init(&by_uuid);
    n = 0;
    for (ht = start; ht->node.next != &h->txns; ) {
        ht = CONTAINER_OF(ht->node.next, struct history_txn, node);
        for (size_t i = 0; i < ht->n_rows; i++) {
            const struct history_row *hr = &ht->rows[i];
            const struct ovsdb_row *any = hr->new ? hr->new : hr->old;
            const struct uuid *uuid = ovsdb_row_get_uuid(any);
            uint32_t hash = uuid_hash(uuid);
            bool found = false;

            HMAP_FOR_EACH_WITH_HASH (mr, node, hash, &by_uuid) {
                if (uuid_equals(mr->change.uuid, uuid)
                    && mr->change.table == hr->table) {
                    mr->change.new = hr->new ? hr->new->fields : NULL;
                    found = true;
                    break;
                }
            }
            if (!found) {
                mr = &rows[n++];
                mr->change = (struct row_change) {
                    hr->table, uuid,
                    hr->old ? hr->old->fields : NULL,
                    hr->new ? hr->new->fields : NULL,
                    NULL,
                };
                hmap_insert(&by_uuid, &mr->node, hash);
            }
        }
    }
    hmap_destroy(&by_uuid);

    /* A row both inserted and deleted since then never existed for the
     * client. */
    *changesp = xmalloc(MAX(n, 1) * sizeof **changesp);
    for (size_t i = 0; i < n; i++) {
        if (rows[i].change.old || rows[i].change.new) {
            (*changesp)[(*np)++] = rows[i].change;
        }
    }
    free(rows);
    return true;
}

void
ovsdb_monitor_set_history_limits(struct ovsdb_db *db, size_t max_txns,
                                 size_t max_rows)
{
    struct monitor_history *h = history_get(db);

    h->max_txns = max_txns;
    h->max_rows = max_rows;
    history_trim(h);
}

bool
ovsdb_monitor_history_has(const struct ovsdb_db *db,
                          const struct uuid *txn_id)
{
    const struct monitor_history *h = history_find(db);
    const struct history_txn *ht;

    if (h && !uuid_is_zero(txn_id)) {
        LIST_FOR_EACH (ht, node, &h->txns) {
            if (uuid_equals(&ht->txn_id, txn_id)) {
                return true;
            }
        }
    }
    return false;
}

size_t
ovsdb_monitor_history_count(const struct ovsdb_db *db)
{
    const struct monitor_history *h = history_find(db);

    return h ? h->n_txns : 0;
}

void
ovsdb_monitor_db_destroy(struct ovsdb_db *db)
{
    struct monitor_history *h = history_find(db);
    struct ovsdb_monitor *m;

    LIST_FOR_EACH_POP (m, node, &db->monitors) {
        monitor_free(m);
    }
    if (h) {
        struct history_txn *ht;

        LIST_FOR_EACH_POP (ht, node, &h->txns) {
            history_txn_destroy(ht);
        }
        hmap_remove(&histories, &h->node);
        free(h);
    }
}
