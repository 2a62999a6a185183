/* cmd_run.c - `patrolsim run`: replications of one scenario, any model. */
#define _DEFAULT_SOURCE
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include "cli.h"
#include "exp.h"
#include "outf.h"
#include "prog.h"
#include "prov.h"
#include "report_html.h"
#include "runout.h"

static void help(const struct model_type *mt)
{
    fputs("usage: patrolsim run SCENARIO [options]\n"
          "\n"
          "Simulates the scenario folder SCENARIO (scenario.ini + CSV tables) for R\n"
          "replications and prints response times by priority, first-contact rate,\n"
          "cross-grid support, queueing and unit utilisation, with 95% confidence\n"
          "intervals across replications when R > 1.\n"
          "\n"
          "options (defaults come from the scenario's [run] section):\n", stdout);
    cli_common_help(stdout, mt);
    fputs("  --out DIR           write the result files to DIR (created if needed): the\n"
          "                      model's summary and breakdowns, replications.csv (one\n"
          "                      row per replication, every metric) and provenance.json,\n"
          "                      all replaced at once (manifest.txt lists them)\n"
          "  --force             replace the result files of an --out folder that\n"
          "                      patrolsim did not write (other files are kept)\n"
          "  --trace FILE        write every incident of replication 1 to FILE (CSV)\n"
          "  --report DIR        write DIR/report.html: key figures, charts (inline SVG,\n"
          "                      drawn by gnuplot), assumptions and provenance, one page\n"
          "                      that works offline; chart data and scripts in DIR/charts\n"
          "  -h, --help          show this help\n"
          "\n"
          "Exit status: 0 success, 1 system failure, 2 bad usage or bad scenario.\n", stdout);
}

struct run_ctx {
    const struct model_type *mt;
    const struct model *m;
    uint64_t seed;
    FILE *trace;
};

static int run_task(void *ctx, int rep, double *row, struct perr *e)
{
    const struct run_ctx *c = ctx;
    return c->mt->run(c->m, c->seed, rep, rep == 0 ? c->trace : NULL, row, e);
}

/* Opens the trace file of path as a one-file output set. */
static FILE *open_trace(struct outf *o, const char *path, struct perr *e)
{
    char *dir = xstrdup(path), *slash = strrchr(dir, '/');
    const char *name = slash ? slash + 1 : path;
    if (slash)
        *slash = '\0';
    FILE *fp = outf_open(o, slash ? (*dir ? dir : "/") : ".", name, e);
    free(dir);
    return fp;
}

/* The results matrix (replications x metrics, doubles) may take at most a
 * quarter of the machine's memory and never more than 4 GiB: 100k units
 * with --reps 1000 once asked for 8 GB up front. */
static double matrix_cap_bytes(void)
{
    long pages = sysconf(_SC_PHYS_PAGES), size = sysconf(_SC_PAGESIZE);
    double phys = pages > 0 && size > 0 ? (double)pages * (double)size : 16.0 * (1 << 30);
    return fmin(phys / 4, 4.0 * (1 << 30));
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* Wall time of one replication of dir over `days` days (no warm-up), or
 * -1.  A pilot for the estimate below. */
static double pilot(const struct model_type *mt, const char *dir, const struct cli_ov *c,
                    double days)
{
    struct cli_ov o = { 0 };
    for (int i = 0; i < c->n; i++)
        cli_ov_add(&o, c->ov[i].section, c->ov[i].key, c->ov[i].value);
    char v[32];
    snprintf(v, sizeof v, "%.17g", days);
    cli_ov_add(&o, "run", "horizon_days", v);
    cli_ov_add(&o, "run", "warmup_days", "0");
    struct perr e;
    double t = -1;
    struct model *m = mt->load(dir, o.ov, o.n, &e);
    if (m) {
        struct res_layout L;
        mt->layout(m, &L);
        double *row = xcalloc(L.n ? L.n : 1, sizeof *row);
        double t0 = now_s();
        if (mt->run(m, 1, 0, NULL, row, &e) == 0)
            t = now_s() - t0;
        free(row);
        res_layout_release(&L);
        mt->free(m);
    }
    cli_ov_release(&o);
    return t;
}

static void fmt_duration(double s, char *buf, size_t n)
{
    if (s < 120)
        snprintf(buf, n, "%.0f s", s);
    else if (s < 7200)
        snprintf(buf, n, "%.0f min", s / 60);
    else if (s < 3 * 86400)
        snprintf(buf, n, "%.1f h", s / 3600);
    else if (s < 730 * 86400)
        snprintf(buf, n, "%.0f days", s / 86400);
    else
        snprintf(buf, n, "%.3g years", s / (365.25 * 86400));
}

/* Long runs say so before they start: two short pilots (16 and 256 days)
 * separate the fixed cost of a replication from its cost per day, which
 * is extrapolated to the horizon, the replications and the threads.  Only
 * for runs of 20,000+ replication-days; printed from 30 s on.  A
 * replay whose data ends before the horizon finishes sooner. */
static void estimate(const struct model_type *mt, const char *dir, const struct cli_ov *c,
                     const struct prov *pv, int jobs, size_t n_slots)
{
    double H = pv->horizon_days;
    if (H * pv->reps < 20000)
        return;
    double a = fmin(16, H), b = fmin(256, H);
    double ta = pilot(mt, dir, c, a), tb = pilot(mt, dir, c, b);
    if (ta < 0 || tb < 0)
        return;
    double per_day = b > a ? fmax(tb - ta, 0) / (b - a) : 0;
    double fixed = fmax(ta - per_day * a, 0);
    int waves = (pv->reps + jobs - 1) / jobs;
    double total = waves * (fixed + per_day * H);
    if (total < 30)
        return;
    char d[64];
    fmt_duration(total, d, sizeof d);
    fprintf(stderr, "patrolsim run: this run will take about %s: %d replication%s x %g days "
                    "on %d thread%s (a %g-day replication took %.2f s); results %.1f MB; "
                    "Ctrl-C stops it without partial output\n",
            d, pv->reps, pv->reps == 1 ? "" : "s", H, jobs, jobs == 1 ? "" : "s", b, tb,
            (double)pv->reps * (double)n_slots * 8 / 1e6);
}

int cmd_run(int argc, char **argv, const struct model_type *mt)
{
    struct cli_common c;
    cli_common_init(&c);
    const char *dir = NULL, *trace_path = NULL, *report = NULL;
    int rc = EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        int r = cli_common_opt(&c, mt, "run", argc, argv, &i);
        if (r < 0)
            goto done;
        if (r > 0)
            continue;
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            help(mt);
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(argv[i], "--trace") && i + 1 < argc) {
            trace_path = argv[++i];
        } else if (!strcmp(argv[i], "--report") && i + 1 < argc) {
            report = argv[++i];
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "patrolsim run: unexpected argument '%s'; see 'patrolsim run --help'\n",
                    argv[i]);
            goto done;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fputs("patrolsim run: expected one SCENARIO folder; see 'patrolsim run --help'\n", stderr);
        goto done;
    }
    if (c.out && cli_check_out("run", c.out) < 0)
        goto done;
    struct perr oe;
    if (c.out && outf_check_dir(c.out, 0, &oe) < 0) {
        fprintf(stderr, "patrolsim run: --out %s\n", oe.msg);
        goto done;
    }
    if (report && cli_check_report("run", report) < 0) {
        rc = EXIT_FAIL;
        goto done;
    }
    struct model *m = cli_load(mt, dir, &c.ov);
    if (!m)
        goto done;

    struct perr e;
    struct prov pv;
    struct res_layout L;
    struct res_summary S = { 0 };
    struct outf trace_out;
    outf_init(&trace_out);
    outf_catch_signals();
    mt->layout(m, &L);
    rc = EXIT_FAIL;
    double *x = NULL;
    if (prov_init(&pv, mt, m, dir, c.ov.ov, c.ov.n, &e) < 0) {
        fprintf(stderr, "patrolsim run: %s\n", e.msg);
        goto cleanup_noprov;
    }
    double bytes = (double)pv.reps * (double)(L.n ? L.n : 1) * sizeof *x;
    if (bytes > matrix_cap_bytes()) {
        fprintf(stderr, "patrolsim run: %d replications x %zu metrics need %.1f GiB for the "
                        "results, more than the %.1f GiB allowed (a quarter of this machine's "
                        "memory, at most 4 GiB); use fewer --reps, or a sweep (results stored "
                        "as they finish)\n", pv.reps, L.n, bytes / (1 << 30),
                matrix_cap_bytes() / (1 << 30));
        rc = EXIT_USAGE;
        goto cleanup;
    }
    if (!c.quiet || c.progress != PROG_NONE)
        estimate(mt, dir, &c.ov, &pv, c.jobs, L.n);
    x = xmalloc((size_t)pv.reps * (L.n ? L.n : 1) * sizeof *x);
    struct run_ctx ctx = { mt, m, pv.seed, NULL };
    if (trace_path) {
        ctx.trace = open_trace(&trace_out, trace_path, &e);
        if (!ctx.trace)
            goto fail;
        fputs(mt->trace_header, ctx.trace);
    }
    struct prog *pg = prog_new((enum prog_mode)c.progress, "run", pv.reps);
    struct exp_opts eo = { .jobs = c.jobs, .progress = pg };
    int erc = exp_run_opts(pv.reps, L.n, run_task, &ctx, x, &eo, &e);
    prog_free(pg);
    if (erc < 0)
        goto fail;
    if (trace_path && outf_commit(&trace_out, &e) < 0)
        goto fail;

    res_summarise(&L, x, pv.reps, 0.95, &S);
    if (!c.quiet)
        mt->print(m, stdout, &L, &S, &pv);
    if (c.out) {
        if (runout_write(mt, m, c.out, &L, x, &S, &pv, &e) < 0)
            goto fail;
        if (!c.quiet)
            printf("\nresults written to %s/\n", c.out);
    }
    if (report) {
        struct rpt_variant rv = { .name = pv.scenario_name, .m = m, .pv = &pv, .L = &L, .x = x };
        if (rpt_write(mt, "run", &rv, 1, report, &e) < 0)
            goto fail;
        if (!c.quiet)
            printf("report written to %s/report.html\n", report);
    }
    rc = EXIT_OK;
    goto cleanup;
fail:
    fprintf(stderr, "patrolsim run: %s\n", e.msg);
    outf_abort(&trace_out);
cleanup:
    prov_release(&pv);
cleanup_noprov:
    res_summary_release(&S);
    free(x);
    res_layout_release(&L);
    mt->free(m);
done:
    cli_common_release(&c);
    return rc;
}
