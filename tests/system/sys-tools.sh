#!/bin/bash
# The tools an operator reaches for, on xsw-switchd's control socket with
# Open vSwitch's ovs-appctl, with real traffic and learning:
#  - memory/show counts ports and learned MACs;
#  - coverage/show counts reconfigurations;
#  - dpif/show's per-port counters count the pings;
#  - fdb/stats-show prints Open vSwitch 3.1's lines and counts learned and
#    expired MACs;
#  - ofproto/trace (and xsw-ctl trace) answers where a frame would go, from
#    the datapath's own decision: flooded until the fdb learns the
#    destination, then unicast; a VLAN tag change moves a port out of the
#    flood; a tag the input port does not take drops it; a balance-slb
#    bond's output is the member owning the frame's hash bucket, and
#    another one once that member goes down.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-tools
xt_need ping ovs-vsctl ovs-appctl

xt_start_switch
xt_ns a
xt_ns b
xt_ns c
xt_ns u
xt_attach_internal a 10.69.0.1/24
xt_attach_internal b 10.69.0.2/24
xt_attach_internal c 10.69.0.3/24
BR=$XT_BR A=${XT}a B=${XT}b C=${XT}c
mac_a=$(xt_mac a) mac_b=$(xt_mac b)

# A balance-slb bond whose members' peers sit in namespace u, up.
m1=${XT}m1 m2=${XT}m2 bond=${XT}bond
for i in 1 2; do
    ip link add "${XT}m$i" type veth peer name "xtu$i" netns "${XT}u" ||
        xt_fail "cannot create veth pair ${XT}m$i"
    sysctl -qw "net.ipv6.conf.${XT}m$i.disable_ipv6=1" >/dev/null 2>&1
    ip link set "${XT}m$i" up
    ip -n "${XT}u" link set "xtu$i" up
done
xt_vsctl add-bond "$BR" "$bond" "$m1" "$m2" bond_mode=balance-slb ||
    xt_fail "add-bond failed"

# "ofproto/trace BR FLOW...", and its result: the output devices, comma-
# separated, or "drop: WHY".
trace() { xt_appctl ofproto/trace "$BR" "$@"; }
# has LIST ITEM: comma-separated LIST has ITEM.
has() { case ",$1," in *",$2,"*) return 0 ;; esac; return 1; }
result() { trace "$@" | sed -n 's/^Result: \(output:\)\{0,1\}//p'; }

# ---- memory/show, coverage/show, dpif/show, fdb/stats-show.

mem_field() { xt_appctl memory/show | tr ' ' '\n' | sed -n "s/^$1://p"; }
xt_check "memory/show counts the 6 attached ports" \
    eval '[ "$(mem_field ports)" = 6 ] || { xt_appctl memory/show; false; }'
xt_require "a pings b" xt_ping a 10.69.0.2
xt_check "memory/show counts learned MACs" \
    eval '[ "$(mem_field mac-entries)" -ge 2 ] || { xt_appctl memory/show; false; }'

cov_total() {
    xt_appctl coverage/show | awk -v c="$1" '$1 == c { print $NF }'
}
coverage_counts() {
    local out n0 n1
    out=$(xt_appctl coverage/show)
    echo "$out" | head -n 1 | grep -Eq '^Event coverage, avg rate over last: 5 seconds, last minute, last hour,  hash=[0-9a-f]{8}:$' &&
    echo "$out" | tail -n 1 | grep -Eq '^[0-9]+ events never hit$' ||
        { echo "$out"; return 1; }
    n0=$(cov_total bridge_reconfigure)
    xt_vsctl set Port "$C" other_config:xt=1
    n1=$(cov_total bridge_reconfigure)
    echo "bridge_reconfigure: $n0, then $n1"
    [ -n "$n0" ] && [ "$n1" -gt "$n0" ]
}
xt_check "coverage/show counts a reconfiguration" coverage_counts

# dpif/show: "    NAME OFPORT/PORT: (TYPE...)" then "RX packets:N ...".
rx_packets() {
    xt_appctl dpif/show | awk -v p="$1" '
        $1 == p { found = 1; next }
        found && /RX packets:/ { sub(/.*RX packets:/, ""); print $1; exit }'
}
dpif_counts() {
    local n0 n1
    n0=$(rx_packets "$A")
    xt_ping a 10.69.0.2 5
    n1=$(rx_packets "$A")
    echo "$A RX packets: $n0, then $n1"
    [ -n "$n0" ] && [ "$n1" -ge $((n0 + 5)) ]
}
xt_check "dpif/show's per-port counters count a's pings" dpif_counts
xt_check "dpif/show prints ports as ovs-vswitchd does, LOCAL as 65534" \
    eval 'xt_appctl dpif/show | grep -Eq "^    $BR 65534/[0-9]+: \(tap\)$" &&
          xt_appctl dpif/show | grep -Eq "^    $A [0-9]+/[0-9]+: \(tap\)$"'

fdb_stats_lines() {
    local out
    out=$(xt_appctl fdb/stats-show "$BR")
    echo "$out"
    echo "$out" | sed -n 1p | grep -qx "Statistics for bridge \"$BR\":" &&
    echo "$out" | grep -Eqx '  Current/maximum MAC entries in the table: [0-9]+/8192' &&
    echo "$out" | grep -qx '  Current static MAC entries in the table : 0' &&
    echo "$out" | grep -Eqx '  Total number of learned MAC entries     : [1-9][0-9]*' &&
    echo "$out" | grep -Eqx '  Total number of expired MAC entries     : [0-9]+' &&
    echo "$out" | grep -Eqx '  Total number of evicted MAC entries     : [0-9]+' &&
    echo "$out" | grep -Eqx '  Total number of port moved MAC entries  : [0-9]+'
}
xt_check "fdb/stats-show prints Open vSwitch 3.1's lines" fdb_stats_lines
xt_check "fdb/stats-show of an unknown bridge is an error" \
    eval '! xt_appctl fdb/stats-show nosuchbr'
fdb_stat() {
    xt_appctl fdb/stats-show "$BR" | sed -n "s/.*$1 MAC entries *: //p"
}
expiry_counts() {
    local n0
    n0=$(fdb_stat expired)
    xt_vsctl set Bridge "$BR" other_config:mac-aging-time=1
    xt_ping a 10.69.0.2 1
    xt_wait_for 5 eval '[ "$(fdb_stat expired)" -ge $((n0 + 2)) ]'
    local rc=$?
    xt_vsctl remove Bridge "$BR" other_config mac-aging-time
    echo "expired: $n0, then $(fdb_stat expired)"
    return $rc
}
xt_check "with mac-aging-time=1, fdb/stats-show counts expired MACs" \
    expiry_counts

# ---- ofproto/trace.

# Flushed, b's MAC is unknown: flooded to every other port.  A container
# may talk right after a flush; try three times.
flooded_before_learning() {
    local try r
    for try in 1 2 3; do
        xt_appctl fdb/flush "$BR" >/dev/null
        r=$(result in_port="$A" dl_src="$mac_a" dl_dst="$mac_b")
        if has "$r" "$B" && has "$r" "$C" && has "$r" "$XT_BR"; then
            echo "$r"
            return 0
        fi
        sleep 0.3
    done
    trace in_port="$A" dl_src="$mac_a" dl_dst="$mac_b"
    return 1
}
xt_check "trace: an unknown destination is flooded (b, c, the bond, LOCAL)" \
    flooded_before_learning
xt_ping a 10.69.0.2 1
xt_check "trace: once the fdb learned b's MAC, the frame goes to b only" \
    eval '[ "$(result in_port="$A" dl_src="$mac_a" dl_dst="$mac_b")" = \
            "$B" ] ||
          { trace in_port="$A" dl_src="$mac_a" dl_dst="$mac_b"; false; }'
xt_check "trace: the learned port is named" \
    eval 'trace in_port="$A" dl_src="$mac_a" dl_dst="$mac_b" |
          grep -q "^Destination MAC $mac_b: learned on port [0-9]* ($B)"'
xt_check "trace: the same question through xsw-ctl trace (comma-separated)" \
    eval 'ln -sf switchd.ctl "$XT_TMP/xsw-switchd.ctl" &&
          XSW_RUNDIR="$XT_TMP" "$XSW_CTL" --db="$XT_DB" trace "$BR" \
              "in_port=$A,dl_src=$mac_a,dl_dst=$mac_b" |
          grep -qx "Result: output:$B"'

bcast() { result in_port="$A" dl_src="$mac_a" dl_dst=ff:ff:ff:ff:ff:ff "$@"; }
xt_check "trace: a broadcast from a reaches b" \
    eval 'has "$(bcast)" "$B" || { bcast; false; }'
xt_vsctl set Port "$B" tag=10
xt_check "trace: with b on VLAN 10, a's broadcast does not reach b" \
    eval '! has "$(bcast)" "$B" || { bcast; false; }'
xt_check "and a's frame to b's MAC no longer goes to b" \
    eval '! has "$(result in_port="$A" dl_src="$mac_a" dl_dst="$mac_b")" "$B"'
xt_vsctl set Port "$A" tag=10
xt_check "trace: with a on VLAN 10 too, a's broadcast reaches b again" \
    eval 'has "$(bcast)" "$B" || { bcast; false; }'
xt_check "trace: a tagged frame on an access port is dropped, saying why" \
    eval 'bcast dl_vlan=20 | grep -qx "drop: the port does not take frames tagged with VLAN 20"'
xt_vsctl clear Port "$A" tag -- clear Port "$B" tag

# The bond: balance-slb hashes the source MAC; the trace names the member
# and bucket, and follows the bucket when its member goes down.
bond_member() {
    trace in_port="$A" dl_src="$1" dl_dst=ff:ff:ff:ff:ff:ff |
        sed -n "s/^Output: bond $bond through member \($XT[^ ]*\) (hash bucket \([0-9]*\)).*/\1 \2/p"
}
xt_wait_for 10 eval '[ -n "$(bond_member 02:00:00:00:69:01)" ]'
first=$(bond_member 02:00:00:00:69:01)
xt_check "trace: the bond's output is a member and a hash bucket ($first)" \
    eval '[ -n "$first" ]'
member=${first% *} bucket=${first#* }
other=$m1
[ "$member" = "$m1" ] && other=$m2
ip link set "$member" down
xt_check "trace: with $member down, bucket $bucket goes out of $other" \
    xt_wait_for 10 eval '[ "$(bond_member 02:00:00:00:69:01)" = "$other $bucket" ]'
ip link set "$member" up
# What the bond takes in: floods only on its active member, and nothing
# from a MAC learned behind the switch (it looped back).
refused_floods() {
    local m n=0
    for m in "$m1" "$m2"; do
        result in_port="$m" dl_src=02:00:00:00:69:09 dl_dst=ff:ff:ff:ff:ff:ff |
            grep -q "only the active member takes floods" && n=$((n + 1))
    done
    [ $n -eq 1 ]
}
xt_check "trace: of the bond's two members, one refuses a flood" \
    xt_wait_for 10 refused_floods
xt_ping a 10.69.0.2 1
xt_check "trace: the bond refuses a's MAC coming back from the network" \
    eval 'result in_port="$m1" dl_src="$mac_a" dl_dst="$mac_b" |
          grep -q "learned on another port: it looped back"'

# Bad input is an error that names the problem.
xt_check "trace: an unknown field is an error naming it" \
    eval 'trace in_port="$A" nw_src=1.2.3.4 2>&1 | grep -q "nw_src: unknown field"'
xt_check "trace: an unknown port is an error naming it" \
    eval 'trace in_port=nosuch dl_dst="$mac_b" 2>&1 | grep -q "nosuch: no such port"'
xt_check "a still pings b at the end" xt_ping a 10.69.0.2
xt_done
