#! /bin/bash
# ctl-bench.sh: xsw-ctl against ovs-vsctl 3.1, against the same
# xsw-dbserver, in the same run (issue 5's bench item).
#
# usage: bench/ctl-bench.sh [-r REPS] [-R CHAIN_REPS] [-n PORTS] [-c CHAIN]
#                           [-o RAWFILE] [-u]
#
# For each database size (bridge br0 with no ports, and with PORTS ports,
# default 10000), starts ONE xsw-dbserver, fills the database in one
# transaction (bench/ctl-lib.py populate), and runs REPS repetitions
# (default 15) of add-port, list-br, get, set and del-port, and CHAIN_REPS
# (default 5) of a CHAIN-command "--" chain of add-port then of del-port
# (default 1000), each with both CLIs and --no-wait, alternating which CLI
# goes first (bench/ctl-measure.py).
# Prints a Markdown table (bench/ctl-report.py): medians, min-max, the ratio
# ovs-vsctl/xsw-ctl and issue 5's targets.  -u also writes the table into
# docs/benchmarks-ctl.md; -o keeps the raw measurements.
#
# The programs measured are copies taken at the start, so that a rebuild
# during the run cannot change them; $XSW_DBSERVER and $XSW_CTL name other
# builds than the tree's.  Everything lives in one temporary folder, and
# the server is killed by its PID on exit, however it exits.

set -u

top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/bench-lib.sh"
reps=15
chain_reps=5
ports=10000
chain=1000
raw=
update_doc=false
while getopts "r:R:n:c:o:uh" opt; do
    case $opt in
        r) reps=$OPTARG ;;
        R) chain_reps=$OPTARG ;;
        n) ports=$OPTARG ;;
        c) chain=$OPTARG ;;
        o) raw=$OPTARG ;;
        u) update_doc=true ;;
        h) sed -n '2,22p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
        *) exit 1 ;;
    esac
done

python=/usr/bin/python3       # Not pyenv's: it has the ovs modules.
schema=$top/schema/vswitch.ovsschema
doc=$top/docs/benchmarks-ctl.md
bench_need_files "run 'make'" \
    "${XSW_DBSERVER:-$top/dbserver/xsw-dbserver}" \
    "${XSW_CTL:-$top/ctl/xsw-ctl}" "$schema" "$top/bench/ctl-lib.py" \
    "$top/bench/ctl-measure.py" "$top/bench/ctl-report.py"
bench_need_progs "apt-get install openvswitch-switch" ovs-vsctl "$python"

bench_init xt-ctl-bench
fail_logs="$tmp/server.log"

cp "${XSW_DBSERVER:-$top/dbserver/xsw-dbserver}" "$tmp/xsw-dbserver" \
    && cp "${XSW_CTL:-$top/ctl/xsw-ctl}" "$tmp/xsw-ctl" \
    || fail "cannot copy the programs under test"
results=$tmp/results
: > "$results"

# serve N: a fresh database whose br0 has N ports, served by one
# xsw-dbserver (sets server_pid).
serve() {
    local db=$tmp/conf.db sock=$tmp/db.sock i
    rm -f "$db" "$db"-wal "$db"-shm "$sock"
    "$tmp/xsw-dbserver" --create "$schema" "$db" || fail "cannot create $db"
    # Started directly (not in a compound command, which would fork a
    # subshell) so that $! is the server itself.
    "$tmp/xsw-dbserver" --remote=punix:"$sock" --unixctl="$tmp/db.ctl" \
        --log-file="$tmp/server.log" -vconsole:off "$db" \
        > /dev/null 2>> "$tmp/server.log" &
    server_pid=$!
    for i in $(seq 500); do
        [ -S "$sock" ] && break
        kill -0 "$server_pid" 2> /dev/null || fail "xsw-dbserver exited"
        sleep 0.02
    done
    [ -S "$sock" ] || fail "xsw-dbserver did not create $sock"
    "$python" "$top/bench/ctl-lib.py" populate "$sock" "$1" \
        || fail "cannot fill the database with $1 ports"
}

start=$(date +%s)
echo "ctl-bench: $reps repetitions ($chain_reps of the chains), xsw-ctl vs" \
     "$(ovs-vsctl --version | head -1)" >&2
for n in 0 "$ports"; do
    echo "  br0 with $n ports" >&2
    serve "$n"
    "$python" "$top/bench/ctl-measure.py" --sock="$tmp/db.sock" \
        --label="$n" --xsw-ctl="$tmp/xsw-ctl" --reps="$reps" \
        --chain="$chain" --chain-reps="$chain_reps" >> "$results" \
        || fail "measurement failed"
    stop_server
done
echo "ctl-bench: done in $(( $(date +%s) - start )) s" >&2

[ -n "$raw" ] && cp "$results" "$raw"
if $update_doc; then
    "$python" "$top/bench/ctl-report.py" "$results" --doc="$doc"
else
    "$python" "$top/bench/ctl-report.py" "$results"
fi
