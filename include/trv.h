/* trv.h - travel models: minutes between two points for a travel mode.
 *
 * One travel model is built per scenario (scn_load does it; s->trv) and is
 * immutable afterwards, so worker threads share it without locks.  Three
 * types, each a const table like GSL's generator types, chosen by
 * [travel] model (docs/travel.md):
 *   metric - Euclidean or Manhattan distance x circuity at the mode's speed
 *            (the original formula, kept bit for bit);
 *   matrix - minutes between named points (facilities, grids) from a CSV;
 *   road   - off-road leg to the nearest road node + shortest path on a
 *            road graph + off-road leg, paths from Dijkstra trees computed
 *            once at build time.
 * Hour-of-day congestion bands ([travel] speed_bands) apply to every model
 * and are read at the departure time: a leg keeps the factor of the hour it
 * starts in.
 *
 * Cost per query: metric O(1) and inline; matrix O(log facilities) plus a
 * point-in-grid lookup for each end; road two snaps to the nearest node (a
 * hash lookup for nodes, facilities and grid centroids, else a uniform
 * cell-grid search) and an O(1) lookup in the precomputed all-pairs table
 * (networks up to TRV_APSP_MAX nodes; beyond, per-facility trees and a
 * target-stopped search for other origins, see road.c).
 *
 * Ownership: trv_build returns a heap object the caller frees with
 * trv_free; scn_load's model is owned by the scenario (scn_free).
 */
#ifndef PATROLSIM_TRV_H
#define PATROLSIM_TRV_H

#include <math.h>
#include <stdbool.h>
#include <stddef.h>
#include "err.h"
#include "hot.h"
#include "scn.h"

enum trv_kind { TRV_KIND_METRIC, TRV_KIND_MATRIX, TRV_KIND_ROAD };

struct trv;

/* A travel model type.  time is the free-flow time (no congestion band);
 * build fills the type's part of t from the scenario (t->impl). */
struct trv_type {
    const char *name;
    enum trv_kind kind;
    int (*build)(struct trv *t, const struct scn *s, struct perr *e);
    void (*release)(struct trv *t);
    double (*time)(const struct trv *t, int mode, double x0, double y0, double x1, double y1);
};

extern const struct trv_type trv_metric_type, trv_matrix_type, trv_road_type;
/* The type named name ("metric", "matrix", "road"), or NULL. */
const struct trv_type *trv_type_find(const char *name);

/* Congestion bands of one mode: the day cut at bnd[0] = 0 < ... < bnd[n] =
 * 1440 minutes, speed factor fac[i] on [bnd[i], bnd[i+1]). */
struct trv__bands {
    int n;
    double *bnd;           /* minutes of the day, n + 1 */
    double *fac;           /* speed multipliers, n */
};

/* The fields are private to trv.c and road.c; they are in the header only
 * so that the metric model's time inlines into the event loop. */
struct trv {
    const struct trv_type *type;
    enum trv_kind kind;
    enum trv_metric metric;    /* metric model */
    double circuity;           /* metric model */
    int n_modes;
    double *mpk;               /* per mode: minutes per km at the mode's speed, 60 / speed_kmh */
    double *lbk;               /* per mode: lower-bound minutes per straight-line km */
    bool fast;                 /* metric without bands: trv_time inline */
    bool has_bands;
    struct trv__bands *bands;  /* per mode, when has_bands */
    double day0_min;           /* minute of the day of simulation time 0 ([incidents] start) */
    void *impl;                /* matrix or road state */
    struct trv__files {        /* the [travel] files joined to the scenario folder, or NULL */
        char *matrix, *road_nodes, *road_edges, *road_geojson, *road_classes, *speed_bands;
    } f;
};

/* Builds the model that s's [travel] section names from s's modes, grids,
 * facilities and travel inputs (whose paths s holds joined to its folder).
 * NULL with e set ("path:line: column N 'name': ...") on bad input. */
struct trv *trv_build(const struct scn *s, struct perr *e);
void trv_free(struct trv *t);

double trv__band(const struct trv *t, int mode, double t_depart);

/* The event loop's travel calls must inline (measured with make bench). */

/* The metric model's road km: metric distance x circuity. */
PS_HOT double trv_metric_km(const struct trv *t, double x0, double y0, double x1,
                            double y1)
{
    double dx = x1 - x0, dy = y1 - y0;
    double d;
    if (t->metric == TRV_MANHATTAN)     /* fabs, not dx < 0 ? -dx : dx: a sign bit
                                         * cleared, where the test was a branch
                                         * taken at random, half the calls missed */
        d = fabs(dx) + fabs(dy);
    else
        d = hypot(dx, dy);
    return d * t->circuity;
}

/* Speed factor of mode's congestion band at simulation minute t_depart
 * (1 without bands or for t_depart NAN: free flow). */
static inline double trv_band(const struct trv *t, int mode, double t_depart)
{
    return t->has_bands ? trv__band(t, mode, t_depart) : 1.0;
}

/* Minutes from (x0,y0) to (x1,y1) (km) in mode `mode` (index into
 * scn.modes) departing at simulation minute t_depart; t_depart NAN: free
 * flow.  The metric model computes exactly (distance x circuity) x (60 /
 * speed), the formula this module replaced. */
double trv__time(const struct trv *t, int mode, double x0, double y0, double x1, double y1,
                 double t_depart);
PS_HOT double trv_time(const struct trv *t, int mode, double x0, double y0,
                       double x1, double y1, double t_depart)
{
    if (t->fast)                        /* one test on the event loop's path */
        return trv_metric_km(t, x0, y0, x1, y1) * t->mpk[mode];
    return trv__time(t, mode, x0, y0, x1, y1, t_depart);
}

/* trv_time for a caller that keeps the mode's minutes per km next to its
 * hot data: mpk must equal 60 / speed of mode (t->mpk[mode], bit for bit).
 * Saves the event loop the lookups of the mode and its speed. */
PS_HOT double trv_time_mpk(const struct trv *t, int mode, double mpk, double x0, double y0,
                           double x1, double y1, double t_depart)
{
    if (t->fast)
        return trv_metric_km(t, x0, y0, x1, y1) * mpk;
    return trv__time(t, mode, x0, y0, x1, y1, t_depart);
}

/* Metric model only: the time of a leg whose metric distance (no
 * circuity) is d, as trv_time computes it; for the nearest-base search,
 * whose index yields that distance. */
static inline double trv_metric_time_d(const struct trv *t, int mode, double d, double t_depart)
{
    double m = d * t->circuity * t->mpk[mode];
    return t->has_bands ? m / trv__band(t, mode, t_depart) : m;
}

/* Lower bound of trv_time over every departure time, from the straight-line
 * distance: straight km x lbk[mode] (0 for the matrix model, which has no
 * geometry).  Safe against rounding: shrunk by a relative 1e-9. */
static inline double trv_lower_bound(const struct trv *t, int mode, double x0, double y0,
                                     double x1, double y1)
{
    return hypot(x1 - x0, y1 - y0) * t->lbk[mode];
}
static inline double trv_lb_per_km(const struct trv *t, int mode)
{
    return t->lbk[mode];
}

/* The present item of idx (nn.h; built with TRV_EUCLIDEAN over the
 * positions xy[item_pos[i]] of its items i) from which travel in mode to
 * (x, y) departing at t_depart is quickest, ties to the lowest item; -1
 * when idx is empty.  *tt receives the minutes.  Items are taken nearest
 * first, each timed exactly, until the lower bound of the next exceeds the
 * best time: exact for every model (the matrix model, without a bound,
 * times every item).  Cost: one nearest-item search per item timed. */
struct nn;
int trv_nearest(const struct trv *t, const struct nn *idx, const int *item_pos,
                const struct geo_pt *xy, int mode, double x, double y, double t_depart,
                double *tt);

/* ---- road model ------------------------------------------------------------
 * The road graph of a road model (0 / NULL / -1 for other models).  Nodes
 * are numbered in road_nodes.csv order (GeoJSON: order of first
 * appearance).  Only nodes of the connected part that serves the scenario
 * are snapped to (docs/travel.md). */
#define TRV_APSP_MAX 2048

int trv_road_nodes(const struct trv *t);
const char *trv_road_node_id(const struct trv *t, int node);
void trv_road_node_xy(const struct trv *t, int node, double *x, double *y);
/* The node a point snaps to (nearest node of the served network, ties to
 * the lowest index); *km receives the straight-line distance. */
int trv_road_nearest(const struct trv *t, double x, double y, double *km);
/* Whether a point (e.g. a demand point) meets the rules facilities and
 * grid centroids are held to: within offroad_max_km of its nearest node,
 * and that node on the served network.  0; or -1 with the reason in why
 * ("is 1.234 km from the nearest road node 'j12'; expected ..."), for the
 * caller to prefix with "path:line: point 'id' ".  0 for other models. */
int trv_road_check_point(const struct trv *t, double x, double y, char *why, size_t n);
/* Shortest-path minutes from node a to node b for mode (free flow);
 * INFINITY when b cannot be reached. */
double trv_road_path(const struct trv *t, int mode, int a, int b);

#endif
