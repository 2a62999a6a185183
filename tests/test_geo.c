/* test_geo.c - polygons: finishing, half-open point location (partitions
 * claim each point exactly once), overlap (shared edges and vertices are not
 * overlap; crossing, containment and identity are), the spatial index
 * against brute force, and sampling. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "err.h"
#include "geo.h"
#include "tcheck.h"

#define MAXV 16

struct shape {
    struct geo_pt v[MAXV];
    struct geo_poly p;
};

/* Builds and finishes a polygon from n (x, y) pairs; returns finish's result. */
static int mk(struct shape *s, int n, const double *xy)
{
    for (int i = 0; i < n; i++)
        s->v[i] = (struct geo_pt){ xy[2 * i], xy[2 * i + 1] };
    memset(&s->p, 0, sizeof s->p);
    s->p.v = s->v;
    s->p.n = n;
    return geo_poly_finish(&s->p);
}

static int rect(struct shape *s, double x0, double y0, double x1, double y1)
{
    const double xy[] = { x0, y0, x1, y0, x1, y1, x0, y1 };
    return mk(s, 4, xy);
}

static double signed_area(const struct geo_poly *p)
{
    double a = 0;
    for (int i = 0; i < p->n; i++) {
        const struct geo_pt *u = &p->v[i], *w = &p->v[(i + 1) % p->n];
        a += u->x * w->y - w->x * u->y;
    }
    return a / 2;
}

static void test_finish(void)
{
    struct shape s;
    /* clockwise square: normalised to counter-clockwise */
    const double cw[] = { 0, 0, 0, 2.385, 1.5, 2.385, 1.5, 0 };
    CHECK_INT(mk(&s, 4, cw), 0);
    CHECK_NEAR(s.p.area, 1.5 * 2.385, 1e-12);
    CHECK(signed_area(&s.p) > 0, "orientation is counter-clockwise after finish");
    CHECK_NEAR(s.p.centroid.x, 0.75, 1e-12);
    CHECK_NEAR(s.p.centroid.y, 2.385 / 2, 1e-12);
    CHECK_NEAR(s.p.xmin, 0, 0);
    CHECK_NEAR(s.p.xmax, 1.5, 0);
    CHECK_NEAR(s.p.ymax, 2.385, 0);

    /* L shape: three unit squares, centroid (5/6, 5/6) */
    const double ell[] = { 0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2 };
    CHECK_INT(mk(&s, 6, ell), 0);
    CHECK_NEAR(s.p.area, 3, 1e-12);
    CHECK_NEAR(s.p.centroid.x, 5.0 / 6, 1e-12);
    CHECK_NEAR(s.p.centroid.y, 5.0 / 6, 1e-12);

    /* far from the origin (planar km with a false easting) */
    CHECK_INT(rect(&s, 4000.125, 3000.25, 4002.5, 3001.75), 0);
    CHECK_NEAR(s.p.area, 2.375 * 1.5, 1e-9);
    CHECK_NEAR(s.p.centroid.x, 4001.3125, 1e-9);

    /* a straight-through vertex is fine */
    const double mid[] = { 0, 0, 1, 0, 2, 0, 2, 1, 0, 1 };
    CHECK_INT(mk(&s, 5, mid), 0);
    CHECK_NEAR(s.p.area, 2, 1e-12);

    /* invalid ones */
    const double two[] = { 0, 0, 1, 1 };
    CHECK_INT(mk(&s, 2, two), -1);
    const double line[] = { 0, 0, 1, 1, 2.5, 2.5 };
    CHECK_INT(mk(&s, 3, line), -1);
    const double dup[] = { 0, 0, 1, 0, 1, 0, 1, 1 };
    CHECK_INT(mk(&s, 4, dup), -1);
    const double bowtie[] = { 0, 0, 2, 2, 2, 0, 0, 2 };
    CHECK_INT(mk(&s, 4, bowtie), -1);
    const double bowtie2[] = { 0, 0, 3, 2, 3, 0, 0, 1 };
    CHECK_INT(mk(&s, 4, bowtie2), -1);
    /* vertex (1, 0) touches the edge (0,0)-(2,0) of the same polygon */
    const double touch[] = { 0, 0, 2, 0, 2, 2, 1, 0.5, 1, 0, 0.5, 2 };
    CHECK_INT(mk(&s, 6, touch), -1);
    /* a spike folding back along itself */
    const double spike[] = { 0, 0, 2, 0, 3, 0, 2.5, 0, 2, 1, 0, 1 };
    CHECK_INT(mk(&s, 6, spike), -1);
    /* figure eight through a repeated vertex */
    const double eight[] = { 0, 0, 1, 1, 2, 0, 2, 2, 1, 1, 0, 2 };
    CHECK_INT(mk(&s, 6, eight), -1);
    const double nan_v[] = { 0, 0, NAN, 0, 1, 1 };
    CHECK_INT(mk(&s, 3, nan_v), -1);
}

static void test_contains(void)
{
    struct shape a, b;
    rect(&a, 0, 0, 1, 1);
    rect(&b, 1, 0, 2.5, 1);
    CHECK_INT(geo_poly_contains(&a.p, 0, 0), 1);
    CHECK_INT(geo_poly_contains(&a.p, 0.5, 0), 1);
    CHECK_INT(geo_poly_contains(&a.p, 0, 0.5), 1);
    CHECK_INT(geo_poly_contains(&a.p, 1, 0.5), 0);
    CHECK_INT(geo_poly_contains(&a.p, 0.5, 1), 0);
    CHECK_INT(geo_poly_contains(&a.p, 1, 1), 0);
    CHECK_INT(geo_poly_contains(&a.p, 0, 1), 0);
    CHECK_INT(geo_poly_contains(&a.p, 1, 0), 0);
    CHECK_INT(geo_poly_contains(&a.p, -1e-12, 0.5), 0);
    CHECK_INT(geo_poly_contains(&a.p, 0.999999, 0.999999), 1);
    const double ys[] = { 0, 0.385, 0.5, 0.999 };
    for (int i = 0; i < 4; i++)
        CHECK_INT(geo_poly_contains(&a.p, 1, ys[i]) + geo_poly_contains(&b.p, 1, ys[i]), 1);

    /* the L shape's notch */
    const double ell[] = { 0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2 };
    mk(&a, 6, ell);
    CHECK_INT(geo_poly_contains(&a.p, 1.5, 1.5), 0);
    CHECK_INT(geo_poly_contains(&a.p, 0.5, 1.5), 1);
    CHECK_INT(geo_poly_contains(&a.p, 1.5, 0.5), 1);
    CHECK_INT(geo_poly_contains(&a.p, 1.5, 1.0), 0);   /* top edge of the lower arm */

    /* a quadrilateral split along a slanted diagonal: every point on the
     * diagonal's interior belongs to exactly one of the two triangles */
    const double t1[] = { 0, 0, 3, 0.7, 2.2, 2.9 };
    const double t2[] = { 0, 0, 2.2, 2.9, 0.4, 2.1 };
    mk(&a, 3, t1);
    mk(&b, 3, t2);
    int bad = 0;
    for (int i = 1; i < 1000; i++) {
        double t = i / 1000.0, x = 2.2 * t, y = 2.9 * t;
        bad += geo_poly_contains(&a.p, x, y) + geo_poly_contains(&b.p, x, y) != 1;
    }
    CHECK_INT(bad, 0);
}

/* An n x n lattice of quadrilaterals with jittered interior vertices; the
 * outer boundary is the square [0, n*h]^2. */
static struct geo_poly *jittered(int n, double h, gsl_rng *r, struct geo_pt **store)
{
    struct geo_pt *node = xmalloc((size_t)(n + 1) * (size_t)(n + 1) * sizeof *node);
    for (int j = 0; j <= n; j++)
        for (int i = 0; i <= n; i++) {
            double dx = (i > 0 && i < n) ? (gsl_rng_uniform(r) - 0.5) * 0.6 * h : 0;
            double dy = (j > 0 && j < n) ? (gsl_rng_uniform(r) - 0.5) * 0.6 * h : 0;
            node[j * (n + 1) + i] = (struct geo_pt){ i * h + dx, j * h + dy };
        }
    struct geo_pt *v = xmalloc((size_t)n * (size_t)n * 4 * sizeof *v);
    struct geo_poly *p = xcalloc((size_t)n * (size_t)n, sizeof *p);
    for (int j = 0; j < n; j++)
        for (int i = 0; i < n; i++) {
            struct geo_pt *q = &v[(j * n + i) * 4];
            q[0] = node[j * (n + 1) + i];
            q[1] = node[j * (n + 1) + i + 1];
            q[2] = node[(j + 1) * (n + 1) + i + 1];
            q[3] = node[(j + 1) * (n + 1) + i];
            p[j * n + i].v = q;
            p[j * n + i].n = 4;
            PS_ASSERT(geo_poly_finish(&p[j * n + i]) == 0);
        }
    free(node);
    *store = v;
    return p;
}

static int brute(const struct geo_poly *p, int n, double x, double y);

static void test_partition_and_index(gsl_rng *r)
{
    const int n = 12;
    const double h = 1.385;
    struct geo_pt *store;
    struct geo_poly *p = jittered(n, h, r, &store);
    int np = n * n;
    double area = 0;
    for (int i = 0; i < np; i++)
        area += p[i].area;
    CHECK_NEAR(area, (n * h) * (n * h), 1e-9);

    struct geo_index *g = geo_index_new(p, np);
    int miss = 0, multi = 0, disagree = 0;
    for (int k = 0; k < 20000; k++) {
        double x = gsl_rng_uniform(r) * n * h, y = gsl_rng_uniform(r) * n * h;
        int cnt = 0, first = -1;
        for (int i = 0; i < np; i++)
            if (geo_poly_contains(&p[i], x, y)) {
                cnt++;
                if (first < 0)
                    first = i;
            }
        miss += cnt == 0;
        multi += cnt > 1;
        disagree += geo_index_locate(g, x, y) != first;
    }
    CHECK_INT(miss, 0);
    CHECK_INT(multi, 0);
    CHECK_INT(disagree, 0);

    /* points on interior edges and at interior vertices: exactly one owner */
    int edge_bad = 0, vert_bad = 0, idx_bad = 0;
    for (int i = 0; i < np; i++)
        for (int e = 0; e < 4; e++) {
            struct geo_pt a = p[i].v[e], b = p[i].v[(e + 1) % 4];
            int outer_a = a.x == 0 || a.y == 0 || a.x == n * h || a.y == n * h;
            int outer_b = b.x == 0 || b.y == 0 || b.x == n * h || b.y == n * h;
            if (!outer_a) {
                int cnt = 0;
                for (int j = 0; j < np; j++)
                    cnt += geo_poly_contains(&p[j], a.x, a.y);
                vert_bad += cnt != 1;
            }
            if (outer_a && outer_b)
                continue;
            for (int k = 1; k < 8; k++) {
                double t = k / 8.0;
                double x = a.x + t * (b.x - a.x), y = a.y + t * (b.y - a.y);
                int cnt = 0, first = -1;
                for (int j = 0; j < np; j++)
                    if (geo_poly_contains(&p[j], x, y)) {
                        cnt++;
                        if (first < 0)
                            first = j;
                    }
                edge_bad += cnt != 1;
                idx_bad += geo_index_locate(g, x, y) != first;
            }
        }
    CHECK_INT(edge_bad, 0);
    CHECK_INT(vert_bad, 0);
    CHECK_INT(idx_bad, 0);
    CHECK_INT(geo_index_locate(g, -0.1, 3), -1);
    CHECK_INT(geo_index_locate(g, n * h, 3), -1);
    CHECK_INT(geo_index_locate(g, 3, n * h), -1);
    CHECK_INT(geo_index_locate(g, 0, 0), 0);

    /* neighbours share edges and vertices but never overlap */
    int ovl = 0, pairs = 0;
    for (int i = 0; i < np; i++)
        for (int j = i + 1; j < np; j++)
            if (!(p[i].xmax <= p[j].xmin || p[j].xmax <= p[i].xmin ||
                  p[i].ymax <= p[j].ymin || p[j].ymax <= p[i].ymin)) {
                pairs++;
                ovl += geo_poly_overlap(&p[i], &p[j]);
            }
    CHECK(pairs > np, "jittered lattice has %d box-overlapping pairs", pairs);
    CHECK_INT(ovl, 0);
    for (int i = 0; i < np; i++)
        ovl += !geo_poly_overlap(&p[i], &p[i]);
    CHECK_INT(ovl, 0);
    geo_index_free(g);
    free(p);
    free(store);

    /* overlapping polygons: lowest index wins */
    struct shape a, b, c;
    rect(&a, 0, 0, 2, 2);
    rect(&b, 1, 1, 3, 3);
    rect(&c, -5, -5, -4, -4);
    struct geo_poly three[3] = { c.p, b.p, a.p };
    g = geo_index_new(three, 3);
    CHECK_INT(geo_index_locate(g, 1.5, 1.5), 1);
    CHECK_INT(geo_index_locate(g, 0.5, 0.5), 2);
    CHECK_INT(geo_index_locate(g, -4.5, -4.5), 0);
    CHECK_INT(geo_index_locate(g, -1, 0), -1);
    geo_index_free(g);
    g = geo_index_new(NULL, 0);
    CHECK_INT(geo_index_locate(g, 0, 0), -1);
    geo_index_free(g);

    /* One polygon, one index cell: a rectangle claims the whole box (the
     * M/M/1 bench's grid, located without a cell lookup), a triangle only
     * part of it; both agree with brute force inside, outside and on the
     * edges of the box. */
    struct shape one[2];
    rect(&one[0], 3, 4, 3.00001, 4.00001);
    const double tri[] = { 0, 0, 2, 0, 0, 2 };
    mk(&one[1], 3, tri);
    for (int k = 0; k < 2; k++) {
        g = geo_index_new(&one[k].p, 1);
        const struct geo_poly *q = &one[k].p;
        int bad = 0, in = 0;
        for (int i = 0; i <= 40; i++)
            for (int j = 0; j <= 40; j++) {
                double x = q->xmin + (q->xmax - q->xmin) * (i - 5) / 30.0;
                double y = q->ymin + (q->ymax - q->ymin) * (j - 5) / 30.0;
                int want = brute(q, 1, x, y);
                bad += geo_index_locate(g, x, y) != want;
                in += want == 0;
            }
        bad += geo_index_locate(g, q->xmax, q->ymin) != brute(q, 1, q->xmax, q->ymin);
        bad += geo_index_locate(g, q->xmin, q->ymin) != brute(q, 1, q->xmin, q->ymin);
        CHECK(bad == 0 && in > 100, "one-polygon index (%s): %d of 1,683 disagree, %d inside",
              k ? "triangle" : "rectangle", bad, in);
        geo_index_free(g);
    }
}

/* Brute force: the lowest-indexed polygon claiming (x, y), -1 none. */
static int brute(const struct geo_poly *p, int n, double x, double y)
{
    for (int i = 0; i < n; i++)
        if (geo_poly_contains(&p[i], x, y))
            return i;
    return -1;
}

/* The fast cell guess (one multiply, a truncation and one comparison with
 * a cell edge) on lattices of S x S and S x (S + 3) rectangles with
 * spacings whose lines are representable (2.5, as bench-city) and not
 * (0.1, 1/3, 1.385), far from the origin too: both axes take it, and
 * locate agrees with brute force at random points and on, one and two
 * ulps either side of every lattice line. */
static void test_index_guess(gsl_rng *r)
{
    const double hs[4] = { 2.5, 0.1, 1.0 / 3, 1.385 };
    const double x0s[2] = { 0, 512345.678 };
    const int ss[5] = { 1, 2, 8, 33, 64 };
    int bad = 0, tried = 0, slow = 0, cases = 0;
    for (int t = 0; t < 4; t++)
        for (int o = 0; o < 2; o++)
            for (int si = 0; si < 5; si++) {
                int mx = ss[si], my = ss[si] + 3 * (t % 2), np = mx * my;
                double h = hs[t], x0 = x0s[o], y0 = -x0s[o] / 3;
                struct shape *sh = xcalloc((size_t)np, sizeof *sh);
                struct geo_poly *p = xcalloc((size_t)np, sizeof *p);
                for (int k = 0; k < np; k++) {
                    int c = k % mx, rw = k / mx;
                    PS_ASSERT(rect(&sh[k], x0 + c * h, y0 + rw * h,
                                   x0 + (c + 1) * h, y0 + (rw + 1) * h) == 0);
                    p[k] = sh[k].p;
                    p[k].v = sh[k].v;
                }
                struct geo_index *g = geo_index_new(p, np);
                slow += geo_index_exact_guess(g) != 2;
                cases++;
                for (int k = 0; k < 4000; k++) {
                    double x = x0 + gsl_rng_uniform(r) * mx * h;
                    double y = y0 + gsl_rng_uniform(r) * my * h;
                    bad += geo_index_locate(g, x, y) != brute(p, np, x, y);
                    tried++;
                }
                for (int i = 0; i <= (mx > my ? mx : my); i++)
                    for (int j = 0; j < 3; j++) {
                        double lx = x0 + i * h, ly = y0 + i * h;
                        double ax = x0 + (j + 0.5) * mx * h / 3, ay = y0 + (j + 0.5) * my * h / 3;
                        double xs[5] = { lx, nextafter(lx, -1e300), nextafter(lx, 1e300),
                                         nextafter(nextafter(lx, -1e300), -1e300),
                                         nextafter(nextafter(lx, 1e300), 1e300) };
                        double ys[5] = { ly, nextafter(ly, -1e300), nextafter(ly, 1e300),
                                         nextafter(nextafter(ly, -1e300), -1e300),
                                         nextafter(nextafter(ly, 1e300), 1e300) };
                        for (int k = 0; k < 5; k++) {
                            bad += geo_index_locate(g, xs[k], ay) != brute(p, np, xs[k], ay);
                            bad += geo_index_locate(g, ax, ys[k]) != brute(p, np, ax, ys[k]);
                            bad += geo_index_locate(g, xs[k], ys[k]) != brute(p, np, xs[k], ys[k]);
                            tried += 3;
                        }
                    }
                geo_index_free(g);
                free(p);
                free(sh);
            }
    CHECK(slow == 0, "fast cell guess on both axes in %d of %d lattices", cases - slow, cases);
    CHECK(bad == 0, "lattices: %d of %d points located unlike brute force", bad, tried);
}

/* Index cells answered without a test: a lattice of rectangles (every
 * cell when the lattice lines are representable), cells inside a large
 * octagon and a holed square; locate agrees with brute force at random
 * points and on and around every lattice line. */
static void test_index_direct(gsl_rng *r)
{
    const double hs[3] = { 2.5, 1.385, 0.1 };
    for (int t = 0; t < 3; t++) {
        const int m = 9;
        double h = hs[t];
        struct shape *sh = xcalloc(m * m, sizeof *sh);
        struct geo_poly *p = xcalloc(m * m, sizeof *p);
        for (int k = 0; k < m * m; k++) {
            PS_ASSERT(rect(&sh[k], (k % m) * h, (k / m) * h, (k % m + 1) * h, (k / m + 1) * h) == 0);
            p[k] = sh[k].p;
            p[k].v = sh[k].v;
        }
        struct geo_index *g = geo_index_new(p, m * m);
        int cells, direct = geo_index_direct_cells(g, &cells), bad = 0, tried = 0;
        if (t == 0)
            CHECK(direct == cells && cells == m * m, "lattice of 2.5: %d of %d cells direct", direct, cells);
        else
            CHECK(direct > 0, "lattice of %g: %d of %d cells direct", h, direct, cells);
        for (int k = 0; k < 20000; k++) {
            double x = gsl_rng_uniform(r) * m * h, y = gsl_rng_uniform(r) * m * h;
            bad += geo_index_locate(g, x, y) != brute(p, m * m, x, y);
            tried++;
        }
        for (int i = 0; i <= m; i++)
            for (int j = 0; j <= 4 * m; j++) {
                double l = i * h, y = j * h / 4;
                double xs[3] = { l, nextafter(l, -1e300), nextafter(l, 1e300) };
                for (int k = 0; k < 3; k++) {
                    bad += geo_index_locate(g, xs[k], y) != brute(p, m * m, xs[k], y);
                    bad += geo_index_locate(g, y, xs[k]) != brute(p, m * m, y, xs[k]);
                    tried += 2;
                }
            }
        CHECK(bad == 0, "lattice of %g: %d of %d points disagree with brute force", h, bad, tried);
        geo_index_free(g);
        free(p);
        free(sh);
    }

    /* An octagon of radius 15, a square with a hole, 100 small squares. */
    enum { NP = 102 };
    struct geo_poly p[NP];
    struct shape small[100], oct;
    double oxy[16];
    for (int k = 0; k < 8; k++) {
        oxy[2 * k] = 20 + 15 * cos(k * 0.785398163397448 + 0.3);
        oxy[2 * k + 1] = 20 + 15 * sin(k * 0.785398163397448 + 0.3);
    }
    PS_ASSERT(mk(&oct, 8, oxy) == 0);
    p[0] = oct.p;
    struct geo_pt hv[8] = { { 40, 0 }, { 60, 0 }, { 60, 20 }, { 40, 20 },
                            { 45, 5 }, { 45, 15 }, { 55, 15 }, { 55, 5 } };
    struct geo_ring hr[2] = { { 0, 4, 0 }, { 4, 4, 1 } };
    p[1] = (struct geo_poly){ .v = hv, .n = 8, .ring = hr, .nring = 2 };
    PS_ASSERT(geo_poly_finish(&p[1]) == 0);
    for (int k = 0; k < 100; k++) {
        PS_ASSERT(rect(&small[k], 2.0 * (k % 10), 40 + 2.0 * (k / 10),
                       2.0 * (k % 10) + 2, 42 + 2.0 * (k / 10)) == 0);
        p[2 + k] = small[k].p;
        p[2 + k].v = small[k].v;
    }
    CHECK(!p[0].rect && !p[1].rect && p[2].rect, "rect flags: %d %d %d", p[0].rect, p[1].rect, p[2].rect);
    struct geo_index *g = geo_index_new(p, NP);
    int cells, direct = geo_index_direct_cells(g, &cells), bad = 0, hits = 0;
    for (int k = 0; k < 100000; k++) {
        double x = gsl_rng_uniform(r) * 60, y = gsl_rng_uniform(r) * 60;
        int want = brute(p, NP, x, y);
        bad += geo_index_locate(g, x, y) != want;
        hits += want == 0 || want == 1;
    }
    /* on and around the octagon's and the hole's edges */
    for (int e = 0; e < 12; e++) {
        struct geo_pt a = e < 8 ? p[0].v[e] : hv[4 + (e - 8)];
        struct geo_pt b = e < 8 ? p[0].v[(e + 1) % 8] : hv[4 + (e - 7) % 4];
        for (int k = 0; k <= 64; k++) {
            double x = a.x + (b.x - a.x) * k / 64, y = a.y + (b.y - a.y) * k / 64;
            for (int d = -1; d <= 1; d++) {
                double xx = x + d * 1e-9, yy = y - d * 1e-9;
                bad += geo_index_locate(g, xx, yy) != brute(p, NP, xx, yy);
            }
        }
    }
    CHECK(direct >= 5 && direct < cells, "mixed shapes: %d of %d cells direct", direct, cells);
    CHECK(bad == 0 && hits > 10000, "mixed shapes: %d disagreements with brute force", bad);
    geo_index_free(g);
}

static int ovl2(const struct shape *a, const struct shape *b)
{
    int x = geo_poly_overlap(&a->p, &b->p), y = geo_poly_overlap(&b->p, &a->p);
    return x == y ? x : -1;     /* -1: not symmetric */
}

static void test_overlap(void)
{
    struct shape a, b;
    rect(&a, 0, 0, 1, 1);
    rect(&b, 1, 0, 2, 1);
    CHECK_INT(ovl2(&a, &b), 0);                 /* shared edge */
    rect(&b, 1, 1, 2, 2);
    CHECK_INT(ovl2(&a, &b), 0);                 /* shared vertex */
    rect(&b, 1, 0.25, 2, 0.75);
    CHECK_INT(ovl2(&a, &b), 0);                 /* part of an edge */
    rect(&b, 0.5, 0.5, 2, 2);
    CHECK_INT(ovl2(&a, &b), 1);                 /* proper overlap */
    rect(&b, 0.25, 0.25, 0.75, 0.75);
    CHECK_INT(ovl2(&a, &b), 1);                 /* strict containment */
    rect(&b, 0, 0, 1, 1);
    CHECK_INT(ovl2(&a, &b), 1);                 /* identical */
    rect(&b, 0.5, 0, 1, 1);
    CHECK_INT(ovl2(&a, &b), 1);                 /* contained, sharing three edges */
    rect(&b, -1, 0.25, 2, 0.75);
    CHECK_INT(ovl2(&a, &b), 1);                 /* a cross: no vertex inside the other */
    rect(&b, 0.5, 0, 1.5, 1);
    CHECK_INT(ovl2(&a, &b), 1);                 /* colinear top and bottom edges */
    rect(&b, 0.25, 1, 0.75, 2);
    CHECK_INT(ovl2(&a, &b), 0);                 /* T-junction above */
    rect(&b, 2, 2, 3, 3);
    CHECK_INT(ovl2(&a, &b), 0);                 /* apart */

    const double ell[] = { 0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2 };
    mk(&a, 6, ell);
    rect(&b, 1, 1, 2, 2);
    CHECK_INT(ovl2(&a, &b), 0);                 /* fills the notch exactly */
    rect(&b, 0.5, 0.5, 1.5, 1.5);
    CHECK_INT(ovl2(&a, &b), 1);
    rect(&b, 1, 1, 1.5, 1.5);
    CHECK_INT(ovl2(&a, &b), 0);                 /* in the notch, touching its corner */

    /* slanted shared diagonal */
    const double t1[] = { 0, 0, 3, 0.7, 2.2, 2.9 };
    const double t2[] = { 0, 0, 2.2, 2.9, 0.4, 2.1 };
    const double t3[] = { 0, 0, 3, 0.7, 0.4, 2.1 };
    mk(&a, 3, t1);
    mk(&b, 3, t2);
    CHECK_INT(ovl2(&a, &b), 0);
    mk(&b, 3, t3);
    CHECK_INT(ovl2(&a, &b), 1);
    /* a triangle inside a square, one edge on the square's edge */
    const double tri[] = { 1, 0, 1, 1, 0.5, 0.5 };
    rect(&a, 0, 0, 1, 1);
    mk(&b, 3, tri);
    CHECK_INT(ovl2(&a, &b), 1);
    /* the same triangle mirrored outside */
    const double tri2[] = { 1, 0, 1, 1, 1.5, 0.5 };
    mk(&b, 3, tri2);
    CHECK_INT(ovl2(&a, &b), 0);
    /* a diamond touching the square's corner from outside */
    const double dia[] = { 1, 1, 1.5, 1.2, 1.3, 1.7, 1.1, 1.5 };
    mk(&b, 4, dia);
    CHECK_INT(ovl2(&a, &b), 0);
    /* a vertex of a triangle poking through an edge */
    const double poke[] = { 0.9, 0.5, 1.5, 0.2, 1.5, 0.8 };
    mk(&b, 3, poke);
    CHECK_INT(ovl2(&a, &b), 1);
}

/* Random rectangles on an integer lattice, rotated by 30 degrees so every
 * edge is slanted and vertices of one rectangle lie on edges of another only
 * up to rounding; the truth is exact in the unrotated frame. */
static void test_overlap_random(gsl_rng *r)
{
    const double c = sqrt(3.0) / 2, s = 0.5;   /* 30 degrees */
    int wrong = 0, asym = 0, n_true = 0, n_touch = 0;
    for (int k = 0; k < 4000; k++) {
        int q[2][4];
        struct shape sh[2];
        for (int m = 0; m < 2; m++) {
            int x0 = (int)gsl_rng_uniform_int(r, 5), x1 = (int)gsl_rng_uniform_int(r, 5);
            int y0 = (int)gsl_rng_uniform_int(r, 5), y1 = (int)gsl_rng_uniform_int(r, 5);
            if (x0 == x1)
                x1 = x0 + 1;
            if (y0 == y1)
                y1 = y0 + 1;
            q[m][0] = x0 < x1 ? x0 : x1;
            q[m][2] = x0 < x1 ? x1 : x0;
            q[m][1] = y0 < y1 ? y0 : y1;
            q[m][3] = y0 < y1 ? y1 : y0;
            const int cx[4] = { q[m][0], q[m][2], q[m][2], q[m][0] };
            const int cy[4] = { q[m][1], q[m][1], q[m][3], q[m][3] };
            double xy[8];
            for (int i = 0; i < 4; i++) {
                double X = cx[i] * 1.385 + 1000, Y = cy[i] * 1.385 + 2000;
                xy[2 * i] = c * X - s * Y;
                xy[2 * i + 1] = s * X + c * Y;
            }
            PS_ASSERT(mk(&sh[m], 4, xy) == 0);
        }
        int ox = q[0][0] < q[1][2] && q[1][0] < q[0][2];
        int oy = q[0][1] < q[1][3] && q[1][1] < q[0][3];
        int truth = ox && oy;
        int tx = q[0][0] <= q[1][2] && q[1][0] <= q[0][2];
        int ty = q[0][1] <= q[1][3] && q[1][1] <= q[0][3];
        n_true += truth;
        n_touch += !truth && tx && ty;
        int got = ovl2(&sh[0], &sh[1]);
        asym += got < 0;
        wrong += got != truth;
    }
    CHECK(n_true > 500 && n_touch > 500, "random cases cover overlap (%d) and touching (%d)",
          n_true, n_touch);
    CHECK_INT(asym, 0);
    CHECK_INT(wrong, 0);
}

static void test_sample(gsl_rng *r)
{
    struct shape s;
    const double ell[] = { 0, 0, 2, 0, 2, 1, 1, 1, 1, 2, 0, 2 };
    mk(&s, 6, ell);
    double mx = 0, my = 0;
    int out = 0;
    const int n = 40000;
    for (int i = 0; i < n; i++) {
        double x, y;
        geo_poly_sample(&s.p, r, &x, &y);
        out += !geo_poly_contains(&s.p, x, y);
        mx += x;
        my += y;
    }
    CHECK_INT(out, 0);
    /* sd of x is about 0.55; 4 standard errors */
    CHECK_NEAR(mx / n, 5.0 / 6, 4 * 0.55 / sqrt(n));
    CHECK_NEAR(my / n, 5.0 / 6, 4 * 0.55 / sqrt(n));
}

int main(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 2385);
    test_finish();
    test_contains();
    test_partition_and_index(r);
    test_index_direct(r);
    test_index_guess(r);
    test_overlap();
    test_overlap_random(r);
    test_sample(r);
    gsl_rng_free(r);
    return tc_done();
}
