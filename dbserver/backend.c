/* backend.c: choosing a backend by its spec, and the calls through its
 * class.  See backend.h. */
#include <config.h>
#include "backend.h"

#include <string.h>

#include "ovsdb-error.h"
#include "util.h"

/* The class for 'spec' and, in '*locationp', what it names. */
static const struct backend_class *
backend_class_for(const char *spec, const char **locationp)
{
#ifdef HAVE_ETCD_BACKEND
    if (!strncmp(spec, "etcd:", 5)) {
        *locationp = spec + 5;
        return &etcd_backend_class;
    }
#endif
    *locationp = spec;
    return &sqlite_backend_class;
}

struct ovsdb_error *
backend_open(const char *spec, struct backend **bp, struct ovsdb_db **dbp)
{
    const char *location;
    const struct backend_class *class = backend_class_for(spec, &location);
    struct ovsdb_error *error = class->open(location, bp, dbp);

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
    return b->class->commit_batch(b, durable);
}

struct ovsdb_error *
backend_compact(struct backend *b)
{
    return b->class->compact(b);
}

struct ovsdb_error *
backend_convert(struct backend *b, const struct ovsdb_db *db,
                const struct ovsdb_schema *schema, struct ovsdb_db **loadedp)
{
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
