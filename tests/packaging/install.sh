#!/bin/bash
# What "make install" gives a user, checked on the installed copy in a
# DESTDIR: the layout (programs in sbin and bin, the schema in share/xsw,
# the manual pages, the bash completion, xsw-cni in the CNI directory, the
# systemd units); the installed daemons started with their units' own
# command lines (ExecStartPre, ExecStart), telling systemd they are ready
# through $NOTIFY_SOCKET, serving the installed schema and converting an
# older database to it; "systemd-analyze verify" of the units; every
# manual page rendered by man without a warning; the completion, loaded
# by bash-completion from the installed directory, completing a command
# and a bridge name; logrotate with the packaged configuration, after
# which the daemons write to the new files.
#
# Everything lives in a temporary directory (run, state and log
# directories through XSW_RUNDIR, XSW_DBDIR, XSW_LOGDIR); the daemons
# started here are killed by the trap.  xsw-switchd runs with an empty
# database (no bridge), so it touches no device.
set -u
[ -n "${BASH_VERSION:-}" ] || exec bash "$0" "$@"
top_srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
top_builddir=${top_builddir:-$top_srcdir/_build/default}

. "$(dirname "$0")/lib.sh"
pkg_init install

# The build's installation directories, as make expands them.
makevar() {
    printf 'print:\n\t@echo $(%s)\n' "$1" |
        env -u MAKEFLAGS -u MFLAGS make -s -C "$top_builddir" -f Makefile -f - print
}
prefix=$(makevar prefix)
for v in sbindir bindir pkgdatadir mandir cnidir bashcompdir \
         systemdsystemunitdir; do
    printf -v "$v" '%s' "$(makevar "$v")"
done

echo "== make install DESTDIR=$T/root (prefix $prefix)"
if ! env -u MAKEFLAGS -u MFLAGS make -s -C "$top_builddir" install \
        DESTDIR="$T/root" >"$T/install.log" 2>&1; then
    cat "$T/install.log"
    echo "FAIL: make install"
    exit 1
fi
R=$T/root

# ---- Layout. ----
for f in "$sbindir/xsw-dbserver" "$sbindir/xsw-switchd" "$bindir/xsw-ctl" \
         "$bindir/xsw-dbtool" "$cnidir/xsw-cni"; do
    [ -x "$R$f" ] && ok "$f" || fail "$f is not installed (or not executable)"
done
for f in "$pkgdatadir/vswitch.ovsschema" "$bashcompdir/xsw-ctl.bash" \
         "$systemdsystemunitdir/xsw-dbserver.service" \
         "$systemdsystemunitdir/xsw-switchd.service"; do
    [ -f "$R$f" ] && ok "$f" || fail "$f is not installed"
done
pages=()
for p in xsw-dbserver xsw-switchd xsw-ctl xsw-dbtool xsw-cni; do
    f=$mandir/man8/$p.8
    pages+=("$R$f")
    [ -f "$R$f" ] && ok "$f" || fail "$f is not installed"
done

# ---- Manual pages: rendered without a warning. ----
for page in "${pages[@]}"; do
    [ -f "$page" ] || continue
    out=$(MANWIDTH=80 man --warnings -l "$page" 2>"$T/man.err")
    if [ -s "$T/man.err" ]; then
        fail "man ${page##*/}: $(head -n 3 "$T/man.err")"
    elif ! grep -q '^NAME' <<<"$out" || ! grep -q "^SEE ALSO" <<<"$out"; then
        fail "man ${page##*/} rendered no NAME or SEE ALSO section"
    else
        ok "man ${page##*/}: $(wc -l <<<"$out") lines, no warning"
    fi
done

# ---- The units: checked by systemd, then run as systemd would. ----
# The units name the installed programs ($prefix/...); here they are under
# $R$prefix, so a copy with those paths is what systemd-analyze checks
# (it checks that every command exists and that the Documentation= pages
# open with man).
mkdir -p "$T/units"
for u in xsw-dbserver xsw-switchd; do
    sed "s|$prefix/|$R$prefix/|g" "$R$systemdsystemunitdir/$u.service" \
        >"$T/units/$u.service"
done
if ! command -v systemd-analyze >/dev/null; then
    fail "systemd-analyze is missing (the systemd package)"
elif MANPATH=$R$mandir systemd-analyze verify "$T/units/xsw-dbserver.service" \
        "$T/units/xsw-switchd.service" >"$T/verify.out" 2>&1; then
    ok "systemd-analyze verify: both units"
else
    fail "systemd-analyze verify: $(cat "$T/verify.out")"
fi
grep -q '^Requires=xsw-dbserver.service' "$T/units/xsw-switchd.service" &&
grep -q '^After=xsw-dbserver.service' "$T/units/xsw-switchd.service" ||
    fail "xsw-switchd.service is not ordered after xsw-dbserver.service"

# unit_cmd UNIT KEY: the unit's KEY= command line (continuations joined,
# "$$" unescaped as systemd does), with the installed paths.
unit_cmd() {
    sed -e ':a' -e '/\\$/{N;s/\\\n//;ba' -e '}' "$T/units/$1.service" |
        sed -n "s/^$2=//p" | sed 's/\$\$/$/g'
}

export XSW_RUNDIR=$T/run XSW_DBDIR=$T/lib XSW_LOGDIR=$T/log
export NOTIFY_SOCKET=$T/notify
DB=$XSW_DBDIR/conf.db
CTL=("$R$bindir/xsw-ctl" --db="unix:$XSW_RUNDIR/db.sock" --timeout=20)
DBTOOL=$R$bindir/xsw-dbtool
SCHEMA=$R$pkgdatadir/vswitch.ovsschema

# start UNIT: runs the unit's ExecStartPre and ExecStart lines, and waits
# for the daemon's READY=1 on $NOTIFY_SOCKET, as a Type=notify unit does.
start() {
    local pre cmd listener
    pkg_await_ready "$NOTIFY_SOCKET"
    pre=$(unit_cmd "$1" ExecStartPre)
    if [ -n "$pre" ] && ! eval "$pre"; then
        fail "$1: ExecStartPre failed: $pre"
    fi
    cmd=$(unit_cmd "$1" ExecStart)
    eval "exec $cmd" 2>"$T/$1.stderr" &
    pids+=($!)
    wait "$listener"
    if grep -qx 'READY=1' "$T/notified"; then
        ok "$1 started by its unit's command line, and said READY=1"
    else
        fail "$1: $(cat "$T/notified") ($cmd; stderr: $(cat "$T/$1.stderr"))"
        kill "${pids[-1]}" 2>/dev/null && wait "${pids[-1]}"
        unset 'pids[-1]'
        return 1
    fi
}

if start xsw-dbserver; then
    # READY=1 came once the socket accepts: no retry here.
    "${CTL[@]}" --no-wait add-br xtbr0 ||
        fail "xsw-ctl could not reach the installed xsw-dbserver"
    # The database the server created is of the installed schema.
    cksum=$("$DBTOOL" db-cksum "$DB")
    [ "$cksum" = "$("$DBTOOL" schema-cksum "$SCHEMA")" ] &&
        ok "the server's database has the installed schema ($cksum)" ||
        fail "db-cksum $cksum differs from the installed schema's"

    # ---- Bash completion, loaded the way bash-completion loads it. ----
    comp() {
        XDG_DATA_DIRS=$R${bashcompdir%/bash-completion/completions} \
        PATH=$R$bindir:$PATH XSW_DB=unix:$XSW_RUNDIR/db.sock \
            bash -c '. /usr/share/bash-completion/bash_completion
                     __load_completion xsw-ctl || exit 1
                     COMP_WORDS=("$@"); COMP_CWORD=$(($# - 1))
                     COMP_LINE="$*"; COMP_POINT=${#COMP_LINE}
                     _xsw_ctl xsw-ctl "${COMP_WORDS[-1]}" "${COMP_WORDS[-2]}"
                     echo "${COMPREPLY[*]}"' comp "$@" 2>&1
    }
    if [ ! -f /usr/share/bash-completion/bash_completion ]; then
        fail "bash-completion is not installed"
    else
        got=$(comp xsw-ctl add-b)
        [ "$got" = "add-br add-bond" ] && ok "completion: add-b -> $got" ||
            fail "completion of 'xsw-ctl add-b': '$got'"
        got=$(comp xsw-ctl "--db=unix:$XSW_RUNDIR/db.sock" del-br xtb)
        [ "$got" = "xtbr0" ] && ok "completion: del-br xtb -> $got" ||
            fail "completion of 'xsw-ctl del-br xtb': '$got'"
    fi
    "${CTL[@]}" --no-wait del-br xtbr0

    # ---- xsw-switchd, after the server, as the units order them. ----
    if [ "$(id -u)" = 0 ]; then
        if start xsw-switchd; then
            # init waits until xsw-switchd has applied the configuration.
            "${CTL[@]}" init && ok "xsw-switchd applied the configuration" ||
                fail "xsw-ctl init: xsw-switchd did not apply it"
        fi
    else
        echo "(not root: xsw-switchd is not started)"
    fi

    # ---- logrotate: the daemons reopen their files. ----
    sed -e "s|/var/log/xsw|$XSW_LOGDIR|g" -e "s|/var/run/xsw|$XSW_RUNDIR|g" \
        "$top_srcdir/debian/xsw.logrotate" >"$T/logrotate.conf"
    if ! command -v logrotate >/dev/null; then
        fail "logrotate is not installed"
    elif logrotate -f -s "$T/logrotate.state" "$T/logrotate.conf" \
            >"$T/logrotate.out" 2>&1; then
        logs=(xsw-dbserver)
        [ "$(id -u)" = 0 ] && logs+=(xsw-switchd)
        for d in "${logs[@]}"; do
            f=$XSW_LOGDIR/$d.log
            for _ in $(seq 50); do
                grep -qs 'opened log file' "$f" && break
                sleep 0.1
            done
            [ -f "$f.1" ] && grep -qs 'opened log file' "$f" &&
                ok "logrotate: $d.log rotated and reopened" ||
                fail "logrotate: $d did not reopen $f ($(ls "$XSW_LOGDIR" | tr '\n' ' '))"
        done
    else
        fail "logrotate: $(cat "$T/logrotate.out")"
    fi

    # Stop both (SIGTERM, as systemd does).
    for pid in "${pids[@]}"; do kill "$pid"; wait "$pid"; done
    pids=()
fi

# ---- An older database is converted by the unit before the server
# starts, as after a package upgrade. ----
rm -f "$DB" "$DB"-*
python3 - "$SCHEMA" "$T/old.ovsschema" <<'EOF'
import json, sys
s = json.load(open(sys.argv[1]))
s["version"] = "8.0.0"
del s["tables"]["Bridge"]["columns"]["datapath_version"]
json.dump(s, open(sys.argv[2], "w"))
EOF
"$DBTOOL" create "$DB" "$T/old.ovsschema" || fail "xsw-dbtool create"
[ "$("$DBTOOL" needs-conversion "$DB" "$SCHEMA")" = yes ] ||
    fail "needs-conversion does not see the old schema"
if start xsw-dbserver; then
    v=$("$DBTOOL" db-version "$DB")
    [ "$v" = "$("$DBTOOL" schema-version "$SCHEMA")" ] &&
        ok "ExecStartPre converted the old database (now $v)" ||
        fail "the database is still of version $v"
fi

pkg_finish
