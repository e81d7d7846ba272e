#!/bin/bash
# xsw-switchd against Debian's ovsdb-server 3.1 instead of xsw-dbserver:
# the daemon relies only on RFC 7047 and Open vSwitch's protocol extensions
# (monitor_cond_since, locks), so it manages a host from either server.
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
xt_check "del-port completes and deletes the TAP in the container" \
    eval 'xt_vsctl del-port "${XT}b" &&
          xt_wait_for 2 eval "! ip -n ${XT}b link show ${XT}b"'
xt_done
