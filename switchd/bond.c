/* bond.c: a bond's member state, active member and hash buckets.  See
 * bond.h; the behaviour follows Open vSwitch's ofproto/bond.c. */
#include <config.h>
#include "bond.h"

#include <inttypes.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include "hash.h"
#include "util.h"

bool
bond_mode_from_string(const char *s, enum bond_mode *mode)
{
    *mode = BOND_ACTIVE_BACKUP;
    if (!s || !*s || !strcmp(s, "active-backup")) {
        return true;
    } else if (!strcmp(s, "balance-slb")) {
        *mode = BOND_BALANCE_SLB;
    } else if (!strcmp(s, "balance-tcp")) {
        *mode = BOND_BALANCE_TCP;
    } else {
        return false;
    }
    return true;
}

const char *
bond_mode_to_string(enum bond_mode mode)
{
    switch (mode) {
    case BOND_ACTIVE_BACKUP: return "active-backup";
    case BOND_BALANCE_SLB: return "balance-slb";
    case BOND_BALANCE_TCP: return "balance-tcp";
    }
    return "?";
}

bool
bond_lacp_from_string(const char *s, enum bond_lacp *lacp)
{
    *lacp = BOND_LACP_OFF;
    if (!s || !*s || !strcmp(s, "off")) {
        return true;
    } else if (!strcmp(s, "active")) {
        *lacp = BOND_LACP_ACTIVE;
    } else if (!strcmp(s, "passive")) {
        *lacp = BOND_LACP_PASSIVE;
    } else {
        return false;
    }
    return true;
}

bool
bond_detect_from_string(const char *s, enum bond_detect *detect)
{
    *detect = BOND_DETECT_CARRIER;
    if (!s || !*s || !strcmp(s, "carrier")) {
        return true;
    } else if (!strcmp(s, "miimon")) {
        *detect = BOND_DETECT_MIIMON;
        return true;
    }
    return false;
}

struct bond *
bond_create(const char *name)
{
    struct bond *bond = xzalloc(sizeof *bond);

    bond->name = xstrdup(name);
    bond->active = -1;
    bond->next_rebalance = LLONG_MAX;
    memset(bond->buckets, BOND_BUCKET_NONE, sizeof bond->buckets);
    return bond;
}

void
bond_destroy(struct bond *bond)
{
    if (!bond) {
        return;
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        free(bond->members[i].name);
    }
    free(bond->members);
    free((char *) bond->s.primary);
    free(bond->name);
    free(bond);
}

int
bond_find_member(const struct bond *bond, const char *name)
{
    for (size_t i = 0; i < bond->n_members; i++) {
        /* bond_reconfigure() clears the names it has taken. */
        if (bond->members[i].name && !strcmp(bond->members[i].name, name)) {
            return i;
        }
    }
    return -1;
}

static bool
nullable_streq(const char *a, const char *b)
{
    return a == b || (a && b && !strcmp(a, b));
}

bool
bond_reconfigure(struct bond *bond, const struct bond_settings *s,
                 const char *const *names, size_t n)
{
    struct bond_member *members;
    int remap[BOND_MAX_MEMBERS];    /* Old index -> new, or -1. */
    bool changed = false;

    n = MIN(n, BOND_MAX_MEMBERS);
    if (bond->s.mode != s->mode || bond->s.lacp != s->lacp
        || bond->s.rebalance_interval != s->rebalance_interval) {
        /* Rebalancing starts over: a full interval of fresh loads. */
        memset(bond->load, 0, sizeof bond->load);
        bond->next_rebalance = LLONG_MAX;
    }
    if (bond->s.mode != s->mode || bond->s.lacp != s->lacp
        || bond->s.lacp_fallback_ab != s->lacp_fallback_ab
        || bond->s.updelay != s->updelay
        || bond->s.downdelay != s->downdelay
        || !nullable_streq(bond->s.primary, s->primary)
        || bond->s.detect != s->detect
        || bond->s.miimon_interval != s->miimon_interval
        || bond->s.rebalance_interval != s->rebalance_interval) {
        free((char *) bond->s.primary);
        bond->s = *s;
        bond->s.primary = s->primary ? xstrdup(s->primary) : NULL;
        changed = true;
    }

    members = xcalloc(MAX(n, 1), sizeof *members);
    for (size_t i = 0; i < bond->n_members; i++) {
        remap[i] = -1;
    }
    for (size_t i = 0; i < n; i++) {
        int old = bond_find_member(bond, names[i]);

        if (old >= 0 && remap[old] < 0) {
            members[i] = bond->members[old];
            bond->members[old].name = NULL;
            remap[old] = i;
            changed |= (size_t) old != i;
        } else {
            members[i].name = xstrdup(names[i]);
            members[i].fresh = true;
            members[i].delay_expires = LLONG_MAX;
            changed = true;
        }
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        if (remap[i] < 0) {
            free(bond->members[i].name);
            changed = true;
        }
    }

    /* Indexes moved: so do the active member and the buckets' owners. */
    bond->active = bond->active >= 0 ? remap[bond->active] : -1;
    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        if (bond->buckets[b] != BOND_BUCKET_NONE) {
            int owner = remap[bond->buckets[b]];
            bond->buckets[b] = owner < 0 ? BOND_BUCKET_NONE : owner;
        }
    }
    free(bond->members);
    bond->members = members;
    bond->n_members = n;
    return changed;
}

enum bond_effective
bond_get_effective(const struct bond *bond, const char **why)
{
    *why = NULL;
    if (bond->s.lacp != BOND_LACP_OFF) {
        /* Open vSwitch's LACP_CONFIGURED: no partner ever answered. */
        if (bond->s.lacp_fallback_ab) {
            *why = "LACP is not negotiated (xsw does not speak LACP): "
                   "falling back to active-backup "
                   "(other_config:lacp-fallback-ab)";
            return BOND_EFF_ACTIVE_BACKUP;
        }
        *why = "LACP is not negotiated (xsw does not speak LACP) and "
               "other_config:lacp-fallback-ab is not true: all members "
               "are disabled";
        return BOND_EFF_DISABLED;
    }
    switch (bond->s.mode) {
    case BOND_BALANCE_SLB:
        return BOND_EFF_BALANCE_SLB;
    case BOND_BALANCE_TCP:
        *why = "balance-tcp requires negotiated LACP and lacp is off: all "
               "members are disabled";
        return BOND_EFF_DISABLED;
    case BOND_ACTIVE_BACKUP:
    default:
        return BOND_EFF_ACTIVE_BACKUP;
    }
}

void
bond_member_set_carrier(struct bond *bond, size_t i, bool carrier,
                        long long now)
{
    struct bond_member *m = &bond->members[i];
    const char *why;
    bool up;

    m->carrier = carrier;
    /* A member of a disabled bond may never be enabled (Open vSwitch's
     * may_enable). */
    up = carrier && bond_get_effective(bond, &why) != BOND_EFF_DISABLED;
    if (m->fresh) {
        m->fresh = false;
        m->enabled = up;
        m->delay_expires = LLONG_MAX;
    } else if (up == m->enabled) {
        m->delay_expires = LLONG_MAX;   /* A flap shorter than the delay. */
    } else if (m->delay_expires == LLONG_MAX) {
        m->delay_expires = now + (up ? bond->s.updelay : bond->s.downdelay);
    }
}

/* Open vSwitch's bond_choose_member(). */
static int
bond_choose_active(struct bond *bond)
{
    int best = -1;

    if (bond->s.primary) {
        int i = bond_find_member(bond, bond->s.primary);
        if (i >= 0 && bond->members[i].enabled) {
            return i;
        }
    }
    if (bond->active >= 0 && bond->members[bond->active].enabled) {
        return bond->active;
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        if (bond->members[i].enabled) {
            return i;
        }
    }
    /* None is enabled: the one coming up soonest is, at once. */
    for (size_t i = 0; i < bond->n_members; i++) {
        const struct bond_member *m = &bond->members[i];
        if (m->delay_expires != LLONG_MAX
            && (best < 0
                || m->delay_expires < bond->members[best].delay_expires)) {
            best = i;
        }
    }
    if (best >= 0) {
        bond->members[best].enabled = true;
        bond->members[best].delay_expires = LLONG_MAX;
    }
    return best;
}

/* Gives every bucket an enabled owner, moving as few as possible: buckets
 * of disabled members go to the least loaded ones, then, if 'even' (the
 * set of enabled members changed), buckets move from the most to the least
 * loaded until counts differ by at most one.  A moving bucket is
 * preferably one whose "home" is its new owner, the home of bucket b being
 * enabled member b % n_enabled: so buckets spread the same way whatever
 * the history, and a member that fails and comes back gets back exactly
 * the buckets it had.  (Open vSwitch hands a dead member's buckets out
 * round-robin as they are used, and a member that comes back gets nothing
 * until load-based rebalancing gives it some, which never happens with
 * bond-rebalance-interval=0.  Evening out the counts at once uses a new
 * member at once.)  Between changes of the enabled set, the buckets stay
 * where bond_rebalance() put them. */
static bool
bond_spread_buckets(struct bond *bond, bool even)
{
    unsigned int count[BOND_MAX_MEMBERS] = { 0 };
    uint8_t enabled[BOND_MAX_MEMBERS];
    size_t n_enabled = 0;
    bool changed = false;

    for (size_t i = 0; i < bond->n_members; i++) {
        if (bond->members[i].enabled) {
            enabled[n_enabled++] = i;
        }
    }
    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        uint8_t owner = bond->buckets[b];

        if (owner != BOND_BUCKET_NONE
            && (!n_enabled || !bond->members[owner].enabled)) {
            bond->buckets[b] = BOND_BUCKET_NONE;
            changed = true;
        } else if (owner != BOND_BUCKET_NONE) {
            count[owner]++;
        }
    }
    if (!n_enabled) {
        return changed;
    }

    for (;;) {
        int min = -1, max = -1;

        for (size_t i = 0; i < bond->n_members; i++) {
            if (!bond->members[i].enabled) {
                continue;
            }
            if (min < 0 || count[i] < count[min]) {
                min = i;
            }
            if (max < 0 || count[i] > count[max]) {
                max = i;
            }
        }

        /* An unowned bucket goes to the least loaded member... */
        size_t b;
        for (b = 0; b < BOND_N_BUCKETS; b++) {
            if (bond->buckets[b] == BOND_BUCKET_NONE) {
                break;
            }
        }
        if (b == BOND_N_BUCKETS) {
            /* ...and then the most loaded gives one away, one whose home
             * is the least loaded if it has any. */
            if (!even || count[max] <= count[min] + 1) {
                return changed;
            }
            size_t fallback = BOND_N_BUCKETS;
            for (b = 0; b < BOND_N_BUCKETS; b++) {
                if (bond->buckets[b] == max) {
                    if (enabled[b % n_enabled] == min) {
                        break;
                    }
                    fallback = b;
                }
            }
            if (b == BOND_N_BUCKETS) {
                b = fallback;
            }
            count[max]--;
        }
        bond->buckets[b] = min;
        count[min]++;
        changed = true;
    }
}

bool
bond_run(struct bond *bond, long long now, long long *next)
{
    const char *why;
    bool changed = false;

    *next = LLONG_MAX;
    if (bond_get_effective(bond, &why) == BOND_EFF_DISABLED) {
        for (size_t i = 0; i < bond->n_members; i++) {
            struct bond_member *m = &bond->members[i];
            changed |= m->enabled;
            m->enabled = false;
            m->delay_expires = LLONG_MAX;
        }
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        struct bond_member *m = &bond->members[i];

        if (m->delay_expires <= now) {
            m->enabled = !m->enabled;
            m->delay_expires = LLONG_MAX;
            changed = true;
        }
    }

    int active = bond_choose_active(bond);
    if (active != bond->active) {
        bond->active = active;
        changed = true;
    }

    bool even = false;
    for (size_t i = 0; i < bond->n_members; i++) {
        struct bond_member *m = &bond->members[i];

        even |= m->enabled != m->spread_enabled;
        m->spread_enabled = m->enabled;
    }
    changed |= bond_spread_buckets(bond, even);

    for (size_t i = 0; i < bond->n_members; i++) {
        *next = MIN(*next, bond->members[i].delay_expires);
    }
    return changed;
}

void
bond_account(struct bond *bond, const uint64_t tx_bytes[BOND_N_BUCKETS])
{
    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        /* A sum that shrank lost a member without bond_account_restart():
         * what it sent since is unknown, count none. */
        if (bond->tx_primed && tx_bytes[b] > bond->tx_seen[b]) {
            bond->load[b] += tx_bytes[b] - bond->tx_seen[b];
        }
        bond->tx_seen[b] = tx_bytes[b];
    }
    bond->tx_primed = true;
}

void
bond_account_restart(struct bond *bond)
{
    bond->tx_primed = false;
}

static bool
bond_is_balanced(const struct bond *bond)
{
    const char *why;

    return (bond->s.rebalance_interval
            && bond_get_effective(bond, &why) == BOND_EFF_BALANCE_SLB);
}

/* Open vSwitch's choose_entry_to_migrate(): a bucket of 'from' (whose load
 * is 'from_load') worth moving to a member with 'to_load': one after which
 * the lighter of the two is closer to the even split by at least a tenth
 * of the way.  None if 'from' has a single loaded bucket: moving it would
 * only move the imbalance.  Buckets already moved in this run
 * ('moved') are not candidates. */
static int
choose_bucket_to_migrate(const struct bond *bond, int from,
                         uint64_t from_load, uint64_t to_load,
                         const bool moved[BOND_N_BUCKETS])
{
    uint64_t ideal = (from_load + to_load) / 2;
    size_t n_loaded = 0;

    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        n_loaded += (bond->buckets[b] == from && bond->load[b]
                     && !moved[b]);
    }
    if (n_loaded <= 1) {
        return -1;
    }
    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        uint64_t delta = bond->load[b];
        uint64_t new_low;

        if (bond->buckets[b] != from || !delta || moved[b]) {
            continue;
        }
        new_low = MIN(from_load - delta, to_load + delta);
        if (new_low > to_load && new_low - to_load >= (ideal - to_load) / 10) {
            return b;
        }
    }
    return -1;
}

/* The most and least loaded of the members still in 'bals'. */
static void
find_extremes(const struct bond *bond, const bool bals[],
              const uint64_t load[], int *max, int *min)
{
    *max = *min = -1;
    for (size_t i = 0; i < bond->n_members; i++) {
        if (!bals[i]) {
            continue;
        }
        if (*max < 0 || load[i] > load[*max]) {
            *max = i;
        }
        if (*min < 0 || load[i] < load[*min]) {
            *min = i;
        }
    }
}

/* Open vSwitch's bond_rebalance(), on the same numbers: the load of each
 * bucket is what it sent in the last interval plus half the load before
 * (a moving average that forgets 1/2 per interval), a member's load the
 * sum of its buckets'.  While the most loaded enabled member carries more
 * than the least loaded one by at least 100000 bytes and 1/32 of the
 * latter's load, it gives the least loaded one a bucket that brings them
 * closer; a member with nothing worth giving is left out.  It differs in
 * form, not in decisions: Open vSwitch keeps members in a list sorted by
 * load, and each member's loaded buckets in a list; here the members are
 * scanned for the extremes (a bond has a handful) and buckets in index
 * order, the order Open vSwitch's lists hold them in.  Open vSwitch
 * breaks ties between equally loaded members by list position, this by
 * member index. */
bool
bond_rebalance(struct bond *bond, long long now, long long *next)
{
    uint64_t load[BOND_MAX_MEMBERS] = { 0 };
    bool bals[BOND_MAX_MEMBERS] = { false };
    bool moved[BOND_N_BUCKETS] = { false };
    bool changed = false;

    if (!bond_is_balanced(bond)) {
        bond->next_rebalance = *next = LLONG_MAX;
        return false;
    }
    if (bond->next_rebalance == LLONG_MAX) {
        /* Balancing starts now: weigh a whole interval first. */
        bond->next_rebalance = now + bond->s.rebalance_interval;
    }
    if (now < bond->next_rebalance) {
        *next = bond->next_rebalance;
        return false;
    }
    bond->next_rebalance = *next = now + bond->s.rebalance_interval;

    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        if (bond->buckets[b] != BOND_BUCKET_NONE) {
            load[bond->buckets[b]] += bond->load[b];
        }
    }
    for (size_t i = 0; i < bond->n_members; i++) {
        bals[i] = bond->members[i].enabled;
    }

    for (;;) {
        int from, to, b;

        find_extremes(bond, bals, load, &from, &to);
        if (from < 0 || from == to) {
            break;
        }

        /* Less than ~3% more than the least loaded member, or less than
         * ~1 Mbit/s (over 10 s): not worth moving anything. */
        uint64_t overload = load[from] - load[to];
        if (overload < load[to] >> 5 || overload < 100000) {
            break;
        }
        b = choose_bucket_to_migrate(bond, from, load[from], load[to],
                                     moved);
        if (b < 0) {
            bals[from] = false;
            continue;
        }
        /* Moved once per run at most, as Open vSwitch, which takes a
         * moved bucket off 'from''s list without adding it to 'to''s. */
        bond->buckets[b] = to;
        moved[b] = true;
        load[from] -= bond->load[b];
        load[to] += bond->load[b];
        changed = true;
    }

    for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
        bond->load[b] /= 2;
    }
    return changed;
}

unsigned int
bond_bucket(const struct eth_addr *mac, uint16_t vlan)
{
    return hash_bytes(mac->ea, sizeof mac->ea, vlan) % BOND_N_BUCKETS;
}

int
bond_choose_output(const struct bond *bond, const struct eth_addr *mac,
                   uint16_t vlan)
{
    const char *why;

    switch (bond_get_effective(bond, &why)) {
    case BOND_EFF_ACTIVE_BACKUP:
        return bond->active;
    case BOND_EFF_BALANCE_SLB: {
        uint8_t owner = bond->buckets[bond_bucket(mac, vlan)];
        return owner == BOND_BUCKET_NONE ? -1 : owner;
    }
    case BOND_EFF_DISABLED:
    default:
        return -1;
    }
}

static int
compare_member_names(const void *a_, const void *b_)
{
    const struct bond_member *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

void
bond_format(const struct bond *bond, long long now, FILE *f)
{
    const struct bond_member **sorted;
    const struct bond_member *active = (bond->active >= 0
                                        ? &bond->members[bond->active]
                                        : NULL);
    enum bond_effective eff;
    const char *why;
    uint8_t mac[6] = { 0 };

    eff = bond_get_effective(bond, &why);
    fprintf(f, "---- %s ----\n", bond->name);
    fprintf(f, "bond_mode: %s\n", bond_mode_to_string(bond->s.mode));
    fputs("bond may use recirculation: no, Recirc-ID : -1\n", f);
    fputs("bond-hash-basis: 0\n", f);
    fputs("lb_output action: disabled, bond-id: -1\n", f);
    fprintf(f, "updelay: %d ms\n", bond->s.updelay);
    fprintf(f, "downdelay: %d ms\n", bond->s.downdelay);
    if (bond_is_balanced(bond) && bond->next_rebalance != LLONG_MAX) {
        fprintf(f, "next rebalance: %lld ms\n", bond->next_rebalance - now);
    }
    fprintf(f, "lacp_status: %s\n",
            bond->s.lacp == BOND_LACP_OFF ? "off" : "configured");
    fprintf(f, "lacp_fallback_ab: %s\n",
            bond->s.lacp_fallback_ab ? "true" : "false");
    if (why) {
        fprintf(f, "effective mode: %s (%s)\n",
                eff == BOND_EFF_DISABLED ? "disabled" : "active-backup",
                why);
    }
    fprintf(f, "active-backup primary: %s\n",
            bond->s.primary ? bond->s.primary : "<none>");
    if (active && active->has_mac) {
        memcpy(mac, active->mac.ea, sizeof mac);
    }
    fprintf(f, "active member mac: %02x:%02x:%02x:%02x:%02x:%02x(%s)\n",
            mac[0], mac[1], mac[2], mac[3], mac[4], mac[5],
            active ? active->name : "none");

    sorted = xcalloc(MAX(bond->n_members, 1), sizeof *sorted);
    for (size_t i = 0; i < bond->n_members; i++) {
        sorted[i] = &bond->members[i];
    }
    qsort(sorted, bond->n_members, sizeof *sorted, compare_member_names);
    for (size_t i = 0; i < bond->n_members; i++) {
        const struct bond_member *m = sorted[i];

        fprintf(f, "\nmember %s: %s\n", m->name,
                m->enabled ? "enabled" : "disabled");
        if (m == active) {
            fputs("  active member\n", f);
        }
        if (m->delay_expires != LLONG_MAX) {
            fprintf(f, "  %s expires in %lld ms\n",
                    m->enabled ? "downdelay" : "updelay",
                    m->delay_expires - now);
        }
        fprintf(f, "  may_enable: %s\n",
                eff != BOND_EFF_DISABLED && m->carrier ? "true" : "false");
        if (!bond_is_balanced(bond)) {
            continue;
        }
        /* As Open vSwitch: the buckets that carried 1 kB or more. */
        for (size_t b = 0; b < BOND_N_BUCKETS; b++) {
            if (bond->buckets[b] == m - bond->members
                && bond->load[b] >= 1024) {
                fprintf(f, "  hash %zu: %"PRIu64" kB load\n", b,
                        bond->load[b] / 1024);
            }
        }
    }
    free(sorted);
}

void
bond_format_list(const struct bond *const *bonds, size_t n, FILE *f)
{
    fputs("bond\ttype\trecircID\tmembers\n", f);
    for (size_t i = 0; i < n; i++) {
        const struct bond *bond = bonds[i];

        fprintf(f, "%s\t%s\t0\t", bond->name,
                bond_mode_to_string(bond->s.mode));
        for (size_t j = 0; j < bond->n_members; j++) {
            fprintf(f, "%s%s", j ? ", " : "", bond->members[j].name);
        }
        fputc('\n', f);
    }
}
