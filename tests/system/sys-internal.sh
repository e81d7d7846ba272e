#!/bin/bash
# Two containers on internal ports: the bridge's TAP devices, moved into
# two namespaces, carry ping and TCP (with the TAPs' TSO/checksum offloads).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-internal
xt_need ping iperf3
xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal a 10.11.0.1/24
xt_attach_internal b 10.11.0.2/24

xt_require "a pings b through two internal ports" xt_ping a 10.11.0.2
xt_check "b pings a" xt_ping b 10.11.0.1
xt_check "iperf3 TCP a -> b" xt_iperf a b 10.11.0.2
xt_check "iperf3 TCP b -> a" xt_iperf b a 10.11.0.1
xt_done
