#!/bin/bash
# tests/packaging/deb.sh XSW.DEB: the Debian package on this machine
# (./setup.sh package runs it after dpkg-buildpackage).
#
#   dpkg -i: the files where Debian puts them, the units valid for
#     systemd-analyze, and no daemon started where no systemd runs (the
#     maintainer scripts start the services only under systemd);
#   the installed programs from /usr run: xsw-dbserver with the unit's
#     options, xsw-ctl against it, xsw-dbtool on its database;
#   dpkg -r: every program and page gone; dpkg --purge: the
#     configuration (logrotate), the units' enablement links, the database
#     and the logs gone, nothing of the package left.
#
# The daemons run with XSW_RUNDIR, XSW_DBDIR and XSW_LOGDIR in a temporary
# directory, so nothing here touches another xsw on the machine.  It
# refuses to run if xsw is installed already, and keeps /var/lib/xsw and
# /var/log/xsw if they existed before (purge would delete them).
set -u
deb=${1:?usage: $0 XSW.DEB}

if dpkg-query -W -f='${db:Status-Status}' xsw 2>/dev/null | grep -q installed
then
    echo "deb.sh: the xsw package is installed already; not touching it" >&2
    exit 1
fi
keep_state=
for d in /var/lib/xsw /var/log/xsw; do
    [ -e "$d" ] && keep_state="$keep_state $d"
done

. "$(dirname "$0")/lib.sh"
pkg_init deb
# However this run ends, the package goes (not purged: see keep_state).
pkg_at_exit() {
    if dpkg-query -W -f='${db:Status-Status}' xsw 2>/dev/null |
            grep -q installed; then
        dpkg -r xsw >/dev/null 2>&1
    fi
}

# Daemons running from /usr/sbin, by executable (none of ours yet).
installed_daemons() {
    for p in /proc/[0-9]*; do
        case $(readlink "$p/exe" 2>/dev/null) in
            /usr/sbin/xsw-dbserver|/usr/sbin/xsw-switchd) echo "${p#/proc/}" ;;
        esac
    done
}

[ -d /run/systemd/system ] &&
    echo "(systemd runs here: the package will start its services)"

echo "== dpkg -i $deb"
if ! dpkg -i "$deb" >"$T/dpkg.out" 2>&1; then
    cat "$T/dpkg.out"
    echo "FAIL: dpkg -i"
    exit 1
fi
ok "installed: $(dpkg-query -W xsw)"
files=(/usr/sbin/xsw-dbserver /usr/sbin/xsw-switchd /usr/bin/xsw-ctl
       /usr/bin/xsw-dbtool /usr/lib/cni/xsw-cni
       /usr/share/xsw/vswitch.ovsschema
       /usr/share/bash-completion/completions/xsw-ctl.bash
       /lib/systemd/system/xsw-dbserver.service
       /lib/systemd/system/xsw-switchd.service
       /etc/logrotate.d/xsw)
for p in xsw-dbserver xsw-switchd xsw-ctl xsw-dbtool xsw-cni; do
    files+=("/usr/share/man/man8/$p.8.gz")
done
for f in "${files[@]}"; do
    [ -e "$f" ] && ok "$f" || fail "$f is missing"
done
if [ ! -d /run/systemd/system ]; then
    running=$(installed_daemons)
    [ -z "$running" ] && ok "no daemon started (no systemd here)" ||
        fail "the package started daemons without systemd: pids $running"
fi
systemd-analyze verify /lib/systemd/system/xsw-dbserver.service \
    /lib/systemd/system/xsw-switchd.service >"$T/verify.out" 2>&1 &&
    ok "systemd-analyze verify of the installed units" ||
    fail "systemd-analyze verify: $(cat "$T/verify.out")"
MANWIDTH=80 man --warnings xsw-dbserver 2>"$T/man.err" | grep -q '^NAME' &&
    [ ! -s "$T/man.err" ] && ok "man xsw-dbserver" ||
    fail "man xsw-dbserver: $(cat "$T/man.err")"

echo "== the installed programs"
export XSW_RUNDIR=$T/run XSW_DBDIR=$T/lib XSW_LOGDIR=$T/log
# As its unit runs it (Type=notify): READY=1 on $NOTIFY_SOCKET, which
# needs the package's libsystemd0 (loaded, not linked).
pkg_await_ready "$T/notify"
NOTIFY_SOCKET=$T/notify /usr/sbin/xsw-dbserver --pidfile --log-file \
    -vconsole:emer -vsyslog:err -vfile:info 2>"$T/dbserver.out" &
pid=$!
pids+=("$pid")
wait "$listener"
grep -qx 'READY=1' "$T/notified" &&
    ok "/usr/sbin/xsw-dbserver started (pid $pid) and said READY=1" ||
    fail "/usr/sbin/xsw-dbserver: $(cat "$T/notified"; cat "$T/dbserver.out")"
if kill -0 "$pid" 2>/dev/null; then
    /usr/bin/xsw-ctl --no-wait add-br xtbr0 &&
        [ "$(/usr/bin/xsw-ctl list-br)" = xtbr0 ] &&
        ok "/usr/bin/xsw-ctl add-br, list-br" || fail "/usr/bin/xsw-ctl"
    [ "$(/usr/bin/xsw-dbtool db-cksum "$XSW_DBDIR/conf.db")" = \
      "$(/usr/bin/xsw-dbtool schema-cksum /usr/share/xsw/vswitch.ovsschema)" ] &&
        ok "the database has the installed schema" ||
        fail "the database's schema is not /usr/share/xsw/vswitch.ovsschema"
    echo '{"cniVersion": "1.0.0"}' |
        CNI_COMMAND=VERSION /usr/lib/cni/xsw-cni | grep -q supportedVersions &&
        ok "/usr/lib/cni/xsw-cni VERSION" || fail "/usr/lib/cni/xsw-cni VERSION"
    kill "$pid" && wait "$pid" 2>/dev/null
    pids=()
fi

echo "== dpkg -r xsw"
dpkg -r xsw >"$T/dpkg.out" 2>&1 || { cat "$T/dpkg.out"; fail "dpkg -r"; }
for f in "${files[@]}"; do
    case $f in /etc/*) continue ;; esac     # conffiles stay until purge
    [ -e "$f" ] && fail "$f is still there after dpkg -r"
done
[ "$failures" = 0 ] && ok "dpkg -r removed the programs, pages and units"

echo "== dpkg --purge xsw"
if [ -n "$keep_state" ]; then
    echo "(not purging:$keep_state existed before this run)"
else
    dpkg --purge xsw >"$T/dpkg.out" 2>&1 ||
        { cat "$T/dpkg.out"; fail "dpkg --purge"; }
    left=$(ls -d /etc/logrotate.d/xsw /var/lib/xsw /var/log/xsw \
               /etc/systemd/system/*.wants/xsw-* \
               /var/lib/systemd/deb-systemd-helper-enabled/*xsw* 2>/dev/null)
    [ -z "$left" ] && ok "dpkg --purge left nothing behind" ||
        fail "left after purge: $left"
    dpkg-query -W xsw >/dev/null 2>&1 &&
        fail "dpkg still knows the package after purge"
fi

pkg_finish
