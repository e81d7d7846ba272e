#!/bin/bash
# Two complete xsw stacks (xsw-dbserver + xsw-switchd, each with its own
# database, sockets and control socket) on one host, each with two internal
# ports moved into namespaces.  Stopping, killing (-9) and restarting
# either one, several times, leaves the other's ports and traffic alone: a
# switch deletes only TAP devices its own database created.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-two-switches
xt_need ping
XT_BASE=$XT_TMP
# lib.sh's helpers work on one switch in $XT_TMP; each stack gets its own
# directory, and the cleanup runs with the base directory.
trap 'XT_TMP=$XT_BASE; xt_cleanup' EXIT
declare -A S_DB=() S_SW=()

# stack_use N: makes lib.sh's helpers talk to stack N.
stack_use() {
    XT_TMP=$XT_BASE/s$1
    XT_BR=${XT}b$1
    XT_DB=unix:$XT_TMP/db.sock
    XT_SWITCH=xsw
}

stack_start() {
    stack_use "$1"
    mkdir -p "$XT_TMP"
    xt_start_dbserver xsw
    S_DB[$1]=$XT_DB_PID
    xt_start_switchd xsw
    S_SW[$1]=$XT_SWITCHD_PID
}

# stack_stop N SIG: stops stack N's switch daemon and database server.
stack_stop() {
    xt_stop_pid "${S_SW[$1]}" "$2"
    xt_stop_pid "${S_DB[$1]}" "$2"
}

# Stack N: bridge ${XT}bN, ports ${XT}Na and ${XT}Nb in namespaces of the
# same names, addresses 10.4N.0.1 and .2.
for n in 1 2; do
    stack_start $n
    xt_vsctl add-br "$XT_BR" || xt_fail "stack $n: add-br failed"
    xt_ns ${n}a
    xt_ns ${n}b
    xt_attach_internal ${n}a 10.4$n.0.1/24
    xt_attach_internal ${n}b 10.4$n.0.2/24
done

# The ifindexes of stack N's ports in their namespaces: a device deleted
# and made again gets a new one.
ports_of() {
    local n=$1 p
    for p in a b; do
        ip -n "$XT$n$p" -o link show "$XT$n$p" 2>/dev/null | cut -d: -f1 ||
            echo "none"
    done | tr '\n' ' '
}
# stack_intact N BEFORE: stack N's ports are the same devices, and up.
stack_intact() {
    local now
    now=$(ports_of "$1")
    [ "$now" = "$2" ] || { echo "ports were '$2', now '$now'"; return 1; }
    xt_ping "$1a" "10.4$1.0.2"
}

xt_require "stack 1 forwards" xt_wait_ping 1a 10.41.0.2 10
xt_require "stack 2 forwards" xt_wait_ping 2a 10.42.0.2 10
before1=$(ports_of 1)
before2=$(ports_of 2)
xt_check "stack 1's ports survived stack 2's start" stack_intact 1 "$before1"

# A steady ping through the stack left alone, for the whole cycle of the
# other: not one echo may go unanswered.
watch_start() {
    xt_bg "watch$1" ip netns exec "$XT$1a" ping -n -i 0.2 -W 5 10.4$1.0.2
    WATCH_PID=$XT_LAST_PID
}
watch_stop() {
    kill -INT "$WATCH_PID" 2>/dev/null
    wait "$WATCH_PID" 2>/dev/null
    local stats
    stats=$(grep 'packets transmitted' "$XT_BASE/s$1/watch$1.stdout")
    echo "$stats"
    echo "$stats" | grep -q ' 0% packet loss'
}

for round in 1 2; do
    for x in 1 2; do
        y=$((3 - x))
        before=$(ports_of $y)
        stack_use $y
        watch_start $y
        for sig in TERM KILL; do
            stack_stop $x $sig
            xt_check "round $round: stack $y is untouched by stack $x's stop ($sig)" \
                stack_intact $y "$before"
            stack_start $x
            xt_check "round $round: stack $x forwards again after its restart" \
                xt_wait_ping ${x}a 10.4$x.0.2 15
            xt_check "round $round: stack $y is untouched by stack $x's restart" \
                stack_intact $y "$before"
        done
        stack_use $y
        xt_check "round $round: stack $y answered every ping meanwhile" \
            watch_stop $y
    done
done
xt_done
