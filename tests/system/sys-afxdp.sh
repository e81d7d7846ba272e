#!/bin/bash
# Two containers behind veth pairs whose switch-side ends are AF_XDP ports.
# The namespace ends keep the kernel's default TX checksum offload, so their
# TCP segments reach the switch with partial checksums: xsw must complete
# them (Open vSwitch 3.1 forwards them as they are and every TCP flow dies,
# while ping still works).  Also: other_config:busy-poll-usec changes how
# long the forwarding threads spin after traffic, at run time.
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

# other_config:busy-poll-usec: how long the forwarding threads keep
# polling after the last packet before they sleep, changed at run time.
# CPU ticks (1/CLK_TCK s) the switch daemon used in the second after a
# few pings: a second of spinning shows, an immediate sleep does not.
cpu_after_pings() {
    local c0 c1
    c0=$(sed 's/.*) //' "/proc/$XT_SWITCHD_PID/stat" | awk '{print $12 + $13}')
    xt_ping a 10.12.0.2 2 || return 1
    sleep 1
    c1=$(sed 's/.*) //' "/proc/$XT_SWITCHD_PID/stat" | awk '{print $12 + $13}')
    echo $((c1 - c0))
}
hz=$(getconf CLK_TCK)
busy_poll_spins() {
    local ticks
    xt_vsctl set Open_vSwitch . other_config:busy-poll-usec=1000000 || return 1
    ticks=$(cpu_after_pings) || return 1
    echo "busy-poll-usec=1000000: $ticks ticks of $hz in the second after a ping"
    [ "$ticks" -ge $((hz / 5)) ]
}
busy_poll_sleeps() {
    local ticks
    xt_vsctl set Open_vSwitch . other_config:busy-poll-usec=0 || return 1
    ticks=$(cpu_after_pings) || return 1
    echo "busy-poll-usec=0: $ticks ticks of $hz in the second after a ping"
    [ "$ticks" -le $((hz / 10)) ]
}
bad_busy_poll_is_logged() {
    xt_vsctl set Open_vSwitch . other_config:busy-poll-usec=soon || return 1
    xt_wait_for 5 grep -q 'busy-poll-usec="soon" is not an integer' \
        "$XT_TMP/switchd.log"
}
xt_check "busy-poll-usec=1000000 keeps the threads spinning after a ping" \
    busy_poll_spins
xt_check "busy-poll-usec=0 lets them sleep at once" busy_poll_sleeps
xt_check "a malformed busy-poll-usec is logged" bad_busy_poll_is_logged
xt_check "and forwarding goes on with the default" xt_ping a 10.12.0.2
xt_vsctl remove Open_vSwitch . other_config busy-poll-usec
xt_done
