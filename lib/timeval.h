/* timeval.h: the clocks xsw reads, each written once.
 *
 * Timeouts, deadlines, rate limits and ages use the monotonic clock, which
 * neither NTP nor an administrator can step; only log timestamps use the
 * wall clock.  Open vSwitch has the same helpers in lib/timeval.c, under
 * the same names (time_msec(), time_wall_msec()).
 *
 * Code on the libuv loop should keep using uv_now(): the loop's cached
 * time, which is what its timers are measured against.  These are for
 * everything else: blocking clients, log rate limits, the forwarding
 * threads.
 *
 * They are inline because switchd/dp.c's forwarding threads read
 * time_nsec() on every empty busy-polling round and time_coarse_msec() on
 * every batch: each stays one vDSO read, as when dp.c had its own copies,
 * with no call into libxsw added to the hot path. */
#ifndef XSW_TIMEVAL_H
#define XSW_TIMEVAL_H 1

#include <stdint.h>
#include <time.h>

/* Milliseconds on the monotonic clock (from an arbitrary start). */
static inline long long int
time_msec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Nanoseconds on the monotonic clock. */
static inline uint64_t
time_nsec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC, &ts);
    return ts.tv_sec * UINT64_C(1000000000) + ts.tv_nsec;
}

/* Seconds on the monotonic clock, for deadlines given in seconds. */
static inline double
time_sec(void)
{
    return time_nsec() / 1e9;
}

/* Milliseconds on the coarse monotonic clock: a vDSO read with no fence, a
 * few ns, with a resolution of a few ms (the kernel tick), plenty for aging
 * MAC entries and periodic work. */
static inline long long int
time_coarse_msec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_MONOTONIC_COARSE, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

/* Milliseconds since the epoch on the wall clock, for log timestamps. */
static inline long long int
time_wall_msec(void)
{
    struct timespec ts;

    clock_gettime(CLOCK_REALTIME, &ts);
    return ts.tv_sec * 1000LL + ts.tv_nsec / 1000000;
}

#endif /* timeval.h */
