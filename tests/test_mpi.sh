#!/bin/sh
# Sweeps on several processes: `sweep --mpi` under mpirun (byte-identical
# exports for -n 1, 2 and an oversubscribed 4 against --jobs 1, resume, a
# worker killed with SIGKILL then a rerun, a rank whose scenario files
# differ or are missing, usage errors reported once), and `--shard I/N` +
# `patrolsim merge` (round trip equal to the unsharded export, incomplete
# merges, refusals).  The MPI part needs a binary built with MPI and
# mpirun; without them it checks that --mpi says how to get MPI.
. tests/lib.sh
S=scenarios/taizhou-tianloubai/after
PA=$(cd "$(dirname "$P")" && pwd)/$(basename "$P")
# OpenMPI refuses root without these; more ranks than cores need --oversubscribe.
export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
# Open MPI's own allocations are not ours to track under the sanitizers.
export ASAN_OPTIONS="${ASAN_OPTIONS:+$ASAN_OPTIONS:}detect_leaks=0"
# A small sweep of the bundled reform scenario: 6 points x 4 replications.
VARY1='dispatch.escalate_min=10..20 step 5'
VARY2='staffing.absence_probability=0.03,0.08'
small() {
    out=$1; shift
    "$P" sweep "$S" --vary "$VARY1" --vary "$VARY2" --reps 4 --horizon-days 8 \
        --warmup-days 1 --progress none --out "$out" "$@"
}
expect_exit 0 "reference sweep --jobs 1" small "$T/ref" --jobs 1
expect_exit 0 "reference sweep --jobs 2" small "$T/ref2" --jobs 2
check "--jobs 1 and --jobs 2 identical" cmp -s "$T/ref/sweep.csv" "$T/ref2/sweep.csv"
same() { cmp -s "$T/ref/sweep.csv" "$1/sweep.csv" && cmp -s "$T/ref/replications.csv" "$1/replications.csv"; }

# --- shards and merge (no MPI needed) --------------------------------------------------
expect_exit 0 "shard 1/3" small "$T/sh1" --shard 1/3 --jobs 1
check "shard 1/3 runs a third of the tasks" grep -q '= 24 tasks; shard 1/3 has 8; 0 stored, 8 to run' "$T/err"
check "a shard writes no CSV" test ! -e "$T/sh1/sweep.csv"
check "a shard says how to merge" grep -q "patrolsim merge" "$T/err"
expect_exit 0 "shard 2/3" small "$T/sh2" --shard 2/3 --jobs 2
expect_exit 1 "merge of 2 of 3 shards: incomplete" "$P" merge "$T/sh1" "$T/sh2/sweep.sqlite" --out "$T/mg"
check "incomplete merge: no CSV" test ! -e "$T/mg/sweep.csv"
check "incomplete merge: says how much is there" grep -q "holds 16 of the sweep's 24 tasks" "$T/err"
expect_exit 1 "merge of 2 of 3 shards again: still incomplete" "$P" merge "$T/sh1" --out "$T/mg"
check "merging a shard twice adds nothing" grep -q 'sh1/sweep.sqlite: 0 tasks added' "$T/err"
expect_exit 0 "shard 3/3" small "$T/sh3" --shard 3/3 --jobs 1
expect_exit 0 "merge of the last shard completes it" "$P" merge "$T/sh3" --out "$T/mg"
check "shard/merge round trip equals the unsharded export" same "$T/mg"
expect_exit 0 "merge of all three into a new folder" "$P" merge "$T/sh3" "$T/sh1" "$T/sh2" --out "$T/mg3"
check "merge order does not matter" same "$T/mg3"
expect_exit 0 "a sweep on the merged store has nothing to run" small "$T/mg" --jobs 2
check "merged store is complete for the sweep" grep -q '24 stored, 0 to run' "$T/err"
expect_exit 1 "merge of two shards (incomplete)" "$P" merge "$T/sh1" "$T/sh3" --out "$T/mg4" --quiet
expect_exit 0 "sweep completes a partial merge" small "$T/mg4" --jobs 2
check "  it ran only the missing shard's tasks" grep -q '16 stored, 8 to run' "$T/err"
check "  and equals the unsharded export" same "$T/mg4"
small "$T/other" --reps 3 --shard 1/2 --jobs 2 >/dev/null 2>&1
expect_exit 2 "merge of shards of different sweeps refused" "$P" merge "$T/sh1" "$T/other" --out "$T/bad"
check "refusal names both stores and the difference" \
    grep -q "sh1/sweep.sqlite has 4 replications per point, .*other/sweep.sqlite has 3: not the same sweep" "$T/err"
check "refusal writes nothing" test ! -e "$T/bad/sweep.sqlite"
expect_exit 2 "merge into a folder holding another sweep refused" "$P" merge "$T/other" --out "$T/mg3"
expect_exit 2 "bad --shard" small "$T/bad" --shard 4/3
check "bad --shard explained" grep -q -- "--shard: expected I/N with 1 <= I <= N" "$T/err"
expect_exit 2 "merge without --out" "$P" merge "$T/sh1"
expect_exit 2 "merge of a missing store" "$P" merge "$T/none.sqlite" --out "$T/bad"
check "missing store named" grep -q 'none.sqlite: cannot open result store' "$T/err"

# docs/slurm-sweep.sh, its shard and merge steps run here as Slurm would run
# them (the array variables set by hand).
printf 'vary %s\nvary %s\n' "$VARY1" "$VARY2" >"$T/small.sweep"
SLURM_ENV="PATROLSIM=$P SCENARIO=$S SWEEPFILE=$T/small.sweep OUT=$T/slurm"
slurm() {
    env $SLURM_ENV OPTS="--reps 4 --horizon-days 8 --warmup-days 1 --progress none" \
        sh docs/slurm-sweep.sh "$@"
}
expect_exit 1 "slurm-sweep.sh merge before the shards ran" slurm merge 2
check "  names the missing shard" grep -q 'shard-1/sweep.sqlite is missing: shard 1 of 2' "$T/err"
for i in 1 2; do
    SLURM_ENV="$SLURM_ENV SLURM_ARRAY_TASK_ID=$i SLURM_ARRAY_TASK_COUNT=2 SLURM_ARRAY_TASK_MIN=1" \
        expect_exit 0 "slurm-sweep.sh shard, array task $i of 2" slurm shard
done
expect_exit 0 "slurm-sweep.sh merge 2" slurm merge 2
check "  equals the unsharded export" same "$T/slurm"
expect_exit 2 "slurm-sweep.sh without a mode" slurm

# --- MPI ---------------------------------------------------------------------------------
expect_exit_any() { "$@" >"$T/out" 2>"$T/err"; echo $?; }
rc=$(expect_exit_any small "$T/m0" --mpi)
if grep -q 'built without MPI' "$T/err"; then
    check "--mpi without MPI: exit 2 and how to get it" sh -c "test $rc -eq 2 && grep -q 'install openmpi (apt-get install libopenmpi-dev openmpi-bin) and rebuild' '$T/err'"
    echo "# this patrolsim was built without MPI: the mpirun checks are not run"
    finish
    exit $?
fi
check "--mpi without mpirun runs as one rank (exit $rc)" test "$rc" -eq 0
check "  on 1 MPI rank" grep -q 'to run on 1 MPI rank' "$T/err"
check "  identical to --jobs 1" same "$T/m0"
if ! command -v mpirun >/dev/null 2>&1; then
    bad "patrolsim has MPI but mpirun is not on the PATH (apt-get install openmpi-bin)"
    finish
    exit $?
fi
MPIRUN="mpirun --oversubscribe"
expect_exit 0 "mpirun -n 2" $MPIRUN -n 2 "$P" sweep "$S" --vary "$VARY1" --vary "$VARY2" --reps 4 \
    --horizon-days 8 --warmup-days 1 --progress none --out "$T/m2" --mpi
check "mpirun -n 2: export byte-identical to --jobs 1" same "$T/m2"
check "mpirun -n 2: both ranks ran tasks" grep -q 'tasks per rank: [1-9][0-9]* [1-9]' "$T/err"
expect_exit 0 "mpirun -n 4 (oversubscribed)" $MPIRUN -n 4 "$P" sweep "$S" --vary "$VARY1" \
    --vary "$VARY2" --reps 4 --horizon-days 8 --warmup-days 1 --progress none --out "$T/m4" --mpi
check "mpirun -n 4: export byte-identical to --jobs 1" same "$T/m4"
expect_exit 0 "mpirun -n 2 rerun of a complete sweep" $MPIRUN -n 2 "$P" sweep "$S" --vary "$VARY1" \
    --vary "$VARY2" --reps 4 --horizon-days 8 --warmup-days 1 --progress none --out "$T/m2" --mpi
check "  ran nothing" grep -q '24 stored, 0 to run on 2 MPI ranks' "$T/err"
expect_exit 0 "a shard under mpirun" $MPIRUN -n 2 "$P" sweep "$S" --vary "$VARY1" --vary "$VARY2" \
    --reps 4 --horizon-days 8 --warmup-days 1 --progress none --out "$T/msh" --shard 2/3 --mpi
expect_exit 0 "merge with an MPI shard" "$P" merge "$T/sh1" "$T/msh" "$T/sh3" --out "$T/mg5"
check "  equals the unsharded export" same "$T/mg5"

rm -rf "$T/slurm"
expect_exit 0 "slurm-sweep.sh mpi (mpirun -n 2 for srun)" \
    env MPIRUN="$MPIRUN -n 2" $SLURM_ENV OPTS="--reps 4 --horizon-days 8 --warmup-days 1 --progress none" \
    sh docs/slurm-sweep.sh mpi
check "  equals --jobs 1" same "$T/slurm"

# Usage errors are reported by rank 0 alone.
expect_exit 2 "bad key under mpirun -n 2" $MPIRUN -n 2 "$P" sweep "$S" --vary nosuch.k=1 \
    --out "$T/bad" --mpi
check "  reported once" test "$(grep -c 'point 0 (nosuch.k=1)' "$T/err")" -eq 1
expect_exit 2 "--export with --mpi refused" "$P" sweep --export "$T/ref" --mpi
check "  reported once" test "$(grep -c 'takes no SCENARIO' "$T/err")" -eq 1

# A rank whose scenario differs (mpirun MPMD: the workers run in another
# folder whose copy of the scenario was edited) or lacks a file: the error
# is reported once, by rank 0, naming the rank; the job exits 2.
mkdir -p "$T/a" "$T/b"
cp -r "$S" "$T/a/scen"; cp -r "$S" "$T/b/scen"
sed 's/^circuity = 1.4/circuity = 1.5/' "$S/scenario.ini" >"$T/b/scen/scenario.ini"
mpmd() {
    args="sweep scen --vary dispatch.escalate_min=10,12,14 --reps 3 --horizon-days 4 --progress none --out out --mpi"
    $MPIRUN -n 1 -wdir "$T/a" "$PA" $args : -n 2 -wdir "$T/b" "$PA" $args
}
expect_exit 2 "workers with edited scenario files" mpmd
check "  the difference is reported once" test "$(grep -c "the scenario differs from rank 0's" "$T/err")" -eq 1
check "  naming the rank and the point" grep -q "rank [12] ([^)]*): point [0-9] (dispatch.escalate_min=1[024]): the scenario differs" "$T/err"
check "  and what to do" grep -q "correct the scenario, then rerun the same command" "$T/err"
cp "$S/scenario.ini" "$T/b/scen/scenario.ini"; rm "$T/b/scen/units.csv"
expect_exit 2 "workers missing a scenario file" mpmd
check "  the load error is reported once" test "$(grep -c 'units.csv: cannot open' "$T/err")" -eq 1
cp "$S/units.csv" "$T/b/scen/units.csv"
expect_exit 0 "after the fix, the rerun completes" mpmd
check "  resuming from the store" grep -q '9 tasks; [0-9] stored' "$T/err"

# A worker killed with SIGKILL mid-sweep: its tasks are lost (Open MPI then
# ends the job, rank 0 last), everything rank 0 stored stays; the rerun runs
# the rest and gives the same export.  18 points x 6 replications of 365 days:
# long enough (about 3 s of simulation here) that a faster machine does not finish them all
# before the kill lands.
VARYL='dispatch.escalate_min=10..26 step 2'
long() {
    np=$1; out=$2; shift 2
    $MPIRUN -n "$np" "$P" sweep "$S" --vary "$VARYL" --vary "$VARY2" --reps 6 --horizon-days 365 \
        --warmup-days 1 --progress none --out "$out" --mpi "$@"
}
expect_exit 0 "long sweep --jobs 1" "$P" sweep "$S" --vary "$VARYL" --vary "$VARY2" --reps 6 \
    --horizon-days 365 --warmup-days 1 --progress none --out "$T/lref" --jobs 1
t0=$(date +%s%N)
expect_exit 0 "long sweep, mpirun -n 2" long 2 "$T/lm"
dur_ms=$(( ($(date +%s%N) - t0) / 1000000 ))
echo "# uninterrupted: 108 tasks in $dur_ms ms under mpirun -n 2 ($(sed -n 's/.*(\([0-9.]* tasks\/s\)).*/\1/p' "$T/err"))"
check "long sweep: mpirun -n 2 identical to --jobs 1" cmp -s "$T/lref/sweep.csv" "$T/lm/sweep.csv"
# In the background without a subshell, so that $! is mpirun itself; its
# children are the ranks.
long_bg() {
    out=$1
    $MPIRUN -n 2 "$P" sweep "$S" --vary "$VARYL" --vary "$VARY2" --reps 6 --horizon-days 365 \
        --warmup-days 1 --progress none --out "$out" --mpi >"$T/kout" 2>"$T/kerr" &
}
# Waits until the store holds a finished task (read through --export, which
# WAL lets run beside the writers; a fixed delay after the store appears was
# too short on a loaded machine), at most about 30 s.
wait_store() {
    i=0
    while [ $i -lt 300 ]; do
        if [ -e "$1/sweep.sqlite" ] &&
           [ "$("$P" sweep --export "$1/sweep.sqlite" --export-reps 2>/dev/null | wc -l)" -gt 1 ]; then
            break
        fi
        sleep 0.1; i=$((i + 1))
    done
}
rank_pid() {    # rank_pid MPIRUN_PID RANK
    for c in $(pgrep -P "$1"); do
        tr '\0' '\n' <"/proc/$c/environ" 2>/dev/null | grep -q "^OMPI_COMM_WORLD_RANK=$2\$" && echo "$c"
    done
}
long_bg "$T/lk"
mp=$!
wait_store "$T/lk"
w=$(rank_pid "$mp" 1)
killed=0
[ -n "$w" ] && kill -9 "$w" && killed=1
wait "$mp"; krc=$?
check "a worker was killed mid-sweep" test "$killed" -eq 1
check "  and the MPI job failed (exit $krc)" test "$krc" -ne 0
expect_exit 0 "rerun after the kill" long 2 "$T/lk"
stored=$(sed -n 's/.* = 108 tasks; \([0-9]*\) stored.*/\1/p' "$T/err")
echo "# the rerun found ${stored:-?} of 108 tasks stored"
check "  the killed worker's tasks were lost, the others stored (${stored:-none})" \
    sh -c "test ${stored:-0} -gt 0 && test ${stored:-0} -lt 108"
check "  export identical to --jobs 1" cmp -s "$T/lref/sweep.csv" "$T/lk/sweep.csv"
check "  replications identical" cmp -s "$T/lref/replications.csv" "$T/lk/replications.csv"

# The whole job killed (every rank, then mpirun, with SIGKILL) and rerun:
# resumes from the store.
long_bg "$T/lt"
mp=$!
wait_store "$T/lt"
for c in $(pgrep -P "$mp"); do kill -9 "$c"; done
kill -9 "$mp" 2>/dev/null
wait "$mp"
expect_exit 0 "rerun after the whole job was killed" long 2 "$T/lt"
stored=$(sed -n 's/.* = 108 tasks; \([0-9]*\) stored.*/\1/p' "$T/err")
echo "# the rerun found ${stored:-?} of 108 tasks stored"
check "  it resumed (${stored:-none} stored)" sh -c "test ${stored:-0} -gt 0 && test ${stored:-0} -lt 108"
check "  export identical to --jobs 1" cmp -s "$T/lref/sweep.csv" "$T/lt/sweep.csv"
finish
