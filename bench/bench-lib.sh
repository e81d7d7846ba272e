# bench/bench-lib.sh: the shell helpers of the OVSDB benchmarks
# (bench/dbserver-bench.sh, bench/cluster-bench.sh, bench/ctl-bench.sh),
# which start servers as plain background processes and parse
# bench/ovsdb-load's "key=value" lines.  (The switch benchmarks build on
# tests/system/lib.sh instead, and share bench/traffic-lib.sh.)
#
# Source it, then call bench_init PREFIX, which makes the temporary folder
# $tmp and the traps that clean up however the script exits.  The caller
# sets:
#   fail_logs   a glob (unquoted: mktemp's folders have no blanks) of the
#               logs whose tails fail() shows, e.g. "$tmp/*.log"
#   bench_stop  the command that kills every process the script started,
#               at exit (default stop_server: the one in $server_pid)

server_pid=
bench_stop=stop_server

# bench_init PREFIX: $tmp, a new folder /tmp/PREFIX.XXXXXX, removed at exit
# after $bench_stop has run.
bench_init() {
    tmp=$(mktemp -d "/tmp/$1.XXXXXX") || exit 1
    trap bench_cleanup EXIT
    trap 'exit 130' INT TERM
}

bench_cleanup() {
    $bench_stop
    rm -rf "$tmp"
}

# stop_server: kills the server in $server_pid, if there is one, and waits
# for it.
stop_server() {
    if [ -n "$server_pid" ]; then
        kill "$server_pid" 2> /dev/null
        wait "$server_pid" 2> /dev/null
    fi
    server_pid=
}

# fail MESSAGE...: says what failed, with the tails of $fail_logs, and exits.
fail() {
    local log
    echo "$0: $*" >&2
    for log in ${fail_logs:-}; do
        [ -e "$log" ] && { echo "--- $log"; tail -5 "$log"; } >&2
    done
    exit 1
}

# bench_need_files HINT FILE...: exits, naming the first FILE missing and
# HINT (how to make it), unless all exist.
bench_need_files() {
    local hint=$1 f
    shift
    for f; do
        if [ ! -e "$f" ]; then
            echo "$0: $f is missing ($hint)" >&2
            exit 1
        fi
    done
}

# bench_need_progs HINT PROG...: the same for programs on $PATH.
bench_need_progs() {
    local hint=$1 prog
    shift
    for prog; do
        if ! command -v "$prog" > /dev/null; then
            echo "$0: $prog not found ($hint)" >&2
            exit 1
        fi
    done
}

# field KEY LINE: the value of KEY in a "key=value ..." line.
field() {
    local kv
    for kv in $2; do
        if [ "${kv%%=*}" = "$1" ]; then
            echo "${kv#*=}"
            return
        fi
    done
    fail "no $1 in '$2'"
}
