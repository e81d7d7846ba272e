/* vsctl-cmds.c: xsw-ctl's Open vSwitch commands -- init, show, emer-reset,
 * the bridge, port and interface commands, and the datapath queries that
 * go to xsw-switchd's control socket -- with ovs-vsctl 3.1's arguments,
 * output, error messages and exit statuses.
 *
 * The model is ovs-vsctl's: the database holds real bridges (Bridge rows
 * listed in Open_vSwitch.bridges), their ports and interfaces, and "fake"
 * bridges, which are Port rows with fake_bridge=true and a VLAN tag inside
 * a real bridge; a port whose tag matches a fake bridge of its real bridge
 * belongs to the fake bridge.  A command builds a cache of that model (a
 * struct vsctl_cache) from the replica, looks names up in it, and changes
 * the database through the transaction.  Because the replica shows the
 * transaction's own changes (read-your-writes), a command that changes the
 * model just invalidates the cache, and the next command rebuilds it.
 *
 * Scale.  Most commands replicate every bridge, port and interface, as
 * ovs-vsctl does.  add-port, add-bond and del-port, which scripts run once
 * per port on big bridges, replicate only the rows named on the command
 * line plus the rows that link them (the port of a named interface, the
 * bridge of a named port: see pre_named_rows()), and change the bridge
 * with a "mutate" of its ports set, never rewriting or verifying it.  The
 * cache is then partial, holding just the rows that were fetched, which is
 * all those commands look at (see cache_populate_partial()). */
#include <config.h>

#include <errno.h>
#include <limits.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "ctl.h"
#include "daemon.h"
#include "idl.h"
#include "jsonrpc.h"
#include "jsonrpc-client.h"
#include "list.h"
#include "ovsdb-data.h"
#include "ovsdb-types.h"
#include "shash.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"

#define CONST_CAST(TYPE, POINTER) ((TYPE) (uintptr_t) (POINTER))

/* ---- Access to the replica by table and column name. ---- */

static struct ovsdb_idl_table *
idl_table(const struct ctl_context *ctx, const char *table)
{
    struct ovsdb_idl_table *t = ovsdb_idl_table_from_name(ctx->idl, table);
    if (!t) {
        /* A prerequisites function forgot to ask for the table. */
        xsw_fatal("%s: table not replicated", table);
    }
    return t;
}

static const struct ovsdb_idl_column *
idl_column(const struct ctl_context *ctx, const char *table,
           const char *column)
{
    const struct ovsdb_idl_column *c
        = ovsdb_idl_column_from_name(idl_table(ctx, table), column);
    if (!c) {
        xsw_fatal("%s.%s: column not replicated", table, column);
    }
    return c;
}

static const struct ovsdb_datum *
row_datum(const struct ovsdb_idl_row *row, const char *column)
{
    static const struct ovsdb_datum empty = OVSDB_DATUM_EMPTY_INIT;
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum_by_name(row, column);
    return d ? d : &empty;
}

/* String 'column' of 'row', or "" if it holds none. */
static const char *
row_string(const struct ovsdb_idl_row *row, const char *column)
{
    const struct ovsdb_datum *d = row_datum(row, column);
    return d->n ? d->keys[0].string : "";
}

static const char *
row_name(const struct ovsdb_idl_row *row)
{
    return row_string(row, "name");
}

/* Makes 'd' a datum of one UUID, 'row''s, stored in '*atom': 'd' owns
 * nothing, so it must not be destroyed or written (only mutated with). */
static void
uuid_datum(struct ovsdb_datum *d, union ovsdb_atom *atom,
           const struct ovsdb_idl_row *row)
{
    atom->uuid = *ovsdb_idl_row_get_uuid(row);
    d->n = 1;
    d->keys = atom;
    d->values = NULL;
}

/* Sets 'column' of 'row' to its type's default (empty set or map, 0, ""). */
static void
write_default(const struct ctl_context *ctx, const struct ovsdb_idl_row *row,
              const char *table, const char *column)
{
    const struct ovsdb_idl_column *c = idl_column(ctx, table, column);
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(c);
    struct ovsdb_datum d;

    if (!type) {
        return;                 /* The server lacks the column. */
    }
    ovsdb_datum_init_default(&d, type);
    ovsdb_idl_txn_write(row, c, &d);
    ovsdb_datum_destroy(&d, type);
}

/* Sets reference set 'column' of 'row' to the UUIDs of 'rows'. */
static void
write_refs(const struct ctl_context *ctx, const struct ovsdb_idl_row *row,
           const char *table, const char *column,
           const struct ovsdb_idl_row **rows, size_t n)
{
    const struct ovsdb_idl_column *c = idl_column(ctx, table, column);
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(c);
    struct ovsdb_datum d;

    d.n = n;
    d.keys = xcalloc(n ? n : 1, sizeof *d.keys);
    d.values = NULL;
    for (size_t i = 0; i < n; i++) {
        d.keys[i].uuid = *ovsdb_idl_row_get_uuid(rows[i]);
    }
    ovsdb_datum_sort_unique(&d, type);
    ovsdb_idl_txn_write(row, c, &d);
    ovsdb_datum_destroy(&d, type);
}

/* Inserts or deletes (per 'mutator') 'elem' in reference set 'column' of
 * 'row' with a "mutate": cost independent of the set's size. */
static void
mutate_ref(const struct ctl_context *ctx, const struct ovsdb_idl_row *row,
           const char *table, const char *column, const char *mutator,
           const struct ovsdb_idl_row *elem)
{
    union ovsdb_atom atom;
    struct ovsdb_datum d;

    uuid_datum(&d, &atom, elem);
    ovsdb_idl_txn_mutate(row, idl_column(ctx, table, column), mutator, &d);
}

/* Sets Port 'row''s optional integer "tag" to 'vlan'. */
static void
write_tag(const struct ctl_context *ctx, const struct ovsdb_idl_row *row,
          int vlan)
{
    ovsdb_idl_txn_write_integer(row, idl_column(ctx, "Port", "tag"), vlan);
}

/* ---- Prerequisites. ---- */

/* The columns every bridge/port/interface command reads (and Bridge.ports
 * with the complete model: see cache_populate_partial()). */
static void
pre_model_columns(struct ctl_context *ctx)
{
    ctl_pre_column(ctx, "Open_vSwitch", "bridges");
    ctl_pre_column(ctx, "Bridge", "name");
    ctl_pre_column(ctx, "Port", "name");
    ctl_pre_column(ctx, "Port", "fake_bridge");
    ctl_pre_column(ctx, "Port", "tag");
    ctl_pre_column(ctx, "Port", "interfaces");
    ctl_pre_column(ctx, "Interface", "name");
}

/* True if some command of the command line fetches every bridge, port and
 * interface; otherwise the model holds only the rows that pre_named_rows()
 * selected. */
static bool model_is_complete;

/* The whole model, as ovs-vsctl reads it. */
static void
pre_get_info(struct ctl_context *ctx)
{
    model_is_complete = true;
    pre_model_columns(ctx);
    ctl_pre_column(ctx, "Bridge", "ports");
    ctl_pre_all_rows(ctx, "Bridge");
    ctl_pre_all_rows(ctx, "Port");
    ctl_pre_all_rows(ctx, "Interface");
}

/* The bridges, real and fake, for the commands that look only at bridges
 * (list-br, br-exists, br-to-vlan, br-to-parent): every bridge with its
 * ports set, and of the ports only the fake bridges.  The model is the
 * complete one, minus the rows nobody looks at: cache_populate_complete()
 * walks each bridge's ports set and skips the ports that were not
 * fetched, so it meets the fake bridges in the same order as with every
 * port, and resolves the same clashes the same way.  On a 10,000-port
 * bridge that is the ports set, 450 KB, instead of 2.4 MB of ports and
 * interfaces.  A command that needs the other rows asks for them in its
 * own prerequisites. */
static void
pre_get_bridges(struct ctl_context *ctx)
{
    model_is_complete = true;
    pre_model_columns(ctx);
    ctl_pre_column(ctx, "Bridge", "ports");
    ctl_pre_all_rows(ctx, "Bridge");
    ctl_pre_rows_by_boolean(ctx, "Port", "fake_bridge", true);
    ctl_pre_no_rows(ctx, "Interface");
}

/* Only the rows that 'names' name (bridges, ports, interfaces), and the
 * rows that tie them together: the port of each interface, the
 * interfaces of each port, the bridge of each port.  That is what
 * add-port, add-bond and del-port need to find their bridge, check for
 * name clashes and name the bridge in their messages. */
static void
pre_named_rows(struct ctl_context *ctx, char *names[], int n)
{
    pre_model_columns(ctx);
    for (int i = 0; i < n; i++) {
        ctl_pre_rows_by_string(ctx, "Bridge", "name", names[i]);
        ctl_pre_rows_by_string(ctx, "Port", "name", names[i]);
        ctl_pre_rows_by_string(ctx, "Interface", "name", names[i]);
    }
    ctl_pre_referring_rows(ctx, "Port", "interfaces");
    ctl_pre_referenced_rows(ctx, "Port", "interfaces");
    ctl_pre_referring_rows(ctx, "Bridge", "ports");
}

/* ---- The model: bridges, ports and interfaces by name. ---- */

struct vsctl_bridge {
    const struct ovsdb_idl_row *row;    /* NULL for a fake bridge. */
    char *name;
    struct ovs_list ports;              /* struct vsctl_port's. */
    struct vsctl_bridge *parent;        /* Real bridge of a fake one. */
    int vlan;                           /* Fake bridge's VLAN, else 0. */
};

struct vsctl_port {
    struct ovs_list node;               /* In bridge's 'ports'. */
    struct ovs_list ifaces;             /* struct vsctl_iface's. */
    const struct ovsdb_idl_row *row;
    struct vsctl_bridge *bridge;
};

struct vsctl_iface {
    struct ovs_list node;               /* In port's 'ifaces'. */
    const struct ovsdb_idl_row *row;
    struct vsctl_port *port;
};

/* The cache of one command line.  Static because the framework's
 * invalidation hook takes no argument; it owns every bridge, port and
 * interface in it. */
static struct vsctl_cache {
    bool valid;
    struct shash bridges;               /* Name -> struct vsctl_bridge. */
    struct shash ports;                 /* Name -> struct vsctl_port. */
    struct shash ifaces;                /* Name -> struct vsctl_iface. */
    bool verified_ports;
} cache;

static void
cache_invalidate(void)
{
    struct shash_node *node;

    if (!cache.valid) {
        return;
    }
    cache.valid = false;
    SHASH_FOR_EACH (node, &cache.bridges) {
        struct vsctl_bridge *br = node->data;
        free(br->name);
        free(br);
    }
    shash_destroy(&cache.bridges);
    shash_destroy_free_data(&cache.ports);
    shash_destroy_free_data(&cache.ifaces);
}

static bool
port_is_fake_bridge(const struct ovsdb_idl_row *port)
{
    const struct ovsdb_datum *fake = row_datum(port, "fake_bridge");
    const struct ovsdb_datum *tag = row_datum(port, "tag");

    return (fake->n && fake->keys[0].boolean
            && tag->n && tag->keys[0].integer >= 0
            && tag->keys[0].integer <= 4095);
}

static struct vsctl_bridge *
find_vlan_bridge(const struct vsctl_bridge *parent, int vlan)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &cache.bridges) {
        struct vsctl_bridge *br = node->data;
        if (br->parent == parent && br->vlan == vlan) {
            return br;
        }
    }
    return NULL;
}

static struct vsctl_bridge *
cache_add_bridge(const struct ovsdb_idl_row *row, const char *name,
                 struct vsctl_bridge *parent, int vlan)
{
    struct vsctl_bridge *br = xzalloc(sizeof *br);

    br->row = row;
    br->name = xstrdup(name);
    ovs_list_init(&br->ports);
    br->parent = parent;
    br->vlan = vlan;
    shash_add(&cache.bridges, br->name, br);
    return br;
}

static void
cache_add_port(struct ctl_context *ctx, struct vsctl_bridge *br,
               const struct ovsdb_idl_row *row)
{
    struct ovsdb_idl_table *iface_table = idl_table(ctx, "Interface");
    const struct ovsdb_datum *tag = row_datum(row, "tag");
    const struct ovsdb_datum *ifaces = row_datum(row, "interfaces");
    struct vsctl_port *port;

    if (tag->n && tag->keys[0].integer >= 0 && tag->keys[0].integer <= 4095) {
        struct vsctl_bridge *vlan_br = find_vlan_bridge(br,
                                                        tag->keys[0].integer);
        if (vlan_br) {
            br = vlan_br;
        }
    }

    port = xzalloc(sizeof *port);
    ovs_list_push_back(&br->ports, &port->node);
    ovs_list_init(&port->ifaces);
    port->row = row;
    port->bridge = br;
    shash_add(&cache.ports, row_name(row), port);

    for (unsigned int i = 0; i < ifaces->n; i++) {
        const struct ovsdb_idl_row *iface_row
            = ovsdb_idl_get_row(iface_table, &ifaces->keys[i].uuid);
        struct vsctl_iface *iface;

        if (!iface_row || shash_find(&cache.ifaces, row_name(iface_row))) {
            /* Not fetched, or a duplicate that the server's index on the
             * name should have prevented. */
            continue;
        }
        iface = xzalloc(sizeof *iface);
        ovs_list_push_back(&port->ifaces, &iface->node);
        iface->row = iface_row;
        iface->port = port;
        shash_add(&cache.ifaces, row_name(iface_row), iface);
    }
}

/* The 'i'th port of bridge 'br_row', or NULL if it was not fetched. */
static const struct ovsdb_idl_row *
bridge_port(struct ovsdb_idl_table *port_table,
            const struct ovsdb_idl_row *br_row, unsigned int i)
{
    return ovsdb_idl_get_row(port_table, &row_datum(br_row,
                                                    "ports")->keys[i].uuid);
}

static void
cache_populate_complete(struct ctl_context *ctx)
{
    struct ovsdb_idl_table *br_table, *port_table;
    const struct ovsdb_datum *bridges;
    struct shash seen_ports;

    br_table = idl_table(ctx, "Bridge");
    port_table = idl_table(ctx, "Port");
    bridges = row_datum(ctx->ovs_row, "bridges");

    /* First the bridges, real and fake, so that the ports can then be
     * attached to the fake bridge of their VLAN. */
    shash_init(&seen_ports);
    for (unsigned int i = 0; i < bridges->n; i++) {
        const struct ovsdb_idl_row *br_row
            = ovsdb_idl_get_row(br_table, &bridges->keys[i].uuid);
        struct vsctl_bridge *br;

        if (!br_row || shash_find(&cache.bridges, row_name(br_row))) {
            continue;
        }
        br = cache_add_bridge(br_row, row_name(br_row), NULL, 0);
        for (unsigned int j = 0; j < row_datum(br_row, "ports")->n; j++) {
            const struct ovsdb_idl_row *port_row
                = bridge_port(port_table, br_row, j);
            int vlan;

            if (!port_row
                || !shash_add_once(&seen_ports, row_name(port_row), NULL)
                || !port_is_fake_bridge(port_row)) {
                continue;
            }
            vlan = row_datum(port_row, "tag")->keys[0].integer;
            if (!shash_find(&cache.bridges, row_name(port_row))
                && !find_vlan_bridge(br, vlan)) {
                cache_add_bridge(NULL, row_name(port_row), br, vlan);
            }
        }
    }
    shash_destroy(&seen_ports);

    for (unsigned int i = 0; i < bridges->n; i++) {
        const struct ovsdb_idl_row *br_row
            = ovsdb_idl_get_row(br_table, &bridges->keys[i].uuid);
        struct vsctl_bridge *br;

        if (!br_row) {
            continue;
        }
        br = shash_find_data(&cache.bridges, row_name(br_row));
        if (!br || br->row != br_row) {
            continue;           /* Duplicate bridge name. */
        }
        for (unsigned int j = 0; j < row_datum(br_row, "ports")->n; j++) {
            const struct ovsdb_idl_row *port_row
                = bridge_port(port_table, br_row, j);
            struct vsctl_bridge *fake;

            if (!port_row || shash_find(&cache.ports, row_name(port_row))) {
                continue;       /* In two bridges, or a duplicate name. */
            }
            fake = shash_find_data(&cache.bridges, row_name(port_row));
            if (port_is_fake_bridge(port_row)
                && (!fake || fake->parent != br)) {
                continue;       /* A fake bridge that lost a name clash. */
            }
            cache_add_port(ctx, br, port_row);
        }
    }
}

/* ---- The partial model. ----
 *
 * add-port, add-bond and del-port fetch only the rows they name and the
 * rows linked to them (pre_named_rows()), and do not read Bridge.ports,
 * which on a big bridge is the biggest value in the database.  Which
 * bridge holds each fetched port is asked of the server instead, in one
 * "transact" of "select"s (Bridge where ports includes the port), and for
 * the ports that the command line itself inserted, remembered when it
 * inserted them.  Only these three commands change bridges' ports without
 * the complete model, so these two sources are the whole truth for the
 * transaction (unless the same command line also edits Bridge.ports with
 * a database command, which is not seen).  The answer is not verified: if
 * another client moves a port meanwhile, the commit fails on a referential
 * integrity check instead of retrying.
 *
 * A fetched port with a VLAN tag may also belong to a fake bridge that the
 * command line did not name; the (few) fake bridges are asked for as well,
 * with their bridges, when that can matter.
 *
 * A command line that names more than a few dozen rows (a chain of
 * del-ports) gets the whole model anyway (model_fetched_whole()), and uses
 * it as the other commands do. */

/* Which bridge holds a port, by port UUID (as a string) -> bridge UUID
 * (all zeros: none).  Each map owns its keys and data.
 *
 * 'inserted_ports' holds the ports that this process's transactions
 * inserted, under the UUID they were inserted with; an entry left over
 * from an aborted attempt never matches again, as those UUIDs are fresh.
 * 'answered_ports' holds the server's answers, so that each command of a
 * long command line does not ask again; they hold until the framework
 * resets the caches (before each attempt, or when a database command may
 * have changed things). */
static struct shash inserted_ports = SHASH_INITIALIZER(&inserted_ports);
static struct shash answered_ports = SHASH_INITIALIZER(&answered_ports);

static void
port_bridge_remember(struct shash *map, const struct ovsdb_idl_row *port,
                     const struct ovsdb_idl_row *bridge)
{
    char key[UUID_LEN + 1];
    struct uuid *br_uuid = xzalloc(sizeof *br_uuid);

    if (bridge) {
        *br_uuid = *ovsdb_idl_row_get_uuid(bridge);
    }
    uuid_to_string(ovsdb_idl_row_get_uuid(port), key);
    free(shash_replace(map, key, br_uuid));
}

/* The bridge that holds 'port' according to the maps above: the bridge's
 * UUID (all zeros if none), or NULL if unknown. */
static const struct uuid *
port_bridge_lookup(const struct ovsdb_idl_row *port)
{
    char key[UUID_LEN + 1];
    const struct uuid *br_uuid;

    uuid_to_string(ovsdb_idl_row_get_uuid(port), key);
    br_uuid = shash_find_data(&inserted_ports, key);
    return br_uuid ? br_uuid : shash_find_data(&answered_ports, key);
}

/* Runs the operations in 'ops' (taken) on the server; returns the
 * "result" array of the reply in '*replyp' (caller frees the reply). */
static json_t *
server_transact(struct ctl_context *ctx, json_t *ops, json_t **replyp)
{
    int timeout_ms = ctl_global.timeout ? ctl_global.timeout * 1000 : -1;
    json_t *request, *result;
    char *error = NULL;

    json_array_insert_new(ops, 0,
                          json_string(ovsdb_idl_get_db_name(ctx->idl)));
    request = jsonrpc_create_request("transact", ops, json_integer(0));
    if (jsonrpc_transact_block(ovsdb_idl_get_remote(ctx->idl), request,
                               timeout_ms, replyp, &error)) {
        ctl_fatal("%s", error ? error : "database query failed");
    }
    result = json_object_get(*replyp, "result");
    if (!json_is_array(result)) {
        char *s = json_dumps(json_object_get(*replyp, "error"), 0);
        ctl_fatal("database query failed: %s", s ? s : "no result");
    }
    return result;
}

/* A "select" of the _uuid of the bridges whose ports include 'port'. */
static json_t *
select_bridge_of(const struct uuid *port)
{
    char s[UUID_LEN + 1];

    uuid_to_string(port, s);
    return json_pack("{s:s, s:s, s:[[s, s, [s, s]]], s:[s]}",
                     "op", "select", "table", "Bridge",
                     "where", "ports", "includes", "uuid", s,
                     "columns", "_uuid");
}

/* The bridge row named by the first row of select result 'result', if the
 * IDL has it. */
static const struct ovsdb_idl_row *
selected_bridge(struct ctl_context *ctx, json_t *result)
{
    json_t *rows = json_object_get(result, "rows");
    const char *s = json_string_value(json_array_get(
        json_object_get(json_array_get(rows, 0), "_uuid"), 1));
    struct uuid uuid;

    if (!s || !uuid_from_string(&uuid, s)) {
        return NULL;
    }
    return ovsdb_idl_get_row(idl_table(ctx, "Bridge"), &uuid);
}

static struct vsctl_bridge *
cached_real_bridge(const struct ovsdb_idl_row *row)
{
    struct vsctl_bridge *br;

    if (!row) {
        return NULL;
    }
    br = shash_find_data(&cache.bridges, row_name(row));
    return br && br->row == row ? br : NULL;
}

/* Adds the fake bridges that the command line did not fetch. */
static void
cache_add_unfetched_fake_bridges(struct ctl_context *ctx)
{
    json_t *reply, *result, *rows, *row, *ops;
    struct ovsdb_idl_row const **parents;
    size_t i;

    ops = json_array();
    json_array_append_new(ops, json_pack(
        "{s:s, s:s, s:[[s, s, b]], s:[s, s, s]}", "op", "select",
        "table", "Port", "where", "fake_bridge", "==", 1,
        "columns", "_uuid", "name", "tag"));
    result = server_transact(ctx, ops, &reply);
    rows = json_object_get(json_array_get(result, 0), "rows");

    /* Then the bridge of each. */
    ops = json_array();
    json_array_foreach (rows, i, row) {
        struct uuid uuid;

        if (!uuid_from_string(&uuid, json_string_value(json_array_get(
                                  json_object_get(row, "_uuid"), 1)))) {
            uuid_zero(&uuid);
        }
        json_array_append_new(ops, select_bridge_of(&uuid));
    }
    parents = xcalloc(json_array_size(rows) + 1, sizeof *parents);
    if (json_array_size(rows)) {
        json_t *reply2;

        result = server_transact(ctx, ops, &reply2);
        for (i = 0; i < json_array_size(rows); i++) {
            parents[i] = selected_bridge(ctx, json_array_get(result, i));
        }
        json_decref(reply2);
    } else {
        json_decref(ops);
    }

    json_array_foreach (rows, i, row) {
        const char *name = json_string_value(json_object_get(row, "name"));
        json_t *tag = json_object_get(row, "tag");
        struct vsctl_bridge *parent = cached_real_bridge(parents[i]);

        if (parent && name && json_is_integer(tag)
            && json_integer_value(tag) >= 0
            && json_integer_value(tag) <= 4095
            && !shash_find(&cache.bridges, name)
            && !find_vlan_bridge(parent, json_integer_value(tag))) {
            cache_add_bridge(NULL, name, parent, json_integer_value(tag));
        }
    }
    free(parents);
    json_decref(reply);
}

static void
cache_populate_partial(struct ctl_context *ctx)
{
    struct ovsdb_idl_table *br_table = idl_table(ctx, "Bridge");
    struct ovsdb_idl_table *port_table = idl_table(ctx, "Port");
    const struct ovsdb_datum *bridges = row_datum(ctx->ovs_row, "bridges");
    const struct ovsdb_idl_row **ports, **port_bridges;
    const struct ovsdb_idl_row *row;
    size_t n_ports = 0, n_asked = 0;
    bool tagged = false, *asked;
    json_t *ops;

    for (unsigned int i = 0; i < bridges->n; i++) {
        row = ovsdb_idl_get_row(br_table, &bridges->keys[i].uuid);
        if (row && !shash_find(&cache.bridges, row_name(row))) {
            cache_add_bridge(row, row_name(row), NULL, 0);
        }
    }

    /* The bridge of each fetched port: remembered, or asked. */
    ports = xmalloc((ovsdb_idl_count_rows(port_table) + 1) * sizeof *ports);
    port_bridges = xcalloc(ovsdb_idl_count_rows(port_table) + 1,
                           sizeof *port_bridges);
    asked = xcalloc(ovsdb_idl_count_rows(port_table) + 1, sizeof *asked);
    ops = json_array();
    OVSDB_IDL_FOR_EACH_ROW (row, port_table) {
        const struct uuid *br_uuid = port_bridge_lookup(row);

        if (br_uuid) {
            port_bridges[n_ports] = ovsdb_idl_get_row(br_table, br_uuid);
        } else {
            json_array_append_new(ops,
                                  select_bridge_of(ovsdb_idl_row_get_uuid(
                                                       row)));
            asked[n_ports] = true;
            n_asked++;
        }
        tagged |= row_datum(row, "tag")->n && !port_is_fake_bridge(row);
        ports[n_ports++] = row;
    }
    if (n_asked) {
        json_t *reply, *result;
        size_t j = 0;

        result = server_transact(ctx, ops, &reply);
        for (size_t i = 0; i < n_ports; i++) {
            if (asked[i]) {
                port_bridges[i] = selected_bridge(ctx,
                                                  json_array_get(result, j++));
                port_bridge_remember(&answered_ports, ports[i],
                                     port_bridges[i]);
            }
        }
        json_decref(reply);
    } else {
        json_decref(ops);
    }
    free(asked);

    /* Fake bridges first, so that ports can join the one of their VLAN. */
    for (size_t i = 0; i < n_ports; i++) {
        struct vsctl_bridge *br = cached_real_bridge(port_bridges[i]);
        int vlan;

        if (!br || !port_is_fake_bridge(ports[i])) {
            continue;
        }
        vlan = row_datum(ports[i], "tag")->keys[0].integer;
        if (!shash_find(&cache.bridges, row_name(ports[i]))
            && !find_vlan_bridge(br, vlan)) {
            cache_add_bridge(NULL, row_name(ports[i]), br, vlan);
        }
    }
    if (tagged) {
        cache_add_unfetched_fake_bridges(ctx);
    }

    for (size_t i = 0; i < n_ports; i++) {
        struct vsctl_bridge *br = cached_real_bridge(port_bridges[i]);
        struct vsctl_bridge *fake;

        if (!br || shash_find(&cache.ports, row_name(ports[i]))) {
            continue;
        }
        fake = shash_find_data(&cache.bridges, row_name(ports[i]));
        if (port_is_fake_bridge(ports[i]) && (!fake || fake->parent != br)) {
            continue;
        }
        cache_add_port(ctx, br, ports[i]);
    }
    free(ports);
    free(port_bridges);
}

/* True if the rows that pre_named_rows() selected turned out to be so many
 * that the framework fetched every bridge, port and interface, and with
 * them every bridge's ports (see ctl_fetches_all_rows()): then the partial
 * model would only ask the server, port by port, what the replica already
 * knows. */
static bool
model_fetched_whole(void)
{
    return (ctl_fetches_all_rows("Bridge")
            && ctl_fetches_column("Bridge", "ports")
            && ctl_fetches_all_rows("Port")
            && ctl_fetches_all_rows("Interface"));
}

static void
cache_populate(struct ctl_context *ctx)
{
    if (cache.valid) {
        return;
    }
    cache.valid = true;
    cache.verified_ports = false;
    shash_init(&cache.bridges);
    shash_init(&cache.ports);
    shash_init(&cache.ifaces);

    if (model_is_complete || model_fetched_whole()) {
        cache_populate_complete(ctx);
    } else {
        cache_populate_partial(ctx);
    }
}

/* ovs-vsctl verifies what its lookups relied on, so that a concurrent
 * change makes the commit fail with TRY_AGAIN and the command line runs
 * again.  Bridge.ports is verified only where it is small or rewritten
 * anyway: add-port and del-port mutate it instead, so verifying it would
 * put the whole set back into the request. */
static void
verify_bridges(struct ctl_context *ctx)
{
    ovsdb_idl_txn_verify(ctx->ovs_row,
                         idl_column(ctx, "Open_vSwitch", "bridges"));
}

static void
verify_ports(struct ctl_context *ctx, bool bridge_ports)
{
    const struct ovsdb_idl_row *row;

    if (cache.verified_ports) {
        return;
    }
    cache.verified_ports = true;
    verify_bridges(ctx);
    if (bridge_ports) {
        const struct ovsdb_idl_column *ports
            = idl_column(ctx, "Bridge", "ports");
        OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Bridge")) {
            ovsdb_idl_txn_verify(row, ports);
        }
    }
    const struct ovsdb_idl_column *ifaces
        = idl_column(ctx, "Port", "interfaces");
    OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Port")) {
        ovsdb_idl_txn_verify(row, ifaces);
    }
}

static struct vsctl_bridge *
find_bridge(struct ctl_context *ctx, const char *name, bool must_exist)
{
    struct vsctl_bridge *br = shash_find_data(&cache.bridges, name);

    if (must_exist && !br) {
        ctl_fatal("no bridge named %s", name);
    }
    verify_bridges(ctx);
    return br;
}

static struct vsctl_port *
find_port(struct ctl_context *ctx, const char *name, bool must_exist,
          bool verify_bridge_ports)
{
    struct vsctl_port *port = shash_find_data(&cache.ports, name);

    /* A bridge's local port is part of the bridge, not a port of it. */
    if (port && !strcmp(name, port->bridge->name)) {
        port = NULL;
    }
    if (must_exist && !port) {
        ctl_fatal("no port named %s", name);
    }
    verify_ports(ctx, verify_bridge_ports);
    return port;
}

static struct vsctl_iface *
find_iface(struct ctl_context *ctx, const char *name, bool must_exist,
           bool verify_bridge_ports)
{
    struct vsctl_iface *iface = shash_find_data(&cache.ifaces, name);

    if (iface && !strcmp(name, iface->port->bridge->name)) {
        iface = NULL;
    }
    if (must_exist && !iface) {
        ctl_fatal("no interface named %s", name);
    }
    verify_ports(ctx, verify_bridge_ports);
    return iface;
}

/* Dies with "MSG because ..." if 'name' is taken by a bridge, a port or
 * an interface. */
static void
check_conflicts(struct ctl_context *ctx, const char *name, const char *msg,
                bool verify_bridge_ports)
{
    struct vsctl_iface *iface;
    struct vsctl_port *port;

    verify_ports(ctx, verify_bridge_ports);
    if (shash_find(&cache.bridges, name)) {
        ctl_fatal("%s because a bridge named %s already exists", msg, name);
    }
    port = shash_find_data(&cache.ports, name);
    if (port) {
        ctl_fatal("%s because a port named %s already exists on bridge %s",
                  msg, name, port->bridge->name);
    }
    iface = shash_find_data(&cache.ifaces, name);
    if (iface) {
        ctl_fatal("%s because an interface named %s already exists on "
                  "bridge %s", msg, name, iface->port->bridge->name);
    }
}

/* The real bridge whose ports set holds 'br''s ports. */
static const struct ovsdb_idl_row *
real_bridge_row(const struct vsctl_bridge *br)
{
    return br->parent ? br->parent->row : br->row;
}

/* ---- Output helpers. ---- */

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_;
    const char *const *b = b_;
    return strcmp(*a, *b);
}

/* Prints the 'n' strings of 'names', sorted, one per line. */
static void
output_sorted(struct ctl_context *ctx, const char **names, size_t n)
{
    qsort(names, n, sizeof *names, compare_strings);
    for (size_t i = 0; i < n; i++) {
        ctl_printf(ctx, "%s\n", names[i]);
    }
}

/* The command as the user wrote it, options first, quoted like a shell
 * word where needed (ovs-vsctl's process_escape_args()). */
static char *
command_to_string(const struct ctl_context *ctx)
{
    struct ds out = { NULL, 0, 0 };
    struct shash_node *node;
    bool first = true;
    char *s;

    if (ctx->options) {
        SHASH_FOR_EACH (node, ctx->options) {
            ds_put_format(&out, "%s%s", first ? "" : " ", node->name);
            first = false;
        }
    }
    for (int i = 0; i < ctx->argc; i++) {
        const char *arg = ctx->argv[i];

        ds_put_cstr(&out, first ? "" : " ");
        first = false;
        if (arg[strcspn(arg, " \t\r\n\v\\'\"")]) {
            ds_put_cstr(&out, "\"");
            for (const char *p = arg; *p; p++) {
                ds_put_format(&out, "%s%c",
                              *p == '\\' || *p == '"' ? "\\" : "", *p);
            }
            ds_put_cstr(&out, "\"");
        } else {
            ds_put_cstr(&out, arg);
        }
    }
    s = xstrdup(ds_cstr(&out));
    ds_destroy(&out);
    return s;
}

/* ---- Open vSwitch commands. ---- */

static void
cmd_init(struct ctl_context *ctx OVS_UNUSED)
{
    /* The framework creates the Open_vSwitch row if there is none. */
}

/* "show" prints the Open_vSwitch row and, recursively, the rows that these
 * columns reference, as ovs-vsctl does (db-ctl-base.c's cmd_show). */
struct show_table {
    const char *table;
    const char *name_column;            /* NULL: print the UUID. */
    const char *columns[4];
};

/* Beyond ovs-vsctl's columns, a Bridge's and a Port's 'status', where
 * xsw-switchd says which of their settings it does not apply (as it does
 * in an Interface's 'error'). */
static const struct show_table show_tables[] = {
    {"Open_vSwitch", NULL, {"manager_options", "bridges", "ovs_version"}},
    {"Bridge", "name", {"controller", "fail_mode", "status", "ports"}},
    {"Port", "name", {"tag", "trunks", "status", "interfaces"}},
    {"Interface", "name", {"type", "options", "error"}},
    {"Controller", "target", {"is_connected", NULL, NULL}},
    {"Manager", "target", {"is_connected", NULL, NULL}},
};

static const struct show_table *
show_table_find(const char *name)
{
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        if (!strcmp(show_tables[i].table, name)) {
            return &show_tables[i];
        }
    }
    return NULL;
}

static void
pre_cmd_show(struct ctl_context *ctx)
{
    for (size_t i = 0; i < ARRAY_SIZE(show_tables); i++) {
        const struct show_table *s = &show_tables[i];

        ctl_pre_all_rows(ctx, s->table);
        if (s->name_column) {
            ctl_pre_column(ctx, s->table, s->name_column);
        }
        for (size_t j = 0; j < ARRAY_SIZE(s->columns); j++) {
            if (s->columns[j]) {
                ctl_pre_column(ctx, s->table, s->columns[j]);
            }
        }
    }
}

static void
show_datum(struct ctl_context *ctx, const struct ovsdb_datum *d,
           const struct ovsdb_type *type)
{
    char *s = ovsdb_datum_to_string(d, type);
    ctl_printf(ctx, "%s", s);
    free(s);
}

/* 'shown' holds the tables being printed along the current path, so that
 * a row referenced from its own table is named but not expanded. */
static void
show_row(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
         int level, struct shash *shown)
{
    struct ovsdb_idl_table *table = ovsdb_idl_row_get_table(row);
    const char *table_name = ovsdb_idl_table_get_name(table);
    const struct show_table *s = show_table_find(table_name);

    ctl_printf(ctx, "%*s", level * 4, "");
    if (s && s->name_column) {
        const struct ovsdb_idl_column *c = idl_column(ctx, s->table,
                                                      s->name_column);
        ctl_printf(ctx, "%s ", s->table);
        show_datum(ctx, ovsdb_idl_row_get_datum(row, c),
                   ovsdb_idl_column_get_type(c));
    } else {
        char buf[UUID_LEN + 1];
        uuid_to_string(ovsdb_idl_row_get_uuid(row), buf);
        ctl_printf(ctx, "%s", buf);
    }
    ctl_printf(ctx, "\n");

    if (!s || shash_find(shown, s->table)) {
        return;
    }
    shash_add(shown, s->table, NULL);
    for (size_t i = 0; i < ARRAY_SIZE(s->columns) && s->columns[i]; i++) {
        const struct ovsdb_idl_column *c = idl_column(ctx, s->table,
                                                      s->columns[i]);
        const struct ovsdb_type *type = ovsdb_idl_column_get_type(c);
        const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, c);

        if (!type || !d) {
            continue;           /* The server lacks the column. */
        }
        if (type->key.type == OVSDB_TYPE_UUID
            && type->key.u.uuid.ref_table_name
            && show_table_find(type->key.u.uuid.ref_table_name)) {
            struct ovsdb_idl_table *ref = idl_table(
                ctx, type->key.u.uuid.ref_table_name);

            for (unsigned int j = 0; j < d->n; j++) {
                const struct ovsdb_idl_row *ref_row
                    = ovsdb_idl_get_row(ref, &d->keys[j].uuid);
                if (ref_row) {
                    show_row(ctx, ref_row, level + 1, shown);
                }
            }
            continue;
        }
        if (!ovsdb_datum_is_default(d, type)) {
            ctl_printf(ctx, "%*s%s: ", (level + 1) * 4, "", s->columns[i]);
            show_datum(ctx, d, type);
            ctl_printf(ctx, "\n");
        }
    }
    shash_find_and_delete(shown, s->table);
}

static void
cmd_show(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *row;
    struct shash shown;

    shash_init(&shown);
    OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Open_vSwitch")) {
        show_row(ctx, row, 0, &shown);
    }
    shash_destroy(&shown);
}

static const char *const emer_reset_deleted_tables[] = {
    "Mirror", "Controller", "Manager", "NetFlow", "SSL", "sFlow", "IPFIX",
    "Flow_Sample_Collector_Set",
};

static void
pre_cmd_emer_reset(struct ctl_context *ctx)
{
    static const char *const bridge_columns[] = {
        "controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix",
        "flood_vlans", "other_config",
    };

    ctl_pre_column(ctx, "Open_vSwitch", "manager_options");
    ctl_pre_column(ctx, "Open_vSwitch", "ssl");
    for (size_t i = 0; i < ARRAY_SIZE(bridge_columns); i++) {
        ctl_pre_column(ctx, "Bridge", bridge_columns[i]);
    }
    ctl_pre_column(ctx, "Port", "other_config");
    ctl_pre_column(ctx, "Interface", "ingress_policing_rate");
    ctl_pre_column(ctx, "Interface", "ingress_policing_burst");
    ctl_pre_all_rows(ctx, "Bridge");
    ctl_pre_all_rows(ctx, "Port");
    ctl_pre_all_rows(ctx, "Interface");
    for (size_t i = 0; i < ARRAY_SIZE(emer_reset_deleted_tables); i++) {
        ctl_pre_all_rows(ctx, emer_reset_deleted_tables[i]);
    }
}

static void
cmd_emer_reset(struct ctl_context *ctx)
{
    static const char *const cleared_bridge_columns[] = {
        "controller", "fail_mode", "mirrors", "netflow", "sflow", "ipfix",
        "flood_vlans",
    };
    const struct ovsdb_idl_row *row, *next;

    write_default(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options");
    write_default(ctx, ctx->ovs_row, "Open_vSwitch", "ssl");

    OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Bridge")) {
        const struct ovsdb_idl_column *oc
            = idl_column(ctx, "Bridge", "other_config");
        const char *hwaddr;

        for (size_t i = 0; i < ARRAY_SIZE(cleared_bridge_columns); i++) {
            write_default(ctx, row, "Bridge", cleared_bridge_columns[i]);
        }

        /* Of other_config, only the bridge's MAC address survives. */
        hwaddr = ovsdb_idl_row_get_map_string(row, oc, "hwaddr", NULL);
        if (hwaddr) {
            const struct ovsdb_type *type = ovsdb_idl_column_get_type(oc);
            union ovsdb_atom key, value;
            struct ovsdb_datum d;

            key.string = CONST_CAST(char *, "hwaddr");
            value.string = CONST_CAST(char *, hwaddr);
            ovsdb_datum_init_empty(&d);
            ovsdb_datum_add_unsafe(&d, &key, &value, type);
            ovsdb_idl_txn_write(row, oc, &d);
            ovsdb_datum_destroy(&d, type);
        } else {
            write_default(ctx, row, "Bridge", "other_config");
        }
    }
    OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Port")) {
        write_default(ctx, row, "Port", "other_config");
    }
    OVSDB_IDL_FOR_EACH_ROW (row, idl_table(ctx, "Interface")) {
        write_default(ctx, row, "Interface", "ingress_policing_rate");
        write_default(ctx, row, "Interface", "ingress_policing_burst");
    }
    for (size_t i = 0; i < ARRAY_SIZE(emer_reset_deleted_tables); i++) {
        struct ovsdb_idl_table *t = idl_table(ctx,
                                              emer_reset_deleted_tables[i]);
        for (row = ovsdb_idl_first_row(t); row; row = next) {
            next = ovsdb_idl_next_row(row);
            ovsdb_idl_txn_delete(row);
        }
    }
    cache_invalidate();
}

/* ---- Bridge commands. ---- */

/* Inserts a Port named 'name' holding new Interfaces named 'iface_names';
 * returns the port, and the first interface in '*first_iface' if nonnull. */
static const struct ovsdb_idl_row *
insert_port(struct ctl_context *ctx, const char *name,
            char *iface_names[], int n_ifaces,
            const struct ovsdb_idl_row **first_iface)
{
    const struct ovsdb_idl_row **ifaces = xmalloc(n_ifaces * sizeof *ifaces);
    const struct ovsdb_idl_row *port;

    for (int i = 0; i < n_ifaces; i++) {
        ifaces[i] = ovsdb_idl_txn_insert(ctx->txn,
                                         idl_table(ctx, "Interface"), NULL);
        ovsdb_idl_txn_write_string(ifaces[i],
                                   idl_column(ctx, "Interface", "name"),
                                   iface_names[i]);
    }
    port = ovsdb_idl_txn_insert(ctx->txn, idl_table(ctx, "Port"), NULL);
    ovsdb_idl_txn_write_string(port, idl_column(ctx, "Port", "name"), name);
    write_refs(ctx, port, "Port", "interfaces", ifaces, n_ifaces);
    if (first_iface) {
        *first_iface = ifaces[0];
    }
    free(ifaces);
    return port;
}

static void
pre_cmd_add_br(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    ctl_pre_column(ctx, "Interface", "type");
}

static void
cmd_add_br(struct ctl_context *ctx)
{
    bool may_exist = ctl_has_option(ctx, "--may-exist");
    const char *br_name = ctx->argv[1];
    const char *parent_name = NULL;
    const struct ovsdb_idl_row *port, *iface;
    char *local_name[1];
    char *msg;
    int vlan = 0;

    if (ctx->argc == 4) {
        parent_name = ctx->argv[2];
        vlan = atoi(ctx->argv[3]);
        if (vlan < 0 || vlan > 4095) {
            ctl_fatal("%s: vlan must be between 0 and 4095", ctx->argv[0]);
        }
    } else if (ctx->argc != 2) {
        ctl_fatal("'%s' command takes exactly 1 or 3 arguments",
                  ctx->argv[0]);
    }

    cache_populate(ctx);
    if (may_exist) {
        struct vsctl_bridge *br = find_bridge(ctx, br_name, false);

        if (br) {
            if (!parent_name) {
                if (br->parent) {
                    ctl_fatal("\"--may-exist add-br %s\" but %s is a VLAN "
                              "bridge for VLAN %d", br_name, br_name,
                              br->vlan);
                }
            } else if (!br->parent) {
                ctl_fatal("\"--may-exist add-br %s %s %d\" but %s is not a "
                          "VLAN bridge", br_name, parent_name, vlan, br_name);
            } else if (strcmp(br->parent->name, parent_name)) {
                ctl_fatal("\"--may-exist add-br %s %s %d\" but %s has the "
                          "wrong parent %s", br_name, parent_name, vlan,
                          br_name, br->parent->name);
            } else if (br->vlan != vlan) {
                ctl_fatal("\"--may-exist add-br %s %s %d\" but %s is a VLAN "
                          "bridge for the wrong VLAN %d", br_name,
                          parent_name, vlan, br_name, br->vlan);
            }
            return;
        }
    }
    msg = xasprintf("cannot create a bridge named %s", br_name);
    check_conflicts(ctx, br_name, msg, true);
    free(msg);

    /* The bridge's local port, with an "internal" interface, like
     * ovs-vsctl's. */
    local_name[0] = ctx->argv[1];
    port = insert_port(ctx, br_name, local_name, 1, &iface);
    ovsdb_idl_txn_write_string(iface, idl_column(ctx, "Interface", "type"),
                               "internal");
    if (!parent_name) {
        const struct ovsdb_datum *old = row_datum(ctx->ovs_row, "bridges");
        const struct ovsdb_idl_row **bridges;
        const struct ovsdb_idl_row *br;
        size_t n = 0;

        br = ovsdb_idl_txn_insert(ctx->txn, idl_table(ctx, "Bridge"), NULL);
        ovsdb_idl_txn_write_string(br, idl_column(ctx, "Bridge", "name"),
                                   br_name);
        write_refs(ctx, br, "Bridge", "ports", &port, 1);

        /* Open_vSwitch.bridges is small: rewrite it, as ovs-vsctl does
         * (the row may even be new in this transaction). */
        bridges = xmalloc((old->n + 1) * sizeof *bridges);
        for (unsigned int i = 0; i < old->n; i++) {
            bridges[n] = ovsdb_idl_get_row(idl_table(ctx, "Bridge"),
                                           &old->keys[i].uuid);
            if (bridges[n]) {
                n++;
            }
        }
        bridges[n++] = br;
        write_refs(ctx, ctx->ovs_row, "Open_vSwitch", "bridges", bridges, n);
        free(bridges);
    } else {
        struct vsctl_bridge *parent = find_bridge(ctx, parent_name, false);
        struct vsctl_bridge *conflict;

        if (parent && parent->parent) {
            ctl_fatal("cannot create bridge with fake bridge as parent");
        }
        if (!parent) {
            ctl_fatal("parent bridge %s does not exist", parent_name);
        }
        conflict = find_vlan_bridge(parent, vlan);
        if (conflict) {
            ctl_fatal("bridge %s already has a child VLAN bridge %s on VLAN "
                      "%d", parent_name, conflict->name, vlan);
        }
        ovsdb_idl_txn_write_boolean(port,
                                    idl_column(ctx, "Port", "fake_bridge"),
                                    true);
        write_tag(ctx, port, vlan);
        mutate_ref(ctx, parent->row, "Bridge", "ports", "insert", port);
    }
    cache_invalidate();
}

/* Removes the entry of 'name' from 'map' if it is 'data' (a duplicate
 * name may have lost its place to another row). */
static void
cache_forget(struct shash *map, const char *name, const void *data)
{
    struct shash_node *node = shash_find(map, name);

    if (node && node->data == data) {
        shash_delete(map, node);
    }
}

/* Deletes 'port' and its interfaces, from the database and the cache;
 * also takes it out of its bridge's ports set unless the bridge itself is
 * going away.  Updating the cache instead of invalidating it keeps a long
 * "del-port ... -- del-port ..." command line linear.  (The rows of
 * these non-root tables are left to the server's garbage collection by
 * lib/idl.c, as ovs-vsctl's IDL leaves them: taking the port out of its
 * bridge is what deletes them.  The port is still checked: the cache
 * verified its interfaces, so a port someone else changed meanwhile makes
 * the commit fail and the command line run again.) */
static void
del_port(struct ctl_context *ctx, struct vsctl_port *port, bool update_bridge)
{
    struct vsctl_iface *iface, *next;

    if (update_bridge) {
        mutate_ref(ctx, real_bridge_row(port->bridge), "Bridge", "ports",
                   "delete", port->row);
    }
    LIST_FOR_EACH_SAFE (iface, next, node, &port->ifaces) {
        cache_forget(&cache.ifaces, row_name(iface->row), iface);
        ovs_list_remove(&iface->node);
        ovsdb_idl_txn_delete(iface->row);
        free(iface);
    }
    cache_forget(&cache.ports, row_name(port->row), port);
    ovs_list_remove(&port->node);
    ovsdb_idl_txn_delete(port->row);
    free(port);
}

static void
del_bridge(struct ctl_context *ctx, struct vsctl_bridge *br)
{
    struct vsctl_port *port, *next;
    struct shash_node *sn;

    /* A fake bridge's ports stay in the parent's set, so they must leave
     * it; a real bridge's set disappears with the bridge. */
    SHASH_FOR_EACH (sn, &cache.bridges) {
        struct vsctl_bridge *child = sn->data;
        if (child->parent == br) {
            LIST_FOR_EACH_SAFE (port, next, node, &child->ports) {
                del_port(ctx, port, false);
            }
        }
    }
    LIST_FOR_EACH_SAFE (port, next, node, &br->ports) {
        del_port(ctx, port, !br->row);
    }

    if (br->row) {
        const struct ovsdb_datum *old = row_datum(ctx->ovs_row, "bridges");
        const struct ovsdb_idl_row **bridges;
        const struct ovsdb_idl_row *row, *next_row;
        const struct ovsdb_idl_column *fscs_bridge;
        size_t n = 0;

        /* Flow_Sample_Collector_Set rows refer to their bridge strongly. */
        fscs_bridge = idl_column(ctx, "Flow_Sample_Collector_Set", "bridge");
        for (row = ovsdb_idl_first_row(ovsdb_idl_column_get_table(
                                           fscs_bridge));
             row; row = next_row) {
            const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(
                row, fscs_bridge);
            next_row = ovsdb_idl_next_row(row);
            if (d && d->n && uuid_equals(&d->keys[0].uuid,
                                         ovsdb_idl_row_get_uuid(br->row))) {
                ovsdb_idl_txn_delete(row);
            }
        }

        bridges = xmalloc((old->n + 1) * sizeof *bridges);
        for (unsigned int i = 0; i < old->n; i++) {
            row = ovsdb_idl_get_row(idl_table(ctx, "Bridge"),
                                    &old->keys[i].uuid);
            if (row && row != br->row) {
                bridges[n++] = row;
            }
        }
        write_refs(ctx, ctx->ovs_row, "Open_vSwitch", "bridges", bridges, n);
        free(bridges);
        ovsdb_idl_txn_delete(br->row);
    }
}

static void
pre_cmd_del_br(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    ctl_pre_column(ctx, "Flow_Sample_Collector_Set", "bridge");
    ctl_pre_all_rows(ctx, "Flow_Sample_Collector_Set");
}

static void
cmd_del_br(struct ctl_context *ctx)
{
    struct vsctl_bridge *br;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1],
                     !ctl_has_option(ctx, "--if-exists"));
    if (br) {
        del_bridge(ctx, br);
        cache_invalidate();
    }
}

static void
cmd_list_br(struct ctl_context *ctx)
{
    bool real = ctl_has_option(ctx, "--real");
    bool fake = ctl_has_option(ctx, "--fake");
    struct shash_node *node;
    const char **names;
    size_t n = 0;

    if (!real && !fake) {
        real = fake = true;
    }
    cache_populate(ctx);
    names = xmalloc((shash_count(&cache.bridges) + 1) * sizeof *names);
    SHASH_FOR_EACH (node, &cache.bridges) {
        struct vsctl_bridge *br = node->data;
        if (br->parent ? fake : real) {
            names[n++] = br->name;
        }
    }
    output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_br_exists(struct ctl_context *ctx)
{
    cache_populate(ctx);
    if (!find_bridge(ctx, ctx->argv[1], false)) {
        /* ovs-vsctl's documented answer: exit status 2, nothing done. */
        exit(2);
    }
}

static void
cmd_br_to_vlan(struct ctl_context *ctx)
{
    cache_populate(ctx);
    ctl_printf(ctx, "%d\n", find_bridge(ctx, ctx->argv[1], true)->vlan);
}

static void
cmd_br_to_parent(struct ctl_context *ctx)
{
    struct vsctl_bridge *br;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1], true);
    ctl_printf(ctx, "%s\n", br->parent ? br->parent->name : br->name);
}

static void
pre_cmd_br_external_id(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    ctl_pre_column(ctx, "Bridge", "external_ids");
    ctl_pre_column(ctx, "Port", "external_ids");
}

/* A fake bridge keeps its external IDs in its port's external_ids, with
 * keys prefixed by "fake-bridge-", as in ovs-vsctl. */
static const struct ovsdb_idl_row *
external_ids_row(const struct vsctl_bridge *br, const char **table,
                 const char **prefix)
{
    if (br->row) {
        *table = "Bridge";
        *prefix = "";
        return br->row;
    }
    *table = "Port";
    *prefix = "fake-bridge-";
    return ((struct vsctl_port *) shash_find_data(&cache.ports,
                                                  br->name))->row;
}

static void
cmd_br_set_external_id(struct ctl_context *ctx)
{
    const struct ovsdb_idl_column *column;
    const struct ovsdb_idl_row *row;
    const struct ovsdb_datum *old;
    const char *table, *prefix;
    struct ovsdb_datum new;
    union ovsdb_atom key;
    struct vsctl_bridge *br;
    unsigned int idx;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1], true);
    row = external_ids_row(br, &table, &prefix);
    column = idl_column(ctx, table, "external_ids");
    old = ovsdb_idl_row_get_datum(row, column);

    ovsdb_idl_txn_verify(row, column);
    ovsdb_datum_clone(&new, old, ovsdb_idl_column_get_type(column));
    key.string = xasprintf("%s%s", prefix, ctx->argv[2]);
    idx = ovsdb_datum_find_key(&new, &key, OVSDB_TYPE_STRING);
    if (idx != UINT_MAX) {
        ovsdb_datum_remove(&new, idx, ovsdb_idl_column_get_type(column));
    }
    if (ctx->argc >= 4) {
        union ovsdb_atom value;

        value.string = ctx->argv[3];
        ovsdb_datum_add_unsafe(&new, &key, &value,
                               ovsdb_idl_column_get_type(column));
        ovsdb_datum_sort_unique(&new, ovsdb_idl_column_get_type(column));
    }
    free(key.string);
    ovsdb_idl_txn_write(row, column, &new);
    ovsdb_datum_destroy(&new, ovsdb_idl_column_get_type(column));
}

static void
cmd_br_get_external_id(struct ctl_context *ctx)
{
    const struct ovsdb_idl_column *column;
    const struct ovsdb_idl_row *row;
    const struct ovsdb_datum *d;
    const char *table, *prefix;
    struct vsctl_bridge *br;
    size_t prefix_len;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1], true);
    row = external_ids_row(br, &table, &prefix);
    column = idl_column(ctx, table, "external_ids");
    ovsdb_idl_txn_verify(row, column);
    d = ovsdb_idl_row_get_datum(row, column);
    prefix_len = strlen(prefix);

    /* The keys are sorted already, as in ovs-vsctl's smap_sort(). */
    for (unsigned int i = 0; d && i < d->n; i++) {
        const char *k = d->keys[i].string;

        if (strncmp(k, prefix, prefix_len)) {
            continue;
        }
        if (ctx->argc >= 3) {
            if (!strcmp(k + prefix_len, ctx->argv[2])) {
                ctl_printf(ctx, "%s\n", d->values[i].string);
            }
        } else {
            ctl_printf(ctx, "%s=%s\n", k + prefix_len, d->values[i].string);
        }
    }
}

/* ---- Port commands. ---- */

static void
cmd_list_ports(struct ctl_context *ctx)
{
    struct vsctl_bridge *br;
    struct vsctl_port *port;
    const char **names;
    size_t n = 0;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1], true);
    ovsdb_idl_txn_verify(real_bridge_row(br),
                         idl_column(ctx, "Bridge", "ports"));

    names = xmalloc((ovs_list_size(&br->ports) + 1) * sizeof *names);
    LIST_FOR_EACH (port, node, &br->ports) {
        if (strcmp(row_name(port->row), br->name)) {
            names[n++] = row_name(port->row);
        }
    }
    output_sorted(ctx, names, n);
    free(names);
}

/* add-port and add-bond name their bridge, port and interfaces: fetch
 * those. */
static void
pre_add_port(struct ctl_context *ctx, int first_iface, int n_ifaces,
             int first_setting)
{
    char *names[2];

    names[0] = ctx->argv[1];
    names[1] = ctx->argv[2];
    pre_named_rows(ctx, names, 2);
    pre_named_rows(ctx, &ctx->argv[first_iface], n_ifaces);
    ctl_pre_column(ctx, "Port", "bond_fake_iface");
    for (int i = first_setting; i < ctx->argc; i++) {
        ctl_pre_set_column(ctx, "Port", ctx->argv[i]);
    }
}

static void
add_port(struct ctl_context *ctx, const char *br_name, const char *port_name,
         bool may_exist, bool fake_iface, char *iface_names[], int n_ifaces,
         char *settings[], int n_settings)
{
    const struct ovsdb_idl_row *port_row;
    struct vsctl_bridge *br;
    char *msg;

    cache_populate(ctx);
    if (may_exist) {
        struct vsctl_port *port = find_port(ctx, port_name, false, false);

        if (port) {
            const char **want, **have;
            struct vsctl_iface *iface;
            size_t n_have = 0;
            bool same;

            if (strcmp(port->bridge->name, br_name)) {
                char *command = command_to_string(ctx);
                ctl_fatal("\"%s\" but %s is actually attached to bridge %s",
                          command, port_name, port->bridge->name);
            }
            want = xmalloc(n_ifaces * sizeof *want);
            have = xmalloc((ovs_list_size(&port->ifaces) + 1) * sizeof *have);

            for (int i = 0; i < n_ifaces; i++) {
                want[i] = iface_names[i];
            }
            qsort(want, n_ifaces, sizeof *want, compare_strings);
            LIST_FOR_EACH (iface, node, &port->ifaces) {
                have[n_have++] = row_name(iface->row);
            }
            qsort(have, n_have, sizeof *have, compare_strings);

            same = n_have == (size_t) n_ifaces;
            for (size_t i = 0; same && i < n_have; i++) {
                same = !strcmp(want[i], have[i]);
            }
            if (!same) {
                struct ds list = { NULL, 0, 0 };
                char *command = command_to_string(ctx);

                for (size_t i = 0; i < n_have; i++) {
                    ds_put_format(&list, "%s%s", i ? ", " : "", have[i]);
                }
                free(want);
                free(have);
                ctl_fatal("\"%s\" but %s actually has interface(s) %s",
                          command, port_name, ds_cstr(&list));
            }
            free(want);
            free(have);
            return;
        }
    }

    msg = xasprintf("cannot create a port named %s", port_name);
    check_conflicts(ctx, port_name, msg, false);
    free(msg);
    for (int i = 0; i < n_ifaces; i++) {
        msg = xasprintf("cannot create an interface named %s",
                        iface_names[i]);
        check_conflicts(ctx, iface_names[i], msg, false);
        free(msg);
    }
    br = find_bridge(ctx, br_name, true);

    port_row = insert_port(ctx, port_name, iface_names, n_ifaces, NULL);
    ovsdb_idl_txn_write_boolean(port_row,
                                idl_column(ctx, "Port", "bond_fake_iface"),
                                fake_iface);
    if (br->parent) {
        write_tag(ctx, port_row, br->vlan);
    }
    for (int i = 0; i < n_settings; i++) {
        ctl_set_column(ctx, "Port", port_row, settings[i]);
    }

    /* The point of the exercise: one element into the bridge's set, however
     * big the set is. */
    mutate_ref(ctx, real_bridge_row(br), "Bridge", "ports", "insert",
               port_row);
    port_bridge_remember(&inserted_ports, port_row, real_bridge_row(br));

    /* Updating the cache instead of invalidating it keeps a long
     * "add-port ... -- add-port ..." command line linear. */
    cache_add_port(ctx, br, port_row);
}

static void
pre_cmd_add_port(struct ctl_context *ctx)
{
    pre_add_port(ctx, 2, 1, 3);
}

static void
cmd_add_port(struct ctl_context *ctx)
{
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             ctl_has_option(ctx, "--may-exist"), false,
             &ctx->argv[2], 1, &ctx->argv[3], ctx->argc - 3);
}

/* add-bond BRIDGE PORT IFACE... [COLUMN[:KEY]=VALUE]...: the interfaces end
 * at the first argument with an '='. */
static int
add_bond_n_ifaces(const struct ctl_context *ctx)
{
    for (int i = 3; i < ctx->argc; i++) {
        if (strchr(ctx->argv[i], '=')) {
            return i - 3;
        }
    }
    return ctx->argc - 3;
}

static void
pre_cmd_add_bond(struct ctl_context *ctx)
{
    int n_ifaces = add_bond_n_ifaces(ctx);

    /* Too few interfaces is reported by cmd_add_bond(), before any
     * complaint about the settings, as ovs-vsctl does. */
    pre_add_port(ctx, 3, n_ifaces, n_ifaces < 2 ? ctx->argc : 3 + n_ifaces);
}

static void
cmd_add_bond(struct ctl_context *ctx)
{
    int n_ifaces = add_bond_n_ifaces(ctx);

    if (n_ifaces < 2) {
        ctl_fatal("add-bond requires at least 2 interfaces, but only %d "
                  "were specified", n_ifaces);
    }
    add_port(ctx, ctx->argv[1], ctx->argv[2],
             ctl_has_option(ctx, "--may-exist"),
             ctl_has_option(ctx, "--fake-iface"),
             &ctx->argv[3], n_ifaces,
             &ctx->argv[3 + n_ifaces], ctx->argc - 3 - n_ifaces);
}

static void
pre_cmd_del_port(struct ctl_context *ctx)
{
    pre_named_rows(ctx, &ctx->argv[1], ctx->argc - 1);
}

static void
cmd_del_port(struct ctl_context *ctx)
{
    bool must_exist = !ctl_has_option(ctx, "--if-exists");
    bool with_iface = ctl_has_option(ctx, "--with-iface");
    const char *target = ctx->argv[ctx->argc - 1];
    struct vsctl_port *port;

    cache_populate(ctx);
    if (find_bridge(ctx, target, false)) {
        if (must_exist) {
            ctl_fatal("cannot delete port %s because it is the local port "
                      "for bridge %s (deleting this port requires deleting "
                      "the entire bridge)", target, target);
        }
        port = NULL;
    } else if (!with_iface) {
        port = find_port(ctx, target, must_exist, false);
    } else {
        port = find_port(ctx, target, false, false);
        if (!port) {
            struct vsctl_iface *iface = find_iface(ctx, target, false,
                                                   false);
            if (iface) {
                port = iface->port;
            }
        }
        if (must_exist && !port) {
            ctl_fatal("no port or interface named %s", target);
        }
    }

    if (port) {
        if (ctx->argc == 3) {
            struct vsctl_bridge *br = find_bridge(ctx, ctx->argv[1], true);

            if (port->bridge != br) {
                if (port->bridge->parent == br) {
                    ctl_fatal("bridge %s does not have a port %s (although "
                              "its child bridge %s does)", ctx->argv[1],
                              ctx->argv[2], port->bridge->name);
                } else {
                    ctl_fatal("bridge %s does not have a port %s",
                              ctx->argv[1], ctx->argv[2]);
                }
            }
        }
        del_port(ctx, port, true);
    }
}

static void
cmd_port_to_br(struct ctl_context *ctx)
{
    struct vsctl_port *port;

    cache_populate(ctx);
    port = find_port(ctx, ctx->argv[1], true, true);
    ctl_printf(ctx, "%s\n", port->bridge->name);
}

/* ---- Interface commands. ---- */

static void
cmd_list_ifaces(struct ctl_context *ctx)
{
    struct vsctl_bridge *br;
    struct vsctl_port *port;
    const char **names;
    size_t n = 0, max = 0;

    cache_populate(ctx);
    br = find_bridge(ctx, ctx->argv[1], true);
    verify_ports(ctx, true);

    LIST_FOR_EACH (port, node, &br->ports) {
        max += ovs_list_size(&port->ifaces);
    }
    names = xmalloc((max + 1) * sizeof *names);
    LIST_FOR_EACH (port, node, &br->ports) {
        struct vsctl_iface *iface;

        LIST_FOR_EACH (iface, node, &port->ifaces) {
            if (strcmp(row_name(iface->row), br->name)) {
                names[n++] = row_name(iface->row);
            }
        }
    }
    output_sorted(ctx, names, n);
    free(names);
}

static void
cmd_iface_to_br(struct ctl_context *ctx)
{
    struct vsctl_iface *iface;

    cache_populate(ctx);
    iface = find_iface(ctx, ctx->argv[1], true, true);
    ctl_printf(ctx, "%s\n", iface->port->bridge->name);
}

/* ---- Datapath queries, answered by xsw-switchd's control socket. ---- */

/* Runs unixctl command 'command' with the command's arguments on
 * <rundir>/xsw-switchd.ctl and prints its answer as ovs-appctl would. */
void
switchd_query(struct ctl_context *ctx, const char *command)
{
    char path[PATH_MAX];
    int timeout_ms = ctl_global.timeout ? ctl_global.timeout * 1000 : 10000;
    char *result = NULL, *error = NULL;
    int retval;

    snprintf(path, sizeof path, "%s/xsw-switchd.ctl", xsw_rundir());
    retval = unixctl_client_transact(path, command, ctx->argc - 1,
                                     (const char **) &ctx->argv[1],
                                     timeout_ms, &result, &error);
    if (retval) {
        ctl_fatal("%s: cannot talk to xsw-switchd (%s); is it running?",
                  path, strerror(retval));
    }
    if (error) {
        /* The command itself failed, e.g. "no such bridge". */
        size_t len = strlen(error);
        ctl_fatal("%.*s", (int) (len && error[len - 1] == '\n'
                                 ? len - 1 : len), error);
    }
    ctl_printf(ctx, "%s", result);
    free(result);
}

static void
cmd_fdb_show(struct ctl_context *ctx)
{
    switchd_query(ctx, "fdb/show");
}

static void
cmd_dpif_show(struct ctl_context *ctx)
{
    switchd_query(ctx, "dpif/show");
}

static void
cmd_bond_show(struct ctl_context *ctx)
{
    switchd_query(ctx, "bond/show");
}

/* ---- Controller, fail-mode, manager and SSL commands. ---- */

/* Whether ovs-vsctl would warn that 'target' is "possibly erroneous": it
 * checks only that the part before the first ':' names a stream class it
 * knows, active or passive (Open vSwitch's stream_verify_name(),
 * pstream_verify_name() and their vconn twins agree on these). */
static bool
target_type_is_known(const char *target)
{
    static const char *const classes[] = {
        "tcp", "ssl", "unix", "ptcp", "pssl", "punix",
    };
    size_t n = strcspn(target, ":");

    if (!target[n]) {
        return false;
    }
    for (size_t i = 0; i < ARRAY_SIZE(classes); i++) {
        if (strlen(classes[i]) == n && !strncmp(classes[i], target, n)) {
            return true;
        }
    }
    return false;
}

/* The rows that reference column 'column' of 'row' ('table') points to,
 * in the column's order, among the rows of 'ref_table' that were fetched
 * (ctl_pre_referenced_rows() fetches all of them).  Returns how many, and
 * a malloc'd array in '*rowsp'. */
static size_t
referenced_rows(const struct ctl_context *ctx, const struct ovsdb_idl_row *row,
                const char *column, const char *ref_table,
                const struct ovsdb_idl_row ***rowsp)
{
    const struct ovsdb_datum *d = row_datum(row, column);
    struct ovsdb_idl_table *t = idl_table(ctx, ref_table);
    const struct ovsdb_idl_row **rows = xmalloc((d->n + 1) * sizeof *rows);
    size_t n = 0;

    for (unsigned int i = 0; i < d->n; i++) {
        const struct ovsdb_idl_row *r = ovsdb_idl_get_row(t,
                                                          &d->keys[i].uuid);
        if (r) {
            rows[n++] = r;
        }
    }
    *rowsp = rows;
    return n;
}

/* Verifies reference 'column' of 'row' ('table') and the target of each
 * row it points to, as ovs-vsctl's verify_controllers() and
 * verify_managers() do: what get- and set- commands computed from. */
static void
verify_targets(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
               const char *table, const char *column, const char *ref_table)
{
    const struct ovsdb_idl_row **rows;
    size_t n = referenced_rows(ctx, row, column, ref_table, &rows);

    ovsdb_idl_txn_verify(row, idl_column(ctx, table, column));
    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_verify(rows[i], idl_column(ctx, ref_table, "target"));
    }
    free(rows);
}

/* Prints the targets of the rows that 'column' of 'row' points to, sorted;
 * with 'unique', each once (get-manager does, get-controller does not). */
static void
output_targets(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
               const char *column, const char *ref_table, bool unique)
{
    const struct ovsdb_idl_row **rows;
    size_t n = referenced_rows(ctx, row, column, ref_table, &rows);
    const char **targets = xmalloc((n + 1) * sizeof *targets);
    size_t n_targets = 0;

    for (size_t i = 0; i < n; i++) {
        targets[i] = row_string(rows[i], "target");
    }
    qsort(targets, n, sizeof *targets, compare_strings);
    for (size_t i = 0; i < n; i++) {
        if (!unique || !n_targets || strcmp(targets[i], targets[i - 1])) {
            ctl_printf(ctx, "%s\n", targets[i]);
            n_targets++;
        }
    }
    free(targets);
    free(rows);
}

/* Deletes the rows that 'column' of 'row' points to. */
static void
delete_targets(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
               const char *column, const char *ref_table)
{
    const struct ovsdb_idl_row **rows;
    size_t n = referenced_rows(ctx, row, column, ref_table, &rows);

    for (size_t i = 0; i < n; i++) {
        ovsdb_idl_txn_delete(rows[i]);
    }
    free(rows);
}

/* Inserts a row of 'table' (Controller or Manager) for each of the 'n'
 * 'targets', with the command's --inactivity-probe if given, and points
 * reference set 'column' of 'row' ('row_table') at them. */
static void
insert_targets(struct ctl_context *ctx, const struct ovsdb_idl_row *row,
               const char *row_table, const char *column, const char *table,
               char *targets[], size_t n)
{
    const char *probe = ctl_get_option(ctx, "--inactivity-probe");
    const struct ovsdb_idl_row **rows = xmalloc((n + 1) * sizeof *rows);

    for (size_t i = 0; i < n; i++) {
        if (!target_type_is_known(targets[i])) {
            ctl_log_warn("vsctl", "target type \"%s\" is possibly erroneous",
                         targets[i]);
        }
        rows[i] = ovsdb_idl_txn_insert(ctx->txn, idl_table(ctx, table),
                                       NULL);
        ovsdb_idl_txn_write_string(rows[i], idl_column(ctx, table, "target"),
                                   targets[i]);
        if (probe) {
            /* ovs-vsctl reads it with atoll(): "abc" is 0, "5s" is 5. */
            ovsdb_idl_txn_write_integer(
                rows[i], idl_column(ctx, table, "inactivity_probe"),
                atoll(probe));
        }
    }
    write_refs(ctx, row, row_table, column, rows, n);
    free(rows);
}

static void
pre_controller(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    ctl_pre_column(ctx, "Bridge", "controller");
    ctl_pre_referenced_rows(ctx, "Bridge", "controller");
    ctl_pre_column(ctx, "Controller", "target");
    ctl_pre_column(ctx, "Controller", "inactivity_probe");
}

/* The bridge that a set- or del- command changes: a fake bridge has no
 * controllers or fail mode of its own. */
static const struct ovsdb_idl_row *
find_real_bridge_row(struct ctl_context *ctx, const char *name)
{
    struct vsctl_bridge *br;

    cache_populate(ctx);
    br = find_bridge(ctx, name, true);
    if (br->parent) {
        ctl_fatal("%s is a fake bridge", name);
    }
    return br->row;
}

static void
cmd_get_controller(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br;

    cache_populate(ctx);
    br = real_bridge_row(find_bridge(ctx, ctx->argv[1], true));
    verify_targets(ctx, br, "Bridge", "controller", "Controller");
    output_targets(ctx, br, "controller", "Controller", false);
}

static void
cmd_del_controller(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br = find_real_bridge_row(ctx, ctx->argv[1]);

    verify_targets(ctx, br, "Bridge", "controller", "Controller");
    if (row_datum(br, "controller")->n) {
        delete_targets(ctx, br, "controller", "Controller");
        write_default(ctx, br, "Bridge", "controller");
    }
}

static void
cmd_set_controller(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br = find_real_bridge_row(ctx, ctx->argv[1]);

    verify_targets(ctx, br, "Bridge", "controller", "Controller");
    delete_targets(ctx, br, "controller", "Controller");
    insert_targets(ctx, br, "Bridge", "controller", "Controller",
                   &ctx->argv[2], ctx->argc - 2);
}

static void
pre_fail_mode(struct ctl_context *ctx)
{
    pre_get_info(ctx);
    ctl_pre_column(ctx, "Bridge", "fail_mode");
}

static void
cmd_get_fail_mode(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br;
    const struct ovsdb_datum *d;

    cache_populate(ctx);
    br = real_bridge_row(find_bridge(ctx, ctx->argv[1], true));
    ovsdb_idl_txn_verify(br, idl_column(ctx, "Bridge", "fail_mode"));
    d = row_datum(br, "fail_mode");
    if (d->n && d->keys[0].string[0]) {
        ctl_printf(ctx, "%s\n", d->keys[0].string);
    }
}

static void
cmd_del_fail_mode(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br = find_real_bridge_row(ctx, ctx->argv[1]);

    write_default(ctx, br, "Bridge", "fail_mode");
}

static void
cmd_set_fail_mode(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *br = find_real_bridge_row(ctx, ctx->argv[1]);
    const char *mode = ctx->argv[2];

    if (strcmp(mode, "standalone") && strcmp(mode, "secure")) {
        ctl_fatal("fail-mode must be \"standalone\" or \"secure\"");
    }
    ovsdb_idl_txn_write_string(br, idl_column(ctx, "Bridge", "fail_mode"),
                               mode);
}

static void
pre_manager(struct ctl_context *ctx)
{
    ctl_pre_column(ctx, "Open_vSwitch", "manager_options");
    ctl_pre_referenced_rows(ctx, "Open_vSwitch", "manager_options");
    ctl_pre_column(ctx, "Manager", "target");
    ctl_pre_column(ctx, "Manager", "inactivity_probe");
}

static void
cmd_get_manager(struct ctl_context *ctx)
{
    verify_targets(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options",
                   "Manager");
    output_targets(ctx, ctx->ovs_row, "manager_options", "Manager", true);
}

static void
cmd_del_manager(struct ctl_context *ctx)
{
    verify_targets(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options",
                   "Manager");
    delete_targets(ctx, ctx->ovs_row, "manager_options", "Manager");
    write_default(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options");
}

static void
cmd_set_manager(struct ctl_context *ctx)
{
    verify_targets(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options",
                   "Manager");
    delete_targets(ctx, ctx->ovs_row, "manager_options", "Manager");
    insert_targets(ctx, ctx->ovs_row, "Open_vSwitch", "manager_options",
                   "Manager", &ctx->argv[1], ctx->argc - 1);
}

static const char *const ssl_columns[] = {
    "private_key", "certificate", "ca_cert", "bootstrap_ca_cert",
};

static void
pre_ssl(struct ctl_context *ctx)
{
    ctl_pre_column(ctx, "Open_vSwitch", "ssl");
    ctl_pre_referenced_rows(ctx, "Open_vSwitch", "ssl");
    for (size_t i = 0; i < ARRAY_SIZE(ssl_columns); i++) {
        ctl_pre_column(ctx, "SSL", ssl_columns[i]);
    }
}

/* The SSL row that Open_vSwitch's "ssl" column points to, or NULL. */
static const struct ovsdb_idl_row *
ssl_row(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row **rows;
    size_t n = referenced_rows(ctx, ctx->ovs_row, "ssl", "SSL", &rows);
    const struct ovsdb_idl_row *row = n ? rows[0] : NULL;

    free(rows);
    return row;
}

static void
cmd_get_ssl(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *ssl = ssl_row(ctx);

    ovsdb_idl_txn_verify(ctx->ovs_row, idl_column(ctx, "Open_vSwitch",
                                                  "ssl"));
    if (ssl) {
        for (size_t i = 0; i < ARRAY_SIZE(ssl_columns); i++) {
            ovsdb_idl_txn_verify(ssl, idl_column(ctx, "SSL",
                                                 ssl_columns[i]));
        }
        const struct ovsdb_datum *bootstrap
            = row_datum(ssl, "bootstrap_ca_cert");

        ctl_printf(ctx, "Private key: %s\n", row_string(ssl, "private_key"));
        ctl_printf(ctx, "Certificate: %s\n", row_string(ssl, "certificate"));
        ctl_printf(ctx, "CA Certificate: %s\n", row_string(ssl, "ca_cert"));
        ctl_printf(ctx, "Bootstrap: %s\n",
                   bootstrap->n && bootstrap->keys[0].boolean
                   ? "true" : "false");
    }
}

static void
cmd_del_ssl(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *ssl = ssl_row(ctx);

    if (ssl) {
        ovsdb_idl_txn_verify(ctx->ovs_row,
                             idl_column(ctx, "Open_vSwitch", "ssl"));
        ovsdb_idl_txn_delete(ssl);
        write_default(ctx, ctx->ovs_row, "Open_vSwitch", "ssl");
    }
}

static void
cmd_set_ssl(struct ctl_context *ctx)
{
    const struct ovsdb_idl_row *ssl = ssl_row(ctx);

    ovsdb_idl_txn_verify(ctx->ovs_row, idl_column(ctx, "Open_vSwitch",
                                                  "ssl"));
    if (ssl) {
        ovsdb_idl_txn_delete(ssl);
    }
    ssl = ovsdb_idl_txn_insert(ctx->txn, idl_table(ctx, "SSL"), NULL);
    for (size_t i = 0; i < 3; i++) {
        ovsdb_idl_txn_write_string(ssl, idl_column(ctx, "SSL",
                                                   ssl_columns[i]),
                                   ctx->argv[i + 1]);
    }
    ovsdb_idl_txn_write_boolean(ssl, idl_column(ctx, "SSL",
                                                "bootstrap_ca_cert"),
                                ctl_has_option(ctx, "--bootstrap"));
    write_refs(ctx, ctx->ovs_row, "Open_vSwitch", "ssl", &ssl, 1);
}

/* ---- Registration. ---- */

static const struct ctl_command_syntax vsctl_commands[] = {
    /* Open vSwitch commands. */
    {"init", 0, 0, "", NULL, cmd_init, NULL, "", CTL_RW},
    {"show", 0, 0, "", pre_cmd_show, cmd_show, NULL, "", CTL_RO},
    {"emer-reset", 0, 0, "", pre_cmd_emer_reset, cmd_emer_reset, NULL, "",
     CTL_RW},

    /* Bridge commands. */
    {"add-br", 1, 3, "NEW-BRIDGE [PARENT] [NEW-VLAN]", pre_cmd_add_br,
     cmd_add_br, NULL, "--may-exist", CTL_RW},
    {"del-br", 1, 1, "BRIDGE", pre_cmd_del_br, cmd_del_br, NULL,
     "--if-exists", CTL_RW},
    {"list-br", 0, 0, "", pre_get_bridges, cmd_list_br, NULL, "--real,--fake",
     CTL_RO},
    {"br-exists", 1, 1, "BRIDGE", pre_get_bridges, cmd_br_exists, NULL, "",
     CTL_RO},
    {"br-to-vlan", 1, 1, "BRIDGE", pre_get_bridges, cmd_br_to_vlan, NULL, "",
     CTL_RO},
    {"br-to-parent", 1, 1, "BRIDGE", pre_get_bridges, cmd_br_to_parent, NULL,
     "", CTL_RO},
    {"br-set-external-id", 2, 3, "BRIDGE KEY [VALUE]",
     pre_cmd_br_external_id, cmd_br_set_external_id, NULL, "", CTL_RW},
    {"br-get-external-id", 1, 2, "BRIDGE [KEY]", pre_cmd_br_external_id,
     cmd_br_get_external_id, NULL, "", CTL_RO},

    /* Port commands. */
    {"list-ports", 1, 1, "BRIDGE", pre_get_info, cmd_list_ports, NULL, "",
     CTL_RO},
    {"add-port", 2, INT_MAX, "BRIDGE NEW-PORT [COLUMN[:KEY]=VALUE]...",
     pre_cmd_add_port, cmd_add_port, NULL, "--may-exist", CTL_RW},
    {"add-bond", 4, INT_MAX,
     "BRIDGE NEW-BOND-PORT SYSIFACE... [COLUMN[:KEY]=VALUE]...",
     pre_cmd_add_bond, cmd_add_bond, NULL, "--may-exist,--fake-iface",
     CTL_RW},
    {"del-port", 1, 2, "[BRIDGE] PORT|IFACE", pre_cmd_del_port, cmd_del_port,
     NULL, "--if-exists,--with-iface", CTL_RW},
    {"port-to-br", 1, 1, "PORT", pre_get_info, cmd_port_to_br, NULL, "",
     CTL_RO},

    /* Interface commands. */
    {"list-ifaces", 1, 1, "BRIDGE", pre_get_info, cmd_list_ifaces, NULL, "",
     CTL_RO},
    {"iface-to-br", 1, 1, "IFACE", pre_get_info, cmd_iface_to_br, NULL, "",
     CTL_RO},

    /* Controller commands. */
    {"get-controller", 1, 1, "BRIDGE", pre_controller, cmd_get_controller,
     NULL, "", CTL_RO},
    {"del-controller", 1, 1, "BRIDGE", pre_controller, cmd_del_controller,
     NULL, "", CTL_RW},
    {"set-controller", 1, INT_MAX, "BRIDGE TARGET...", pre_controller,
     cmd_set_controller, NULL, "--inactivity-probe=", CTL_RW},
    {"get-fail-mode", 1, 1, "BRIDGE", pre_fail_mode, cmd_get_fail_mode, NULL,
     "", CTL_RO},
    {"del-fail-mode", 1, 1, "BRIDGE", pre_fail_mode, cmd_del_fail_mode, NULL,
     "", CTL_RW},
    {"set-fail-mode", 2, 2, "BRIDGE MODE", pre_fail_mode, cmd_set_fail_mode,
     NULL, "", CTL_RW},

    /* Manager commands. */
    {"get-manager", 0, 0, "", pre_manager, cmd_get_manager, NULL, "", CTL_RO},
    {"del-manager", 0, 0, "", pre_manager, cmd_del_manager, NULL, "", CTL_RW},
    {"set-manager", 1, INT_MAX, "TARGET...", pre_manager, cmd_set_manager,
     NULL, "--inactivity-probe=", CTL_RW},

    /* SSL commands. */
    {"get-ssl", 0, 0, "", pre_ssl, cmd_get_ssl, NULL, "", CTL_RO},
    {"del-ssl", 0, 0, "", pre_ssl, cmd_del_ssl, NULL, "", CTL_RW},
    {"set-ssl", 3, 3, "PRIVATE-KEY CERTIFICATE CA-CERT", pre_ssl,
     cmd_set_ssl, NULL, "--bootstrap", CTL_RW},

    /* Datapath queries (xsw-switchd's fdb/show, dpif/show, bond/show). */
    {"fdb-show", 1, 1, "BRIDGE", NULL, cmd_fdb_show, NULL, "", CTL_RO},
    {"dpif-show", 0, 0, "", NULL, cmd_dpif_show, NULL, "", CTL_RO},
    {"bond-show", 0, 1, "[PORT]", NULL, cmd_bond_show, NULL, "", CTL_RO},

    {NULL, 0, 0, NULL, NULL, NULL, NULL, NULL, CTL_RO},
};

/* The framework's hook: before each attempt, or after a database command
 * that may have changed what the caches hold. */
static void
caches_reset(void)
{
    cache_invalidate();
    shash_destroy_free_data(&answered_ports);
    shash_init(&answered_ports);
}

void
vsctl_cmds_register(void)
{
    ctl_register_cache_hook(caches_reset);
    ctl_register_commands(vsctl_commands);
}
