/* rtnl.h: the little rtnetlink that xsw-switchd's port drivers and
 * xsw-cni need.
 *
 * Two halves:
 *
 *   - Requests about one network device in the *calling thread's* network
 *     namespace: look it up (by name or ifindex), set it up or down, set its
 *     MTU, MAC or alias, move it into another namespace, delete it, give it
 *     addresses and routes.  Each request opens a NETLINK_ROUTE
 *     socket, waits for the kernel's answer and closes the socket again, so
 *     that a caller may switch namespaces (see netns.h) between two requests
 *     and every request talks to the namespace the thread is in *now*.
 *     These are control-path calls; none of them is on the packet path.
 *
 *   - A link monitor: a netlink socket subscribed to RTMGRP_LINK that turns
 *     the kernel's RTM_NEWLINK/RTM_DELLINK messages into "link NAME
 *     appeared / disappeared / changed" events.  The kernel sends
 *     RTM_NEWLINK both for a new device and for every change to an existing
 *     one, so the monitor remembers which devices it has seen (seeded with a
 *     dump at creation) to tell the two apart.  switchd polls its fd and
 *     attaches a port whose device was missing as soon as it appears.
 *
 * Every function returns 0 or a positive errno value. */
#ifndef XSW_RTNL_H
#define XSW_RTNL_H 1

#include <net/if.h>
#include <stdbool.h>
#include <stdint.h>

#define RTNL_ALIAS_MAX 256      /* IFALIASZ in the kernel. */

/* What the kernel says about one network device. */
struct rtnl_link {
    int ifindex;
    char name[IF_NAMESIZE];
    char kind[32];              /* IFLA_INFO_KIND: "tun", "veth", ... or "". */
    char alias[RTNL_ALIAS_MAX]; /* IFLA_IFALIAS, "" if none. */
    uint8_t mac[6];             /* IFLA_ADDRESS (zero if the device has none). */
    bool has_mac;
    unsigned int mtu;
    unsigned int flags;         /* IFF_UP, IFF_RUNNING, IFF_LOWER_UP, ... */
    uint8_t operstate;          /* IF_OPER_UP, IF_OPER_DOWN, ... */

    /* For kind "tun" only (IFLA_TUN_* in IFLA_INFO_DATA). */
    bool tun_is_tap;            /* IFF_TAP rather than IFF_TUN. */
    bool tun_persist;
    bool tun_vnet_hdr;
};

/* True if the link is administratively up and has carrier. */
static inline bool
rtnl_link_is_up(const struct rtnl_link *link)
{
    return (link->flags & IFF_UP) && (link->flags & IFF_RUNNING);
}

int rtnl_link_get_by_name(const char *name, struct rtnl_link *);
int rtnl_link_get_by_index(int ifindex, struct rtnl_link *);

/* Calls 'cb' for every device in the calling thread's namespace.  Stops and
 * returns what 'cb' returns if that is nonzero. */
int rtnl_link_dump(int (*cb)(const struct rtnl_link *, void *aux), void *aux);

int rtnl_link_set_up(int ifindex, bool up);
int rtnl_link_set_mtu(int ifindex, unsigned int mtu);
int rtnl_link_set_mac(int ifindex, const uint8_t mac[6]);
int rtnl_link_set_alias(int ifindex, const char *alias);
int rtnl_link_delete(int ifindex);

/* Moves device 'ifindex' into the network namespace 'ns_fd' (an open nsfs
 * file), renaming it 'new_name' there if that is nonnull.  EEXIST if the
 * name is taken there. */
int rtnl_link_set_netns(int ifindex, int ns_fd, const char *new_name);

/* Adds address 'addr' ('family' AF_INET or AF_INET6: 4 or 16 bytes in
 * network order) with 'prefixlen' to device 'ifindex'.  EEXIST if it is
 * there already. */
int rtnl_addr_add(int ifindex, int family, const void *addr,
                  unsigned int prefixlen);

/* Calls 'cb' for every IPv4 and IPv6 address of device 'ifindex' ('addr'
 * is 4 or 16 bytes in network order).  Stops and returns what 'cb' returns
 * if that is nonzero. */
int rtnl_addr_dump(int ifindex,
                   int (*cb)(int family, const void *addr,
                             unsigned int prefixlen, void *aux),
                   void *aux);

/* Adds a route to 'dst'/'dst_len' (0 for the default route; 'dst' may then
 * be NULL) through 'gateway' (NULL: on the link) out of device 'ifindex',
 * in the main table. */
int rtnl_route_add(int family, const void *dst, unsigned int dst_len,
                   const void *gateway, int ifindex);

/* Link monitor. */

enum rtnl_link_event_type {
    RTNL_LINK_APPEARED,         /* A device with this name now exists. */
    RTNL_LINK_DISAPPEARED,      /* It is gone (deleted, renamed, moved out). */
    RTNL_LINK_CHANGED,          /* Flags, MTU, address or alias changed. */
};

struct rtnl_link_event {
    enum rtnl_link_event_type type;
    struct rtnl_link link;      /* For DISAPPEARED: only ifindex and name. */
};

struct rtnl_monitor;

/* Creates a monitor for the calling thread's current namespace.  On success
 * stores it in '*monitorp' (the caller owns it: rtnl_monitor_destroy()). */
int rtnl_monitor_create(struct rtnl_monitor **monitorp);
void rtnl_monitor_destroy(struct rtnl_monitor *);

/* The fd to poll for POLLIN (e.g. with a libuv uv_poll_t). */
int rtnl_monitor_fd(const struct rtnl_monitor *);

/* Stores the next event in '*event' and returns 0, or returns EAGAIN if
 * nothing is pending.  Never blocks.  If the kernel dropped notifications
 * (ENOBUFS, the socket's buffer overflowed), the monitor re-synchronizes
 * with a full dump by itself and reports the differences as events, so the
 * caller never has to handle that case. */
int rtnl_monitor_recv(struct rtnl_monitor *, struct rtnl_link_event *event);

const char *rtnl_link_event_type_to_string(enum rtnl_link_event_type);

#endif /* rtnl.h */
