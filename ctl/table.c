/* table.c: tabular output in ovs-vsctl's formats.
 *
 * Every format is reproduced byte for byte from ovs-vsctl 3.1, quirks
 * included (a JSON table always holds RFC 7047 JSON cells whatever --data
 * says; HTML turns every UUID into a link), because scripts parse it. */
#include <config.h>
#include "table.h"

#include <stdlib.h>
#include <string.h>
#include "ctl.h"
#include "util.h"
#include "uuid.h"

struct cell {
    char *text;                      /* Plain text, or NULL for a datum. */
    struct ovsdb_datum datum;
    const struct ovsdb_type *type;   /* Non-NULL for a datum. */
};

struct table {
    char **headings;
    size_t n_columns, allocated_columns;
    struct cell **rows;              /* Each has n_columns cells. */
    size_t n_rows, allocated_rows;
    size_t n_cells_in_row;           /* Cells added to the last row. */
};

struct table *
table_create(void)
{
    return xzalloc(sizeof(struct table));
}

static void
cell_destroy(struct cell *cell)
{
    if (cell->type) {
        ovsdb_datum_destroy(&cell->datum, cell->type);
    }
    free(cell->text);
}

void
table_destroy(struct table *table)
{
    if (!table) {
        return;
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        for (size_t x = 0; x < table->n_columns; x++) {
            cell_destroy(&table->rows[y][x]);
        }
        free(table->rows[y]);
    }
    free(table->rows);
    for (size_t x = 0; x < table->n_columns; x++) {
        free(table->headings[x]);
    }
    free(table->headings);
    free(table);
}

void
table_add_column(struct table *table, const char *heading)
{
    if (table->n_columns >= table->allocated_columns) {
        table->headings = x2nrealloc(table->headings,
                                     &table->allocated_columns,
                                     sizeof *table->headings);
    }
    table->headings[table->n_columns++] = xstrdup(heading);
}

void
table_add_row(struct table *table)
{
    if (table->n_rows >= table->allocated_rows) {
        table->rows = x2nrealloc(table->rows, &table->allocated_rows,
                                 sizeof *table->rows);
    }
    table->rows[table->n_rows++] = xcalloc(table->n_columns ? table->n_columns
                                           : 1, sizeof(struct cell));
    table->n_cells_in_row = 0;
}

static struct cell *
table_next_cell(struct table *table)
{
    if (!table->n_rows || table->n_cells_in_row >= table->n_columns) {
        xsw_fatal("table: cell added beyond the last column");
    }
    return &table->rows[table->n_rows - 1][table->n_cells_in_row++];
}

void
table_add_datum(struct table *table, const struct ovsdb_datum *datum,
                const struct ovsdb_type *type)
{
    struct cell *cell = table_next_cell(table);
    /* A copy, not a share: callers pass views of memory they do not own
     * (a _uuid atom on the stack). */
    ovsdb_datum_clone(&cell->datum, datum, type);
    ovsdb_datum_unshare(&cell->datum, type);
    cell->type = type;
}

/* Returns the text of 'cell' in 'style', in a new string. */
static char *
cell_to_text(const struct cell *cell, const struct table_style *style)
{
    if (cell->text) {
        return xstrdup(cell->text);
    }
    if (!cell->type) {
        return xstrdup("");
    }
    switch (style->cell_format) {
    case CF_BARE:
        return ovsdb_datum_to_bare(&cell->datum, cell->type);
    case CF_JSON: {
        json_t *json = ovsdb_datum_to_json(&cell->datum, cell->type);
        char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(json);
        return s;
    }
    case CF_STRING:
    default:
        return ovsdb_datum_to_string(&cell->datum, cell->type);
    }
}

static json_t *
cell_to_json(const struct cell *cell)
{
    if (cell->text) {
        return json_string(cell->text);
    }
    return cell->type ? ovsdb_datum_to_json(&cell->datum, cell->type)
                      : json_string("");
}

/* Text of every cell, computed once: row-major, n_rows * n_columns. */
static char **
table_texts(const struct table *table, const struct table_style *style)
{
    size_t n = table->n_rows * table->n_columns;
    char **texts = xcalloc(n ? n : 1, sizeof *texts);
    for (size_t y = 0; y < table->n_rows; y++) {
        for (size_t x = 0; x < table->n_columns; x++) {
            texts[y * table->n_columns + x]
                = cell_to_text(&table->rows[y][x], style);
        }
    }
    return texts;
}

static void
free_texts(const struct table *table, char **texts)
{
    for (size_t i = 0; i < table->n_rows * table->n_columns; i++) {
        free(texts[i]);
    }
    free(texts);
}

/* Appends 'line' to 'out' without trailing spaces, as ovs-vsctl does. */
static void
put_line(struct ds *out, char *line, size_t len)
{
    while (len > 0 && line[len - 1] == ' ') {
        len--;
    }
    line[len] = '\0';
    ds_put_cstr(out, line);
    ds_put_cstr(out, "\n");
}

static void
format_table(const struct table *table, const struct table_style *style,
             char **texts, struct ds *out)
{
    size_t *widths = xcalloc(table->n_columns + 1, sizeof *widths);
    size_t line_size = 1;
    for (size_t x = 0; x < table->n_columns; x++) {
        size_t heading = style->headings ? strlen(table->headings[x]) : 0;
        size_t w = 0;
        for (size_t y = 0; y < table->n_rows; y++) {
            size_t len = strlen(texts[y * table->n_columns + x]);
            w = MAX(w, len);
        }
        /* A longer cell is not cut, only no longer padded to its width. */
        line_size += MAX(w, heading) + 1;
        if (style->max_column_width > 0
            && w > (size_t) style->max_column_width) {
            w = style->max_column_width;
        }
        widths[x] = MAX(w, heading);
    }

    char *line = xmalloc(line_size + 1);
    if (style->headings) {
        size_t len = 0;
        for (size_t x = 0; x < table->n_columns; x++) {
            len += sprintf(line + len, "%s%-*s", x ? " " : "",
                           (int) widths[x], table->headings[x]);
        }
        put_line(out, line, len);
        len = 0;
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                line[len++] = ' ';
            }
            memset(line + len, '-', widths[x]);
            len += widths[x];
        }
        put_line(out, line, len);
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        size_t len = 0;
        for (size_t x = 0; x < table->n_columns; x++) {
            len += sprintf(line + len, "%s%-*s", x ? " " : "",
                           (int) widths[x], texts[y * table->n_columns + x]);
        }
        put_line(out, line, len);
    }
    free(line);
    free(widths);
}

static void
format_list(const struct table *table, const struct table_style *style,
            char **texts, struct ds *out)
{
    for (size_t y = 0; y < table->n_rows; y++) {
        if (y > 0) {
            ds_put_cstr(out, "\n");
        }
        for (size_t x = 0; x < table->n_columns; x++) {
            if (style->headings) {
                ds_put_format(out, "%-20s: ", table->headings[x]);
            }
            ds_put_format(out, "%s\n", texts[y * table->n_columns + x]);
        }
    }
}

static void
put_csv(struct ds *out, const char *s)
{
    if (!strpbrk(s, "\n\",")) {
        ds_put_cstr(out, s);
        return;
    }
    ds_put_cstr(out, "\"");
    for (; *s; s++) {
        char c[3] = { *s, *s == '"' ? '"' : '\0', '\0' };
        ds_put_cstr(out, c);
    }
    ds_put_cstr(out, "\"");
}

static void
format_csv(const struct table *table, const struct table_style *style,
           char **texts, struct ds *out)
{
    if (style->headings) {
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                ds_put_cstr(out, ",");
            }
            put_csv(out, table->headings[x]);
        }
        ds_put_cstr(out, "\n");
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        for (size_t x = 0; x < table->n_columns; x++) {
            if (x) {
                ds_put_cstr(out, ",");
            }
            put_csv(out, texts[y * table->n_columns + x]);
        }
        ds_put_cstr(out, "\n");
    }
}

/* An HTML cell: text escaped, and every UUID in it a link to the row with
 * that UUID (ovs-vsctl prints _uuid and references this way so that an
 * HTML dump of several tables is navigable). */
static void
put_html_cell(struct ds *out, const char *element, const char *s,
              bool is_uuid_column)
{
    struct uuid uuid;

    ds_put_format(out, "    <%s>", element);
    if (is_uuid_column && uuid_from_string(&uuid, s)) {
        /* A row's own UUID is the anchor that references link to. */
        ds_put_format(out, "<a name=\"%s\">%.8s</a></%s>\n", s, s,
                      element);
        return;
    }
    while (*s) {
        if (uuid_from_string_prefix(&uuid, s)) {
            ds_put_format(out, "<a href=\"#%.*s\">%.*s</a>",
                          UUID_LEN, s, 8, s);
            s += UUID_LEN;
            continue;
        }
        switch (*s) {
        case '&': ds_put_cstr(out, "&amp;"); break;
        case '<': ds_put_cstr(out, "&lt;"); break;
        case '>': ds_put_cstr(out, "&gt;"); break;
        case '"': ds_put_cstr(out, "&quot;"); break;
        default: {
            char c[2] = { *s, '\0' };
            ds_put_cstr(out, c);
        }
        }
        s++;
    }
    ds_put_format(out, "</%s>\n", element);
}

static void
format_html(const struct table *table, const struct table_style *style,
            char **texts, struct ds *out)
{
    ds_put_cstr(out, "<table border=1>\n");
    if (style->headings) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t x = 0; x < table->n_columns; x++) {
            put_html_cell(out, "th", table->headings[x], false);
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    for (size_t y = 0; y < table->n_rows; y++) {
        ds_put_cstr(out, "  <tr>\n");
        for (size_t x = 0; x < table->n_columns; x++) {
            put_html_cell(out, "td", texts[y * table->n_columns + x],
                          !strcmp(table->headings[x], "_uuid"));
        }
        ds_put_cstr(out, "  </tr>\n");
    }
    ds_put_cstr(out, "</table>\n");
}

/* Open vSwitch's pretty JSON: each member and element on its own line,
 * indented by two spaces per level, closing brackets at the end of the
 * last element's line.  Scalars are as compact JSON. */
static void
put_pretty_json(struct ds *out, const json_t *json, int level)
{
    if (json_is_array(json) && json_array_size(json)) {
        ds_put_cstr(out, "[");
        for (size_t i = 0; i < json_array_size(json); i++) {
            ds_put_format(out, "%s\n%*s", i ? "," : "", 2 * (level + 1),
                          "");
            put_pretty_json(out, json_array_get(json, i), level + 1);
        }
        ds_put_cstr(out, "]");
    } else if (json_is_object(json) && json_object_size(json)) {
        const char *key;
        json_t *value;
        bool first = true;

        ds_put_cstr(out, "{");
        json_object_foreach ((json_t *) json, key, value) {
            json_t *k = json_string(key);
            char *ks = json_dumps(k, JSON_ENCODE_ANY);
            ds_put_format(out, "%s\n%*s%s: ", first ? "" : ",",
                          2 * (level + 1), "", ks);
            free(ks);
            json_decref(k);
            put_pretty_json(out, value, level + 1);
            first = false;
        }
        ds_put_cstr(out, "}");
    } else {
        char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        ds_put_cstr(out, s);
        free(s);
    }
}

static void
format_json(const struct table *table, const struct table_style *style,
            struct ds *out)
{
    json_t *data = json_array();
    for (size_t y = 0; y < table->n_rows; y++) {
        json_t *row = json_array();
        for (size_t x = 0; x < table->n_columns; x++) {
            json_array_append_new(row, cell_to_json(&table->rows[y][x]));
        }
        json_array_append_new(data, row);
    }
    json_t *headings = json_array();
    for (size_t x = 0; x < table->n_columns; x++) {
        json_array_append_new(headings, json_string(table->headings[x]));
    }
    json_t *obj = json_object();
    json_object_set_new(obj, "data", data);
    json_object_set_new(obj, "headings", headings);

    if (style->pretty) {
        put_pretty_json(out, obj, 0);
    } else {
        char *s = json_dumps(obj, JSON_COMPACT);
        ds_put_cstr(out, s);
        free(s);
    }
    ds_put_cstr(out, "\n");
    json_decref(obj);
}

void
table_format(const struct table *table, const struct table_style *style,
             bool first, struct ds *out)
{
    if (style->format == TF_JSON) {
        format_json(table, style, out);
        return;
    }
    if (style->format == TF_HTML) {
        char **texts = table_texts(table, style);
        format_html(table, style, texts, out);
        free_texts(table, texts);
        return;
    }

    if (!first) {
        ds_put_cstr(out, "\n");
    }
    char **texts = table_texts(table, style);
    switch (style->format) {
    case TF_LIST:
        format_list(table, style, texts, out);
        break;
    case TF_CSV:
        format_csv(table, style, texts, out);
        break;
    case TF_TABLE:
    default:
        format_table(table, style, texts, out);
        break;
    }
    free_texts(table, texts);
}

bool
table_parse_format(const char *s, enum table_format *format)
{
    static const struct { const char *name; enum table_format f; } fs[] = {
        { "table", TF_TABLE }, { "list", TF_LIST }, { "html", TF_HTML },
        { "csv", TF_CSV }, { "json", TF_JSON },
    };
    for (size_t i = 0; i < ARRAY_SIZE(fs); i++) {
        if (!strcmp(s, fs[i].name)) {
            *format = fs[i].f;
            return true;
        }
    }
    return false;
}

bool
table_parse_cell_format(const char *s, enum cell_format *format)
{
    if (!strcmp(s, "string")) {
        *format = CF_STRING;
    } else if (!strcmp(s, "bare")) {
        *format = CF_BARE;
    } else if (!strcmp(s, "json")) {
        *format = CF_JSON;
    } else {
        return false;
    }
    return true;
}
