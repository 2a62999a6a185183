/* scn_grids.c - grids.csv (or GeoJSON): the grids, their polygons, and the
 * whole-table checks: duplicate ids, overlaps, coverage.
 *
 * Cost: O(n log n) in the number of grids.  Overlap is checked with a sweep
 * over bounding boxes sorted by xmin, so a lattice of 4096 rectangles costs
 * ~64 box tests per grid and no polygon test at all; only grids whose boxes
 * overlap with positive area reach geo_poly_overlap.  The station column is
 * kept as written and resolved once facilities are read (scn_resolve.c).
 */
#include <math.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"

enum { G_ID, G_NAME, G_WEIGHT, G_XMIN, G_YMIN, G_XMAX, G_YMAX, G_POLYGON, G_STATION,
       G_POLICE_GRID };
static const char *const grid_cols[] = {
    "id", "name", "weight", "xmin", "ymin", "xmax", "ymax", "polygon", "station",
    "police_grid", NULL
};
static const char *const grid_req[] = { "id", NULL };

const struct tabdef scn__tab_grids = { "grids", TB_GRIDS, "grids.csv", grid_cols, grid_req,
                                      "id" };

struct vbuf {
    struct geo_pt *v;
    int n, cap;
};

/* Parses "x y; x y; ..." into vb, dropping repeated consecutive vertices and
 * a closing vertex equal to the first (GIS exports repeat it). */
static int parse_polygon(const struct tab *t, const char *s, struct vbuf *vb)
{
    vb->n = 0;
    int vertex = 0;
    const char *p = s;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char piece[128];
        vertex++;
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        if (b == e) {
            if (!q || q[1] == '\0')
                break;          /* a trailing ';' */
            return scn__tab_err(t, G_POLYGON, "vertex %d is empty (two ';' in a row?)", vertex);
        }
        if ((size_t)(e - b) >= sizeof piece)
            return scn__tab_err(t, G_POLYGON, "vertex %d: expected 'x y' (two numbers, km), "
                                "got '%.40s...'", vertex, b);
        memcpy(piece, b, (size_t)(e - b));
        piece[e - b] = '\0';
        char *sp = piece;
        while (*sp && *sp != ' ' && *sp != '\t')
            sp++;
        char *second = sp;
        while (*second == ' ' || *second == '\t')
            second++;
        double x, y;
        int ok = *sp != '\0';
        if (ok) {
            *sp = '\0';
            ok = scn__parse_double(piece, &x) == 0 && scn__parse_double(second, &y) == 0;
        }
        if (!ok) {
            memcpy(piece, b, (size_t)(e - b));
            piece[e - b] = '\0';
            return scn__tab_err(t, G_POLYGON, "vertex %d: expected 'x y' (two numbers, km), "
                                "got '%s'", vertex, piece);
        }
        if (vb->n == vb->cap) {
            vb->cap = vb->cap ? 2 * vb->cap : 16;
            vb->v = xrealloc(vb->v, (size_t)vb->cap * sizeof *vb->v);
        }
        if (vb->n == 0 || vb->v[vb->n - 1].x != x || vb->v[vb->n - 1].y != y)
            vb->v[vb->n++] = (struct geo_pt){ x, y };
        p = q ? q + 1 : p + len;
    }
    if (vb->n > 1 && vb->v[0].x == vb->v[vb->n - 1].x && vb->v[0].y == vb->v[vb->n - 1].y)
        vb->n--;
    if (vb->n < 3)
        return scn__tab_err(t, G_POLYGON, "a polygon needs at least 3 distinct vertices, got %d "
                            "in '%s'", vb->n, s);
    return 0;
}

static int read_grid_row(struct tab *t, struct scn_grid *g, struct vbuf *vb)
{
    struct arena *a = t->L->a;
    static const double one = 1;
    if (scn__tab_id(t, G_ID, &g->id) < 0)
        return -1;
    g->name = scn__a_strdup(a, scn__tab_str(t, G_NAME));
    if (scn__tab_num(t, G_WEIGHT, R_NONNEG, &one, &g->weight) < 0)
        return -1;
    /* The station is resolved once facilities are read (resolve_police). */
    int gi = (int)(g - t->L->s->grids);
    t->L->pv->grid_station = scn__a_grow(a, t->L->pv->grid_station, sizeof(char *), gi,
                                         &t->L->gs_cap);
    t->L->pv->grid_station[gi] = scn__a_strdup(a, scn__tab_str(t, G_STATION));
    /* A police grid (警格) is a label over the community grids it covers:
     * the table holds the finest grids, which incidents fall in. */
    const char *pg = scn__tab_str(t, G_POLICE_GRID);
    struct scn *s = t->L->s;
    g->police_grid = -1;
    if (*pg) {
        for (int i = 0; i < s->n_police_grids && g->police_grid < 0; i++)
            if (!strcmp(s->police_grids[i], pg))
                g->police_grid = i;
        if (g->police_grid < 0) {
            s->police_grids = scn__a_grow(a, s->police_grids, sizeof(char *),
                                          s->n_police_grids, &t->L->pv->pgrid_cap);
            s->police_grids[s->n_police_grids] = scn__a_strdup(a, pg);
            g->police_grid = s->n_police_grids++;
        }
    }

    int rect = 0;
    for (int k = G_XMIN; k <= G_YMAX; k++)
        rect |= *scn__tab_str(t, k) != '\0';
    int poly = *scn__tab_str(t, G_POLYGON) != '\0';
    if (rect && poly)
        return scn__tab_err(t, G_POLYGON, "grid '%s' gives both a rectangle (xmin, ymin, xmax, "
                            "ymax) and a polygon; give one of them", g->id);
    if (!rect && !poly)
        return scn__tab_err(t, -1, "grid '%s' has no shape: give xmin, ymin, xmax, ymax "
                            "(a rectangle) or polygon", g->id);
    if (rect) {
        double c[4];
        for (int k = G_XMIN; k <= G_YMAX; k++)
            if (scn__tab_num(t, k, R_ANY, NULL, &c[k - G_XMIN]) < 0)
                return -1;
        if (!(c[2] > c[0]))
            return scn__tab_err(t, G_XMAX, "expected a number > xmin (%.15g), got '%s'", c[0],
                                scn__tab_str(t, G_XMAX));
        if (!(c[3] > c[1]))
            return scn__tab_err(t, G_YMAX, "expected a number > ymin (%.15g), got '%s'", c[1],
                                scn__tab_str(t, G_YMAX));
        vb->n = 4;
        if (vb->cap < 4) {
            vb->cap = 16;
            vb->v = xrealloc(vb->v, (size_t)vb->cap * sizeof *vb->v);
        }
        vb->v[0] = (struct geo_pt){ c[0], c[1] };
        vb->v[1] = (struct geo_pt){ c[2], c[1] };
        vb->v[2] = (struct geo_pt){ c[2], c[3] };
        vb->v[3] = (struct geo_pt){ c[0], c[3] };
    } else if (parse_polygon(t, scn__tab_str(t, G_POLYGON), vb) < 0) {
        return -1;
    }

    g->poly.n = vb->n;
    g->poly.v = scn__a_alloc(a, (size_t)vb->n * sizeof *g->poly.v);
    memcpy(g->poly.v, vb->v, (size_t)vb->n * sizeof *g->poly.v);
    if (geo_poly_finish(&g->poly) < 0) {
        /* Tell the two failures apart for the planner: a polygon whose
         * vertices are not all on one line has positive area unless its
         * edges cross (a symmetric bow tie has zero signed area). */
        const struct geo_pt *v = vb->v;
        int far = 0;
        double dmax = 0;
        for (int i = 1; i < vb->n; i++) {
            double d = hypot(v[i].x - v[0].x, v[i].y - v[0].y);
            if (d > dmax)
                dmax = d, far = i;
        }
        double off = 0;
        for (int i = 1; i < vb->n; i++)
            off = fmax(off, fabs((v[far].x - v[0].x) * (v[i].y - v[0].y) -
                                 (v[far].y - v[0].y) * (v[i].x - v[0].x)) / dmax);
        if (off <= 1e-9 * dmax)
            return scn__tab_err(t, G_POLYGON, "degenerate polygon (zero area): '%s'",
                                scn__tab_str(t, G_POLYGON));
        return scn__tab_err(t, G_POLYGON, "self-intersecting polygon (edges cross or touch): '%s'",
                            scn__tab_str(t, G_POLYGON));
    }
    return 0;
}

static int cmp_by_xmin(const void *pa, const void *pb)
{
    const struct geo_poly *a = *(const struct geo_poly *const *)pa;
    const struct geo_poly *b = *(const struct geo_poly *const *)pb;
    if (a->xmin != b->xmin)
        return (a->xmin > b->xmin) - (a->xmin < b->xmin);
    return (a > b) - (a < b);
}

static int check_overlaps(struct tab *t)
{
    struct scn *s = t->L->s;
    struct geo_poly *polys = t->L->pv->polys;
    int n = s->n_grids;
    const struct geo_poly **order = xmalloc((size_t)n * sizeof *order);
    for (int i = 0; i < n; i++)
        order[i] = &polys[i];
    qsort(order, (size_t)n, sizeof *order, cmp_by_xmin);
    /* Report the pair met first when reading the file top-down. */
    int best_i = -1, best_j = -1;
    for (int a = 0; a < n; a++) {
        const struct geo_poly *p = order[a];
        for (int b = a + 1; b < n && order[b]->xmin < p->xmax; b++) {
            const struct geo_poly *q = order[b];
            if (q->ymin >= p->ymax || p->ymin >= q->ymax)
                continue;
            int i = (int)(p - polys), j = (int)(q - polys);
            if (i > j) {
                int tmp = i;
                i = j;
                j = tmp;
            }
            if (best_j >= 0 && (j > best_j || (j == best_j && i > best_i)))
                continue;
            if (geo_poly_overlap(p, q)) {
                best_i = i;
                best_j = j;
            }
        }
    }
    free(order);
    if (best_j >= 0)
        return scn__tab_err_at(t, s->grids[best_j].line, -1, "grid '%s' overlaps grid '%s' "
                               "(line %d); grids must not overlap", s->grids[best_j].id,
                               s->grids[best_i].id, s->grids[best_i].line);
    return 0;
}

static int check_coverage(struct tab *t)
{
    struct scn *s = t->L->s;
    double w = s->xmax - s->xmin, h = s->ymax - s->ymin;
    double total = w * h, sum = 0;
    for (int i = 0; i < s->n_grids; i++)
        sum += s->grids[i].poly.area;
    /* Points carry their own weights and grids (scn_points.c). */
    if (s->location == LOC_POINTS)
        return 0;
    if (s->location == LOC_GRID_WEIGHT) {
        double ws = 0;
        for (int i = 0; i < s->n_grids; i++)
            ws += s->grids[i].weight;
        if (!(ws > 0))
            return err_set(t->L->e, "%s: every weight is 0; with [incidents] location = "
                           "grid_weight at least one grid needs weight > 0", t->path);
        return 0;
    }
    if (sum >= total * (1 - 1e-9))
        return 0;
    /* Find a witness: the first probe cell centre in no grid, on finer and
     * finer probe lattices. */
    for (int k = 16; k <= 1024; k *= 4)
        for (int iy = 0; iy < k; iy++)
            for (int ix = 0; ix < k; ix++) {
                double x = s->xmin + (ix + 0.5) * w / k, y = s->ymin + (iy + 0.5) * h / k;
                if (geo_index_locate(s->grid_index, x, y) < 0)
                    return err_set(t->L->e, "%s: with [incidents] location = area the grids "
                                   "must cover their bounding box [%.6g, %.6g] x [%.6g, %.6g] "
                                   "without holes, but they cover %.9g of %.9g km^2; "
                                   "e.g. the point (%.6g, %.6g) lies in no grid", t->path,
                                   s->xmin, s->xmax, s->ymin, s->ymax, sum, total, x, y);
            }
    return err_set(t->L->e, "%s: with [incidents] location = area the grids must cover "
                   "their bounding box [%.6g, %.6g] x [%.6g, %.6g] without holes, but they "
                   "cover %.9g of %.9g km^2 (the gaps are narrow slivers)", t->path,
                   s->xmin, s->xmax, s->ymin, s->ymax, sum, total);
}

/* Grids from a GeoJSON file (geojson.c) instead of CSV rows: t is set up
 * for the whole-table checks below, which then name feature numbers as
 * lines; GeoJSON grids have no station column. */
static int geojson_grids(struct ld *L, struct tab *t, const char *path)
{
    t->L = L;
    t->path = path;
    t->names = grid_cols;
    for (int k = 0; k < TAB_MAXCOL; k++)
        t->col[k] = -1;
    L->pv->tab_read[TB_GRIDS] = 1;
    for (int i = 0; i < L->pv->n_cells; i++)
        if (L->pv->cells[i].tab == &scn__tab_grids) {
            char name[600];
            scn__ov_name(&L->pv->cells[i], name, sizeof name);
            return err_set(L->e, "%s: %s is GeoJSON; cell overrides need a CSV grid table",
                           name, path);
        }
    scn__input_add(L->s, path);
    if (scn__geojson_grids(L->s, path, L->e) < 0)
        return -1;
    L->pv->grid_station = scn__a_alloc(L->a, (size_t)L->s->n_grids * sizeof(char *));
    for (int g = 0; g < L->s->n_grids; g++) {
        L->pv->grid_station[g] = "";
        L->s->grids[g].police_grid = -1;
    }
    return 0;
}

int scn__load_grids(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    struct vbuf vb = { 0 };
    int cap = 0, rc = -1;
    const char *gpath = scn__table_path(L, TB_GRIDS);
    if (scn__is_geojson(gpath)) {
        if (geojson_grids(L, &t, gpath) < 0)
            goto out;
    } else if (scn__tab_open(L, &t, &scn__tab_grids, gpath) < 0) {
        goto out;
    }
    while (t.r) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->grids = scn__a_grow(L->a, s->grids, sizeof *s->grids, s->n_grids, &cap);
        struct scn_grid *g = &s->grids[s->n_grids];
        memset(g, 0, sizeof *g);
        g->line = (int)csvr_line(t.r);
        if (read_grid_row(&t, g, &vb) < 0)
            goto out;
        s->n_grids++;
    }
    L->pv->grid_ix = scn__index_ids(&t, G_ID, s->grids, s->n_grids, sizeof *s->grids,
                                    offsetof(struct scn_grid, line));
    if (!L->pv->grid_ix)
        goto out;
    /* units.csv home_grids may name a police grid for all its grids, so a
     * label must not also be a grid id. */
    for (int i = 0; i < s->n_police_grids; i++) {
        int g = scn__ix_find(L->pv->grid_ix, s->n_grids, s->police_grids[i]);
        if (g >= 0) {
            int first = 0;
            while (s->grids[first].police_grid != i)
                first++;
            scn__tab_err_at(&t, s->grids[first].line, G_POLICE_GRID, "police grid '%s' is "
                            "also the id of grid '%s' (line %d); home_grids could not tell "
                            "them apart: rename one", s->police_grids[i], s->grids[g].id,
                            s->grids[g].line);
            goto out;
        }
    }

    L->pv->polys = scn__a_alloc(L->a, (size_t)s->n_grids * sizeof *L->pv->polys);
    for (int i = 0; i < s->n_grids; i++)
        L->pv->polys[i] = s->grids[i].poly;
    /* GeoJSON grids were checked by geojson.c, which tolerates GIS slivers. */
    if (!scn__is_geojson(gpath) && check_overlaps(&t) < 0)
        goto out;
    s->xmin = s->ymin = INFINITY;
    s->xmax = s->ymax = -INFINITY;
    for (int i = 0; i < s->n_grids; i++) {
        const struct geo_poly *p = &s->grids[i].poly;
        s->xmin = fmin(s->xmin, p->xmin);
        s->ymin = fmin(s->ymin, p->ymin);
        s->xmax = fmax(s->xmax, p->xmax);
        s->ymax = fmax(s->ymax, p->ymax);
    }
    s->grid_index = geo_index_new(L->pv->polys, s->n_grids);
    rc = check_coverage(&t);
out:
    free(vb.v);
    scn__tab_close(&t);
    return rc;
}

