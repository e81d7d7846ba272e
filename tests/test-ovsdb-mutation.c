/* test-ovsdb-mutation.c: mutations parse, apply and fail as in Open vSwitch
 * 3.1.  The expected results and errors were obtained by running the same
 * mutate operations against Debian's ovsdb-server, same schema, same row. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-error.h"
#include "ovsdb-mutation.h"
#include "ovsdb-schema.h"
#include "test-ovsdb-common.h"
#include "util.h"

/* The row every mutation starts from; other columns have defaults. */
static const char row_json[] =
    "{\"i\": 5, \"si\": [\"set\", [1, 2, 3]], \"s3\": [\"set\", [1, 2]],"
    " \"m\": [\"map\", [[\"a\", \"b\"], [\"c\", \"d\"]]],"
    " \"oi\": [\"set\", []], \"sr\": [\"set\", [1.5, 2.5]],"
    " \"m2\": [\"map\", [[\"x\", 1]]]}";

static struct ovsdb_schema *schema;
static const struct ovsdb_table_schema *table;

static void
setup(void)
{
    schema = t_parse_schema(T_SCHEMA);
    table = ovsdb_schema_get_table(schema, "A");
}

static void
teardown(void)
{
    ovsdb_schema_destroy(schema);
}

static struct ovsdb_error *
parse_mutations(const char *s, struct ovsdb_mutation_set *set)
{
    json_t *json = t_parse_json(s);
    struct ovsdb_symbol_table symtab;
    struct ovsdb_error *error;

    ovsdb_symbol_table_init(&symtab);
    error = ovsdb_mutation_set_from_json(table, json, &symtab, set);
    ovsdb_symbol_table_destroy(&symtab);
    json_decref(json);
    return error;
}

struct ok_case {
    const char *mutations;
    const char *column;      /* The column to check afterward... */
    const char *result;      /* ...and its expected value. */
};

#define INT64_MAX_S "9223372036854775807"

static const struct ok_case ok_cases[] = {
    /* integer scalar */
    { "[[\"i\", \"+=\", 3]]", "i", "8" },
    { "[[\"i\", \"-=\", 7]]", "i", "-2" },
    { "[[\"i\", \"*=\", -3]]", "i", "-15" },
    { "[[\"i\", \"*=\", 0]]", "i", "0" },
    { "[[\"i\", \"/=\", 2]]", "i", "2" },
    { "[[\"i\", \"/=\", -2]]", "i", "-2" },
    { "[[\"i\", \"%=\", 3]]", "i", "2" },
    { "[[\"i\", \"%=\", -3]]", "i", "2" },
    { "[[\"i\", \"-=\", 5], [\"i\", \"-=\", 1], [\"i\", \"%=\", 4]]",
      "i", "-1" },
    { "[[\"i\", \"-=\", 5], [\"i\", \"+=\", " INT64_MAX_S "]]",
      "i", INT64_MAX_S },
    { "[[\"i\", \"+=\", -9223372036854775808]]", "i",
      "-9223372036854775803" },
    /* the argument ignores the column's constraints, the result not */
    { "[[\"ic\", \"*=\", 1000]]", "ic", "0" },
    { "[[\"ic\", \"+=\", 60], [\"ic\", \"+=\", 40]]", "ic", "100" },
    /* real scalar */
    { "[[\"r\", \"+=\", 1.5]]", "r", "1.5" },
    { "[[\"r\", \"-=\", 0.25]]", "r", "-0.25" },
    { "[[\"r\", \"+=\", 3], [\"r\", \"/=\", 2]]", "r", "1.5" },
    { "[[\"r\", \"+=\", 3], [\"r\", \"*=\", -2]]", "r", "-6" },
    /* sets: each element */
    { "[[\"si\", \"+=\", 10]]", "si", "[\"set\", [11, 12, 13]]" },
    { "[[\"si\", \"-=\", 1]]", "si", "[\"set\", [0, 1, 2]]" },
    { "[[\"si\", \"*=\", -1]]", "si", "[\"set\", [-3, -2, -1]]" },
    { "[[\"si\", \"/=\", 1]]", "si", "[\"set\", [1, 2, 3]]" },
    { "[[\"si\", \"%=\", 5]]", "si", "[\"set\", [1, 2, 3]]" },
    { "[[\"sr\", \"*=\", 2]]", "sr", "[\"set\", [3, 5]]" },
    { "[[\"sr\", \"/=\", -0.5]]", "sr", "[\"set\", [-5, -3]]" },
    { "[[\"oi\", \"+=\", 1]]", "oi", "[\"set\", []]" },
    { "[[\"oi\", \"insert\", 4], [\"oi\", \"*=\", 3]]", "oi", "12" },
    { "[[\"si\", \"insert\", [\"set\", [1]]], [\"si\", \"-=\", 1]]",
      "si", "[\"set\", [0, 1, 2]]" },
    /* insert and delete on sets */
    { "[[\"oi\", \"insert\", 4]]", "oi", "4" },
    { "[[\"si\", \"insert\", [\"set\", [3, 4]]]]", "si",
      "[\"set\", [1, 2, 3, 4]]" },
    { "[[\"si\", \"insert\", [\"set\", []]]]", "si", "[\"set\", [1, 2, 3]]" },
    { "[[\"si\", \"delete\", [\"set\", [2, 9]]]]", "si", "[\"set\", [1, 3]]" },
    { "[[\"si\", \"delete\", 2]]", "si", "[\"set\", [1, 3]]" },
    { "[[\"s3\", \"delete\", [\"set\", [1, 4, 5, 6, 7]]]]", "s3", "2" },
    { "[[\"ss\", \"insert\", \"x\"], [\"ss\", \"insert\", \"a\"]]", "ss",
      "[\"set\", [\"a\", \"x\"]]" },
    { "[[\"sr\", \"delete\", 1.5]]", "sr", "2.5" },
    /* insert and delete on maps */
    { "[[\"m\", \"insert\", [\"map\", [[\"a\", \"z\"], [\"e\", \"f\"]]]]]",
      "m", "[\"map\", [[\"a\", \"b\"], [\"c\", \"d\"], [\"e\", \"f\"]]]" },
    { "[[\"m\", \"delete\", [\"set\", [\"a\"]]]]", "m",
      "[\"map\", [[\"c\", \"d\"]]]" },
    { "[[\"m\", \"delete\", \"c\"]]", "m", "[\"map\", [[\"a\", \"b\"]]]" },
    { "[[\"m\", \"delete\", [\"map\", [[\"c\", \"x\"], [\"a\", \"b\"]]]]]",
      "m", "[\"map\", [[\"c\", \"d\"]]]" },
    { "[[\"m\", \"delete\", [\"map\", []]]]", "m",
      "[\"map\", [[\"a\", \"b\"], [\"c\", \"d\"]]]" },
    { "[[\"m2\", \"insert\", [\"map\", [[\"y\", 2]]]]]", "m2",
      "[\"map\", [[\"x\", 1], [\"y\", 2]]]" },
    { "[[\"m2\", \"insert\", [\"map\", [[\"x\", 5]]]]]", "m2",
      "[\"map\", [[\"x\", 1]]]" },
    { "[[\"m2\", \"delete\", [\"map\", [[\"x\", 1], [\"y\", 2], "
      "[\"z\", 3]]]]]", "m2", "[\"map\", []]" },
    /* ephemeral columns are mutable */
    { "[[\"e\", \"+=\", 1]]", "e", "1" },
};

START_TEST(test_ok)
{
    const struct ok_case *oc = &ok_cases[_i];
    const struct ovsdb_column *column;
    struct ovsdb_mutation_set set;
    struct ovsdb_datum *row, expected;
    struct ovsdb_error *error;
    json_t *json;

    error = parse_mutations(oc->mutations, &set);
    ck_assert_msg(!error, "%s: %s", oc->mutations,
                  error ? ovsdb_error_to_string(error) : "");
    row = t_row_create(table, row_json);
    error = ovsdb_mutation_set_execute(row, &set);
    ck_assert_msg(!error, "%s: %s", oc->mutations,
                  error ? ovsdb_error_to_string(error) : "");

    column = ovsdb_table_schema_get_column(table, oc->column);
    json = t_parse_json(oc->result);
    error = ovsdb_datum_from_json(&expected, &column->type, json, NULL);
    ck_assert_ptr_null(error);
    if (!ovsdb_datum_equals(&row[column->index], &expected, &column->type)) {
        json_t *got = ovsdb_datum_to_json(&row[column->index],
                                          &column->type);
        char *s = json_dumps(got, JSON_ENCODE_ANY);
        ck_abort_msg("%s: %s is %s, expected %s",
                     oc->mutations, oc->column, s, oc->result);
    }
    ovsdb_datum_destroy(&expected, &column->type);
    json_decref(json);
    t_row_destroy(table, row);
    ovsdb_mutation_set_destroy(&set);
}
END_TEST

struct error_case {
    const char *mutations;
    const char *tag;
    const char *details;   /* NULL: worded by the datum code. */
};

/* An argument with too few or too many elements: Open vSwitch reports a
 * "syntax error" ("set must have exactly one member but 0 are present"). */
#define SIZE_ERROR "syntax error"

#define MISMATCH(OP, COL, TYPE) \
    "Type mismatch: \"" OP "\" operator may not be applied to column " \
    COL " of type " TYPE "."

static const struct error_case error_cases[] = {
    /* Found while parsing. */
    { "[[\"im\", \"+=\", 1]]", "constraint violation",
      "Cannot mutate immutable column im in table A." },
    { "[[\"_uuid\", \"+=\", 1]]", "constraint violation",
      "Cannot mutate immutable column _uuid in table A." },
    { "[[\"_version\", \"insert\", 1]]", "constraint violation",
      "Cannot mutate immutable column _version in table A." },
    { "[[\"nosuch\", \"+=\", 1]]", "unknown column",
      "No column nosuch in table A." },
    { "[[\"i\", \"foo\", 1]]", "unknown mutator", "No mutator named foo." },
    { "[[\"r\", \"%=\", 2]]", "syntax error",
      MISMATCH("%=", "r", "real") },
    { "[[\"sr\", \"%=\", 2]]", "syntax error",
      MISMATCH("%=", "sr", "set of reals") },
    { "[[\"s\", \"+=\", \"x\"]]", "syntax error",
      MISMATCH("+=", "s", "string") },
    { "[[\"b\", \"*=\", true]]", "syntax error",
      MISMATCH("*=", "b", "boolean") },
    { "[[\"u\", \"-=\", 1]]", "syntax error", MISMATCH("-=", "u", "uuid") },
    { "[[\"ss\", \"+=\", \"x\"]]", "syntax error",
      MISMATCH("+=", "ss", "set of strings") },
    { "[[\"m\", \"+=\", 1]]", "syntax error",
      MISMATCH("+=", "m", "map of (string, string) pairs") },
    { "[[\"m2\", \"/=\", 1]]", "syntax error",
      MISMATCH("/=", "m2", "map of up to 2 (string, integer) pairs") },
    { "[[\"i\", \"insert\", 1]]", "syntax error",
      MISMATCH("insert", "i", "integer") },
    { "[[\"s\", \"delete\", \"x\"]]", "syntax error",
      MISMATCH("delete", "s", "string") },
    { "[[\"i\"]]", "syntax error", "Parse error in mutation." },
    { "[[\"i\", \"+=\", 1, 2]]", "syntax error", "Parse error in mutation." },
    { "[[1, \"+=\", 1]]", "syntax error", "Parse error in mutation." },
    { "[1]", "syntax error", "Parse error in mutation." },
    { "{}", "syntax error", NULL },
    { "[[\"i\", \"+=\", [\"set\", [1, 2]]]]", SIZE_ERROR, NULL },
    { "[[\"i\", \"+=\", 1.5]]", "syntax error", NULL },
    { "[[\"si\", \"+=\", [\"set\", []]]]", SIZE_ERROR, NULL },
    { "[[\"m2\", \"insert\", [\"map\", [[\"a\", 1], [\"b\", 2], "
      "[\"c\", 3]]]]]", SIZE_ERROR, NULL },
    { "[[\"m\", \"delete\", [\"set\", [1]]]]", "syntax error", NULL },
    { "[[\"i\", \"+=\", 1], [\"nosuch\", \"+=\", 1]]", "unknown column",
      "No column nosuch in table A." },
    /* Found while executing. */
    { "[[\"i\", \"/=\", 0]]", "domain error", "Division by zero." },
    { "[[\"i\", \"%=\", 0]]", "domain error", "Division by zero." },
    { "[[\"r\", \"/=\", 0]]", "domain error", "Division by zero." },
    { "[[\"r\", \"/=\", 0.0]]", "domain error", "Division by zero." },
    { "[[\"si\", \"/=\", 0]]", "domain error", "Division by zero." },
    { "[[\"i\", \"+=\", " INT64_MAX_S "]]", "range error",
      "Result of \"+=\" operation is out of range." },
    { "[[\"i\", \"-=\", -" INT64_MAX_S "]]", "range error",
      "Result of \"-=\" operation is out of range." },
    { "[[\"i\", \"*=\", " INT64_MAX_S "]]", "range error",
      "Result of \"*=\" operation is out of range." },
    { "[[\"i\", \"*=\", -" INT64_MAX_S "]]", "range error",
      "Result of \"*=\" operation is out of range." },
    { "[[\"i\", \"-=\", 5], [\"i\", \"-=\", " INT64_MAX_S "], "
      "[\"i\", \"-=\", 1], [\"i\", \"/=\", -1]]", "range error",
      "Result of \"/=\" operation is out of range." },
    { "[[\"i\", \"-=\", 5], [\"i\", \"-=\", " INT64_MAX_S "], "
      "[\"i\", \"-=\", 1], [\"i\", \"%=\", -1]]", "range error",
      "Result of \"%=\" operation is out of range." },
    { "[[\"r\", \"+=\", 1], [\"r\", \"*=\", 1e308], [\"r\", \"*=\", 1e308]]",
      "range error", "Result of \"*=\" operation is out of range." },
    { "[[\"r\", \"-=\", 1e308], [\"r\", \"-=\", 1e308]]",
      "range error", "Result of \"-=\" operation is out of range." },
    { "[[\"r\", \"+=\", 1e300], [\"r\", \"/=\", 1e-300]]",
      "range error",
      "Result of \"/=\" operation is out of range." },
    { "[[\"sr\", \"*=\", 1e200], [\"sr\", \"*=\", 1e200]]",
      "range error", "Result of \"*=\" operation is out of range." },
    /* Rounding can make distinct elements equal. */
    { "[[\"sr\", \"+=\", 1.7e308]]", "constraint violation",
      "Result of \"+=\" operation contains duplicates." },
    { "[[\"ic\", \"+=\", 1000]]", "constraint violation", NULL },
    { "[[\"ic\", \"-=\", 1]]", "constraint violation", NULL },
    { "[[\"si\", \"*=\", 0]]", "constraint violation",
      "Result of \"*=\" operation contains duplicates." },
    { "[[\"si\", \"%=\", 2]]", "constraint violation",
      "Result of \"%=\" operation contains duplicates." },
    { "[[\"sr\", \"*=\", 0]]",
      "constraint violation",
      "Result of \"*=\" operation contains duplicates." },
    { "[[\"s3\", \"insert\", [\"set\", [5, 6]]]]", "constraint violation",
      "Attempted to store 4 elements in set of 1 to 3 integers." },
    { "[[\"s3\", \"delete\", [\"set\", [1, 2]]]]", "constraint violation",
      "Attempted to store 0 elements in set of 1 to 3 integers." },
    { "[[\"m2\", \"insert\", [\"map\", [[\"y\", 2]]]], "
      "[\"m2\", \"insert\", [\"map\", [[\"z\", 3]]]]]",
      "constraint violation",
      "Attempted to store 3 elements in map of up to 2 (string, integer) "
      "pairs." },
    { "[[\"oi\", \"insert\", 1], [\"oi\", \"insert\", 2]]",
      "constraint violation",
      "Attempted to store 2 elements in set of up to 1 integers." },
};

START_TEST(test_error)
{
    const struct error_case *ec = &error_cases[_i];
    struct ovsdb_mutation_set set;
    struct ovsdb_error *error = parse_mutations(ec->mutations, &set);

    if (!error) {
        struct ovsdb_datum *row = t_row_create(table, row_json);

        error = ovsdb_mutation_set_execute(row, &set);
        t_row_destroy(table, row);
        ovsdb_mutation_set_destroy(&set);
    } else {
        ck_assert_uint_eq(set.n_mutations, 0);
    }
    ck_assert_msg(error != NULL, "accepted %s", ec->mutations);
    ck_assert_msg(ec->tag
                  ? !strcmp(ovsdb_error_get_tag(error), ec->tag)
                  : (!strcmp(ovsdb_error_get_tag(error), "syntax error")
                     || !strcmp(ovsdb_error_get_tag(error),
                                "constraint violation")),
                  "%s: got %s", ec->mutations,
                  ovsdb_error_to_string(error));
    if (ec->details) {
        ck_assert_str_eq(error->details, ec->details);
    }
    ovsdb_error_destroy(error);
}
END_TEST

/* Open vSwitch quotes the mutation in parse errors (but not for an unknown
 * mutator). */
START_TEST(test_error_syntax)
{
    struct ovsdb_mutation_set set;
    struct ovsdb_error *error;
    json_t *exp;

    error = parse_mutations("[[\"im\", \"+=\", 1]]", &set);
    exp = t_parse_json("[\"im\", \"+=\", 1]");
    ck_assert(error->syntax && json_equal(error->syntax, exp));
    json_decref(exp);
    ovsdb_error_destroy(error);

    error = parse_mutations("[[\"s\", \"+=\", \"x\"]]", &set);
    exp = t_parse_json("[\"s\", \"+=\", \"x\"]");
    ck_assert(error->syntax && json_equal(error->syntax, exp));
    json_decref(exp);
    ovsdb_error_destroy(error);

    error = parse_mutations("[[\"i\", \"foo\", 1]]", &set);
    ck_assert_ptr_null(error->syntax);
    ovsdb_error_destroy(error);
}
END_TEST

START_TEST(test_to_json)
{
    static const char text[] =
        "[[\"i\", \"+=\", 1], [\"m\", \"delete\", \"a\"], "
        "[\"m\", \"delete\", [\"map\", [[\"a\", \"b\"]]]], "
        "[\"si\", \"insert\", [\"set\", [1, 2]]], "
        "[\"ic\", \"*=\", 1000], "
        "[\"m\", \"insert\", [\"map\", [[\"k\", \"v\"]]]]]";
    struct ovsdb_mutation_set set;
    json_t *json, *exp;

    ck_assert_ptr_null(parse_mutations(text, &set));
    ck_assert_uint_eq(set.n_mutations, 6);
    ck_assert_int_eq(set.mutations[0].mutator, OVSDB_M_ADD);
    ck_assert_int_eq(set.mutations[1].mutator, OVSDB_M_DELETE);
    ck_assert(!ovsdb_type_is_map(&set.mutations[1].type));
    ck_assert(ovsdb_type_is_map(&set.mutations[2].type));
    json = ovsdb_mutation_set_to_json(&set);
    exp = t_parse_json(text);
    ck_assert(json_equal(json, exp));
    json_decref(json);
    json_decref(exp);
    ovsdb_mutation_set_destroy(&set);

    ck_assert_str_eq(ovsdb_mutator_to_string(OVSDB_M_SUB), "-=");
    ck_assert_str_eq(ovsdb_mutator_to_string(OVSDB_M_MUL), "*=");
    ck_assert_str_eq(ovsdb_mutator_to_string(OVSDB_M_DIV), "/=");
    ck_assert_str_eq(ovsdb_mutator_to_string(OVSDB_M_MOD), "%=");
    ck_assert_str_eq(ovsdb_mutator_to_string(OVSDB_M_INSERT), "insert");
}
END_TEST

static Suite *
mutation_suite(void)
{
    Suite *s = suite_create("ovsdb-mutation");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_ok, 0, ARRAY_SIZE(ok_cases));
    tcase_add_loop_test(tc, test_error, 0, ARRAY_SIZE(error_cases));
    tcase_add_test(tc, test_error_syntax);
    tcase_add_test(tc, test_to_json);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(mutation_suite());
    int n_failed;

    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
