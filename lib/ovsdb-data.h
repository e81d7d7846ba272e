/* ovsdb-data.h: atoms and datums, the values of OVSDB (RFC 7047 5.1).
 *
 * An atom is one integer, real, boolean, string or uuid.  A datum is the
 * value of one column: 'n' keys (and, for a map, 'n' values) held in arrays
 * sorted by key with no duplicate key, whatever the column's type.  A scalar
 * is a datum with n == 1; an empty set or map has n == 0.
 *
 * Ownership: a datum owns its arrays and, for strings, the strings in them.
 * ovsdb_datum_destroy() needs the type, because the datum does not record
 * whether it holds strings.
 *
 * Sharing: ovsdb_datum_clone() does not copy.  The clone shares the
 * original's arrays, copy-on-write, and both stay valid until each is
 * destroyed, in any order.  So a shared datum is read-only: every function
 * here that modifies a datum (sort, union, subtract, add_unsafe, remove,
 * ...) first gives it arrays of its own, and code that writes into 'keys',
 * 'values' or 'n' directly must call ovsdb_datum_unshare() before it.  A
 * datum built by hand (or by any function here other than clone) is not
 * shared until someone clones it.  Sharing is tracked beside the datums,
 * not in them, for one thread: keep datums on one thread. */
#ifndef XSW_OVSDB_DATA_H
#define XSW_OVSDB_DATA_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <jansson.h>
#include "ovsdb-types.h"
#include "shash.h"
#include "uuid.h"

struct ovsdb_error;

union ovsdb_atom {
    int64_t integer;
    double real;
    bool boolean;
    char *string;          /* Owned, UTF-8, null-terminated. */
    struct uuid uuid;
};

/* Atoms. */
void ovsdb_atom_init_default(union ovsdb_atom *, enum ovsdb_atomic_type);
bool ovsdb_atom_is_default(const union ovsdb_atom *, enum ovsdb_atomic_type);
void ovsdb_atom_clone(union ovsdb_atom *dst, const union ovsdb_atom *src,
                      enum ovsdb_atomic_type);
void ovsdb_atom_destroy(union ovsdb_atom *, enum ovsdb_atomic_type);
uint32_t ovsdb_atom_hash(const union ovsdb_atom *, enum ovsdb_atomic_type,
                         uint32_t basis);
bool ovsdb_atom_equals(const union ovsdb_atom *, const union ovsdb_atom *,
                       enum ovsdb_atomic_type);
int ovsdb_atom_compare_3way(const union ovsdb_atom *,
                            const union ovsdb_atom *,
                            enum ovsdb_atomic_type);
/* Checks enum, bounds and string length (not references).  The error is a
 * "constraint violation" whose details quote the value and the limit. */
struct ovsdb_error *ovsdb_atom_check_constraints(
    const union ovsdb_atom *, const struct ovsdb_base_type *)
    __attribute__((warn_unused_result));

/* Named UUIDs: "uuid-name"s declared by insert operations in a transaction
 * (RFC 7047 5.2.1), and "@name"s in xsw-ctl command lines. */
struct ovsdb_symbol {
    struct uuid uuid;
    bool created;      /* Declared by an insert (or --id=@name create). */
    bool strong_ref;   /* Referenced through a strong reference. */
    bool weak_ref;     /* Referenced through a weak reference. */
};

struct ovsdb_symbol_table {
    struct shash sh;   /* name -> struct ovsdb_symbol *, owned. */
};

void ovsdb_symbol_table_init(struct ovsdb_symbol_table *);
void ovsdb_symbol_table_destroy(struct ovsdb_symbol_table *);
struct ovsdb_symbol *ovsdb_symbol_table_get(
    const struct ovsdb_symbol_table *, const char *name);
/* Adds 'name' with 'uuid' (not yet created). */
struct ovsdb_symbol *ovsdb_symbol_table_put(struct ovsdb_symbol_table *,
                                            const char *name,
                                            const struct uuid *, bool created);
/* Returns the symbol for 'name', adding one with a fresh random UUID. */
struct ovsdb_symbol *ovsdb_symbol_table_insert(struct ovsdb_symbol_table *,
                                               const char *name);

/* JSON <-> atom.  ["uuid", "..."] and, when 'symtab' is nonnull,
 * ["named-uuid", "name"] are accepted for uuids (a named-uuid not yet in
 * 'symtab' is added with a fresh UUID, as RFC 7047 allows forward
 * references within a transaction).  Constraints are not checked here. */
json_t *ovsdb_atom_to_json(const union ovsdb_atom *, enum ovsdb_atomic_type);

/* Text <-> atom, in ovs-vsctl's syntax: integers and reals as C literals,
 * "true"/"false", strings bare if they look like identifiers and otherwise
 * double-quoted with C escapes, UUIDs bare.  When 'symtab' is nonnull, a uuid
 * may be written "@name" and refers to that symbol ('*created' unused).
 * Used by xsw-ctl for command-line values and for --data=string output. */
char *ovsdb_atom_from_string(union ovsdb_atom *,
                             const struct ovsdb_base_type *, const char *,
                             struct ovsdb_symbol_table *symtab)
    __attribute__((warn_unused_result));   /* NULL, or an error to free. */
/* Appends the text form to a new string the caller frees. */
char *ovsdb_atom_to_string(const union ovsdb_atom *, enum ovsdb_atomic_type);
/* The bare form (strings unquoted), as ovs-vsctl --data=bare prints. */
char *ovsdb_atom_to_bare(const union ovsdb_atom *, enum ovsdb_atomic_type);

struct ovsdb_datum {
    unsigned int n;                /* Number of keys (and values). */
    union ovsdb_atom *keys;        /* Sorted, no duplicates. */
    union ovsdb_atom *values;      /* NULL unless a map. */
};

#define OVSDB_DATUM_EMPTY_INIT { 0, NULL, NULL }

/* Construction and destruction. */
void ovsdb_datum_init_empty(struct ovsdb_datum *);
/* The type's default: empty if n_min == 0, else one default atom
 * (0, 0.0, false, "", all-zeros uuid). */
void ovsdb_datum_init_default(struct ovsdb_datum *, const struct ovsdb_type *);
bool ovsdb_datum_is_default(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
/* O(1): 'dst' shares 'src''s arrays (see "Sharing" above), so 'src' must
 * own them: to copy a view of memory it does not own (an atom on the stack,
 * part of another datum's array), follow with ovsdb_datum_unshare(). */
void ovsdb_datum_clone(struct ovsdb_datum *dst, const struct ovsdb_datum *src,
                       const struct ovsdb_type *);
/* Gives a shared datum arrays of its own (a copy: memcpy, plus strdup for
 * strings); does nothing to one that is not shared.  Call it before writing
 * into a datum's arrays or changing its 'n' by hand.  A write into a shared
 * datum is a bug that the library reports (and aborts) when it next sees
 * the datum: always for a changed 'n', and in sanitizer builds for any
 * changed element. */
void ovsdb_datum_unshare(struct ovsdb_datum *, const struct ovsdb_type *);
bool ovsdb_datum_is_shared(const struct ovsdb_datum *);
void ovsdb_datum_destroy(struct ovsdb_datum *, const struct ovsdb_type *);
void ovsdb_datum_swap(struct ovsdb_datum *, struct ovsdb_datum *);

/* Sorts keys (and values with them).  Fails with "constraint violation" if
 * two keys are equal, naming the duplicate. */
struct ovsdb_error *ovsdb_datum_sort(struct ovsdb_datum *,
                                     const struct ovsdb_type *)
    __attribute__((warn_unused_result));
/* Sorts and drops duplicates (keeping the first value of a map key). */
void ovsdb_datum_sort_unique(struct ovsdb_datum *, const struct ovsdb_type *);

/* Checks every atom's constraints and the n_min/n_max bounds ("constraint
 * violation"). */
struct ovsdb_error *ovsdb_datum_check_constraints(
    const struct ovsdb_datum *, const struct ovsdb_type *)
    __attribute__((warn_unused_result));

/* JSON <-> datum, RFC 7047 5.1: a bare atom for a single-element set,
 * ["set", [...]], ["map", [[k, v], ...]].  Checks atom constraints, sorts,
 * rejects duplicate keys, and checks the size bounds. */
struct ovsdb_error *ovsdb_datum_from_json(struct ovsdb_datum *,
                                          const struct ovsdb_type *,
                                          const json_t *,
                                          struct ovsdb_symbol_table *symtab)
    __attribute__((warn_unused_result));
/* Like ovsdb_datum_from_json() but ignores n_min/n_max, for mutation and
 * update2 diff arguments whose size is checked after they are applied. */
struct ovsdb_error *ovsdb_datum_from_json_unbounded(
    struct ovsdb_datum *, const struct ovsdb_type *, const json_t *,
    struct ovsdb_symbol_table *symtab)
    __attribute__((warn_unused_result));
json_t *ovsdb_datum_to_json(const struct ovsdb_datum *,
                            const struct ovsdb_type *);

/* Text forms as xsw-ctl/ovs-vsctl read and print them: "a", "[a, b]",
 * "{k=v, k2=v2}", "[]" / "{}" when empty.  from_string returns NULL or an
 * error message the caller frees. */
char *ovsdb_datum_from_string(struct ovsdb_datum *, const struct ovsdb_type *,
                              const char *, struct ovsdb_symbol_table *)
    __attribute__((warn_unused_result));
char *ovsdb_datum_to_string(const struct ovsdb_datum *,
                            const struct ovsdb_type *);
char *ovsdb_datum_to_bare(const struct ovsdb_datum *,
                          const struct ovsdb_type *);

/* Comparison. Datums of the same type. */
uint32_t ovsdb_datum_hash(const struct ovsdb_datum *,
                          const struct ovsdb_type *, uint32_t basis);
bool ovsdb_datum_equals(const struct ovsdb_datum *,
                        const struct ovsdb_datum *,
                        const struct ovsdb_type *);
int ovsdb_datum_compare_3way(const struct ovsdb_datum *,
                             const struct ovsdb_datum *,
                             const struct ovsdb_type *);

/* Index of 'key' in 'datum', or UINT_MAX (binary search). */
unsigned int ovsdb_datum_find_key(const struct ovsdb_datum *,
                                  const union ovsdb_atom *key,
                                  enum ovsdb_atomic_type);
/* Index of the key-value pair, or UINT_MAX. */
unsigned int ovsdb_datum_find_key_value(const struct ovsdb_datum *,
                                        const union ovsdb_atom *key,
                                        enum ovsdb_atomic_type key_type,
                                        const union ovsdb_atom *value,
                                        enum ovsdb_atomic_type value_type);

/* Set relations, as RFC 7047's "includes"/"excludes" define them: 'b'
 * includes 'a' if every key (key-value pair for maps) of 'a' is in 'b'. */
bool ovsdb_datum_includes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);
bool ovsdb_datum_excludes_all(const struct ovsdb_datum *a,
                              const struct ovsdb_datum *b,
                              const struct ovsdb_type *);

/* Mutator helpers. */
/* Adds to 'a' every key (pair) of 'b' whose key 'a' lacks ("insert").  A
 * few keys into a large 'a' cost O(log n) comparisons each plus one copy of
 * 'a''s arrays. */
void ovsdb_datum_union(struct ovsdb_datum *a, const struct ovsdb_datum *b,
                       const struct ovsdb_type *);
/* Removes from 'a' every key of 'b' ('b_type' is a set of keys), or for a
 * map 'b' every matching key-value pair ("delete"). */
void ovsdb_datum_subtract(struct ovsdb_datum *a,
                          const struct ovsdb_type *a_type,
                          const struct ovsdb_datum *b,
                          const struct ovsdb_type *b_type);
/* Appends one key (value) without sorting; call ovsdb_datum_sort* after. */
void ovsdb_datum_add_unsafe(struct ovsdb_datum *, const union ovsdb_atom *key,
                            const union ovsdb_atom *value,
                            const struct ovsdb_type *);
/* Removes element 'idx', keeping order. */
void ovsdb_datum_remove(struct ovsdb_datum *, unsigned int idx,
                        const struct ovsdb_type *);

/* update2 "modify" diffs (Open vSwitch extension to RFC 7047).
 * For a column that holds at most one value (max 1: scalars, optional
 * values, maps of at most one pair) the diff is the new value, an empty
 * set when it becomes empty, as ovsdb-server(7) and Open vSwitch's
 * ovsdb_datum_diff() have it.  For a larger set: the symmetric difference
 * of old and new.  For a larger map: the keys removed (with their old
 * values), the keys added, and for a changed value the key with its new
 * value. */
void ovsdb_datum_diff(struct ovsdb_datum *diff,
                      const struct ovsdb_datum *old,
                      const struct ovsdb_datum *new,
                      const struct ovsdb_type *);
/* Applies 'diff' to 'old' giving 'new', checking the size bounds. */
struct ovsdb_error *ovsdb_datum_apply_diff(struct ovsdb_datum *new,
                                           const struct ovsdb_datum *old,
                                           const struct ovsdb_datum *diff,
                                           const struct ovsdb_type *)
    __attribute__((warn_unused_result));

#endif /* ovsdb-data.h */
