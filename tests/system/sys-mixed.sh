#!/bin/bash
# One container on an internal port (a TAP moved into it), one behind a
# veth pair on an AF_XDP port, offloads at their defaults: traffic between
# the two kinds of port needs the switch to translate offloads (TSO super-
# frames from the TAP are segmented for the veth, partial checksums from
# the veth are completed).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-mixed
xt_need ping iperf3
xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal a 10.15.0.1/24
xt_attach_veth b 10.15.0.2/24

xt_require "internal a pings veth b" xt_wait_ping a 10.15.0.2 5
xt_check "veth b pings internal a" xt_ping b 10.15.0.1
xt_check "large pings a -> b (8000 bytes, fragmented)" \
    timeout 10 ip netns exec "${XT}a" ping -q -c 3 -i 0.2 -W 2 -s 8000 10.15.0.2
xt_check "iperf3 TCP internal -> veth" xt_iperf a b 10.15.0.2
xt_check "iperf3 TCP veth -> internal" xt_iperf b a 10.15.0.1
xt_done
