/* fuzz-ctl.c: libFuzzer harness for xsw-ctl's command-line parser.
 *
 * Input format: the arguments after argv[0], separated by NUL bytes
 * ("--may-exist\0add-br\0br0\0--\0set\0Bridge\0br0\0stp_enable=true").
 * NUL is the one byte a real argument cannot contain, so every command
 * line a shell can pass is exactly one input and every input is a command
 * line; an empty input is no arguments, and "a\0" is "a" followed by "".
 *
 * The input goes through what xsw-ctl does before it connects
 * (ctl/cmdline.c): the global options, the split into commands at "--", each
 * command's options and argument count, then, for the database commands,
 * the TABLE argument and the COLUMN, COLUMN[:KEY] and COLUMN[:KEY]=VALUE
 * arguments against the compiled-in Open_vSwitch schema, with the
 * operators each command accepts; a value after "=" is parsed for the
 * column's type, as "set" does.  Every rejection must be a message (the
 * parser neither prints nor exits), and what is accepted must be
 * consistent:
 *
 *   - the first command argument is not an option, unless "--" ended the
 *     options; --timeout is in range;
 *   - every command is in the command table, its argument count within its
 *     syntax's min_args and max_args, its options all in its syntax, with
 *     a value exactly when the syntax says "--name=", and its arguments a
 *     slice of argv after the previous command's, without "--";
 *   - a table name names the table whose exact name finds it again;
 *   - an accepted COLUMN[:KEY][OP VALUE] printed back (the column's full
 *     name, the key quoted) parses to the same column, key, operator and
 *     value.
 *
 * The command table here mirrors the names, argument counts and options of
 * ctl/db-cmds.c, ctl/vsctl-cmds.c and ctl/trace.c: those files need the
 * IDL and the rest of xsw-ctl, and the parser does not care where its
 * table comes from. */
#include <config.h>

#include <limits.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "util.h"
#include "vlog.h"
#include "vswitch-schema.h"

#define DB(NAME, MIN, MAX, OPTIONS) \
    { NAME, MIN, MAX, "", NULL, NULL, NULL, OPTIONS, CTL_RO }

static const struct ctl_command_syntax fuzz_commands[] = {
    /* ctl/db-cmds.c */
    DB("comment", 0, INT_MAX, ""),
    DB("get", 2, INT_MAX, "--if-exists,--id="),
    DB("list", 1, INT_MAX, "--if-exists,--columns="),
    DB("find", 1, INT_MAX, "--columns="),
    DB("set", 3, INT_MAX, "--if-exists"),
    DB("add", 4, INT_MAX, "--if-exists"),
    DB("remove", 4, INT_MAX, "--if-exists"),
    DB("clear", 3, INT_MAX, "--if-exists"),
    DB("create", 2, INT_MAX, "--id="),
    DB("destroy", 1, INT_MAX, "--if-exists,--all"),
    DB("wait-until", 2, INT_MAX, ""),
    /* ctl/vsctl-cmds.c */
    DB("init", 0, 0, ""),
    DB("show", 0, 0, ""),
    DB("emer-reset", 0, 0, ""),
    DB("add-br", 1, 3, "--may-exist"),
    DB("del-br", 1, 1, "--if-exists"),
    DB("list-br", 0, 0, "--real,--fake"),
    DB("br-exists", 1, 1, ""),
    DB("br-to-vlan", 1, 1, ""),
    DB("br-to-parent", 1, 1, ""),
    DB("br-set-external-id", 2, 3, ""),
    DB("br-get-external-id", 1, 2, ""),
    DB("list-ports", 1, 1, ""),
    DB("add-port", 2, INT_MAX, "--may-exist"),
    DB("add-bond", 4, INT_MAX, "--may-exist,--fake-iface"),
    DB("del-port", 1, 2, "--if-exists,--with-iface"),
    DB("port-to-br", 1, 1, ""),
    DB("list-ifaces", 1, 1, ""),
    DB("iface-to-br", 1, 1, ""),
    DB("fdb-show", 1, 1, ""),
    DB("dpif-show", 0, 0, ""),
    DB("bond-show", 0, 1, ""),
    DB("get-controller", 1, 1, ""),
    DB("del-controller", 1, 1, ""),
    DB("set-controller", 1, INT_MAX, "--inactivity-probe="),
    DB("get-fail-mode", 1, 1, ""),
    DB("del-fail-mode", 1, 1, ""),
    DB("set-fail-mode", 2, 2, ""),
    DB("get-manager", 0, 0, ""),
    DB("del-manager", 0, 0, ""),
    DB("set-manager", 1, INT_MAX, "--inactivity-probe="),
    DB("get-ssl", 0, 0, ""),
    DB("del-ssl", 0, 0, ""),
    DB("set-ssl", 3, 3, "--bootstrap"),
    /* ctl/trace.c */
    DB("trace", 2, INT_MAX, ""),
};

static const char *const eq_op[] = { "=" };
static const char *const relops[] = {
    "=", "!=", "<", ">", "<=", ">=",
    "{=}", "{!=}", "{<}", "{>}", "{<=}", "{>=}", "{in}", "{not-in}"
};

static struct shash commands = SHASH_INITIALIZER(&commands);
static struct ovsdb_schema *schema;

static void NO_RETURN PRINTF_FORMAT(1, 2)
fail(const char *format, ...)
{
    va_list args;

    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    fputc('\n', stderr);
    abort();
}

static void
init(void)
{
    for (size_t i = 0; i < ARRAY_SIZE(fuzz_commands); i++) {
        shash_add(&commands, fuzz_commands[i].name, &fuzz_commands[i]);
    }

    json_t *json = json_loads(xsw_vswitch_schema, 0, NULL);
    struct ovsdb_error *error = json ? ovsdb_schema_from_json(json, &schema)
                                     : NULL;
    if (!json || error) {
        fail("built-in schema does not parse");
    }
    json_decref(json);
}

/* An error must say something. */
static void
check_error(char *error, const char *what)
{
    if (!error[0]) {
        fail("%s: empty error message", what);
    }
    free(error);
}

/* Parses a value for 'column' as "set" does; the value syntax has its own
 * harness (fuzz-datum), so only memory safety is at stake here. */
static void
parse_value(const struct ovsdb_column *column, const char *key,
            const char *value)
{
    struct ovsdb_symbol_table symtab;
    char *error;

    ovsdb_symbol_table_init(&symtab);
    if (key) {
        union ovsdb_atom katom, vatom;

        if (!ovsdb_type_is_map(&column->type)) {
            goto out;
        }
        error = ovsdb_atom_from_string(&katom, &column->type.key, key,
                                       &symtab);
        if (error) {
            free(error);
            goto out;
        }
        error = ovsdb_atom_from_string(&vatom, &column->type.value, value,
                                       &symtab);
        if (error) {
            free(error);
        } else {
            ovsdb_atom_destroy(&vatom, column->type.value.type);
        }
        ovsdb_atom_destroy(&katom, column->type.key.type);
    } else {
        struct ovsdb_datum datum;

        error = ovsdb_datum_from_string(&datum, &column->type, value,
                                        &symtab);
        if (error) {
            free(error);
        } else {
            ovsdb_datum_destroy(&datum, &column->type);
        }
    }
out:
    ovsdb_symbol_table_destroy(&symtab);
}

/* Parses 'arg' as COLUMN[:KEY][OP VALUE] for 'ts' ('ops' NULL: no operator
 * or value), and checks that what is accepted reads back the same. */
static void
check_column_arg(const struct ovsdb_table_schema *ts, const char *arg,
                 const char *const *ops, size_t n_ops)
{
    const struct ovsdb_column *column, *column2;
    char *key, *value = NULL, *key2, *value2 = NULL;
    int op = -1, op2 = -1;
    char *error;

    error = ctl_cmdline_parse_column_key_value(arg, ts, ops, n_ops, &column,
                                               &key, &op, &value);
    if (error) {
        if (column || key || (ops && value)) {
            fail("%s: error \"%s\" but results stored", arg, error);
        }
        check_error(error, arg);
        return;
    }
    if (!column || (ops && (!value || op < 0 || (size_t) op >= n_ops))) {
        fail("%s: accepted without a column, operator or value", arg);
    }

    /* Print it back: the column's full name, the key, the operator, the
     * value verbatim.  The key goes bare if it can, since a bare key may be
     * any bytes (a quoted one must be valid UTF-8: the value's type checks
     * a bare one later); otherwise quoted, as a string atom. */
    char *qkey = NULL;
    if (key) {
        if (key[0] != '"' && !key[strcspn(key, ":=!<>{}")]) {
            qkey = xstrdup(key);
        } else {
            union ovsdb_atom atom = { .string = key };
            qkey = ovsdb_atom_to_string(&atom, OVSDB_TYPE_STRING);
        }
    }
    char *text = xasprintf("%s%s%s%s%s", column->name, key ? ":" : "",
                           key ? qkey : "", ops ? ops[op] : "",
                           ops ? value : "");
    error = ctl_cmdline_parse_column_key_value(text, ts, ops, n_ops,
                                               &column2, &key2, &op2,
                                               &value2);
    if (error) {
        fail("%s: accepted, but printed back as %s: %s", arg, text, error);
    }
    if (column2 != column || !key != !key2 || (key && strcmp(key, key2))
        || (ops && (op2 != op || strcmp(value, value2)))) {
        fail("%s: printed back as %s, which parses differently", arg, text);
    }
    if (ops && !strcmp(ops[op], "=")) {
        parse_value(column, key, value);
    }
    free(text);
    free(qkey);
    free(key);
    free(key2);
    free(value);
    free(value2);
}

/* The arguments of one accepted command that name schema things. */
static void
check_command_args(const struct ctl_cmdline_command *c)
{
    const char *name = c->syntax->name;
    const struct ovsdb_table_schema *ts, *ts2;
    char *error;

    if (!strcmp(name, "add-port") || !strcmp(name, "add-bond")) {
        /* Trailing COLUMN[:KEY]=VALUE settings of the new Port. */
        ts = ovsdb_schema_get_table(schema, "Port");
        for (int i = 3; i < c->argc; i++) {
            if (strchr(c->argv[i], '=')) {
                check_column_arg(ts, c->argv[i], eq_op, 1);
            }
        }
        return;
    }
    if (c->argc < 2 || !strcmp(name, "comment")
        || (strcmp(name, "list") && strcmp(name, "find")
            && strcmp(name, "destroy") && strcmp(name, "create")
            && strcmp(name, "get") && strcmp(name, "set")
            && strcmp(name, "add") && strcmp(name, "remove")
            && strcmp(name, "clear") && strcmp(name, "wait-until"))) {
        return;
    }

    /* TABLE. */
    error = ctl_cmdline_find_table(schema, c->argv[1], &ts);
    if (error) {
        if (ts) {
            fail("%s: error \"%s\" but a table stored", c->argv[1], error);
        }
        check_error(error, c->argv[1]);
        return;
    }
    error = ctl_cmdline_find_table(schema, ts->name, &ts2);
    if (error || ts2 != ts) {
        fail("%s: found table %s, whose name finds %s", c->argv[1],
             ts->name, error ? error : ts2->name);
    }

    /* The column arguments. */
    for (int i = 2; i < c->argc; i++) {
        const char *arg = c->argv[i];

        if (!strcmp(name, "find") || (!strcmp(name, "wait-until") && i > 2)) {
            check_column_arg(ts, arg, relops, ARRAY_SIZE(relops));
        } else if ((!strcmp(name, "set") && i > 2)
                   || !strcmp(name, "create")) {
            check_column_arg(ts, arg, eq_op, 1);
        } else if (!strcmp(name, "get") && i > 2) {
            check_column_arg(ts, arg, NULL, 0);
        } else if ((!strcmp(name, "add") || !strcmp(name, "remove")
                    || !strcmp(name, "clear")) && i == 3) {
            const struct ovsdb_column *column;
            error = ctl_cmdline_find_column(ts, arg, &column);
            if (error) {
                if (column) {
                    fail("%s: error \"%s\" but a column stored", arg, error);
                }
                check_error(error, arg);
            } else if (ovsdb_table_schema_get_column(ts, column->name)
                       != column) {
                fail("%s: column %s is not in table %s", arg, column->name,
                     ts->name);
            }
        }
    }
}

static void
check_commands(char **argv, int argc, int first,
               const struct ctl_cmdline_command *cmds, size_t n)
{
    char **next = argv + first;     /* Commands do not overlap. */

    if (!n) {
        fail("no command, but no error");
    }
    for (size_t i = 0; i < n; i++) {
        const struct ctl_cmdline_command *c = &cmds[i];
        const struct ctl_command_syntax *syntax = c->syntax;
        struct shash_node *node;

        if (!syntax || shash_find_data(&commands, c->argv[0]) != syntax) {
            fail("command %zu: \"%s\" is not its syntax's name", i,
                 c->argv[0]);
        }
        if (c->argc - 1 < syntax->min_args
            || c->argc - 1 > syntax->max_args) {
            fail("%s: %d arguments accepted, the syntax says %d to %d",
                 syntax->name, c->argc - 1, syntax->min_args,
                 syntax->max_args);
        }
        if (c->argv < next || c->argv + c->argc > argv + argc) {
            fail("%s: arguments outside argv or overlapping", syntax->name);
        }
        for (int j = 0; j < c->argc; j++) {
            if (!strcmp(c->argv[j], "--")) {
                fail("%s: \"--\" among the arguments", syntax->name);
            }
        }
        next = c->argv + c->argc;

        SHASH_FOR_EACH (node, &c->options) {
            bool takes_value;
            if (!ctl_syntax_has_option(syntax, node->name, &takes_value)
                || takes_value != (node->data != NULL)) {
                fail("%s: option %s accepted against the syntax \"%s\"",
                     syntax->name, node->name, syntax->options);
            }
        }
        check_command_args(c);
    }
}

/* -v specs go through the real parser (lib/vlog.c): setting levels has no
 * effect on a harness that logs nothing.  --log-file opens nothing. */
static char *
fuzz_verbose(const char *spec)
{
    return vlog_set_levels_from_string(spec);
}

static const struct ctl_cmdline_hooks hooks = { fuzz_verbose, NULL, NULL };

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static bool initialized;
    if (!initialized) {
        init();
        initialized = true;
    }

    /* argv: one NUL-terminated copy of the input, cut at its NULs. */
    char *buf = xmalloc(size + 1);
    memcpy(buf, data, size);
    buf[size] = '\0';
    int argc = 1 + (size > 0);
    for (size_t i = 0; i < size; i++) {
        argc += !buf[i];
    }
    char **argv = xmalloc((argc + 1) * sizeof *argv);
    argv[0] = "xsw-ctl";
    size_t pos = 0;
    for (int i = 1; i < argc; i++) {
        argv[i] = &buf[pos];
        pos += strlen(&buf[pos]) + 1;
    }
    argv[argc] = NULL;

    struct shash local_options = SHASH_INITIALIZER(&local_options);
    struct ctl_cmdline_globals g;
    int first = -1;
    char *error = ctl_cmdline_parse_globals(argc, argv, &commands, &hooks,
                                            &g, &local_options, &first);
    if (error) {
        check_error(error, "global options");
        goto out;
    }
    if (g.getopt_error) {
        fail("getopt_error set without an error");
    }
    if (first < 1 || first > argc) {
        fail("first command argument %d of %d", first, argc);
    }
    if (g.action != CTL_CMDLINE_RUN) {
        goto out;
    }
    /* Parsing stops at a non-option, at "-", or after "--" (skipped, as
     * getopt does): only then may an option-like argument follow. */
    if (first < argc && argv[first][0] == '-' && strcmp(argv[first], "-")
        && strcmp(argv[first - 1], "--")) {
        fail("option %s taken for a command", argv[first]);
    }
    if (g.global.timeout < 0 || g.global.timeout > INT_MAX / 1000) {
        fail("--timeout %d accepted", g.global.timeout);
    }

    struct ctl_cmdline_command *cmds;
    size_t n;
    error = ctl_cmdline_parse_commands(argc - first, argv + first, &commands,
                                       &local_options, &cmds, &n);
    if (!shash_is_empty(&local_options)) {
        fail("options before the first command were not consumed");
    }
    if (error) {
        if (cmds || n) {
            fail("error \"%s\" but commands returned", error);
        }
        check_error(error, "commands");
        goto out;
    }
    check_commands(argv, argc, first, cmds, n);
    ctl_cmdline_commands_destroy(cmds, n);

out:
    shash_destroy_free_data(&local_options);
    free(argv);
    free(buf);
    return 0;
}
