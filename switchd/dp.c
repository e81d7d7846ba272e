/* dp.c: the datapath.
 *
 * Objects and their owners:
 *
 *   struct dp_port     one per netdev, from dp_port_add() to dp_port_del();
 *                      owned by the dp (in 'ports').  Holds the counters and
 *                      the per-thread transmit queues, which must outlive
 *                      configuration changes.
 *   struct dp_bridge   one per bridge name, owned by the dp (in
 *                      'bridges'); holds the fdb, which survives commits.
 *   struct dp_config   an immutable snapshot the forwarding threads read
 *                      through 'dp->config'.  Its bridges ('struct
 *                      cfg_bridge') point to dp_bridges and its ports
 *                      ('struct cfg_port') to dp_ports: one each, or
 *                      several for a bond, whose member state (enabled,
 *                      active, hash buckets) is part of the snapshot, so
 *                      that a failover is a commit like any other.  A
 *                      closed bridge (fail_mode=secure) is a snapshot
 *                      whose devices all have the role RX_DROP.  Each
 *                      thread polls a list of devices ('struct cfg_rx'),
 *                      each with the port it belongs to and what that
 *                      port's bond lets in from it.
 *
 * Quiescence.  'dp->epoch' counts commits.  Each forwarding thread stores
 * in its 'seen' the epoch it read at the end of each polling round, a
 * point where it holds no pointer into any configuration, or SEEN_OFFLINE
 * while it sleeps in poll(2).  dp_commit() swaps the configuration
 * pointer, increments the epoch to E, and waits until every thread is
 * offline or has seen E: any later round starts by reading the new
 * pointer.  Every access in this protocol is sequentially consistent (one
 * store per round: cheap), which is what makes "offline, then online
 * again" safe without a lock.
 *
 * Fast path.  A thread receives a batch from one port, parses the L2
 * headers, applies the input VLAN rules, learns and looks up all MACs
 * under one fdb lock, then queues each packet (or a clone, when
 * flooding) on the output ports' per-thread transmit queues, which are
 * flushed at the end of the batch with one send_batch() per port.  Counters
 * are added once per batch with relaxed atomics; a balance-slb bond's
 * bytes per hash bucket, per frame, into per-thread counters (a load and a
 * store: each has one writer), as is each thread's busy time, once per
 * round that found packets.  Clones and GSO segments come from
 * per-thread pools; nothing allocates. */
#include <config.h>
#include "dp.h"

#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>
#include "bond.h"
#include "coverage.h"
#include "csum.h"
#include "flow.h"
#include "gso.h"
#include "hash.h"
#include "hmap.h"
#include "timeval.h"
#include "util.h"

/* Frames to reserved MACs a bridge dropped (see eth_addr_is_reserved()):
 * added once per batch that had some.  Open vSwitch counts them, with
 * every other frame its pipeline sends nowhere, in drop_action_of_pipeline. */
COVERAGE_DEFINE(drop_reserved_multicast);

#define SEEN_OFFLINE UINT64_MAX

/* Adaptive busy polling.  After its last packet a thread keeps polling
 * for the busy-polling time (dp_set_busy_poll(), DP_BUSY_POLL_USEC_DEFAULT
 * until set) before it sleeps in poll(2): under load a batch is found
 * without a wake-up (a sleeping thread costs tens of microseconds to
 * wake, more on a virtual CPU), while an idle switch sleeps and uses no
 * CPU.  Open vSwitch's PMD threads spin forever. */

/* Longest sleep, in ms, when some port cannot be polled (rxq_fd -1). */
#define BUSY_POLL_SLEEP_MS 1

/* Per-thread packet pools for clones and GSO segments: small buffers for
 * ordinary frames, jumbo ones for frames up to MTU 9216 (with VLAN tag and
 * headroom) and large ones for whole 64 KiB GSO packets.  A transmit queue
 * holds up to NETDEV_MAX_BURST packets before it is flushed, so the jumbo
 * pool holds several queues' worth: GSO segments of a jumbo MSS come from
 * it, a batch at a time. */
#define SMALL_POOL_SIZE 2048
#define JUMBO_POOL_SIZE 256
#define JUMBO_BUF (DP_PACKET_HEADROOM + 9216 + 18)
#define LARGE_POOL_SIZE 64

struct dp_txq {
    struct dp_packet_batch batch;
    struct dp_port *port;       /* The port it sends on. */
    struct dp_txq *next_dirty;  /* In the thread's dirty list. */
    bool dirty;

    /* For a member of a balance-slb bond (else NULL): bytes this thread
     * sent on the port per hash bucket, DP_BOND_N_BUCKETS of them.  Only
     * this txq's thread writes them, with a plain load and store (no
     * read-modify-write: it is the only writer), so they cost the fast
     * path no more than an ordinary counter; dp_bond_get_bucket_stats()
     * sums them.  Allocated by dp_commit() before the first configuration
     * that needs them is published, kept until the port goes. */
    _Atomic uint64_t *bucket_bytes;
};

struct dp_port {
    struct hmap_node node;      /* In dp->ports, by port_no. */
    uint32_t port_no;
    struct netdev *netdev;      /* Owned. */
    atomic_flag tx_lock;        /* Serialises send_batch(). */
    struct dp_txq *txqs;        /* One per forwarding thread. */
    bool in_use;                /* In the committed configuration. */

    /* Relaxed atomics, added to once per batch. */
    _Atomic uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    _Atomic uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

struct dp_bridge {
    struct hmap_node node;      /* In dp->bridges, by name. */
    char *name;
    struct fdb *fdb;
    bool in_use;                /* In the committed configuration. */
};

/* A bridge port: one dp_port, or a bond of several. */
struct cfg_port {
    uint32_t port_no;           /* For a bond, its first member's. */
    struct dp_port *port;       /* NULL for a bond. */
    struct cfg_bridge *bridge;
    struct vlan_config vlan;

    /* A bond (n_members > 0).  'members' are resolved by dp_commit(),
     * which also fills 'active' and 'tx'. */
    enum dp_bond_mode bond_mode;
    size_t n_members;
    uint32_t *member_nos;
    bool *enabled;
    int active_idx;
    uint8_t *buckets;           /* DP_BOND_N_BUCKETS, or NULL. */
    struct dp_port **members;
    struct dp_port *active;     /* NULL if none. */
    struct dp_port **tx;        /* balance-slb: per bucket, NULL if none. */
};

/* What a forwarding thread does with frames received on one device. */
enum rx_role {
    RX_ACCEPT,                  /* A plain port, or a bond's member that
                                 * takes everything the mode lets in. */
    RX_SLB_BACKUP,              /* An enabled balance-slb member that is
                                 * not the active one: no multicast, no
                                 * unknown unicast. */
    RX_DROP,                    /* A backup or disabled member. */
};

struct cfg_rx {
    const struct cfg_port *port;    /* The bridge port it belongs to. */
    struct dp_port *dev;            /* The device polled. */
    enum rx_role role;
};

struct cfg_bridge {
    char *name;
    unsigned int idle_time;
    size_t max_macs;
    bool closed;                /* Forwards nothing: dp_config_close_bridge(). */
    bool forward_bpdu;          /* dp_config_set_forward_bpdu(). */
    struct dp_bridge *state;
    struct cfg_port **ports;    /* 'n_ports' ports. */
    size_t n_ports, allocated_ports;
    struct cfg_port **by_no;    /* Open addressing on port_no. */
    uint32_t by_no_mask;
};

struct dp_config {
    struct cfg_bridge **bridges;
    size_t n_bridges, allocated_bridges;
    struct cfg_rx **rx;         /* rx[i]: devices thread i polls... */
    size_t *n_rx;               /* ...n_rx[i] of them. */
    size_t n_threads;
    uint64_t gen;               /* Distinguishes configurations, unlike
                                 * their addresses, which get reused. */
};

struct dp_thread {
    struct dp *dp;
    unsigned int id;
    pthread_t thread;
    _Atomic uint64_t seen;      /* Epoch seen, or SEEN_OFFLINE. */
    int wake_fd;                /* eventfd: dp_commit() and dp_destroy(). */
    struct dp_packet_pool *small_pool, *jumbo_pool, *large_pool;
    struct dp_txq *dirty;       /* Transmit queues to flush. */

    /* Scratch for one input batch. */
    struct flow_l2 l2[NETDEV_MAX_BURST];
    uint16_t vlan[NETDEV_MAX_BURST];
    uint32_t out[NETDEV_MAX_BURST];
    struct dp_packet *segs[GSO_MAX_SEGS];

    /* For sleeping: the fds of the ports polled under configuration
     * 'pfd_gen' (0: none yet). */
    uint64_t pfd_gen;
    struct pollfd *pfds;
    size_t n_pfds;
    bool busy_poll;             /* Some port has no fd. */

    /* Nanoseconds spent in polling rounds that found packets: written by
     * this thread only (a load and a store, no read-modify-write), read by
     * dp_thread_get_stats(). */
    _Atomic uint64_t busy_nsec;
};

struct dp {
    struct hmap ports;          /* struct dp_port, by port_no. */
    struct hmap bridges;        /* struct dp_bridge, by name. */
    uint32_t next_port_no;
    _Atomic(struct dp_config *) config;
    _Atomic uint64_t config_gen;    /* 'config->gen'. */
    _Atomic uint64_t epoch;
    atomic_bool exiting;
    _Atomic uint64_t busy_poll_nsec;    /* See DP_BUSY_POLL_USEC_DEFAULT. */
    struct dp_thread *threads;
    unsigned int n_threads;
};

long long
dp_time_msec(void)
{
    /* The coarse clock is a vDSO read with no fence: a few ns, and its
     * few-ms resolution is plenty for aging MACs. */
    return time_coarse_msec();
}

/* Configurations. */

struct dp_config *
dp_config_create(void)
{
    return xzalloc(sizeof(struct dp_config));
}

static void
cfg_port_destroy(struct cfg_port *p)
{
    free(p->member_nos);
    free(p->enabled);
    free(p->buckets);
    free(p->members);
    free(p->tx);
    free(p);
}

void
dp_config_destroy(struct dp_config *cfg)
{
    if (!cfg) {
        return;
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct cfg_bridge *b = cfg->bridges[i];
        for (size_t j = 0; j < b->n_ports; j++) {
            cfg_port_destroy(b->ports[j]);
        }
        free(b->ports);
        free(b->by_no);
        free(b->name);
        free(b);
    }
    free(cfg->bridges);
    for (size_t i = 0; i < cfg->n_threads; i++) {
        free(cfg->rx[i]);
    }
    free(cfg->rx);
    free(cfg->n_rx);
    free(cfg);
}

static struct cfg_bridge *
cfg_find_bridge(const struct dp_config *cfg, const char *name)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        if (!strcmp(cfg->bridges[i]->name, name)) {
            return cfg->bridges[i];
        }
    }
    return NULL;
}

static struct cfg_port *
cfg_find_port(const struct dp_config *cfg, uint32_t port_no)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct cfg_bridge *b = cfg->bridges[i];
        for (size_t j = 0; j < b->n_ports; j++) {
            if (b->ports[j]->port_no == port_no) {
                return b->ports[j];
            }
        }
    }
    return NULL;
}

/* The bridge port that device 'port_no' belongs to, alone or as a bond
 * member, or NULL. */
static struct cfg_port *
cfg_find_port_of_dev(const struct dp_config *cfg, uint32_t port_no)
{
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct cfg_bridge *b = cfg->bridges[i];
        for (size_t j = 0; j < b->n_ports; j++) {
            struct cfg_port *p = b->ports[j];

            if (p->port_no == port_no) {
                return p;
            }
            for (size_t k = 0; k < p->n_members; k++) {
                if (p->member_nos[k] == port_no) {
                    return p;
                }
            }
        }
    }
    return NULL;
}

int
dp_config_add_bridge(struct dp_config *cfg, const char *name,
                     unsigned int idle_time, size_t max_macs)
{
    struct cfg_bridge *b;

    if (cfg_find_bridge(cfg, name)) {
        return EEXIST;
    }
    b = xzalloc(sizeof *b);
    b->name = xstrdup(name);
    b->idle_time = idle_time ? idle_time : FDB_DEFAULT_IDLE_TIME;
    b->max_macs = max_macs ? max_macs : FDB_DEFAULT_MAX_ENTRIES;
    if (cfg->n_bridges >= cfg->allocated_bridges) {
        cfg->bridges = x2nrealloc(cfg->bridges, &cfg->allocated_bridges,
                                  sizeof *cfg->bridges);
    }
    cfg->bridges[cfg->n_bridges++] = b;
    return 0;
}

int
dp_config_close_bridge(struct dp_config *cfg, const char *name)
{
    struct cfg_bridge *b = cfg_find_bridge(cfg, name);

    if (!b) {
        return ENOENT;
    }
    b->closed = true;
    return 0;
}

int
dp_config_set_forward_bpdu(struct dp_config *cfg, const char *name,
                           bool forward)
{
    struct cfg_bridge *b = cfg_find_bridge(cfg, name);

    if (!b) {
        return ENOENT;
    }
    b->forward_bpdu = forward;
    return 0;
}

static void
cfg_bridge_add_port(struct cfg_bridge *b, struct cfg_port *p)
{
    if (b->n_ports >= b->allocated_ports) {
        b->ports = x2nrealloc(b->ports, &b->allocated_ports,
                              sizeof *b->ports);
    }
    b->ports[b->n_ports++] = p;
}

int
dp_config_add_port(struct dp_config *cfg, const char *bridge,
                   uint32_t port_no, const struct vlan_config *vlan)
{
    struct cfg_bridge *b = cfg_find_bridge(cfg, bridge);
    struct cfg_port *p;

    if (!b) {
        return ENOENT;
    }
    if (cfg_find_port_of_dev(cfg, port_no)) {
        return EEXIST;
    }
    p = xzalloc(sizeof *p);
    p->port_no = port_no;
    p->bridge = b;
    p->vlan = *vlan;
    cfg_bridge_add_port(b, p);
    return 0;
}

int
dp_config_add_bond(struct dp_config *cfg, const char *bridge,
                   const struct vlan_config *vlan,
                   const struct dp_bond_config *bond)
{
    struct cfg_bridge *b = cfg_find_bridge(cfg, bridge);
    size_t n = bond->n_members;
    struct cfg_port *p;

    if (!b) {
        return ENOENT;
    }
    if (!n || n >= DP_BOND_BUCKET_NONE || bond->active >= (int) n
        || (bond->mode == DP_BOND_BALANCE_SLB && !bond->buckets)) {
        return EINVAL;
    }
    for (size_t i = 0; i < n; i++) {
        if (cfg_find_port_of_dev(cfg, bond->members[i])) {
            return EEXIST;
        }
        for (size_t j = 0; j < i; j++) {
            if (bond->members[j] == bond->members[i]) {
                return EEXIST;
            }
        }
    }
    if (bond->buckets) {
        for (size_t i = 0; i < DP_BOND_N_BUCKETS; i++) {
            if (bond->buckets[i] != DP_BOND_BUCKET_NONE
                && bond->buckets[i] >= n) {
                return EINVAL;
            }
        }
    }

    p = xzalloc(sizeof *p);
    p->port_no = bond->members[0];
    p->bridge = b;
    p->vlan = *vlan;
    p->bond_mode = bond->mode;
    p->n_members = n;
    p->member_nos = xmemdup(bond->members, n * sizeof *p->member_nos);
    p->enabled = xmemdup(bond->enabled, n * sizeof *p->enabled);
    p->active_idx = bond->active;
    if (bond->mode == DP_BOND_BALANCE_SLB) {
        p->buckets = xmemdup(bond->buckets, DP_BOND_N_BUCKETS);
    }
    cfg_bridge_add_port(b, p);
    return 0;
}

static inline struct cfg_port *
cfg_bridge_lookup(const struct cfg_bridge *b, uint32_t port_no)
{
    for (uint32_t i = port_no & b->by_no_mask; ;
         i = (i + 1) & b->by_no_mask) {
        struct cfg_port *p = b->by_no[i];
        if (!p || p->port_no == port_no) {
            return p;
        }
    }
}

static void
cfg_bridge_index(struct cfg_bridge *b)
{
    uint32_t n = 2;

    while (n < 2 * b->n_ports) {
        n *= 2;
    }
    b->by_no = xcalloc(n, sizeof *b->by_no);
    b->by_no_mask = n - 1;
    for (size_t i = 0; i < b->n_ports; i++) {
        uint32_t j = b->ports[i]->port_no & b->by_no_mask;
        while (b->by_no[j]) {
            j = (j + 1) & b->by_no_mask;
        }
        b->by_no[j] = b->ports[i];
    }
}

/* Ports and bridges. */

static struct dp_port *
dp_port_lookup(const struct dp *dp, uint32_t port_no)
{
    struct dp_port *port;

    HMAP_FOR_EACH_WITH_HASH (port, node, hash_int(port_no, 0), &dp->ports) {
        if (port->port_no == port_no) {
            return port;
        }
    }
    return NULL;
}

static struct dp_bridge *
dp_bridge_lookup(const struct dp *dp, const char *name)
{
    struct dp_bridge *br;

    HMAP_FOR_EACH_WITH_HASH (br, node, hash_string(name, 0), &dp->bridges) {
        if (!strcmp(br->name, name)) {
            return br;
        }
    }
    return NULL;
}

int
dp_port_add(struct dp *dp, struct netdev *netdev, uint32_t *port_no)
{
    struct dp_port *port;

    if (!*port_no) {
        while (!dp->next_port_no || dp_port_lookup(dp, dp->next_port_no)) {
            dp->next_port_no++;
        }
        *port_no = dp->next_port_no++;
    } else if (dp_port_lookup(dp, *port_no)) {
        netdev_close(netdev);
        return EEXIST;
    }
    port = xzalloc(sizeof *port);
    port->port_no = *port_no;
    port->netdev = netdev;
    atomic_flag_clear(&port->tx_lock);
    port->txqs = xcalloc(dp->n_threads, sizeof *port->txqs);
    for (size_t i = 0; i < dp->n_threads; i++) {
        port->txqs[i].port = port;
    }
    hmap_insert(&dp->ports, &port->node, hash_int(port->port_no, 0));
    return 0;
}

static void
dp_port_destroy(struct dp *dp, struct dp_port *port)
{
    hmap_remove(&dp->ports, &port->node);
    netdev_close(port->netdev);
    for (size_t i = 0; i < dp->n_threads; i++) {
        free(port->txqs[i].bucket_bytes);
    }
    free(port->txqs);
    free(port);
}

int
dp_port_del(struct dp *dp, uint32_t port_no)
{
    struct dp_port *port = dp_port_lookup(dp, port_no);
    struct dp_bridge *br;

    if (!port) {
        return ENOENT;
    }
    if (port->in_use) {
        return EBUSY;
    }
    /* A later port may reuse the number: it must not inherit MACs. */
    HMAP_FOR_EACH (br, node, &dp->bridges) {
        fdb_flush_port(br->fdb, port_no);
    }
    dp_port_destroy(dp, port);
    return 0;
}

struct netdev *
dp_port_get_netdev(const struct dp *dp, uint32_t port_no)
{
    struct dp_port *port = dp_port_lookup(dp, port_no);
    return port ? port->netdev : NULL;
}

/* Forwarding. */

static void
txq_flush(struct dp_txq *txq)
{
    struct dp_port *port = txq->port;
    size_t n = txq->batch.count;
    uint64_t bytes = 0;

    for (size_t i = 0; i < n; i++) {
        bytes += dp_packet_size(txq->batch.packets[i]);
    }
    while (atomic_flag_test_and_set_explicit(&port->tx_lock,
                                             memory_order_acquire)) {
        sched_yield();
    }
    netdev_send_batch(port->netdev, &txq->batch);
    atomic_flag_clear_explicit(&port->tx_lock, memory_order_release);
    txq->batch.count = 0;
    atomic_fetch_add_explicit(&port->tx_packets, n, memory_order_relaxed);
    atomic_fetch_add_explicit(&port->tx_bytes, bytes, memory_order_relaxed);
}

static void
thread_flush(struct dp_thread *t)
{
    while (t->dirty) {
        struct dp_txq *txq = t->dirty;

        t->dirty = txq->next_dirty;
        txq->dirty = false;
        if (txq->batch.count) {
            txq_flush(txq);
        }
    }
}

static inline void
txq_push(struct dp_thread *t, struct dp_port *port, struct dp_packet *p)
{
    struct dp_txq *txq = &port->txqs[t->id];

    if (txq->batch.count >= NETDEV_MAX_BURST) {
        txq_flush(txq);
    }
    txq->batch.packets[txq->batch.count++] = p;
    if (!txq->dirty) {
        txq->dirty = true;
        txq->next_dirty = t->dirty;
        t->dirty = txq;
    }
}

static void
count_tx_drop(struct dp_port *port)
{
    atomic_fetch_add_explicit(&port->tx_dropped, 1, memory_order_relaxed);
}

/* The device that sends a frame from 'l2->src' in 'vlan' out of 'out':
 * the port's own, or the bond member its mode picks (NULL if none is
 * enabled).  Stores in '*bucket' the balance-slb hash bucket, or
 * DP_BOND_N_BUCKETS if 'out' is no balance-slb bond. */
static inline struct dp_port *
cfg_port_tx(const struct cfg_port *out, const struct flow_l2 *l2,
            uint16_t vlan, unsigned int *bucket)
{
    *bucket = DP_BOND_N_BUCKETS;
    if (out->port) {
        return out->port;
    }
    if (out->bond_mode == DP_BOND_BALANCE_SLB) {
        *bucket = bond_bucket(&l2->src, vlan);
        return out->tx[*bucket];
    }
    return out->active;
}

/* Sends 'p', which belongs to 'vlan' and whose tag 'l2' describes, out of
 * 'out', doing in software what the port cannot do.  Takes 'p'. */
static void
output(struct dp_thread *t, const struct cfg_port *out,
       const struct flow_l2 *l2, uint16_t vlan, struct dp_packet *p)
{
    unsigned int bucket;
    struct dp_port *port = cfg_port_tx(out, l2, vlan, &bucket);
    unsigned int caps;

    if (!port) {
        /* A bond with every member down: lost, as on a dead link. */
        dp_packet_delete(p);
        return;
    }
    if (bucket < DP_BOND_N_BUCKETS) {
        /* The load that bond rebalancing weighs.  This thread is the only
         * writer: load and store, no atomic read-modify-write. */
        _Atomic uint64_t *c = &port->txqs[t->id].bucket_bytes[bucket];
        atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed)
                              + dp_packet_size(p), memory_order_relaxed);
    }
    caps = port->netdev->caps;
    if (!vlan_packet_set_vid(p, l2, vlan_output_vid(&out->vlan, vlan))) {
        goto drop;
    }
    if (p->ol.gso_type != DP_PACKET_GSO_NONE && !(caps & NETDEV_TX_TSO)) {
        size_t n;

        /* The smallest buffers the segments fit. */
        int error = gso_segment(p, t->small_pool, t->segs, GSO_MAX_SEGS,
                                &n);
        if (error == EMSGSIZE) {
            error = gso_segment(p, t->jumbo_pool, t->segs, GSO_MAX_SEGS, &n);
        }
        if (error) {
            goto drop;
        }
        dp_packet_delete(p);
        for (size_t i = 0; i < n; i++) {
            txq_push(t, port, t->segs[i]);
        }
        return;
    }
    if (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM && !(caps & NETDEV_TX_CSUM)) {
        if (csum_complete(p)) {
            goto drop;
        }
    }
    txq_push(t, port, p);
    return;

drop:
    count_tx_drop(port);
    dp_packet_delete(p);
}

static struct dp_packet *
clone_packet(struct dp_thread *t, const struct dp_packet *p)
{
    struct dp_packet_pool *pool
        = (DP_PACKET_HEADROOM + dp_packet_size(p) <= DP_PACKET_SMALL_BUF
           ? t->small_pool
           : DP_PACKET_HEADROOM + dp_packet_size(p) <= JUMBO_BUF
           ? t->jumbo_pool
           : t->large_pool);
    return dp_packet_clone(pool, p);
}

/* Whether a frame of 'vlan' from 'in' that is flooded goes out of 'out':
 * if 'out' carries 'vlan' and is not 'in'. */
static inline bool
flood_includes(const struct cfg_port *out, const struct cfg_port *in,
               uint16_t vlan)
{
    return out != in && vlan_includes(&out->vlan, vlan);
}

/* Sends 'p' to every port of 'b' that carries 'vlan', except 'in'. */
static void
flood(struct dp_thread *t, const struct cfg_bridge *b,
      const struct cfg_port *in, const struct flow_l2 *l2, uint16_t vlan,
      struct dp_packet *p)
{
    const struct cfg_port *last = NULL;

    /* The last destination gets 'p' itself, the others copies: each
     * destination edits its packet's VLAN tag and checksums. */
    for (size_t i = 0; i < b->n_ports; i++) {
        const struct cfg_port *out = b->ports[i];

        if (!flood_includes(out, in, vlan)) {
            continue;
        }
        if (last) {
            struct dp_packet *copy = clone_packet(t, p);
            if (copy) {
                output(t, last, l2, vlan, copy);
            } else {
                unsigned int bucket;
                struct dp_port *port = cfg_port_tx(last, l2, vlan, &bucket);
                if (port) {
                    count_tx_drop(port);
                }
            }
        }
        last = out;
    }
    if (last) {
        output(t, last, l2, vlan, p);
    } else {
        dp_packet_delete(p);
    }
}

/* Drops a batch received on a member that must not receive (a backup or
 * disabled one), counting it as received and dropped. */
static void
drop_batch(struct dp_port *in_port, struct dp_packet_batch *batch)
{
    uint64_t bytes = 0;

    for (size_t i = 0; i < batch->count; i++) {
        bytes += dp_packet_size(batch->packets[i]);
        dp_packet_delete(batch->packets[i]);
    }
    atomic_fetch_add_explicit(&in_port->rx_packets, batch->count,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&in_port->rx_bytes, bytes,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&in_port->rx_dropped, batch->count,
                              memory_order_relaxed);
    batch->count = 0;
}

/* In t->out[]: a frame the bond refuses. */
#define OUT_REFUSED UINT32_MAX

/* Open vSwitch's is_gratuitous_arp(): a broadcast ARP reply, or a broadcast
 * ARP request for the sender's own address, with which a host announces
 * where it is (after it moved, say).  Only Ethernet/IPv4 ARP counts, the
 * only kind Open vSwitch's flow extraction parses. */
static inline bool
is_gratuitous_arp(const struct dp_packet *p, const struct flow_l2 *l2)
{
    static const uint8_t eth_ipv4[6] = { 0x00, 0x01, 0x08, 0x00, 6, 4 };
    const uint8_t *arp;
    uint16_t op;

    if (l2->dl_type != ETH_TYPE_ARP
        || dp_packet_size(p) < l2->l3_ofs + 28u) {
        return false;
    }
    for (size_t i = 0; i < sizeof l2->dst.ea; i++) {
        if (l2->dst.ea[i] != 0xff) {
            return false;
        }
    }
    arp = (const uint8_t *) dp_packet_data(p) + l2->l3_ofs;
    if (memcmp(arp, eth_ipv4, sizeof eth_ipv4)) {
        return false;
    }
    op = arp[6] << 8 | arp[7];
    return op == 2 || (op == 1 && !memcmp(arp + 14, arp + 24, 4));
}

/* Learns the source of a frame from 'in' (under the fdb's lock). */
static inline void
learn(struct fdb *fdb, const struct flow_l2 *l2, uint16_t vlan,
      const struct cfg_port *in, bool grat_arp, long long now)
{
    if (grat_arp) {
        fdb_learn_grat_arp_locked(fdb, &l2->src, vlan, in->port_no,
                                  !in->port, now);
    } else {
        fdb_learn_locked(fdb, &l2->src, vlan, in->port_no, now);
    }
}

/* The forwarding decision, shared by the forwarding threads and
 * dp_trace(), so that a trace shows what the datapath does.  Inlined: the
 * fast path pays nothing for the sharing. */
#define FWD_INLINE inline __attribute__((always_inline))

/* Where the fdb sends a frame of 'vlan' received on 'rx' whose L2 headers
 * are 'l2' (a gratuitous ARP if 'grat_arp'), under the fdb's lock: the
 * port its destination MAC was learned on, FDB_PORT_NONE (multicast or
 * unknown: flood), or OUT_REFUSED if a balance-slb bond refuses it ('slb':
 * 'rx' belongs to one).  Learns the source MAC if 'learn_src' (the
 * forwarding threads do; dp_trace() does not, so its answer for a frame
 * sent to its own source MAC differs from theirs). */
static FWD_INLINE uint32_t
fwd_lookup_locked(struct fdb *fdb, const struct cfg_rx *rx,
                  const struct flow_l2 *l2, uint16_t vlan, bool grat_arp,
                  bool slb, long long now, bool learn_src)
{
    const struct cfg_port *in = rx->port;

    if (slb) {
        /* Open vSwitch's admissibility checks for balance-slb, before
         * learning: only the active member takes what the network
         * floods, and a source MAC known elsewhere is our own frame
         * coming back from the network through another member, unless
         * it is a gratuitous ARP: then the host really moved to the
         * network's side, and says so.  The exception to the exception
         * is an entry that a gratuitous ARP on a port behind us locked a
         * moment ago: this one is that ARP, reflected back by the switch
         * upstream. */
        bool locked;
        uint32_t src = fdb_lookup_src_locked(fdb, &l2->src, vlan, now,
                                             &locked);
        uint32_t dst = (eth_addr_is_multicast(&l2->dst) ? FDB_PORT_NONE
                        : fdb_lookup_locked(fdb, &l2->dst, vlan, now));

        if ((src != FDB_PORT_NONE && src != in->port_no
             && (!grat_arp || locked))
            || (dst == FDB_PORT_NONE && rx->role == RX_SLB_BACKUP)) {
            return OUT_REFUSED;
        }
        if (learn_src) {
            learn(fdb, l2, vlan, in, grat_arp, now);
        }
        return dst;
    }
    if (learn_src) {
        learn(fdb, l2, vlan, in, grat_arp, now);
    }
    return (eth_addr_is_multicast(&l2->dst) ? FDB_PORT_NONE
            : fdb_lookup_locked(fdb, &l2->dst, vlan, now));
}

/* What becomes of a frame. */
enum fwd_action {
    FWD_REFUSED,                /* A balance-slb bond refused it. */
    FWD_FLOOD,                  /* To every port flood_includes(). */
    FWD_OUTPUT,                 /* To one port. */
    FWD_HAIRPIN,                /* Dropped: its destination is behind the
                                 * port it came from. */
    FWD_VLAN_DROP,              /* Dropped: the destination's port does not
                                 * carry its VLAN. */
};

/* The action for a frame of 'vlan' from 'in', in bridge 'b', for which
 * fwd_lookup_locked() returned 'out_no'; for FWD_OUTPUT, stores the port
 * in '*out'.  A destination learned on a port that has since left the
 * bridge is flooded. */
static FWD_INLINE enum fwd_action
fwd_action(const struct cfg_bridge *b, const struct cfg_port *in,
           uint32_t out_no, uint16_t vlan, const struct cfg_port **out)
{
    if (out_no == OUT_REFUSED) {
        return FWD_REFUSED;
    } else if (out_no == FDB_PORT_NONE) {
        return FWD_FLOOD;
    } else if (out_no == in->port_no) {
        return FWD_HAIRPIN;
    } else if ((*out = cfg_bridge_lookup(b, out_no)) == NULL) {
        return FWD_FLOOD;
    } else if (vlan_includes(&(*out)->vlan, vlan)) {
        return FWD_OUTPUT;
    } else {
        return FWD_VLAN_DROP;
    }
}

static void
process_batch(struct dp_thread *t, const struct cfg_rx *rx,
              struct dp_packet_batch *batch, long long now)
{
    const struct cfg_port *in = rx->port;
    const struct cfg_bridge *b = in->bridge;
    struct fdb *fdb = b->state->fdb;
    struct dp_port *in_port = rx->dev;
    bool rx_partial = in_port->netdev->caps & NETDEV_RX_PARTIAL_CSUM;
    bool slb = !in->port && in->bond_mode == DP_BOND_BALANCE_SLB;
    uint64_t bytes = 0, n_dropped = 0, n_errors = 0, n_reserved = 0;
    bool drop_reserved = !b->forward_bpdu;
    size_t n_received = batch->count;
    size_t n = 0;

    if (rx->role == RX_DROP) {
        drop_batch(in_port, batch);
        return;
    }

    /* Parse and filter: survivors are compacted to the front. */
    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        struct flow_l2 *l2 = &t->l2[n];

        bytes += dp_packet_size(p);
        if (!flow_parse_l2(dp_packet_data(p), dp_packet_size(p), l2)) {
            n_errors++;
            dp_packet_delete(p);
            continue;
        }
        if (!vlan_input(&in->vlan, l2->vlan_present, l2->vlan_tci,
                        &t->vlan[n])) {
            n_dropped++;
            dp_packet_delete(p);
            continue;
        }
        /* Open vSwitch's is_admissible(): after the VLAN check, before
         * learning, so that a switch's BPDUs teach us nothing either. */
        if (drop_reserved && eth_addr_is_reserved(&l2->dst)) {
            n_reserved++;
            dp_packet_delete(p);
            continue;
        }
        if (rx_partial && (l2->dl_type == ETH_TYPE_IP
                           || l2->dl_type == ETH_TYPE_IPV6)) {
            struct flow_l4 l4;

            flow_parse_l4(dp_packet_data(p), dp_packet_size(p), l2, &l4);
            csum_mark_partial(p, l2, &l4);
        }
        batch->packets[n++] = p;
    }

    fdb_lock(fdb);
    for (size_t i = 0; i < n; i++) {
        const struct flow_l2 *l2 = &t->l2[i];

        t->out[i] = fwd_lookup_locked(fdb, rx, l2, t->vlan[i],
                                      is_gratuitous_arp(batch->packets[i],
                                                        l2),
                                      slb, now, true);
    }
    fdb_unlock(fdb);

    for (size_t i = 0; i < n; i++) {
        struct dp_packet *p = batch->packets[i];
        const struct cfg_port *out = NULL;

        switch (fwd_action(b, in, t->out[i], t->vlan[i], &out)) {
        case FWD_REFUSED:
            n_dropped++;
            dp_packet_delete(p);
            break;
        case FWD_FLOOD:
            flood(t, b, in, &t->l2[i], t->vlan[i], p);
            break;
        case FWD_OUTPUT:
            output(t, out, &t->l2[i], t->vlan[i], p);
            break;
        case FWD_HAIRPIN:
        case FWD_VLAN_DROP:
        default:
            dp_packet_delete(p);
            break;
        }
    }
    batch->count = 0;
    thread_flush(t);

    atomic_fetch_add_explicit(&in_port->rx_packets, n_received,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&in_port->rx_bytes, bytes,
                              memory_order_relaxed);
    if (n_dropped) {
        atomic_fetch_add_explicit(&in_port->rx_dropped, n_dropped,
                                  memory_order_relaxed);
    }
    if (n_errors) {
        atomic_fetch_add_explicit(&in_port->rx_errors, n_errors,
                                  memory_order_relaxed);
    }
    if (n_reserved) {
        COVERAGE_ADD(drop_reserved_multicast, n_reserved);
    }
}

/* Rebuilds the poll set for 'cfg', the configuration the thread runs. */
static void
thread_update_pfds(struct dp_thread *t, const struct dp_config *cfg)
{
    size_t n_rx = t->id < cfg->n_threads ? cfg->n_rx[t->id] : 0;

    free(t->pfds);
    t->pfds = xcalloc(n_rx + 1, sizeof *t->pfds);
    t->pfds[0].fd = t->wake_fd;
    t->pfds[0].events = POLLIN;
    t->n_pfds = 1;
    t->busy_poll = false;
    for (size_t i = 0; i < n_rx; i++) {
        int fd = netdev_rxq_fd(cfg->rx[t->id][i].dev->netdev);
        if (fd >= 0) {
            t->pfds[t->n_pfds].fd = fd;
            t->pfds[t->n_pfds].events = POLLIN;
            t->n_pfds++;
        } else {
            t->busy_poll = true;
        }
    }
    t->pfd_gen = cfg->gen;
}

/* Sleeps until a port may have packets or dp_commit() calls.  The thread
 * is offline meanwhile: it holds no configuration pointer. */
static void
thread_sleep(struct dp_thread *t)
{
    struct dp *dp = t->dp;
    uint64_t junk;

    atomic_store(&t->seen, SEEN_OFFLINE);
    if (atomic_load(&dp->config_gen) == t->pfd_gen
        && !atomic_load(&dp->exiting)) {
        /* The fds may belong to a netdev closed meanwhile; dp_commit()
         * wakes us through 'wake_fd' before that matters. */
        poll(t->pfds, t->n_pfds, t->busy_poll ? BUSY_POLL_SLEEP_MS : 1000);
        if (t->pfds[0].revents & POLLIN) {
            if (read(t->wake_fd, &junk, sizeof junk) < 0) {
                /* Nothing to do: a wakeup is all it carries. */
            }
        }
    }
    atomic_store(&t->seen, atomic_load(&dp->epoch));
}

static void *
thread_main(void *t_)
{
    struct dp_thread *t = t_;
    struct dp *dp = t->dp;
    struct dp_packet_batch batch;
    uint64_t idle_since = 0;    /* Start of the current empty streak. */
    uint64_t round_start = time_nsec();   /* For 'busy_nsec'. */

    t->small_pool = dp_packet_pool_create(SMALL_POOL_SIZE,
                                          DP_PACKET_SMALL_BUF);
    t->jumbo_pool = dp_packet_pool_create(JUMBO_POOL_SIZE, JUMBO_BUF);
    t->large_pool = dp_packet_pool_create(LARGE_POOL_SIZE,
                                          DP_PACKET_LARGE_BUF);
    atomic_store(&t->seen, atomic_load(&dp->epoch));
    while (!atomic_load_explicit(&dp->exiting, memory_order_relaxed)) {
        const struct dp_config *cfg = atomic_load(&dp->config);
        size_t n_rx = t->id < cfg->n_threads ? cfg->n_rx[t->id] : 0;
        long long now = dp_time_msec();
        bool busy = false;

        for (size_t i = 0; i < n_rx; i++) {
            const struct cfg_rx *rx = &cfg->rx[t->id][i];

            batch.count = 0;
            if (!netdev_recv_batch(rx->dev->netdev, &batch)
                && batch.count) {
                process_batch(t, rx, &batch, now);
                busy = true;
            }
        }
        if (busy) {
            /* One clock read per round with packets, which takes
             * microseconds: the time from the end of the last round. */
            uint64_t now_ns = time_nsec();
            uint64_t total = atomic_load_explicit(&t->busy_nsec,
                                                  memory_order_relaxed);

            atomic_store_explicit(&t->busy_nsec,
                                  total + (now_ns - round_start),
                                  memory_order_relaxed);
            round_start = now_ns;
            idle_since = 0;
        } else {
            uint64_t now_ns = time_nsec();
            uint64_t spin_ns = atomic_load_explicit(&dp->busy_poll_nsec,
                                                    memory_order_relaxed);

            round_start = now_ns;
            if (!idle_since) {
                idle_since = now_ns;
            } else if (now_ns - idle_since >= spin_ns) {
                if (t->pfd_gen != cfg->gen) {
                    thread_update_pfds(t, cfg);
                }
                thread_sleep(t);
                /* Whatever woke us (a packet, usually) may be the first
                 * of a burst: spin again before the next sleep. */
                idle_since = round_start = time_nsec();
                continue;
            }
        }
        atomic_store(&t->seen, atomic_load(&dp->epoch));
    }
    atomic_store(&t->seen, SEEN_OFFLINE);
    return NULL;
}

/* Control. */

static void
dp_wake_threads(struct dp *dp)
{
    uint64_t one = 1;

    for (unsigned int i = 0; i < dp->n_threads; i++) {
        if (write(dp->threads[i].wake_fd, &one, sizeof one) < 0) {
            /* The counter is full, so the thread has a wakeup pending. */
        }
    }
}

/* Waits until no thread can see a configuration older than now. */
static void
dp_synchronize(struct dp *dp)
{
    uint64_t epoch = atomic_fetch_add(&dp->epoch, 1) + 1;

    for (unsigned int i = 0; i < dp->n_threads; i++) {
        struct dp_thread *t = &dp->threads[i];
        uint64_t seen;

        while ((seen = atomic_load(&t->seen)) != SEEN_OFFLINE
               && seen < epoch) {
            sched_yield();
        }
    }
}

void
dp_set_busy_poll(struct dp *dp, unsigned int usec)
{
    atomic_store_explicit(&dp->busy_poll_nsec, usec * UINT64_C(1000),
                          memory_order_relaxed);
}

struct dp *
dp_create(unsigned int n_threads)
{
    struct dp *dp = xzalloc(sizeof *dp);
    struct dp_config *cfg = dp_config_create();

    n_threads = MAX(n_threads, 1);
    hmap_init(&dp->ports);
    hmap_init(&dp->bridges);
    dp->next_port_no = 1;
    cfg->n_threads = n_threads;
    cfg->gen = 1;
    atomic_init(&dp->config_gen, 1);
    cfg->rx = xcalloc(n_threads, sizeof *cfg->rx);
    cfg->n_rx = xcalloc(n_threads, sizeof *cfg->n_rx);
    atomic_init(&dp->config, cfg);
    atomic_init(&dp->epoch, 1);
    atomic_init(&dp->exiting, false);
    atomic_init(&dp->busy_poll_nsec, DP_BUSY_POLL_USEC_DEFAULT * 1000ULL);
    dp->n_threads = n_threads;
    dp->threads = xcalloc(n_threads, sizeof *dp->threads);
    for (unsigned int i = 0; i < n_threads; i++) {
        struct dp_thread *t = &dp->threads[i];

        t->dp = dp;
        t->id = i;
        atomic_init(&t->seen, SEEN_OFFLINE);
        atomic_init(&t->busy_nsec, 0);
        t->wake_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
        if (t->wake_fd < 0) {
            xsw_fatal("eventfd: %s", strerror(errno));
        }
        int error = pthread_create(&t->thread, NULL, thread_main, t);
        if (error) {
            xsw_fatal("pthread_create: %s", strerror(error));
        }
        /* Named so that `top -H`, perf and the tests can tell the
         * forwarding threads from the main loop. */
        char name[16];
        snprintf(name, sizeof name, "xsw-fwd%u", i % 1000);
        pthread_setname_np(t->thread, name);
    }
    return dp;
}

void
dp_destroy(struct dp *dp)
{
    struct dp_port *port, *next_port;
    struct dp_bridge *br, *next_br;

    if (!dp) {
        return;
    }
    atomic_store(&dp->exiting, true);
    dp_wake_threads(dp);
    for (unsigned int i = 0; i < dp->n_threads; i++) {
        pthread_join(dp->threads[i].thread, NULL);
    }
    dp_config_destroy(atomic_load(&dp->config));

    /* Ports first: a driver may still hold clones from the threads'
     * pools, which it returns when closed. */
    HMAP_FOR_EACH_SAFE (port, next_port, node, &dp->ports) {
        dp_port_destroy(dp, port);
    }
    HMAP_FOR_EACH_SAFE (br, next_br, node, &dp->bridges) {
        hmap_remove(&dp->bridges, &br->node);
        fdb_destroy(br->fdb);
        free(br->name);
        free(br);
    }
    for (unsigned int i = 0; i < dp->n_threads; i++) {
        struct dp_thread *t = &dp->threads[i];

        close(t->wake_fd);
        free(t->pfds);
        dp_packet_pool_destroy(t->small_pool);
        dp_packet_pool_destroy(t->jumbo_pool);
        dp_packet_pool_destroy(t->large_pool);
    }
    free(dp->threads);
    hmap_destroy(&dp->ports);
    hmap_destroy(&dp->bridges);
    free(dp);
}

static bool
vlan_config_equal(const struct vlan_config *a, const struct vlan_config *b)
{
    return a->mode == b->mode && a->tag == b->tag
           && !memcmp(a->trunks, b->trunks, sizeof a->trunks);
}

/* Points 'p' at its devices and derives its bond's transmit choices.
 * ENOENT if a device was never added. */
static int
cfg_port_resolve(const struct dp *dp, struct cfg_port *p)
{
    if (!p->n_members) {
        p->port = dp_port_lookup(dp, p->port_no);
        return p->port ? 0 : ENOENT;
    }
    p->members = xcalloc(p->n_members, sizeof *p->members);
    for (size_t m = 0; m < p->n_members; m++) {
        p->members[m] = dp_port_lookup(dp, p->member_nos[m]);
        if (!p->members[m]) {
            return ENOENT;
        }
    }
    if (p->bond_mode != DP_BOND_DISABLED && p->active_idx >= 0) {
        p->active = p->members[p->active_idx];
    }
    if (p->bond_mode == DP_BOND_BALANCE_SLB) {
        /* The threads see these counters only in a configuration
         * published after this. */
        for (size_t m = 0; m < p->n_members; m++) {
            struct dp_txq *txqs = p->members[m]->txqs;

            for (size_t i = 0; i < dp->n_threads; i++) {
                if (!txqs[i].bucket_bytes) {
                    txqs[i].bucket_bytes = xcalloc(
                        DP_BOND_N_BUCKETS, sizeof *txqs[i].bucket_bytes);
                }
            }
        }
        p->tx = xcalloc(DP_BOND_N_BUCKETS, sizeof *p->tx);
        for (size_t i = 0; i < DP_BOND_N_BUCKETS; i++) {
            uint8_t m = p->buckets[i];
            p->tx[i] = (m != DP_BOND_BUCKET_NONE && p->enabled[m]
                        ? p->members[m] : NULL);
        }
    }
    return 0;
}

static enum rx_role
cfg_port_rx_role(const struct cfg_port *p, size_t m)
{
    bool active = p->active_idx == (int) m;

    switch (p->bond_mode) {
    case DP_BOND_ACTIVE_BACKUP:
        return active && p->enabled[m] ? RX_ACCEPT : RX_DROP;
    case DP_BOND_BALANCE_SLB:
        return (!p->enabled[m] ? RX_DROP
                : active ? RX_ACCEPT
                : RX_SLB_BACKUP);
    case DP_BOND_DISABLED:
    default:
        return RX_DROP;
    }
}

int
dp_commit(struct dp *dp, struct dp_config *cfg)
{
    struct dp_config *old = atomic_load(&dp->config);
    struct dp_bridge *br, *next_br;
    struct dp_port *port;
    size_t k = 0;

    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct cfg_bridge *b = cfg->bridges[i];
        for (size_t j = 0; j < b->n_ports; j++) {
            if (cfg_port_resolve(dp, b->ports[j])) {
                dp_config_destroy(cfg);
                return ENOENT;
            }
        }
    }

    /* Resolve bridges and spread the ports over the threads. */
    cfg->n_threads = dp->n_threads;
    cfg->rx = xcalloc(dp->n_threads, sizeof *cfg->rx);
    cfg->n_rx = xcalloc(dp->n_threads, sizeof *cfg->n_rx);
    for (size_t i = 0; i < dp->n_threads; i++) {
        /* A device is in one port at most. */
        cfg->rx[i] = xcalloc(MAX(1, hmap_count(&dp->ports)),
                             sizeof *cfg->rx[i]);
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct cfg_bridge *b = cfg->bridges[i];

        b->state = dp_bridge_lookup(dp, b->name);
        if (!b->state) {
            b->state = xzalloc(sizeof *b->state);
            b->state->name = xstrdup(b->name);
            b->state->fdb = fdb_create(b->max_macs, b->idle_time);
            hmap_insert(&dp->bridges, &b->state->node,
                        hash_string(b->name, 0));
        } else {
            fdb_set_idle_time(b->state->fdb, b->idle_time);
            if (fdb_get_max_entries(b->state->fdb) != b->max_macs) {
                fdb_set_max_entries(b->state->fdb, b->max_macs);
            }
        }
        cfg_bridge_index(b);
        for (size_t j = 0; j < b->n_ports; j++) {
            const struct cfg_port *p = b->ports[j];
            size_t n_devs = p->port ? 1 : p->n_members;

            for (size_t m = 0; m < n_devs; m++, k++) {
                size_t t = k % dp->n_threads;
                struct cfg_rx *rx = &cfg->rx[t][cfg->n_rx[t]++];

                rx->port = p;
                rx->dev = p->port ? p->port : p->members[m];
                /* A closed bridge costs the fast path nothing: its
                 * devices are polled (the kernel must not queue for
                 * ever) and everything they bring is dropped. */
                rx->role = (b->closed ? RX_DROP
                            : p->port ? RX_ACCEPT
                            : cfg_port_rx_role(p, m));
            }
        }
    }

    cfg->gen = old->gen + 1;
    atomic_store(&dp->config, cfg);
    atomic_store(&dp->config_gen, cfg->gen);
    dp_wake_threads(dp);
    dp_synchronize(dp);

    /* No thread sees 'old' any more.  A port that changed bridge or VLAN
     * settings forgets what it learned, as in Open vSwitch, and a bridge
     * that closes forgets everything: when it opens again, nothing it
     * learned before may decide where a frame goes. */
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        const struct cfg_bridge *b = cfg->bridges[i];
        const struct cfg_bridge *ob = cfg_find_bridge(old, b->name);

        if (b->closed && (!ob || !ob->closed)) {
            fdb_flush(b->state->fdb);
        }
    }
    for (size_t i = 0; i < old->n_bridges; i++) {
        const struct cfg_bridge *ob = old->bridges[i];
        for (size_t j = 0; j < ob->n_ports; j++) {
            const struct cfg_port *op = ob->ports[j];
            const struct cfg_port *np = cfg_find_port(cfg, op->port_no);

            if (!np || np->bridge->state != ob->state
                || !vlan_config_equal(&np->vlan, &op->vlan)) {
                fdb_flush_port(ob->state->fdb, op->port_no);
            }
        }
    }
    HMAP_FOR_EACH (port, node, &dp->ports) {
        port->in_use = false;
    }
    HMAP_FOR_EACH (br, node, &dp->bridges) {
        br->in_use = false;
    }
    for (size_t i = 0; i < cfg->n_bridges; i++) {
        struct cfg_bridge *b = cfg->bridges[i];
        b->state->in_use = true;
        for (size_t j = 0; j < b->n_ports; j++) {
            struct cfg_port *p = b->ports[j];
            if (p->port) {
                p->port->in_use = true;
            }
            for (size_t m = 0; m < p->n_members; m++) {
                p->members[m]->in_use = true;
            }
        }
    }
    HMAP_FOR_EACH_SAFE (br, next_br, node, &dp->bridges) {
        if (!br->in_use) {
            hmap_remove(&dp->bridges, &br->node);
            fdb_destroy(br->fdb);
            free(br->name);
            free(br);
        }
    }
    dp_config_destroy(old);
    return 0;
}

int
dp_bond_get_bucket_stats(const struct dp *dp, uint32_t port_no,
                         uint64_t tx_bytes[DP_BOND_N_BUCKETS])
{
    /* Only the control thread commits: the configuration cannot change
     * under us. */
    const struct dp_config *cfg = atomic_load(&dp->config);
    const struct cfg_port *p = cfg_find_port(cfg, port_no);

    memset(tx_bytes, 0, DP_BOND_N_BUCKETS * sizeof *tx_bytes);
    if (!p || p->port || p->bond_mode != DP_BOND_BALANCE_SLB) {
        return ENOENT;
    }
    for (size_t m = 0; m < p->n_members; m++) {
        const struct dp_txq *txqs = p->members[m]->txqs;

        for (size_t i = 0; i < dp->n_threads; i++) {
            for (size_t b = 0; b < DP_BOND_N_BUCKETS; b++) {
                tx_bytes[b] += atomic_load_explicit(
                    &txqs[i].bucket_bytes[b], memory_order_relaxed);
            }
        }
    }
    return 0;
}

/* Fills 'frame' (60 bytes) with a broadcast RARP from 'mac', as Open
 * vSwitch's compose_rarp(). */
static void
compose_rarp(uint8_t frame[60], const struct eth_addr *mac)
{
    static const uint8_t rarp_head[] = {
        0x80, 0x35,             /* Ethertype: RARP. */
        0x00, 0x01,             /* Hardware: Ethernet. */
        0x08, 0x00,             /* Protocol: IPv4. */
        6, 4,                   /* Address lengths. */
        0x00, 0x03,             /* Reverse request. */
    };
    uint8_t *p = frame;

    memset(frame, 0, 60);
    memset(p, 0xff, 6);
    memcpy(p + 6, mac->ea, 6);
    memcpy(p + 12, rarp_head, sizeof rarp_head);
    p += 12 + sizeof rarp_head;
    memcpy(p, mac->ea, 6);      /* Sender, then target, hardware address:
                                 * both ours; IPv4 addresses zero. */
    memcpy(p + 10, mac->ea, 6);
}

int
dp_bond_send_learning_packets(struct dp *dp, uint32_t port_no,
                              size_t *n_sent)
{
    /* Only the control thread commits: the configuration cannot change
     * under us. */
    const struct dp_config *cfg = atomic_load(&dp->config);
    const struct cfg_port *p = cfg_find_port(cfg, port_no);
    struct fdb_entry_info *entries;
    size_t n;

    *n_sent = 0;
    if (!p || p->port) {
        return ENOENT;
    }
    if (p->bridge->closed) {
        return 0;
    }
    entries = fdb_dump(p->bridge->state->fdb, dp_time_msec(), &n);
    for (size_t i = 0; i < n; i++) {
        const struct fdb_entry_info *e = &entries[i];
        struct dp_packet_batch batch;
        struct dp_packet *pkt;
        struct dp_port *dev;
        unsigned int bucket;
        struct flow_l2 l2;

        if (e->port_no == port_no || !vlan_includes(&p->vlan, e->vlan)) {
            continue;
        }
        pkt = dp_packet_new(60, 0);
        compose_rarp(dp_packet_data(pkt), &e->mac);
        if (!flow_parse_l2(dp_packet_data(pkt), dp_packet_size(pkt), &l2)
            || !vlan_packet_set_vid(pkt, &l2,
                                    vlan_output_vid(&p->vlan, e->vlan))
            || !(dev = cfg_port_tx(p, &l2, e->vlan, &bucket))) {
            dp_packet_delete(pkt);
            continue;
        }

        /* The forwarding threads may be sending on 'dev' too. */
        uint32_t size = dp_packet_size(pkt);
        dp_packet_batch_init(&batch);
        dp_packet_batch_add(&batch, pkt);
        while (atomic_flag_test_and_set_explicit(&dev->tx_lock,
                                                 memory_order_acquire)) {
            sched_yield();
        }
        netdev_send_batch(dev->netdev, &batch);
        atomic_flag_clear_explicit(&dev->tx_lock, memory_order_release);
        atomic_fetch_add_explicit(&dev->tx_packets, 1, memory_order_relaxed);
        atomic_fetch_add_explicit(&dev->tx_bytes, size,
                                  memory_order_relaxed);
        ++*n_sent;
    }
    free(entries);
    return 0;
}

/* The polled device 'port_no' of 'cfg', or NULL. */
static const struct cfg_rx *
cfg_find_rx(const struct dp_config *cfg, uint32_t port_no)
{
    for (size_t t = 0; t < cfg->n_threads; t++) {
        for (size_t i = 0; i < cfg->n_rx[t]; i++) {
            if (cfg->rx[t][i].dev->port_no == port_no) {
                return &cfg->rx[t][i];
            }
        }
    }
    return NULL;
}

static void
trace_add_output(struct dp_trace *tr, const struct cfg_port *out,
                 const struct flow_l2 *l2, uint16_t vlan)
{
    struct dp_trace_output *o;
    struct dp_port *dev;
    unsigned int bucket;

    tr->outputs = xrealloc(tr->outputs,
                           (tr->n_outputs + 1) * sizeof *tr->outputs);
    o = &tr->outputs[tr->n_outputs++];
    dev = cfg_port_tx(out, l2, vlan, &bucket);
    o->port_no = out->port_no;
    o->dev_port_no = dev ? dev->port_no : 0;
    o->bucket = bucket < DP_BOND_N_BUCKETS ? (int) bucket : -1;
    o->vid = vlan_output_vid(&out->vlan, vlan);
}

int
dp_trace(struct dp *dp, uint32_t port_no, const void *data, size_t size,
         struct dp_trace *tr)
{
    /* Only the control thread commits: the configuration cannot change
     * under us. */
    const struct dp_config *cfg = atomic_load(&dp->config);
    const struct cfg_rx *rx;
    const struct cfg_port *in, *out = NULL;
    const struct cfg_bridge *b;
    long long now = dp_time_msec();
    struct dp_packet *p;
    struct flow_l2 l2;
    uint32_t out_no;
    bool slb, locked;

    memset(tr, 0, sizeof *tr);
    tr->src_port_no = tr->dst_port_no = FDB_PORT_NONE;
    if (!dp_port_lookup(dp, port_no)) {
        return ENOENT;
    }
    rx = cfg_find_rx(cfg, port_no);
    if (!rx) {
        tr->verdict = DP_TRACE_NOT_IN_BRIDGE;
        return 0;
    }
    in = rx->port;
    b = in->bridge;
    tr->bridge = b->name;
    tr->bridge_closed = b->closed;
    tr->in_port_no = in->port_no;
    tr->bond_backup = rx->role == RX_SLB_BACKUP;
    if (rx->role == RX_DROP) {
        tr->verdict = DP_TRACE_RX_DROP;
        return 0;
    }
    if (!flow_parse_l2(data, size, &l2)) {
        tr->verdict = DP_TRACE_BAD_FRAME;
        return 0;
    }
    if (!vlan_input(&in->vlan, l2.vlan_present, l2.vlan_tci, &tr->vlan)) {
        tr->verdict = DP_TRACE_VLAN_DROP;
        return 0;
    }
    if (!b->forward_bpdu && eth_addr_is_reserved(&l2.dst)) {
        tr->verdict = DP_TRACE_RESERVED_DROP;
        return 0;
    }
    tr->dst_multicast = eth_addr_is_multicast(&l2.dst);

    p = dp_packet_new(size, 0);
    memcpy(dp_packet_data(p), data, size);
    slb = !in->port && in->bond_mode == DP_BOND_BALANCE_SLB;
    fdb_lock(b->state->fdb);
    tr->src_port_no = fdb_lookup_src_locked(b->state->fdb, &l2.src,
                                            tr->vlan, now, &locked);
    tr->dst_port_no = fdb_lookup_locked(b->state->fdb, &l2.dst, tr->vlan,
                                        now);
    out_no = fwd_lookup_locked(b->state->fdb, rx, &l2, tr->vlan,
                               is_gratuitous_arp(p, &l2), slb, now, false);
    fdb_unlock(b->state->fdb);
    dp_packet_delete(p);

    switch (fwd_action(b, in, out_no, tr->vlan, &out)) {
    case FWD_REFUSED:
        tr->verdict = DP_TRACE_BOND_REFUSED;
        break;
    case FWD_FLOOD:
        tr->verdict = DP_TRACE_FLOOD;
        for (size_t i = 0; i < b->n_ports; i++) {
            if (flood_includes(b->ports[i], in, tr->vlan)) {
                trace_add_output(tr, b->ports[i], &l2, tr->vlan);
            }
        }
        break;
    case FWD_OUTPUT:
        tr->verdict = DP_TRACE_UNICAST;
        trace_add_output(tr, out, &l2, tr->vlan);
        break;
    case FWD_HAIRPIN:
        tr->verdict = DP_TRACE_HAIRPIN;
        break;
    case FWD_VLAN_DROP:
    default:
        tr->verdict = DP_TRACE_OUT_VLAN_DROP;
        break;
    }
    return 0;
}

void
dp_trace_destroy(struct dp_trace *tr)
{
    if (tr) {
        free(tr->outputs);
        tr->outputs = NULL;
        tr->n_outputs = 0;
    }
}

unsigned int
dp_get_n_threads(const struct dp *dp)
{
    return dp->n_threads;
}

int
dp_thread_get_stats(const struct dp *dp, unsigned int i,
                    struct dp_thread_stats *s)
{
    const struct dp_thread *t;
    clockid_t clock;
    struct timespec ts;

    memset(s, 0, sizeof *s);
    if (i >= dp->n_threads) {
        return ENOENT;
    }
    t = &dp->threads[i];
    s->busy_nsec = atomic_load_explicit(&t->busy_nsec, memory_order_relaxed);
    /* The kernel's account of the thread, read from outside it. */
    if (!pthread_getcpuclockid(t->thread, &clock)
        && !clock_gettime(clock, &ts)) {
        s->cpu_nsec = ts.tv_sec * UINT64_C(1000000000) + ts.tv_nsec;
    }
    return 0;
}

int
dp_port_get_stats(const struct dp *dp, uint32_t port_no,
                  struct dp_port_stats *s)
{
    struct dp_port *port = dp_port_lookup(dp, port_no);

    if (!port) {
        return ENOENT;
    }
#define READ(FIELD) \
    s->FIELD = atomic_load_explicit(&port->FIELD, memory_order_relaxed)
    READ(rx_packets); READ(rx_bytes); READ(rx_dropped); READ(rx_errors);
    READ(tx_packets); READ(tx_bytes); READ(tx_dropped); READ(tx_errors);
#undef READ
    return 0;
}

static int
compare_port_info(const void *a_, const void *b_)
{
    const struct dp_port_info *a = a_, *b = b_;
    return a->port_no < b->port_no ? -1 : a->port_no > b->port_no;
}

struct dp_port_info *
dp_dump_ports(const struct dp *dp, size_t *np)
{
    const struct dp_config *cfg = atomic_load(&dp->config);
    struct dp_port_info *infos;
    struct dp_port *port;
    size_t n = 0;

    infos = xcalloc(MAX(1, hmap_count(&dp->ports)), sizeof *infos);
    HMAP_FOR_EACH (port, node, &dp->ports) {
        struct dp_port_info *info = &infos[n++];
        const struct cfg_port *cp = cfg_find_port_of_dev(cfg, port->port_no);

        info->port_no = port->port_no;
        info->bond_port_no = cp && !cp->port ? cp->port_no : 0;
        info->name = netdev_get_name(port->netdev);
        info->type = netdev_get_type(port->netdev);
        info->mode = netdev_get_mode(port->netdev);
        info->bridge = cp ? cp->bridge->name : NULL;
    }
    qsort(infos, n, sizeof *infos, compare_port_info);
    *np = n;
    return infos;
}

int
dp_fdb_dump(struct dp *dp, const char *bridge,
            struct fdb_entry_info **entries, size_t *n)
{
    struct dp_bridge *br = dp_bridge_lookup(dp, bridge);

    if (!br) {
        *entries = NULL;
        *n = 0;
        return ENOENT;
    }
    *entries = fdb_dump(br->fdb, dp_time_msec(), n);
    return 0;
}

int
dp_fdb_get_stats(struct dp *dp, const char *bridge, struct fdb_stats *stats)
{
    struct dp_bridge *br = dp_bridge_lookup(dp, bridge);

    if (!br) {
        memset(stats, 0, sizeof *stats);
        return ENOENT;
    }
    fdb_get_stats(br->fdb, stats);
    return 0;
}

char *
dp_fdb_show(struct dp *dp, const char *bridge)
{
    struct fdb_entry_info *e;
    size_t n, len, size;
    char *s;

    if (dp_fdb_dump(dp, bridge, &e, &n)) {
        return NULL;
    }
    size = 64 + n * 48;
    s = xmalloc(size);
    len = snprintf(s, size, " port  VLAN  MAC                Age\n");
    for (size_t i = 0; i < n; i++) {
        const uint8_t *m = e[i].mac.ea;
        len += snprintf(s + len, size - len,
                        "%5"PRIu32"  %4u  %02x:%02x:%02x:%02x:%02x:%02x"
                        "  %3u\n", e[i].port_no, e[i].vlan,
                        m[0], m[1], m[2], m[3], m[4], m[5], e[i].age);
    }
    free(e);
    return s;
}

int
dp_fdb_flush(struct dp *dp, const char *bridge)
{
    struct dp_bridge *br;

    if (bridge) {
        br = dp_bridge_lookup(dp, bridge);
        if (!br) {
            return ENOENT;
        }
        fdb_flush(br->fdb);
    } else {
        HMAP_FOR_EACH (br, node, &dp->bridges) {
            fdb_flush(br->fdb);
        }
    }
    return 0;
}

void
dp_run(struct dp *dp)
{
    long long now = dp_time_msec();
    struct dp_bridge *br;

    HMAP_FOR_EACH (br, node, &dp->bridges) {
        fdb_expire(br->fdb, now);
    }
}
