/* coverage.h: event counters, as Open vSwitch's "coverage/show" prints
 * them.
 *
 * A file counts an event by defining a counter once and incrementing it
 * where the event happens:
 *
 *     COVERAGE_DEFINE(bridge_reconfigure);
 *     ...
 *     COVERAGE_INC(bridge_reconfigure);
 *
 * COVERAGE_INC() is one relaxed atomic add, safe from any thread; keep it
 * off per-packet paths all the same (a shared cache line).  coverage_run(),
 * called about once a second from the main loop, samples the totals every
 * 5 seconds, and "coverage/show" (coverage_register_unixctl()) prints each
 * counter that was ever hit with its average rate over the last 5 seconds,
 * minute and hour and its total, then how many were never hit:
 *
 *     Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=0c7e0a3d:
 *     bridge_reconfigure         0.2/sec     0.017/sec        0.0003/sec   total: 3
 *     2 events never hit
 *
 * Counters register themselves before main() (a constructor), so the list
 * is complete from the start. */
#ifndef XSW_COVERAGE_H
#define XSW_COVERAGE_H 1

#include <stdatomic.h>

#define COVERAGE_MIN_SLOTS 12       /* 5-second samples: a minute. */
#define COVERAGE_HR_SLOTS 60        /* Minute sums: an hour. */

struct coverage_counter {
    const char *name;
    _Atomic unsigned long long total;

    /* Sampling state, for coverage_run() and coverage/show only. */
    unsigned long long sampled;     /* 'total' at the last sample. */
    unsigned int min[COVERAGE_MIN_SLOTS];
    unsigned int hr[COVERAGE_HR_SLOTS];
};

void coverage_counter_register(struct coverage_counter *);

#define COVERAGE_DEFINE(NAME)                                           \
    static struct coverage_counter NAME##_count = { #NAME, 0, 0, {0},    \
                                                    {0} };               \
    __attribute__((constructor)) static void                            \
    NAME##_count_register(void)                                         \
    {                                                                   \
        coverage_counter_register(&NAME##_count);                       \
    }

#define COVERAGE_ADD(NAME, N)                                           \
    atomic_fetch_add_explicit(&NAME##_count.total, (N),                 \
                              memory_order_relaxed)
#define COVERAGE_INC(NAME) COVERAGE_ADD(NAME, 1)

/* Takes the 5-second samples that are due.  Call about once a second from
 * the thread that serves coverage/show. */
void coverage_run(void);

/* Registers "coverage/show" on the control socket. */
void coverage_register_unixctl(void);

/* Writes every counter's total, whether hit or not, as
 * xsw_coverage_events_total{event="NAME"} (metrics.h). */
struct metrics;
void coverage_put_metrics(struct metrics *);

#endif /* coverage.h */
