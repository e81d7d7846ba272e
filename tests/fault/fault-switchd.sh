#!/bin/bash
# fault-switchd: xsw-switchd converges again after faults (root).
#  1. kill -9 during reconciliation, 5 times: ports are added and deleted in
#     bulk (--no-wait) and the daemon is killed 0-300 ms later, then
#     restarted.  After each restart: ovs-vsctl without --no-wait returns
#     (cur_cfg caught up), every configured port has its TAP device and a
#     positive ofport, no device of a deleted port remains.
#  2. A device deleted behind its back: a veth port's device and an
#     unmoved internal port's TAP are deleted with `ip link del`.  The veth
#     port must show an error and ofport -1, then come back when the veth is
#     created again (traffic flows); the internal port must get its TAP back
#     or report an error.
#  3. A namespace removed with a port in it: `ip netns del` on a container
#     holding an internal port.  The port must get its TAP back or report
#     an error; the other ports keep forwarding; del-port leaves nothing.
# The daemon must stay up through all of it.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init fault-switchd
xt_need ping ovs-vsctl ovs-appctl

get() { xt_vsctl get "$@" 2>/dev/null; }

switchd_alive() {
    kill -0 "$XT_SWITCHD_PID" 2>/dev/null ||
        { echo "xsw-switchd (pid $XT_SWITCHD_PID) is gone"; return 1; }
}

# Every port in $@ has its TAP in the root namespace and an ofport > 0.
ports_up() {
    local p
    for p in "$@"; do
        ip link show "$p" >/dev/null 2>&1 || { echo "$p: no device"; return 1; }
        get Interface "$p" ofport | grep -Eq '^[1-9][0-9]*$' ||
            { echo "$p: ofport $(get Interface "$p" ofport)"; return 1; }
    done
}

# No device named $@ anywhere in the root namespace.
ports_gone() {
    local p
    for p in "$@"; do
        ! ip link show "$p" >/dev/null 2>&1 || { echo "$p: still there"; return 1; }
    done
}

# The change completes (cur_cfg = next_cfg) within ovs-vsctl's timeout.
synced() {
    xt_vsctl set Open_vSwitch . "external_ids:xt-sync=$RANDOM" ||
        { echo "ovs-vsctl did not complete: cur_cfg $(get Open_vSwitch . cur_cfg), next_cfg $(get Open_vSwitch . next_cfg)"; return 1; }
}

# Port NAME either has a working device again (ofport > 0 and the device in
# the root namespace) or reports the loss: error set and ofport -1.
recovered_or_reported() {
    local p=$1 err ofport
    ofport=$(get Interface "$p" ofport)
    err=$(get Interface "$p" error)
    if [ "$ofport" = -1 ] && [ -n "$err" ] && [ "$err" != '[]' ]; then
        echo "$p reports: $err"
        return 0
    fi
    if [[ $ofport =~ ^[1-9][0-9]*$ ]] && ip link show "$p" >/dev/null 2>&1; then
        echo "$p: device re-created, ofport $ofport"
        return 0
    fi
    echo "$p: ofport $ofport, error $err, device $(ip -o link show "$p" 2>&1 | head -c 80)"
    return 1
}

wait_recovered_or_reported() {
    xt_wait_for 10 recovered_or_reported "$1"
    recovered_or_reported "$1"
}

xt_start_xsw

# ---- 1. kill -9 during reconciliation. ----
declare -a live=()
next=0
for cycle in 1 2 3 4 5; do
    args=() added=() removed=()
    # Delete half of what exists, add 8 new ones: one transaction.
    for ((i = 0; i < ${#live[@]}; i += 2)); do
        args+=(-- del-port "$XT_BR" "${live[i]}")
        removed+=("${live[i]}")
    done
    for ((i = 0; i < 8; i++)); do
        p=${XT}k$next
        next=$((next + 1))
        args+=(-- add-port "$XT_BR" "$p" -- set Interface "$p" type=internal)
        added+=("$p")
    done
    xt_vsctl --no-wait "${args[@]:1}" || xt_fail "cycle $cycle: ovs-vsctl failed"
    sleep "0.$((RANDOM % 300))"
    kill -9 "$XT_SWITCHD_PID"
    wait "$XT_SWITCHD_PID" 2>/dev/null
    xt_start_switchd
    declare -a keep=()
    for p in "${live[@]}"; do
        [[ " ${removed[*]} " == *" $p "* ]] || keep+=("$p")
    done
    live=("${keep[@]}" "${added[@]}")
    xt_require "cycle $cycle: converged after kill -9 (ovs-vsctl waits)" synced
    xt_check "cycle $cycle: ${#live[@]} ports have TAPs and ofports" \
        xt_wait_for 10 ports_up "${live[@]}"
    if [ ${#removed[@]} -gt 0 ]; then
        xt_check "cycle $cycle: ${#removed[@]} deleted ports' TAPs are gone" \
            xt_wait_for 10 ports_gone "${removed[@]}"
    fi
done
xt_vsctl del-port "$XT_BR" "${live[0]}" ||
    xt_fail "del-port after the kill cycles failed"
for p in "${live[@]:1}"; do
    xt_vsctl --no-wait del-port "$XT_BR" "$p"
done
xt_require "the kill cycles' ports deleted" synced
xt_check "no TAP of the kill cycles remains" ports_gone "${live[@]}"

# ---- 2. A device deleted behind its back. ----
xt_ns a
xt_ns b
xt_ns c
xt_attach_internal a 10.67.0.1/24
xt_attach_internal b 10.67.0.2/24
xt_attach_veth c 10.67.0.3/24
xt_require "a pings c on a veth port" xt_ping a 10.67.0.3

ip link del "${XT}c" || xt_fail "cannot delete ${XT}c"
xt_check "deleted veth: error set, ofport -1" xt_wait_for 10 sh -c \
    "[ \"\$(ovs-vsctl --db=$XT_DB get Interface ${XT}c ofport)\" = -1 ] &&
     [ \"\$(ovs-vsctl --db=$XT_DB get Interface ${XT}c error)\" != '[]' ]"
xt_check "xsw-switchd survives the deleted veth" switchd_alive
xt_check "a still pings b" xt_ping a 10.67.0.2
ip link add "${XT}c" type veth peer name xteth0 netns "${XT}c" ||
    xt_fail "cannot re-create the veth pair"
sysctl -qw "net.ipv6.conf.${XT}c.disable_ipv6=1" >/dev/null 2>&1
ip link set "${XT}c" up
xt_ns_nic_up c xteth0 10.67.0.3/24
xt_check "re-created veth: attached again (ofport > 0, no error)" \
    xt_wait_for 10 sh -c \
    "ovs-vsctl --db=$XT_DB get Interface ${XT}c ofport | grep -Eq '^[1-9]' &&
     [ \"\$(ovs-vsctl --db=$XT_DB get Interface ${XT}c error)\" = '[]' ]"
# c's NIC is new, with a new MAC: a's neighbour entry for it is stale.
ip -n "${XT}a" neigh flush all
xt_check "a pings c again over the re-created veth" xt_wait_ping a 10.67.0.3 10

xt_vsctl add-port "$XT_BR" "${XT}t" -- set Interface "${XT}t" type=internal ||
    xt_fail "add-port ${XT}t failed"
xt_wait_for 10 ports_up "${XT}t" || xt_fail "${XT}t did not come up"
ip link del "${XT}t" || xt_fail "cannot delete ${XT}t"
xt_check "internal TAP deleted in the root namespace: re-created or reported" \
    wait_recovered_or_reported "${XT}t"
xt_check "xsw-switchd survives the deleted TAP" switchd_alive
xt_check "ovs-vsctl still completes" synced

# ---- 3. A namespace removed with a port in it. ----
ip netns del "${XT}a" || xt_fail "cannot delete namespace ${XT}a"
xt_check "the port of a deleted namespace: re-created or reported" \
    wait_recovered_or_reported "${XT}a"
xt_check "xsw-switchd survives the deleted namespace" switchd_alive
xt_check "b still pings c" xt_ping b 10.67.0.3
xt_check "ovs-vsctl still completes" synced
xt_check "del-port of that port completes" xt_vsctl del-port "$XT_BR" "${XT}a"
xt_check "and leaves no device" ports_gone "${XT}a"
xt_check "xsw-switchd is still up at the end" switchd_alive

xt_done
