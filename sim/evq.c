/* evq.c - 4-ary min-heap event calendar (see evq.h for the contract).
 *
 * A 4-ary heap halves the depth of a binary one; with 32-byte records, the
 * four children of a node share one or two cache lines, so sift-down compares
 * them cheaply.  The expected workload is a few events per unit pending at
 * once (hundreds to a few thousand), with a push and a pop per event.
 */
#include <math.h>
#include <stdlib.h>
#include "evq.h"
#include "err.h"

#define D 4

struct evq {
    struct evq_event *a;
    size_t n, cap;
    uint64_t next_seq;
    unsigned growths;
};

/* Strict weak order: earlier time first, then earlier insertion. */
static inline int before(const struct evq_event *x, const struct evq_event *y)
{
    return x->time < y->time || (x->time == y->time && x->seq < y->seq);
}

struct evq *evq_new(size_t capacity)
{
    struct evq *q = xcalloc(1, sizeof *q);
    q->cap = capacity ? capacity : 1;
    q->a = xmalloc(q->cap * sizeof *q->a);
    return q;
}

void evq_free(struct evq *q)
{
    if (!q)
        return;
    free(q->a);
    free(q);
}

void evq_push(struct evq *q, double time, uint32_t kind, uint32_t id, uint32_t ver)
{
    PS_ASSERT(!isnan(time));
    if (q->n == q->cap) {
        q->cap *= 2;
        q->a = xrealloc(q->a, q->cap * sizeof *q->a);
        q->growths++;
    }
    struct evq_event ev = { time, q->next_seq++, kind, id, ver };
    size_t i = q->n++;
    while (i > 0) {
        size_t p = (i - 1) / D;
        if (!before(&ev, &q->a[p]))
            break;
        q->a[i] = q->a[p];
        i = p;
    }
    q->a[i] = ev;
}

int evq_pop(struct evq *q, struct evq_event *out)
{
    if (q->n == 0)
        return -1;
    *out = q->a[0];
    struct evq_event last = q->a[--q->n];
    size_t n = q->n, i = 0;
    for (;;) {
        size_t c = i * D + 1;
        if (c >= n)
            break;
        size_t best = c, end = c + D < n ? c + D : n;
        for (size_t k = c + 1; k < end; k++)
            if (before(&q->a[k], &q->a[best]))
                best = k;
        if (!before(&q->a[best], &last))
            break;
        q->a[i] = q->a[best];
        i = best;
    }
    if (n > 0)
        q->a[i] = last;
    return 0;
}

const struct evq_event *evq_peek(const struct evq *q)
{
    return q->n ? &q->a[0] : NULL;
}

size_t evq_size(const struct evq *q) { return q->n; }
size_t evq_capacity(const struct evq *q) { return q->cap; }
unsigned evq_growths(const struct evq *q) { return q->growths; }

void evq_clear(struct evq *q)
{
    q->n = 0;
    q->next_seq = 0;
}
