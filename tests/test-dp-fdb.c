/* test-dp-fdb.c: MAC learning and the VLAN rules of each vlan_mode. */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include "fdb.h"
#include "packet.h"
#include "vlan.h"

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0, last } };
    return m;
}

START_TEST(test_learn_lookup)
{
    struct fdb *fdb = fdb_create(16, 300);
    struct eth_addr a = mac(1), b = mac(2);

    fdb_lock(fdb);
    ck_assert(fdb_learn_locked(fdb, &a, 10, 1, 0));
    ck_assert(!fdb_learn_locked(fdb, &a, 10, 1, 5));    /* Refresh only. */
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &a, 10, 10), 1);
    /* Per VLAN: the same MAC in VLAN 20 is unknown. */
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &a, 20, 10), FDB_PORT_NONE);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &b, 10, 10), FDB_PORT_NONE);
    /* Multicast sources are never learned. */
    struct eth_addr mc = { { 0x01, 0, 0x5e, 0, 0, 1 } };
    ck_assert(!fdb_learn_locked(fdb, &mc, 10, 3, 10));
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &mc, 10, 10), FDB_PORT_NONE);
    fdb_unlock(fdb);
    ck_assert_uint_eq(fdb_count(fdb), 1);
    fdb_destroy(fdb);
}
END_TEST

START_TEST(test_move)
{
    struct fdb *fdb = fdb_create(16, 300);
    struct eth_addr a = mac(1);

    fdb_lock(fdb);
    fdb_learn_locked(fdb, &a, 0, 1, 0);
    ck_assert(fdb_learn_locked(fdb, &a, 0, 2, 1000));   /* Moved. */
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &a, 0, 1000), 2);
    fdb_unlock(fdb);
    ck_assert_uint_eq(fdb_count(fdb), 1);
    fdb_destroy(fdb);
}
END_TEST

/* Gratuitous ARPs and the lock that keeps a reflected one from moving a
 * MAC back onto a bond (Open vSwitch's grat_arp_lock). */
START_TEST(test_grat_arp_lock)
{
    struct fdb *fdb = fdb_create(16, 300);
    struct eth_addr a = mac(1);
    const uint32_t plain = 1, bond = 5;
    bool locked = true;

    fdb_lock(fdb);
    /* Unknown MACs are not locked. */
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0, 0, &locked),
                      FDB_PORT_NONE);
    ck_assert(!locked);

    /* Learned from a gratuitous ARP on a plain port: locked for 5 s. */
    ck_assert(fdb_learn_grat_arp_locked(fdb, &a, 0, plain, false, 1000));
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0, 1000, &locked),
                      plain);
    ck_assert(locked);

    /* Its reflection arriving on the bond changes nothing meanwhile... */
    ck_assert(!fdb_learn_grat_arp_locked(fdb, &a, 0, bond, true,
                                         1000 + FDB_GRAT_ARP_LOCK_MSEC - 1));
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0,
                                            1000 + FDB_GRAT_ARP_LOCK_MSEC - 1,
                                            &locked), plain);
    ck_assert(locked);
    /* ...and the lock ends on time. */
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0,
                                            1000 + FDB_GRAT_ARP_LOCK_MSEC,
                                            &locked), plain);
    ck_assert(!locked);

    /* Afterwards a gratuitous ARP on the bond moves it, without a lock. */
    ck_assert(fdb_learn_grat_arp_locked(fdb, &a, 0, bond, true, 7000));
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0, 7000, &locked),
                      bond);
    ck_assert(!locked);

    /* Ordinary frames learn whatever the lock: it is only about
     * gratuitous ARPs. */
    ck_assert(fdb_learn_grat_arp_locked(fdb, &a, 0, plain, false, 8000));
    ck_assert(fdb_learn_locked(fdb, &a, 0, bond, 8001));
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0, 8001, &locked),
                      bond);
    ck_assert(locked);

    /* A lock is per entry: the same MAC in another VLAN is free. */
    ck_assert(fdb_learn_grat_arp_locked(fdb, &a, 7, bond, true, 8002));
    /* Multicast sources are not learned, locked or not. */
    struct eth_addr mc = { { 0x01, 0, 0x5e, 0, 0, 1 } };
    ck_assert(!fdb_learn_grat_arp_locked(fdb, &mc, 0, plain, false, 8003));
    fdb_unlock(fdb);

    /* Resizing the table keeps the lock. */
    fdb_set_max_entries(fdb, 32);
    fdb_lock(fdb);
    ck_assert_uint_eq(fdb_lookup_src_locked(fdb, &a, 0, 8004, &locked),
                      bond);
    ck_assert(locked);
    fdb_unlock(fdb);
    fdb_destroy(fdb);
}
END_TEST

START_TEST(test_aging)
{
    struct fdb *fdb = fdb_create(16, 300);
    struct eth_addr a = mac(1), b = mac(2);
    struct fdb_entry_info *e;
    size_t n;

    fdb_lock(fdb);
    fdb_learn_locked(fdb, &a, 0, 1, 0);
    fdb_learn_locked(fdb, &b, 0, 2, 100000);
    /* Just before and at 300 s idle. */
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &a, 0, 299999), 1);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &a, 0, 300000), FDB_PORT_NONE);
    fdb_unlock(fdb);

    e = fdb_dump(fdb, 250000, &n);
    ck_assert_uint_eq(n, 2);
    ck_assert_uint_eq(e[0].port_no, 1);          /* Oldest first. */
    ck_assert_uint_eq(e[0].age, 250);
    ck_assert_uint_eq(e[1].age, 150);
    free(e);

    ck_assert_uint_eq(fdb_expire(fdb, 300000), 1);
    ck_assert_uint_eq(fdb_count(fdb), 1);
    fdb_set_idle_time(fdb, 10);
    ck_assert_uint_eq(fdb_expire(fdb, 110000), 1);
    ck_assert_uint_eq(fdb_count(fdb), 0);
    fdb_destroy(fdb);
}
END_TEST

START_TEST(test_limit_evicts_oldest)
{
    struct fdb *fdb = fdb_create(3, 300);

    fdb_lock(fdb);
    for (int i = 1; i <= 3; i++) {
        struct eth_addr m = mac(i);
        fdb_learn_locked(fdb, &m, 0, i, i);
    }
    struct eth_addr m1 = mac(1), m2 = mac(2), m4 = mac(4);
    fdb_learn_locked(fdb, &m1, 0, 1, 10);       /* 1 is now the newest. */
    fdb_learn_locked(fdb, &m4, 0, 4, 11);       /* Evicts 2. */
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &m2, 0, 12), FDB_PORT_NONE);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &m1, 0, 12), 1);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &m4, 0, 12), 4);
    fdb_unlock(fdb);
    ck_assert_uint_eq(fdb_count(fdb), 3);

    /* Shrinking keeps the newest. */
    fdb_set_max_entries(fdb, 1);
    ck_assert_uint_eq(fdb_count(fdb), 1);
    fdb_lock(fdb);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &m4, 0, 12), 4);
    fdb_unlock(fdb);
    fdb_destroy(fdb);
}
END_TEST

START_TEST(test_flush)
{
    struct fdb *fdb = fdb_create(100, 300);

    fdb_lock(fdb);
    for (int i = 1; i <= 50; i++) {
        struct eth_addr m = mac(i);
        fdb_learn_locked(fdb, &m, i % 3, 1 + i % 2, 0);
    }
    fdb_unlock(fdb);
    fdb_flush_port(fdb, 1);
    ck_assert_uint_eq(fdb_count(fdb), 25);
    fdb_flush(fdb);
    ck_assert_uint_eq(fdb_count(fdb), 0);
    /* Still usable after a flush. */
    struct eth_addr m = mac(7);
    fdb_lock(fdb);
    fdb_learn_locked(fdb, &m, 0, 9, 0);
    ck_assert_uint_eq(fdb_lookup_locked(fdb, &m, 0, 0), 9);
    fdb_unlock(fdb);
    fdb_destroy(fdb);
}
END_TEST

/* Many MACs, interleaved learning and eviction, against a simple model. */
/* fdb/stats-show's counters: learned (new entries only), moved, evicted
 * (a full table), expired (aged out). */
START_TEST(test_stats)
{
    struct fdb *fdb = fdb_create(2, 1);
    struct eth_addr a = mac(1), b = mac(2), c = mac(3);
    struct fdb_stats s;

    fdb_lock(fdb);
    fdb_learn_locked(fdb, &a, 0, 1, 0);
    fdb_learn_locked(fdb, &a, 0, 1, 10);        /* Refresh: nothing. */
    fdb_learn_locked(fdb, &a, 0, 2, 20);        /* Moved. */
    fdb_learn_locked(fdb, &b, 0, 1, 30);
    fdb_learn_locked(fdb, &c, 0, 1, 40);        /* Evicts a. */
    fdb_unlock(fdb);
    fdb_get_stats(fdb, &s);
    ck_assert_uint_eq(s.n_entries, 2);
    ck_assert_uint_eq(s.max_entries, 2);
    ck_assert_uint_eq(s.n_learned, 3);
    ck_assert_uint_eq(s.n_moved, 1);
    ck_assert_uint_eq(s.n_evicted, 1);
    ck_assert_uint_eq(s.n_expired, 0);
    ck_assert_uint_eq(fdb_expire(fdb, 2000), 2);
    fdb_get_stats(fdb, &s);
    ck_assert_uint_eq(s.n_entries, 0);
    ck_assert_uint_eq(s.n_expired, 2);
    ck_assert_uint_eq(s.n_learned, 3);
    fdb_destroy(fdb);
}
END_TEST

START_TEST(test_stress_against_model)
{
    enum { MAX = 64, N_MACS = 200 };
    struct fdb *fdb = fdb_create(MAX, 300);
    long long seen[N_MACS];
    uint32_t port[N_MACS];

    srand(7);
    for (int i = 0; i < N_MACS; i++) {
        seen[i] = -1;
    }
    fdb_lock(fdb);
    for (long long now = 0; now < 20000; now++) {
        int i = rand() % N_MACS;
        struct eth_addr m = { { 0x02, 0, 0, 0, i >> 8, i } };
        port[i] = 1 + rand() % 5;
        seen[i] = now;
        fdb_learn_locked(fdb, &m, 0, port[i], now);

        /* The model: the MAX most recently seen MACs are present. */
        int j = rand() % N_MACS, newer = 0;
        for (int k = 0; k < N_MACS; k++) {
            newer += seen[k] > seen[j];
        }
        struct eth_addr mj = { { 0x02, 0, 0, 0, j >> 8, j } };
        uint32_t expect = seen[j] >= 0 && newer < MAX ? port[j]
                                                       : FDB_PORT_NONE;
        ck_assert_uint_eq(fdb_lookup_locked(fdb, &mj, 0, now), expect);
    }
    fdb_unlock(fdb);
    fdb_destroy(fdb);
}
END_TEST

/* The VLAN rules, one row per case. */
struct vlan_case {
    const char *mode;
    int tag;
    int64_t trunks[3];
    size_t n_trunks;
    bool tagged;
    uint16_t vid;            /* Received VID (if tagged). */
    bool accept;
    uint16_t vlan;           /* VLAN the frame belongs to, if accepted. */
};

static const struct vlan_case in_cases[] = {
    /* access */
    { "access", 10, {0}, 0, false, 0, true, 10 },
    { "access", 10, {0}, 0, true, 0, true, 10 },        /* Priority tag. */
    { "access", 10, {0}, 0, true, 10, false, 0 },
    { "access", 10, {0}, 0, true, 20, false, 0 },
    { NULL, 10, {0}, 0, false, 0, true, 10 },           /* Implicit. */
    /* trunk, all VLANs */
    { "trunk", -1, {0}, 0, false, 0, true, 0 },
    { "trunk", -1, {0}, 0, true, 20, true, 20 },
    { NULL, -1, {0}, 0, true, 4094, true, 4094 },       /* Implicit. */
    /* trunk, some VLANs */
    { "trunk", -1, {10, 20}, 2, true, 20, true, 20 },
    { "trunk", -1, {10, 20}, 2, true, 30, false, 0 },
    { "trunk", -1, {10, 20}, 2, false, 0, false, 0 },   /* 0 not trunked. */
    { "trunk", -1, {10, 20}, 2, true, 0, false, 0 },
    { "trunk", -1, {0, 10}, 2, false, 0, true, 0 },
    /* native-tagged / native-untagged */
    { "native-tagged", 10, {20}, 1, false, 0, true, 10 },
    { "native-tagged", 10, {20}, 1, true, 0, true, 10 },
    { "native-tagged", 10, {20}, 1, true, 20, true, 20 },
    { "native-tagged", 10, {20}, 1, true, 10, true, 10 },
    { "native-tagged", 10, {20}, 1, true, 30, false, 0 },
    { "native-untagged", 10, {20}, 1, false, 0, true, 10 },
    { "native-untagged", 10, {20}, 1, true, 20, true, 20 },
    { "native-untagged", 10, {20}, 1, true, 30, false, 0 },
    { "native-untagged", 10, {0}, 0, true, 30, true, 30 },
};

START_TEST(test_vlan_input)
{
    for (size_t i = 0; i < sizeof in_cases / sizeof *in_cases; i++) {
        const struct vlan_case *c = &in_cases[i];
        struct vlan_config vc;
        uint16_t vlan = 9999;
        uint16_t tci = c->vid | 0xa000;      /* PCP must not matter. */

        ck_assert_int_eq(vlan_config_init(&vc, c->mode, c->tag, c->trunks,
                                          c->n_trunks), 0);
        bool accept = vlan_input(&vc, c->tagged, tci, &vlan);
        ck_assert_msg(accept == c->accept, "case %zu", i);
        if (accept) {
            ck_assert_msg(vlan == c->vlan, "case %zu: vlan %u", i, vlan);
        }
    }
}
END_TEST

/* Output: does the port carry the VLAN, and with which VID (0 untagged). */
struct vlan_out_case {
    const char *mode;
    int tag;
    int64_t trunks[3];
    size_t n_trunks;
    uint16_t vlan;
    bool includes;
    uint16_t vid;
};

static const struct vlan_out_case out_cases[] = {
    { "access", 10, {0}, 0, 10, true, 0 },
    { "access", 10, {0}, 0, 20, false, 0 },
    { "access", 10, {0}, 0, 0, false, 0 },
    { "trunk", -1, {0}, 0, 20, true, 20 },
    { "trunk", -1, {0}, 0, 0, true, 0 },
    { "trunk", -1, {20}, 1, 30, false, 0 },
    { "trunk", 10, {20}, 1, 10, false, 0 },            /* Tag ignored. */
    { "native-tagged", 10, {20}, 1, 10, true, 10 },
    { "native-tagged", 10, {20}, 1, 20, true, 20 },
    { "native-tagged", 10, {20}, 1, 30, false, 0 },
    { "native-tagged", 10, {0}, 0, 0, false, 0 },      /* Never VLAN 0. */
    { "native-untagged", 10, {20}, 1, 10, true, 0 },
    { "native-untagged", 10, {20}, 1, 20, true, 20 },
    { "native-untagged", 10, {0}, 0, 4000, true, 4000 },
};

START_TEST(test_vlan_output)
{
    for (size_t i = 0; i < sizeof out_cases / sizeof *out_cases; i++) {
        const struct vlan_out_case *c = &out_cases[i];
        struct vlan_config vc;

        ck_assert_int_eq(vlan_config_init(&vc, c->mode, c->tag, c->trunks,
                                          c->n_trunks), 0);
        ck_assert_msg(vlan_includes(&vc, c->vlan) == c->includes,
                      "case %zu", i);
        if (c->includes) {
            ck_assert_msg(vlan_output_vid(&vc, c->vlan) == c->vid,
                          "case %zu", i);
        }
    }
}
END_TEST

START_TEST(test_vlan_config_errors)
{
    struct vlan_config vc;

    ck_assert_int_eq(vlan_config_init(&vc, "bogus", 1, NULL, 0), EINVAL);
    ck_assert_int_eq(vlan_config_init(&vc, "access", 4096, NULL, 0), EINVAL);
    ck_assert_int_eq(vlan_config_init(&vc, NULL, -1, NULL, 0), 0);
    ck_assert_int_eq(vc.mode, VLAN_MODE_TRUNK);
}
END_TEST

START_TEST(test_vlan_push_pop)
{
    static const uint8_t untagged[] = {
        1, 2, 3, 4, 5, 6,  7, 8, 9, 10, 11, 12,  0x08, 0x00,  0xaa, 0xbb,
    };
    struct dp_packet *p = dp_packet_new(sizeof untagged, 0);
    struct flow_l2 l2;
    uint8_t *d;

    memcpy(dp_packet_data(p), untagged, sizeof untagged);
    p->ol.flags = DP_PACKET_OL_NEEDS_CSUM;
    p->ol.csum_start = 14;
    ck_assert(flow_parse_l2(dp_packet_data(p), p->size, &l2));
    ck_assert(vlan_packet_set_vid(p, &l2, 100));
    d = dp_packet_data(p);
    ck_assert_uint_eq(p->size, sizeof untagged + 4);
    ck_assert_uint_eq(p->ol.csum_start, 18);
    ck_assert(!memcmp(d, untagged, 12));
    ck_assert_uint_eq(d[12], 0x81);
    ck_assert_uint_eq(d[13], 0x00);
    ck_assert_uint_eq(d[14], 0);
    ck_assert_uint_eq(d[15], 100);
    ck_assert(!memcmp(d + 16, untagged + 12, 4));

    /* Rewrite keeps the priority. */
    d[14] = 0xa0;
    ck_assert(flow_parse_l2(d, p->size, &l2));
    ck_assert(vlan_packet_set_vid(p, &l2, 200));
    ck_assert_uint_eq(((d[14] << 8) | d[15]), 0xa000 | 200);

    ck_assert(flow_parse_l2(d, p->size, &l2));
    ck_assert(vlan_packet_set_vid(p, &l2, 0));
    ck_assert_uint_eq(p->size, sizeof untagged);
    ck_assert_uint_eq(p->ol.csum_start, 14);
    ck_assert(!memcmp(dp_packet_data(p), untagged, sizeof untagged));
    dp_packet_delete(p);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dp-fdb");
    TCase *tc = tcase_create("fdb");
    TCase *tv = tcase_create("vlan");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_learn_lookup);
    tcase_add_test(tc, test_move);
    tcase_add_test(tc, test_grat_arp_lock);
    tcase_add_test(tc, test_aging);
    tcase_add_test(tc, test_limit_evicts_oldest);
    tcase_add_test(tc, test_flush);
    tcase_add_test(tc, test_stats);
    tcase_add_test(tc, test_stress_against_model);
    suite_add_tcase(s, tc);
    tcase_add_test(tv, test_vlan_input);
    tcase_add_test(tv, test_vlan_output);
    tcase_add_test(tv, test_vlan_config_errors);
    tcase_add_test(tv, test_vlan_push_pop);
    suite_add_tcase(s, tv);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
