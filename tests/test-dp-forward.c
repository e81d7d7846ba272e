/* test-dp-forward.c: the datapath forwarding batches between dummy ports
 * on its own thread: flooding, learning, no hairpin, VLANs, offloads,
 * configuration changes under traffic. */
#include <config.h>
#include <check.h>
#include <inttypes.h>
#include <sys/resource.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "dp.h"
#include "flow.h"
#include "netdev-dummy.h"
#include "netdev.h"
#include "util.h"

#define N_PORTS 4

static struct dp *dp;
static struct netdev *ports[N_PORTS + 1];   /* ports[1..N_PORTS]. */

static struct eth_addr
mac(uint8_t last)
{
    struct eth_addr m = { { 0x02, 0, 0, 0, 0, last } };
    return m;
}

static const struct eth_addr bcast = { { 0xff, 0xff, 0xff, 0xff, 0xff,
                                         0xff } };

static void
setup_n_threads(unsigned int n_threads)
{
    int error = netdev_register_class(&netdev_dummy_class);
    ck_assert(!error || error == EEXIST);
    dp = dp_create(n_threads);
    for (uint32_t i = 1; i <= N_PORTS; i++) {
        char name[16];
        uint32_t port_no = i;

        snprintf(name, sizeof name, "p%u", i);
        ck_assert_int_eq(netdev_open("dummy", name, NULL, &ports[i], NULL),
                         0);
        ck_assert_int_eq(dp_port_add(dp, ports[i], &port_no), 0);
        ck_assert_uint_eq(port_no, i);
    }
}

static void
setup(void)
{
    setup_n_threads(1);
}

static void
teardown(void)
{
    dp_destroy(dp);
    dp = NULL;
}

/* Commits one bridge "br0" with ports 1..N_PORTS, port i having VLAN
 * settings modes[i - 1] / tags[i - 1] (NULL modes: all trunks). */
static void
commit(const char *const *modes, const int *tags, const int64_t *trunks,
       size_t n_trunks)
{
    struct dp_config *cfg = dp_config_create();

    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    for (uint32_t i = 1; i <= N_PORTS; i++) {
        struct vlan_config vc;
        ck_assert_int_eq(vlan_config_init(&vc, modes ? modes[i - 1] : NULL,
                                          tags ? tags[i - 1] : -1,
                                          trunks, n_trunks), 0);
        ck_assert_int_eq(dp_config_add_port(cfg, "br0", i, &vc), 0);
    }
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
}

static size_t
frame(uint8_t *f, struct eth_addr dst, struct eth_addr src, int vid)
{
    size_t n = 0;

    memcpy(f, &dst, 6);
    memcpy(f + 6, &src, 6);
    n = 12;
    if (vid >= 0) {
        f[n++] = 0x81;
        f[n++] = 0x00;
        f[n++] = vid >> 8;
        f[n++] = vid;
    }
    f[n++] = 0x88;
    f[n++] = 0xb5;
    memset(f + n, 0x5a, 46);
    return n + 46;
}

static uint64_t
rx_count(uint32_t port_no)
{
    struct dp_port_stats s;
    ck_assert_int_eq(dp_port_get_stats(dp, port_no, &s), 0);
    return s.rx_packets;
}

/* Receives 'f' on port 'in' and waits until the datapath has forwarded
 * it (it counts rx after sending the batch's output). */
static void
inject(uint32_t in, const void *f, size_t n,
       const struct dp_packet_offload *ol)
{
    uint64_t before = rx_count(in);

    netdev_dummy_receive(ports[in], f, n, ol);
    for (int i = 0; i < 2000 && rx_count(in) == before; i++) {
        usleep(1000);
    }
    ck_assert_msg(rx_count(in) > before, "port %u did not receive", in);
}

static void
send_frame(uint32_t in, struct eth_addr dst, struct eth_addr src, int vid)
{
    uint8_t f[128];
    inject(in, f, frame(f, dst, src, vid), NULL);
}

/* Pops what port 'p' sent: returns how many frames, and the VID of the
 * last one in '*vid' (-1 untagged). */
static int
drain(uint32_t p, int *vid)
{
    struct dp_packet *pkt;
    int n = 0;

    while ((pkt = netdev_dummy_pop_sent(ports[p]))) {
        struct flow_l2 l2;
        ck_assert(flow_parse_l2(dp_packet_data(pkt), pkt->size, &l2));
        if (vid) {
            *vid = l2.vlan_present ? l2.vlan_tci & VLAN_VID_MASK : -1;
        }
        ck_assert_uint_eq(l2.dl_type, 0x88b5);
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
        int n = drain(p, NULL);
        ck_assert_msg(n == (int) ((bitmap >> p) & 1),
                      "%s: port %u sent %d", what, p, n);
    }
}

START_TEST(test_flood_and_learn)
{
    commit(NULL, NULL, NULL, 0);

    send_frame(1, mac(2), mac(1), -1);          /* 2 unknown: flood. */
    expect_out(1 << 2 | 1 << 3 | 1 << 4, "unknown unicast");
    send_frame(2, mac(1), mac(2), -1);          /* 1 learned on port 1. */
    expect_out(1 << 1, "learned");
    send_frame(1, mac(2), mac(1), -1);
    expect_out(1 << 2, "learned back");
    send_frame(3, bcast, mac(3), -1);
    expect_out(1 << 1 | 1 << 2 | 1 << 4, "broadcast");
    struct eth_addr mcast = { { 0x01, 0x00, 0x5e, 0, 0, 9 } };
    send_frame(4, mcast, mac(4), -1);
    expect_out(1 << 1 | 1 << 2 | 1 << 3, "multicast");

    /* No hairpin: 2 lives on port 2, and port 2 sends to it. */
    send_frame(2, mac(2), mac(5), -1);
    expect_out(0, "hairpin");

    /* 1 moves to port 3. */
    send_frame(3, bcast, mac(1), -1);
    expect_out(1 << 1 | 1 << 2 | 1 << 4, "move broadcast");
    send_frame(2, mac(1), mac(2), -1);
    expect_out(1 << 3, "after move");

    struct fdb_entry_info *e;
    size_t n;
    ck_assert_int_eq(dp_fdb_dump(dp, "br0", &e, &n), 0);
    ck_assert_uint_eq(n, 5);             /* MACs 1, 2, 3, 4, 5. */
    bool found = false;
    for (size_t i = 0; i < n; i++) {
        if (e[i].mac.ea[5] == 1) {
            ck_assert_uint_eq(e[i].port_no, 3);
            found = true;
        }
    }
    ck_assert(found);
    free(e);
    char *text = dp_fdb_show(dp, "br0");
    ck_assert_ptr_nonnull(text);
    ck_assert_msg(strstr(text, " port  VLAN  MAC                Age\n")
                  == text, "%s", text);
    ck_assert_msg(strstr(text, "    3     0  02:00:00:00:00:01    0\n"),
                  "%s", text);
    free(text);
    ck_assert_ptr_null(dp_fdb_show(dp, "nope"));
    ck_assert_int_eq(dp_fdb_dump(dp, "nope", &e, &n), ENOENT);
    ck_assert_int_eq(dp_fdb_flush(dp, "br0"), 0);
    ck_assert_int_eq(dp_fdb_dump(dp, "br0", &e, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(e);
    send_frame(2, mac(1), mac(2), -1);
    expect_out(1 << 1 | 1 << 3 | 1 << 4, "flushed");
}
END_TEST

/* Commits bridge "br0" with ports 1..N_PORTS, all trunks, closed if
 * 'closed', forwarding reserved multicast if 'forward_bpdu'. */
static void
commit_bridge(bool closed, bool forward_bpdu)
{
    struct dp_config *cfg = dp_config_create();
    struct vlan_config vc;

    vlan_config_init(&vc, NULL, -1, NULL, 0);
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    for (uint32_t i = 1; i <= N_PORTS; i++) {
        ck_assert_int_eq(dp_config_add_port(cfg, "br0", i, &vc), 0);
    }
    if (closed) {
        ck_assert_int_eq(dp_config_close_bridge(cfg, "br0"), 0);
        ck_assert_int_eq(dp_config_close_bridge(cfg, "br9"), ENOENT);
    }
    ck_assert_int_eq(dp_config_set_forward_bpdu(cfg, "br0", forward_bpdu),
                     0);
    ck_assert_int_eq(dp_config_set_forward_bpdu(cfg, "br9", true), ENOENT);
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
}

static void
commit_closed(bool closed)
{
    commit_bridge(closed, false);
}

/* A closed bridge (fail_mode=secure) forwards nothing, learns nothing and
 * forgets what it knew; opened again, it floods and learns afresh. */
START_TEST(test_closed_bridge)
{
    struct dp_port_stats s;
    struct fdb_entry_info *e;
    size_t n;

    commit_closed(false);
    send_frame(2, mac(1), mac(2), -1);
    expect_out(1 << 1 | 1 << 3 | 1 << 4, "open: flood");

    commit_closed(true);
    ck_assert_int_eq(dp_fdb_dump(dp, "br0", &e, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(e);
    send_frame(1, mac(2), mac(1), -1);
    expect_out(0, "closed: unicast");
    send_frame(3, bcast, mac(3), -1);
    expect_out(0, "closed: broadcast");
    ck_assert_int_eq(dp_port_get_stats(dp, 3, &s), 0);
    ck_assert_uint_eq(s.rx_dropped, 1);
    ck_assert_int_eq(dp_fdb_dump(dp, "br0", &e, &n), 0);
    ck_assert_uint_eq(n, 0);
    free(e);

    commit_closed(false);
    send_frame(1, mac(2), mac(1), -1);
    expect_out(1 << 2 | 1 << 3 | 1 << 4, "reopened: 2 unknown, flood");
    send_frame(2, mac(1), mac(2), -1);
    expect_out(1 << 1, "reopened: learned");
}
END_TEST

/* Frames to a reserved MAC (an STP BPDU, LLDP, CDP...) are dropped on
 * input and teach the bridge nothing, unless the bridge forwards BPDUs;
 * then they are flooded like any multicast.  dp_trace() says the same. */
START_TEST(test_forward_bpdu)
{
    static const struct eth_addr reserved[] = {
        { { 0x01, 0x80, 0xc2, 0, 0, 0x00 } },     /* STP. */
        { { 0x01, 0x80, 0xc2, 0, 0, 0x0e } },     /* LLDP. */
        { { 0x01, 0x00, 0x0c, 0xcc, 0xcc, 0xcc } },   /* CDP. */
    };
    const struct eth_addr not_reserved = { { 0x01, 0x80, 0xc2, 0, 0, 0x10 } };
    struct dp_port_stats s;
    struct fdb_entry_info *e;
    struct dp_trace tr;
    uint8_t f[128];
    size_t n;

    commit_bridge(false, false);
    for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
        send_frame(1, reserved[i], mac(1), -1);
        expect_out(0, "reserved, forward-bpdu=false");
        n = frame(f, reserved[i], mac(1), -1);
        ck_assert_int_eq(dp_trace(dp, 1, f, n, &tr), 0);
        ck_assert_int_eq(tr.verdict, DP_TRACE_RESERVED_DROP);
        dp_trace_destroy(&tr);
    }
    ck_assert_int_eq(dp_port_get_stats(dp, 1, &s), 0);
    ck_assert_uint_eq(s.rx_packets, ARRAY_SIZE(reserved));
    ck_assert_uint_eq(s.rx_dropped, 0);
    ck_assert_int_eq(dp_fdb_dump(dp, "br0", &e, &n), 0);
    ck_assert_uint_eq(n, 0);            /* Not learned from. */
    free(e);
    send_frame(1, not_reserved, mac(1), -1);
    expect_out(1 << 2 | 1 << 3 | 1 << 4, "next to reserved");

    commit_bridge(false, true);
    for (size_t i = 0; i < ARRAY_SIZE(reserved); i++) {
        send_frame(2, reserved[i], mac(2), -1);
        expect_out(1 << 1 | 1 << 3 | 1 << 4, "reserved, forward-bpdu=true");
        n = frame(f, reserved[i], mac(2), -1);
        ck_assert_int_eq(dp_trace(dp, 2, f, n, &tr), 0);
        ck_assert_int_eq(tr.verdict, DP_TRACE_FLOOD);
        dp_trace_destroy(&tr);
    }
}
END_TEST

/* dp_trace() says what the forwarding threads then do: random VLAN
 * settings and frames, each traced (which learns nothing), then sent; the
 * ports it sends on, and the tags, must be the ones the trace named. */
START_TEST(test_trace_matches_forwarding)
{
    static const char *const modes[] = {
        "access", "trunk", "native-tagged", "native-untagged",
    };
    unsigned int seed = 12345;

    for (int round = 0; round < 8; round++) {
        const char *m[N_PORTS];
        int tags[N_PORTS];
        int64_t trunks[] = { 1, 2 };

        for (size_t i = 0; i < N_PORTS; i++) {
            m[i] = modes[rand_r(&seed) % 4];
            tags[i] = 1 + rand_r(&seed) % 3;
        }
        commit(m, tags, trunks, rand_r(&seed) % 2 ? 2 : 0);
        for (int k = 0; k < 40; k++) {
            uint32_t in = 1 + rand_r(&seed) % N_PORTS;
            struct eth_addr src = mac(1 + rand_r(&seed) % 6);
            struct eth_addr dst = (rand_r(&seed) % 5 ? mac(1 + rand_r(&seed)
                                                             % 6) : bcast);
            int vid = (int) (rand_r(&seed) % 5) - 1;
            int expect_vid[N_PORTS + 1];
            unsigned int expect = 0;
            struct dp_trace tr;
            uint8_t f[128];
            size_t n;

            if (eth_addr_equals(&src, &dst)) {
                continue;       /* Learning first would change the answer:
                                 * see fwd_lookup_locked(). */
            }
            n = frame(f, dst, src, vid);
            ck_assert_int_eq(dp_trace(dp, in, f, n, &tr), 0);
            for (size_t o = 0; o < tr.n_outputs; o++) {
                uint32_t p = tr.outputs[o].dev_port_no;
                expect |= 1u << p;
                expect_vid[p] = tr.outputs[o].vid ? tr.outputs[o].vid : -1;
            }
            dp_trace_destroy(&tr);
            inject(in, f, n, NULL);
            for (uint32_t p = 1; p <= N_PORTS; p++) {
                int got_vid = -2;
                int sent = drain(p, &got_vid);

                ck_assert_msg(sent == (int) ((expect >> p) & 1),
                              "round %d frame %d: in %u, port %u sent %d "
                              "(trace: %#x)", round, k, in, p, sent, expect);
                if (sent) {
                    ck_assert_int_eq(got_vid, expect_vid[p]);
                }
            }
        }
    }
    /* A device in no bridge, and none at all. */
    struct dp_config *cfg = dp_config_create();
    struct dp_trace tr;
    uint8_t f[128];
    size_t n = frame(f, bcast, mac(1), -1);

    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
    ck_assert_int_eq(dp_trace(dp, 1, f, n, &tr), 0);
    ck_assert_int_eq(tr.verdict, DP_TRACE_NOT_IN_BRIDGE);
    ck_assert_int_eq(dp_trace(dp, 99, f, n, &tr), ENOENT);
}
END_TEST

START_TEST(test_vlan_isolation)
{
    static const char *const modes[] = { "access", "access", "access",
                                         "trunk" };
    static const int tags[] = { 10, 20, 10, -1 };
    int vid;

    commit(modes, tags, NULL, 0);

    send_frame(1, bcast, mac(1), -1);
    ck_assert_int_eq(drain(1, NULL), 0);
    ck_assert_int_eq(drain(2, NULL), 0);            /* Other VLAN. */
    ck_assert_int_eq(drain(3, &vid), 1);
    ck_assert_int_eq(vid, -1);                      /* Access: untagged. */
    ck_assert_int_eq(drain(4, &vid), 1);
    ck_assert_int_eq(vid, 10);                      /* Trunk: tagged. */

    /* A priority-tagged frame belongs to the access VLAN. */
    send_frame(3, bcast, mac(3), 0);
    ck_assert_int_eq(drain(1, &vid), 1);
    ck_assert_int_eq(vid, -1);
    ck_assert_int_eq(drain(2, NULL), 0);
    ck_assert_int_eq(drain(4, &vid), 1);
    ck_assert_int_eq(vid, 10);

    /* A tagged frame on an access port is dropped and counted. */
    struct dp_port_stats s;
    send_frame(1, bcast, mac(1), 20);
    expect_out(0, "tagged on access");
    ck_assert_int_eq(dp_port_get_stats(dp, 1, &s), 0);
    ck_assert_uint_eq(s.rx_dropped, 1);

    /* From the trunk: VLAN 20 reaches only port 2, untagged. */
    send_frame(4, bcast, mac(4), 20);
    expect_out(1 << 2, "trunk vlan 20");
    send_frame(4, bcast, mac(4), 10);
    expect_out(1 << 1 | 1 << 3, "trunk vlan 10");
    /* Untagged on the trunk is VLAN 0: nobody else has it. */
    send_frame(4, bcast, mac(4), -1);
    expect_out(0, "trunk vlan 0");

    /* MAC 4 learned per VLAN: unicast in VLAN 10 goes to port 4 only,
     * tagged; in VLAN 20 MAC 4 is known too, from the frame above. */
    send_frame(1, mac(4), mac(1), -1);
    ck_assert_int_eq(drain(4, &vid), 1);
    ck_assert_int_eq(vid, 10);
    expect_out(0, "unicast to trunk");

    ck_assert_int_eq(dp_port_get_stats(dp, 4, &s), 0);
    ck_assert_uint_eq(s.rx_packets, 3);
    ck_assert_uint_eq(s.tx_packets, 3);
}
END_TEST

START_TEST(test_native_modes)
{
    static const char *const modes[] = { "native-untagged", "native-tagged",
                                         "trunk", "access" };
    static const int tags[] = { 10, 10, -1, 10 };
    static const int64_t trunks[] = { 10, 20 };
    int vid;

    commit(modes, tags, trunks, 2);
    send_frame(3, bcast, mac(3), 10);
    ck_assert_int_eq(drain(1, &vid), 1);
    ck_assert_int_eq(vid, -1);                 /* Native VLAN untagged. */
    ck_assert_int_eq(drain(2, &vid), 1);
    ck_assert_int_eq(vid, 10);                 /* Native VLAN tagged. */
    ck_assert_int_eq(drain(4, &vid), 1);
    ck_assert_int_eq(vid, -1);

    send_frame(3, bcast, mac(3), 20);
    ck_assert_int_eq(drain(1, &vid), 1);
    ck_assert_int_eq(vid, 20);
    ck_assert_int_eq(drain(2, &vid), 1);
    ck_assert_int_eq(vid, 20);
    expect_out(0, "vlan 20");

    send_frame(1, bcast, mac(1), -1);         /* Untagged: native 10. */
    ck_assert_int_eq(drain(3, &vid), 1);
    ck_assert_int_eq(vid, 10);
    ck_assert_int_eq(drain(2, &vid), 1);
    ck_assert_int_eq(vid, 10);
    ck_assert_int_eq(drain(4, &vid), 1);
    ck_assert_int_eq(vid, -1);
}
END_TEST

/* A 64 KiB GSO TCP packet with a partial checksum, from a TAP-like port:
 * passed unchanged to a port with offloads, segmented and checksummed for
 * one without. */
/* Run 0: an ordinary MSS; run 1: a jumbo one (MTU 9000), whose segments
 * need larger buffers than ordinary frames. */
START_TEST(test_offloads)
{
    enum { PAYLOAD = 60000 };
    const uint16_t MSS = _i ? 8948 : 1448;
    size_t size = 14 + 20 + 20 + PAYLOAD;
    uint8_t *f = calloc(1, size);
    struct dp_packet_offload ol = {
        .flags = DP_PACKET_OL_NEEDS_CSUM, .gso_type = DP_PACKET_GSO_TCPV4,
        .gso_size = MSS, .hdr_len = 54, .csum_start = 34, .csum_offset = 16,
    };
    struct dp_packet *p;
    int n;

    netdev_dummy_set_caps(ports[1], NETDEV_TX_CSUM | NETDEV_TX_TSO);
    netdev_dummy_set_caps(ports[2], NETDEV_TX_CSUM | NETDEV_TX_TSO);
    commit(NULL, NULL, NULL, 0);

    memcpy(f, "\xff\xff\xff\xff\xff\xff\x02\0\0\0\0\x01\x08\x00", 14);
    f[14] = 0x45;
    f[16] = (size - 14) >> 8;
    f[17] = (size - 14) & 0xff;
    f[22] = 64;
    f[23] = 6;
    memcpy(f + 26, "\x0a\0\0\x01\x0a\0\0\x02", 8);
    f[46] = 0x50;
    f[47] = 0x18;
    inject(1, f, size, &ol);

    /* Port 2 takes offloads: one packet, metadata intact. */
    p = netdev_dummy_pop_sent(ports[2]);
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->size, size);
    ck_assert_uint_eq(p->ol.gso_type, DP_PACKET_GSO_TCPV4);
    ck_assert_uint_eq(p->ol.gso_size, MSS);
    ck_assert(p->ol.flags & DP_PACKET_OL_NEEDS_CSUM);
    dp_packet_delete(p);
    ck_assert_ptr_null(netdev_dummy_pop_sent(ports[2]));

    /* Port 3 does not: MSS-sized segments, no metadata. */
    n = 0;
    while ((p = netdev_dummy_pop_sent(ports[3]))) {
        ck_assert_uint_eq(p->ol.flags, 0);
        ck_assert_uint_eq(p->ol.gso_type, 0);
        ck_assert_uint_le(p->size, 54 + MSS);
        dp_packet_delete(p);
        n++;
    }
    ck_assert_int_eq(n, (PAYLOAD + MSS - 1) / MSS);
    while ((p = netdev_dummy_pop_sent(ports[4]))) {
        dp_packet_delete(p);
        n--;
    }
    ck_assert_int_eq(n, 0);
    free(f);
}
END_TEST

/* Port 1 delivers partial checksums without metadata (AF_XDP on veth). */
START_TEST(test_partial_from_afxdp)
{
    uint8_t f[14 + 20 + 8 + 10] = {
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 2, 0, 0, 0, 0, 1, 0x08, 0x00,
        0x45, 0, 0, 38, 0, 0, 0, 0, 64, 17, 0, 0, 10, 0, 0, 1, 10, 0, 0, 2,
        0x12, 0x34, 0x00, 0x35, 0, 18, 0, 0,
        1, 2, 3, 4, 5, 6, 7, 8, 9, 10,
    };
    /* Pseudo-header sum: addresses, protocol, UDP length. */
    uint32_t sum = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 18;
    struct dp_packet *p;

    f[40] = sum >> 8;
    f[41] = sum;
    netdev_dummy_set_caps(ports[1], NETDEV_RX_PARTIAL_CSUM);
    netdev_dummy_set_caps(ports[2], NETDEV_TX_CSUM);
    commit(NULL, NULL, NULL, 0);
    inject(1, f, sizeof f, NULL);

    p = netdev_dummy_pop_sent(ports[2]);       /* Told, not completed. */
    ck_assert_ptr_nonnull(p);
    ck_assert(p->ol.flags & DP_PACKET_OL_NEEDS_CSUM);
    ck_assert_uint_eq(p->ol.csum_start, 34);
    ck_assert_uint_eq(p->ol.csum_offset, 6);
    ck_assert(!memcmp(dp_packet_data(p), f, sizeof f));
    dp_packet_delete(p);

    p = netdev_dummy_pop_sent(ports[3]);       /* Completed. */
    ck_assert_ptr_nonnull(p);
    ck_assert_uint_eq(p->ol.flags, 0);
    const uint8_t *d = dp_packet_data(p);
    uint32_t check = 0x0a00 + 0x0001 + 0x0a00 + 0x0002 + 17 + 18;
    for (size_t i = 34; i < sizeof f; i += 2) {
        check += (d[i] << 8) | d[i + 1];
    }
    while (check >> 16) {
        check = (check & 0xffff) + (check >> 16);
    }
    ck_assert_uint_eq(check, 0xffff);
    ck_assert_uint_ne((d[40] << 8) | d[41], sum);
    dp_packet_delete(p);
}
END_TEST

START_TEST(test_port_del_busy)
{
    commit(NULL, NULL, NULL, 0);
    ck_assert_int_eq(dp_port_del(dp, 4), EBUSY);
    ck_assert_int_eq(dp_port_del(dp, 99), ENOENT);

    struct dp_config *cfg = dp_config_create();
    struct vlan_config vc;
    vlan_config_init(&vc, NULL, -1, NULL, 0);
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), EEXIST);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 1, &vc), 0);
    ck_assert_int_eq(dp_config_add_port(cfg, "br9", 2, &vc), ENOENT);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 1, &vc), EEXIST);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 2, &vc), 0);
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
    ck_assert_int_eq(dp_port_del(dp, 4), 0);
    ck_assert_ptr_null(dp_port_get_netdev(dp, 4));
    ports[4] = NULL;

    cfg = dp_config_create();
    ck_assert_int_eq(dp_config_add_bridge(cfg, "br0", 0, 0), 0);
    ck_assert_int_eq(dp_config_add_port(cfg, "br0", 4, &vc), 0);
    ck_assert_int_eq(dp_commit(dp, cfg), ENOENT);

    size_t n;
    struct dp_port_info *info = dp_dump_ports(dp, &n);
    ck_assert_uint_eq(n, 3);
    ck_assert_uint_eq(info[0].port_no, 1);
    ck_assert_str_eq(info[0].name, "p1");
    ck_assert_str_eq(info[0].type, "dummy");
    ck_assert_str_eq(info[0].bridge, "br0");
    ck_assert_ptr_null(info[2].bridge);
    free(info);
}
END_TEST

/* Traffic flows from a generator on port 1 to port 2 while the control
 * thread commits new configurations as fast as it can: every commit must
 * take effect, and traffic must keep flowing. */
static void
config_swap_under_traffic(void)
{
    uint8_t f[128];
    size_t n = frame(f, mac(2), mac(1), -1);
    static const char *const modes[] = { "access", "access", "access",
                                         "access" };
    int tags_a[] = { 10, 10, 10, 10 };
    int tags_b[] = { 10, 20, 10, 10 };
    struct dp_port_stats s;
    uint64_t last_tx = 0;

    for (int i = 2; i <= N_PORTS; i++) {
        netdev_dummy_set_sink(ports[i], true);
    }
    netdev_dummy_set_generator(ports[1], f, n);
    commit(modes, tags_a, NULL, 0);
    send_frame(2, bcast, mac(2), -1);        /* Learn MAC 2 on port 2. */

    for (int round = 0; round < 200; round++) {
        commit(modes, round % 2 ? tags_b : tags_a, NULL, 0);
        if (round % 2 == 0) {
            /* Same VLAN: port 2 receives.  Wait to see progress. */
            for (int i = 0; i < 2000; i++) {
                ck_assert_int_eq(dp_port_get_stats(dp, 2, &s), 0);
                if (s.tx_packets > last_tx) {
                    break;
                }
                usleep(100);
            }
            ck_assert_msg(s.tx_packets > last_tx, "round %d stalled", round);
            last_tx = s.tx_packets;
        }
    }
    /* Port 2 in VLAN 20 now: it gets nothing more. */
    commit(modes, tags_b, NULL, 0);
    usleep(20000);
    ck_assert_int_eq(dp_port_get_stats(dp, 2, &s), 0);
    last_tx = s.tx_packets;
    usleep(20000);
    ck_assert_int_eq(dp_port_get_stats(dp, 2, &s), 0);
    ck_assert_uint_eq(s.tx_packets, last_tx);
    ck_assert_int_eq(dp_port_get_stats(dp, 3, &s), 0);
    ck_assert_uint_gt(s.tx_packets, 0);
    /* Stop the generator before its pool goes away with the netdev. */
    struct dp_config *cfg = dp_config_create();
    ck_assert_int_eq(dp_commit(dp, cfg), 0);
}

/* CPU time this process has used, in milliseconds. */
static long long
cpu_msec(void)
{
    struct rusage ru;

    ck_assert_int_eq(getrusage(RUSAGE_SELF, &ru), 0);
    return ((ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) * 1000LL
            + (ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) / 1000);
}

/* CPU used over 'msec' of wall-clock time, in % of one core. */
static long long
cpu_percent_over(int msec)
{
    long long before = cpu_msec();

    usleep(msec * 1000);
    return (cpu_msec() - before) * 100 / msec;
}

/* Waits up to 'max_msec' of wall-clock time for this process to use
 * 'want_msec' of CPU; returns the CPU it used.  A spinning thread gets
 * there however busy the machine is (a share of a core is still a share),
 * so the check does not depend on the machine's load as a CPU percentage
 * over a fixed window did: under a CPU hog on 2 cores, a spinning thread
 * got 8% of a core in 300 ms. */
static long long
cpu_used_within(long long want_msec, int max_msec)
{
    long long before = cpu_msec();

    for (int waited = 0; waited < max_msec; waited += 50) {
        if (cpu_msec() - before >= want_msec) {
            break;
        }
        usleep(50 * 1000);
    }
    return cpu_msec() - before;
}

/* After traffic the forwarding thread spins only for the busy-polling
 * time, then sleeps: an idle switch uses no CPU.  With a long busy-polling
 * time it keeps spinning (the knob is not ignored). */
START_TEST(test_idle_sleeps)
{
    long long idle, spinning;

    commit(NULL, NULL, NULL, 0);
    send_frame(1, bcast, mac(1), -1);
    usleep(50 * 1000);              /* Well past the default 200 us. */
    idle = cpu_percent_over(500);
    ck_assert_msg(idle < 5, "idle datapath used %lld%% of a core", idle);

    dp_set_busy_poll(dp, 10 * 1000 * 1000);
    send_frame(1, bcast, mac(1), -1);
    spinning = cpu_used_within(300, 9 * 1000);  /* Within the 10 s. */
    ck_assert_msg(spinning >= 300, "busy-polling datapath used only %lld ms "
                  "of CPU in 9 s", spinning);

    dp_set_busy_poll(dp, 0);
    send_frame(1, bcast, mac(1), -1);
    usleep(20 * 1000);
    idle = cpu_percent_over(300);
    ck_assert_msg(idle < 5, "datapath kept spinning (%lld%%) with busy "
                  "polling off", idle);
}
END_TEST

/* The forwarding thread's busy time (for the metrics) grows with traffic
 * and only with traffic: polling rounds that find nothing and sleeping add
 * nothing to it (the spinning counts as CPU time). */
START_TEST(test_thread_stats)
{
    struct dp_thread_stats before, after, later;

    commit(NULL, NULL, NULL, 0);
    ck_assert_uint_eq(dp_get_n_threads(dp), 1);
    ck_assert_int_eq(dp_thread_get_stats(dp, 1, &before), ENOENT);
    ck_assert_uint_eq(before.busy_nsec, 0);
    ck_assert_int_eq(dp_thread_get_stats(dp, 0, &before), 0);
    /* Polling rounds without packets for 50 ms after the last frame. */
    dp_set_busy_poll(dp, 50 * 1000);
    for (int i = 0; i < 20; i++) {
        send_frame(1, bcast, mac(1), -1);
    }
    ck_assert_int_eq(dp_thread_get_stats(dp, 0, &after), 0);
    ck_assert_msg(after.busy_nsec > before.busy_nsec, "busy %"PRIu64
                  " -> %"PRIu64" ns after 20 frames", before.busy_nsec,
                  after.busy_nsec);
    ck_assert_uint_gt(after.cpu_nsec, 0);

    usleep(100 * 1000);             /* Spins 50 ms, then sleeps. */
    ck_assert_int_eq(dp_thread_get_stats(dp, 0, &later), 0);
    ck_assert_msg(later.busy_nsec == after.busy_nsec, "busy %"PRIu64
                  " -> %"PRIu64" ns while idle", after.busy_nsec,
                  later.busy_nsec);
    ck_assert_uint_ge(later.cpu_nsec, after.cpu_nsec);
}
END_TEST

START_TEST(test_config_swap_1_thread)
{
    config_swap_under_traffic();
}
END_TEST

START_TEST(test_config_swap_2_threads)
{
    teardown();
    setup_n_threads(2);
    config_swap_under_traffic();
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("dp-forward");
    TCase *tc = tcase_create("forward");
    SRunner *sr;
    int failed;

    tcase_add_checked_fixture(tc, setup, teardown);
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, test_flood_and_learn);
    tcase_add_test(tc, test_thread_stats);
    tcase_add_test(tc, test_closed_bridge);
    tcase_add_test(tc, test_forward_bpdu);
    tcase_add_test(tc, test_trace_matches_forwarding);
    tcase_add_test(tc, test_vlan_isolation);
    tcase_add_test(tc, test_native_modes);
    tcase_add_loop_test(tc, test_offloads, 0, 2);
    tcase_add_test(tc, test_partial_from_afxdp);
    tcase_add_test(tc, test_port_del_busy);
    tcase_add_test(tc, test_idle_sleeps);
    tcase_add_test(tc, test_config_swap_1_thread);
    tcase_add_test(tc, test_config_swap_2_threads);
    suite_add_tcase(s, tc);
    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed ? 1 : 0;
}
