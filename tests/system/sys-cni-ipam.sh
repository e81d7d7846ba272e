#!/bin/bash
# xsw-cni with Debian's other IPAM plugins, driven as a runtime drives it:
#   static  fixed addresses with a gateway, and routes with and without
#           their own "gw";
#   dhcp    a lease from a DHCP server on the bridge's side: dnsmasq on
#           the bridge's own internal port, in a namespace that plays the
#           host, and the dhcp plugin's daemon on its own socket
#           (daemonSocketPath), so that nothing outside the test is used.
# Each: ADD puts the addresses and routes of the result on the container's
# eth0 and the container reaches the host; CHECK passes; DEL releases (the
# lease leaves dnsmasq's lease file); a second DEL succeeds.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/cni-lib.sh"

xt_init sys-cni-ipam
xt_need ping python3 dnsmasq
cni_need static dhcp
cni_start_host 10.78.0.1/24
xt_ns s
xt_ns d

NET=${XT}net
config() {      # config IPAM-JSON
    cat <<EOC
{"cniVersion": "1.0.0", "name": "$NET", "type": "xsw-cni",
 "bridge": "$XT_BR", "vlan": 1000, "db": "$XT_DB", "portPrefix": "$XT",
 "timeout": 5, "ipam": $1}
EOC
}
ports() { "$XSW_CTL" --db="$XT_DB" list-ports "$XT_BR"; }

# in_ns NAME WHAT PATTERN: "ip WHAT" in container NAME shows PATTERN.
in_ns() {
    ip -n "$XT$1" $2 | grep -q -- "$3" || { ip -n "$XT$1" $2; return 1; }
}

# ---- static
config '{"type": "static",
         "addresses": [{"address": "10.78.0.5/24", "gateway": "10.78.0.1"}],
         "routes": [{"dst": "0.0.0.0/0"},
                    {"dst": "10.99.0.0/16", "gw": "10.78.0.254"}]}' \
    >"$XT_TMP/static.conf"
add_static() {
    cp "$XT_TMP/static.conf" "$XT_TMP/in"
    cni ADD s
    expect_ok || return 1
    cp "$XT_TMP/out" "$XT_TMP/result-s"
    [ "$(json 'r["ips"][0]["address"]')" = 10.78.0.5/24 ] &&
        [ "$(json 'r["ips"][0]["gateway"]')" = 10.78.0.1 ] &&
        [ "$(json 'len(r["routes"])')" = 2 ] || { cat "$XT_TMP/out"; return 1; }
}
xt_require "static ADD: the result has the address, its gateway, 2 routes" \
    add_static
xt_check "static: eth0 has 10.78.0.5/24" \
    in_ns s "-4 -o addr show eth0" "inet 10.78.0.5/24"
xt_check "static: default route through the address's gateway" \
    in_ns s "route show default" "via 10.78.0.1 dev eth0"
xt_check "static: 10.99.0.0/16 through the route's own gw" \
    in_ns s "route show 10.99.0.0/16" "via 10.78.0.254 dev eth0"
xt_check "static: the container pings the host" xt_wait_ping s 10.78.0.1 10

# CHECK with the ADD's result as prevResult.
check_cmd() {   # check_cmd NAME CONF
    python3 - "$2" "$XT_TMP/result-$1" >"$XT_TMP/in" <<'PY'
import json, sys
conf = json.load(open(sys.argv[1]))
conf["prevResult"] = json.load(open(sys.argv[2]))
print(json.dumps(conf))
PY
    cni CHECK "$1"
    expect_ok
}
xt_check "static CHECK: fine" check_cmd s "$XT_TMP/static.conf"

del() {         # del NAME CONF
    cp "$2" "$XT_TMP/in"
    cni DEL "$1"
    expect_ok && [ -z "$(ports)" ] &&
        ! ip -n "$XT$1" link show eth0 >/dev/null 2>&1 ||
        { echo "ports: $(ports)"; ip -n "$XT$1" -o link; return 1; }
}
xt_check "static DEL: no port, no eth0" del s "$XT_TMP/static.conf"
xt_check "static DEL again: success" del s "$XT_TMP/static.conf"

# ---- dhcp
# dnsmasq on the host's side of the bridge, with no DNS; --no-ping: it
# would otherwise ping each new address before offering it (3 s here).
LEASES=$XT_TMP/dnsmasq.leases
: >"$LEASES"
xt_bg dnsmasq ip netns exec "${XT}host" dnsmasq --keep-in-foreground \
    --conf-file=/dev/null --port=0 --no-resolv --no-hosts \
    --user=root --group=root --pid-file="$XT_TMP/dnsmasq.pid" --no-ping \
    --interface="$XT_BR" --bind-interfaces --dhcp-authoritative \
    --dhcp-range=10.78.0.100,10.78.0.150,255.255.255.0,10m \
    --dhcp-option=option:router,10.78.0.1 \
    --dhcp-leasefile="$LEASES" --log-dhcp --log-facility=-
xt_wait_for 10 grep -q "DHCP, IP range" "$XT_TMP/dnsmasq.stderr" ||
    xt_fail "dnsmasq did not start: $(cat "$XT_TMP/dnsmasq.stderr")"
DHCP_SOCK=$XT_TMP/dhcp.sock
xt_bg dhcp-daemon "$CNI_PATH/dhcp" daemon -socketpath "$DHCP_SOCK"
xt_wait_for 10 test -S "$DHCP_SOCK" ||
    xt_fail "the dhcp plugin's daemon did not start: $(cat "$XT_TMP/dhcp-daemon.stderr")"
config "{\"type\": \"dhcp\", \"daemonSocketPath\": \"$DHCP_SOCK\"}" \
    >"$XT_TMP/dhcp.conf"

mac_d() {
    ip -n "${XT}d" -o link show eth0 |
        sed -n 's/.*link\/ether \([0-9a-f:]*\).*/\1/p'
}
lease_of_d() {  # dnsmasq's lease of d's MAC: "EXPIRY MAC IP NAME CLIENT-ID"
    grep -i " $(mac_d) " "$LEASES"
}
add_dhcp() {
    cp "$XT_TMP/dhcp.conf" "$XT_TMP/in"
    cni ADD d
    expect_ok || return 1
    cp "$XT_TMP/out" "$XT_TMP/result-d"
    addr_d=$(json 'r["ips"][0]["address"]')
    case $addr_d in
        10.78.0.1[0-4][0-9]/24|10.78.0.150/24) ;;
        *) cat "$XT_TMP/out"; return 1 ;;
    esac
    [ "$(json 'r["ips"][0]["gateway"]')" = 10.78.0.1 ] ||
        { cat "$XT_TMP/out"; return 1; }
    echo "$addr_d"
}
xt_require "dhcp ADD: a lease from dnsmasq's range, gateway 10.78.0.1" add_dhcp
addr_d=$(json 'r["ips"][0]["address"]')
# xsw-cni sets eth0 up before it runs IPAM: a daemon that finds the link
# down sets it up itself, but only after a failed first try (3 s).
first_try() {
    ! grep -q 'down. Attempting to set up' "$XT_TMP/dhcp-daemon.stderr" ||
        { cat "$XT_TMP/dhcp-daemon.stderr"; return 1; }
}
xt_check "dhcp: eth0 was up when the daemon sent its DISCOVER" first_try
xt_check "dhcp: eth0 has the leased address" \
    in_ns d "-4 -o addr show eth0" "inet $addr_d "
xt_check "dhcp: default route through the DHCP router" \
    in_ns d "route show default" "via 10.78.0.1 dev eth0"
xt_check "dhcp: dnsmasq's lease file has the lease, for eth0's MAC" eval \
    'lease_of_d | grep -q " ${addr_d%/*} " || { cat "$LEASES"; false; }'
xt_check "dhcp: the container pings the host" xt_wait_ping d 10.78.0.1 10
xt_check "dhcp CHECK: fine" check_cmd d "$XT_TMP/dhcp.conf"
no_lease() { ! grep -q " ${addr_d%/*} " "$LEASES"; }
del_dhcp() {
    del d "$XT_TMP/dhcp.conf" && xt_wait_for 5 no_lease ||
        { echo "leases:"; cat "$LEASES"; return 1; }
}
xt_check "dhcp DEL: released (no lease in dnsmasq's file), no port" del_dhcp
xt_check "dhcp DEL again: success" del d "$XT_TMP/dhcp.conf"
del_gone_netns() {
    cp "$XT_TMP/dhcp.conf" "$XT_TMP/in"
    cni ADD d
    expect_ok || return 1
    ip netns del "${XT}d"
    cni DEL d ""
    expect_ok && [ -z "$(ports)" ] || { echo "ports: $(ports)"; return 1; }
    cat "$LEASES"
}
xt_check "dhcp DEL after the netns is gone: success, no port" del_gone_netns
xt_done
