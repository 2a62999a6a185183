#!/bin/sh
# test_coverage.sh - demand points ([incidents] location = points), and the
# coverage and blockade commands on hand-checkable toy networks, their bad
# input, and the CUMCM 2011-B scenarios (skipped without the data).
. tests/lib.sh

# --- location = points: incidents at the points, in proportion to weight ------
FX=tests/fixtures/cov_points
expect_exit 0 "gen from a points scenario" "$P" gen "$FX" --days 200 --out "$T/g.csv"
# Weights 2.25, 0.75, 1 of 4: shares 0.5625, 0.1875, 0.25; ~9700 incidents give
# a standard error of 0.005, so 0.02 is four of them.
awk -F, 'NR > 1 { n++; c[$5 "@" $6 "," $7]++ }
    END { ok = n > 9000
          ok = ok && (c["G1@0.500000,0.500000"] / n - 0.5625) ^ 2 < 0.02 ^ 2
          ok = ok && (c["G2@3.750000,1.500000"] / n - 0.1875) ^ 2 < 0.02 ^ 2
          ok = ok && (c["G2@4.500000,0.250000"] / n - 0.25) ^ 2 < 0.02 ^ 2
          ok = ok && length(c) == 3
          exit !ok }' "$T/g.csv"
check "incidents fall on the three points, shares as weights, in their grids" test $? -eq 0
"$P" gen "$FX" --days 200 --out "$T/g2.csv" >/dev/null 2>&1
check "the same seed gives the same stream" cmp -s "$T/g.csv" "$T/g2.csv"
expect_exit 0 "run a points scenario" "$P" run "$FX" --quiet --out "$T/run-points"

finish
