#!/bin/sh
# test_report.sh - --report: report.html and its charts for run and compare;
# SVG well-formed with the expected series; the map draws every grid; the
# compare page shows every variant; the one-line failure without gnuplot;
# and the headless-Chromium check (tests/browser) when Chromium is there.
. tests/lib.sh
D=scenarios/demo
NG=$(($(grep -c . $D/grids.csv) - 1))
NP=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "priority") c = i; next } { print $c }' \
     $D/incident_types.csv | sort -u | grep -c .)

# ids_ok HTML: every id attribute on the page is unique, and every
# in-page reference (href="#X", url(#X)) names one: the charts' SVGs share
# the page, each with its ids prefixed (report_html.c svg_inline).
ids_ok() {
    grep -oE "[[:space:]]id=(\"[^\"]*\"|'[^']*')" "$1" | sed -E "s/^[[:space:]]id=.//; s/.$//" | sort >"$T/ids"
    [ -s "$T/ids" ] || { echo "no ids in $1"; return 1; }
    d=$(uniq -d "$T/ids" | head -3)
    [ -z "$d" ] || { echo "ids repeated: $d"; return 1; }
    grep -oE "href=[\"']#[^\"']*|url\(#[^)]*" "$1" | sed -E 's/^(href=.#|url\(#)//' | sort -u >"$T/refs"
    m=$(comm -23 "$T/refs" "$T/ids" | head -3)
    [ -z "$m" ] || { echo "references to no id: $m"; return 1; }
}

# series DIR ID: the plot elements gnuplot drew in DIR/charts/ID.svg.
series() { grep -o 'id="gnuplot_plot_[0-9a-z]*"' "$1/charts/$2.svg" | wc -l; }
wellformed() {
    for f in "$1"/charts/*.svg; do
        [ -s "$f" ] && xmllint --noout "$f" 2>/dev/null || { echo "not well-formed: $f"; return 1; }
    done
}

expect_exit 0 "run --report writes a report" $P run $D --reps 4 --out "$T/run" --report "$T/run" --quiet
check "report.html exists and is not empty" test -s "$T/run/report.html"
check "every chart SVG is well-formed XML and non-empty" wellformed "$T/run"
check "no external references in report.html" sh -c "! grep -Eq '(src|href)=\"(https?:|//)' '$T/run/report.html'"
check "chart data embedded as JSON" grep -q '<script type="application/json" id="report-data">' "$T/run/report.html"
check "run page: ids unique, every in-page reference resolves" ids_ok "$T/run/report.html"
n=$(grep -c '<figure id="chart-' "$T/run/report.html")
check "6 charts on the run page ($n): spread, ECDF, hours, load, map" test "$n" -eq 5
s=$(series "$T/run" ecdf)
check "ECDF: a band and a line per priority plus targets ($s = 2*$NP+2)" test "$s" -eq $((2 * NP + 2))
s=$(series "$T/run" hours)
check "by hour: response and on-duty, line and band ($s = 4)" test "$s" -eq 4
s=$(series "$T/run" load1)
check "load: bars and error bars for units and grids ($s = 4)" test "$s" -eq 4
s=$(series "$T/run" map)
check "map: 4 panels of $NG grids + bases, labels, 4 tiers, grid labels ($s)" test "$s" -eq $((4 * (NG + 7)))
s=$(series "$T/run" spread); nm=$(grep -c '^[0-9]' "$T/run/charts/spread_ci.dat")
check "spread: box, dots and CI per headline metric ($s = 3*$nm)" test "$s" -eq $((3 * nm))
missing=""
for g in $(tail -n +2 $D/grids.csv | cut -d, -f1); do
    grep -q ">$g<" "$T/run/charts/map.svg" || missing="$missing $g"
done
check "the map draws every grid of $D ($NG grids; missing:$missing)" test -z "$missing"
check "the map shows all four tiers in its legend" sh -c "grep -q '派出所 station' '$T/run/charts/map.svg' && grep -q '驻巡站 post' '$T/run/charts/map.svg'"
check "the charts folder keeps a rerunnable script" grep -q "fmt='png'" "$T/run/charts/map.gp"
check "a script reruns as PNG" sh -c "cd '$T/run/charts' && gnuplot -e \"fmt='png'\" ecdf.gp 2>/dev/null && test -s ecdf.png"
v=$(grep -o 'data-metric="response_mean_min" data-variant="0" data-value="[^"]*"' "$T/run/report.html" | sed 's/.*data-value="//; s/"//')
m=$(awk -F, '$1=="all" && $2=="response_mean_min" {print $4}' "$T/run/summary.csv")
check "key figure on the page equals summary.csv ($v = $m)" test -n "$v" -a "$v" = "$m"
check "labels are bilingual" grep -q '首接率 first-contact rate' "$T/run/report.html"
check "assumptions name the dispatch policy" grep -q 'nearest_idle' "$T/run/report.html"
check "provenance lists input checksums" grep -q "$(sha256sum $D/units.csv | cut -c1-64)" "$T/run/report.html"

J=scenarios/jinan-shizhong
expect_exit 0 "compare --report" $P compare $J/before $J/after --reps 3 --out "$T/cmp" --report "$T/cmp" --quiet
check "compare charts are well-formed" wellformed "$T/cmp"
check "compare page: ids unique, every in-page reference resolves" ids_ok "$T/cmp/report.html"
for v in before after; do
    check "compare page shows variant '$v'" grep -q "<li data-variant=\"[01]\"><b>$v</b>" "$T/cmp/report.html"
done
s=$(series "$T/cmp" forest)
check "forest plot: intervals and labels for the one compared variant ($s = 2)" test "$s" -eq 2
check "side-by-side maps for every variant" sh -c "grep -q 'before: ' '$T/cmp/charts/map_response.svg' && grep -q 'after: ' '$T/cmp/charts/map_response.svg'"
check "a load chart per variant" test -s "$T/cmp/charts/load2.svg"
# A chart of every variant is titled by the variants, not by the first
# variant's scenario (jinan-shizhong before).
for c in hours ecdf map_response; do
    check "compare chart $c is titled 'before vs after'" grep -q 'before vs after: ' "$T/cmp/charts/$c.svg"
    check "... not after the first variant's scenario" sh -c "! grep -q 'jinan-shizhong before: ' '$T/cmp/charts/$c.svg'"
done

# A replay of a real log: its own timings' ECDFs beside the simulated ones.
if [ -d ../shared/data/slo-pd-calllog-2021-22 ]; then
    expect_exit 0 "slo-replay --report" $P run scenarios/slo-replay --reps 2 --report "$T/slo" --quiet
    check "observed vs simulated chart is well-formed" wellformed "$T/slo"
    s=$(grep -c '<g id="gnuplot_plot_' "$T/slo/charts/observed.svg")
    check "observed vs simulated: 3 panels of band, simulated and observed ($s = 9)" test "$s" -eq 9
    check "the observed curves come from the log: a share below 1 at 10 min" \
        awk '$0 ~ /# response observed/ { on = 1; next } on && $1 == 10 { exit !($2 > 0 && $2 < 100) }' "$T/slo/charts/observed.dat"
else
    ok "slo-replay report skipped: ../shared/data is absent"
fi

# A sweep's report: a metric against the first parameter, a line per value of
# the second, and a heat map over both.
expect_exit 0 "sweep --report" $P sweep $D --vary travel.circuity=1.1,1.3,1.5 --vary incidents.rate_per_day=40,60 --reps 3 --horizon-days 5 --out "$T/sw" --report "$T/sw" --quiet
check "sweep charts are well-formed" wellformed "$T/sw"
check "sweep page exists" test -s "$T/sw/report.html"
check "sweep: a heat map" test -s "$T/sw/charts/sweep-heat.svg"
s=$(grep -c '<g id="gnuplot_plot_' "$T/sw/charts/sweep-1.svg")
check "sweep: response against circuity, one line per call rate ($s = 2)" test "$s" -eq 2
n=$(grep -c '<tr><td>' "$T/sw/report.html")
check "sweep: every point in the table ($n = 6)" test "$n" -eq 6
v=$(awk -F, 'NR == 1 { for (i = 1; i <= NF; i++) if ($i == "response_mean_min.mean") c = i; next } NR == 2 { printf "%.4g", $c }' "$T/sw/sweep.csv")
check "sweep: the first point's mean response ($v) is on the page as in sweep.csv" grep -q "<td>$v \[" "$T/sw/report.html"

# A run shorter than half an hour measures no units on duty: the by-hour
# chart still draws (its axis for them found no point; plots/hours.gp).
expect_exit 0 "--report on a run of 15 minutes" $P run $D --horizon-days 0.01 --warmup-days 0 \
    --reps 2 --quiet --out "$T/short" --report "$T/short"
check "... with its by-hour chart" test -s "$T/short/charts/hours.svg"

# Without gnuplot: one line, before any simulation; run without --report needs none.
mkdir -p "$T/nogp"
PATH="$T/nogp" expect_exit 1 "--report without gnuplot fails" $P run $D --reps 2 --report "$T/x"
check "... with one line naming the package" test "$(cat "$T/err")" = "patrolsim: --report needs gnuplot: apt-get install gnuplot-nox"
check "... and writes nothing" test ! -e "$T/x"
PATH="$T/nogp" expect_exit 0 "run without --report needs no gnuplot" $P run $D --reps 2 --quiet

# The real browser (tools/test-deps.sh installs it).
why=""
[ -x /usr/bin/chromium ] || why="no /usr/bin/chromium (apt-get install chromium)"
[ -z "$why" ] && ! command -v node >/dev/null 2>&1 && why="no node (apt-get install nodejs npm)"
[ -z "$why" ] && [ ! -d node_modules/playwright-core ] && why="no node_modules/playwright-core (npm ci)"
if [ -n "$why" ]; then
    echo "SKIP browser test skipped: $why"
else
    mkdir -p results/screenshots
    for what in "run:$T/run:" "compare:$T/cmp:before after"; do
        name=${what%%:*}; rest=${what#*:}; dir=${rest%%:*}; vars=${rest#*:}
        # shellcheck disable=SC2086
        out=$(node tests/browser/check_report.js "$dir" "$dir" "results/screenshots/$name" $vars 2>&1)
        echo "$out" | grep -E '^(PASS|FAIL)' | sed "s/^\(PASS\|FAIL\) /\1 browser $name: /" > "$T/b"
        cat "$T/b"
        pass=$((pass + $(grep -c '^PASS' "$T/b"))); fail=$((fail + $(grep -c '^FAIL' "$T/b")))
        echo "$out" | grep -qE '^[0-9]+ passed, 0 failed$' || bad "browser $name: $(echo "$out" | tail -n 1)"
    done
fi
finish
