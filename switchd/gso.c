/* gso.c: software TCP segmentation. */
#include <config.h>
#include "gso.h"

#include <arpa/inet.h>
#include <errno.h>
#include <string.h>
#include "csum.h"
#include "flow.h"
#include "util.h"

#define TCP_FIN 0x01
#define TCP_PSH 0x08
#define TCP_CWR 0x80

static void
put16(uint8_t *p, uint16_t host)
{
    p[0] = host >> 8;
    p[1] = host;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static uint32_t
get32(const uint8_t *p)
{
    return ((uint32_t) p[0] << 24) | (p[1] << 16) | (p[2] << 8) | p[3];
}

static void
put32(uint8_t *p, uint32_t host)
{
    put16(p, host >> 16);
    put16(p + 2, host);
}

int
gso_segment(const struct dp_packet *p, struct dp_packet_pool *pool,
            struct dp_packet **segs, size_t max_segs, size_t *n_segs)
{
    const uint8_t *data = dp_packet_data(p);
    struct flow_l2 l2;
    struct flow_l4 l4;
    size_t hdr_len, payload_len, mss, n, got;
    uint8_t flags;
    uint32_t seq;
    uint16_t ip_id = 0;

    *n_segs = 0;
    if (!flow_parse_l2(data, p->size, &l2)) {
        return EINVAL;
    }
    flow_parse_l4(data, p->size, &l2, &l4);
    if (!l4.l4_ofs || l4.nw_proto != IPPROTO_TCP_
        || l4.ip_version != ((p->ol.gso_type & ~DP_PACKET_GSO_ECN)
                             == DP_PACKET_GSO_TCPV4 ? 4 : 6)
        || !p->ol.gso_size) {
        return EINVAL;
    }
    hdr_len = l4.l4_ofs + (data[l4.l4_ofs + 12] >> 4) * 4;
    payload_len = l4.l4_ofs + l4.l4_len - hdr_len;
    mss = p->ol.gso_size;
    n = payload_len ? (payload_len + mss - 1) / mss : 1;
    if (n > max_segs
        || DP_PACKET_HEADROOM + hdr_len + MIN(mss, payload_len)
           > dp_packet_pool_buf_size(pool)) {
        return EMSGSIZE;
    }
    got = dp_packet_pool_get(pool, segs, n);
    if (got != n) {
        dp_packet_delete_array(segs, got);
        return ENOBUFS;
    }

    flags = data[l4.l4_ofs + 13];
    seq = get32(data + l4.l4_ofs + 4);
    if (l4.ip_version == 4) {
        ip_id = get16(data + l2.l3_ofs + 4);
    }
    for (size_t i = 0; i < n; i++) {
        struct dp_packet *s = segs[i];
        uint8_t *sd = dp_packet_data(s);
        size_t off = i * mss;
        size_t len = MIN(mss, payload_len - off);
        uint8_t *tcp = sd + l4.l4_ofs;
        uint8_t *ip = sd + l2.l3_ofs;
        uint16_t csum;

        memcpy(sd, data, hdr_len);
        memcpy(sd + hdr_len, data + hdr_len + off, len);
        s->size = hdr_len + len;

        if (l4.ip_version == 4) {
            put16(ip + 2, s->size - l2.l3_ofs);
            put16(ip + 4, ip_id + i);
            csum_ipv4_header_update(sd, &l2);
        } else {
            put16(ip + 4, s->size - l2.l3_ofs - 40);
        }
        put32(tcp + 4, seq + off);
        tcp[13] = flags;
        if (i + 1 < n) {
            tcp[13] &= ~(TCP_FIN | TCP_PSH);
        }
        if (i > 0) {
            tcp[13] &= ~TCP_CWR;
        }
        memset(tcp + 16, 0, 2);
        csum = csum_finish(csum_add(csum_pseudo_header(sd, &l2, &l4,
                                                       s->size - l4.l4_ofs),
                                    tcp, s->size - l4.l4_ofs));
        memcpy(tcp + 16, &csum, 2);
    }
    *n_segs = n;
    return 0;
}
