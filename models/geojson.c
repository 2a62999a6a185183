/* geojson.c - grids from a GeoJSON FeatureCollection (RFC 7946), via jansson.
 *
 * Each Feature with a Polygon or MultiPolygon geometry becomes one grid:
 * every ring of every part goes into one geo_poly (geo.h), holes flagged,
 * so a ward with an enclave or a grid in two pieces stays one grid, and
 * point location (even-odd over all rings) needs no special case.
 * Coordinates are WGS84 [lon, lat]; they are projected to km with the
 * scenario's projection: [geo] origin_lat/origin_lon when given, otherwise
 * the centre of the bounding box of all coordinates, which is then used for
 * every other lat/lon of the scenario too (replayed points, hotspots).
 *
 * jansson reports syntax errors with line and column; beyond syntax a JSON
 * value has no line, so messages name the feature by its 1-based number and
 * id, and that number stands in for the line of the grid in later checks
 * (overlaps).  The whole document is held in memory while loading: grid
 * files are small (kilobytes to a few megabytes), unlike replayed streams.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <jansson.h>
#include "inc_priv.h"
#include "scn_priv.h"

int scn__is_geojson(const char *path)
{
    size_t n = strlen(path);
    return (n > 8 && strcmp(path + n - 8, ".geojson") == 0) ||
           (n > 5 && strcmp(path + n - 5, ".json") == 0);
}

struct gj {
    struct scn *s;
    const char *path;
    struct perr *e;
    int feature;            /* 1-based, for messages */
    const char *id;         /* of the current feature, for messages */
    double lon0, lon1, lat0, lat1;   /* bounding box, degrees */
    struct geo_pt *v;       /* vertex scratch of the current feature */
    int n, cap;
    struct geo_ring *ring;
    int nring, ring_cap;
};

static int gj_err(const struct gj *g, const char *fmt, ...) ERR_PRINTF(2, 3);
static int gj_err(const struct gj *g, const char *fmt, ...)
{
    char msg[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    if (g->id)
        return err_set(g->e, "%s: feature %d ('%s'): %s", g->path, g->feature, g->id, msg);
    return err_set(g->e, "%s: feature %d: %s", g->path, g->feature, msg);
}

/* A position [lon, lat, ...]: 0, or -1 with the error set. */
static int position(struct gj *g, json_t *p, double *lon, double *lat)
{
    if (!json_is_array(p) || json_array_size(p) < 2 || !json_is_number(json_array_get(p, 0)) ||
        !json_is_number(json_array_get(p, 1)))
        return gj_err(g, "expected a position [longitude, latitude]");
    *lon = json_number_value(json_array_get(p, 0));
    *lat = json_number_value(json_array_get(p, 1));
    if (!(*lon >= -180 && *lon <= 180 && *lat >= -90 && *lat <= 90))
        return gj_err(g, "position [%.10g, %.10g] is not WGS84 longitude, latitude in "
                      "degrees (is the file projected?)", *lon, *lat);
    return 0;
}

/* Calls fn on every ring of a Polygon (coords = rings) or MultiPolygon
 * (coords = polygons of rings). */
static int each_ring(struct gj *g, json_t *geom,
                     int (*fn)(struct gj *, json_t *ring, int hole, int part, int k))
{
    if (!json_is_object(geom))
        return gj_err(g, "expected a geometry object");
    const char *type = json_string_value(json_object_get(geom, "type"));
    json_t *coords = json_object_get(geom, "coordinates");
    if (!type)
        return gj_err(g, "the geometry has no \"type\"");
    int multi = strcmp(type, "MultiPolygon") == 0;
    if (!multi && strcmp(type, "Polygon") != 0)
        return gj_err(g, "geometry type '%s': expected Polygon or MultiPolygon", type);
    if (!json_is_array(coords) || json_array_size(coords) == 0)
        return gj_err(g, "expected non-empty \"coordinates\" of a %s", type);
    size_t nparts = multi ? json_array_size(coords) : 1;
    for (size_t p = 0; p < nparts; p++) {
        json_t *rings = multi ? json_array_get(coords, p) : coords;
        if (!json_is_array(rings) || json_array_size(rings) == 0)
            return gj_err(g, "polygon %zu: expected an array of rings", p + 1);
        for (size_t k = 0; k < json_array_size(rings); k++)
            if (fn(g, json_array_get(rings, k), k > 0, (int)p + 1, (int)k + 1) < 0)
                return -1;
    }
    return 0;
}

static int widen_bbox(struct gj *g, json_t *ring, int hole, int part, int k)
{
    (void)hole;
    if (!json_is_array(ring))
        return gj_err(g, "polygon %d, ring %d: expected an array of positions", part, k);
    for (size_t i = 0; i < json_array_size(ring); i++) {
        double lon, lat;
        if (position(g, json_array_get(ring, i), &lon, &lat) < 0)
            return -1;
        g->lon0 = fmin(g->lon0, lon);
        g->lon1 = fmax(g->lon1, lon);
        g->lat0 = fmin(g->lat0, lat);
        g->lat1 = fmax(g->lat1, lat);
    }
    return 0;
}

/* Appends one ring, projected, without the closing position or repeated
 * consecutive positions. */
static int add_ring(struct gj *g, json_t *ring, int hole, int part, int k)
{
    int start = g->n;
    double plon = NAN, plat = NAN;
    for (size_t i = 0; i < json_array_size(ring); i++) {
        double lon, lat;
        if (position(g, json_array_get(ring, i), &lon, &lat) < 0)
            return -1;
        if (lon == plon && lat == plat)
            continue;
        plon = lon;
        plat = lat;
        if (g->n == g->cap) {
            g->cap = g->cap ? 2 * g->cap : 256;
            g->v = xrealloc(g->v, (size_t)g->cap * sizeof *g->v);
        }
        geo_project(&g->s->proj, lat, lon, &g->v[g->n].x, &g->v[g->n].y);
        g->n++;
    }
    if (g->n - start > 1 && g->v[start].x == g->v[g->n - 1].x &&
        g->v[start].y == g->v[g->n - 1].y)
        g->n--;
    if (g->n - start < 3)
        return gj_err(g, "polygon %d, ring %d: expected at least 3 distinct positions, got %d",
                      part, k, g->n - start);
    if (g->nring == g->ring_cap) {
        g->ring_cap = g->ring_cap ? 2 * g->ring_cap : 8;
        g->ring = xrealloc(g->ring, (size_t)g->ring_cap * sizeof *g->ring);
    }
    g->ring[g->nring++] = (struct geo_ring){ start, g->n - start, hole };
    return 0;
}

/* A property as text: strings as they are, integers printed. */
static const char *prop_text(json_t *props, const char *name, char *buf, size_t n)
{
    json_t *v = props ? json_object_get(props, name) : NULL;
    if (json_is_string(v))
        return json_string_value(v);
    if (json_is_integer(v)) {
        snprintf(buf, n, "%lld", (long long)json_integer_value(v));
        return buf;
    }
    return NULL;
}

/* GIS layers drawn by hand or converted between projections often overlap
 * their neighbours in slivers a few metres wide along shared boundaries,
 * which a strict "no overlap" rule would reject.  Overlaps up to
 * SLIVER_SHARE of the smaller grid are tolerated (a point in a sliver goes
 * to the grid listed first, by geo_index); the overlap area is estimated by
 * counting the centres of a SLIVER_LATTICE^2 lattice over the intersection
 * of the two bounding boxes that fall in both polygons. */
#define SLIVER_SHARE 0.01
#define SLIVER_LATTICE 64

static int check_overlaps(struct gj *g)
{
    const struct scn *s = g->s;
    for (int a = 0; a < s->n_grids; a++)
        for (int b = a + 1; b < s->n_grids; b++) {
            const struct geo_poly *p = &s->grids[a].poly, *q = &s->grids[b].poly;
            if (!geo_poly_overlap(p, q))
                continue;
            double x0 = fmax(p->xmin, q->xmin), x1 = fmin(p->xmax, q->xmax);
            double y0 = fmax(p->ymin, q->ymin), y1 = fmin(p->ymax, q->ymax);
            double dx = (x1 - x0) / SLIVER_LATTICE, dy = (y1 - y0) / SLIVER_LATTICE;
            int hits = 0;
            for (int i = 0; i < SLIVER_LATTICE; i++)
                for (int j = 0; j < SLIVER_LATTICE; j++) {
                    double x = x0 + (i + 0.5) * dx, y = y0 + (j + 0.5) * dy;
                    hits += geo_poly_contains(p, x, y) && geo_poly_contains(q, x, y);
                }
            double area = hits * dx * dy, small = fmin(p->area, q->area);
            if (area > SLIVER_SHARE * small) {
                g->feature = b + 1;
                g->id = s->grids[b].id;
                return gj_err(g, "overlaps feature %d ('%s') by about %.3g km^2 (%.1f%% of "
                              "the smaller); grids must not overlap (slivers under %g%% are "
                              "tolerated)", a + 1, s->grids[a].id, area, 100 * area / small,
                              100 * SLIVER_SHARE);
            }
        }
    return 0;
}

static int cmp_grid_id(const void *a, const void *b)
{
    const struct scn_grid *x = *(const struct scn_grid *const *)a;
    const struct scn_grid *y = *(const struct scn_grid *const *)b;
    int c = strcmp(x->id, y->id);
    return c ? c : (x->line > y->line) - (x->line < y->line);
}

static int check_ids(struct gj *g)
{
    struct scn *s = g->s;
    int n = s->n_grids;
    const struct scn_grid **ord = xmalloc((size_t)n * sizeof *ord);
    for (int i = 0; i < n; i++)
        ord[i] = &s->grids[i];
    qsort(ord, (size_t)n, sizeof *ord, cmp_grid_id);
    int dup = -1, first = -1;
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(ord[i]->id, ord[i + 1]->id) == 0 && (dup < 0 || ord[i + 1]->line < dup)) {
            dup = ord[i + 1]->line;
            first = ord[i]->line;
        }
    free(ord);
    if (dup < 0)
        return 0;
    g->feature = dup;
    g->id = s->grids[dup - 1].id;
    return gj_err(g, "duplicate id (also feature %d); grid ids must be unique", first);
}

int scn__geojson_grids(struct scn *s, const char *path, struct perr *e)
{
    const struct inc_streams *c = s->streams;
    struct gj g = { .s = s, .path = path, .e = e,
                    .lon0 = HUGE_VAL, .lat0 = HUGE_VAL, .lon1 = -HUGE_VAL, .lat1 = -HUGE_VAL };
    json_error_t je;
    int rc = -1;
    json_t *root = json_load_file(path, JSON_REJECT_DUPLICATES, &je);
    if (!root) {
        if (je.line <= 0)
            return err_set(e, "%s: cannot read: %s", path, je.text);
        return err_set(e, "%s:%d: column %d: invalid JSON: %s", path, je.line, je.column,
                       je.text);
    }
    const char *type = json_string_value(json_object_get(root, "type"));
    json_t *feats = json_object_get(root, "features");
    if (!type || strcmp(type, "FeatureCollection") != 0 || !json_is_array(feats)) {
        err_set(e, "%s: expected a GeoJSON FeatureCollection with a \"features\" array",
                path);
        goto out;
    }
    size_t nf = json_array_size(feats);
    if (nf == 0) {
        err_set(e, "%s: the FeatureCollection has no features; at least one grid is needed",
                path);
        goto out;
    }
    /* First pass: the bounding box, for the automatic projection origin. */
    for (size_t i = 0; i < nf; i++) {
        g.feature = (int)i + 1;
        json_t *f = json_array_get(feats, i);
        if (!json_is_object(f) || each_ring(&g, json_object_get(f, "geometry"), widen_bbox) < 0) {
            if (!json_is_object(f))
                gj_err(&g, "expected a Feature object");
            goto out;
        }
    }
    if (!s->has_proj) {
        if (c && c->origin_lat_set && c->origin_lon_set)
            geo_proj_init(&s->proj, c->origin_lat, c->origin_lon);
        else
            geo_proj_init(&s->proj, (g.lat0 + g.lat1) / 2, (g.lon0 + g.lon1) / 2);
        s->has_proj = true;
    }
    const char *idp = c ? c->id_property : "id";
    s->grids = scn__alloc(s, nf * sizeof *s->grids);
    for (size_t i = 0; i < nf; i++) {
        json_t *f = json_array_get(feats, i);
        json_t *props = json_object_get(f, "properties");
        char buf[32];
        g.feature = (int)i + 1;
        g.id = NULL;
        const char *id = prop_text(props, idp, buf, sizeof buf);
        if (!id || !*id) {
            gj_err(&g, "property '%s' (the grid id, [geo] id_property) is missing, empty or "
                   "not a string or integer", idp);
            goto out;
        }
        if (strpbrk(id, "; \t\r\n")) {
            g.id = id;
            gj_err(&g, "id '%s' must not contain ';' or spaces (home_grids lists are "
                   "separated by them); pick another [geo] id_property", id);
            goto out;
        }
        g.id = id;
        struct scn_grid *gr = &s->grids[i];
        gr->id = scn__strdup(s, id);
        gr->line = (int)i + 1;
        gr->weight = 1;
        const char *name = c && c->name_property
                               ? prop_text(props, c->name_property, buf, sizeof buf)
                               : NULL;
        gr->name = scn__strdup(s, name ? name : "");
        if (c && c->weight_property) {
            json_t *w = props ? json_object_get(props, c->weight_property) : NULL;
            if (!json_is_number(w) || !(json_number_value(w) >= 0)) {
                gj_err(&g, "property '%s' ([geo] weight_property): expected a number >= 0",
                       c->weight_property);
                goto out;
            }
            gr->weight = json_number_value(w);
        }
        g.n = g.nring = 0;
        if (each_ring(&g, json_object_get(f, "geometry"), add_ring) < 0)
            goto out;
        struct geo_poly *p = &gr->poly;
        p->n = g.n;
        p->v = scn__alloc(s, (size_t)g.n * sizeof *p->v);
        memcpy(p->v, g.v, (size_t)g.n * sizeof *p->v);
        if (g.nring > 1) {
            p->nring = g.nring;
            p->ring = scn__alloc(s, (size_t)g.nring * sizeof *p->ring);
            memcpy(p->ring, g.ring, (size_t)g.nring * sizeof *p->ring);
        }
        if (geo_poly_finish(p) < 0) {
            gj_err(&g, "invalid polygon: a ring has no area or crosses itself, two rings "
                   "cross, or a hole lies outside its polygon");
            goto out;
        }
        s->n_grids++;
    }
    rc = check_ids(&g) < 0 || check_overlaps(&g) < 0 ? -1 : 0;
out:
    free(g.v);
    free(g.ring);
    json_decref(root);
    return rc;
}
