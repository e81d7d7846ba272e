#!/bin/bash
# switch-bench.sh: xsw-switchd against Open vSwitch 3.1's userspace datapath,
# the Linux bridge and the ceiling of any AF_XDP switch, on this machine, in
# one run.
#
# usage: bench/switch-bench.sh [-r REPS] [-t SECONDS] [-s SWITCHES] [-n PORTS]
#                               [-k KINDS] [-m METRICS]
#   -r REPS      repetitions of every measurement (default 3)
#   -t SECONDS   length of each iperf3 / trafgen run (default 5)
#   -s SWITCHES  comma-separated subset of xsw,xsw-scraped,xsw-spin,ovs,
#                xskfwd,linux,direct (default all, in that order):
#                xsw-scraped  xsw with --metrics, scraped (GET /metrics)
#                          once a second by curl throughout: what a
#                          Prometheus server costs the forwarding
#                          ($SCRAPE_INTERVAL, in seconds, changes the
#                          period, e.g. 0.01 for a hundred scrapes a
#                          second, to bound the cost)
#                xsw-spin  xsw with other_config:busy-poll-usec=1000000 (the
#                          most it allows): with pings 10 ms apart its
#                          forwarding thread never sleeps, as Open vSwitch's
#                          PMD threads never do
#                xskfwd    bench/xsk-fwd --spin between the veth ends: two
#                          AF_XDP sockets and nothing else, the ceiling of any
#                          AF_XDP userspace switch here (veth only)
#                direct    a veth pair from a to b with no switch: the
#                          ceiling of the sender and receiver (veth only)
#   -n PORTS     internal ports added in one transaction (default 500; 0
#                skips that measurement)
#   -k KINDS     comma-separated subset of veth,internal (default both)
#   -m METRICS   comma-separated subset of rtt,tcp,pps (default all)
# $XSW_SWITCHD_ARGS adds options to xsw-switchd's command line (e.g.
# "--n-threads=2"), for experiments.
#
# For each switch and each kind of container NIC (a veth pair whose switch
# end is an AF_XDP port -- a plain bridge port for the Linux bridge -- or an
# internal port moved into the container) it builds two namespaces a and b
# on one bridge and measures, REPS times each:
#   tcp   iperf3 TCP a -> b, Gbit/s (receiver's count)
#   pps   64-byte UDP frames from trafgen in a (one CPU, qdisc path), packets/s
#         counted by b's NIC (rx_packets); trafgen alone on a veth pair sends
#         more than any switch here forwards, so the switch is the limit
#   rtt   ping a -> b, mean of 100 pings 10 ms apart, microseconds
#   scrape  for xsw-scraped, how long each scrape took, ms (curl's
#         time_total; the scrapes of the whole topology's life)
#   cpu   the switch process's CPU (utime+stime from /proc/PID/stat) during
#         the pps run, in % of one core (the Linux bridge runs in softirq
#         context and has no process: not measured; for xskfwd it is
#         xsk-fwd's one thread)
# and, for xsw and OVS, the seconds from sending one transaction that adds
# PORTS internal ports until cur_cfg catches up (ovs-vsctl without
# --no-wait).  The repetitions alternate between the switches.  Raw
# samples go to a TSV file; bench/switch-report.py prints medians, min-max
# spreads and ratios as a Markdown table.
#
# Open vSwitch is configured as its documentation recommends for this:
# datapath_type=netdev, type=afxdp for veth ends, userspace-tso-enable=true
# for internal ports, and `ethtool -K xteth0 tx off` inside the namespaces
# for its AF_XDP ports (it cannot complete partial checksums; xsw and the
# Linux bridge run with the kernel's default offloads).  xsk-fwd forwards
# frames as they are and gets the same `tx off`; it attaches natively, as
# xsw does.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir}
. "$top_srcdir/tests/system/lib.sh"

reps=3 secs=5 switches=xsw,xsw-scraped,xsw-spin,ovs,xskfwd,linux,direct
nports=500
kinds=veth,internal metrics=rtt,tcp,pps
while getopts r:t:s:n:k:m:h opt; do
    case $opt in
        r) reps=$OPTARG ;;
        t) secs=$OPTARG ;;
        s) switches=$OPTARG ;;
        n) nports=$OPTARG ;;
        k) kinds=$OPTARG ;;
        m) metrics=$OPTARG ;;
        *) sed -n '2,32s/^# \{0,1\}//p' "$0"; exit 2 ;;
    esac
done

# A run with xsw-switchd takes the system tests' lock (lib.sh), as they do.
# Today's xsw-switchd deletes only TAPs marked with its own database's
# identity, so it leaves other daemons' alone; but one built before that
# (another tree, not yet rebased) still deletes, at start-up, every xsw TAP
# it did not configure, this run's included.  Open vSwitch and the Linux
# bridge make no xsw TAPs: a run of only those need not wait for the lock.
case ,$switches, in
    *,xsw,*|*,xsw-spin,*|*,xsw-scraped,*) xt_init switch-bench ;;
    *)       xt_init switch-bench nolock ;;
esac
xt_need iperf3 trafgen ping ethtool ovs-vsctl /usr/bin/python3
case ,$switches, in *,xsw-scraped,*) xt_need curl ;; esac
XSK_FWD=$top_builddir/bench/xsk-fwd
case ,$switches, in
    *,xskfwd,*) [ -x "$XSK_FWD" ] || xt_fail "$XSK_FWD is not built (make)" ;;
esac
results=${BENCH_RESULTS:-/tmp/xsw-switch-bench.tsv}
: >"$results"
exec 3>>"$results"
. "$top_srcdir/bench/traffic-lib.sh"

# The Linux bridge: a kernel bridge with the veth ends as its ports.
start_linux_bridge() {
    XT_SWITCH=linux
    ip link add "$XT_BR" type bridge || xt_fail "cannot create bridge $XT_BR"
    sysctl -qw "net.ipv6.conf.$XT_BR.disable_ipv6=1" >/dev/null 2>&1
    ip link set "$XT_BR" up
}
# attach_linux_veth NAME ADDR [nomaster]: "nomaster" leaves the root
# namespace's end on no bridge (for xsk-fwd).
attach_linux_veth() {
    local name=$1 addr=$2 port=$XT$1
    ip link add "$port" type veth peer name xteth0 netns "$XT$name" ||
        xt_fail "cannot create veth pair $port"
    sysctl -qw "net.ipv6.conf.$port.disable_ipv6=1" >/dev/null 2>&1
    if [ "${3:-}" = nomaster ]; then
        ip link set "$port" up
    else
        ip link set "$port" master "$XT_BR" up
    fi
    xt_ns_nic_up "$name" xteth0 "$addr"
}

# xsk-fwd between two veth ends: the ceiling of any AF_XDP switch.  Its
# PID stands in for the switch daemon's, for the CPU measurement.
start_xskfwd() {
    local n
    XT_SWITCH=xskfwd
    attach_linux_veth a 10.20.0.1/24 nomaster
    attach_linux_veth b 10.20.0.2/24 nomaster
    for n in a b; do
        xt_nsx $n ethtool -K xteth0 tx off >/dev/null 2>&1
    done
    xt_bg xsk-fwd "$XSK_FWD" "${XT}a" "${XT}b" --mode native --spin
    XT_SWITCHD_PID=$XT_LAST_PID
    xt_wait_for 10 grep -q forwarding "$XT_TMP/xsk-fwd.stderr" ||
        xt_fail "xsk-fwd did not start: $(cat "$XT_TMP/xsk-fwd.stderr")"
}

# xsw-scraped: GET /metrics once a second, each scrape's status and
# seconds in scraper.stdout.
start_scraper() {
    local port
    xt_wait_for 10 grep -q 'serving metrics on port' "$XT_TMP/switchd.log" ||
        xt_fail "xsw-switchd did not serve metrics"
    port=$(sed -n 's/.*serving metrics on port \([0-9]*\).*/\1/p' \
           "$XT_TMP/switchd.log" | tail -n 1)
    xt_bg scraper bash -c "while :; do curl -s -o /dev/null --max-time 5 \
        -w '%{http_code} %{time_total}\n' http://127.0.0.1:$port/metrics;
        sleep ${SCRAPE_INTERVAL:-1}; done"
}

# Records the scrapes' times; every one must have succeeded.
finish_scraper() {
    local code secs
    while read -r code secs; do
        [ "$code" = 200 ] || xt_fail "a scrape of /metrics failed ($code)"
        record xsw-scraped "$1" scrape \
            "$(/usr/bin/python3 -c "print('%.2f' % ($secs * 1000))")"
    done <"$XT_TMP/scraper.stdout"
}

# build SWITCH KIND: the two-namespace topology.
build() {
    local sw=$1 kind=$2 n
    xt_ns a
    xt_ns b
    if [ "$sw" = direct ]; then
        # No switch: the sender's and receiver's own ceiling.
        ip -n "${XT}a" link add xteth0 type veth peer name xteth0 netns "${XT}b" ||
            xt_fail "cannot create a veth pair between a and b"
        xt_ns_nic_up a xteth0 10.20.0.1/24
        xt_ns_nic_up b xteth0 10.20.0.2/24
    elif [ "$sw" = linux ]; then
        start_linux_bridge
        attach_linux_veth a 10.20.0.1/24
        attach_linux_veth b 10.20.0.2/24
    elif [ "$sw" = xskfwd ]; then
        start_xskfwd
    elif [ "$sw" = xsw-scraped ]; then
        XSW_SWITCHD_ARGS="${XSW_SWITCHD_ARGS:-} --metrics=ptcp:0:127.0.0.1" \
            xt_start_switch xsw
        start_scraper
    else
        xt_start_switch "${sw%-spin}"
        if [ "$sw" = xsw-spin ]; then
            "$XSW_CTL" --db="$XT_DB" set Open_vSwitch . \
                other_config:busy-poll-usec=1000000 ||
                xt_fail "cannot set other_config:busy-poll-usec"
        fi
    fi
    if [ "${sw#xsw}" != "$sw" ] || [ "$sw" = ovs ]; then
        if [ "$kind" = internal ]; then
            xt_attach_internal a 10.20.0.1/24
            xt_attach_internal b 10.20.0.2/24
        else
            xt_attach_veth a 10.20.0.1/24
            xt_attach_veth b 10.20.0.2/24
            if [ "$sw" = ovs ]; then
                for n in a b; do
                    xt_nsx $n ethtool -K xteth0 tx off >/dev/null 2>&1
                done
            fi
        fi
    fi
    xt_wait_ping a 10.20.0.2 10 || xt_fail "$sw/$kind: a cannot ping b"
}

# Seconds until PORTS internal ports added in one transaction are in place.
measure_scale() {
    local sw=$1 t0 t1 args=() i
    for _ in $(seq "$reps"); do
        xt_start_switch "$sw"
        args=()
        for i in $(seq "$nports"); do
            args+=(-- add-port "$XT_BR" "${XT}p$i" -- set Interface "${XT}p$i" type=internal)
        done
        t0=$(date +%s%N)
        if timeout 330 ovs-vsctl --db="$XT_DB" --timeout=300 "${args[@]}"; then
            t1=$(date +%s%N)
            record "$sw" "$nports" addports \
                "$(/usr/bin/python3 -c "print('%.2f' % (($t1 - $t0) / 1e9))")"
        else
            record "$sw" "$nports" addports timeout
        fi
        xt_teardown
    done
}

IFS=, read -r -a sw_list <<<"$switches"
IFS=, read -r -a kind_list <<<"$kinds"
echo "== switch-bench: $reps repetitions, ${secs}s runs; samples in $results"
# Repetitions go round the switches (each round builds every topology
# afresh and measures each metric once), so that a change in the shared
# machine's load mid-run falls on all switches alike.
total_reps=$reps
reps=1
for round in $(seq "$total_reps"); do
    for kind in "${kind_list[@]}"; do
        for sw in "${sw_list[@]}"; do
            case $sw/$kind in
                linux/internal|direct/internal|xskfwd/internal) continue ;;
            esac
            echo "-- round $round: $sw, $kind ports"
            build "$sw" "$kind"
            case ,$metrics, in *,rtt,*) measure_rtt "$sw" "$kind" ;; esac
            case ,$metrics, in *,tcp,*) measure_tcp "$sw" "$kind" ;; esac
            case ,$metrics, in *,pps,*) measure_pps "$sw" "$kind" ;; esac
            [ "$sw" = xsw-scraped ] && finish_scraper "$kind"
            xt_teardown
        done
    done
    if [ "$nports" -gt 0 ]; then
        for sw in "${sw_list[@]}"; do
            # Spinning changes nothing in reconfiguration.
            case $sw in linux|direct|xskfwd|xsw-spin|xsw-scraped) continue ;; esac
            echo "-- round $round: $sw, $nports internal ports in one transaction"
            measure_scale "$sw"
        done
    fi
done
exec 3>&-
echo
/usr/bin/python3 "$top_srcdir/bench/switch-report.py" "$results"
