#!/bin/bash
# xsw-switchd's reconciliation, seen from a user with Open vSwitch's own
# ovs-vsctl (always without --no-wait unless said: every change must
# complete because xsw-switchd sets cur_cfg):
#  - internal ports moved into containers and an AF_XDP veth port forward;
#  - state columns (ofport, mac_in_use, statistics, status) are written;
#  - fdb/show and dpif/show on the control socket;
#  - a second xsw-switchd waits for the database lock;
#  - kill -9 and restart: moved TAPs are re-attached, ping resumes, ofports
#    stay, a TAP deleted from the database meanwhile is swept;
#  - del-port deletes the TAP inside the container;
#  - a missing device sets 'error' and ofport -1, and is attached when it
#    appears, without a restart; a bad type is reported and harms nothing;
#  - changing a port's tag takes effect at once;
#  - restarting the database server disturbs nothing.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init switchd-daemon
xt_need ping ovs-vsctl ovs-appctl

# get TABLE RECORD COLUMN: a column's value, as ovs-vsctl prints it.
get() { xt_vsctl get "$@" 2>/dev/null; }

# Succeeds when column COLUMN of Interface NAME matches regex RE.
iface_matches() { get Interface "$1" "$2" | grep -Eq "$3"; }

# Waits up to SECONDS for iface_matches NAME COLUMN RE.
wait_iface() {
    local secs=$1
    shift
    xt_wait_for "$secs" iface_matches "$@" ||
        { echo "Interface $1 $2 is $(get Interface "$1" "$2"), wanted /$3/";
          return 1; }
}

# A link of ours is gone: not in namespace NS (or the root one if "").
link_gone() {
    if [ -n "$1" ]; then
        ! ip -n "$1" link show "$2" >/dev/null 2>&1
    else
        ! ip link show "$2" >/dev/null 2>&1
    fi
}

# Times one ovs-vsctl change until cur_cfg catches up; prints ms.
timed_vsctl() {
    local t0 t1
    t0=$(date +%s%N)
    xt_vsctl "$@" || return 1
    t1=$(date +%s%N)
    echo "ovs-vsctl returned after $(( (t1 - t0) / 1000000 )) ms"
    [ $(( (t1 - t0) / 1000000 )) -lt 2000 ]
}

fdb_has_port() {
    xt_appctl fdb/show "$XT_BR" | awk -v p="$1" -v m="$2" \
        '$1 == p && $3 == m { found = 1 } END { exit !found }'
}

xt_start_switch          # add-br without --no-wait: needs cur_cfg
xt_ns a
xt_ns b
xt_ns c
xt_attach_internal a 10.66.0.1/24
xt_attach_internal b 10.66.0.2/24
xt_attach_veth c 10.66.0.3/24

xt_require "a pings b through two internal ports" xt_ping a 10.66.0.2
xt_require "a pings c on an AF_XDP veth port" xt_ping a 10.66.0.3
xt_check "the bridge's local port is LOCAL (65534)" \
    iface_matches "$XT_BR" ofport '^65534$'
xt_check "ofport of a is a small positive integer" \
    iface_matches "${XT}a" ofport '^[1-9][0-9]?$'
ofport_a=$(get Interface "${XT}a" ofport)
mac_a=$(xt_mac a)
xt_check "mac_in_use of a moved TAP is its MAC in the container" \
    iface_matches "${XT}a" mac_in_use "^\"$mac_a\"$"
# A TAP in a container changes state where our link monitor cannot see
# it: the periodic refresh (5 s) reports it.
xt_check "link_state and admin_state of a are up (within 7 s)" \
    eval 'wait_iface 7 "${XT}a" link_state "^up$" &&
          wait_iface 1 "${XT}a" admin_state "^up$"'
xt_check "status of the veth port names its driver and XDP mode" \
    iface_matches "${XT}c" status \
    'driver_name=afxdp.*xdp-mode=(native|generic)|driver_name=afpacket.*fallback_reason'
xt_check "statistics of a count the pings (refreshed within 7 s)" \
    wait_iface 7 "${XT}a" statistics 'rx_packets=[1-9]'
xt_check "iface_types lists internal and system" \
    eval 'get Open_vSwitch . iface_types | grep -q internal &&
          get Open_vSwitch . iface_types | grep -q system'
xt_check "cur_cfg equals next_cfg" \
    eval '[ "$(get Open_vSwitch . cur_cfg)" = "$(get Open_vSwitch . next_cfg)" ]'
xt_check "ovs-vsctl add-port returns promptly (cur_cfg)" \
    timed_vsctl add-port "$XT_BR" "${XT}t" -- set Interface "${XT}t" \
    type=internal

# ovsdbapp (as OpenStack uses it) bumps next_cfg and waits for cur_cfg.
ovsdbapp_add_port() {
    timeout 30 /usr/bin/python3 - "$XT_DB" "$XT_BR" "${XT}o" <<'PYEOF'
import sys
from ovsdbapp.backend.ovs_idl import connection
from ovsdbapp.schema.open_vswitch import impl_idl
remote, bridge, port = sys.argv[1:4]
idl = connection.OvsdbIdl.from_server(remote, 'Open_vSwitch')
api = impl_idl.OvsdbIdl(connection.Connection(idl=idl, timeout=10))
with api.transaction(check_error=True) as txn:
    txn.add(api.add_port(bridge, port))
    txn.add(api.db_set('Interface', port, ('type', 'internal')))
ofport = api.db_get('Interface', port, 'ofport').execute(check_error=True)
print("ofport", ofport)
sys.exit(0 if isinstance(ofport, int) and ofport > 0 else 1)
PYEOF
}
xt_check "ovsdbapp add_port completes and gets an ofport" ovsdbapp_add_port
xt_check "and its TAP exists" ip link show "${XT}o"

# fdb/show, exactly ovs-appctl's format, with OpenFlow port numbers.
xt_ping a 10.66.0.2 1
xt_check "fdb/show has the header of ovs-appctl fdb/show" \
    eval 'xt_appctl fdb/show "$XT_BR" | head -n 1 |
          grep -qx " port  VLAN  MAC                Age"'
xt_check "fdb/show lists a's MAC on a's ofport" fdb_has_port "$ofport_a" "$mac_a"
xt_check "fdb/show of an unknown bridge is an error" \
    eval '! xt_appctl fdb/show nosuchbr 2>&1 | grep -q port'
xt_check "dpif/show lists the ports with their drivers" \
    eval 'xt_appctl dpif/show | grep -q "${XT}a $ofport_a/[0-9]*: (tap)" &&
          xt_appctl dpif/show | grep -Eq "${XT}c [0-9]+/[0-9]+: \(af(xdp|packet)"'
# The containers' own traffic (an ARP probe a few seconds after the ping)
# may be learned again right after a flush: a working flush leaves at most
# one entry in one of three tries, a broken one keeps a's and b's.
fdb_flush_empties() {
    local try
    for try in 1 2 3; do
        xt_appctl fdb/flush "$XT_BR" || return 1
        [ "$(xt_appctl fdb/show "$XT_BR" | wc -l)" -le 2 ] && return 0
        sleep 0.2
    done
    xt_appctl fdb/show "$XT_BR"
    return 1
}
xt_check "fdb/flush empties the table" fdb_flush_empties

# A second daemon on the same database must wait for the lock.
mkdir -p "$XT_TMP/second"
xt_bg second env XSW_RUNDIR="$XT_TMP/second" "$XSW_SWITCHD" --db="$XT_DB" \
    --unixctl="$XT_TMP/second/switchd.ctl" \
    --log-file="$XT_TMP/second.log" -vconsole:off
second=$XT_LAST_PID
xt_check "a second xsw-switchd says it waits for the database lock" \
    xt_wait_for 5 grep -q "holds the database lock" "$XT_TMP/second.log"
xt_stop_pid "$second"
xt_check "the first one still forwards" xt_ping a 10.66.0.2

# kill -9, change the database meanwhile, restart.
xt_vsctl add-port "$XT_BR" "${XT}s" -- set Interface "${XT}s" type=internal
xt_require "internal port ${XT}s has its TAP" xt_wait_for 5 ip link show "${XT}s"
xt_stop_pid "$XT_SWITCHD_PID" KILL
xt_vsctl --no-wait del-port "${XT}s"
xt_check "containers keep their NICs while switchd is down" \
    eval 'ip -n "${XT}a" link show "${XT}a" >/dev/null'
xt_start_switchd
xt_check "after kill -9 and restart, a pings b again (moved TAPs)" \
    xt_wait_ping a 10.66.0.2 10
xt_check "after restart, a pings c again (AF_XDP)" xt_wait_ping a 10.66.0.3 10
xt_check "after restart, a keeps its ofport" \
    iface_matches "${XT}a" ofport "^$ofport_a\$"
xt_check "after restart, the TAP deleted meanwhile is swept" \
    xt_wait_for 5 link_gone "" "${XT}s"
xt_check "after restart, a's MAC is unchanged" \
    eval '[ "$(xt_mac a)" = "$mac_a" ]'

# del-port removes the device inside the container.
xt_check "del-port completes" xt_vsctl del-port "${XT}b"
xt_check "del-port deleted b's TAP inside its namespace" \
    xt_wait_for 5 link_gone "${XT}b" "${XT}b"

# A missing device: error, ofport -1, then attached when it appears.
xt_ns d
xt_vsctl add-port "$XT_BR" "${XT}d" >/dev/null 2>&1
xt_check "a missing device has ofport -1" \
    wait_iface 5 "${XT}d" ofport '^-1$'
xt_check "a missing device has an error" \
    wait_iface 5 "${XT}d" error 'no such|does not exist|No such'
xt_check "the rest keeps working" xt_ping a 10.66.0.3
ip link add "${XT}d" type veth peer name xteth0 netns "${XT}d" ||
    xt_fail "cannot create veth ${XT}d"
ip link set "${XT}d" up
xt_ns_nic_up d xteth0 10.66.0.4/24
xt_check "the device is attached once it appears" \
    wait_iface 10 "${XT}d" ofport '^[1-9][0-9]*$'
xt_check "its error is cleared" wait_iface 5 "${XT}d" error '^\[\]$'
xt_check "a pings d on the late device" xt_wait_ping a 10.66.0.4 10

# A bad type is reported and harms nothing.
xt_vsctl add-port "$XT_BR" "${XT}x" -- set Interface "${XT}x" type=bogus \
    >/dev/null 2>&1
xt_check "an unsupported type sets error" \
    wait_iface 5 "${XT}x" error 'unsupported interface type'
xt_vsctl set Bridge "$XT_BR" other_config:mac-aging-time=soon
xt_check "bad values leave forwarding alone" xt_ping a 10.66.0.3

# A tag change applies without touching the device.
xt_vsctl set Port "${XT}a" tag=10
xt_check "with a on VLAN 10, a cannot reach c" xt_no_ping a 10.66.0.3
xt_vsctl clear Port "${XT}a" tag
xt_check "tag removed, a reaches c again" xt_wait_ping a 10.66.0.3 5

# options:xdp-mode: a bad value is an error, a good one is applied.
xt_vsctl set Interface "${XT}c" options:xdp-mode=sideways >/dev/null 2>&1
xt_check "a bad xdp-mode sets error and ofport -1" \
    eval 'wait_iface 5 "${XT}c" ofport "^-1$" &&
          iface_matches "${XT}c" error "xdp-mode|sideways"'
xt_check "the other ports keep working" xt_ping a 10.66.0.4
xt_vsctl set Interface "${XT}c" options:xdp-mode=generic
xt_check "xdp-mode=generic is applied" \
    wait_iface 5 "${XT}c" status 'xdp-mode=generic|driver_name=afpacket'
xt_check "and c answers again" xt_wait_ping a 10.66.0.3 5
xt_vsctl remove Interface "${XT}c" options xdp-mode

# mac-aging-time is applied to the running bridge.
xt_vsctl set Bridge "$XT_BR" other_config:mac-aging-time=1
xt_ping a 10.66.0.3 1
xt_check "with mac-aging-time=1, a's MAC ages out within 4 s" \
    xt_wait_for 4 eval '! fdb_has_port "$ofport_a" "$mac_a"'
xt_vsctl remove Bridge "$XT_BR" other_config mac-aging-time

# A second bridge numbers its own ports; del-br deletes its TAPs.
xt_vsctl add-br "${XT}b2" -- add-port "${XT}b2" "${XT}i" -- \
    set Interface "${XT}i" type=internal
xt_check "a second bridge's first port is ofport 1" \
    iface_matches "${XT}i" ofport '^1$'
xt_check "del-br completes" xt_vsctl del-br "${XT}b2"
# (Within moments: the kernel deletes a TAP once the last reference to its
# file goes, which a forwarding thread's poll() may hold a little longer.)
xt_check "del-br deleted the bridge's TAP devices" \
    xt_wait_for 2 eval 'link_gone "" "${XT}b2" && link_gone "" "${XT}i"'

# mtu_request on an internal port: its TAP is re-attached in place, inside
# the container, with the new MTU.
xt_vsctl set Interface "${XT}a" mtu_request=1400
xt_check "mtu_request reaches the TAP inside the container" \
    xt_wait_for 5 eval 'ip -n "${XT}a" link show "${XT}a" | grep -q "mtu 1400"'
xt_check "the mtu column follows" wait_iface 7 "${XT}a" mtu '^1400$'
xt_check "a still pings c after the MTU change" xt_wait_ping a 10.66.0.3 5
xt_check "and keeps its ofport" iface_matches "${XT}a" ofport "^$ofport_a\$"

# A TAP deleted behind our back (here: inside its container) is created
# again, because the database still has it.
xt_ns e
xt_attach_internal e 10.66.0.5/24
ofport_e=$(get Interface "${XT}e" ofport)
ip -n "${XT}e" link del "${XT}e"
xt_check "a deleted TAP is created again (within 7 s)" \
    xt_wait_for 7 ip link show "${XT}e"
xt_check "with the same ofport" iface_matches "${XT}e" ofport "^$ofport_e\$"

# The mac column of an internal port is applied to its TAP.
xt_vsctl set Interface "${XT}e" mac='"02:00:00:00:66:05"'
xt_check "mac is applied to the TAP" xt_wait_for 5 \
    eval 'ip link show "${XT}e" | grep -q "link/ether 02:00:00:00:66:05"'
xt_check "and mac_in_use follows" \
    wait_iface 7 "${XT}e" mac_in_use '"02:00:00:00:66:05"'

# A name clash: an internal port named like an existing veth is an error
# until the veth goes, and then becomes a TAP without a restart.
ip link add "${XT}n" type veth peer name "${XT}m" ||
    xt_fail "cannot create veth ${XT}n"
xt_vsctl add-port "$XT_BR" "${XT}n" -- set Interface "${XT}n" type=internal \
    >/dev/null 2>&1
xt_check "a clashing name sets error and ofport -1" \
    eval 'wait_iface 5 "${XT}n" ofport "^-1$" &&
          iface_matches "${XT}n" error "not a TAP"'
ip link del "${XT}n"
xt_check "once the veth is gone, the port gets its TAP" \
    eval 'wait_iface 5 "${XT}n" ofport "^[1-9][0-9]*$" &&
          wait_iface 5 "${XT}n" error "^\[\]$" &&
          ip -d link show "${XT}n" | grep -q "tun type tap"'

# The database server restarts: nothing is disturbed, changes still apply.
xt_stop_pid "$XT_DB_PID"
xt_check "traffic flows while the database is down" xt_ping a 10.66.0.4
xt_start_dbserver
xt_check "after the server restarts, ovs-vsctl changes complete" \
    xt_vsctl add-port "$XT_BR" "${XT}u" -- set Interface "${XT}u" \
    type=internal
xt_check "and the new internal port has its TAP" \
    xt_wait_for 5 ip link show "${XT}u"
xt_check "a still pings c" xt_ping a 10.66.0.3
xt_done
