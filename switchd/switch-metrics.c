/* switch-metrics.c: xsw-switchd's Prometheus metrics (see
 * switch-metrics.h).
 *
 * The format wants each family's samples together, so each source is read
 * once into an array and written family by family. */
#include <config.h>
#include "switch-metrics.h"

#include <stdio.h>
#include <stdlib.h>

#include "bond.h"
#include "bridge.h"
#include "coverage.h"
#include "dp.h"
#include "metrics.h"
#include "util.h"

/* Per-interface counters: one family per field of struct dp_port_stats. */
static const struct {
    const char *name;
    size_t offset;
    const char *help;
} iface_counters[] = {
#define F(FIELD, HELP) \
    { "xsw_interface_" #FIELD "_total", \
      offsetof(struct dp_port_stats, FIELD), HELP }
    F(rx_packets, "Frames received from the interface."),
    F(rx_bytes, "Bytes of the frames received from the interface."),
    F(rx_dropped, "Frames received from the interface that its port's VLAN "
      "rules refused, or that a closed bridge or a bond's backup member "
      "took in."),
    F(rx_errors, "Frames received from the interface too short for "
      "Ethernet."),
    F(tx_packets, "Frames handed to the interface's driver to send."),
    F(tx_bytes, "Bytes of the frames handed to the interface's driver."),
    F(tx_dropped, "Frames lost on their way out of the interface (no "
      "buffers, or offloads that could not be done in software)."),
    F(tx_errors, "Frames the interface's driver failed to send."),
#undef F
};

static void
put_interfaces(struct metrics *m, struct dp *dp)
{
    size_t n;
    struct bridge_iface_info *ifaces = bridge_dump_ifaces(&n);
    struct dp_port_stats *stats = xcalloc(n + 1, sizeof *stats);

    for (size_t i = 0; i < n; i++) {
        if (ifaces[i].port_no) {
            dp_port_get_stats(dp, ifaces[i].port_no, &stats[i]);
        }
    }
    /* Counters only for the interfaces the datapath has: one that never
     * opened has counted nothing (its "statistics" column is empty too, as
     * ovs-vswitchd leaves it), and a series of zeros would hide that. */
    for (size_t c = 0; c < ARRAY_SIZE(iface_counters); c++) {
        metrics_family(m, iface_counters[c].name, METRICS_COUNTER,
                       iface_counters[c].help);
        for (size_t i = 0; i < n; i++) {
            const uint64_t *value = (const uint64_t *)
                ((const char *) &stats[i] + iface_counters[c].offset);

            if (ifaces[i].port_no) {
                metrics_put(m, *value, "bridge", ifaces[i].bridge,
                            "port", ifaces[i].port,
                            "interface", ifaces[i].interface, NULL);
            }
        }
    }
    /* Every configured interface, so that one xsw-switchd could not open
     * (or reports a setting it does not apply) is seen, and alerted on,
     * rather than being merely absent from the counters. */
    metrics_family(m, "xsw_interface_error", METRICS_GAUGE,
                   "1 if the interface's \"error\" column is set (it could "
                   "not be opened, or a setting of it is not applied: the "
                   "column says why), else 0.");
    for (size_t i = 0; i < n; i++) {
        metrics_put(m, ifaces[i].error, "bridge", ifaces[i].bridge,
                    "port", ifaces[i].port,
                    "interface", ifaces[i].interface, NULL);
    }
    free(stats);
    free(ifaces);
}

static void
put_fdbs(struct metrics *m, struct dp *dp)
{
    size_t n;
    char **bridges = bridge_dump_bridges(&n);
    struct fdb_stats *stats = xcalloc(n + 1, sizeof *stats);
    static const struct {
        const char *name;
        enum metrics_type type;
        const char *help;
    } families[] = {
        { "xsw_fdb_entries", METRICS_GAUGE,
          "MAC addresses in the bridge's forwarding database." },
        { "xsw_fdb_max_entries", METRICS_GAUGE,
          "The most MAC addresses the bridge's forwarding database holds "
          "(other_config:mac-table-size)." },
        { "xsw_fdb_learned_total", METRICS_COUNTER,
          "MAC addresses learned: entries added to the forwarding "
          "database." },
        { "xsw_fdb_moved_total", METRICS_COUNTER,
          "Learning events that moved a MAC address to another port." },
        { "xsw_fdb_expired_total", METRICS_COUNTER,
          "Entries removed from the forwarding database after "
          "mac-aging-time without traffic." },
        { "xsw_fdb_evicted_total", METRICS_COUNTER,
          "Entries removed from the full forwarding database to learn a "
          "new MAC address." },
    };

    for (size_t i = 0; i < n; i++) {
        dp_fdb_get_stats(dp, bridges[i], &stats[i]);
    }
    for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
        metrics_family(m, families[f].name, families[f].type,
                       families[f].help);
        for (size_t i = 0; i < n; i++) {
            const struct fdb_stats *s = &stats[i];
            double v = (f == 0 ? s->n_entries
                        : f == 1 ? s->max_entries
                        : f == 2 ? s->n_learned
                        : f == 3 ? s->n_moved
                        : f == 4 ? s->n_expired
                        : s->n_evicted);

            metrics_put(m, v, "bridge", bridges[i], NULL);
        }
    }
    for (size_t i = 0; i < n; i++) {
        free(bridges[i]);
    }
    free(bridges);
    free(stats);
}

static void
put_bonds(struct metrics *m)
{
    size_t n;
    struct bridge_bond_info *bonds = bridge_dump_bonds(&n);
    static const struct {
        const char *name;
        const char *help;
    } families[] = {
        { "xsw_bond_member_carrier",
          "1 if the bond member's link is up, else 0." },
        { "xsw_bond_member_enabled",
          "1 if the bond member is enabled (its link has been up for "
          "bond_updelay, and LACP does not keep it down), else 0." },
        { "xsw_bond_member_active",
          "1 if the bond member is the active one (it sends the bond's "
          "frames in active-backup mode, multicast in balance-slb), "
          "else 0." },
    };

    for (size_t f = 0; f < ARRAY_SIZE(families); f++) {
        metrics_family(m, families[f].name, METRICS_GAUGE, families[f].help);
        for (size_t i = 0; i < n; i++) {
            const struct bond *b = bonds[i].bond;

            for (size_t j = 0; j < b->n_members; j++) {
                const struct bond_member *mb = &b->members[j];
                bool v = (f == 0 ? mb->carrier
                          : f == 1 ? mb->enabled
                          : b->active == (int) j);

                metrics_put(m, v, "bridge", bonds[i].bridge, "port", b->name,
                            "interface", mb->name, NULL);
            }
        }
    }
    free(bonds);
}

static void
put_threads(struct metrics *m, struct dp *dp)
{
    unsigned int n = dp_get_n_threads(dp);
    struct dp_thread_stats *stats = xcalloc(n + 1, sizeof *stats);

    for (unsigned int i = 0; i < n; i++) {
        dp_thread_get_stats(dp, i, &stats[i]);
    }
    metrics_family(m, "xsw_forwarding_thread_busy_seconds_total",
                   METRICS_COUNTER,
                   "Time the forwarding thread spent in polling rounds that "
                   "found packets: receiving, switching and sending them.");
    for (unsigned int i = 0; i < n; i++) {
        char id[16];

        snprintf(id, sizeof id, "%u", i);
        metrics_put(m, stats[i].busy_nsec / 1e9, "thread", id, NULL);
    }
    metrics_family(m, "xsw_forwarding_thread_cpu_seconds_total",
                   METRICS_COUNTER,
                   "CPU time of the forwarding thread, as the kernel counts "
                   "it: its busy time and its busy polling while idle.");
    for (unsigned int i = 0; i < n; i++) {
        char id[16];

        snprintf(id, sizeof id, "%u", i);
        metrics_put(m, stats[i].cpu_nsec / 1e9, "thread", id, NULL);
    }
    free(stats);
}

void
switch_metrics_collect(struct metrics *m, void *aux OVS_UNUSED)
{
    struct dp *dp = bridge_get_dp();

    if (dp) {
        put_interfaces(m, dp);
        put_fdbs(m, dp);
        put_bonds(m);
        put_threads(m, dp);
    }
    coverage_put_metrics(m);
    metrics_put_process(m);
}
