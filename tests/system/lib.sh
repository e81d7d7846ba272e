# tests/system/lib.sh: shared helpers for xsw's system tests, the demo and
# the switch benchmark.  Source it from bash:
#
#     . "$top_srcdir/tests/system/lib.sh"
#     xt_init sys-example            # root, tools, lock, temp dir, trap
#     xt_start_xsw                   # xsw-dbserver + xsw-switchd
#     xt_vsctl add-br "$XT_BR"
#     xt_ns a; xt_ns b
#     xt_attach_internal a 10.0.0.1/24
#     xt_attach_veth     b 10.0.0.2/24
#     xt_check "a pings b" xt_ping a 10.0.0.2
#     xt_done
#
# Environment: XT_PEER=ovs runs the test against Open vSwitch 3.1 (its
# ovsdb-server and ovs-vswitchd) instead of xsw; XT_DBSERVER=ovs keeps
# xsw-switchd but puts it on Debian's ovsdb-server instead of xsw-dbserver,
# so that xsw's client library is tested against the reference server
# (tests/system/ovsdb/ run a subset of the tests so).  Every server start
# checks which program serves the socket, so neither falls back silently.
#
# Rules every helper keeps, so that tests can run on a developer's machine:
# - Everything created is named with the prefix $XT ("xt" + 4 hex digits of
#   this shell's PID), so that two runs never touch each other's objects and
#   cleanup deletes only what this run made.
# - Processes are started in the background and their PIDs recorded; the
#   EXIT trap kills exactly those PIDs, then deletes our links and
#   namespaces and the temp dir, even after a failure or Ctrl-C.
# - Addresses are configured only inside our namespaces, never in the
#   machine's root namespace.
# - A missing capability (not root, no tun, a tool not installed) is a
#   failure with a message saying what is missing, not a silent skip.
# - Test runs that start a switch daemon hold an exclusive lock, so that
#   no two of them compete for the CPU (traffic figures and timeouts) or
#   sweep each other's TAP devices (an older xsw-switchd at start-up
#   deleted every xsw TAP it did not configure; today's deletes only its
#   own database's, see sys-two-switches.sh).

if [ -z "${BASH_VERSION:-}" ]; then
    echo "lib.sh: needs bash" >&2
    exit 1
fi

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
XSW_DBSERVER=$top_builddir/dbserver/xsw-dbserver
XSW_SWITCHD=$top_builddir/switchd/xsw-switchd
XSW_CTL=$top_builddir/ctl/xsw-ctl
XSW_SCHEMA=$top_srcdir/schema/vswitch.ovsschema

XT=xt$(printf %04x $(($$ % 65536)))
XT_BR=${XT}br                    # the bridge, and its local internal port
XT_NAME=                         # the test's name, for messages
XT_TMP=                          # temp dir: sockets, logs, captures
XT_LOCK=/run/lock/xsw-system-tests.lock
XT_SWITCH=                       # "xsw" or "ovs" once a switch runs
XT_DB=                           # the switch's database remote
XT_DB_KIND=                      # "xsw" or "ovs": the server behind XT_DB
XT_DB_PID= XT_SWITCHD_PID=       # the switch's processes
XT_FAILURES=0
declare -a XT_PIDS=()            # every background process we started
declare -a XT_NETNS=()           # every namespace we created
declare -A XT_DEV=()             # container -> its NIC's name inside it

xt_log() { printf '%s: %s\n' "$XT_NAME" "$*"; }

# Fails the test at once: the trap cleans up.
xt_fail() {
    printf '%s: FAIL: %s\n' "$XT_NAME" "$*" >&2
    exit 1
}

# xt_init NAME [LOCK]: checks that we can build topologies at all, creates
# the temp dir and installs the cleanup trap.  With LOCK "nolock" (for
# tools that never start a switch daemon) the global lock is not taken.
xt_init() {
    XT_NAME=$1
    [ "$(id -u)" = 0 ] ||
        xt_fail "must run as root (creates network namespaces and TAP devices)"
    [ -c /dev/net/tun ] || xt_fail "/dev/net/tun is missing (no TUN support)"
    xt_need ip timeout flock
    XT_TMP=$(mktemp -d "/tmp/$XT.XXXXXX") || xt_fail "mktemp failed"
    trap xt_cleanup EXIT
    trap 'exit 130' INT
    trap 'exit 143' TERM
    ip netns add "${XT}probe" 2>"$XT_TMP/netns.err" ||
        xt_fail "cannot create a network namespace: $(cat "$XT_TMP/netns.err")"
    ip netns del "${XT}probe"
    if [ "${2:-}" != nolock ]; then
        mkdir -p "$(dirname "$XT_LOCK")"
        exec 9>"$XT_LOCK"
        flock -w 600 9 || xt_fail "timed out waiting for $XT_LOCK"
    fi
}

# xt_need CMD...: fails unless every CMD is installed.
xt_need() {
    local c
    for c in "$@"; do
        command -v "$c" >/dev/null 2>&1 ||
            xt_fail "'$c' is not installed (see setup.sh)"
    done
}

# The PIDs of PID's children, from /proc.
xt_children() {
    cat /proc/"$1"/task/*/children 2>/dev/null
}

# Kills a PID we started: TERM, then KILL if it lingers for a second.  Its
# children go first: trafgen, for one, runs its generator in a child that
# outlives a TERMed parent and would go on sending through later runs.
xt_kill_pid() {
    local pid=$1 i child
    for child in $(xt_children "$pid"); do
        xt_kill_pid "$child"
    done
    kill "$pid" 2>/dev/null || return 0
    for i in 1 2 3 4 5 6 7 8 9 10; do
        kill -0 "$pid" 2>/dev/null || return 0
        sleep 0.1
    done
    kill -9 "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

xt_cleanup() {
    local rc=$?
    trap - EXIT INT TERM
    # A reader that went away (| head) must not stop the cleanup halfway.
    trap '' PIPE
    set +e
    xt_teardown
    if [ $rc -ne 0 ] && [ -n "$XT_TMP" ]; then
        xt_dump_logs >&2
    fi
    [ -n "$XT_TMP" ] && rm -rf "$XT_TMP"
    exit $rc
}

# Kills every process we started and deletes every link and namespace we
# created; the next xt_start_switch starts from an empty database.  (The
# benchmark builds one topology after another with it.)
xt_teardown() {
    local pid ns dev
    for pid in "${XT_PIDS[@]}"; do
        xt_kill_pid "$pid"
    done
    # Our persistent TAPs survive their daemon; delete every link of ours,
    # in our namespaces and in the root namespace, before the namespaces.
    for ns in "${XT_NETNS[@]}"; do
        for dev in $(ip -n "$ns" -o link show 2>/dev/null |
                     awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
                     grep "^$XT"); do
            ip -n "$ns" link del "$dev" 2>/dev/null
        done
    done
    for dev in $(ip -o link show | awk -F': ' '{sub(/@.*/, "", $2); print $2}' |
                 grep "^$XT"); do
        ip link del "$dev" 2>/dev/null
    done
    for ns in "${XT_NETNS[@]}"; do
        ip netns del "$ns" 2>/dev/null
    done
    if [ -n "${XT_OVS_NETDEV:-}" ]; then
        ip link del ovs-netdev 2>/dev/null
        XT_OVS_NETDEV=
    fi
    XT_PIDS=() XT_NETNS=() XT_DEV=()
    XT_SWITCH= XT_DB_KIND= XT_DB_PID= XT_SWITCHD_PID=
    [ -n "$XT_TMP" ] && rm -f "$XT_TMP/conf.db" "$XT_TMP"/*.pcap
    return 0
}

# Prints the tails of the daemons' logs, for a failure's report.
xt_dump_logs() {
    local f
    for f in "$XT_TMP"/*.log "$XT_TMP"/*.stderr \
             "$XT_TMP"/*/*.log "$XT_TMP"/*/*.stderr; do
        [ -s "$f" ] || continue
        echo "---- ${f#"$XT_TMP"/} (last 25 lines)"
        tail -n 25 "$f"
    done
}

# xt_bg NAME CMD...: starts CMD in the background, output to
# $XT_TMP/NAME.stderr, and records its PID (also in $XT_LAST_PID).
xt_bg() {
    local name=$1
    shift
    # Fd 9 (the lock) is not inherited: a leftover process must not keep
    # every later test waiting.
    "$@" >"$XT_TMP/$name.stdout" 2>"$XT_TMP/$name.stderr" 9>&- &
    XT_LAST_PID=$!
    XT_PIDS+=("$XT_LAST_PID")
}

# xt_wait_for SECONDS CMD...: polls CMD every 0.1 s until it succeeds.
xt_wait_for() {
    local deadline=$((SECONDS + $1))
    shift
    while ! "$@" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
        sleep 0.1
    done
}

# ---------------------------------------------------------------------------
# Namespaces and ports.

# xt_ns NAME: creates namespace $XT$NAME with loopback up and IPv6 off (no
# router solicitations or MLD reports to disturb MAC learning and
# captures).
xt_ns() {
    local ns=$XT$1
    ip netns add "$ns" || xt_fail "cannot create namespace $ns"
    XT_NETNS+=("$ns")
    ip -n "$ns" link set lo up
    ip netns exec "$ns" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null
}

# xt_nsx NAME CMD...: runs CMD in namespace $XT$NAME.
xt_nsx() {
    local ns=$XT$1
    shift
    ip netns exec "$ns" "$@"
}

# Configures container NAME's NIC DEV (already inside it) with ADDR.
xt_ns_nic_up() {
    local name=$1 dev=$2 addr=$3
    XT_DEV[$name]=$dev
    ip netns exec "$XT$name" sysctl -qw "net.ipv6.conf.$dev.disable_ipv6=1" \
        >/dev/null 2>&1
    ip -n "$XT$name" link set "$dev" up || xt_fail "cannot bring up $dev in $XT$name"
    if [ -n "$addr" ]; then
        ip -n "$XT$name" addr add "$addr" dev "$dev" ||
            xt_fail "cannot add $addr to $dev in $XT$name"
    fi
}

# xt_attach_internal NAME ADDR [VSCTL-ARGS...]: adds internal port $XT$NAME
# to the bridge, waits for its TAP device, moves it into namespace $XT$NAME
# (which must exist) and gives it ADDR there (none if ADDR is "").
# VSCTL-ARGS are appended to the add-port command, e.g. "--" "set" "Port"
# "${XT}a" "tag=1000".
xt_attach_internal() {
    local name=$1 addr=$2 port=$XT$1
    shift 2
    xt_vsctl add-port "$XT_BR" "$port" -- set Interface "$port" type=internal "$@" ||
        xt_fail "add-port $port failed"
    xt_wait_for 10 ip link show "$port" ||
        xt_fail "internal port $port: no device appeared within 10 s"
    ip link set "$port" netns "$XT$name" ||
        xt_fail "cannot move $port into $XT$name"
    xt_ns_nic_up "$name" "$port" "$addr"
}

# xt_attach_veth NAME ADDR [VSCTL-ARGS...]: creates a veth pair, $XT$NAME on
# the switch side (added to the bridge, up, no address) and "xteth0" inside
# namespace $XT$NAME with ADDR.  Offloads stay at the kernel's defaults.
xt_attach_veth() {
    local name=$1 addr=$2 port=$XT$1
    shift 2
    ip link add "$port" type veth peer name xteth0 netns "$XT$name" ||
        xt_fail "cannot create veth pair $port"
    # The switch's end has no address and must send nothing of its own.
    sysctl -qw "net.ipv6.conf.$port.disable_ipv6=1" >/dev/null 2>&1
    ip link set "$port" up
    xt_ns_nic_up "$name" xteth0 "$addr"
    if [ "$XT_SWITCH" = ovs ]; then
        # OVS's userspace datapath needs the AF_XDP port type spelt out.
        set -- -- set Interface "$port" type=afxdp "$@"
    fi
    xt_vsctl add-port "$XT_BR" "$port" "$@" || xt_fail "add-port $port failed"
}

# xt_mac NAME: the MAC address of container NAME's NIC.
xt_mac() {
    ip -n "$XT$1" -o link show "${XT_DEV[$1]}" |
        sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}

# ---------------------------------------------------------------------------
# The switches: xsw (xsw-dbserver + xsw-switchd) or, for comparison, Open
# vSwitch 3.1's userspace datapath (ovsdb-server + ovs-vswitchd).

xt_db_sock() { echo "$XT_TMP/db.sock"; }

# xt_vsctl ARGS...: Debian's ovs-vsctl against the running switch's
# database, waiting (bounded) for the switch to apply the change.
xt_vsctl() {
    timeout 30 ovs-vsctl --db="$XT_DB" --timeout=20 "$@"
}

# xt_appctl ARGS...: a command on the switch daemon's control socket.
xt_appctl() {
    timeout 10 ovs-appctl -t "$XT_TMP/switchd.ctl" "$@"
}

# xt_start_dbserver [xsw|ovs]: creates (first time) and serves the
# database on $XT_TMP/db.sock.  Without an argument, the same server as
# last time (a restart), else xsw-dbserver.
xt_start_dbserver() {
    local peer=${1:-${XT_DB_KIND:-xsw}} db=$XT_TMP/conf.db schema
    rm -f "$XT_TMP/db.sock"
    if [ "$peer" = xsw ]; then
        [ -x "$XSW_DBSERVER" ] || xt_fail "$XSW_DBSERVER is not built"
        [ -f "$db" ] || "$XSW_DBSERVER" --create "$XSW_SCHEMA" "$db" ||
            xt_fail "xsw-dbserver --create failed"
        xt_bg dbserver env XSW_RUNDIR="$XT_TMP" "$XSW_DBSERVER" \
            --remote=punix:"$XT_TMP/db.sock" --unixctl="$XT_TMP/db.ctl" \
            --log-file="$XT_TMP/dbserver.log" -vconsole:off \
            ${XSW_DBSERVER_ARGS:-} "$db"
    else
        xt_need ovsdb-server ovsdb-tool
        # Under xsw-switchd, the schema xsw was built with (Debian's 3.1
        # ships the same vswitch 8.3.1); under ovs-vswitchd, Debian's own.
        schema=$XSW_SCHEMA
        [ "$XT_SWITCH" = ovs ] && schema=/usr/share/openvswitch/vswitch.ovsschema
        [ -f "$db" ] || ovsdb-tool create "$db" "$schema" ||
            xt_fail "ovsdb-tool create failed"
        xt_bg dbserver env OVS_RUNDIR="$XT_TMP" ovsdb-server \
            --remote=punix:"$XT_TMP/db.sock" --unixctl="$XT_TMP/db.ctl" \
            --log-file="$XT_TMP/dbserver.log" -vconsole:off "$db"
    fi
    XT_DB_PID=$XT_LAST_PID
    XT_DB_KIND=$peer
    XT_DB=unix:$XT_TMP/db.sock
    xt_wait_for 10 test -S "$XT_TMP/db.sock" ||
        xt_fail "$peer database server did not start (see dbserver.stderr)"
    xt_dbserver_is "$peer" >"$XT_TMP/dbserver.id" 2>&1 ||
        xt_fail "$(cat "$XT_TMP/dbserver.id")"
    xt_log "database: $(cat "$XT_TMP/dbserver.id")"
}

# xt_dbserver_is xsw|ovs: succeeds if the process listening on our
# database socket is the one we started, running xsw-dbserver or Open
# vSwitch's ovsdb-server; prints its program, version and PID.
xt_dbserver_is() {
    local want=$1 exe listener version
    exe=$(readlink "/proc/$XT_DB_PID/exe")
    listener=$(ss -xlpH src "$XT_TMP/db.sock" 2>/dev/null |
               grep -o 'pid=[0-9]*' | head -n 1)
    version=$(timeout 10 ovs-appctl -t "$XT_TMP/db.ctl" version 2>&1 |
              head -n 1)
    if [ "$listener" != "pid=$XT_DB_PID" ]; then
        echo "db.sock is served by ${listener:-nobody}, not by pid $XT_DB_PID"
        return 1
    fi
    case $want:${exe##*/}:$version in
        xsw:xsw-dbserver:*|ovs:ovsdb-server:"ovsdb-server (Open vSwitch) "*) ;;
        *) echo "wanted the $want server, pid $XT_DB_PID is $exe ($version)"
           return 1 ;;
    esac
    echo "$version, $exe, pid $XT_DB_PID"
}

# xt_start_switchd [xsw|ovs]: starts the switch daemon on our database.
xt_start_switchd() {
    local peer=${1:-xsw}
    rm -f "$XT_TMP/switchd.ctl"
    if [ "$peer" = xsw ]; then
        [ -x "$XSW_SWITCHD" ] || xt_fail "$XSW_SWITCHD is not built"
        xt_bg switchd env XSW_RUNDIR="$XT_TMP" "$XSW_SWITCHD" \
            --db="$XT_DB" --unixctl="$XT_TMP/switchd.ctl" \
            --log-file="$XT_TMP/switchd.log" -vconsole:off \
            ${XSW_SWITCHD_ARGS:-}
    else
        xt_need ovs-vswitchd
        # Its userspace datapath creates a TAP "ovs-netdev" that survives
        # a killed ovs-vswitchd: ours to delete unless it was already there.
        ip link show ovs-netdev > /dev/null 2>&1 || XT_OVS_NETDEV=1
        xt_bg switchd env OVS_RUNDIR="$XT_TMP" ovs-vswitchd "$XT_DB" \
            --unixctl="$XT_TMP/switchd.ctl" \
            --log-file="$XT_TMP/switchd.log" -vconsole:off
    fi
    XT_SWITCHD_PID=$XT_LAST_PID
    xt_wait_for 10 test -S "$XT_TMP/switchd.ctl" ||
        xt_fail "$peer switch daemon did not start (see switchd.stderr)"
}

# xt_start_switch [xsw|ovs]: database server and switch daemon, and a
# bridge $XT_BR (userspace "netdev" datapath for Open vSwitch).
# $XT_PEER=ovs runs a test against Open vSwitch instead: it shows that the
# test itself works, and which of xsw's promises OVS 3.1 does not keep.
xt_start_switch() {
    local dbserver
    XT_SWITCH=${1:-${XT_PEER:-xsw}}
    dbserver=$XT_SWITCH
    case ${XT_DBSERVER:-xsw} in
        xsw) ;;
        ovs) dbserver=ovs ;;
        *) xt_fail "XT_DBSERVER=$XT_DBSERVER: must be xsw or ovs" ;;
    esac
    xt_need ovs-vsctl ovs-appctl ss
    xt_start_dbserver "$dbserver"
    xt_start_switchd "$XT_SWITCH"
    if [ "$XT_SWITCH" = ovs ]; then
        # Its fastest configuration for internal ports (TSO through TAPs).
        xt_vsctl set Open_vSwitch . other_config:userspace-tso-enable=true ||
            xt_fail "cannot enable userspace TSO"
    fi
    xt_vsctl add-br "$XT_BR" -- set Bridge "$XT_BR" datapath_type=netdev ||
        xt_fail "add-br $XT_BR did not complete"
}
xt_start_xsw() { xt_start_switch xsw; }

# Stops a daemon we started, with signal SIG (default TERM).
xt_stop_pid() {
    local pid=$1 sig=${2:-TERM}
    kill -"$sig" "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    return 0
}

# ---------------------------------------------------------------------------
# Traffic.

# xt_ping FROM ADDR [COUNT]: COUNT (3) pings from container FROM; all of
# them must be answered.
xt_ping() {
    timeout 15 ip netns exec "$XT$1" ping -q -n -c "${3:-3}" -i 0.2 -W 2 "$2" \
        >/dev/null 2>&1
}

# xt_no_ping FROM ADDR: not a single answer in 3 tries.
xt_no_ping() {
    local out
    out=$(timeout 15 ip netns exec "$XT$1" ping -n -c 3 -i 0.3 -W 1 "$2" 2>&1)
    echo "$out" | grep -q ' 0 received'
}

# xt_wait_ping FROM ADDR SECONDS: waits until ADDR answers a ping.
xt_wait_ping() {
    local deadline=$((SECONDS + $3))
    while ! timeout 5 ip netns exec "$XT$1" ping -q -n -c 1 -W 1 "$2" \
              >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || return 1
    done
}

# xt_iperf FROM TO ADDR [EXTRA-ARGS...]: a 2-second iperf3 TCP run from
# container FROM to a server in container TO at ADDR; succeeds if TCP
# works: the receiver counted at least 10 Mbit/s.  Prints the rate.
#
# The floor is a correctness check, not a performance one (bench/ measures
# speed, as ratios in the same run).  What breaks TCP through a switch
# (bad partial checksums, GSO frames dropped, a lost FIN) leaves it at or
# near 0; a working path under a CPU hog on 2 busy cores still gave 157
# Mbit/s, where the old per-test floors of 200 and 500 failed.
xt_iperf() {
    local from=$1 to=$2 addr=$3 min=10 pid rate
    shift 3
    xt_bg "iperf-$to" ip netns exec "$XT$to" iperf3 -s -1 -B "${addr%/*}"
    pid=$XT_LAST_PID
    xt_wait_for 5 ip netns exec "$XT$to" sh -c "ss -ltn | grep -q ':5201 '" ||
        { echo "iperf3 server did not start"; return 1; }
    timeout 12 ip netns exec "$XT$from" iperf3 -c "$addr" -t 2 -J \
        --connect-timeout 3000 "$@" >"$XT_TMP/iperf.json" 2>&1
    xt_kill_pid "$pid"
    rate=$(/usr/bin/python3 - "$XT_TMP/iperf.json" <<'EOF'
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    print("%.0f" % (r["end"]["sum_received"]["bits_per_second"] / 1e6))
except Exception:
    print(0)
    if "r" in dir() and "error" in r:
        print("iperf3: " + r["error"], file=sys.stderr)
EOF
)
    echo "${rate} Mbit/s"
    [ "$rate" -ge "$min" ]
}

# xt_capture NAME NS DEV FILTER...: starts tcpdump -e on DEV in namespace
# $XT$NS, writing $XT_TMP/NAME.pcap; returns once it is capturing.
xt_capture() {
    local name=$1 ns=$2 dev=$3
    shift 3
    xt_need tcpdump
    xt_bg "cap-$name" ip netns exec "$XT$ns" tcpdump -U --immediate-mode -n -i "$dev" \
        -w "$XT_TMP/$name.pcap" "$@"
    eval "XT_CAP_$name=$XT_LAST_PID"
    xt_wait_for 5 grep -q "listening on" "$XT_TMP/cap-$name.stderr" ||
        xt_fail "tcpdump on $dev in $XT$ns did not start: $(cat "$XT_TMP/cap-$name.stderr")"
}

# xt_capture_stop NAME: stops capture NAME and prints its packets with
# link-level headers (tcpdump -e -nn), one per line.
xt_capture_stop() {
    local pid
    eval "pid=\$XT_CAP_$1"
    sleep 0.3        # let the last frames reach the file (-U)
    kill -INT "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    tcpdump -r "$XT_TMP/$1.pcap" -e -nn 2>/dev/null
}

# ---------------------------------------------------------------------------
# Checks and the verdict.

# xt_check DESCRIPTION CMD...: runs CMD, prints "ok" or "FAIL" with
# DESCRIPTION and counts failures; CMD's output is shown on failure.
# CMD runs in this shell (not a subshell), so that the PIDs of processes it
# starts are recorded for cleanup.
xt_check() {
    local what=$1 out=$XT_TMP/check.out
    shift
    if "$@" >"$out" 2>&1; then
        if [ -s "$out" ]; then
            xt_log "ok: $what ($(tail -n 1 "$out"))"
        else
            xt_log "ok: $what"
        fi
    else
        XT_FAILURES=$((XT_FAILURES + 1))
        xt_log "FAIL: $what"
        sed 's/^/    /' "$out" >&2
    fi
    return 0
}

# xt_require DESCRIPTION CMD...: like xt_check, but later steps depend on
# it, so a failure ends the test.
xt_require() {
    local before=$XT_FAILURES
    xt_check "$@"
    [ $XT_FAILURES -eq $before ] || xt_fail "cannot go on after: $1"
}

# xt_idl_clean LOG: xsw-switchd's IDL, logging to LOG, warned about
# nothing its server sent (a malformed or inapplicable update: its replica
# of the database would differ from the server's).
xt_idl_clean() {
    ! grep -E '\|idl\|(WARN|ERR)\|' "$1"
}

# Ends the test: exit status 0 only if every check passed.  On Open
# vSwitch's ovsdb-server, xsw-switchd's replica must also have taken every
# update without a complaint: a diff rule that xsw's client and server
# share wrongly shows there first (it did for the update2 diff of optional
# columns: "applying the diff leaves 2 elements").
xt_done() {
    if [ "${XT_DBSERVER:-xsw}" = ovs ] && [ -f "$XT_TMP/switchd.log" ]; then
        xt_check "xsw-switchd's IDL accepted every update from ovsdb-server" \
            xt_idl_clean "$XT_TMP/switchd.log"
    fi
    if [ $XT_FAILURES -ne 0 ]; then
        xt_log "$XT_FAILURES check(s) failed"
        exit 1
    fi
    xt_log "all checks passed"
    exit 0
}
