/* sim.c - the run loop: merges the model's arrival stream with the calendar.
 *
 * The loop holds no incident itself; the model keeps a look-ahead of an
 * arrival or two, so memory does not grow with the length of the stream.
 */
#include <math.h>
#include <stdlib.h>
#include "sim.h"

struct sim {
    struct sim__clock clk;    /* first member: sim_now (sim.h) reads it in place */
    struct evq *q;
    struct sim_counters c;
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

const struct sim_counters *sim_counters(const struct sim *s) { return &s->c; }
void sim_prefetch_records(struct sim *s, const void *base, size_t stride, uint32_t n)
{
    evq_prefetch_records(s->q, base, stride, n);
}

void sim_at(struct sim *s, double t, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(t >= s->clk.now);
    evq_push(s->q, t, kind, id, ver);
    s->c.scheduled++;
}

void sim_after(struct sim *s, double dt, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(dt >= 0);
    sim_at(s, s->clk.now + dt, kind, id, ver);
}

int sim_run(struct sim *s, const struct sim_model_ops *ops, void *model,
            struct perr *e)
{
    struct evq_event ev;
    for (;;) {
        double ta = ops->next_arrival(model);
        if (evq_pop_until(s->q, ta, &ev) == 0) {
            PS_ASSERT(ev.time >= s->clk.now);
            s->clk.now = ev.time;
            int rc = ops->event(model, s, &ev, e);
            if (rc < 0)
                return -1;
            if (rc > 0)
                s->c.cancelled++;
            else
                s->c.executed++;
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
    PS_ASSERT(s->c.scheduled == s->c.executed + s->c.cancelled);
    s->c.calendar_growths = evq_growths(s->q);
    return 0;
}
