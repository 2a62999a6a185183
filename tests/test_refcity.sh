#!/bin/sh
# test_refcity.sh - patrolsim's bench-city figures against an independent
# implementation of the same model (tests/refcity.c, ../shared/bench/SPEC.md):
# other code, other random numbers, so the figures of 12 replications each
# must agree within their sampling error.  Two regimes: the SPEC's (S = 8,
# calls at S*S/90 a minute: the home unit or the nearest idle one, queues
# rare) and a queueing one (S = 2, four units, S*S/60: 40% of calls wait,
# which exercises the FIFO queue and units taking its head on their return).
# A metric passes when the two means differ by less than 4 standard errors
# of their difference (a false alarm about once in 16,000 per metric).
. "$(dirname "$0")/lib.sh"
REF="$BIN/refcity"
REPS=12
METRICS="response_mean_min response_p90_min first_contact_rate utilisation_mean queued_share wait_queued_mean_min"

# regime S D: patrolsim and refcity over REPS replications (seeds 1..REPS).
regime() {
    S=$1; D=$2; d="$T/city$S"
    sh scenarios/bench-city/generate.sh "$S" "$d" 365 >/dev/null
    # the generator writes S*S/90 a minute; scale to S*S/D
    f=$(awk -v D="$D" 'BEGIN { printf "%.12g", 90 / D }')
    "$P" run "$d" --reps $REPS --seed 1 --quiet --set "incidents.rate_per_day=*$f" \
        --out "$T/p$S" >"$T/log" 2>&1 || { bad "S=$S: patrolsim run failed: $(head -c 300 "$T/log")"; return; }
    : >"$T/r$S"
    i=1
    while [ $i -le $REPS ]; do
        "$REF" "$S" 365 $i "$D" >>"$T/r$S" || { bad "S=$S: refcity seed $i failed"; return; }
        i=$((i + 1))
    done
    for m in $METRICS; do
        # refcity prints the SPEC's names; the run's replications.csv its own
        case $m in
            response_mean_min) rm_=mean_response_min;;
            response_p90_min) rm_=p90_response_min;;
            utilisation_mean) rm_=mean_utilization;;
            wait_queued_mean_min) rm_=mean_queue_wait_min;;
            *) rm_=$m;;
        esac
        res=$(awk -F, -v m="$m" -v rm="$rm_" '
            FNR == 1 && FILENAME ~ /replications.csv$/ { for (k = 1; k <= NF; k++) if ($k == m) col = k; next }
            FILENAME ~ /replications.csv$/ { a[++na] = $col; next }
            { split($0, kv, ": "); if (kv[1] == rm) b[++nb] = kv[2] }
            function mean(v, n,   s, k) { s = 0; for (k = 1; k <= n; k++) s += v[k]; return s / n }
            function var(v, n, mu,   s, k) { s = 0; for (k = 1; k <= n; k++) s += (v[k] - mu) ^ 2; return s / (n - 1) }
            END {
                if (na < 2 || nb < 2) { print "missing"; exit }
                ma = mean(a, na); mb = mean(b, nb)
                se = sqrt(var(a, na, ma) / na + var(b, nb, mb) / nb)
                z = se > 0 ? (ma - mb) / se : (ma == mb ? 0 : 99)
                printf "%s %.6g %.6g %.2f\n", (z < 4 && z > -4) ? "ok" : "off", ma, mb, z
            }' "$T/p$S/replications.csv" "$T/r$S")
        set -- $res
        case $1 in
            ok) ok "S=$S D=$D $m: patrolsim $2, refcity $3 (z = $4)";;
            *) bad "S=$S D=$D $m: patrolsim ${2:-?}, refcity ${3:-?} (z = ${4:-?}; $res)";;
        esac
    done
}

regime 8 90
regime 2 60
# The queueing regime must queue, or its queue checks test nothing.
q=$(awk -F, 'NR == 1 { for (k = 1; k <= NF; k++) if ($k == "queued_share") c = k; next } { s += $c; n++ } END { print (n && s / n > 0.2) }' "$T/p2/replications.csv")
check "S=2 D=60: more than 20% of calls waited" [ "$q" = 1 ]
finish
