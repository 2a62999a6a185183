/* road.c - the road travel model: a directed road graph, shortest paths
 * computed once, and points snapped to the nearest node.
 *
 * Time from p to q in mode m = off-road leg p -> node(p) + shortest path
 * node(p) -> node(q) + off-road leg node(q) -> q, where node() is the
 * nearest node of the served network (ties to the lowest index) and the
 * off-road legs are straight lines at min(offroad_kmh, mode speed).  When
 * both points snap to the same node the direct off-road line is used if it
 * is quicker.  An edge of length L km and speed factor f (its
 * speed_factor, else its class's, else 1) takes L / f x 60 / speed minutes,
 * so one table of "effective km" (sum of L / f) serves every mode.
 *
 * Paths: Dijkstra with a binary heap (lazy deletion) from every node when
 * the network has at most TRV_APSP_MAX nodes, into an all-pairs table, so a
 * query is two nearest-node searches and one lookup.  Larger networks keep
 * forward and reverse trees of the nodes facilities and grid centroids snap
 * to (a unit leaving or returning to its base, a run card from a centroid:
 * a lookup) and search other pairs on demand with a target-stopped
 * Dijkstra on a per-call workspace (thread-safe, no shared state).
 *
 * Served network: the nodes connected both ways (one strongly connected
 * component of the directed graph) with the node the first facility snaps
 * to.  Every facility and grid centroid must snap (over all nodes) into it,
 * else the load fails naming the point; other components are never
 * snapped to, so every query has a finite time.  A facility or centroid
 * farther than offroad_max_km from its node is an input error.
 *
 * Build cost: O(V (E log E)) for the all-pairs table, O(V^2) memory
 * (2048 nodes: 32 MiB).  Query cost: O(cells near the point) twice.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <jansson.h>
#include "csvr.h"
#include "inc_priv.h"
#include "nn.h"
#include "scn_priv.h"
#include "trv.h"
#include "trv_priv.h"

struct road {
    int n;                  /* nodes */
    char **id;
    double *x, *y;          /* km */
    int *off, *adj;         /* forward arcs in CSR: adj[off[v] .. off[v+1]) */
    double *w;              /* effective km of each arc */
    int *roff, *radj;       /* reverse arcs */
    double *rw;
    char *served;           /* per node: in the served component */
    struct nn *all;         /* every node, all present (checks of points) */
    int *all_node;
    double max_km;          /* [travel] offroad_max_km */
    struct nn *nn;          /* served nodes, all present */
    int *nn_node;           /* nn item -> node */
    double *offmpk;         /* per mode: off-road minutes per km */
    struct snap_ent *memo;  /* snaps of the points queries repeat, open addressing */
    unsigned memo_mask;
    double *apsp;           /* [n * n] effective km, or NULL (large network) */
    int *slot;              /* large network: node -> tree slot, -1 none */
    double *fwd, *rev;      /* [n_slots * n]: from / to the slot's node */
    int n_slots;
};

/* ---- Dijkstra ------------------------------------------------------------------ */

struct hent {
    double d;
    int v;
};

struct heap {
    struct hent *a;
    int n, cap;
};

static void h_push(struct heap *h, double d, int v)
{
    if (h->n == h->cap)
        h->a = xrealloc(h->a, (size_t)(h->cap = h->cap ? 2 * h->cap : 64) * sizeof *h->a);
    int i = h->n++;
    while (i > 0) {
        int p = (i - 1) / 2;
        if (h->a[p].d <= d)
            break;
        h->a[i] = h->a[p];
        i = p;
    }
    h->a[i] = (struct hent){ d, v };
}

static struct hent h_pop(struct heap *h)
{
    struct hent top = h->a[0], last = h->a[--h->n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= h->n)
            break;
        if (c + 1 < h->n && h->a[c + 1].d < h->a[c].d)
            c++;
        if (last.d <= h->a[c].d)
            break;
        h->a[i] = h->a[c];
        i = c;
    }
    if (h->n > 0)
        h->a[i] = last;
    return top;
}

/* Shortest effective km from src over arcs (off, adj, w) into dist[n];
 * stops early once target (>= 0) is settled.  Returns dist[target]. */
static double dijkstra(const int *off, const int *adj, const double *w, int n, int src,
                       int target, double *dist, struct heap *h)
{
    for (int v = 0; v < n; v++)
        dist[v] = INFINITY;
    h->n = 0;
    dist[src] = 0;
    h_push(h, 0, src);
    while (h->n > 0) {
        struct hent e = h_pop(h);
        if (e.d > dist[e.v])
            continue;                   /* a stale entry */
        if (e.v == target)
            break;
        for (int k = off[e.v]; k < off[e.v + 1]; k++) {
            double nd = e.d + w[k];
            if (nd < dist[adj[k]]) {
                dist[adj[k]] = nd;
                h_push(h, nd, adj[k]);
            }
        }
    }
    return target >= 0 ? dist[target] : 0;
}

/* ---- queries ------------------------------------------------------------------- */

static double path_km(const struct road *R, int a, int b)
{
    if (R->apsp)
        return R->apsp[(size_t)a * (size_t)R->n + (size_t)b];
    if (R->slot[a] >= 0)
        return R->fwd[(size_t)R->slot[a] * (size_t)R->n + (size_t)b];
    if (R->slot[b] >= 0)
        return R->rev[(size_t)R->slot[b] * (size_t)R->n + (size_t)a];
    struct heap h = { 0 };
    double *dist = xmalloc((size_t)R->n * sizeof *dist);
    double d = dijkstra(R->off, R->adj, R->w, R->n, a, b, dist, &h);
    free(dist);
    free(h.a);
    return d;
}

/* The snap of a position the model knows in advance (a node, facility or
 * grid centroid: units wait at bases, CUMCM-like incidents fall on
 * junctions) by its exact coordinates, filled at build time with what the
 * index answers, so a hit returns exactly what the search would. */
struct snap_ent {
    double x, y;
    double km;
    int node;               /* -1: empty slot */
};

static unsigned memo_hash(double x, double y)
{
    uint64_t a, b;
    x += 0.0;               /* -0 and 0 are the same position */
    y += 0.0;
    memcpy(&a, &x, sizeof a);
    memcpy(&b, &y, sizeof b);
    /* splitmix64's finaliser over both words: coordinates that differ in
     * a few mantissa bits must not cluster under linear probing. */
    uint64_t h = a * 0x9e3779b97f4a7c15u;
    h = (h ^ (h >> 32) ^ b) * 0xbf58476d1ce4e5b9u;
    h = (h ^ (h >> 31)) * 0x94d049bb133111ebu;
    return (unsigned)(h ^ (h >> 29));
}

static int search_snap(const struct road *R, double x, double y, double *km)
{
    int it = nn_nearest(R->nn, x, y, km);
    return R->nn_node[it];
}

static int snap(const struct road *R, double x, double y, double *km)
{
    for (unsigned i = memo_hash(x, y) & R->memo_mask;; i = (i + 1) & R->memo_mask) {
        const struct snap_ent *m = &R->memo[i];
        if (m->node < 0)
            break;
        if (m->x == x && m->y == y) {
            *km = m->km;
            return m->node;
        }
    }
    return search_snap(R, x, y, km);
}

static void memo_add(struct road *R, double x, double y)
{
    for (unsigned i = memo_hash(x, y) & R->memo_mask;; i = (i + 1) & R->memo_mask) {
        struct snap_ent *m = &R->memo[i];
        if (m->node < 0) {
            m->x = x;
            m->y = y;
            m->node = search_snap(R, x, y, &m->km);
            return;
        }
        if (m->x == x && m->y == y)
            return;
    }
}

/* At most half full: every served node, facility and grid centroid. */
static void memo_build(struct road *R, const struct scn *s)
{
    size_t want = 2 * ((size_t)R->n + (size_t)s->n_facilities + (size_t)s->n_grids), cap = 64;
    while (cap < want)
        cap *= 2;
    R->memo = xmalloc(cap * sizeof *R->memo);
    for (size_t i = 0; i < cap; i++)
        R->memo[i].node = -1;
    R->memo_mask = (unsigned)(cap - 1);
    for (int v = 0; v < R->n; v++)
        if (R->served[v])
            memo_add(R, R->x[v], R->y[v]);
    for (int f = 0; f < s->n_facilities; f++)
        memo_add(R, s->facilities[f].x, s->facilities[f].y);
    for (int g = 0; g < s->n_grids; g++)
        memo_add(R, s->grids[g].poly.centroid.x, s->grids[g].poly.centroid.y);
}

void trv__road_dest(const struct trv *t, double x, double y, struct trv__dest *d)
{
    d->x = x;
    d->y = y;
    d->node = snap(t->impl, x, y, &d->km);
}

double trv__road_time_to(const struct trv *t, int mode, double x0, double y0,
                         const struct trv__dest *d)
{
    const struct road *R = t->impl;
    double d0;
    int a = snap(R, x0, y0, &d0);
    double off = R->offmpk[mode];
    double via = d0 * off + path_km(R, a, d->node) * t->mpk[mode] + d->km * off;
    if (a == d->node) {
        double direct = hypot(d->x - x0, d->y - y0) * off;
        return direct < via ? direct : via;
    }
    return via;
}

static double road_time(const struct trv *t, int mode, double x0, double y0, double x1,
                        double y1)
{
    struct trv__dest d;
    trv__road_dest(t, x1, y1, &d);
    return trv__road_time_to(t, mode, x0, y0, &d);
}

int trv_road_nodes(const struct trv *t)
{
    return t->kind == TRV_KIND_ROAD ? ((const struct road *)t->impl)->n : 0;
}

const char *trv_road_node_id(const struct trv *t, int node)
{
    return t->kind == TRV_KIND_ROAD ? ((const struct road *)t->impl)->id[node] : NULL;
}

void trv_road_node_xy(const struct trv *t, int node, double *x, double *y)
{
    const struct road *R = t->impl;
    PS_ASSERT(t->kind == TRV_KIND_ROAD && node >= 0 && node < R->n);
    *x = R->x[node];
    *y = R->y[node];
}

int trv_road_nearest(const struct trv *t, double x, double y, double *km)
{
    if (t->kind != TRV_KIND_ROAD)
        return -1;
    double d;
    int v = snap(t->impl, x, y, &d);
    if (km)
        *km = d;
    return v;
}

int trv_road_check_point(const struct trv *t, double x, double y, char *why, size_t n)
{
    if (t->kind != TRV_KIND_ROAD)
        return 0;
    const struct road *R = t->impl;
    double d;
    int v = R->all_node[nn_nearest(R->all, x, y, &d)];
    if (d > R->max_km) {
        snprintf(why, n, "is %.3f km from the nearest road node '%s'; expected at most "
                 "[travel] offroad_max_km = %g km", d, R->id[v], R->max_km);
        return -1;
    }
    if (!R->served[v]) {
        snprintf(why, n, "snaps to road node '%s', which is not connected both ways with the "
                 "network the facilities use (docs/travel.md)", R->id[v]);
        return -1;
    }
    return 0;
}

double trv_road_path(const struct trv *t, int mode, int a, int b)
{
    const struct road *R = t->impl;
    PS_ASSERT(t->kind == TRV_KIND_ROAD && a >= 0 && a < R->n && b >= 0 && b < R->n);
    return path_km(R, a, b) * t->mpk[mode];
}

/* ---- building ------------------------------------------------------------------ */

/* An arc while reading: from, to, effective km, geometric km, source line. */
struct arc {
    int a, b;
    double w, geo;
    long line;
};

struct rb {                 /* build state */
    const struct scn *s;
    const struct trv__files *f;
    struct perr *e;
    struct road *R;
    struct arc *arcs;
    int n_arcs, cap_arcs;
    int ncap;
    int geojson;            /* arcs' lines are feature numbers */
    int *order;             /* node indices sorted by id */
    const char *nodes_path; /* for messages */
    /* road_classes */
    char **cls;
    double *cls_f;
    int n_cls;
};

static void add_node(struct rb *B, const char *id, double x, double y)
{
    struct road *R = B->R;
    if (R->n == B->ncap) {
        B->ncap = B->ncap ? 2 * B->ncap : 64;
        R->id = xrealloc(R->id, (size_t)B->ncap * sizeof *R->id);
        R->x = xrealloc(R->x, (size_t)B->ncap * sizeof *R->x);
        R->y = xrealloc(R->y, (size_t)B->ncap * sizeof *R->y);
    }
    R->id[R->n] = xstrdup(id);
    R->x[R->n] = x;
    R->y[R->n] = y;
    R->n++;
}

static void add_arc(struct rb *B, int a, int b, double w, double geo, long line)
{
    if (B->n_arcs == B->cap_arcs)
        B->arcs = xrealloc(B->arcs, (size_t)(B->cap_arcs = B->cap_arcs ? 2 * B->cap_arcs : 64) *
                                        sizeof *B->arcs);
    B->arcs[B->n_arcs++] = (struct arc){ a, b, w, geo, line };
}

struct idx {
    const char *id;
    int i;
};

static int idx_cmp(const void *p, const void *q)
{
    const struct idx *a = p, *b = q;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->i > b->i) - (a->i < b->i);
}

static int node_find(const struct rb *B, const char *id)
{
    int lo = 0, hi = B->R->n;
    while (lo < hi) {
        int mid = (lo + hi) / 2, c = strcmp(B->R->id[B->order[mid]], id);
        if (c == 0)
            return B->order[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* node ids sorted, duplicates rejected; lines[i] = source line of node i. */
static int index_nodes(struct rb *B, const long *lines, const char *path)
{
    struct road *R = B->R;
    B->order = xmalloc((size_t)(R->n ? R->n : 1) * sizeof *B->order);
    struct idx *ix = xmalloc((size_t)(R->n ? R->n : 1) * sizeof *ix);
    for (int i = 0; i < R->n; i++)
        ix[i] = (struct idx){ R->id[i], i };
    qsort(ix, (size_t)R->n, sizeof *ix, idx_cmp);     /* ties by index: the first row first */
    for (int i = 0; i < R->n; i++)
        B->order[i] = ix[i].i;
    free(ix);
    for (int i = 1; i < R->n; i++)
        if (!strcmp(R->id[B->order[i]], R->id[B->order[i - 1]])) {
            int a = B->order[i - 1], b = B->order[i];
            return err_set(B->e, "%s:%ld: column 1 'id': duplicate node id '%s' (first at line "
                                 "%ld); expected unique ids", path, lines[b], R->id[b],
                           lines[a]);
        }
    return 0;
}

static int load_nodes(struct rb *B, const char *path)
{
    struct csvr *r = csvr_open(path, B->e);
    if (!r)
        return -1;
    int rc = -1, got, ci = -1, cx = -1, cy = -1;
    long *lines = NULL;
    int lcap = 0;
    if ((got = csvr_next(r, B->e)) <= 0) {
        if (got == 0)
            err_set(B->e, "%s: empty file; expected a header id,x,y", path);
        goto out;
    }
    /* Columns other than id, x and y are ignored: a junction table with a
     * district or a rate may serve as it is. */
    for (size_t k = 0; k < csvr_nfields(r); k++) {
        const char *h = csvr_field(r, k);
        if (!strcmp(h, "id"))
            ci = (int)k;
        else if (!strcmp(h, "x"))
            cx = (int)k;
        else if (!strcmp(h, "y"))
            cy = (int)k;
    }
    if (ci < 0 || cx < 0 || cy < 0) {
        err_set(B->e, "%s:%ld: missing column '%s'; expected a header with id, x and y (km)",
                path, csvr_line(r), ci < 0 ? "id" : cx < 0 ? "x" : "y");
        goto out;
    }
    while ((got = csvr_next(r, B->e)) == 1) {
        double x, y;
        const char *id = csvr_get(r, ci);
        if (!*id) {
            csvr_error(r, ci, "id", B->e, "expected a node id, got ''");
            goto out;
        }
        if (csvr_double(r, cx, "x", -INFINITY, INFINITY, &x, B->e) < 0 ||
            csvr_double(r, cy, "y", -INFINITY, INFINITY, &y, B->e) < 0)
            goto out;
        add_node(B, id, x, y);
        if (B->R->n > lcap)
            lines = xrealloc(lines, (size_t)(lcap = 2 * B->R->n) * sizeof *lines);
        lines[B->R->n - 1] = csvr_line(r);
    }
    if (got < 0)
        goto out;
    if (B->R->n == 0) {
        err_set(B->e, "%s: no nodes; expected at least one row id,x,y", path);
        goto out;
    }
    rc = index_nodes(B, lines, path);
out:
    free(lines);
    csvr_close(r);
    return rc;
}

static int load_classes(struct rb *B, const char *path)
{
    static const char *const cols[] = { "class", "speed_factor", NULL };
    struct csvr *r = csvr_open(path, B->e);
    if (!r)
        return -1;
    int col[2], got, rc = -1, cap = 0;
    if (csvr_header(r, cols, cols, col, B->e) < 0)
        goto out;
    while ((got = csvr_next(r, B->e)) == 1) {
        const char *c = csvr_get(r, col[0]);
        double f;
        if (!*c) {
            csvr_error(r, col[0], "class", B->e, "expected a class name, got ''");
            goto out;
        }
        for (int i = 0; i < B->n_cls; i++)
            if (!strcmp(B->cls[i], c)) {
                csvr_error(r, col[0], "class", B->e, "duplicate class '%s'; expected each "
                           "class once", c);
                goto out;
            }
        if (csvr_double(r, col[1], "speed_factor", 0, 100, &f, B->e) < 0)
            goto out;
        if (f <= 0) {
            csvr_error(r, col[1], "speed_factor", B->e, "expected a speed factor > 0, got "
                       "'%s'", csvr_get(r, col[1]));
            goto out;
        }
        if (B->n_cls == cap) {
            cap = cap ? 2 * cap : 8;
            B->cls = xrealloc(B->cls, (size_t)cap * sizeof *B->cls);
            B->cls_f = xrealloc(B->cls_f, (size_t)cap * sizeof *B->cls_f);
        }
        B->cls[B->n_cls] = xstrdup(c);
        B->cls_f[B->n_cls++] = f;
    }
    rc = got < 0 ? -1 : 0;
out:
    csvr_close(r);
    return rc;
}

static int parse_oneway(const char *v, int *out)
{
    static const char *const yes[] = { "1", "true", "yes", "y", NULL };
    static const char *const no[] = { "", "0", "false", "no", "n", NULL };
    for (int i = 0; yes[i]; i++)
        if (!strcasecmp(v, yes[i]))
            return *out = 1, 0;
    for (int i = 0; no[i]; i++)
        if (!strcasecmp(v, no[i]))
            return *out = 0, 0;
    return -1;
}

/* The speed factor of an edge from its class (1 without road_classes). */
static int class_factor(struct rb *B, const struct csvr *r, int col, double *f)
{
    const char *c = csvr_get(r, col);
    *f = 1;
    if (!B->n_cls || !*c)
        return 0;
    for (int i = 0; i < B->n_cls; i++)
        if (!strcmp(B->cls[i], c))
            return *f = B->cls_f[i], 0;
    return csvr_error(r, col, "class", B->e, "unknown road class '%s'; expected a class of %s",
                      c, B->f->road_classes);
}

static int load_edges(struct rb *B, const char *path)
{
    static const char *const cols[] = { "from", "to", "length_km", "oneway", "class",
                                        "speed_factor", NULL };
    static const char *const req[] = { "from", "to", NULL };
    enum { C_FROM, C_TO, C_LEN, C_ONEWAY, C_CLASS, C_SPEED };
    const struct road *R = B->R;
    struct csvr *r = csvr_open(path, B->e);
    if (!r)
        return -1;
    int col[6], got, rc = -1;
    if (csvr_header(r, cols, req, col, B->e) < 0)
        goto out;
    while ((got = csvr_next(r, B->e)) == 1) {
        int end[2];
        for (int k = 0; k < 2; k++) {
            const char *id = csvr_get(r, col[k]);
            if ((end[k] = node_find(B, id)) < 0) {
                csvr_error(r, col[k], cols[k], B->e, "unknown node '%s'; expected an id of %s",
                           id, B->nodes_path);
                goto out;
            }
        }
        if (end[0] == end[1]) {
            csvr_error(r, col[C_TO], "to", B->e, "edge from node '%s' to itself; expected two "
                       "different nodes", R->id[end[0]]);
            goto out;
        }
        double geo = hypot(R->x[end[1]] - R->x[end[0]], R->y[end[1]] - R->y[end[0]]), len = geo;
        const char *lv = csvr_get(r, col[C_LEN]);
        if (*lv) {
            if (csvr_double(r, col[C_LEN], "length_km", -INFINITY, INFINITY, &len, B->e) < 0)
                goto out;
            if (len <= 0) {
                csvr_error(r, col[C_LEN], "length_km", B->e, "expected a length > 0 km, got "
                           "'%s'", lv);
                goto out;
            }
        } else if (len <= 0) {
            csvr_error(r, col[C_FROM], "from", B->e, "nodes '%s' and '%s' are at the same "
                       "point, so the edge has length 0; expected a length_km > 0",
                       R->id[end[0]], R->id[end[1]]);
            goto out;
        }
        int oneway;
        if (parse_oneway(csvr_get(r, col[C_ONEWAY]), &oneway) < 0) {
            csvr_error(r, col[C_ONEWAY], "oneway", B->e, "expected 0/1, true/false or yes/no, "
                       "got '%s'", csvr_get(r, col[C_ONEWAY]));
            goto out;
        }
        double f;
        if (class_factor(B, r, col[C_CLASS], &f) < 0)
            goto out;
        const char *sv = csvr_get(r, col[C_SPEED]);
        if (*sv) {
            if (csvr_double(r, col[C_SPEED], "speed_factor", 0, 100, &f, B->e) < 0)
                goto out;
            if (f <= 0) {
                csvr_error(r, col[C_SPEED], "speed_factor", B->e, "expected a speed factor "
                           "> 0, got '%s'", sv);
                goto out;
            }
        }
        add_arc(B, end[0], end[1], len / f, geo, csvr_line(r));
        if (!oneway)
            add_arc(B, end[1], end[0], len / f, geo, csvr_line(r));
    }
    rc = got < 0 ? -1 : 0;
out:
    csvr_close(r);
    return rc;
}

static int arc_cmp(const void *p, const void *q)
{
    const struct arc *x = p, *y = q;
    if (x->a != y->a)
        return x->a < y->a ? -1 : 1;
    if (x->b != y->b)
        return x->b < y->b ? -1 : 1;
    return (x->line > y->line) - (x->line < y->line);
}

/* CSR arrays from the arcs (sorted by from), reverse arrays by to. */
static int make_csr(struct rb *B, const char *path)
{
    struct road *R = B->R;
    int n = R->n, m = B->n_arcs;
    qsort(B->arcs, (size_t)m, sizeof *B->arcs, arc_cmp);
    if (B->geojson) {
        /* Parallel centre lines between two junctions are real (a bypass
         * and the old road): the quicker one is kept. */
        int k = 0;
        for (int i = 0; i < m; i++) {
            if (k > 0 && B->arcs[i].a == B->arcs[k - 1].a && B->arcs[i].b == B->arcs[k - 1].b) {
                if (B->arcs[i].w < B->arcs[k - 1].w)
                    B->arcs[k - 1] = B->arcs[i];
                continue;
            }
            B->arcs[k++] = B->arcs[i];
        }
        m = B->n_arcs = k;
    }
    for (int k = 1; k < m; k++)
        if (B->arcs[k].a == B->arcs[k - 1].a && B->arcs[k].b == B->arcs[k - 1].b)
            return err_set(B->e, "%s:%ld: a second edge from '%s' to '%s' (first at line %ld); "
                                 "expected one edge per pair of nodes and direction", path,
                           B->arcs[k].line, R->id[B->arcs[k].a], R->id[B->arcs[k].b],
                           B->arcs[k - 1].line);
    R->off = xcalloc((size_t)n + 1, sizeof *R->off);
    R->roff = xcalloc((size_t)n + 1, sizeof *R->roff);
    R->adj = xmalloc((size_t)(m ? m : 1) * sizeof *R->adj);
    R->radj = xmalloc((size_t)(m ? m : 1) * sizeof *R->radj);
    R->w = xmalloc((size_t)(m ? m : 1) * sizeof *R->w);
    R->rw = xmalloc((size_t)(m ? m : 1) * sizeof *R->rw);
    for (int k = 0; k < m; k++) {
        R->off[B->arcs[k].a + 1]++;
        R->roff[B->arcs[k].b + 1]++;
    }
    for (int v = 0; v < n; v++) {
        R->off[v + 1] += R->off[v];
        R->roff[v + 1] += R->roff[v];
    }
    int *fill = xcalloc((size_t)n + 1, sizeof *fill);
    for (int k = 0; k < m; k++) {
        const struct arc *a = &B->arcs[k];
        R->adj[k] = a->b;               /* already in from order */
        R->w[k] = a->w;
        int j = R->roff[a->b] + fill[a->b]++;
        R->radj[j] = a->a;
        R->rw[j] = a->w;
    }
    free(fill);
    return 0;
}

/* Nodes reachable from root over (off, adj) into mark (bit `bit`). */
static void reach(const int *off, const int *adj, int n, int root, char *mark, char bit)
{
    int *stack = xmalloc((size_t)n * sizeof *stack), sp = 0;
    mark[root] |= bit;
    stack[sp++] = root;
    while (sp > 0) {
        int v = stack[--sp];
        for (int k = off[v]; k < off[v + 1]; k++)
            if (!(mark[adj[k]] & bit)) {
                mark[adj[k]] |= bit;
                stack[sp++] = adj[k];
            }
    }
    free(stack);
}

/* The points that must be served: facilities, then grid centroids. */
static int n_points(const struct scn *s)
{
    return s->n_facilities + s->n_grids;
}

static void point(const struct scn *s, int p, double *x, double *y, const char **kind,
                  const char **id)
{
    if (p < s->n_facilities) {
        *x = s->facilities[p].x;
        *y = s->facilities[p].y;
        *kind = "facility";
        *id = s->facilities[p].id;
    } else {
        const struct scn_grid *g = &s->grids[p - s->n_facilities];
        *x = g->poly.centroid.x;
        *y = g->poly.centroid.y;
        *kind = "the centroid of grid";
        *id = g->id;
    }
}

/* "(line N of the facility table)" for messages about point p. */
static const char *point_line(const struct scn *s, int p, char *buf, size_t n)
{
    if (p < s->n_facilities)
        snprintf(buf, n, "line %d of the facility table", s->facilities[p].line);
    else
        snprintf(buf, n, "line %d of the grid table", s->grids[p - s->n_facilities].line);
    return buf;
}

static struct nn *nn_of(const struct road *R, const char *keep, int **item_node)
{
    /* Zeroed although nn_new reads only the k entries written below: with
     * -flto gcc sees the fresh allocation handed to nn_new and, not tying
     * its reads to k, warns that they may be of unset memory. */
    double *x = xcalloc((size_t)R->n, sizeof *x), *y = xcalloc((size_t)R->n, sizeof *y);
    int *map = xmalloc((size_t)R->n * sizeof *map), k = 0;
    for (int v = 0; v < R->n; v++)
        if (!keep || keep[v]) {
            x[k] = R->x[v];
            y[k] = R->y[v];
            map[k++] = v;
        }
    struct nn *t = nn_new(x, y, k, TRV_EUCLIDEAN);
    for (int i = 0; i < k; i++)
        nn_insert(t, i);
    free(x);
    free(y);
    *item_node = map;
    return t;
}

static int serve(struct rb *B, const char *path)
{
    struct road *R = B->R;
    const struct scn *s = B->s;
    int *all_node;
    struct nn *all = nn_of(R, NULL, &all_node);
    int P = n_points(s), root = -1, root_p = -1, rc = 0;
    char *mark = xcalloc((size_t)R->n, 1);
    for (int p = 0; p < P && rc == 0; p++) {
        double x, y, d;
        const char *kind, *id;
        point(s, p, &x, &y, &kind, &id);
        int v = all_node[nn_nearest(all, x, y, &d)];
        char where[64];
        if (d > s->offroad_max_km) {
            rc = err_set(B->e, "%s: %s '%s' (%s) at (%g, %g) km is %.3f km from the nearest "
                               "road node '%s'; expected at most [travel] offroad_max_km = %g km",
                         path, kind, id, point_line(s, p, where, sizeof where), x, y, d,
                         R->id[v], s->offroad_max_km);
            break;
        }
        if (root < 0) {
            root = v;
            root_p = p;
            reach(R->off, R->adj, R->n, root, mark, 1);
            reach(R->roff, R->radj, R->n, root, mark, 2);
        } else if (mark[v] != 3) {
            const char *k0, *i0;
            double x0, y0;
            point(s, root_p, &x0, &y0, &k0, &i0);
            rc = err_set(B->e, "%s: %s '%s' (%s) snaps to node '%s', which %s node '%s' "
                               "(nearest to %s '%s'); expected every facility and grid centroid "
                               "on one road network connected both ways (docs/travel.md)", path,
                         kind, id, point_line(s, p, where, sizeof where), R->id[v],
                         mark[v] == 0 ? "is not connected with"
                         : mark[v] == 1 ? "can be reached from but cannot reach"
                                        : "can reach but cannot be reached from",
                         R->id[root], k0, i0);
        }
    }
    R->all = all;                       /* kept for trv_road_check_point */
    R->all_node = all_node;
    R->max_km = s->offroad_max_km;
    if (rc == 0) {
        R->served = xmalloc((size_t)R->n);
        for (int v = 0; v < R->n; v++)
            R->served[v] = root < 0 || mark[v] == 3;
        R->nn = nn_of(R, R->served, &R->nn_node);
    }
    free(mark);
    return rc;
}

static void paths(struct road *R, const struct scn *s)
{
    int n = R->n;
    struct heap h = { 0 };
    if (n <= TRV_APSP_MAX) {
        R->apsp = xmalloc((size_t)n * (size_t)n * sizeof *R->apsp);
        for (int v = 0; v < n; v++)
            if (R->served[v])
                dijkstra(R->off, R->adj, R->w, n, v, -1, R->apsp + (size_t)v * (size_t)n, &h);
            else
                for (int u = 0; u < n; u++)
                    R->apsp[(size_t)v * (size_t)n + (size_t)u] = INFINITY;
    } else {
        R->slot = xmalloc((size_t)n * sizeof *R->slot);
        for (int v = 0; v < n; v++)
            R->slot[v] = -1;
        for (int p = 0; p < n_points(s); p++) {
            double x, y, d;
            const char *kind, *id;
            point(s, p, &x, &y, &kind, &id);
            int v = snap(R, x, y, &d);
            if (R->slot[v] < 0)
                R->slot[v] = R->n_slots++;
        }
        size_t sz = (size_t)(R->n_slots ? R->n_slots : 1) * (size_t)n;
        R->fwd = xmalloc(sz * sizeof *R->fwd);
        R->rev = xmalloc(sz * sizeof *R->rev);
        for (int v = 0; v < n; v++)
            if (R->slot[v] >= 0) {
                size_t o = (size_t)R->slot[v] * (size_t)n;
                dijkstra(R->off, R->adj, R->w, n, v, -1, R->fwd + o, &h);
                dijkstra(R->roff, R->radj, R->rw, n, v, -1, R->rev + o, &h);
            }
    }
    free(h.a);
}

static void road_release(struct trv *t)
{
    struct road *R = t->impl;
    for (int v = 0; v < R->n; v++)
        free(R->id[v]);
    free(R->id); free(R->x); free(R->y);
    free(R->off); free(R->adj); free(R->w);
    free(R->roff); free(R->radj); free(R->rw);
    free(R->served);
    nn_free(R->all);
    free(R->all_node);
    nn_free(R->nn);
    free(R->nn_node);
    free(R->offmpk);
    free(R->memo);
    free(R->apsp); free(R->slot); free(R->fwd); free(R->rev);
    free(R);
    t->impl = NULL;
}

/* ---- GeoJSON centre lines --------------------------------------------------------
 * Each LineString (each part of a MultiLineString) is one edge from its
 * first to its last position, its length the length of the polyline in
 * km; junctions are end points with the same coordinates exactly.  Nodes
 * are named n1, n2, ... in order of first appearance.  Properties:
 * oneway (true/false, 1/0, "yes"/"no"), class, speed_factor, length_km. */

struct gend {
    double x, y;
    int k;                  /* endpoint number: 2 x line + end */
};

struct gline {
    int feature;
    double len, geo;        /* km along the line, km between its ends */
    int oneway;
    double f;
};

static int gend_cmp(const void *p, const void *q)
{
    const struct gend *a = p, *b = q;
    if (a->x != b->x)
        return a->x < b->x ? -1 : 1;
    if (a->y != b->y)
        return a->y < b->y ? -1 : 1;
    return (a->k > b->k) - (a->k < b->k);
}

static int gj_prop_factor(struct rb *B, json_t *props, const char *path, int feat, double *f)
{
    *f = 1;
    json_t *c = json_object_get(props, "class");
    if (c && !json_is_null(c) && B->n_cls) {
        const char *cv = json_string_value(c);
        int i = 0;
        while (cv && i < B->n_cls && strcmp(B->cls[i], cv))
            i++;
        if (!cv || i == B->n_cls)
            return err_set(B->e, "%s: feature %d: property 'class': unknown road class '%s'; "
                                 "expected a class of %s", path, feat, cv ? cv : "(not text)",
                           B->f->road_classes);
        *f = B->cls_f[i];
    }
    json_t *sf = json_object_get(props, "speed_factor");
    if (sf && !json_is_null(sf)) {
        if (!json_is_number(sf) || !(json_number_value(sf) > 0) ||
            !isfinite(json_number_value(sf)))
            return err_set(B->e, "%s: feature %d: property 'speed_factor': expected a number "
                                 "> 0", path, feat);
        *f = json_number_value(sf);
    }
    return 0;
}

static int gj_oneway(struct rb *B, json_t *props, const char *path, int feat, int *out)
{
    json_t *o = json_object_get(props, "oneway");
    *out = 0;
    if (!o || json_is_null(o))
        return 0;
    if (json_is_boolean(o))
        return *out = json_is_true(o), 0;
    if (json_is_integer(o) && (json_integer_value(o) == 0 || json_integer_value(o) == 1))
        return *out = (int)json_integer_value(o), 0;
    if (json_is_string(o) && parse_oneway(json_string_value(o), out) == 0)
        return 0;
    return err_set(B->e, "%s: feature %d: property 'oneway': expected true/false, 1/0 or "
                         "\"yes\"/\"no\"", path, feat);
}

static int road_geojson(struct rb *B, const char *path)
{
    const struct scn *s = B->s;
    const struct inc_streams *c = s->streams;
    struct geo_proj proj = s->proj;     /* [geo] is applied after the tables */
    if (!s->has_proj && c && c->origin_lat_set && c->origin_lon_set)
        geo_proj_init(&proj, c->origin_lat, c->origin_lon);
    else if (!s->has_proj)
        return err_set(B->e, "%s: GeoJSON coordinates are longitude/latitude, but the scenario "
                             "has no projection; expected [geo] origin_lat and origin_lon or "
                             "GeoJSON grids", path);
    json_error_t je;
    json_t *root = json_load_file(path, 0, &je);
    if (!root) {
        if (je.line <= 0)
            return err_set(B->e, "%s: cannot read: %s", path, je.text);
        return err_set(B->e, "%s:%d: column %d: invalid JSON: %s", path, je.line, je.column,
                       je.text);
    }
    int rc = -1, nl = 0, lcap = 0;
    struct gline *L = NULL;
    struct gend *ends = NULL;
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *feats = json_object_get(root, "features");
    if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(feats)) {
        err_set(B->e, "%s: expected a GeoJSON FeatureCollection with a \"features\" array",
                path);
        goto out;
    }
    for (size_t i = 0; i < json_array_size(feats); i++) {
        int feat = (int)i + 1;
        json_t *f = json_array_get(feats, i), *geom = json_object_get(f, "geometry");
        json_t *props = json_object_get(f, "properties");
        const char *gt = json_string_value(json_object_get(geom, "type"));
        json_t *coords = json_object_get(geom, "coordinates");
        int multi = gt && !strcmp(gt, "MultiLineString");
        if (!gt || (!multi && strcmp(gt, "LineString")) || !json_is_array(coords)) {
            err_set(B->e, "%s: feature %d: expected a LineString or MultiLineString geometry, "
                          "got %s", path, feat, gt ? gt : "none");
            goto out;
        }
        int oneway;
        double fac;
        if (gj_oneway(B, props, path, feat, &oneway) < 0 ||
            gj_prop_factor(B, props, path, feat, &fac) < 0)
            goto out;
        json_t *lk = json_object_get(props, "length_km");
        size_t np = multi ? json_array_size(coords) : 1;
        for (size_t p = 0; p < np; p++) {
            json_t *line = multi ? json_array_get(coords, p) : coords;
            size_t nv = json_array_size(line);
            if (!json_is_array(line) || nv < 2) {
                err_set(B->e, "%s: feature %d: expected a line of at least 2 positions", path,
                        feat);
                goto out;
            }
            double len = 0, px = 0, py = 0, x0 = 0, y0 = 0;
            for (size_t k = 0; k < nv; k++) {
                json_t *pos = json_array_get(line, k);
                if (!json_is_array(pos) || json_array_size(pos) < 2 ||
                    !json_is_number(json_array_get(pos, 0)) ||
                    !json_is_number(json_array_get(pos, 1))) {
                    err_set(B->e, "%s: feature %d: position %zu: expected [longitude, "
                                  "latitude]", path, feat, k + 1);
                    goto out;
                }
                double x, y;
                geo_project(&proj, json_number_value(json_array_get(pos, 1)),
                            json_number_value(json_array_get(pos, 0)), &x, &y);
                if (k == 0)
                    x0 = x, y0 = y;
                else
                    len += hypot(x - px, y - py);
                px = x;
                py = y;
            }
            if (lk && !json_is_null(lk)) {
                if (!json_is_number(lk) || !(json_number_value(lk) > 0) || multi) {
                    err_set(B->e, "%s: feature %d: property 'length_km': expected a number > 0 "
                                  "on a LineString", path, feat);
                    goto out;
                }
                len = json_number_value(lk);
            }
            if (len <= 0) {
                err_set(B->e, "%s: feature %d: a line of length 0; expected a line between two "
                              "different points", path, feat);
                goto out;
            }
            if (nl == lcap) {
                lcap = lcap ? 2 * lcap : 64;
                L = xrealloc(L, (size_t)lcap * sizeof *L);
                ends = xrealloc(ends, (size_t)lcap * 2 * sizeof *ends);
            }
            L[nl] = (struct gline){ feat, len, hypot(px - x0, py - y0), oneway, fac };
            ends[2 * nl] = (struct gend){ x0, y0, 2 * nl };
            ends[2 * nl + 1] = (struct gend){ px, py, 2 * nl + 1 };
            nl++;
        }
    }
    if (nl == 0) {
        err_set(B->e, "%s: no lines; expected at least one LineString feature", path);
        goto out;
    }
    /* Junctions: equal end points; nodes numbered by first appearance. */
    int ne = 2 * nl, *node_of = xmalloc((size_t)ne * sizeof *node_of);
    int *first = xmalloc((size_t)ne * sizeof *first), ng = 0;
    qsort(ends, (size_t)ne, sizeof *ends, gend_cmp);
    for (int i = 0; i < ne; i++) {
        if (i == 0 || ends[i].x != ends[i - 1].x || ends[i].y != ends[i - 1].y)
            first[ng++] = ends[i].k;    /* the group's lowest k: sorted by k within */
        node_of[ends[i].k] = ng - 1;
    }
    int *rank = xmalloc((size_t)ng * sizeof *rank), *byk = xmalloc((size_t)ne * sizeof *byk);
    for (int i = 0; i < ne; i++)
        byk[i] = -1;
    for (int g = 0; g < ng; g++)
        byk[first[g]] = g;
    int nn_ = 0;
    for (int k = 0; k < ne; k++)
        if (byk[k] >= 0)
            rank[byk[k]] = nn_++;
    double *gx = xmalloc((size_t)ng * sizeof *gx), *gy = xmalloc((size_t)ng * sizeof *gy);
    for (int i = 0; i < ne; i++) {
        gx[node_of[ends[i].k]] = ends[i].x;
        gy[node_of[ends[i].k]] = ends[i].y;
    }
    int *order = xmalloc((size_t)ng * sizeof *order);
    for (int g = 0; g < ng; g++)
        order[rank[g]] = g;
    for (int r = 0; r < ng; r++) {
        char id[24];
        snprintf(id, sizeof id, "n%d", r + 1);
        add_node(B, id, gx[order[r]], gy[order[r]]);
    }
    rc = 0;
    for (int l = 0; l < nl && rc == 0; l++) {
        int a = rank[node_of[2 * l]], b = rank[node_of[2 * l + 1]];
        if (a == b) {
            rc = err_set(B->e, "%s: feature %d: a line that ends where it starts; expected a "
                               "line between two junctions", path, L[l].feature);
            break;
        }
        add_arc(B, a, b, L[l].len / L[l].f, L[l].geo, L[l].feature);
        if (!L[l].oneway)
            add_arc(B, b, a, L[l].len / L[l].f, L[l].geo, L[l].feature);
    }
    free(node_of); free(first); free(rank); free(byk); free(gx); free(gy); free(order);
out:
    free(L);
    free(ends);
    json_decref(root);
    return rc;
}

static int road_build(struct trv *t, const struct scn *s, struct perr *e)
{
    struct road *R = xcalloc(1, sizeof *R);
    t->impl = R;
    const struct trv__files *f = &t->f;
    struct rb B = { .s = s, .f = f, .e = e, .R = R };
    int rc = -1;
    const char *epath = f->road_geojson ? f->road_geojson : f->road_edges;
    B.nodes_path = f->road_nodes;
    if (f->road_classes && load_classes(&B, f->road_classes) < 0)
        goto out;
    if (f->road_geojson) {
        B.geojson = 1;
        if (road_geojson(&B, f->road_geojson) < 0)
            goto out;
    } else if (load_nodes(&B, f->road_nodes) < 0 || load_edges(&B, f->road_edges) < 0) {
        goto out;
    }
    if (make_csr(&B, epath) < 0 || serve(&B, epath) < 0)
        goto out;
    memo_build(R, s);
    paths(R, s);
    /* Lower bound per straight km: the off-road speed, or the fastest
     * edge relative to the straight line between its nodes. */
    double rho = INFINITY;
    for (int k = 0; k < B.n_arcs; k++)
        if (B.arcs[k].geo > 0 && B.arcs[k].w / B.arcs[k].geo < rho)
            rho = B.arcs[k].w / B.arcs[k].geo;
    R->offmpk = xmalloc((size_t)(s->n_modes ? s->n_modes : 1) * sizeof *R->offmpk);
    for (int m = 0; m < s->n_modes; m++) {
        double v = s->modes[m].speed_kmh;
        if (s->offroad_kmh > 0 && s->offroad_kmh < v)
            v = s->offroad_kmh;
        R->offmpk[m] = 60.0 / v;
        double road = rho * t->mpk[m];
        t->lbk[m] = road < R->offmpk[m] ? road : R->offmpk[m];
    }
    rc = 0;
out:
    free(B.arcs);
    free(B.order);
    for (int i = 0; i < B.n_cls; i++)
        free(B.cls[i]);
    free(B.cls);
    free(B.cls_f);
    return rc;
}

const struct trv_type trv_road_type = { "road", TRV_KIND_ROAD, road_build, road_release,
                                        road_time };
