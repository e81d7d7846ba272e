#!/bin/bash
# VLAN isolation: access ports tagged 1000 and 2000 share one bridge and one
# subnet but cannot reach each other; a trunk port carrying both sees their
# frames tagged, and a frame it sends tagged 2000 reaches VLAN 2000 only.
# (This kernel may lack the 8021q module, so the trunk side is checked with
# tcpdump and a raw socket rather than VLAN subinterfaces.)
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-vlan
xt_need ping tcpdump
xt_start_switch
for n in a b c d t; do xt_ns $n; done
xt_attach_internal a 10.17.0.1/24 -- set Port "${XT}a" tag=1000
xt_attach_veth     b 10.17.0.2/24 -- set Port "${XT}b" tag=1000
xt_attach_internal c 10.17.0.3/24 -- set Port "${XT}c" tag=2000
xt_attach_veth     d 10.17.0.4/24 -- set Port "${XT}d" tag=2000
xt_attach_veth     t ""           -- set Port "${XT}t" trunks=1000,2000

xt_capture trunk t xteth0 -Q in
xt_require "VLAN 1000: a (internal) pings b (veth)" xt_wait_ping a 10.17.0.2 5
xt_require "VLAN 2000: c (internal) pings d (veth)" xt_wait_ping c 10.17.0.4 5
xt_check "VLAN 1000 cannot reach VLAN 2000 (a -> c)" xt_no_ping a 10.17.0.3
xt_check "VLAN 1000 cannot reach VLAN 2000 (b -> d)" xt_no_ping b 10.17.0.4
xt_check "VLAN 2000 cannot reach VLAN 1000 (d -> a)" xt_no_ping d 10.17.0.1
at_trunk=$(xt_capture_stop trunk)

# tcpdump -e shows a tagged frame as "..., ethertype 802.1Q (0x8100),
# length N: vlan 1000, p 0, ethertype ARP ...".
trunk_sees() {
    local vid=$1 what=$2
    echo "$at_trunk" | grep "vlan $vid," | grep -q "$what" ||
        { echo "no '$what' tagged $vid on the trunk; captured:"; echo "$at_trunk"; return 1; }
}
untagged_on_trunk() {
    ! echo "$at_trunk" | grep -v '802.1Q' | grep .
}
xt_check "the trunk sees VLAN 1000's ARP, tagged 1000" trunk_sees 1000 'who-has 10.17.0.2'
xt_check "the trunk sees VLAN 2000's ARP, tagged 2000" trunk_sees 2000 'who-has 10.17.0.4'
xt_check "nothing reaches the trunk untagged" untagged_on_trunk

# From the trunk: a broadcast ARP request tagged 2000 for c's address.  c
# must see it (and answer through the trunk, tagged 2000); a must not.
send_tagged_arp() {
    xt_nsx t /usr/bin/python3 - "$1" "$2" <<'PY'
import socket, struct, sys
vid, target = int(sys.argv[1]), socket.inet_aton(sys.argv[2])
src_mac = bytes.fromhex("020000000099")
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(("xteth0", 0))
arp = struct.pack("!HHBBH6s4s6s4s", 1, 0x0800, 6, 4, 1, src_mac,
                  socket.inet_aton("10.17.0.99"), b"\0" * 6, target)
frame = (b"\xff" * 6 + src_mac + struct.pack("!HH", 0x8100, vid)
         + struct.pack("!H", 0x0806) + arp)
for _ in range(3):
    s.send(frame)
PY
}
xt_capture trunk2 t xteth0 -Q in arp
xt_capture in_c c "${XT}c" arp
xt_capture in_a a "${XT}a" arp
send_tagged_arp 2000 10.17.0.3
sleep 0.5
at_trunk=$(xt_capture_stop trunk2)
at_c=$(xt_capture_stop in_c)
at_a=$(xt_capture_stop in_a)
c_got_it() {
    echo "$at_c" | grep -q 'who-has 10.17.0.3 tell 10.17.0.99' ||
        { echo "c captured:"; echo "$at_c"; return 1; }
}
a_did_not() {
    ! echo "$at_a" | grep '10.17.0.99'
}
xt_check "a frame tagged 2000 from the trunk reaches VLAN 2000, untagged" c_got_it
xt_check "it does not reach VLAN 1000" a_did_not
xt_check "c's answer goes back through the trunk tagged 2000" \
    trunk_sees 2000 '10.17.0.3 is-at'
xt_done
