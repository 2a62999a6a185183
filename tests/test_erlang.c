/* test_erlang.c - Erlang B/C, M/M/c measures and staffing.
 *
 * Reference values come from formulas independent of the recurrences under
 * test: the direct sums a^c/c! / sum_k a^k/k! for small c, and for large c
 * the Poisson form B = P(X = c) / P(X <= c), X ~ Poisson(a), through GSL.
 */
#include <math.h>
#include <stdio.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_errno.h>
#include <gsl/gsl_randist.h>
#include "erlang.h"
#include "tcheck.h"

static double direct_b(int c, double a)
{
    double term = 1, sum = 1;
    for (int k = 1; k <= c; k++) {
        term *= a / k;
        sum += term;
    }
    return term / sum;
}

static double direct_c(int c, double a)
{
    double term = 1, sum = 1;
    for (int k = 1; k < c; k++) {
        term *= a / k;
        sum += term;
    }
    double top = term * a / c / (1 - a / c);
    return top / (sum + top);
}

int main(void)
{
    gsl_set_error_handler_off();
    /* Textbook points. */
    CHECK_NEAR(erlang_b(1, 2.385), 2.385 / 3.385, 1e-15);
    CHECK_NEAR(erlang_b(2, 1.0), 0.2, 1e-15);
    CHECK_NEAR(erlang_c(2, 1.0), 1.0 / 3, 1e-15);
    CHECK_NEAR(erlang_c(1, 0.637), 0.637, 1e-15);
    CHECK_NEAR(erlang_b(0, 3.3), 1.0, 0);
    /* Against the direct sums. */
    const int cs[] = { 1, 3, 7, 12, 25 };
    const double as[] = { 0.31, 2.385, 6.02, 11.4, 19.7 };
    double worst_b = 0, worst_c = 0;
    for (int i = 0; i < 5; i++)
        for (int k = 0; k < 5; k++) {
            double rb = fabs(erlang_b(cs[i], as[k]) / direct_b(cs[i], as[k]) - 1);
            if (rb > worst_b)
                worst_b = rb;
            if (as[k] < cs[i]) {
                double rc = fabs(erlang_c(cs[i], as[k]) / direct_c(cs[i], as[k]) - 1);
                if (rc > worst_c)
                    worst_c = rc;
            }
        }
    CHECK(worst_b < 1e-12, "Erlang B vs direct sum, 25 points: worst relative error %.3g", worst_b);
    CHECK(worst_c < 1e-12, "Erlang C vs direct sum: worst relative error %.3g", worst_c);
    /* Large c, where a^c/c! overflows: the Poisson form. */
    const int big_c[] = { 200, 1000, 5000 };
    const double big_a[] = { 187.3, 1012.5, 4890.0 };
    for (int i = 0; i < 3; i++) {
        double ref = gsl_ran_poisson_pdf((unsigned)big_c[i], big_a[i]) /
                     gsl_cdf_poisson_P((unsigned)big_c[i], big_a[i]);
        double got = erlang_b(big_c[i], big_a[i]);
        CHECK(fabs(got / ref - 1) < 1e-9, "Erlang B(%d, %g) = %.12g vs Poisson form %.12g",
              big_c[i], big_a[i], got, ref);
    }
    /* Monotone and bounded. */
    int mono = 1;
    for (int c = 1; c < 60; c++)
        if (!(erlang_c(c + 1, 23.7) <= erlang_c(c, 23.7)) || erlang_c(c, 23.7) > 1)
            mono = 0;
    CHECK(mono, "Erlang C falls with c and stays in [0, 1] (a = 23.7, c = 1..60)");
    CHECK(erlang_c(5, 5.0) == 1.0 && erlang_c(4, 7.2) == 1.0, "Erlang C = 1 when a >= c");
    CHECK(isnan(erlang_b(-1, 2.0)) && isnan(erlang_b(3, -0.5)) && isnan(erlang_c(3, NAN)),
          "invalid input gives NAN");

    /* M/M/c measures: Little's law and the definitions. */
    struct erlang_mmc m;
    CHECK(erlang_mmc(4, 0.31, 0.1, &m) == 0, "M/M/4 at a = 3.1 is stable");
    CHECK_NEAR(m.p_wait, erlang_c(4, 3.1), 1e-15);
    CHECK_NEAR(m.wq, m.p_wait / (4 * 0.1 - 0.31), 1e-12);
    CHECK_NEAR(m.lq, 0.31 * m.wq, 1e-12);
    CHECK_NEAR(m.l, m.lq + 3.1, 1e-12);
    CHECK_NEAR(m.w, m.wq + 10, 1e-12);
    CHECK(erlang_mmc(3, 0.31, 0.1, &m) == -1 && isinf(m.wq), "M/M/3 at a = 3.1 is unstable: -1, infinite wait");
    /* M/M/1: P(W > t) = rho e^{-(mu - lambda) t}. */
    CHECK_NEAR(erlang_wait_tail(1, 0.6, 1.0, 2.5), 0.6 * exp(-0.4 * 2.5), 1e-15);

    /* Staffing: the smallest c meeting the target. */
    const double loads[] = { 0.4, 3.1, 9.75, 48.2 };
    const double targets[] = { 0.5, 0.2, 0.05, 0.01 };
    int ok = 1;
    for (int i = 0; i < 4; i++)
        for (int k = 0; k < 4; k++) {
            int c = erlang_staff_pwait(loads[i], targets[k]);
            if (c < 1 || erlang_c(c, loads[i]) > targets[k] ||
                (c - 1 > loads[i] && erlang_c(c - 1, loads[i]) <= targets[k])) {
                ok = 0;
                printf("  staff_pwait(%g, %g) = %d\n", loads[i], targets[k], c);
            }
        }
    CHECK(ok, "erlang_staff_pwait: minimal c with P(wait) <= target on 16 cases");
    CHECK_INT(erlang_staff_pwait(3.1, 0.2), 6);
    int cw = erlang_staff_wait(0.31, 0.1, 5.0, 0.1);
    CHECK(cw >= 4 && erlang_wait_tail(cw, 0.31, 0.1, 5.0) <= 0.1 &&
          (cw - 1 <= 3.1 || erlang_wait_tail(cw - 1, 0.31, 0.1, 5.0) > 0.1),
          "erlang_staff_wait: %d units keep P(wait > 5) <= 10%% at a = 3.1", cw);
    CHECK(erlang_staff_pwait(2.0, 0) == -1 && erlang_staff_pwait(-1, 0.1) == -1,
          "staffing rejects a target of 0 and a negative load");
    return tc_done();
}
