/* streams.c - scenario keys and tables of the incident streams.
 *
 * scn.c hands every key of [replay], [nhpp], [geo] and the stream keys of
 * [incidents] to scn__stream_key, which checks the value at once (so the
 * message names the INI line) and records it in s->streams.  Once every
 * table is loaded, scn__streams_finish reads the tables these keys name
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

/* ---- keys ------------------------------------------------------------------- */

enum q {
    Q_START, Q_GRID_WEIGHTS, Q_TYPE_MIX,
    Q_FILE, Q_TFMT, Q_UTC, Q_SERVICE, Q_ROLLOVER, Q_FROM, Q_TO, Q_WINDOW, Q_LOCATION,
    Q_GRID_MAP, Q_GRID_PLACE, Q_OUTSIDE, Q_TYPE_MAP, Q_UNMAPPED, Q_DEFAULT_TYPE,
    Q_FILTER_VALUES, Q_COLUMN,
    Q_PROFILE, Q_SEASONAL, Q_HOTSPOTS,
    Q_ORIGIN_LAT, Q_ORIGIN_LON, Q_ID_PROP, Q_NAME_PROP, Q_WEIGHT_PROP,
    Q_N
};

const char *const inc__col_key[RC_N] = {
    "date_column", "received_column", "dispatched_column", "arrived_column",
    "cleared_column", "service_column", "x_column", "y_column", "lat_column",
    "lon_column", "grid_column", "type_column", "priority_column", "filter_column",
    "dedup_column",
};

static const struct { const char *sec, *key; enum q q; } qkeys[] = {
    { "incidents", "start", Q_START },
    { "incidents", "grid_weights", Q_GRID_WEIGHTS },
    { "incidents", "type_mix", Q_TYPE_MIX },
    { "replay", "file", Q_FILE },
    { "replay", "time_format", Q_TFMT },
    { "replay", "utc_offset", Q_UTC },
    { "replay", "service", Q_SERVICE },
    { "replay", "rollover_hours", Q_ROLLOVER },
    { "replay", "from", Q_FROM },
    { "replay", "to", Q_TO },
    { "replay", "reorder_window", Q_WINDOW },
    { "replay", "location", Q_LOCATION },
    { "replay", "grid_map", Q_GRID_MAP },
    { "replay", "grid_place", Q_GRID_PLACE },
    { "replay", "outside", Q_OUTSIDE },
    { "replay", "type_map", Q_TYPE_MAP },
    { "replay", "unmapped_type", Q_UNMAPPED },
    { "replay", "default_type", Q_DEFAULT_TYPE },
    { "replay", "filter_values", Q_FILTER_VALUES },
    { "nhpp", "profile", Q_PROFILE },
    { "nhpp", "seasonal", Q_SEASONAL },
    { "nhpp", "hotspots", Q_HOTSPOTS },
    { "geo", "origin_lat", Q_ORIGIN_LAT },
    { "geo", "origin_lon", Q_ORIGIN_LON },
    { "geo", "id_property", Q_ID_PROP },
    { "geo", "name_property", Q_NAME_PROP },
    { "geo", "weight_property", Q_WEIGHT_PROP },
};

#define MAX_WINDOW 1000000

_Static_assert((int)Q_N + RC_N <= INC_STREAM_KEYS, "inc_streams.line is too short");

/* The stream configuration of s, created with its defaults on first use. */
static struct inc_streams *cfg(struct scn *s)
{
    if (s->streams)
        return s->streams;
    struct inc_streams *c = scn__alloc(s, sizeof *c);
    c->rp.tfmt = RP_ISO;
    c->rp.rollover_h = 6;
    c->rp.from_ms = INT64_MIN;
    c->rp.to_ms = INT64_MAX;
    c->rp.reorder_window = 1000;
    c->rp.loc = RP_GRID;
    c->rp.place = RP_UNIFORM;
    c->rp.outside = RP_OUT_ERROR;
    c->rp.unmapped = RP_ERROR;
    c->rp.default_type = -1;
    c->id_property = "id";
    s->streams = c;
    return c;
}

static int bad(struct perr *e, const char *w, const char *sec, const char *key,
               const char *what, const char *val)
{
    return err_set(e, "%s[%s] %s: expected %s, got '%s'", w, sec, key, what, val);
}

static int word(const char *val, const char *const *words, int *out)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(val, words[i]) == 0)
            return *out = i, 0;
    return -1;
}

/* A local date-time without offset: the calendar of the data. */
static int local_time(const char *val, int64_t *out)
{
    int off;
    return ts_parse_iso(val, out, &off) == 0 && off == INT32_MIN ? 0 : -1;
}

static int number(const char *val, double lo, double hi, double *out)
{
    char *end;
    if (!*val || strspn(val, "+-.0123456789eE") != strlen(val))
        return -1;
    double v = strtod(val, &end);
    if (*end || !isfinite(v) || v < lo || v > hi)
        return -1;
    *out = v;
    return 0;
}

/* "a; b; c" into an arena array of trimmed, non-empty values. */
static int split_list(struct scn *s, const char *val, const char ***out)
{
    int n = 1;
    for (const char *p = val; *p; p++)
        n += *p == ';';
    const char **v = scn__alloc(s, (size_t)n * sizeof *v);
    int k = 0;
    for (const char *p = val;;) {
        const char *q = strchr(p, ';');
        const char *b = p, *end = q ? q : p + strlen(p);
        while (b < end && (*b == ' ' || *b == '\t'))
            b++;
        while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > b) {
            char *t = scn__alloc(s, (size_t)(end - b) + 1);
            memcpy(t, b, (size_t)(end - b));
            v[k++] = t;
        }
        if (!q)
            break;
        p = q + 1;
    }
    *out = v;
    return k;
}

int scn__stream_key(struct scn *s, const char *sec, const char *key, const char *val,
                    int line, const char *w, struct perr *e)
{
    struct inc_streams *c = cfg(s);
    struct rp_cfg *rp = &c->rp;
    size_t nq = sizeof qkeys / sizeof *qkeys;
    size_t i = 0;
    enum q q = Q_N;
    int col = -1;
    while (i < nq && !(strcmp(qkeys[i].sec, sec) == 0 && strcmp(qkeys[i].key, key) == 0))
        i++;
    if (i < nq) {
        q = qkeys[i].q;
    } else if (strcmp(sec, "replay") == 0) {
        for (col = 0; col < RC_N && strcmp(inc__col_key[col], key) != 0; col++)
            ;
        if (col < RC_N)
            q = Q_COLUMN;
    }
    /* scn.c passes only the keys of its table, which lists ours. */
    PS_ASSERT(q != Q_N);
    c->line[q == Q_COLUMN ? (int)Q_N + col : (int)q] = line;

    int idx;
    double v;
    switch (q) {
    case Q_START:
        if (local_time(val, &s->start_ms) < 0)
            return bad(e, w, sec, key, "a local date and time YYYY-MM-DD[THH:MM[:SS]] "
                       "without offset", val);
        c->start_set = true;
        return 0;
    case Q_FROM:
    case Q_TO:
        if (local_time(val, q == Q_FROM ? &rp->from_ms : &rp->to_ms) < 0)
            return bad(e, w, sec, key, "a local date and time YYYY-MM-DD[THH:MM[:SS]] "
                       "without offset", val);
        return 0;
    case Q_GRID_WEIGHTS:
    case Q_TYPE_MIX:
    case Q_FILE:
    case Q_GRID_MAP:
    case Q_TYPE_MAP:
    case Q_PROFILE:
    case Q_SEASONAL:
    case Q_HOTSPOTS: {
        if (!*val)
            return bad(e, w, sec, key, "a file name", val);
        const char *f = scn__strdup(s, val);
        const char **dst[] = {
            [Q_GRID_WEIGHTS] = &c->grid_weights_file, [Q_TYPE_MIX] = &c->type_mix_file,
            [Q_FILE] = &rp->file, [Q_GRID_MAP] = &rp->grid_map_file,
            [Q_TYPE_MAP] = &rp->type_map_file, [Q_PROFILE] = &c->nh.profile_file,
            [Q_SEASONAL] = &c->nh.seasonal_file, [Q_HOTSPOTS] = &c->nh.hotspots_file,
        };
        *dst[q] = f;
        return 0;
    }
    case Q_TFMT: {
        static const char *const f[] = { "iso8601", "epoch", "mdy_hm", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "iso8601, epoch or mdy_hm", val);
        rp->tfmt = (enum rp_tfmt)idx;
        return 0;
    }
    case Q_UTC:
        if (ts_parse_offset(val, &rp->utc_offset_min) < 0)
            return bad(e, w, sec, key, "a fixed UTC offset such as +08:00, -0500 or Z", val);
        return 0;
    case Q_SERVICE: {
        static const char *const f[] = { "sample", "data", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "sample or data", val);
        rp->service_data = idx == 1;
        return 0;
    }
    case Q_ROLLOVER:
        if (number(val, 0, 23.99, &rp->rollover_h) < 0)
            return bad(e, w, sec, key, "hours in [0, 23.99]", val);
        return 0;
    case Q_WINDOW:
        if (number(val, 0, MAX_WINDOW, &v) < 0 || v != floor(v))
            return bad(e, w, sec, key, "an integer in [0, 1000000] (rows)", val);
        rp->reorder_window = (int)v;
        return 0;
    case Q_LOCATION: {
        static const char *const f[] = { "xy_km", "xy_ft", "latlon", "grid", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "xy_km, xy_ft, latlon or grid", val);
        rp->loc = (enum rp_loc)idx;
        return 0;
    }
    case Q_GRID_PLACE: {
        static const char *const f[] = { "uniform", "centroid", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "uniform or centroid", val);
        rp->place = (enum rp_place)idx;
        return 0;
    }
    case Q_OUTSIDE: {
        static const char *const f[] = { "error", "skip", "nearest", "keep", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "error, skip, nearest or keep", val);
        rp->outside = (enum rp_outside)idx;
        return 0;
    }
    case Q_UNMAPPED: {
        static const char *const f[] = { "default", "skip", "error", NULL };
        if (word(val, f, &idx) < 0)
            return bad(e, w, sec, key, "default, skip or error", val);
        rp->unmapped = (enum rp_unmapped)idx;
        return 0;
    }
    case Q_DEFAULT_TYPE:
        if (!*val)
            return bad(e, w, sec, key, "an incident type id", val);
        rp->default_type_id = scn__strdup(s, val);
        return 0;
    case Q_FILTER_VALUES:
        rp->n_filter = split_list(s, val, &rp->filter_values);
        if (rp->n_filter == 0)
            return bad(e, w, sec, key, "values separated by ';'", val);
        return 0;
    case Q_COLUMN:
        if (!*val)
            return bad(e, w, sec, key, "a column name of the file", val);
        rp->col[col] = scn__strdup(s, val);
        return 0;
    case Q_ORIGIN_LAT:
    case Q_ORIGIN_LON: {
        double lim = q == Q_ORIGIN_LAT ? 89 : 180;
        if (number(val, -lim, lim, &v) < 0)
            return bad(e, w, sec, key, q == Q_ORIGIN_LAT ? "degrees in [-89, 89]"
                                                         : "degrees in [-180, 180]", val);
        *(q == Q_ORIGIN_LAT ? &c->origin_lat : &c->origin_lon) = v;
        *(q == Q_ORIGIN_LAT ? &c->origin_lat_set : &c->origin_lon_set) = true;
        return 0;
    }
    case Q_ID_PROP:
    case Q_NAME_PROP:
    case Q_WEIGHT_PROP:
        if (!*val)
            return bad(e, w, sec, key, "a GeoJSON property name", val);
        *(q == Q_ID_PROP ? &c->id_property : q == Q_NAME_PROP ? &c->name_property
                                                               : &c->weight_property) =
            scn__strdup(s, val);
        return 0;
    case Q_N:
        break;
    }
    return 0;
}

/* "path:LINE: " of a stream key (or "override " / "path: "). */
static void where(const struct scn *s, int line, char *buf, size_t n)
{
    if (line > 0)
        snprintf(buf, n, "%s:%d: ", s->ini_path, line);
    else if (line < 0)
        snprintf(buf, n, "override ");
    else
        snprintf(buf, n, "%s: ", s->ini_path);
}

/* An error about key q (a Q_ value, or Q_N + an rp_col for *_column). */
static int key_err(const struct scn *s, int q, const char *sec, const char *key,
                   struct perr *e, const char *fmt, ...) ERR_PRINTF(6, 7);
static int key_err(const struct scn *s, int q, const char *sec, const char *key,
                   struct perr *e, const char *fmt, ...)
{
    char w[512], msg[ERR_MSG_MAX];
    where(s, s->streams->line[q], w, sizeof w);
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
    t->r = csvr_open(scn__path(s, file), e);
    if (!t->r)
        return -1;
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
        if (csvr_double(t.r, t.col[1], "weight", 0, HUGE_VAL, &w[g], e) < 0)
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
        if (csvr_double(t.r, t.col[1], "share", 0, HUGE_VAL, &sh[k], e) < 0)
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
        if (csvr_double(t.r, t.col[3], "mean_min", 1e-9, HUGE_VAL, &mean, e) < 0)
            goto out;
        if ((dist_of[d] == SVC_LOGNORMAL || dist_of[d] == SVC_GAMMA) &&
            csvr_double(t.r, t.col[4], "sd_min", 1e-9, HUGE_VAL, &sd, e) < 0)
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
        if (csvr_int(t.r, t.col[0], "hour", 0, 23, &h, e) < 0)
            goto out;
        if (seen[h]) {
            csvr_error(t.r, t.col[0], "hour", e, "hour %ld is listed twice (first at line "
                       "%ld)", h, seen[h]);
            goto out;
        }
        seen[h] = csvr_line(t.r);
        for (int d = 0; d < 7; d++) {
            int c = flat ? t.col[1] : t.col[2 + d];
            if (csvr_double(t.r, c, flat ? "factor" : wday_cols[d], 0, 1e9,
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
        if (csvr_int(t.r, t.col[0], "month", 1, 12, &m, e) < 0)
            goto out;
        if (seen[m]) {
            csvr_error(t.r, t.col[0], "month", e, "month %ld is listed twice (first at "
                       "line %ld)", m, seen[m]);
            goto out;
        }
        seen[m] = csvr_line(t.r);
        if (csvr_double(t.r, t.col[1], "factor", 0, 1e9, &nh->month[m - 1], e) < 0)
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
            if (csvr_double(t.r, t.col[3], "lat", -90, 90, &a, e) < 0 ||
                csvr_double(t.r, t.col[4], "lon", -180, 180, &b, e) < 0)
                goto out;
            geo_project(&s->proj, a, b, &h->x, &h->y);
        } else if (csvr_double(t.r, t.col[1], "x", -HUGE_VAL, HUGE_VAL, &h->x, e) < 0 ||
                   csvr_double(t.r, t.col[2], "y", -HUGE_VAL, HUGE_VAL, &h->y, e) < 0) {
            goto out;
        }
        if (csvr_double(t.r, t.col[5], "sd_km", 1e-9, HUGE_VAL, &h->sd_km, e) < 0)
            goto out;
        h->weight = 1;
        if (*csvr_get(t.r, t.col[6]) &&
            csvr_double(t.r, t.col[6], "weight", 0, HUGE_VAL, &h->weight, e) < 0)
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
    if (!rp->col[RC_RECEIVED])
        return err_set(e, "%s: [replay] received_column is required (the column with the "
                       "time each call was received)", s->ini_path);
    if (rp->tfmt == RP_MDY_HM && !rp->col[RC_DATE])
        return key_err(s, Q_TFMT, R, "time_format", e, "mdy_hm needs date_column (the "
                       "MM/DD/YY column the HH:MM columns belong to)");
    if (rp->tfmt != RP_MDY_HM && rp->col[RC_DATE])
        return key_err(s, Q_N + RC_DATE, R, "date_column", e, "is only used with "
                       "time_format = mdy_hm");
    if (rp->from_ms >= rp->to_ms && rp->to_ms != INT64_MAX)
        return key_err(s, Q_TO, R, "to", e, "must be later than from");
    static const struct { enum rp_loc loc; int a, b; const char *need; } loc_cols[] = {
        { RP_XY_KM, RC_X, RC_Y, "x_column and y_column" },
        { RP_XY_FT, RC_X, RC_Y, "x_column and y_column" },
        { RP_LATLON, RC_LAT, RC_LON, "lat_column and lon_column" },
        { RP_GRID, RC_GRID, RC_GRID, "grid_column" },
    };
    const char *locw[] = { "xy_km", "xy_ft", "latlon", "grid" };
    if (!rp->col[loc_cols[rp->loc].a] || !rp->col[loc_cols[rp->loc].b])
        return key_err(s, Q_LOCATION, R, "location", e, "%s needs %s", locw[rp->loc],
                       loc_cols[rp->loc].need);
    if (rp->loc == RP_LATLON && !s->has_proj)
        return key_err(s, Q_LOCATION, R, "location", e, "latlon needs a projection: set "
                       "[geo] origin_lat and origin_lon, or read the grids from GeoJSON");
    if (rp->loc == RP_GRID && (rp->outside == RP_OUT_NEAREST || rp->outside == RP_OUT_KEEP))
        return key_err(s, Q_OUTSIDE, R, "outside", e, "with location = grid a code that "
                       "maps to no grid has no place: use error or skip");
    if (rp->grid_map_file && rp->loc != RP_GRID)
        return key_err(s, Q_GRID_MAP, R, "grid_map", e, "is only used with location = grid");
    if (rp->default_type_id) {
        rp->default_type = find_type(s, rp->default_type_id);
        if (rp->default_type < 0)
            return key_err(s, Q_DEFAULT_TYPE, R, "default_type", e, "unknown incident type "
                           "'%s'", rp->default_type_id);
    }
    if (!rp->col[RC_TYPE] && rp->default_type < 0)
        return err_set(e, "%s: [replay] needs type_column, or default_type when the file "
                       "has no type", s->ini_path);
    if (rp->unmapped == RP_TO_DEFAULT && rp->default_type < 0)
        return key_err(s, Q_UNMAPPED, R, "unmapped_type", e, "default needs [replay] "
                       "default_type");
    if (!!rp->col[RC_FILTER] != (rp->n_filter > 0))
        return err_set(e, "%s: [replay] filter_column and filter_values go together",
                       s->ini_path);
    if (rp->service_data && !rp->col[RC_SERVICE] &&
        !(rp->col[RC_ARRIVED] && rp->col[RC_CLEARED]))
        return key_err(s, Q_SERVICE, R, "service", e, "data needs service_column, or "
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
    struct inc_streams *c = cfg(s);
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
    if (strcmp(s->source, "nhpp") == 0)
        return check_nhpp(s, e);
    if (strcmp(s->source, "replay") == 0)
        return check_replay(s, e);
    return 0;
}
