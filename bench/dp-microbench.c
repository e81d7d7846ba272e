/* dp-microbench: how many 64-byte frames per second the datapath moves
 * between two in-memory ports, with no driver cost but a 64-byte copy per
 * received frame.  It measures the per-packet path: parsing, VLAN rules,
 * learning and lookup, batching, transmit queues.
 *
 *     bench/dp-microbench [SECONDS] [THREADS]
 */
#include <config.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "dp.h"
#include "netdev-dummy.h"
#include "netdev.h"
#include "timeval.h"
#include "util.h"

struct scenario {
    const char *name;
    const char *mode1, *mode2;     /* vlan_mode of ports 1 and 2. */
    int tag1, tag2;
    int vid;                       /* Tag of the generated frames, or -1. */
    bool learned;                  /* Destination MAC known? */
};

static const struct scenario scenarios[] = {
    { "unicast, no VLAN", NULL, NULL, -1, -1, -1, true },
    { "unicast, access -> trunk (push tag)", "access", "trunk", 10, -1, -1,
      true },
    { "unicast, trunk -> access (pop tag)", "trunk", "access", -1, 10, 10,
      true },
    { "unknown unicast (flood to 1 port)", NULL, NULL, -1, -1, -1, false },
};

static void NO_RETURN
fail(const char *what, int error)
{
    fprintf(stderr, "dp-microbench: %s: %s\n", what, strerror(error));
    exit(1);
}

static double
run(const struct scenario *sc, double seconds, unsigned int n_threads)
{
    struct dp *dp = dp_create(n_threads);
    struct netdev *p1, *p2;
    uint32_t no1 = 0, no2 = 0;
    struct vlan_config vc;
    struct dp_config *cfg;
    struct dp_port_stats s0, s1;
    uint8_t frame[64] = { 0x02, 0, 0, 0, 0, 2,  0x02, 0, 0, 0, 0, 1 };
    uint8_t learn[64] = { 0x02, 0, 0, 0, 0, 1,  0x02, 0, 0, 0, 0, 2 };
    size_t l2 = 12;
    int error;

    if ((error = netdev_open("dummy", "p1", NULL, &p1, NULL))
        || (error = netdev_open("dummy", "p2", NULL, &p2, NULL))) {
        fail("netdev_open", error);
    }
    netdev_dummy_set_sink(p2, true);
    if (sc->vid >= 0) {
        frame[l2++] = 0x81;
        frame[l2++] = 0x00;
        frame[l2++] = sc->vid >> 8;
        frame[l2++] = sc->vid;
    }
    frame[l2] = 0x88;
    frame[l2 + 1] = 0xb5;
    learn[12] = 0x88;
    learn[13] = 0xb5;
    netdev_dummy_set_generator(p1, frame, 60);   /* 64 with the FCS. */
    if ((error = dp_port_add(dp, p1, &no1))
        || (error = dp_port_add(dp, p2, &no2))) {
        fail("dp_port_add", error);
    }

    cfg = dp_config_create();
    dp_config_add_bridge(cfg, "br0", 0, 0);
    vlan_config_init(&vc, sc->mode1, sc->tag1, NULL, 0);
    dp_config_add_port(cfg, "br0", no1, &vc);
    vlan_config_init(&vc, sc->mode2, sc->tag2, NULL, 0);
    dp_config_add_port(cfg, "br0", no2, &vc);
    if (sc->learned) {
        /* Learn MAC 2 on port 2 first, before port 1 floods. */
        netdev_dummy_receive(p2, learn, 60, NULL);
    }
    if ((error = dp_commit(dp, cfg))) {
        fail("dp_commit", error);
    }

    usleep(200000);                              /* Warm up. */
    dp_port_get_stats(dp, no2, &s0);
    double t0 = time_sec();
    usleep(seconds * 1e6);
    dp_port_get_stats(dp, no2, &s1);
    double t1 = time_sec();

    dp_commit(dp, dp_config_create());           /* Stop the generator. */
    dp_destroy(dp);
    return (s1.tx_packets - s0.tx_packets) / (t1 - t0);
}

int
main(int argc, char *argv[])
{
    double seconds = argc > 1 ? atof(argv[1]) : 2.0;
    unsigned int n_threads = argc > 2 ? atoi(argv[2]) : 1;
    int error = netdev_register_class(&netdev_dummy_class);

    if (error) {
        fail("netdev_register_class", error);
    }
    printf("64-byte frames, port 1 -> port 2, %u forwarding thread(s)\n",
           n_threads);
    for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++) {
        double pps = run(&scenarios[i], seconds, n_threads);
        printf("  %-40s %7.2f Mpps\n", scenarios[i].name, pps / 1e6);
    }
    return 0;
}
