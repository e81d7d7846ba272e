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
 *                  buckets, spread evenly over the enabled members: when a
 *                  member goes, only its buckets move); it accepts
 *                  multicast and unknown unicast on the active member
 *                  only, and nothing from a source MAC that it learned on
 *                  another port (a frame that looped back).
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

struct bond_settings {
    enum bond_mode mode;
    enum bond_lacp lacp;
    bool lacp_fallback_ab;      /* other_config:lacp-fallback-ab=true. */
    int updelay, downdelay;     /* Milliseconds, >= 0. */
    const char *primary;        /* other_config:bond-primary, or NULL. */
};

struct bond_member {
    char *name;
    bool carrier;               /* As last set. */
    bool enabled;
    bool fresh;                 /* No carrier set yet: the first one
                                 * applies at once, without delay. */
    long long delay_expires;    /* When a pending change of 'enabled'
                                 * happens, or LLONG_MAX. */

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

/* The balance-slb hash bucket of source MAC 'mac' in 'vlan'. */
unsigned int bond_bucket(const struct eth_addr *mac, uint16_t vlan);

/* The member that transmits frames from 'mac' in 'vlan', or -1. */
int bond_choose_output(const struct bond *, const struct eth_addr *mac,
                       uint16_t vlan);

/* Prints the bond like "ovs-appctl bond/show PORT". */
void bond_format(const struct bond *, long long now, FILE *);

#endif /* bond.h */
