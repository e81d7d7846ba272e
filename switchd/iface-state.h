/* iface-state.h: what xsw-switchd reports about an Interface.
 *
 * ovs-vswitchd fills in the Interface columns that describe the device as
 * it really is (ofport, mac_in_use, ifindex, link_state, admin_state, mtu,
 * statistics, status, error), and tools read them from the database rather
 * than asking the switch.  This module turns one interface's state, as the
 * reconciler gathered it, into writes in an IDL transaction, writing only
 * the columns whose value differs from the replica: the statistics are
 * refreshed every few seconds, and a transaction that changes nothing is
 * not sent at all.
 *
 * Keys of 'status' written by xsw-switchd:
 *   driver_name      "tap", "afxdp" or "afpacket": how the port is attached.
 *   xdp-mode         for AF_XDP: "native", "generic", ...
 *   fallback_reason  for a system port on AF_PACKET: why not AF_XDP. */
#ifndef XSW_SWITCHD_IFACE_STATE_H
#define XSW_SWITCHD_IFACE_STATE_H 1

#include <stdbool.h>
#include <stdint.h>
#include "netdev.h"
#include "shash.h"

struct ovsdb_idl;
struct ovsdb_idl_row;
struct ovsdb_idl_table;

/* The state of one interface.  A detached interface (attached == false:
 * its device could not be opened) reports only 'ofport' (-1) and 'error';
 * the other columns are cleared, as ovs-vswitchd does. */
struct iface_state {
    bool attached;
    int64_t ofport;             /* -1 if not attached. */
    char *error;                /* Owned; NULL if none. */

    /* Meaningful only if 'attached'; each 'has_*' says whether the device
     * could be asked. */
    bool has_mac, has_ifindex, has_mtu;
    struct eth_addr mac;
    int64_t ifindex;
    int64_t mtu;
    const char *link_state;     /* "up", "down" or NULL (static strings). */
    const char *admin_state;
    struct netdev_stats stats;
    struct shash status;        /* char * -> char *, both owned. */
};

void iface_state_init(struct iface_state *);
void iface_state_destroy(struct iface_state *);

/* Adds 'key' = 'value' (copied) to 'state''s status. */
void iface_state_add_status(struct iface_state *, const char *key,
                            const char *value);

/* The Interface columns this module writes: registers them with the IDL
 * (for replication, which writing needs). */
void iface_state_register_columns(struct ovsdb_idl_table *interface);

/* Writes into the IDL's open transaction those columns of Interface 'row'
 * whose replica value differs from 'state'.  Columns the server's schema
 * lacks are skipped.  Returns the number of columns written. */
unsigned int iface_state_write(const struct iface_state *,
                               const struct ovsdb_idl_row *row);

/* Helpers shared with the reconciler for the Open_vSwitch row: write
 * 'column' of 'row' only if it differs from the replica.  'datum' (of the
 * column's type, which must be known: ovsdb_idl_column_get_type()) is
 * taken in both cases (freed if not written).  Returns true if
 * written. */
struct ovsdb_idl_column;
struct ovsdb_datum;
bool iface_state_write_if_changed(const struct ovsdb_idl_row *,
                                  const struct ovsdb_idl_column *,
                                  struct ovsdb_datum *);

/* Writes the keys of string map 'column' (a 'status') of 'row' that one
 * writer owns, leaving the others' keys as they are: removes every key in
 * 'owned' ('n_owned' of them), then adds 'values' (char * -> char *, keys
 * among 'owned'; NULL for none).  Several writers share a status column
 * this way within one transaction (reads see the transaction's writes).
 * Returns 1 if the column was written, 0 if it already held that (or the
 * server lacks it). */
unsigned int iface_state_write_owned_keys(const struct ovsdb_idl_row *row,
                                          const struct ovsdb_idl_column *,
                                          const char *const *owned,
                                          size_t n_owned,
                                          const struct shash *values);

/* Builds a datum of a set of strings from 'n' strings. */
void iface_state_string_set(struct ovsdb_datum *, const char *const *strings,
                            size_t n);

#endif /* iface-state.h */
