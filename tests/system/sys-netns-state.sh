#!/bin/bash
# The state an internal port reports once it lives in a container: its TAP
# device moved into namespace a and set up and down there.  Interface
# admin_state, link_state, mtu and ifindex must be the device's, as the
# container sees it, within a few seconds, and again after a restart of
# the switch daemon.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-netns-state
xt_start_switch
xt_ns a
xt_attach_internal a ""
dev=${XT}a

# state: "ADMIN LINK MTU IFINDEX" from the database.
state() {
    echo $(xt_vsctl get Interface "$dev" admin_state link_state mtu ifindex |
               tr -d '"')
}

# What the device is in namespace a, in the same form.
actual() {
    local line admin=down link=down
    line=$(ip -n "${XT}a" -o link show "$dev") || return 1
    [[ $line =~ \<([A-Z_,-]*)\> ]]
    case ",${BASH_REMATCH[1]}," in *,UP,*) admin=up ;; esac
    case ",${BASH_REMATCH[1]}," in *,LOWER_UP,*) [ $admin = up ] && link=up ;; esac
    echo "$admin $link $(sed -n 's/.* mtu \([0-9]*\) .*/\1/p' <<<"$line")" \
         "${line%%:*}"
}

# expect WHAT: waits up to 8 s (the statistics refresh is 5 s) for the
# database to say what the device is, ADMIN and LINK being WHAT.
expect() {
    local want
    want=$(actual) || return 1
    case $want in "$1 $1 "*) ;; *) echo "device: $want, not $1"; return 1 ;; esac
    xt_wait_for 8 eval '[ "$(state)" = "$want" ]'
    echo "database: $(state); device: $want"
    [ "$(state)" = "$want" ]
}

xt_check "up in namespace a: reported up" expect up
ip -n "${XT}a" link set "$dev" down
xt_check "set down there: reported down" expect down
# A device of the same name in our namespace is another one: the state is
# still the TAP device's.
ip link add "$dev" type veth peer name "${XT}p" && ip link set "$dev" up ||
    xt_fail "cannot create veth $dev"
sleep 5.5       # one statistics refresh
xt_check "a device called $dev up in our namespace changes nothing" \
    expect down
ip link del "$dev"
ip -n "${XT}a" link set "$dev" mtu 1400 up
xt_check "set up there, MTU 1400: reported up, 1400" expect up

xt_stop_pid "$XT_SWITCHD_PID" TERM
ip -n "${XT}a" link set "$dev" down
xt_start_switchd "$XT_SWITCH"
xt_check "down while no daemon ran: the new one reports down" expect down
ip -n "${XT}a" link set "$dev" up
xt_check "set up again: reported up" expect up
xt_done
