#!/bin/bash
# Jumbo frames.  Internal ports (TAP) carry 9000-byte MTUs: an 8900-byte
# ping passes unfragmented between two namespaces.  An AF_XDP port carries
# at most one umem frame (no multi-buffer support): mtu_request=9000 is
# refused where users look (Interface error), and the Interface's and the
# device's MTU stay what the port really carries, which frames of that
# size cross.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-jumbo
xt_need ping
xt_start_switch
xt_ns a
xt_ns b
xt_ns c
xt_attach_internal a 10.44.0.1/24 mtu_request=9000
xt_attach_internal b 10.44.0.2/24 mtu_request=9000
xt_attach_veth     c 10.44.0.3/24
xt_require "a pings b" xt_wait_ping a 10.44.0.2 10

# ping_df FROM ADDR SIZE: SIZE-byte pings that must not be fragmented.
ping_df() {
    timeout 15 ip netns exec "$XT$1" ping -q -n -c 3 -i 0.2 -W 2 -M do \
        -s "$3" "$2"
}
iface_col() {
    xt_vsctl get Interface "$1" "$2"
}
dev_mtu() {
    ip -o link show "$1" | sed -n 's/.* mtu \([0-9]*\) .*/\1/p'
}

xt_check "internal ports: Interface mtu is 9000" \
    test "$(iface_col "${XT}a" mtu)" = 9000
xt_check "internal ports: an 8900-byte ping passes unfragmented, a -> b" \
    ping_df a 10.44.0.2 8900
xt_check "and b -> a" ping_df b 10.44.0.1 8900

# The AF_XDP port.
xt_require "c is attached through AF_XDP" \
    xt_wait_for 10 sh -c "ovs-vsctl --db=$XT_DB get Interface ${XT}c status | grep -q afxdp"
xt_check "mtu_request=9000 on the AF_XDP port completes" \
    xt_vsctl set Interface "${XT}c" mtu_request=9000
honest_mtu() {
    local mtu dev err
    mtu=$(iface_col "${XT}c" mtu)
    dev=$(dev_mtu "${XT}c")
    err=$(iface_col "${XT}c" error)
    echo "Interface mtu $mtu, device mtu $dev, error $err"
    [ "$mtu" = "$dev" ] && [ "$mtu" -lt 9000 ] &&
        echo "$err" | grep -q 'mtu_request 9000 not applied: afxdp ports carry an MTU of at most'
}
xt_check "the AF_XDP port's mtu is what it carries, and error says why" \
    xt_wait_for 10 honest_mtu
# What it does carry: the namespace's end of the veth at the largest MTU
# the kernel allows while XDP is attached, the switch's end at its limit.
max=$(dev_mtu "${XT}c")
for m in 3822 3600 3507 3506 3500 3400 3000; do
    ip -n "${XT}c" link set xteth0 mtu $m 2>/dev/null && break
done
xt_log "AF_XDP port MTU $max; namespace c's veth MTU $m"
for n in a b; do
    ip -n "$XT$n" link set "$XT$n" mtu $m
done
xt_check "a $((m - 28))-byte ping passes unfragmented through the AF_XDP port" \
    ping_df a 10.44.0.3 $((m - 28))
xt_check "mtu_request=1500 completes" \
    xt_vsctl set Interface "${XT}c" mtu_request=1500
no_error() {
    local err
    err=$(iface_col "${XT}c" error)
    echo "error $err, mtu $(iface_col "${XT}c" mtu)"
    [ "$err" = "[]" ] && [ "$(iface_col "${XT}c" mtu)" = 1500 ]
}
xt_check "and the error goes, the mtu is 1500" xt_wait_for 10 no_error

# Raised behind the switch's back: said too (at the next refresh, 5 s).
too_big_said() {
    iface_col "${XT}c" error | grep -q 'MTU 9000 is more than afxdp ports carry (3822)'
}
if ip link set "${XT}c" mtu 9000 2>"$XT_TMP/mtu.err"; then
    xt_check "an MTU raised to 9000 by hand is reported in error" \
        xt_wait_for 20 too_big_said
else
    xt_log "the kernel refuses MTU 9000 on the AF_XDP port: $(cat "$XT_TMP/mtu.err")"
fi
xt_done
