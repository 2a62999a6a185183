/* test_trv.c - the travel models (trv.h):
 *   - road shortest paths against Floyd-Warshall on random small graphs
 *     with one-way edges, speed factors and given lengths, and against a
 *     plain O(n^2) Dijkstra on a network above TRV_APSP_MAX nodes (the
 *     per-facility trees and the on-demand search);
 *   - off-road legs (capped at the mode's speed, the direct leg when both
 *     points snap to one node) and GeoJSON centre lines;
 *   - congestion bands (wrapping past midnight, per mode, departure time
 *     only, the lower bound under them);
 *   - matrix lookups (facility, grid, mode rows, the fallback of a
 *     facility that is no base) and its bad inputs;
 *   - the nearest-by-travel-time search (trv_nearest) against brute force
 *     for the road, matrix and metric models, with ties;
 *   - every tests/fixtures/road-bad/NAME fails with the message in
 *     NAME/expected, naming its file;
 *   - tests/fixtures/road runs end to end (`patrolsim run`). */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "nn.h"
#include "rng.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"
#include "trv.h"

#define BAD_DIR "tests/fixtures/road-bad"

/* A one-grid scenario over [0, 4.5] x [0, 3] km with facility st1 (the
 * base of u1, car at 30 km/h: 2 min/km) and pp1 (no base), foot at 4 km/h;
 * travel keys as given. */
static void write_base(const char *d, const char *travel)
{
    char ini[2048];
    snprintf(ini, sizeof ini,
             "[scenario]\nname = trv\n[travel]\n%s\n[modes]\ncar = 30\nfoot = 4\n"
             "[incidents]\nrate_per_day = 10\n", travel);
    tu_write(d, "scenario.ini", ini);
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\ng1,0,0,2.25,3\ng2,2.25,0,4.5,3\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nst1,station,1.125,1.5\npp1,post,3.5,2.25\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nu1,st1,g1,car\nu2,st1,g2,foot\n");
    tu_write(d, "incident_types.csv", "id,priority,share,service,mean_min,target_min\n"
                                      "theft,2,1,exponential,30,15\n");
}

static struct scn *load(const char *d, struct perr *e)
{
    struct scn *s = scn_load(d, NULL, 0, e);
    return s;
}

/* ---- shortest paths ------------------------------------------------------------ */

struct graph {
    int n;
    double *x, *y;
    double *w;             /* [n * n] effective km of the arc, INFINITY none */
};

static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static void append(char **buf, size_t *len, size_t *cap, const char *fmt, ...)
{
    va_list ap;
    for (;;) {
        va_start(ap, fmt);
        int k = vsnprintf(*buf + *len, *cap - *len, fmt, ap);
        va_end(ap);
        if ((size_t)k < *cap - *len) {
            *len += (size_t)k;
            return;
        }
        *buf = realloc(*buf, *cap *= 2);
    }
}

/* A random strongly connected graph: a two-way ring through every node plus
 * random extra edges (a third one-way, some with a given length, some with
 * a speed factor), written as n.csv and e.csv. */
static void random_graph(gsl_rng *r, int n, int extra, const char *d, struct graph *g)
{
    g->n = n;
    g->x = malloc((size_t)n * sizeof *g->x);
    g->y = malloc((size_t)n * sizeof *g->y);
    g->w = malloc((size_t)n * n * sizeof *g->w);
    for (int i = 0; i < n * n; i++)
        g->w[i] = INFINITY;
    size_t cap = 4096, len = 0;
    char *nb = malloc(cap);
    nb[0] = 0;
    append(&nb, &len, &cap, "id,x,y,rate\n");
    for (int i = 0; i < n; i++) {
        g->x[i] = 4.5 * gsl_rng_uniform(r);
        g->y[i] = 3.0 * gsl_rng_uniform(r);
        append(&nb, &len, &cap, "v%d,%.17g,%.17g,0.5\n", i, g->x[i], g->y[i]);
    }
    tu_write(d, "n.csv", nb);
    size_t ecap = 4096, elen = 0;
    char *eb = malloc(ecap);
    eb[0] = 0;
    append(&eb, &elen, &ecap, "from,to,length_km,oneway,speed_factor\n");
    for (int k = 0; k < n + extra; k++) {
        int a, b, oneway;
        if (k < n) {
            a = k;
            b = (k + 1) % n;
            oneway = 0;
            if (n == 2 && k == 1)
                break;              /* the ring of two is one edge */
        } else {
            a = (int)gsl_rng_uniform_int(r, (unsigned long)n);
            b = (int)gsl_rng_uniform_int(r, (unsigned long)n);
            oneway = gsl_rng_uniform(r) < 0.35;
            if (a == b || isfinite(g->w[a * n + b]) || (!oneway && isfinite(g->w[b * n + a])))
                continue;
        }
        double geo = hypot(g->x[b] - g->x[a], g->y[b] - g->y[a]), L = geo, f = 1;
        char ls[32] = "", fs[32] = "";
        if (gsl_rng_uniform(r) < 0.4) {
            L = geo * (0.6 + 1.5 * gsl_rng_uniform(r)) + 0.01;
            snprintf(ls, sizeof ls, "%.17g", L);
        }
        if (gsl_rng_uniform(r) < 0.3) {
            f = 0.4 + 1.8 * gsl_rng_uniform(r);
            snprintf(fs, sizeof fs, "%.17g", f);
        }
        g->w[a * n + b] = L / f;
        if (!oneway)
            g->w[b * n + a] = L / f;
        append(&eb, &elen, &ecap, "v%d,v%d,%s,%s,%s\n", a, b, ls, oneway ? "1" : "", fs);
    }
    tu_write(d, "e.csv", eb);
    free(nb);
    free(eb);
}

static void graph_free(struct graph *g)
{
    free(g->x);
    free(g->y);
    free(g->w);
}

static void test_floyd_warshall(void)
{
    gsl_rng *r = rng_stream_new(20261201, 0, 7);
    int worst_n = 0;
    double worst = 0;
    for (int trial = 0; trial < 24; trial++) {
        int n = 2 + (int)gsl_rng_uniform_int(r, 34);
        char *d = tu_tmpdir();
        write_base(d, "model = road\nroad_nodes = n.csv\nroad_edges = e.csv\n"
                      "offroad_max_km = 10");
        struct graph g;
        random_graph(r, n, 2 * n, d, &g);
        struct perr e = { "" };
        struct scn *s = load(d, &e);
        CHECK(s != NULL, "random graph %d (%d nodes) loads (%s)", trial, n, e.msg);
        if (s) {
            double *D = malloc((size_t)n * n * sizeof *D);
            memcpy(D, g.w, (size_t)n * n * sizeof *D);
            for (int i = 0; i < n; i++)
                D[i * n + i] = 0;
            for (int k = 0; k < n; k++)
                for (int i = 0; i < n; i++)
                    for (int j = 0; j < n; j++)
                        if (D[i * n + k] + D[k * n + j] < D[i * n + j])
                            D[i * n + j] = D[i * n + k] + D[k * n + j];
            int bad = 0;
            for (int i = 0; i < n; i++)
                for (int j = 0; j < n; j++) {
                    double want = D[i * n + j] * 2.0, got = trv_road_path(s->trv, 0, i, j);
                    double err = fabs(got - want) / (want > 1 ? want : 1);
                    if (err > worst)
                        worst = err, worst_n = n;
                    bad += !(err < 1e-12);
                    /* foot at 4 km/h: 15 min per effective km */
                    bad += !(fabs(trv_road_path(s->trv, 1, i, j) - D[i * n + j] * 15.0) <
                             1e-10 * (1 + D[i * n + j] * 15.0));
                }
            CHECK(bad == 0, "random graph %d: %d nodes, all %d pairs x 2 modes equal "
                  "Floyd-Warshall (%d differ)", trial, n, n * n, bad);
            CHECK_INT(trv_road_nodes(s->trv), n);
            free(D);
            scn_free(s);
        }
        graph_free(&g);
        tu_rmrf(d);
        free(d);
    }
    CHECK(worst < 1e-12, "largest relative difference from Floyd-Warshall %.3g (%d nodes)",
          worst, worst_n);
    gsl_rng_free(r);
}

/* Plain Dijkstra without a heap: O(n^2), for the large network. */
static void slow_dijkstra(const struct graph *g, const int *off, const int *adj,
                          const double *w, int src, double *dist)
{
    int n = g->n;
    char *done = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++)
        dist[i] = INFINITY;
    dist[src] = 0;
    for (;;) {
        int v = -1;
        for (int i = 0; i < n; i++)
            if (!done[i] && isfinite(dist[i]) && (v < 0 || dist[i] < dist[v]))
                v = i;
        if (v < 0)
            break;
        done[v] = 1;
        for (int k = off[v]; k < off[v + 1]; k++)
            if (dist[v] + w[k] < dist[adj[k]])
                dist[adj[k]] = dist[v] + w[k];
    }
    free(done);
}

/* Above TRV_APSP_MAX nodes: a 47 x 45 lattice with random one-way streets
 * and speed factors.  Pairs from and to the nodes the facilities and grid
 * centroids snap to come from their trees; others from the search. */
static void test_large_network(void)
{
    const int nx = 47, ny = 45, n = nx * ny;
    CHECK(n > TRV_APSP_MAX, "the lattice (%d nodes) is above TRV_APSP_MAX", n);
    gsl_rng *r = rng_stream_new(20261201, 1, 7);
    char *d = tu_tmpdir();
    write_base(d, "model = road\nroad_nodes = n.csv\nroad_edges = e.csv");
    struct graph g = { n, malloc((size_t)n * sizeof(double)), malloc((size_t)n * sizeof(double)),
                       NULL };
    size_t cap = 1 << 16, len = 0, ecap = 1 << 16, elen = 0;
    char *nb = malloc(cap), *eb = malloc(ecap);
    append(&nb, &len, &cap, "id,x,y\n");
    append(&eb, &elen, &ecap, "from,to,oneway,speed_factor\n");
    for (int v = 0; v < n; v++) {
        g.x[v] = 4.5 * (v % nx) / (nx - 1);
        g.y[v] = 3.0 * (v / nx) / (ny - 1);
        append(&nb, &len, &cap, "v%d,%.17g,%.17g\n", v, g.x[v], g.y[v]);
    }
    /* Arcs in CSR for the oracle; rows and columns alternate one-way
     * directions on every third line, so it stays strongly connected. */
    int *off = calloc((size_t)n + 1, sizeof *off), *adj = malloc((size_t)n * 4 * sizeof *adj);
    double *w = malloc((size_t)n * 4 * sizeof *w);
    int *ea = malloc((size_t)n * 4 * sizeof *ea), *eb_ = malloc((size_t)n * 4 * sizeof *eb_);
    double *ew = malloc((size_t)n * 4 * sizeof *ew);
    int m = 0;
    for (int v = 0; v < n; v++) {
        int i = v % nx, j = v / nx;
        for (int dir = 0; dir < 2; dir++) {
            int u = dir == 0 ? (i + 1 < nx ? v + 1 : -1) : (j + 1 < ny ? v + nx : -1);
            if (u < 0)
                continue;
            int line = dir == 0 ? j : i, oneway = line % 3 == 1;
            double f = gsl_rng_uniform(r) < 0.2 ? 0.5 + gsl_rng_uniform(r) : 1;
            double L = hypot(g.x[u] - g.x[v], g.y[u] - g.y[v]) / f;
            int a = v, b = u;
            if (oneway && line % 2)
                a = u, b = v;
            char fs[32] = "";
            if (f != 1)
                snprintf(fs, sizeof fs, "%.17g", f);
            append(&eb, &elen, &ecap, "v%d,v%d,%d,%s\n", a, b, oneway, fs);
            ea[m] = a; eb_[m] = b; ew[m++] = L;
            if (!oneway) {
                ea[m] = b; eb_[m] = a; ew[m++] = L;
            }
        }
    }
    for (int k = 0; k < m; k++)
        off[ea[k] + 1]++;
    for (int v = 0; v < n; v++)
        off[v + 1] += off[v];
    int *fill = calloc((size_t)n, sizeof *fill);
    for (int k = 0; k < m; k++) {
        int at = off[ea[k]] + fill[ea[k]]++;
        adj[at] = eb_[k];
        w[at] = ew[k];
    }
    tu_write(d, "n.csv", nb);
    tu_write(d, "e.csv", eb);
    struct perr e = { "" };
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "the %d-node lattice loads (%s)", n, e.msg);
    if (s) {
        double km, *dist = malloc((size_t)n * sizeof *dist);
        int st = trv_road_nearest(s->trv, 1.125, 1.5, &km);
        int src[3] = { st, 17, n - 5 };    /* a facility's node, two others */
        int bad = 0, tried = 0;
        for (int k = 0; k < 3; k++) {
            slow_dijkstra(&g, off, adj, w, src[k], dist);
            for (int t = 0; t < n; t += k == 0 ? 1 : 97) {
                double want = dist[t] * 2.0, got = trv_road_path(s->trv, 0, src[k], t);
                bad += !(fabs(got - want) <= 1e-12 * (1 + want));
                tried++;
            }
        }
        /* Into the facility's node: its reverse tree. */
        for (int t = 0; t < n; t += 13) {
            slow_dijkstra(&g, off, adj, w, t, dist);
            double want = dist[st] * 2.0, got = trv_road_path(s->trv, 0, t, st);
            bad += !(fabs(got - want) <= 1e-12 * (1 + want));
            tried++;
            if (t > 600)
                break;
        }
        CHECK(bad == 0, "large network: %d of %d paths differ from Dijkstra without a heap",
              bad, tried);
        free(dist);
        scn_free(s);
    }
    free(off); free(adj); free(w); free(ea); free(eb_); free(ew); free(fill);
    free(nb); free(eb);
    free(g.x); free(g.y);
    tu_rmrf(d);
    free(d);
    gsl_rng_free(r);
}

/* ---- off-road legs, GeoJSON ---------------------------------------------------- */

static void test_offroad(void)
{
    char *d = tu_tmpdir();
    /* a at (0.5, 0.5), b at (3.5, 0.5), 4.25 km of road between them */
    write_base(d, "model = road\nroad_nodes = n.csv\nroad_edges = e.csv\noffroad_kmh = 6\n"
                  "offroad_max_km = 3");
    /* d-e: an island no facility or centroid snaps to (allowed, never used) */
    tu_write(d, "n.csv", "id,x,y\na,0.5,0.5\nb,3.5,0.5\nc,1.5,2.5\nd,4.45,0.05\ne,4.5,0.1\n");
    tu_write(d, "e.csv", "from,to,length_km\na,b,4.25\nb,c,\nc,a,\nd,e,\n");
    struct perr e = { "" };
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "the off-road scenario loads (%s)", e.msg);
    if (s) {
        const struct trv *t = s->trv;
        /* car: 2 min/km on road, 10 min/km off road (6 km/h) */
        double got = trv_time(t, 0, 0.5, 1.0, 3.5, 0.25, NAN);
        CHECK_NEAR(got, 0.5 * 10 + 4.25 * 2 + 0.25 * 10, 1e-12);
        /* foot at 4 km/h is slower than offroad_kmh: 15 min/km both */
        got = trv_time(t, 1, 0.5, 1.0, 3.5, 0.25, NAN);
        CHECK_NEAR(got, 0.5 * 15 + 4.25 * 15 + 0.25 * 15, 1e-12);
        /* both points snap to a: the direct leg when it is quicker */
        got = trv_time(t, 0, 0.5, 1.0, 0.75, 0.9, NAN);
        CHECK_NEAR(got, hypot(0.25, 0.1) * 10, 1e-12);
        got = trv_time(t, 0, 0.25, 0.5, 0.75, 0.5, NAN);  /* either way 0.5 km off road */
        CHECK_NEAR(got, 5.0, 1e-12);
        double km = NAN;                    /* set: a failed call leaves it as it was */
        CHECK_INT(trv_road_nearest(t, 1.4, 2.2, &km), 2);
        CHECK_NEAR(km, hypot(0.1, 0.3), 1e-12);
        CHECK_STR(trv_road_node_id(t, 2), "c");
        char why[256];
        CHECK(trv_road_check_point(t, 1.5, 2.25, why, sizeof why) == 0, "a point near c passes");
        CHECK(trv_road_check_point(t, 1.5, 6.0, why, sizeof why) < 0, "a point 3.5 km from "
              "every node is refused (offroad_max_km = 3)");
        CHECK_HAS(why, "is 3.500 km from the nearest road node 'c'");
        CHECK(trv_road_check_point(t, 4.5, 0.0, why, sizeof why) < 0, "a point by the island "
              "is refused");
        CHECK_HAS(why, "snaps to road node 'd', which is not connected both ways");
        CHECK_INT(trv_road_nearest(t, 4.5, 0.0, &km), 1);    /* queries avoid the island: b */
        /* the lower bound never exceeds a time */
        gsl_rng *r = rng_stream_new(5, 0, 7);
        int bad = 0;
        for (int i = 0; i < 2000; i++) {
            double x0 = 4.5 * gsl_rng_uniform(r), y0 = 3 * gsl_rng_uniform(r);
            double x1 = 4.5 * gsl_rng_uniform(r), y1 = 3 * gsl_rng_uniform(r);
            for (int m = 0; m < 2; m++)
                bad += trv_lower_bound(t, m, x0, y0, x1, y1) > trv_time(t, m, x0, y0, x1, y1, NAN);
        }
        CHECK(bad == 0, "road: the lower bound exceeds the time for %d of 4000 pairs", bad);
        gsl_rng_free(r);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

static void test_geojson(void)
{
    char *d = tu_tmpdir();
    write_base(d, "model = road\nroad_geojson = roads.geojson\noffroad_max_km = 3\n[geo]\n"
                  "origin_lat = 30\norigin_lon = 120");
    /* A triangle: a LineString with a bend, and a MultiLineString of two
     * parts meeting at shared end points; one part is one-way. */
    tu_write(d, "roads.geojson",
             "{\"type\": \"FeatureCollection\", \"features\": ["
             "{\"type\": \"Feature\", \"properties\": {\"class\": \"main\"}, \"geometry\": "
             "{\"type\": \"LineString\", \"coordinates\": [[120.01, 30.01], [120.02, 30.015], "
             "[120.03, 30.01]]}},"
             "{\"type\": \"Feature\", \"properties\": {\"oneway\": true, \"speed_factor\": 2}, "
             "\"geometry\": {\"type\": \"MultiLineString\", \"coordinates\": "
             "[[[120.03, 30.01], [120.02, 30.02]], [[120.02, 30.02], [120.01, 30.01]]]}}]}");
    struct perr e = { "" };
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "road GeoJSON loads (%s)", e.msg);
    if (s) {
        const struct trv *t = s->trv;
        CHECK_INT(trv_road_nodes(t), 3);
        CHECK_STR(trv_road_node_id(t, 0), "n1");
        struct geo_proj p;
        geo_proj_init(&p, 30, 120);
        double ax, ay, bx, by, cx, cy, dx, dy;
        geo_project(&p, 30.01, 120.01, &ax, &ay);
        geo_project(&p, 30.015, 120.02, &bx, &by);
        geo_project(&p, 30.01, 120.03, &cx, &cy);
        geo_project(&p, 30.02, 120.02, &dx, &dy);
        double bend = hypot(bx - ax, by - ay) + hypot(cx - bx, cy - by);
        CHECK_NEAR(trv_road_path(t, 0, 0, 1), bend * 2, 1e-9);
        /* n2 -> n3 -> n1 one way at twice the speed; back along the bend */
        double via = (hypot(dx - cx, dy - cy) + hypot(ax - dx, ay - dy)) / 2;
        CHECK_NEAR(trv_road_path(t, 0, 1, 0), (via < bend ? via : bend) * 2, 1e-9);
        CHECK_NEAR(trv_road_path(t, 0, 0, 2), (bend + hypot(dx - cx, dy - cy) / 2) * 2, 1e-9);
        CHECK_NEAR(trv_road_path(t, 0, 2, 0), hypot(ax - dx, ay - dy) / 2 * 2, 1e-9);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

/* ---- speed bands --------------------------------------------------------------- */

static void test_bands(void)
{
    char *d = tu_tmpdir();
    write_base(d, "metric = euclidean\ncircuity = 1.25\nspeed_bands = b.csv");
    tu_write(d, "b.csv", "hour_from,hour_to,factor,mode\n7,9.5,0.5,\n22,2,1.6,\n"
                         "10.25,11,0.8,foot\n");
    struct perr e = { "" };
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "bands load (%s)", e.msg);
    if (s) {
        const struct trv *t = s->trv;
        double free_car = hypot(3, 4) * 1.25 * 2.0, free_foot = hypot(3, 4) * 1.25 * 15.0;
        struct { int mode; double h, f; } c[] = {
            { 0, 8, 0.5 }, { 0, 7, 0.5 }, { 0, 9.5, 1 }, { 0, 6.99, 1 }, { 0, 23, 1.6 },
            { 0, 1.5, 1.6 }, { 0, 2, 1 }, { 0, 22, 1.6 }, { 0, 8 + 24 * 3, 0.5 },
            { 0, 8 - 24 * 2, 0.5 }, { 0, 10.5, 1 },
            { 1, 8, 1 }, { 1, 10.5, 0.8 }, { 1, 23, 1 },    /* foot: its own rows only */
        };
        for (size_t i = 0; i < sizeof c / sizeof *c; i++) {
            double base = c[i].mode ? free_foot : free_car;
            double got = trv_time(t, c[i].mode, 0.5, 0.5, 3.5, 4.5, c[i].h * 60);
            CHECK(got == base / c[i].f, "mode %d departing at %g h: %.12g min (expected %.12g)",
                  c[i].mode, c[i].h, got, base / c[i].f);
        }
        CHECK(trv_time(t, 0, 0.5, 0.5, 3.5, 4.5, NAN) == free_car, "NAN departs in free flow");
        scn_free(s);
        /* t = 0 at 06:30 local: minute 60 of the run is 07:30, in the 7-9.5 band */
        struct scn_override ov = { "incidents", "start", "2025-03-04T06:30" };
        s = scn_load(d, &ov, 1, &e);
        CHECK(s != NULL, "bands with a start at 06:30 load (%s)", e.msg);
        if (!s)
            goto out;
        t = s->trv;
        CHECK(trv_time(t, 0, 0.5, 0.5, 3.5, 4.5, 60) == free_car / 0.5, "06:30 + 60 min is in "
              "the morning band");
        CHECK(trv_time(t, 0, 0.5, 0.5, 3.5, 4.5, 0) == free_car, "06:30 is not");
        double lb = trv_lower_bound(t, 0, 0.5, 0.5, 3.5, 4.5);
        CHECK(lb <= free_car / 1.6 && lb > free_car / 1.6 * (1 - 1e-8),
              "the lower bound is the time at the fastest band (%.12g vs %.12g)", lb,
              free_car / 1.6);
        scn_free(s);
    }
out:
    tu_rmrf(d);
    free(d);
}

/* ---- matrix -------------------------------------------------------------------- */

static const char *const MX_ROWS =
    "from,to,minutes,mode\n"
    "st1,g1,3.25,\nst1,g2,7.5,\nst1,g2,6.125,car\ng1,st1,3.5,\ng2,st1,8,\n"
    "g1,g1,2.125,\ng1,g2,5.75,\ng2,g1,6.25,\ng2,g2,1.875,\n";

static void test_matrix(void)
{
    char *d = tu_tmpdir();
    write_base(d, "model = matrix\nmatrix = m.csv");
    tu_write(d, "m.csv", MX_ROWS);
    struct perr e = { "" };
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "matrix loads (%s)", e.msg);
    if (s) {
        const struct trv *t = s->trv;
        CHECK(trv_time(t, 0, 1.125, 1.5, 3.0, 0.5, NAN) == 6.125, "st1 -> g2 by car: its row");
        CHECK(trv_time(t, 1, 1.125, 1.5, 3.0, 0.5, NAN) == 7.5, "st1 -> g2 on foot: the "
              "general row");
        CHECK(trv_time(t, 0, 1.0, 1.0, 1.125, 1.5, NAN) == 3.5, "a point of g1 -> st1");
        CHECK(trv_time(t, 0, 1.0, 1.0, 2.0, 2.5, NAN) == 2.125, "within g1");
        CHECK(trv_time(t, 0, 2.0, 2.5, 4.0, 0.25, NAN) == 5.75, "g1 -> g2");
        CHECK(trv_time(t, 0, 1.125, 1.5, 1.125, 1.5, NAN) == 0, "st1 to itself");
        CHECK(trv_time(t, 0, 3.5, 2.25, 1.125, 1.5, NAN) == 8, "pp1 (no base) -> st1: its "
              "grid's row");
        CHECK(trv_lb_per_km(t, 0) == 0, "the matrix has no lower bound");
        scn_free(s);
    }
    struct { const char *rows, *msg; } bad[] = {
        { "from,to,minutes\nst1,g1,3\nst1,g2,3\ng1,st1,3\ng2,st1,3\ng1,g1,3\ng1,g2,3\n"
          "g2,g1,3\n", "m.csv: no travel time from 'g2' to 'g2' for mode 'car'" },
        { "from,to,minutes\nst1,g7,3\n", "m.csv:2: column 2 'to': unknown point 'g7'" },
        { "from,to,minutes\nst1,g1,3\nst1,g1,4\n", "m.csv:3: column 1 'from': a second time "
          "from 'st1' to 'g1' (first at line 2)" },
        { "from,to,minutes\nst1,g1,-3\n", "m.csv:2: column 3 'minutes': expected a number >= 0, "
          "got '-3'" },
        { "from,to,minutes,mode\nst1,g1,3,bike\n", "m.csv:2: column 4 'mode': unknown mode "
          "'bike'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
        tu_write(d, "m.csv", bad[i].rows);
        struct perr e2 = { "" };
        struct scn *s2 = load(d, &e2);
        CHECK(s2 == NULL, "bad matrix %zu is refused", i);
        CHECK_HAS(e2.msg, bad[i].msg);
        scn_free(s2);
    }
    tu_rmrf(d);
    free(d);
}

/* ---- nearest by travel time ---------------------------------------------------- */

static int brute(const struct trv *t, const double *x, const double *y, const char *in, int n,
                 int mode, double qx, double qy, double dep, double *bt)
{
    int best = -1;
    *bt = INFINITY;
    for (int i = 0; i < n; i++) {
        if (!in[i])
            continue;
        double ti = trv_time(t, mode, x[i], y[i], qx, qy, dep);
        if (ti < *bt || (ti == *bt && i < best))
            *bt = ti, best = i;
    }
    return best;
}

/* Items at random node positions (units wait at bases on or near roads),
 * some duplicated for ties, a random half present; queries anywhere. */
static int nearest_trials(const struct scn *s, gsl_rng *r, int n, int queries)
{
    const struct trv *t = s->trv;
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    struct geo_pt *xy = malloc((size_t)n * sizeof *xy);
    int *pos = malloc((size_t)n * sizeof *pos), bad = 0;
    char *in = calloc((size_t)n, 1);
    for (int i = 0; i < n; i++) {
        if (i > 0 && gsl_rng_uniform(r) < 0.15) {
            x[i] = x[i - 1];
            y[i] = y[i - 1];
        } else {
            x[i] = 4.5 * gsl_rng_uniform(r);
            y[i] = 3 * gsl_rng_uniform(r);
        }
        xy[i] = (struct geo_pt){ x[i], y[i] };
        pos[i] = i;
    }
    struct nn *idx = nn_new(x, y, n, TRV_EUCLIDEAN);
    for (int i = 0; i < n; i++)
        if (gsl_rng_uniform(r) < 0.5) {
            in[i] = 1;
            nn_insert(idx, i);
        }
    for (int q = 0; q < queries; q++) {
        double qx = 4.5 * gsl_rng_uniform(r), qy = 3 * gsl_rng_uniform(r);
        double dep = 1440 * 3 * gsl_rng_uniform(r), bt, got_t;
        int mode = (int)gsl_rng_uniform_int(r, 2);
        int want = brute(t, x, y, in, n, mode, qx, qy, dep, &bt);
        int got = trv_nearest(t, idx, pos, xy, mode, qx, qy, dep, &got_t);
        bad += got != want || !(got_t == bt || (got < 0 && isinf(got_t)));
        /* flip one item, as a dispatch or a return would */
        int i = (int)gsl_rng_uniform_int(r, (unsigned long)n);
        if (in[i])
            nn_remove(idx, i);
        else
            nn_insert(idx, i);
        in[i] ^= 1;
    }
    nn_free(idx);
    free(x); free(y); free(xy); free(pos); free(in);
    return bad;
}

struct di {
    double d;
    int i;
};

static int di_cmp(const void *a, const void *b)
{
    const struct di *x = a, *y = b;
    if (x->d != y->d)
        return x->d < y->d ? -1 : 1;
    return (x->i > y->i) - (x->i < y->i);
}

/* nn_nearest_k walks the present items in (distance, index) order, in
 * batches of any size, ties included (the candidates of trv_nearest). */
static void test_nn_k(void)
{
    gsl_rng *r = rng_stream_new(20261201, 3, 7);
    int bad = 0, walks = 0;
    for (int trial = 0; trial < 60; trial++) {
        enum trv_metric m = trial % 2 ? TRV_MANHATTAN : TRV_EUCLIDEAN;
        int n = 1 + (int)gsl_rng_uniform_int(r, 80), np = 0;
        double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
        struct di *want = malloc((size_t)n * sizeof *want);
        for (int i = 0; i < n; i++) {
            int lat = trial % 3 == 0;       /* a lattice: many equal distances */
            x[i] = lat ? 0.5 * (double)gsl_rng_uniform_int(r, 6) : 4.5 * gsl_rng_uniform(r);
            y[i] = lat ? 0.5 * (double)gsl_rng_uniform_int(r, 4) : 3 * gsl_rng_uniform(r);
        }
        struct nn *t = nn_new(x, y, n, m);
        for (int i = 0; i < n; i++)
            if (gsl_rng_uniform(r) < 0.7)
                nn_insert(t, i);
        double qx = 4.5 * gsl_rng_uniform(r), qy = 3 * gsl_rng_uniform(r);
        if (trial % 3 == 0)
            qx = 1.25, qy = 0.75;
        for (int i = 0; i < n; i++)
            if (nn_contains(t, i)) {
                double dx = fabs(qx - x[i]), dy = fabs(qy - y[i]);
                want[np++] = (struct di){ m == TRV_MANHATTAN ? dx + dy : hypot(dx, dy), i };
            }
        qsort(want, (size_t)np, sizeof *want, di_cmp);
        int k = 1 + (int)gsl_rng_uniform_int(r, 6), got = 0, items[8], last = -1;
        double ds[8], d = -1;
        for (int c; (c = nn_nearest_k(t, qx, qy, d, last, k, items, ds)) > 0;) {
            for (int j = 0; j < c; j++, got++)
                bad += got >= np || items[j] != want[got].i || ds[j] != want[got].d;
            d = ds[c - 1];
            last = items[c - 1];
        }
        bad += got != np;
        walks++;
        nn_free(t);
        free(x); free(y); free(want);
    }
    CHECK(bad == 0, "nn_nearest_k: %d walks over up to 80 items in batches of 1..6 match the "
          "sorted order (%d mismatches)", walks, bad);
    gsl_rng_free(r);
}

static void test_nearest(void)
{
    gsl_rng *r = rng_stream_new(20261201, 2, 7);
    const char *kinds[] = {
        "model = road\nroad_nodes = n.csv\nroad_edges = e.csv\noffroad_max_km = 10\n"
        "offroad_kmh = 7.5\nspeed_bands = b.csv",
        "model = road\nroad_nodes = n.csv\nroad_edges = e.csv\noffroad_max_km = 10",
        "model = matrix\nmatrix = m.csv",
        "metric = manhattan\ncircuity = 1.3\nspeed_bands = b.csv",
    };
    for (int k = 0; k < 4; k++)
        for (int trial = 0; trial < (k < 2 ? 6 : 2); trial++) {
            char *d = tu_tmpdir();
            write_base(d, kinds[k]);
            struct graph g;
            random_graph(r, 8 + (int)gsl_rng_uniform_int(r, 40), 30, d, &g);
            tu_write(d, "m.csv", MX_ROWS);
            tu_write(d, "b.csv", "hour_from,hour_to,factor\n7,9.5,0.5\n17,19,0.7\n22,5,1.3\n");
            struct perr e = { "" };
            struct scn *s = load(d, &e);
            CHECK(s != NULL, "nearest %d/%d loads (%s)", k, trial, e.msg);
            if (s) {
                int n = 5 + (int)gsl_rng_uniform_int(r, 60);
                int bad = nearest_trials(s, r, n, 400);
                CHECK(bad == 0, "%s model%s: trv_nearest = brute force for 400 queries over %d "
                      "items (%d differ)", k < 2 ? "road" : k == 2 ? "matrix" : "metric",
                      k == 0 || k == 3 ? " with bands" : "", n, bad);
                scn_free(s);
            }
            graph_free(&g);
            tu_rmrf(d);
            free(d);
        }
    gsl_rng_free(r);
}

/* ---- bad inputs, end to end ---------------------------------------------------- */

static void test_bad_fixtures(void)
{
    char **names;
    int n = tu_list(BAD_DIR, &names);
    CHECK(n >= 22, "at least 22 road-bad fixtures (%d)", n);
    for (int i = 0; i < n; i++) {
        char dir[512], expected[1024];
        snprintf(dir, sizeof dir, "%s/%s", BAD_DIR, names[i]);
        CHECK(tu_expected(dir, expected, sizeof expected) && *expected,
              "%s has an 'expected' message", names[i]);
        struct perr e = { "" };
        struct scn *s = scn_load(dir, NULL, 0, &e);
        CHECK(s == NULL, "%s is refused", names[i]);
        scn_free(s);
        CHECK(strstr(e.msg, expected) != NULL, "%s: '%s' contains '%s'", names[i], e.msg,
              expected);
        CHECK(strncmp(e.msg, dir, strlen(dir)) == 0, "%s: the message names the file", names[i]);
    }
    tu_names_free(names, n);
}

static void test_run_fixture(void)
{
    char *d = tu_tmpdir(), cmd[1024], path[600];
    const char *bin = getenv("BIN") ? getenv("BIN") : "bin";
    snprintf(cmd, sizeof cmd, "%s/patrolsim run tests/fixtures/road --reps 2 --out %s/out "
             ">%s/stdout 2>%s/stderr", bin, d, d, d);
    int rc = system(cmd);
    CHECK(rc == 0, "patrolsim run tests/fixtures/road exits 0 (%d)", rc);
    snprintf(path, sizeof path, "%s/out/summary.csv", d);
    FILE *f = fopen(path, "r");
    CHECK(f != NULL, "it writes summary.csv");
    if (f)
        fclose(f);
    struct perr e = { "" };
    struct scn *s = scn_load("tests/fixtures/road", NULL, 0, &e);
    CHECK(s != NULL, "the road fixture loads (%s)", e.msg);
    if (s) {
        CHECK_INT(trv_road_nodes(s->trv), 35);
        const char *const *in;
        int ni = scn_inputs(s, &in), hit = 0;
        for (int i = 0; i < ni; i++)
            hit += strstr(in[i], "road_edges.csv") != NULL || strstr(in[i], "speed_bands") != NULL;
        CHECK(hit == 2, "the road files are inputs of the run (provenance)");
        scn_free(s);
    }
    /* The road scenario compared on the metric model: loads, says what it ignores. */
    struct scn_override ov = { "travel", "model", "metric" };
    s = scn_load("tests/fixtures/road", &ov, 1, &e);
    CHECK(s != NULL, "the road fixture loads with model = metric (%s)", e.msg);
    if (s) {
        const char *const *w;
        int nw = scn_warnings(s, &w), hit = 0;
        for (int i = 0; i < nw; i++)
            hit += strstr(w[i], "scenario.ini:17: [travel] road_edges: not read by model = "
                          "metric (ignored)") != NULL;
        CHECK(hit == 1, "a warning names the road file the metric model ignores (%d warnings)",
              nw);
        CHECK(s->trv->kind == TRV_KIND_METRIC, "and the model is metric");
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    test_floyd_warshall();
    test_large_network();
    test_offroad();
    test_geojson();
    test_bands();
    test_matrix();
    test_nn_k();
    test_nearest();
    test_bad_fixtures();
    test_run_fixture();
    return tc_done();
}
