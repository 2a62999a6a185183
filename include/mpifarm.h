/* mpifarm.h - a dynamic task farm over MPI; sim/mpifarm.c is the only file
 * that calls MPI, and it is compiled with MPI only when the build found
 * mpicc (HAVE_MPI; see the Makefile).  Without MPI, farm_available() is 0
 * and nothing else may be called.
 *
 * Rank 0 is the master: it picks tasks (the caller's pick function decides
 * which, so that a caller can keep a rank on the scenario it has loaded),
 * sends each as a fixed-size message, receives each finished task's result
 * row and hands it to the done callback, always on its main thread: rank 0
 * alone writes results, and a slow write never blocks the hand-out.  Rank 0
 * also computes, on one extra thread, so -n 1 works and -n 2 keeps two cores
 * busy.  Every other rank is a worker that runs one task at a time.
 *
 * Scheduling: each worker has at most FARM_DEPTH tasks sent and not yet
 * answered, so the next task is already in its input queue when one ends
 * (the round trip to rank 0 is hidden).  Waiting ranks poll with sleeps of at
 * most 0.2 ms instead of spinning in a blocking receive, which matters when
 * ranks share cores.
 *
 * Faults: a failed task or a failed done callback stops the farm: rank 0
 * hands out nothing more, keeps the results of tasks that were running, and
 * returns the first error (once, whatever the number of ranks that failed).
 * A rank killed outright ends the whole MPI job (that is how MPI
 * implementations handle a lost process); everything already given to done
 * is then kept by the caller (the sweep's store), so a rerun resumes.
 */
#ifndef PATROLSIM_MPIFARM_H
#define PATROLSIM_MPIFARM_H

#include <signal.h>
#include <stddef.h>
#include "err.h"
#include "exp.h"

#define FARM_DEPTH 3

struct prog;

/* 1 when this binary was built with MPI. */
int farm_available(void);

/* MPI_Init (only the calling thread will make MPI calls); sets this process's
 * rank and the number of ranks.  0, or -1 with e set. */
int farm_init(int *argc, char ***argv, int *rank, int *size, struct perr *e);
/* MPI_Finalize; a no-op when farm_init was not called. */
void farm_finalize(void);

/* Rank 0, exactly once, before farm_master: tells the workers to start
 * (go = 1) with result rows of row_len doubles, or to end without running
 * anything (go = 0: rank 0 stopped before the farm started, e.g. on a bad
 * command line, which rank 0 alone reports). */
void farm_start(int go, size_t row_len);

struct farm_master {
    int n_tasks;               /* tasks are numbered 0..n_tasks-1 */
    size_t row_len;            /* doubles in every result row (as farm_start) */
    size_t task_size;          /* bytes of every task message */
    /* The next task for `rank` (0 = rank 0's own thread), or -1 when none is
     * left; called one call at a time. */
    int (*pick)(void *ctx, int rank);
    /* Writes task t's message (task_size bytes) into buf. */
    void (*pack)(void *ctx, int t, void *buf);
    exp_task_fn run;           /* rank 0's own thread runs tasks with this */
    exp_done_fn done;          /* stores a finished task (see above) */
    void *ctx;
    struct prog *progress;     /* may be NULL: ticked once per finished task */
    volatile sig_atomic_t *stop;   /* when set, nothing more is handed out */
};

struct farm_stats {
    int n_ranks;
    long *done;                /* tasks finished per rank (caller frees) */
};

/* Rank 0: runs the farm until every task is done, or stopped.  Returns 0,
 * or -1 with e set and *code the exit code the failure calls for (a
 * worker's own code, EXIT_FAIL for an interruption or a failed done). */
int farm_master(const struct farm_master *o, struct farm_stats *st, int *code,
                struct perr *e);

/* A worker's task: runs the task whose message is `task` into row (of
 * farm_start's row_len doubles) and returns 0, or an exit code (EXIT_USAGE,
 * EXIT_FAIL) with e set. */
typedef int (*farm_work_fn)(void *ctx, const void *task, double *row, struct perr *e);

/* Every rank but 0: waits for farm_start; when told to go calls ready(ctx)
 * (its own setup: nonzero is an exit code with e set), then runs tasks
 * until rank 0 says stop.  A failure is sent to rank 0, prefixed with this
 * rank and host, and this rank runs nothing more.  Returns EXIT_OK: rank 0
 * reports every failure and its exit code is the job's. */
int farm_worker(size_t task_size, int (*ready)(void *ctx, struct perr *e), farm_work_fn fn,
                void *ctx);

#endif
