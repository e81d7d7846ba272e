/* switch-metrics.h: xsw-switchd's Prometheus metrics.
 *
 * What "GET /metrics" answers on xsw-switchd --metrics=ptcp:PORT[:IP] (the
 * format and the HTTP are lib/metrics.h's): per interface, the datapath's
 * counters (if the datapath has it) and whether its "error" column is set
 * (as the switch's replica of the database has it); per bridge, its forwarding database; per bond member, its
 * state; per forwarding thread, its busy and CPU time; the process.
 * README.md lists every metric.
 *
 * Everything is read the way dpif/show, fdb/stats-show and bond/show read
 * it: relaxed atomic loads of the counters the forwarding threads add to,
 * the fdb's statistics under the lock a forwarding thread takes once per
 * batch (a few loads, as fdb/stats-show), and the bonds' state, which is
 * the control thread's own.  A scrape adds no lock and no work to the fast
 * path. */
#ifndef XSW_SWITCHD_SWITCH_METRICS_H
#define XSW_SWITCHD_SWITCH_METRICS_H 1

struct metrics;

/* A metrics_collect_cb (metrics.h): writes all of them into 'm'. */
void switch_metrics_collect(struct metrics *m, void *aux);

#endif /* switch-metrics.h */
