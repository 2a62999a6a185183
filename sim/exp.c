/* exp.c - a fixed pool of threads pulling task numbers from a counter. */
#include <pthread.h>
#include <stdlib.h>
#include <unistd.h>
#include "exp.h"

struct pool {
    exp_task_fn fn;
    void *ctx;
    double *out;
    size_t row_len;
    int n_tasks, next;
    pthread_mutex_t lock;
    int *rc;                /* per task */
    struct perr *err;       /* per task */
};

static void *worker(void *arg)
{
    struct pool *p = arg;
    for (;;) {
        pthread_mutex_lock(&p->lock);
        int t = p->next < p->n_tasks ? p->next++ : -1;
        pthread_mutex_unlock(&p->lock);
        if (t < 0)
            return NULL;
        p->rc[t] = p->fn(p->ctx, t, p->out + (size_t)t * p->row_len, &p->err[t]);
    }
}

int exp_ncpu(void)
{
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)n : 1;
}

int exp_run(int n_tasks, int jobs, size_t row_len, exp_task_fn fn, void *ctx,
            double *out, struct perr *e)
{
    struct pool p = { fn, ctx, out, row_len, n_tasks, 0, PTHREAD_MUTEX_INITIALIZER,
                      xcalloc((size_t)(n_tasks ? n_tasks : 1), sizeof(int)),
                      xcalloc((size_t)(n_tasks ? n_tasks : 1), sizeof(struct perr)) };
    if (jobs > n_tasks)
        jobs = n_tasks;
    int started = 0;
    pthread_t *th = NULL;
    if (jobs > 1) {
        th = xmalloc((size_t)jobs * sizeof *th);
        for (; started < jobs; started++)
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
    free(p.rc);
    free(p.err);
    pthread_mutex_destroy(&p.lock);
    return rc;
}
