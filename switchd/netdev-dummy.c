/* netdev-dummy.c: the in-memory port driver of tests and benchmarks (see
 * netdev-dummy.h). */
#include <config.h>
#include "netdev-dummy.h"

#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <unistd.h>
#include "netdev.h"
#include "util.h"

struct netdev_dummy {
    struct netdev up;
    int event_fd;               /* Readable while 'rxq' is not empty. */
    pthread_mutex_t mutex;      /* Guards the queues. */
    struct dp_packet **rxq, **txq;   /* FIFOs of heap packets... */
    size_t rx_head, rx_n, rx_alloc;  /* ...as ring buffers. */
    size_t tx_head, tx_n, tx_alloc;
    bool sink;
    struct dp_packet_pool *gen_pool; /* Generator, or NULL. */
    uint8_t *gen_frame;
    size_t gen_size;
    _Atomic uint64_t rx_packets, rx_bytes, tx_packets, tx_bytes;
};

static struct netdev_dummy *
netdev_dummy_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_dummy, up);
}

static void
ring_push(struct dp_packet ***ring, size_t *head, size_t *n, size_t *alloc,
          struct dp_packet *p)
{
    if (*n >= *alloc) {
        size_t old_alloc = *alloc;
        struct dp_packet **new;

        *alloc = old_alloc ? old_alloc * 2 : 64;
        new = xcalloc(*alloc, sizeof *new);
        for (size_t i = 0; i < *n; i++) {
            new[i] = (*ring)[(*head + i) % old_alloc];
        }
        free(*ring);
        *ring = new;
        *head = 0;
    }
    (*ring)[(*head + *n) % *alloc] = p;
    (*n)++;
}

static struct dp_packet *
ring_pop(struct dp_packet **ring, size_t *head, size_t *n, size_t alloc)
{
    struct dp_packet *p;

    if (!*n) {
        return NULL;
    }
    p = ring[*head];
    *head = (*head + 1) % alloc;
    (*n)--;
    return p;
}

static int
netdev_dummy_open(const char *name, const struct shash *options OVS_UNUSED,
                  struct netdev **netdevp, char **errorp)
{
    struct netdev_dummy *dev = xzalloc(sizeof *dev);

    *errorp = NULL;
    netdev_init(&dev->up, &netdev_dummy_class, name);
    dev->event_fd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
    if (dev->event_fd < 0) {
        int error = errno;
        netdev_set_error(errorp, "%s: cannot create an eventfd (%s)", name,
                         strerror(error));
        netdev_uninit(&dev->up);
        free(dev);
        *netdevp = NULL;
        return error;
    }
    pthread_mutex_init(&dev->mutex, NULL);
    *netdevp = &dev->up;
    return 0;
}

static void
netdev_dummy_close(struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct dp_packet *p;

    while ((p = ring_pop(dev->rxq, &dev->rx_head, &dev->rx_n,
                         dev->rx_alloc))) {
        dp_packet_delete(p);
    }
    while ((p = ring_pop(dev->txq, &dev->tx_head, &dev->tx_n,
                         dev->tx_alloc))) {
        dp_packet_delete(p);
    }
    free(dev->rxq);
    free(dev->txq);
    dp_packet_pool_destroy(dev->gen_pool);
    free(dev->gen_frame);
    close(dev->event_fd);
    pthread_mutex_destroy(&dev->mutex);
    netdev_uninit(netdev);
    free(dev);
}

static int
netdev_dummy_rxq_fd(const struct netdev *netdev)
{
    return netdev_dummy_cast(netdev)->event_fd;
}

static int
netdev_dummy_recv_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    uint64_t bytes = 0;

    if (dev->gen_pool) {
        /* Benchmark mode: the cost of a real driver's copy, no more. */
        batch->count = dp_packet_pool_get(dev->gen_pool, batch->packets,
                                          NETDEV_MAX_BURST);
        for (size_t i = 0; i < batch->count; i++) {
            struct dp_packet *p = batch->packets[i];
            memcpy(dp_packet_data(p), dev->gen_frame, dev->gen_size);
            p->size = dev->gen_size;
        }
        bytes = batch->count * dev->gen_size;
    } else {
        pthread_mutex_lock(&dev->mutex);
        while (batch->count < NETDEV_MAX_BURST && dev->rx_n) {
            struct dp_packet *p = ring_pop(dev->rxq, &dev->rx_head,
                                           &dev->rx_n, dev->rx_alloc);
            bytes += dp_packet_size(p);
            batch->packets[batch->count++] = p;
        }
        if (!dev->rx_n) {
            uint64_t junk;
            if (read(dev->event_fd, &junk, sizeof junk) < 0) {
                /* Already drained: fine. */
            }
        }
        pthread_mutex_unlock(&dev->mutex);
    }
    if (!batch->count) {
        return EAGAIN;
    }
    atomic_fetch_add_explicit(&dev->rx_packets, batch->count,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&dev->rx_bytes, bytes, memory_order_relaxed);
    return 0;
}

static int
netdev_dummy_send_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    uint64_t bytes = 0;

    for (size_t i = 0; i < batch->count; i++) {
        bytes += dp_packet_size(batch->packets[i]);
    }
    atomic_fetch_add_explicit(&dev->tx_packets, batch->count,
                              memory_order_relaxed);
    atomic_fetch_add_explicit(&dev->tx_bytes, bytes, memory_order_relaxed);
    if (dev->sink) {
        dp_packet_batch_delete(batch);
        return 0;
    }
    pthread_mutex_lock(&dev->mutex);
    for (size_t i = 0; i < batch->count; i++) {
        ring_push(&dev->txq, &dev->tx_head, &dev->tx_n, &dev->tx_alloc,
                  batch->packets[i]);
    }
    pthread_mutex_unlock(&dev->mutex);
    batch->count = 0;
    return 0;
}

static void
netdev_dummy_get_stats(const struct netdev *netdev, struct netdev_stats *s)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    s->rx_packets = atomic_load_explicit(&dev->rx_packets,
                                         memory_order_relaxed);
    s->rx_bytes = atomic_load_explicit(&dev->rx_bytes, memory_order_relaxed);
    s->tx_packets = atomic_load_explicit(&dev->tx_packets,
                                         memory_order_relaxed);
    s->tx_bytes = atomic_load_explicit(&dev->tx_bytes, memory_order_relaxed);
}

static const char *
netdev_dummy_get_mode(const struct netdev *netdev OVS_UNUSED)
{
    return "dummy";
}

const struct netdev_class netdev_dummy_class = {
    .type = "dummy",
    .open = netdev_dummy_open,
    .close = netdev_dummy_close,
    .rxq_fd = netdev_dummy_rxq_fd,
    .recv_batch = netdev_dummy_recv_batch,
    .send_batch = netdev_dummy_send_batch,
    .get_stats = netdev_dummy_get_stats,
    .get_mode = netdev_dummy_get_mode,
};

void
netdev_dummy_set_caps(struct netdev *netdev, unsigned int caps)
{
    netdev->caps = caps;
}

void
netdev_dummy_receive(struct netdev *netdev, const void *frame, size_t size,
                     const struct dp_packet_offload *ol)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct dp_packet *p = dp_packet_new(size, 0);
    uint64_t one = 1;

    memcpy(dp_packet_data(p), frame, size);
    if (ol) {
        p->ol = *ol;
    }
    pthread_mutex_lock(&dev->mutex);
    ring_push(&dev->rxq, &dev->rx_head, &dev->rx_n, &dev->rx_alloc, p);
    pthread_mutex_unlock(&dev->mutex);
    if (write(dev->event_fd, &one, sizeof one) < 0) {
        /* Counter full: the reader has a wakeup pending anyway. */
    }
}

void
netdev_dummy_set_generator(struct netdev *netdev, const void *frame,
                           size_t size)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);

    dp_packet_pool_destroy(dev->gen_pool);
    free(dev->gen_frame);
    dev->gen_pool = NULL;
    dev->gen_frame = NULL;
    if (frame) {
        /* Room for a few batches in flight per port and thread. */
        dev->gen_frame = xmemdup(frame, size);
        dev->gen_size = size;
        dev->gen_pool = dp_packet_pool_create(4 * NETDEV_MAX_BURST,
                                              DP_PACKET_SMALL_BUF);
    }
}

void
netdev_dummy_set_sink(struct netdev *netdev, bool sink)
{
    netdev_dummy_cast(netdev)->sink = sink;
}

struct dp_packet *
netdev_dummy_pop_sent(struct netdev *netdev)
{
    struct netdev_dummy *dev = netdev_dummy_cast(netdev);
    struct dp_packet *p;

    pthread_mutex_lock(&dev->mutex);
    p = ring_pop(dev->txq, &dev->tx_head, &dev->tx_n, dev->tx_alloc);
    pthread_mutex_unlock(&dev->mutex);
    return p;
}
