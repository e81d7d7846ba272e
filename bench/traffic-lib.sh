# bench/traffic-lib.sh: the traffic measurements of the switch benchmarks
# (bench/switch-bench.sh, bench/cni-bench.sh), between two containers a and
# b that lib.sh knows (namespaces $XT{a,b}, NICs ${XT_DEV[a,b]}).  Source
# it after lib.sh and xt_init, with the samples file open on fd 3.
#
# The callers set:
#   reps       repetitions of each measurement in one call
#   secs       the length of one iperf3 / trafgen run
#   BENCH_A, BENCH_B   a's and b's IPv4 addresses (default 10.20.0.1, .2)
#   XT_SWITCHD_PID     the forwarding process, for its CPU (or empty)
# Each sample is one line "SWITCH<TAB>PORTS<TAB>METRIC<TAB>VALUE" on fd 3
# (also shown on stdout): what bench/*-report.py read.

: "${BENCH_A:=10.20.0.1}" "${BENCH_B:=10.20.0.2}"

# record SWITCH PORTS METRIC VALUE
record() {
    printf '%s\t%s\t%s\t%s\n' "$@" >&3
    printf '  %-6s %-8s %-5s %s\n' "$@"
}

# CPU ticks (user + system) the switch process has used so far.
switch_ticks() {
    [ -n "$XT_SWITCHD_PID" ] || { echo 0; return; }
    sed 's/.*) //' "/proc/$XT_SWITCHD_PID/stat" | awk '{print $12 + $13}'
}

# measure_tcp SWITCH PORTS: iperf3 TCP a -> b, Gbit/s (receiver's count).
measure_tcp() {
    local sw=$1 kind=$2 pid gbps
    xt_bg iperf-s ip netns exec "${XT}b" iperf3 -s -B "$BENCH_B"
    pid=$XT_LAST_PID
    xt_wait_for 5 ip netns exec "${XT}b" sh -c "ss -ltn | grep -q ':5201 '"
    for _ in $(seq "$reps"); do
        timeout $((secs + 15)) ip netns exec "${XT}a" iperf3 -c "$BENCH_B" \
            -t "$secs" -J --connect-timeout 3000 >"$XT_TMP/iperf.json" 2>&1
        gbps=$(/usr/bin/python3 -c '
import json, sys
try:
    r = json.load(open(sys.argv[1]))
    print("%.2f" % (r["end"]["sum_received"]["bits_per_second"] / 1e9))
except Exception:
    print("0")' "$XT_TMP/iperf.json")
        record "$sw" "$kind" tcp "$gbps"
    done
    xt_kill_pid "$pid"
}

# measure_pps SWITCH PORTS: 64-byte UDP frames from trafgen in a (one CPU,
# qdisc path), packets/s counted by b's NIC; and the switch process's CPU
# meanwhile, % of one core, when there is one.
measure_pps() {
    local sw=$1 kind=$2 mac rx0 rx1 t0 t1 c0 c1 hz pps
    hz=$(getconf CLK_TCK)
    mac=$(xt_mac b)
    # 14 + 20 + 8 + 18 = 60 bytes: 64 on the wire with the FCS.
    cat >"$XT_TMP/udp64.cfg" <<EOF
{ eth(da=$mac, type=0x0800), ipv4(saddr=$BENCH_A, daddr=$BENCH_B, ttl=64),
  udp(sp=4000, dp=9), fill(0x00, 18) }
EOF
    for _ in $(seq "$reps"); do
        xt_bg trafgen ip netns exec "${XT}a" trafgen --cpus 1 --qdisc-path \
            -o "${XT_DEV[a]}" -c "$XT_TMP/udp64.cfg" -q
        sleep 1                        # let it reach full speed
        rx0=$(xt_nsx b cat "/sys/class/net/${XT_DEV[b]}/statistics/rx_packets")
        c0=$(switch_ticks)
        t0=$(date +%s%N)
        sleep "$secs"
        rx1=$(xt_nsx b cat "/sys/class/net/${XT_DEV[b]}/statistics/rx_packets")
        c1=$(switch_ticks)
        t1=$(date +%s%N)
        xt_kill_pid "$XT_LAST_PID"
        pps=$(( (rx1 - rx0) * 1000000000 / (t1 - t0) ))
        record "$sw" "$kind" pps "$pps"
        if [ -n "$XT_SWITCHD_PID" ]; then
            record "$sw" "$kind" cpu \
                "$(( (c1 - c0) * 100 * 1000000000 / hz / (t1 - t0) ))"
        fi
        sleep 0.5                      # drain before the next run
    done
}

# measure_rtt SWITCH PORTS: ping a -> b, mean of 100 pings 10 ms apart, us.
measure_rtt() {
    local sw=$1 kind=$2 avg
    for _ in $(seq "$reps"); do
        avg=$(xt_nsx a ping -q -n -c 100 -i 0.01 "$BENCH_B" |
              sed -n 's/^rtt [^=]*= [0-9.]*\/\([0-9.]*\)\/.*/\1/p')
        record "$sw" "$kind" rtt "$(/usr/bin/python3 -c "print(round(${avg:-0} * 1000))")"
    done
}

