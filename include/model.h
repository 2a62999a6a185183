/* model.h - the model seam: everything the experiment layer needs of a model.
 *
 * A model is a const table of functions, looked up by name, in the manner of
 * GSL's gsl_rng_type.  sim/ (replications, compare, sweep, the result store,
 * the generic commands) drives any model through it and knows nothing else
 * about it; a model lives outside sim/ and hands its table to cli_main().
 *
 * Contract:
 * - load() reads and validates a scenario folder with overrides applied as if
 *   the files had said so; the result is immutable and shared read-only by
 *   every worker thread.
 * - run() is a pure function of (model, seed, rep): it draws every random
 *   number from streams keyed by (seed, rep, purpose, entity id), so two
 *   variants run with the same seed and rep see the same exogenous inputs
 *   (common random numbers) and results never depend on the thread count.
 * - layout() names every slot of run()'s result row (res.h); compare and
 *   sweep address metrics by those names.
 * - Overrides are "section.key=value" strings split at the first '.' and the
 *   first '='; the key may itself contain dots (a table row and column).  The
 *   experiment parameters travel as overrides of section "run": keys "seed",
 *   "replications", "horizon_days" and "warmup_days", which every model must
 *   accept.
 */
#ifndef PATROLSIM_MODEL_H
#define PATROLSIM_MODEL_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "res.h"

struct model;              /* one loaded scenario, opaque to sim/ */
struct outf;
struct prov;
struct rpt;

struct model_override {
    const char *section, *key, *value;
};

/* What a loaded scenario says about its own experiment. */
struct model_info {
    const char *name;          /* scenario name */
    const char *description;   /* may be "" */
    uint64_t seed;
    int reps;
    double horizon_days, warmup_days;
};

/* A model's own command (`patrolsim fit ...`): argv[0] is the command name. */
struct model_cmd {
    const char *name;
    int (*fn)(int argc, char **argv);
    const char *summary;
};

/* A command-line option of run/compare/sweep that stands for an override:
 * `--from T` = replay.from=T.  option is the long name without dashes. */
struct model_alias {
    const char *option, *section, *key, *help;
};

struct model_type {
    const char *name;          /* e.g. "police" */
    const char *summary;

    struct model *(*load)(const char *dir, const struct model_override *ov, int n_ov,
                          struct perr *e);
    void (*free)(struct model *m);
    void (*info)(const struct model *m, struct model_info *out);
    /* Every file load() read, in order (for checksums); returns the count. */
    int (*inputs)(const struct model *m, const char *const **paths);
    /* Called once after load, before any run: messages about the loaded
     * scenario (a replay's row counts, warnings) on fp. May be NULL. */
    void (*notes)(const struct model *m, FILE *fp);
    /* How many warnings notes() printed (validate --strict fails on any).
     * May be NULL: none. */
    int (*n_warnings)(const struct model *m);
    void (*layout)(const struct model *m, struct res_layout *L);
    /* One replication into row[L.n]; trace (may be NULL) gets a per-event CSV
     * whose header is trace_header.  0, or -1 with e set. */
    int (*run)(const struct model *m, uint64_t seed, int rep, FILE *trace, double *row,
               struct perr *e);
    const char *trace_header;
    /* Human description of a metric (for tables and plain-language lines);
     * "" when unknown. */
    const char *(*metric_desc)(const char *section, const char *metric);
    /* Short label for plain-language lines ("mean response time"); NULL
     * or "" falls back to the metric name. */
    const char *(*metric_label)(const char *section, const char *metric);
    /* Which way is better: -1 smaller, +1 larger, 0 neither (utilisation). */
    int (*metric_better)(const char *section, const char *metric);
    /* The metrics a comparison leads with (res_lookup names), NULL-ended. */
    const char *const *headline;
    /* validate's one-line description of a loaded scenario (no newline). */
    void (*describe)(const struct model *m, FILE *fp);
    /* The printed summary of a run and its result files (written into the
     * caller's output set o under dir; all or nothing). */
    void (*print)(const struct model *m, FILE *fp, const struct res_layout *L,
                  const struct res_summary *S, const struct prov *pv);
    int (*write)(const struct model *m, struct outf *o, const char *dir,
                 const struct res_layout *L, const struct res_summary *S,
                 const struct prov *pv, struct perr *e);

    const struct model_alias *aliases;
    int n_aliases;
    const struct model_cmd *cmds;  /* the model's own commands */
    int n_cmds;

    /* --report: the model's part of report.html (report_html.h).  Called
     * once per page, after the generic charts, with every variant; it adds
     * charts (charts.h), Chinese metric labels and assumption rows to r.
     * 0, or -1 with e set.  NULL: the page has the generic parts only. */
    int (*report)(struct rpt *r, struct perr *e);
};

/* The generic command line: `prog <command> ...` over the given models (the
 * first is the default; `--model NAME` picks another).  Returns the exit code. */
int cli_main(int argc, char **argv, const struct model_type *const *models, int n_models);

#endif
