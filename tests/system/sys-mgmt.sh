#!/bin/bash
# The host management port: the host's IP lives on the bridge's own internal
# port.  So that no address is ever configured in the machine's root
# namespace, the bridge's port moves into a namespace that plays the host.
# The host reaches a container behind a veth/AF_XDP port, and its frames
# carry the internal port's MAC both ways (an AF_PACKET-style attachment
# would let the kernel answer with the uplink's MAC instead).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-mgmt
xt_need ping tcpdump
xt_start_switch
xt_ns host
xt_ns b
ip link set "$XT_BR" netns "${XT}host" || xt_fail "cannot move $XT_BR into ${XT}host"
xt_ns_nic_up host "$XT_BR" 10.16.0.1/24
xt_attach_veth b 10.16.0.2/24

br_mac=$(xt_mac host)
b_mac=$(xt_mac b)
xt_log "bridge port $XT_BR has MAC $br_mac; b has $b_mac"

xt_capture host host "$XT_BR" icmp
xt_capture b b xteth0 icmp
xt_require "the host pings b from the bridge's internal port" \
    xt_wait_ping host 10.16.0.2 5
xt_ping host 10.16.0.2 3
at_host=$(xt_capture_stop host)
at_b=$(xt_capture_stop b)

# tcpdump -e prints "SRC > DST, ethertype IPv4 ..., ... ICMP echo request".
# Every frame of KIND in CAPTURE goes from SRC to DST, and there is one.
frames_between() {
    local capture=$1 kind=$2 src=$3 dst=$4
    if echo "$capture" | grep "$kind" | grep -q " $src > $dst," &&
       ! echo "$capture" | grep "$kind" | grep -v " $src > $dst,"; then
        return 0
    fi
    echo "expected $kind from $src to $dst, captured:"
    echo "$capture"
    return 1
}
xt_check "b receives the echo requests from the internal port's MAC" \
    frames_between "$at_b" 'echo request' "$br_mac" "$b_mac"
xt_check "the replies reach the host addressed to the internal port's MAC" \
    frames_between "$at_host" 'echo reply' "$b_mac" "$br_mac"

mac_in_use() {
    local m
    m=$(xt_vsctl get Interface "$XT_BR" mac_in_use | tr -d '"')
    [ "$m" = "$br_mac" ] || { echo "mac_in_use is $m, the device has $br_mac"; return 1; }
}
xt_check "the database's mac_in_use is the moved port's MAC" mac_in_use

fdb_has() {
    xt_appctl fdb/show "$XT_BR" | tee "$XT_TMP/fdb" | grep -qi "$1" ||
        { cat "$XT_TMP/fdb"; return 1; }
}
xt_check "the fdb learned the host's MAC" fdb_has "$br_mac"
xt_check "the fdb learned b's MAC" fdb_has "$b_mac"
xt_done
