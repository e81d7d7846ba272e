/* test-netdev-common.h: helpers shared by the port-driver system tests
 * (tests/test-netdev-*.c).
 *
 * These tests need root: they create TAP devices, veth pairs and network
 * namespaces.  Every name they create starts with "xt" and contains the
 * test program's pid, so parallel runs do not collide, and xt_cleanup()
 * removes all of them (it runs before and after each test case, in the
 * parent process, so even a crashed test leaves nothing behind). */
#ifndef XSW_TEST_NETDEV_COMMON_H
#define XSW_TEST_NETDEV_COMMON_H 1

#include <check.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "packet.h"

struct netdev;

/* Exits with a clear message unless running as root. */
void xt_require_root(const char *program);

/* Adds to 's' the test case 'name', every test of which runs after 'setup'
 * (in the test's own process; NULL for none) and within 30 seconds.
 * xt_cleanup() runs before its first and after its last test in the
 * parent process, where an unchecked fixture runs, so that cleanup happens
 * even when a test's process dies.  Returns the test case, for
 * tcase_add_test(). */
TCase *xt_tcase_create(Suite *s, const char *name, void (*setup)(void));

/* Runs every test of 's', frees it, removes whatever the tests left behind
 * and returns the program's exit status: EXIT_FAILURE if a test failed. */
int xt_run_suite(Suite *s);

/* Stores "xt<tag><pid>" in 'buf' (at most 15 characters). */
void xt_name(char *buf, size_t size, const char *tag);

/* Runs a shell command; fails the current test if the command fails. */
void xt_sh_ok(const char *format, ...) __attribute__((format(printf, 1, 2)));

/* Deletes every device and namespace whose name starts with "xt" and ends
 * with this process's (or its parent's) pid-based suffix. */
void xt_cleanup(void);

/* Runs 'cb(aux)' inside the named namespace ("ip netns" name). */
int xt_in_netns(const char *ns, int (*cb)(void *aux), void *aux);

/* Waits up to 'timeout_ms' for 'netdev' to deliver a frame for which
 * 'match(frame, aux)' returns true, and returns a heap copy of the first
 * such packet's frame and offload metadata in '*out' (caller frees
 * out->base with free()), or false.  Frames that do not match are
 * counted in '*others' (may be NULL) and dropped. */
struct xt_frame {
    uint8_t *data;
    size_t size;
    struct dp_packet_offload ol;
};
bool xt_recv_match(struct netdev *, int timeout_ms,
                   bool (*match)(const uint8_t *frame, size_t size,
                                 void *aux),
                   void *aux, struct xt_frame *out, int *others);

/* Sends one copy of 'frame' through 'netdev' with a heap dp_packet. */
int xt_send_frame(struct netdev *, const void *frame, size_t size);

/* Builds a broadcast ARP request "who has 'tip'? tell 'sip'" from 'smac'
 * into 'frame' (42 bytes) and returns its size. */
size_t xt_build_arp_request(uint8_t *frame, const uint8_t smac[6],
                            uint32_t sip, uint32_t tip);

/* True if 'frame' is an ARP reply to 'aux' (a uint32_t * in network byte
 * order: the address we asked about). */
bool xt_is_arp_reply_from(const uint8_t *frame, size_t size, void *aux);

/* A veth pair whose "b" end lives in a namespace with address 10.78.0.1/24,
 * the "a" end here, up, without addresses: where a switch port would be.
 * Names come from xt_name(). */
struct xt_veth {
    char ns[16], a[16], b[16];
};
void xt_veth_create(struct xt_veth *);

/* Runs "ping -c 3 10.78.0.2" in the namespace while answering ARP and ICMP
 * echo for 10.78.0.2 through 'netdev' (attached to the "a" end), and
 * returns ping's exit status (0: every echo came back). */
int xt_ping_through(struct netdev *, const struct xt_veth *);

/* Makes the namespace send one 100-byte UDP datagram to 'dst' (dotted quad,
 * on 10.78.0.0/24) via a static neighbour entry, so that no
 * ARP is needed. */
void xt_send_udp_from_ns(const struct xt_veth *, const char *dst);

/* True if 'frame' (any VLAN tags skipped) is an IPv4 UDP packet to the
 * address in 'dst' (a uint32_t * in network byte order). */
bool xt_is_udp_to(const uint8_t *frame, size_t size, void *dst);

/* The folded, uncomplemented pseudo-header sum of an IPv4 UDP/TCP packet
 * starting at 'ip', in network byte order: what a partial checksum field
 * holds. */
uint16_t xt_pseudo_header_sum(const uint8_t *ip);

/* True if device 'name' has an XDP program attached. */
bool xt_has_xdp(const char *name);
/* Makes the namespace send the frame 'hex' (hex digits) as is on the "b"
 * end, through a packet socket. */
void xt_send_raw_from_ns(const struct xt_veth *, const char *hex);

#endif /* test-netdev-common.h */
