/* test_gen.c - the nhpp source and the gen/fit commands.
 *
 * At a fixed seed, a year of a strongly shaped process: the counts per
 * weekday x hour and per month match the rate integrated over the horizon
 * (chi-square, gsl_cdf_chisq_Q), and so do the grid shares and the type
 * mix; hotspots scatter around their centres; the stream does not depend on
 * the units (common random numbers).  `patrolsim gen` writes a file that
 * the replay source reads back as exactly the same incidents, and
 * `patrolsim fit` on it recovers the profile, seasonal factors, grid
 * weights, type mix and on-scene distribution it was generated from.
 */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <gsl/gsl_cdf.h>
#include "police.h"
#include "csvr.h"
#include "inc.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"
#include "ts.h"

#define DAYS 365
#define RATE 240.0
#define P_MIN 0.001        /* chi-square tests pass above this p-value */

static char cwd[1024];

/* Output of the commands and the load report go to /dev/null. */
static int saved_out, saved_err;

static void mute(void)
{
    fflush(stdout);
    fflush(stderr);
    saved_out = dup(1);
    saved_err = dup(2);
    int nul = open("/dev/null", O_WRONLY);
    dup2(nul, 1);
    dup2(nul, 2);
    close(nul);
}

static void unmute(void)
{
    fflush(stdout);
    fflush(stderr);
    dup2(saved_out, 1);
    dup2(saved_err, 2);
    close(saved_out);
    close(saved_err);
}

/* The true profile: a night trough and an evening peak, quieter Sundays. */
static double true_factor(int d, int h)
{
    return (1 + 0.8 * sin((h - 9) * 3.14159265358979 / 12)) * (d == 6 ? 0.6 : d == 4 ? 1.3 : 1);
}

static double true_month(int m)
{
    return 1 + 0.3 * cos((m - 7) * 3.14159265358979 / 6);   /* m = 1..12 */
}

/* Writes the nhpp scenario into a new folder; units_csv varies the staffing. */
static char *nhpp_scenario(const char *units_csv, const char *extra)
{
    char *d = tu_tmpdir(), buf[8192];
    size_t n = (size_t)snprintf(buf, sizeof buf, "hour,mon,tue,wed,thu,fri,sat,sun\n");
    for (int h = 0; h < 24; h++) {
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d", h);
        for (int k = 0; k < 7; k++)
            n += (size_t)snprintf(buf + n, sizeof buf - n, ",%.6f", true_factor(k, h));
        n += (size_t)snprintf(buf + n, sizeof buf - n, "\n");
    }
    tu_write(d, "profile.csv", buf);
    n = (size_t)snprintf(buf, sizeof buf, "month,factor\n");
    for (int m = 1; m <= 12; m++)
        n += (size_t)snprintf(buf + n, sizeof buf - n, "%d,%.6f\n", m, true_month(m));
    tu_write(d, "seasonal.csv", buf);
    tu_write(d, "units.csv", units_csv);
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,sd_min,target_min\n"
             "theft,2,5,lognormal,40,20,15\nfight,1,3,gamma,30,12,10\n"
             "noise,3,2,exponential,15,,30\n");
    snprintf(buf, sizeof buf,
             "[scenario]\nname = nhpp test\n[run]\nseed = 2386\nhorizon_days = %d\n"
             "[tables]\ngrids = %s/tests/fixtures/replay/common/grids.csv\n"
             "facilities = %s/tests/fixtures/replay/common/facilities.csv\n"
             "[modes]\ncar = 30\n[incidents]\nsource = nhpp\nrate_per_day = %g\n"
             "start = 2023-01-02T00:00\n[nhpp]\nprofile = profile.csv\nseasonal = seasonal.csv\n"
             "%s", DAYS, cwd, cwd, RATE, extra);
    tu_write(d, "scenario.ini", buf);
    return d;
}

static struct scn *load(const char *dir)
{
    struct perr e;
    mute();
    struct scn *s = scn_load(dir, NULL, 0, &e);
    unmute();
    CHECK(s != NULL, "%s loads (%s)", dir, s ? "" : e.msg);
    return s;
}

static double chi2_p(const double *obs, const double *exp, int n)
{
    double x = 0;
    for (int i = 0; i < n; i++)
        x += (obs[i] - exp[i]) * (obs[i] - exp[i]) / exp[i];
    return gsl_cdf_chisq_Q(x, n - 1);
}

static const char units_a[] = "id,base,home_grids,mode\nU1,S1,G1;G2,car\nU2,S1,G3;G4,car\n";
static const char units_b[] = "id,base,mode\nV1,S1,car\nV2,S1,car\nV3,S1,car\n";

static void test_counts(const char *dir)
{
    struct scn *s = load(dir);
    if (!s)
        return;
    const struct inc_source_type *src = inc_source_find("nhpp");
    struct perr e;
    void *st = src->open(s, s->seed, 0, &e);
    PS_ASSERT(st != NULL);
    double cell[168] = { 0 }, month[12] = { 0 }, grid[4] = { 0 }, type[3] = { 0 };
    double n = 0, prev = 0;
    int outside = 0, backwards = 0, off_ms = 0;
    struct inc in;
    while (src->next(st, &in, &e) == 1) {
        struct ts_civil c;
        ts_to_civil(s->start_ms + llround(in.t * TS_MS_MIN), &c);
        cell[c.wday * 24 + c.h]++;
        month[c.mon - 1]++;
        grid[in.grid]++;
        type[in.type]++;
        outside += !geo_poly_contains(&s->grids[in.grid].poly, in.x, in.y);
        backwards += in.t < prev;
        off_ms += in.t != (double)llround(in.t * TS_MS_MIN) / TS_MS_MIN;
        prev = in.t;
        n++;
    }
    src->close(st);
    CHECK_INT(outside, 0);
    CHECK_INT(backwards, 0);
    CHECK_INT(off_ms, 0);                 /* times on the millisecond */

    /* Expected counts: the rate integrated hour by hour. */
    double ecell[168] = { 0 }, emonth[12] = { 0 }, fsum = 0, msum = 0, total = 0;
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            fsum += true_factor(d, h) / 168;
    for (int m = 0; m < 12; m++)
        msum += true_month(m + 1) * mdays[m] / 365.0;
    for (int hr = 0; hr < DAYS * 24; hr++) {
        struct ts_civil c;
        ts_to_civil(s->start_ms + hr * TS_MS_HOUR, &c);
        double r = RATE / 24 * true_factor(c.wday, c.h) / fsum * true_month(c.mon) / msum;
        ecell[c.wday * 24 + c.h] += r;
        emonth[c.mon - 1] += r;
        total += r;
    }
    CHECK(fabs(n - total) < 4 * sqrt(total), "%.0f incidents, expected %.1f", n, total);
    double p = chi2_p(cell, ecell, 168);
    CHECK(p > P_MIN, "counts per weekday x hour match the profile: chi-square p = %.4g", p);
    double hour[24] = { 0 }, ehour[24] = { 0 };
    for (int k = 0; k < 168; k++) {
        hour[k % 24] += cell[k];
        ehour[k % 24] += ecell[k] * n / total;
    }
    p = chi2_p(hour, ehour, 24);
    CHECK(p > P_MIN, "counts per hour of day match the profile: chi-square p = %.4g", p);
    for (int m = 0; m < 12; m++)
        emonth[m] *= n / total;
    p = chi2_p(month, emonth, 12);
    CHECK(p > P_MIN, "counts per month match the seasonal factors: chi-square p = %.4g", p);
    double egrid[4], etype[3];
    for (int g = 0; g < 4; g++)
        egrid[g] = n * (g + 1) / 10.0;          /* grids.csv weights 1, 2, 3, 4 */
    p = chi2_p(grid, egrid, 4);
    CHECK(p > P_MIN, "grid shares match the weights: chi-square p = %.4g (%.0f %.0f %.0f %.0f)",
          p, grid[0], grid[1], grid[2], grid[3]);
    const double share[3] = { 0.5, 0.3, 0.2 };
    for (int k = 0; k < 3; k++)
        etype[k] = n * share[k];
    p = chi2_p(type, etype, 3);
    CHECK(p > P_MIN, "type mix matches the shares: chi-square p = %.4g", p);
    for (int g = 0; g < 4; g++)
        CHECK_NEAR(grid[g] / n, (g + 1) / 10.0, 0.01);
    scn_free(s);
}

/* The stream of replication rep of the scenario in dir, first max incidents. */
static int stream(const char *dir, int rep, struct inc *out, int max)
{
    struct scn *s = load(dir);
    if (!s)
        return 0;
    const struct inc_source_type *src = inc_source_find(s->source);
    struct perr e;
    void *st = src->open(s, s->seed, rep, &e);
    int n = 0;
    while (n < max && src->next(st, &out[n], &e) == 1)
        n++;
    src->close(st);
    scn_free(s);
    return n;
}

static int same(const struct inc *a, const struct inc *b, int n)
{
    int bad = 0;
    for (int i = 0; i < n; i++)
        bad += a[i].seq != b[i].seq || a[i].t != b[i].t || a[i].x != b[i].x ||
               a[i].y != b[i].y || a[i].grid != b[i].grid || a[i].type != b[i].type ||
               a[i].prio_idx != b[i].prio_idx || a[i].service_min != b[i].service_min;
    return bad;
}

static void test_common_random_numbers(const char *dir_a)
{
    enum { N = 2000 };
    char *dir_b = nhpp_scenario(units_b, "");
    struct inc *a = xmalloc(N * sizeof *a), *b = xmalloc(N * sizeof *b);
    int na = stream(dir_a, 3, a, N), nb = stream(dir_b, 3, b, N);
    CHECK(na == N && nb == N, "both streams long enough (%d, %d)", na, nb);
    CHECK_INT(same(a, b, N), 0);
    nb = stream(dir_a, 4, b, N);
    CHECK(same(a, b, N) > N / 2, "another replication gives another stream");
    free(a);
    free(b);
    tu_rmrf(dir_b);
    free(dir_b);
}

static void test_hotspots(void)
{
    char *d = nhpp_scenario(units_a, "hotspots = hotspots.csv\n");
    tu_write(d, "hotspots.csv", "id,x,y,sd_km,weight\nmarket,1.0,1.0,0.2,3\nstation,3.0,3.0,0.1,1\n");
    struct scn *s = load(d);
    if (s) {
        const struct inc_source_type *src = inc_source_find("nhpp");
        struct perr e;
        void *st = src->open(s, s->seed, 0, &e);
        struct inc in;
        double n[2] = { 0 }, sx[2] = { 0 }, sy[2] = { 0 }, sxx[2] = { 0 };
        int bad = 0;
        while (src->next(st, &in, &e) == 1) {
            int k = in.x > 2;
            n[k]++;
            sx[k] += in.x;
            sy[k] += in.y;
            sxx[k] += (in.x - (k ? 3.0 : 1.0)) * (in.x - (k ? 3.0 : 1.0));
            bad += in.grid != geo_index_locate(s->grid_index, in.x, in.y) || in.grid < 0;
        }
        src->close(st);
        CHECK_INT(bad, 0);
        CHECK_NEAR(n[0] / (n[0] + n[1]), 0.75, 0.01);
        CHECK_NEAR(sx[0] / n[0], 1.0, 0.01);
        CHECK_NEAR(sy[1] / n[1], 3.0, 0.01);
        CHECK_NEAR(sqrt(sxx[0] / n[0]), 0.2, 0.01);
        CHECK_NEAR(sqrt(sxx[1] / n[1]), 0.1, 0.005);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

/* Reads a numeric table CSV into v[rows][cols] (first column skipped). */
static int read_table(const char *path, double *v, int rows, int cols)
{
    struct perr e;
    struct csvr *r = csvr_open(path, &e);
    if (!r)
        return -1;
    int k = 0;
    PS_ASSERT(csvr_next(r, &e) == 1);   /* header */
    while (k < rows && csvr_next(r, &e) == 1) {
        for (int c = 0; c < cols; c++)
            v[k * cols + c] = strtod(csvr_field(r, (size_t)c + 1), NULL);
        k++;
    }
    csvr_close(r);
    return k == rows ? 0 : -1;
}

static void test_gen_replay_fit(const char *dir)
{
    char out[1200], rdir[600], fdir[1200], ini[8192];
    snprintf(out, sizeof out, "%s/calls.csv", dir);
    char *argv_gen[] = { "gen", (char *)dir, "--days", "365", "--out", out, NULL };
    mute();
    int rc = cmd_gen(6, argv_gen);
    unmute();
    CHECK_INT(rc, 0);

    /* A replay scenario: the same tables, the [replay] keys gen prints. */
    char *rd = tu_tmpdir();
    PS_ASSERT(strlen(rd) < sizeof rdir);
    strcpy(rdir, rd);
    snprintf(ini, sizeof ini,
             "[scenario]\nname = replay of gen\n[run]\nseed = 2386\nhorizon_days = %d\n"
             "[tables]\ngrids = %s/tests/fixtures/replay/common/grids.csv\n"
             "facilities = %s/tests/fixtures/replay/common/facilities.csv\n"
             "units = %s/units.csv\nincident_types = %s/incident_types.csv\n"
             "[modes]\ncar = 30\n[incidents]\nsource = replay\nstart = 2023-01-02T00:00:00\n"
             "[replay]\nfile = %s\nreceived_column = received\nlocation = xy_km\n"
             "x_column = x_km\ny_column = y_km\ntype_column = type\npriority_column = priority\n"
             "service = data\nservice_column = service_min\n", DAYS, cwd, cwd, dir, dir, out);
    tu_write(rdir, "scenario.ini", ini);
    enum { N = 120000 };
    struct inc *a = xmalloc(N * sizeof *a), *b = xmalloc(N * sizeof *b);
    int na = stream(dir, 0, a, N), nb = stream(rdir, 0, b, N);
    CHECK(na > 50000 && na < N, "a long stream (%d incidents)", na);
    CHECK_INT(na, nb);
    CHECK_INT(same(a, b, na < nb ? na : nb), 0);   /* bit for bit */
    free(a);
    free(b);

    /* fit on the generated file recovers what generated it. */
    snprintf(fdir, sizeof fdir, "%s/fit", rdir);
    char *argv_fit[] = { "fit", out, "--mapping", rdir, "--out", fdir, NULL };
    mute();
    rc = cmd_fit(6, argv_fit);
    unmute();
    CHECK_INT(rc, 0);
    char path[1400];
    double prof[24 * 7], mon[12], gw[4], mix[3 * 3];
    snprintf(path, sizeof path, "%s/arrival_profile.csv", fdir);
    CHECK_INT(read_table(path, prof, 24, 7), 0);
    double fsum = 0, worst = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            fsum += true_factor(d, h) / 168;
    /* Each cell holds about n / 168 incidents: relative sd 1 / sqrt(count). */
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++) {
            double f = true_factor(d, h) / fsum, cnt = na / 168.0 * f;
            double z = (prof[h * 7 + d] - f) / (f / sqrt(cnt));
            worst = fmax(worst, fabs(z));
        }
    CHECK(worst < 4.5, "fitted profile within 4.5 sd in every cell (worst %.2f)", worst);
    snprintf(path, sizeof path, "%s/seasonal.csv", fdir);
    CHECK_INT(read_table(path, mon, 12, 1), 0);
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    double msum = 0;
    for (int k = 0; k < 12; k++)
        msum += true_month(k + 1) * mdays[k] / 365.0;
    worst = 0;
    for (int k = 0; k < 12; k++)
        worst = fmax(worst, fabs(mon[k] - true_month(k + 1) / msum));
    CHECK(worst < 0.05, "fitted month factors within 0.05 (worst %.4f)", worst);
    snprintf(path, sizeof path, "%s/grid_weights.csv", fdir);
    CHECK_INT(read_table(path, gw, 4, 1), 0);
    for (int g = 0; g < 4; g++)
        CHECK_NEAR(gw[g], (g + 1) / 10.0, 0.01);
    /* type,share,service,mean_min,sd_min: the service column reads as 0. */
    snprintf(path, sizeof path, "%s/type_mix.csv", fdir);
    CHECK_INT(read_table(path, mix, 3, 3), 0);
    CHECK_NEAR(mix[0], 0.5, 0.01);
    CHECK_NEAR(mix[3], 0.3, 0.01);
    CHECK_NEAR(mix[2 * 3 + 0], 0.2, 0.01);
    CHECK_NEAR(mix[0 * 3 + 2], 40, 0.8);        /* theft: lognormal 40 +- 20 */

    /* The fitted tables drive an nhpp scenario again (fit -> gen). */
    snprintf(ini, sizeof ini,
             "[scenario]\nname = refit\n[run]\nhorizon_days = 30\n"
             "[tables]\ngrids = %s/tests/fixtures/replay/common/grids.csv\n"
             "facilities = %s/tests/fixtures/replay/common/facilities.csv\n"
             "units = %s/units.csv\nincident_types = %s/incident_types.csv\n"
             "[modes]\ncar = 30\n[incidents]\nsource = nhpp\nrate_per_day = 240\n"
             "grid_weights = fit/grid_weights.csv\ntype_mix = fit/type_mix.csv\n"
             "[nhpp]\nprofile = fit/arrival_profile.csv\nseasonal = fit/seasonal.csv\n",
             cwd, cwd, dir, dir);
    tu_write(rdir, "scenario.ini", ini);
    struct scn *s = load(rdir);
    if (s) {
        CHECK_NEAR(s->itypes[0].mean_min, mix[0 * 3 + 2], 1e-3);
        CHECK_INT(s->itypes[0].dist, SVC_LOGNORMAL);
        scn_free(s);
    }
    tu_rmrf(rd);
    free(rd);
}

int main(void)
{
    PS_ASSERT(getcwd(cwd, sizeof cwd) != NULL);
    char *dir = nhpp_scenario(units_a, "");
    test_counts(dir);
    test_common_random_numbers(dir);
    test_hotspots();
    test_gen_replay_fit(dir);
    tu_rmrf(dir);
    free(dir);
    return tc_done();
}
