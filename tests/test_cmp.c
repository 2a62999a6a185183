/* test_cmp.c - paired comparisons on common random numbers: known answers,
 * exact zeros, NaN dropping, Welch vs paired, coverage, Bonferroni and MCB,
 * plain-language sentences. */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "cmp.h"
#include "res.h"
#include "rng.h"
#include "tcheck.h"

enum { K3 = 3, N6 = 6 };

/* Hand data: 6 replications of 3 variants, strongly correlated by row as
 * common random numbers make them. */
static const double hand[N6][K3] = {
    { 12.4, 11.1, 12.9 }, { 15.1, 14.0, 14.6 }, { 9.8, 9.1, 10.4 },
    { 14.2, 12.6, 14.9 }, { 11.7, 10.9, 11.2 }, { 13.3, 12.0, 13.8 },
};

static void known_answers(void)
{
    struct cmp_result r[K3];
    cmp_compute(&hand[0][0], N6, K3, 0, CMP_SMALLER_BETTER, 0.95, r);
    /* Expected values computed independently with mpmath at 30 digits
     * (t quantiles by root-finding on the regularised incomplete beta):
     * means, sample variances, t_{0.975,5} = 2.5705818356, Welch df from
     * Welch-Satterthwaite, Bonferroni t_{1-0.05/4,5}, MCB t_{1-0.05/2,5}. */
    CHECK_NEAR(r[0].mean, 12.75, 1e-12);
    CHECK_NEAR(r[0].half, 1.98312794456529927, 1e-9);
    CHECK_NEAR(r[1].mean, 11.6166666666666667, 1e-12);
    CHECK_NEAR(r[1].half, 1.75028331318666836, 1e-9);
    CHECK_NEAR(r[2].mean, 12.9666666666666667, 1e-12);
    CHECK_NEAR(r[2].half, 1.92441050342868476, 1e-9);
    CHECK_INT(r[0].n, 6);
    CHECK_INT(r[1].n_pairs, 6);

    CHECK_NEAR(r[1].diff, -1.13333333333333333, 1e-12);
    CHECK_NEAR(r[1].diff_half, 0.355364796524013170, 1e-9);
    CHECK_NEAR(r[1].diff_lo, -1.13333333333333333 - 0.355364796524013170, 1e-9);
    CHECK_NEAR(r[1].diff_hi, -1.13333333333333333 + 0.355364796524013170, 1e-9);
    CHECK_NEAR(r[1].t_stat, -8.19812797689700593, 1e-8);
    CHECK_NEAR(r[1].p_value, 0.000439414610474081586, 1e-12);
    CHECK_NEAR(r[1].welch_df, 9.84796097709617869, 1e-9);
    CHECK_NEAR(r[1].welch_half, 2.29749336384563231, 1e-8);
    CHECK_NEAR(r[1].corr, 0.989618730336973596, 1e-12);
    CHECK_NEAR(r[1].vr_ratio, 0.0180501626613495645, 1e-12);
    CHECK_NEAR(r[1].bonf_half, 0.437315159406111859, 1e-9);

    CHECK_NEAR(r[2].diff, 0.216666666666666667, 1e-12);
    CHECK_NEAR(r[2].diff_half, 0.587746421429385114, 1e-9);
    CHECK_NEAR(r[2].t_stat, 0.947618526313932937, 1e-9);
    CHECK_NEAR(r[2].p_value, 0.386837788341377197, 1e-9);
    CHECK_NEAR(r[2].welch_df, 9.99098014195904588, 1e-9);
    CHECK_NEAR(r[2].welch_half, 2.39552801706871458, 1e-8);
    CHECK_NEAR(r[2].corr, 0.955193061862523366, 1e-12);
    CHECK_NEAR(r[2].vr_ratio, 0.0452382097014566607, 1e-12);
    CHECK_NEAR(r[2].bonf_half, 0.723286106254463948, 1e-9);
    CHECK(r[2].bonf_half > r[2].diff_half, "Bonferroni wider than one interval");

    /* The reference is not compared with itself. */
    CHECK(isnan(r[0].diff) && isnan(r[0].p_value) && r[0].n_pairs == 0,
          "reference: difference fields NAN (diff %g)", r[0].diff);

    /* MCB, smaller better: B (variant 1) is the best, A and C are not. */
    CHECK_NEAR(r[0].mcb_lo, 0, 0);
    CHECK_NEAR(r[0].mcb_hi, 1.48869812985734650, 1e-9);
    CHECK_NEAR(r[1].mcb_lo, -1.48869812985734650, 1e-9);
    CHECK_NEAR(r[1].mcb_hi, 0, 0);
    CHECK_NEAR(r[2].mcb_lo, 0, 0);
    CHECK_NEAR(r[2].mcb_hi, 2.15949522639662148, 1e-9);
    CHECK(r[1].mcb_best && !r[1].mcb_excluded, "smaller better: B best");
    CHECK(r[0].mcb_excluded && r[2].mcb_excluded && !r[0].mcb_best && !r[2].mcb_best,
          "smaller better: A and C excluded");

    /* Larger better: A and C cannot be told apart, B is excluded.  The
     * difference fields do not depend on the direction. */
    struct cmp_result g[K3];
    cmp_compute(&hand[0][0], N6, K3, 0, CMP_LARGER_BETTER, 0.95, g);
    CHECK_NEAR(g[0].mcb_lo, -0.804413088096051780, 1e-9);
    CHECK_NEAR(g[0].mcb_hi, 0.371079754762718447, 1e-9);
    CHECK_NEAR(g[1].mcb_lo, -2.15949522639662148, 1e-9);
    CHECK_NEAR(g[1].mcb_hi, 0, 0);
    CHECK_NEAR(g[2].mcb_lo, -0.371079754762718447, 1e-9);
    CHECK_NEAR(g[2].mcb_hi, 0.804413088096051780, 1e-9);
    CHECK(!g[0].mcb_best && !g[0].mcb_excluded && !g[2].mcb_best && !g[2].mcb_excluded,
          "larger better: A and C both possibly best");
    CHECK(g[1].mcb_excluded && !g[1].mcb_best, "larger better: B excluded");
    CHECK(g[2].diff == r[2].diff && g[2].diff_half == r[2].diff_half, "direction-free diffs");

    /* The sentences of these results: -1.133 +- 0.355 and 0.217 +- 0.588
     * rounded to the half-width's first digit. */
    char buf[200];
    cmp_sentence(buf, sizeof buf, "B", "mean response time", 0, "min", &r[1]);
    CHECK_STR(buf, "B lowers mean response time by 1.1 min (95% CI 0.8 to 1.5)");
    cmp_sentence(buf, sizeof buf, "C", "mean response time", 0, "min", &r[2]);
    CHECK_STR(buf, "C changes mean response time by +0.2 min (95% CI -0.4 to 0.8), "
                   "not significant at 95%");

    /* k = 2: Bonferroni over one comparison is the paired interval. */
    double two[N6][2];
    for (int i = 0; i < N6; i++) {
        two[i][0] = hand[i][0];
        two[i][1] = hand[i][1];
    }
    struct cmp_result t2[2];
    cmp_compute(&two[0][0], N6, 2, 0, CMP_SMALLER_BETTER, 0.95, t2);
    CHECK(t2[1].bonf_half == t2[1].diff_half, "k=2: Bonferroni = paired (%g vs %g)",
          t2[1].bonf_half, t2[1].diff_half);
    CHECK_NEAR(t2[1].diff_half, r[1].diff_half, 0);
}

static void self_comparison(void)
{
    enum { N = 20 };
    double x[N][3];
    gsl_rng *g = rng_stream_new(2385, 0, 7);
    for (int r = 0; r < N; r++) {
        x[r][0] = x[r][1] = x[r][2] = 7.3 + gsl_ran_gaussian(g, 2.1);
    }
    gsl_rng_free(g);
    struct cmp_result c[3];
    cmp_compute(&x[0][0], N, 3, RES_NONNEG, CMP_SMALLER_BETTER, 0.95, c);
    CHECK(c[1].diff == 0 && c[1].diff_half == 0 && c[1].diff_lo == 0 && c[1].diff_hi == 0,
          "A vs A: diff %g, CI [%g, %g], exactly 0", c[1].diff, c[1].diff_lo, c[1].diff_hi);
    CHECK(c[1].bonf_lo == 0 && c[1].bonf_hi == 0, "A vs A: Bonferroni [%g, %g]", c[1].bonf_lo,
          c[1].bonf_hi);
    CHECK(c[1].p_value == 1, "A vs A: p = %g", c[1].p_value);
    CHECK(isnan(c[1].t_stat), "A vs A: t = 0/0 is NAN (%g)", c[1].t_stat);
    CHECK(c[1].corr == 1, "identical arms: correlation exactly 1 (%.17g)", c[1].corr);
    CHECK(c[1].vr_ratio == 0, "A vs A: variance ratio 0 (%g)", c[1].vr_ratio);
    CHECK(c[1].welch_half > 0, "Welch ignores the pairing: half %g", c[1].welch_half);
    CHECK(c[1].mean == c[0].mean && c[1].half == c[0].half, "same summary");
    for (int v = 0; v < 3; v++)
        CHECK(c[v].mcb_lo == 0 && c[v].mcb_hi == 0 && !c[v].mcb_best && !c[v].mcb_excluded,
              "identical variants: MCB [%g, %g], none best or excluded", c[v].mcb_lo,
              c[v].mcb_hi);
    char buf[200];
    cmp_sentence(buf, sizeof buf, "A2", "mean response time", RES_NONNEG, "min", &c[1]);
    CHECK_STR(buf, "A2 leaves mean response time unchanged in all 20 replications");

    /* Constant arms: correlation undefined, no division by zero. */
    double y[5][2] = { { 5, 5 }, { 5, 5 }, { 5, 5 }, { 5, 5 }, { 5, 5 } };
    struct cmp_result d[2];
    cmp_compute(&y[0][0], 5, 2, 0, CMP_SMALLER_BETTER, 0.95, d);
    CHECK(d[1].diff == 0 && d[1].diff_half == 0 && d[1].p_value == 1,
          "constant equal arms: diff %g half %g p %g", d[1].diff, d[1].diff_half,
          d[1].p_value);
    CHECK(isnan(d[1].corr) && isnan(d[1].vr_ratio) && d[1].welch_half == 0,
          "constant arms: corr %g, ratio %g NAN, Welch half %g", d[1].corr, d[1].vr_ratio,
          d[1].welch_half);
    CHECK(d[0].half == 0 && d[0].lo == 5 && d[0].hi == 5, "constant arm: CI [%g, %g]",
          d[0].lo, d[0].hi);
    /* A constant, non-zero shift: certain, p = 0, zero width. */
    for (int r = 0; r < 5; r++)
        y[r][1] = 7.25;
    cmp_compute(&y[0][0], 5, 2, 0, CMP_SMALLER_BETTER, 0.95, d);
    CHECK(d[1].diff == 2.25 && d[1].diff_half == 0 && d[1].p_value == 0 && isinf(d[1].t_stat),
          "constant shift: diff %g half %g p %g t %g", d[1].diff, d[1].diff_half, d[1].p_value,
          d[1].t_stat);
    CHECK(d[0].mcb_best && d[1].mcb_excluded, "constant shift: MCB separates");
    cmp_sentence(buf, sizeof buf, "B", "mean wait", 0, "min", &d[1]);
    CHECK_STR(buf, "B raises mean wait by 2.25 min in all 5 replications");
}

static void nan_dropping(void)
{
    /* Replication 2 undefined in A, 4 in B: the pairs are the other four,
     * and the answer is the one on the compacted data. */
    double x[N6][2], packed[4][2];
    int m = 0;
    for (int r = 0; r < N6; r++) {
        x[r][0] = hand[r][0];
        x[r][1] = hand[r][2];
        if (r != 2 && r != 4) {
            packed[m][0] = x[r][0];
            packed[m][1] = x[r][1];
            m++;
        }
    }
    x[2][0] = NAN;
    x[4][1] = NAN;
    struct cmp_result a[2], b[2];
    cmp_compute(&x[0][0], N6, 2, 0, CMP_SMALLER_BETTER, 0.95, a);
    cmp_compute(&packed[0][0], 4, 2, 0, CMP_SMALLER_BETTER, 0.95, b);
    CHECK_INT(a[1].n_pairs, 4);
    CHECK_INT(a[0].n, 5);
    CHECK_INT(a[1].n, 5);
    CHECK(a[1].diff == b[1].diff && a[1].diff_half == b[1].diff_half &&
          a[1].p_value == b[1].p_value && a[1].welch_half == b[1].welch_half &&
          a[1].corr == b[1].corr && a[1].mcb_lo == b[1].mcb_lo && a[1].mcb_hi == b[1].mcb_hi,
          "pairwise drop = compacted data (diff %g vs %g, half %g vs %g)", a[1].diff, b[1].diff,
          a[1].diff_half, b[1].diff_half);
    /* Each variant's own mean keeps its own five replications.  mpmath:
     * mean(12.4, 15.1, 14.2, 11.7, 13.3) = 13.34. */
    CHECK_NEAR(a[0].mean, 13.34, 1e-12);
    CHECK(!isnan(a[0].half), "own interval defined");

    /* One pair left: a difference, no interval, a sentence that says so. */
    double z[3][2] = { { 1.5, NAN }, { 2.0, 2.75 }, { NAN, 3.0 } };
    struct cmp_result c[2];
    cmp_compute(&z[0][0], 3, 2, 0, CMP_SMALLER_BETTER, 0.95, c);
    CHECK(c[1].n_pairs == 1 && c[1].diff == 0.75 && isnan(c[1].diff_half) &&
          isnan(c[1].p_value) && isnan(c[1].welch_half) && isnan(c[1].mcb_lo),
          "one pair: diff %g, half %g, p %g", c[1].diff, c[1].diff_half, c[1].p_value);
    char buf[200];
    cmp_sentence(buf, sizeof buf, "B", "mean wait", 0, "min", &c[1]);
    CHECK_STR(buf, "B: change in mean wait not estimable from 1 paired replication");
    /* No replications at all. */
    cmp_compute(&z[0][0], 0, 2, 0, CMP_SMALLER_BETTER, 0.95, c);
    CHECK(c[0].n == 0 && isnan(c[0].mean) && c[1].n_pairs == 0 && isnan(c[1].diff),
          "no replications: everything NAN");
}

static void clipping(void)
{
    /* A share near 1 and a non-negative quantity near 0: the variant
     * intervals are clipped by the flags, the difference stays signed. */
    double x[4][2] = { { 0.99, 0.97 }, { 1.0, 0.95 }, { 0.97, 0.96 }, { 1.0, 0.99 } };
    struct cmp_result c[2];
    cmp_compute(&x[0][0], 4, 2, RES_PROPORTION | RES_NONNEG, CMP_LARGER_BETTER, 0.95, c);
    CHECK(c[0].hi == 1 && c[0].mean + c[0].half > 1, "share CI clipped at 1 (%g + %g)",
          c[0].mean, c[0].half);
    CHECK(c[1].diff_lo < 0 && c[1].diff_lo >= -1, "share difference signed (%g)", c[1].diff_lo);
    double y[4][1] = { { 0.1 }, { 0 }, { 0.3 }, { 0 } };
    cmp_compute(&y[0][0], 4, 1, RES_NONNEG, CMP_SMALLER_BETTER, 0.95, c);
    CHECK(c[0].lo == 0 && c[0].mean - c[0].half < 0, "non-negative CI clipped at 0");
    CHECK(isnan(c[0].mcb_lo), "k = 1: no MCB");
}

/* Paired vs Welch on correlated arms, and coverage of the paired interval
 * by simulation: 2,000 synthetic experiments of 10 replications, a skewed
 * common component (what the shared seed fixes) plus independent noise,
 * true difference -0.7. */
static void coverage(void)
{
    enum { EXPS = 2000, N = 10 };
    const double delta = -0.7;
    gsl_rng *g = rng_stream_new(20240611, 0, 1);
    double x[N][3];
    int cover = 0, welch_cover = 0, narrower = 0, bonf_cover = 0, mcb_cover = 0;
    double vr_sum = 0;
    /* Three variants for the family-wise checks: means 10, 9.3, 10.4. */
    const double mu[3] = { 0, delta, 0.4 };
    for (int e = 0; e < EXPS; e++) {
        for (int r = 0; r < N; r++) {
            double base = 10 + gsl_ran_lognormal(g, 1.5, 0.5);
            for (int v = 0; v < 3; v++)
                x[r][v] = base + mu[v] + gsl_ran_gaussian(g, 1.0);
        }
        struct cmp_result c[3];
        cmp_compute(&x[0][0], N, 3, 0, CMP_SMALLER_BETTER, 0.95, c);
        cover += c[1].diff_lo <= delta && delta <= c[1].diff_hi;
        welch_cover += c[1].welch_lo <= delta && delta <= c[1].welch_hi;
        narrower += c[1].diff_half < c[1].welch_half;
        vr_sum += c[1].vr_ratio;
        bonf_cover += c[1].bonf_lo <= mu[1] && mu[1] <= c[1].bonf_hi &&
                      c[2].bonf_lo <= mu[2] && mu[2] <= c[2].bonf_hi;
        int all = 1;
        for (int i = 0; i < 3; i++) {
            double best_other = INFINITY;
            for (int j = 0; j < 3; j++)
                if (j != i && mu[j] < best_other)
                    best_other = mu[j];
            double truth = mu[i] - best_other;
            all &= c[i].mcb_lo <= truth && truth <= c[i].mcb_hi;
        }
        mcb_cover += all;
    }
    gsl_rng_free(g);
    double cov = (double)cover / EXPS;
    CHECK(cov >= 0.935 && cov <= 0.965, "paired 95%% CI coverage %.4f in [0.935, 0.965]", cov);
    CHECK((double)narrower / EXPS > 0.99, "paired narrower than Welch in %d of %d", narrower,
          EXPS);
    /* Var(D) / (Var A + Var B) = 2 / (2 (Var base + 1)) = 0.120 in theory
     * (Var lognormal(1.5, 0.5) = 7.31); the mean of the estimated ratio
     * over n = 10 is higher (0.176 with this seed), far below 1. */
    CHECK(vr_sum / EXPS < 0.25, "CRN variance-reduction ratio, mean %.4f", vr_sum / EXPS);
    /* Welch treats the shared component as noise: valid but conservative. */
    CHECK((double)welch_cover / EXPS > 0.97, "Welch coverage %.4f (conservative)",
          (double)welch_cover / EXPS);
    /* Bonferroni and MCB are conservative family-wise 95% statements. */
    CHECK((double)bonf_cover / EXPS >= 0.94, "Bonferroni family coverage %.4f",
          (double)bonf_cover / EXPS);
    CHECK((double)mcb_cover / EXPS >= 0.94, "MCB simultaneous coverage %.4f",
          (double)mcb_cover / EXPS);
}

static void sentences(void)
{
    char buf[256];
    struct cmp_result r = { .level = 0.95, .n_pairs = 30 };
    r.diff = -1.8;
    r.diff_half = 0.3;
    r.diff_lo = -2.1;
    r.diff_hi = -1.5;
    cmp_sentence(buf, sizeof buf, "B", "mean response time", RES_NONNEG, "min", &r);
    CHECK_STR(buf, "B lowers mean response time by 1.8 min (95% CI 1.5 to 2.1)");
    cmp_sentence(buf, sizeof buf, NULL, "mean response time", RES_NONNEG, "min", &r);
    CHECK_STR(buf, "mean response time falls by 1.8 min (1.5 to 2.1)");

    r.diff = 0.031;
    r.diff_half = 0.007;
    r.diff_lo = 0.024;
    r.diff_hi = 0.038;
    cmp_sentence(buf, sizeof buf, NULL, "first-contact rate", RES_PROPORTION, "points", &r);
    CHECK_STR(buf, "first-contact rate changes by +3.1 points (2.4 to 3.8)");
    cmp_sentence(buf, sizeof buf, "B", "first-contact rate", RES_PROPORTION, "points", &r);
    CHECK_STR(buf, "B changes first-contact rate by +3.1 points (95% CI 2.4 to 3.8)");

    r.diff = -0.1;
    r.diff_half = 0.2;
    r.diff_lo = -0.3;
    r.diff_hi = 0.1;
    cmp_sentence(buf, sizeof buf, "B", "mean response time", RES_NONNEG, "min", &r);
    CHECK_STR(buf, "B changes mean response time by -0.1 min (95% CI -0.3 to 0.1), "
                   "not significant at 95%");

    /* Rounding follows the half-width: 0.14 keeps two digits; a value that
     * rounds to zero is "0.0", not "-0.0"; "/day" sits on the number. */
    r.diff = 2.4137;
    r.diff_half = 0.14;
    r.diff_lo = 2.2737;
    r.diff_hi = 2.5537;
    cmp_sentence(buf, sizeof buf, "C", "station load", RES_NONNEG, "/day", &r);
    CHECK_STR(buf, "C raises station load by 2.41/day (95% CI 2.27 to 2.55)");
    r.diff = -0.02;
    r.diff_half = 0.3;
    r.diff_lo = -0.32;
    r.diff_hi = 0.28;
    r.level = 0.9;
    cmp_sentence(buf, sizeof buf, NULL, "preemptions", 0, "", &r);
    CHECK_STR(buf, "preemptions changes by 0.0 (-0.3 to 0.3), not significant at 90%");

    /* Truncation is safe and the count is snprintf's. */
    char small[12];
    r.level = 0.95;
    int len = cmp_sentence(small, sizeof small, "B", "mean response time", 0, "min", &r);
    CHECK(len > (int)sizeof small && strlen(small) == sizeof small - 1, "truncated (%d)", len);

    CHECK_STR(cmp_unit("response_mean_min", RES_NONNEG), "min");
    CHECK_STR(cmp_unit("officer_overtime_hours", RES_NONNEG), "h");
    CHECK_STR(cmp_unit("station_load_per_day", RES_NONNEG), "/day");
    CHECK_STR(cmp_unit("incidents_per_shift", RES_NONNEG), "/shift");
    CHECK_STR(cmp_unit("first_contact_rate", res_infer_flags("first_contact_rate")), "points");
    CHECK_STR(cmp_unit("within_target_share", RES_PROPORTION | RES_NONNEG), "points");
    CHECK_STR(cmp_unit("max_queue", 0), "");
    CHECK_STR(cmp_unit("min", 0), "");
}

int main(void)
{
    known_answers();
    self_comparison();
    nan_dropping();
    clipping();
    coverage();
    sentences();
    return tc_done();
}
