/* cmd_fit.c - `patrolsim fit`: scenario tables estimated from a CAD export.
 *
 * The CSV is read through the replay source of a mapping scenario (its
 * [replay] section says which column is what; its grids and incident types
 * are what the codes map to), so fit sees exactly the incidents a replay
 * would: same filters, same type and grid mapping, same window.  From them:
 *
 *   arrival_profile.csv  rate per hour of day x weekday, as counts over
 *                        exposure (the number of such hours the data
 *                        covers), normalised to mean 1 -- [nhpp] profile;
 *   seasonal.csv         rate per calendar month, likewise, day-weighted
 *                        mean 1; written only when every month is covered
 *                        by at least 28 days -- [nhpp] seasonal;
 *   grid_weights.csv     share of incidents per grid -- [incidents] grid_weights;
 *   type_mix.csv         share of incidents per type and, for types with at
 *                        least FIT_MIN_ONSCENE on-scene times in the data
 *                        (arrived -> cleared, or a service column), a
 *                        lognormal fitted by maximum likelihood (mean and sd
 *                        of the log) -- [incidents] type_mix.
 * and the mean rate per day, printed with the scenario.ini lines that use
 * the tables.  Memory is constant in the length of the file.
 */
#define _DEFAULT_SOURCE
#include <getopt.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "police.h"
#include "inc.h"
#include "outf.h"
#include "stats.h"
#include "ts.h"

#define FIT_MIN_ONSCENE 10
#define FIT_MIN_MONTH_DAYS 28

static const char help[] =
"usage: patrolsim fit CSV --mapping SCENARIO --out DIR [--set S.K=V ...]\n"
"\n"
"Estimates incident-stream tables from the CAD export CSV, read with the\n"
"[replay] column mapping of SCENARIO (its file key is replaced by CSV, its\n"
"grids and incident types are the targets of the codes), and writes to DIR:\n"
"  arrival_profile.csv  hour-of-day x weekday rate factors   ([nhpp] profile)\n"
"  seasonal.csv         month factors, when every month is covered ([nhpp] seasonal)\n"
"  grid_weights.csv     share of incidents per grid          ([incidents] grid_weights)\n"
"  type_mix.csv         share per type, lognormal on-scene time where the data\n"
"                       has arrival and close times          ([incidents] type_mix)\n"
"and prints the mean incidents per day and the scenario.ini lines using them.\n"
"The whole file is used whatever [run] horizon_days says; [replay] from/to\n"
"still select a window.\n"
"\n"
"Exit status: 0 success, 1 system failure, 2 bad usage or bad input.\n";

static const char *const wday_names[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

struct fit {
    double count[7][24], expo[7][24];    /* incidents, covered hours */
    double mcount[12], mexpo[12];        /* per calendar month */
    double *grid, *type;                 /* incidents per grid / type */
    struct stat_acc *logsvc;             /* log on-scene minutes per type */
    uint64_t n;
    int64_t first_ms, last_ms;
};

/* Counts every whole hour of [a, b) into the exposure tables. */
static void expose(struct fit *f, int64_t a, int64_t b)
{
    for (int64_t h = a - ((a % TS_MS_HOUR) + TS_MS_HOUR) % TS_MS_HOUR; h < b; h += TS_MS_HOUR) {
        struct ts_civil c;
        ts_to_civil(h, &c);
        f->expo[c.wday][c.h] += 1;
        f->mexpo[c.mon - 1] += 1;
    }
}

static int read_stream(const struct scn *s, struct fit *f, struct perr *e)
{
    struct inc_replay *r = inc_replay_open(s, s->seed, 0, e);
    if (!r)
        return -1;
    struct inc_row row;
    int rc;
    f->first_ms = INT64_MAX;
    f->last_ms = INT64_MIN;
    while ((rc = inc_replay_next(r, &row, e)) == 1) {
        struct ts_civil c;
        ts_to_civil(row.received_ms, &c);
        f->count[c.wday][c.h] += 1;
        f->mcount[c.mon - 1] += 1;
        if (row.inc.grid >= 0)
            f->grid[row.inc.grid] += 1;
        f->type[row.inc.type] += 1;
        if (row.onscene > 0)
            stat_acc_add(&f->logsvc[row.inc.type], log(row.onscene));
        if (row.received_ms < f->first_ms)
            f->first_ms = row.received_ms;
        f->last_ms = row.received_ms;
        f->n++;
    }
    inc_replay_close(r);
    return rc;
}

static int write_tables(const struct scn *s, const struct fit *f, const char *dir,
                        int seasonal, double *rate_day, struct perr *e)
{
    struct outf o;
    outf_init(&o);
    if (outf_mkdir(dir, e) < 0)
        return -1;
    FILE *fp = outf_open(&o, dir, "arrival_profile.csv", e);
    if (!fp)
        goto fail;
    double r[7][24], mean = 0, hours = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++) {
            r[d][h] = f->count[d][h] / f->expo[d][h];
            mean += r[d][h] / 168;
            hours += f->expo[d][h];
        }
    fputs("hour", fp);
    for (int d = 0; d < 7; d++)
        fprintf(fp, ",%s", wday_names[d]);
    fputc('\n', fp);
    for (int h = 0; h < 24; h++) {
        fprintf(fp, "%d", h);
        for (int d = 0; d < 7; d++)
            fprintf(fp, ",%.4f", r[d][h] / mean);
        fputc('\n', fp);
    }
    /* Mean over the week's hours, per day; with month factors, per day of
     * an average month rather than of the months the data happens to cover. */
    double month_mean = 1;
    if (seasonal) {
        static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
        double m[12], norm = 0, covered = 0;
        for (int k = 0; k < 12; k++) {
            m[k] = f->mcount[k] / f->mexpo[k];
            norm += m[k] * mdays[k] / 365.0;
        }
        for (int k = 0; k < 12; k++)
            covered += m[k] / norm * f->mexpo[k] / hours;
        month_mean = covered;
        if (!(fp = outf_open(&o, dir, "seasonal.csv", e)))
            goto fail;
        fputs("month,factor\n", fp);
        for (int k = 0; k < 12; k++)
            fprintf(fp, "%d,%.4f\n", k + 1, m[k] / norm);
    }
    *rate_day = mean * 24 / month_mean;
    if (!(fp = outf_open(&o, dir, "grid_weights.csv", e)))
        goto fail;
    double ng = 0;
    for (int g = 0; g < s->n_grids; g++)
        ng += f->grid[g];
    fputs("grid,weight\n", fp);
    for (int g = 0; g < s->n_grids; g++)
        fprintf(fp, "%s,%.6f\n", s->grids[g].id, ng > 0 ? f->grid[g] / ng : 0.0);
    if (!(fp = outf_open(&o, dir, "type_mix.csv", e)))
        goto fail;
    fputs("type,share,service,mean_min,sd_min,n,n_onscene\n", fp);
    for (int k = 0; k < s->n_itypes; k++) {
        const struct stat_acc *a = &f->logsvc[k];
        fprintf(fp, "%s,%.6f,", s->itypes[k].id, f->type[k] / (double)f->n);
        if (a->n >= FIT_MIN_ONSCENE) {
            double mu = a->mean, s2 = a->m2 / (double)a->n;   /* maximum likelihood */
            double m = exp(mu + s2 / 2);
            fprintf(fp, "lognormal,%.4f,%.4f,", m, m * sqrt(expm1(s2)));
        } else {
            fputs(",,,", fp);
        }
        fprintf(fp, "%.0f,%llu\n", f->type[k], (unsigned long long)a->n);
    }
    return outf_commit(&o, e);
fail:
    outf_abort(&o);
    return -1;
}

int cmd_fit(int argc, char **argv)
{
    static const struct option opts[] = {
        { "mapping", required_argument, 0, 'm' },
        { "out", required_argument, 0, 'o' },
        { "set", required_argument, 0, 'S' },
        { "help", no_argument, 0, 'h' },
        { 0, 0, 0, 0 },
    };
    struct cli_ov ov = { .n = 0 };
    const char *mapping = NULL, *out = NULL;
    int c, rc = EXIT_USAGE;
    optind = 1;
    while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
        switch (c) {
        case 'm': mapping = optarg; break;
        case 'o': out = optarg; break;
        case 'S': if (cli_ov_set(&ov, optarg) < 0) goto done; break;
        case 'h': fputs(help, stdout); rc = EXIT_OK; goto done;
        default: fputs("see 'patrolsim fit --help'\n", stderr); goto done;
        }
    }
    if (optind != argc - 1 || !mapping || !out) {
        fputs("patrolsim fit: expected CSV, --mapping SCENARIO and --out DIR; see "
              "'patrolsim fit --help'\n", stderr);
        goto done;
    }
    /* [replay] file is relative to the scenario folder; CSV to the caller. */
    const char *csv = argv[optind];
    char *abs = NULL;
    if (csv[0] != '/') {
        char cwd[4096];
        if (!getcwd(cwd, sizeof cwd)) {
            perror("patrolsim fit: getcwd");
            rc = EXIT_FAIL;
            goto done;
        }
        abs = xmalloc(strlen(cwd) + strlen(csv) + 2);
        sprintf(abs, "%s/%s", cwd, csv);
    }
    cli_ov_add(&ov, "incidents", "source", "replay");
    cli_ov_add(&ov, "replay", "file", abs ? abs : csv);
    cli_ov_add(&ov, "run", "horizon_days", "1e7");
    cli_ov_add(&ov, "run", "warmup_days", "0");
    free(abs);
    struct scn *s = police_load(mapping, &ov);
    if (!s)
        goto done;

    struct fit f = { .n = 0 };
    f.grid = xcalloc((size_t)s->n_grids, sizeof *f.grid);
    f.type = xcalloc((size_t)s->n_itypes, sizeof *f.type);
    f.logsvc = xmalloc((size_t)s->n_itypes * sizeof *f.logsvc);
    for (int k = 0; k < s->n_itypes; k++)
        stat_acc_init(&f.logsvc[k]);
    struct perr e;
    double rate = 0;
    if (read_stream(s, &f, &e) < 0) {
        fprintf(stderr, "patrolsim fit: %s\n", e.msg);
        goto out;
    }
    expose(&f, f.first_ms, f.last_ms + 1);
    int seasonal = 1;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            if (f.expo[d][h] == 0) {
                fprintf(stderr, "patrolsim fit: the data covers %.1f days; the weekday "
                        "profile needs at least one full week\n",
                        (double)(f.last_ms - f.first_ms) / (double)TS_MS_DAY);
                goto out;
            }
    for (int k = 0; k < 12; k++)
        seasonal &= f.mexpo[k] >= FIT_MIN_MONTH_DAYS * 24;
    if (write_tables(s, &f, out, seasonal, &rate, &e) < 0) {
        fprintf(stderr, "patrolsim fit: %s\n", e.msg);
        rc = EXIT_FAIL;
        goto out;
    }
    char a[TS_ISO_MAX], b[TS_ISO_MAX];
    ts_format(f.first_ms, 0, a);
    ts_format(f.last_ms, 0, b);
    printf("%llu incidents from %s to %s: %.4f per day\n", (unsigned long long)f.n, a, b,
           rate);
    printf("wrote %s/arrival_profile.csv, %sgrid_weights.csv, type_mix.csv\n", out,
           seasonal ? "seasonal.csv, " : "");
    if (!seasonal)
        printf("(no seasonal.csv: the data does not cover every month with %d days)\n",
               FIT_MIN_MONTH_DAYS);
    printf("for a synthetic stream like it, in scenario.ini:\n"
           "[incidents]\nsource = nhpp\nrate_per_day = %.4f\n"
           "grid_weights = grid_weights.csv\ntype_mix = type_mix.csv\n"
           "[nhpp]\nprofile = arrival_profile.csv\n%s", rate,
           seasonal ? "seasonal = seasonal.csv\n" : "");
    rc = EXIT_OK;
out:
    free(f.grid);
    free(f.type);
    free(f.logsvc);
    scn_free(s);
done:
    cli_ov_release(&ov);
    return rc;
}
