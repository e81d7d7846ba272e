/* flow.c: IP and transport header parsing. */
#include <config.h>
#include "flow.h"
#include "util.h"

void
flow_parse_l4(const void *data, size_t size, const struct flow_l2 *l2,
              struct flow_l4 *l4)
{
    const uint8_t *p = data;
    size_t l3 = l2->l3_ofs;
    size_t end;              /* End of the IP payload, within the frame. */
    size_t l4_ofs;

    memset(l4, 0, sizeof *l4);
    if (l2->dl_type == ETH_TYPE_IP) {
        size_t ihl, tot_len;
        uint16_t frag;

        if (size < l3 + 20 || (p[l3] >> 4) != 4) {
            return;
        }
        ihl = (p[l3] & 0x0f) * 4;
        tot_len = (p[l3 + 2] << 8) | p[l3 + 3];
        if (ihl < 20 || tot_len < ihl || size < l3 + ihl) {
            return;
        }
        frag = (p[l3 + 6] << 8) | p[l3 + 7];
        l4->ip_version = 4;
        l4->nw_proto = p[l3 + 9];
        l4->is_fragment = (frag & 0x3fff) != 0;
        end = MIN(size, l3 + tot_len);
        l4_ofs = l3 + ihl;
        if (l4->is_fragment) {
            return;
        }
    } else if (l2->dl_type == ETH_TYPE_IPV6) {
        size_t plen;

        if (size < l3 + 40 || (p[l3] >> 4) != 6) {
            return;
        }
        plen = (p[l3 + 4] << 8) | p[l3 + 5];
        l4->ip_version = 6;
        l4->nw_proto = p[l3 + 6];
        end = MIN(size, l3 + 40 + plen);
        l4_ofs = l3 + 40;
    } else {
        return;
    }

    /* A TCP data offset under 5 words would put the options, or the
     * payload, inside the fixed header: such a header is malformed, and
     * segmenting it would write sequence numbers and checksums over
     * payload bytes. */
    if ((l4->nw_proto == IPPROTO_TCP_ && end >= l4_ofs + 20
         && (p[l4_ofs + 12] >> 4) >= 5
         && end >= l4_ofs + (p[l4_ofs + 12] >> 4) * 4)
        || (l4->nw_proto == IPPROTO_UDP_ && end >= l4_ofs + 8)) {
        l4->l4_ofs = l4_ofs;
        l4->l4_len = end - l4_ofs;
    }
}
