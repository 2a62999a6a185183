#!/bin/sh
# ablation.sh - how much of the observed-vs-simulated gap each fitted
# mechanism of the held-out replay accounts for.
#
#   scenarios/slo-replay/ablation.sh [SCENARIO] [OUTDIR]
#
# Runs SCENARIO (default: scenarios/slo-replay/holdout) as it is, then once
# with each mechanism switched off (its table key set empty, or for the
# briefing the shifts without briefing_min), then with all of them off, and
# prints a markdown table of the received -> arrived median and p90 and the
# two parts' medians, each against the log, for field calls of the window
# (observed_vs_simulated.csv, group `all`).  "share of gap" is what
# switching the mechanism off loses, over the gap between the log and the
# all-off model: (full - off) / (observed - none), on the median of
# received -> arrived; the shares need not add up (the mechanisms
# interact: queueing grows faster than linearly with busy time), and what
# the full model leaves, (observed - full) / (observed - none), is the
# unexplained part.  Same seed everywhere, so the runs differ only by
# the mechanism (common random numbers).
#
# Needs bin/patrolsim (make) and the log in ../shared/data.  Run from the
# repository root.
set -eu
SCN=${1:-scenarios/slo-replay/holdout}
OUT=${2:-results/ablation}
BIN=${PATROLSIM:-bin/patrolsim}
mkdir -p "$OUT"

# name | overrides (space-separated --set values; empty: none)
# The briefing override keeps the shift times and drops briefing_min.
MECHS="full|
call_processing|tables.call_processing=
strength|tables.strength=
briefing|tables.shifts=../shifts.csv
workload|tables.workload=
turnout|tables.turnout=
units_per_call|tables.units_per_call=
none|tables.call_processing= tables.strength= tables.shifts=../shifts.csv tables.workload= tables.turnout= tables.units_per_call="

run() {
    name=$1
    shift
    set --
    for kv in $OVR; do
        set -- "$@" --set "$kv"
    done
    rm -rf "$OUT/$name"
    "$BIN" run "$SCN" --out "$OUT/$name" "$@" > "$OUT/$name.txt" 2> "$OUT/$name.err" || {
        echo "ablation.sh: $name failed:" >&2
        cat "$OUT/$name.err" >&2
        exit 1
    }
}

# value INTERVAL STAT COLUMN of the `all` row (4 observed, 5 simulated)
value() {
    awk -F, -v i="$2" -v s="$3" -v c="$4" \
        '$1 == i && $2 == "all" && $3 == s { printf "%.2f", $c }' "$OUT/$1/observed_vs_simulated.csv"
}

echo "$MECHS" | while IFS='|' read -r name OVR; do
    run "$name"
done

full=$(value full received_arrived median 5)
none=$(value none received_arrived median 5)
obs=$(value full received_arrived median 4)
fullm=$(value full received_arrived mean 5)
nonem=$(value none received_arrived mean 5)
obsm=$(value full received_arrived mean 4)
printf '| switched off | received -> arrived median | mean | p90 | received -> dispatched median | dispatched -> arrived median | share of gap (median) | share of gap (mean) |\n'
printf '|---|---|---|---|---|---|---|---|\n'
printf '| (log, observed) | %s | %s | %s | %s | %s | | |\n' \
    "$(value full received_arrived median 4)" "$(value full received_arrived mean 4)" \
    "$(value full received_arrived p90 4)" \
    "$(value full received_dispatched median 4)" "$(value full dispatched_arrived median 4)"
echo "$MECHS" | while IFS='|' read -r name OVR; do
    m=$(value "$name" received_arrived median 5)
    mm=$(value "$name" received_arrived mean 5)
    share=$(awk -v f="$full" -v n="$none" -v o="$obs" -v m="$m" \
        'BEGIN { if (o == n) print "-"; else printf "%.0f%%", 100 * (f - m) / (o - n) }')
    sharem=$(awk -v f="$fullm" -v n="$nonem" -v o="$obsm" -v m="$mm" \
        'BEGIN { if (o == n) print "-"; else printf "%.0f%%", 100 * (f - m) / (o - n) }')
    label=$name
    if [ "$name" = full ]; then
        label="nothing (full model)"
        share=$(awk -v f="$full" -v n="$none" -v o="$obs" \
            'BEGIN { printf "unexplained %.0f%%", 100 * (o - f) / (o - n) }')
        sharem=$(awk -v f="$fullm" -v n="$nonem" -v o="$obsm" \
            'BEGIN { printf "unexplained %.0f%%", 100 * (o - f) / (o - n) }')
    fi
    [ "$name" = none ] && label="all six"
    printf '| %s | %s | %s | %s | %s | %s | %s | %s |\n' "$label" "$m" "$mm" \
        "$(value "$name" received_arrived p90 5)" \
        "$(value "$name" received_dispatched median 5)" \
        "$(value "$name" dispatched_arrived median 5)" "$share" "$sharem"
done
