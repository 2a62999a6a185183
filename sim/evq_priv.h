/* evq_priv.h - the calendar's layout and the timing wheel's fast paths,
 * shared by evq.c and the run loop (sim.c) only.
 *
 * The run loop pushes and pops about once per incident each; through the
 * public functions that cost three call levels, a kind test and a counter
 * at each.  With the wheel's common cases here as static inline functions,
 * sim_at files an event into its ring slot or the current list and sim_run
 * takes the current list's head in place; only a refill (about one per
 * bucket), the overflow, pool growth and retuning call into evq.c.  The
 * model still sees only evq.h and sim.h.  evq.c describes the wheel. */
#ifndef PATROLSIM_EVQ_PRIV_H
#define PATROLSIM_EVQ_PRIV_H

#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include "evq.h"
#include "hot.h"

struct heap {
    struct evq_event *a;      /* logical index 0 = the root */
    void *block;              /* the allocation a points into */
    size_t n, cap;
};

/* A wheel event: the record's fields, with the list link in what would be
 * the record's tail padding, so a node is 32 bytes and two share a line,
 * and a take copies it into a record whole (evq__take). */
struct node {
    double time;
    uint64_t seq;
    uint32_t kind, id, ver;
    int32_t next;             /* next node in its list (or the free list); -1 */
};

_Static_assert(sizeof(struct node) == sizeof(struct evq_event) &&
               offsetof(struct node, time) == offsetof(struct evq_event, time) &&
               offsetof(struct node, seq) == offsetof(struct evq_event, seq) &&
               offsetof(struct node, kind) == offsetof(struct evq_event, kind) &&
               offsetof(struct node, id) == offsetof(struct evq_event, id) &&
               offsetof(struct node, ver) == offsetof(struct evq_event, ver),
               "a wheel node is an evq_event with its link in the tail padding");

/* Three buckets ahead measured best on bench-city S = 128 (two: 1%
 * slower, four and five: 3% slower and 5 and 8 instructions an incident
 * more). */
enum { EVQ_PF_AHEAD = 3, EVQ_PF_RING = 4 };
_Static_assert(EVQ_PF_AHEAD < EVQ_PF_RING && (EVQ_PF_RING & (EVQ_PF_RING - 1)) == 0,
               "a walk for each bucket ahead, in a ring of 2^k");

struct evq {
    enum evq_kind kind;
    uint64_t next_seq;        /* pushes since creation or evq_clear */
    uint64_t taken;           /* EVQ_WHEEL: pops; pending = next_seq - taken */
    unsigned growths;
    struct heap h;            /* EVQ_HEAP: the calendar; EVQ_WHEEL: the overflow */

    /* EVQ_WHEEL only */
    double width, inv_width;
    double width0;            /* as created; evq_clear goes back to it */
    size_t nb;                /* ring slots, a power of two */
    int64_t cur;              /* bucket being served */
    double xlo, xhi;          /* cur + 1 and cur + nb as doubles (window_set), so
                               * that t / width in [xlo, xhi) is a ring bucket
                               * and t / width < xlo one at or before cur; NaN
                               * (no test holds) when cur < -1 or cur >= 2^52 */
    int32_t head;             /* its events (and any earlier), sorted; -1 */
    int32_t free_node;        /* never -1 between calls (see pool_more) */
    int64_t ov_due;           /* the overflow's first bucket - nb (INT64_MAX: empty):
                               * it joins the ring once cur > ov_due */
    int32_t *slot;            /* ring: first node of each slot, -1 */
    size_t ring_used;         /* ring slots that hold an event */
    struct node *pool;
    size_t pool_cap;
    struct evq_event top;     /* evq_peek's copy of the current list's first */
    /* Width tuning (see wheel_tune): work counted since push number tune_seq;
     * the push numbered tune_at (tune_seq + TUNE_EVERY) retunes. */
    uint64_t tune_seq, tune_at;
    uint64_t walk;            /* list links passed by sorts and sorted inserts */
    uint64_t scan;            /* buckets stepped by refill */
    uint64_t far;             /* events filed in the overflow */
    const char *pf_base;      /* evq_prefetch_records, NULL: off */
    size_t pf_stride;
    uint32_t pf_n;
    /* With prefetching on, each refill fetches one more node of the lists
     * of the next EVQ_PF_AHEAD buckets (evq.c, sort_fetching):
     * pf_walk[b % EVQ_PF_RING] is the node of bucket b's list fetched
     * last, -1 when its list is done.  A stale entry (its bucket served,
     * the wheel rebuilt) is a node index all the same: a wasted hint,
     * never a wrong result. */
    int32_t pf_walk[EVQ_PF_RING];
};

/* evq.c: files node k (filled) wherever the fast push does not, then grows
 * the pool or retunes the width when due. */
void evq__push_rest(struct evq *q, int32_t k);
/* evq.c: with the current list empty, moves the wheel towards t (never past
 * t's bucket); returns the new head if its time is <= t, else -1. */
int32_t evq__refill_due(struct evq *q, double t);

/* Links node k, the newest event (time t), into the sorted list *at: the
 * newest has the highest seq of all, so it goes after every node whose time
 * is not later than t.  Counts the links passed (the width tuner's walk). */
PS_HOT void evq__insert_newest(struct evq *q, int32_t *at, int32_t k, double t)
{
    struct node *pool = q->pool;
    int32_t p = *at, n;
    if (p < 0 || t < pool[p].time) {
        pool[k].next = p;
        *at = k;
        return;
    }
    uint64_t w = 1;
    while ((n = pool[p].next) >= 0 && pool[n].time <= t) {
        p = n;
        w++;
    }
    pool[k].next = n;
    pool[p].next = k;
    q->walk += w;
}

/* A wheel push.  The common cases, with a free node left after this one
 * and no retuning due, are filed here: a bucket inside the ring (linked
 * first in its unsorted list: no other node is read) or one at or before
 * the current bucket (a sorted insert into the current list; an M/M/1's
 * next event). */
PS_HOT void evq__wheel_push(struct evq *q, double time, uint32_t kind, uint32_t id,
                            uint32_t ver)
{
    int32_t k = q->free_node;
    struct node *nd = &q->pool[k];
    q->free_node = nd->next;
    uint64_t seq = q->next_seq++;
    nd->time = time;
    nd->seq = seq;
    nd->kind = kind;
    nd->id = id;
    nd->ver = ver;
    /* In the ring's window, floor(time / width) is the truncation (x >= 0)
     * and exact (x < 2^53).  No call but the tail call, so the fast path
     * saves no registers.  With the window off (NaN) neither test holds. */
    double x = time * q->inv_width;
    int ok = q->free_node >= 0 && seq + 1 < q->tune_at;
    if (x >= q->xlo && x < q->xhi && ok) {
        int32_t *sl = &q->slot[(size_t)(int64_t)x & (q->nb - 1)];
        q->ring_used += *sl < 0;
        nd->next = *sl;
        *sl = k;
        return;
    }
    if (x < q->xlo && ok) {
        evq__insert_newest(q, &q->head, k, time);
        return;
    }
    evq__push_rest(q, k);
}

/* The wheel's earliest event if its time is <= t: its node, or -1. */
PS_HOT int32_t evq__wheel_due(struct evq *q, double t)
{
    int32_t k = q->head;
    if (k >= 0)
        return q->pool[k].time <= t ? k : -1;
    if (t * q->inv_width < q->xlo)    /* t's bucket is cur or before: no refill */
        return -1;
    return evq__refill_due(q, t);
}

/* Unlinks node k, the current list's head, into *out.  (With prefetching
 * on, its model record was asked for when its bucket was sorted.) */
PS_HOT void evq__take(struct evq *q, int32_t k, struct evq_event *out)
{
    struct node *nd = &q->pool[k];
    memcpy(out, nd, sizeof *out);               /* the link lands in padding */
    q->head = nd->next;
    nd->next = q->free_node;
    q->free_node = k;
    q->taken++;
}

#endif
