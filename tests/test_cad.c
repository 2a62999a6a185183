/* test_cad.c - the CAD mechanisms (models/ops_cad.c), each against what it
 * must do, on scenarios built for it:
 *   call processing by (type, hour band): every call's delay is its row's,
 *     and with ample units a fixed delay shifts each call's arrival by
 *     exactly that (common random numbers); a lognormal delay has its mean
 *     and median; the local clock follows [incidents] start;
 *   turnout by state: departure - dispatch is the state's delay, "just
 *     cleared" exactly when the last clearing is within the window;
 *   units per call: the shares are reproduced, the response is the first
 *     arrival (the same as with one unit), every unit's time is counted;
 *   workload: an otherwise idle unit is free 1 / (1 + r m / 60) of its
 *     time; interruption by priority happens only when allowed;
 *   briefing: no unit of a briefing shift is dispatched in its first minutes;
 *   strength: no more distinct units are dispatched in an hour than its cap,
 *     and the stood-down hours are what the cap implies;
 *   determinism: the same seed gives the same trace and results, and
 *     reordering units.csv leaves every incident's trace row as it was.
 * The bad-input messages are the fixtures tests/fixtures/bad/cad_* and
 * warn/cad_*, checked by test_scn.c and test_cli.sh.
 */
#include <math.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "ops.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"

/* One trace row (ops_trace_header). */
struct rec {
    long seq;
    double created, dispatched, arrived, cleared, departed, cp;
    int units, queued, hour, sent;
    char type[32], unit[32];
    char *line;            /* as written */
};

struct run {
    struct scn *s;
    double *out;
    struct rec *r;
    int n;
    char **lines;          /* trace rows as written, by seq */
};

static void run_free(struct run *R)
{
    for (int i = 0; i < R->n && R->lines; i++)
        free(R->lines[i]);
    free(R->lines);
    free(R->out);
    free(R->r);
    scn_free(R->s);
    memset(R, 0, sizeof *R);
}

static int cmp_rec(const void *a, const void *b)
{
    long x = ((const struct rec *)a)->seq, y = ((const struct rec *)b)->seq;
    return (x > y) - (x < y);
}

/* Splits a CSV line without quotes into at most n fields (empty ones kept). */
static int split(char *line, char **f, int n)
{
    int k = 0;
    line[strcspn(line, "\r\n")] = '\0';
    for (char *p = line; k < n;) {
        f[k++] = p;
        char *c = strchr(p, ',');
        if (!c)
            break;
        *c = '\0';
        p = c + 1;
    }
    return k;
}

/* Loads dir with overrides "sec.key=val" (NULL-terminated), runs
 * replication 0 with a trace and parses it, rows sorted by seq. */
static int run(const char *dir, const char *const *sets, struct run *R)
{
    struct scn_override ov[16];
    char buf[16][TU_SET_LEN];
    int n_ov = tu_overrides(sets, ov, buf);
    struct perr e;
    memset(R, 0, sizeof *R);
    R->s = scn_load(dir, ov, n_ov, &e);
    CHECK(R->s != NULL, "load %s: %s", dir, R->s ? "ok" : e.msg);
    if (!R->s)
        return -1;
    struct ops_blocks B;
    ops_blocks(R->s, &B);
    R->out = malloc(B.n * sizeof *R->out);
    ops_blocks_release(&B);
    FILE *tr = tmpfile();
    struct ops_params p = { R->s->seed, 0, tr };
    struct ops_totals tot;
    int rc = ops_run(R->s, &p, R->out, &tot, &e);
    CHECK(rc == 0, "run %s: %s", dir, rc == 0 ? "ok" : e.msg);
    rewind(tr);
    char line[1024];
    int cap = 0;
    CHECK(strstr(ops_trace_header, "hour,departed_min,units_sent,call_processing_min\n") != NULL,
          "trace header has the CAD columns");
    while (fgets(line, sizeof line, tr)) {
        if (R->n == cap) {
            cap = cap ? 2 * cap : 512;
            R->r = realloc(R->r, (size_t)cap * sizeof *R->r);
            R->lines = realloc(R->lines, (size_t)cap * sizeof *R->lines);
        }
        char copy[1024], *f[24];
        snprintf(copy, sizeof copy, "%s", line);
        if (split(copy, f, 24) < 19)
            continue;
        struct rec *q = &R->r[R->n];
        q->seq = atol(f[0]);
        q->created = atof(f[1]);
        snprintf(q->type, sizeof q->type, "%s", f[5]);
        snprintf(q->unit, sizeof q->unit, "%s", f[7]);
        q->units = atoi(f[8]);
        q->queued = atoi(f[9]);
        q->dispatched = atof(f[10]);
        q->arrived = atof(f[11]);
        q->cleared = atof(f[12]);
        q->hour = atoi(f[15]);
        q->departed = atof(f[16]);
        q->sent = atoi(f[17]);
        q->cp = atof(f[18]);
        q->line = strdup(line);
        R->n++;
    }
    fclose(tr);
    /* Sort the rows (each holding its line) by seq. */
    qsort(R->r, (size_t)R->n, sizeof *R->r, cmp_rec);
    for (int i = 0; i < R->n; i++)
        R->lines[i] = R->r[i].line;
    return rc;
}

static double slot(const struct run *R, const char *section, const char *metric, const char *key)
{
    struct res_layout L;
    ops_layout(R->s, &L);
    double v = NAN;
    for (size_t i = 0; i < L.n; i++)
        if (!strcmp(L.slot[i].section, section) && !strcmp(L.slot[i].metric, metric) &&
            !strcmp(L.slot[i].key, key ? key : ""))
            v = R->out[i];
    res_layout_release(&L);
    return v;
}

/* A one-grid town: units.csv and the rest of scenario.ini given. */
static void town(const char *d, const char *ini_extra, double rate, double days,
                 const char *units, const char *types)
{
    char ini[2048];
    snprintf(ini, sizeof ini,
             "[scenario]\nname = cad\n[run]\nseed = 2385\nhorizon_days = %g\n"
             "[modes]\ncar = 36\n[dispatch]\nredispatch_returning = false\n"
             "[incidents]\nrate_per_day = %g\nlocation = area\n%s",
             days, rate, ini_extra ? ini_extra : "");
    tu_write(d, "scenario.ini", ini);
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,6,6\n");
    tu_write(d, "facilities.csv",
             "id,tier,x,y\nS,station,3,3\nP1,post,0.7,1.3\nP2,post,5.1,4.9\nP3,post,1.9,5.3\n"
             "P4,post,4.4,0.6\n");
    tu_write(d, "units.csv", units);
    tu_write(d, "incident_types.csv",
             types ? types
                   : "id,priority,share,service,mean_min,target_min\n"
                     "a,1,1,fixed,20,15\nb,2,2,fixed,20,15\n");
}

static const char six_at_base[] =
    "id,base,home_grids,mode\nU1,S,G,car\nU2,S,G,car\nU3,S,G,car\nU4,S,G,car\nU5,S,G,car\n"
    "U6,S,G,car\nU7,S,G,car\nU8,S,G,car\n";

/* ---- call processing ---------------------------------------------------------- */

static double cp_expected(const char *type, int hour)
{
    if (!strcmp(type, "a"))
        return hour >= 22 || hour < 6 ? 1.25 : 2.385;
    return 4.5;
}

static void call_processing(void)
{
    char *d = tu_tmpdir();
    town(d, NULL, 24, 40, six_at_base, NULL);
    struct run A, B;
    run(d, NULL, &A);
    tu_write(d, "call_processing.csv",
             "type,hour_from,hour_to,dist,mean_min,sd_min\n"
             "a,22,6,fixed,1.25,\na,6,22,fixed,2.385,\n*,0,24,fixed,4.5,\n*,3,4,fixed,99,\n");
    run(d, NULL, &B);
    int bad_cp = 0, bad_hour = 0, bad_shift = 0, queued = 0, night_a = 0;
    double sum_cp = 0;
    CHECK(A.n == B.n && A.n > 800, "same incidents with and without the table (%d, %d)", A.n, B.n);
    for (int i = 0; i < A.n && i < B.n; i++) {
        const struct rec *a = &A.r[i], *b = &B.r[i];
        int hour = (int)(fmod(b->created, 1440.0) / 60.0);
        bad_hour += b->hour != hour;
        bad_cp += fabs(b->cp - cp_expected(b->type, hour)) > 1e-9;
        night_a += !strcmp(b->type, "a") && (hour >= 22 || hour < 6);
        queued += a->queued + b->queued;
        sum_cp += b->cp;
        /* The trace has 4 decimals. */
        bad_shift += fabs((b->arrived - b->created) - (a->arrived - a->created) - b->cp) > 2e-4 ||
                     fabs(b->dispatched - b->created - b->cp) > 2e-4;
    }
    CHECK(queued == 0, "ample units: no call waited (%d)", queued);
    CHECK(bad_hour == 0, "trace hour = local clock hour of receipt (%d wrong)", bad_hour);
    CHECK(bad_cp == 0 && night_a > 20, "each call's delay is its first matching row's, bands "
          "wrapping midnight (%d wrong, %d night calls of type a)", bad_cp, night_a);
    CHECK(bad_shift == 0, "each call arrives later by exactly its delay (%d wrong)", bad_shift);
    double dm = slot(&B, "all", "response_mean_min", NULL) - slot(&A, "all", "response_mean_min", NULL);
    CHECK_NEAR(dm, sum_cp / B.n, 1e-9);
    CHECK_NEAR(slot(&B, "all", "received_dispatched_mean_min", NULL), sum_cp / B.n, 1e-9);
    CHECK_NEAR(slot(&B, "all", "dispatched_arrived_mean_min", NULL),
               slot(&B, "all", "travel_mean_min", NULL), 1e-12);
    /* By hour and by type: the means of the trace's delays. */
    double h23 = 0, ta = 0;
    int n23 = 0, na = 0;
    for (int i = 0; i < B.n; i++) {
        if (B.r[i].hour == 23)
            h23 += B.r[i].cp, n23++;
        if (!strcmp(B.r[i].type, "a"))
            ta += B.r[i].cp, na++;
    }
    CHECK(n23 > 10 && fabs(slot(&B, "hour", "received_dispatched_mean_min", "23") - h23 / n23) < 1e-9,
          "hour 23: received_dispatched_mean_min %.6f = %.6f",
          slot(&B, "hour", "received_dispatched_mean_min", "23"), h23 / n23);
    CHECK(na > 10 && fabs(slot(&B, "type", "received_dispatched_mean_min", "a") - ta / na) < 1e-9,
          "type a: received_dispatched_mean_min %.6f = %.6f",
          slot(&B, "type", "received_dispatched_mean_min", "a"), ta / na);
    run_free(&A);
    run_free(&B);

    /* t = 0 at 05:30 local: the clock hour is shifted, and so the bands. */
    const char *const start[] = { "incidents.start=2024-03-06T05:30", NULL };
    run(d, start, &B);
    int bad = 0;
    for (int i = 0; i < B.n; i++) {
        int hour = (int)(fmod(B.r[i].created + 330.0, 1440.0) / 60.0);
        bad += B.r[i].hour != hour || fabs(B.r[i].cp - cp_expected(B.r[i].type, hour)) > 1e-9;
    }
    CHECK(bad == 0 && B.n > 800, "start 05:30: hours and bands follow the local clock (%d wrong)",
          bad);
    run_free(&B);

    /* A lognormal delay: its mean and median (m / sqrt(1 + cv^2)). */
    tu_write(d, "call_processing.csv",
             "type,hour_from,hour_to,dist,mean_min,sd_min\n*,0,24,lognormal,6,4\n");
    const char *const longer[] = { "run.horizon_days=200", "incidents.rate_per_day=20", NULL };
    run(d, longer, &B);
    double n = B.n, se = 4 / sqrt(n);
    CHECK(fabs(slot(&B, "all", "received_dispatched_mean_min", NULL) - 6) < 4 * se && n > 3000,
          "lognormal delay mean %.4f ~ 6 (4 se = %.3f, n = %.0f)",
          slot(&B, "all", "received_dispatched_mean_min", NULL), 4 * se, n);
    double med = 6 / sqrt(1 + 16.0 / 36.0);
    CHECK(fabs(slot(&B, "all", "received_dispatched_p50_min", NULL) - med) < 0.15,
          "lognormal delay median %.4f ~ %.4f", slot(&B, "all", "received_dispatched_p50_min", NULL),
          med);
    run_free(&B);

    /* An empirical delay: quantiles 0, 1, 2, 4, 8, 16 at 0, 20, ..., 100%,
     * linear between: mean 4.6, median 3, p90 12. */
    tu_write(d, "call_processing.csv",
             "type,hour_from,hour_to,dist,mean_min,sd_min,quantiles\n"
             "*,0,24,empirical,,,0;1;2;4;8;16\n");
    run(d, longer, &B);
    n = B.n;
    CHECK(fabs(slot(&B, "all", "received_dispatched_mean_min", NULL) - 4.6) < 4 * 4.1 / sqrt(n),
          "empirical delay mean %.4f ~ 4.6", slot(&B, "all", "received_dispatched_mean_min", NULL));
    CHECK(fabs(slot(&B, "all", "received_dispatched_p50_min", NULL) - 3) < 0.15 &&
          fabs(slot(&B, "all", "received_dispatched_p90_min", NULL) - 12) < 0.5,
          "empirical delay median %.4f ~ 3, p90 %.4f ~ 12",
          slot(&B, "all", "received_dispatched_p50_min", NULL),
          slot(&B, "all", "received_dispatched_p90_min", NULL));
    run_free(&B);
    tu_rmrf(d);
    free(d);
}

/* ---- turnout ---------------------------------------------------------------------- */

static void turnout(void)
{
    char *d = tu_tmpdir();
    /* Units idle at base and units on patrol; no "just cleared" window. */
    town(d, "[turnout]\ncleared_window_min = 0\n", 24, 30,
         "id,base,home_grids,mode,between_calls\nB1,S,G,car,base\nB2,S,G,car,base\n"
         "B3,P1,G,car,base\nQ1,P2,G,car,patrol\nQ2,P3,G,car,patrol\nQ3,P4,G,car,patrol\n", NULL);
    tu_write(d, "turnout.csv", "state,dist,mean_min,sd_min\nat_base,fixed,1.7,\npatrol,fixed,0.9,\n"
                               "returning,fixed,7,\n");
    struct run R;
    run(d, NULL, &R);
    int bad = 0, nb = 0, np = 0;
    for (int i = 0; i < R.n; i++) {
        double want = R.r[i].unit[0] == 'B' ? 1.7 : 0.9;
        nb += R.r[i].unit[0] == 'B';
        np += R.r[i].unit[0] == 'Q';
        bad += R.r[i].queued || fabs(R.r[i].departed - R.r[i].dispatched - want) > 2e-4;
    }
    CHECK(bad == 0 && nb > 50 && np > 50, "departure = dispatch + the state's turnout (%d "
          "wrong; %d from base, %d on patrol)", bad, nb, np);
    CHECK_NEAR(slot(&R, "all", "dispatched_arrived_mean_min", NULL) -
               slot(&R, "all", "travel_mean_min", NULL), slot(&R, "all", "turnout_mean_min", NULL),
               1e-9);
    run_free(&R);

    /* One busy unit: "just cleared" exactly when its last call cleared at
     * most 15 minutes before this dispatch. */
    town(d, NULL, 30, 30, "id,base,home_grids,mode\nU,S,G,car\n", NULL);
    tu_write(d, "turnout.csv", "state,dist,mean_min,sd_min\nat_base,fixed,3,\n"
                               "just_cleared,fixed,0.25,\n");
    run(d, NULL, &R);
    /* In dispatch order (one unit: calls are served one after another). */
    int jc = 0, base = 0;
    bad = 0;
    double last = -INFINITY;
    struct rec *by = malloc((size_t)R.n * sizeof *by);
    memcpy(by, R.r, (size_t)R.n * sizeof *by);
    for (int i = 1; i < R.n; i++)      /* insertion sort by dispatch time */
        for (int k = i; k > 0 && by[k].dispatched < by[k - 1].dispatched; k--) {
            struct rec t = by[k];
            by[k] = by[k - 1];
            by[k - 1] = t;
        }
    for (int i = 0; i < R.n; i++) {
        bool just = by[i].dispatched - last <= 15 + 2e-4;
        double got = by[i].departed - by[i].dispatched;
        if (fabs(by[i].dispatched - last - 15) > 1e-3)      /* away from the edge's rounding */
            bad += fabs(got - (just ? 0.25 : 3)) > 2e-4;
        jc += just;
        base += !just;
        last = by[i].cleared;
    }
    CHECK(bad == 0 && jc > 30 && base > 30, "just_cleared within 15 min of the last clearing, "
          "at_base otherwise (%d wrong; %d just cleared, %d at base)", bad, jc, base);
    free(by);
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- units per call ----------------------------------------------------------------- */

static void units_per_call(void)
{
    char *d = tu_tmpdir();
    town(d, NULL, 30, 80, six_at_base, NULL);
    struct run A, B;
    run(d, NULL, &A);
    tu_write(d, "units_per_call.csv", "type,n,share\n*,1,45\n*,2,40\n*,3,15\n");
    run(d, NULL, &B);
    int cnt[4] = { 0 }, bad_sent = 0, bad_resp = 0, queued = 0;
    for (int i = 0; i < B.n; i++) {
        if (B.r[i].units >= 1 && B.r[i].units <= 3)
            cnt[B.r[i].units]++;
        bad_sent += B.r[i].sent != B.r[i].units;
        queued += A.r[i].queued || B.r[i].queued;
        /* A call that waited for its crew may have its first unit later. */
        if (i < A.n && !A.r[i].queued && !B.r[i].queued)
            bad_resp += fabs((B.r[i].arrived - B.r[i].created) - (A.r[i].arrived - A.r[i].created)) > 2e-4;
    }
    CHECK(queued < B.n / 50, "few calls waited for a crew (%d of %d)", queued, B.n);
    static const double p[4] = { 0, 0.45, 0.40, 0.15 };
    for (int k = 1; k <= 3; k++) {
        double se = sqrt(p[k] * (1 - p[k]) / B.n);
        CHECK(fabs(cnt[k] / (double)B.n - p[k]) < 4 * se, "share of calls with %d units %.4f ~ "
              "%.2f (4 se = %.4f)", k, cnt[k] / (double)B.n, p[k], 4 * se);
    }
    CHECK(bad_sent == 0, "ample units: every call gets the units drawn (%d short)", bad_sent);
    CHECK(bad_resp == 0 && A.n == B.n, "response = first arrival: the same as with one unit "
          "(%d differ)", bad_resp);
    double mean = (cnt[1] + 2.0 * cnt[2] + 3.0 * cnt[3]) / B.n;
    CHECK_NEAR(slot(&B, "all", "units_per_call_mean", NULL), mean, 1e-9);
    /* Every unit's busy time: utilisation scales with the units sent (all
     * units drive from one base and serve the same fixed time). */
    double ratio = slot(&B, "all", "utilisation_mean", NULL) / slot(&A, "all", "utilisation_mean", NULL);
    CHECK(fabs(ratio / mean - 1) < 0.03, "busy time of every unit counted: utilisation x %.4f "
          "for %.4f units a call", ratio, mean);
    CHECK_NEAR(slot(&A, "all", "units_per_call_mean", NULL), 1.0, 1e-12);
    run_free(&A);
    run_free(&B);
    tu_rmrf(d);
    free(d);
}

/* ---- workload ------------------------------------------------------------------------ */

static void workload(void)
{
    char *d = tu_tmpdir();
    /* Next to no calls: each unit alternates idle (exponential, rate r)
     * and workload (mean m), so it is busy r m / (1 + r m) of its time. */
    town(d, NULL, 0.01, 120, six_at_base, NULL);
    tu_write(d, "workload.csv", "role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n"
                                "*,1.5,exponential,12.5,,0\n");
    struct run R;
    run(d, NULL, &R);
    double rho = 1.5 * 12.5 / 60, want = rho / (1 + rho);
    CHECK(fabs(slot(&R, "all", "workload_share", NULL) - want) < 0.01,
          "workload share %.4f ~ r m / (1 + r m) = %.4f",
          slot(&R, "all", "workload_share", NULL), want);
    CHECK(fabs(slot(&R, "all", "utilisation_mean", NULL) - want) < 0.01,
          "workload counts as busy time: utilisation %.4f", slot(&R, "all", "utilisation_mean", NULL));
    CHECK(slot(&R, "unit", "workload_hours", "U3") > 0.2 * 120 * 24 * want,
          "per-unit workload hours (%.1f)", slot(&R, "unit", "workload_hours", "U3"));
    run_free(&R);

    /* Two units, heavy workload, urgent calls: interrupted only if allowed. */
    town(d, NULL, 40, 40, "id,base,home_grids,mode\nU1,S,G,car\nU2,P1,G,car\n", NULL);
    tu_write(d, "workload.csv", "role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n"
                                "*,3,fixed,30,,1\n");
    struct run I, N;
    run(d, NULL, &I);
    tu_write(d, "workload.csv", "role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n"
                                "*,3,fixed,30,,0\n");
    run(d, NULL, &N);
    CHECK(slot(&I, "all", "workload_interruptions", NULL) > 20 &&
          slot(&N, "all", "workload_interruptions", NULL) == 0,
          "priority-1 calls interrupt workload when allowed (%g), never at 0 (%g)",
          slot(&I, "all", "workload_interruptions", NULL),
          slot(&N, "all", "workload_interruptions", NULL));
    double wi = slot(&I, "priority", "response_mean_min", "1"),
           wn = slot(&N, "priority", "response_mean_min", "1");
    CHECK(wi < wn, "interrupting shortens priority-1 responses (%.2f vs %.2f min)", wi, wn);
    /* Priority 2 may not interrupt: its calls never find a unit that was
     * on workload at dispatch (turnout state "workload" is only set then). */
    run_free(&I);
    run_free(&N);
    tu_rmrf(d);
    free(d);
}

/* ---- briefing ---------------------------------------------------------------------------- */

static void briefing(void)
{
    char *d = tu_tmpdir();
    town(d, NULL, 30, 30,
         "id,base,home_grids,mode,roster\nU1,S,G,car,day\nU2,S,G,car,day\nU3,P1,G,car,day\n"
         "U4,P2,G,car,day\n", NULL);
    tu_write(d, "shifts.csv", "code,start_h,hours,briefing_min\nD,8,12,30\n");
    tu_write(d, "rosters.csv", "id,pattern\nday,D\n");
    struct run R;
    run(d, NULL, &R);
    int bad = 0, waited = 0;
    for (int i = 0; i < R.n; i++) {
        double m = fmod(R.r[i].dispatched, 1440.0);
        bad += m >= 480 - 1e-6 && m < 510 - 1e-4;
        double c = fmod(R.r[i].created, 1440.0);
        waited += c >= 480 && c < 510;
    }
    CHECK(bad == 0 && waited > 5, "no dispatch in the first 30 min of the shift (%d did; %d calls "
          "came in then)", bad, waited);
    double share = slot(&R, "all", "briefing_share", NULL);
    /* Briefing minutes = share x on-duty minutes: 30 a shift (the last
     * one may be cut by the end of the measured period). */
    double on = 0, shifts = 0;
    for (int u = 1; u <= 4; u++) {
        char id[8];
        snprintf(id, sizeof id, "U%d", u);
        on += 60 * (slot(&R, "unit", "on_duty_hours", id) + slot(&R, "unit", "overtime_hours", id));
        shifts += slot(&R, "unit", "shifts", id);
    }
    CHECK(share * on <= 30 * shifts + 1e-6 && share * on >= 30 * (shifts - 4) - 1e-6 &&
          shifts >= 120, "briefing share %.5f: %.1f min over %.0f shifts, 30 each", share,
          share * on, shifts);
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- strength -------------------------------------------------------------------------------- */

static void strength(void)
{
    char *d = tu_tmpdir();
    town(d, NULL, 150, 14,
         "id,base,home_grids,mode\nU1,S,G,car\nU2,S,G,car\nU3,P1,G,car\nU4,P1,G,car\n"
         "U5,P2,G,car\nU6,P2,G,car\nU7,P3,G,car\nU8,P3,G,car\nU9,P4,G,car\nU10,P4,G,car\n", NULL);
    struct run A, R, Q;
    run(d, NULL, &A);
    char buf[8192];
    size_t used = (size_t)snprintf(buf, sizeof buf, "dow,hour,units\n");
    for (int w = 0; w < 168; w++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%d,%d,%d\n", w / 24, w % 24,
                                 w % 24 < 12 ? 3 : 6);
    tu_write(d, "strength.csv", buf);
    run(d, NULL, &R);
    /* Units driving back may be re-dispatched, unless stood down. */
    const char *const redis[] = { "dispatch.redispatch_returning=true", NULL };
    run(d, redis, &Q);
    /* Distinct units dispatched (first units: one unit a call) per hour. */
    int over = 0, over_free = 0, at_cap = 0, over_q = 0;
    for (int pass = 0; pass < 3; pass++) {
        const struct run *X = pass == 2 ? &Q : pass ? &R : &A;
        for (int h = 0; h < 14 * 24; h++) {
            char seen[10] = { 0 };
            int k = 0;
            for (int i = 0; i < X->n; i++)
                if ((int)(X->r[i].dispatched / 60.0) == h) {
                    int u = atoi(X->r[i].unit + 1) - 1;
                    if (u >= 0 && u < 10 && !seen[u])
                        seen[u] = 1, k++;
                }
            int cap = h % 24 < 12 ? 3 : 6;
            if (pass == 2) {
                over_q += k > cap;
            } else if (pass) {
                over += k > cap;
                at_cap += k == cap;
            } else {
                over_free += k > cap;
            }
        }
    }
    CHECK(over_free > 20, "without the table more units serve an hour than the cap (%d hours)",
          over_free);
    CHECK(over == 0 && at_cap > 100, "with it, never more distinct units in an hour than its "
          "cap (%d over, %d at the cap)", over, at_cap);
    CHECK(over_q == 0, "also when returning units may be re-dispatched (%d hours over)", over_q);
    double want = 14 * 12 * (7 + 4), got = slot(&R, "all", "stood_down_hours", NULL);
    CHECK(got > 0.95 * want && got <= want + 1e-9, "stood-down hours %.1f ~ %.0f (less the calls "
          "finished first)", got, want);
    double duty = 0;
    for (int u = 1; u <= 10; u++) {
        char id[8];
        snprintf(id, sizeof id, "U%d", u);
        duty += slot(&R, "unit", "on_duty_hours", id);
    }
    CHECK(fabs(duty + got - 10 * slot(&R, "all", "measured_hours", NULL)) < 1e-6,
          "stood-down time is off duty: duty %.1f + stood %.1f = 10 units x measured hours", duty,
          got);
    run_free(&A);
    run_free(&R);
    run_free(&Q);
    tu_rmrf(d);
    free(d);
}

/* ---- determinism ---------------------------------------------------------------------------- */

static void determinism(void)
{
    char *d = tu_tmpdir();
    const char *units =
        "id,base,home_grids,mode,between_calls,roster\nA1,S,G,car,base,day\nA2,P1,G,car,patrol,night\n"
        "A3,P2,G,car,base,day\nA4,P3,G,car,patrol,night\nA5,P4,G,car,base,day\nA6,P1,G,car,patrol,\n";
    const char *reordered =
        "id,base,home_grids,mode,between_calls,roster\nA6,P1,G,car,patrol,\nA4,P3,G,car,patrol,night\n"
        "A5,P4,G,car,base,day\nA2,P1,G,car,patrol,night\nA3,P2,G,car,base,day\nA1,S,G,car,base,day\n";
    town(d, NULL, 40, 20, units, NULL);
    tu_write(d, "shifts.csv", "code,start_h,hours\nD,7,12\nN,19,12\n");
    tu_write(d, "rosters.csv", "id,pattern\nday,D\nnight,N\n");
    tu_write(d, "call_processing.csv", "type,hour_from,hour_to,dist,mean_min,sd_min\n"
                                       "a,0,24,exponential,2,\n*,0,24,gamma,5,3\n");
    tu_write(d, "turnout.csv", "state,dist,mean_min,sd_min\nat_base,lognormal,2,1\n"
                               "patrol,exponential,1,\njust_cleared,fixed,0.5,\n");
    tu_write(d, "units_per_call.csv", "type,n,share\na,1,1\na,2,1\n*,1,3\n*,2,1\n");
    tu_write(d, "workload.csv", "role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority\n"
                                "*,0.4,gamma,25,10,1\n");
    char buf[8192];
    size_t used = (size_t)snprintf(buf, sizeof buf, "dow,hour,units\n");
    for (int w = 0; w < 168; w++)
        used += (size_t)snprintf(buf + used, sizeof buf - used, "%d,%d,%d\n", w / 24, w % 24,
                                 2 + w % 3);
    tu_write(d, "strength.csv", buf);
    struct run A, B, C;
    run(d, NULL, &A);
    run(d, NULL, &B);
    int same = A.n == B.n && A.n > 300;
    for (int i = 0; same && i < A.n; i++)
        same = !strcmp(A.lines[i], B.lines[i]);
    struct ops_blocks Bk;
    ops_blocks(A.s, &Bk);
    int same_out = 1;
    for (size_t i = 0; i < Bk.n; i++)
        same_out &= (isnan(A.out[i]) && isnan(B.out[i])) || A.out[i] == B.out[i];
    ops_blocks_release(&Bk);
    CHECK(same && same_out, "same seed: identical trace (%d rows) and results", A.n);
    CHECK(slot(&A, "all", "stood_down_hours", NULL) > 0 &&
          slot(&A, "all", "workload_share", NULL) > 0 &&
          slot(&A, "all", "turnout_mean_min", NULL) > 0 &&
          slot(&A, "all", "units_per_call_mean", NULL) > 1,
          "every mechanism is active in this scenario");
    tu_write(d, "units.csv", reordered);
    run(d, NULL, &C);
    int diff = A.n != C.n;
    for (int i = 0; !diff && i < A.n; i++)
        diff = strcmp(A.lines[i], C.lines[i]) != 0;
    CHECK(!diff, "units.csv reordered: every incident's trace row is the same");
    CHECK_NEAR(slot(&C, "all", "response_mean_min", NULL), slot(&A, "all", "response_mean_min", NULL),
               1e-12);
    run_free(&A);
    run_free(&B);
    run_free(&C);
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    gsl_set_error_handler_off();
    call_processing();
    turnout();
    units_per_call();
    workload();
    briefing();
    strength();
    determinism();
    return tc_done();
}
