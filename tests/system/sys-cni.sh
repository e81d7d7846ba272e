#!/bin/bash
# xsw-cni driven the way a container runtime drives a CNI plugin: the
# operation in the environment, the network configuration on stdin, a
# result or an error object on stdout.  Two "containers" (namespaces)
# attached on access VLAN 1000 with host-local IPAM ping each other and the
# host, whose management IP is on the bridge's own internal port (moved
# into a namespace that plays the host, so that no address lands in the
# machine's root namespace).  Then a restart of xsw-switchd, CHECK, DEL (twice, and with the netns
# gone), leases released, bad configurations and environments, and ADD
# while xsw-switchd is down.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/cni-lib.sh"

xt_init sys-cni
xt_need ping python3
cni_need host-local
cni_start_host 10.77.0.1/24
xt_ns a
xt_ns b

NET=${XT}net
IPAM_DIR=$XT_TMP/ipam
config() {      # config [EXTRA-JSON-MEMBERS]
    cat <<EOC
{"cniVersion": "${VERSION:-1.0.0}", "name": "$NET", "type": "xsw-cni",
 "bridge": "$XT_BR", "vlan": 1000, "db": "$XT_DB", "portPrefix": "$XT",
 "timeout": 5, ${1:+$1,}
 "ipam": {"type": "host-local", "dataDir": "$IPAM_DIR",
          "ranges": [[{"subnet": "10.77.0.0/24", "rangeStart": "10.77.0.10",
                       "rangeEnd": "10.77.0.50", "gateway": "10.77.0.1"}]],
          "routes": [{"dst": "0.0.0.0/0"}]}}
EOC
}

ports() { "$XSW_CTL" --db="$XT_DB" list-ports "$XT_BR"; }
leases() { ls "$IPAM_DIR/$NET" 2>/dev/null | grep -c '^10\.'; }

# ---- VERSION
echo '{"cniVersion": "0.4.0"}' >"$XT_TMP/in"
check_version() {
    cni VERSION a && expect_ok &&
        [ "$(json 'r["cniVersion"]')" = 0.4.0 ] &&
        json '" ".join(r["supportedVersions"])' | grep -q '0.4.0 1.0.0'
}
xt_check "VERSION lists 0.4.0 and 1.0.0" check_version

# ---- Bad configurations and environments: one error object each.
bad() {     # bad CODE WORDS [COMMAND] CONFIG
    local code=$1 words=$2 cmd=${4:+$3}
    printf '%s\n' "${4:-$3}" >"$XT_TMP/in"
    cni "${cmd:-ADD}" a
    expect_error "$code" "$words"
}
xt_check "not JSON: code 6" bad 6 "not valid JSON" '{"cniVersion": '
xt_check "unknown cniVersion: code 1" bad 1 "not supported" \
    '{"cniVersion": "9.9.9", "name": "n", "bridge": "b"}'
xt_check "no bridge: code 7" bad 7 'no "bridge"' \
    '{"cniVersion": "1.0.0", "name": "n", "type": "xsw-cni"}'
xt_check "VLAN 5000: code 7" bad 7 '"vlan" must be' "$(config '"x": 0' |
    sed 's/"vlan": 1000/"vlan": 5000/')"
xt_check "vlan and trunk together: code 7" bad 7 "exclude each other" \
    "$(config '"trunk": [10, {"minID": 20, "maxID": 22}]')"
xt_check "bad MAC: code 7" bad 7 "not a unicast MAC" \
    "$(config '"mac": "01:00:5e:00:00:01"')"
xt_check "unknown IPAM plugin: code 7" bad 7 "not found in CNI_PATH" \
    "$(config | sed 's/"host-local"/"no-such-ipam"/')"
xt_check "bridge not in the database: code 7" bad 7 "does not exist" \
    "$(config | sed "s/\"bridge\": \"$XT_BR\"/\"bridge\": \"${XT}nobr\"/")"
config >"$XT_TMP/in"
missing_netns() { cni ADD a ""; expect_error 4 "CNI_NETNS is not set"; }
xt_check "no CNI_NETNS: code 4" missing_netns
bad_command() { cni FROB a; expect_error 4 "is not ADD"; }
xt_check "CNI_COMMAND FROB: code 4" bad_command
xt_check "no port and no lease left by the failed ADDs" \
    eval '[ -z "$(ports)" ] && [ "$(leases)" = 0 ]'

# ---- ADD two containers.
add() {     # add NAME
    config >"$XT_TMP/in"
    cni ADD "$1"
    expect_ok || return 1
    cp "$XT_TMP/out" "$XT_TMP/result-$1"
    [ "$(json 'r["interfaces"][0]["name"]')" = eth0 ] &&
        [ "$(json 'r["interfaces"][0]["sandbox"]')" = "/var/run/netns/$XT$1" ] &&
        [ "$(json 'r["ips"][0]["interface"]')" = 0 ] &&
        json 'r["ips"][0]["address"]' | grep -q '^10\.77\.0\.[0-9]*/24$' &&
        [ "$(json 'r["interfaces"][0]["mac"]')" = \
          "$(ip -n "$XT$1" -o link show eth0 | sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p')" ] ||
        { cat "$XT_TMP/out"; return 1; }
    XT_DEV[$1]=eth0
    json 'r["ips"][0]["address"]'
}
xt_require "ADD a: eth0 in a with MAC and address as in the result" add a
xt_require "ADD b" add b
addr_b=$(json 'r["ips"][0]["address"].split("/")[0]')
addr_a=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0]["address"].split("/")[0])' "$XT_TMP/result-a")

find_container() {
    local out
    out=$("$XSW_CTL" --db="$XT_DB" --bare --columns=name find Interface \
          "external_ids:container-id=${XT}-ctr-a")
    [ -n "$out" ] && ip -n "${XT}a" -o link show eth0 | grep -q "alias xsw:$out:" &&
        echo "$out"
}
xt_check "xsw-ctl find Interface external_ids:container-id= names a's port" \
    find_container
xt_check "a's port is an access port of VLAN 1000" eval \
    '[ "$("$XSW_CTL" --db="$XT_DB" get Port "$(find_container)" tag)" = 1000 ]'
xt_check "the default route through the gateway is in a" eval \
    'ip -n "${XT}a" route show default | grep -q "via 10.77.0.1 dev eth0"'
xt_check "a pings b" xt_wait_ping a "$addr_b" 10
xt_check "b pings a" xt_ping b "$addr_a"
xt_check "a pings the host's management IP" xt_ping a 10.77.0.1
xt_check "the host pings b" xt_ping host "$addr_b"

# A container keeps its NIC across a restart of xsw-switchd, though the
# device is called eth0 there now: the switch finds it by its mark.
restart_switchd() {
    xt_stop_pid "$XT_SWITCHD_PID"
    xt_start_switchd xsw
    xt_wait_ping a "$addr_b" 15 && xt_ping host "$addr_a" &&
        [ -z "$(ip -o link show | grep "alias xsw:$XT" | grep -v "$XT_BR")" ] ||
        { ip -o link show | grep "alias xsw:$XT"; return 1; }
}
xt_check "after xsw-switchd restarts, a still pings b, with no new device" \
    restart_switchd

# ---- CHECK
check_cmd() {   # check_cmd NAME
    python3 - "$1" "$XT_TMP/result-$1" <<PY >"$XT_TMP/in"
import json, sys
conf = json.loads('''$(config)''')
conf["prevResult"] = json.load(open(sys.argv[2]))
print(json.dumps(conf))
PY
    cni CHECK "$1"
}
check_ok() { check_cmd a; expect_ok; }
xt_check "CHECK a: fine" check_ok
check_down() {
    ip -n "${XT}a" link set eth0 down
    check_cmd a
    ip -n "${XT}a" link set eth0 up
    expect_error 100 "eth0 is down"
}
xt_check "CHECK a with eth0 down: an error" check_down
check_no_addr() {
    local addr
    addr=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["ips"][0]["address"])' "$XT_TMP/result-a")
    ip -n "${XT}a" addr del "$addr" dev eth0
    check_cmd a
    ip -n "${XT}a" addr add "$addr" dev eth0
    ip -n "${XT}a" route add default via 10.77.0.1 dev eth0
    expect_error 100 "does not have address $addr"
}
xt_check "CHECK a without its address: an error" check_no_addr
add_twice() {
    config >"$XT_TMP/in"
    cni ADD a
    expect_error 100 "already exists" && xt_ping a "$addr_b"
}
xt_check "ADD a again: an error, and a keeps its port" add_twice
check_old() { VERSION=0.3.1 check_cmd a; expect_error 1 "CHECK needs"; }
xt_check "CHECK in cniVersion 0.3.1: code 1" check_old

# ---- DEL
del_a() {
    config >"$XT_TMP/in"
    cni DEL a && expect_ok &&
        [ -z "$(find_container)" ] &&
        ! ip -n "${XT}a" link show eth0 >/dev/null 2>&1 &&
        [ "$(leases)" = 1 ] &&
        [ "$(ports)" = "$(find_port_b)" ] ||
        { echo "ports: $(ports); leases: $(leases)"; ip -n "${XT}a" link; return 1; }
}
find_port_b() {
    "$XSW_CTL" --db="$XT_DB" --bare --columns=name find Interface \
        "external_ids:container-id=${XT}-ctr-b"
}
xt_check "DEL a: no port, no device, no lease left" del_a
del_again() { config >"$XT_TMP/in"; cni DEL a; expect_ok; }
xt_check "DEL a again: success" del_again
del_gone_netns() {
    ip netns del "${XT}b"
    config >"$XT_TMP/in"
    cni DEL b && expect_ok && [ -z "$(ports)" ] && [ "$(leases)" = 0 ] ||
        { echo "ports: $(ports); leases: $(leases)"; return 1; }
}
xt_check "DEL b after its netns is gone: success, port and lease gone" \
    del_gone_netns
no_devices() {
    ! ip -o link show | grep -q "alias xsw:$XT" &&
        ! ip -n "${XT}a" -o link show | grep -q "alias xsw:$XT"
}
xt_check "no TAP device of ours left anywhere" xt_wait_for 10 no_devices

# ---- ADD while xsw-switchd is down: it waits, then says so, and leaves
# nothing behind.
xt_stop_pid "$XT_SWITCHD_PID"
add_no_switchd() {
    config >"$XT_TMP/in"
    cni ADD a
    expect_error 11 "did not create port" &&
        [ -z "$(ports)" ] && [ "$(leases)" = 0 ]
}
xt_check "ADD without xsw-switchd: code 11 after the timeout, nothing left" \
    add_no_switchd

# ... and an ADD that starts while it restarts completes once it is back.
add_during_restart() {
    config >"$XT_TMP/in"
    (sleep 2; xt_start_switchd xsw; echo "$XT_SWITCHD_PID" >"$XT_TMP/switchd.pid") &
    local starter=$!
    cni ADD a
    wait "$starter"
    XT_SWITCHD_PID=$(cat "$XT_TMP/switchd.pid")
    XT_PIDS+=("$XT_SWITCHD_PID")
    expect_ok && xt_wait_ping a 10.77.0.1 10
}
xt_check "ADD while xsw-switchd restarts: waits for it, then works" \
    add_during_restart

xt_done
