/* cmdline.c: xsw-ctl's command-line parser (see cmdline.h).
 *
 * The messages are ovs-vsctl 3.1's, word for word: tests/ctl/ compares
 * xsw-ctl's stderr with ovs-vsctl's. */
#include <config.h>

#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include "ovsdb-data.h"
#include "ovsdb-schema.h"
#include "util.h"

/* ---- Global options. ---- */

enum global_option {
    OPT_DB, OPT_NO_WAIT, OPT_TIMEOUT, OPT_DRY_RUN, OPT_RETRY, OPT_ONELINE,
    OPT_FORMAT, OPT_DATA, OPT_NO_HEADINGS, OPT_PRETTY, OPT_BARE, OPT_VERBOSE,
    OPT_HELP, OPT_VERSION, OPT_NO_SYSLOG
};

static const struct {
    const char *long_name;
    char short_name;
    bool has_arg;
} global_options[] = {
    [OPT_DB] = { "db", 0, true },
    [OPT_NO_WAIT] = { "no-wait", 0, false },
    [OPT_TIMEOUT] = { "timeout", 't', true },
    [OPT_DRY_RUN] = { "dry-run", 0, false },
    [OPT_RETRY] = { "retry", 0, false },
    [OPT_ONELINE] = { "oneline", 0, false },
    [OPT_FORMAT] = { "format", 'f', true },
    [OPT_DATA] = { "data", 'd', true },
    [OPT_NO_HEADINGS] = { "no-headings", 0, false },
    [OPT_PRETTY] = { "pretty", 0, false },
    [OPT_BARE] = { "bare", 0, false },
    [OPT_VERBOSE] = { "verbose", 'v', false },
    [OPT_HELP] = { "help", 'h', false },
    [OPT_VERSION] = { "version", 'V', false },
    [OPT_NO_SYSLOG] = { "no-syslog", 0, false },
};

bool
ctl_syntax_has_option(const struct ctl_command_syntax *syntax,
                      const char *name, bool *takes_value)
{
    size_t n = strlen(name);
    const char *p = syntax->options;

    while (p && *p) {
        size_t len = strcspn(p, ",");
        size_t base = len && p[len - 1] == '=' ? len - 1 : len;
        if (base == n && !strncmp(p, name, n)) {
            *takes_value = base != len;
            return true;
        }
        p += len + (p[len] == ',');
    }
    return false;
}

static bool
is_command_option(const struct shash *commands, const char *name)
{
    struct shash_node *node;
    bool dummy;

    SHASH_FOR_EACH (node, commands) {
        if (ctl_syntax_has_option(node->data, name, &dummy)) {
            return true;
        }
    }
    return false;
}

/* Adds "--name[=value]" to 'options'. */
static char *
add_local_option(struct shash *options, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *name = eq ? xstrndup(arg, eq - arg) : xstrdup(arg);
    char *error = NULL;

    if (shash_find(options, name)) {
        error = xasprintf("'%s' option specified multiple times", name);
    } else {
        shash_add(options, name, eq ? xstrdup(eq + 1) : NULL);
    }
    free(name);
    return error;
}

static char *
getopt_error(struct ctl_cmdline_globals *g, char *message)
{
    g->getopt_error = true;
    return message;
}

/* Applies global option 'o' with 'value' (NULL if it takes none). */
static char *
apply_global_option(struct ctl_cmdline_globals *g, enum global_option o,
                    const char *value)
{
    switch (o) {
    case OPT_DB:
        g->db_remote = value;
        break;
    case OPT_NO_WAIT:
        g->global.no_wait = true;
        break;
    case OPT_TIMEOUT: {
        /* ovs-vsctl takes any positive unsigned int (it passes it to
         * alarm()).  Our deadline is in milliseconds in an int, so a
         * timeout beyond ~24 days is clamped: it is forever in practice. */
        char *end;
        errno = 0;
        long long t = strtoll(value, &end, 10);
        if (end == value || *end || errno || t <= 0 || t > UINT_MAX) {
            return xasprintf("value %s on -t or --timeout is invalid",
                             value);
        }
        g->global.timeout = t > INT_MAX / 1000 ? INT_MAX / 1000 : t;
        break;
    }
    case OPT_DRY_RUN:
        g->global.dry_run = true;
        break;
    case OPT_RETRY:
        g->retry = true;
        break;
    case OPT_ONELINE:
        g->global.oneline = true;
        break;
    case OPT_FORMAT:
        if (!table_parse_format(value, &g->style.format)) {
            return xasprintf("unknown output format \"%s\"", value);
        }
        break;
    case OPT_DATA:
        if (!table_parse_cell_format(value, &g->style.cell_format)) {
            return xasprintf("unknown data format \"%s\"", value);
        }
        break;
    case OPT_NO_HEADINGS:
        g->style.headings = false;
        break;
    case OPT_PRETTY:
        g->style.pretty = true;
        break;
    case OPT_BARE:
        g->style.format = TF_LIST;
        g->style.cell_format = CF_BARE;
        g->style.headings = false;
        break;
    case OPT_VERBOSE:
        g->verbosity++;
        break;
    case OPT_HELP:
        g->action = CTL_CMDLINE_HELP;
        break;
    case OPT_VERSION:
        g->action = CTL_CMDLINE_VERSION;
        break;
    case OPT_NO_SYSLOG:
        break;
    }
    return NULL;
}

char *
ctl_cmdline_parse_globals(int argc, char *argv[],
                          const struct shash *commands,
                          struct ctl_cmdline_globals *g,
                          struct shash *local_options, int *first)
{
    /* ovs-vsctl prints list and find results as lists by default. */
    *g = (struct ctl_cmdline_globals) {
        .style = { TF_LIST, CF_STRING, true, false },
    };

    int i;
    for (i = 1; i < argc && g->action == CTL_CMDLINE_RUN; i++) {
        const char *arg = argv[i];
        const char *value = NULL;
        int o = -1;

        if (arg[0] != '-' || !strcmp(arg, "-") || !strcmp(arg, "--")) {
            break;
        }
        if (arg[1] == '-') {
            const char *eq = strchr(arg + 2, '=');
            size_t len = eq ? (size_t) (eq - arg - 2) : strlen(arg + 2);
            for (size_t j = 0; j < ARRAY_SIZE(global_options); j++) {
                if (strlen(global_options[j].long_name) == len
                    && !strncmp(global_options[j].long_name, arg + 2, len)) {
                    o = j;
                }
            }
            if (o < 0) {
                /* Not global: an option of the first command, if any
                 * command has it. */
                char *name = xstrndup(arg, len + 2);
                bool known = is_command_option(commands, name);
                free(name);
                if (!known) {
                    return getopt_error(
                        g, xasprintf("unrecognized option '%s'", arg));
                }
                char *error = add_local_option(local_options, arg);
                if (error) {
                    return error;
                }
                continue;
            }
            if (eq) {
                if (!global_options[o].has_arg) {
                    return getopt_error(
                        g, xasprintf("option '--%s' doesn't allow an "
                                     "argument", global_options[o].long_name));
                }
                value = eq + 1;
            }
        } else {
            for (size_t j = 0; j < ARRAY_SIZE(global_options); j++) {
                if (global_options[j].short_name
                    && global_options[j].short_name == arg[1]) {
                    o = j;
                }
            }
            if (o < 0 || (arg[2] && !global_options[o].has_arg)) {
                return getopt_error(
                    g, xasprintf("invalid option -- '%c'",
                                 arg[o < 0 ? 1 : 2]));
            }
            if (arg[2]) {
                value = arg + 2;
            }
        }
        if (global_options[o].has_arg && !value) {
            if (i + 1 >= argc) {
                return getopt_error(
                    g, arg[1] == '-'
                    ? xasprintf("option '%s' requires an argument", arg)
                    : xasprintf("option requires an argument -- '%c'",
                                arg[1]));
            }
            value = argv[++i];
        }

        char *error = apply_global_option(g, o, value);
        if (error) {
            return error;
        }
    }
    *first = i;
    return NULL;
}

/* ---- Commands. ---- */

static char *
parse_command(int argc, char *argv[], const struct shash *commands,
              struct shash *local_options, struct ctl_cmdline_command *command)
{
    struct shash_node *node, *next;
    char *error = NULL;
    int i;

    shash_init(&command->options);
    SHASH_FOR_EACH_SAFE (node, next, local_options) {
        shash_add(&command->options, node->name, node->data);
        shash_delete(local_options, node);
    }
    for (i = 0; i < argc && str_starts_with(argv[i], "--") && argv[i][2];
         i++) {
        error = add_local_option(&command->options, argv[i]);
        if (error) {
            goto error;
        }
    }
    if (i == argc) {
        error = xstrdup("missing command name (use --help for help)");
        goto error;
    }

    const struct ctl_command_syntax *syntax = shash_find_data(commands,
                                                              argv[i]);
    if (!syntax) {
        error = xasprintf("unknown command '%s'; use --help for help",
                          argv[i]);
        goto error;
    }

    SHASH_FOR_EACH (node, &command->options) {
        bool takes_value;
        if (!ctl_syntax_has_option(syntax, node->name, &takes_value)) {
            error = xasprintf("'%s' command has no '%s' option",
                              argv[i], node->name);
        } else if (takes_value && !node->data) {
            error = xasprintf("missing argument to '%s' option on '%s' "
                              "command", node->name, argv[i]);
        } else if (!takes_value && node->data) {
            error = xasprintf("'%s' option on '%s' does not accept an "
                              "argument", node->name, argv[i]);
        }
        if (error) {
            goto error;
        }
    }

    int n_arg = argc - i - 1;
    if (n_arg < syntax->min_args) {
        error = xasprintf("'%s' command requires at least %d arguments",
                          syntax->name, syntax->min_args);
        goto error;
    } else if (n_arg > syntax->max_args) {
        error = xasprintf("'%s' command takes at most %d arguments",
                          syntax->name, syntax->max_args);
        goto error;
    }
    command->syntax = syntax;
    command->argc = n_arg + 1;
    command->argv = &argv[i];
    return NULL;

error:
    shash_destroy_free_data(&command->options);
    return error;
}

char *
ctl_cmdline_parse_commands(int argc, char *argv[],
                           const struct shash *commands,
                           struct shash *local_options,
                           struct ctl_cmdline_command **commandsp,
                           size_t *n_commandsp)
{
    /* At most one command per argument, plus the empty last one. */
    struct ctl_cmdline_command *cmds = xcalloc(argc + 1, sizeof *cmds);
    char *error = NULL;
    size_t n = 0;
    int start = 0;

    for (int i = 0; i <= argc && !error; i++) {
        if (i == argc || !strcmp(argv[i], "--")) {
            if (i > start) {
                error = parse_command(i - start, &argv[start], commands,
                                     local_options, &cmds[n]);
                n += !error;
            } else if (!shash_is_empty(local_options)) {
                error = xstrdup("missing command name (use --help for "
                                "help)");
            }
            start = i + 1;
        }
    }
    if (!error && !n) {
        error = xstrdup("missing command name (use --help for help)");
    }
    if (error) {
        ctl_cmdline_commands_destroy(cmds, n);
        shash_destroy_free_data(local_options);
        shash_init(local_options);
        *commandsp = NULL;
        *n_commandsp = 0;
        return error;
    }
    *commandsp = cmds;
    *n_commandsp = n;
    return NULL;
}

void
ctl_cmdline_commands_destroy(struct ctl_cmdline_command *cmds, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        shash_destroy_free_data(&cmds[i].options);
    }
    free(cmds);
}

/* ---- Tables and columns. ---- */

static int
to_lower_and_underscores(unsigned char c)
{
    return c == '-' ? '_' : tolower(c);
}

/* How well 's' abbreviates 'name': UINT_MAX for an exact match, UINT_MAX -
 * 1 for a match but for case and '-' vs '_', the length of 's' if it is a
 * prefix of 'name' (same equivalences), 0 otherwise. */
static unsigned int
score_partial_match(const char *name, const char *s)
{
    unsigned int score;

    if (!strcmp(name, s)) {
        return UINT_MAX;
    }
    for (score = 0; ; score++, name++, s++) {
        if (to_lower_and_underscores(*name) != to_lower_and_underscores(*s)) {
            break;
        } else if (*name == '\0') {
            return UINT_MAX - 1;
        }
    }
    return *s == '\0' ? score : 0;
}

char *
ctl_cmdline_find_table(const struct ovsdb_schema *schema, const char *name,
                       const struct ovsdb_table_schema **tsp)
{
    const struct ovsdb_table_schema *best = NULL;
    unsigned int best_score = 0;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &schema->tables) {
        const struct ovsdb_table_schema *ts = node->data;
        unsigned int score = score_partial_match(ts->name, name);
        if (score > best_score) {
            best = ts;
            best_score = score;
        } else if (score == best_score) {
            best = NULL;
        }
    }
    *tsp = best;
    if (!best) {
        return (best_score
                ? xasprintf("multiple table names match \"%s\"", name)
                : xasprintf("unknown table \"%s\"", name));
    }
    return NULL;
}

char *
ctl_cmdline_find_column(const struct ovsdb_table_schema *ts,
                        const char *name, const struct ovsdb_column **columnp)
{
    const struct ovsdb_column *best = NULL;
    unsigned int best_score = 0;
    size_t n_best = 0;
    char *matches = NULL;       /* The names of the best matches, for the
                                 * "more than one column" message. */
    char *error = NULL;

    for (unsigned int i = 0; i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        unsigned int score = score_partial_match(c->name, name);
        if (score && score >= best_score) {
            if (score > best_score) {
                n_best = 0;
                free(matches);
                matches = NULL;
            }
            char *m = xasprintf("%s%s%s", matches ? matches : "",
                                matches ? ", " : "", c->name);
            free(matches);
            matches = m;
            n_best++;
            best = c;
            best_score = score;
        }
    }
    if (!best) {
        error = xasprintf("%s does not contain a column whose name matches "
                          "\"%s\"", ts->name, name);
    } else if (n_best > 1) {
        error = xasprintf("%s contains more than one column whose name "
                          "matches \"%s\": %s", ts->name, name, matches);
        best = NULL;
    }
    free(matches);
    *columnp = best;
    return error;
}

/* Parses a column name or a map key at '*p': a double-quoted string or
 * everything up to one of the operator characters.  On success stores the
 * token (malloc'd) in '*tokenp' and advances '*p' past it. */
static char *
parse_token(const char **p, char **tokenp)
{
    const char *s = *p;

    *tokenp = NULL;
    if (*s == '"') {
        union ovsdb_atom atom;
        struct ovsdb_base_type bt = { .type = OVSDB_TYPE_STRING };
        const char *end = s + 1;

        bt.u.string.max_len = UINT_MAX;
        while (*end && *end != '"') {
            end += end[0] == '\\' && end[1] ? 2 : 1;
        }
        if (*end == '"') {
            end++;
        }
        char *quoted = xstrndup(s, end - s);
        char *error = ovsdb_atom_from_string(&atom, &bt, quoted, NULL);
        free(quoted);
        if (error) {
            return error;
        }
        *p = end;
        *tokenp = atom.string;
        return NULL;
    }
    size_t n = strcspn(s, ":=!<>{}");
    *p = s + n;
    *tokenp = xstrndup(s, n);
    return NULL;
}

/* The message for an argument that has no operator from 'ops' followed by
 * a value: "ARG: argument does not end in "=", "!=", or "<" followed by a
 * value." */
static char *
missing_operator_error(const char *arg, const char *const *ops, size_t n_ops)
{
    char *msg = xasprintf("%s: argument does not end in \"%s\"",
                          arg, ops[0]);
    for (size_t i = 1; i < n_ops; i++) {
        char *m = xasprintf("%s%s\"%s\"", msg,
                            n_ops == 2 ? " or "
                            : i == n_ops - 1 ? ", or " : ", ",
                            ops[i]);
        free(msg);
        msg = m;
    }
    char *error = xasprintf("%s followed by a value.", msg);
    free(msg);
    return error;
}

char *
ctl_cmdline_parse_column_key_value(const char *arg,
                                   const struct ovsdb_table_schema *ts,
                                   const char *const *ops, size_t n_ops,
                                   const struct ovsdb_column **columnp,
                                   char **keyp, int *opp, char **valuep)
{
    const char *p = arg;
    const struct ovsdb_column *column = NULL;
    char *name, *key = NULL;
    char *error;

    *columnp = NULL;
    *keyp = NULL;
    if (ops) {
        *valuep = NULL;
    }

    error = parse_token(&p, &name);
    if (error) {
        return error;
    }
    if (!name[0]) {
        error = xasprintf("%s: missing column name", arg);
    } else {
        error = ctl_cmdline_find_column(ts, name, &column);
    }
    free(name);
    if (error) {
        return error;
    }

    if (*p == ':') {
        p++;
        error = parse_token(&p, &key);
        if (error) {
            return error;
        }
    }
    if (ops) {
        int best = -1;
        size_t best_len = 0;
        for (size_t i = 0; i < n_ops; i++) {
            size_t len = strlen(ops[i]);
            if (len > best_len && !strncmp(ops[i], p, len) && p[len]) {
                best = i;
                best_len = len;
            }
        }
        if (best < 0) {
            free(key);
            return missing_operator_error(arg, ops, n_ops);
        }
        if (opp) {
            *opp = best;
        }
        *valuep = xstrdup(p + best_len);
    } else if (*p) {
        free(key);
        return xasprintf("%s: trailing garbage \"%s\" in argument", arg, p);
    }
    *columnp = column;
    *keyp = key;
    return NULL;
}
