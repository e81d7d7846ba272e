/* test-db.c: the in-memory database and its transactions (db.h), through
 * the API that the storage, monitor and server code use. */
#include <config.h>
#include <check.h>
#include <stdlib.h>
#include <string.h>

#include "dbserver/db.h"
#include "ovsdb-error.h"
#include "ovsdb-schema.h"

static struct ovsdb_db *db;
static struct ovsdb_table *root, *child, *target;

static void
setup(void)
{
    const char *srcdir = getenv("top_srcdir");
    char *path = xasprintf("%s/tests/schemas/test.ovsschema",
                           srcdir ? srcdir : ".");
    struct ovsdb_schema *schema;
    struct ovsdb_error *error = ovsdb_schema_from_file(path, &schema);

    ck_assert_msg(!error, "%s: %s", path,
                  error ? ovsdb_error_to_string(error) : "");
    free(path);
    db = ovsdb_db_create(schema);
    root = ovsdb_db_get_table(db, "Root");
    child = ovsdb_db_get_table(db, "Child");
    target = ovsdb_db_get_table(db, "Target");
    ck_assert(root && child && target);
}

static void
teardown(void)
{
    ovsdb_db_destroy(db);
}

static const struct ovsdb_column *
column(const struct ovsdb_table *t, const char *name)
{
    const struct ovsdb_column *c = ovsdb_table_schema_get_column(t->schema,
                                                                 name);
    ck_assert_msg(c, "no column %s", name);
    return c;
}

/* Sets string column 'name' of 'row' to 's'. */
static void
set_string(struct ovsdb_row *row, const char *name, const char *s)
{
    const struct ovsdb_column *c = column(row->table, name);
    struct ovsdb_datum *d = &row->fields[c->index];

    ck_assert_int_eq(d->n, 1);
    ovsdb_datum_unshare(d, &c->type);     /* A txn's copy shares it. */
    free(d->keys[0].string);
    d->keys[0].string = xstrdup(s);
}

static const char *
get_string(const struct ovsdb_row *row, const char *name)
{
    return row->fields[column(row->table, name)->index].keys[0].string;
}

/* Adds 'uuid' to set column 'name' of 'row'. */
static void
add_uuid(struct ovsdb_row *row, const char *name, const struct uuid *uuid)
{
    const struct ovsdb_column *c = column(row->table, name);
    union ovsdb_atom atom;

    atom.uuid = *uuid;
    ovsdb_datum_add_unsafe(&row->fields[c->index], &atom, NULL, &c->type);
    ovsdb_datum_sort_unique(&row->fields[c->index], &c->type);
}

/* Commits a transaction inserting a Root row named 'name'; returns it. */
static struct ovsdb_row *
commit_root(const char *name)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *row = ovsdb_row_create(root, NULL);
    struct uuid uuid = *ovsdb_row_get_uuid(row);

    set_string(row, "name", name);
    ovsdb_txn_row_insert(txn, row);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);
    return ovsdb_table_get_row(root, &uuid);
}

static void
expect_error(struct ovsdb_error *error, const char *tag)
{
    ck_assert_msg(error, "expected %s", tag);
    ck_assert_str_eq(ovsdb_error_get_tag(error), tag);
    ovsdb_error_destroy(error);
}

START_TEST(test_row_create_clone)
{
    struct uuid uuid;
    uuid_generate(&uuid);

    struct ovsdb_row *row = ovsdb_row_create(root, &uuid);
    ck_assert(uuid_equals(ovsdb_row_get_uuid(row), &uuid));
    ck_assert_str_eq(get_string(row, "name"), "");
    set_string(row, "name", "x");

    struct ovsdb_row *copy = ovsdb_row_clone(row);
    ck_assert(uuid_equals(ovsdb_row_get_uuid(copy), &uuid));
    ck_assert_str_eq(get_string(copy, "name"), "x");
    set_string(copy, "name", "y");
    ck_assert_str_eq(get_string(row, "name"), "x");

    struct ovsdb_column_set cs;
    ovsdb_column_set_init(&cs);
    ovsdb_column_set_add(&cs, column(root, "name"));
    json_t *json = ovsdb_row_to_json(copy, &cs);
    char *s = json_dumps(json, JSON_COMPACT);
    ck_assert_str_eq(s, "{\"name\":\"y\"}");
    free(s);
    json_decref(json);
    json = ovsdb_row_to_json(copy, NULL);
    ck_assert_int_eq(json_object_size(json), root->schema->n_columns);
    json_decref(json);
    ovsdb_column_set_destroy(&cs);

    ovsdb_row_destroy(row);
    ovsdb_row_destroy(copy);
    ovsdb_row_destroy(ovsdb_row_create(root, NULL));
}
END_TEST

/* A txn's copy of a row shares every column with the committed row until
 * it writes one, and a committed version held with ovsdb_row_ref() (as the
 * monitor history holds them) survives the txns that replace it,
 * unchanged. */
START_TEST(test_row_versions_share)
{
    struct ovsdb_row *a = commit_root("a");
    struct uuid a_uuid = *ovsdb_row_get_uuid(a);
    struct uuid a_version = a->fields[OVSDB_COL_VERSION].keys[0].uuid;
    const struct ovsdb_column *kids = column(root, "children");
    const struct ovsdb_column *name = column(root, "name");

    /* Give 'a' a large set, so that copying it would show. */
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *w = ovsdb_txn_row_modify(txn, a);
    for (int i = 0; i < 1000; i++) {
        struct ovsdb_row *c = ovsdb_row_create(child, NULL);
        ovsdb_txn_row_insert(txn, c);
        add_uuid(w, "children", ovsdb_row_get_uuid(c));
    }
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);
    a = ovsdb_table_get_row(root, &a_uuid);
    a_version = a->fields[OVSDB_COL_VERSION].keys[0].uuid;

    struct ovsdb_row *held = ovsdb_row_ref(a);
    txn = ovsdb_txn_create(db);
    w = ovsdb_txn_row_modify(txn, a);
    for (unsigned int i = 0; i < root->schema->n_columns; i++) {
        ck_assert_ptr_eq(w->fields[i].keys, a->fields[i].keys);
    }
    set_string(w, "name", "a2");
    ck_assert_ptr_ne(w->fields[name->index].keys,
                     a->fields[name->index].keys);
    ck_assert_ptr_eq(w->fields[kids->index].keys,
                     a->fields[kids->index].keys);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);

    /* The held version is the old one, _version included. */
    struct ovsdb_row *now = ovsdb_table_get_row(root, &a_uuid);
    ck_assert_ptr_ne(now, held);
    ck_assert_str_eq(get_string(held, "name"), "a");
    ck_assert_str_eq(get_string(now, "name"), "a2");
    ck_assert(uuid_equals(&held->fields[OVSDB_COL_VERSION].keys[0].uuid,
                          &a_version));
    ck_assert(!uuid_equals(&now->fields[OVSDB_COL_VERSION].keys[0].uuid,
                           &a_version));
    ck_assert_uint_eq(held->fields[kids->index].n, 1000);
    ck_assert_ptr_eq(held->fields[kids->index].keys,
                     now->fields[kids->index].keys);
    ovsdb_row_destroy(held);

    /* Deleting the row: a held version still outlives it. */
    held = ovsdb_row_ref(now);
    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, now);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);
    ck_assert_ptr_null(ovsdb_table_get_row(root, &a_uuid));
    ck_assert_str_eq(get_string(held, "name"), "a2");
    ck_assert_uint_eq(held->fields[kids->index].n, 1000);
    ovsdb_row_destroy(held);
}
END_TEST

/* A row that the txn modifies anyway loses its weak references to the rows
 * the txn deletes, even though its weak column did not change; without
 * deletions, its weak column is left alone (still shared, not copied). */
START_TEST(test_weak_refs_of_modified_row)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *t1 = ovsdb_row_create(target, NULL);
    struct ovsdb_row *t2 = ovsdb_row_create(target, NULL);
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct uuid t1_uuid = *ovsdb_row_get_uuid(t1);
    struct uuid t2_uuid = *ovsdb_row_get_uuid(t2);
    struct uuid r_uuid = *ovsdb_row_get_uuid(r);
    unsigned int weak_idx = column(root, "weak")->index;

    add_uuid(r, "weak", &t1_uuid);
    add_uuid(r, "weak", &t2_uuid);
    ovsdb_txn_row_insert(txn, t1);
    ovsdb_txn_row_insert(txn, t2);
    ovsdb_txn_row_insert(txn, r);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);

    /* Renaming: the weak column stays as it was, arrays and all. */
    struct ovsdb_row *old = ovsdb_table_get_row(root, &r_uuid);
    txn = ovsdb_txn_create(db);
    struct ovsdb_row *w = ovsdb_txn_row_modify(txn, old);
    set_string(w, "name", "renamed");
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ck_assert_ptr_eq(w->fields[weak_idx].keys, old->fields[weak_idx].keys);
    ck_assert(!ovsdb_txn_row_column_changed(old->txn_row, weak_idx));
    ovsdb_txn_commit(txn);

    /* Renaming again while deleting t1: t1 goes from the weak column. */
    old = ovsdb_table_get_row(root, &r_uuid);
    txn = ovsdb_txn_create(db);
    w = ovsdb_txn_row_modify(txn, old);
    set_string(w, "name", "again");
    ovsdb_txn_row_delete(txn, ovsdb_table_get_row(target, &t1_uuid));
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ck_assert(ovsdb_txn_row_column_changed(old->txn_row, weak_idx));
    ovsdb_txn_commit(txn);
    r = ovsdb_table_get_row(root, &r_uuid);
    ck_assert_int_eq(r->fields[weak_idx].n, 1);
    ck_assert(uuid_equals(&r->fields[weak_idx].keys[0].uuid, &t2_uuid));
    ck_assert_str_eq(get_string(r, "name"), "again");
}
END_TEST

START_TEST(test_txn_views_and_abort)
{
    struct ovsdb_row *a = commit_root("a");
    struct ovsdb_row *b = commit_root("b");
    struct uuid a_uuid = *ovsdb_row_get_uuid(a);
    struct uuid b_uuid = *ovsdb_row_get_uuid(b);
    struct uuid version = a->fields[OVSDB_COL_VERSION].keys[0].uuid;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    ck_assert(ovsdb_txn_is_empty(txn));

    struct ovsdb_row *a2 = ovsdb_txn_row_modify(txn, a);
    ck_assert_ptr_ne(a2, a);
    ck_assert_ptr_eq(ovsdb_txn_row_modify(txn, a), a2);
    ck_assert_ptr_eq(ovsdb_txn_row_modify(txn, a2), a2);
    ck_assert(ovsdb_txn_is_empty(txn));     /* Unchanged copy. */
    set_string(a2, "name", "a2");
    ck_assert(!ovsdb_txn_is_empty(txn));

    ovsdb_txn_row_delete(txn, b);
    struct ovsdb_row *c = ovsdb_row_create(root, NULL);
    set_string(c, "name", "c");
    ovsdb_txn_row_insert(txn, c);

    /* The txn sees its own changes; the tables do not. */
    ck_assert_ptr_eq(ovsdb_txn_get_row(txn, root, &a_uuid), a2);
    ck_assert_ptr_null(ovsdb_txn_get_row(txn, root, &b_uuid));
    ck_assert_ptr_eq(ovsdb_txn_get_row(txn, root, ovsdb_row_get_uuid(c)), c);
    ck_assert_ptr_eq(ovsdb_table_get_row(root, &a_uuid), a);
    ck_assert_ptr_eq(ovsdb_table_get_row(root, &b_uuid), b);
    ck_assert_str_eq(get_string(a, "name"), "a");
    ck_assert_int_eq(hmap_count(&root->rows), 2);
    ck_assert(!ovsdb_txn_may_create_row(txn, root, &b_uuid));
    ck_assert(!ovsdb_txn_may_create_row(txn, root, ovsdb_row_get_uuid(c)));

    ovsdb_txn_abort(txn);
    ck_assert_ptr_eq(ovsdb_table_get_row(root, &a_uuid), a);
    ck_assert_ptr_eq(ovsdb_table_get_row(root, &b_uuid), b);
    ck_assert_ptr_null(a->txn_row);
    ck_assert_ptr_null(b->txn_row);
    ck_assert_str_eq(get_string(a, "name"), "a");
    ck_assert(uuid_equals(&a->fields[OVSDB_COL_VERSION].keys[0].uuid,
                          &version));
    ck_assert_int_eq(hmap_count(&root->rows), 2);
}
END_TEST

static bool
collect_name(const struct ovsdb_row *row, void *names_)
{
    char *names = names_;
    strcat(names, get_string(row, "name"));
    return true;
}

START_TEST(test_txn_for_each_row)
{
    struct ovsdb_row *a = commit_root("a");
    struct ovsdb_row *b = commit_root("b");
    struct ovsdb_txn *txn = ovsdb_txn_create(db);

    set_string(ovsdb_txn_row_modify(txn, a), "name", "A");
    ovsdb_txn_row_delete(txn, b);
    struct ovsdb_row *c = ovsdb_row_create(root, NULL);
    set_string(c, "name", "c");
    ovsdb_txn_row_insert(txn, c);

    char names[16] = "";
    ovsdb_txn_for_each_row(txn, root, collect_name, names);
    ck_assert_int_eq(strlen(names), 2);
    ck_assert(strchr(names, 'A') && strchr(names, 'c'));
    ovsdb_txn_abort(txn);
}
END_TEST

START_TEST(test_commit_changes)
{
    struct ovsdb_row *a = commit_root("a");
    struct ovsdb_row *b = commit_root("b");
    struct uuid a_uuid = *ovsdb_row_get_uuid(a);
    struct uuid b_uuid = *ovsdb_row_get_uuid(b);
    struct uuid a_version = a->fields[OVSDB_COL_VERSION].keys[0].uuid;
    struct uuid b_version = b->fields[OVSDB_COL_VERSION].keys[0].uuid;
    unsigned int name_idx = column(root, "name")->index;
    unsigned int i_idx = column(root, "i")->index;

    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct uuid txn_id = txn->txn_id;
    set_string(ovsdb_txn_row_modify(txn, a), "name", "a2");
    struct ovsdb_row *b2 = ovsdb_txn_row_modify(txn, b);
    set_string(b2, "name", "tmp");
    set_string(b2, "name", "b");            /* Back to where it was. */
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));

    const struct ovsdb_txn_row *ra = a->txn_row, *rb = b->txn_row;
    ck_assert(ra->has_changes);
    ck_assert(ovsdb_txn_row_column_changed(ra, name_idx));
    ck_assert(ovsdb_txn_row_column_changed(ra, OVSDB_COL_VERSION));
    ck_assert(!ovsdb_txn_row_column_changed(ra, i_idx));
    ck_assert(!ovsdb_txn_row_column_changed(ra, OVSDB_COL_UUID));
    ck_assert(!rb->has_changes);
    ck_assert(!ovsdb_txn_row_column_changed(rb, name_idx));
    ck_assert(!ovsdb_txn_row_column_changed(rb, OVSDB_COL_VERSION));

    ovsdb_txn_commit(txn);
    ck_assert(uuid_equals(&db->last_txn_id, &txn_id));
    a = ovsdb_table_get_row(root, &a_uuid);
    b = ovsdb_table_get_row(root, &b_uuid);
    ck_assert_str_eq(get_string(a, "name"), "a2");
    ck_assert(!uuid_equals(&a->fields[OVSDB_COL_VERSION].keys[0].uuid,
                           &a_version));
    ck_assert(uuid_equals(&b->fields[OVSDB_COL_VERSION].keys[0].uuid,
                          &b_version));
    ck_assert_ptr_null(a->txn_row);

    /* The index follows the new value: "a" is free again, "a2" is not. */
    commit_root("a");
    txn = ovsdb_txn_create(db);
    struct ovsdb_row *dup = ovsdb_row_create(root, NULL);
    set_string(dup, "name", "a2");
    ovsdb_txn_row_insert(txn, dup);
    expect_error(ovsdb_txn_precommit(txn), "constraint violation");
    ovsdb_txn_abort(txn);
    ck_assert_int_eq(hmap_count(&root->rows), 3);
    ck_assert_int_eq(hmap_count(&root->indexes[0]), 3);
}
END_TEST

START_TEST(test_insert_delete_changes)
{
    struct ovsdb_row *a = commit_root("a");
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *c = ovsdb_row_create(root, NULL);

    ovsdb_txn_row_insert(txn, c);
    ovsdb_txn_row_delete(txn, a);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    for (unsigned int i = 0; i < root->schema->n_columns; i++) {
        ck_assert(ovsdb_txn_row_column_changed(c->txn_row, i));
        ck_assert(ovsdb_txn_row_column_changed(a->txn_row, i));
    }
    ck_assert_int_eq(ovs_list_size(&txn->rows), 2);
    ovsdb_txn_commit(txn);
    ck_assert_int_eq(hmap_count(&root->rows), 1);
    ck_assert_int_eq(hmap_count(&root->indexes[0]), 1);

    /* Inserting and deleting in one txn leaves nothing behind. */
    txn = ovsdb_txn_create(db);
    c = ovsdb_row_create(root, NULL);
    ovsdb_txn_row_insert(txn, c);
    ovsdb_txn_row_delete(txn, c);
    ck_assert(ovsdb_txn_is_empty(txn));
    ck_assert(ovs_list_is_empty(&txn->rows));
    ovsdb_txn_abort(txn);
}
END_TEST

/* A root row with 300 children; one transaction drops one child from the
 * middle of the set and references a new one: only those two counts move,
 * and the dropped child is collected.  (Reference sets are merged with
 * their equal head and tail skipped in blocks of 64: 300 exercises the
 * blocks on both sides.) */
START_TEST(test_ref_counts_large_set)
{
    enum { N = 300 };
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct uuid r_uuid = *ovsdb_row_get_uuid(r);
    const struct ovsdb_column *col = column(root, "children");
    struct uuid kids[N];

    set_string(r, "name", "big");
    for (int i = 0; i < N; i++) {
        struct ovsdb_row *c = ovsdb_row_create(child, NULL);
        kids[i] = *ovsdb_row_get_uuid(c);
        add_uuid(r, "children", &kids[i]);
        ovsdb_txn_row_insert(txn, c);
    }
    ovsdb_txn_row_insert(txn, r);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);

    /* The child in the middle of the sorted set. */
    const struct ovsdb_row *committed = ovsdb_table_get_row(root, &r_uuid);
    struct uuid victim = committed->fields[col->index].keys[N / 2].uuid;
    struct ovsdb_row *newkid = ovsdb_row_create(child, NULL);
    struct uuid newkid_uuid = *ovsdb_row_get_uuid(newkid);

    txn = ovsdb_txn_create(db);
    r = ovsdb_txn_row_modify(txn, committed);
    ovsdb_datum_remove(&r->fields[col->index], N / 2, &col->type);
    add_uuid(r, "children", &newkid_uuid);
    ovsdb_txn_row_insert(txn, newkid);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);

    ck_assert_ptr_null(ovsdb_table_get_row(child, &victim));
    ck_assert_int_eq(ovsdb_table_get_row(child, &newkid_uuid)->n_refs, 1);
    for (int i = 0; i < N; i++) {
        if (!uuid_equals(&kids[i], &victim)) {
            ck_assert_int_eq(ovsdb_table_get_row(child, &kids[i])->n_refs,
                             1);
        }
    }
}
END_TEST

START_TEST(test_ref_counts_and_gc)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct ovsdb_row *c = ovsdb_row_create(child, NULL);
    struct uuid r_uuid = *ovsdb_row_get_uuid(r);
    struct uuid c_uuid = *ovsdb_row_get_uuid(c);

    set_string(r, "name", "r");
    add_uuid(r, "children", &c_uuid);
    ovsdb_txn_row_insert(txn, r);
    ovsdb_txn_row_insert(txn, c);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);
    c = ovsdb_table_get_row(child, &c_uuid);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(c->n_refs, 1);

    /* Deleting the child while referenced fails, and the abort restores
     * everything. */
    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, c);
    expect_error(ovsdb_txn_precommit(txn), "referential integrity violation");
    ovsdb_txn_abort(txn);
    ck_assert_ptr_eq(ovsdb_table_get_row(child, &c_uuid), c);
    ck_assert_int_eq(c->n_refs, 1);

    /* Dropping the reference collects the child. */
    txn = ovsdb_txn_create(db);
    r = ovsdb_txn_row_modify(txn, ovsdb_table_get_row(root, &r_uuid));
    const struct ovsdb_column *col = column(root, "children");
    ovsdb_datum_destroy(&r->fields[col->index], &col->type);
    ovsdb_datum_init_empty(&r->fields[col->index]);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ck_assert_int_eq(ovs_list_size(&txn->rows), 2);   /* GC is visible. */
    ck_assert_ptr_null(ovsdb_table_get_row(child, &c_uuid)->txn_row->new);
    ovsdb_txn_commit(txn);
    ck_assert_ptr_null(ovsdb_table_get_row(child, &c_uuid));
}
END_TEST

/* Committed txns taken back with their undo log: rows, the name index,
 * reference counts (of rows the txns did not touch too) and last_txn_id
 * are as before them, even after a row was modified twice and one was
 * garbage-collected. */
START_TEST(test_undo_rollback)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct ovsdb_row *c = ovsdb_row_create(child, NULL);
    struct uuid r_uuid = *ovsdb_row_get_uuid(r);
    struct uuid c_uuid = *ovsdb_row_get_uuid(c);
    const struct ovsdb_column *children = column(root, "children");

    set_string(r, "name", "r");
    add_uuid(r, "children", &c_uuid);
    ovsdb_txn_row_insert(txn, r);
    ovsdb_txn_row_insert(txn, c);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);
    struct ovsdb_row *r0 = ovsdb_table_get_row(root, &r_uuid);
    struct ovsdb_row *c0 = ovsdb_table_get_row(child, &c_uuid);
    struct uuid id0 = db->last_txn_id;

    struct ovsdb_undo undo;
    ovsdb_undo_init(&undo);
    ck_assert(ovsdb_undo_is_empty(&undo));

    /* A: a second child, r renamed, and a second root that refers to c,
     * which A does not touch otherwise. */
    txn = ovsdb_txn_create(db);
    struct ovsdb_row *c2 = ovsdb_row_create(child, NULL);
    struct uuid c2_uuid = *ovsdb_row_get_uuid(c2);
    struct ovsdb_row *rb = ovsdb_row_create(root, NULL);
    set_string(rb, "name", "rb");
    add_uuid(rb, "children", &c_uuid);
    ovsdb_txn_row_insert(txn, rb);
    ovsdb_txn_row_insert(txn, c2);
    r = ovsdb_txn_row_modify(txn, r0);
    set_string(r, "name", "r2");
    add_uuid(r, "children", &c2_uuid);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit_undoable(txn, &undo);
    ck_assert_int_eq(ovsdb_table_get_row(child, &c2_uuid)->n_refs, 1);
    ck_assert_int_eq(c0->n_refs, 2);

    /* B: r renamed again, with c alone as its child: c2 is collected. */
    txn = ovsdb_txn_create(db);
    r = ovsdb_txn_row_modify(txn, ovsdb_table_get_row(root, &r_uuid));
    set_string(r, "name", "r3");
    ovsdb_datum_destroy(&r->fields[children->index], &children->type);
    ovsdb_datum_init_empty(&r->fields[children->index]);
    add_uuid(r, "children", &c_uuid);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit_undoable(txn, &undo);
    ck_assert_int_eq(hmap_count(&child->rows), 1);
    ck_assert_int_eq(c0->n_refs, 2);
    ck_assert(!ovsdb_undo_is_empty(&undo));

    ovsdb_undo_rollback(db, &undo);
    ck_assert(ovsdb_undo_is_empty(&undo));
    ck_assert_ptr_eq(ovsdb_table_get_row(root, &r_uuid), r0);
    ck_assert_str_eq(get_string(r0, "name"), "r");
    ck_assert_int_eq(r0->fields[children->index].n, 1);
    ck_assert_ptr_eq(ovsdb_table_get_row(child, &c_uuid), c0);
    ck_assert_ptr_null(ovsdb_table_get_row(child, &c2_uuid));
    ck_assert_int_eq(hmap_count(&child->rows), 1);
    ck_assert_int_eq(hmap_count(&root->rows), 1);
    ck_assert_int_eq(c0->n_refs, 1);
    ck_assert_ptr_null(r0->txn_row);
    ck_assert(uuid_equals(&db->last_txn_id, &id0));

    /* The name index holds "r" again, and neither "r2" nor "r3". */
    txn = ovsdb_txn_create(db);
    struct ovsdb_row *dup = ovsdb_row_create(root, NULL);
    set_string(dup, "name", "r");
    ovsdb_txn_row_insert(txn, dup);
    expect_error(ovsdb_txn_precommit(txn), "constraint violation");
    ovsdb_txn_abort(txn);
    ck_assert_ptr_nonnull(commit_root("r2"));
    ck_assert_ptr_nonnull(commit_root("r3"));

    /* Deleting the child now fails: its count is right. */
    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, c0);
    expect_error(ovsdb_txn_precommit(txn), "referential integrity violation");
    ovsdb_txn_abort(txn);

    /* Forgetting keeps what was committed. */
    txn = ovsdb_txn_create(db);
    r = ovsdb_txn_row_modify(txn, r0);
    set_string(r, "name", "r4");
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit_undoable(txn, &undo);
    ovsdb_undo_forget(&undo);
    ck_assert(ovsdb_undo_is_empty(&undo));
    ck_assert_str_eq(get_string(ovsdb_table_get_row(root, &r_uuid), "name"),
                     "r4");
}
END_TEST

START_TEST(test_load)
{
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct ovsdb_row *c = ovsdb_row_create(child, NULL);
    struct ovsdb_row *r2 = ovsdb_row_create(root, NULL);

    set_string(r, "name", "r");
    set_string(r2, "name", "r2");
    add_uuid(r, "children", ovsdb_row_get_uuid(c));
    add_uuid(r2, "children", ovsdb_row_get_uuid(c));
    ovsdb_db_load_row(db, r);
    ovsdb_db_load_row(db, c);
    ovsdb_db_load_row(db, r2);
    ck_assert_ptr_null(ovsdb_db_finish_load(db));
    ck_assert_int_eq(c->n_refs, 2);
    ck_assert_int_eq(hmap_count(&root->indexes[0]), 2);
    ck_assert_ptr_eq(ovsdb_table_get_row(child, ovsdb_row_get_uuid(c)), c);

    /* A dangling strong reference is an error. */
    struct ovsdb_row *bad = ovsdb_row_create(root, NULL);
    struct uuid nowhere;
    uuid_generate(&nowhere);
    set_string(bad, "name", "bad");
    add_uuid(bad, "children", &nowhere);
    ovsdb_db_load_row(db, bad);
    expect_error(ovsdb_db_finish_load(db), "referential integrity violation");
}
END_TEST

START_TEST(test_weak_ref_cleanup)
{
    struct ovsdb_txn *txn = ovsdb_txn_create(db);
    struct ovsdb_row *t = ovsdb_row_create(target, NULL);
    struct ovsdb_row *r = ovsdb_row_create(root, NULL);
    struct uuid t_uuid = *ovsdb_row_get_uuid(t);
    struct uuid r_uuid = *ovsdb_row_get_uuid(r);

    add_uuid(r, "weak", &t_uuid);
    ovsdb_txn_row_insert(txn, t);
    ovsdb_txn_row_insert(txn, r);
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    ovsdb_txn_commit(txn);

    unsigned int weak_idx = column(root, "weak")->index;
    r = ovsdb_table_get_row(root, &r_uuid);
    ck_assert_int_eq(r->fields[weak_idx].n, 1);

    txn = ovsdb_txn_create(db);
    ovsdb_txn_row_delete(txn, ovsdb_table_get_row(target, &t_uuid));
    ck_assert_ptr_null(ovsdb_txn_precommit(txn));
    /* The referencing row joined the txn, modified. */
    ck_assert_ptr_nonnull(r->txn_row);
    ck_assert(ovsdb_txn_row_column_changed(r->txn_row, weak_idx));
    ovsdb_txn_commit(txn);
    r = ovsdb_table_get_row(root, &r_uuid);
    ck_assert_int_eq(r->fields[weak_idx].n, 0);
}
END_TEST

static Suite *
db_suite(void)
{
    Suite *s = suite_create("db");
    TCase *tc = tcase_create("core");

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_add_test(tc, test_row_create_clone);
    tcase_add_test(tc, test_txn_views_and_abort);
    tcase_add_test(tc, test_txn_for_each_row);
    tcase_add_test(tc, test_commit_changes);
    tcase_add_test(tc, test_insert_delete_changes);
    tcase_add_test(tc, test_ref_counts_and_gc);
    tcase_add_test(tc, test_undo_rollback);
    tcase_add_test(tc, test_ref_counts_large_set);
    tcase_add_test(tc, test_load);
    tcase_add_test(tc, test_weak_ref_cleanup);
    tcase_add_test(tc, test_row_versions_share);
    tcase_add_test(tc, test_weak_refs_of_modified_row);
    suite_add_tcase(s, tc);
    return s;
}

int
main(void)
{
    SRunner *sr = srunner_create(db_suite());
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
