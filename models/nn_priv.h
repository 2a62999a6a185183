/* nn_priv.h - the nearest-idle index's layout and its insert and remove,
 * shared by nn.c and the dispatch path of ops.c only (as sim/evq_priv.h is
 * the calendar's): a unit leaving or rejoining its index once per busy
 * cycle, inline, without a call.  Everyone else sees nn.h.  nn.c describes
 * the index. */
#ifndef PATROLSIM_NN_PRIV_H
#define PATROLSIM_NN_PRIV_H

#include <stdbool.h>
#include <stdint.h>
#include "hot.h"
#include "err.h"
#include "nn.h"

/* An item: where it is, its slot and its cell's, in one record of
 * NN__IT_SIZE bytes aligned to that size, so that no record straddles a
 * cache line and an insert or remove reads one line for it and writes two
 * bitmap words: nothing of its cell.  Slots are static (every item keeps
 * the one it was given, present or not), so nothing moves. */
enum { NN__IT_SIZE = 32 };
struct nn_it {
    double x, y;            /* its position */
    /* pos: its slot in sl[] and its bit in pres[]; wb: its cell's bit in
     * occ[], word << 6 | bit; mask: its cell's slots' bits in pres[pos / 64],
     * 0 for a cell of more than 64 items (cell_of then) */
    struct nn_ref r;
};
_Static_assert(sizeof(struct nn_it) == NN__IT_SIZE, "NN__IT_SIZE is struct nn_it's size");

/* An item as a scan reads it: position and index side by side, the items
 * of one cell contiguous; and the caller's id for it (nn_set_id) in what
 * would be padding, so that the answer names the caller's record without
 * a lookup of its own (ops.c plain_select: the unit). */
struct nn_slot {
    double x, y;
    int i;
    int id;
};
_Static_assert(sizeof(struct nn_slot) == 24, "id sits in the slot's padding");

/* nn_nearest's answer as its slot, NULL when the index is empty: for a
 * caller that needs the item's position at once (the slot is in cache
 * from the search) and its slot's bit (nn__slot_pos), not a record of its
 * own that it would read first. */
const struct nn_slot *nn__nearest_slot(const struct nn *t, double x, double y);
/* lo, hi: the x-range of all the cell's items (present or not), a tighter
 * bound than the cell's edges (units sit anywhere in their cell, at its
 * corner on a lattice offset from the grid).  Its cn items hold slots from
 * word * 64 + the lowest bit of mask on, within pres[word] (mask: their
 * bits) when cn <= 64, so that a scan reads one word for the cell; a
 * larger cell's run starts at word * 64 (mask 0). */
struct nn_cell {
    double lo, hi;
    uint32_t word, cn;
    uint64_t mask;
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
    struct nn_slot *sl;     /* every item, packed per cell (CSR, see struct nn_cell) */
    uint64_t *pres;         /* bit p: the item of slot p is present (a city's
                             * worth of units in a few KB) */
    int *cell_of;           /* item -> its cell, for the cells of over 64 items */
    uint64_t *occ;          /* occupancy bitmap: row r's wpr words from occ[1 + r * rs],
                             * each row between zero words, so that a window
                             * straddling a row's ends needs no test */
    const char *pf_base;    /* nn_prefetch_ids: record of id k at pf_base + k * pf_stride */
    size_t pf_stride;
};

/* Runs the statements ... for each present slot p of cell cl, in slot
 * order (`continue` goes to the next).  A macro, so that the scans' loops
 * stay theirs: no call, no function pointer. */
#define NN__EACH_PRESENT(t, cl, p, ...)                                           \
    do {                                                                           \
        if ((cl)->cn <= 64) {                                                      \
            for (uint64_t m_ = (t)->pres[(cl)->word] & (cl)->mask; m_; m_ &= m_ - 1) { \
                const struct nn_slot *p = &(t)->sl[(cl)->word << 6 |               \
                                                   (uint32_t)__builtin_ctzll(m_)];  \
                __VA_ARGS__                                                        \
            }                                                                      \
        } else {                                                                   \
            uint32_t e_ = ((cl)->word << 6) + (cl)->cn;                            \
            for (uint32_t k_ = (cl)->word; k_ << 6 < e_; k_++) {                   \
                uint64_t m_ = (t)->pres[k_];                                       \
                if (e_ - (k_ << 6) < 64)                                           \
                    m_ &= ((uint64_t)1 << (e_ - (k_ << 6))) - 1;                    \
                for (; m_; m_ &= m_ - 1) {                                         \
                    const struct nn_slot *p = &(t)->sl[k_ << 6 |                   \
                                                       (uint32_t)__builtin_ctzll(m_)]; \
                    __VA_ARGS__                                                    \
                }                                                                  \
            }                                                                      \
        }                                                                          \
    } while (0)

/* Whether cell cl has a present item (out of line: only a take from a
 * cell of over 64 items asks). */
static PS_COLD bool nn__cell_any(const struct nn *t, const struct nn_cell *cl)
{
    NN__EACH_PRESENT(t, cl, p, { (void)p; return true; });
    return false;
}

/* Slot pos, and the pos of a slot. */
PS_HOT const struct nn_slot *nn__slot(const struct nn *t, uint32_t pos) { return &t->sl[pos]; }
PS_HOT uint32_t nn__slot_pos(const struct nn *t, const struct nn_slot *p)
{
    return (uint32_t)(p - t->sl);
}
/* Whether the item of slot pos is present: one bit of a few KB. */
PS_HOT bool nn__present_pos(const struct nn *t, uint32_t pos)
{
    return t->pres[pos >> 6] >> (pos & 63) & 1;
}
PS_HOT bool nn__present(const struct nn *t, const struct nn_ref *r)
{
    return nn__present_pos(t, r->pos);
}

/* Makes the absent item of r present: its slot's bit and its cell's. */
PS_HOT void nn__insert_ref(struct nn *t, const struct nn_ref *r)
{
    PS_HOT_ASSERT(!nn__present(t, r));
    t->pres[r->pos >> 6] |= (uint64_t)1 << (r->pos & 63);
    t->count++;
    t->occ[r->wb >> 6] |= (uint64_t)1 << (r->wb & 63);
}

/* Makes the present item of r absent; its cell's bit goes when its last
 * present item does.  Cleared by a mask, not under a test: whether the item
 * was its cell's last is a coin toss in a city of two units a cell, 40% of
 * them out (bench-city), so the branch was missed half the time. */
PS_HOT void nn__take_ref(struct nn *t, const struct nn_ref *r)
{
    PS_HOT_ASSERT(nn__present(t, r));
    uint64_t *w = &t->pres[r->pos >> 6];
    *w &= ~((uint64_t)1 << (r->pos & 63));
    t->count--;
    uint64_t empty = r->mask ? !(*w & r->mask)
                             : !nn__cell_any(t, &t->cell[t->cell_of[t->sl[r->pos].i]]);
    t->occ[r->wb >> 6] &= ~(empty << (r->wb & 63));
}

PS_HOT void nn__insert(struct nn *t, int i) { nn__insert_ref(t, &t->it[i].r); }
PS_HOT void nn__remove(struct nn *t, int i) { nn__take_ref(t, &t->it[i].r); }

#endif
