/* cmdline.c: xsw-ctl's command-line parser (see cmdline.h).
 *
 * The messages are ovs-vsctl 3.1's, word for word: tests/ctl/ compares
 * xsw-ctl's stderr with ovs-vsctl's. */
#include <config.h>

#include "cmdline.h"

#include <ctype.h>
#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "ovsdb-data.h"
#include "ovsdb-schema.h"
#include "util.h"

/* ---- Global options. ---- */

/* ovs-vsctl's global options, in the order of its option table: getopt_long()
 * lists the possibilities of an ambiguous prefix in this order. */
enum global_option {
    OPT_DB, OPT_NO_SYSLOG, OPT_NO_WAIT, OPT_DRY_RUN, OPT_ONELINE, OPT_TIMEOUT,
    OPT_RETRY, OPT_HELP, OPT_COMMANDS, OPT_OPTIONS, OPT_LEADER_ONLY,
    OPT_NO_LEADER_ONLY, OPT_SHUFFLE_REMOTES, OPT_NO_SHUFFLE_REMOTES,
    OPT_VERSION, OPT_VERBOSE, OPT_LOG_FILE, OPT_SYSLOG_METHOD,
    OPT_SYSLOG_TARGET, OPT_FORMAT, OPT_DATA, OPT_NO_HEADINGS, OPT_PRETTY,
    OPT_BARE, OPT_MAX_COLUMN_WIDTH, OPT_PRIVATE_KEY, OPT_CERTIFICATE,
    OPT_CA_CERT, OPT_SSL_PROTOCOLS, OPT_SSL_CIPHERS, OPT_BOOTSTRAP_CA_CERT,
    OPT_PEER_CA_CERT,
    N_GLOBAL_OPTIONS,
    OPT_LOCAL = N_GLOBAL_OPTIONS    /* An option of some command. */
};

enum has_arg { NO_ARG, REQUIRED_ARG, OPTIONAL_ARG };

struct option_def {
    const char *name;           /* Without the leading "--". */
    enum has_arg has_arg;
    char short_name;            /* 0 if none. */
    enum global_option id;
};

static const struct option_def global_options[N_GLOBAL_OPTIONS] = {
    { "db", REQUIRED_ARG, 0, OPT_DB },
    { "no-syslog", NO_ARG, 0, OPT_NO_SYSLOG },
    { "no-wait", NO_ARG, 0, OPT_NO_WAIT },
    { "dry-run", NO_ARG, 0, OPT_DRY_RUN },
    { "oneline", NO_ARG, 0, OPT_ONELINE },
    { "timeout", REQUIRED_ARG, 't', OPT_TIMEOUT },
    { "retry", NO_ARG, 0, OPT_RETRY },
    { "help", NO_ARG, 'h', OPT_HELP },
    { "commands", NO_ARG, 0, OPT_COMMANDS },
    { "options", NO_ARG, 0, OPT_OPTIONS },
    { "leader-only", NO_ARG, 0, OPT_LEADER_ONLY },
    { "no-leader-only", NO_ARG, 0, OPT_NO_LEADER_ONLY },
    { "shuffle-remotes", NO_ARG, 0, OPT_SHUFFLE_REMOTES },
    { "no-shuffle-remotes", NO_ARG, 0, OPT_NO_SHUFFLE_REMOTES },
    { "version", NO_ARG, 'V', OPT_VERSION },
    { "verbose", OPTIONAL_ARG, 'v', OPT_VERBOSE },
    { "log-file", OPTIONAL_ARG, 0, OPT_LOG_FILE },
    { "syslog-method", REQUIRED_ARG, 0, OPT_SYSLOG_METHOD },
    { "syslog-target", REQUIRED_ARG, 0, OPT_SYSLOG_TARGET },
    { "format", REQUIRED_ARG, 'f', OPT_FORMAT },
    { "data", REQUIRED_ARG, 'd', OPT_DATA },
    { "no-headings", NO_ARG, 0, OPT_NO_HEADINGS },
    { "pretty", NO_ARG, 0, OPT_PRETTY },
    { "bare", NO_ARG, 0, OPT_BARE },
    { "max-column-width", REQUIRED_ARG, 0, OPT_MAX_COLUMN_WIDTH },
    { "private-key", REQUIRED_ARG, 'p', OPT_PRIVATE_KEY },
    { "certificate", REQUIRED_ARG, 'c', OPT_CERTIFICATE },
    { "ca-cert", REQUIRED_ARG, 'C', OPT_CA_CERT },
    { "ssl-protocols", REQUIRED_ARG, 0, OPT_SSL_PROTOCOLS },
    { "ssl-ciphers", REQUIRED_ARG, 0, OPT_SSL_CIPHERS },
    { "bootstrap-ca-cert", REQUIRED_ARG, 0, OPT_BOOTSTRAP_CA_CERT },
    { "peer-ca-cert", REQUIRED_ARG, 0, OPT_PEER_CA_CERT },
};

/* The commands' options come after the global ones, in the order in which
 * ovs-vsctl 3.1 meets them in its command table; an option that only
 * xsw-ctl's commands have follows these, by name. */
static const char *const ovs_local_option_order[] = {
    "may-exist", "if-exists", "id", "inactivity-probe", "real", "fake",
    "with-iface", "columns", "bootstrap", "all", "fake-iface",
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

static size_t
local_option_rank(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(ovs_local_option_order); i++) {
        if (!strcmp(ovs_local_option_order[i], name)) {
            return i;
        }
    }
    return ARRAY_SIZE(ovs_local_option_order);
}

static int
compare_local_options(const void *a_, const void *b_)
{
    const struct option_def *a = a_, *b = b_;
    size_t ra = local_option_rank(a->name), rb = local_option_rank(b->name);
    return ra != rb ? (ra < rb ? -1 : 1) : strcmp(a->name, b->name);
}

/* The option table that ovs-vsctl hands getopt_long(): the global options,
 * then every option that some command in 'commands' accepts, once, its
 * name malloc'd (free_option_table() frees them). */
static struct option_def *
build_option_table(const struct shash *commands, size_t *np)
{
    size_t n = N_GLOBAL_OPTIONS, allocated = N_GLOBAL_OPTIONS + 16;
    struct option_def *options = xmalloc(allocated * sizeof *options);
    struct shash seen = SHASH_INITIALIZER(&seen);
    struct shash_node *node;

    memcpy(options, global_options, sizeof global_options);
    SHASH_FOR_EACH (node, commands) {
        const struct ctl_command_syntax *syntax = node->data;
        const char *p = syntax->options;

        while (p && *p) {
            size_t len = strcspn(p, ",");
            bool takes_value = len && p[len - 1] == '=';
            size_t base = len - takes_value;

            if (base > 2 && !strncmp(p, "--", 2)) {
                char *name = xstrndup(p + 2, base - 2);
                if (shash_add_once(&seen, name, NULL)) {
                    if (n >= allocated) {
                        options = x2nrealloc(options, &allocated,
                                             sizeof *options);
                    }
                    options[n++] = (struct option_def) {
                        .name = name,
                        .has_arg = takes_value ? REQUIRED_ARG : NO_ARG,
                        .id = OPT_LOCAL,
                    };
                } else {
                    free(name);
                }
            }
            p += len + (p[len] == ',');
        }
    }
    shash_destroy(&seen);
    qsort(options + N_GLOBAL_OPTIONS, n - N_GLOBAL_OPTIONS, sizeof *options,
          compare_local_options);
    *np = n;
    return options;
}

static void
free_option_table(struct option_def *options, size_t n)
{
    for (size_t i = N_GLOBAL_OPTIONS; i < n; i++) {
        free((char *) (uintptr_t) options[i].name);
    }
    free(options);
}

/* Adds "--name[=value]" to 'options'. */
static char *
add_local_option(struct shash *options, const char *arg)
{
    const char *eq = strchr(arg, '=');
    char *name = eq ? xstrndup(arg, eq - arg) : xstrdup(arg);
    char *error = NULL;

    if (shash_find(options, name)) {
        error = xasprintf("'%s' option specified multiple times", arg);
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

/* An option that ovs-vsctl has and xsw-ctl cannot honour: refused, saying
 * why, rather than accepted and ignored. */
static char *
unsupported_option(const char *name, const char *why)
{
    return xasprintf("--%s: %s", name, why);
}

/* Applies global option 'o' with 'value' (NULL if none was given). */
static char *
apply_global_option(struct ctl_cmdline_globals *g,
                    const struct ctl_cmdline_hooks *hooks,
                    enum global_option o, const char *value)
{
    switch (o) {
    case OPT_DB:
        if (strchr(value, ',')) {
            /* ovs-vsctl would try each in turn (and --shuffle-remotes
             * would shuffle them); xsw's client connects to one. */
            return xasprintf("--db=%s: xsw-ctl connects to one server, "
                             "this names several", value);
        }
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
    case OPT_MAX_COLUMN_WIDTH:
        /* atoi(), as ovs-vsctl: "abc" is 0, no limit. */
        g->style.max_column_width = atoi(value);
        break;
    case OPT_VERBOSE:
        g->verbose = true;
        if (hooks && hooks->verbose) {
            char *error = hooks->verbose(value ? value : "");
            if (error) {
                char *msg = xasprintf("processing \"%s\": %s",
                                      value ? value : "", error);
                free(error);
                return msg;
            }
        }
        break;
    case OPT_LOG_FILE:
        if (hooks && hooks->log_file) {
            hooks->log_file(value);
        }
        break;
    case OPT_HELP:
        g->action = CTL_CMDLINE_HELP;
        break;
    case OPT_COMMANDS:
        g->action = CTL_CMDLINE_COMMANDS;
        break;
    case OPT_OPTIONS:
        g->action = CTL_CMDLINE_OPTIONS;
        break;
    case OPT_VERSION:
        g->action = CTL_CMDLINE_VERSION;
        break;
    case OPT_NO_SYSLOG:
        if (hooks && hooks->no_syslog) {
            hooks->no_syslog();
        }
        break;
    case OPT_LEADER_ONLY:
    case OPT_NO_LEADER_ONLY:
        /* Only a clustered ovsdb-server has followers; xsw-ctl connects to
         * the one server --db names (docs/ctl-differences.md). */
        break;
    case OPT_SHUFFLE_REMOTES:
    case OPT_NO_SHUFFLE_REMOTES:
        /* --db names one remote: there is no order to shuffle. */
        break;
    case OPT_SYSLOG_METHOD:
    case OPT_SYSLOG_TARGET:
        return unsupported_option(global_options[o].name,
                                  "xsw-ctl logs to syslog through "
                                  "syslog(3) only (--log-file logs to a "
                                  "file)");
    case OPT_PRIVATE_KEY:
        g->private_key = value;
        break;
    case OPT_CERTIFICATE:
        g->certificate = value;
        break;
    case OPT_CA_CERT:
        g->ca_cert = value;
        break;
    case OPT_SSL_PROTOCOLS:
    case OPT_SSL_CIPHERS:
        return unsupported_option(global_options[o].name,
                                  "xsw-ctl speaks TLS 1.2 or later with "
                                  "OpenSSL's default ciphers, which cannot "
                                  "be chosen");
    case OPT_BOOTSTRAP_CA_CERT:
    case OPT_PEER_CA_CERT:
        return unsupported_option(global_options[o].name,
                                  "xsw-ctl needs the CA certificate given "
                                  "with --ca-cert; it does not learn it from "
                                  "the server");
    case N_GLOBAL_OPTIONS:
        /* OPT_LOCAL: the caller's. */
        break;
    }
    return NULL;
}

/* Looks up long option 'arg' ("--name" or "--name=value") in 'options' as
 * getopt_long() does: an exact name, else a prefix of exactly one option,
 * or of several that getopt cannot tell apart (same argument rule, same
 * option: a command option is one option for getopt).  Returns the
 * option's index, or -1 with the error in '*errorp'. */
static int
find_long_option(const struct option_def *options, size_t n,
                 const char *arg, char **errorp)
{
    const char *name = arg + 2;
    size_t len = strcspn(name, "=");
    int found = -1;
    bool ambiguous = false;

    for (size_t i = 0; i < n; i++) {
        if (strlen(options[i].name) == len
            && !strncmp(options[i].name, name, len)) {
            return i;
        }
    }
    for (size_t i = 0; i < n; i++) {
        if (!strncmp(options[i].name, name, len)) {
            if (found < 0) {
                found = i;
            } else if (options[i].has_arg != options[found].has_arg
                       || options[i].id != options[found].id) {
                ambiguous = true;
            }
        }
    }
    if (found < 0) {
        *errorp = xasprintf("unrecognized option '%s'", arg);
        return -1;
    }
    if (ambiguous) {
        /* The first match and each that differs from it, in table order. */
        struct ds msg = DS_EMPTY_INITIALIZER;
        ds_put_format(&msg, "option '%s' is ambiguous; possibilities:", arg);
        for (size_t i = found; i < n; i++) {
            if (!strncmp(options[i].name, name, len)
                && ((int) i == found
                    || options[i].has_arg != options[found].has_arg
                    || options[i].id != options[found].id)) {
                ds_put_format(&msg, " '--%s'", options[i].name);
            }
        }
        *errorp = ds_steal_cstr(&msg);
        return -1;
    }
    return found;
}

/* Stores local option 'name' (a command option given before the first
 * command) with 'value' in 'local_options'.  ovs-vsctl means to refuse a
 * repeated one but looks it up without its "--", so it lets it through;
 * which value its hash table then yields depends on how many there are
 * (the first of two).  xsw-ctl keeps the first. */
static void
store_local_option(struct shash *local_options, const char *name,
                   const char *value)
{
    char *key = xasprintf("--%s", name);

    if (!shash_find(local_options, key)) {
        shash_add(local_options, key, value ? xstrdup(value) : NULL);
    }
    free(key);
}

char *
ctl_cmdline_parse_globals(int argc, char *argv[],
                          const struct shash *commands,
                          const struct ctl_cmdline_hooks *hooks,
                          struct ctl_cmdline_globals *g,
                          struct shash *local_options, int *first)
{
    /* ovs-vsctl prints list and find results as lists by default. */
    *g = (struct ctl_cmdline_globals) {
        .style = { TF_LIST, CF_STRING, true, false, 0 },
    };

    size_t n_options;
    struct option_def *options = build_option_table(commands, &n_options);
    char *error = NULL;
    int i;

    for (i = 1; i < argc && g->action == CTL_CMDLINE_RUN && !error; i++) {
        const char *arg = argv[i];

        if (arg[0] != '-' || !arg[1]) {
            break;
        } else if (!strcmp(arg, "--")) {
            i++;                /* getopt skips it. */
            break;
        }

        if (arg[1] == '-') {
            int o = find_long_option(options, n_options, arg, &error);
            if (o < 0) {
                error = getopt_error(g, error);
                break;
            }

            const struct option_def *opt = &options[o];
            const char *eq = strchr(arg, '=');
            const char *value = eq ? eq + 1 : NULL;
            if (eq && opt->has_arg == NO_ARG) {
                error = getopt_error(
                    g, xasprintf("option '--%s' doesn't allow an argument",
                                 opt->name));
                break;
            } else if (!eq && opt->has_arg == REQUIRED_ARG) {
                if (i + 1 >= argc) {
                    error = getopt_error(
                        g, xasprintf("option '--%s' requires an argument",
                                     opt->name));
                    break;
                }
                value = argv[++i];
            }
            if (opt->id == OPT_LOCAL) {
                store_local_option(local_options, opt->name, value);
            } else {
                error = apply_global_option(g, hooks, opt->id, value);
            }
            continue;
        }

        /* A cluster of short options, "-vV" or "-t5". */
        for (const char *p = arg + 1; *p && !error
                 && g->action == CTL_CMDLINE_RUN; p++) {
            const struct option_def *opt = NULL;
            for (size_t j = 0; j < N_GLOBAL_OPTIONS; j++) {
                if (options[j].short_name && options[j].short_name == *p) {
                    opt = &options[j];
                }
            }
            if (!opt) {
                error = getopt_error(
                    g, xasprintf("invalid option -- '%c'", *p));
                break;
            }
            if (opt->has_arg == NO_ARG) {
                error = apply_global_option(g, hooks, opt->id, NULL);
                continue;
            }

            /* The rest of the cluster is the value; a required one may
             * also be the next argument. */
            const char *value = p[1] ? p + 1 : NULL;
            if (!value && opt->has_arg == REQUIRED_ARG) {
                if (i + 1 >= argc) {
                    error = getopt_error(
                        g, xasprintf("option requires an argument -- '%c'",
                                     *p));
                    break;
                }
                value = argv[++i];
            }
            error = apply_global_option(g, hooks, opt->id, value);
            break;
        }
    }
    free_option_table(options, n_options);
    *first = i;
    return error;
}

char *
ctl_cmdline_options_to_string(void)
{
    struct ds out = DS_EMPTY_INITIALIZER;

    for (size_t i = 0; i < ARRAY_SIZE(global_options); i++) {
        const struct option_def *o = &global_options[i];

        ds_put_format(&out, "--%s%s\n", o->name,
                      o->has_arg != NO_ARG ? "=ARG" : "");
        if (o->short_name) {
            ds_put_format(&out, "-%c%s\n", o->short_name,
                          o->has_arg != NO_ARG ? " ARG" : "");
        }
    }
    return ds_steal_cstr(&out);
}

/* The arguments of 'syntax' as "--commands" shows them: each word marked
 * '!' (required), '?' (optional), '+' (one or more) or '*' (any number),
 * e.g. "BRIDGE [PORT]..." as "!BRIDGE *PORT".  The arguments string is read
 * backward, as ovs-vsctl does, with a stack of bits that says whether each
 * open "[...]" covers a whole word ("[PARENT]") or part of one
 * ("[KEY=]VALUE"). */
static void
put_command_arguments(struct ds *out, const char *arguments)
{
    size_t length = strlen(arguments);
    uint32_t whole_stack = 0;
    bool in_repeated = false;
    bool whole_word_is_optional = false;

    if (!length) {
        return;
    }

    char *output = xmalloc(2 * length + 1);
    char *outp = output + 2 * length;
    *outp = '\0';
    for (const char *inp = arguments + length; inp > arguments; ) {
        switch (*--inp) {
        case ']':
            whole_stack <<= 1;
            if (inp[1] == '\0' || inp[1] == ' ' || inp[1] == '.') {
                whole_stack |= 1;
            }
            break;
        case '[':
            if ((inp == arguments || inp[-1] == ' ') && whole_stack & 1) {
                *--outp = in_repeated ? '*' : '?';
                whole_word_is_optional = true;
            } else {
                *--outp = '?';
                whole_word_is_optional = false;
            }
            whole_stack >>= 1;
            break;
        case ' ':
            if (!whole_word_is_optional) {
                *--outp = in_repeated ? '+' : '!';
            }
            *--outp = ' ';
            in_repeated = false;
            whole_word_is_optional = false;
            break;
        case '.':
            in_repeated = true;
            break;
        default:
            *--outp = *inp;
            break;
        }
    }
    if (arguments[0] != '[' && outp != output + 2 * length) {
        *--outp = in_repeated ? '+' : '!';
    }
    ds_put_cstr(out, outp);
    free(output);
}

char *
ctl_cmdline_command_to_string(const struct ctl_command_syntax *syntax)
{
    struct ds out = DS_EMPTY_INITIALIZER;
    const char *p = syntax->options;

    while (p && *p) {
        size_t len = strcspn(p, ",");
        if (len) {
            ds_put_format(&out, "[%.*s] ", (int) len, p);
        }
        p += len + (p[len] == ',');
    }
    ds_put_format(&out, ",%s,", syntax->name);
    put_command_arguments(&out, syntax->arguments);
    return ds_steal_cstr(&out);
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
    /* As in ovs-vsctl, anything that starts with '-' is an option here,
     * even "-" ("--" separated the commands already). */
    for (i = 0; i < argc && argv[i][0] == '-'; i++) {
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
        bool has_dash = false;
        for (int j = i + 1; j < argc; j++) {
            has_dash |= argv[j][0] == '-';
        }
        error = xasprintf("'%s' command takes at most %d arguments%s",
                          syntax->name, syntax->max_args,
                          has_dash ? " (note that options must precede "
                          "command names and follow a \"--\" argument)" : "");
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
