#!/bin/sh
# End-to-end tests of the incident streams on the command line: fit and gen
# usage; every broken replay fixture (its message with file:line, exit 2,
# nothing written by validate, run, gen or fit); gen -> replay giving the
# same simulation; fit on a generated stream; and the real-data scenarios
# (slo-replay, takoma-replay) when ../shared/data is beside the repository,
# skipped with a message otherwise.
. tests/lib.sh
has() { grep -qF -- "$2" "$1"; }
FX=tests/fixtures/replay

# --- usage ------------------------------------------------------------------------
for c in fit gen; do
    expect_exit 0 "patrolsim $c --help" "$P" $c --help
    check "$c --help prints usage to stdout" has "$T/out" "usage: patrolsim $c"
done
expect_exit 2 "gen without --days" "$P" gen $FX/nhpp --out "$T/u.csv"
expect_exit 2 "fit without --mapping" "$P" fit $FX/mdy/calls.csv --out "$T/u"
expect_exit 2 "gen with a bad --days" "$P" gen $FX/nhpp --days -1 --out "$T/u.csv"
check "usage errors wrote nothing" test ! -e "$T/u.csv" -a ! -e "$T/u"

# --- good fixtures: validate, and the load report ----------------------------------------
for d in mdy iso epoch nhpp; do
    expect_exit 0 "validate $FX/$d" "$P" validate $FX/$d
done
expect_exit 0 "validate $FX/mdy reports the rows" "$P" validate $FX/mdy
check "report: rows read, used, skipped" has "$T/err" "12 rows read, 7 used, 5 skipped"
check "report: skip reasons" has "$T/err" "1 repeat of the row before (dedup_column)"
check "report: unmapped codes" has "$T/err" "unmapped type codes (to the default type): 'Arson' (1)"
check "report: timing anomalies" has "$T/err" "1 arrived before received, 1 dispatched before received, 1 arrived before dispatched"
expect_exit 0 "run $FX/mdy" "$P" run $FX/mdy --reps 2 --jobs 1
check "run prints observed vs simulated" has "$T/out" "observed in the data vs simulated"
check "run reports the rows once, not per replication" test "$(grep -c 'rows read' "$T/err")" -eq 1

# --- bad input: message, exit 2, nothing written --------------------------------------------
for d in $FX/bad/*/; do
    d=${d%/}; name=${d##*/}
    want=$(head -n 1 "$d/expected")
    expect_exit 2 "validate bad/$name" "$P" validate "$d"
    if has "$T/err" "$want"; then ok "bad/$name message has '$want'"; else bad "bad/$name: message '$(cat "$T/err")' lacks '$want'"; fi
    expect_exit 2 "run bad/$name" "$P" run "$d" --out "$T/bad-$name"
    check "run bad/$name wrote nothing" test ! -e "$T/bad-$name"
    expect_exit 2 "gen bad/$name" "$P" gen "$d" --days 1 --out "$T/bad-$name.csv"
    check "gen bad/$name wrote nothing" test -z "$(ls -A "$T" | grep "bad-$name")"
done
for name in bad_timestamp truncated_last_line unmapped_error; do
    expect_exit 2 "fit bad/$name" "$P" fit $FX/bad/$name/calls.csv --mapping $FX/bad/$name --out "$T/fit-$name"
    check "fit bad/$name names the line" has "$T/err" "calls.csv:"
    check "fit bad/$name wrote nothing" test ! -e "$T/fit-$name"
done

# --- gen -> replay: the same incidents, the same simulation ----------------------------------
expect_exit 0 "gen 20 days" "$P" gen $FX/nhpp --days 20 --out "$T/g/calls.csv"
check "gen prints the [replay] settings" has "$T/out" "service_column = service_min"
check "gen wrote a header and rows" test "$(wc -l <"$T/g/calls.csv")" -gt 500
expect_exit 0 "gen again, same seed" "$P" gen $FX/nhpp --days 20 --out "$T/g2.csv"
check "same seed, identical file" cmp -s "$T/g/calls.csv" "$T/g2.csv"
expect_exit 0 "gen with other units" "$P" gen $FX/nhpp --days 20 --out "$T/g3.csv" --set tables.units=$PWD/$FX/common/units.csv --set dispatch.policy=run_card
check "the stream does not depend on units or dispatch" cmp -s "$T/g/calls.csv" "$T/g3.csv"
expect_exit 0 "gen another replication" "$P" gen $FX/nhpp --days 20 --rep 1 --out "$T/g4.csv"
check "another replication, another stream" sh -c "! cmp -s '$T/g/calls.csv' '$T/g4.csv'"
sed -e '/^\[incidents\]/,$d' -e "s|\.\./common/|$PWD/$FX/common/|" $FX/nhpp/scenario.ini >"$T/g/scenario.ini"
sed -n '/^\[incidents\]/,$p' "$T/out" | sed -e "s|^file = .*|file = calls.csv|" >>"$T/g/scenario.ini"
expect_exit 0 "validate the replay of the generated file" "$P" validate "$T/g"
expect_exit 0 "simulate the nhpp stream" "$P" run $FX/nhpp --reps 1 --trace "$T/t1.csv" --quiet
expect_exit 0 "simulate its replay" "$P" run "$T/g" --reps 1 --trace "$T/t2.csv" --quiet
check "gen -> replay: identical traces" cmp -s "$T/t1.csv" "$T/t2.csv"
expect_exit 0 "fit the generated file" "$P" fit "$T/g/calls.csv" --mapping "$T/g" --out "$T/gf"
for f in arrival_profile.csv grid_weights.csv type_mix.csv; do
    check "fit wrote $f" test -s "$T/gf/$f"
done
check "no seasonal.csv from 20 days" test ! -e "$T/gf/seasonal.csv"
check "fit prints the nhpp settings" has "$T/out" "profile = arrival_profile.csv"
check "arrival_profile.csv has 24 hours x 7 days" test "$(awk -F, 'NF == 8' "$T/gf/arrival_profile.csv" | wc -l)" -eq 25

# --- the real data ------------------------------------------------------------------------------
DATA=../shared/data
SLO=$DATA/slo-pd-calllog-2021-22/slo_pd_calls_2021-09-14_2022-03-15.csv
if [ -f "$SLO" ]; then
    expect_exit 0 "validate slo-replay" "$P" validate scenarios/slo-replay
    check "slo-replay: every row read" has "$T/err" "18914 rows read"
    check "slo-replay: field calls in patrol zones used" has "$T/err" "12730 used"
    expect_exit 0 "run slo-replay" "$P" run scenarios/slo-replay --reps 2 --jobs 2 --out "$T/slo"
    check "slo-replay prints observed vs simulated" has "$T/out" "received -> dispatched"
    check "slo-replay writes the observed section" grep -q "^observed,observed_response_p50_min," "$T/slo/summary.csv"
    # The log's own profile (README): field calls' median received -> arrived is 13 min.
    check "slo-replay: observed median response 13 min" sh -c "grep '^observed,observed_response_p50_min,' '$T/slo/summary.csv' | cut -d, -f4 | awk '{ exit !(\$1 > 12.9 && \$1 < 13.1) }'"
    # fit -> gen -> fit: the profile survives a synthetic round trip.
    expect_exit 0 "fit the SLO log" "$P" fit "$SLO" --mapping scenarios/slo-replay --out "$T/n"
    rate=$(sed -n 's/^rate_per_day = //p' "$T/out")
    mkdir -p "$T/n2"
    sed -e '/^\[incidents\]/,$d' scenarios/slo-replay/scenario.ini >"$T/n/scenario.ini"
    printf '[incidents]\nsource = nhpp\nrate_per_day = %s\nstart = 2021-09-14T07:08\ngrid_weights = grid_weights.csv\ntype_mix = type_mix.csv\n[nhpp]\nprofile = arrival_profile.csv\n' "$rate" >>"$T/n/scenario.ini"
    for f in scenarios/slo-replay/*.csv; do cp "$f" "$T/n/"; done
    expect_exit 0 "gen 182 days from the fitted tables" "$P" gen "$T/n" --days 182 --seed 99 --out "$T/n/calls.csv"
    sed -e '/^\[incidents\]/,$d' "$T/n/scenario.ini" >"$T/n2/scenario.ini"
    sed -n '/^\[incidents\]/,$p' "$T/out" >>"$T/n2/scenario.ini"
    for f in scenarios/slo-replay/*.csv; do cp "$f" "$T/n2/"; done
    expect_exit 0 "fit the generated stream" "$P" fit "$T/n/calls.csv" --mapping "$T/n2" --out "$T/n3"
    paste -d, "$T/n/arrival_profile.csv" "$T/n3/arrival_profile.csv" | awk -F, '
        NR > 1 { for (i = 2; i <= 8; i++) { a = $i; b = $(i + 8); d = a - b; if (d < 0) d = -d; s += d;
                 n++; sa += a; sb += b; saa += a * a; sbb += b * b; sab += a * b } }
        END { printf "%.4f %.4f\n", s / n, (n * sab - sa * sb) / sqrt((n * saa - sa * sa) * (n * sbb - sb * sb)) }' >"$T/rt"
    read mad corr <"$T/rt"
    echo "# SLO fit -> gen -> fit: mean |difference| of the 168 profile factors $mad, correlation $corr"
    check "fit -> gen -> fit: profile factors agree (mean |diff| $mad < 0.15)" \
        awk -v v="$mad" 'BEGIN { exit !(v ~ /^[0-9.]+$/ && v + 0 < 0.15) }'
    check "fit -> gen -> fit: profile correlation $corr > 0.9" \
        awk -v v="$corr" 'BEGIN { exit !(v ~ /^[0-9.]+$/ && v + 0 > 0.9) }'
else
    ok "skipped: slo-replay: $SLO absent"
fi
TP=$DATA/takoma-park-cad-2018-20
if [ -f "$TP/takoma_park_cad_2018-2020.csv" ] && [ -f "$TP/takoma_park_wards.geojson" ]; then
    expect_exit 0 "validate takoma-replay" "$P" validate scenarios/takoma-replay
    check "takoma-replay: one incident per event" has "$T/err" "11735 rows read, 11551 used, 184 skipped"
    check "takoma-replay: 6 ward grids from GeoJSON" has "$T/out" "6 grids"
    expect_exit 0 "run takoma-replay" "$P" run scenarios/takoma-replay --reps 2 --jobs 2 --out "$T/tp"
    check "takoma-replay wrote by_grid.csv for the wards" test "$(wc -l <"$T/tp/by_grid.csv")" -eq 7
else
    ok "skipped: takoma-replay: $TP absent"
fi

finish
