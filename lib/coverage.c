/* coverage.c: event counters (see coverage.h). */
#include <config.h>
#include "coverage.h"

#include <stdlib.h>
#include <string.h>

#include "ds.h"
#include "hash.h"
#include "metrics.h"
#include "timeval.h"
#include "unixctl.h"
#include "util.h"

#define COVERAGE_RUN_INTERVAL_MS 5000

static struct coverage_counter **counters;
static size_t n_counters, allocated_counters;

/* Samples taken so far; the next one is due at 'next_msec'. */
static unsigned long long n_samples;
static long long next_msec;

void
coverage_counter_register(struct coverage_counter *c)
{
    if (n_counters >= allocated_counters) {
        counters = x2nrealloc(counters, &allocated_counters,
                              sizeof *counters);
    }
    counters[n_counters++] = c;
}

static unsigned long long
array_sum(const unsigned int *a, size_t n)
{
    unsigned long long sum = 0;

    for (size_t i = 0; i < n; i++) {
        sum += a[i];
    }
    return sum;
}

/* One 5-second sample: the events since the last one go into the minute's
 * slots, and each full minute into the hour's. */
static void
coverage_sample(void)
{
    size_t m = n_samples % COVERAGE_MIN_SLOTS;
    size_t h = (n_samples / COVERAGE_MIN_SLOTS) % COVERAGE_HR_SLOTS;

    for (size_t i = 0; i < n_counters; i++) {
        struct coverage_counter *c = counters[i];
        unsigned long long total = atomic_load_explicit(
            &c->total, memory_order_relaxed);

        c->min[m] = total - c->sampled;
        c->sampled = total;
        if (m == COVERAGE_MIN_SLOTS - 1) {
            c->hr[h] = array_sum(c->min, COVERAGE_MIN_SLOTS);
        }
    }
    n_samples++;
}

void
coverage_run(void)
{
    long long now = time_msec();

    if (!next_msec) {
        next_msec = now + COVERAGE_RUN_INTERVAL_MS;
        return;
    }
    while (now >= next_msec) {
        coverage_sample();
        next_msec += COVERAGE_RUN_INTERVAL_MS;
    }
}

static int
compare_counters(const void *a_, const void *b_)
{
    const struct coverage_counter *const *a = a_, *const *b = b_;
    return strcmp((*a)->name, (*b)->name);
}

static void
coverage_show_cmd(struct unixctl_conn *conn, int argc OVS_UNUSED,
                  const char *argv[] OVS_UNUSED, void *aux OVS_UNUSED)
{
    struct ds ds = DS_EMPTY_INITIALIZER;
    size_t last = (n_samples + COVERAGE_MIN_SLOTS - 1) % COVERAGE_MIN_SLOTS;
    size_t n_never_hit = 0;
    uint32_t hash = 0;

    qsort(counters, n_counters, sizeof *counters, compare_counters);
    for (size_t i = 0; i < n_counters; i++) {
        if (atomic_load_explicit(&counters[i]->total, memory_order_relaxed)) {
            hash = hash_string(counters[i]->name, hash);
        }
    }
    ds_put_format(&ds, "Event coverage, avg rate over last: %d seconds, "
                  "last minute, last hour,  hash=%08x:\n",
                  COVERAGE_RUN_INTERVAL_MS / 1000, (unsigned int) hash);
    for (size_t i = 0; i < n_counters; i++) {
        const struct coverage_counter *c = counters[i];
        unsigned long long total = atomic_load_explicit(
            &c->total, memory_order_relaxed);

        if (!total) {
            n_never_hit++;
            continue;
        }
        ds_put_format(&ds, "%-24s %5.1f/sec %9.3f/sec %13.4f/sec   "
                      "total: %llu\n", c->name,
                      n_samples ? c->min[last] * 1000.0
                                  / COVERAGE_RUN_INTERVAL_MS : 0.0,
                      array_sum(c->min, COVERAGE_MIN_SLOTS) / 60.0,
                      array_sum(c->hr, COVERAGE_HR_SLOTS) / 3600.0, total);
    }
    ds_put_format(&ds, "%zu events never hit\n", n_never_hit);
    unixctl_command_reply(conn, ds_cstr(&ds));
    ds_destroy(&ds);
}

void
coverage_register_unixctl(void)
{
    unixctl_command_register("coverage/show", "", 0, 0, coverage_show_cmd,
                             NULL);
}

void
coverage_put_metrics(struct metrics *m)
{
    qsort(counters, n_counters, sizeof *counters, compare_counters);
    metrics_family(m, "xsw_coverage_events_total", METRICS_COUNTER,
                   "Events counted for coverage/show, by name (Open "
                   "vSwitch's coverage counters).");
    for (size_t i = 0; i < n_counters; i++) {
        metrics_put(m, atomic_load_explicit(&counters[i]->total,
                                            memory_order_relaxed),
                    "event", counters[i]->name, NULL);
    }
}
