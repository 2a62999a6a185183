#!/bin/sh
# fuzz.sh - builds the libFuzzer targets of tests/fuzz/ and runs each for
# FUZZ_SECONDS seconds (`make fuzz FUZZ_SECONDS=N`; .ci/run runs it briefly).
#
#   FUZZ_SECONDS   seconds per target (default 20; 0 builds the targets only)
#   FUZZ_TARGETS   the targets to run, space-separated (default: all)
#   FUZZ_JOBS      targets run at once (default: 2, or 1 on one core)
#   FUZZ_BUILD     build folder (default build/fuzz; must be on disk)
#   CLANG          the compiler (default clang)
#
# Every target is linked with -fsanitize=fuzzer,address,undefined from the
# project's own sim/*.c and models/*.c (minus models/main.c).  Each run is
# capped in memory (-rss_limit_mb, -malloc_limit_mb) and time per input, and
# writes its corpus and log under the build folder: the log keeps only its
# last LOG_MAX bytes, so a chatty fuzzer cannot fill the disk (one once grew
# a 25 GB log on a RAM-backed /tmp).  One line per target is printed.  A
# crash, leak, timeout or out-of-memory input is copied to
# tests/fixtures/fuzz-crashes/TARGET-HASH (tests/test_fuzz_regress.sh
# replays it through `patrolsim validate`), the sanitizer report is printed,
# and the script exits 1.
set -eu
cd "$(dirname "$0")/.."
ROOT=$(pwd)
SECONDS_PER=${FUZZ_SECONDS:-20}
CLANG=${CLANG:-clang}
B=${FUZZ_BUILD:-build/fuzz}
LOG_MAX=200000
# The Makefile passes its own package list, so the two never drift apart.
PKGS=${PKGS:-"gsl inih jansson nettle sqlite3"}
CRASHES=tests/fixtures/fuzz-crashes
ALL="ini grids facilities units incident_types run_cards shifts rosters service_times replay geojson csvr"
TARGETS=${FUZZ_TARGETS:-$ALL}
if [ -n "${FUZZ_JOBS:-}" ]; then JOBS=$FUZZ_JOBS
elif [ "$(nproc 2>/dev/null || echo 1)" -ge 2 ]; then JOBS=2
else JOBS=1
fi

case $SECONDS_PER in ''|*[!0-9]*) echo "fuzz: FUZZ_SECONDS must be a whole number of seconds, got '$SECONDS_PER'" >&2; exit 2;; esac
for t in $TARGETS; do
    [ -f "tests/fuzz/fuzz_$t.c" ] || { echo "fuzz: no target '$t' (tests/fuzz/fuzz_$t.c); targets: $ALL" >&2; exit 2; }
done
command -v "$CLANG" >/dev/null 2>&1 || {
    echo "fuzz: $CLANG not found; on Debian: apt-get install clang libclang-rt-dev (or the libclang-rt-NN-dev of your clang)" >&2; exit 2; }

mkdir -p "$B/obj" "$B/bin" "$B/work"
# The libFuzzer runtime is a separate Debian package from clang itself.
echo 'int LLVMFuzzerTestOneInput(const char *d, unsigned long n) { (void)d; return (int)n * 0; }' >"$B/probe.c"
"$CLANG" -fsanitize=fuzzer "$B/probe.c" -o "$B/probe" 2>/dev/null || {
    echo "fuzz: $CLANG cannot link -fsanitize=fuzzer; on Debian: apt-get install libclang-rt-dev (or libclang-rt-NN-dev for clang-NN)" >&2; exit 2; }
# Corpora and logs must not land in RAM (tmpfs/ramfs): refuse rather than
# risk starving the machine.
fstype=$(stat -f -c %T "$B" 2>/dev/null || echo unknown)
case $fstype in tmpfs|ramfs)
    echo "fuzz: $B is on $fstype (RAM); set FUZZ_BUILD to a folder on disk" >&2; exit 2;;
esac

# ---- build -------------------------------------------------------------------
# -Werror: clang sees things gcc does not (it found an unsequenced nv++ in
# pcharts.c), and this build is the project's only clang build.
CFLAGS="-std=c11 -D_POSIX_C_SOURCE=200809L -Iinclude $(pkg-config --cflags $PKGS) -g -O1 \
 -fno-omit-frame-pointer -fno-sanitize-recover=all -Wall -Wextra -Werror"
LIBS="$(pkg-config --libs $PKGS) -lcsv -lm -lpthread"
SAN=address,undefined
SRC="$(ls sim/*.c) $(ls models/*.c | grep -v '^models/main\.c$') tests/fuzz/fuzz_common.c"

# An object is rebuilt when its source or any header is newer (coarse but
# safe: headers are few and the build takes seconds on two cores).
newest_h=$(ls -t include/*.h models/*.h tests/fuzz/*.h 2>/dev/null | head -n 1)
echo "fuzz: building with $($CLANG --version | head -n 1)"
for s in $SRC; do
    o="$B/obj/$(echo "$s" | tr / _).o"
    if [ ! -f "$o" ] || [ "$s" -nt "$o" ] || [ "$newest_h" -nt "$o" ]; then echo "$s $o"; fi
done | xargs -r -n 2 -P "$JOBS" sh -c \
    "$CLANG $CFLAGS -DFUZZ_REPO_DEFAULT='\"$ROOT\"' -fsanitize=fuzzer-no-link,$SAN -c \"\$0\" -o \"\$1\" || exit 255"
# Objects of sources that no longer exist (e.g. after a file is split) must not be linked.
OBJ=""
for s in $SRC; do OBJ="$OBJ $B/obj/$(echo "$s" | tr / _).o"; done
for t in $TARGETS; do
    $CLANG $CFLAGS -fsanitize=fuzzer,$SAN "tests/fuzz/fuzz_$t.c" $OBJ $LIBS -o "$B/bin/fuzz_$t"
done

# ---- run ---------------------------------------------------------------------
# (-max_total_time=0 would mean no limit.)
[ "$SECONDS_PER" -gt 0 ] || { echo "fuzz: built $B/bin/fuzz_*"; exit 0; }
# max_len: twice the largest seed, at least 4 KiB (room to grow, but inputs
# stay small enough for thousands of executions a second).
max_len() {
    m=$(find "tests/fuzz/corpus/$1" -type f -exec wc -c {} + 2>/dev/null | awk '$2 != "total" && $1 > m { m = $1 } END { print m + 0 }')
    m=$((m * 2)); [ "$m" -ge 4096 ] || m=4096
    echo "$m"
}

run_one() {
    t=$1; w="$ROOT/$B/work/$t"
    mkdir -p "$w/corpus" "$w/artifacts" "$w/tmp"
    rm -f "$w/artifacts"/* "$w/rc"
    rm -rf "$w/tmp"/*
    [ -d "tests/fuzz/corpus/$t" ] && cp -p "tests/fuzz/corpus/$t"/* "$w/corpus/" 2>/dev/null || true
    # stdin from /dev/null: a fuzzed path naming /dev/stdin must not block.
    # (set -e would end the group before the status is written.)
    { frc=0; FUZZ_WORK="$w/tmp" TMPDIR="$w/tmp" ASAN_OPTIONS="detect_leaks=1:abort_on_error=0" \
        UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1" \
        "$B/bin/fuzz_$t" -max_total_time="$SECONDS_PER" -rss_limit_mb=2048 -malloc_limit_mb=2048 \
        -timeout=25 -max_len="$(max_len "$t")" -close_fd_mask=3 -print_final_stats=1 \
        -artifact_prefix="$w/artifacts/" "$w/corpus" </dev/null 2>&1 || frc=$?; echo "$frc" >"$w/rc"; } \
        | tail -c "$LOG_MAX" >"$w/log"
    rc=$(cat "$w/rc")
    execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$w/log" | tail -n 1)
    speed=$(sed -n 's/^stat::average_exec_per_sec: *//p' "$w/log" | tail -n 1)
    cov=$(grep -Eo 'cov: [0-9]+ ft: [0-9]+ corp: [0-9]+' "$w/log" | tail -n 1)
    n=0
    for a in "$w/artifacts"/*; do
        [ -f "$a" ] || continue
        n=$((n + 1))
        kind=${a##*/}; kind=${kind%%-*}
        dest="$CRASHES/$t-$(sha1sum "$a" | cut -c1-16)"
        mkdir -p "$CRASHES"; cp "$a" "$dest"
        echo "fuzz $t: $kind input saved as $dest ($(wc -c <"$a") bytes); the report:"
        grep -E '^(==|SUMMARY|    #[0-9]|[^ ]+:[0-9]+:[0-9]+: runtime error|fuzz:)' "$w/log" | grep -v 'in fuzzer::' | head -n 30 | sed 's/^/    /'
        echo "    the input (first 400 bytes, escaped):"
        head -c 400 "$a" | od -c | head -n 25 | sed 's/^/    /'
    done
    if [ "$rc" -ne 0 ] || [ "$n" -gt 0 ]; then
        [ "$n" -gt 0 ] || { echo "fuzz $t: exit $rc without a saved input; the end of $w/log:"; tail -n 30 "$w/log" | sed 's/^/    /'; }
        echo "fuzz $t: FAILED after ${execs:-?} executions"
        return 1
    fi
    echo "fuzz $t: ok, ${execs:-?} executions in ${SECONDS_PER} s (${speed:-?}/s), $cov"
}

status=0
set -- $TARGETS
while [ $# -gt 0 ]; do
    pids=""; batch=""
    i=0
    while [ $# -gt 0 ] && [ "$i" -lt "$JOBS" ]; do
        run_one "$1" >"$B/work/$1.out" 2>&1 &
        pids="$pids $!"; batch="$batch $1"; i=$((i + 1)); shift
    done
    for p in $pids; do wait "$p" || status=1; done
    for t in $batch; do cat "$B/work/$t.out"; done
done
exit $status
