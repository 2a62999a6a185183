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
 * still queued for it.  Rank 0 keeps one receive posted per worker and a
 * worker sends its results without waiting (MPI_Isend), so neither waits
 * for the other while the other is busy; a result may therefore reach
 * rank 0 only when its worker next enters MPI, one task later, which
 * FARM_DEPTH = 3 covers.  Only the calling (main) thread makes MPI calls
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

/* Rank 0's main thread alone calls done (the store), so a store write never
 * holds the lock that the compute thread and the hand-out need; the compute
 * thread passes its rows through a one-row slot. */
struct master {
    const struct farm_master *o;
    pthread_mutex_t lock;      /* guards the fields up to done */
    pthread_cond_t slot_free;
    int stopping;              /* hand out nothing more */
    int exhausted;             /* pick said no task is left */
    int failed, code, n_more;
    struct perr err;
    int slot_full, slot_task, local_finished;
    double *slot_row;
    int done_failed;           /* main thread only, from here on */
    long *done;                /* per rank */
};

/* Under the lock. */
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

/* Main thread, without the lock: a finished task of `rank` is stored,
 * unless storing has failed before. */
static void finish(struct master *m, int rank, int t, const double *row)
{
    const struct farm_master *o = m->o;
    struct perr e;
    PS_ASSERT(t >= 0 && t < o->n_tasks);
    if (m->done_failed)
        return;
    if (o->done(o->ctx, t, row, &e) < 0) {
        m->done_failed = 1;
        pthread_mutex_lock(&m->lock);
        fail(m, EXIT_FAIL, &e);
        pthread_mutex_unlock(&m->lock);
        return;
    }
    m->done[rank]++;
    if (o->progress)
        prog_add(o->progress, 1);
}

/* Under the lock. */
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
    pthread_mutex_lock(&m->lock);
    for (;;) {
        int t = next_task(m, 0);
        pthread_mutex_unlock(&m->lock);
        if (t < 0) {
            pthread_mutex_lock(&m->lock);
            break;
        }
        int rc = o->run(o->ctx, t, row, &e);
        pthread_mutex_lock(&m->lock);
        if (rc < 0) {
            fail(m, EXIT_FAIL, &e);
            continue;
        }
        while (m->slot_full)
            pthread_cond_wait(&m->slot_free, &m->lock);
        memcpy(m->slot_row, row, o->row_len * sizeof *row);
        m->slot_task = t;
        m->slot_full = 1;
    }
    m->local_finished = 1;
    pthread_mutex_unlock(&m->lock);
    free(row);
    return NULL;
}

struct wstate {
    long sent, replied;
    int stop_sent, bye;
};

int farm_master(const struct farm_master *o, struct farm_stats *st, int *code, struct perr *e)
{
    int size;
    MPI_Comm_size(MPI_COMM_WORLD, &size);
    struct master m = { .o = o };
    pthread_mutex_init(&m.lock, NULL);
    pthread_cond_init(&m.slot_free, NULL);
    size_t row_bytes = (o->row_len ? o->row_len : 1) * sizeof(double);
    m.slot_row = xmalloc(row_bytes);
    m.done = xcalloc((size_t)size, sizeof *m.done);
    struct wstate *w = xcalloc((size_t)size, sizeof *w);
    size_t tlen = sizeof(int32_t) + o->task_size;
    size_t payload = o->row_len * sizeof(double);
    size_t rlen = sizeof(struct hdr) + (payload > ERR_MSG_MAX ? payload : ERR_MSG_MAX);
    char *tbuf = xmalloc(tlen);
    double *row = xmalloc(row_bytes);
    /* One receive posted per worker at all times, so that a worker's send
     * completes without rank 0 being in a receive call just then. */
    int nw = size - 1;
    MPI_Request *rq = xmalloc((size_t)(nw ? nw : 1) * sizeof *rq);
    MPI_Status *rs = xmalloc((size_t)(nw ? nw : 1) * sizeof *rs);
    int *idx = xmalloc((size_t)(nw ? nw : 1) * sizeof *idx);
    char *rbuf = xmalloc((size_t)(nw ? nw : 1) * rlen);
    for (int k = 0; k < nw; k++)
        MPI_Irecv(rbuf + (size_t)k * rlen, (int)rlen, MPI_BYTE, k + 1, MPI_ANY_TAG,
                  MPI_COMM_WORLD, &rq[k]);

    pthread_t th;
    int have_thread = pthread_create(&th, NULL, local_worker, &m) == 0;
    if (!have_thread) {
        struct perr pe;
        err_set(&pe, "cannot start rank 0's compute thread");
        fail(&m, EXIT_FAIL, &pe);
        m.local_finished = 1;
    }
    int n_bye = 0;
    long us = 10;
    for (;;) {
        int busy = 0, t;
        /* Keep every worker FARM_DEPTH tasks ahead; stop it when it has
         * nothing left to do, or when the farm stops; take the compute
         * thread's row. */
        pthread_mutex_lock(&m.lock);
        for (int r = 1; r < size; r++) {
            struct wstate *q = &w[r];
            if (q->stop_sent)
                continue;
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
        int local_t = -1, local_done = m.local_finished;
        if (m.slot_full) {
            memcpy(row, m.slot_row, row_bytes);
            local_t = m.slot_task;
            m.slot_full = 0;
            pthread_cond_signal(&m.slot_free);
        }
        pthread_mutex_unlock(&m.lock);
        if (local_t >= 0) {
            finish(&m, 0, local_t, row);
            busy = 1;
        } else if (local_done && n_bye == nw) {
            break;
        }

        int n_done = 0;
        if (nw && n_bye < nw) {
            MPI_Testsome(nw, rq, &n_done, idx, rs);
            if (n_done == MPI_UNDEFINED)
                n_done = 0;
        }
        for (int k = 0; k < n_done; k++) {
            int r = idx[k] + 1, n;
            char *b = rbuf + (size_t)idx[k] * rlen;
            MPI_Get_count(&rs[k], MPI_BYTE, &n);
            PS_ASSERT(n >= 0 && (size_t)n <= rlen);
            busy = 1;
            if (rs[k].MPI_TAG == TAG_BYE) {
                w[r].bye = 1;
                n_bye++;
                continue;      /* its request stays MPI_REQUEST_NULL */
            }
            struct hdr h;
            PS_ASSERT((size_t)n >= sizeof h);
            memcpy(&h, b, sizeof h);
            if (rs[k].MPI_TAG == TAG_RESULT) {
                PS_ASSERT((size_t)n == sizeof h + payload);
                memcpy(row, b + sizeof h, payload);
                pthread_mutex_lock(&m.lock);
                w[r].replied++;
                pthread_mutex_unlock(&m.lock);
                finish(&m, r, h.task, row);
            } else {
                PS_ASSERT(rs[k].MPI_TAG == TAG_ERROR);
                struct perr pe;
                size_t len = (size_t)n - sizeof h;
                if (len >= sizeof pe.msg)
                    len = sizeof pe.msg - 1;
                memcpy(pe.msg, b + sizeof h, len);
                pe.msg[len] = 0;
                pthread_mutex_lock(&m.lock);
                if (h.task >= 0)
                    w[r].replied++;
                fail(&m, h.code ? h.code : EXIT_FAIL, &pe);
                pthread_mutex_unlock(&m.lock);
            }
            MPI_Irecv(b, (int)rlen, MPI_BYTE, r, MPI_ANY_TAG, MPI_COMM_WORLD, &rq[idx[k]]);
        }
        if (busy)
            us = 10;
        else
            nap(&us);
    }
    if (have_thread)
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
    free(rq);
    free(rs);
    free(idx);
    free(row);
    free(m.slot_row);
    free(w);
    pthread_cond_destroy(&m.slot_free);
    pthread_mutex_destroy(&m.lock);
    return rc;
}

/* ---- workers --------------------------------------------------------------------- */

/* A worker sends its result without waiting for rank 0 to take it, and goes
 * on with its next task; the buffer is reused only after that send ended. */
struct outbox {
    char *buf;
    MPI_Request rq;
};

static void send_async(struct outbox *ob, int len, int tag)
{
    MPI_Isend(ob->buf, len, MPI_BYTE, 0, tag, MPI_COMM_WORLD, &ob->rq);
}

static void outbox_wait(struct outbox *ob)
{
    MPI_Wait(&ob->rq, MPI_STATUS_IGNORE);
}

static void send_error(struct outbox *ob, int task, int code, const struct perr *e, int rank)
{
    char host[MPI_MAX_PROCESSOR_NAME];
    int hn = 0;
    if (MPI_Get_processor_name(host, &hn) != MPI_SUCCESS)
        hn = 0;
    host[hn] = 0;
    outbox_wait(ob);
    struct hdr h = { task, code };
    memcpy(ob->buf, &h, sizeof h);
    int len = snprintf(ob->buf + sizeof h, ERR_MSG_MAX, "rank %d (%s): %s", rank, host, e->msg);
    if (len >= ERR_MSG_MAX)
        len = ERR_MSG_MAX - 1;
    send_async(ob, (int)sizeof h + len, TAG_ERROR);
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
    struct outbox ob = {
        xmalloc(sizeof(struct hdr) + (payload > ERR_MSG_MAX ? payload : ERR_MSG_MAX)),
        MPI_REQUEST_NULL };
    double *row = xmalloc((row_len ? row_len : 1) * sizeof *row);
    struct perr e;
    int failed = ready(ctx, &e);
    if (failed)
        send_error(&ob, -1, failed, &e, rank);
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
            send_error(&ob, t, rc, &e, rank);
            failed = rc;
            continue;
        }
        outbox_wait(&ob);
        struct hdr h = { t, 0 };
        memcpy(ob.buf, &h, sizeof h);
        memcpy(ob.buf + sizeof h, row, payload);
        send_async(&ob, (int)(sizeof h + payload), TAG_RESULT);
    }
    /* The tasks sent before STOP that this rank has not received. */
    for (; received < stop_at; received++)
        MPI_Recv(tbuf, (int)tlen, MPI_BYTE, 0, TAG_TASK, MPI_COMM_WORLD, MPI_STATUS_IGNORE);
    outbox_wait(&ob);
    MPI_Send(NULL, 0, MPI_BYTE, 0, TAG_BYE, MPI_COMM_WORLD);
    free(tbuf);
    free(ob.buf);
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
