/* nhpp.c - the "nhpp" incident source: a non-homogeneous Poisson process.
 *
 * Rate at time t (minutes from [incidents] start, a local calendar time):
 *   lambda(t) = rate_per_day / 1440 x factor[weekday][hour] x month[month]
 * with the profile normalised to mean 1 over a week and the seasonal
 * factors to a day-weighted mean of 1 over a year (streams.c), so
 * rate_per_day is the long-run mean number of incidents per day.
 *
 * Arrivals by thinning (Lewis and Shedler): candidates of a homogeneous
 * process at lambda_max = the largest rate anywhere, each kept with
 * probability lambda(t) / lambda_max.  Candidates and acceptance draws come
 * from two streams (RNG_ARRIVALS, RNG_THINNING), places, types and on-scene
 * times from three more, all keyed by (seed, replication) only: the stream
 * never depends on units or dispatch, so layouts compared on one seed face
 * the same incidents.  Expected cost: lambda_max / mean lambda candidates
 * per incident (about 2-3 for a police day curve).
 *
 * Creation times are rounded to the millisecond, places to the millimetre and
 * on-scene times to 1e-6 minutes: the resolution `patrolsim gen` writes, so
 * a generated file replays to exactly the same incidents (and parses fast).
 *
 * Places: a grid by weight then a uniform point in it, a uniform point over
 * the area (as the poisson source), or -- with [nhpp] hotspots -- a hotspot
 * by weight then a Gaussian offset of sd_km in x and y, redrawn until it
 * falls in a grid (hotspot centres lie in grids, so this ends).
 */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_randist.h>
#include "inc_priv.h"
#include "rng.h"
#include "ts.h"

struct nhpp {
    const struct scn *s;
    const struct nhpp_cfg *c;
    gsl_rng *arr, *thin, *loc, *typ, *svc;
    gsl_ran_discrete_t *type_pick, *grid_pick, *hot_pick;
    double t, horizon, base, lam_max;   /* per minute */
    uint64_t seq;
};

static void nhpp_close(void *state)
{
    struct nhpp *p = state;
    if (!p)
        return;
    gsl_rng_free(p->arr); gsl_rng_free(p->thin); gsl_rng_free(p->loc);
    gsl_rng_free(p->typ); gsl_rng_free(p->svc);
    if (p->type_pick) gsl_ran_discrete_free(p->type_pick);
    if (p->grid_pick) gsl_ran_discrete_free(p->grid_pick);
    if (p->hot_pick) gsl_ran_discrete_free(p->hot_pick);
    free(p);
}

static void *nhpp_open(const struct scn *s, uint64_t seed, int rep, struct perr *e)
{
    struct nhpp *p = xcalloc(1, sizeof *p);
    const struct nhpp_cfg *c = &s->streams->nh;
    p->s = s;
    p->c = c;
    p->arr = rng_stream_new(seed, (uint64_t)rep, RNG_ARRIVALS);
    p->thin = rng_stream_new(seed, (uint64_t)rep, RNG_THINNING);
    p->loc = rng_stream_new(seed, (uint64_t)rep, RNG_LOCATIONS);
    p->typ = rng_stream_new(seed, (uint64_t)rep, RNG_TYPES);
    p->svc = rng_stream_new(seed, (uint64_t)rep, RNG_SERVICE);
    p->type_pick = inc__type_table(s, e);
    if (!p->type_pick)
        goto fail;
    if (c->n_hot) {
        double *w = xmalloc((size_t)c->n_hot * sizeof *w);
        for (int i = 0; i < c->n_hot; i++)
            w[i] = c->hot[i].weight;
        p->hot_pick = gsl_ran_discrete_preproc((size_t)c->n_hot, w);
        free(w);
        if (!p->hot_pick) {
            err_set(e, "%s: cannot prepare the hotspot weights", s->ini_path);
            goto fail;
        }
    } else if (s->location == LOC_GRID_WEIGHT && !(p->grid_pick = inc__grid_table(s, e))) {
        goto fail;
    }
    p->horizon = s->horizon_days * 1440.0;
    p->base = s->rate_per_day / 1440.0;
    p->lam_max = p->base * c->max_factor;
    return p;
fail:
    nhpp_close(p);
    return NULL;
}

/* Rounded to 6 decimals (1 mm, 0.06 s): what `patrolsim gen` writes, so a
 * generated file replays to the same doubles.  round(v * 1e6) / 1e6 is the
 * double nearest to the 6-decimal text, which is what parsing it gives. */
static double q6(double v)
{
    return round(v * 1e6) / 1e6;
}

static double rate(const struct nhpp *p, double t)
{
    struct ts_civil cv;
    ts_to_civil(p->s->start_ms + (int64_t)floor(t * (double)TS_MS_MIN), &cv);
    return p->base * p->c->factor[cv.wday][cv.h] * p->c->month[cv.mon - 1];
}

static int nhpp_next(void *state, struct inc *out, struct perr *e)
{
    (void)e;
    struct nhpp *p = state;
    const struct scn *s = p->s;
    const struct nhpp_cfg *c = p->c;
    for (;;) {
        p->t += rng_exponential(p->arr, 1.0 / p->lam_max);
        if (p->t >= p->horizon)
            return 0;
        if (rng_u01(p->thin) * p->lam_max < rate(p, p->t))
            break;
    }
    double t = (double)llround(p->t * (double)TS_MS_MIN) / (double)TS_MS_MIN;
    if (t >= p->horizon)
        return 0;
    out->seq = p->seq++;
    out->t = t;
    out->type = s->n_itypes > 1 ? (int)gsl_ran_discrete(p->typ, p->type_pick) : 0;
    out->prio_idx = s->itypes[out->type].prio_idx;
    if (c->n_hot) {
        const struct nhpp_hotspot *h = &c->hot[gsl_ran_discrete(p->loc, p->hot_pick)];
        do {
            out->x = q6(h->x + gsl_ran_gaussian(p->loc, h->sd_km));
            out->y = q6(h->y + gsl_ran_gaussian(p->loc, h->sd_km));
            out->grid = geo_index_locate(s->grid_index, out->x, out->y);
        } while (out->grid < 0);
    } else if (s->location == LOC_GRID_WEIGHT) {
        /* A point rounded onto the grid's edge may belong to its neighbour:
         * draw again, so the grid is the one the point lies in. */
        out->grid = (int)gsl_ran_discrete(p->loc, p->grid_pick);
        const struct geo_poly *poly = &s->grids[out->grid].poly;
        do {
            geo_poly_sample(poly, p->loc, &out->x, &out->y);
            out->x = q6(out->x);
            out->y = q6(out->y);
        } while (!geo_poly_contains(poly, out->x, out->y));
    } else {
        out->x = q6(s->xmin + (s->xmax - s->xmin) * gsl_rng_uniform(p->loc));
        out->y = q6(s->ymin + (s->ymax - s->ymin) * gsl_rng_uniform(p->loc));
        out->grid = geo_index_locate(s->grid_index, out->x, out->y);
    }
    out->service_min = fmax(q6(inc_draw_service(&s->itypes[out->type], p->svc)), 1e-6);
    return 1;
}

const struct inc_source_type inc__nhpp_type = {
    "nhpp", nhpp_open, nhpp_next, nhpp_close, NULL,
};
