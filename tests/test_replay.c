/* test_replay.c - the replay source and what it stands on: timestamp
 * parsing (ts.h), multi-ring polygons and the projection (geo.h), GeoJSON
 * grids, and the replay of the fixtures in tests/fixtures/replay, each of
 * which must yield exactly its incidents (times, places, types,
 * priorities, on-scene times), its observed timings and its row counts.
 * Malformed inputs are provoked through the command line in
 * tests/test_streams.sh, which also checks exit codes and that nothing is
 * written. */
#define _DEFAULT_SOURCE
#include <fcntl.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "../models/inc_priv.h"
#include "inc.h"
#include "ops.h"
#include "scn.h"
#include "tcheck.h"
#include "testutil.h"
#include "ts.h"

/* Silences stdout and stderr (the load report) around a call. */
static int mute(void)
{
    fflush(stdout);
    fflush(stderr);
    int saved = dup(2);
    int nul = open("/dev/null", O_WRONLY);
    dup2(nul, 2);
    close(nul);
    return saved;
}

static void unmute(int saved)
{
    fflush(stderr);
    dup2(saved, 2);
    close(saved);
}

static struct scn *load(const char *dir, struct perr *e)
{
    e->msg[0] = '\0';
    return scn_load(dir, NULL, 0, e);
}

/* ---- timestamps --------------------------------------------------------------- */

static void test_ts(void)
{
    int64_t t;
    int off;
    CHECK_INT(ts_parse_iso("1970-01-01", &t, &off), 0);
    CHECK_INT(t, 0);
    CHECK_INT(off, INT32_MIN);
    CHECK_INT(ts_parse_iso("2021-09-14T07:08", &t, &off), 0);
    CHECK_INT(t, ts_from_civil(2021, 9, 14, 7, 8, 0, 0));
    CHECK_INT(ts_parse_iso("2021-09-14 07:08:09.1234", &t, &off), 0);
    CHECK_INT(t, ts_from_civil(2021, 9, 14, 7, 8, 9, 123));
    CHECK_INT(ts_parse_iso("2021-09-14T07:08:09.0005", &t, &off), 0);
    CHECK_INT(t % 1000, 1);                       /* rounded half up */
    CHECK_INT(ts_parse_iso("2024-02-29T23:59:59Z", &t, &off), 0);
    CHECK_INT(off, 0);
    CHECK_INT(ts_parse_iso("2024-03-01T10:00:00+08:00", &t, &off), 0);
    CHECK_INT(off, 480);
    CHECK_INT(ts_parse_iso("2024-03-01T10:00-0530", &t, &off), 0);
    CHECK_INT(off, -330);
    const char *bad[] = { "2021-13-01", "2021-02-29", "2021-09-14T24:00", "2021-09-14T07:60",
                          "2021-9-14", "2021-09-14T07", "2021-09-14X07:08", "14/09/2021",
                          "2021-09-14T07:08:09.", "2021-09-14T07:08+8", "", "2021-09-14 " };
    int rejected = 0;
    for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
        rejected += ts_parse_iso(bad[i], &t, &off) < 0;
    CHECK_INT(rejected, (int)(sizeof bad / sizeof *bad));

    CHECK_INT(ts_parse_mdy("09/14/21", &t), 0);
    CHECK_INT(t, ts_from_civil(2021, 9, 14, 0, 0, 0, 0));
    CHECK_INT(ts_parse_mdy("12/31/1999", &t), 0);
    CHECK_INT(t, ts_from_civil(1999, 12, 31, 0, 0, 0, 0));
    CHECK_INT(ts_parse_mdy("01/02/69", &t), 0);
    CHECK_INT(t, ts_from_civil(1969, 1, 2, 0, 0, 0, 0));
    CHECK_INT(ts_parse_mdy("02/29/23", &t), -1);
    CHECK_INT(ts_parse_mdy("9/14/21", &t), -1);
    CHECK_INT(ts_parse_hms("23:59", &t), 0);
    CHECK_INT(t, 23 * TS_MS_HOUR + 59 * TS_MS_MIN);
    CHECK_INT(ts_parse_hms("00:00:30", &t), 0);
    CHECK_INT(t, 30000);
    CHECK_INT(ts_parse_hms("7:08", &t), -1);
    CHECK_INT(ts_parse_epoch("1709251200", &t), 0);
    CHECK_INT(t, ts_from_civil(2024, 3, 1, 0, 0, 0, 0));
    CHECK_INT(ts_parse_epoch("1709251200.25", &t), 0);
    CHECK_INT(t % 1000, 250);
    CHECK_INT(ts_parse_epoch("1709251200.2345", &t), -1);
    CHECK_INT(ts_parse_epoch("1.7e9", &t), -1);
    CHECK_INT(ts_parse_offset("-08:00", &off), 0);
    CHECK_INT(off, -480);
    CHECK_INT(ts_parse_offset("UTC+0530", &off), 0);
    CHECK_INT(off, 330);
    CHECK_INT(ts_parse_offset("PST", &off), -1);

    struct ts_civil c;
    ts_to_civil(ts_from_civil(2021, 9, 14, 7, 8, 9, 10), &c);
    CHECK(c.y == 2021 && c.mon == 9 && c.d == 14 && c.h == 7 && c.mi == 8 && c.s == 9 &&
          c.ms == 10, "civil round trip %d-%d-%d %d:%d:%d.%d", c.y, c.mon, c.d, c.h, c.mi,
          c.s, c.ms);
    CHECK_INT(c.wday, 1);                         /* a Tuesday */
    ts_to_civil(ts_from_civil(1969, 12, 31, 23, 0, 0, 0), &c);
    CHECK(c.y == 1969 && c.d == 31 && c.h == 23 && c.wday == 2, "before 1970: %d-%d %d h, wday %d",
          c.y, c.d, c.h, c.wday);
    /* format -> parse is the identity, over a range of days and times */
    int bad_rt = 0;
    for (int64_t x = -5 * TS_MS_DAY; x < 4000 * TS_MS_DAY; x += 7 * TS_MS_HOUR + 123457) {
        char buf[TS_ISO_MAX];
        ts_format(x, 1, buf);
        bad_rt += ts_parse_iso(buf, &t, &off) != 0 || t != x;
    }
    CHECK_INT(bad_rt, 0);
}

/* ---- multi-ring polygons ---------------------------------------------------------- */

static void test_rings(void)
{
    /* A 4 x 4 square with a 2 x 2 hole, given clockwise outer and
     * counter-clockwise hole: finish reorients both. */
    struct geo_pt v[] = { { 0, 0 }, { 0, 4 }, { 4, 4 }, { 4, 0 },
                          { 1, 1 }, { 3, 1 }, { 3, 3 }, { 1, 3 } };
    struct geo_ring r[] = { { 0, 4, 0 }, { 4, 4, 1 } };
    struct geo_poly p = { .v = v, .n = 8, .ring = r, .nring = 2 };
    CHECK_INT(geo_poly_finish(&p), 0);
    CHECK_NEAR(p.area, 12, 1e-12);
    CHECK_NEAR(p.centroid.x, 2, 1e-12);
    CHECK_INT(geo_poly_contains(&p, 0.5, 0.5), 1);
    CHECK_INT(geo_poly_contains(&p, 2, 2), 0);          /* in the hole */
    CHECK_INT(geo_poly_contains(&p, 1, 2), 0);          /* hole's left edge: the hole's */
    CHECK_INT(geo_poly_contains(&p, 3, 2), 1);          /* hole's right edge: the ring's */
    CHECK_NEAR(geo_poly_edge_dist(&p, 2, 2), 1, 1e-12);

    /* The hole, as a grid of its own, fills it without overlap. */
    struct geo_pt hv[] = { { 1, 1 }, { 3, 1 }, { 3, 3 }, { 1, 3 } };
    struct geo_poly h = { .v = hv, .n = 4 };
    CHECK_INT(geo_poly_finish(&h), 0);
    CHECK_INT(geo_poly_overlap(&p, &h), 0);
    CHECK_INT(geo_poly_overlap(&h, &p), 0);
    int owners = 0;
    for (double x = 0.05; x < 4; x += 0.1)
        for (double y = 0.05; y < 4; y += 0.1)
            owners += geo_poly_contains(&p, x, y) + geo_poly_contains(&h, x, y) != 1;
    CHECK_INT(owners, 0);
    struct geo_pt bv[] = { { 2, 2 }, { 5, 2 }, { 5, 5 }, { 2, 5 } };
    struct geo_poly b = { .v = bv, .n = 4 };
    CHECK_INT(geo_poly_finish(&b), 0);
    CHECK_INT(geo_poly_overlap(&p, &b), 1);

    /* Two parts sharing an edge (a MultiPolygon) behave as their union. */
    struct geo_pt mv[] = { { 0, 0 }, { 1, 0 }, { 1, 1 }, { 0, 1 },
                           { 1, 0 }, { 2, 0 }, { 2, 1 }, { 1, 1 } };
    struct geo_ring mr[] = { { 0, 4, 0 }, { 4, 4, 0 } };
    struct geo_poly m = { .v = mv, .n = 8, .ring = mr, .nring = 2 };
    CHECK_INT(geo_poly_finish(&m), 0);
    CHECK_NEAR(m.area, 2, 1e-12);
    CHECK_NEAR(m.centroid.x, 1, 1e-12);
    CHECK_INT(geo_poly_contains(&m, 1, 0.5), 1);
    CHECK_INT(geo_poly_contains(&m, 1.5, 0.5), 1);
    struct geo_pt sv[] = { { 1.5, 0.25 }, { 3, 0.25 }, { 3, 0.75 }, { 1.5, 0.75 } };
    struct geo_poly sq = { .v = sv, .n = 4 };
    CHECK_INT(geo_poly_finish(&sq), 0);
    CHECK_INT(geo_poly_overlap(&m, &sq), 1);

    /* Invalid: rings that cross, a hole outside its polygon. */
    struct geo_pt xv[] = { { 0, 0 }, { 2, 0 }, { 2, 2 }, { 0, 2 },
                           { 1, 1 }, { 3, 1 }, { 3, 1.5 }, { 1, 1.5 } };
    struct geo_ring xr[] = { { 0, 4, 0 }, { 4, 4, 1 } };
    struct geo_poly x = { .v = xv, .n = 8, .ring = xr, .nring = 2 };
    CHECK_INT(geo_poly_finish(&x), -1);
    struct geo_pt ov[] = { { 0, 0 }, { 2, 0 }, { 2, 2 }, { 0, 2 },
                           { 5, 5 }, { 6, 5 }, { 6, 6 }, { 5, 6 } };
    struct geo_poly o = { .v = ov, .n = 8, .ring = xr, .nring = 2 };
    CHECK_INT(geo_poly_finish(&o), -1);

    /* The projection: 1 degree of latitude is pi R / 180 km; a degree of
     * longitude shrinks with cos(latitude); the inverse undoes it. */
    struct geo_proj pj;
    geo_proj_init(&pj, 38.98, -77.0);
    double px, py, la, lo;
    geo_project(&pj, 39.98, -77.0, &px, &py);
    CHECK_NEAR(py, GEO_EARTH_RADIUS_KM * 3.14159265358979323846 / 180, 1e-9);
    CHECK_NEAR(px, 0, 1e-12);
    geo_project(&pj, 38.98, -76.0, &px, &py);
    CHECK_NEAR(px, 111.19508 * cos(38.98 * 3.14159265358979323846 / 180), 1e-4);
    geo_unproject(&pj, 1.2345, -0.6789, &la, &lo);
    geo_project(&pj, la, lo, &px, &py);
    CHECK_NEAR(px, 1.2345, 1e-12);
    CHECK_NEAR(py, -0.6789, 1e-12);
}

/* ---- GeoJSON grids ------------------------------------------------------------------ */

/* A scenario whose grids are the GeoJSON text gj; the common tables otherwise. */
static char *geo_scenario(const char *gj, const char *geo_keys)
{
    char *d = tu_tmpdir(), ini[2048], cwd[1024];
    PS_ASSERT(getcwd(cwd, sizeof cwd) != NULL);
    tu_write(d, "grids.geojson", gj);
    tu_write(d, "facilities.csv", "id,tier,x,y\nS1,station,0,0\n");
    tu_write(d, "units.csv", "id,base,mode\nU1,S1,car\n");
    snprintf(ini, sizeof ini,
             "[scenario]\nname = g\n[tables]\ngrids = grids.geojson\n"
             "incident_types = %s/tests/fixtures/replay/common/incident_types.csv\n"
             "[modes]\ncar = 30\n[incidents]\nrate_per_day = 10\n[geo]\n%s\n", cwd, geo_keys);
    tu_write(d, "scenario.ini", ini);
    return d;
}

static void test_geojson(void)
{
    /* Around (lat 39, lon -77): a square of 0.02 degrees with a hole, and a
     * two-part MultiPolygon beside it, one part in the hole. */
    const char *gj =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"code\":\"A\",\"label\":\"ring\",\"w\":2.5},"
        "\"geometry\":{\"type\":\"Polygon\",\"coordinates\":["
        "[[-77.01,38.99],[-76.99,38.99],[-76.99,39.01],[-77.01,39.01],[-77.01,38.99]],"
        "[[-77.005,38.995],[-77.005,39.005],[-76.995,39.005],[-76.995,38.995],[-77.005,38.995]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"code\":7,\"label\":\"two parts\",\"w\":1},"
        "\"geometry\":{\"type\":\"MultiPolygon\",\"coordinates\":["
        "[[[-77.005,38.995],[-76.995,38.995],[-76.995,39.005],[-77.005,39.005],[-77.005,38.995]]],"
        "[[[-76.99,38.99],[-76.98,38.99],[-76.98,39.0],[-76.99,39.0],[-76.99,38.99]]]]}}]}";
    char *d = geo_scenario(gj, "id_property = code\nname_property = label\n"
                               "weight_property = w\norigin_lat = 39\norigin_lon = -77");
    struct perr e;
    struct scn *s = load(d, &e);
    CHECK(s != NULL, "GeoJSON scenario loads (%s)", e.msg);
    if (s) {
        CHECK_INT(s->n_grids, 2);
        CHECK_STR(s->grids[0].id, "A");
        CHECK_STR(s->grids[1].id, "7");
        CHECK_STR(s->grids[0].name, "ring");
        CHECK_NEAR(s->grids[0].weight, 2.5, 0);
        CHECK_INT(s->grids[0].poly.nring, 2);
        double kx = s->proj.kx, ky = s->proj.ky;
        CHECK_NEAR(s->grids[0].poly.area, (0.02 * 0.02 - 0.01 * 0.01) * kx * ky, 1e-9);
        CHECK_NEAR(s->grids[1].poly.area, (0.01 * 0.01 + 0.01 * 0.01) * kx * ky, 1e-9);
        double x, y;
        geo_project(&s->proj, 39.0, -77.0, &x, &y);
        CHECK_INT(geo_index_locate(s->grid_index, x, y), 1);     /* the hole: feature 2 */
        geo_project(&s->proj, 38.992, -77.008, &x, &y);
        CHECK_INT(geo_index_locate(s->grid_index, x, y), 0);
        geo_project(&s->proj, 38.995, -76.985, &x, &y);
        CHECK_INT(geo_index_locate(s->grid_index, x, y), 1);     /* the second part */
        geo_project(&s->proj, 39.005, -76.985, &x, &y);
        CHECK_INT(geo_index_locate(s->grid_index, x, y), -1);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);

    /* Without [geo] origin the projection centres on the grids. */
    d = geo_scenario(gj, "id_property = code");
    s = load(d, &e);
    CHECK(s != NULL, "GeoJSON with automatic origin (%s)", e.msg);
    if (s) {
        CHECK_NEAR(s->proj.lat0, 39.0, 1e-12);
        CHECK_NEAR(s->proj.lon0, -76.995, 1e-12);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);

    /* A sliver of overlap (a shared edge off by ~1 m) is tolerated; a real
     * overlap is not. */
    const char *sliver =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"w\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-77.01,38.99],[-77.0,38.99],[-77.0,39.0],[-77.01,39.0]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"e\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-77.00001,38.99],[-76.99,38.99],[-76.99,39.0],[-77.00001,39.0]]]}}]}";
    d = geo_scenario(sliver, "");
    s = load(d, &e);
    CHECK(s != NULL, "a 1 m sliver of overlap is tolerated (%s)", e.msg);
    scn_free(s);
    tu_rmrf(d);
    free(d);
    const char *big =
        "{\"type\":\"FeatureCollection\",\"features\":["
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"w\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-77.01,38.99],[-77.0,38.99],[-77.0,39.0],[-77.01,39.0]]]}},"
        "{\"type\":\"Feature\",\"properties\":{\"id\":\"e\"},\"geometry\":{\"type\":\"Polygon\","
        "\"coordinates\":[[[-77.005,38.99],[-76.99,38.99],[-76.99,39.0],[-77.005,39.0]]]}}]}";
    d = geo_scenario(big, "");
    s = load(d, &e);
    CHECK(s == NULL, "overlapping features are refused");
    CHECK_HAS(e.msg, "grids.geojson: feature 2 ('e'): overlaps feature 1 ('w') by about");
    tu_rmrf(d);
    free(d);
}

/* ---- fixture replays ----------------------------------------------------------------- */

struct want {
    double t, x, y;
    const char *grid, *type;
    int priority;
    double service;         /* < 0: drawn, only checked > 0 */
};

static int type_of(const struct scn *s, const char *id)
{
    for (int i = 0; i < s->n_itypes; i++)
        if (!strcmp(s->itypes[i].id, id))
            return i;
    return -1;
}

/* Replays dir and compares every incident with w[0..n). */
static struct scn *replay_exact(const char *dir, const struct want *w, int n)
{
    struct perr e;
    int m = mute();
    struct scn *s = load(dir, &e);
    unmute(m);
    CHECK(s != NULL, "%s loads (%s)", dir, e.msg);
    if (!s)
        return NULL;
    struct inc_replay *r = inc_replay_open(s, 7, 0, &e);
    CHECK(r != NULL, "open %s (%s)", dir, e.msg);
    if (!r)
        return s;
    struct inc_row row;
    int k = 0, rc, bad = 0;
    while ((rc = inc_replay_next(r, &row, &e)) == 1) {
        const struct inc *in = &row.inc;
        if (k < n) {
            const struct want *q = &w[k];
            int ok = in->seq == (uint64_t)k && fabs(in->t - q->t) < 1e-9 &&
                     fabs(in->x - q->x) < 1e-9 && fabs(in->y - q->y) < 1e-9 &&
                     in->type == type_of(s, q->type) &&
                     s->priorities[in->prio_idx] == q->priority &&
                     (q->grid ? in->grid == scn_grid_find(s, q->grid) : in->grid == -1) &&
                     (q->service < 0 ? in->service_min > 0 : in->service_min == q->service);
            if (!ok) {
                bad++;
                printf("# %s incident %d: t %.6f x %.6f y %.6f grid %d type %s prio %d "
                       "service %.6g\n", dir, k, in->t, in->x, in->y, in->grid,
                       s->itypes[in->type].id, s->priorities[in->prio_idx], in->service_min);
            }
        }
        k++;
    }
    CHECK_INT(rc, 0);
    CHECK_INT(k, n);
    CHECK_INT(bad, 0);
    inc_replay_close(r);
    return s;
}

static void test_mdy(void)
{
    /* t = 0 is midnight of the first row's day (09/14/21), so the first
     * call (07:08) is at minute 428 = 7 * 60 + 8; 1003 (07:25) was listed
     * after 1002 (07:30) and comes first; 1005 was dispatched and arrived
     * after midnight; Arson is unmapped and gets the default type;
     * grid_place = centroid. */
    const double t0 = 7 * 60 + 8;
    const struct want w[] = {
        { t0 + 0, 1, 1, "G1", "theft", 2, -1 },
        { t0 + 17, 1, 3, "G3", "fight", 1, -1 },
        { t0 + 22, 3, 1, "G2", "theft", 2, -1 },
        { t0 + 1002, 3, 3, "G4", "noise", 3, 15 },
        { t0 + 1022, 1, 1, "G1", "noise", 3, 15 },
        { t0 + 1132, 3, 1, "G2", "theft", 2, -1 },
        { t0 + 1252, 1, 3, "G3", "theft", 2, -1 },
    };
    struct scn *s = replay_exact("tests/fixtures/replay/mdy", w, 7);
    if (!s)
        return;
    const struct rp_counts *c = &s->streams->rp.counts;
    CHECK_INT(c->read, 12);
    CHECK_INT(c->used, 7);
    CHECK_INT(c->skipped[SK_DUP], 1);
    CHECK_INT(c->skipped[SK_FILTER], 1);
    CHECK_INT(c->skipped[SK_NO_TIME], 1);
    CHECK_INT(c->skipped[SK_NO_LOC], 1);
    CHECK_INT(c->skipped[SK_OUTSIDE], 1);
    CHECK_INT(c->to_default, 1);
    CHECK_INT(c->n_type_codes, 1);
    CHECK_STR(c->type_codes[0].code, "Arson");
    CHECK_STR(c->grid_codes[0].code, "LZ0");
    CHECK_INT(c->arr_before_rec, 1);
    CHECK_INT(c->disp_before_rec, 1);
    CHECK_INT(c->arr_before_disp, 1);
    CHECK_INT(s->start_ms, ts_from_civil(2021, 9, 14, 0, 0, 0, 0));

    /* The observed timings of a run: response over 5 incidents with an
     * arrival, wait and travel over the 3 with both stamps in order. */
    struct res_layout L;
    ops_layout(s, &L);
    double *out = xcalloc(L.n, sizeof *out);
    struct ops_params p = { 7, 0, NULL };
    struct perr e;
    CHECK_INT(ops_run(s, &p, out, NULL, &e), 0);
    struct ops_blocks b;
    ops_blocks(s, &b);
    size_t o = b.obs;
    ops_blocks_release(&b);
    CHECK_NEAR(out[o + O_N_RESP], 5, 0);
    CHECK_NEAR(out[o + O_RESP_MEAN], (15 + 1 + 15 + 30 + 10) / 5.0, 1e-12);
    CHECK_NEAR(out[o + O_WAIT_MEAN], (4 + 1 + 15) / 3.0, 1e-12);
    CHECK_NEAR(out[o + O_TRAVEL_MEAN], (11 + 14 + 15) / 3.0, 1e-12);
    CHECK_NEAR(out[o + O_RESP_P50], 15, 0.05);    /* histogram bins are 0.2% wide */
    CHECK_NEAR(out[o + O_TRAVEL_P90], 15, 0.05);
    CHECK_NEAR(out[G_INCIDENTS], 7, 0);
    free(out);
    res_layout_release(&L);
    scn_free(s);
}

static void test_iso(void)
{
    /* +08:00 local, t = 0 at local midnight: a1 10:00+08, a2 02:30Z =
     * 10:30, a3 11:00 (no offset: local); a4's type 'Theft' is not an id
     * (skip); a5 is past the 1-day horizon and outside every grid. */
    const struct want w[] = {
        { 600, 0.5, 0.5, "G1", "fight", 1, 12.5 },
        { 630, 3.5, 0.25, "G2", "theft", 1, -1 },
        { 660, 1.25, 2.75, "G3", "noise", 3, 7.25 },
    };
    struct scn *s = replay_exact("tests/fixtures/replay/iso", w, 3);
    if (!s)
        return;
    const struct rp_counts *c = &s->streams->rp.counts;
    CHECK_INT(c->read, 5);
    CHECK_INT(c->skipped[SK_TYPE], 1);
    CHECK_INT(c->skipped[SK_HORIZON], 1);
    CHECK_INT(c->service_drawn, 1);
    scn_free(s);
}

static void test_epoch(void)
{
    /* UTC epoch seconds shown at -05:00; t = 0 at the configured start
     * 18:00; the window [19:00, 00:00) local; lat/lon projected around
     * (38.97, -77.01). */
    struct geo_proj pj;
    geo_proj_init(&pj, 38.97, -77.01);
    double x[3], y[3];
    geo_project(&pj, 38.98, -77.0, &x[0], &y[0]);
    geo_project(&pj, 38.99, -76.99, &x[1], &y[1]);
    geo_project(&pj, 38.975, -77.005, &x[2], &y[2]);
    const struct want w[] = {
        { 60, x[0], y[0], "G1", "theft", 2, -1 },
        { 120 + 0.5 / 60, x[1], y[1], "G3", "fight", 1, -1 },
        { 180, x[2], y[2], "G1", "noise", 3, 15 },
        { 300, x[1], y[1], "G3", "theft", 2, -1 },
    };
    struct scn *s = replay_exact("tests/fixtures/replay/epoch", w, 4);
    if (s) {
        CHECK_INT(s->streams->rp.counts.skipped[SK_NO_LOC], 1);
        scn_free(s);
    }
}

/* A scenario in a temporary folder replaying `csv` with extra [replay] keys. */
static char *tmp_replay(const char *csv, const char *keys)
{
    char *d = tu_tmpdir(), ini[8192], cwd[1024];
    PS_ASSERT(getcwd(cwd, sizeof cwd) != NULL);
    tu_write(d, "calls.csv", csv);
    snprintf(ini, sizeof ini,
             "[scenario]\nname = t\n[run]\nhorizon_days = 10\n[tables]\n"
             "grids = %s/tests/fixtures/replay/common/grids.csv\n"
             "facilities = %s/tests/fixtures/replay/common/facilities.csv\n"
             "units = %s/tests/fixtures/replay/common/units.csv\n"
             "incident_types = %s/tests/fixtures/replay/common/incident_types.csv\n"
             "[modes]\ncar = 30\n[incidents]\nsource = replay\n[replay]\nfile = calls.csv\n"
             "received_column = t\ntype_column = k\n%s\n", cwd, cwd, cwd, cwd, keys);
    tu_write(d, "scenario.ini", ini);
    return d;
}

static void test_order_and_places(void)
{
    /* Out of order by up to 3 rows: a window of 3 restores the order, ties
     * keep the file order; a window of 2 is an error naming the line. */
    const char *csv = "t,k,x,y\n"
                      "2024-01-01T00:10,theft,0.1,0.1\n"
                      "2024-01-01T00:20,fight,0.2,0.1\n"
                      "2024-01-01T00:30,noise,0.3,0.1\n"
                      "2024-01-01T00:00,theft,0.4,0.1\n"
                      "2024-01-01T00:20,noise,0.5,0.1\n"
                      "2024-01-01T00:40,fight,0.6,0.1\n";
    char *d = tmp_replay(csv, "location = xy_km\nx_column = x\ny_column = y\n"
                              "reorder_window = 3");
    const struct want w[] = {
        { 0, 0.4, 0.1, "G1", "theft", 2, -1 },
        { 10, 0.1, 0.1, "G1", "theft", 2, -1 },
        { 20, 0.2, 0.1, "G1", "fight", 1, -1 },
        { 20, 0.5, 0.1, "G1", "noise", 3, 15 },
        { 30, 0.3, 0.1, "G1", "noise", 3, 15 },
        { 40, 0.6, 0.1, "G1", "fight", 1, -1 },
    };
    scn_free(replay_exact(d, w, 6));
    tu_rmrf(d);
    free(d);
    d = tmp_replay(csv, "location = xy_km\nx_column = x\ny_column = y\nreorder_window = 2");
    struct perr e;
    int m = mute();
    struct scn *s = load(d, &e);
    unmute(m);
    CHECK(s == NULL, "a window of 2 rows cannot restore the order");
    CHECK_HAS(e.msg, "calls.csv:5: column 1 't': received 2024-01-01T00:00:00 is earlier than "
                     "line 2 (2024-01-01T00:10:00), already replayed");
    scn_free(s);
    tu_rmrf(d);
    free(d);

    /* Feet, the nearest grid for a point just outside, kept outside. */
    d = tmp_replay("t,k,x,y\n2024-01-01T00:00,theft,3280.84,3280.84\n"
                   "2024-01-01T01:00,theft,13156.17,3280.84\n",
                   "location = xy_ft\nx_column = x\ny_column = y\noutside = nearest");
    const struct want wf[] = {
        { 0, 3280.84 * 0.0003048, 3280.84 * 0.0003048, "G1", "theft", 2, -1 },
        { 60, 13156.17 * 0.0003048, 3280.84 * 0.0003048, "G2", "theft", 2, -1 },
    };
    s = replay_exact(d, wf, 2);
    if (s) {
        CHECK_INT(s->streams->rp.counts.nearest, 1);
        CHECK_NEAR(s->streams->rp.counts.nearest_max_km, 13156.17 * 0.0003048 - 4, 1e-9);
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);

    /* Grid codes placed uniformly: inside their grid, the same points for
     * the same seed and replication, other points for another. */
    d = tmp_replay("t,k,g\n2024-01-01T00:00,theft,G4\n2024-01-01T00:01,theft,G4\n",
                   "location = grid\ngrid_column = g");
    struct perr e2;
    m = mute();
    s = load(d, &e2);
    unmute(m);
    CHECK(s != NULL, "uniform placement scenario (%s)", e2.msg);
    if (s) {
        double xy[3][2];
        for (int k = 0; k < 3; k++) {
            struct inc_replay *r = inc_replay_open(s, 11, k == 2, &e2);
            struct inc_row row;
            PS_ASSERT(r && inc_replay_next(r, &row, &e2) == 1);
            xy[k][0] = row.inc.x;
            xy[k][1] = row.inc.y;
            CHECK(row.inc.grid == 3 && geo_poly_contains(&s->grids[3].poly, row.inc.x,
                                                          row.inc.y), "placed inside G4");
            inc_replay_close(r);
        }
        CHECK(xy[0][0] == xy[1][0] && xy[0][1] == xy[1][1], "same seed, same place");
        CHECK(xy[0][0] != xy[2][0], "another replication, another place");
        scn_free(s);
    }
    tu_rmrf(d);
    free(d);
}

/* Replays d; t[] and response[] of each incident (NaN: none).  Returns the
 * count, -1 when the scenario does not load (message in e). */
static int replay_times(const char *d, double *t, double *resp, int cap, struct perr *e)
{
    int m = mute();
    struct scn *s = load(d, e);
    unmute(m);
    if (!s)
        return -1;
    struct inc_replay *r = inc_replay_open(s, 7, 0, e);
    int k = 0;
    struct inc_row row;
    while (r && inc_replay_next(r, &row, e) == 1 && k < cap) {
        t[k] = row.inc.t;
        resp[k++] = row.response;
    }
    inc_replay_close(r);
    scn_free(s);
    return k;
}

static void test_dst(void)
{
    /* America/Los_Angeles falls back on 2021-11-07 at 09:00Z (01:59:59 PDT
     * -> 01:00 PST).  t = 0 is local midnight of 11-06.  Instants are put
     * on the local clock with the two 01:xx hours at half speed (08:30Z =
     * 01:30 PDT -> 01:15; 09:30Z = 01:30 PST -> 01:45); a local 01:30 is
     * kept as written and its instant is the first occurrence (PDT);
     * responses are real elapsed minutes (08:30Z -> 09:10Z is 40, although
     * the wall clock went from 01:30 to 01:10); a local arrival at 01:05
     * after a call at 01:57 is the second 01:05 (PST): 8 minutes, as on
     * the SLO log's line for case 211107013. */
    const char *fall = "t,k,x,y,a\n"
                       "2021-11-06T12:00,theft,0.1,0.1,\n"
                       "2021-11-07T08:30:00Z,theft,0.1,0.1,2021-11-07T09:10:00Z\n"
                       "2021-11-07T01:30,theft,0.1,0.1,2021-11-07T01:50\n"
                       "2021-11-07T09:30:00Z,theft,0.1,0.1,2021-11-07T02:05\n"
                       "2021-11-07T01:57,theft,0.1,0.1,2021-11-07T01:05\n"
                       "2021-11-07T07:00,theft,0.1,0.1,\n";
    const char *keys = "location = xy_km\nx_column = x\ny_column = y\narrived_column = a\n"
                       "time_zone = America/Los_Angeles";
    char *d = tmp_replay(fall, keys);
    double t[8], r[8];
    struct perr e;
    int n = replay_times(d, t, r, 8, &e);
    CHECK(n == 6, "fall-back replay: 6 incidents (%d; %s)", n, n < 0 ? e.msg : "");
    if (n == 6) {
        CHECK_NEAR(t[0], 720, 1e-9);
        CHECK_NEAR(t[1], 1440 + 75, 1e-9);
        CHECK_NEAR(t[2], 1440 + 90, 1e-9);
        CHECK_NEAR(t[3], 1440 + 105, 1e-9);
        CHECK_NEAR(t[4], 1440 + 117, 1e-9);
        CHECK_NEAR(r[4], 8, 1e-9);
        CHECK_NEAR(t[5], 1440 + 420, 1e-9);     /* 07:00 PST: the clock, not 8 h of time */
        CHECK_NEAR(r[1], 40, 1e-9);
        CHECK_NEAR(r[2], 20, 1e-9);
        CHECK_NEAR(r[3], 35, 1e-9);             /* 09:30Z -> 02:05 PST = 10:05Z */
        CHECK(isnan(r[0]), "no arrival, no response");
    }
    tu_rmrf(d);
    free(d);

    /* The fixed offset stays an option: -08:00 all year. */
    d = tmp_replay(fall, "location = xy_km\nx_column = x\ny_column = y\narrived_column = a\n"
                         "utc_offset = -08:00\nreorder_window = 4");
    n = replay_times(d, t, r, 8, &e);
    CHECK(n == 6, "fixed offset replay (%d; %s)", n, n < 0 ? e.msg : "");
    if (n == 6) {
        CHECK_NEAR(t[1], 1440 + 30, 1e-9);      /* 08:30Z at -08:00 */
        CHECK_NEAR(t[2], 1440 + 90, 1e-9);
        CHECK_NEAR(r[2], 20, 1e-9);
        CHECK(isnan(r[4]), "01:57 -> 01:05 runs backwards without a zone");
    }
    tu_rmrf(d);
    free(d);

    /* Spring-forward on 2022-03-13 at 10:00Z (01:59:59 PST -> 03:00 PDT).
     * 09:59Z is 01:59; 10:00Z is 03:00, and no instant lands in 02:xx; a
     * local 02:30 (a clock not yet moved) stays at 02:30 and is read as
     * standard time, 10:30Z, so its arrival at 03:40 PDT is 10 minutes. */
    const char *spring = "t,k,x,y,a\n"
                         "2022-03-12T23:00,theft,0.1,0.1,\n"
                         "2022-03-13T09:59:00Z,theft,0.1,0.1,2022-03-13T10:01:00Z\n"
                         "2022-03-13T02:30,theft,0.1,0.1,2022-03-13T03:40\n"
                         "2022-03-13T10:00:00Z,theft,0.1,0.1,2022-03-13T03:05\n";
    d = tmp_replay(spring, keys);
    n = replay_times(d, t, r, 8, &e);
    CHECK(n == 4, "spring-forward replay: 4 incidents (%d; %s)", n, n < 0 ? e.msg : "");
    if (n == 4) {
        CHECK_NEAR(t[0], 1380, 1e-9);
        CHECK_NEAR(t[1], 1440 + 119, 1e-9);
        CHECK_NEAR(t[2], 1440 + 150, 1e-9);
        CHECK_NEAR(t[3], 1440 + 180, 1e-9);
        CHECK_NEAR(r[1], 2, 1e-9);
        CHECK_NEAR(r[2], 10, 1e-9);
        CHECK_NEAR(r[3], 5, 1e-9);
    }
    tu_rmrf(d);
    free(d);

    /* Bad settings name the key. */
    d = tmp_replay(spring, "location = xy_km\nx_column = x\ny_column = y\n"
                           "time_zone = Pacific/Nowhere");
    n = replay_times(d, t, r, 8, &e);
    CHECK(n < 0, "an unknown zone is refused");
    CHECK_HAS(e.msg, "[replay] time_zone: time zone 'Pacific/Nowhere': cannot open");
    tu_rmrf(d);
    free(d);
    d = tmp_replay(spring, "location = xy_km\nx_column = x\ny_column = y\n"
                           "time_zone = America/Los_Angeles\nutc_offset = -08:00");
    n = replay_times(d, t, r, 8, &e);
    CHECK(n < 0, "time_zone with utc_offset is refused");
    CHECK_HAS(e.msg, "scenario.ini:");
    CHECK_HAS(e.msg, "[replay] time_zone: cannot be set with utc_offset");
    tu_rmrf(d);
    free(d);
}

int main(void)
{
    test_ts();
    test_rings();
    test_geojson();
    test_mdy();
    test_iso();
    test_epoch();
    test_order_and_places();
    test_dst();
    return tc_done();
}
