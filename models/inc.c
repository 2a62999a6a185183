/* inc.c - the incident-source registry and the homogeneous Poisson source.
 *
 * poisson: exponential inter-arrival times at [incidents] rate_per_day over
 * [0, horizon); a type by share; a place by grid weight then uniform inside
 * the grid, or uniform over the study area (location = area).  Each of the
 * four draws has its own stream.  The other sources live in nhpp.c and
 * replay.c; the weight tables here are shared with nhpp.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "inc_priv.h"
#include "rng.h"

double inc_draw_service(const struct scn_itype *it, gsl_rng *r)
{
    double m = it->mean_min, sd = it->sd_min;
    switch (it->dist) {
    case SVC_EXPONENTIAL:   /* the same value either way; inline on our streams */
        return r->type == rng_xoshiro256ss ? rng_exponential(r, m) : gsl_ran_exponential(r, m);
    case SVC_LOGNORMAL: {
        double s2 = log1p(sd * sd / (m * m));
        return gsl_ran_lognormal(r, log(m) - s2 / 2, sqrt(s2));
    }
    case SVC_GAMMA:
        return gsl_ran_gamma(r, m * m / (sd * sd), sd * sd / m);
    case SVC_FIXED:
        return m;
    case SVC_EMPIRICAL:
        return gsl_histogram_pdf_sample(it->emp, gsl_rng_uniform(r));
    }
    PS_ASSERT(!"unknown service distribution");
    return 0;
}

struct poisson {
    const struct scn *s;
    gsl_rng *arr, *loc, *typ, *svc;
    gsl_ran_discrete_t *type_pick, *grid_pick;
    double t, horizon;
    double gap_mean;        /* minutes between arrivals: 1 / (rate per minute) */
    double x0, w, y0, h;    /* location = area: the study area */
    uint64_t seq;
};

static void poisson_close(void *state)
{
    struct poisson *p = state;
    if (!p)
        return;
    gsl_rng_free(p->arr); gsl_rng_free(p->loc);
    gsl_rng_free(p->typ); gsl_rng_free(p->svc);
    if (p->type_pick) gsl_ran_discrete_free(p->type_pick);
    if (p->grid_pick) gsl_ran_discrete_free(p->grid_pick);
    free(p);
}

gsl_ran_discrete_t *inc__type_table(const struct scn *s, struct perr *e)
{
    double *w = xmalloc((size_t)s->n_itypes * sizeof *w);
    for (int i = 0; i < s->n_itypes; i++)
        w[i] = s->itypes[i].share;
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc((size_t)s->n_itypes, w);
    free(w);
    if (!t)
        err_set(e, "%s: cannot prepare the incident type shares", s->ini_path);
    return t;
}

gsl_ran_discrete_t *inc__grid_table(const struct scn *s, struct perr *e)
{
    double *w = xmalloc((size_t)s->n_grids * sizeof *w);
    for (int g = 0; g < s->n_grids; g++)
        w[g] = s->grids[g].weight;
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc((size_t)s->n_grids, w);
    free(w);
    if (!t)
        err_set(e, "%s: cannot prepare the grid weights", s->ini_path);
    return t;
}

/* Point weights (location = points), as the grid table above. */
static gsl_ran_discrete_t *points_table(const struct scn *s, struct perr *e)
{
    double *w = xmalloc((size_t)s->n_points * sizeof *w);
    for (int i = 0; i < s->n_points; i++)
        w[i] = s->points[i].weight;
    gsl_ran_discrete_t *t = gsl_ran_discrete_preproc((size_t)s->n_points, w);
    free(w);
    if (!t)
        err_set(e, "%s: cannot prepare the point weights", s->ini_path);
    return t;
}

/* A grid by weight then a uniform point in it, a uniform point over the
 * study area, or a demand point by weight (grid_pick then holds the point
 * weights). */
static void place(const struct scn *s, gsl_rng *loc, gsl_ran_discrete_t *grid_pick,
                  struct inc *out)
{
    if (s->location == LOC_GRID_WEIGHT) {
        out->grid = (int)gsl_ran_discrete(loc, grid_pick);
        geo_poly_sample(&s->grids[out->grid].poly, loc, &out->x, &out->y);
    } else if (s->location == LOC_POINTS) {
        const struct scn_point *pt = &s->points[gsl_ran_discrete(loc, grid_pick)];
        out->x = pt->x;
        out->y = pt->y;
        out->grid = pt->grid;
    } else {
        out->x = s->xmin + (s->xmax - s->xmin) * rng_u01(loc);
        out->y = s->ymin + (s->ymax - s->ymin) * rng_u01(loc);
        out->grid = geo_index_locate(s->grid_index, out->x, out->y);
    }
}

static void *poisson_open(const struct scn *s, uint64_t seed, int rep, struct perr *e)
{
    struct poisson *p = xcalloc(1, sizeof *p);
    p->s = s;
    p->arr = rng_stream_new(seed, (uint64_t)rep, RNG_ARRIVALS);
    p->loc = rng_stream_new(seed, (uint64_t)rep, RNG_LOCATIONS);
    p->typ = rng_stream_new(seed, (uint64_t)rep, RNG_TYPES);
    p->svc = rng_stream_new(seed, (uint64_t)rep, RNG_SERVICE);
    p->type_pick = inc__type_table(s, e);
    if (!p->type_pick ||
        (s->location == LOC_GRID_WEIGHT && !(p->grid_pick = inc__grid_table(s, e))) ||
        (s->location == LOC_POINTS && !(p->grid_pick = points_table(s, e)))) {
        poisson_close(p);
        return NULL;
    }
    p->horizon = s->horizon_days * 1440.0;
    p->gap_mean = 1.0 / (s->rate_per_day / 1440.0);
    p->x0 = s->xmin;
    p->w = s->xmax - s->xmin;
    p->y0 = s->ymin;
    p->h = s->ymax - s->ymin;
    return p;
}

/* The hot path of every synthetic run: each draw is the one place() and
 * inc_draw_service() make, on the same stream, inlined for the common case
 * (exponential service, a uniform point over the area).  Each stream is
 * its own, so the order of draws across streams is free: the grid lookup
 * comes last, so little is kept across calls. */
static int poisson_next(void *state, struct inc *out, struct perr *e)
{
    (void)e;
    struct poisson *p = state;
    const struct scn *s = p->s;
    double t = p->t + rng_exponential(p->arr, p->gap_mean);
    p->t = t;
    if (t >= p->horizon)
        return 0;
    out->seq = p->seq++;
    out->t = t;
    /* One type: nothing to draw (the type stream is used by nothing else). */
    int type = s->n_itypes > 1 ? (int)gsl_ran_discrete(p->typ, p->type_pick) : 0;
    const struct scn_itype *it = &s->itypes[type];
    out->type = type;
    out->prio_idx = it->prio_idx;
    /* Our streams are xoshiro256**, so this is inc_draw_service's value. */
    out->service_min = it->dist == SVC_EXPONENTIAL ? rng_exponential(p->svc, it->mean_min)
                                                   : inc_draw_service(it, p->svc);
    if (s->location != LOC_AREA) {
        place(s, p->loc, p->grid_pick, out);
        return 1;
    }
    double x = p->x0 + p->w * rng_u01(p->loc);
    double y = p->y0 + p->h * rng_u01(p->loc);
    out->x = x;
    out->y = y;
    out->grid = geo_index_locate(s->grid_index, x, y);
    return 1;
}

static const struct inc_source_type poisson_type = {
    "poisson", poisson_open, poisson_next, poisson_close, NULL,
};

static const struct inc_source_type *const sources[] = {
    &poisson_type, &inc__nhpp_type, &inc__replay_type,
};

const struct inc_source_type *inc_source_find(const char *name)
{
    for (size_t i = 0; i < sizeof sources / sizeof *sources; i++)
        if (strcmp(sources[i]->name, name) == 0)
            return sources[i];
    return NULL;
}
