/* ovs-file.h: reading Open vSwitch's standalone database files.
 *
 * ovsdb-server and `ovsdb-tool create` keep a standalone database in a log
 * of records, each a header line "OVSDB JSON <length> <sha1>\n" followed by
 * <length> bytes of JSON (ending in a new-line) whose SHA-1 the header
 * gives.  The first record is the schema; each later one is a transaction:
 *
 *   {"<table>": {"<uuid>": <row> | null, ...}, ...,
 *    "_date": <ms>, "_comment": "...", "_is_diff": true}
 *
 * where null deletes the row, a row that does not exist yet is inserted
 * with the columns given (the others at their defaults) and one that
 * exists gets the columns given: their new values, or, in a record with
 * "_is_diff": true (Open vSwitch 2.15 and later), for a column that may
 * hold several values, the difference as in update2 (the elements added or
 * removed; for a map, a changed key with its new value).  A compacted or
 * converted file is the same with a single transaction inserting every
 * row.
 *
 * Reading replays each transaction through db.h's transactions, with
 * their checks (types, constraints, references, garbage collection), as
 * ovsdb-server does when it opens the file.  A last record cut short (a
 * crash in the middle of a write) is ignored, as ovsdb-server ignores it,
 * with a warning; any other damage fails.  A clustered database file
 * ("OVSDB CLUSTER" records) is refused with a message saying how to turn it
 * into a standalone one. */
#ifndef XSW_OVS_FILE_H
#define XSW_OVS_FILE_H 1

struct ovsdb_db;
struct ovsdb_error;

/* Reads the database in Open vSwitch database file 'path' into a new
 * in-memory database '*dbp' (NULL on failure).  '*warningp' is NULL or a
 * message about a discarded incomplete last record (the caller frees
 * it). */
struct ovsdb_error *ovs_file_read(const char *path, struct ovsdb_db **dbp,
                                  char **warningp)
    __attribute__((warn_unused_result));

/* True if 'path' starts like an Open vSwitch standalone database file
 * ("OVSDB JSON "), so that a program handed one where it expects an xsw
 * database can say what to do. */
#include <stdbool.h>
bool ovs_file_is_standalone(const char *path);

#endif /* ovs-file.h */
