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

# --- coverage on the toy network (tests/fixtures/cov_toy/scenario.ini) ---------
# From B1 (n1): n1 0, n2 1, n3 2, n4 3, n5 3.5, n6 2.5 min; from B2 (n4): n4 0,
# n3 1, n2 2, n1 3, n5 4.5, n6 2.5.  Nearest: n1 B1 0, n2 B1 1, n3 B2 1, n4 B2 0,
# n5 B1 3.5, and n6 a tie at 2.5 that goes to B1, listed first.  Weights 1, 2,
# 0.5, 1.25, 3, 0.25 (8): B1 carries 6.25, B2 1.75; B3 has no unit.
TOY=tests/fixtures/cov_toy
expect_exit 0 "coverage of the toy" "$P" coverage "$TOY" --out "$T/cov"
check "toy: 5 of 6 points, 62.5% of demand within the types' 3 min" \
    grep -qx "covered: 5 of 6 points (62.5% of demand) within 3 min" "$T/out"
check "toy: n5 is beyond, 3.5 min from B1" grep -q "^  n5  *3.500 min from B1 (demand 3)$" "$T/out"
check "toy: loads min 1.75, max 6.25, mean 4, sd 2.25 over the 2 bases with units" \
    grep -q "2 bases, min 1.75, max 6.25, mean 4, sd 2.25$" "$T/out"
check "toy: coverage.csv rows" sh -c "grep -qx 'n3,2,0,0.5,B2,1.000000,1' '$T/cov/coverage.csv' &&
    grep -qx 'n5,1,2,3,B1,3.500000,0' '$T/cov/coverage.csv' && grep -qx 'n1,0,0,1,B1,0.000000,1' '$T/cov/coverage.csv'"
check "toy: the tie at n6 goes to the base listed first" grep -qx 'n6,1.5,-1,0.25,B1,2.500000,1' "$T/cov/coverage.csv"
check "toy: coverage_by_base.csv" sh -c "grep -qx 'B1,6.25,0.781250,4,3.500000' '$T/cov/coverage_by_base.csv' &&
    grep -qx 'B2,1.75,0.218750,2,1.000000' '$T/cov/coverage_by_base.csv' && ! grep -q '^B3,' '$T/cov/coverage_by_base.csv'"
check "toy: the output folder is a patrolsim set (manifest)" test -f "$T/cov/manifest.txt"
expect_exit 0 "coverage --target 0.5" "$P" coverage "$TOY" --target 0.5
check "toy at 0.5 min: only the bases' own junctions" \
    grep -qx "covered: 2 of 6 points (28.1% of demand) within 0.5 min" "$T/out"
expect_exit 0 "coverage --target 3.5" "$P" coverage "$TOY" --target 3.5
check "toy at 3.5 min: n5 at exactly 3.5 counts as covered" \
    grep -qx "covered: 6 of 6 points (100.0% of demand) within 3.5 min" "$T/out"
for bad_t in 0 -1 abc 3x inf; do
    expect_exit 2 "coverage --target $bad_t refused" "$P" coverage "$TOY" --target "$bad_t"
    check "... the message names --target and the value" grep -q -- "--target: expected minutes > 0, got '$bad_t'" "$T/err"
done
expect_exit 2 "coverage without a scenario" "$P" coverage
expect_exit 0 "coverage --help" "$P" coverage --help
check "coverage --help goes to stdout" grep -q "^usage: patrolsim coverage" "$T/out"

expect_exit 0 "coverage --charts" "$P" coverage "$TOY" --out "$T/covc" --charts
for f in coverage_map coverage_load; do
    check "$f.svg and its script are in the set" sh -c "test -s '$T/covc/$f.svg' && grep -qx '$f.svg' '$T/covc/manifest.txt' && grep -qx '$f.gp' '$T/covc/manifest.txt'"
    if command -v xmllint >/dev/null 2>&1; then
        check "$f.svg is well-formed XML" xmllint --noout "$T/covc/$f.svg"
    fi
done
check "the map marks the point beyond the target" grep -q '^1 2 0 "n5"$' "$T/covc/coverage_map.gp"
check "the map draws the 6 road segments" sh -c "test \$(sed -n '/^\\\$roads/,/^EOD/p' '$T/covc/coverage_map.gp' | grep -c '^[0-9]') -eq 12"
expect_exit 2 "coverage --charts without --out" "$P" coverage "$TOY" --charts
check "... says so" grep -q -- "--charts needs --out" "$T/err"
# Grid centroids when there are no points: G1's at S1 (0 min), G2's 2.5 km
# away at 40 km/h (3.75 min); weights 3 and 1.
expect_exit 0 "coverage of grid centroids" "$P" coverage tests/fixtures/cov_grids
check "grid centroids: 1 of 2, 75% of demand within 3 min" grep -qx "covered: 1 of 2 points (75.0% of demand) within 3 min" "$T/out"
check "grid centroids: G2 at 3.75 min" grep -q "^  G2  *3.750 min from S1 (demand 1)$" "$T/out"

# --- blockade on the toy ------------------------------------------------------
# n3 and n5 with U1, U3 at B1 and U2 at B2: n5 needs a B1 car (3.5); the
# smallest total at that sealing time sends U2 to n3 (1, not 2).
expect_exit 0 "blockade of n3, n5" "$P" blockade "$TOY" --points "$TOY/seal-two.csv" --out "$T/blk"
check "toy: sealing time 3.5 min" grep -q "^sealing time: 3.500 min (the last point sealed: n5); total travel 4.500 min$" "$T/out"
check "toy: U2 seals n3" grep -q "^  n3  *U2  *B2  *1.000$" "$T/out"
check "toy: blockade.csv" grep -qx "n3,2,0,U2,B2,1.000000" "$T/blk/blockade.csv"
# Two units only, P2 (n2) and P5 (n5): greedy nearest-first sends U1 to n2
# (1 min) and leaves n5 to U2 (4.5); the bottleneck optimum is 3.5 (U1 -> n5,
# U2 -> n2 at 2).  --where drops P1; node_id and id columns are used.
expect_exit 0 "blockade with --where and two units" "$P" blockade "$TOY" \
    --points "$TOY/seal-scoped.csv" --where scope=x --set tables.units=units-two.csv
check "toy: not greedy: 3.5 min, U2 to P2" sh -c "grep -q '^sealing time: 3.500 min' '$T/out' &&
    grep -q '^  P2  *U2  *B2  *2.000$' '$T/out' && ! grep -q '^  P1 ' '$T/out'"
expect_exit 0 "blockade of an x,y point" "$P" blockade "$TOY" --points "$TOY/seal-xy.csv"
check "toy: (1, 0.1) is n2 plus a 0.1 km off-road leg: 1.1 min" grep -q "^sealing time: 1.100 min" "$T/out"
expect_exit 2 "blockade: 4 points, 3 units" "$P" blockade "$TOY" --points "$TOY/seal-four.csv"
check "... says so" grep -q "4 points but only 3 units" "$T/err"
expect_exit 2 "blockade: unknown node" "$P" blockade "$TOY" --points "$TOY/seal-unknown.csv"
check "... names file:line, column and node" grep -q "seal-unknown.csv:3: column 1 'node': unknown road node 'n9'" "$T/err"
expect_exit 2 "blockade: no point columns" "$P" blockade "$TOY" --points "$TOY/seal-nocol.csv"
check "... says which columns" grep -q "seal-nocol.csv:1: expected a column node or node_id" "$T/err"
expect_exit 2 "blockade: --where on a missing column" "$P" blockade "$TOY" --points "$TOY/seal-two.csv" --where scope=A
check "... names the column" grep -q "no column 'scope'" "$T/err"
expect_exit 2 "blockade: --where without =" "$P" blockade "$TOY" --points "$TOY/seal-two.csv" --where scope
expect_exit 2 "blockade: --where selects nothing" "$P" blockade "$TOY" --points "$TOY/seal-scoped.csv" --where scope=z
check "... says so" grep -q "no points with scope=z" "$T/err"
expect_exit 2 "blockade without --points" "$P" blockade "$TOY"
expect_exit 2 "blockade: missing points file" "$P" blockade "$TOY" --points "$T/nope.csv"
check "... names it" grep -q "nope.csv" "$T/err"
expect_exit 2 "blockade: node ids on a metric scenario" "$P" blockade "$FX" --points "$TOY/seal-two.csv"
check "... needs a road network" grep -q "has no road network" "$T/err"

# --- CUMCM 2011-B (scenarios/cumcm-2011b; needs ../shared/data) ---------------
C=scenarios/cumcm-2011b
DATA=../shared/data/cumcm-2011b-platforms
if [ -r "$DATA/nodes.csv" ]; then
    sh "$C/generate.sh" "$DATA" "$T/cumcm" 2>/dev/null
    for v in city district-a district-a-alt; do
        check "bundled cumcm $v tables match generate.sh" diff -r -q "$C/$v" "$T/cumcm/$v" -x scenario.ini -x incident_types.csv
    done
else
    echo "SKIP CUMCM generator check: $DATA not found (the contest data; see $C/README.md)"
fi
# An independent oracle: multi-source Dijkstra in awk over the bundled road
# tables (O(n^2)), the nearest platform by road (ties to the one listed
# first) and its time at 60 km/h, against coverage.csv.
oracle() {
    awk -F, -v out="$2" '
    FILENAME ~ /road_nodes/ && FNR > 1 { n++; ix[$1] = n; id[n] = $1; next }
    FILENAME ~ /road_edges/ && FNR > 1 { a = ix[$1]; b = ix[$2]
        deg[a]++; adj[a, deg[a]] = b; w[a, deg[a]] = $3
        deg[b]++; adj[b, deg[b]] = a; w[b, deg[b]] = $3; next }
    FILENAME ~ /facilities/ && FNR > 1 { np++; fid[np] = $1; fx[np] = $4; fy[np] = $5; next }
    FILENAME ~ /points/ && FNR > 1 { pn++; pid[pn] = $1; px[pn] = $2; py[pn] = $3; next }
    END {
        for (v = 1; v <= n; v++) d[v] = 1e300
        for (k = np; k >= 1; k--)
            for (p = 1; p <= pn; p++)
                if (px[p] == fx[k] && py[p] == fy[k]) { v = ix[pid[p]]; d[v] = 0; near[v] = k }
        for (i = 1; i <= n; i++) {
            u = 0; best = 1e301
            for (v = 1; v <= n; v++) if (!done[v] && d[v] < best) { best = d[v]; u = v }
            if (!u) break
            done[u] = 1
            for (k = 1; k <= deg[u]; k++) { v = adj[u, k]; nd = d[u] + w[u, k]
                if (!done[v] && (nd < d[v] - 1e-9 || (nd <= d[v] + 1e-9 && near[u] < near[v]))) { d[v] = nd; near[v] = near[u] } }
        }
        for (p = 1; p <= pn; p++) { v = ix[pid[p]]; printf "%s,%s,%.6f,%d\n", pid[p], fid[near[v]], d[v], d[v] <= 3 * (1 + 1e-9) > out }
    }' "$1/road_nodes.csv" "$1/road_edges.csv" "$1/facilities.csv" "$1/points.csv"
}
for v in district-a district-a-alt city; do
    expect_exit 0 "coverage of cumcm $v" "$P" coverage "$C/$v" --out "$T/cov-$v"
    oracle "$C/$v" "$T/oracle-$v.csv"
    awk -F, 'NR > 1 { print $1 "," $5 "," $6 "," $7 }' "$T/cov-$v/coverage.csv" > "$T/got-$v.csv"
    check "cumcm $v: nearest platform, time and covered flag agree with the awk Dijkstra for every junction" \
        cmp -s "$T/oracle-$v.csv" "$T/got-$v.csv"
    # The generator's responsibility areas (grids.csv station) are the same.
    awk -F, 'NR > 1 { print $1 "," $3 }' "$C/$v/grids.csv" > "$T/st-$v.csv"
    awk -F, 'NR > 1 { print $1 "," $5 }' "$T/cov-$v/coverage.csv" > "$T/nr-$v.csv"
    check "cumcm $v: each junction's grid station is its nearest platform" cmp -s "$T/st-$v.csv" "$T/nr-$v.csv"
    k=$(awk -F, 'NR > 1 && $7 == 1' "$T/cov-$v/coverage.csv" | wc -l)
    n=$(awk -F, 'NR > 1' "$T/cov-$v/coverage.csv" | wc -l)
    check "cumcm $v: the summary line counts coverage.csv ($k of $n)" grep -q "^covered: $k of $n points" "$T/out"
    [ "$v" = city ] || echo "# cumcm $v: $(grep '^covered:' "$T/out"); beyond: $(awk -F, 'NR > 1 && $7 == 0 { printf "%s ", $1 }' "$T/cov-$v/coverage.csv")"
done
"$P" coverage "$C/district-a-alt" >"$T/out" 2>/dev/null
check "cumcm district-a-alt: the greedy additions close every 3-minute gap" \
    grep -q "^covered: 92 of 92 points (100.0% of demand)" "$T/out"
if [ -r "$DATA/exits.csv" ]; then
    expect_exit 0 "blockade of district A's 13 exits" "$P" blockade "$C/district-a" \
        --points "$DATA/exits.csv" --where scope=A --out "$T/blk-a"
    check "13 exits assigned to 13 distinct cars" sh -c "test \$(awk -F, 'NR > 1 { print \$4 }' '$T/blk-a/blockade.csv' | sort -u | wc -l) -eq 13"
    # Optimality, independently: with only the pairs faster than the sealing
    # time, a maximum matching (Kuhn's augmenting paths, in awk) leaves an
    # exit unsealed; with the pairs up to it, all 13 are matched.
    B=$(awk -F, 'NR > 1 && $6 > b { b = $6 } END { print b }' "$T/blk-a/blockade.csv")
    match() {
        awk -F, -v B="$B" -v strict="$1" '
        FILENAME ~ /road_nodes/ && FNR > 1 { n++; ix[$1] = n; at[$2 "," $3] = n; next }
        FILENAME ~ /road_edges/ && FNR > 1 { a = ix[$1]; b = ix[$2]
            deg[a]++; adj[a, deg[a]] = b; w[a, deg[a]] = $3; deg[b]++; adj[b, deg[b]] = a; w[b, deg[b]] = $3; next }
        FILENAME ~ /facilities/ && FNR > 1 { nf++; fnode[nf] = at[$4 "," $5]; next }
        FILENAME ~ /exits/ && FNR > 1 && $1 == "A" { ne++; ex[ne] = ix[$3]; next }
        function dij(s,   i, v, u, best, k, nd) {
            for (v = 1; v <= n; v++) { d[v] = 1e300; dn[v] = 0 }
            d[s] = 0
            for (i = 1; i <= n; i++) { u = 0; best = 1e301
                for (v = 1; v <= n; v++) if (!dn[v] && d[v] < best) { best = d[v]; u = v }
                if (!u) break
                dn[u] = 1
                for (k = 1; k <= deg[u]; k++) { v = adj[u, k]; nd = d[u] + w[u, k]; if (nd < d[v]) d[v] = nd } }
        }
        function aug(e,   k) {
            for (k = 1; k <= nf; k++) if (ok[e, k] && !seen[k]) { seen[k] = 1
                if (!mt[k] || aug(mt[k])) { mt[k] = e; return 1 } }
            return 0
        }
        END {
            for (k = 1; k <= nf; k++) { dij(fnode[k]); for (e = 1; e <= ne; e++) {
                t = d[ex[e]]; ok[e, k] = strict ? (t < B - 1e-6) : (t <= B + 1e-6) } }
            m = 0
            for (e = 1; e <= ne; e++) { split("", seen); m += aug(e) }
            print m
        }' "$C/district-a/road_nodes.csv" "$C/district-a/road_edges.csv" "$C/district-a/facilities.csv" \
           "$DATA/exits.csv"
    }
    check "blockade: all 13 exits can be sealed within $B min (awk matching)" test "$(match 0)" -eq 13
    check "blockade: no assignment seals all 13 faster than $B min (awk matching)" test "$(match 1)" -lt 13
    echo "# cumcm district-a blockade: $(grep '^sealing time' "$T/out")"
else
    echo "SKIP CUMCM blockade: $DATA/exits.csv not found"
fi

finish
