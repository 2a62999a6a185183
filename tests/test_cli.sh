#!/bin/sh
# End-to-end tests of the patrolsim command line on the bundled scenarios and
# the broken fixtures: exit codes, messages, output files, determinism.
. tests/lib.sh

# --- help and usage -----------------------------------------------------------
expect_exit 0 "patrolsim --help" "$P" --help
check "top-level help lists the commands" grep -q "validate" "$T/out"
for c in run validate bench; do
    expect_exit 0 "patrolsim $c --help" "$P" $c --help
    check "$c --help prints usage to stdout" grep -q "usage: patrolsim $c" "$T/out"
done
expect_exit 2 "unknown command" "$P" frobnicate
expect_exit 2 "run without a scenario" "$P" run
expect_exit 2 "run with an unknown option" "$P" run scenarios/demo --bogus
expect_exit 2 "--set without a dot" "$P" run scenarios/demo --set nodot=1
expect_exit 2 "--jobs 0" "$P" run scenarios/demo --jobs 0

# --- bundled scenarios validate --------------------------------------------------
for ini in $(find scenarios -name scenario.ini | sort); do
    d=${ini%/scenario.ini}
    # Replays of the real logs read ../shared/data, which may be absent.
    if grep -q "shared/data" "$ini" && [ ! -d ../shared/data ]; then
        ok "validate $d skipped: ../shared/data is absent"
        continue
    fi
    expect_exit 0 "validate $d" "$P" validate "$d"
done

# --- a run writes its files, echoes the seed -------------------------------------
expect_exit 0 "run demo" "$P" run scenarios/demo --reps 3 --horizon-days 4 --warmup-days 0.5 --seed 77 --out "$T/a" --jobs 1
for f in summary.csv by_unit.csv by_grid.csv summary.json; do
    check "run wrote $f" test -s "$T/a/$f"
done
check "summary.csv echoes the seed" grep -q "^run,seed,,77," "$T/a/summary.csv"
check "summary.json echoes the seed" grep -q '"seed": "77"' "$T/a/summary.json"
check "printed summary shows first-contact rate" grep -q "first-contact rate" "$T/out"
check "printed summary echoes the seed" grep -q "seed 77" "$T/out"
check "by_unit.csv has one row per unit" test "$(wc -l <"$T/a/by_unit.csv")" -eq 9
check "by_grid.csv has one row per grid" test "$(wc -l <"$T/a/by_grid.csv")" -eq 6
check "no temporary files left" test -z "$(ls -A "$T/a" | grep '^\.')"

# --- determinism: same seed, any thread count => identical bytes -----------------
expect_exit 0 "run demo again with 2 threads" "$P" run scenarios/demo --reps 3 --horizon-days 4 --warmup-days 0.5 --seed 77 --out "$T/b" --jobs 2 --quiet
for f in summary.csv by_unit.csv by_grid.csv summary.json; do
    check "$f identical across runs and thread counts" cmp -s "$T/a/$f" "$T/b/$f"
done
expect_exit 0 "run demo with another seed" "$P" run scenarios/demo --reps 3 --horizon-days 4 --warmup-days 0.5 --seed 78 --out "$T/c" --quiet
check "another seed gives other results" sh -c "! cmp -s '$T/a/by_grid.csv' '$T/c/by_grid.csv'"

# --- common random numbers: a different policy sees the same incidents ------------
expect_exit 0 "trace with nearest_idle" "$P" run scenarios/demo --reps 1 --horizon-days 3 --seed 5 --trace "$T/t1.csv" --quiet
expect_exit 0 "trace with run_card" "$P" run scenarios/demo --reps 1 --horizon-days 3 --seed 5 --set dispatch.policy=run_card --trace "$T/t2.csv" --quiet
cut -d, -f1-6 "$T/t1.csv" | sort >"$T/i1"; cut -d, -f1-6 "$T/t2.csv" | sort >"$T/i2"
check "both policies face identical incidents (common random numbers)" cmp -s "$T/i1" "$T/i2"
check "trace has a row per incident" test "$(wc -l <"$T/t1.csv")" -gt 100

# --- a replay slice from the command line (needs ../shared/data) ------------------
if [ -d ../shared/data/slo-pd-calllog-2021-22 ]; then
    expect_exit 0 "run slo-replay --from/--to" "$P" run scenarios/slo-replay --reps 1 --quiet \
        --from 2021-10-01 --to 2021-11-01 --out "$T/slice"
    check "--from/--to replays only that month" grep -q "rows read, 2367 used" "$T/err"
    check "the slice's incidents are counted" test "$(awk -F, '$1 == "all" && $2 == "incidents" { print $4 }' "$T/slice/summary.csv")" -gt 2000
else
    ok "replay slice skipped: ../shared/data is absent"
fi

# --- bench-city ---------------------------------------------------------------------
sh scenarios/bench-city/generate.sh 8 "$T/bc" 365 >/dev/null
check "bundled bench-city matches its generator" diff -r -q scenarios/bench-city "$T/bc" -x generate.sh -x README.md
expect_exit 0 "bench on bench-city, 2 days" "$P" bench scenarios/bench-city --days 2
for k in incidents mean_response_min p50_response_min p90_response_min first_contact_rate \
         mean_utilization queued_share mean_queue_wait_min wall_s incidents_per_s peak_rss_mb; do
    check "bench prints $k" grep -q "^$k: " "$T/out"
done

# --- bad input: message, exit 2, nothing written -------------------------------------
for d in tests/fixtures/bad/*/; do
    d=${d%/}; name=${d##*/}
    want=$(head -n 1 "$d/expected")
    expect_exit 2 "validate bad/$name" "$P" validate "$d"
    if grep -qF -- "$want" "$T/err"; then ok "bad/$name message has '$want'"; else bad "bad/$name: message '$(cat "$T/err")' lacks '$want'"; fi
    expect_exit 2 "run bad/$name" "$P" run "$d" --out "$T/bad-$name"
    check "run bad/$name wrote nothing" test ! -e "$T/bad-$name"
done
expect_exit 2 "bad override value" "$P" run scenarios/demo --set run.horizon_days=-3 --out "$T/ov"
check "bad override wrote nothing" test ! -e "$T/ov"
check "bad override message names the key" grep -q "horizon_days" "$T/err"
expect_exit 2 "missing scenario folder" "$P" validate "$T/nope"
mkdir -p "$T/ro"; touch "$T/ro/file"
# --out is checked before anything runs: a usage error, said in one line.
expect_exit 2 "unwritable output (a file in the way)" "$P" run scenarios/demo --reps 1 --horizon-days 1 --warmup-days 0 --out "$T/ro/file/sub" --quiet
check "a file in the way is named" grep -q "is not a folder" "$T/err"
expect_exit 2 "output over an existing file" "$P" run scenarios/demo --reps 1 --out "$T/ro/file" --quiet
check "... is refused before the run" grep -q "exists and is not a folder" "$T/err"

finish
