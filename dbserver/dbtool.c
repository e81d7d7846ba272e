/* dbtool.c: xsw-dbtool, ovsdb-tool for xsw database files.
 *
 *   xsw-dbtool [OPTIONS] COMMAND [ARG...]
 *
 * The commands, arguments, output and exit statuses of Open vSwitch 3.1's
 * ovsdb-tool, so that scripts written for it (the packaged ovs-ctl runs
 * `ovsdb-tool needs-conversion`, `convert` and `db-version` at every start)
 * work on xsw's files: create, compact, convert, needs-conversion, db-name,
 * db-version, db-cksum, db-is-standalone, db-is-clustered, schema-name,
 * schema-version, schema-cksum, compare-versions, query, transact.  Errors
 * go to stderr as "xsw-dbtool: MESSAGE" with exit status 1.
 *
 * Everything goes through the server's own modules: storage.h for files
 * and compaction, convert.h for conversion and copies, transact.h for query
 * and transact, so
 * the tool and the server can never disagree about what a file or a
 * transaction means.  The default DB is the server's (<dbdir>/conf.db);
 * the default SCHEMA is the built-in Open_vSwitch schema (the one in
 * schema/vswitch.ovsschema). */
#include <config.h>

#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "convert.h"
#include "daemon.h"
#include "db.h"
#include "ds.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "ovs-file.h"
#include "storage.h"
#include "transact.h"
#include "util.h"
#include "vlog.h"
#include "vswitch-schema.h"

static const char *program_name = "xsw-dbtool";

static void NO_RETURN
fatal(const char *format, ...) PRINTF_FORMAT(1, 2);

static void NO_RETURN
fatal(const char *format, ...)
{
    va_list args;

    fprintf(stderr, "%s: ", program_name);
    va_start(args, format);
    vfprintf(stderr, format, args);
    va_end(args);
    putc('\n', stderr);
    exit(EXIT_FAILURE);
}

/* Exits reporting 'error', if there is one. */
static void
check_error(struct ovsdb_error *error)
{
    if (error) {
        fatal("%s", ovsdb_error_to_string(error));
    }
}

static const char *
default_db(void)
{
    static char *db;
    if (!db) {
        const char *dir = getenv("XSW_DBDIR");
        db = xasprintf("%s/conf.db", dir && dir[0] ? dir : "/var/lib/xsw");
    }
    return db;
}

/* 'name' (NULL: the built-in schema) parsed, or exits. */
static struct ovsdb_schema *
read_schema_file(const char *name)
{
    struct ovsdb_schema *schema;

    check_error(name ? ovsdb_schema_from_file(name, &schema)
                : ovsdb_schema_from_string(xsw_vswitch_schema, &schema));
    return schema;
}

/* Exits reporting 'error' about database file 'path', if there is one,
 * with a hint for an Open vSwitch file. */
static void
check_db_error(struct ovsdb_error *error, const char *path)
{
    if (error && ovs_file_is_standalone(path)) {
        fatal("%s (it is an Open vSwitch database file: \"xsw-dbserver "
              "--import %s NEW.db\" makes an xsw database of it)",
              ovsdb_error_to_string(error), path);
    }
    check_error(error);
}

/* The schema stored in database file 'path', or exits. */
static struct ovsdb_schema *
read_db_schema(const char *path)
{
    struct ovsdb_schema *schema;

    check_db_error(storage_read_schema(path, &schema), path);
    return schema;
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* ovsdb-tool prints a missing version or checksum as an empty line. */
static void
put_line(const char *s)
{
    puts(s ? s : "");
}

/* Appends string 's' as Open vSwitch's json_serialize_string() does: only
 * '"', '\\' and control characters escaped, the latter as \b, \t, \n,
 * \f, \r or \u00xx in lower case. */
static void
put_json_string(struct ds *out, const char *s)
{
    ds_put_char(out, '"');
    for (; *s; s++) {
        unsigned char c = *s;
        switch (c) {
        case '"': ds_put_cstr(out, "\\\""); break;
        case '\\': ds_put_cstr(out, "\\\\"); break;
        case '\b': ds_put_cstr(out, "\\b"); break;
        case '\t': ds_put_cstr(out, "\\t"); break;
        case '\n': ds_put_cstr(out, "\\n"); break;
        case '\f': ds_put_cstr(out, "\\f"); break;
        case '\r': ds_put_cstr(out, "\\r"); break;
        default:
            if (c < 0x20) {
                ds_put_format(out, "\\u%04x", c);
            } else {
                ds_put_char(out, c);
            }
        }
    }
    ds_put_char(out, '"');
}

/* Appends 'json' to 'out' as ovsdb-tool's json_to_string(JSSF_SORT)
 * writes it: compact, object members sorted, reals as "%.15g" (1 for 1.0,
 * 1e-07). */
static void
put_json(struct ds *out, const json_t *json)
{
    switch (json_typeof(json)) {
    case JSON_OBJECT: {
        size_t n = json_object_size(json), i = 0;
        const char **keys = xcalloc(n ? n : 1, sizeof *keys);
        const char *key;
        json_t *value;

        json_object_foreach ((json_t *) json, key, value) {
            keys[i++] = key;
        }
        qsort(keys, n, sizeof *keys, compare_strings);
        ds_put_char(out, '{');
        for (i = 0; i < n; i++) {
            put_json_string(out, keys[i]);
            ds_put_char(out, ':');
            put_json(out, json_object_get(json, keys[i]));
            if (i + 1 < n) {
                ds_put_char(out, ',');
            }
        }
        ds_put_char(out, '}');
        free(keys);
        break;
    }
    case JSON_ARRAY:
        ds_put_char(out, '[');
        for (size_t i = 0; i < json_array_size(json); i++) {
            if (i) {
                ds_put_char(out, ',');
            }
            put_json(out, json_array_get(json, i));
        }
        ds_put_char(out, ']');
        break;
    case JSON_REAL:
        ds_put_format(out, "%.15g", json_real_value(json));
        break;
    case JSON_STRING:
        put_json_string(out, json_string_value(json));
        break;
    default: {
        char *s = json_dumps(json, JSON_ENCODE_ANY);
        ds_put_cstr(out, s ? s : "null");
        free(s);
        break;
    }
    }
}

/* Prints 'json' (freed) on one line. */
static void
print_json(json_t *json)
{
    struct ds out = DS_EMPTY_INITIALIZER;

    put_json(&out, json);
    json_decref(json);
    puts(ds_cstr(&out));
    ds_destroy(&out);
}

/* ---- Commands.  argv[0] is the command's name. ---- */

static void
do_create(int argc, char *argv[])
{
    const char *db = argc >= 2 ? argv[1] : default_db();
    struct ovsdb_schema *schema = read_schema_file(argc >= 3 ? argv[2]
                                                   : NULL);

    check_error(storage_create(db, schema));
    ovsdb_schema_destroy(schema);
}

/* compact and convert: in place, or into new file 'dst'. */
static void
compact_or_convert(const char *src, const char *dst,
                   struct ovsdb_schema *new_schema)
{
    struct ovsdb_schema *schema = new_schema ? new_schema
                                             : read_db_schema(src);

    if (!dst) {
        check_db_error(db_file_convert(src, schema), src);
    } else {
        struct storage *st;
        struct ovsdb_db *db;
        check_db_error(storage_open(src, &st, &db), src);
        struct ovsdb_error *error = db_file_write(dst, db, schema);
        ovsdb_db_destroy(db);
        storage_close(st);
        check_error(error);
    }
    ovsdb_schema_destroy(schema);
}

/* In place, the storage's own compaction (what ovsdb-server/compact does
 * too); into a new file, a copy. */
static void
do_compact(int argc, char *argv[])
{
    const char *db = argc >= 2 ? argv[1] : default_db();

    if (argc >= 3) {
        compact_or_convert(db, argv[2], NULL);
    } else {
        struct storage *st;
        struct ovsdb_db *loaded;
        check_db_error(storage_open(db, &st, &loaded), db);
        ovsdb_db_destroy(loaded);
        struct ovsdb_error *error = storage_compact(st);
        storage_close(st);
        check_error(error);
    }
}

static void
do_convert(int argc, char *argv[])
{
    struct ovsdb_schema *schema = read_schema_file(argc >= 3 ? argv[2]
                                                   : NULL);

    compact_or_convert(argc >= 2 ? argv[1] : default_db(),
                       argc >= 4 ? argv[3] : NULL, schema);
}

static void
do_needs_conversion(int argc, char *argv[])
{
    struct ovsdb_schema *db_schema = read_db_schema(argc >= 2 ? argv[1]
                                                    : default_db());
    struct ovsdb_schema *schema = read_schema_file(argc >= 3 ? argv[2]
                                                   : NULL);

    puts(ovsdb_schema_equal(db_schema, schema) ? "no" : "yes");
    ovsdb_schema_destroy(db_schema);
    ovsdb_schema_destroy(schema);
}

enum schema_field { FIELD_NAME, FIELD_VERSION, FIELD_CKSUM };

static void
put_schema_field(struct ovsdb_schema *schema, enum schema_field field)
{
    put_line(field == FIELD_NAME ? schema->name
             : field == FIELD_VERSION ? schema->version : schema->cksum);
    ovsdb_schema_destroy(schema);
}

static void
do_db_name(int argc, char *argv[])
{
    put_schema_field(read_db_schema(argc >= 2 ? argv[1] : default_db()),
                     FIELD_NAME);
}

static void
do_db_version(int argc, char *argv[])
{
    put_schema_field(read_db_schema(argc >= 2 ? argv[1] : default_db()),
                     FIELD_VERSION);
}

static void
do_db_cksum(int argc, char *argv[])
{
    put_schema_field(read_db_schema(argc >= 2 ? argv[1] : default_db()),
                     FIELD_CKSUM);
}

/* Every xsw database is standalone (one server, one file): exit 0 for
 * db-is-standalone and 2 for db-is-clustered, as ovsdb-tool says about a
 * standalone file, once the file proved to be a database. */
static void
do_db_is_standalone(int argc OVS_UNUSED, char *argv[])
{
    ovsdb_schema_destroy(read_db_schema(argv[1]));
}

static void
do_db_is_clustered(int argc OVS_UNUSED, char *argv[])
{
    ovsdb_schema_destroy(read_db_schema(argv[1]));
    exit(2);
}

static void
do_schema_name(int argc, char *argv[])
{
    put_schema_field(read_schema_file(argc >= 2 ? argv[1] : NULL),
                     FIELD_NAME);
}

static void
do_schema_version(int argc, char *argv[])
{
    put_schema_field(read_schema_file(argc >= 2 ? argv[1] : NULL),
                     FIELD_VERSION);
}

static void
do_schema_cksum(int argc, char *argv[])
{
    put_schema_field(read_schema_file(argc >= 2 ? argv[1] : NULL),
                     FIELD_CKSUM);
}

static void
parse_version(const char *s, int v[3])
{
    char tail;

    if (sscanf(s, "%d.%d.%d%c", &v[0], &v[1], &v[2], &tail) != 3
        || v[0] < 0 || v[1] < 0 || v[2] < 0) {
        fatal("%s: not an OVSDB version number in format x.y.z", s);
    }
}

static void
do_compare_versions(int argc OVS_UNUSED, char *argv[])
{
    int a[3], b[3];
    const char *op = argv[2];

    parse_version(argv[1], a);
    parse_version(argv[3], b);
    int cmp = 0;
    for (int i = 0; i < 3 && !cmp; i++) {
        cmp = a[i] < b[i] ? -1 : a[i] > b[i];
    }
    bool result;
    if (!strcmp(op, "<")) {
        result = cmp < 0;
    } else if (!strcmp(op, "<=")) {
        result = cmp <= 0;
    } else if (!strcmp(op, "==")) {
        result = cmp == 0;
    } else if (!strcmp(op, ">=")) {
        result = cmp >= 0;
    } else if (!strcmp(op, ">")) {
        result = cmp > 0;
    } else if (!strcmp(op, "!=")) {
        result = cmp != 0;
    } else {
        fatal("%s: not a relational operator", op);
    }
    exit(result ? 0 : 2);
}

/* query and transact: the request is ["<db-name>", op...], as for the
 * "transact" method.  A query runs the operations and throws their changes
 * away (so an "insert" in a query reports a UUID and inserts nothing, as
 * in ovsdb-tool); a transact commits them to the file, durably. */
static void
run_transaction(int argc, char *argv[], bool commit)
{
    const char *path = argc >= 3 ? argv[1] : default_db();
    const char *text = argv[argc - 1];
    json_error_t jerr;
    json_t *request = json_loads(text, JSON_DECODE_ANY, &jerr);
    struct storage *st;
    struct ovsdb_db *db;

    if (!request) {
        fatal("\"%s\": %s", text, jerr.text);
    }
    check_db_error(storage_open(path, &st, &db), path);

    const json_t *name = json_array_get(request, 0);
    json_t *result = NULL;
    if (!json_is_array(request)) {
        result = ovsdb_error_to_json_free(
            ovsdb_syntax_error(request, NULL, "array expected"));
    } else if (!json_is_string(name)
               || strcmp(json_string_value(name), db->schema->name)) {
        result = ovsdb_error_to_json_free(
            ovsdb_syntax_error(request, NULL, "database name expected as "
                               "first parameter"));
    } else {
        struct ovsdb_execute_ctx ctx = { .no_triggers = true };
        json_t *ops = json_array();
        struct ovsdb_txn *txn;
        long long deadline;

        for (size_t i = 1; i < json_array_size(request); i++) {
            json_array_append(ops, json_array_get(request, i));
        }
        /* With no triggers, nothing waits: always DONE. */
        ovsdb_execute(db, ops, &ctx, 0, 0, &result, &txn, &deadline);
        json_decref(ops);
        if (txn && commit) {
            struct ovsdb_error *error;
            txn->durable = true;
            error = storage_write_txn(st, txn);
            if (error) {
                ovsdb_txn_abort(txn);
                json_array_append_new(result,
                                      ovsdb_error_to_json_free(error));
            } else {
                ovsdb_txn_commit(txn);
            }
        } else if (txn) {
            ovsdb_txn_abort(txn);
        }
    }
    print_json(result);
    json_decref(request);
    ovsdb_db_destroy(db);
    storage_close(st);
}

static void
do_query(int argc, char *argv[])
{
    run_transaction(argc, argv, false);
}

static void
do_transact(int argc, char *argv[])
{
    run_transaction(argc, argv, true);
}

/* Not a stub: the command exists in ovsdb-tool, so a script may run it,
 * and it deserves a reason rather than "unknown command". */
static void
do_show_log(int argc, char *argv[])
{
    ovsdb_schema_destroy(read_db_schema(argc >= 2 ? argv[1] : default_db()));
    fatal("show-log: an xsw database keeps its rows, not a log of its "
          "transactions: there is no log to show (query or sqlite3 read "
          "the rows)");
}

static void do_list_commands(int argc, char *argv[]);
static void usage(void) NO_RETURN;

static void NO_RETURN
usage(void)
{
    printf("%s: xsw database management utility (ovsdb-tool's commands)\n"
           "usage: %s [OPTIONS] COMMAND [ARG...]\n"
           "  create [DB [SCHEMA]]    create DB with the given SCHEMA\n"
           "  compact [DB [DST]]      compact DB in-place (or to DST)\n"
           "  convert [DB [SCHEMA [DST]]]   convert DB to SCHEMA (to DST)\n"
           "  needs-conversion [DB [SCHEMA]]  does DB need converting to "
           "SCHEMA?\n"
           "  db-name [DB]            report name of schema used by DB\n"
           "  db-version [DB]         report version of schema used by DB\n"
           "  db-cksum [DB]           report checksum of schema used by DB\n"
           "  db-is-clustered DB      test whether DB is clustered (never)\n"
           "  db-is-standalone DB     test whether DB is standalone\n"
           "  schema-name [SCHEMA]    report SCHEMA's name\n"
           "  schema-version [SCHEMA] report SCHEMA's schema version\n"
           "  schema-cksum [SCHEMA]   report SCHEMA's checksum\n"
           "  compare-versions A OP B  compare OVSDB schema version numbers\n"
           "  query [DB] TRNS         execute read-only transaction on DB\n"
           "  transact [DB] TRNS      execute read/write transaction on DB\n"
           "The default DB is %s.\n"
           "The default SCHEMA is the built-in Open_vSwitch schema.\n"
           "\nOther options:\n"
           "  -h, --help                  display this help message\n"
           "  -V, --version               display version information\n",
           program_name, program_name, default_db());
    vlog_usage();
    exit(EXIT_SUCCESS);
}

static void
do_help(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    usage();
}

struct command {
    const char *name;
    int min_args, max_args;
    void (*handler)(int argc, char *argv[]);
};

static const struct command commands[] = {
    { "create", 0, 2, do_create },
    { "compact", 0, 2, do_compact },
    { "convert", 0, 3, do_convert },
    { "needs-conversion", 0, 2, do_needs_conversion },
    { "db-name", 0, 1, do_db_name },
    { "db-version", 0, 1, do_db_version },
    { "db-cksum", 0, 1, do_db_cksum },
    { "db-is-clustered", 1, 1, do_db_is_clustered },
    { "db-is-standalone", 1, 1, do_db_is_standalone },
    { "schema-name", 0, 1, do_schema_name },
    { "schema-version", 0, 1, do_schema_version },
    { "schema-cksum", 0, 1, do_schema_cksum },
    { "compare-versions", 3, 3, do_compare_versions },
    { "query", 1, 2, do_query },
    { "transact", 1, 2, do_transact },
    { "show-log", 0, 1, do_show_log },
    { "help", 0, INT_MAX, do_help },
    { "list-commands", 0, INT_MAX, do_list_commands },
};

static void
do_list_commands(int argc OVS_UNUSED, char *argv[] OVS_UNUSED)
{
    puts("The available commands are:");
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        printf("  %s\n", commands[i].name);
    }
}

int
main(int argc, char *argv[])
{
    /* -v and --log-file too: Open vSwitch's scripts run "ovsdb-tool
     * -vconsole:off ..." (ovs-lib's ovsdb_tool()). */
    static const struct option long_options[] = {
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        VLOG_LONG_OPTIONS,
        {NULL, 0, NULL, 0},
    };
    int c;

    daemon_set_program_name(argv[0]);    /* For vlog's messages. */
    while ((c = getopt_long(argc, argv, "hVv::", long_options, NULL))
           != -1) {
        switch (c) {
        case 'h':
            usage();
        case 'V':
            printf("%s (xsw) %s\n", program_name, PACKAGE_VERSION);
            return 0;
        default:
            if (!vlog_handle_option(c, optarg)) {
                exit(EXIT_FAILURE);
            }
        }
    }
    argc -= optind;
    argv += optind;

    /* ovsdb-tool's messages for a bad command line (lib/command-line.c). */
    if (argc < 1) {
        fatal("missing command name; use --help for help");
    }
    for (size_t i = 0; i < ARRAY_SIZE(commands); i++) {
        const struct command *cmd = &commands[i];
        if (strcmp(cmd->name, argv[0])) {
            continue;
        }
        int n_args = argc - 1;
        if (n_args < cmd->min_args) {
            fatal("'%s' command requires at least %d arguments",
                  cmd->name, cmd->min_args);
        } else if (n_args > cmd->max_args) {
            fatal("'%s' command takes at most %d arguments",
                  cmd->name, cmd->max_args);
        }
        cmd->handler(argc, argv);
        return 0;
    }
    fatal("unknown command '%s'; use --help for help", argv[0]);
}
