/* netdev-afxdp.h: system ports (a veth end, a NIC) through AF_XDP.
 *
 * The driver binds one AF_XDP socket to queue 0 of the device with libxdp's
 * default XDP program, which redirects every frame arriving on that queue
 * into the socket.  XDP_REDIRECT takes the frame away from the kernel
 * stack, so the host does not also answer ARP or ICMP on the device: an
 * address the host itself should have on the bridge belongs on an internal
 * (TAP) port, not on the uplink.
 *
 * Buffers: a 16 MiB umem of 4 KiB frames, each with its own struct
 * dp_packet, allocated once at open.  Frames circulate between the fill
 * ring, the RX ring, the datapath, the TX ring and the completion ring
 * without any allocation.  A frame from this umem sent back out of the same
 * device goes onto the TX ring as is; anything else is copied into a free
 * frame.  TX is kicked with sendto() when the kernel asks for it
 * (XDP_USE_NEED_WAKEUP).
 *
 * Caps: NETDEV_RX_PARTIAL_CSUM (a veth peer with TX checksum offload sends
 * TCP/UDP frames whose checksum holds only the pseudo-header sum; see
 * /work/shared/FIELD-NOTES.md).  NETDEV_TX_CSUM where the kernel has AF_XDP
 * TX metadata (Linux 6.11 or later) and the socket is in copy mode (every
 * veth): a NEEDS_CSUM packet goes out with a checksum request, the kernel
 * hands it on as CHECKSUM_PARTIAL, and a receiving stack trusts it as it
 * would a frame from its own veth peer.  No TSO: the datapath segments
 * before sending here.  netdev_afxdp_get_tx_csum() says which applies; the
 * choice is also logged when the port opens.
 *
 * Options understood by open():
 *   "xdp-mode"  "best-effort" (default): native XDP if the driver has it,
 *               generic (SKB) mode otherwise; "native"; "generic";
 *               "native-with-zerocopy" (native and zero-copy, or fail).
 * get_mode() reports what is in use: "native", "native-with-zerocopy" or
 * "generic".
 *
 * Known limits: only queue 0 is served, so a multi-queue NIC should be set
 * to one combined channel (ethtool -L DEV combined 1).
 *
 * Jumbo frames: with AF_XDP multi-buffer (XDP_USE_SG, Linux 6.6; the
 * redirect program loaded with xdp.frags support) a frame may span several
 * 4 KiB umem frames, up to MTU 9216, copied on receive and transmit (the
 * usual one-frame case stays zero-copy in the datapath).  Without it, a
 * frame must fit one umem frame (4096 - 256 bytes: MTU 3822) and larger
 * ones are dropped.  get_max_mtu() says which, and xsw-switchd gives the
 * device no larger MTU. */
#ifndef XSW_NETDEV_AFXDP_H
#define XSW_NETDEV_AFXDP_H 1

#include <stdbool.h>

struct netdev;

/* Who completes the TCP/UDP checksums of packets sent through 'netdev', an
 * "afxdp" netdev: "kernel" (NETDEV_TX_CSUM is in its caps) or "software
 * (REASON)".  A static string, for the Interface's status column. */
const char *netdev_afxdp_get_tx_csum(const struct netdev *netdev);

/* Whether 'netdev', an "afxdp" netdev, carries jumbo frames: "up to MTU
 * 9216 (multi-buffer)" or "no: MTU 3822 at most (REASON)".  A static
 * string, for the Interface's status column (key jumbo_frames). */
const char *netdev_afxdp_get_jumbo(const struct netdev *netdev);

/* Start-up sweep: if device 'name' carries the XDP program that libxdp
 * attaches for AF_XDP sockets ("xsk_def_prog"), left behind by a crashed
 * xsw-switchd, detaches it.  Sets '*removed' accordingly.  Only call it for
 * devices this switch is configured to own.  ENODEV if no such device. */
int netdev_afxdp_remove_stale_prog(const char *name, bool *removed);

/* Sends libxdp's and libbpf's chatter ("No bpffs found...") nowhere.  open()
 * calls it; exposed for programs that use libxdp before. */
void netdev_afxdp_quiet_libxdp(void);

#endif /* netdev-afxdp.h */
