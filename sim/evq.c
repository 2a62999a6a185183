/* evq.c - event calendars: a 4-ary heap, and a timing wheel with an
 * overflow heap (see evq.h for the contract).
 *
 * Heap: a 4-ary heap halves the depth of a binary one; with 32-byte
 * records, the four children of a node share one or two cache lines, so
 * sift-down compares them cheaply.
 *
 * Wheel: time is cut into buckets of a fixed width; bucket number
 * b(t) = floor(t / width).  `cur` is the bucket being served; its events sit
 * in the current list, linked and sorted by (time, seq).  The next nb - 1
 * buckets are slots of a ring, each an unsorted list of pool nodes (a push
 * links its node first, reading no other); the list is sorted when its
 * bucket becomes the current one, when its nodes are about to be read
 * anyway (a sorted insert at the push would read them when they are not:
 * on a large model the nodes of a bucket far ahead are out of cache, a
 * miss for each).  Events further out wait in the overflow heap and move
 * into the ring when its window reaches them.  Invariants:
 *   every event in the current list has b <= cur (an event pushed for a
 *   time before the current bucket also goes there);
 *   an event in ring slot s has cur < b < cur + nb and b mod nb = s;
 *   every overflow event has b >= cur + nb.
 * So the current list holds the earliest events (when it and the ring are
 * empty, the overflow's top is the earliest), and within it the order is
 * (time, seq), exactly as in the heap: the two calendars pop the same
 * sequence.  When the list empties, cur steps to the next non-empty slot,
 * whose list becomes the current one.  With the width a few mean
 * gaps between events, a bucket holds a few events and push and pop are
 * O(1); the nodes (32 bytes) are reused last-freed first, so the ones in
 * use stay in cache.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "evq.h"
#include "err.h"
#include "evq_priv.h"

#define D 4
#define TUNE_EVERY 8192        /* pushes between width retunings (wheel_tune) */


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

/* Sets xlo and xhi (evq_priv.h) after cur or the width changed. */
static void window_set(struct evq *q)
{
    if (q->cur >= -1 && q->cur < ((int64_t)1 << 52)) {
        q->xlo = (double)(q->cur + 1);
        q->xhi = (double)(q->cur + (int64_t)q->nb);
    } else
        q->xlo = q->xhi = NAN;
}

struct evq *evq_new(size_t capacity)
{
    return evq_new_kind(EVQ_HEAP, capacity, 0);
}

/* Adds nodes cap_old .. cap - 1 to the free list, lowest first out. */
static void pool_grow(struct evq *q, size_t cap)
{
    PS_ASSERT(cap <= INT32_MAX);
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
    q->width = q->width0 = width;
    q->inv_width = 1.0 / width;
    q->nb = 64;
    while (q->nb < capacity)
        q->nb *= 2;
    q->slot = xmalloc(q->nb * sizeof *q->slot);
    memset(q->slot, 0xff, q->nb * sizeof *q->slot);     /* every slot -1 */
    q->head = -1;
    window_set(q);
    q->ov_due = INT64_MAX;
    q->free_node = -1;
    q->tune_at = TUNE_EVERY;
    memset(q->pf_walk, 0xff, sizeof q->pf_walk);
    pool_grow(q, capacity);
    heap_init(&q->h, 64);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    heap_release(&q->h);
    free(q->slot);
    free(q->pool);
    free(q);
}

/* Bucket numbers are clamped to +-BIG so that cur + nb cannot overflow. */
#define BIG (INT64_MAX / 4)

/* floor(t / width), monotone in t (every comparison of buckets below relies
 * on t <= u implying bucket(t) <= bucket(u)); evq__wheel_push computes the
 * same for x in [0, 1e18). */
static int64_t bucket_slow(double x)
{
    if (!(x < 1.0e18))
        return BIG;
    if (!(x > -1.0e18))
        return -BIG;
    int64_t b = (int64_t)x;              /* truncation: floor for x >= 0 */
    return b - (x < (double)b);
}

static inline int64_t bucket(const struct evq *q, double t)
{
    double x = t * q->inv_width;
    return x >= 0 && x < 1.0e18 ? (int64_t)x : bucket_slow(x);
}

static inline int node_before(const struct node *x, const struct node *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

/* Links node k into the sorted list that starts at head; returns the new
 * head, and counts the links passed in *walk (the width tuner's measure). */
static inline int32_t list_insert(struct node *pool, int32_t head, int32_t k, uint64_t *walk)
{
    struct node *nd = &pool[k];
    int32_t p = head, n;
    if (p < 0 || !node_before(&pool[p], nd)) {
        nd->next = p;
        return k;
    }
    uint64_t w = 1;
    while ((n = pool[p].next) >= 0 && node_before(&pool[n], nd)) {
        p = n;
        w++;
    }
    nd->next = n;
    pool[p].next = k;
    *walk += w;
    return head;
}

/* Sorts a ring slot's list by (time, seq), counting the links passed in
 * *walk; returns the head. */
static int32_t list_sort(struct node *pool, int32_t k, uint64_t *walk)
{
    int32_t head = -1;
    while (k >= 0) {
        int32_t n = pool[k].next;
        head = list_insert(pool, head, k, walk);
        k = n;
    }
    return head;
}

/* Merges two sorted lists (the rare refill that finds events ov_take put in
 * the current list); returns the head. */
static int32_t list_merge(struct node *pool, int32_t a, int32_t b)
{
    int32_t head = -1, *at = &head;
    while (a >= 0 && b >= 0) {
        int32_t *from = node_before(&pool[b], &pool[a]) ? &b : &a;
        *at = *from;
        at = &pool[*from].next;
        *from = *at;
    }
    *at = a >= 0 ? a : b;
    return head;
}

/* Links node k into the sorted current list. */
static inline void cur_insert(struct evq *q, int32_t k)
{
    q->head = list_insert(q->pool, q->head, k, &q->walk);
}

/* Files node k where the wheel's invariants put it. */
static void wheel_place(struct evq *q, int32_t k);

/* The free list is never left empty: the pool doubles (and counts the
 * growth) when its last free node is taken, so the push takes one without
 * a test and grows after filing, when nothing else is held in registers. */
PS_COLD static void pool_more(struct evq *q)
{
    pool_grow(q, q->pool_cap * 2);
    q->growths++;
}

static inline int32_t node_take(struct evq *q)
{
    int32_t k = q->free_node;
    q->free_node = q->pool[k].next;
    return k;
}

static void ov_push(struct evq *q, const struct node *nd)
{
    struct evq_event ev = { nd->time, nd->seq, nd->kind, nd->id, nd->ver };
    q->growths += (unsigned)heap_push(&q->h, &ev);
    q->ov_due = bucket(q, q->h.a[0].time) - (int64_t)q->nb;
}

/* Moves the overflow events that the window [cur, cur + nb) now reaches
 * into the ring (or the current list). */
static void ov_take(struct evq *q)
{
    while (q->ov_due < q->cur) {
        struct evq_event ev;
        heap_pop(&q->h, &ev);
        q->ov_due = q->h.n > 0 ? bucket(q, q->h.a[0].time) - (int64_t)q->nb : INT64_MAX;
        int32_t k = node_take(q);
        if (q->free_node < 0)
            pool_more(q);
        struct node *nd = &q->pool[k];
        nd->time = ev.time;
        nd->seq = ev.seq;
        nd->kind = ev.kind;
        nd->id = ev.id;
        nd->ver = ev.ver;
        wheel_place(q, k);
    }
}

static void wheel_place(struct evq *q, int32_t k)
{
    struct node *nd = &q->pool[k];
    int64_t b = bucket(q, nd->time);
    if (b <= q->cur)
        cur_insert(q, k);
    else if (b - q->cur < (int64_t)q->nb) {
        int32_t *sl = &q->slot[(size_t)b & (q->nb - 1)];
        q->ring_used += *sl < 0;
        nd->next = *sl;
        *sl = k;
    } else {
        q->far++;
        ov_push(q, nd);
        nd->next = q->free_node;
        q->free_node = k;
    }
}

/* ---- width tuning ----------------------------------------------------------
 *
 * The width the model gives is a guess (the mean gap between its arrivals);
 * the work depends on the events per bucket, k.  Sorting a bucket when it
 * becomes the current one passes about k / 4 links per event (insertion:
 * k^2 / 4 for k events), a sorted insert into the current list about k / 2;
 * stepping through empty buckets costs about 1 / k steps per event.  Every
 * TUNE_EVERY pushes the counts are compared with the pushes: when the
 * sorts and inserts passed more than
 * TUNE_WALK links per push, or refill stepped more than TUNE_SCAN buckets
 * per push, the width is rescaled to put about TUNE_K events in a bucket
 * and every event is filed anew; when a quarter of the pushes went past the
 * ring's window into the overflow heap, it is widened TUNE_K times.  A
 * rebuild costs O(pending events), at most once per TUNE_EVERY pushes.
 * The order of the pops does not depend on the width, so this changes no
 * result, only the work; the counts depend only on the calls made, so runs
 * stay deterministic. */
#define TUNE_WALK 8.0
#define TUNE_SCAN 2.0
#define TUNE_K 4.0

/* Events held: the heap's, or the wheel's pushes less its pops. */
static size_t pending(const struct evq *q)
{
    return q->kind == EVQ_HEAP ? q->h.n : (size_t)(q->next_seq - q->taken);
}

/* Files every pending wheel event again for a new width. */
static void wheel_rebuild(struct evq *q, double width)
{
    /* Every pending event not in the overflow holds a node. */
    size_t m = pending(q) - q->h.n, i = 0, used = 0;
    int32_t *keep = xmalloc((m ? m : 1) * sizeof *keep);
    for (int32_t k = q->head; k >= 0; k = q->pool[k].next) {
        PS_ASSERT(i < m);
        keep[i++] = k;
    }
    for (size_t s = 0; s < q->nb && used < q->ring_used; s++) {
        used += q->slot[s] >= 0;
        for (int32_t k = q->slot[s]; k >= 0; k = q->pool[k].next) {
            PS_ASSERT(i < m);
            keep[i++] = k;
        }
    }
    PS_ASSERT(i == m && used == q->ring_used);
    q->ring_used = 0;
    memset(q->slot, 0xff, q->nb * sizeof *q->slot);
    q->head = -1;
    /* The served bucket's start, in the new buckets: pushes from the clock
     * on file after it, as before. */
    double start = (double)q->cur * q->width;
    q->width = width;
    q->inv_width = 1.0 / width;
    q->cur = bucket(q, start);
    window_set(q);
    q->ov_due = q->h.n > 0 ? bucket(q, q->h.a[0].time) - (int64_t)q->nb : INT64_MAX;
    for (i = 0; i < m; i++)
        wheel_place(q, keep[i]);
    ov_take(q);
    free(keep);
}

PS_COLD static void wheel_tune(struct evq *q)
{
    double pushes = (double)(q->next_seq - q->tune_seq);
    double walk = (double)q->walk / pushes, scan = (double)q->scan / pushes;
    double f = 1;
    if (walk > TUNE_WALK)           /* k is 2 to 4 walk: the smaller, the safer */
        f = TUNE_K / (2 * walk);
    else if (scan > TUNE_SCAN)      /* k is about 1 / scan */
        f = TUNE_K * scan;
    else if ((double)q->far > pushes / 4)
        f = TUNE_K;                 /* the window is short */
    double w = q->width * f;
    if (f != 1 && w > 0 && isfinite(w))
        wheel_rebuild(q, w);
    q->tune_seq = q->next_seq;
    q->tune_at = q->tune_seq + TUNE_EVERY;
    q->walk = q->scan = q->far = 0;
}

void evq__push_rest(struct evq *q, int32_t k)
{
    /* the bucket being served (an M/M/1's next event) */
    if (bucket(q, q->pool[k].time) == q->cur)
        cur_insert(q, k);
    else
        wheel_place(q, k);
    if (q->free_node < 0)
        pool_more(q);
    if (q->next_seq >= q->tune_at)
        wheel_tune(q);
}

PS_COLD static void heap_push_new(struct evq *q, double time, uint32_t kind, uint32_t id,
                                  uint32_t ver)
{
    struct evq_event ev = { time, q->next_seq++, kind, id, ver };
    q->growths += (unsigned)heap_push(&q->h, &ev);
}

void evq_push(struct evq *q, double time, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(!isnan(time));
    if (q->kind == EVQ_WHEEL)
        evq__wheel_push(q, time, kind, id, ver);
    else
        heap_push_new(q, time, kind, id, ver);
}

/* With the current list empty, moves cur forward, bucket by bucket, to the
 * first one holding an event, but never past bucket lim: the run loop asks
 * for the events up to the next arrival's time, and a cur beyond that time
 * would put everything the arrival schedules before cur into the current
 * list, sorted there one by one.  Returns 1 if the current list is no
 * longer empty.  Each bucket is passed once per run, so the scan is
 * amortised O(1) per event when the width is near the mean gap. */
static inline int refill_steps(struct evq *q, int64_t lim)
{
    if (q->ring_used == 0) {
        /* Nothing within the window: jump to the overflow's first bucket
         * (or to lim, keeping the window near the clock). */
        int64_t to = q->ov_due < INT64_MAX ? q->ov_due + (int64_t)q->nb : BIG;
        if (to > lim)
            to = lim;
        if (to > q->cur) {
            q->cur = to;
            ov_take(q);
        }
        return q->head >= 0;
    }
    const size_t mask = q->nb - 1;
    const int64_t cur0 = q->cur;
    int64_t cur = cur0;
    int r = 0;
    while (cur < lim) {
        cur++;
        if (q->ov_due < cur) {
            q->cur = cur;
            ov_take(q);
        }
        int32_t *sl = &q->slot[(size_t)cur & mask];
        int32_t k = *sl;
        if (k >= 0) {             /* sorted, it becomes the current list */
            *sl = -1;
            q->ring_used--;
            k = list_sort(q->pool, k, &q->walk);
            q->head = q->head < 0 ? k : list_merge(q->pool, q->head, k);
            r = 1;
            break;
        }
        if (q->head >= 0) {       /* ov_take put an event in the bucket */
            r = 1;
            break;
        }
    }
    q->cur = cur;
    q->scan += (uint64_t)(cur - cur0);
    return r || q->head >= 0;
}

/* refill_steps, and the window for the new cur. */
static int refill(struct evq *q, int64_t lim)
{
    int r = refill_steps(q, lim);
    window_set(q);
    return r;
}


/* refill towards t's bucket, with what it took checked against t. */
PS_COLD static int32_t refill_due_slow(struct evq *q, double t, int64_t lim)
{
    if (!refill(q, lim) || !(q->pool[q->head].time <= t))
        return -1;
    return q->head;
}

/* The refill's sort with prefetching on (evq_prefetch_records).  A
 * bucket's nodes are a chain through the pool, each one's place known only
 * from the one before, and on a large model none is in cache when its
 * bucket comes up (pushed some thousand events earlier): the sort then
 * waits on one miss after another, about one an event.  So each refill
 * moves one node further down the lists of the next EVQ_PF_AHEAD - 1
 * buckets, whose last fetched node has arrived by now, and starts the list
 * of bucket cur + EVQ_PF_AHEAD from its slot: a bucket's first nodes are
 * in cache when it is sorted (four a bucket on average: the width the
 * model sets).  The sort asks for each event's model record, which its
 * pop will read a few events later.  Hints only: the order is
 * list_sort's.  bench-city S = 128: about 7% faster at the same
 * instructions an incident (docs/performance.md, "Since ccf7048"). */
static int32_t sort_fetching(struct evq *q, int64_t cur, int32_t k)
{
    struct node *pool = q->pool;
    const int32_t *slot = q->slot;
    for (int d = 1; d < EVQ_PF_AHEAD; d++) {
        int32_t *w = &q->pf_walk[(cur + d) & (EVQ_PF_RING - 1)];
        if (*w >= 0 && (*w = pool[*w].next) >= 0)
            __builtin_prefetch(&pool[*w]);
    }
    int32_t s = slot[(size_t)(cur + EVQ_PF_AHEAD) & (q->nb - 1)];
    q->pf_walk[(cur + EVQ_PF_AHEAD) & (EVQ_PF_RING - 1)] = s;
    if (s >= 0)
        __builtin_prefetch(&pool[s]);
    int32_t head = -1;
    while (k >= 0) {
        int32_t n = pool[k].next;
        if (pool[k].id < q->pf_n)
            __builtin_prefetch(q->pf_base + (size_t)pool[k].id * q->pf_stride, 1);
        head = list_insert(pool, head, k, &q->walk);
        k = n;
    }
    return head;
}

/* The common refill inline: the ring holds events and no overflow event
 * joins it before lim (lim <= ov_due), so stepping to the next non-empty
 * slot is all there is, and its list, sorted, becomes the current one. */
int32_t evq__refill_due(struct evq *q, double t)
{
    if (q->next_seq == q->taken)
        return -1;
    int64_t lim = bucket(q, t);
    if (q->ring_used == 0 || lim > q->ov_due || q->head >= 0)
        return refill_due_slow(q, t, lim);
    const size_t mask = q->nb - 1;
    const int64_t cur0 = q->cur;
    int64_t cur = cur0;
    int32_t k = -1, *slot = q->slot;
    while (cur < lim) {
        cur++;
        k = slot[(size_t)cur & mask];
        if (k >= 0)
            break;
    }
    q->cur = cur;
    q->scan += (uint64_t)(cur - cur0);
    window_set(q);
    if (k < 0)
        return -1;
    slot[(size_t)cur & mask] = -1;
    q->ring_used--;
    if (q->pf_base)
        k = sort_fetching(q, cur, k);
    else if (q->pool[k].next >= 0)      /* a bucket of one is sorted */
        k = list_sort(q->pool, k, &q->walk);
    q->head = k;
    return q->pool[k].time <= t ? k : -1;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
    if (pending(q) == 0)
        return -1;
    if (q->kind == EVQ_HEAP) {
        heap_pop(&q->h, out);
        return 0;
    }
    if (q->head < 0 && !refill(q, BIG))
        PS_ASSERT(!"a non-empty wheel found no event");
    evq__take(q, q->head, out);
    return 0;
}

int evq_pop_until(struct evq *q, double t, struct evq_event *out)
{
    if (q->kind != EVQ_HEAP) {
        int32_t k = evq__wheel_due(q, t);
        if (k < 0)
            return -1;
        evq__take(q, k, out);
        return 0;
    }
    if (q->h.n == 0 || !(q->h.a[0].time <= t))
        return -1;
    heap_pop(&q->h, out);
    return 0;
}

/* The wheel's earliest event, copied into a record the peek can point to. */
const struct evq_event *evq_peek(struct evq *q)
{
    if (pending(q) == 0)
        return NULL;
    if (q->kind == EVQ_HEAP)
        return &q->h.a[0];
    if (q->head < 0 && !refill(q, BIG))
        PS_ASSERT(!"a non-empty wheel found no event");
    const struct node *nd = &q->pool[q->head];
    q->top = (struct evq_event){ nd->time, nd->seq, nd->kind, nd->id, nd->ver };
    return &q->top;
}

void evq_prefetch_records(struct evq *q, const void *base, size_t stride, uint32_t n)
{
    q->pf_base = base;
    q->pf_stride = stride;
    q->pf_n = n;
}

size_t evq_size(const struct evq *q) { return pending(q); }
size_t evq_capacity(const struct evq *q)
{
    return q->kind == EVQ_HEAP ? q->h.cap : q->pool_cap;
}
unsigned evq_growths(const struct evq *q) { return q->growths; }
double evq_bucket_width(const struct evq *q) { return q->kind == EVQ_WHEEL ? q->width : 0; }
enum evq_kind evq_kind_of(const struct evq *q) { return q->kind; }

void evq_clear(struct evq *q)
{
    q->next_seq = q->taken = 0;
    q->h.n = 0;
    if (q->kind == EVQ_HEAP)
        return;
    memset(q->slot, 0xff, q->nb * sizeof *q->slot);
    q->ring_used = 0;
    q->head = -1;
    q->cur = 0;
    window_set(q);
    q->ov_due = INT64_MAX;
    q->width = q->width0;
    q->inv_width = 1.0 / q->width0;
    q->tune_seq = q->walk = q->scan = q->far = 0;
    q->tune_at = TUNE_EVERY;
    memset(q->pf_walk, 0xff, sizeof q->pf_walk);
    size_t cap = q->pool_cap;
    q->pool_cap = 0;
    q->free_node = -1;
    pool_grow(q, cap);
}
