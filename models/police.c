/* police.c - the policing model on the model seam: scenario loading,
 * replications and reports behind model.h's table, and the police-only
 * commands.  sim/ reaches the domain only through `police_model`. */
#include <stdio.h>
#include <string.h>
#include "analytic.h"
#include "inc.h"
#include "obsvsim.h"
#include "ops.h"
#include "pcharts.h"
#include "police.h"
#include "report.h"

/* A struct model is a struct scn: the seam's handle is the scenario. */
static struct model *p_load(const char *dir, const struct model_override *ov, int n_ov,
                            struct perr *e)
{
    /* struct scn_override has the same three strings. */
    struct scn_override *so = xcalloc((size_t)(n_ov ? n_ov : 1), sizeof *so);
    for (int i = 0; i < n_ov; i++)
        so[i] = (struct scn_override){ ov[i].section, ov[i].key, ov[i].value };
    struct scn *s = scn_load(dir, so, n_ov, e);
    free(so);
    return (struct model *)s;
}

const struct scn *police_scn(const struct model *m)
{
    return (const struct scn *)m;
}

static void p_free(struct model *m)
{
    scn_free((struct scn *)m);
}

static void p_info(const struct model *m, struct model_info *out)
{
    const struct scn *s = police_scn(m);
    *out = (struct model_info){ s->name, s->description ? s->description : "", s->seed,
                                s->reps, s->horizon_days, s->warmup_days };
}

static int p_inputs(const struct model *m, const char *const **paths)
{
    return scn_inputs(police_scn(m), paths);
}

static void p_notes(const struct model *m, FILE *fp)
{
    const struct scn *s = police_scn(m);
    inc_source_report(s, fp);   /* a replay's row counts */
    const char *const *msg;
    int n = scn_notes(s, &msg);
    for (int i = 0; i < n; i++)
        fprintf(fp, "%s: %s\n", s->dir, msg[i]);
    n = scn_warnings(s, &msg);
    for (int i = 0; i < n; i++)
        fprintf(fp, "warning: %s\n", msg[i]);
}

static int p_n_warnings(const struct model *m)
{
    const char *const *msg;
    return scn_warnings(police_scn(m), &msg);
}

static void p_layout(const struct model *m, struct res_layout *L)
{
    ops_layout(police_scn(m), L);
}

static int p_run(const struct model *m, uint64_t seed, int rep, FILE *trace, double *row,
                 struct perr *e)
{
    struct ops_params p = { seed, rep, trace };
    return ops_run(police_scn(m), &p, row, NULL, e);
}

static void p_describe(const struct model *m, FILE *fp)
{
    const struct scn *s = police_scn(m);
    int n_station = 0;
    for (int i = 0; i < s->n_facilities; i++)
        n_station += s->facilities[i].tier == FAC_STATION;
    fprintf(fp, "'%s', %d grids, %d facilities (%d stations), %d units, %d incident types, "
                "%.6g incidents/day", s->name, s->n_grids, s->n_facilities, n_station,
            s->n_units, s->n_itypes, s->rate_per_day);
}

static void p_print(const struct model *m, FILE *fp, const struct res_layout *L,
                    const struct res_summary *S, const struct prov *pv)
{
    report_print(fp, police_scn(m), L, S, pv);
    obsvsim_print(fp, police_scn(m), L, S);
}

static int p_write(const struct model *m, struct outf *o, const char *dir,
                   const struct res_layout *L, const struct res_summary *S,
                   const struct prov *pv, struct perr *e)
{
    if (report_write(o, dir, police_scn(m), L, S, pv, e) < 0)
        return -1;
    return obsvsim_write(o, dir, police_scn(m), L, S, e);
}

/* Short labels of the headline metrics, for compare's plain-language lines. */
static const struct { const char *metric, *label; int better; } labels[] = {
    { "response_mean_min", "mean response time", -1 },
    { "response_p50_min", "median response time", -1 },
    { "response_p90_min", "90th-percentile response time", -1 },
    { "response_p95_min", "95th-percentile response time", -1 },
    { "within_target_share", "share within target", +1 },
    { "travel_mean_min", "mean travel time", -1 },
    { "first_contact_rate", "first-contact rate (首接率)", +1 },
    { "resolution_rate", "resolution rate (处结率)", +1 },
    { "handover_share", "handover share", 0 },
    { "cross_grid_share", "cross-grid support share", 0 },
    { "queued_share", "share that waited", -1 },
    { "wait_mean_min", "mean queue wait", -1 },
    { "station_load_per_day", "station load per day", 0 },
    { "utilisation_mean", "mean utilisation", 0 },
    { "utilisation_cv", "utilisation CV across units", -1 },
    { "officer_overtime_hours", "officer overtime", -1 },
};

static int label_find(const char *section, const char *metric)
{
    if (strcmp(section, "all") && strcmp(section, "priority"))
        return -1;
    for (size_t i = 0; i < sizeof labels / sizeof *labels; i++)
        if (!strcmp(labels[i].metric, metric))
            return (int)i;
    return -1;
}

static const char *p_label(const char *section, const char *metric)
{
    int i = label_find(section, metric);
    return i < 0 ? NULL : labels[i].label;
}

static int p_better(const char *section, const char *metric)
{
    int i = label_find(section, metric);
    return i < 0 ? 0 : labels[i].better;
}

static const char *const headline[] = {
    "response_mean_min", "response_p90_min", "within_target_share", "first_contact_rate",
    "resolution_rate", "cross_grid_share", "queued_share", "station_load_per_day",
    "utilisation_mean", "officer_overtime_hours", NULL,
};

static const struct model_cmd police_cmds[] = {
    { "fit", cmd_fit, "estimate arrival profile, grid shares and type mix from a CAD export" },
    { "calibrate", cmd_calibrate, "fit call processing, strength, briefing, turnout and units "
                                  "per call of a replay on a training window" },
    { "gen", cmd_gen, "write a scenario's synthetic incident stream as a replayable CSV" },
    { "bench", cmd_bench, "run the reference benchmark model and print its figures" },
    { "keys", scn_cmd_keys, "list every scenario.ini key: type, range, default, unit" },
    { "coverage", cmd_coverage, "which demand points no base reaches within the target; "
                                "each base's load" },
    { "blockade", cmd_blockade, "seal a set of points, one unit each, as fast as possible "
                                "(bottleneck assignment)" },
    { "analytic", cmd_analytic, "hypercube queueing model: instant workloads, first contact and "
                                "P(wait); --check against the simulation" },
};

static const struct model_alias police_aliases[] = {
    { "from", "replay", "from", "replay only calls received from T (local date-time, e.g. 2021-10-01)" },
    { "to", "replay", "to", "... and before T" },
};

const struct model_type police_model = {
    .name = "police",
    .summary = "police stations, grids, staffing and dispatch (所站室, 网格)",
    .load = p_load,
    .free = p_free,
    .info = p_info,
    .inputs = p_inputs,
    .notes = p_notes,
    .n_warnings = p_n_warnings,
    .layout = p_layout,
    .run = p_run,
    .trace_header = ops_trace_header,
    .metric_desc = ops_metric_desc,
    .metric_label = p_label,
    .metric_better = p_better,
    .headline = headline,
    .describe = p_describe,
    .print = p_print,
    .write = p_write,
    .aliases = police_aliases,
    .n_aliases = (int)(sizeof police_aliases / sizeof *police_aliases),
    .cmds = police_cmds,
    .n_cmds = (int)(sizeof police_cmds / sizeof *police_cmds),
    .report = pcharts_report,
};

struct scn *police_load(const char *dir, const struct cli_ov *c)
{
    struct model *m = cli_load(&police_model, dir, c);
    return (struct scn *)m;
}
