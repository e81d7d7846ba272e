/* packet.c: packet pools and batch helpers. */
#include <config.h>
#include "packet.h"

#include <stdatomic.h>
#include <stdlib.h>
#include "util.h"

void
dp_packet_delete_array(struct dp_packet **pkts, size_t n)
{
    size_t i = 0;

    while (i < n) {
        struct dp_packet_owner *owner = pkts[i]->owner;
        size_t j = i + 1;

        while (j < n && pkts[j]->owner == owner) {
            j++;
        }
        owner->release(owner, &pkts[i], j - i);
        i = j;
    }
}

void
dp_packet_batch_delete(struct dp_packet_batch *b)
{
    dp_packet_delete_array(b->packets, b->count);
    b->count = 0;
}

/* Heap packets: the struct and its buffer are one allocation. */
static void
heap_release(struct dp_packet_owner *owner OVS_UNUSED,
             struct dp_packet **pkts, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(pkts[i]);
    }
}

static struct dp_packet_owner heap_owner = { heap_release };

struct dp_packet *
dp_packet_new(uint32_t size, uint32_t tailroom)
{
    uint32_t allocated = DP_PACKET_HEADROOM + size + tailroom;
    struct dp_packet *p = xzalloc(sizeof *p + allocated);

    p->base = p + 1;
    p->allocated = allocated;
    p->data_ofs = DP_PACKET_HEADROOM;
    p->size = size;
    p->owner = &heap_owner;
    return p;
}

/* A pool is one array of packet structs, one block of buffers and a stack
 * of free packets.  The owner's 'release' can run on any thread, so the
 * stack is guarded by a spinlock: the critical section is a few stores per
 * packet, far shorter than a futex round trip would be. */
struct dp_packet_pool {
    struct dp_packet_owner owner;
    atomic_flag lock;
    uint32_t buf_size;
    size_t n;                   /* Packets in total. */
    size_t n_free;              /* Packets in 'free'. */
    struct dp_packet **free;    /* Stack of 'n_free' free packets. */
    struct dp_packet *packets;  /* 'n' packet structs. */
    char *buffers;              /* 'n' * 'buf_size' bytes. */
};

static void
pool_lock(struct dp_packet_pool *pool)
{
    while (atomic_flag_test_and_set_explicit(&pool->lock,
                                             memory_order_acquire)) {
        __builtin_ia32_pause();
    }
}

static void
pool_unlock(struct dp_packet_pool *pool)
{
    atomic_flag_clear_explicit(&pool->lock, memory_order_release);
}

static void
pool_release(struct dp_packet_owner *owner, struct dp_packet **pkts,
             size_t n)
{
    struct dp_packet_pool *pool = CONTAINER_OF(owner, struct dp_packet_pool,
                                               owner);
    pool_lock(pool);
    for (size_t i = 0; i < n; i++) {
        pool->free[pool->n_free++] = pkts[i];
    }
    pool_unlock(pool);
}

struct dp_packet_pool *
dp_packet_pool_create(size_t n, uint32_t buf_size)
{
    struct dp_packet_pool *pool = xzalloc(sizeof *pool);

    pool->owner.release = pool_release;
    atomic_flag_clear(&pool->lock);
    pool->buf_size = buf_size;
    pool->n = n;
    pool->n_free = n;
    pool->free = xcalloc(n ? n : 1, sizeof *pool->free);
    pool->packets = xcalloc(n ? n : 1, sizeof *pool->packets);
    pool->buffers = xmalloc(MAX(n * buf_size, 1));
    for (size_t i = 0; i < n; i++) {
        struct dp_packet *p = &pool->packets[i];

        p->base = pool->buffers + i * buf_size;
        p->allocated = buf_size;
        p->owner = &pool->owner;
        pool->free[i] = p;
    }
    return pool;
}

void
dp_packet_pool_destroy(struct dp_packet_pool *pool)
{
    if (pool) {
        free(pool->buffers);
        free(pool->packets);
        free(pool->free);
        free(pool);
    }
}

size_t
dp_packet_pool_get(struct dp_packet_pool *pool, struct dp_packet **pkts,
                   size_t n)
{
    uint32_t headroom = MIN(DP_PACKET_HEADROOM, pool->buf_size);

    pool_lock(pool);
    n = MIN(n, pool->n_free);
    pool->n_free -= n;
    memcpy(pkts, &pool->free[pool->n_free], n * sizeof *pkts);
    pool_unlock(pool);

    for (size_t i = 0; i < n; i++) {
        dp_packet_reset(pkts[i], headroom);
    }
    return n;
}

size_t
dp_packet_pool_available(struct dp_packet_pool *pool)
{
    size_t n;

    pool_lock(pool);
    n = pool->n_free;
    pool_unlock(pool);
    return n;
}

uint32_t
dp_packet_pool_buf_size(const struct dp_packet_pool *pool)
{
    return pool->buf_size;
}

struct dp_packet *
dp_packet_clone(struct dp_packet_pool *pool, const struct dp_packet *src)
{
    struct dp_packet *p;

    if (DP_PACKET_HEADROOM + (uint64_t) src->size > pool->buf_size
        || !dp_packet_pool_get(pool, &p, 1)) {
        return NULL;
    }
    memcpy(dp_packet_data(p), dp_packet_data(src), src->size);
    p->size = src->size;
    p->ol = src->ol;
    return p;
}
