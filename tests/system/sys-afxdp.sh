#!/bin/bash
# Two containers behind veth pairs whose switch-side ends are AF_XDP ports.
# The namespace ends keep the kernel's default TX checksum offload, so their
# TCP segments reach the switch with partial checksums: xsw must complete
# them (Open vSwitch 3.1 forwards them as they are and every TCP flow dies,
# while ping still works).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-afxdp
xt_need ping iperf3 ethtool
xt_start_switch
xt_ns a
xt_ns b
xt_attach_veth a 10.12.0.1/24
xt_attach_veth b 10.12.0.2/24

tx_csum_on() {
    xt_nsx "$1" ethtool -k xteth0 | grep -q '^tx-checksumming: on'
}
xt_require "a's veth has TX checksum offload on (the default)" tx_csum_on a
xt_require "b's veth has TX checksum offload on (the default)" tx_csum_on b
xt_require "a pings b through two AF_XDP ports" xt_wait_ping a 10.12.0.2 5
xt_check "b pings a" xt_ping b 10.12.0.1
xt_check "iperf3 TCP a -> b with partial checksums" xt_iperf a b 10.12.0.2 200
xt_check "iperf3 TCP b -> a with partial checksums" xt_iperf b a 10.12.0.1 200
xt_done
