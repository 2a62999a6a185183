/* cmp.h - comparing k variants of one metric run with common random numbers.
 *
 * Input is one metric observed in n replications of k variants, an n x k
 * row-major matrix x[r * k + v].  Replication r of every variant used the
 * same seed (common random numbers), so values are paired by r and every
 * comparison is made on the per-replication differences.  NAN marks a
 * replication where the metric is undefined; it is dropped pairwise: a
 * comparison of v with w uses the replications where both are defined, and
 * reports how many that was.
 *
 * Variant 0 is the reference: cmp_compute fills each variant's own summary,
 * and for v >= 1 the difference  x[., v] - x[., 0]:
 *   - the paired-t interval and the two-sided p-value of the paired t test;
 *   - beside it, for contrast, the Welch interval that ignores the pairing
 *     (same replications, Welch-Satterthwaite degrees of freedom);
 *   - the correlation between the arms and the variance-reduction ratio
 *     Var(D) / (Var A + Var B), which is 1 for independent arms and the
 *     smaller the more common random numbers helped;
 *   - Bonferroni-adjusted paired intervals over the k - 1 comparisons with
 *     the reference (CMP_BONF_METHOD), so that all of them hold together;
 * and for every variant (k >= 2) the multiple-comparisons-with-the-best
 * interval for  mu_v - (best of the other means)  (CMP_MCB_METHOD).
 *
 * Degenerate cases are defined, never a division by zero:
 *   - fewer than 2 usable pairs: the mean difference when there is one pair,
 *     every interval, p-value and ratio NAN;
 *   - Var(D) = 0 (e.g. a variant compared with an identical copy): the
 *     interval is [diff, diff], zero width; p = 1 when diff = 0 (no evidence
 *     of any difference) and p = 0 otherwise (a constant, non-zero shift);
 *   - an arm with zero variance: correlation NAN (undefined); identical,
 *     non-constant arms give exactly 1;
 *   - Var A + Var B = 0: variance-reduction ratio NAN.
 * The reference's own difference fields are NAN (n_pairs 0): it is not
 * compared with itself.
 *
 *   - both arms constant: Welch half-width 0 and its df NAN.
 *
 * Cost: O(n k^2) for the MCB pairs, O(n + k^2) scratch memory.
 */
#ifndef PATROLSIM_CMP_H
#define PATROLSIM_CMP_H

#include <stddef.h>

/* Names of the simultaneous procedures, for the command's output. */
#define CMP_PAIRED_METHOD \
    "paired-t intervals on common random numbers (replication r of every variant on the same seed)"
#define CMP_BONF_METHOD \
    "Bonferroni-adjusted paired-t intervals over the k-1 comparisons with the first variant"
#define CMP_MCB_METHOD \
    "multiple comparisons with the best (MCB), Bonferroni procedure for common random " \
    "numbers of Nelson & Matejcik (1995)"

enum cmp_dir {
    CMP_SMALLER_BETTER,   /* e.g. response times */
    CMP_LARGER_BETTER,    /* e.g. shares reached within target */
};

/* One (variant, metric) result; *_half are half-widths. */
struct cmp_result {
    double level;                /* confidence of the intervals, e.g. 0.95 */

    /* The variant alone, over its own defined replications. */
    int n;                       /* replications with a value */
    double mean, half;           /* Student-t interval mean +- half */
    double lo, hi;               /* the same, clipped by the slot flags (res_interval) */

    /* Paired difference to the reference, variant minus variant 0. */
    int n_pairs;                 /* replications defined in both arms */
    double diff, diff_half;      /* mean difference, paired-t half-width */
    double diff_lo, diff_hi;     /* diff +- diff_half (proportions: within [-1, 1]) */
    double t_stat, p_value;      /* paired t statistic (df n_pairs - 1), two-sided p */
    double welch_half, welch_df; /* unpaired Welch interval on the same pairs */
    double welch_lo, welch_hi;
    double corr;                 /* Pearson correlation between the two arms */
    double vr_ratio;             /* Var(D) / (Var A + Var B) */
    double bonf_half;            /* paired-t half-width at level 1 - (1-level)/(k-1) */
    double bonf_lo, bonf_hi;

    /* MCB: simultaneous interval for mu_v - max_{w != v} mu_w (larger is
     * better) or mu_v - min_{w != v} mu_w (smaller is better); it always
     * contains 0.  NAN when some pair involving v has fewer than 2 pairs. */
    double mcb_lo, mcb_hi;
    int mcb_best;                /* 1: v is better than every other variant */
    int mcb_excluded;            /* 1: some other variant is better than v */
};

/* Computes all k results of one metric from x (n x k, row-major, NAN =
 * undefined).  flags are the slot's RES_* flags (clipping; proportions
 * keep their difference within [-1, 1]); level in (0, 1) is the confidence
 * of every interval, individually for the variant and paired ones and
 * family-wise for the Bonferroni and MCB ones.  out has k entries.
 * k >= 1, n >= 0 and 0 < level < 1 are preconditions (asserted). */
void cmp_compute(const double *x, int n, int k, unsigned flags, enum cmp_dir dir,
                 double level, struct cmp_result *out);

/* Unit shown beside a metric's differences, by the naming convention of
 * res.h: proportions (RES_PROPORTION) -> "points" (percentage points),
 * else by suffix: "_min" -> "min", "_hours" -> "h", "_per_day" -> "/day",
 * "_per_shift" -> "/shift", "_km" -> "km"; otherwise "" (a count or ratio).
 * Returns a static string. */
const char *cmp_unit(const char *metric, unsigned flags);

/* Writes a plain-language clause for r's difference to the reference into
 * buf (size n, always terminated) and returns snprintf's count.
 *   variant "B":  "B lowers mean response time by 1.8 min (95% CI 1.5 to 2.1)"
 *                 "B raises ..."; proportions, in points, signed:
 *                 "B changes first-contact rate by +3.1 points (95% CI 2.4 to 3.8)"
 *   variant NULL: the clause continues a sentence about the same variant:
 *                 "first-contact rate changes by +3.1 points (2.4 to 3.8)",
 *                 "mean response time falls by 1.8 min (1.5 to 2.1)"
 * When the interval contains 0 the change is reported signed with
 * ", not significant at 95%"; when every pair was identical, "leaves ...
 * unchanged in all N replications"; with fewer than 2 pairs, "cannot
 * estimate the change ...".  Values are rounded to the half-width's first
 * significant digit (two when it starts with 1). */
int cmp_sentence(char *buf, size_t n, const char *variant, const char *label, unsigned flags,
                 const char *unit, const struct cmp_result *r);

#endif
