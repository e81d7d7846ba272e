/* test-bond.c: bonds.  The member state machine (delays, active member,
 * primary, LACP fallback, hash buckets) and what the datapath does with a
 * bond of dummy ports: active-backup, balance-slb and a disabled bond. */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "bond.h"
#include "dp.h"
#include "flow.h"
#include "netdev-dummy.h"
#include "netdev.h"
#include "util.h"

static const char *const two[] = { "m0", "m1" };

/* Source MACs that tests/system/sys-bond.sh gives its two senders: with
 * two members enabled together they must leave on different members. */
static const struct eth_addr slb_mac_a = { { 0x02, 0, 0, 0, 0xb0, 0x01 } };
static const struct eth_addr slb_mac_b = { { 0x02, 0, 0, 0, 0xb0, 0x03 } };

static struct bond *
make_bond(enum bond_mode mode, int updelay, int downdelay,
          const char *primary)
{
    struct bond_settings s = {
        .mode = mode, .updelay = updelay, .downdelay = downdelay,
        .primary = primary,
    };
    struct bond *bond = bond_create("bond0");

    ck_assert(bond_reconfigure(bond, &s, two, 2));
    return bond;
}

static bool
run(struct bond *bond, long long now)
{
    long long next;
    return bond_run(bond, now, &next);
}

static unsigned int
buckets_of(const struct bond *bond, int member)
{
    unsigned int n = 0;
    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        n += bond->buckets[b] == member;
    }
    return n;
}

START_TEST(test_parse)
{
    enum bond_mode mode;
    enum bond_lacp lacp;

    ck_assert(bond_mode_from_string(NULL, &mode));
    ck_assert_int_eq(mode, BOND_ACTIVE_BACKUP);
    ck_assert(bond_mode_from_string("balance-slb", &mode));
    ck_assert_int_eq(mode, BOND_BALANCE_SLB);
    ck_assert(bond_mode_from_string("balance-tcp", &mode));
    ck_assert_int_eq(mode, BOND_BALANCE_TCP);
    ck_assert(!bond_mode_from_string("round-robin", &mode));
    ck_assert_int_eq(mode, BOND_ACTIVE_BACKUP);
    ck_assert(bond_lacp_from_string("passive", &lacp));
    ck_assert_int_eq(lacp, BOND_LACP_PASSIVE);
    ck_assert(!bond_lacp_from_string("on", &lacp));
    ck_assert_int_eq(lacp, BOND_LACP_OFF);

    enum bond_detect detect;
    ck_assert(bond_detect_from_string(NULL, &detect));
    ck_assert_int_eq(detect, BOND_DETECT_CARRIER);
    ck_assert(bond_detect_from_string("miimon", &detect));
    ck_assert_int_eq(detect, BOND_DETECT_MIIMON);
    ck_assert(bond_detect_from_string("carrier", &detect));
    ck_assert_int_eq(detect, BOND_DETECT_CARRIER);
    ck_assert(!bond_detect_from_string("mii", &detect));
    ck_assert_int_eq(detect, BOND_DETECT_CARRIER);
}
END_TEST

START_TEST(test_first_carrier_and_failover)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 0, 0, NULL);

    /* Nothing known yet: no active member. */
    ck_assert(!run(bond, 0));
    ck_assert_int_eq(bond->active, -1);

    /* The first carrier applies at once, even with delays. */
    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    ck_assert(run(bond, 0));
    ck_assert(bond->members[0].enabled && bond->members[1].enabled);
    ck_assert_int_eq(bond->active, 0);

    /* The active member's link goes: the other takes over. */
    bond_member_set_carrier(bond, 0, false, 10);
    ck_assert(run(bond, 10));
    ck_assert(!bond->members[0].enabled);
    ck_assert_int_eq(bond->active, 1);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_a, 0), 1);

    /* It comes back: without a primary, the active member stays. */
    bond_member_set_carrier(bond, 0, true, 20);
    ck_assert(run(bond, 20));
    ck_assert(bond->members[0].enabled);
    ck_assert_int_eq(bond->active, 1);

    /* All links down: no active member, nothing to send on. */
    bond_member_set_carrier(bond, 0, false, 30);
    bond_member_set_carrier(bond, 1, false, 30);
    ck_assert(run(bond, 30));
    ck_assert_int_eq(bond->active, -1);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_a, 0), -1);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_primary)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 0, 0, "m1");

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);
    ck_assert_int_eq(bond->active, 1);

    bond_member_set_carrier(bond, 1, false, 10);
    run(bond, 10);
    ck_assert_int_eq(bond->active, 0);

    /* The primary is active again as soon as it is enabled. */
    bond_member_set_carrier(bond, 1, true, 20);
    ck_assert(run(bond, 20));
    ck_assert_int_eq(bond->active, 1);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_delays)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 200, 100, NULL);
    long long next;

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);

    /* Down for less than the downdelay: nothing happens. */
    bond_member_set_carrier(bond, 0, false, 1000);
    ck_assert(!bond_run(bond, 1000, &next));
    ck_assert_int_eq(next, 1100);
    ck_assert(bond->members[0].enabled);
    bond_member_set_carrier(bond, 0, true, 1050);
    ck_assert(!bond_run(bond, 1100, &next));
    ck_assert_int_eq(next, LLONG_MAX);
    ck_assert(bond->members[0].enabled);
    ck_assert_int_eq(bond->active, 0);

    /* Down for longer: disabled when the downdelay ends, and the other
     * member takes over then. */
    bond_member_set_carrier(bond, 0, false, 2000);
    ck_assert(!bond_run(bond, 2099, &next));
    ck_assert_int_eq(bond->active, 0);
    ck_assert(bond_run(bond, 2100, &next));
    ck_assert(!bond->members[0].enabled);
    ck_assert_int_eq(bond->active, 1);

    /* Up again: enabled after the updelay only. */
    bond_member_set_carrier(bond, 0, true, 3000);
    ck_assert(!bond_run(bond, 3199, &next));
    ck_assert_int_eq(next, 3200);
    ck_assert(!bond->members[0].enabled);
    ck_assert(bond_run(bond, 3200, &next));
    ck_assert(bond->members[0].enabled);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_updelay_skipped_when_all_down)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 5000, 0, NULL);

    bond_member_set_carrier(bond, 0, false, 0);
    bond_member_set_carrier(bond, 1, false, 0);
    run(bond, 0);
    ck_assert_int_eq(bond->active, -1);

    /* With no member enabled, one whose link is up is used at once
     * rather than after its updelay. */
    bond_member_set_carrier(bond, 1, true, 100);
    ck_assert(run(bond, 100));
    ck_assert_int_eq(bond->active, 1);
    ck_assert(bond->members[1].enabled);

    /* The other one, with a member enabled, waits. */
    bond_member_set_carrier(bond, 0, true, 200);
    run(bond, 200);
    ck_assert(!bond->members[0].enabled);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_slb_buckets)
{
    struct bond *bond = make_bond(BOND_BALANCE_SLB, 0, 0, NULL);
    uint8_t before[BOND_N_BUCKETS];

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);
    ck_assert_uint_eq(buckets_of(bond, 0), 128);
    ck_assert_uint_eq(buckets_of(bond, 1), 128);

    /* The MACs the system test relies on use both members. */
    int a = bond_choose_output(bond, &slb_mac_a, 0);
    int b = bond_choose_output(bond, &slb_mac_b, 0);
    ck_assert(a >= 0 && b >= 0 && a != b);
    /* The VLAN is part of the hash: some VLAN moves MAC a. */
    bool moved = false;
    for (uint16_t vlan = 1; vlan < 64 && !moved; vlan++) {
        moved = bond_bucket(&slb_mac_a, vlan) != bond_bucket(&slb_mac_a, 0);
    }
    ck_assert(moved);

    /* Member 1 fails: its buckets, and only those, go to member 0. */
    memcpy(before, bond->buckets, sizeof before);
    bond_member_set_carrier(bond, 1, false, 10);
    ck_assert(run(bond, 10));
    ck_assert_uint_eq(buckets_of(bond, 0), 256);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_a, 0), 0);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_b, 0), 0);

    /* It comes back: it gets back exactly the buckets it had. */
    bond_member_set_carrier(bond, 1, true, 20);
    ck_assert(run(bond, 20));
    ck_assert(!memcmp(before, bond->buckets, sizeof before));

    /* A third member gets a third of the buckets. */
    static const char *const three[] = { "m0", "m1", "m2" };
    struct bond_settings s = { .mode = BOND_BALANCE_SLB };
    ck_assert(bond_reconfigure(bond, &s, three, 3));
    bond_member_set_carrier(bond, 2, true, 30);
    run(bond, 30);
    ck_assert_uint_ge(buckets_of(bond, 2), 85);
    ck_assert_uint_le(buckets_of(bond, 0), 86);
    ck_assert_uint_le(buckets_of(bond, 1), 86);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_reconfigure_keeps_state)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 0, 0, NULL);
    static const char *const renamed[] = { "m1", "m2" };
    struct bond_settings s = { .mode = BOND_ACTIVE_BACKUP };

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);
    bond_member_set_carrier(bond, 0, false, 5);
    run(bond, 5);
    ck_assert_int_eq(bond->active, 1);

    /* m0 goes, m2 comes: m1 keeps being active, now at index 0. */
    ck_assert(bond_reconfigure(bond, &s, renamed, 2));
    ck_assert_str_eq(bond->members[0].name, "m1");
    ck_assert_int_eq(bond->active, 0);
    ck_assert(bond->members[0].enabled);
    ck_assert(!bond->members[1].enabled);
    ck_assert_int_eq(bond_find_member(bond, "m0"), -1);

    /* The same again changes nothing. */
    ck_assert(!bond_reconfigure(bond, &s, renamed, 2));
    bond_destroy(bond);
}
END_TEST

START_TEST(test_lacp_fallback)
{
    struct bond *bond = make_bond(BOND_BALANCE_SLB, 0, 0, NULL);
    struct bond_settings s = { .mode = BOND_BALANCE_SLB,
                               .lacp = BOND_LACP_ACTIVE };
    const char *why;

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);
    ck_assert_int_eq(bond_get_effective(bond, &why), BOND_EFF_BALANCE_SLB);
    ck_assert_ptr_null(why);

    /* LACP without a partner and without fallback: every member is
     * disabled, and the bond says why. */
    ck_assert(bond_reconfigure(bond, &s, two, 2));
    bond_member_set_carrier(bond, 0, true, 10);
    bond_member_set_carrier(bond, 1, true, 10);
    ck_assert(run(bond, 10));
    ck_assert_int_eq(bond_get_effective(bond, &why), BOND_EFF_DISABLED);
    ck_assert_ptr_nonnull(strstr(why, "lacp-fallback-ab"));
    ck_assert(!bond->members[0].enabled && !bond->members[1].enabled);
    ck_assert_int_eq(bond->active, -1);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_a, 0), -1);

    /* With lacp-fallback-ab, active-backup. */
    s.lacp_fallback_ab = true;
    ck_assert(bond_reconfigure(bond, &s, two, 2));
    bond_member_set_carrier(bond, 0, true, 20);
    bond_member_set_carrier(bond, 1, true, 20);
    run(bond, 20);
    ck_assert_int_eq(bond_get_effective(bond, &why),
                     BOND_EFF_ACTIVE_BACKUP);
    ck_assert_ptr_nonnull(why);
    ck_assert_int_ge(bond->active, 0);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_a, 0), bond->active);
    ck_assert_int_eq(bond_choose_output(bond, &slb_mac_b, 0), bond->active);

    /* balance-tcp without LACP: disabled. */
    s.mode = BOND_BALANCE_TCP;
    s.lacp = BOND_LACP_OFF;
    ck_assert(bond_reconfigure(bond, &s, two, 2));
    run(bond, 30);
    ck_assert_int_eq(bond_get_effective(bond, &why), BOND_EFF_DISABLED);
    ck_assert_ptr_nonnull(strstr(why, "balance-tcp"));
    ck_assert_int_eq(bond->active, -1);
    bond_destroy(bond);
}
END_TEST

/* A balance-slb bond of m0 and m1, both up, rebalancing every 10 s,
 * whose clock started at 0 and whose counters are primed at zero. */
static struct bond *
make_balancing_bond(void)
{
    struct bond_settings s = {
        .mode = BOND_BALANCE_SLB, .rebalance_interval = 10000,
    };
    struct bond *bond = bond_create("bond0");
    uint64_t zero[BOND_N_BUCKETS] = { 0 };
    long long next;

    ck_assert(bond_reconfigure(bond, &s, two, 2));
    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, true, 0);
    run(bond, 0);
    ck_assert(!bond_rebalance(bond, 0, &next));
    ck_assert_int_eq(next, 10000);
    bond_account(bond, zero);
    return bond;
}

/* The first, second... bucket that 'member' owns. */
static int
nth_bucket_of(const struct bond *bond, int member, int nth)
{
    for (int b = 0; b < BOND_N_BUCKETS; b++) {
        if (bond->buckets[b] == member && !nth--) {
            return b;
        }
    }
    ck_abort_msg("member %d has too few buckets", member);
    return -1;
}

START_TEST(test_rebalance_moves_best_bucket)
{
    struct bond *bond = make_balancing_bond();
    uint64_t tx[BOND_N_BUCKETS] = { 0 };
    long long next;

    /* m0 sends 1.2 MB in two buckets, m1 0.3 MB in one.  Moving m0's
     * larger bucket would only make m1 the overloaded one (Open vSwitch
     * requires the lighter side to come closer to the even split), so the
     * smaller one moves; then m0 has one loaded bucket left, not worth
     * moving, and rebalancing stops. */
    int big = nth_bucket_of(bond, 0, 0), small = nth_bucket_of(bond, 0, 1);
    int other = nth_bucket_of(bond, 1, 0);
    tx[big] = 1000000;
    tx[small] = 200000;
    tx[other] = 300000;
    bond_account(bond, tx);

    ck_assert(!bond_rebalance(bond, 9999, &next));   /* Not yet. */
    ck_assert_int_eq(next, 10000);
    ck_assert(bond_rebalance(bond, 10000, &next));
    ck_assert_int_eq(next, 20000);
    ck_assert_int_eq(bond->buckets[small], 1);
    ck_assert_int_eq(bond->buckets[big], 0);
    ck_assert_int_eq(bond->buckets[other], 1);
    ck_assert_uint_eq(buckets_of(bond, 0), 127);
    ck_assert_uint_eq(buckets_of(bond, 1), 129);
    /* The loads are a moving average: halved at each rebalancing. */
    ck_assert_uint_eq(bond->load[big], 500000);
    ck_assert_uint_eq(bond->load[small], 100000);

    /* bond_run() does not undo it: the members did not change... */
    ck_assert(!run(bond, 10001));
    ck_assert_int_eq(bond->buckets[small], 1);

    /* ...and bond/show shows each member's loaded buckets. */
    char *text;
    size_t size;
    FILE *f = open_memstream(&text, &size);
    bond_format(bond, 10001, f);
    fclose(f);
    char *want = xasprintf("\nmember m0: enabled\n"
                           "  active member\n"
                           "  may_enable: true\n"
                           "  hash %d: 488 kB load\n"
                           "\nmember m1: enabled\n"
                           "  may_enable: true\n", big);
    ck_assert_msg(strstr(text, want), "%s", text);
    /* (m1's two buckets, in index order.) */
    ck_assert_ptr_nonnull(strstr(text, "next rebalance: 9999 ms\n"));
    free(want);
    free(text);

    /* A member that fails and comes back: the buckets spread evenly
     * again. */
    bond_member_set_carrier(bond, 1, false, 10002);
    run(bond, 10002);
    bond_member_set_carrier(bond, 1, true, 10003);
    run(bond, 10003);
    ck_assert_uint_eq(buckets_of(bond, 0), 128);
    ck_assert_uint_eq(buckets_of(bond, 1), 128);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_rebalance_thresholds)
{
    struct bond *bond = make_balancing_bond();
    uint64_t tx[BOND_N_BUCKETS] = { 0 };
    uint8_t before[BOND_N_BUCKETS];
    long long next;

    memcpy(before, bond->buckets, sizeof before);

    /* 99999 bytes more than the other member: too little to bother. */
    tx[nth_bucket_of(bond, 0, 0)] = 50000;
    tx[nth_bucket_of(bond, 0, 1)] = 49999 + 10;
    tx[nth_bucket_of(bond, 1, 0)] = 10;
    bond_account(bond, tx);
    ck_assert(!bond_rebalance(bond, 10000, &next));
    ck_assert(!memcmp(before, bond->buckets, sizeof before));

    /* After bond_account_restart() (the datapath's sums are over other
     * ports), counters are only recorded, then counted from there. */
    memset(bond->load, 0, sizeof bond->load);
    for (size_t i = 0; i < BOND_N_BUCKETS; i++) {
        tx[i] += 7777777;
    }
    bond_account_restart(bond);
    bond_account(bond, tx);
    ck_assert_uint_eq(bond->load[nth_bucket_of(bond, 0, 0)], 0);
    /* Within 1/32 of the lighter member's load: balanced enough. */
    tx[nth_bucket_of(bond, 0, 0)] += 5000000;
    tx[nth_bucket_of(bond, 0, 1)] += 5100000;
    tx[nth_bucket_of(bond, 1, 0)] += 9900000;
    bond_account(bond, tx);
    ck_assert_uint_eq(bond->load[nth_bucket_of(bond, 0, 0)], 5000000);
    ck_assert_uint_eq(bond->load[nth_bucket_of(bond, 1, 1)], 0);
    ck_assert(!bond_rebalance(bond, 20000, &next));
    ck_assert(!memcmp(before, bond->buckets, sizeof before));

    /* One loaded bucket only: moving it would just move the problem. */
    memset(bond->load, 0, sizeof bond->load);
    bond->load[nth_bucket_of(bond, 0, 0)] = 9000000;
    ck_assert(!bond_rebalance(bond, 30000, &next));
    ck_assert(!memcmp(before, bond->buckets, sizeof before));

    /* Three members, one idle: the heaviest gives to the idle one until
     * no move helps. */
    static const char *const three[] = { "m0", "m1", "m2" };
    struct bond_settings s = {
        .mode = BOND_BALANCE_SLB, .rebalance_interval = 10000,
    };
    bond_reconfigure(bond, &s, three, 3);
    bond_member_set_carrier(bond, 2, true, 30001);
    run(bond, 30001);
    memset(bond->load, 0, sizeof bond->load);
    for (int i = 0; i < 4; i++) {
        bond->load[nth_bucket_of(bond, 0, i)] = 1000000;
    }
    bond->load[nth_bucket_of(bond, 1, 0)] = 2000000;
    ck_assert(bond_rebalance(bond, 40000, &next));
    /* m0 4 MB, m1 2 MB, m2 0: m0 gives m2 one bucket (3/2/1), then
     * another (2/2/2): even. */
    uint64_t load[3] = { 0 };
    for (int b = 0; b < BOND_N_BUCKETS; b++) {
        load[bond->buckets[b]] += bond->load[b] * 2;
    }
    ck_assert_uint_eq(load[0], 2000000);
    ck_assert_uint_eq(load[1], 2000000);
    ck_assert_uint_eq(load[2], 2000000);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_rebalance_off)
{
    struct bond_settings s = { .mode = BOND_BALANCE_SLB };
    struct bond *bond = make_balancing_bond();
    long long next;

    /* bond-rebalance-interval=0: never. */
    ck_assert(bond_reconfigure(bond, &s, two, 2));
    bond->load[nth_bucket_of(bond, 0, 0)] = 9000000;
    bond->load[nth_bucket_of(bond, 0, 1)] = 9000000;
    ck_assert(!bond_rebalance(bond, 100000, &next));
    ck_assert_int_eq(next, LLONG_MAX);
    ck_assert_uint_eq(buckets_of(bond, 0), 128);

    /* Nor in active-backup. */
    s.mode = BOND_ACTIVE_BACKUP;
    s.rebalance_interval = 10000;
    ck_assert(bond_reconfigure(bond, &s, two, 2));
    ck_assert(!bond_rebalance(bond, 100000, &next));
    ck_assert_int_eq(next, LLONG_MAX);
    bond_destroy(bond);
}
END_TEST

START_TEST(test_format_list)
{
    struct bond *a = make_bond(BOND_BALANCE_SLB, 0, 0, NULL);
    struct bond *b = bond_create("bond1");
    static const char *const one[] = { "x" };
    struct bond_settings s = { .mode = BOND_ACTIVE_BACKUP };
    const struct bond *list[2] = { a, b };
    char *text;
    size_t size;
    FILE *f;

    ck_assert(bond_reconfigure(b, &s, one, 1));
    f = open_memstream(&text, &size);
    bond_format_list(list, 2, f);
    fclose(f);
    ck_assert_str_eq(text, "bond\ttype\trecircID\tmembers\n"
                     "bond0\tbalance-slb\t0\tm0, m1\n"
                     "bond1\tactive-backup\t0\tx\n");
    free(text);
    bond_destroy(a);
    bond_destroy(b);
}
END_TEST

START_TEST(test_format)
{
    struct bond *bond = make_bond(BOND_ACTIVE_BACKUP, 0, 0, "m1");
    char *text;
    size_t size;
    FILE *f;

    bond_member_set_carrier(bond, 0, true, 0);
    bond_member_set_carrier(bond, 1, false, 0);
    bond->members[0].has_mac = true;
    bond->members[0].mac = slb_mac_a;
    run(bond, 0);
    f = open_memstream(&text, &size);
    bond_format(bond, 0, f);
    fclose(f);
    ck_assert_ptr_nonnull(strstr(text, "---- bond0 ----\n"
                                 "bond_mode: active-backup\n"));
    ck_assert_ptr_nonnull(strstr(text, "active-backup primary: m1\n"));
    ck_assert_ptr_nonnull(strstr(text,
                                 "active member mac: 02:00:00:00:b0:01(m0)"));
    ck_assert_ptr_nonnull(strstr(text, "\nmember m0: enabled\n"
                                 "  active member\n"
                                 "  may_enable: true\n"));
    ck_assert_ptr_nonnull(strstr(text, "\nmember m1: disabled\n"
                                 "  may_enable: false\n"));
    free(text);
    bond_destroy(bond);
}
END_TEST

/* ---- The datapath: ports 1 and 2 form a bond, 3 and 4 are plain. ---- */

#define N_PORTS 4

static struct dp *dp;
static struct netdev *ports[N_PORTS + 1];

static const struct eth_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff } };

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0, last } };
    return m;
}

static void
setup(void)
{
    int error = netdev_register_class(&netdev_dummy_class);

    ck_assert(!error || error == EEXIST);
    dp = dp_create(1);
    for (uint32_t i = 1; i <= N_PORTS; i++) {
        char name[16];
        uint32_t port_no = i;

        snprintf(name, sizeof name, "p%u", i);
        ck_assert_int_eq(netdev_open("dummy", name, NULL, &ports[i], NULL),
                         0);
        ck_assert_int_eq(dp_port_add(dp, ports[i], &port_no), 0);
    }
}

static void
teardown(void)
{
    dp_destroy(dp);
    dp = NULL;
}

/* Commits bridge "br0": the bond of ports 1 and 2 in 'mode', 'enabled'
 * as given, 'active' as given, buckets alternating (even buckets on port
 * 1); ports 3 and 4 plain. */
static void
commit_bond(enum dp_bond_mode mode, bool en1, bool en2, int active)
{
    struct dp_config *cfg = dp_config_create();
    static const uint32_t members[] = { 1, 2 };
    bool enabled[] = { en1, en2 };
    uint8_t buckets[DP_BOND_N_BUCKETS];
    struct vlan_config vc;
    struct dp_bond_config bc = {
        .mode = mode, .members = members, .enabled = enabled,
        .n_members = 2, .active = active, .buckets = buckets,
    };

    for (size_t i = 0; i < DP_BOND_N_BUCKETS; i++) {
        buckets[i] = en1 && en2 ? i % 2 : en1 ? 0 : en2 ? 1
                     : DP_BOND_BUCKET_NONE;
    }
    ck_assert_int_eq(vlan_config_init(&vc, NULL, -1, NULL, 0), 0);
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    ck_assert_int_eq(dp_config_add_bond(cfg, "br0", &vc, &bc), 0);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 3, &vc), 0);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 4, &vc), 0);
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
}

static struct dp_port_stats
stats(uint32_t port_no)
{
    struct dp_port_stats s;
    ck_assert_int_eq(dp_port_get_stats(dp, port_no, &s), 0);
    return s;
}

/* Receives a frame on port 'in' and waits until the datapath is done with
 * it (it counts rx after the batch's output). */
static void
receive(uint32_t in, const uint8_t *f, size_t size)
{
    uint64_t before = stats(in).rx_packets;

    netdev_dummy_receive(ports[in], f, size, NULL);
    for (int i = 0; i < 2000 && stats(in).rx_packets == before; i++) {
        usleep(1000);
    }
    ck_assert_msg(stats(in).rx_packets > before, "port %u did not receive",
                  in);
}

static void
send_frame(uint32_t in, struct eth_addr dst, struct eth_addr src)
{
    uint8_t f[64];

    memcpy(f, &dst, 6);
    memcpy(f + 6, &src, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    memset(f + 14, 0x5a, sizeof f - 14);
    receive(in, f, sizeof f);
}

/* Receives on 'in' an ARP 'op' (1 request, 2 reply) from 'src' to 'dst'
 * for sender and target addresses 10.0.0.'spa' and 10.0.0.'tpa'. */
static void
send_arp(uint32_t in, struct eth_addr dst, struct eth_addr src, int op,
         uint8_t spa, uint8_t tpa)
{
    static const uint8_t head[] = { 0x08, 0x06, 0, 1, 0x08, 0, 6, 4, 0 };
    uint8_t f[60] = { 0 };
    uint8_t *arp = f + 14;

    memcpy(f, &dst, 6);
    memcpy(f + 6, &src, 6);
    memcpy(f + 12, head, sizeof head);
    arp[7] = op;
    memcpy(arp + 8, &src, 6);
    arp[14] = 10;
    arp[17] = spa;
    arp[24] = 10;
    arp[27] = tpa;
    receive(in, f, sizeof f);
}

static int
drain(uint32_t p)
{
    struct dp_packet *pkt;
    int n = 0;

    while ((pkt = netdev_dummy_pop_sent(ports[p]))) {
        dp_packet_delete(pkt);
        n++;
    }
    return n;
}

/* Asserts which ports sent exactly one frame: a bitmap of port numbers. */
static void
expect_out(unsigned int bitmap, const char *what)
{
    for (uint32_t p = 1; p <= N_PORTS; p++) {
        int n = drain(p);
        ck_assert_msg(n == (int) ((bitmap >> p) & 1),
                      "%s: port %u sent %d", what, p, n);
    }
}

START_TEST(test_dp_active_backup)
{
    commit_bond(DP_BOND_ACTIVE_BACKUP, true, true, 0);

    send_frame(3, bcast, mac(3));
    expect_out(1 << 1 | 1 << 4, "broadcast: active member only");
    send_frame(1, mac(3), mac(10));
    expect_out(1 << 3, "from the active member");

    /* A backup member receives nothing. */
    uint64_t dropped = stats(2).rx_dropped;
    send_frame(2, mac(3), mac(11));
    expect_out(0, "from the backup member");
    ck_assert_uint_eq(stats(2).rx_dropped, dropped + 1);

    /* Learned on the bond, as one port. */
    send_frame(3, mac(10), mac(3));
    expect_out(1 << 1, "to a MAC behind the bond");

    /* Failover: the MAC stays learned on the bond, frames follow the new
     * active member, and it receives now. */
    commit_bond(DP_BOND_ACTIVE_BACKUP, false, true, 1);
    send_frame(3, mac(10), mac(3));
    expect_out(1 << 2, "after failover");
    send_frame(2, mac(3), mac(10));
    expect_out(1 << 3, "from the new active member");
    send_frame(1, mac(3), mac(10));
    expect_out(0, "from the disabled member");

    /* No member: lost. */
    commit_bond(DP_BOND_ACTIVE_BACKUP, false, false, -1);
    send_frame(3, mac(10), mac(3));
    expect_out(0, "no member");
}
END_TEST

START_TEST(test_dp_balance_slb)
{
    commit_bond(DP_BOND_BALANCE_SLB, true, true, 0);

    /* Each source MAC leaves on its bucket's member (even buckets on port
     * 1, odd on port 2). */
    ck_assert_uint_eq(bond_bucket(&slb_mac_a, 0) % 2, 0);
    ck_assert_uint_eq(bond_bucket(&slb_mac_b, 0) % 2, 1);
    send_frame(3, bcast, slb_mac_a);
    expect_out(1 << 1 | 1 << 4, "from MAC a");
    send_frame(4, bcast, slb_mac_b);
    expect_out(1 << 2 | 1 << 3, "from MAC b");

    /* Multicast and unknown unicast come in on the active member only. */
    send_frame(2, bcast, mac(20));
    expect_out(0, "broadcast on the other member");
    send_frame(2, mac(99), mac(20));
    expect_out(0, "unknown unicast on the other member");
    send_frame(1, bcast, mac(20));
    expect_out(1 << 3 | 1 << 4, "broadcast on the active member");
    /* Known unicast, on any enabled member. */
    send_frame(2, slb_mac_a, mac(21));
    expect_out(1 << 3, "known unicast on the other member");

    /* Our own frame coming back from the network (its source was
     * learned on port 3) is refused, on any member. */
    send_frame(1, bcast, slb_mac_a);
    expect_out(0, "looped back");
    send_frame(2, slb_mac_b, slb_mac_a);
    expect_out(0, "looped back as unicast");

    /* A member goes: its buckets with it. */
    commit_bond(DP_BOND_BALANCE_SLB, true, false, 0);
    send_frame(4, bcast, slb_mac_b);
    expect_out(1 << 1 | 1 << 3, "MAC b after failover");
    send_frame(2, slb_mac_a, mac(21));
    expect_out(0, "on the disabled member");
}
END_TEST

/* A host that moves from behind xsw to the bond's side announces itself
 * with a gratuitous ARP: admitted and relearned at once.  The switch
 * upstream reflecting a host's own announcement back must not move it. */
START_TEST(test_dp_slb_grat_arp)
{
    const struct eth_addr h = mac(30), g = mac(31), k = mac(32);
    const struct eth_addr from4 = mac(4);
    unsigned int via_from4 = (bond_bucket(&from4, 0) % 2 ? 1 << 2 : 1 << 1);

    commit_bond(DP_BOND_BALANCE_SLB, true, true, 0);

    /* h is behind xsw (port 3)... */
    send_frame(3, bcast, h);
    drain(1), drain(2), drain(4);
    /* ...then on the network's side: its ordinary frames and ARP requests
     * look like our own frames looping back... */
    send_frame(1, bcast, h);
    expect_out(0, "ordinary frame from a MAC learned on port 3");
    send_arp(1, bcast, h, 1, 30, 99);
    expect_out(0, "ARP request for another address");
    send_arp(1, from4, h, 2, 30, 4);
    expect_out(0, "unicast ARP reply");
    /* ...but its gratuitous ARP moves it. */
    send_arp(1, bcast, h, 1, 30, 30);
    expect_out(1 << 3 | 1 << 4, "gratuitous ARP request");
    send_frame(4, h, from4);
    expect_out(via_from4, "to h, now behind the bond");
    send_frame(2, from4, h);
    expect_out(1 << 4, "from h, on either member");

    /* g announces itself behind xsw (a gratuitous ARP reply), the switch
     * upstream floods it back to us: refused, g stays on port 3. */
    send_arp(3, bcast, g, 2, 31, 31);
    expect_out((bond_bucket(&g, 0) % 2 ? 1 << 2 : 1 << 1) | 1 << 4,
               "g's gratuitous ARP, flooded");
    send_arp(1, bcast, g, 2, 31, 31);
    expect_out(0, "reflected gratuitous ARP");
    send_frame(4, g, from4);
    expect_out(1 << 3, "to g, still on port 3");

    /* Only the active member takes broadcasts, gratuitous ARPs too. */
    send_frame(3, bcast, k);
    drain(1), drain(2), drain(4);
    send_arp(2, bcast, k, 1, 32, 32);
    expect_out(0, "gratuitous ARP on the other member");
}
END_TEST

/* bond/show's loads: the datapath counts bytes per hash bucket. */
START_TEST(test_dp_bucket_stats)
{
    uint64_t tx[DP_BOND_N_BUCKETS], total = 0;
    unsigned int a = bond_bucket(&slb_mac_a, 0);
    unsigned int b = bond_bucket(&slb_mac_b, 0);

    commit_bond(DP_BOND_BALANCE_SLB, true, true, 0);
    ck_assert_int_eq(dp_bond_get_bucket_stats(dp, 1, tx), 0);
    for (size_t i = 0; i < DP_BOND_N_BUCKETS; i++) {
        ck_assert_uint_eq(tx[i], 0);
    }
    send_frame(3, bcast, slb_mac_a);
    send_frame(3, bcast, slb_mac_a);
    send_frame(4, bcast, slb_mac_b);
    send_frame(1, mac(3), mac(40));      /* Received: not counted. */
    for (uint32_t p = 1; p <= N_PORTS; p++) {
        drain(p);
    }

    ck_assert_int_eq(dp_bond_get_bucket_stats(dp, 1, tx), 0);
    ck_assert_uint_eq(tx[a], 128);
    ck_assert_uint_eq(tx[b], 64);
    for (size_t i = 0; i < DP_BOND_N_BUCKETS; i++) {
        total += tx[i];
    }
    ck_assert_uint_eq(total, 192);

    /* They survive a new configuration (a failover, say)... */
    commit_bond(DP_BOND_BALANCE_SLB, true, false, 0);
    send_frame(4, bcast, slb_mac_b);
    drain(1), drain(3);
    ck_assert_int_eq(dp_bond_get_bucket_stats(dp, 1, tx), 0);
    ck_assert_uint_eq(tx[a], 128);
    ck_assert_uint_eq(tx[b], 128);

    /* ...and only balance-slb bonds have them. */
    ck_assert_int_eq(dp_bond_get_bucket_stats(dp, 3, tx), ENOENT);
    commit_bond(DP_BOND_ACTIVE_BACKUP, true, true, 0);
    ck_assert_int_eq(dp_bond_get_bucket_stats(dp, 1, tx), ENOENT);
}
END_TEST

START_TEST(test_dp_disabled)
{
    commit_bond(DP_BOND_DISABLED, true, true, -1);
    send_frame(3, bcast, mac(3));
    expect_out(1 << 4, "flood skips the disabled bond");
    send_frame(1, mac(3), mac(10));
    send_frame(2, mac(3), mac(11));
    expect_out(0, "the disabled bond receives nothing");
}
END_TEST

START_TEST(test_dp_config_errors)
{
    struct dp_config *cfg = dp_config_create();
    static const uint32_t members[] = { 1, 2 };
    static const bool enabled[] = { true, true };
    uint8_t buckets[DP_BOND_N_BUCKETS];
    struct vlan_config vc;
    struct dp_bond_config bc = {
        .mode = DP_BOND_BALANCE_SLB, .members = members, .enabled = enabled,
        .n_members = 2, .active = 0, .buckets = buckets,
    };

    memset(buckets, 0, sizeof buckets);
    ck_assert_int_eq(vlan_config_init(&vc, NULL, -1, NULL, 0), 0);
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 2, &vc), 0);
    ck_assert_int_eq(dp_config_add_bond(cfg, "br0", &vc, &bc), EEXIST);
    ck_assert_int_eq(dp_config_add_bond(cfg, "nobr", &vc, &bc), ENOENT);
    buckets[7] = 2;
    bc.members = (const uint32_t[]) { 3, 4 };
    ck_assert_int_eq(dp_config_add_bond(cfg, "br0", &vc, &bc), EINVAL);
    buckets[7] = 1;
    ck_assert_int_eq(dp_config_add_bond(cfg, "br0", &vc, &bc), 0);
    /* A member is in a port: that port is the bond. */
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 4, &vc), EEXIST);
    ck_assert_int_eq(dp_commit(dp, cfg), 0);

    size_t n;
    struct dp_port_info *info = dp_dump_ports(dp, &n);
    ck_assert_uint_eq(n, 4);
    ck_assert_uint_eq(info[3].port_no, 4);
    ck_assert_str_eq(info[3].bridge, "br0");
    ck_assert_uint_eq(info[3].bond_port_no, 3);
    ck_assert_uint_eq(info[1].bond_port_no, 0);
    free(info);

    /* A member in use cannot be deleted. */
    ck_assert_int_eq(dp_port_del(dp, 4), EBUSY);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("bond");
    TCase *tc = tcase_create("state");
    TCase *tc_dp = tcase_create("datapath");
    SRunner *sr;
    int failed;

    tcase_add_test(tc, test_parse);
    tcase_add_test(tc, test_first_carrier_and_failover);
    tcase_add_test(tc, test_primary);
    tcase_add_test(tc, test_delays);
    tcase_add_test(tc, test_updelay_skipped_when_all_down);
    tcase_add_test(tc, test_slb_buckets);
    tcase_add_test(tc, test_reconfigure_keeps_state);
    tcase_add_test(tc, test_lacp_fallback);
    tcase_add_test(tc, test_format);
    tcase_add_test(tc, test_format_list);
    tcase_add_test(tc, test_rebalance_moves_best_bucket);
    tcase_add_test(tc, test_rebalance_thresholds);
    tcase_add_test(tc, test_rebalance_off);
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tc_dp, setup, teardown);
    tcase_set_timeout(tc_dp, 30);
    tcase_add_test(tc_dp, test_dp_active_backup);
    tcase_add_test(tc_dp, test_dp_balance_slb);
    tcase_add_test(tc_dp, test_dp_slb_grat_arp);
    tcase_add_test(tc_dp, test_dp_bucket_stats);
    tcase_add_test(tc_dp, test_dp_disabled);
    tcase_add_test(tc_dp, test_dp_config_errors);
    suite_add_tcase(s, tc_dp);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
