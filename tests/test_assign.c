/* test_assign.c - bottleneck assignment on hand-checked matrices and against
 * brute force over every injection of points into units. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_rng.h>
#include "assign.h"
#include "rng.h"
#include "tcheck.h"

/* Every injective map of n points into m units: the best bottleneck, and the
 * best sum among assignments achieving it. */
static void brute_rec(const double *t, int m, int n, int p, int *used, double mx, double sum,
                      double *best_b, double *best_s)
{
    if (p == n) {
        if (mx < *best_b || (mx == *best_b && sum < *best_s))
            *best_b = mx, *best_s = sum;
        return;
    }
    for (int u = 0; u < m; u++) {
        if (used[u])
            continue;
        double x = t[u * n + p];
        if (!isfinite(x))
            continue;
        used[u] = 1;
        brute_rec(t, m, n, p + 1, used, fmax(mx, x), sum + x, best_b, best_s);
        used[u] = 0;
    }
}

static int distinct_units(const int *unit_of, int n, int m)
{
    char seen[64] = { 0 };
    for (int p = 0; p < n; p++) {
        if (unit_of[p] < 0 || unit_of[p] >= m || seen[unit_of[p]])
            return 0;
        seen[unit_of[p]] = 1;
    }
    return 1;
}

static void hand_checked(void)
{
    struct perr e;
    struct assign_result r;
    int a[4];
    /* 3 units x 2 points.  The greedy pick (point 0 to unit 0 at 1.25)
     * leaves point 1 with unit 1 or 2 at 9.5 / 8.75; the bottleneck optimum
     * is unit 1 -> point 0 (2.5), unit 0 -> point 1 (3.75). */
    double t1[] = {
        1.25, 3.75,     /* unit 0 */
        2.5, 9.5,       /* unit 1 */
        6.125, 8.75,    /* unit 2 */
    };
    CHECK_INT(assign_bottleneck(t1, 3, 2, 0, a, &r, &e), 0);
    CHECK_NEAR(r.bottleneck, 3.75, 0);
    CHECK_INT(a[0], 1);
    CHECK_INT(a[1], 0);
    CHECK_INT(assign_bottleneck(t1, 3, 2, ASSIGN_MIN_SUM, a, &r, &e), 0);
    CHECK_NEAR(r.bottleneck, 3.75, 0);
    CHECK_NEAR(r.sum, 6.25, 1e-12);

    /* The bottleneck fixes one pair (unit 2 -> point 2 at 7); below it, two
     * assignments tie on the bottleneck: sums 7+2+3 = 12 and 7+5+6 = 18.
     * MIN_SUM must take the first. */
    double t2[] = {
        2, 6, 100,
        5, 3, 100,
        100, 100, 7,
    };
    CHECK_INT(assign_bottleneck(t2, 3, 3, ASSIGN_MIN_SUM, a, &r, &e), 0);
    CHECK_NEAR(r.bottleneck, 7, 0);
    CHECK_NEAR(r.sum, 12, 1e-12);
    CHECK(a[0] == 0 && a[1] == 1 && a[2] == 2, "min-sum picks 0,1,2 (got %d,%d,%d)", a[0],
          a[1], a[2]);

    /* A spare unit stays unused; unreachable (infinite) entries are skipped. */
    double t3[] = {
        INFINITY, 4.5,
        1.5, INFINITY,
        0.5, 0.25,
    };
    CHECK_INT(assign_bottleneck(t3, 3, 2, ASSIGN_MIN_SUM, a, &r, &e), 0);
    CHECK_NEAR(r.bottleneck, 1.5, 0);
    CHECK(a[0] == 1 && a[1] == 2, "spare unit 0 unused (got %d,%d)", a[0], a[1]);

    /* Zero points: nothing to do. */
    CHECK_INT(assign_bottleneck(t3, 3, 0, 0, a, &r, &e), 0);
    CHECK_NEAR(r.bottleneck, 0, 0);
}

static void bad_input(void)
{
    struct perr e;
    struct assign_result r;
    int a[4];
    double t[] = { 1, 2, 3, 4, 5, 6 };
    CHECK_INT(assign_bottleneck(t, 2, 3, 0, a, &r, &e), -1);
    CHECK_HAS(e.msg, "3 points but only 2 units");
    double neg[] = { 1, -2, 3, 4 };
    CHECK_INT(assign_bottleneck(neg, 2, 2, 0, a, &r, &e), -1);
    CHECK_HAS(e.msg, "unit 0 to point 1 is -2");
    double nan_[] = { 1, 2, NAN, 4 };
    CHECK_INT(assign_bottleneck(nan_, 2, 2, 0, a, &r, &e), -1);
    CHECK_HAS(e.msg, "unit 1 to point 0");
    double unreach[] = { 1, INFINITY, 2, INFINITY };
    CHECK_INT(assign_bottleneck(unreach, 2, 2, 0, a, &r, &e), -1);
    CHECK_HAS(e.msg, "no unit can reach point 1");
    CHECK_INT(r.unserved, 1);
    /* Both points can only be reached by unit 0. */
    double hall[] = { 1, 2, INFINITY, INFINITY, INFINITY, INFINITY };
    CHECK_INT(assign_bottleneck(hall, 3, 2, 0, a, &r, &e), -1);
    CHECK_HAS(e.msg, "cannot all get their own unit");
    CHECK(r.unserved == 0 || r.unserved == 1, "a left-over point is named (%d)", r.unserved);
    CHECK_INT(assign_bottleneck(t, 2, 3, 0, a, &r, &e), -1);
    CHECK_INT(r.unserved, -1);
}

static void random_vs_brute(void)
{
    gsl_rng *rng = rng_stream_new(20261201, 0, 1);
    int bad_b = 0, bad_s = 0, bad_inj = 0, bad_det = 0, trials = 0;
    for (int trial = 0; trial < 400; trial++) {
        int n = 1 + (int)gsl_rng_uniform_int(rng, 6);
        int m = n + (int)gsl_rng_uniform_int(rng, 3);
        double t[64];
        int coarse = trial % 2;   /* coarse values: many ties */
        for (int i = 0; i < m * n; i++) {
            t[i] = coarse ? (double)gsl_rng_uniform_int(rng, 5) : 10 * gsl_rng_uniform(rng);
            if (gsl_rng_uniform(rng) < 0.1)
                t[i] = INFINITY;
        }
        int used[16] = { 0 };
        double bb = INFINITY, bs = INFINITY;
        brute_rec(t, m, n, 0, used, 0, 0, &bb, &bs);
        struct perr e;
        struct assign_result r, r2;
        int a[16], a2[16];
        int rc = assign_bottleneck(t, m, n, ASSIGN_MIN_SUM, a, &r, &e);
        if (!isfinite(bb)) {
            CHECK(rc == -1, "trial %d: infeasible matrix refused (rc %d)", trial, rc);
            continue;
        }
        trials++;
        if (rc != 0 || r.bottleneck != bb)
            bad_b++;
        if (rc == 0 && fabs(r.sum - bs) > 1e-9)
            bad_s++;
        if (rc == 0 && !distinct_units(a, n, m))
            bad_inj++;
        int rc2 = assign_bottleneck(t, m, n, ASSIGN_MIN_SUM, a2, &r2, &e);
        if (rc2 != 0 || memcmp(a, a2, (size_t)n * sizeof *a) != 0)
            bad_det++;
        /* Without MIN_SUM: the same bottleneck, a valid assignment. */
        rc2 = assign_bottleneck(t, m, n, 0, a2, &r2, &e);
        if (rc2 != 0 || r2.bottleneck != bb)
            bad_b++;
        if (rc2 == 0 && !distinct_units(a2, n, m))
            bad_inj++;
    }
    gsl_rng_free(rng);
    CHECK(trials > 300, "enough feasible random trials (%d)", trials);
    CHECK_INT(bad_b, 0);
    CHECK_INT(bad_s, 0);
    CHECK_INT(bad_inj, 0);
    CHECK_INT(bad_det, 0);
}

int main(void)
{
    hand_checked();
    bad_input();
    random_vs_brute();
    return tc_done();
}
