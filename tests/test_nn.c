/* test_nn.c - nearest-available search against brute force, with ties. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_rng.h>
#include "nn.h"
#include "../models/nn_priv.h"
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

/* ---- the whole API against a sorted brute force ---------------------------- */

enum layout {
    L_UNIFORM,              /* uniform over a 30 x 12 box */
    L_LATTICE,              /* bench-city posts: many exact ties */
    L_CLUSTER,              /* a few dense clusters, many items a cell, empty cells */
    L_DUP,                  /* few distinct positions, each shared by many items */
    L_LINE                  /* all on one horizontal line: a single row of cells */
};

struct ref {
    double d;
    int i;
};

static int ref_cmp(const void *a, const void *b)
{
    const struct ref *p = a, *q = b;
    if (p->d != q->d)
        return p->d < q->d ? -1 : 1;
    return (p->i > q->i) - (p->i < q->i);
}

/* Present items sorted by (distance, index) into r; returns how many. */
static int ref_rank(const double *x, const double *y, const char *in, int n, enum trv_metric m,
                    double qx, double qy, struct ref *r)
{
    int k = 0;
    for (int i = 0; i < n; i++) {
        if (!in[i])
            continue;
        double dx = fabs(qx - x[i]), dy = fabs(qy - y[i]);
        r[k++] = (struct ref){ m == TRV_MANHATTAN ? dx + dy : hypot(dx, dy), i };
    }
    qsort(r, (size_t)k, sizeof *r, ref_cmp);
    return k;
}

static double pick(gsl_rng *r, const double *v, int n)
{
    return v[gsl_rng_uniform_int(r, (unsigned long)n)];
}

/* A query point: uniform over and around the items, exactly on an item's
 * coordinates (cell edges pass through the extreme ones), midway between
 * two items, or far outside the indexed area. */
static void query(gsl_rng *r, const double *x, const double *y, int n, double *qx, double *qy)
{
    switch (gsl_rng_uniform_int(r, 5)) {
    case 0:
        *qx = pick(r, x, n), *qy = pick(r, y, n);
        break;
    case 1:
        *qx = (pick(r, x, n) + pick(r, x, n)) / 2, *qy = (pick(r, y, n) + pick(r, y, n)) / 2;
        break;
    case 2:
        *qx = (gsl_rng_uniform(r) - 0.5) * 2000, *qy = (gsl_rng_uniform(r) - 0.5) * 2000;
        break;
    default:
        *qx = gsl_rng_uniform(r) * 50 - 10, *qy = gsl_rng_uniform(r) * 30 - 10;
    }
}

/* Random inserts and removes (nn_take too) interleaved with every query of
 * nn.h, each compared with the brute force: item and distance exactly.
 * `fill` is the share of items kept present, low to make searches cross
 * many empty cells and bitmap words. */
static void api_trial(uint64_t seed, int n, enum trv_metric m, enum layout lay, double fill,
                      int steps)
{
    gsl_rng *r = rng_stream_new(seed, 0, 2);
    double *x = malloc((size_t)n * sizeof *x), *y = malloc((size_t)n * sizeof *y);
    char *in = calloc((size_t)n, 1);
    struct ref *rk = malloc((size_t)n * sizeof *rk);
    int side = (int)ceil(sqrt(n)), present = 0;
    for (int i = 0; i < n; i++) {
        switch (lay) {
        case L_UNIFORM:
            x[i] = gsl_rng_uniform(r) * 30, y[i] = gsl_rng_uniform(r) * 12;
            break;
        case L_LATTICE:
            x[i] = 1.25 + 2.5 * (i % side), y[i] = 1.25 + 2.5 * (i / side);
            break;
        case L_CLUSTER: {
            int c = (int)gsl_rng_uniform_int(r, 4);
            x[i] = 40.0 * c + gsl_rng_uniform(r) * 0.5, y[i] = 7.0 * (c % 2) + gsl_rng_uniform(r);
            break;
        }
        case L_DUP:
            x[i] = 3.0 * (double)gsl_rng_uniform_int(r, 5);
            y[i] = 2.0 * (double)gsl_rng_uniform_int(r, 3);
            break;
        case L_LINE:
            x[i] = gsl_rng_uniform(r) * 100, y[i] = 5;
            break;
        }
    }
    struct nn *t = nn_new(x, y, n, m);
    for (int i = 1; i < n; i += 2)
        nn_set_id(t, i, 3 * i + 1);
    for (int i = 0; i < n; i++)
        if (gsl_rng_uniform(r) < fill)
            nn_insert(t, i), in[i] = 1, present++;
    int bad_near = 0, bad_slot = 0, bad_after = 0, bad_k = 0, bad_set = 0, queries = 0;
    for (int step = 0; step < steps; step++) {
        int i = (int)gsl_rng_uniform_int(r, (unsigned long)n);
        int want = gsl_rng_uniform(r) < fill;
        /* A third of the switches through the item's nn_ref, as a caller
         * keeping it beside its own record does (ops.c). */
        struct nn_ref ref = nn_ref_of(t, i);
        if (in[i] && !want) {
            if (step % 3 == 0) {
                nn_remove(t, i);
            } else if (step % 3 == 1) {
                nn__take_ref(t, &ref);
            } else if (nn_take(t, i) != 1) {
                bad_set++;
            }
            in[i] = 0, present--;
        } else if (!in[i] && want) {
            if (step % 2)
                nn_insert(t, i);
            else
                nn__insert_ref(t, &ref);
            in[i] = 1, present++;
        } else if (!in[i] && nn_take(t, i) != 0) {
            bad_set++;
        }
        if (nn_contains(t, i) != in[i] || nn_count(t) != present)
            bad_set++;
        double qx, qy, d;
        query(r, x, y, n, &qx, &qy);
        int k = ref_rank(x, y, in, n, m, qx, qy, rk);
        queries++;
        int a = nn_nearest(t, qx, qy, &d);
        if (k == 0 ? a != -1 : a != rk[0].i || d != rk[0].d)
            bad_near++;
        /* The same answer as its slot: the item, at its position, with the
         * id set for it (every other item's, its index), and the slot's bit
         * present. */
        const struct nn_slot *sl = nn__nearest_slot(t, qx, qy);
        if (k == 0 ? sl != NULL
                   : !sl || sl->i != a || sl->x != x[a] || sl->y != y[a] ||
                         sl->id != (a % 2 ? 3 * a + 1 : a) ||
                         !nn__present_pos(t, nn__slot_pos(t, sl)) ||
                         nn__slot(t, nn_ref_of(t, a).pos) != sl)
            bad_slot++;
        if (k == 0)
            continue;
        /* After a ranked item, or after a distance between two ranks. */
        int j = (int)gsl_rng_uniform_int(r, (unsigned long)k);
        double d0 = rk[j].d;
        int i0 = rk[j].i;
        if (step % 5 == 0 && j + 1 < k && rk[j + 1].d > d0) {
            d0 = (d0 + rk[j + 1].d) / 2;
            i0 = n;             /* above every index: only distance > d0 */
        }
        int e = 0;
        while (e < k && (rk[e].d < d0 || (rk[e].d == d0 && rk[e].i <= i0)))
            e++;
        a = nn_nearest_after(t, qx, qy, d0, i0, &d);
        if (e == k ? a != -1 : a != rk[e].i || d != rk[e].d)
            bad_after++;
        int items[8];
        double ds[8];
        int want_k = 1 + (int)gsl_rng_uniform_int(r, 8);
        int got = nn_nearest_k(t, qx, qy, d0, i0, want_k, items, ds);
        int exp = k - e < want_k ? k - e : want_k;
        if (got != exp)
            bad_k++;
        else
            for (int q = 0; q < got; q++)
                if (items[q] != rk[e + q].i || ds[q] != rk[e + q].d)
                    bad_k++;
    }
    static const char *lname[] = { "uniform", "lattice", "cluster", "dup", "line" };
    const char *mname = m == TRV_MANHATTAN ? "manhattan" : "euclidean";
    CHECK(bad_set == 0, "nn set ops: n=%d %s %s fill=%.2f: %d of %d steps wrong", n, mname,
          lname[lay], fill, bad_set, steps);
    CHECK(bad_near == 0, "nn_nearest vs brute force: n=%d %s %s fill=%.2f: %d of %d differ", n,
          mname, lname[lay], fill, bad_near, queries);
    CHECK(bad_slot == 0, "nn__nearest_slot vs nn_nearest: n=%d %s %s fill=%.2f: %d of %d differ",
          n, mname, lname[lay], fill, bad_slot, queries);
    CHECK(bad_after == 0, "nn_nearest_after vs brute force: n=%d %s %s fill=%.2f: %d differ", n,
          mname, lname[lay], fill, bad_after);
    CHECK(bad_k == 0, "nn_nearest_k vs brute force: n=%d %s %s fill=%.2f: %d wrong", n, mname,
          lname[lay], fill, bad_k);
    nn_free(t);
    free(x); free(y); free(in); free(rk);
    gsl_rng_free(r);
}

/* Non-finite queries: every distance is inf or NaN, so no item is nearer
 * than "none" (brute force says -1), and the walk over the rows must end
 * at the sentinel rows instead of running past them (make asan sees it). */
static void nonfinite_queries(enum trv_metric m)
{
    enum { N = 900 };
    double x[N], y[N];
    char in[N];
    for (int i = 0; i < N; i++) {
        x[i] = 1.25 + 2.5 * (i % 30), y[i] = 1.25 + 2.5 * (i / 30);
        in[i] = i % 3 != 0;
    }
    struct nn *t = nn_new(x, y, N, m);
    for (int i = 0; i < N; i++) {
        if (in[i])
            nn_insert(t, i);
    }
    const double v[] = { NAN, INFINITY, -INFINITY, 10.0 };
    int bad = 0, n = 0;
    for (int a = 0; a < 4; a++)
        for (int b = 0; b < 4; b++) {
            if (a == 3 && b == 3)
                continue;
            double d, bd;
            int got = nn_nearest(t, v[a], v[b], &d), want = brute(x, y, in, N, m, v[a], v[b], &bd);
            n++;
            if (got != want || (got < 0 && d != INFINITY))
                bad++;
        }
    CHECK(bad == 0, "nn_nearest, non-finite queries (%s): %d of %d differ from brute force",
          m == TRV_MANHATTAN ? "manhattan" : "euclidean", bad, n);
    nn_free(t);
}

int main(void)
{
    nonfinite_queries(TRV_MANHATTAN);
    nonfinite_queries(TRV_EUCLIDEAN);
    trial(1, 500, TRV_EUCLIDEAN, 0);
    trial(2, 500, TRV_MANHATTAN, 0);
    trial(3, 400, TRV_MANHATTAN, 1);
    trial(4, 64, TRV_EUCLIDEAN, 1);
    trial(5, 3, TRV_MANHATTAN, 0);
    /* Rows of more than 64 cells: bitmap words are crossed both ways. */
    trial(6, 4900, TRV_MANHATTAN, 1);
    trial(7, 5000, TRV_EUCLIDEAN, 0);
    trial(8, 4900, TRV_EUCLIDEAN, 1);
    /* Every query of the API, both metrics, every layout, dense and sparse. */
    static const enum trv_metric ms[2] = { TRV_MANHATTAN, TRV_EUCLIDEAN };
    static const double fills[3] = { 0.6, 0.1, 0.01 };
    uint64_t seed = 100;
    for (int mi = 0; mi < 2; mi++)
        for (int lay = L_UNIFORM; lay <= L_LINE; lay++)
            for (int f = 0; f < 3; f++)
                api_trial(seed++, lay == L_DUP ? 300 : 1500, ms[mi], (enum layout)lay, fills[f],
                          1500);
    /* Rows of many bitmap words with few items present: the searches run
     * past the 64-column windows on both sides. */
    api_trial(seed++, 40000, TRV_MANHATTAN, L_LATTICE, 0.002, 300);
    api_trial(seed++, 40000, TRV_EUCLIDEAN, L_UNIFORM, 0.002, 300);
    api_trial(seed++, 40000, TRV_MANHATTAN, L_UNIFORM, 0.0005, 300);
    api_trial(seed++, 40000, TRV_EUCLIDEAN, L_LATTICE, 0.0005, 300);
    api_trial(seed++, 3000, TRV_MANHATTAN, L_LINE, 0.005, 1500);
    api_trial(seed++, 1, TRV_MANHATTAN, L_UNIFORM, 0.5, 50);
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
