#!/bin/sh
# test_robust.sh - output sets are atomic and leave nothing behind; nonsense
# is refused or warned about on the command line; memory stays bounded.
#   - a crash injected before and after the folder exchange leaves the old
#     (resp. the new) set whole, and the next run removes the temporary;
#   - runs killed by SIGTERM, SIGKILL and a file-size limit (ulimit -f) leave
#     no temporary file once the next run is done (SIGTERM and SIGXFSZ: none
#     at all, with one message and a non-zero exit);
#   - a folder patrolsim did not write is refused before anything runs,
#     unless --force, which keeps the files that are not results;
#   - validate prints warnings and --strict fails on them;
#   - rate_per_day = 1e300 fails with a clear message under a 1 GB memory cap.
. tests/lib.sh
D=scenarios/demo
RUN="run $D --reps 2 --horizon-days 3 --warmup-days 0 --jobs 1 --quiet"
FX=tests/fixtures

# Files other than the results themselves, hidden temporaries included.
temps() { ls -A "$1" | grep '^\.' ; }

# ---- atomic folder sets ------------------------------------------------------
expect_exit 0 "first run" "$P" $RUN --seed 11 --out "$T/r"
check "manifest lists the set" grep -q '^replications.csv$' "$T/r/manifest.txt"
cp -r "$T/r" "$T/old"
echo "my notes" >"$T/r/notes.txt"

PATROLSIM_TEST_CRASH=before-swap "$P" $RUN --seed 12 --out "$T/r" >/dev/null 2>&1; rc=$?
check "crash before the exchange: killed (rc $rc)" test "$rc" -ne 0
for f in $(ls "$T/old"); do
    check "crash before the exchange: old $f whole" cmp -s "$T/old/$f" "$T/r/$f"
done
check "crash before the exchange: a temporary folder is left" test -n "$(temps "$T")"

expect_exit 0 "run after the crash" "$P" $RUN --seed 13 --out "$T/r"
check "the next run removed the stale temporary folder" test -z "$(temps "$T")"
check "the user's file was kept" grep -q "my notes" "$T/r/notes.txt"
expect_exit 0 "reference run, seed 14" "$P" $RUN --seed 14 --out "$T/ref14"

PATROLSIM_TEST_CRASH=after-swap "$P" $RUN --seed 14 --out "$T/r" >/dev/null 2>&1; rc=$?
check "crash after the exchange: killed (rc $rc)" test "$rc" -ne 0
for f in replications.csv summary.csv by_unit.csv summary.json; do
    check "crash after the exchange: new $f whole" cmp -s "$T/ref14/$f" "$T/r/$f"
done
check "crash after the exchange: new manifest" cmp -s "$T/ref14/manifest.txt" "$T/r/manifest.txt"
expect_exit 0 "run after the second crash" "$P" $RUN --seed 15 --out "$T/r"
check "no temporary folder after it" test -z "$(temps "$T")"
check "no temporary file in the results" test -z "$(temps "$T/r")"
check "the user's file is still there" grep -q "my notes" "$T/r/notes.txt"

# ---- refusing to overwrite ------------------------------------------------------
mkdir -p "$T/mine"; echo "precious" >"$T/mine/summary.csv"; echo "keep" >"$T/mine/other.txt"
start=$(date +%s)
echo "mine" >"$T/mine/data.tmp.csv"
expect_exit 2 "a folder patrolsim did not write is refused" "$P" run $D --reps 50 --horizon-days 3000 --out "$T/mine"
check "refused before the simulation" test "$(( $(date +%s) - start ))" -lt 3
check "the refusal names the folder and --force" grep -q "was not written by patrolsim.*--force" "$T/err"
check "the folder is untouched" grep -q precious "$T/mine/summary.csv"
expect_exit 0 "--force replaces it" "$P" $RUN --out "$T/mine" --force
check "--force: results written" grep -q '^replication,seed' "$T/mine/replications.csv"
check "--force: other files kept" grep -q keep "$T/mine/other.txt"
check "--force: a file named like a temporary is kept" grep -q mine "$T/mine/data.tmp.csv"
expect_exit 0 "a patrolsim folder is replaced without --force" "$P" $RUN --out "$T/mine"

# ---- killed runs ------------------------------------------------------------------
LONG="run $D --reps 1 --horizon-days 30000 --warmup-days 0 --jobs 1 --quiet"
mkdir -p "$T/k"
# Each signal goes in once the run has opened its temporary trace (so it
# has its handlers and something to clean up), not after a fixed delay: on
# a loaded machine loading the scenario alone can take longer.
wait_temp() {
    for i in $(seq 1 600); do
        [ -n "$(temps "$1")" ] && return 0
        sleep 0.1
    done
}
"$P" $LONG --out "$T/k/res" --trace "$T/k/trace.csv" >/dev/null 2>"$T/kerr" &
pid=$!
wait_temp "$T/k"
kill -TERM $pid; wait $pid; rc=$?
check "SIGTERM: killed by the signal (rc $rc)" test "$rc" -eq 143
check "SIGTERM: one message" test "$(grep -c 'interrupted; no partial output kept' "$T/kerr")" -eq 1
check "SIGTERM: no temporary file or folder left" test -z "$(temps "$T/k")"
check "SIGTERM: no trace file" test ! -e "$T/k/trace.csv"

"$P" $LONG --out "$T/k/res" --trace "$T/k/trace.csv" >/dev/null 2>&1 &
pid=$!
wait_temp "$T/k"
kill -KILL $pid; wait $pid
check "SIGKILL: a temporary trace is left behind" test -n "$(temps "$T/k")"
expect_exit 0 "the next run" "$P" $RUN --out "$T/k/res" --trace "$T/k/trace.csv"
check "SIGKILL: no temporary left after the next run" test -z "$(temps "$T/k")"
check "... nor in the results" test -z "$(temps "$T/k/res")"

( ulimit -f 2000; exec "$P" $LONG --out "$T/k/res" --trace "$T/k/trace2.csv" ) >/dev/null 2>"$T/ferr"; rc=$?
check "file-size limit: exit 1 (rc $rc)" test "$rc" -eq 1
check "file-size limit: one clear message" test "$(grep -c 'file size limit reached (ulimit -f)' "$T/ferr")" -eq 1
check "file-size limit: no temporary left" test -z "$(temps "$T/k")"
check "file-size limit: no partial trace" test ! -e "$T/k/trace2.csv"
check "file-size limit: the earlier results are whole" grep -q '^replication,seed' "$T/k/res/replications.csv"
# The limit hit while the result folder itself is written (summary files
# are larger than 4 KB): the old folder stays, no temporary folder is left.
cp "$T/k/res/replications.csv" "$T/k-old-reps.csv"
( ulimit -f 4; exec "$P" $RUN --seed 99 --out "$T/k/res" ) >/dev/null 2>"$T/ferr"; rc=$?
check "file-size limit on the results: exit 1 (rc $rc)" test "$rc" -eq 1
check "... one clear message" test "$(grep -c 'file size limit reached (ulimit -f)' "$T/ferr")" -eq 1
check "... no temporary folder left" test -z "$(temps "$T/k")"
check "... the old results are untouched" cmp -s "$T/k-old-reps.csv" "$T/k/res/replications.csv"

# ---- semantic validation on the command line -----------------------------------------
expect_exit 0 "validate a scenario with a warning" "$P" validate $FX/warn/overload
check "the warning is printed with its file and line" \
    grep -q "^warning: $FX/warn/overload/scenario.ini:35: \[incidents\] rate_per_day: offered load" "$T/err"
check "the offered load is printed" grep -q "offered load 8.21" "$T/err"
check "validate says 'ok with warnings'" grep -q "ok with warnings" "$T/out"
expect_exit 2 "validate --strict fails on a warning" "$P" validate --strict $FX/warn/overload
check "--strict says why" grep -q "1 warning, errors under --strict" "$T/err"
expect_exit 0 "validate --strict passes a clean scenario" "$P" validate --strict $FX/good
expect_exit 0 "run an overloaded scenario" "$P" run $FX/warn/overload --reps 2 --out "$T/ov"
check "the run summary says the system did not keep up" grep -q "WARNING: the system did not keep up in 2 of 2" "$T/out"
check "the run summary lists the warnings" grep -q "warnings about the scenario (1)" "$T/out"
check "summary.json: collapsed" grep -q '"collapsed": true' "$T/ov/summary.json"
check "summary.json: the warning" grep -q 'offered load 8.21 > 1' "$T/ov/summary.json"
check "replications.csv: the collapse slots" grep -q 'queue_collapsed,queue_growth_start_day,queue_at_horizon' "$T/ov/replications.csv"

# rate 1e300 in bounded memory (1 GB of address space; sanitizer builds
# reserve terabytes of address space and cannot run under a cap).
if ( ulimit -v 1000000; exec "$P" --version ) >/dev/null 2>&1; then
    ( ulimit -v 1000000; exec "$P" run $FX/bad/sem_rate_huge --reps 1 ) >"$T/out" 2>"$T/err"; rc=$?
else
    "$P" run $FX/bad/sem_rate_huge --reps 1 >"$T/out" 2>"$T/err"; rc=$?
    ok "rate 1e300: memory cap skipped (the binary cannot start under ulimit -v)"
fi
check "rate 1e300: exit 2 (rc $rc)" test "$rc" -eq 2
check "rate 1e300: a clear message" grep -q "rate_per_day: 1e+300 incidents a day is not physically meaningful; expected at most 1e+07" "$T/err"

# 30,000 units x 10,000 replications: a 22 GiB results matrix, refused at once.
expect_exit 2 "a results matrix beyond the cap is refused" "$P" run $FX/good --reps 10000 --quiet \
    --set units.u1.count=10000 --set units.u2.count=10000 --set units.u3.count=10000
check "... with the sizes and what to do" grep -q "10000 replications x [0-9]* metrics need [0-9.]* GiB for the results, more than the .* GiB allowed" "$T/err"

# A long run says how long before it starts.
# Polled rather than a fixed timeout: on a loaded machine the estimate
# (after a short calibration run) can take longer than a few seconds.
# Emptied first: the background shell opens it later, and the poll must not
# read the previous command's stderr.  Sized (100 x 1,000 years, the longest
# horizon allowed) so that even a machine ten times faster than this 2-core
# one estimates more than the 30 s from which the estimate is printed.
: >"$T/err"
"$P" run $D --reps 100 --horizon-days 365250 --jobs 2 --progress none >/dev/null 2>"$T/err" &
lp=$!
for i in $(seq 1 120); do
    grep -q "this run will take about" "$T/err" 2>/dev/null && break
    sleep 0.5
done
kill "$lp" 2>/dev/null
wait "$lp" 2>/dev/null
if grep -q "patrolsim run: this run will take about .* 100 replications x 365250 days on 2 threads" "$T/err"; then
    ok "a long run prints its estimate"
else
    bad "a long run prints its estimate; stderr: $(head -c 400 "$T/err")"
fi

finish
