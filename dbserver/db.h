/* db.h: xsw-dbserver's in-memory database and its transactions.
 *
 * The whole database lives in memory (conditions, monitors and referential
 * integrity need it); SQLite (storage.h) is the durable copy.  A database
 * change goes through these steps, all on the server's single libuv thread:
 *
 *   txn = ovsdb_txn_create(db);
 *   ovsdb_execute(...)            -> ops insert/modify/delete rows in 'txn'
 *                                    (transact.h); any error: ovsdb_txn_abort
 *   ovsdb_txn_precommit(txn)      -> garbage-collects unreferenced non-root
 *                                    rows, drops dangling weak references,
 *                                    checks strong references, indexes,
 *                                    maxRows and constraints, computes each
 *                                    row's changed-column bitmap; any error:
 *                                    ovsdb_txn_abort (nothing has changed)
 *   storage_write_txn(st, txn)    -> the durable copy (storage.h)
 *   monitors see the txn          -> monitor.h, reading old/new rows
 *   ovsdb_txn_commit(txn)         -> the new rows replace the old ones in
 *                                    the tables; the txn is freed
 *
 * Until ovsdb_txn_commit() the tables hold only committed rows, so a reader
 * that is not part of the transaction never sees it half done. */
#ifndef XSW_DB_H
#define XSW_DB_H 1

#include <stdbool.h>
#include <stddef.h>
#include "hmap.h"
#include "list.h"
#include "ovsdb-data.h"
#include "ovsdb-schema.h"
#include "shash.h"
#include "uuid.h"

struct ovsdb_error;
struct ovsdb_txn_row;

/* A row.  'fields' is indexed by column index; fields[OVSDB_COL_UUID] holds
 * the row's UUID, fields[OVSDB_COL_VERSION] a UUID that changes whenever the
 * row does. */
struct ovsdb_row {
    struct hmap_node hmap_node;      /* In ovsdb_table.rows, by uuid_hash. */
    struct ovsdb_table *table;
    struct ovsdb_txn_row *txn_row;   /* Nonnull while a txn touches it. */
    size_t n_refs;                   /* Strong references from other
                                      * committed rows (for GC and integrity
                                      * checks). */
    unsigned int n_extra_holders;    /* Holders besides the table or txn
                                      * that owns the row: see
                                      * ovsdb_row_ref(). */
    struct ovsdb_datum fields[];     /* table->schema->n_columns of them. */
};

static inline const struct uuid *
ovsdb_row_get_uuid(const struct ovsdb_row *row)
{
    return &row->fields[OVSDB_COL_UUID].keys[0].uuid;
}

/* A new row with every column at its type's default and the given UUID
 * (a random one if 'uuid' is NULL). */
struct ovsdb_row *ovsdb_row_create(struct ovsdb_table *,
                                   const struct uuid *uuid);
/* A copy of 'old' that a txn may modify.  Cheap: the fields share their
 * arrays with 'old''s (ovsdb-data.h), so copying a row costs O(columns),
 * whatever their sizes. */
struct ovsdb_row *ovsdb_row_clone(const struct ovsdb_row *);
/* Adds a holder to 'row' and returns it.  The holder (the monitor history)
 * may read 'row''s table and fields, which must then never change: true of
 * committed rows, since txns modify copies.  Each holder calls
 * ovsdb_row_destroy() once; the row is freed by the last. */
struct ovsdb_row *ovsdb_row_ref(const struct ovsdb_row *);
void ovsdb_row_destroy(struct ovsdb_row *);
/* {"col": value, ...} for the columns in 'columns' (all when NULL). */
json_t *ovsdb_row_to_json(const struct ovsdb_row *,
                          const struct ovsdb_column_set *columns);

/* The tables that one column's keys and values refer to, strongly or
 * weakly (NULL when they do not). */
struct ovsdb_column_refs {
    struct ovsdb_table *strong_key, *strong_value;
    struct ovsdb_table *weak_key, *weak_value;
};

/* A table: its committed rows, by UUID. */
struct ovsdb_table {
    const struct ovsdb_table_schema *schema;
    struct hmap rows;                /* struct ovsdb_row, by uuid_hash. */
    /* For each index in the schema: a map from the hash of the indexed
     * columns' values to rows (struct ovsdb_index_node, owned). */
    struct hmap *indexes;
    /* The schema's references, resolved once by ovsdb_db_create() so that
     * checking a txn costs nothing for columns that refer nowhere: one per
     * column (owned), and whether any column refers strongly or weakly. */
    struct ovsdb_column_refs *refs;
    bool has_strong_refs, has_weak_refs;
};

struct ovsdb_row *ovsdb_table_get_row(const struct ovsdb_table *,
                                      const struct uuid *);

/* An entry in one of ovsdb_table.indexes[]: a committed row, hashed by
 * ovsdb_index_hash() of the index's columns.  Owned by the table. */
struct ovsdb_index_node {
    struct hmap_node hmap_node;
    struct ovsdb_row *row;
};

/* Hash of 'fields''s values in 'index''s columns. */
uint32_t ovsdb_index_hash(const struct ovsdb_datum *fields,
                          const struct ovsdb_column_set *index);

/* A database: a schema and a table for each of its tables. */
struct ovsdb_db {
    struct ovsdb_schema *schema;     /* Owned. */
    struct shash tables;             /* Name -> struct ovsdb_table *, owned. */
    struct uuid last_txn_id;         /* Id of the last committed txn, for
                                      * monitor_cond_since; zero if none. */
    struct ovs_list monitors;        /* Owned by monitor.c. */
    struct ovs_list replicas;        /* Unused by db.c: server bookkeeping. */
    void *storage;                   /* struct storage *, not owned here. */
};

/* Takes ownership of 'schema'. */
struct ovsdb_db *ovsdb_db_create(struct ovsdb_schema *schema);
void ovsdb_db_destroy(struct ovsdb_db *);
struct ovsdb_table *ovsdb_db_get_table(const struct ovsdb_db *,
                                       const char *name);

/* Loading: inserts 'row' (built with ovsdb_row_create() and filled in) into
 * its table directly, outside any transaction.  After the last row,
 * ovsdb_db_finish_load() recounts strong references. */
void ovsdb_db_load_row(struct ovsdb_db *, struct ovsdb_row *);
struct ovsdb_error *ovsdb_db_finish_load(struct ovsdb_db *)
    __attribute__((warn_unused_result));

/* A change to one row in a transaction. */
struct ovsdb_txn_row {
    struct ovs_list node;            /* In ovsdb_txn.rows, in change order. */
    struct hmap_node hmap_node;      /* In ovsdb_txn.rows_by_uuid. */
    struct ovsdb_table *table;
    struct ovsdb_row *old;           /* Committed row; NULL if inserted. */
    struct ovsdb_row *new;           /* NULL if deleted. */
    /* Set by ovsdb_txn_precommit(): one bit per column index whose value
     * differs between 'old' and 'new' (all columns for insert/delete). */
    unsigned long *changed;
    bool has_changes;                /* False if modified back to 'old'. */
};

struct ovsdb_txn {
    struct ovsdb_db *db;
    struct ovs_list rows;            /* struct ovsdb_txn_row. */
    struct hmap rows_by_uuid;
    struct uuid txn_id;              /* Fresh random; becomes last_txn_id. */
    char *comment;                   /* "comment" operations, joined; may be
                                      * NULL. */
    bool durable;                    /* A "commit" with "durable": true. */
};

struct ovsdb_txn *ovsdb_txn_create(struct ovsdb_db *);
/* Inserts a new row (owned by the txn from now on). */
void ovsdb_txn_row_insert(struct ovsdb_txn *, struct ovsdb_row *);
/* Returns the txn's writable copy of committed or txn-inserted 'row'
 * (copying it into the txn on first modification). */
struct ovsdb_row *ovsdb_txn_row_modify(struct ovsdb_txn *,
                                       const struct ovsdb_row *);
void ovsdb_txn_row_delete(struct ovsdb_txn *, const struct ovsdb_row *);
/* Looks a row up as the txn sees it: its own new version if it touched the
 * row, NULL if it deleted it, else the committed row. */
const struct ovsdb_row *ovsdb_txn_get_row(const struct ovsdb_txn *,
                                          const struct ovsdb_table *,
                                          const struct uuid *);
/* Calls 'cb' for each row of 'table' as the txn sees it. Stops early when
 * 'cb' returns false. */
void ovsdb_txn_for_each_row(const struct ovsdb_txn *,
                            const struct ovsdb_table *,
                            bool (*cb)(const struct ovsdb_row *, void *aux),
                            void *aux);
bool ovsdb_txn_is_empty(const struct ovsdb_txn *);   /* No row changed. */
/* False if inserting a row with 'uuid' into 'table' would duplicate a row
 * the table holds, or one this txn inserted or deleted. */
bool ovsdb_txn_may_create_row(const struct ovsdb_txn *,
                              const struct ovsdb_table *,
                              const struct uuid *);

struct ovsdb_error *ovsdb_txn_precommit(struct ovsdb_txn *)
    __attribute__((warn_unused_result));
void ovsdb_txn_commit(struct ovsdb_txn *);
void ovsdb_txn_abort(struct ovsdb_txn *);

/* Committed txns that may still be taken back: a server that shares its
 * storage with others (the etcd backend) commits a batch's txns in memory
 * before it knows whether the storage takes them, and if another server
 * stored first, goes back to the state before the batch to catch up and
 * run them again (server.c).  ovsdb_txn_commit_undoable() commits as
 * ovsdb_txn_commit() does and keeps, in 'undo', the rows it replaced;
 * ovsdb_undo_rollback() takes back every txn in 'undo', newest first
 * (rows, reference counts, last_txn_id), and ovsdb_undo_forget() frees
 * what it kept once the txns are stored for good.  Nothing else may
 * change the database between the commits and either call. */
struct ovsdb_undo {
    struct ovs_list txns;            /* Private to db.c. */
};
void ovsdb_undo_init(struct ovsdb_undo *);
void ovsdb_txn_commit_undoable(struct ovsdb_txn *, struct ovsdb_undo *);
bool ovsdb_undo_is_empty(const struct ovsdb_undo *);
void ovsdb_undo_rollback(struct ovsdb_db *, struct ovsdb_undo *);
void ovsdb_undo_forget(struct ovsdb_undo *);

static inline bool
ovsdb_txn_row_column_changed(const struct ovsdb_txn_row *r, unsigned int idx)
{
    return (r->changed[idx / (8 * sizeof(unsigned long))]
            >> (idx % (8 * sizeof(unsigned long)))) & 1;
}

#endif /* db.h */
