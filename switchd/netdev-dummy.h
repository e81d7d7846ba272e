/* netdev-dummy.h: the "dummy" port driver, an in-memory port for tests and
 * benchmarks, like Open vSwitch's netdev-dummy.  Register it with
 * netdev_register_class() and open it with netdev_open("dummy", ...).
 * Frames "received" come from netdev_dummy_receive() or from a generator;
 * frames sent are kept for netdev_dummy_pop_sent() or, in sink mode,
 * counted and dropped.  These functions may be called from any thread.
 * xsw-switchd itself never registers it. */
#ifndef XSW_SWITCHD_NETDEV_DUMMY_H
#define XSW_SWITCHD_NETDEV_DUMMY_H 1

#include <stdbool.h>
#include <stddef.h>

struct dp_packet;
struct dp_packet_offload;
struct netdev;

extern const struct netdev_class netdev_dummy_class;

/* Sets the capabilities the device claims (before it joins a datapath). */
void netdev_dummy_set_caps(struct netdev *, unsigned int caps);

/* Queues a copy of the 'size'-byte frame for recv_batch, with offload
 * metadata '*ol' (NULL: none). */
void netdev_dummy_receive(struct netdev *, const void *frame, size_t size,
                          const struct dp_packet_offload *ol);

/* Makes every recv_batch return a full batch of copies of 'frame', from a
 * preallocated pool, until called with 'frame' NULL.  Only while no
 * forwarding thread polls the device (before it joins a bridge). */
void netdev_dummy_set_generator(struct netdev *, const void *frame,
                                size_t size);

/* In sink mode, sent packets are counted and released at once. */
void netdev_dummy_set_sink(struct netdev *, bool sink);

/* Removes and returns the oldest packet sent and kept, or NULL; the
 * caller deletes it. */
struct dp_packet *netdev_dummy_pop_sent(struct netdev *);


#endif /* netdev-dummy.h */
