#!/bin/bash
# Reconciliation: the datapath follows the database through deletions, tag
# changes, a crash (kill -9) and restart of the switch daemon and a restart
# of the database server, and traffic resumes each time.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-reconcile
xt_need ping
xt_start_switch
for n in a b c d; do xt_ns $n; done
xt_attach_internal a 10.19.0.1/24
xt_attach_veth     b 10.19.0.2/24
xt_attach_internal c 10.19.0.3/24
xt_attach_internal d 10.19.0.4/24
xt_require "a pings b" xt_wait_ping a 10.19.0.2 5
xt_require "a pings c" xt_ping a 10.19.0.3

# Deleting a port removes its device, even inside the container.
gone_from() {
    ! ip -n "$XT$1" link show "$2" 2>/dev/null
}
xt_check "del-port c completes" xt_vsctl del-port "${XT}c"
xt_check "c's TAP is gone from namespace c" xt_wait_for 5 gone_from c "${XT}c"
xt_check "a and b are undisturbed" xt_ping a 10.19.0.2

# A tag change moves b into another VLAN, and back.
xt_check "set Port b tag=7 completes" xt_vsctl set Port "${XT}b" tag=7
xt_check "a cannot reach b in VLAN 7" xt_no_ping a 10.19.0.2
xt_check "clear Port b tag completes" xt_vsctl clear Port "${XT}b" tag
xt_check "a reaches b again" xt_wait_ping a 10.19.0.2 5

# kill -9 the daemon: the containers keep their NICs; a port deleted while
# no daemon runs is cleaned up by the next one; traffic resumes.
xt_stop_pid "$XT_SWITCHD_PID" KILL
xt_check "a keeps its NIC while no switch runs" ip -n "${XT}a" link show "${XT}a"
xt_check "del-port d --no-wait while no switch runs" \
    xt_vsctl --no-wait del-port "${XT}d"
xt_start_switchd "$XT_SWITCH"
xt_check "after kill -9 and restart, a reaches b again" xt_wait_ping a 10.19.0.2 10
xt_check "and b reaches a (its TAP was re-attached in namespace a)" xt_ping b 10.19.0.1
xt_check "the restarted daemon removed d's stale TAP from namespace d" \
    xt_wait_for 10 gone_from d "${XT}d"
xt_check "ovs-vsctl waits for the restarted daemon" \
    xt_vsctl set Port "${XT}b" other_config:xt=1

# Restart the database server under the running daemon.
xt_stop_pid "$XT_DB_PID" TERM
xt_check "traffic flows while the database server is down" xt_ping a 10.19.0.2
xt_start_dbserver
xt_check "after the server restarts, a tag change applies" \
    xt_vsctl set Port "${XT}b" tag=9
xt_check "so a cannot reach b" xt_no_ping a 10.19.0.2
xt_check "clearing it applies too" xt_vsctl clear Port "${XT}b" tag
xt_check "and a reaches b" xt_wait_ping a 10.19.0.2 5
xt_done
