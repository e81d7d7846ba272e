/* test-ovsdb-data.c: the OVSDB data model as a user sees it.
 *
 * Each case feeds JSON or ovs-vsctl text in and checks what comes out: the
 * printed JSON, the printed text, or the error's tag and details.  Expected
 * strings were taken from Open vSwitch 3.1 (ovsdb-server replies, ovsdb-tool
 * and ovs-vsctl output) wherever OVS has an equivalent. */
#include <config.h>

#include <check.h>
#include <float.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-types.h"
#include "util.h"
#include "uuid.h"

/* Helpers.  Every helper owns and frees what it allocates; the returned
 * strings are the caller's. */

static json_t *
parse_json(const char *s)
{
    json_error_t err;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &err);

    ck_assert_msg(json != NULL, "bad test JSON %s: %s", s, err.text);
    return json;
}

static char *
dump_json(json_t *json)
{
    /* ovsdb-server prints reals with 15 significant digits; the JSON-RPC
     * layer must ask jansson for the same. */
    char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY
                         | JSON_SORT_KEYS | JSON_REAL_PRECISION(15));
    ck_assert_ptr_nonnull(s);
    json_decref(json);
    return s;
}

/* "tag: details" of 'error', which it frees; "" for success. */
static char *
error_string(struct ovsdb_error *error)
{
    char *s;

    if (!error) {
        return xstrdup("");
    }
    s = ovsdb_error_to_string(error);
    ovsdb_error_destroy(error);
    return s;
}

#define ck_assert_error(ERROR, EXPECTED) do {           \
        char *s_ = error_string(ERROR);                  \
        ck_assert_str_eq(s_, EXPECTED);                  \
        free(s_);                                        \
    } while (0)

static void
type_parse(struct ovsdb_type *type, const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_error *error = ovsdb_type_from_json(type, json);

    ck_assert_msg(!error, "%s: %s", s, error ? error->details : "");
    json_decref(json);
}

/* Parses 's' as a type and prints it back. */
static void
check_type_round_trip(const char *s, const char *expected)
{
    struct ovsdb_type type;
    char *out;

    type_parse(&type, s);
    out = dump_json(ovsdb_type_to_json(&type));
    ck_assert_str_eq(out, expected);
    free(out);

    /* The printed form must parse to the same type. */
    struct ovsdb_type again;
    type_parse(&again, expected);
    out = dump_json(ovsdb_type_to_json(&again));
    ck_assert_str_eq(out, expected);
    free(out);
    ovsdb_type_destroy(&again);
    ovsdb_type_destroy(&type);
}

static char *
type_error(const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_type type;
    struct ovsdb_error *error = ovsdb_type_from_json(&type, json);

    json_decref(json);
    ck_assert_msg(error != NULL, "type %s should not parse", s);
    return error_string(error);
}

#define ck_assert_type_error(TYPE, EXPECTED) do {       \
        char *s_ = type_error(TYPE);                    \
        ck_assert_str_eq(s_, EXPECTED);                 \
        free(s_);                                       \
    } while (0)

/* Parses datum JSON 'in' of type 'type_s' and prints it; or the error. */
static char *
datum_json(const char *type_s, const char *in,
           struct ovsdb_symbol_table *symtab)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;
    struct ovsdb_error *error;
    json_t *json = parse_json(in);
    char *out;

    type_parse(&type, type_s);
    error = ovsdb_datum_from_json(&datum, &type, json, symtab);
    json_decref(json);
    if (error) {
        out = error_string(error);
    } else {
        out = dump_json(ovsdb_datum_to_json(&datum, &type));
        ovsdb_datum_destroy(&datum, &type);
    }
    ovsdb_type_destroy(&type);
    return out;
}

#define ck_assert_datum_json(TYPE, IN, EXPECTED) do {   \
        char *s_ = datum_json(TYPE, IN, NULL);          \
        ck_assert_str_eq(s_, EXPECTED);                 \
        free(s_);                                       \
    } while (0)

/* Parses text 'in' and prints it back as text, or returns the error. */
static char *
datum_text(const char *type_s, const char *in, bool bare)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;
    char *out;

    type_parse(&type, type_s);
    out = ovsdb_datum_from_string(&datum, &type, in, NULL);
    if (!out) {
        out = (bare ? ovsdb_datum_to_bare(&datum, &type)
                    : ovsdb_datum_to_string(&datum, &type));
        ovsdb_datum_destroy(&datum, &type);
    }
    ovsdb_type_destroy(&type);
    return out;
}

#define ck_assert_datum_text(TYPE, IN, EXPECTED) do {   \
        char *s_ = datum_text(TYPE, IN, false);         \
        ck_assert_str_eq(s_, EXPECTED);                 \
        free(s_);                                       \
    } while (0)

#define ck_assert_datum_bare(TYPE, IN, EXPECTED) do {   \
        char *s_ = datum_text(TYPE, IN, true);          \
        ck_assert_str_eq(s_, EXPECTED);                 \
        free(s_);                                       \
    } while (0)

/* A datum from JSON that must parse. */
static void
datum_parse(struct ovsdb_datum *datum, const struct ovsdb_type *type,
            const char *s)
{
    json_t *json = parse_json(s);
    struct ovsdb_error *error = ovsdb_datum_from_json_unbounded(datum, type,
                                                                json, NULL);
    ck_assert_msg(!error, "%s: %s", s, error ? error->details : "");
    json_decref(json);
}

static char *
datum_dump(const struct ovsdb_datum *datum, const struct ovsdb_type *type)
{
    return dump_json(ovsdb_datum_to_json(datum, type));
}

#define ck_assert_datum_eq(DATUM, TYPE, EXPECTED) do {  \
        char *s_ = datum_dump(DATUM, TYPE);             \
        ck_assert_str_eq(s_, EXPECTED);                 \
        free(s_);                                       \
    } while (0)

static const char SET_INT[] =
    "{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}";
static const char SET_STR[] =
    "{\"key\":\"string\",\"min\":0,\"max\":\"unlimited\"}";
static const char MAP_SS[] =
    "{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
    "\"max\":\"unlimited\"}";
static const char OPT_INT[] = "{\"key\":\"integer\",\"min\":0}";

/* Errors. */

START_TEST(test_error_json)
{
    json_t *syntax = parse_json("[\"set\",1]");
    struct ovsdb_error *error = ovsdb_syntax_error(syntax, NULL,
                                                   "expected %s", "x");
    struct ovsdb_error *clone;
    char *s;

    json_decref(syntax);
    error = ovsdb_error_wrap(error, "column %s", "c");
    ck_assert_str_eq(ovsdb_error_get_tag(error), "syntax error");
    clone = ovsdb_error_clone(error);
    s = dump_json(ovsdb_error_to_json_free(error));
    ck_assert_str_eq(s, "{\"details\":\"column c: expected x\","
                     "\"error\":\"syntax error\","
                     "\"syntax\":\"[\\\"set\\\",1]\"}");
    free(s);
    ck_assert_error(clone, "syntax error: column c: expected x");

    error = ovsdb_error("constraint violation", NULL);
    s = dump_json(ovsdb_error_to_json(error));
    ck_assert_str_eq(s, "{\"error\":\"constraint violation\"}");
    free(s);
    ck_assert_error(error, "constraint violation");
}
END_TEST

/* Types. */

START_TEST(test_type_round_trip)
{
    check_type_round_trip("\"integer\"", "\"integer\"");
    check_type_round_trip("{\"key\":\"string\"}", "\"string\"");
    check_type_round_trip("{\"key\":{\"type\":\"uuid\"},\"min\":1,\"max\":1}",
                          "\"uuid\"");
    check_type_round_trip("{\"key\":\"integer\",\"min\":0,\"max\":1}",
                          "{\"key\":\"integer\",\"min\":0}");
    check_type_round_trip("{\"key\":\"integer\",\"min\":1,\"max\":2}",
                          "{\"key\":\"integer\",\"max\":2}");
    check_type_round_trip(SET_INT, "{\"key\":\"integer\",\"max\":"
                          "\"unlimited\",\"min\":0}");
    check_type_round_trip(MAP_SS, "{\"key\":\"string\",\"max\":"
                          "\"unlimited\",\"min\":0,\"value\":\"string\"}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"integer\",\"minInteger\":0,"
        "\"maxInteger\":4095}}",
        "{\"key\":{\"maxInteger\":4095,\"minInteger\":0,"
        "\"type\":\"integer\"}}");
    /* Real bounds print as ovsdb-server prints them: 1.0 as 1. */
    check_type_round_trip(
        "{\"key\":{\"type\":\"real\",\"minReal\":1.0,\"maxReal\":2.5}}",
        "{\"key\":{\"maxReal\":2.5,\"minReal\":1,\"type\":\"real\"}}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"minLength\":0,"
        "\"maxLength\":4294967295}}", "\"string\"");
    check_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"minLength\":1}}",
        "{\"key\":{\"minLength\":1,\"type\":\"string\"}}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"b\",\"a\"]]}}",
        "{\"key\":{\"enum\":[\"set\",[\"a\",\"b\"]],\"type\":\"string\"}}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"string\",\"enum\":\"x\"}}",
        "{\"key\":{\"enum\":\"x\",\"type\":\"string\"}}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\","
        "\"refType\":\"strong\"},\"min\":0,\"max\":\"unlimited\"}",
        "{\"key\":{\"refTable\":\"t\",\"type\":\"uuid\"},"
        "\"max\":\"unlimited\",\"min\":0}");
    check_type_round_trip(
        "{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\","
        "\"refType\":\"weak\"},\"min\":0}",
        "{\"key\":{\"refTable\":\"t\",\"refType\":\"weak\",\"type\":\"uuid\"},"
        "\"min\":0}");
}
END_TEST

START_TEST(test_type_predicates)
{
    struct ovsdb_type type, clone;

    type_parse(&type, "{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\","
               "\"refType\":\"weak\"},\"min\":0,\"max\":1}");
    ck_assert(ovsdb_type_is_optional_scalar(&type));
    ck_assert(ovsdb_base_type_is_weak_ref(&type.key));
    ck_assert(!ovsdb_base_type_is_strong_ref(&type.key));
    ovsdb_type_clone(&clone, &type);
    ovsdb_type_destroy(&type);
    ck_assert_str_eq(clone.key.u.uuid.ref_table_name, "t");
    ck_assert(ovsdb_type_is_valid(&clone));
    ovsdb_type_destroy(&clone);

    type_parse(&type, MAP_SS);
    ck_assert(ovsdb_type_is_map(&type));
    ck_assert(ovsdb_type_is_composite(&type));
    ck_assert(!ovsdb_type_is_set(&type));
    ovsdb_type_destroy(&type);

    enum ovsdb_atomic_type at;
    ck_assert(ovsdb_atomic_type_from_string("real", &at));
    ck_assert_int_eq(at, OVSDB_TYPE_REAL);
    ck_assert(!ovsdb_atomic_type_from_string("void", &at));
    ck_assert(!ovsdb_atomic_type_from_string(NULL, &at));
    ck_assert_str_eq(ovsdb_atomic_type_to_string(OVSDB_TYPE_UUID), "uuid");
}
END_TEST

START_TEST(test_type_errors)
{
    ck_assert_type_error("\"foo\"",
                         "syntax error: \"foo\" is not an atomic-type");
    ck_assert_type_error("{\"key\":\"void\"}",
                         "syntax error: \"void\" is not an atomic-type");
    ck_assert_type_error("{\"key\":{\"type\":\"integer\",\"minLength\":1}}",
                         "syntax error: Parsing ovsdb type failed: Member "
                         "'minLength' is present but not allowed here.");
    ck_assert_type_error("{\"key\":{\"type\":\"uuid\",\"refType\":\"weak\"}}",
                         "syntax error: Parsing ovsdb type failed: Member "
                         "'refType' is present but not allowed here.");
    ck_assert_type_error("{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\","
                         "\"refType\":\"foo\"}}",
                         "syntax error: refType must be \"strong\" or "
                         "\"weak\" (not \"foo\")");
    ck_assert_type_error("{\"key\":{\"type\":\"integer\",\"minInteger\":5,"
                         "\"maxInteger\":1}}",
                         "syntax error: minInteger exceeds maxInteger");
    ck_assert_type_error("{\"key\":{\"type\":\"real\",\"minReal\":5,"
                         "\"maxReal\":1}}",
                         "syntax error: minReal exceeds maxReal");
    ck_assert_type_error("{\"key\":{\"type\":\"string\",\"minLength\":5,"
                         "\"maxLength\":1}}",
                         "syntax error: minLength exceeds maxLength");
    ck_assert_type_error("{\"key\":{\"type\":\"string\",\"minLength\":-1}}",
                         "syntax error: minLength out of valid range 0 to "
                         "4294967295");
    ck_assert_type_error("{\"key\":{\"type\":\"integer\",\"minInteger\":1.5}}",
                         "syntax error: Parsing ovsdb type failed: Type "
                         "mismatch for member 'minInteger'.");
    ck_assert_type_error("{\"key\":{\"type\":\"integer\","
                         "\"enum\":[\"set\",[\"a\"]]}}",
                         "syntax error: expected integer");
    ck_assert_type_error("{\"key\":\"integer\",\"min\":2}",
                         "syntax error: ovsdb type fails constraint checks");
    ck_assert_type_error("{\"key\":\"integer\",\"max\":0}",
                         "syntax error: ovsdb type fails constraint checks");
    ck_assert_type_error("{\"key\":\"integer\",\"min\":-1}",
                         "syntax error: bad min or max value");
    ck_assert_type_error("{\"key\":\"integer\",\"max\":\"x\"}",
                         "syntax error: bad min or max value");
    ck_assert_type_error("{\"key\":\"integer\",\"max\":1.5}",
                         "syntax error: Parsing ovsdb type failed: Type "
                         "mismatch for member 'max'.");
    ck_assert_type_error("{\"value\":\"integer\"}",
                         "syntax error: Parsing ovsdb type failed: Required "
                         "'key' member is missing.");
    ck_assert_type_error("{\"key\":\"integer\",\"foo\":1}",
                         "syntax error: Parsing ovsdb type failed: Member "
                         "'foo' is present but not allowed here.");
    ck_assert_type_error("[]", "syntax error: ovsdb type expected");
}
END_TEST

/* Atoms and datums in JSON. */

START_TEST(test_datum_json_scalars)
{
    ck_assert_datum_json("\"integer\"", "-5", "-5");
    ck_assert_datum_json("\"integer\"", "[\"set\",[7]]", "7");
    ck_assert_datum_json("\"real\"", "1", "1");
    ck_assert_datum_json("\"real\"", "2.5", "2.5");
    ck_assert_datum_json("\"real\"", "0.1", "0.1");
    ck_assert_datum_json("\"real\"", "-3.0", "-3");
    ck_assert_datum_json("\"boolean\"", "true", "true");
    ck_assert_datum_json("\"string\"", "\"h\\u00e9\"", "\"h\xc3\xa9\"");
    ck_assert_datum_json("\"uuid\"",
                         "[\"uuid\",\"5e198ef2-6512-4830-93be-84a22dbb3b3a\"]",
                         "[\"uuid\",\"5e198ef2-6512-4830-93be-84a22dbb3b3a\"]");

    ck_assert_datum_json("\"integer\"", "1.5",
                         "syntax error: expected integer");
    ck_assert_datum_json("\"real\"", "\"1\"", "syntax error: expected real");
    ck_assert_datum_json("\"boolean\"", "1",
                         "syntax error: expected boolean");
    ck_assert_datum_json("\"string\"", "1", "syntax error: expected string");
    ck_assert_datum_json("\"uuid\"", "\"abc\"",
                         "syntax error: expected [\"uuid\", <string>]");
    ck_assert_datum_json("\"uuid\"", "[\"uuid\",\"abc\"]",
                         "syntax error: \"abc\" is not a valid UUID");
    ck_assert_datum_json("\"uuid\"", "[\"named-uuid\",\"x\"]",
                         "syntax error: expected [\"uuid\", <string>]");
}
END_TEST

START_TEST(test_datum_json_sets_and_maps)
{
    ck_assert_datum_json(SET_INT, "[\"set\",[3,1,2]]", "[\"set\",[1,2,3]]");
    ck_assert_datum_json(SET_INT, "[\"set\",[]]", "[\"set\",[]]");
    ck_assert_datum_json(SET_INT, "[\"set\",[4]]", "4");
    ck_assert_datum_json(SET_INT, "4", "4");
    ck_assert_datum_json(SET_STR, "[\"set\",[\"b\",\"a\"]]",
                         "[\"set\",[\"a\",\"b\"]]");
    ck_assert_datum_json("{\"key\":\"uuid\",\"min\":0,\"max\":\"unlimited\"}",
                         "[\"uuid\",\"00000000-0000-0000-0000-000000000001\"]",
                         "[\"uuid\",\"00000000-0000-0000-0000-000000000001\"]");
    ck_assert_datum_json(MAP_SS, "[\"map\",[[\"b\",\"1\"],[\"a\",\"2\"]]]",
                         "[\"map\",[[\"a\",\"2\"],[\"b\",\"1\"]]]");
    ck_assert_datum_json(MAP_SS, "[\"map\",[]]", "[\"map\",[]]");
    ck_assert_datum_json(MAP_SS, "[\"map\",[[\"a\",\"1\"]]]",
                         "[\"map\",[[\"a\",\"1\"]]]");
    ck_assert_datum_json("{\"key\":\"string\",\"value\":\"real\",\"min\":0,"
                         "\"max\":\"unlimited\"}",
                         "[\"map\",[[\"x\",3.0],[\"z\",0.5]]]",
                         "[\"map\",[[\"x\",3],[\"z\",0.5]]]");

    /* Malformed shapes are syntax errors. */
    ck_assert_datum_json(SET_INT, "[\"set\",1]",
                         "syntax error: expected [\"set\", <array>]");
    ck_assert_datum_json(SET_INT, "[\"foo\",[1]]",
                         "syntax error: expected integer");
    ck_assert_datum_json(MAP_SS, "\"a\"",
                         "syntax error: expected [\"map\", <array>]");
    ck_assert_datum_json(MAP_SS, "[\"map\",[[\"a\"]]]",
                         "syntax error: expected 2-element array");
    ck_assert_datum_json(MAP_SS, "[\"map\",[[\"a\",1]]]",
                         "syntax error: expected string");

    /* Duplicates and sizes, tagged and worded as ovsdb-server does. */
    ck_assert_datum_json(SET_INT, "[\"set\",[1,2,1]]",
                         "ovsdb error: set contains duplicate");
    ck_assert_datum_json(MAP_SS, "[\"map\",[[\"a\",\"b\"],[\"a\",\"c\"]]]",
                         "ovsdb error: map contains duplicate key");
    ck_assert_datum_json("{\"key\":\"integer\",\"max\":2}", "[\"set\",[]]",
                         "syntax error: set must have 1 to 2 "
                         "members but 0 are present");
    ck_assert_datum_json("{\"key\":\"integer\",\"max\":2}",
                         "[\"set\",[1,2,3]]",
                         "syntax error: set must have 1 to 2 "
                         "members but 3 are present");
    ck_assert_datum_json("{\"key\":\"integer\",\"max\":\"unlimited\"}",
                         "[\"set\",[]]",
                         "syntax error: set must have 1 to 4294967295 "
                         "members but 0 are present");
    ck_assert_datum_json("\"integer\"", "[\"set\",[]]",
                         "syntax error: set must have exactly one "
                         "member but 0 are present");
}
END_TEST

START_TEST(test_datum_json_unbounded)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;

    type_parse(&type, "{\"key\":\"integer\",\"max\":2}");
    datum_parse(&datum, &type, "[\"set\",[3,2,1]]");
    ck_assert_datum_eq(&datum, &type, "[\"set\",[1,2,3]]");
    ck_assert_error(ovsdb_datum_check_constraints(&datum, &type),
                    "syntax error: set must have 1 to 2 members "
                    "but 3 are present");
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

START_TEST(test_constraints)
{
    static const char I[] = "{\"key\":{\"type\":\"integer\",\"minInteger\":0,"
                            "\"maxInteger\":4095}}";
    static const char IMAX[] = "{\"key\":{\"type\":\"integer\","
                               "\"maxInteger\":10}}";
    static const char IMIN[] = "{\"key\":{\"type\":\"integer\","
                               "\"minInteger\":10}}";
    static const char R[] = "{\"key\":{\"type\":\"real\",\"minReal\":0,"
                            "\"maxReal\":10}}";
    static const char RMIN[] = "{\"key\":{\"type\":\"real\","
                               "\"minReal\":0.5}}";
    static const char S[] = "{\"key\":{\"type\":\"string\",\"minLength\":2,"
                            "\"maxLength\":3}}";
    static const char E[] = "{\"key\":{\"type\":\"string\","
                            "\"enum\":[\"set\",[\"a\",\"b\"]]}}";
    static const char E1[] = "{\"key\":{\"type\":\"string\",\"enum\":\"x\"}}";
    static const char EI[] = "{\"key\":{\"type\":\"integer\","
                             "\"enum\":[\"set\",[1,2]]},\"min\":0,"
                             "\"max\":\"unlimited\"}";

    ck_assert_datum_json(I, "4095", "4095");
    ck_assert_datum_json(I, "7000", "constraint violation: 7000 is not in "
                         "the valid range 0 to 4095 (inclusive)");
    ck_assert_datum_json(I, "-1", "constraint violation: -1 is not in "
                         "the valid range 0 to 4095 (inclusive)");
    ck_assert_datum_json(IMAX, "11", "constraint violation: 11 is greater "
                         "than maximum allowed value 10");
    ck_assert_datum_json(IMIN, "9", "constraint violation: 9 is less "
                         "than minimum allowed value 10");
    ck_assert_datum_json(R, "10", "10");
    ck_assert_datum_json(R, "10.5", "constraint violation: 10.5 is not in "
                         "the valid range 0 to 10 (inclusive)");
    ck_assert_datum_json(RMIN, "0.25", "constraint violation: 0.25 is less "
                         "than minimum allowed value 0.5");
    ck_assert_datum_json(S, "\"abc\"", "\"abc\"");
    ck_assert_datum_json(S, "\"\\u00e9\\u00e9\\u00e9\"",
                         "\"\xc3\xa9\xc3\xa9\xc3\xa9\"");   /* 3 characters. */
    ck_assert_datum_json(S, "\"a\"", "constraint violation: \"a\" length 1 "
                         "is less than minimum allowed length 2");
    ck_assert_datum_json(S, "\"abcd\"", "constraint violation: \"abcd\" "
                         "length 4 is greater than maximum allowed length 3");
    ck_assert_datum_json(E, "\"b\"", "\"b\"");
    ck_assert_datum_json(E, "\"c\"", "constraint violation: c is not one of "
                         "the allowed values ([a, b])");
    ck_assert_datum_json(E1, "\"c\"", "constraint violation: c is not one "
                         "of the allowed values ([x])");
    ck_assert_datum_json(EI, "[\"set\",[2,1]]", "[\"set\",[1,2]]");
    ck_assert_datum_json(EI, "[\"set\",[1,3]]", "constraint violation: 3 is "
                         "not one of the allowed values ([1, 2])");
}
END_TEST

START_TEST(test_invalid_utf8)
{
    struct ovsdb_base_type base;
    union ovsdb_atom atom;

    ovsdb_base_type_init(&base, OVSDB_TYPE_STRING);
    atom.string = "ab\xff";
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base),
                    "constraint violation: not a valid UTF-8 string: "
                    "invalid UTF-8 sequence 0xff");
    atom.string = "\xc3(";
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base),
                    "constraint violation: not a valid UTF-8 string: "
                    "invalid UTF-8 sequence 0xc3 0x28");
    atom.string = "\xc0\x80";   /* Overlong NUL. */
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base),
                    "constraint violation: not a valid UTF-8 string: "
                    "invalid UTF-8 sequence 0xc0");
    atom.string = "\xe0\x80\x80";   /* Overlong 3-byte form. */
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base),
                    "constraint violation: not a valid UTF-8 string: "
                    "invalid code point U+0000");
    atom.string = "\xed\xa0\x80";   /* UTF-16 surrogate. */
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base),
                    "constraint violation: not a valid UTF-8 string: "
                    "UTF-16 surrogate U+D800 not allowed");
    atom.string = "\xf0\x9f\x98\x80 ok";
    ck_assert_error(ovsdb_atom_check_constraints(&atom, &base), "");

    char *msg = ovsdb_atom_from_string(&atom, &base, "\xff", NULL);
    ck_assert_str_eq(msg, "constraint violation: not a valid UTF-8 string: "
                     "invalid UTF-8 sequence 0xff");
    free(msg);
    ovsdb_base_type_destroy(&base);
}
END_TEST

START_TEST(test_atom_basics)
{
    union ovsdb_atom a, b;

    ovsdb_atom_init_default(&a, OVSDB_TYPE_STRING);
    ck_assert(ovsdb_atom_is_default(&a, OVSDB_TYPE_STRING));
    ovsdb_atom_clone(&b, &a, OVSDB_TYPE_STRING);
    ck_assert_ptr_ne(a.string, b.string);
    ck_assert(ovsdb_atom_equals(&a, &b, OVSDB_TYPE_STRING));
    ck_assert_uint_eq(ovsdb_atom_hash(&a, OVSDB_TYPE_STRING, 1),
                      ovsdb_atom_hash(&b, OVSDB_TYPE_STRING, 1));
    ovsdb_atom_destroy(&a, OVSDB_TYPE_STRING);
    ovsdb_atom_destroy(&b, OVSDB_TYPE_STRING);

    a.real = 0.0;
    b.real = -0.0;
    ck_assert(ovsdb_atom_equals(&a, &b, OVSDB_TYPE_REAL));
    ck_assert_uint_eq(ovsdb_atom_hash(&a, OVSDB_TYPE_REAL, 0),
                      ovsdb_atom_hash(&b, OVSDB_TYPE_REAL, 0));
    a.integer = -1;
    b.integer = 1;
    ck_assert_int_lt(ovsdb_atom_compare_3way(&a, &b, OVSDB_TYPE_INTEGER), 0);
    a.boolean = true;
    b.boolean = false;
    ck_assert_int_gt(ovsdb_atom_compare_3way(&a, &b, OVSDB_TYPE_BOOLEAN), 0);
}
END_TEST

START_TEST(test_datum_default)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum;

    type_parse(&type, MAP_SS);
    ovsdb_datum_init_default(&datum, &type);
    ck_assert_uint_eq(datum.n, 0);
    ck_assert(ovsdb_datum_is_default(&datum, &type));
    ovsdb_type_destroy(&type);

    type_parse(&type, "{\"key\":\"string\",\"value\":\"integer\"}");
    ovsdb_datum_init_default(&datum, &type);
    ck_assert_datum_eq(&datum, &type, "[\"map\",[[\"\",0]]]");
    ck_assert(ovsdb_datum_is_default(&datum, &type));
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);

    type_parse(&type, "\"uuid\"");
    ovsdb_datum_init_default(&datum, &type);
    ck_assert_datum_eq(&datum, &type,
                       "[\"uuid\",\"00000000-0000-0000-0000-000000000000\"]");
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

/* Sorting. */

START_TEST(test_sort)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    union ovsdb_atom k, v;

    type_parse(&type, MAP_SS);
    k.string = "b"; v.string = "1";
    ovsdb_datum_add_unsafe(&datum, &k, &v, &type);
    k.string = "a"; v.string = "2";
    ovsdb_datum_add_unsafe(&datum, &k, &v, &type);
    k.string = "b"; v.string = "3";
    ovsdb_datum_add_unsafe(&datum, &k, &v, &type);

    struct ovsdb_datum copy;
    ovsdb_datum_clone(&copy, &datum, &type);
    ck_assert_error(ovsdb_datum_sort(&copy, &type),
                    "ovsdb error: map contains duplicate key");
    ovsdb_datum_destroy(&copy, &type);

    /* sort_unique keeps the first value given for a key. */
    ovsdb_datum_sort_unique(&datum, &type);
    ck_assert_datum_eq(&datum, &type,
                       "[\"map\",[[\"a\",\"2\"],[\"b\",\"1\"]]]");
    ck_assert_error(ovsdb_datum_sort(&datum, &type), "");

    k.string = "b";
    v.string = "1";
    ck_assert_uint_eq(ovsdb_datum_find_key(&datum, &k, OVSDB_TYPE_STRING), 1);
    ck_assert_uint_eq(ovsdb_datum_find_key_value(&datum, &k,
                                                 OVSDB_TYPE_STRING, &v,
                                                 OVSDB_TYPE_STRING), 1);
    v.string = "2";
    ck_assert_uint_eq(ovsdb_datum_find_key_value(&datum, &k,
                                                 OVSDB_TYPE_STRING, &v,
                                                 OVSDB_TYPE_STRING),
                      UINT_MAX);
    k.string = "c";
    ck_assert_uint_eq(ovsdb_datum_find_key(&datum, &k, OVSDB_TYPE_STRING),
                      UINT_MAX);

    ovsdb_datum_remove(&datum, 0, &type);
    ck_assert_datum_eq(&datum, &type, "[\"map\",[[\"b\",\"1\"]]]");
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

START_TEST(test_sort_large)
{
    struct ovsdb_type type;
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    const unsigned int n = 20000;

    type_parse(&type, SET_INT);
    for (unsigned int i = 0; i < n; i++) {
        /* A permutation of 0..n-1 (7919 is prime, coprime with n). */
        union ovsdb_atom k = { .integer = (i * 7919u) % n };
        ovsdb_datum_add_unsafe(&datum, &k, NULL, &type);
    }
    ck_assert_error(ovsdb_datum_sort(&datum, &type), "");
    ck_assert_uint_eq(datum.n, n);
    for (unsigned int i = 0; i < n; i++) {
        ck_assert_int_eq(datum.keys[i].integer, i);
    }
    ovsdb_datum_destroy(&datum, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

/* Comparison and set operations. */

START_TEST(test_compare)
{
    struct ovsdb_type type;
    struct ovsdb_datum a, b, c;

    type_parse(&type, MAP_SS);
    datum_parse(&a, &type, "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]");
    datum_parse(&b, &type, "[\"map\",[[\"b\",\"2\"],[\"a\",\"1\"]]]");
    datum_parse(&c, &type, "[\"map\",[[\"a\",\"1\"],[\"b\",\"3\"]]]");
    ck_assert(ovsdb_datum_equals(&a, &b, &type));
    ck_assert_uint_eq(ovsdb_datum_hash(&a, &type, 0),
                      ovsdb_datum_hash(&b, &type, 0));
    ck_assert(!ovsdb_datum_equals(&a, &c, &type));
    ck_assert_int_lt(ovsdb_datum_compare_3way(&a, &c, &type), 0);
    ck_assert_int_gt(ovsdb_datum_compare_3way(&c, &a, &type), 0);

    ovsdb_datum_swap(&a, &c);
    ck_assert_datum_eq(&a, &type, "[\"map\",[[\"a\",\"1\"],[\"b\",\"3\"]]]");
    ovsdb_datum_destroy(&a, &type);
    ovsdb_datum_destroy(&b, &type);
    ovsdb_datum_destroy(&c, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

START_TEST(test_includes_excludes)
{
    struct ovsdb_type set, map;
    struct ovsdb_datum a, b, c, empty = OVSDB_DATUM_EMPTY_INIT;

    type_parse(&set, SET_INT);
    datum_parse(&a, &set, "[\"set\",[1,3]]");
    datum_parse(&b, &set, "[\"set\",[1,2,3,4]]");
    datum_parse(&c, &set, "[\"set\",[5,6]]");
    ck_assert(ovsdb_datum_includes_all(&a, &b, &set));
    ck_assert(!ovsdb_datum_includes_all(&b, &a, &set));
    ck_assert(ovsdb_datum_includes_all(&empty, &a, &set));
    ck_assert(ovsdb_datum_excludes_all(&c, &b, &set));
    ck_assert(!ovsdb_datum_excludes_all(&a, &b, &set));
    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_destroy(&b, &set);
    ovsdb_datum_destroy(&c, &set);

    /* For maps, key-value pairs must match. */
    type_parse(&map, MAP_SS);
    datum_parse(&a, &map, "[\"map\",[[\"a\",\"1\"]]]");
    datum_parse(&b, &map, "[\"map\",[[\"a\",\"2\"],[\"b\",\"1\"]]]");
    ck_assert(!ovsdb_datum_includes_all(&a, &b, &map));
    ck_assert(ovsdb_datum_excludes_all(&a, &b, &map));
    ovsdb_datum_destroy(&a, &map);
    ovsdb_datum_destroy(&b, &map);
    ovsdb_type_destroy(&set);
    ovsdb_type_destroy(&map);
}
END_TEST

/* A few keys into a large set or map take a different path (binary search
 * and insertion instead of a merge): it must give the same result. */
START_TEST(test_union_into_large)
{
    struct ovsdb_type set, map;
    struct ovsdb_datum a, b, expect;
    json_t *elems = json_array(), *pairs = json_array();
    json_t *more, *expect_json;
    char *s;

    type_parse(&set, SET_INT);
    for (int i = 0; i < 200; i += 2) {
        json_array_append_new(elems, json_integer(i));
    }
    more = json_pack("[s,O]", "set", elems);
    s = json_dumps(more, JSON_COMPACT);
    json_decref(more);
    datum_parse(&a, &set, s);
    free(s);
    /* New keys at the front, in the middle, at the end, and one that is
     * already present. */
    datum_parse(&b, &set, "[\"set\",[-5,7,100,1000]]");
    ovsdb_datum_union(&a, &b, &set);
    json_array_append_new(elems, json_integer(-5));
    json_array_append_new(elems, json_integer(7));
    json_array_append_new(elems, json_integer(1000));
    expect_json = json_pack("[s,o]", "set", elems);
    ck_assert_ptr_null(ovsdb_datum_from_json(&expect, &set, expect_json,
                                             NULL));
    ck_assert(ovsdb_datum_equals(&a, &expect, &set));
    ck_assert_int_eq(a.n, 103);
    json_decref(expect_json);
    ovsdb_datum_destroy(&expect, &set);
    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_destroy(&b, &set);

    /* A map keeps the existing value of a key that is already there. */
    type_parse(&map, MAP_SS);
    for (int i = 0; i < 100; i++) {
        char k[16];
        snprintf(k, sizeof k, "k%03d", i);
        json_array_append_new(pairs, json_pack("[s,s]", k, "old"));
    }
    more = json_pack("[s,O]", "map", pairs);
    s = json_dumps(more, JSON_COMPACT);
    json_decref(more);
    datum_parse(&a, &map, s);
    free(s);
    datum_parse(&b, &map, "[\"map\",[[\"k050\",\"new\"],[\"k050x\",\"x\"]]]");
    ovsdb_datum_union(&a, &b, &map);
    ck_assert_int_eq(a.n, 101);
    more = ovsdb_datum_to_json(&a, &map);
    s = json_dumps(more, JSON_COMPACT);
    ck_assert_ptr_nonnull(strstr(s, "[\"k050\",\"old\"],[\"k050x\",\"x\"],"
                                    "[\"k051\",\"old\"]"));
    free(s);
    json_decref(more);
    json_decref(pairs);
    ovsdb_datum_destroy(&a, &map);
    ovsdb_datum_destroy(&b, &map);
    ovsdb_type_destroy(&map);
    ovsdb_type_destroy(&set);
}
END_TEST

START_TEST(test_union_subtract)
{
    struct ovsdb_type set, map, keys;
    struct ovsdb_datum a, b;

    type_parse(&set, SET_STR);
    datum_parse(&a, &set, "[\"set\",[\"a\",\"c\",\"e\"]]");
    datum_parse(&b, &set, "[\"set\",[\"b\",\"c\",\"f\"]]");
    ovsdb_datum_union(&a, &b, &set);
    ck_assert_datum_eq(&a, &set,
                       "[\"set\",[\"a\",\"b\",\"c\",\"e\",\"f\"]]");
    ovsdb_datum_subtract(&a, &set, &b, &set);
    ck_assert_datum_eq(&a, &set, "[\"set\",[\"a\",\"e\"]]");
    ovsdb_datum_subtract(&a, &set, &a, &set);   /* Everything. */
    ck_assert_datum_eq(&a, &set, "[\"set\",[]]");
    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_destroy(&b, &set);

    /* Union on a map does not replace an existing key's value. */
    type_parse(&map, MAP_SS);
    datum_parse(&a, &map, "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]");
    datum_parse(&b, &map, "[\"map\",[[\"b\",\"9\"],[\"c\",\"3\"]]]");
    ovsdb_datum_union(&a, &b, &map);
    ck_assert_datum_eq(&a, &map, "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"],"
                       "[\"c\",\"3\"]]]");
    /* Deleting pairs removes only exact matches... */
    ovsdb_datum_subtract(&a, &map, &b, &map);
    ck_assert_datum_eq(&a, &map, "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"]]]");
    ovsdb_datum_destroy(&b, &map);
    /* ...deleting keys removes whatever the value. */
    type_parse(&keys, SET_STR);
    datum_parse(&b, &keys, "[\"set\",[\"b\",\"z\"]]");
    ovsdb_datum_subtract(&a, &map, &b, &keys);
    ck_assert_datum_eq(&a, &map, "[\"map\",[[\"a\",\"1\"]]]");
    ovsdb_datum_destroy(&a, &map);
    ovsdb_datum_destroy(&b, &keys);
    ovsdb_type_destroy(&set);
    ovsdb_type_destroy(&map);
    ovsdb_type_destroy(&keys);
}
END_TEST

/* update2 diffs. */

static void
check_diff(const char *type_s, const char *old_s, const char *new_s,
           const char *expected_diff)
{
    struct ovsdb_type type;
    struct ovsdb_datum old, new, diff, applied;

    type_parse(&type, type_s);
    datum_parse(&old, &type, old_s);
    datum_parse(&new, &type, new_s);
    ovsdb_datum_diff(&diff, &old, &new, &type);
    ck_assert_datum_eq(&diff, &type, expected_diff);
    ck_assert_error(ovsdb_datum_apply_diff(&applied, &old, &diff, &type), "");
    ck_assert(ovsdb_datum_equals(&applied, &new, &type));
    ovsdb_datum_destroy(&old, &type);
    ovsdb_datum_destroy(&new, &type);
    ovsdb_datum_destroy(&diff, &type);
    ovsdb_datum_destroy(&applied, &type);
    ovsdb_type_destroy(&type);
}

START_TEST(test_diff)
{
    check_diff(SET_INT, "[\"set\",[1,2,3]]", "[\"set\",[2,3,4]]",
               "[\"set\",[1,4]]");
    check_diff(SET_INT, "[\"set\",[1,2]]", "[\"set\",[1,2]]", "[\"set\",[]]");
    check_diff(SET_INT, "[\"set\",[]]", "[\"set\",[5]]", "5");
    check_diff(MAP_SS, "[\"map\",[[\"a\",\"1\"],[\"b\",\"2\"],[\"c\",\"3\"]]]",
               "[\"map\",[[\"b\",\"2\"],[\"c\",\"9\"],[\"d\",\"4\"]]]",
               "[\"map\",[[\"a\",\"1\"],[\"c\",\"9\"],[\"d\",\"4\"]]]");
    check_diff("\"string\"", "\"x\"", "\"y\"", "\"y\"");
    /* At most one value (ovsdb-server(7)): the diff is the new value,
     * an empty set when the column becomes empty. */
    check_diff(OPT_INT, "10", "20", "20");
    check_diff(OPT_INT, "10", "[\"set\",[]]", "[\"set\",[]]");
    check_diff(OPT_INT, "[\"set\",[]]", "20", "20");
    check_diff("{\"key\":\"string\",\"min\":0}", "\"x\"", "\"y\"",
               "\"y\"");
    check_diff("{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
               "\"max\":1}", "[\"map\",[[\"a\",\"1\"]]]",
               "[\"map\",[[\"b\",\"2\"]]]", "[\"map\",[[\"b\",\"2\"]]]");
    /* Two values allowed: a symmetric difference again. */
    check_diff("{\"key\":\"integer\",\"min\":0,\"max\":2}", "10",
               "[\"set\",[20]]", "[\"set\",[10,20]]");
}
END_TEST

START_TEST(test_apply_diff_bounds)
{
    struct ovsdb_type type;
    struct ovsdb_datum old, diff, new;

    type_parse(&type, "{\"key\":\"integer\",\"min\":0,\"max\":2}");
    datum_parse(&old, &type, "[\"set\",[1,2]]");
    datum_parse(&diff, &type, "3");
    ck_assert_error(ovsdb_datum_apply_diff(&new, &old, &diff, &type),
                    "constraint violation: applying the diff leaves 3 "
                    "elements, but the column allows 0 to 2");
    ck_assert_uint_eq(new.n, 0);
    ovsdb_datum_destroy(&diff, &type);
    datum_parse(&diff, &type, "[\"set\",[2,3]]");
    ck_assert_error(ovsdb_datum_apply_diff(&new, &old, &diff, &type), "");
    ck_assert_datum_eq(&new, &type, "[\"set\",[1,3]]");
    ovsdb_datum_destroy(&new, &type);
    ovsdb_datum_destroy(&old, &type);
    ovsdb_datum_destroy(&diff, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

START_TEST(test_diff_large)
{
    /* 100,000-element sets: a quadratic diff would take minutes. */
    struct ovsdb_type type;
    struct ovsdb_datum old = OVSDB_DATUM_EMPTY_INIT;
    struct ovsdb_datum new = OVSDB_DATUM_EMPTY_INIT;
    struct ovsdb_datum diff, applied;
    const int n = 100000;

    type_parse(&type, SET_INT);
    for (int i = 0; i < n; i++) {
        union ovsdb_atom k = { .integer = i };
        ovsdb_datum_add_unsafe(&old, &k, NULL, &type);
        k.integer = i + 1;
        ovsdb_datum_add_unsafe(&new, &k, NULL, &type);
    }
    ovsdb_datum_diff(&diff, &old, &new, &type);
    ck_assert_datum_eq(&diff, &type, "[\"set\",[0,100000]]");
    ck_assert_error(ovsdb_datum_apply_diff(&applied, &old, &diff, &type), "");
    ck_assert(ovsdb_datum_equals(&applied, &new, &type));
    ovsdb_datum_union(&old, &new, &type);
    ck_assert_uint_eq(old.n, n + 1);
    ovsdb_datum_subtract(&old, &type, &new, &type);
    ck_assert_datum_eq(&old, &type, "0");
    ovsdb_datum_destroy(&old, &type);
    ovsdb_datum_destroy(&new, &type);
    ovsdb_datum_destroy(&diff, &type);
    ovsdb_datum_destroy(&applied, &type);
    ovsdb_type_destroy(&type);
}
END_TEST

/* Text forms. */

START_TEST(test_atom_text)
{
    struct ovsdb_base_type base;
    union ovsdb_atom atom;
    char *s;

    /* The strings ovs-vsctl prints bare, and the ones it quotes. */
    static const struct { const char *in, *out; } strings[] = {
        { "abc", "abc" }, { "a1", "a1" }, { "br0", "br0" },
        { "_a-b.c", "_a-b.c" }, { "false1", "false1" },
        { "x y", "\"x y\"" }, { "123", "\"123\"" }, { "1a", "\"1a\"" },
        { "-1", "\"-1\"" }, { "true", "\"true\"" }, { "false", "\"false\"" },
        { "", "\"\"" }, { "a:b", "\"a:b\"" }, { "ab/c", "\"ab/c\"" },
        { "q\"\\", "\"q\\\"\\\\\"" }, { "a\tb\nc", "\"a\\tb\\nc\"" },
        { "\x01", "\"\\u0001\"" }, { "\xc3\xa9", "\"\xc3\xa9\"" },
        { "bc2ae984-d097-4b9c-894e-c60495f4db49",
          "\"bc2ae984-d097-4b9c-894e-c60495f4db49\"" },
    };
    ovsdb_base_type_init(&base, OVSDB_TYPE_STRING);
    for (size_t i = 0; i < ARRAY_SIZE(strings); i++) {
        atom.string = (char *) strings[i].in;
        s = ovsdb_atom_to_string(&atom, OVSDB_TYPE_STRING);
        ck_assert_str_eq(s, strings[i].out);
        free(s);
        s = ovsdb_atom_to_bare(&atom, OVSDB_TYPE_STRING);
        ck_assert_str_eq(s, strings[i].in);
        free(s);

        /* And each printed form reads back as the original. */
        union ovsdb_atom back;
        ck_assert_ptr_null(ovsdb_atom_from_string(&back, &base,
                                                  strings[i].out, NULL));
        ck_assert_str_eq(back.string, strings[i].in);
        ovsdb_atom_destroy(&back, OVSDB_TYPE_STRING);
    }

    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base,
                                              "\"\\u00e9\\/\\ud83d\\ude00\"",
                                              NULL));
    ck_assert_str_eq(atom.string, "\xc3\xa9/\xf0\x9f\x98\x80");
    ovsdb_atom_destroy(&atom, OVSDB_TYPE_STRING);

    s = ovsdb_atom_from_string(&atom, &base, "\"a\\qb\"", NULL);
    ck_assert_str_eq(s, "\"a\\qb\": bad escape \\q");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "\"a\\u0000\"", NULL);
    ck_assert_str_eq(s, "\"a\\u0000\": null bytes not supported in quoted "
                     "strings");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "\"abc", NULL);
    ck_assert_str_eq(s, "\"abc: missing quote at end of quoted string");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "\"abc\\\"", NULL);
    ck_assert_str_eq(s, "\"abc\\\": missing quote at end of quoted string");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "", NULL);
    ck_assert_str_eq(s, "An empty string is not valid as input; use \"\" to "
                     "represent the empty string");
    free(s);
    ovsdb_base_type_destroy(&base);

    /* Other types. */
    ovsdb_base_type_init(&base, OVSDB_TYPE_INTEGER);
    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base, "-42", NULL));
    ck_assert_int_eq(atom.integer, -42);
    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base, "+7", NULL));
    ck_assert_int_eq(atom.integer, 7);
    s = ovsdb_atom_from_string(&atom, &base, "1.5", NULL);
    ck_assert_str_eq(s, "\"1.5\" is not a valid integer");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "0x10", NULL);
    ck_assert_str_eq(s, "\"0x10\" is not a valid integer");
    free(s);
    base.u.integer.min = 1;
    base.u.integer.max = 65279;
    s = ovsdb_atom_from_string(&atom, &base, "99999", NULL);
    ck_assert_str_eq(s, "constraint violation: 99999 is not in the valid "
                     "range 1 to 65279 (inclusive)");
    free(s);

    ovsdb_base_type_init(&base, OVSDB_TYPE_REAL);
    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base, "1e3", NULL));
    s = ovsdb_atom_to_string(&atom, OVSDB_TYPE_REAL);
    ck_assert_str_eq(s, "1000");
    free(s);
    atom.real = 0.1;
    s = ovsdb_atom_to_string(&atom, OVSDB_TYPE_REAL);
    ck_assert_str_eq(s, "0.1");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "x", NULL);
    ck_assert_str_eq(s, "\"x\" is not a valid real number");
    free(s);

    ovsdb_base_type_init(&base, OVSDB_TYPE_BOOLEAN);
    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base, "yes", NULL));
    ck_assert(atom.boolean);
    ck_assert_ptr_null(ovsdb_atom_from_string(&atom, &base, "0", NULL));
    ck_assert(!atom.boolean);
    s = ovsdb_atom_from_string(&atom, &base, "TRUE", NULL);
    ck_assert_str_eq(s, "\"TRUE\" is not a valid boolean (use \"true\" or "
                     "\"false\")");
    free(s);

    ovsdb_base_type_init(&base, OVSDB_TYPE_UUID);
    ck_assert_ptr_null(ovsdb_atom_from_string(
                           &atom, &base,
                           "bc2ae984-d097-4b9c-894e-c60495f4db49", NULL));
    s = ovsdb_atom_to_string(&atom, OVSDB_TYPE_UUID);
    ck_assert_str_eq(s, "bc2ae984-d097-4b9c-894e-c60495f4db49");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "abc", NULL);
    ck_assert_str_eq(s, "\"abc\" is not a valid UUID");
    free(s);
    s = ovsdb_atom_from_string(&atom, &base, "@x", NULL);
    ck_assert_str_eq(s, "\"@x\" is not a valid UUID");
    free(s);
}
END_TEST

START_TEST(test_datum_text)
{
    static const char VLANS[] = "{\"key\":{\"type\":\"integer\","
                                "\"minInteger\":0,\"maxInteger\":4095},"
                                "\"min\":0,\"max\":4096}";
    static const char OPT[] = "{\"key\":\"string\",\"min\":0,\"max\":1}";
    static const char TAG[] = "{\"key\":\"integer\",\"min\":0,\"max\":1}";

    ck_assert_datum_text(VLANS, "1,2,3", "[1, 2, 3]");
    ck_assert_datum_text(VLANS, "[3, 1 ,2]", "[1, 2, 3]");
    ck_assert_datum_text(VLANS, "[1 2 , 3]", "[1, 2, 3]");
    ck_assert_datum_text(VLANS, "[ ]", "[]");
    ck_assert_datum_text(VLANS, "1-3,7", "[1, 2, 3, 7]");
    ck_assert_datum_text(VLANS, "5", "[5]");
    ck_assert_datum_text(VLANS, "[1,2", "[1,2: missing \"]\" at end of data");
    ck_assert_datum_text(VLANS, "[1,2] x",
                         "[1,2] x: trailing garbage after \"]\"");
    ck_assert_datum_text(VLANS, "1 2 x",
                         "\"x\" is not a valid integer or range");
    ck_assert_datum_text(VLANS, "3-1", "\"3-1\" is not a valid range. "
                         "Range end cannot be before start.");
    ck_assert_datum_text(VLANS, "1-5000", "constraint violation: 5000 is not "
                         "in the valid range 0 to 4095 (inclusive)");
    ck_assert_datum_text(SET_INT, "0-9999999999", "\"0-9999999999\" is too "
                         "big a range (at most 4096 values)");
    ck_assert_datum_text(SET_INT, "-2--1", "[-2, -1]");
    ck_assert_datum_text("{\"key\":{\"type\":\"integer\","
                         "\"enum\":[\"set\",[1,3]]},\"max\":3}", "1-3",
                         "constraint violation: 2 is not one of the allowed "
                         "values ([1, 3])");
    ck_assert_datum_text(VLANS, "1,1",
                         "1,1: set contains duplicate value");
    ck_assert_datum_text(VLANS, "", "use \"[]\" to specify the empty set");

    ck_assert_datum_text(MAP_SS, "{a=b c=d}", "{a=b, c=d}");
    ck_assert_datum_text(MAP_SS, "a=b,c=d", "{a=b, c=d}");
    ck_assert_datum_text(MAP_SS, "{\"a\" = \"b\" , c=d,}", "{a=b, c=d}");
    ck_assert_datum_text(MAP_SS, "{\"a b\"=\"c\\\"d\", k=\"1.5\"}",
                         "{\"a b\"=\"c\\\"d\", k=\"1.5\"}");
    ck_assert_datum_text(MAP_SS, "{}", "{}");
    ck_assert_datum_text(MAP_SS, "", "use \"{}\" to specify the empty map");
    ck_assert_datum_text(MAP_SS, "{a=b,a=c}",
                         "{a=b,a=c}: map contains duplicate key");
    ck_assert_datum_text(MAP_SS, "{a}",
                         "a}: syntax error at \"}\" expecting \"=\"");
    ck_assert_datum_text(MAP_SS, "{=b}", "{=b}: unexpected \"=\" parsing map "
                         "of (string, string) pairs");
    ck_assert_datum_text(MAP_SS, "a=b=c", "a=b=c: unexpected \"=\" parsing "
                         "map of (string, string) pairs");
    ck_assert_datum_text(MAP_SS, "{a=b", "{a=b: missing \"}\" at end of data");
    ck_assert_datum_text(MAP_SS, "{a=[b]}", "An empty string is not valid as "
                         "input; use \"\" to represent the empty string");
    ck_assert_datum_text(MAP_SS, "\"unterminated=b",
                         "\"unterminated=b: quoted string extends past end "
                         "of argument");

    ck_assert_datum_text("\"string\"", "br0", "br0");
    ck_assert_datum_text("\"string\"", "\"\"", "\"\"");
    ck_assert_datum_text("\"string\"", "[a]", "a");
    ck_assert_datum_text("\"string\"", "a b", "a b: 2 value(s) specified but "
                         "the maximum number is 1");
    ck_assert_datum_text("\"string\"", "[]", "[]: 0 value(s) specified but "
                         "the minimum number is 1");
    ck_assert_datum_text(OPT, "[]", "[]");
    ck_assert_datum_text(OPT, "secure", "secure");
    ck_assert_datum_text(TAG, "[1,2]", "[1,2]: 2 value(s) specified but the "
                         "maximum number is 1");
    ck_assert_datum_text("\"boolean\"", "on", "true");

    ck_assert_datum_bare(MAP_SS, "{a=\"x y\", b=\"\"}", "a=x y b=");
    ck_assert_datum_bare(VLANS, "1,2,3", "1 2 3");
    ck_assert_datum_bare(VLANS, "[]", "");
    ck_assert_datum_bare("\"string\"", "\"q\\\"\"", "q\"");
}
END_TEST

START_TEST(test_symtab)
{
    struct ovsdb_symbol_table symtab;
    struct ovsdb_symbol *sym;
    struct ovsdb_type type;
    struct ovsdb_datum datum;
    struct uuid uuid;
    char *s, *expected, buf[UUID_LEN + 1];

    ovsdb_symbol_table_init(&symtab);
    uuid_from_string(&uuid, "5e198ef2-6512-4830-93be-84a22dbb3b3a");
    sym = ovsdb_symbol_table_put(&symtab, "row1", &uuid, true);
    ck_assert(sym->created);
    ck_assert_ptr_eq(ovsdb_symbol_table_get(&symtab, "row1"), sym);
    ck_assert_ptr_null(ovsdb_symbol_table_get(&symtab, "nope"));

    /* A named-uuid resolves through the table; an unknown one is a forward
     * reference that gets a fresh UUID and records the reference kind. */
    type_parse(&type, "{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\"},"
               "\"min\":0,\"max\":\"unlimited\"}");
    s = datum_json("{\"key\":{\"type\":\"uuid\",\"refTable\":\"t\"},"
                   "\"min\":0,\"max\":\"unlimited\"}",
                   "[\"named-uuid\",\"row1\"]", &symtab);
    ck_assert_str_eq(s, "[\"uuid\",\"5e198ef2-6512-4830-93be-84a22dbb3b3a\"]");
    free(s);
    ck_assert(sym->strong_ref);
    ck_assert(!sym->weak_ref);

    json_t *json = parse_json("[\"set\",[[\"named-uuid\",\"row2\"],"
                              "[\"named-uuid\",\"row1\"]]]");
    ck_assert_error(ovsdb_datum_from_json(&datum, &type, json, &symtab), "");
    json_decref(json);
    sym = ovsdb_symbol_table_get(&symtab, "row2");
    ck_assert_ptr_nonnull(sym);
    ck_assert(!sym->created);
    ck_assert(!uuid_is_zero(&sym->uuid));
    ck_assert_uint_eq(datum.n, 2);
    ck_assert(ovsdb_datum_find_key(&datum, (union ovsdb_atom *) &sym->uuid,
                                   OVSDB_TYPE_UUID) != UINT_MAX);
    ovsdb_datum_destroy(&datum, &type);

    /* xsw-ctl's "@name" text form. */
    ck_assert_ptr_null(ovsdb_datum_from_string(&datum, &type, "[@row1, @new]",
                                               &symtab));
    ck_assert_uint_eq(datum.n, 2);
    sym = ovsdb_symbol_table_get(&symtab, "@new");
    ck_assert_ptr_nonnull(sym);
    ck_assert_ptr_eq(ovsdb_symbol_table_insert(&symtab, "@new"), sym);
    uuid_to_string(&sym->uuid, buf);
    s = ovsdb_datum_to_string(&datum, &type);
    ck_assert_ptr_nonnull(strstr(s, buf));
    free(s);
    ovsdb_datum_destroy(&datum, &type);

    /* Without a symbol table, named-uuid is just malformed. */
    s = datum_json("\"uuid\"", "[\"named-uuid\",\"row1\"]", NULL);
    expected = "syntax error: expected [\"uuid\", <string>]";
    ck_assert_str_eq(s, expected);
    free(s);

    ovsdb_type_destroy(&type);
    ovsdb_symbol_table_destroy(&symtab);
}
END_TEST

/* update2 diffs of large sets and maps of UUIDs skip their common ends a
 * block at a time: changes at the very ends, next to a block boundary, and
 * in the middle must all be found. */
static void
check_uuid_diff(const struct ovsdb_type *type, const struct ovsdb_datum *old,
                const struct ovsdb_datum *new, unsigned int expected_n)
{
    struct ovsdb_datum diff, applied;

    ovsdb_datum_diff(&diff, old, new, type);
    ck_assert_uint_eq(diff.n, expected_n);
    ck_assert_error(ovsdb_datum_apply_diff(&applied, old, &diff, type), "");
    ck_assert(ovsdb_datum_equals(&applied, new, type));
    ovsdb_datum_destroy(&diff, type);
    ovsdb_datum_destroy(&applied, type);
}

START_TEST(test_diff_uuid_ends)
{
    static const char *types[] = {
        "{\"key\":\"uuid\",\"min\":0,\"max\":\"unlimited\"}",
        "{\"key\":\"uuid\",\"value\":\"uuid\",\"min\":0,"
        "\"max\":\"unlimited\"}",
    };

    for (size_t t = 0; t < ARRAY_SIZE(types); t++) {
        struct ovsdb_type type;
        struct ovsdb_datum old = OVSDB_DATUM_EMPTY_INIT, new;
        bool is_map = t == 1;

        type_parse(&type, types[t]);
        for (int i = 0; i < 1000; i++) {
            union ovsdb_atom k, v;
            uuid_generate(&k.uuid);
            uuid_generate(&v.uuid);
            ovsdb_datum_add_unsafe(&old, &k, &v, &type);
        }
        ovsdb_datum_sort_unique(&old, &type);
        ck_assert_uint_eq(old.n, 1000);

        check_uuid_diff(&type, &old, &old, 0);
        static const unsigned int places[] = { 0, 63, 64, 500, 935, 936,
                                               999 };
        for (size_t p = 0; p < ARRAY_SIZE(places); p++) {
            unsigned int idx = places[p];

            /* One element removed. */
            ovsdb_datum_clone(&new, &old, &type);
            ovsdb_datum_remove(&new, idx, &type);
            check_uuid_diff(&type, &old, &new, 1);
            /* One element added, right after it. */
            union ovsdb_atom k = old.keys[idx], v;
            k.uuid.parts[3]++;
            uuid_generate(&v.uuid);
            ovsdb_datum_destroy(&new, &type);
            ovsdb_datum_clone(&new, &old, &type);
            ovsdb_datum_add_unsafe(&new, &k, &v, &type);
            ovsdb_datum_sort_unique(&new, &type);
            check_uuid_diff(&type, &old, &new, 1);
            if (is_map) {
                /* One value changed. */
                ovsdb_datum_destroy(&new, &type);
                ovsdb_datum_clone(&new, &old, &type);
                ovsdb_datum_unshare(&new, &type);
                new.values[idx].uuid.parts[0]++;
                check_uuid_diff(&type, &old, &new, 1);
            }
            ovsdb_datum_destroy(&new, &type);
        }
        ovsdb_datum_destroy(&old, &type);
        ovsdb_type_destroy(&type);
    }
}
END_TEST

/* Copy-on-write sharing. */

/* A JSON set or map of 'n' elements: integers 0, 2, 4, ... or strings
 * "k0000", "k0002", ... (with values "v..." for a map). */
static char *
big_datum_json(const char *kind, unsigned int n)
{
    json_t *elems = json_array();

    for (unsigned int i = 0; i < n; i++) {
        char k[16], v[16];

        snprintf(k, sizeof k, "k%04u", 2 * i);
        snprintf(v, sizeof v, "v%04u", 2 * i);
        json_array_append_new(elems,
                              !strcmp(kind, "int") ? json_integer(2 * i)
                              : !strcmp(kind, "str") ? json_string(k)
                              : json_pack("[ss]", k, v));
    }
    json_t *json = json_pack("[s,o]", strcmp(kind, "map") ? "set" : "map",
                             elems);
    char *s = json_dumps(json, JSON_COMPACT);
    json_decref(json);
    return s;
}

START_TEST(test_clone_shares)
{
    struct ovsdb_type set;
    struct ovsdb_datum a, b, c;
    char *s = big_datum_json("str", 1000);

    type_parse(&set, SET_STR);
    datum_parse(&a, &set, s);
    ck_assert(!ovsdb_datum_is_shared(&a));

    /* A clone is the same arrays, not a copy of them. */
    ovsdb_datum_clone(&b, &a, &set);
    ovsdb_datum_clone(&c, &b, &set);
    ck_assert_ptr_eq(b.keys, a.keys);
    ck_assert_ptr_eq(c.keys, a.keys);
    ck_assert(ovsdb_datum_is_shared(&a) && ovsdb_datum_is_shared(&c));
    ck_assert(ovsdb_datum_equals(&a, &c, &set));

    /* Sharers go away in any order; the last one owns the arrays. */
    ovsdb_datum_destroy(&a, &set);
    ck_assert(ovsdb_datum_is_shared(&b));
    ovsdb_datum_destroy(&b, &set);
    ck_assert(!ovsdb_datum_is_shared(&c));
    ck_assert_uint_eq(c.n, 1000);
    ck_assert_str_eq(c.keys[999].string, "k1998");

    /* Unsharing copies; unsharing an unshared datum does nothing. */
    ovsdb_datum_clone(&a, &c, &set);
    ovsdb_datum_unshare(&a, &set);
    ck_assert_ptr_ne(a.keys, c.keys);
    ck_assert_ptr_ne(a.keys[0].string, c.keys[0].string);
    ck_assert(!ovsdb_datum_is_shared(&a) && !ovsdb_datum_is_shared(&c));
    ck_assert(ovsdb_datum_equals(&a, &c, &set));
    union ovsdb_atom *keys = a.keys;
    ovsdb_datum_unshare(&a, &set);
    ck_assert_ptr_eq(a.keys, keys);

    /* Empty datums have nothing to share. */
    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_clone(&b, &a, &set);
    ck_assert_uint_eq(b.n, 0);
    ck_assert(!ovsdb_datum_is_shared(&b));
    ovsdb_datum_destroy(&b, &set);
    ovsdb_datum_destroy(&c, &set);
    ovsdb_type_destroy(&set);
    free(s);
}
END_TEST

/* Applies 'mutate' to a clone of a datum parsed from 'json' and checks
 * that the clone becomes 'expected' while the original, which shared its
 * arrays, keeps its value. */
static void
check_mutate_shared(const char *type_s, const char *json,
                    void (*mutate)(struct ovsdb_datum *,
                                   const struct ovsdb_type *),
                    const char *expected)
{
    struct ovsdb_type type;
    struct ovsdb_datum orig, clone;

    type_parse(&type, type_s);
    datum_parse(&orig, &type, json);
    char *before = datum_dump(&orig, &type);
    ovsdb_datum_clone(&clone, &orig, &type);
    mutate(&clone, &type);
    ck_assert_datum_eq(&clone, &type, expected);
    ck_assert_datum_eq(&orig, &type, before);

    /* And the other way round: the original changes, the clone not. */
    ovsdb_datum_destroy(&clone, &type);
    ovsdb_datum_clone(&clone, &orig, &type);
    mutate(&orig, &type);
    ck_assert_datum_eq(&orig, &type, expected);
    ck_assert_datum_eq(&clone, &type, before);

    ovsdb_datum_destroy(&orig, &type);
    ovsdb_datum_destroy(&clone, &type);
    ovsdb_type_destroy(&type);
    free(before);
}

static void
union_bcz(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    datum_parse(&b, type, "[\"set\",[\"b\",\"c\",\"z\"]]");
    ovsdb_datum_union(d, &b, type);
    ovsdb_datum_destroy(&b, type);
}

static void
subtract_bz(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    datum_parse(&b, type, "[\"set\",[\"b\",\"z\"]]");
    ovsdb_datum_subtract(d, type, &b, type);
    ovsdb_datum_destroy(&b, type);
}

static void
add_and_sort(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    union ovsdb_atom atom = { .string = (char *) "a" };
    ovsdb_datum_add_unsafe(d, &atom, NULL, type);
    ovsdb_datum_sort_unique(d, type);
}

static void
remove_first(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    ovsdb_datum_remove(d, 0, type);
}

static void
int_union_few(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    datum_parse(&b, type, "[\"set\",[-1,3,4,5000]]");
    ovsdb_datum_union(d, &b, type);
    ovsdb_datum_destroy(&b, type);
}

static void
int_subtract_few(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    datum_parse(&b, type, "[\"set\",[0,3,198]]");
    ovsdb_datum_subtract(d, type, &b, type);
    ovsdb_datum_destroy(&b, type);
}

static void
map_union_few(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    datum_parse(&b, type, "[\"map\",[[\"k0001\",\"new\"],[\"k0002\",\"x\"]]]");
    ovsdb_datum_union(d, &b, type);
    ovsdb_datum_destroy(&b, type);
}

static void
map_subtract_few(struct ovsdb_datum *d, const struct ovsdb_type *type)
{
    struct ovsdb_datum b;
    /* k0000's value does not match, so only k0002 goes. */
    datum_parse(&b, type,
                "[\"map\",[[\"k0000\",\"x\"],[\"k0002\",\"v0002\"]]]");
    ovsdb_datum_subtract(d, type, &b, type);
    ovsdb_datum_destroy(&b, type);
}

/* Expected text of a big datum after some edits: 'big_datum_json' with
 * 'drop' elements removed (by index) and 'add' JSON elements spliced in
 * before element 'at'. */
static char *
big_expected(const char *kind, unsigned int n, const int *drop,
             size_t n_drop, const char *add, unsigned int at)
{
    struct ovsdb_type type;
    struct ovsdb_datum d;
    char *s = big_datum_json(kind, n);
    json_t *json = parse_json(s), *elems = json_array_get(json, 1);
    json_t *extra = parse_json(add);
    size_t i;
    json_t *elem;

    for (size_t k = n_drop; k-- > 0; ) {
        json_array_remove(elems, drop[k]);
    }
    json_array_foreach (extra, i, elem) {
        json_array_insert(elems, at + i, elem);
    }
    /* Normalize through a datum, as the comparisons print datums. */
    type_parse(&type, !strcmp(kind, "int") ? SET_INT
                      : !strcmp(kind, "str") ? SET_STR : MAP_SS);
    ck_assert_ptr_null(ovsdb_datum_from_json_unbounded(&d, &type, json,
                                                       NULL));
    free(s);
    s = datum_dump(&d, &type);
    ovsdb_datum_destroy(&d, &type);
    ovsdb_type_destroy(&type);
    json_decref(extra);
    json_decref(json);
    return s;
}

START_TEST(test_mutate_shared)
{
    static const char abc[] = "[\"set\",[\"a\",\"b\",\"c\"]]";

    /* Small datums: the merging paths. */
    check_mutate_shared(SET_STR, abc, union_bcz,
                        "[\"set\",[\"a\",\"b\",\"c\",\"z\"]]");
    check_mutate_shared(SET_STR, abc, subtract_bz, "[\"set\",[\"a\",\"c\"]]");
    check_mutate_shared(SET_STR, "[\"set\",[\"b\",\"c\"]]", add_and_sort,
                        abc);
    check_mutate_shared(SET_STR, abc, add_and_sort, abc);
    check_mutate_shared(SET_STR, abc, remove_first, "[\"set\",[\"b\",\"c\"]]");
    check_mutate_shared(SET_STR, "[\"set\",[\"a\"]]", remove_first,
                        "[\"set\",[]]");

    /* Large datums: the binary-search paths. */
    char *big = big_datum_json("int", 100);
    char *expected = big_expected("int", 100, NULL, 0, "[-1]", 0);
    /* -1 at the front, 3 between 2 and 4, 5000 at the end; 4 was there
     * already. */
    json_t *e = parse_json(expected);
    json_t *elems = json_array_get(e, 1);
    json_array_insert_new(elems, 3, json_integer(3));
    json_array_append_new(elems, json_integer(5000));
    free(expected);
    expected = dump_json(e);
    check_mutate_shared(SET_INT, big, int_union_few, expected);
    free(expected);

    static const int drop_0_198[] = { 0, 99 };
    expected = big_expected("int", 100, drop_0_198, 2, "[]", 0);
    check_mutate_shared(SET_INT, big, int_subtract_few, expected);
    free(expected);
    free(big);

    big = big_datum_json("map", 100);
    expected = big_expected("map", 100, NULL, 0, "[[\"k0001\",\"new\"]]", 1);
    check_mutate_shared(MAP_SS, big, map_union_few, expected);
    free(expected);
    static const int drop_1[] = { 1 };
    expected = big_expected("map", 100, drop_1, 1, "[]", 0);
    check_mutate_shared(MAP_SS, big, map_subtract_few, expected);
    free(expected);
    free(big);
}
END_TEST

/* Mutations that change nothing do not unshare: they cost no copy. */
START_TEST(test_noop_mutation_keeps_sharing)
{
    struct ovsdb_type set;
    struct ovsdb_datum a, b, absent, present;
    char *s = big_datum_json("int", 1000);

    type_parse(&set, SET_INT);
    datum_parse(&a, &set, s);
    datum_parse(&absent, &set, "[\"set\",[1,3]]");
    datum_parse(&present, &set, "[\"set\",[0,2]]");
    ovsdb_datum_clone(&b, &a, &set);

    ovsdb_datum_union(&b, &present, &set);
    ovsdb_datum_subtract(&b, &set, &absent, &set);
    ovsdb_datum_sort_unique(&b, &set);
    ck_assert_error(ovsdb_datum_sort(&b, &set), "");
    ck_assert_ptr_eq(b.keys, a.keys);
    ck_assert(ovsdb_datum_is_shared(&b));

    ovsdb_datum_destroy(&a, &set);
    ovsdb_datum_destroy(&b, &set);
    ovsdb_datum_destroy(&absent, &set);
    ovsdb_datum_destroy(&present, &set);
    ovsdb_type_destroy(&set);
    free(s);
}
END_TEST

/* Writing into a shared datum without ovsdb_datum_unshare() is a bug that
 * the library catches when it next sees the datum. */
START_TEST(test_write_into_shared_aborts)
{
    struct ovsdb_type set;
    struct ovsdb_datum a, b;

    type_parse(&set, SET_INT);
    datum_parse(&a, &set, "[\"set\",[1,2,3]]");
    ovsdb_datum_clone(&b, &a, &set);
    b.n--;                      /* Drops 3 from 'a' too. */
    ovsdb_datum_destroy(&b, &set);
}
END_TEST

static Suite *
data_suite(void)
{
    Suite *s = suite_create("ovsdb-data");
    TCase *tc = tcase_create("core");

    tcase_set_timeout(tc, 60);
    tcase_add_test(tc, test_error_json);
    tcase_add_test(tc, test_type_round_trip);
    tcase_add_test(tc, test_type_predicates);
    tcase_add_test(tc, test_type_errors);
    tcase_add_test(tc, test_datum_json_scalars);
    tcase_add_test(tc, test_datum_json_sets_and_maps);
    tcase_add_test(tc, test_datum_json_unbounded);
    tcase_add_test(tc, test_constraints);
    tcase_add_test(tc, test_invalid_utf8);
    tcase_add_test(tc, test_atom_basics);
    tcase_add_test(tc, test_datum_default);
    tcase_add_test(tc, test_sort);
    tcase_add_test(tc, test_sort_large);
    tcase_add_test(tc, test_compare);
    tcase_add_test(tc, test_includes_excludes);
    tcase_add_test(tc, test_union_subtract);
    tcase_add_test(tc, test_union_into_large);
    tcase_add_test(tc, test_diff);
    tcase_add_test(tc, test_apply_diff_bounds);
    tcase_add_test(tc, test_diff_large);
    tcase_add_test(tc, test_diff_uuid_ends);
    tcase_add_test(tc, test_atom_text);
    tcase_add_test(tc, test_datum_text);
    tcase_add_test(tc, test_symtab);
    tcase_add_test(tc, test_clone_shares);
    tcase_add_test(tc, test_mutate_shared);
    tcase_add_test(tc, test_noop_mutation_keeps_sharing);
    tcase_add_test_raise_signal(tc, test_write_into_shared_aborts, SIGABRT);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(data_suite());
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
