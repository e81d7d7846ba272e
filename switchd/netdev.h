/* netdev.h: the port-driver interface.
 *
 * A port driver ("tap", "afxdp", "afpacket", and "dummy" in tests, see
 * netdev-dummy.h) is a struct netdev_class: a table of operations.  A driver embeds struct
 * netdev as the first member of its own device struct:
 *
 *     struct netdev_tap {
 *         struct netdev up;
 *         int fd;
 *         ...
 *     };
 *
 * and its open() calls netdev_init(&dev->up, class, name) before returning
 * &dev->up.  close() calls netdev_uninit() and frees the struct.
 *
 * Who calls what:
 *  - open, close, the get_* operations and rxq_fd: the control thread.
 *    get_stats may run while forwarding threads use the device, so the
 *    driver keeps its counters in relaxed atomics or per-queue fields that
 *    it sums on read, never behind a lock the fast path takes.
 *  - recv_batch: exactly one forwarding thread per netdev at a time.
 *  - send_batch: any forwarding thread, but the datapath serialises calls
 *    on one netdev (it holds the netdev's tx lock for the whole batch), so
 *    a driver needs no lock of its own for its tx ring.  send_batch may run
 *    at the same time as recv_batch on another thread.
 *  - The datapath stops calling recv_batch and send_batch on a netdev, and
 *    waits for its forwarding threads to notice, before it calls close().
 *
 * Errors are positive errno values, 0 meaning success.  open() also
 * explains a failure in words, for the Interface's 'error' column: a
 * malloc()ed message through its 'errorp' argument, which the caller
 * frees, never a buffer of the driver's.
 *
 * A "system" port (Interface type "" or "system") is not a driver of its
 * own: netdev_open() tries "afxdp" and falls back to "afpacket" (see
 * there), so that drivers know nothing of each other. */
#ifndef XSW_SWITCHD_NETDEV_H
#define XSW_SWITCHD_NETDEV_H 1

#include <stdbool.h>
#include <stdint.h>
#include "packet.h"
#include "util.h"

struct shash;

/* Capabilities, in struct netdev's 'caps'. */
enum {
    /* send_batch accepts packets with DP_PACKET_OL_NEEDS_CSUM (a TAP with
     * IFF_VNET_HDR).  Without it the datapath completes checksums first. */
    NETDEV_TX_CSUM = 1 << 0,

    /* send_batch accepts GSO_TCPV4 and GSO_TCPV6 packets up to 64 KiB (a
     * TAP with IFF_VNET_HDR and TUN_F_TSO4|TUN_F_TSO6 set on the other
     * side).  Without it the datapath segments them in software. */
    NETDEV_TX_TSO = 1 << 1,

    /* recv_batch may deliver TCP/UDP frames whose checksum field holds
     * only the folded pseudo-header sum, with no offload metadata to say so
     * (AF_XDP on a veth whose peer has tx checksum offload on).  The
     * datapath recognises such frames and marks them NEEDS_CSUM. */
    NETDEV_RX_PARTIAL_CSUM = 1 << 2,
};

/* Counters since the netdev was opened.  'rx_dropped' counts frames lost
 * for want of buffers or ring space, 'tx_dropped' frames given to
 * send_batch that did not go out (a full ring, an oversized frame). */
struct netdev_stats {
    uint64_t rx_packets, rx_bytes, rx_dropped, rx_errors;
    uint64_t tx_packets, tx_bytes, tx_dropped, tx_errors;
};

/* The part of a device every driver shares. */
struct netdev {
    const struct netdev_class *netdev_class;
    char *name;               /* Owned: netdev_init() copies it. */
    unsigned int caps;        /* NETDEV_TX_*, NETDEV_RX_*: set by open(),
                               * constant afterwards. */
    char *fallback_reason;    /* Owned: why a "system" port runs on
                               * AF_PACKET rather than AF_XDP, or NULL. */
};

struct netdev_class {
    /* Type name as in the Interface table's 'type' column: "tap",
     * "afxdp", "afpacket". */
    const char *type;

    /* Opens the device named 'name' (a Linux interface name).  'options'
     * maps option names (char *) to values (char *, in 'data'), from the
     * Interface table's 'options' column, e.g. "xdp-mode" -> "native"; it
     * may be NULL, and the driver copies what it keeps.  On success stores
     * the new netdev in '*netdevp', NULL in '*errorp' and returns 0; on
     * failure returns an errno value, stores NULL in '*netdevp' and a
     * malloc()ed one-line message naming the device in '*errorp' (NULL if
     * the errno value says it all). */
    int (*open)(const char *name, const struct shash *options,
                struct netdev **netdevp, char **errorp);

    /* Releases everything the netdev holds, including the packet buffers
     * it owns; every packet it handed out must have come back first (the
     * datapath returns them before closing). */
    void (*close)(struct netdev *);

    /* A file descriptor that poll(2) reports readable when recv_batch has
     * work, or -1 if the device must be busy-polled. */
    int (*rxq_fd)(const struct netdev *);

    /* Receives up to NETDEV_MAX_BURST frames into 'batch', which the caller
     * passes empty.  Returns 0 with batch->count > 0; EAGAIN if there was
     * nothing to receive; another errno value on error (batch empty).  The
     * caller owns the packets and returns them with dp_packet_delete() or
     * by sending them.  Each frame has at least DP_PACKET_HEADROOM bytes of
     * headroom; offload metadata is filled in (all zero for drivers
     * without offloads). */
    int (*recv_batch)(struct netdev *, struct dp_packet_batch *batch);

    /* Sends the packets in 'batch' and takes ownership of all of them,
     * even on error: once they are on the wire (or copied to the device's
     * own buffers, or dropped) the driver gives each back to its owner.  An
     * AF_XDP driver may put a frame from its own umem straight onto its TX
     * ring (zero copy) and release it on completion.  Empties 'batch'.
     * Packets carry offload metadata only as 'caps' allows.  Returns 0 if
     * all went out, otherwise an errno value for the first failure (the
     * failed frames are counted in tx_dropped or tx_errors). */
    int (*send_batch)(struct netdev *, struct dp_packet_batch *batch);

    /* Fills in '*stats'.  Never fails. */
    void (*get_stats)(const struct netdev *, struct netdev_stats *stats);

    /* Each stores a property and returns 0, or returns an errno value.
     * NULL means EOPNOTSUPP. */
    int (*get_etheraddr)(const struct netdev *, struct eth_addr *mac);
    int (*get_ifindex)(const struct netdev *, int *ifindex);
    int (*get_mtu)(const struct netdev *, int *mtu);
    int (*get_link_state)(const struct netdev *, bool *up);
    /* IFF_UP alone, whether or not the device has carrier.  Drivers of
     * devices that stay in our namespace may leave it NULL: the caller
     * then asks by name. */
    int (*get_admin_state)(const struct netdev *, bool *up);

    /* The largest MTU whose frames (with a VLAN tag) the driver carries
     * whole in both directions, whatever the device's own MTU, or 0 if
     * only the device limits them.  NULL means 0. */
    int (*get_max_mtu)(const struct netdev *);

    /* A short static string naming how the driver attaches, for
     * dpif/show: "native", "generic", "native-with-zerocopy" for AF_XDP;
     * NULL (or a NULL operation) when there is nothing to say. */
    const char *(*get_mode)(const struct netdev *);
};

/* The built-in drivers, defined in netdev-tap.c, netdev-afxdp.c and
 * netdev-afpacket.c.  xsw-switchd registers them at startup. */
extern const struct netdev_class netdev_tap_class;
extern const struct netdev_class netdev_afxdp_class;
extern const struct netdev_class netdev_afpacket_class;

/* Class registry.  Used by the control thread only.  Returns 0, EEXIST or
 * ENOSPC. */
int netdev_register_class(const struct netdev_class *);

/* Opens 'name' with the class registered for 'type', as netdev_class's
 * open() says; EAFNOSUPPORT (and no message) if there is none.
 *
 * Type "system" (or ""), a system port, is opened with the "afxdp" class
 * if it can be, otherwise with "afpacket": the fallback policy lives here,
 * not in either driver.  A missing device or a bad option (ENODEV,
 * EINVAL) is the user's to fix, and AF_PACKET would fail the same way or
 * silently ignore the option, so those fail at once with AF_XDP's
 * message.  After a fallback, netdev_get_fallback_reason() says why; if
 * AF_PACKET fails too, the message gives both reasons.
 *
 * 'errorp' may be NULL if the caller has no use for a message. */
int netdev_open(const char *type, const char *name,
                const struct shash *options, struct netdev **netdevp,
                char **errorp);

/* Closes 'netdev' (NULL is fine). */
void netdev_close(struct netdev *);

/* For drivers: sets up and tears down the common part. */
void netdev_init(struct netdev *, const struct netdev_class *,
                 const char *name);
void netdev_uninit(struct netdev *);

/* For drivers' open(): replaces the message in '*errorp' (freeing the
 * one there, if any) by a new one. */
void netdev_set_error(char **errorp, const char *format, ...)
    PRINTF_FORMAT(2, 3);

/* Wrappers that return EOPNOTSUPP (or -1, or NULL) for missing
 * operations. */
int netdev_rxq_fd(const struct netdev *);
int netdev_recv_batch(struct netdev *, struct dp_packet_batch *);
int netdev_send_batch(struct netdev *, struct dp_packet_batch *);
void netdev_get_stats(const struct netdev *, struct netdev_stats *);
int netdev_get_etheraddr(const struct netdev *, struct eth_addr *);
int netdev_get_ifindex(const struct netdev *, int *);
int netdev_get_mtu(const struct netdev *, int *);
int netdev_get_link_state(const struct netdev *, bool *);
int netdev_get_admin_state(const struct netdev *, bool *);
const char *netdev_get_mode(const struct netdev *);
int netdev_get_max_mtu(const struct netdev *);

static inline const char *
netdev_get_name(const struct netdev *netdev)
{
    return netdev->name;
}

static inline const char *
netdev_get_type(const struct netdev *netdev)
{
    return netdev->netdev_class->type;
}

/* Why a "system" port runs on AF_PACKET rather than AF_XDP ("using
 * AF_PACKET because AF_XDP is not available: ..."), for the Interface's
 * status column; NULL for any other netdev. */
static inline const char *
netdev_get_fallback_reason(const struct netdev *netdev)
{
    return netdev->fallback_reason;
}

#endif /* netdev.h */
