/* netdev-afpacket.c: system ports through AF_PACKET (see
 * netdev-afpacket.h). */
#include <config.h>

#include "netdev-afpacket.h"

#include <arpa/inet.h>
#include <errno.h>
#include <linux/if_ether.h>
#include <linux/if_packet.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netdev.h"
#include "rtnl.h"
#include "shash.h"
#include "util.h"

#define VNET_HDR_LEN ((int) sizeof(struct virtio_net_hdr))
#define POOL_SIZE (3 * NETDEV_MAX_BURST)
#define VLAN_HLEN 4

struct netdev_afpacket {
    struct netdev up;
    int fd;                     /* Bound, nonblocking packet socket. */
    int ifindex;
    struct dp_packet_pool *pool;    /* Owned; large buffers. */

    /* recv_batch's own state: packets ready for the next recvmmsg() and its
     * message headers, kept here so that nothing is set up per call. */
    struct dp_packet *stash[NETDEV_MAX_BURST];
    size_t n_stash;
    struct mmsghdr rx_msgs[NETDEV_MAX_BURST];
    struct iovec rx_iovs[NETDEV_MAX_BURST];
    union {
        struct cmsghdr align;
        char buf[CMSG_SPACE(sizeof(struct tpacket_auxdata))];
    } rx_cmsgs[NETDEV_MAX_BURST];

    /* send_batch's own state. */
    struct mmsghdr tx_msgs[NETDEV_MAX_BURST];
    struct iovec tx_iovs[NETDEV_MAX_BURST][2];
    struct virtio_net_hdr tx_vnet[NETDEV_MAX_BURST];

    struct netdev_stats stats;      /* Relaxed atomics. */
    uint64_t kernel_drops;          /* get_stats only (control thread). */
};

static struct netdev_afpacket *
netdev_afpacket_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_afpacket, up);
}

static void
stat_add(uint64_t *counter, uint64_t n)
{
    if (n) {
        __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
    }
}

static int
afpacket_setsockopt(int fd, int level, int option, int value,
                    const char *what, const char *name, char **errorp)
{
    if (setsockopt(fd, level, option, &value, sizeof value) < 0) {
        int error = errno;
        netdev_set_error(errorp, "%s: cannot set %s on packet socket (%s)",
                         name, what, strerror(error));
        return error;
    }
    return 0;
}

static int
afpacket_socket_open(const char *name, int ifindex, int *fdp, char **errorp)
{
    struct sockaddr_ll sll = {
        .sll_family = AF_PACKET,
        .sll_protocol = htons(ETH_P_ALL),
        .sll_ifindex = ifindex,
    };
    struct packet_mreq mreq = {
        .mr_ifindex = ifindex,
        .mr_type = PACKET_MR_PROMISC,
    };
    int error, fd;

    /* Protocol 0 until bound: otherwise the socket would queue frames from
     * every device between socket() and bind(). */
    fd = socket(AF_PACKET, SOCK_RAW | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    if (fd < 0) {
        error = errno;
        netdev_set_error(errorp, "%s: cannot create packet socket (%s)", name,
                         strerror(error));
        return error;
    }
    if ((error = afpacket_setsockopt(fd, SOL_PACKET, PACKET_VNET_HDR, 1,
                                     "PACKET_VNET_HDR", name, errorp))
        || (error = afpacket_setsockopt(fd, SOL_PACKET, PACKET_AUXDATA, 1,
                                        "PACKET_AUXDATA", name, errorp))
        || (error = afpacket_setsockopt(fd, SOL_PACKET,
                                        PACKET_IGNORE_OUTGOING, 1,
                                        "PACKET_IGNORE_OUTGOING", name,
                                        errorp))) {
        goto error;
    }
    /* A bigger receive buffer absorbs bursts while the forwarding thread is
     * busy; failing to get it is not fatal. */
    int rcvbuf = 4 * 1024 * 1024;
    setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &rcvbuf, sizeof rcvbuf);

    if (bind(fd, (struct sockaddr *) &sll, sizeof sll) < 0) {
        error = errno;
        netdev_set_error(errorp, "%s: cannot bind packet socket (%s)", name,
                         strerror(error));
        goto error;
    }
    if (setsockopt(fd, SOL_PACKET, PACKET_ADD_MEMBERSHIP, &mreq,
                   sizeof mreq) < 0) {
        error = errno;
        netdev_set_error(errorp, "%s: cannot enable promiscuous mode (%s)",
                         name, strerror(error));
        goto error;
    }
    *fdp = fd;
    return 0;

error:
    close(fd);
    return error;
}

static int
netdev_afpacket_open(const char *name, const struct shash *options OVS_UNUSED,
                     struct netdev **netdevp, char **errorp)
{
    struct netdev_afpacket *dev;
    struct rtnl_link link;
    int error, fd = -1;

    *netdevp = NULL;
    *errorp = NULL;
    error = rtnl_link_get_by_name(name, &link);
    if (error) {
        netdev_set_error(errorp, error == ENODEV
                         ? "%s: no such network device"
                         : "%s: cannot query network device (%s)",
                         name, strerror(error));
        return error;
    }
    error = afpacket_socket_open(name, link.ifindex, &fd, errorp);
    if (error) {
        return error;
    }

    dev = xzalloc(sizeof *dev);
    netdev_init(&dev->up, &netdev_afpacket_class, name);
    dev->up.caps = NETDEV_TX_CSUM | NETDEV_TX_TSO;
    dev->fd = fd;
    dev->ifindex = link.ifindex;
    dev->pool = dp_packet_pool_create(POOL_SIZE, DP_PACKET_LARGE_BUF);
    for (size_t i = 0; i < NETDEV_MAX_BURST; i++) {
        struct msghdr *rx = &dev->rx_msgs[i].msg_hdr;
        struct msghdr *tx = &dev->tx_msgs[i].msg_hdr;

        rx->msg_iov = &dev->rx_iovs[i];
        rx->msg_iovlen = 1;
        tx->msg_iov = dev->tx_iovs[i];
        tx->msg_iovlen = 2;
        dev->tx_iovs[i][0].iov_base = &dev->tx_vnet[i];
        dev->tx_iovs[i][0].iov_len = VNET_HDR_LEN;
    }
    *netdevp = &dev->up;
    return 0;
}

static void
netdev_afpacket_close(struct netdev *netdev)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);

    dp_packet_delete_array(dev->stash, dev->n_stash);
    close(dev->fd);
    dp_packet_pool_destroy(dev->pool);
    netdev_uninit(&dev->up);
    free(dev);
}

static int
netdev_afpacket_rxq_fd(const struct netdev *netdev)
{
    return netdev_afpacket_cast(netdev)->fd;
}

/* The device (or veth) took the 802.1Q tag out of the frame into metadata;
 * put it back where a bridge expects it.  Returns false if there is no
 * headroom, which pool packets always have. */
static bool
afpacket_restore_vlan(struct dp_packet *p, const struct tpacket_auxdata *aux)
{
    uint16_t tpid = (aux->tp_status & TP_STATUS_VLAN_TPID_VALID
                     ? aux->tp_vlan_tpid : ETH_P_8021Q);
    uint16_t tag[2] = { htons(tpid), htons(aux->tp_vlan_tci) };
    uint8_t *data;

    if (dp_packet_headroom(p) < VLAN_HLEN || p->size < 12) {
        return false;
    }
    data = dp_packet_push_uninit(p, VLAN_HLEN);
    memmove(data, data + VLAN_HLEN, 12);
    memcpy(data + 12, tag, VLAN_HLEN);
    if (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM) {
        p->ol.csum_start += VLAN_HLEN;
    }
    if (p->ol.hdr_len) {
        p->ol.hdr_len += VLAN_HLEN;
    }
    return true;
}

static const struct tpacket_auxdata *
afpacket_auxdata(const struct msghdr *msg)
{
    for (struct cmsghdr *c = CMSG_FIRSTHDR(msg); c;
         c = CMSG_NXTHDR((struct msghdr *) msg, c)) {
        if (c->cmsg_level == SOL_PACKET && c->cmsg_type == PACKET_AUXDATA
            && c->cmsg_len >= CMSG_LEN(sizeof(struct tpacket_auxdata))) {
            return (const struct tpacket_auxdata *) CMSG_DATA(c);
        }
    }
    return NULL;
}

static int
netdev_afpacket_recv_batch(struct netdev *netdev,
                           struct dp_packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    uint64_t bytes = 0, errors = 0;
    size_t n_stash;
    int n;

    if (dev->n_stash < NETDEV_MAX_BURST) {
        dev->n_stash += dp_packet_pool_get(dev->pool,
                                           dev->stash + dev->n_stash,
                                           NETDEV_MAX_BURST - dev->n_stash);
    }
    n_stash = dev->n_stash;
    if (!n_stash) {
        return EAGAIN;          /* Frames wait in the socket meanwhile. */
    }

    /* The vnet header lands in the headroom, just before the frame. */
    for (size_t i = 0; i < n_stash; i++) {
        struct dp_packet *p = dev->stash[i];
        struct msghdr *msg = &dev->rx_msgs[i].msg_hdr;

        dev->rx_iovs[i].iov_base = (char *) dp_packet_data(p) - VNET_HDR_LEN;
        dev->rx_iovs[i].iov_len = (p->allocated - p->data_ofs
                                   + VNET_HDR_LEN);
        msg->msg_control = dev->rx_cmsgs[i].buf;
        msg->msg_controllen = sizeof dev->rx_cmsgs[i].buf;
        msg->msg_flags = 0;
    }
    do {
        n = recvmmsg(dev->fd, dev->rx_msgs, n_stash, MSG_DONTWAIT, NULL);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == EAGAIN) {
            return EAGAIN;
        }
        stat_add(&dev->stats.rx_errors, 1);
        return errno;
    }

    /* Received packets leave the stash; the rest stay for next time. */
    size_t kept = 0;
    for (int i = 0; i < n; i++) {
        struct dp_packet *p = dev->stash[i];
        const struct msghdr *msg = &dev->rx_msgs[i].msg_hdr;
        unsigned int len = dev->rx_msgs[i].msg_len;
        const struct tpacket_auxdata *aux = afpacket_auxdata(msg);
        struct virtio_net_hdr vh;

        memcpy(&vh, (char *) dp_packet_data(p) - VNET_HDR_LEN, sizeof vh);
        if (msg->msg_flags & MSG_TRUNC || len < VNET_HDR_LEN + 14) {
            errors++;
            dev->stash[kept++] = p;
            continue;
        }
        p->size = len - VNET_HDR_LEN;
        p->ol.flags = vh.flags;
        p->ol.gso_type = vh.gso_type;
        p->ol.hdr_len = vh.hdr_len;
        p->ol.gso_size = vh.gso_size;
        p->ol.csum_start = vh.csum_start;
        p->ol.csum_offset = vh.csum_offset;
        if (aux && aux->tp_status & TP_STATUS_VLAN_VALID) {
            afpacket_restore_vlan(p, aux);
        }
        if (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM
            && (uint32_t) p->ol.csum_start + p->ol.csum_offset + 2
               > p->size) {
            errors++;
            dp_packet_reset(p, DP_PACKET_HEADROOM);
            dev->stash[kept++] = p;
            continue;
        }
        bytes += p->size;
        dp_packet_batch_add(batch, p);
    }
    memmove(&dev->stash[kept], &dev->stash[n],
            (n_stash - n) * sizeof dev->stash[0]);
    dev->n_stash = kept + (n_stash - n);

    stat_add(&dev->stats.rx_packets, batch->count);
    stat_add(&dev->stats.rx_bytes, bytes);
    stat_add(&dev->stats.rx_errors, errors);
    return batch->count ? 0 : EAGAIN;
}

static int
netdev_afpacket_send_batch(struct netdev *netdev,
                           struct dp_packet_batch *batch)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    uint64_t bytes = 0, dropped = 0, errors = 0;
    size_t n = batch->count, done = 0;
    int first_error = 0;

    for (size_t i = 0; i < n; i++) {
        const struct dp_packet *p = batch->packets[i];
        struct virtio_net_hdr *vh = &dev->tx_vnet[i];

        vh->flags = p->ol.flags & DP_PACKET_OL_NEEDS_CSUM;
        vh->gso_type = p->ol.gso_type;
        vh->hdr_len = p->ol.hdr_len;
        vh->gso_size = p->ol.gso_size;
        vh->csum_start = p->ol.csum_start;
        vh->csum_offset = p->ol.csum_offset;
        dev->tx_iovs[i][1].iov_base = dp_packet_data(p);
        dev->tx_iovs[i][1].iov_len = p->size;
        bytes += p->size;
    }

    while (done < n) {
        int sent = sendmmsg(dev->fd, &dev->tx_msgs[done], n - done, 0);
        if (sent > 0) {
            done += sent;
            continue;
        }
        if (errno == EINTR) {
            continue;
        }
        if (!first_error) {
            first_error = errno;
        }
        if (errno == EAGAIN || errno == ENOBUFS || errno == ENETDOWN
            || errno == ENXIO) {
            /* The queue is full or the device is down: the rest would fail
             * the same way. */
            for (; done < n; done++) {
                bytes -= batch->packets[done]->size;
                dropped++;
            }
        } else {
            /* Something about this one frame (EMSGSIZE, EINVAL): skip it. */
            bytes -= batch->packets[done]->size;
            errors++;
            done++;
        }
    }
    dp_packet_batch_delete(batch);

    stat_add(&dev->stats.tx_packets, n - dropped - errors);
    stat_add(&dev->stats.tx_bytes, bytes);
    stat_add(&dev->stats.tx_dropped, dropped);
    stat_add(&dev->stats.tx_errors, errors);
    return first_error;
}

static void
netdev_afpacket_get_stats(const struct netdev *netdev,
                          struct netdev_stats *stats)
{
    struct netdev_afpacket *dev = netdev_afpacket_cast(netdev);
    const struct netdev_stats *s = &dev->stats;
    struct tpacket_stats ts;
    socklen_t len = sizeof ts;

#define LOAD(FIELD) stats->FIELD = __atomic_load_n(&s->FIELD, __ATOMIC_RELAXED)
    LOAD(rx_packets); LOAD(rx_bytes); LOAD(rx_dropped); LOAD(rx_errors);
    LOAD(tx_packets); LOAD(tx_bytes); LOAD(tx_dropped); LOAD(tx_errors);
#undef LOAD
    /* The kernel resets PACKET_STATISTICS on every read, so the total is
     * kept here; only the control thread calls get_stats. */
    if (!getsockopt(dev->fd, SOL_PACKET, PACKET_STATISTICS, &ts, &len)) {
        dev->kernel_drops += ts.tp_drops;
    }
    stats->rx_dropped += dev->kernel_drops;
}

static int
afpacket_query(const struct netdev *netdev, struct rtnl_link *link)
{
    return rtnl_link_get_by_index(netdev_afpacket_cast(netdev)->ifindex,
                                  link);
}

static int
netdev_afpacket_get_etheraddr(const struct netdev *netdev,
                              struct eth_addr *mac)
{
    struct rtnl_link link;
    int error = afpacket_query(netdev, &link);

    if (!error) {
        memcpy(mac->ea, link.mac, ETH_ADDR_LEN);
    }
    return error;
}

static int
netdev_afpacket_get_ifindex(const struct netdev *netdev, int *ifindex)
{
    *ifindex = netdev_afpacket_cast(netdev)->ifindex;
    return 0;
}

static int
netdev_afpacket_get_mtu(const struct netdev *netdev, int *mtu)
{
    struct rtnl_link link;
    int error = afpacket_query(netdev, &link);

    *mtu = error ? 0 : (int) link.mtu;
    return error;
}

static int
netdev_afpacket_get_link_state(const struct netdev *netdev, bool *up)
{
    struct rtnl_link link;
    int error = afpacket_query(netdev, &link);

    *up = !error && rtnl_link_is_up(&link);
    return error;
}

static const char *
netdev_afpacket_get_mode(const struct netdev *netdev OVS_UNUSED)
{
    return "af_packet";
}

const struct netdev_class netdev_afpacket_class = {
    .type = "afpacket",
    .open = netdev_afpacket_open,
    .close = netdev_afpacket_close,
    .rxq_fd = netdev_afpacket_rxq_fd,
    .recv_batch = netdev_afpacket_recv_batch,
    .send_batch = netdev_afpacket_send_batch,
    .get_stats = netdev_afpacket_get_stats,
    .get_etheraddr = netdev_afpacket_get_etheraddr,
    .get_ifindex = netdev_afpacket_get_ifindex,
    .get_mtu = netdev_afpacket_get_mtu,
    .get_link_state = netdev_afpacket_get_link_state,
    .get_mode = netdev_afpacket_get_mode,
};
