/* sim.h - the domain-free run loop.
 *
 * A model plugs in through three callbacks.  External arrivals (incidents)
 * come from the model's own source one at a time and are merged with the
 * calendar by time: the loop asks for the time of the next arrival, never for
 * the whole stream.  At equal times calendar events run before the arrival,
 * so a unit freed at t can take an incident created at t.
 *
 * Invariants checked at the end of every run: time never decreased, and
 * scheduled == executed + cancelled (+ still pending if stopped early).
 */
#ifndef PATROLSIM_SIM_H
#define PATROLSIM_SIM_H

#include <stdint.h>
#include "evq.h"
#include "err.h"

struct sim;

struct sim_model_ops {
    /* Time of the model's next external arrival; INFINITY when none left. */
    double (*next_arrival)(void *model);
    /* Consumes that arrival at sim_now(); 0, or -1 with e set. */
    int (*arrive)(void *model, struct sim *s, struct perr *e);
    /* Handles one calendar event: 0 handled, 1 stale (lazily cancelled),
     * -1 error with e set. */
    int (*event)(void *model, struct sim *s, const struct evq_event *ev,
                 struct perr *e);
};

struct sim_counters {
    uint64_t scheduled, executed, cancelled, arrivals;
    unsigned calendar_growths;   /* times the event pool had to grow */
};

/* A run loop over a heap calendar. */
struct sim *sim_new(size_t event_capacity);
/* The same over a calendar of the given kind (evq_new_kind). */
struct sim *sim_new_kind(enum evq_kind kind, size_t event_capacity, double bucket_width);
void sim_free(struct sim *s);
/* Back to time 0 with an empty calendar and zero counters. */
void sim_reset(struct sim *s);

/* The clock, the one field of the run loop that a model reads on every
 * event (about ten times per incident in the police model): visible so that
 * sim_now inlines instead of costing a call; struct sim begins with it (a
 * pointer to a struct is a pointer to its first member, C11 6.7.2.1).  Only
 * sim.c writes it. */
struct sim__clock {
    double now;
};
static inline double sim_now(const struct sim *s)
{
    return ((const struct sim__clock *)(const void *)s)->now;
}
/* Schedules at absolute time t >= now. */
void sim_at(struct sim *s, double t, uint32_t kind, uint32_t id, uint32_t ver);
/* Schedules after a delay dt >= 0. */
void sim_after(struct sim *s, double dt, uint32_t kind, uint32_t id, uint32_t ver);

/* Runs until the calendar is empty and the model has no arrival left.
 * Returns 0, or -1 with e set by the model. */
int sim_run(struct sim *s, const struct sim_model_ops *ops, void *model,
            struct perr *e);

/* Optional: the address of a double that the model keeps equal to what
 * its next_arrival would return, whenever the loop asks (after each event
 * and each arrival), so that the loop reads it instead of making the call
 * (twice an incident).  For a model whose next arrival changes in a few
 * known places (the police model: its stream, its spawned incidents).
 * NULL, the default, calls next_arrival.  sim_reset keeps it. */
void sim_arrival_time_at(struct sim *s, const double *t);

/* evq_prefetch_records on the run loop's calendar. */
void sim_prefetch_records(struct sim *s, const void *base, size_t stride, uint32_t n);

/* The counters as of this call: `scheduled` is the calendar's push count,
 * copied in by the call, so read it through a fresh call after scheduling
 * more. */
const struct sim_counters *sim_counters(const struct sim *s);

#endif
