#!/bin/bash
# setup.sh: the two set-up commands of a fresh Debian 12 machine, as root.
#
#   ./setup.sh demo   installs what xsw needs, builds it, runs the demo
#   ./setup.sh test   installs what xsw and its tests need, builds, runs
#                     the whole test suite (`make check`)
#
# Both are idempotent: packages already installed are not fetched again and
# the build only redoes what changed.
set -euo pipefail
cd "$(dirname "$0")"

mode=${1:-}
case $mode in
    demo|test) ;;
    *) echo "usage: $0 demo|test" >&2; exit 2 ;;
esac

if [ "$(id -u)" != 0 ]; then
    echo "$0: must run as root (it installs packages and builds network namespaces)" >&2
    exit 1
fi

# Build dependencies, and what the demo needs at run time.
packages="build-essential autoconf automake pkg-config
    libjansson-dev libuv1-dev libsqlite3-dev sqlite3 check
    libxdp-dev libbpf-dev libssl-dev clang llvm
    iproute2 iputils-ping ethtool"
# The tests' real peers and traffic tools: Open vSwitch 3.1 and its
# clients, iperf3, tcpdump, trafgen.
if [ "$mode" = test ]; then
    packages="$packages openvswitch-switch openvswitch-common
        python3-openvswitch python3-ovsdbapp iperf3 tcpdump netsniff-ng"
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
    apt-get install -y -qq --no-install-recommends $missing >/dev/null
fi

echo "== building"
if [ ! -x configure ]; then
    autoreconf -fi >/dev/null
fi
if [ ! -f Makefile ]; then
    ./configure -q
fi
make -j"$(nproc)" >/dev/null

case $mode in
demo)
    exec ./demo/demo.sh
    ;;
test)
    echo "== running the test suite"
    status=0
    make -j"$(nproc)" check >tests/check.out 2>&1 || status=$?
    # Show every test's verdict, then the failures' logs, then the count.
    grep -E '^(PASS|FAIL|XFAIL|XPASS|SKIP|ERROR):' tests/check.out || true
    for log in $(grep -lE '^:test-result: (FAIL|ERROR|XPASS)' tests/*.trs tests/*/*.trs 2>/dev/null); do
        echo "---- ${log%.trs}.log"
        tail -n 60 "${log%.trs}.log"
    done
    if [ -f test-suite.log ]; then
        pass=$(sed -n 's/^# PASS: *//p' test-suite.log | head -1)
        fail=$(sed -n 's/^# FAIL: *//p' test-suite.log | head -1)
        error=$(sed -n 's/^# ERROR: *//p' test-suite.log | head -1)
        skip=$(sed -n 's/^# SKIP: *//p' test-suite.log | head -1)
    else
        tail -n 30 tests/check.out
        pass=0; fail=1; error=0; skip=0
    fi
    fail=$(( ${fail:-0} + ${error:-0} ))
    [ "$fail" -eq 0 ] || status=1
    echo "${pass:-0} passed, $fail failed, ${skip:-0} skipped"
    exit $status
    ;;
esac
