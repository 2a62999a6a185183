/* exp.c - a fixed pool of threads pulling task numbers from a counter.
 *
 * The lock guards the counter, the done callback and the stop decision; a
 * task itself runs unlocked.  Cost per task: two lock round trips, so the
 * pool suits tasks of a millisecond or more (a replication, a sweep point).
 */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "exp.h"
#include "prog.h"

struct pool {
    exp_task_fn fn;
    void *ctx;
    double *out;
    size_t row_len;
    const struct exp_opts *o;
    int n_tasks, next, halted;
    pthread_mutex_t lock;
    int *rc;                /* per task: 0 ok, -1 failed, 1 never started */
    struct perr *err;       /* per task */
    struct perr done_err;
    int done_failed;        /* task whose done callback failed, or -1 */
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    double *scratch = p->out ? NULL : xmalloc((p->row_len ? p->row_len : 1) * sizeof(double));
    for (;;) {
        pthread_mutex_lock(&p->lock);
        if (p->o->stop && *p->o->stop)
            p->halted = 1;
        int t = !p->halted && p->next < p->n_tasks ? p->next++ : -1;
        pthread_mutex_unlock(&p->lock);
        if (t < 0)
            break;
        double *row = p->out ? p->out + (size_t)t * p->row_len : scratch;
        int rc = p->fn(p->ctx, t, row, &p->err[t]);
        pthread_mutex_lock(&p->lock);
        p->rc[t] = rc;
        if (rc < 0) {
            p->halted = 1;  /* the first error (by task number) is reported */
        } else if (p->o->done && p->done_failed < 0 &&
                   p->o->done(p->o->done_ctx, t, row, &p->done_err) < 0) {
            p->done_failed = t;
            p->halted = 1;
        }
        if (p->o->progress)
            prog_add(p->o->progress, 1);
        pthread_mutex_unlock(&p->lock);
    }
    free(scratch);
    return NULL;
}

int exp_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int exp_run_opts(int n_tasks, size_t row_len, exp_task_fn fn, void *ctx, double *out,
                 const struct exp_opts *o, struct perr *e)
{
    size_t nt = (size_t)(n_tasks > 0 ? n_tasks : 1);
    struct pool p = { .fn = fn, .ctx = ctx, .out = out, .row_len = row_len, .o = o,
                      .n_tasks = n_tasks, .rc = xmalloc(nt * sizeof(int)),
                      .err = xcalloc(nt, sizeof(struct perr)), .done_failed = -1 };
    pthread_mutex_init(&p.lock, NULL);
    for (size_t t = 0; t < nt; t++)
        p.rc[t] = 1;
    int jobs = o->jobs > n_tasks ? n_tasks : o->jobs, started = 0;
    pthread_t *th = NULL;
    if (jobs > 1) {
        th = xmalloc((size_t)jobs * sizeof *th);
        for (; started < jobs - 1; started++)
            if (pthread_create(&th[started], NULL, worker, &p) != 0)
                break;
    }
    worker(&p);                     /* this thread works too (and alone if jobs <= 1) */
    for (int i = 0; i < started; i++)
        pthread_join(th[i], NULL);
    free(th);
    int rc = 0;
    for (int t = 0; t < n_tasks && rc == 0; t++)
        if (p.rc[t] < 0) {
            *e = p.err[t];
            rc = -1;
        }
    if (rc == 0 && p.done_failed >= 0) {
        *e = p.done_err;
        rc = -1;
    }
    if (rc == 0 && p.halted) {
        err_set(e, "interrupted");
        rc = -1;
    }
    free(p.rc);
    free(p.err);
    pthread_mutex_destroy(&p.lock);
    return rc;
}

int exp_run(int n_tasks, int jobs, size_t row_len, exp_task_fn fn, void *ctx,
            double *out, struct perr *e)
{
    struct exp_opts o = { .jobs = jobs };
    return exp_run_opts(n_tasks, row_len, fn, ctx, out, &o, e);
}
