#!/bin/bash
# demo.sh: xsw's user story in one minute (run as root after the build).
#
# Starts xsw-dbserver on its built-in default database and xsw-switchd, in a
# private temporary directory, then builds:
#
#     namespace xsw-c1   ("container" 1)  NIC c1: an internal port moved in
#     namespace xsw-c2   ("container" 2)  NIC c2: an internal port moved in
#     namespace xsw-c3   ("container" 3)  NIC eth0: a veth pair whose other
#                                          end, c3, is an AF_XDP port
#     namespace xsw-vlan                  NIC vlan1000: an internal port in
#                                          VLAN 1000 (tag=1000)
#     namespace xsw-host (the "host")     NIC br0: the bridge's own internal
#                                          port, carrying the management IP
#
# all on bridge br0, pings across, and, when podman, runc and
# busybox-static are installed, runs two podman containers attached by
# xsw-cni on VLAN 1000 (podman's whole setup in the temporary directory);
# it prints `xsw-ctl show` and
# `xsw-ctl fdb-show br0`, and removes everything it created -- also on
# Ctrl-C or failure.  The management IP lives in a namespace playing the
# host, so that the demo never configures an address on this machine.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
set -u
top=$(cd "$(dirname "$0")/.." && pwd)
build=${XSW_BUILDDIR:-$top}     # setup.sh builds in _build/default
DBSERVER=$build/dbserver/xsw-dbserver
SWITCHD=$build/switchd/xsw-switchd
CTL=$build/ctl/xsw-ctl
CNI=$build/cni/xsw-cni
NAMESPACES="xsw-c1 xsw-c2 xsw-c3 xsw-vlan xsw-host"
DEVICES="br0 c1 c2 c3 vlan1000"

die() { echo "demo: $*" >&2; exit 1; }

[ "$(id -u)" = 0 ] || die "run me as root: I create network namespaces and ports"
for f in "$DBSERVER" "$SWITCHD" "$CTL"; do
    [ -x "$f" ] || die "$f is not built: run 'make' first"
done
for c in ip ping flock; do
    command -v $c >/dev/null || die "'$c' is not installed (see setup.sh)"
done
for ns in $NAMESPACES; do
    [ -e "/run/netns/$ns" ] && die "namespace $ns already exists; is another demo running?"
done
for dev in $DEVICES; do
    ip link show "$dev" >/dev/null 2>&1 &&
        die "a device named $dev already exists on this machine; not touching it"
done

# xsw-switchd removes xsw's TAP devices it does not know about at start-up;
# do not start while the system tests run a switch of their own.
exec 9>/run/lock/xsw-system-tests.lock
flock -w 120 9 || die "the system tests hold /run/lock/xsw-system-tests.lock"

tmp=$(mktemp -d /tmp/xsw-demo.XXXXXX)
export XSW_RUNDIR=$tmp XSW_DBDIR=$tmp     # sockets, pidfiles, conf.db
pids=()
created_ns=()
created_veth=
podman_ran=

cleanup() {
    local rc=$? pid ns
    trap - EXIT INT TERM
    trap '' PIPE
    echo
    echo "== cleaning up"
    if [ -n "$podman_ran" ]; then
        pm rm -f -t 0 xsw-p1 xsw-p2 >/dev/null 2>&1
        pm rmi -a -f >/dev/null 2>&1
    fi
    # del-br makes xsw-switchd delete the bridge's TAP devices, wherever
    # they are now (they were moved into namespaces).
    if [ -S "$tmp/xsw-switchd.ctl" ]; then
        timeout 10 "$CTL" --timeout=5 --if-exists del-br br0 >/dev/null 2>&1
    fi
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    [ -n "$created_veth" ] && ip link del "$created_veth" 2>/dev/null
    for ns in "${created_ns[@]}"; do
        # Whatever the daemon could not delete (it was killed early).
        for dev in $DEVICES eth0; do
            ip -n "$ns" link del "$dev" 2>/dev/null
        done
        ip netns del "$ns" 2>/dev/null
    done
    for dev in $DEVICES; do
        ip link show "$dev" 2>/dev/null | grep -q 'xsw:' && ip link del "$dev"
    done
    if [ $rc -ne 0 ]; then
        echo "demo failed; the daemons' last words:"
        tail -n 5 "$tmp"/*.log 2>/dev/null
    fi
    rm -rf "$tmp"
    echo "done."
    exit $rc
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

step() { printf '\n== %s\n' "$*"; }
# Shows a command, then runs it; the demo stops if it fails.
run() {
    printf '$ %s\n' "$*"
    "$@" || die "'$*' failed"
}
ctl() { run "$CTL" --timeout=10 "$@"; }

wait_for() {
    local i
    for i in $(seq 100); do
        [ -e "$1" ] && return 0
        sleep 0.1
    done
    die "$2 did not start; see $tmp"
}

step "starting xsw-dbserver on the built-in schema (creates $tmp/conf.db)"
"$DBSERVER" --log-file="$tmp/dbserver.log" -vconsole:off 9>&- &
pids+=($!)
wait_for "$tmp/db.sock" xsw-dbserver
step "starting xsw-switchd"
"$SWITCHD" --log-file="$tmp/switchd.log" -vconsole:off 9>&- &
pids+=($!)
wait_for "$tmp/xsw-switchd.ctl" xsw-switchd

new_ns() {
    run ip netns add "$1"
    created_ns+=("$1")
    ip netns exec "$1" sysctl -qw net.ipv6.conf.all.disable_ipv6=1 \
        net.ipv6.conf.default.disable_ipv6=1 >/dev/null
    ip -n "$1" link set lo up
}
# Moves internal port DEV into namespace NS and gives it ADDR there.
move_in() {
    local dev=$1 ns=$2 addr=$3
    run ip link set "$dev" netns "$ns"
    run ip -n "$ns" addr add "$addr" dev "$dev"
    run ip -n "$ns" link set "$dev" up
}

step "a bridge; its local port br0 is an internal port (a TAP device)"
ctl add-br br0

step "containers 1 and 2: internal ports moved into their namespaces"
for i in 1 2; do
    new_ns xsw-c$i
    ctl add-port br0 c$i -- set Interface c$i type=internal
    move_in c$i xsw-c$i 10.0.0.$i/24
done

step "container 3: a veth pair; the switch's end is an AF_XDP port"
new_ns xsw-c3
run ip link add c3 type veth peer name eth0 netns xsw-c3
created_veth=c3
run ip link set c3 up
ctl add-port br0 c3
run ip -n xsw-c3 addr add 10.0.0.3/24 dev eth0
run ip -n xsw-c3 link set eth0 up

step "VLAN 1000 on an internal port, in a namespace of its own"
new_ns xsw-vlan
ctl add-port br0 vlan1000 -- set Interface vlan1000 type=internal \
    -- set Port vlan1000 tag=1000
move_in vlan1000 xsw-vlan 10.0.0.100/24

step "the host's management IP on the bridge's internal port br0"
echo "(br0 moves into namespace xsw-host, which plays the host, so that"
echo " this demo adds no address to your machine)"
new_ns xsw-host
move_in br0 xsw-host 10.0.0.254/24

ping_ok() {
    local ns=$1 addr=$2 what=$3 i
    printf '$ ip netns exec %s ping %s     # %s\n' "$ns" "$addr" "$what"
    # The first ping of a pair may wait for ARP and the AF_XDP port.
    for i in 1 2 3 4 5; do
        if ip netns exec "$ns" ping -c 3 -i 0.2 -W 1 -q "$addr" |
                grep -E 'packets|rtt'; then
            return 0
        fi
    done
    die "$what: no answer"
}
step "pinging across"
ping_ok xsw-c1 10.0.0.2 "internal port -> internal port"
ping_ok xsw-c1 10.0.0.3 "internal port -> veth (AF_XDP)"
ping_ok xsw-c3 10.0.0.2 "veth (AF_XDP) -> internal port"
ping_ok xsw-host 10.0.0.1 "host (br0) -> container 1"
ping_ok xsw-host 10.0.0.3 "host (br0) -> container 3"
printf '$ ip netns exec xsw-vlan ping 10.0.0.1     # VLAN 1000 -> untagged\n'
if ip netns exec xsw-vlan ping -c 2 -W 1 -q 10.0.0.1 >/dev/null; then
    die "VLAN 1000 reached the untagged container: no isolation"
fi
echo "no answer: VLAN 1000 is isolated from the untagged ports, as it should be"

# podman's whole setup lives in $tmp/podman: the host's podman
# configuration is neither read nor changed.
pm() {
    CONTAINERS_CONF=$tmp/podman/containers.conf timeout 120 podman \
        --root "$tmp/podman/root" --runroot "$tmp/podman/run" \
        --tmpdir "$tmp/podman/tmp" --storage-driver vfs \
        --network-config-dir "$tmp/podman/net" --cgroup-manager cgroupfs \
        --events-backend file --runtime runc "$@"
}
podman_demo() {
    local p=$tmp/podman i
    step "containers 4 and 5: podman, attached by xsw-cni to VLAN 1000"
    mkdir -p "$p/bin" "$p/net" "$p/rootfs/bin"
    ln -s "$(readlink -f "$CNI")" "$p/bin/xsw-cni"
    ln -s /usr/lib/cni/host-local "$p/bin/host-local"
    printf '[network]\nnetwork_backend = "cni"\ncni_plugin_dirs = ["%s"]\n' \
        "$p/bin" >"$p/containers.conf"
    cat >"$p/net/xsw-demo.conflist" <<EOC
{"cniVersion": "0.4.0", "name": "xsw-demo", "plugins": [
  {"type": "xsw-cni", "bridge": "br0", "vlan": 1000, "db": "unix:$tmp/db.sock",
   "ipam": {"type": "host-local", "dataDir": "$p/ipam",
            "ranges": [[{"subnet": "10.0.0.0/24", "rangeStart": "10.0.0.150",
                         "rangeEnd": "10.0.0.160"}]]}}]}
EOC
    run cat "$p/net/xsw-demo.conflist"
    cp /bin/busybox "$p/rootfs/bin/busybox"
    for i in sh ping sleep ip; do ln -s busybox "$p/rootfs/bin/$i"; done
    podman_ran=1
    tar -C "$p/rootfs" -c . | pm import - localhost/xsw-demo-busybox >/dev/null ||
        die "podman import failed"
    # runc, not crun; limits below the host's (see the README).
    for i in 1 2; do
        run pm run -d --name xsw-p$i --network xsw-demo \
            --ulimit nofile=1024:1024 --ulimit nproc=1024:1024 \
            localhost/xsw-demo-busybox /bin/sleep 600 >/dev/null
    done
    local p2
    p2=$(pm exec xsw-p2 /bin/ip -4 -o addr show eth0 |
         sed -n 's/.* inet \([0-9.]*\)\/.*/\1/p')
    for i in 1 2 3 4 5; do
        pm exec xsw-p1 /bin/ping -c 2 -W 1 "$p2" >/dev/null 2>&1 && break
    done
    run pm exec xsw-p1 /bin/ping -c 2 -W 1 "$p2"
    run pm exec xsw-p1 /bin/ping -c 2 -W 1 10.0.0.100
    ctl --columns=name,external_ids find Interface \
        "external_ids:container-id=$(pm inspect -f '{{.Id}}' xsw-p1)"
    run pm rm -f -t 0 xsw-p1 xsw-p2
    echo "podman rm removed their ports:"
    ctl list-ports br0
}
if command -v podman >/dev/null && command -v runc >/dev/null &&
   [ -x /bin/busybox ] && [ -x /usr/lib/cni/host-local ] && [ -x "$CNI" ]; then
    podman_demo
else
    step "(podman, runc, busybox-static or containernetworking-plugins not" \
        "installed: no podman containers)"
fi

step "the configuration"
ctl show
step "the MAC learning table"
ctl fdb-show br0
