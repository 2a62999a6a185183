/* test_calibrate.c - `patrolsim calibrate` and the observed-vs-simulated
 * comparison (obsvsim.h).
 *
 * A synthetic CAD log is written from known parameters into a temporary
 * folder and read through tests/fixtures/cal_basic (one zone, a day and a
 * night shift of four cars, two call types): call processing lognormal per
 * type, plus an exponential queueing wait on calls with two or more calls
 * in the hour before (what calibrate must keep out of the processing fit);
 * a 30 min briefing during which the old shift keeps taking calls; units
 * per call by type; a lognormal turnout plus the travel between two
 * uniform points of the zone; a tenth of the rows without a dispatch
 * stamp.  Calibrate must recover each within a tolerance that the
 * sampling error of ~300 calls per cell allows and a wrong method (fitting
 * the queueing in, say) does not.  Then bad input (window, empty window,
 * no dispatch column) and obsvsim's statistics on hand-made calls.
 *
 * Run from the repository root. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <stdarg.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_randist.h>
#include <gsl/gsl_rng.h>
#include "cli.h"
#include "csvr.h"
#include "inc.h"
#include "obsvsim.h"
#include "ops.h"
#include "police.h"
#include "res.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"
#include "ts.h"

#define FIX "tests/fixtures/cal_basic"
#define DAYS 40
#define RATE_PER_H 1.0
#define BRIEF_MIN 30.0

static const double cp_mean[2] = { 4.0, 10.0 }, cp_sd[2] = { 3.0, 7.0 };
static const double upc[2][4] = { { 0.3, 0.5, 0.2, 0 }, { 0.7, 0.3, 0, 0 } };
#define TO_MEAN 5.0
#define TO_SD 3.0
#define QUEUE_MEAN 15.0

static double lognormal(gsl_rng *r, double mean, double sd)
{
    double s2 = log(1 + sd * sd / (mean * mean));
    return gsl_ran_lognormal(r, log(mean) - s2 / 2, sqrt(s2));
}

static void stamp(char *buf, size_t n, double t_min)
{
    int64_t ms = ts_from_civil(2024, 1, 1, 0, 0, 0, 0) + (int64_t)floor(t_min) * TS_MS_MIN;
    char b[TS_ISO_MAX];
    ts_format(ms, 0, b);
    snprintf(buf, n, "%.16s", b);   /* YYYY-MM-DDTHH:MM */
}

/* Writes dir/calls.csv; returns the count of rows without a dispatch stamp
 * received in the first train_days days. */
static int write_log(const char *dir, int train_days)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/calls.csv", dir);
    FILE *fp = fopen(path, "w");
    if (!fp)
        abort();
    fputs("id,received,dispatched,arrived,type,zone,units\n", fp);
    gsl_rng *r = gsl_rng_alloc(gsl_rng_mt19937);
    gsl_rng_set(r, 20240101);
    double *t = malloc(sizeof(double) * 2000);
    int n = 0, nod = 0;
    for (double x = gsl_ran_exponential(r, 60 / RATE_PER_H); x < DAYS * 1440.0;
         x += gsl_ran_exponential(r, 60 / RATE_PER_H))
        t[n++] = x;
    for (int i = 0; i < n; i++) {
        int before = 0;
        for (int k = i - 1; k >= 0 && t[i] - t[k] < 60; k--)
            before++;
        int ty = gsl_rng_uniform(r) < 0.5 ? 0 : 1;
        double d = lognormal(r, cp_mean[ty], cp_sd[ty]);
        if (before >= 2)
            d += gsl_ran_exponential(r, QUEUE_MEAN);
        double x0 = 2 * gsl_rng_uniform(r), y0 = 2 * gsl_rng_uniform(r);
        double x1 = 2 * gsl_rng_uniform(r), y1 = 2 * gsl_rng_uniform(r);
        double trv = hypot(x1 - x0, y1 - y0) * 2.0;     /* 30 km/h */
        double a = d + lognormal(r, TO_MEAN, TO_SD) + trv;
        /* The shift on at receipt, or the one before during a briefing. */
        double tod = fmod(t[i], 1440.0);
        int day = tod >= 360 && tod < 1080;
        if ((tod >= 360 && tod < 360 + BRIEF_MIN) || (tod >= 1080 && tod < 1080 + BRIEF_MIN))
            day = !day;
        double u = gsl_rng_uniform(r), c = 0;
        int nu = 0;
        while (nu < 3 && u >= c + upc[ty][nu])
            c += upc[ty][nu++];
        nu++;
        int pick[4] = { 0, 1, 2, 3 };
        gsl_ran_shuffle(r, pick, 4, sizeof *pick);
        char units[64] = "", rs[32], ds[32], as[32];
        for (int k = 0; k < nu; k++)
            snprintf(units + strlen(units), sizeof units - strlen(units), "%s%c%d",
                     k ? "," : "", day ? 'D' : 'N', pick[k] + 1);
        /* A dispatch-centre position on some calls: excluded by prefix. */
        if (gsl_rng_uniform(r) < 0.2)
            strcat(units, ",COM2");
        int nostamp = gsl_rng_uniform(r) < 0.1;
        nod += nostamp && t[i] < train_days * 1440.0;
        stamp(rs, sizeof rs, t[i]);
        stamp(ds, sizeof ds, t[i] + d);
        stamp(as, sizeof as, t[i] + a);
        fprintf(fp, "c%d,%s,%s,%s,%s,Z1,\"%s\"\n", i, rs, nostamp ? "" : ds, as,
                ty ? "theft" : "alarm", units);
    }
    free(t);
    gsl_rng_free(r);
    fclose(fp);
    return nod;
}

/* Runs cmd_calibrate with the NULL-terminated args, stderr into *err
 * (malloc'd). */
static int run_cal(char **err, ...)
{
    char *argv[16];
    int n = 0;
    va_list ap;
    va_start(ap, err);
    argv[0] = "calibrate";
    for (char *a; (a = va_arg(ap, char *)) != NULL && n < 14;)
        argv[++n] = a;
    va_end(ap);
    char tmpl[] = "/tmp/cal_errXXXXXX";
    int fd = mkstemp(tmpl);
    fflush(stderr);
    fflush(stdout);
    int saved = dup(2), saved1 = dup(1);
    dup2(fd, 2);
    int nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    close(nul);
    int rc = cmd_calibrate(n + 1, argv);
    fflush(stderr);
    fflush(stdout);
    dup2(saved, 2);
    dup2(saved1, 1);
    close(saved);
    close(saved1);
    off_t len = lseek(fd, 0, SEEK_END);
    *err = calloc(1, (size_t)len + 1);
    lseek(fd, 0, SEEK_SET);
    if (read(fd, *err, (size_t)len) < 0)
        abort();
    close(fd);
    unlink(tmpl);
    return rc;
}

/* The value in column col of the first row of dir/file whose first
 * field(s) match key0 (and key1 when not NULL); NAN if none. */
static double cell(const char *dir, const char *file, const char *key0, const char *key1,
                   int col)
{
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir, file);
    struct perr e;
    struct csvr *r = csvr_open(path, &e);
    if (!r)
        return NAN;
    double v = NAN;
    while (csvr_next(r, &e) == 1)
        if (!strcmp(csvr_get(r, 0), key0) && (!key1 || !strcmp(csvr_get(r, 1), key1))) {
            v = strtod(csvr_get(r, (size_t)col), NULL);
            break;
        }
    csvr_close(r);
    return v;
}

static void test_recovery(const char *tmp)
{
    int nod = write_log(tmp, 35);
    char out[1024], file[1100], *err;
    snprintf(out, sizeof out, "%s/out", tmp);
    snprintf(file, sizeof file, "replay.file=%s/calls.csv", tmp);
    int rc = run_cal(&err, FIX, "--train", "2024-01-01..2024-02-04", "--out", out,
                     "--exclude-units", "COM", "--set", file, (char *)NULL);
    CHECK_INT(rc, 0);
    const char *bad = strstr(err, "patrolsim calibrate:");
    CHECK(!bad, "no calibrate error on stderr (%.200s)", bad ? bad : "none");
    free(err);

    /* Call processing: the quiet calls' delay, not the queueing. */
    static const char *const ty[2] = { "alarm", "theft" };
    for (int k = 0; k < 2; k++) {
        double m = cell(out, "call_processing.csv", ty[k], NULL, 4);
        double sd = cell(out, "call_processing.csv", ty[k], NULL, 5);
        CHECK(fabs(m / cp_mean[k] - 1) < 0.15, "%s call processing mean %.3f, true %.3f",
              ty[k], m, cp_mean[k]);
        CHECK(fabs(sd / cp_sd[k] - 1) < 0.30, "%s call processing sd %.3f, true %.3f", ty[k],
              sd, cp_sd[k]);
    }
    CHECK(cell(out, "call_processing.csv", "*", NULL, 1) == 0 &&
          cell(out, "call_processing.csv", "*", NULL, 2) == 24, "a pooled * row, 0-24");

    /* Strength: four cars in every hour. */
    int four = 0, rows = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++) {
            char a[8], b[8];
            snprintf(a, sizeof a, "%d", d);
            snprintf(b, sizeof b, "%d", h);
            double u = cell(out, "strength.csv", a, b, 2);
            rows += !isnan(u);
            four += u == 4;
        }
    CHECK_INT(rows, 168);
    CHECK(four >= 160, "strength 4 in %d of 168 hours of the week", four);

    /* Briefing. */
    CHECK_NEAR(cell(out, "shifts.csv", "D", NULL, 3), BRIEF_MIN, 5);
    CHECK_NEAR(cell(out, "shifts.csv", "N", NULL, 3), BRIEF_MIN, 5);
    CHECK_NEAR(cell(out, "shifts.csv", "D", NULL, 1), 6, 0);

    /* Turnout: the same in both state groups. */
    static const char *const st[5] = { "at_base", "patrol", "community", "returning",
                                       "just_cleared" };
    for (int k = 0; k < 5; k++) {
        double m = cell(out, "turnout.csv", st[k], NULL, 2);
        CHECK(fabs(m / TO_MEAN - 1) < 0.2, "turnout %s mean %.3f, true %.3f", st[k], m,
              TO_MEAN);
    }

    /* Units per call. */
    CHECK_NEAR(cell(out, "units_per_call.csv", "alarm", "2", 2), upc[0][1], 0.07);
    CHECK_NEAR(cell(out, "units_per_call.csv", "alarm", "3", 2), upc[0][2], 0.06);
    CHECK_NEAR(cell(out, "units_per_call.csv", "theft", "1", 2), upc[1][0], 0.07);
    CHECK_NEAR(cell(out, "units_per_call.csv", "theft", "3", 2), 0, 0);

    /* Workload is stated as an assumption; the rows without a stamp counted. */
    CHECK(!isnan(cell(out, "workload.csv", "grid_car", NULL, 1)), "workload row for grid_car");
    snprintf(file, sizeof file, "%s/calibration.md", out);
    FILE *fp = fopen(file, "r");
    char buf[1 << 15] = "";
    size_t got = fp ? fread(buf, 1, sizeof buf - 1, fp) : 0;
    buf[got] = '\0';
    if (fp)
        fclose(fp);
    char want[96];
    snprintf(want, sizeof want, "| without a dispatch stamp | %d ", nod);
    CHECK_HAS(buf, want);
    CHECK_HAS(buf, "assumed, not fitted");
    CHECK_HAS(buf, "[2024-01-01T00:00:00, 2024-02-05T00:00:00)");
}

static void test_bad(const char *tmp)
{
    char out[1024], file[1100], *err;
    snprintf(out, sizeof out, "%s/bad", tmp);
    snprintf(file, sizeof file, "replay.file=%s/calls.csv", tmp);
    CHECK_INT(run_cal(&err, FIX, "--train", "2024-01-31..2024-01-01", "--out", out, "--set",
                      file, (char *)NULL), EXIT_USAGE);
    CHECK_HAS(err, "--train: expected FROM..TO, two dates YYYY-MM-DD with FROM <= TO, got "
                   "'2024-01-31..2024-01-01'");
    free(err);
    CHECK_INT(run_cal(&err, FIX, "--train", "2024-02", "--out", out, "--set", file,
                      (char *)NULL), EXIT_USAGE);
    CHECK_HAS(err, "got '2024-02'");
    free(err);
    CHECK(run_cal(&err, FIX, "--train", "2030-01-01..2030-01-31", "--out", out, "--set",
                  file, (char *)NULL) != 0, "an empty window fails");
    CHECK_HAS(err, "no row could be replayed");
    free(err);
    char want[256];
    tu_expected("tests/fixtures/cal_nostamp", want, sizeof want);
    CHECK(run_cal(&err, "tests/fixtures/cal_nostamp", "--train", "2024-01-01..2024-01-28",
                  "--out", out, "--set", file, (char *)NULL) != 0, "no dispatch column fails");
    CHECK(*want != '\0', "cal_nostamp/expected exists");
    CHECK_HAS(err, want);
    free(err);
    CHECK(access(out, F_OK) != 0, "nothing written on bad input");
}

/* obsvsim on hand-made calls: statistics, KS, the CSV and its relative
 * errors. */
static void test_obsvsim(const char *tmp)
{
    CHECK_NEAR(obsvsim_ks((double[]){ 1, 2, 3 }, 3, (double[]){ 1, 2, 3 }, 3), 0, 0);
    CHECK_NEAR(obsvsim_ks((double[]){ 1, 2 }, 2, (double[]){ 3, 4 }, 2), 1, 0);
    CHECK_NEAR(obsvsim_ks((double[]){ 1, 2, 3, 4 }, 4, (double[]){ 2, 2, 5, 6 }, 4), 0.5,
               1e-12);

    char file[1100];
    snprintf(file, sizeof file, "%s/calls.csv", tmp);
    struct scn_override ov = { "replay", "file", file };
    struct perr e;
    struct scn *s = scn_load(FIX, &ov, 1, &e);
    CHECK(s != NULL, "fixture loads (%s)", s ? "" : e.msg);
    if (!s)
        return;
    struct res_layout L;
    ops_layout(s, &L);
    CHECK(obsvsim_n_slots(s) > 0, "a replay with stamps has comparison slots");
    double *x = calloc(2 * L.n, sizeof *x);
    struct ops_blocks B;
    ops_blocks(s, &B);
    /* Two replications of four calls at 10:00 in Z1 (alarm): observed
     * received->dispatched 2, 4, 6, 8; simulated 1.5 -> cut to 1, 3, 5, 7
     * in replication 0 and 2, 4, 6, 8 in replication 1 (the stamps are cut
     * to the minute: dispatch at 600 + 1.5 reads 601). */
    for (int rep = 0; rep < 2; rep++) {
        struct obsvsim *v = obsvsim_new(s);
        for (int k = 0; k < 4; k++) {
            struct inc in = { .t = 600, .grid = 0, .type = 0 };
            in.obs_wait = 2 + 2 * k;
            in.obs_travel = 5;
            in.obs_response = in.obs_wait + 5;
            double d = 600 + (rep ? 2 + 2 * k : 1.5 + 2 * k);
            obsvsim_add(v, &in, d, d + 5.25);
        }
        obsvsim_finish(v, x + (size_t)rep * L.n + B.ovs);
        obsvsim_free(v);
    }
    long med = res_find(&L, "obsvsim", "received_dispatched_simulated_median_min", "all");
    long omed = res_find(&L, "obsvsim", "received_dispatched_observed_median_min", "all");
    long ks = res_find(&L, "obsvsim", "received_dispatched_ks_distance", "hour:08-12");
    CHECK(med >= 0 && omed >= 0 && ks >= 0, "slots found by name");
    CHECK_NEAR(x[omed], 5, 1e-12);
    CHECK_NEAR(x[med], 4, 1e-12);
    CHECK_NEAR(x[L.n + med], 5, 1e-12);
    CHECK_NEAR(x[ks], 0.25, 1e-12);
    struct res_summary S;
    res_summarise(&L, x, 2, 0.95, &S);
    struct outf o;
    outf_init(&o);
    char dir[1100];
    snprintf(dir, sizeof dir, "%s/ovs", tmp);
    CHECK_INT(outf_mkdir(dir, &e), 0);
    CHECK_INT(obsvsim_write(&o, dir, s, &L, &S, &e), 0);
    CHECK_INT(outf_commit(&o, &e), 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/observed_vs_simulated.csv", dir);
    struct csvr *r = csvr_open(path, &e);
    CHECK(r != NULL, "observed_vs_simulated.csv written");
    if (r) {
        CHECK_INT(csvr_next(r, &e), 1);
        static const char *const head[8] = { "interval", "group", "statistic", "observed",
                                             "simulated", "ci95_low", "ci95_high",
                                             "rel_error" };
        for (int k = 0; k < 8; k++)
            CHECK_STR(csvr_get(r, (size_t)k), head[k]);
        int seen = 0, groups_zone = 0;
        while (csvr_next(r, &e) == 1) {
            if (!strcmp(csvr_get(r, 1), "zone:Z1"))
                groups_zone++;
            if (strcmp(csvr_get(r, 0), "received_dispatched") || strcmp(csvr_get(r, 1), "all"))
                continue;
            if (!strcmp(csvr_get(r, 2), "median")) {
                /* observed 5, simulated mean of 4 and 5 = 4.5: -10% */
                CHECK_NEAR(strtod(csvr_get(r, 3), NULL), 5, 1e-9);
                CHECK_NEAR(strtod(csvr_get(r, 4), NULL), 4.5, 1e-9);
                CHECK_NEAR(strtod(csvr_get(r, 7), NULL), -0.1, 1e-9);
                /* t(1 df) interval: 4.5 +- 12.706 * 0.5 / sqrt(2) * sqrt(2) */
                CHECK_NEAR(strtod(csvr_get(r, 6), NULL), 4.5 + 12.7062047 * 0.5, 1e-4);
                seen++;
            }
            if (!strcmp(csvr_get(r, 2), "ks")) {
                CHECK_STR(csvr_get(r, 3), "");
                CHECK_NEAR(strtod(csvr_get(r, 4), NULL), 0.125, 1e-9);
                seen++;
            }
        }
        CHECK_INT(seen, 2);
        CHECK_INT(groups_zone, 3 * 5);     /* three intervals x n, median, mean, p90, ks */
        csvr_close(r);
    }
    res_summary_release(&S);
    ops_blocks_release(&B);
    free(x);
    res_layout_release(&L);
    scn_free(s);
}

/* `patrolsim run` on the synthetic log: observed_vs_simulated.csv has every
 * group, and each rel_error is (simulated - observed) / observed of its
 * row; the KS rows leave observed empty and hold a distance in [0, 1]. */
static void test_run_csv(const char *tmp)
{
    char out[1024], file[1100];
    snprintf(out, sizeof out, "%s/run", tmp);
    snprintf(file, sizeof file, "replay.file=%s/calls.csv", tmp);
    char *argv[] = { "run", FIX, "--reps", "2", "--quiet", "--out", out, "--set", file, NULL };
    fflush(stdout);
    int saved = dup(1), nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    close(nul);
    int rc = cmd_run(9, argv, &police_model);
    fflush(stdout);
    dup2(saved, 1);
    close(saved);
    CHECK_INT(rc, 0);
    char path[1200];
    snprintf(path, sizeof path, "%s/observed_vs_simulated.csv", out);
    struct perr e;
    struct csvr *r = csvr_open(path, &e);
    CHECK(r != NULL, "run wrote observed_vs_simulated.csv");
    if (!r)
        return;
    static const char *const want[] = { "all", "hour:00-06", "hour:06-08", "hour:08-12",
                                        "hour:12-16", "hour:16-18", "hour:18-20",
                                        "hour:20-24", "zone:Z1", "type:alarm", "type:theft",
                                        "dispatch_stamp:yes", "dispatch_stamp:no" };
    int seen[13] = { 0 }, rows = 0, rel_ok = 0, rel_n = 0, ks_ok = 0, ks_n = 0;
    csvr_next(r, &e);
    while (csvr_next(r, &e) == 1) {
        rows++;
        for (int k = 0; k < 13; k++)
            seen[k] += !strcmp(csvr_get(r, 1), want[k]);
        const char *st = csvr_get(r, 2);
        if (!strcmp(st, "ks")) {
            double d = strtod(csvr_get(r, 4), NULL);
            ks_n++;
            ks_ok += !*csvr_get(r, 3) && d >= 0 && d <= 1;
        } else if (strcmp(st, "n")) {
            double o = strtod(csvr_get(r, 3), NULL), sm = strtod(csvr_get(r, 4), NULL);
            double lo = strtod(csvr_get(r, 5), NULL), hi = strtod(csvr_get(r, 6), NULL);
            rel_n++;
            rel_ok += fabs(strtod(csvr_get(r, 7), NULL) - (sm - o) / o) < 1e-3 && lo <= sm &&
                      sm <= hi;
        }
    }
    csvr_close(r);
    for (int k = 0; k < 13; k++)
        CHECK(seen[k] > 0, "group %s present (%d rows)", want[k], seen[k]);
    CHECK_INT(rel_ok, rel_n);
    CHECK_INT(ks_ok, ks_n);
    /* received->arrived in 13 groups, the two parts in 12 (no dispatch
     * stamp: none), 5 rows each. */
    CHECK_INT(rows, (13 + 2 * 12) * 5);
}

int main(void)
{
    gsl_set_error_handler_off();
    char *tmp = tu_tmpdir();
    test_recovery(tmp);
    test_run_csv(tmp);
    test_bad(tmp);
    test_obsvsim(tmp);
    tu_rmrf(tmp);
    free(tmp);
    return tc_done();
}
