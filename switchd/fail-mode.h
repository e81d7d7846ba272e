/* fail-mode.h: what a bridge forwards without an OpenFlow controller.
 *
 * Open vSwitch forwards by the flows in a bridge's OpenFlow tables, and
 * Bridge 'fail_mode' says what happens while no controller fills them
 * (ovs-vswitchd.conf.db(5)):
 *
 *   "secure"      nothing but what a controller installed: with none
 *                 connected, the bridge forwards nothing, not even to its
 *                 own port.  Neutron and OVN set it to keep ports apart.
 *   "standalone"  (also an empty fail_mode) normal learning switching
 *                 when no controller is configured, or, with one, once it
 *                 has been unreachable for three inactivity probes.
 *
 * xsw-switchd speaks no OpenFlow and connects to no controller, so:
 *
 *   - a secure bridge forwards nothing, for as long as it is secure (it
 *     fails closed: dp_config_close_bridge());
 *   - a standalone bridge with a controller switches normally from the
 *     start.  Open vSwitch would first wait 3 x inactivity_probe (15 s by
 *     default) for the controller; that wait only gives a controller the
 *     chance to connect, and none ever can here;
 *   - every Controller row gets is_connected=false and a 'status' that
 *     says why: state "VOID" (no connection attempted, as Open vSwitch
 *     says of a controller it does not try) and last_error;
 *   - a Bridge with either case gets status:forwarding saying what it does
 *     and why; other bridges have no such key.
 *
 * The log says each once: when a bridge becomes secure (or standalone with
 * controllers) and when a controller target first appears.
 *
 * For the control thread; uses the IDL given to fail_mode_init(). */
#ifndef XSW_SWITCHD_FAIL_MODE_H
#define XSW_SWITCHD_FAIL_MODE_H 1

#include <stdbool.h>

struct ovsdb_idl;
struct ovsdb_idl_row;

/* Registers the Bridge and Controller columns read and written here. */
void fail_mode_init(struct ovsdb_idl *);

/* Whether Bridge 'row' (named 'name') must forward nothing.  Logs a change
 * of what the bridge does, once. */
bool fail_mode_bridge_closed(const struct ovsdb_idl_row *row,
                             const char *name);

/* Writes, into the IDL's open transaction, Bridge status:forwarding and
 * the Controller rows' is_connected and status, where the replica differs.
 * Returns the number of columns written. */
unsigned int fail_mode_write_status(void);

/* Frees what the log-once memory holds. */
void fail_mode_destroy(void);

#endif /* fail-mode.h */
