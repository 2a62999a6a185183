/* nn.c - ring search over a uniform cell grid (see nn.h). */
#include <math.h>
#include <stdlib.h>
#include "nn.h"

struct nn {
    enum trv_metric metric;
    int n, count;
    double *px, *py;        /* item positions, km */
    double x0, y0, w;       /* grid origin and cell width, km */
    int nx, ny;
    int *cell_of;           /* item -> cell */
    int *start;             /* cell -> first slot in slots[] (CSR) */
    int *fill;              /* cell -> present items */
    int *slots;             /* present items, packed per cell */
    int *slot_of;           /* item -> slot index, -1 when absent */
};

static double dist(const struct nn *t, double ax, double ay, double bx, double by)
{
    double dx = fabs(ax - bx), dy = fabs(ay - by);
    return t->metric == TRV_MANHATTAN ? dx + dy : hypot(dx, dy);
}

static int clampi(long v, int hi)
{
    return v < 0 ? 0 : v > hi ? hi : (int)v;
}

static int cell_x(const struct nn *t, double x) { return clampi((long)floor((x - t->x0) / t->w), t->nx - 1); }
static int cell_y(const struct nn *t, double y) { return clampi((long)floor((y - t->y0) / t->w), t->ny - 1); }

struct nn *nn_new(const double *x, const double *y, int n, enum trv_metric metric)
{
    struct nn *t = xcalloc(1, sizeof *t);
    t->metric = metric;
    t->n = n;
    t->px = xmalloc((size_t)(n ? n : 1) * sizeof *t->px);
    t->py = xmalloc((size_t)(n ? n : 1) * sizeof *t->py);
    double xmin = INFINITY, ymin = INFINITY, xmax = -INFINITY, ymax = -INFINITY;
    for (int i = 0; i < n; i++) {
        t->px[i] = x[i];
        t->py[i] = y[i];
        xmin = fmin(xmin, x[i]); xmax = fmax(xmax, x[i]);
        ymin = fmin(ymin, y[i]); ymax = fmax(ymax, y[i]);
    }
    if (n == 0)
        xmin = ymin = xmax = ymax = 0;
    double span = fmax(xmax - xmin, ymax - ymin);
    t->x0 = xmin;
    t->y0 = ymin;
    /* About one item per cell for an even spread. */
    t->w = span > 0 ? span / ceil(sqrt((double)n)) : 1.0;
    t->nx = (int)floor((xmax - xmin) / t->w) + 1;
    t->ny = (int)floor((ymax - ymin) / t->w) + 1;
    int nc = t->nx * t->ny;
    t->cell_of = xmalloc((size_t)(n ? n : 1) * sizeof(int));
    t->start = xcalloc((size_t)nc + 1, sizeof(int));
    t->fill = xcalloc((size_t)nc, sizeof(int));
    t->slots = xmalloc((size_t)(n ? n : 1) * sizeof(int));
    t->slot_of = xmalloc((size_t)(n ? n : 1) * sizeof(int));
    for (int i = 0; i < n; i++) {
        t->cell_of[i] = cell_y(t, y[i]) * t->nx + cell_x(t, x[i]);
        t->start[t->cell_of[i] + 1]++;
        t->slot_of[i] = -1;
    }
    for (int c = 0; c < nc; c++)
        t->start[c + 1] += t->start[c];
    return t;
}

void nn_free(struct nn *t)
{
    if (!t)
        return;
    free(t->px); free(t->py); free(t->cell_of); free(t->start);
    free(t->fill); free(t->slots); free(t->slot_of);
    free(t);
}

void nn_insert(struct nn *t, int i)
{
    PS_ASSERT(t->slot_of[i] < 0);
    int c = t->cell_of[i];
    int s = t->start[c] + t->fill[c]++;
    t->slots[s] = i;
    t->slot_of[i] = s;
    t->count++;
}

void nn_remove(struct nn *t, int i)
{
    int s = t->slot_of[i];
    PS_ASSERT(s >= 0);
    int c = t->cell_of[i];
    int last = t->start[c] + --t->fill[c];
    t->slots[s] = t->slots[last];
    t->slot_of[t->slots[s]] = s;
    t->slot_of[i] = -1;
    t->count--;
}

int nn_contains(const struct nn *t, int i) { return t->slot_of[i] >= 0; }
int nn_count(const struct nn *t) { return t->count; }

static void scan_cell(const struct nn *t, int c, double x, double y, int *best, double *bd)
{
    for (int s = t->start[c], e = s + t->fill[c]; s < e; s++) {
        int i = t->slots[s];
        double d = dist(t, x, y, t->px[i], t->py[i]);
        if (d < *bd || (d == *bd && i < *best)) {
            *bd = d;
            *best = i;
        }
    }
}

int nn_nearest(const struct nn *t, double x, double y, double *out)
{
    if (t->count == 0)
        return -1;
    int cx = cell_x(t, x), cy = cell_y(t, y);
    int kmax = cx;
    if (t->nx - 1 - cx > kmax) kmax = t->nx - 1 - cx;
    if (cy > kmax) kmax = cy;
    if (t->ny - 1 - cy > kmax) kmax = t->ny - 1 - cy;
    int best = -1;
    double bd = INFINITY;
    for (int k = 0; k <= kmax; k++) {
        /* Every cell of ring k is at least (k-1) cell widths away along one
         * axis, also when the query lies outside the grid; both metrics are
         * >= that axis gap.  Equal distances must still be scanned for the
         * lowest-index tie-break, hence the strict comparison. */
        if (k >= 1 && (double)(k - 1) * t->w > bd)
            break;
        int y_lo = cy - k, y_hi = cy + k, x_lo = cx - k, x_hi = cx + k;
        for (int yy = y_lo; yy <= y_hi; yy++) {
            if (yy < 0 || yy >= t->ny)
                continue;
            /* Top and bottom rows of the ring whole, others at both ends. */
            int step = (yy == y_lo || yy == y_hi) ? 1 : x_hi - x_lo;
            for (int xx = x_lo; xx <= x_hi; xx += step) {
                if (xx >= 0 && xx < t->nx) {
                    int c = yy * t->nx + xx;
                    if (t->fill[c])
                        scan_cell(t, c, x, y, &best, &bd);
                }
            }
        }
    }
    if (out)
        *out = bd;
    return best;
}
