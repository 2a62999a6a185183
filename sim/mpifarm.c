/* mpifarm.c - the task farm of mpifarm.h: every MPI call of patrolsim.
 *
 * Messages (all MPI_BYTE on MPI_COMM_WORLD; ranks are one program on one
 * kind of machine, so plain structs travel as they are):
 *
 *   start    rank 0 -> all   {go, row_len} by MPI_Ibcast
 *   TASK     0 -> worker     int32 task number, then the caller's bytes
 *   STOP     0 -> worker     int64 number of TASK messages sent to it: the
 *                            worker receives (and runs no more of) the rest,
 *                            then says BYE
 *   RESULT   worker -> 0     {task, 0}, then row_len doubles
 *   ERROR    worker -> 0     {task or -1, exit code}, then the message text
 *   BYE      worker -> 0     nothing more will come from this rank
 *
 * Messages between two ranks arrive in the order sent within one tag; a
 * worker probes for STOP before each task, so a STOP overtakes the tasks
 * still queued for it.  Only the calling (main) thread makes MPI calls
 * (MPI_THREAD_FUNNELED); rank 0's compute thread only runs tasks and, under
 * the lock, the done callback.
 */
#define _DEFAULT_SOURCE
#include "mpifarm.h"

#ifdef HAVE_MPI
#include <mpi.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "prog.h"

enum { TAG_TASK = 1, TAG_STOP, TAG_RESULT, TAG_ERROR, TAG_BYE };

struct hdr {
    int32_t task, code;
};

static int inited;

int farm_available(void)
{
    return 1;
}

int farm_init(int *argc, char ***argv, int *rank, int *size, struct perr *e)
{
    int provided;
    if (MPI_Init_thread(argc, argv, MPI_THREAD_FUNNELED, &provided) != MPI_SUCCESS)
        return err_set(e, "MPI_Init_thread failed");
    inited = 1;
    if (provided < MPI_THREAD_FUNNELED)
        return err_set(e, "this MPI library does not allow threads (MPI_THREAD_FUNNELED), "
                       "which rank 0's compute thread needs");
    MPI_Comm_rank(MPI_COMM_WORLD, rank);
    MPI_Comm_size(MPI_COMM_WORLD, size);
    return 0;
}

void farm_finalize(void)
{
    if (inited)
        MPI_Finalize();
    inited = 0;
}

/* Sleeps *us microseconds and doubles it up to 200: a waiting rank costs
 * almost no CPU, yet answers within 0.2 ms. */
static void nap(long *us)
{
    struct timespec ts = { 0, *us * 1000 };
    nanosleep(&ts, NULL);
    if (*us < 200)
        *us *= 2;
}

void farm_start(int go, size_t row_len)
{
    long long msg[2] = { go, (long long)row_len };
    MPI_Request rq;
    MPI_Ibcast(msg, 2, MPI_LONG_LONG, 0, MPI_COMM_WORLD, &rq);
    MPI_Wait(&rq, MPI_STATUS_IGNORE);
}

/* ---- rank 0 ------------------------------------------------------------------ */

struct master {
    const struct farm_master *o;
    pthread_mutex_t lock;      /* guards everything below and the callbacks */
    int stopping;              /* hand out nothing more */
    int exhausted;             /* pick said no task is left */
    int failed, code, done_failed, n_more;
    struct perr err;
    long *done;                /* per rank */
};

static void fail(struct master *m, int code, const struct perr *e)
{
    if (!m->failed) {
        m->failed = 1;
        m->code = code;
        m->err = *e;
    } else {
        m->n_more++;
    }
    m->stopping = 1;
}

/* A finished task of `rank`: stored unless storing has failed before. */
static void finish(struct master *m, int rank, int t, const double *row)
{
    const struct farm_master *o = m->o;
    struct perr e;
    PS_ASSERT(t >= 0 && t < o->n_tasks);
    if (m->done_failed)
        return;
    if (o->done(o->ctx, t, row, &e) < 0) {
        m->done_failed = 1;
        fail(m, EXIT_FAIL, &e);
        return;
    }
    m->done[rank]++;
    if (o->progress)
        prog_add(o->progress, 1);
}

static int next_task(struct master *m, int rank)
{
    const struct farm_master *o = m->o;
    if (o->stop && *o->stop)
        m->stopping = 1;
    if (m->stopping || m->exhausted)
        return -1;
    int t = o->pick(o->ctx, rank);
    if (t < 0)
        m->exhausted = 1;
    PS_ASSERT(t < o->n_tasks);
    return t;
}

/* Rank 0's compute thread. */
static void *local_worker(void *arg)
{
    struct master *m = arg;
    const struct farm_master *o = m->o;
    double *row = xmalloc((o->row_len ? o->row_len : 1) * sizeof *row);
    struct perr e;
    for (;;) {
        pthread_mutex_lock(&m->lock);
        int t = next_task(m, 0);
        pthread_mutex_unlock(&m->lock);
        if (t < 0)
            break;
        int rc = o->run(o->ctx, t, row, &e);
        pthread_mutex_lock(&m->lock);
        if (rc < 0)
            fail(m, EXIT_FAIL, &e);
        else
            finish(m, 0, t, row);
        pthread_mutex_unlock(&m->lock);
    }
    free(row);
    return NULL;
}

struct wstate {
    long sent, replied;
    int stop_sent;
};

int farm_master(const struct farm_master *o, struct farm_stats *st, int *code, struct perr *e)
{
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    struct master m = { .o = o };
    pthread_mutex_init(&m.lock, NULL);
    m.done = xcalloc((size_t)size, sizeof *m.done);
    struct wstate *w = xcalloc((size_t)size, sizeof *w);
    size_t tlen = sizeof(int32_t) + o->task_size;
    size_t payload = o->row_len * sizeof(double);
    size_t rlen = sizeof(struct hdr) + (payload > ERR_MSG_MAX ? payload : ERR_MSG_MAX);
    char *tbuf = xmalloc(tlen), *rbuf = xmalloc(rlen);
    double *row = xmalloc((o->row_len ? o->row_len : 1) * sizeof *row);

    pthread_t th;
    if (pthread_create(&th, NULL, local_worker, &m) != 0) {
        free(tbuf);
        free(rbuf);
        free(row);
        free(w);
        free(m.done);
        pthread_mutex_destroy(&m.lock);
        *code = EXIT_FAIL;
        return err_set(e, "cannot start rank 0's compute thread");
    }
    int n_bye = 0;
    long us = 10;
    while (n_bye < size - 1) {
        /* Keep every worker FARM_DEPTH tasks ahead; stop it when it has
         * nothing left to do, or when the farm stops. */
        pthread_mutex_lock(&m.lock);
        for (int r = 1; r < size; r++) {
            struct wstate *q = &w[r];
            if (q->stop_sent)
                continue;
            int t;
            while (q->sent - q->replied < FARM_DEPTH && (t = next_task(&m, r)) >= 0) {
                int32_t t32 = t;
                memcpy(tbuf, &t32, sizeof t32);
                o->pack(o->ctx, t, tbuf + sizeof t32);
                MPI_Send(tbuf, (int)tlen, MPI_BYTE, r, TAG_TASK, MPI_COMM_WORLD);
                q->sent++;
            }
            if (m.stopping || (m.exhausted && q->sent == q->replied)) {
                int64_t n = q->sent;
                MPI_Send(&n, (int)sizeof n, MPI_BYTE, r, TAG_STOP, MPI_COMM_WORLD);
                q->stop_sent = 1;
            }
        }
        pthread_mutex_unlock(&m.lock);

        int flag, n;
        MPI_Status s;
        MPI_Iprobe(MPI_ANY_SOURCE, MPI_ANY_TAG, MPI_COMM_WORLD, &flag, &s);
        if (!flag) {
            nap(&us);
            continue;
        }
        us = 10;
        MPI_Get_count(&s, MPI_BYTE, &n);
        PS_ASSERT(n >= 0 && (size_t)n <= rlen);
        MPI_Recv(rbuf, n, MPI_BYTE, s.MPI_SOURCE, s.MPI_TAG, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        int r = s.MPI_SOURCE;
        struct hdr h = { -1, 0 };
        if (s.MPI_TAG == TAG_BYE) {
            n_bye++;
            continue;
        }
        PS_ASSERT((size_t)n >= sizeof h);
        memcpy(&h, rbuf, sizeof h);
        pthread_mutex_lock(&m.lock);
        if (h.task >= 0)
            w[r].replied++;
        if (s.MPI_TAG == TAG_RESULT) {
            PS_ASSERT((size_t)n == sizeof h + payload);
            memcpy(row, rbuf + sizeof h, payload);
            finish(&m, r, h.task, row);
        } else {
            PS_ASSERT(s.MPI_TAG == TAG_ERROR);
            struct perr pe;
            size_t len = (size_t)n - sizeof h;
            if (len >= sizeof pe.msg)
                len = sizeof pe.msg - 1;
            memcpy(pe.msg, rbuf + sizeof h, len);
            pe.msg[len] = 0;
            fail(&m, h.code ? h.code : EXIT_FAIL, &pe);
        }
        pthread_mutex_unlock(&m.lock);
    }
    pthread_join(th, NULL);

    long total = 0;
    for (int r = 0; r < size; r++)
        total += m.done[r];
    int rc = 0;
    if (m.failed) {
        *e = m.err;
        if (m.n_more) {
            size_t len = strlen(e->msg);
            snprintf(e->msg + len, sizeof e->msg - len, " (and %d more error%s)", m.n_more,
                     m.n_more == 1 ? "" : "s");
        }
        *code = m.code;
        rc = -1;
    } else if (total < o->n_tasks) {
        err_set(e, "interrupted");
        *code = EXIT_FAIL;
        rc = -1;
    }
    st->n_ranks = size;
    st->done = m.done;
    free(tbuf);
    free(rbuf);
    free(row);
    free(w);
    pthread_mutex_destroy(&m.lock);
    return rc;
}

/* ---- workers --------------------------------------------------------------------- */

static void send_error(char *buf, int task, int code, const struct perr *e, int rank)
{
    char host[MPI_MAX_PROCESSOR_NAME];
    int hn = 0;
    if (MPI_Get_processor_name(host, &hn) != MPI_SUCCESS)
        hn = 0;
    host[hn] = 0;
    struct hdr h = { task, code };
    memcpy(buf, &h, sizeof h);
    int len = snprintf(buf + sizeof h, ERR_MSG_MAX, "rank %d (%s): %s", rank, host, e->msg);
    if (len >= ERR_MSG_MAX)
        len = ERR_MSG_MAX - 1;
    MPI_Send(buf, (int)sizeof h + len, MPI_BYTE, 0, TAG_ERROR, MPI_COMM_WORLD);
}

int farm_worker(size_t task_size, int (*ready)(void *ctx, struct perr *e), farm_work_fn fn,
                void *ctx)
{
    long long start[2];
    MPI_Request rq;
    int flag = 0, rank;
    long us = 10;
    MPI_Comm_rank(MPI_COMM_WORLD, &rank);
    /* Rank 0 may load scenarios for minutes: wait without spinning. */
    MPI_Ibcast(start, 2, MPI_LONG_LONG, 0, MPI_COMM_WORLD, &rq);
    for (;;) {
        MPI_Test(&rq, &flag, MPI_STATUS_IGNORE);
        if (flag)
            break;
        nap(&us);
    }
    if (!start[0])
        return EXIT_OK;        /* rank 0 reports and sets the job's exit code */
    size_t row_len = (size_t)start[1], payload = row_len * sizeof(double);
    size_t tlen = sizeof(int32_t) + task_size;
    char *tbuf = xmalloc(tlen);
    char *out = xmalloc(sizeof(struct hdr) + (payload > ERR_MSG_MAX ? payload : ERR_MSG_MAX));
    double *row = xmalloc((row_len ? row_len : 1) * sizeof *row);
    struct perr e;
    int failed = ready(ctx, &e);
    if (failed)
        send_error(out, -1, failed, &e, rank);
    long received = 0, stop_at = -1;
    us = 10;
    for (;;) {
        MPI_Status s;
        MPI_Iprobe(0, TAG_STOP, MPI_COMM_WORLD, &flag, &s);
        if (flag) {
            int64_t n;
            MPI_Recv(&n, (int)sizeof n, MPI_BYTE, 0, TAG_STOP, MPI_COMM_WORLD,
                     MPI_STATUS_IGNORE);
            stop_at = (long)n;
            break;
        }
        MPI_Iprobe(0, TAG_TASK, MPI_COMM_WORLD, &flag, &s);
        if (!flag) {
            nap(&us);
            continue;
        }
        us = 10;
        MPI_Recv(tbuf, (int)tlen, MPI_BYTE, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
        received++;
        if (failed)
            continue;          /* rank 0 is stopping: run nothing more */
        int32_t t;
        memcpy(&t, tbuf, sizeof t);
        int rc = fn(ctx, tbuf + sizeof t, row, &e);
        if (rc) {
            send_error(out, t, rc, &e, rank);
            failed = rc;
            continue;
        }
        struct hdr h = { t, 0 };
        memcpy(out, &h, sizeof h);
        memcpy(out + sizeof h, row, payload);
        MPI_Send(out, (int)(sizeof h + payload), MPI_BYTE, 0, TAG_RESULT, MPI_COMM_WORLD);
    }
    /* The tasks sent before STOP that this rank has not received. */
    for (; received < stop_at; received++)
        MPI_Recv(tbuf, (int)tlen, MPI_BYTE, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
    free(tbuf);
    free(out);
    free(row);
    /* A failure was reported to rank 0, whose exit code is the job's: a
     * worker ending non-zero first would make mpirun kill rank 0 before
     * it has said why. */
    return EXIT_OK;
}

#else /* !HAVE_MPI: --mpi explains how to get MPI; nothing else is reachable. */

int farm_available(void)
{
    return 0;
}

int farm_init(int *argc, char ***argv, int *rank, int *size, struct perr *e)
{
    (void)argc, (void)argv;
    *rank = 0;
    *size = 1;
    return err_set(e, "patrolsim was built without MPI");
}

void farm_finalize(void)
{
}

void farm_start(int go, size_t row_len)
{
    (void)go, (void)row_len;
}

int farm_master(const struct farm_master *o, struct farm_stats *st, int *code, struct perr *e)
{
    (void)o, (void)st, (void)code, (void)e;
    ps_assert_fail("farm_master without MPI", __FILE__, __LINE__);
}

int farm_worker(size_t task_size, int (*ready)(void *ctx, struct perr *e), farm_work_fn fn,
                void *ctx)
{
    (void)task_size, (void)ready, (void)fn, (void)ctx;
    ps_assert_fail("farm_worker without MPI", __FILE__, __LINE__);
}

#endif
