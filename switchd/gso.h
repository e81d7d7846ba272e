/* gso.h: software TCP segmentation (GSO) for ports without TSO.
 *
 * A TAP with a vnet header hands over TCP packets of up to 64 KiB marked
 * DP_PACKET_GSO_TCPV4 or _TCPV6, to be cut into gso_size-byte segments.
 * gso_segment() does what the NIC would: each segment gets a copy of the
 * Ethernet (and 802.1Q), IP and TCP headers, then its slice of payload;
 * IPv4 total length, IP ID (incremented per segment) and header checksum,
 * IPv6 payload length, TCP sequence number and flags (FIN and PSH only on
 * the last segment, CWR only on the first) are set, and the TCP checksum
 * is computed in full. */
#ifndef XSW_SWITCHD_GSO_H
#define XSW_SWITCHD_GSO_H 1

#include <stddef.h>
#include "packet.h"

/* Most segments gso_segment() produces from one packet: enough for 64 KiB
 * with a gso_size down to 257 bytes. */
#define GSO_MAX_SEGS 256

/* Segments 'p' (a GSO_TCPV4 or GSO_TCPV6 packet) into packets taken from
 * 'pool', stored in 'segs' (room for 'max_segs'), and stores their number
 * in '*n_segs'.  The segments carry no offload metadata.  'p' is left
 * alone: the caller still owns it.  Returns 0 on success; EINVAL if 'p' is
 * not a well-formed TCP packet of the type it claims or has a zero
 * gso_size; EMSGSIZE if it needs more than 'max_segs' segments or they do
 * not fit the pool's buffers; ENOBUFS if the pool ran dry.  On error no
 * segments are left allocated. */
int gso_segment(const struct dp_packet *p, struct dp_packet_pool *pool,
                struct dp_packet **segs, size_t max_segs, size_t *n_segs);

#endif /* gso.h */
