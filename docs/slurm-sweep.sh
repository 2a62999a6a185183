#!/bin/sh
# slurm-sweep.sh - a patrolsim sweep on a Slurm cluster, two ways (docs/cluster.md).
#
# 1. One MPI job (patrolsim built with MPI): rank 0 hands out the tasks and
#    writes $OUT/sweep.sqlite; every rank runs one task at a time.
#        sbatch --ntasks=64 docs/slurm-sweep.sh mpi
#
# 2. A job array of N static shards, no MPI needed, then a merge:
#        sh docs/slurm-sweep.sh submit 16
#    submits `sbatch --array=1-16 ... shard` and a merge job that starts when
#    every shard has succeeded (afterok).  By hand:
#        sbatch --array=1-16 docs/slurm-sweep.sh shard
#        sbatch --dependency=afterok:JOBID docs/slurm-sweep.sh merge 16
#    Shard I writes $OUT/shard-I/sweep.sqlite; the merge writes
#    $OUT/sweep.sqlite, $OUT/sweep.csv and $OUT/replications.csv, the same
#    bytes as an unsharded sweep.
#
# Both ways resume: resubmitting the same command after a time limit, a node
# failure or scancel runs only the tasks that are not stored.  A shard that
# failed can be resubmitted alone: sbatch --array=7 docs/slurm-sweep.sh shard
# (keep SHARDS at the array's full size so that shard 7 stays shard 7 of N).
#
# Settings (environment variables, or edit the defaults here):
#   PATROLSIM  the binary                 SCENARIO  the scenario folder
#   SWEEPFILE  the sweep's vary/where/set lines (docs/sweeps.md)
#   OPTS       more sweep options (--reps, --seed, --horizon-days, ...)
#   OUT        the results folder, on a file system every node sees
#   MPIRUN     how to start the ranks (default srun; Open MPI's mpirun also
#              works inside an allocation)
#   SHARDS     the number of shards (default: the array's task count)
#
#SBATCH --job-name=patrolsim-sweep
#SBATCH --time=04:00:00
#SBATCH --cpus-per-task=1
#SBATCH --mem-per-cpu=2G
#SBATCH --output=slurm-%x-%A_%a.out
set -eu
PATROLSIM=${PATROLSIM:-patrolsim}
SCENARIO=${SCENARIO:-scenarios/taizhou-tianloubai/after}
SWEEPFILE=${SWEEPFILE:-sweeps/staffing.sweep}
OPTS=${OPTS:---reps 10 --progress plain}
OUT=${OUT:-results/sweep}
MPIRUN=${MPIRUN:-srun}

mode=${1:-}
case "$mode" in
mpi)
    # shellcheck disable=SC2086  # OPTS and MPIRUN are lists of words
    exec $MPIRUN "$PATROLSIM" sweep "$SCENARIO" "$SWEEPFILE" $OPTS --out "$OUT" --mpi
    ;;
shard)
    i=${SLURM_ARRAY_TASK_ID:?shard runs as a job array element: sbatch --array=1-N $0 shard}
    n=${SHARDS:-${SLURM_ARRAY_TASK_COUNT:?SLURM_ARRAY_TASK_COUNT not set: give SHARDS=N}}
    if [ "${SLURM_ARRAY_TASK_MIN:-1}" != 1 ] && [ -z "${SHARDS:-}" ]; then
        echo "$0: the array must be 1-N (shard I of N), or give SHARDS=N" >&2
        exit 2
    fi
    # shellcheck disable=SC2086
    exec "$PATROLSIM" sweep "$SCENARIO" "$SWEEPFILE" $OPTS --jobs "${SLURM_CPUS_PER_TASK:-1}" \
        --shard "$i/$n" --out "$OUT/shard-$i"
    ;;
merge)
    n=${2:?usage: $0 merge N}
    stores=""
    i=1
    while [ "$i" -le "$n" ]; do
        if [ ! -e "$OUT/shard-$i/sweep.sqlite" ]; then
            echo "$0: $OUT/shard-$i/sweep.sqlite is missing: shard $i of $n has not run" >&2
            exit 1
        fi
        stores="$stores $OUT/shard-$i"
        i=$((i + 1))
    done
    # shellcheck disable=SC2086  # the store paths contain no white space
    exec "$PATROLSIM" merge $stores --out "$OUT"
    ;;
submit)
    n=${2:?usage: $0 submit N}
    jid=$(sbatch --parsable --array="1-$n" "$0" shard)
    jid=${jid%%;*}
    sbatch --dependency="afterok:$jid" "$0" merge "$n"
    echo "$0: shards: job array $jid (1-$n); the merge follows when all succeed"
    ;;
*)
    echo "usage: $0 mpi | shard | merge N | submit N   (see the comments at the top)" >&2
    exit 2
    ;;
esac
