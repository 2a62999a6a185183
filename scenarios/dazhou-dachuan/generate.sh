#!/bin/sh
# Writes the shared geography and the police of scenarios/dazhou-dachuan/before
# and after (and the grid network of after).  Every number is listed, with its
# source or as an assumption, in README.md; change a number there and here.
# Usage: sh scenarios/dazhou-dachuan/generate.sh   (from the repository root
# or from this folder).  Deterministic: the same script gives the same files.
set -eu
D=$(cd "$(dirname "$0")" && pwd)
mkdir -p "$D/before" "$D/after"

# Layout (assumption): 16 x 13 community grids of 0.5 km = 208 grids, one per
# grid leader ("全区各单位选派208名干部、员工担任网格长", 002).  4 stations, each
# 4 columns wide; in each station 2 column pairs x 4 row blocks (rows 1-3,
# 4-6, 7-9, 10-13) make 8 communities (社区) = 8 police grids (警格) of one
# community officer, 32 in all.  Calls per day: RATE, split by a density that
# peaks in the old town at (3.5, 3.5) km.
RATE=60

awk -v rate="$RATE" -v out="$D" '
function blk(r) { return r <= 3 ? 1 : r <= 6 ? 2 : r <= 9 ? 3 : 4 }
BEGIN {
    cols = 16; rows = 13; s = 0.5
    # grids: id G<row><col>, row 01 in the south, col 01 in the west
    for (r = 1; r <= rows; r++) for (c = 1; c <= cols; c++) {
        x = (c - 0.5) * s; y = (r - 0.5) * s
        d2 = (x - 3.5) ^ 2 + (y - 3.5) ^ 2
        w[r, c] = 1 + 1.5 * exp(-d2 / (2 * 1.5 ^ 2))
        tot += w[r, c]
    }
    g = out "/before/grids.csv"
    print "id,name,station,police_grid,weight,xmin,ymin,xmax,ymax" > g
    for (r = 1; r <= rows; r++) for (c = 1; c <= cols; c++) {
        st = int((c - 1) / 4) + 1
        cm = sprintf("CM%d%d%d", st, int(((c - 1) % 4) / 2) + 1, blk(r))
        id = sprintf("G%02d%02d", r, c)
        printf "%s,社区网格 %s,ST%d,%s,%.3f,%g,%g,%g,%g\n", id, id, st, cm,
            rate * w[r, c] / tot, (c - 1) * s, (r - 1) * s, c * s, r * s > g
    }
    close(g)

    # facilities: 4 stations in the middle of their column band; one
    # community office (社区警务室 in the community centre) per community.
    f = out "/before/facilities.csv"
    print "id,name,tier,x,y,parent" > f
    for (st = 1; st <= 4; st++)
        printf "ST%d,派出所%d,station,%g,%g,\n", st, st, (st - 1) * 2 + 1, 3.25 > f
    for (st = 1; st <= 4; st++) for (p = 1; p <= 2; p++) for (b = 1; b <= 4; b++) {
        r0 = (b - 1) * 3; r1 = b == 4 ? 13 : b * 3
        printf "CM%d%d%d,社区%d-%d-%d 警务室,office,%g,%g,ST%d\n", st, p, b, st, p, b,
            ((st - 1) * 4 + (p - 1) * 2 + 1) * s, (r0 + r1) / 2 * s, st > f
    }
    close(f)

    u = out "/before/units.csv"
    print "id,name,role,base,home_grids,officers,auxiliaries,mode,roster,squad,between_calls" > u
    # community officers: one per community (警格), weekdays 08:30-17:30 with
    # the days off spread over the week
    k = 0
    for (st = 1; st <= 4; st++) for (p = 1; p <= 2; p++) for (b = 1; b <= 4; b++) {
        cm = sprintf("CM%d%d%d", st, p, b)
        printf "%s-mj,%s 社区民警,community,%s,%s,1,1,ebike,RC,%d,community\n",
            cm, cm, cm, cm, k % 7 > u
        k++
    }
    # station duty crews: 2 cars on duty round the clock (4 squads x 2)
    for (st = 1; st <= 4; st++) for (q = 0; q < 4; q++) for (n = 1; n <= 2; n++)
        printf "ST%d-duty-%d-%d,派出所%d 值班车 第%d班 %d,station_duty,ST%d,,1,1,car,R24,%d,base\n",
            st, q, n, st, q + 1, n, st, q > u
    # case teams: 2 units x 2 officers per station, weekdays
    for (st = 1; st <= 4; st++) for (n = 1; n <= 2; n++)
        printf "ST%d-case-%d,派出所%d 办案队 %d,case_team,ST%d,,2,0,car,RW,0,base\n",
            st, n, st, n, st > u
    close(u)
}'

# Tables that are the same in both variants.
cat >"$D/before/rosters.csv" <<'EOF'
id,pattern
RC,C C C C C - -
RW,W W W W W - -
R24,X - - -
EOF
cat >"$D/before/shifts.csv" <<'EOF'
code,start_h,hours
C,8.5,9
W,8.5,9
X,8,24
EOF
for f in grids.csv facilities.csv units.csv rosters.csv shifts.csv; do
    cp "$D/before/$f" "$D/after/$f"
done

# after/: the grid network (三级管理体系), three rows per community grid, all
# home units (A) of their grid; between calls their routine work in it
# (population checks, legal education, opinions: between_calls = community,
# visits in the grid; grid workers are left out of the community metrics):
# - 网格长 (grid leader), a seconded cadre: weekdays 08:30-17:30, e-bike;
#   14 of the 208 are police officers (002), here the 14 busiest grids (ties
#   by id).  Grid workers are civilian in the format (officers = 0), so the 14
#   are marked in the name only.
# - 小区长 (compound leaders), 2 a grid, and 楼栋长 (building leaders), 4 a
#   grid (counts assumed): residents with day jobs, on call 18:00-22:00 on
#   weekdays and 09:00-21:00 at weekends, on foot.
sort -t, -k5,5nr -k1,1 "$D/before/grids.csv" | grep -v '^id,' | head -14 | cut -d, -f1 >"$D/.police14"
awk -F, 'NR == 1 { print $0 ",members,count"; next } { print $0 ",,1" }' \
    "$D/before/units.csv" >"$D/after/units.csv"
awk -F, -v p14="$D/.police14" '
BEGIN { while ((getline l < p14) > 0) pol[l] = 1 }
NR > 1 {
    g = $1; cm = $4
    printf "%s-wgz,%s %s,grid_worker,%s,%s,0,0,ebike,RC,0,community,1,1\n", g, g,
        pol[g] ? "网格长 (民警)" : "网格长", cm, g
    printf "%s-xqz,%s 小区长,grid_worker,%s,%s,0,0,foot,RR,0,community,1,2\n", g, g, cm, g
    printf "%s-ldz,%s 楼栋长,grid_worker,%s,%s,0,0,foot,RR,0,community,1,4\n", g, g, cm, g
}' "$D/before/grids.csv" >>"$D/after/units.csv"
rm -f "$D/.police14"
printf 'RR,E E E E E S S\n' >>"$D/after/rosters.csv"
printf 'E,18,4\nS,9,12\n' >>"$D/after/shifts.csv"
