/* remotes.h: which remotes xsw-dbserver serves, as ovsdb-server decides it.
 *
 * The configured remotes are what --remote and ovsdb-server/add-remote
 * name: a remote ("ptcp:6640", "tcp:10.0.0.1:6640", ...) or a database
 * column, "db:DB,TABLE,COLUMN".  The column holds either remote names
 * (a string column) or references to rows with a "target" column, such as
 * Open_vSwitch's Manager table (or OVN's Connection table); those rows may
 * also say "max_backoff", "inactivity_probe", "read_only" and
 * other_config:dscp, and get their "is_connected" and "status" columns
 * written back, as ovsdb-server writes them.
 *
 * The configured set is resolved into the remotes the server actually
 * serves (server_add_remote() and friends) at start and whenever a
 * database changes, so "ovs-vsctl set-manager ptcp:6640" opens a listener
 * at once and "del-manager" closes it.  The TLS files (--private-key,
 * --certificate, --ca-cert) may be "db:" names too, resolved the same way.
 *
 * Status is refreshed every REMOTES_STATUS_INTERVAL_MS and written only
 * when it changed. */
#ifndef XSW_REMOTES_H
#define XSW_REMOTES_H 1

#include <stdbool.h>

struct remotes;
struct server;

/* As ovsdb-server: a status refresh every 2.5 seconds. */
#define REMOTES_STATUS_INTERVAL_MS 2500

/* Manages the remotes of 'server', which must outlive it. */
struct remotes *remotes_create(struct server *);
void remotes_destroy(struct remotes *);

/* Adds configured remote 'name'.  Checks its syntax only ("db:" names are
 * checked against the databases when resolved).  Returns 0, or a positive
 * errno value with a message in '*errorp'. */
int remotes_add(struct remotes *, const char *name, bool read_only,
                char **errorp);

/* The TLS files, each a file name, a "db:DB,TABLE,COLUMN" name or NULL. */
void remotes_set_tls_files(struct remotes *, const char *private_key,
                           const char *certificate, const char *ca_cert);

/* Resolves the configured remotes and TLS files and applies the result.
 * Errors (a database column that does not exist, a port in use) are
 * logged, once until they change. */
void remotes_reconfigure(struct remotes *);

/* Why configured remote 'target' (not a "db:" name) is not served, or
 * NULL if it is. */
const char *remotes_get_error(const struct remotes *, const char *target);

/* Registers ovsdb-server/add-remote, remove-remote and list-remotes. */
void remotes_register_unixctl(struct remotes *);

#endif /* remotes.h */
