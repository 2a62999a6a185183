/* test_nn.c - nearest-available search against brute force, with ties. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>
#include "nn.h"
#include "rng.h"
#include "tcheck.h"

static int brute(const double *x, const double *y, const char *in, int n,
                 enum trv_metric m, double qx, double qy, double *bd)
{
    int best = -1;
    *bd = INFINITY;
    for (int i = 0; i < n; i++) {
        if (!in[i])
            continue;
        double dx = fabs(qx - x[i]), dy = fabs(qy - y[i]);
        double d = m == TRV_MANHATTAN ? dx + dy : hypot(dx, dy);
        if (d < *bd || (d == *bd && i < best))
            *bd = d, best = i;
    }
    return best;
}

static void trial(uint64_t seed, int n, enum trv_metric m, int lattice)
{
    gsl_rng *r = rng_stream_new(seed, 0, 1);
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    char *in = calloc((size_t)n, 1);
    int side = (int)ceil(sqrt(n));
    for (int i = 0; i < n; i++) {
        if (lattice) {               /* many exact ties, like bench-city posts */
            x[i] = 1.25 + 2.5 * (i % side);
            y[i] = 1.25 + 2.5 * (i / side);
        } else {
            x[i] = gsl_rng_uniform(r) * 30;
            y[i] = gsl_rng_uniform(r) * 12;
        }
    }
    struct nn *t = nn_new(x, y, n, m);
    int bad = 0, queries = 0;
    for (int step = 0; step < 4000; step++) {
        int i = (int)gsl_rng_uniform_int(r, (unsigned long)n);
        if (in[i]) { nn_remove(t, i); in[i] = 0; }
        else { nn_insert(t, i); in[i] = 1; }
        /* Queries inside and outside the points' bounding box, some exactly
         * on lattice points and midpoints. */
        double qx = gsl_rng_uniform(r) * 50 - 10, qy = gsl_rng_uniform(r) * 30 - 10;
        if (lattice && step % 3 == 0)
            qx = 2.5 * (double)gsl_rng_uniform_int(r, (unsigned long)side), qy = 2.5 * (double)gsl_rng_uniform_int(r, (unsigned long)side);
        double d1, d2;
        int a = nn_nearest(t, qx, qy, &d1), b = brute(x, y, in, n, m, qx, qy, &d2);
        queries++;
        if (a != b || (a >= 0 && d1 != d2))
            bad++;
    }
    CHECK(bad == 0, "nn vs brute force: n=%d metric=%s lattice=%d: %d of %d queries differ",
          n, m == TRV_MANHATTAN ? "manhattan" : "euclidean", lattice, bad, queries);
    nn_free(t);
    free(x); free(y); free(in);
    gsl_rng_free(r);
}

int main(void)
{
    trial(1, 500, TRV_EUCLIDEAN, 0);
    trial(2, 500, TRV_MANHATTAN, 0);
    trial(3, 400, TRV_MANHATTAN, 1);
    trial(4, 64, TRV_EUCLIDEAN, 1);
    trial(5, 3, TRV_MANHATTAN, 0);
    /* Rows of more than 64 cells: bitmap words are crossed both ways. */
    trial(6, 4900, TRV_MANHATTAN, 1);
    trial(7, 5000, TRV_EUCLIDEAN, 0);
    trial(8, 4900, TRV_EUCLIDEAN, 1);
    /* All items at one point (co-located units): one cell, lowest index wins. */
    double x[4] = { 2, 2, 2, 2 }, y[4] = { 3, 3, 3, 3 }, d;
    struct nn *t = nn_new(x, y, 4, TRV_EUCLIDEAN);
    CHECK_INT(nn_nearest(t, 0, 0, &d), -1);
    nn_insert(t, 3); nn_insert(t, 1);
    CHECK_INT(nn_nearest(t, 0, 0, &d), 1);
    nn_remove(t, 1);
    CHECK_INT(nn_nearest(t, 9, 9, &d), 3);
    CHECK_INT(nn_count(t), 1);
    nn_free(t);
    return tc_done();
}
