#!/bin/sh
# The experiment layer end to end: run/compare on the policing model and on
# the M/M/c toy model (bin/toysim, linked against the engine archive alone),
# common random numbers, determinism across --jobs, provenance, layering.
. tests/lib.sh
TOY="$BIN/toysim"
BUILD=${BUILD:-build}
[ -d "$BUILD" ] || BUILD=build

# --- layering: the engine archive references no model symbol -----------------------
if [ -f "$BUILD/libsim.a" ]; then
    und=$(nm -u "$BUILD/libsim.a" 2>/dev/null | grep -E ' (ops|scn|inc|disp|geo|nn|report|police)_' | wc -l)
    check "libsim.a has no undefined model symbol ($und)" test "$und" -eq 0
else
    ok "libsim.a check skipped: no $BUILD/libsim.a"
fi
check "the toy model links the engine alone and runs" test -x "$TOY"

# --- the toy M/M/c: compare c=2 with c=3 against Erlang C ------------------------------
mkdir -p "$T/mmc"
cat >"$T/mmc/model.ini" <<'INI'
[run]
name = mm2
seed = 4242
replications = 40
horizon_days = 12
warmup_days = 1
[mmc]
arrival_per_min = 0.15
service_mean_min = 10
servers = 2
INI
expect_exit 0 "toysim validate" "$TOY" validate "$T/mmc"
expect_exit 0 "toysim run" "$TOY" run "$T/mmc" --out "$T/mmc-run" --quiet
check "toysim run wrote replications.csv (40 rows)" test "$(wc -l <"$T/mmc-run/replications.csv")" -eq 41
expect_exit 0 "toysim compare c=2 vs c=3" "$TOY" compare "$T/mmc" --variant c2 --variant c3 --set mmc.servers=3 --out "$T/mmc-cmp"
# Erlang C: Wq(c) = C(c, a) / (c mu - lambda), a = lambda / mu.
truth=$(awk 'function erlc(c, a,   s, t, k, p) { s = 0; t = 1; for (k = 0; k < c; k++) { s += t; t *= a / (k + 1) }
          p = t * c / (c - a); return p / (s + p) }
          BEGIN { l = 0.15; mu = 0.1; a = l / mu; w2 = erlc(2, a) / (2 * mu - l); w3 = erlc(3, a) / (3 * mu - l); printf "%.6f", w3 - w2 }')
row=$(grep '^wait_mean_min,c3,' "$T/mmc-cmp/compare.csv")
lo=$(echo "$row" | cut -d, -f9); hi=$(echo "$row" | cut -d, -f10)
check "paired CI of Wq(3)-Wq(2) [$lo, $hi] covers Erlang C's $truth" \
    awk -v l="$lo" -v h="$hi" -v t="$truth" 'BEGIN { exit !(l <= t && t <= h) }'
check "compare names the paired method" grep -q "paired-t intervals on common random numbers" "$T/out"
check "compare prints a plain-language line" grep -q "c3 lowers mean wait in queue by" "$T/out"

# --- compare a scenario with itself: exact zeros of zero width ----------------------
expect_exit 0 "compare demo with itself" "$P" compare scenarios/demo scenarios/demo --reps 4 --horizon-days 5 --out "$T/self" --quiet
check "self-comparison: every difference is exactly 0 with zero width" \
    awk -F, 'NR > 1 && $2 != "demo" && $8 != "" && ($8 != 0 || $9 != 0 || $10 != 0) { bad = 1 } END { exit bad }' "$T/self/compare.csv"
check "self-comparison has metric rows" test "$(grep -c ',scenarios/demo,' "$T/self/compare.csv")" -gt 30
expect_exit 0 "compare demo with itself, the table" "$P" compare scenarios/demo scenarios/demo --reps 4 --horizon-days 5
check "the table leaves out metrics that are 0 everywhere" \
    grep -q "metrics 0 in every replication of every variant not shown; compare.csv has them" "$T/out"
check "... such as turnout without a turnout table" sh -c "! grep -q '^turnout_mean_min ' '$T/out'"
check "... which compare.csv still has" grep -q '^turnout_mean_min,' "$T/self/compare.csv"
check "... while a metric with values stays" grep -q '^response_mean_min ' "$T/out"

# --- common random numbers survive reordering units.csv ------------------------------
cp -r scenarios/chongqing-standard "$T/cq"
(head -n 1 scenarios/chongqing-standard/units.csv; tail -n +2 scenarios/chongqing-standard/units.csv | sort -r) >"$T/cq/units.csv"
expect_exit 0 "run chongqing with a trace" "$P" run scenarios/chongqing-standard --reps 1 --horizon-days 6 --trace "$T/t1.csv" --quiet
expect_exit 0 "run it with units.csv reordered" "$P" run "$T/cq" --reps 1 --horizon-days 6 --trace "$T/t2.csv" --quiet
# The trace is written as incidents complete; compare them in creation order.
cut -d, -f1-7 "$T/t1.csv" | sort -t, -k1,1n >"$T/i1"
cut -d, -f1-7 "$T/t2.csv" | sort -t, -k1,1n >"$T/i2"
check "reordered units: identical incident stream (time, place, grid, type)" cmp -s "$T/i1" "$T/i2"
check "... of some length" test "$(wc -l <"$T/i1")" -gt 100
expect_exit 0 "compare chongqing with its reordered copy" "$P" compare scenarios/chongqing-standard "$T/cq" --reps 3 --horizon-days 8 --out "$T/cqc" --quiet
for m in incidents absent_unit_shifts ab_cover_needed; do
    check "reordered units: $m identical in every replication (absences keyed by unit id)" \
        awk -F, -v m="$m" '$1 == m && $2 == "cq" { found = 1; if ($8 != 0 || $9 != 0 || $10 != 0) bad = 1 } END { exit bad || !found }' "$T/cqc/compare.csv"
done

# --- Haidian: the issue's headline comparison -----------------------------------------
expect_exit 0 "compare Haidian two-tier vs three-tier" "$P" compare scenarios/haidian-suozhanshi/two-tier scenarios/haidian-suozhanshi/three-tier --reps 10 --horizon-days 10
check "Haidian: plain-language response-time line" grep -q "three-tier lowers mean response time by" "$T/out"
check "Haidian: first-contact rate line in points" grep -q "first-contact rate (首接率) changes by .* points" "$T/out"

# --- three variants: simultaneous intervals are stated ----------------------------------
expect_exit 0 "compare three variants" "$P" compare scenarios/demo --variant base --variant slow --set travel.circuity=1.6 --variant fast --set travel.circuity=1.1 --reps 5 --horizon-days 5 --out "$T/three"
check "three variants: Bonferroni stated" grep -q "Bonferroni-adjusted" "$T/out"
check "three variants: MCB stated" grep -q "multiple comparisons with the best" "$T/out"
check "three variants: every variant in compare.csv" test "$(cut -d, -f2 "$T/three/compare.csv" | sort -u | grep -c -E '^(base|slow|fast)$')" -eq 3
check "compare.json lists the variants' provenance" grep -q '"scenario_hash"' "$T/three/compare.json"

# --- layouts that differ in their units: kept, not dropped --------------------------------
# B has a car C9 that the demo has not, and lacks the demo's C4.
mkdir -p "$T/plus"
cp scenarios/demo/*.csv scenarios/demo/scenario.ini "$T/plus/"
grep -v '^C4,' scenarios/demo/units.csv >"$T/plus/units.csv"
echo 'C9,Extra car,P1,,1,1,car' >>"$T/plus/units.csv"
expect_exit 0 "compare the demo with a layout of other units" "$P" compare scenarios/demo "$T/plus" --reps 3 --horizon-days 5 --out "$T/plus-cmp"
check "... the summary names the units of one variant only" grep -q "24 metrics not in every variant, so not compared: unit C4 (A only), unit C9 (B only);" "$T/out"
check "... B's unit: its own figures, n = 0 and no difference for A" \
    awk -F, '$1 == "unit.utilisation.C9" { if ($2 == "demo" && $3 == 0 && $4 == "") a = 1;
             if ($2 == "plus" && $3 == 3 && $4 != "" && $8 == "") b = 1 } END { exit !(a && b) }' "$T/plus-cmp/compare.csv"
check "... A's unit C4 kept, n = 0 in B" \
    awk -F, '$1 == "unit.utilisation.C4" { if ($2 == "demo" && $3 == 3) a = 1; if ($2 == "plus" && $3 == 0) b = 1 }
             END { exit !(a && b) }' "$T/plus-cmp/compare.csv"
check "... shared metrics still differenced" \
    awk -F, '$1 == "response_mean_min" && $2 == "plus" && $8 != "" { f = 1 } END { exit !f }' "$T/plus-cmp/compare.csv"
check "... compare_replications.csv leaves A's cells of C9 empty" \
    awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "unit.utilisation.C9") c = i; next }
             $1 == "demo" && $c != "" { bad = 1 } $1 == "plus" && $c == "" { bad = 1 } END { exit bad || !c }' \
    "$T/plus-cmp/compare_replications.csv"

# --- usage errors -------------------------------------------------------------------------
expect_exit 2 "compare with one folder" "$P" compare scenarios/demo
expect_exit 2 "--variant with two folders" "$P" compare scenarios/demo scenarios/demo --variant a --variant b
expect_exit 2 "a bad override in one variant" "$P" compare scenarios/demo --variant a --variant b --set run.horizon_days=-1
check "... names the key" grep -q "horizon_days" "$T/err"
expect_exit 2 "--progress with a bad mode" "$P" run scenarios/demo --progress loud

# --- determinism: --jobs 1 and --jobs 2 give byte-identical files -----------------------
for j in 1 2; do
    "$P" run scenarios/jinan-shizhong/after --reps 4 --horizon-days 5 --jobs $j --out "$T/run$j" --quiet
    "$P" compare scenarios/jinan-shizhong/before scenarios/jinan-shizhong/after --reps 4 --horizon-days 5 --jobs $j --out "$T/cmp$j" --quiet
done
for f in summary.csv summary.json replications.csv by_unit.csv provenance.json; do
    check "run --jobs 1 vs 2: $f identical" cmp -s "$T/run1/$f" "$T/run2/$f"
done
for f in compare.csv compare.json compare_replications.csv; do
    check "compare --jobs 1 vs 2: $f identical" cmp -s "$T/cmp1/$f" "$T/cmp2/$f"
done

# --- per-replication results and provenance ---------------------------------------------
check "replications.csv: one row per replication" test "$(wc -l <"$T/run1/replications.csv")" -eq 5
mean_rep=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "response_mean_min") c = i; next } { s += $c; n++ } END { printf "%.6f", s / n }' "$T/run1/replications.csv")
mean_sum=$(awk -F, '$1 == "all" && $2 == "response_mean_min" { printf "%.6f", $4 }' "$T/run1/summary.csv")
check "replications.csv averages to summary.csv ($mean_rep vs $mean_sum)" test "$mean_rep" = "$mean_sum"
sha=$(sha256sum scenarios/jinan-shizhong/after/units.csv | cut -d' ' -f1)
if grep -q "units.csv" "$T/run1/provenance.json"; then
    check "provenance.json: units.csv's SHA-256 as sha256sum prints it" grep -q "$sha" "$T/run1/provenance.json"
fi
sha=$(sha256sum scenarios/jinan-shizhong/after/scenario.ini | cut -d' ' -f1)
check "provenance.json: scenario.ini's SHA-256" grep -q "$sha" "$T/run1/provenance.json"
check "provenance.json records the overrides" grep -q '"run.horizon_days=5"' "$T/run1/provenance.json"
check "summary.json embeds the provenance" grep -q '"scenario_hash"' "$T/run1/summary.json"

finish
