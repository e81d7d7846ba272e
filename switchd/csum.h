/* csum.h: Internet checksums (RFC 1071), and completing partial ones.
 *
 * Sums are accumulated over the data as it lies in memory, 16 bits at a
 * time in host byte order; the ones'-complement sum is byte-order
 * independent, so a folded result can be stored into a packet as is.
 *
 * A "partial" checksum is what a sender with checksum offload leaves in a
 * TCP or UDP header: the folded, uncomplemented sum of the pseudo-header,
 * with the device expected to add the rest.  virtio-net says so with
 * NEEDS_CSUM, csum_start and csum_offset.  A frame received through AF_XDP
 * from a veth carries such a checksum with nothing to say so; csum_mark_
 * partial() recognises it exactly (the field equals the pseudo-header sum)
 * and turns it into NEEDS_CSUM metadata, so that from then on one rule
 * applies: a port that accepts NEEDS_CSUM (a TAP with a vnet header) gets
 * the packet unchanged, any other port gets it completed in software by
 * csum_complete().  A frame whose checksum is already complete can match
 * too (once in 65536); completing it rewrites the same value, so no
 * harm follows. */
#ifndef XSW_SWITCHD_CSUM_H
#define XSW_SWITCHD_CSUM_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "flow.h"
#include "packet.h"

/* Adds the 'n' bytes at 'data' to the 32-bit accumulator 'sum'. */
uint32_t csum_add(uint32_t sum, const void *data, size_t n);

/* Folds 'sum' to 16 bits (not complemented). */
static inline uint16_t
csum_fold(uint32_t sum)
{
    sum = (sum & 0xffff) + (sum >> 16);
    sum = (sum & 0xffff) + (sum >> 16);
    return sum;
}

/* The checksum to store: the complement of the folded sum. */
static inline uint16_t
csum_finish(uint32_t sum)
{
    return ~csum_fold(sum);
}

/* The unfolded sum of the IPv4 or IPv6 pseudo-header for the frame at
 * 'data' with headers 'l2'/'l4' (which must describe a TCP or UDP packet),
 * for an L4 length of 'l4_len'. */
uint32_t csum_pseudo_header(const void *data, const struct flow_l2 *l2,
                            const struct flow_l4 *l4, uint32_t l4_len);

/* Computes the IPv4 header checksum of the frame at 'data' in place. */
void csum_ipv4_header_update(void *data, const struct flow_l2 *l2);

/* Completes the checksum of a packet marked DP_PACKET_OL_NEEDS_CSUM: sums
 * from csum_start to the end of the frame (the field already holds the
 * pseudo-header sum) and stores the result at csum_start + csum_offset.
 * Clears NEEDS_CSUM.  A UDP checksum that comes out as 0 is sent as
 * 0xffff, 0 meaning "none" in IPv4 UDP; csum_offset 6 is taken to mean
 * UDP.  Returns EINVAL, changing nothing, if the offsets lie outside the
 * frame. */
int csum_complete(struct dp_packet *);

/* If 'p' (parsed into 'l2'/'l4') is a TCP or UDP packet, not a fragment,
 * whose checksum field holds exactly the folded pseudo-header sum, marks
 * it DP_PACKET_OL_NEEDS_CSUM with csum_start/csum_offset pointing at the
 * field and returns true.  Otherwise leaves it alone and returns false. */
bool csum_mark_partial(struct dp_packet *p, const struct flow_l2 *l2,
                       const struct flow_l4 *l4);

#endif /* csum.h */
