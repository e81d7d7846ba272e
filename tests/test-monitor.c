/* test-monitor.c: monitors as a client sees them: the results of monitor,
 * monitor_cond and monitor_cond_since, and the exact update, update2 and
 * update3 notifications that txns and condition changes send.  Expected
 * outputs were taken from Open vSwitch 3.1's ovsdb-server. */
#include <config.h>
#include <check.h>
#include <stdio.h>
#include <string.h>
#include "db.h"
#include "monitor.h"
#include "ovsdb-error.h"
#include "timeval.h"
#include "util.h"

static const char schema_json[] =
    "{\"name\": \"mon\", \"version\": \"1.0.0\", \"tables\": {"
    " \"T\": {\"columns\": {"
    "   \"name\": {\"type\": \"string\"},"
    "   \"i\": {\"type\": \"integer\"},"
    "   \"s\": {\"type\": {\"key\": \"integer\", \"min\": 0,"
    "                     \"max\": \"unlimited\"}},"
    "   \"m\": {\"type\": {\"key\": \"string\", \"value\": \"string\","
    "                     \"min\": 0, \"max\": \"unlimited\"}},"
    "   \"o\": {\"type\": {\"key\": \"string\", \"min\": 0, \"max\": 1}}},"
    "  \"indexes\": [[\"name\"]],"
    "  \"isRoot\": true},"
    " \"U\": {\"columns\": {\"x\": {\"type\": \"integer\"}},"
    "  \"isRoot\": true}}}";

#define R1 "11111111-1111-4111-8111-111111111111"
#define R2 "22222222-2222-4222-8222-222222222222"
#define R3 "33333333-3333-4333-8333-333333333333"

static struct ovsdb_db *db;
static struct ovsdb_table *T, *U;

/* The notifications a fake session received. */
struct capture {
    json_t *msgs;
};

static void
capture_send(void *session, json_t *notification)
{
    struct capture *c = session;

    json_array_append_new(c->msgs, notification);
}

static void
setup(void)
{
    struct ovsdb_schema *schema;
    struct ovsdb_error *error;
    json_t *json = json_loads(schema_json, 0, NULL);

    ck_assert_ptr_nonnull(json);
    error = ovsdb_schema_from_json(json, &schema);
    ck_assert_msg(!error, "schema: %s",
                  error ? ovsdb_error_to_string(error) : "");
    json_decref(json);
    db = ovsdb_db_create(schema);
    T = ovsdb_db_get_table(db, "T");
    U = ovsdb_db_get_table(db, "U");
}

static void
teardown(void)
{
    ovsdb_monitor_db_destroy(db);
    ovsdb_db_destroy(db);
}

/* JSON with ' for ", to keep the expectations readable. */
static json_t *
parse_json(const char *text)
{
    char *s = xstrdup(text);
    json_error_t err;
    json_t *json;

    for (char *p = s; *p; p++) {
        if (*p == '\'') {
            *p = '"';
        }
    }
    json = json_loads(s, JSON_DECODE_ANY, &err);
    ck_assert_msg(json != NULL, "bad JSON %s: %s", s, err.text);
    free(s);
    return json;
}

#define assert_json(ACTUAL, EXPECTED) \
    assert_json_at(__LINE__, ACTUAL, EXPECTED)
static void
assert_json_at(int line, const json_t *actual, const char *expected_text)
{
    json_t *expected = parse_json(expected_text);

    if (!actual || !json_equal(actual, expected)) {
        char *a = actual ? json_dumps(actual, JSON_COMPACT | JSON_SORT_KEYS
                                      | JSON_ENCODE_ANY) : NULL;
        char *e = json_dumps(expected, JSON_COMPACT | JSON_SORT_KEYS
                             | JSON_ENCODE_ANY);
        ck_abort_msg("line %d:\n  got  %s\n  want %s", line,
                     a ? a : "(null)", e);
    }
    json_decref(expected);
}

/* Takes the oldest notification that 'c' received (the caller frees it). */
#define pop_msg(C) pop_msg_at(__LINE__, C)
static json_t *
pop_msg_at(int line, struct capture *c)
{
    json_t *msg;

    ck_assert_msg(json_array_size(c->msgs) > 0,
                  "line %d: expected a notification, got none", line);
    msg = json_incref(json_array_get(c->msgs, 0));
    json_array_remove(c->msgs, 0);
    return msg;
}

#define assert_msg(C, EXPECTED) assert_msg_at(__LINE__, C, EXPECTED)
static void
assert_msg_at(int line, struct capture *c, const char *expected)
{
    json_t *msg = pop_msg_at(line, c);

    assert_json_at(line, msg, expected);
    json_decref(msg);
}

#define assert_no_msg(C) assert_no_msg_at(__LINE__, C)
static void
assert_no_msg_at(int line, struct capture *c)
{
    if (json_array_size(c->msgs)) {
        char *s = json_dumps(c->msgs, JSON_COMPACT);
        ck_abort_msg("line %d: unexpected notifications %s", line, s);
    }
}

static struct capture *
capture_new(void)
{
    struct capture *c = xzalloc(sizeof *c);

    c->msgs = json_array();
    return c;
}

static void
capture_free(struct capture *c)
{
    json_decref(c->msgs);
    free(c);
}

/* Creating monitors. */

static struct ovsdb_monitor *
monitor_v(enum ovsdb_monitor_version version, struct capture *c,
          const char *id, const char *requests, const char *last_id,
          json_t **resultp)
{
    json_t *id_json = json_string(id), *req = parse_json(requests);
    json_t *last = last_id ? json_string(last_id) : NULL;
    struct ovsdb_monitor *m;
    struct ovsdb_error *error;

    error = ovsdb_monitor_create(db, version, id_json, req, last,
                                 capture_send, c, &m, resultp);
    ck_assert_msg(!error, "monitor %s: %s", id,
                  error ? ovsdb_error_to_string(error) : "");
    json_decref(id_json);
    json_decref(req);
    json_decref(last);
    return m;
}

/* Expects creation to fail with 'tag' and 'details'. */
#define assert_monitor_error(V, REQ, LAST, TAG, DETAILS) \
    assert_monitor_error_at(__LINE__, V, REQ, LAST, TAG, DETAILS)
static void
assert_monitor_error_at(int line, enum ovsdb_monitor_version version,
                        const char *requests, const char *last_id,
                        const char *tag, const char *details)
{
    json_t *id = json_string("bad"), *req = parse_json(requests);
    json_t *last = last_id ? json_string(last_id) : NULL;
    struct ovsdb_monitor *m;
    struct ovsdb_error *error;
    json_t *result;

    error = ovsdb_monitor_create(db, version, id, req, last, capture_send,
                                 NULL, &m, &result);
    ck_assert_msg(error != NULL, "line %d: no error", line);
    ck_assert_ptr_null(m);
    ck_assert_ptr_null(result);
    ck_assert_str_eq(error->tag, tag);
    ck_assert_str_eq(error->details, details);
    ovsdb_error_destroy(error);
    json_decref(id);
    json_decref(req);
    json_decref(last);
    ck_assert(ovs_list_is_empty(&db->monitors));
}

/* Transactions. */

static struct ovsdb_txn *txn;

static void
set_fields(struct ovsdb_row *row, const char *fields)
{
    json_t *json = parse_json(fields);
    const char *name;
    json_t *value;

    json_object_foreach (json, name, value) {
        const struct ovsdb_column *c;
        struct ovsdb_error *error;

        c = ovsdb_table_schema_get_column(row->table->schema, name);
        ck_assert_ptr_nonnull(c);
        ovsdb_datum_destroy(&row->fields[c->index], &c->type);
        error = ovsdb_datum_from_json(&row->fields[c->index], &c->type,
                                      value, NULL);
        ck_assert_msg(!error, "%s", error ? ovsdb_error_to_string(error)
                                          : "");
    }
    json_decref(json);
}

static const struct ovsdb_row *
get_row(struct ovsdb_table *table, const char *uuid_s)
{
    struct uuid uuid;

    ck_assert(uuid_from_string(&uuid, uuid_s));
    return ovsdb_txn_get_row(txn, table, &uuid);
}

static void
do_insert(struct ovsdb_table *table, const char *uuid_s, const char *fields)
{
    struct uuid uuid;
    struct ovsdb_row *row;

    if (uuid_s) {
        ck_assert(uuid_from_string(&uuid, uuid_s));
    } else {
        uuid_generate(&uuid);
    }
    row = ovsdb_row_create(table, &uuid);
    set_fields(row, fields);
    ovsdb_txn_row_insert(txn, row);
}

static void
do_update(struct ovsdb_table *table, const char *uuid_s, const char *fields)
{
    const struct ovsdb_row *row = get_row(table, uuid_s);

    ck_assert_ptr_nonnull(row);
    set_fields(ovsdb_txn_row_modify(txn, row), fields);
}

static void
do_delete(struct ovsdb_table *table, const char *uuid_s)
{
    const struct ovsdb_row *row = get_row(table, uuid_s);

    ck_assert_ptr_nonnull(row);
    ovsdb_txn_row_delete(txn, row);
}

static void
begin(void)
{
    txn = ovsdb_txn_create(db);
}

/* Commits the txn as the server does; returns its id as a string. */
static char *
commit(void)
{
    struct ovsdb_error *error = ovsdb_txn_precommit(txn);
    char s[UUID_LEN + 1];

    ck_assert_msg(!error, "precommit: %s",
                  error ? ovsdb_error_to_string(error) : "");
    uuid_to_string(&txn->txn_id, s);
    ovsdb_monitors_txn_committed(db, txn);
    ovsdb_txn_commit(txn);
    txn = NULL;
    return xstrdup(s);
}

static void
commit_free(void)
{
    free(commit());
}

/* Two rows to start from. */
static void
load_two_rows(void)
{
    begin();
    do_insert(T, R1, "{'name': 'a', 'i': 1}");
    do_insert(T, R2, "{'name': 'b', 'i': 2}");
    commit_free();
}

/* ---- monitor (V1) ---- */

START_TEST(test_v1_lifecycle)
{
    struct capture *c = capture_new();
    json_t *result;

    begin();
    do_insert(T, R1, "{'name': 'a', 'i': 1, 's': ['set', [1, 2]]}");
    commit_free();

    monitor_v(OVSDB_MONITOR_V1, c, "m1", "{'T': {'columns': ['name', 'i', "
              "'s', 'o']}}", NULL, &result);
    assert_json(result, "{'T': {'" R1 "': {'new': {'name': 'a', 'i': 1, "
                "'s': ['set', [1, 2]], 'o': ['set', []]}}}}");
    json_decref(result);

    /* Modify: "old" has only the changed columns. */
    begin();
    do_update(T, R1, "{'i': 2, 's': ['set', [2, 3]]}");
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m1', "
               "{'T': {'" R1 "': {'old': {'i': 1, 's': ['set', [1, 2]]}, "
               "'new': {'name': 'a', 'i': 2, 's': ['set', [2, 3]], "
               "'o': ['set', []]}}}}]}");

    /* A change to an unmonitored column (or table) is nothing to it. */
    begin();
    do_update(T, R1, "{'m': ['map', [['k', 'v']]]}");
    do_insert(U, NULL, "{'x': 5}");
    commit_free();
    assert_no_msg(c);

    begin();
    do_insert(T, R2, "{'name': 'b'}");
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m1', "
               "{'T': {'" R2 "': {'new': {'name': 'b', 'i': 0, "
               "'s': ['set', []], 'o': ['set', []]}}}}]}");

    /* Delete: "old" has every monitored column. */
    begin();
    do_delete(T, R1);
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m1', "
               "{'T': {'" R1 "': {'old': {'name': 'a', 'i': 2, "
               "'s': ['set', [2, 3]], 'o': ['set', []]}}}}]}");
    assert_no_msg(c);
    capture_free(c);
}
END_TEST

START_TEST(test_v1_all_columns)
{
    struct capture *c = capture_new();
    const struct ovsdb_row *row;
    char version[UUID_LEN + 1];
    struct uuid uuid;
    json_t *result, *expected_new;
    char *text;

    load_two_rows();
    monitor_v(OVSDB_MONITOR_V1, c, "m", "{'U': {}, 'T': [{}]}", NULL,
              &result);
    /* No "columns": every column but _uuid, _version included. */
    uuid_from_string(&uuid, R1);
    row = ovsdb_table_get_row(T, &uuid);
    ck_assert_ptr_nonnull(row);
    uuid_to_string(&row->fields[OVSDB_COL_VERSION].keys[0].uuid, version);
    text = xasprintf("{'name': 'a', 'i': 1, 's': ['set', []], "
                     "'m': ['map', []], 'o': ['set', []], "
                     "'_version': ['uuid', '%s']}", version);
    expected_new = json_object_get(json_object_get(json_object_get(
                                       result, "T"), R1), "new");
    assert_json(expected_new, text);
    ck_assert_int_eq(json_object_size(json_object_get(result, "T")), 2);
    ck_assert_ptr_null(json_object_get(result, "U"));
    free(text);
    json_decref(result);
    capture_free(c);
}
END_TEST

START_TEST(test_v1_select)
{
    struct capture *c = capture_new();
    json_t *result;

    load_two_rows();
    monitor_v(OVSDB_MONITOR_V1, c, "m",
              "{'T': {'columns': ['name'], 'select': {'initial': false, "
              "'modify': false}}}", NULL, &result);
    assert_json(result, "{}");
    json_decref(result);

    begin();
    do_update(T, R1, "{'name': 'z'}");
    commit_free();
    assert_no_msg(c);

    begin();
    do_delete(T, R2);
    do_insert(T, R3, "{'name': 'c'}");
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m', "
               "{'T': {'" R2 "': {'old': {'name': 'b'}}, "
               "'" R3 "': {'new': {'name': 'c'}}}}]}");
    capture_free(c);
}
END_TEST

/* Several requests for one table: each column has its own "select". */
START_TEST(test_v1_per_column_select)
{
    struct capture *c = capture_new();
    json_t *result;

    load_two_rows();
    monitor_v(OVSDB_MONITOR_V1, c, "m",
              "{'T': [{'columns': ['name'], 'select': {'modify': false}}, "
              "{'columns': ['i'], 'select': {'insert': false, "
              "'initial': false}}]}", NULL, &result);
    assert_json(result, "{'T': {'" R1 "': {'new': {'name': 'a'}}, "
                "'" R2 "': {'new': {'name': 'b'}}}}");
    json_decref(result);

    begin();
    do_update(T, R1, "{'name': 'x', 'i': 7}");
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m', "
               "{'T': {'" R1 "': {'old': {'i': 1}, 'new': {'i': 7}}}}]}");
    capture_free(c);
}
END_TEST

/* No columns at all still tells the client which rows come and go. */
START_TEST(test_v1_no_columns)
{
    struct capture *c = capture_new();
    json_t *result;

    load_two_rows();
    monitor_v(OVSDB_MONITOR_V1, c, "m", "{'T': {'columns': []}}", NULL,
              &result);
    assert_json(result, "{'T': {'" R1 "': {'new': {}}, "
                "'" R2 "': {'new': {}}}}");
    json_decref(result);

    begin();
    do_update(T, R1, "{'name': 'x'}");
    do_delete(T, R2);
    commit_free();
    assert_msg(c, "{'method': 'update', 'id': null, 'params': ['m', "
               "{'T': {'" R2 "': {'old': {}}}}]}");
    capture_free(c);
}
END_TEST

START_TEST(test_request_errors)
{
    load_two_rows();
    assert_monitor_error(OVSDB_MONITOR_V1, "{'Z': {}}", NULL,
                         "syntax error", "no table named Z");
    assert_monitor_error(OVSDB_MONITOR_V1, "[]", NULL,
                         "syntax error", "monitor-requests must be object");
    assert_monitor_error(OVSDB_MONITOR_V1, "{'T': {'columns': ['nope']}}",
                         NULL, "syntax error",
                         "nope is not a valid column name");
    assert_monitor_error(OVSDB_MONITOR_V1, "{'T': {'columns': [1]}}", NULL,
                         "syntax error", "array of column names expected");
    assert_monitor_error(OVSDB_MONITOR_V1,
                         "{'T': [{'columns': ['name']}, "
                         "{'columns': ['name', 'i']}]}", NULL,
                         "syntax error", "column name mentioned more than "
                         "once");
    assert_monitor_error(OVSDB_MONITOR_V1,
                         "{'T': {'select': {'bogus': true}}}", NULL,
                         "syntax error", "Parsing table T select failed: "
                         "Member 'bogus' is present but not allowed here.");
    assert_monitor_error(OVSDB_MONITOR_V1,
                         "{'T': {'select': {'insert': 1}}}", NULL,
                         "syntax error", "Parsing table T select failed: "
                         "Type mismatch for member 'insert'.");
    assert_monitor_error(OVSDB_MONITOR_V1, "{'T': {'columns': 'name'}}",
                         NULL, "syntax error", "Parsing table T failed: "
                         "Type mismatch for member 'columns'.");
    /* "where" is monitor_cond's. */
    assert_monitor_error(OVSDB_MONITOR_V1, "{'T': {'where': []}}", NULL,
                         "syntax error", "Parsing table T failed: Member "
                         "'where' is present but not allowed here.");
    assert_monitor_error(OVSDB_MONITOR_V1, "{'T': 5}", NULL, "syntax error",
                         "Parsing table T failed: Object expected.");
    assert_monitor_error(OVSDB_MONITOR_V3, "{'T': [{}]}", "garbage",
                         "syntax error", "last-txn-id must be UUID format.");
}
END_TEST

/* ---- monitor_cond (V2) ---- */

START_TEST(test_v2_lifecycle)
{
    struct capture *c = capture_new();
    json_t *result;

    begin();
    do_insert(T, R1, "{'name': 'a', 'i': 1, 's': ['set', [1, 2]], "
              "'m': ['map', [['k', 'v']]]}");
    commit_free();

    monitor_v(OVSDB_MONITOR_V2, c, "m2",
              "{'T': [{'columns': ['name', 'i', 's', 'm', 'o']}]}", NULL,
              &result);
    /* Columns at their default ("o") are left out. */
    assert_json(result, "{'T': {'" R1 "': {'initial': {'name': 'a', "
                "'i': 1, 's': ['set', [1, 2]], "
                "'m': ['map', [['k', 'v']]]}}}}");
    json_decref(result);

    /* "modify" gives diffs: symmetric difference of sets, changed pairs
     * of maps, new scalars. */
    begin();
    do_update(T, R1, "{'i': 2, 's': ['set', [2, 3]], "
              "'m': ['map', [['k', 'w'], ['z', 'y']]], 'o': 'x'}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['m2', "
               "{'T': {'" R1 "': {'modify': {'i': 2, 's': ['set', [1, 3]], "
               "'m': ['map', [['k', 'w'], ['z', 'y']]], 'o': 'x'}}}}]}");

    begin();
    do_insert(T, R2, "{'name': 'b'}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['m2', "
               "{'T': {'" R2 "': {'insert': {'name': 'b'}}}}]}");

    begin();
    do_delete(T, R1);
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['m2', "
               "{'T': {'" R1 "': {'delete': null}}}]}");
    assert_no_msg(c);
    capture_free(c);
}
END_TEST

START_TEST(test_v2_conditions)
{
    struct capture *c = capture_new();
    json_t *result;

    load_two_rows();
    /* A disjunction: either clause selects a row. */
    monitor_v(OVSDB_MONITOR_V2, c, "or", "{'T': [{'columns': ['name', 'i'], "
              "'where': [['name', '==', 'a'], ['i', '==', 2]]}]}", NULL,
              &result);
    assert_json(result, "{'T': {'" R1 "': {'initial': {'name': 'a', "
                "'i': 1}}, '" R2 "': {'initial': {'name': 'b', 'i': 2}}}}");
    json_decref(result);

    monitor_v(OVSDB_MONITOR_V2, c, "false", "{'T': [{'columns': ['name'], "
              "'where': [false]}]}", NULL, &result);
    assert_json(result, "{}");
    json_decref(result);

    monitor_v(OVSDB_MONITOR_V2, c, "tf", "{'T': [{'columns': ['name'], "
              "'where': [true, false]}]}", NULL, &result);
    ck_assert_int_eq(json_object_size(json_object_get(result, "T")), 2);
    json_decref(result);

    /* A single request object (not an array) is fine too. */
    monitor_v(OVSDB_MONITOR_V2, c, "one", "{'T': {'columns': ['name'], "
              "'where': [['i', '==', 1]]}}", NULL, &result);
    assert_json(result, "{'T': {'" R1 "': {'initial': {'name': 'a'}}}}");
    json_decref(result);

    /* R2 starts matching "one" (an insert) and stops matching "or" (a
     * delete); R1 keeps matching "or" and stops matching "one". */
    begin();
    do_update(T, R2, "{'i': 1}");
    do_update(T, R1, "{'i': 5}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['or', "
               "{'T': {'" R1 "': {'modify': {'i': 5}}, "
               "'" R2 "': {'delete': null}}}]}");
    /* "tf" and "false" see no change to their columns. */
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['one', "
               "{'T': {'" R1 "': {'delete': null}, "
               "'" R2 "': {'insert': {'name': 'b'}}}}]}");
    assert_no_msg(c);

    /* A change to a row that matches nothing is nothing. */
    begin();
    do_update(T, R1, "{'i': 6}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['or', "
               "{'T': {'" R1 "': {'modify': {'i': 6}}}}]}");
    assert_no_msg(c);
    capture_free(c);
}
END_TEST

START_TEST(test_v2_select_and_conditions)
{
    struct capture *c = capture_new();
    json_t *result;

    load_two_rows();
    monitor_v(OVSDB_MONITOR_V2, c, "c4", "{'T': [{'columns': ['name', 'i'], "
              "'where': [['i', '==', 1]], 'select': {'initial': false, "
              "'delete': false}}]}", NULL, &result);
    assert_json(result, "{}");
    json_decref(result);

    /* R2 starting to match is an insert; R1 leaving is a delete, which
     * the client did not select. */
    begin();
    do_update(T, R2, "{'i': 1}");
    do_update(T, R1, "{'i': 5}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['c4', "
               "{'T': {'" R2 "': {'insert': {'name': 'b', 'i': 1}}}}]}");
    assert_no_msg(c);
    capture_free(c);
}
END_TEST

/* Conditions of "==" clauses on _uuid or on an indexed column are answered
 * through the indexes: the same rows as a scan would give. */
START_TEST(test_indexed_conditions)
{
    struct capture *c = capture_new();
    struct ovsdb_monitor *m;
    json_t *result, *id, *req;

    load_two_rows();
    m = monitor_v(OVSDB_MONITOR_V2, c, "i", "{'T': [{'columns': ['name'], "
                  "'where': [['name', '==', 'b']]}]}", NULL, &result);
    assert_json(result, "{'T': {'" R2 "': {'initial': {'name': 'b'}}}}");
    json_decref(result);
    ovsdb_monitor_destroy(m);

    m = monitor_v(OVSDB_MONITOR_V2, c, "j", "{'T': [{'columns': ['name'], "
                  "'where': [['_uuid', '==', ['uuid', '" R1 "']], "
                  "['name', '==', 'b'], ['name', '==', 'zz']]}]}", NULL,
                  &result);
    assert_json(result, "{'T': {'" R1 "': {'initial': {'name': 'a'}}, "
                "'" R2 "': {'initial': {'name': 'b'}}}}");
    json_decref(result);

    /* From {R1, R2} to the row named a: R2 leaves. */
    id = json_string("j2");
    req = parse_json("{'T': [{'where': [['name', '==', 'a']]}]}");
    ck_assert_ptr_null(ovsdb_monitor_cond_change(m, id, req));
    json_decref(req);
    json_decref(id);
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['j2', "
               "{'T': {'" R2 "': {'delete': null}}}]}");

    /* A clause the indexes cannot answer falls back to a scan. */
    id = json_string("j3");
    req = parse_json("{'T': [{'where': [['i', '==', 2]]}]}");
    ck_assert_ptr_null(ovsdb_monitor_cond_change(m, id, req));
    json_decref(req);
    json_decref(id);
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['j3', "
               "{'T': {'" R1 "': {'delete': null}, "
               "'" R2 "': {'insert': {'name': 'b'}}}}]}");
    ovsdb_monitor_destroy(m);
    capture_free(c);
}
END_TEST

START_TEST(test_cond_change)
{
    struct capture *c = capture_new();
    struct ovsdb_monitor *m;
    struct ovsdb_error *error;
    json_t *result, *id, *req;

    load_two_rows();
    m = monitor_v(OVSDB_MONITOR_V2, c, "c", "{'T': [{'columns': ['name'], "
                  "'where': [false]}]}", NULL, &result);
    json_decref(result);

    id = json_string("c2");
    req = parse_json("{'T': [{'where': [['i', '==', 2]]}]}");
    error = ovsdb_monitor_cond_change(m, id, req);
    ck_assert_ptr_null(error);
    json_decref(req);
    json_decref(id);
    assert_json(ovsdb_monitor_get_id(m), "'c2'");
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['c2', "
               "{'T': {'" R2 "': {'insert': {'name': 'b'}}}}]}");

    id = json_string("c3");
    req = parse_json("{'T': [{'where': [['i', '==', 1]]}]}");
    ck_assert_ptr_null(ovsdb_monitor_cond_change(m, id, req));
    json_decref(req);
    json_decref(id);
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['c3', "
               "{'T': {'" R1 "': {'insert': {'name': 'a'}}, "
               "'" R2 "': {'delete': null}}}]}");

    /* The new condition governs later txns. */
    begin();
    do_update(T, R2, "{'i': 1}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['c3', "
               "{'T': {'" R2 "': {'insert': {'name': 'b'}}}}]}");

    /* The same condition again changes nothing and sends nothing. */
    id = json_string("c3");
    req = parse_json("{'T': [{'where': [['i', '==', 1]]}]}");
    ck_assert_ptr_null(ovsdb_monitor_cond_change(m, id, req));
    json_decref(req);
    assert_no_msg(c);

    /* Errors leave the monitor as it was. */
    static const struct {
        const char *req, *tag, *details;
    } bad[] = {
        { "{'Z': [{'where': []}]}", "syntax error", "no table named Z" },
        { "{'U': [{'where': []}]}", "syntax error",
          "no table named U in monitor session" },
        { "{'T': {'where': []}}", "syntax error",
          "table T no monitor-cond-change JSON array" },
        { "{'T': [{'columns': ['name'], 'where': [true]}]}", "syntax error",
          "changing columns is unsupported" },
        { "{'T': [{'where': true}]}", "syntax error",
          "Parsing table T failed: Type mismatch for member 'where'." },
        { "{'T': [{'where': [['q', '==', 1]]}]}", "unknown column", NULL },
    };
    for (size_t i = 0; i < ARRAY_SIZE(bad); i++) {
        json_t *new_id = json_string("other");

        req = parse_json(bad[i].req);
        error = ovsdb_monitor_cond_change(m, new_id, req);
        ck_assert_msg(error != NULL, "%s: no error", bad[i].req);
        ck_assert_str_eq(error->tag, bad[i].tag);
        if (bad[i].details) {
            ck_assert_str_eq(error->details, bad[i].details);
        }
        ovsdb_error_destroy(error);
        json_decref(req);
        json_decref(new_id);
        assert_json(ovsdb_monitor_get_id(m), "'c3'");
    }
    json_decref(id);
    assert_no_msg(c);

    begin();
    do_update(T, R1, "{'name': 'a2'}");
    commit_free();
    assert_msg(c, "{'method': 'update2', 'id': null, 'params': ['c3', "
               "{'T': {'" R1 "': {'modify': {'name': 'a2'}}}}]}");

    ovsdb_monitor_destroy(m);
    begin();
    do_update(T, R1, "{'name': 'a3'}");
    commit_free();
    assert_no_msg(c);
    capture_free(c);
}
END_TEST

/* ---- monitor_cond_since (V3) ---- */

START_TEST(test_v3_since)
{
    struct capture *c = capture_new();
    char *id1, *id2, *id3, *id4;
    json_t *result;
    char *text;

    begin();
    do_insert(T, R1, "{'name': 'a', 'i': 1}");
    id1 = commit();

    /* Unknown (here: zero) last txn id: all of it, as "initial". */
    monitor_v(OVSDB_MONITOR_V3, c, "s0", "{'T': [{'columns': ['name', "
              "'i']}]}", "00000000-0000-0000-0000-000000000000", &result);
    text = xasprintf("[false, '%s', {'T': {'" R1 "': {'initial': "
                     "{'name': 'a', 'i': 1}}}}]", id1);
    assert_json(result, text);
    free(text);
    json_decref(result);

    /* update3 carries the txn's id. */
    begin();
    do_insert(T, R2, "{'name': 'b', 'i': 2}");
    id2 = commit();
    text = xasprintf("{'method': 'update3', 'id': null, 'params': ['s0', "
                     "'%s', {'T': {'" R2 "': {'insert': {'name': 'b', "
                     "'i': 2}}}}]}", id2);
    assert_msg(c, text);
    free(text);

    begin();
    do_update(T, R1, "{'i': 10}");
    do_insert(T, R3, "{'name': 'c'}");
    id3 = commit();
    json_decref(pop_msg(c));

    begin();
    do_delete(T, R3);
    do_update(T, R2, "{'name': 'b2'}");
    id4 = commit();
    json_decref(pop_msg(c));

    /* Resuming from id2: R1 modified, R2 modified, R3 inserted and then
     * deleted (so never mentioned). */
    monitor_v(OVSDB_MONITOR_V3, c, "s1", "{'T': [{'columns': ['name', "
              "'i']}]}", id2, &result);
    text = xasprintf("[true, '%s', {'T': {'" R1 "': {'modify': {'i': 10}}, "
                     "'" R2 "': {'modify': {'name': 'b2'}}}}]", id4);
    assert_json(result, text);
    free(text);
    json_decref(result);

    /* Resuming from the very first txn: R2's insert and later change are
     * one insert. */
    monitor_v(OVSDB_MONITOR_V3, c, "s2", "{'T': [{'columns': ['name']}]}",
              id1, &result);
    text = xasprintf("[true, '%s', {'T': {'" R2 "': {'insert': "
                     "{'name': 'b2'}}}}]", id4);
    assert_json(result, text);
    free(text);
    json_decref(result);

    /* Up to date: nothing to send. */
    monitor_v(OVSDB_MONITOR_V3, c, "s3", "{'T': [{'columns': ['name']}]}",
              id4, &result);
    text = xasprintf("[true, '%s', {}]", id4);
    assert_json(result, text);
    free(text);
    json_decref(result);

    /* Conditions apply to the changes since, too. */
    monitor_v(OVSDB_MONITOR_V3, c, "s4", "{'T': [{'columns': ['name'], "
              "'where': [['i', '==', 10]]}]}", id1, &result);
    text = xasprintf("[true, '%s', {'T': {'" R1 "': {'insert': "
                     "{'name': 'a'}}}}]", id4);
    assert_json(result, text);
    free(text);
    json_decref(result);

    assert_no_msg(c);
    free(id1);
    free(id2);
    free(id3);
    free(id4);
    capture_free(c);
}
END_TEST

START_TEST(test_v3_history_bounds)
{
    struct capture *c = capture_new();
    char *ids[4];
    json_t *result;

    ovsdb_monitor_set_history_limits(db, 2, 1000);
    for (int i = 0; i < 4; i++) {
        char fields[64];

        snprintf(fields, sizeof fields, "{'name': 'n%d'}", i);
        begin();
        do_insert(T, NULL, fields);
        ids[i] = commit();
    }
    ck_assert_uint_eq(ovsdb_monitor_history_count(db), 2);

    /* ids[1] fell out of the history: the full contents. */
    monitor_v(OVSDB_MONITOR_V3, c, "old", "{'T': [{'columns': ['name']}]}",
              ids[1], &result);
    ck_assert(json_is_false(json_array_get(result, 0)));
    ck_assert_int_eq(json_object_size(json_object_get(
                         json_array_get(result, 2), "T")), 4);
    json_decref(result);

    /* ids[2] is still there: only the last insert. */
    monitor_v(OVSDB_MONITOR_V3, c, "new", "{'T': [{'columns': ['name']}]}",
              ids[2], &result);
    ck_assert(json_is_true(json_array_get(result, 0)));
    ck_assert_int_eq(json_object_size(json_object_get(
                         json_array_get(result, 2), "T")), 1);
    json_decref(result);

    /* The row bound: a big txn pushes older ones out (but the newest
     * stays, however big). */
    ovsdb_monitor_set_history_limits(db, 100, 3);
    begin();
    for (int i = 0; i < 5; i++) {
        do_insert(U, NULL, "{'x': 1}");
    }
    free(commit());
    ck_assert_uint_eq(ovsdb_monitor_history_count(db), 1);

    /* A disabled history never resumes. */
    ovsdb_monitor_set_history_limits(db, 0, 0);
    ck_assert_uint_eq(ovsdb_monitor_history_count(db), 0);

    for (int i = 0; i < 4; i++) {
        free(ids[i]);
    }
    capture_free(c);
}
END_TEST

START_TEST(test_v3_cond_change)
{
    struct capture *c = capture_new();
    struct ovsdb_monitor *m;
    json_t *result, *id, *req;
    char *last, *text;

    begin();
    do_insert(T, R1, "{'name': 'a', 'i': 1}");
    last = commit();
    m = monitor_v(OVSDB_MONITOR_V3, c, "s", "{'T': [{'columns': ['name'], "
                  "'where': [false]}]}", NULL, &result);
    json_decref(result);

    id = json_string("s2");
    req = parse_json("{'T': [{'where': []}]}");
    ck_assert_ptr_null(ovsdb_monitor_cond_change(m, id, req));
    text = xasprintf("{'method': 'update3', 'id': null, 'params': ['s2', "
                     "'%s', {'T': {'" R1 "': {'insert': {'name': 'a'}}}}]}",
                     last);
    assert_msg(c, text);
    free(text);
    free(last);
    json_decref(id);
    json_decref(req);
    capture_free(c);
}
END_TEST

/* ---- Sharing and cost ---- */

START_TEST(test_sharing)
{
    struct capture *c = capture_new();
    json_t *result, *a, *b, *row_a, *row_b;

    load_two_rows();
    for (int i = 0; i < 3; i++) {
        monitor_v(OVSDB_MONITOR_V2, c, "same", "{'T': [{'columns': "
                  "['name']}]}", NULL, &result);
        json_decref(result);
    }
    monitor_v(OVSDB_MONITOR_V3, c, "v3", "{'T': [{'columns': ['name']}]}",
              NULL, &result);
    json_decref(result);
    monitor_v(OVSDB_MONITOR_V2, c, "cond", "{'T': [{'columns': ['name'], "
              "'where': [['i', '==', 1]]}]}", NULL, &result);
    json_decref(result);

    begin();
    do_update(T, R1, "{'name': 'z'}");
    do_update(T, R2, "{'name': 'y'}");
    commit_free();
    ck_assert_int_eq(json_array_size(c->msgs), 5);

    /* Equal monitors get the same table updates object, whatever their
     * dialect's envelope. */
    a = json_array_get(json_object_get(json_array_get(c->msgs, 0),
                                       "params"), 1);
    for (int i = 1; i < 3; i++) {
        b = json_array_get(json_object_get(json_array_get(c->msgs, i),
                                           "params"), 1);
        ck_assert_ptr_eq(a, b);
    }
    b = json_array_get(json_object_get(json_array_get(c->msgs, 3),
                                       "params"), 2);
    ck_assert_ptr_eq(a, b);

    /* A different condition shares the rows' JSON. */
    b = json_array_get(json_object_get(json_array_get(c->msgs, 4),
                                       "params"), 1);
    ck_assert_ptr_ne(a, b);
    ck_assert_int_eq(json_object_size(json_object_get(b, "T")), 1);
    row_a = json_object_get(json_object_get(a, "T"), R1);
    row_b = json_object_get(json_object_get(b, "T"), R1);
    ck_assert_ptr_nonnull(row_a);
    ck_assert_ptr_eq(row_a, row_b);
    assert_json(row_a, "{'modify': {'name': 'z'}}");
    capture_free(c);
}
END_TEST

/* 50 monitors (half of them with per-client conditions) and a txn that
 * changes 2000 rows: the commit must stay well under a second. */
START_TEST(test_fifty_monitors_cost)
{
    struct capture *c = capture_new();
    json_t *result;
    double start, elapsed;

    for (int i = 0; i < 50; i++) {
        char req[128];

        if (i % 2) {
            snprintf(req, sizeof req, "{'T': [{'where': [['i', '<', %d]]}]}",
                     i * 40);
        } else {
            snprintf(req, sizeof req, "{'T': [{}]}");
        }
        monitor_v(OVSDB_MONITOR_V2, c, "m", req, NULL, &result);
        json_decref(result);
    }

    begin();
    for (int i = 0; i < 2000; i++) {
        char fields[64];

        snprintf(fields, sizeof fields, "{'name': 'n%d', 'i': %d}", i, i);
        do_insert(T, NULL, fields);
    }
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    start = time_sec();
    ovsdb_monitors_txn_committed(db, txn);
    elapsed = time_sec() - start;
    ovsdb_txn_commit(txn);

    ck_assert_int_eq(json_array_size(c->msgs), 50);
    /* The last conditional monitor sees rows with i < 1960. */
    ck_assert_int_eq(json_object_size(json_object_get(json_array_get(
        json_object_get(json_array_get(c->msgs, 49), "params"), 1), "T")),
                     1960);
    printf("50 monitors, 2000 inserted rows: %.1f ms\n", elapsed * 1e3);
    ck_assert_msg(elapsed < 1.0, "took %.3f s", elapsed);
    capture_free(c);
}
END_TEST

static Suite *
monitor_suite(void)
{
    Suite *s = suite_create("monitor");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_v1_lifecycle);
    tcase_add_test(tc, test_v1_all_columns);
    tcase_add_test(tc, test_v1_select);
    tcase_add_test(tc, test_v1_per_column_select);
    tcase_add_test(tc, test_v1_no_columns);
    tcase_add_test(tc, test_request_errors);
    tcase_add_test(tc, test_v2_lifecycle);
    tcase_add_test(tc, test_v2_conditions);
    tcase_add_test(tc, test_v2_select_and_conditions);
    tcase_add_test(tc, test_cond_change);
    tcase_add_test(tc, test_indexed_conditions);
    tcase_add_test(tc, test_v3_since);
    tcase_add_test(tc, test_v3_history_bounds);
    tcase_add_test(tc, test_v3_cond_change);
    tcase_add_test(tc, test_sharing);
    tcase_add_test(tc, test_fifty_monitors_cost);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(monitor_suite());
    int n_failed;

    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? 1 : 0;
}
