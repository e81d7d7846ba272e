/* bond.h: the state machine of one bond (a Port with several Interfaces),
 * as Open vSwitch's ofproto/bond.c runs it, minus LACP.
 *
 * A bond has members.  Each member is enabled or disabled, following its
 * carrier after bond_updelay (going up) or bond_downdelay (going down)
 * milliseconds; one enabled member is the active one.  What the datapath
 * does with that depends on the mode:
 *
 *   active-backup  transmits on the active member only, and drops what
 *                  arrives on the others;
 *   balance-slb    transmits each frame on the member that owns the hash
 *                  bucket of its source MAC and VLAN (BOND_N_BUCKETS
 *                  buckets, spread evenly over the enabled members when
 *                  they change: when a member goes, only its buckets
 *                  move); it accepts multicast and unknown unicast on the
 *                  active member only, and nothing from a source MAC that
 *                  it learned on another port (a frame that looped back),
 *                  unless it is a gratuitous ARP (see dp.h).  Every
 *                  rebalance interval, bond_rebalance() moves buckets from
 *                  the most to the least loaded members, by the bytes they
 *                  sent (bond_account()).
 *
 * xsw speaks no LACP, so a bond with lacp=active|passive never completes
 * the negotiation and is in Open vSwitch's "configured" LACP state: with
 * other_config:lacp-fallback-ab=true it runs active-backup, otherwise all
 * of its members stay disabled.  balance-tcp needs negotiated LACP: without
 * it (lacp=off), the bond is disabled too.  bond_get_effective() says
 * which, and why.
 *
 * The active member is, in order of preference: other_config:bond-primary
 * if that member is enabled; the current active member if still enabled;
 * the first enabled member; and if none is enabled, the member whose
 * updelay ends first, enabled at once (as Open vSwitch does: a bond with a
 * link up never stays down for want of patience).
 *
 * Time is passed in (milliseconds, monotonic), so tests control it.  This
 * module allocates only in bond_create() and bond_reconfigure(); it is for
 * the control thread. */
#ifndef XSW_SWITCHD_BOND_H
#define XSW_SWITCHD_BOND_H 1

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include "packet.h"

#define BOND_N_BUCKETS 256
#define BOND_BUCKET_NONE 0xff       /* A bucket with no enabled member. */
#define BOND_MAX_MEMBERS 254        /* Bucket owners fit in a uint8_t. */

enum bond_mode {
    BOND_ACTIVE_BACKUP,
    BOND_BALANCE_SLB,
    BOND_BALANCE_TCP,
};

enum bond_lacp {
    BOND_LACP_OFF,
    BOND_LACP_ACTIVE,
    BOND_LACP_PASSIVE,
};

/* What the bond really does. */
enum bond_effective {
    BOND_EFF_ACTIVE_BACKUP,
    BOND_EFF_BALANCE_SLB,
    BOND_EFF_DISABLED,          /* Forwards nothing. */
};

/* Parses the Port columns bond_mode and lacp ("" or NULL: the defaults,
 * active-backup and off).  Return false, leaving the default in '*', for
 * a value the schema does not allow. */
bool bond_mode_from_string(const char *, enum bond_mode *);
const char *bond_mode_to_string(enum bond_mode);
bool bond_lacp_from_string(const char *, enum bond_lacp *);

/* other_config:bond-detect-mode.  Open vSwitch polls a member's carrier
 * every bond-miimon-interval ms in miimon mode, and takes the device's
 * carrier as it changes otherwise; xsw learns every carrier change from
 * rtnetlink at once in either mode, which is what miimon polling
 * approximates: the two modes behave the same. */
enum bond_detect {
    BOND_DETECT_CARRIER,
    BOND_DETECT_MIIMON,
};

/* Parses other_config:bond-detect-mode ("" or NULL: carrier).  Returns
 * false, leaving carrier in '*', for anything else; Open vSwitch then warns
 * and uses carrier. */
bool bond_detect_from_string(const char *, enum bond_detect *);

#define BOND_MIIMON_INTERVAL_DEFAULT 200        /* ms, as in Open vSwitch. */
#define BOND_REBALANCE_INTERVAL_DEFAULT 10000   /* ms, as in Open vSwitch. */
#define BOND_REBALANCE_INTERVAL_MIN 1000        /* Shorter ones are this. */

struct bond_settings {
    enum bond_mode mode;
    enum bond_lacp lacp;
    bool lacp_fallback_ab;      /* other_config:lacp-fallback-ab=true. */
    int updelay, downdelay;     /* Milliseconds, >= 0. */
    const char *primary;        /* other_config:bond-primary, or NULL. */
    enum bond_detect detect;    /* other_config:bond-detect-mode. */
    int miimon_interval;        /* ms, in miimon mode; else 0. */
    int rebalance_interval;     /* ms (0: never), balance-slb only. */
};

struct bond_member {
    char *name;
    bool carrier;               /* As last set. */
    bool enabled;
    bool fresh;                 /* No carrier set yet: the first one
                                 * applies at once, without delay. */
    long long delay_expires;    /* When a pending change of 'enabled'
                                 * happens, or LLONG_MAX. */

    bool spread_enabled;        /* 'enabled' when the buckets were last
                                 * spread. */

    /* For the caller; kept across bond_reconfigure(). */
    uint32_t port_no;
    struct eth_addr mac;
    bool has_mac;
};

struct bond {
    char *name;                 /* The Port's. */
    struct bond_settings s;     /* 's.primary' owned. */
    struct bond_member *members;
    size_t n_members;
    int active;                 /* Index in 'members', or -1. */
    uint8_t buckets[BOND_N_BUCKETS];    /* Member index, or
                                         * BOND_BUCKET_NONE. */

    /* Rebalancing (balance-slb with a rebalance interval). */
    uint64_t load[BOND_N_BUCKETS];      /* Bytes each bucket sent lately:
                                         * Open vSwitch's moving average,
                                         * halved at each rebalancing. */
    uint64_t tx_seen[BOND_N_BUCKETS];   /* Counters at bond_account(). */
    bool tx_primed;                     /* 'tx_seen' is valid. */
    long long next_rebalance;           /* LLONG_MAX: not balancing. */
};

struct bond *bond_create(const char *name);
void bond_destroy(struct bond *);

/* Applies 'settings' and the member list 'names' (at most
 * BOND_MAX_MEMBERS; more are ignored).  Members that stay keep their
 * state; new ones are disabled until their carrier is set.  Returns true
 * if anything changed. */
bool bond_reconfigure(struct bond *, const struct bond_settings *,
                      const char *const *names, size_t n);

/* Index of member 'name', or -1. */
int bond_find_member(const struct bond *, const char *name);

/* Records the carrier of member 'i' at 'now', starting its updelay or
 * downdelay if it differs from whether the member is enabled. */
void bond_member_set_carrier(struct bond *, size_t i, bool carrier,
                             long long now);

/* Enables and disables members whose delay has passed by 'now', chooses
 * the active member and spreads the hash buckets.  Returns true if a
 * member's 'enabled', the active member or a bucket changed.  Stores in
 * '*next' when a pending delay ends (LLONG_MAX if none). */
bool bond_run(struct bond *, long long now, long long *next);

/* What the bond does, and a sentence saying why when LACP or balance-tcp
 * is configured, which xsw cannot do as asked ('*why' is NULL otherwise;
 * a static string). */
enum bond_effective bond_get_effective(const struct bond *,
                                       const char **why);

/* Adds to the buckets' load what they sent since the last call, given
 * 'tx_bytes', the datapath's ever-growing per-bucket byte counters
 * (dp_bond_get_bucket_stats()).  The first call, and the first after
 * bond_account_restart(), only records them. */
void bond_account(struct bond *, const uint64_t tx_bytes[BOND_N_BUCKETS]);

/* Says that the datapath's counters are no longer comparable with the
 * last ones: its sums are over other member ports now. */
void bond_account_restart(struct bond *);

/* If the bond balances by load (balance-slb, rebalance interval not 0)
 * and its rebalance time has come by 'now', moves buckets from the most
 * to the least loaded enabled members as Open vSwitch's bond_rebalance()
 * does (see bond.c), then halves every bucket's load.  Returns true if a
 * bucket moved.  Stores in '*next' when it wants to run again (LLONG_MAX
 * if never); call bond_account() first. */
bool bond_rebalance(struct bond *, long long now, long long *next);

/* The balance-slb hash bucket of source MAC 'mac' in 'vlan'. */
unsigned int bond_bucket(const struct eth_addr *mac, uint16_t vlan);

/* The member that transmits frames from 'mac' in 'vlan', or -1. */
int bond_choose_output(const struct bond *, const struct eth_addr *mac,
                       uint16_t vlan);

/* Prints the bond like "ovs-appctl bond/show PORT". */
void bond_format(const struct bond *, long long now, FILE *);

/* Prints 'n' bonds like "ovs-appctl bond/list": a header line, then one
 * line per bond, fields separated by tabs: its name, bond_mode, recirc ID
 * (always 0: xsw never recirculates) and members. */
void bond_format_list(const struct bond *const *, size_t n, FILE *);

#endif /* bond.h */
