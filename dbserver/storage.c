/* storage.c: the database's durable copy in SQLite.  See storage.h for the
 * file layout and the durability contract.
 *
 * The cost of writing a transaction is meant to be proportional to what it
 * changed, not to the size of the rows it touched: scalar columns live in
 * the row's own SQL table, and every set, map or optional column in a side
 * table with one SQL row per element, so adding one port to a bridge with
 * 10,000 ports writes one small row, not the whole set. */
#include <config.h>
#include "storage.h"

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sqlite3.h>
#include "db.h"
#include "ds.h"
#include "hash.h"
#include "hmap.h"
#include "ovsdb-data.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "shash.h"
#include "util.h"
#include "uuid.h"

/* "xsw1" in the SQLite header's application_id field (offset 68).  It names
 * the application, not the layout: the layout is _xsw_meta's 'format'. */
#define STORAGE_APPLICATION_ID 0x78737731
#define STORAGE_FORMAT "4"

/* Format 3, written before names could collide (see storage_name()), is
 * format 4 for schemas whose names do not: still read and written, as it
 * is. */
#define STORAGE_FORMAT_NATURAL "3"

/* SQLite waits this long for the operator's sqlite3 shell (or any other
 * writer) to let go of the write lock before a batch fails. */
#define STORAGE_BUSY_TIMEOUT_MS 2000

/* After a checkpoint has copied the WAL into the database, the next commit
 * starts the WAL over and truncates it to this size, so that a burst of
 * writes does not leave a large WAL on disk forever. */
#define STORAGE_WAL_SIZE_LIMIT (4 * 1024 * 1024)

/* SQLite's page cache for the server's connection, in KiB (see
 * storage_open()). */
#define STORAGE_CACHE_KIB 8000

/* Checkpoints (copying the WAL into the database file, which fsync()s both)
 * run in a thread of their own, with its own connection, each time the WAL
 * has grown by this many pages (SQLite's own interval), so that no reply
 * waits for them.  A checkpoint that runs while commits go on may not
 * finish the WAL: the WAL starts over only once every frame is copied at
 * the moment a commit begins, and under a steady load the checkpointer can
 * stay a few commits behind.  When the WAL reaches the hard limit, the
 * commit that reaches it waits for the thread and copies the rest itself
 * (with two fsync()s), which bounds the WAL at about 32 MiB.  (Asking
 * the thread for another checkpoint after every commit instead made it
 * fsync() twice every other commit, and still did not bound the WAL.)
 *
 * Why 4000 pages, not SQLite's 1000: the first commit after a checkpoint
 * has caught up starts the WAL over, which fdatasync()s the new WAL header
 * and truncates the WAL inside that commit, before its reply goes out; a
 * longer interval means fewer of them, and the checkpoint copies a page
 * changed several times in the interval once.  Measured (strace -c -f,
 * 4,000 serial port-adding transactions, busy machine): fdatasync() 35 ->
 * 14, ftruncate() 12 -> 6, pwrite() 6,935 -> 5,125 (docs/benchmarks-
 * dbserver.md, "the checkpoint interval").  The cost: up to 16 MiB more
 * WAL on disk, read again by the recovery after a crash. */
#define STORAGE_CHECKPOINT_PAGES 4000
#define STORAGE_CHECKPOINT_HARD_PAGES 8000

/* A table's UPDATE statements are cached per set of columns they set; this
 * bounds the cache for a client that changes every possible subset. */
#define STORAGE_MAX_CACHED_UPDATES 64

#define BITS_PER_WORD (8 * sizeof(unsigned long))

/* A prepared "UPDATE ... SET <some columns> WHERE _uuid". */
struct storage_update {
    struct hmap_node hmap_node;   /* In storage_table.updates. */
    unsigned long *mask;          /* Bit k: sets storage_table.cols[k]. */
    sqlite3_stmt *stmt;
};

/* A set, map or optional column, stored in its own table "<Table>_<column>"
 * with one row per element: (_uuid, key) or (_uuid, key, value).  Its
 * statements are prepared on first use: a table like Interface has dozens
 * of such columns, most of them never written. */
struct storage_side {
    const struct ovsdb_column *column;   /* In storage.schema. */
    char *name;                   /* SQL name: "<Table>_<column>", unless
                                   * that is taken (see storage_name()). */
    char *qname;                  /* The same, SQL-quoted. */
    sqlite3_stmt *insert;         /* (_uuid, key[, value]) */
    sqlite3_stmt *delete;         /* WHERE _uuid = ?1 AND key = ?2 */
    sqlite3_stmt *update;         /* SET value = ?3 WHERE ... (maps only) */
};

/* An OVSDB table as stored: which columns it has and its statements. */
struct storage_table {
    const struct ovsdb_table_schema *schema;   /* In storage.schema. */
    char *name;                   /* SQL name (see storage_name()). */
    char *qname;                  /* The same, SQL-quoted. */
    unsigned int *cols;           /* Stored scalar column indexes, in */
    size_t n_cols;                /* schema order. */
    char **col_qnames;            /* SQL-quoted name of each, in order. */
    struct storage_side *sides;   /* Stored non-scalar columns, in schema */
    size_t n_sides;               /* order. */
    size_t n_words;               /* Words in a storage_update mask. */
    sqlite3_stmt *insert;         /* Prepared on first use. */
    sqlite3_stmt *delete;
    struct hmap updates;          /* struct storage_update, owned. */
};

/* The checkpoint thread (see STORAGE_CHECKPOINT_PAGES). */
struct storage_checkpointer {
    pthread_t thread;
    sqlite3 *db;                  /* Its own connection, used by the thread
                                   * only, until it is joined. */
    pthread_mutex_t mutex;
    pthread_cond_t cond;          /* Signalled when one of these changes: */
    bool requested;               /* A checkpoint is wanted.  */
    bool running;                 /* The thread is checkpointing. */
    bool exiting;                 /* The thread must return. */

    /* Used by the server's thread only. */
    int next_request;             /* WAL size (pages) for the next request. */
    int last_pages;               /* WAL size after the last commit. */
};

struct storage {
    char *path;
    sqlite3 *db;
    struct storage_checkpointer *checkpointer;   /* NULL if read-only. */
    int lock_fd;                  /* Holds our flock(); closed after 'db'. */
    bool read_only;
    struct ovsdb_schema *schema;  /* Owned: independent of any ovsdb_db. */
    struct shash tables;          /* Name -> struct storage_table *, owned. */

    sqlite3_stmt *begin, *commit, *rollback;
    sqlite3_stmt *savepoint, *release, *rollback_to;

    bool in_batch;
    size_t batch_txns;            /* Txns of the batch written so far. */
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

/* Appends 'name' as an SQL identifier: in double quotes, with quotes
 * doubled.  OVSDB names are identifiers anyway, but the file is the schema's
 * to name, and "Interface" or "Port" must never be read as keywords. */
static void
sql_put_ident(struct ds *sql, const char *name)
{
    ds_put_char(sql, '"');
    for (const char *p = name; *p; p++) {
        if (*p == '"') {
            ds_put_char(sql, '"');
        }
        ds_put_char(sql, *p);
    }
    ds_put_char(sql, '"');
}

static char *
sql_quote_ident(const char *name)
{
    struct ds sql = DS_EMPTY_INITIALIZER;
    sql_put_ident(&sql, name);
    return ds_steal_cstr(&sql);
}

/* Values. */

/* Scalar columns live in the row's table; all others in side tables. */
static bool
storage_column_is_scalar(const struct ovsdb_column *c)
{
    return ovsdb_type_is_scalar(&c->type);
}

/* The SQL type of an atom of 'type': what the sqlite3 shell shows, and
 * what loading insists on. */
static const char *
storage_sql_type(enum ovsdb_atomic_type type)
{
    switch (type) {
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

static int
storage_bind_uuid(sqlite3_stmt *stmt, int i, const struct uuid *uuid)
{
    char buf[UUID_LEN];
    uuid_format(uuid, buf);
    return sqlite3_bind_text(stmt, i, buf, UUID_LEN, SQLITE_TRANSIENT);
}

/* Binds 'atom' of 'type' as parameter 'i' of 'stmt'.  A string is bound
 * without a copy: the atom must outlive the statement's next step. */
static int
storage_bind_atom(sqlite3_stmt *stmt, int i, const union ovsdb_atom *atom,
                  enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_INTEGER:
        return sqlite3_bind_int64(stmt, i, atom->integer);
    case OVSDB_TYPE_REAL:
        return sqlite3_bind_double(stmt, i, atom->real);
    case OVSDB_TYPE_BOOLEAN:
        return sqlite3_bind_int(stmt, i, atom->boolean);
    case OVSDB_TYPE_STRING:
        return sqlite3_bind_text(stmt, i, atom->string, -1, SQLITE_STATIC);
    case OVSDB_TYPE_UUID:
        return storage_bind_uuid(stmt, i, &atom->uuid);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return sqlite3_bind_null(stmt, i);
    }
}

/* Reads column 'i' of 'stmt', which is not NULL, into '*atom' of 'type',
 * checking its SQL type but not the schema's constraints.  On success the
 * caller owns '*atom'. */
static struct ovsdb_error *
storage_read_atom(union ovsdb_atom *atom, enum ovsdb_atomic_type type,
                  sqlite3_stmt *stmt, int i)
{
    int sql_type = sqlite3_column_type(stmt, i);
    const char *text;

    switch (type) {
    case OVSDB_TYPE_INTEGER:
        if (sql_type != SQLITE_INTEGER) {
            return ovsdb_error("syntax error", "expected an integer");
        }
        atom->integer = sqlite3_column_int64(stmt, i);
        return NULL;

    case OVSDB_TYPE_REAL:
        /* A hand-written "1" is a fine real. */
        if (sql_type != SQLITE_FLOAT && sql_type != SQLITE_INTEGER) {
            return ovsdb_error("syntax error", "expected a real");
        }
        atom->real = sqlite3_column_double(stmt, i);
        return NULL;

    case OVSDB_TYPE_BOOLEAN:
        if (sql_type != SQLITE_INTEGER
            || (uint64_t) sqlite3_column_int64(stmt, i) > 1) {
            return ovsdb_error("syntax error", "expected a boolean (0 or 1)");
        }
        atom->boolean = sqlite3_column_int64(stmt, i);
        return NULL;

    case OVSDB_TYPE_STRING:
        if (sql_type != SQLITE_TEXT) {
            return ovsdb_error("syntax error", "expected a string");
        }
        text = (const char *) sqlite3_column_text(stmt, i);
        size_t len = sqlite3_column_bytes(stmt, i);
        if (strlen(text) != len) {
            return ovsdb_error("syntax error", "string contains a null byte");
        }
        atom->string = xmemdup(text, len + 1);   /* With its null. */
        return NULL;

    case OVSDB_TYPE_UUID:
        text = (const char *) sqlite3_column_text(stmt, i);
        if (sql_type != SQLITE_TEXT
            || !uuid_from_string(&atom->uuid, text)) {
            return ovsdb_error("syntax error", "expected a UUID");
        }
        return NULL;

    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return ovsdb_error("internal error", "bad column type");
    }
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

/* Reads column 'i' of 'stmt' into 'datum', a scalar of 'type' that holds
 * the type's default.  NULL leaves the default (see storage.h). */
static struct ovsdb_error *
storage_read_scalar(struct ovsdb_datum *datum, const struct ovsdb_type *type,
                    sqlite3_stmt *stmt, int i)
{
    if (sqlite3_column_type(stmt, i) == SQLITE_NULL) {
        return NULL;
    }

    union ovsdb_atom atom;
    struct ovsdb_error *error = storage_read_atom(&atom, type->key.type,
                                                  stmt, i);
    if (error) {
        return error;
    }
    error = ovsdb_atom_check_constraints(&atom, &type->key);
    if (error) {
        ovsdb_atom_destroy(&atom, type->key.type);
        return error;
    }
    storage_datum_set_atom(datum, type, &atom);
    return NULL;
}

/* The WAL's writes, coalesced.
 *
 * SQLite appends a frame to the WAL with two write()s, its 24-byte header
 * and its page, so a commit of 7 pages cost 14 system calls (each taking
 * the inode's lock and walking the page cache for one or two pages), which
 * was the largest part of a small commit's cost.  This VFS, a thin layer
 * over SQLite's default VFS ("unix"), gathers the frames written to a WAL
 * file in memory and hands them to the kernel in one write() when the
 * commit's last frame (the one whose header holds the database size) is
 * written, that is, before SQLite publishes the commit in the WAL index
 * and returns: nothing anyone can read is ever only in the buffer, and a
 * commit that has returned is in the file, as before.  Anything else done
 * to the file (a read, a sync, a truncation, a write elsewhere) writes the
 * buffer out first, so SQLite sees the file it would see without us.  A
 * failed write fails the write() that SQLite asked for, as the unix VFS's
 * would, and SQLite rolls the commit back.  Files other than WALs are the
 * default VFS's own files, untouched. */

#define STORAGE_VFS_NAME "xsw-unix"

/* A WAL file: ours, with the default VFS's file right after it. */
struct storage_wal_file {
    sqlite3_file up;              /* What SQLite sees: pMethods is ours. */
    sqlite3_file *real;           /* The default VFS's file, after this. */
    char *buf;                    /* Pending bytes, for offset 'buf_ofs'. */
    size_t buf_len, buf_size;
    sqlite3_int64 buf_ofs;
    sqlite3_int64 next_ofs;       /* Where the last write ended, or -1. */
    bool after_header;            /* The last write was a frame header... */
    bool commit_frame;            /* ...of a commit frame, whose page ends
                                   * the commit. */
};

/* The VFS under ours: SQLite's default when the storage first opened a
 * file ("unix", unless a test counts syncs with a VFS of its own). */
static sqlite3_vfs *storage_base_vfs;

/* The unix VFS writes at most 128 KiB - 1 bytes per call (it masks the
 * length with 0x1ffff: more would be a short write, reported as a full
 * disk), so a large buffer goes out in pieces. */
#define STORAGE_WAL_MAX_WRITE (64 * 1024)

/* A batch larger than this (a bulk load, a group commit) goes out in pieces
 * of about this size before its commit frame: one write() per 16 pages is
 * nearly as good as one, and the buffer stays small (a 1 MiB buffer cost 1
 * MiB of RSS after a bulk load, for no measurable speed). */
#define STORAGE_WAL_BUFFER_MAX (64 * 1024)

static int
storage_wal_flush(struct storage_wal_file *f)
{
    int rc = SQLITE_OK;
    for (size_t done = 0; done < f->buf_len && rc == SQLITE_OK; ) {
        size_t n = MIN(f->buf_len - done, STORAGE_WAL_MAX_WRITE);
        rc = f->real->pMethods->xWrite(f->real, f->buf + done, n,
                                       f->buf_ofs + done);
        done += n;
    }
    f->buf_len = 0;
    return rc;
}

static int
storage_wal_close(sqlite3_file *file)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    int rc = storage_wal_flush(f);
    int rc2 = f->real->pMethods->xClose(f->real);
    free(f->buf);
    return rc != SQLITE_OK ? rc : rc2;
}

static int
storage_wal_write(sqlite3_file *file, const void *data, int n,
                  sqlite3_int64 ofs)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;

    /* SQLite appends a frame as its 24-byte header, whose bytes 4 to 7 are
     * the database's size in pages after a commit and 0 in other frames,
     * then its page, right after the previous frame.  Only that pattern is
     * gathered.  Any other write goes straight to the file, after the
     * buffer: the WAL's own header, a page written again in place (in a
     * transaction larger than the page cache), and above all the frame
     * headers SQLite rewrites after writing the commit frame, to fix
     * their checksums (recovery after a crash drops every frame from the
     * first bad checksum on, commit included).  So a change in how SQLite
     * writes could cost speed, never safety. */
    bool append = ofs == f->next_ofs;
    bool header = append && n == 24;
    bool page = append && f->after_header && n > 24 && !(n & (n - 1));
    bool commit_page = page && f->commit_frame;
    f->after_header = header;
    f->commit_frame = header && (((const unsigned char *) data)[4]
                                 | ((const unsigned char *) data)[5]
                                 | ((const unsigned char *) data)[6]
                                 | ((const unsigned char *) data)[7]);
    f->next_ofs = ofs + n;

    if (!header && !page) {
        int rc = storage_wal_flush(f);
        return (rc != SQLITE_OK ? rc
                : f->real->pMethods->xWrite(f->real, data, n, ofs));
    }

    if (!f->buf_len) {
        f->buf_ofs = ofs;
    }
    if (f->buf_len + n > f->buf_size) {
        f->buf_size = MAX(2 * f->buf_size, f->buf_len + n);
        f->buf = xrealloc(f->buf, f->buf_size);
    }
    memcpy(f->buf + f->buf_len, data, n);
    f->buf_len += n;
    return (commit_page || f->buf_len >= STORAGE_WAL_BUFFER_MAX
            ? storage_wal_flush(f) : SQLITE_OK);
}

/* The methods that only need the buffer written out first. */
#define STORAGE_WAL_FLUSH_FIRST(F)                      \
    struct storage_wal_file *f = (struct storage_wal_file *) (F); \
    int rc = storage_wal_flush(f);                      \
    if (rc != SQLITE_OK) {                              \
        return rc;                                      \
    }

static int
storage_wal_read(sqlite3_file *file, void *data, int n, sqlite3_int64 ofs)
{
    STORAGE_WAL_FLUSH_FIRST(file);
    return f->real->pMethods->xRead(f->real, data, n, ofs);
}

static int
storage_wal_truncate(sqlite3_file *file, sqlite3_int64 size)
{
    STORAGE_WAL_FLUSH_FIRST(file);
    return f->real->pMethods->xTruncate(f->real, size);
}

static int
storage_wal_sync(sqlite3_file *file, int flags)
{
    STORAGE_WAL_FLUSH_FIRST(file);
    return f->real->pMethods->xSync(f->real, flags);
}

static int
storage_wal_file_size(sqlite3_file *file, sqlite3_int64 *size)
{
    STORAGE_WAL_FLUSH_FIRST(file);
    return f->real->pMethods->xFileSize(f->real, size);
}

static int
storage_wal_file_control(sqlite3_file *file, int op, void *arg)
{
    STORAGE_WAL_FLUSH_FIRST(file);
    return f->real->pMethods->xFileControl(f->real, op, arg);
}

/* SQLite does not lock a WAL file (it locks the -shm file), but the methods
 * exist: pass them on. */
static int
storage_wal_lock(sqlite3_file *file, int lock)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    return f->real->pMethods->xLock(f->real, lock);
}

static int
storage_wal_unlock(sqlite3_file *file, int lock)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    return f->real->pMethods->xUnlock(f->real, lock);
}

static int
storage_wal_check_reserved_lock(sqlite3_file *file, int *out)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    return f->real->pMethods->xCheckReservedLock(f->real, out);
}

static int
storage_wal_sector_size(sqlite3_file *file)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    return f->real->pMethods->xSectorSize(f->real);
}

static int
storage_wal_device_characteristics(sqlite3_file *file)
{
    struct storage_wal_file *f = (struct storage_wal_file *) file;
    return f->real->pMethods->xDeviceCharacteristics(f->real);
}

/* Version 1: SQLite uses the shared-memory and mmap methods (versions 2
 * and 3) on database files only. */
static const struct sqlite3_io_methods storage_wal_methods = {
    .iVersion = 1,
    .xClose = storage_wal_close,
    .xRead = storage_wal_read,
    .xWrite = storage_wal_write,
    .xTruncate = storage_wal_truncate,
    .xSync = storage_wal_sync,
    .xFileSize = storage_wal_file_size,
    .xLock = storage_wal_lock,
    .xUnlock = storage_wal_unlock,
    .xCheckReservedLock = storage_wal_check_reserved_lock,
    .xFileControl = storage_wal_file_control,
    .xSectorSize = storage_wal_sector_size,
    .xDeviceCharacteristics = storage_wal_device_characteristics,
};

static int
storage_vfs_open(sqlite3_vfs *vfs OVS_UNUSED, const char *name,
                 sqlite3_file *file, int flags, int *out_flags)
{
    sqlite3_vfs *base_vfs = storage_base_vfs;
    if (!(flags & SQLITE_OPEN_WAL)) {
        return base_vfs->xOpen(base_vfs, name, file, flags, out_flags);
    }

    struct storage_wal_file *f = (struct storage_wal_file *) file;
    memset(f, 0, sizeof *f);
    f->real = (sqlite3_file *) (f + 1);
    f->next_ofs = -1;
    int rc = base_vfs->xOpen(base_vfs, name, f->real, flags, out_flags);
    /* SQLite calls xClose after a failed xOpen only if pMethods is set;
     * the unix VFS cleans up after itself. */
    f->up.pMethods = (rc == SQLITE_OK && f->real->pMethods
                      ? &storage_wal_methods : NULL);
    return rc;
}

/* The VFS's other methods are about names and the system, not files: the
 * default VFS's own, called with its own struct. */
static int
storage_vfs_delete(sqlite3_vfs *vfs OVS_UNUSED, const char *name, int sync)
{
    return storage_base_vfs->xDelete(storage_base_vfs, name, sync);
}

static int
storage_vfs_access(sqlite3_vfs *vfs OVS_UNUSED, const char *name, int flags,
                   int *out)
{
    return storage_base_vfs->xAccess(storage_base_vfs, name, flags, out);
}

static int
storage_vfs_full_pathname(sqlite3_vfs *vfs OVS_UNUSED, const char *name,
                          int n, char *out)
{
    return storage_base_vfs->xFullPathname(storage_base_vfs, name, n, out);
}

static void *
storage_vfs_dl_open(sqlite3_vfs *vfs OVS_UNUSED, const char *name)
{
    return storage_base_vfs->xDlOpen(storage_base_vfs, name);
}

static void
storage_vfs_dl_error(sqlite3_vfs *vfs OVS_UNUSED, int n, char *msg)
{
    storage_base_vfs->xDlError(storage_base_vfs, n, msg);
}

static void
(*storage_vfs_dl_sym(sqlite3_vfs *vfs OVS_UNUSED, void *handle,
                     const char *symbol))(void)
{
    return storage_base_vfs->xDlSym(storage_base_vfs, handle, symbol);
}

static void
storage_vfs_dl_close(sqlite3_vfs *vfs OVS_UNUSED, void *handle)
{
    storage_base_vfs->xDlClose(storage_base_vfs, handle);
}

static int
storage_vfs_randomness(sqlite3_vfs *vfs OVS_UNUSED, int n, char *out)
{
    return storage_base_vfs->xRandomness(storage_base_vfs, n, out);
}

static int
storage_vfs_sleep(sqlite3_vfs *vfs OVS_UNUSED, int us)
{
    return storage_base_vfs->xSleep(storage_base_vfs, us);
}

static int
storage_vfs_current_time(sqlite3_vfs *vfs OVS_UNUSED, double *out)
{
    return storage_base_vfs->xCurrentTime(storage_base_vfs, out);
}

static int
storage_vfs_get_last_error(sqlite3_vfs *vfs OVS_UNUSED, int n, char *out)
{
    return storage_base_vfs->xGetLastError(storage_base_vfs, n, out);
}

static int
storage_vfs_current_time_int64(sqlite3_vfs *vfs OVS_UNUSED,
                               sqlite3_int64 *out)
{
    return storage_base_vfs->xCurrentTimeInt64(storage_base_vfs, out);
}

static sqlite3_vfs storage_vfs = {
    .iVersion = 2,
    .zName = STORAGE_VFS_NAME,
    .xOpen = storage_vfs_open,
    .xDelete = storage_vfs_delete,
    .xAccess = storage_vfs_access,
    .xFullPathname = storage_vfs_full_pathname,
    .xDlOpen = storage_vfs_dl_open,
    .xDlError = storage_vfs_dl_error,
    .xDlSym = storage_vfs_dl_sym,
    .xDlClose = storage_vfs_dl_close,
    .xRandomness = storage_vfs_randomness,
    .xSleep = storage_vfs_sleep,
    .xCurrentTime = storage_vfs_current_time,
    .xGetLastError = storage_vfs_get_last_error,
    .xCurrentTimeInt64 = storage_vfs_current_time_int64,
};

static pthread_once_t storage_vfs_once = PTHREAD_ONCE_INIT;
static bool storage_vfs_ok;

static void
storage_vfs_init(void)
{
    storage_base_vfs = sqlite3_vfs_find(NULL);
    if (storage_base_vfs && storage_base_vfs->iVersion >= 2) {
        storage_vfs.szOsFile = (sizeof(struct storage_wal_file)
                                + storage_base_vfs->szOsFile);
        storage_vfs.mxPathname = storage_base_vfs->mxPathname;
        storage_vfs_ok = sqlite3_vfs_register(&storage_vfs, 0) == SQLITE_OK;
    }
}

/* The name of the VFS to open the server's connections with: ours, or
 * NULL (SQLite's default) should ours be impossible, in which case SQLite
 * works as well, with more system calls. */
static const char *
storage_vfs_name(void)
{
    pthread_once(&storage_vfs_once, storage_vfs_init);
    return storage_vfs_ok ? STORAGE_VFS_NAME : NULL;
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
    t->cols = xcalloc(ts->n_columns, sizeof *t->cols);
    t->col_qnames = xcalloc(ts->n_columns, sizeof *t->col_qnames);
    t->sides = xcalloc(ts->n_columns, sizeof *t->sides);
    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        if (!c->persistent) {
            continue;
        } else if (storage_column_is_scalar(c)) {
            t->cols[t->n_cols++] = i;
        } else {
            struct storage_side *side = &t->sides[t->n_sides++];
            side->column = c;
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
    for (size_t k = 0; k < t->n_sides; k++) {
        struct storage_side *side = &t->sides[k];
        sqlite3_finalize(side->insert);
        sqlite3_finalize(side->delete);
        sqlite3_finalize(side->update);
        free(side->name);
        free(side->qname);
    }
    free(t->sides);
    sqlite3_finalize(t->insert);
    sqlite3_finalize(t->delete);
    for (size_t k = 0; k < t->n_cols; k++) {
        free(t->col_qnames[k]);
    }
    free(t->col_qnames);
    free(t->cols);
    free(t->name);
    free(t->qname);
    free(t);
}

static bool
storage_side_is_map(const struct storage_side *side)
{
    return ovsdb_type_is_map(&side->column->type);
}

/* Appends '"_uuid", "col"...' for 't' (its scalar columns). */
static void
storage_table_put_columns(struct ds *sql, const struct storage_table *t)
{
    ds_put_format(sql, "\"_uuid\"");
    for (size_t k = 0; k < t->n_cols; k++) {
        ds_put_format(sql, ", %s", t->col_qnames[k]);
    }
}

/* The SQL that creates 't': its own table, a side table per non-scalar
 * column, and a trigger that deletes a row's elements with the row, so that
 * an operator's "DELETE FROM Port WHERE ..." in the sqlite3 shell leaves no
 * orphaned elements behind (and our own deletes need one statement). */
static char *
storage_table_create_sql(const struct storage_table *t)
{
    struct ds sql = DS_EMPTY_INITIALIZER;
    ds_put_format(&sql,
                  "CREATE TABLE %s (\"_uuid\" TEXT PRIMARY KEY NOT NULL",
                  t->qname);
    for (size_t k = 0; k < t->n_cols; k++) {
        const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
        ds_put_format(&sql, ", %s %s", t->col_qnames[k],
                      storage_sql_type(c->type.key.type));
    }
    /* WITHOUT ROWID (format 3): a rowid table needs a second b-tree, the
     * index on _uuid, and every insert wrote a page of each; keyed by
     * _uuid, an insert writes one page plus its share of leaf splits.
     * Measured on the serial load (one Port and Interface inserted, a
     * Bridge updated per transaction): 7.6 WAL pages per commit instead of
     * 9.4.  Bulk inserts split full-row leaves more often, which costs the
     * 10,000-port load some time (format 2 chose rowid tables for it), but
     * a commit is what a client waits for. */
    ds_put_format(&sql, ") WITHOUT ROWID;\n");

    /* WITHOUT ROWID: the rows are stored in primary key order, so a row's
     * elements are together and already sorted when loading, and there is
     * no second b-tree to update. */
    for (size_t k = 0; k < t->n_sides; k++) {
        const struct storage_side *side = &t->sides[k];
        const struct ovsdb_type *type = &side->column->type;
        ds_put_format(&sql, "CREATE TABLE %s (\"_uuid\" TEXT NOT NULL, "
                      "\"key\" %s NOT NULL", side->qname,
                      storage_sql_type(type->key.type));
        if (storage_side_is_map(side)) {
            ds_put_format(&sql, ", \"value\" %s NOT NULL",
                          storage_sql_type(type->value.type));
        }
        ds_put_format(&sql, ", PRIMARY KEY (\"_uuid\", \"key\")) "
                      "WITHOUT ROWID;\n");
    }

    if (t->n_sides) {
        /* Unique because the table's SQL name is (triggers have a
         * namespace of their own, also without case). */
        char *trigger = xasprintf("_xsw_delete_%s", t->name);
        ds_put_format(&sql, "CREATE TRIGGER ");
        sql_put_ident(&sql, trigger);
        ds_put_format(&sql, " AFTER DELETE ON %s BEGIN\n", t->qname);
        for (size_t k = 0; k < t->n_sides; k++) {
            ds_put_format(&sql, "  DELETE FROM %s WHERE \"_uuid\" = "
                          "old.\"_uuid\";\n", t->sides[k].qname);
        }
        ds_put_format(&sql, "END;\n");
        free(trigger);
    }
    return ds_steal_cstr(&sql);
}

/* SQL names (format 4).
 *
 * SQLite compares names without case (ASCII), keeps names that start with
 * "sqlite_" for itself, and we keep "_xsw_" for ours, while OVSDB names are
 * case-sensitive ids of any length: "Load_Balancer_Health_Check" is both a
 * table of OVN's northbound schema and, spelled with other case, the side
 * table of its set column Load_Balancer.health_check.  So each stored
 * object gets its natural name (the table's or column's own, or
 * "<Table>_<column>" for a side table) if no object named before it has
 * that name in any case; otherwise it gets "<natural>~N" with the smallest
 * N >= 2 that is free.  A natural name starting with "sqlite_" (in any
 * case) gets a "_" in front first.  No OVSDB id contains "~" or starts with
 * "_", so a changed name never takes another object's natural name.
 *
 * The order is fixed by the schema alone, never by the order of its JSON
 * text: tables by name (strcmp()), then side tables by table name and
 * column name; within a table, its scalar columns by name after "_uuid".
 * For schemas without such collisions every name is the natural one, which
 * is all that format 3 had: format 3 files are read with the same rule. */

/* 'name' in lower case: the key SQLite effectively compares. */
static char *
storage_name_fold(const char *name)
{
    char *folded = xstrdup(name);
    for (char *p = folded; *p; p++) {
        *p = tolower((unsigned char) *p);
    }
    return folded;
}

/* Returns the SQL name for an object whose natural name is 'natural', and
 * adds it to 'taken' (folded names, data unused). */
static char *
storage_name(struct shash *taken, const char *natural)
{
    char *base = (!strncasecmp(natural, "sqlite_", 7)
                  ? xasprintf("_%s", natural) : xstrdup(natural));
    char *name = xstrdup(base);
    for (unsigned int n = 2; ; n++) {
        char *folded = storage_name_fold(name);
        bool added = shash_add_once(taken, folded, NULL);
        free(folded);
        if (added) {
            break;
        }
        free(name);
        name = xasprintf("%s~%u", base, n);
    }
    free(base);
    return name;
}

static int
storage_compare_columns(const void *a_, const void *b_)
{
    const struct ovsdb_column *const *a = a_;
    const struct ovsdb_column *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

/* Names 't''s scalar columns.  'cols' is scratch space for n_columns. */
static void
storage_table_name_columns(struct storage_table *t,
                           const struct ovsdb_column **cols)
{
    struct shash taken = SHASH_INITIALIZER(&taken);
    shash_add_once(&taken, "_uuid", NULL);

    for (size_t k = 0; k < t->n_cols; k++) {
        cols[k] = t->schema->columns[t->cols[k]];
    }
    qsort(cols, t->n_cols, sizeof *cols, storage_compare_columns);
    for (size_t i = 0; i < t->n_cols; i++) {
        size_t k = 0;
        while (t->schema->columns[t->cols[k]] != cols[i]) {
            k++;
        }
        char *name = storage_name(&taken, cols[i]->name);
        t->col_qnames[k] = sql_quote_ident(name);
        free(name);
    }
    shash_destroy(&taken);
}

/* Names 't''s side tables, in column name order. */
static void
storage_table_name_sides(struct storage_table *t, struct shash *taken,
                         const struct ovsdb_column **cols)
{
    for (size_t k = 0; k < t->n_sides; k++) {
        cols[k] = t->sides[k].column;
    }
    qsort(cols, t->n_sides, sizeof *cols, storage_compare_columns);
    for (size_t i = 0; i < t->n_sides; i++) {
        struct storage_side *side = t->sides;
        while (side->column != cols[i]) {
            side++;
        }
        char *natural = xasprintf("%s_%s", t->schema->name, cols[i]->name);
        side->name = storage_name(taken, natural);
        side->qname = sql_quote_ident(side->name);
        free(natural);
    }
}

/* Fills 'tables', which must be empty and initialized, in place: an hmap
 * with at most one element points into itself, so a map built in a local
 * and returned by value would point into a dead stack frame. */
static void
storage_tables_create(struct shash *tables, const struct ovsdb_schema *schema)
{
    const struct shash_node **nodes = shash_sort(&schema->tables);
    size_t n = shash_count(&schema->tables);
    struct shash taken = SHASH_INITIALIZER(&taken);
    shash_add_once(&taken, "_xsw_meta", NULL);

    size_t max_columns = 0;
    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_table_schema *ts = nodes[i]->data;
        struct storage_table *t = storage_table_create(ts);
        t->name = storage_name(&taken, ts->name);
        t->qname = sql_quote_ident(t->name);
        shash_add(tables, ts->name, t);
        max_columns = MAX(max_columns, ts->n_columns);
    }

    const struct ovsdb_column **cols = xcalloc(MAX(max_columns, 1),
                                               sizeof *cols);
    for (size_t i = 0; i < n; i++) {
        struct storage_table *t = shash_find_data(tables, nodes[i]->name);
        storage_table_name_sides(t, &taken, cols);
        storage_table_name_columns(t, cols);
    }
    free(cols);
    shash_destroy(&taken);
    free(nodes);
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

    struct shash tables = SHASH_INITIALIZER(&tables);
    storage_tables_create(&tables, schema);
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

void
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

/* Reads the _xsw_meta table into '*schemap'. */
static struct ovsdb_error *
storage_read_meta(sqlite3 *db, const char *path,
                  struct ovsdb_schema **schemap)
{
    struct ovsdb_error *error = NULL;
    char *format = NULL, *name = NULL, *schema_text = NULL;
    sqlite3_stmt *stmt = NULL;

    *schemap = NULL;

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
        }
    }
    if (rc != SQLITE_DONE) {
        error = storage_error(path, db, "reading _xsw_meta");
        goto out;
    }

    if (format && !strcmp(format, "1")) {
        /* Format 1 kept sets and maps as JSON text in the row's table. */
        error = storage_error(path, NULL, "xsw database format 1 is not "
                              "supported (this xsw reads format %s, which "
                              "keeps sets and maps in side tables): create "
                              "a new database with xsw-dbserver --create and "
                              "copy the configuration over",
                              STORAGE_FORMAT);
        goto out;
    } else if (format && !strcmp(format, "2")) {
        /* Format 2 had rowid tables with a _uuid index, and wrote the
         * last transaction's id into _xsw_meta with every commit. */
        error = storage_error(path, NULL, "xsw database format 2 is not "
                              "supported (this xsw reads format %s, which "
                              "keys each table by _uuid, WITHOUT ROWID): "
                              "create a new database with xsw-dbserver "
                              "--create and copy the configuration over",
                              STORAGE_FORMAT);
        goto out;
    } else if (!format || (strcmp(format, STORAGE_FORMAT)
                           && strcmp(format, STORAGE_FORMAT_NATURAL))) {
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

/* "file:PATH?immutable=1", with PATH percent-encoded as SQLite's URI
 * filenames require.  The caller frees it. */
static char *
storage_immutable_uri(const char *path)
{
    static const char hex[] = "0123456789ABCDEF";
    size_t len = strlen(path);
    char *uri = xmalloc(len * 3 + sizeof "file:?immutable=1");
    char *p = uri + sprintf(uri, "file:");

    for (const unsigned char *c = (const unsigned char *) path; *c; c++) {
        if (isalnum(*c) || strchr("/._-~", *c)) {
            *p++ = *c;
        } else {
            *p++ = '%';
            *p++ = hex[*c >> 4];
            *p++ = hex[*c & 15];
        }
    }
    strcpy(p, "?immutable=1");
    return uri;
}

/* Opens 'path' with SQLite after checking it is an xsw database.  With
 * 'writable', also locks it against other servers (keeping the lock in
 * '*lock_fdp', to close after the connection) and checks it thoroughly. */
static struct ovsdb_error *
storage_open_sqlite(const char *path, bool writable, sqlite3 **dbp,
                    int *lock_fdp, struct ovsdb_schema **schemap)
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

    /* NOMUTEX: a struct storage is used from one thread (storage.h), and
     * the per-connection mutex cost a lock and unlock on every
     * sqlite3_column_*() call: 13% of loading a large database. */
    int flags = ((writable ? SQLITE_OPEN_READWRITE : SQLITE_OPEN_READONLY)
                 | SQLITE_OPEN_NOMUTEX);
    /* A file this process may not write (mode, ownership, chattr +i) is
     * opened "immutable": in WAL mode SQLite otherwise needs to create the
     * -shm file beside it even to read, which fails in a folder we may not
     * write either.  Nothing of ours can change such a file meanwhile. */
    char *uri = NULL;
    if (access(path, W_OK)) {
        uri = storage_immutable_uri(path);
        flags = SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX;
    }
    int rc = sqlite3_open_v2(uri ? uri : path, &db, flags,
                             storage_vfs_name());
    free(uri);
    if (rc != SQLITE_OK) {
        error = storage_error(path, db, "opening");
        goto error;
    }
    sqlite3_busy_timeout(db, STORAGE_BUSY_TIMEOUT_MS);

    error = storage_read_meta(db, path, schemap);
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
    sqlite3 *db;
    int fd;

    struct ovsdb_error *error = storage_open_sqlite(path, false, &db, &fd,
                                                    schemap);
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

/* Checkpoints. */

static void *
storage_checkpointer_main(void *c_)
{
    struct storage_checkpointer *c = c_;

    pthread_mutex_lock(&c->mutex);
    for (;;) {
        while (!c->requested && !c->exiting) {
            pthread_cond_wait(&c->cond, &c->mutex);
        }
        if (c->exiting) {
            break;
        }
        c->requested = false;
        c->running = true;
        pthread_mutex_unlock(&c->mutex);

        /* PASSIVE: copy what no reader still needs, never waiting for the
         * server's commits or an operator's shell.  A failure (a full disk,
         * say) leaves the frames in the WAL, where they are safe; the next
         * request tries again.  (Copying at once what was committed during
         * the copy, a few times over, did not help the WAL start over
         * sooner under a bulk load: see STORAGE_CHECKPOINT_HARD_PAGES.) */
        sqlite3_wal_checkpoint_v2(c->db, "main", SQLITE_CHECKPOINT_PASSIVE,
                                  NULL, NULL);

        pthread_mutex_lock(&c->mutex);
        c->running = false;
        pthread_cond_broadcast(&c->cond);
    }
    pthread_mutex_unlock(&c->mutex);
    return NULL;
}

/* SQLite calls this after each commit of the server's connection, with the
 * number of pages in the WAL. */
static int
storage_wal_hook(void *st_, sqlite3 *db, const char *name, int n_pages)
{
    struct storage *st = st_;
    struct storage_checkpointer *c = st->checkpointer;

    if (n_pages < c->last_pages) {
        c->next_request = STORAGE_CHECKPOINT_PAGES;   /* It started over. */
    }
    c->last_pages = n_pages;

    if (n_pages >= STORAGE_CHECKPOINT_HARD_PAGES) {
        /* FULL, not PASSIVE, and after the thread's checkpoint: SQLite
         * fails any checkpoint at once with BUSY while another one runs
         * (its busy handler is not called for that lock), so without the
         * wait, commits that outran the thread (a slow or busy disk, a
         * sanitizer build) found it still copying, failed their own
         * checkpoint and grew the WAL past 40 MiB (test-storage, on a
         * loaded machine).  Holding the mutex keeps the thread from
         * starting another one meanwhile.  FULL waits (up to the busy
         * timeout) for readers, then copies every frame, so the next
         * commit starts the WAL over.  This is back-pressure, and rare. */
        pthread_mutex_lock(&c->mutex);
        while (c->running) {
            pthread_cond_wait(&c->cond, &c->mutex);
        }
        sqlite3_wal_checkpoint_v2(db, name, SQLITE_CHECKPOINT_FULL,
                                  NULL, NULL);
        pthread_mutex_unlock(&c->mutex);
    } else if (n_pages >= c->next_request) {
        c->next_request = n_pages + STORAGE_CHECKPOINT_PAGES;
        pthread_mutex_lock(&c->mutex);
        c->requested = true;
        pthread_cond_broadcast(&c->cond);
        pthread_mutex_unlock(&c->mutex);
    }
    return SQLITE_OK;
}

/* Starts the checkpoint thread for 'st', with a connection of its own.  If
 * that is impossible (no threads in this SQLite, say), SQLite checkpoints
 * in the server's thread as it does by default: slower, as safe. */
static void
storage_checkpointer_start(struct storage *st)
{
    sqlite3 *db = NULL;
    if (!sqlite3_threadsafe()
        || sqlite3_open_v2(st->path, &db, (SQLITE_OPEN_READWRITE
                                           | SQLITE_OPEN_NOMUTEX),
                           storage_vfs_name()) != SQLITE_OK) {
        sqlite3_close(db);
        sqlite3_wal_autocheckpoint(st->db, STORAGE_CHECKPOINT_PAGES);
        return;
    }
    sqlite3_exec(db, "PRAGMA synchronous=NORMAL", NULL, NULL, NULL);

    struct storage_checkpointer *c = xzalloc(sizeof *c);
    c->db = db;
    c->next_request = STORAGE_CHECKPOINT_PAGES;
    pthread_mutex_init(&c->mutex, NULL);
    pthread_cond_init(&c->cond, NULL);
    if (pthread_create(&c->thread, NULL, storage_checkpointer_main, c)) {
        pthread_cond_destroy(&c->cond);
        pthread_mutex_destroy(&c->mutex);
        sqlite3_close(db);
        free(c);
        sqlite3_wal_autocheckpoint(st->db, STORAGE_CHECKPOINT_PAGES);
        return;
    }
    /* Named, so that its log lines and top(1) say what it is. */
    pthread_setname_np(c->thread, "xsw-checkpoint");
    st->checkpointer = c;
    sqlite3_wal_hook(st->db, storage_wal_hook, st);
}

static void
storage_checkpointer_stop(struct storage *st)
{
    struct storage_checkpointer *c = st->checkpointer;
    if (!c) {
        return;
    }
    sqlite3_wal_hook(st->db, NULL, NULL);
    pthread_mutex_lock(&c->mutex);
    c->exiting = true;
    pthread_cond_broadcast(&c->cond);
    pthread_mutex_unlock(&c->mutex);
    pthread_join(c->thread, NULL);

    sqlite3_close(c->db);
    pthread_cond_destroy(&c->cond);
    pthread_mutex_destroy(&c->mutex);
    free(c);
    st->checkpointer = NULL;
}

struct ovsdb_error *
storage_open(const char *path, struct storage **stp, struct ovsdb_db **dbp)
{
    struct ovsdb_error *error;
    struct storage *st = xzalloc(sizeof *st);

    *stp = NULL;
    *dbp = NULL;

    st->path = xstrdup(path);
    st->lock_fd = -1;
    shash_init(&st->tables);
    error = storage_open_sqlite(path, true, &st->db, &st->lock_fd,
                                &st->schema);
    if (error) {
        st->lock_fd = -1;
        goto error;
    }
    st->read_only = sqlite3_db_readonly(st->db, "main") == 1;
    if (!st->read_only) {
        /* synchronous=NORMAL in WAL mode: a commit is written to the WAL
         * (surviving a crash of the process) but fsync()ed only at
         * checkpoints; storage_commit_batch() syncs durable batches.
         * temp_store=MEMORY keeps statement journals (SQLite writes one for
         * a statement that may have to be undone alone, inside our
         * savepoints) in memory instead of a temporary file per commit.
         * The page cache holds the pages commits walk through; the
         * server reads from its in-memory copy, but keys are random UUIDs,
         * so a transaction adding 100 ports dirties a leaf page per row in
         * each of four b-trees, about 400 pages.  With a 1 MB cache (250
         * pages) SQLite spilled dirty pages into the WAL in the middle of
         * the transaction, wrote them again at commit and read evicted
         * pages back: loading 10,000 ports took 216 pwrite()s, 272
         * pread()s and 290 page faults per transaction, 668 ms of CPU.
         * An 8 MB cache (the whole 10,000-port file: 3.5 MB) that never
         * spills cut that to 44, 13 and 82, and 385 ms (perf stat, strace,
         * 2026-12-07), for 2.6 MB more RSS after the load; cache_spill=OFF
         * lets a transaction larger than the cache keep its dirty pages
         * until its commit (--max-txn-rows bounds it) rather than write
         * them twice. */
        char *pragmas = xasprintf("PRAGMA journal_mode=WAL; "
                                  "PRAGMA synchronous=NORMAL; "
                                  "PRAGMA temp_store=MEMORY; "
                                  "PRAGMA cache_size=-%d; PRAGMA cache_spill=OFF; "
                                  "PRAGMA journal_size_limit=%d",
                                  STORAGE_CACHE_KIB, STORAGE_WAL_SIZE_LIMIT);
        int rc = storage_exec(st->db, pragmas);
        free(pragmas);
        if (rc != SQLITE_OK) {
            error = storage_error(path, st->db, "configuring");
            goto error;
        }
        storage_checkpointer_start(st);
    }
    storage_tables_create(&st->tables, st->schema);

    error = storage_prepare_statements(st);
    if (!error) {
        error = storage_load_db(st, dbp);
    }
    if (error) {
        goto error;
    }
    (*dbp)->storage = st;
    *stp = st;
    return NULL;

error:
    storage_close(st);
    return error;
}

/* Loading. */

/* Rows of one table being loaded, by UUID, in their 'hmap_node's: they go
 * into the in-memory table only once their side-table columns are filled
 * in, because ovsdb_db_load_row() indexes them by their column values. */
static struct ovsdb_row *
storage_loading_find(const struct hmap *rows, const struct uuid *uuid)
{
    struct ovsdb_row *row;
    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), rows) {
        if (uuid_equals(ovsdb_row_get_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

static void
storage_loading_destroy(struct hmap *rows)
{
    struct ovsdb_row *row;
    HMAP_FOR_EACH_POP (row, hmap_node, rows) {
        ovsdb_row_destroy(row);
    }
    hmap_destroy(rows);
}

/* Reads the row table of 't' into 'rows' (see storage_loading_find()). */
static struct ovsdb_error *
storage_load_rows(struct storage *st, const struct storage_table *t,
                  struct ovsdb_table *table, struct hmap *rows)
{
    struct ovsdb_error *error = NULL;
    struct ds sql = DS_EMPTY_INITIALIZER;
    sqlite3_stmt *stmt;

    ds_put_format(&sql, "SELECT ");
    storage_table_put_columns(&sql, t);
    ds_put_format(&sql, " FROM %s", t->qname);
    int rc = sqlite3_prepare_v2(st->db, ds_cstr(&sql), -1, &stmt, NULL);
    ds_destroy(&sql);
    if (rc != SQLITE_OK) {
        return storage_error(st->path, st->db, "reading table %s",
                             t->schema->name);
    }

    const struct ovsdb_column *version_col
        = t->schema->columns[OVSDB_COL_VERSION];
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        const char *uuid_text = (const char *) sqlite3_column_text(stmt, 0);
        struct uuid uuid;
        if (!uuid_from_string(&uuid, uuid_text)) {
            error = storage_error(st->path, NULL, "table %s: _uuid \"%s\" is "
                                  "not a UUID", t->schema->name,
                                  uuid_text ? uuid_text : "(null)");
            break;
        }

        struct ovsdb_row *row = ovsdb_row_create(table, &uuid);
        /* _version is not stored (see storage.h): a fresh one, as
         * ovsdb-server gives each row it reads from its file. */
        union ovsdb_atom version;
        uuid_generate(&version.uuid);
        storage_datum_set_atom(&row->fields[OVSDB_COL_VERSION],
                               &version_col->type, &version);

        for (size_t k = 0; k < t->n_cols && !error; k++) {
            const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
            error = storage_read_scalar(&row->fields[c->index], &c->type,
                                        stmt, k + 1);
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
        /* SQLite's primary key already ruled out duplicate UUIDs. */
        hmap_insert(rows, &row->hmap_node, uuid_hash(&uuid));
    }
    if (!error && rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "reading table %s",
                              t->schema->name);
    }
    sqlite3_finalize(stmt);
    return error;
}

/* The elements of one row's column, as a side table's rows deliver them. */
struct storage_elems {
    union ovsdb_atom *keys, *values;
    size_t n, allocated;
};

static void
storage_elems_add(struct storage_elems *e, const union ovsdb_atom *key,
                  const union ovsdb_atom *value)
{
    if (e->n >= e->allocated) {
        e->allocated = MAX(8, 2 * e->allocated);
        e->keys = xrealloc(e->keys, e->allocated * sizeof *e->keys);
        if (value) {
            e->values = xrealloc(e->values, e->allocated * sizeof *e->values);
        }
    }
    e->keys[e->n] = *key;
    if (value) {
        e->values[e->n] = *value;
    }
    e->n++;
}

static void
storage_elems_clear(struct storage_elems *e, const struct ovsdb_type *type)
{
    for (size_t i = 0; i < e->n; i++) {
        ovsdb_atom_destroy(&e->keys[i], type->key.type);
        if (e->values) {
            ovsdb_atom_destroy(&e->values[i], type->value.type);
        }
    }
    e->n = 0;
}

/* Makes 'e' the value of 'c' in 'row', emptying 'e'. */
static struct ovsdb_error *
storage_elems_flush(struct storage_elems *e, struct ovsdb_row *row,
                    const struct ovsdb_column *c)
{
    const struct ovsdb_type *type = &c->type;
    struct ovsdb_datum datum = {
        .n = e->n,
        .keys = xmemdup(e->keys, e->n * sizeof *e->keys),
        .values = (e->values
                   ? xmemdup(e->values, e->n * sizeof *e->values) : NULL),
    };
    e->n = 0;

    /* The side table's primary key order is OVSDB's order (SQLite compares
     * text bytewise, as strcmp() does, and our UUID text sorts as the UUID
     * does), so this is one pass; sorting is for values written by hand in
     * a foreign SQL type. */
    struct ovsdb_error *error = NULL;
    for (size_t i = 1; i < datum.n; i++) {
        if (ovsdb_atom_compare_3way(&datum.keys[i - 1], &datum.keys[i],
                                    type->key.type) >= 0) {
            error = ovsdb_datum_sort(&datum, type);
            break;
        }
    }
    if (!error) {
        error = ovsdb_datum_check_constraints(&datum, type);
    }
    if (error) {
        ovsdb_datum_destroy(&datum, type);
        return error;
    }
    ovsdb_datum_destroy(&row->fields[c->index], type);
    row->fields[c->index] = datum;
    return NULL;
}

/* Turns 'inner', about a stored element, into an error naming the file,
 * table, row and column (as storage_read_scalar()'s errors are named). */
static struct ovsdb_error *
storage_side_error(const struct storage *st, const struct storage_table *t,
                   const struct ovsdb_column *c, const char *row_text,
                   struct ovsdb_error *inner)
{
    return storage_error_wrap(st->path, inner, "table %s, row %s, column %s",
                              t->schema->name, row_text, c->name);
}

/* Reads side table 'side' of 't' into the rows in 'rows'.  A row with no
 * elements keeps its column's default (an empty set or map). */
static struct ovsdb_error *
storage_load_side(struct storage *st, const struct storage_table *t,
                  const struct storage_side *side, struct hmap *rows)
{
    const struct ovsdb_column *c = side->column;
    const struct ovsdb_type *type = &c->type;
    bool is_map = storage_side_is_map(side);

    char *sql = xasprintf("SELECT \"_uuid\", \"key\"%s FROM %s "
                          "ORDER BY \"_uuid\", \"key\"",
                          is_map ? ", \"value\"" : "", side->qname);
    sqlite3_stmt *stmt;
    int rc = sqlite3_prepare_v2(st->db, sql, -1, &stmt, NULL);
    free(sql);
    if (rc != SQLITE_OK) {
        return storage_error(st->path, st->db, "reading table %s",
                             side->name);
    }

    struct ovsdb_error *error = NULL;
    struct storage_elems elems = { NULL, NULL, 0, 0 };
    struct ovsdb_row *row = NULL;       /* The row 'elems' belongs to. */
    char row_text[UUID_LEN + 1] = "";   /* Its UUID, as stored. */
    while ((rc = sqlite3_step(stmt)) == SQLITE_ROW) {
        /* A row's elements are adjacent: look the row up once. */
        const char *uuid_text = (const char *) sqlite3_column_text(stmt, 0);
        if (!row || !uuid_text || strcmp(uuid_text, row_text)) {
            if (row) {
                error = storage_elems_flush(&elems, row, c);
                if (error) {
                    error = storage_side_error(st, t, c, row_text, error);
                    break;
                }
            }
            struct uuid uuid;
            if (!uuid_from_string(&uuid, uuid_text)) {
                error = storage_error(st->path, NULL, "table %s: _uuid "
                                      "\"%s\" is not a UUID", side->name,
                                      uuid_text ? uuid_text : "(null)");
                break;
            }
            row = storage_loading_find(rows, &uuid);
            if (!row) {
                error = storage_error(st->path, NULL, "table %s: _uuid %s "
                                      "is not a row of table %s", side->name,
                                      uuid_text, t->schema->name);
                break;
            }
            memcpy(row_text, uuid_text, UUID_LEN + 1);
        }

        union ovsdb_atom key, value;
        error = storage_read_atom(&key, type->key.type, stmt, 1);
        if (!error && is_map) {
            error = storage_read_atom(&value, type->value.type, stmt, 2);
            if (error) {
                ovsdb_atom_destroy(&key, type->key.type);
            }
        }
        if (error) {
            error = storage_side_error(st, t, c, row_text, error);
            break;
        }
        storage_elems_add(&elems, &key, is_map ? &value : NULL);
    }
    if (!error && rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "reading table %s",
                              side->name);
    } else if (!error && row) {
        error = storage_elems_flush(&elems, row, c);
        if (error) {
            error = storage_side_error(st, t, c, row_text, error);
        }
    }
    sqlite3_finalize(stmt);
    storage_elems_clear(&elems, type);
    free(elems.keys);
    free(elems.values);
    return error;
}

static struct ovsdb_error *
storage_load_table(struct storage *st, const struct storage_table *t,
                   struct ovsdb_db *db)
{
    struct ovsdb_table *table = ovsdb_db_get_table(db, t->schema->name);
    struct hmap rows = HMAP_INITIALIZER(&rows);

    struct ovsdb_error *error = storage_load_rows(st, t, table, &rows);
    for (size_t k = 0; k < t->n_sides && !error; k++) {
        error = storage_load_side(st, t, &t->sides[k], &rows);
    }
    if (error) {
        storage_loading_destroy(&rows);
        return error;
    }

    struct ovsdb_row *row;
    HMAP_FOR_EACH_POP (row, hmap_node, &rows) {
        ovsdb_db_load_row(db, row);
    }
    hmap_destroy(&rows);
    return NULL;
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
    /* First, so that the server's connection is the last one and its close
     * checkpoints the whole WAL and deletes it. */
    storage_checkpointer_stop(st);
    storage_tables_destroy(&st->tables);
    sqlite3_stmt *stmts[] = {
        st->begin, st->commit, st->rollback, st->savepoint, st->release,
        st->rollback_to,
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
    st->batch_txns = 0;
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

struct ovsdb_error *
storage_compact(struct storage *st)
{
    if (st->read_only) {
        return ovsdb_error("permission denied", "%s: cannot compact a "
                           "read-only database file", st->path);
    }
    if (st->in_batch) {
        return ovsdb_error("internal error", "%s: cannot compact while a "
                           "batch is open", st->path);
    }
    if (sqlite3_exec(st->db, "VACUUM", NULL, NULL, NULL) != SQLITE_OK) {
        return storage_error(st->path, st->db, "compacting (VACUUM)");
    }
    /* The checkpoint thread may hold the WAL a moment: the busy timeout
     * waits for it. */
    if (sqlite3_exec(st->db, "PRAGMA wal_checkpoint(TRUNCATE)", NULL, NULL,
                     NULL) != SQLITE_OK) {
        return storage_error(st->path, st->db, "compacting (checkpoint)");
    }
    return NULL;
}

/* A row's UUID as text, for error messages. */
struct storage_uuid_text {
    char s[UUID_LEN + 1];
};

static struct storage_uuid_text
storage_uuid_text(const struct ovsdb_row *row)
{
    struct storage_uuid_text text;
    uuid_to_string(ovsdb_row_get_uuid(row), text.s);
    return text;
}

/* Side tables. */

/* Prepares '*stmtp' from 'sql' (which it frees) unless already done. */
static int
storage_prepare_once(struct storage *st, sqlite3_stmt **stmtp, char *sql)
{
    int rc = *stmtp ? SQLITE_OK : storage_prepare(st->db, sql, stmtp);
    free(sql);
    return rc;
}

/* Runs one of 'side''s statements for element 'i' of 'datum' in 'row'.
 * 'stmtp' is side->insert, side->delete or side->update; 'sql' the text to
 * prepare it from on first use (freed here). */
static struct ovsdb_error *
storage_side_step(struct storage *st, const struct storage_side *side,
                  sqlite3_stmt **stmtp, char *sql, const char *what,
                  const struct ovsdb_row *row,
                  const struct ovsdb_datum *datum, size_t i)
{
    const struct ovsdb_type *type = &side->column->type;
    if (storage_prepare_once(st, stmtp, sql) != SQLITE_OK) {
        return storage_error(st->path, st->db, "%s table %s", what,
                             side->name);
    }

    sqlite3_stmt *stmt = *stmtp;
    int rc = storage_bind_uuid(stmt, 1, ovsdb_row_get_uuid(row));
    if (rc == SQLITE_OK) {
        rc = storage_bind_atom(stmt, 2, &datum->keys[i], type->key.type);
    }
    if (rc == SQLITE_OK && stmt != side->delete && datum->values) {
        rc = storage_bind_atom(stmt, 3, &datum->values[i], type->value.type);
    }
    if (rc == SQLITE_OK) {
        rc = storage_step_done(stmt);
    } else {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }

    if (rc != SQLITE_DONE) {
        return storage_error(st->path, st->db, "%s table %s, row %s", what,
                             side->name, storage_uuid_text(row).s);
    }
    /* The file and memory disagree: say so now, not at the next restart. */
    if (stmt != side->insert && sqlite3_changes(st->db) != 1) {
        return storage_error(st->path, NULL, "%s table %s, row %s: no such "
                             "element in the file", what, side->name,
                             storage_uuid_text(row).s);
    }
    return NULL;
}

static struct ovsdb_error *
storage_side_insert(struct storage *st, struct storage_side *side,
                    const struct ovsdb_row *row,
                    const struct ovsdb_datum *datum, size_t i)
{
    char *sql = (side->insert ? NULL
                 : xasprintf("INSERT INTO %s VALUES (?1, ?2%s)", side->qname,
                             storage_side_is_map(side) ? ", ?3" : ""));
    return storage_side_step(st, side, &side->insert, sql, "inserting into",
                             row, datum, i);
}

static struct ovsdb_error *
storage_side_delete(struct storage *st, struct storage_side *side,
                    const struct ovsdb_row *row,
                    const struct ovsdb_datum *datum, size_t i)
{
    char *sql = (side->delete ? NULL
                 : xasprintf("DELETE FROM %s WHERE \"_uuid\" = ?1 "
                             "AND \"key\" = ?2", side->qname));
    return storage_side_step(st, side, &side->delete, sql, "deleting from",
                             row, datum, i);
}

static struct ovsdb_error *
storage_side_update(struct storage *st, struct storage_side *side,
                    const struct ovsdb_row *row,
                    const struct ovsdb_datum *datum, size_t i)
{
    char *sql = (side->update ? NULL
                 : xasprintf("UPDATE %s SET \"value\" = ?3 WHERE "
                             "\"_uuid\" = ?1 AND \"key\" = ?2", side->qname));
    return storage_side_step(st, side, &side->update, sql, "updating",
                             row, datum, i);
}

/* Writes the elements of a new row's column. */
static struct ovsdb_error *
storage_side_insert_all(struct storage *st, struct storage_side *side,
                        const struct ovsdb_row *row)
{
    const struct ovsdb_datum *datum = &row->fields[side->column->index];
    struct ovsdb_error *error = NULL;
    for (size_t i = 0; i < datum->n && !error; i++) {
        error = storage_side_insert(st, side, row, datum, i);
    }
    return error;
}

/* ovsdb_atom_equals(), inlined: the merge below calls it for every
 * element of a large set, and a function call with a switch per element
 * cost as much as the rest of the write. */
static inline bool
storage_atom_equals(const union ovsdb_atom *a, const union ovsdb_atom *b,
                    enum ovsdb_atomic_type type)
{
    switch (type) {
    case OVSDB_TYPE_UUID:
        return !memcmp(&a->uuid, &b->uuid, sizeof a->uuid);
    case OVSDB_TYPE_INTEGER:
        return a->integer == b->integer;
    case OVSDB_TYPE_REAL:
        return a->real == b->real;
    case OVSDB_TYPE_BOOLEAN:
        return a->boolean == b->boolean;
    case OVSDB_TYPE_STRING:
        return a->string == b->string || !strcmp(a->string, b->string);
    case OVSDB_TYPE_VOID:
    case OVSDB_N_TYPES:
    default:
        return true;
    }
}

/* True if element 'i' of 'a' and element 'j' of 'b' (datums of 'type')
 * are the same key with the same value. */
static inline bool
storage_elem_equals(const struct ovsdb_datum *a, size_t i,
                    const struct ovsdb_datum *b, size_t j,
                    const struct ovsdb_type *type)
{
    return (storage_atom_equals(&a->keys[i], &b->keys[j], type->key.type)
            && (!a->values
                || storage_atom_equals(&a->values[i], &b->values[j],
                                       type->value.type)));
}

/* The number of leading elements 'a' and 'b' (of 'type') have in common.
 * For a set of UUIDs, the common case of a large set (Bridge ports, Port
 * interfaces), whole blocks are compared with memcmp(), which is vectorized:
 * the 16 bytes of a UUID atom are all of its value (other atoms have
 * unspecified padding, so they are compared one by one). */
static size_t
storage_common_head(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                    const struct ovsdb_type *type)
{
    enum { BLOCK = 64 };
    size_t n = MIN(a->n, b->n);
    size_t i = 0;
    if (type->key.type == OVSDB_TYPE_UUID && !a->values) {
        while (i + BLOCK <= n
               && !memcmp(&a->keys[i], &b->keys[i], BLOCK * sizeof *a->keys)) {
            i += BLOCK;
        }
    }
    while (i < n && storage_elem_equals(a, i, b, i, type)) {
        i++;
    }
    return i;
}

/* The number of trailing elements 'a' and 'b' (of 'type') have in common,
 * not counting their first 'head' elements. */
static size_t
storage_common_tail(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                    const struct ovsdb_type *type, size_t head)
{
    enum { BLOCK = 64 };
    size_t n = MIN(a->n, b->n) - head;
    size_t k = 0;
    if (type->key.type == OVSDB_TYPE_UUID && !a->values) {
        while (k + BLOCK <= n
               && !memcmp(&a->keys[a->n - k - BLOCK],
                          &b->keys[b->n - k - BLOCK],
                          BLOCK * sizeof *a->keys)) {
            k += BLOCK;
        }
    }
    while (k < n && storage_elem_equals(a, a->n - k - 1, b, b->n - k - 1,
                                        type)) {
        k++;
    }
    return k;
}

/* Writes the difference between 'old' and 'new''s values of a column: both
 * datums are sorted, so one merge pass finds the removed keys, the added
 * ones and (for a map) the keys whose value changed.  This is what makes a
 * mutate that adds one port to a large bridge cost one INSERT.  A mutate
 * changes a few elements, so the common head and tail are skipped first,
 * with equality tests that cost a fraction of the merge's ordered
 * comparisons. */
static struct ovsdb_error *
storage_side_update_all(struct storage *st, struct storage_side *side,
                        const struct ovsdb_row *old,
                        const struct ovsdb_row *new)
{
    const struct ovsdb_type *type = &side->column->type;
    const struct ovsdb_datum *a = &old->fields[side->column->index];
    const struct ovsdb_datum *b = &new->fields[side->column->index];
    struct ovsdb_error *error = NULL;

    /* Copy-on-write datums share their arrays until one is written: the
     * same arrays are the same elements, with nothing to compare. */
    if (a->n == b->n && a->keys == b->keys && a->values == b->values) {
        return NULL;
    }

    size_t head = storage_common_head(a, b, type);
    size_t tail = storage_common_tail(a, b, type, head);
    size_t a_end = a->n - tail, b_end = b->n - tail;

    size_t i = head, j = head;
    while ((i < a_end || j < b_end) && !error) {
        int cmp = (i >= a_end ? 1
                   : j >= b_end ? -1
                   : ovsdb_atom_compare_3way(&a->keys[i], &b->keys[j],
                                             type->key.type));
        if (cmp < 0) {
            error = storage_side_delete(st, side, new, a, i++);
        } else if (cmp > 0) {
            error = storage_side_insert(st, side, new, b, j++);
        } else {
            if (a->values && !ovsdb_atom_equals(&a->values[i], &b->values[j],
                                                type->value.type)) {
                error = storage_side_update(st, side, new, b, j);
            }
            i++;
            j++;
        }
    }
    return error;
}

/* Rows. */

static int
storage_bind_row(sqlite3_stmt *stmt, const struct storage_table *t,
                 const struct ovsdb_row *row)
{
    int rc = storage_bind_uuid(stmt, 1, ovsdb_row_get_uuid(row));
    for (size_t k = 0; k < t->n_cols && rc == SQLITE_OK; k++) {
        const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
        rc = storage_bind_atom(stmt, k + 2, &row->fields[c->index].keys[0],
                               c->type.key.type);
    }
    return rc;
}

static struct ovsdb_error *
storage_insert_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_row *row)
{
    if (!t->insert) {
        struct ds sql = DS_EMPTY_INITIALIZER;
        ds_put_format(&sql, "INSERT INTO %s (", t->qname);
        storage_table_put_columns(&sql, t);
        ds_put_format(&sql, ") VALUES (?1");
        for (size_t k = 0; k < t->n_cols; k++) {
            ds_put_format(&sql, ", ?%zu", k + 2);
        }
        ds_put_format(&sql, ")");
        int rc = storage_prepare(st->db, ds_cstr(&sql), &t->insert);
        ds_destroy(&sql);
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
        return storage_error(st->path, st->db, "inserting row %s into table "
                             "%s", storage_uuid_text(row).s,
                             t->schema->name);
    }

    struct ovsdb_error *error = NULL;
    for (size_t k = 0; k < t->n_sides && !error; k++) {
        error = storage_side_insert_all(st, &t->sides[k], row);
    }
    return error;
}

/* Deletes 'row' and, through the table's trigger, its elements. */
static struct ovsdb_error *
storage_delete_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_row *row)
{
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
    storage_bind_uuid(t->delete, 1, ovsdb_row_get_uuid(row));
    if (storage_step_done(t->delete) != SQLITE_DONE) {
        return storage_error(st->path, st->db, "deleting row %s from table "
                             "%s", storage_uuid_text(row).s,
                             t->schema->name);
    }
    /* The file and memory disagree: say so now, not at the next restart.
     * (sqlite3_changes() does not count the trigger's deletes.) */
    if (sqlite3_changes(st->db) != 1) {
        return storage_error(st->path, NULL, "deleting row %s from table %s: "
                             "no such row in the file",
                             storage_uuid_text(row).s, t->schema->name);
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
    struct ds sql = DS_EMPTY_INITIALIZER;
    int param = 1;
    ds_put_format(&sql, "UPDATE %s SET ", t->qname);
    for (size_t k = 0; k < t->n_cols; k++) {
        if (mask[k / BITS_PER_WORD] & (1UL << (k % BITS_PER_WORD))) {
            if (param > 1) {
                ds_put_format(&sql, ", ");
            }
            ds_put_format(&sql, "%s = ?%d", t->col_qnames[k], ++param);
        }
    }
    ds_put_format(&sql, " WHERE \"_uuid\" = ?1");
    int rc = storage_prepare(st->db, ds_cstr(&sql), stmtp);
    ds_destroy(&sql);
    return rc;
}

/* Updates the scalar columns that changed (at least one) in the row
 * table. */
static struct ovsdb_error *
storage_update_scalars(struct storage *st, struct storage_table *t,
                       const struct ovsdb_txn_row *r)
{
    unsigned long *mask = xcalloc(t->n_words, sizeof *mask);
    for (size_t k = 0; k < t->n_cols; k++) {
        if (ovsdb_txn_row_column_changed(r, t->cols[k])) {
            mask[k / BITS_PER_WORD] |= 1UL << (k % BITS_PER_WORD);
        }
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
    int param = 1;
    for (size_t k = 0; k < t->n_cols && rc == SQLITE_OK; k++) {
        if (ovsdb_txn_row_column_changed(r, t->cols[k])) {
            const struct ovsdb_column *c = t->schema->columns[t->cols[k]];
            rc = storage_bind_atom(stmt, ++param,
                                   &row->fields[c->index].keys[0],
                                   c->type.key.type);
        }
    }
    if (rc == SQLITE_OK) {
        rc = storage_step_done(stmt);
    } else {
        sqlite3_reset(stmt);
        sqlite3_clear_bindings(stmt);
    }

    struct ovsdb_error *error = NULL;
    if (rc != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "updating row %s in table %s",
                              storage_uuid_text(row).s, t->schema->name);
    } else if (sqlite3_changes(st->db) != 1) {
        error = storage_error(st->path, NULL, "updating row %s in table %s: "
                              "no such row in the file",
                              storage_uuid_text(row).s, t->schema->name);
    }
    if (!u) {
        sqlite3_finalize(stmt);
    }
    free(mask);
    return error;
}

static struct ovsdb_error *
storage_update_row(struct storage *st, struct storage_table *t,
                   const struct ovsdb_txn_row *r)
{
    /* Only the tables of the columns that changed are written: adding a
     * port to a bridge writes Bridge_ports, not the Bridge row (_version,
     * which always changes, is not stored), and a change to ephemeral
     * columns only writes nothing. */
    bool scalars = false;
    for (size_t k = 0; k < t->n_cols && !scalars; k++) {
        scalars = ovsdb_txn_row_column_changed(r, t->cols[k]);
    }
    struct ovsdb_error *error = (scalars ? storage_update_scalars(st, t, r)
                                 : NULL);
    for (size_t k = 0; k < t->n_sides && !error; k++) {
        struct storage_side *side = &t->sides[k];
        if (ovsdb_txn_row_column_changed(r, side->column->index)) {
            error = storage_side_update_all(st, side, r->old, r->new);
        }
    }
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

/* A failed first transaction of a batch, written without a savepoint:
 * rolls the SQLite transaction back, which holds nothing else, and starts
 * it again for the rest of the batch. */
static struct ovsdb_error *
storage_restart_batch(struct storage *st, struct ovsdb_error *error)
{
    if (!sqlite3_get_autocommit(st->db)) {
        storage_step_done(st->rollback);
    }
    if (storage_step_done(st->begin) != SQLITE_DONE) {
        /* The batch cannot go on: its later txns fail, and so does its
         * commit, as after any batch rolled back. */
        st->batch_lost = true;
    }
    return error;
}

/* Writes 'txn' into the open batch.  Each transaction but the batch's first
 * is written inside a SAVEPOINT, so that one that fails is undone alone;
 * the first needs none (two statements fewer for a lone transaction, the
 * usual batch of a serial client): the batch holds nothing else, so if it
 * fails, rolling the whole SQLite transaction back undoes it alone. */
static struct ovsdb_error *
storage_write_txn__(struct storage *st, const struct ovsdb_txn *txn)
{
    bool first = !st->batch_txns++;
    if (!first && storage_step_done(st->savepoint) != SQLITE_DONE) {
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
    if (!error && !first && storage_step_done(st->release) != SQLITE_DONE) {
        error = storage_error(st->path, st->db, "writing transaction");
    }
    if (!error) {
        st->batch_durable |= txn->durable;
        return NULL;
    }

    if (first) {
        st->batch_txns = 0;
        return storage_restart_batch(st, error);
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
