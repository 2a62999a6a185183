/* stats.c - Welford accumulators, histogram quantiles, Student-t intervals. */
#include <math.h>
#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_cdf.h>
#include "err.h"
#include "stats.h"

void stat_acc_init(struct stat_acc *a)
{
    *a = (struct stat_acc){ 0, 0.0, 0.0, INFINITY, -INFINITY };
}

void stat_acc_add(struct stat_acc *a, double x)
{
    a->n++;
    double d = x - a->mean;
    a->mean += d / (double)a->n;
    a->m2 += d * (x - a->mean);
    if (x < a->min)
        a->min = x;
    if (x > a->max)
        a->max = x;
}

void stat_acc_merge(struct stat_acc *a, const struct stat_acc *b)
{
    if (b->n == 0)
        return;
    if (a->n == 0) {
        *a = *b;
        return;
    }
    double na = (double)a->n, nb = (double)b->n, n = na + nb;
    double d = b->mean - a->mean;
    a->mean += d * nb / n;
    a->m2 += b->m2 + d * d * na * nb / n;
    a->n += b->n;
    if (b->min < a->min)
        a->min = b->min;
    if (b->max > a->max)
        a->max = b->max;
}

void stat_sum_init(struct stat_sum *a)
{
    a->n = 0;
    a->sum = 0;
}

double stat_sum_mean(const struct stat_sum *a) { return a->n ? a->sum / (double)a->n : NAN; }

double stat_acc_mean(const struct stat_acc *a) { return a->n ? a->mean : NAN; }
double stat_acc_var(const struct stat_acc *a) { return a->n > 1 ? a->m2 / (double)(a->n - 1) : NAN; }
double stat_acc_sd(const struct stat_acc *a) { return sqrt(stat_acc_var(a)); }

/* Bin edges: linear up to STAT_HIST_LIN_TOP, then growing by STAT_HIST_REL.
 * Built once (thread-safe); every histogram shares the same edges. */
static double *edges;
const double *stat__edges;          /* edges, for stat_hist_bin's inline part */
static size_t n_edges, n_lin;
/* The bin guess above STAT_HIST_LIN_TOP, by the value's top bits: a
 * double's exponent and first GEO_MANT mantissa bits cut [LIN_TOP, TOP)
 * into cells no wider than 2^-GEO_MANT relative, and geo_guess[cell] is
 * the bin of the cell's lowest value.  A cell spans at most three bins
 * (2^-8 against bins of 0.2%), so stat_hist_add's loops settle it in a
 * step or two, without the log() that cost ~30 instructions per value. */
#define GEO_MANT 8
static uint16_t *geo_guess;
static uint64_t geo_key0;           /* cell of STAT_HIST_LIN_TOP */

static uint64_t geo_key(double x)
{
    uint64_t b;
    memcpy(&b, &x, sizeof b);
    return b >> (52 - GEO_MANT);
}

static void build_edges(void)
{
    n_lin = (size_t)llround(STAT_HIST_LIN_TOP / STAT_HIST_LIN_W);
    PS_ASSERT(n_lin == STAT_HIST_N_LIN);
    size_t n_geo = (size_t)ceil(log(STAT_HIST_TOP / STAT_HIST_LIN_TOP) / log1p(STAT_HIST_REL));
    edges = xmalloc((n_lin + n_geo + 1) * sizeof *edges);
    size_t k = 0;
    for (size_t i = 0; i <= n_lin; i++)
        edges[k++] = (double)i * STAT_HIST_LIN_W;
    for (size_t i = 1; i <= n_geo; i++)
        edges[k++] = STAT_HIST_LIN_TOP * pow(1.0 + STAT_HIST_REL, (double)i);
    n_edges = k;
    stat__edges = edges;
    geo_key0 = geo_key(STAT_HIST_LIN_TOP);
    size_t n_keys = (size_t)(geo_key(edges[n_edges - 1]) - geo_key0 + 1);
    PS_ASSERT(n_edges - 2 <= UINT16_MAX);
    geo_guess = xmalloc(n_keys * sizeof *geo_guess);
    size_t i = n_lin;
    for (size_t c = 0; c < n_keys; c++) {
        uint64_t b = (geo_key0 + c) << (52 - GEO_MANT);
        double lo;
        memcpy(&lo, &b, sizeof lo);
        while (i + 2 < n_edges && lo >= edges[i + 1])
            i++;
        geo_guess[c] = (uint16_t)i;
    }
}

void stat_hist_init(struct stat_hist *s)
{
    static pthread_once_t once = PTHREAD_ONCE_INIT;
    pthread_once(&once, build_edges);
    s->h = gsl_histogram_alloc(n_edges - 1);
    PS_ASSERT(s->h != NULL);
    PS_ASSERT(gsl_histogram_set_ranges(s->h, edges, n_edges) == 0);
    s->n = s->overflow = s->zeros = 0;
    s->max = 0;
}

void stat_hist_release(struct stat_hist *s)
{
    if (s->h)
        gsl_histogram_free(s->h);
    s->h = NULL;
}

void stat_hist_reset(struct stat_hist *s)
{
    gsl_histogram_reset(s->h);
    s->n = s->overflow = s->zeros = 0;
    s->max = 0;
}

void stat_hist_merge(struct stat_hist *dst, const struct stat_hist *src)
{
    PS_ASSERT(gsl_histogram_add(dst->h, src->h) == 0);   /* same edges: counts add exactly */
    dst->n += src->n;
    dst->overflow += src->overflow;
    dst->zeros += src->zeros;
    if (src->max > dst->max)
        dst->max = src->max;
}

/* 0 < v < STAT_HIST_LIN_TOP in one compare: positive doubles order as
 * their bits do, and after the subtraction +0 wraps to UINT64_MAX while
 * -0, negative values, infinities and NaNs stay above the top's bits - 1. */
static int lin_range(double v)
{
    uint64_t b, top;
    double t = STAT_HIST_LIN_TOP;
    memcpy(&b, &v, sizeof b);
    memcpy(&top, &t, sizeof top);
    return b - 1 < top - 1;
}

void stat_hist_add_n(struct stat_hist *s, const double *x, size_t n)
{
    double *bin = s->h->bin, max = s->max;
    const double *e = edges;
    for (size_t k = 0; k < n; k++) {
        double v = x[k];
        max = v > max ? v : max;
        if (lin_range(v)) {
            /* stat_hist_bin's linear part; v / LIN_W < 1000 fits a long */
            long i = (long)(v * (1.0 / STAT_HIST_LIN_W));
            i = i > STAT_HIST_N_LIN - 1 ? STAT_HIST_N_LIN - 1 : i;
            i -= v < e[i];
            i += v >= e[i + 1];
            bin[i] += 1;
            continue;
        }
        size_t b = stat__hist_bin(v);
        if (b == STAT_BIN_ZERO)
            s->zeros++;
        else if (b == STAT_BIN_OVER)
            s->overflow++;
        else
            bin[b] += 1;
    }
    s->n += n;
    s->max = max;
}

void stat_hbuf_flush(struct stat_hbuf *b)
{
    stat_hist_add_n(b->to, b->v, b->n);
    b->n = 0;
}

size_t stat__hist_bin(double x)
{
    PS_ASSERT(x >= 0);
    if (x == 0)
        return STAT_BIN_ZERO;
    if (!(x < edges[n_edges - 1]))
        return STAT_BIN_OVER;
    /* A guess near the bin (linear: by a multiply; geometric: geo_guess),
     * settled by the loops on the edges themselves, instead of GSL's binary
     * search over ~6,800 edges: this runs several times per incident. */
    size_t i;
    if (x < STAT_HIST_LIN_TOP) {
        i = (size_t)(x * (1.0 / STAT_HIST_LIN_W));
        if (i > n_lin - 1)
            i = n_lin - 1;
    } else {
        i = geo_guess[geo_key(x) - geo_key0];
    }
    while (i > 0 && x < edges[i])
        i--;
    while (i + 2 < n_edges && x >= edges[i + 1])
        i++;
    return i;
}

double stat_hist_cdf(const struct stat_hist *s, double x)
{
    if (!s->n)
        return NAN;
    double c = x >= 0 ? (double)s->zeros : 0;
    const gsl_histogram *g = s->h;
    for (size_t i = 0; i < g->n && g->range[i] < x; i++) {
        double lo = g->range[i], hi = g->range[i + 1];
        c += hi <= x ? g->bin[i] : g->bin[i] * (x - lo) / (hi - lo);
    }
    if (x >= g->range[g->n])
        c += (double)s->overflow * (x >= s->max);
    return c / (double)s->n;
}

double stat_hist_quantile(const struct stat_hist *s, double q)
{
    if (s->n == 0)
        return NAN;
    if (q <= 0)
        q = 0;
    if (q >= 1)
        return s->max;
    double target = q * (double)s->n, cum = (double)s->zeros;
    if (target <= cum)
        return 0;
    size_t nb = gsl_histogram_bins(s->h);
    for (size_t i = 0; i < nb; i++) {
        double c = gsl_histogram_get(s->h, i);
        if (c > 0 && cum + c >= target) {
            double lo, hi;
            gsl_histogram_get_range(s->h, i, &lo, &hi);
            double v = lo + (hi - lo) * (target - cum) / c;
            return v < s->max ? v : s->max;
        }
        cum += c;
    }
    return s->max;   /* the quantile lies in the overflow */
}

void stat_ci(const double *x, size_t n, double level, double *mean, double *half)
{
    struct stat_acc a;
    stat_acc_init(&a);
    for (size_t i = 0; i < n; i++)
        if (!isnan(x[i]))
            stat_acc_add(&a, x[i]);
    *mean = stat_acc_mean(&a);
    if (a.n < 2) {
        *half = NAN;
        return;
    }
    double t = gsl_cdf_tdist_Pinv(0.5 + level / 2, (double)(a.n - 1));
    *half = t * sqrt(stat_acc_var(&a) / (double)a.n);
}
