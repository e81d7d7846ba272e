/* fdb.h: a bridge's forwarding database, 802.1D style.
 *
 * Maps (VLAN, MAC) to the port where that MAC was last seen.  Entries age
 * out 'idle_time' seconds after the MAC was last seen; when the table is
 * full, learning a new MAC evicts the entry seen longest ago.  All memory
 * is allocated up front (fdb_create(), fdb_set_max_entries()): learning
 * never allocates.
 *
 * Locking: forwarding threads take the fdb's lock once per batch, around
 * their calls to fdb_learn() and fdb_lookup() (the "_locked" functions
 * below), so a table shared by several threads costs one uncontended
 * lock per batch.  The other functions take the lock themselves and are for
 * the control thread.
 *
 * Time is passed in by the caller, in milliseconds of a monotonic clock,
 * so that a forwarding thread reads the clock once per batch (and tests
 * control it). */
#ifndef XSW_SWITCHD_FDB_H
#define XSW_SWITCHD_FDB_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "packet.h"

#define FDB_DEFAULT_IDLE_TIME 300      /* Seconds, as in 802.1D. */
#define FDB_DEFAULT_MAX_ENTRIES 8192   /* As Open vSwitch's default. */
#define FDB_PORT_NONE 0                /* Never a port number. */

/* How long an entry learned from a gratuitous ARP on a port that is not a
 * bond stays "grat-ARP locked": a gratuitous ARP arriving on a bond does
 * not move it meanwhile, because it is most likely our own announcement
 * reflected back by the switch upstream.  Open vSwitch's
 * MAC_GRAT_ARP_LOCK_TIME (5 s). */
#define FDB_GRAT_ARP_LOCK_MSEC 5000

struct fdb;

/* One entry as fdb_dump() reports it. */
struct fdb_entry_info {
    uint32_t port_no;
    uint16_t vlan;
    struct eth_addr mac;
    unsigned int age;           /* Seconds since last seen. */
};

struct fdb *fdb_create(size_t max_entries, unsigned int idle_time);
void fdb_destroy(struct fdb *);

void fdb_lock(struct fdb *);
void fdb_unlock(struct fdb *);

/* Records that 'mac' was seen on 'port_no' in 'vlan' at 'now'.  A known
 * MAC moves to 'port_no'.  Returns true if the entry is new or moved.
 * Multicast source MACs are never learned. */
bool fdb_learn_locked(struct fdb *, const struct eth_addr *mac,
                      uint16_t vlan, uint32_t port_no, long long now);

/* Learns from a gratuitous ARP (an announcement that 'mac' is here now),
 * received on 'port_no', a bond if 'from_bond'.  From a port that is not a
 * bond, it learns as fdb_learn_locked() and grat-ARP locks the entry until
 * 'now' + FDB_GRAT_ARP_LOCK_MSEC.  From a bond, it learns as
 * fdb_learn_locked() unless the entry is locked, when it changes nothing
 * and returns false. */
bool fdb_learn_grat_arp_locked(struct fdb *, const struct eth_addr *mac,
                               uint16_t vlan, uint32_t port_no,
                               bool from_bond, long long now);

/* Returns the port where 'mac' in 'vlan' lives, or FDB_PORT_NONE if it is
 * unknown or its entry has expired by 'now'. */
uint32_t fdb_lookup_locked(const struct fdb *, const struct eth_addr *mac,
                           uint16_t vlan, long long now);

/* The same, also storing in '*grat_arp_locked' whether the entry is
 * grat-ARP locked at 'now' (false if there is none): what a balance-slb
 * bond's admission check needs to know about a source MAC. */
uint32_t fdb_lookup_src_locked(const struct fdb *, const struct eth_addr *mac,
                               uint16_t vlan, long long now,
                               bool *grat_arp_locked);

/* Control-thread functions; each takes the lock. */

/* Removes entries idle for 'idle_time' or more at 'now'.  Returns how
 * many it removed. */
size_t fdb_expire(struct fdb *, long long now);

void fdb_flush(struct fdb *);                        /* Removes all. */
void fdb_flush_port(struct fdb *, uint32_t port_no); /* Removes a port's. */

/* Changes the settings.  Shrinking the table evicts the oldest entries. */
void fdb_set_idle_time(struct fdb *, unsigned int idle_time);
void fdb_set_max_entries(struct fdb *, size_t max_entries);

size_t fdb_get_max_entries(const struct fdb *);
size_t fdb_count(struct fdb *);

/* What fdb/stats-show prints, as Open vSwitch counts it: entries now and
 * at most, and since the fdb was created, MACs learned (new entries),
 * expired (aged out), evicted (to make room for a new one when full) and
 * moved (seen on another port than their entry's). */
struct fdb_stats {
    size_t n_entries, max_entries;
    uint64_t n_learned, n_expired, n_evicted, n_moved;
};
void fdb_get_stats(struct fdb *, struct fdb_stats *);

/* Returns the unexpired entries, oldest-seen first, as an array of
 * '*n' entries that the caller frees. */
struct fdb_entry_info *fdb_dump(struct fdb *, long long now, size_t *n);

#endif /* fdb.h */
