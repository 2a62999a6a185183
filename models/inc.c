/* inc.c - the incident-source registry and the homogeneous Poisson source.
 *
 * poisson: exponential inter-arrival times at [incidents] rate_per_day over
 * [0, horizon); a type by share; a place by grid weight then uniform inside
 * the grid, or uniform over the study area (location = area).  Each of the
 * four draws has its own stream, drawn POISSON_BATCH incidents ahead in a
 * tight loop per stream (the values are those of drawing one incident at a
 * time; tests/test_incsrc.c holds them to it).  Cost: about 125
 * instructions an incident besides the grid lookup's own (callgrind,
 * bench-city S=8), 164 when drawn one at a time.  The other sources live in
 * nhpp.c and replay.c; the weight tables here are shared with nhpp.
 */
#include <math.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "hot.h"
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

/* Incidents are drawn POISSON_BATCH at a time, each stream's draws for the
 * whole batch in one loop (see poisson_refill), and handed out one by one. */
#define POISSON_BATCH 64

struct poisson {
    const struct scn *s;
    gsl_rng *arr, *loc, *typ, *svc;
    gsl_ran_discrete_t *type_pick, *grid_pick;
    double t;               /* creation time of the last incident handed out, minutes */
    double horizon;         /* minutes */
    double gap_mean;        /* minutes between arrivals: 1 / (rate per minute) */
    double x0, y0, w, h;    /* location = area: the study area, km (in this order, so
                               that x and y are computed as one SIMD pair) */
    uint64_t seq;           /* of the next incident handed out */
    bool svc_exp;           /* every type's on-scene time is exponential */
    size_t at;              /* next of the batch to hand out; POISSON_BATCH: none left */
    /* The batch: gap since the incident before (minutes), on-scene time
     * (minutes), the point (x, y pairs, km), and its grid, type and
     * priority index (together, in the order of struct inc). */
    double gap[POISSON_BATCH], sb[POISSON_BATCH];
    double xyb[2 * POISSON_BATCH];
    struct { int grid, type, prio_idx; } gtp[POISSON_BATCH];
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
    p->svc_exp = true;
    for (int i = 0; i < s->n_itypes; i++)
        p->svc_exp = p->svc_exp && s->itypes[i].dist == SVC_EXPONENTIAL;
    for (int k = 0; k < POISSON_BATCH; k++)
        p->gtp[k].prio_idx = s->itypes[0].prio_idx;   /* type 0 */
    p->at = POISSON_BATCH;
    return p;
}

/* The next POISSON_BATCH incidents into the batch.  Each stream gets the
 * same draws in the same order as drawing one incident at a time would
 * give it (each value is the one place() and inc_draw_service() make, on
 * the same stream, inlined for the common case of exponential service and
 * a uniform point over the area), so the incidents are the same; the
 * streams are independent, so which stream draws its batch first does not
 * matter.  Batching pays because the exponential and uniform draws come
 * from rng_exponential_fill / rng_u01_fill, which keep the generator in
 * registers, and the per-incident branches run once a batch.
 *
 * Drawing ahead is safe because the four generators belong to this source
 * alone: nothing else draws from them between two calls, and nothing reads
 * them after the stream ends (poisson_close frees them), so the draws for
 * the incidents of the last batch past the horizon are never seen. */
static void poisson_refill(struct poisson *p)
{
    const struct scn *s = p->s;
    rng_exponential_fill(p->arr, p->gap_mean, p->gap, POISSON_BATCH);
    /* One type: nothing to draw (the type stream is used by nothing else),
     * and type and prio_idx keep what poisson_open put there. */
    if (s->n_itypes > 1)
        for (int k = 0; k < POISSON_BATCH; k++) {
            int type = (int)gsl_ran_discrete(p->typ, p->type_pick);
            p->gtp[k].type = type;
            p->gtp[k].prio_idx = s->itypes[type].prio_idx;
        }
    if (p->svc_exp && s->n_itypes == 1) {
        rng_exponential_fill(p->svc, s->itypes[0].mean_min, p->sb, POISSON_BATCH);
    } else if (p->svc_exp) {
        /* mean * (1 * Exp(1)) is exactly rng_exponential(svc, mean) */
        rng_exponential_fill(p->svc, 1.0, p->sb, POISSON_BATCH);
        for (int k = 0; k < POISSON_BATCH; k++)
            p->sb[k] *= s->itypes[p->gtp[k].type].mean_min;
    } else {
        for (int k = 0; k < POISSON_BATCH; k++) {
            const struct scn_itype *it = &s->itypes[p->gtp[k].type];
            /* Our streams are xoshiro256**, so this is inc_draw_service's value. */
            p->sb[k] = it->dist == SVC_EXPONENTIAL ? rng_exponential(p->svc, it->mean_min)
                                                   : inc_draw_service(it, p->svc);
        }
    }
    /* The grid lookup here too, so that poisson_next calls nothing. */
    if (s->location == LOC_AREA) {
        rng_u01_fill(p->loc, p->xyb, 2 * POISSON_BATCH);
        for (int k = 0; k < POISSON_BATCH; k++) {
            double x = p->x0 + p->w * p->xyb[2 * k];
            double y = p->y0 + p->h * p->xyb[2 * k + 1];
            p->xyb[2 * k] = x;
            p->xyb[2 * k + 1] = y;
            p->gtp[k].grid = geo_index_locate(s->grid_index, x, y);
        }
        return;
    }
    struct inc in;
    for (int k = 0; k < POISSON_BATCH; k++) {
        place(s, p->loc, p->grid_pick, &in);
        p->xyb[2 * k] = in.x;
        p->xyb[2 * k + 1] = in.y;
        p->gtp[k].grid = in.grid;
    }
}

static int poisson_next(void *state, struct inc *out, struct perr *e);

/* poisson_next once the batch is spent.  Apart and not inlined, so that
 * poisson_next's common path calls nothing and needs no stack frame (it
 * jumps here). */
PS_COLD static int poisson_next_refilled(struct poisson *p, struct inc *out,
                                          struct perr *e)
{
    poisson_refill(p);
    p->at = 0;
    return poisson_next(p, out, e);
}

/* The hot path of every synthetic run: the next of the batch.  The fields
 * a replay alone fills (obs_*) are left as they are. */
static int poisson_next(void *state, struct inc *out, struct perr *e)
{
    struct poisson *p = state;
    size_t k = p->at;
    if (k == POISSON_BATCH)
        return poisson_next_refilled(p, out, e);
    double t = p->t + p->gap[k];
    if (t >= p->horizon)
        return 0;               /* at stays: every later call ends here too */
    p->t = t;
    p->at = k + 1;
    out->seq = p->seq++;
    out->t = t;
    out->service_min = p->sb[k];
    out->x = p->xyb[2 * k];
    out->y = p->xyb[2 * k + 1];
    out->grid = p->gtp[k].grid;
    out->type = p->gtp[k].type;
    out->prio_idx = p->gtp[k].prio_idx;
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
