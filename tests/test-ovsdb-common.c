/* test-ovsdb-common.c: fixtures shared by the data-model unit tests. */
#include <config.h>

#include "test-ovsdb-common.h"

#include <check.h>
#include <stdlib.h>

#include "ovsdb-error.h"
#include "util.h"

json_t *
t_parse_json(const char *s)
{
    json_error_t jerror;
    json_t *json = json_loads(s, JSON_DECODE_ANY, &jerror);

    ck_assert_msg(json != NULL, "bad test JSON: %s: %s", jerror.text, s);
    return json;
}

struct ovsdb_schema *
t_parse_schema(const char *s)
{
    json_t *json = t_parse_json(s);
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_json(json, &schema);

    ck_assert_msg(!error, "%s", error ? ovsdb_error_to_string(error) : "");
    json_decref(json);
    return schema;
}

struct ovsdb_datum *
t_row_create(const struct ovsdb_table_schema *table, const char *s)
{
    struct ovsdb_datum *fields = xcalloc(table->n_columns, sizeof *fields);
    json_t *json = t_parse_json(s);
    const char *name;
    json_t *value;

    for (unsigned int i = 0; i < table->n_columns; i++) {
        ovsdb_datum_init_default(&fields[i], &table->columns[i]->type);
    }
    json_object_foreach (json, name, value) {
        const struct ovsdb_column *c = ovsdb_table_schema_get_column(table,
                                                                     name);
        struct ovsdb_error *error;

        ck_assert_ptr_nonnull(c);
        ovsdb_datum_destroy(&fields[c->index], &c->type);
        error = ovsdb_datum_from_json(&fields[c->index], &c->type, value,
                                      NULL);
        ck_assert_msg(!error, "%s", error ? ovsdb_error_to_string(error)
                                          : "");
    }
    json_decref(json);
    return fields;
}

void
t_row_destroy(const struct ovsdb_table_schema *table,
              struct ovsdb_datum *fields)
{
    for (unsigned int i = 0; i < table->n_columns; i++) {
        ovsdb_datum_destroy(&fields[i], &table->columns[i]->type);
    }
    free(fields);
}
