/* netdev-afpacket.h: system ports through an AF_PACKET socket, the
 * fallback when AF_XDP cannot be used on a device (netdev.c's
 * netdev_open() decides; the driver, netdev_afpacket_class in netdev.h,
 * knows nothing of AF_XDP).
 *
 * One SOCK_RAW packet socket bound to the device, with PACKET_VNET_HDR so
 * that checksum and GSO metadata travel with each frame in both directions
 * (the kernel completes checksums and segments for a device that cannot),
 * PACKET_AUXDATA to restore VLAN tags the device stripped on receive, and
 * PACKET_IGNORE_OUTGOING so that our own transmissions do not come back.
 * Frames move in batches of NETDEV_MAX_BURST with recvmmsg()/sendmmsg(),
 * into and out of a pool of 64 KiB buffers allocated at open (a received
 * frame may be a GSO packet).  The device is put in promiscuous mode for
 * as long as the socket lives (a packet-socket membership, which the
 * kernel undoes if the process dies).
 *
 * Caps: NETDEV_TX_CSUM | NETDEV_TX_TSO.
 *
 * Unlike AF_XDP, a packet socket only gets copies: the kernel stack still
 * sees every frame and answers ARP and ICMP for addresses on the device
 * itself (see /work/shared/FIELD-NOTES.md), so a device attached this way
 * should carry no IP address. */
#ifndef XSW_NETDEV_AFPACKET_H
#define XSW_NETDEV_AFPACKET_H 1

#endif /* netdev-afpacket.h */
