/* test-netdev-afpacket.c: AF_PACKET system ports on a veth pair (root),
 * and the AF_XDP-or-AF_PACKET choice for system ports. */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netdev-afpacket.h"
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
open_afpacket(const char *name)
{
    struct netdev *netdev;
    char *message;
    int error = netdev_open("afpacket", name, NULL, &netdev, &message);

    ck_assert_msg(!error, "open %s: %s (%s)", name, strerror(error),
                  message);
    ck_assert_ptr_null(message);
    return netdev;
}

START_TEST(test_afpacket_ping)
{
    struct netdev *netdev = open_afpacket(veth.a);
    struct netdev_stats stats;

    ck_assert_str_eq(netdev_get_mode(netdev), "af_packet");
    ck_assert_uint_eq(netdev->caps, NETDEV_TX_CSUM | NETDEV_TX_TSO);
    ck_assert_int_eq(xt_ping_through(netdev, &veth), 0);
    netdev_get_stats(netdev, &stats);
    ck_assert_uint_ge(stats.rx_packets, 4);
    ck_assert_uint_ge(stats.tx_packets, 4);
    /* Our own transmissions are not received back. */
    ck_assert_uint_lt(stats.rx_packets, 12);
    netdev_close(netdev);
}
END_TEST

/* With offloads on in the namespace, the datagram arrives with a partial
 * checksum, and the vnet header says where to complete it. */
START_TEST(test_afpacket_partial_csum)
{
    struct netdev *netdev = open_afpacket(veth.a);
    uint32_t dst = inet_addr("10.78.0.9");
    struct xt_frame f;

    xt_send_udp_from_ns(&veth, "10.78.0.9");
    ck_assert_msg(xt_recv_match(netdev, 2000, xt_is_udp_to, &dst, &f, NULL),
                  "UDP datagram from the namespace not received");
    ck_assert_uint_eq(f.ol.flags & DP_PACKET_OL_NEEDS_CSUM,
                      DP_PACKET_OL_NEEDS_CSUM);
    ck_assert_uint_eq(f.ol.csum_start, 14 + 20);
    ck_assert_uint_eq(f.ol.csum_offset, 6);
    free(f.data);
    netdev_close(netdev);
}
END_TEST

/* The kernel takes the 802.1Q tag out of a received frame before packet
 * sockets see it; the driver puts it back. */
START_TEST(test_afpacket_vlan_restored)
{
    struct netdev *netdev = open_afpacket(veth.a);
    uint32_t dst = inet_addr("10.78.0.9");
    struct xt_frame f;

    /* To 02:aa:..:09, VLAN 10 priority 3, IPv4 UDP to 10.78.0.9. */
    xt_send_raw_from_ns(&veth,
        "02aa00000009" "02bb00000001" "8100" "600a" "0800"
        "4500001c00000000401100000a4e00010a4e0009" "1234270f00080000");
    ck_assert_msg(xt_recv_match(netdev, 2000, xt_is_udp_to, &dst, &f, NULL),
                  "tagged frame not received");
    ck_assert_uint_eq(f.size, 14 + 4 + 28);
    ck_assert_uint_eq(f.data[12], 0x81);
    ck_assert_uint_eq(f.data[13], 0x00);
    ck_assert_uint_eq(f.data[14], 0x60);
    ck_assert_uint_eq(f.data[15], 0x0a);
    ck_assert_uint_eq(f.data[16], 0x08);
    ck_assert_uint_eq(f.data[6], 0x02);
    ck_assert_uint_eq(f.data[11], 0x01);
    free(f.data);
    netdev_close(netdev);
}
END_TEST

START_TEST(test_afpacket_no_device)
{
    struct netdev *netdev;
    char name[16], *message;

    xt_name(name, sizeof name, "nodev");
    ck_assert_int_eq(netdev_open("afpacket", name, NULL, &netdev, &message),
                     ENODEV);
    ck_assert_ptr_null(netdev);
    ck_assert_msg(message && strstr(message, "no such network device"),
                  "unexpected message: %s", message);
    free(message);
}
END_TEST

START_TEST(test_system_open_prefers_afxdp)
{
    struct netdev *netdev;
    char *message;

    ck_assert_int_eq(netdev_open("system", veth.a, NULL, &netdev, &message),
                     0);
    ck_assert_str_eq(netdev_get_type(netdev), "afxdp");
    ck_assert_ptr_null(message);
    ck_assert_ptr_null(netdev_get_fallback_reason(netdev));
    netdev_close(netdev);
}
END_TEST

/* While another AF_XDP socket holds the device's queue, a system port
 * falls back to AF_PACKET and says why. */
START_TEST(test_system_open_falls_back)
{
    struct netdev *busy, *netdev;
    const char *reason;

    ck_assert_int_eq(netdev_open("afxdp", veth.a, NULL, &busy, NULL), 0);
    ck_assert_int_eq(netdev_open("system", veth.a, NULL, &netdev, NULL), 0);
    ck_assert_str_eq(netdev_get_type(netdev), "afpacket");
    reason = netdev_get_fallback_reason(netdev);
    ck_assert_ptr_nonnull(reason);
    ck_assert_msg(strstr(reason, "AF_PACKET") && strstr(reason, veth.a),
                  "unexpected reason: %s", reason);
    netdev_close(netdev);
    netdev_close(busy);
}
END_TEST

START_TEST(test_system_open_no_device)
{
    struct netdev *netdev;
    char name[16], *reason;

    xt_name(name, sizeof name, "nodev");
    ck_assert_int_eq(netdev_open("system", name, NULL, &netdev, &reason),
                     ENODEV);
    ck_assert_ptr_nonnull(reason);
    ck_assert(strstr(reason, "no such network device"));
    free(reason);
}
END_TEST

static Suite *
afpacket_suite(void)
{
    Suite *s = suite_create("netdev-afpacket");
    TCase *tc = xt_tcase_create(s, "afpacket", setup_veth);

    tcase_add_test(tc, test_afpacket_ping);
    tcase_add_test(tc, test_afpacket_partial_csum);
    tcase_add_test(tc, test_afpacket_vlan_restored);
    tcase_add_test(tc, test_afpacket_no_device);
    tcase_add_test(tc, test_system_open_prefers_afxdp);
    tcase_add_test(tc, test_system_open_falls_back);
    tcase_add_test(tc, test_system_open_no_device);
    return s;
}

int
main(void)
{
    xt_require_root("test-netdev-afpacket");
    netdev_register_class(&netdev_afpacket_class);
    netdev_register_class(&netdev_afxdp_class);
    return xt_run_suite(afpacket_suite());
}
