/* packet.h: packets and batches of packets as the datapath moves them.
 *
 * A struct dp_packet describes one Ethernet frame held in a buffer that
 * somebody owns: a port driver's preallocated pool, an AF_XDP umem, or (in
 * tests and slow paths) the heap.  The datapath never frees a buffer itself;
 * it hands the packet back to its owner with dp_packet_delete() (or passes
 * it to a netdev's send_batch(), which does that once the frame is gone).
 * Nothing here allocates on the fast path: pools are filled once, up front.
 *
 *     base                 data = base + data_ofs
 *     |<---- headroom ---->|<-------- size -------->|<-- tailroom -->|
 *     |<------------------------- allocated ------------------------>|
 *
 * Offload metadata ('ol') mirrors struct virtio_net_hdr, in host byte
 * order, so that a TAP driver converts it field by field and a packet from
 * one TAP can go to another TAP untouched.
 *
 * Thread safety: a packet belongs to one thread at a time.  Owners must
 * accept release() from any forwarding thread (a packet received on one
 * thread may be sent, and so released, by the same thread but through
 * another port's driver). */
#ifndef XSW_SWITCHD_PACKET_H
#define XSW_SWITCHD_PACKET_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/* Most packets moved by one recv_batch() or send_batch() call. */
#define NETDEV_MAX_BURST 64

/* Headroom that every driver leaves in front of a received frame, so that
 * the datapath can push an 802.1Q tag (or a driver a vnet header) in place.
 * AF_XDP frames have XDP_PACKET_HEADROOM (256) already. */
#define DP_PACKET_HEADROOM 64

/* Buffer size (headroom included) that holds any frame of a 1500-byte MTU
 * port plus a VLAN tag; pools for non-GSO ports use it. */
#define DP_PACKET_SMALL_BUF 2048

/* Buffer size (headroom included) that holds the largest GSO packet a TAP
 * with IFF_VNET_HDR can deliver (64 KiB of IP plus Ethernet and VLAN). */
#define DP_PACKET_LARGE_BUF (65536 + 256)

#define ETH_ADDR_LEN 6

struct eth_addr {
    uint8_t ea[ETH_ADDR_LEN];
};

struct dp_packet;

/* Whoever owns packet buffers embeds one of these (a pool, a umem, ...).
 * 'release' takes back 'n' packets; the caller no longer owns them.  It
 * receives an array so that an owner that needs a lock takes it once per
 * batch, not once per packet.  It may be called from any thread. */
struct dp_packet_owner {
    void (*release)(struct dp_packet_owner *, struct dp_packet **pkts,
                    size_t n);
};

/* Offload flags, the values of VIRTIO_NET_HDR_F_*. */
#define DP_PACKET_OL_NEEDS_CSUM 1  /* L4 checksum to complete: see below. */
#define DP_PACKET_OL_DATA_VALID 2  /* Receiver: checksum already verified. */

/* GSO types, the values of VIRTIO_NET_HDR_GSO_*. */
#define DP_PACKET_GSO_NONE  0
#define DP_PACKET_GSO_TCPV4 1
#define DP_PACKET_GSO_UDP   3
#define DP_PACKET_GSO_TCPV6 4
#define DP_PACKET_GSO_ECN   0x80     /* Flag or'ed into the type. */

/* What struct virtio_net_hdr says, in host byte order.  With
 * DP_PACKET_OL_NEEDS_CSUM set, the 16-bit field at csum_start + csum_offset
 * (offsets from the start of the frame) holds the folded, uncomplemented
 * sum of the pseudo-header only; the sender must complete it.  With
 * gso_type != NONE the packet is larger than the MTU and must be cut into
 * gso_size-byte (L4 payload) segments; NEEDS_CSUM is then also set. */
struct dp_packet_offload {
    uint8_t flags;          /* DP_PACKET_OL_*. */
    uint8_t gso_type;       /* DP_PACKET_GSO_*. */
    uint16_t hdr_len;       /* Bytes of headers (Ethernet to L4); a hint. */
    uint16_t gso_size;      /* L4 payload bytes per segment. */
    uint16_t csum_start;    /* Offset where checksumming starts. */
    uint16_t csum_offset;   /* Offset of the checksum from csum_start. */
};

struct dp_packet {
    void *base;                  /* Start of the buffer. */
    uint32_t allocated;          /* Bytes in the buffer. */
    uint32_t data_ofs;           /* Headroom: the frame starts at base + it. */
    uint32_t size;               /* Bytes in the frame. */
    struct dp_packet_owner *owner;   /* Takes the packet back; never NULL. */
    uint64_t owner_data;         /* The owner's own cookie, e.g. the frame's
                                  * address in an AF_XDP umem. */
    struct dp_packet_offload ol; /* All zero for an ordinary frame. */
};

/* Up to NETDEV_MAX_BURST packets moved together.  Whoever holds a batch
 * owns the packets in it. */
struct dp_packet_batch {
    size_t count;
    struct dp_packet *packets[NETDEV_MAX_BURST];
};

static inline void
dp_packet_batch_init(struct dp_packet_batch *b)
{
    b->count = 0;
}

static inline bool
dp_packet_batch_is_full(const struct dp_packet_batch *b)
{
    return b->count >= NETDEV_MAX_BURST;
}

/* Appends 'p' to 'b', which must not be full. */
static inline void
dp_packet_batch_add(struct dp_packet_batch *b, struct dp_packet *p)
{
    b->packets[b->count++] = p;
}

static inline void *
dp_packet_data(const struct dp_packet *p)
{
    return (char *) p->base + p->data_ofs;
}

static inline uint32_t
dp_packet_size(const struct dp_packet *p)
{
    return p->size;
}

static inline void
dp_packet_set_size(struct dp_packet *p, uint32_t size)
{
    p->size = size;
}

static inline uint32_t
dp_packet_headroom(const struct dp_packet *p)
{
    return p->data_ofs;
}

static inline uint32_t
dp_packet_tailroom(const struct dp_packet *p)
{
    return p->allocated - p->data_ofs - p->size;
}

static inline void *
dp_packet_tail(const struct dp_packet *p)
{
    return (char *) dp_packet_data(p) + p->size;
}

/* Grows the frame by 'n' bytes at the front (which must fit in the
 * headroom) and returns the new start. */
static inline void *
dp_packet_push_uninit(struct dp_packet *p, uint32_t n)
{
    p->data_ofs -= n;
    p->size += n;
    return dp_packet_data(p);
}

/* Removes 'n' bytes (no more than the size) from the front of the frame. */
static inline void
dp_packet_pull(struct dp_packet *p, uint32_t n)
{
    p->data_ofs += n;
    p->size -= n;
}

/* Resets 'p' to an empty frame with 'headroom' bytes of headroom and no
 * offload metadata, keeping its buffer and owner. */
static inline void
dp_packet_reset(struct dp_packet *p, uint32_t headroom)
{
    p->data_ofs = headroom;
    p->size = 0;
    memset(&p->ol, 0, sizeof p->ol);
}

/* Gives 'p' back to its owner. */
static inline void
dp_packet_delete(struct dp_packet *p)
{
    p->owner->release(p->owner, &p, 1);
}

/* Gives every packet in 'b' back to its owner and empties 'b'.  Runs of
 * packets with the same owner go back in one release() call. */
void dp_packet_batch_delete(struct dp_packet_batch *b);

/* Same for an array of 'n' packets. */
void dp_packet_delete_array(struct dp_packet **pkts, size_t n);

/* A heap-allocated packet with a 'size'-byte frame (uninitialised) after
 * DP_PACKET_HEADROOM bytes of headroom and 'tailroom' spare bytes.
 * dp_packet_delete() frees it.  For tests and slow paths: it mallocs. */
struct dp_packet *dp_packet_new(uint32_t size, uint32_t tailroom);

/* A pool: 'n' packets with 'buf_size'-byte buffers, allocated once, then
 * recycled.  The pool is the packets' owner.  Getting packets is for one
 * thread (the pool's user); releasing them back may happen on any thread
 * (a spinlock, taken once per release() call, guards the free list).
 * Destroying the pool frees every packet, so all must have come back. */
struct dp_packet_pool;

struct dp_packet_pool *dp_packet_pool_create(size_t n, uint32_t buf_size);
void dp_packet_pool_destroy(struct dp_packet_pool *);

/* Takes up to 'n' packets from the pool into 'pkts' and returns how many
 * it took (fewer when it runs low).  Each is reset to an empty frame with
 * DP_PACKET_HEADROOM bytes of headroom. */
size_t dp_packet_pool_get(struct dp_packet_pool *, struct dp_packet **pkts,
                          size_t n);

/* Packets currently in the pool (not handed out). */
size_t dp_packet_pool_available(struct dp_packet_pool *);

/* Buffer size of the pool's packets (headroom included). */
uint32_t dp_packet_pool_buf_size(const struct dp_packet_pool *);

/* Copies frame and offload metadata of 'src' into a packet from 'pool'.
 * Returns NULL if the pool is empty or its buffers are too small. */
struct dp_packet *dp_packet_clone(struct dp_packet_pool *,
                                  const struct dp_packet *src);

#endif /* packet.h */
