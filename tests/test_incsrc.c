/* test_incsrc.c - the poisson incident source gives every incident exactly
 * the values of its draws made one at a time.
 *
 * The source draws ahead in batches (models/inc.c); this test is the
 * reference it must match bit for bit: per incident an exponential gap from
 * the arrival stream, a type by share from the type stream, an on-scene time
 * from the service stream and a place from the location stream, each stream
 * opened as poisson_open opens it and drawn with rng_exponential, rng_u01,
 * gsl_ran_discrete, geo_poly_sample and inc_draw_service in incident order.
 * The cases cover a uniform point over the area with one exponential type,
 * grid weights with lognormal / gamma / fixed / exponential types, demand
 * points with exponential types of three means, many refills, draws that
 * take the ziggurat's slow path (counted, so the test knows it met them),
 * and horizons that end the stream after every count of incidents from 0
 * to 99, so at every position of any batch up to that size.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include "geo.h"
#include "inc.h"
#include "rng.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"

static char cwd[1024];

/* The reference: poisson's draws one incident at a time. */
struct ref {
    const struct scn *s;
    gsl_rng *arr, *loc, *typ, *svc, *peek;
    gsl_ran_discrete_t *types, *places;
    double t, horizon, gap_mean;
    uint64_t seq;
    long slow;              /* exponential draws that took the ziggurat's slow path */
    long tail;              /* ... and drew from its tail */
};

/* The alias table of weights w[0..n), as poisson_open builds it. */
static gsl_ran_discrete_t *table(const double *w, int n)
{
    return gsl_ran_discrete_preproc((size_t)n, w);
}

static void ref_open(struct ref *r, const struct scn *s, uint64_t seed, int rep)
{
    memset(r, 0, sizeof *r);
    r->s = s;
    r->arr = rng_stream_new(seed, (uint64_t)rep, RNG_ARRIVALS);
    r->loc = rng_stream_new(seed, (uint64_t)rep, RNG_LOCATIONS);
    r->typ = rng_stream_new(seed, (uint64_t)rep, RNG_TYPES);
    r->svc = rng_stream_new(seed, (uint64_t)rep, RNG_SERVICE);
    r->peek = rng_stream_new(0, 0, 0);
    double w[64];
    PS_ASSERT(s->n_itypes <= 64 && s->n_grids <= 64 && s->n_points <= 64);
    for (int i = 0; i < s->n_itypes; i++)
        w[i] = s->itypes[i].share;
    r->types = table(w, s->n_itypes);
    if (s->location == LOC_GRID_WEIGHT) {
        for (int g = 0; g < s->n_grids; g++)
            w[g] = s->grids[g].weight;
        r->places = table(w, s->n_grids);
    } else if (s->location == LOC_POINTS) {
        for (int i = 0; i < s->n_points; i++)
            w[i] = s->points[i].weight;
        r->places = table(w, s->n_points);
    }
    r->horizon = s->horizon_days * 1440.0;
    r->gap_mean = 1.0 / (s->rate_per_day / 1440.0);
}

static void ref_close(struct ref *r)
{
    gsl_rng_free(r->arr); gsl_rng_free(r->loc); gsl_rng_free(r->typ);
    gsl_rng_free(r->svc); gsl_rng_free(r->peek);
    gsl_ran_discrete_free(r->types);
    if (r->places)
        gsl_ran_discrete_free(r->places);
}

/* Counts whether the next rng_exp1 of g leaves the ziggurat's fast path,
 * and whether into the tail (read on a copy, so g does not move). */
static void zig_slow(struct ref *r, gsl_rng *g)
{
    gsl_rng_memcpy(r->peek, g);
    uint64_t b = rng_next64(r->peek);
    int slow = (b >> 11) >= rng__zke[b & 255];
    r->slow += slow;
    r->tail += slow && (b & 255) == 0;
}

static int ref_next(struct ref *r, struct inc *out)
{
    const struct scn *s = r->s;
    zig_slow(r, r->arr);
    r->t = r->t + rng_exponential(r->arr, r->gap_mean);
    if (r->t >= r->horizon)
        return 0;
    out->seq = r->seq++;
    out->t = r->t;
    out->type = s->n_itypes > 1 ? (int)gsl_ran_discrete(r->typ, r->types) : 0;
    const struct scn_itype *it = &s->itypes[out->type];
    out->prio_idx = it->prio_idx;
    if (it->dist == SVC_EXPONENTIAL) {
        zig_slow(r, r->svc);
        out->service_min = rng_exponential(r->svc, it->mean_min);
    } else {
        out->service_min = inc_draw_service(it, r->svc);
    }
    if (s->location == LOC_GRID_WEIGHT) {
        out->grid = (int)gsl_ran_discrete(r->loc, r->places);
        geo_poly_sample(&s->grids[out->grid].poly, r->loc, &out->x, &out->y);
    } else if (s->location == LOC_POINTS) {
        const struct scn_point *pt = &s->points[gsl_ran_discrete(r->loc, r->places)];
        out->x = pt->x;
        out->y = pt->y;
        out->grid = pt->grid;
    } else {
        out->x = s->xmin + (s->xmax - s->xmin) * rng_u01(r->loc);
        out->y = s->ymin + (s->ymax - s->ymin) * rng_u01(r->loc);
        out->grid = geo_index_locate(s->grid_index, out->x, out->y);
    }
    return 1;
}

/* Bit for bit, so that a difference in the last place shows. */
static int same(const struct inc *a, const struct inc *b)
{
    return a->seq == b->seq && memcmp(&a->t, &b->t, sizeof a->t) == 0 &&
           memcmp(&a->x, &b->x, sizeof a->x) == 0 && memcmp(&a->y, &b->y, sizeof a->y) == 0 &&
           a->grid == b->grid && a->type == b->type && a->prio_idx == b->prio_idx &&
           memcmp(&a->service_min, &b->service_min, sizeof a->service_min) == 0;
}

struct cmp {
    long n;                 /* incidents of the source */
    long ref_n;             /* incidents of the reference */
    long first_bad;         /* first incident that differs, -1 none */
    struct inc got, want;   /* at first_bad */
    long slow, tail;
    int ends_twice;         /* after the end, two more calls return 0 */
};

static void compare(const struct scn *s, uint64_t seed, int rep, struct cmp *c)
{
    const struct inc_source_type *src = inc_source_find("poisson");
    struct perr e = { "" };
    memset(c, 0, sizeof *c);
    c->first_bad = -1;
    void *st = src->open(s, seed, rep, &e);
    if (!st) {                  /* reported only when it fails: called 100 times */
        CHECK(0, "poisson opens (%s)", e.msg);
        c->first_bad = 0;
        return;
    }
    struct ref r;
    ref_open(&r, s, seed, rep);
    for (;;) {
        struct inc got, want;
        memset(&got, 0, sizeof got);
        memset(&want, 0, sizeof want);
        int a = src->next(st, &got, &e), b = ref_next(&r, &want);
        c->n += a == 1;
        c->ref_n += b == 1;
        if (a != 1 || b != 1) {
            if (a != b && c->first_bad < 0)
                c->first_bad = c->n;
            break;
        }
        if (c->first_bad < 0 && !same(&got, &want)) {
            c->first_bad = c->n - 1;
            c->got = got;
            c->want = want;
        }
    }
    struct inc in;
    c->ends_twice = src->next(st, &in, &e) == 0 && src->next(st, &in, &e) == 0;
    c->slow = r.slow;
    c->tail = r.tail;
    ref_close(&r);
    src->close(st);
}

static void report(const char *name, const struct cmp *c)
{
    CHECK(c->n == c->ref_n, "%s: %ld incidents, the reference %ld", name, c->n, c->ref_n);
    if (c->first_bad < 0)
        CHECK(1, "%s: all %ld incidents are the reference's, bit for bit", name, c->n);
    else
        CHECK(0, "%s: incident %ld differs: t %a / %a, service %a / %a, x %a / %a, "
              "y %a / %a, grid %d / %d, type %d / %d, seq %llu / %llu", name, c->first_bad,
              c->got.t, c->want.t, c->got.service_min, c->want.service_min, c->got.x,
              c->want.x, c->got.y, c->want.y, c->got.grid, c->want.grid, c->got.type,
              c->want.type, (unsigned long long)c->got.seq, (unsigned long long)c->want.seq);
    CHECK(c->ends_twice, "%s: the ended stream stays ended", name);
}

/* A scenario over the replay fixtures' four grids (0..4 km square). */
static char *scenario(const char *types_csv, const char *incidents, const char *points_csv)
{
    char *d = tu_tmpdir(), buf[4096];
    tu_write(d, "units.csv", "id,base,mode\nU1,S1,car\nU2,S1,car\n");
    tu_write(d, "incident_types.csv", types_csv);
    if (points_csv)
        tu_write(d, "points.csv", points_csv);
    snprintf(buf, sizeof buf,
             "[scenario]\nname = incsrc test\n[run]\nseed = 20261201\nhorizon_days = 8.3\n"
             "[tables]\ngrids = %s/tests/fixtures/replay/common/grids.csv\n"
             "facilities = %s/tests/fixtures/replay/common/facilities.csv\n"
             "[modes]\ncar = 30\n[incidents]\nsource = poisson\n%s",
             cwd, cwd, incidents);
    tu_write(d, "scenario.ini", buf);
    return d;
}

static struct scn *load(const char *dir, const char *const *sets)
{
    struct scn_override ov[4];
    char buf[4][TU_SET_LEN];
    int n_ov = sets ? tu_overrides(sets, ov, buf) : 0;
    struct perr e = { "" };
    struct scn *s = scn_load(dir, ov, n_ov, &e);
    if (!s)                     /* reported only when it fails, as above */
        CHECK(0, "%s loads (%s)", dir, e.msg);
    return s;
}

static const char one_type[] =
    "id,priority,share,service,mean_min,target_min\ncall,1,1,exponential,30,15\n";

/* ~19800 incidents: about 300 refills of any batch size up to 64, and
 * slow-path draws on both exponential streams. */
static void test_area(void)
{
    char *d = scenario(one_type, "rate_per_day = 2385.7\nlocation = area\n", NULL);
    struct scn *s = load(d, NULL);
    if (s) {
        struct cmp c;
        compare(s, s->seed, 3, &c);
        report("area", &c);
        CHECK(c.n > 19000, "area: many incidents (%ld)", c.n);
        CHECK(c.slow > 100 && c.tail > 0, "area: %ld draws took the ziggurat's slow path, "
              "%ld of them its tail", c.slow, c.tail);
        compare(s, 7, 0, &c);
        report("area, another seed", &c);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

/* The scenario folder d (freed here) through replication rep: the same
 * incidents as one draw at a time, at least min_n of them and some from
 * the ziggurat's slow path. */
static void one_case(char *d, const char *what, int rep, long min_n)
{
    struct scn *s = load(d, NULL);
    if (s) {
        struct cmp c;
        compare(s, s->seed, rep, &c);
        report(what, &c);
        CHECK(c.n > min_n, "%s: many incidents (%ld)", what, c.n);
        CHECK(c.slow > 10, "%s: %ld slow-path draws", what, c.slow);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

/* Grid weights, and on-scene times of every kind: the service stream mixes
 * exponential draws with GSL's lognormal and gamma ones. */
static void test_mixed(void)
{
    char *d = scenario("id,priority,share,service,mean_min,sd_min,target_min\n"
                       "theft,2,5,lognormal,40,20,15\nfight,1,3,gamma,30,12,10\n"
                       "noise,3,2,exponential,15,,30\nalarm,2,1.385,fixed,12,,20\n"
                       "check,3,2.25,exponential,22.5,,40\n",
                       "rate_per_day = 611.3\nlocation = grid_weight\n", NULL);
    one_case(d, "grid weights, mixed service", 1, 4500);
}

/* Demand points, and several exponential types (whose draws share one
 * batch of standard exponentials scaled by each type's mean). */
static void test_points(void)
{
    char *d = scenario("id,priority,share,service,mean_min,target_min\n"
                       "a,1,2.385,exponential,41.5,10\nb,2,1.5,exponential,17.25,20\n"
                       "c,3,0.75,exponential,63,30\n",
                       "rate_per_day = 733.9\nlocation = points\npoints = points.csv\n",
                       "id,x,y,weight\nP1,0.5,0.5,2.385\nP2,3.25,1.5,1.25\nP3,1.75,3.5,0.615\n"
                       "P4,3.9,3.9,4\n");
    one_case(d, "points, exponential types", 2, 5500);
}

/* Horizons between the k-th and (k+1)-th arrival for k = 0..99: the stream
 * ends after exactly k incidents, wherever that falls in a batch. */
static void test_horizons(void)
{
    enum { K = 100 };
    char *d = scenario(one_type, "rate_per_day = 2385.7\nlocation = area\n", NULL);
    double at[K + 1];
    gsl_rng *arr = rng_stream_new(20261201, 0, RNG_ARRIVALS);
    double t = 0, gap_mean = 1.0 / (2385.7 / 1440.0);
    for (int k = 0; k <= K; k++)
        at[k] = t = t + rng_exponential(arr, gap_mean);
    gsl_rng_free(arr);
    int counts_ok = 0, same_ok = 0, ended_ok = 0;
    for (int k = 0; k < K; k++) {
        char set[TU_SET_LEN];
        double lo = k ? at[k - 1] : 0, hi = at[k];
        snprintf(set, sizeof set, "run.horizon_days=%.17g", (lo + hi) / 2 / 1440.0);
        const char *sets[] = { set, NULL };
        struct scn *s = load(d, sets);
        if (!s)
            continue;
        struct cmp c;
        compare(s, s->seed, 0, &c);
        counts_ok += c.n == k && c.ref_n == k;
        same_ok += c.first_bad < 0;
        ended_ok += c.ends_twice;
        if ((c.n != k || c.first_bad >= 0) && counts_ok + same_ok == 2 * k)
            report(set, &c);    /* the first horizon that fails, in detail */
        scn_free(s);
    }
    CHECK(counts_ok == K, "horizons: %d of %d end after exactly k incidents", counts_ok, K);
    CHECK(same_ok == K, "horizons: %d of %d give the reference's incidents", same_ok, K);
    CHECK(ended_ok == K, "horizons: %d of %d stay ended", ended_ok, K);
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    if (!getcwd(cwd, sizeof cwd))
        return 1;
    test_area();
    test_mixed();
    test_points();
    test_horizons();
    return tc_done();
}
