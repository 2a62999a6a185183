#!/bin/sh
# test_plain.sh - arrive's plain copy (models/ops.c arrive_in), compiled
# without the tests of the features a scenario does not use, gives what the
# general copy does: every output file the same byte for byte with the
# plain path taken and with it forced off (PATROLSIM_PLAIN=off), on
# scenarios that take it; and scenarios with such a feature do not take it.
# Also that folding the breakdown rows' packed counts changes no output.
. "$(dirname "$0")/lib.sh"

plain_of() {    # the plain_path line of bench on scenario $1
    "$P" bench "$@" 2>/dev/null | sed -n 's/^plain_path: //p'
}

# The plain path where the scenario takes it, and forced off.
plain_both_ways() { same_both_ways PATROLSIM_PLAIN "" off "$@"; }

check "bench-city takes the plain path" [ "$(plain_of scenarios/bench-city --days 2)" = yes ]
plain_both_ways "bench-city S=8" scenarios/bench-city --reps 2 --set run.horizon_days=20
# Overloaded, two calls in three queued: the plain copy's dispatch from the
# queue (back_to_queue_plain) too.  (At 1.35 times the rate none queues.)
plain_both_ways "bench-city S=8 overloaded" scenarios/bench-city --reps 2 \
    --set run.horizon_days=5 --set incidents.rate_per_day=*1.4
check "... and most calls queued" \
    awk -F, '$1 == "all" && $2 == "queued_share" && $4 + 0 > 0.5 { f = 1 } END { exit !f }' \
    "$T/a/summary.csv"
sh scenarios/bench-city/generate.sh 64 "$T/s64" 0.05 >/dev/null
check "bench-city S=64 takes the plain path" [ "$(plain_of "$T/s64")" = yes ]
# Rosters: two units in three on 12-hour shifts, at a load where calls
# queue, so that units coming on shift take a queued call before they are
# back in the nearest-idle index (an older build crashed on this, on both
# paths) and units whose shift has ended go off when back at base.
mkdir -p "$T/rost"
cp scenarios/bench-city/*.csv scenarios/bench-city/scenario.ini "$T/rost/"
printf 'code,start_h,hours\nD,8,12\nN,20,12\n' >"$T/rost/shifts.csv"
printf 'id,pattern\nRD,D N\nRN,N D\n' >"$T/rost/rosters.csv"
awk -F, 'NR == 1 { print $0 ",roster"; next }
         { print $0 "," (NR % 3 == 0 ? "RD" : NR % 3 == 1 ? "RN" : "") }' \
    scenarios/bench-city/units.csv >"$T/rost/units.csv"
check "bench-city with rosters takes the plain path" \
    [ "$(plain_of "$T/rost" --days 2)" = yes ]
plain_both_ways "bench-city with rosters, calls queued at shift starts" "$T/rost" --reps 2 \
    --set run.horizon_days=20 --set incidents.rate_per_day=*0.8
check "... and some calls queued" \
    awk -F, '$1 == "all" && $2 == "queued_share" && $4 + 0 > 0.01 { f = 1 } END { exit !f }' \
    "$T/a/summary.csv"

export PATROLSIM_PREFETCH=on        # the plain copy with the stream read ahead
plain_both_ways "bench-city S=64 (prefetching)" "$T/s64" --reps 2
unset PATROLSIM_PREFETCH
check "PATROLSIM_PLAIN=off turns it off" \
    [ "$(PATROLSIM_PLAIN=off plain_of scenarios/bench-city --days 2)" = no ]
# Each of these has a feature the plain copy leaves out.
check "the demo (several types and priorities) does not" \
    [ "$(plain_of scenarios/demo --days 2)" = no ]
check "a replay (observed timings to compare) does not" \
    [ "$(plain_of scenarios/slo-replay --days 2)" = no ]
check "bench-city with a warm-up does not" \
    [ "$(plain_of scenarios/bench-city --days 2 --set run.warmup_days=1)" = no ]

# The grid, hour and type rows keep their counts in 12-bit fields, folded
# into 64-bit totals at 4,095 calls (models/ops.c tally_grid, fold_small):
# folding every few calls gives the same files, on the plain path and on
# the general one (the demo: several types, handovers, a resolved count
# added at completion).  (bench-city's own year, about 5,800 calls a grid,
# folds each grid's row once.)
same_both_ways PATROLSIM_TALLY_FOLD "" 7 "grid rows folded every 7 calls, plain path" \
    scenarios/bench-city --reps 2 --set run.horizon_days=10
same_both_ways PATROLSIM_TALLY_FOLD "" 3 "grid rows folded every 3 calls, general path" \
    scenarios/demo --reps 2 --set run.horizon_days=10
expect_exit 1 "PATROLSIM_TALLY_FOLD with a bad value is refused" \
    env PATROLSIM_TALLY_FOLD=0 "$P" run scenarios/bench-city --reps 1 --quiet --out "$T/bad"
check "... naming the value and what is expected" \
    grep -q "PATROLSIM_TALLY_FOLD=0: expected calls between folds, 1 to 4095" "$T/err"
expect_exit 1 "PATROLSIM_TALLY_FOLD past a 12-bit field is refused" \
    env PATROLSIM_TALLY_FOLD=4096 "$P" run scenarios/bench-city --reps 1 --quiet --out "$T/bad"

expect_exit 1 "PATROLSIM_PLAIN with a bad value is refused" \
    env PATROLSIM_PLAIN=on "$P" run scenarios/bench-city --reps 1 --quiet --out "$T/bad"
check "... naming the value and what is expected" \
    grep -q "PATROLSIM_PLAIN=on: expected off" "$T/err"
check "... leaving no output folder" test ! -e "$T/bad"

finish
