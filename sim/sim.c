/* sim.c - the run loop: merges the model's arrival stream with the calendar.
 *
 * The loop holds no incident itself; the model keeps a look-ahead of an
 * arrival or two, so memory does not grow with the length of the stream.
 */
#include <math.h>
#include <stdlib.h>
#include "sim.h"
#include "evq_priv.h"

struct sim {
    struct sim__clock clk;    /* first member: sim_now (sim.h) reads it in place */
    struct evq *q;
    struct sim_counters c;
    const double *arrival_at;   /* sim_arrival_time_at; NULL: call next_arrival */
};

struct sim *sim_new_kind(enum evq_kind kind, size_t event_capacity, double bucket_width)
{
    struct sim *s = xcalloc(1, sizeof *s);
    s->q = evq_new_kind(kind, event_capacity, bucket_width);
    return s;
}

struct sim *sim_new(size_t event_capacity)
{
    return sim_new_kind(EVQ_HEAP, event_capacity, 0);
}

void sim_free(struct sim *s)
{
    if (!s)
        return;
    evq_free(s->q);
    free(s);
}

void sim_reset(struct sim *s)
{
    evq_clear(s->q);
    s->clk.now = 0;
    s->c = (struct sim_counters){ 0 };
}

const struct sim_counters *sim_counters(const struct sim *s)
{
    /* The pushes, counted by the calendar (sim_at); s is always one that
     * sim_new_kind allocated, never a const object. */
    struct sim *m = (struct sim *)s;
    m->c.scheduled = s->q->next_seq;
    return &s->c;
}
void sim_arrival_time_at(struct sim *s, const double *t) { s->arrival_at = t; }

void sim_prefetch_records(struct sim *s, const void *base, size_t stride, uint32_t n)
{
    evq_prefetch_records(s->q, base, stride, n);
}

/* sim_at is the model's one way into the calendar, so the calendar's push
 * count is the scheduled count (sim_counters). */
void sim_at(struct sim *s, double t, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(t >= s->clk.now);                 /* and not NaN */
    if (s->q->kind == EVQ_WHEEL)
        evq__wheel_push(s->q, t, kind, id, ver);
    else
        evq_push(s->q, t, kind, id, ver);
}

void sim_after(struct sim *s, double dt, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(dt >= 0);
    sim_at(s, s->clk.now + dt, kind, id, ver);
}

/* The loop, specialised by the compiler for each calendar kind and for a
 * model that gives the address of its next arrival time (wheel and direct
 * are constants at the call sites): the wheel's pop is evq__wheel_due and
 * evq__take in place, the heap's evq_pop_until. */
PS_HOT int run(struct sim *s, const struct sim_model_ops *ops, void *model,
               struct perr *e, const int wheel, const int direct)
{
    struct evq *q = s->q;
    struct evq_event ev;
    const double *at = s->arrival_at;
    for (;;) {
        double ta = direct ? *at : ops->next_arrival(model);
#ifndef NDEBUG
        /* The contract of sim_arrival_time_at, checked where it is cheap to
         * (the sanitizer builds of make asan). */
        PS_ASSERT(!at || ta == ops->next_arrival(model) || (isnan(ta) && isnan(*at)));
#endif
        int got;
        if (wheel) {
            int32_t k = evq__wheel_due(q, ta);
            if ((got = k >= 0))
                evq__take(q, k, &ev);
        } else
            got = evq_pop_until(q, ta, &ev) == 0;
        if (got) {
            PS_HOT_ASSERT(ev.time >= s->clk.now);   /* the calendar's order (tests/test_evq.c) */
            s->clk.now = ev.time;
            int rc = ops->event(model, s, &ev, e);
            if (rc < 0)
                return -1;
            s->c.cancelled += rc > 0;   /* executed: the rest of the pops (sim_run) */
        } else if (ta < INFINITY) {
            PS_ASSERT(ta >= s->clk.now);
            s->clk.now = ta;
            s->c.arrivals++;
            if (ops->arrive(model, s, e) < 0)
                return -1;
        } else {
            break;
        }
    }
    return 0;
}

int sim_run(struct sim *s, const struct sim_model_ops *ops, void *model,
            struct perr *e)
{
    int wheel = s->q->kind == EVQ_WHEEL, direct = s->arrival_at != NULL;
    int rc = wheel ? (direct ? run(s, ops, model, e, 1, 1) : run(s, ops, model, e, 1, 0))
                   : (direct ? run(s, ops, model, e, 0, 1) : run(s, ops, model, e, 0, 0));
    /* Every event pushed and no longer held was popped: run or cancelled. */
    s->c.executed = s->q->next_seq - evq_size(s->q) - s->c.cancelled;
    if (rc < 0)
        return -1;
    PS_ASSERT(sim_counters(s)->scheduled == s->c.executed + s->c.cancelled);
    s->c.calendar_growths = evq_growths(s->q);
    return 0;
}
