/* test-dp-flow.c: header parsing never reads outside the frame. */
#include <config.h>
#include <check.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>
#include "flow.h"

/* A frame copied to the very end of a readable page, followed by an
 * unmapped one: reading a byte past the frame faults, failing the test. */
static uint8_t *guard_base;
static size_t page;

static void
guard_setup(void)
{
    page = sysconf(_SC_PAGESIZE);
    guard_base = mmap(NULL, 2 * page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(guard_base, MAP_FAILED);
    ck_assert_int_eq(mprotect(guard_base + page, page, PROT_NONE), 0);
}

static void
guard_teardown(void)
{
    munmap(guard_base, 2 * page);
}

static const uint8_t *
at_page_end(const void *frame, size_t size)
{
    uint8_t *p = guard_base + page - size;
    memcpy(p, frame, size);
    return p;
}

/* An 802.1Q-tagged IPv4/TCP frame: VID 100, PCP 5. */
static size_t
make_tagged_tcp(uint8_t *f)
{
    static const uint8_t hdr[] = {
        0x02, 0, 0, 0, 0, 2,  0x02, 0, 0, 0, 0, 1,  0x81, 0x00, 0xa0, 0x64,
        0x08, 0x00,
        0x45, 0, 0, 40,  0, 1, 0x40, 0,  64, 6, 0, 0,
        10, 0, 0, 1,  10, 0, 0, 2,
        0x30, 0x39, 0x00, 0x50,  0, 0, 0, 1,  0, 0, 0, 0,
        0x50, 0x10, 0xff, 0xff,  0, 0, 0, 0,
    };
    memcpy(f, hdr, sizeof hdr);
    return sizeof hdr;
}

START_TEST(test_ethernet_untagged)
{
    static const uint8_t f[] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff,  0x02, 0, 0, 0, 0, 1,
        0x08, 0x06,
    };
    struct flow_l2 l2;

    ck_assert(flow_parse_l2(at_page_end(f, sizeof f), sizeof f, &l2));
    ck_assert(!l2.vlan_present);
    ck_assert_uint_eq(l2.dl_type, ETH_TYPE_ARP);
    ck_assert_uint_eq(l2.l3_ofs, 14);
    ck_assert(eth_addr_is_multicast(&l2.dst));
    ck_assert(!eth_addr_is_multicast(&l2.src));
    ck_assert_uint_eq(l2.src.ea[5], 1);
}
END_TEST

START_TEST(test_vlan_tagged)
{
    uint8_t f[128];
    size_t n = make_tagged_tcp(f);
    struct flow_l2 l2;
    struct flow_l4 l4;
    const uint8_t *p = at_page_end(f, n);

    ck_assert(flow_parse_l2(p, n, &l2));
    ck_assert(l2.vlan_present);
    ck_assert_uint_eq(l2.vlan_tci & VLAN_VID_MASK, 100);
    ck_assert_uint_eq(l2.vlan_tci >> 13, 5);
    ck_assert_uint_eq(l2.dl_type, ETH_TYPE_IP);
    ck_assert_uint_eq(l2.l3_ofs, 18);
    flow_parse_l4(p, n, &l2, &l4);
    ck_assert_uint_eq(l4.ip_version, 4);
    ck_assert_uint_eq(l4.nw_proto, 6);
    ck_assert_uint_eq(l4.l4_ofs, 38);
    ck_assert_uint_eq(l4.l4_len, 20);
}
END_TEST

/* Every truncation of a tagged TCP frame parses without a fault and
 * reports only the headers that are complete. */
START_TEST(test_every_truncation)
{
    uint8_t f[128];
    size_t full = make_tagged_tcp(f);

    for (size_t n = 0; n <= full; n++) {
        const uint8_t *p = at_page_end(f, n);
        struct flow_l2 l2;
        struct flow_l4 l4;
        bool ok = flow_parse_l2(p, n, &l2);

        ck_assert_msg(ok == (n >= 18), "size %zu", n);
        if (ok) {
            flow_parse_l4(p, n, &l2, &l4);
            ck_assert_msg((l4.ip_version == 4) == (n >= 38), "size %zu", n);
            ck_assert_msg((l4.l4_ofs != 0) == (n == full), "size %zu", n);
        }
    }
}
END_TEST

/* Headers whose length fields claim more than the frame holds. */
START_TEST(test_lying_lengths)
{
    uint8_t f[128];
    size_t n = make_tagged_tcp(f);
    struct flow_l2 l2;
    struct flow_l4 l4;
    const uint8_t *p;

    f[18] = 0x4f;                   /* IHL 60 bytes: more than there is. */
    p = at_page_end(f, n);
    ck_assert(flow_parse_l2(p, n, &l2));
    flow_parse_l4(p, n, &l2, &l4);
    ck_assert_uint_eq(l4.l4_ofs, 0);

    make_tagged_tcp(f);
    f[20] = 0xff;                   /* Total length 65535+. */
    f[21] = 0xff;
    f[50] = 0xf0;                   /* TCP data offset 60 bytes. */
    p = at_page_end(f, n);
    flow_parse_l4(p, n, &l2, &l4);
    ck_assert_uint_eq(l4.ip_version, 4);
    ck_assert_uint_eq(l4.l4_ofs, 0);

    make_tagged_tcp(f);
    f[20] = 0xff;
    f[21] = 0xff;                   /* Total length bounded by the frame. */
    p = at_page_end(f, n);
    flow_parse_l4(p, n, &l2, &l4);
    ck_assert_uint_eq(l4.l4_len, 20);
}
END_TEST

/* A jumbo/GSO-sized frame parses like any other. */
START_TEST(test_oversized)
{
    static uint8_t f[65536 + 64];
    size_t n = sizeof f;
    struct flow_l2 l2;
    struct flow_l4 l4;
    uint8_t *p;

    guard_teardown();
    page = sysconf(_SC_PAGESIZE);
    size_t len = (n + page - 1) / page * page;
    guard_base = mmap(NULL, len + page, PROT_READ | PROT_WRITE,
                      MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    ck_assert_ptr_ne(guard_base, MAP_FAILED);
    ck_assert_int_eq(mprotect(guard_base + len, page, PROT_NONE), 0);
    memset(f, 0, sizeof f);
    make_tagged_tcp(f);
    f[20] = 0xff;
    f[21] = 0xff;
    p = guard_base + len - n;
    memcpy(p, f, n);
    ck_assert(flow_parse_l2(p, n, &l2));
    flow_parse_l4(p, n, &l2, &l4);
    ck_assert_uint_eq(l4.l4_len, 65535 - 20);
    munmap(guard_base, len + page);
    guard_setup();
}
END_TEST

START_TEST(test_ipv6_udp)
{
    uint8_t f[14 + 40 + 8] = {
        0x02, 0, 0, 0, 0, 2,  0x02, 0, 0, 0, 0, 1,  0x86, 0xdd,
        0x60, 0, 0, 0,  0, 8, 17, 64,
    };
    struct flow_l2 l2;
    struct flow_l4 l4;
    const uint8_t *p = at_page_end(f, sizeof f);

    ck_assert(flow_parse_l2(p, sizeof f, &l2));
    flow_parse_l4(p, sizeof f, &l2, &l4);
    ck_assert_uint_eq(l4.ip_version, 6);
    ck_assert_uint_eq(l4.nw_proto, 17);
    ck_assert_uint_eq(l4.l4_ofs, 54);
    ck_assert_uint_eq(l4.l4_len, 8);

    p = at_page_end(f, sizeof f - 1);
    flow_parse_l4(p, sizeof f - 1, &l2, &l4);
    ck_assert_uint_eq(l4.l4_ofs, 0);
}
END_TEST

/* The 31 destinations Open vSwitch 3.1 does not forward without
 * forward-bpdu (lib/packets.c, eth_addr_is_reserved()). */
static const uint64_t ovs_reserved[] = {
    0x0180c2000000ULL, 0x0180c2000001ULL, 0x0180c2000002ULL,
    0x0180c2000003ULL, 0x0180c2000004ULL, 0x0180c2000005ULL,
    0x0180c2000006ULL, 0x0180c2000007ULL, 0x0180c2000008ULL,
    0x0180c2000009ULL, 0x0180c200000aULL, 0x0180c200000bULL,
    0x0180c200000cULL, 0x0180c200000dULL, 0x0180c200000eULL,
    0x0180c200000fULL,
    0x00e02b000000ULL, 0x00e02b000004ULL, 0x00e02b000006ULL,
    0x01000c000000ULL, 0x01000cccccccULL, 0x01000ccccccdULL,
    0x01000ccdcdcdULL,
    0x01000cccccc0ULL, 0x01000cccccc1ULL, 0x01000cccccc2ULL,
    0x01000cccccc3ULL, 0x01000cccccc4ULL, 0x01000cccccc5ULL,
    0x01000cccccc6ULL, 0x01000cccccc7ULL,
};

static bool
in_ovs_reserved(uint64_t a)
{
    for (size_t i = 0; i < sizeof ovs_reserved / sizeof *ovs_reserved; i++) {
        if (ovs_reserved[i] == a) {
            return true;
        }
    }
    return false;
}

static bool
reserved(uint64_t a)
{
    struct eth_addr e;

    for (int i = 0; i < 6; i++) {
        e.ea[i] = a >> (40 - 8 * i);
    }
    return eth_addr_is_reserved(&e);
}

/* eth_addr_is_reserved() agrees with Open vSwitch's list on every listed
 * address, on every address one bit away from one, on each listed
 * address's last byte through all 256 values and on some ordinary ones. */
START_TEST(test_reserved)
{
    static const uint64_t others[] = {
        0xffffffffffffULL, 0x01005e000001ULL, 0x333300000001ULL,
        0x020000000001ULL, 0x000000000000ULL, 0x0180c2000010ULL,
        0x0180c2000020ULL, 0x0180c2000021ULL, 0x01000cccccc8ULL,
    };

    for (size_t i = 0; i < sizeof ovs_reserved / sizeof *ovs_reserved; i++) {
        uint64_t a = ovs_reserved[i];

        ck_assert_msg(reserved(a), "%012llx", (unsigned long long) a);
        for (int bit = 0; bit < 48; bit++) {
            uint64_t b = a ^ (1ULL << bit);
            ck_assert_msg(reserved(b) == in_ovs_reserved(b), "%012llx",
                          (unsigned long long) b);
        }
        for (uint64_t low = 0; low < 256; low++) {
            uint64_t b = (a & ~0xffULL) | low;
            ck_assert_msg(reserved(b) == in_ovs_reserved(b), "%012llx",
                          (unsigned long long) b);
        }
    }
    for (size_t i = 0; i < sizeof others / sizeof *others; i++) {
        ck_assert_msg(!reserved(others[i]), "%012llx",
                      (unsigned long long) others[i]);
    }
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dp-flow");
    TCase *tc = tcase_create("parse");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, guard_setup, guard_teardown);
    tcase_add_test(tc, test_ethernet_untagged);
    tcase_add_test(tc, test_vlan_tagged);
    tcase_add_test(tc, test_every_truncation);
    tcase_add_test(tc, test_lying_lengths);
    tcase_add_test(tc, test_oversized);
    tcase_add_test(tc, test_ipv6_udp);
    tcase_add_test(tc, test_reserved);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
