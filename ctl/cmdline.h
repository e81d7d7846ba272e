/* cmdline.h: xsw-ctl's command-line parser, the part that needs no
 * database.
 *
 * It reads argv, the command table and the schema, and nothing else: no
 * connection, no globals, no output.  Every function returns its verdict:
 * NULL on success, or a malloc'd error message that the caller frees,
 * worded exactly as ovs-vsctl 3.1 words it ("unknown command 'foo'; use
 * --help for help"), so that xsw-ctl only has to print "xsw-ctl: MESSAGE"
 * and exit 1 (ctl/main.c) while a fuzzer (tests/fuzz/fuzz-ctl.c) can run
 * the same code on millions of inputs.
 *
 * The stages, in the order main() runs them:
 *
 *   ctl_cmdline_parse_globals()   global options up to the first command
 *   ctl_cmdline_parse_commands()  "--"-separated commands, their options
 *                                 and argument counts
 *   ctl_cmdline_find_table(), ctl_cmdline_find_column(),
 *   ctl_cmdline_parse_column_key_value()
 *                                 the arguments, against the schema (called
 *                                 by the commands' prerequisites) */
#ifndef XSW_CTL_CMDLINE_H
#define XSW_CTL_CMDLINE_H 1

#include <stdbool.h>
#include <stddef.h>
#include "ctl.h"
#include "shash.h"
#include "table.h"

struct ovsdb_column;
struct ovsdb_schema;
struct ovsdb_table_schema;

/* ---- Global options. ---- */

/* What the global options ask for besides running commands.  --help and
 * --version take effect where they appear, as with getopt: later
 * arguments are not looked at, earlier ones must be valid. */
enum ctl_cmdline_action {
    CTL_CMDLINE_RUN,
    CTL_CMDLINE_HELP,
    CTL_CMDLINE_VERSION,
    CTL_CMDLINE_COMMANDS,           /* --commands: list the commands. */
    CTL_CMDLINE_OPTIONS             /* --options: list the options. */
};

struct ctl_cmdline_globals {
    const char *db_remote;          /* --db's value (in argv), or NULL. */
    struct ctl_global_options global;   /* --dry-run, --timeout, ... */
    struct table_style style;       /* --format, --data, --bare, ... */
    bool retry;                     /* --retry. */
    bool verbose;                   /* Some -v or --verbose. */
    const char *private_key;        /* -p, --private-key (in argv). */
    const char *certificate;        /* -c, --certificate (in argv). */
    const char *ca_cert;            /* -C, --ca-cert (in argv). */
    enum ctl_cmdline_action action;

    /* On error: true if the message is one of getopt's ("unrecognized
     * option '--foo'"), which ovs-vsctl prefixes with argv[0] as given
     * rather than with the program's name. */
    bool getopt_error;
};

/* What the logging options do, called in command-line order so that an
 * error shows where ovs-vsctl would show it.  Either may be NULL. */
struct ctl_cmdline_hooks {
    /* -v/--verbose[=SPEC] ("" for none): returns NULL or a malloc'd error,
     * which the parser words "processing "SPEC": ERROR". */
    char *(*verbose)(const char *spec);
    /* --log-file[=FILE] (NULL: the default file).  What to do when the
     * file cannot be opened is the hook's (ovs-vsctl warns, and exits if
     * FILE was given). */
    void (*log_file)(const char *file);
    /* --no-syslog: ovs-vsctl's own module then logs to syslog at warning
     * level and above only. */
    void (*no_syslog)(void);
};

/* Parses the global options at the start of 'argv' (argv[0] is the
 * program), as ovs-vsctl's getopt_long() with "+" does: parsing stops at
 * the first argument that is not an option, at "-", and after "--".  A
 * long option may be abbreviated to any unique prefix ("--no-heading",
 * "--form=json"); an ambiguous one is refused with getopt's message, which
 * lists the possibilities.
 *
 * 'commands' maps each command's name to its struct ctl_command_syntax:
 * an option that is not global but that some command accepts
 * ("--may-exist", or a prefix of it) is added by its full name to
 * 'local_options' ("--name" -> malloc'd value or NULL) for the first
 * command.  The caller owns 'local_options' and its values, also on error
 * (shash_destroy_free_data()).
 *
 * Fills in 'g' (defaults first: list format, string cells, headings) and
 * stores in '*first' the index of the first argument after the options.
 * 'g' may point into 'argv', which must outlive it.  'hooks' may be NULL:
 * then -v specs and --log-file are accepted unchecked. */
char *ctl_cmdline_parse_globals(int argc, char *argv[],
                                const struct shash *commands,
                                const struct ctl_cmdline_hooks *hooks,
                                struct ctl_cmdline_globals *g,
                                struct shash *local_options, int *first)
    __attribute__((warn_unused_result));

/* The global options, one per line as "ovs-vsctl --options" prints them
 * ("--db=ARG", "-t ARG", ...), malloc'd. */
char *ctl_cmdline_options_to_string(void);

/* One line of "ovs-vsctl --commands", without the newline, malloc'd:
 * "[--may-exist] ,add-br,!NEW-BRIDGE ?PARENT ?NEW-VLAN". */
char *ctl_cmdline_command_to_string(const struct ctl_command_syntax *);

/* ---- Commands. ---- */

/* One command of the command line. */
struct ctl_cmdline_command {
    const struct ctl_command_syntax *syntax;
    int argc;                   /* Including argv[0], the command name. */
    char **argv;                /* Points into the argv that was parsed. */
    struct shash options;       /* "--if-exists" -> malloc'd value or NULL;
                                 * owned by the command. */
};

/* Splits 'argv' (the arguments after the global options) into commands at
 * each "--", and parses each one: its options ("--if-exists", "--id=@x"),
 * its name, which must be in 'commands', and its number of arguments,
 * which must be within its syntax's min_args and max_args.  Options in
 * 'local_options' (from ctl_cmdline_parse_globals()) go to the first
 * command.
 *
 * On success stores in '*commandsp' an array of '*n_commandsp' (at least
 * one) commands that the caller frees with ctl_cmdline_commands_destroy().
 * On error stores NULL and 0.  Either way 'local_options' is left empty:
 * its values were moved into the first command or freed. */
char *ctl_cmdline_parse_commands(int argc, char *argv[],
                                 const struct shash *commands,
                                 struct shash *local_options,
                                 struct ctl_cmdline_command **commandsp,
                                 size_t *n_commandsp)
    __attribute__((warn_unused_result));

void ctl_cmdline_commands_destroy(struct ctl_cmdline_command *, size_t n);

/* Whether 'name' (e.g. "--if-exists") is one of 'syntax''s options, and if
 * so whether it takes a value ("--id=" in the syntax's list). */
bool ctl_syntax_has_option(const struct ctl_command_syntax *,
                           const char *name, bool *takes_value);

/* ---- Arguments. ---- */

/* Finds the table of 'schema' that 'name' names, accepting what ovs-vsctl
 * accepts: the exact name, or a unique prefix of it where case and '-'
 * versus '_' do not matter ("br" for Bridge). */
char *ctl_cmdline_find_table(const struct ovsdb_schema *, const char *name,
                             const struct ovsdb_table_schema **tsp)
    __attribute__((warn_unused_result));

/* Finds the column of 'ts' that 'name' names, the same way. */
char *ctl_cmdline_find_column(const struct ovsdb_table_schema *,
                              const char *name,
                              const struct ovsdb_column **columnp)
    __attribute__((warn_unused_result));

/* Splits 'arg', "COLUMN[:KEY][OP VALUE]", for table 'ts'.  COLUMN and KEY
 * are either double-quoted strings (ovs-vsctl's string syntax) or run up
 * to the first of ":=!<>{}".
 *
 * 'ops' lists the 'n_ops' operators allowed ("=", or find's "=", "!=",
 * "{<=}", ...); the longest one that follows COLUMN[:KEY] and is followed
 * by a non-empty VALUE wins.  If 'ops' is NULL, the argument must end
 * after COLUMN[:KEY].
 *
 * On success stores the column in '*columnp', the key (malloc'd) or NULL
 * in '*keyp', and, if 'ops' is nonnull, the operator's index in '*opp'
 * (if 'opp' is nonnull) and the value (malloc'd) in '*valuep'.  On error
 * stores NULL in each. */
char *ctl_cmdline_parse_column_key_value(
    const char *arg, const struct ovsdb_table_schema *ts,
    const char *const *ops, size_t n_ops,
    const struct ovsdb_column **columnp, char **keyp, int *opp,
    char **valuep)
    __attribute__((warn_unused_result));

#endif /* cmdline.h */
