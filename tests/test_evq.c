/* test_evq.c - the calendar against a sorted-array oracle, and the run loop. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "evq.h"
#include "rng.h"
#include "sim.h"
#include "tcheck.h"

struct rec { double t; uint64_t seq; uint32_t id; };

static int rec_cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->t != y->t) return x->t < y->t ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

/* Random pushes and pops, with many equal times (ties must pop in insertion
 * order); the oracle is a sorted array.  At most cap events are pending; the
 * calendar starts with room for qcap, so qcap < cap makes its pool grow.
 * One push in twenty is far, at now + far .. now + 5 far: beyond the wheel's
 * window when far is large, and reached by it while its ring is still busy
 * when far is a little more than the window (nb x width). */
static void oracle_pf(enum evq_kind kind, double width, uint64_t seed, int ops, size_t cap,
                      size_t qcap, double far, int pf)
{
    gsl_rng *r = rng_stream_new(seed, 0, 99);
    struct evq *q = evq_new_kind(kind, qcap, width);
    /* With prefetching on, the wheel sorts a bucket by its own code
     * (sort_fetching); records for ids below 500 only, so that both sides
     * of its bound are taken. */
    static char recs[500 * 48];
    if (pf)
        evq_prefetch_records(q, recs, 48, 500);
    struct rec *o = malloc(cap * sizeof *o);
    size_t n = 0;
    uint64_t seq = 0;
    int mismatches = 0, popped = 0;
    double now = 0;
    for (int i = 0; i < ops; i++) {
        int push = n == 0 || (n < cap && gsl_rng_uniform(r) < 0.55);
        if (push) {
            /* Coarse times so that ties are frequent; some far ahead (the
             * wheel's overflow), some at now after a peek moved the wheel
             * past now (the run loop does that before an arrival). */
            double t = now + floor(gsl_rng_uniform(r) * 20) * 0.25;
            double u = gsl_rng_uniform(r);
            if (u < 0.05)
                t = now + far + floor(gsl_rng_uniform(r) * 4000) * (far / 1000);
            else if (u < 0.15) {
                const struct evq_event *top = evq_peek(q);
                if (top && n > 0) {
                    qsort(o, n, sizeof *o, rec_cmp);
                    if (top->time != o[0].t || top->seq != o[0].seq)
                        mismatches++;
                }
                t = now;
            }
            uint32_t id = (uint32_t)gsl_rng_uniform_int(r, 1000);
            evq_push(q, t, 7, id, 0);
            o[n++] = (struct rec){ t, seq++, id };
        } else {
            qsort(o, n, sizeof *o, rec_cmp);
            struct evq_event ev;
            /* Most pops through evq_pop_until, as the run loop does:
             * refused just below the earliest time, then taken at it; taken
             * with a limit beyond it; or refused with a limit between the
             * clock and it (the wheel then moves towards the limit, and the
             * pushes that follow at the clock fall before its bucket). */
            switch (popped % 4) {
            case 0:
                evq_pop(q, &ev);
                break;
            case 1:
                if (evq_pop_until(q, nextafter(o[0].t, -INFINITY), &ev) != -1 ||
                    evq_size(q) != n)
                    mismatches++;
                if (evq_pop_until(q, o[0].t, &ev) != 0)
                    mismatches++;
                break;
            case 2:
                if (evq_pop_until(q, o[0].t + gsl_rng_uniform(r) * 3, &ev) != 0)
                    mismatches++;
                break;
            default: {
                double lim = now + (o[0].t - now) * gsl_rng_uniform(r);
                if (lim < o[0].t && (evq_pop_until(q, lim, &ev) != -1 || evq_size(q) != n))
                    mismatches++;
                evq_pop(q, &ev);
            }
            }
            if (ev.time != o[0].t || ev.seq != o[0].seq || ev.id != o[0].id)
                mismatches++;
            if (ev.time < now)
                mismatches++;
            now = ev.time;
            memmove(o, o + 1, (n - 1) * sizeof *o);
            n--;
            popped++;
        }
        if (evq_size(q) != n)
            mismatches++;
    }
    /* Drain: the tail (mostly far events) must come out in order too. */
    qsort(o, n, sizeof *o, rec_cmp);
    for (size_t i = 0; i < n; i++) {
        struct evq_event ev;
        if (evq_pop(q, &ev) < 0 || ev.time != o[i].t || ev.seq != o[i].seq)
            mismatches++;
    }
    struct evq_event ev;
    if (evq_pop(q, &ev) != -1 || evq_peek(q) != NULL || evq_pop_until(q, INFINITY, &ev) != -1)
        mismatches++;
    CHECK(mismatches == 0 && popped > ops / 3 && (qcap >= cap || evq_growths(q) > 0),
          "oracle %s%s width %g seed %llu: %d ops, %d pops, %d mismatches, %u growths",
          kind == EVQ_HEAP ? "heap" : "wheel", pf ? " (prefetching)" : "", width,
          (unsigned long long)seed, ops, popped, mismatches, evq_growths(q));
    free(o);
    evq_free(q);
    gsl_rng_free(r);
}

static void oracle(enum evq_kind kind, double width, uint64_t seed, int ops, size_t cap,
                   size_t qcap, double far)
{
    oracle_pf(kind, width, seed, ops, cap, qcap, far, 0);
    if (kind == EVQ_WHEEL)
        oracle_pf(kind, width, seed, ops, cap, qcap, far, 1);
}

/* Times at the ends of the double range, where the wheel clamps its bucket
 * numbers: negative, subnormal, beyond 2^63 buckets, infinite; some equal.
 * Pops are interleaved with pushes after a refused evq_pop_until. */
static void extremes(enum evq_kind kind)
{
    static const double ts[] = { 3, -0.5, INFINITY, 1e300, -1e300, 1e17, 4.9e-324, 0,
                                 3, -INFINITY, 7.25, 1e300, INFINITY, -0.5 };
    enum { N = sizeof ts / sizeof ts[0] };
    struct rec o[N];
    struct evq *q = evq_new_kind(kind, 4, 0.5);
    int bad = 0;
    for (int i = 0; i < N; i++) {
        evq_push(q, ts[i], 0, (uint32_t)i, 0);
        o[i] = (struct rec){ ts[i], (uint64_t)i, (uint32_t)i };
    }
    qsort(o, N, sizeof *o, rec_cmp);
    struct evq_event ev;
    for (int i = 0; i < N; i++) {
        if (i == 9 && evq_pop_until(q, 1e16, &ev) != -1)   /* o[9] is 1e17 */
            bad++;
        if (evq_pop(q, &ev) != 0 || ev.seq != o[i].seq || ev.time != o[i].t)
            bad++;
    }
    CHECK(bad == 0 && evq_size(q) == 0, "%s: extreme times pop in order (%d wrong)",
          kind == EVQ_HEAP ? "heap" : "wheel", bad);
    evq_free(q);
}

/* Bucket numbers near 2^52, where the wheel stops comparing t / width with
 * its window as doubles (evq_priv.h) and files every push the slow way:
 * integer times (exact there) around the switch, pushed in a scrambled
 * order between pops, some at the clock, must pop in (time, seq) order. */
static void near_2_52(void)
{
    const double base = 4503599627370496.0 - 100;      /* 2^52 - 100 */
    struct evq *q = evq_new_kind(EVQ_WHEEL, 64, 1.0);
    struct rec o[600];
    size_t n = 0;
    uint64_t seq = 0;
    int bad = 0, pops = 0;
    double now = base;
    evq_push(q, base, 0, 0, 0);
    o[n++] = (struct rec){ base, seq++, 0 };
    for (int i = 1; i < 400; i++) {
        double t = now + (double)((i * 37) % 90);
        if (i % 7 == 0)
            t = now;
        evq_push(q, t, 0, (uint32_t)i, 0);
        o[n++] = (struct rec){ t, seq++, (uint32_t)i };
        if (i % 2 == 0) {
            qsort(o, n, sizeof *o, rec_cmp);
            struct evq_event ev;
            if (evq_pop_until(q, o[0].t, &ev) != 0 || ev.seq != o[0].seq || ev.time != o[0].t)
                bad++;
            now = o[0].t;
            memmove(o, o + 1, (n - 1) * sizeof *o);
            n--;
            pops++;
        }
    }
    double now_end = now;
    qsort(o, n, sizeof *o, rec_cmp);
    for (size_t i = 0; i < n; i++) {
        struct evq_event ev;
        if (evq_pop(q, &ev) != 0 || ev.seq != o[i].seq || ev.time != o[i].t)
            bad++;
    }
    CHECK(bad == 0 && evq_size(q) == 0 && now_end > base + 100,
          "wheel across bucket 2^52: %d pops to 2^52 + %g, then %zu drained, %d wrong", pops,
          now_end - base - 100, n, bad);
    evq_free(q);
}

/* The wheel retunes a width far from the events' spacing (the oracle's
 * pushes are 0.25 apart, several per unit of time): a width of 1000 puts
 * everything in one bucket and narrows, 1e-4 steps through empty buckets
 * and widens; the oracle has checked their pops. */
static void retune(double width, int narrows)
{
    struct evq *q = evq_new_kind(EVQ_WHEEL, 256, width);
    gsl_rng *r = rng_stream_new(3, 0, 99);
    double now = 0;
    struct evq_event ev;
    for (int i = 0; i < 200; i++)
        evq_push(q, floor(gsl_rng_uniform(r) * 40) * 0.25, 0, 0, 0);
    for (int i = 0; i < 40000; i++) {
        evq_pop(q, &ev);
        now = ev.time;
        evq_push(q, now + floor(gsl_rng_uniform(r) * 40) * 0.25, 0, 0, 0);
    }
    double w = evq_bucket_width(q);
    CHECK(narrows ? w < width / 10 : w > width * 10, "wheel retunes width %g to %g", width, w);
    evq_clear(q);
    CHECK(evq_bucket_width(q) == width, "evq_clear restores the width %g", width);
    gsl_rng_free(r);
    evq_free(q);
}

/* A tiny model: each arrival schedules two events; one of them is cancelled
 * by a version bump.  Checks ordering of calendar vs arrivals and counters. */
struct toy {
    double arrivals[4];
    int next, log_n;
    uint32_t ver;
    char log[64];
};

static double toy_next(void *m)
{
    struct toy *t = m;
    return t->next < 4 ? t->arrivals[t->next] : INFINITY;
}

static int toy_arrive(void *m, struct sim *s, struct perr *e)
{
    (void)e;
    struct toy *t = m;
    t->log[t->log_n++] = (char)('A' + t->next);
    t->next++;
    sim_after(s, 1.0, 0, 0, t->ver);       /* to be cancelled */
    t->ver++;
    sim_after(s, 1.0, 1, 0, t->ver);
    return 0;
}

static int toy_event(void *m, struct sim *s, const struct evq_event *ev, struct perr *e)
{
    (void)s; (void)e;
    struct toy *t = m;
    if (ev->ver != t->ver)
        return 1;
    t->log[t->log_n++] = ev->kind == 1 ? 'e' : 'x';
    return 0;
}

static void run_loop(void)
{
    struct toy t = { { 0.0, 1.0, 1.5, 5.0 }, 0, 0, 0, "" };
    struct sim_model_ops ops = { toy_next, toy_arrive, toy_event };
    struct sim *s = sim_new(16);
    struct perr e;
    CHECK_INT(sim_run(s, &ops, &t, &e), 0);
    t.log[t.log_n] = 0;
    /* A's live event at t=1 runs before arrival B at t=1 (calendar first on
     * ties).  The version is shared, so C's bump at 1.5 also cancels B's
     * live event at 2.0; only C's (2.5) and D's (6.0) run after it. */
    CHECK_STR(t.log, "AeBCeDe");
    const struct sim_counters *c = sim_counters(s);
    CHECK_INT(c->scheduled, 8);
    CHECK_INT(c->executed, 3);
    CHECK_INT(c->cancelled, 5);
    CHECK_INT(c->arrivals, 4);
    CHECK_NEAR(sim_now(s), 6.0, 0);
    sim_free(s);
}

int main(void)
{
    for (int k = 0; k < 2; k++) {
        enum evq_kind kind = k ? EVQ_WHEEL : EVQ_HEAP;
        /* Wheel widths: a fraction of the tie spacing, near the mean gap,
         * and so wide that everything shares a few buckets. */
        double widths[3] = { 0.1, 1.0, 1000.0 };
        for (int w = 0; w < (k ? 3 : 1); w++) {
            oracle(kind, widths[w], 1, 20000, 64, 64, 500);
            oracle(kind, widths[w], 2385, 50000, 1000, 1000, 500);
            oracle(kind, widths[w], 77, 5000, 3, 3, 500);
            oracle(kind, widths[w], 5, 20000, 500, 2, 500);       /* the pool grows */
        }
        /* Far events just past the window (64 slots x 0.1, 1024 x 0.01). */
        oracle(kind, 0.1, 9, 20000, 64, 64, 8);
        oracle(kind, 0.01, 10, 50000, 1000, 1000, 12);
        oracle(kind, 0.01, 11, 50000, 300, 30, 12);
        /* Times on bucket edges, far ones on the window's end (64 x 0.25). */
        oracle(kind, 0.25, 12, 20000, 64, 64, 16);
        oracle(kind, 0.5, 13, 20000, 200, 20, 32);
    }
    extremes(EVQ_HEAP);
    extremes(EVQ_WHEEL);
    near_2_52();
    retune(1000, 1);
    retune(1e-4, 0);
    /* A wheel that is cleared and reused starts again from time 0. */
    struct evq *q = evq_new_kind(EVQ_WHEEL, 8, 0.5);
    struct evq_event ev;
    evq_push(q, 900, 1, 1, 0);
    evq_push(q, 3, 1, 2, 0);
    evq_pop(q, &ev);
    evq_clear(q);
    evq_push(q, 2, 1, 3, 0);
    evq_push(q, 1, 1, 4, 0);
    CHECK(evq_pop(q, &ev) == 0 && ev.id == 4 && evq_pop(q, &ev) == 0 && ev.id == 3 &&
          evq_size(q) == 0, "wheel after clear");
    CHECK_INT(evq_kind_of(q), EVQ_WHEEL);
    evq_free(q);
    run_loop();
    return tc_done();
}
