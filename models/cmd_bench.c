/* cmd_bench.c - `patrolsim bench`: one timed replication, figures in the
 * `name: value` form of ../shared/bench/SPEC.md. */
#define _DEFAULT_SOURCE
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include "police.h"
#include "inc.h"
#include "ops.h"

static const char help[] =
"usage: patrolsim bench SCENARIO [--days D] [--seed N] [--parse-only] [--set S.K=V ...]\n"
"\n"
"Runs one replication of SCENARIO (normally scenarios/bench-city or a size\n"
"made by its generate.sh) and prints the reference benchmark's figures, one\n"
"'name: value' per line: incidents, response mean/p50/p90 (min), first-contact\n"
"rate, mean utilisation, queued share, mean wait of queued incidents and of\n"
"all incidents, the calendar events and pool growths, whether memory was\n"
"prefetched and calls took the plain path (docs/performance.md), the\n"
"scenario load time, the simulation's wall time and incidents per second\n"
"(loading excluded) and peak resident memory.\n"
"\n"
"  --parse-only    only read the scenario's incident stream to its end, without\n"
"                  simulating (for a replay: the CSV parse speed), and print\n"
"                  incidents, wall_s, rows_per_s and peak_rss_mb\n";

/* Peak resident memory of this process in MB: VmHWM from /proc/self/status.
 * getrusage's ru_maxrss is no use here: it survives exec, so a run started
 * by a large parent (Python) reports the parent's peak. */
static double peak_rss_mb(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    double kb = -1;
    while (f && fgets(line, sizeof line, f))
        if (sscanf(line, "VmHWM: %lf kB", &kb) == 1)
            break;
    if (f)
        fclose(f);
    if (kb < 0) {                   /* no procfs: the best there is */
        struct rusage ru;
        getrusage(RUSAGE_SELF, &ru);
        kb = (double)ru.ru_maxrss;
    }
    return kb / 1024.0;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* --parse-only: one pass of the incident source, timed. */
static int bench_stream(const struct scn *s, double load_s)
{
    const struct inc_source_type *src = inc_source_find(s->source);
    struct perr e;
    struct inc in;
    uint64_t n = 0;
    int rc;
    double t0 = now_s();
    void *st = src ? src->open(s, s->seed, 0, &e) : NULL;
    if (!st) {
        fprintf(stderr, "patrolsim bench: %s\n", src ? e.msg : "unknown incident source");
        return EXIT_USAGE;
    }
    while ((rc = src->next(st, &in, &e)) == 1)
        n++;
    src->close(st);
    double t1 = now_s();
    if (rc < 0) {
        fprintf(stderr, "patrolsim bench: %s\n", e.msg);
        return EXIT_USAGE;
    }
    printf("source: %s\n", s->source);
    printf("incidents: %llu\n", (unsigned long long)n);
    printf("load_s: %.3f\n", load_s);
    printf("wall_s: %.3f\n", t1 - t0);
    printf("rows_per_s: %.0f\n", (double)n / (t1 - t0));
    printf("peak_rss_mb: %.1f\n", peak_rss_mb());
    return EXIT_OK;
}

int cmd_bench(int argc, char **argv)
{
    struct cli_ov ov = { .n = 0 };
    const char *dir = NULL;
    int rc = EXIT_USAGE, parse_only = 0;
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "-h") || !strcmp(argv[i], "--help")) {
            fputs(help, stdout);
            rc = EXIT_OK;
            goto done;
        } else if (!strcmp(argv[i], "--days") && i + 1 < argc) {
            cli_ov_add(&ov, "run", "horizon_days", argv[++i]);
        } else if (!strcmp(argv[i], "--seed") && i + 1 < argc) {
            cli_ov_add(&ov, "run", "seed", argv[++i]);
        } else if (!strcmp(argv[i], "--parse-only")) {
            parse_only = 1;
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
    struct scn *s = police_load(dir, &ov);
    if (!s)
        goto done;
    double t1 = now_s();
    if (parse_only) {
        rc = bench_stream(s, t1 - t0);
        scn_free(s);
        goto done;
    }
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
        printf("seed: %llu\n", (unsigned long long)s->seed);
        printf("incidents: %.0f\n", x[G_INCIDENTS]);
        printf("mean_response_min: %.4f\n", x[G_RESP_MEAN]);
        printf("p50_response_min: %.4f\n", x[G_RESP_P50]);
        printf("p90_response_min: %.4f\n", x[G_RESP_P90]);
        printf("first_contact_rate: %.6f\n", x[G_FIRST_CONTACT]);
        printf("mean_utilization: %.6f\n", x[G_UTIL_MEAN]);
        printf("queued_share: %.6f\n", x[G_QUEUED]);
        printf("mean_queue_wait_min: %.4f\n", x[G_WAIT_QUEUED]);
        printf("mean_wait_min: %.4f\n", x[G_WAIT_MEAN]);
        printf("events: %llu\n", (unsigned long long)tot.events);
        printf("calendar_growths: %u\n", tot.calendar_growths);
        printf("prefetch: %s\n", tot.prefetch ? "on" : "off");
        printf("plain_path: %s\n", tot.plain ? "yes" : "no");
        printf("load_s: %.3f\n", t1 - t0);
        printf("wall_s: %.3f\n", t3 - t2);
        printf("incidents_per_s: %.0f\n", (double)tot.created / (t3 - t2));
        printf("peak_rss_mb: %.1f\n", peak_rss_mb());
        rc = EXIT_OK;
    }
    free(x);
    res_layout_release(&L);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
