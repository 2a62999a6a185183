/* nn_priv.h - the nearest-idle index's layout and its insert and remove,
 * shared by nn.c and the dispatch path of ops.c only (as sim/evq_priv.h is
 * the calendar's): a unit leaving or rejoining its index once per busy
 * cycle, inline, without a call.  Everyone else sees nn.h.  nn.c describes
 * the index. */
#ifndef PATROLSIM_NN_PRIV_H
#define PATROLSIM_NN_PRIV_H

#include <stdint.h>
#include "hot.h"
#include "err.h"
#include "nn.h"

/* An item: where it is and where its bit is, in one record of NN__IT_SIZE
 * bytes aligned to that size, so that no record straddles a cache line, an
 * insert or remove touches one line for it and nn__prefetch fetches just
 * that. */
enum { NN__IT_SIZE = 32 };
struct nn_it {
    double x, y;            /* its position */
    struct nn_cell *cell;   /* its cell */
    uint32_t slot;          /* index in its cell's slots, ABSENT when absent */
    uint32_t wb;            /* its cell's bit in occ[]: word << 6 | bit */
};
_Static_assert(sizeof(struct nn_it) == NN__IT_SIZE, "NN__IT_SIZE is struct nn_it's size");

#define ABSENT UINT32_MAX   /* an absent item's slot */

/* A present item as a scan reads it: position and index side by side, the
 * items of one cell contiguous, so a cell costs one cache line. */
struct nn_slot {
    double x, y;
    int i;
};

/* lo, hi: the x-range of all the cell's items (present or not), a tighter
 * bound than the cell's edges (units sit anywhere in their cell, at its
 * corner on a lattice offset from the grid). */
struct nn_cell {
    double lo, hi;
    struct nn_slot *sl;     /* its run of t->sl (CSR), a slot per item it holds */
    uint32_t fill;          /* present items (unsigned: an index without a sign
                             * extension) */
};

/* A row: the y-range of its items (its edges if none), and where its
 * bitmap words and cells are.  Rows -1 and ny are sentinels whose gap to
 * any query is +inf, so that a query walking outward needs no bounds test:
 * its best distance is finite (near() starts from DBL_MAX), so their gap
 * always rules them out. */
struct nn_row {
    double lo, hi;
    const uint64_t *occ;    /* its wpr bitmap words, between zero words */
    const struct nn_cell *cell;     /* its nx cells */
};

struct nn {
    enum trv_metric metric;
    int n, count;
    struct nn_it *it;       /* items, by index, NN__IT_SIZE-aligned */
    void *it_mem;           /* it's allocation */
    double x0, y0, w;       /* grid origin and cell width, km */
    double inv_w;           /* 1 / w, for the first guess of a column */
    double h, inv_h;        /* cell height, 2 w, and 1 / h */
    int nx, ny, wpr;        /* cells per row and column, bitmap words per row */
    double xtop, ytop;      /* nx - 1, ny - 1 */
    int rs;                 /* bitmap row stride, wpr + 1 (see occ) */
    double *ex, *ey;        /* cell edges, nx + 1 and ny + 1 */
    struct nn_row *row;     /* rows -1 .. ny, from row_mem + 1 (see struct nn_row) */
    struct nn_row *row_mem;
    struct nn_cell *cell;   /* per cell */
    struct nn_slot *sl;     /* present items, packed per cell */
    uint64_t *occ;          /* occupancy bitmap: row r's wpr words from occ[1 + r * rs],
                             * each row between zero words, so that a window
                             * straddling a row's ends needs no test */
};

/* Makes item i (absent) present: a slot at its cell's end, its bit set. */
PS_HOT void nn__insert(struct nn *t, int i)
{
    struct nn_it *it = &t->it[i];
    PS_HOT_ASSERT(it->slot == ABSENT);
    struct nn_cell *cl = it->cell;
    uint32_t s = cl->fill++;
    cl->sl[s] = (struct nn_slot){ it->x, it->y, i };
    it->slot = s;
    t->count++;
    t->occ[it->wb >> 6] |= (uint64_t)1 << (it->wb & 63);
}

/* Makes present item it absent: the last present item of its cell is
 * swapped into its slot. */
PS_HOT void nn__take(struct nn *t, struct nn_it *it)
{
    struct nn_cell *cl = it->cell;
    uint32_t s = it->slot, last = --cl->fill;
    cl->sl[s] = cl->sl[last];
    t->it[cl->sl[s].i].slot = s;
    it->slot = ABSENT;
    t->count--;
    if (cl->fill == 0)
        t->occ[it->wb >> 6] &= ~((uint64_t)1 << (it->wb & 63));
}

PS_HOT void nn__remove(struct nn *t, int i)
{
    PS_HOT_ASSERT(t->it[i].slot != ABSENT);
    nn__take(t, &t->it[i]);
}

/* Starts fetching what an insert or remove of item i reads first (a hint:
 * on a large city those records are not in cache): its record, which
 * holds its position too.  Any i < n, present or not. */
PS_HOT void nn__prefetch(const struct nn *t, int i)
{
    __builtin_prefetch(&t->it[i], 1);
}

#endif
