#!/bin/bash
# setup.sh: the two set-up commands of a fresh Debian 12 machine, as root.
#
#   ./setup.sh demo   installs what xsw needs, builds it, runs the demo
#   ./setup.sh test   installs what xsw and its tests need, builds, runs
#                     the whole test suite (`make check`)
#   ./setup.sh package  builds the Debian package (dpkg-buildpackage from
#                     the release tarball), runs lintian, installs it,
#                     runs the installed programs, and removes it again
#
# All are idempotent: packages already installed are not fetched again and
# the build only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case $mode in
    demo|test|package) ;;
    *) echo "usage: $0 demo|test|package" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then
    echo "$0: must run as root (it installs packages and builds network namespaces)" >&2
    exit 1
fi

# Build dependencies, and what the demo needs at run time.
packages="build-essential autoconf automake pkg-config
    libjansson-dev libuv1-dev libsqlite3-dev sqlite3 check
    libxdp-dev libbpf-dev libssl-dev libsystemd-dev openssl clang llvm
    libclang-rt-14-dev libcurl4-openssl-dev iproute2 iputils-ping ethtool"
# The tests' real peers and traffic tools: Open vSwitch 3.1 and its
# clients, iperf3, tcpdump, trafgen.
if [ "$mode" = test ]; then
    packages="$packages openvswitch-switch openvswitch-common
        python3-openvswitch python3-ovsdbapp iperf3 tcpdump netsniff-ng"
    # The schemas every Debian OVSDB database uses
    # (tests/interop/any-schema.py), and OVN's northd and ctl tools
    # (tests/interop/ovn-northd.py).
    packages="$packages openvswitch-vtep ovn-central ovn-ic-db"
    # xsw-cni's IPAM plugins (tests/system/sys-cni.sh), the DHCP server
    # the dhcp plugin gets its leases from (sys-cni-ipam.sh), and podman
    # with its CNI backend, runc (crun fails here) and a local busybox image.
    packages="$packages containernetworking-plugins dnsmasq-base podman runc
        busybox-static"
    # What tests/packaging/install.sh checks the installed files with:
    # systemd-analyze (systemd), man (man-db), bash-completion, logrotate,
    # pkill (procps).
    packages="$packages systemd man-db bash-completion logrotate procps"
    # The daemons' --metrics (tests/system/sys-metrics.sh): promtool and a
    # real Prometheus server scraping them, curl as a plain client.
    packages="$packages prometheus curl"
    # etcd 3.4 and etcdctl, for the etcd backend's tests
    # (tests/server/etcd.py, and XT_STORAGE=etcd).
    packages="$packages etcd-server etcd-client"
fi
# The Debian package's build and checks.
if [ "$mode" = package ]; then
    packages="$packages debhelper dpkg-dev lintian fakeroot systemd
        man-db logrotate procps"
fi
missing=$(dpkg-query -W -f='${binary:Package} ${db:Status-Status}\n' $packages 2>/dev/null \
          | awk '$2 != "installed" {print $1}' || true)
for p in $packages; do
    dpkg-query -W "$p" >/dev/null 2>&1 || missing="$missing $p"
done
if [ -n "$(echo $missing)" ]; then
    echo "== installing:" $missing
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -qq
    # The tests run ovsdb-server, ovs-vswitchd and ovn-northd themselves;
    # on a machine with an init system the packages would start their own
    # copies, which must not run.  A policy-rc.d (unless the machine has
    # one) tells the maintainer scripts not to start anything.
    policy=
    if [ ! -e /usr/sbin/policy-rc.d ]; then
        policy=/usr/sbin/policy-rc.d
        printf '#!/bin/sh\nexit 101\n' >"$policy"
        chmod 755 "$policy"
        trap 'rm -f "$policy"' EXIT
    fi
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
    if [ -n "$policy" ]; then
        rm -f "$policy"
        trap - EXIT
    fi
fi

# Builds happen outside the source tree, so that the plain build (the
# programs, the demo, the whole suite), the sanitizer build (unit and
# interop tests under ASan/UBSan, leaks counting as failures), a clang build
# and a ThreadSanitizer build of the datapath tests live side by side.
if [ -f config.status ]; then
    echo "$0: this source tree is configured in place; run 'make distclean'" \
         "first (setup.sh builds in _build/)" >&2
    exit 1
fi
[ -x configure ] || autoreconf -fi >/dev/null

# build DIR [CONFIGURE-ARGS...]
build() {
    local dir=$1
    shift
    mkdir -p "$dir"
    if [ ! -f "$dir/Makefile" ]; then
        (cd "$dir" && ../../configure -q "$@")
    fi
    make -C "$dir" -j"$(nproc)" >/dev/null
}

# Counts from a build directory's test-suite.log: "PASS FAIL SKIP".
counts() {
    local log=$1/test-suite.log pass fail error skip
    if [ ! -f "$log" ]; then
        echo "0 1 0"
        return
    fi
    pass=$(sed -n 's/^# PASS: *//p' "$log" | head -1)
    fail=$(sed -n 's/^# FAIL: *//p' "$log" | head -1)
    error=$(sed -n 's/^# ERROR: *//p' "$log" | head -1)
    skip=$(sed -n 's/^# SKIP: *//p' "$log" | head -1)
    echo "${pass:-0} $(( ${fail:-0} + ${error:-0} )) ${skip:-0}"
}

# Shows each test's verdict and the logs of those that failed.
report() {
    local dir=$1 out=$2 log
    grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' "$out" || true
    for log in $(cd "$dir" && grep -lE '^:test-result: (FAIL|ERROR|XPASS)' \
                     tests/*.trs tests/*/*.trs 2>/dev/null); do
        echo "---- $dir/${log%.trs}.log"
        tail -n 60 "$dir/${log%.trs}.log"
    done
}

case $mode in
package)
    echo "== building"
    build _build/default
    # From the release tarball, as a distribution builds it, in a fresh
    # directory: the source tree's own builds stay as they are.
    version=$(sed -n 's/^PACKAGE_VERSION = //p' _build/default/Makefile)
    make -C _build/default dist >/dev/null
    rm -rf _build/package
    mkdir -p _build/package
    tar -C _build/package -xzf "_build/default/xsw-$version.tar.gz"
    echo "== dpkg-buildpackage -b -us -uc (log: _build/package.out)"
    if ! (cd "_build/package/xsw-$version" && \
          dpkg-buildpackage -b -us -uc -j"$(nproc)") \
            >_build/package.out 2>&1; then
        tail -n 40 _build/package.out
        echo "dpkg-buildpackage: FAILED"
        exit 1
    fi
    ls -l _build/package/*.deb
    echo "== lintian"
    # Errors fail the build; warnings and the rest are shown.
    lintian --info --display-info _build/package/xsw_*.changes \
        | tee _build/package-lintian.out || true
    status=0
    if grep -q '^E: ' _build/package-lintian.out; then
        echo "lintian: errors"
        status=1
    fi
    echo "== installing, running and removing the package"
    bash tests/packaging/deb.sh _build/package/xsw_*.deb || status=1
    [ "$status" = 0 ] && echo "package: ok" || echo "package: FAILED"
    exit $status
    ;;
demo)
    echo "== building"
    build _build/default
    exec env XSW_BUILDDIR="$PWD/_build/default" ./demo/demo.sh
    ;;
test)
    echo "== building"
    build _build/default
    build _build/sanitizers --enable-sanitizers
    status=0

    echo "== the whole suite"
    make -C _build/default -j"$(nproc)" check >_build/default.out 2>&1 \
        || status=1
    report _build/default _build/default.out

    echo "== unit and interop tests under AddressSanitizer and UBSan"
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=0 \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
        make -C _build/sanitizers -j"$(nproc)" check-sanitized \
        >_build/sanitizers.out 2>&1 || status=1
    report _build/sanitizers _build/sanitizers.out

    # A second compiler finds what gcc's optimiser hides (a missing -lm, a
    # maybe-uninitialized variable): everything, tests included, with clang
    # -O1 and -Werror.
    echo "== clang build"
    clang_fail=0
    build _build/clang CC=clang CFLAGS=-O1
    make -C _build/clang -j"$(nproc)" check TESTS= >_build/clang.out 2>&1 \
        || { clang_fail=1; tail -n 30 _build/clang.out; }
    [ "$clang_fail" = 0 ] && echo "clang build: ok" || echo "clang build: FAILED"

    # The forwarding threads and the lock-free configuration hand-over of
    # switchd/dp.c, checked by ThreadSanitizer rather than by prose alone.
    echo "== datapath tests under ThreadSanitizer"
    mkdir -p _build/tsan
    [ -f _build/tsan/Makefile ] || (cd _build/tsan && ../../configure -q \
        CC=clang CFLAGS="-O1 -g" --enable-sanitizers=thread)
    TSAN_OPTIONS=halt_on_error=0 \
        make -C _build/tsan -j"$(nproc)" check \
        TESTS='tests/test-dp-forward tests/test-bond' \
        >_build/tsan.out 2>&1 || status=1
    report _build/tsan _build/tsan.out

    read -r p1 f1 s1 <<<"$(counts _build/default)"
    read -r p2 f2 s2 <<<"$(counts _build/sanitizers)"
    read -r p3 f3 s3 <<<"$(counts _build/tsan)"
    echo "default build: $p1 passed, $f1 failed, $s1 skipped"
    echo "sanitizer build: $p2 passed, $f2 failed, $s2 skipped"
    echo "ThreadSanitizer build: $p3 passed, $f3 failed, $s3 skipped"
    fail=$(( f1 + f2 + f3 + clang_fail ))
    [ "$fail" -eq 0 ] || status=1
    echo "$(( p1 + p2 + p3 )) passed, $fail failed, $(( s1 + s2 + s3 )) skipped"
    exit $status
    ;;
esac
