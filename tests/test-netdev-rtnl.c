/* test-netdev-rtnl.c: rtnetlink requests, the link monitor and the
 * namespace helpers, in a namespace of their own (root). */
#include <config.h>

#include <check.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "netns.h"
#include "rtnl.h"
#include "test-netdev-common.h"
#include "util.h"

static char ns[16], la[16], lb[16], lc[16];

static void
setup(void)
{
    xt_cleanup();
    xt_name(ns, sizeof ns, "rns");
    xt_name(la, sizeof la, "ra");
    xt_name(lb, sizeof lb, "rb");
    xt_name(lc, sizeof lc, "rc");
}

/* Enters the test namespace for the rest of the (forked) test, so that
 * plain rtnl calls talk to it. */
static void
enter_ns(void)
{
    char *path = xasprintf("/var/run/netns/%s", ns);
    int fd;

    xt_sh_ok("ip netns add %s", ns);
    fd = open(path, O_RDONLY);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(setns(fd, 0), 0);
    close(fd);
    free(path);
}

START_TEST(test_rtnl_requests)
{
    static const uint8_t mac[6] = { 0x02, 0x01, 0x02, 0x03, 0x04, 0x05 };
    struct rtnl_link link;

    enter_ns();
    ck_assert_int_eq(rtnl_link_get_by_name(la, &link), ENODEV);
    xt_sh_ok("ip link add %s type veth peer name %s", la, lb);
    ck_assert_int_eq(rtnl_link_get_by_name(la, &link), 0);
    ck_assert_str_eq(link.name, la);
    ck_assert_str_eq(link.kind, "veth");
    ck_assert(!(link.flags & IFF_UP));

    ck_assert_int_eq(rtnl_link_set_mtu(link.ifindex, 1280), 0);
    ck_assert_int_eq(rtnl_link_set_mac(link.ifindex, mac), 0);
    ck_assert_int_eq(rtnl_link_set_alias(link.ifindex, "xsw:test"), 0);
    ck_assert_int_eq(rtnl_link_set_up(link.ifindex, true), 0);
    ck_assert_int_eq(rtnl_link_get_by_index(link.ifindex, &link), 0);
    ck_assert_uint_eq(link.mtu, 1280);
    ck_assert(link.has_mac && !memcmp(link.mac, mac, 6));
    ck_assert_str_eq(link.alias, "xsw:test");
    ck_assert(link.flags & IFF_UP);

    ck_assert_int_eq(rtnl_link_set_mtu(link.ifindex, 10), EINVAL);
    ck_assert_int_eq(rtnl_link_delete(link.ifindex), 0);
    ck_assert_int_eq(rtnl_link_get_by_name(la, &link), ENODEV);
    ck_assert_int_eq(rtnl_link_get_by_name("xtthisnameistoolong", &link),
                     ENAMETOOLONG);
}
END_TEST

/* Every event the monitor delivered during the test, in order. */
static struct rtnl_link_event history[256];
static bool consumed[256];
static size_t n_history;

/* Waits for an event of 'type' for 'name' that has not been matched yet
 * (events for other devices or types may arrive in between). */
static bool
wait_event(struct rtnl_monitor *mon, const char *name,
           enum rtnl_link_event_type type, struct rtnl_link_event *out)
{
    for (int i = 0; i < 200; i++) {
        struct pollfd pfd = { .fd = rtnl_monitor_fd(mon), .events = POLLIN };
        struct rtnl_link_event e;
        int error;

        for (size_t j = 0; j < n_history; j++) {
            if (!consumed[j] && history[j].type == type
                && !strcmp(history[j].link.name, name)) {
                *out = history[j];
                consumed[j] = true;
                return true;
            }
        }
        poll(&pfd, 1, 10);
        while (!(error = rtnl_monitor_recv(mon, &e))) {
            ck_assert_uint_lt(n_history, ARRAY_SIZE(history));
            history[n_history++] = e;
        }
        ck_assert_int_eq(error, EAGAIN);
    }
    return false;
}

START_TEST(test_rtnl_monitor)
{
    struct rtnl_monitor *mon;
    struct rtnl_link_event e;
    int ifindex;

    enter_ns();
    ck_assert_int_eq(rtnl_monitor_create(&mon), 0);
    ck_assert_int_eq(rtnl_monitor_recv(mon, &e), EAGAIN);  /* lo: seeded. */

    xt_sh_ok("ip link add %s type veth peer name %s", la, lb);
    ck_assert(wait_event(mon, la, RTNL_LINK_APPEARED, &e));
    ck_assert_str_eq(e.link.kind, "veth");
    ifindex = e.link.ifindex;
    ck_assert(wait_event(mon, lb, RTNL_LINK_APPEARED, &e));

    xt_sh_ok("ip link set %s mtu 1300", la);
    ck_assert(wait_event(mon, la, RTNL_LINK_CHANGED, &e));
    ck_assert_uint_eq(e.link.mtu, 1300);

    /* A rename: the old name is gone, the new one is there. */
    xt_sh_ok("ip link set %s name %s", la, lc);
    ck_assert(wait_event(mon, la, RTNL_LINK_DISAPPEARED, &e));
    ck_assert_int_eq(e.link.ifindex, ifindex);
    ck_assert(wait_event(mon, lc, RTNL_LINK_APPEARED, &e));

    xt_sh_ok("ip link del %s", lc);
    ck_assert(wait_event(mon, lc, RTNL_LINK_DISAPPEARED, &e));
    ck_assert_str_eq(rtnl_link_event_type_to_string(e.type), "disappeared");
    rtnl_monitor_destroy(mon);
}
END_TEST

struct find_ns {
    const char *want;
    bool found;
    int count;
};

static int
find_ns_cb(int ns_fd, const char *path, void *aux)
{
    struct find_ns *f = aux;

    ck_assert_int_ge(ns_fd, 0);
    f->count++;
    if (strstr(path, f->want)) {
        f->found = true;
    }
    return 0;
}

static int
get_la_cb(void *link)
{
    return rtnl_link_get_by_name(la, link);
}

START_TEST(test_netns_helpers)
{
    struct find_ns f = { .want = ns };
    struct rtnl_link link;
    char *path;
    int fd;

    xt_sh_ok("ip netns add %s", ns);
    xt_sh_ok("ip -n %s link add %s type veth peer name %s", ns, la, lb);
    ck_assert_int_eq(netns_foreach(find_ns_cb, &f), 0);
    ck_assert(f.found);
    ck_assert_int_ge(f.count, 2);

    /* Running in the namespace sees its devices; we stay where we were. */
    path = xasprintf("/var/run/netns/%s", ns);
    fd = open(path, O_RDONLY);
    free(path);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(netns_run_in(fd, get_la_cb, &link), 0);
    ck_assert_str_eq(link.name, la);
    ck_assert_int_eq(get_la_cb(&link), ENODEV);
    close(fd);
}
END_TEST

static Suite *
rtnl_suite(void)
{
    Suite *s = suite_create("netdev-rtnl");
    TCase *tc = xt_tcase_create(s, "rtnl", setup);

    tcase_add_test(tc, test_rtnl_requests);
    tcase_add_test(tc, test_rtnl_monitor);
    tcase_add_test(tc, test_netns_helpers);
    return s;
}

int
main(void)
{
    xt_require_root("test-netdev-rtnl");
    return xt_run_suite(rtnl_suite());
}
