/* fuzz-packet.c: libFuzzer harness for switchd's packet parsing.
 *
 * Every frame on a port comes from whoever is on the wire, so the parser
 * (flow.h), the checksum code (csum.h) and software segmentation (gso.h)
 * must stay within the frame whatever its headers claim: a 10-byte frame,
 * an IP header longer than the frame, a TCP data offset of 60 in a
 * 64-byte frame, a 64 KiB GSO packet.  Each frame is copied into a buffer
 * of exactly its size, so that AddressSanitizer sees any read past it.
 *
 * The input's first 4 bytes are offload metadata (GSO size, checksum
 * offsets) as a TAP's virtio-net header would deliver it; the rest is the
 * frame.  Besides memory safety the harness checks what the parsers
 * promise: offsets within the frame, and segments that add up to the
 * original payload and each carry a valid TCP checksum. */
#include <config.h>

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "csum.h"
#include "flow.h"
#include "gso.h"
#include "packet.h"
#include "util.h"

#define META_LEN 4

static struct dp_packet_pool *pool;

static void
fail(const char *what)
{
    fprintf(stderr, "%s\n", what);
    abort();
}

static uint16_t
get16(const uint8_t *p)
{
    return p[0] << 8 | p[1];
}

/* The frame in a packet of its own, with no spare room on either side
 * beyond the headroom that every driver leaves. */
static struct dp_packet *
packet_from(const uint8_t *frame, size_t size)
{
    struct dp_packet *p = dp_packet_new(size, 0);

    memcpy(dp_packet_data(p), frame, size);
    return p;
}

static void
check_segments(const struct dp_packet *p, const struct flow_l2 *l2,
               const struct flow_l4 *l4)
{
    struct dp_packet *segs[GSO_MAX_SEGS];
    const uint8_t *data = dp_packet_data(p);
    size_t hdr_len = l4->l4_ofs + (data[l4->l4_ofs + 12] >> 4) * 4;
    size_t payload = 0, n_segs;
    int error;

    error = gso_segment(p, pool, segs, GSO_MAX_SEGS, &n_segs);
    if (error) {
        if (error != EINVAL && error != EMSGSIZE && error != ENOBUFS) {
            fail("gso_segment() returned an undocumented error");
        }
        if (n_segs) {
            fail("gso_segment() failed but produced segments");
        }
        return;
    }
    for (size_t i = 0; i < n_segs; i++) {
        struct dp_packet *s = segs[i];
        const uint8_t *sd = dp_packet_data(s);
        struct flow_l2 sl2;
        struct flow_l4 sl4;

        if (s->size < hdr_len || s->size - hdr_len > p->ol.gso_size) {
            fail("segment larger than gso_size");
        }
        payload += s->size - hdr_len;
        if (!flow_parse_l2(sd, s->size, &sl2)) {
            fail("segment has no Ethernet header");
        }
        flow_parse_l4(sd, s->size, &sl2, &sl4);
        if (sl4.l4_ofs != l4->l4_ofs
            || sl4.l4_len != s->size - l4->l4_ofs) {
            fail("segment's IP length does not cover its payload");
        }
        /* A correct TCP checksum sums, with the pseudo-header, to all
         * ones. */
        if (csum_fold(csum_add(csum_pseudo_header(sd, &sl2, &sl4,
                                                  sl4.l4_len),
                               sd + sl4.l4_ofs, sl4.l4_len)) != 0xffff) {
            fail("segment's TCP checksum is wrong");
        }
    }
    if (payload != l4->l4_ofs + l4->l4_len - hdr_len) {
        fail("segments do not add up to the payload");
    }
    (void) l2;
    dp_packet_delete_array(segs, n_segs);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const uint8_t *meta = data;
    const uint8_t *frame;
    struct flow_l2 l2;
    struct flow_l4 l4;
    struct dp_packet *p;
    uint8_t *copy;

    if (!pool) {
        /* Enough large buffers for any 64 KiB packet cut into the smallest
         * segments gso_segment() allows. */
        pool = dp_packet_pool_create(GSO_MAX_SEGS, DP_PACKET_SMALL_BUF);
    }
    if (size < META_LEN) {
        return 0;
    }
    frame = data + META_LEN;
    size -= META_LEN;

    copy = xmemdup(frame, size);
    if (!flow_parse_l2(copy, size, &l2)) {
        if (size >= ETH_HEADER_LEN + VLAN_HEADER_LEN) {
            fail("a frame long enough for any L2 header did not parse");
        }
        free(copy);
        return 0;
    }
    if (l2.l3_ofs > size) {
        fail("L3 offset beyond the frame");
    }
    flow_parse_l4(copy, size, &l2, &l4);
    if (l4.l4_ofs && (l4.l4_ofs > size || l4.l4_ofs + l4.l4_len > size)) {
        fail("L4 header or payload beyond the frame");
    }
    free(copy);

    /* Checksum completion with whatever offsets the metadata claims: it
     * must refuse the ones outside the frame. */
    p = packet_from(frame, size);
    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = get16(meta) % (size + 8);
    p->ol.csum_offset = meta[2] % 32;
    if (csum_complete(p) == 0
        && (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM)) {
        fail("csum_complete() succeeded but left NEEDS_CSUM");
    }
    dp_packet_delete(p);

    if (!l4.l4_ofs) {
        return 0;
    }

    /* A received frame whose checksum field holds the pseudo-header sum is
     * taken for a partial one; completing it must give a valid sum. */
    p = packet_from(frame, size);
    if (csum_mark_partial(p, &l2, &l4)) {
        const uint8_t *d = dp_packet_data(p);

        if (csum_complete(p)) {
            fail("csum_mark_partial() set offsets csum_complete() refuses");
        }
        if (csum_fold(csum_add(csum_pseudo_header(d, &l2, &l4, l4.l4_len),
                               d + l4.l4_ofs, l4.l4_len)) != 0xffff) {
            fail("completed checksum does not verify");
        }
    }
    dp_packet_delete(p);

    /* Segmentation of TCP, with the GSO size from the metadata. */
    if (l4.nw_proto == IPPROTO_TCP_) {
        p = packet_from(frame, size);
        p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
        p->ol.gso_type = (l4.ip_version == 4 ? DP_PACKET_GSO_TCPV4
                          : DP_PACKET_GSO_TCPV6) | (meta[3] & 0x80);
        p->ol.gso_size = get16(meta + 2) % 2048;
        p->ol.csum_start = l4.l4_ofs;
        p->ol.csum_offset = 16;
        check_segments(p, &l2, &l4);
        dp_packet_delete(p);
    }
    return 0;
}
