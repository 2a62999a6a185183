/* cmp.c - paired comparisons of variants run on common random numbers.
 *
 * Every pairwise statistic is computed from the replications defined in
 * both arms, gathered into scratch arrays, and the difference D_r = b_r -
 * a_r is formed per replication before any averaging: identical arms then
 * give D = 0 exactly, so a variant compared with a copy of itself has a
 * difference of exactly 0 and a zero-width interval, not rounding noise
 * from Var A + Var B - 2 Cov.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include <gsl/gsl_statistics_double.h>
#include "cmp.h"
#include "err.h"
#include "res.h"
#include "stats.h"

/* Sample moments of one pair of arms over their jointly defined replications. */
struct pair {
    int n;
    double mean_d, var_d;        /* of D = b - a */
    double var_a, var_b, cov;    /* of the arms; NAN when n < 2 */
};

/* Gathers the replications where both columns are defined into a, b and d
 * (each n long) and computes their moments with GSL. */
static void pair_moments(const double *x, int n, int k, int va, int vb,
                         double *a, double *b, double *d, struct pair *p)
{
    size_t m = 0;
    for (int r = 0; r < n; r++) {
        double xa = x[(size_t)r * (size_t)k + (size_t)va];
        double xb = x[(size_t)r * (size_t)k + (size_t)vb];
        if (isnan(xa) || isnan(xb))
            continue;
        a[m] = xa;
        b[m] = xb;
        d[m] = xb - xa;
        m++;
    }
    p->n = (int)m;
    p->mean_d = m ? gsl_stats_mean(d, 1, m) : NAN;
    if (m < 2) {
        p->var_d = p->var_a = p->var_b = p->cov = NAN;
        return;
    }
    double ma = gsl_stats_mean(a, 1, m), mb = gsl_stats_mean(b, 1, m);
    p->var_d = gsl_stats_variance_m(d, 1, m, p->mean_d);
    p->var_a = gsl_stats_variance_m(a, 1, m, ma);
    p->var_b = gsl_stats_variance_m(b, 1, m, mb);
    p->cov = gsl_stats_covariance_m(a, 1, b, 1, m, ma, mb);
}

/* Upper p-quantile of Student's t with df degrees of freedom. */
static double t_quantile(double p, double df)
{
    PS_ASSERT(p > 0 && p < 1 && df >= 1);
    return gsl_cdf_tdist_Pinv(p, df);
}

/* Standard error of the mean difference; 0 exactly when Var(D) = 0. */
static double pair_se(const struct pair *p)
{
    return sqrt(p->var_d / (double)p->n);
}

static void reference_fields(struct cmp_result *r)
{
    r->n_pairs = 0;
    r->diff = r->diff_half = r->diff_lo = r->diff_hi = NAN;
    r->t_stat = r->p_value = NAN;
    r->welch_half = r->welch_df = r->welch_lo = r->welch_hi = NAN;
    r->corr = r->vr_ratio = NAN;
    r->bonf_half = r->bonf_lo = r->bonf_hi = NAN;
}

/* A difference of proportions lies in [-1, 1]; nothing else is clipped, as
 * a difference of non-negative quantities may have either sign. */
static void diff_interval(unsigned flags, double diff, double half, double *lo, double *hi)
{
    *lo = diff - half;
    *hi = diff + half;
    if (isnan(half) || !(flags & RES_PROPORTION))
        return;
    if (*lo < -1)
        *lo = -1;
    if (*hi > 1)
        *hi = 1;
}

static void compare_to_reference(const struct pair *p, unsigned flags, double level, int k,
                                 struct cmp_result *r)
{
    r->n_pairs = p->n;
    r->diff = p->mean_d;
    if (p->n < 2) {
        double diff = r->diff;
        reference_fields(r);
        r->n_pairs = p->n;
        r->diff = diff;
        return;
    }
    double df = (double)(p->n - 1), se = pair_se(p), alpha = 1 - level;

    r->diff_half = t_quantile(0.5 + level / 2, df) * se;
    diff_interval(flags, r->diff, r->diff_half, &r->diff_lo, &r->diff_hi);
    if (se > 0) {
        r->t_stat = r->diff / se;
        r->p_value = 2 * gsl_cdf_tdist_Q(fabs(r->t_stat), df);
        if (r->p_value > 1)
            r->p_value = 1;
    } else if (r->diff == 0) {
        r->t_stat = NAN;          /* 0 / 0: the arms agree in every replication */
        r->p_value = 1;
    } else {
        r->t_stat = copysign(INFINITY, r->diff);   /* a constant, non-zero shift */
        r->p_value = 0;
    }

    /* Welch: the interval an analysis ignoring the pairing would report. */
    double sa = p->var_a / (double)p->n, sb = p->var_b / (double)p->n, s2 = sa + sb;
    if (s2 > 0) {
        r->welch_df = s2 * s2 / ((sa * sa + sb * sb) / df);
        r->welch_half = t_quantile(0.5 + level / 2, r->welch_df) * sqrt(s2);
    } else {
        r->welch_df = NAN;
        r->welch_half = 0;
    }
    diff_interval(flags, r->diff, r->welch_half, &r->welch_lo, &r->welch_hi);

    /* cov / sqrt(va vb) rather than gsl_stats_correlation: GSL computes cov
     * and var by the same recurrence, so identical arms give exactly 1. */
    if (p->var_a > 0 && p->var_b > 0) {
        r->corr = p->cov / sqrt(p->var_a * p->var_b);
        r->corr = fmax(-1.0, fmin(1.0, r->corr));
    } else {
        r->corr = NAN;
    }
    r->vr_ratio = p->var_a + p->var_b > 0 ? p->var_d / (p->var_a + p->var_b) : NAN;

    /* Bonferroni over the k - 1 two-sided comparisons with the reference. */
    int m = k > 2 ? k - 1 : 1;
    r->bonf_half = t_quantile(1 - alpha / (2.0 * m), df) * se;
    diff_interval(flags, r->diff, r->bonf_half, &r->bonf_lo, &r->bonf_hi);
}

/* Multiple comparisons with the best, Bonferroni form for common random
 * numbers: Nelson, B. L. and Matejcik, F. J. (1995), "Using common random
 * numbers for indifference-zone selection and multiple comparisons in
 * simulation", Management Science 41(12), 1935-1945.  With
 *   w_ij = t_{1-alpha/(k-1), n-1} S_ij / sqrt(n),
 * S_ij^2 the sample variance of the paired differences X_i - X_j (a
 * one-sided quantile: one family of k - 1 one-sided statements about the
 * true best gives both bounds), the intervals that hold simultaneously with
 * probability >= 1 - alpha are, larger being better,
 *   mu_i - max_{j!=i} mu_j in [ -(min_{j!=i} (Ybar_i - Ybar_j - w_ij))^-,
 *                               +(min_{j!=i} (Ybar_i - Ybar_j + w_ij))^+ ],
 * x^+ = max(0, x), -x^- = min(0, x); with a common w this is Hsu's
 * [-(Ybar_i - max_{j!=i} Ybar_j - w)^-, (Ybar_i - max_{j!=i} Ybar_j + w)^+].
 * Smaller being better is the same applied to -X, i.e. intervals for
 * mu_i - min_{j!=i} mu_j with max in place of min.  Ybar_i - Ybar_j is the
 * mean paired difference over the replications defined in both (with no
 * NAN, exactly the difference of the means); Bonferroni needs only each
 * pair's own t statement, so pairwise deletion keeps the guarantee. */
static void mcb(const double *x, int n, int k, enum cmp_dir dir, double level,
                double *a, double *b, double *d, struct cmp_result *out)
{
    size_t kk = (size_t)k;
    double *dbar = xmalloc(kk * kk * sizeof *dbar), *w = xmalloc(kk * kk * sizeof *w);
    double alpha = 1 - level;
    for (int i = 0; i < k; i++)
        for (int j = i + 1; j < k; j++) {
            struct pair p;
            pair_moments(x, n, k, j, i, a, b, d, &p);   /* D = X_i - X_j */
            double mean = NAN, half = NAN;
            if (p.n >= 2) {
                mean = p.mean_d;
                half = t_quantile(1 - alpha / (k - 1), (double)(p.n - 1)) * pair_se(&p);
            }
            dbar[(size_t)i * kk + (size_t)j] = mean;
            dbar[(size_t)j * kk + (size_t)i] = -mean;
            w[(size_t)i * kk + (size_t)j] = w[(size_t)j * kk + (size_t)i] = half;
        }
    for (int i = 0; i < k; i++) {
        struct cmp_result *r = &out[i];
        double raw_lo = dir == CMP_LARGER_BETTER ? INFINITY : -INFINITY, raw_hi = raw_lo;
        int ok = 1;
        for (int j = 0; j < k; j++) {
            if (j == i)
                continue;
            double m = dbar[(size_t)i * kk + (size_t)j], h = w[(size_t)i * kk + (size_t)j];
            if (isnan(h)) {
                ok = 0;
                break;
            }
            if (dir == CMP_LARGER_BETTER) {
                raw_lo = fmin(raw_lo, m - h);
                raw_hi = fmin(raw_hi, m + h);
            } else {
                raw_lo = fmax(raw_lo, m - h);
                raw_hi = fmax(raw_hi, m + h);
            }
        }
        if (!ok) {
            r->mcb_lo = r->mcb_hi = NAN;
            r->mcb_best = r->mcb_excluded = 0;
            continue;
        }
        r->mcb_lo = fmin(0.0, raw_lo);
        r->mcb_hi = fmax(0.0, raw_hi);
        /* Strict: variants that cannot be told apart (e.g. identical
         * copies, raw bounds exactly 0) are neither best nor excluded. */
        if (dir == CMP_LARGER_BETTER) {
            r->mcb_best = raw_lo > 0;
            r->mcb_excluded = raw_hi < 0;
        } else {
            r->mcb_best = raw_hi < 0;
            r->mcb_excluded = raw_lo > 0;
        }
    }
    free(dbar);
    free(w);
}

void cmp_compute(const double *x, int n, int k, unsigned flags, enum cmp_dir dir,
                 double level, struct cmp_result *out)
{
    PS_ASSERT(k >= 1 && n >= 0 && level > 0 && level < 1);
    size_t nn = n > 0 ? (size_t)n : 1;
    double *a = xmalloc(nn * sizeof *a), *b = xmalloc(nn * sizeof *b);
    double *d = xmalloc(nn * sizeof *d);

    for (int v = 0; v < k; v++) {
        struct cmp_result *r = &out[v];
        memset(r, 0, sizeof *r);
        r->level = level;
        size_t m = 0;
        for (int i = 0; i < n; i++) {
            a[i] = x[(size_t)i * (size_t)k + (size_t)v];
            m += !isnan(a[i]);
        }
        r->n = (int)m;
        stat_ci(a, (size_t)n, level, &r->mean, &r->half);
        res_interval(flags, r->mean, r->half, &r->lo, &r->hi);

        if (v == 0) {
            reference_fields(r);
            continue;
        }
        struct pair p;
        pair_moments(x, n, k, 0, v, a, b, d, &p);
        compare_to_reference(&p, flags, level, k, r);
    }
    if (k >= 2) {
        mcb(x, n, k, dir, level, a, b, d, out);
    } else {
        out[0].mcb_lo = out[0].mcb_hi = NAN;
        out[0].mcb_best = out[0].mcb_excluded = 0;
    }
    free(a);
    free(b);
    free(d);
}

static int ends_with(const char *s, const char *suffix)
{
    size_t n = strlen(s), k = strlen(suffix);
    return n >= k && !strcmp(s + n - k, suffix);
}

const char *cmp_unit(const char *metric, unsigned flags)
{
    static const struct { const char *suffix, *unit; } units[] = {
        { "_min", "min" }, { "_hours", "h" }, { "_per_day", "/day" },
        { "_per_shift", "/shift" }, { "_km", "km" },
    };
    if (flags & RES_PROPORTION)
        return "points";
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++)
        if (ends_with(metric, units[i].suffix))
            return units[i].unit;
    return "";
}

/* Decimals that show the half-width to one significant digit, two when it
 * starts with 1 (0.14 keeps its 4; 0.3 needs no more); -1 for none. */
static int decimals_for(double half)
{
    if (!(half > 0) || !isfinite(half))
        return -1;
    double e = floor(log10(half));
    int dec = (int)-e;
    if (half / pow(10, e) < 2)
        dec++;
    return dec < 0 ? 0 : dec > 6 ? 6 : dec;
}

/* Formats v with dec decimals (dec < 0 or huge: three significant digits), with a
 * sign when plus is set, and a value that rounds to zero as plain "0.0". */
static const char *num(char *buf, size_t n, double v, int dec, int plus)
{
    char tmp[64];
    if (dec < 0 || !(fabs(v) < 1e15))
        snprintf(tmp, sizeof tmp, "%.3g", v);
    else
        snprintf(tmp, sizeof tmp, "%.*f", dec, v);
    const char *t = tmp;
    int zero = strspn(t + (t[0] == '-'), "0.") == strlen(t + (t[0] == '-'));
    if (zero && t[0] == '-')
        t++;
    snprintf(buf, n, "%s%s", plus && !zero && t[0] != '-' ? "+" : "", t);
    return buf;
}

int cmp_sentence(char *buf, size_t n, const char *variant, const char *label, unsigned flags,
                 const char *unit, const struct cmp_result *r)
{
    PS_ASSERT(label && unit && r);
    int prop = !!(flags & RES_PROPORTION), full = variant && *variant;
    double s = prop ? 100 : 1;
    double D = r->diff * s, lo = r->diff_lo * s, hi = r->diff_hi * s, half = r->diff_half * s;
    const char *sep = unit[0] && unit[0] != '/' ? " " : "";
    char pct[16], vb[80], lb[80], hb[80];
    snprintf(pct, sizeof pct, "%g%%", r->level * 100);
    const char *V = full ? variant : "";
    const char *sp = full ? " " : "";

    if (r->n_pairs < 2 || isnan(half)) {
        const char *reps = r->n_pairs == 1 ? "replication" : "replications";
        return full ? snprintf(buf, n, "%s: change in %s not estimable from %d paired %s", V,
                               label, r->n_pairs, reps)
                    : snprintf(buf, n, "change in %s not estimable from %d paired %s", label,
                               r->n_pairs, reps);
    }
    if (half == 0 && D == 0)
        return full ? snprintf(buf, n, "%s leaves %s unchanged in all %d replications", V,
                               label, r->n_pairs)
                    : snprintf(buf, n, "%s unchanged in all %d replications", label, r->n_pairs);

    int dec = decimals_for(half);
    const char *up = full ? "raises" : "rises", *down = full ? "lowers" : "falls";
    if (half == 0) {            /* the same non-zero shift in every replication */
        if (prop)
            return full ? snprintf(buf, n, "%s changes %s by %s points in all %d replications",
                                   V, label, num(vb, sizeof vb, D, -1, 1), r->n_pairs)
                        : snprintf(buf, n, "%s changes by %s points in all %d replications",
                                   label, num(vb, sizeof vb, D, -1, 1), r->n_pairs);
        return full ? snprintf(buf, n, "%s %s %s by %s%s%s in all %d replications", V,
                               D < 0 ? down : up, label, num(vb, sizeof vb, fabs(D), -1, 0),
                               sep, unit, r->n_pairs)
                    : snprintf(buf, n, "%s %s by %s%s%s in all %d replications", label,
                               D < 0 ? down : up, num(vb, sizeof vb, fabs(D), -1, 0), sep, unit,
                               r->n_pairs);
    }
    const char *ci = full ? pct : "";
    const char *cisep = full ? " CI " : "";
    if (prop || (lo <= 0 && hi >= 0)) {
        const char *tail = lo <= 0 && hi >= 0 ? ", not significant at " : "";
        const char *tail_pct = *tail ? pct : "";
        if (full)
            return snprintf(buf, n, "%s changes %s by %s%s%s (%s%s%s to %s)%s%s", V, label,
                            num(vb, sizeof vb, D, dec, 1), sep, unit, ci, cisep,
                            num(lb, sizeof lb, lo, dec, 0), num(hb, sizeof hb, hi, dec, 0),
                            tail, tail_pct);
        return snprintf(buf, n, "%s changes by %s%s%s (%s to %s)%s%s", label,
                        num(vb, sizeof vb, D, dec, 1), sep, unit,
                        num(lb, sizeof lb, lo, dec, 0), num(hb, sizeof hb, hi, dec, 0), tail,
                        tail_pct);
    }
    /* Significant: the size of the change, its interval as magnitudes. */
    double m_lo = D < 0 ? -hi : lo, m_hi = D < 0 ? -lo : hi;
    num(vb, sizeof vb, fabs(D), dec, 0);
    num(lb, sizeof lb, m_lo, dec, 0);
    num(hb, sizeof hb, m_hi, dec, 0);
    return full ? snprintf(buf, n, "%s%s%s %s by %s%s%s (%s%s%s to %s)", V, sp,
                           D < 0 ? down : up, label, vb, sep, unit, ci, cisep, lb, hb)
                : snprintf(buf, n, "%s %s by %s%s%s (%s to %s)", label, D < 0 ? down : up, vb,
                           sep, unit, lb, hb);
}
