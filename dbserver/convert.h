/* convert.h: a database under a new schema, and whole-database files.
 *
 * Converting follows Open vSwitch's ovsdb_convert() (ovsdb/file.c): every
 * row of a table that the new schema keeps is copied with its UUID; each
 * column the new schema keeps is carried over through its JSON form, so a
 * value must fit the new column's type and constraints (an integer that
 * became a string fails, a set that outgrew a new "max" fails, an enum
 * value the new schema lacks fails); columns the new schema adds get their
 * defaults; tables and columns it drops are dropped.  The copy is then
 * checked as one transaction, so a strong reference that now dangles fails
 * and rows that stopped being referenced from a root table are collected.
 *
 * Files change atomically: db_file_write() builds the whole new file under
 * a temporary name and link()s it into place, and db_file_convert()
 * rename()s a complete converted copy over the old file.  A crash at any
 * moment leaves the old file or the new one, never a mixture.  All of it
 * goes through storage.h's API: this module writes no SQL. */
#ifndef XSW_CONVERT_H
#define XSW_CONVERT_H 1

struct ovsdb_db;
struct ovsdb_error;
struct ovsdb_schema;

/* A new in-memory database with a copy of 'schema' holding 'src''s rows
 * converted to it (see above).  On failure '*dstp' is NULL and the error
 * says which row and column did not fit. */
struct ovsdb_error *ovsdb_convert(const struct ovsdb_db *src,
                                  const struct ovsdb_schema *schema,
                                  struct ovsdb_db **dstp)
    __attribute__((warn_unused_result));

/* Creates database file 'path' for 'schema' (NULL: 'db''s own) holding
 * every row of 'db', converted to 'schema' (their ephemeral columns
 * excepted, as always in storage).  Fails without touching it if 'path'
 * exists; on any failure nothing is left at 'path'.  The file is synced
 * before it appears. */
struct ovsdb_error *db_file_write(const char *path, const struct ovsdb_db *db,
                                  const struct ovsdb_schema *schema)
    __attribute__((warn_unused_result));

/* The name under which db_file_convert() and the server build the
 * converted copy of 'path' (caller frees). */
char *db_file_temp_name(const char *path);

/* Replaces database file 'path' by 'new_path', a complete database that
 * db_file_write() made, with 'path''s mode and owner, and syncs the
 * directory.  'path' must not be a symlink (resolve it first).  Nobody may have 'path'
 * open: the caller closed its storage first (which also removed its
 * write-ahead log; a log still there would be applied to the new file by
 * SQLite, so this fails instead). */
struct ovsdb_error *db_file_replace(const char *new_path, const char *path)
    __attribute__((warn_unused_result));

/* Converts database file 'path' to 'schema' in place (a file whose schema
 * already equals 'schema' is rewritten all the same, which compacts it).
 * A symlink is followed: the file it points to is replaced.
 * It takes the file's lock first, so it fails on a file that a server is
 * serving. */
struct ovsdb_error *db_file_convert(const char *path,
                                    const struct ovsdb_schema *schema)
    __attribute__((warn_unused_result));

#endif /* convert.h */
