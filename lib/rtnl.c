/* rtnl.c: rtnetlink requests and a link monitor, on raw netlink sockets.
 *
 * No libnl or libmnl: the few messages we need fit in a page of code, and
 * owning the socket lets every request run in whatever namespace the
 * calling thread has entered (see rtnl.h). */
#include <config.h>

#include "rtnl.h"

#include <errno.h>
#include <linux/if.h>
#include <linux/if_link.h>
#include <linux/if_tun.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "hash.h"
#include "hmap.h"
#include "util.h"

/* Big enough for any single RTM_NEWLINK the kernel sends (it caps a dump
 * message at 32 KiB, plus room for the header). */
#define RTNL_RECV_BUF (64 * 1024)

/* A request under construction: header, the family header of its type
 * (links, addresses or routes), attributes. */
struct rtnl_request {
    struct nlmsghdr nlh;
    union {
        struct ifinfomsg ifi;
        struct ifaddrmsg ifa;
        struct rtmsg rtm;
    };
    char attrs[1024];
};

static void
rtnl_request_init(struct rtnl_request *req, uint16_t type, uint16_t flags,
                  int ifindex)
{
    memset(req, 0, sizeof *req);
    req->nlh.nlmsg_len = NLMSG_LENGTH(sizeof req->ifi);
    req->nlh.nlmsg_type = type;
    req->nlh.nlmsg_flags = NLM_F_REQUEST | flags;
    req->ifi.ifi_family = AF_UNSPEC;
    req->ifi.ifi_index = ifindex;
}

static void
rtnl_request_put(struct rtnl_request *req, uint16_t type,
                 const void *data, size_t size)
{
    size_t offset = NLMSG_ALIGN(req->nlh.nlmsg_len);
    struct rtattr *rta = (struct rtattr *) ((char *) req + offset);

    /* Requests are built from fixed, small attributes, so overflowing the
     * buffer would be a programming error, not a runtime condition. */
    if (offset + RTA_LENGTH(size) > sizeof *req) {
        xsw_fatal("rtnl: request too large");
    }
    rta->rta_type = type;
    rta->rta_len = RTA_LENGTH(size);
    memcpy(RTA_DATA(rta), data, size);
    req->nlh.nlmsg_len = offset + RTA_ALIGN(rta->rta_len);
}

static int
rtnl_socket_open(uint32_t groups, int *fdp)
{
    struct sockaddr_nl local = { .nl_family = AF_NETLINK,
                                 .nl_groups = groups };
    int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
    if (fd < 0) {
        return errno;
    }
    if (bind(fd, (struct sockaddr *) &local, sizeof local) < 0) {
        int error = errno;
        close(fd);
        return error;
    }
    *fdp = fd;
    return 0;
}

/* Sends 'req' on a fresh socket and calls 'cb' for each answer message until
 * the kernel says it is done.  Returns the kernel's error, 'cb''s nonzero
 * return value, or 0. */
static int
rtnl_transact(struct rtnl_request *req,
              int (*cb)(const struct nlmsghdr *, void *aux), void *aux)
{
    static const struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
    char *buf;
    int error, fd;

    error = rtnl_socket_open(0, &fd);
    if (error) {
        return error;
    }
    req->nlh.nlmsg_flags |= NLM_F_ACK;
    req->nlh.nlmsg_seq = 1;
    if (sendto(fd, req, req->nlh.nlmsg_len, 0,
               (const struct sockaddr *) &kernel, sizeof kernel) < 0) {
        error = errno;
        close(fd);
        return error;
    }

    buf = xmalloc(RTNL_RECV_BUF);
    for (;;) {
        ssize_t n = recv(fd, buf, RTNL_RECV_BUF, 0);
        if (n < 0) {
            if (errno == EINTR) {
                continue;
            }
            error = errno;
            goto out;
        }
        for (struct nlmsghdr *nlh = (struct nlmsghdr *) buf;
             NLMSG_OK(nlh, (size_t) n); nlh = NLMSG_NEXT(nlh, n)) {
            if (nlh->nlmsg_type == NLMSG_DONE) {
                goto out;
            } else if (nlh->nlmsg_type == NLMSG_ERROR) {
                const struct nlmsgerr *e = NLMSG_DATA(nlh);
                /* An ack (error 0) ends a plain request; a dump ends with
                 * NLMSG_DONE instead, and its ack, if any, comes later. */
                if (!error) {
                    error = -e->error;
                }
                goto out;
            } else if (cb && !error) {
                error = cb(nlh, aux);
            }
        }
    }
out:
    free(buf);
    close(fd);
    return error;
}

static const struct rtattr *
rtnl_attr_next(const struct rtattr *rta, int *remaining)
{
    return RTA_OK(rta, *remaining) ? RTA_NEXT(rta, *remaining) : NULL;
}

static void
rtnl_copy_string(char *dst, size_t size, const struct rtattr *rta)
{
    size_t len = RTA_PAYLOAD(rta);
    const char *src = RTA_DATA(rta);

    len = strnlen(src, len);
    len = MIN(len, size - 1);
    memcpy(dst, src, len);
    dst[len] = '\0';
}

static uint8_t
rtnl_attr_u8(const struct rtattr *rta)
{
    return RTA_PAYLOAD(rta) >= 1 ? *(const uint8_t *) RTA_DATA(rta) : 0;
}

static void
rtnl_parse_tun_data(const struct rtattr *data, struct rtnl_link *link)
{
    int len = RTA_PAYLOAD(data);

    for (const struct rtattr *a = RTA_DATA(data); RTA_OK(a, len);
         a = RTA_NEXT(a, len)) {
        switch (a->rta_type) {
        case IFLA_TUN_TYPE:
            link->tun_is_tap = rtnl_attr_u8(a) == (IFF_TAP & 0xff);
            break;
        case IFLA_TUN_PERSIST:
            link->tun_persist = rtnl_attr_u8(a);
            break;
        case IFLA_TUN_VNET_HDR:
            link->tun_vnet_hdr = rtnl_attr_u8(a);
            break;
        }
    }
}

static void
rtnl_parse_linkinfo(const struct rtattr *info, struct rtnl_link *link)
{
    const struct rtattr *data = NULL;
    int len = RTA_PAYLOAD(info);

    for (const struct rtattr *a = RTA_DATA(info); RTA_OK(a, len);
         a = RTA_NEXT(a, len)) {
        if (a->rta_type == IFLA_INFO_KIND) {
            rtnl_copy_string(link->kind, sizeof link->kind, a);
        } else if (a->rta_type == IFLA_INFO_DATA) {
            data = a;
        }
    }
    /* IFLA_INFO_DATA's layout depends on the kind, which may come after it. */
    if (data && !strcmp(link->kind, "tun")) {
        rtnl_parse_tun_data(data, link);
    }
}

/* Parses an RTM_NEWLINK or RTM_DELLINK message into 'link'.  Returns EPROTO
 * if it is not one. */
static int
rtnl_parse_link(const struct nlmsghdr *nlh, struct rtnl_link *link)
{
    const struct ifinfomsg *ifi;
    const struct rtattr *rta;
    int len;

    if ((nlh->nlmsg_type != RTM_NEWLINK && nlh->nlmsg_type != RTM_DELLINK)
        || nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ifi)) {
        return EPROTO;
    }
    ifi = NLMSG_DATA(nlh);
    memset(link, 0, sizeof *link);
    link->ifindex = ifi->ifi_index;
    link->flags = ifi->ifi_flags;

    len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof *ifi);
    for (rta = IFLA_RTA(ifi); rta; rta = rtnl_attr_next(rta, &len)) {
        if (!RTA_OK(rta, len)) {
            break;
        }
        switch (rta->rta_type) {
        case IFLA_IFNAME:
            rtnl_copy_string(link->name, sizeof link->name, rta);
            break;
        case IFLA_IFALIAS:
            rtnl_copy_string(link->alias, sizeof link->alias, rta);
            break;
        case IFLA_ADDRESS:
            if (RTA_PAYLOAD(rta) == 6) {
                memcpy(link->mac, RTA_DATA(rta), 6);
                link->has_mac = true;
            }
            break;
        case IFLA_MTU:
            if (RTA_PAYLOAD(rta) >= 4) {
                link->mtu = *(const uint32_t *) RTA_DATA(rta);
            }
            break;
        case IFLA_OPERSTATE:
            link->operstate = rtnl_attr_u8(rta);
            break;
        case IFLA_LINKINFO:
            rtnl_parse_linkinfo(rta, link);
            break;
        }
    }
    return 0;
}

static int
rtnl_get_link_cb(const struct nlmsghdr *nlh, void *link_)
{
    return rtnl_parse_link(nlh, link_);
}

int
rtnl_link_get_by_name(const char *name, struct rtnl_link *link)
{
    struct rtnl_request req;
    uint32_t ext_mask = RTEXT_FILTER_SKIP_STATS;

    if (strlen(name) >= IF_NAMESIZE) {
        return ENAMETOOLONG;
    }
    rtnl_request_init(&req, RTM_GETLINK, 0, 0);
    rtnl_request_put(&req, IFLA_IFNAME, name, strlen(name) + 1);
    rtnl_request_put(&req, IFLA_EXT_MASK, &ext_mask, sizeof ext_mask);
    return rtnl_transact(&req, rtnl_get_link_cb, link);
}

int
rtnl_link_get_by_index(int ifindex, struct rtnl_link *link)
{
    struct rtnl_request req;
    uint32_t ext_mask = RTEXT_FILTER_SKIP_STATS;

    rtnl_request_init(&req, RTM_GETLINK, 0, ifindex);
    rtnl_request_put(&req, IFLA_EXT_MASK, &ext_mask, sizeof ext_mask);
    return rtnl_transact(&req, rtnl_get_link_cb, link);
}

struct rtnl_dump_aux {
    int (*cb)(const struct rtnl_link *, void *aux);
    void *aux;
};

static int
rtnl_dump_cb(const struct nlmsghdr *nlh, void *aux_)
{
    struct rtnl_dump_aux *aux = aux_;
    struct rtnl_link link;

    return rtnl_parse_link(nlh, &link) ? 0 : aux->cb(&link, aux->aux);
}

int
rtnl_link_dump(int (*cb)(const struct rtnl_link *, void *aux), void *aux)
{
    struct rtnl_dump_aux dump_aux = { cb, aux };
    struct rtnl_request req;
    uint32_t ext_mask = RTEXT_FILTER_SKIP_STATS;

    rtnl_request_init(&req, RTM_GETLINK, NLM_F_DUMP, 0);
    rtnl_request_put(&req, IFLA_EXT_MASK, &ext_mask, sizeof ext_mask);
    return rtnl_transact(&req, rtnl_dump_cb, &dump_aux);
}

int
rtnl_link_set_up(int ifindex, bool up)
{
    struct rtnl_request req;

    rtnl_request_init(&req, RTM_NEWLINK, 0, ifindex);
    req.ifi.ifi_change = IFF_UP;
    req.ifi.ifi_flags = up ? IFF_UP : 0;
    return rtnl_transact(&req, NULL, NULL);
}

int
rtnl_link_set_mtu(int ifindex, unsigned int mtu)
{
    struct rtnl_request req;
    uint32_t mtu32 = mtu;

    rtnl_request_init(&req, RTM_NEWLINK, 0, ifindex);
    rtnl_request_put(&req, IFLA_MTU, &mtu32, sizeof mtu32);
    return rtnl_transact(&req, NULL, NULL);
}

int
rtnl_link_set_mac(int ifindex, const uint8_t mac[6])
{
    struct rtnl_request req;

    rtnl_request_init(&req, RTM_NEWLINK, 0, ifindex);
    rtnl_request_put(&req, IFLA_ADDRESS, mac, 6);
    return rtnl_transact(&req, NULL, NULL);
}

int
rtnl_link_set_alias(int ifindex, const char *alias)
{
    struct rtnl_request req;
    size_t len = strlen(alias);

    if (len >= RTNL_ALIAS_MAX) {
        return ENAMETOOLONG;
    }
    rtnl_request_init(&req, RTM_NEWLINK, 0, ifindex);
    /* An empty IFLA_IFALIAS removes the alias; keep the NUL out of it. */
    rtnl_request_put(&req, IFLA_IFALIAS, alias, len);
    return rtnl_transact(&req, NULL, NULL);
}

int
rtnl_link_delete(int ifindex)
{
    struct rtnl_request req;

    rtnl_request_init(&req, RTM_DELLINK, 0, ifindex);
    return rtnl_transact(&req, NULL, NULL);
}

int
rtnl_link_set_netns(int ifindex, int ns_fd, const char *new_name)
{
    struct rtnl_request req;
    uint32_t fd32 = ns_fd;

    if (new_name && strlen(new_name) >= IF_NAMESIZE) {
        return ENAMETOOLONG;
    }
    rtnl_request_init(&req, RTM_NEWLINK, 0, ifindex);
    rtnl_request_put(&req, IFLA_NET_NS_FD, &fd32, sizeof fd32);
    if (new_name) {
        rtnl_request_put(&req, IFLA_IFNAME, new_name, strlen(new_name) + 1);
    }
    return rtnl_transact(&req, NULL, NULL);
}

static size_t
rtnl_addr_len(int family)
{
    return family == AF_INET ? 4 : family == AF_INET6 ? 16 : 0;
}

int
rtnl_addr_add(int ifindex, int family, const void *addr,
              unsigned int prefixlen)
{
    size_t len = rtnl_addr_len(family);
    struct rtnl_request req;

    if (!len || prefixlen > len * 8) {
        return EINVAL;
    }
    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifa);
    req.nlh.nlmsg_type = RTM_NEWADDR;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
    req.ifa.ifa_family = family;
    req.ifa.ifa_prefixlen = prefixlen;
    req.ifa.ifa_index = ifindex;
    rtnl_request_put(&req, IFA_LOCAL, addr, len);
    rtnl_request_put(&req, IFA_ADDRESS, addr, len);
    return rtnl_transact(&req, NULL, NULL);
}

struct rtnl_addr_dump_aux {
    int ifindex;
    int (*cb)(int family, const void *addr, unsigned int prefixlen,
              void *aux);
    void *aux;
};

static int
rtnl_addr_dump_cb(const struct nlmsghdr *nlh, void *aux_)
{
    struct rtnl_addr_dump_aux *aux = aux_;
    const struct ifaddrmsg *ifa;
    const struct rtattr *rta, *local = NULL, *address = NULL;
    int len;

    if (nlh->nlmsg_type != RTM_NEWADDR
        || nlh->nlmsg_len < NLMSG_LENGTH(sizeof *ifa)) {
        return 0;
    }
    ifa = NLMSG_DATA(nlh);
    if ((int) ifa->ifa_index != aux->ifindex) {
        return 0;
    }
    len = nlh->nlmsg_len - NLMSG_LENGTH(sizeof *ifa);
    for (rta = IFA_RTA(ifa); RTA_OK(rta, len); rta = RTA_NEXT(rta, len)) {
        if (rta->rta_type == IFA_LOCAL) {
            local = rta;
        } else if (rta->rta_type == IFA_ADDRESS) {
            address = rta;
        }
    }
    /* IFA_LOCAL is the address itself; IFA_ADDRESS is the peer's on a
     * point-to-point link and the only one for IPv6. */
    rta = local ? local : address;
    if (!rta || RTA_PAYLOAD(rta) < rtnl_addr_len(ifa->ifa_family)) {
        return 0;
    }
    return aux->cb(ifa->ifa_family, RTA_DATA(rta), ifa->ifa_prefixlen,
                   aux->aux);
}

int
rtnl_addr_dump(int ifindex,
               int (*cb)(int family, const void *addr,
                         unsigned int prefixlen, void *aux),
               void *aux)
{
    struct rtnl_addr_dump_aux dump_aux = { ifindex, cb, aux };
    struct rtnl_request req;

    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.ifa);
    req.nlh.nlmsg_type = RTM_GETADDR;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
    req.ifa.ifa_family = AF_UNSPEC;
    return rtnl_transact(&req, rtnl_addr_dump_cb, &dump_aux);
}

int
rtnl_route_add(int family, const void *dst, unsigned int dst_len,
               const void *gateway, int ifindex)
{
    size_t len = rtnl_addr_len(family);
    struct rtnl_request req;
    uint32_t oif = ifindex;

    if (!len || dst_len > len * 8) {
        return EINVAL;
    }
    memset(&req, 0, sizeof req);
    req.nlh.nlmsg_len = NLMSG_LENGTH(sizeof req.rtm);
    req.nlh.nlmsg_type = RTM_NEWROUTE;
    req.nlh.nlmsg_flags = NLM_F_REQUEST | NLM_F_CREATE | NLM_F_EXCL;
    req.rtm.rtm_family = family;
    req.rtm.rtm_dst_len = dst_len;
    req.rtm.rtm_table = RT_TABLE_MAIN;
    req.rtm.rtm_protocol = RTPROT_BOOT;
    req.rtm.rtm_type = RTN_UNICAST;
    /* A route through a gateway reaches beyond the link; one without is
     * on the link itself. */
    req.rtm.rtm_scope = gateway ? RT_SCOPE_UNIVERSE : RT_SCOPE_LINK;
    if (dst_len) {
        rtnl_request_put(&req, RTA_DST, dst, len);
    }
    if (gateway) {
        rtnl_request_put(&req, RTA_GATEWAY, gateway, len);
    }
    rtnl_request_put(&req, RTA_OIF, &oif, sizeof oif);
    return rtnl_transact(&req, NULL, NULL);
}

/* Link monitor. */

/* A device the monitor knows about, to tell a new device from a change. */
struct rtnl_known {
    struct hmap_node node;      /* In rtnl_monitor's 'known', by ifindex. */
    int ifindex;
    char name[IF_NAMESIZE];
    unsigned int generation;    /* Last resync that saw it. */
};

struct rtnl_monitor {
    int fd;                     /* Subscribed to RTMGRP_LINK, nonblocking. */
    struct hmap known;          /* Contains "struct rtnl_known"s. */
    unsigned int generation;

    /* Events decoded but not yet returned: one datagram can carry several
     * messages and a resync can produce many events. */
    struct rtnl_link_event *queue;
    size_t head, n, allocated;
    char *buf;                  /* RTNL_RECV_BUF bytes. */
};

static struct rtnl_known *
rtnl_known_find(const struct rtnl_monitor *mon, int ifindex)
{
    struct rtnl_known *k;

    HMAP_FOR_EACH_WITH_HASH (k, node, hash_int(ifindex, 0), &mon->known) {
        if (k->ifindex == ifindex) {
            return k;
        }
    }
    return NULL;
}

static void
rtnl_monitor_push(struct rtnl_monitor *mon, enum rtnl_link_event_type type,
                  const struct rtnl_link *link)
{
    struct rtnl_link_event *e;

    if (mon->head > 0 && mon->head == mon->n) {
        mon->head = mon->n = 0;
    }
    if (mon->n >= mon->allocated) {
        mon->queue = x2nrealloc(mon->queue, &mon->allocated,
                                sizeof *mon->queue);
    }
    e = &mon->queue[mon->n++];
    e->type = type;
    e->link = *link;
}

static void
rtnl_monitor_push_gone(struct rtnl_monitor *mon, int ifindex,
                       const char *name)
{
    struct rtnl_link link;

    memset(&link, 0, sizeof link);
    link.ifindex = ifindex;
    snprintf(link.name, sizeof link.name, "%s", name);
    rtnl_monitor_push(mon, RTNL_LINK_DISAPPEARED, &link);
}

/* Updates the known set with 'link' (from RTM_NEWLINK or a dump) and queues
 * the matching event. */
static void
rtnl_monitor_note_link(struct rtnl_monitor *mon, const struct rtnl_link *link)
{
    struct rtnl_known *k = rtnl_known_find(mon, link->ifindex);

    if (!k) {
        k = xzalloc(sizeof *k);
        k->ifindex = link->ifindex;
        memcpy(k->name, link->name, sizeof k->name);
        hmap_insert(&mon->known, &k->node, hash_int(k->ifindex, 0));
        rtnl_monitor_push(mon, RTNL_LINK_APPEARED, link);
    } else if (strcmp(k->name, link->name)) {
        /* A rename: for a user who configured ports by name, the old name
         * went away and a new one arrived. */
        rtnl_monitor_push_gone(mon, k->ifindex, k->name);
        memcpy(k->name, link->name, sizeof k->name);
        rtnl_monitor_push(mon, RTNL_LINK_APPEARED, link);
    } else {
        rtnl_monitor_push(mon, RTNL_LINK_CHANGED, link);
    }
    k->generation = mon->generation;
}

static void
rtnl_monitor_forget(struct rtnl_monitor *mon, struct rtnl_known *k)
{
    rtnl_monitor_push_gone(mon, k->ifindex, k->name);
    hmap_remove(&mon->known, &k->node);
    free(k);
}

static int
rtnl_monitor_sync_cb(const struct rtnl_link *link, void *mon_)
{
    rtnl_monitor_note_link(mon_, link);
    return 0;
}

/* Brings the known set in line with a full dump and queues the differences.
 * With 'report' false (the initial seeding) no event is kept. */
static int
rtnl_monitor_resync(struct rtnl_monitor *mon, bool report)
{
    struct rtnl_known *k, *next;
    int error;

    mon->generation++;
    error = rtnl_link_dump(rtnl_monitor_sync_cb, mon);
    if (error) {
        return error;
    }
    HMAP_FOR_EACH_SAFE (k, next, node, &mon->known) {
        if (k->generation != mon->generation) {
            rtnl_monitor_forget(mon, k);
        }
    }
    if (!report) {
        mon->head = mon->n = 0;
    }
    return 0;
}

int
rtnl_monitor_create(struct rtnl_monitor **monitorp)
{
    struct rtnl_monitor *mon;
    int error, fd;

    *monitorp = NULL;
    /* Subscribe before the initial dump, so that no change can fall between
     * the two; a change seen twice is only reported as "changed". */
    error = rtnl_socket_open(RTMGRP_LINK, &fd);
    if (error) {
        return error;
    }
    mon = xzalloc(sizeof *mon);
    mon->fd = fd;
    hmap_init(&mon->known);
    mon->buf = xmalloc(RTNL_RECV_BUF);
    error = rtnl_monitor_resync(mon, false);
    if (error) {
        rtnl_monitor_destroy(mon);
        return error;
    }
    *monitorp = mon;
    return 0;
}

void
rtnl_monitor_destroy(struct rtnl_monitor *mon)
{
    if (mon) {
        struct rtnl_known *k;

        HMAP_FOR_EACH_POP (k, node, &mon->known) {
            free(k);
        }
        hmap_destroy(&mon->known);
        close(mon->fd);
        free(mon->queue);
        free(mon->buf);
        free(mon);
    }
}

int
rtnl_monitor_fd(const struct rtnl_monitor *mon)
{
    return mon->fd;
}

/* Reads one datagram from the socket and queues its events. */
static int
rtnl_monitor_read(struct rtnl_monitor *mon)
{
    ssize_t n;

    do {
        n = recv(mon->fd, mon->buf, RTNL_RECV_BUF, MSG_DONTWAIT);
    } while (n < 0 && errno == EINTR);
    if (n < 0) {
        if (errno == ENOBUFS) {
            /* Lost notifications: only a full dump can tell what changed. */
            return rtnl_monitor_resync(mon, true);
        }
        return errno;
    }

    for (struct nlmsghdr *nlh = (struct nlmsghdr *) mon->buf;
         NLMSG_OK(nlh, (size_t) n); nlh = NLMSG_NEXT(nlh, n)) {
        struct rtnl_link link;

        if (rtnl_parse_link(nlh, &link)) {
            continue;
        }
        if (nlh->nlmsg_type == RTM_NEWLINK) {
            rtnl_monitor_note_link(mon, &link);
        } else {
            struct rtnl_known *k = rtnl_known_find(mon, link.ifindex);
            if (k) {
                rtnl_monitor_forget(mon, k);
            } else {
                rtnl_monitor_push_gone(mon, link.ifindex, link.name);
            }
        }
    }
    return 0;
}

int
rtnl_monitor_recv(struct rtnl_monitor *mon, struct rtnl_link_event *event)
{
    while (mon->head >= mon->n) {
        int error = rtnl_monitor_read(mon);
        if (error) {
            return error;
        }
    }
    *event = mon->queue[mon->head++];
    return 0;
}

const char *
rtnl_link_event_type_to_string(enum rtnl_link_event_type type)
{
    switch (type) {
    case RTNL_LINK_APPEARED:
        return "appeared";
    case RTNL_LINK_DISAPPEARED:
        return "disappeared";
    case RTNL_LINK_CHANGED:
        return "changed";
    }
    return "unknown";
}
