/* netdev-afxdp.c: system ports through AF_XDP (see netdev-afxdp.h).
 *
 * Frame life cycle.  Every 4 KiB frame of the umem is, at any moment, in
 * exactly one of these places:
 *
 *     free stack --(recv: refill)--> fill ring --(kernel)--> RX ring
 *         ^                                                    |
 *         |                                           (recv_batch)
 *         |                                                    v
 *     completion ring <--(kernel)-- TX ring <--(send_batch)-- datapath
 *         |                                                    |
 *         +--(send_batch: reclaim)--> free stack <--(release)--+
 *
 * A jumbo frame (several descriptors, see MAX_FRAME_LEN) leaves this cycle
 * at once: recv_batch copies it out and puts its frames on the free stack,
 * and send_batch copies a jumbo packet into free frames.
 *
 * The free stack is the only structure touched by more than one thread
 * (the receiving thread takes frames, the sending thread and any thread
 * releasing packets put them back), so it alone has a lock: a spinlock,
 * taken once per batch.  The fill and RX rings belong to recv_batch, the
 * TX and completion rings to send_batch (which the datapath serialises);
 * recv_batch only reads the TX ring's shared indices, to retry frames the
 * kernel left there (afxdp_kick_stranded_tx).
 *
 * Setup.  libxdp 1.3 cannot register a umem with TX metadata room, so the
 * socket, its umem registration, its four rings and the redirect program
 * are set up here by hand, in the order libxdp uses: socket, XDP_UMEM_REG,
 * ring sizes, mmap of the rings, bind, attach libxdp's own redirect program
 * ("xsk_def_prog", so that netdev_afxdp_remove_stale_prog() still knows it)
 * and insert the socket into its xsks_map at queue 0.
 *
 * TX checksum offload.  The umem is registered with tx_metadata_len bytes
 * of AF_XDP TX metadata (Linux 6.11 and later; an older kernel refuses the
 * flag with EINVAL and the umem is registered without).  Then every TX
 * descriptor's data must start at least that far into its frame, metadata
 * or not, and a packet marked DP_PACKET_OL_NEEDS_CSUM goes out with a
 * struct xsk_tx_metadata just before its data asking for the checksum, so
 * that in copy mode the kernel builds a CHECKSUM_PARTIAL skb: the checksum
 * is never computed on the forwarding thread, and a receiver on the other
 * end of a veth trusts it without verifying.  Without metadata (or in
 * zero-copy mode, where the driver may ignore the request) the port does
 * not claim NETDEV_TX_CSUM and the datapath completes checksums first. */
#include <config.h>

#include "netdev-afxdp.h"

#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#include "csum.h"
#include "netdev.h"
#include "rtnl.h"
#include "shash.h"
#include "util.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(netdev_afxdp);

/* AF_XDP TX metadata, which Debian 12's <linux/if_xdp.h> (Linux 6.1)
 * lacks: the layouts and values of the kernel's include/uapi/linux/
 * if_xdp.h (Linux 6.8 for the metadata, 6.11 for the flag that must
 * accompany tx_metadata_len), under names of our own so that newer
 * headers do not clash. */
#ifndef XDP_UMEM_TX_METADATA_LEN
#define XDP_UMEM_TX_METADATA_LEN (1 << 2)   /* xdp_umem_reg 'flags'. */
#endif
#ifndef XDP_TX_METADATA
#define XDP_TX_METADATA (1 << 1)            /* xdp_desc 'options'. */
#endif
#ifndef XDP_TXMD_FLAGS_CHECKSUM
#define XDP_TXMD_FLAGS_CHECKSUM (1 << 1)    /* xsk_tx_metadata 'flags'. */
#endif

/* struct xdp_umem_reg: 6.1's, plus 'tx_metadata_len'.  The kernel tells
 * the versions apart by the option length, and 6.1's is padded to the
 * same 32 bytes, which is why the flag is needed at all. */
struct afxdp_umem_reg {
    uint64_t addr;
    uint64_t len;
    uint32_t chunk_size;
    uint32_t headroom;
    uint32_t flags;
    uint32_t tx_metadata_len;
};

/* struct xsk_tx_metadata: put just before a TX descriptor's data. */
struct afxdp_tx_metadata {
    uint64_t flags;                 /* XDP_TXMD_FLAGS_*. */
    union {
        struct {
            uint16_t csum_start;    /* From the start of the data. */
            uint16_t csum_offset;   /* From csum_start. */
            uint64_t launch_time;   /* XDP_TXMD_FLAGS_LAUNCH_TIME. */
        } request;
        struct {
            uint64_t tx_timestamp;
        } completion;
    };
};

_Static_assert(sizeof(struct afxdp_umem_reg) == 32, "kernel UAPI layout");
_Static_assert(sizeof(struct afxdp_tx_metadata) == 24, "kernel UAPI layout");

#define FRAME_SHIFT XSK_UMEM__DEFAULT_FRAME_SHIFT
#define FRAME_SIZE (1u << FRAME_SHIFT)
#define N_FRAMES 4096u                         /* 16 MiB of umem. */
#define RING_SIZE XSK_RING_CONS__DEFAULT_NUM_DESCS   /* 2048 */

/* Where a copied frame starts within its umem frame: the same headroom the
 * kernel leaves on receive, so any frame can be pushed a VLAN tag, and the
 * TX metadata fits in front of it. */
#define TX_HEADROOM XDP_PACKET_HEADROOM

/* One umem frame carries a frame of up to 3840 bytes (Ethernet header and
 * VLAN tag included): the umem frame less the headroom the kernel leaves
 * in front of a received frame (and we leave in front of a sent one).
 *
 * Jumbo frames.  Larger frames span several umem frames: the socket is
 * bound with XDP_USE_SG (AF_XDP multi-buffer, Linux 6.6) and libxdp's
 * redirect program is loaded with xdp.frags support, so that a veth peer
 * may have a large MTU while native XDP is attached.  Each descriptor but
 * a frame's last has XDP_PKT_CONTD.  On receive, such a frame is copied
 * into a packet of 'jumbo_pool' and its umem frames go back to the free
 * stack; on transmit, it is copied into as many umem frames as it needs
 * (its checksum completed in software first).  Frames of one umem frame,
 * the usual case, travel as before, without a copy.  Up to JUMBO_MAX_MTU,
 * a common jumbo ceiling; without multi-buffer (an older kernel), up to
 * MAX_MTU, larger frames being dropped (by the kernel on receive, counted
 * in the socket's rx_dropped, by us on transmit). */
#define MAX_FRAME_LEN (FRAME_SIZE - XDP_PACKET_HEADROOM)
#define MAX_MTU ((int) MAX_FRAME_LEN - 18)   /* 3822: less VLAN + Ethernet. */
#define JUMBO_MAX_MTU 9216
#define JUMBO_MAX_FRAME (JUMBO_MAX_MTU + 18)
#define JUMBO_MAX_DESCS \
    ((JUMBO_MAX_FRAME + MAX_FRAME_LEN - 1) / MAX_FRAME_LEN)   /* 3 */
#define JUMBO_POOL_SIZE (3 * NETDEV_MAX_BURST)
_Static_assert(TX_HEADROOM <= XDP_PACKET_HEADROOM, "TX fits like RX");

/* Linux 6.6's multi-buffer flags, which Debian 12's <linux/if_xdp.h>
 * lacks. */
#ifndef XDP_USE_SG
#define XDP_USE_SG (1 << 4)                 /* sockaddr_xdp 'sxdp_flags'. */
#endif
#ifndef XDP_PKT_CONTD
#define XDP_PKT_CONTD (1 << 0)              /* xdp_desc 'options'. */
#endif

/* The TX metadata room the umem is registered with: a multiple of 8, as
 * the kernel requires. */
#define TX_MD_LEN ((uint32_t) sizeof(struct afxdp_tx_metadata))
_Static_assert(TX_HEADROOM >= TX_MD_LEN, "a copy leaves room for metadata");

/* libxdp's redirect program, the one xsk_socket__create() would attach. */
#define XSK_PROG_FILE "xsk_def_xdp_prog.o"

enum afxdp_mode_request {
    AFXDP_BEST_EFFORT,
    AFXDP_NATIVE,
    AFXDP_GENERIC,
    AFXDP_NATIVE_ZC,
};

struct netdev_afxdp {
    struct netdev up;
    struct dp_packet_owner owner;   /* For packets in our umem frames. */
    int ifindex;
    const char *mode;               /* "native", "generic", ... */

    void *umem_area;                /* N_FRAMES * FRAME_SIZE, mmap()ed. */
    int fd;                         /* The AF_XDP socket, or -1. */
    uint32_t tx_md_len;             /* 0 or TX_MD_LEN: see the top. */
    const char *tx_csum;            /* netdev_afxdp_get_tx_csum(). */
    struct xdp_program *prog;       /* Attached by us, or NULL. */
    enum xdp_attach_mode prog_mode;
    bool sg;                        /* Bound with XDP_USE_SG. */
    bool frags;                     /* 'prog' has xdp.frags support. */
    struct dp_packet_pool *jumbo_pool;  /* Frames of several umem frames
                                         * (if 'sg' and 'frags'). */

    /* A jumbo frame being received: recv_batch only. */
    struct dp_packet *jumbo;        /* From 'jumbo_pool', or NULL. */
    bool jumbo_drop;                /* Too long, or no buffer: dropped. */
    const char *jumbo_desc;         /* netdev_afxdp_get_jumbo(). */

    /* The rings, as libxdp's inline helpers want them, and the mappings
     * they live in (fill, completion, RX, TX). */
    struct xsk_ring_prod fq;        /* Fill: recv_batch only. */
    struct xsk_ring_cons rx;        /* RX: recv_batch only. */
    struct xsk_ring_prod tx;        /* TX: send_batch only. */
    struct xsk_ring_cons cq;        /* Completion: send_batch only. */
    struct {
        void *addr;
        size_t len;
    } maps[4];
    struct dp_packet *packets;      /* N_FRAMES, packets[i] is frame i. */

    /* Frames owned by nobody, as frame numbers.  Guarded by 'free_lock'. */
    atomic_flag free_lock;
    uint32_t *free_frames;
    size_t n_free;

    /* Relaxed atomics; see netdev.h on get_stats. */
    struct netdev_stats stats;
};

static struct netdev_afxdp *
netdev_afxdp_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afxdp, up);
}

static int
afxdp_print_nothing(enum libxdp_print_level level OVS_UNUSED,
                    const char *format OVS_UNUSED, va_list args OVS_UNUSED)
{
    return 0;
}

static int
bpf_print_nothing(enum libbpf_print_level level OVS_UNUSED,
                  const char *format OVS_UNUSED, va_list args OVS_UNUSED)
{
    return 0;
}

void
netdev_afxdp_quiet_libxdp(void)
{
    /* Their messages go to stderr, which a daemon does not read; the errors
     * that matter come back from the calls and go to the Interface's
     * 'error' column instead. */
    libxdp_set_print(afxdp_print_nothing);
    libbpf_set_print(bpf_print_nothing);
}

static void
stat_add(uint64_t *counter, uint64_t n)
{
    if (n) {
        __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
    }
}

/* The free stack. */

static void
free_lock(struct netdev_afxdp *dev)
{
    while (atomic_flag_test_and_set_explicit(&dev->free_lock,
                                             memory_order_acquire)) {
        continue;
    }
}

static void
free_unlock(struct netdev_afxdp *dev)
{
    atomic_flag_clear_explicit(&dev->free_lock, memory_order_release);
}

/* Takes up to 'n' free frames into 'frames'; returns how many. */
static size_t
free_take(struct netdev_afxdp *dev, uint32_t *frames, size_t n)
{
    free_lock(dev);
    n = MIN(n, dev->n_free);
    dev->n_free -= n;
    memcpy(frames, &dev->free_frames[dev->n_free], n * sizeof *frames);
    free_unlock(dev);
    return n;
}

/* Returns 'n' unused frames to the free stack. */
static void
free_put(struct netdev_afxdp *dev, const uint32_t *frames, size_t n)
{
    free_lock(dev);
    memcpy(&dev->free_frames[dev->n_free], frames, n * sizeof *frames);
    dev->n_free += n;
    free_unlock(dev);
}

/* The owner's release(): packets in our frames come back. */
static void
afxdp_release(struct dp_packet_owner *owner, struct dp_packet **pkts,
              size_t n)
{
    struct netdev_afxdp *dev = CONTAINER_OF(owner, struct netdev_afxdp,
                                            owner);

    free_lock(dev);
    for (size_t i = 0; i < n; i++) {
        dev->free_frames[dev->n_free++] = pkts[i] - dev->packets;
    }
    free_unlock(dev);
}

/* Opening. */

static int
afxdp_parse_mode(const char *name, const struct shash *options,
                 enum afxdp_mode_request *mode, char **errorp)
{
    const char *s = options ? shash_find_data(options, "xdp-mode") : NULL;

    if (!s || !*s || !strcmp(s, "best-effort")) {
        *mode = AFXDP_BEST_EFFORT;
    } else if (!strcmp(s, "native")) {
        *mode = AFXDP_NATIVE;
    } else if (!strcmp(s, "generic")) {
        *mode = AFXDP_GENERIC;
    } else if (!strcmp(s, "native-with-zerocopy")) {
        *mode = AFXDP_NATIVE_ZC;
    } else {
        netdev_set_error(errorp, "%s: unknown xdp-mode \"%s\" (expected "
                         "native, generic, native-with-zerocopy or "
                         "best-effort)", name, s);
        return EINVAL;
    }
    return 0;
}

/* Registers the umem on the socket, with TX metadata room if the kernel
 * has it.  Sets 'tx_md_len' accordingly. */
static int
afxdp_register_umem(struct netdev_afxdp *dev)
{
    struct afxdp_umem_reg mr = {
        .addr = (uintptr_t) dev->umem_area,
        .len = (uint64_t) N_FRAMES * FRAME_SIZE,
        .chunk_size = FRAME_SIZE,
        .headroom = 0,
        .flags = XDP_UMEM_TX_METADATA_LEN,
        .tx_metadata_len = TX_MD_LEN,
    };

    if (!setsockopt(dev->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof mr)) {
        dev->tx_md_len = TX_MD_LEN;
        return 0;
    }
    if (errno != EINVAL) {
        return errno;
    }

    /* Before Linux 6.11 the flag is unknown, and so refused.  (6.8 to 6.10
     * took tx_metadata_len without it, but an older kernel ignores the
     * field as the padding of its own struct, and every descriptor with
     * metadata would then be invalid: only the flag tells them apart, so
     * 6.8 to 6.10 get software checksums too.) */
    mr.flags = 0;
    mr.tx_metadata_len = 0;
    dev->tx_md_len = 0;
    return setsockopt(dev->fd, SOL_XDP, XDP_UMEM_REG, &mr, sizeof mr)
           ? errno : 0;
}

static int
afxdp_set_ring_size(int fd, int option)
{
    uint32_t n = RING_SIZE;

    return setsockopt(fd, SOL_XDP, option, &n, sizeof n) ? errno : 0;
}

/* mmap()s ring 'i' of 'dev->maps': RING_SIZE entries of 'entry_size' bytes
 * laid out as 'off' says, at page offset 'pgoff' of the socket. */
static int
afxdp_map_ring(struct netdev_afxdp *dev, int i,
               const struct xdp_ring_offset *off, size_t entry_size,
               off_t pgoff)
{
    size_t len = off->desc + RING_SIZE * entry_size;
    void *addr = mmap(NULL, len, PROT_READ | PROT_WRITE,
                      MAP_SHARED | MAP_POPULATE, dev->fd, pgoff);

    if (addr == MAP_FAILED) {
        return errno;
    }
    dev->maps[i].addr = addr;
    dev->maps[i].len = len;
    return 0;
}

/* Points libxdp's ring struct RING (producer or consumer: the two differ
 * only in type) at the ring mapped at MAP with offsets OFF, as libxdp's
 * own setup does. */
#define RING_ATTACH(RING, MAP, OFF)                                     \
    do {                                                                \
        char *map_ = (MAP);                                             \
                                                                        \
        (RING)->mask = RING_SIZE - 1;                                   \
        (RING)->size = RING_SIZE;                                       \
        (RING)->producer = (uint32_t *) (map_ + (OFF).producer);        \
        (RING)->consumer = (uint32_t *) (map_ + (OFF).consumer);        \
        (RING)->flags = (uint32_t *) (map_ + (OFF).flags);              \
        (RING)->ring = map_ + (OFF).desc;                               \
        (RING)->cached_prod = *(RING)->producer;                        \
        (RING)->cached_cons = *(RING)->consumer;                        \
    } while (0)

/* Sizes and maps the fill, completion, RX and TX rings. */
static int
afxdp_setup_rings(struct netdev_afxdp *dev)
{
    struct xdp_mmap_offsets off;
    socklen_t len = sizeof off;
    int error;

    if ((error = afxdp_set_ring_size(dev->fd, XDP_UMEM_FILL_RING))
        || (error = afxdp_set_ring_size(dev->fd, XDP_UMEM_COMPLETION_RING))
        || (error = afxdp_set_ring_size(dev->fd, XDP_RX_RING))
        || (error = afxdp_set_ring_size(dev->fd, XDP_TX_RING))) {
        return error;
    }
    if (getsockopt(dev->fd, SOL_XDP, XDP_MMAP_OFFSETS, &off, &len)) {
        return errno;
    }
    if ((error = afxdp_map_ring(dev, 0, &off.fr, sizeof(uint64_t),
                                XDP_UMEM_PGOFF_FILL_RING))
        || (error = afxdp_map_ring(dev, 1, &off.cr, sizeof(uint64_t),
                                   XDP_UMEM_PGOFF_COMPLETION_RING))
        || (error = afxdp_map_ring(dev, 2, &off.rx, sizeof(struct xdp_desc),
                                   XDP_PGOFF_RX_RING))
        || (error = afxdp_map_ring(dev, 3, &off.tx, sizeof(struct xdp_desc),
                                   XDP_PGOFF_TX_RING))) {
        return error;
    }
    RING_ATTACH(&dev->fq, dev->maps[0].addr, off.fr);
    RING_ATTACH(&dev->cq, dev->maps[1].addr, off.cr);
    RING_ATTACH(&dev->rx, dev->maps[2].addr, off.rx);
    RING_ATTACH(&dev->tx, dev->maps[3].addr, off.tx);
    /* A producer's cached consumer runs a ring ahead: see
     * xsk_prod_nb_free(). */
    dev->fq.cached_cons += RING_SIZE;
    dev->tx.cached_cons += RING_SIZE;
    return 0;
}

/* Binds the socket to queue 0.  A socket just closed on the same queue (a
 * restart, a reconfiguration) is released by the kernel a little later,
 * so EBUSY is retried for up to a second. */
static int
afxdp_bind(struct netdev_afxdp *dev, bool native, bool zerocopy)
{
    struct sockaddr_xdp sxdp = {
        .sxdp_family = AF_XDP,
        .sxdp_ifindex = dev->ifindex,
        .sxdp_queue_id = 0,
        .sxdp_flags = (XDP_USE_NEED_WAKEUP | XDP_USE_SG
                       | (zerocopy ? XDP_ZEROCOPY : native ? 0 : XDP_COPY)),
    };
    int error;

    for (int attempt = 0; ; attempt++) {
        error = bind(dev->fd, (struct sockaddr *) &sxdp, sizeof sxdp)
                ? errno : 0;
        if (error == EINVAL && sxdp.sxdp_flags & XDP_USE_SG) {
            /* Before Linux 6.6, or a zero-copy driver without it: one
             * umem frame per frame. */
            sxdp.sxdp_flags &= ~XDP_USE_SG;
            attempt--;
            continue;
        }
        if (error != EBUSY || attempt >= 20) {
            dev->sg = !error && sxdp.sxdp_flags & XDP_USE_SG;
            return error;
        }
        nanosleep(&(struct timespec) { 0, 50 * 1000 * 1000 }, NULL);
    }
}

/* Opens libxdp's redirect program and attaches it in 'mode'.  With
 * '*frags', it asks for frames in several buffers, and clears '*frags' if
 * libxdp cannot mark the program so.  On success '*progp' and '*mapp' are
 * the program and its xsks_map. */
static int
afxdp_open_prog(struct netdev_afxdp *dev, enum xdp_attach_mode mode,
                bool *frags, struct xdp_program **progp,
                struct bpf_map **mapp)
{
    struct xdp_program *prog;
    struct bpf_map *map;
    int error;

    prog = xdp_program__find_file(XSK_PROG_FILE, NULL, NULL);
    error = -libxdp_get_error(prog);
    if (error) {
        return error;
    }
    map = bpf_object__find_map_by_name(xdp_program__bpf_obj(prog),
                                       "xsks_map");
    if (!map) {
        error = ENOENT;
    } else {
        /* The program never reads the packet, so it is as good with frames
         * in several buffers, and with it a veth peer may have a jumbo
         * MTU. */
        *frags = *frags && !xdp_program__set_xdp_frags_support(prog, true);
        error = -xdp_program__attach(prog, dev->ifindex, mode, 0);
    }
    if (error) {
        xdp_program__close(prog);
        return error;
    }
    *progp = prog;
    *mapp = map;
    return 0;
}

/* Attaches libxdp's redirect program in native or generic (SKB) mode and
 * points its queue 0 at our socket. */
static int
afxdp_attach_prog(struct netdev_afxdp *dev, bool native)
{
    enum xdp_attach_mode mode = native ? XDP_MODE_NATIVE : XDP_MODE_SKB;
    struct xdp_program *prog;
    struct bpf_map *map;
    bool removed;
    int queue = 0;
    int error;

    /* Our bind() succeeded, so no live socket serves queue 0: a redirect
     * program already on the device is a crashed predecessor's, and one of
     * ours beside it (under libxdp's dispatcher) would run second.
     * (libxdp reused it instead; replacing it is as good.) */
    netdev_afxdp_remove_stale_prog(dev->up.name, &removed);

    dev->frags = dev->sg;
    error = afxdp_open_prog(dev, mode, &dev->frags, &prog, &map);
    if (error && dev->frags) {
        /* The device refused a frags program: one without. */
        dev->frags = false;
        error = afxdp_open_prog(dev, mode, &dev->frags, &prog, &map);
    }
    if (error) {
        return error;
    }
    error = -bpf_map_update_elem(bpf_map__fd(map), &queue, &dev->fd, 0);
    if (error) {
        xdp_program__detach(prog, dev->ifindex, mode, 0);
        xdp_program__close(prog);
        return error;
    }
    dev->prog = prog;
    dev->prog_mode = mode;
    return 0;
}

/* Undoes afxdp_create_socket(), however far it got. */
static void
afxdp_close_socket(struct netdev_afxdp *dev)
{
    if (dev->prog) {
        xdp_program__detach(dev->prog, dev->ifindex, dev->prog_mode, 0);
        xdp_program__close(dev->prog);
        dev->prog = NULL;
    }
    for (size_t i = 0; i < ARRAY_SIZE(dev->maps); i++) {
        if (dev->maps[i].addr) {
            munmap(dev->maps[i].addr, dev->maps[i].len);
            dev->maps[i].addr = NULL;
        }
    }
    if (dev->fd >= 0) {
        /* Also deregisters the umem and takes the socket out of the
         * xsks_map. */
        close(dev->fd);
        dev->fd = -1;
    }
}

/* Creates the socket, with the umem and the rings, in one mode. */
static int
afxdp_create_socket(struct netdev_afxdp *dev, bool native, bool zerocopy)
{
    int error;

    dev->fd = socket(AF_XDP, SOCK_RAW | SOCK_CLOEXEC, 0);
    if (dev->fd < 0) {
        return errno;
    }
    if ((error = afxdp_register_umem(dev))
        || (error = afxdp_setup_rings(dev))
        || (error = afxdp_bind(dev, native, zerocopy))
        || (error = afxdp_attach_prog(dev, native))) {
        afxdp_close_socket(dev);
    }
    return error;
}

static bool
afxdp_is_zerocopy(const struct netdev_afxdp *dev)
{
    struct xdp_options opts;
    socklen_t len = sizeof opts;

    return (!getsockopt(dev->fd, SOL_XDP, XDP_OPTIONS, &opts, &len)
            && opts.flags & XDP_OPTIONS_ZEROCOPY);
}

/* Decides who completes checksums on transmit, and says so. */
static void
afxdp_set_tx_csum(struct netdev_afxdp *dev)
{
    static bool warned;

    if (!dev->tx_md_len) {
        dev->tx_csum = "software (the kernel has no AF_XDP TX metadata: "
                       "Linux 6.11 or later needed)";
        if (!warned) {
            warned = true;
            VLOG_WARN("the kernel refused AF_XDP TX metadata: TCP and UDP "
                      "checksums sent through AF_XDP ports are completed "
                      "in software (needs Linux 6.11 or later)");
        }
    } else if (afxdp_is_zerocopy(dev)) {
        /* A zero-copy driver without TX metadata support would ignore
         * the request and send the partial checksum as is. */
        dev->tx_csum = "software (zero-copy mode)";
    } else {
        dev->up.caps |= NETDEV_TX_CSUM;
        dev->tx_csum = "kernel";
    }
    VLOG_INFO("%s: AF_XDP tx checksum offload: %s", dev->up.name,
              dev->tx_csum);
}

static void
afxdp_destroy(struct netdev_afxdp *dev)
{
    if (dev->jumbo) {
        dp_packet_delete(dev->jumbo);
    }
    if (dev->jumbo_pool) {
        dp_packet_pool_destroy(dev->jumbo_pool);
    }
    afxdp_close_socket(dev);
    if (dev->umem_area) {
        munmap(dev->umem_area, (size_t) N_FRAMES * FRAME_SIZE);
    }
    free(dev->packets);
    free(dev->free_frames);
    netdev_uninit(&dev->up);
    free(dev);
}

static int
netdev_afxdp_open(const char *name, const struct shash *options,
                  struct netdev **netdevp, char **errorp)
{
    enum afxdp_mode_request mode;
    struct netdev_afxdp *dev;
    struct rtnl_link link;
    uint32_t idx = 0;
    int error;

    *netdevp = NULL;
    *errorp = NULL;
    netdev_afxdp_quiet_libxdp();
    error = afxdp_parse_mode(name, options, &mode, errorp);
    if (error) {
        return error;
    }
    error = rtnl_link_get_by_name(name, &link);
    if (error) {
        netdev_set_error(errorp, error == ENODEV
                         ? "%s: no such network device"
                         : "%s: cannot query network device (%s)",
                         name, strerror(error));
        return error;
    }

    dev = xzalloc(sizeof *dev);
    netdev_init(&dev->up, &netdev_afxdp_class, name);
    dev->up.caps = NETDEV_RX_PARTIAL_CSUM;
    dev->owner.release = afxdp_release;
    dev->ifindex = link.ifindex;
    dev->fd = -1;
    atomic_flag_clear(&dev->free_lock);

    dev->umem_area = mmap(NULL, (size_t) N_FRAMES * FRAME_SIZE,
                          PROT_READ | PROT_WRITE,
                          MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (dev->umem_area == MAP_FAILED) {
        dev->umem_area = NULL;
        error = errno;
        netdev_set_error(errorp, "%s: cannot allocate umem (%s)", name,
                         strerror(error));
        goto error;
    }

    switch (mode) {
    case AFXDP_BEST_EFFORT:
        error = afxdp_create_socket(dev, true, false);
        dev->mode = "native";
        if (error) {
            int native_error = error;
            error = afxdp_create_socket(dev, false, false);
            dev->mode = "generic";
            if (error) {
                netdev_set_error(errorp, "%s: cannot create AF_XDP socket in "
                                 "native mode (%s) or generic mode (%s)", name,
                                 strerror(native_error), strerror(error));
            }
        }
        break;
    case AFXDP_NATIVE:
    case AFXDP_NATIVE_ZC:
        error = afxdp_create_socket(dev, true, mode == AFXDP_NATIVE_ZC);
        dev->mode = "native";
        break;
    case AFXDP_GENERIC:
        error = afxdp_create_socket(dev, false, false);
        dev->mode = "generic";
        break;
    }
    if (error) {
        if (!*errorp) {
            netdev_set_error(errorp, "%s: cannot create AF_XDP socket in %s%s "
                             "mode (%s)", name, dev->mode,
                             mode == AFXDP_NATIVE_ZC ? " zero-copy" : "",
                             strerror(error));
        }
        goto error;
    }
    if (afxdp_is_zerocopy(dev)) {
        dev->mode = "native-with-zerocopy";
    }
    afxdp_set_tx_csum(dev);
    if (dev->sg && dev->frags) {
        dev->jumbo_pool = dp_packet_pool_create(
            JUMBO_POOL_SIZE, DP_PACKET_HEADROOM + JUMBO_MAX_FRAME);
    }
    dev->jumbo_desc = (dev->jumbo_pool ? "up to MTU 9216 (multi-buffer)"
                       : !dev->sg ? "no: MTU 3822 at most (the kernel or "
                                    "driver has no AF_XDP multi-buffer)"
                       : "no: MTU 3822 at most (the XDP program cannot be "
                         "loaded with frags support)");
    VLOG_INFO("%s: AF_XDP jumbo frames: %s", name, dev->jumbo_desc);

    /* Every frame gets its packet now; none is allocated later. */
    dev->packets = xcalloc(N_FRAMES, sizeof *dev->packets);
    dev->free_frames = xcalloc(N_FRAMES, sizeof *dev->free_frames);
    for (uint32_t i = 0; i < N_FRAMES; i++) {
        struct dp_packet *p = &dev->packets[i];

        p->base = (char *) dev->umem_area + (size_t) i * FRAME_SIZE;
        p->allocated = FRAME_SIZE;
        p->owner = &dev->owner;
        p->owner_data = (uint64_t) i << FRAME_SHIFT;
    }
    /* Half the frames go to the fill ring at once, the rest wait in the
     * free stack for the datapath's packets in flight and for copies. */
    if (xsk_ring_prod__reserve(&dev->fq, RING_SIZE, &idx) != RING_SIZE) {
        error = EPROTO;
        netdev_set_error(errorp, "%s: cannot fill the AF_XDP fill ring", name);
        goto error;
    }
    for (uint32_t i = 0; i < RING_SIZE; i++) {
        *xsk_ring_prod__fill_addr(&dev->fq, idx + i)
            = (uint64_t) i << FRAME_SHIFT;
    }
    xsk_ring_prod__submit(&dev->fq, RING_SIZE);
    for (uint32_t i = N_FRAMES; i > RING_SIZE; i--) {
        dev->free_frames[dev->n_free++] = i - 1;
    }

    *netdevp = &dev->up;
    return 0;

error:
    afxdp_destroy(dev);
    return error;
}

static void
netdev_afxdp_close(struct netdev *netdev)
{
    afxdp_destroy(netdev_afxdp_cast(netdev));
}

static int
netdev_afxdp_rxq_fd(const struct netdev *netdev)
{
    return netdev_afxdp_cast(netdev)->fd;
}

/* Moves free frames to the fill ring, a burst at a time. */
static void
afxdp_refill(struct netdev_afxdp *dev)
{
    uint32_t frames[NETDEV_MAX_BURST];
    size_t want, n;
    uint32_t idx = 0;

    want = xsk_prod_nb_free(&dev->fq, NETDEV_MAX_BURST);
    if (want < NETDEV_MAX_BURST) {
        return;                 /* Plenty queued; refill in bursts. */
    }
    n = free_take(dev, frames, NETDEV_MAX_BURST);
    if (!n) {
        return;
    }
    /* Cannot fail: only this thread produces and we checked the space. */
    xsk_ring_prod__reserve(&dev->fq, n, &idx);
    for (size_t i = 0; i < n; i++) {
        *xsk_ring_prod__fill_addr(&dev->fq, idx + i)
            = (uint64_t) frames[i] << FRAME_SHIFT;
    }
    xsk_ring_prod__submit(&dev->fq, n);
}

/* Frames that send_batch left on the TX ring because the kernel made no
 * progress (a busy device) would wait for the next batch to this port,
 * which may never come; an idle polling round retries them.  This runs in
 * the receiving thread, so it reads only the ring's shared indices, never
 * send_batch's cached ones, and sendto() itself is safe from any thread. */
static void
afxdp_kick_stranded_tx(struct netdev_afxdp *dev)
{
    if (__atomic_load_n(dev->tx.producer, __ATOMIC_ACQUIRE)
        != __atomic_load_n(dev->tx.consumer, __ATOMIC_ACQUIRE)
        && xsk_ring_prod__needs_wakeup(&dev->tx)) {
        sendto(dev->fd, NULL, 0, MSG_DONTWAIT, NULL, 0);
    }
}

/* Adds descriptor 'd' (in umem frame 'p') to the jumbo frame being
 * received, starting one if need be, and gives the umem frame back.
 * Returns the frame once 'd' is its last descriptor and it was taken
 * whole, else NULL. */
static struct dp_packet *
afxdp_rx_jumbo(struct netdev_afxdp *dev, const struct xdp_desc *d,
               struct dp_packet *p)
{
    struct dp_packet *j = dev->jumbo;
    uint32_t frame = p - dev->packets;

    if (!j && !dev->jumbo_drop) {
        if (!dev->jumbo_pool
            || !dp_packet_pool_get(dev->jumbo_pool, &j, 1)) {
            dev->jumbo_drop = true;
        }
        dev->jumbo = j;
    }
    if (j && (size_t) j->data_ofs + j->size + d->len > j->allocated) {
        dp_packet_delete(j);
        dev->jumbo = j = NULL;
        dev->jumbo_drop = true;
    }
    if (j) {
        memcpy((char *) dp_packet_data(j) + j->size,
               (char *) dev->umem_area + xsk_umem__add_offset_to_addr(d->addr),
               d->len);
        j->size += d->len;
    }
    free_put(dev, &frame, 1);
    if (d->options & XDP_PKT_CONTD) {
        return NULL;
    }
    if (dev->jumbo_drop) {
        stat_add(&dev->stats.rx_dropped, 1);
    }
    dev->jumbo = NULL;
    dev->jumbo_drop = false;
    return j;
}

static int
netdev_afxdp_recv_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    uint64_t bytes = 0;
    uint32_t idx = 0, n, i;

    afxdp_refill(dev);
    /* Look at everything there is, so that a jumbo frame's descriptors,
     * which the kernel publishes together, are all seen; what does not
     * fit in the batch stays on the ring. */
    n = xsk_ring_cons__peek(&dev->rx, RING_SIZE, &idx);
    if (!n) {
        if (xsk_ring_prod__needs_wakeup(&dev->fq)) {
            recvfrom(dev->fd, NULL, 0, MSG_DONTWAIT, NULL, NULL);
        }
        afxdp_kick_stranded_tx(dev);
        return EAGAIN;
    }
    for (i = 0; i < n && batch->count < NETDEV_MAX_BURST; i++) {
        const struct xdp_desc *d = xsk_ring_cons__rx_desc(&dev->rx, idx + i);
        uint64_t addr = xsk_umem__extract_addr(d->addr);
        struct dp_packet *p = &dev->packets[addr >> FRAME_SHIFT];

        if (dev->jumbo || dev->jumbo_drop || d->options & XDP_PKT_CONTD) {
            p = afxdp_rx_jumbo(dev, d, p);
            if (!p) {
                continue;
            }
        } else {
            p->data_ofs = addr & (FRAME_SIZE - 1);
            p->size = d->len;
        }
        memset(&p->ol, 0, sizeof p->ol);
        bytes += p->size;
        dp_packet_batch_add(batch, p);
    }
    xsk_ring_cons__cancel(&dev->rx, n - i);
    xsk_ring_cons__release(&dev->rx, i);

    stat_add(&dev->stats.rx_packets, batch->count);
    stat_add(&dev->stats.rx_bytes, bytes);
    return batch->count ? 0 : EAGAIN;
}

/* Returns frames whose transmission completed to the free stack. */
static void
afxdp_reclaim(struct netdev_afxdp *dev)
{
    uint32_t idx = 0, n;

    n = xsk_ring_cons__peek(&dev->cq, RING_SIZE, &idx);
    if (!n) {
        return;
    }
    free_lock(dev);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = *xsk_ring_cons__comp_addr(&dev->cq, idx + i);
        dev->free_frames[dev->n_free++] = addr >> FRAME_SHIFT;
    }
    free_unlock(dev);
    xsk_ring_cons__release(&dev->cq, n);
}

/* Descriptors on the TX ring that the kernel has not consumed yet. */
static uint32_t
afxdp_tx_pending(const struct netdev_afxdp *dev)
{
    return dev->tx.cached_prod - __atomic_load_n(dev->tx.consumer,
                                                 __ATOMIC_ACQUIRE);
}

/* Makes the kernel transmit what is on the TX ring.  In copy mode (every
 * veth: no zero-copy) the frames go out only inside sendto(), at most 32
 * per call (the kernel's TX_BATCH_SIZE), and nothing else ever picks up
 * the rest: left on the ring, they would wait for the next batch to this
 * port, which under TCP may be an RTT away, and stall the flow.  So kick
 * until the ring is empty or the kernel stops making progress (a full
 * device queue or completion ring: retried with the next batch). */
static int
afxdp_kick_tx(struct netdev_afxdp *dev)
{
    uint32_t pending = afxdp_tx_pending(dev);

    while (pending && xsk_ring_prod__needs_wakeup(&dev->tx)) {
        uint32_t before = pending;

        if (sendto(dev->fd, NULL, 0, MSG_DONTWAIT, NULL, 0) < 0
            && errno != EAGAIN && errno != EBUSY && errno != ENOBUFS) {
            return errno == ENETDOWN ? 0 : errno;
        }
        pending = afxdp_tx_pending(dev);
        if (pending >= before) {
            break;
        }
    }
    return 0;
}

/* True if 'p' can go onto the TX ring in its own frame: it is in our umem,
 * with the TX metadata room in front of it that the kernel checks for in
 * every descriptor (a frame pushed that far forward is copied instead). */
static bool
afxdp_tx_in_place(const struct netdev_afxdp *dev, const struct dp_packet *p)
{
    return p->owner == &dev->owner && p->data_ofs >= dev->tx_md_len;
}

/* For a packet marked NEEDS_CSUM: true if the kernel can complete its
 * checksum (it refuses, and stops transmitting, on offsets outside the
 * frame: csum_complete() gets those, and rejects them). */
static bool
afxdp_tx_csum_offloadable(const struct netdev_afxdp *dev,
                          const struct dp_packet *p)
{
    return (dev->up.caps & NETDEV_TX_CSUM
            && (uint32_t) p->ol.csum_start + p->ol.csum_offset + 2
               <= p->size);
}

/* Asks the kernel, through the TX metadata just before the data at umem
 * address 'addr', to complete the checksum that 'p' describes.  csum_start
 * counts from the start of the frame as it goes out, as the data does: a
 * VLAN tag pushed or popped has already moved it (vlan.c). */
static void
afxdp_tx_request_csum(struct netdev_afxdp *dev, uint64_t addr,
                      const struct dp_packet *p)
{
    struct afxdp_tx_metadata md = {
        .flags = XDP_TXMD_FLAGS_CHECKSUM,
        .request = {
            .csum_start = p->ol.csum_start,
            .csum_offset = p->ol.csum_offset,
        },
    };

    /* Only 4-byte aligned after a VLAN push: memcpy, not a store. */
    memcpy((char *) dev->umem_area + addr - TX_MD_LEN, &md, sizeof md);
}

/* Umem frames (and descriptors) packet 'p' needs on the TX ring: 0 if it
 * goes in its own frame, 1 for a copy into one frame, more for a jumbo
 * frame (only with multi-buffer), UINT32_MAX if it cannot go at all. */
static uint32_t
afxdp_tx_frames(const struct netdev_afxdp *dev, const struct dp_packet *p)
{
    if (p->size <= FRAME_SIZE - TX_HEADROOM) {
        return afxdp_tx_in_place(dev, p) ? 0 : 1;
    }
    if (!dev->jumbo_pool || p->size > JUMBO_MAX_FRAME) {
        return UINT32_MAX;
    }
    return (p->size + MAX_FRAME_LEN - 1) / MAX_FRAME_LEN;
}

static int
netdev_afxdp_send_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    struct dp_packet *done[NETDEV_MAX_BURST];  /* To release now. */
    uint32_t frames[NETDEV_MAX_BURST * JUMBO_MAX_DESCS];
    size_t n_done = 0, n_copies = 0, n_frames, used_frames = 0;
    uint64_t packets = 0, bytes = 0, dropped = 0;
    uint32_t idx = 0, room, sent = 0, n_descs = 0;
    int error = 0;

    afxdp_reclaim(dev);

    /* Frames for the packets that are not in our umem, and ring space for
     * as many packets as can go: whatever does not fit is dropped, like a
     * NIC with a full queue would. */
    for (size_t i = 0; i < batch->count; i++) {
        uint32_t k = afxdp_tx_frames(dev, batch->packets[i]);

        if (k != UINT32_MAX) {
            n_copies += k;
            n_descs += MAX(k, 1);
        }
    }
    n_frames = free_take(dev, frames, n_copies);
    room = xsk_prod_nb_free(&dev->tx, n_descs);
    room = MIN(room, n_descs);
    if (room) {
        xsk_ring_prod__reserve(&dev->tx, room, &idx);
    }

    for (size_t i = 0; i < batch->count; i++) {
        struct dp_packet *p = batch->packets[i];
        uint32_t k = afxdp_tx_frames(dev, p);
        bool offload = false;
        struct xdp_desc *d;
        uint64_t addr;

        if (k == UINT32_MAX || sent + MAX(k, 1) > room
            || used_frames + k > n_frames) {
            dropped++;
            done[n_done++] = p;
            continue;
        }
        if (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM) {
            /* A jumbo frame's checksum is done here: the kernel takes TX
             * metadata from a frame's first descriptor, and this keeps
             * the rare case simple. */
            offload = k <= 1 && afxdp_tx_csum_offloadable(dev, p);
            if (!offload && csum_complete(p)) {
                dropped++;
                done[n_done++] = p;
                continue;
            }
        }
        if (!k) {
            /* The frame itself goes out and comes back through the
             * completion ring. */
            addr = p->owner_data + p->data_ofs;
            d = xsk_ring_prod__tx_desc(&dev->tx, idx + sent++);
            d->addr = addr;
            d->len = p->size;
            d->options = 0;
        } else {
            const char *data = dp_packet_data(p);
            uint32_t left = p->size;

            for (uint32_t j = 0; j < k; j++) {
                uint32_t len = MIN(left, MAX_FRAME_LEN);

                addr = ((uint64_t) frames[used_frames++] << FRAME_SHIFT)
                       + TX_HEADROOM;
                memcpy((char *) dev->umem_area + addr, data, len);
                d = xsk_ring_prod__tx_desc(&dev->tx, idx + sent++);
                d->addr = addr;
                d->len = len;
                d->options = j + 1 < k ? XDP_PKT_CONTD : 0;
                data += len;
                left -= len;
            }
            done[n_done++] = p;
        }
        if (offload) {
            /* k <= 1: 'addr' is the packet's only descriptor. */
            afxdp_tx_request_csum(dev, addr, p);
            d->options = XDP_TX_METADATA;
        }
        packets++;
        bytes += p->size;
    }

    if (sent < room) {
        /* Give back descriptors reserved for packets that were dropped.
         * libxdp has no "cancel" for a producer ring; its cached producer
         * index is ours alone to move back (nothing was submitted). */
        dev->tx.cached_prod -= room - sent;
    }
    free_put(dev, frames + used_frames, n_frames - used_frames);
    if (sent) {
        xsk_ring_prod__submit(&dev->tx, sent);
        error = afxdp_kick_tx(dev);
    }
    dp_packet_delete_array(done, n_done);
    batch->count = 0;

    stat_add(&dev->stats.tx_packets, packets);
    stat_add(&dev->stats.tx_bytes, bytes);
    stat_add(&dev->stats.tx_dropped, dropped);
    return error ? error : dropped ? ENOBUFS : 0;
}

static void
netdev_afxdp_get_stats(const struct netdev *netdev,
                       struct netdev_stats *stats)
{
    const struct netdev_afxdp *dev = netdev_afxdp_cast(netdev);
    const struct netdev_stats *s = &dev->stats;
    struct xdp_statistics xs;
    socklen_t len = sizeof xs;

#define LOAD(FIELD) stats->FIELD = __atomic_load_n(&s->FIELD, __ATOMIC_RELAXED)
    LOAD(rx_packets); LOAD(rx_bytes); LOAD(rx_dropped); LOAD(rx_errors);
    LOAD(tx_packets); LOAD(tx_bytes); LOAD(tx_dropped); LOAD(tx_errors);
#undef LOAD
    /* What the kernel dropped before we saw it. */
    if (!getsockopt(dev->fd, SOL_XDP, XDP_STATISTICS, &xs, &len)) {
        stats->rx_dropped += (xs.rx_dropped + xs.rx_ring_full
                              + xs.rx_fill_ring_empty_descs);
        stats->rx_errors += xs.rx_invalid_descs;
        stats->tx_errors += xs.tx_invalid_descs;
    }
}

static int
afxdp_query(const struct netdev_afxdp *dev, struct rtnl_link *link)
{
    return rtnl_link_get_by_index(dev->ifindex, link);
}

static int
netdev_afxdp_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct rtnl_link link;
    int error = afxdp_query(netdev_afxdp_cast(netdev), &link);

    if (!error) {
        memcpy(mac->ea, link.mac, ETH_ADDR_LEN);
    }
    return error;
}

static int
netdev_afxdp_get_ifindex(const struct netdev *netdev, int *ifindex)
{
    *ifindex = netdev_afxdp_cast(netdev)->ifindex;
    return 0;
}

static int
netdev_afxdp_get_mtu(const struct netdev *netdev, int *mtu)
{
    struct rtnl_link link;
    int error = afxdp_query(netdev_afxdp_cast(netdev), &link);

    *mtu = error ? 0 : (int) link.mtu;
    return error;
}

static int
netdev_afxdp_get_link_state(const struct netdev *netdev, bool *up)
{
    struct rtnl_link link;
    int error = afxdp_query(netdev_afxdp_cast(netdev), &link);

    *up = !error && rtnl_link_is_up(&link);
    return error;
}

static const char *
netdev_afxdp_get_mode(const struct netdev *netdev)
{
    return netdev_afxdp_cast(netdev)->mode;
}

const char *
netdev_afxdp_get_tx_csum(const struct netdev *netdev)
{
    return netdev_afxdp_cast(netdev)->tx_csum;
}

const char *
netdev_afxdp_get_jumbo(const struct netdev *netdev)
{
    return netdev_afxdp_cast(netdev)->jumbo_desc;
}

static int
netdev_afxdp_get_max_mtu(const struct netdev *netdev)
{
    return netdev_afxdp_cast(netdev)->jumbo_pool ? JUMBO_MAX_MTU : MAX_MTU;
}

const struct netdev_class netdev_afxdp_class = {
    .type = "afxdp",
    .open = netdev_afxdp_open,
    .close = netdev_afxdp_close,
    .rxq_fd = netdev_afxdp_rxq_fd,
    .recv_batch = netdev_afxdp_recv_batch,
    .send_batch = netdev_afxdp_send_batch,
    .get_stats = netdev_afxdp_get_stats,
    .get_etheraddr = netdev_afxdp_get_etheraddr,
    .get_ifindex = netdev_afxdp_get_ifindex,
    .get_mtu = netdev_afxdp_get_mtu,
    .get_link_state = netdev_afxdp_get_link_state,
    .get_mode = netdev_afxdp_get_mode,
    .get_max_mtu = netdev_afxdp_get_max_mtu,
};

int
netdev_afxdp_remove_stale_prog(const char *name, bool *removed)
{
    struct xdp_multiprog *mp;
    struct rtnl_link link;
    int error;

    *removed = false;
    netdev_afxdp_quiet_libxdp();
    error = rtnl_link_get_by_name(name, &link);
    if (error) {
        return error;
    }
    mp = xdp_multiprog__get_from_ifindex(link.ifindex);
    error = libxdp_get_error(mp);
    if (error || !mp) {
        /* ENOENT: no program at all, nothing to do. */
        return error == -ENOENT || !mp ? 0 : -error;
    }

    /* Only libxdp's AF_XDP redirect program, alone or under a dispatcher,
     * is ours to remove: anything else was put there by someone else. */
    const struct xdp_program *main_prog = xdp_multiprog__main_prog(mp);
    bool ours = false;
    if (xdp_multiprog__is_legacy(mp)) {
        ours = main_prog && !strcmp(xdp_program__name(main_prog),
                                    "xsk_def_prog");
    } else {
        struct xdp_program *prog = NULL;
        ours = xdp_multiprog__program_count(mp) > 0;
        while ((prog = xdp_multiprog__next_prog(prog, mp)) != NULL) {
            ours &= !strcmp(xdp_program__name(prog), "xsk_def_prog");
        }
    }
    if (ours) {
        error = -xdp_multiprog__detach(mp);
        *removed = !error;
    }
    xdp_multiprog__close(mp);
    return error;
}
