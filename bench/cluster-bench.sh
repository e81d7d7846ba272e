#! /bin/bash
# cluster-bench.sh: xsw-dbserver front ends on a 3-member etcd cluster
# against Open vSwitch 3.1's clustered ovsdb-server (3-member RAFT cluster
# with relays) and one standalone ovsdb-server, in the same run (issue 16).
#
# usage: bench/cluster-bench.sh [-r REPS] [-c CLIENTS] [-n SAMPLES]
#            [-t SECONDS] [-d DEPTH] [-s "SETUP..."] [-o RAWFILE]
#
# For each setup, every round: starts it from scratch, spreads CLIENTS
# (default 1,000) monitoring clients evenly over its front ends (relays),
# and one writer on the first: SAMPLES (default 20) port-adding
# transactions, one at a time, timed from the commit sent to the update
# received at each client (fan-out p50/p99); then write throughput with the
# monitors attached and read, serial and with DEPTH (16) in flight, SECONDS
# (2) each.  Setups (-s, default all): ovs (one standalone ovsdb-server),
# raft-N (3 RAFT members, N relays), xsw-N (3 etcd members, N front ends),
# N in 1 2 4.  Prints a Markdown table of medians (min-max) with the ratios
# xsw/RAFT and xsw/standalone, and whether issue 16's goal is met.
#
# Clients reach servers over unix sockets (the same transport for all);
# etcd and RAFT members talk over loopback TCP on free ports.  Everything
# lives in one xt- temporary folder; every process is killed by its PID on
# exit, however it exits.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench-lib.sh"
reps=3
clients=1000
samples=20
seconds=2
depth=16
setups="ovs raft-1 raft-2 raft-4 xsw-1 xsw-2 xsw-4"
raw=
while getopts "r:c:n:t:d:s:o:h" opt; do
    case $opt in
        r) reps=$OPTARG ;;
        c) clients=$OPTARG ;;
        n) samples=$OPTARG ;;
        t) seconds=$OPTARG ;;
        d) depth=$OPTARG ;;
        s) setups=$OPTARG ;;
        o) raw=$OPTARG ;;
        h) sed -n '2,23p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) exit 1 ;;
    esac
done
for s in $setups; do
    case $s in
        ovs|raft-[124]|xsw-[124]) ;;
        *) echo "$0: unknown setup '$s' (ovs, raft-N, xsw-N; N 1, 2, 4)" >&2
           exit 1 ;;
    esac
done

schema=$top/schema/vswitch.ovsschema
xsw=${XSW_DBSERVER:-$top/dbserver/xsw-dbserver}
load=${OVSDB_LOAD:-$top/bench/ovsdb-load}
report=$top/bench/cluster-report.py

bench_need_files "run 'make' and 'make bench/ovsdb-load'" \
    "$xsw" "$load" "$schema" "$report"
bench_need_progs "apt-get install openvswitch-switch etcd-server etcd-client" \
    ovsdb-server ovsdb-tool ovsdb-client etcd etcdctl
# 1,000 monitors and a writer are 1,001 descriptors in one process, and
# as many in the servers this script starts.
ulimit -n 8192 2> /dev/null || ulimit -n "$(ulimit -Hn)"

bench_init xt-cluster-bench
fail_logs="$tmp/run/*.log"
bench_stop=stop_all
results=$tmp/results
: > "$results"
pids=()
names=()

stop_all() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2> /dev/null
    done
    for pid in "${pids[@]}"; do
        wait "$pid" 2> /dev/null
    done
    pids=()
    names=()
}

# record KIND FRONTENDS METRIC VALUE (benchstats.py's samples format)
record() {
    printf '%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" >> "$results"
}

# free_ports N: N loopback TCP ports that nothing listens on now.
free_ports() {
    python3 -c '
import socket, sys
socks = [socket.socket() for _ in range(int(sys.argv[1]))]
for s in socks:
    s.bind(("127.0.0.1", 0))
print(" ".join(str(s.getsockname()[1]) for s in socks))' "$1"
}

# spawn NAME CMD...: starts CMD in the background with its output in
# run/NAME.log, and remembers its PID.  Not in a subshell, so that $! is
# the program itself.
spawn() {
    local name=$1
    shift
    "$@" > "$run/$name.err" 2>&1 &
    pids+=($!)
    names+=("$name")
}

# cpu_ticks: "STORAGE FRONT", the CPU time (user + system, clock ticks) used
# so far by the storage processes (etcd or RAFT members) and by the
# processes the clients talk to (xsw front ends, relays, the standalone
# server).
cpu_ticks() {
    local i storage=0 front=0 t
    for i in "${!pids[@]}"; do
        t=$(awk '{ print $14 + $15 }' /proc/"${pids[$i]}"/stat 2> /dev/null)
        case ${names[$i]} in
            etcd*|r[0-9]) storage=$((storage + ${t:-0})) ;;
            *) front=$((front + ${t:-0})) ;;
        esac
    done
    echo "$storage $front"
}

# etcd_requests: "RANGES TXNS", the range and txn requests etcd's members
# have handled (their gRPC counters, which count the JSON gateway's
# requests too), summed over the members.
etcd_requests() {
    local url
    for url in "${urls[@]}"; do
        curl -s "$url/metrics"
    done | awk '/^grpc_server_handled_total.*grpc_method="Range"/ { r += $2 }
                /^grpc_server_handled_total.*grpc_method="Txn"/ { t += $2 }
                END { print r + 0, t + 0 }'
}

# ready SOCK: waits until the OVSDB server on SOCK answers.
ready() {
    "$load" ready "$1" --since="$(date +%s%N)" --timeout=60 > /dev/null \
        || fail "$1 did not become ready"
}

# server NAME ARGS...: an ovsdb-server on run/NAME.sock.
ovs_server() {
    local name=$1
    shift
    spawn "$name" ovsdb-server --no-chdir --remote=punix:"$run/$name.sock" \
        --unixctl="$run/$name.ctl" --log-file="$run/$name.log" \
        -vconsole:off "$@"
}

# setup_ovs: one standalone ovsdb-server.  Sets socks and writer.
setup_ovs() {
    ovsdb-tool create "$run/db" "$schema" || fail "ovsdb-tool create"
    ovs_server s "$run/db"
    ready "$run/s.sock"
    socks=$run/s.sock
}

# setup_raft N: 3 RAFT members and N relays on them.
setup_raft() {
    local n=$1 i j ports remote
    read -r -a ports <<< "$(free_ports 6)"
    # (ovsdb-tool warns that clusters make ephemeral columns persistent.)
    ovsdb-tool create-cluster "$run/r0.db" "$schema" \
        tcp:127.0.0.1:"${ports[0]}" 2> /dev/null || fail "create-cluster"
    for i in 1 2; do
        ovsdb-tool join-cluster "$run/r$i.db" Open_vSwitch \
            tcp:127.0.0.1:"${ports[$i]}" tcp:127.0.0.1:"${ports[0]}" \
            || fail "join-cluster"
    done
    remote=
    for i in 0 1 2; do
        ovs_server "r$i" --remote=ptcp:"${ports[$((i + 3))]}":127.0.0.1 \
            "$run/r$i.db"
        remote=$remote${remote:+,}tcp:127.0.0.1:${ports[$((i + 3))]}
    done
    for i in 0 1 2; do
        ovsdb-client --timeout=60 wait unix:"$run/r$i.sock" Open_vSwitch \
            connected > /dev/null 2>&1 || fail "RAFT member $i did not join"
    done
    socks=
    for i in $(seq "$n"); do
        ovs_server "relay$i" "relay:Open_vSwitch:$remote"
        # A relay answers "database not available" until it has synced.
        for j in $(seq 600); do
            [ -S "$run/relay$i.sock" ] && break
            sleep 0.1
        done
        ovsdb-client --timeout=60 wait unix:"$run/relay$i.sock" \
            Open_vSwitch connected > /dev/null 2>&1 \
            || fail "relay $i did not connect"
        ready "$run/relay$i.sock"
        socks=$socks${socks:+,}$run/relay$i.sock
    done
}

# setup_xsw N: 3 etcd members and N xsw-dbserver front ends on them, each
# front end listing a different member first.
setup_xsw() {
    local n=$1 i j k ports cluster list
    read -r -a ports <<< "$(free_ports 6)"
    urls=()
    cluster=
    for i in 0 1 2; do
        urls+=("http://127.0.0.1:${ports[$i]}")
        cluster=$cluster${cluster:+,}xt-etcd$i=http://127.0.0.1:${ports[$((i + 3))]}
    done
    for i in 0 1 2; do
        spawn "etcd$i" etcd --name "xt-etcd$i" --data-dir "$run/etcd$i" \
            --listen-client-urls "${urls[$i]}" \
            --advertise-client-urls "${urls[$i]}" \
            --listen-peer-urls "http://127.0.0.1:${ports[$((i + 3))]}" \
            --initial-advertise-peer-urls \
                "http://127.0.0.1:${ports[$((i + 3))]}" \
            --initial-cluster "$cluster" --initial-cluster-token xt-bench
    done
    list=$(IFS=,; echo "${urls[*]}")
    for i in $(seq 200); do
        ETCDCTL_API=3 etcdctl --endpoints="$list" endpoint health \
            > /dev/null 2>&1 && break
        [ "$i" = 200 ] && fail "etcd cluster not healthy after 20 s"
        sleep 0.1
    done
    "$xsw" --storage=etcd:"$list" --create "$schema" \
        > "$run/create.log" 2>&1 || fail "xsw-dbserver --create: $(cat "$run/create.log")"
    socks=
    for i in $(seq "$n"); do
        j=$(( (i - 1) % 3 ))
        list=${urls[$j]}
        for k in 1 2; do
            list=$list,${urls[$(( (j + k) % 3 ))]}
        done
        spawn "fe$i" "$xsw" --storage=etcd:"$list" \
            --remote=punix:"$run/fe$i.sock" --unixctl="$run/fe$i.ctl" \
            --log-file="$run/fe$i.log" -vconsole:off Open_vSwitch
        ready "$run/fe$i.sock"
        socks=$socks${socks:+,}$run/fe$i.sock
    done
}

# measure SETUP: one round of one setup, from scratch.
measure() {
    local setup=$1 kind n out cpu0 cpu1 req0 req1 txns hz
    kind=${setup%-*}
    n=${setup#*-}
    [ "$kind" = ovs ] && n=1
    run=$tmp/run
    rm -rf "$run"
    mkdir -p "$run"
    urls=()
    case $kind in
        ovs) setup_ovs ;;
        raft) setup_raft "$n" ;;
        xsw) setup_xsw "$n" ;;
    esac
    read -r -a cpu0 <<< "$(cpu_ticks)"
    [ "$kind" = xsw ] && read -r -a req0 <<< "$(etcd_requests)"
    out=$("$load" fanout "$socks" -c "$clients" -n "$samples" \
              -t "$seconds" -d "$depth" -p "xt$kind" 2> "$run/load.err") \
        || fail "$setup: fanout: $(cat "$run/load.err")"
    for key in p50_ms p99_ms serial_txn_s pipelined_txn_s \
               serial_fanout_s pipelined_fanout_s client_cpu; do
        record "$kind" "$n" "$key" "$(field "$key" "$out")"
    done
    if [ "$n" -gt 1 ]; then
        for key in p50_first_ms p50_rest_ms p99_rest_ms; do
            record "$kind" "$n" "$key" "$(field "$key" "$out")"
        done
    fi
    read -r -a cpu1 <<< "$(cpu_ticks)"
    # The transactions the writer committed: the fan-out samples with
    # their warm-up, and both throughput phases.
    txns=$(awk -v n="$samples" -v t="$seconds" -v s="$(field serial_txn_s "$out")" \
               -v p="$(field pipelined_txn_s "$out")" \
               'BEGIN { w = int(n / 10); if (w > 5) w = 5
                        printf "%d", n + w + (s + p) * t }')
    hz=$(getconf CLK_TCK)
    record "$kind" "$n" storage_cpu_us "$(awk -v a="${cpu0[0]}" \
        -v b="${cpu1[0]}" -v n="$txns" -v hz="$hz" \
        'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')"
    record "$kind" "$n" front_cpu_us "$(awk -v a="${cpu0[1]}" \
        -v b="${cpu1[1]}" -v n="$txns" -v hz="$hz" \
        'BEGIN { printf "%.1f", (b - a) / hz * 1e6 / n }')"
    if [ "$kind" = xsw ]; then
        read -r -a req1 <<< "$(etcd_requests)"
        record "$kind" "$n" etcd_ranges_per_txn "$(awk -v a="${req0[0]}" \
            -v b="${req1[0]}" -v n="$txns" 'BEGIN { printf "%.2f", (b - a) / n }')"
        record "$kind" "$n" etcd_txns_per_txn "$(awk -v a="${req0[1]}" \
            -v b="${req1[1]}" -v n="$txns" 'BEGIN { printf "%.2f", (b - a) / n }')"
    fi
    echo "    $setup: $out" >&2
    stop_all
}

start=$(date +%s)
echo "cluster-bench: $reps rounds of $setups; $clients clients," \
     "$samples samples, ${seconds} s per throughput phase, depth $depth" >&2
for rep in $(seq "$reps"); do
    record load 0 loadavg "$(cut -d' ' -f1 /proc/loadavg)"
    echo "  round $rep (load $(cut -d' ' -f1-3 /proc/loadavg))" >&2
    for setup in $setups; do
        measure "$setup"
    done
done
record load 0 loadavg "$(cut -d' ' -f1 /proc/loadavg)"
echo "cluster-bench: done in $(( $(date +%s) - start )) s" >&2

[ -n "$raw" ] && cp "$results" "$raw"
/usr/bin/python3 "$report" "$results"
