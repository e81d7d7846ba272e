/* iface-state.c: writing an interface's state back to the database. */
#include <config.h>
#include "iface-state.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "idl.h"
#include "ovsdb-data.h"
#include "ovsdb-types.h"
#include "util.h"

void
iface_state_init(struct iface_state *state)
{
    memset(state, 0, sizeof *state);
    state->ofport = -1;
    shash_init(&state->status);
}

void
iface_state_destroy(struct iface_state *state)
{
    if (state) {
        free(state->error);
        shash_destroy_free_data(&state->status);
    }
}

void
iface_state_add_status(struct iface_state *state, const char *key,
                       const char *value)
{
    free(shash_replace(&state->status, key, xstrdup(value)));
}

void
iface_state_register_columns(struct ovsdb_idl_table *interface)
{
    static const char *const columns[] = {
        "ofport", "mac_in_use", "ifindex", "link_state", "admin_state",
        "mtu", "statistics", "status", "error",
    };

    for (size_t i = 0; i < ARRAY_SIZE(columns); i++) {
        ovsdb_idl_add_column(interface, columns[i]);
    }
}

bool
iface_state_write_if_changed(const struct ovsdb_idl_row *row,
                             const struct ovsdb_idl_column *column,
                             struct ovsdb_datum *datum)
{
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(column);
    const struct ovsdb_datum *old = ovsdb_idl_row_get_datum(row, column);

    if (!old) {
        ovsdb_datum_destroy(datum, type);
        return false;
    }
    ovsdb_datum_sort_unique(datum, type);
    if (ovsdb_datum_equals(datum, old, type)) {
        ovsdb_datum_destroy(datum, type);
        return false;
    }
    ovsdb_idl_txn_write(row, column, datum);
    ovsdb_datum_destroy(datum, type);   /* Left empty by the write. */
    return true;
}

unsigned int
iface_state_write_owned_keys(const struct ovsdb_idl_row *row,
                             const struct ovsdb_idl_column *column,
                             const char *const *owned, size_t n_owned,
                             const struct shash *values)
{
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(column);
    const struct ovsdb_datum *old = ovsdb_idl_row_get_datum(row, column);
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    struct shash_node *node;

    if (!type || type->key.type != OVSDB_TYPE_STRING
        || type->value.type != OVSDB_TYPE_STRING || !old) {
        return 0;
    }
    for (unsigned int i = 0; i < old->n; i++) {
        const char *key = old->keys[i].string;
        size_t j;

        for (j = 0; j < n_owned && strcmp(key, owned[j]); j++) {
            continue;
        }
        if (j == n_owned) {
            ovsdb_datum_add_unsafe(&datum, &old->keys[i], &old->values[i],
                                   type);
        }
    }
    if (values) {
        SHASH_FOR_EACH (node, values) {
            union ovsdb_atom k = { .string = node->name };
            union ovsdb_atom v = { .string = node->data };
            ovsdb_datum_add_unsafe(&datum, &k, &v, type);
        }
    }
    return iface_state_write_if_changed(row, column, &datum);
}

void
iface_state_string_set(struct ovsdb_datum *datum, const char *const *strings,
                       size_t n)
{
    ovsdb_datum_init_empty(datum);
    datum->keys = xcalloc(n ? n : 1, sizeof *datum->keys);
    for (size_t i = 0; i < n; i++) {
        datum->keys[i].string = xstrdup(strings[i]);
    }
    datum->n = n;
}

/* A column whose type we check before building a value for it: the
 * server's schema could in principle differ from the one we expect, and a
 * value of the wrong type must never reach the transaction. */
struct column_ref {
    const struct ovsdb_idl_row *row;
    const struct ovsdb_idl_column *column;
    const struct ovsdb_type *type;
};

static bool
column_ref_init(struct column_ref *ref, const struct ovsdb_idl_row *row,
                const char *name, enum ovsdb_atomic_type key,
                enum ovsdb_atomic_type value)
{
    ref->row = row;
    ref->column = ovsdb_idl_column_from_name(ovsdb_idl_row_get_table(row),
                                             name);
    ref->type = ref->column ? ovsdb_idl_column_get_type(ref->column) : NULL;
    return (ref->type && ref->type->key.type == key
            && ref->type->value.type == value);
}

static unsigned int
write_integer(const struct ovsdb_idl_row *row, const char *name, bool has,
              int64_t value)
{
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    struct column_ref ref;

    if (!column_ref_init(&ref, row, name, OVSDB_TYPE_INTEGER,
                         OVSDB_TYPE_VOID)) {
        return 0;
    }
    if (has) {
        union ovsdb_atom atom = { .integer = value };
        ovsdb_datum_add_unsafe(&datum, &atom, NULL, ref.type);
    }
    return iface_state_write_if_changed(row, ref.column, &datum);
}

static unsigned int
write_string(const struct ovsdb_idl_row *row, const char *name,
             const char *value)
{
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    struct column_ref ref;

    if (!column_ref_init(&ref, row, name, OVSDB_TYPE_STRING,
                         OVSDB_TYPE_VOID)) {
        return 0;
    }
    if (value) {
        union ovsdb_atom atom = { .string = (char *) value };
        ovsdb_datum_add_unsafe(&datum, &atom, NULL, ref.type);
    }
    return iface_state_write_if_changed(row, ref.column, &datum);
}

static unsigned int
write_statistics(const struct ovsdb_idl_row *row,
                 const struct netdev_stats *s, bool has)
{
    const struct { const char *name; uint64_t value; } counters[] = {
        { "rx_packets", s->rx_packets }, { "rx_bytes", s->rx_bytes },
        { "rx_dropped", s->rx_dropped }, { "rx_errors", s->rx_errors },
        { "tx_packets", s->tx_packets }, { "tx_bytes", s->tx_bytes },
        { "tx_dropped", s->tx_dropped }, { "tx_errors", s->tx_errors },
    };
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    struct column_ref ref;

    if (!column_ref_init(&ref, row, "statistics", OVSDB_TYPE_STRING,
                         OVSDB_TYPE_INTEGER)) {
        return 0;
    }
    for (size_t i = 0; has && i < ARRAY_SIZE(counters); i++) {
        union ovsdb_atom key = { .string = (char *) counters[i].name };
        union ovsdb_atom value = { .integer = counters[i].value };
        ovsdb_datum_add_unsafe(&datum, &key, &value, ref.type);
    }
    return iface_state_write_if_changed(row, ref.column, &datum);
}

static unsigned int
write_status(const struct ovsdb_idl_row *row, const struct shash *status)
{
    struct ovsdb_datum datum = OVSDB_DATUM_EMPTY_INIT;
    struct shash_node *node;
    struct column_ref ref;

    if (!column_ref_init(&ref, row, "status", OVSDB_TYPE_STRING,
                         OVSDB_TYPE_STRING)) {
        return 0;
    }
    SHASH_FOR_EACH (node, status) {
        union ovsdb_atom key = { .string = node->name };
        union ovsdb_atom value = { .string = node->data };
        ovsdb_datum_add_unsafe(&datum, &key, &value, ref.type);
    }
    return iface_state_write_if_changed(row, ref.column, &datum);
}

unsigned int
iface_state_write(const struct iface_state *state,
                  const struct ovsdb_idl_row *row)
{
    bool up = state->attached;
    char mac[18];
    unsigned int n = 0;

    snprintf(mac, sizeof mac, "%02x:%02x:%02x:%02x:%02x:%02x",
             state->mac.ea[0], state->mac.ea[1], state->mac.ea[2],
             state->mac.ea[3], state->mac.ea[4], state->mac.ea[5]);

    n += write_integer(row, "ofport", true, up ? state->ofport : -1);
    n += write_string(row, "error", state->error);
    n += write_string(row, "mac_in_use", up && state->has_mac ? mac : NULL);
    n += write_integer(row, "ifindex", up && state->has_ifindex,
                       state->ifindex);
    n += write_integer(row, "mtu", up && state->has_mtu, state->mtu);
    n += write_string(row, "link_state", up ? state->link_state : NULL);
    n += write_string(row, "admin_state", up ? state->admin_state : NULL);
    n += write_statistics(row, &state->stats, up);
    n += write_status(row, &state->status);
    return n;
}
