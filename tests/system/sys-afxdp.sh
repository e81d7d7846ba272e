#!/bin/bash
# Two containers behind veth pairs whose switch-side ends are AF_XDP ports.
# The namespace ends keep the kernel's default TX checksum offload, so their
# TCP segments reach the switch with partial checksums: xsw must complete
# them (Open vSwitch 3.1 forwards them as they are and every TCP flow dies,
# while ping still works).  Where the kernel has AF_XDP TX metadata (Linux
# 6.11), xsw does not complete them itself but hands them to the kernel
# with the frame: checked from behind a router namespace c whose uplink has
# checksum offload off, so that b's kernel must finish every checksum from
# xsw's csum_start/csum_offset before c verifies it.  Also:
# other_config:busy-poll-usec changes how long the forwarding threads spin
# after traffic, at run time.
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
xt_check "iperf3 TCP a -> b with partial checksums" xt_iperf a b 10.12.0.2
xt_check "iperf3 TCP b -> a with partial checksums" xt_iperf b a 10.12.0.1

# Who finishes partial checksums on the way out of an AF_XDP port: the
# kernel, through AF_XDP TX metadata, from Linux 6.11 on; xsw itself on an
# older kernel.  Each port says so in the log when it opens.
if printf '6.11\n%s\n' "$(uname -r)" | sort -VC; then
    tx_csum=kernel
else
    tx_csum=software
fi
tx_csum_logged() {
    local port
    for port in "$@"; do
        xt_wait_for 5 grep -q "|$port: AF_XDP tx checksum offload: $tx_csum" \
            "$XT_TMP/switchd.log" ||
            { grep "$port: AF_XDP tx checksum" "$XT_TMP/switchd.log";
              return 1; }
    done
    echo "$tx_csum"
}
xt_check "the AF_XDP ports log who completes TX checksums" \
    tx_csum_logged "${XT}a" "${XT}b"

# Container c sits behind b, which routes: b's link to c has TX checksum
# offload off, so b's kernel completes every checksum before c sees it,
# and c's stack verifies it.  Whatever xsw sends towards b must therefore
# carry a correct checksum or correct csum_start/csum_offset metadata.
xt_ns c
ip -n "${XT}b" link add xtc0 type veth peer name xteth0 netns "${XT}c" ||
    xt_fail "cannot create a veth pair between b and c"
xt_nsx b ethtool -K xtc0 tx off >/dev/null || xt_fail "cannot turn tx off"
xt_nsx b sysctl -qw net.ipv4.ip_forward=1 || xt_fail "cannot route in b"
xt_ns_nic_up b xtc0 10.13.0.1/24
xt_ns_nic_up c xteth0 10.13.0.2/24
XT_DEV[b]=xteth0
ip -n "${XT}c" route add default via 10.13.0.1 &&
    ip -n "${XT}a" route add 10.13.0.0/24 via 10.12.0.2 ||
    xt_fail "cannot set routes through b"
xt_require "a pings c through the switch and router b" \
    xt_wait_ping a 10.13.0.2 5

# udp_intact FROM TO ADDR: a 1200-byte UDP datagram from container FROM
# (whose NIC leaves the checksum partial) reaches ADDR in container TO,
# byte for byte; a bad checksum would have it dropped on the way.
udp_intact() {
    local from=$1 to=$2 addr=$3 pid
    xt_bg "udp-$to" ip netns exec "$XT$to" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.bind((sys.argv[1], 5555))
s.settimeout(5)
data = s.recv(65536)
sys.exit(0 if data == bytes(i % 251 for i in range(1200)) else "garbled")
' "$addr"
    pid=$XT_LAST_PID
    xt_wait_for 5 ip netns exec "$XT$to" sh -c "ss -lun | grep -q ':5555 '" ||
        { echo "UDP receiver did not start"; return 1; }
    ip netns exec "$XT$from" /usr/bin/python3 -c '
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.sendto(bytes(i % 251 for i in range(1200)), (sys.argv[1], 5555))
' "$addr" || return 1
    wait "$pid" || { cat "$XT_TMP/udp-$to.stderr"; return 1; }
}

# What tcpdump says of the UDP checksums in capture NAME.
udp_csum_seen() {
    tcpdump -r "$XT_TMP/$1.pcap" -nn -vv 2>/dev/null |
        grep -o 'bad udp cksum\|udp sum ok'
}
# The same datagram as b's NIC sees it: with the kernel finishing the
# checksum, it arrives still partial (CHECKSUM_PARTIAL, which tcpdump
# calls bad); completed by xsw, it is already right.  At c it must be
# right in any case.
udp_csum_path() {
    local at_b at_c want_b
    xt_capture ub b xteth0 udp port 5555
    xt_capture uc c xteth0 udp port 5555
    udp_intact a c 10.13.0.2 || return 1
    xt_capture_stop ub >/dev/null
    xt_capture_stop uc >/dev/null
    at_b=$(udp_csum_seen ub)
    at_c=$(udp_csum_seen uc)
    [ "$tx_csum" = kernel ] && want_b='bad udp cksum' || want_b='udp sum ok'
    echo "checksum at b: ${at_b:-none} (xsw: $tx_csum), at c: ${at_c:-none}"
    [ "$at_b" = "$want_b" ] && [ "$at_c" = 'udp sum ok' ]
}
xt_check "UDP a -> c with a partial checksum arrives intact" \
    udp_intact a c 10.13.0.2
xt_check "its checksum is finished by the $tx_csum, correctly" udp_csum_path
xt_check "iperf3 TCP a -> c through router b" xt_iperf a c 10.13.0.2

# Generic (SKB) mode transmits through the same kernel path.
xt_vsctl set Interface "${XT}b" options:xdp-mode=generic
b_is_generic() {
    xt_vsctl get Interface "${XT}b" status | grep -q 'xdp-mode=generic'
}
b_reopen_logged() {
    [ "$(grep -c "|${XT}b: AF_XDP tx checksum offload: $tx_csum" \
         "$XT_TMP/switchd.log")" -ge 2 ]
}
generic_reopened() {
    xt_wait_for 10 b_is_generic && xt_wait_for 5 b_reopen_logged
}
xt_require "b reopens in generic mode, with the same TX checksum path" \
    generic_reopened
xt_require "a pings c again" xt_wait_ping a 10.13.0.2 5
xt_check "in generic mode, UDP a -> c arrives intact" udp_intact a c 10.13.0.2
xt_check "in generic mode, iperf3 TCP a -> c" xt_iperf a c 10.13.0.2
xt_vsctl remove Interface "${XT}b" options xdp-mode

# other_config:busy-poll-usec: how long the forwarding threads keep
# polling after the last packet before they sleep, changed at run time.
# What is sampled is the forwarding threads' scheduler state, 10 times in
# the half second after a few pings: R (spinning, on a CPU or waiting for
# one) or S (asleep in poll()).  Not CPU time: on a busy machine a spinning
# thread gets a small share of a core, but it stays runnable.  Builtins
# only, so that sampling is quick on a loaded machine too.
fwd_runnable=0
sample_fwd_threads() {
    local task comm stat
    fwd_runnable=0
    for task in /proc/"$XT_SWITCHD_PID"/task/*; do
        read -r comm <"$task/comm" 2>/dev/null || continue
        case $comm in xsw-fwd*) ;; *) continue ;; esac
        read -r stat <"$task/stat" 2>/dev/null || continue
        stat=${stat##*) }
        case $stat in R*) fwd_runnable=1 ;; esac
    done
}
# busy_poll_samples USEC OP LIMIT: with busy-poll-usec=USEC, the number of
# samples in which a forwarding thread was runnable compares with LIMIT as
# test(1)'s OP says.
busy_poll_samples() {
    local i n=0
    xt_vsctl set Open_vSwitch . other_config:busy-poll-usec="$1" || return 1
    xt_ping a 10.12.0.2 2 || return 1
    for i in 1 2 3 4 5 6 7 8 9 10; do
        sample_fwd_threads
        n=$((n + fwd_runnable))
        sleep 0.04
    done
    echo "busy-poll-usec=$1: a forwarding thread runnable in $n of 10 samples"
    [ "$n" "$2" "$3" ]
}
bad_busy_poll_is_logged() {
    xt_vsctl set Open_vSwitch . other_config:busy-poll-usec=soon || return 1
    xt_wait_for 5 grep -q 'busy-poll-usec="soon" is not an integer' \
        "$XT_TMP/switchd.log"
}
xt_check "busy-poll-usec=1000000 keeps the threads spinning after a ping" \
    busy_poll_samples 1000000 -ge 7
xt_check "busy-poll-usec=0 lets them sleep at once" \
    busy_poll_samples 0 -le 2
xt_check "a malformed busy-poll-usec is logged" bad_busy_poll_is_logged
xt_check "and forwarding goes on with the default" xt_ping a 10.12.0.2
xt_vsctl remove Open_vSwitch . other_config busy-poll-usec
xt_done
