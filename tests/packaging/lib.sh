# tests/packaging/lib.sh: what the packaging checks share
# (tests/packaging/install.sh on a DESTDIR, tests/packaging/deb.sh on the
# .deb).  Source it, then call pkg_init NAME.
#
# Each check prints "ok: ..." or "FAIL: ..." and goes on, so that one run
# lists every problem; pkg_finish exits 1 if any failed.  The daemons a
# script starts go in $pids: the exit trap kills them (by PID), then runs
# the script's pkg_at_exit if it defines one, then removes $T.

# pkg_init NAME: $T, a new folder /tmp/xt-NAME.XXXXXX, and the exit trap.
pkg_init() {
    T=$(mktemp -d "/tmp/xt-$1.XXXXXX") || exit 1
    pids=()
    failures=0
    trap pkg_cleanup EXIT
    trap 'exit 1' INT TERM
}

pkg_cleanup() {
    local pid
    for pid in "${pids[@]}"; do
        kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
    done
    if declare -F pkg_at_exit >/dev/null; then
        pkg_at_exit
    fi
    rm -rf "$T"
}

fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# pkg_finish: the exit status of the whole check.
pkg_finish() {
    if [ "$failures" -gt 0 ]; then
        echo "$failures failure(s)"
        exit 1
    fi
    exit 0
}

# pkg_await_ready SOCKET: listens on SOCKET (a datagram socket, as systemd's
# $NOTIFY_SOCKET) in the background until the first notification, which
# goes to $T/notified ("no notification within 30 s" if none came); returns
# once it listens, with the listener's PID in $listener (wait for it).
pkg_await_ready() {
    rm -f "$1" "$T/listening"
    python3 -c '
import socket, sys
s = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
s.bind(sys.argv[1])
open(sys.argv[2], "w").close()
s.settimeout(30)
try:
    print(s.recv(4096).decode())
except socket.timeout:
    print("no notification within 30 s")
' "$1" "$T/listening" >"$T/notified" &
    listener=$!
    for _ in $(seq 100); do [ -e "$T/listening" ] && break; sleep 0.05; done
    rm -f "$T/listening"
}
