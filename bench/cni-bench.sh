#!/bin/bash
# cni-bench.sh: containers attached by xsw-cni (internal ports of an xsw
# bridge) against containers attached by the stock `bridge` CNI plugin of
# containernetworking-plugins (a veth pair each, on a Linux bridge), in one
# run: the "internal port vs veth" question for containers as a runtime
# makes them.
#
# usage: bench/cni-bench.sh [-r REPS] [-t SECONDS] [-s SETUPS] [-m METRICS]
#   -r REPS      repetitions of every measurement (default 3)
#   -t SECONDS   length of each iperf3 / trafgen run (default 5)
#   -s SETUPS    comma-separated subset of (default all, in this order):
#                xsw          xsw-cni, access VLAN 1000
#                xsw-plain    xsw-cni, no VLAN
#                bridge       the bridge plugin, no VLAN
#                bridge-vlan  the bridge plugin with "vlan": 1000 (VLAN
#                             filtering on the bridge, untagged PVID 1000
#                             on each veth's host end); left out of the
#                             default, with a note, where the kernel has
#                             no bridge VLAN filtering
#   -m METRICS   comma-separated subset of rtt,tcp,pps (default all)
#
# The containers are two network namespaces a and b; each gets its NIC
# eth0 from the plugin, called exactly as a runtime calls it (CNI_* in the
# environment, the network configuration on stdin, cniVersion 1.0.0) with
# host-local IPAM, and loses it by DEL at the end of its round.  The bridge
# plugin runs in a namespace of its own that plays the host (its bridge and
# veth ends live there, and the IP forwarding it switches on stays there);
# xsw-cni runs in the root namespace beside xsw-switchd.  Each round
# measures, for every setup (bench/traffic-lib.sh):
#   add   milliseconds of each container's ADD (the plugin's whole run)
#   tcp   iperf3 TCP a -> b, Gbit/s
#   pps   64-byte UDP frames a -> b from trafgen, packets/s received by b
#   rtt   ping a -> b, microseconds
#   cpu   xsw-switchd's CPU during the pps run (the Linux bridge runs in
#         softirq context and has no process: not measured)
# Raw samples go to a TSV file; bench/cni-report.py prints medians, min-max
# spreads and ratios as a Markdown table.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/system/lib.sh"
. "$top_srcdir/tests/system/cni-lib.sh"

reps=3 secs=5 setups= metrics=rtt,tcp,pps
while getopts r:t:s:m:h opt; do
    case $opt in
        r) reps=$OPTARG ;;
        t) secs=$OPTARG ;;
        s) setups=$OPTARG ;;
        m) metrics=$OPTARG ;;
        *) sed -n '8,18s/^# \{0,1\}//p' "$0"; exit 2 ;;
    esac
done
for setup in ${setups//,/ }; do
    case $setup in
        xsw|xsw-plain|bridge|bridge-vlan) ;;
        *) echo "$0: unknown setup \"$setup\" (see -h)" >&2; exit 2 ;;
    esac
done

# A run with xsw-switchd takes the system tests' lock, as they do.
case ,${setups:-xsw}, in
    *,xsw,*|*,xsw-plain,*) xt_init cni-bench ;;
    *) xt_init cni-bench nolock ;;
esac

# Can this kernel filter VLANs on a bridge (CONFIG_BRIDGE_VLAN_FILTERING,
# which needs CONFIG_VLAN_8021Q)?  The bridge plugin's "vlan" needs it.
bridge_vlan_filtering() {
    local ns=${XT}vfprobe ok=0
    ip netns add "$ns" || return 1
    ip -n "$ns" link add "${XT}vf" type bridge vlan_filtering 1 \
        2>/dev/null || ok=1
    ip netns del "$ns"
    return $ok
}
vlan_note=
if ! bridge_vlan_filtering; then
    vlan_note="bridge-vlan not measured: this kernel has no bridge VLAN filtering (CONFIG_BRIDGE_VLAN_FILTERING; \"vlan_filtering 1\": operation not supported), which the bridge plugin's \"vlan\" needs"
    case ,$setups, in
        *,bridge-vlan,*) xt_fail "$vlan_note" ;;
    esac
fi
if [ -z "$setups" ]; then
    setups=xsw,xsw-plain,bridge
    if [ -z "$vlan_note" ]; then
        setups=$setups,bridge-vlan
    fi
fi
IFS=, read -r -a setup_list <<<"$setups"
xt_need iperf3 trafgen ping /usr/bin/python3
cni_need host-local bridge
results=${BENCH_RESULTS:-/tmp/xsw-cni-bench.tsv}
: >"$results"
exec 3>>"$results"
. "$top_srcdir/bench/traffic-lib.sh"

# config SETUP: the network configuration of SETUP.
config() {
    local plugin vlan=
    case $1 in
        xsw*) plugin="\"type\": \"xsw-cni\", \"bridge\": \"$XT_BR\",
                      \"db\": \"$XT_DB\", \"portPrefix\": \"$XT\"," ;;
        bridge*) plugin="\"type\": \"bridge\", \"bridge\": \"${XT}cbr\",
                         \"isGateway\": false, \"ipMasq\": false," ;;
    esac
    case $1 in xsw|bridge-vlan) vlan='"vlan": 1000,' ;; esac
    cat <<EOC
{"cniVersion": "1.0.0", "name": "${XT}net", $plugin $vlan
 "ipam": {"type": "host-local", "dataDir": "$XT_TMP/ipam",
          "ranges": [[{"subnet": "10.20.0.0/24", "rangeStart": "10.20.0.1",
                       "rangeEnd": "10.20.0.99", "gateway": "10.20.0.254"}]]}}
EOC
}

# attach SETUP NAME: ADD for container NAME; records how long it took,
# and sets NAME's NIC and (in $addr) its address.
attach() {
    local t0 t1
    config "$1" >"$XT_TMP/in"
    t0=$(date +%s%N)
    cni ADD "$2"
    t1=$(date +%s%N)
    expect_ok >"$XT_TMP/add.err" ||
        xt_fail "$1: ADD $2 failed: $(cat "$XT_TMP/add.err")"
    record "$1" cni add "$(( (t1 - t0) / 1000000 ))"
    XT_DEV[$2]=$(json 'r["interfaces"][r["ips"][0]["interface"]]["name"]')
    addr=$(json 'r["ips"][0]["address"].split("/")[0]')
}

# build SETUP: the switch and the two containers.
build() {
    local setup=$1
    xt_ns a
    xt_ns b
    case $setup in
        xsw*)
            CNI_PLUGIN=$XSW_CNI CNI_HOST_NS=
            xt_start_switch xsw ;;
        bridge*)
            CNI_PLUGIN=$CNI_PATH/bridge CNI_HOST_NS=${XT}host
            xt_ns host ;;
    esac
    attach "$setup" a
    BENCH_A=$addr
    attach "$setup" b
    BENCH_B=$addr
    xt_wait_ping a "$BENCH_B" 10 || xt_fail "$setup: a cannot ping b"
}

# unbuild SETUP: DEL for both containers, as a runtime does, then the rest.
unbuild() {
    local name
    config "$1" >"$XT_TMP/in"
    for name in a b; do
        cni DEL "$name"
        expect_ok >"$XT_TMP/del.err" ||
            xt_fail "$1: DEL $name failed: $(cat "$XT_TMP/del.err")"
    done
    xt_teardown
}

load_start=$(cut -d' ' -f1-3 /proc/loadavg)
echo "== cni-bench: $reps repetitions, ${secs}s runs; samples in $results"
# Repetitions go round the setups, so that a change in the shared
# machine's load mid-run falls on all of them alike.
total_reps=$reps
reps=1
for round in $(seq "$total_reps"); do
    for setup in "${setup_list[@]}"; do
        echo "-- round $round: $setup"
        build "$setup"
        case ,$metrics, in *,rtt,*) measure_rtt "$setup" cni ;; esac
        case ,$metrics, in *,tcp,*) measure_tcp "$setup" cni ;; esac
        case ,$metrics, in *,pps,*) measure_pps "$setup" cni ;; esac
        unbuild "$setup"
    done
done
exec 3>&-
echo
/usr/bin/python3 "$top_srcdir/bench/cni-report.py" "$results"
echo
echo "Load average (1, 5, 15 min) at the start: $load_start; at the end:" \
    "$(cut -d' ' -f1-3 /proc/loadavg) ($(nproc) CPUs)."
if [ -n "$vlan_note" ]; then
    echo
    echo "$vlan_note."
fi
