#!/bin/bash
# Debian's ovs-vsctl, without --no-wait, against xsw-dbserver + xsw-switchd:
# every command increments next_cfg and waits for the daemon to report
# cur_cfg, so each one completing (promptly) shows the daemon applies and
# acknowledges configuration.  With the daemon stopped the same command must
# wait, or the check above would prove nothing.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-vsctl
xt_start_switch            # add-br without --no-wait, checked there

# Runs ovs-vsctl ARGS and prints how long it took; fails beyond 5 s.
timed_vsctl() {
    local t0 t1 ms
    t0=$(date +%s%N)
    xt_vsctl --timeout=5 "$@" || return 1
    t1=$(date +%s%N)
    ms=$(( (t1 - t0) / 1000000 ))
    echo "${ms} ms"
    [ $ms -lt 5000 ]
}
cfg_caught_up() {
    local next cur
    next=$(xt_vsctl get Open_vSwitch . next_cfg)
    cur=$(xt_vsctl get Open_vSwitch . cur_cfg)
    echo "next_cfg=$next cur_cfg=$cur"
    [ "$next" = "$cur" ] && [ "$next" -gt 0 ]
}

xt_check "add-port (internal) waits and completes" \
    timed_vsctl add-port "$XT_BR" "${XT}p1" -- set Interface "${XT}p1" type=internal
xt_check "the internal port's device exists" ip link show "${XT}p1"
xt_check "set Port tag waits and completes" timed_vsctl set Port "${XT}p1" tag=10
xt_check "add-br of a second bridge completes" timed_vsctl add-br "${XT}b2"
xt_check "del-br completes" timed_vsctl del-br "${XT}b2"
xt_check "del-port completes" timed_vsctl del-port "${XT}p1"
xt_check "the deleted port's device is gone" xt_wait_for 5 sh -c "! ip link show ${XT}p1"
xt_check "cur_cfg equals next_cfg" cfg_caught_up

ofport_set() {
    local ofport
    ofport=$(xt_vsctl get Interface "$XT_BR" ofport)
    echo "ofport=$ofport"
    [ "$ofport" = 65534 ]
}
xt_check "the bridge's local port has ofport 65534" ofport_set

xt_stop_pid "$XT_SWITCHD_PID" TERM
waits_without_daemon() {
    ! timeout 10 ovs-vsctl --db="$XT_DB" --timeout=2 add-port "$XT_BR" \
        "${XT}p2" -- set Interface "${XT}p2" type=internal
} 2>/dev/null      # including bash's "Alarm clock" notice
xt_check "without a switch daemon, ovs-vsctl keeps waiting (times out)" \
    waits_without_daemon
xt_start_switchd "$XT_SWITCH"
xt_check "the restarted daemon catches up with the pending change" \
    xt_wait_for 10 ip link show "${XT}p2"
xt_check "and cur_cfg with next_cfg" xt_wait_for 5 cfg_caught_up
xt_done
