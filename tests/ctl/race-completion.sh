#!/bin/sh
# xsw-ctl: concurrent command lines on the same rows, and bash completion.
#
# Race (on ovsdb-server, then on xsw-dbserver): 24 xsw-ctl processes start
# at once, each adding its own VLAN to
# the same Bridge.flood_vlans set with "add" (read, verify, rewrite).  All
# 24 values must be there at the end, which only holds if the losers of
# each race got TRY_AGAIN and re-ran (we check that some did: -v says so).
# Then a chain of del-ports races a lone del-port of one of its ports.
#
# Completion: source ctl/xsw-ctl.bash, check it is registered, and simulate
# COMP_WORDS for a command name, an option and a bridge name read from the
# database.
set -u
top_builddir=${top_builddir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_srcdir=${top_srcdir:-$top_builddir}
CTL=$top_builddir/ctl/xsw-ctl
tmp=$(mktemp -d /tmp/xt-ctl-race.XXXXXX)
server=
cleanup() {
    [ -n "$server" ] && kill "$server" 2>/dev/null && wait "$server" 2>/dev/null
    rm -rf "$tmp"
}
trap cleanup EXIT INT TERM
fail() { echo "FAIL: $*"; exit 1; }

# start_server ovs|xsw: a fresh database in $tmp/$1, served by
# Open vSwitch's ovsdb-server or by xsw-dbserver; sets $sock and $X.
start_server() {
    d=$tmp/$1
    mkdir -p "$d"
    if [ "$1" = xsw ]; then
        "$top_builddir/dbserver/xsw-dbserver" --create \
            "$top_srcdir/schema/vswitch.ovsschema" "$d/db" \
            || fail "create db"
        "$top_builddir/dbserver/xsw-dbserver" --remote="punix:$d/sock" \
            --unixctl="$d/ctl" "$d/db" >/dev/null 2>&1 &
    else
        ovsdb-tool create "$d/db" "$top_srcdir/schema/vswitch.ovsschema" \
            || fail "create db"
        ovsdb-server --remote="punix:$d/sock" --unixctl="$d/ctl" \
            -vconsole:off "$d/db" >/dev/null 2>&1 &
    fi
    server=$!
    for i in $(seq 100); do
        $CTL --db="unix:$d/sock" --timeout=5 --no-wait init 2>/dev/null \
            && break
        sleep 0.1
    done
    sock=$d/sock
    X="$CTL --db=unix:$sock --no-wait --timeout=20"
}
stop_server() {
    kill "$server" && wait "$server" 2>/dev/null
    server=
}

# The races run with xsw-ctl on Open vSwitch's ovsdb-server and on
# xsw-dbserver: the retries are xsw's client library at work.
for peer in ovs xsw; do
echo "== $peer"
start_server $peer

$X add-br br0 || fail "add-br"

pids=
for v in $(seq 1 24); do
    $X -v add Bridge br0 flood_vlans $v >"$tmp/out.$v" 2>"$tmp/err.$v" &
    pids="$pids $!"
done
status=0
for p in $pids; do wait $p || status=1; done
[ $status -eq 0 ] || { cat "$tmp"/err.*; fail "a racing xsw-ctl failed"; }
got=$($X get Bridge br0 flood_vlans)
want="[$(seq -s ', ' 1 24)]"
[ "$got" = "$want" ] || fail "flood_vlans is $got, expected $want"
retried=$(cat "$tmp"/err.* | grep -c "needs to be retried")
[ "$retried" -ge 1 ] || fail "no racing xsw-ctl was retried"
echo "race: 24 concurrent adds all applied, $retried retries"

# Racing deletes: a chain of 200 del-ports (which leaves the rows to the
# server's garbage collection and checks each port with a "wait") against
# one del-port of a port in the middle of it.  One order or the other:
# exactly one of the two succeeds, and the chain either took all 200 ports
# or none.  The single del-port is quicker, so it usually wins and the
# chain finds out at commit: some round must show a retry (up to 20 rounds
# to see one).
chain=
for i in $(seq 1 200); do chain="$chain${chain:+ -- }del-port br0 d$i"; done
adds=
for i in $(seq 1 200); do adds="$adds${adds:+ -- }add-port br0 d$i"; done
del_retries=0
for round in $(seq 1 20); do
    [ "$round" -gt 4 ] && [ "$del_retries" -ge 1 ] && break
    $X $adds || fail "add-port chain (round $round)"
    # The lone del-port must commit between the chain's read and its
    # commit.  Where that window falls depends on the machine (under ASan
    # and a CPU hog the chain once won all 20 rounds outright): each round
    # starts the lone one a little later, 0 to 180 ms after the chain.
    delay=$(printf '0.%03d' $(( (round - 1) % 10 * 20 )))
    $X -v $chain >"$tmp/chain.out" 2>"$tmp/chain.err" & pc=$!
    (sleep "$delay"; exec $X del-port br0 d100 >"$tmp/one.out" \
        2>"$tmp/one.err") & po=$!
    wait $pc; sc=$?
    wait $po; so=$?
    left=$($X list-ports br0 | grep -c '^d')
    ifaces=$($X --bare --columns=name list Interface | grep -c '^d')
    if [ $sc -eq 0 ] && [ $so -ne 0 ]; then
        [ "$left" -eq 0 ] || fail "chain won but $left d-ports are left"
        grep -q "no port named d100" "$tmp/one.err" \
            || fail "the lone del-port lost with: $(cat "$tmp/one.err")"
    elif [ $sc -ne 0 ] && [ $so -eq 0 ]; then
        [ "$left" -eq 199 ] \
            || fail "lone del-port won but $left d-ports are left, not 199"
        grep -q "no port named d100" "$tmp/chain.err" \
            || fail "the chain lost with: $(cat "$tmp/chain.err")"
    else
        fail "chain exited $sc and lone del-port $so: exactly one must win"
    fi
    [ "$ifaces" -eq "$left" ] \
        || fail "$ifaces d-interfaces left for $left d-ports"
    grep -q "needs to be retried" "$tmp/chain.err" \
        && del_retries=$((del_retries + 1))
    # Clean up for the next round, whoever won.
    $X list-ports br0 | grep '^d' | sed 's/^/-- del-port br0 /' \
        | xargs -r $X -- comment || fail "clean-up (round $round)"
done
[ "$del_retries" -ge 1 ] || fail "the del-port chain never had to retry"
echo "race: del-port chain against a lone del-port, $del_retries retries"

# Two racers on the same map key: the last writer wins, both succeed, the
# database holds one of the two values.
$X set Bridge br0 external_ids:k=a & p1=$!
$X set Bridge br0 external_ids:k=b & p2=$!
wait $p1 || fail "racer a"; wait $p2 || fail "racer b"
v=$($X get Bridge br0 external_ids:k)
[ "$v" = a ] || [ "$v" = b ] || fail "external_ids:k is $v"
[ $peer = xsw ] || stop_server
done

# Completion.
comp=$top_srcdir/ctl/xsw-ctl.bash
out=$(bash -c ". '$comp'; complete -p xsw-ctl") || fail "complete -p"
[ "$out" = "complete -F _xsw_ctl xsw-ctl" ] || fail "complete -p: $out"
simulate() {
    PATH="$top_builddir/ctl:$PATH" bash -c ". '$comp'
COMP_WORDS=($1); COMP_CWORD=$2
_xsw_ctl; echo \"\${COMPREPLY[*]}\""
}
[ "$(simulate "xsw-ctl add-b" 1)" = "add-br add-bond" ] \
    || fail "command completion: $(simulate "xsw-ctl add-b" 1)"
[ "$(simulate "xsw-ctl --may" 1)" = "--may-exist" ] \
    || fail "option completion"
$X add-br br1 || fail "add-br br1"
[ "$(simulate "xsw-ctl --db=unix:$sock add-port br" 3)" = "br0 br1" ] \
    || fail "bridge completion: $(simulate "xsw-ctl --db=unix:$sock add-port br" 3)"
[ "$(simulate "xsw-ctl list Br" 2)" = "Bridge" ] || fail "table completion"
echo "completion: ok"
