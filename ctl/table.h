/* table.h: tabular output in the formats of ovs-vsctl's --format.
 *
 * A table is a list of column headings and rows of cells.  A cell holds
 * either a datum (formatted when printed, according to --data) or plain
 * text.  Tables own their headings and cells; cells own their datum copy. */
#ifndef XSW_CTL_TABLE_H
#define XSW_CTL_TABLE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "ovsdb-data.h"

struct ds;

enum table_format {
    TF_TABLE,       /* Aligned columns with headings (the default). */
    TF_LIST,        /* "heading : value" lines, a blank line between rows. */
    TF_HTML,
    TF_CSV,
    TF_JSON
};

enum cell_format {
    CF_STRING,      /* ovs-vsctl's text syntax (the default). */
    CF_BARE,        /* No quotes or brackets. */
    CF_JSON         /* RFC 7047 JSON. */
};

struct table_style {
    enum table_format format;
    enum cell_format cell_format;
    bool headings;
    bool pretty;            /* --pretty JSON. */
    int max_column_width;   /* --max-column-width: table format columns
                             * are padded to at most this width (0: no
                             * limit). */
};

#define TABLE_STYLE_DEFAULT { TF_TABLE, CF_STRING, true, false, 0 }

struct table;

struct table *table_create(void);
void table_destroy(struct table *);
void table_add_column(struct table *, const char *heading);
/* Starts a new row; cells are then added left to right. */
void table_add_row(struct table *);
/* Adds a cell holding a copy of 'datum' of 'type' ('type' must outlive the
 * table: schema types do). */
void table_add_datum(struct table *, const struct ovsdb_datum *,
                     const struct ovsdb_type *);

/* Appends 'table' to 'out' in 'style'.  'first' is false for the second
 * and later tables of one command line, which are separated from the
 * previous output by a blank line in the table, list and csv formats. */
void table_format(const struct table *, const struct table_style *,
                  bool first, struct ds *out);

/* Parses --format and --data values; false if unknown. */
bool table_parse_format(const char *, enum table_format *);
bool table_parse_cell_format(const char *, enum cell_format *);

#endif /* table.h */
