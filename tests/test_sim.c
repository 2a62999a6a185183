/* test_sim.c - the run loop against an oracle, on both calendars.
 *
 * sim_run takes the wheel's events through its own inline fast paths
 * (sim/evq_priv.h), not evq_pop_until, so test_evq.c's oracle does not
 * cover it.  Here a random model keeps its own unsorted list of what it
 * scheduled and checks every event the loop hands it against that list's
 * (time, seq) minimum, and every arrival against "no event due at or before
 * it" (events first on ties).  Its arrivals come from a stream plus
 * incidents that its events spawn (next_arrival changes during an event),
 * its events are scheduled at the clock, a few steps ahead (ties), at the
 * next arrival's time and far beyond the wheel's window, and some are
 * cancelled by a version bump.  The log of everything that ran must be the
 * same for the heap and for wheels of every width and pool size, with and
 * without the prefetch hint, with the next arrival time called for or
 * read from the model (sim_arrival_time_at), and again after sim_reset. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "rng.h"
#include "sim.h"
#include "tcheck.h"

enum { NID = 64, NSPAWN = 64 };

struct pend { double t; uint64_t seq; uint32_t kind, id, ver; };

struct model {
    gsl_rng *r;               /* the model's draws: the same for every calendar */
    struct sim *s;
    double next_t;            /* next exogenous arrival; INFINITY after the last */
    int left;                 /* exogenous arrivals still to come */
    double spawn[NSPAWN];     /* spawned arrivals, unsorted */
    int nspawn;
    uint32_t ver[NID];
    struct pend *p;           /* the oracle: pending events, unsorted */
    size_t np, pcap;
    uint64_t pushes, bad, log, ran, stale, arrivals;
    double rec[NID][8];       /* stand-in entity records for the prefetch hint */
    double far;
    double at;                /* next_arrival, kept for sim_arrival_time_at */
};

static double unif(struct model *m) { return rng_u01(m->r); }

static void push(struct model *m, double t, uint32_t kind, uint32_t id)
{
    if (m->np == m->pcap) {
        m->pcap = m->pcap ? 2 * m->pcap : 64;
        m->p = realloc(m->p, m->pcap * sizeof *m->p);
    }
    m->p[m->np++] = (struct pend){ t, m->pushes++, kind, id, m->ver[id] };
    sim_at(m->s, t, kind, id, m->ver[id]);
}

static double next_arrival(void *mp)
{
    struct model *m = mp;
    double t = m->next_t;
    for (int i = 0; i < m->nspawn; i++)
        if (m->spawn[i] < t)
            t = m->spawn[i];
    return t;
}

/* The earliest pending event of the oracle, or -1. */
static long earliest(const struct model *m)
{
    long b = -1;
    for (size_t i = 0; i < m->np; i++)
        if (b < 0 || m->p[i].t < m->p[b].t || (m->p[i].t == m->p[b].t && m->p[i].seq < m->p[b].seq))
            b = (long)i;
    return b;
}

static void mix(struct model *m, uint64_t v)
{
    m->log = (m->log ^ v) * 0x100000001b3ull;
}

static uint64_t bits(double t)
{
    uint64_t u;
    memcpy(&u, &t, sizeof u);
    return u;
}

/* Events a step of the model schedules: at the clock, a few quarter steps
 * ahead (many ties), at the next arrival's time, or far ahead. */
static void schedule_some(struct model *m, int n)
{
    double now = sim_now(m->s);
    for (int i = 0; i < n; i++) {
        double u = unif(m), t;
        if (u < 0.1)
            t = now;
        else if (u < 0.15)
            t = next_arrival(m) < INFINITY ? next_arrival(m) : now;
        else if (u < 0.2)
            t = now + m->far * (1 + floor(unif(m) * 4000) / 1000);
        else
            t = now + floor(unif(m) * 24) * 0.25;
        push(m, t, (uint32_t)(unif(m) * 3), (uint32_t)(unif(m) * NID));
    }
}

static int arrive(void *mp, struct sim *s, struct perr *e)
{
    (void)e;
    struct model *m = mp;
    double now = sim_now(s);
    long b = earliest(m);
    if (b >= 0 && m->p[b].t <= now)       /* an event due by now should have run */
        m->bad++;
    int k = -1;
    for (int i = 0; i < m->nspawn; i++)
        if (m->spawn[i] == now && m->spawn[i] < m->next_t)
            k = i;
    if (k >= 0)
        m->spawn[k] = m->spawn[--m->nspawn];
    else if (m->next_t == now) {
        m->next_t = --m->left > 0 ? now + floor(unif(m) * 8) * 0.25 : INFINITY;
    } else
        m->bad++;                         /* no arrival was due now */
    m->arrivals++;
    m->at = next_arrival(m);
    mix(m, 'A' ^ bits(now));
    schedule_some(m, 1 + (int)(unif(m) * 2.5));
    return 0;
}

static int event(void *mp, struct sim *s, const struct evq_event *ev, struct perr *e)
{
    (void)e;
    struct model *m = mp;
    long b = earliest(m);
    if (b < 0 || ev->time != m->p[b].t || ev->seq != m->p[b].seq || ev->kind != m->p[b].kind ||
        ev->id != m->p[b].id || ev->ver != m->p[b].ver || sim_now(s) != ev->time ||
        next_arrival(m) < ev->time)
        m->bad++;
    if (b >= 0)
        m->p[b] = m->p[--m->np];
    mix(m, ev->seq ^ bits(ev->time) ^ ((uint64_t)ev->id << 40));
    if (ev->id >= NID || ev->ver != m->ver[ev->id]) {
        m->stale++;
        return 1;
    }
    m->ran++;
    double u = unif(m);
    if (u < 0.1)
        m->ver[(uint32_t)(unif(m) * NID)]++;         /* cancels that entity's events */
    else if (u < 0.2 && m->nspawn < NSPAWN) {         /* a spawned incident, maybe now */
        m->spawn[m->nspawn++] = sim_now(s) + floor(unif(m) * 3) * 0.5;
        m->at = next_arrival(m);
    }
    if (m->np < 800)
        schedule_some(m, (int)(unif(m) * 2.2));
    return 0;
}

struct result { uint64_t log, bad, ran, stale, arrivals, pushes; int ok; };

/* prefetch: the calendar's prefetch hint on; use_at: the loop reads the
 * next arrival time from m.at (sim_arrival_time_at), not through the call. */
static struct result run_one(struct sim *s, uint64_t seed, int arrivals, double far, int prefetch,
                             int use_at)
{
    static struct model m;
    memset(&m, 0, sizeof m);
    m.r = rng_stream_new(seed, 0, 7);
    m.s = s;
    m.left = arrivals;
    m.far = far;
    m.log = 0xcbf29ce484222325ull;
    if (prefetch)
        sim_prefetch_records(s, m.rec, sizeof m.rec[0], NID);
    m.at = next_arrival(&m);
    sim_arrival_time_at(s, use_at ? &m.at : NULL);
    /* Something pending before the run, as the police model has. */
    push(&m, 0, 0, 0);
    push(&m, far, 1, 1);
    static const struct sim_model_ops ops = { next_arrival, arrive, event };
    struct perr e;
    int rc = sim_run(s, &ops, &m, &e);
    const struct sim_counters *c = sim_counters(s);
    struct result r = { m.log, m.bad, m.ran, m.stale, m.arrivals, m.pushes, 0 };
    r.ok = rc == 0 && m.np == 0 && m.left == 0 && m.nspawn == 0 && c->scheduled == m.pushes &&
           c->executed == m.ran && c->cancelled == m.stale && c->arrivals == m.arrivals;
    free(m.p);
    gsl_rng_free(m.r);
    return r;
}

int main(void)
{
    struct {
        enum evq_kind kind;
        size_t cap;
        double width;
        int prefetch, use_at;
    } cal[] = {
        { EVQ_HEAP, 16, 0, 0, 0 },
        { EVQ_HEAP, 16, 0, 0, 1 },
        { EVQ_WHEEL, 4096, 1.0, 0, 0 },  /* a few events a bucket */
        { EVQ_WHEEL, 4096, 1.0, 1, 1 },
        { EVQ_WHEEL, 2, 0.25, 0, 1 },    /* the pool grows; 64 slots, far beyond them */
        { EVQ_WHEEL, 64, 1e-3, 1, 0 },   /* empty buckets, then retuned wider */
        { EVQ_WHEEL, 64, 1e4, 0, 1 },    /* everything in one bucket, then narrower */
        { EVQ_WHEEL, 64, 7.3, 0, 0 },    /* buckets not aligned with the ties */
    };
    enum { NC = sizeof cal / sizeof cal[0] };
    /* far: beyond every window; a little beyond 64 x 0.25; huge */
    const double fars[] = { 500, 17, 1e15 };
    for (size_t f = 0; f < sizeof fars / sizeof fars[0]; f++)
        for (uint64_t seed = 1; seed <= 2; seed++) {
            struct result ref = { 0 };
            for (int c = 0; c < NC; c++) {
                struct sim *s = sim_new_kind(cal[c].kind, cal[c].cap, cal[c].width);
                struct result r = run_one(s, seed, 8000, fars[f], cal[c].prefetch, cal[c].use_at);
                if (c == 0)
                    ref = r;
                CHECK(r.ok && r.bad == 0 && r.log == ref.log && r.ran > 8000 && r.stale > 100,
                      "far %g seed %llu calendar %d: %llu ran, %llu stale, %llu arrivals, "
                      "%llu wrong, log %s the heap's", fars[f], (unsigned long long)seed, c,
                      (unsigned long long)r.ran, (unsigned long long)r.stale,
                      (unsigned long long)r.arrivals, (unsigned long long)r.bad,
                      r.log == ref.log ? "equals" : "differs from");
                /* Reset and run again: the same from time 0. */
                sim_reset(s);
                struct result r2 = run_one(s, seed, 8000, fars[f], cal[c].prefetch,
                                           cal[c].use_at);
                CHECK(r2.ok && r2.bad == 0 && r2.log == ref.log,
                      "far %g seed %llu calendar %d after sim_reset: %llu wrong, log %s",
                      fars[f], (unsigned long long)seed, c, (unsigned long long)r2.bad,
                      r2.log == ref.log ? "same" : "differs");
                sim_free(s);
            }
        }
    return tc_done();
}
