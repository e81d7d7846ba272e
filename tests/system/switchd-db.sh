#!/bin/bash
# xsw-switchd's DATABASE (--db or the argument), as a user gives it:
#  - --help says which forms it takes: unix:PATH and tcp:IP:PORT, not ssl:
#    (xsw-switchd takes no TLS keys, where ovs-vswitchd has --private-key);
#  - every other form is refused at start, at once, with an error that
#    names the problem (the IDL alone would give up on it without a word
#    and the daemon would run on, connected to nothing);
#  - over tcp:127.0.0.1:PORT it configures a bridge: ovs-vsctl, waiting
#    for cur_cfg, returns.
# Root, for xsw-switchd's datapath; the one device made is the bridge's
# local port, named with lib.sh's prefix and deleted by its cleanup.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init switchd-db
xt_need ovs-vsctl python3

help_lists_forms() {
    local out
    out=$("$XSW_SWITCHD" --help) || return 1
    echo "$out" | grep -E '^  unix:PATH ' &&
        echo "$out" | grep -E '^  tcp:IP:PORT ' &&
        echo "$out" | grep 'ssl: is not available'
}
xt_check "--help lists unix:PATH and tcp:IP:PORT, and says ssl: is not" \
    help_lists_forms

# refused DATABASE WORDS: xsw-switchd exits 1 at once, before it daemonizes
# or opens anything, and its error contains WORDS.
refused() {
    local rc
    XSW_RUNDIR=$XT_TMP timeout 10 "$XSW_SWITCHD" --db="$1" \
        --unixctl="$XT_TMP/refused.ctl" -vconsole:off 2>"$XT_TMP/refused.err"
    rc=$?
    cat "$XT_TMP/refused.err"
    [ "$rc" = 1 ] && grep -qF -- "$2" "$XT_TMP/refused.err" &&
        [ ! -e "$XT_TMP/refused.ctl" ]
}
xt_check "ssl: is refused as unavailable" \
    refused ssl:127.0.0.1:6640 "ssl: is not available"
xt_check "a host name is refused" \
    refused tcp:localhost:6640 '"localhost" is not a numeric IP address'
xt_check "tcp: without a port is refused" \
    refused tcp:127.0.0.1 "missing port number"
xt_check "a passive remote is refused" \
    refused ptcp:6640 "must be unix:PATH or tcp:IP:PORT"
xt_check "an unknown form is refused" \
    refused xtbogus "must be unix:PATH or tcp:IP:PORT"

port=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
XSW_DBSERVER_ARGS=--remote=ptcp:$port:127.0.0.1
xt_start_dbserver
unix_db=$XT_DB
# xt_start_switchd hands $XT_DB to xsw-switchd; the clients stay on unix:.
XT_DB=tcp:127.0.0.1:$port
xt_start_switchd
XT_DB=$unix_db
xt_check "over tcp:127.0.0.1:$port, xsw-switchd applies add-br (cur_cfg)" \
    xt_vsctl add-br "$XT_BR"
xt_check "xsw-switchd logged its TCP database" \
    grep -q "connecting to tcp:127.0.0.1:$port" "$XT_TMP/switchd.log"
xt_done
