/* cmd_bench.c - `patrolsim bench`: one timed replication, figures in the
 * `name: value` form of ../shared/bench/SPEC.md. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "cli.h"
#include "ops.h"

static const char help[] =
"usage: patrolsim bench SCENARIO [--days D] [--seed N] [--set S.K=V ...]\n"
"\n"
"Runs one replication of SCENARIO (normally scenarios/bench-city or a size\n"
"made by its generate.sh) and prints the reference benchmark's figures, one\n"
"'name: value' per line: incidents, response mean/p50/p90 (min), first-contact\n"
"rate, mean utilisation, queued share, mean wait of queued incidents, the\n"
"scenario load time, the simulation's wall time and incidents per second\n"
"(loading excluded) and peak resident memory.\n";

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

int cmd_bench(int argc, char **argv)
{
    struct cli_ov ov = { .n = 0 };
    const char *dir = NULL;
    int rc = EXIT_USAGE;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(argv[i], "--days") && i + 1 < argc) {
            cli_ov_add(&ov, "run", "horizon_days", argv[++i]);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            cli_ov_add(&ov, "run", "seed", argv[++i]);
        } else if (!strcmp(argv[i], "--set") && i + 1 < argc) {
            if (cli_ov_set(&ov, argv[++i]) < 0)
                goto done;
        } else if (argv[i][0] == '-' || dir) {
            fprintf(stderr, "patrolsim bench: unexpected argument '%s'; see --help\n", argv[i]);
            goto done;
        } else {
            dir = argv[i];
        }
    }
    if (!dir) {
        fputs("patrolsim bench: expected one SCENARIO folder; see --help\n", stderr);
        goto done;
    }
    double t0 = now_s();
    struct scn *s = cli_load(dir, &ov);
    if (!s)
        goto done;
    double t1 = now_s();
    struct res_layout L;
    ops_layout(s, &L);
    double *x = xmalloc(L.n * sizeof *x);
    struct ops_totals tot;
    struct ops_params p = { s->seed, 0, NULL };
    struct perr e;
    double t2 = now_s();
    int orc = ops_run(s, &p, x, &tot, &e);
    double t3 = now_s();
    if (orc < 0) {
        fprintf(stderr, "patrolsim bench: %s\n", e.msg);
        rc = EXIT_FAIL;
    } else {
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        printf("seed: %llu\n", (unsigned long long)s->seed);
        printf("incidents: %.0f\n", x[G_INCIDENTS]);
        printf("mean_response_min: %.4f\n", x[G_RESP_MEAN]);
        printf("p50_response_min: %.4f\n", x[G_RESP_P50]);
        printf("p90_response_min: %.4f\n", x[G_RESP_P90]);
        printf("first_contact_rate: %.6f\n", x[G_FIRST_CONTACT]);
        printf("mean_utilization: %.6f\n", x[G_UTIL_MEAN]);
        printf("queued_share: %.6f\n", x[G_QUEUED]);
        printf("mean_queue_wait_min: %.4f\n", x[G_WAIT_QUEUED]);
        printf("events: %llu\n", (unsigned long long)tot.events);
        printf("calendar_growths: %u\n", tot.calendar_growths);
        printf("load_s: %.3f\n", t1 - t0);
        printf("wall_s: %.3f\n", t3 - t2);
        printf("incidents_per_s: %.0f\n", (double)tot.created / (t3 - t2));
        printf("peak_rss_mb: %.1f\n", (double)ru.ru_maxrss / 1024.0);
        rc = EXIT_OK;
    }
    free(x);
    res_layout_release(&L);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
