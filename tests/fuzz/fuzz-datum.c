/* fuzz-datum.c: libFuzzer harness for xsw-ctl's value syntax.
 *
 * xsw-ctl reads column values from the command line ("[1, 2]",
 * "{k=v, \"a b\"=c}", "@name") with ovsdb_datum_from_string(), and prints
 * them with ovsdb_datum_to_string().  The first must reject any malformed
 * text cleanly; anything it accepts must be a valid datum of the type
 * (sorted, unique keys), and printing it must give text that parses back
 * to an equal datum and prints the same.  The same holds for the JSON
 * form, which is how the value then travels to the server.
 *
 * The input's first byte picks one of a set of column types like those in
 * the Open_vSwitch schema; the rest is the text. */
#include <config.h>

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-types.h"

static const char *const type_texts[] = {
    "\"integer\"",
    "\"real\"",
    "\"boolean\"",
    "\"string\"",
    "\"uuid\"",
    "{\"key\":\"integer\",\"min\":0,\"max\":\"unlimited\"}",
    "{\"key\":{\"type\":\"integer\",\"minInteger\":0,\"maxInteger\":4095},"
    " \"min\":0,\"max\":4096}",
    "{\"key\":\"real\",\"min\":0,\"max\":\"unlimited\"}",
    "{\"key\":\"string\",\"min\":0,\"max\":\"unlimited\"}",
    "{\"key\":{\"type\":\"string\",\"enum\":[\"set\",[\"secure\","
    " \"standalone\"]]},\"min\":0,\"max\":1}",
    "{\"key\":{\"type\":\"string\",\"minLength\":1,\"maxLength\":4}}",
    "{\"key\":\"string\",\"value\":\"string\",\"min\":0,"
    " \"max\":\"unlimited\"}",
    "{\"key\":\"string\",\"value\":\"integer\",\"min\":0,"
    " \"max\":\"unlimited\"}",
    "{\"key\":\"integer\",\"value\":{\"type\":\"uuid\",\"refTable\":\"T\"},"
    " \"min\":0,\"max\":\"unlimited\"}",
    "{\"key\":{\"type\":\"uuid\",\"refTable\":\"T\"},\"min\":0,"
    " \"max\":\"unlimited\"}",
    "{\"key\":\"boolean\",\"value\":\"real\",\"min\":1,\"max\":2}",
};
#define N_TYPES (sizeof type_texts / sizeof *type_texts)

static struct ovsdb_type types[N_TYPES];

static void
init_types(void)
{
    for (size_t i = 0; i < N_TYPES; i++) {
        json_t *json = json_loads(type_texts[i], JSON_DECODE_ANY, NULL);
        struct ovsdb_error *error = ovsdb_type_from_json(&types[i], json);

        if (!json || error) {
            fprintf(stderr, "bad type %s\n", type_texts[i]);
            abort();
        }
        json_decref(json);
    }
}

static bool
has_reals(const struct ovsdb_type *type)
{
    return (type->key.type == OVSDB_TYPE_REAL
            || type->value.type == OVSDB_TYPE_REAL);
}

static void
fail(const char *what, const char *text, const char *text2)
{
    fprintf(stderr, "%s\n  input: %s\n  then:  %s\n", what, text,
            text2 ? text2 : "");
    abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    struct ovsdb_symbol_table symtab;
    const struct ovsdb_type *type;
    struct ovsdb_datum datum, datum2, datum3;
    struct ovsdb_error *error;
    char *text, *out, *out2, *msg;
    json_t *json;

    if (!initialized) {
        init_types();
        initialized = true;
    }
    if (size < 1) {
        return 0;
    }
    type = &types[data[0] % N_TYPES];
    text = xstrndup((const char *) data + 1, size - 1);
    ovsdb_symbol_table_init(&symtab);

    msg = ovsdb_datum_from_string(&datum, type, text, &symtab);
    if (msg) {
        free(msg);
        goto out;
    }

    for (unsigned int i = 1; i < datum.n; i++) {
        if (ovsdb_atom_compare_3way(&datum.keys[i - 1], &datum.keys[i],
                                    type->key.type) >= 0) {
            fail("parsed datum is not sorted and unique", text, NULL);
        }
    }
    if (datum.n && (type->value.type != OVSDB_TYPE_VOID) != !!datum.values) {
        fail("parsed datum has values if and only if it is a map",
             text, NULL);
    }

    /* Text round trip.  Reals print with 15 significant digits ("%.15g"),
     * as ovs-vsctl prints them, so a real may come back as a neighbouring
     * double, and two reals of a set that differ only past the 15th digit
     * print alike and come back as a duplicate.  For them only the printed
     * text must be stable. */
    out = ovsdb_datum_to_string(&datum, type);
    msg = ovsdb_datum_from_string(&datum2, type, out, &symtab);
    if (msg) {
        if (!has_reals(type)) {
            fail("printed value does not parse back", text, out);
        }
        free(msg);
        ovsdb_datum_init_empty(&datum2);
    } else {
        if (!has_reals(type) && !ovsdb_datum_equals(&datum, &datum2, type)) {
            fail("printed value parses back to a different value",
                 text, out);
        }
        out2 = ovsdb_datum_to_string(&datum2, type);
        if (strcmp(out, out2)) {
            fail("printed value prints differently the second time",
                 out, out2);
        }
        free(out2);
    }
    free(ovsdb_datum_to_bare(&datum, type));

    /* JSON round trip, only for values within the type's constraints,
     * which is all that from_json accepts. */
    error = ovsdb_datum_check_constraints(&datum, type);
    if (!error) {
        json = ovsdb_datum_to_json(&datum, type);
        error = ovsdb_datum_from_json(&datum3, type, json, NULL);
        if (error) {
            fail("value's JSON does not parse back", text, out);
        }
        if (!ovsdb_datum_equals(&datum, &datum3, type)) {
            fail("value's JSON parses back to a different value", text, out);
        }
        ovsdb_datum_destroy(&datum3, type);
        json_decref(json);
    }
    ovsdb_error_destroy(error);

    free(out);
    ovsdb_datum_destroy(&datum, type);
    ovsdb_datum_destroy(&datum2, type);
out:
    ovsdb_symbol_table_destroy(&symtab);
    free(text);
    return 0;
}
