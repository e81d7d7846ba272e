/* etcd-lock.h: OVSDB lock queues shared by every front end on one etcd.
 *
 * backend.h declares the interface ("Locks" at its top, and
 * backend_locks_open() and the others); this module is its one
 * implementation, for --storage=etcd:URL[,URL...].  etcd-lock.c's top
 * comment has the key layout, the lease and what happens when etcd cannot
 * be reached; docs/storage-etcd.md ("Locks across front ends") the
 * figures. */
#ifndef XSW_ETCD_LOCK_H
#define XSW_ETCD_LOCK_H 1

#include <uv.h>

struct backend_locks;
struct ovsdb_error;

/* The lease every front end holds (seconds): see etcd-lock.c. */
#define ETCD_LOCK_LEASE_TTL 10

/* Opens the lock queues in etcd at 'urls' (a comma-separated list): grants
 * this front end's lease, reads the queues and starts the thread that
 * watches them and keeps the lease alive. */
struct ovsdb_error *etcd_locks_open(const char *urls, uv_loop_t *,
                                    void (*changed)(void *aux), void *aux,
                                    struct backend_locks **locksp)
    __attribute__((warn_unused_result));

#endif /* etcd-lock.h */
