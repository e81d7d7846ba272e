/* test-ovsdb-condition.c: "where" clauses parse, fail and match rows as in
 * Open vSwitch 3.1.  The expected matches and errors were obtained by
 * running the same selects against Debian's ovsdb-server with the same
 * schema and rows. */
#include <config.h>

#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-condition.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "test-ovsdb-common.h"
#include "util.h"

#define UUID5 "55555555-5555-5555-5555-555555555555"
#define UUID6 "66666666-6666-6666-6666-666666666666"
#define ZERO_UUID "00000000-0000-0000-0000-000000000000"

/* Two rows; columns not named keep their defaults. */
static const char row5_json[] =
    "{\"_uuid\": [\"uuid\", \"" UUID5 "\"],"
    " \"_version\": [\"uuid\", \"" UUID6 "\"],"
    " \"i\": 5, \"si\": [\"set\", [1, 2, 3]], \"s3\": [\"set\", [1, 2]],"
    " \"m\": [\"map\", [[\"a\", \"b\"], [\"c\", \"d\"]]],"
    " \"oi\": [\"set\", []], \"sr\": [\"set\", [1.5, 2.5]],"
    " \"m2\": [\"map\", [[\"x\", 1]]]}";
static const char row6_json[] =
    "{\"_uuid\": [\"uuid\", \"" UUID6 "\"],"
    " \"i\": 6, \"s\": \"z\", \"oi\": 7, \"m\": [\"map\", [[\"a\", \"b\"]]],"
    " \"ss\": [\"set\", [\"a\", \"b\"]]}";

static struct ovsdb_schema *schema;
static const struct ovsdb_table_schema *table;
static struct ovsdb_datum *row5, *row6;

static void
setup(void)
{
    schema = t_parse_schema(T_SCHEMA);
    table = ovsdb_schema_get_table(schema, "A");
    row5 = t_row_create(table, row5_json);
    row6 = t_row_create(table, row6_json);
}

static void
teardown(void)
{
    t_row_destroy(table, row5);
    t_row_destroy(table, row6);
    ovsdb_schema_destroy(schema);
}

static struct ovsdb_error *
parse_condition(const char *where, bool allow_literals,
                struct ovsdb_condition *cnd)
{
    json_t *json = t_parse_json(where);
    struct ovsdb_symbol_table symtab;
    struct ovsdb_error *error;

    ovsdb_symbol_table_init(&symtab);
    error = ovsdb_condition_from_json(table, json, &symtab, allow_literals,
                                      cnd);
    ovsdb_symbol_table_destroy(&symtab);
    json_decref(json);
    return error;
}

struct match_case {
    const char *where;
    bool row5, row6;      /* Whether each row matches. */
};

static const struct match_case match_cases[] = {
    /* integer */
    { "[[\"i\", \"==\", 5]]", true, false },
    { "[[\"i\", \"!=\", 5]]", false, true },
    { "[[\"i\", \"<\", 6]]", true, false },
    { "[[\"i\", \"<=\", 6]]", true, true },
    { "[[\"i\", \">\", 5]]", false, true },
    { "[[\"i\", \">=\", 5]]", true, true },
    { "[[\"i\", \">=\", 7]]", false, false },
    { "[[\"i\", \"includes\", 5]]", true, false },
    { "[[\"i\", \"excludes\", 5]]", false, true },
    { "[[\"i\", \"==\", [\"set\", [6]]]]", false, true },
    /* real */
    { "[[\"r\", \"<\", 1]]", true, true },
    { "[[\"r\", \">\", -0.5]]", true, true },
    { "[[\"r\", \"<=\", -0.5]]", false, false },
    { "[[\"r\", \"==\", 0.5]]", false, false },
    { "[[\"r\", \"==\", 0]]", true, true },
    { "[[\"r\", \"!=\", 0.0]]", false, false },
    /* boolean */
    { "[[\"b\", \"==\", false]]", true, true },
    { "[[\"b\", \"!=\", true]]", true, true },
    { "[[\"b\", \"includes\", true]]", false, false },
    { "[[\"b\", \"excludes\", true]]", true, true },
    /* string */
    { "[[\"s\", \"==\", \"z\"]]", false, true },
    { "[[\"s\", \"!=\", \"\"]]", false, true },
    { "[[\"s\", \"excludes\", \"z\"]]", true, false },
    { "[[\"s\", \"includes\", \"\"]]", true, false },
    /* uuid, including the implicit columns */
    { "[[\"_uuid\", \"==\", [\"uuid\", \"" UUID5 "\"]]]", true, false },
    { "[[\"_uuid\", \"!=\", [\"uuid\", \"" UUID5 "\"]]]", false, true },
    { "[[\"_version\", \"==\", [\"uuid\", \"" UUID6 "\"]]]", true, false },
    { "[[\"_version\", \"!=\", [\"uuid\", \"" ZERO_UUID "\"]]]",
      true, false },
    { "[[\"u\", \"==\", [\"uuid\", \"" ZERO_UUID "\"]]]", true, true },
    { "[[\"ref\", \"==\", [\"set\", []]]]", true, true },
    { "[[\"ref\", \"includes\", [\"uuid\", \"" UUID5 "\"]]]", false, false },
    /* optional scalar: an empty one is a set with nothing in it */
    { "[[\"oi\", \"includes\", [\"set\", []]]]", true, true },
    { "[[\"oi\", \"==\", [\"set\", []]]]", true, false },
    { "[[\"oi\", \"!=\", [\"set\", []]]]", false, true },
    { "[[\"oi\", \"excludes\", [\"set\", []]]]", true, true },
    { "[[\"oi\", \"excludes\", [\"set\", [7, 8]]]]", true, false },
    { "[[\"oi\", \"excludes\", [\"set\", [8]]]]", true, true },
    { "[[\"oi\", \"includes\", 7]]", false, true },
    { "[[\"oi\", \"<\", 8]]", false, true },
    { "[[\"oi\", \"<=\", 7]]", false, true },
    { "[[\"oi\", \">\", 6]]", false, true },
    { "[[\"oi\", \">=\", 8]]", false, false },
    { "[[\"oi\", \"!=\", 7]]", true, false },
    { "[[\"oi\", \"==\", 7]]", false, true },
    /* sets */
    { "[[\"si\", \"includes\", [\"set\", []]]]", true, true },
    { "[[\"si\", \"excludes\", [\"set\", []]]]", true, true },
    { "[[\"si\", \"includes\", [\"set\", [1, 3]]]]", true, false },
    { "[[\"si\", \"includes\", [\"set\", [1, 4]]]]", false, false },
    { "[[\"si\", \"includes\", 2]]", true, false },
    { "[[\"si\", \"excludes\", [\"set\", [3, 4]]]]", false, true },
    { "[[\"si\", \"excludes\", [\"set\", [4, 5]]]]", true, true },
    { "[[\"si\", \"==\", [\"set\", []]]]", false, true },
    { "[[\"si\", \"==\", [\"set\", [3, 2, 1]]]]", true, false },
    { "[[\"si\", \"!=\", [\"set\", [1, 2]]]]", true, true },
    { "[[\"s3\", \"includes\", [\"set\", []]]]", true, true },
    { "[[\"s3\", \"==\", 0]]", false, true },
    { "[[\"ss\", \"includes\", \"a\"]]", false, true },
    { "[[\"ss\", \"excludes\", [\"set\", [\"b\", \"c\"]]]]", true, false },
    { "[[\"ss\", \"==\", [\"set\", [\"b\", \"a\"]]]]", false, true },
    { "[[\"sr\", \"includes\", 2.5]]", true, false },
    { "[[\"sr\", \"excludes\", [\"set\", [0.5, 1.5]]]]", false, true },
    /* maps: key-value pairs */
    { "[[\"m\", \"includes\", [\"map\", [[\"a\", \"b\"]]]]]", true, true },
    { "[[\"m\", \"includes\", [\"map\", [[\"a\", \"x\"]]]]]", false, false },
    { "[[\"m\", \"excludes\", [\"map\", [[\"a\", \"x\"]]]]]", true, true },
    { "[[\"m\", \"excludes\", [\"map\", [[\"c\", \"d\"]]]]]", false, true },
    { "[[\"m\", \"==\", [\"map\", [[\"a\", \"b\"]]]]]", false, true },
    { "[[\"m\", \"!=\", [\"map\", [[\"a\", \"b\"]]]]]", true, false },
    { "[[\"m\", \"==\", [\"map\", []]]]", false, false },
    { "[[\"m2\", \"includes\", [\"map\", [[\"x\", 1]]]]]", true, false },
    { "[[\"m2\", \"includes\", [\"map\", [[\"x\", 2]]]]]", false, false },
    { "[[\"m2\", \"excludes\", [\"map\", [[\"x\", 2]]]]]", true, true },
    { "[[\"m2\", \"excludes\", [\"map\", [[\"x\", 1], [\"y\", 1], "
      "[\"z\", 1]]]]]", false, true },
    /* conjunctions and literals */
    { "[]", true, true },
    { "[[\"ss\", \"==\", [\"set\", []]], [\"i\", \">\", 5]]", false, false },
    { "[[\"i\", \">\", 4], [\"i\", \"<\", 6]]", true, false },
    { "[[\"i\", \">\", 4], [\"s\", \"==\", \"z\"]]", false, true },
    { "[true]", true, true },
    { "[false]", false, false },
    { "[true, [\"i\", \"==\", 5]]", true, false },
    { "[[\"i\", \"==\", 5], false]", false, false },
};

START_TEST(test_match)
{
    const struct match_case *mc = &match_cases[_i];
    struct ovsdb_condition cnd;
    struct ovsdb_error *error = parse_condition(mc->where, true, &cnd);

    ck_assert_msg(!error, "%s: %s", mc->where,
                  error ? ovsdb_error_to_string(error) : "");
    ck_assert_msg(ovsdb_condition_evaluate(&cnd, row5) == mc->row5,
                  "%s on row 5", mc->where);
    ck_assert_msg(ovsdb_condition_evaluate(&cnd, row6) == mc->row6,
                  "%s on row 6", mc->where);
    ovsdb_condition_destroy(&cnd);
}
END_TEST

struct error_case {
    const char *where;
    bool allow_literals;
    const char *tag;
    const char *details;   /* NULL: worded by the datum parser. */
    const char *syntax;    /* NULL: not checked; "" none expected. */
};

/* An argument with too few or too many elements: Open vSwitch reports a
 * "syntax error" ("set must have exactly one member but 0 are present"). */
#define SIZE_ERROR "syntax error"

#define MISMATCH(OP, COL, TYPE) \
    "Type mismatch: \"" OP "\" operator may not be applied to column " \
    COL " of type " TYPE "."

static const struct error_case error_cases[] = {
    { "[[\"nosuch\", \"==\", 1]]", true, "unknown column",
      "No column nosuch in table A.", "[\"nosuch\", \"==\", 1]" },
    { "[[\"i\", \"foo\", 1]]", true, "unknown function",
      "No function named foo.", "" },
    { "[[\"i\", \"true\", 1]]", true, "unknown function",
      "No function named true.", "" },
    { "[[\"s\", \"<\", \"x\"]]", true, "syntax error",
      MISMATCH("<", "s", "string"), "[\"s\", \"<\", \"x\"]" },
    { "[[\"si\", \"<\", 1]]", true, "syntax error",
      MISMATCH("<", "si", "set of integers"), "[\"si\", \"<\", 1]" },
    { "[[\"sr\", \">=\", 1]]", true, "syntax error",
      MISMATCH(">=", "sr", "set of reals"), NULL },
    { "[[\"s3\", \">\", 1]]", true, "syntax error",
      MISMATCH(">", "s3", "set of 1 to 3 integers"), NULL },
    { "[[\"b\", \"<=\", true]]", true, "syntax error",
      MISMATCH("<=", "b", "boolean"), NULL },
    { "[[\"u\", \"<\", [\"uuid\", \"" ZERO_UUID "\"]]]", true,
      "syntax error", MISMATCH("<", "u", "uuid"), NULL },
    { "[[\"m\", \"<\", 1]]", true, "syntax error",
      MISMATCH("<", "m", "map of (string, string) pairs"), NULL },
    { "[[\"i\"]]", true, "syntax error", "Parse error in condition.",
      "[\"i\"]" },
    { "[1]", true, "syntax error", "Parse error in condition.", "1" },
    { "[[\"i\", \"==\", 1, 2]]", true, "syntax error",
      "Parse error in condition.", NULL },
    { "[[1, \"==\", 1]]", true, "syntax error",
      "Parse error in condition.", NULL },
    { "[[\"i\", 1, 1]]", true, "syntax error",
      "Parse error in condition.", NULL },
    { "[true]", false, "syntax error", "Parse error in condition.",
      "true" },
    { "{}", true, "syntax error", NULL, NULL },
    { "true", true, "syntax error", NULL, NULL },
    /* The argument's type. */
    { "[[\"i\", \"<\", \"x\"]]", true, "syntax error", NULL, NULL },
    { "[[\"i\", \"<\", 1.5]]", true, "syntax error", NULL, NULL },
    { "[[\"oi\", \"<=\", [\"set\", []]]]", true, SIZE_ERROR, NULL,
      NULL },
    { "[[\"s3\", \"==\", [\"set\", [1, 2, 3, 4]]]]", true, SIZE_ERROR,
      NULL, NULL },
    { "[[\"s3\", \"includes\", [\"set\", [1, 2, 3, 4]]]]", true,
      SIZE_ERROR, NULL, NULL },
    { "[[\"i\", \"==\", [\"set\", []]]]", true, SIZE_ERROR, NULL, NULL },
    { "[[\"i\", \"includes\", [\"set\", []]]]", true, SIZE_ERROR, NULL,
      NULL },
    { "[[\"i\", \"excludes\", [\"set\", [1, 2]]]]", true, SIZE_ERROR,
      NULL, NULL },
    { "[[\"oi\", \"includes\", [\"set\", [1, 2]]]]", true, SIZE_ERROR,
      NULL, NULL },
    { "[[\"m\", \"includes\", [\"set\", [\"a\"]]]]", true, "syntax error",
      NULL, NULL },
    { "[[\"m2\", \"==\", [\"map\", [[\"a\", 1], [\"b\", 2], [\"c\", 3]]]]]",
      true, SIZE_ERROR, NULL, NULL },
    { "[[\"ic\", \"==\", 200]]", true, "constraint violation", NULL, NULL },
    /* An error in any clause fails the whole condition. */
    { "[[\"i\", \"==\", 1], [\"nosuch\", \"==\", 1]]", true,
      "unknown column", "No column nosuch in table A.", NULL },
};

START_TEST(test_error)
{
    const struct error_case *ec = &error_cases[_i];
    struct ovsdb_condition cnd;
    struct ovsdb_error *error = parse_condition(ec->where,
                                                ec->allow_literals, &cnd);

    ck_assert_msg(error != NULL, "accepted %s", ec->where);
    if (ec->tag) {
        ck_assert_str_eq(ovsdb_error_get_tag(error), ec->tag);
    } else {
        const char *tag = ovsdb_error_get_tag(error);
        ck_assert_msg(!strcmp(tag, "syntax error")
                      || !strcmp(tag, "constraint violation"),
                      "%s: %s", ec->where, ovsdb_error_to_string(error));
    }
    if (ec->details) {
        ck_assert_str_eq(error->details, ec->details);
    }
    if (ec->syntax && !ec->syntax[0]) {
        ck_assert_ptr_null(error->syntax);
    } else if (ec->syntax) {
        json_t *exp = t_parse_json(ec->syntax);
        ck_assert_msg(error->syntax && json_equal(error->syntax, exp),
                      "syntax of error for %s", ec->where);
        json_decref(exp);
    }
    ck_assert_uint_eq(cnd.n_clauses, 0);    /* Nothing left to destroy. */
    ovsdb_condition_destroy(&cnd);
    ovsdb_error_destroy(error);
}
END_TEST

/* Relaxed bounds the datum parser must accept. */
START_TEST(test_relaxed_arguments)
{
    static const char *const ok[] = {
        "[[\"s3\", \"includes\", [\"set\", []]]]",
        "[[\"s3\", \"excludes\", [\"set\", [1, 2, 3, 4, 5]]]]",
        "[[\"oi\", \"excludes\", [\"set\", [1, 2]]]]",
        ("[[\"m2\", \"excludes\", [\"map\", [[\"a\", 1], [\"b\", 2], "
         "[\"c\", 3]]]]]"),
        "[[\"oi\", \"<\", 1]]",
    };

    for (size_t i = 0; i < ARRAY_SIZE(ok); i++) {
        struct ovsdb_condition cnd;
        struct ovsdb_error *error = parse_condition(ok[i], false, &cnd);

        ck_assert_msg(!error, "%s: %s", ok[i],
                      error ? ovsdb_error_to_string(error) : "");
        ovsdb_condition_destroy(&cnd);
    }
}
END_TEST

START_TEST(test_literals)
{
    struct ovsdb_condition cnd;

    ck_assert_ptr_null(parse_condition("[]", false, &cnd));
    ck_assert(ovsdb_condition_is_true(&cnd));
    ck_assert(!ovsdb_condition_is_false(&cnd));
    ovsdb_condition_destroy(&cnd);

    ck_assert_ptr_null(parse_condition("[true, true]", true, &cnd));
    ck_assert(ovsdb_condition_is_true(&cnd));
    ck_assert(!ovsdb_condition_is_false(&cnd));
    ovsdb_condition_destroy(&cnd);

    ck_assert_ptr_null(parse_condition("[true, false]", true, &cnd));
    ck_assert(!ovsdb_condition_is_true(&cnd));
    ck_assert(ovsdb_condition_is_false(&cnd));
    ovsdb_condition_destroy(&cnd);

    ck_assert_ptr_null(parse_condition("[[\"i\", \"==\", 1]]", true, &cnd));
    ck_assert(!ovsdb_condition_is_true(&cnd));
    ck_assert(!ovsdb_condition_is_false(&cnd));
    ovsdb_condition_destroy(&cnd);
}
END_TEST

START_TEST(test_to_json_and_equals)
{
    static const char where[] =
        "[[\"s\", \"==\", \"z\"], true, [\"i\", \">\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]]]";
    static const char reordered[] =
        "[[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]], "
        "[\"i\", \">\", 4], [\"si\", \"includes\", [\"set\", [2, 1]]], "
        "true, [\"s\", \"==\", \"z\"]]";
    struct ovsdb_condition a, b, c;
    json_t *json, *exp;
    char *text;

    ck_assert_ptr_null(parse_condition(where, true, &a));
    ck_assert_ptr_null(parse_condition(reordered, true, &b));
    ck_assert(ovsdb_condition_equals(&a, &b));
    ck_assert(ovsdb_condition_equals(&a, &a));

    /* Printing gives back every clause; reparsing gives the same
     * condition. */
    json = ovsdb_condition_to_json(&a);
    ck_assert_uint_eq(json_array_size(json), 5);
    exp = t_parse_json("[\"i\", \">\", 4]");
    bool found = false;
    for (size_t i = 0; i < json_array_size(json); i++) {
        found |= json_equal(json_array_get(json, i), exp);
    }
    ck_assert(found);
    json_decref(exp);
    text = json_dumps(json, 0);
    ck_assert_ptr_null(parse_condition(text, true, &c));
    ck_assert(ovsdb_condition_equals(&a, &c));
    free(text);
    json_decref(json);
    ovsdb_condition_destroy(&c);
    ovsdb_condition_destroy(&b);

    /* Any difference in function, column or argument. */
    static const char *const different[] = {
        "[[\"s\", \"==\", \"z\"], true, [\"i\", \">=\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]]]",
        "[[\"s\", \"==\", \"y\"], true, [\"i\", \">\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]]]",
        "[[\"s\", \"==\", \"z\"], true, [\"oi\", \">\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]]]",
        "[[\"s\", \"==\", \"z\"], false, [\"i\", \">\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"b\"]]]]]",
        "[[\"s\", \"==\", \"z\"], true, [\"i\", \">\", 4], "
        "[\"si\", \"includes\", [\"set\", [1, 2]]], "
        "[\"m\", \"excludes\", [\"map\", [[\"a\", \"c\"]]]]]",
        ("[[\"s\", \"==\", \"z\"], true, [\"i\", \">\", 4], "
         "[\"si\", \"includes\", [\"set\", [1, 2]]]]"),
    };
    for (size_t i = 0; i < ARRAY_SIZE(different); i++) {
        ck_assert_ptr_null(parse_condition(different[i], true, &b));
        ck_assert_msg(!ovsdb_condition_equals(&a, &b), "%s", different[i]);
        ovsdb_condition_destroy(&b);
    }
    ovsdb_condition_destroy(&a);
}
END_TEST

START_TEST(test_function_names)
{
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_EQ), "==");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_NE), "!=");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_LT), "<");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_LE), "<=");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_GT), ">");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_GE), ">=");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_INCLUDES),
                     "includes");
    ck_assert_str_eq(ovsdb_function_to_string(OVSDB_F_EXCLUDES),
                     "excludes");
}
END_TEST

static Suite *
condition_suite(void)
{
    Suite *s = suite_create("ovsdb-condition");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_loop_test(tc, test_match, 0, ARRAY_SIZE(match_cases));
    tcase_add_loop_test(tc, test_error, 0, ARRAY_SIZE(error_cases));
    tcase_add_test(tc, test_relaxed_arguments);
    tcase_add_test(tc, test_literals);
    tcase_add_test(tc, test_to_json_and_equals);
    tcase_add_test(tc, test_function_names);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(condition_suite());
    int n_failed;

    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
