#!/bin/sh
# `patrolsim calibrate` from the command line, and the SLO held-out
# variant when ../shared/data is beside the repository: the committed
# tables of scenarios/slo-replay/holdout are exactly what the recorded
# calibrate command writes (so nothing in them was set by hand), the
# held-out replay runs as it is and writes observed_vs_simulated.csv, and
# its overall figures stay inside the targets.  The recovery of
# known parameters, bad input and the comparison's statistics are in
# tests/test_calibrate.c.
. tests/lib.sh

expect_exit 0 "calibrate --help" "$P" calibrate --help
check "calibrate --help names --train" grep -q -- "--train FROM..TO" "$T/out"
expect_exit 2 "calibrate without --train" "$P" calibrate scenarios/slo-replay --out "$T/x"
check "... says what is expected" grep -q "expected SCENARIO, --train FROM..TO and --out DIR" "$T/err"
expect_exit 2 "calibrate --quiet-calls -1" "$P" calibrate scenarios/slo-replay --train \
    2021-09-14..2021-12-14 --out "$T/x" --quiet-calls -1
check "... names the value" grep -q "got '-1'" "$T/err"
expect_exit 2 "calibrate a scenario that does not replay" "$P" calibrate scenarios/demo \
    --train 2024-01-01..2024-01-31 --out "$T/x"
check "... says it needs a replay" grep -q "calibrate needs a replay" "$T/err"

SLO=../shared/data/slo-pd-calllog-2021-22/slo_pd_calls_2021-09-14_2022-03-15.csv
H=scenarios/slo-replay/holdout
if [ -f "$SLO" ]; then
    # The command recorded in the holdout README.
    expect_exit 0 "calibrate slo-replay on the training window" "$P" calibrate \
        scenarios/slo-replay --train 2021-09-14..2021-12-14 --exclude-units COM --out "$T/cal"
    for f in call_processing.csv strength.csv shifts.csv turnout.csv units_per_call.csv \
             workload.csv calibration.md; do
        check "holdout/$f is calibrate's output" cmp -s "$T/cal/$f" "$H/$f"
    done
    expect_exit 0 "run the held-out variant as it is" "$P" run "$H" --reps 2 --out "$T/ho"
    check "observed_vs_simulated.csv header" sh -c "head -1 '$T/ho/observed_vs_simulated.csv' | grep -qx 'interval,group,statistic,observed,simulated,ci95_low,ci95_high,rel_error'"
    check "the table on stdout" grep -q "observed vs simulated, the same calls" "$T/out"
    # rel IV STAT LIMIT: |rel_error| of the overall row within LIMIT.
    rel() {
        awk -F, -v i="$1" -v s="$2" -v l="$3" '$1 == i && $2 == "all" && $3 == s {
            found = 1; r = $8 < 0 ? -$8 : $8; exit !(r <= l) } END { if (!found) exit 1 }' \
            "$T/ho/observed_vs_simulated.csv"
    }
    check "held out: received -> arrived median within 15%" rel received_arrived median 0.15
    check "held out: received -> arrived p90 within 15%" rel received_arrived p90 0.15
    check "held out: received -> dispatched median within 25%" rel received_dispatched median 0.25
    check "held out: dispatched -> arrived median within 25%" rel dispatched_arrived median 0.25
    check "held out: every hour band has a row" sh -c "grep -c '^received_arrived,hour:.*,median,' '$T/ho/observed_vs_simulated.csv' | grep -qx 7"
    # The ablation switches each mechanism off: every row differs from the
    # full model in at least one figure, and all off is the bare replay.
    expect_exit 0 "ablation.sh" env PATROLSIM="$P" sh scenarios/slo-replay/ablation.sh "$H" "$T/abl"
    check "ablation: 10 table rows" sh -c "grep -c '^| ' '$T/out' | grep -qx 10"
    full=$(grep '^| nothing' "$T/out" | cut -d'|' -f3-7)
    for m in call_processing strength briefing workload turnout units_per_call; do
        row=$(grep "^| $m |" "$T/out" | cut -d'|' -f3-7)
        check "ablation: switching $m off changes the figures" test -n "$row" -a "$row" != "$full"
    done
else
    ok "SLO calibration and held-out replay skipped: ../shared/data is absent"
fi
finish
