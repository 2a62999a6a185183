/* cmd_run.c - `patrolsim run`: replications of one scenario. */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cli.h"
#include "exp.h"
#include "ops.h"
#include "outf.h"
#include "report.h"

static const char help[] =
"usage: patrolsim run SCENARIO [options]\n"
"\n"
"Simulates the scenario folder SCENARIO (scenario.ini + CSV tables) for R\n"
"replications and prints response times by priority, first-contact rate,\n"
"cross-grid support, queueing and unit utilisation, with 95% confidence\n"
"intervals across replications when R > 1.\n"
"\n"
"options (defaults come from the scenario's [run] section):\n"
"  --seed N            base random seed (echoed in every output)\n"
"  --reps R            number of replications\n"
"  --horizon-days D    create incidents over D days, then drain\n"
"  --warmup-days W     simulate but do not count the first W days\n"
"  --set S.K=V         override key K of section [S] of scenario.ini (repeatable)\n"
"  --from T, --to T    replay only calls received in [T, T'), local date-time\n"
"                      such as 2021-10-01 or 2021-10-01T08:00 (replay.from/to)\n"
"  --out DIR           write summary.csv, by_unit.csv, by_grid.csv and\n"
"                      summary.json to DIR (created if needed)\n"
"  --trace FILE        write every incident of replication 1 to FILE (CSV)\n"
"  --jobs J            worker threads (default: number of CPUs); results do\n"
"                      not depend on J\n"
"  --quiet             do not print the summary\n"
"  -h, --help          show this help\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad scenario.\n";

struct run_ctx {
    const struct scn *s;
    uint64_t seed;
    FILE *trace;
};

static int run_task(void *ctx, int rep, double *row, struct perr *e)
{
    const struct run_ctx *c = ctx;
    struct ops_params p = { c->seed, rep, rep == 0 ? c->trace : NULL };
    return ops_run(c->s, &p, row, NULL, e);
}

int cmd_run(int argc, char **argv)
{
    static const struct option opts[] = {
        { "seed", required_argument, 0, 's' },
        { "reps", required_argument, 0, 'r' },
        { "horizon-days", required_argument, 0, 'H' },
        { "warmup-days", required_argument, 0, 'W' },
        { "set", required_argument, 0, 'S' },
        { "from", required_argument, 0, 'F' },
        { "to", required_argument, 0, 'T' },
        { "out", required_argument, 0, 'o' },
        { "trace", required_argument, 0, 't' },
        { "jobs", required_argument, 0, 'j' },
        { "quiet", no_argument, 0, 'q' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *out_dir = NULL, *trace_path = NULL;
    int jobs = exp_ncpu(), quiet = 0, c, rc = EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 's': cli_ov_add(&ov, "run", "seed", optarg); break;
        case 'r': cli_ov_add(&ov, "run", "replications", optarg); break;
        case 'H': cli_ov_add(&ov, "run", "horizon_days", optarg); break;
        case 'W': cli_ov_add(&ov, "run", "warmup_days", optarg); break;
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'F': cli_ov_add(&ov, "replay", "from", optarg); break;
        case 'T': cli_ov_add(&ov, "replay", "to", optarg); break;
        case 'o': out_dir = optarg; break;
        case 't': trace_path = optarg; break;
        case 'j': {
            char *end;
            long v = strtol(optarg, &end, 10);
            if (*end || v < 1 || v > 1024) {
                fprintf(stderr, "patrolsim run: --jobs: expected an integer 1..1024, got '%s'\n", optarg);
                goto done;
            }
            jobs = (int)v;
            break;
        }
        case 'q': quiet = 1; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim run --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1) {
        fputs("patrolsim run: expected one SCENARIO folder; see 'patrolsim run --help'\n", stderr);
        goto done;
    }
    struct scn *s = cli_load(argv[optind], &ov);
    if (!s)
        goto done;

    struct perr e;
    struct res_layout L;
    ops_layout(s, &L);
    double *x = xmalloc((size_t)s->reps * L.n * sizeof *x);
    struct outf trace_out;
    outf_init(&trace_out);
    struct run_ctx ctx = { s, s->seed, NULL };
    rc = EXIT_FAIL;
    if (trace_path) {
        char *dir = xstrdup(trace_path), *slash = strrchr(dir, '/');
        const char *name = slash ? slash + 1 : trace_path;
        if (slash)
            *slash = '\0';
        ctx.trace = outf_open(&trace_out, slash ? (*dir ? dir : "/") : ".", name, &e);
        free(dir);
        if (!ctx.trace)
            goto fail;
        fputs(ops_trace_header, ctx.trace);
    }
    if (exp_run(s->reps, jobs, L.n, run_task, &ctx, x, &e) < 0)
        goto fail;
    if (trace_path && outf_commit(&trace_out, &e) < 0)
        goto fail;

    struct res_summary S;
    struct report_meta m = { s->seed, s->reps, s->horizon_days, s->warmup_days };
    res_summarise(&L, x, s->reps, 0.95, &S);
    if (!quiet)
        report_print(stdout, s, &L, &S, &m);
    int wrc = 0;
    if (out_dir)
        wrc = report_write(out_dir, s, &L, &S, &m, &e);
    res_summary_release(&S);
    if (wrc < 0)
        goto fail;
    if (out_dir && !quiet)
        printf("\nresults written to %s/\n", out_dir);
    rc = EXIT_OK;
    goto cleanup;
fail:
    fprintf(stderr, "patrolsim run: %s\n", e.msg);
    outf_abort(&trace_out);
cleanup:
    free(x);
    res_layout_release(&L);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
