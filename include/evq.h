/* evq.h - the event calendar: small plain records in (time, seq) order,
 * kept by a 4-ary min-heap (EVQ_HEAP) or a timing wheel of fixed-width
 * buckets with an overflow heap for far events (EVQ_WHEEL).  Both pop the
 * same sequence; the wheel is O(1) per event when a bucket holds a few
 * events (it retunes its width towards that), the heap O(log n) whatever
 * the times.
 *
 * Order: (time, seq) ascending, where seq is the insertion counter.  The
 * order is total, so two runs that schedule the same events in the same
 * order pop them in the same order: determinism does not depend on how the
 * heap happens to break ties.
 *
 * Cancellation is lazy: an event carries a version stamp copied from its
 * entity when scheduled; the model bumps the entity's version to cancel and
 * discards popped events whose stamp no longer matches.  No search through
 * the heap is ever needed.
 *
 * The heap array is the event pool, allocated up front with the capacity
 * given at creation, so the event loop does not call malloc.  Lazily
 * cancelled events occupy slots until they surface, so a model can only
 * estimate its peak; if a push finds the pool full it doubles it and counts
 * the growth (evq_growths), which benchmarks report; the wheel's node pool
 * (which holds the events inside its ring) doubles likewise, when its last
 * free node is taken.  Heap push and pop cost O(log4 n).  Peek, pop and
 * pop_until may move the wheel forward to the next non-empty bucket
 * (amortised O(1)); pop_until never moves it past its limit's bucket, so the
 * events that an arrival at that limit schedules still file into the ring.
 */
#ifndef PATROLSIM_EVQ_H
#define PATROLSIM_EVQ_H

#include <stddef.h>
#include <stdint.h>

struct evq_event {
    double time;      /* simulated minutes */
    uint64_t seq;     /* insertion order, unique per calendar */
    uint32_t kind;    /* model-defined event kind */
    uint32_t id;      /* model-defined entity index */
    uint32_t ver;     /* entity version at scheduling (lazy cancellation) */
};

struct evq;

enum evq_kind { EVQ_HEAP, EVQ_WHEEL };

/* A heap calendar. */
struct evq *evq_new(size_t capacity);
/* A calendar of the given kind; width (> 0, time units) is the wheel's
 * first bucket width, best a few mean gaps between events, and is ignored
 * by the heap.  The wheel rescales it when its buckets turn out too full
 * or too empty; the pops are the same whatever the width.  capacity sizes
 * the event pool and, for the wheel, the ring (the next power of two >=
 * capacity, >= 64). */
struct evq *evq_new_kind(enum evq_kind kind, size_t capacity, double width);
void evq_free(struct evq *q);

/* Schedules an event; aborts if time is NaN. */
void evq_push(struct evq *q, double time, uint32_t kind, uint32_t id, uint32_t ver);
/* Removes the earliest event into *out; returns 0, or -1 when empty. */
int evq_pop(struct evq *q, struct evq_event *out);
/* Removes the earliest event into *out if its time is <= t; returns 0, or
 * -1 (nothing removed) when the calendar is empty or its earliest event is
 * later than t.  The run loop's peek-then-pop in one call. */
int evq_pop_until(struct evq *q, double t, struct evq_event *out);
/* The earliest event, or NULL when empty; valid until the next push/pop. */
const struct evq_event *evq_peek(struct evq *q);
/* Names the model's per-entity records (n of them, stride bytes apart from
 * base; an event's id names its record) so that the wheel starts fetching
 * the nodes of the next buckets' lists ahead of their sort, and each
 * event's record when its bucket is sorted: on a large model neither is in
 * cache, and one event of distance is too little to hide a miss.  A hint
 * only (prefetch instructions): it changes no result.  base NULL (the
 * default) turns it off, for models small enough to stay in cache. */
void evq_prefetch_records(struct evq *q, const void *base, size_t stride, uint32_t n);
enum evq_kind evq_kind_of(const struct evq *q);
size_t evq_size(const struct evq *q);
size_t evq_capacity(const struct evq *q);
/* How many times the pool had to grow. */
unsigned evq_growths(const struct evq *q);
/* The wheel's bucket width now (it retunes itself, see evq.c); 0 for a heap. */
double evq_bucket_width(const struct evq *q);
void evq_clear(struct evq *q);

#endif
