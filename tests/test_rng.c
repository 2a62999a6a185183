/* test_rng.c - the ziggurat exponential (rng_exp1, rng_exponential) against
 * the exponential distribution, on fixed seeds so a failure reproduces:
 * moments within their intervals, chi-square on 10,000 equiprobable bins
 * (resolving every ziggurat layer, whose boundaries lie between 0.0005 and
 * 7.7), Kolmogorov-Smirnov, the tail beyond the base strip (r = 7.697: the
 * r + Exp(1) branch), the pair distribution of consecutive draws, and the
 * scaling and reproducibility of rng_exponential.  Each test statistic is
 * judged by its p-value against 1e-4, so a correct generator fails one with
 * odds ~1e-4 per seed, and a wrong layer (a box of the wrong width or
 * height moves ~1/256 of the mass) fails it with p far below 1e-10. */
#include <math.h>
#include <stdlib.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_sort.h>
#include "err.h"
#include "rng.h"
#include "tcheck.h"

#define P_MIN 1e-4

/* Asymptotic Kolmogorov distribution: P(sqrt(n) D > lambda). */
static double ks_q(double lambda)
{
    if (lambda < 0.2)
        return 1;
    double q = 0;
    for (int k = 1; k <= 100; k++)
        q += (k % 2 ? 2 : -2) * exp(-2.0 * k * k * lambda * lambda);
    return q < 0 ? 0 : q > 1 ? 1 : q;
}

/* Two-sided p-value of a count k against Poisson(mu), by the normal
 * approximation with continuity correction (mu >= 20 here). */
static double count_p(double k, double mu)
{
    double z = (fabs(k - mu) - 0.5) / sqrt(mu);
    return z <= 0 ? 1 : 2 * gsl_cdf_ugaussian_Q(z);
}

static void moments_bins_tail(uint64_t seed)
{
    enum { N = 4000000, B = 10000 };
    gsl_rng *r = rng_stream_new(seed, 0, 1);
    unsigned *bin = xcalloc(B, sizeof *bin);
    double s = 0, s2 = 0, sxy = 0, prev = 0, tail_ex = 0;
    long tail_r = 0, tail_12 = 0, neg = 0;
    for (long i = 0; i < N; i++) {
        double x = rng_exp1(r);
        neg += !(x >= 0) || !isfinite(x);
        s += x;
        s2 += x * x;
        if (i > 0)
            sxy += (x - 1) * (prev - 1);
        prev = x;
        /* equiprobable bins: F(x) = 1 - e^-x */
        double u = -expm1(-x);
        int b = (int)(u * B);
        bin[b < B ? b : B - 1]++;
        if (x > 7.69711747013104972) {
            tail_r++;
            tail_ex += x - 7.69711747013104972;
        }
        tail_12 += x > 12;
    }
    CHECK(neg == 0, "seed %llu: every draw finite and >= 0 (%ld not)", (unsigned long long)seed, neg);
    double mean = s / N, var = s2 / N - mean * mean;
    /* Exp(1): sd of the mean 1/sqrt(N); of the variance sqrt((mu4 - 1) / N) = sqrt(8 / N) */
    double zm = (mean - 1) * sqrt((double)N), zv = (var - 1) / sqrt(8.0 / N);
    CHECK(fabs(zm) < 4.5 && fabs(zv) < 4.5, "seed %llu: mean %.6f (z %.2f), variance %.6f (z %.2f)",
          (unsigned long long)seed, mean, zm, var, zv);
    double rho = sxy / N;    /* lag-1 autocovariance; its sd is 1/sqrt(N) */
    CHECK(fabs(rho) * sqrt((double)N) < 4.5, "seed %llu: lag-1 autocorrelation %.2e",
          (unsigned long long)seed, rho);
    double chi = 0, e = (double)N / B;
    for (int b = 0; b < B; b++)
        chi += (bin[b] - e) * (bin[b] - e) / e;
    double p = gsl_cdf_chisq_Q(chi, B - 1);
    CHECK(p > P_MIN, "seed %llu: chi-square %.1f on %d equiprobable bins, p = %.3g",
          (unsigned long long)seed, chi, B, p);
    /* the tail: P(X > r) = e^-r, P(X > 12) = e^-12, and the excess beyond r
     * is Exp(1) again (mean 1, sd 1 / sqrt(count)) */
    double mu_r = N * exp(-7.69711747013104972), mu_12 = N * exp(-12.0);
    double pr = count_p((double)tail_r, mu_r), p12 = count_p((double)tail_12, mu_12);
    CHECK(pr > P_MIN && p12 > P_MIN, "seed %llu: beyond r %ld (expected %.1f, p %.3g), beyond 12 "
          "%ld (expected %.1f, p %.3g)", (unsigned long long)seed, tail_r, mu_r, pr, tail_12,
          mu_12, p12);
    double zt = (tail_ex / tail_r - 1) * sqrt((double)tail_r);
    CHECK(fabs(zt) < 4.5, "seed %llu: mean excess beyond r %.4f (z %.2f)",
          (unsigned long long)seed, tail_ex / tail_r, zt);
    free(bin);
    gsl_rng_free(r);
}

static void ks_and_pairs(uint64_t seed)
{
    enum { N = 1000000, K = 20 };
    gsl_rng *r = rng_stream_new(seed, 3, 7);
    double *x = xmalloc(N * sizeof *x);
    for (int i = 0; i < N; i++)
        x[i] = rng_exponential(r, 30);
    gsl_sort(x, 1, N);
    double d = 0;
    for (int i = 0; i < N; i++) {
        double f = -expm1(-x[i] / 30);
        d = fmax(d, fmax((i + 1.0) / N - f, f - (double)i / N));
    }
    double p = ks_q(sqrt((double)N) * d);
    CHECK(p > P_MIN, "seed %llu: Kolmogorov-Smirnov D = %.2e over %d draws of mean 30, p = %.3g",
          (unsigned long long)seed, d, N, p);
    /* consecutive pairs on a K x K grid of equiprobable cells: independence */
    unsigned cell[K][K] = { { 0 } };
    for (int i = 0; i < N / 2; i++) {
        double a = -expm1(-rng_exp1(r)), b = -expm1(-rng_exp1(r));
        int ia = (int)(a * K), ib = (int)(b * K);
        cell[ia < K ? ia : K - 1][ib < K ? ib : K - 1]++;
    }
    double chi = 0, e = (double)(N / 2) / (K * K);
    for (int i = 0; i < K; i++)
        for (int j = 0; j < K; j++)
            chi += (cell[i][j] - e) * (cell[i][j] - e) / e;
    double pp = gsl_cdf_chisq_Q(chi, K * K - 1);
    CHECK(pp > P_MIN, "seed %llu: pairs of consecutive draws, chi-square %.1f on %d cells, p = %.3g",
          (unsigned long long)seed, chi, K * K, pp);
    free(x);
    gsl_rng_free(r);
}

/* rng_exponential is mu times rng_exp1 on the same stream, and a stream
 * key gives the same draws every time. */
static void scaling_and_reproducibility(void)
{
    gsl_rng *a = rng_stream_new(11, 2, 5), *b = rng_stream_new(11, 2, 5);
    int same = 1;
    for (int i = 0; i < 100000; i++)
        same &= rng_exponential(a, 12.5) == 12.5 * rng_exp1(b);
    CHECK(same, "rng_exponential(r, mu) == mu * rng_exp1(r) on one stream");
    rng_stream_seed(a, 11, 2, 5);
    rng_stream_seed(b, 11, 2, 5);
    same = 1;
    for (int i = 0; i < 100000; i++)
        same &= rng_exp1(a) == rng_exp1(b);
    CHECK(same, "the same key draws the same exponentials");
    gsl_rng_free(a);
    gsl_rng_free(b);
}

int main(void)
{
    moments_bins_tail(1);
    moments_bins_tail(2026);
    ks_and_pairs(1);
    ks_and_pairs(2026);
    scaling_and_reproducibility();
    return tc_done();
}
