/* trv.c - travel models: the type table, the per-mode parts every model
 * shares (minutes per km, congestion bands, the lower-bound factor), and the
 * metric and matrix models.  The road model is in road.c.
 *
 * Congestion bands (speed_bands CSV hour_from,hour_to,factor[,mode]): the
 * factor multiplies the speed, so a leg's minutes are divided by it; 0.5 at
 * rush hour doubles travel times.  A band with hour_from > hour_to wraps
 * past midnight.  Hours no band covers have factor 1.  A mode's bands are
 * the rows naming it when there are any, else the rows without a mode; the
 * bands of one mode must not overlap.  They are stored per mode as a step
 * function over the day, looked up by a binary search at the departure
 * minute.
 *
 * Matrix model (matrix CSV from,to,minutes[,mode]): points are named by a
 * facility id or a grid id.  A position resolves to the facility it lies on
 * exactly (units wait and return there), else to the grid containing it,
 * else the grid with the nearest centroid.  Rows with a mode apply to that
 * mode and take precedence over rows without one, which apply to every
 * mode.  Every pair of (unit base or grid) -> (unit base or grid) must have
 * a time for every mode some unit uses (checked at build; the message
 * names the first missing pair); a facility that is not a base falls back
 * on its grid.  The same point to itself is 0 only for facilities: a grid
 * to itself is the time within the grid, which the file must give.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csvr.h"
#include "inc_priv.h"
#include "nn.h"
#include "trv.h"
#include "trv_priv.h"
#include "ts.h"

/* ---- shared: bands, lookups ---------------------------------------------- */

double trv__band(const struct trv *t, int mode, double t_depart)
{
    if (isnan(t_depart))
        return 1.0;
    const struct trv__bands *b = &t->bands[mode];
    double m = fmod(t_depart + t->day0_min, 1440.0);
    if (m < 0)
        m += 1440.0;
    int lo = 0, hi = b->n - 1;          /* last i with bnd[i] <= m */
    while (lo < hi) {
        int mid = (lo + hi + 1) / 2;
        if (b->bnd[mid] <= m)
            lo = mid;
        else
            hi = mid - 1;
    }
    return b->fac[lo];
}

int trv__mode_find(const struct scn *s, const char *name)
{
    for (int m = 0; m < s->n_modes; m++)
        if (strcmp(s->modes[m].name, name) == 0)
            return m;
    return -1;
}

void trv__mode_list(const struct scn *s, char *buf, size_t n)
{
    size_t k = 0;
    buf[0] = 0;
    for (int m = 0; m < s->n_modes && k + 1 < n; m++)
        k += (size_t)snprintf(buf + k, n - k, "%s'%s'", m ? ", " : "", s->modes[m].name);
}

struct band_row {
    double from, to;       /* minutes of the day, from < to */
    double fac;
    int mode;              /* -1: every mode */
    long line;
};

static int band_cmp(const void *a, const void *b)
{
    const struct band_row *x = a, *y = b;
    return (x->from > y->from) - (x->from < y->from);
}

/* The step function of one mode from rows[0..n) (its own rows, sorted). */
static int bands_of(struct trv__bands *b, struct band_row *rows, int n, const char *path,
                    struct perr *e)
{
    qsort(rows, (size_t)n, sizeof *rows, band_cmp);
    b->bnd = xmalloc((size_t)(2 * n + 2) * sizeof *b->bnd);
    b->fac = xmalloc((size_t)(2 * n + 1) * sizeof *b->fac);
    b->n = 0;
    double at = 0;
    for (int i = 0; i < n; i++) {
        if (i > 0 && rows[i].from < rows[i - 1].to)
            return err_set(e, "%s:%ld: band %g..%g h overlaps the band of line %ld "
                              "(%g..%g h); expected bands that do not overlap", path,
                           rows[i].line, rows[i].from / 60, rows[i].to / 60, rows[i - 1].line,
                           rows[i - 1].from / 60, rows[i - 1].to / 60);
        if (rows[i].from > at) {
            b->bnd[b->n] = at;
            b->fac[b->n++] = 1.0;
        }
        b->bnd[b->n] = rows[i].from;
        b->fac[b->n++] = rows[i].fac;
        at = rows[i].to;
    }
    if (at < 1440.0 || b->n == 0) {
        b->bnd[b->n] = at;
        b->fac[b->n++] = 1.0;
    }
    b->bnd[b->n] = 1440.0;
    return 0;
}

static int load_bands(struct trv *t, const struct scn *s, struct perr *e)
{
    static const char *const cols[] = { "hour_from", "hour_to", "factor", "mode", NULL };
    static const char *const req[] = { "hour_from", "hour_to", "factor", NULL };
    const char *path = t->f.speed_bands;
    struct csvr *r = csvr_open(path, e);
    if (!r)
        return -1;
    int col[4];
    struct band_row *rows = NULL;
    int n = 0, cap = 0, rc = -1;
    if (csvr_header(r, cols, req, col, e) < 0)
        goto out;
    int got;
    while ((got = csvr_next(r, e)) == 1) {
        double h0, h1, f;
        if (csvr_double(r, col[0], "hour_from", 0, 24, &h0, e) < 0 ||
            csvr_double(r, col[1], "hour_to", 0, 24, &h1, e) < 0 ||
            csvr_double(r, col[2], "factor", 0, 100, &f, e) < 0)
            goto out;
        if (h0 >= 24) {
            csvr_error(r, col[0], "hour_from", e, "expected an hour in [0, 24), got '%s'",
                       csvr_get(r, col[0]));
            goto out;
        }
        if (h1 == 0)
            h1 = 24;                    /* "to midnight" */
        if (h0 == h1) {
            csvr_error(r, col[1], "hour_to", e, "expected an hour other than hour_from "
                       "(%g), got '%s'", h0, csvr_get(r, col[1]));
            goto out;
        }
        if (f <= 0) {
            csvr_error(r, col[2], "factor", e, "expected a speed factor > 0, got '%s'",
                       csvr_get(r, col[2]));
            goto out;
        }
        int m = -1;
        const char *mn = csvr_get(r, col[3]);
        if (*mn && (m = trv__mode_find(s, mn)) < 0) {
            char list[256];
            trv__mode_list(s, list, sizeof list);
            csvr_error(r, col[3], "mode", e, "unknown mode '%s'; expected one of [modes]: %s",
                       mn, list);
            goto out;
        }
        /* A band past midnight is two pieces of the day. */
        for (int piece = 0; piece < (h0 > h1 ? 2 : 1); piece++) {
            if (n == cap)
                rows = xrealloc(rows, (size_t)(cap = cap ? 2 * cap : 16) * sizeof *rows);
            double a = h0 > h1 ? (piece ? 0 : h0) : h0, b = h0 > h1 ? (piece ? h1 : 24) : h1;
            rows[n++] = (struct band_row){ a * 60, b * 60, f, m, csvr_line(r) };
        }
    }
    if (got < 0)
        goto out;
    t->bands = xcalloc((size_t)t->n_modes, sizeof *t->bands);
    t->has_bands = true;
    struct band_row *mine = xmalloc((size_t)(n ? n : 1) * sizeof *mine);
    for (int m = 0; m < t->n_modes; m++) {
        int k = 0, own = 0;
        for (int i = 0; i < n; i++)
            own |= rows[i].mode == m;
        for (int i = 0; i < n; i++)
            if (rows[i].mode == (own ? m : -1))
                mine[k++] = rows[i];
        if (bands_of(&t->bands[m], mine, k, path, e) < 0) {
            free(mine);
            goto out;
        }
    }
    free(mine);
    rc = 0;
out:
    free(rows);
    csvr_close(r);
    return rc;
}

double trv__time(const struct trv *t, int mode, double x0, double y0, double x1, double y1,
                 double t_depart)
{
    double m = t->kind == TRV_KIND_METRIC ? trv_metric_km(t, x0, y0, x1, y1) * t->mpk[mode]
                                          : t->type->time(t, mode, x0, y0, x1, y1);
    return t->has_bands ? m / trv__band(t, mode, t_depart) : m;
}

/* ---- the type table and the shared build ----------------------------------- */

static const struct trv_type *const types[] = { &trv_metric_type, &trv_matrix_type,
                                                &trv_road_type };

const struct trv_type *trv_type_find(const char *name)
{
    for (size_t i = 0; i < sizeof types / sizeof *types; i++)
        if (strcmp(types[i]->name, name) == 0)
            return types[i];
    return NULL;
}

/* dir/file unless file is absolute or dir empty (as the loader joins
 * table names); NULL for NULL. */
static char *join(const char *dir, const char *file)
{
    if (!file)
        return NULL;
    if (file[0] == '/' || !dir || !*dir)
        return xstrdup(file);
    size_t nd = strlen(dir);
    char *p = xmalloc(nd + strlen(file) + 2);
    sprintf(p, "%s%s%s", dir, dir[nd - 1] == '/' ? "" : "/", file);
    return p;
}

struct trv *trv_build(const struct scn *s, struct perr *e)
{
    PS_ASSERT(s->travel_model >= 0 && s->travel_model < (int)(sizeof types / sizeof *types));
    struct trv *t = xcalloc(1, sizeof *t);
    t->type = types[s->travel_model];
    t->kind = t->type->kind;
    t->metric = s->metric;
    t->circuity = s->circuity;
    t->n_modes = s->n_modes;
    t->mpk = xcalloc((size_t)(s->n_modes ? s->n_modes : 1), sizeof *t->mpk);
    t->lbk = xcalloc((size_t)(s->n_modes ? s->n_modes : 1), sizeof *t->lbk);
    for (int m = 0; m < s->n_modes; m++)
        t->mpk[m] = 60.0 / s->modes[m].speed_kmh;
    t->f.matrix = join(s->dir, s->trv_matrix);
    t->f.road_nodes = join(s->dir, s->road_nodes);
    t->f.road_edges = join(s->dir, s->road_edges);
    t->f.road_geojson = join(s->dir, s->road_geojson);
    t->f.road_classes = join(s->dir, s->road_classes);
    t->f.speed_bands = join(s->dir, s->speed_bands);
    /* An explicit start may be at any time of day; an unset one (default
     * or a replay's first day) is midnight. */
    if (s->streams && s->streams->start_set)
        t->day0_min = (double)((s->start_ms % TS_MS_DAY + TS_MS_DAY) % TS_MS_DAY) / TS_MS_MIN;
    if (t->f.speed_bands && load_bands(t, s, e) < 0)
        goto fail;
    if (t->type->build(t, s, e) < 0)
        goto fail;
    /* Congestion can only slow a lower bound down by the fastest band. */
    for (int m = 0; m < s->n_modes && t->has_bands; m++) {
        double fmax = 0;
        for (int i = 0; i < t->bands[m].n; i++)
            fmax = fmax > t->bands[m].fac[i] ? fmax : t->bands[m].fac[i];
        t->lbk[m] /= fmax;
    }
    for (int m = 0; m < s->n_modes; m++)
        t->lbk[m] *= 1 - 1e-9;
    t->fast = t->kind == TRV_KIND_METRIC && !t->has_bands;
    return t;
fail:
    trv_free(t);
    return NULL;
}

void trv_free(struct trv *t)
{
    if (!t)
        return;
    if (t->impl)
        t->type->release(t);
    if (t->bands)
        for (int m = 0; m < t->n_modes; m++) {
            free(t->bands[m].bnd);
            free(t->bands[m].fac);
        }
    free(t->bands);
    free(t->f.matrix); free(t->f.road_nodes); free(t->f.road_edges);
    free(t->f.road_geojson); free(t->f.road_classes); free(t->f.speed_bands);
    free(t->mpk);
    free(t->lbk);
    free(t);
}

int trv_nearest(const struct trv *t, const struct nn *idx, const int *item_pos,
                const struct geo_pt *xy, int mode, double x, double y, double t_depart,
                double *tt)
{
    double lb = t->lbk[mode], bt = INFINITY, d = -1;
    double band = t->has_bands ? trv__band(t, mode, t_depart) : 1;
    int best = -1;
    struct trv__dest dest;
    if (t->kind == TRV_KIND_ROAD)
        trv__road_dest(t, x, y, &dest);     /* once, not per candidate */
    /* Candidates in batches, one index search each: 2 first (the walk
     * mostly stops after one or two), then doubling. */
    enum { BATCH = 16 };
    int items[BATCH], last = -1;
    double ds[BATCH];
    for (int want = 2, k = 0;; d = ds[k - 1], last = items[k - 1], want = 2 * want > BATCH
                                                                           ? BATCH : 2 * want) {
        if ((k = nn_nearest_k(idx, x, y, d, last, want, items, ds)) == 0)
            break;
        for (int j = 0; j < k; j++) {
            int it = items[j];
            if (ds[j] * lb > bt)
                goto done;              /* this and every later item: bound > best */
            const struct geo_pt *p = &xy[item_pos[it]];
            /* What trv_time gives, with the destination and band hoisted. */
            double ti = t->kind == TRV_KIND_ROAD ? trv__road_time_to(t, mode, p->x, p->y, &dest)
                                                 : t->type->time(t, mode, p->x, p->y, x, y);
            if (t->has_bands)
                ti = ti / band;
            if (ti < bt || (ti == bt && it < best))
                bt = ti, best = it;
        }
        if (k < want)
            break;                      /* no more items */
    }
done:
    if (tt)
        *tt = bt;
    return best;
}

/* ---- metric ------------------------------------------------------------------ */

static int metric_build(struct trv *t, const struct scn *s, struct perr *e)
{
    (void)e;
    /* Both metrics are at least the Euclidean distance. */
    for (int m = 0; m < s->n_modes; m++)
        t->lbk[m] = t->circuity * t->mpk[m];
    return 0;
}

static void metric_release(struct trv *t)
{
    (void)t;
}

static double metric_time(const struct trv *t, int mode, double x0, double y0, double x1,
                          double y1)
{
    return trv_metric_km(t, x0, y0, x1, y1) * t->mpk[mode];
}

const struct trv_type trv_metric_type = { "metric", TRV_KIND_METRIC, metric_build,
                                          metric_release, metric_time };

/* ---- matrix ------------------------------------------------------------------ */

struct fxy {
    double x, y;
    int f;
};

struct matrix {
    int P;                 /* points: facilities, then grids */
    int n_fac;
    double *tab;           /* [(n_modes + 1) * P * P]: per mode, then "every mode"; NAN: none */
    int *fac_grid;         /* facility -> its grid (containing, else nearest centroid) */
    struct fxy *fxy;       /* facilities by (x, y), for the exact match */
    const struct geo_index *gix;
    const struct scn_grid *grids;
    int n_grids;
};

static int fxy_cmp(const void *a, const void *b)
{
    const struct fxy *p = a, *q = b;
    if (p->x != q->x)
        return p->x < q->x ? -1 : 1;
    if (p->y != q->y)
        return p->y < q->y ? -1 : 1;
    return (p->f > q->f) - (p->f < q->f);
}

static int nearest_centroid(const struct scn_grid *g, int n, double x, double y)
{
    int best = -1;
    double bd = INFINITY;
    for (int i = 0; i < n; i++) {
        double d = hypot(g[i].poly.centroid.x - x, g[i].poly.centroid.y - y);
        if (d < bd)
            bd = d, best = i;
    }
    return best;
}

/* The point a position resolves to. */
static int mx_point(const struct matrix *M, double x, double y)
{
    int lo = 0, hi = M->n_fac;
    while (lo < hi) {
        int mid = (lo + hi) / 2;
        const struct fxy *p = &M->fxy[mid];
        if (p->x < x || (p->x == x && p->y < y))
            lo = mid + 1;
        else
            hi = mid;
    }
    if (lo < M->n_fac && M->fxy[lo].x == x && M->fxy[lo].y == y)
        return M->fxy[lo].f;
    int g = M->gix ? geo_index_locate(M->gix, x, y) : -1;
    if (g < 0)
        g = nearest_centroid(M->grids, M->n_grids, x, y);
    return M->n_fac + g;
}

static double mx_get(const struct matrix *M, int n_modes, int mode, int a, int b)
{
    size_t PP = (size_t)M->P * (size_t)M->P, k = (size_t)a * (size_t)M->P + (size_t)b;
    double v = M->tab[(size_t)mode * PP + k];
    return isnan(v) ? M->tab[(size_t)n_modes * PP + k] : v;
}

static double mx_pair(const struct matrix *M, int n_modes, int mode, int a, int b)
{
    if (a == b && a < M->n_fac)
        return 0;
    double v = mx_get(M, n_modes, mode, a, b);
    if (isnan(v)) {                     /* a facility that is no base: its grid */
        int ga = a < M->n_fac ? M->n_fac + M->fac_grid[a] : a;
        int gb = b < M->n_fac ? M->n_fac + M->fac_grid[b] : b;
        v = mx_get(M, n_modes, mode, ga, b);
        if (isnan(v))
            v = mx_get(M, n_modes, mode, a, gb);
        if (isnan(v))
            v = mx_get(M, n_modes, mode, ga, gb);
    }
    return v;
}

static double matrix_time(const struct trv *t, int mode, double x0, double y0, double x1,
                          double y1)
{
    const struct matrix *M = t->impl;
    return mx_pair(M, t->n_modes, mode, mx_point(M, x0, y0), mx_point(M, x1, y1));
}

static const char *mx_name(const struct scn *s, const struct matrix *M, int p)
{
    return p < M->n_fac ? s->facilities[p].id : s->grids[p - M->n_fac].id;
}

static int mx_id(const struct scn *s, const struct csvr *r, int col, const char *name,
                 struct perr *e)
{
    const char *v = csvr_get(r, col);
    int f = scn_facility_find(s, v), g = scn_grid_find(s, v);
    if (f >= 0 && g >= 0)
        return csvr_error(r, col, name, e, "'%s' names both a facility and a grid; expected "
                          "an id that names one point", v);
    if (f >= 0)
        return f;
    if (g >= 0)
        return s->n_facilities + g;
    return csvr_error(r, col, name, e, "unknown point '%s'; expected a facility or grid id", v);
}

static void matrix_release(struct trv *t)
{
    struct matrix *M = t->impl;
    free(M->tab);
    free(M->fac_grid);
    free(M->fxy);
    free(M);
    t->impl = NULL;
}

static int matrix_build(struct trv *t, const struct scn *s, struct perr *e)
{
    static const char *const cols[] = { "from", "to", "minutes", "mode", NULL };
    static const char *const req[] = { "from", "to", "minutes", NULL };
    struct matrix *M = xcalloc(1, sizeof *M);
    t->impl = M;
    M->n_fac = s->n_facilities;
    M->P = s->n_facilities + s->n_grids;
    M->grids = s->grids;
    M->n_grids = s->n_grids;
    M->gix = s->grid_index;
    size_t PP = (size_t)M->P * (size_t)M->P, NT = (size_t)(s->n_modes + 1) * PP;
    M->tab = xmalloc((NT ? NT : 1) * sizeof *M->tab);
    for (size_t i = 0; i < NT; i++)
        M->tab[i] = NAN;
    M->fac_grid = xmalloc((size_t)(M->n_fac ? M->n_fac : 1) * sizeof *M->fac_grid);
    M->fxy = xmalloc((size_t)(M->n_fac ? M->n_fac : 1) * sizeof *M->fxy);
    for (int f = 0; f < M->n_fac; f++) {
        const struct scn_facility *F = &s->facilities[f];
        int g = s->grid_index ? geo_index_locate(s->grid_index, F->x, F->y) : -1;
        M->fac_grid[f] = g >= 0 ? g : nearest_centroid(s->grids, s->n_grids, F->x, F->y);
        M->fxy[f] = (struct fxy){ F->x, F->y, f };
    }
    qsort(M->fxy, (size_t)M->n_fac, sizeof *M->fxy, fxy_cmp);

    const char *path = t->f.matrix;
    struct csvr *r = csvr_open(path, e);
    if (!r)
        return -1;
    int col[4], got, rc = -1;
    long *seen = NULL;          /* line of each entry, for duplicates */
    if (csvr_header(r, cols, req, col, e) < 0)
        goto out;
    seen = xcalloc(NT ? NT : 1, sizeof *seen);
    while ((got = csvr_next(r, e)) == 1) {
        int a = mx_id(s, r, col[0], "from", e), b = a < 0 ? -1 : mx_id(s, r, col[1], "to", e);
        double v;
        if (a < 0 || b < 0 || csvr_double(r, col[2], "minutes", 0, INFINITY, &v, e) < 0)
            goto out;
        int m = s->n_modes;
        const char *mn = csvr_get(r, col[3]);
        if (*mn && (m = trv__mode_find(s, mn)) < 0) {
            char list[256];
            trv__mode_list(s, list, sizeof list);
            csvr_error(r, col[3], "mode", e, "unknown mode '%s'; expected one of [modes]: %s",
                       mn, list);
            goto out;
        }
        size_t k = (size_t)m * PP + (size_t)a * (size_t)M->P + (size_t)b;
        if (seen[k]) {
            csvr_error(r, col[0], "from", e, "a second time from '%s' to '%s'%s%s (first at "
                       "line %ld); expected one row per pair", mx_name(s, M, a),
                       mx_name(s, M, b), *mn ? " for mode " : "", mn, seen[k]);
            goto out;
        }
        seen[k] = csvr_line(r);
        M->tab[k] = v;
    }
    if (got < 0)
        goto out;
    /* Completeness over what the simulation can ask: bases and grids. */
    char *base = xcalloc((size_t)(M->n_fac ? M->n_fac : 1), 1), *used = xcalloc(
        (size_t)(s->n_modes ? s->n_modes : 1), 1);
    for (int u = 0; u < s->n_units; u++) {
        base[s->units[u].base] = 1;
        used[s->units[u].mode] = 1;
    }
    int missing = 0;
    for (int m = 0; m < s->n_modes && !missing; m++)
        for (int a = 0; a < M->P && used[m] && !missing; a++)
            for (int b = 0; b < M->P && !missing; b++) {
                if ((a < M->n_fac && !base[a]) || (b < M->n_fac && !base[b]) ||
                    (a < M->n_fac && b < M->n_fac))
                    continue;
                if (isnan(mx_get(M, s->n_modes, m, a, b))) {
                    err_set(e, "%s: no travel time from '%s' to '%s' for mode '%s'; expected "
                               "a row for every pair of unit bases and grids (docs/travel.md)",
                            path, mx_name(s, M, a), mx_name(s, M, b), s->modes[m].name);
                    missing = 1;
                }
            }
    free(base);
    free(used);
    rc = missing ? -1 : 0;
out:
    free(seen);
    csvr_close(r);
    return rc;
}

const struct trv_type trv_matrix_type = { "matrix", TRV_KIND_MATRIX, matrix_build,
                                          matrix_release, matrix_time };
