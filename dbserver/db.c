/* db.c: see db.h.
 *
 * A transaction never touches committed rows: it works on copies (txn_row
 * 'new') and on a map of strong-reference count deltas, so aborting is just
 * freeing the copies, and committing swaps the copies in and adds the
 * deltas.  A copy shares each column's arrays with the committed row until
 * the txn writes that column (ovsdb-data.h), so copying a row costs the
 * same whatever its sets hold, and committed row versions, never written,
 * can be kept by the monitor history without copying them.
 *
 * ovsdb_txn_precommit() does the whole-database reasoning (references,
 * garbage collection, indexes) looking only at the rows the transaction
 * touched, plus, for weak references, the tables that can point at rows it
 * deleted. */
#include <config.h>
#include "db.h"

#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "hash.h"
#include "ovsdb-error.h"

/* The transaction as db.c sees it: the public part plus bookkeeping. */
struct txn_impl {
    struct ovsdb_txn up;
    /* struct ref_delta, by uuid_hash: net change in strong references to a
     * row, computed by ovsdb_txn_precommit() and applied at commit. */
    struct hmap ref_deltas;
};

struct ref_delta {
    struct hmap_node hmap_node;
    struct ovsdb_table *table;
    struct uuid uuid;
    long long delta;
};

static struct txn_impl *
txn_impl(const struct ovsdb_txn *txn)
{
    return CONTAINER_OF(txn, struct txn_impl, up);
}

/* "", " and ", ", ", ", and ": the separator before item 'i' of 'n' in an
 * English list. */
static const char *
english_list_delimiter(size_t i, size_t n)
{
    return (i == 0 ? ""
            : n == 2 ? " and "
            : i == n - 1 ? ", and "
            : ", ");
}

/* Rows. */

struct ovsdb_row *
ovsdb_row_create(struct ovsdb_table *table, const struct uuid *uuid)
{
    const struct ovsdb_table_schema *ts = table->schema;
    struct ovsdb_row *row = xzalloc(sizeof *row
                                    + ts->n_columns * sizeof row->fields[0]);

    row->table = table;
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_init_default(&row->fields[i], &ts->columns[i]->type);
    }
    if (uuid) {
        row->fields[OVSDB_COL_UUID].keys[0].uuid = *uuid;
    } else {
        uuid_generate(&row->fields[OVSDB_COL_UUID].keys[0].uuid);
    }
    uuid_generate(&row->fields[OVSDB_COL_VERSION].keys[0].uuid);
    return row;
}

struct ovsdb_row *
ovsdb_row_clone(const struct ovsdb_row *old)
{
    const struct ovsdb_table_schema *ts = old->table->schema;
    struct ovsdb_row *row = xzalloc(sizeof *row
                                    + ts->n_columns * sizeof row->fields[0]);

    row->table = old->table;
    row->n_refs = old->n_refs;
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        ovsdb_datum_clone(&row->fields[i], &old->fields[i],
                          &ts->columns[i]->type);
    }
    return row;
}

struct ovsdb_row *
ovsdb_row_ref(const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;

    row->n_extra_holders++;
    return row;
}

void
ovsdb_row_destroy(struct ovsdb_row *row)
{
    if (row && row->n_extra_holders) {
        row->n_extra_holders--;
    } else if (row) {
        const struct ovsdb_table_schema *ts = row->table->schema;
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            ovsdb_datum_destroy(&row->fields[i], &ts->columns[i]->type);
        }
        free(row);
    }
}

json_t *
ovsdb_row_to_json(const struct ovsdb_row *row,
                  const struct ovsdb_column_set *columns)
{
    const struct ovsdb_table_schema *ts = row->table->schema;
    json_t *json = json_object();
    size_t n = columns ? columns->n : ts->n_columns;

    for (size_t i = 0; i < n; i++) {
        const struct ovsdb_column *c = columns ? columns->columns[i]
                                               : ts->columns[i];
        json_object_set_new(json, c->name,
                            ovsdb_datum_to_json(&row->fields[c->index],
                                                &c->type));
    }
    return json;
}

/* Tables and indexes. */

uint32_t
ovsdb_index_hash(const struct ovsdb_datum *fields,
                 const struct ovsdb_column_set *index)
{
    uint32_t hash = 0;
    for (size_t i = 0; i < index->n; i++) {
        const struct ovsdb_column *c = index->columns[i];
        hash = ovsdb_datum_hash(&fields[c->index], &c->type, hash);
    }
    return hash;
}

static bool
index_values_equal(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
                   const struct ovsdb_column_set *index)
{
    for (size_t i = 0; i < index->n; i++) {
        const struct ovsdb_column *c = index->columns[i];
        if (!ovsdb_datum_equals(&a[c->index], &b[c->index], &c->type)) {
            return false;
        }
    }
    return true;
}

static void
table_index_insert(struct ovsdb_table *table, struct ovsdb_row *row)
{
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        struct ovsdb_index_node *node = xmalloc(sizeof *node);
        node->row = row;
        hmap_insert(&table->indexes[i], &node->hmap_node,
                    ovsdb_index_hash(row->fields,
                                     &table->schema->indexes[i]));
    }
}

static struct ovsdb_index_node *
table_index_find(const struct ovsdb_table *table, size_t i,
                 const struct ovsdb_row *row)
{
    struct ovsdb_index_node *node;
    uint32_t hash = ovsdb_index_hash(row->fields, &table->schema->indexes[i]);

    HMAP_FOR_EACH_WITH_HASH (node, hmap_node, hash, &table->indexes[i]) {
        if (node->row == row) {
            return node;
        }
    }
    return NULL;
}

static void
table_index_remove(struct ovsdb_table *table, const struct ovsdb_row *row)
{
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        struct ovsdb_index_node *node = table_index_find(table, i, row);
        if (node) {
            hmap_remove(&table->indexes[i], &node->hmap_node);
            free(node);
        }
    }
}

/* 'new' takes 'old''s place in the indexes. */
static void
table_index_replace(struct ovsdb_table *table, const struct ovsdb_row *old,
                    struct ovsdb_row *new)
{
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        const struct ovsdb_column_set *index = &table->schema->indexes[i];
        struct ovsdb_index_node *node = table_index_find(table, i, old);

        if (node && index_values_equal(old->fields, new->fields, index)) {
            node->row = new;
            continue;
        }
        if (node) {
            hmap_remove(&table->indexes[i], &node->hmap_node);
        } else {
            node = xmalloc(sizeof *node);
        }
        node->row = new;
        hmap_insert(&table->indexes[i], &node->hmap_node,
                    ovsdb_index_hash(new->fields, index));
    }
}

struct ovsdb_row *
ovsdb_table_get_row(const struct ovsdb_table *table, const struct uuid *uuid)
{
    struct ovsdb_row *row;

    HMAP_FOR_EACH_WITH_HASH (row, hmap_node, uuid_hash(uuid), &table->rows) {
        if (uuid_equals(ovsdb_row_get_uuid(row), uuid)) {
            return row;
        }
    }
    return NULL;
}

static struct ovsdb_table *
table_create(const struct ovsdb_table_schema *ts)
{
    struct ovsdb_table *table = xzalloc(sizeof *table);

    table->schema = ts;
    hmap_init(&table->rows);
    table->indexes = xcalloc(ts->n_indexes ? ts->n_indexes : 1,
                             sizeof *table->indexes);
    for (size_t i = 0; i < ts->n_indexes; i++) {
        hmap_init(&table->indexes[i]);
    }
    return table;
}

static void
table_destroy(struct ovsdb_table *table)
{
    for (size_t i = 0; i < table->schema->n_indexes; i++) {
        struct ovsdb_index_node *node;
        HMAP_FOR_EACH_POP (node, hmap_node, &table->indexes[i]) {
            free(node);
        }
        hmap_destroy(&table->indexes[i]);
    }
    free(table->indexes);
    free(table->refs);

    struct ovsdb_row *row;
    HMAP_FOR_EACH_POP (row, hmap_node, &table->rows) {
        ovsdb_row_destroy(row);
    }
    hmap_destroy(&table->rows);
    free(table);
}

/* The table that 'base' refers to (NULL if it is not a reference). */
static struct ovsdb_table *
ref_table(const struct ovsdb_db *db, const struct ovsdb_base_type *base)
{
    return (base->type == OVSDB_TYPE_UUID && base->u.uuid.ref_table
            ? ovsdb_db_get_table(db, base->u.uuid.ref_table->name)
            : NULL);
}

static void
resolve_refs(const struct ovsdb_db *db, struct ovsdb_table *table)
{
    const struct ovsdb_table_schema *ts = table->schema;

    table->refs = xcalloc(ts->n_columns, sizeof *table->refs);
    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_type *type = &ts->columns[i]->type;
        struct ovsdb_column_refs *refs = &table->refs[i];

        if (ovsdb_base_type_is_strong_ref(&type->key)) {
            refs->strong_key = ref_table(db, &type->key);
        } else if (ovsdb_base_type_is_weak_ref(&type->key)) {
            refs->weak_key = ref_table(db, &type->key);
        }
        if (ovsdb_base_type_is_strong_ref(&type->value)) {
            refs->strong_value = ref_table(db, &type->value);
        } else if (ovsdb_base_type_is_weak_ref(&type->value)) {
            refs->weak_value = ref_table(db, &type->value);
        }
        table->has_strong_refs |= refs->strong_key || refs->strong_value;
        table->has_weak_refs |= refs->weak_key || refs->weak_value;
    }
}

/* Databases. */

struct ovsdb_db *
ovsdb_db_create(struct ovsdb_schema *schema)
{
    struct ovsdb_db *db = xzalloc(sizeof *db);
    struct shash_node *node;

    db->schema = schema;
    shash_init(&db->tables);
    SHASH_FOR_EACH (node, &schema->tables) {
        shash_add(&db->tables, node->name, table_create(node->data));
    }
    SHASH_FOR_EACH (node, &db->tables) {
        resolve_refs(db, node->data);
    }
    uuid_zero(&db->last_txn_id);
    ovs_list_init(&db->monitors);
    ovs_list_init(&db->replicas);
    return db;
}

void
ovsdb_db_destroy(struct ovsdb_db *db)
{
    if (db) {
        struct shash_node *node;
        SHASH_FOR_EACH (node, &db->tables) {
            table_destroy(node->data);
        }
        shash_destroy(&db->tables);
        ovsdb_schema_destroy(db->schema);
        free(db);
    }
}

struct ovsdb_table *
ovsdb_db_get_table(const struct ovsdb_db *db, const char *name)
{
    return shash_find_data(&db->tables, name);
}

void
ovsdb_db_load_row(struct ovsdb_db *db OVS_UNUSED, struct ovsdb_row *row)
{
    struct ovsdb_table *table = row->table;

    row->txn_row = NULL;
    row->n_refs = 0;
    hmap_insert(&table->rows, &row->hmap_node,
                uuid_hash(ovsdb_row_get_uuid(row)));
    table_index_insert(table, row);
}

static struct ovsdb_error *
nonexistent_ref_error(const struct ovsdb_row *row,
                      const struct ovsdb_column *column,
                      const struct ovsdb_table *dst,
                      const struct uuid *dst_uuid)
{
    const struct uuid *uuid = ovsdb_row_get_uuid(row);
    return ovsdb_error("referential integrity violation",
                       "Table %s column %s row "UUID_FMT" references "
                       "nonexistent row "UUID_FMT" in table %s.",
                       row->table->schema->name, column->name,
                       UUID_ARGS(uuid), UUID_ARGS(dst_uuid),
                       dst->schema->name);
}

/* True if 'row' refers to itself.  Self-references do not count as
 * references (as in ovsdb-server, and per RFC 7047, a non-root row is kept
 * only while other rows refer to it): a row of a non-root table that only
 * refers to itself is garbage.  (Open vSwitch 3.1 keeps cycles of two or
 * more such rows, and so does xsw.) */
static bool
is_self_ref(const struct ovsdb_row *row, const struct ovsdb_table *dst,
            const struct uuid *dst_uuid)
{
    return row->table == dst && uuid_equals(dst_uuid, ovsdb_row_get_uuid(row));
}

/* Calls 'cb' for every strong reference in 'row' ('cb' returns an error to
 * stop). */
typedef struct ovsdb_error *ref_cb(const struct ovsdb_row *row,
                                   const struct ovsdb_column *,
                                   struct ovsdb_table *dst,
                                   const struct uuid *dst_uuid, void *aux);

static struct ovsdb_error *
for_each_strong_ref(const struct ovsdb_row *row, ref_cb *cb, void *aux)
{
    const struct ovsdb_table_schema *ts = row->table->schema;

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS;
         row->table->has_strong_refs && i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        const struct ovsdb_datum *d = &row->fields[i];
        struct ovsdb_table *kt = row->table->refs[i].strong_key;
        struct ovsdb_table *vt = row->table->refs[i].strong_value;

        for (unsigned int j = 0; (kt || vt) && j < d->n; j++) {
            struct ovsdb_error *error = NULL;
            if (kt) {
                error = cb(row, c, kt, &d->keys[j].uuid, aux);
            }
            if (!error && vt) {
                error = cb(row, c, vt, &d->values[j].uuid, aux);
            }
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

static struct ovsdb_error *
count_loaded_ref(const struct ovsdb_row *row, const struct ovsdb_column *c,
                 struct ovsdb_table *dst, const struct uuid *dst_uuid,
                 void *aux OVS_UNUSED)
{
    struct ovsdb_row *target = ovsdb_table_get_row(dst, dst_uuid);
    if (!target) {
        return nonexistent_ref_error(row, c, dst, dst_uuid);
    }
    target->n_refs += !is_self_ref(row, dst, dst_uuid);
    return NULL;
}

struct ovsdb_error *
ovsdb_db_finish_load(struct ovsdb_db *db)
{
    struct shash_node *node;
    struct ovsdb_row *row;

    SHASH_FOR_EACH (node, &db->tables) {
        struct ovsdb_table *table = node->data;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            row->n_refs = 0;
        }
    }
    SHASH_FOR_EACH (node, &db->tables) {
        struct ovsdb_table *table = node->data;
        HMAP_FOR_EACH (row, hmap_node, &table->rows) {
            struct ovsdb_error *error;
            error = for_each_strong_ref(row, count_loaded_ref, NULL);
            if (error) {
                return error;
            }
        }
    }
    return NULL;
}

/* Transactions. */

struct ovsdb_txn *
ovsdb_txn_create(struct ovsdb_db *db)
{
    struct txn_impl *impl = xzalloc(sizeof *impl);
    struct ovsdb_txn *txn = &impl->up;

    txn->db = db;
    ovs_list_init(&txn->rows);
    hmap_init(&txn->rows_by_uuid);
    uuid_generate(&txn->txn_id);
    hmap_init(&impl->ref_deltas);
    return txn;
}

static struct ovsdb_txn_row *
txn_find_row(const struct ovsdb_txn *txn, const struct ovsdb_table *table,
             const struct uuid *uuid)
{
    struct ovsdb_txn_row *r;

    HMAP_FOR_EACH_WITH_HASH (r, hmap_node, uuid_hash(uuid),
                             &txn->rows_by_uuid) {
        const struct ovsdb_row *row = r->old ? r->old : r->new;
        if (r->table == table && uuid_equals(ovsdb_row_get_uuid(row), uuid)) {
            return r;
        }
    }
    return NULL;
}

static struct ovsdb_txn_row *
txn_row_create(struct ovsdb_txn *txn, struct ovsdb_table *table,
               struct ovsdb_row *old, struct ovsdb_row *new)
{
    struct ovsdb_txn_row *r = xzalloc(sizeof *r);
    const struct ovsdb_row *any = old ? old : new;

    r->table = table;
    r->old = old;
    r->new = new;
    if (old) {
        old->txn_row = r;
    }
    if (new) {
        new->txn_row = r;
    }
    ovs_list_push_back(&txn->rows, &r->node);
    hmap_insert(&txn->rows_by_uuid, &r->hmap_node,
                uuid_hash(ovsdb_row_get_uuid(any)));
    return r;
}

static void
txn_row_free(struct ovsdb_txn *txn, struct ovsdb_txn_row *r)
{
    ovs_list_remove(&r->node);
    hmap_remove(&txn->rows_by_uuid, &r->hmap_node);
    free(r->changed);
    free(r);
}

void
ovsdb_txn_row_insert(struct ovsdb_txn *txn, struct ovsdb_row *row)
{
    txn_row_create(txn, row->table, NULL, row);
}

struct ovsdb_row *
ovsdb_txn_row_modify(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    struct ovsdb_txn_row *r = row->txn_row;

    if (r) {
        /* Already ours: 'row' is either the copy or the committed row whose
         * copy we handed out before. */
        return r->new;
    }
    struct ovsdb_row *new = ovsdb_row_clone(row);
    txn_row_create(txn, row->table, row, new);
    return new;
}

void
ovsdb_txn_row_delete(struct ovsdb_txn *txn, const struct ovsdb_row *row_)
{
    struct ovsdb_row *row = (struct ovsdb_row *) row_;
    struct ovsdb_txn_row *r = row->txn_row;

    if (!r) {
        txn_row_create(txn, row->table, row, NULL);
    } else if (!r->old) {
        /* Inserted and deleted by this txn: as if it never existed. */
        ovsdb_row_destroy(r->new);
        txn_row_free(txn, r);
    } else {
        ovsdb_row_destroy(r->new);
        r->new = NULL;
    }
}

const struct ovsdb_row *
ovsdb_txn_get_row(const struct ovsdb_txn *txn,
                  const struct ovsdb_table *table, const struct uuid *uuid)
{
    const struct ovsdb_txn_row *r = txn_find_row(txn, table, uuid);
    return r ? r->new : ovsdb_table_get_row(table, uuid);
}

void
ovsdb_txn_for_each_row(const struct ovsdb_txn *txn,
                       const struct ovsdb_table *table,
                       bool (*cb)(const struct ovsdb_row *, void *aux),
                       void *aux)
{
    const struct ovsdb_row *row;
    const struct ovsdb_txn_row *r, *next;

    /* 'cb' may modify or delete the row it is given (update, delete):
     * neither changes table->rows, and the _SAFE loop survives the freeing
     * of an inserted row's txn_row. */
    HMAP_FOR_EACH (row, hmap_node, &table->rows) {
        const struct ovsdb_row *seen = row->txn_row ? row->txn_row->new : row;
        if (seen && !cb(seen, aux)) {
            return;
        }
    }
    LIST_FOR_EACH_SAFE (r, next, node, &txn->rows) {
        if (r->table == table && !r->old && !cb(r->new, aux)) {
            return;
        }
    }
}

/* True if 'a' and 'b' differ in some column other than _version. */
static bool
rows_differ(const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    const struct ovsdb_table_schema *ts = a->table->schema;
    for (unsigned int i = 0; i < ts->n_columns; i++) {
        if (i != OVSDB_COL_VERSION
            && !ovsdb_datum_equals(&a->fields[i], &b->fields[i],
                                   &ts->columns[i]->type)) {
            return true;
        }
    }
    return false;
}

bool
ovsdb_txn_is_empty(const struct ovsdb_txn *txn)
{
    const struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, node, &txn->rows) {
        if (!r->old || !r->new || rows_differ(r->old, r->new)) {
            return false;
        }
    }
    return true;
}

bool
ovsdb_txn_may_create_row(const struct ovsdb_txn *txn,
                         const struct ovsdb_table *table,
                         const struct uuid *uuid)
{
    return !ovsdb_table_get_row(table, uuid)
           && !txn_find_row(txn, table, uuid);
}

/* Precommit: strong references. */

static struct ref_delta *
ref_delta_get(struct txn_impl *impl, struct ovsdb_table *table,
              const struct uuid *uuid)
{
    struct ref_delta *d;

    HMAP_FOR_EACH_WITH_HASH (d, hmap_node, uuid_hash(uuid),
                             &impl->ref_deltas) {
        if (d->table == table && uuid_equals(&d->uuid, uuid)) {
            return d;
        }
    }
    d = xzalloc(sizeof *d);
    d->table = table;
    d->uuid = *uuid;
    hmap_insert(&impl->ref_deltas, &d->hmap_node, uuid_hash(uuid));
    return d;
}

static struct ovsdb_error *
add_ref(const struct ovsdb_row *row, const struct ovsdb_column *c OVS_UNUSED,
        struct ovsdb_table *dst, const struct uuid *dst_uuid, void *impl)
{
    if (!is_self_ref(row, dst, dst_uuid)) {
        ref_delta_get(impl, dst, dst_uuid)->delta++;
    }
    return NULL;
}

static struct ovsdb_error *
remove_ref(const struct ovsdb_row *row,
           const struct ovsdb_column *c OVS_UNUSED, struct ovsdb_table *dst,
           const struct uuid *dst_uuid, void *impl)
{
    if (!is_self_ref(row, dst, dst_uuid)) {
        ref_delta_get(impl, dst, dst_uuid)->delta--;
    }
    return NULL;
}

/* Strong references to 'table''s row 'uuid' once the txn commits. */
static long long
ref_count(struct txn_impl *impl, struct ovsdb_table *table,
          const struct uuid *uuid)
{
    const struct ovsdb_row *committed = ovsdb_table_get_row(table, uuid);
    long long n = committed ? (long long) committed->n_refs : 0;
    struct ref_delta *d;

    HMAP_FOR_EACH_WITH_HASH (d, hmap_node, uuid_hash(uuid),
                             &impl->ref_deltas) {
        if (d->table == table && uuid_equals(&d->uuid, uuid)) {
            return n + d->delta;
        }
    }
    return n;
}

/* A new reference must point to a row that existed or that this txn
 * created or deleted (a deleted target is reported as "cannot delete"). */
static struct ovsdb_error *
check_ref_target(const struct ovsdb_row *row, const struct ovsdb_column *c,
                 struct ovsdb_table *dst, const struct uuid *dst_uuid,
                 void *txn)
{
    if (!ovsdb_table_get_row(dst, dst_uuid)
        && !txn_find_row(txn, dst, dst_uuid)) {
        return nonexistent_ref_error(row, c, dst, dst_uuid);
    }
    return NULL;
}

static struct ovsdb_error *
add_checked_ref(const struct ovsdb_row *row, const struct ovsdb_column *c,
                struct ovsdb_table *dst, const struct uuid *dst_uuid,
                void *txn)
{
    struct ovsdb_error *error = check_ref_target(row, c, dst, dst_uuid, txn);

    if (!error) {
        add_ref(row, c, dst, dst_uuid, txn_impl(txn));
    }
    return error;
}

/* Counts the strong references that 'new' has and 'old' had not (checking
 * that their targets exist) and those that 'old' had and 'new' has not.
 * A reference unchanged by the txn costs nothing beyond comparing sorted
 * arrays: a Bridge gaining one port out of 10,000 touches one count, not
 * 20,000. */
/* The number of leading keys that 'a' and 'b' (sets of UUIDs) share,
 * compared 64 at a time: the atoms are plain bytes. */
static unsigned int
common_head(const struct ovsdb_datum *a, const struct ovsdb_datum *b)
{
    unsigned int n = MIN(a->n, b->n), i = 0;

    while (i + 64 <= n
           && !memcmp(&a->keys[i], &b->keys[i], 64 * sizeof *a->keys)) {
        i += 64;
    }
    while (i < n && uuid_equals(&a->keys[i].uuid, &b->keys[i].uuid)) {
        i++;
    }
    return i;
}

/* The number of trailing keys 'a' and 'b' share, not reaching into the
 * first 'head' of either. */
static unsigned int
common_tail(const struct ovsdb_datum *a, const struct ovsdb_datum *b,
            unsigned int head)
{
    unsigned int n = MIN(a->n, b->n) - head, i = 0;

    while (i + 64 <= n
           && !memcmp(&a->keys[a->n - i - 64], &b->keys[b->n - i - 64],
                      64 * sizeof *a->keys)) {
        i += 64;
    }
    while (i < n && uuid_equals(&a->keys[a->n - i - 1].uuid,
                                &b->keys[b->n - i - 1].uuid)) {
        i++;
    }
    return i;
}

static struct ovsdb_error *
update_changed_refs(struct ovsdb_txn *txn, const struct ovsdb_row *old,
                    const struct ovsdb_row *new)
{
    const struct ovsdb_table_schema *ts = new->table->schema;
    struct txn_impl *impl = txn_impl(txn);

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS;
         new->table->has_strong_refs && i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        const struct ovsdb_datum *od = &old->fields[i];
        const struct ovsdb_datum *nd = &new->fields[i];
        struct ovsdb_table *kt = new->table->refs[i].strong_key;
        struct ovsdb_table *vt = new->table->refs[i].strong_value;
        struct ovsdb_error *error = NULL;

        if ((!kt && !vt) || ovsdb_datum_equals(od, nd, &c->type)) {
            continue;
        }
        if (vt) {
            /* Values are not sorted, so no merge: count every reference of
             * both versions.  Maps to rows are small in practice. */
            for (unsigned int j = 0; !error && j < nd->n; j++) {
                if (kt) {
                    error = add_checked_ref(new, c, kt, &nd->keys[j].uuid,
                                            txn);
                }
                if (!error) {
                    error = add_checked_ref(new, c, vt, &nd->values[j].uuid,
                                            txn);
                }
            }
            for (unsigned int j = 0; !error && j < od->n; j++) {
                if (kt) {
                    remove_ref(old, c, kt, &od->keys[j].uuid, impl);
                }
                remove_ref(old, c, vt, &od->values[j].uuid, impl);
            }
        } else {
            /* Keys are sorted by UUID: merge the part that differs.  A
             * port added to a bridge of 10,000 changes one place in the
             * middle of the set; the equal head and tail are skipped with
             * block compares. */
            unsigned int head = common_head(od, nd);
            unsigned int tail = common_tail(od, nd, head);
            unsigned int a = head, b = head;
            unsigned int a_end = od->n - tail, b_end = nd->n - tail;
            while (!error && (a < a_end || b < b_end)) {
                int cmp = (a >= a_end ? 1 : b >= b_end ? -1
                           : uuid_compare_3way(&od->keys[a].uuid,
                                               &nd->keys[b].uuid));
                if (cmp < 0) {
                    remove_ref(old, c, kt, &od->keys[a++].uuid, impl);
                } else if (cmp > 0) {
                    error = add_checked_ref(new, c, kt, &nd->keys[b++].uuid,
                                            txn);
                } else {
                    a++, b++;
                }
            }
        }
        if (error) {
            return error;
        }
    }
    return NULL;
}

static struct ovsdb_error *
update_ref_counts(struct ovsdb_txn *txn)
{
    struct txn_impl *impl = txn_impl(txn);
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, node, &txn->rows) {
        struct ovsdb_error *error = NULL;

        if (r->new && r->old) {
            error = update_changed_refs(txn, r->old, r->new);
        } else if (r->new) {
            error = for_each_strong_ref(r->new, add_checked_ref, txn);
        } else {
            for_each_strong_ref(r->old, remove_ref, impl);
        }
        if (error) {
            return error;
        }
    }

    LIST_FOR_EACH (r, node, &txn->rows) {
        if (!r->new) {
            const struct uuid *uuid = ovsdb_row_get_uuid(r->old);
            long long n = ref_count(impl, r->table, uuid);
            if (n > 0) {
                return ovsdb_error("referential integrity violation",
                                   "cannot delete %s row "UUID_FMT" because "
                                   "of %lld remaining reference(s)",
                                   r->table->schema->name, UUID_ARGS(uuid),
                                   n);
            }
        }
    }
    return NULL;
}

/* Precommit: garbage collection. */

static bool
is_garbage(struct txn_impl *impl, struct ovsdb_table *table,
           const struct ovsdb_row *row)
{
    return (!table->schema->is_root
            && ref_count(impl, table, ovsdb_row_get_uuid(row)) <= 0);
}

/* Deletes unreferenced rows of non-root tables until none is left.  Only
 * rows this txn inserted or modified, or whose reference count it lowered,
 * can have become garbage. */
static void
collect_garbage(struct ovsdb_txn *txn)
{
    struct txn_impl *impl = txn_impl(txn);
    bool again;

    do {
        struct ovsdb_row **victims = NULL;
        size_t n = 0, allocated = 0;
        struct ovsdb_txn_row *r;
        struct ref_delta *d;

        LIST_FOR_EACH (r, node, &txn->rows) {
            if (r->new && is_garbage(impl, r->table, r->new)) {
                if (n >= allocated) {
                    victims = x2nrealloc(victims, &allocated,
                                         sizeof *victims);
                }
                victims[n++] = r->new;
            }
        }
        HMAP_FOR_EACH (d, hmap_node, &impl->ref_deltas) {
            struct ovsdb_row *row = ovsdb_table_get_row(d->table, &d->uuid);
            if (d->delta < 0 && row && !row->txn_row
                && is_garbage(impl, d->table, row)) {
                if (n >= allocated) {
                    victims = x2nrealloc(victims, &allocated,
                                         sizeof *victims);
                }
                victims[n++] = row;
            }
        }

        /* Deleting a row drops its references, which may make more
         * garbage: go round again. */
        again = n > 0;
        for (size_t i = 0; i < n; i++) {
            for_each_strong_ref(victims[i], remove_ref, impl);
            ovsdb_txn_row_delete(txn, victims[i]);
        }
        free(victims);
    } while (again);
}

/* Precommit: maxRows. */

/* True if 'table' is among the 'n' 'tables'. */
static bool
table_in(const struct ovsdb_table *table, struct ovsdb_table **tables,
         size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (tables[i] == table) {
            return true;
        }
    }
    return false;
}

/* The distinct tables that 'txn' touches (a few), as an array the caller
 * frees; the count in '*n'.  Only they can break a table-wide rule. */
static struct ovsdb_table **
touched_tables(const struct ovsdb_txn *txn, size_t *n)
{
    struct ovsdb_table **tables = NULL;
    size_t allocated = 0;
    const struct ovsdb_txn_row *r;

    *n = 0;
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (!table_in(r->table, tables, *n)) {
            if (*n >= allocated) {
                tables = x2nrealloc(tables, &allocated, sizeof *tables);
            }
            tables[(*n)++] = r->table;
        }
    }
    return tables;
}

static struct ovsdb_error *
check_max_rows(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = NULL;
    struct ovsdb_table **tables;
    size_t n_tables;

    tables = touched_tables(txn, &n_tables);
    for (size_t i = 0; !error && i < n_tables; i++) {
        struct ovsdb_table *table = tables[i];
        const struct ovsdb_txn_row *r;
        long long n;

        if (table->schema->max_rows == UINT_MAX) {
            continue;
        }
        n = hmap_count(&table->rows);
        LIST_FOR_EACH (r, node, &txn->rows) {
            if (r->table == table) {
                n += (r->new != NULL) - (r->old != NULL);
            }
        }
        if (n > table->schema->max_rows) {
            error = ovsdb_error("constraint violation",
                                "transaction causes \"%s\" table to "
                                "contain %lld rows, greater than the "
                                "schema-defined limit of %u row(s)",
                                table->schema->name, n,
                                table->schema->max_rows);
        }
    }
    free(tables);
    return error;
}

/* Precommit: weak references. */

/* The tables from which 'txn' deletes rows (usually none), as an array the
 * caller frees; the count in '*n'. */
static struct ovsdb_table **
tables_with_deletions(const struct ovsdb_txn *txn, size_t *n)
{
    struct ovsdb_table **tables = NULL;
    size_t allocated = 0;
    const struct ovsdb_txn_row *r;

    *n = 0;
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (!r->new && !table_in(r->table, tables, *n)) {
            if (*n >= allocated) {
                tables = x2nrealloc(tables, &allocated, sizeof *tables);
            }
            tables[(*n)++] = r->table;
        }
    }
    return tables;
}

/* True if 'row' weakly refers to a row that 'txn' deleted. */
static bool
has_dangling_weak_ref(const struct ovsdb_txn *txn,
                      const struct ovsdb_row *row)
{
    const struct ovsdb_table_schema *ts = row->table->schema;

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_datum *d = &row->fields[i];
        struct ovsdb_table *kt = row->table->refs[i].weak_key;
        struct ovsdb_table *vt = row->table->refs[i].weak_value;

        for (unsigned int j = 0; (kt || vt) && j < d->n; j++) {
            if ((kt && !ovsdb_txn_get_row(txn, kt, &d->keys[j].uuid))
                || (vt && !ovsdb_txn_get_row(txn, vt, &d->values[j].uuid))) {
                return true;
            }
        }
    }
    return false;
}

/* Removes 'row''s weak references to rows that will not exist, checking
 * that each column keeps its minimum size.  The committed version's weak
 * references all exist, so a column that the txn left as it was needs no
 * look unless the txn deleted rows from the table it refers to: rows with
 * large sets of weak references cost nothing to modify otherwise. */
static struct ovsdb_error *
remove_dangling_weak_refs(struct ovsdb_txn *txn, struct ovsdb_txn_row *r,
                          struct ovsdb_table **deleted,
                          size_t n_deleted_tables)
{
    struct ovsdb_row *row = r->new;
    const struct ovsdb_table_schema *ts = row->table->schema;

    for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS; i < ts->n_columns; i++) {
        const struct ovsdb_column *c = ts->columns[i];
        struct ovsdb_datum *d = &row->fields[i];
        struct ovsdb_table *kt = row->table->refs[i].weak_key;
        struct ovsdb_table *vt = row->table->refs[i].weak_value;
        unsigned int n_deleted = 0;
        bool zero = false;

        if (!kt && !vt) {
            continue;
        }
        if (r->old
            && !table_in(kt, deleted, n_deleted_tables)
            && !table_in(vt, deleted, n_deleted_tables)
            && ovsdb_datum_equals(d, &r->old->fields[i], &c->type)) {
            continue;
        }
        for (unsigned int j = 0; j < d->n; ) {
            const struct uuid *ku = kt ? &d->keys[j].uuid : NULL;
            const struct uuid *vu = vt ? &d->values[j].uuid : NULL;
            if ((ku && !ovsdb_txn_get_row(txn, kt, ku))
                || (vu && !ovsdb_txn_get_row(txn, vt, vu))) {
                zero |= (ku && uuid_is_zero(ku)) || (vu && uuid_is_zero(vu));
                ovsdb_datum_remove(d, j, &c->type);
                n_deleted++;
            } else {
                j++;
            }
        }
        if (n_deleted && d->n < c->type.n_min) {
            const struct uuid *uuid = ovsdb_row_get_uuid(row);
            if (zero && !r->old) {
                return ovsdb_error(
                    "constraint violation",
                    "Weak reference column \"%s\" in \"%s\" row "UUID_FMT" "
                    "(inserted within this transaction) contained all-zeros "
                    "UUID (probably as the default value for this column) "
                    "but deleting this value caused a constraint volation "
                    "because this column is not allowed to be empty.",
                    c->name, ts->name, UUID_ARGS(uuid));
            }
            return ovsdb_error(
                "constraint violation",
                "Deletion of %u weak reference(s) to deleted (or "
                "never-existing) rows from column \"%s\" in \"%s\" row "
                UUID_FMT" %scaused this column to %s.",
                n_deleted, c->name, ts->name, UUID_ARGS(uuid),
                r->old ? "" : "(inserted within this transaction) ",
                d->n ? "have too few elements"
                     : "become empty, but constraints on this column "
                       "disallow an empty column");
        }
    }
    return NULL;
}

/* Committed rows that 'txn' leaves alone may point weakly at rows it
 * deleted from the 'n' tables 'deleted': finds them in the tables that can
 * point there, and brings them into the txn for cleaning. */
static void
modify_dangling_rows(struct ovsdb_txn *txn, struct ovsdb_table **deleted,
                     size_t n)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &txn->db->tables) {
        struct ovsdb_table *table = node->data;
        const struct ovsdb_table_schema *ts = table->schema;
        bool scan = false;

        for (unsigned int i = OVSDB_N_IMPLICIT_COLUMNS;
             table->has_weak_refs && !scan && i < ts->n_columns; i++) {
            scan = (table_in(table->refs[i].weak_key, deleted, n)
                    || table_in(table->refs[i].weak_value, deleted, n));
        }
        if (scan) {
            struct ovsdb_row *row;
            HMAP_FOR_EACH (row, hmap_node, &table->rows) {
                if (!row->txn_row && has_dangling_weak_ref(txn, row)) {
                    ovsdb_txn_row_modify(txn, row);
                }
            }
        }
    }
}

static struct ovsdb_error *
assess_weak_refs(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = NULL;
    struct ovsdb_table **deleted;
    struct ovsdb_txn_row *r;
    size_t n_deleted;

    deleted = tables_with_deletions(txn, &n_deleted);
    if (n_deleted) {
        modify_dangling_rows(txn, deleted, n_deleted);
    }
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (r->new && r->table->has_weak_refs) {
            error = remove_dangling_weak_refs(txn, r, deleted, n_deleted);
            if (error) {
                break;
            }
        }
    }
    free(deleted);
    return error;
}

/* Precommit: changed columns. */

static void
bitmap_set1(unsigned long *bitmap, unsigned int idx)
{
    bitmap[idx / (8 * sizeof *bitmap)] |= 1UL << (idx % (8 * sizeof *bitmap));
}

static void
determine_changes(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, node, &txn->rows) {
        const struct ovsdb_table_schema *ts = r->table->schema;
        size_t n_longs = (ts->n_columns + 8 * sizeof(unsigned long) - 1)
                         / (8 * sizeof(unsigned long));

        free(r->changed);
        r->changed = xcalloc(n_longs, sizeof *r->changed);
        r->has_changes = false;
        for (unsigned int i = 0; i < ts->n_columns; i++) {
            if (!r->old || !r->new
                || (i != OVSDB_COL_VERSION
                    && !ovsdb_datum_equals(&r->old->fields[i],
                                           &r->new->fields[i],
                                           &ts->columns[i]->type))) {
                bitmap_set1(r->changed, i);
                r->has_changes = true;
            }
        }
    }
}

/* Precommit: indexes. */

static char *
index_columns_to_string(const struct ovsdb_column_set *index)
{
    struct ds b = DS_EMPTY_INITIALIZER;

    ds_put_format(&b, "column%s ", index->n > 1 ? "s" : "");
    for (size_t i = 0; i < index->n; i++) {
        ds_put_format(&b, "%s\"%s\"", english_list_delimiter(i, index->n),
                      index->columns[i]->name);
    }
    return ds_steal_cstr(&b);
}

static void
put_index_values(struct ds *b, const struct ovsdb_row *row,
                 const struct ovsdb_column_set *index)
{
    for (size_t i = 0; i < index->n; i++) {
        const struct ovsdb_column *c = index->columns[i];
        char *s = ovsdb_datum_to_string(&row->fields[c->index], &c->type);
        ds_put_format(b, "%s%s", english_list_delimiter(i, index->n), s);
        free(s);
    }
}

static void
describe_index_row(struct ds *b, const char *title,
                   const struct ovsdb_row *row,
                   const struct ovsdb_column_set *index)
{
    const struct ovsdb_txn_row *r = row->txn_row;

    ds_put_format(b, "%s row, with UUID "UUID_FMT", ", title,
                  UUID_ARGS(ovsdb_row_get_uuid(row)));
    if (!r || !r->has_changes) {
        ds_put_format(b, "existed in the database before this transaction "
                      "and was not modified by the transaction.");
    } else if (!r->old) {
        ds_put_format(b, "was inserted by this transaction.");
    } else if (index_values_equal(r->old->fields, r->new->fields, index)) {
        ds_put_format(b, "existed in the database before this transaction, "
                      "which modified some of the row's columns but not any "
                      "columns in this index.");
    } else {
        ds_put_format(b, "had the following index values before the "
                      "transaction: ");
        put_index_values(b, r->old, index);
        ds_put_format(b, ".");
    }
}

static struct ovsdb_error *
duplicate_index_error(const struct ovsdb_column_set *index,
                      const struct ovsdb_row *a, const struct ovsdb_row *b)
{
    struct ds s = DS_EMPTY_INITIALIZER;
    char *columns = index_columns_to_string(index);

    /* Open vSwitch names the rows in a fixed order (it compares all of their
     * columns, so the greater _uuid comes first); so do we. */
    if (uuid_compare_3way(ovsdb_row_get_uuid(a), ovsdb_row_get_uuid(b)) < 0) {
        const struct ovsdb_row *tmp = a;
        a = b;
        b = tmp;
    }
    ds_put_format(&s, "Transaction causes multiple rows in \"%s\" table to "
                  "have identical values (", a->table->schema->name);
    put_index_values(&s, a, index);
    ds_put_format(&s, ") for index on %s.  ", columns);
    describe_index_row(&s, "First", a, index);
    ds_put_format(&s, "  ");
    describe_index_row(&s, "Second", b, index);

    struct ovsdb_error *error = ovsdb_error("constraint violation", "%s",
                                           ds_cstr(&s));
    ds_destroy(&s);
    free(columns);
    return error;
}

/* Checks one index of 'table': every row the txn inserted or whose index
 * values it changed must differ from every other row in them.  Rows the txn
 * left alone (or changed elsewhere) are found through the committed index,
 * so the cost is proportional to the txn, not the table. */
static struct ovsdb_error *
check_index(struct ovsdb_txn *txn, struct ovsdb_table *table, size_t idx)
{
    const struct ovsdb_column_set *index = &table->schema->indexes[idx];
    struct ovsdb_error *error = NULL;
    struct ovsdb_index_node *n, *next;
    struct ovsdb_txn_row *r;
    struct hmap changed;

    hmap_init(&changed);
    LIST_FOR_EACH (r, node, &txn->rows) {
        if (r->table != table || !r->new
            || (r->old && index_values_equal(r->old->fields, r->new->fields,
                                             index))) {
            continue;
        }

        uint32_t hash = ovsdb_index_hash(r->new->fields, index);

        HMAP_FOR_EACH_WITH_HASH (n, hmap_node, hash, &changed) {
            if (index_values_equal(n->row->fields, r->new->fields, index)) {
                error = duplicate_index_error(index, n->row, r->new);
                goto out;
            }
        }
        HMAP_FOR_EACH_WITH_HASH (n, hmap_node, hash, &table->indexes[idx]) {
            const struct ovsdb_row *other = n->row;
            const struct ovsdb_txn_row *or = other->txn_row;

            if (or) {
                /* Deleted, or changed in this index (then it is in
                 * 'changed'), or unchanged here: then compare its copy. */
                if (!or->new || or == r
                    || !index_values_equal(or->old->fields, or->new->fields,
                                           index)) {
                    continue;
                }
                other = or->new;
            }
            if (index_values_equal(other->fields, r->new->fields, index)) {
                error = duplicate_index_error(index, other, r->new);
                goto out;
            }
        }

        struct ovsdb_index_node *node = xmalloc(sizeof *node);
        node->row = r->new;
        hmap_insert(&changed, &node->hmap_node, hash);
    }

out:
    HMAP_FOR_EACH_SAFE (n, next, hmap_node, &changed) {
        free(n);
    }
    hmap_destroy(&changed);
    return error;
}

static struct ovsdb_error *
check_indexes(struct ovsdb_txn *txn)
{
    struct ovsdb_error *error = NULL;
    struct ovsdb_table **tables;
    size_t n_tables;

    tables = touched_tables(txn, &n_tables);
    for (size_t t = 0; !error && t < n_tables; t++) {
        struct ovsdb_table *table = tables[t];
        const struct ovsdb_txn_row *r;
        bool touched = false;

        if (!table->schema->n_indexes) {
            continue;
        }
        LIST_FOR_EACH (r, node, &txn->rows) {
            if (r->table == table && r->new) {
                touched = true;
                break;
            }
        }
        for (size_t i = 0; touched && !error && i < table->schema->n_indexes;
             i++) {
            error = check_index(txn, table, i);
        }
    }
    free(tables);
    return error;
}

static void
update_versions(struct ovsdb_txn *txn)
{
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH (r, node, &txn->rows) {
        if (r->new && r->has_changes) {
            struct ovsdb_datum *version = &r->new->fields[OVSDB_COL_VERSION];

            /* A modified row's copy shares _version with the old row. */
            ovsdb_datum_unshare(version, &r->table->schema->columns[
                                    OVSDB_COL_VERSION]->type);
            uuid_generate(&version->keys[0].uuid);
            bitmap_set1(r->changed, OVSDB_COL_VERSION);
        }
    }
}

static void
clear_ref_deltas(struct txn_impl *impl)
{
    struct ref_delta *d;
    HMAP_FOR_EACH_POP (d, hmap_node, &impl->ref_deltas) {
        free(d);
    }
}

struct ovsdb_error *
ovsdb_txn_precommit(struct ovsdb_txn *txn)
{
    struct txn_impl *impl = txn_impl(txn);
    struct ovsdb_error *error;

    /* The same order of checks as Open vSwitch, so that a transaction with
     * several problems reports the same one. */
    clear_ref_deltas(impl);
    error = update_ref_counts(txn);
    if (!error) {
        collect_garbage(txn);
        error = check_max_rows(txn);
    }
    if (!error) {
        error = assess_weak_refs(txn);
    }
    if (!error) {
        determine_changes(txn);
        error = check_indexes(txn);
    }
    if (!error) {
        update_versions(txn);
    }
    return error;
}

/* What ovsdb_txn_commit_undoable() keeps of one txn: each row it changed,
 * with the row it replaced (kept, not freed), and the reference counts it
 * changed on rows it did not touch otherwise. */
struct undo_row {
    struct ovsdb_table *table;
    struct ovsdb_row *old, *new;        /* As in struct ovsdb_txn_row. */
};

struct undo_txn {
    struct ovs_list node;               /* In ovsdb_undo.txns, oldest first. */
    struct uuid prev_txn_id;            /* db->last_txn_id before it. */
    struct undo_row *rows;              /* In commit order. */
    size_t n_rows;
    struct ref_delta *refs;             /* Not in 'rows'; hmap_node unused. */
    size_t n_refs;
};

static void
txn_commit(struct ovsdb_txn *txn, struct ovsdb_undo *undo)
{
    struct txn_impl *impl = txn_impl(txn);
    struct undo_txn *ut = NULL;
    struct ovsdb_txn_row *r;
    struct ref_delta *d;

    if (undo) {
        ut = xzalloc(sizeof *ut);
        ut->prev_txn_id = txn->db->last_txn_id;
        ut->rows = xmalloc(ovs_list_size(&txn->rows) * sizeof *ut->rows);
        ut->refs = xmalloc(hmap_count(&impl->ref_deltas) * sizeof *ut->refs);
        /* A row of the txn gets its count with its new version, which the
         * undo drops: only the others' deltas need taking back. */
        HMAP_FOR_EACH (d, hmap_node, &impl->ref_deltas) {
            if (!txn_find_row(txn, d->table, &d->uuid)) {
                ut->refs[ut->n_refs++] = *d;
            }
        }
        ovs_list_push_back(&undo->txns, &ut->node);
    }

    LIST_FOR_EACH_POP (r, node, &txn->rows) {
        struct ovsdb_table *table = r->table;

        if (r->old && r->new) {
            hmap_replace(&table->rows, &r->old->hmap_node,
                         &r->new->hmap_node);
            table_index_replace(table, r->old, r->new);
        } else if (r->old) {
            hmap_remove(&table->rows, &r->old->hmap_node);
            table_index_remove(table, r->old);
        } else {
            hmap_insert(&table->rows, &r->new->hmap_node,
                        uuid_hash(ovsdb_row_get_uuid(r->new)));
            table_index_insert(table, r->new);
        }
        if (r->new) {
            r->new->txn_row = NULL;
        }
        if (ut) {
            if (r->old) {
                r->old->txn_row = NULL;
            }
            ut->rows[ut->n_rows++] = (struct undo_row) {
                .table = table, .old = r->old, .new = r->new };
        } else {
            ovsdb_row_destroy(r->old);
        }
        free(r->changed);
        free(r);
    }

    /* Modified rows were cloned with their old count, inserted rows start
     * at zero: either way, adding the delta gives the new count. */
    HMAP_FOR_EACH_POP (d, hmap_node, &impl->ref_deltas) {
        struct ovsdb_row *row = ovsdb_table_get_row(d->table, &d->uuid);
        if (row) {
            row->n_refs += d->delta;
        }
        free(d);
    }

    txn->db->last_txn_id = txn->txn_id;
    hmap_destroy(&impl->ref_deltas);
    hmap_destroy(&txn->rows_by_uuid);
    free(txn->comment);
    free(impl);
}

void
ovsdb_txn_commit(struct ovsdb_txn *txn)
{
    txn_commit(txn, NULL);
}

void
ovsdb_undo_init(struct ovsdb_undo *undo)
{
    ovs_list_init(&undo->txns);
}

void
ovsdb_txn_commit_undoable(struct ovsdb_txn *txn, struct ovsdb_undo *undo)
{
    txn_commit(txn, undo);
}

bool
ovsdb_undo_is_empty(const struct ovsdb_undo *undo)
{
    return ovs_list_is_empty(&undo->txns);
}

static void
undo_txn_destroy(struct undo_txn *ut, bool rolled_back)
{
    for (size_t i = 0; i < ut->n_rows; i++) {
        ovsdb_row_destroy(rolled_back ? ut->rows[i].new : ut->rows[i].old);
    }
    free(ut->rows);
    free(ut->refs);
    free(ut);
}

void
ovsdb_undo_forget(struct ovsdb_undo *undo)
{
    struct undo_txn *ut;

    LIST_FOR_EACH_POP (ut, node, &undo->txns) {
        undo_txn_destroy(ut, false);
    }
}

void
ovsdb_undo_rollback(struct ovsdb_db *db, struct ovsdb_undo *undo)
{
    while (!ovs_list_is_empty(&undo->txns)) {
        struct undo_txn *ut = CONTAINER_OF(undo->txns.prev,
                                           struct undo_txn, node);

        ovs_list_remove(&ut->node);

        for (size_t i = ut->n_refs; i-- > 0; ) {
            struct ref_delta *d = &ut->refs[i];
            struct ovsdb_row *row = ovsdb_table_get_row(d->table, &d->uuid);
            if (row) {
                row->n_refs -= d->delta;
            }
        }
        for (size_t i = ut->n_rows; i-- > 0; ) {
            struct undo_row *u = &ut->rows[i];
            struct ovsdb_table *table = u->table;

            if (u->old && u->new) {
                hmap_replace(&table->rows, &u->new->hmap_node,
                             &u->old->hmap_node);
                table_index_replace(table, u->new, u->old);
            } else if (u->new) {
                hmap_remove(&table->rows, &u->new->hmap_node);
                table_index_remove(table, u->new);
            } else {
                hmap_insert(&table->rows, &u->old->hmap_node,
                            uuid_hash(ovsdb_row_get_uuid(u->old)));
                table_index_insert(table, u->old);
            }
        }
        db->last_txn_id = ut->prev_txn_id;
        undo_txn_destroy(ut, true);
    }
}

void
ovsdb_txn_abort(struct ovsdb_txn *txn)
{
    struct txn_impl *impl = txn_impl(txn);
    struct ovsdb_txn_row *r;

    LIST_FOR_EACH_POP (r, node, &txn->rows) {
        if (r->old) {
            r->old->txn_row = NULL;
        }
        ovsdb_row_destroy(r->new);
        free(r->changed);
        free(r);
    }
    clear_ref_deltas(impl);
    hmap_destroy(&impl->ref_deltas);
    hmap_destroy(&txn->rows_by_uuid);
    free(txn->comment);
    free(impl);
}
