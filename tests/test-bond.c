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
#include "netdev.h"

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
        ck_assert_int_eq(netdev_open("dummy", name, NULL, &ports[i]), 0);
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
send_frame(uint32_t in, struct eth_addr dst, struct eth_addr src)
{
    uint64_t before = stats(in).rx_packets;
    uint8_t f[64];

    memcpy(f, &dst, 6);
    memcpy(f + 6, &src, 6);
    f[12] = 0x88;
    f[13] = 0xb5;
    memset(f + 14, 0x5a, sizeof f - 14);
    netdev_dummy_receive(ports[in], f, sizeof f, NULL);
    for (int i = 0; i < 2000 && stats(in).rx_packets == before; i++) {
        usleep(1000);
    }
    ck_assert_msg(stats(in).rx_packets > before, "port %u did not receive",
                  in);
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
    suite_add_tcase(s, tc);

    tcase_add_checked_fixture(tc_dp, setup, teardown);
    tcase_set_timeout(tc_dp, 30);
    tcase_add_test(tc_dp, test_dp_active_backup);
    tcase_add_test(tc_dp, test_dp_balance_slb);
    tcase_add_test(tc_dp, test_dp_disabled);
    tcase_add_test(tc_dp, test_dp_config_errors);
    suite_add_tcase(s, tc_dp);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
