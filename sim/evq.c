/* evq.c - event calendars: a 4-ary heap, and a timing wheel with an
 * overflow heap (see evq.h for the contract).
 *
 * Heap: a 4-ary heap halves the depth of a binary one; with 32-byte
 * records, the four children of a node share one or two cache lines, so
 * sift-down compares them cheaply.
 *
 * Wheel: time is cut into buckets of a fixed width; bucket number
 * b(t) = floor(t / width).  `cur` is the bucket being served; its events sit
 * in a small heap (the current heap), usually of one to three events.  It is
 * a heap, not a sorted list, because a peek moves cur to the next non-empty
 * bucket, and while the calendar is sparse (a run's first minutes) the
 * arrivals before that bucket schedule many events earlier than it: they
 * join the current heap at O(log n), never worse than the heap calendar.
 * The next nb - 1 buckets are slots of a ring, each an unsorted singly
 * linked list of pool nodes; events further out wait in the overflow heap
 * and move into the ring when its window reaches them.  Invariants:
 *   every event in the current heap has b <= cur (an event pushed for a
 *   time before the current bucket, which the run loop allows when it
 *   peeked ahead of an arrival, also goes there);
 *   an event in ring slot s has cur < b < cur + nb and b mod nb = s;
 *   every overflow event has b >= cur + nb.
 * So the current heap holds the earliest events (when it and the ring are
 * empty, the overflow's top is the earliest), and within it the order is
 * (time, seq), exactly as in the heap: the two calendars pop the same
 * sequence.  With the width near the mean gap between events, a bucket
 * holds about one event and push and pop are O(1).
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evq.h"
#include "err.h"

#define D 4

/* Strict weak order: earlier time first, then earlier insertion. */
static inline int before(const struct evq_event *x, const struct evq_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* ---- 4-ary heap ------------------------------------------------------------ */

/* Node i's children are 4i+1 .. 4i+4.  The records (32 bytes) sit
 * HEAP_PAD places into a 128-byte aligned block, so every group of four
 * siblings starts at a multiple of 4 records and fills exactly two cache
 * lines; unpadded, a group straddles three lines half of the time. */
#define HEAP_PAD 3
#define HEAP_ALIGN 128

struct heap {
    struct evq_event *a;      /* logical index 0 = the root */
    void *block;              /* the allocation a points into */
    size_t n, cap;
};

static void heap_alloc(struct heap *h, size_t cap)
{
    void *b = NULL;
    size_t bytes = (cap + HEAP_PAD) * sizeof *h->a;
    if (posix_memalign(&b, HEAP_ALIGN, bytes) != 0 || !b) {
        fprintf(stderr, "patrolsim: out of memory (requesting %zu bytes)\n", bytes);
        abort();
    }
    struct evq_event *a = (struct evq_event *)b + HEAP_PAD;
    if (h->block) {
        memcpy(a, h->a, h->n * sizeof *a);
        free(h->block);
    }
    h->block = b;
    h->a = a;
    h->cap = cap;
}

static void heap_init(struct heap *h, size_t cap)
{
    h->n = 0;
    h->block = NULL;
    heap_alloc(h, cap ? cap : 1);
}

static void heap_release(struct heap *h)
{
    free(h->block);
    h->block = NULL;
    h->a = NULL;
}

/* Returns 1 if the array had to grow. */
static int heap_push(struct heap *h, const struct evq_event *ev)
{
    int grew = 0;
    if (h->n == h->cap) {
        heap_alloc(h, 2 * h->cap);
        grew = 1;
    }
    size_t i = h->n++;
    while (i > 0) {
        size_t p = (i - 1) / D;
        if (!before(ev, &h->a[p]))
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = *ev;
    return grew;
}

/* Index of the earlier of a[i] and a[j]. */
static inline size_t first_of(const struct evq_event *a, size_t i, size_t j)
{
    return before(&a[j], &a[i]) ? j : i;
}

static void heap_pop(struct heap *h, struct evq_event *out)
{
    struct evq_event *a = h->a;
    *out = a[0];
    struct evq_event last = a[--h->n];
    size_t n = h->n, i = 0;
    for (;;) {
        size_t c = i * D + 1, best;
        if (c + D <= n)             /* all four children: a tournament of pairs */
            best = first_of(a, first_of(a, c, c + 1), first_of(a, c + 2, c + 3));
        else if (c < n) {
            best = c;
            for (size_t k = c + 1; k < n; k++)
                best = first_of(a, best, k);
        } else
            break;
        if (!before(&a[best], &last))
            break;
        a[i] = a[best];
        i = best;
    }
    if (n > 0)
        a[i] = last;
}

/* ---- the calendar ------------------------------------------------------------ */

struct node {
    struct evq_event ev;
    int32_t next;             /* next node in the slot, or in the free list; -1 */
};

struct evq {
    enum evq_kind kind;
    uint64_t next_seq;
    size_t n;                 /* pending events */
    unsigned growths;
    struct heap h;            /* EVQ_HEAP: the calendar; EVQ_WHEEL: the overflow */

    /* EVQ_WHEEL only */
    double width, inv_width;
    size_t nb;                /* ring slots, a power of two */
    int64_t cur;              /* bucket being served */
    struct heap c;            /* its events (and any earlier ones) */
    int32_t *slot;            /* ring: first node of each slot, -1 */
    size_t in_ring;           /* events in ring slots */
    struct node *pool;
    int32_t free_node;
    size_t pool_cap;
};

struct evq *evq_new(size_t capacity)
{
    return evq_new_kind(EVQ_HEAP, capacity, 0);
}

static void pool_grow(struct evq *q, size_t cap)
{
    q->pool = xrealloc(q->pool, cap * sizeof *q->pool);
    for (size_t i = cap; i-- > q->pool_cap;) {
        q->pool[i].next = q->free_node;
        q->free_node = (int32_t)i;
    }
    q->pool_cap = cap;
}

struct evq *evq_new_kind(enum evq_kind kind, size_t capacity, double width)
{
    struct evq *q = xcalloc(1, sizeof *q);
    q->kind = kind;
    capacity = capacity ? capacity : 1;
    if (kind == EVQ_HEAP) {
        heap_init(&q->h, capacity);
        return q;
    }
    PS_ASSERT(kind == EVQ_WHEEL && width > 0 && isfinite(width));
    q->width = width;
    q->inv_width = 1.0 / width;
    q->nb = 64;
    while (q->nb < capacity)
        q->nb *= 2;
    q->slot = xmalloc(q->nb * sizeof *q->slot);
    for (size_t i = 0; i < q->nb; i++)
        q->slot[i] = -1;
    q->free_node = -1;
    pool_grow(q, capacity);
    heap_init(&q->c, capacity / 16 + 64);   /* room for a sparse start (see above) */
    heap_init(&q->h, 64);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    heap_release(&q->h);
    if (q->c.block)
        heap_release(&q->c);
    free(q->slot);
    free(q->pool);
    free(q);
}

static int64_t bucket(const struct evq *q, double t)
{
    double b = floor(t * q->inv_width);
    return b < -9.0e18 ? INT64_MIN / 2 : b > 9.0e18 ? INT64_MAX / 2 : (int64_t)b;
}

static void cur_insert(struct evq *q, const struct evq_event *ev)
{
    q->growths += (unsigned)heap_push(&q->c, ev);
}

static void ring_insert(struct evq *q, const struct evq_event *ev, int64_t b)
{
    if (q->free_node < 0) {
        pool_grow(q, q->pool_cap * 2);
        q->growths++;
    }
    int32_t k = q->free_node;
    q->free_node = q->pool[k].next;
    size_t s = (size_t)b & (q->nb - 1);
    q->pool[k].ev = *ev;
    q->pool[k].next = q->slot[s];
    q->slot[s] = k;
    q->in_ring++;
}

/* Files an event of the wheel where the invariants put it. */
static void wheel_place(struct evq *q, const struct evq_event *ev)
{
    int64_t b = bucket(q, ev->time);
    if (b <= q->cur)
        cur_insert(q, ev);
    else if (b < q->cur + (int64_t)q->nb)
        ring_insert(q, ev, b);
    else
        q->growths += (unsigned)heap_push(&q->h, ev);
}

void evq_push(struct evq *q, double time, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(!isnan(time));
    struct evq_event ev = { time, q->next_seq++, kind, id, ver };
    q->n++;
    if (q->kind == EVQ_HEAP)
        q->growths += (unsigned)heap_push(&q->h, &ev);
    else
        wheel_place(q, &ev);
}

/* Makes cur the first ring bucket holding an event (the current heap is
 * empty, the ring is not), takes the overflow events the new window
 * reaches, and moves that bucket into the current heap. */
static void advance(struct evq *q)
{
    do
        q->cur++;
    while (q->slot[(size_t)q->cur & (q->nb - 1)] < 0);
    int64_t end = q->cur + (int64_t)q->nb;
    while (q->h.n > 0 && bucket(q, q->h.a[0].time) < end) {
        struct evq_event ev;
        heap_pop(&q->h, &ev);
        wheel_place(q, &ev);
    }
    size_t s = (size_t)q->cur & (q->nb - 1);
    for (int32_t k = q->slot[s], next; k >= 0; k = next) {
        next = q->pool[k].next;
        cur_insert(q, &q->pool[k].ev);
        q->pool[k].next = q->free_node;
        q->free_node = k;
        q->in_ring--;
    }
    q->slot[s] = -1;
}

/* With the current heap and the ring empty, the overflow's earliest event
 * is the calendar's: it is served from there, without moving cur to its far
 * bucket (a peek before an arrival would otherwise leave cur ahead of every
 * event the arrival schedules, and they would all pile into the current
 * heap).  After a pop cur moves as near the popped event as the overflow
 * invariant allows; later events are never earlier than it. */
static void pop_far(struct evq *q, struct evq_event *out)
{
    heap_pop(&q->h, out);
    int64_t c = bucket(q, out->time);
    if (q->h.n > 0) {
        int64_t lim = bucket(q, q->h.a[0].time) - (int64_t)q->nb;
        if (lim < c)
            c = lim;
    }
    if (c > q->cur)
        q->cur = c;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
    if (q->n == 0)
        return -1;
    q->n--;
    if (q->kind == EVQ_HEAP) {
        heap_pop(&q->h, out);
        return 0;
    }
    if (q->c.n == 0) {
        if (q->in_ring == 0) {
            pop_far(q, out);
            return 0;
        }
        advance(q);
    }
    heap_pop(&q->c, out);
    return 0;
}

int evq_pop_until(struct evq *q, double t, struct evq_event *out)
{
    if (q->kind == EVQ_HEAP) {
        if (q->n == 0 || !(q->h.a[0].time <= t))
            return -1;
        q->n--;
        heap_pop(&q->h, out);
        return 0;
    }
    const struct evq_event *top = evq_peek(q);
    if (!top || !(top->time <= t))
        return -1;
    return evq_pop(q, out);
}

const struct evq_event *evq_peek(struct evq *q)
{
    if (q->n == 0)
        return NULL;
    if (q->kind == EVQ_HEAP)
        return &q->h.a[0];
    if (q->c.n == 0) {
        if (q->in_ring == 0)
            return &q->h.a[0];
        advance(q);
    }
    return &q->c.a[0];
}

size_t evq_size(const struct evq *q) { return q->n; }
size_t evq_capacity(const struct evq *q)
{
    return q->kind == EVQ_HEAP ? q->h.cap : q->pool_cap;
}
unsigned evq_growths(const struct evq *q) { return q->growths; }
enum evq_kind evq_kind_of(const struct evq *q) { return q->kind; }

void evq_clear(struct evq *q)
{
    q->n = 0;
    q->next_seq = 0;
    q->h.n = 0;
    if (q->kind == EVQ_HEAP)
        return;
    for (size_t s = 0; s < q->nb; s++)
        for (int32_t k = q->slot[s], next; k >= 0; k = next) {
            next = q->pool[k].next;
            q->pool[k].next = q->free_node;
            q->free_node = k;
        }
    for (size_t s = 0; s < q->nb; s++)
        q->slot[s] = -1;
    q->in_ring = 0;
    q->c.n = 0;
    q->cur = 0;
}
