#!/bin/sh
# make bench: the reference benchmark (shared/bench/SPEC.md), then the replay
# parse speed at two file lengths.
# Usage: bench.sh [S] [DAYS]; with no S runs S=8 for 365 days and S=64 for 30,
# then the replay blocks.
set -eu
BIN=${BIN:-bin}
one() {
    S=$1; DAYS=$2
    dir=$(mktemp -d)
    sh scenarios/bench-city/generate.sh "$S" "$dir" "$DAYS"
    echo "== bench-city S=$S days=$DAYS"
    "$BIN/patrolsim" bench "$dir"
    rm -rf "$dir"
}
# Replay parse speed: a bench-city stream written by `patrolsim gen` (xy in
# km, so each row is also located in its grid) and read back by the replay
# source alone, at two lengths, to show memory does not grow with the file.
replay() {
    ROWS=$1
    dir=$(mktemp -d)
    sh scenarios/bench-city/generate.sh 8 "$dir" 365 >/dev/null
    days=$(awk "BEGIN { print $ROWS / 1024 }")
    "$BIN/patrolsim" gen "$dir" --days "$days" --out "$dir/calls.csv" >"$dir/gen.txt"
    sed -e '/^\[incidents\]/,$d' "$dir/scenario.ini" >"$dir/replay.ini"
    sed -n '/^\[incidents\]/,$p' "$dir/gen.txt" | sed "s|^file = .*|file = calls.csv|" >>"$dir/replay.ini"
    mv "$dir/replay.ini" "$dir/scenario.ini"
    echo "== replay parse rows=$(($(wc -l <"$dir/calls.csv") - 1)) file_mb=$(($(wc -c <"$dir/calls.csv") / 1048576))"
    "$BIN/patrolsim" bench "$dir" --parse-only --set run.horizon_days="$days" 2>/dev/null
    rm -rf "$dir"
}
if [ -n "${1:-}" ]; then
    one "$1" "${2:-365}"
else
    one 8 365
    one 64 30
    replay 1000000
    replay 4000000
fi
