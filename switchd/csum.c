/* csum.c: Internet checksums. */
#include <config.h>
#include "csum.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>

uint32_t
csum_add(uint32_t sum, const void *data_, size_t n)
{
    const uint8_t *data = data_;
    uint64_t acc = sum;

    /* Eight bytes at a time into a 64-bit accumulator: the carries that
     * pile up in the upper half are folded back in at the end, which is
     * what ones'-complement addition needs. */
    while (n >= 8) {
        uint64_t w;
        memcpy(&w, data, 8);
        acc += w >> 32;
        acc += w & 0xffffffff;
        data += 8;
        n -= 8;
    }
    while (n >= 2) {
        uint16_t w;
        memcpy(&w, data, 2);
        acc += w;
        data += 2;
        n -= 2;
    }
    if (n) {
        /* The odd byte is the first byte of a 16-bit word in memory. */
        uint16_t w = 0;
        memcpy(&w, data, 1);
        acc += w;
    }
    acc = (acc & 0xffffffff) + (acc >> 32);
    acc = (acc & 0xffffffff) + (acc >> 32);
    return csum_fold(acc);
}

/* htons() turns a host-order value into the word that would be read from
 * memory in network order, so that it can join a sum of in-memory words. */
#define net16(X) htons(X)

uint32_t
csum_pseudo_header(const void *data, const struct flow_l2 *l2,
                   const struct flow_l4 *l4, uint32_t l4_len)
{
    const uint8_t *ip = (const uint8_t *) data + l2->l3_ofs;
    uint32_t sum;

    if (l4->ip_version == 4) {
        sum = csum_add(0, ip + 12, 8);
    } else {
        sum = csum_add(0, ip + 8, 32);
    }
    sum += net16(l4->nw_proto);
    sum += net16(l4_len & 0xffff);
    sum += net16(l4_len >> 16);
    return sum;
}

void
csum_ipv4_header_update(void *data, const struct flow_l2 *l2)
{
    uint8_t *ip = (uint8_t *) data + l2->l3_ofs;
    size_t ihl = (ip[0] & 0x0f) * 4;
    uint16_t csum;

    memset(ip + 10, 0, 2);
    csum = csum_finish(csum_add(0, ip, ihl));
    memcpy(ip + 10, &csum, 2);
}

int
csum_complete(struct dp_packet *p)
{
    uint8_t *data = dp_packet_data(p);
    uint32_t start = p->ol.csum_start;
    uint32_t field = start + p->ol.csum_offset;
    uint16_t csum;

    if (start > p->size || field + 2 > p->size) {
        return EINVAL;
    }
    csum = csum_finish(csum_add(0, data + start, p->size - start));
    if (!csum && p->ol.csum_offset == 6) {
        csum = 0xffff;
    }
    memcpy(data + field, &csum, 2);
    p->ol.flags &= ~DP_PACKET_OL_NEEDS_CSUM;
    return 0;
}

bool
csum_mark_partial(struct dp_packet *p, const struct flow_l2 *l2,
                  const struct flow_l4 *l4)
{
    const uint8_t *data = dp_packet_data(p);
    uint16_t offset, field;

    if (!l4->l4_ofs || l4->is_fragment
        || (p->ol.flags & DP_PACKET_OL_NEEDS_CSUM)) {
        return false;
    }
    offset = l4->nw_proto == IPPROTO_TCP_ ? 16 : 6;
    memcpy(&field, data + l4->l4_ofs + offset, 2);
    if (field != csum_fold(csum_pseudo_header(data, l2, l4, l4->l4_len))) {
        return false;
    }
    /* csum_complete() sums to the end of the frame, so Ethernet padding
     * after the IP payload goes: no receiver needs it. */
    p->size = l4->l4_ofs + l4->l4_len;
    p->ol.flags |= DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = l4->l4_ofs;
    p->ol.csum_offset = offset;
    return true;
}
