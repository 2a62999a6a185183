#!/bin/sh
# Derives the CUMCM 2011-B scenarios (city, district-a, district-a-alt) from
# the contest data in ../shared/data/cumcm-2011b-platforms (README.md there):
# map units (1 unit = 100 m) become km, junctions become demand points and
# grids, platforms become facilities with one car each.
#
# Usage: generate.sh [DATA_DIR [OUT_DIR]]
#   DATA_DIR defaults to ../shared/data/cumcm-2011b-platforms beside the
#   repository; OUT_DIR to this script's folder.  Writes OUT_DIR/city,
#   OUT_DIR/district-a and OUT_DIR/district-a-alt (tables only; each
#   scenario.ini is hand-written and left alone).
#
# What is computed here, all by rules stated in README.md:
#   - road_nodes.csv, road_edges.csv: the junctions and segments in km; an
#     edge's length is the Euclidean distance of its ends (the data's
#     length_units / 10), as the contest treats every road as straight.
#   - grids.csv: one grid per junction, its Voronoi cell among the variant's
#     junctions cut to the 1.4 km square centred on the junction (so no
#     grid's centroid is more than 1 km from its junction: outer cells would
#     otherwise be long slivers; incidents are at the junctions, so the grids
#     need not tile the area); station = the platform nearest by road (the contest's
#     first question: each platform's responsibility area); weight = the
#     junction's daily incident rate.
#   - points.csv: each junction as a demand point (x, y km, weight = daily
#     incident rate, grid = its own grid).
#   - facilities.csv, units.csv: each platform as a facility (tier station:
#     it is responsible for its grids) with one car.
#   - district-a-alt: A's 20 platforms plus platforms added by the greedy
#     maximal-covering rule: while some junction is beyond 3 minutes (3 km at
#     60 km/h) of every platform, add a platform at the junction that brings
#     the largest uncovered daily incident rate within 3 minutes (ties: the
#     lowest junction id).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
DATA=${1:-$here/../../../shared/data/cumcm-2011b-platforms}
OUT=${2:-$here}
for f in nodes.csv edges.csv platforms.csv; do
    [ -r "$DATA/$f" ] || { echo "generate.sh: cannot read $DATA/$f (the CUMCM 2011-B data; see scenarios/cumcm-2011b/README.md)" >&2; exit 1; }
done
LC_ALL=C
export LC_ALL

# variant NAME SCOPE ADD: SCOPE = all | A (district A's nodes and its own
# edges); ADD = 1 adds platforms by the greedy covering rule.
variant() {
    name=$1 scope=$2 add=$3
    dir=$OUT/$name
    mkdir -p "$dir"
    awk -F, -v scope="$scope" -v add="$add" -v dir="$dir" '
    FILENAME ~ /nodes\.csv$/ && FNR > 1 {
        if (scope == "A" && $4 != "A") next
        n++; id[n] = $1; ix[$1] = n; X[n] = $2 / 10; Y[n] = $3 / 10; dist[n] = $4; rate[n] = $5
        next
    }
    FILENAME ~ /edges\.csv$/ && FNR > 1 {
        if (!($1 in ix) || !($2 in ix)) next
        m++; ea[m] = ix[$1]; eb[m] = ix[$2]
        next
    }
    FILENAME ~ /platforms\.csv$/ && FNR > 1 {
        if (!($2 in ix)) next
        np++; pid[np] = $1; pnode[np] = ix[$2]
        next
    }
    function len(a, b) { return sqrt((X[a] - X[b]) ^ 2 + (Y[a] - Y[b]) ^ 2) }
    # Multi-source Dijkstra (O(n^2), n <= 582): near[v] = the platform nearest
    # by road, ties to the platform listed first.
    function nearest(   i, v, u, k, best, nd) {
        for (v = 1; v <= n; v++) { d[v] = 1e300; near[v] = 0; done[v] = 0 }
        for (k = 1; k <= np; k++)
            if (d[pnode[k]] > 0) { d[pnode[k]] = 0; near[pnode[k]] = k }
        for (i = 1; i <= n; i++) {
            u = 0; best = 1e301
            for (v = 1; v <= n; v++)
                if (!done[v] && d[v] < best) { best = d[v]; u = v }
            if (!u) break
            done[u] = 1
            for (k = 1; k <= deg[u]; k++) {
                v = adj[u, k]; nd = d[u] + w[u, k]
                if (nd < d[v] - 1e-12 || (nd <= d[v] + 1e-12 && near[u] < near[v])) {
                    if (!done[v]) { d[v] = nd; near[v] = near[u] }
                }
            }
        }
    }
    # All-pairs road distances by Floyd-Warshall (district A only: 92 nodes).
    function allpairs(   i, j, k, dik) {
        for (i = 1; i <= n; i++) for (j = 1; j <= n; j++) D[i, j] = (i == j) ? 0 : 1e300
        for (k = 1; k <= m; k++) {
            if (len(ea[k], eb[k]) < D[ea[k], eb[k]]) D[ea[k], eb[k]] = D[eb[k], ea[k]] = len(ea[k], eb[k])
        }
        for (k = 1; k <= n; k++) for (i = 1; i <= n; i++) {
            dik = D[i, k]
            if (dik >= 1e300) continue
            for (j = 1; j <= n; j++) if (dik + D[k, j] < D[i, j]) D[i, j] = dik + D[k, j]
        }
    }
    # Greedy maximal covering: add platforms until every junction is within
    # R km of one.
    function greedy_add(R,   i, j, k, c, best, bc, gain, cov) {
        allpairs()
        for (;;) {
            for (i = 1; i <= n; i++) {
                cov[i] = 0
                for (k = 1; k <= np; k++) if (D[pnode[k], i] <= R + 1e-9) { cov[i] = 1; break }
            }
            best = 0; bc = 0
            for (c = 1; c <= n; c++) {
                gain = 0
                for (j = 1; j <= n; j++) if (!cov[j] && D[c, j] <= R + 1e-9) gain += rate[j]
                if (gain > best + 1e-9) { best = gain; bc = c }   # strict: ties keep the lowest id
            }
            if (!bc) break
            np++; pid[np] = "N" ++added; pnode[np] = bc
            printf "district-a-alt: added platform %s at junction %s (covers %.1f incidents/day newly)\n", pid[np], id[bc], best > "/dev/stderr"
        }
    }
    # Sutherland-Hodgman clip of polygon (px, py, pn) by a.x + b.y <= c.
    function clip(a, b, c,   i, j, si, sj, k, t) {
        k = 0
        for (i = 1; i <= pn; i++) {
            j = i % pn + 1
            si = a * px[i] + b * py[i] - c; sj = a * px[j] + b * py[j] - c
            if (si <= 0) { k++; qx[k] = px[i]; qy[k] = py[i] }
            if ((si < 0 && sj > 0) || (si > 0 && sj < 0)) {
                t = si / (si - sj); k++
                qx[k] = px[i] + t * (px[j] - px[i]); qy[k] = py[i] + t * (py[j] - py[i])
            }
        }
        pn = 0
        for (i = 1; i <= k; i++) {
            # Drop vertices that repeat the previous one up to rounding.
            if (pn && (qx[i] - px[pn]) ^ 2 + (qy[i] - py[pn]) ^ 2 < 1e-16) continue
            pn++; px[pn] = qx[i]; py[pn] = qy[i]
        }
        while (pn > 1 && (px[pn] - px[1]) ^ 2 + (py[pn] - py[1]) ^ 2 < 1e-16) pn--
    }
    END {
        for (k = 1; k <= m; k++) {
            a = ea[k]; b = eb[k]
            deg[a]++; adj[a, deg[a]] = b; w[a, deg[a]] = len(a, b)
            deg[b]++; adj[b, deg[b]] = a; w[b, deg[b]] = len(a, b)
        }
        if (add) greedy_add(3.0)
        nearest()
        R = 0.7     # half-side of the square a grid is cut from, km

        f = dir "/road_nodes.csv"
        print "id,x,y,district" > f
        for (i = 1; i <= n; i++) printf "%s,%.2f,%.2f,%s\n", id[i], X[i], Y[i], dist[i] > f
        f = dir "/road_edges.csv"
        print "from,to,length_km" > f
        for (k = 1; k <= m; k++) printf "%s,%s,%.7f\n", id[ea[k]], id[eb[k]], len(ea[k], eb[k]) > f
        f = dir "/points.csv"
        print "id,x,y,weight,grid" > f
        for (i = 1; i <= n; i++) printf "%s,%.2f,%.2f,%s,%s\n", id[i], X[i], Y[i], rate[i], id[i] > f
        f = dir "/facilities.csv"
        print "id,name,tier,x,y" > f
        for (k = 1; k <= np; k++)
            printf "%s,platform %s at junction %s,station,%.2f,%.2f\n", pid[k], pid[k], id[pnode[k]], X[pnode[k]], Y[pnode[k]] > f
        f = dir "/units.csv"
        print "id,base,home_grids,officers,auxiliaries,mode" > f
        for (k = 1; k <= np; k++) {
            h = ""
            for (i = 1; i <= n; i++) if (near[i] == k) h = h (h == "" ? "" : ";") id[i]
            printf "car-%s,%s,%s,1,1,car\n", pid[k], pid[k], h > f
        }
        f = dir "/grids.csv"
        print "id,weight,station,polygon" > f
        for (i = 1; i <= n; i++) {
            pn = 4
            px[1] = X[i] - R; py[1] = Y[i] - R; px[2] = X[i] + R; py[2] = Y[i] - R
            px[3] = X[i] + R; py[3] = Y[i] + R; px[4] = X[i] - R; py[4] = Y[i] + R
            for (j = 1; j <= n && pn >= 3; j++) {
                # A bisector farther than the square'"'"'s corner cannot cut it.
                if (j == i || len(i, j) > 2 * R * 1.4143) continue
                # Closer to i than to j: 2 (xj - xi) x + 2 (yj - yi) y <= |j|^2 - |i|^2.
                clip(2 * (X[j] - X[i]), 2 * (Y[j] - Y[i]), X[j] ^ 2 + Y[j] ^ 2 - X[i] ^ 2 - Y[i] ^ 2)
            }
            poly = ""
            for (k = 1; k <= pn; k++) poly = poly (k > 1 ? "; " : "") sprintf("%.9f %.9f", px[k], py[k])
            printf "%s,%s,%s,\"%s\"\n", id[i], rate[i], pid[near[i]], poly > f
        }
    }' "$DATA/nodes.csv" "$DATA/edges.csv" "$DATA/platforms.csv"
}

variant city all 0
variant district-a A 0
variant district-a-alt A 1
