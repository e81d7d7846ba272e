/* storage.c: the database's durable copy in SQLite.  See storage.h for the
 * file layout and the durability contract. */
#include <config.h>
#include "storage.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "db.h"
#include "hash.h"
#include "hmap.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "shash.h"
#include "util.h"
#include "uuid.h"

/* "xsw1" in the SQLite header's application_id field (offset 68). */
#define STORAGE_APPLICATION_ID 0x78737731
#define STORAGE_FORMAT "1"

/* SQLite waits this long for the operator's sqlite3 shell (or any other
 * writer) to let go of the write lock before a batch fails. */
#define STORAGE_BUSY_TIMEOUT_MS 2000

/* A table's UPDATE statements are cached per set of columns they set; this
 * bounds the cache for a client that changes every possible subset. */
#define STORAGE_MAX_CACHED_UPDATES 64

#define BITS_PER_WORD (8 * sizeof(unsigned long))

/* A prepared "UPDATE ... SET _version, <some columns> WHERE _uuid". */
struct storage_update {
    struct hmap_node hmap_node;   /* In storage_table.updates. */
    unsigned long *mask;          /* Bit k: sets storage_table.cols[k]. */
    sqlite3_stmt *stmt;
};

/* An OVSDB table as stored: which columns it has and its statements. */
struct storage_table {
    const struct ovsdb_table_schema *schema;   /* In storage.schema. */
    char *qname;                  /* SQL-quoted table name. */
    unsigned int *cols;           /* Stored (persistent, declared) column */
    size_t n_cols;                /* indexes, in schema order. */
    size_t n_words;               /* Words in a storage_update mask. */
    sqlite3_stmt *insert;         /* Prepared on first use. */
    sqlite3_stmt *delete;
    struct hmap updates;          /* struct storage_update, owned. */
};

struct storage {
    char *path;
    sqlite3 *db;
    int lock_fd;                  /* Holds our flock(); closed after 'db'. */
    bool read_only;
    struct ovsdb_schema *schema;  /* Owned: independent of any ovsdb_db. */
    struct shash tables;          /* Name -> struct storage_table *, owned. */

    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *savepoint, *release, *rollback_to;
    sqlite3_stmt *set_last_txn_id;

    bool in_batch;
    bool batch_durable;           /* A txn in the batch asked for it. */
    bool batch_lost;              /* SQLite rolled the batch back. */
};

/* Errors. */

static struct ovsdb_error *
storage_error_valist(const char *path, sqlite3 *db, const char *fmt,
                     va_list args)
{
    char *what = xvasprintf(fmt, args);
    struct ovsdb_error *error;

    if (db) {
        /* SQLite's messages for I/O failures ("disk I/O error", "unable to
         * open database file") do not say why; errno does. */
        int sys = sqlite3_system_errno(db);
        int code = sqlite3_errcode(db);
        if (sys && (code == SQLITE_IOERR || code == SQLITE_CANTOPEN
                    || code == SQLITE_FULL)) {
            error = ovsdb_error("I/O error", "%s: %s: %s (%s)", path, what,
                                sqlite3_errmsg(db), strerror(sys));
        } else {
            error = ovsdb_error("I/O error", "%s: %s: %s", path, what,
                                sqlite3_errmsg(db));
        }
    } else {
        error = ovsdb_error("I/O error", "%s: %s", path, what);
    }
    free(what);
    return error;
}

/* "I/O error" reading "PATH: WHAT: <SQLite's message>", or "PATH: WHAT"
 * when 'db' is NULL. */
static struct ovsdb_error * PRINTF_FORMAT(3, 4)
storage_error(const char *path, sqlite3 *db, const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    struct ovsdb_error *error = storage_error_valist(path, db, fmt, args);
    va_end(args);
    return error;
}

/* Turns 'inner' (a data-model error about stored content) into an "I/O
 * error" that also names the file and where in it.  Frees 'inner'. */
static struct ovsdb_error * PRINTF_FORMAT(3, 4)
storage_error_wrap(const char *path, struct ovsdb_error *inner,
                   const char *fmt, ...)
{
    va_list args;
    va_start(args, fmt);
    char *where = xvasprintf(fmt, args);
    va_end(args);

    char *s = ovsdb_error_to_string(inner);
    struct ovsdb_error *error = ovsdb_error("I/O error", "%s: %s: %s",
                                            path, where, s);
    free(s);
    free(where);
    ovsdb_error_destroy(inner);
    return error;
}

/* Small SQL-building helpers. */

/* A growable string, for building SQL. */
struct sql {
    char *s;
    size_t len, allocated;
};

static void PRINTF_FORMAT(2, 3)
sql_printf(struct sql *sql, const char *fmt, ...)
{
    for (;;) {
        size_t avail = sql->allocated - sql->len;
        va_list args;
        va_start(args, fmt);
        int n = vsnprintf(sql->s ? sql->s + sql->len : NULL, avail, fmt,
                          args);
        va_end(args);
        if (n >= 0 && (size_t) n < avail) {
            sql->len += n;
            return;
        }
        sql->allocated = MAX(2 * sql->allocated, sql->len + n + 64);
        sql->s = xrealloc(sql->s, sql->allocated);
    }
}

/* Appends 'name' as an SQL identifier: in double quotes, with quotes
 * doubled.  OVSDB names are identifiers anyway, but the file is the schema's
 * to name, and "Interface" or "Port" must never be read as keywords. */
static void
sql_put_ident(struct sql *sql, const char *name)
{
    sql_printf(sql, "\"");
    for (const char *p = name; *p; p++) {
        sql_printf(sql, *p == '"' ? "\"\"" : "%c", *p);
    }
    sql_printf(sql, "\"");
}

static char *
sql_quote_ident(const char *name)
{
    struct sql sql = { NULL, 0, 0 };
    sql_put_ident(&sql, name);
    return sql.s;
}

/* Column types. */

/* Scalar columns get a native SQL type; every other column is JSON text. */
static bool
storage_column_is_native(const struct ovsdb_type *type)
{
    return ovsdb_type_is_scalar(type);
}

static const char *
storage_sql_type(const struct ovsdb_type *type)
{
    if (!storage_column_is_native(type)) {
        return "TEXT";
    }
    switch (type->key.type) {
    case OVSDB_TYPE_INTEGER:
    case OVSDB_TYPE_BOOLEAN:
        return "INTEGER";
    case OVSDB_TYPE_REAL:
        return "REAL";
    case OVSDB_TYPE_STRING:
    case OVSDB_TYPE_UUID:
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return "TEXT";
    }
}

/* Binds 'datum' of 'type' as parameter 'i' of 'stmt'. */
static int
storage_bind_datum(sqlite3_stmt *stmt, int i, const struct ovsdb_datum *datum,
                   const struct ovsdb_type *type)
{
    if (!storage_column_is_native(type)) {
        json_t *json = ovsdb_datum_to_json(datum, type);
        char *s = json_dumps(json, JSON_COMPACT | JSON_ENCODE_ANY);
        json_decref(json);
        if (!s) {
            xsw_fatal("out of memory encoding a datum");
        }
        return sqlite3_bind_text(stmt, i, s, -1, free);
    }

    if (!datum->n) {
        return sqlite3_bind_null(stmt, i);   /* Cannot happen for scalars. */
    }
    const union ovsdb_atom *atom = &datum->keys[0];
    char buf[UUID_LEN + 1];
    switch (type->key.type) {
    case OVSDB_TYPE_INTEGER:
        return sqlite3_bind_int64(stmt, i, atom->integer);
    case OVSDB_TYPE_REAL:
        return sqlite3_bind_double(stmt, i, atom->real);
    case OVSDB_TYPE_BOOLEAN:
        return sqlite3_bind_int(stmt, i, atom->boolean);
    case OVSDB_TYPE_STRING:
        return sqlite3_bind_text(stmt, i, atom->string, -1, SQLITE_STATIC);
    case OVSDB_TYPE_UUID:
        uuid_to_string(&atom->uuid, buf);
        return sqlite3_bind_text(stmt, i, buf, UUID_LEN, SQLITE_TRANSIENT);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return sqlite3_bind_null(stmt, i);
    }
}

static int
storage_bind_uuid(sqlite3_stmt *stmt, int i, const struct uuid *uuid)
{
    char buf[UUID_LEN + 1];
    uuid_to_string(uuid, buf);
    return sqlite3_bind_text(stmt, i, buf, UUID_LEN, SQLITE_TRANSIENT);
}

/* Replaces 'datum' (of 'type') by the single atom '*atom', taking it. */
static void
storage_datum_set_atom(struct ovsdb_datum *datum,
                       const struct ovsdb_type *type,
                       const union ovsdb_atom *atom)
{
    ovsdb_datum_destroy(datum, type);
    datum->n = 1;
    datum->keys = xmemdup(atom, sizeof *atom);
    datum->values = NULL;
}

/* Reads column 'i' of 'stmt' into 'datum' (of 'type'), which holds the
 * type's default.  NULL leaves the default (see storage.h). */
static struct ovsdb_error *
storage_read_datum(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                   sqlite3_stmt *stmt, int i)
{
    int sql_type = sqlite3_column_type(stmt, i);
    if (sql_type == SQLITE_NULL) {
        return NULL;
    }

    if (!storage_column_is_native(type)) {
        if (sql_type != SQLITE_TEXT) {
            return ovsdb_error("syntax error",
                               "expected RFC 7047 JSON text");
        }
        const char *text = (const char *) sqlite3_column_text(stmt, i);
        int len = sqlite3_column_bytes(stmt, i);
        json_error_t jerror;
        json_t *json = json_loadb(text, len, JSON_DECODE_ANY, &jerror);
        if (!json) {
            return ovsdb_error("syntax error", "%.*s: not JSON (%s)",
                               MIN(len, 80), text, jerror.text);
        }
        struct ovsdb_datum new;
        struct ovsdb_error *error = ovsdb_datum_from_json(&new, type, json,
                                                          NULL);
        json_decref(json);
        if (error) {
            return error;
        }
        ovsdb_datum_destroy(datum, type);
        *datum = new;
        return NULL;
    }

    union ovsdb_atom atom;
    const char *text;
    switch (type->key.type) {
    case OVSDB_TYPE_INTEGER:
        if (sql_type != SQLITE_INTEGER) {
            return ovsdb_error("syntax error", "expected an integer");
        }
        atom.integer = sqlite3_column_int64(stmt, i);
        break;

    case OVSDB_TYPE_REAL:
        /* A hand-written "1" is a fine real. */
        if (sql_type != SQLITE_FLOAT && sql_type != SQLITE_INTEGER) {
            return ovsdb_error("syntax error", "expected a real");
        }
        atom.real = sqlite3_column_double(stmt, i);
        break;

    case OVSDB_TYPE_BOOLEAN:
        if (sql_type != SQLITE_INTEGER
            || (uint64_t) sqlite3_column_int64(stmt, i) > 1) {
            return ovsdb_error("syntax error", "expected a boolean (0 or 1)");
        }
        atom.boolean = sqlite3_column_int64(stmt, i);
        break;

    case OVSDB_TYPE_STRING:
        if (sql_type != SQLITE_TEXT) {
            return ovsdb_error("syntax error", "expected a string");
        }
        text = (const char *) sqlite3_column_text(stmt, i);
        if (strlen(text) != (size_t) sqlite3_column_bytes(stmt, i)) {
            return ovsdb_error("syntax error", "string contains a null byte");
        }
        atom.string = xstrdup(text);
        break;

    case OVSDB_TYPE_UUID:
        text = (const char *) sqlite3_column_text(stmt, i);
        if (sql_type != SQLITE_TEXT || !uuid_from_string(&atom.uuid, text)) {
            return ovsdb_error("syntax error", "expected a UUID");
        }
        break;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return ovsdb_error("internal error", "bad column type");
    }

    struct ovsdb_error *error = ovsdb_atom_check_constraints(&atom,
                                                             &type->key);
    if (error) {
        ovsdb_atom_destroy(&atom, type->key.type);
        return error;
    }
    storage_datum_set_atom(datum, type, &atom);
    return NULL;
}

/* Statements. */

static int
storage_prepare(sqlite3 *db, const char *sql, sqlite3_stmt **stmtp)
{
    return sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, stmtp,
                              NULL);
}

/* Runs 'stmt', which returns no rows, and readies it for the next run. */
static int
storage_step_done(sqlite3_stmt *stmt)
{
    int rc = sqlite3_step(stmt);
    sqlite3_reset(stmt);
    sqlite3_clear_bindings(stmt);
    return rc == SQLITE_ROW ? SQLITE_DONE : rc;
}

/* Tables. */

static struct storage_table *
storage_table_create(const struct ovsdb_table_schema *ts)
{
    struct storage_table *t = xzalloc(sizeof *t);
    t->schema = ts;
    t->qname = sql_quote_ident(ts->name);
    t->cols = xcalloc(ts->n_columns, sizeof *t->cols);
    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        if (ts->columns[i]->persistent) {
            t->cols[t->n_cols++] = i;
        }
    }
    t->n_words = MAX(1, (t->n_cols + BITS_PER_WORD - 1) / BITS_PER_WORD);
    hmap_init(&t->updates);
    return t;
}

static void
storage_table_destroy(struct storage_table *t)
{
    struct storage_update *u;
    HMAP_FOR_EACH_POP (u, hmap_node, &t->updates) {
        sqlite3_finalize(u->stmt);
        free(u->mask);
        free(u);
    }
    hmap_destroy(&t->updates);
    sqlite3_finalize(t->insert);
    sqlite3_finalize(t->delete);
    free(t->cols);
    free(t->qname);
    free(t);
}

/* Appends '"_uuid", "_version", "col"...' for 't'. */
static void
storage_table_put_columns(struct sql *sql, const struct storage_table *t)
{
    sql_printf(sql, "\"_uuid\", \"_version\"");
    for (size_t k = 0; k < t->n_cols; k++) {
        sql_printf(sql, ", ");
        sql_put_ident(sql, t->schema->columns[t->cols[k]]->name);
    }
}

static char *
storage_table_create_sql(const struct storage_table *t)
{
    struct sql sql = { NULL, 0, 0 };
    sql_printf(&sql, "CREATE TABLE %s (\"_uuid\" TEXT PRIMARY KEY NOT NULL, "
               "\"_version\" TEXT", t->qname);
    for (size_t k = 0; k < t->n_cols; k++) {
        const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
        sql_printf(&sql, ", ");
        sql_put_ident(&sql, c->name);
        sql_printf(&sql, " %s", storage_sql_type(&c->type));
    }
    sql_printf(&sql, ")");
    return sql.s;
}

static struct shash
storage_tables_create(const struct ovsdb_schema *schema)
{
    struct shash tables;
    shash_init(&tables);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &schema->tables) {
        shash_add(&tables, node->name, storage_table_create(node->data));
    }
    return tables;
}

static void
storage_tables_destroy(struct shash *tables)
{
    struct shash_node *node;
    SHASH_FOR_EACH (node, tables) {
        storage_table_destroy(node->data);
    }
    shash_destroy(tables);
}

/* Creating. */

static int
storage_exec(sqlite3 *db, const char *sql)
{
    return sqlite3_exec(db, sql, NULL, NULL, NULL);
}

/* Makes the directory entry of a newly linked file durable. */
static void
storage_fsync_dir(const char *path)
{
    char *copy = xstrdup(path);
    int fd = open(dirname(copy), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd >= 0) {
        fsync(fd);
        close(fd);
    }
    free(copy);
}

/* Fills the empty SQLite database 'db' (file 'path') with the layout for
 * 'schema'. */
static struct ovsdb_error *
storage_fill_new(sqlite3 *db, const char *path,
                 const struct ovsdb_schema *schema)
{
    /* journal_mode=WAL is stored in the file, so every later open uses it;
     * synchronous=FULL makes the final checkpoint reach the disk. */
    char *setup = xasprintf(
        "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
        "PRAGMA application_id=%d; PRAGMA user_version=%s; BEGIN; "
        "CREATE TABLE _xsw_meta (key TEXT PRIMARY KEY NOT NULL, value TEXT);",
        STORAGE_APPLICATION_ID, STORAGE_FORMAT);
    int rc = storage_exec(db, setup);
    free(setup);
    if (rc != SQLITE_OK) {
        return storage_error(path, db, "creating database");
    }

    json_t *schema_json = ovsdb_schema_to_json(schema);
    char *schema_text = json_dumps(schema_json, JSON_COMPACT | JSON_SORT_KEYS);
    json_decref(schema_json);

    struct ovsdb_error *error = NULL;
    sqlite3_stmt *stmt = NULL;
    const char *meta[][2] = {
        { "format", STORAGE_FORMAT },
        { "name", schema->name },
        { "schema", schema_text },
        { "last_txn_id", "00000000-0000-0000-0000-000000000000" },
    };
    if (sqlite3_prepare_v2(db, "INSERT INTO _xsw_meta VALUES (?1, ?2)", -1,
                           &stmt, NULL) != SQLITE_OK) {
        error = storage_error(path, db, "creating database");
        goto out;
    }
    for (size_t i = 0; i < ARRAY_SIZE(meta); i++) {
        sqlite3_bind_text(stmt, 1, meta[i][0], -1, SQLITE_STATIC);
        sqlite3_bind_text(stmt, 2, meta[i][1], -1, SQLITE_STATIC);
        if (storage_step_done(stmt) != SQLITE_DONE) {
            error = storage_error(path, db, "creating database");
            goto out;
        }
    }

    struct shash tables = storage_tables_create(schema);
    struct shash_node *node;
    SHASH_FOR_EACH (node, &tables) {
        char *sql = storage_table_create_sql(node->data);
        if (storage_exec(db, sql) != SQLITE_OK) {
            error = storage_error(path, db, "creating table %s", node->name);
        }
        free(sql);
        if (error) {
            break;
        }
    }
    storage_tables_destroy(&tables);

    if (!error && storage_exec(db, "COMMIT") != SQLITE_OK) {
        error = storage_error(path, db, "creating database");
    }

out:
    sqlite3_finalize(stmt);
    free(schema_text);
    return error;
}

static void
storage_unlink_with_sidecars(const char *path)
{
    static const char *const suffixes[] = { "", "-wal", "-shm", "-journal" };
    for (size_t i = 0; i < ARRAY_SIZE(suffixes); i++) {
        char *name = xasprintf("%s%s", path, suffixes[i]);
        unlink(name);
        free(name);
    }
}

struct ovsdb_error *
storage_create(const char *path, const struct ovsdb_schema *schema)
{
    struct ovsdb_error *error = NULL;
    struct stat s;

    if (!lstat(path, &s)) {
        return storage_error(path, NULL,
                             "already exists; refusing to overwrite it");
    }
    /* A WAL left behind by a crashed server belongs to a database that
     * someone removed: SQLite would apply it to our new file. */
    char *wal = xasprintf("%s-wal", path);
    bool stale_wal = !lstat(wal, &s);
    free(wal);
    if (stale_wal) {
        return storage_error(path, NULL, "a write-ahead log %s-wal exists "
                             "without its database; remove it first", path);
    }

    /* Build the database under a temporary name, then link() it into
     * place: a crash leaves either no database or a complete one, and
     * link() fails rather than replace a file created meanwhile. */
    char *tmp = xasprintf("%s.tmp.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        error = storage_error(path, NULL, "creating temporary file %s: %s",
                              tmp, strerror(errno));
        free(tmp);
        return error;
    }
    close(fd);

    sqlite3 *db = NULL;
    if (sqlite3_open_v2(tmp, &db, SQLITE_OPEN_READWRITE, NULL) != SQLITE_OK) {
        error = storage_error(path, db, "creating database");
    } else {
        error = storage_fill_new(db, path, schema);
    }
    /* Closing the last connection checkpoints the WAL into 'tmp' (synced,
     * per synchronous=FULL) and deletes it. */
    if (sqlite3_close(db) != SQLITE_OK && !error) {
        error = storage_error(path, db, "closing new database");
    }

    if (!error) {
        fd = open(tmp, O_RDONLY | O_CLOEXEC);
        if (fd < 0 || fsync(fd)) {
            error = storage_error(path, NULL, "syncing %s: %s", tmp,
                                  strerror(errno));
        }
        if (fd >= 0) {
            close(fd);
        }
    }
    if (!error && link(tmp, path)) {
        error = (errno == EEXIST
                 ? storage_error(path, NULL,
                                 "already exists; refusing to overwrite it")
                 : storage_error(path, NULL, "linking %s: %s", tmp,
                                 strerror(errno)));
    }
    storage_unlink_with_sidecars(tmp);
    if (!error) {
        storage_fsync_dir(path);
    }
    free(tmp);
    return error;
}

/* Opening. */

/* Checks that 'path', open as 'fd', starts like an xsw database, before
 * SQLite sees it: SQLite reports a text file only at the first query, and
 * says "file is not a database", which names neither the file nor what it
 * expected. */
static struct ovsdb_error *
storage_check_header(const char *path, int fd)
{
    unsigned char header[100];
    ssize_t n = pread(fd, header, sizeof header, 0);
    if (n < 0) {
        return storage_error(path, NULL, "reading: %s", strerror(errno));
    } else if (n == 0) {
        return storage_error(path, NULL,
                             "empty file, not an xsw database");
    } else if (n < (ssize_t) sizeof header
               || memcmp(header, "SQLite format 3", 16)) {
        return storage_error(path, NULL, "not an SQLite database, so not an "
                             "xsw database");
    }

    uint32_t app_id = ((uint32_t) header[68] << 24 | header[69] << 16
                       | header[70] << 8 | header[71]);
    if (app_id != STORAGE_APPLICATION_ID) {
        return storage_error(path, NULL, "an SQLite database, but not an xsw "
                             "database (application_id 0x%08x, expected "
                             "0x%08x)", app_id, STORAGE_APPLICATION_ID);
    }
    return NULL;
}

/* Reads the _xsw_meta table into '*schemap' and '*last_txn_id'. */
static struct ovsdb_error *
storage_read_meta(sqlite3 *db, const char *path,
                  struct ovsdb_schema **schemap, struct uuid *last_txn_id)
{
    struct ovsdb_error *error = NULL;
    char *format = NULL, *name = NULL, *schema_text = NULL;
    sqlite3_stmt *stmt = NULL;

    *schemap = NULL;
    uuid_zero(last_txn_id);

    /* Looking the table up first tells "not ours" from "damaged". */
    int rc = sqlite3_prepare_v2(db, "SELECT count(*) FROM sqlite_schema "
                                "WHERE type = 'table' AND name = '_xsw_meta'",
                                -1, &stmt, NULL);
    if (rc != SQLITE_OK || sqlite3_step(stmt) != SQLITE_ROW) {
        error = storage_error(path, db, "reading");
        goto out;
    }
    if (!sqlite3_column_int(stmt, 0)) {
        error = storage_error(path, NULL, "an SQLite database, but not an "
                              "xsw database (it has no _xsw_meta table)");
        goto out;
    }
    sqlite3_finalize(stmt);

    rc = sqlite3_prepare_v2(db, "SELECT key, value FROM _xsw_meta", -1,
                            &stmt, NULL);
    if (rc != SQLITE_OK) {
        error = storage_error(path, db, "reading _xsw_meta");
        goto out;
    }
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *key = (const char *) sqlite3_column_text(stmt, 0);
        const char *value = (const char *) sqlite3_column_text(stmt, 1);
        if (!key || !value) {
            continue;
        }
        if (!strcmp(key, "format")) {
            free(format);
            format = xstrdup(value);
        } else if (!strcmp(key, "name")) {
            free(name);
            name = xstrdup(value);
        } else if (!strcmp(key, "schema")) {
            free(schema_text);
            schema_text = xstrdup(value);
        } else if (!strcmp(key, "last_txn_id")) {
            uuid_from_string(last_txn_id, value);
        }
    }
    if (rc != SQLITE_DONE) {
        error = storage_error(path, db, "reading _xsw_meta");
        goto out;
    }

    if (!format || strcmp(format, STORAGE_FORMAT)) {
        error = storage_error(path, NULL, "xsw database format %s is not "
                              "supported (this xsw reads format %s)",
                              format ? format : "(missing)", STORAGE_FORMAT);
        goto out;
    }
    if (!schema_text) {
        error = storage_error(path, NULL, "_xsw_meta has no schema");
        goto out;
    }

    json_error_t jerror;
    json_t *json = json_loads(schema_text, 0, &jerror);
    if (!json) {
        error = storage_error(path, NULL, "stored schema is not JSON: %s",
                              jerror.text);
        goto out;
    }
    error = ovsdb_schema_from_json(json, schemap);
    json_decref(json);
    if (error) {
        error = storage_error_wrap(path, error, "stored schema");
        goto out;
    }
    if (name && strcmp(name, (*schemap)->name)) {
        error = storage_error(path, NULL, "_xsw_meta names database %s but "
                              "its schema is for %s", name, (*schemap)->name);
        ovsdb_schema_destroy(*schemap);
        *schemap = NULL;
    }

out:
    sqlite3_finalize(stmt);
    free(format);
    free(name);
    free(schema_text);
    return error;
}

/* Runs SQLite's quick_check: it reads every page, so damage anywhere is
 * reported now, naming the file, rather than in the middle of a write. */
static struct ovsdb_error *
storage_quick_check(sqlite3 *db, const char *path)
{
    struct ovsdb_error *error = NULL;
    sqlite3_stmt *stmt;

    if (sqlite3_prepare_v2(db, "PRAGMA quick_check(1)", -1, &stmt, NULL)
        != SQLITE_OK) {
        return storage_error(path, db, "checking database");
    }
    if (sqlite3_step(stmt) != SQLITE_ROW) {
        error = storage_error(path, db, "checking database");
    } else {
        const char *result = (const char *) sqlite3_column_text(stmt, 0);
        if (!result || strcmp(result, "ok")) {
            error = storage_error(path, NULL, "database is corrupt (%s)",
                                  result ? result : "?");
        }
    }
    sqlite3_finalize(stmt);
    return error;
}

/* Opens 'path' with SQLite after checking it is an xsw database.  With
 * 'writable', also locks it against other servers (keeping the lock in
 * '*lock_fdp', to close after the connection) and checks it thoroughly. */
static struct ovsdb_error *
storage_open_sqlite(const char *path, bool writable, sqlite3 **dbp,
                    int *lock_fdp, struct ovsdb_schema **schemap,
                    struct uuid *last_txn_id)
{
    struct ovsdb_error *error;
    sqlite3 *db = NULL;

    *dbp = NULL;
    *lock_fdp = -1;
    *schemap = NULL;

    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return storage_error(path, NULL, "opening: %s", strerror(errno));
    }
    error = storage_check_header(path, fd);
    if (error) {
        goto error;
    }
    /* flock() locks do not interact with SQLite's fcntl() locks, and 'fd'
     * stays open until after sqlite3_close(): closing any descriptor of the
     * file would drop the process's fcntl() locks under SQLite's feet. */
    if (writable && flock(fd, LOCK_EX | LOCK_NB)) {
        error = (errno == EWOULDBLOCK
                 ? storage_error(path, NULL, "in use by another process")
                 : storage_error(path, NULL, "locking: %s",
                                 strerror(errno)));
        goto error;
    }

    int flags = (writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY);
    if (sqlite3_open_v2(path, &db, flags, NULL) != SQLITE_OK) {
        error = storage_error(path, db, "opening");
        goto error;
    }
    sqlite3_busy_timeout(db, STORAGE_BUSY_TIMEOUT_MS);

    error = storage_read_meta(db, path, schemap, last_txn_id);
    if (!error && writable) {
        error = storage_quick_check(db, path);
    }
    if (error) {
        goto error;
    }

    *dbp = db;
    *lock_fdp = fd;
    return NULL;

error:
    if (*schemap) {
        ovsdb_schema_destroy(*schemap);
        *schemap = NULL;
    }
    sqlite3_close(db);
    close(fd);
    return error;
}

struct ovsdb_error *
storage_read_schema(const char *path, struct ovsdb_schema **schemap)
{
    struct uuid last_txn_id;
    sqlite3 *db;
    int fd;

    struct ovsdb_error *error = storage_open_sqlite(path, false, &db, &fd,
                                                    schemap, &last_txn_id);
    if (!error) {
        sqlite3_close(db);
        close(fd);
    }
    return error;
}

static struct ovsdb_error *
storage_prepare_statements(struct storage *st)
{
    static const struct {
        size_t offset;
        const char *sql;
    } stmts[] = {
#define STMT(MEMBER, SQL) { offsetof(struct storage, MEMBER), SQL }
        STMT(begin, "BEGIN IMMEDIATE"),
        STMT(commit, "COMMIT"),
        STMT(rollback, "ROLLBACK"),
        STMT(savepoint, "SAVEPOINT xsw_txn"),
        STMT(release, "RELEASE xsw_txn"),
        STMT(rollback_to, "ROLLBACK TO xsw_txn"),
        STMT(set_last_txn_id,
             "UPDATE _xsw_meta SET value = ?1 WHERE key = 'last_txn_id'"),
#undef STMT
    };
    for (size_t i = 0; i < ARRAY_SIZE(stmts); i++) {
        sqlite3_stmt **stmtp = (sqlite3_stmt **) ((char *) st
                                                  + stmts[i].offset);
        if (storage_prepare(st->db, stmts[i].sql, stmtp) != SQLITE_OK) {
            return storage_error(st->path, st->db, "preparing \"%s\"",
                                 stmts[i].sql);
        }
    }
    return NULL;
}

struct ovsdb_error *
storage_open(const char *path, struct storage **stp, struct ovsdb_db **dbp)
{
    struct ovsdb_error *error;
    struct storage *st = xzalloc(sizeof *st);
    struct uuid last_txn_id;

    *stp = NULL;
    *dbp = NULL;

    st->path = xstrdup(path);
    st->lock_fd = -1;
    shash_init(&st->tables);
    error = storage_open_sqlite(path, true, &st->db, &st->lock_fd,
                                &st->schema, &last_txn_id);
    if (error) {
        st->lock_fd = -1;
        goto error;
    }
    st->read_only = sqlite3_db_readonly(st->db, "main") == 1;
    if (!st->read_only) {
        /* synchronous=NORMAL in WAL mode: a commit is written to the WAL
         * (surviving a crash of the process) but fsync()ed only at
         * checkpoints; storage_commit_batch() syncs durable batches. */
        if (storage_exec(st->db, "PRAGMA journal_mode=WAL; "
                         "PRAGMA synchronous=NORMAL") != SQLITE_OK) {
            error = storage_error(path, st->db, "configuring");
            goto error;
        }
    }
    shash_destroy(&st->tables);
    st->tables = storage_tables_create(st->schema);

    error = storage_prepare_statements(st);
    if (!error) {
        error = storage_load_db(st, dbp);
    }
    if (error) {
        goto error;
    }
    (*dbp)->last_txn_id = last_txn_id;
    (*dbp)->storage = st;
    *stp = st;
    return NULL;

error:
    storage_close(st);
    return error;
}

/* Loading. */

static struct ovsdb_error *
storage_load_table(struct storage *st, const struct storage_table *t,
                   struct ovsdb_db *db)
{
    struct ovsdb_table *table = ovsdb_db_get_table(db, t->schema->name);
    struct ovsdb_error *error = NULL;
    struct sql sql = { NULL, 0, 0 };
    sqlite3_stmt *stmt;

    sql_printf(&sql, "SELECT ");
    storage_table_put_columns(&sql, t);
    sql_printf(&sql, " FROM %s", t->qname);
    int rc = sqlite3_prepare_v2(st->db, sql.s, -1, &stmt, NULL);
    free(sql.s);
    if (rc != SQLITE_OK) {
        return storage_error(st->path, st->db, "reading table %s",
                             t->schema->name);
    }

    const struct ovsdb_column *version_col
        = t->schema->columns[OVSDB_COL_VERSION];
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *uuid_text = (const char *) sqlite3_column_text(stmt, 0);
        struct uuid uuid;
        if (!uuid_text || !uuid_from_string(&uuid, uuid_text)) {
            error = storage_error(st->path, NULL, "table %s: _uuid \"%s\" is "
                                  "not a UUID", t->schema->name,
                                  uuid_text ? uuid_text : "(null)");
            break;
        }

        struct ovsdb_row *row = ovsdb_row_create(table, &uuid);
        /* A hand-inserted row may lack a _version: any fresh one does. */
        union ovsdb_atom version;
        const char *version_text
            = (const char *) sqlite3_column_text(stmt, 1);
        if (!version_text || !uuid_from_string(&version.uuid, version_text)) {
            uuid_generate(&version.uuid);
        }
        storage_datum_set_atom(&row->fields[OVSDB_COL_VERSION],
                               &version_col->type, &version);

        for (size_t k = 0; k < t->n_cols && !error; k++) {
            const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
            error = storage_read_datum(&row->fields[c->index], &c->type,
                                       stmt, k + 2);
            if (error) {
                error = storage_error_wrap(st->path, error,
                                           "table %s, row %s, column %s",
                                           t->schema->name, uuid_text,
                                           c->name);
            }
        }
        if (error) {
            ovsdb_row_destroy(row);
            break;
        }
        ovsdb_db_load_row(db, row);
    }
    if (!error && rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "reading table %s",
                              t->schema->name);
    }
    sqlite3_finalize(stmt);
    return error;
}

struct ovsdb_error *
storage_load_db(struct storage *st, struct ovsdb_db **dbp)
{
    *dbp = NULL;
    if (st->in_batch) {
        return storage_error(st->path, NULL, "cannot load inside a batch");
    }

    /* One read transaction, so the tables are read at one point in time
     * even if some other process writes meanwhile. */
    if (storage_exec(st->db, "BEGIN") != SQLITE_OK) {
        return storage_error(st->path, st->db, "reading");
    }
    struct ovsdb_db *db = ovsdb_db_create(ovsdb_schema_clone(st->schema));
    struct ovsdb_error *error = NULL;
    struct shash_node *node;
    SHASH_FOR_EACH (node, &st->tables) {
        error = storage_load_table(st, node->data, db);
        if (error) {
            break;
        }
    }
    storage_exec(st->db, "COMMIT");

    if (!error) {
        error = ovsdb_db_finish_load(db);
        if (error) {
            error = storage_error_wrap(st->path, error, "loading");
        }
    }
    if (error) {
        ovsdb_db_destroy(db);
        return error;
    }
    *dbp = db;
    return NULL;
}

void
storage_close(struct storage *st)
{
    if (!st) {
        return;
    }
    storage_abort_batch(st);
    storage_tables_destroy(&st->tables);
    sqlite3_stmt *stmts[] = {
        st->begin, st->commit, st->rollback, st->savepoint, st->release,
        st->rollback_to, st->set_last_txn_id,
    };
    for (size_t i = 0; i < ARRAY_SIZE(stmts); i++) {
        sqlite3_finalize(stmts[i]);
    }
    sqlite3_close(st->db);
    if (st->lock_fd >= 0) {
        close(st->lock_fd);
    }
    if (st->schema) {
        ovsdb_schema_destroy(st->schema);
    }
    free(st->path);
    free(st);
}

const char *
storage_get_path(const struct storage *st)
{
    return st->path;
}

bool
storage_is_read_only(const struct storage *st)
{
    return st->read_only;
}

/* Writing. */

struct ovsdb_error *
storage_begin_batch(struct storage *st)
{
    if (st->in_batch) {
        return storage_error(st->path, NULL, "a batch is already open");
    }
    if (st->read_only) {
        return storage_error(st->path, NULL, "cannot write: the database "
                             "file is read-only");
    }
    if (storage_step_done(st->begin) != SQLITE_DONE) {
        return storage_error(st->path, st->db, "starting a transaction");
    }
    st->in_batch = true;
    st->batch_durable = false;
    st->batch_lost = false;
    return NULL;
}

void
storage_abort_batch(struct storage *st)
{
    if (st->in_batch) {
        if (!sqlite3_get_autocommit(st->db)) {
            storage_step_done(st->rollback);
        }
        st->in_batch = false;
    }
}

static int
storage_bind_row(sqlite3_stmt *stmt, const struct storage_table *t,
                 const struct ovsdb_row *row)
{
    int rc = storage_bind_uuid(stmt, 1, ovsdb_row_get_uuid(row));
    if (rc == SQLITE_OK) {
        rc = storage_bind_uuid(stmt, 2,
                               &row->fields[OVSDB_COL_VERSION].keys[0].uuid);
    }
    for (size_t k = 0; k < t->n_cols && rc == SQLITE_OK; k++) {
        const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
        rc = storage_bind_datum(stmt, k + 3, &row->fields[c->index],
                                &c->type);
    }
    return rc;
}

static struct ovsdb_error *
storage_insert_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_row *row)
{
    if (!t->insert) {
        struct sql sql = { NULL, 0, 0 };
        sql_printf(&sql, "INSERT INTO %s (", t->qname);
        storage_table_put_columns(&sql, t);
        sql_printf(&sql, ") VALUES (?1, ?2");
        for (size_t k = 0; k < t->n_cols; k++) {
            sql_printf(&sql, ", ?%zu", k + 3);
        }
        sql_printf(&sql, ")");
        int rc = storage_prepare(st->db, sql.s, &t->insert);
        free(sql.s);
        if (rc != SQLITE_OK) {
            return storage_error(st->path, st->db, "inserting into table %s",
                                 t->schema->name);
        }
    }
    int rc = storage_bind_row(t->insert, t, row);
    if (rc == SQLITE_OK) {
        rc = storage_step_done(t->insert);
    } else {
        sqlite3_reset(t->insert);
        sqlite3_clear_bindings(t->insert);
    }
    if (rc != SQLITE_DONE) {
        char buf[UUID_LEN + 1];
        uuid_to_string(ovsdb_row_get_uuid(row), buf);
        return storage_error(st->path, st->db, "inserting row %s into table "
                             "%s", buf, t->schema->name);
    }
    return NULL;
}

static struct ovsdb_error *
storage_delete_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_row *row)
{
    char buf[UUID_LEN + 1];
    uuid_to_string(ovsdb_row_get_uuid(row), buf);

    if (!t->delete) {
        char *sql = xasprintf("DELETE FROM %s WHERE \"_uuid\" = ?1",
                              t->qname);
        int rc = storage_prepare(st->db, sql, &t->delete);
        free(sql);
        if (rc != SQLITE_OK) {
            return storage_error(st->path, st->db, "deleting from table %s",
                                 t->schema->name);
        }
    }
    sqlite3_bind_text(t->delete, 1, buf, UUID_LEN, SQLITE_STATIC);
    if (storage_step_done(t->delete) != SQLITE_DONE) {
        return storage_error(st->path, st->db, "deleting row %s from table "
                             "%s", buf, t->schema->name);
    }
    /* The file and memory disagree: say so now, not at the next restart. */
    if (sqlite3_changes(st->db) != 1) {
        return storage_error(st->path, NULL, "deleting row %s from table %s: "
                             "no such row in the file", buf, t->schema->name);
    }
    return NULL;
}

static struct storage_update *
storage_update_find(const struct storage_table *t, const unsigned long *mask,
                    uint32_t hash)
{
    struct storage_update *u;
    HMAP_FOR_EACH_WITH_HASH (u, hmap_node, hash, &t->updates) {
        if (!memcmp(u->mask, mask, t->n_words * sizeof *mask)) {
            return u;
        }
    }
    return NULL;
}

static int
storage_update_prepare(struct storage *st, const struct storage_table *t,
                       const unsigned long *mask, sqlite3_stmt **stmtp)
{
    struct sql sql = { NULL, 0, 0 };
    int param = 2;
    sql_printf(&sql, "UPDATE %s SET \"_version\" = ?2", t->qname);
    for (size_t k = 0; k < t->n_cols; k++) {
        if (mask[k / BITS_PER_WORD] & (1UL << (k % BITS_PER_WORD))) {
            sql_printf(&sql, ", ");
            sql_put_ident(&sql, t->schema->columns[t->cols[k]]->name);
            sql_printf(&sql, " = ?%d", ++param);
        }
    }
    sql_printf(&sql, " WHERE \"_uuid\" = ?1");
    int rc = storage_prepare(st->db, sql.s, stmtp);
    free(sql.s);
    return rc;
}

static struct ovsdb_error *
storage_update_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_txn_row *r)
{
    /* Which stored columns changed?  None (only ephemeral ones did): the
     * file already holds what a restart needs. */
    unsigned long *mask = xcalloc(t->n_words, sizeof *mask);
    bool any = false;
    for (size_t k = 0; k < t->n_cols; k++) {
        if (ovsdb_txn_row_column_changed(r, t->cols[k])) {
            mask[k / BITS_PER_WORD] |= 1UL << (k % BITS_PER_WORD);
            any = true;
        }
    }
    if (!any) {
        free(mask);
        return NULL;
    }

    uint32_t hash = hash_bytes(mask, t->n_words * sizeof *mask, 0);
    struct storage_update *u = storage_update_find(t, mask, hash);
    sqlite3_stmt *stmt = u ? u->stmt : NULL;
    bool cache = !u && hmap_count(&t->updates) < STORAGE_MAX_CACHED_UPDATES;
    if (!stmt && storage_update_prepare(st, t, mask, &stmt) != SQLITE_OK) {
        free(mask);
        return storage_error(st->path, st->db, "updating table %s",
                             t->schema->name);
    }
    if (!u && cache) {
        u = xmalloc(sizeof *u);
        u->mask = mask;
        u->stmt = stmt;
        hmap_insert(&t->updates, &u->hmap_node, hash);
        mask = NULL;
    }

    const struct ovsdb_row *row = r->new;
    int rc = storage_bind_uuid(stmt, 1, ovsdb_row_get_uuid(row));
    if (rc == SQLITE_OK) {
        rc = storage_bind_uuid(stmt, 2,
                               &row->fields[OVSDB_COL_VERSION].keys[0].uuid);
    }
    int param = 2;
    for (size_t k = 0; k < t->n_cols && rc == SQLITE_OK; k++) {
        if (ovsdb_txn_row_column_changed(r, t->cols[k])) {
            const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
            rc = storage_bind_datum(stmt, ++param, &row->fields[c->index],
                                    &c->type);
        }
    }
    if (rc == SQLITE_OK) {
        rc = storage_step_done(stmt);
    } else {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }

    struct ovsdb_error *error = NULL;
    char buf[UUID_LEN + 1];
    uuid_to_string(ovsdb_row_get_uuid(row), buf);
    if (rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "updating row %s in table %s",
                              buf, t->schema->name);
    } else if (sqlite3_changes(st->db) != 1) {
        error = storage_error(st->path, NULL, "updating row %s in table %s: "
                              "no such row in the file", buf,
                              t->schema->name);
    }
    if (!u) {
        sqlite3_finalize(stmt);
    }
    free(mask);
    return error;
}

static struct ovsdb_error *
storage_write_row(struct storage *st, const struct ovsdb_txn_row *r)
{
    if (!r->old && !r->new) {
        return NULL;            /* Inserted and deleted in the same txn. */
    }
    if (r->old && r->new && !r->has_changes) {
        return NULL;
    }

    const char *name = r->table->schema->name;
    struct storage_table *t = shash_find_data(&st->tables, name);
    if (!t) {
        return storage_error(st->path, NULL, "table %s is not in the file's "
                             "schema", name);
    }
    return (!r->old ? storage_insert_row(st, t, r->new)
            : !r->new ? storage_delete_row(st, t, r->old)
            : storage_update_row(st, t, r));
}

/* Writes 'txn' inside the open batch. */
static struct ovsdb_error *
storage_write_txn__(struct storage *st, const struct ovsdb_txn *txn)
{
    if (storage_step_done(st->savepoint) != SQLITE_DONE) {
        return storage_error(st->path, st->db, "writing transaction");
    }

    struct ovsdb_error *error = NULL;
    const struct ovsdb_txn_row *r;
    LIST_FOR_EACH (r, node, &txn->rows) {
        error = storage_write_row(st, r);
        if (error) {
            break;
        }
    }
    if (!error) {
        storage_bind_uuid(st->set_last_txn_id, 1, &txn->txn_id);
        if (storage_step_done(st->set_last_txn_id) != SQLITE_DONE) {
            error = storage_error(st->path, st->db, "writing transaction");
        }
    }
    if (!error && storage_step_done(st->release) != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "writing transaction");
    }
    if (!error) {
        st->batch_durable |= txn->durable;
        return NULL;
    }

    if (sqlite3_get_autocommit(st->db)) {
        /* SQLite rolled the whole transaction back (it does for disk full
         * and I/O errors): the batch's earlier txns are gone too. */
        st->batch_lost = true;
        return ovsdb_error_wrap(error, "batch rolled back");
    }
    storage_step_done(st->rollback_to);
    storage_step_done(st->release);
    return error;
}

struct ovsdb_error *
storage_write_txn(struct storage *st, const struct ovsdb_txn *txn)
{
    if (!st->in_batch) {
        struct ovsdb_error *error = storage_begin_batch(st);
        if (!error) {
            error = storage_write_txn__(st, txn);
            if (error) {
                storage_abort_batch(st);
            } else {
                error = storage_commit_batch(st, txn->durable);
            }
        }
        return error;
    }
    if (st->batch_lost) {
        return storage_error(st->path, NULL, "writing transaction: the "
                             "batch was rolled back by an earlier error");
    }
    return storage_write_txn__(st, txn);
}

/* fsync()s the WAL, making every commit so far durable.
 *
 * SQLite refuses to change 'synchronous' inside a transaction, and whether
 * a batch must be durable is known only once its transactions are in, so
 * the commit runs with synchronous=NORMAL (written, not synced) and the WAL
 * is synced here, through SQLite's own handle on it. */
static struct ovsdb_error *
storage_sync_wal(struct storage *st)
{
    sqlite3_file *wal = NULL;
    int rc = sqlite3_file_control(st->db, "main",
                                  SQLITE_FCNTL_JOURNAL_POINTER, &wal);
    if (rc == SQLITE_OK && wal && wal->pMethods) {
        rc = wal->pMethods->xSync(wal, SQLITE_SYNC_NORMAL);
    } else if (rc == SQLITE_OK) {
        rc = SQLITE_ERROR;      /* No WAL: not in WAL mode?  Cannot be. */
    }
    if (rc != SQLITE_OK) {
        return storage_error(st->path, NULL, "committed, but syncing the "
                             "write-ahead log failed (SQLite error %d: %s); "
                             "the data may not survive a power failure",
                             rc, sqlite3_errstr(rc));
    }
    return NULL;
}

struct ovsdb_error *
storage_commit_batch(struct storage *st, bool durable)
{
    if (!st->in_batch) {
        return storage_error(st->path, NULL, "committing: no batch is open");
    }
    if (st->batch_lost) {
        storage_abort_batch(st);
        return storage_error(st->path, NULL, "committing: the batch was "
                             "rolled back by an earlier error");
    }

    int rc = storage_step_done(st->commit);
    struct ovsdb_error *error = NULL;
    if (rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "committing");
        if (!sqlite3_get_autocommit(st->db)) {
            storage_step_done(st->rollback);
        }
    } else if (durable || st->batch_durable) {
        error = storage_sync_wal(st);
    }
    st->in_batch = false;
    return error;
}
