/* bridge.h: xsw-switchd's reconciler: the database, through the IDL, into
 * the datapath.
 *
 * The reconciler replicates the Open_vSwitch, Bridge, Port and Interface
 * tables, holds the database lock "xsw_switchd" (only one switch daemon
 * manages a host; a second one waits, saying so in its log), and whenever
 * the replica changes makes the datapath match it:
 *
 *   - an Interface that appears is opened (type "internal" or "tap": a
 *     persistent TAP device; "" or "system": AF_XDP, else AF_PACKET;
 *     "afxdp" or "afpacket": that driver only) and its Port's VLAN settings
 *     and its Bridge's MAC learning settings are committed to the
 *     datapath;
 *   - an Interface that disappears is closed, and its TAP device deleted
 *     wherever it lives now;
 *   - an Interface whose type, options:xdp-mode, mac or mtu_request changes
 *     is reopened; other changes (tag, trunks, vlan_mode, mac-aging-time,
 *     mac-table-size) only change the committed configuration, so traffic
 *     keeps flowing;
 *   - an Interface whose device cannot be opened (missing, or a name clash)
 *     gets ofport -1 and a message in 'error'; it is opened as soon as
 *     rtnetlink reports that a device of that name appeared or went away,
 *     without a restart.
 *
 * Then it writes the state back (ofport, mac_in_use, ifindex, link_state,
 * admin_state, mtu, statistics, status, error; see iface-state.h), the
 * settings it does not apply (Interface error, Port and Bridge status; see
 * report.h),
 * Open_vSwitch's iface_types and datapath_types, and cur_cfg = next_cfg,
 * the signal that "ovs-vsctl" (without --no-wait) waits for.  Statistics
 * are refreshed every 5 seconds, and only columns that changed are sent.
 *
 * At its first reconfiguration after start-up it cleans up after a
 * predecessor that crashed: TAP devices marked as xsw's that the
 * configuration no longer has are deleted (in any namespace), stale XDP
 * programs are removed from the system ports it is about to open, and the
 * TAPs that are still configured are simply re-attached, wherever they
 * are, without disturbing them.
 *
 * Control commands (unixctl):
 *   fdb/show BRIDGE     learned MACs, as "ovs-appctl fdb/show" prints them.
 *   fdb/flush [BRIDGE]  forget learned MACs.
 *   fdb/stats-show BRIDGE  learning statistics, as Open vSwitch 3.1.
 *   dpif/show           bridges, ports, drivers, XDP modes and counters.
 *   memory/show         what xsw-switchd holds (ports, MACs, rows, ...).
 *   ofproto/trace BRIDGE FLOW  where a frame would go (dp_trace()).
 *   bond/show [PORT]    bonds' modes, members and active member, as
 *                       "ovs-appctl bond/show" prints them.
 *
 * Everything runs on the libuv loop given to bridge_init(); the datapath
 * forwards on its own threads. */
#ifndef XSW_SWITCHD_BRIDGE_H
#define XSW_SWITCHD_BRIDGE_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
/* util.h before <uv.h>: see jsonrpc.h. */
#include "util.h"
#include <uv.h>

/* The database lock that xsw-switchd instances contend for. */
#define BRIDGE_DB_LOCK "xsw_switchd"

/* Starts the reconciler on 'loop': creates the datapath with 'n_threads'
 * forwarding threads, registers the port drivers, starts connecting to
 * database 'remote' ("unix:PATH"), watches network devices and registers
 * the control commands.  Returns 0, or a positive errno value with a
 * malloc()ed message in '*errorp'. */
int bridge_init(uv_loop_t *loop, const char *remote, unsigned int n_threads,
                char **errorp);

/* Stops reconciling and destroys the datapath.  Ports' devices are closed
 * but TAP devices stay (persistent), so that containers keep their NICs
 * while xsw-switchd restarts; with 'cleanup' they are deleted too ("exit
 * --cleanup").  Run the loop afterward so that libuv releases the
 * handles. */
void bridge_exit(bool cleanup);

/* What the metrics (switch-metrics.h) read.  Each is valid until the loop
 * runs again. */
struct bond;
struct dp;

/* The datapath, or NULL before bridge_init() and after bridge_exit(). */
struct dp *bridge_get_dp(void);

/* The interfaces of the configured ports, attached to the datapath or
 * not, sorted by bridge, port and interface name: an array of '*n' that
 * the caller frees (not the names, which are the reconciler's). */
struct bridge_iface_info {
    const char *bridge, *port, *interface;
    uint32_t port_no;               /* In the datapath, 0 if not there. */
    bool error;                     /* Its Interface row's "error" column,
                                     * as the database has it, is set. */
};
struct bridge_iface_info *bridge_dump_ifaces(size_t *n);

/* The names of the bridges the datapath has, sorted: an array of '*n'
 * malloc()ed strings that the caller frees, as the array. */
char **bridge_dump_bridges(size_t *n);

/* The bonds, by port name: an array of '*n' that the caller frees. */
struct bridge_bond_info {
    const char *bridge;
    const struct bond *bond;        /* Its 'name' is the Port's. */
};
struct bridge_bond_info *bridge_dump_bonds(size_t *n);

#endif /* bridge.h */
