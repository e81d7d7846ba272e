/* xsk-fwd: the thinnest AF_XDP forwarder between two network devices, a
 * measuring instrument for bench/switch-bench.sh.
 *
 *     xsk-fwd IFACE_A IFACE_B [--mode native|generic] [--spin]
 *
 * What it is for: the ceiling of any AF_XDP userspace switch on a machine.
 * Whatever a switch does per frame (parsing, learning, lookups, checksums,
 * batching policy), it still receives through an AF_XDP socket and
 * transmits through another; on a veth in copy mode the kernel's share of
 * that (the XDP redirect on receive, the copy and the peer namespace's
 * whole stack inside sendto() on transmit) is the same for every switch.
 * This program pays that share and next to nothing else, so the rate it
 * reaches is the most any AF_XDP switch can reach here.
 *
 * What it deliberately omits: parsing, MAC learning, flooding, VLANs,
 * checksum completion (frames go out exactly as they came in: run it with
 * `ethtool -K DEV tx off` on the peers, as Open vSwitch's AF_XDP ports
 * need), statistics beyond two counters, more than one queue or thread,
 * and CPU pinning.
 *
 * How: both sockets share one umem (XDP_SHARED_UMEM), so forwarding is a
 * descriptor handed from one socket's RX ring to the other's TX ring, with
 * no copy in userspace.  Each direction's frames circulate in a closed
 * loop, A's fill ring -> A's RX -> B's TX -> B's completion ring -> A's
 * fill ring (and the mirror image), with as many frames as one ring holds,
 * so no ring can overflow and no frame is ever looked for.  One thread
 * polls both sockets; with --spin it never sleeps (like Open vSwitch's PMD
 * threads), without it waits in poll(2) when a round found nothing.
 * SIGINT and SIGTERM end it cleanly: deleting the sockets detaches the XDP
 * program libxdp attached. */
#include <errno.h>
#include <linux/if_link.h>
#include <linux/if_xdp.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <time.h>
#include <bpf/libbpf.h>
#include <xdp/libxdp.h>
#include <xdp/xsk.h>

#define FRAME_SIZE XSK_UMEM__DEFAULT_FRAME_SIZE        /* 4096 */
#define FRAME_OFFSET ((uint64_t) FRAME_SIZE - 1)       /* addr within frame */
#define RING_SIZE XSK_RING_CONS__DEFAULT_NUM_DESCS     /* 2048 */
#define N_FRAMES (2 * RING_SIZE)                       /* one loop each */
#define BATCH 64

struct port {
    const char *name;
    struct xsk_socket *xsk;
    struct xsk_ring_cons rx;
    struct xsk_ring_prod tx;
    struct xsk_ring_prod fq;
    struct xsk_ring_cons cq;
    unsigned long long forwarded;   /* Frames received here and sent on. */
};

static volatile sig_atomic_t stop;

static void
on_signal(int sig)
{
    (void) sig;
    stop = 1;
}

/* libbpf and libxdp narrate every program they load at their INFO level
 * (unknown ELF sections, the fallback from the dispatcher when there is no
 * bpffs): keep their warnings only. */
static int
print_bpf_warning(enum libbpf_print_level level, const char *format,
                  va_list args)
{
    return level == LIBBPF_WARN ? vfprintf(stderr, format, args) : 0;
}

static int
print_xdp_warning(enum libxdp_print_level level, const char *format,
                  va_list args)
{
    return level == LIBXDP_WARN ? vfprintf(stderr, format, args) : 0;
}

/* Creates port 'p''s socket on queue 0.  A socket just closed on the same
 * device (a previous run) is released by the kernel a little later, so
 * EBUSY is retried for up to a second. */
static int
port_open(struct port *p, struct xsk_umem *umem,
          const struct xsk_socket_config *cfg)
{
    int error;

    for (int attempt = 0; ; attempt++) {
        error = -xsk_socket__create_shared(&p->xsk, p->name, 0, umem,
                                           &p->rx, &p->tx, &p->fq, &p->cq,
                                           cfg);
        if (error != EBUSY || attempt >= 20) {
            break;
        }
        nanosleep(&(struct timespec) { 0, 50 * 1000 * 1000 }, NULL);
    }
    if (error) {
        p->xsk = NULL;
    }
    return error;
}

static void
usage(void)
{
    fprintf(stderr, "usage: xsk-fwd IFACE_A IFACE_B [--mode native|generic] "
            "[--spin]\n"
            "Forwards every frame between IFACE_A and IFACE_B through two "
            "AF_XDP sockets\n(root; see the comment at the top of "
            "bench/xsk-fwd.c).\n");
    exit(2);
}

/* Returns the frames 'out' finished transmitting to the fill ring of 'in',
 * where they came from. */
static void
recycle(struct port *in, struct port *out)
{
    uint32_t ci = 0, fi = 0;
    uint32_t n = xsk_ring_cons__peek(&out->cq, BATCH, &ci);

    if (!n) {
        return;
    }
    /* Cannot fail: the loop holds no more frames than the fill ring. */
    xsk_ring_prod__reserve(&in->fq, n, &fi);
    for (uint32_t i = 0; i < n; i++) {
        uint64_t addr = *xsk_ring_cons__comp_addr(&out->cq, ci + i);

        /* The kernel completes the address as sent (frame + headroom);
         * the fill ring wants the frame's start. */
        *xsk_ring_prod__fill_addr(&in->fq, fi + i) = addr & ~FRAME_OFFSET;
    }
    xsk_ring_prod__submit(&in->fq, n);
    xsk_ring_cons__release(&out->cq, n);
}

/* Moves one RX batch of 'in' to the TX ring of 'out' and makes the kernel
 * transmit whatever 'out' has queued.  Returns the number of frames moved
 * or still waiting to go out (0: nothing to do in this direction). */
static uint32_t
forward(struct port *in, struct port *out)
{
    uint32_t ri = 0, ti = 0, n, pending;

    recycle(in, out);
    n = xsk_ring_cons__peek(&in->rx, BATCH, &ri);
    if (n) {
        /* Cannot fail either: the TX ring holds the whole loop. */
        xsk_ring_prod__reserve(&out->tx, n, &ti);
        for (uint32_t i = 0; i < n; i++) {
            *xsk_ring_prod__tx_desc(&out->tx, ti + i)
                = *xsk_ring_cons__rx_desc(&in->rx, ri + i);
        }
        xsk_ring_prod__submit(&out->tx, n);
        xsk_ring_cons__release(&in->rx, n);
        in->forwarded += n;
    } else if (xsk_ring_prod__needs_wakeup(&in->fq)) {
        recvfrom(xsk_socket__fd(in->xsk), NULL, 0, MSG_DONTWAIT, NULL, NULL);
    }

    /* In copy mode frames leave only inside sendto(), at most 32 per call
     * (the kernel's TX_BATCH_SIZE): one kick per round, and the next round
     * kicks again for the rest, so nothing waits for more traffic. */
    pending = out->tx.cached_prod - __atomic_load_n(out->tx.consumer,
                                                    __ATOMIC_ACQUIRE);
    if (pending && xsk_ring_prod__needs_wakeup(&out->tx)) {
        sendto(xsk_socket__fd(out->xsk), NULL, 0, MSG_DONTWAIT, NULL, 0);
    }
    return n + pending;
}

int
main(int argc, char *argv[])
{
    struct xsk_umem_config ucfg = {
        .fill_size = RING_SIZE,
        .comp_size = RING_SIZE,
        .frame_size = FRAME_SIZE,
        .frame_headroom = 0,
    };
    struct xsk_socket_config cfg = {
        .rx_size = RING_SIZE,
        .tx_size = RING_SIZE,
        .xdp_flags = XDP_FLAGS_DRV_MODE,
        .bind_flags = XDP_USE_NEED_WAKEUP,
    };
    struct port ports[2] = { { .name = NULL }, { .name = NULL } };
    struct xsk_umem *umem = NULL;
    const char *mode = "native";
    size_t umem_len = (size_t) N_FRAMES * FRAME_SIZE;
    bool spin = false;
    int n_names = 0, error, status = 1;
    void *area;

    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--spin")) {
            spin = true;
        } else if (!strcmp(argv[i], "--mode") && i + 1 < argc) {
            mode = argv[++i];
            if (!strcmp(mode, "generic")) {
                cfg.xdp_flags = XDP_FLAGS_SKB_MODE;
                cfg.bind_flags |= XDP_COPY;
            } else if (strcmp(mode, "native")) {
                fprintf(stderr, "xsk-fwd: unknown mode \"%s\" (expected "
                        "native or generic)\n", mode);
                usage();
            }
        } else if (argv[i][0] != '-' && n_names < 2) {
            ports[n_names++].name = argv[i];
        } else {
            usage();
        }
    }
    if (n_names != 2) {
        usage();
    }
    for (int i = 0; i < 2; i++) {
        if (!if_nametoindex(ports[i].name)) {
            fprintf(stderr, "xsk-fwd: %s: %s\n", ports[i].name,
                    strerror(errno));
            return 1;
        }
    }

    libbpf_set_print(print_bpf_warning);
    libxdp_set_print(print_xdp_warning);
    area = mmap(NULL, umem_len, PROT_READ | PROT_WRITE,
                MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (area == MAP_FAILED) {
        fprintf(stderr, "xsk-fwd: cannot allocate umem: %s\n",
                strerror(errno));
        return 1;
    }
    /* The umem's own fill and completion rings become port A's. */
    error = -xsk_umem__create(&umem, area, umem_len, &ports[0].fq,
                              &ports[0].cq, &ucfg);
    if (error) {
        fprintf(stderr, "xsk-fwd: cannot register umem: %s\n",
                strerror(error));
        umem = NULL;
        goto out;
    }
    for (int i = 0; i < 2; i++) {
        struct port *p = &ports[i];

        error = port_open(p, umem, &cfg);
        if (error) {
            fprintf(stderr, "xsk-fwd: %s: cannot create AF_XDP socket in %s "
                    "mode: %s\n", p->name, mode, strerror(error));
            goto out;
        }
    }
    /* Half the frames for each direction's loop, all on its fill ring. */
    for (int i = 0; i < 2; i++) {
        uint32_t idx = 0;

        if (xsk_ring_prod__reserve(&ports[i].fq, RING_SIZE, &idx)
            != RING_SIZE) {
            fprintf(stderr, "xsk-fwd: %s: cannot fill the fill ring\n",
                    ports[i].name);
            goto out;
        }
        for (uint32_t j = 0; j < RING_SIZE; j++) {
            *xsk_ring_prod__fill_addr(&ports[i].fq, idx + j)
                = (uint64_t) (i * RING_SIZE + j) * FRAME_SIZE;
        }
        xsk_ring_prod__submit(&ports[i].fq, RING_SIZE);
    }

    /* No SA_RESTART: a signal must end a poll(2) in progress. */
    struct sigaction sa = { .sa_handler = on_signal };
    sigaction(SIGINT, &sa, NULL);
    sigaction(SIGTERM, &sa, NULL);
    fprintf(stderr, "xsk-fwd: forwarding between %s and %s (%s mode%s)\n",
            ports[0].name, ports[1].name, mode, spin ? ", spinning" : "");

    while (!stop) {
        uint32_t busy = forward(&ports[0], &ports[1]);

        busy += forward(&ports[1], &ports[0]);
        if (!busy && !spin) {
            struct pollfd pfds[2] = {
                { .fd = xsk_socket__fd(ports[0].xsk), .events = POLLIN },
                { .fd = xsk_socket__fd(ports[1].xsk), .events = POLLIN },
            };

            /* Bounded, so that a signal just before the call still ends
             * the program soon. */
            poll(pfds, 2, 100);
        }
    }
    fprintf(stderr, "xsk-fwd: %s -> %s: %llu frames, %s -> %s: %llu frames\n",
            ports[0].name, ports[1].name, ports[0].forwarded,
            ports[1].name, ports[0].name, ports[1].forwarded);
    status = 0;

out:
    for (int i = 0; i < 2; i++) {
        if (ports[i].xsk) {
            xsk_socket__delete(ports[i].xsk);
        }
    }
    if (umem) {
        xsk_umem__delete(umem);
    }
    munmap(area, umem_len);
    return status;
}
