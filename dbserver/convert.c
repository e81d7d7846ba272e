/* convert.c: see convert.h. */
#include <config.h>
#include "convert.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <libgen.h>

#include "db.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"
#include "storage.h"
#include "util.h"

/* How one column of a source table reaches the destination table. */
struct column_map {
    const struct ovsdb_column *src, *dst;
    bool same_type;             /* Copy the datum as it is. */
};

static bool
types_equal(const struct ovsdb_type *a, const struct ovsdb_type *b)
{
    json_t *ja = ovsdb_type_to_json(a);
    json_t *jb = ovsdb_type_to_json(b);
    bool equal = json_equal(ja, jb);

    json_decref(ja);
    json_decref(jb);
    return equal;
}

/* Converts the value of 'map->src' in 'src_row' into 'dst_row'. */
static struct ovsdb_error *
convert_datum(const struct column_map *map, const struct ovsdb_row *src_row,
              struct ovsdb_row *dst_row)
{
    const struct ovsdb_datum *from = &src_row->fields[map->src->index];
    struct ovsdb_datum *to = &dst_row->fields[map->dst->index];
    struct ovsdb_datum converted;
    struct ovsdb_error *error;

    if (map->same_type) {
        ovsdb_datum_destroy(to, &map->dst->type);
        ovsdb_datum_clone(to, from, &map->dst->type);
        return NULL;
    }
    /* Through JSON, as Open vSwitch's ovsdb_datum_convert() does: the same
     * rules decide what fits, so both servers refuse the same data. */
    json_t *json = ovsdb_datum_to_json(from, &map->src->type);
    error = ovsdb_datum_from_json(&converted, &map->dst->type, json, NULL);
    json_decref(json);
    if (error) {
        char uuid[UUID_LEN + 1];
        uuid_to_string(ovsdb_row_get_uuid(src_row), uuid);
        return ovsdb_error_wrap(error, "converting column %s of row %s in "
                                "table %s", map->src->name, uuid,
                                src_row->table->schema->name);
    }
    ovsdb_datum_destroy(to, &map->dst->type);
    *to = converted;
    return NULL;
}

/* Inserts into 'txn' a converted copy of every row of 'src' into 'dst'. */
static struct ovsdb_error *
convert_table(struct ovsdb_txn *txn, const struct ovsdb_table *src,
              struct ovsdb_table *dst)
{
    const struct ovsdb_table_schema *ss = src->schema;
    struct column_map *maps = xcalloc(ss->n_columns, sizeof *maps);
    struct ovsdb_error *error = NULL;
    size_t n_maps = 0;

    for (unsigned int i = 0; i < ss->n_columns; i++) {
        const struct ovsdb_column *sc = ss->columns[i];
        const struct ovsdb_column *dc;
        if (sc->index == OVSDB_COL_UUID || sc->index == OVSDB_COL_VERSION) {
            continue;
        }
        dc = ovsdb_table_schema_get_column(dst->schema, sc->name);
        if (dc) {
            maps[n_maps].src = sc;
            maps[n_maps].dst = dc;
            maps[n_maps].same_type = types_equal(&sc->type, &dc->type);
            n_maps++;
        }
    }

    const struct ovsdb_row *row;
    HMAP_FOR_EACH (row, hmap_node, &src->rows) {
        struct ovsdb_row *copy = ovsdb_row_create(dst,
                                                  ovsdb_row_get_uuid(row));
        for (size_t i = 0; i < n_maps && !error; i++) {
            error = convert_datum(&maps[i], row, copy);
        }
        if (error) {
            ovsdb_row_destroy(copy);
            break;
        }
        ovsdb_txn_row_insert(txn, copy);
    }
    free(maps);
    return error;
}

/* Fills 'dst', an empty database, with 'src''s rows, in one transaction
 * that is precommitted (checked) and then committed, or aborted. */
static struct ovsdb_error *
convert_into(const struct ovsdb_db *src, struct ovsdb_db *dst,
             struct storage *storage)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(dst);
    struct ovsdb_error *error = NULL;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &src->tables) {
        struct ovsdb_table *dst_table = ovsdb_db_get_table(dst, node->name);
        if (dst_table) {
            error = convert_table(txn, node->data, dst_table);
            if (error) {
                break;
            }
        }
    }
    if (!error) {
        error = ovsdb_txn_precommit(txn);
    }
    if (!error && storage) {
        txn->durable = true;
        error = storage_write_txn(storage, txn);
    }
    if (error) {
        ovsdb_txn_abort(txn);
        return error;
    }
    ovsdb_txn_commit(txn);
    return NULL;
}

struct ovsdb_error *
ovsdb_convert(const struct ovsdb_db *src, const struct ovsdb_schema *schema,
              struct ovsdb_db **dstp)
{
    struct ovsdb_db *dst = ovsdb_db_create(ovsdb_schema_clone(schema));
    struct ovsdb_error *error = convert_into(src, dst, NULL);

    if (error) {
        ovsdb_db_destroy(dst);
        dst = NULL;
    }
    *dstp = dst;
    return error;
}

static bool
file_exists(const char *path)
{
    struct stat s;
    return !lstat(path, &s);
}

static struct ovsdb_error *
file_error(const char *path, const char *what, int err)
{
    return ovsdb_error("I/O error", "%s: %s: %s", path, what, strerror(err));
}

static struct ovsdb_error *
fsync_path(const char *path, bool dir)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC | (dir ? O_DIRECTORY : 0));
    int err = 0;

    if (fd < 0 || fsync(fd)) {
        err = errno;
    }
    if (fd >= 0) {
        close(fd);
    }
    return err ? file_error(path, "syncing", err) : NULL;
}

static struct ovsdb_error *
fsync_parent_dir(const char *path)
{
    char *copy = xstrdup(path);
    struct ovsdb_error *error = fsync_path(dirname(copy), true);

    free(copy);
    return error;
}

struct ovsdb_error *
db_file_write(const char *path, const struct ovsdb_db *db,
              const struct ovsdb_schema *schema)
{
    struct ovsdb_error *error;
    struct storage *st;
    struct ovsdb_db *file_db;

    if (file_exists(path)) {
        return ovsdb_error("I/O error", "%s: already exists; refusing to "
                           "overwrite it", path);
    }

    /* storage_create() makes an empty database atomically, but filling it
     * is a second step: do both under a name of our own, so that 'path'
     * appears only once it is complete.  The process id makes the name
     * ours; a file of that name is the leftover of a dead process. */
    char *tmp = xasprintf("%s.tmp-fill.%ld", path, (long) getpid());
    storage_unlink_with_sidecars(tmp);
    error = storage_create(tmp, schema ? schema : db->schema);
    if (error) {
        goto out;
    }
    error = storage_open(tmp, &st, &file_db);
    if (error) {
        goto out;
    }
    error = convert_into(db, file_db, st);
    ovsdb_db_destroy(file_db);
    /* The last connection's close checkpoints the WAL into the file and
     * deletes the WAL. */
    storage_close(st);
    if (error) {
        goto out;
    }
    char *wal = xasprintf("%s-wal", tmp);
    bool wal_remains = file_exists(wal);
    free(wal);
    if (wal_remains) {
        error = ovsdb_error("I/O error", "%s: its write-ahead log remained "
                            "after closing it", tmp);
        goto out;
    }
    error = fsync_path(tmp, false);
    if (!error && link(tmp, path)) {
        error = (errno == EEXIST
                 ? ovsdb_error("I/O error", "%s: already exists; refusing "
                               "to overwrite it", path)
                 : file_error(path, "linking the new file into place",
                              errno));
    }
    if (!error) {
        error = fsync_parent_dir(path);
    }

out:
    storage_unlink_with_sidecars(tmp);
    free(tmp);
    return error;
}

char *
db_file_temp_name(const char *path)
{
    return xasprintf("%s.tmp-convert.%ld", path, (long) getpid());
}

struct ovsdb_error *
db_file_replace(const char *new_path, const char *path)
{
    char *wal = xasprintf("%s-wal", path);
    bool stale_wal = file_exists(wal);

    free(wal);
    if (stale_wal) {
        return ovsdb_error("I/O error", "%s: a write-ahead log %s-wal is "
                           "still there: is the database open elsewhere?",
                           path, path);
    }
    /* The converted file takes the old one's place, and its access: the
     * new file was created owner-only, but operators may have given the
     * database to a group (ovs-ctl's --ovs-user) or a reader. */
    struct stat old;
    if (!stat(path, &old)) {
        if (chmod(new_path, old.st_mode & 07777)) {
            return file_error(new_path, "setting its mode", errno);
        }
        if (chown(new_path, old.st_uid, old.st_gid) && errno != EPERM) {
            return file_error(new_path, "setting its owner", errno);
        }
    }
    if (rename(new_path, path)) {
        return file_error(path, "replacing it with the converted copy",
                          errno);
    }
    return fsync_parent_dir(path);
}

struct ovsdb_error *
db_file_convert(const char *path, const struct ovsdb_schema *schema)
{
    struct ovsdb_error *error;
    struct storage *st;
    struct ovsdb_db *db;

    /* A symlink stays a symlink: convert the file it points to (and build
     * the copy beside that, so that rename() stays in one file system). */
    char *real_path = realpath(path, NULL);
    if (!real_path) {
        return file_error(path, "resolving", errno);
    }
    path = real_path;

    /* Opening takes the file's lock: nobody writes it while we copy. */
    error = storage_open(path, &st, &db);
    if (error) {
        free(real_path);
        return error;
    }
    if (storage_is_read_only(st)) {
        error = ovsdb_error("I/O error", "%s: cannot convert a file this "
                            "process may not write", path);
        goto out;
    }
    char *tmp = db_file_temp_name(path);
    storage_unlink_with_sidecars(tmp);
    error = db_file_write(tmp, db, schema);
    if (!error) {
        ovsdb_db_destroy(db);
        db = NULL;
        storage_close(st);
        st = NULL;
        error = db_file_replace(tmp, path);
    }
    storage_unlink_with_sidecars(tmp);
    free(tmp);

out:
    if (db) {
        ovsdb_db_destroy(db);
    }
    storage_close(st);
    free(real_path);
    return error;
}
