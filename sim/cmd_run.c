/* cmd_run.c - `patrolsim run`: replications of one scenario, any model. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "exp.h"
#include "outf.h"
#include "prog.h"
#include "prov.h"
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

int cmd_run(int argc, char **argv, const struct model_type *mt)
{
    struct cli_common c;
    cli_common_init(&c);
    const char *dir = NULL, *trace_path = NULL;
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
