/* netns.h: network namespace helpers.
 *
 * A TAP device created by xsw-switchd may be moved by an administrator
 * into a container's namespace, and a restarted xsw-switchd must find it
 * there again.  These helpers enumerate the namespaces of the machine and
 * run a function inside one of them.
 *
 * setns(2) changes the namespace of the calling *thread* only, so entering
 * a namespace here never disturbs forwarding threads; the helpers always
 * return the calling thread to where it was, and file descriptors opened
 * meanwhile (a tun fd, a netlink socket) stay bound to the namespace they
 * were opened in.  Control thread only.
 *
 * Every function returns 0 or a positive errno value. */
#ifndef XSW_NETNS_H
#define XSW_NETNS_H 1

#include <stdbool.h>
#include <stdint.h>
#include <sys/types.h>

/* Identifies a namespace: the (device, inode) of its nsfs file. */
struct netns_id {
    dev_t dev;
    ino_t ino;
};

static inline bool
netns_id_equals(const struct netns_id *a, const struct netns_id *b)
{
    return a->dev == b->dev && a->ino == b->ino;
}

/* Opens the calling thread's current network namespace (O_RDONLY|O_CLOEXEC)
 * and stores the fd in '*fdp' (the caller closes it). */
int netns_open_current(int *fdp);

/* Stores the id of the namespace that 'fd' refers to. */
int netns_get_id(int fd, struct netns_id *);

/* Runs 'cb(aux)' with the calling thread inside the namespace 'ns_fd', then
 * returns to the original namespace.  Returns what 'cb' returns, or an
 * errno value if the switch failed (then 'cb' did not run).  Failing to
 * switch *back* would leave the thread in a foreign namespace, from which
 * nothing sensible can follow, so that aborts the program. */
int netns_run_in(int ns_fd, int (*cb)(void *aux), void *aux);

/* Calls 'cb(ns_fd, path, aux)' once for every distinct network namespace
 * reachable from here: the current one first (path "" ), then named ones
 * (/var/run/netns/NAME) and then those of running processes
 * (/proc/PID/ns/net).  'ns_fd' is valid only during the call; 'cb' may
 * pass it to netns_run_in() or dup() it.  Namespaces that cannot be opened
 * (a process that just exited) are skipped.  Stops when 'cb' returns
 * nonzero and returns that value. */
int netns_foreach(int (*cb)(int ns_fd, const char *path, void *aux),
                  void *aux);

#endif /* netns.h */
