#!/bin/bash
# xsw-switchd against Debian's ovsdb-server 3.1 instead of xsw-dbserver:
# the daemon relies only on RFC 7047 and Open vSwitch's protocol extensions
# (monitor_cond_since, locks), so it manages a host from either server,
# and follows changes made while it had no session.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init switchd-ovsdb
xt_need ping ovs-vsctl ovs-appctl ovsdb-server ovsdb-tool

xt_start_dbserver ovs
xt_vsctl --no-wait init || xt_fail "ovs-vsctl init failed"
xt_start_switchd xsw
xt_require "add-br completes (xsw-switchd sets cur_cfg in ovsdb-server)" \
    xt_vsctl add-br "$XT_BR"
xt_ns a
xt_ns b
xt_attach_internal a 10.67.0.1/24
xt_attach_internal b 10.67.0.2/24
xt_check "a pings b" xt_ping a 10.67.0.2
xt_check "ofport and mac_in_use are written" \
    eval '[ "$(xt_vsctl get Interface "${XT}a" ofport)" -ge 1 ] &&
          xt_vsctl get Interface "${XT}a" mac_in_use | grep -q ":"'
mkdir -p "$XT_TMP/second"
xt_bg second env XSW_RUNDIR="$XT_TMP/second" "$XSW_SWITCHD" --db="$XT_DB" \
    --unixctl="$XT_TMP/second/switchd.ctl" \
    --log-file="$XT_TMP/second.log" -vconsole:off
second=$XT_LAST_PID
xt_check "ovsdb-server's lock keeps a second xsw-switchd waiting" \
    xt_wait_for 5 grep -q "holds the database lock" "$XT_TMP/second.log"
xt_stop_pid "$second"
# xsw-switchd loses its session while the database changes: ovsdb-server
# stops listening on db.sock (dropping its sessions there) and ovs-vsctl
# deletes and adds ports and changes a tag through a second socket.  When
# db.sock is back, xsw-switchd resumes its monitor_cond_since; ovsdb-server
# keeps no transaction history for a standalone database, so it answers
# with a whole new copy, from which the switch must see what changed.
dbctl() { timeout 10 ovs-appctl -t "$XT_TMP/db.ctl" "$@"; }
for i in 1 2 3; do
    xt_vsctl add-port "$XT_BR" "${XT}p$i" -- set Interface "${XT}p$i" type=internal ||
        xt_fail "add-port ${XT}p$i failed"
done
dbctl ovsdb-server/add-remote punix:"$XT_TMP/db2.sock" &&
    dbctl ovsdb-server/remove-remote punix:"$XT_TMP/db.sock" ||
    xt_fail "cannot move ovsdb-server to a second socket"
xt_check "xsw-switchd's session was dropped" \
    xt_wait_for 10 grep -q "connection dropped" "$XT_TMP/switchd.log"
for i in 1 2 3; do
    timeout 30 ovs-vsctl --db=unix:"$XT_TMP/db2.sock" --timeout=20 --no-wait \
        del-port "${XT}p$i" -- add-port "$XT_BR" "${XT}q$i" -- \
        set Interface "${XT}q$i" type=internal -- set Port "${XT}a" tag=$((10 + i)) ||
        xt_fail "ovs-vsctl on the second socket failed"
done
dbctl ovsdb-server/add-remote punix:"$XT_TMP/db.sock" ||
    xt_fail "cannot give ovsdb-server db.sock back"
swapped() {
    local i
    for i in 1 2 3; do
        ip link show "${XT}q$i" >/dev/null 2>&1 || return 1
        ! ip link show "${XT}p$i" >/dev/null 2>&1 || return 1
    done
}
xt_check "changes made while it had no session apply: TAPs deleted and created" \
    xt_wait_for 10 swapped
xt_check "and a is in VLAN 13: b does not answer" xt_no_ping a 10.67.0.2
xt_check "clear Port a tag completes" xt_vsctl clear Port "${XT}a" tag
xt_check "a pings b again" xt_wait_ping a 10.67.0.2 5
xt_check "del-port completes and deletes the TAP in the container" \
    eval 'xt_vsctl del-port "${XT}b" &&
          xt_wait_for 2 eval "! ip -n ${XT}b link show ${XT}b"'
xt_done
