#! /bin/bash
# dbserver-bench.sh: xsw-dbserver against Debian's ovsdb-server 3.1, on the
# same schema, in the same run.
#
# usage: bench/dbserver-bench.sh [-r REPS] [-o RAWFILE]
#
# Runs REPS rounds (default 5); each round measures xsw-dbserver, then
# ovsdb-server, so that drift in the machine (other jobs, thermal, page
# cache) hits both alike.  Every measurement starts from a fresh database.
# Prints a Markdown table of medians with min-max and the ratio xsw/ovs, and
# whether each target of issue 3 is met.  The load generator is
# bench/ovsdb-load (build it with `make bench/ovsdb-load`).
#
# Everything lives in one temporary folder, and every server this script
# starts is killed by its PID on exit, however it exits.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench-lib.sh"
reps=5
raw=
while getopts "r:o:h" opt; do
    case $opt in
        r) reps=$OPTARG ;;
        o) raw=$OPTARG ;;
        h) sed -n '2,15p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) exit 1 ;;
    esac
done

schema=$top/schema/vswitch.ovsschema
xsw=${XSW_DBSERVER:-$top/dbserver/xsw-dbserver}
load=${OVSDB_LOAD:-$top/bench/ovsdb-load}
report=$top/bench/dbserver-report.py
floor=${SQLITE_FLOOR:-$top/bench/sqlite-floor}

# Workload sizes.  Transaction counts are the same for both servers, since
# every port added makes the Bridge's "ports" set, and so later
# transactions, larger; the -t caps only bound the run time if a server is
# pathologically slow (the result then says so through its "n").
serial_n=2000
pipe_n=2000
# A pipelined run of 2,000 transactions lasts about 0.1 s, short enough for
# one scheduling hiccup to move its figure by a quarter: each round runs
# the transaction measurements this many times, each on a fresh database,
# and the report takes the median of all of them.
txn_runs=3
pipe_depth=64
cap_s=30
fanout_n=100
fanout_clients=50
load_ports=10000
load_batch=100
vsctl_n=5

bench_need_files "run 'make' and 'make bench/ovsdb-load bench/sqlite-floor'" \
    "$xsw" "$load" "$floor" "$schema" "$report"
bench_need_progs "apt-get install openvswitch-switch" \
    ovsdb-server ovsdb-tool ovs-vsctl /usr/bin/python3

bench_init dbserver-bench
fail_logs="$tmp/*.log"
results=$tmp/results
: > "$results"

# record KIND METRIC VALUE
record() {
    echo "$1 $2 $3" >> "$results"
}

# create_db KIND DBFILE
create_db() {
    rm -f "$2" "$2"-wal "$2"-shm
    case $1 in
        xsw) "$xsw" --create "$schema" "$2" ;;
        ovs) ovsdb-tool create "$2" "$schema" ;;
    esac || fail "cannot create $2"
}

# start_server KIND DBFILE: starts the server in the background, sets
# server_pid, and waits until it answers.  Prints the start-to-ready time.
start_server() {
    local kind=$1 db=$2 since
    sock=$tmp/$kind.sock
    rm -f "$sock"
    local -a cmd
    case $kind in
        xsw) cmd=("$xsw") ;;
        ovs) cmd=(ovsdb-server --no-chdir) ;;
    esac
    # Started directly (not inside a compound command, which would fork a
    # subshell) so that $! is the server itself.
    since=$(date +%s%N)
    "${cmd[@]}" --remote=punix:"$sock" --unixctl="$tmp/$kind.ctl" \
        --log-file="$tmp/$kind.log" "$db" > /dev/null 2>&1 &
    server_pid=$!
    "$load" ready "$sock" --since="$since" --timeout=60 \
        || fail "$kind did not become ready"
}

# fresh KIND: a new empty database, served.
fresh() {
    db=$tmp/$1.db
    create_db "$1" "$db"
    start_server "$1" "$db" > /dev/null
}

# round KIND: every measurement once for server KIND.
round() {
    local kind=$1 out i

    # The generator's ceiling, and fan-out, on an empty database.
    fresh "$kind"
    out=$("$load" echo "$sock" -n 20000 -d 1) || fail "$kind: echo"
    record "$kind" echo_serial "$(field echo_per_s "$out")"
    out=$("$load" echo "$sock" -n 50000 -d "$pipe_depth") \
        || fail "$kind: echo"
    record "$kind" echo_pipelined "$(field echo_per_s "$out")"
    record "$kind" echo_pipelined_client_cpu "$(field client_cpu "$out")"
    out=$("$load" fanout "$sock" -n "$fanout_n" -c "$fanout_clients" -p f) \
        || fail "$kind: fanout"
    record "$kind" fanout_p50_ms "$(field p50_ms "$out")"
    record "$kind" fanout_p99_ms "$(field p99_ms "$out")"
    stop_server

    for i in $(seq "$txn_runs"); do
        fresh "$kind"
        out=$("$load" txn "$sock" -n "$serial_n" -d 1 -t "$cap_s" -p s) \
            || fail "$kind: serial transactions"
        record "$kind" serial_txn_s "$(field txn_per_s "$out")"
        record "$kind" serial_n "$(field n "$out")"
        record "$kind" serial_client_cpu "$(field client_cpu "$out")"
        stop_server

        fresh "$kind"
        out=$("$load" txn "$sock" -n "$pipe_n" -d "$pipe_depth" \
                  -t "$cap_s" -p q) || fail "$kind: pipelined transactions"
        record "$kind" pipelined_txn_s "$(field txn_per_s "$out")"
        record "$kind" pipelined_n "$(field n "$out")"
        stop_server

        # The smallest write: one row (a Queue, with one external_ids
        # pair) per transaction, 64 in flight.
        fresh "$kind"
        out=$("$load" insert "$sock" -n "$pipe_n" -d "$pipe_depth" \
                  -t "$cap_s" -p r) || fail "$kind: pipelined inserts"
        record "$kind" insert_pipelined_txn_s "$(field txn_per_s "$out")"
        record "$kind" insert_pipelined_n "$(field n "$out")"
        stop_server
    done

    # The 10,000-port database: load, size, restart, ovs-vsctl.
    fresh "$kind"
    out=$("$load" load "$sock" -n "$load_ports" -b "$load_batch" \
              -t 300 -p l) || fail "$kind: load"
    record "$kind" load_s "$(field seconds "$out")"
    record "$kind" load_n "$(field n "$out")"
    record "$kind" rss_mib "$(awk '/^VmRSS/ { printf "%.1f", $2 / 1024 }' \
                                 /proc/"$server_pid"/status)"
    record "$kind" file_mib "$(du -cb "$db" "$db"-wal 2> /dev/null \
                                  | awk 'END { printf "%.1f", $1 / 1048576 }')"
    stop_server

    # Not in $(...): start_server must set server_pid in this shell.
    start_server "$kind" "$db" > "$tmp/ready"
    out=$(cat "$tmp/ready")
    record "$kind" restart_s "$(field ready_s "$out")"
    for i in $(seq "$vsctl_n"); do
        out=$("$load" timed ovs-vsctl --no-wait --timeout=60 \
                  --db=unix:"$sock" add-port br0 "vsctl$i" 2> "$tmp/err") \
            || fail "$kind: ovs-vsctl add-port: $(cat "$tmp/err")"
        [ -s "$tmp/err" ] && echo "$kind: ovs-vsctl: $(cat "$tmp/err")" >&2
        record "$kind" vsctl_ms "$(awk -v s="$(field seconds "$out")" \
                                     'BEGIN { printf "%.1f", s * 1000 }')"
    done
    stop_server
}

start=$(date +%s)
echo "dbserver-bench: $reps rounds, alternating xsw-dbserver and" \
     "ovsdb-server $(ovsdb-server --version | awk 'NR == 1 { print $NF }')" >&2
for rep in $(seq "$reps"); do
    for kind in xsw ovs; do
        echo "  round $rep: $kind" >&2
        round "$kind"
    done
    # What the serial target has to fit in: a bare SQLite commit of one
    # port-adding transaction, in the same folder as the databases.
    out=$("$floor" "$tmp/floor.db" 2000) || fail "sqlite-floor"
    record sqlite commit_us "$(field commit_us "$out")"
done
echo "dbserver-bench: done in $(( $(date +%s) - start )) s" >&2

[ -n "$raw" ] && cp "$results" "$raw"
/usr/bin/python3 "$report" "$results"
