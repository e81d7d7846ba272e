/* test-netdev-common.c: see test-netdev-common.h. */
#include <config.h>

#include "test-netdev-common.h"

#include <arpa/inet.h>
#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <signal.h>
#include <unistd.h>

#include "netdev.h"
#include "netns.h"
#include "timeval.h"
#include "util.h"

/* The suffix of every name: fixed in main() so that forked test processes
 * create names the parent's cleanup recognises. */
static unsigned int xt_id;

void
xt_require_root(const char *program)
{
    if (geteuid() != 0) {
        fprintf(stderr, "%s: FAIL: this test must run as root (it creates "
                "TAP devices, veth pairs and network namespaces)\n",
                program);
        exit(EXIT_FAILURE);
    }
    xt_id = getpid() % 100000;
}

TCase *
xt_tcase_create(Suite *s, const char *name, void (*setup)(void))
{
    TCase *tc = tcase_create(name);

    tcase_add_unchecked_fixture(tc, xt_cleanup, xt_cleanup);
    if (setup) {
        tcase_add_checked_fixture(tc, setup, NULL);
    }
    tcase_set_timeout(tc, 30);
    suite_add_tcase(s, tc);
    return tc;
}

int
xt_run_suite(Suite *s)
{
    SRunner *sr = srunner_create(s);
    int failed;

    srunner_run_all(sr, CK_NORMAL);
    failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    xt_cleanup();
    return failed ? EXIT_FAILURE : EXIT_SUCCESS;
}

void
xt_name(char *buf, size_t size, const char *tag)
{
    snprintf(buf, size, "xt%s%u", tag, xt_id);
    ck_assert_uint_le(strlen(buf), 15);
}

static int
xt_vsh(const char *format, va_list args)
{
    char *cmd = xvasprintf(format, args);
    char *full = xasprintf("%s >/dev/null 2>&1", cmd);
    int status = system(full);

    free(full);
    free(cmd);
    return status < 0 ? -1 : WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs a shell command; returns its exit status (-1 if it did not run). */
static int __attribute__((format(printf, 1, 2)))
xt_sh(const char *format, ...)
{
    va_list args;
    int status;

    va_start(args, format);
    status = xt_vsh(format, args);
    va_end(args);
    return status;
}

void
xt_sh_ok(const char *format, ...)
{
    va_list args;
    char *cmd;
    int status;

    va_start(args, format);
    cmd = xvasprintf(format, args);
    va_end(args);
    status = xt_sh("%s", cmd);
    ck_assert_msg(status == 0, "command failed (exit %d): %s", status, cmd);
    free(cmd);
}

void
xt_cleanup(void)
{
    /* Namespaces first: that destroys the veth ends and TAP devices inside
     * them; then whatever is left in our own namespace. */
    xt_sh("for ns in $(ip netns list | awk '{print $1}' "
          "| grep -E '^xt[a-z]+%u$'); do ip netns del $ns; done", xt_id);
    xt_sh("for l in $(ip -o link show | awk -F': ' '{print $2}' "
          "| cut -d@ -f1 | grep -E '^xt[a-z]+%u$'); do ip link del $l; done",
          xt_id);
}

int
xt_in_netns(const char *ns, int (*cb)(void *aux), void *aux)
{
    char *path = xasprintf("/var/run/netns/%s", ns);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    int retval;

    free(path);
    if (fd < 0) {
        return errno;
    }
    retval = netns_run_in(fd, cb, aux);
    close(fd);
    return retval;
}

bool
xt_recv_match(struct netdev *netdev, int timeout_ms,
              bool (*match)(const uint8_t *, size_t, void *), void *aux,
              struct xt_frame *out, int *others)
{
    long long deadline = time_msec() + timeout_ms;
    int fd = netdev_rxq_fd(netdev);
    bool found = false;

    while (!found) {
        struct dp_packet_batch batch;
        long long left = deadline - time_msec();
        int error;

        if (left <= 0) {
            break;
        }
        if (fd >= 0) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            poll(&pfd, 1, MIN(left, 10));
        } else {
            usleep(1000);
        }
        dp_packet_batch_init(&batch);
        error = netdev_recv_batch(netdev, &batch);
        if (error) {
            ck_assert_msg(error == EAGAIN, "recv_batch: %s", strerror(error));
            continue;
        }
        for (size_t i = 0; i < batch.count; i++) {
            const struct dp_packet *p = batch.packets[i];
            if (!found && match(dp_packet_data(p), p->size, aux)) {
                out->data = xmemdup(dp_packet_data(p), p->size);
                out->size = p->size;
                out->ol = p->ol;
                found = true;
            } else if (others) {
                (*others)++;
            }
        }
        dp_packet_batch_delete(&batch);
    }
    return found;
}

int
xt_send_frame(struct netdev *netdev, const void *frame, size_t size)
{
    struct dp_packet_batch batch;
    struct dp_packet *p = dp_packet_new(size, 0);

    memcpy(dp_packet_data(p), frame, size);
    dp_packet_batch_init(&batch);
    dp_packet_batch_add(&batch, p);
    return netdev_send_batch(netdev, &batch);
}

size_t
xt_build_arp_request(uint8_t *f, const uint8_t smac[6], uint32_t sip,
                     uint32_t tip)
{
    static const uint8_t hdr[] = { 0x08, 0x06, 0x00, 0x01, 0x08, 0x00,
                                   6, 4, 0x00, 0x01 };

    memset(f, 0xff, 6);
    memcpy(f + 6, smac, 6);
    memcpy(f + 12, hdr, sizeof hdr);
    memcpy(f + 22, smac, 6);
    memcpy(f + 28, &sip, 4);
    memset(f + 32, 0, 6);
    memcpy(f + 38, &tip, 4);
    return 42;
}

bool
xt_is_arp_reply_from(const uint8_t *f, size_t size, void *tip_)
{
    const uint32_t *tip = tip_;

    return (size >= 42 && f[12] == 0x08 && f[13] == 0x06
            && f[20] == 0x00 && f[21] == 0x02
            && !memcmp(f + 28, tip, 4));
}

static uint16_t
xt_csum(const uint8_t *data, size_t n)
{
    uint32_t sum = 0;

    for (size_t i = 0; i + 1 < n; i += 2) {
        sum += (data[i] << 8) | data[i + 1];
    }
    if (n & 1) {
        sum += data[n - 1] << 8;
    }
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return ~sum;
}

/* Builds an ICMP echo reply answering the echo request 'req' (an Ethernet
 * frame), from 'mymac', into 'reply'; returns its size or 0 if 'req' is not
 * an IPv4 ICMP echo request. */
static size_t
xt_build_echo_reply(const uint8_t *req, size_t size, const uint8_t mymac[6],
                    uint8_t *reply)
{
    size_t ihl;
    uint16_t c;

    if (size < 14 + 20 + 8 || req[12] != 0x08 || req[13] != 0x00
        || (req[14] >> 4) != 4 || req[23] != 1) {
        return 0;
    }
    ihl = (req[14] & 0x0f) * 4;
    if (size < 14 + ihl + 8 || req[14 + ihl] != 8) {
        return 0;
    }
    memcpy(reply, req, size);
    memcpy(reply, req + 6, 6);
    memcpy(reply + 6, mymac, 6);
    memcpy(reply + 26, req + 30, 4);        /* Swap IP addresses. */
    memcpy(reply + 30, req + 26, 4);
    reply[24] = reply[25] = 0;
    c = xt_csum(reply + 14, ihl);
    reply[24] = c >> 8;
    reply[25] = c;
    reply[14 + ihl] = 0;                    /* Echo reply. */
    reply[14 + ihl + 2] = reply[14 + ihl + 3] = 0;
    c = xt_csum(reply + 14 + ihl, size - 14 - ihl);
    reply[14 + ihl + 2] = c >> 8;
    reply[14 + ihl + 3] = c;
    return size;
}

void
xt_veth_create(struct xt_veth *v)
{
    xt_name(v->ns, sizeof v->ns, "vns");
    xt_name(v->a, sizeof v->a, "va");
    xt_name(v->b, sizeof v->b, "vb");
    xt_sh_ok("ip netns add %s", v->ns);
    xt_sh_ok("ip link add %s type veth peer name %s netns %s", v->a, v->b,
             v->ns);
    xt_sh_ok("ip link set %s up", v->a);
    xt_sh_ok("ip -n %s link set lo up", v->ns);
    xt_sh_ok("ip -n %s link set %s up", v->ns, v->b);
    xt_sh_ok("ip -n %s addr add 10.78.0.1/24 dev %s", v->ns, v->b);
}

static size_t
xt_build_arp_reply(const uint8_t *req, size_t size, const uint8_t mymac[6],
                   uint32_t myip, uint8_t *reply)
{
    if (size < 42 || req[12] != 0x08 || req[13] != 0x06 || req[21] != 1
        || memcmp(req + 38, &myip, 4)) {
        return 0;
    }
    memcpy(reply, req + 6, 6);
    memcpy(reply + 6, mymac, 6);
    memcpy(reply + 12, req + 12, 8);
    reply[20] = 0;
    reply[21] = 2;
    memcpy(reply + 22, mymac, 6);
    memcpy(reply + 28, &myip, 4);
    memcpy(reply + 32, req + 22, 10);       /* Sender MAC and IP. */
    return 42;
}

int
xt_ping_through(struct netdev *netdev, const struct xt_veth *v)
{
    static const uint8_t mymac[6] = { 0x02, 0xaa, 0, 0, 0, 0x02 };
    uint32_t myip = inet_addr("10.78.0.2");
    long long deadline = time_msec() + 8000;
    int fd = netdev_rxq_fd(netdev);
    int status = -1;
    pid_t pid;

    pid = fork();
    ck_assert_int_ge(pid, 0);
    if (!pid) {
        int null = open("/dev/null", O_WRONLY);
        dup2(null, STDOUT_FILENO);
        execlp("ip", "ip", "netns", "exec", v->ns, "ping", "-q", "-c", "3",
               "-i", "0.2", "-W", "2", "10.78.0.2", (char *) NULL);
        _exit(127);
    }
    while (time_msec() < deadline) {
        struct dp_packet_batch batch;

        if (waitpid(pid, &status, WNOHANG) == pid) {
            pid = 0;
            break;
        }
        if (fd >= 0) {
            struct pollfd pfd = { .fd = fd, .events = POLLIN };
            poll(&pfd, 1, 10);
        } else {
            usleep(1000);
        }
        dp_packet_batch_init(&batch);
        if (netdev_recv_batch(netdev, &batch)) {
            continue;
        }
        for (size_t i = 0; i < batch.count; i++) {
            const struct dp_packet *p = batch.packets[i];
            uint8_t reply[2048];
            size_t n = 0;

            if (p->size <= sizeof reply) {
                n = xt_build_arp_reply(dp_packet_data(p), p->size, mymac,
                                       myip, reply);
                if (!n) {
                    n = xt_build_echo_reply(dp_packet_data(p), p->size,
                                            mymac, reply);
                }
            }
            if (n) {
                xt_send_frame(netdev, reply, n);
            }
        }
        dp_packet_batch_delete(&batch);
    }
    if (pid) {
        kill(pid, SIGKILL);
        waitpid(pid, &status, 0);
        return -1;
    }
    return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

void
xt_send_udp_from_ns(const struct xt_veth *v, const char *dst)
{
    xt_sh("ip -n %s neigh replace %s lladdr 02:aa:00:00:00:09 dev %s",
          v->ns, dst, v->b);
    xt_sh_ok("ip netns exec %s /usr/bin/python3 -c \"import socket; "
             "s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM); "
             "s.sendto(b'x' * 100, ('%s', 9999))\"", v->ns, dst);
}

bool
xt_is_udp_to(const uint8_t *p, size_t size, void *dst)
{
    size_t l3 = 14;

    while (size >= l3 + 4 && p[l3 - 2] == 0x81 && p[l3 - 1] == 0x00) {
        l3 += 4;
    }
    return (size >= l3 + 28 && p[l3 - 2] == 0x08 && p[l3 - 1] == 0x00
            && p[l3 + 9] == 17 && !memcmp(p + l3 + 16, dst, 4));
}

uint16_t
xt_pseudo_header_sum(const uint8_t *ip)
{
    size_t ihl = (ip[0] & 0x0f) * 4;
    uint32_t len = ((ip[2] << 8) | ip[3]) - ihl;
    uint32_t sum = 0;

    for (int i = 12; i < 20; i += 2) {
        sum += (ip[i] << 8) | ip[i + 1];
    }
    sum += ip[9] + len;
    while (sum >> 16) {
        sum = (sum & 0xffff) + (sum >> 16);
    }
    return htons(sum);
}

bool
xt_has_xdp(const char *name)
{
    return xt_sh("ip -d link show dev %s | grep -q 'prog/xdp'", name) == 0;
}

void
xt_send_raw_from_ns(const struct xt_veth *v, const char *hex)
{
    xt_sh_ok("ip netns exec %s /usr/bin/python3 -c \"import socket; "
             "s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW); "
             "s.bind(('%s', 0)); s.send(bytes.fromhex('%s'))\"",
             v->ns, v->b, hex);
}
