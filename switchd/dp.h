/* dp.h: the datapath: bridges of ports, learning, forwarding threads.
 *
 * The datapath forwards on its own threads, apart from the control (libuv)
 * thread that configures it.  The control thread
 *
 *   1. adds each port's netdev with dp_port_add() (the datapath then owns
 *      it), getting a port number;
 *   2. describes the whole wanted configuration (bridges, their ports and
 *      VLAN settings) in a struct dp_config and commits it with
 *      dp_commit().  The forwarding threads switch to the new, immutable
 *      configuration between two batches, without stopping traffic; the
 *      old one is freed once every thread has passed a quiescent point
 *      (RCU-style epochs: a thread announces the epoch it has seen after
 *      each polling round, or that it is asleep);
 *   3. removes ports that no committed configuration uses any more with
 *      dp_port_del().
 *
 * A bridge keeps its MAC learning table (fdb) across commits as long as a
 * bridge of the same name stays; a port whose VLAN settings or bridge
 * change has its learned MACs flushed, as Open vSwitch does.
 *
 * All functions here are for the control thread only. */
#ifndef XSW_SWITCHD_DP_H
#define XSW_SWITCHD_DP_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "fdb.h"
#include "netdev.h"
#include "vlan.h"

struct dp;
struct dp_config;

/* Creates a datapath with 'n_threads' forwarding threads (at least 1) and
 * an empty configuration, and starts the threads. */
struct dp *dp_create(unsigned int n_threads);

/* Sets how long, in microseconds, a forwarding thread keeps polling its
 * ports after the last packet before it sleeps until one is readable
 * (DP_BUSY_POLL_USEC_DEFAULT at first).  Longer spinning trades CPU for
 * latency: a packet that arrives within that time is found without a
 * wake-up (tens of microseconds on a virtual CPU), but a thread that saw
 * traffic burns a core for that long after it; 0 sleeps at once.  Any
 * thread may call it; it takes effect at the threads' next idle round.
 * xsw-switchd sets it from other_config:busy-poll-usec on the
 * Open_vSwitch record. */
#define DP_BUSY_POLL_USEC_DEFAULT 200
#define DP_BUSY_POLL_USEC_MAX 1000000
void dp_set_busy_poll(struct dp *, unsigned int usec);

/* Stops the threads, closes every port's netdev and frees everything. */
void dp_destroy(struct dp *);

/* Adds 'netdev' as a port; the datapath owns it from now on (even on
 * error, when it closes it).  '*port_no' is the wanted port number, or 0 to
 * have one chosen; on success it holds the number.  EEXIST if the number
 * is taken.  The port forwards nothing until a committed configuration
 * puts it in a bridge. */
int dp_port_add(struct dp *, struct netdev *netdev, uint32_t *port_no);

/* Removes a port and closes its netdev.  ENOENT if there is no such port,
 * EBUSY if the committed configuration still uses it. */
int dp_port_del(struct dp *, uint32_t port_no);

/* The netdev of a port (owned by the datapath), or NULL. */
struct netdev *dp_port_get_netdev(const struct dp *, uint32_t port_no);

/* Building a configuration. */
struct dp_config *dp_config_create(void);
void dp_config_destroy(struct dp_config *);  /* One never committed. */

/* Adds a bridge.  'idle_time' is the MAC aging time in seconds, 'max_macs'
 * the fdb size limit (0 for the defaults).  EEXIST if the name is taken. */
int dp_config_add_bridge(struct dp_config *, const char *name,
                         unsigned int idle_time, size_t max_macs);

/* Closes bridge 'name' of 'cfg': it forwards nothing.  Its ports stay
 * attached and count what they receive as rx_packets and rx_dropped; it
 * learns no MAC (committing it closed forgets what it had learned) and
 * sends no bond learning packets.  For Open vSwitch's fail_mode=secure,
 * where only an OpenFlow controller's flows forward anything and
 * xsw-switchd has none.  ENOENT if there is no such bridge in 'cfg'. */
int dp_config_close_bridge(struct dp_config *, const char *name);

/* Whether bridge 'name' of 'cfg' forwards frames to the reserved MACs of
 * bridge and link control protocols (STP BPDUs, LACP, LLDP, 802.1X, CDP...:
 * eth_addr_is_reserved() in flow.h).  By default (false) it drops them on
 * input, after the VLAN check and before learning, as Open vSwitch's NORMAL
 * action does unless Bridge other_config:forward-bpdu=true; they count as
 * received, and in the coverage counter drop_reserved_multicast, not as
 * rx_dropped.  ENOENT if there is no such bridge in 'cfg'. */
int dp_config_set_forward_bpdu(struct dp_config *, const char *name,
                               bool forward);

/* Puts port 'port_no' in bridge 'bridge' with VLAN settings 'vlan'
 * (copied).  ENOENT if there is no such bridge in the configuration,
 * EEXIST if the port is already in one. */
int dp_config_add_port(struct dp_config *, const char *bridge,
                       uint32_t port_no, const struct vlan_config *vlan);

/* Bonds.  A bond is one bridge port made of several member ports (each
 * added with dp_port_add(), keeping its own counters): frames received on
 * any member that the mode accepts enter the bridge as from the bond, which
 * learns and is flooded to as one port, numbered as its first member.
 * Which members are enabled and which one is active is the control
 * thread's business (bond.h): each change is a new committed
 * configuration, so the fast path never locks or allocates for it.
 *
 *   DP_BOND_ACTIVE_BACKUP  transmits on the active member; receives only
 *                          on it.
 *   DP_BOND_BALANCE_SLB    transmits each frame on the owner of bucket
 *                          bond_bucket(source MAC, VLAN), counting its
 *                          bytes per bucket (dp_bond_get_bucket_stats());
 *                          receives on every enabled member, except
 *                          multicast and unknown unicast, taken from the
 *                          active member only, and frames whose source MAC
 *                          was learned on another port (they looped back
 *                          from the network) unless they are gratuitous
 *                          ARPs and the MAC's fdb entry is not grat-ARP
 *                          locked (fdb.h): a host that moved to the
 *                          network's side is relearned at once.
 *   DP_BOND_DISABLED       forwards nothing (LACP required, not
 *                          negotiated). */
enum dp_bond_mode {
    DP_BOND_ACTIVE_BACKUP,
    DP_BOND_BALANCE_SLB,
    DP_BOND_DISABLED,
};

#define DP_BOND_N_BUCKETS 256       /* As BOND_N_BUCKETS. */
#define DP_BOND_BUCKET_NONE 0xff

struct dp_bond_config {
    enum dp_bond_mode mode;
    const uint32_t *members;    /* Port numbers, 'n_members' of them. */
    const bool *enabled;        /* Per member. */
    size_t n_members;
    int active;                 /* Index in 'members', or -1. */
    const uint8_t *buckets;     /* DP_BOND_N_BUCKETS member indexes (or
                                 * DP_BOND_BUCKET_NONE), for balance-slb;
                                 * may be NULL otherwise. */
};

/* Puts a bond with members and state 'bond' (copied) in bridge 'bridge',
 * with VLAN settings 'vlan'.  ENOENT if there is no such bridge, EEXIST if
 * a member is already in a port, EINVAL if there is no member or 'active'
 * or a bucket is out of range. */
int dp_config_add_bond(struct dp_config *, const char *bridge,
                       const struct vlan_config *vlan,
                       const struct dp_bond_config *bond);

/* After a bond's active member or hash buckets change, tells the network
 * where the MACs behind the bridge are now, as Open vSwitch does: for every
 * MAC that the bond's bridge learned on another port, in a VLAN the bond
 * carries, sends a gratuitous RARP from that MAC out of the member that now
 * transmits its frames, so that upstream switches learn it there.
 * 'port_no' is the bond's port number in the running configuration.
 * Stores the number of frames sent in '*n_sent'.  ENOENT if there is no
 * such bond. */
int dp_bond_send_learning_packets(struct dp *, uint32_t port_no,
                                  size_t *n_sent);

/* The load of balance-slb bond 'port_no' (its port number in the running
 * configuration): stores in 'tx_bytes' how many bytes each hash bucket
 * sent, summed over the bond's current members and every forwarding
 * thread.  The counters only grow, from when a port first became a member
 * of a balance-slb bond; a member that leaves takes its share with it.
 * ENOENT, with zeros, if there is no such balance-slb bond. */
int dp_bond_get_bucket_stats(const struct dp *, uint32_t port_no,
                             uint64_t tx_bytes[DP_BOND_N_BUCKETS]);

/* Makes 'cfg' the running configuration and frees it or the old one: it
 * takes ownership of 'cfg' in every case.  Returns ENOENT, changing
 * nothing, if 'cfg' names a port that was never added.  Returns once no
 * forwarding thread can still see the old configuration (typically a few
 * microseconds: the longest a batch takes). */
int dp_commit(struct dp *, struct dp_config *cfg);

/* Tracing: where would a frame go?  dp_trace() runs the forwarding
 * threads' own decision code on a frame, as if device 'port_no' had just
 * received it in the running configuration: what the device's bond or
 * bridge lets in, the input VLAN rules, a balance-slb bond's admission
 * checks, the fdb lookup, flooding, the bond member each output takes and
 * the tag it leaves with.  It learns, sends and counts nothing. */
enum dp_trace_verdict {
    DP_TRACE_NOT_IN_BRIDGE,     /* The device is in no bridge. */
    DP_TRACE_RX_DROP,           /* The device takes nothing: a backup or
                                 * disabled bond member, a closed bridge. */
    DP_TRACE_BAD_FRAME,         /* Too short for Ethernet. */
    DP_TRACE_VLAN_DROP,         /* Its port's VLAN rules refuse it. */
    DP_TRACE_RESERVED_DROP,     /* To a reserved MAC, without forward-bpdu. */
    DP_TRACE_BOND_REFUSED,      /* A balance-slb bond refuses it. */
    DP_TRACE_HAIRPIN,           /* Its destination is behind its port. */
    DP_TRACE_OUT_VLAN_DROP,     /* Its destination's port does not carry its
                                 * VLAN. */
    DP_TRACE_UNICAST,           /* Out of one port, learned. */
    DP_TRACE_FLOOD,             /* Out of every port of its VLAN. */
};

/* One port a traced frame leaves by. */
struct dp_trace_output {
    uint32_t port_no;           /* The bridge port: for a bond, its first
                                 * member's number. */
    uint32_t dev_port_no;       /* The device, or 0 if none (a bond with no
                                 * member enabled: the frame is lost). */
    int bucket;                 /* balance-slb hash bucket, or -1. */
    uint16_t vid;               /* The tag it leaves with, 0: untagged. */
};

struct dp_trace {
    enum dp_trace_verdict verdict;
    const char *bridge;         /* Valid until the next dp_commit(); NULL
                                 * if not in a bridge. */
    bool bridge_closed;         /* dp_config_close_bridge(). */
    uint32_t in_port_no;        /* The bridge port of the input device. */
    bool bond_backup;           /* The device is an enabled balance-slb
                                 * member that is not the active one. */
    uint16_t vlan;              /* The VLAN the frame belongs to. */
    bool dst_multicast;
    uint32_t src_port_no;       /* Where the fdb has the source MAC now, */
    uint32_t dst_port_no;       /* ...and the destination (FDB_PORT_NONE:
                                 * unknown or multicast). */
    struct dp_trace_output *outputs;    /* 'n_outputs' of them. */
    size_t n_outputs;
};

/* Traces the 'size'-byte frame at 'data' received on device 'port_no' into
 * '*trace' (free with dp_trace_destroy()).  ENOENT if there is no such
 * device. */
int dp_trace(struct dp *, uint32_t port_no, const void *data, size_t size,
             struct dp_trace *trace);
void dp_trace_destroy(struct dp_trace *);

/* Per-port counters, as the datapath saw them: rx_* for frames received
 * from the port (rx_dropped: refused by VLAN filtering; rx_errors: not
 * Ethernet), tx_* for frames handed to the port's driver (tx_dropped:
 * lost on the way, for want of buffers, or because offloads could not be
 * done in software).  The driver's own counters (ring overruns, ...) are in
 * netdev_get_stats(). */
struct dp_port_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

/* Reads a port's counters without stopping the fast path.  ENOENT if there
 * is no such port. */
int dp_port_get_stats(const struct dp *, uint32_t port_no,
                      struct dp_port_stats *);

/* The forwarding threads, numbered from 0: how many. */
unsigned int dp_get_n_threads(const struct dp *);

/* What a forwarding thread did: 'busy_nsec', the time it spent in polling
 * rounds that found packets (receiving, switching and sending them, and
 * polling its other ports in the same round); 'cpu_nsec', the CPU time the
 * kernel counts for it, which also has its busy polling after the last
 * packet (see dp_set_busy_poll()).  The thread adds to 'busy_nsec' once per
 * round with packets, with no lock.  ENOENT, with zeros, if there is no
 * thread 'i'. */
struct dp_thread_stats {
    uint64_t busy_nsec;
    uint64_t cpu_nsec;
};
int dp_thread_get_stats(const struct dp *, unsigned int i,
                        struct dp_thread_stats *);

/* One port as dp_dump_ports() reports it, for dpif/show. */
struct dp_port_info {
    uint32_t port_no;
    const char *name;        /* The netdev's; valid until the port goes. */
    const char *type;        /* The netdev class's type. */
    const char *mode;        /* netdev_get_mode(), or NULL. */
    const char *bridge;      /* Valid until the next commit; NULL if the
                              * port is in no bridge. */
    uint32_t bond_port_no;   /* For a bond member, the bond's port number
                              * (its first member's); otherwise 0. */
};

/* Returns all ports, in port number order, as an array of '*n' that the
 * caller frees. */
struct dp_port_info *dp_dump_ports(const struct dp *, size_t *n);

/* The learned MACs of bridge 'bridge', oldest first, as for fdb/show: an
 * array of '*n' that the caller frees.  ENOENT if there is no such bridge
 * in the running configuration. */
int dp_fdb_dump(struct dp *, const char *bridge,
                struct fdb_entry_info **entries, size_t *n);

/* The same as text, formatted like "ovs-appctl fdb/show BRIDGE":
 *
 *      port  VLAN  MAC                Age
 *         1     0  02:00:00:00:00:01    5
 *
 * Returns a string the caller frees, or NULL if there is no such bridge. */
char *dp_fdb_show(struct dp *, const char *bridge);

/* The learning statistics of bridge 'bridge' (fdb.h), for fdb/stats-show.
 * ENOENT if there is no such bridge in the running configuration. */
int dp_fdb_get_stats(struct dp *, const char *bridge, struct fdb_stats *);

/* Forgets the learned MACs of 'bridge', or of every bridge if NULL.
 * ENOENT if there is no such bridge. */
int dp_fdb_flush(struct dp *, const char *bridge);

/* Periodic housekeeping: removes aged MACs.  Call about once a second. */
void dp_run(struct dp *);

/* Milliseconds on the clock the datapath ages MACs by (monotonic). */
long long dp_time_msec(void);

#endif /* dp.h */
