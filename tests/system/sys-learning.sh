#!/bin/bash
# MAC learning: once a and b have exchanged a frame, unicast between them
# goes only to the learned ports (a third port sees none of it); the
# entries are listed by fdb/show and age out after other_config:mac-aging-time,
# after which unicast to b is flooded again.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-learning
xt_need ping tcpdump
xt_start_switch
for n in a b c; do xt_ns $n; done
xt_attach_internal a 10.18.0.1/24
xt_attach_veth     b 10.18.0.2/24
xt_attach_veth     c 10.18.0.3/24
a_mac=$(xt_mac a)
b_mac=$(xt_mac b)

xt_require "a pings b (first exchange: ARP, learning)" xt_wait_ping a 10.18.0.2 5

xt_capture c c xteth0 -Q in icmp
xt_check "a pings b again" xt_ping a 10.18.0.2 5
at_c=$(xt_capture_stop c)
c_sees_none() {
    ! echo "$at_c" | grep 'ICMP'
}
xt_check "c sees none of the unicast between a and b" c_sees_none

fdb_lists() {
    xt_appctl fdb/show "$XT_BR" >"$XT_TMP/fdb" 2>&1 || { cat "$XT_TMP/fdb"; return 1; }
    local mac
    for mac in "$@"; do
        grep -qi "$mac" "$XT_TMP/fdb" || { echo "no $mac in:"; cat "$XT_TMP/fdb"; return 1; }
    done
}
fdb_lacks() {
    xt_appctl fdb/show "$XT_BR" >"$XT_TMP/fdb" 2>&1 || { cat "$XT_TMP/fdb"; return 1; }
    ! grep -i "$1" "$XT_TMP/fdb"
}
xt_check "fdb/show lists a's and b's MACs" fdb_lists "$a_mac" "$b_mac"
fdb_header() {
    xt_appctl fdb/show "$XT_BR" | head -n 1 | grep -q '^ port  VLAN  MAC  *Age$'
}
xt_check "fdb/show has ovs-appctl's header" fdb_header

# Aging: with a short aging time and no traffic, both entries go.
xt_vsctl set Bridge "$XT_BR" other_config:mac-aging-time=3 ||
    xt_fail "cannot set mac-aging-time"
xt_check "a's entry ages out within 15 s of silence" \
    xt_wait_for 15 fdb_lacks "$a_mac"
xt_check "b's entry ages out too" xt_wait_for 5 fdb_lacks "$b_mac"

# Unknown again, unicast to b is flooded: c sees a's next echo request.
xt_capture c2 c xteth0 -Q in icmp
xt_ping a 10.18.0.2 1
at_c=$(xt_capture_stop c2)
c_sees_flood() {
    echo "$at_c" | grep -q "$a_mac > $b_mac, .*echo request" ||
        { echo "c captured:"; echo "$at_c"; return 1; }
}
xt_check "after aging, unicast to b is flooded again (c sees it)" c_sees_flood
xt_done
