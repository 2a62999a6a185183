/* test_robust.c - nonsense is warned about, resources are bounded:
 *   - every tests/fixtures/warn/NAME loads and warns with the message in
 *     NAME/expected, and the good fixture loads without any warning;
 *   - the grid-bucketed self-intersection test agrees with the all-pairs
 *     test on random polygons (simple and not, on a lattice so vertices
 *     touch edges) and validates a 100k-vertex polygon in about a second;
 *   - a run whose call rate could never be served (rate_per_day = 1e300,
 *     forced past validation) stops with a clear error at the job cap
 *     instead of exhausting memory;
 *   - the offered load and collapse slots: an overloaded scenario collapses
 *     and says when, a light one does not. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <gsl/gsl_rng.h>
#include "err.h"
#include "geo.h"
#include "ops.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"

#define PI 3.14159265358979323846

#define WARN_DIR "tests/fixtures/warn"

static void test_warn_fixtures(void)
{
    char **names;
    int n = tu_list(WARN_DIR, &names);
    CHECK(n >= 0, "opendir %s", WARN_DIR);
    if (n < 0)
        return;
    CHECK(n >= 10, "at least 10 warning fixtures (%d)", n);
    for (int i = 0; i < n; i++) {
        char dir[512], expected[1024];
        snprintf(dir, sizeof dir, "%s/%s", WARN_DIR, names[i]);
        CHECK(tu_expected(dir, expected, sizeof expected), "%s has an 'expected' file", dir);
        CHECK(expected[0] != '\0', "%s: expected is not empty", names[i]);
        struct perr e = { "" };
        struct scn *s = scn_load(dir, NULL, 0, &e);
        CHECK(s != NULL, "%s loads (%s)", names[i], e.msg);
        if (!s)
            continue;
        const char *const *w;
        int nw = scn_warnings(s, &w), hit = -1;
        for (int k = 0; k < nw; k++)
            if (strstr(w[k], expected))
                hit = k;
        CHECK(hit >= 0, "%s: a warning contains '%s' (%d warnings; first: %s)", names[i],
              expected, nw, nw ? w[0] : "none");
        if (hit >= 0)
            CHECK(strncmp(w[hit], dir, strlen(dir)) == 0, "%s: the warning names the file: %s",
                  names[i], w[hit]);
        scn_free(s);
    }
    tu_names_free(names, n);
}

static void test_good_quiet(void)
{
    struct perr e;
    struct scn *s = scn_load("tests/fixtures/good", NULL, 0, &e);
    CHECK(s != NULL, "good loads");
    if (!s)
        return;
    const char *const *w;
    int nw = scn_warnings(s, &w);
    CHECK(nw == 0, "good fixture: no warnings (%d; %s)", nw, nw ? w[0] : "");
    int nn = scn_notes(s, &w);
    CHECK(nn == 1 && strstr(w[0], "offered load 0.0979"), "good fixture: the offered load "
          "note (%s)", nn ? w[0] : "none");
    scn_free(s);
}

/* Warnings that need a bigger scenario than a fixture: a zone overloaded
 * on its own, and one station without a case team. */
static void test_zone_and_station(void)
{
    static const struct scn_override ov[] = { { "incidents", "rate_per_day", "*20" } };
    struct perr e = { "" };
    struct scn *s = scn_load("scenarios/taizhou-tianloubai/before", ov, 1, &e);
    CHECK(s != NULL, "taizhou before x20 loads (%s)", e.msg);
    if (s) {
        const char *const *w;
        int nw = scn_warnings(s, &w), zone = 0, all = 0;
        for (int i = 0; i < nw; i++) {
            zone += strstr(w[i], "zone 'TMS': offered load 2 > 1") != NULL;
            all += strstr(w[i], "offered load 1.85 > 1") != NULL;
        }
        CHECK(zone == 1, "zone TMS overloaded on its own (%d warnings; %s)", nw, nw ? w[0] : "");
        CHECK(all == 1, "and the whole system (%s)", nw > 1 ? w[nw - 1] : "");
        scn_free(s);
    }
    static const struct scn_override ov2[] = { { "units", "TWP-case1.role", "station_duty" } };
    s = scn_load("scenarios/chongqing-standard", ov2, 1, &e);
    CHECK(s != NULL, "chongqing without TWP's case team loads (%s)", e.msg);
    if (s) {
        const char *const *w;
        int nw = scn_warnings(s, &w), hit = 0;
        for (int i = 0; i < nw; i++)
            hit += strstr(w[i], "station 'TWP' receives handovers of case calls") != NULL;
        CHECK(hit == 1, "station TWP without a case team is named (%d warnings)", nw);
        scn_free(s);
    }
}

/* ---- geometry --------------------------------------------------------------------- */

static int touch(struct geo_pt a, struct geo_pt b, struct geo_pt c, struct geo_pt d)
{
#define OR(p, q, r) ((q.x - p.x) * (r.y - p.y) - (q.y - p.y) * (r.x - p.x))
#define SG(v) (((v) > 0) - ((v) < 0))
#define WI(p, q, r) (fmin(p.x, q.x) <= r.x && r.x <= fmax(p.x, q.x) && \
                     fmin(p.y, q.y) <= r.y && r.y <= fmax(p.y, q.y))
    int o1 = SG(OR(a, b, c)), o2 = SG(OR(a, b, d)), o3 = SG(OR(c, d, a)), o4 = SG(OR(c, d, b));
    if (o1 * o2 < 0 && o3 * o4 < 0)
        return 1;
    return (o1 == 0 && WI(a, b, c)) || (o2 == 0 && WI(a, b, d)) || (o3 == 0 && WI(c, d, a)) ||
           (o4 == 0 && WI(c, d, b));
}

/* The all-pairs reference: adjacent edges folding back, or any two
 * non-adjacent edges sharing a point. */
static int brute_self(const struct geo_pt *v, int n)
{
    for (int i = 0; i < n; i++) {
        struct geo_pt a = v[i], b = v[(i + 1) % n], c = v[(i + 2) % n];
        if (OR(a, b, c) == 0 && (b.x - a.x) * (c.x - b.x) + (b.y - a.y) * (c.y - b.y) < 0)
            return 1;
        for (int j = i + 2; j < n; j++)
            if (!(i == 0 && j == n - 1) && touch(a, b, v[j], v[(j + 1) % n]))
                return 1;
    }
    return 0;
}

static int finish(struct geo_pt *v, int n)
{
    struct geo_poly p = { .v = v, .n = n };
    return geo_poly_finish(&p);
}

static void test_geo_oracle(void)
{
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20261201);
    int agree = 0, trials = 0, simple = 0;
    struct geo_pt *v = xmalloc(400 * sizeof *v), *w = xmalloc(400 * sizeof *w);
    for (int t = 0; t < 600; t++) {
        int n = 64 + (int)gsl_rng_uniform_int(r, 200);
        if (t % 3 == 0) {
            /* Star-shaped around the origin: simple unless radii repeat on a
             * line; on a lattice so vertices can land on other edges. */
            for (int i = 0; i < n; i++) {
                double a = 2 * PI * i / n, rad = 5 + (double)gsl_rng_uniform_int(r, 6);
                v[i] = (struct geo_pt){ round(rad * cos(a) * 4) / 4, round(rad * sin(a) * 4) / 4 };
            }
        } else if (t % 3 == 1) {
            /* A simple star with one spike pushed across a neighbour. */
            for (int i = 0; i < n; i++) {
                double a = 2 * PI * i / n;
                v[i] = (struct geo_pt){ 10 * cos(a), 10 * sin(a) };
            }
            int k = (int)gsl_rng_uniform_int(r, (unsigned long)n);
            if (t % 2)
                v[k] = (struct geo_pt){ -v[k].x * 0.5, -v[k].y * 0.5 };
        } else {
            for (int i = 0; i < n; i++)
                v[i] = (struct geo_pt){ (double)gsl_rng_uniform_int(r, 40),
                                        (double)gsl_rng_uniform_int(r, 40) };
        }
        memcpy(w, v, (size_t)n * sizeof *v);
        /* Only rings that pass the cheaper checks reach the edge test;
         * compare where the reference says "simple" or "not". */
        int zero_edge = 0;
        for (int i = 0; i < n; i++)
            zero_edge |= v[i].x == v[(i + 1) % n].x && v[i].y == v[(i + 1) % n].y;
        if (zero_edge)
            continue;
        int ref = brute_self(v, n), got = finish(w, n) < 0;
        trials++;
        simple += !ref;
        /* finish also rejects zero-area rings; none of these has zero area. */
        agree += ref == got;
    }
    CHECK(trials > 300 && simple > 50 && simple < trials,
          "oracle covers simple and self-intersecting rings (%d of %d simple)", simple, trials);
    CHECK(agree == trials, "grid-bucketed test agrees with all pairs on %d of %d rings", agree,
          trials);
    free(v);
    free(w);
    gsl_rng_free(r);
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static void test_geo_big(void)
{
    int n = 100000;
    struct geo_pt *v = xmalloc((size_t)n * sizeof *v);
    for (int i = 0; i < n; i++) {
        /* A wiggly circle: every vertex at its own angle, radius varying. */
        double a = 2 * PI * i / n, rad = 10 + 0.5 * sin(37 * a) + 0.2 * sin(1001 * a);
        v[i] = (struct geo_pt){ rad * cos(a), rad * sin(a) };
    }
    double t0 = now_s();
    int rc = finish(v, n);
    double dt = now_s() - t0;
    CHECK(rc == 0, "100k-vertex simple polygon is valid");
    CHECK(dt < 5.0, "100k-vertex polygon validated in %.3f s (all pairs: 52 s)", dt);
    printf("# 100k-vertex polygon: %.3f s\n", dt);
    /* The same with two far-apart vertices swapped: edges cross. */
    for (int i = 0; i < n; i++) {
        double a = 2 * PI * i / n, rad = 10 + 0.5 * sin(37 * a) + 0.2 * sin(1001 * a);
        v[i] = (struct geo_pt){ rad * cos(a), rad * sin(a) };
    }
    struct geo_pt tmp = v[100];
    v[100] = v[50000];
    v[50000] = tmp;
    t0 = now_s();
    rc = finish(v, n);
    dt = now_s() - t0;
    CHECK(rc < 0, "100k-vertex polygon with two vertices swapped is self-intersecting");
    CHECK(dt < 5.0, "... rejected in %.3f s", dt);
    free(v);
}

/* ---- resources and collapse --------------------------------------------------------- */

static void test_job_cap(void)
{
    struct perr e = { "" };
    struct scn *s = scn_load("tests/fixtures/good", NULL, 0, &e);
    CHECK(s != NULL, "good loads");
    if (!s)
        return;
    /* What validation refuses (tests/fixtures/bad/sem_rate_huge), forced in
     * to reach the run's own guard. */
    s->rate_per_day = 1e300;
    struct res_layout L;
    ops_layout(s, &L);
    double *row = xcalloc(L.n, sizeof *row);
    struct ops_params p = { 1, 0, NULL };
    int rc = ops_run(s, &p, row, NULL, &e);
    CHECK(rc < 0, "rate 1e300: the run fails instead of exhausting memory");
    CHECK_HAS(e.msg, "calls in the system at once");
    CHECK_HAS(e.msg, "stopped before memory runs out");
    free(row);
    res_layout_release(&L);
    scn_free(s);
}

static double slot(const struct res_layout *L, const double *row, const char *name)
{
    long i = res_lookup(L, name);
    return i < 0 ? NAN : row[i];
}

static void test_collapse(void)
{
    static const char *const dirs[] = { WARN_DIR "/overload", "tests/fixtures/good" };
    for (int k = 0; k < 2; k++) {
        struct perr e = { "" };
        struct scn *s = scn_load(dirs[k], NULL, 0, &e);
        CHECK(s != NULL, "%s loads (%s)", dirs[k], e.msg);
        if (!s)
            continue;
        struct res_layout L;
        ops_layout(s, &L);
        double *row = xcalloc(L.n, sizeof *row);
        struct ops_params p = { 7, 0, NULL };
        int rc = ops_run(s, &p, row, NULL, &e);
        CHECK(rc == 0, "%s runs (%s)", dirs[k], e.msg);
        double c = slot(&L, row, "queue_collapsed"), day = slot(&L, row, "queue_growth_start_day");
        double q = slot(&L, row, "queue_at_horizon");
        if (k == 0) {
            CHECK(c == 1, "overload: the run is marked collapsed (%g)", c);
            CHECK(day >= 0 && day < 1, "overload: the queue grew from day %g (< 1)", day);
            /* 2000 a day for 4 units over 12.5 days: most calls still wait. */
            CHECK(q > 10000, "overload: %g calls waiting at the horizon", q);
        } else {
            CHECK(c == 0, "good: not collapsed (%g)", c);
            CHECK(isnan(day), "good: no growth start (%g)", day);
        }
        free(row);
        res_layout_release(&L);
        scn_free(s);
    }
}

int main(void)
{
    test_warn_fixtures();
    test_good_quiet();
    test_zone_and_station();
    test_geo_oracle();
    test_geo_big();
    test_job_cap();
    test_collapse();
    return tc_done();
}
