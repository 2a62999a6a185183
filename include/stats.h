/* stats.h - online statistics within a run and across replications.
 *
 * stat_acc: Welford's running mean/variance plus min/max, O(1) per value.
 * stat_sum: a count and a plain sum, for a mean alone (no variance): one
 *   addition per value where Welford pays a division.  Its mean carries a
 *   relative rounding error of at most n * 2^-53 (below 1e-9 for 10^7
 *   values) and typically sqrt(n) * 2^-53, the same order as Welford's, so
 *   for bounded non-negative durations nothing is lost; use stat_acc where a
 *   variance is wanted or values may cancel.
 * stat_hist: a GSL histogram with fine bins at the low end and geometric
 *   bins above (relative resolution STAT_HIST_REL), for quantiles of
 *   non-negative durations without storing the values.  Values above the top
 *   edge are counted and the exact maximum kept.
 * stat_ci: mean and Student-t confidence half-width across replications.
 */
#ifndef PATROLSIM_STATS_H
#define PATROLSIM_STATS_H

#include <stddef.h>
#include <stdint.h>
#include <gsl/gsl_histogram.h>

struct stat_acc {
    uint64_t n;
    double mean, m2, min, max;
};

struct stat_sum {
    uint64_t n;
    double sum;
};

void stat_sum_init(struct stat_sum *a);
static inline void stat_sum_add(struct stat_sum *a, double x)
{
    a->n++;
    a->sum += x;
}
double stat_sum_mean(const struct stat_sum *a);      /* NAN when n == 0 */

void stat_acc_init(struct stat_acc *a);
void stat_acc_add(struct stat_acc *a, double x);
/* Merges b into a (Chan et al.), as if b's values had been added to a. */
void stat_acc_merge(struct stat_acc *a, const struct stat_acc *b);
double stat_acc_mean(const struct stat_acc *a);      /* NAN when n == 0 */
double stat_acc_var(const struct stat_acc *a);       /* sample variance; NAN when n < 2 */
double stat_acc_sd(const struct stat_acc *a);

#define STAT_HIST_LIN_TOP 10.0    /* linear bins of STAT_HIST_LIN_W below this */
#define STAT_HIST_LIN_W   0.01
#define STAT_HIST_N_LIN   1000    /* LIN_TOP / LIN_W */
#define STAT_HIST_REL     0.002   /* geometric bin growth above */
#define STAT_HIST_TOP     1.0e6   /* top edge; larger values go to overflow */

struct stat_hist {
    gsl_histogram *h;
    uint64_t n, overflow;
    uint64_t zeros;        /* exact zeros (e.g. no wait), kept apart so that
                              quantiles among them are 0, not interpolated */
    double max;
};

void stat_hist_init(struct stat_hist *s);
void stat_hist_release(struct stat_hist *s);
void stat_hist_reset(struct stat_hist *s);
/* dst receives every value src holds (counts, zeros, overflow, max), as if
 * they had been added to it. */
void stat_hist_merge(struct stat_hist *dst, const struct stat_hist *src);
/* Every histogram has the same edges, so a value's bin can be found once
 * and added to several (the response time of a call to its priority's and
 * to the overall histogram, and to the travel histogram when it did not
 * wait).  x must be >= 0 (negative values are an internal error). */
#define STAT_BIN_ZERO ((size_t)-1)
#define STAT_BIN_OVER ((size_t)-2)
/* After a stat_hist_init, which builds the edges.  The linear bins below
 * STAT_HIST_LIN_TOP, where most durations fall, inline and without a
 * branch: edge i is fl(i * LIN_W) and the guess trunc(fl(x / LIN_W)), each
 * within an ulp or two of the exact value, so the guess is the bin of x or
 * one of its neighbours, and one test against each of the guess's edges
 * settles it (tests/test_stats.c checks every linear edge and its
 * neighbouring doubles). */
extern const double *stat__edges;
size_t stat__hist_bin(double x);
static inline size_t stat_hist_bin(double x)
{
    if (x > 0 && x < STAT_HIST_LIN_TOP) {
        size_t i = (size_t)(x * (1.0 / STAT_HIST_LIN_W)), top = STAT_HIST_N_LIN - 1;
        i = i > top ? top : i;
        i -= x < stat__edges[i];          /* the guess was one above (never at 0: x > 0) */
        i += x >= stat__edges[i + 1];     /* ... or one below; edges[N_LIN] = LIN_TOP > x */
        return i;
    }
    return stat__hist_bin(x);
}
static inline void stat_hist_add_bin(struct stat_hist *s, double x, size_t bin)
{
    s->n++;
    if (x > s->max)
        s->max = x;
    if (bin == STAT_BIN_ZERO)
        s->zeros++;
    else if (bin == STAT_BIN_OVER)
        s->overflow++;
    else
        s->h->bin[bin] += 1;
}
static inline void stat_hist_add(struct stat_hist *s, double x)
{
    if (x == 0) {          /* a call that did not wait: no bin search, no call */
        s->n++;
        s->zeros++;
        return;
    }
    stat_hist_add_bin(s, x, stat_hist_bin(x));
}
/* A histogram's values held back and added STAT_HBUF_N at a time.  Its
 * 1,000 linear bins' counts and edges take 16 KB; a model that touches
 * much other memory between two adds seldom finds a value's line in L1.
 * Added one at a time, each such miss stalls the work around it; added in
 * a batch, by a loop whose iterations are independent, the misses overlap
 * (docs/performance.md, "Since cc7e8ad").  The histogram lags until
 * stat_hbuf_flush: flush before reading, merging or resetting it. */
#define STAT_HBUF_N 64
struct stat_hbuf {
    struct stat_hist *to;
    unsigned n;
    double v[STAT_HBUF_N];
};
/* The same as stat_hist_add of each of x[0..n) in turn. */
void stat_hist_add_n(struct stat_hist *s, const double *x, size_t n);
void stat_hbuf_flush(struct stat_hbuf *b);
static inline void stat_hbuf_init(struct stat_hbuf *b, struct stat_hist *to)
{
    b->to = to;
    b->n = 0;
}
static inline void stat_hbuf_add(struct stat_hbuf *b, double x)
{
    b->v[b->n++] = x;
    if (b->n == STAT_HBUF_N)
        stat_hbuf_flush(b);
}
/* Quantile q in [0,1] by linear interpolation within the bin; NAN if empty. */
double stat_hist_quantile(const struct stat_hist *s, double q);
/* Share of the values <= x (linear within a bin, as the quantiles); NAN if
 * empty.  O(bins below x). */
double stat_hist_cdf(const struct stat_hist *s, double x);

/* Mean of x[0..n) and the half-width of the two-sided `level` (e.g. 0.95)
 * Student-t interval; half-width is NAN when n < 2.  NAN values in x are
 * skipped (a replication where the metric is undefined). */
void stat_ci(const double *x, size_t n, double level, double *mean, double *half);

#endif
