/* test_stats.c - Welford, histogram quantiles, Student-t intervals, streams. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_statistics.h>
#include <gsl/gsl_sort.h>
#include "rng.h"
#include "stats.h"
#include "tcheck.h"

/* xoshiro256**: the reference outputs for state {1, 2, 3, 4} (from the
 * authors' C code); the inline uniform equals GSL's on the same stream (the
 * inline exponential is a ziggurat, not GSL's inversion: test_rng.c checks
 * its distribution); the full 64-bit key reaches the state; entity keys
 * separate streams. */
static void test_xoshiro(void)
{
    struct rng_state st = { { 1, 2, 3, 4 } };
    gsl_rng g;
    rng_stream_bind(&g, &st);
    const uint64_t ref[4] = { 11520u, 0u, 1509978240u, 1215971899390074240u };
    int ok = 1;
    for (int i = 0; i < 4; i++)
        ok &= rng_next64(&g) == ref[i];
    CHECK(ok, "xoshiro256** reference outputs");
    CHECK(!strcmp(gsl_rng_name(&g), "xoshiro256**"), "registered as a GSL type ('%s')", gsl_rng_name(&g));

    gsl_rng *a = rng_stream_new(5, 1, 3), *b = rng_stream_new(5, 1, 3);
    int same_u = 1, in01 = 1;
    for (int i = 0; i < 20000; i++) {
        double u = rng_u01(a), v = gsl_rng_uniform(b);
        same_u &= u == v;
        in01 &= u >= 0 && u < 1;
    }
    CHECK(same_u && in01, "rng_u01 == gsl_rng_uniform on one stream, in [0, 1)");

    /* Moments of GSL distributions over the generator: mean of U(0,1) and
     * of Exp(30) within 4 standard errors over 200k draws. */
    double su = 0, se = 0;
    enum { M = 200000 };
    for (int i = 0; i < M; i++) {
        su += gsl_rng_uniform(a);
        se += gsl_ran_exponential(a, 30);
    }
    CHECK(fabs(su / M - 0.5) < 4 * sqrt(1.0 / 12 / M), "uniform mean %.5f", su / M);
    CHECK(fabs(se / M - 30) < 4 * 30 / sqrt(M), "exponential mean %.4f", se / M);
    gsl_rng_free(a);
    gsl_rng_free(b);

    /* Keys that agree in their low or high 32 bits still give different
     * streams (a 32-bit fold would merge k1 and k2). */
    uint64_t k1 = 0x0000000100000000ULL, k2 = 0x0000000200000000ULL ^ 0x1ULL ^ 0x2ULL;
    gsl_rng *c = gsl_rng_alloc(rng_xoshiro256ss), *d = gsl_rng_alloc(rng_xoshiro256ss);
    rng_stream_seed_key(c, k1);
    rng_stream_seed_key(d, k2);
    CHECK(gsl_rng_get(c) != gsl_rng_get(d), "64-bit keys are not folded");
    rng_stream_seed_key(c, rng_mix4(9, 0, 7, rng_key_str("U1")));
    rng_stream_seed_key(d, rng_mix4(9, 0, 7, rng_key_str("U2")));
    unsigned long x = gsl_rng_get(c), y = gsl_rng_get(d);
    rng_stream_seed_key(d, rng_mix4(9, 0, 7, rng_key_str("U1")));
    CHECK(x != y && gsl_rng_get(d) == x, "entity streams: by id, reproducible");
    CHECK(rng_mix4(9, 0, 7, 1) != rng_mix(9, 0, 7), "entity key changes the mix");
    gsl_rng_free(c);
    gsl_rng_free(d);
}

int main(void)
{
    gsl_rng *r = rng_stream_new(2385, 1, 1);
    enum { N = 20000 };
    static double xs[N];
    struct stat_acc a, b, c;
    struct stat_hist h;
    stat_acc_init(&a); stat_acc_init(&b); stat_acc_init(&c);
    stat_hist_init(&h);
    for (int i = 0; i < N; i++) {
        xs[i] = gsl_ran_lognormal(r, 2.1, 0.8);
        stat_acc_add(&a, xs[i]);
        stat_acc_add(i % 3 ? &b : &c, xs[i]);
        stat_hist_add(&h, xs[i]);
    }
    CHECK_NEAR(stat_acc_mean(&a), gsl_stats_mean(xs, 1, N), 1e-9);
    CHECK_NEAR(stat_acc_var(&a), gsl_stats_variance(xs, 1, N), 1e-6);
    stat_acc_merge(&b, &c);
    CHECK_NEAR(stat_acc_mean(&b), stat_acc_mean(&a), 1e-9);
    CHECK_NEAR(stat_acc_var(&b), stat_acc_var(&a), 1e-6);
    CHECK_INT(b.n, N);
    CHECK_NEAR(b.max, a.max, 0);
    struct stat_sum sm;
    stat_sum_init(&sm);
    CHECK(isnan(stat_sum_mean(&sm)), "empty sum has no mean");
    for (int i = 0; i < N; i++)
        stat_sum_add(&sm, xs[i]);
    CHECK_NEAR(stat_sum_mean(&sm), gsl_stats_mean(xs, 1, N), 1e-9);
    CHECK_INT(sm.n, N);

    /* Every value goes to the bin whose edges hold it, as GSL's own search
     * finds it, also exactly on an edge and one ulp either side. */
    struct stat_hist e;
    stat_hist_init(&e);
    int bad = 0, tried = 0;
    for (size_t b0 = 1; b0 + 1 < gsl_histogram_bins(e.h); b0 += 3) {
        double lo, hi;
        gsl_histogram_get_range(e.h, b0, &lo, &hi);
        double vs[4] = { lo, nextafter(lo, 0), nextafter(lo, 1e300), lo + (hi - lo) * 0.385 };
        for (int k = 0; k < 4; k++) {
            size_t want, got = (size_t)-1;
            gsl_histogram_find(e.h, vs[k], &want);
            stat_hist_reset(&e);
            stat_hist_add(&e, vs[k]);
            for (size_t i = 0; i < gsl_histogram_bins(e.h); i++)
                if (gsl_histogram_get(e.h, i) > 0)
                    got = i;
            bad += got != want;
            tried++;
        }
    }
    CHECK(bad == 0, "bin of %d values at, around and between edges: %d misplaced", tried, bad);
    /* Every linear bin (stat_hist_bin's inline path, whose guess may be one
     * off): its lower edge and the four doubles either side of it, against
     * GSL's search. */
    bad = tried = 0;
    for (size_t b0 = 0; b0 <= STAT_HIST_N_LIN; b0++) {
        double v = b0 < gsl_histogram_bins(e.h) ? e.h->range[b0] : STAT_HIST_LIN_TOP;
        for (int k = 0; k < 4; k++)
            v = nextafter(v, 0);
        for (int k = 0; k < 9; k++, v = nextafter(v, 1e300)) {
            size_t want;
            if (!(v > 0) || gsl_histogram_find(e.h, v, &want) != GSL_SUCCESS)
                continue;
            bad += stat_hist_bin(v) != want;
            tried++;
        }
    }
    CHECK(bad == 0 && tried > 8000, "linear bins: %d values at and around every edge, %d misplaced",
          tried, bad);
    /* And log-uniform values over the whole range, which land anywhere in
     * the geometric bins' lookup cells. */
    bad = 0;
    uint64_t z = 88172645463325252ULL;
    for (int k = 0; k < 200000; k++) {
        z ^= z << 13, z ^= z >> 7, z ^= z << 17;
        double v = 1e-3 * pow(1e9, (double)(z >> 11) * 0x1.0p-53), before_v;
        size_t want;
        if (gsl_histogram_find(e.h, v, &want) != GSL_SUCCESS)
            continue;
        before_v = gsl_histogram_get(e.h, want);
        stat_hist_add(&e, v);
        bad += gsl_histogram_get(e.h, want) != before_v + 1;
    }
    CHECK(bad == 0, "200000 log-uniform values from 1e-3 to 1e6: %d misplaced", bad);
    stat_hist_release(&e);

    gsl_sort(xs, 1, N);
    for (double q = 0.1; q < 0.96; q += 0.2) {
        double exact = gsl_stats_quantile_from_sorted_data(xs, 1, N, q);
        double est = stat_hist_quantile(&h, q);
        /* Bins are 0.01 wide below 10 and 0.2% wide above. */
        CHECK(fabs(est - exact) <= fmax(0.011, 0.0021 * exact),
              "histogram quantile %.2f: %.5f vs exact %.5f", q, est, exact);
    }
    CHECK_NEAR(stat_hist_quantile(&h, 1.0), xs[N - 1], 0);
    /* The ECDF against the exact share of the sorted values: within one
     * value's weight plus what linear interpolation inside one bin can move. */
    for (double t = 0.37; t < 200; t *= 1.9) {
        size_t below = 0;
        while (below < N && xs[below] <= t)
            below++;
        double exact = (double)below / N, est = stat_hist_cdf(&h, t);
        CHECK(fabs(est - exact) <= 0.003, "histogram ECDF at %.3f: %.5f vs exact %.5f", t, est,
              exact);
    }
    CHECK_NEAR(stat_hist_cdf(&h, 1e5), 1.0, 1e-12);
    CHECK_NEAR(stat_hist_cdf(&h, -1.0), 0.0, 0);
    stat_hist_add(&h, 5e6);                       /* overflow */
    CHECK_INT(h.overflow, 1);
    CHECK_NEAR(stat_hist_quantile(&h, 1.0), 5e6, 0);

    /* Merging: the values split over two histograms (with zeros and an
     * overflow on either side) give, merged, what one histogram of all of
     * them gives, quantile for quantile. */
    struct stat_hist m1, m2;
    stat_hist_init(&m1);
    stat_hist_init(&m2);
    for (int i = 0; i < N; i++)
        stat_hist_add(i % 3 ? &m1 : &m2, xs[i]);
    stat_hist_add(&m1, 5e6);
    stat_hist_add(&m2, 0.0);
    stat_hist_add(&h, 0.0);
    stat_hist_merge(&m1, &m2);
    CHECK_INT(m1.n, h.n);
    CHECK_INT(m1.zeros, h.zeros);
    CHECK_INT(m1.overflow, h.overflow);
    CHECK_NEAR(m1.max, h.max, 0);
    int qsame = 0;
    for (int k = 0; k <= 100; k++)
        qsame += stat_hist_quantile(&m1, k / 100.0) == stat_hist_quantile(&h, k / 100.0);
    CHECK_INT(qsame, 101);
    stat_hist_release(&m1);
    stat_hist_release(&m2);

    /* Batched adds (stat_hbuf, stat_hist_add_n) give what one add at a
     * time gives, bin for bin: the values above, every linear edge and
     * its neighbours, both ends of the linear range, zeros of either sign,
     * the smallest subnormal, geometric bins and overflows, in a count
     * that STAT_HBUF_N does not divide. */
    struct stat_hist one, many;
    struct stat_hbuf hb;
    stat_hist_init(&one);
    stat_hist_init(&many);
    stat_hbuf_init(&hb, &many);
    size_t nb = 0;
    const double odd[] = { 0.0, -0.0, 5e-324, STAT_HIST_LIN_TOP, nextafter(STAT_HIST_LIN_TOP, 0),
                           nextafter(STAT_HIST_LIN_TOP, INFINITY), 5e6, STAT_HIST_TOP, 1e300 };
    const size_t n_odd = sizeof odd / sizeof odd[0], n_edge = 3 * (STAT_HIST_N_LIN + 1);
    for (size_t i = 0; i < n_odd + N + n_edge; i++) {
        double x;
        if (i < n_odd) {
            x = odd[i];
        } else if (i < n_odd + N) {
            x = xs[i - n_odd];
        } else {                        /* linear edge k / 3, the doubles below, at, above */
            size_t k = i - n_odd - N;
            x = (double)(k / 3) * STAT_HIST_LIN_W;
            if (k % 3 != 1)
                x = nextafter(x, k % 3 == 0 ? 0 : INFINITY);
        }
        stat_hist_add(&one, x);
        stat_hbuf_add(&hb, x);
        nb++;
    }
    CHECK(nb % STAT_HBUF_N != 0 && hb.n == nb % STAT_HBUF_N, "batch: %zu values, %u held", nb, hb.n);
    stat_hbuf_flush(&hb);
    CHECK_INT(hb.n, 0);
    CHECK_INT(many.n, one.n);
    CHECK_INT(many.zeros, one.zeros);
    CHECK_INT(many.overflow, one.overflow);
    CHECK_NEAR(many.max, one.max, 0);
    size_t bdiff = 0;
    for (size_t i = 0; i < gsl_histogram_bins(one.h); i++)
        bdiff += gsl_histogram_get(one.h, i) != gsl_histogram_get(many.h, i);
    CHECK_INT(bdiff, 0);
    CHECK(one.zeros == 4 && one.overflow == 2, "batch: zeros %llu, overflow %llu",
          (unsigned long long)one.zeros, (unsigned long long)one.overflow);
    stat_hist_release(&one);
    stat_hist_release(&many);
    stat_hist_release(&h);

    /* Student t: for n = 5 values the 95% quantile is 2.776445. */
    double v[5] = { 2.1, 2.5, 1.9, 2.8, 2.3 }, mean, half;
    stat_ci(v, 5, 0.95, &mean, &half);
    double sd = sqrt(((2.1-2.32)*(2.1-2.32) + (2.5-2.32)*(2.5-2.32) + (1.9-2.32)*(1.9-2.32)
                      + (2.8-2.32)*(2.8-2.32) + (2.3-2.32)*(2.3-2.32)) / 4);
    CHECK_NEAR(mean, 2.32, 1e-12);
    CHECK_NEAR(half, 2.776445105 * sd / sqrt(5), 1e-6);
    double w[3] = { 1.0, NAN, 3.0 };
    stat_ci(w, 3, 0.95, &mean, &half);
    CHECK_NEAR(mean, 2.0, 1e-12);
    stat_ci(w, 1, 0.95, &mean, &half);
    CHECK(isnan(half), "one replication has no interval");

    /* Streams: reproducible, and distinct by replication and purpose. */
    gsl_rng *s1 = rng_stream_new(9, 3, 2), *s2 = rng_stream_new(9, 3, 2);
    gsl_rng *s3 = rng_stream_new(9, 4, 2), *s4 = rng_stream_new(9, 3, 5);
    unsigned long x1 = gsl_rng_get(s1), x2 = gsl_rng_get(s2), x3 = gsl_rng_get(s3), x4 = gsl_rng_get(s4);
    CHECK(x1 == x2, "same triple, same stream (%lu %lu)", x1, x2);
    CHECK(x1 != x3 && x1 != x4 && x3 != x4, "different triples differ (%lu %lu %lu)", x1, x3, x4);
    CHECK(rng_mix(1, 0, 1) != rng_mix(1, 1, 0), "mix is not symmetric in rep/purpose");
    gsl_rng_free(s1); gsl_rng_free(s2); gsl_rng_free(s3); gsl_rng_free(s4);
    gsl_rng_free(r);
    test_xoshiro();
    return tc_done();
}
