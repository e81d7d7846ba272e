/* test-netdev.c: netdev.c's side of the driver boundary, with stand-in
 * drivers registered as "afxdp" and "afpacket": the registry, open()'s
 * messages, and the system ports' fallback from AF_XDP to AF_PACKET, with
 * the exact words a user then reads in the Interface's error and status
 * columns.  Needs no root and touches no device (the system tests cover
 * the real drivers). */
#include <config.h>
#include <check.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "netdev-dummy.h"
#include "netdev.h"
#include "util.h"

/* What each stand-in's next open() does: 0 opens a dummy port under the
 * stand-in's class, anything else fails with that errno value and
 * 'message' (NULL: none). */
struct stand_in {
    int error;
    const char *message;
    int n_opens;
};
static struct stand_in afxdp, afpacket;

static int
stand_in_open(struct stand_in *s, const struct netdev_class *class,
              const char *name, struct netdev **netdevp, char **errorp)
{
    s->n_opens++;
    *netdevp = NULL;
    *errorp = NULL;
    if (s->error) {
        if (s->message) {
            netdev_set_error(errorp, "%s: %s", name, s->message);
        }
        return s->error;
    }

    /* A dummy port that answers to the stand-in's type. */
    int error = netdev_dummy_class.open(name, NULL, netdevp, errorp);
    if (!error) {
        (*netdevp)->netdev_class = class;
    }
    return error;
}

static void
stand_in_close(struct netdev *netdev)
{
    netdev->netdev_class = &netdev_dummy_class;
    netdev_close(netdev);
}

static const struct netdev_class fake_afxdp_class, fake_afpacket_class;

static int
fake_afxdp_open(const char *name, const struct shash *options OVS_UNUSED,
                struct netdev **netdevp, char **errorp)
{
    return stand_in_open(&afxdp, &fake_afxdp_class, name, netdevp, errorp);
}

static int
fake_afpacket_open(const char *name, const struct shash *options OVS_UNUSED,
                   struct netdev **netdevp, char **errorp)
{
    return stand_in_open(&afpacket, &fake_afpacket_class, name, netdevp,
                         errorp);
}

static const struct netdev_class fake_afxdp_class = {
    .type = "afxdp",
    .open = fake_afxdp_open,
    .close = stand_in_close,
};

static const struct netdev_class fake_afpacket_class = {
    .type = "afpacket",
    .open = fake_afpacket_open,
    .close = stand_in_close,
};

static void
setup(void)
{
    memset(&afxdp, 0, sizeof afxdp);
    memset(&afpacket, 0, sizeof afpacket);
    ck_assert_int_eq(netdev_register_class(&netdev_dummy_class), 0);
    ck_assert_int_eq(netdev_register_class(&fake_afxdp_class), 0);
    ck_assert_int_eq(netdev_register_class(&fake_afpacket_class), 0);
}

START_TEST(test_registry)
{
    struct netdev *netdev;
    char *message;

    ck_assert_int_eq(netdev_register_class(&fake_afxdp_class), EEXIST);
    ck_assert_int_eq(netdev_open("nosuchtype", "xt0", NULL, &netdev,
                                 &message), EAFNOSUPPORT);
    ck_assert_ptr_null(netdev);
    ck_assert_ptr_null(message);

    ck_assert_int_eq(netdev_open("dummy", "xt0", NULL, &netdev, &message), 0);
    ck_assert_ptr_null(message);
    ck_assert_str_eq(netdev_get_name(netdev), "xt0");
    ck_assert_str_eq(netdev_get_type(netdev), "dummy");
    ck_assert_ptr_null(netdev_get_fallback_reason(netdev));
    netdev_close(netdev);
}
END_TEST

/* A driver's own type never falls back, and its message is the caller's. */
START_TEST(test_driver_message)
{
    struct netdev *netdev;
    char *message;

    afxdp.error = EBUSY;
    afxdp.message = "cannot create AF_XDP socket";
    ck_assert_int_eq(netdev_open("afxdp", "xt0", NULL, &netdev, &message),
                     EBUSY);
    ck_assert_ptr_null(netdev);
    ck_assert_str_eq(message, "xt0: cannot create AF_XDP socket");
    free(message);
    ck_assert_int_eq(afpacket.n_opens, 0);

    /* A caller with no use for the message passes NULL. */
    ck_assert_int_eq(netdev_open("afxdp", "xt0", NULL, &netdev, NULL),
                     EBUSY);
}
END_TEST

START_TEST(test_system_prefers_afxdp)
{
    struct netdev *netdev;
    char *message;

    ck_assert_int_eq(netdev_open("system", "xt0", NULL, &netdev, &message),
                     0);
    ck_assert_ptr_null(message);
    ck_assert_str_eq(netdev_get_type(netdev), "afxdp");
    ck_assert_ptr_null(netdev_get_fallback_reason(netdev));
    ck_assert_int_eq(afpacket.n_opens, 0);
    netdev_close(netdev);

    /* "" is "system", as in the Interface table. */
    ck_assert_int_eq(netdev_open("", "xt0", NULL, &netdev, NULL), 0);
    ck_assert_str_eq(netdev_get_type(netdev), "afxdp");
    netdev_close(netdev);
}
END_TEST

START_TEST(test_system_falls_back)
{
    struct netdev *netdev;
    char *message;

    afxdp.error = EOPNOTSUPP;
    afxdp.message = "cannot create AF_XDP socket in native mode";
    ck_assert_int_eq(netdev_open("system", "xt0", NULL, &netdev, &message),
                     0);
    ck_assert_ptr_null(message);
    ck_assert_str_eq(netdev_get_type(netdev), "afpacket");
    ck_assert_str_eq(netdev_get_fallback_reason(netdev),
                     "using AF_PACKET because AF_XDP is not available: "
                     "xt0: cannot create AF_XDP socket in native mode");
    netdev_close(netdev);
}
END_TEST

/* A missing device or a bad option fails at once, in AF_XDP's words. */
START_TEST(test_system_no_fallback_for_user_errors)
{
    static const int errors[] = { ENODEV, EINVAL };

    for (size_t i = 0; i < ARRAY_SIZE(errors); i++) {
        struct netdev *netdev;
        char *message;

        afxdp.error = errors[i];
        afxdp.message = "no such network device";
        ck_assert_int_eq(netdev_open("system", "xt0", NULL, &netdev,
                                     &message), errors[i]);
        ck_assert_ptr_null(netdev);
        ck_assert_str_eq(message, "xt0: no such network device");
        free(message);
    }
    ck_assert_int_eq(afpacket.n_opens, 0);
}
END_TEST

START_TEST(test_system_both_fail)
{
    struct netdev *netdev;
    char *message;

    afxdp.error = EBUSY;
    afxdp.message = "cannot create AF_XDP socket";
    afpacket.error = EPERM;
    afpacket.message = "cannot create packet socket";
    ck_assert_int_eq(netdev_open("system", "xt0", NULL, &netdev, &message),
                     EPERM);
    ck_assert_ptr_null(netdev);
    ck_assert_str_eq(message, "xt0: cannot create AF_XDP socket; AF_PACKET "
                     "fallback failed too: xt0: cannot create packet "
                     "socket");
    free(message);

    /* Drivers with nothing to add leave their halves empty. */
    afxdp.message = afpacket.message = NULL;
    ck_assert_int_eq(netdev_open("system", "xt0", NULL, &netdev, &message),
                     EPERM);
    ck_assert_str_eq(message, "; AF_PACKET fallback failed too: ");
    free(message);
}
END_TEST

int
main(void)
{
    Suite *s = suite_create("netdev");
    TCase *tc = tcase_create("netdev");
    SRunner *sr;
    int n_failed;

    /* Each test runs in its own process (check forks), so the registry
     * starts empty every time: nothing to undo. */
    tcase_add_checked_fixture(tc, setup, NULL);
    tcase_add_test(tc, test_registry);
    tcase_add_test(tc, test_driver_message);
    tcase_add_test(tc, test_system_prefers_afxdp);
    tcase_add_test(tc, test_system_falls_back);
    tcase_add_test(tc, test_system_no_fallback_for_user_errors);
    tcase_add_test(tc, test_system_both_fail);
    suite_add_tcase(s, tc);

    sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    n_failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return n_failed ? EXIT_FAILURE : EXIT_SUCCESS;
}
