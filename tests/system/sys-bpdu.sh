#!/bin/bash
# Bridge control frames between two containers on internal ports: an STP
# BPDU (01:80:c2:00:00:00), LLDP (01:80:c2:00:00:0e) and CDP
# (01:00:0c:cc:cc:cc) are dropped by default and forwarded with the
# Bridge's other_config:forward-bpdu=true, as in Open vSwitch; a frame to
# 01:80:c2:00:00:10, just outside the reserved block, always passes.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-bpdu
xt_need python3 tcpdump
xt_start_switch
xt_ns a
xt_ns b
xt_attach_internal a ""
xt_attach_internal b ""

# Sends one frame of each kind, three times, from container a's port.
send_frames() {
    xt_nsx a python3 - "$XT"a <<'EOF'
import socket, sys
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind((sys.argv[1], 0))
src = s.getsockname()[4]
def mac(t): return bytes.fromhex(t.replace(":", ""))
# A configuration BPDU: 802.3 length, LLC 42 42 03, 35 bytes of BPDU.
stp = (mac("01:80:c2:00:00:00") + src + (38).to_bytes(2, "big")
       + b"\x42\x42\x03" + bytes(35))
lldp = mac("01:80:c2:00:00:0e") + src + b"\x88\xcc" + bytes(46)
cdp = (mac("01:00:0c:cc:cc:cc") + src + (46).to_bytes(2, "big")
       + b"\xaa\xaa\x03\x00\x00\x0c\x20\x00" + bytes(38))
ctl = mac("01:80:c2:00:00:10") + src + b"\x88\xb5" + bytes(46)
for _ in range(3):
    for f in (stp, lldp, cdp, ctl):
        s.send(f)
EOF
}

# counts NAME: captures on b's port while a sends, and prints how many
# frames reached b for each destination: "STP LLDP CDP CTL".
counts() {
    local out
    xt_capture "$1" b "$XT"b ether dst 01:80:c2:00:00:00 or ether dst \
        01:80:c2:00:00:0e or ether dst 01:00:0c:cc:cc:cc or ether dst \
        01:80:c2:00:00:10
    send_frames || xt_fail "cannot send frames from $XT"a
    # The three control frames arrive last: wait for them.
    sleep 0.5
    out=$(xt_capture_stop "$1")
    echo "$(grep -c '> 01:80:c2:00:00:00' <<<"$out")" \
         "$(grep -c '> 01:80:c2:00:00:0e' <<<"$out")" \
         "$(grep -c '> 01:00:0c:cc:cc:cc' <<<"$out")" \
         "$(grep -c '> 01:80:c2:00:00:10' <<<"$out")"
}

expect_counts() {
    local got
    got=$(counts "$1")
    echo "STP LLDP CDP other: $got"
    [ "$got" = "$2" ]
}

# The switch's own count of what it dropped: xsw's coverage counter, or
# Open vSwitch's, which counts every frame its pipeline sends nowhere.
dropped_total() {
    local event=drop_reserved_multicast
    [ "$XT_SWITCH" = xsw ] || event=drop_action_of_pipeline
    xt_appctl coverage/show | awk -v e="$event" '$1 == e { print $NF }'
}

xt_check "by default, STP, LLDP and CDP frames are dropped" \
    expect_counts default "0 0 0 3"
if [ "$XT_SWITCH" = xsw ]; then
    xt_check "coverage/show counts the 9 drops" \
        xt_wait_for 5 sh -c "[ \"\$(timeout 10 ovs-appctl -t '$XT_TMP/switchd.ctl' coverage/show | awk '\$1 == \"drop_reserved_multicast\" { print \$NF }')\" = 9 ]"
    xt_check "ofproto/trace says why" sh -c \
        "timeout 10 ovs-appctl -t '$XT_TMP/switchd.ctl' ofproto/trace $XT_BR \
         in_port=${XT}a,dl_dst=01:80:c2:00:00:00 | grep -q 'reserved for bridge control'"
fi
xt_log "dropped so far, as the switch counts them: $(dropped_total)"

xt_require "forward-bpdu=true is set" \
    xt_vsctl set Bridge "$XT_BR" other_config:forward-bpdu=true
xt_check "with forward-bpdu=true, they are forwarded" \
    expect_counts forward "3 3 3 3"

xt_require "forward-bpdu=false is set" \
    xt_vsctl set Bridge "$XT_BR" other_config:forward-bpdu=false
xt_check "with forward-bpdu=false, they are dropped again" \
    expect_counts false "0 0 0 3"
xt_done
