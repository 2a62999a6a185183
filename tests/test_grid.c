/* test_grid.c - the civilian grid tier, endogenous demand, crews and
 * organisational levels, on tests/fixtures/grid_town and variants of it.
 *
 * The rules: grid workers never take a type that does not list them (case
 * classes included); an auxiliary-only crew never takes an officer-only
 * type and min_crew is respected; the nearest-idle search with crew
 * classes picks exactly what a brute-force search over the trace picks,
 * and so does tiered with organisational levels; repeat and escalation
 * frequencies match their probabilities within binomial tolerance; the
 * exogenous stream is unchanged when consequences are added, and a
 * consequence's draws are the same in two layouts; police grids expand in
 * home_grids; bad inputs name file, line and value.
 */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_errno.h>
#include "ops.h"
#include "scn.h"
#include "trv.h"
#include "tcheck.h"
#include "testutil.h"

#define FIX "tests/fixtures/grid_town"

static const char *const fix_files[] = {
    "scenario.ini", "grids.csv", "facilities.csv", "units.csv", "incident_types.csv",
    "consequences.csv", NULL
};

static char *slurp(const char *path)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    fseek(f, 0, SEEK_END);
    long n = ftell(f);
    rewind(f);
    char *b = malloc((size_t)n + 1);
    size_t got = fread(b, 1, (size_t)n, f);
    b[got] = '\0';
    fclose(f);
    return b;
}

/* A copy of the fixture in a fresh folder, with files replaced: pairs of
 * (name, text) in repl, NULL-terminated; text NULL removes the file. */
static char *fixture(const char *const *repl)
{
    char *d = tu_tmpdir();
    for (int i = 0; fix_files[i]; i++) {
        const char *text = NULL;
        int replaced = 0;
        for (int k = 0; repl && repl[k]; k += 2)
            if (!strcmp(repl[k], fix_files[i]))
                text = repl[k + 1], replaced = 1;
        char path[512];
        snprintf(path, sizeof path, "%s/%s", FIX, fix_files[i]);
        char *own = replaced ? NULL : slurp(path);
        if (replaced ? text != NULL : own != NULL)
            tu_write(d, fix_files[i], replaced ? text : own);
        free(own);
    }
    return d;
}

struct rec {
    unsigned long long seq;
    double created, x, y, dispatched, arrived, cleared;
    char grid[16], type[32], unit[32];
    int queued, resolved;
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

/* Loads dir with overrides "sec.key=val", runs replication rep with a trace. */
static int run(const char *dir, const char *const *sets, int rep, struct run *R)
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
    struct ops_params p = { R->s->seed, rep, tr };
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
        memset(q, 0, sizeof *q);        /* compared with memcmp: no stale bytes */
        char *f[16];
        int k = 0;
        for (char *tok = strtok(line, ",\n"); tok && k < 16; tok = strtok(NULL, ",\n"))
            f[k++] = tok;
        if (k < 15)
            continue;
        q->seq = strtoull(f[0], NULL, 10);
        q->created = atof(f[1]);
        q->x = atof(f[2]);
        q->y = atof(f[3]);
        snprintf(q->grid, sizeof q->grid, "%s", f[4]);
        snprintf(q->type, sizeof q->type, "%s", f[5]);
        snprintf(q->unit, sizeof q->unit, "%s", f[7]);
        q->queued = atoi(f[9]);
        q->dispatched = atof(f[10]);
        q->arrived = atof(f[11]);
        q->cleared = atof(f[12]);
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
    long i = res_find(&L, section, metric, key ? key : "");
    res_layout_release(&L);
    return i >= 0 ? R->out[i] : NAN;
}

static int unit_ix(const struct scn *s, const char *id)
{
    return scn_unit_find(s, id);
}

/* ---- loading -------------------------------------------------------------- */

static void loading(void)
{
    struct perr e;
    struct scn *s = scn_load(FIX, NULL, 0, &e);
    CHECK(s != NULL, "grid_town loads: %s", s ? "ok" : e.msg);
    if (!s)
        return;
    const struct scn_unit *a1 = &s->units[scn_unit_find(s, "A1")];
    CHECK(a1->n_home == 2 && !strcmp(s->grids[a1->home[0]].id, "C1") &&
          !strcmp(s->grids[a1->home[1]].id, "C2"), "police grid P1 in home_grids stands for "
          "C1 and C2 (%d home grids)", a1->n_home);
    const struct scn_unit *w2 = &s->units[scn_unit_find(s, "W2")];
    CHECK(w2->role == ROLE_GRID_WORKER && w2->officers == 0 && w2->members == 2,
          "W2: grid worker, officers default 0, members 2 (%d, %d)", w2->officers, w2->members);
    CHECK(s->n_police_grids == 2 && s->n_groups == 3 && s->n_teams == 2,
          "2 police grids, 3 groups, 2 teams (%d, %d, %d)", s->n_police_grids, s->n_groups,
          s->n_teams);
    int noise = -1, dispute = -1;
    for (int t = 0; t < s->n_itypes; t++) {
        if (!strcmp(s->itypes[t].id, "noise"))
            noise = t;
        if (!strcmp(s->itypes[t].id, "dispute"))
            dispute = t;
    }
    CHECK(noise >= 0 && !(s->itypes[noise].roles & ROLE_GRID_BIT),
          "a type not listing grid_worker does not get it");
    CHECK(dispute >= 0 && s->itypes[dispute].escalate_delay_min == 12.5 &&
          s->itypes[dispute].resolve[ROLE_GRID_WORKER] == 0.62,
          "dispute: escalate_delay_min 12.5, grid_worker resolve 0.62");
    CHECK(s->n_conseq == 3, "3 consequences (%d)", s->n_conseq);
    /* Default roles never include grid workers. */
    CHECK(!(ROLE_ALL_BUT_CASE & ROLE_GRID_BIT), "default roles exclude grid_worker");
    scn_free(s);
}

/* ---- bad input ---------------------------------------------------------- */

struct bad {
    const char *file, *text;   /* a replaced file */
    const char *set;           /* or an override */
    const char *msg;           /* expected in the message */
};

static const char itypes_head[] =
    "id,priority,share,service,mean_min,target_min,class,roles,resolve_prob,followup,"
    "followup_mean_min,needs_officer,min_crew,escalate_delay_min\n";

static void bad_inputs(void)
{
    char t1[1024], t2[1024], t3[1024], t4[1024], t5[1024];
    snprintf(t1, sizeof t1, "%stheft,2,1,fixed,30,15,criminal,grid_worker grid_car,,fixed,60,,,\n",
             itypes_head);
    snprintf(t2, sizeof t2, "%sdispute,2,1,fixed,30,15,dispute,grid_worker,grid_worker:0.5,"
             "fixed,60,,,\n", itypes_head);
    snprintf(t3, sizeof t3, "%sdispute,2,1,fixed,30,15,dispute,grid_car,,fixed,60,,,3\n",
             itypes_head);
    snprintf(t4, sizeof t4, "%sdispute,2,1,fixed,30,15,dispute,grid_car,,fixed,60,maybe,,\n",
             itypes_head);
    snprintf(t5, sizeof t5, "%sdispute,2,1,fixed,30,15,dispute,grid_car,,fixed,60,,9,\n",
             itypes_head);
    const struct bad list[] = {
        { "incident_types.csv", t1, NULL, "incident_types.csv:2: column 8 'roles': criminal "
          "incidents are cases for the police: roles must not list grid_worker" },
        { "incident_types.csv", t2, NULL, "roles must list a police role besides grid_worker" },
        { "incident_types.csv", t3, NULL, "'escalate_delay_min': applies to types that "
          "grid workers take first" },
        { "incident_types.csv", t4, NULL, "'needs_officer': expected true, false or "
          "first_response, got 'maybe'" },
        { "incident_types.csv", t5, NULL, "'min_crew': expected an integer in [1, 8], got '9'" },
        { NULL, NULL, "units.W1.officers=1", "grid worker 'W1' is civilian: officers and "
          "auxiliaries must be 0" },
        { NULL, NULL, "units.A1.members=2", "members (civilian crew) is for role grid_worker" },
        { NULL, NULL, "units.W2.members=0", "grid worker 'W2' has no crew" },
        { NULL, NULL, "grids.C3.police_grid=C1", "police grid 'C1' is also the id of grid 'C1'" },
        { NULL, NULL, "units.A1.home_grids=P9", "unknown grid 'P9' (neither a grid id nor a "
          "police_grid" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h\n"
          "burglary,any,repeat,0.2,fixed,1\n", NULL,
          "consequences.csv:2: column 1 'type': unknown incident type 'burglary'" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h\n"
          "dispute,unresolved,escalate,0.2,fixed,1\n", NULL, "escalate needs the type it turns "
          "into" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h\n"
          "dispute,sometimes,repeat,0.2,fixed,1\n", NULL, "'outcome': expected resolved, "
          "unresolved or any, got 'sometimes'" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h\n"
          "dispute,any,repeat,1.5,fixed,1\n", NULL, "column 4 'p': expected a number in [0, 1], got '1.5'" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h\n"
          "theft,resolved,repeat,0.2,fixed,1\n", NULL, "type 'theft' is never resolved on "
          "scene (a case class)" },
        { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h,delay_sd_h\n"
          "dispute,any,repeat,0.2,lognormal,1,\n", NULL, "'delay_sd_h': expected a number > 0, got an empty value" },
        { NULL, NULL, "dispatch.levels=group team | any", "level 1 names two scopes" },
        { NULL, NULL, "dispatch.levels=group, squad", "unknown role or scope 'squad'" },
    };
    for (size_t i = 0; i < sizeof list / sizeof *list; i++) {
        const char *repl[3] = { list[i].file, list[i].text, NULL };
        char *d = fixture(list[i].file ? repl : NULL);
        struct scn_override ov[1];
        char buf[1][TU_SET_LEN];
        const char *sets[2] = { list[i].set, NULL };
        int n_ov = list[i].set ? tu_overrides(sets, ov, buf) : 0;
        struct perr e = { "" };
        struct scn *s = scn_load(d, ov, n_ov, &e);
        CHECK(s == NULL, "bad input %zu is refused", i);
        CHECK_HAS(e.msg, list[i].msg);
        if (list[i].file)
            CHECK(strstr(e.msg, d) == e.msg, "the message names the file: %s", e.msg);
        scn_free(s);
        tu_rmrf(d);
        free(d);
    }
    /* Supercritical consequences load, with a warning. */
    const char *repl[] = { "consequences.csv", "type,outcome,effect,p,delay_dist,delay_mean_h,"
                           "spawn_type\nnoise,any,repeat,0.6,fixed,2,\n"
                           "noise,any,escalate,0.5,fixed,2,dispute\n"
                           "dispute,any,escalate,0.9,fixed,2,noise\n", NULL };
    char *d = fixture(repl);
    struct perr e = { "" };
    struct scn *s = scn_load(d, NULL, 0, &e);
    CHECK(s != NULL, "supercritical consequences still load: %s", s ? "ok" : e.msg);
    if (s) {
        const char *const *w;
        int nw = scn_warnings(s, &w), found = 0;
        for (int k = 0; k < nw; k++)
            found |= strstr(w[k], "supercritical consequences") != NULL &&
                     strstr(w[k], "consequences.csv") != NULL;
        CHECK(found, "a warning names supercritical consequences (%d warnings)", nw);
    }
    scn_free(s);
    tu_rmrf(d);
    free(d);
}

/* ---- who takes what --------------------------------------------------------- */

static void eligibility_under(const char *const *sets);

static void eligibility(void)
{
    static const char *const policies[][5] = {
        { NULL },
        { "dispatch.policy=run_card", "dispatch.run_card_depth=3", NULL },
        { "dispatch.policy=tiered", "dispatch.levels=group, team, station, any",
          "dispatch.escalate_min=5 | 8 | 12", NULL },
    };
    for (size_t k = 0; k < sizeof policies / sizeof *policies; k++)
        eligibility_under(policies[k]);
}

static void eligibility_under(const char *const *sets)
{
    struct run R;
    fprintf(stderr, "# policy: %s\n", sets[0] ? sets[0] : "nearest_idle");
    if (run(FIX, sets, 0, &R) < 0) {
        run_free(&R);
        return;
    }
    const struct scn *s = R.s;
    int grid_bad = 0, grid_n = 0, aux_bad = 0, aux_n = 0, crew_bad = 0, b1_n = 0;
    int first_w[2] = { 0, 0 }, far = 0;
    for (int i = 0; i < R.n; i++) {
        const struct rec *q = &R.r[i];
        int u = unit_ix(s, q->unit);
        bool police_only = strcmp(q->type, "dispute") && strcmp(q->type, "help");
        if (s->units[u].role == ROLE_GRID_WORKER) {
            far += q->arrived - q->dispatched > s->grid_first_max_min + 1e-3;
            grid_n++;
            grid_bad += police_only;
            first_w[q->unit[1] == '2'] += q->created >= s->warmup_days * 1440;
        }
        if (!strcmp(q->unit, "X1")) {
            aux_n++;
            aux_bad += !strcmp(q->type, "theft") || !strcmp(q->type, "fight");
        }
        if (!strcmp(q->unit, "B1")) {
            b1_n++;
            crew_bad += !strcmp(q->type, "fight");
        }
    }
    CHECK(grid_n > 50 && grid_bad == 0, "grid workers never first on police-only types "
          "(%d of %d)", grid_bad, grid_n);
    CHECK(far == 0, "grid workers only go within grid_first_max_min = %g min (%d beyond)",
          s->grid_first_max_min, far);
    /* Units attended = first arrivals: grid workers never join a police job. */
    CHECK(slot(&R, "unit", "incidents", "W1") == first_w[0] &&
          slot(&R, "unit", "incidents", "W2") == first_w[1],
          "grid workers attend only the calls they take first (%g/%d, %g/%d)",
          slot(&R, "unit", "incidents", "W1"), first_w[0], slot(&R, "unit", "incidents", "W2"),
          first_w[1]);
    CHECK(aux_n > 5 && aux_bad == 0, "the auxiliary-only car never takes an officer-only "
          "type (%d of %d)", aux_bad, aux_n);
    CHECK(b1_n > 10 && crew_bad == 0, "a one-person crew never takes a min_crew = 2 type "
          "(%d of %d)", crew_bad, b1_n);
    for (int t = 0; t < s->n_itypes; t++) {
        double f = slot(&R, "grid_type", "grid_first_share", s->itypes[t].id);
        if (s->itypes[t].roles & ROLE_GRID_BIT)
            CHECK(f > 0.3, "%s: grid workers first for %.3f", s->itypes[t].id, f);
        else
            CHECK(f == 0, "%s: never first at grid level (%g)", s->itypes[t].id, f);
    }
    double first = slot(&R, "all", "grid_first_share", NULL);
    double res = slot(&R, "all", "grid_resolved_share", NULL);
    double rate = slot(&R, "all", "grid_resolution_rate", NULL);
    CHECK(first > 0 && res > 0 && res < first && fabs(rate - res / first) < 1e-12,
          "grid shares consistent: first %.4f, resolved %.4f, rate %.4f", first, res, rate);
    CHECK(slot(&R, "all", "police_hours_saved", NULL) > 0 &&
          slot(&R, "all", "escalation_delay_mean_min", NULL) > 0,
          "police hours saved %.1f, escalation delay %.2f min",
          slot(&R, "all", "police_hours_saved", NULL),
          slot(&R, "all", "escalation_delay_mean_min", NULL));
    run_free(&R);

    if (sets[0])
        return;
    /* Without grid workers (types keep listing them), everything goes to the
     * police directly. */
    const char *none[] = { "units.W1.count=0", "units.W2.count=0", NULL };
    if (run(FIX, none, 0, &R) == 0)
        CHECK(slot(&R, "all", "grid_first_share", NULL) == 0 &&
              slot(&R, "all", "police_calls", NULL) ==
                  slot(&R, "all", "incidents", NULL),
              "no grid worker: every call is a police call (%g of %g)",
              slot(&R, "all", "police_calls", NULL), slot(&R, "all", "incidents", NULL));
    run_free(&R);
}

/* ---- the grid tier's resolution probability -------------------------------- */

static void grid_resolution(void)
{
    /* help: grid_worker resolve 0.9; grid workers everywhere and always free. */
    const char *sets[] = { "dispatch.grid_first_max_min=1000", "run.horizon_days=60",
                           "tables.consequences=", NULL };
    struct run R;
    if (run(FIX, sets, 1, &R) == 0) {
        double n = 0, k = 0;
        for (int t = 0; t < R.s->n_itypes; t++) {
            const char *id = R.s->itypes[t].id;
            double inc = slot(&R, "type", "incidents", id);
            double f = slot(&R, "grid_type", "grid_first_share", id);
            double r = slot(&R, "grid_type", "grid_resolved_share", id);
            if (!strcmp(id, "dispute")) {
                n = inc * f;
                k = inc * r;
            }
        }
        double p = 0.62, tol = 3.5 * sqrt(n * p * (1 - p));
        CHECK(n > 300 && fabs(k - p * n) <= tol, "disputes resolved by grid workers: %.0f of "
              "%.0f, expected %.1f +- %.1f", k, n, p * n, tol);
        /* Escalation delays: exponential of mean 12.5 (dispute) and 4 (help). */
        double ed = slot(&R, "grid_type", "grid_escalations", "dispute");
        double eh = slot(&R, "grid_type", "grid_escalations", "help");
        double m = (12.5 * ed + 4 * eh) / (ed + eh);
        double sd = sqrt((12.5 * 12.5 * ed + 16 * eh) / (ed + eh) * 2 - m * m);
        double got = slot(&R, "all", "escalation_delay_mean_min", NULL);
        CHECK(ed > 100 && fabs(got - m) < 4 * sd / sqrt(ed + eh),
              "escalation delay: mean %.2f min, expected %.2f +- %.2f", got, m,
              4 * sd / sqrt(ed + eh));
        /* n and k are counts recovered from shares (count / incidents), so
         * up to rounding: compare them as the integers they stand for. */
        CHECK(ed == round(n) - round(k), "every dispute a grid worker does not resolve "
              "escalates (%.0f vs %.0f)", ed, round(n) - round(k));
    }
    run_free(&R);
}

/* ---- brute-force oracles over the trace ---------------------------------- */

/* Minutes unit u needs from (x, y) back to its base. */
static double back_min(const struct scn *s, int u, double x, double y)
{
    const struct scn_facility *b = &s->facilities[s->units[u].base];
    return trv_time(s->trv, s->units[u].mode, b->x, b->y, x, y, NAN);
}

static int rec_cmp(const void *a, const void *b)
{
    const struct rec *x = a, *y = b;
    if (x->dispatched != y->dispatched)
        return x->dispatched < y->dispatched ? -1 : 1;
    return (x->seq > y->seq) - (x->seq < y->seq);
}

static bool can_take(const struct scn *s, int u, int t)
{
    const struct scn_unit *un = &s->units[u];
    const struct scn_itype *it = &s->itypes[t];
    int crew = un->officers + un->auxiliaries + un->members;
    return (it->roles >> un->role & 1) && crew >= it->min_crew &&
           (it->needs_officer != NEED_OFFICER || un->officers > 0);
}

static int type_ix(const struct scn *s, const char *id)
{
    for (int t = 0; t < s->n_itypes; t++)
        if (!strcmp(s->itypes[t].id, id))
            return t;
    return -1;
}

/* The unit an oracle expects for incident q at its dispatch, given which
 * units are free; -1 none; *amb set when a near tie makes it ambiguous. */
typedef int (*oracle_fn)(const struct scn *s, const struct rec *q, int t, const bool *avail,
                         bool *amb);

static double tt_of(const struct scn *s, int u, const struct rec *q)
{
    return back_min(s, u, q->x, q->y);     /* from its base: units wait there */
}

static int nearest_oracle(const struct scn *s, const struct rec *q, int t, const bool *avail,
                          bool *amb)
{
    int best = -1;
    double bt = INFINITY, second = INFINITY;
    for (int u = 0; u < s->n_units; u++) {
        if (!avail[u] || !can_take(s, u, t))
            continue;
        double tt = tt_of(s, u, q);
        if (tt < bt) {
            second = bt;
            bt = tt, best = u;
        } else if (tt < second) {
            second = tt;
        }
    }
    /* Exact ties go to the unit listed first, in both; near ties are rounding. */
    *amb = second > bt && second - bt < 1e-9;
    return best;
}

static double g_esc[4];

/* tiered with levels = group, team, station, any (home_first, zone_first off). */
static int org_oracle(const struct scn *s, const struct rec *q, int t, const bool *avail,
                      bool *amb)
{
    int g = scn_grid_find(s, q->grid), resp = -1;
    for (int u = 0; u < s->n_units && resp < 0; u++)
        for (int k = 0; k < s->units[u].n_home; k++)
            if (s->units[u].home[k] == g && s->units[u].post[k] == 0 &&
                s->units[u].role != ROLE_GRID_WORKER)
                resp = u;
    int fast = -1;
    double fast_t = INFINITY;
    *amb = false;
    for (int lv = 0; lv < 4; lv++) {
        int best = -1;
        double bt = INFINITY;
        for (int u = 0; u < s->n_units; u++) {
            if (!avail[u] || !can_take(s, u, t))
                continue;
            const struct scn_unit *un = &s->units[u];
            bool in = lv == 3 ||
                      (lv == 0 && resp >= 0 && un->group >= 0 && un->group == s->units[resp].group) ||
                      (lv == 1 && resp >= 0 && un->team >= 0 && un->team == s->units[resp].team) ||
                      (lv == 2 && s->facilities[un->base].station == s->grids[g].station);
            if (!in)
                continue;
            double tt = tt_of(s, u, q);
            if (tt != bt && fabs(tt - bt) < 1e-9)
                *amb = true;
            if (tt < bt)
                bt = tt, best = u;
        }
        if (best < 0)
            continue;
        if (fabs(bt - g_esc[lv]) < 1e-6)
            *amb = true;
        if (bt <= g_esc[lv])
            return best;
        if (bt < fast_t)
            fast_t = bt, fast = best;
    }
    return fast;
}

/* tiered with role levels grid_car | station_duty (escalate 4 min), home
 * units first: every home unit is checked against the limit, by post then
 * travel time, before the nearest of the level. */
static int role_oracle(const struct scn *s, const struct rec *q, int t, const bool *avail,
                       bool *amb)
{
    static const enum unit_role lvl_role[2] = { ROLE_GRID_CAR, ROLE_STATION_DUTY };
    int g = scn_grid_find(s, q->grid), fast = -1;
    double fast_t = INFINITY;
    *amb = false;
    for (int lv = 0; lv < 2; lv++) {
        double lim = lv == 0 ? 5.0 : INFINITY;
        /* home: the best by post, then travel; then the best within the limit */
        int hb = -1, hb_post = 3, hw = -1, hw_post = 3, nb = -1;
        double hb_t = INFINITY, hw_t = INFINITY, nb_t = INFINITY;
        for (int u = 0; u < s->n_units; u++) {
            const struct scn_unit *un = &s->units[u];
            if (!avail[u] || !can_take(s, u, t) || un->role != lvl_role[lv])
                continue;
            double tt = tt_of(s, u, q);
            if (fabs(tt - lim) < 1e-6 || (tt != nb_t && fabs(tt - nb_t) < 1e-9))
                *amb = true;
            if (tt < nb_t)
                nb_t = tt, nb = u;
            for (int k = 0; k < un->n_home; k++) {
                if (un->home[k] != g)
                    continue;
                int post = un->post[k];
                if (post < hb_post || (post == hb_post && tt < hb_t))
                    hb = u, hb_post = post, hb_t = tt;
                if (tt <= lim && (post < hw_post || (post == hw_post && tt < hw_t)))
                    hw = u, hw_post = post, hw_t = tt;
            }
        }
        if (hb >= 0 && hb_t <= lim)
            return hb;
        if (hw >= 0)
            return hw;
        if (hb >= 0 && hb_t < fast_t)
            fast_t = hb_t, fast = hb;
        if (nb >= 0 && nb_t <= lim)
            return nb;
        if (nb >= 0 && nb_t < fast_t)
            fast_t = nb_t, fast = nb;
    }
    return fast;
}

/* Replays the trace in dispatch order and checks every unqueued call's
 * unit against the oracle.  Units are busy from dispatch until back at
 * base (no re-dispatch of returning units, idle units wait at base). */
static void check_oracle(const char *what, struct run *R, oracle_fn fn)
{
    const struct scn *s = R->s;
    qsort(R->r, (size_t)R->n, sizeof *R->r, rec_cmp);
    double *until = calloc((size_t)s->n_units, sizeof *until);
    bool *avail = calloc((size_t)s->n_units, sizeof *avail);
    int checked = 0, bad = 0, ambiguous = 0;
    for (int i = 0; i < R->n; i++) {
        const struct rec *q = &R->r[i];
        int u = unit_ix(s, q->unit), t = type_ix(s, q->type);
        bool near_edge = false;
        for (int v = 0; v < s->n_units; v++) {
            avail[v] = until[v] <= q->dispatched;
            near_edge |= fabs(until[v] - q->dispatched) < 1e-6;
        }
        if (!q->queued && q->dispatched == q->created) {
            bool amb = false;
            int want = fn(s, q, t, avail, &amb);
            if (amb || near_edge) {
                ambiguous++;
            } else {
                checked++;
                if (want != u && bad++ < 3)
                    fprintf(stderr, "# %s: call %llu (%s at %.2f) went to %s, oracle says %s\n",
                            what, q->seq, q->type, q->dispatched, q->unit,
                            want >= 0 ? s->units[want].id : "none");
                bad += 0;
            }
        }
        if (u >= 0)
            until[u] = q->cleared + back_min(s, u, q->x, q->y);
    }
    CHECK(checked > 200 && bad == 0, "%s: %d of %d dispatches differ from the brute-force "
          "oracle (%d ambiguous skipped)", what, bad, checked, ambiguous);
    free(until);
    free(avail);
}

static const char *const oracle_sets[] = {
    "dispatch.home_first=false", "dispatch.zone_first=false",
    "dispatch.redispatch_returning=false", "units.W1.count=0", "units.W2.count=0",
    "tables.consequences=", "incidents.rate_per_day=61.5", NULL
};

static void oracles(void)
{
    /* No grid worker in the run (they are count 0) and no types listing
     * them, so every call is a plain police call. */
    static const char itypes[] =
        "id,priority,share,service,mean_min,sd_min,target_min,class,roles,resolve_prob,"
        "followup,followup_mean_min,needs_officer,min_crew\n"
        "dispute,2,34,lognormal,38,22,15,dispute,grid_car station_duty,0.85,exponential,90,,\n"
        "theft,2,17,lognormal,45,25,15,criminal,grid_car station_duty,,exponential,120,true,\n"
        "fight,1,9,exponential,30,,10,public_order,grid_car station_duty,,exponential,150,true,2\n"
        "escort,3,12,exponential,20,,20,other,grid_car station_duty,1,,,,3\n"
        "noise,3,19,exponential,20,,20,other,grid_car station_duty,0.8,exponential,30,,\n";
    const char *repl[] = { "incident_types.csv", itypes, NULL };
    char *d = fixture(repl);
    struct run R;
    if (run(d, oracle_sets, 0, &R) == 0)
        check_oracle("nearest_idle with crew classes", &R, nearest_oracle);
    run_free(&R);

    const char *org[16];
    int n = 0;
    for (; oracle_sets[n]; n++)
        org[n] = oracle_sets[n];
    org[n++] = "dispatch.policy=tiered";
    org[n++] = "dispatch.levels=group, team, station, any";
    org[n++] = "dispatch.escalate_min=4.5 | 7 | 9";
    org[n] = NULL;
    g_esc[0] = 4.5, g_esc[1] = 7, g_esc[2] = 9, g_esc[3] = INFINITY;
    if (run(d, org, 0, &R) == 0) {
        int lv[4] = { 0, 0, 0, 0 };
        check_oracle("tiered by group, team, station", &R, org_oracle);
        /* The levels are all used, so the check covers each. */
        for (int i = 0; i < R.n; i++) {
            int u = unit_ix(R.s, R.r[i].unit), g = scn_grid_find(R.s, R.r[i].grid);
            int resp = !strcmp(R.s->grids[g].police_grid >= 0 ?
                               R.s->police_grids[R.s->grids[g].police_grid] : "", "P1")
                     ? unit_ix(R.s, "A1") : unit_ix(R.s, "A2");
            const struct scn_unit *a = &R.s->units[u], *b = &R.s->units[resp];
            lv[a->group == b->group ? 0 : a->team == b->team ? 1 : 2]++;
        }
        CHECK(lv[0] > 50 && lv[1] > 10 && lv[2] > 10, "calls by level: group %d, team %d, "
              "beyond %d", lv[0], lv[1], lv[2]);
    }
    run_free(&R);

    /* Role levels with home units first; B1 moved to the station, so a
     * grid's A post (A1, far) can be late while its B post (B1) is not. */
    const char *roles[16];
    n = 0;
    for (; oracle_sets[n]; n++)
        roles[n] = oracle_sets[n];
    roles[0] = "dispatch.home_first=true";
    roles[n++] = "dispatch.policy=tiered";
    roles[n++] = "dispatch.levels=grid_car | station_duty";
    roles[n++] = "dispatch.escalate_min=5";
    roles[n++] = "units.B1.base=S1";
    roles[n] = NULL;
    if (run(d, roles, 0, &R) == 0) {
        check_oracle("tiered by roles, every home unit checked", &R, role_oracle);
        int b_late_a = 0;
        for (int i = 0; i < R.n; i++)
            b_late_a += !strcmp(R.r[i].unit, "B1") && strcmp(R.r[i].grid, "C3") &&
                        strcmp(R.r[i].grid, "C4");
        CHECK(b_late_a > 20, "the B post takes %d calls in its grids", b_late_a);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

/* ---- endogenous demand ------------------------------------------------------ */

static void demand_rates(void)
{
    /* noise: always resolved, repeats with p = 0.3; dispute: never
     * resolved (handed over), escalates with p = 0.2; spawns do not spawn. */
    static const char itypes[] =
        "id,priority,share,service,mean_min,sd_min,target_min,class,roles,resolve_prob,"
        "followup,followup_mean_min\n"
        "dispute,2,30,exponential,30,,15,dispute,grid_car station_duty,0,exponential,20\n"
        "fight,1,10,exponential,30,,10,public_order,grid_car station_duty,,exponential,20\n"
        "noise,3,40,exponential,20,,20,other,grid_car station_duty,1,,\n";
    static const char cq[] =
        "type,outcome,effect,p,delay_dist,delay_mean_h,delay_sd_h,spawn_type\n"
        "noise,resolved,repeat,0.3,fixed,1.5,,\n"
        "noise,unresolved,repeat,0.9,fixed,1.5,,\n"
        "dispute,unresolved,escalate,0.2,gamma,2,1,fight\n";
    const char *repl[] = { "incident_types.csv", itypes, "consequences.csv", cq, NULL };
    char *d = fixture(repl);
    const char *sets[] = { "run.warmup_days=0", "run.horizon_days=90", "units.W1.count=0",
                           "units.W2.count=0", "incidents.max_spawn_depth=1",
                           "units.K1.count=3", NULL };
    struct run R;
    if (run(d, sets, 0, &R) == 0) {
        double rep = slot(&R, "all", "spawned_repeats", NULL);
        double esc = slot(&R, "all", "spawned_escalations", NULL);
        double beyond = slot(&R, "all", "spawns_beyond_horizon", NULL);
        double n_noise = slot(&R, "type", "incidents", "noise") - rep;
        double n_disp = slot(&R, "type", "incidents", "dispute");
        double tr = 3.5 * sqrt(n_noise * 0.3 * 0.7), te = 3.5 * sqrt(n_disp * 0.2 * 0.8);
        CHECK(n_noise > 1000 && fabs(rep - 0.3 * n_noise) <= tr + beyond,
              "repeats: %.0f after %.0f noise calls, expected %.1f +- %.1f (+%.0f beyond the "
              "horizon)", rep, n_noise, 0.3 * n_noise, tr, beyond);
        CHECK(n_disp > 1000 && fabs(esc - 0.2 * n_disp) <= te + beyond,
              "escalations: %.0f after %.0f disputes, expected %.1f +- %.1f", esc, n_disp,
              0.2 * n_disp, te);
        CHECK(slot(&R, "all", "incidents_exogenous", NULL) + slot(&R, "all", "incidents_spawned",
              NULL) == slot(&R, "all", "incidents", NULL), "exogenous + spawned = incidents");
        /* Depth 1: every spawned incident ends at the cap and draws nothing.
         * The spawned fights have no consequence rows, so only repeats count. */
        CHECK(slot(&R, "all", "spawn_depth_capped", NULL) == rep,
              "every spawned repeat is capped (%g vs %g)",
              slot(&R, "all", "spawn_depth_capped", NULL), rep);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);

    /* p_per_hour: noise repeats with 0.05 + 0.4 per hour the call took; the
     * expected count is summed over the trace's noise calls. */
    static const char cq2[] =
        "type,outcome,effect,p,delay_dist,delay_mean_h,delay_sd_h,spawn_type,p_per_hour\n"
        "noise,any,repeat,0.05,fixed,1.5,,,0.4\n";
    const char *repl2[] = { "incident_types.csv", itypes, "consequences.csv", cq2, NULL };
    d = fixture(repl2);
    if (run(d, sets, 0, &R) == 0) {
        qsort(R.r, (size_t)R.n, sizeof *R.r, rec_cmp);
        double mean = 0, var = 0;
        int calls = 0;
        for (int i = 0; i < R.n; i++) {
            if (strcmp(R.r[i].type, "noise"))
                continue;
            bool exo = true;        /* a repeat has its parent's seq and comes later */
            for (int k = 0; k < i && exo; k++)
                exo = R.r[k].seq != R.r[i].seq || strcmp(R.r[k].type, "noise");
            if (!exo)
                continue;
            double p = fmin(1, 0.05 + 0.4 * (R.r[i].cleared - R.r[i].created) / 60);
            mean += p;
            var += p * (1 - p);
            calls++;
        }
        double rep = slot(&R, "all", "spawned_repeats", NULL);
        double beyond = slot(&R, "all", "spawns_beyond_horizon", NULL);
        double tol = 3.5 * sqrt(var);
        CHECK(calls > 1000 && fabs(rep + beyond - mean) <= tol,
              "p_per_hour: %.0f repeats after %d noise calls, expected %.1f +- %.1f", rep,
              calls, mean, tol);
    }
    run_free(&R);
    tu_rmrf(d);
    free(d);
}

struct key5 {
    unsigned long long seq;
    double created, x, y;
    char type[32];
};

static int key_cmp(const void *a, const void *b)
{
    const struct key5 *p = a, *q = b;
    if (p->seq != q->seq)
        return p->seq < q->seq ? -1 : 1;
    if (p->created != q->created)
        return p->created < q->created ? -1 : 1;
    return strcmp(p->type, q->type);
}

static struct key5 *keys_of(const struct run *R)
{
    struct key5 *k = malloc((size_t)(R->n ? R->n : 1) * sizeof *k);
    for (int i = 0; i < R->n; i++) {
        k[i] = (struct key5){ R->r[i].seq, R->r[i].created, R->r[i].x, R->r[i].y, "" };
        snprintf(k[i].type, sizeof k[i].type, "%s", R->r[i].type);
    }
    qsort(k, (size_t)R->n, sizeof *k, key_cmp);
    return k;
}

static void crn(void)
{
    /* 1. Adding consequences leaves every exogenous incident as it was. */
    struct run A, B;
    const char *off[] = { "tables.consequences=", NULL };
    int ra = run(FIX, off, 0, &A), rb = run(FIX, NULL, 0, &B);
    if (ra == 0 && rb == 0) {
        struct key5 *ka = keys_of(&A), *kb = keys_of(&B);
        int found = 0, j = 0;
        for (int i = 0; i < A.n; i++) {
            while (j < B.n && key_cmp(&kb[j], &ka[i]) < 0)
                j++;
            found += j < B.n && key_cmp(&kb[j], &ka[i]) == 0;
        }
        CHECK(found == A.n && B.n - A.n == (int)B.tot.created - (int)A.tot.created &&
              B.n > A.n, "every one of %d exogenous incidents reappears with consequences "
              "(%d found; %d more incidents)", A.n, found, B.n - A.n);
        /* Outcomes of exogenous calls: the same resolution draws. */
        free(ka);
        free(kb);
    }
    run_free(&A);
    run_free(&B);

    /* 2. Two layouts: a noise consequence (outcome any) fires with the same
     * delay after each noise call in both, because its draws are keyed by
     * the call.  Layout B loses a car and the grid workers. */
    const char *la[] = { "incidents.max_spawn_depth=1", "run.horizon_days=60", NULL };
    const char *lb[] = { "incidents.max_spawn_depth=1", "run.horizon_days=60", "units.B1.count=0",
                         "units.W1.count=0", NULL };
    ra = run(FIX, la, 0, &A);
    rb = run(FIX, lb, 0, &B);
    if (ra == 0 && rb == 0) {
        /* Per seq: the exogenous row (earliest) and the noise children's
         * delays from its clearing. */
        int same = 0, diff = 0, kids = 0;
        qsort(A.r, (size_t)A.n, sizeof *A.r, rec_cmp);
        qsort(B.r, (size_t)B.n, sizeof *B.r, rec_cmp);
        for (int i = 0; i < A.n; i++) {
            const struct rec *p = &A.r[i];
            if (strcmp(p->type, "noise"))
                continue;
            /* p is exogenous if no earlier row has its seq */
            bool exo = true;
            for (int k = 0; k < i && exo; k++)
                exo = A.r[k].seq != p->seq;
            if (!exo)
                continue;
            const struct rec *pb = NULL;
            for (int k = 0; k < B.n && !pb; k++)
                if (B.r[k].seq == p->seq && B.r[k].created == p->created)
                    pb = &B.r[k];
            if (!pb)
                continue;
            double da = NAN, db = NAN;
            for (int k = 0; k < A.n; k++)
                if (A.r[k].seq == p->seq && A.r[k].created > p->created &&
                    !strcmp(A.r[k].type, "noise"))
                    da = A.r[k].created - p->cleared;
            for (int k = 0; k < B.n; k++)
                if (B.r[k].seq == p->seq && B.r[k].created > pb->created &&
                    !strcmp(B.r[k].type, "noise"))
                    db = B.r[k].created - pb->cleared;
            if (isnan(da) && isnan(db))
                continue;
            /* A spawn due after the horizon in one layout only is not created there. */
            double H = 1440.0 * 60;
            if ((isnan(da) && p->cleared + db >= H) || (isnan(db) && pb->cleared + da >= H))
                continue;
            kids++;
            if (fabs(da - db) < 2.5e-4)     /* the trace rounds times to 1e-4 min */
                same++;
            else if (diff++ < 3)
                fprintf(stderr, "# seq %llu: delay %.4f vs %.4f min\n", p->seq, da, db);
        }
        CHECK(kids > 50 && diff == 0, "noise repeats in two layouts: %d of %d with the same "
              "delay, %d differ", same, kids, diff);
    }
    run_free(&A);
    run_free(&B);

    /* 3. The same layout twice: identical trace. */
    ra = run(FIX, NULL, 1, &A);
    rb = run(FIX, NULL, 1, &B);
    if (ra == 0 && rb == 0) {
        int eq = A.n == B.n;
        for (int i = 0; eq && i < A.n; i++)
            eq = !memcmp(&A.r[i], &B.r[i], sizeof A.r[i]);
        CHECK(eq, "the same layout twice: the same %d incidents, spawns included", A.n);
    }
    run_free(&A);
    run_free(&B);
}

/* ---- first_response ------------------------------------------------------- */

static void first_response(void)
{
    /* Only the auxiliary car can be first (others are far away); an
     * officer unit must follow every time it goes first. */
    const char *sets[] = { "incident_types.theft.needs_officer=first_response",
                           "units.W1.count=0", "units.W2.count=0", NULL };
    struct run R;
    if (run(FIX, sets, 0, &R) == 0) {
        int x1 = 0;
        for (int i = 0; i < R.n; i++)
            x1 += !strcmp(R.r[i].type, "theft") && !strcmp(R.r[i].unit, "X1") &&
                  R.r[i].created >= R.s->warmup_days * 1440;
        double thefts = slot(&R, "type", "incidents", "theft");
        CHECK(x1 > 5, "the auxiliary car responds first to %d of %.0f thefts", x1, thefts);
        /* X1 attends thefts only as first unit; officers follow on those. */
        double att = 0;
        for (int u = 0; u < R.s->n_units; u++)
            att += slot(&R, "unit", "incidents", R.s->units[u].id);
        CHECK(att >= slot(&R, "all", "incidents", NULL) + x1 - 1e-9,
              "at least one extra attendance per auxiliary first response (%.0f attendances, "
              "%.0f incidents, %d)", att, slot(&R, "all", "incidents", NULL), x1);
    }
    run_free(&R);
}

/* ---- community time: the key's idle share and the reports' working share -- */

static void community(void)
{
    /* A police community unit beside the grid workers, unrostered (no
     * overtime), so time share = idle share x (1 - call share) exactly. */
    const char *sets[] = { "units.B1.between_calls=community", "staffing.community_share=0.7",
                           NULL };
    struct run R;
    if (run(FIX, sets, 0, &R) == 0) {
        double w = slot(&R, "all", "community_time_share", NULL);
        double i = slot(&R, "all", "community_idle_share", NULL);
        double c = slot(&R, "all", "community_call_share", NULL);
        CHECK(w > 0 && i > w && c > 0 && fabs(w - i * (1 - c)) < 1e-9,
              "community shares: %.4f of working time = %.4f of idle time x (1 - %.4f on "
              "calls)", w, i, c);
        /* The key sets the share of idle activities, whose mean lengths
         * differ only by travel: the idle share lies near it. */
        CHECK(fabs(i - 0.7) < 0.12, "idle share %.3f near community_share 0.7", i);
        /* Grid workers' routine work is not police community time. */
        CHECK(slot(&R, "unit", "community_hours", "W1") > 0, "W1 does routine grid work");
    }
    run_free(&R);
    if (run(FIX, NULL, 0, &R) == 0)
        CHECK(isnan(slot(&R, "all", "community_idle_share", NULL)),
              "no police community unit: no community block");
    run_free(&R);
}

int main(void)
{
    gsl_set_error_handler_off();
    loading();
    bad_inputs();
    eligibility();
    grid_resolution();
    oracles();
    demand_rates();
    crn();
    first_response();
    community();
    return tc_done();
}
