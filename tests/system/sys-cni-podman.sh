#!/bin/bash
# podman 4.3 with its CNI backend runs two containers, from an image built
# here out of Debian's busybox-static, on an xsw-cni network: access VLAN
# 1000, host-local IPAM.  They ping each other and the host's management IP
# on the bridge's own internal port (moved into a namespace that plays the
# host).  "podman rm" leaves no port, no lease and no device behind.
#
# podman's whole setup lives in the test's temp dir (containers.conf via
# CONTAINERS_CONF, CNI config and plugin dirs, storage root, runroot,
# tmpdir), so the host's podman configuration is never read or touched.
# Facts of this machine it works around (FIELD-NOTES): crun fails here
# (runc is used), and without CAP_SYS_RESOURCE runc cannot apply podman's
# default nofile/nproc limits, so the containers get lower ones.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"
. "$top_srcdir/tests/system/cni-lib.sh"

xt_init sys-cni-podman
xt_need podman runc ping python3
cni_need host-local
[ -x /bin/busybox ] || xt_fail "/bin/busybox is missing (busybox-static, see setup.sh)"
cni_start_host 10.79.0.1/24

P=$XT_TMP/podman
NET=${XT}net
IMAGE=localhost/${XT}busybox
mkdir -p "$P/bin" "$P/net" "$P/rootfs/bin"
ln -s "$(readlink -f "$XSW_CNI")" "$P/bin/xsw-cni"
ln -s /usr/lib/cni/host-local "$P/bin/host-local"
cat >"$P/containers.conf" <<EOC
[network]
network_backend = "cni"
cni_plugin_dirs = ["$P/bin"]
network_config_dir = "$P/net"
[engine]
events_logger = "file"
cgroup_manager = "cgroupfs"
runtime = "runc"
EOC
cat >"$P/net/$NET.conflist" <<EOC
{"cniVersion": "0.4.0", "name": "$NET", "plugins": [
  {"type": "xsw-cni", "bridge": "$XT_BR", "vlan": 1000, "db": "$XT_DB",
   "portPrefix": "$XT",
   "ipam": {"type": "host-local", "dataDir": "$P/ipam",
            "ranges": [[{"subnet": "10.79.0.0/24", "gateway": "10.79.0.1",
                         "rangeStart": "10.79.0.10",
                         "rangeEnd": "10.79.0.50"}]],
            "routes": [{"dst": "0.0.0.0/0"}]}}]}
EOC
export CONTAINERS_CONF=$P/containers.conf
pm() {
    timeout 120 podman --root "$P/root" --runroot "$P/run" --tmpdir "$P/tmp" \
        --storage-driver vfs --network-config-dir "$P/net" \
        --cgroup-manager cgroupfs --events-backend file --runtime runc "$@"
}
# Our containers go before the switch stops and the temp dir goes.
podman_cleanup() {
    pm rm -f -t 0 "${XT}a" "${XT}b" >/dev/null 2>&1
    pm rmi -a -f >/dev/null 2>&1
}
trap 'rc=$?; podman_cleanup; (exit $rc); xt_cleanup' EXIT

cp /bin/busybox "$P/rootfs/bin/busybox"
for c in sh ping sleep ip; do ln -s busybox "$P/rootfs/bin/$c"; done
tar -C "$P/rootfs" -c . | pm import - "$IMAGE" >"$XT_TMP/import.log" 2>&1 ||
    xt_fail "podman import failed: $(cat "$XT_TMP/import.log")"

run() {     # run NAME
    pm run -d --name "$XT$1" --network "$NET" \
        --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
        "$IMAGE" /bin/sleep 600 >/dev/null
}
xt_require "podman runs container a on the xsw-cni network" run a
xt_require "podman runs container b" run b
ip_of() {
    pm exec "$XT$1" /bin/ip -4 -o addr show eth0 |
        sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p'
}
addr_a=$(ip_of a)
addr_b=$(ip_of b)
xt_log "a is $addr_a, b is $addr_b"
xt_check "a got an address from host-local" eval '[ -n "$addr_a" ]'

ctr_ping() {    # ctr_ping NAME ADDR
    local i
    for i in 1 2 3 4 5; do
        pm exec "$XT$1" /bin/ping -c 2 -W 2 "$2" >/dev/null 2>&1 && return 0
    done
    return 1
}
xt_check "a pings b" ctr_ping a "$addr_b"
xt_check "b pings a" ctr_ping b "$addr_a"
xt_check "a pings the host's management IP" ctr_ping a 10.79.0.1
xt_check "the host pings b" xt_ping host "$addr_b"

port_of() {
    "$XSW_CTL" --db="$XT_DB" --bare --columns=name find Interface \
        "external_ids:container-id=$(pm inspect -f '{{.Id}}' "$XT$1")"
}
check_port() {
    local port
    port=$(port_of a) && [ -n "$port" ] &&
        [ "$("$XSW_CTL" --db="$XT_DB" get Port "$port" tag)" = 1000 ] &&
        echo "$port"
}
xt_check "xsw-ctl find by container-id names a's port, on VLAN 1000" check_port

leases() { ls "$P/ipam/$NET" 2>/dev/null | grep -c '^10\.'; }
gone() {
    pm rm -f -t 0 "${XT}a" "${XT}b" >/dev/null &&
        [ -z "$("$XSW_CTL" --db="$XT_DB" list-ports "$XT_BR")" ] &&
        [ "$(leases)" = 0 ] &&
        ! ip -o link show | grep -q "alias xsw:$XT" ||
        { echo "ports: $("$XSW_CTL" --db="$XT_DB" list-ports "$XT_BR")"
          echo "leases: $(leases)"; ip -o link show | grep "alias xsw:$XT"
          return 1; }
}
xt_check "podman rm: no port, no lease, no device left" gone
xt_done
