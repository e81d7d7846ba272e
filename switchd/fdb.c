/* fdb.c: the forwarding database.
 *
 * Entries live in one preallocated array.  A power-of-two table of 32-bit
 * indexes (twice as many buckets as entries) chains them by hash, and a
 * doubly linked list through the same array keeps them in the order they
 * were last seen, so that both aging and eviction take the oldest from the
 * head.  Refreshing an entry moves it to the tail.  Indexes instead of
 * pointers keep an entry small: 40 bytes. */
#include <config.h>
#include "fdb.h"

#include <limits.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include "flow.h"
#include "hash.h"
#include "util.h"

#define NIL UINT32_MAX

struct fdb_entry {
    struct eth_addr mac;
    uint16_t vlan;
    uint32_t port_no;           /* FDB_PORT_NONE: entry is free. */
    uint32_t hash_next;         /* Next in the bucket's chain. */
    uint32_t prev, next;        /* Age list, or free list ('next' only). */
    long long seen;             /* When last seen, in ms. */
    long long grat_arp_lock;    /* Grat-ARP locked before this time (ms),
                                 * or LLONG_MIN. */
};

struct fdb {
    pthread_mutex_t mutex;
    struct fdb_entry *entries;  /* 'max' entries. */
    uint32_t *buckets;          /* 'mask' + 1 chains. */
    uint32_t mask;
    size_t max;
    size_t n;                   /* Entries in use. */
    uint32_t oldest, newest;    /* Ends of the age list. */
    uint32_t free;              /* Free list. */
    long long idle_ms;

    /* Totals since creation, for fdb/stats-show (under the lock, like
     * the entries they count). */
    uint64_t n_learned, n_expired, n_evicted, n_moved;
};

static inline uint32_t
fdb_hash(const struct eth_addr *mac, uint16_t vlan)
{
    uint32_t a, b;

    /* Cheap but good enough for MACs, whose low bytes vary most. */
    memcpy(&a, mac->ea, 4);
    b = (mac->ea[4] << 8 | mac->ea[5]) | ((uint32_t) vlan << 16);
    return hash_finish(hash_add(hash_add(0, a), b), 8);
}

static void
fdb_alloc(struct fdb *fdb, size_t max)
{
    uint32_t n_buckets = 1;

    max = MAX(max, 1);
    while (n_buckets < 2 * max) {
        n_buckets *= 2;
    }
    fdb->entries = xcalloc(max, sizeof *fdb->entries);
    fdb->buckets = xmalloc(n_buckets * sizeof *fdb->buckets);
    memset(fdb->buckets, 0xff, n_buckets * sizeof *fdb->buckets);
    fdb->mask = n_buckets - 1;
    fdb->max = max;
    fdb->n = 0;
    fdb->oldest = fdb->newest = NIL;
    for (size_t i = 0; i < max; i++) {
        fdb->entries[i].port_no = FDB_PORT_NONE;
        fdb->entries[i].next = i + 1 < max ? i + 1 : NIL;
    }
    fdb->free = 0;
}

struct fdb *
fdb_create(size_t max_entries, unsigned int idle_time)
{
    struct fdb *fdb = xzalloc(sizeof *fdb);

    pthread_mutex_init(&fdb->mutex, NULL);
    fdb->idle_ms = idle_time * 1000LL;
    fdb_alloc(fdb, max_entries);
    return fdb;
}

void
fdb_destroy(struct fdb *fdb)
{
    if (fdb) {
        pthread_mutex_destroy(&fdb->mutex);
        free(fdb->entries);
        free(fdb->buckets);
        free(fdb);
    }
}

void
fdb_lock(struct fdb *fdb)
{
    pthread_mutex_lock(&fdb->mutex);
}

void
fdb_unlock(struct fdb *fdb)
{
    pthread_mutex_unlock(&fdb->mutex);
}

static uint32_t
fdb_find(const struct fdb *fdb, const struct eth_addr *mac, uint16_t vlan,
         uint32_t hash)
{
    uint32_t i = fdb->buckets[hash & fdb->mask];

    while (i != NIL) {
        const struct fdb_entry *e = &fdb->entries[i];
        if (e->vlan == vlan && eth_addr_equals(&e->mac, mac)) {
            return i;
        }
        i = e->hash_next;
    }
    return NIL;
}

static void
age_list_remove(struct fdb *fdb, uint32_t i)
{
    struct fdb_entry *e = &fdb->entries[i];

    if (e->prev != NIL) {
        fdb->entries[e->prev].next = e->next;
    } else {
        fdb->oldest = e->next;
    }
    if (e->next != NIL) {
        fdb->entries[e->next].prev = e->prev;
    } else {
        fdb->newest = e->prev;
    }
}

static void
age_list_append(struct fdb *fdb, uint32_t i)
{
    struct fdb_entry *e = &fdb->entries[i];

    e->prev = fdb->newest;
    e->next = NIL;
    if (fdb->newest != NIL) {
        fdb->entries[fdb->newest].next = i;
    } else {
        fdb->oldest = i;
    }
    fdb->newest = i;
}

static void
fdb_remove(struct fdb *fdb, uint32_t i)
{
    struct fdb_entry *e = &fdb->entries[i];
    uint32_t *p = &fdb->buckets[fdb_hash(&e->mac, e->vlan) & fdb->mask];

    while (*p != i) {
        p = &fdb->entries[*p].hash_next;
    }
    *p = e->hash_next;
    age_list_remove(fdb, i);
    e->port_no = FDB_PORT_NONE;
    e->next = fdb->free;
    fdb->free = i;
    fdb->n--;
}

/* Returns the new entry's index. */
static uint32_t
fdb_insert(struct fdb *fdb, const struct eth_addr *mac, uint16_t vlan,
           uint32_t port_no, long long now, uint32_t hash)
{
    struct fdb_entry *e;
    uint32_t i;

    if (fdb->free == NIL) {
        fdb_remove(fdb, fdb->oldest);
        fdb->n_evicted++;
    }
    i = fdb->free;
    e = &fdb->entries[i];
    fdb->free = e->next;
    e->mac = *mac;
    e->vlan = vlan;
    e->port_no = port_no;
    e->seen = now;
    e->grat_arp_lock = LLONG_MIN;
    e->hash_next = fdb->buckets[hash & fdb->mask];
    fdb->buckets[hash & fdb->mask] = i;
    age_list_append(fdb, i);
    fdb->n++;
    return i;
}

/* Learns 'mac' on 'port_no'; if 'lock', grat-ARP locks its entry until
 * 'lock_until'. */
static bool
fdb_learn__(struct fdb *fdb, const struct eth_addr *mac, uint16_t vlan,
            uint32_t port_no, long long now, bool lock, long long lock_until)
{
    struct fdb_entry *e;
    bool moved = true;
    uint32_t hash, i;

    if (eth_addr_is_multicast(mac)) {
        return false;
    }
    hash = fdb_hash(mac, vlan);
    i = fdb_find(fdb, mac, vlan, hash);
    if (i == NIL) {
        i = fdb_insert(fdb, mac, vlan, port_no, now, hash);
        fdb->n_learned++;
    } else {
        e = &fdb->entries[i];
        moved = e->port_no != port_no;
        fdb->n_moved += moved;
        e->port_no = port_no;
        e->seen = now;
        if (fdb->newest != i) {
            age_list_remove(fdb, i);
            age_list_append(fdb, i);
        }
    }
    if (lock) {
        fdb->entries[i].grat_arp_lock = lock_until;
    }
    return moved;
}

bool
fdb_learn_locked(struct fdb *fdb, const struct eth_addr *mac,
                 uint16_t vlan, uint32_t port_no, long long now)
{
    return fdb_learn__(fdb, mac, vlan, port_no, now, false, 0);
}

bool
fdb_learn_grat_arp_locked(struct fdb *fdb, const struct eth_addr *mac,
                          uint16_t vlan, uint32_t port_no, bool from_bond,
                          long long now)
{
    if (from_bond) {
        bool locked;

        /* An expired entry is as good as none: fdb_lookup_src_locked()
         * says it is not locked. */
        fdb_lookup_src_locked(fdb, mac, vlan, now, &locked);
        if (locked) {
            return false;
        }
        return fdb_learn__(fdb, mac, vlan, port_no, now, false, 0);
    }
    return fdb_learn__(fdb, mac, vlan, port_no, now, true,
                       now + FDB_GRAT_ARP_LOCK_MSEC);
}

uint32_t
fdb_lookup_src_locked(const struct fdb *fdb, const struct eth_addr *mac,
                      uint16_t vlan, long long now, bool *grat_arp_locked)
{
    uint32_t i = fdb_find(fdb, mac, vlan, fdb_hash(mac, vlan));
    const struct fdb_entry *e;

    *grat_arp_locked = false;
    if (i == NIL) {
        return FDB_PORT_NONE;
    }
    e = &fdb->entries[i];
    if (now - e->seen >= fdb->idle_ms) {
        return FDB_PORT_NONE;
    }
    *grat_arp_locked = now < e->grat_arp_lock;
    return e->port_no;
}

uint32_t
fdb_lookup_locked(const struct fdb *fdb, const struct eth_addr *mac,
                  uint16_t vlan, long long now)
{
    bool locked;

    return fdb_lookup_src_locked(fdb, mac, vlan, now, &locked);
}

static size_t
fdb_expire_locked(struct fdb *fdb, long long now)
{
    size_t n = 0;

    while (fdb->oldest != NIL
           && now - fdb->entries[fdb->oldest].seen >= fdb->idle_ms) {
        fdb_remove(fdb, fdb->oldest);
        n++;
    }
    fdb->n_expired += n;
    return n;
}

size_t
fdb_expire(struct fdb *fdb, long long now)
{
    size_t n;

    fdb_lock(fdb);
    n = fdb_expire_locked(fdb, now);
    fdb_unlock(fdb);
    return n;
}

void
fdb_flush(struct fdb *fdb)
{
    fdb_lock(fdb);
    while (fdb->oldest != NIL) {
        fdb_remove(fdb, fdb->oldest);
    }
    fdb_unlock(fdb);
}

void
fdb_flush_port(struct fdb *fdb, uint32_t port_no)
{
    fdb_lock(fdb);
    for (uint32_t i = fdb->oldest; i != NIL; ) {
        uint32_t next = fdb->entries[i].next;
        if (fdb->entries[i].port_no == port_no) {
            fdb_remove(fdb, i);
        }
        i = next;
    }
    fdb_unlock(fdb);
}

void
fdb_set_idle_time(struct fdb *fdb, unsigned int idle_time)
{
    fdb_lock(fdb);
    fdb->idle_ms = idle_time * 1000LL;
    fdb_unlock(fdb);
}

void
fdb_set_max_entries(struct fdb *fdb, size_t max_entries)
{
    struct fdb old;

    fdb_lock(fdb);
    max_entries = MAX(max_entries, 1);
    if (max_entries != fdb->max) {
        /* Rebuild, re-inserting oldest first so that the age order stays
         * and, when shrinking, the newest entries survive. */
        old = *fdb;
        fdb_alloc(fdb, max_entries);
        for (uint32_t i = old.oldest; i != NIL; i = old.entries[i].next) {
            const struct fdb_entry *e = &old.entries[i];
            uint32_t j = fdb_insert(fdb, &e->mac, e->vlan, e->port_no,
                                    e->seen, fdb_hash(&e->mac, e->vlan));
            fdb->entries[j].grat_arp_lock = e->grat_arp_lock;
        }
        free(old.entries);
        free(old.buckets);
    }
    fdb_unlock(fdb);
}

size_t
fdb_get_max_entries(const struct fdb *fdb)
{
    return fdb->max;
}

size_t
fdb_count(struct fdb *fdb)
{
    size_t n;

    fdb_lock(fdb);
    n = fdb->n;
    fdb_unlock(fdb);
    return n;
}

void
fdb_get_stats(struct fdb *fdb, struct fdb_stats *stats)
{
    fdb_lock(fdb);
    stats->n_entries = fdb->n;
    stats->max_entries = fdb->max;
    stats->n_learned = fdb->n_learned;
    stats->n_expired = fdb->n_expired;
    stats->n_evicted = fdb->n_evicted;
    stats->n_moved = fdb->n_moved;
    fdb_unlock(fdb);
}

struct fdb_entry_info *
fdb_dump(struct fdb *fdb, long long now, size_t *np)
{
    struct fdb_entry_info *infos;
    size_t n = 0;

    fdb_lock(fdb);
    infos = xcalloc(MAX(fdb->n, 1), sizeof *infos);
    for (uint32_t i = fdb->oldest; i != NIL; i = fdb->entries[i].next) {
        const struct fdb_entry *e = &fdb->entries[i];
        if (now - e->seen < fdb->idle_ms) {
            struct fdb_entry_info *info = &infos[n++];
            info->port_no = e->port_no;
            info->vlan = e->vlan;
            info->mac = e->mac;
            info->age = (now - e->seen) / 1000;
        }
    }
    fdb_unlock(fdb);
    *np = n;
    return infos;
}
