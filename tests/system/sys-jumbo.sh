#!/bin/bash
# Jumbo frames, 8900-byte pings that must not be fragmented:
# - between two internal ports (TAP devices with MTU 9000);
# - between an internal port and an AF_XDP port (a veth whose namespace end
#   has MTU 9000): with AF_XDP multi-buffer, a frame spans several umem
#   frames.
# Above what a port carries (9216 for AF_XDP), mtu_request is refused where
# users look: Interface mtu stays what the device really carries, and
# error says why; so is an MTU raised above it by hand.
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
. "${top_srcdir:-$(dirname "$0")/../..}/tests/system/lib.sh"

xt_init sys-jumbo
xt_need ping
xt_start_switch
xt_ns a
xt_ns b
xt_ns c
xt_ns d
xt_attach_internal a 10.44.0.1/24 mtu_request=9000
xt_attach_internal b 10.44.0.2/24 mtu_request=9000
xt_attach_veth     c 10.44.0.3/24 -- set Interface "${XT}c" mtu_request=9000
xt_attach_veth     d 10.44.0.4/24 -- set Interface "${XT}d" mtu_request=9000 \
    options:xdp-mode=generic
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
afxdp_9000() {
    local status
    status=$(iface_col "${XT}c" status)
    echo "mtu $(iface_col "${XT}c" mtu), device $(dev_mtu "${XT}c"), error $(iface_col "${XT}c" error), status $status"
    [ "$(iface_col "${XT}c" mtu)" = 9000 ] && [ "$(dev_mtu "${XT}c")" = 9000 ] &&
        [ "$(iface_col "${XT}c" error)" = "[]" ] &&
        echo "$status" | grep -q 'jumbo_frames="up to MTU 9216'
}
xt_check "the AF_XDP port has MTU 9000, no error, and says it carries jumbo frames" \
    xt_wait_for 10 afxdp_9000
xt_check "c's veth end takes MTU 9000 while XDP is attached" \
    ip -n "${XT}c" link set xteth0 mtu 9000
xt_check "an 8900-byte ping passes unfragmented, internal a -> AF_XDP c" \
    ping_df a 10.44.0.3 8900
xt_check "and AF_XDP c -> internal b" ping_df c 10.44.0.2 8900
xt_check "and 1400-byte pings still pass (one umem frame, no copy)" \
    ping_df c 10.44.0.1 1400
xt_check "d (generic XDP mode) takes MTU 9000 on its veth end" \
    ip -n "${XT}d" link set xteth0 mtu 9000
xt_check "an 8900-byte ping passes unfragmented, AF_XDP c -> AF_XDP d (generic)" \
    ping_df c 10.44.0.4 8900

# Above the AF_XDP port's limit.
xt_check "mtu_request=9500 on the AF_XDP port completes" \
    xt_vsctl set Interface "${XT}c" mtu_request=9500
honest_mtu() {
    local mtu dev err
    mtu=$(iface_col "${XT}c" mtu)
    dev=$(dev_mtu "${XT}c")
    err=$(iface_col "${XT}c" error)
    echo "Interface mtu $mtu, device mtu $dev, error $err"
    [ "$mtu" = 9216 ] && [ "$dev" = 9216 ] &&
        echo "$err" | grep -q 'mtu_request 9500 not applied: this afxdp port carries an MTU of at most 9216'
}
xt_check "mtu is 9216, what the port carries, and error says why" \
    xt_wait_for 10 honest_mtu
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
    iface_col "${XT}c" error |
        grep -q 'MTU 9500 is more than this afxdp port carries (9216)'
}
if ip link set "${XT}c" mtu 9500 2>"$XT_TMP/mtu.err"; then
    xt_check "an MTU raised to 9500 by hand is reported in error" \
        xt_wait_for 20 too_big_said
else
    xt_log "the kernel refuses MTU 9500 on the AF_XDP port: $(cat "$XT_TMP/mtu.err")"
fi
xt_done
