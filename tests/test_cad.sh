#!/bin/sh
# The CAD tables on the command line: the demo scenario with all five
# tables and a briefing column runs, writes the new metrics and trace
# columns, and gives the same results on the same seed; each table can be
# switched off with an empty [tables] key (the ablation form), and with all
# of them off the results are those of the scenario without the files.
. tests/lib.sh
has() { grep -qF -- "$2" "$1"; }
col() { awk -F, -v m="$2" '$1 == "all" && $2 == m { print $4 }' "$1/summary.csv"; }

D="$T/demo"
cp -r scenarios/demo "$D"
rm -f "$D/README.md"
cat >"$D/call_processing.csv" <<'EOF'
type,hour_from,hour_to,dist,mean_min,sd_min
*,22,6,lognormal,4.5,3
*,6,22,gamma,7.25,5
EOF
cat >"$D/turnout.csv" <<'EOF'
state,dist,mean_min,sd_min
at_base,fixed,2.5,
patrol,exponential,1.25,
just_cleared,fixed,0.5,
EOF
printf 'type,n,share\n*,1,45\n*,2,40\n*,3,15\n' >"$D/units_per_call.csv"
printf 'role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n*,0.3,exponential,15,,1\n' \
    >"$D/workload.csv"
awk 'BEGIN { print "dow,hour,units"; for (d = 0; d < 7; d++) for (h = 0; h < 24; h++)
             print d "," h "," (h < 7 ? 5 : 7) }' >"$D/strength.csv"
RUN="run --reps 2 --horizon-days 6 --seed 9 --quiet"

expect_exit 0 "validate the demo with the CAD tables" "$P" validate "$D"
expect_exit 0 "run it with a trace" "$P" $RUN "$D" --out "$T/a" --trace "$T/a.csv"
check "trace header has the CAD columns" \
    sh -c "head -1 '$T/a.csv' | grep -q ',resolved,hour,departed_min,units_sent,call_processing_min$'"
check "every trace row has 19 fields" \
    sh -c "awk -F, 'NR > 1 && NF != 19 { bad = 1 } END { exit bad }' '$T/a.csv'"
for m in received_dispatched_mean_min dispatched_arrived_p90_min turnout_mean_min \
         units_per_call_mean workload_share stood_down_hours; do
    check "summary has $m" has "$T/a/summary.csv" "all,$m,"
done
check "by_hour.csv has the interval means" has "$T/a/by_hour.csv" "received_dispatched_mean_min"
check "units per call above 1" awk -v v="$(col "$T/a" units_per_call_mean)" 'BEGIN { exit !(v > 1.4) }'
check "turnout above 0" awk -v v="$(col "$T/a" turnout_mean_min)" 'BEGIN { exit !(v > 0.3) }'

expect_exit 0 "the same seed again" "$P" $RUN "$D" --out "$T/b"
check "same seed: same summary" cmp -s "$T/a/summary.csv" "$T/b/summary.csv"

# Ablation: each table off in turn moves its own metric back.
expect_exit 0 "without call processing" "$P" $RUN "$D" --out "$T/c" --set tables.call_processing=
check "call processing off: received->dispatched falls" awk -v a="$(col "$T/a" received_dispatched_mean_min)" \
    -v c="$(col "$T/c" received_dispatched_mean_min)" 'BEGIN { exit !(c < a - 2) }'
expect_exit 0 "without turnout" "$P" $RUN "$D" --out "$T/c" --set tables.turnout=
check "turnout off: turnout_mean_min 0" test "$(col "$T/c" turnout_mean_min)" = 0
expect_exit 0 "without units per call" "$P" $RUN "$D" --out "$T/c" --set tables.units_per_call=
check "crews off: one unit a call" test "$(col "$T/c" units_per_call_mean)" = 1
expect_exit 0 "without workload and strength" "$P" $RUN "$D" --out "$T/c" --set tables.workload= \
    --set tables.strength=
check "workload off: share 0" test "$(col "$T/c" workload_share)" = 0
check "strength off: nothing stood down" test "$(col "$T/c" stood_down_hours)" = 0

# All off = the scenario without the files, number for number.
expect_exit 0 "all five off" "$P" $RUN "$D" --out "$T/off" --set tables.call_processing= \
    --set tables.turnout= --set tables.units_per_call= --set tables.workload= --set tables.strength=
expect_exit 0 "the demo as bundled" "$P" $RUN scenarios/demo --out "$T/plain"
check "all tables off: the same summary as without them" \
    cmp -s "$T/off/summary.csv" "$T/plain/summary.csv"
check "all tables off: the same per-unit results" cmp -s "$T/off/by_unit.csv" "$T/plain/by_unit.csv"

# A bad table through --set: the message names the file and line.
printf 'type,hour_from,hour_to,dist,mean_min,sd_min\n*,0,24,weibull,2,\n' >"$D/cp_bad.csv"
expect_exit 2 "a bad call_processing table" "$P" validate "$D" --set tables.call_processing=cp_bad.csv
check "its message names file:line:column" has "$T/err" "cp_bad.csv:2: column 4 'dist': expected exponential, lognormal, gamma, fixed or empirical, got 'weibull'"
finish
