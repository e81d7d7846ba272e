/* netdev.c: the registry of port drivers, the system ports' choice
 * between them, and thin wrappers around them. */
#include <config.h>
#include "netdev.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include "util.h"

/* Few drivers exist, and only the control thread registers or looks them
 * up, so a small array does. */
#define MAX_CLASSES 16
static const struct netdev_class *classes[MAX_CLASSES];
static size_t n_classes;

static const struct netdev_class *
netdev_lookup_class(const char *type)
{
    for (size_t i = 0; i < n_classes; i++) {
        if (!strcmp(classes[i]->type, type)) {
            return classes[i];
        }
    }
    return NULL;
}

int
netdev_register_class(const struct netdev_class *class)
{
    if (netdev_lookup_class(class->type)) {
        return EEXIST;
    }
    if (n_classes >= MAX_CLASSES) {
        return ENOSPC;
    }
    classes[n_classes++] = class;
    return 0;
}

static int
netdev_class_open(const char *type, const char *name,
                  const struct shash *options, struct netdev **netdevp,
                  char **errorp)
{
    const struct netdev_class *class = netdev_lookup_class(type);

    *netdevp = NULL;
    *errorp = NULL;
    if (!class) {
        return EAFNOSUPPORT;
    }
    return class->open(name, options, netdevp, errorp);
}

/* A system port: AF_XDP if possible, else AF_PACKET (see netdev.h). */
static int
netdev_system_open(const char *name, const struct shash *options,
                   struct netdev **netdevp, char **errorp)
{
    char *afxdp_error, *afpacket_error;
    int error;

    error = netdev_class_open("afxdp", name, options, netdevp, &afxdp_error);
    /* A missing device or a bad option is the user's to fix; AF_PACKET
     * would fail the same way or silently ignore the option. */
    if (!error || error == ENODEV || error == EINVAL) {
        *errorp = afxdp_error;
        return error;
    }

    error = netdev_class_open("afpacket", name, options, netdevp,
                              &afpacket_error);
    if (error) {
        *errorp = xasprintf("%s; AF_PACKET fallback failed too: %s",
                            afxdp_error ? afxdp_error : "",
                            afpacket_error ? afpacket_error : "");
    } else {
        *errorp = NULL;
        (*netdevp)->fallback_reason
            = xasprintf("using AF_PACKET because AF_XDP is not available: %s",
                        afxdp_error ? afxdp_error : "");
    }
    free(afxdp_error);
    free(afpacket_error);
    return error;
}

int
netdev_open(const char *type, const char *name, const struct shash *options,
            struct netdev **netdevp, char **errorp)
{
    char *message;
    int error;

    error = (!*type || !strcmp(type, "system")
             ? netdev_system_open(name, options, netdevp, &message)
             : netdev_class_open(type, name, options, netdevp, &message));
    if (errorp) {
        *errorp = message;
    } else {
        free(message);
    }
    return error;
}

void
netdev_close(struct netdev *netdev)
{
    if (netdev) {
        netdev->netdev_class->close(netdev);
    }
}

void
netdev_init(struct netdev *netdev, const struct netdev_class *class,
            const char *name)
{
    netdev->netdev_class = class;
    netdev->name = xstrdup(name);
    netdev->caps = 0;
    netdev->fallback_reason = NULL;
}

void
netdev_uninit(struct netdev *netdev)
{
    free(netdev->name);
    netdev->name = NULL;
    free(netdev->fallback_reason);
    netdev->fallback_reason = NULL;
}

void
netdev_set_error(char **errorp, const char *format, ...)
{
    va_list args;

    free(*errorp);
    va_start(args, format);
    *errorp = xvasprintf(format, args);
    va_end(args);
}

int
netdev_rxq_fd(const struct netdev *netdev)
{
    return netdev->netdev_class->rxq_fd
           ? netdev->netdev_class->rxq_fd(netdev) : -1;
}

int
netdev_recv_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    return netdev->netdev_class->recv_batch(netdev, batch);
}

int
netdev_send_batch(struct netdev *netdev, struct dp_packet_batch *batch)
{
    return netdev->netdev_class->send_batch(netdev, batch);
}

void
netdev_get_stats(const struct netdev *netdev, struct netdev_stats *stats)
{
    memset(stats, 0, sizeof *stats);
    if (netdev->netdev_class->get_stats) {
        netdev->netdev_class->get_stats(netdev, stats);
    }
}

#define NETDEV_GETTER(NAME, TYPE)                                       \
    int                                                                 \
    netdev_get_##NAME(const struct netdev *netdev, TYPE *value)         \
    {                                                                   \
        return (netdev->netdev_class->get_##NAME                        \
                ? netdev->netdev_class->get_##NAME(netdev, value)       \
                : EOPNOTSUPP);                                          \
    }
NETDEV_GETTER(etheraddr, struct eth_addr)
NETDEV_GETTER(ifindex, int)
NETDEV_GETTER(mtu, int)
NETDEV_GETTER(link_state, bool)
NETDEV_GETTER(admin_state, bool)

const char *
netdev_get_mode(const struct netdev *netdev)
{
    return (netdev->netdev_class->get_mode
            ? netdev->netdev_class->get_mode(netdev) : NULL);
}

int
netdev_get_max_mtu(const struct netdev *netdev)
{
    return (netdev->netdev_class->get_max_mtu
            ? netdev->netdev_class->get_max_mtu(netdev) : 0);
}
