#!/bin/sh
# test_fuzz_regress.sh - every input the fuzzers ever crashed on
# (tests/fixtures/fuzz-crashes/TARGET-HASH, saved by tools/fuzz.sh) is put
# back into the scenario folder of its target (tests/fuzz/targets.txt) and
# must be answered by `patrolsim validate` with exit 0 (valid) or 2 (refused
# with a message), never a signal or another status.  Without any saved
# crash, the fuzzers' seed corpora are checked the same way, so the test
# always replays something.  Under `make asan` it runs the sanitized binary.
cd "$(dirname "$0")/.." || exit 1
. tests/lib.sh

CRASHES=tests/fixtures/fuzz-crashes
MANIFEST=tests/fuzz/targets.txt

# build_scn TARGET INPUT DIR: DIR/s is the target's scenario with INPUT as
# its fuzzed file.  The CSV reader's own target (csvr) has no scenario: its
# inputs are replayed as grids.csv, the first table every scenario reads.
build_scn() {
    b_t=$1; b_in=$2; b_dir=$3
    [ "$b_t" = csvr ] && b_t=grids
    b_line=$(grep "^$b_t " "$MANIFEST") || return 1
    set -- $b_line
    b_fuzzed=$2; shift 2
    for spec in "$@"; do
        to=${spec%%=*}; from=${spec#*=}
        mkdir -p "$(dirname "$b_dir/$to")" && cp "$from" "$b_dir/$to" || return 1
    done
    mkdir -p "$b_dir/s" && cp "$b_in" "$b_dir/$b_fuzzed"
}

# replay TARGET INPUT: one check.
replay() {
    n=$((n + 1)); dir="$T/case$n"
    if ! build_scn "$1" "$2" "$dir" 2>"$T/err"; then
        bad "$2: cannot build the scenario of target '$1' from $MANIFEST: $(head -c 300 "$T/err")"; return
    fi
    if command -v timeout >/dev/null 2>&1; then
        timeout 120 "$P" validate "$dir/s" >"$T/out" 2>"$T/err"; rc=$?
    else
        "$P" validate "$dir/s" >"$T/out" 2>"$T/err"; rc=$?
    fi
    case $rc in
        0|2) ok "$2 (target $1): validate exits $rc" ;;
        124) bad "$2 (target $1): validate ran over 120 s" ;;
        *)   bad "$2 (target $1): validate exit $rc (a signal if > 128); stderr: $(head -c 400 "$T/err")" ;;
    esac
    rm -rf "$dir"
}

n=0; found=0
for f in "$CRASHES"/*; do
    [ -f "$f" ] || continue
    name=${f##*/}; target=${name%-*}
    found=$((found + 1))
    replay "$target" "$f"
done
if [ "$found" -eq 0 ]; then
    for d in tests/fuzz/corpus/*/; do
        target=$(basename "$d")
        for f in "$d"*; do [ -f "$f" ] && replay "$target" "$f"; done
    done
fi
check "something was replayed ($n inputs)" [ "$n" -gt 0 ]
finish
