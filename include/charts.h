/* charts.h - charts for --report: data files + gnuplot scripts -> SVG.
 *
 * A chart is a gnuplot script of plots/ (the house style plots/common.gp
 * first) fed by data files the program writes into OUT/charts/.  For each
 * chart ID the folder keeps ID.gp (the variables, then both scripts copied
 * in, so it can be rerun anywhere: `cd OUT/charts && gnuplot -e
 * "fmt='png'" ID.gp` writes ID.png), its data files and ID.svg, which the
 * report inlines.  gnuplot is needed only here: charts_init fails with one
 * line naming the package when it is not installed.
 *
 * plots/ is found at $PATROLSIM_PLOTS, else beside the binary's folder
 * (bin/../plots), else ./plots.
 *
 * Ownership: struct charts owns every string of its charts.
 */
#ifndef PATROLSIM_CHARTS_H
#define PATROLSIM_CHARTS_H

#include <stdio.h>
#include "err.h"

#define CHARTS_NO_GNUPLOT "patrolsim: --report needs gnuplot: apt-get install gnuplot-nox"

struct chart {
    char *id;          /* file stem and HTML id */
    char *title;       /* bilingual, as on the chart */
    char *caption;     /* what it shows and how to read it (HTML-escaped later) */
    char *svg;         /* the SVG document as gnuplot wrote it */
    int series;        /* plot elements gnuplot drew (gnuplot_plot_N groups) */
    char *data;        /* the data file(s) behind it, concatenated (for the JSON block) */
};

struct charts {
    char *dir;         /* OUT/charts */
    char *plots;       /* the plots/ folder */
    struct chart *c;
    int n, cap;
    double seconds;    /* wall time spent in gnuplot */
};

/* 0 if a gnuplot executable is on PATH, else -1 with e = CHARTS_NO_GNUPLOT. */
int charts_gnuplot_check(struct perr *e);
/* Checks gnuplot and plots/, creates out_dir/charts.  0, or -1 with e set. */
int charts_init(struct charts *C, const char *out_dir, struct perr *e);
void charts_release(struct charts *C);

/* Opens OUT/charts/NAME for writing a data file; NULL with e set. */
FILE *charts_data(struct charts *C, const char *name, struct perr *e);

/* A gnuplot variable for charts_plot: a string, or a number. */
struct chart_var {
    const char *name;
    const char *str;   /* NULL: num is used */
    double num;
};

/* Renders plots/SCRIPT.gp as chart ID: writes ID.gp (vars, then "data" =
 * the files in data[] separated by spaces as `data`, `out` = ID.svg,
 * `title`), runs gnuplot in the charts folder and appends the chart.  On
 * failure e names the script and gnuplot's first error line. */
int charts_plot(struct charts *C, const char *id, const char *script, const char *title,
                const char *caption, const char *const *data, int n_data,
                const struct chart_var *vars, int n_vars, struct perr *e);

/* Box plots of n metrics across reps replications, one panel each, with
 * every replication as a dot and the mean's 95% CI as an error bar.
 * x is reps rows of stride values; column col[i] is metric i, scaled by
 * scale[i] (e.g. 100 for shares shown in percent); label[i] names it with
 * its unit.  NAN values are skipped. */
int charts_boxplots(struct charts *C, const char *id, const char *title, const char *caption,
                    int n, const char *const *label, const size_t *col, const double *scale,
                    const double *x, size_t stride, int reps, struct perr *e);

/* Forest plot: one row per (metric, variant) with its paired difference
 * to the reference as a percentage of the reference's mean, and its 95% CI;
 * one series per variant.  row_label[r] and text[r] (the absolute
 * difference with its interval) label the rows; variant[r] in 1..k-1. */
int charts_forest(struct charts *C, const char *id, const char *title, const char *caption,
                  int n_rows, const char *const *row_label, const char *const *text,
                  const int *variant, const char *const *variant_name, int k,
                  const double *pct, const double *pct_lo, const double *pct_hi,
                  struct perr *e);

#endif
