/* netdev-tap.c: internal ports as persistent TAP devices (see netdev-tap.h).
 *
 * Packet path: one read() or writev() per frame, each prefixed by a
 * struct virtio_net_hdr that carries checksum and GSO metadata between the
 * kernel and struct dp_packet_offload (which mirrors it field by field).
 * Frames are read straight into buffers of a private pool of 64 KiB
 * buffers, since any frame may be a GSO packet of up to 64 KiB. */
#include <config.h>

#include "netdev-tap.h"

#include <errno.h>
#include <fcntl.h>
#include <linux/if_tun.h>
#include <linux/virtio_net.h>
#include <net/if.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/uio.h>
#include <unistd.h>

#include "netdev.h"
#include "netns.h"
#include "rtnl.h"
#include "shash.h"
#include "util.h"

/* The alias that marks a TAP device as created by xsw-switchd:
 * "xsw:NAME:db=OWNER", OWNER being the UUID of the Open_vSwitch row of the
 * database that configured it (device names cannot contain ':').  Older
 * versions wrote "xsw:NAME" alone: a "legacy" device, whose database is
 * unknown. */
#define TAP_MARKER_PREFIX "xsw:"
#define TAP_OWNER_INFIX ":db="

#define TAP_VNET_HDR_LEN ((int) sizeof(struct virtio_net_hdr))

/* Buffers in a TAP port's pool: a full receive burst kept ready, plus
 * packets still travelling through the datapath. */
#define TAP_POOL_SIZE (3 * NETDEV_MAX_BURST)

struct netdev_tap {
    struct netdev up;
    int fd;                        /* /dev/net/tun, attached, nonblocking. */
    struct dp_packet_pool *pool;   /* Owned; large buffers. */

    /* Packets taken from 'pool' for the next reads.  recv_batch only. */
    struct dp_packet *stash[NETDEV_MAX_BURST];
    size_t n_stash;

    /* Updated with relaxed atomics by the (single) thread in recv_batch or
     * send_batch, read by get_stats. */
    struct netdev_stats stats;
};

static struct netdev_tap *
netdev_tap_cast(const struct netdev *netdev)
{
    return CONTAINER_OF(netdev, struct netdev_tap, up);
}

/* Whose a device is, as its alias says. */
enum tap_mark {
    TAP_NOT_XSW,                /* Not a TAP, or not marked by xsw. */
    TAP_LEGACY,                 /* Marked by an older xsw: owner unknown. */
    TAP_OURS,                   /* Marked with 'owner'. */
    TAP_FOREIGN,                /* Marked with another database's owner. */
};

/* Classifies 'link' for the database 'owner' ("" or NULL: we know no
 * owner, so nothing is ours).  With 'name' nonnull, only a device marked
 * with that name counts as xsw's. */
static enum tap_mark
tap_mark_of(const struct rtnl_link *link, const char *name,
            const char *owner)
{
    const char *p = link->alias + strlen(TAP_MARKER_PREFIX);
    const char *end;

    if (strcmp(link->kind, "tun") || !link->tun_is_tap
        || !str_starts_with(link->alias, TAP_MARKER_PREFIX)) {
        return TAP_NOT_XSW;
    }
    end = strchr(p, ':');
    if (!end) {
        end = p + strlen(p);
    }
    if (name && (strlen(name) != (size_t) (end - p)
                 || memcmp(name, p, end - p))) {
        return TAP_NOT_XSW;
    }
    if (!*end) {
        return TAP_LEGACY;
    }
    if (!str_starts_with(end, TAP_OWNER_INFIX)) {
        /* A marker from some future version: not ours to touch. */
        return TAP_FOREIGN;
    }
    end += strlen(TAP_OWNER_INFIX);
    return owner && *owner && !strcmp(end, owner) ? TAP_OURS : TAP_FOREIGN;
}

void
netdev_tap_derive_mac(const char *seed, uint8_t mac[6])
{
    /* FNV-1a, spelled out here rather than borrowed from hash.h: the MAC
     * must stay the same across xsw versions, so its hash must never
     * change. */
    uint64_t h = UINT64_C(0xcbf29ce484222325);

    for (const char *p = seed; *p; p++) {
        h ^= (uint8_t) *p;
        h *= UINT64_C(0x100000001b3);
    }
    for (int i = 0; i < 6; i++) {
        mac[i] = h >> (8 * i);
    }
    mac[0] = (mac[0] & ~0x01) | 0x02;   /* Unicast, locally administered. */
}

/* What open() wants the device to look like. */
struct tap_config {
    const char *name;
    const char *owner;          /* Our database's identity, for the alias. */
    uint8_t mac[6];
    int mtu;                    /* 0: leave as is. */
};

static int
tap_parse_options(const char *name, const struct shash *options,
                  struct tap_config *cfg, char **errorp)
{
    const char *mac = options ? shash_find_data(options, "mac") : NULL;
    const char *seed = options ? shash_find_data(options, "mac-seed") : NULL;
    const char *mtu = options ? shash_find_data(options, "mtu_request") : NULL;
    const char *owner = options ? shash_find_data(options, "owner") : NULL;

    cfg->name = name;
    if (!owner || !*owner || strpbrk(owner, ": \t\n")) {
        /* Without an owner this device could not be told apart from
         * another xsw-switchd's: refuse rather than make one. */
        netdev_set_error(errorp, "%s: no database identity (\"owner\") to "
                         "mark the TAP device with", name);
        return EINVAL;
    }
    cfg->owner = owner;
    if (mac && *mac) {
        char extra;
        if (sscanf(mac, "%hhx:%hhx:%hhx:%hhx:%hhx:%hhx%c",
                   &cfg->mac[0], &cfg->mac[1], &cfg->mac[2], &cfg->mac[3],
                   &cfg->mac[4], &cfg->mac[5], &extra) != 6
            || cfg->mac[0] & 0x01) {
            netdev_set_error(errorp, "%s: \"%s\" is not a unicast MAC address",
                             name, mac);
            return EINVAL;
        }
    } else {
        netdev_tap_derive_mac(seed && *seed ? seed : name, cfg->mac);
    }

    cfg->mtu = 0;
    if (mtu && *mtu) {
        char *end;
        long value = strtol(mtu, &end, 10);
        if (*end || value < 68 || value > 65535) {
            netdev_set_error(errorp, "%s: mtu_request \"%s\" is not an MTU "
                             "between 68 and 65535", name, mtu);
            return EINVAL;
        }
        cfg->mtu = value;
    }
    return 0;
}

/* Finding our device in another namespace. */

struct tap_find {
    const char *name;
    const char *owner;          /* Our database's identity. */
    bool adopt_legacy;          /* Also find a device of an older xsw. */
    struct netns_id skip;       /* A namespace already searched. */
    bool skip_valid;
    int ns_fd;                  /* Out: dup of the namespace's fd. */
    struct rtnl_link link;      /* Out: the device. */
};

static bool
tap_find_matches(const struct tap_find *find, const struct rtnl_link *link)
{
    enum tap_mark mark = tap_mark_of(link, find->name, find->owner);
    return mark == TAP_OURS || (mark == TAP_LEGACY && find->adopt_legacy);
}

static int
tap_find_link_cb(const struct rtnl_link *link, void *find_)
{
    struct tap_find *find = find_;

    if (tap_find_matches(find, link)) {
        find->link = *link;
        return 1;
    }
    return 0;
}

/* The mark, not the device's name, says which port a device is: a CNI
 * plugin (xsw-cni) renames the device it moves into a container, to
 * "eth0" say.  Hence a dump of the namespace, not a lookup by name. */
static int
tap_find_get_cb(void *find_)
{
    return rtnl_link_dump(tap_find_link_cb, find_) == 1 ? 0 : ENODEV;
}

static int
tap_find_ns_cb(int ns_fd, const char *path OVS_UNUSED, void *find_)
{
    struct tap_find *find = find_;
    struct netns_id id;

    if (find->skip_valid && !netns_get_id(ns_fd, &id)
        && netns_id_equals(&id, &find->skip)) {
        return 0;
    }
    if (netns_run_in(ns_fd, tap_find_get_cb, find)) {
        return 0;
    }
    find->ns_fd = dup(ns_fd);
    return find->ns_fd >= 0 ? 1 : 0;
}

/* Searches every namespace (but the current one, if 'skip_current') for
 * the TAP device of port 'name' (whatever it is called now) marked with
 * 'owner' (or, if 'adopt_legacy', by an older
 * xsw that marked no owner).  On success returns 0, stores an fd for its
 * namespace in '*ns_fdp' (the caller closes it) and the device in
 * '*link'. */
static int
tap_find_ours(const char *name, const char *owner, bool adopt_legacy,
              bool skip_current, int *ns_fdp, struct rtnl_link *link)
{
    struct tap_find find = { .name = name, .owner = owner,
                             .adopt_legacy = adopt_legacy, .ns_fd = -1 };

    if (skip_current) {
        int fd;
        if (!netns_open_current(&fd)) {
            find.skip_valid = !netns_get_id(fd, &find.skip);
            close(fd);
        }
    }
    netns_foreach(tap_find_ns_cb, &find);
    *ns_fdp = find.ns_fd;
    if (find.ns_fd < 0) {
        return ENODEV;
    }
    *link = find.link;
    return 0;
}

/* Attaching, in the device's namespace. */

struct tap_attach {
    const struct tap_config *cfg;
    const char *devname;        /* The device's name now (renamed by a CNI
                                 * plugin?), NULL: the port's. */
    bool exists;                /* The device existed before open(). */
    bool in_container;          /* It lives in another namespace. */
    int fd;                     /* Out: the attached tun fd. */
    char *error;                /* Out: what failed, or NULL. */
};

static int
tap_ioctl(int fd, unsigned long request, unsigned long arg, const char *what,
          const char *name, char **errorp)
{
    if (ioctl(fd, request, arg) < 0) {
        int error = errno;
        netdev_set_error(errorp, "%s: %s failed (%s)", name, what,
                         strerror(error));
        return error;
    }
    return 0;
}

/* Opens /dev/net/tun and attaches it to (or creates) the device, then
 * configures it.  Runs in the device's namespace. */
static int
tap_attach_cb(void *attach_)
{
    struct tap_attach *attach = attach_;
    const struct tap_config *cfg = attach->cfg;
    const char *name = cfg->name;
    const char *devname = attach->devname ? attach->devname : name;
    struct rtnl_link link;
    struct ifreq ifr;
    char *alias;
    int error, fd;

    fd = open("/dev/net/tun", O_RDWR | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0) {
        error = errno;
        netdev_set_error(&attach->error, "%s: cannot open /dev/net/tun (%s)",
                         name, strerror(error));
        return error;
    }

    memset(&ifr, 0, sizeof ifr);
    ifr.ifr_flags = IFF_TAP | IFF_NO_PI | IFF_VNET_HDR;
    snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", devname);
    if (ioctl(fd, TUNSETIFF, &ifr) < 0) {
        error = errno;
        if (error == EBUSY) {
            netdev_set_error(&attach->error, "%s: TAP device is in use by "
                             "another process", name);
        } else {
            netdev_set_error(&attach->error, "%s: cannot attach to TAP device "
                             "(%s)", name, strerror(error));
        }
        close(fd);
        return error;
    }

    int hdr_len = TAP_VNET_HDR_LEN;
    if ((error = tap_ioctl(fd, TUNSETPERSIST, 1, "TUNSETPERSIST", name,
                           &attach->error))
        || (error = (ioctl(fd, TUNSETVNETHDRSZ, &hdr_len) < 0 ? errno : 0))
        || (error = tap_ioctl(fd, TUNSETOFFLOAD,
                              TUN_F_CSUM | TUN_F_TSO4 | TUN_F_TSO6,
                              "TUNSETOFFLOAD", name, &attach->error))) {
        if (!attach->error) {
            netdev_set_error(&attach->error, "%s: TUNSETVNETHDRSZ failed (%s)",
                             name, strerror(error));
        }
        goto error;
    }

    error = rtnl_link_get_by_name(devname, &link);
    if (error) {
        netdev_set_error(&attach->error, "%s: cannot query the new TAP device "
                         "(%s)", name, strerror(error));
        goto error;
    }

    alias = xasprintf(TAP_MARKER_PREFIX "%s" TAP_OWNER_INFIX "%s", name,
                      cfg->owner);
    if (strcmp(link.alias, alias)) {
        error = rtnl_link_set_alias(link.ifindex, alias);
    }
    free(alias);
    if (!error && (!link.has_mac || memcmp(link.mac, cfg->mac, 6))) {
        error = rtnl_link_set_mac(link.ifindex, cfg->mac);
    }
    if (!error && cfg->mtu && link.mtu != (unsigned int) cfg->mtu) {
        error = rtnl_link_set_mtu(link.ifindex, cfg->mtu);
        if (error) {
            netdev_set_error(&attach->error, "%s: cannot set MTU %d (%s)",
                             name, cfg->mtu, strerror(error));
            goto error;
        }
    }
    /* A device that lives in a container is the container's to set up
     * or down: a restarted xsw-switchd must not undo an "ip link set
     * down" made there while it was away. */
    if (!error && !(link.flags & IFF_UP) && !attach->in_container) {
        error = rtnl_link_set_up(link.ifindex, true);
    }
    if (error) {
        netdev_set_error(&attach->error,
                         "%s: cannot configure TAP device (%s)", name,
                         strerror(error));
        goto error;
    }
    attach->fd = fd;
    return 0;

error:
    if (!attach->exists) {
        /* Do not leave a half-configured device behind. */
        ioctl(fd, TUNSETPERSIST, 0);
    }
    close(fd);
    return error;
}

static int
tap_check_name(const char *name, char **errorp)
{
    size_t len = strlen(name);

    if (len >= IF_NAMESIZE) {
        netdev_set_error(errorp, "\"%s\" is too long for a network device "
                         "name (at most %d characters)", name,
                         IF_NAMESIZE - 1);
        return ENAMETOOLONG;
    }
    if (!len || strpbrk(name, "/ \t\n:")) {
        netdev_set_error(errorp, "\"%s\" is not a valid network device name",
                         name);
        return EINVAL;
    }
    return 0;
}

static int
netdev_tap_open(const char *name, const struct shash *options,
                struct netdev **netdevp, char **errorp)
{
    struct tap_attach attach = { .fd = -1 };
    struct netdev_tap *dev;
    struct tap_config cfg;
    struct rtnl_link link;
    int error, ns_fd = -1;

    *netdevp = NULL;
    *errorp = NULL;
    error = tap_check_name(name, errorp);
    if (error) {
        return error;
    }
    error = tap_parse_options(name, options, &cfg, errorp);
    if (error) {
        return error;
    }

    error = rtnl_link_get_by_name(name, &link);
    if (!error) {
        if (strcmp(link.kind, "tun") || !link.tun_is_tap) {
            netdev_set_error(errorp, "%s: a network device with this name "
                             "exists and is not a TAP device (kind \"%s\")",
                             name, *link.kind ? link.kind : "none");
            return EEXIST;
        }
        if (tap_mark_of(&link, name, cfg.owner) == TAP_FOREIGN) {
            netdev_set_error(errorp, "%s: the TAP device with this name "
                             "belongs to another database's xsw-switchd "
                             "(alias \"%s\")", name, link.alias);
            return EEXIST;
        }
        /* Ours, an older xsw's (adopted: it gets our mark), or a plain
         * TAP an administrator made for us. */
        attach.exists = true;
    } else if (error == ENODEV) {
        /* Not here: maybe an administrator moved it into a container. */
        attach.exists = !tap_find_ours(name, cfg.owner, true, true, &ns_fd,
                                       &link);
        attach.devname = attach.exists ? link.name : NULL;
    } else {
        netdev_set_error(errorp, "%s: cannot query network devices (%s)", name,
                      strerror(error));
        return error;
    }

    attach.cfg = &cfg;
    attach.in_container = ns_fd >= 0;
    error = (ns_fd >= 0
             ? netns_run_in(ns_fd, tap_attach_cb, &attach)
             : tap_attach_cb(&attach));
    if (ns_fd >= 0) {
        close(ns_fd);
    }
    if (error) {
        *errorp = attach.error;
        if (!*errorp) {
            netdev_set_error(errorp, "%s: cannot enter the TAP device's "
                             "network namespace (%s)", name, strerror(error));
        }
        return error;
    }

    dev = xzalloc(sizeof *dev);
    netdev_init(&dev->up, &netdev_tap_class, name);
    dev->up.caps = NETDEV_TX_CSUM | NETDEV_TX_TSO;
    dev->fd = attach.fd;
    dev->pool = dp_packet_pool_create(TAP_POOL_SIZE, DP_PACKET_LARGE_BUF);
    *netdevp = &dev->up;
    return 0;
}

static void
netdev_tap_close(struct netdev *netdev)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);

    dp_packet_delete_array(dev->stash, dev->n_stash);
    close(dev->fd);
    dp_packet_pool_destroy(dev->pool);
    netdev_uninit(&dev->up);
    free(dev);
}

int
netdev_tap_unpersist(struct netdev *netdev)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);

    return ioctl(dev->fd, TUNSETPERSIST, 0) < 0 ? errno : 0;
}

static int
netdev_tap_rxq_fd(const struct netdev *netdev)
{
    return netdev_tap_cast(netdev)->fd;
}

static void
stat_add(uint64_t *counter, uint64_t n)
{
    if (n) {
        __atomic_fetch_add(counter, n, __ATOMIC_RELAXED);
    }
}

/* Copies a received virtio_net_hdr into 'ol'.  Returns false if it does not
 * fit a 'size'-byte frame, which the kernel should never send. */
static bool
tap_vnet_to_offload(const struct virtio_net_hdr *vh, uint32_t size,
                    struct dp_packet_offload *ol)
{
    ol->flags = vh->flags;
    ol->gso_type = vh->gso_type;
    ol->hdr_len = vh->hdr_len;
    ol->gso_size = vh->gso_size;
    ol->csum_start = vh->csum_start;
    ol->csum_offset = vh->csum_offset;
    return (!(ol->flags & DP_PACKET_OL_NEEDS_CSUM)
            || (uint32_t) ol->csum_start + ol->csum_offset + 2 <= size);
}

static int
netdev_tap_recv_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    uint64_t bytes = 0, errors = 0;
    int error = 0;

    if (dev->n_stash < NETDEV_MAX_BURST) {
        dev->n_stash += dp_packet_pool_get(dev->pool,
                                           dev->stash + dev->n_stash,
                                           NETDEV_MAX_BURST - dev->n_stash);
    }
    /* With no buffer left, frames wait in the tun queue (and the kernel
     * drops and counts them if it overflows), which is the right place. */
    while (batch->count < NETDEV_MAX_BURST && dev->n_stash > 0) {
        struct dp_packet *p = dev->stash[dev->n_stash - 1];
        char *start = (char *) dp_packet_data(p) - TAP_VNET_HDR_LEN;
        size_t room = p->allocated - p->data_ofs + TAP_VNET_HDR_LEN;
        struct virtio_net_hdr vh;
        ssize_t n;

        n = read(dev->fd, start, room);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            if (errno != EAGAIN) {
                error = errno;
                errors++;
            }
            break;
        }
        memcpy(&vh, start, sizeof vh);
        if (n < TAP_VNET_HDR_LEN + 14
            || !tap_vnet_to_offload(&vh, n - TAP_VNET_HDR_LEN, &p->ol)) {
            memset(&p->ol, 0, sizeof p->ol);
            errors++;
            continue;
        }
        p->size = n - TAP_VNET_HDR_LEN;
        bytes += p->size;
        dev->n_stash--;
        dp_packet_batch_add(batch, p);
    }

    stat_add(&dev->stats.rx_packets, batch->count);
    stat_add(&dev->stats.rx_bytes, bytes);
    stat_add(&dev->stats.rx_errors, errors);
    return batch->count ? 0 : error ? error : EAGAIN;
}

static int
netdev_tap_send_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    struct netdev_tap *dev = netdev_tap_cast(netdev);
    uint64_t packets = 0, bytes = 0, dropped = 0, errors = 0;
    int first_error = 0;

    for (size_t i = 0; i < batch->count; i++) {
        const struct dp_packet *p = batch->packets[i];
        struct virtio_net_hdr vh = {
            .flags = p->ol.flags & DP_PACKET_OL_NEEDS_CSUM,
            .gso_type = p->ol.gso_type,
            .hdr_len = p->ol.hdr_len,
            .gso_size = p->ol.gso_size,
            .csum_start = p->ol.csum_start,
            .csum_offset = p->ol.csum_offset,
        };
        struct iovec iov[2] = {
            { &vh, TAP_VNET_HDR_LEN },
            { dp_packet_data(p), p->size },
        };
        ssize_t n;

        do {
            n = writev(dev->fd, iov, 2);
        } while (n < 0 && errno == EINTR);
        if (n < 0) {
            /* EAGAIN: the device's queue is full.  EIO: the device is down
             * (someone set it down inside a container).  Both mean "not
             * delivered", not "broken". */
            if (errno == EAGAIN || errno == EIO) {
                dropped++;
            } else {
                errors++;
            }
            if (!first_error) {
                first_error = errno;
            }
        } else {
            packets++;
            bytes += p->size;
        }
    }
    dp_packet_batch_delete(batch);

    stat_add(&dev->stats.tx_packets, packets);
    stat_add(&dev->stats.tx_bytes, bytes);
    stat_add(&dev->stats.tx_dropped, dropped);
    stat_add(&dev->stats.tx_errors, errors);
    return first_error;
}

static void
netdev_tap_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    const struct netdev_stats *s = &netdev_tap_cast(netdev)->stats;

#define LOAD(FIELD) stats->FIELD = __atomic_load_n(&s->FIELD, __ATOMIC_RELAXED)
    LOAD(rx_packets); LOAD(rx_bytes); LOAD(rx_dropped); LOAD(rx_errors);
    LOAD(tx_packets); LOAD(tx_bytes); LOAD(tx_dropped); LOAD(tx_errors);
#undef LOAD
}

/* Queries: the device may have moved into another namespace (and been
 * renamed there), so ask the tun fd where and what it is now. */

static int
tap_query_cb(void *link_)
{
    struct rtnl_link *link = link_;

    return rtnl_link_get_by_name(link->name, link);
}

static int
tap_query(const struct netdev_tap *dev, struct rtnl_link *link)
{
    struct ifreq ifr;
    int error, ns_fd;

    memset(&ifr, 0, sizeof ifr);
    if (ioctl(dev->fd, TUNGETIFF, &ifr) < 0) {
        return errno;
    }
    memset(link, 0, sizeof *link);
    snprintf(link->name, sizeof link->name, "%s", ifr.ifr_name);

    ns_fd = ioctl(dev->fd, TUNGETDEVNETNS);
    if (ns_fd < 0) {
        return errno;
    }
    error = netns_run_in(ns_fd, tap_query_cb, link);
    close(ns_fd);
    return error;
}

static int
netdev_tap_get_etheraddr(const struct netdev *netdev, struct eth_addr *mac)
{
    struct rtnl_link link;
    int error = tap_query(netdev_tap_cast(netdev), &link);

    if (!error) {
        memcpy(mac->ea, link.mac, ETH_ADDR_LEN);
    }
    return error;
}

static int
netdev_tap_get_ifindex(const struct netdev *netdev, int *ifindex)
{
    struct rtnl_link link;
    int error = tap_query(netdev_tap_cast(netdev), &link);

    *ifindex = error ? 0 : link.ifindex;
    return error;
}

static int
netdev_tap_get_mtu(const struct netdev *netdev, int *mtu)
{
    struct rtnl_link link;
    int error = tap_query(netdev_tap_cast(netdev), &link);

    *mtu = error ? 0 : (int) link.mtu;
    return error;
}

static int
netdev_tap_get_link_state(const struct netdev *netdev, bool *up)
{
    struct rtnl_link link;
    int error = tap_query(netdev_tap_cast(netdev), &link);

    *up = !error && rtnl_link_is_up(&link);
    return error;
}

static int
netdev_tap_get_admin_state(const struct netdev *netdev, bool *up)
{
    struct rtnl_link link;
    int error = tap_query(netdev_tap_cast(netdev), &link);

    *up = !error && (link.flags & IFF_UP);
    return error;
}

const struct netdev_class netdev_tap_class = {
    .type = "tap",
    .open = netdev_tap_open,
    .close = netdev_tap_close,
    .rxq_fd = netdev_tap_rxq_fd,
    .recv_batch = netdev_tap_recv_batch,
    .send_batch = netdev_tap_send_batch,
    .get_stats = netdev_tap_get_stats,
    .get_etheraddr = netdev_tap_get_etheraddr,
    .get_ifindex = netdev_tap_get_ifindex,
    .get_mtu = netdev_tap_get_mtu,
    .get_link_state = netdev_tap_get_link_state,
    .get_admin_state = netdev_tap_get_admin_state,
};

/* Deleting and sweeping. */

static int
tap_delete_cb(void *ifindex_)
{
    return rtnl_link_delete(*(int *) ifindex_);
}

int
netdev_tap_delete(const char *name, const char *owner)
{
    struct rtnl_link link;
    int error, ns_fd;

    error = tap_find_ours(name, owner, false, false, &ns_fd, &link);
    if (!error) {
        error = netns_run_in(ns_fd, tap_delete_cb, &link.ifindex);
        close(ns_fd);
    }
    return error;
}

struct tap_sweep {
    const char *owner;
    const struct shash *keep;
    struct shash *stale;
    struct shash *legacy;
};

static int
tap_sweep_link_cb(const struct rtnl_link *link, void *sweep_)
{
    struct tap_sweep *sweep = sweep_;
    enum tap_mark mark = tap_mark_of(link, NULL, sweep->owner);
    struct shash *list = (mark == TAP_OURS ? sweep->stale
                          : mark == TAP_LEGACY ? sweep->legacy
                          : NULL);

    if (list) {
        /* The port's name is the one in the mark: the device may have
         * been renamed in a container. */
        const char *p = link->alias + strlen(TAP_MARKER_PREFIX);
        char *name = xstrndup(p, strcspn(p, ":"));
        if (!(sweep->keep && shash_find(sweep->keep, name))) {
            shash_add_once(list, name, NULL);
        }
        free(name);
    }
    return 0;
}

static int
tap_sweep_dump_cb(void *sweep)
{
    return rtnl_link_dump(tap_sweep_link_cb, sweep);
}

static int
tap_sweep_ns_cb(int ns_fd, const char *path OVS_UNUSED, void *sweep)
{
    /* A namespace we cannot enter or dump holds nothing we could delete;
     * keep looking in the others. */
    netns_run_in(ns_fd, tap_sweep_dump_cb, sweep);
    return 0;
}

int
netdev_tap_list_stale(const char *owner, const struct shash *keep,
                      struct shash *stale, struct shash *legacy)
{
    struct tap_sweep sweep = { .owner = owner, .keep = keep,
                               .stale = stale, .legacy = legacy };

    if (!owner || !*owner) {
        return EINVAL;
    }
    return netns_foreach(tap_sweep_ns_cb, &sweep);
}
