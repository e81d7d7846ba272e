/* netns.c: enumerating and entering network namespaces. */
#include <config.h>

#include "netns.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "util.h"

int
netns_open_current(int *fdp)
{
    /* /proc/thread-self, not /proc/self: another thread of this process may
     * be inside some other namespace at the moment. */
    int fd = open("/proc/thread-self/ns/net", O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        *fdp = -1;
        return errno;
    }
    *fdp = fd;
    return 0;
}

int
netns_get_id(int fd, struct netns_id *id)
{
    struct stat s;

    if (fstat(fd, &s) < 0) {
        return errno;
    }
    id->dev = s.st_dev;
    id->ino = s.st_ino;
    return 0;
}

int
netns_run_in(int ns_fd, int (*cb)(void *aux), void *aux)
{
    int error, home, retval;

    error = netns_open_current(&home);
    if (error) {
        return error;
    }
    if (setns(ns_fd, CLONE_NEWNET) < 0) {
        error = errno;
        close(home);
        return error;
    }
    retval = cb(aux);
    if (setns(home, CLONE_NEWNET) < 0) {
        xsw_fatal("cannot return to the original network namespace (%s)",
                  strerror(errno));
    }
    close(home);
    return retval;
}

/* The namespaces already visited by netns_foreach(). */
struct netns_seen {
    struct netns_id *ids;
    size_t n, allocated;
};

static bool
netns_seen_add(struct netns_seen *seen, const struct netns_id *id)
{
    for (size_t i = 0; i < seen->n; i++) {
        if (netns_id_equals(&seen->ids[i], id)) {
            return false;
        }
    }
    if (seen->n >= seen->allocated) {
        seen->ids = x2nrealloc(seen->ids, &seen->allocated,
                               sizeof *seen->ids);
    }
    seen->ids[seen->n++] = *id;
    return true;
}

/* Opens 'path' and, if it is a namespace not seen before, calls 'cb'. */
static int
netns_visit(const char *path, const char *name, struct netns_seen *seen,
            int (*cb)(int, const char *, void *), void *aux)
{
    struct netns_id id;
    int fd, retval = 0;

    fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        return 0;
    }
    if (!netns_get_id(fd, &id) && netns_seen_add(seen, &id)) {
        retval = cb(fd, name, aux);
    }
    close(fd);
    return retval;
}

static int
netns_visit_dir(const char *dir, const char *suffix, bool numeric_only,
                struct netns_seen *seen,
                int (*cb)(int, const char *, void *), void *aux)
{
    struct dirent *de;
    int retval = 0;
    DIR *d;

    d = opendir(dir);
    if (!d) {
        return 0;
    }
    while (!retval && (de = readdir(d)) != NULL) {
        char *path;

        if (de->d_name[0] == '.'
            || (numeric_only && !(de->d_name[0] >= '0'
                                  && de->d_name[0] <= '9'))) {
            continue;
        }
        path = xasprintf("%s/%s%s", dir, de->d_name, suffix);
        retval = netns_visit(path, path, seen, cb, aux);
        free(path);
    }
    closedir(d);
    return retval;
}

int
netns_foreach(int (*cb)(int ns_fd, const char *path, void *aux), void *aux)
{
    struct netns_seen seen = { NULL, 0, 0 };
    int retval;

    retval = netns_visit("/proc/thread-self/ns/net", "", &seen, cb, aux);
    if (!retval) {
        retval = netns_visit_dir("/var/run/netns", "", false, &seen, cb, aux);
    }
    if (!retval) {
        retval = netns_visit_dir("/proc", "/ns/net", true, &seen, cb, aux);
    }
    free(seen.ids);
    return retval;
}
