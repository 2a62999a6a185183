/* report_html.h - the self-contained report.html of run, compare and sweep.
 *
 * One page that works offline: CSS inline, charts inline as SVG (charts.h),
 * no scripts, fonts or network requests.  It shows the scenario, a table of
 * key figures with 95% CIs, every chart with a caption, the assumptions
 * and the provenance, and embeds the numbers behind it as a JSON block
 * (<script type="application/json" id="report-data">).  Labels are
 * bilingual, 中文 then English.
 *
 * The page writer is domain-free; a model adds its own charts, Chinese
 * labels and assumptions through model_type.report (model.h), which fills
 * the struct rpt it is handed before the page is written.
 */
#ifndef PATROLSIM_REPORT_HTML_H
#define PATROLSIM_REPORT_HTML_H

#include <stdio.h>
#include "charts.h"
#include "model.h"
#include "prov.h"
#include "res.h"

/* One variant of the page (a run is one variant). */
struct rpt_variant {
    const char *name;
    const struct model *m;
    const struct prov *pv;
    const struct res_layout *L;
    const double *x;              /* pv->reps rows of L->n */
    struct res_summary S;         /* filled by rpt_write */
};

struct rpt {
    const struct model_type *mt;
    const char *command;          /* "run" or "compare" */
    struct rpt_variant *v;
    int k, reps;
    struct charts *charts;        /* add charts with charts_plot & co. */
    /* Set by the model hook: Chinese label of a metric, or NULL. */
    const char *(*label_zh)(const char *section, const char *metric);
    /* Assumption rows (label, value), owned; add with rpt_assume. */
    char **assume;
    int n_assume, cap_assume;
};

/* Adds an assumption row to the page (strings copied). */
void rpt_assume(struct rpt *r, const char *label, const char *value);

/* Writes out_dir/report.html (and out_dir/charts/) for k variants run on
 * the same replications: the generic parts, the model's hook, for k >= 2
 * a forest plot of the paired differences of the headline metrics.
 * 0, or -1 with e set. */
int rpt_write(const struct model_type *mt, const char *command, struct rpt_variant *v,
                      int k, const char *out_dir, struct perr *e);

/* Writes out_dir/report.html of a sweep from its export csv_path
 * (sweep.csv): a table of every point, each headline metric against the
 * first parameter (one line per value of the second) with 95% CI error
 * bars, and a heat map over the first two parameters.  spec is the sweep
 * specification as text.  0, or -1 with e set. */
int rpt_sweep(const struct model_type *mt, const char *csv_path, const char *out_dir,
              const char *scenario, const char *spec, struct perr *e);

/* ---- page pieces, shared with the sweep report ---------------------------- */

/* HTML-escapes s (& < > " ') onto fp. */
void rh_esc(FILE *fp, const char *s);
/* <!doctype html> .. <body><h1>, with the house CSS; title is escaped. */
void rh_begin(FILE *fp, const char *title, const char *subtitle);
/* A section heading with an anchor: "中文 English". */
void rh_h2(FILE *fp, const char *id, const char *zh, const char *en);
/* The chart as <figure id="chart-ID" data-series="N">: the SVG inline with
 * its ids prefixed by the chart id (several SVGs share one document), its
 * title and caption. */
void rh_figure(FILE *fp, const struct chart *c);
/* The JSON value (a jansson json_t *) as the page's data block; "</" is
 * escaped so the block cannot end the script early. */
void rh_json(FILE *fp, const char *id, void *json);
void rh_end(FILE *fp);
/* A number as the tables show it: %.*g of v, "–" for NAN. */
void rh_num(FILE *fp, double v, int sig);

#endif
