/* backend-sqlite.c: the SQLite file of storage.h as a backend (backend.h).
 *
 * Everything about the file (layout, batches, durability, failures) is
 * storage.h's; this module adds what only a server needs: converting the
 * served file in place (convert.h's copy renamed over it, then reopened)
 * and what _Server says about it ("standalone"). */
#include <config.h>
#include "backend.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "convert.h"
#include "db.h"
#include "ovsdb-error.h"
#include "storage.h"
#include "util.h"

struct sqlite_backend {
    struct backend up;
    struct storage *st;         /* Owned. */
};

static struct sqlite_backend *
sqlite_backend_cast(const struct backend *b)
{
    return CONTAINER_OF(b, struct sqlite_backend, up);
}

static struct ovsdb_error *
sqlite_backend_create(const char *location OVS_UNUSED, const char *path,
                      const struct ovsdb_schema *schema)
{
    return storage_create(path, schema);
}

static struct ovsdb_error *
sqlite_backend_open(const char *location OVS_UNUSED, const char *path,
                    struct backend **bp, struct ovsdb_db **dbp)
{
    struct storage *st;
    struct ovsdb_error *error = storage_open(path, &st, dbp);

    if (error) {
        return error;
    }
    struct sqlite_backend *sb = xzalloc(sizeof *sb);
    sb->up.class = &sqlite_backend_class;
    sb->up.name = xstrdup(path);
    sb->st = st;
    *bp = &sb->up;
    return NULL;
}

static void
sqlite_backend_close(struct backend *b)
{
    struct sqlite_backend *sb = sqlite_backend_cast(b);

    storage_close(sb->st);
    free(sb->up.name);
    free(sb);
}

static struct ovsdb_error *
sqlite_backend_load_db(struct backend *b, struct ovsdb_db **dbp)
{
    struct sqlite_backend *sb = sqlite_backend_cast(b);
    struct ovsdb_error *error = storage_load_db(sb->st, dbp);

    if (!error) {
        (*dbp)->storage = sb->st;
    }
    return error;
}

static struct ovsdb_error *
sqlite_backend_begin_batch(struct backend *b)
{
    return storage_begin_batch(sqlite_backend_cast(b)->st);
}

static struct ovsdb_error *
sqlite_backend_write_txn(struct backend *b, const struct ovsdb_txn *txn)
{
    return storage_write_txn(sqlite_backend_cast(b)->st, txn);
}

static struct ovsdb_error *
sqlite_backend_commit_batch(struct backend *b, bool durable)
{
    return storage_commit_batch(sqlite_backend_cast(b)->st, durable);
}

static struct ovsdb_error *
sqlite_backend_compact(struct backend *b,
                       const struct ovsdb_db *db OVS_UNUSED)
{
    return storage_compact(sqlite_backend_cast(b)->st);
}

/* On disk first: a converted copy beside the file, renamed over it (a
 * symlink stays one: the file it points to is replaced), then reopened. */
static struct ovsdb_error *
sqlite_backend_convert(struct backend *b, const struct ovsdb_db *db,
                       const struct ovsdb_schema *schema,
                       struct ovsdb_db **loadedp)
{
    struct sqlite_backend *sb = sqlite_backend_cast(b);
    struct ovsdb_error *error;

    *loadedp = NULL;
    if (storage_is_read_only(sb->st)) {
        return ovsdb_error("I/O error", "%s: the server may only read this "
                           "file", sb->up.name);
    }
    char *path = realpath(sb->up.name, NULL);
    if (!path) {
        return ovsdb_error("I/O error", "%s: resolving: %s",
                           sb->up.name, strerror(errno));
    }
    char *tmp = db_file_temp_name(path);
    error = db_file_write(tmp, db, schema);
    if (!error) {
        struct ovsdb_db *loaded;

        storage_close(sb->st);
        error = db_file_replace(tmp, path);
        unlink(tmp);
        /* Either way the file at 'path' is whole: the old database if the
         * rename failed, the converted one otherwise. */
        struct ovsdb_error *open_error = storage_open(path, &sb->st, &loaded);
        if (open_error) {
            xsw_fatal("%s: cannot reopen after converting: %s", path,
                      ovsdb_error_to_string(open_error));
        }
        if (error) {
            ovsdb_db_destroy(loaded);
        } else {
            *loadedp = loaded;
        }
    }
    free(tmp);
    free(path);
    return error;
}

static void
sqlite_backend_get_status(const struct backend *b OVS_UNUSED,
                          struct backend_status *status)
{
    status->model = "standalone";
    status->connected = true;
    status->leader = true;
}

/* The file and its write-ahead log, which holds the latest commits until
 * a checkpoint (up to 32 MiB, see storage.h). */
static int64_t
sqlite_backend_get_size(const struct backend *b)
{
    const char *path = storage_get_path(sqlite_backend_cast(b)->st);
    char *wal = xasprintf("%s-wal", path);
    struct stat st;
    int64_t size = -1;

    if (!stat(path, &st)) {
        size = st.st_size;
        if (!stat(wal, &st)) {
            size += st.st_size;
        }
    }
    free(wal);
    return size;
}

const struct backend_class sqlite_backend_class = {
    .name = "sqlite",
    .create = sqlite_backend_create,
    .open = sqlite_backend_open,
    .close = sqlite_backend_close,
    .load_db = sqlite_backend_load_db,
    .begin_batch = sqlite_backend_begin_batch,
    .write_txn = sqlite_backend_write_txn,
    .commit_batch = sqlite_backend_commit_batch,
    .compact = sqlite_backend_compact,
    .convert = sqlite_backend_convert,
    .get_status = sqlite_backend_get_status,
    .get_size = sqlite_backend_get_size,
};
