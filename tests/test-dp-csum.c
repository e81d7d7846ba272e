/* test-dp-csum.c: completing partial checksums and software GSO, checked
 * against a straightforward byte-by-byte reference computation. */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include "csum.h"
#include "flow.h"
#include "gso.h"
#include "packet.h"

/* Reference: RFC 1071 on big-endian 16-bit words, one at a time. */
static uint32_t
ref_sum(uint32_t sum, const uint8_t *p, size_t n)
{
    for (size_t i = 0; i < n; i += 2) {
        sum += (p[i] << 8) | (i + 1 < n ? p[i + 1] : 0);
    }
    return sum;
}

static uint16_t
ref_fold(uint32_t sum)
{
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return sum;
}

static uint32_t
ref_pseudo(const uint8_t *f, size_t l3, int ipv, uint8_t proto, size_t len)
{
    uint32_t sum = ipv == 4 ? ref_sum(0, f + l3 + 12, 8)
                            : ref_sum(0, f + l3 + 8, 32);
    return sum + proto + (len & 0xffff) + (len >> 16);
}

/* True if the L4 checksum of the frame verifies. */
static bool
ref_l4_ok(const uint8_t *f, size_t l3, int ipv, uint8_t proto, size_t l4,
          size_t end)
{
    uint32_t sum = ref_pseudo(f, l3, ipv, proto, end - l4);
    return ref_fold(ref_sum(sum, f + l4, end - l4)) == 0xffff;
}

static uint16_t
get16(const uint8_t *p)
{
    return (p[0] << 8) | p[1];
}

static void
put16(uint8_t *p, uint16_t v)
{
    p[0] = v >> 8;
    p[1] = v;
}

/* Builds an Ethernet frame with an IPv4 or IPv6 header, a TCP or UDP
 * header and 'payload' pseudo-random bytes, in a heap packet.  The L4
 * checksum field holds the partial (pseudo-header) sum. */
static struct dp_packet *
build(int ipv, uint8_t proto, size_t payload, size_t *l4p)
{
    size_t l3 = 14, ip_len = ipv == 4 ? 20 : 40;
    size_t l4 = l3 + ip_len, l4_hdr = proto == 6 ? 20 : 8;
    size_t size = l4 + l4_hdr + payload;
    struct dp_packet *p = dp_packet_new(size, 0);
    uint8_t *f = dp_packet_data(p);

    memset(f, 0, size);
    memcpy(f, "\x02\0\0\0\0\x02\x02\0\0\0\0\x01", 12);
    if (ipv == 4) {
        put16(f + 12, ETH_TYPE_IP);
        f[l3] = 0x45;
        put16(f + l3 + 2, size - l3);
        put16(f + l3 + 4, 0x1234);
        f[l3 + 8] = 64;
        f[l3 + 9] = proto;
        memcpy(f + l3 + 12, "\xc0\xa8\x01\x0a\xc0\xa8\x02\x14", 8);
        put16(f + l3 + 10, ~ref_fold(ref_sum(0, f + l3, 20)));
    } else {
        put16(f + 12, ETH_TYPE_IPV6);
        f[l3] = 0x60;
        put16(f + l3 + 4, size - l4);
        f[l3 + 6] = proto;
        f[l3 + 7] = 64;
        for (int i = 0; i < 32; i++) {
            f[l3 + 8 + i] = 0x20 + i * 7;
        }
    }
    put16(f + l4, 40000);
    put16(f + l4 + 2, 5201);
    if (proto == 6) {
        memcpy(f + l4 + 4, "\x11\x22\x33\x44", 4);   /* seq */
        f[l4 + 12] = 0x50;
        f[l4 + 13] = 0x80 | 0x10 | 0x08 | 0x01;    /* CWR ACK PSH FIN */
        put16(f + l4 + 14, 512);
    } else {
        put16(f + l4 + 4, size - l4);
    }
    srand(payload);
    for (size_t i = l4 + l4_hdr; i < size; i++) {
        f[i] = rand();
    }
    put16(f + l4 + (proto == 6 ? 16 : 6),
          ref_fold(ref_pseudo(f, l3, ipv, proto, size - l4)));
    *l4p = l4;
    return p;
}

static void
check_complete(int ipv, uint8_t proto, size_t payload)
{
    size_t l4;
    struct dp_packet *p = build(ipv, proto, payload, &l4);
    const uint8_t *f = dp_packet_data(p);

    ck_assert(!ref_l4_ok(f, 14, ipv, proto, l4, p->size));
    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = l4;
    p->ol.csum_offset = proto == 6 ? 16 : 6;
    ck_assert_int_eq(csum_complete(p), 0);
    ck_assert(!(p->ol.flags & DP_PACKET_OL_NEEDS_CSUM));
    ck_assert_msg(ref_l4_ok(f, 14, ipv, proto, l4, p->size),
                  "IPv%d proto %u payload %zu", ipv, proto, payload);
    dp_packet_delete(p);
}

START_TEST(test_complete_tcp4)
{
    check_complete(4, 6, 0);
    check_complete(4, 6, 1);
    check_complete(4, 6, 1001);
    check_complete(4, 6, 1460);
}
END_TEST

START_TEST(test_complete_tcp6)
{
    check_complete(6, 6, 7);
    check_complete(6, 6, 1440);
}
END_TEST

START_TEST(test_complete_udp)
{
    check_complete(4, 17, 3);
    check_complete(4, 17, 1472);
    check_complete(6, 17, 100);
}
END_TEST

START_TEST(test_complete_bad_offsets)
{
    size_t l4;
    struct dp_packet *p = build(4, 6, 10, &l4);
    uint8_t before[128];

    memcpy(before, dp_packet_data(p), p->size);
    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = p->size - 1;
    p->ol.csum_offset = 0;
    ck_assert_int_eq(csum_complete(p), EINVAL);
    p->ol.csum_start = 60000;
    ck_assert_int_eq(csum_complete(p), EINVAL);
    ck_assert(!memcmp(before, dp_packet_data(p), p->size));
    dp_packet_delete(p);
}
END_TEST

/* What AF_XDP from a veth delivers: no metadata, a partial field. */
static void
check_mark(int ipv, uint8_t proto, size_t payload, size_t padding)
{
    size_t l4;
    struct dp_packet *p0 = build(ipv, proto, payload, &l4);
    struct dp_packet *p = dp_packet_new(p0->size + padding, 0);
    size_t real_size = p0->size;
    struct flow_l2 l2;
    struct flow_l4 fl4;
    uint8_t *f = dp_packet_data(p);

    memset(f, 0xee, p->size);
    memcpy(f, dp_packet_data(p0), p0->size);
    dp_packet_delete(p0);
    ck_assert(flow_parse_l2(f, p->size, &l2));
    flow_parse_l4(f, p->size, &l2, &fl4);
    ck_assert(csum_mark_partial(p, &l2, &fl4));
    ck_assert_uint_eq(p->size, real_size);       /* Padding trimmed. */
    ck_assert_int_eq(csum_complete(p), 0);
    ck_assert(ref_l4_ok(f, 14, ipv, proto, l4, p->size));

    /* Now complete: not partial any more, or if taken for one (a 1 in
     * 65536 coincidence), completing changes nothing. */
    uint8_t copy[2048];
    memcpy(copy, f, p->size);
    flow_parse_l4(f, p->size, &l2, &fl4);
    if (csum_mark_partial(p, &l2, &fl4)) {
        ck_assert_int_eq(csum_complete(p), 0);
    }
    ck_assert(!memcmp(copy, f, p->size));

    /* A wrong checksum is neither complete nor partial: left alone. */
    f[l4 + (proto == 6 ? 16 : 6)] ^= 0x5a;
    ck_assert(!csum_mark_partial(p, &l2, &fl4));
    ck_assert(!(p->ol.flags & DP_PACKET_OL_NEEDS_CSUM));
    dp_packet_delete(p);
}

START_TEST(test_mark_partial)
{
    check_mark(4, 6, 100, 0);
    check_mark(4, 6, 0, 6);          /* 54-byte frame padded to 60. */
    check_mark(6, 6, 1000, 0);
    check_mark(4, 17, 18, 0);
    check_mark(6, 17, 5, 0);
}
END_TEST

static void
check_gso(int ipv, size_t payload, size_t mss)
{
    size_t l4, n;
    struct dp_packet *p = build(ipv, 6, payload, &l4);
    const uint8_t *f = dp_packet_data(p);
    struct dp_packet_pool *pool = dp_packet_pool_create(GSO_MAX_SEGS,
                                                        DP_PACKET_SMALL_BUF);
    struct dp_packet *segs[GSO_MAX_SEGS];
    size_t hdr = l4 + 20, expect = (payload + mss - 1) / mss;

    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = l4;
    p->ol.csum_offset = 16;
    p->ol.gso_type = ipv == 4 ? DP_PACKET_GSO_TCPV4 : DP_PACKET_GSO_TCPV6;
    p->ol.gso_size = mss;
    ck_assert_int_eq(gso_segment(p, pool, segs, GSO_MAX_SEGS, &n), 0);
    ck_assert_uint_eq(n, expect);
    for (size_t i = 0; i < n; i++) {
        const uint8_t *s = dp_packet_data(segs[i]);
        size_t len = i + 1 < n ? mss : payload - i * mss;

        ck_assert_uint_eq(segs[i]->size, hdr + len);
        ck_assert_uint_eq(segs[i]->ol.flags, 0);
        ck_assert_uint_eq(segs[i]->ol.gso_type, 0);
        if (ipv == 4) {
            ck_assert_uint_eq(get16(s + 16), 40 + len);
            ck_assert_uint_eq(get16(s + 18), 0x1234 + i);
            ck_assert_uint_eq(ref_fold(ref_sum(0, s + 14, 20)), 0xffff);
        } else {
            ck_assert_uint_eq(get16(s + 18), 20 + len);
        }
        uint32_t seq = ((uint32_t) s[l4 + 4] << 24) | (s[l4 + 5] << 16)
                       | (s[l4 + 6] << 8) | s[l4 + 7];
        ck_assert_uint_eq(seq, 0x11223344u + i * mss);
        uint8_t flags = s[l4 + 13];
        ck_assert_uint_eq(!!(flags & 0x80), i == 0);           /* CWR */
        ck_assert_uint_eq(!!(flags & 0x09), i + 1 == n);       /* FIN PSH */
        ck_assert(flags & 0x10);                                /* ACK */
        ck_assert(!memcmp(s + hdr, f + hdr + i * mss, len));
        ck_assert_msg(ref_l4_ok(s, 14, ipv, 6, l4, segs[i]->size),
                      "segment %zu", i);
    }
    dp_packet_delete_array(segs, n);
    ck_assert_uint_eq(dp_packet_pool_available(pool), GSO_MAX_SEGS);
    dp_packet_pool_destroy(pool);
    dp_packet_delete(p);
}

START_TEST(test_gso_tcp4_64k)
{
    check_gso(4, 65535 - 40, 1448);
}
END_TEST

START_TEST(test_gso_tcp6_64k)
{
    check_gso(6, 65535 - 20, 1440);
}
END_TEST

START_TEST(test_gso_errors)
{
    size_t l4, n = 99;
    struct dp_packet *p = build(4, 6, 20000, &l4);
    struct dp_packet_pool *pool = dp_packet_pool_create(8,
                                                        DP_PACKET_SMALL_BUF);
    struct dp_packet *segs[GSO_MAX_SEGS];

    p->ol.gso_type = DP_PACKET_GSO_TCPV4;
    p->ol.gso_size = 1000;
    /* 20 segments needed, 8 buffers: nothing may leak. */
    ck_assert_int_eq(gso_segment(p, pool, segs, GSO_MAX_SEGS, &n), ENOBUFS);
    ck_assert_uint_eq(n, 0);
    ck_assert_uint_eq(dp_packet_pool_available(pool), 8);
    ck_assert_int_eq(gso_segment(p, pool, segs, 4, &n), EMSGSIZE);
    p->ol.gso_size = 0;
    ck_assert_int_eq(gso_segment(p, pool, segs, GSO_MAX_SEGS, &n), EINVAL);
    p->ol.gso_size = 1000;
    p->ol.gso_type = DP_PACKET_GSO_TCPV6;     /* Claims the wrong IP. */
    ck_assert_int_eq(gso_segment(p, pool, segs, GSO_MAX_SEGS, &n), EINVAL);
    dp_packet_pool_destroy(pool);
    dp_packet_delete(p);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dp-csum");
    TCase *tc = tcase_create("csum");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_complete_tcp4);
    tcase_add_test(tc, test_complete_tcp6);
    tcase_add_test(tc, test_complete_udp);
    tcase_add_test(tc, test_complete_bad_offsets);
    tcase_add_test(tc, test_mark_partial);
    tcase_add_test(tc, test_gso_tcp4_64k);
    tcase_add_test(tc, test_gso_tcp6_64k);
    tcase_add_test(tc, test_gso_errors);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
