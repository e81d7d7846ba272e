#!/bin/sh
# run-fuzzers.sh: builds the libFuzzer harnesses with clang and runs each for
# a bounded time.  Any crash, sanitizer report, leak or hang fails the test.
#
#   tests/fuzz/run-fuzzers.sh [HARNESS...]      (default: all of them)
#
# Environment:
#   XSW_FUZZ_SECONDS  seconds per harness (default 20; 0 only replays the
#                     corpora: every seed and regression input, no fuzzing)
#   CLANG             the compiler (default clang); the test is skipped (77)
#                     when it is missing, and fails when it cannot link a
#                     fuzzer (its runtime is not installed)
#   top_srcdir, top_builddir   set by `make check`
#
# Layout under $top_builddir/tests/fuzz/:
#   build/          objects and harness binaries (rebuilt when sources change)
#   corpus-work/H/  inputs the fuzzer found interesting; the checked-in seeds
#                   in $top_srcdir/tests/fuzz/corpus/H/ are never written
#   crashes/H/      crash-*, leak-*, timeout-* inputs that failed: replay one
#                   with `build/fuzz-H crashes/H/crash-...`
#   logs/H.log      the fuzzer's output
#
# The seed corpora double as regression tests: a bug found by fuzzing gets
# its input checked in as corpus/H/regress-<what>, and since libFuzzer runs
# every corpus input before it starts mutating, it is replayed every time.

set -u

srcdir=${top_srcdir:-$(cd "$(dirname "$0")/../.." && pwd)}
builddir=${top_builddir:-$srcdir}
CLANG=${CLANG:-clang}
seconds=${XSW_FUZZ_SECONDS:-20}
out=$builddir/tests/fuzz
bld=$out/build

all_harnesses="jsonrpc schema transact datum packet ctl"
harnesses=${*:-$all_harnesses}

# The largest input each harness takes, in bytes: a frame may be a 64 KiB
# GSO packet plus headers; JSON inputs stay small so that the fuzzer spends
# its time on structure, not on bulk.
max_len() {
    case $1 in
        packet) echo 66000 ;;
        jsonrpc) echo 8192 ;;
        ctl) echo 1024 ;;
        *) echo 4096 ;;
    esac
}

# The dictionary of tokens that each harness's input language uses.
dict_file() {
    case $1 in
        jsonrpc) echo json.dict ;;
        schema|transact) echo ovsdb.dict ;;
        datum) echo datum.dict ;;
        ctl) echo ctl.dict ;;
        *) echo none ;;
    esac
}

# ---- Build. ----

if ! command -v "$CLANG" >/dev/null 2>&1; then
    echo "SKIP: $CLANG not found"
    exit 77
fi
for pkg in jansson libuv sqlite3; do
    if ! pkg-config --exists $pkg; then
        echo "SKIP: pkg-config cannot find $pkg"
        exit 77
    fi
done

mkdir -p "$bld" || exit 1
# clang without its runtime (Debian's libclang-rt-NN-dev) compiles but
# cannot link a fuzzer: say so rather than fail in the middle of the build.
printf 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n)\n{ return 0; }\n' \
    > "$bld/probe.c"
if ! $CLANG -fsanitize=fuzzer,address,undefined "$bld/probe.c" \
        -o "$bld/probe" >"$bld/probe.log" 2>&1; then
    echo "$CLANG cannot link -fsanitize=fuzzer (install libclang-rt-dev):"
    cat "$bld/probe.log"
    exit 1
fi

SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer $SAN -std=gnu11 -Wall -Wextra \
 -Werror -Wno-unused-parameter -Wno-missing-field-initializers \
 -I$builddir -I$srcdir/lib -I$srcdir/dbserver -I$srcdir/switchd \
 -I$srcdir/ctl \
 -DFUZZ_TEST_SCHEMA=\"$srcdir/tests/schemas/test.ovsschema\" \
 $(pkg-config --cflags jansson libuv sqlite3)"
LIBS="$(pkg-config --libs jansson libuv sqlite3) -lpthread"

# The library code the harnesses exercise, named one by one so that a
# module someone is still writing cannot break the fuzz build.  Not
# ctl/main.c: it has main() and needs a database; xsw-ctl's parser is in
# ctl/cmdline.c.  lib/vswitch-schema.c is generated in the build tree.
lib_sources="lib/ds.c lib/hash.c lib/hmap.c lib/shash.c lib/utf8.c lib/util.c
 lib/uuid.c lib/ovsdb-error.c lib/ovsdb-types.c lib/ovsdb-data.c
 lib/ovsdb-schema.c lib/ovsdb-condition.c lib/ovsdb-mutation.c
 lib/json-in.c lib/json-out.c lib/jsonrpc.c lib/jsonrpc-client.c lib/stream.c lib/vlog.c
 lib/unixctl.c lib/daemon.c lib/coverage.c lib/metrics.c
 lib/vswitch-schema.c
 dbserver/db.c dbserver/transact.c dbserver/storage.c
 switchd/packet.c switchd/flow.c switchd/csum.c switchd/gso.c
 ctl/cmdline.c ctl/table.c"

mkdir -p "$bld/obj" "$out/logs" || exit 1

# Rebuilds 'obj' from 'src' when either the source or any header it could
# include is newer.  Coarse, but there are few headers and no configure-time
# dependency tracking for clang here.
headers=$(for f in $lib_sources; do echo "${f%.c}.h"; done)
headers="$headers lib/list.h lib/util.h ctl/ctl.h"

# Where a source is: the source tree, or the build tree for a generated one.
src_path() {
    if [ -e "$srcdir/$1" ]; then
        echo "$srcdir/$1"
    else
        echo "$builddir/$1"
    fi
}

needs_build() {
    obj=$1; shift
    [ -e "$obj" ] || return 0
    for f in "$@"; do
        [ "$(src_path "$f")" -nt "$obj" ] && return 0
    done
    for h in $headers; do
        [ "$srcdir/$h" -nt "$obj" ] && return 0
    done
    return 1
}

objs=
for src in $lib_sources; do
    obj=$bld/obj/$(echo "$src" | tr / _ | sed 's/\.c$/.o/')
    objs="$objs $obj"
    if needs_build "$obj" "$src"; then
        echo "  CLANG    $src"
        # shellcheck disable=SC2086
        $CLANG $CFLAGS -fsanitize=fuzzer-no-link -c "$(src_path "$src")" \
            -o "$obj" || exit 1
    fi
done

# An archive, so that each harness links only the objects it needs.
lib=$bld/libxsw-fuzz.a
rebuild=false
for obj in $objs; do
    [ "$obj" -nt "$lib" ] && rebuild=true
done
if $rebuild || [ ! -e "$lib" ]; then
    rm -f "$lib"
    # shellcheck disable=SC2086
    ar rcs "$lib" $objs || exit 1
fi

for h in $harnesses; do
    src=tests/fuzz/fuzz-$h.c
    bin=$bld/fuzz-$h
    if [ ! -e "$srcdir/$src" ]; then
        echo "no harness $src" >&2
        exit 1
    fi
    if needs_build "$bin" "$src" || [ "$lib" -nt "$bin" ]; then
        echo "  CLANG    $src"
        # shellcheck disable=SC2086
        $CLANG $CFLAGS -fsanitize=fuzzer "$srcdir/$src" "$lib" $LIBS \
            -o "$bin" || exit 1
    fi
done

# ---- Run. ----

# libFuzzer's default exit code for a finding is 77, which automake would
# take for "skipped": every finding must fail the test instead.
ASAN_OPTIONS=detect_leaks=1
UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1
export ASAN_OPTIONS UBSAN_OPTIONS

failed=
for h in $harnesses; do
    seeds=$srcdir/tests/fuzz/corpus/$h
    work=$out/corpus-work/$h
    crashes=$out/crashes/$h
    log=$out/logs/$h.log
    dict=$srcdir/tests/fuzz/$(dict_file "$h")
    mkdir -p "$work" "$crashes"

    set -- -max_len="$(max_len "$h")" -timeout=5 -rss_limit_mb=2048 \
        -detect_leaks=1 -error_exitcode=1 -timeout_exitcode=1 \
        -print_final_stats=1 -artifact_prefix="$crashes/"
    [ -e "$dict" ] && set -- "$@" -dict="$dict"
    if [ "$seconds" -gt 0 ]; then
        set -- "$@" -max_total_time="$seconds" "$work" "$seeds"
    else
        # Replay only: -runs=0 loads (so runs) every corpus input, then
        # stops before mutating.
        set -- "$@" -runs=0 "$work" "$seeds"
    fi

    if "$bld/fuzz-$h" "$@" >"$log" 2>&1; then
        execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" \
                | tail -1)
        cov=$(grep -o 'cov: [0-9]*' "$log" | tail -1)
        echo "PASS: fuzz-$h: ${execs:-?} executions, ${cov:-cov: ?}" \
             "edges, $(ls "$work" | wc -l) inputs in corpus-work"
    else
        echo "FAIL: fuzz-$h: see $log; failing inputs are in $crashes/"
        grep -E 'ERROR:|runtime error|SUMMARY|Test unit written' "$log" \
            | head -10
        failed="$failed $h"
    fi
done

if [ -n "$failed" ]; then
    echo "failed harnesses:$failed"
    exit 1
fi
exit 0
