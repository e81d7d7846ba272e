/* bridge.c: reconciling the database into the datapath.
 *
 * The reconciler is a function of the replica: reconfigure() computes what
 * the database wants (struct want, one per Interface), compares it with
 * what is open (struct iface, one per device we manage) and changes the
 * difference, in two phases, because the datapath refuses to delete a port
 * that the running configuration still uses:
 *
 *   1. commit a configuration without the ports that go away or must be
 *      reopened, then delete them;
 *   2. open the new and reopened ones, then commit the wanted
 *      configuration (only if it differs from the running one, so that a
 *      statistics update does not disturb anything).
 *
 * It runs only while the replica is synced and we hold the database lock:
 * a half-loaded replica after a reconnect must never tear ports down.
 *
 * A Port with several Interfaces is a bond: each Interface is opened as
 * usual (its own datapath port, ofport and statistics), and the bond
 * (struct xbond, around bond.h's state machine) joins them into one bridge
 * port in the committed configuration.  Member links are followed through
 * rtnetlink events, and a member enabled or disabled, after its
 * bond_updelay or bond_downdelay, is just another reconfiguration. */
#include <config.h>
#include "bridge.h"

#include <errno.h>
#include <inttypes.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "bond.h"
#include "coverage.h"
#include "dp.h"
#include "ds.h"
#include "fail-mode.h"
#include "hash.h"
#include "hmap.h"
#include "idl.h"
#include "iface-state.h"
#include "netdev-afxdp.h"
#include "netdev-tap.h"
#include "netdev.h"
#include "ovsdb-data.h"
#include "report.h"
#include "rtnl.h"
#include "shash.h"
#include "unixctl.h"
#include "util.h"
#include "uuid.h"
#include "vlan.h"
#include "vlog.h"

VLOG_DEFINE_THIS_MODULE(bridge);

COVERAGE_DEFINE(bridge_reconfigure);
COVERAGE_DEFINE(dp_commit);
COVERAGE_DEFINE(iface_open);
COVERAGE_DEFINE(iface_open_error);
COVERAGE_DEFINE(iface_close);
COVERAGE_DEFINE(tap_recreate);
COVERAGE_DEFINE(state_txn);
COVERAGE_DEFINE(state_txn_error);
COVERAGE_DEFINE(rtnl_event);
COVERAGE_DEFINE(bond_member_change);
COVERAGE_DEFINE(bond_active_change);
COVERAGE_DEFINE(bond_rebalance);
COVERAGE_DEFINE(bond_learning_packet);
COVERAGE_DEFINE(fdb_flush);
COVERAGE_DEFINE(trace);

/* OpenFlow port numbers, as Open vSwitch assigns them. */
#define OFPORT_LOCAL 65534      /* A bridge's own internal port. */
#define OFPORT_MAX 65279        /* Highest number for other ports. */

#define STATS_INTERVAL_MS 5000  /* Statistics refresh. */
#define RETRY_INTERVAL_MS 1000  /* After a failed state transaction. */
#define BUSY_RETRY_MS 100       /* After EBUSY from a TAP device... */
#define MAX_BUSY_RETRIES 30     /* ...this many times. */

/* How an Interface's device is attached. */
enum iface_kind {
    IFACE_TAP,                  /* "internal", "tap": netdev-tap. */
    IFACE_SYSTEM,               /* "", "system": AF_XDP, else AF_PACKET. */
    IFACE_AFXDP,                /* "afxdp": AF_XDP only. */
    IFACE_AFPACKET,             /* "afpacket": AF_PACKET only. */
};

/* A device we manage: one per Interface the configuration had when we
 * last reconfigured.  Keyed by device name, because that is what is
 * unique on the host. */
struct iface {
    struct hmap_node name_node;     /* In 'ifaces'. */
    struct hmap_node port_no_node;  /* In 'ifaces_by_port_no' if open. */
    struct hmap_node ofport_node;   /* In 'ofports' if ofport > 0. */
    char *name;
    struct uuid uuid;               /* Its Interface row. */
    char *bridge;                   /* Its bridge's name. */
    char *port;                     /* Its Port's name. */
    enum iface_kind kind;
    char *config;                   /* What it was opened with, as text,
                                     * to tell when it must be reopened. */
    uint32_t port_no;               /* Datapath port, 0 if not open. */
    int64_t ofport;                 /* -1 if none. */
    char *error;                    /* Why it is not open, or NULL. */
    char *fallback_reason;          /* Why AF_PACKET rather than AF_XDP. */
    char *mtu_error;                /* Why mtu_request is not the MTU. */
    bool retry;                     /* Try opening it again (its device
                                     * appeared or went away). */
    bool reopen;                    /* Close it and open it again. */
    bool dirty;                     /* Its state columns need a write. */
    unsigned int busy_retries;      /* Opens that failed with EBUSY. */
};

/* What the database wants for one Interface, during reconfigure(). */
struct want {
    const char *name;               /* The row's; valid during the call. */
    const struct ovsdb_idl_row *row;
    const char *bridge;
    const char *port;               /* Its Port's name. */
    enum iface_kind kind;
    struct shash options;           /* For netdev open: char * -> char *. */
    char *config;
    struct vlan_config vlan;
    char *error;                    /* Configuration error, or NULL. */
    int64_t ofport_hint;            /* The row's ofport (stable across
                                     * restarts), or 0. */
    int64_t ofport_request;
    const char *bond;               /* Its Port's name if that Port is a
                                     * bond (has several Interfaces). */
};

/* A Port with several Interfaces: a bond.  The member state (enabled,
 * delays, active member, hash buckets) lives in 'bond' and survives
 * reconfigurations as long as the Port does. */
struct xbond {
    struct bond *bond;
    struct uuid port_uuid;          /* Its Port row. */
    char *bridge;
    bool seen;                      /* Still configured (collect_wants()). */
    uint32_t port_no;               /* In the datapath, 0 if not there. */
    bool send_learning;             /* The active member or buckets
                                     * changed: tell the network. */
    uint32_t *dp_members;           /* Member ports last given to the
                                     * datapath, 'n_dp_members' of them. */
    size_t n_dp_members;
};

/* A bridge as the database wants it. */
struct want_bridge {
    unsigned int idle_time;
    size_t max_macs;
    bool closed;                /* fail_mode=secure: forwards nothing. */
    bool forward_bpdu;          /* other_config:forward-bpdu=true. */
};

static uv_loop_t *loop;
static struct dp *dp;
static unsigned int dp_n_threads;
static struct ovsdb_idl *idl;

static struct hmap ifaces = HMAP_INITIALIZER(&ifaces);
static struct hmap ifaces_by_port_no = HMAP_INITIALIZER(&ifaces_by_port_no);
static struct hmap ofports = HMAP_INITIALIZER(&ofports);

/* Interface rows that are configured but not managed (a duplicate name, a
 * second interface of a bond): UUID string -> error message (owned).
 * Rebuilt by each reconfigure(). */
static struct shash row_errors = SHASH_INITIALIZER(&row_errors);

/* Bonds, by Port name: struct xbond * (owned). */
static struct shash bonds = SHASH_INITIALIZER(&bonds);
static bool bonds_pending;           /* A member's link may have changed. */
static long long int bonds_next_msec = LLONG_MAX;  /* A delay ends. */

/* Bad Bridge other_config values already logged: "BRIDGE:KEY" -> value
 * (owned). */
static struct shash warned_values = SHASH_INITIALIZER(&warned_values);

/* The busy-polling time given to the datapath, and the last malformed
 * other_config:busy-poll-usec logged (owned), so that it is logged once. */
static unsigned long busy_poll_applied;
static char *busy_poll_warned;

/* Column handles. */
static struct ovsdb_idl_table *ovs_table, *bridge_table, *port_table,
    *iface_table;
static const struct ovsdb_idl_column *ovs_bridges, *ovs_next_cfg,
    *ovs_cur_cfg, *ovs_iface_types, *ovs_datapath_types, *ovs_other_config;
static const struct ovsdb_idl_column *br_name, *br_ports, *br_other_config;
static const struct ovsdb_idl_column *port_name, *port_interfaces, *port_tag,
    *port_trunks, *port_vlan_mode, *port_bond_mode, *port_lacp,
    *port_bond_updelay, *port_bond_downdelay, *port_other_config,
    *port_bond_active_slave, *port_status;
static const struct ovsdb_idl_column *if_name, *if_type, *if_options, *if_mac,
    *if_mtu_request, *if_ofport, *if_ofport_request;

static uint64_t reconfigured_seqno;  /* IDL seqno at the last reconfigure. */
static bool force_reconfigure;       /* A device event asks for one. */
static int64_t done_cfg = -1;        /* next_cfg the datapath reflects. */
static bool swept;                   /* Start-up clean-up done. */
static bool lock_warned;             /* Told the log we are waiting. */
static bool had_lock;
static bool state_pending;           /* Write state when the txn is done. */
static bool state_all;               /* ...for every interface. */
static long long int last_stats_msec;

/* The running datapath configuration, serialized, to skip commits that
 * would change nothing. */
static char *committed_sig;
static size_t committed_sig_len;

static uv_timer_t run_timer;         /* Deferred bridge_run(). */
static uv_timer_t tick_timer;        /* Once a second: aging, stats. */
static uv_poll_t rtnl_poll;
static struct rtnl_monitor *rtnl;
static bool rtnl_polling;

static void bridge_run(void);
static void schedule_run(uint64_t delay_ms);

/* ---- Small helpers. ---- */

static struct iface *
iface_find(const char *name)
{
    struct iface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, name_node, hash_string(name, 0),
                             &ifaces) {
        if (!strcmp(iface->name, name)) {
            return iface;
        }
    }
    return NULL;
}

static struct iface *
iface_find_by_port_no(uint32_t port_no)
{
    struct iface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, port_no_node, hash_int(port_no, 0),
                             &ifaces_by_port_no) {
        if (iface->port_no == port_no) {
            return iface;
        }
    }
    return NULL;
}

static uint32_t
ofport_hash(const char *bridge, int64_t ofport)
{
    return hash_int((uint32_t) ofport, hash_string(bridge, 0));
}

static struct iface *
ofport_find(const char *bridge, int64_t ofport)
{
    struct iface *iface;

    HMAP_FOR_EACH_WITH_HASH (iface, ofport_node, ofport_hash(bridge, ofport),
                             &ofports) {
        if (iface->ofport == ofport && !strcmp(iface->bridge, bridge)) {
            return iface;
        }
    }
    return NULL;
}

static void
iface_release_ofport(struct iface *iface)
{
    if (iface->ofport > 0) {
        hmap_remove(&ofports, &iface->ofport_node);
    }
    iface->ofport = -1;
}

/* Gives 'iface' an OpenFlow port number in its bridge, as Open vSwitch
 * does: the bridge's own port is LOCAL (65534); otherwise the number the
 * database already shows (so that numbers survive restarts), else
 * ofport_request, else the lowest free one. */
static void
iface_assign_ofport(struct iface *iface, int64_t hint, int64_t request)
{
    int64_t ofport = 0;

    if (iface->ofport > 0) {
        return;
    }
    if (!strcmp(iface->name, iface->bridge)) {
        ofport = OFPORT_LOCAL;
    } else if (hint > 0 && hint <= OFPORT_MAX
               && !ofport_find(iface->bridge, hint)) {
        ofport = hint;
    } else if (request > 0 && request <= OFPORT_MAX
               && !ofport_find(iface->bridge, request)) {
        ofport = request;
    } else {
        for (ofport = 1; ofport <= OFPORT_MAX; ofport++) {
            if (!ofport_find(iface->bridge, ofport)) {
                break;
            }
        }
    }
    if (ofport > 0 && ofport <= OFPORT_LOCAL
        && !ofport_find(iface->bridge, ofport)) {
        iface->ofport = ofport;
        hmap_insert(&ofports, &iface->ofport_node,
                    ofport_hash(iface->bridge, ofport));
    }
}

static void
iface_set_error(struct iface *iface, const char *error)
{
    if (error && iface->error && !strcmp(error, iface->error)) {
        return;
    }
    free(iface->error);
    iface->error = error ? xstrdup(error) : NULL;
}

static struct iface *
iface_create(const char *name, const char *bridge)
{
    struct iface *iface = xzalloc(sizeof *iface);

    iface->name = xstrdup(name);
    iface->bridge = xstrdup(bridge);
    iface->ofport = -1;
    iface->retry = true;
    hmap_insert(&ifaces, &iface->name_node, hash_string(name, 0));
    return iface;
}

/* Frees 'iface', which must be closed. */
static void
iface_destroy(struct iface *iface)
{
    iface_release_ofport(iface);
    hmap_remove(&ifaces, &iface->name_node);
    free(iface->name);
    free(iface->bridge);
    free(iface->port);
    free(iface->config);
    free(iface->error);
    free(iface->fallback_reason);
    free(iface->mtu_error);
    free(iface);
}

static const char *
iface_kind_to_type(enum iface_kind kind)
{
    switch (kind) {
    case IFACE_TAP: return "tap";
    case IFACE_SYSTEM: return "system";
    case IFACE_AFXDP: return "afxdp";
    case IFACE_AFPACKET: return "afpacket";
    }
    return "?";
}

static bool
iface_kind_from_type(const char *type, enum iface_kind *kind)
{
    if (!strcmp(type, "internal") || !strcmp(type, "tap")) {
        *kind = IFACE_TAP;
    } else if (!*type || !strcmp(type, "system")) {
        *kind = IFACE_SYSTEM;
    } else if (!strcmp(type, "afxdp") || !strcmp(type, "afxdp-nonpmd")) {
        *kind = IFACE_AFXDP;
    } else if (!strcmp(type, "afpacket")) {
        *kind = IFACE_AFPACKET;
    } else {
        return false;
    }
    return true;
}

static const struct ovsdb_idl_row *
ovs_row(void)
{
    return ovs_table ? ovsdb_idl_first_row(ovs_table) : NULL;
}

/* Stores in 'owner' the identity of our database that marks the TAP
 * devices we create (see netdev-tap.h): its Open_vSwitch row's UUID, which
 * two databases never share, unlike external_ids:system-id that copies of
 * one set-up may carry alike.  "" before the row exists. */
static void
db_owner(char owner[UUID_LEN + 1])
{
    const struct ovsdb_idl_row *ovs = ovs_row();

    *owner = '\0';
    if (ovs) {
        uuid_to_string(ovsdb_idl_row_get_uuid(ovs), owner);
    }
}

/* The UUIDs in 'column' of 'row' (a set of references), or none. */
static const struct ovsdb_datum *
row_refs(const struct ovsdb_idl_row *row,
         const struct ovsdb_idl_column *column)
{
    static const struct ovsdb_datum empty = OVSDB_DATUM_EMPTY_INIT;
    const struct ovsdb_datum *d = ovsdb_idl_row_get_datum(row, column);
    const struct ovsdb_type *type = ovsdb_idl_column_get_type(column);

    return d && type && type->key.type == OVSDB_TYPE_UUID ? d : &empty;
}

/* ---- Working out what the database wants. ---- */

static void
want_destroy(struct want *want)
{
    shash_destroy_free_data(&want->options);
    free(want->config);
    free(want->error);
    free(want);
}

static void
wants_destroy(struct shash *wants)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, wants) {
        want_destroy(node->data);
    }
    shash_destroy(wants);
}

/* Adds 'error' (taken) for Interface 'row' to 'errors', logging it unless
 * the previous reconfiguration already reported it. */
static void
row_error_add(struct shash *errors, const struct ovsdb_idl_row *row,
              char *error)
{
    char uuid[UUID_LEN + 1];
    const char *old;

    uuid_to_string(ovsdb_idl_row_get_uuid(row), uuid);
    old = shash_find_data(&row_errors, uuid);
    if (!old || strcmp(old, error)) {
        VLOG_WARN("%s", error);
    }
    free(shash_replace(errors, uuid, error));
}

/* Logs that Bridge 'bridge''s other_config:'key'='value' is bad ('why',
 * e.g. "is not ..., using ..."), once per bad value rather than at every
 * reconfiguration. */
static void
bridge_config_warn(const char *bridge, const char *key, const char *value,
                   const char *why)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);
    char *id = xasprintf("%s:%s", bridge, key);
    const char *old = shash_find_data(&warned_values, id);

    if (!old || strcmp(old, value)) {
        VLOG_WARN_RL(&rl, "bridge %s: other_config:%s=\"%s\" %s", bridge,
                     key, value, why);
        free(shash_replace(&warned_values, id, xstrdup(value)));
    }
    free(id);
}

/* Parses other_config:KEY of a Bridge as a positive integer, or returns
 * 'dflt' (and logs) if absent or malformed. */
static unsigned long
bridge_config_uint(const struct ovsdb_idl_row *row, const char *bridge,
                   const char *key, unsigned long dflt, unsigned long max)
{
    const char *s = ovsdb_idl_row_get_map_string(row, br_other_config, key,
                                                 NULL);
    unsigned long value;
    char *end;

    if (!s) {
        return dflt;
    }
    errno = 0;
    value = strtoul(s, &end, 10);
    if (errno || end == s || *end || !value || value > max || *s == '-') {
        char *why = xasprintf("is not an integer between 1 and %lu, "
                              "using %lu", max, dflt);
        bridge_config_warn(bridge, key, s, why);
        free(why);
        return dflt;
    }
    return value;
}

/* Parses other_config:KEY of a Bridge as Open vSwitch's smap_get_bool()
 * with default false does: true only if it is "true" (in any case).  Any
 * other value but "false" is logged, as it is false for both switches
 * although its writer probably meant otherwise. */
static bool
bridge_config_bool_false(const struct ovsdb_idl_row *row, const char *bridge,
                         const char *key)
{
    const char *s = ovsdb_idl_row_get_map_string(row, br_other_config, key,
                                                 NULL);

    if (!s || !strcasecmp(s, "false")) {
        return false;
    } else if (!strcasecmp(s, "true")) {
        return true;
    }
    bridge_config_warn(bridge, key, s, "is neither \"true\" nor \"false\", "
                       "using false (as Open vSwitch does)");
    return false;
}

/* Applies the Open_vSwitch record's datapath settings:
 * other_config:busy-poll-usec, how long a forwarding thread polls after
 * its last packet before it sleeps (see dp_set_busy_poll()).  A missing
 * or malformed value means the default; a malformed one is logged once. */
static void
apply_datapath_config(const struct ovsdb_idl_row *ovs)
{
    const char *s = (ovs ? ovsdb_idl_row_get_map_string(ovs, ovs_other_config,
                                                       "busy-poll-usec", NULL)
                     : NULL);
    unsigned long usec = DP_BUSY_POLL_USEC_DEFAULT;

    if (s) {
        char *end;

        errno = 0;
        usec = strtoul(s, &end, 10);
        if (errno || end == s || *end || *s == '-'
            || usec > DP_BUSY_POLL_USEC_MAX) {
            if (!busy_poll_warned || strcmp(busy_poll_warned, s)) {
                VLOG_WARN("other_config:busy-poll-usec=\"%s\" is not an "
                          "integer between 0 and %d, using %d", s,
                          DP_BUSY_POLL_USEC_MAX, DP_BUSY_POLL_USEC_DEFAULT);
                free(busy_poll_warned);
                busy_poll_warned = xstrdup(s);
            }
            usec = DP_BUSY_POLL_USEC_DEFAULT;
        }
    }
    if (usec != busy_poll_applied) {
        VLOG_INFO("forwarding threads poll for %lu us after the last packet "
                  "before they sleep", usec);
        dp_set_busy_poll(dp, usec);
        busy_poll_applied = usec;
    }
}

/* Builds the want for Interface 'row' of port 'port' in bridge 'bridge'. */
static struct want *
want_create(const struct ovsdb_idl_row *row, const struct ovsdb_idl_row *port,
            const char *bridge, const char *name)
{
    struct want *want = xzalloc(sizeof *want);
    const char *type = ovsdb_idl_row_get_string(row, if_type, "");
    const char *mac = ovsdb_idl_row_get_string(row, if_mac, NULL);
    const char *xdp_mode = ovsdb_idl_row_get_map_string(row, if_options,
                                                        "xdp-mode", NULL);
    const struct ovsdb_datum *mtu = ovsdb_idl_row_get_datum(row,
                                                            if_mtu_request);
    const struct ovsdb_datum *trunks = ovsdb_idl_row_get_datum(port,
                                                               port_trunks);
    char uuid[UUID_LEN + 1];
    char mtu_s[24] = "";

    want->name = name;
    want->row = row;
    want->bridge = bridge;
    shash_init(&want->options);
    uuid_to_string(ovsdb_idl_row_get_uuid(row), uuid);
    want->ofport_hint = ovsdb_idl_row_get_integer(row, if_ofport, 0);
    want->ofport_request = ovsdb_idl_row_get_integer(row, if_ofport_request,
                                                     0);

    if (!iface_kind_from_type(type, &want->kind)) {
        want->error = xasprintf("could not open network device %s "
                                "(unsupported interface type \"%s\")",
                                name, type);
        want->kind = IFACE_SYSTEM;
    }
    if (mtu && mtu->n) {
        snprintf(mtu_s, sizeof mtu_s, "%"PRId64, mtu->keys[0].integer);
        shash_add(&want->options, "mtu_request", xstrdup(mtu_s));
    }
    if (want->kind == IFACE_TAP) {
        if (mac) {
            shash_add(&want->options, "mac", xstrdup(mac));
        }
        shash_add(&want->options, "mac-seed", xstrdup(uuid));
        char owner[UUID_LEN + 1];
        db_owner(owner);
        shash_add(&want->options, "owner", xstrdup(owner));
    } else if (xdp_mode) {
        shash_add(&want->options, "xdp-mode", xstrdup(xdp_mode));
    }
    /* What, if it changes, needs the device reopened.  The seed of a
     * TAP's derived MAC is its row's UUID, so a TAP whose Interface was
     * replaced by a new row of the same name is reopened too. */
    want->config = xasprintf("%s mac=%s mtu=%s xdp-mode=%s seed=%s",
                             iface_kind_to_type(want->kind),
                             want->kind == IFACE_TAP && mac ? mac : "",
                             mtu_s, xdp_mode && want->kind != IFACE_TAP
                             ? xdp_mode : "",
                             want->kind == IFACE_TAP ? uuid : "");

    /* VLANs.  A port with settings we cannot honour forwards nothing
     * rather than leak frames between VLANs. */
    size_t n_trunks = trunks ? trunks->n : 0;
    int64_t *vids = xcalloc(n_trunks ? n_trunks : 1, sizeof *vids);
    for (size_t i = 0; i < n_trunks; i++) {
        vids[i] = trunks->keys[i].integer;
    }
    memset(&want->vlan, 0, sizeof want->vlan);
    int64_t tag = ovsdb_idl_row_get_integer(port, port_tag, -1);
    const char *mode = ovsdb_idl_row_get_string(port, port_vlan_mode, NULL);
    /* An out-of-range tag (the schema allows none) becomes 4096, which
     * vlan_config_init() rejects. */
    if (!want->error
        && vlan_config_init(&want->vlan, mode,
                            tag >= -1 && tag < VLAN_N_VIDS ? (int) tag
                            : VLAN_N_VIDS, vids, n_trunks)) {
        want->error = xasprintf("port %s: invalid VLAN configuration "
                                "(vlan_mode %s, tag %"PRId64")",
                                ovsdb_idl_row_get_string(port, port_name, ""),
                                mode ? mode : "unset", tag);
    }
    free(vids);
    return want;
}

/* ---- Bonds. ---- */

/* A serialized datapath configuration (see commit_config()). */
struct sig {
    char *buf;
    size_t len, cap;
};

static void
sig_put(struct sig *sig, const void *p, size_t n)
{
    while (sig->len + n > sig->cap) {
        sig->buf = x2nrealloc(sig->buf, &sig->cap, 1);
    }
    memcpy(sig->buf + sig->len, p, n);
    sig->len += n;
}

static void
xbond_destroy(struct xbond *xb)
{
    bond_destroy(xb->bond);
    free(xb->dp_members);
    free(xb->bridge);
    free(xb);
}

static int
compare_strings(const void *a_, const void *b_)
{
    const char *const *a = a_, *const *b = b_;
    return strcmp(*a, *b);
}

/* Open vSwitch's smap_get_int(): the Port's other_config:'key' as an int,
 * or 'dflt' if it is missing or no integer. */
static int
port_config_int(const struct ovsdb_idl_row *port, const char *key, int dflt)
{
    const char *s = ovsdb_idl_row_get_map_string(port, port_other_config,
                                                 key, NULL);
    long value;
    char *end;

    if (!s) {
        return dflt;
    }
    errno = 0;
    value = strtol(s, &end, 10);
    return (errno || end == s || *end || value < INT_MIN || value > INT_MAX
            ? dflt : (int) value);
}

/* Reads other_config:bond-detect-mode and bond-miimon-interval into 's' as
 * Open vSwitch's port_configure_bond() does, warning once per bad value
 * (Open vSwitch warns at every reconfiguration) for Port 'name'. */
static void
port_config_bond_detect(const struct ovsdb_idl_row *port, const char *name,
                        struct bond_settings *s)
{
    const char *detect = ovsdb_idl_row_get_map_string(
        port, port_other_config, "bond-detect-mode", NULL);
    char *id = xasprintf("%s:bond-detect-mode", name);

    if (!bond_detect_from_string(detect, &s->detect)) {
        const char *old = shash_find_data(&warned_values, id);

        if (!old || strcmp(old, detect)) {
            VLOG_WARN("port %s: unsupported bond-detect-mode %s, "
                      "defaulting to carrier", name, detect);
            free(shash_replace(&warned_values, id, xstrdup(detect)));
        }
    } else {
        /* A later bad value is news again. */
        free(shash_find_and_delete(&warned_values, id));
    }
    free(id);

    s->miimon_interval = 0;
    if (s->detect == BOND_DETECT_MIIMON) {
        s->miimon_interval = port_config_int(port, "bond-miimon-interval", 0);
        if (s->miimon_interval <= 0) {
            s->miimon_interval = BOND_MIIMON_INTERVAL_DEFAULT;
        }
    }
}

/* Makes the bond of Port 'port' in bridge 'bridge' match its row, with
 * members 'names' (the Interfaces that are not configuration errors;
 * sorted here, so that the bond's port number, its first member's, does
 * not depend on the order the set came in). */
static void
xbond_sync(const struct ovsdb_idl_row *port, const char *bridge,
           const char **names, size_t n)
{
    const char *name = ovsdb_idl_row_get_string(port, port_name, "");
    const char *mode = ovsdb_idl_row_get_string(port, port_bond_mode, NULL);
    const char *lacp = ovsdb_idl_row_get_string(port, port_lacp, NULL);
    const char *fallback = ovsdb_idl_row_get_map_string(
        port, port_other_config, "lacp-fallback-ab", "false");
    int64_t updelay = ovsdb_idl_row_get_integer(port, port_bond_updelay, 0);
    int64_t downdelay = ovsdb_idl_row_get_integer(port, port_bond_downdelay,
                                                  0);
    struct bond_settings s;
    struct xbond *xb;

    /* The schema allows no other bond_mode or lacp value: anything else
     * means the defaults, as in Open vSwitch. */
    bond_mode_from_string(mode, &s.mode);
    bond_lacp_from_string(lacp, &s.lacp);
    s.lacp_fallback_ab = !strcmp(fallback, "true");
    s.updelay = MAX(0, MIN(updelay, INT_MAX));
    s.downdelay = MAX(0, MIN(downdelay, INT_MAX));
    s.primary = ovsdb_idl_row_get_map_string(port, port_other_config,
                                             "bond-primary", NULL);
    port_config_bond_detect(port, name, &s);
    s.rebalance_interval = port_config_int(port, "bond-rebalance-interval",
                                           BOND_REBALANCE_INTERVAL_DEFAULT);
    if (s.rebalance_interval && s.rebalance_interval
                                < BOND_REBALANCE_INTERVAL_MIN) {
        s.rebalance_interval = BOND_REBALANCE_INTERVAL_MIN;
    }

    xb = shash_find_data(&bonds, name);
    if (!xb) {
        xb = xzalloc(sizeof *xb);
        xb->bond = bond_create(name);
        shash_add(&bonds, name, xb);
    }
    if (!xb->bridge || strcmp(xb->bridge, bridge)) {
        free(xb->bridge);
        xb->bridge = xstrdup(bridge);
    }
    xb->port_uuid = *ovsdb_idl_row_get_uuid(port);
    xb->seen = true;
    qsort(names, n, sizeof *names, compare_strings);
    if (bond_reconfigure(xb->bond, &s, names, n)) {
        const char *why;

        bond_get_effective(xb->bond, &why);
        VLOG_INFO("bond %s: %s with %zu members%s%s", name,
                  bond_mode_to_string(s.mode), n, why ? ": " : "",
                  why ? why : "");
        bonds_pending = true;
        for (size_t i = 0; i < n; i++) {
            struct iface *iface = iface_find(names[i]);
            if (iface) {
                iface->dirty = true;    /* Its 'error' may change. */
            }
        }
    }
}

/* Forgets the bonds that collect_wants() did not see. */
static void
xbonds_sweep(void)
{
    struct shash_node *node, *next;

    SHASH_FOR_EACH_SAFE (node, next, &bonds) {
        struct xbond *xb = node->data;

        if (!xb->seen) {
            xbond_destroy(xb);
            shash_delete(&bonds, node);
        } else {
            xb->seen = false;
        }
    }
}

/* The bond that interface 'name' is a member of, or NULL. */
static const struct xbond *
xbond_of_member(const char *name)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &bonds) {
        const struct xbond *xb = node->data;
        if (bond_find_member(xb->bond, name) >= 0) {
            return xb;
        }
    }
    return NULL;
}

/* Gives bond 'xb' the datapath's per-bucket byte counters. */
static void
xbond_account(struct xbond *xb)
{
    uint64_t tx_bytes[DP_BOND_N_BUCKETS];

    if (xb->port_no
        && !dp_bond_get_bucket_stats(dp, xb->port_no, tx_bytes)) {
        bond_account(xb->bond, tx_bytes);
    }
}

/* Rebalances 'xb' by load if its time has come by 'now'; lowers '*next' to
 * when it is due next.  Returns true if a bucket moved. */
static bool
xbond_rebalance(struct xbond *xb, long long int now, long long int *next)
{
    struct bond *bond = xb->bond;
    long long int when;
    bool moved;

    /* Often enough to prime the counters long before the first
     * rebalancing (see bond_account()), and cheap. */
    xbond_account(xb);
    moved = bond_rebalance(bond, now, &when);
    if (moved) {
        COVERAGE_INC(bond_rebalance);
        VLOG_INFO("bond %s: rebalanced: hash buckets moved between members "
                  "by load", bond->name);
    }
    *next = MIN(*next, when);
    return moved;
}

/* Feeds every bond its members' carriers and runs its state machine.
 * Returns true if a member was enabled or disabled or an active member or
 * hash bucket changed: the datapath needs a new configuration. */
static bool
xbonds_run(void)
{
    long long int now = dp_time_msec();
    struct shash_node *node;
    bool changed = false;

    bonds_pending = false;
    bonds_next_msec = LLONG_MAX;
    SHASH_FOR_EACH (node, &bonds) {
        struct xbond *xb = node->data;
        struct bond *bond = xb->bond;
        int old_active = bond->active;
        uint8_t old_buckets[BOND_N_BUCKETS];
        long long int next;

        bool was_enabled[BOND_MAX_MEMBERS];

        memcpy(old_buckets, bond->buckets, sizeof old_buckets);
        for (size_t i = 0; i < bond->n_members; i++) {
            struct bond_member *m = &bond->members[i];
            const struct iface *iface = iface_find(m->name);
            struct netdev *netdev = (iface && iface->port_no && !iface->reopen
                                     ? dp_port_get_netdev(dp, iface->port_no)
                                     : NULL);
            bool was_pending = m->delay_expires != LLONG_MAX;
            bool up = false;

            was_enabled[i] = m->enabled;
            m->has_mac = netdev && !netdev_get_etheraddr(netdev, &m->mac);
            if (netdev && netdev_get_link_state(netdev, &up)) {
                up = false;
            }
            /* A member never opened stays "fresh": its first carrier,
             * once it is open, applies without delay. */
            if (netdev || !m->fresh) {
                bond_member_set_carrier(bond, i, up, now);
            }
            if (!was_pending && m->delay_expires != LLONG_MAX
                && m->delay_expires > now) {
                VLOG_INFO("bond %s: member %s: link %s, %s in %lld ms "
                          "unless it changes again", bond->name, m->name,
                          up ? "up" : "down",
                          up ? "enabled" : "disabled",
                          m->delay_expires - now);
            }
        }
        changed |= bond_run(bond, now, &next);
        if (bond->active != old_active
            || memcmp(bond->buckets, old_buckets, sizeof old_buckets)) {
            xb->send_learning = true;
        }
        /* Buckets that rebalancing moves need no learning packets (nor
         * does Open vSwitch send any): their MACs keep talking, on their
         * new member, and the switch upstream learns them from that. */
        changed |= xbond_rebalance(xb, now, &next);
        for (size_t i = 0; i < bond->n_members; i++) {
            const struct bond_member *m = &bond->members[i];

            if (m->enabled != was_enabled[i]) {
                COVERAGE_INC(bond_member_change);
                VLOG_INFO("bond %s: member %s: %s", bond->name, m->name,
                          m->enabled ? "enabled" : "disabled");
                changed = true;
            }
        }
        if (bond->active != old_active) {
            COVERAGE_INC(bond_active_change);
            if (bond->active >= 0) {
                VLOG_INFO("bond %s: active member is now %s", bond->name,
                          bond->members[bond->active].name);
            } else {
                VLOG_INFO("bond %s: all members disabled", bond->name);
            }
        }
        bonds_next_msec = MIN(bonds_next_msec, next);
    }
    if (bonds_next_msec != LLONG_MAX) {
        schedule_run(MAX(0, bonds_next_msec - now));
    }
    return changed;
}

/* Adds the bonds to 'cfg' and to 'sig', with their members that are open
 * in the datapath. */
static void
commit_bonds(struct dp_config *cfg, const struct shash *wants,
             struct sig *sig)
{
    const struct shash_node **sorted = shash_sort(&bonds);

    for (size_t i = 0; i < shash_count(&bonds); i++) {
        struct xbond *xb = sorted[i]->data;
        const struct bond *bond = xb->bond;
        uint32_t *port_nos = xcalloc(bond->n_members + 1, sizeof *port_nos);
        bool *enabled = xcalloc(bond->n_members + 1, sizeof *enabled);
        int *dp_index = xcalloc(bond->n_members + 1, sizeof *dp_index);
        const struct want *want = NULL;
        uint8_t buckets[DP_BOND_N_BUCKETS];
        struct dp_bond_config dbc;
        const char *why;
        size_t n = 0;

        xb->port_no = 0;
        for (size_t m = 0; m < bond->n_members; m++) {
            const struct bond_member *bm = &bond->members[m];
            const struct iface *iface = iface_find(bm->name);
            const struct want *w = shash_find_data(wants, bm->name);

            dp_index[m] = -1;
            if (!iface || !iface->port_no || iface->reopen || !w
                || w->error) {
                continue;
            }
            want = w;
            dp_index[m] = n;
            port_nos[n] = iface->port_no;
            enabled[n] = bm->enabled;
            n++;
        }
        if (n) {
            switch (bond_get_effective(bond, &why)) {
            case BOND_EFF_ACTIVE_BACKUP:
                dbc.mode = DP_BOND_ACTIVE_BACKUP;
                break;
            case BOND_EFF_BALANCE_SLB:
                dbc.mode = DP_BOND_BALANCE_SLB;
                break;
            case BOND_EFF_DISABLED:
            default:
                dbc.mode = DP_BOND_DISABLED;
                break;
            }
            for (size_t b = 0; b < DP_BOND_N_BUCKETS; b++) {
                uint8_t owner = bond->buckets[b];
                buckets[b] = (owner == BOND_BUCKET_NONE || dp_index[owner] < 0
                              ? DP_BOND_BUCKET_NONE : dp_index[owner]);
            }
            dbc.members = port_nos;
            dbc.enabled = enabled;
            dbc.n_members = n;
            dbc.active = bond->active >= 0 ? dp_index[bond->active] : -1;
            dbc.buckets = buckets;

            int error = dp_config_add_bond(cfg, want->bridge, &want->vlan,
                                          &dbc);
            if (error) {
                VLOG_ERR("bond %s: cannot add to bridge %s (%s)", bond->name,
                         want->bridge, strerror(error));
            } else {
                if (n != xb->n_dp_members
                    || memcmp(port_nos, xb->dp_members,
                              n * sizeof *port_nos)) {
                    /* The datapath's per-bucket sums will be over other
                     * ports from the commit on. */
                    bond_account_restart(xb->bond);
                    free(xb->dp_members);
                    xb->dp_members = xmemdup(port_nos, n * sizeof *port_nos);
                    xb->n_dp_members = n;
                }
                xb->port_no = port_nos[0];
                sig_put(sig, want->bridge, strlen(want->bridge) + 1);
                sig_put(sig, &dbc.mode, sizeof dbc.mode);
                sig_put(sig, &dbc.active, sizeof dbc.active);
                sig_put(sig, &n, sizeof n);
                sig_put(sig, port_nos, n * sizeof *port_nos);
                sig_put(sig, enabled, n * sizeof *enabled);
                sig_put(sig, buckets, sizeof buckets);
                sig_put(sig, &want->vlan, sizeof want->vlan);
            }
        }
        free(port_nos);
        free(enabled);
        free(dp_index);
    }
    free(sorted);
}

/* Once the datapath runs a bond's new active member or buckets, sends
 * learning packets for it, so that the switches upstream learn where our
 * MACs are now (else a MAC that upstream learned on the old link stays
 * unreachable until it talks, or ages out). */
static void
xbonds_send_learning_packets(void)
{
    struct shash_node *node;

    SHASH_FOR_EACH (node, &bonds) {
        struct xbond *xb = node->data;
        size_t n;

        if (xb->send_learning && xb->port_no
            && !dp_bond_send_learning_packets(dp, xb->port_no, &n)) {
            COVERAGE_ADD(bond_learning_packet, n);
            VLOG_DBG("bond %s: sent %zu learning packets", xb->bond->name,
                     n);
        }
        xb->send_learning = false;
    }
}

/* Fills 'wants' (interface name -> struct want *) and 'bridges' (bridge
 * name -> struct want_bridge *) from the replica, and 'row_errors'. */
static void
collect_wants(struct shash *wants, struct shash *bridges)
{
    const struct ovsdb_idl_row *ovs = ovs_row();
    const struct ovsdb_datum *brs = ovs ? row_refs(ovs, ovs_bridges) : NULL;
    struct shash errors = SHASH_INITIALIZER(&errors);
    for (unsigned int b = 0; brs && b < brs->n; b++) {
        const struct ovsdb_idl_row *br = ovsdb_idl_get_row(bridge_table,
                                                           &brs->keys[b].uuid);
        const char *name = br ? ovsdb_idl_row_get_string(br, br_name, NULL)
                              : NULL;
        if (!name || shash_find(bridges, name)) {
            continue;
        }

        struct want_bridge *wb = xzalloc(sizeof *wb);
        wb->idle_time = bridge_config_uint(br, name, "mac-aging-time",
                                           FDB_DEFAULT_IDLE_TIME, 86400 * 365);
        wb->max_macs = bridge_config_uint(br, name, "mac-table-size",
                                          FDB_DEFAULT_MAX_ENTRIES, 1u << 24);
        wb->closed = fail_mode_bridge_closed(br, name);
        wb->forward_bpdu = bridge_config_bool_false(br, name,
                                                    "forward-bpdu");
        shash_add(bridges, name, wb);

        const struct ovsdb_datum *ports = row_refs(br, br_ports);
        for (unsigned int p = 0; p < ports->n; p++) {
            const struct ovsdb_idl_row *port
                = ovsdb_idl_get_row(port_table, &ports->keys[p].uuid);
            if (!port) {
                continue;
            }
            const struct ovsdb_datum *ifs = row_refs(port, port_interfaces);
            const char *port_name_s = ovsdb_idl_row_get_string(port,
                                                               port_name, "");
            const char **members = xcalloc(ifs->n + 1, sizeof *members);
            size_t n_members = 0;
            for (unsigned int i = 0; i < ifs->n; i++) {
                const struct ovsdb_idl_row *row
                    = ovsdb_idl_get_row(iface_table, &ifs->keys[i].uuid);
                const char *ifname = row ? ovsdb_idl_row_get_string(
                                               row, if_name, NULL) : NULL;
                if (!ifname) {
                    continue;
                }
                struct want *other = shash_find_data(wants, ifname);
                if (other) {
                    row_error_add(&errors, row, xasprintf(
                                      "could not add network device %s to "
                                      "bridge %s: the name is already used "
                                      "by an interface of bridge %s",
                                      ifname, name, other->bridge));
                } else {
                    struct want *want = want_create(row, port, name, ifname);

                    want->port = port_name_s;
                    want->bond = ifs->n > 1 ? port_name_s : NULL;
                    shash_add(wants, ifname, want);
                    members[n_members++] = ifname;
                }
            }
            if (ifs->n > 1) {
                xbond_sync(port, name, members, n_members);
            }
            free(members);
        }
    }
    xbonds_sweep();
    shash_destroy_free_data(&row_errors);
    shash_init(&row_errors);    /* Else 'errors' gets freed buckets. */
    hmap_swap(&row_errors.map, &errors.map);
    shash_destroy(&errors);
}

/* ---- Changing the datapath. ---- */

/* Commits the bridges in 'bridges' with every open iface in 'wants' that
 * is not marked 'reopen', unless the datapath runs exactly that already. */
static void
commit_config(const struct shash *wants, const struct shash *bridges)
{
    struct dp_config *cfg = dp_config_create();
    const struct shash_node **sorted = shash_sort(bridges);
    struct sig sig = { NULL, 0, 0 };
    struct iface *iface;
    int error;

    for (size_t i = 0; i < shash_count(bridges); i++) {
        const struct want_bridge *wb = sorted[i]->data;

        dp_config_add_bridge(cfg, sorted[i]->name, wb->idle_time,
                             wb->max_macs);
        if (wb->closed) {
            dp_config_close_bridge(cfg, sorted[i]->name);
        }
        dp_config_set_forward_bpdu(cfg, sorted[i]->name, wb->forward_bpdu);
        sig_put(&sig, sorted[i]->name, strlen(sorted[i]->name) + 1);
        sig_put(&sig, wb, sizeof *wb);
    }
    free(sorted);

    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        const struct want *want = shash_find_data(wants, iface->name);

        if (!iface->port_no || iface->reopen || !want || want->error
            || want->bond) {
            continue;
        }
        error = dp_config_add_port(cfg, want->bridge, iface->port_no,
                                   &want->vlan);
        if (error) {
            VLOG_ERR("%s: cannot add port to bridge %s (%s)", iface->name,
                     want->bridge, strerror(error));
            continue;
        }
        sig_put(&sig, want->bridge, strlen(want->bridge) + 1);
        sig_put(&sig, &iface->port_no, sizeof iface->port_no);
        sig_put(&sig, &want->vlan, sizeof want->vlan);
    }
    commit_bonds(cfg, wants, &sig);

    if (committed_sig && sig.len == committed_sig_len
        && !memcmp(sig.buf, committed_sig, sig.len)) {
        dp_config_destroy(cfg);
        free(sig.buf);
        return;
    }
    error = dp_commit(dp, cfg);
    if (error) {
        VLOG_ERR("cannot commit the datapath configuration (%s)",
                 strerror(error));
        free(sig.buf);
        return;
    }
    COVERAGE_INC(dp_commit);
    free(committed_sig);
    committed_sig = sig.buf;
    committed_sig_len = sig.len;
}

/* Whether the TAP device of 'netdev', named 'name', is in our own network
 * namespace (rather than moved into a container's). */
static bool
tap_in_our_netns(const struct netdev *netdev, const char *name,
                 int *ifindexp)
{
    struct rtnl_link link;
    int ifindex;

    *ifindexp = 0;
    if (netdev_get_ifindex(netdev, &ifindex)
        || rtnl_link_get_by_name(name, &link)
        || strcmp(link.kind, "tun") || link.ifindex != ifindex) {
        return false;
    }
    *ifindexp = ifindex;
    return true;
}

static void
iface_close(struct iface *iface, bool delete_device)
{
    int local_ifindex = 0;
    bool local = false;

    if (!iface->port_no) {
        return;
    }
    delete_device = delete_device && iface->kind == IFACE_TAP;
    if (delete_device) {
        struct netdev *netdev = dp_port_get_netdev(dp, iface->port_no);
        int error = netdev ? netdev_tap_unpersist(netdev) : ENOENT;
        if (error) {
            VLOG_WARN("%s: cannot make the TAP device non-persistent (%s)",
                      iface->name, strerror(error));
        }
        local = netdev && tap_in_our_netns(netdev, iface->name,
                                           &local_ifindex);
    }
    int error = dp_port_del(dp, iface->port_no);
    if (error) {
        VLOG_ERR("%s: cannot remove port %"PRIu32" from the datapath (%s)",
                 iface->name, iface->port_no, strerror(error));
    }
    if (delete_device) {
        /* A non-persistent TAP goes when the last reference to its file
         * does, and a forwarding thread's poll() may still hold one for
         * a moment: delete it now, so that it is gone by the time cur_cfg
         * tells ovs-vsctl that the port is.  (Looking in our namespace
         * is cheap; finding one moved into a container means searching
         * them all.) */
        char owner[UUID_LEN + 1];
        db_owner(owner);
        error = (local
                 ? rtnl_link_delete(local_ifindex)
                 : netdev_tap_delete(iface->name, owner));
        if (error && error != ENODEV) {
            VLOG_WARN("%s: cannot delete the TAP device (%s)", iface->name,
                      strerror(error));
        }
    }
    iface->dirty = true;
    COVERAGE_INC(iface_close);
    VLOG_INFO("%s: %s", iface->name,
              delete_device ? "removed, TAP device deleted" : "closed");
    hmap_remove(&ifaces_by_port_no, &iface->port_no_node);
    iface->port_no = 0;
    free(iface->fallback_reason);
    iface->fallback_reason = NULL;
    free(iface->mtu_error);
    iface->mtu_error = NULL;
}

/* Sets the MTU of system device 'name' (in our namespace), attached
 * through 'netdev', to 'mtu_s'.  Above what the driver carries, the device
 * gets the most the driver carries: the largest MTU asked for that the
 * port really carries, and what Interface 'mtu' then says.
 * Returns NULL, or why the MTU is not 'mtu_s' (for Interface 'error'; the
 * caller frees it). */
static char *
system_set_mtu(const char *name, const struct netdev *netdev,
               const char *mtu_s)
{
    int max_mtu = netdev_get_max_mtu(netdev);
    struct rtnl_link link;
    char *end;
    long mtu = strtol(mtu_s, &end, 10);
    char *why = NULL;
    int error;

    if (*end || mtu < 68 || mtu > 65535) {
        return xasprintf("%s: mtu_request %s is not a valid MTU", name,
                         mtu_s);
    }
    if (max_mtu && mtu > max_mtu) {
        why = xasprintf("%s: mtu_request %ld not applied: this %s port "
                        "carries an MTU of at most %d, so the MTU is %d",
                        name, mtu, netdev_get_type(netdev), max_mtu,
                        max_mtu);
        mtu = max_mtu;
    }
    error = rtnl_link_get_by_name(name, &link);
    if (!error && link.mtu != (unsigned int) mtu) {
        error = rtnl_link_set_mtu(link.ifindex, mtu);
    }
    if (error) {
        free(why);
        return xasprintf("%s: cannot set MTU %ld (%s)", name, mtu,
                         strerror(error));
    }
    return why;
}

/* Opens 'iface' as 'want' says and adds it to the datapath.  Returns true
 * if it failed in a way that is worth retrying soon. */
static bool
iface_open(struct iface *iface, const struct want *want)
{
    struct netdev *netdev = NULL;
    char *message = NULL;
    int error;

    iface->kind = want->kind;
    iface->dirty = true;
    if (want->kind == IFACE_SYSTEM && !swept) {
        bool removed = false;
        if (!netdev_afxdp_remove_stale_prog(iface->name, &removed)
            && removed) {
            VLOG_INFO("%s: removed a stale XDP program", iface->name);
        }
    }
    error = netdev_open(iface_kind_to_type(want->kind), iface->name,
                        &want->options, &netdev, &message);
    if (!error) {
        const char *reason = netdev_get_fallback_reason(netdev);
        uint32_t port_no = 0;

        free(iface->fallback_reason);
        iface->fallback_reason = reason ? xstrdup(reason) : NULL;
        error = dp_port_add(dp, netdev, &port_no);   /* Takes 'netdev'. */
        if (error) {
            message = xasprintf("%s: cannot add to the datapath (%s)",
                                iface->name, strerror(error));
        } else {
            iface->port_no = port_no;
            hmap_insert(&ifaces_by_port_no, &iface->port_no_node,
                        hash_int(port_no, 0));
        }
    }

    if (error) {
        if (!message || !*message) {
            free(message);
            message = xasprintf("could not open network device %s (%s)",
                                iface->name, strerror(error));
        }
        /* A TAP device we have just closed may stay attached to the old
         * file for a moment, until no thread polls that file any more:
         * try again shortly rather than wait for an event that never
         * comes.  (The OpenFlow port number stays reserved meanwhile.) */
        bool again = (error == EBUSY
                      && iface->busy_retries++ < MAX_BUSY_RETRIES);
        COVERAGE_INC(iface_open_error);
        if (again) {
            VLOG_DBG("%s (retrying)", message);
        } else {
            if (!iface->error || strcmp(iface->error, message)) {
                VLOG_WARN("%s", message);
            }
            iface_set_error(iface, message);
        }
        free(message);
        return again;
    }
    iface->busy_retries = 0;
    COVERAGE_INC(iface_open);

    if (want->kind != IFACE_TAP) {
        const char *mtu = shash_find_data(&want->options, "mtu_request");
        free(iface->mtu_error);
        iface->mtu_error = (mtu
                            ? system_set_mtu(iface->name,
                                             dp_port_get_netdev(
                                                 dp, iface->port_no), mtu)
                            : NULL);
        if (iface->mtu_error) {
            VLOG_WARN("%s", iface->mtu_error);
        }
    }
    iface_set_error(iface, NULL);
    free(iface->config);
    iface->config = xstrdup(want->config);
    iface_assign_ofport(iface, want->ofport_hint, want->ofport_request);
    VLOG_INFO("%s: attached to bridge %s as port %"PRId64" (%s%s%s)",
              iface->name, iface->bridge, iface->ofport,
              netdev_get_type(dp_port_get_netdev(dp, iface->port_no)),
              iface->fallback_reason ? ": " : "",
              iface->fallback_reason ? iface->fallback_reason : "");
    return false;
}

/* Deletes the TAP devices a previous xsw-switchd on this database left
 * that the configuration no longer has, in whatever namespace they are.
 * Devices of other databases are not ours; those an older xsw left without
 * naming their database may be another switch's, so they stay (said once):
 * the database adopts one by configuring its name again. */
static void
sweep_stale_taps(const struct shash *wants)
{
    struct shash keep = SHASH_INITIALIZER(&keep);
    struct shash stale = SHASH_INITIALIZER(&stale);
    struct shash legacy = SHASH_INITIALIZER(&legacy);
    char owner[UUID_LEN + 1];
    struct shash_node *node;
    int error;

    db_owner(owner);
    SHASH_FOR_EACH (node, wants) {
        const struct want *want = node->data;
        if (want->kind == IFACE_TAP) {
            shash_add(&keep, node->name, NULL);
        }
    }
    error = netdev_tap_list_stale(owner, &keep, &stale, &legacy);
    shash_destroy(&keep);
    if (error) {
        VLOG_WARN("cannot list stale TAP devices (%s)", strerror(error));
    }
    SHASH_FOR_EACH (node, &stale) {
        error = netdev_tap_delete(node->name, owner);
        if (error) {
            VLOG_WARN("%s: cannot delete stale TAP device (%s)", node->name,
                      strerror(error));
        } else {
            VLOG_INFO("%s: deleted stale TAP device", node->name);
        }
    }
    SHASH_FOR_EACH (node, &legacy) {
        VLOG_INFO("%s: TAP device of an older xsw-switchd, which did not "
                  "mark its database: left alone (delete it with \"ip link "
                  "del\" if no switch uses it)", node->name);
    }
    shash_destroy(&stale);
    shash_destroy(&legacy);
}

static void
reconfigure(void)
{
    struct shash wants = SHASH_INITIALIZER(&wants);
    struct shash bridges = SHASH_INITIALIZER(&bridges);
    const struct ovsdb_idl_row *ovs = ovs_row();
    struct iface *iface, *next;
    bool closing = false;
    bool retry_soon = false;

    COVERAGE_INC(bridge_reconfigure);
    apply_datapath_config(ovs);
    collect_wants(&wants, &bridges);
    if (report_run()) {
        state_all = true;       /* Some row's report changed. */
    }

    /* Phase 1: take out what goes away or must be reopened. */
    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        const struct want *want = shash_find_data(&wants, iface->name);

        if (iface->port_no
            && (!want || want->error || iface->reopen
                || strcmp(iface->config, want->config)
                || iface->kind != want->kind)) {
            iface->reopen = true;
            closing = true;
        }
    }
    if (closing) {
        commit_config(&wants, &bridges);
    }
    HMAP_FOR_EACH_SAFE (iface, next, name_node, &ifaces) {
        const struct want *want = shash_find_data(&wants, iface->name);

        if (iface->reopen) {
            /* A TAP device goes with its Interface, or when it becomes
             * another type; a reopened one is only re-attached. */
            iface_close(iface, !want || want->kind != IFACE_TAP);
            iface->retry = true;
            iface->busy_retries = 0;
            iface->reopen = false;
        }
        if (!want) {
            iface_destroy(iface);
        }
    }

    if (!swept && ovs) {
        sweep_stale_taps(&wants);
    }

    /* Phase 2: open what is new, reopened, or whose device appeared. */
    struct shash_node *node;
    SHASH_FOR_EACH (node, &wants) {
        struct want *want = node->data;

        iface = iface_find(want->name);
        if (!iface) {
            iface = iface_create(want->name, want->bridge);
        }
        if (!uuid_equals(&iface->uuid, ovsdb_idl_row_get_uuid(want->row))) {
            iface->uuid = *ovsdb_idl_row_get_uuid(want->row);
            iface->dirty = true;
        }
        if (!iface->port || strcmp(iface->port, want->port)) {
            free(iface->port);
            iface->port = xstrdup(want->port);
        }
        if (strcmp(iface->bridge, want->bridge)) {
            iface->dirty = true;
            iface_release_ofport(iface);
            free(iface->bridge);
            iface->bridge = xstrdup(want->bridge);
        }
        if (want->error) {
            if (!iface->error || strcmp(iface->error, want->error)) {
                VLOG_WARN("%s", want->error);
            }
            iface->dirty = true;
            iface->retry = false;
            iface_set_error(iface, want->error);
            free(iface->config);
            iface->config = NULL;
            continue;
        }
        bool again = false;
        if (!iface->port_no
            && (iface->retry || !iface->config
                || strcmp(iface->config, want->config))) {
            again = iface_open(iface, want);
            if (!iface->port_no) {
                /* Remember what failed, so that only a change or a device
                 * event makes us try again. */
                free(iface->config);
                iface->config = xstrdup(want->config);
            }
        }
        iface->retry = again;
        retry_soon |= again;
        if (iface->port_no) {
            iface_assign_ofport(iface, want->ofport_hint,
                                want->ofport_request);
        }
    }
    swept = true;

    xbonds_run();
    commit_config(&wants, &bridges);
    xbonds_send_learning_packets();
    if (retry_soon) {
        /* The configuration is not in place yet: cur_cfg waits. */
        force_reconfigure = true;
        schedule_run(BUSY_RETRY_MS);
    } else {
        done_cfg = (ovs ? ovsdb_idl_row_get_integer(ovs, ovs_next_cfg, 0)
                    : -1);
    }
    wants_destroy(&wants);
    shash_destroy_free_data(&bridges);
}

/* ---- Writing state back. ---- */

static void
iface_get_state(const struct iface *iface, struct iface_state *state)
{
    struct netdev *netdev = (iface->port_no
                             ? dp_port_get_netdev(dp, iface->port_no)
                             : NULL);

    iface_state_init(state);
    state->error = iface->error ? xstrdup(iface->error) : NULL;

    /* A member of a bond that forwards nothing says why. */
    const struct xbond *xb = xbond_of_member(iface->name);
    const char *why;
    if (!state->error && xb
        && bond_get_effective(xb->bond, &why) == BOND_EFF_DISABLED) {
        state->error = xasprintf("port %s: %s", xb->bond->name, why);
    }
    /* Settings it does not apply, unless it has a worse problem. */
    const char *report = report_get_interface(&iface->uuid);
    if (!state->error && report) {
        state->error = xstrdup(report);
    }
    if (!netdev) {
        return;
    }

    struct dp_port_stats dps;
    struct netdev_stats ns;
    bool up = false;
    int ifindex = 0, mtu = 0;

    state->attached = true;
    state->ofport = iface->ofport;
    state->has_mac = !netdev_get_etheraddr(netdev, &state->mac);
    state->has_ifindex = !netdev_get_ifindex(netdev, &ifindex);
    state->ifindex = ifindex;
    state->has_mtu = !netdev_get_mtu(netdev, &mtu);
    state->mtu = mtu;
    /* An MTU the port does not carry, after whatever else is said. */
    int max_mtu = netdev_get_max_mtu(netdev);
    char *mtu_why = NULL;
    if (iface->mtu_error) {
        mtu_why = xstrdup(iface->mtu_error);
    } else if (max_mtu && state->has_mtu && mtu > max_mtu) {
        /* Set so by someone else: frames it lets through may not fit. */
        mtu_why = xasprintf("%s: MTU %d is more than this %s port carries "
                            "(%d): larger frames are dropped", iface->name,
                            mtu, netdev_get_type(netdev), max_mtu);
    }
    if (mtu_why && state->error) {
        char *both = xasprintf("%s; %s", state->error, mtu_why);
        free(state->error);
        free(mtu_why);
        state->error = both;
    } else if (mtu_why) {
        state->error = mtu_why;
    }
    if (!netdev_get_link_state(netdev, &up)) {
        state->link_state = up ? "up" : "down";
    }

    /* The administrative state comes from the driver where the device may
     * have moved into a container (a TAP device: read in the namespace it
     * is in now, where a device of the same name in ours would be another
     * one); the others' devices stay here and are asked by name. */
    struct rtnl_link link;
    bool admin_up;
    if (!netdev_get_admin_state(netdev, &admin_up)) {
        state->admin_state = admin_up ? "up" : "down";
    } else if (up) {
        state->admin_state = "up";
    } else if (!rtnl_link_get_by_name(iface->name, &link)) {
        state->admin_state = link.flags & IFF_UP ? "up" : "down";
    } else if (state->link_state) {
        state->admin_state = "down";
    }

    memset(&dps, 0, sizeof dps);
    dp_port_get_stats(dp, iface->port_no, &dps);
    netdev_get_stats(netdev, &ns);
    state->stats.rx_packets = dps.rx_packets;
    state->stats.rx_bytes = dps.rx_bytes;
    state->stats.tx_packets = dps.tx_packets;
    state->stats.tx_bytes = dps.tx_bytes;
    state->stats.rx_dropped = dps.rx_dropped + ns.rx_dropped;
    state->stats.tx_dropped = dps.tx_dropped + ns.tx_dropped;
    state->stats.rx_errors = dps.rx_errors + ns.rx_errors;
    state->stats.tx_errors = dps.tx_errors + ns.tx_errors;

    iface_state_add_status(state, "driver_name", netdev_get_type(netdev));
    const char *mode = netdev_get_mode(netdev);
    if (mode && !strcmp(netdev_get_type(netdev), "afxdp")) {
        iface_state_add_status(state, "xdp-mode", mode);
        iface_state_add_status(state, "tx_csum_offload",
                               netdev_afxdp_get_tx_csum(netdev));
        iface_state_add_status(state, "jumbo_frames",
                               netdev_afxdp_get_jumbo(netdev));
    }
    if (iface->fallback_reason) {
        iface_state_add_status(state, "fallback_reason",
                               iface->fallback_reason);
    }
}

/* Port.status keys xsw-switchd writes for a bond that does not do what
 * its bond_mode says (LACP without a partner, balance-tcp without LACP). */
#define BOND_STATUS_MODE "bond_effective_mode"
#define BOND_STATUS_REASON "bond_effective_mode_reason"

/* Writes Port 'row''s status: its keys other than the bond's as they are,
 * plus the bond's if 'mode' is nonnull. */
static unsigned int
write_port_status(const struct ovsdb_idl_row *row, const char *mode,
                  const char *reason)
{
    static const char *const keys[] = { BOND_STATUS_MODE,
                                        BOND_STATUS_REASON };
    struct shash values = SHASH_INITIALIZER(&values);
    unsigned int n;

    if (mode) {
        shash_add(&values, BOND_STATUS_MODE, mode);
        shash_add(&values, BOND_STATUS_REASON, reason);
    }
    n = iface_state_write_owned_keys(row, port_status, keys, ARRAY_SIZE(keys),
                                     &values);
    shash_destroy(&values);
    return n;
}

/* Writes the Port columns of the bonds: bond_active_slave, the active
 * member's MAC as Open vSwitch writes it (all-zeros if there is none), and
 * status; and clears our status keys from Ports that are no bonds now. */
static void
write_bond_state(unsigned int *n)
{
    const struct ovsdb_idl_row *row;
    struct shash_node *node;

    SHASH_FOR_EACH (node, &bonds) {
        const struct xbond *xb = node->data;
        const struct bond *bond = xb->bond;
        const struct bond_member *active = (bond->active >= 0
                                            ? &bond->members[bond->active]
                                            : NULL);
        uint8_t mac[6] = { 0 };
        char mac_s[18];
        const char *strings[1] = { mac_s };
        struct ovsdb_datum datum;
        const char *why;

        row = ovsdb_idl_get_row(port_table, &xb->port_uuid);
        if (!row) {
            continue;
        }
        if (active && active->has_mac) {
            memcpy(mac, active->mac.ea, sizeof mac);
        }
        snprintf(mac_s, sizeof mac_s, "%02x:%02x:%02x:%02x:%02x:%02x",
                 mac[0], mac[1], mac[2], mac[3], mac[4], mac[5]);
        if (ovsdb_idl_column_get_type(port_bond_active_slave)) {
            iface_state_string_set(&datum, strings, 1);
            *n += iface_state_write_if_changed(row, port_bond_active_slave,
                                               &datum);
        }
        enum bond_effective eff = bond_get_effective(bond, &why);
        *n += write_port_status(row, (!why ? NULL
                                      : eff == BOND_EFF_DISABLED ? "disabled"
                                      : "active-backup"), why);
    }
    OVSDB_IDL_FOR_EACH_ROW (row, port_table) {
        const char *name = ovsdb_idl_row_get_string(row, port_name, "");
        if (!shash_find(&bonds, name)
            && ovsdb_idl_row_get_map_string(row, port_status,
                                            BOND_STATUS_MODE, NULL)) {
            *n += write_port_status(row, NULL, NULL);
        }
    }
}

static void
write_ovs_state(const struct ovsdb_idl_row *ovs, unsigned int *n)
{
    static const char *const iface_types[] = {
        "afpacket", "afxdp", "afxdp-nonpmd", "internal", "system", "tap",
    };
    static const char *const datapath_types[] = { "netdev", "system" };
    struct ovsdb_datum datum;

    /* Columns the server's schema lacks are not replicated (type NULL)
     * and must not be written. */
    if (ovsdb_idl_column_get_type(ovs_iface_types)) {
        iface_state_string_set(&datum, iface_types,
                               ARRAY_SIZE(iface_types));
        *n += iface_state_write_if_changed(ovs, ovs_iface_types, &datum);
    }
    if (ovsdb_idl_column_get_type(ovs_datapath_types)) {
        iface_state_string_set(&datum, datapath_types,
                               ARRAY_SIZE(datapath_types));
        *n += iface_state_write_if_changed(ovs, ovs_datapath_types,
                                           &datum);
    }
    if (done_cfg >= 0 && ovsdb_idl_column_get_type(ovs_cur_cfg)
        && ovsdb_idl_row_get_integer(ovs, ovs_cur_cfg, 0) != done_cfg) {
        ovsdb_idl_txn_write_integer(ovs, ovs_cur_cfg, done_cfg);
        ++*n;
    }
}

static void
state_txn_done(struct ovsdb_idl_txn *txn, enum ovsdb_idl_txn_status status,
               void *aux OVS_UNUSED)
{
    static struct vlog_rate_limit rl = VLOG_RATE_LIMIT_INIT(5, 20);

    if (status != OVSDB_IDL_TXN_SUCCESS) {
        const char *error = ovsdb_idl_txn_get_error(txn);

        COVERAGE_INC(state_txn_error);
        VLOG_WARN_RL(&rl, "writing state to the database: %s%s%s",
                     ovsdb_idl_txn_status_to_string(status),
                     error ? ": " : "", error ? error : "");
        /* Which columns made it is unknown: write them all again. */
        state_pending = state_all = true;
        schedule_run(status == OVSDB_IDL_TXN_TRY_AGAIN ? 100
                     : RETRY_INTERVAL_MS);
    } else if (state_pending) {
        schedule_run(0);
    }
    ovsdb_idl_txn_destroy(txn);
}

/* Writes the changed state columns of every interface (if 'all') or of
 * those marked dirty, and cur_cfg, in one transaction. */
static void
write_state(bool all)
{
    const struct ovsdb_idl_row *ovs = ovs_row();
    struct ovsdb_idl_txn *txn;
    struct shash_node *node;
    struct iface *iface;
    unsigned int n = 0;

    if (ovsdb_idl_get_txn(idl)) {
        /* state_txn_done() comes back here. */
        state_pending = true;
        state_all |= all;
        return;
    }
    all |= state_all;
    state_pending = state_all = false;
    txn = ovsdb_idl_txn_create(idl);
    if (ovs) {
        write_ovs_state(ovs, &n);
    }
    write_bond_state(&n);
    n += fail_mode_write_status();
    n += report_write_status();
    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        const struct ovsdb_idl_row *row = ovsdb_idl_get_row(iface_table,
                                                            &iface->uuid);
        struct iface_state state;

        /* One about to be retried would only show a passing state. */
        if (row && (all || iface->dirty) && !iface->retry) {
            iface->dirty = false;
            iface_get_state(iface, &state);
            n += iface_state_write(&state, row);
            iface_state_destroy(&state);
        }
    }
    SHASH_FOR_EACH (node, &row_errors) {
        const struct ovsdb_idl_row *row;
        struct iface_state state;
        struct uuid uuid;

        if (uuid_from_string(&uuid, node->name)
            && (row = ovsdb_idl_get_row(iface_table, &uuid))) {
            iface_state_init(&state);
            state.error = xstrdup(node->data);
            n += iface_state_write(&state, row);
            iface_state_destroy(&state);
        }
    }

    if (!n) {
        ovsdb_idl_txn_destroy(txn);
        return;
    }
    ovsdb_idl_txn_set_done_cb(txn, state_txn_done, NULL);
    COVERAGE_INC(state_txn);
    enum ovsdb_idl_txn_status status = ovsdb_idl_txn_commit(txn);
    if (status != OVSDB_IDL_TXN_INCOMPLETE) {
        if (status != OVSDB_IDL_TXN_UNCHANGED
            && status != OVSDB_IDL_TXN_SUCCESS) {
            state_pending = state_all = true;
            schedule_run(RETRY_INTERVAL_MS);
        }
        ovsdb_idl_txn_destroy(txn);
    }
}

/* ---- Running. ---- */

static bool tap_is_alive(const struct iface *);

/* A TAP device moved into a container dies with the container's
 * namespace, and no event reaches our namespace then: finds such ports
 * (periodically) and marks them for reopening, which creates the device
 * again.  Returns true if it found any. */
static bool
check_taps(void)
{
    struct iface *iface;
    bool found = false;

    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        if (iface->port_no && iface->kind == IFACE_TAP
            && !tap_is_alive(iface)) {
            VLOG_INFO("%s: TAP device was deleted, creating it again",
                      iface->name);
            COVERAGE_INC(tap_recreate);
            iface->reopen = force_reconfigure = found = true;
        }
    }
    return found;
}

static void
bridge_run(void)
{
    if (!idl || !ovsdb_idl_is_synced(idl)) {
        return;
    }
    if (!ovsdb_idl_has_lock(idl)) {
        if (ovsdb_idl_is_lock_contended(idl) && !lock_warned) {
            VLOG_WARN("another xsw-switchd holds the database lock \"%s\" "
                      "and manages this host; waiting for it to exit",
                      BRIDGE_DB_LOCK);
            lock_warned = true;
        } else if (had_lock) {
            VLOG_WARN("lost the database lock \"%s\"; the datapath is left "
                      "as it is until the lock is back", BRIDGE_DB_LOCK);
        }
        had_lock = false;
        return;
    }
    if (!had_lock) {
        VLOG_INFO("acquired the database lock \"%s\": managing the "
                  "datapath", BRIDGE_DB_LOCK);
        had_lock = true;
        lock_warned = false;
        force_reconfigure = state_all = true;
    }

    /* After a reconnect the server may hold another database: write our
     * state in full again. */
    static unsigned int conn_seqno;
    if (ovsdb_idl_get_connection_seqno(idl) != conn_seqno) {
        conn_seqno = ovsdb_idl_get_connection_seqno(idl);
        force_reconfigure = state_all = true;
    }

    /* A bond member's link changed, or a delay ended: a new datapath
     * configuration if that changes anything. */
    if (bonds_pending || dp_time_msec() >= bonds_next_msec) {
        if (xbonds_run()) {
            force_reconfigure = true;
        }
        state_pending = true;
    } else if (bonds_next_msec != LLONG_MAX) {
        /* libuv's timer may fire a millisecond or two before the coarse
         * clock reaches the deadline: then wait for the rest. */
        schedule_run(MAX(1, bonds_next_msec - dp_time_msec()));
    }

    uint64_t seqno = ovsdb_idl_get_seqno(idl);
    bool reconfigured = false;
    if (seqno != reconfigured_seqno || force_reconfigure) {
        long long int start = dp_time_msec();

        reconfigured_seqno = seqno;
        force_reconfigure = false;
        reconfigure();
        reconfigured = true;
        VLOG_DBG("reconfigured for next_cfg %"PRId64" in %lld ms", done_cfg,
                 dp_time_msec() - start);
    }

    long long int now = dp_time_msec();
    if (now - last_stats_msec >= STATS_INTERVAL_MS) {
        if (check_taps()) {
            schedule_run(0);
        }
        last_stats_msec = now;
        write_state(true);
        VLOG_DBG("refreshed all state in %lld ms", dp_time_msec() - now);
    } else if (reconfigured || state_pending) {
        write_state(false);
    }
}

static void
run_timer_cb(uv_timer_t *timer OVS_UNUSED)
{
    bridge_run();
}

static void
schedule_run(uint64_t delay_ms)
{
    if (uv_is_active((uv_handle_t *) &run_timer)
        && uv_timer_get_due_in(&run_timer) <= delay_ms) {
        return;
    }
    uv_timer_start(&run_timer, run_timer_cb, delay_ms, 0);
}

static void
idl_changed(struct ovsdb_idl *idl_ OVS_UNUSED, void *aux OVS_UNUSED)
{
    /* Reconfigure at once: ovs-vsctl is waiting for cur_cfg. */
    bridge_run();
}

static void
tick_cb(uv_timer_t *timer OVS_UNUSED)
{
    dp_run(dp);
    if (dp_time_msec() - last_stats_msec >= STATS_INTERVAL_MS) {
        bridge_run();
    }
}

/* Whether the TAP device of open 'iface' still exists somewhere: the
 * driver asks the kernel through the device's own fd, which fails once
 * the device has been deleted (the fd is then detached). */
static bool
tap_is_alive(const struct iface *iface)
{
    struct netdev *netdev = dp_port_get_netdev(dp, iface->port_no);
    int ifindex;

    return netdev && !netdev_get_ifindex(netdev, &ifindex);
}

static void
rtnl_cb(uv_poll_t *poll OVS_UNUSED, int status, int events OVS_UNUSED)
{
    struct rtnl_link_event event;
    bool changed = false;

    if (status < 0) {
        VLOG_WARN("rtnetlink monitor: %s", uv_strerror(status));
        return;
    }
    while (!rtnl_monitor_recv(rtnl, &event)) {
        struct iface *iface = iface_find(event.link.name);

        if (!iface) {
            continue;
        }
        COVERAGE_INC(rtnl_event);
        VLOG_DBG("%s: device %s", iface->name,
                 rtnl_link_event_type_to_string(event.type));
        if (xbond_of_member(iface->name)) {
            bonds_pending = true;
        }
        switch (event.type) {
        case RTNL_LINK_APPEARED:
            if (!iface->port_no) {
                iface->retry = force_reconfigure = true;
            }
            break;
        case RTNL_LINK_DISAPPEARED:
            if (!iface->port_no) {
                /* A device whose name clashed may be gone. */
                iface->retry = force_reconfigure = true;
            } else if (iface->kind != IFACE_TAP || !tap_is_alive(iface)) {
                /* A system device is gone, and reopening it says so in
                 * 'error'.  A TAP device that disappears from our
                 * namespace was usually moved into a container and keeps
                 * working, unless an administrator deleted it: then
                 * reopening creates it again. */
                iface->reopen = force_reconfigure = true;
            } else {
                iface->dirty = state_pending = true;
            }
            break;
        case RTNL_LINK_CHANGED:
        default:
            iface->dirty = state_pending = true;
            break;
        }
        changed = true;
    }
    if (changed) {
        schedule_run(0);
    }
}

/* ---- Control commands. ---- */

static void
format_ofport(char *buf, size_t size, int64_t ofport)
{
    if (ofport == OFPORT_LOCAL) {
        snprintf(buf, size, "LOCAL");
    } else {
        snprintf(buf, size, "%"PRId64, ofport);
    }
}

static void
fdb_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
             const char *argv[], void *aux OVS_UNUSED)
{
    struct fdb_entry_info *entries;
    size_t n, size;
    char *text;
    FILE *f;

    if (dp_fdb_dump(dp, argv[1], &entries, &n)) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    f = open_memstream(&text, &size);
    fputs(" port  VLAN  MAC                Age\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct fdb_entry_info *e = &entries[i];
        const struct iface *iface = iface_find_by_port_no(e->port_no);
        char port[16];

        if (iface) {
            format_ofport(port, sizeof port, iface->ofport);
        } else {
            snprintf(port, sizeof port, "?");
        }
        fprintf(f, "%5s  %4d  %02x:%02x:%02x:%02x:%02x:%02x  %3u\n",
                port, e->vlan, e->mac.ea[0], e->mac.ea[1], e->mac.ea[2],
                e->mac.ea[3], e->mac.ea[4], e->mac.ea[5], e->age);
    }
    fclose(f);
    unixctl_command_reply(conn, text);
    free(text);
    free(entries);
}

/* "fdb/stats-show BRIDGE", as Open vSwitch 3.1 prints it.  xsw has no
 * static MAC entries. */
static void
fdb_stats_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                   const char *argv[], void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct fdb_stats s;

    if (dp_fdb_get_stats(dp, argv[1], &s)) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    ds_put_format(&ds, "Statistics for bridge \"%s\":\n", argv[1]);
    ds_put_format(&ds, "  Current/maximum MAC entries in the table: %zu/%zu\n",
                  s.n_entries, s.max_entries);
    ds_put_format(&ds, "  Current static MAC entries in the table : 0\n");
    ds_put_format(&ds, "  Total number of learned MAC entries     : %"PRIu64
                  "\n", s.n_learned);
    ds_put_format(&ds, "  Total number of expired MAC entries     : %"PRIu64
                  "\n", s.n_expired);
    ds_put_format(&ds, "  Total number of evicted MAC entries     : %"PRIu64
                  "\n", s.n_evicted);
    ds_put_format(&ds, "  Total number of port moved MAC entries  : %"PRIu64
                  "\n", s.n_moved);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

/* "memory/show": what xsw-switchd holds, as Open vSwitch's memory/show
 * prints it ("name:count" pairs, by name): bonds, bridges, forwarding
 * threads, rows replicated from the database, learned MACs and ports
 * attached to the datapath. */
static void
memory_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ovsdb_idl_table *tables[] = { ovs_table, bridge_table, port_table,
                                         iface_table };
    const struct ovsdb_idl_row *row;
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t n_bridges = 0, n_macs = 0, n_ports = 0, n_rows = 0;
    const struct iface *iface;

    OVSDB_IDL_FOR_EACH_ROW (row, bridge_table) {
        const char *name = ovsdb_idl_row_get_string(row, br_name, NULL);
        struct fdb_stats s;

        if (name && !dp_fdb_get_stats(dp, name, &s)) {
            n_bridges++;
            n_macs += s.n_entries;
        }
    }
    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        n_ports += iface->port_no != 0;
    }
    for (size_t i = 0; i < ARRAY_SIZE(tables); i++) {
        n_rows += ovsdb_idl_count_rows(tables[i]);
    }
    ds_put_format(&ds, "bonds:%zu bridges:%zu forwarding-threads:%u "
                  "idl-rows-Open_vSwitch:%zu mac-entries:%zu ports:%zu\n",
                  shash_count(&bonds), n_bridges, dp_n_threads, n_rows,
                  n_macs, n_ports);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

static void
fdb_flush_cmd(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    if (dp_fdb_flush(dp, argc > 1 ? argv[1] : NULL)) {
        unixctl_command_reply_error(conn, "no such bridge");
        return;
    }
    COVERAGE_INC(fdb_flush);
    unixctl_command_reply(conn, "table successfully flushed");
}

static int
compare_ports(const void *a_, const void *b_)
{
    const struct iface *const *a = a_;
    const struct iface *const *b = b_;
    int c = strcmp((*a)->bridge, (*b)->bridge);

    return c ? c : strcmp((*a)->name, (*b)->name);
}

static void
dpif_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    size_t n = 0, size;
    struct iface **ports = xcalloc(hmap_count(&ifaces) + 1, sizeof *ports);
    const char *bridge = NULL;
    struct iface *iface;
    char *text;
    FILE *f;

    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        ports[n++] = iface;
    }
    qsort(ports, n, sizeof *ports, compare_ports);

    f = open_memstream(&text, &size);
    fputs("xsw@xsw-netdev:\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct iface *p = ports[i];
        struct netdev *netdev = (p->port_no
                                 ? dp_port_get_netdev(dp, p->port_no) : NULL);
        char ofport[16];

        if (!bridge || strcmp(bridge, p->bridge)) {
            bridge = p->bridge;
            fprintf(f, "  %s:\n", bridge);
        }
        if (!netdev) {
            fprintf(f, "    %s: (not attached: %s)\n", p->name,
                    p->error ? p->error : "not configured");
            continue;
        }

        const char *mode = netdev_get_mode(netdev);
        struct dp_port_stats s;

        /* As ovs-vswitchd's dpif/show: by name, the OpenFlow port as a
         * number, the port's configuration as KEY=VALUE. */
        snprintf(ofport, sizeof ofport, "%"PRId64, p->ofport);
        fprintf(f, "    %s %s/%"PRIu32": (%s", p->name, ofport, p->port_no,
                netdev_get_type(netdev));
        if (mode) {
            fprintf(f, ": xdp-mode=%s", mode);
        }
        if (p->fallback_reason) {
            fprintf(f, "%c fallback_reason=%s", mode ? ',' : ':',
                    p->fallback_reason);
        }
        fputs(")\n", f);
        memset(&s, 0, sizeof s);
        dp_port_get_stats(dp, p->port_no, &s);
        fprintf(f, "      RX packets:%"PRIu64" bytes:%"PRIu64" dropped:%"
                PRIu64" errors:%"PRIu64"\n", s.rx_packets, s.rx_bytes,
                s.rx_dropped, s.rx_errors);
        fprintf(f, "      TX packets:%"PRIu64" bytes:%"PRIu64" dropped:%"
                PRIu64" errors:%"PRIu64"\n", s.tx_packets, s.tx_bytes,
                s.tx_dropped, s.tx_errors);
    }
    fclose(f);
    free(ports);
    unixctl_command_reply(conn, text);
    free(text);
}

static void
bond_show_cmd(struct unixctl_conn *conn, int argc, const char *argv[],
              void *aux OVS_UNUSED)
{
    const struct shash_node **sorted;
    long long int now = dp_time_msec();
    size_t size, n = 0;
    char *text;
    FILE *f;

    if (argc > 1 && !shash_find(&bonds, argv[1])) {
        unixctl_command_reply_error(conn, "no such bond");
        return;
    }
    sorted = shash_sort(&bonds);
    f = open_memstream(&text, &size);
    for (size_t i = 0; i < shash_count(&bonds); i++) {
        const struct xbond *xb = sorted[i]->data;

        if (argc > 1 && strcmp(sorted[i]->name, argv[1])) {
            continue;
        }
        if (n++) {
            fputc('\n', f);
        }
        /* The loads as of now, not as of the last rebalancing. */
        xbond_account(sorted[i]->data);
        bond_format(xb->bond, now, f);
    }
    fclose(f);
    free(sorted);
    unixctl_command_reply(conn, text);
    free(text);
}

static void
bond_list_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
              const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    const struct shash_node **sorted = shash_sort(&bonds);
    const struct bond **list = xcalloc(shash_count(&bonds) + 1,
                                       sizeof *list);
    size_t size;
    char *text;
    FILE *f;

    for (size_t i = 0; i < shash_count(&bonds); i++) {
        const struct xbond *xb = sorted[i]->data;
        list[i] = xb->bond;
    }
    f = open_memstream(&text, &size);
    bond_format_list(list, shash_count(&bonds), f);
    fclose(f);
    free(list);
    free(sorted);
    unixctl_command_reply(conn, text);
    free(text);
}

/* ---- For switch-metrics.c. ---- */

struct dp *
bridge_get_dp(void)
{
    return dp;
}

static int
compare_iface_infos(const void *a_, const void *b_)
{
    const struct bridge_iface_info *a = a_, *b = b_;
    int c = strcmp(a->bridge, b->bridge);

    c = c ? c : strcmp(a->port, b->port);
    return c ? c : strcmp(a->interface, b->interface);
}

struct bridge_iface_info *
bridge_dump_ifaces(size_t *np)
{
    struct bridge_iface_info *infos = xcalloc(hmap_count(&ifaces) + 1,
                                              sizeof *infos);
    const struct iface *iface;
    size_t n = 0;

    HMAP_FOR_EACH (iface, name_node, &ifaces) {
        if (iface->port) {
            const struct ovsdb_idl_row *row = ovsdb_idl_get_row(iface_table,
                                                                 &iface->uuid);
            const struct ovsdb_datum *error = (row
                ? ovsdb_idl_row_get_datum_by_name(row, "error") : NULL);

            infos[n].bridge = iface->bridge;
            infos[n].port = iface->port;
            infos[n].interface = iface->name;
            infos[n].port_no = iface->port_no;
            infos[n].error = error && error->n;
            n++;
        }
    }
    qsort(infos, n, sizeof *infos, compare_iface_infos);
    *np = n;
    return infos;
}

char **
bridge_dump_bridges(size_t *np)
{
    char **names = xcalloc(ovsdb_idl_count_rows(bridge_table) + 1,
                           sizeof *names);
    const struct ovsdb_idl_row *row;
    struct fdb_stats s;
    size_t n = 0;

    OVSDB_IDL_FOR_EACH_ROW (row, bridge_table) {
        const char *name = ovsdb_idl_row_get_string(row, br_name, NULL);

        /* Only those the datapath has. */
        if (name && !dp_fdb_get_stats(dp, name, &s)) {
            names[n++] = xstrdup(name);
        }
    }
    qsort(names, n, sizeof *names, compare_strings);
    *np = n;
    return names;
}

struct bridge_bond_info *
bridge_dump_bonds(size_t *np)
{
    const struct shash_node **sorted = shash_sort(&bonds);
    struct bridge_bond_info *infos = xcalloc(shash_count(&bonds) + 1,
                                             sizeof *infos);

    for (size_t i = 0; i < shash_count(&bonds); i++) {
        const struct xbond *xb = sorted[i]->data;

        infos[i].bridge = xb->bridge;
        infos[i].bond = xb->bond;
    }
    *np = shash_count(&bonds);
    free(sorted);
    return infos;
}

/* ---- ofproto/trace: where would a frame go? ---- */

/* A frame described as ofproto/trace takes it. */
struct trace_flow {
    const char *in_port;        /* Interface name or OpenFlow port number. */
    struct eth_addr src, dst;
    int vlan;                   /* dl_vlan, or -1 for an untagged frame. */
    int pcp;                    /* dl_vlan_pcp. */
    uint16_t dl_type;
};

static bool
parse_mac(const char *s, struct eth_addr *mac)
{
    unsigned int b[6];
    char c;

    if (sscanf(s, "%x:%x:%x:%x:%x:%x%c", &b[0], &b[1], &b[2], &b[3], &b[4],
               &b[5], &c) != 6) {
        return false;
    }
    for (size_t i = 0; i < 6; i++) {
        if (b[i] > 0xff) {
            return false;
        }
        mac->ea[i] = b[i];
    }
    return true;
}

static bool
parse_uint(const char *s, unsigned long max, unsigned long *value)
{
    char *end;

    errno = 0;
    *value = strtoul(s, &end, 0);
    return !errno && end != s && !*end && *s != '-' && *value <= max;
}

/* Parses the fields in 'argv' (each "FIELD=VALUE", several per argument
 * separated by commas, as Open vSwitch writes a flow) into 'flow', whose
 * strings point into 'buf' (owned by the caller).  Returns NULL or an
 * error message to free. */
static char *
trace_flow_parse(int argc, const char *argv[], struct trace_flow *flow,
                 char **buf)
{
    struct ds all = DS_EMPTY_INITIALIZER;
    char *save = NULL, *field;

    memset(flow, 0, sizeof *flow);
    flow->vlan = -1;
    flow->dl_type = ETH_TYPE_IP;
    for (int i = 0; i < argc; i++) {
        ds_put_format(&all, "%s%s", i ? "," : "", argv[i]);
    }
    *buf = ds_steal_cstr(&all);
    for (field = strtok_r(*buf, ", ", &save); field;
         field = strtok_r(NULL, ", ", &save)) {
        char *value = strchr(field, '=');
        unsigned long n;

        if (!value) {
            return xasprintf("%s: a field is FIELD=VALUE", field);
        }
        *value++ = '\0';
        if (!strcmp(field, "in_port")) {
            flow->in_port = value;
        } else if (!strcmp(field, "dl_src") || !strcmp(field, "eth_src")) {
            if (!parse_mac(value, &flow->src)) {
                return xasprintf("%s: not a MAC address", value);
            }
        } else if (!strcmp(field, "dl_dst") || !strcmp(field, "eth_dst")) {
            if (!parse_mac(value, &flow->dst)) {
                return xasprintf("%s: not a MAC address", value);
            }
        } else if (!strcmp(field, "dl_vlan") || !strcmp(field, "vlan_vid")) {
            if (!parse_uint(value, VLAN_VID_MASK, &n)) {
                return xasprintf("dl_vlan=%s: not a VLAN (0 to 4095)", value);
            }
            flow->vlan = n;
        } else if (!strcmp(field, "dl_vlan_pcp")) {
            if (!parse_uint(value, 7, &n)) {
                return xasprintf("dl_vlan_pcp=%s: not a priority (0 to 7)",
                                 value);
            }
            flow->pcp = n;
        } else if (!strcmp(field, "dl_type") || !strcmp(field, "eth_type")) {
            if (!parse_uint(value, 0xffff, &n)) {
                return xasprintf("dl_type=%s: not an Ethertype", value);
            }
            flow->dl_type = n;
        } else {
            return xasprintf("%s: unknown field (xsw traces in_port, dl_src, "
                             "dl_dst, dl_vlan, dl_vlan_pcp and dl_type)",
                             field);
        }
    }
    if (!flow->in_port) {
        return xstrdup("in_port is required");
    }
    return NULL;
}

/* A 60-byte frame as 'flow' describes it (payload zeros). */
static size_t
trace_flow_compose(const struct trace_flow *flow, uint8_t frame[60])
{
    uint8_t *p = frame;

    memset(frame, 0, 60);
    memcpy(p, flow->dst.ea, ETH_ADDR_LEN);
    memcpy(p + ETH_ADDR_LEN, flow->src.ea, ETH_ADDR_LEN);
    p += 2 * ETH_ADDR_LEN;
    if (flow->vlan >= 0) {
        uint16_t tci = flow->pcp << 13 | flow->vlan;
        *p++ = ETH_TYPE_VLAN >> 8;
        *p++ = ETH_TYPE_VLAN & 0xff;
        *p++ = tci >> 8;
        *p++ = tci & 0xff;
    }
    *p++ = flow->dl_type >> 8;
    *p++ = flow->dl_type & 0xff;
    return 60;
}

/* The interface of bridge 'bridge' that 'in_port' names (by name or
 * OpenFlow port number, "LOCAL" for the bridge's own). */
static const struct iface *
trace_find_in_port(const char *bridge, const char *in_port)
{
    const struct iface *iface = iface_find(in_port);
    unsigned long n;

    if (iface) {
        return strcmp(iface->bridge, bridge) ? NULL : iface;
    }
    if (!strcmp(in_port, "LOCAL")) {
        return ofport_find(bridge, OFPORT_LOCAL);
    }
    return (parse_uint(in_port, OFPORT_LOCAL, &n)
            ? ofport_find(bridge, n) : NULL);
}

/* "port OFPORT (NAME)" for bridge port 'port_no' of the datapath, or for
 * a bond "bond NAME".  Returns true for a bond. */
static bool
trace_put_port(struct ds *ds, uint32_t port_no)
{
    const struct iface *iface = iface_find_by_port_no(port_no);
    struct shash_node *node;
    char ofport[16] = "?";

    SHASH_FOR_EACH (node, &bonds) {
        const struct xbond *xb = node->data;
        if (xb->port_no == port_no) {
            ds_put_format(ds, "bond %s", node->name);
            return true;
        }
    }
    if (iface) {
        format_ofport(ofport, sizeof ofport, iface->ofport);
    }
    ds_put_format(ds, "port %s (%s)", ofport, iface ? iface->name : "?");
    return false;
}

static void
trace_put_mac(struct ds *ds, const char *what, const struct eth_addr *mac,
              uint32_t learned_on)
{
    ds_put_format(ds, "%s %02x:%02x:%02x:%02x:%02x:%02x: ", what,
                  mac->ea[0], mac->ea[1], mac->ea[2], mac->ea[3], mac->ea[4],
                  mac->ea[5]);
    if (learned_on == FDB_PORT_NONE) {
        ds_put_cstr(ds, "not learned");
    } else {
        ds_put_cstr(ds, "learned on ");
        trace_put_port(ds, learned_on);
    }
    ds_put_char(ds, '\n');
}

/* "ofproto/trace BRIDGE FLOW...": what the datapath would do with a frame
 * as FLOW describes it, received on in_port, step by step, with the VLAN
 * rules, fdb entries and bond members that decide it (dp_trace()). */
static void
trace_cmd(struct unixctl_conn *conn, int argc, const char *argv[],
          void *aux OVS_UNUSED)
{
    const char *bridge = argv[1];
    struct ds ds = DS_EMPTY_INITIALIZER;
    struct ds result = DS_EMPTY_INITIALIZER;
    const struct iface *in;
    struct trace_flow flow;
    struct dp_trace tr;
    uint8_t frame[60];
    char *buf, *error;
    size_t size;

    COVERAGE_INC(trace);
    error = trace_flow_parse(argc - 2, argv + 2, &flow, &buf);
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        free(buf);
        return;
    }
    in = trace_find_in_port(bridge, flow.in_port);
    if (!in) {
        error = xasprintf("%s: no such port in bridge %s", flow.in_port,
                          bridge);
    } else if (!in->port_no) {
        error = xasprintf("%s is not attached: %s", in->name,
                          in->error ? in->error : "not configured");
    }
    if (error) {
        unixctl_command_reply_error(conn, error);
        free(error);
        free(buf);
        return;
    }
    size = trace_flow_compose(&flow, frame);
    if (dp_trace(dp, in->port_no, frame, size, &tr) || !tr.bridge) {
        unixctl_command_reply_error(conn, "the port is in no bridge of the "
                                    "running datapath");
        free(buf);
        return;
    }

    char ofport[16];
    format_ofport(ofport, sizeof ofport, in->ofport);
    ds_put_format(&ds, "Bridge: %s\n", tr.bridge);
    ds_put_format(&ds, "Flow: in_port=%s", ofport);
    if (flow.vlan >= 0) {
        ds_put_format(&ds, ",dl_vlan=%d,dl_vlan_pcp=%d", flow.vlan,
                      flow.pcp);
    }
    ds_put_format(&ds, ",dl_src=%02x:%02x:%02x:%02x:%02x:%02x"
                  ",dl_dst=%02x:%02x:%02x:%02x:%02x:%02x,dl_type=0x%04x\n\n",
                  flow.src.ea[0], flow.src.ea[1], flow.src.ea[2],
                  flow.src.ea[3], flow.src.ea[4], flow.src.ea[5],
                  flow.dst.ea[0], flow.dst.ea[1], flow.dst.ea[2],
                  flow.dst.ea[3], flow.dst.ea[4], flow.dst.ea[5],
                  flow.dl_type);

    ds_put_format(&ds, "Input: port %s (%s)", ofport, in->name);
    const struct xbond *xb = xbond_of_member(in->name);
    if (xb) {
        ds_put_format(&ds, ", a member of bond %s", xb->bond->name);
    }
    ds_put_char(&ds, '\n');

    switch (tr.verdict) {
    case DP_TRACE_NOT_IN_BRIDGE:
    case DP_TRACE_BAD_FRAME:
        ds_put_cstr(&result, "drop: the datapath takes nothing from it");
        break;
    case DP_TRACE_RX_DROP:
        ds_put_format(&result, "drop: %s",
                      tr.bridge_closed
                      ? "the bridge forwards nothing (fail_mode=secure)"
                      : "a backup or disabled bond member takes nothing in");
        break;
    case DP_TRACE_VLAN_DROP:
        if (flow.vlan > 0) {
            ds_put_format(&result, "drop: the port does not take frames "
                          "tagged with VLAN %d", flow.vlan);
        } else {
            ds_put_cstr(&result, "drop: the port does not take untagged "
                        "frames");
        }
        break;
    case DP_TRACE_RESERVED_DROP:
        ds_put_format(&result, "drop: destination MAC "
                      "%02x:%02x:%02x:%02x:%02x:%02x is reserved for bridge "
                      "control protocols (other_config:forward-bpdu is not "
                      "true)",
                      flow.dst.ea[0], flow.dst.ea[1], flow.dst.ea[2],
                      flow.dst.ea[3], flow.dst.ea[4], flow.dst.ea[5]);
        break;
    default:
        ds_put_format(&ds, "VLAN: %u%s\n", tr.vlan,
                      flow.vlan > 0 ? "" : " (untagged on input)");
        trace_put_mac(&ds, "Source MAC", &flow.src, tr.src_port_no);
        if (tr.dst_multicast) {
            ds_put_format(&ds, "Destination MAC "
                          "%02x:%02x:%02x:%02x:%02x:%02x: multicast\n",
                          flow.dst.ea[0], flow.dst.ea[1], flow.dst.ea[2],
                          flow.dst.ea[3], flow.dst.ea[4], flow.dst.ea[5]);
        } else {
            trace_put_mac(&ds, "Destination MAC", &flow.dst, tr.dst_port_no);
        }
        break;
    }

    switch (tr.verdict) {
    case DP_TRACE_BOND_REFUSED:
        ds_put_format(&result, "drop: the balance-slb bond refuses it (%s)",
                      tr.bond_backup && tr.dst_port_no == FDB_PORT_NONE
                      ? "only the active member takes floods"
                      : "its source MAC was learned on another port: it "
                        "looped back from the network");
        break;
    case DP_TRACE_HAIRPIN:
        ds_put_cstr(&result, "drop: the destination is behind the input "
                    "port");
        break;
    case DP_TRACE_OUT_VLAN_DROP:
        ds_put_format(&result, "drop: the destination's port does not carry "
                      "VLAN %u", tr.vlan);
        break;
    case DP_TRACE_FLOOD:
    case DP_TRACE_UNICAST:
        ds_put_format(&ds, "%s\n", tr.verdict == DP_TRACE_FLOOD
                      ? (tr.n_outputs
                         ? "Flood: to every other port of the VLAN"
                         : "Flood: no other port carries the VLAN")
                      : "Unicast: to the port the destination was "
                        "learned on");
        for (size_t i = 0; i < tr.n_outputs; i++) {
            const struct dp_trace_output *o = &tr.outputs[i];
            const struct iface *dev = (o->dev_port_no
                                       ? iface_find_by_port_no(o->dev_port_no)
                                       : NULL);

            ds_put_cstr(&ds, "Output: ");
            if (trace_put_port(&ds, o->port_no)) {
                if (dev) {
                    ds_put_format(&ds, " through member %s", dev->name);
                } else {
                    ds_put_cstr(&ds, ": no member enabled, lost");
                }
            }
            if (o->bucket >= 0) {
                ds_put_format(&ds, " (hash bucket %d)", o->bucket);
            }
            if (dev) {
                if (o->vid) {
                    ds_put_format(&ds, ", tagged %u", o->vid);
                } else {
                    ds_put_cstr(&ds, ", untagged");
                }
                ds_put_format(&result, "%s%s", result.len ? "," : "output:",
                              dev->name);
            }
            ds_put_char(&ds, '\n');
        }
        if (!result.len) {
            ds_put_cstr(&result, "drop: no port to send it to");
        }
        break;
    default:
        break;
    }
    ds_put_format(&ds, "\nResult: %s\n", ds_cstr(&result));
    unixctl_command_reply(conn, ds_cstr(&ds));
    dp_trace_destroy(&tr);
    ds_destroy(&result);
    ds_destroy(&ds);
    free(buf);
}

/* ---- Start and stop. ---- */

static void
register_columns(void)
{
    ovs_table = ovsdb_idl_add_table(idl, "Open_vSwitch");
    ovs_bridges = ovsdb_idl_add_column(ovs_table, "bridges");
    ovs_next_cfg = ovsdb_idl_add_column(ovs_table, "next_cfg");
    ovs_cur_cfg = ovsdb_idl_add_column(ovs_table, "cur_cfg");
    ovs_iface_types = ovsdb_idl_add_column(ovs_table, "iface_types");
    ovs_datapath_types = ovsdb_idl_add_column(ovs_table, "datapath_types");
    ovs_other_config = ovsdb_idl_add_column(ovs_table, "other_config");

    bridge_table = ovsdb_idl_add_table(idl, "Bridge");
    br_name = ovsdb_idl_add_column(bridge_table, "name");
    br_ports = ovsdb_idl_add_column(bridge_table, "ports");
    br_other_config = ovsdb_idl_add_column(bridge_table, "other_config");

    port_table = ovsdb_idl_add_table(idl, "Port");
    port_name = ovsdb_idl_add_column(port_table, "name");
    port_interfaces = ovsdb_idl_add_column(port_table, "interfaces");
    port_tag = ovsdb_idl_add_column(port_table, "tag");
    port_trunks = ovsdb_idl_add_column(port_table, "trunks");
    port_vlan_mode = ovsdb_idl_add_column(port_table, "vlan_mode");
    port_bond_mode = ovsdb_idl_add_column(port_table, "bond_mode");
    port_lacp = ovsdb_idl_add_column(port_table, "lacp");
    port_bond_updelay = ovsdb_idl_add_column(port_table, "bond_updelay");
    port_bond_downdelay = ovsdb_idl_add_column(port_table, "bond_downdelay");
    port_other_config = ovsdb_idl_add_column(port_table, "other_config");
    port_bond_active_slave = ovsdb_idl_add_column(port_table,
                                                  "bond_active_slave");
    port_status = ovsdb_idl_add_column(port_table, "status");

    iface_table = ovsdb_idl_add_table(idl, "Interface");
    if_name = ovsdb_idl_add_column(iface_table, "name");
    if_type = ovsdb_idl_add_column(iface_table, "type");
    if_options = ovsdb_idl_add_column(iface_table, "options");
    if_mac = ovsdb_idl_add_column(iface_table, "mac");
    if_mtu_request = ovsdb_idl_add_column(iface_table, "mtu_request");
    if_ofport = ovsdb_idl_add_column(iface_table, "ofport");
    if_ofport_request = ovsdb_idl_add_column(iface_table, "ofport_request");
    iface_state_register_columns(iface_table);
    fail_mode_init(idl);
    report_init(idl);
}

int
bridge_init(uv_loop_t *loop_, const char *remote, unsigned int n_threads,
            char **errorp)
{
    int error;

    *errorp = NULL;
    loop = loop_;
    netdev_register_class(&netdev_tap_class);
    netdev_register_class(&netdev_afxdp_class);
    netdev_register_class(&netdev_afpacket_class);
    netdev_afxdp_quiet_libxdp();

    error = rtnl_monitor_create(&rtnl);
    if (error) {
        *errorp = xasprintf("cannot monitor network devices (%s)",
                            strerror(error));
        return error;
    }
    error = -uv_poll_init(loop, &rtnl_poll, rtnl_monitor_fd(rtnl));
    if (error) {
        *errorp = xasprintf("cannot poll the rtnetlink monitor (%s)",
                            strerror(error));
        rtnl_monitor_destroy(rtnl);
        rtnl = NULL;
        return error;
    }
    uv_poll_start(&rtnl_poll, UV_READABLE, rtnl_cb);
    rtnl_polling = true;

    dp = dp_create(n_threads);
    dp_n_threads = MAX(n_threads, 1);
    busy_poll_applied = DP_BUSY_POLL_USEC_DEFAULT;

    uv_timer_init(loop, &run_timer);
    uv_timer_init(loop, &tick_timer);
    uv_timer_start(&tick_timer, tick_cb, 1000, 1000);

    idl = ovsdb_idl_create(loop, remote, "Open_vSwitch");
    register_columns();
    ovsdb_idl_set_lock(idl, BRIDGE_DB_LOCK);
    ovsdb_idl_set_change_cb(idl, idl_changed, NULL);

    unixctl_command_register("fdb/show", "bridge", 1, 1, fdb_show_cmd, NULL);
    unixctl_command_register("fdb/flush", "[bridge]", 0, 1, fdb_flush_cmd,
                             NULL);
    unixctl_command_register("fdb/stats-show", "bridge", 1, 1,
                             fdb_stats_show_cmd, NULL);
    unixctl_command_register("ofproto/trace", "bridge flow", 2, INT_MAX,
                             trace_cmd, NULL);
    unixctl_command_register("memory/show", "", 0, 0, memory_show_cmd,
                             NULL);
    unixctl_command_register("dpif/show", "", 0, 0, dpif_show_cmd, NULL);
    unixctl_command_register("bond/list", "", 0, 0, bond_list_cmd, NULL);
    unixctl_command_register("bond/show", "[port]", 0, 1, bond_show_cmd,
                             NULL);
    VLOG_INFO("connecting to %s", remote);
    return 0;
}

void
bridge_exit(bool cleanup)
{
    struct iface *iface, *next;

    if (!dp) {
        return;
    }
    ovsdb_idl_destroy(idl);
    idl = NULL;

    if (cleanup) {
        HMAP_FOR_EACH (iface, name_node, &ifaces) {
            struct netdev *netdev = (iface->port_no
                                     ? dp_port_get_netdev(dp, iface->port_no)
                                     : NULL);
            if (netdev && iface->kind == IFACE_TAP) {
                netdev_tap_unpersist(netdev);
            }
        }
    }
    /* dp_destroy() closes every port; plain closes keep TAP devices. */
    dp_destroy(dp);
    dp = NULL;
    HMAP_FOR_EACH_SAFE (iface, next, name_node, &ifaces) {
        if (iface->port_no) {
            hmap_remove(&ifaces_by_port_no, &iface->port_no_node);
            iface->port_no = 0;
        }
        iface_destroy(iface);
    }
    struct shash_node *node;
    SHASH_FOR_EACH (node, &bonds) {
        xbond_destroy(node->data);
    }
    shash_destroy(&bonds);
    shash_destroy_free_data(&row_errors);
    shash_destroy_free_data(&warned_values);
    report_destroy();
    free(committed_sig);
    committed_sig = NULL;
    free(busy_poll_warned);
    busy_poll_warned = NULL;
    fail_mode_destroy();

    if (rtnl_polling) {
        uv_close((uv_handle_t *) &rtnl_poll, NULL);
        rtnl_polling = false;
    }
    rtnl_monitor_destroy(rtnl);
    rtnl = NULL;
    uv_close((uv_handle_t *) &run_timer, NULL);
    uv_close((uv_handle_t *) &tick_timer, NULL);
}
