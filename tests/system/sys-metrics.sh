#!/bin/bash
# --metrics on both daemons: promtool accepts what they serve, the values
# follow real traffic and transactions, an interface that cannot be opened
# shows in xsw_interface_error, bad HTTP requests get clean errors,
# and a real Prometheus server on loopback scrapes both every second.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-metrics
xt_need ping curl promtool prometheus python3 ovsdb-client
XSW_DBSERVER_ARGS=--metrics=ptcp:0:127.0.0.1
XSW_SWITCHD_ARGS=--metrics=ptcp:0:127.0.0.1
xt_start_switch

# The port a daemon logged ("ptcp:0:127.0.0.1: serving metrics on port N").
metrics_port() {
    sed -n 's/.*serving metrics on port \([0-9]*\).*/\1/p' "$XT_TMP/$1.log" |
        tail -n 1
}
xt_wait_for 10 test -n "$(metrics_port dbserver)" ||
    xt_fail "xsw-dbserver did not log its metrics port"
xt_wait_for 10 test -n "$(metrics_port switchd)" ||
    xt_fail "xsw-switchd did not log its metrics port"
DB_PORT=$(metrics_port dbserver)
SW_PORT=$(metrics_port switchd)

scrape() { curl -sS --max-time 5 -f "http://127.0.0.1:$1/metrics"; }

# value PORT SERIES: the value of one series (exact name and labels), or
# nothing.
value() {
    scrape "$1" | awk -v s="$2" '$1 == s { print $2 }'
}

# greater A B: A > B, as numbers.
greater() {
    python3 -c 'import sys; sys.exit(not float(sys.argv[1]) > float(sys.argv[2]))' \
        "${1:-0}" "${2:-0}"
}

promtool_check() {
    scrape "$1" >"$XT_TMP/scrape-$1.txt" || return 1
    promtool check metrics <"$XT_TMP/scrape-$1.txt" || return 1
    grep -c '^# TYPE' "$XT_TMP/scrape-$1.txt" | sed 's/$/ families/'
}

xt_ns a
xt_ns b
xt_attach_internal a 10.11.0.1/24
xt_attach_internal b 10.11.0.2/24
IF_A="{bridge=\"$XT_BR\",port=\"${XT}a\",interface=\"${XT}a\"}"
IF_B="{bridge=\"$XT_BR\",port=\"${XT}b\",interface=\"${XT}b\"}"

# ---- Switch metrics follow the traffic. ----
rx_a=$(value "$SW_PORT" "xsw_interface_rx_packets_total$IF_A")
tx_b=$(value "$SW_PORT" "xsw_interface_tx_packets_total$IF_B")
busy=$(value "$SW_PORT" 'xsw_forwarding_thread_busy_seconds_total{thread="0"}')
xt_check "interface series exist (rx ${rx_a:-none}, tx ${tx_b:-none})" \
    test -n "$rx_a" -a -n "$tx_b"
xt_require "a pings b through two internal ports" xt_ping a 10.11.0.2 5
check_after_ping() {
    local rx tx rxb
    rx=$(value "$SW_PORT" "xsw_interface_rx_packets_total$IF_A")
    tx=$(value "$SW_PORT" "xsw_interface_tx_packets_total$IF_B")
    rxb=$(value "$SW_PORT" "xsw_interface_rx_bytes_total$IF_A")
    echo "rx_packets $rx_a -> $rx, tx_packets $tx_b -> $tx, rx_bytes $rxb"
    greater "$rx" "$((rx_a + 4))" && greater "$tx" "$((tx_b + 4))" &&
        greater "$rxb" "$((5 * 84))"
}
xt_check "5 pings raise a's rx and b's tx packets by 5 or more" \
    check_after_ping
xt_check "the forwarding thread's busy time grew" greater \
    "$(value "$SW_PORT" 'xsw_forwarding_thread_busy_seconds_total{thread="0"}')" \
    "$busy"
xt_check "the fdb learned a and b" greater \
    "$(value "$SW_PORT" "xsw_fdb_learned_total{bridge=\"$XT_BR\"}")" 1
xt_check "the fdb holds them" greater \
    "$(value "$SW_PORT" "xsw_fdb_entries{bridge=\"$XT_BR\"}")" 1

# An interface whose device does not exist: xsw_interface_error says so
# (the "error" column is set), and it has no counters; a working one has
# xsw_interface_error 0.
xt_vsctl add-port "$XT_BR" "${XT}gone" || xt_fail "add-port ${XT}gone failed"
IF_GONE="{bridge=\"$XT_BR\",port=\"${XT}gone\",interface=\"${XT}gone\"}"
gone_has_error() {
    echo "error column: $(xt_vsctl get Interface "${XT}gone" error)"
    [ "$(value "$SW_PORT" "xsw_interface_error$IF_GONE")" = 1 ]
}
xt_check "a missing device: xsw_interface_error 1" xt_wait_for 10 gone_has_error
xt_check "a missing device: no counter series" \
    test -z "$(value "$SW_PORT" "xsw_interface_rx_packets_total$IF_GONE")"
xt_check "a working interface: xsw_interface_error 0" \
    test "$(value "$SW_PORT" "xsw_interface_error$IF_A")" = 0
xt_vsctl del-port "$XT_BR" "${XT}gone" || xt_fail "del-port ${XT}gone failed"
gone_unlisted() { [ -z "$(value "$SW_PORT" "xsw_interface_error$IF_GONE")" ]; }
xt_check "a deleted interface: no xsw_interface_error series" \
    xt_wait_for 10 gone_unlisted

# A bond of two internal ports: its members' state.
xt_vsctl add-bond "$XT_BR" "${XT}bond" "${XT}m1" "${XT}m2" \
    -- set Interface "${XT}m1" type=internal \
    -- set Interface "${XT}m2" type=internal ||
    xt_fail "add-bond failed"
bond_members() {
    scrape "$SW_PORT" | grep -E '^xsw_bond_member_(carrier|enabled|active)\{' |
        grep "port=\"${XT}bond\"" | sort
}
bond_ok() {
    bond_members
    [ "$(bond_members | grep -c .)" = 6 ] &&
        [ "$(bond_members | grep -c '^xsw_bond_member_active.* 1$')" -le 1 ]
}
xt_check "each bond member has carrier, enabled and active series" \
    xt_wait_for 10 bond_ok

# ---- Database metrics follow the transactions. ----
DBL='{db="Open_vSwitch",result="committed"}'
FAILED='{db="Open_vSwitch",result="failed"}'
HCOUNT='xsw_db_commit_duration_seconds_count{db="Open_vSwitch"}'
committed=$(value "$DB_PORT" "xsw_db_transactions_total$DBL")
failed=$(value "$DB_PORT" "xsw_db_transactions_total$FAILED")
commits=$(value "$DB_PORT" "$HCOUNT")
bridges=$(value "$DB_PORT" 'xsw_db_rows{db="Open_vSwitch",table="Bridge"}')
xt_check "database series exist" \
    test -n "$committed" -a -n "$failed" -a -n "$commits" -a -n "$bridges"
xt_vsctl add-br "${XT}b2" || xt_fail "add-br failed"
check_after_txn() {
    local c n b
    c=$(value "$DB_PORT" "xsw_db_transactions_total$DBL")
    n=$(value "$DB_PORT" "$HCOUNT")
    b=$(value "$DB_PORT" 'xsw_db_rows{db="Open_vSwitch",table="Bridge"}')
    echo "committed $committed -> $c, commits $commits -> $n, bridges $bridges -> $b"
    greater "$c" "$committed" && greater "$n" "$commits" &&
        [ "$b" = $((bridges + 1)) ]
}
xt_check "add-br raises committed transactions, commits and Bridge rows" \
    check_after_txn
ovsdb-client transact "$XT_DB" \
    '["Open_vSwitch",{"op":"insert","table":"Bridge","row":{"name":1}}]' \
    >"$XT_TMP/bad-txn.out" 2>&1
xt_check "a transaction that fails raises result=\"failed\"" greater \
    "$(value "$DB_PORT" "xsw_db_transactions_total$FAILED")" "$failed"
xt_check "xsw-switchd's session is counted" greater \
    "$(value "$DB_PORT" "xsw_db_sessions{remote=\"punix:$XT_TMP/db.sock\"}")" 0
xt_check "coverage counters: transactions written" greater \
    "$(value "$DB_PORT" 'xsw_coverage_events_total{event="server_txn_write"}')" 0
xt_check "coverage counters: xsw-switchd reconfigured" greater \
    "$(value "$SW_PORT" 'xsw_coverage_events_total{event="bridge_reconfigure"}')" 0
xt_check "the database file's size" greater \
    "$(value "$DB_PORT" 'xsw_db_file_size_bytes{db="Open_vSwitch"}')" 4096

xt_check "promtool check metrics: xsw-switchd" promtool_check "$SW_PORT"
xt_check "promtool check metrics: xsw-dbserver" promtool_check "$DB_PORT"

# ---- Bad requests get clean errors. ----
status_of() { curl -s -o /dev/null -w '%{http_code}' --max-time 5 "$@"; }
xt_check "POST /metrics: 405" test "$(status_of -X POST \
    "http://127.0.0.1:$SW_PORT/metrics")" = 405
xt_check "GET /: 404" test "$(status_of "http://127.0.0.1:$DB_PORT/")" = 404
# expect_status PORT REQUEST CODE: REQUEST (backslash escapes decoded) sent
# raw gets an answer with status CODE and a body that says why.
expect_status() {
    python3 - "$@" <<'EOF'
import socket, sys
s = socket.create_connection(("127.0.0.1", int(sys.argv[1])), timeout=5)
s.sendall(sys.argv[2].encode().decode("unicode_escape").encode("latin-1"))
answer = b""
while True:
    data = s.recv(65536)
    if not data:
        break
    answer += data
head, _, body = answer.partition(b"\r\n\r\n")
status = head.split(b"\r\n")[0].decode()
print(status + ": " + body.decode().strip())
sys.exit(not (status.startswith("HTTP/1.1 " + sys.argv[3] + " ")
              and body.startswith(sys.argv[3].encode())))
EOF
}
xt_check "garbage: 400" expect_status "$DB_PORT" 'hello\r\n\r\n' 400
xt_check "no Host in HTTP/1.1: 400" expect_status "$DB_PORT" \
    'GET /metrics HTTP/1.1\r\n\r\n' 400
xt_check "HTTP/2.0: 505" expect_status "$SW_PORT" \
    'GET /metrics HTTP/2.0\r\nHost: x\r\n\r\n' 505
xt_check "a 9 KiB header: 431" expect_status "$SW_PORT" \
    "GET /metrics HTTP/1.1\\r\\nX: $(head -c 9000 /dev/zero | tr '\0' a)\\r\\n\\r\\n" 431
# A client that connects and says nothing does not hold the server.
python3 -c "
import socket, time
s = socket.create_connection(('127.0.0.1', $SW_PORT))
time.sleep(30)" &
idle_pid=$!
XT_PIDS+=("$idle_pid")
xt_check "a scrape while an idle client is connected" scrape "$SW_PORT"
xt_kill_pid "$idle_pid"

# ---- A real Prometheus scrapes both. ----
PROM_PORT=$(python3 -c 'import socket; s = socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')
cat >"$XT_TMP/prometheus.yml" <<EOF
global:
  scrape_interval: 1s
  scrape_timeout: 1s
scrape_configs:
  - job_name: xsw-dbserver
    static_configs:
      - targets: ['127.0.0.1:$DB_PORT']
  - job_name: xsw-switchd
    static_configs:
      - targets: ['127.0.0.1:$SW_PORT']
EOF
xt_bg prometheus prometheus --config.file="$XT_TMP/prometheus.yml" \
    --storage.tsdb.path="$XT_TMP/prometheus-data" \
    --web.listen-address="127.0.0.1:$PROM_PORT" --log.level=warn
xt_require "prometheus is ready" xt_wait_for 30 \
    curl -sf "http://127.0.0.1:$PROM_PORT/-/ready"
# query EXPR: prints "JOB VALUE" per series of the instant query.
query() {
    curl -sf --max-time 5 -G "http://127.0.0.1:$PROM_PORT/api/v1/query" \
        --data-urlencode "query=$1" | python3 -c '
import json, sys
r = json.load(sys.stdin)
assert r["status"] == "success", r
for s in r["data"]["result"]:
    print(s["metric"].get("job", "-"), s["value"][1])'
}
both_up() {
    query up | sort
    [ "$(query up | sort | tr '\n' ' ')" = "xsw-dbserver 1 xsw-switchd 1 " ]
}
xt_check "prometheus: up is 1 for both daemons" xt_wait_for 20 both_up
seen_rx() {
    query "xsw_interface_rx_packets_total{interface=\"${XT}a\"}"
    local v
    v=$(query "xsw_interface_rx_packets_total{interface=\"${XT}a\"}" |
        awk '{ print $2 }')
    greater "$v" 4
}
xt_check "prometheus: a's rx_packets as scraped" xt_wait_for 10 seen_rx
seen_txns() {
    query 'xsw_db_transactions_total{db="Open_vSwitch",result="committed"} > 0' |
        grep '^xsw-dbserver '
}
xt_check "prometheus: committed transactions as scraped" xt_wait_for 10 \
    seen_txns
xt_done
