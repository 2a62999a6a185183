/* replay.c - the "replay" incident source: a CAD export read through csvr.
 *
 * One reader serves three uses: the load-time pass (inc__replay_check,
 * counting every row so the scenario loads only if the whole file is
 * valid), each replication of a run (the inc_source "replay"), and
 * `patrolsim fit` (inc_replay_next, which also hands over the observed
 * timings of each row).
 *
 * Per row: the [replay] column mapping turns fields into an incident --
 * received time (ISO 8601, epoch seconds, or MM/DD/YY + HH:MM columns where
 * a time-only stamp earlier than received by more than rollover_hours is on
 * the next day), type through type_map with the unmapped_type policy,
 * location (x/y km or feet, lat/lon projected, or a grid code placed
 * uniformly in or at the centroid of its grid), optional priority and
 * on-scene time.  Rows that cannot be used (filtered, repeated, no time, out
 * of the window, unmapped under "skip", no location) are counted by reason;
 * a value that is present but malformed is an error naming file:line and
 * the column, because a silently dropped row would bias every figure.
 *
 * Order: rows wait in a window of at most reorder_window rows kept sorted by
 * received time (ties in file order), so a file sorted only roughly (CAD
 * exports sorted by case number, say) still yields incidents in time order.
 * The window is a ring filled by insertion from its tail: a row in order
 * costs O(1), a row d places early O(d), which beats a heap's O(log window)
 * on the nearly sorted files CAD systems write.  A row earlier than one
 * already released is an error.  Memory is this window plus csvr's buffers:
 * constant in the length of the file.
 *
 * Cost per row: one csvr record, one or a few fixed-format timestamp
 * parses (ts.h), a binary search for the type code, a spatial-index lookup
 * for points, and O(1) window work when the row is in order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "csvr.h"
#include "inc_priv.h"
#include "rng.h"
#include "stats.h"
#include "ts.h"

#define FT_KM 0.0003048

/* What happened to a row on the way in, counted only if the row is used
 * (a row may still fall before the start or after the horizon). */
enum {
    F_DEFAULT = 1,          /* unmapped type given the default type */
    F_NEAREST = 2,          /* outside every grid, given the nearest */
    F_KEPT = 4,             /* outside every grid, kept with grid -1 */
    F_DRAWN = 8,            /* service = data, but the row had none */
    F_ARR_REC = 16,         /* arrived before received */
    F_DIS_REC = 32,         /* dispatched before received */
    F_ARR_DIS = 64,         /* arrived before dispatched */
};

struct inc_replay {
    const struct scn *s;
    const struct rp_cfg *c;
    struct csvr *r;
    int col[RC_N];
    size_t width;           /* header fields */
    gsl_rng *loc, *svc;     /* NULL in the counting pass */
    struct ts_zone *zone;   /* [replay] time_zone, or the fixed utc_offset */
    struct inc_codemap ids; /* type ids, when there is no type_map */
    struct rp_counts cnt;

    struct inc_row *pool;   /* window + 1 rows */
    long *pool_line;
    unsigned *pool_flag;    /* F_* */
    double *pool_snap;      /* F_NEAREST: distance to the grid, km */
    unsigned flag;          /* of the row being parsed */
    double snap;
    int *free_slot, nfree;
    int *ring;              /* pool slots by received time, from ring[head] */
    int head, nring, mask;  /* ring size is mask + 1, a power of two */
    uint64_t seq;
    int64_t last_ms;        /* received time of the last released row */
    long last_line;
    int released;

    int64_t start_ms;
    int start_known;
    double horizon_min;
    char *prev_key;         /* dedup_column of the previous row */
    size_t prev_cap;
    int has_prev, eof;
};

/* ---- small helpers --------------------------------------------------------- */

static void note_code(struct rp_code_count *list, int *n, uint64_t *other, const char *code)
{
    for (int i = 0; i < *n; i++)
        if (strcmp(list[i].code, code) == 0) {
            list[i].n++;
            return;
        }
    if (*n < RP_MAX_CODES) {
        snprintf(list[*n].code, sizeof list[*n].code, "%s", code);
        list[(*n)++].n = 1;
    } else {
        (*other)++;
    }
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(const char *const *)a, *(const char *const *)b);
}

/* Inserts pool slot `slot` into the sorted window, after every row with an
 * equal or earlier time (so ties keep their file order). */
static void ring_insert(struct inc_replay *R, int slot)
{
    int64_t ms = R->pool[slot].received_ms;
    int pos = R->nring;
    while (pos > 0) {
        int prev = R->ring[(R->head + pos - 1) & R->mask];
        if (R->pool[prev].received_ms <= ms)
            break;
        R->ring[(R->head + pos) & R->mask] = prev;
        pos--;
    }
    R->ring[(R->head + pos) & R->mask] = slot;
    R->nring++;
}

/* ---- open / close ------------------------------------------------------------ */

void inc_replay_close(struct inc_replay *R)
{
    if (!R)
        return;
    csvr_close(R->r);
    ts_zone_free(R->zone);
    if (R->loc)
        gsl_rng_free(R->loc);
    if (R->svc)
        gsl_rng_free(R->svc);
    free(R->ids.code);
    free(R->ids.idx);
    free(R->pool);
    free(R->pool_line);
    free(R->pool_flag);
    free(R->pool_snap);
    free(R->free_slot);
    free(R->ring);
    free(R->prev_key);
    free(R);
}

/* Maps the configured column names onto the header. */
static int map_header(struct inc_replay *R, struct perr *e)
{
    const struct rp_cfg *c = R->c;
    int rc = csvr_next(R->r, e);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(e, "%s: empty file; expected a header row naming the columns",
                       csvr_path(R->r));
    size_t nf = csvr_nfields(R->r);
    while (nf > 0 && !*csvr_field(R->r, nf - 1))
        nf--;
    R->width = nf;
    for (int k = 0; k < RC_N; k++) {
        R->col[k] = -1;
        if (!c->col[k])
            continue;
        for (size_t i = 0; i < nf; i++)
            if (strcmp(csvr_field(R->r, i), c->col[k]) == 0) {
                R->col[k] = (int)i;
                break;
            }
        if (R->col[k] < 0) {
            char list[600];
            size_t used = 0;
            list[0] = '\0';
            for (size_t i = 0; i < nf && used < sizeof list; i++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 csvr_field(R->r, i));
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            return err_set(e, "%s:%ld: unknown column '%s' ([replay] %s); the header has: %s",
                           csvr_path(R->r), csvr_line(R->r), c->col[k], inc__col_key[k], list);
        }
    }
    return 0;
}

static struct inc_replay *replay_open(const struct scn *s, uint64_t seed, int rep,
                                      int counting, struct perr *e)
{
    const struct rp_cfg *c = &s->streams->rp;
    struct inc_replay *R = xcalloc(1, sizeof *R);
    R->s = s;
    R->c = c;
    R->zone = c->time_zone ? ts_zone_load(c->time_zone, e) : ts_zone_fixed(c->utc_offset_min);
    R->r = R->zone ? csvr_open(c->path, e) : NULL;
    if (!R->r || map_header(R, e) < 0) {
        inc_replay_close(R);
        return NULL;
    }
    if (!counting) {
        R->loc = rng_stream_new(seed, (uint64_t)rep, RNG_LOCATIONS);
        R->svc = rng_stream_new(seed, (uint64_t)rep, RNG_SERVICE);
    }
    if (!c->type_map.n) {
        int n = s->n_itypes;
        R->ids.code = xmalloc((size_t)n * sizeof *R->ids.code);
        R->ids.idx = xmalloc((size_t)n * sizeof *R->ids.idx);
        for (int i = 0; i < n; i++)
            R->ids.code[i] = s->itypes[i].id;
        qsort(R->ids.code, (size_t)n, sizeof *R->ids.code, cmp_str);
        for (int i = 0; i < n; i++)
            for (int k = 0; k < n; k++)
                if (R->ids.code[i] == s->itypes[k].id)
                    R->ids.idx[i] = k;
        R->ids.n = n;
    }
    int cap = c->reorder_window + 1;
    R->pool = xmalloc((size_t)cap * sizeof *R->pool);
    R->pool_line = xmalloc((size_t)cap * sizeof *R->pool_line);
    R->pool_flag = xmalloc((size_t)cap * sizeof *R->pool_flag);
    R->pool_snap = xmalloc((size_t)cap * sizeof *R->pool_snap);
    R->free_slot = xmalloc((size_t)cap * sizeof *R->free_slot);
    int rsz = 1;
    while (rsz < cap)
        rsz *= 2;
    R->ring = xmalloc((size_t)rsz * sizeof *R->ring);
    R->mask = rsz - 1;
    for (int i = 0; i < cap; i++)
        R->free_slot[i] = cap - 1 - i;
    R->nfree = cap;
    R->start_known = s->streams->start_set;
    R->start_ms = s->start_ms;
    R->horizon_min = s->horizon_days * 1440.0;
    R->cnt.first_ms = INT64_MAX;
    R->cnt.last_ms = INT64_MIN;
    return R;
}

struct inc_replay *inc_replay_open(const struct scn *s, uint64_t seed, int rep,
                                   struct perr *e)
{
    if (!s->streams || !s->streams->rp.path) {
        err_set(e, "%s: the scenario has no checked [replay] mapping (set [incidents] "
                "source = replay)", s->ini_path);
        return NULL;
    }
    return replay_open(s, seed, rep, 0, e);
}

/* ---- one row ------------------------------------------------------------------- */

static int field_err(const struct inc_replay *R, int k, struct perr *e, const char *what)
{
    const char *v = csvr_get(R->r, R->col[k]);
    return csvr_error(R->r, R->col[k], R->c->col[k], e, "expected %s, got '%s'", what, v);
}

static const char *time_what(enum rp_tfmt f, int date)
{
    if (f == RP_ISO)
        return "an ISO 8601 date-time YYYY-MM-DD[THH:MM[:SS[.fff]]][Z|+HH:MM]";
    if (f == RP_EPOCH)
        return "seconds since 1970-01-01 UTC (digits, up to 3 decimals)";
    return date ? "a date MM/DD/YY or MM/DD/YYYY" : "a time of day HH:MM or HH:MM:SS";
}

/* Time in column k: 1, 0 if empty, -1 error.  *out is the local clock
 * reading (what the simulation runs on), *utc the instant (what intervals
 * are measured on).  A stamp that names its instant (epoch, ISO with an
 * offset) is placed on the local clock by the zone; a local stamp is taken
 * as written, and its instant read by the zone's rule for the skipped and
 * repeated hours (ts.h) -- except that a later stamp (dispatched, arrived,
 * cleared) in a repeated hour that would then precede the received instant
 * ref_u is its second occurrence: the clock went back between the two.
 * For mdy_hm a time-only column is placed on day0's
 * date, or the next day when it is more than rollover_hours before ref (the
 * received time, local). */
static int get_time(struct inc_replay *R, int k, int64_t day0, int64_t ref, int64_t ref_u,
                    int64_t *out, int64_t *utc, struct perr *e)
{
    const struct rp_cfg *c = R->c;
    const char *v = csvr_get(R->r, R->col[k]);
    if (!*v)
        return 0;
    int64_t t, u;
    int off;
    switch (c->tfmt) {
    case RP_ISO:
        if (ts_parse_iso(v, &t, &off) < 0)
            return field_err(R, k, e, time_what(c->tfmt, 0));
        if (off != INT32_MIN) {
            u = t - (int64_t)off * TS_MS_MIN;
            t = ts_zone_to_local(R->zone, u);
        } else {
            u = ts_zone_to_utc(R->zone, t);
            if (k != RC_RECEIVED && u < ref_u)
                u = ts_zone_to_utc_late(R->zone, t);
        }
        break;
    case RP_EPOCH:
        if (ts_parse_epoch(v, &u) < 0)
            return field_err(R, k, e, time_what(c->tfmt, 0));
        t = ts_zone_to_local(R->zone, u);
        break;
    default:    /* RP_MDY_HM */
        if (ts_parse_hms(v, &t) < 0)
            return field_err(R, k, e, time_what(c->tfmt, 0));
        t += day0;
        if (k != RC_RECEIVED && t < ref - (int64_t)(c->rollover_h * TS_MS_HOUR))
            t += TS_MS_DAY;
        u = ts_zone_to_utc(R->zone, t);
        if (k != RC_RECEIVED && u < ref_u)
            u = ts_zone_to_utc_late(R->zone, t);
        break;
    }
    if (u > ts_zone_valid_until(R->zone)) {
        char b[TS_ISO_MAX];
        ts_format(ts_zone_to_local(R->zone, ts_zone_valid_until(R->zone)), 0, b);
        return csvr_error(R->r, R->col[k], c->col[k], e, "'%s' is after %s, where the time "
                          "zone file of %s stops listing transitions (a 'slim' tz database "
                          "build); install Debian's tzdata, or set a fixed [replay] utc_offset",
                          v, b, ts_zone_name(R->zone));
    }
    *out = t;
    *utc = u;
    return 1;
}

/* Clinger's fast path: a decimal with at most 15 significant digits and a
 * power of ten within 10^22 is m * 10^k or m / 10^-k with m and 10^|k|
 * exact doubles, so one correctly rounded operation gives exactly what
 * strtod gives.  Coordinates and durations in CAD exports almost always
 * qualify; strtod's general path costs several times more (it dominated
 * the replay profile).  Returns 0, or -1 to leave the field to strtod. */
static int fast_double(const char *s, double *out)
{
    static const double p10[23] = { 1e0, 1e1, 1e2, 1e3, 1e4, 1e5, 1e6, 1e7, 1e8, 1e9, 1e10,
                                    1e11, 1e12, 1e13, 1e14, 1e15, 1e16, 1e17, 1e18, 1e19,
                                    1e20, 1e21, 1e22 };
    int neg = *s == '-';
    if (*s == '-' || *s == '+')
        s++;
    uint64_t m = 0;
    int nd = 0, exp10 = 0, any = 0;
    for (; *s >= '0' && *s <= '9'; s++, any = 1) {
        if (m || *s != '0') {
            m = m * 10 + (uint64_t)(*s - '0');
            nd++;
        }
    }
    if (*s == '.') {
        for (s++; *s >= '0' && *s <= '9'; s++, any = 1) {
            if (m || *s != '0') {
                m = m * 10 + (uint64_t)(*s - '0');
                nd++;
            }
            exp10--;
        }
    }
    if (*s || !any || nd > 15 || exp10 < -22)
        return -1;
    double v = exp10 ? (double)m / p10[-exp10] : (double)m;
    *out = neg ? -v : v;
    return 0;
}

static int get_double(struct inc_replay *R, int k, double lo, double hi, double *out,
                      struct perr *e)
{
    double v;
    if (fast_double(csvr_get(R->r, R->col[k]), &v) == 0 && v >= lo && v <= hi) {
        *out = v;
        return 0;
    }
    return csvr_double(R->r, R->col[k], R->c->col[k], lo, hi, out, e);
}

static double minutes(int64_t a, int64_t b)
{
    return (double)(b - a) / (double)TS_MS_MIN;
}

/* Location of the row into in->x, y, grid: 1, 0 skipped, -1 error. */
static int get_location(struct inc_replay *R, struct inc *in, struct perr *e)
{
    const struct scn *s = R->s;
    const struct rp_cfg *c = R->c;
    if (c->loc == RP_GRID) {
        const char *code = csvr_get(R->r, R->col[RC_GRID]);
        if (!*code)
            return R->cnt.skipped[SK_NO_LOC]++, 0;
        int g = c->grid_map.n ? inc__codemap_find(&c->grid_map, code) : scn_grid_find(s, code);
        if (g < 0) {
            /* A code without a grid has no place at all: skip or error only
             * (streams.c refuses nearest and keep with location = grid). */
            note_code(R->cnt.grid_codes, &R->cnt.n_grid_codes, &R->cnt.other_grid_codes, code);
            if (c->outside == RP_OUT_SKIP)
                return R->cnt.skipped[SK_OUTSIDE]++, 0;
            return csvr_error(R->r, R->col[RC_GRID], c->col[RC_GRID], e,
                              "code '%s' is %s (outside = error); map it, or set [replay] "
                              "outside = skip", code,
                              c->grid_map.n ? "not in grid_map" : "not a grid id");
        }
        in->grid = g;
        const struct geo_poly *p = &s->grids[g].poly;
        if (c->place == RP_CENTROID || !R->loc) {
            in->x = p->centroid.x;
            in->y = p->centroid.y;
        } else {
            geo_poly_sample(p, R->loc, &in->x, &in->y);
        }
        return 1;
    }
    int a = c->loc == RP_LATLON ? RC_LAT : RC_X, b = c->loc == RP_LATLON ? RC_LON : RC_Y;
    if (!*csvr_get(R->r, R->col[a]) || !*csvr_get(R->r, R->col[b]))
        return R->cnt.skipped[SK_NO_LOC]++, 0;
    double u, v;
    if (c->loc == RP_LATLON) {
        if (get_double(R, a, -90, 90, &u, e) < 0 || get_double(R, b, -180, 180, &v, e) < 0)
            return -1;
        geo_project(&s->proj, u, v, &in->x, &in->y);
    } else {
        if (get_double(R, a, -HUGE_VAL, HUGE_VAL, &u, e) < 0 ||
            get_double(R, b, -HUGE_VAL, HUGE_VAL, &v, e) < 0)
            return -1;
        double k = c->loc == RP_XY_FT ? FT_KM : 1.0;
        in->x = u * k;
        in->y = v * k;
    }
    in->grid = geo_index_locate(s->grid_index, in->x, in->y);
    if (in->grid >= 0)
        return 1;
    switch (c->outside) {
    case RP_OUT_SKIP:
        return R->cnt.skipped[SK_OUTSIDE]++, 0;
    case RP_OUT_KEEP:
        R->flag |= F_KEPT;
        return 1;
    case RP_OUT_NEAREST: {
        double best = HUGE_VAL;
        for (int g = 0; g < s->n_grids; g++) {
            double d = geo_poly_edge_dist(&s->grids[g].poly, in->x, in->y);
            if (d < best)
                best = d, in->grid = g;
        }
        R->flag |= F_NEAREST;
        R->snap = best;
        return 1;
    }
    case RP_OUT_ERROR:
        break;
    }
    return csvr_error(R->r, -1, c->loc == RP_LATLON ? "lat/lon" : "x/y", e,
                      "the point (%.6g, %.6g) km lies in no grid (outside = error); set "
                      "[replay] outside = skip, nearest or keep", in->x, in->y);
}

/* Parses the current record into *row: 1 ready, 0 skipped, -1 error. */
static int parse_row(struct inc_replay *R, struct inc_row *row, struct perr *e)
{
    const struct scn *s = R->s;
    const struct rp_cfg *c = R->c;
    struct csvr *r = R->r;
    size_t nf = csvr_nfields(r);
    if (nf < R->width)
        return err_set(e, "%s:%ld: %zu fields, but the header has %zu columns (a truncated "
                       "or cut-short line?)", csvr_path(r), csvr_line(r), nf, R->width);
    for (size_t i = R->width; i < nf; i++)
        if (*csvr_field(r, i))
            return err_set(e, "%s:%ld: %zu fields, but the header has %zu columns (an "
                           "unquoted comma in a value?)", csvr_path(r), csvr_line(r), nf,
                           R->width);

    if (R->col[RC_DEDUP] >= 0) {
        const char *k = csvr_get(r, R->col[RC_DEDUP]);
        size_t n = strlen(k) + 1;
        int dup = R->has_prev && strcmp(R->prev_key, k) == 0;
        if (n > R->prev_cap) {
            R->prev_cap = n * 2;
            R->prev_key = xrealloc(R->prev_key, R->prev_cap);
        }
        memcpy(R->prev_key, k, n);
        R->has_prev = 1;
        if (dup)
            return R->cnt.skipped[SK_DUP]++, 0;
    }
    if (R->col[RC_FILTER] >= 0) {
        const char *v = csvr_get(r, R->col[RC_FILTER]);
        int i = 0;
        while (i < c->n_filter && strcmp(c->filter_values[i], v) != 0)
            i++;
        if (i == c->n_filter)
            return R->cnt.skipped[SK_FILTER]++, 0;
    }

    int64_t day0 = 0, rec, rec_u;
    if (c->tfmt == RP_MDY_HM) {
        const char *d = csvr_get(r, R->col[RC_DATE]);
        if (!*d)
            return R->cnt.skipped[SK_NO_TIME]++, 0;
        if (ts_parse_mdy(d, &day0) < 0)
            return field_err(R, RC_DATE, e, time_what(c->tfmt, 1));
    }
    int rc = get_time(R, RC_RECEIVED, day0, 0, 0, &rec, &rec_u, e);
    if (rc <= 0)
        return rc < 0 ? -1 : (R->cnt.skipped[SK_NO_TIME]++, 0);
    if (rec < c->from_ms || rec >= c->to_ms)
        return R->cnt.skipped[SK_WINDOW]++, 0;

    struct inc *in = &row->inc;
    if (R->col[RC_TYPE] >= 0) {
        const char *code = csvr_get(r, R->col[RC_TYPE]);
        in->type = inc__codemap_find(c->type_map.n ? &c->type_map : &R->ids, code);
        if (in->type < 0) {
            note_code(R->cnt.type_codes, &R->cnt.n_type_codes, &R->cnt.other_type_codes, code);
            if (c->unmapped == RP_SKIP)
                return R->cnt.skipped[SK_TYPE]++, 0;
            if (c->unmapped == RP_ERROR)
                return csvr_error(r, R->col[RC_TYPE], c->col[RC_TYPE], e, "code '%s' is %s "
                                  "(unmapped_type = error); map it, or set [replay] "
                                  "unmapped_type = default or skip", code,
                                  c->type_map.n ? "not in type_map" : "not an incident type id");
            R->flag |= F_DEFAULT;
            in->type = c->default_type;
        }
    } else {
        in->type = c->default_type;
    }

    rc = get_location(R, in, e);
    if (rc <= 0)
        return rc;

    in->prio_idx = s->itypes[in->type].prio_idx;
    const char *pv = csvr_get(r, R->col[RC_PRIORITY]);
    if (R->col[RC_PRIORITY] >= 0 && *pv) {
        /* One digit is the only valid form; csvr_int words the error. */
        long p = pv[0] - '0';
        if ((pv[1] || p < 1 || p > 9) &&
            csvr_int(r, R->col[RC_PRIORITY], c->col[RC_PRIORITY], 1, 9, &p, e) < 0)
            return -1;
        int k = 0;
        while (k < s->n_priorities && s->priorities[k] != p)
            k++;
        if (k == s->n_priorities)
            return csvr_error(r, R->col[RC_PRIORITY], c->col[RC_PRIORITY], e, "priority %ld "
                              "is not a level of incident_types.csv", p);
        in->prio_idx = k;
    }

    /* Observed timings, on instants (an interval across a DST change is its
     * real length): wait and travel need both stamps; an interval that
     * runs backwards is a data-entry artefact, counted and left out. */
    int64_t dis = 0, arr = 0, clr = 0, lt;
    int has_d = 0, has_a = 0, has_c = 0;
    if (R->col[RC_DISPATCHED] >= 0 &&
        (has_d = get_time(R, RC_DISPATCHED, day0, rec, rec_u, &lt, &dis, e)) < 0)
        return -1;
    if (R->col[RC_ARRIVED] >= 0 &&
        (has_a = get_time(R, RC_ARRIVED, day0, rec, rec_u, &lt, &arr, e)) < 0)
        return -1;
    if (R->col[RC_CLEARED] >= 0 &&
        (has_c = get_time(R, RC_CLEARED, day0, rec, rec_u, &lt, &clr, e)) < 0)
        return -1;
    row->received_ms = rec;
    rec = rec_u;
    row->wait = row->travel = row->response = row->onscene = NAN;
    row->has_dispatched = has_d;
    row->has_arrived = has_a;
    row->units[0] = '\0';
    row->units_cut = 0;
    if (R->col[RC_UNITS] >= 0) {
        /* Cut at the last whole id that fits, so no id is half kept. */
        const char *u = csvr_get(r, R->col[RC_UNITS]);
        size_t n = strlen(u);
        if (n >= sizeof row->units) {
            n = sizeof row->units - 1;
            while (n > 0 && u[n] != ',')
                n--;
            row->units_cut = 1;
        }
        memcpy(row->units, u, n);
        row->units[n] = '\0';
    }
    if (has_a) {
        if (arr >= rec)
            row->response = minutes(rec, arr);
        else
            R->flag |= F_ARR_REC;
    }
    if (has_d && has_a) {
        if (dis < rec)
            R->flag |= F_DIS_REC;
        else if (arr < dis)
            R->flag |= F_ARR_DIS;
        else {
            row->wait = minutes(rec, dis);
            row->travel = minutes(dis, arr);
        }
    }

    if (R->col[RC_SERVICE] >= 0) {
        if (*csvr_get(r, R->col[RC_SERVICE]) &&
            get_double(R, RC_SERVICE, 0, HUGE_VAL, &row->onscene, e) < 0)
            return -1;
    } else if (has_a && has_c && clr >= arr) {
        row->onscene = minutes(arr, clr);
    }
    if (c->service_data && row->onscene > 0) {
        in->service_min = row->onscene;
    } else {
        if (c->service_data)
            R->flag |= F_DRAWN;
        const struct scn_itype *it = &s->itypes[in->type];
        in->service_min = R->svc ? inc_draw_service(it, R->svc) : it->mean_min;
    }
    return 1;
}

/* ---- the time-ordered stream --------------------------------------------------- */

int inc_replay_next(struct inc_replay *R, struct inc_row *out, struct perr *e)
{
    const struct rp_cfg *c = R->c;
    for (;;) {
        if (R->nring > c->reorder_window || (R->eof && R->nring > 0)) {
            int slot = R->ring[R->head];
            R->head = (R->head + 1) & R->mask;
            R->nring--;
            *out = R->pool[slot];
            int64_t ms = out->received_ms;
            R->free_slot[R->nfree++] = slot;
            R->last_ms = ms;
            R->last_line = R->pool_line[slot];
            R->released = 1;
            if (!R->start_known) {
                /* Local midnight of the first row's day, so that t mod 1440
                 * is the minute of the wall-clock day (shifts, hour-of-day
                 * profiles and breakdowns read it so). */
                R->start_ms = ms - (ms % TS_MS_DAY + TS_MS_DAY) % TS_MS_DAY;
                R->start_known = 1;
            }
            if (ms < R->start_ms) {
                R->cnt.skipped[SK_BEFORE]++;
                continue;
            }
            out->inc.t = minutes(R->start_ms, ms);
            if (out->inc.t >= R->horizon_min) {
                R->cnt.skipped[SK_HORIZON]++;
                continue;
            }
            out->inc.seq = R->seq++;
            R->cnt.used++;
            unsigned f = R->pool_flag[slot];
            R->cnt.to_default += !!(f & F_DEFAULT);
            R->cnt.nearest += !!(f & F_NEAREST);
            R->cnt.kept_outside += !!(f & F_KEPT);
            R->cnt.service_drawn += !!(f & F_DRAWN);
            R->cnt.arr_before_rec += !!(f & F_ARR_REC);
            R->cnt.disp_before_rec += !!(f & F_DIS_REC);
            R->cnt.arr_before_disp += !!(f & F_ARR_DIS);
            if ((f & F_NEAREST) && R->pool_snap[slot] > R->cnt.nearest_max_km)
                R->cnt.nearest_max_km = R->pool_snap[slot];
            if (ms < R->cnt.first_ms)
                R->cnt.first_ms = ms;
            R->cnt.last_ms = ms;
            return 1;
        }
        if (R->eof)
            return 0;
        int rc = csvr_next(R->r, e);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            R->eof = 1;
            continue;
        }
        R->cnt.read++;
        int slot = R->free_slot[R->nfree - 1];
        R->flag = 0;
        rc = parse_row(R, &R->pool[slot], e);
        if (rc < 0)
            return -1;
        if (rc == 0)
            continue;
        int64_t ms = R->pool[slot].received_ms;
        if (R->released && ms < R->last_ms) {
            char a[TS_ISO_MAX], b[TS_ISO_MAX];
            ts_format(ms, 0, a);
            ts_format(R->last_ms, 0, b);
            return err_set(e, "%s:%ld: column %d '%s': received %s is earlier than line %ld "
                           "(%s), already replayed; rows may be out of time order by at most "
                           "[replay] reorder_window = %d rows (raise it, or sort the file)",
                           csvr_path(R->r), csvr_line(R->r), R->col[RC_RECEIVED] + 1,
                           c->col[RC_RECEIVED], a, R->last_line, b, c->reorder_window);
        }
        R->nfree--;
        R->pool_line[slot] = csvr_line(R->r);
        R->pool_flag[slot] = R->flag;
        R->pool_snap[slot] = R->snap;
        ring_insert(R, slot);
    }
}

/* ---- load-time pass ------------------------------------------------------------- */

int inc__replay_check(struct scn *s, struct perr *e)
{
    struct inc_replay *R = replay_open(s, 0, 0, 1, e);
    if (!R)
        return -1;
    struct inc_row row;
    int rc;
    while ((rc = inc_replay_next(R, &row, e)) == 1)
        ;
    struct rp_cfg *c = &s->streams->rp;
    c->counts = R->cnt;
    if (rc == 0 && R->cnt.used == 0)
        rc = err_set(e, "%s: no row could be replayed: %llu rows read, all skipped (run "
                     "'patrolsim validate' for the reasons; check the [replay] columns, "
                     "filter, from/to and [run] horizon_days)", c->path,
                     (unsigned long long)R->cnt.read);
    if (rc == 0) {
        s->start_ms = R->start_ms;
        double days = (double)(R->cnt.last_ms - s->start_ms) / (double)TS_MS_DAY;
        s->rate_per_day = (double)R->cnt.used / (days > 1 ? days : 1);
    }
    inc_replay_close(R);
    return rc < 0 ? -1 : 0;
}

/* ---- the inc_source ----------------------------------------------------------------- */

struct replay_src {
    struct inc_replay *R;
    double warmup;
    struct stat_acc acc[3];
    struct stat_hist hist[3];
};

static void src_close(void *state)
{
    struct replay_src *p = state;
    if (!p)
        return;
    inc_replay_close(p->R);
    for (int i = 0; i < 3; i++)
        stat_hist_release(&p->hist[i]);
    free(p);
}

static void *src_open(const struct scn *s, uint64_t seed, int rep, struct perr *e)
{
    struct replay_src *p = xcalloc(1, sizeof *p);
    p->R = inc_replay_open(s, seed, rep, e);
    if (!p->R) {
        free(p);
        return NULL;
    }
    p->warmup = s->warmup_days * 1440.0;
    for (int i = 0; i < 3; i++) {
        stat_acc_init(&p->acc[i]);
        stat_hist_init(&p->hist[i]);
    }
    return p;
}

static int src_next(void *state, struct inc *out, struct perr *e)
{
    struct replay_src *p = state;
    struct inc_row row;
    int rc = inc_replay_next(p->R, &row, e);
    if (rc != 1)
        return rc;
    *out = row.inc;
    out->obs_wait = row.wait;
    out->obs_travel = row.travel;
    out->obs_response = row.response;
    /* ops counts incidents from the warm-up on; observe the same ones. */
    if (out->t >= p->warmup) {
        const double v[3] = { row.response, row.wait, row.travel };
        for (int i = 0; i < 3; i++)
            if (!isnan(v[i])) {
                stat_acc_add(&p->acc[i], v[i]);
                stat_hist_add(&p->hist[i], v[i]);
            }
    }
    return 1;
}

static void src_observed(void *state, double warmup_min, double *out, const double *at,
                         int n_at, double *ecdf)
{
    struct replay_src *p = state;
    PS_ASSERT(warmup_min == p->warmup);
    static const int slot[3][3] = {
        { O_RESP_MEAN, O_RESP_P50, O_RESP_P90 },
        { O_WAIT_MEAN, O_WAIT_P50, O_WAIT_P90 },
        { O_TRAVEL_MEAN, O_TRAVEL_P50, O_TRAVEL_P90 },
    };
    out[O_N_RESP] = (double)p->acc[0].n;
    for (int i = 0; i < 3; i++) {
        out[slot[i][0]] = stat_acc_mean(&p->acc[i]);
        out[slot[i][1]] = stat_hist_quantile(&p->hist[i], 0.5);
        out[slot[i][2]] = stat_hist_quantile(&p->hist[i], 0.9);
        for (int k = 0; k < n_at; k++)
            ecdf[i * n_at + k] = stat_hist_cdf(&p->hist[i], at[k]);
    }
}

const struct inc_source_type inc__replay_type = {
    "replay", src_open, src_next, src_close, src_observed,
};

/* ---- the load report ------------------------------------------------------------------ */

static void print_codes(FILE *fp, const struct rp_code_count *list, int n, uint64_t other)
{
    for (int i = 0; i < n; i++)
        fprintf(fp, "%s'%s' (%llu)", i ? ", " : "", list[i].code,
                (unsigned long long)list[i].n);
    if (other)
        fprintf(fp, ", and %llu rows with further codes", (unsigned long long)other);
    fputc('\n', fp);
}

void inc_source_report(const struct scn *s, FILE *fp)
{
    if (strcmp(s->source, "replay") != 0)
        return;
    static const char *const why[SK_N] = {
#define RP_SKIP_DESC(e, d) [e] = d,
        RP_SKIPS(RP_SKIP_DESC)
#undef RP_SKIP_DESC
    };
    const struct rp_cfg *c = &s->streams->rp;
    const struct rp_counts *n = &c->counts;
    uint64_t skipped = 0;
    for (int k = 0; k < SK_N; k++)
        skipped += n->skipped[k];
    fprintf(fp, "replay %s: %llu rows read, %llu used, %llu skipped\n", c->path,
            (unsigned long long)n->read, (unsigned long long)n->used,
            (unsigned long long)skipped);
    for (int k = 0; k < SK_N; k++)
        if (n->skipped[k]) {
            fprintf(fp, "  %10llu %s", (unsigned long long)n->skipped[k], why[k]);
            if (k == SK_FILTER)
                fprintf(fp, " ('%s' not in [replay] filter_values)", c->col[RC_FILTER]);
            fputc('\n', fp);
        }
    if (n->n_type_codes) {
        fprintf(fp, "  unmapped type codes%s: ", n->to_default ? " (to the default type)" : "");
        print_codes(fp, n->type_codes, n->n_type_codes, n->other_type_codes);
    }
    if (n->n_grid_codes) {
        fprintf(fp, "  grid codes in no grid: ");
        print_codes(fp, n->grid_codes, n->n_grid_codes, n->other_grid_codes);
    }
    if (n->nearest)
        fprintf(fp, "  %llu points outside every grid given to the nearest one (at most "
                "%.3f km away)\n", (unsigned long long)n->nearest, n->nearest_max_km);
    if (n->kept_outside)
        fprintf(fp, "  %llu incidents kept outside every grid\n",
                (unsigned long long)n->kept_outside);
    if (n->service_drawn)
        fprintf(fp, "  %llu rows without an on-scene time: drawn from their type\n",
                (unsigned long long)n->service_drawn);
    if (n->arr_before_rec || n->disp_before_rec || n->arr_before_disp)
        fprintf(fp, "  left out of the observed timings: %llu arrived before received, "
                "%llu dispatched before received, %llu arrived before dispatched\n",
                (unsigned long long)n->arr_before_rec, (unsigned long long)n->disp_before_rec,
                (unsigned long long)n->arr_before_disp);
    char a[TS_ISO_MAX], b[TS_ISO_MAX];
    ts_format(s->start_ms, 0, a);
    ts_format(n->last_ms, 0, b);
    char z[40];
    int off = c->utc_offset_min < 0 ? -c->utc_offset_min : c->utc_offset_min;
    snprintf(z, sizeof z, "UTC%c%02d:%02d", c->utc_offset_min < 0 ? '-' : '+', off / 60,
             off % 60);
    fprintf(fp, "  t = 0 at %s local (%s); last incident %s (%.2f days); %.2f incidents per "
            "day\n", a, c->time_zone ? c->time_zone : z, b,
            (double)(n->last_ms - s->start_ms) / (double)TS_MS_DAY, s->rate_per_day);
}
