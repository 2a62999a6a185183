/* exp.h - experiments: independent tasks (replications, later sweep points
 * and paired comparisons) run on a pool of worker threads.
 *
 * Each task writes only its own row of the output matrix, so results are
 * identical whatever the number of workers and whatever order they finish
 * in.  When tasks fail, the error of the lowest-numbered failing task is
 * reported, again independent of scheduling.
 */
#ifndef PATROLSIM_EXP_H
#define PATROLSIM_EXP_H

#include <stddef.h>
#include "err.h"

/* Runs task `task`, writing row[0..row_len); 0, or -1 with e set. */
typedef int (*exp_task_fn)(void *ctx, int task, double *row, struct perr *e);

/* Runs tasks 0..n_tasks-1 on `jobs` threads (jobs <= 1: in this thread).
 * out has n_tasks rows of row_len doubles.  Returns 0, or -1 with e set. */
int exp_run(int n_tasks, int jobs, size_t row_len, exp_task_fn fn, void *ctx,
            double *out, struct perr *e);

/* Number of online CPUs (at least 1). */
int exp_ncpu(void);

#endif
