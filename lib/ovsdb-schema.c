/* ovsdb-schema.c: see ovsdb-schema.h.
 *
 * The error messages deliberately repeat Open vSwitch's wording, tag and
 * "syntax" member: clients and operators compare them with what a real
 * ovsdb-server says about the same schema. */
#include <config.h>
#include "ovsdb-schema.h"

#include <ctype.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "util.h"

/* Column sets. */

void
ovsdb_column_set_init(struct ovsdb_column_set *set)
{
    set->columns = NULL;
    set->n = set->allocated = 0;
}

void
ovsdb_column_set_destroy(struct ovsdb_column_set *set)
{
    free(set->columns);
    ovsdb_column_set_init(set);
}

void
ovsdb_column_set_add(struct ovsdb_column_set *set,
                     const struct ovsdb_column *column)
{
    if (set->n >= set->allocated) {
        set->columns = x2nrealloc(set->columns, &set->allocated,
                                  sizeof *set->columns);
    }
    set->columns[set->n++] = column;
}

bool
ovsdb_column_set_contains(const struct ovsdb_column_set *set,
                          unsigned int column_index)
{
    for (size_t i = 0; i < set->n; i++) {
        if (set->columns[i]->index == column_index) {
            return true;
        }
    }
    return false;
}

struct ovsdb_error *
ovsdb_column_set_from_json(const json_t *json,
                           const struct ovsdb_table_schema *ts,
                           struct ovsdb_column_set *set)
{
    ovsdb_column_set_init(set);
    if (!json) {
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            ovsdb_column_set_add(set, ts->columns[i]);
        }
        return NULL;
    }

    if (!json_is_array(json)) {
        goto bad;
    }
    for (size_t i = 0; i < json_array_size(json); i++) {
        const json_t *elem = json_array_get(json, i);
        const struct ovsdb_column *column;

        if (!json_is_string(elem)) {
            goto bad;
        }
        column = ovsdb_table_schema_get_column(ts, json_string_value(elem));
        if (!column) {
            ovsdb_column_set_destroy(set);
            return ovsdb_syntax_error(json, NULL,
                                      "%s is not a valid column name",
                                      json_string_value(elem));
        }
        if (ovsdb_column_set_contains(set, column->index)) {
            goto bad;
        }
        ovsdb_column_set_add(set, column);
    }
    return NULL;

bad:
    ovsdb_column_set_destroy(set);
    return ovsdb_syntax_error(json, NULL,
                              "array of distinct column names expected");
}

json_t *
ovsdb_column_set_to_json(const struct ovsdb_column_set *set)
{
    json_t *json = json_array();

    for (size_t i = 0; i < set->n; i++) {
        json_array_append_new(json, json_string(set->columns[i]->name));
    }
    return json;
}

/* Member parsing.
 *
 * A tiny counterpart of Open vSwitch's ovsdb_parser: each object is parsed
 * against a list of the members it may have, and every complaint says which
 * object ("database schema", "table schema for table A", ...) was at fault
 * and quotes it whole. */

enum member_type {
    M_STRING = 1 << 0,
    M_ID = 1 << 1,            /* A string that is a valid identifier. */
    M_OBJECT = 1 << 2,
    M_ARRAY = 1 << 3,
    M_BOOLEAN = 1 << 4,
    M_INTEGER = 1 << 5,
    M_OPTIONAL = 1 << 6
};

struct member {
    const char *name;
    int types;                /* M_* bits. */
    const json_t **value;     /* Set to the member, or NULL if absent. */
};

static bool
is_id(const char *s)
{
    if (!isalpha((unsigned char) *s) && *s != '_') {
        return false;
    }
    while (*++s) {
        if (!isalnum((unsigned char) *s) && *s != '_') {
            return false;
        }
    }
    return true;
}

static bool
member_type_ok(const json_t *value, int types)
{
    return ((types & M_STRING && json_is_string(value))
            || (types & M_ID && json_is_string(value)
                && is_id(json_string_value(value)))
            || (types & M_OBJECT && json_is_object(value))
            || (types & M_ARRAY && json_is_array(value))
            || (types & M_BOOLEAN && json_is_boolean(value))
            || (types & M_INTEGER && json_is_integer(value)));
}

static struct ovsdb_error *
parse_members(const json_t *json, const char *what,
              const struct member *members, size_t n_members)
{
    const char *key;
    json_t *value;

    if (!json_is_object(json)) {
        return ovsdb_syntax_error(json, NULL, "Parsing %s failed: "
                                  "Object expected.", what);
    }
    for (size_t i = 0; i < n_members; i++) {
        const struct member *m = &members[i];
        const json_t *v = json_object_get(json, m->name);

        *m->value = v;
        if (!v) {
            if (!(m->types & M_OPTIONAL)) {
                return ovsdb_syntax_error(json, NULL, "Parsing %s failed: "
                                          "Required '%s' member is missing.",
                                          what, m->name);
            }
        } else if (!member_type_ok(v, m->types)) {
            return ovsdb_syntax_error(json, NULL, "Parsing %s failed: "
                                      "Type mismatch for member '%s'.",
                                      what, m->name);
        }
    }
    json_object_foreach ((json_t *) json, key, value) {
        size_t i;

        for (i = 0; i < n_members; i++) {
            if (!strcmp(key, members[i].name)) {
                break;
            }
        }
        if (i == n_members) {
            return ovsdb_syntax_error(json, NULL, "Parsing %s failed: "
                                      "Member '%s' is present but not "
                                      "allowed here.", what, key);
        }
    }
    return NULL;
}

/* Both tables and columns: names starting with "_" belong to OVSDB itself
 * (the implicit columns, and in principle future implicit tables). */
static struct ovsdb_error *
check_name(const json_t *json, const char *name)
{
    if (name[0] == '_') {
        return ovsdb_syntax_error(json, NULL, "names beginning with "
                                  "\"_\" are reserved");
    } else if (!is_id(name)) {
        return ovsdb_syntax_error(json, NULL, "name must be a valid id");
    }
    return NULL;
}

/* Columns. */

static struct ovsdb_column *
column_create(const char *name, bool mutable, bool persistent,
              const struct ovsdb_type *type)
{
    struct ovsdb_column *column = xzalloc(sizeof *column);

    column->name = xstrdup(name);
    column->mutable = mutable;
    column->persistent = persistent;
    column->type = *type;       /* Takes ownership of 'type''s contents. */
    return column;
}

static void
column_destroy(struct ovsdb_column *column)
{
    if (column) {
        free(column->name);
        ovsdb_type_destroy(&column->type);
        free(column);
    }
}

static struct ovsdb_error *
column_from_json(const json_t *json, const char *name,
                 struct ovsdb_column **columnp)
{
    const json_t *mutable_json, *ephemeral_json, *type_json;
    const struct member members[] = {
        { "mutable", M_BOOLEAN | M_OPTIONAL, &mutable_json },
        { "ephemeral", M_BOOLEAN | M_OPTIONAL, &ephemeral_json },
        { "type", M_STRING | M_OBJECT, &type_json },
    };
    struct ovsdb_error *error;
    struct ovsdb_type type;
    char *what;
    bool mutable;

    *columnp = NULL;
    what = xasprintf("schema for column %s", name);
    error = parse_members(json, what, members, ARRAY_SIZE(members));
    free(what);
    if (error) {
        return error;
    }

    error = ovsdb_type_from_json(&type, type_json);
    if (error) {
        return error;
    }

    /* A weak reference changes whenever its target row is deleted, so it
     * cannot be immutable; Open vSwitch quietly makes it mutable, and so do
     * we, so that both print the same schema back. */
    mutable = !mutable_json || json_is_true(mutable_json);
    if (ovsdb_base_type_is_weak_ref(&type.key)
        || ovsdb_base_type_is_weak_ref(&type.value)) {
        mutable = true;
    }

    *columnp = column_create(name, mutable,
                             !ephemeral_json || !json_is_true(ephemeral_json),
                             &type);
    return NULL;
}

static json_t *
column_to_json(const struct ovsdb_column *column)
{
    json_t *json = json_object();

    if (!column->mutable) {
        json_object_set_new(json, "mutable", json_false());
    }
    if (!column->persistent) {
        json_object_set_new(json, "ephemeral", json_true());
    }
    json_object_set_new(json, "type", ovsdb_type_to_json(&column->type));
    return json;
}

static void
describe_type(char *buf, size_t size, const struct ovsdb_type *type)
{
    const char *key = ovsdb_atomic_type_to_string(type->key.type);
    const char *kind = ovsdb_type_is_map(type) ? "map" : "set";
    char range[64];

    if (ovsdb_type_is_scalar(type)) {
        snprintf(buf, size, "%s", key);
        return;
    }

    if (type->n_max == OVSDB_UNLIMITED) {
        if (type->n_min) {
            snprintf(range, sizeof range, " of %u or more", type->n_min);
        } else {
            snprintf(range, sizeof range, " of");
        }
    } else if (type->n_min) {
        snprintf(range, sizeof range, " of %u to %u",
                 type->n_min, type->n_max);
    } else {
        snprintf(range, sizeof range, " of up to %u", type->n_max);
    }

    if (ovsdb_type_is_map(type)) {
        snprintf(buf, size, "%s%s (%s, %s) pairs", kind, range, key,
                 ovsdb_atomic_type_to_string(type->value.type));
    } else {
        snprintf(buf, size, "%s%s %ss", kind, range, key);
    }
}

char *
ovsdb_column_describe_type(const struct ovsdb_column *column)
{
    char buf[128];

    describe_type(buf, sizeof buf, &column->type);
    return xstrdup(buf);
}

/* Tables. */

static void
table_add_column(struct ovsdb_table_schema *ts, struct ovsdb_column *column)
{
    column->index = ts->n_columns;
    ts->columns = xrealloc(ts->columns,
                           (ts->n_columns + 1) * sizeof *ts->columns);
    ts->columns[ts->n_columns++] = column;
    shash_add(&ts->columns_by_name, column->name, column);
}

/* A table with only the implicit columns. */
static struct ovsdb_table_schema *
table_create(const char *name, bool is_root, unsigned int max_rows)
{
    static const char *const implicit[] = { "_uuid", "_version" };
    struct ovsdb_table_schema *ts = xzalloc(sizeof *ts);

    ts->name = xstrdup(name);
    ts->is_root = is_root;
    ts->max_rows = max_rows;
    shash_init(&ts->columns_by_name);

    for (size_t i = 0; i < ARRAY_SIZE(implicit); i++) {
        struct ovsdb_type type;

        ovsdb_base_type_init(&type.key, OVSDB_TYPE_UUID);
        ovsdb_base_type_init(&type.value, OVSDB_TYPE_VOID);
        type.n_min = type.n_max = 1;
        /* OVSDB maintains both itself, so neither is mutable by clients. */
        table_add_column(ts, column_create(implicit[i], false, true, &type));
    }
    return ts;
}

static void
table_destroy(struct ovsdb_table_schema *ts)
{
    if (!ts) {
        return;
    }
    for (size_t i = 0; i < ts->n_indexes; i++) {
        ovsdb_column_set_destroy(&ts->indexes[i]);
    }
    free(ts->indexes);
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        column_destroy(ts->columns[i]);
    }
    free(ts->columns);
    shash_destroy(&ts->columns_by_name);
    free(ts->name);
    free(ts);
}

const struct ovsdb_column *
ovsdb_table_schema_get_column(const struct ovsdb_table_schema *ts,
                              const char *name)
{
    return shash_find_data(&ts->columns_by_name, name);
}

static struct ovsdb_error *
table_parse_indexes(struct ovsdb_table_schema *ts, const json_t *table_json,
                    const json_t *indexes)
{
    size_t n = json_array_size(indexes);

    ts->indexes = xcalloc(n, sizeof *ts->indexes);
    for (size_t i = 0; i < n; i++) {
        struct ovsdb_column_set *index = &ts->indexes[i];
        struct ovsdb_error *error;

        error = ovsdb_column_set_from_json(json_array_get(indexes, i), ts,
                                           index);
        if (error) {
            return error;
        }
        ts->n_indexes++;

        if (!index->n) {
            return ovsdb_syntax_error(table_json, NULL,
                                      "index must have at least one column");
        }
        /* Ephemeral columns are not stored, so after a restart an index
         * over them could not be rebuilt consistently. */
        for (size_t j = 0; j < index->n; j++) {
            if (!index->columns[j]->persistent) {
                return ovsdb_syntax_error(table_json, NULL,
                                          "ephemeral columns (such as %s) "
                                          "may not be indexed",
                                          index->columns[j]->name);
            }
        }
    }
    return NULL;
}

static struct ovsdb_error *
table_from_json(const json_t *json, const char *name,
                struct ovsdb_table_schema **tsp)
{
    const json_t *columns, *max_rows, *is_root, *indexes;
    const struct member members[] = {
        { "columns", M_OBJECT, &columns },
        { "maxRows", M_INTEGER | M_OPTIONAL, &max_rows },
        { "isRoot", M_BOOLEAN | M_OPTIONAL, &is_root },
        { "indexes", M_ARRAY | M_OPTIONAL, &indexes },
    };
    struct ovsdb_table_schema *ts;
    struct ovsdb_error *error;
    unsigned int n_max_rows;
    const char *column_name;
    json_t *column_json;
    char *what;

    *tsp = NULL;
    what = xasprintf("table schema for table %s", name);
    error = parse_members(json, what, members, ARRAY_SIZE(members));
    free(what);
    if (error) {
        return error;
    }

    n_max_rows = UINT_MAX;
    if (max_rows) {
        json_int_t n = json_integer_value(max_rows);

        if (n <= 0) {
            return ovsdb_syntax_error(json, NULL,
                                      "maxRows must be at least 1");
        }
        /* UINT_MAX means "unlimited", which larger limits effectively are. */
        n_max_rows = n < UINT_MAX ? (unsigned int) n : UINT_MAX;
    }

    if (!json_object_size(columns)) {
        return ovsdb_syntax_error(json, NULL,
                                  "table must have at least one column");
    }

    ts = table_create(name, is_root && json_is_true(is_root), n_max_rows);

    /* Declaration order (jansson keeps it) gives stable column indexes. */
    json_object_foreach ((json_t *) columns, column_name, column_json) {
        struct ovsdb_column *column;

        error = check_name(json, column_name);
        if (!error) {
            error = column_from_json(column_json, column_name, &column);
        }
        if (error) {
            table_destroy(ts);
            return error;
        }
        table_add_column(ts, column);
    }

    if (indexes) {
        error = table_parse_indexes(ts, json, indexes);
        if (error) {
            table_destroy(ts);
            return error;
        }
    }

    *tsp = ts;
    return NULL;
}

/* 'default_is_root' is whether a table that says nothing about "isRoot" is
 * a root in 'schema' as printed: see ovsdb_schema_to_json(). */
static json_t *
table_to_json(const struct ovsdb_table_schema *ts, bool default_is_root)
{
    json_t *json = json_object();
    json_t *columns = json_object();

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        json_object_set_new(columns, ts->columns[i]->name,
                            column_to_json(ts->columns[i]));
    }
    json_object_set_new(json, "columns", columns);

    if (ts->max_rows != UINT_MAX) {
        json_object_set_new(json, "maxRows", json_integer(ts->max_rows));
    }
    if (ts->is_root != default_is_root) {
        json_object_set_new(json, "isRoot", json_boolean(ts->is_root));
    }
    if (ts->n_indexes) {
        json_t *indexes = json_array();

        for (size_t i = 0; i < ts->n_indexes; i++) {
            json_array_append_new(indexes,
                                  ovsdb_column_set_to_json(&ts->indexes[i]));
        }
        json_object_set_new(json, "indexes", indexes);
    }
    return json;
}

static struct ovsdb_table_schema *
table_clone(const struct ovsdb_table_schema *old)
{
    struct ovsdb_table_schema *ts = table_create(old->name, old->is_root,
                                                 old->max_rows);

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < old->n_columns; i++) {
        const struct ovsdb_column *oc = old->columns[i];
        struct ovsdb_type type;

        ovsdb_type_clone(&type, &oc->type);
        table_add_column(ts, column_create(oc->name, oc->mutable,
                                           oc->persistent, &type));
    }

    ts->indexes = xcalloc(old->n_indexes, sizeof *ts->indexes);
    ts->n_indexes = old->n_indexes;
    for (size_t i = 0; i < old->n_indexes; i++) {
        const struct ovsdb_column_set *oi = &old->indexes[i];

        ovsdb_column_set_init(&ts->indexes[i]);
        for (size_t j = 0; j < oi->n; j++) {
            ovsdb_column_set_add(&ts->indexes[i],
                                 ts->columns[oi->columns[j]->index]);
        }
    }
    return ts;
}

/* Schemas. */

static void
schema_destroy_tables(struct shash *tables)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, tables) {
        table_destroy(node->data);
    }
    shash_destroy(tables);
}

/* Points every reference at its table, or fails if a refTable names no
 * table of 'schema'.  Run after parsing, since tables may refer to tables
 * declared after them, and after cloning, since pointers cannot be copied
 * between schemas. */
static struct ovsdb_error *
schema_resolve_refs(struct ovsdb_schema *schema)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &schema->tables) {
        struct ovsdb_table_schema *ts = node->data;

        for (unsigned int i = 0; i < ts->n_columns; i++) {
            struct ovsdb_column *column = ts->columns[i];
            struct ovsdb_base_type *bases[2] = { &column->type.key,
                                                 &column->type.value };
            static const char *const base_names[2] = { "key", "value" };

            for (int j = 0; j < 2; j++) {
                struct ovsdb_base_type *base = bases[j];
                const char *ref_name;

                if (base->type != OVSDB_TYPE_UUID
                    || !base->u.uuid.ref_table_name) {
                    continue;
                }
                ref_name = base->u.uuid.ref_table_name;
                base->u.uuid.ref_table = shash_find_data(&schema->tables,
                                                         ref_name);
                if (!base->u.uuid.ref_table) {
                    return ovsdb_syntax_error(NULL, NULL, "column %s %s "
                                              "refers to undefined table %s",
                                              column->name, base_names[j],
                                              ref_name);
                }
            }
        }
    }
    return NULL;
}

static bool
is_valid_version(const char *s)
{
    for (int part = 0; part < 3; part++) {
        unsigned long n = 0;

        if (part && *s++ != '.') {
            return false;
        }
        if (!isdigit((unsigned char) *s)) {
            return false;
        }
        while (isdigit((unsigned char) *s)) {
            n = n * 10 + (unsigned long) (*s++ - '0');
            if (n > UINT_MAX) {
                return false;
            }
        }
    }
    return *s == '\0';
}

struct ovsdb_error *
ovsdb_schema_from_json(const json_t *json, struct ovsdb_schema **schemap)
{
    const json_t *name, *version, *cksum, *tables;
    const struct member members[] = {
        { "name", M_ID, &name },
        { "version", M_STRING | M_OPTIONAL, &version },
        { "cksum", M_STRING | M_OPTIONAL, &cksum },
        { "tables", M_OBJECT, &tables },
    };
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    struct shash_node *node;
    const char *table_name;
    json_t *table_json;
    bool any_root;

    *schemap = NULL;
    error = parse_members(json, "database schema", members,
                          ARRAY_SIZE(members));
    if (error) {
        return error;
    }
    if (version && !is_valid_version(json_string_value(version))) {
        return ovsdb_syntax_error(json, NULL, "schema version \"%s\" not in "
                                  "format x.y.z", json_string_value(version));
    }

    schema = xzalloc(sizeof *schema);
    schema->name = xstrdup(json_string_value(name));
    schema->version = version ? xstrdup(json_string_value(version)) : NULL;
    schema->cksum = cksum ? xstrdup(json_string_value(cksum)) : NULL;
    shash_init(&schema->tables);

    json_object_foreach ((json_t *) tables, table_name, table_json) {
        struct ovsdb_table_schema *ts;

        error = check_name(json, table_name);
        if (!error) {
            error = table_from_json(table_json, table_name, &ts);
        }
        if (error) {
            ovsdb_schema_destroy(schema);
            return error;
        }
        shash_add(&schema->tables, table_name, ts);
    }

    error = schema_resolve_refs(schema);
    if (error) {
        ovsdb_schema_destroy(schema);
        return error;
    }

    /* "isRoot" came after the first schemas, which had no garbage
     * collection.  Like Open vSwitch, treat a schema without any root
     * table as one written before "isRoot": every table is a root, so that
     * no row is ever collected behind its users' backs. */
    any_root = false;
    SHASH_FOR_EACH (node, &schema->tables) {
        const struct ovsdb_table_schema *ts = node->data;
        any_root |= ts->is_root;
    }
    if (!any_root) {
        SHASH_FOR_EACH (node, &schema->tables) {
            struct ovsdb_table_schema *ts = node->data;
            ts->is_root = true;
        }
    }

    *schemap = schema;
    return NULL;
}

struct ovsdb_error *
ovsdb_schema_from_file(const char *file_name, struct ovsdb_schema **schemap)
{
    struct ovsdb_error *error;
    json_error_t jerror;
    json_t *json;

    *schemap = NULL;
    json = json_load_file(file_name, 0, &jerror);
    if (!json) {
        return ovsdb_error("failed to read schema",
                           "\"%s\" could not be read as JSON (%s)",
                           file_name, jerror.text);
    }
    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    if (error) {
        return ovsdb_error_wrap(error, "failed to parse \"%s\" as ovsdb "
                                "schema", file_name);
    }
    return NULL;
}

struct ovsdb_error *
ovsdb_schema_from_string(const char *text, struct ovsdb_schema **schemap)
{
    struct ovsdb_error *error;
    json_error_t jerror;
    json_t *json;

    *schemap = NULL;
    json = json_loads(text, 0, &jerror);
    if (!json) {
        return ovsdb_error("failed to read schema", "%s", jerror.text);
    }
    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    return error;
}

json_t *
ovsdb_schema_to_json(const struct ovsdb_schema *schema)
{
    json_t *json = json_object();
    json_t *tables = json_object();
    const struct shash_node **nodes;
    size_t n_tables = shash_count(&schema->tables);
    size_t n_roots = 0;
    bool default_is_root;

    json_object_set_new(json, "name", json_string(schema->name));
    if (schema->version && schema->version[0]) {
        json_object_set_new(json, "version", json_string(schema->version));
    }
    if (schema->cksum && schema->cksum[0]) {
        json_object_set_new(json, "cksum", json_string(schema->cksum));
    }

    /* When every table is a root, saying nothing about "isRoot" reads back
     * the same way (see ovsdb_schema_from_json()), and that is what
     * ovsdb-server prints. */
    nodes = shash_sort(&schema->tables);
    for (size_t i = 0; i < n_tables; i++) {
        const struct ovsdb_table_schema *ts = nodes[i]->data;
        n_roots += ts->is_root;
    }
    default_is_root = n_roots == n_tables;
    for (size_t i = 0; i < n_tables; i++) {
        json_object_set_new(tables, nodes[i]->name,
                            table_to_json(nodes[i]->data, default_is_root));
    }
    free(nodes);
    json_object_set_new(json, "tables", tables);
    return json;
}

bool
ovsdb_schema_equal(const struct ovsdb_schema *a,
                   const struct ovsdb_schema *b)
{
    json_t *ja = ovsdb_schema_to_json(a);
    json_t *jb = ovsdb_schema_to_json(b);
    bool equal = json_equal(ja, jb);

    json_decref(ja);
    json_decref(jb);
    return equal;
}

unsigned int
ovsdb_schema_persist_ephemeral_columns(struct ovsdb_schema *schema,
                                       const char **tablep,
                                       const char **columnp)
{
    const struct shash_node **tables = shash_sort(&schema->tables);
    size_t n_tables = shash_count(&schema->tables);
    unsigned int n = 0;

    *tablep = *columnp = NULL;
    for (size_t i = 0; i < n_tables; i++) {
        struct ovsdb_table_schema *ts = tables[i]->data;

        for (unsigned int j = OVSDB_N_IMPLICIT_COLUMNS; j < ts->n_columns;
             j++) {
            struct ovsdb_column *column = ts->columns[j];

            if (!column->persistent) {
                column->persistent = true;
                if (!n++) {
                    *tablep = ts->name;
                    *columnp = column->name;
                }
            }
        }
    }
    free(tables);
    return n;
}

struct ovsdb_schema *
ovsdb_schema_clone(const struct ovsdb_schema *old)
{
    struct ovsdb_schema *schema = xzalloc(sizeof *schema);
    struct ovsdb_error *error;
    struct shash_node *node;

    schema->name = xstrdup(old->name);
    schema->version = old->version ? xstrdup(old->version) : NULL;
    schema->cksum = old->cksum ? xstrdup(old->cksum) : NULL;
    shash_init(&schema->tables);
    SHASH_FOR_EACH (node, &old->tables) {
        shash_add(&schema->tables, node->name, table_clone(node->data));
    }

    /* 'old' resolved, so the clone's references resolve as well. */
    error = schema_resolve_refs(schema);
    if (error) {
        xsw_fatal("ovsdb_schema_clone: %s", error->details);
    }
    return schema;
}

void
ovsdb_schema_destroy(struct ovsdb_schema *schema)
{
    if (schema) {
        schema_destroy_tables(&schema->tables);
        free(schema->name);
        free(schema->version);
        free(schema->cksum);
        free(schema);
    }
}

const struct ovsdb_table_schema *
ovsdb_schema_get_table(const struct ovsdb_schema *schema, const char *name)
{
    return shash_find_data(&schema->tables, name);
}
