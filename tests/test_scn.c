/* test_scn.c - scenario loading: every bad fixture fails with its expected
 * file:line message, the good fixture loads with the exact values written in
 * it, overrides go through the same validation, and a 64 x 64 lattice loads
 * well under a second.  Run from the repository root. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "scn.h"
#include "../models/scn_priv.h"
#include "trv.h"
#include "tcheck.h"
#include "testutil.h"

#define BAD_DIR "tests/fixtures/bad"
#define GOOD_DIR "tests/fixtures/good"

static void test_bad_fixtures(void)
{
    char **names;
    int n = tu_list(BAD_DIR, &names);
    CHECK(n >= 0, "opendir %s", BAD_DIR);
    if (n < 0)
        return;
    CHECK(n >= 24, "at least 24 bad fixtures (%d)", n);

    for (int i = 0; i < n; i++) {
        char dir[512], expected[1024];
        snprintf(dir, sizeof dir, "%s/%s", BAD_DIR, names[i]);
        CHECK(tu_expected(dir, expected, sizeof expected), "%s has an 'expected' file", dir);
        CHECK(expected[0] != '\0', "%s: expected is not empty", names[i]);

        struct perr e = { "" };
        struct scn *s = scn_load(dir, NULL, 0, &e);
        CHECK(s == NULL, "%s: scn_load fails", names[i]);
        scn_free(s);
        CHECK_HAS(e.msg, expected);
        /* Every message names the file with the scenario folder in front. */
        CHECK(strncmp(e.msg, dir, strlen(dir)) == 0, "%s: message starts with the folder: %s",
              names[i], e.msg);
    }
    tu_names_free(names, n);
}

static void test_good(void)
{
    struct perr e = { "" };
    struct scn *s = scn_load(GOOD_DIR, NULL, 0, &e);
    CHECK(s != NULL, "good scenario loads (%s)", e.msg);
    if (!s)
        return;

    CHECK_STR(s->dir, GOOD_DIR);
    CHECK_STR(s->ini_path, GOOD_DIR "/scenario.ini");
    CHECK_STR(s->name, "东城 test district");
    CHECK_STR(s->description, "Four grids (two rectangles, two polygons), a station with a\n"
                              "workstation and an office, one patrol post, four units.");
    CHECK(s->seed == 20240917u, "seed");
    CHECK_INT(s->reps, 7);
    CHECK_NEAR(s->horizon_days, 12.5, 0);
    CHECK_NEAR(s->warmup_days, 1.75, 0);
    CHECK_INT(s->metric, TRV_MANHATTAN);
    CHECK_NEAR(s->circuity, 1.385, 0);
    CHECK_INT(s->n_modes, 2);
    CHECK_STR(s->modes[0].name, "car");
    CHECK_NEAR(s->modes[0].speed_kmh, 38.5, 0);
    CHECK_STR(s->modes[1].name, "foot");
    CHECK_NEAR(s->modes[1].speed_kmh, 4.75, 0);
    CHECK_STR(s->policy, "run_card");
    CHECK(!s->home_first, "home_first = no");
    CHECK(!s->redispatch_returning, "redispatch_returning = off");
    CHECK_INT(s->run_card_depth, 3);
    CHECK_STR(s->source, "poisson");
    CHECK_NEAR(s->rate_per_day, 23.85, 0);
    CHECK_INT(s->location, LOC_AREA);

    /* grids */
    CHECK_INT(s->n_grids, 4);
    CHECK_STR(s->grids[0].id, "g1");
    CHECK_STR(s->grids[0].name, "东华门");
    CHECK_NEAR(s->grids[0].weight, 2.385, 0);
    CHECK_NEAR(s->grids[0].poly.area, 3.75, 1e-12);
    CHECK_NEAR(s->grids[0].poly.centroid.x, 1.25, 1e-12);
    CHECK_NEAR(s->grids[0].poly.centroid.y, 0.75, 1e-12);
    CHECK_INT(s->grids[0].poly.n, 4);
    CHECK_INT(s->grids[0].line, 2);
    CHECK_NEAR(s->grids[1].weight, 0.615, 0);
    CHECK_NEAR(s->grids[1].poly.xmin, 2.5, 0);
    CHECK_NEAR(s->grids[1].poly.xmax, 4.5, 0);
    CHECK_NEAR(s->grids[2].poly.area, 3.1875, 1e-12);
    CHECK_NEAR(s->grids[2].weight, 1.25, 0);
    CHECK_INT(s->grids[3].poly.n, 4);  /* the repeated closing vertex is dropped */
    CHECK_NEAR(s->grids[3].poly.area, 3.5625, 1e-12);
    CHECK_NEAR(s->grids[3].weight, 0, 0);
    CHECK_INT(s->grids[3].line, 5);
    CHECK_NEAR(s->xmin, 0, 0);
    CHECK_NEAR(s->ymin, 0, 0);
    CHECK_NEAR(s->xmax, 4.5, 0);
    CHECK_NEAR(s->ymax, 3, 0);
    CHECK_INT(scn_grid_find(s, "g3"), 2);
    CHECK_INT(scn_grid_find(s, "g0"), -1);
    CHECK_INT(geo_index_locate(s->grid_index, 1.7, 2.9), 2);
    CHECK_INT(geo_index_locate(s->grid_index, 2.0, 2.9), 3);
    CHECK_INT(geo_index_locate(s->grid_index, 2.5, 0.7), 1);   /* shared edge: right grid */
    CHECK_INT(geo_index_locate(s->grid_index, 2.385, 1.5), 2); /* y = 1.5 belongs above */
    CHECK_INT(geo_index_locate(s->grid_index, 4.5, 1.0), -1);
    CHECK_INT(geo_index_locate(s->grid_index, -0.1, 1.0), -1);

    /* facilities: of1 names its parent ws1 before ws1 is listed */
    CHECK_INT(s->n_facilities, 4);
    CHECK_STR(s->facilities[0].id, "of1");
    CHECK_STR(s->facilities[0].name, "和平里社区警务工作室");
    CHECK_INT(s->facilities[0].tier, FAC_OFFICE);
    CHECK_INT(s->facilities[0].parent, 2);
    CHECK_NEAR(s->facilities[0].x, 3.125, 0);
    CHECK_NEAR(s->facilities[0].y, 2.25, 0);
    CHECK_INT(s->facilities[1].tier, FAC_STATION);
    CHECK_INT(s->facilities[1].parent, -1);
    CHECK_INT(s->facilities[2].tier, FAC_WORKSTATION);
    CHECK_INT(s->facilities[2].parent, 1);
    CHECK_INT(s->facilities[3].tier, FAC_POST);
    CHECK_INT(s->facilities[3].parent, -1);
    CHECK_INT(s->facilities[3].line, 5);
    CHECK_INT(scn_facility_find(s, "ws1"), 2);
    CHECK_INT(scn_facility_find(s, "pp1"), 3);
    CHECK_INT(scn_facility_find(s, "pp"), -1);
    CHECK_STR(fac_tier_name(FAC_WORKSTATION), "workstation");
    CHECK_STR(fac_tier_name(FAC_POST), "post");

    /* units (units.csv has a BOM and CRLF line ends) */
    CHECK_INT(s->n_units, 4);
    CHECK_STR(s->units[0].id, "u1");
    CHECK_INT(s->units[0].base, 1);
    CHECK_INT(s->units[0].n_home, 2);
    CHECK_INT(s->units[0].home[0], 0);
    CHECK_INT(s->units[0].home[1], 1);
    CHECK_INT(s->units[0].officers, 2);
    CHECK_INT(s->units[0].auxiliaries, 1);
    CHECK_INT(s->units[0].mode, 0);
    CHECK_INT(s->units[1].mode, 1);
    CHECK_INT(s->units[2].base, 0);
    CHECK_INT(s->units[2].n_home, 0);
    CHECK_INT(s->units[2].line, 4);
    CHECK_INT(s->units[3].n_home, 2);
    CHECK_INT(s->units[3].home[0], 3);
    CHECK_INT(s->units[3].home[1], 1);
    CHECK_INT(s->units[3].officers, 0);
    CHECK_INT(s->units[3].auxiliaries, 3);
    CHECK_INT(scn_unit_find(s, "u4"), 3);
    CHECK_INT(scn_unit_find(s, "u5"), -1);

    /* incident types */
    CHECK_INT(s->n_itypes, 3);
    CHECK_STR(s->itypes[0].id, "theft");
    CHECK_STR(s->itypes[0].name, "盗窃");
    CHECK_INT(s->itypes[0].priority, 2);
    CHECK_INT(s->itypes[0].prio_idx, 1);
    CHECK_NEAR(s->itypes[0].share, 0.45, 0);
    CHECK_INT(s->itypes[0].dist, SVC_LOGNORMAL);
    CHECK_NEAR(s->itypes[0].mean_min, 38.5, 0);
    CHECK_NEAR(s->itypes[0].sd_min, 12.25, 0);
    CHECK_NEAR(s->itypes[0].target_min, 15, 0);
    CHECK_INT(s->itypes[1].dist, SVC_GAMMA);
    CHECK_INT(s->itypes[1].prio_idx, 0);
    CHECK_NEAR(s->itypes[1].mean_min, 52.75, 0);
    CHECK_NEAR(s->itypes[1].sd_min, 20.5, 0);
    CHECK_NEAR(s->itypes[1].target_min, 8.5, 0);
    CHECK_INT(s->itypes[2].dist, SVC_EXPONENTIAL);
    CHECK_NEAR(s->itypes[2].share, 2.385, 0);
    CHECK_NEAR(s->itypes[2].sd_min, 0, 0);
    CHECK_INT(s->itypes[2].prio_idx, 2);
    CHECK_INT(s->itypes[2].line, 4);
    CHECK_INT(s->n_priorities, 3);
    CHECK_INT(s->priorities[0], 1);
    CHECK_INT(s->priorities[1], 2);
    CHECK_INT(s->priorities[2], 3);

    /* run cards, sorted by rank: g1 = u1 (1), u3 (2), u2 (5); g4 = u4 */
    CHECK_INT(s->n_runcard[0], 3);
    CHECK_INT(s->runcard[0][0], 0);
    CHECK_INT(s->runcard[0][1], 2);
    CHECK_INT(s->runcard[0][2], 1);
    CHECK_INT(s->n_runcard[1], 0);
    CHECK_INT(s->n_runcard[2], 0);
    CHECK_INT(s->n_runcard[3], 1);
    CHECK_INT(s->runcard[3][0], 3);

    /* Manhattan x circuity */
    CHECK_NEAR(trv_metric_km(s->trv, 0.5, 0.25, 2.0, -1.0), (1.5 + 1.25) * 1.385, 1e-12);
    scn_free(s);
}

static void test_overrides(void)
{
    struct perr e = { "" };
    const struct scn_override ov[] = {
        { "run", "replications", "3" },
        { "run", "seed", "18446744073709551615" },
        { "modes", "car", "41.25" },
        { "modes", "ebike", "17.5" },
        { "dispatch", "policy", "nearest_idle" },
        { "dispatch", "home_first", "TRUE" },
        { "travel", "metric", "euclidean" },
        { "tables", "run_cards", "" },
        { "incidents", "location", "grid_weight" },
    };
    struct scn *s = scn_load(GOOD_DIR, ov, (int)(sizeof ov / sizeof ov[0]), &e);
    CHECK(s != NULL, "good scenario with overrides loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->reps, 3);
        CHECK(s->seed == UINT64_MAX, "seed override to 2^64-1");
        CHECK_INT(s->n_modes, 3);
        CHECK_NEAR(s->modes[0].speed_kmh, 41.25, 0);
        CHECK_STR(s->modes[2].name, "ebike");
        CHECK_NEAR(s->modes[2].speed_kmh, 17.5, 0);
        CHECK_STR(s->policy, "nearest_idle");
        CHECK(s->home_first, "home_first overridden to TRUE");
        CHECK_INT(s->metric, TRV_EUCLIDEAN);
        CHECK_INT(s->location, LOC_GRID_WEIGHT);
        CHECK_INT(s->n_runcard[0], 0);
        CHECK_INT(s->n_runcard[3], 0);
        CHECK_NEAR(trv_metric_km(s->trv, 0, 0, 3, 4), 5 * 1.385, 1e-12);
        scn_free(s);
    }

    static const struct {
        struct scn_override ov;
        const char *msg;
    } bad[] = {
        { { "run", "horizon_days", "-1" },
          "override [run] horizon_days: expected a number > 0, got '-1'" },
        { { "run", "warmup_days", "20" },
          "override [run] warmup_days: warmup_days (20) must be less than horizon_days (12.5)" },
        { { "run", "horizon_days", "1.5" },
          GOOD_DIR "/scenario.ini:11: [run] warmup_days: warmup_days (1.75) must be less than "
          "horizon_days (1.5)" },
        { { "staff", "shift", "8" }, "override unknown section [staff]" },
        { { "run", "reps", "8" }, "override [run] unknown key 'reps'; accepted keys: seed, "
          "replications, horizon_days, warmup_days" },
        { { "modes", "car", "600" },
          "override [modes] car: expected a speed in km/h > 0 and <= 500, got '600'" },
        { { "travel", "circuity", "0.25" },
          "override [travel] circuity: expected a number in [0.5, 5], got '0.25'" },
        { { "dispatch", "redispatch_returning", "sometimes" },
          "override [dispatch] redispatch_returning: expected true, false" },
        { { "tables", "units", "nope.csv" }, GOOD_DIR "/nope.csv: cannot open" },
        { { "run", NULL, "1" }, "override 1: section, key and value are all required" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct perr e2 = { "" };
        s = scn_load(GOOD_DIR, &bad[i].ov, 1, &e2);
        CHECK(s == NULL, "bad override %zu fails", i);
        scn_free(s);
        CHECK_HAS(e2.msg, bad[i].msg);
    }
}


/* Cell overrides: TABLE.ROW.COLUMN, applied as the row is read, also for a
 * column the file does not have. */
static void test_cells(void)
{
    const struct scn_override ov[] = {
        { "units", "u3.base", "st1" },
        { "units", "u2.home_grids", "g1 g4" },
        { "units", "u1.role", "special" },          /* no role column in the file */
        { "units", "u4.officers", "*2.5" },         /* 0 x 2.5 */
        { "units", "u1.auxiliaries", "*2.5" },      /* 1 x 2.5 = 2.5, rounds to 3 */
        { "facilities", "pp1.x", "*2" },
        { "grids", "g2.weight", "1.5" },
        { "incident_types", "noise.priority", "1" },
        { "incident_types", "theft.sd_min", "*2" },
        { "units", "u3.base", "ws1" },              /* a later override replaces */
    };
    struct perr e = { "" };
    struct scn *s = scn_load(GOOD_DIR, ov, (int)(sizeof ov / sizeof ov[0]), &e);
    CHECK(s != NULL, "cell overrides load (%s)", e.msg);
    if (s) {
        CHECK_INT(s->units[2].base, 2);
        CHECK_INT(s->units[1].n_home, 2);
        CHECK_INT(s->units[1].home[0], 0);
        CHECK_INT(s->units[1].home[1], 3);
        CHECK_INT(s->units[0].role, ROLE_SPECIAL);
        CHECK_INT(s->units[1].role, ROLE_GRID_CAR);
        CHECK_INT(s->units[3].officers, 0);
        CHECK_INT(s->units[0].auxiliaries, 3);
        CHECK_NEAR(s->facilities[3].x, 0.9, 1e-12);
        CHECK_NEAR(s->grids[1].weight, 1.5, 0);
        CHECK_NEAR(s->grids[0].weight, 2.385, 0);
        CHECK_INT(s->itypes[2].priority, 1);
        CHECK_INT(s->n_priorities, 2);
        CHECK_NEAR(s->itypes[0].sd_min, 24.5, 0);
        scn_free(s);
    }

    static const struct {
        struct scn_override ov;
        const char *msg;
    } bad[] = {
        { { "units", "u9.base", "st1" },
          "override units.u9.base=st1: no row 'u9' in " GOOD_DIR "/units.csv (ids: u1, u2, "
          "u3, u4)" },
        { { "units", "u1.bsae", "st1" },
          "override units.u1.bsae=st1: units.csv has no column 'bsae'; columns: name, base, "
          "home_grids, officers, auxiliaries, mode, role, roster, squad, between_calls, count" },
        { { "units", "u1.officers", "-1" },
          "override units.u1.officers=-1: " GOOD_DIR "/units.csv:2: column 5 'officers': "
          "expected an integer >= 0, got '-1'" },
        { { "units", "u1.officers", "*-1" },
          "override units.u1.officers=*-1: " GOOD_DIR "/units.csv:2: column 5 'officers': "
          "expected an integer >= 0, got -2 ('2' x -1, rounded)" },
        { { "units", "u3.base", "pp9" },
          "override units.u3.base=pp9: " GOOD_DIR "/units.csv:4: column 3 'base': unknown "
          "facility 'pp9'" },
        { { "units", "u1.base", "*2" },
          "override units.u1.base=*2: '*' scales a number, but no number was read from "
          "column 'base' of row 'u1'" },
        { { "units", "u1.id", "x" }, "override units.u1.id=x: the id column 'id' names the row "
          "and cannot be overridden" },
        { { "units", "u1", "x" }, "override units.u1=x: expected units.ROW.COLUMN=value" },
        { { "run_cards", "g1.rank", "1" }, "override run_cards.g1.rank=1: the rows of "
          "run_cards have no id" },
        { { "shifts", "D.hours", "8" }, "override shifts.D.hours=8: the scenario has no shifts "
          "table" },
        { { "grids", "g1.weight", "*x" }, "override grids.g1.weight=*x: expected '*' and a "
          "number (a factor), got '*x'" },
        { { "incident_types", "noise.share", "-1" },
          "override incident_types.noise.share=-1: " GOOD_DIR "/incident_types.csv:4: column "
          "4 'share': expected a number >= 0, got '-1'" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        struct perr e2 = { "" };
        s = scn_load(GOOD_DIR, &bad[i].ov, 1, &e2);
        CHECK(s == NULL, "bad cell override %zu fails", i);
        scn_free(s);
        CHECK_HAS(e2.msg, bad[i].msg);
    }
}

/* units.csv count: crews with derived ids, stable across counts; run cards
 * naming a row mean all its crews. */
static void test_count(void)
{
    struct scn_override ov = { "units", "u1.count", "3" };
    struct perr e = { "" };
    struct scn *s = scn_load(GOOD_DIR, &ov, 1, &e);
    CHECK(s != NULL, "u1 x 3 loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_units, 6);
        CHECK_STR(s->units[0].id, "u1#1");
        CHECK_STR(s->units[1].id, "u1#2");
        CHECK_STR(s->units[2].id, "u1#3");
        CHECK_STR(s->units[3].id, "u2");
        CHECK_INT(s->units[2].crew, 3);
        CHECK_INT(s->units[3].crew, 0);
        CHECK_INT(s->units[1].officers, 2);
        CHECK_INT(s->units[1].n_home, 2);
        CHECK_INT(s->units[1].line, 2);
        CHECK_INT(scn_unit_find(s, "u1#2"), 1);
        CHECK_INT(scn_unit_find(s, "u1"), -1);
        CHECK_INT(scn_unit_find(s, "u4"), 5);
        /* g1: u1 (rank 1: all three crews), u3 (2), u2 (5) */
        CHECK_INT(s->n_runcard[0], 5);
        CHECK_INT(s->runcard[0][0], 0);
        CHECK_INT(s->runcard[0][2], 2);
        CHECK_INT(s->runcard[0][3], 4);
        CHECK_INT(s->runcard[0][4], 3);
        scn_free(s);
    }
    /* The crews' ids do not depend on the count: a sweep keeps them. */
    for (int n = 1; n <= 6; n++) {
        char v[8];
        snprintf(v, sizeof v, "%d", n);
        struct scn_override o = { "units", "u2.count", v };
        s = scn_load(GOOD_DIR, &o, 1, &e);
        CHECK(s != NULL, "u2 x %d loads (%s)", n, e.msg);
        if (!s)
            continue;
        CHECK_INT(s->n_units, 3 + n);
        for (int i = 1; i <= n; i++) {
            char id[16];
            snprintf(id, sizeof id, n == 1 ? "u2" : "u2#%d", i);
            CHECK_INT(scn_unit_find(s, id), i);
            CHECK_STR(s->units[i].id, id);
        }
        CHECK_INT(scn_unit_find(s, "u3"), n + 1);
        scn_free(s);
    }
    /* count = 0: the row's units and its run-card entries are gone. */
    struct scn_override z = { "units", "u1.count", "0" };
    s = scn_load(GOOD_DIR, &z, 1, &e);
    CHECK(s != NULL, "u1 x 0 loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_units, 3);
        CHECK_STR(s->units[0].id, "u2");
        CHECK_INT(s->n_runcard[0], 2);
        CHECK_INT(s->runcard[0][0], 1);     /* u3 */
        CHECK_INT(s->runcard[0][1], 0);     /* u2 */
        scn_free(s);
    }
    /* Scaling a count: empty cells scale the default 1. */
    struct scn_override sc[] = { { "units", "u4.count", "*2" }, { "units", "u3.count", "2" } };
    s = scn_load(GOOD_DIR, sc, 2, &e);
    CHECK(s != NULL, "u4 x *2 loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_units, 6);
        CHECK_STR(s->units[5].id, "u4#2");
        CHECK_STR(s->units[2].id, "u3#1");
        scn_free(s);
    }
    struct scn_override neg = { "units", "u1.count", "*-1" };
    s = scn_load(GOOD_DIR, &neg, 1, &e);
    CHECK(s == NULL, "a negative scaled count fails");
    scn_free(s);
    CHECK_HAS(e.msg, "override units.u1.count=*-1: " GOOD_DIR "/units.csv:2: column 'count': "
                     "expected an integer in [0, 10000], got -1");
    /* A run card may name one crew by its derived id. */
    char *dir = tu_tmpdir();
    char cmd[1200];
    snprintf(cmd, sizeof cmd, "cp %s/*.csv %s/scenario.ini %s/", GOOD_DIR, GOOD_DIR, dir);
    CHECK(system(cmd) == 0, "copy the good fixture");
    tu_write(dir, "run_cards.csv", "grid,rank,unit\ng1,1,u1#2\ng1,2,u1\n");
    s = scn_load(dir, &ov, 1, &e);
    CHECK(s == NULL, "a crew named twice on one card fails");
    scn_free(s);
    CHECK_HAS(e.msg, "run_cards.csv:3: column 3 'unit': unit 'u1#2' is already on the run card "
                     "of grid 'g1' (line 2)");
    tu_write(dir, "run_cards.csv", "grid,rank,unit\ng1,1,u1#2\ng1,2,u2\n");
    s = scn_load(dir, &ov, 1, &e);
    CHECK(s != NULL, "a run card naming one crew loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_runcard[0], 2);
        CHECK_INT(s->runcard[0][0], 1);
        scn_free(s);
    }
    s = scn_load(dir, NULL, 0, &e);
    CHECK(s == NULL, "u1#2 is unknown when u1 has one crew");
    scn_free(s);
    CHECK_HAS(e.msg, "run_cards.csv:2: column 3 'unit': unknown unit 'u1#2'");
    tu_rmrf(dir);
    free(dir);
}

/* scn_inputs: every file read, in load order, as opened. */
static void test_inputs(void)
{
    struct perr e = { "" };
    struct scn_override ov = { "tables", "units", "../good/units.csv" };
    struct scn *s = scn_load(GOOD_DIR, &ov, 1, &e);
    CHECK(s != NULL, "good loads with a swapped table (%s)", e.msg);
    if (!s)
        return;
    const char *const *p;
    int n = scn_inputs(s, &p);
    static const char *const want[] = {
        GOOD_DIR "/scenario.ini", GOOD_DIR "/grids.csv", GOOD_DIR "/facilities.csv",
        GOOD_DIR "/../good/units.csv", GOOD_DIR "/incident_types.csv",
        GOOD_DIR "/run_cards.csv",
    };
    CHECK_INT(n, 6);
    for (int i = 0; i < n && i < 6; i++)
        CHECK_STR(p[i], want[i]);
    scn_free(s);
}

/* Writes an S x S lattice of 2.5 km grids (one left out if hole >= 0), a
 * post per grid and a unit per grid. */
static int write_lattice(const char *dir, int S, int hole)
{
    char p[600];
    FILE *f;
    snprintf(p, sizeof p, "%s/scenario.ini", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    fprintf(f, "[scenario]\nname = lattice\n[modes]\ncar = 30\n[incidents]\n"
               "rate_per_day = 1024\nlocation = area\n");
    fclose(f);
    snprintf(p, sizeof p, "%s/grids.csv", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    fprintf(f, "id,xmin,ymin,xmax,ymax\n");
    for (int r = 0; r < S; r++)
        for (int c = 0; c < S; c++)
            if (r * S + c != hole)
                fprintf(f, "%d,%.15g,%.15g,%.15g,%.15g\n", r * S + c, 2.5 * c, 2.5 * r,
                        2.5 * (c + 1), 2.5 * (r + 1));
    fclose(f);
    snprintf(p, sizeof p, "%s/facilities.csv", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    fprintf(f, "id,tier,x,y\n");
    for (int i = 0; i < S * S; i++)
        fprintf(f, "p%d,post,%.15g,%.15g\n", i, 2.5 * (i % S) + 1.25, 2.5 * (i / S) + 1.25);
    fclose(f);
    snprintf(p, sizeof p, "%s/units.csv", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    fprintf(f, "id,base,home_grids,mode\n");
    for (int i = 0; i < S * S; i++)
        fprintf(f, "%d,p%d,%d,car\n", i, i, i == hole ? 0 : i);
    fclose(f);
    snprintf(p, sizeof p, "%s/incident_types.csv", dir);
    if (!(f = fopen(p, "w")))
        return -1;
    fprintf(f, "id,priority,share,service,mean_min,target_min\nx,1,1,exponential,30,15\n");
    fclose(f);
    return 0;
}

static void remove_lattice(const char *dir)
{
    static const char *const files[] = { "scenario.ini", "grids.csv", "facilities.csv",
                                         "units.csv", "incident_types.csv" };
    char p[600];
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(p, sizeof p, "%s/%s", dir, files[i]);
        remove(p);
    }
    rmdir(dir);
}

static void test_lattice(void)
{
    char dir[] = "/tmp/patrolsim-scn-XXXXXX";
    CHECK(mkdtemp(dir) != NULL, "mkdtemp");
    const int S = 64;
    CHECK(write_lattice(dir, S, -1) == 0, "write the 64 x 64 lattice");
    struct perr e = { "" };
    /* Load time is a benchmark figure (make bench prints load_s), not a test. */
    struct scn *s = scn_load(dir, NULL, 0, &e);
    CHECK(s != NULL, "lattice loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_grids, 4096);
        CHECK_INT(s->n_facilities, 4096);
        CHECK_INT(s->n_units, 4096);
        CHECK_INT(scn_grid_find(s, "4095"), 4095);
        CHECK_INT(scn_unit_find(s, "1234"), 1234);
        CHECK_INT(scn_facility_find(s, "p77"), 77);
        CHECK_INT(s->units[77].home[0], 77);
        CHECK_NEAR(s->xmax, 160, 0);
        /* (r, c) = (3, 5) covers [12.5, 15) x [7.5, 10) */
        CHECK_INT(geo_index_locate(s->grid_index, 12.5, 7.5), 3 * 64 + 5);
        CHECK_INT(geo_index_locate(s->grid_index, 14.999, 9.999), 3 * 64 + 5);
        CHECK_INT(geo_index_locate(s->grid_index, 15, 10), 4 * 64 + 6);
        scn_free(s);
    }
    remove_lattice(dir);

    /* The same lattice with grid 2080 = (32, 32) missing: a hole, found by
     * probing, in [80, 82.5) x [80, 82.5). */
    char dir2[] = "/tmp/patrolsim-scn-XXXXXX";
    CHECK(mkdtemp(dir2) != NULL, "mkdtemp");
    CHECK(write_lattice(dir2, S, 32 * 64 + 32) == 0, "write the lattice with a hole");
    s = scn_load(dir2, NULL, 0, &e);
    CHECK(s == NULL, "lattice with a hole fails in area mode");
    scn_free(s);
    CHECK_HAS(e.msg, "grids.csv: with [incidents] location = area");
    CHECK_HAS(e.msg, "they cover 25593.75 of 25600 km^2");
    CHECK_HAS(e.msg, "the point (81.25, 81.25) lies in no grid");
    remove_lattice(dir2);
}

/* scn__parse_double's fast path (plain decimals, scn_num.c) against
 * strtod, bit for bit: random decimals of 1 to 19 digits with the point
 * anywhere, signs, and the edges of the path (2^53, 19 digits, 22 places
 * after the point, -0). */
static void test_parse_double(void)
{
    static const char *edge[] = {
        "0", "-0", "+0", "-0.0", ".5", "5.", "-.25", "+3", "007.50", "9007199254740992",
        "9007199254740993", "9007199254740991.5", "1234567890123456789",
        "12345678901234567890", "0.1234567890123456789", "0.0000000000000000000001",
        "0.00000000000000000000001", "1e5", "2.5E-3", "0.1", "0.3", "2.675", "1.25",
    };
    int bad = 0, n = 0;
    for (size_t i = 0; i < sizeof edge / sizeof *edge; i++, n++) {
        double a, b = strtod(edge[i], NULL);
        bad += scn__parse_double(edge[i], &a) != 0 || memcmp(&a, &b, sizeof a) != 0;
    }
    uint64_t x = 88172645463325252u;
    for (int t = 0; t < 200000; t++, n++) {
        char buf[32], *w = buf;
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        int sign = (int)(x % 3), nd = 1 + (int)((x >> 8) % 19);
        int at = (int)((x >> 16) % (uint64_t)(nd + 1));
        if (sign)
            *w++ = sign == 1 ? '-' : '+';
        for (int d = 0; d < nd; d++) {
            if (d == at)
                *w++ = '.';
            x ^= x << 13, x ^= x >> 7, x ^= x << 17;
            *w++ = (char)('0' + x % 10);
        }
        *w = 0;
        double a, b = strtod(buf, NULL);
        if (scn__parse_double(buf, &a) != 0 || memcmp(&a, &b, sizeof a) != 0) {
            if (bad++ < 3)
                printf("  parse '%s': %.17g, strtod %.17g\n", buf, a, b);
        }
    }
    CHECK(bad == 0, "scn__parse_double agrees with strtod bit for bit: %d of %d differ", bad, n);
    double v = 7;
    CHECK(scn__parse_double(".", &v) < 0 && scn__parse_double("-", &v) < 0 &&
              scn__parse_double("1.2.3", &v) < 0 && scn__parse_double("1,5", &v) < 0 &&
              scn__parse_double("", &v) < 0 && v == 7,
          "not numbers: refused, the output untouched");
}

int main(void)
{
    test_parse_double();
    test_bad_fixtures();
    test_good();
    test_overrides();
    test_cells();
    test_count();
    test_inputs();
    test_lattice();
    {
        struct perr e = { "" };
        struct scn *s = scn_load("tests/fixtures/no-such-folder", NULL, 0, &e);
        CHECK(s == NULL, "missing folder fails");
        CHECK_HAS(e.msg, "tests/fixtures/no-such-folder/scenario.ini: cannot open: "
                         "No such file or directory");
    }
    return tc_done();
}
