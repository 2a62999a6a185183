/* test_police.c - the policing rules, each on a scenario built for it.
 *
 * Every scenario is written to a temporary folder and loaded through
 * scn_load, run through ops_run, and checked on its result slots or on the
 * per-incident trace.  The rules: off-duty units are never dispatched; AB
 * cover happens exactly when the A post is absent and a B post is on duty;
 * case incidents are always handed over and reach the case team; zone units
 * are preferred to outside units; tiered dispatch escalates at the
 * configured time and not before; pre-empted jobs complete later and none is
 * lost; multi-unit incidents get their crews; incidents are conserved.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "ops.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"

/* One incident of the trace (see ops_trace_header). */
struct rec {
    double created, dispatched, arrived, cleared;
    char type[32], unit[32];
    int first_contact, resolved;
};

struct run {
    struct scn *s;
    struct ops_blocks B;
    double *out;
    struct ops_totals tot;
    struct rec *r;
    int n;
};

static void run_free(struct run *R)
{
    free(R->out);
    free(R->r);
    ops_blocks_release(&R->B);
    scn_free(R->s);
    memset(R, 0, sizeof *R);
}

/* Loads dir with overrides "sec.key=val" (NULL-terminated), runs replication
 * 0 with a trace, parses it.  Returns 0 or -1 (reported as a failed check). */
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
    ops_blocks(R->s, &R->B);
    R->out = malloc(R->B.n * sizeof *R->out);
    FILE *tr = tmpfile();
    struct ops_params p = { R->s->seed, 0, tr };
    int rc = ops_run(R->s, &p, R->out, &R->tot, &e);
    CHECK(rc == 0, "run %s: %s", dir, rc == 0 ? "ok" : e.msg);
    CHECK(R->tot.created == R->tot.completed && R->tot.in_system == 0,
          "conservation: %llu created, %llu completed",
          (unsigned long long)R->tot.created, (unsigned long long)R->tot.completed);
    rewind(tr);
    char line[512];
    int cap = 0;
    while (fgets(line, sizeof line, tr)) {      /* ops_run writes no header */
        if (R->n == cap) {
            cap = cap ? 2 * cap : 256;
            R->r = realloc(R->r, (size_t)cap * sizeof *R->r);
        }
        struct rec *q = &R->r[R->n];
        /* seq,created,x,y,grid,type,priority,first_unit,units,queued,dispatched,arrived,cleared,fc,resolved */
        char *f[16];
        int k = 0;
        for (char *tok = strtok(line, ",\n"); tok && k < 16; tok = strtok(NULL, ",\n"))
            f[k++] = tok;
        if (k < 14)
            continue;
        /* grid may be empty: strtok would merge fields, so the scenarios here
         * always place incidents inside a grid. */
        q->created = atof(f[1]);
        snprintf(q->type, sizeof q->type, "%s", f[5]);
        snprintf(q->unit, sizeof q->unit, "%s", f[7]);
        q->dispatched = atof(f[10]);
        q->arrived = atof(f[11]);
        q->cleared = atof(f[12]);
        q->first_contact = atoi(f[13]);
        q->resolved = atoi(f[14]);
        R->n++;
    }
    fclose(tr);
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

/* ---- off duty ------------------------------------------------------------ */

static void off_duty(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = shifts\n[run]\nseed = 31\nhorizon_days = 12\n"
             "[modes]\ncar = 40\n[incidents]\nrate_per_day = 30\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,3,3\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nS,station,1.5,1.5\n");
    tu_write(d, "shifts.csv", "code,start_h,hours\nD,7.5,12\nN,19.5,12\n");
    tu_write(d, "rosters.csv", "id,pattern\nday,D\nnight,N\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode,roster\nUD,S,G,car,day\nUN,S,G,car,night\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\ncall,1,1,exponential,25,15\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        int bad = 0, day = 0, night = 0;
        for (int i = 0; i < R.n; i++) {
            double h = fmod(R.r[i].dispatched, 1440.0) / 60.0;
            bool in_day = h >= 7.5 && h < 19.5;
            if (!strcmp(R.r[i].unit, "UD")) {
                day++;
                bad += !in_day;
            } else {
                night++;
                bad += in_day;
            }
        }
        CHECK(bad == 0 && day > 100 && night > 100,
              "no dispatch outside a unit's shift: %d day, %d night calls, %d violations",
              day, night, bad);
        CHECK(slot(&R, "all", "officer_overtime_hours", NULL) > 0,
              "work running past a shift's end counts as overtime (%.2f h)",
              slot(&R, "all", "officer_overtime_hours", NULL));
        /* On duty: the 07:30-19:30 shifts inside the measured period. */
        double T = slot(&R, "all", "measured_hours", NULL) * 60, want = 0;
        for (int dd = 0; dd * 1440.0 < T; dd++) {
            double a = dd * 1440.0 + 450, b = a + 720;
            want += (b < T ? b : T) > a ? ((b < T ? b : T) - a) / 60 : 0;
        }
        double duty = slot(&R, "unit", "on_duty_hours", "UD");
        CHECK(fabs(duty - want) < 1e-6 && want >= 144, "day shifts inside %.1f h measured: %.4f h "
              "on duty, expected %.4f", T / 60, duty, want);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- AB cover ---------------------------------------------------------------- */

static void ab_scenario(const char *d, const char *b_roster)
{
    char units[512];
    tu_write(d, "scenario.ini",
             "[scenario]\nname = ab\n[run]\nseed = 7\nhorizon_days = 2000\n"
             "[modes]\ncar = 40\n[staffing]\nabsence_probability = 0.3\n"
             "[incidents]\nrate_per_day = 2\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,3,3\nH,3,0,6,3\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nS,station,1.5,1.5\n");
    tu_write(d, "shifts.csv", "code,start_h,hours\nD,8,12\nN,20,12\n");
    tu_write(d, "rosters.csv", "id,pattern\nday,D\nnight,N\n");
    snprintf(units, sizeof units, "id,base,home_grids,mode,roster\nA,S,G:A,car,day\n"
             "B,S,H:A;G:B,car,%s\n", b_roster);
    tu_write(d, "units.csv", units);
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\ncall,1,1,exponential,25,15\n");
}

static void ab_cover(void)
{
    char *d = tu_tmpdir();
    struct run R;
    /* B works the same shifts and is itself absent with p = 0.3. */
    ab_scenario(d, "day");
    if (run(d, NULL, &R) == 0) {
        double need = slot(&R, "all", "ab_cover_needed", NULL);
        double found = slot(&R, "all", "ab_cover_found_share", NULL);
        /* G's A post is absent on ~30% of 2000 shifts, H's too (B holds
         * H's A post): ~1200 needs; G's found when B is present (0.7), H's
         * never (no B post in H). */
        CHECK(fabs(need - 0.3 * 2 * 2000) < 4 * sqrt(2 * 2000 * 0.21),
              "A posts absent on ~30%% of shifts: %.0f of 4000", need);
        CHECK(fabs(found - 0.35) < 0.05, "found ~ 0.7 x half of the needs: %.3f", found);
    }
    run_free(&R);
    /* B on nights: never on duty when A's day shift needs cover. */
    ab_scenario(d, "night");
    if (run(d, NULL, &R) == 0)
        CHECK(slot(&R, "all", "ab_cover_found_share", NULL) == 0,
              "B on another shift never covers: %.3f",
              slot(&R, "all", "ab_cover_found_share", NULL));
    run_free(&R);
    /* B unrostered: always on duty and never absent, covers every G need. */
    ab_scenario(d, "");
    if (run(d, NULL, &R) == 0) {
        double need = slot(&R, "all", "ab_cover_needed", NULL);
        CHECK(fabs(need - 600) < 4 * sqrt(2000 * 0.21), "only A's absences need cover: %.0f", need);
        CHECK(slot(&R, "all", "ab_cover_found_share", NULL) == 1,
              "an always-present B covers every time: %.3f",
              slot(&R, "all", "ab_cover_found_share", NULL));
    }
    run_free(&R);
    /* No absences: no cover needed. */
    ab_scenario(d, "day");
    const char *none[] = { "staffing.absence_probability=0", NULL };
    if (run(d, none, &R) == 0)
        CHECK(slot(&R, "all", "ab_cover_needed", NULL) == 0 &&
              slot(&R, "all", "absent_unit_shifts", NULL) == 0,
              "without absences no cover is needed (%.0f)", slot(&R, "all", "ab_cover_needed", NULL));
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- handover ------------------------------------------------------------------ */

static void handover(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = handover\n[run]\nseed = 11\nhorizon_days = 40\n"
             "[modes]\ncar = 40\n[incidents]\nrate_per_day = 40\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax,station\nG,0,0,4,4,S\n");
    tu_write(d, "facilities.csv", "id,tier,x,y,parent\nS,station,2,2,\nP,post,1,1,S\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode,role\nC1,P,G,car,grid_car\n"
             "C2,P,G,car,grid_car\nK1,S,,car,case_team\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min,class,resolve_prob,followup,followup_mean_min\n"
             "theft,2,1,exponential,30,15,criminal,,exponential,60\n"
             "help,1,2,exponential,20,10,help,0.75,fixed,30\n"
             "noise,3,2,exponential,15,30,other,,,\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        CHECK(slot(&R, "type", "handover_share", "theft") == 1,
              "criminal incidents always handed over: %.4f", slot(&R, "type", "handover_share", "theft"));
        double h = slot(&R, "type", "handover_share", "help");
        CHECK(fabs(h - 0.25) < 0.04, "help resolved on scene with p 0.75: handed over %.3f", h);
        CHECK(slot(&R, "type", "handover_share", "noise") == 0,
              "types resolved with p 1 are never handed over: %.4f",
              slot(&R, "type", "handover_share", "noise"));
        int bad = 0, theft = 0;
        for (int i = 0; i < R.n; i++)
            if (!strcmp(R.r[i].type, "theft"))
                theft++, bad += R.r[i].resolved;
        CHECK(theft > 100 && bad == 0, "no criminal incident closed on scene (%d of %d)", bad, theft);
        double fu = slot(&R, "unit", "followups", "K1");
        double ho = slot(&R, "station", "handovers_per_day", "S") * 40;
        CHECK(fu > 0 && fabs(fu - ho) <= 2, "the case team works every handover: %.0f follow-ups, "
              "%.0f handovers", fu, ho);
        CHECK(slot(&R, "unit", "incidents", "K1") == 0, "the case team is not sent to calls");
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- zones --------------------------------------------------------------------- */

static void zones(void)
{
    char *d = tu_tmpdir();
    /* The call grid G has no home unit; Z2's unit is 10 km away in the same
     * zone, Y's is 5 km away in another zone. */
    tu_write(d, "scenario.ini",
             "[scenario]\nname = zones\n[run]\nseed = 5\nhorizon_days = 50\n"
             "[travel]\nmetric = manhattan\n[modes]\ncar = 60\n[incidents]\nrate_per_day = 4\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax,station\nG,0,0,0.1,0.1,S1\n");
    tu_write(d, "facilities.csv", "id,tier,x,y,zone\nS1,station,0.05,-3,Z\nS2,station,10.05,0.05,Z\n"
             "S3,station,5.05,0.05,Y\n");
    /* Two of each: both busy at once is rare at 4 calls a day. */
    tu_write(d, "units.csv", "id,base,mode\nFAR1,S2,car\nFAR2,S2,car\nNEAR1,S3,car\nNEAR2,S3,car\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\ncall,1,1,fixed,20,15\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        int far = 0;
        for (int i = 0; i < R.n; i++)
            far += !strncmp(R.r[i].unit, "FAR", 3);
        CHECK(far > 0.97 * R.n && R.n > 150, "the zone's units go before nearer outside units: "
              "%d of %d", far, R.n);
        CHECK(slot(&R, "all", "cross_zone_share", NULL) < 0.03, "little cross-zone support: %.3f",
              slot(&R, "all", "cross_zone_share", NULL));
    }
    run_free(&R);
    const char *off[] = { "dispatch.zone_first=false", NULL };
    if (run(d, off, &R) == 0) {
        int near = 0;
        for (int i = 0; i < R.n; i++)
            near += !strncmp(R.r[i].unit, "NEAR", 4);
        CHECK(near > 0.97 * R.n, "without zone_first the nearer units go: %d of %d", near, R.n);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- tiered escalation ----------------------------------------------------------- */

static void escalation(void)
{
    char *d = tu_tmpdir();
    /* The grid car is exactly 10.0 min away (10 km Manhattan at 60 km/h,
     * calls within 5 m of a point); the special unit 1 min away. */
    tu_write(d, "scenario.ini",
             "[scenario]\nname = tiers\n[run]\nseed = 9\nhorizon_days = 20\n"
             "[travel]\nmetric = manhattan\n[modes]\ncar = 60\n"
             "[dispatch]\npolicy = tiered\nhome_first = false\nlevels = grid_car | special\n"
             "[incidents]\nrate_per_day = 10\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,0.005,0.005\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nP,post,10.0025,0.0025\nQ,post,1.0025,0.0025\n");
    /* Several of each, so that every unit of a level busy at once (which
     * also escalates a call) is too rare to matter at 10 calls a day: a grid
     * car is held ~25 min a call (0.17 Erlang offered), so with three all
     * were busy for ~1 call in 1400 (it happened once in 189 calls on one
     * stream), with six for ~1 in 3 x 10^7. */
    tu_write(d, "units.csv", "id,base,mode,role\nGC1,P,car,grid_car\nGC2,P,car,grid_car\n"
             "GC3,P,car,grid_car\nGC4,P,car,grid_car\nGC5,P,car,grid_car\n"
             "GC6,P,car,grid_car\nSP1,Q,car,special\nSP2,Q,car,special\nSP3,Q,car,special\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\ncall,1,1,fixed,5,15\n");
    const double esc[] = { 9.98, 10.02 };
    for (int k = 0; k < 2; k++) {
        char set[64];
        snprintf(set, sizeof set, "dispatch.escalate_min=%g", esc[k]);
        const char *sets[] = { set, NULL };
        struct run R;
        if (run(d, sets, &R) == 0) {
            int gc = 0;
            for (int i = 0; i < R.n; i++)
                gc += !strncmp(R.r[i].unit, "GC", 2);
            if (k == 0)
                CHECK(gc == 0 && R.n > 100, "escalate_min %.2f < 10 min: every call escalates to "
                      "the special unit (%d of %d went to the grid car)", esc[k], gc, R.n);
            else
                CHECK(gc == R.n && R.n > 100, "escalate_min %.2f >= 10 min: no call escalates "
                      "(%d of %d to the grid car)", esc[k], gc, R.n);
        }
        run_free(&R);
    }
    tu_rmrf(d);
    free(d);
}

/* ---- pre-emption --------------------------------------------------------------- */

static void preemption(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = preempt\n[run]\nseed = 13\nhorizon_days = 30\n"
             "[modes]\ncar = 40\n[dispatch]\npreempt = true\npreempt_priority_gap = 2\n"
             "[incidents]\nrate_per_day = 12\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,1,1\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nP,post,0.5,0.5\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nU,P,G,car\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\nurgent,1,1,fixed,10,10\n"
             "report,3,1,fixed,100,60\n");
    for (int on = 1; on >= 0; on--) {
        const char *sets[] = { on ? "dispatch.preempt=true" : "dispatch.preempt=false", NULL };
        struct run R;
        if (run(d, sets, &R) == 0) {
            int longer = 0, reports = 0, shorter = 0;
            for (int i = 0; i < R.n; i++)
                if (!strcmp(R.r[i].type, "report")) {
                    reports++;
                    /* 100 min on scene, plus travel within a 1 km grid */
                    longer += R.r[i].cleared - R.r[i].arrived > 100.5;
                    shorter += R.r[i].cleared - R.r[i].arrived < 99.999;
                }
            double pre = slot(&R, "all", "preemptions", NULL);
            if (on) {
                /* A report pre-empted on its way is not delayed on scene, and
                 * one may be pre-empted twice: pre >= longer. */
                CHECK(longer > 10 && pre >= longer,
                      "pre-empted reports complete later: %.0f pre-emptions, %d of %d reports "
                      "took longer than their 100 min", pre, longer, reports);
            } else {
                CHECK(pre == 0 && longer == 0, "without pre-emption every report takes its "
                      "100 min (%d longer, %.0f pre-emptions)", longer, pre);
            }
            CHECK(shorter == 0, "no report is cut short (%d)", shorter);
        }
        run_free(&R);
    }
    tu_rmrf(d);
    free(d);
}

/* ---- multi-unit incidents -------------------------------------------------------- */

static void crews(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = crews\n[run]\nseed = 17\nhorizon_days = 20\n"
             "[modes]\ncar = 40\n[incidents]\nrate_per_day = 30\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,2,2\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nP,post,1,1\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nU1,P,G,car\nU2,P,G,car\nU3,P,G,car\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min,units_required\n"
             "fight,1,1,exponential,30,10,2\nhelp,2,1,exponential,20,15,1\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        double sent = slot(&R, "unit", "incidents", "U1") + slot(&R, "unit", "incidents", "U2") +
                      slot(&R, "unit", "incidents", "U3");
        double fights = slot(&R, "type", "incidents", "fight"), helps = slot(&R, "type", "incidents", "help");
        CHECK(sent == 2 * fights + helps, "two units per fight, one per help call: %.0f unit "
              "attendances for %.0f fights and %.0f help calls", sent, fights, helps);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- empirical on-scene times --------------------------------------------- */

static void empirical(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = empirical\n[run]\nseed = 23\nhorizon_days = 60\n"
             "[modes]\ncar = 40\n[incidents]\nrate_per_day = 20\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,2,2\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nP,post,1,1\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nU1,P,G,car\nU2,P,G,car\nU3,P,G,car\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\nvisit,1,1,empirical,,15\n");
    /* Listed out of order, with a gap between 20 and 40 min. */
    tu_write(d, "service_times.csv", "type,from_min,to_min,weight\nvisit,40,50,3\nvisit,10,20,1\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        int outside = 0, high = 0;
        double sum = 0;
        for (int i = 0; i < R.n; i++) {
            double on = R.r[i].cleared - R.r[i].arrived;
            outside += !((on >= 10 && on < 20) || (on >= 40 && on < 50));
            high += on >= 40;
            sum += on;
        }
        CHECK(outside == 0 && R.n > 1000, "every on-scene time falls in a bin (%d of %d outside)",
              outside, R.n);
        double share = (double)high / R.n, se = sqrt(0.75 * 0.25 / R.n);
        CHECK(fabs(share - 0.75) < 4 * se, "bins drawn by weight: %.4f in [40, 50), expected 0.75",
              share);
        CHECK(fabs(R.s->itypes[0].mean_min - 37.5) < 1e-12 && fabs(sum / R.n - 37.5) < 1.0,
              "mean of the bins 37.5 min; sampled %.2f", sum / R.n);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- call processing ------------------------------------------------------ */

static void call_processing(void)
{
    char *d = tu_tmpdir();
    tu_write(d, "scenario.ini",
             "[scenario]\nname = processing\n[run]\nseed = 29\nhorizon_days = 30\n"
             "[modes]\ncar = 40\n[dispatch]\ncall_processing = fixed\ncall_processing_min = 2.5\n"
             "[incidents]\nrate_per_day = 20\n");
    tu_write(d, "grids.csv", "id,xmin,ymin,xmax,ymax\nG,0,0,2,2\n");
    tu_write(d, "facilities.csv", "id,tier,x,y\nP,post,1,1\n");
    tu_write(d, "units.csv", "id,base,home_grids,mode\nU1,P,G,car\nU2,P,G,car\nU3,P,G,car\n");
    tu_write(d, "incident_types.csv",
             "id,priority,share,service,mean_min,target_min\ncall,1,1,exponential,20,15\n");
    struct run R;
    if (run(d, NULL, &R) == 0) {
        int early = 0, exact = 0;
        for (int i = 0; i < R.n; i++) {
            double w = R.r[i].dispatched - R.r[i].created;
            early += w < 2.5 - 1e-3;
            exact += fabs(w - 2.5) < 1e-3;
        }
        CHECK(early == 0 && exact > 0.95 * R.n, "dispatch comes 2.5 min after the call: %d earlier, "
              "%d of %d exactly then", early, exact, R.n);
    }
    run_free(&R);
    const char *expo[] = { "dispatch.call_processing=exponential", NULL };
    if (run(d, expo, &R) == 0) {
        /* 4 standard errors of an exponential mean, plus rare queueing. */
        double w = slot(&R, "all", "wait_mean_min", NULL), tol = 4 * 2.5 / sqrt(R.n) + 0.05;
        CHECK(fabs(w - 2.5) < tol, "exponential processing of mean 2.5 min: mean wait %.3f "
              "(tolerance %.3f over %d calls)", w, tol, R.n);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    gsl_set_error_handler_off();
    off_duty();
    ab_cover();
    handover();
    zones();
    escalation();
    preemption();
    crews();
    empirical();
    call_processing();
    return tc_done();
}
