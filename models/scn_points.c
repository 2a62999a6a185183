/* scn_points.c - [incidents] points: demand points (road junctions,
 * addresses) with a weight each, read once every table is loaded.
 *
 * CSV columns: id, x, y (km), weight (>= 0, default 1), grid (optional).
 * A point's grid is its grid column, or else the grid its coordinates lie
 * in; a point in no grid is an error, so every incident placed at a point
 * has a grid and the grid-based results (home units, cross-grid support,
 * station loads) keep their meaning.
 *
 * With `location = points` the Poisson source places each incident at a
 * point drawn by weight, and each grid's weight becomes the sum of its
 * points' weights, so that the offered-load notes and `patrolsim analytic`
 * see the same spatial shares as the simulation.  Points without
 * `location = points` are only read by `patrolsim coverage`.
 *
 * Cost: O(n log n) in the number of points.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "csvr.h"
#include "inc_priv.h"
#include "scn_priv.h"
#include "trv.h"

enum { P_ID, P_X, P_Y, P_WEIGHT, P_GRID };

struct pref {
    const char *id;
    int i;
};

static int cmp_pref(const void *a, const void *b)
{
    const struct pref *p = a, *q = b;
    int c = strcmp(p->id, q->id);
    return c ? c : (p->i > q->i) - (p->i < q->i);
}

static int key_err(const struct scn *s, const char *key, struct perr *e, const char *what)
{
    char w[512];
    scn__where(s, scn__key_line(s, "incidents", key), w, sizeof w);
    return err_set(e, "%s[incidents] %s: %s", w, key, what);
}

static int read_rows(struct scn *s, struct csvr *r, const int *col, struct perr *e)
{
    int cap = 0;
    for (;;) {
        int rc = csvr_next(r, e);
        if (rc < 0)
            return -1;
        if (rc == 0)
            break;
        if (s->n_points == cap) {
            cap = cap ? 2 * cap : 256;
            struct scn_point *np = scn__alloc(s, (size_t)cap * sizeof *np);
            if (s->n_points)
                memcpy(np, s->points, (size_t)s->n_points * sizeof *np);
            s->points = np;     /* the old copy stays in the arena until scn_free */
        }
        struct scn_point *p = &s->points[s->n_points];
        p->line = (int)csvr_line(r);
        const char *id = csvr_get(r, col[P_ID]);
        if (!*id)
            return csvr_error(r, col[P_ID], "id", e, "expected a point id, got an empty field");
        p->id = scn__strdup(s, id);
        if (scn__csv_double(r, col[P_X], "x", -HUGE_VAL, HUGE_VAL, &p->x, e) < 0 ||
            scn__csv_double(r, col[P_Y], "y", -HUGE_VAL, HUGE_VAL, &p->y, e) < 0)
            return -1;
        p->weight = 1;
        if (col[P_WEIGHT] >= 0 &&
            scn__csv_double(r, col[P_WEIGHT], "weight", 0, HUGE_VAL, &p->weight, e) < 0)
            return -1;
        const char *g = col[P_GRID] >= 0 ? csvr_get(r, col[P_GRID]) : "";
        if (*g) {
            p->grid = scn_grid_find(s, g);
            if (p->grid < 0)
                return csvr_error(r, col[P_GRID], "grid", e, "unknown grid '%s' (not in the "
                                  "grid table)", g);
        } else {
            p->grid = geo_index_locate(s->grid_index, p->x, p->y);
            if (p->grid < 0)
                return csvr_error(r, col[P_X], "x", e, "point '%s' at (%.6g, %.6g) km lies in "
                                  "no grid; move it or name its grid in a grid column", p->id,
                                  p->x, p->y);
        }
        s->n_points++;
    }
    if (s->n_points == 0)
        return err_set(e, "%s: no data rows after the header; the table needs at least one "
                       "point", csvr_path(r));
    return 0;
}

static int check_ids(const struct scn *s, const char *path, struct perr *e)
{
    struct pref *ix = xmalloc((size_t)s->n_points * sizeof *ix);
    for (int i = 0; i < s->n_points; i++)
        ix[i] = (struct pref){ s->points[i].id, i };
    qsort(ix, (size_t)s->n_points, sizeof *ix, cmp_pref);
    /* Sorted by (id, row): a run of one id starts at its first row and its
     * second element is the id's first repeat; report the earliest repeat. */
    int rc = 0, worst = -1, first = -1;
    for (int k = 1; k < s->n_points; k++)
        if (strcmp(ix[k].id, ix[k - 1].id) == 0 && (k < 2 || strcmp(ix[k].id, ix[k - 2].id)) &&
            (worst < 0 || ix[k].i < worst)) {
            worst = ix[k].i;
            first = ix[k - 1].i;
        }
    if (worst >= 0)
        rc = err_set(e, "%s:%d: duplicate point id '%s' (first at line %d)", path,
                     s->points[worst].line, s->points[worst].id, s->points[first].line);
    free(ix);
    return rc;
}

int scn__load_points(struct scn *s, struct perr *e)
{
    if (!s->points_file) {
        if (s->location == LOC_POINTS)
            return key_err(s, "location", e, "'points' needs a table of points: set "
                           "[incidents] points = FILE (CSV id,x,y,weight[,grid])");
        return 0;
    }
    static const char *const known[] = { "id", "x", "y", "weight", "grid", NULL };
    static const char *const required[] = { "id", "x", "y", NULL };
    const char *path = scn__path(s, s->points_file);
    int col[6];
    struct csvr *r = csvr_open(path, e);
    if (!r)
        return -1;
    scn__input_add(s, path);
    int rc = csvr_header(r, known, required, col, e);
    if (rc == 0)
        rc = read_rows(s, r, col, e);
    csvr_close(r);
    if (rc < 0 || check_ids(s, path, e) < 0)
        return -1;
    /* On a road model a point is held to the facilities' rules: near a node
     * of the served network (trv.h). */
    for (int i = 0; i < s->n_points; i++) {
        char why[256];
        if (s->trv && trv_road_check_point(s->trv, s->points[i].x, s->points[i].y, why, sizeof why) < 0)
            return err_set(e, "%s:%d: point '%s' %s", path, s->points[i].line, s->points[i].id,
                           why);
    }
    if (s->location != LOC_POINTS)
        return 0;
    if (strcmp(s->source, "poisson") != 0)
        return key_err(s, "location", e, "'points' places incidents of source = poisson; "
                       "nhpp and replay place their own");
    if (s->streams->grid_weights_file)
        return key_err(s, "grid_weights", e, "cannot be used with location = points: the "
                       "points' weights give the grids' shares");
    double sum = 0;
    for (int g = 0; g < s->n_grids; g++)
        s->grids[g].weight = 0;
    for (int i = 0; i < s->n_points; i++) {
        sum += s->points[i].weight;
        s->grids[s->points[i].grid].weight += s->points[i].weight;
    }
    if (!(sum > 0))
        return err_set(e, "%s: every weight is 0; with [incidents] location = points at "
                       "least one point needs weight > 0", path);
    return 0;
}
