/* backend.c: choosing a backend by its spec, and the calls through its
 * class.  See backend.h. */
#include <config.h>
#include "backend.h"

#include <string.h>

#include "ovsdb-error.h"
#include "util.h"

/* The class for 'storage' and, in '*locationp', what it names. */
static struct ovsdb_error *
backend_class_for(const char *storage, const struct backend_class **classp,
                  const char **locationp)
{
    *locationp = NULL;
    *classp = NULL;
    if (!storage) {
        *classp = &sqlite_backend_class;
    } else if (!strncmp(storage, "etcd:", 5)) {
        *locationp = storage + 5;
        *classp = &etcd_backend_class;
    } else {
        return ovsdb_error("I/O error", "--storage=%s: unknown storage "
                           "(expected etcd:URL[,URL...])", storage);
    }
    return NULL;
}

struct ovsdb_error *
backend_create(const char *storage, const char *name,
               const struct ovsdb_schema *schema)
{
    const struct backend_class *class;
    const char *location;
    struct ovsdb_error *error = backend_class_for(storage, &class, &location);

    return error ? error : class->create(location, name, schema);
}

struct ovsdb_error *
backend_open(const char *storage, const char *name, struct backend **bp,
             struct ovsdb_db **dbp)
{
    const struct backend_class *class;
    const char *location;
    struct ovsdb_error *error = backend_class_for(storage, &class, &location);

    if (!error) {
        error = class->open(location, name, bp, dbp);
    }
    if (error) {
        *bp = NULL;
        *dbp = NULL;
    }
    return error;
}

void
backend_close(struct backend *b)
{
    if (b) {
        b->class->close(b);
    }
}

const char *
backend_get_name(const struct backend *b)
{
    return b->name;
}

struct ovsdb_error *
backend_load_db(struct backend *b, struct ovsdb_db **dbp)
{
    return b->class->load_db(b, dbp);
}

struct ovsdb_error *
backend_begin_batch(struct backend *b)
{
    return b->class->begin_batch(b);
}

struct ovsdb_error *
backend_write_txn(struct backend *b, const struct ovsdb_txn *txn)
{
    return b->class->write_txn(b, txn);
}

struct ovsdb_error *
backend_commit_batch(struct backend *b, bool durable)
{
    b->conflict = false;
    return b->class->commit_batch(b, durable);
}

bool
backend_commit_conflicted(const struct backend *b)
{
    return b->conflict;
}

struct ovsdb_error *
backend_compact(struct backend *b, const struct ovsdb_db *db)
{
    return b->class->compact(b, db);
}

bool
backend_should_compact(const struct backend *b)
{
    return b->class->should_compact && b->class->should_compact(b);
}

struct ovsdb_error *
backend_convert(struct backend *b, const struct ovsdb_db *db,
                const struct ovsdb_schema *schema, struct ovsdb_db **loadedp)
{
    b->conflict = false;
    struct ovsdb_error *error = b->class->convert(b, db, schema, loadedp);

    if (error) {
        *loadedp = NULL;
    }
    return error;
}

void
backend_get_status(const struct backend *b, struct backend_status *status)
{
    memset(status, 0, sizeof *status);
    b->class->get_status(b, status);
}

int64_t
backend_get_size(const struct backend *b)
{
    return b->class->get_size ? b->class->get_size(b) : -1;
}

bool
backend_get_txn_id(const struct backend *b, struct uuid *id)
{
    return b->class->get_txn_id && b->class->get_txn_id(b, id);
}

struct ovsdb_error *
backend_load_at(struct backend *b, const struct ovsdb_db *db,
                const struct uuid *txn_id, struct ovsdb_db **thenp)
{
    *thenp = NULL;
    return b->class->load_at ? b->class->load_at(b, db, txn_id, thenp)
                             : NULL;
}

void
backend_watch(struct backend *b, uv_loop_t *loop,
              void (*changed)(void *aux), void *aux)
{
    if (b->class->watch) {
        b->class->watch(b, loop, changed, aux);
    }
}

struct ovsdb_error *
backend_catch_up(struct backend *b, struct ovsdb_db *db,
                 void (*apply)(void *aux, struct ovsdb_txn *), void *aux)
{
    return b->class->catch_up ? b->class->catch_up(b, db, apply, aux) : NULL;
}

void
backend_sync(struct backend *b)
{
    if (b->class->sync) {
        b->class->sync(b);
    }
}

struct ovsdb_error *
backend_locks_open(const char *storage, uv_loop_t *loop,
                   void (*changed)(void *aux), void *aux,
                   struct backend_locks **locksp)
{
    const struct backend_class *class;
    const char *location;
    struct ovsdb_error *error = backend_class_for(storage, &class, &location);

    *locksp = NULL;
    if (!error && class->locks_open) {
        error = class->locks_open(location, loop, changed, aux, locksp);
    }
    return error;
}
