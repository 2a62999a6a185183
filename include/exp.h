/* exp.h - experiments: independent tasks (replications, sweep points x
 * replications, variants of a comparison) run on a pool of worker threads.
 *
 * Each task writes only its own result row, so results are identical
 * whatever the number of workers and whatever order they finish in.  When
 * tasks fail, the error of the lowest-numbered failing task is reported,
 * again independent of scheduling.
 */
#ifndef PATROLSIM_EXP_H
#define PATROLSIM_EXP_H

#include <signal.h>
#include <stddef.h>
#include "err.h"

struct prog;

/* Runs task `task`, writing row[0..row_len); 0, or -1 with e set. */
typedef int (*exp_task_fn)(void *ctx, int task, double *row, struct perr *e);
/* Called once per finished task, one call at a time (under the pool's lock),
 * in completion order: where a sweep stores the task.  A -1 stops the pool
 * (tasks already running finish; no new task starts). */
typedef int (*exp_done_fn)(void *ctx, int task, const double *row, struct perr *e);

struct exp_opts {
    int jobs;                  /* worker threads; <= 1: the calling thread */
    exp_done_fn done;          /* may be NULL */
    void *done_ctx;
    struct prog *progress;     /* may be NULL: ticked once per finished task */
    /* When set (by another thread or a signal handler) no new task starts
     * and exp_run returns -1 with "interrupted".  May be NULL. */
    volatile sig_atomic_t *stop;
};

/* Runs tasks 0..n_tasks-1.  out: n_tasks rows of row_len doubles, or NULL
 * when only the done callback needs the rows (each worker then writes into
 * a scratch row of row_len).  Returns 0, or -1 with e set. */
int exp_run_opts(int n_tasks, size_t row_len, exp_task_fn fn, void *ctx, double *out,
                 const struct exp_opts *o, struct perr *e);
/* The same with only a thread count. */
int exp_run(int n_tasks, int jobs, size_t row_len, exp_task_fn fn, void *ctx,
            double *out, struct perr *e);

/* Number of online CPUs (at least 1). */
int exp_ncpu(void);

#endif
