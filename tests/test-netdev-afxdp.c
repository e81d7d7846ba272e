/* test-netdev-afxdp.c: AF_XDP system ports on a veth pair (root).
 *
 * The port sits on the host end of a veth pair whose other end is in a
 * namespace.  The namespace pings an address that only this test answers,
 * through the AF_XDP socket: frames go both ways, in native and in generic
 * mode. */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netdev-afxdp.h"
#include "netdev.h"
#include "shash.h"
#include "test-netdev-common.h"
#include "util.h"

static struct xt_veth veth;

static void
setup_veth(void)
{
    xt_cleanup();
    xt_veth_create(&veth);
}

static struct netdev *
open_xdp(const char *name, const char *mode)
{
    struct netdev *netdev;
    struct shash options;
    char *message;
    int error;

    shash_init(&options);
    if (mode) {
        shash_add(&options, "xdp-mode", mode);
    }
    error = netdev_open("afxdp", name, &options, &netdev, &message);
    shash_destroy(&options);
    ck_assert_msg(!error, "open %s in %s mode: %s (%s)", name,
                  mode ? mode : "default", strerror(error), message);
    ck_assert_ptr_null(message);
    return netdev;
}

/* Whether the running kernel is at least MAJOR.MINOR. */
static bool
kernel_at_least(int major, int minor)
{
    struct utsname u;
    int ma = 0, mi = 0;

    return (!uname(&u) && sscanf(u.release, "%d.%d", &ma, &mi) == 2
            && (ma > major || (ma == major && mi >= minor)));
}

static void
check_ping(const char *mode, const char *expected_mode)
{
    struct netdev *netdev = open_xdp(veth.a, mode);
    struct netdev_stats stats;

    ck_assert_str_eq(netdev_get_mode(netdev), expected_mode);
    ck_assert(xt_has_xdp(veth.a));
    /* Linux 6.11 and later finish partial checksums on AF_XDP transmit
     * (TX metadata); before, the datapath completes them. */
    if (kernel_at_least(6, 11)) {
        ck_assert_uint_eq(netdev->caps,
                          NETDEV_RX_PARTIAL_CSUM | NETDEV_TX_CSUM);
        ck_assert_str_eq(netdev_afxdp_get_tx_csum(netdev), "kernel");
    } else {
        ck_assert_uint_eq(netdev->caps, NETDEV_RX_PARTIAL_CSUM);
        ck_assert(!strncmp(netdev_afxdp_get_tx_csum(netdev), "software", 8));
    }

    ck_assert_int_eq(xt_ping_through(netdev, &veth), 0);
    netdev_get_stats(netdev, &stats);
    ck_assert_uint_ge(stats.rx_packets, 4);    /* ARP + 3 echo requests. */
    ck_assert_uint_ge(stats.tx_packets, 4);
    ck_assert_uint_gt(stats.rx_bytes, 0);
    netdev_close(netdev);

    /* Closing detaches the XDP program: the device is as we found it. */
    ck_assert(!xt_has_xdp(veth.a));
}

START_TEST(test_afxdp_native)
{
    check_ping("native", "native");
}
END_TEST

START_TEST(test_afxdp_generic)
{
    check_ping("generic", "generic");
}
END_TEST

START_TEST(test_afxdp_best_effort)
{
    /* veth has native XDP, so best-effort picks it. */
    check_ping(NULL, "native");
}
END_TEST

/* The namespace's veth end has TX checksum offload on, so its UDP datagram
 * arrives with only the pseudo-header sum in the checksum field: the
 * frame is passed up unchanged, for the datapath to complete. */
START_TEST(test_afxdp_partial_csum)
{
    struct netdev *netdev = open_xdp(veth.a, "native");
    uint32_t dst = inet_addr("10.78.0.9");
    struct xt_frame f;
    uint16_t field;

    xt_send_udp_from_ns(&veth, "10.78.0.9");
    ck_assert_msg(xt_recv_match(netdev, 2000, xt_is_udp_to, &dst, &f, NULL),
                  "UDP datagram from the namespace not received");
    memcpy(&field, f.data + 14 + 20 + 6, 2);
    ck_assert_uint_eq(field, xt_pseudo_header_sum(f.data + 14));
    ck_assert_uint_eq(f.ol.flags, 0);
    free(f.data);
    netdev_close(netdev);
}
END_TEST

/* Frames the namespace's end of the veth pair has received. */
static uint64_t
ns_rx_packets(void)
{
    char cmd[128];
    unsigned long long n = 0;
    FILE *f;

    snprintf(cmd, sizeof cmd,
             "ip netns exec %s cat /sys/class/net/%s/statistics/rx_packets",
             veth.ns, veth.b);
    f = popen(cmd, "r");
    ck_assert_ptr_nonnull(f);
    ck_assert_int_eq(fscanf(f, "%llu", &n), 1);
    pclose(f);
    return n;
}

/* A full burst goes out in one send_batch(), although the kernel moves at
 * most 32 frames per wake-up in copy mode: none may wait on the ring for
 * a later batch (TCP stalled on such frames). */
static void
check_full_burst(const char *mode)
{
    struct netdev *netdev = open_xdp(veth.a, mode);
    struct dp_packet_batch batch;
    struct netdev_stats stats;
    uint64_t before = ns_rx_packets();

    dp_packet_batch_init(&batch);
    for (size_t i = 0; i < NETDEV_MAX_BURST; i++) {
        struct dp_packet *p = dp_packet_new(60, 0);
        uint8_t *f = dp_packet_data(p);

        memset(f, 0xff, 6);                         /* Broadcast... */
        memcpy(f + 6, "\x02\xaa\x00\x00\x00\x09", 6);
        f[12] = 0x88;                               /* ...local type. */
        f[13] = 0xb5;
        memset(f + 14, (int) i, 46);
        dp_packet_batch_add(&batch, p);
    }
    ck_assert_int_eq(netdev_send_batch(netdev, &batch), 0);
    ck_assert_uint_eq(batch.count, 0);
    /* At least: the host's own stack may send on the device meanwhile. */
    ck_assert_uint_ge(ns_rx_packets() - before, NETDEV_MAX_BURST);
    netdev_get_stats(netdev, &stats);
    ck_assert_uint_eq(stats.tx_packets, NETDEV_MAX_BURST);
    ck_assert_uint_eq(stats.tx_dropped, 0);
    netdev_close(netdev);
}

START_TEST(test_afxdp_full_burst_native)
{
    check_full_burst("native");
}
END_TEST

START_TEST(test_afxdp_full_burst_generic)
{
    check_full_burst("generic");
}
END_TEST

/* An 802.1Q-tagged frame arrives with its tag in place, in both modes. */
static void
check_vlan(const char *mode)
{
    struct netdev *netdev = open_xdp(veth.a, mode);
    uint32_t dst = inet_addr("10.78.0.9");
    struct xt_frame f;

    xt_send_raw_from_ns(&veth,
        "02aa00000009" "02bb00000001" "8100" "600a" "0800"
        "4500001c00000000401100000a4e00010a4e0009" "1234270f00080000");
    ck_assert_msg(xt_recv_match(netdev, 2000, xt_is_udp_to, &dst, &f, NULL),
                  "tagged frame not received in %s mode", mode);
    ck_assert_uint_ge(f.size, 14 + 4 + 28);
    ck_assert_uint_eq(f.data[12], 0x81);
    ck_assert_uint_eq(f.data[13], 0x00);
    ck_assert_uint_eq(f.data[14], 0x60);
    ck_assert_uint_eq(f.data[15], 0x0a);
    free(f.data);
    netdev_close(netdev);
}

START_TEST(test_afxdp_vlan_native)
{
    check_vlan("native");
}
END_TEST

START_TEST(test_afxdp_vlan_generic)
{
    check_vlan("generic");
}
END_TEST

START_TEST(test_afxdp_bad_mode)
{
    struct netdev *netdev;
    struct shash options;
    char *message;

    shash_init(&options);
    shash_add(&options, "xdp-mode", "turbo");
    ck_assert_int_eq(netdev_open("afxdp", veth.a, &options, &netdev,
                                 &message), EINVAL);
    ck_assert_msg(message && strstr(message, "turbo"),
                  "unexpected message: %s", message);
    free(message);
    shash_destroy(&options);
}
END_TEST

START_TEST(test_afxdp_no_device)
{
    struct netdev *netdev;
    char name[16], *message;

    xt_name(name, sizeof name, "nodev");
    ck_assert_int_eq(netdev_open("afxdp", name, NULL, &netdev, &message),
                     ENODEV);
    ck_assert_ptr_null(netdev);
    ck_assert_msg(message && strstr(message, name)
                  && strstr(message, "no such network device"),
                  "unexpected message: %s", message);
    free(message);
}
END_TEST

/* A crashed switch leaves the XDP program attached (the socket dies with
 * the process, the program does not); the start-up sweep removes it. */
START_TEST(test_afxdp_sweep_stale_prog)
{
    bool removed;
    int status;
    pid_t pid;

    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (!pid) {
        struct netdev *netdev;
        _exit(netdev_open("afxdp", veth.a, NULL, &netdev, NULL) ? 1 : 0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert(WIFEXITED(status) && WEXITSTATUS(status) == 0);
    ck_assert_msg(xt_has_xdp(veth.a), "the crashed process left no program"
                  " (nothing to sweep)");

    ck_assert_int_eq(netdev_afxdp_remove_stale_prog(veth.a, &removed), 0);
    ck_assert(removed);
    ck_assert(!xt_has_xdp(veth.a));
    ck_assert_int_eq(netdev_afxdp_remove_stale_prog(veth.a, &removed), 0);
    ck_assert(!removed);

    /* And the device can be attached again. */
    netdev_close(open_xdp(veth.a, NULL));
}
END_TEST

static Suite *
afxdp_suite(void)
{
    Suite *s = suite_create("netdev-afxdp");
    TCase *tc = xt_tcase_create(s, "afxdp", setup_veth);

    tcase_add_test(tc, test_afxdp_native);
    tcase_add_test(tc, test_afxdp_generic);
    tcase_add_test(tc, test_afxdp_best_effort);
    tcase_add_test(tc, test_afxdp_partial_csum);
    tcase_add_test(tc, test_afxdp_full_burst_native);
    tcase_add_test(tc, test_afxdp_full_burst_generic);
    tcase_add_test(tc, test_afxdp_vlan_native);
    tcase_add_test(tc, test_afxdp_vlan_generic);
    tcase_add_test(tc, test_afxdp_bad_mode);
    tcase_add_test(tc, test_afxdp_no_device);
    tcase_add_test(tc, test_afxdp_sweep_stale_prog);
    return s;
}

int
main(void)
{
    xt_require_root("test-netdev-afxdp");
    netdev_register_class(&netdev_afxdp_class);
    return xt_run_suite(afxdp_suite());
}
