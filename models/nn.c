/* nn.c - nearest present item over a uniform cell grid with an occupancy
 * bitmap (see nn.h).
 *
 * Cells are boxes [ex[i], ex[i+1]) x [ey[j], ey[j+1]) with stored edges; an
 * item's cell is the last whose lower edges it reaches, so an item lies in
 * its cell's box exactly, not just up to the rounding of a division.  One
 * bit per cell says whether any present item is there, one bitmap row per
 * cell row, so empty cells are skipped 64 at a time.
 *
 * A query visits rows in order of their gap to the query point (its own
 * row, then the nearer of the next rows above and below), and in each row
 * the occupied cells outward from the query's column, left and right.  A
 * row, or a cell within it, is left out when its gap alone already exceeds
 * the best distance so far.  Gaps are not from the cells' edges but from
 * the range of the items that fall in them (present or not): the y-range
 * of a row's items, the x-range of a cell's.  Items sit anywhere in their
 * cell (on bench-city's lattice, at its lower left corner), so edge gaps
 * would be up to a cell too small and a query would visit about two rings
 * of cells too many; with one item a cell its gap is its distance.
 * The search over the cells thus takes a diamond's shape for Manhattan and
 * a disc's for Euclidean distance, and stops as soon as no unvisited cell
 * can hold a closer item.
 *
 * Exactness.  A gap is the difference between the query coordinate and a
 * value (range end, or edge past which items lie) no farther from it than
 * any item it bounds, the same floating-point subtraction as the item's own
 * coordinate difference; rounding is monotone, so the computed gap never
 * exceeds the computed coordinate difference of an item it bounds, and for
 * Manhattan the rounded sum of gaps never exceeds the item's rounded
 * distance.  Pruning only on a strictly larger bound keeps every item at
 * the best distance, so ties go to the lowest index exactly.  For Euclidean
 * distance the item distance is hypot(), whose rounding is not tied to the
 * bound's, so the bound is shrunk by 1e-12 relative (far above hypot's
 * error of about 1 ulp) before it may prune.
 */
#include <float.h>
#include <limits.h>
#include <math.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#if defined(__SSE2__)
#include <emmintrin.h>
#endif
#include "cells.h"
#include "hot.h"
#include "nn.h"
#include "nn_priv.h"

struct nn *nn_new(const double *x, const double *y, int n, enum trv_metric metric)
{
    struct nn *t = xcalloc(1, sizeof *t);
    t->metric = metric;
    t->n = n;
    size_t n1 = (size_t)(n ? n : 1);
    t->it_mem = xmalloc(n1 * sizeof *t->it + NN__IT_SIZE - 1);
    uintptr_t a = (uintptr_t)t->it_mem;
    t->it = (struct nn_it *)(void *)((char *)t->it_mem + (-a & (NN__IT_SIZE - 1)));
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int i = 0; i < n; i++) {
        xmin = fmin(xmin, x[i]); xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]); ymax = fmax(ymax, y[i]);
    }
    if (n == 0)
        xmin = ymin = xmax = ymax = 0;
    double span = fmax(xmax - xmin, ymax - ymin);
    t->x0 = xmin;
    t->y0 = ymin;
    /* About two items per cell for an even spread, in cells twice as tall
     * as wide: a query pays more per row (its bitmap window, the row's
     * bound) than per cell or item, and taller rows halve the rows it
     * visits (measured on bench-city: 7% fewer instructions a query than
     * square cells of one item or of four). */
    t->w = span > 0 ? span / ceil(sqrt((double)n)) : 1.0;
    t->nx = (int)floor((xmax - xmin) / t->w) + 1;
    t->h = 2 * t->w;
    t->ny = (int)floor((ymax - ymin) / t->h) + 1;
    t->xtop = t->nx - 1;
    t->ytop = t->ny - 1;
    t->inv_w = 1.0 / t->w;
    t->inv_h = 1.0 / t->h;
    t->wpr = (t->nx + 63) / 64;
    t->ex = xmalloc(((size_t)t->nx + 1) * sizeof *t->ex);
    t->ey = xmalloc(((size_t)t->ny + 1) * sizeof *t->ey);
    for (int i = 0; i <= t->nx; i++)
        t->ex[i] = t->x0 + i * t->w;
    for (int i = 0; i <= t->ny; i++)
        t->ey[i] = t->y0 + i * t->h;
    int nc = t->nx * t->ny;
    t->cell = xcalloc((size_t)nc, sizeof *t->cell);
    t->row_mem = xmalloc(((size_t)t->ny + 2) * sizeof *t->row_mem);
    t->row = t->row_mem + 1;
    for (int r = -1; r <= t->ny; r++)
        t->row[r] = (struct nn_row){ INFINITY, -INFINITY, NULL, NULL };
    for (int c = 0; c < nc; c++)
        t->cell[c].lo = INFINITY, t->cell[c].hi = -INFINITY;
    t->rs = t->wpr + 1;
    t->occ = xcalloc((size_t)t->rs * (size_t)t->ny + 1, sizeof *t->occ);
    for (int r = 0; r < t->ny; r++) {
        t->row[r].occ = &t->occ[1 + (size_t)r * (size_t)t->rs];
        t->row[r].cell = &t->cell[(size_t)r * (size_t)t->nx];
    }
    t->cell_of = xmalloc(n1 * sizeof *t->cell_of);
    for (int i = 0; i < n; i++) {
        int row = cells_find(y[i], t->y0, t->inv_h, t->ey, t->ny);
        int col = cells_find(x[i], t->x0, t->inv_w, t->ex, t->nx);
        int c = row * t->nx + col;
        size_t w = 1 + (size_t)row * (size_t)t->rs + (size_t)(col >> 6);
        PS_ASSERT(w < (size_t)1 << 26);     /* wb's 26 bits: 1.7e7 words for n = INT_MAX */
        t->it[i] = (struct nn_it){ x[i], y[i], { 0, (uint32_t)(w << 6 | (col & 63)), 0 } };
        t->cell_of[i] = c;
        t->cell[c].cn++;
        t->cell[c].lo = fmin(t->cell[c].lo, x[i]);
        t->cell[c].hi = fmax(t->cell[c].hi, x[i]);
        t->row[row].lo = fmin(t->row[row].lo, y[i]);
        t->row[row].hi = fmax(t->row[row].hi, y[i]);
    }
    /* A row without items keeps the bound of its edges, so that the row
     * gaps still only grow outward (see search()). */
    for (int r = 0; r < t->ny; r++)
        if (t->row[r].lo > t->row[r].hi)
            t->row[r].lo = t->ey[r], t->row[r].hi = t->ey[r + 1];
    /* Each cell's run of slots after the cells before it, within one word
     * of pres[] when it fits in one (a run that would straddle a word
     * starts the next), from a word's start when it does not. */
    size_t at = 0;
    for (int c = 0; c < nc; c++) {
        struct nn_cell *cl = &t->cell[c];
        if (cl->cn > 64 || (at & 63) + cl->cn > 64)
            at = (at + 63) & ~(size_t)63;
        PS_ASSERT(at + cl->cn + 64 < UINT32_MAX);     /* slots fit pos's 32 bits */
        cl->word = (uint32_t)(at >> 6);
        cl->mask = cl->cn > 64 || cl->cn == 0 ? 0
                 : (cl->cn == 64 ? ~(uint64_t)0 : ((uint64_t)1 << cl->cn) - 1) << (at & 63);
        at += cl->cn;
        cl->cn = 0;             /* counts them again below */
    }
    t->sl = xmalloc((at ? at : 1) * sizeof *t->sl);
    t->pres = xcalloc(at / 64 + 1, sizeof *t->pres);       /* all absent */
    for (int i = 0; i < n; i++) {
        struct nn_cell *cl = &t->cell[t->cell_of[i]];
        size_t p = ((size_t)cl->word << 6) + (cl->mask ? (size_t)__builtin_ctzll(cl->mask) : 0)
                 + cl->cn++;
        t->sl[p] = (struct nn_slot){ x[i], y[i], i, i };
        t->it[i].r.pos = (uint32_t)p;
        t->it[i].r.mask = cl->mask;
    }
    return t;
}

void nn_free(struct nn *t)
{
    if (!t)
        return;
    free(t->it_mem); free(t->ex); free(t->ey); free(t->row_mem);
    free(t->cell); free(t->sl); free(t->pres); free(t->cell_of); free(t->occ);
    free(t);
}

void nn_insert(struct nn *t, int i) { nn__insert(t, i); }
void nn_remove(struct nn *t, int i) { nn__remove(t, i); }

int nn_take(struct nn *t, int i)
{
    const struct nn_ref *r = &t->it[i].r;
    if (!nn__present(t, r))
        return 0;
    nn__take_ref(t, r);
    return 1;
}

void nn_set_id(struct nn *t, int i, int id) { t->sl[t->it[i].r.pos].id = id; }
void nn_prefetch_ids(struct nn *t, const void *base, size_t stride)
{
    t->pf_base = base;
    t->pf_stride = stride;
}

int nn_contains(const struct nn *t, int i) { return nn__present(t, &t->it[i].r); }
struct nn_ref nn_ref_of(const struct nn *t, int i) { return t->it[i].r; }
int nn_count(const struct nn *t) { return t->count; }

/* The search below is written once and compiled twice, for each metric
 * (manh constant, the PS_HOT steps inlined), so the inner loops carry no
 * metric test. */

/* First occupied column >= col in a bitmap row, or -1. */
PS_HOT int next_occ(const uint64_t *row, int wpr, int col)
{
    int k = col >> 6;
    uint64_t m = row[k] & (~(uint64_t)0 << (col & 63));
    while (!m) {
        if (++k == wpr)
            return -1;
        m = row[k];
    }
    return k * 64 + __builtin_ctzll(m);
}

/* Last occupied column <= col in a bitmap row, or -1. */
PS_HOT int prev_occ(const uint64_t *row, int col)
{
    int k = col >> 6;
    uint64_t m = row[k] & (~(uint64_t)0 >> (63 - (col & 63)));
    while (!m) {
        if (--k < 0)
            return -1;
        m = row[k];
    }
    return k * 64 + 63 - __builtin_clzll(m);
}

/* Whether a cell whose gaps to the query are gx, gy (>= 0, computed as
 * described at the top) can hold no item at distance <= bd. */
PS_HOT int beyond(int manh, double gx, double gy, double bd)
{
    if (manh)
        return gx + gy > bd;    /* a gap < 0 still bounds its coordinate difference */
    gx = gx > 0 ? gx : 0;
    gy = gy > 0 ? gy : 0;
    return (gx * gx + gy * gy) * (1 - 1e-12) > bd * bd;
}

/* max(a, b) without a call (fmax is one, for its NaN rules). */
PS_HOT double fmax2(double a, double b)
{
    return a > b ? a : b;
}

/* g > 0 ? g : 0 (NaN -> 0), as one maxsd where there is SSE2: gcc
 * compiles the conditional to a compare and a branch. */
PS_HOT double pos0(double g)
{
#if defined(__SSE2__)
    return _mm_cvtsd_f64(_mm_max_sd(_mm_set_sd(g), _mm_setzero_pd()));
#else
    return g > 0 ? g : 0;
#endif
}

/* max(a, b, 0) without a call (fmax is one, for its NaN rules). */
PS_HOT double gap3(double a, double b)
{
    return pos0(a > b ? a : b);
}

struct best {
    int i;
    double d;               /* the pruning distance: best, or k-th best when full */
    double d0;              /* nn_nearest_after: only items after (d0, i0) */
    int i0;
    int k, n;               /* nn_nearest_k: capacity and count of kd, ki */
    double *kd;             /* sorted by (distance, index) */
    int *ki;
};

/* `after` (a constant at each call site) compiles in the filter of
 * nn_nearest_after (1) and the k-list of nn_nearest_k (2); nn_nearest's
 * loops carry neither. */
PS_HOT void scan_cell(const struct nn *t, int manh, int after, int c, double x, double y,
                   struct best *b)
{
    const struct nn_cell *cl = &t->cell[c];
    PS_HOT_ASSERT(cl->cn > 0);      /* an occupied cell has items */
    NN__EACH_PRESENT(t, cl, p, {
        int i = p->i;
        double dx = fabs(x - p->x), dy = fabs(y - p->y);
        double d = manh ? dx + dy : hypot(dx, dy);
        if (after && (d < b->d0 || (d == b->d0 && i <= b->i0)))
            continue;
        if (after == 2) {
            int n = b->n;
            if (n == b->k && !(d < b->kd[n - 1] || (d == b->kd[n - 1] && i < b->ki[n - 1])))
                continue;
            int j = n < b->k ? n++ : n - 1;
            while (j > 0 && (d < b->kd[j - 1] || (d == b->kd[j - 1] && i < b->ki[j - 1]))) {
                b->kd[j] = b->kd[j - 1];
                b->ki[j] = b->ki[j - 1];
                j--;
            }
            b->kd[j] = d;
            b->ki[j] = i;
            b->n = n;
            if (n == b->k)
                b->d = b->kd[n - 1];
            continue;
        }
        if (d < b->d || (d == b->d && i < b->i)) {
            b->d = d;
            b->i = i;
        }
    });
}

/* The occupied cells of row r outward from column cx whose gap, with the
 * row's gap gy, does not rule them out.  A cell's gap is from its items'
 * x-range: the ranges of cells c < c' are disjoint and ordered (each lies
 * in its cell's box), so gaps grow outward and the first cell ruled out
 * ends its side.  Only the query's own cell may hold items on both sides. */
PS_HOT void scan_row(const struct nn *t, int manh, int after, int r, int cx, double gy, double x,
                  double y, struct best *b)
{
    const uint64_t *row = &t->occ[1 + (size_t)r * (size_t)t->rs];
    const struct nn_cell *cl = &t->cell[(size_t)r * (size_t)t->nx];
    int c = next_occ(row, t->wpr, cx);
    if (c == cx) {
        double g = gap3(cl[c].lo - x, x - cl[c].hi);
        if (!beyond(manh, g, gy, b->d))
            scan_cell(t, manh, after, r * t->nx + c, x, y, b);
        c = c + 1 < t->nx ? next_occ(row, t->wpr, c + 1) : -1;
    }
    for (; c >= 0; c = c + 1 < t->nx ? next_occ(row, t->wpr, c + 1) : -1) {
        if (beyond(manh, cl[c].lo - x, gy, b->d))
            break;
        scan_cell(t, manh, after, r * t->nx + c, x, y, b);
    }
    for (c = cx > 0 ? prev_occ(row, cx - 1) : -1; c >= 0; c = c > 0 ? prev_occ(row, c - 1) : -1) {
        if (beyond(manh, x - cl[c].hi, gy, b->d))
            break;
        scan_cell(t, manh, after, r * t->nx + c, x, y, b);
    }
}

PS_HOT int search(const struct nn *t, int manh, int after, double x, double y, double d0, int i0,
               double *out, struct best *kb)
{
    int cx = cells_find(x, t->x0, t->inv_w, t->ex, t->nx);
    int cy = cells_find(y, t->y0, t->inv_h, t->ey, t->ny);
    struct best bb = { -1, INFINITY, d0, i0, 0, 0, NULL, NULL };
    struct best *bp = after == 2 ? kb : &bb;
    scan_row(t, manh, after, cy, cx, gap3(t->row[cy].lo - y, y - t->row[cy].hi), x, y, bp);
    /* Rows above and below, the one with the smaller gap first; a side is
     * done once its gap rules out its next row.  Row gaps are from the
     * rows' y-ranges, ordered like the cells' x-ranges in scan_row. */
    int up = cy + 1, dn = cy - 1;
    while (up < t->ny || dn >= 0) {
        double gu = up < t->ny ? t->row[up].lo - y : INFINITY;
        double gd = dn >= 0 ? y - t->row[dn].hi : INFINITY;
        if (gu <= gd) {
            if (beyond(manh, 0, gu, bp->d))
                up = t->ny;
            else
                scan_row(t, manh, after, up++, cx, gu, x, y, bp);
        } else {
            if (beyond(manh, 0, gd, bp->d))
                dn = -1;
            else
                scan_row(t, manh, after, dn--, cx, gd, x, y, bp);
        }
    }
    if (after == 2)
        return kb->n;
    if (out)
        *out = bb.d;
    return bb.i;
}

/* ---- nn_nearest: the same search, lean ------------------------------------
 *
 * nn_nearest is the event loop's query, so it has its own copy of the
 * search with the best item in registers and each row's occupancy read as
 * one 64-column window centred on the query's column: the occupied cells
 * outward from it are then a count of trailing (right) or leading (left)
 * zeros each, and next_occ/prev_occ are only needed past the window.  The
 * pruning rules are those of scan_row and search, except that the query's
 * cell is only guessed from the cell width: every gap below bounds its
 * items' coordinate differences from wherever the query is (beyond() takes
 * a negative gap for what it is), and the ranges' order does not depend on
 * the query, so a wrong guess costs cells visited, never a wrong answer. */

enum { WIN_L = 31 };        /* window columns left of the query's; 32 right */

/* Occupancy of columns c0 .. c0 + 63 of a row, for -64 <= c0 < 64 * wpr,
 * from the row's words p[0], p[1] at word (c0 + 64) / 64 - 1 (a zero guard
 * word outside the row) and the shift sh = (c0 + 64) % 64. */
PS_HOT uint64_t window(const uint64_t *p, unsigned sh)
{
#if defined(__GNUC__) && defined(__x86_64__)
    /* One shrd: gcc's own code for a 128-bit shift also handles sh >= 64
     * and passes the words through the stack. */
    uint64_t lo = p[0];
    __asm__("shrdq %%cl, %1, %0" : "+r"(lo) : "r"(p[1]), "c"(sh) : "cc");
    return lo;
#else
    return p[0] >> sh | (p[1] << 1) << (63 - sh);   /* p[1] << (64 - sh), also for sh = 0 */
#endif
}

/* The cell of v by the uniform width alone, in [0, top], top = n - 1 as
 * a double (clamped before the conversion, so branch-free; NaN -> 0). */
PS_HOT int guess(double v, double lo, double scale, double top)
{
    double g = (v - lo) * scale;
    g = pos0(g);
    g = g < top ? g : top;
    return (int)g;
}

/* Whether a row at gap g (>= 0 or not, as in beyond()) may hold an item at
 * distance <= bd, with g = +inf and g = NaN ruled out for any bd <= DBL_MAX.
 * For Euclidean distance a shrunk linear bound: it only keeps more rows
 * than beyond(manh, 0, g, bd) would, and stays above hypot's error. */
PS_HOT int row_ok(int manh, double g, double bd)
{
    return manh ? g <= bd : g * (1 - 1e-12) <= bd;
}

struct near {
    int i;                  /* INT_MAX while none */
    double d;               /* starts at DBL_MAX: see struct nn_row */
    const struct nn_slot *s;        /* item i's slot, NULL while none */
};

/* Slot p, at distance d, is the best so far.  With nn_prefetch_ids, its
 * record is asked for now: the search's answer is most often found in
 * its first row or two, and its record (the unit the caller sends at once)
 * is then on its way during the rest of the search.  A function, not the
 * body of NN__EACH_PRESENT, so that the hint has a line of its own
 * (tests/test_prefetch.sh). */
PS_HOT void near_best(const struct nn *t, const struct nn_slot *p, double d, struct near *b)
{
    b->d = d;
    b->i = p->i;
    b->s = p;
    if (t->pf_base)
        __builtin_prefetch(t->pf_base + (size_t)p->id * t->pf_stride, 1);
}

PS_HOT void near_cell(const struct nn *t, int manh, const struct nn_cell *cl, double x, double y,
                      struct near *b)
{
    PS_HOT_ASSERT(cl->cn > 0);
    NN__EACH_PRESENT(t, cl, p, {
        double dx = fabs(x - p->x), dy = fabs(y - p->y);
        double d = manh ? dx + dy : hypot(dx, dy);
        if (d < b->d || (d == b->d && p->i < b->i))
            near_best(t, p, d, b);
    });
}

/* Past the window, out of line (rare: a row's cells there only matter
 * when the nearest is more than 32 columns away), so that near_row's
 * registers and code stay those of the window. */

/* Row rw's cells from c on, which have items at x >= ex[c]. */
static PS_COLD struct near far_right(const struct nn *t, int manh, const struct nn_row *rw, int c,
                                     double gy, double x, double y, struct near b)
{
    for (; c < t->nx && !beyond(manh, t->ex[c] - x, gy, b.d); c++) {
        if ((c = next_occ(rw->occ, t->wpr, c)) < 0 || beyond(manh, rw->cell[c].lo - x, gy, b.d))
            break;
        near_cell(t, manh, &rw->cell[c], x, y, &b);
    }
    return b;
}

/* Row rw's cells up to c, which have items at x < ex[c + 1]. */
static PS_COLD struct near far_left(const struct nn *t, int manh, const struct nn_row *rw, int c,
                                    double gy, double x, double y, struct near b)
{
    for (; c >= 0 && !beyond(manh, x - t->ex[c + 1], gy, b.d); c--) {
        if ((c = prev_occ(rw->occ, c)) < 0 || beyond(manh, x - rw->cell[c].hi, gy, b.d))
            break;
        near_cell(t, manh, &rw->cell[c], x, y, &b);
    }
    return b;
}

/* Row rw's occupied cells outward from column cx (cc its cell) that the
 * row's gap gy and the best so far do not rule out; ow and sh place the
 * window (see window()). */
PS_HOT void near_row(const struct nn *t, int manh, const struct nn_row *rw, int cx, ptrdiff_t ow,
                     unsigned sh, double gy, double x, double y, struct near *b)
{
    const struct nn_cell *cc = rw->cell + cx;
    uint64_t win = window(rw->occ + ow, sh);
    /* The own cell's gap is not clamped at 0: the row's gap gy passed
     * row_ok() against this same b->d, so a gap <= 0 prunes nothing either
     * way (and the first row starts from DBL_MAX). */
    if (win >> WIN_L & 1 && !beyond(manh, fmax2(cc->lo - x, x - cc->hi), gy, b->d))
        near_cell(t, manh, cc, x, y, b);
    const struct nn_cell *p, *c1 = cc + 1;
    for (uint64_t m = win >> (WIN_L + 1); m; m &= m - 1) {  /* bit j: column cx + 1 + j */
        p = c1 + __builtin_ctzll(m);
        if (beyond(manh, p->lo - x, gy, b->d))
            goto left;
        near_cell(t, manh, p, x, y, b);
    }
    if (cx + 64 - WIN_L < t->nx)
        *b = far_right(t, manh, rw, cx + 64 - WIN_L, gy, x, y, *b);
left:
    /* Bit 63 of m is cell p, and m shifts left as p moves left. */
    p = cc - 1;
    for (uint64_t m = win << (64 - WIN_L); m; m <<= 1, p--) {
        size_t z = (unsigned)__builtin_clzll(m);
        p -= z;
        m <<= z;
        if (beyond(manh, x - p->hi, gy, b->d))
            return;
        near_cell(t, manh, p, x, y, b);
    }
    if (cx - 1 - WIN_L >= 0)
        *b = far_left(t, manh, rw, cx - 1 - WIN_L, gy, x, y, *b);
}

PS_HOT struct near near(const struct nn *t, int manh, double x, double y)
{
    /* The query's cell needs no correction against the edges: no gap
     * below assumes the query inside the cell it starts from. */
    int cx = guess(x, t->x0, t->inv_w, t->xtop);
    int cy = guess(y, t->y0, t->inv_h, t->ytop);
    struct near b = { INT_MAX, DBL_MAX, NULL };
    unsigned c64 = (unsigned)(cx - WIN_L + 64);     /* window from column cx - WIN_L */
    ptrdiff_t ow = (ptrdiff_t)(c64 >> 6) - 1;
    unsigned sh = c64 & 63;
    const struct nn_row *rw = &t->row[cy], *up = rw + 1, *dn = rw - 1;
    double gy = gap3(rw->lo - y, y - rw->hi);
    double gu = up->lo - y, gd = y - dn->hi;        /* +inf at the sentinels */
    for (;;) {                  /* one call site: one inlined copy of near_row */
        near_row(t, manh, rw, cx, ow, sh, gy, x, y, &b);
        if (gu <= gd) {
            if (!row_ok(manh, gu, b.d))
                break;          /* and gd >= gu is out too */
            rw = up++, gy = gu;
            gu = up->lo - y;
        } else {
            if (!row_ok(manh, gd, b.d))
                break;          /* also when both are NaN (a NaN query) */
            rw = dn--, gy = gd;
            gd = y - dn->hi;
        }
    }
    if (b.i == INT_MAX)
        b.i = -1, b.d = INFINITY;
    return b;
}

/* Out of line, so that nn_nearest's test for an empty index (most of the
 * calls of a caller looping over its indexes) saves no registers. */
PS_COLD static int nearest_manh(const struct nn *t, double x, double y,
                                                  double *out)
{
    struct near b = near(t, 1, x, y);
    if (out)
        *out = b.d;
    return b.i;
}

PS_COLD static int nearest_eucl(const struct nn *t, double x, double y,
                                                  double *out)
{
    struct near b = near(t, 0, x, y);
    if (out)
        *out = b.d;
    return b.i;
}

int nn_nearest(const struct nn *t, double x, double y, double *out)
{
    if (t->count == 0)
        return -1;
    return t->metric == TRV_MANHATTAN ? nearest_manh(t, x, y, out) : nearest_eucl(t, x, y, out);
}

PS_COLD static const struct nn_slot *slot_manh(const struct nn *t, double x, double y)
{
    return near(t, 1, x, y).s;
}

PS_COLD static const struct nn_slot *slot_eucl(const struct nn *t, double x, double y)
{
    return near(t, 0, x, y).s;
}

const struct nn_slot *nn__nearest_slot(const struct nn *t, double x, double y)
{
    if (t->count == 0)
        return NULL;
    return t->metric == TRV_MANHATTAN ? slot_manh(t, x, y) : slot_eucl(t, x, y);
}

/* The pruning stays exact: it only drops cells that cannot hold an item
 * nearer than the best found, and the filter only removes items. */
int nn_nearest_after(const struct nn *t, double x, double y, double d0, int i0, double *out)
{
    if (t->count == 0)
        return -1;
    return t->metric == TRV_MANHATTAN ? search(t, 1, 1, x, y, d0, i0, out, NULL)
                                      : search(t, 0, 1, x, y, d0, i0, out, NULL);
}

int nn_nearest_k(const struct nn *t, double x, double y, double d0, int i0, int k, int *items,
                 double *dist)
{
    if (t->count == 0 || k <= 0)
        return 0;
    struct best kb = { -1, INFINITY, d0, i0, k, 0, dist, items };
    return t->metric == TRV_MANHATTAN ? search(t, 1, 2, x, y, d0, i0, NULL, &kb)
                                      : search(t, 0, 2, x, y, d0, i0, NULL, &kb);
}
