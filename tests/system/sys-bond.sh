#!/bin/bash
# Bonds (a Port with several Interfaces, made by ovs-vsctl add-bond):
#
#   active-backup: namespace a has a Linux active-backup bond (or, without
#   the bonding module, a Linux bridge) over two veths whose other ends form
#   the xsw bond; b sits on an internal port.  Ping and
#   TCP go across; when the active member's link goes down, traffic resumes
#   on the other member within seconds and Port.bond_active_slave follows;
#   when it comes back, bond-primary makes it active again and xsw sends
#   learning packets for b's MAC over it.  With lacp=active
#   (xsw speaks no LACP) the bond forwards nothing and says why, unless
#   other_config:lacp-fallback-ab=true.
#
#   balance-slb: a second bond leads to namespace u, a Linux bridge with both
#   links (two ports of an upstream switch); c and d behind xsw, with MACs
#   that hash to different buckets, ping u: each member transmits (both
#   members' Interface statistics tx_packets grow), and the frames that the
#   bridge floods back over the other link are not taken back in.  A host
#   that moves from behind xsw to u and announces itself with a gratuitous
#   ARP is reachable at once; the gratuitous ARPs of hosts behind xsw,
#   reflected by u, do not move them.  bond/list lists both bonds.  A bad
#   bond-detect-mode is warned about; miimon works as carrier does.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-bond
xt_need ping iperf3
modprobe bonding 2>/dev/null || true
xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal b 10.19.0.2/24

# a: a Linux active-backup bond over xtb1/xtb2, whose peers m1/m2 are the
# xsw bond's members.  Both sides prefer link 1, so that the two
# active-backup bonds use the same link.  A kernel without bonding gets a
# Linux bridge over both links instead: two ports of an upstream switch,
# what an active-backup bond is meant for.
m1=${XT}m1 m2=${XT}m2 bond=${XT}bond
if ip -n "${XT}a" link add xtbond type bond mode active-backup miimon 100 \
       2>/dev/null; then
    a_kind=bond
else
    xt_log "no bonding in this kernel: a uses a Linux bridge over both links"
    ip -n "${XT}a" link add xtbond type bridge ||
        xt_fail "cannot create a Linux bridge either"
    a_kind=bridge
fi
for i in 1 2; do
    ip link add "${XT}m$i" type veth peer name "xtb$i" netns "${XT}a" ||
        xt_fail "cannot create veth pair ${XT}m$i"
    sysctl -qw "net.ipv6.conf.${XT}m$i.disable_ipv6=1" >/dev/null 2>&1
    ip link set "${XT}m$i" up
    ip -n "${XT}a" link set "xtb$i" master xtbond ||
        xt_fail "cannot enslave xtb$i"
    ip -n "${XT}a" link set "xtb$i" up
done
if [ "$a_kind" = bond ]; then
    ip -n "${XT}a" link set xtbond type bond primary xtb1
fi
xt_ns_nic_up a xtbond 10.19.0.1/24
xt_vsctl add-bond "$XT_BR" "$bond" "$m1" "$m2" \
    other_config:bond-primary="$m1" || xt_fail "add-bond failed"

mac_of() { ip -o link show "$1" | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'; }
active_slave() { xt_vsctl get Port "$1" bond_active_slave | tr -d '"'; }
active_is() {
    local got
    got=$(active_slave "$1")
    [ "$got" = "$2" ] || { echo "bond_active_slave is $got, not $2"; return 1; }
}
bond_show_has() {
    local out
    out=$(xt_appctl bond/show "$1") || { echo "$out"; return 1; }
    shift
    local want
    for want in "$@"; do
        echo "$out" | grep -qx -- "$want" ||
            { echo "no line '$want' in:"; echo "$out"; return 1; }
    done
}

xt_check "bond/show: active-backup, both members enabled, $m1 active" \
    xt_wait_for 10 bond_show_has "$bond" "bond_mode: active-backup" \
    "member $m1: enabled" "member $m2: enabled" "  active member" \
    "active member mac: $(mac_of "$m1")($m1)"
xt_check "bond_active_slave is $m1's MAC" \
    xt_wait_for 10 active_is "$bond" "$(mac_of "$m1")"
xt_require "a pings b across the xsw bond" \
    xt_wait_ping a 10.19.0.2 10
xt_check "TCP from a to b" xt_iperf a b 10.19.0.2

# Failover: the active member's link goes down on the switch side.
ip link set "$m1" down
xt_check "after $m1 goes down, a pings b again within 5 s" \
    xt_wait_ping a 10.19.0.2 5
xt_check "bond_active_slave changes to $m2's MAC" \
    xt_wait_for 5 active_is "$bond" "$(mac_of "$m2")"
xt_check "bond/show: $m1 disabled, $m2 active" \
    bond_show_has "$bond" "member $m1: disabled" \
    "active member mac: $(mac_of "$m2")($m2)"
xt_check "TCP from a to b over $m2" xt_iperf a b 10.19.0.2

# It comes back: the primary is active again, and xsw announces the MACs
# behind it on that link with learning packets (RARPs, as Open vSwitch
# sends), once, when it sees the carrier.  tcpdump on a's end of the link
# sees them whatever a does with them.
b_mac=$(ip -n "${XT}b" -o link show "${XT}b" |
        sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')
xt_capture learn a xtb1 rarp
ip link set "$m1" up
xt_check "after $m1 comes back, bond_active_slave is $m1's MAC again" \
    xt_wait_for 10 active_is "$bond" "$(mac_of "$m1")"
learning_packet_seen() {
    tcpdump -r "$XT_TMP/learn.pcap" -e -nn 2>/dev/null |
        grep -q " $b_mac > ff:ff:ff:ff:ff:ff"
}
xt_check "...and sent a learning packet for b's MAC ($b_mac) over $m1" \
    xt_wait_for 5 learning_packet_seen
xt_capture_stop learn >/dev/null
if [ "$a_kind" = bridge ]; then
    # A Linux bridge enables its port only when the kernel gets round to
    # the link's carrier change, and drops what comes in before: possibly
    # that learning packet, if xsw saw its own end's carrier first (on a
    # busy machine it may).  The bridge then keeps sending a's frames for b
    # over xtb2, which xsw's active-backup bond drops as it should, until b
    # talks: as in any network, b's next frame moves it.
    xtb1_forwarding() {
        bridge -n "${XT}a" link show dev xtb1 | grep -q 'state forwarding'
    }
    xt_check "a's bridge forwards on xtb1 again" xt_wait_for 10 xtb1_forwarding
    xt_check "b pings a over $m1" xt_wait_ping b 10.19.0.1 10
fi
# On failure, what a user would look at: is b's port still there (another
# xsw-switchd's start-up sweep deleted every xsw TAP before TAPs carried
# their database's mark), and where does a's side send frames for b.
a_pings_b() {
    xt_wait_ping a 10.19.0.2 "$1" && return 0
    ip -n "${XT}b" -o link show "${XT}b" >/dev/null 2>&1 ||
        echo "b's internal port ${XT}b is gone"
    [ "$a_kind" = bond ] ||
        echo "b's MAC in a's bridge: $(bridge -n "${XT}a" fdb show |
                                       grep "$b_mac")"
    return 1
}
xt_check "a pings b over $m1 again" a_pings_b 10

# LACP: never negotiated here, so the bond is disabled and says why...
iface_error_has() {
    xt_vsctl get Interface "$1" error | grep -q "$2" ||
        { xt_vsctl get Interface "$1" error; return 1; }
}
port_status_is() {
    local got
    got=$(xt_vsctl --if-exists get Port "$1" status:bond_effective_mode | tr -d '"')
    [ "$got" = "$2" ] || { echo "status:bond_effective_mode is '$got'"; return 1; }
}
xt_vsctl set Port "$bond" lacp=active || xt_fail "cannot set lacp"
xt_check "lacp=active without a partner: Port status says the bond is disabled" \
    xt_wait_for 5 port_status_is "$bond" disabled
xt_check "...and each member's Interface error says why" \
    iface_error_has "$m1" "lacp-fallback-ab"
xt_check "...and bond/show reports lacp_status configured, members disabled" \
    bond_show_has "$bond" "lacp_status: configured" "member $m1: disabled" \
    "member $m2: disabled"
xt_check "...and a cannot ping b" xt_no_ping a 10.19.0.2
# ...unless it may fall back to active-backup.
xt_vsctl set Port "$bond" other_config:lacp-fallback-ab=true ||
    xt_fail "cannot set lacp-fallback-ab"
xt_check "lacp-fallback-ab=true: the bond runs active-backup" \
    xt_wait_for 5 port_status_is "$bond" active-backup
xt_check "...members have no error" \
    xt_wait_for 5 sh -c "[ \"\$(ovs-vsctl --db=$XT_DB get Interface $m1 error)\" = '[]' ]"
xt_check "...and a pings b" xt_wait_ping a 10.19.0.2 10
xt_vsctl remove Port "$bond" other_config lacp-fallback-ab -- \
    set Port "$bond" lacp=off || xt_fail "cannot clear lacp"
xt_check "lacp=off: Port status has no effective mode any more" \
    xt_wait_for 5 port_status_is "$bond" ""

# balance-slb towards u, a Linux bridge with both links.
s1=${XT}s1 s2=${XT}s2 slb=${XT}slb
xt_ns u
xt_ns c
xt_ns d
ip -n "${XT}u" link add xtbr0 type bridge || xt_fail "cannot create a bridge"
for i in 1 2; do
    ip link add "${XT}s$i" type veth peer name "xtu$i" netns "${XT}u" ||
        xt_fail "cannot create veth pair ${XT}s$i"
    sysctl -qw "net.ipv6.conf.${XT}s$i.disable_ipv6=1" >/dev/null 2>&1
    ip link set "${XT}s$i" up
    ip -n "${XT}u" link set "xtu$i" master xtbr0 up
done
xt_ns_nic_up u xtbr0 10.20.0.100/24
# The MACs of tests/test-bond.c's slb_mac_a and slb_mac_b: they hash to
# buckets that two members enabled together do not share.
xt_attach_veth c 10.20.0.3/24
xt_attach_veth d 10.20.0.4/24
ip -n "${XT}c" link set xteth0 address 02:00:00:00:b0:01
ip -n "${XT}d" link set xteth0 address 02:00:00:00:b0:03
xt_vsctl add-bond "$XT_BR" "$slb" "$s1" "$s2" bond_mode=balance-slb ||
    xt_fail "add-bond $slb failed"
xt_check "bond/show: balance-slb, both members enabled" \
    xt_wait_for 10 bond_show_has "$slb" "bond_mode: balance-slb" \
    "member $s1: enabled" "member $s2: enabled"
xt_require "c pings u over the SLB bond" xt_wait_ping c 10.20.0.100 10
xt_require "d pings u over the SLB bond" xt_wait_ping d 10.20.0.100 10

tx_of() {
    xt_vsctl get Interface "$1" statistics:tx_packets 2>/dev/null | tr -d '"'
}
tx_grew() {
    local now1 now2
    now1=$(tx_of "$s1") now2=$(tx_of "$s2")
    echo "tx_packets: $s1 $tx1 -> $now1, $s2 $tx2 -> $now2"
    [ "${now1:-0}" -ge $((tx1 + 30)) ] && [ "${now2:-0}" -ge $((tx2 + 30)) ]
}
# Statistics are written every 5 s: wait for a fresh sample first.
sleep 6
tx1=$(tx_of "$s1") tx2=$(tx_of "$s2")
xt_check "c pings u 30 times" xt_ping c 10.20.0.100 30
xt_check "d pings u 30 times" xt_ping d 10.20.0.100 30
xt_check "both members transmitted (Interface statistics)" \
    xt_wait_for 12 tx_grew
hash_loads_shown() {
    local out
    out=$(xt_appctl bond/show "$slb")
    echo "$out" | grep -q "^next rebalance: [0-9]* ms$" &&
        [ "$(echo "$out" | grep -c "^  hash [0-9]*: [0-9]* kB load$")" -ge 2 ] ||
        { echo "$out"; return 1; }
}
xt_check "bond/show: next rebalance, and the loaded hash buckets" \
    hash_loads_shown

# A member goes: its MACs move to the other one.
ip link set "$s1" down
xt_check "after $s1 goes down, c and d ping u within 5 s" \
    sh -c "$(declare -f xt_wait_ping); XT=$XT; xt_wait_ping c 10.20.0.100 5 && xt_wait_ping d 10.20.0.100 5"
xt_check "bond/show: $s1 disabled" bond_show_has "$slb" "member $s1: disabled"

# The ports, and a's link 1, still work as plain members once back.
ip link set "$s1" up
xt_check "after $s1 comes back, c and d ping u" \
    sh -c "$(declare -f xt_wait_ping); XT=$XT; xt_wait_ping c 10.20.0.100 10 && xt_wait_ping d 10.20.0.100 10"
xt_check "a still pings b" a_pings_b 5

# Gratuitous ARPs, hand-built (arping -U sends the same): a request from
# MAC $2 for its own address $3, broadcast on device $1.
GARP='import socket, sys
mac = bytes.fromhex(sys.argv[2].replace(":", ""))
ip = socket.inet_aton(sys.argv[3])
f = (b"\xff" * 6 + mac + b"\x08\x06" + b"\x00\x01\x08\x00\x06\x04\x00\x01"
     + mac + ip + b"\x00" * 6 + ip)
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
s.send(f + b"\x00" * (60 - len(f)))'
send_garp() {
    ip netns exec "$XT$1" /usr/bin/python3 -c "$GARP" "$2" "$3" "$4"
}
fdb_port_of() {
    xt_appctl fdb/show "$XT_BR" | awk -v m="$1" '$3 == m { print $1 }'
}
fdb_port_is() {
    local got
    got=$(fdb_port_of "$1")
    [ "$got" = "$2" ] || { echo "$1 is on port '$got', not '$2'"; return 1; }
}

# Hosts behind xsw announce themselves; u floods each announcement back
# over the other link, on one of them the active member: the fdb entry's
# grat-ARP lock keeps it where it is.
port_c=$(fdb_port_of 02:00:00:00:b0:01) port_d=$(fdb_port_of 02:00:00:00:b0:03)
send_garp c xteth0 02:00:00:00:b0:01 10.20.0.3
send_garp d xteth0 02:00:00:00:b0:03 10.20.0.4
sleep 1
xt_check "reflected gratuitous ARPs: c's MAC stays on its port ($port_c)" \
    fdb_port_is 02:00:00:00:b0:01 "$port_c"
xt_check "...and d's ($port_d)" fdb_port_is 02:00:00:00:b0:03 "$port_d"

# e moves from behind xsw to u: its old link goes down (the switch keeps
# the port, and the MAC learned on it, 300 s), it comes up behind u and
# says so with a gratuitous ARP.  Its frames now arrive on the bond with a
# source MAC learned on another port, which balance-slb takes for its own
# frames looping back: only the gratuitous ARP gets through, and moves it.
e_mac=02:00:00:00:b0:05
xt_ns e
xt_attach_veth e 10.20.0.5/24
ip -n "${XT}e" link set xteth0 address $e_mac
xt_require "e pings u from behind xsw" xt_wait_ping e 10.20.0.100 10
port_e=$(fdb_port_of $e_mac)
xt_check "xsw learned e's MAC on e's port" test -n "$port_e"
ip -n "${XT}e" link set xteth0 down
ip -n "${XT}e" addr flush dev xteth0
ip -n "${XT}u" link add xtmv type veth peer name xteth1 netns "${XT}e" ||
    xt_fail "cannot create veth pair xtmv"
ip -n "${XT}u" link set xtmv master xtbr0 up
ip -n "${XT}e" link set xteth1 address $e_mac
xt_ns_nic_up e xteth1 10.20.0.5/24
sleep 1     # The Linux bridge port must be forwarding.
send_garp e xteth1 $e_mac 10.20.0.5
e_moved() {
    local got
    got=$(fdb_port_of $e_mac)
    [ -n "$got" ] && [ "$got" != "$port_e" ] ||
        { echo "e's MAC is on port '$got'"; return 1; }
}
xt_check "e's gratuitous ARP from behind u moves its MAC to the bond" \
    xt_wait_for 2 e_moved
xt_check "c reaches e behind u at once (not after the 300 s aging)" \
    xt_wait_ping c 10.20.0.5 3

# bond/list: both bonds, as ovs-appctl prints them.
bond_list_is() {
    local out want
    out=$(xt_appctl bond/list) || { echo "$out"; return 1; }
    want=$(printf 'bond\ttype\trecircID\tmembers\n%s\tactive-backup\t0\t%s, %s\n%s\tbalance-slb\t0\t%s, %s' \
        "$bond" "$m1" "$m2" "$slb" "$s1" "$s2")
    [ "$out" = "$want" ] || { echo "bond/list says:"; echo "$out"; return 1; }
}
xt_check "bond/list" bond_list_is

# bond-detect-mode: anything but carrier and miimon is warned about and
# means carrier, as in Open vSwitch; miimon is accepted, the same signal in
# xsw (rtnetlink reports every carrier change): the updelay checks below
# run in miimon mode.
log_has() {
    grep -qF -- "$1" "$XT_TMP/switchd.log" ||
        { tail -n 5 "$XT_TMP/switchd.log"; return 1; }
}
xt_vsctl set Port "$slb" other_config:bond-detect-mode=mii ||
    xt_fail "cannot set bond-detect-mode"
xt_check "bond-detect-mode=mii: warned about" \
    xt_wait_for 5 log_has "port $slb: unsupported bond-detect-mode mii, defaulting to carrier"
xt_vsctl set Port "$slb" other_config:bond-detect-mode=miimon \
    other_config:bond-miimon-interval=100 ||
    xt_fail "cannot set bond-detect-mode"
xt_check "bond-detect-mode=miimon: accepted without a warning" \
    sh -c "! grep -q 'unsupported bond-detect-mode miimon' $XT_TMP/switchd.log"

# bond_updelay: a member whose link comes back waits before it is used.
xt_vsctl set Port "$slb" bond_updelay=3000 || xt_fail "cannot set bond_updelay"
ip link set "$s2" down
xt_check "$s2 down: disabled at once (no downdelay)" \
    xt_wait_for 5 bond_show_has "$slb" "member $s2: disabled"
ip link set "$s2" up
in_updelay() {
    local out
    out=$(xt_appctl bond/show "$slb")
    echo "$out" | grep -qx "member $s2: disabled" &&
        echo "$out" | grep -q "^  updelay expires in [0-9]* ms$" ||
        { echo "$out"; return 1; }
}
xt_check "$s2 up: still disabled, its updelay running" xt_wait_for 2 in_updelay
xt_check "$s2 enabled once its 3 s updelay is over" \
    xt_wait_for 8 bond_show_has "$slb" "member $s2: enabled"
xt_appctl bond/show "$slb" | sed 's/^/    /'
xt_done
