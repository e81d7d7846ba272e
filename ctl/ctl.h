/* ctl.h: the framework of xsw-ctl, a vsctl-style transactional CLI.
 *
 * A command line is a list of commands separated by "--".  Each command is
 * described by a struct ctl_command_syntax and goes through three stages,
 * like Open vSwitch's ovs-vsctl:
 *
 *   1. prerequisites(ctx): says what the command needs from the database:
 *      tables, columns and, to keep start-up cheap on big databases, which
 *      ROWS (ctl_pre_*() below).  No database access yet: ctx->txn is NULL
 *      and the replica is empty.  The schema (ctl_schema()) is available,
 *      so names are validated here and bad ones reported before connecting.
 *
 *   2. run(ctx): called once the replica holds what every command asked
 *      for, inside the command line's single transaction (ctx->txn).  Reads
 *      with the IDL (lib/idl.h), writes through ctx->txn, and appends its
 *      output with ctl_printf() or fills ctx->table.  A command that reads
 *      something it relies on must verify it (ovsdb_idl_txn_verify) so that
 *      a concurrent change makes the commit fail with TRY_AGAIN: then the
 *      whole command line is run again from a fresh replica, so run() must
 *      not keep state outside 'ctx' between attempts (see
 *      ctl_register_cache_hook()).
 *
 *   3. postprocess(ctx): after a successful commit, for output that needs
 *      the real UUIDs of inserted rows (ctl_insert_uuid()).
 *
 * Errors: a command that finds a problem calls ctl_fatal(), which prints
 * "xsw-ctl: MESSAGE" on stderr and exits with status 1 before anything is
 * committed, so a command line is applied entirely or not at all.
 *
 * Ownership: the framework owns every ctl_context and everything in it;
 * commands own nothing they do not allocate themselves. */
#ifndef XSW_CTL_H
#define XSW_CTL_H 1

#include <stdbool.h>
#include <stddef.h>
#include "ds.h"
#include "ovsdb-data.h"
#include "shash.h"
#include "util.h"

struct ctl_context;
struct ovsdb_column;
struct ovsdb_idl;
struct ovsdb_idl_row;
struct ovsdb_idl_txn;
struct ovsdb_schema;
struct ovsdb_table_schema;
struct table;

/* ---- Commands. ---- */

enum ctl_mode {
    CTL_RO,     /* Only reads the database. */
    CTL_RW      /* May modify the database: the command line then bumps
                 * Open_vSwitch.next_cfg and waits for cur_cfg, unless
                 * --no-wait. */
};

struct ctl_command_syntax {
    const char *name;           /* "add-br". */
    int min_args;               /* Arguments after the name. */
    int max_args;               /* INT_MAX: unlimited. */

    /* The arguments as --help and the man page show them, e.g.
     * "BRIDGE PORT [COLUMN[:KEY]=VALUE]...".  The bash completion script
     * derives argument kinds from it: BRIDGE, PORT, IFACE, TABLE, RECORD,
     * COLUMN... are completed from the database. */
    const char *arguments;

    void (*prerequisites)(struct ctl_context *);   /* May be NULL. */
    void (*run)(struct ctl_context *);
    void (*postprocess)(struct ctl_context *);     /* May be NULL. */

    /* The options the command accepts, comma-separated, e.g.
     * "--may-exist,--if-exists".  An option that takes a value ends in
     * '=': "--id=".  "" if none.  Any other option given to the command is
     * an error ("'add-br' command has no '--foo' option"). */
    const char *options;

    enum ctl_mode mode;
};

/* Registers the commands of 'cmds', an array ending with a member whose
 * 'name' is NULL.  The array must outlive the program (static const).
 * Registering a name twice is a programming error (aborts). */
void ctl_register_commands(const struct ctl_command_syntax *cmds);

/* The database commands (list, find, get, set, add, remove, clear, create,
 * destroy, wait-until, comment), in ctl/db-cmds.c. */
void db_cmds_register(void);
/* The Open vSwitch commands (init, show, add-br, ...), in
 * ctl/vsctl-cmds.c. */
void vsctl_cmds_register(void);
/* "trace", in ctl/trace.c. */
void trace_cmds_register(void);

/* Runs unixctl command 'command' with the command's arguments on
 * xsw-switchd's control socket and prints its answer (in
 * ctl/vsctl-cmds.c). */
void switchd_query(struct ctl_context *, const char *command);

/* A command may keep a cache of the database (e.g. bridges and ports by
 * name) across the commands of one command line.  'invalidate' is called
 * before every attempt (first run and each TRY_AGAIN retry) and by any
 * database command that may have made the cache stale (set, destroy, ...),
 * so the cache is rebuilt from the replica when next needed.  At most a
 * few hooks; registering the same function twice is harmless. */
void ctl_register_cache_hook(void (*invalidate)(void));
void ctl_invalidate_caches(void);

/* ---- The context of one command. ---- */

struct ctl_context {
    /* The command (read-only for the command). */
    const struct ctl_command_syntax *syntax;
    int argc;                   /* Including argv[0], the command name. */
    char **argv;
    /* "--if-exists" -> value (char *) or NULL: the command's own map,
     * pointed to (a copy of a small hmap would point into the original),
     * or NULL for none. */
    const struct shash *options;

    /* The database. */
    struct ovsdb_idl *idl;
    struct ovsdb_idl_txn *txn;  /* NULL in prerequisites and postprocess. */
    struct ovsdb_symbol_table *symtab;   /* "@name"s of the command line. */

    /* The Open_vSwitch row: the first one, or one inserted in 'txn' when
     * the database has none (as ovs-vsctl does).  NULL in prerequisites. */
    const struct ovsdb_idl_row *ovs_row;

    /* Output.  Text in 'output', or a table in 'table' (created by the
     * command with table_create(), printed in the --format the user chose
     * and freed by the framework). */
    struct ds output;
    struct table *table;

    /* Set by run() when a condition it waits for is not met yet
     * (wait-until): the framework aborts the transaction, waits for the
     * replica to change and runs the command line again. */
    bool try_again;
};

/* Prints "xsw-ctl: MESSAGE" to stderr and exits with status 1.  Nothing is
 * committed. */
void ctl_fatal(const char *format, ...) PRINTF_FORMAT(1, 2) NO_RETURN;

/* Logs a warning on stderr in Open vSwitch's log format
 * ("TIMESTAMP|SEQ|db_ctl_base|WARN|MESSAGE"), as ovs-vsctl does for
 * suspicious but valid command lines. */
void ctl_warn(const char *format, ...) PRINTF_FORMAT(1, 2);
/* The same from Open vSwitch log module 'module' ("vsctl"), as the
 * commands that ovs-vsctl itself implements log. */
void ctl_log_warn(const char *module, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Options given to this command (from its 'options' list). */
bool ctl_has_option(const struct ctl_context *, const char *name);
const char *ctl_get_option(const struct ctl_context *, const char *name);

/* Appends to ctx->output. */
void ctl_printf(struct ctl_context *, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* ---- Schema. ---- */

/* Finds a table by name, accepting unique case-insensitive abbreviations
 * as ovs-vsctl does ("br" -> Bridge).  Dies with "unknown table \"%s\"" or
 * "multiple table names match \"%s\"". */
const struct ovsdb_table_schema *ctl_get_table(const char *name);
/* Finds a column of 'table' the same way (abbreviations; '-' and '_' are
 * equal).  Dies with "%s does not contain a column whose name matches
 * \"%s\"" or "... contains more than one column whose name matches ...". */
const struct ovsdb_column *ctl_get_column(
    const struct ovsdb_table_schema *, const char *name);

/* ---- Prerequisites: what to fetch. ----
 *
 * Tables and columns are named exactly (no abbreviations here).  A table
 * that was named by any ctl_pre_*() call is replicated with the columns
 * named for it (ctl_pre_column) and with the rows selected for it: the
 * union of every ctl_pre_rows_*() selection, or every row if any command
 * called ctl_pre_all_rows() for it or if no command selected rows for it
 * at all.  Selections are a disjunction: rows matching any of them. */

/* Replicates column 'column' of 'table' (and the table). */
void ctl_pre_column(struct ctl_context *, const char *table,
                    const char *column);
/* Fetches every row of 'table'. */
void ctl_pre_all_rows(struct ctl_context *, const char *table);
/* Fetches the rows of 'table' whose string column 'column' equals 'value'
 * (e.g. the Bridge named "br0"). */
void ctl_pre_rows_by_string(struct ctl_context *, const char *table,
                            const char *column, const char *value);
/* Fetches the rows of 'table' whose boolean column 'column' is 'value'
 * (e.g. the Ports that are fake bridges). */
void ctl_pre_rows_by_boolean(struct ctl_context *, const char *table,
                             const char *column, bool value);
/* Replicates 'table' (the columns asked for) without selecting any of its
 * rows: it holds only the rows that other selections ask for, where a
 * table that no command selected rows of holds every row. */
void ctl_pre_no_rows(struct ctl_context *, const char *table);
/* Fetches the row of 'table' with UUID 'uuid'. */
void ctl_pre_rows_by_uuid(struct ctl_context *, const char *table,
                          const struct uuid *);
/* Also fetches, into their own table, the rows that column 'column' of the
 * fetched rows of 'table' references (e.g. ("Port", "interfaces"): the
 * interfaces of the fetched ports).  Resolved after the first rows arrive,
 * repeatedly, until nothing new is selected. */
void ctl_pre_referenced_rows(struct ctl_context *, const char *table,
                             const char *column);
/* Also fetches the rows of 'table' whose reference column 'column'
 * includes a fetched row of the table 'column' references (e.g.
 * ("Bridge", "ports"): the bridge that contains each fetched port). */
void ctl_pre_referring_rows(struct ctl_context *, const char *table,
                            const char *column);
/* Everything needed to resolve 'record_id' in 'table' with ctl_get_row():
 * a UUID selects that row, a name selects rows by the table's name column
 * (Bridge/Port/Interface "name", Manager "target", Controller by the name
 * of the Bridge that references it, ...), "." the single row, and anything
 * else (a UUID prefix) every row of the table. */
void ctl_pre_record(struct ctl_context *, const char *table,
                    const char *record_id);
/* Validates "COLUMN[:KEY]=VALUE" for 'table' and replicates the column
 * (for ctl_set_column()). */
void ctl_pre_set_column(struct ctl_context *, const char *table,
                        const char *arg);

/* What the framework decided to fetch, for run() functions that can use
 * more than they asked for.  Beyond 64 selections of rows, the framework
 * fetches a table whole instead (cheaper than the server testing every row
 * against every clause), and then also the whole of every table whose
 * referring rows were asked for with ctl_pre_referring_rows(), with the
 * referring column: e.g. a chain of 1,000 del-ports gets every bridge's
 * ports set.  Meaningful from run() on. */
bool ctl_fetches_all_rows(const char *table);
bool ctl_fetches_column(const char *table, const char *column);

/* ---- Run-time helpers. ---- */

/* Finds the row of 'table' that 'record_id' names (see ctl_pre_record).
 * If there is none: NULL, or if 'must_exist' dies with "no row \"%s\" in
 * table %s".  Dies with "multiple rows in %s match \"%s\"" if ambiguous. */
const struct ovsdb_idl_row *ctl_get_row(struct ctl_context *,
                                        const char *table,
                                        const char *record_id,
                                        bool must_exist);

/* Sets "COLUMN[:KEY]=VALUE" in 'row' of 'table' within ctx->txn, as
 * ovs-vsctl's "set" does (a KEY updates one map entry). */
void ctl_set_column(struct ctl_context *, const char *table,
                    const struct ovsdb_idl_row *row, const char *arg);

/* The IDL handles of a table and a column that some prerequisites
 * registered (exact names).  Die if they were not registered, which is a
 * bug in the command. */
struct ovsdb_idl_table *ctl_idl_table(struct ctl_context *,
                                      const char *table);
const struct ovsdb_idl_column *ctl_idl_column(struct ctl_context *,
                                              const char *table,
                                              const char *column);

/* For postprocess(): the real UUID of 'row', inserted by this command
 * line's transaction (or the row's own UUID for an existing row). */
struct uuid ctl_insert_uuid(struct ctl_context *,
                            const struct ovsdb_idl_row *row);

/* Options of the whole command line, readable by every command. */
struct ctl_global_options {
    bool dry_run;
    bool no_wait;
    bool oneline;
    int timeout;                /* Seconds; 0: forever. */
};
extern struct ctl_global_options ctl_global;

#endif /* ctl.h */
