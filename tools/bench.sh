#!/bin/sh
# make bench: the reference benchmark (shared/bench/SPEC.md).
# Usage: bench.sh [S] [DAYS]; with no S runs S=8 for 365 days and S=64 for 30.
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
if [ -n "${1:-}" ]; then
    one "$1" "${2:-365}"
else
    one 8 365
    one 64 30
fi
