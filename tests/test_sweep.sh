#!/bin/sh
# `patrolsim sweep` end to end: determinism across --jobs, resuming after
# SIGKILL at random moments, refusal of changed inputs, export, bad specs,
# and the toy model (engine only) through the same command.
. tests/lib.sh
TOY="$BIN/toysim"
CQ=scenarios/chongqing-standard
# A small Chongqing sweep: 3 staffing tables x 2 call rates x 4 replications.
sweep_cq() {
    out=$1; shift
    "$P" sweep "$CQ" --vary tables.units=units.csv,units-below-standard.csv,units-community-50.csv \
        --vary 'incidents.rate_per_day=30..45 step 15' --reps 4 --horizon-days 8 --warmup-days 1 \
        --progress none --out "$out" "$@"
}

# --- J = 1 vs J = 2 ---------------------------------------------------------------
expect_exit 0 "sweep J=1" sweep_cq "$T/j1" --jobs 1
expect_exit 0 "sweep J=2" sweep_cq "$T/j2" --jobs 2
check "sweep.csv byte-identical for J=1 and J=2" cmp -s "$T/j1/sweep.csv" "$T/j2/sweep.csv"
check "replications.csv byte-identical for J=1 and J=2" \
    cmp -s "$T/j1/replications.csv" "$T/j2/replications.csv"
check "sweep.csv: header and 6 points" test "$(wc -l <"$T/j1/sweep.csv")" -eq 7
check "sweep.csv: parameter columns first, then replications and mean/CI" \
    grep -q '^tables.units,incidents.rate_per_day,replications,incidents.mean,incidents.ci95_low,incidents.ci95_high,' "$T/j1/sweep.csv"
check "sweep.csv: first axis slowest, 4 replications" \
    grep -q '^units-below-standard.csv,45,4,' "$T/j1/sweep.csv"
check "replications.csv: 24 rows" test "$(wc -l <"$T/j1/replications.csv")" -eq 25
expect_exit 0 "rerun of a complete sweep" sweep_cq "$T/j1" --jobs 2
check "rerun ran nothing" grep -q '24 stored, 0 to run' "$T/err"
check "rerun: same export" cmp -s "$T/j1/sweep.csv" "$T/j2/sweep.csv"

# More replications extend the stored ones.
expect_exit 0 "extend to 6 replications" sweep_cq "$T/j2" --jobs 2 --reps 6
check "extension ran only the new replications" grep -q '24 stored, 12 to run' "$T/err"
check "extended sweep.csv has 6 replications" grep -q '^units.csv,30,6,' "$T/j2/sweep.csv"

# --- staffing through the count column: per-unit metrics of every point only ---------
expect_exit 0 "sweep over a unit's count" "$P" sweep "$CQ" --vary units.URB-comm1.count=1..3 \
    --reps 2 --horizon-days 4 --progress none --out "$T/cnt"
hdr=$(head -n 1 "$T/cnt/sweep.csv")
check "count sweep: 3 points" test "$(wc -l <"$T/cnt/sweep.csv")" -eq 4
check "count sweep: a unit of every point has columns" \
    sh -c "echo '$hdr' | grep -q ',unit.utilisation.TOWN-comm1.mean,'"
check "count sweep: the varied unit's crews (not in every point) have none" \
    sh -c "! echo '$hdr' | grep -q 'unit.utilisation.URB-comm1'"

# --- SIGKILL at random moments, then resume ------------------------------------------
# The Chongqing staffing sweep of the issue: the urban station's community
# officer crews 1..6 through `count`, crossed with two call rates, 20
# replications: 240 tasks of a 32-day horizon.  Each of 4 kills comes at a
# moment drawn uniformly over 5%..35% of the uninterrupted duration at J = 2,
# so that together they leave work for the resume.
sweep_long() {
    out=$1; shift
    "$P" sweep "$CQ" --vary units.URB-comm1.count=1..6 --vary incidents.rate_per_day=35,42 \
        --reps 20 --progress none --out "$out" "$@"
}
# In the background without a subshell, so that $! is patrolsim itself.
sweep_long_bg() {
    out=$1; shift
    "$P" sweep "$CQ" --vary units.URB-comm1.count=1..6 --vary incidents.rate_per_day=35,42 \
        --reps 20 --progress none --out "$out" "$@" >/dev/null 2>"$T/bgerr" &
}
t0=$(date +%s%N)
expect_exit 0 "uninterrupted long sweep" sweep_long "$T/full" --jobs 2
dur_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# uninterrupted: 240 tasks in $dur_ms ms at J=2"
kills=0
for i in 1 2 3 4; do
    sweep_long_bg "$T/k" --jobs 2
    pid=$!
    ms=$(awk -v s="$(date +%N)" -v d="$dur_ms" 'BEGIN { srand(s % 1000003); printf "%d", d * (0.05 + 0.3 * rand()) }')
    sleep "$(awk -v m="$ms" 'BEGIN { printf "%.3f", m / 1000 }')"
    kill -9 "$pid" 2>/dev/null && kills=$((kills + 1))
    wait "$pid" 2>/dev/null
    n=$(sed -n 's/.* = 240 tasks; \([0-9]*\) stored.*/\1/p' "$T/bgerr")
    echo "# kill $i after $ms ms; the run had started with ${n:-0} tasks stored"
done
expect_exit 0 "resume after $kills kills" sweep_long "$T/k" --jobs 2
stored=$(sed -n 's/.* = 240 tasks; \([0-9]*\) stored.*/\1/p' "$T/err")
echo "# resumed with ${stored:-?} of 240 tasks stored after $kills kills"
check "at least 3 of 4 kills hit a running sweep ($kills)" test "$kills" -ge 3
check "the killed runs had stored some tasks (${stored:-none})" test "${stored:-0}" -gt 0
check "resumed sweep.csv identical to the uninterrupted one" cmp -s "$T/k/sweep.csv" "$T/full/sweep.csv"
check "resumed replications.csv identical" cmp -s "$T/k/replications.csv" "$T/full/replications.csv"

# SIGINT stops cleanly: finished tasks stay stored, exit 1.
# The signal goes in once the sweep has started (its "= 240 tasks" line;
# bgerr emptied first so the previous run's line cannot count), then after
# a quarter of the J=2 duration: on a loaded machine loading alone can take
# longer than a fixed delay.
: >"$T/bgerr"
sweep_long_bg "$T/int" --jobs 1
pid=$!
for i in $(seq 1 200); do
    grep -q ' = 240 tasks;' "$T/bgerr" 2>/dev/null && break
    sleep 0.05
done
sleep "$(awk -v d="$dur_ms" 'BEGIN { printf "%.3f", d / 1000 / 4 }')"
kill -INT "$pid"
wait "$pid"; rc=$?
if grep -q 'interrupted' "$T/bgerr"; then
    check "SIGINT: exit 1" test "$rc" -eq 1
    check "SIGINT: says how to resume" grep -q 'rerun the same command to resume' "$T/bgerr"
    check "SIGINT: no sweep.csv of an incomplete sweep" test ! -e "$T/int/sweep.csv"
    check "SIGINT: only the store is left" test "$(ls -a "$T/int" | grep -cv '^\.*$\|^sweep.sqlite$')" -eq 0
else
    bad "SIGINT a quarter of the J=2 duration after the start did not find the J=1 sweep running (rc $rc)"
fi
expect_exit 0 "resume after SIGINT" sweep_long "$T/int" --jobs 2
check "resumed after SIGINT: identical" cmp -s "$T/int/sweep.csv" "$T/full/sweep.csv"

# --- export -----------------------------------------------------------------------------
expect_exit 0 "--export DIR" "$P" sweep --export "$T/j1"
check "--export reproduces sweep.csv" cmp -s "$T/out" "$T/j1/sweep.csv"
expect_exit 0 "--export FILE --export-reps --out" "$P" sweep --export "$T/j1/sweep.sqlite" --export-reps --out "$T/reps.csv"
check "--export-reps reproduces replications.csv" cmp -s "$T/reps.csv" "$T/j1/replications.csv"
expect_exit 0 "--export --metrics" "$P" sweep --export "$T/j1" --metrics response_mean_min,priority.response_mean_min.1
check "--metrics selects columns" test "$(head -n 1 "$T/out")" = \
    "tables.units,incidents.rate_per_day,replications,response_mean_min.mean,response_mean_min.ci95_low,response_mean_min.ci95_high,priority.response_mean_min.1.mean,priority.response_mean_min.1.ci95_low,priority.response_mean_min.1.ci95_high"
expect_exit 2 "--export --metrics unknown" "$P" sweep --export "$T/j1" --metrics no_such_metric
check "unknown metric named" grep -q "metrics: 'no_such_metric' is not a metric of every point" "$T/err"
expect_exit 2 "--export of a missing store" "$P" sweep --export "$T/none.sqlite"
check "missing store named" grep -q 'none.sqlite: cannot open result store: No such file' "$T/err"

# --- changed inputs ----------------------------------------------------------------------
cp -r "$CQ" "$T/cq"
sweep_cq2() { out=$1; shift; "$P" sweep "$T/cq" --vary incidents.rate_per_day=30,45 --reps 2 \
    --horizon-days 4 --warmup-days 1 --progress none --out "$out" "$@"; }
expect_exit 0 "sweep of a copy" sweep_cq2 "$T/ch"
sed 's/^circuity = 1.5/circuity = 1.6/' "$T/cq/scenario.ini" >"$T/ini" && mv "$T/ini" "$T/cq/scenario.ini"
expect_exit 2 "changed scenario.ini refused" sweep_cq2 "$T/ch"
check "refusal names the changed file" grep -q "inputs\[.*scenario.ini\].sha256' was" "$T/err"
check "refusal suggests --force" grep -q 'Use --force to discard those results' "$T/err"
expect_exit 0 "--force reruns" sweep_cq2 "$T/ch" --force
check "--force ran every task again" grep -q '0 stored, 4 to run' "$T/err"
expect_exit 0 "fresh sweep of the changed copy" sweep_cq2 "$T/ch2"
check "--force result equals a fresh sweep" cmp -s "$T/ch/sweep.csv" "$T/ch2/sweep.csv"

# --- bad sweeps ---------------------------------------------------------------------------
expect_exit 2 "non-existent key" "$P" sweep "$CQ" --vary incidents.no_such_key=1,2 --out "$T/bad"
check "non-existent key: point and key named" \
    grep -q "point 0 (incidents.no_such_key=1): .*unknown key 'no_such_key'" "$T/err"
expect_exit 2 "non-existent section" "$P" sweep "$CQ" --vary nosection.k=1 --out "$T/bad"
check "non-existent section named" grep -q "point 0 (nosection.k=1): .*nosection" "$T/err"
expect_exit 2 "non-existent row" "$P" sweep "$CQ" --vary units.NO-SUCH-UNIT.count=1,2 --out "$T/bad"
check "non-existent row: point and row named" \
    grep -q "point 0 (units.NO-SUCH-UNIT.count=1): .*no row 'NO-SUCH-UNIT' in .*units.csv" "$T/err"
expect_exit 2 "non-existent column" "$P" sweep "$CQ" --vary units.URB-comm1.no_col=1,2 --out "$T/bad"
check "non-existent column: point and column named" \
    grep -q "point 0 (units.URB-comm1.no_col=1): .*no column 'no_col'" "$T/err"
expect_exit 2 "bad value" "$P" sweep "$CQ" --vary incidents.rate_per_day=30,abc --out "$T/bad"
check "bad value: the point is named" grep -q "point 1 (incidents.rate_per_day=abc): " "$T/err"
expect_exit 2 "bad range" "$P" sweep "$CQ" --vary 'incidents.rate_per_day=30..x' --out "$T/bad"
check "bad range message" grep -q "vary 'incidents.rate_per_day=30..x': bad range '30..x'" "$T/err"
printf 'vary incidents.rate_per_day=30,40\nwhere incidents.rate_per_day > nope.x\n' >"$T/bad.sweep"
expect_exit 2 "bad sweep file" "$P" sweep "$CQ" "$T/bad.sweep" --out "$T/bad"
check "sweep file error names file:line" grep -q "bad.sweep:2: where 'incidents.rate_per_day > nope.x': unknown parameter 'nope.x'" "$T/err"
expect_exit 2 "--metrics misspelt" "$P" sweep "$CQ" --vary incidents.rate_per_day=30,40 --metrics response_mean --out "$T/bad"
check "--metrics misspelt: refused before running" grep -q "no metric 'response_mean' in point 0" "$T/err"
expect_exit 2 "no --out" "$P" sweep "$CQ" --vary incidents.rate_per_day=30,40
check "no --out explained" grep -q -- '--out DIR is required' "$T/err"
expect_exit 2 "varied and --set" "$P" sweep "$CQ" --vary incidents.rate_per_day=30,40 --set incidents.rate_per_day=3 --out "$T/bad"
check "varied and --set explained" grep -q "'incidents.rate_per_day' is set on the command line" "$T/err"
check "no store left by failed sweeps" test ! -e "$T/bad/sweep.sqlite"

# --- the toy model (engine only) through the same command --------------------------------
mkdir -p "$T/mmc"
cat >"$T/mmc/model.ini" <<'INI'
[run]
name = mmc
seed = 977
replications = 5
horizon_days = 3
warmup_days = 0.5
[mmc]
arrival_per_min = 0.15
service_mean_min = 10
servers = 2
INI
cat >"$T/mmc.sweep" <<'SW'
# servers x load, where the queue is stable (rho = lambda * s / c < 1)
vary mmc.servers = 2..4
vary mmc.arrival_per_min = 0.1, 0.15 ,0.25
where mmc.arrival_per_min * 10 / mmc.servers < 1
SW
expect_exit 0 "toysim sweep J=1" "$TOY" sweep "$T/mmc" "$T/mmc.sweep" --jobs 1 --progress none --out "$T/t1"
expect_exit 0 "toysim sweep J=3" "$TOY" sweep "$T/mmc" "$T/mmc.sweep" --jobs 3 --progress none --out "$T/t3"
check "toy: 8 points (one excluded by the constraint)" test "$(wc -l <"$T/t1/sweep.csv")" -eq 9
check "toy: the excluded point is absent" test "$(grep -c '^2,0.25,' "$T/t1/sweep.csv")" -eq 0
check "toy: J=1 and J=3 identical" cmp -s "$T/t1/sweep.csv" "$T/t3/sweep.csv"
finish
