/* test-ovsdb-schema.c: schemas parse, fail and print back as ovsdb-server
 * does.  The expected JSON and error texts were captured from Open vSwitch
 * 3.1's ovsdb-server, ovsdb-tool and ovsdb-client on the same input. */
#include <config.h>

#include <check.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "test-ovsdb-common.h"
#include "util.h"

#define VSWITCH_SCHEMA "/usr/share/openvswitch/vswitch.ovsschema"

/* A schema with one column of each kind, and what get-schema answers. */
static const char t_schema[] =
    T_SCHEMA_WITH(", \"indexes\": [[\"i\"], [\"s\", \"r\"]]",
                  ", \"maxRows\": 5");

static const char t_get_schema[] =
    "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":{\"b\":{\"type\":"
    "\"boolean\"},\"e\":{\"ephemeral\":true,\"type\":\"integer\"},\"i\":"
    "{\"type\":\"integer\"},\"ic\":{\"type\":{\"key\":{\"maxInteger\":100,"
    "\"minInteger\":0,\"type\":\"integer\"}}},\"im\":{\"mutable\":false,"
    "\"type\":\"integer\"},\"m\":{\"type\":{\"key\":\"string\",\"max\":"
    "\"unlimited\",\"min\":0,\"value\":\"string\"}},\"m2\":{\"type\":{\"key\":"
    "\"string\",\"max\":2,\"min\":0,\"value\":\"integer\"}},\"oi\":{\"type\":"
    "{\"key\":\"integer\",\"min\":0}},\"r\":{\"type\":\"real\"},\"ref\":"
    "{\"type\":{\"key\":{\"refTable\":\"B\",\"type\":\"uuid\"},\"min\":0}},"
    "\"s\":{\"type\":\"string\"},\"s3\":{\"type\":{\"key\":\"integer\","
    "\"max\":3}},\"si\":{\"type\":{\"key\":\"integer\",\"max\":\"unlimited\","
    "\"min\":0}},\"sr\":{\"type\":{\"key\":\"real\",\"max\":\"unlimited\","
    "\"min\":0}},\"ss\":{\"type\":{\"key\":\"string\",\"max\":\"unlimited\","
    "\"min\":0}},\"u\":{\"type\":\"uuid\"}},\"indexes\":[[\"i\"],[\"s\","
    "\"r\"]],\"isRoot\":true},\"B\":{\"columns\":{\"x\":{\"type\":"
    "\"integer\"}},\"maxRows\":5}},\"version\":\"1.2.3\"}";

/* The canonical text ovsdb-client prints: compact, keys sorted. */
static char *
canonical(const json_t *json)
{
    return json_dumps(json, JSON_COMPACT | JSON_SORT_KEYS);
}

static void
assert_schema_json(const struct ovsdb_schema *schema, const char *expected)
{
    json_t *json = ovsdb_schema_to_json(schema);
    json_t *exp = t_parse_json(expected);
    char *s = canonical(json), *e = canonical(exp);

    ck_assert_str_eq(s, e);
    free(s);
    free(e);
    json_decref(json);
    json_decref(exp);
}

START_TEST(test_columns_and_tables)
{
    struct ovsdb_schema *schema = t_parse_schema(t_schema);
    const struct ovsdb_table_schema *a = ovsdb_schema_get_table(schema, "A");
    const struct ovsdb_table_schema *b = ovsdb_schema_get_table(schema, "B");
    const struct ovsdb_column *c;

    ck_assert_str_eq(schema->name, "T");
    ck_assert_str_eq(schema->version, "1.2.3");
    ck_assert_ptr_null(schema->cksum);
    ck_assert_ptr_nonnull(a);
    ck_assert_ptr_nonnull(b);
    ck_assert_ptr_null(ovsdb_schema_get_table(schema, "C"));

    /* Implicit columns first, then the declared ones in order. */
    ck_assert_uint_eq(a->n_columns, 2 + 16);
    ck_assert_str_eq(a->columns[OVSDB_COL_UUID]->name, "_uuid");
    ck_assert_str_eq(a->columns[OVSDB_COL_VERSION]->name, "_version");
    for (int i = 0; i < 2; i++) {
        c = a->columns[i];
        ck_assert_uint_eq(c->index, i);
        ck_assert(ovsdb_type_is_scalar(&c->type));
        ck_assert_int_eq(c->type.key.type, OVSDB_TYPE_UUID);
        ck_assert(!c->mutable);
        ck_assert(c->persistent);
    }
    ck_assert_str_eq(a->columns[2]->name, "i");
    ck_assert_str_eq(a->columns[17]->name, "ref");
    for (unsigned int i = 0; i < a->n_columns; i++) {
        ck_assert_uint_eq(a->columns[i]->index, i);
        ck_assert_ptr_eq(ovsdb_table_schema_get_column(a,
                                                       a->columns[i]->name),
                         a->columns[i]);
    }
    ck_assert_ptr_null(ovsdb_table_schema_get_column(a, "nosuch"));

    c = ovsdb_table_schema_get_column(a, "im");
    ck_assert(!c->mutable && c->persistent);
    c = ovsdb_table_schema_get_column(a, "e");
    ck_assert(c->mutable && !c->persistent);
    c = ovsdb_table_schema_get_column(a, "i");
    ck_assert(c->mutable && c->persistent);

    /* References resolve to the table itself. */
    c = ovsdb_table_schema_get_column(a, "ref");
    ck_assert_ptr_eq(c->type.key.u.uuid.ref_table, b);

    ck_assert(a->is_root);
    ck_assert(!b->is_root);
    ck_assert_uint_eq(a->max_rows, UINT_MAX);
    ck_assert_uint_eq(b->max_rows, 5);

    ck_assert_uint_eq(a->n_indexes, 2);
    ck_assert_uint_eq(a->indexes[0].n, 1);
    ck_assert_str_eq(a->indexes[0].columns[0]->name, "i");
    ck_assert_uint_eq(a->indexes[1].n, 2);
    ck_assert_str_eq(a->indexes[1].columns[0]->name, "s");
    ck_assert_str_eq(a->indexes[1].columns[1]->name, "r");
    ck_assert_uint_eq(b->n_indexes, 0);

    ovsdb_schema_destroy(schema);
}
END_TEST

START_TEST(test_to_json_matches_ovsdb_server)
{
    struct ovsdb_schema *schema = t_parse_schema(t_schema);

    assert_schema_json(schema, t_get_schema);
    ovsdb_schema_destroy(schema);
}
END_TEST

START_TEST(test_clone)
{
    struct ovsdb_schema *schema = t_parse_schema(t_schema);
    struct ovsdb_schema *clone = ovsdb_schema_clone(schema);
    const struct ovsdb_table_schema *a, *b;
    const struct ovsdb_column *ref;

    ovsdb_schema_destroy(schema);   /* The clone must not share anything. */
    assert_schema_json(clone, t_get_schema);

    a = ovsdb_schema_get_table(clone, "A");
    b = ovsdb_schema_get_table(clone, "B");
    ref = ovsdb_table_schema_get_column(a, "ref");
    ck_assert_ptr_eq(ref->type.key.u.uuid.ref_table, b);
    ck_assert_ptr_eq(a->indexes[1].columns[1],
                     ovsdb_table_schema_get_column(a, "r"));
    ck_assert(a->is_root && !b->is_root);
    ovsdb_schema_destroy(clone);
}
END_TEST

/* Without any root table the schema predates "isRoot": all are roots, and
 * get-schema then says nothing about it.  Weak references cannot be
 * immutable, so "mutable": false on one is dropped. */
START_TEST(test_is_root_compatibility_and_weak_refs)
{
    static const char rs[] =
        "{\"name\":\"R\",\"tables\":{"
        "\"A\":{\"columns\":{\"x\":{\"type\":\"integer\"}},\"isRoot\":false},"
        "\"B\":{\"columns\":{\"x\":{\"type\":{\"key\":{\"type\":\"uuid\","
        "\"refTable\":\"A\",\"refType\":\"weak\"}},\"mutable\":false}},"
        "\"isRoot\":false}}}";
    static const char rs_get[] =
        "{\"name\":\"R\",\"tables\":{\"A\":{\"columns\":{\"x\":{\"type\":"
        "\"integer\"}}},\"B\":{\"columns\":{\"x\":{\"type\":{\"key\":"
        "{\"refTable\":\"A\",\"refType\":\"weak\",\"type\":\"uuid\"}}}}}}}";
    struct ovsdb_schema *schema = t_parse_schema(rs);
    const struct ovsdb_table_schema *b = ovsdb_schema_get_table(schema, "B");

    ck_assert(ovsdb_schema_get_table(schema, "A")->is_root);
    ck_assert(b->is_root);
    ck_assert(ovsdb_table_schema_get_column(b, "x")->mutable);
    assert_schema_json(schema, rs_get);
    ovsdb_schema_destroy(schema);

    /* No mention at all: the same. */
    schema = t_parse_schema("{\"name\":\"S\",\"tables\":{\"A\":{\"columns\":"
                          "{\"x\":{\"type\":\"integer\"}}}}}");
    ck_assert(ovsdb_schema_get_table(schema, "A")->is_root);
    assert_schema_json(schema, "{\"name\":\"S\",\"tables\":{\"A\":"
                       "{\"columns\":{\"x\":{\"type\":\"integer\"}}}}}");
    ovsdb_schema_destroy(schema);

    /* An empty schema is valid. */
    schema = t_parse_schema("{\"name\":\"E\",\"tables\":{},"
                            " \"cksum\":\"1 2\"}");
    ck_assert_str_eq(schema->cksum, "1 2");
    assert_schema_json(schema, "{\"name\":\"E\",\"tables\":{},"
                       "\"cksum\":\"1 2\"}");
    ovsdb_schema_destroy(schema);
}
END_TEST

/* Runs ovsdb-server on the vswitch schema and returns what get-schema says,
 * or NULL (after printing why) if Open vSwitch is not usable here. */
static char *
ovsdb_server_get_schema(const char *schema_file)
{
    char dir[] = "/tmp/xt-schema-XXXXXX";
    char *cmd, *out = NULL;
    FILE *f;

    ck_assert_ptr_nonnull(mkdtemp(dir));
    cmd = xasprintf(
        "cd %s && ovsdb-tool create db %s >/dev/null 2>&1 && "
        "ovsdb-server --detach --no-chdir --pidfile=%s/pid "
        "--remote=punix:%s/sock --unixctl=%s/ctl --log-file=/dev/null "
        "db >/dev/null 2>&1 && "
        "{ ovsdb-client get-schema unix:%s/sock > out; "
        "kill $(cat %s/pid); }",
        dir, schema_file, dir, dir, dir, dir, dir);
    if (system(cmd) == 0) {
        char *path = xasprintf("%s/out", dir);
        f = fopen(path, "r");
        free(path);
        if (f) {
            size_t size = 0;
            out = xmalloc(1 << 20);
            size = fread(out, 1, (1 << 20) - 1, f);
            out[size] = '\0';
            fclose(f);
        }
    }
    free(cmd);
    cmd = xasprintf("rm -rf %s", dir);
    ck_assert_int_eq(system(cmd), 0);
    free(cmd);
    return out;
}

START_TEST(test_vswitch_schema)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    const struct ovsdb_table_schema *bridge, *port;
    const struct ovsdb_column *ports;
    char *expected, *actual;
    json_t *json, *exp;

    error = ovsdb_schema_from_file(VSWITCH_SCHEMA, &schema);
    ck_assert_msg(!error, "%s", error ? ovsdb_error_to_string(error) : "");
    ck_assert_str_eq(schema->name, "Open_vSwitch");
    ck_assert_uint_eq(shash_count(&schema->tables), 19);

    bridge = ovsdb_schema_get_table(schema, "Bridge");
    port = ovsdb_schema_get_table(schema, "Port");
    ports = ovsdb_table_schema_get_column(bridge, "ports");
    ck_assert_ptr_eq(ports->type.key.u.uuid.ref_table, port);
    ck_assert(ovsdb_schema_get_table(schema, "Open_vSwitch")->is_root);
    ck_assert(!port->is_root);
    ck_assert_uint_eq(ovsdb_schema_get_table(schema,
                                             "Open_vSwitch")->max_rows, 1);

    /* The comparison that matters: get-schema from a real ovsdb-server. */
    expected = ovsdb_server_get_schema(VSWITCH_SCHEMA);
    ck_assert_msg(expected != NULL, "could not run Open vSwitch's "
                  "ovsdb-server to get the reference schema");
    exp = t_parse_json(expected);
    json = ovsdb_schema_to_json(schema);
    ck_assert(json_equal(json, exp));
    free(expected);
    expected = canonical(exp);
    actual = canonical(json);
    ck_assert_str_eq(actual, expected);

    free(expected);
    free(actual);
    json_decref(exp);
    json_decref(json);
    ovsdb_schema_destroy(schema);
}
END_TEST

START_TEST(test_from_file_errors)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    char *s;

    error = ovsdb_schema_from_file("/nonexistent/x.ovsschema", &schema);
    ck_assert_ptr_nonnull(error);
    ck_assert_ptr_null(schema);
    ck_assert_str_eq(ovsdb_error_get_tag(error), "failed to read schema");
    ovsdb_error_destroy(error);

    /* A file that is JSON but no schema: the parse error, in context. */
    {
        char path[] = "/tmp/xt-schema-XXXXXX";
        int fd = mkstemp(path);
        ck_assert_int_ge(fd, 0);
        ck_assert_int_eq(write(fd, "[]", 2), 2);
        close(fd);
        error = ovsdb_schema_from_file(path, &schema);
        unlink(path);
        ck_assert_ptr_nonnull(error);
        s = xasprintf("failed to parse \"%s\" as ovsdb schema: Parsing "
                      "database schema failed: Object expected.", path);
        ck_assert_str_eq(error->details, s);
        ck_assert_str_eq(ovsdb_error_get_tag(error), "syntax error");
        free(s);
        ovsdb_error_destroy(error);
    }
}
END_TEST

/* Each bad schema, with the details (and "syntax") ovsdb-tool reported. */
struct bad_schema {
    const char *json;
    const char *details;
    const char *syntax;      /* Compact JSON, or NULL for none. */
};

#define COLS_X "{\"x\":{\"type\":\"integer\"}}"
#define TABLE_X "{\"columns\":" COLS_X "}"

static const struct bad_schema bad_schemas[] = {
    { "[]", "Parsing database schema failed: Object expected.", "[]" },
    { "{\"tables\":{\"A\":" TABLE_X "}}",
      "Parsing database schema failed: Required 'name' member is missing.",
      "{\"tables\":{\"A\":" TABLE_X "}}" },
    { "{\"name\":\"1T\",\"tables\":{}}",
      "Parsing database schema failed: Type mismatch for member 'name'.",
      "{\"name\":\"1T\",\"tables\":{}}" },
    { "{\"name\":\"T\"}",
      "Parsing database schema failed: Required 'tables' member is missing.",
      "{\"name\":\"T\"}" },
    { "{\"name\":\"T\",\"tables\":[]}",
      "Parsing database schema failed: Type mismatch for member 'tables'.",
      "{\"name\":\"T\",\"tables\":[]}" },
    { "{\"name\":\"T\",\"tables\":{},\"foo\":1}",
      "Parsing database schema failed: Member 'foo' is present but not "
      "allowed here.", "{\"name\":\"T\",\"tables\":{},\"foo\":1}" },
    { "{\"name\":\"T\",\"version\":\"1.2\",\"tables\":{}}",
      "schema version \"1.2\" not in format x.y.z",
      "{\"name\":\"T\",\"version\":\"1.2\",\"tables\":{}}" },
    { "{\"name\":\"T\",\"version\":\"1.2.x\",\"tables\":{}}",
      "schema version \"1.2.x\" not in format x.y.z",
      "{\"name\":\"T\",\"version\":\"1.2.x\",\"tables\":{}}" },
    { "{\"name\":\"T\",\"version\":3,\"tables\":{}}",
      "Parsing database schema failed: Type mismatch for member 'version'.",
      "{\"name\":\"T\",\"version\":3,\"tables\":{}}" },
    { "{\"name\":\"T\",\"tables\":{\"_A\":" TABLE_X "}}",
      "names beginning with \"_\" are reserved",
      "{\"name\":\"T\",\"tables\":{\"_A\":" TABLE_X "}}" },
    { "{\"name\":\"T\",\"tables\":{\"A-b\":" TABLE_X "}}",
      "name must be a valid id",
      "{\"name\":\"T\",\"tables\":{\"A-b\":" TABLE_X "}}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"_x\":{\"type\":\"integer\"}}}}}",
      "names beginning with \"_\" are reserved",
      "{\"columns\":{\"_x\":{\"type\":\"integer\"}}}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x y\":{\"type\":\"integer\"}}}}}",
      "name must be a valid id",
      "{\"columns\":{\"x y\":{\"type\":\"integer\"}}}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":{}}}}",
      "table must have at least one column", "{\"columns\":{}}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{}}}",
      "Parsing table schema for table A failed: Required 'columns' member "
      "is missing.", "{}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"maxRows\":0}}}",
      "maxRows must be at least 1",
      "{\"columns\":" COLS_X ",\"maxRows\":0}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"maxRows\":1.5}}}",
      "Parsing table schema for table A failed: Type mismatch for member "
      "'maxRows'.", "{\"columns\":" COLS_X ",\"maxRows\":1.5}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"isRoot\":1}}}",
      "Parsing table schema for table A failed: Type mismatch for member "
      "'isRoot'.", "{\"columns\":" COLS_X ",\"isRoot\":1}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"foo\":1}}}",
      "Parsing table schema for table A failed: Member 'foo' is present "
      "but not allowed here.", "{\"columns\":" COLS_X ",\"foo\":1}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":\"integer\",\"foo\":1}}}}}",
      "Parsing schema for column x failed: Member 'foo' is present but "
      "not allowed here.", "{\"type\":\"integer\",\"foo\":1}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":{\"x\":{}}}}}",
      "Parsing schema for column x failed: Required 'type' member is "
      "missing.", "{}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":\"integer\",\"ephemeral\":1}}}}}",
      "Parsing schema for column x failed: Type mismatch for member "
      "'ephemeral'.", "{\"type\":\"integer\",\"ephemeral\":1}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":\"integer\",\"mutable\":\"no\"}}}}}",
      "Parsing schema for column x failed: Type mismatch for member "
      "'mutable'.", "{\"type\":\"integer\",\"mutable\":\"no\"}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":{\"key\":{\"type\":\"uuid\",\"refTable\":\"Z\"}}}}}}}",
      "column x key refers to undefined table Z", NULL },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":{\"key\":\"string\",\"value\":{\"type\":\"uuid\","
      "\"refTable\":\"Z\"}}}}}}}",
      "column x value refers to undefined table Z", NULL },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"indexes\":[[\"y\"]]}}}",
      "y is not a valid column name", "[\"y\"]" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":"
      "{\"x\":{\"type\":\"integer\",\"ephemeral\":true}},"
      "\"indexes\":[[\"x\"]]}}}",
      "ephemeral columns (such as x) may not be indexed",
      "{\"columns\":{\"x\":{\"type\":\"integer\",\"ephemeral\":true}},"
      "\"indexes\":[[\"x\"]]}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"indexes\":[[]]}}}",
      "index must have at least one column",
      "{\"columns\":" COLS_X ",\"indexes\":[[]]}" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"indexes\":[[\"x\",\"x\"]]}}}",
      "array of distinct column names expected", "[\"x\",\"x\"]" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"indexes\":[\"x\"]}}}",
      "array of distinct column names expected", "\"x\"" },
    { "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
      ",\"indexes\":[[1]]}}}",
      "array of distinct column names expected", "[1]" },
};

START_TEST(test_bad_schema)
{
    const struct bad_schema *bad = &bad_schemas[_i];
    json_t *json = t_parse_json(bad->json);
    struct ovsdb_schema *schema = (void *) 1;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);

    ck_assert_msg(error != NULL, "accepted %s", bad->json);
    ck_assert_ptr_null(schema);
    ck_assert_str_eq(ovsdb_error_get_tag(error), "syntax error");
    ck_assert_str_eq(error->details, bad->details);
    if (bad->syntax) {
        json_t *exp = t_parse_json(bad->syntax);
        ck_assert_msg(error->syntax && json_equal(error->syntax, exp),
                      "syntax for %s", bad->json);
        json_decref(exp);
    } else {
        ck_assert_ptr_null(error->syntax);
    }
    ovsdb_error_destroy(error);
    json_decref(json);
}
END_TEST

/* Allowed, although it looks odd: _uuid in an index, a big maxRows. */
START_TEST(test_odd_but_valid)
{
    struct ovsdb_schema *schema = t_parse_schema(
        "{\"name\":\"T\",\"tables\":{\"A\":{\"columns\":" COLS_X
        ",\"indexes\":[[\"_uuid\",\"x\"]],\"maxRows\":8589934592}}}");
    const struct ovsdb_table_schema *a = ovsdb_schema_get_table(schema, "A");

    ck_assert_uint_eq(a->indexes[0].n, 2);
    ck_assert_uint_eq(a->indexes[0].columns[0]->index, OVSDB_COL_UUID);
    ck_assert_uint_eq(a->max_rows, UINT_MAX);
    ovsdb_schema_destroy(schema);
}
END_TEST

START_TEST(test_column_sets)
{
    struct ovsdb_schema *schema = t_parse_schema(t_schema);
    const struct ovsdb_table_schema *a = ovsdb_schema_get_table(schema, "A");
    struct ovsdb_column_set set;
    struct ovsdb_error *error;
    json_t *json, *out;

    /* No list: every column, the implicit ones included. */
    error = ovsdb_column_set_from_json(NULL, a, &set);
    ck_assert_ptr_null(error);
    ck_assert_uint_eq(set.n, a->n_columns);
    ck_assert(ovsdb_column_set_contains(&set, OVSDB_COL_UUID));
    ck_assert(ovsdb_column_set_contains(&set, a->n_columns - 1));
    ovsdb_column_set_destroy(&set);

    json = t_parse_json("[\"s\", \"_version\", \"i\"]");
    error = ovsdb_column_set_from_json(json, a, &set);
    ck_assert_ptr_null(error);
    ck_assert_uint_eq(set.n, 3);
    ck_assert(ovsdb_column_set_contains(&set, OVSDB_COL_VERSION));
    ck_assert(!ovsdb_column_set_contains(&set, OVSDB_COL_UUID));
    out = ovsdb_column_set_to_json(&set);
    ck_assert(json_equal(out, json));    /* Order is kept. */
    json_decref(out);
    json_decref(json);
    ovsdb_column_set_destroy(&set);

    ovsdb_column_set_init(&set);
    for (int i = 0; i < 40; i++) {
        ovsdb_column_set_add(&set, a->columns[i % a->n_columns]);
    }
    ck_assert_uint_eq(set.n, 40);
    ck_assert_ptr_eq(set.columns[39], a->columns[39 % a->n_columns]);
    ovsdb_column_set_destroy(&set);

    ovsdb_schema_destroy(schema);
}
END_TEST

START_TEST(test_describe_type)
{
    static const struct { const char *column, *english; } cases[] = {
        { "i", "integer" },
        { "oi", "set of up to 1 integers" },
        { "si", "set of integers" },
        { "s3", "set of 1 to 3 integers" },
        { "m", "map of (string, string) pairs" },
        { "m2", "map of up to 2 (string, integer) pairs" },
    };
    struct ovsdb_schema *schema = t_parse_schema(t_schema);
    const struct ovsdb_table_schema *a = ovsdb_schema_get_table(schema, "A");

    for (size_t i = 0; i < ARRAY_SIZE(cases); i++) {
        char *s = ovsdb_column_describe_type(
            ovsdb_table_schema_get_column(a, cases[i].column));
        ck_assert_str_eq(s, cases[i].english);
        free(s);
    }
    ovsdb_schema_destroy(schema);
}
END_TEST

static Suite *
schema_suite(void)
{
    Suite *s = suite_create("ovsdb-schema");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_columns_and_tables);
    tcase_add_test(tc, test_to_json_matches_ovsdb_server);
    tcase_add_test(tc, test_clone);
    tcase_add_test(tc, test_is_root_compatibility_and_weak_refs);
    tcase_add_test(tc, test_vswitch_schema);
    tcase_add_test(tc, test_from_file_errors);
    tcase_add_loop_test(tc, test_bad_schema, 0, ARRAY_SIZE(bad_schemas));
    tcase_add_test(tc, test_odd_but_valid);
    tcase_add_test(tc, test_column_sets);
    tcase_add_test(tc, test_describe_type);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(schema_suite());
    int n_failed;

    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
