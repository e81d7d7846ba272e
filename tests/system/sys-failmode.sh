#!/bin/bash
# fail_mode and Controller rows: xsw-switchd has no OpenFlow, so a bridge
# with fail_mode=secure forwards nothing (as Open vSwitch with no
# controller connected), through internal and AF_XDP ports alike, from
# the moment it is set and across a restart, and says why in Bridge
# status; back to standalone it switches again.  A Controller row is never
# connected and its status says why; a standalone bridge with one switches
# normally (Open vSwitch's fallback once the controller is unreachable).
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-failmode
xt_need ping tcpdump
xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal a 10.43.0.1/24
xt_attach_veth     b 10.43.0.2/24
xt_require "standalone: a pings b" xt_wait_ping a 10.43.0.2 10

br_status() {
    xt_vsctl get Bridge "$XT_BR" status
}
# forwarding_is PATTERN: status:forwarding matches PATTERN ("" : absent).
forwarding_is() {
    local st
    st=$(br_status) || return 1
    echo "status: $st"
    if [ -z "$1" ]; then
        ! echo "$st" | grep -q 'forwarding='
    else
        echo "$st" | grep -q "forwarding=\"$1"
    fi
}
# nothing_passes: a's pings go unanswered and not one frame from a (ARP
# included) reaches b.
nothing_passes() {
    local amac frames
    amac=$(xt_mac a)
    ip -n "${XT}a" neigh flush all
    xt_capture secure b xteth0 ether src "$amac"
    xt_no_ping a 10.43.0.2 || { echo "a's pings were answered"; return 1; }
    frames=$(xt_capture_stop secure)
    [ -z "$frames" ] || { echo "frames from a reached b:"; echo "$frames"; return 1; }
}

xt_check "no forwarding status on a plain bridge" forwarding_is ""
xt_require "set fail_mode=secure completes" \
    xt_vsctl set Bridge "$XT_BR" fail_mode=secure
xt_check "secure: nothing passes between a and b" nothing_passes
xt_check "secure: Bridge status says forwarding is disabled, and why" \
    forwarding_is "disabled: fail_mode=secure and xsw-switchd has no OpenFlow"

# Fails closed from the start, too.
xt_stop_pid "$XT_SWITCHD_PID" KILL
xt_start_switchd xsw
xt_check "secure, after kill -9 and restart: ovs-vsctl waits for the switch" \
    xt_vsctl set Bridge "$XT_BR" other_config:xt=1
xt_check "secure, after restart: nothing passes" nothing_passes

xt_check "set fail_mode=standalone completes" \
    xt_vsctl set Bridge "$XT_BR" fail_mode=standalone
xt_check "standalone: a pings b again" xt_wait_ping a 10.43.0.2 10
xt_check "standalone: the forwarding status is gone" forwarding_is ""

# A controller: never connected, and said so.
ctl_field() {
    xt_vsctl --columns="$1" list Controller
}
controller_reported() {
    local connected status
    connected=$(ctl_field is_connected) || return 1
    status=$(ctl_field status) || return 1
    echo "$connected / $status"
    echo "$connected" | grep -q ': false$' &&
        echo "$status" | grep -q 'last_error="OpenFlow is not supported' &&
        echo "$status" | grep -q 'state=VOID'
}
xt_require "set-controller completes" \
    xt_vsctl set-controller "$XT_BR" tcp:127.0.0.1:9
xt_check "the Controller row says it is not connected, and why" \
    xt_wait_for 10 controller_reported
xt_check "standalone with a controller: a pings b" xt_wait_ping a 10.43.0.2 10
xt_check "standalone with a controller: Bridge status says so" \
    forwarding_is "normal switching: fail_mode=standalone and the controller is never"
xt_check "secure with a controller completes" \
    xt_vsctl set Bridge "$XT_BR" fail_mode=secure
xt_check "secure with a controller: nothing passes" nothing_passes
xt_check "the log says once that the controller is not connected" \
    test "$(grep -c 'controller tcp:127.0.0.1:9: not connected' "$XT_TMP/switchd.log")" = 1
xt_check "del-controller, del-fail-mode complete" \
    xt_vsctl del-controller "$XT_BR" -- del-fail-mode "$XT_BR"
xt_check "a plain bridge again: a pings b" xt_wait_ping a 10.43.0.2 10
xt_check "and no forwarding status" forwarding_is ""
xt_done
