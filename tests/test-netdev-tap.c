/* test-netdev-tap.c: TAP internal ports against the real kernel (root).
 *
 * Each test opens a TAP port the way xsw-switchd does and checks what a
 * user would see: the device with its MAC, MTU and marker, frames going
 * both ways through the fd, the device surviving close, being found again
 * after an administrator moved it into another namespace, and deletion. */
#include <config.h>

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "netdev-tap.h"
#include "netdev.h"
#include "rtnl.h"
#include "shash.h"
#include "test-netdev-common.h"
#include "util.h"

static char tap[16], tap2[16], ns[16], veth[16];

/* The identities of two databases, as xsw-switchd passes them. */
#define OWNER "5e1f0c9a-0000-4000-8000-00000000000a"
#define OTHER "5e1f0c9a-0000-4000-8000-00000000000b"

/* Options naming owner 'owner' (the caller destroys them). */
static void
owner_options(struct shash *options, const char *owner)
{
    shash_init(options);
    shash_add(options, "owner", owner);
}

static void
setup(void)
{
    xt_cleanup();
    xt_name(tap, sizeof tap, "tap");
    xt_name(tap2, sizeof tap2, "tapb");
    xt_name(ns, sizeof ns, "ns");
    xt_name(veth, sizeof veth, "veth");
}

static struct netdev *
open_tap(const char *name, const char *mtu)
{
    struct netdev *netdev;
    struct shash options;
    char *message;
    int error;

    owner_options(&options, OWNER);
    if (mtu) {
        shash_add(&options, "mtu_request", mtu);
    }
    error = netdev_open("tap", name, &options, &netdev, &message);
    shash_destroy(&options);
    ck_assert_msg(!error, "open %s: %s (%s)", name, strerror(error),
                  message);
    ck_assert_ptr_null(message);
    return netdev;
}

static struct rtnl_link link_in_ns;

static int
get_link_cb(void *name)
{
    return rtnl_link_get_by_name(name, &link_in_ns);
}

/* Looks 'name' up in namespace 'nsname' (NULL: ours). */
static int
get_link(const char *nsname, const char *name, struct rtnl_link *link)
{
    int error = (nsname
                 ? xt_in_netns(nsname, get_link_cb, (void *) name)
                 : get_link_cb((void *) name));
    *link = link_in_ns;
    return error;
}

START_TEST(test_tap_create)
{
    struct netdev *netdev = open_tap(tap, "1400");
    struct rtnl_link link;
    struct eth_addr mac;
    uint8_t expected[6];
    bool up;
    int mtu, ifindex;

    ck_assert_int_eq(get_link(NULL, tap, &link), 0);
    ck_assert_str_eq(link.kind, "tun");
    ck_assert(link.tun_is_tap);
    ck_assert(link.tun_persist);
    ck_assert(link.tun_vnet_hdr);
    char *alias = xasprintf("xsw:%s:db=" OWNER, tap);
    ck_assert_str_eq(link.alias, alias);
    free(alias);
    ck_assert_uint_eq(link.mtu, 1400);
    ck_assert(link.flags & IFF_UP);

    /* The MAC is derived from the name: unicast, locally administered and
     * the same on every open. */
    netdev_tap_derive_mac(tap, expected);
    ck_assert_int_eq(expected[0] & 0x03, 0x02);
    ck_assert(!memcmp(link.mac, expected, 6));
    ck_assert_int_eq(netdev_get_etheraddr(netdev, &mac), 0);
    ck_assert(!memcmp(mac.ea, expected, 6));
    ck_assert_int_eq(netdev_get_mtu(netdev, &mtu), 0);
    ck_assert_int_eq(mtu, 1400);
    ck_assert_int_eq(netdev_get_ifindex(netdev, &ifindex), 0);
    ck_assert_int_eq(ifindex, link.ifindex);
    ck_assert_int_eq(netdev_get_link_state(netdev, &up), 0);
    ck_assert(up);
    ck_assert_uint_eq(netdev->caps & (NETDEV_TX_CSUM | NETDEV_TX_TSO),
                      NETDEV_TX_CSUM | NETDEV_TX_TSO);
    ck_assert_int_ge(netdev_rxq_fd(netdev), 0);
    netdev_close(netdev);
}
END_TEST

START_TEST(test_tap_configured_mac)
{
    struct netdev *netdev;
    struct shash options;
    struct eth_addr mac;
    char *message;
    static const uint8_t want[6] = { 0x02, 0x11, 0x22, 0x33, 0x44, 0x55 };

    owner_options(&options, OWNER);
    shash_add(&options, "mac", "02:11:22:33:44:55");
    ck_assert_int_eq(netdev_open("tap", tap, &options, &netdev, NULL), 0);
    ck_assert_int_eq(netdev_get_etheraddr(netdev, &mac), 0);
    ck_assert(!memcmp(mac.ea, want, 6));
    netdev_close(netdev);

    /* A multicast MAC is refused with a message. */
    shash_replace(&options, "mac", "01:00:5e:00:00:01");
    ck_assert_int_eq(netdev_open("tap", tap2, &options, &netdev, &message),
                     EINVAL);
    ck_assert_ptr_null(netdev);
    ck_assert_msg(message && strstr(message, "unicast"),
                  "unexpected message: %s", message);
    free(message);
    shash_destroy(&options);
}
END_TEST

START_TEST(test_tap_persist_reopen)
{
    struct netdev *netdev = open_tap(tap, NULL);
    struct eth_addr mac1, mac2;
    struct rtnl_link link;
    int ifindex1, ifindex2;

    ck_assert_int_eq(netdev_get_etheraddr(netdev, &mac1), 0);
    ck_assert_int_eq(netdev_get_ifindex(netdev, &ifindex1), 0);
    netdev_close(netdev);

    /* Closing (switchd exiting) leaves the device in place. */
    ck_assert_int_eq(get_link(NULL, tap, &link), 0);
    ck_assert_int_eq(link.ifindex, ifindex1);

    netdev = open_tap(tap, NULL);
    ck_assert_int_eq(netdev_get_etheraddr(netdev, &mac2), 0);
    ck_assert_int_eq(netdev_get_ifindex(netdev, &ifindex2), 0);
    ck_assert(!memcmp(mac1.ea, mac2.ea, 6));
    ck_assert_int_eq(ifindex1, ifindex2);
    netdev_close(netdev);
}
END_TEST

/* Sends an ARP request for 10.77.0.1 through the TAP fd and waits for the
 * namespace's kernel to answer through the same fd: a frame in each
 * direction. */
static void
check_arp_exchange(struct netdev *netdev)
{
    uint32_t sip = inet_addr("10.77.0.2"), tip = inet_addr("10.77.0.1");
    static const uint8_t smac[6] = { 0x02, 0xaa, 0, 0, 0, 0x02 };
    struct xt_frame reply;
    uint8_t frame[64];
    bool got = false;

    for (int i = 0; i < 5 && !got; i++) {
        size_t n = xt_build_arp_request(frame, smac, sip, tip);
        ck_assert_int_eq(xt_send_frame(netdev, frame, n), 0);
        got = xt_recv_match(netdev, 400, xt_is_arp_reply_from, &tip, &reply,
                            NULL);
    }
    ck_assert_msg(got, "no ARP reply from the namespace through the TAP fd");
    ck_assert(!memcmp(reply.data, smac, 6));
    free(reply.data);
}

static void
move_to_ns(const char *name)
{
    xt_sh_ok("ip netns add %s", ns);
    xt_sh_ok("ip link set %s netns %s", name, ns);
    xt_sh_ok("ip -n %s link set %s up", ns, name);
    xt_sh_ok("ip -n %s addr add 10.77.0.1/24 dev %s", ns, name);
}

START_TEST(test_tap_move_netns)
{
    struct netdev *netdev = open_tap(tap, "1300");
    struct netdev_stats stats;
    struct eth_addr mac;
    struct rtnl_link link;
    uint8_t expected[6];
    int mtu, ifindex;
    bool up;

    move_to_ns(tap);
    ck_assert_int_eq(get_link(NULL, tap, &link), ENODEV);

    /* The fd still carries frames both ways. */
    check_arp_exchange(netdev);
    netdev_get_stats(netdev, &stats);
    ck_assert_uint_ge(stats.tx_packets, 1);
    ck_assert_uint_ge(stats.rx_packets, 1);

    /* Properties are read from where the device lives now. */
    ck_assert_int_eq(get_link(ns, tap, &link), 0);
    netdev_tap_derive_mac(tap, expected);
    ck_assert_int_eq(netdev_get_etheraddr(netdev, &mac), 0);
    ck_assert(!memcmp(mac.ea, expected, 6));
    ck_assert_int_eq(netdev_get_ifindex(netdev, &ifindex), 0);
    ck_assert_int_eq(ifindex, link.ifindex);
    ck_assert_int_eq(netdev_get_mtu(netdev, &mtu), 0);
    ck_assert_int_eq(mtu, 1300);
    ck_assert_int_eq(netdev_get_link_state(netdev, &up), 0);
    ck_assert(up);
    xt_sh_ok("ip -n %s link set %s down", ns, tap);
    ck_assert_int_eq(netdev_get_link_state(netdev, &up), 0);
    ck_assert(!up);
    netdev_close(netdev);
}
END_TEST

START_TEST(test_tap_reattach_in_netns)
{
    struct netdev *netdev = open_tap(tap, NULL);
    struct rtnl_link link;
    pid_t pid;
    int status;

    move_to_ns(tap);
    netdev_close(netdev);       /* As if switchd crashed: still persistent. */
    ck_assert_int_eq(get_link(ns, tap, &link), 0);

    /* A fresh process finds it in the namespace, without creating another
     * one here, and moves frames through it. */
    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (!pid) {
        struct rtnl_link here;
        struct shash options;
        owner_options(&options, OWNER);
        char *message;
        int error = netdev_open("tap", tap, &options, &netdev, &message);
        if (error) {
            fprintf(stderr, "reopen: %s\n", message);
            _exit(1);
        }
        if (get_link(NULL, tap, &here) != ENODEV) {
            fprintf(stderr, "reopen created a new device here\n");
            _exit(2);
        }
        check_arp_exchange(netdev);
        netdev_close(netdev);
        _exit(0);
    }
    ck_assert_int_eq(waitpid(pid, &status, 0), pid);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "re-attaching from a fresh process failed (status %d)",
                  status);
    ck_assert_int_eq(get_link(ns, tap, &link), 0);
}
END_TEST

START_TEST(test_tap_delete_in_netns)
{
    struct netdev *netdev = open_tap(tap, NULL);
    struct rtnl_link link;

    /* Deleting an open port removes the device in its namespace. */
    move_to_ns(tap);
    ck_assert_int_eq(netdev_tap_unpersist(netdev), 0);
    netdev_close(netdev);
    ck_assert_int_eq(get_link(ns, tap, &link), ENODEV);

    /* So does deleting one that is not open. */
    netdev = open_tap(tap2, NULL);
    netdev_close(netdev);
    xt_sh_ok("ip link set %s netns %s", tap2, ns);
    ck_assert_int_eq(get_link(ns, tap2, &link), 0);
    ck_assert_int_eq(netdev_tap_delete(tap2, OTHER), ENODEV);
    ck_assert_int_eq(get_link(ns, tap2, &link), 0);
    ck_assert_int_eq(netdev_tap_delete(tap2, OWNER), 0);
    ck_assert_int_eq(get_link(ns, tap2, &link), ENODEV);
    ck_assert_int_eq(netdev_tap_delete(tap2, OWNER), ENODEV);
}
END_TEST

START_TEST(test_tap_sweep)
{
    struct shash keep, stale, legacy, other;
    char veth_legacy[20];

    netdev_close(open_tap(tap, NULL));
    netdev_close(open_tap(tap2, NULL));
    xt_sh_ok("ip netns add %s", ns);
    xt_sh_ok("ip link set %s netns %s", tap2, ns);
    /* A TAP of an older xsw (no owner in its mark). */
    snprintf(veth_legacy, sizeof veth_legacy, "%s", veth);
    xt_sh_ok("ip tuntap add dev %s mode tap && ip link set %s alias xsw:%s",
             veth_legacy, veth_legacy, veth_legacy);

    shash_init(&keep);
    shash_init(&stale);
    shash_init(&legacy);
    shash_add(&keep, tap, NULL);
    ck_assert_int_eq(netdev_tap_list_stale(OWNER, &keep, &stale, &legacy),
                     0);
    ck_assert_msg(!shash_find(&stale, tap),
                  "a configured port was listed as stale");
    ck_assert_msg(shash_find(&stale, tap2),
                  "a stale TAP in another namespace was missed");
    ck_assert_msg(!shash_find(&stale, veth_legacy),
                  "an older xsw's TAP was listed as stale");
    ck_assert_msg(shash_find(&legacy, veth_legacy),
                  "an older xsw's TAP was not reported");

    /* Another database's switch sees none of them as its own. */
    shash_init(&other);
    ck_assert_int_eq(netdev_tap_list_stale(OTHER, NULL, &other, &legacy),
                     0);
    ck_assert_msg(!shash_find(&other, tap) && !shash_find(&other, tap2),
                  "another database's TAP was listed as stale");
    ck_assert_int_eq(netdev_tap_list_stale("", NULL, &other, &legacy),
                     EINVAL);
    shash_destroy(&other);
    shash_destroy(&keep);
    shash_destroy(&stale);
    shash_destroy(&legacy);
}
END_TEST

/* Another database's device of the same name is refused, not taken over;
 * an older xsw's is adopted and marked as ours. */
START_TEST(test_tap_owners)
{
    struct netdev *netdev;
    struct shash options;
    struct rtnl_link link;
    char *message;

    netdev_close(open_tap(tap, NULL));
    owner_options(&options, OTHER);
    ck_assert_int_eq(netdev_open("tap", tap, &options, &netdev, &message),
                     EEXIST);
    ck_assert_ptr_null(netdev);
    ck_assert_msg(message && strstr(message, "another database"),
                  "unexpected message: %s", message);
    free(message);
    ck_assert_int_eq(get_link(NULL, tap, &link), 0);
    ck_assert(strstr(link.alias, OWNER));

    /* Without an owner, nothing is made. */
    shash_replace(&options, "owner", "");
    ck_assert_int_eq(netdev_open("tap", tap2, &options, &netdev, NULL),
                     EINVAL);
    ck_assert_int_eq(get_link(NULL, tap2, &link), ENODEV);
    shash_destroy(&options);

    xt_sh_ok("ip tuntap add dev %s mode tap && ip link set %s alias xsw:%s",
             tap2, tap2, tap2);
    netdev = open_tap(tap2, NULL);
    ck_assert_int_eq(get_link(NULL, tap2, &link), 0);
    char *alias = xasprintf("xsw:%s:db=" OWNER, tap2);
    ck_assert_str_eq(link.alias, alias);
    free(alias);
    netdev_close(netdev);
}
END_TEST

START_TEST(test_tap_name_clash)
{
    struct netdev *netdev;
    struct shash options;
    char *message;

    owner_options(&options, OWNER);
    xt_sh_ok("ip link add %s type veth peer name %sp", veth, veth);
    ck_assert_int_eq(netdev_open("tap", veth, &options, &netdev, &message),
                     EEXIST);
    shash_destroy(&options);
    ck_assert_ptr_null(netdev);
    ck_assert_msg(message && strstr(message, "not a TAP device")
                  && strstr(message, "veth"),
                  "unexpected message: %s", message);
    free(message);

    ck_assert_int_eq(netdev_open("tap", "xtthisnameistoolong", NULL,
                                 &netdev, &message), ENAMETOOLONG);
    ck_assert_msg(message && strstr(message, "too long"),
                  "unexpected message: %s", message);
    free(message);
}
END_TEST

static bool
is_udp_to(const uint8_t *p, size_t size, void *dst)
{
    return (size >= 42 && p[12] == 0x08 && p[13] == 0x00 && p[23] == 17
            && !memcmp(p + 30, dst, 4));
}

/* A UDP datagram sent by the namespace's stack leaves through the TAP with
 * a partial checksum and the virtio header says so. */
START_TEST(test_tap_rx_partial_csum)
{
    struct netdev *netdev = open_tap(tap, NULL);
    struct xt_frame f;
    uint32_t dst = inet_addr("10.77.0.9");
    bool got;

    move_to_ns(tap);
    xt_sh_ok("ip -n %s neigh add 10.77.0.9 lladdr 02:aa:00:00:00:09 dev %s",
             ns, tap);
    xt_sh_ok("ip netns exec %s /usr/bin/python3 -c \"import socket; "
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
             "s.sendto(b'x' * 100, ('10.77.0.9', 9999))\"", ns);

    got = xt_recv_match(netdev, 2000, is_udp_to, &dst, &f, NULL);
    ck_assert_msg(got, "UDP datagram from the namespace not received");
    ck_assert_uint_eq(f.ol.flags & DP_PACKET_OL_NEEDS_CSUM,
                      DP_PACKET_OL_NEEDS_CSUM);
    ck_assert_uint_eq(f.ol.csum_start, 14 + 20);
    ck_assert_uint_eq(f.ol.csum_offset, 6);
    ck_assert_uint_eq(f.ol.gso_type, DP_PACKET_GSO_NONE);
    free(f.data);
    netdev_close(netdev);
}
END_TEST

/* Relays every frame from 'from' to 'to'; returns how many were GSO
 * packets bigger than an Ethernet frame. */
static int
relay(struct netdev *from, struct netdev *to, uint64_t *bytes)
{
    struct dp_packet_batch batch;
    int n_gso = 0;

    dp_packet_batch_init(&batch);
    if (netdev_recv_batch(from, &batch)) {
        return 0;
    }
    for (size_t i = 0; i < batch.count; i++) {
        const struct dp_packet *p = batch.packets[i];
        n_gso += p->ol.gso_type != DP_PACKET_GSO_NONE && p->size > 1514;
        *bytes += p->size;
    }
    ck_assert_int_eq(netdev_send_batch(to, &batch), 0);
    return n_gso;
}

/* TCP between two internal ports, with this test as the wire: the stack
 * hands over whole GSO packets with partial checksums, and the other TAP
 * takes them as they are. */
START_TEST(test_tap_tso_between_ports)
{
    struct netdev *a = open_tap(tap, NULL), *b = open_tap(tap2, NULL);
    char ns2[16];
    uint64_t bytes = 0;
    int n_gso = 0, status = -1;
    pid_t server, client;

    xt_name(ns2, sizeof ns2, "nsb");
    move_to_ns(tap);
    xt_sh_ok("ip netns add %s", ns2);
    xt_sh_ok("ip link set %s netns %s", tap2, ns2);
    xt_sh_ok("ip -n %s link set %s up", ns2, tap2);
    xt_sh_ok("ip -n %s addr add 10.77.0.2/24 dev %s", ns2, tap2);

    server = fork();
    ck_assert_int_ge(server, 0);
    if (!server) {
        execlp("ip", "ip", "netns", "exec", ns2, "/usr/bin/python3", "-c",
               "import socket\n"
               "s = socket.socket(); s.bind(('10.77.0.2', 5201)); "
               "s.listen(1)\n"
               "c, _ = s.accept(); n = 0\n"
               "while True:\n"
               "    d = c.recv(1 << 20)\n"
               "    if not d: break\n"
               "    n += len(d)\n"
               "exit(0 if n == 8 << 20 else 1)\n", (char *) NULL);
        _exit(127);
    }
    usleep(300 * 1000);
    client = fork();
    ck_assert_int_ge(client, 0);
    if (!client) {
        execlp("ip", "ip", "netns", "exec", ns, "/usr/bin/python3", "-c",
               "import socket, time\n"
               "for i in range(50):\n"
               "    try:\n"
               "        s = socket.create_connection(('10.77.0.2', 5201)); "
               "break\n"
               "    except OSError: time.sleep(0.1)\n"
               "s.sendall(b'x' * (8 << 20)); s.close()\n", (char *) NULL);
        _exit(127);
    }

    for (int i = 0; i < 20000 && server; i++) {
        struct pollfd pfds[2] = {
            { .fd = netdev_rxq_fd(a), .events = POLLIN },
            { .fd = netdev_rxq_fd(b), .events = POLLIN },
        };
        poll(pfds, 2, 1);
        n_gso += relay(a, b, &bytes);
        n_gso += relay(b, a, &bytes);
        if (waitpid(server, &status, WNOHANG) == server) {
            server = 0;
        }
    }
    if (server) {
        kill(server, SIGKILL);
        waitpid(server, &status, 0);
    }
    kill(client, SIGKILL);
    waitpid(client, NULL, 0);
    ck_assert_msg(WIFEXITED(status) && WEXITSTATUS(status) == 0,
                  "the TCP transfer between the namespaces failed");
    ck_assert_uint_ge(bytes, 8 << 20);
    ck_assert_msg(n_gso > 0, "no GSO packet crossed: the stack segmented");
    netdev_close(a);
    netdev_close(b);
}
END_TEST

static Suite *
tap_suite(void)
{
    Suite *s = suite_create("netdev-tap");
    TCase *tc = xt_tcase_create(s, "tap", setup);

    tcase_add_test(tc, test_tap_create);
    tcase_add_test(tc, test_tap_configured_mac);
    tcase_add_test(tc, test_tap_persist_reopen);
    tcase_add_test(tc, test_tap_move_netns);
    tcase_add_test(tc, test_tap_reattach_in_netns);
    tcase_add_test(tc, test_tap_delete_in_netns);
    tcase_add_test(tc, test_tap_owners);
    tcase_add_test(tc, test_tap_sweep);
    tcase_add_test(tc, test_tap_name_clash);
    tcase_add_test(tc, test_tap_rx_partial_csum);
    tcase_add_test(tc, test_tap_tso_between_ports);
    return s;
}

int
main(void)
{
    xt_require_root("test-netdev-tap");
    netdev_register_class(&netdev_tap_class);
    return xt_run_suite(tap_suite());
}
