/* streams.c - scenario keys and tables of the incident streams.
 *
 * The keys of [replay], [nhpp], [geo] and the stream keys of [incidents] are
 * rows of the key table (scn_keys.c), checked and stored in s->streams by the
 * generic INI code like every other key.  Once every table is loaded,
 * scn__streams_finish reads the tables these keys name
 * (arrival profile, seasonal factors, hotspots, grid weights, type mix,
 * type and grid code maps), checks what needs several keys together, and,
 * for a replay, reads the whole CSV once (inc__replay_check) so that a bad
 * row stops the load with its file:line before anything runs or is written.
 *
 * The keys are documented in docs/incident-streams.md.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "csvr.h"
#include "inc_priv.h"
#include "scn_priv.h"
#include "ts.h"

/* ---- configuration ------------------------------------------------------------ */

/* The defaults the key table cannot state: open windows, no default type.
 * Everything else starts from the key table's defaults (scn_ini.c). */
struct inc_streams *scn__streams_new(struct scn *s)
{
    struct inc_streams *c = scn__alloc(s, sizeof *c);
    c->rp.from_ms = INT64_MIN;
    c->rp.to_ms = INT64_MAX;
    c->rp.default_type = -1;
    return c;
}

static int word(const char *val, const char *const *words, int *out)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(val, words[i]) == 0)
            return *out = i, 0;
    return -1;
}

/* An error about a key of a stream section, at the line that set it. */
static int key_err(const struct scn *s, const char *sec, const char *key, struct perr *e,
                   const char *fmt, ...) ERR_PRINTF(5, 6);
static int key_err(const struct scn *s, const char *sec, const char *key, struct perr *e,
                   const char *fmt, ...)
{
    char w[512], msg[ERR_MSG_MAX];
    scn__where(s, scn__key_line(s, sec, key), w, sizeof w);
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    return err_set(e, "%s[%s] %s: %s", w, sec, key, msg);
}

/* ---- tables ------------------------------------------------------------------ */

struct tbl {
    struct csvr *r;
    int col[12];
};

static int tbl_open(struct scn *s, struct tbl *t, const char *file, const char *const *known,
                    const char *const *required, struct perr *e)
{
    const char *path = scn__path(s, file);
    t->r = csvr_open(path, e);
    if (!t->r)
        return -1;
    scn__input_add(s, path);
    if (csvr_header(t->r, known, required, t->col, e) < 0) {
        csvr_close(t->r);
        t->r = NULL;
        return -1;
    }
    return 0;
}

/* Next row: 1, 0 at the end (an error if the table had no rows), -1. */
static int tbl_next(struct tbl *t, int nrows, struct perr *e)
{
    int rc = csvr_next(t->r, e);
    if (rc == 0 && nrows == 0)
        return err_set(e, "%s: no data rows after the header; the table needs at least "
                       "one row", csvr_path(t->r));
    return rc;
}

static int cmp_code(const void *a, const void *b)
{
    return strcmp(**(const char *const *const *)a, **(const char *const *const *)b);
}

/* A code -> id table (type_map, grid_map): each code once, each target an
 * id found by find. */
static int load_codemap(struct scn *s, const char *file, const char *target,
                        int (*find)(const struct scn *, const char *),
                        struct inc_codemap *m, struct perr *e)
{
    const char *known[] = { "code", target, NULL };
    struct tbl t;
    int rc = -1, n = 0, cap = 0;
    struct ent { const char *code; int idx; long line; } *ent = NULL;
    if (tbl_open(s, &t, file, known, known, e) < 0)
        return -1;
    for (;;) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        const char *code = csvr_get(t.r, t.col[0]), *id = csvr_get(t.r, t.col[1]);
        if (!*code) {
            csvr_error(t.r, t.col[0], "code", e, "a code is required, got an empty value");
            goto out;
        }
        int idx = find(s, id);
        if (idx < 0) {
            csvr_error(t.r, t.col[1], target, e, "unknown %s '%s'",
                       strcmp(target, "type") == 0 ? "incident type" : "grid", id);
            goto out;
        }
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            ent = xrealloc(ent, (size_t)cap * sizeof *ent);
        }
        ent[n++] = (struct ent){ scn__strdup(s, code), idx, csvr_line(t.r) };
    }
    /* Sort pointers to the entries so a duplicate can name both lines. */
    struct ent **ord = xmalloc((size_t)n * sizeof *ord);
    for (int i = 0; i < n; i++)
        ord[i] = &ent[i];
    qsort(ord, (size_t)n, sizeof *ord, cmp_code);
    long dup = 0, first = 0;
    const char *dcode = NULL;
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(ord[i]->code, ord[i + 1]->code) == 0) {
            long a = ord[i]->line < ord[i + 1]->line ? ord[i]->line : ord[i + 1]->line;
            long b = a == ord[i]->line ? ord[i + 1]->line : ord[i]->line;
            if (!dup || b < dup)
                dup = b, first = a, dcode = ord[i]->code;
        }
    if (dup) {
        err_set(e, "%s:%ld: column %d 'code': code '%s' is listed twice (first at line %ld)",
                csvr_path(t.r), dup, t.col[0] + 1, dcode, first);
        free(ord);
        goto out;
    }
    m->n = n;
    m->code = scn__alloc(s, (size_t)(n ? n : 1) * sizeof *m->code);
    m->idx = scn__alloc(s, (size_t)(n ? n : 1) * sizeof *m->idx);
    for (int i = 0; i < n; i++) {
        m->code[i] = ord[i]->code;
        m->idx[i] = ord[i]->idx;
    }
    free(ord);
    rc = 0;
out:
    free(ent);
    csvr_close(t.r);
    return rc;
}

static int find_type(const struct scn *s, const char *id)
{
    for (int i = 0; i < s->n_itypes; i++)
        if (strcmp(s->itypes[i].id, id) == 0)
            return i;
    return -1;
}

int inc__codemap_find(const struct inc_codemap *m, const char *code)
{
    int lo = 0, hi = m->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        int c = strcmp(m->code[mid], code);
        if (c == 0)
            return m->idx[mid];
        if (c < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return -1;
}

/* [incidents] grid_weights: grid,weight; unlisted grids get weight 0. */
static int load_grid_weights(struct scn *s, struct perr *e)
{
    static const char *const known[] = { "grid", "weight", NULL };
    struct tbl t;
    int n = 0, rc = -1;
    char *seen = xcalloc((size_t)s->n_grids + 1, 1);
    double *w = xcalloc((size_t)s->n_grids + 1, sizeof *w);
    if (tbl_open(s, &t, s->streams->grid_weights_file, known, known, e) < 0)
        goto out0;
    for (;; n++) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        const char *id = csvr_get(t.r, t.col[0]);
        int g = scn_grid_find(s, id);
        if (g < 0) {
            csvr_error(t.r, t.col[0], "grid", e, "unknown grid '%s'", id);
            goto out;
        }
        if (seen[g]) {
            csvr_error(t.r, t.col[0], "grid", e, "grid '%s' is listed twice", id);
            goto out;
        }
        seen[g] = 1;
        if (scn__csv_double(t.r, t.col[1], "weight", 0, HUGE_VAL, &w[g], e) < 0)
            goto out;
    }
    double sum = 0;
    for (int g = 0; g < s->n_grids; g++)
        sum += w[g];
    if (!(sum > 0)) {
        err_set(e, "%s: every weight is 0; at least one grid needs weight > 0",
                csvr_path(t.r));
        goto out;
    }
    for (int g = 0; g < s->n_grids; g++)
        s->grids[g].weight = w[g];
    rc = 0;
out:
    csvr_close(t.r);
out0:
    free(seen);
    free(w);
    return rc;
}

/* [incidents] type_mix: type,share[,service,mean_min,sd_min]; replaces the
 * shares of incident_types.csv (unlisted types get 0) and, where a service
 * is given, the on-scene distribution ( `patrolsim fit` writes it). */
static int load_type_mix(struct scn *s, struct perr *e)
{
    static const char *const known[] = { "type", "share", "service", "mean_min", "sd_min",
                                         "n", "n_onscene", NULL };
    static const char *const req[] = { "type", "share", NULL };
    static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed", NULL };
    static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                             SVC_FIXED };
    struct tbl t;
    int n = 0, rc = -1;
    char *seen = xcalloc((size_t)s->n_itypes + 1, 1);
    double *sh = xcalloc((size_t)s->n_itypes + 1, sizeof *sh);
    if (tbl_open(s, &t, s->streams->type_mix_file, known, req, e) < 0)
        goto out0;
    for (;; n++) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        const char *id = csvr_get(t.r, t.col[0]);
        int k = find_type(s, id);
        if (k < 0) {
            csvr_error(t.r, t.col[0], "type", e, "unknown incident type '%s'", id);
            goto out;
        }
        if (seen[k]) {
            csvr_error(t.r, t.col[0], "type", e, "type '%s' is listed twice", id);
            goto out;
        }
        seen[k] = 1;
        if (scn__csv_double(t.r, t.col[1], "share", 0, HUGE_VAL, &sh[k], e) < 0)
            goto out;
        const char *svc = csvr_get(t.r, t.col[2]);
        if (!*svc)
            continue;
        int d;
        if (word(svc, dists, &d) < 0) {
            csvr_error(t.r, t.col[2], "service", e, "expected exponential, lognormal, gamma "
                       "or fixed, got '%s'", svc);
            goto out;
        }
        struct scn_itype *it = &s->itypes[k];
        double mean, sd = 0;
        if (scn__csv_double(t.r, t.col[3], "mean_min", 1e-9, HUGE_VAL, &mean, e) < 0)
            goto out;
        if ((dist_of[d] == SVC_LOGNORMAL || dist_of[d] == SVC_GAMMA) &&
            scn__csv_double(t.r, t.col[4], "sd_min", 1e-9, HUGE_VAL, &sd, e) < 0)
            goto out;
        it->dist = dist_of[d];
        it->mean_min = mean;
        it->sd_min = sd;
    }
    double sum = 0;
    for (int k = 0; k < s->n_itypes; k++)
        sum += sh[k];
    if (!(sum > 0)) {
        err_set(e, "%s: the shares sum to 0; at least one type needs share > 0",
                csvr_path(t.r));
        goto out;
    }
    for (int k = 0; k < s->n_itypes; k++)
        s->itypes[k].share = sh[k];
    rc = 0;
out:
    csvr_close(t.r);
out0:
    free(seen);
    free(sh);
    return rc;
}

static const char *const wday_cols[7] = { "mon", "tue", "wed", "thu", "fri", "sat", "sun" };

/* [nhpp] profile: hour plus either factor (every day alike) or one column
 * per weekday; normalised to a mean of 1 over the 168 hours of a week. */
static int load_profile(struct scn *s, struct perr *e)
{
    static const char *const known[] = { "hour", "factor", "mon", "tue", "wed", "thu", "fri",
                                         "sat", "sun", NULL };
    static const char *const req[] = { "hour", NULL };
    struct nhpp_cfg *nh = &s->streams->nh;
    struct tbl t;
    int n = 0, rc = -1;
    long seen[24] = { 0 };
    if (tbl_open(s, &t, nh->profile_file, known, req, e) < 0)
        return -1;
    int flat = t.col[1] >= 0, week = 0;
    for (int d = 0; d < 7; d++)
        week += t.col[2 + d] >= 0;
    if (flat == (week > 0) || (week && week != 7)) {
        err_set(e, "%s:1: expected the columns hour and factor (the same profile every "
                "day), or hour and mon, tue, wed, thu, fri, sat, sun", csvr_path(t.r));
        goto out;
    }
    for (;; n++) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        long h;
        if (scn__csv_int(t.r, t.col[0], "hour", 0, 23, &h, e) < 0)
            goto out;
        if (seen[h]) {
            csvr_error(t.r, t.col[0], "hour", e, "hour %ld is listed twice (first at line "
                       "%ld)", h, seen[h]);
            goto out;
        }
        seen[h] = csvr_line(t.r);
        for (int d = 0; d < 7; d++) {
            int c = flat ? t.col[1] : t.col[2 + d];
            if (scn__csv_double(t.r, c, flat ? "factor" : wday_cols[d], 0, 1e9,
                            &nh->factor[d][h], e) < 0)
                goto out;
        }
    }
    for (int h = 0; h < 24; h++)
        if (!seen[h]) {
            err_set(e, "%s: hour %d is missing; the profile needs the 24 hours 0..23",
                    csvr_path(t.r), h);
            goto out;
        }
    double sum = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            sum += nh->factor[d][h];
    if (!(sum > 0)) {
        err_set(e, "%s: every factor is 0; the profile needs a factor > 0", csvr_path(t.r));
        goto out;
    }
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            nh->factor[d][h] *= 168.0 / sum;
    rc = 0;
out:
    csvr_close(t.r);
    return rc;
}

/* [nhpp] seasonal: month (1..12), factor; all twelve, normalised so that
 * the day-weighted mean over a 365-day year is 1. */
static int load_seasonal(struct scn *s, struct perr *e)
{
    static const char *const known[] = { "month", "factor", NULL };
    static const int mdays[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    struct nhpp_cfg *nh = &s->streams->nh;
    struct tbl t;
    int n = 0, rc = -1;
    long seen[13] = { 0 };
    if (tbl_open(s, &t, nh->seasonal_file, known, known, e) < 0)
        return -1;
    for (;; n++) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        long m;
        if (scn__csv_int(t.r, t.col[0], "month", 1, 12, &m, e) < 0)
            goto out;
        if (seen[m]) {
            csvr_error(t.r, t.col[0], "month", e, "month %ld is listed twice (first at "
                       "line %ld)", m, seen[m]);
            goto out;
        }
        seen[m] = csvr_line(t.r);
        if (scn__csv_double(t.r, t.col[1], "factor", 0, 1e9, &nh->month[m - 1], e) < 0)
            goto out;
    }
    double sum = 0;
    for (int m = 1; m <= 12; m++) {
        if (!seen[m]) {
            err_set(e, "%s: month %d is missing; the table needs the 12 months", csvr_path(t.r),
                    m);
            goto out;
        }
        sum += nh->month[m - 1] * mdays[m - 1];
    }
    if (!(sum > 0)) {
        err_set(e, "%s: every factor is 0", csvr_path(t.r));
        goto out;
    }
    for (int m = 0; m < 12; m++)
        nh->month[m] *= 365.0 / sum;
    rc = 0;
out:
    csvr_close(t.r);
    return rc;
}

/* [nhpp] hotspots: id, x, y (km) or lat, lon, sd_km, weight.  The centre
 * must lie in a grid so that draws around it land in one with positive
 * probability (they are redrawn until they do). */
static int load_hotspots(struct scn *s, struct perr *e)
{
    static const char *const known[] = { "id", "x", "y", "lat", "lon", "sd_km", "weight",
                                         NULL };
    static const char *const req[] = { "sd_km", NULL };
    struct nhpp_cfg *nh = &s->streams->nh;
    struct tbl t;
    int n = 0, cap = 0, rc = -1;
    if (tbl_open(s, &t, nh->hotspots_file, known, req, e) < 0)
        return -1;
    int xy = t.col[1] >= 0 && t.col[2] >= 0, ll = t.col[3] >= 0 && t.col[4] >= 0;
    if (xy == ll) {
        err_set(e, "%s:1: expected the columns x and y (km) or lat and lon (degrees)",
                csvr_path(t.r));
        goto out;
    }
    if (ll && !s->has_proj) {
        err_set(e, "%s:1: lat/lon hotspots need a projection: set [geo] origin_lat and "
                "origin_lon, or read the grids from GeoJSON", csvr_path(t.r));
        goto out;
    }
    for (;; n++) {
        int r = tbl_next(&t, n, e);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (n == cap) {
            struct nhpp_hotspot *h = scn__alloc(s, (size_t)(cap ? 2 * cap : 16) * sizeof *h);
            if (n)
                memcpy(h, nh->hot, (size_t)n * sizeof *h);
            nh->hot = h;
            cap = cap ? 2 * cap : 16;
        }
        struct nhpp_hotspot *h = &nh->hot[n];
        double a, b;
        if (ll) {
            if (scn__csv_double(t.r, t.col[3], "lat", -90, 90, &a, e) < 0 ||
                scn__csv_double(t.r, t.col[4], "lon", -180, 180, &b, e) < 0)
                goto out;
            geo_project(&s->proj, a, b, &h->x, &h->y);
        } else if (scn__csv_double(t.r, t.col[1], "x", -HUGE_VAL, HUGE_VAL, &h->x, e) < 0 ||
                   scn__csv_double(t.r, t.col[2], "y", -HUGE_VAL, HUGE_VAL, &h->y, e) < 0) {
            goto out;
        }
        if (scn__csv_double(t.r, t.col[5], "sd_km", 1e-9, HUGE_VAL, &h->sd_km, e) < 0)
            goto out;
        h->weight = 1;
        if (*csvr_get(t.r, t.col[6]) &&
            scn__csv_double(t.r, t.col[6], "weight", 0, HUGE_VAL, &h->weight, e) < 0)
            goto out;
        if (geo_index_locate(s->grid_index, h->x, h->y) < 0) {
            csvr_error(t.r, -1, "x/y", e, "hotspot centre (%.6g, %.6g) km lies in no grid",
                       h->x, h->y);
            goto out;
        }
    }
    double sum = 0;
    for (int i = 0; i < n; i++)
        sum += nh->hot[i].weight;
    if (!(sum > 0)) {
        err_set(e, "%s: every weight is 0", csvr_path(t.r));
        goto out;
    }
    nh->n_hot = n;
    rc = 0;
out:
    csvr_close(t.r);
    return rc;
}

/* ---- cross-checks ---------------------------------------------------------------- */

static int check_nhpp(struct scn *s, struct perr *e)
{
    struct inc_streams *c = s->streams;
    struct nhpp_cfg *nh = &c->nh;
    for (int m = 0; m < 12; m++)
        nh->month[m] = 1;
    if (!nh->profile_file)
        return err_set(e, "%s: [incidents] source = nhpp needs [nhpp] profile (a table of "
                       "hour-of-day x weekday factors)", s->ini_path);
    if (load_profile(s, e) < 0 || (nh->seasonal_file && load_seasonal(s, e) < 0) ||
        (nh->hotspots_file && load_hotspots(s, e) < 0))
        return -1;
    double fmax = 0, mmax = 0;
    for (int d = 0; d < 7; d++)
        for (int h = 0; h < 24; h++)
            fmax = fmax > nh->factor[d][h] ? fmax : nh->factor[d][h];
    for (int m = 0; m < 12; m++)
        mmax = mmax > nh->month[m] ? mmax : nh->month[m];
    nh->max_factor = fmax * mmax;
    return 0;
}

static int check_replay(struct scn *s, struct perr *e)
{
    struct inc_streams *c = s->streams;
    struct rp_cfg *rp = &c->rp;
    const char *R = "replay";
    if (!rp->file)
        return err_set(e, "%s: [incidents] source = replay needs [replay] file (the CSV to "
                       "replay)", s->ini_path);
    rp->path = scn__path(s, rp->file);
    scn__input_add(s, rp->path);
    if (!rp->col[RC_RECEIVED])
        return err_set(e, "%s: [replay] received_column is required (the column with the "
                       "time each call was received)", s->ini_path);
    if (rp->tfmt == RP_MDY_HM && !rp->col[RC_DATE])
        return key_err(s, R, "time_format", e, "mdy_hm needs date_column (the "
                       "MM/DD/YY column the HH:MM columns belong to)");
    if (rp->tfmt != RP_MDY_HM && rp->col[RC_DATE])
        return key_err(s, R, "date_column", e, "is only used with "
                       "time_format = mdy_hm");
    if (rp->from_ms >= rp->to_ms && rp->to_ms != INT64_MAX)
        return key_err(s, R, "to", e, "must be later than from");
    if (rp->time_zone) {
        if (scn__key_line(s, R, "utc_offset"))
            return key_err(s, R, "time_zone", e, "cannot be set with utc_offset; keep one "
                           "(a zone name for daylight saving, a fixed offset otherwise)");
        struct perr ze;
        struct ts_zone *z = ts_zone_load(rp->time_zone, &ze);
        if (!z)
            return key_err(s, R, "time_zone", e, "%s", ze.msg);
        ts_zone_free(z);
    }
    static const struct { enum rp_loc loc; int a, b; const char *need; } loc_cols[] = {
        { RP_XY_KM, RC_X, RC_Y, "x_column and y_column" },
        { RP_XY_FT, RC_X, RC_Y, "x_column and y_column" },
        { RP_LATLON, RC_LAT, RC_LON, "lat_column and lon_column" },
        { RP_GRID, RC_GRID, RC_GRID, "grid_column" },
    };
    const char *locw[] = { "xy_km", "xy_ft", "latlon", "grid" };
    if (!rp->col[loc_cols[rp->loc].a] || !rp->col[loc_cols[rp->loc].b])
        return key_err(s, R, "location", e, "%s needs %s", locw[rp->loc],
                       loc_cols[rp->loc].need);
    if (rp->loc == RP_LATLON && !s->has_proj)
        return key_err(s, R, "location", e, "latlon needs a projection: set "
                       "[geo] origin_lat and origin_lon, or read the grids from GeoJSON");
    if (rp->loc == RP_GRID && (rp->outside == RP_OUT_NEAREST || rp->outside == RP_OUT_KEEP))
        return key_err(s, R, "outside", e, "with location = grid a code that "
                       "maps to no grid has no place: use error or skip");
    if (rp->grid_map_file && rp->loc != RP_GRID)
        return key_err(s, R, "grid_map", e, "is only used with location = grid");
    if (rp->default_type_id) {
        rp->default_type = find_type(s, rp->default_type_id);
        if (rp->default_type < 0)
            return key_err(s, R, "default_type", e, "unknown incident type "
                           "'%s'", rp->default_type_id);
    }
    if (!rp->col[RC_TYPE] && rp->default_type < 0)
        return err_set(e, "%s: [replay] needs type_column, or default_type when the file "
                       "has no type", s->ini_path);
    if (rp->unmapped == RP_TO_DEFAULT && rp->default_type < 0)
        return key_err(s, R, "unmapped_type", e, "default needs [replay] "
                       "default_type");
    if (!!rp->col[RC_FILTER] != (rp->n_filter > 0))
        return err_set(e, "%s: [replay] filter_column and filter_values go together",
                       s->ini_path);
    if (rp->service_data && !rp->col[RC_SERVICE] &&
        !(rp->col[RC_ARRIVED] && rp->col[RC_CLEARED]))
        return key_err(s, R, "service", e, "data needs service_column, or "
                       "arrived_column and cleared_column");
    if (rp->type_map_file &&
        load_codemap(s, rp->type_map_file, "type", find_type, &rp->type_map, e) < 0)
        return -1;
    if (rp->grid_map_file &&
        load_codemap(s, rp->grid_map_file, "grid", scn_grid_find, &rp->grid_map, e) < 0)
        return -1;
    return inc__replay_check(s, e);
}

int scn__streams_finish(struct scn *s, struct perr *e)
{
    struct inc_streams *c = s->streams;
    if (c->origin_lat_set != c->origin_lon_set)
        return err_set(e, "%s: [geo] origin_lat and origin_lon go together", s->ini_path);
    if (c->origin_lat_set && !s->has_proj) {
        geo_proj_init(&s->proj, c->origin_lat, c->origin_lon);
        s->has_proj = true;
    }
    if (!c->start_set)
        s->start_ms = ts_from_civil(2024, 1, 1, 0, 0, 0, 0);   /* replaced by a replay */
    if (c->grid_weights_file && load_grid_weights(s, e) < 0)
        return -1;
    if (c->type_mix_file && load_type_mix(s, e) < 0)
        return -1;
    if (scn__load_points(s, e) < 0)
        return -1;
    if (strcmp(s->source, "nhpp") == 0)
        return check_nhpp(s, e);
    if (strcmp(s->source, "replay") == 0)
        return check_replay(s, e);
    return 0;
}
