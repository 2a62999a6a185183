#!/bin/sh
# The before/after table of README.md: runs both variants on the same seed and
# replications (common random numbers: replication r of each sees the same
# exogenous calls), then prints each metric's mean with its 95% t-interval
# half-width and the paired difference after - before with its half-width.
# Usage: sh scenarios/dazhou-dachuan/measure.sh [REPS] [OUTDIR] [--set ...]
# (from the repository root; extra arguments go to both runs).
set -eu
REPS=${1:-20}
OUT=${2:-results/dazhou-measure}
[ $# -ge 2 ] && shift 2 || shift $#
P=${PATROLSIM:-bin/patrolsim}
S=scenarios/dazhou-dachuan
mkdir -p "$OUT"
for v in before after; do
    if ! "$P" run "$S/$v" --reps "$REPS" --quiet --force --out "$OUT/$v" "$@" 2>"$OUT/$v.err"; then
        cat "$OUT/$v.err" >&2
        echo "measure.sh: patrolsim run $S/$v failed" >&2
        exit 1
    fi
done
# Per replication: pick columns by name; police busy hours = sum over police
# units (role != grid_worker, from by_unit.csv) of utilisation x on-duty hours.
awk -F, -v days=30 '
FNR == 1 { f++ }
f == 1 && FNR > 1 { gsub(/"/, ""); if ($7 != "grid_worker") police[$1] = 1; next }  # police units
f == 2 || f == 3 {
    v = f - 1                                        # 1 before, 2 after
    if (FNR == 1) { for (i = 1; i <= NF; i++) col[v, $i] = i; next }
    r = FNR - 1; n[v] = r
    busy = 0
    for (u in police)
        busy += g(v, "unit.utilisation." u) * g(v, "unit.on_duty_hours." u)
    d = g(v, "type.incidents.dispute")
    gr = g(v, "grid_type.grid_resolved_share.dispute")
    x[v, 1, r] = g(v, "incidents") / days
    x[v, 2, r] = (v, "incidents_exogenous") in col ? g(v, "incidents_exogenous") / days : x[v, 1, r]
    x[v, 3, r] = g(v, "incidents_spawned") / days
    x[v, 4, r] = g(v, "spawned_escalations") / days
    x[v, 5, r] = d / days
    x[v, 6, r] = g(v, "grid_type.grid_first_share.dispute")
    x[v, 7, r] = gr
    x[v, 8, r] = d * (1 - gr) / days
    x[v, 9, r] = d * gr / days * 365
    x[v, 10, r] = ((v, "police_calls") in col ? g(v, "police_calls") : g(v, "incidents")) / days
    x[v, 11, r] = busy / days
    x[v, 12, r] = g(v, "police_hours_saved_per_day")
    x[v, 13, r] = (v, "police_response_mean_min") in col ? g(v, "police_response_mean_min") : g(v, "response_mean_min")
    x[v, 14, r] = g(v, "escalated_police_response_mean_min")
    x[v, 15, r] = g(v, "escalation_delay_mean_min")
    x[v, 16, r] = g(v, "handover_share")
    x[v, 17, r] = g(v, "station_load_per_day")
    x[v, 18, r] = g(v, "community_time_share")
    x[v, 19, r] = g(v, "grid_first_share")
    x[v, 20, r] = g(v, "grid_resolved_share")
    # police response over the calls sent to the police directly (not escalated)
    pc = (v, "police_calls") in col ? g(v, "police_calls") : g(v, "incidents")
    ne = g(v, "grid_escalations")
    x[v, 21, r] = pc > ne ? (pc * x[v, 13, r] - ne * x[v, 14, r]) / (pc - ne) : 0
}
# a column of this row by name; 0 when the variant has no such metric
function g(v, nm) { return ((v, nm) in col) ? $(col[v, nm]) + 0 : 0 }
function tq(k) {   # 97.5% t quantile, k degrees of freedom
    return k >= 120 ? 1.98 : k >= 60 ? 2.000 : k >= 40 ? 2.021 : k >= 30 ? 2.042 : \
           k >= 25 ? 2.060 : k >= 20 ? 2.086 : k >= 19 ? 2.093 : k >= 15 ? 2.131 : \
           k >= 10 ? 2.228 : k >= 9 ? 2.262 : k >= 5 ? 2.571 : k >= 2 ? 4.303 : 12.706
}
function ci(a, b, m,   s, ss, i, mu) {   # mean and half-width of a[b, m, 1..n] or of the paired difference
    s = ss = 0
    for (i = 1; i <= N; i++) s += val(a, b, m, i)
    mu = s / N
    for (i = 1; i <= N; i++) ss += (val(a, b, m, i) - mu) ^ 2
    return sprintf("%.4g ± %.2g", mu, N > 1 ? tq(N - 1) * sqrt(ss / (N - 1) / N) : 0)
}
function val(a, b, m, i) { return a == 0 ? x[2, m, i] - x[1, m, i] : x[a, m, i] }
END {
    N = n[1] < n[2] ? n[1] : n[2]
    # grid-tier metrics, which before/ (police only) does not have
    split("6 7 9 12 14 15 19 20", t, " ")
    for (i in t) na[t[i]] = 1
    split("incidents per day|exogenous incidents per day|spawned incidents per day (repeats and escalations)|" \
          "of which escalations (民转刑) per day|dispute calls per day|disputes first handled at grid level (share)|" \
          "disputes resolved at grid level (share)|dispute calls reaching the police per day|" \
          "disputes resolved at grid level per year (per day x 365)|calls the police attended per day|" \
          "police busy hours per day (all police units)|police_hours_saved_per_day (grid-resolved calls, estimate)|" \
          "police response mean, min (before: all calls)|escalated calls: police response mean, min|" \
          "escalation delay mean, min|handover share (移交)|station load per day|" \
          "community officers: community_time_share|all calls first handled at grid level (share)|" \
          "all calls resolved at grid level (share)|" \
          "police response mean over direct police calls, min", name, "|")
    printf "| metric | before | after | after − before (paired) |\n|---|---|---|---|\n"
    for (m = 1; m <= 21; m++)
        printf "| %s | %s | %s | %s |\n", name[m], na[m] ? "–" : ci(1, 0, m), ci(2, 0, m),
               na[m] ? "–" : ci(0, 0, m)
    printf "\n%d replications each, 30 counted days; ± = 95%% t half-width.\n", N
}' "$OUT/before/by_unit.csv" "$OUT/before/replications.csv" "$OUT/after/replications.csv"
