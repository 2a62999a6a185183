/* geo.c - planar polygons: validation, point location, overlap, sampling,
 * and the lat/lon projection.
 *
 * Polygons are usually small (a grid is a rectangle or a few dozen
 * vertices), so the overlap tests are plain O(n*m) edge loops; a ring's
 * self-intersection test buckets edges in a uniform grid from 64 vertices
 * on (GIS exports reach 100k vertices).  What matters is
 * that they are exact on the inputs planners actually write: rectangles on a
 * lattice and polygons that share vertices with their neighbours.
 *
 * Point location uses the half-open crossing rule.  An edge counts as
 * crossed by the rightward ray from p when lo.y <= p.y < hi.y (lo and hi its
 * endpoints ordered by y) and p lies strictly left of lo->hi.  The edge is
 * always evaluated from lo to hi, so an edge shared by two polygons gives the
 * same answer in both, and the polygons of a partition claim every point
 * exactly once.  For rectangles this is [xmin, xmax) x [ymin, ymax).
 *
 * Multi-ring polygons (GIS grids with holes or several parts) count the
 * crossings of every ring's edges together: even-odd containment, with the
 * same half-open rule, so holes and shared edges between parts need no
 * special case.  Rings are validated one by one (simple, positive area),
 * then pairwise (no proper crossing), and every hole must cut into an outer
 * ring.  Orienting outer rings counter-clockwise and holes clockwise keeps
 * the interior on the left of every edge, which is all the overlap test
 * relies on.  Single-ring polygons take exactly the code path they had.
 *
 * The equirectangular projection (geo_project) scales longitude by the
 * cosine of the origin's latitude: exact along the origin's parallel and
 * meridian, within 0.1% over a city.
 *
 * geo_index: a uniform grid of about one cell per polygon over the common
 * bounding box; each cell lists (ascending) the polygons whose bounding box
 * touches it, in one CSR array.  Cell edges are stored, and a point's cell
 * is the last whose lower edges it reaches (a guess from the scale, then
 * settled on the stored edges), so the points of a cell are exactly the
 * half-open box of its edges, and cell lookup is monotone: a polygon is
 * listed in every cell its points can fall in.  A cell whose box is
 * provably claimed by one polygon, with no lower-indexed polygon claiming
 * any of it, stores that polygon as its answer (`sole`): a lattice of
 * rectangles (bench-city, grids.csv boxes) then locates every point by
 * the lookup alone.  Otherwise locate tests the listed polygons, typically
 * 1-4.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"
#include "cells.h"
#include "geo.h"
#include "hot.h"

typedef struct geo_pt pt;

static double orient(pt a, pt b, pt c)
{
    return (b.x - a.x) * (c.y - a.y) - (b.y - a.y) * (c.x - a.x);
}

static int sgn(double v)
{
    return (v > 0) - (v < 0);
}

/* c is on the closed segment ab, given that a, b, c are colinear. */
static int within(pt a, pt b, pt c)
{
    return fmin(a.x, b.x) <= c.x && c.x <= fmax(a.x, b.x) &&
           fmin(a.y, b.y) <= c.y && c.y <= fmax(a.y, b.y);
}

/* Closed segments ab and cd share at least one point. */
static int seg_touch(pt a, pt b, pt c, pt d)
{
    int o1 = sgn(orient(a, b, c)), o2 = sgn(orient(a, b, d));
    int o3 = sgn(orient(c, d, a)), o4 = sgn(orient(c, d, b));
    if (o1 * o2 < 0 && o3 * o4 < 0)
        return 1;
    return (o1 == 0 && within(a, b, c)) || (o2 == 0 && within(a, b, d)) ||
           (o3 == 0 && within(c, d, a)) || (o4 == 0 && within(c, d, b));
}

/* Adjacent edges ab, bc may share only b: colinear and folding back means
 * they overlap. */
static int folds_back(pt a, pt b, pt c)
{
    return orient(a, b, c) == 0 && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0;
}

/* Edges i < j of an n-ring are adjacent (share a vertex by construction). */
static int edges_adjacent(int i, int j, int n)
{
    return j == i + 1 || (i == 0 && j == n - 1);
}

static int cell_clamp(double v, double lo, double scale, int m)
{
    double c = floor((v - lo) * scale);
    return c < 0 ? 0 : c >= m ? m - 1 : (int)c;
}

/* Non-adjacent edge pairs that share a cell of a uniform grid of about n
 * cells over the ring's bounding box.  Each edge is listed in every cell
 * its bounding box covers, and a pair is tested only in the first cell
 * (lowest row, then column) common to both boxes, so exactly once.  Cells
 * are conservative (a box touching a cell border is listed on both sides),
 * so no touching pair is missed: the result equals the all-pairs test.
 * Cost O(n + k) for k listed pairs: about 1-4 cells per edge on polygons
 * with many short edges, where the all-pairs test took 52 s at 100k
 * vertices. */
static int self_intersecting_grid(const pt *v, int n)
{
    double xmin = v[0].x, xmax = v[0].x, ymin = v[0].y, ymax = v[0].y;
    for (int i = 1; i < n; i++) {
        xmin = fmin(xmin, v[i].x);
        xmax = fmax(xmax, v[i].x);
        ymin = fmin(ymin, v[i].y);
        ymax = fmax(ymax, v[i].y);
    }
    int m = (int)ceil(sqrt((double)n));
    double sx = m / fmax(xmax - xmin, 1e-300), sy = m / fmax(ymax - ymin, 1e-300);
    int *box = xmalloc((size_t)n * 4 * sizeof *box);   /* per edge: c0 r0 c1 r1 */
    size_t *start = xcalloc((size_t)m * m + 1, sizeof *start);
    for (int i = 0; i < n; i++) {
        pt a = v[i], b = v[(i + 1) % n];
        int *bx = box + 4 * (size_t)i;
        bx[0] = cell_clamp(fmin(a.x, b.x), xmin, sx, m);
        bx[1] = cell_clamp(fmin(a.y, b.y), ymin, sy, m);
        bx[2] = cell_clamp(fmax(a.x, b.x), xmin, sx, m);
        bx[3] = cell_clamp(fmax(a.y, b.y), ymin, sy, m);
        for (int r = bx[1]; r <= bx[3]; r++)
            for (int c = bx[0]; c <= bx[2]; c++)
                start[(size_t)r * m + c + 1]++;
    }
    for (size_t k = 0; k < (size_t)m * m; k++)
        start[k + 1] += start[k];
    int *list = xmalloc((start[(size_t)m * m] ? start[(size_t)m * m] : 1) * sizeof *list);
    size_t *fill = xmalloc((size_t)m * m * sizeof *fill);
    memcpy(fill, start, (size_t)m * m * sizeof *fill);
    for (int i = 0; i < n; i++) {
        const int *bx = box + 4 * (size_t)i;
        for (int r = bx[1]; r <= bx[3]; r++)
            for (int c = bx[0]; c <= bx[2]; c++)
                list[fill[(size_t)r * m + c]++] = i;   /* ascending i per cell */
    }
    int hit = 0;
    for (int r = 0; r < m && !hit; r++)
        for (int c = 0; c < m && !hit; c++) {
            size_t k = (size_t)r * m + c;
            for (size_t p = start[k]; p < start[k + 1] && !hit; p++) {
                int i = list[p];
                const int *bi = box + 4 * (size_t)i;
                for (size_t q = p + 1; q < start[k + 1] && !hit; q++) {
                    int j = list[q];
                    const int *bj = box + 4 * (size_t)j;
                    /* first common cell only */
                    if (r != (bi[1] > bj[1] ? bi[1] : bj[1]) ||
                        c != (bi[0] > bj[0] ? bi[0] : bj[0]))
                        continue;
                    if (edges_adjacent(i, j, n))
                        continue;
                    hit = seg_touch(v[i], v[(i + 1) % n], v[j], v[(j + 1) % n]);
                }
            }
        }
    free(fill);
    free(list);
    free(start);
    free(box);
    return hit;
}

static int self_intersecting(const pt *v, int n)
{
    for (int i = 0; i < n; i++)
        if (folds_back(v[i], v[(i + 1) % n], v[(i + 2) % n]))
            return 1;
    /* Below this the plain loop is faster than building the cells. */
    if (n >= 64)
        return self_intersecting_grid(v, n);
    for (int i = 0; i < n; i++)
        for (int j = i + 2; j < n; j++)
            if (!edges_adjacent(i, j, n) &&
                seg_touch(v[i], v[(i + 1) % n], v[j], v[(j + 1) % n]))
                return 1;
    return 0;
}

/* The rings of p; a single-ring polygon is described by *one. */
static const struct geo_ring *rings(const struct geo_poly *p, struct geo_ring *one, int *nr)
{
    if (p->ring) {
        *nr = p->nring;
        return p->ring;
    }
    *one = (struct geo_ring){ 0, p->n, 0 };
    *nr = 1;
    return one;
}

/* Validates ring v[0..n), sets its signed doubled area *a2 and centroid,
 * widens the bbox, and orients it counter-clockwise (ccw) or clockwise. */
static int ring_finish(pt *v, int n, int ccw, double *a2out, pt *cen, double *bb)
{
    if (n < 3)
        return -1;
    double xmin = v[0].x, xmax = v[0].x, ymin = v[0].y, ymax = v[0].y;
    for (int i = 0; i < n; i++) {
        if (!isfinite(v[i].x) || !isfinite(v[i].y))
            return -1;
        pt w = v[(i + 1) % n];
        if (v[i].x == w.x && v[i].y == w.y)
            return -1;          /* zero-length edge */
        xmin = fmin(xmin, v[i].x);
        xmax = fmax(xmax, v[i].x);
        ymin = fmin(ymin, v[i].y);
        ymax = fmax(ymax, v[i].y);
    }
    /* Shoelace and centroid relative to v[0], for precision far from the
     * origin. */
    double a2 = 0, cx = 0, cy = 0;
    for (int i = 1; i + 1 < n; i++) {
        double x0 = v[i].x - v[0].x, y0 = v[i].y - v[0].y;
        double x1 = v[i + 1].x - v[0].x, y1 = v[i + 1].y - v[0].y;
        double c = x0 * y1 - x1 * y0;
        a2 += c;
        cx += (x0 + x1) * c;
        cy += (y0 + y1) * c;
    }
    double box = (xmax - xmin) * (ymax - ymin);
    if (!(box > 0) || fabs(a2) <= 2e-12 * box)
        return -1;
    if (self_intersecting(v, n))
        return -1;
    cen->x = v[0].x + cx / (3 * a2);
    cen->y = v[0].y + cy / (3 * a2);
    if ((a2 < 0) == ccw) {
        for (int i = 0, j = n - 1; i < j; i++, j--) {
            pt t = v[i];
            v[i] = v[j];
            v[j] = t;
        }
    }
    *a2out = fabs(a2);
    bb[0] = fmin(bb[0], xmin);
    bb[1] = fmin(bb[1], ymin);
    bb[2] = fmax(bb[2], xmax);
    bb[3] = fmax(bb[3], ymax);
    return 0;
}

/* 1 if an edge of ring r properly crosses an edge of ring q (at interior
 * points of both).  Rings may touch: a hole may meet its outer ring at a
 * vertex, and two parts of a MultiPolygon may share an edge. */
static int rings_cross(const pt *v, struct geo_ring r, struct geo_ring q)
{
    for (int i = 0; i < r.n; i++) {
        pt a = v[r.start + i], b = v[r.start + (i + 1) % r.n];
        for (int j = 0; j < q.n; j++) {
            pt c = v[q.start + j], d = v[q.start + (j + 1) % q.n];
            if (sgn(orient(a, b, c)) * sgn(orient(a, b, d)) < 0 &&
                sgn(orient(c, d, a)) * sgn(orient(c, d, b)) < 0)
                return 1;
        }
    }
    return 0;
}

static double seg_dist(pt p, pt a, pt b)
{
    double dx = b.x - a.x, dy = b.y - a.y;
    double t = ((p.x - a.x) * dx + (p.y - a.y) * dy) / (dx * dx + dy * dy);
    t = t < 0 ? 0 : t > 1 ? 1 : t;
    return hypot(p.x - (a.x + t * dx), p.y - (a.y + t * dy));
}

/* Even-odd containment of (x, y) in the outer rings of p only. */
static int in_outers(const struct geo_poly *p, pt q)
{
    int in = 0;
    for (int k = 0; k < p->nring; k++) {
        if (p->ring[k].hole)
            continue;
        const pt *v = p->v + p->ring[k].start;
        int n = p->ring[k].n;
        for (int i = 0, j = n - 1; i < n; j = i++)
            if ((v[j].y <= q.y) != (v[i].y <= q.y)) {
                pt lo = v[j].y < v[i].y ? v[j] : v[i], hi = v[j].y < v[i].y ? v[i] : v[j];
                if (orient(lo, hi, q) > 0)
                    in ^= 1;
            }
    }
    return in;
}

/* A hole must cut into an outer ring: since rings do not cross, one vertex
 * or edge midpoint of it strictly inside the outers (not on their edges)
 * puts the whole hole inside.  A "hole" outside every part would count as
 * inside under even-odd while its area is subtracted. */
static int hole_inside(const struct geo_poly *p, struct geo_ring h, double tol)
{
    for (int i = 0; i < h.n; i++) {
        pt a = p->v[h.start + i], b = p->v[h.start + (i + 1) % h.n];
        pt q[2] = { a, { (a.x + b.x) / 2, (a.y + b.y) / 2 } };
        for (int m = 0; m < 2; m++) {
            if (!in_outers(p, q[m]))
                continue;
            int on_edge = 0;
            for (int k = 0; k < p->nring && !on_edge; k++) {
                if (p->ring[k].hole)
                    continue;
                struct geo_ring o = p->ring[k];
                for (int j = 0; j < o.n && !on_edge; j++)
                    on_edge = seg_dist(q[m], p->v[o.start + j],
                                       p->v[o.start + (j + 1) % o.n]) <= tol;
            }
            if (!on_edge)
                return 1;
        }
    }
    return 0;
}

int geo_poly_finish(struct geo_poly *p)
{
    if (!p->v || p->n < 3)
        return -1;
    struct geo_ring one;
    int nr;
    const struct geo_ring *rg = rings(p, &one, &nr);
    double bb[4] = { HUGE_VAL, HUGE_VAL, -HUGE_VAL, -HUGE_VAL };
    double area2 = 0, cx = 0, cy = 0;
    pt c0 = { 0, 0 };
    for (int k = 0; k < nr; k++) {
        double a2;
        pt c;
        if (rg[k].start < 0 || rg[k].n < 3 || rg[k].start + rg[k].n > p->n)
            return -1;
        if (ring_finish(p->v + rg[k].start, rg[k].n, !rg[k].hole, &a2, &c, bb) < 0)
            return -1;
        if (k == 0)
            c0 = c;
        double sa = rg[k].hole ? -a2 : a2;
        area2 += sa;
        cx += sa * c.x;
        cy += sa * c.y;
    }
    for (int k = 0; k < nr; k++)
        for (int m = k + 1; m < nr; m++)
            if (rings_cross(p->v, rg[k], rg[m]))
                return -1;
    double box = (bb[2] - bb[0]) * (bb[3] - bb[1]);
    if (!(area2 > 2e-12 * box))
        return -1;
    double tol = 1e-9 * fmax(fmax(fabs(bb[0]), fabs(bb[2])), fmax(fabs(bb[1]), fabs(bb[3])));
    for (int k = 0; k < nr; k++)
        if (rg[k].hole && !hole_inside(p, rg[k], tol))
            return -1;
    p->area = area2 / 2;
    /* One ring: its own centroid rather than the area-weighted mean, which
     * could differ in the last bit (a * c / a), so single-ring grids keep
     * exactly the centroids they had before rings existed. */
    p->centroid = nr == 1 ? c0 : (pt){ cx / area2, cy / area2 };
    p->xmin = bb[0];
    p->ymin = bb[1];
    p->xmax = bb[2];
    p->ymax = bb[3];
    p->rect = nr == 1 && p->n == 4;
    for (int i = 0; i < p->n && p->rect; i++) {
        pt a = p->v[i], b = p->v[(i + 1) % p->n];
        p->rect = (a.x == bb[0] || a.x == bb[2]) && (a.y == bb[1] || a.y == bb[3]) &&
                  (a.x == b.x || a.y == b.y);
    }
    return 0;
}

int geo_poly_contains(const struct geo_poly *p, double x, double y)
{
    /* Outside the half-open box the crossing count is even anyway. */
    if (x < p->xmin || x >= p->xmax || y < p->ymin || y >= p->ymax)
        return 0;
    /* A rectangle's crossing test below finds its right edge alone crossed
     * inside the box (the left edge needs x < xmin), so the box decides. */
    if (p->rect)
        return 1;
    struct geo_ring one;
    int nr, in = 0;
    const struct geo_ring *rg = rings(p, &one, &nr);
    for (int k = 0; k < nr; k++) {
        const pt *v = p->v + rg[k].start;
        int n = rg[k].n;
        for (int i = 0, j = n - 1; i < n; j = i++) {
            pt a = v[j], b = v[i];
            if ((a.y <= y) != (b.y <= y)) {
                pt lo = a.y < b.y ? a : b, hi = a.y < b.y ? b : a;
                if ((hi.x - lo.x) * (y - lo.y) - (hi.y - lo.y) * (x - lo.x) > 0)
                    in ^= 1;
            }
        }
    }
    return in;
}

void geo_poly_sample(const struct geo_poly *p, gsl_rng *r, double *x, double *y)
{
    double w = p->xmax - p->xmin, h = p->ymax - p->ymin;
    double px, py;
    do {
        px = p->xmin + w * gsl_rng_uniform(r);
        py = p->ymin + h * gsl_rng_uniform(r);
    } while (!geo_poly_contains(p, px, py));
    *x = px;
    *y = py;
}

/* ---- overlap ------------------------------------------------------------
 *
 * The interiors of simple polygons A and B intersect iff
 *   (a) an edge of A and an edge of B cross properly (at interior points of
 *       both, strictly from side to side), or
 *   (b) after splitting every edge at the other polygon's vertices lying on
 *       it, some piece has its midpoint strictly inside the other polygon,
 *       or lies along an edge of the other polygon running the same way
 *       (both are counter-clockwise, so same direction = interiors on the
 *       same side).
 * Sketch: if the common interior I is non-empty and there is no proper
 * crossing, the boundary of I is made of such pieces, each of which has the
 * same status along its length; a piece on the boundary of I is either
 * strictly inside the other polygon or runs along its boundary with I on the
 * inner side of both.  Conversely each case puts a small half-disc into both
 * interiors.  This handles shared edges (opposite directions: no overlap),
 * shared vertices, T-junctions, containment and identical polygons without
 * any "point just inside" offset.
 *
 * "On a line" uses a distance tolerance of 1e-9 times the coordinate
 * magnitude, so that vertices which lie on a neighbour's slanted edge only
 * up to rounding still count as touching.
 */


static int cmp_double(const void *a, const void *b)
{
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

/* Edge i of ring r: v[r.start + i] -> its successor in the ring. */
static pt edge_end(const struct geo_poly *p, struct geo_ring r, int i)
{
    return p->v[r.start + (i + 1) % r.n];
}

/* 1 if some edge of a shows interior overlap with b per (a) or (b).  With
 * several rings every edge keeps the inside on its left, so "same way"
 * still means interiors on the same side; parts sharing an edge list it
 * twice, once each way, so every edge under a piece is examined. */
static int edges_show_overlap(const struct geo_poly *a, const struct geo_poly *b,
                              double tol, double *ts)
{
    struct geo_ring one_a, one_b;
    int nra, nrb;
    const struct geo_ring *ra = rings(a, &one_a, &nra), *rb = rings(b, &one_b, &nrb);
    for (int ka = 0; ka < nra; ka++)
    for (int i = 0; i < ra[ka].n; i++) {
        pt p = a->v[ra[ka].start + i], q = edge_end(a, ra[ka], i);
        double dx = q.x - p.x, dy = q.y - p.y;
        double len = hypot(dx, dy);
        int nt = 0;
        ts[nt++] = 0;
        ts[nt++] = 1;
        for (int kb = 0; kb < nrb; kb++)
            for (int j = 0; j < rb[kb].n; j++) {
                pt r = b->v[rb[kb].start + j], s = edge_end(b, rb[kb], j);
                double dr = orient(p, q, r) / len, ds = orient(p, q, s) / len;
                if ((dr > tol && ds < -tol) || (dr < -tol && ds > tol)) {
                    double m = hypot(s.x - r.x, s.y - r.y);
                    double dp = orient(r, s, p) / m, dq = orient(r, s, q) / m;
                    if ((dp > tol && dq < -tol) || (dp < -tol && dq > tol))
                        return 1;
                }
                if (fabs(dr) <= tol) {
                    double t = ((r.x - p.x) * dx + (r.y - p.y) * dy) / (len * len);
                    if (t > 0 && t < 1)
                        ts[nt++] = t;
                }
            }
        qsort(ts, (size_t)nt, sizeof *ts, cmp_double);
        for (int k = 0; k + 1 < nt; k++) {
            if ((ts[k + 1] - ts[k]) * len <= 4 * tol)
                continue;
            double t = (ts[k] + ts[k + 1]) / 2;
            pt m = { p.x + t * dx, p.y + t * dy };
            int on = 0;
            for (int kb = 0; kb < nrb; kb++)
                for (int j = 0; j < rb[kb].n; j++) {
                    pt r = b->v[rb[kb].start + j], s = edge_end(b, rb[kb], j);
                    if (seg_dist(m, r, s) <= tol) {
                        on = 1;
                        if (dx * (s.x - r.x) + dy * (s.y - r.y) > 0)
                            return 1;
                    }
                }
            if (!on && geo_poly_contains(b, m.x, m.y))
                return 1;
        }
    }
    return 0;
}

int geo_poly_overlap(const struct geo_poly *a, const struct geo_poly *b)
{
    if (a->xmax <= b->xmin || b->xmax <= a->xmin ||
        a->ymax <= b->ymin || b->ymax <= a->ymin)
        return 0;
    double mag = 0;
    const double c[8] = { a->xmin, a->xmax, a->ymin, a->ymax,
                          b->xmin, b->xmax, b->ymin, b->ymax };
    for (int i = 0; i < 8; i++)
        mag = fmax(mag, fabs(c[i]));
    double tol = 1e-9 * mag;
    int nmax = (a->n > b->n ? a->n : b->n) + 2;
    double *ts = xmalloc((size_t)nmax * sizeof *ts);
    int r = edges_show_overlap(a, b, tol, ts) || edges_show_overlap(b, a, tol, ts);
    free(ts);
    return r;
}

double geo_poly_edge_dist(const struct geo_poly *p, double x, double y)
{
    struct geo_ring one;
    int nr;
    const struct geo_ring *rg = rings(p, &one, &nr);
    double d = HUGE_VAL;
    pt q = { x, y };
    for (int k = 0; k < nr; k++)
        for (int i = 0; i < rg[k].n; i++)
            d = fmin(d, seg_dist(q, p->v[rg[k].start + i], edge_end(p, rg[k], i)));
    return d;
}

/* ---- projection ------------------------------------------------------------ */

void geo_proj_init(struct geo_proj *p, double lat0, double lon0)
{
    const double deg = 3.14159265358979323846 / 180.0;
    const double k = GEO_EARTH_RADIUS_KM * deg;
    p->lat0 = lat0;
    p->lon0 = lon0;
    p->ky = k;
    p->kx = k * cos(lat0 * deg);
}

void geo_project(const struct geo_proj *p, double lat, double lon, double *x, double *y)
{
    *x = (lon - p->lon0) * p->kx;
    *y = (lat - p->lat0) * p->ky;
}

void geo_unproject(const struct geo_proj *p, double x, double y, double *lat, double *lon)
{
    *lat = p->lat0 + y / p->ky;
    *lon = p->lon0 + x / p->kx;
}

/* ---- index -------------------------------------------------------------- */

struct geo_index {
    const struct geo_poly *polys;
    int n;
    double xmin, ymin, xmax, ymax;
    double sx, sy;          /* cells per km, for the first guess of a cell */
    int nx, ny;
    double *ex, *ey;        /* cell edges: nx + 1 and ny + 1, ex[nx] = xmax */
    int *start;             /* nx*ny + 1 offsets into item */
    int *item;              /* polygon indices, ascending within a cell */
    int *sole;              /* cell -> the polygon claiming all of it, -1 */
    /* Scales for which truncating (v - lo) * scale gives, for every v in
     * [lo, hi), the cell of v or the one after it (guess_ok checks every
     * cell's two ends), so that one comparison with the guessed cell's
     * lower edge settles the cell; 0 if none was found (cells_find then). */
    double gx, gy;
    int fast;               /* both found */
    int whole;              /* the polygon claiming the whole box (one cell), -1: so
                             * that a one-grid model pays no cell lookup */
};

/* The cell guess of locate's fast path; one function so that the build-time
 * check and the lookup round alike.  v >= lo. */
static inline int cell_guess(double v, double lo, double scale)
{
    return (int)((v - lo) * scale);
}

/* 1 if cell_guess(v, e[0], scale) is c or c + 1 for every v in each
 * non-empty cell [e[c], e[c+1]).  The guess is monotone in v (subtraction,
 * a positive product and truncation all are), so the cell's lowest and
 * highest doubles bound it.  A guess of c + 1 (rounding up at the top of a
 * cell, as the nominal scale does at some bench-city lines) is then told
 * from a right one by v < e[c + 1]: exact, since v >= e[c + 1] would put v
 * in a later cell. */
static int guess_ok(const double *e, int n, double scale)
{
    for (int c = 0; c < n; c++) {
        if (!(e[c] < e[c + 1]))
            continue;
        if (cell_guess(e[c], e[0], scale) < c ||
            cell_guess(nextafter(e[c + 1], -HUGE_VAL), e[0], scale) > c + 1)
            return 0;
    }
    return 1;
}

/* The nominal scale n / (e[n] - e[0]) if guess_ok, else the first of
 * scales growing by factors 1 + 2^-52, 2^-50, ..., 2^-22 that is, else 0.
 * What fails is a guess of c - 1 at a lower edge e[c] that rounded down
 * (edges are lo + span * c / n, rounded to the coordinates' ulp, which is
 * a sizable part of a cell far from the origin); a slightly larger scale
 * lifts every guess by about c times the factor, while the tops of cells
 * stay below c + 2 for n * factor < 1. */
static double guess_scale(const double *e, int n, double scale)
{
    if (guess_ok(e, n, scale))
        return scale;
    for (int k = -52; k <= -22; k += 2) {
        double s = scale * (1 + ldexp(1, k));
        if (guess_ok(e, n, s))
            return s;
    }
    return 0;
}

/* The cell of v in [e[0], e[n]) by the guess and one comparison. */
static inline int cell_of(double v, double lo, double scale, const double *e)
{
    int c = cell_guess(v, lo, scale);
    return c - (v < e[c]);
}

/* Closed segment ab meets the closed box [x0, x1] x [y0, y1]. */
static int seg_meets_box(pt a, pt b, double x0, double y0, double x1, double y1)
{
    if (fmax(a.x, b.x) < x0 || fmin(a.x, b.x) > x1 || fmax(a.y, b.y) < y0 || fmin(a.y, b.y) > y1)
        return 0;
    pt c[4] = { { x0, y0 }, { x1, y0 }, { x1, y1 }, { x0, y1 } };
    int pos = 0, neg = 0;
    for (int k = 0; k < 4; k++) {
        double o = orient(a, b, c[k]);
        pos += o >= 0;
        neg += o <= 0;
    }
    return pos && neg;      /* the line separates no corner from the others */
}

/* How polygon p stands to the box B = [x0, x1) x [y0, y1): 1 if p claims
 * every point of B, 0 if none, -1 if unknown.  Half-open boxes and
 * rectangles are compared exactly.  Other polygons are classified only
 * when no edge comes within a margin of B (far above the rounding of the
 * crossing test), by one corner; B touching their boundary is unknown. */
static int poly_vs_box(const struct geo_poly *p, double x0, double y0, double x1, double y1)
{
    if (p->xmax <= x0 || x1 <= p->xmin || p->ymax <= y0 || y1 <= p->ymin)
        return 0;
    if (p->rect)
        return p->xmin <= x0 && x1 <= p->xmax && p->ymin <= y0 && y1 <= p->ymax ? 1 : -1;
    double scale = fmax(fmax(fabs(x0), fabs(x1)), fmax(fabs(y0), fabs(y1)));
    double m = 1e-9 * fmax(x1 - x0, y1 - y0) + 1e-12 * scale;
    struct geo_ring one;
    int nr;
    const struct geo_ring *rg = rings(p, &one, &nr);
    for (int k = 0; k < nr; k++) {
        const pt *v = p->v + rg[k].start;
        for (int i = 0, j = rg[k].n - 1; i < rg[k].n; j = i++)
            if (seg_meets_box(v[j], v[i], x0 - 2 * m, y0 - 2 * m, x1 + 2 * m, y1 + 2 * m))
                return -1;
    }
    return geo_poly_contains(p, x0, y0);
}

struct geo_index *geo_index_new(const struct geo_poly *polys, int n)
{
    struct geo_index *g = xcalloc(1, sizeof *g);
    g->polys = polys;
    g->n = n;
    if (n <= 0) {
        g->nx = g->ny = 1;
        g->start = xcalloc(2, sizeof *g->start);
        g->item = xmalloc(sizeof *g->item);
        g->sole = xmalloc(sizeof *g->sole);
        g->sole[0] = -1;
        g->whole = -1;
        g->ex = xcalloc(2, sizeof *g->ex);
        g->ey = xcalloc(2, sizeof *g->ey);
        return g;
    }
    g->xmin = polys[0].xmin;
    g->xmax = polys[0].xmax;
    g->ymin = polys[0].ymin;
    g->ymax = polys[0].ymax;
    for (int i = 1; i < n; i++) {
        g->xmin = fmin(g->xmin, polys[i].xmin);
        g->xmax = fmax(g->xmax, polys[i].xmax);
        g->ymin = fmin(g->ymin, polys[i].ymin);
        g->ymax = fmax(g->ymax, polys[i].ymax);
    }
    double w = g->xmax - g->xmin, h = g->ymax - g->ymin;
    /* About one cell per polygon, cells roughly square. */
    double nxd = ceil(sqrt((double)n * w / h));
    if (!(nxd >= 1))
        nxd = 1;
    if (nxd > n)
        nxd = n;
    g->nx = (int)nxd;
    g->ny = (n + g->nx - 1) / g->nx;
    g->sx = g->nx / w;
    g->sy = g->ny / h;
    /* Edges as lo + span * i / n: exact on a lattice whose lines are
     * representable (2.5 * c for bench-city), so cells match its grids. */
    g->ex = xmalloc(((size_t)g->nx + 1) * sizeof *g->ex);
    g->ey = xmalloc(((size_t)g->ny + 1) * sizeof *g->ey);
    for (int i = 0; i <= g->nx; i++)
        g->ex[i] = i == g->nx ? g->xmax : g->xmin + w * i / g->nx;
    for (int i = 0; i <= g->ny; i++)
        g->ey[i] = i == g->ny ? g->ymax : g->ymin + h * i / g->ny;
    for (int i = g->nx - 1; i >= 0; i--)       /* non-decreasing also if lo + span rounds up */
        g->ex[i] = fmin(g->ex[i], g->ex[i + 1]);
    for (int i = g->ny - 1; i >= 0; i--)
        g->ey[i] = fmin(g->ey[i], g->ey[i + 1]);

    size_t ncell = (size_t)g->nx * (size_t)g->ny;
    g->start = xcalloc(ncell + 1, sizeof *g->start);
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1) {
            for (size_t c = 0; c < ncell; c++)
                g->start[c + 1] += g->start[c];
            g->item = xmalloc(((size_t)g->start[ncell] + 1) * sizeof *g->item);
        }
        for (int i = 0; i < n; i++) {
            const struct geo_poly *p = &polys[i];
            int x0 = cells_find(p->xmin, g->xmin, g->sx, g->ex, g->nx);
            int x1 = cells_find(p->xmax, g->xmin, g->sx, g->ex, g->nx);
            int y0 = cells_find(p->ymin, g->ymin, g->sy, g->ey, g->ny);
            int y1 = cells_find(p->ymax, g->ymin, g->sy, g->ey, g->ny);
            for (int cy = y0; cy <= y1; cy++)
                for (int cx = x0; cx <= x1; cx++) {
                    size_t c = (size_t)cy * (size_t)g->nx + (size_t)cx;
                    if (pass == 0)
                        g->start[c + 1]++;
                    else
                        g->item[g->start[c]++] = i;
                }
        }
    }
    /* Filling advanced start[c] to the end of cell c; shift back. */
    for (size_t c = ncell; c > 0; c--)
        g->start[c] = g->start[c - 1];
    g->start[0] = 0;

    /* Locate answers with the lowest-indexed polygon that claims the point:
     * scanning in that order, polygons claiming none of the cell are
     * passed over, and the first claiming all of it is the answer for
     * every point of the cell. */
    g->sole = xmalloc(ncell * sizeof *g->sole);
    for (int cy = 0; cy < g->ny; cy++)
        for (int cx = 0; cx < g->nx; cx++) {
            size_t c = (size_t)cy * (size_t)g->nx + (size_t)cx;
            g->sole[c] = -1;
            for (int k = g->start[c]; k < g->start[c + 1]; k++) {
                int v = poly_vs_box(&polys[g->item[k]], g->ex[cx], g->ey[cy],
                                    g->ex[cx + 1], g->ey[cy + 1]);
                if (v == 0)
                    continue;
                if (v == 1)
                    g->sole[c] = g->item[k];
                break;
            }
        }
    g->gx = guess_scale(g->ex, g->nx, g->sx);
    g->gy = guess_scale(g->ey, g->ny, g->sy);
    g->fast = g->gx > 0 && g->gy > 0;
    g->whole = g->nx * g->ny == 1 ? g->sole[0] : -1;
    return g;
}

void geo_index_free(struct geo_index *g)
{
    if (!g)
        return;
    free(g->start);
    free(g->item);
    free(g->sole);
    free(g->ex);
    free(g->ey);
    free(g);
}

int geo_index_direct_cells(const struct geo_index *g, int *cells)
{
    int n = 0, nc = g->nx * g->ny;
    for (int c = 0; c < nc; c++)
        n += g->sole[c] >= 0;
    if (cells)
        *cells = nc;
    return n;
}

/* The cell's listed polygons, the first claiming (x, y) wins. */
static int locate_listed(const struct geo_index *g, size_t c, double x, double y)
{
    for (int k = g->start[c]; k < g->start[c + 1]; k++)
        if (geo_poly_contains(&g->polys[g->item[k]], x, y))
            return g->item[k];
    return -1;
}

/* locate without the fast cell guess, or in a cell no polygon claims
 * whole; out of line so that the direct path saves no registers. */
PS_COLD static int locate_slow(const struct geo_index *g, double x, double y)
{
    int cx = g->gx > 0 ? cell_of(x, g->xmin, g->gx, g->ex)
                       : cells_find(x, g->xmin, g->sx, g->ex, g->nx);
    int cy = g->gy > 0 ? cell_of(y, g->ymin, g->gy, g->ey)
                       : cells_find(y, g->ymin, g->sy, g->ey, g->ny);
    size_t c = (size_t)cy * (size_t)g->nx + (size_t)cx;
    return g->sole[c] >= 0 ? g->sole[c] : locate_listed(g, c, x, y);
}

int geo_index_locate(const struct geo_index *g, double x, double y)
{
    /* An empty index has the box [0, 0) x [0, 0), which holds no point. */
    if (!(x >= g->xmin && x < g->xmax && y >= g->ymin && y < g->ymax))
        return -1;
    if (g->whole >= 0)
        return g->whole;
    if (!g->fast)
        return locate_slow(g, x, y);
    size_t c = (size_t)cell_of(y, g->ymin, g->gy, g->ey) * (size_t)g->nx +
               (size_t)cell_of(x, g->xmin, g->gx, g->ex);
    int sole = g->sole[c];
    return sole >= 0 ? sole : locate_slow(g, x, y);
}

int geo_index_exact_guess(const struct geo_index *g)
{
    return (g->gx > 0) + (g->gy > 0);
}
