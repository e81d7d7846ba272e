# tests/system/cni-lib.sh: running CNI plugins the way a container runtime
# does, for the xsw-cni tests and bench/cni-bench.sh.  Source it after
# lib.sh and xt_init.
#
#     config_json >"$XT_TMP/in"
#     cni ADD a                    # xsw-cni; CNI_PLUGIN=/usr/lib/cni/bridge
#     expect_ok && json 'r["ips"][0]["address"]'
#
# One plugin run per call: the operation in the environment (CNI_COMMAND,
# CNI_CONTAINERID "$XT-ctr-NAME", CNI_NETNS /var/run/netns/$XT$NAME,
# CNI_IFNAME eth0, CNI_PATH), the network configuration on stdin from
# $XT_TMP/in; its stdout in $XT_TMP/out, its stderr in $XT_TMP/err, its exit
# status in $rc.  A plugin must say everything on stdout: the helpers that
# judge a run fail on anything written to stderr.

XSW_CNI=$top_builddir/cni/xsw-cni
CNI_PATH=${CNI_PATH:-/usr/lib/cni}

# cni COMMAND CONTAINER [NETNS]: runs $CNI_PLUGIN (default xsw-cni), in
# namespace $CNI_HOST_NS if set (else in the root namespace, where
# xsw-switchd runs).  An empty NETNS leaves CNI_NETNS empty, as a runtime
# does for a DEL whose namespace is gone.
cni() {
    local ns=${3-/var/run/netns/$XT$2} in_host=()
    [ -z "${CNI_HOST_NS:-}" ] || in_host=(ip netns exec "$CNI_HOST_NS")
    env CNI_COMMAND="$1" CNI_CONTAINERID="${XT}-ctr-$2" CNI_NETNS="$ns" \
        CNI_IFNAME="${CNI_IFNAME:-eth0}" CNI_PATH="$CNI_PATH" \
        CNI_ARGS="IgnoreUnknown=1" \
        timeout 60 "${in_host[@]}" "${CNI_PLUGIN:-$XSW_CNI}" \
        <"$XT_TMP/in" >"$XT_TMP/out" 2>"$XT_TMP/err"
    rc=$?
}

# json EXPR: evaluates a Python expression on the last output ('r').
json() {
    python3 -c "import json,sys; r=json.load(open(sys.argv[1])); print($1)" \
        "$XT_TMP/out"
}

# expect_ok: the last run succeeded, with nothing on stderr.
expect_ok() {
    [ "$rc" -eq 0 ] && [ ! -s "$XT_TMP/err" ] ||
        { echo "exit $rc"; cat "$XT_TMP/out" "$XT_TMP/err"; return 1; }
}

# expect_error CODE WORDS: the last run failed with CNI error CODE, a
# message containing WORDS, and nothing on stderr.
expect_error() {
    [ "$rc" -ne 0 ] || { echo "exit status 0"; cat "$XT_TMP/out"; return 1; }
    [ ! -s "$XT_TMP/err" ] || { echo "stderr:"; cat "$XT_TMP/err"; return 1; }
    [ "$(json 'r["code"]')" = "$1" ] &&
        json 'r["msg"]' | grep -q -- "$2" ||
        { cat "$XT_TMP/out"; return 1; }
    json 'r["msg"]'
}

# cni_need PLUGIN...: xsw-cni is built and Debian's PLUGINs are installed.
cni_need() {
    local p
    [ -x "$XSW_CNI" ] || xt_fail "$XSW_CNI is not built"
    for p in "$@"; do
        [ -x "$CNI_PATH/$p" ] ||
            xt_fail "$CNI_PATH/$p is missing (containernetworking-plugins, see setup.sh)"
    done
}

# cni_start_host ADDR: xsw-switchd with bridge $XT_BR, whose own internal
# port is on access VLAN 1000 and has the host's management address ADDR,
# in namespace "host" (so that no address lands in the machine's root
# namespace).
cni_start_host() {
    xt_start_switch xsw
    xt_ns host
    xt_vsctl set Port "$XT_BR" tag=1000 || xt_fail "cannot tag $XT_BR"
    ip link set "$XT_BR" netns "${XT}host" ||
        xt_fail "cannot move $XT_BR into ${XT}host"
    xt_ns_nic_up host "$XT_BR" "$1"
}
