#!/bin/sh
# make bench: the reference benchmark (shared/bench/SPEC.md) at S = 8 (365
# days), 64 (30) and 128 (7); the M/M/1 configuration of the engine; then the
# replay parse speed at two file lengths.  With valgrind installed, every
# block also gets instructions per incident (customer): callgrind over two
# short horizons, differenced so that loading and set-up drop out.
# Instruction counts do not drift with the load of a shared machine.
# Each bench-city block also runs the reference (bin/refcity, tests/refcity.c)
# and prints its speed and patrolsim's ratio to it (speed_vs_ref).
# Usage: bench.sh [S [DAYS] | road | mm1]; with S runs that bench-city size
# only (default 365 days), with road or mm1 that block only.
set -eu
BIN=${BIN:-bin}
have_vg() { command -v valgrind >/dev/null 2>&1; }

# ir DIR: instructions and incidents of one `bench` run under callgrind.
ir() {
    valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN/patrolsim" bench "$1" \
        >"$1/cg.out" 2>"$1/cg.err"
    echo "$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$1/cg.err") $(sed -n 's/^incidents: //p' "$1/cg.out")"
}

# ipi GENERATOR-COMMAND DAYS1 DAYS2: instructions per incident by differencing
# the runs of two horizons (the command writes a scenario into its last arg).
ipi() {
    gen=$1; d1=$2; d2=$3
    a=$(mktemp -d); b=$(mktemp -d)
    $gen "$d1" "$a" >/dev/null; $gen "$d2" "$b" >/dev/null
    set -- $(ir "$a") $(ir "$b")
    rm -rf "$a" "$b"
    awk -v i1="$1" -v n1="$2" -v i2="$3" -v n2="$4" 'BEGIN { printf "%.0f\n", (i2 - i1) / (n2 - n1) }'
}

city() { sh scenarios/bench-city/generate.sh "$S_CUR" "$2" "$1"; }

# ir_diff T D1 D2: instructions per incident from the callgrind runs whose
# output and log are T/D1.out, T/D1.err and T/D2.out, T/D2.err.
ir_diff() {
    awk -v i1="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$1/$2.err")" \
        -v n1="$(sed -n 's/^incidents: //p' "$1/$2.out")" \
        -v i2="$(sed -n 's/.*Collected : \([0-9]*\).*/\1/p' "$1/$3.err")" \
        -v n2="$(sed -n 's/^incidents: //p' "$1/$3.out")" \
        'BEGIN { printf "%.0f\n", (i2 - i1) / (n2 - n1) }'
}

# ipi_ref S DAYS1 DAYS2: the same for the reference.
ipi_ref() {
    t=$(mktemp -d)
    for d in "$2" "$3"; do
        valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN/refcity" "$1" "$d" \
            >"$t/$d.out" 2>"$t/$d.err"
    done
    ir_diff "$t" "$2" "$3"
    rm -rf "$t"
}

# median of the numbers on stdin
median() { sort -g | awk '{ v[NR] = $1 } END { print NR % 2 ? v[(NR + 1) / 2] : (v[NR / 2] + v[NR / 2 + 1]) / 2 }'; }

one() {
    S=$1; DAYS=$2
    dir=$(mktemp -d)
    sh scenarios/bench-city/generate.sh "$S" "$dir" "$DAYS"
    echo "== bench-city S=$S days=$DAYS"
    "$BIN/patrolsim" bench "$dir" | tee "$dir/b.0"
    # The reference (tests/refcity.c: this model alone, hand-tuned) on the
    # same machine, its runs alternating with patrolsim's, five pairs; the
    # median of the pairs' ratios cancels most of a shared machine's drift
    # (three pairs' medians moved by 0.06 between runs of one binary).
    : >"$dir/ratios"; : >"$dir/refs"
    for k in 1 2 3 4 5; do
        [ $k = 1 ] || "$BIN/patrolsim" bench "$dir" >"$dir/b.$k" 2>/dev/null
        r=$("$BIN/refcity" "$S" "$DAYS" | sed -n 's/^incidents_per_s: //p')
        p=$(sed -n 's/^incidents_per_s: //p' "$dir/b.$((k == 1 ? 0 : k))")
        echo "$r" >>"$dir/refs"
        awk -v p="$p" -v r="$r" 'BEGIN { printf "%.4f\n", p / r }' >>"$dir/ratios"
    done
    echo "ref_incidents_per_s: $(median <"$dir/refs")"
    echo "speed_vs_ref: $(median <"$dir/ratios")"
    # the pairs' lowest and highest ratio: how far one pair can be off here
    echo "speed_vs_ref_range: $(sort -g "$dir/ratios" | sed -n '1p;$p' | tr '\n' ' ' | sed 's/ $//')"
    rm -rf "$dir"
    if have_vg; then
        # Short horizons keep callgrind to seconds; long enough that the
        # model is in its steady state for most of the difference.
        S_CUR=$S
        case $S in 8) d="30 60";; 64) d="3 6";; *) d="1 2";; esac
        set -- $d
        echo "instructions_per_incident: $(ipi city "$1" "$2")"
        echo "ref_instructions_per_incident: $(ipi_ref "$S" "$1" "$2")"
    fi
}

# The M/M/1 queue as a patrolsim scenario: one grid of 1 cm, one unit at its
# centre (travel under 1e-4 s a leg), exponential on-scene time of mean 1 min,
# lambda = 0.75 per minute (rho = 0.75), customers over DAYS days.
mm1_gen() {
    DAYS=$1; DIR=$2
    mkdir -p "$DIR"
    cat >"$DIR/scenario.ini" <<INI
[scenario]
name = mm1
description = M/M/1 at rho = 0.75: one grid, one unit at its centre, negligible travel

[run]
seed = 1
replications = 1
horizon_days = $DAYS
warmup_days = 0

[travel]
metric = manhattan
circuity = 1

[modes]
car = 30

[dispatch]
policy = nearest_idle
home_first = true
redispatch_returning = false

[incidents]
source = poisson
rate_per_day = 1080
location = area
INI
    printf 'id,xmin,ymin,xmax,ymax\n0,0,0,0.00001,0.00001\n' >"$DIR/grids.csv"
    printf 'id,tier,x,y\nP0,post,0.000005,0.000005\n' >"$DIR/facilities.csv"
    printf 'id,base,home_grids,officers,auxiliaries,mode\n0,P0,0,1,0,car\n' >"$DIR/units.csv"
    printf 'id,name,priority,share,service,mean_min,sd_min,target_min\ncall,customer,1,1,exponential,1,,10\n' \
        >"$DIR/incident_types.csv"
}

mm1() {
    dir=$(mktemp -d)
    days=925.925926                 # 1,000,000 / 1080 per day
    mm1_gen "$days" "$dir"
    echo "== mm1 rho=0.75 customers=1000000"
    "$BIN/patrolsim" bench "$dir" >"$dir/b.out"
    sed -n 's/^incidents: /mm1_customers: /p; s/^incidents_per_s: /mm1_customers_per_s: /p; s/^events: /mm1_events: /p' "$dir/b.out"
    # The mean wait against theory, Wq = rho / (mu - lambda) = 3 min, with the
    # 95% interval over 10 replications of a million customers.
    "$BIN/patrolsim" run "$dir" --reps 10 --quiet --out "$dir/o" >/dev/null
    awk -F, '$1 == "all" && $2 == "wait_mean_min" {
        printf "mm1_mean_wait_min: %.4f\nmm1_mean_wait_ci95: %.4f %.4f\nmm1_wait_theory_min: 3.0000\n", $4, $5, $6
        printf "mm1_wait_in_ci: %s\n", ($5 <= 3 && 3 <= $6) ? "yes" : "no" }' "$dir/o/summary.csv"
    rm -rf "$dir"
    if have_vg; then
        echo "mm1_instructions_per_customer: $(ipi mm1_gen 46.296296 92.592593)"
    fi
}

# Replay parse speed: a bench-city stream written by `patrolsim gen` (xy in
# km, so each row is also located in its grid) and read back by the replay
# source alone, at two lengths, to show memory does not grow with the file.
replay() {
    ROWS=$1
    dir=$(mktemp -d)
    sh scenarios/bench-city/generate.sh 8 "$dir" 365 >/dev/null
    days=$(awk "BEGIN { print $ROWS / 1024 }")
    "$BIN/patrolsim" gen "$dir" --days "$days" --out "$dir/calls.csv" >"$dir/gen.txt"
    sed -e '/^\[incidents\]/,$d' "$dir/scenario.ini" >"$dir/replay.ini"
    sed -n '/^\[incidents\]/,$p' "$dir/gen.txt" | sed "s|^file = .*|file = calls.csv|" >>"$dir/replay.ini"
    mv "$dir/replay.ini" "$dir/scenario.ini"
    echo "== replay parse rows=$(($(wc -l <"$dir/calls.csv") - 1)) file_mb=$(($(wc -c <"$dir/calls.csv") / 1048576))"
    "$BIN/patrolsim" bench "$dir" --parse-only --set run.horizon_days="$days" 2>/dev/null
    rm -rf "$dir"
}
# Road travel (docs/travel.md): the CUMCM 2011-B city, 582 junctions and 80
# platform cars, one replication of a year, when the scenario is present;
# instructions per incident as for bench-city (two horizons differenced).
road() {
    d=scenarios/cumcm-2011b/city
    if [ ! -f "$d/scenario.ini" ]; then
        echo "== road cumcm-2011b/city: $d absent, skipped"
        return 0
    fi
    echo "== road cumcm-2011b/city days=365"
    "$BIN/patrolsim" bench "$d" --days 365 | sed 's/^/road_/'
    if have_vg; then
        t=$(mktemp -d)
        for days in 30 60; do
            valgrind --tool=callgrind --callgrind-out-file=/dev/null "$BIN/patrolsim" bench "$d" \
                --days $days >"$t/$days.out" 2>"$t/$days.err"
        done
        echo "road_instructions_per_incident: $(ir_diff "$t" 30 60)"
        rm -rf "$t"
    fi
}

case ${1:-} in
    '')
        one 8 365
        one 64 30
        one 128 7
        road
        mm1
        replay 1000000
        replay 4000000
        ;;
    road) road ;;
    mm1) mm1 ;;
    *) one "$1" "${2:-365}" ;;
esac
