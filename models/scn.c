/* scn.c - loading and validating a scenario folder (scenario.ini + CSV).
 *
 * Order of work: scenario.ini through inih, then the overrides through the
 * same key setter, then the cross-key checks, then the tables in dependency
 * order (grids, facilities, units, incident types, run cards).  The first
 * problem ends the load: the message names file:line (and column), quotes
 * the value and says what was expected.  Every table row keeps its line so
 * checks made after a whole table was read (duplicate ids, forward parent
 * references, overlaps) can still point at the row.
 *
 * Memory: every byte a struct scn refers to lives in one arena (a list of
 * 64 KiB blocks) owned by the private part, plus the geo_index; scn_free
 * releases both.  Growing arrays are re-allocated inside the arena; the
 * abandoned copies cost at most as much again as the final arrays, which is
 * cheaper than tracking them.
 *
 * Cost: O(n log n) in the number of rows (ids are sorted once, lookups are
 * binary searches).  Grid overlap is checked with a sweep over bounding boxes
 * sorted by xmin, so a lattice of 4096 rectangles costs ~64 box tests per
 * grid and no polygon test at all; only grids whose boxes overlap with
 * positive area reach geo_poly_overlap.
 *
 * inih: the 5-argument handler (INI_HANDLER_LINENO) is a deliberate choice
 * for Debian's libinih r55, which always passes lineno (STYLE.md section 9).
 * Other inih builds need ini.c vendored with that flag.
 */
#define INI_HANDLER_LINENO 1

#include <errno.h>
#include <math.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <unistd.h>
#include <ini.h>
#include "csvr.h"
#include "scn.h"
#include "scn_priv.h"

/* ---- arena -------------------------------------------------------------- */

#define ARENA_BLK 65536

struct blk {
    struct blk *next;
    size_t used, cap;
    max_align_t data[];
};

struct arena {
    struct blk *head;
};

static void *a_alloc(struct arena *a, size_t n)
{
    const size_t al = _Alignof(max_align_t);
    n = n ? (n + al - 1) / al * al : al;
    struct blk *b = a->head;
    if (!b || b->cap - b->used < n) {
        if (n > ARENA_BLK / 4) {
            /* Big arrays get a block of their own, behind the current one,
             * so the current block keeps serving small requests. */
            b = xmalloc(sizeof *b + n);
            b->used = 0;
            b->cap = n;
            if (a->head) {
                b->next = a->head->next;
                a->head->next = b;
            } else {
                b->next = NULL;
                a->head = b;
            }
        } else {
            b = xmalloc(sizeof *b + ARENA_BLK);
            b->used = 0;
            b->cap = ARENA_BLK;
            b->next = a->head;
            a->head = b;
        }
    }
    void *p = (unsigned char *)b->data + b->used;
    b->used += n;
    return p;
}

static void *a_zalloc(struct arena *a, size_t n)
{
    return memset(a_alloc(a, n), 0, n);
}

static char *a_strdup(struct arena *a, const char *s)
{
    size_t n = strlen(s) + 1;
    return memcpy(a_alloc(a, n), s, n);
}

/* Makes room for element n (0-based) of an arena array of capacity *cap. */
static void *a_grow(struct arena *a, void *old, size_t elem, int n, int *cap)
{
    if (n < *cap)
        return old;
    int nc = *cap ? 2 * *cap : 16;
    void *p = a_alloc(a, (size_t)nc * elem);
    if (n)
        memcpy(p, old, (size_t)n * elem);
    *cap = nc;
    return p;
}

static void a_release(struct arena *a)
{
    struct blk *b = a->head;
    while (b) {
        struct blk *next = b->next;
        free(b);
        b = next;
    }
    a->head = NULL;
}

/* ---- private part of struct scn ------------------------------------------ */

struct idref {
    const char *id;
    int idx;
};

struct priv {
    struct arena a;
    struct idref *grid_ix, *fac_ix, *unit_ix;   /* sorted by id */
    struct geo_poly *polys;                     /* grid polygons, contiguous */
    char **grid_station;                        /* grids.csv station ids as written */
    char **fac_zone;                            /* facilities.csv zone ids as written */
};

static int cmp_idref(const void *pa, const void *pb)
{
    const struct idref *a = pa, *b = pb;
    int c = strcmp(a->id, b->id);
    return c ? c : (a->idx > b->idx) - (a->idx < b->idx);
}

static int ix_find(const struct idref *ix, int n, const char *id)
{
    int lo = 0, hi = n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (strcmp(ix[mid].id, id) < 0)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo < n && strcmp(ix[lo].id, id) == 0 ? ix[lo].idx : -1;
}

int scn_grid_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->grid_ix ? ix_find(pv->grid_ix, s->n_grids, id) : -1;
}

int scn_unit_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->unit_ix ? ix_find(pv->unit_ix, s->n_units, id) : -1;
}

int scn_facility_find(const struct scn *s, const char *id)
{
    const struct priv *pv = s->priv_;
    return pv && pv->fac_ix ? ix_find(pv->fac_ix, s->n_facilities, id) : -1;
}

const char *fac_tier_name(enum fac_tier t)
{
    static const char *const names[FAC_N_TIERS] = { "station", "workstation", "office", "post" };
    return (unsigned)t < FAC_N_TIERS ? names[t] : "?";
}

/* ---- small parsers shared by the INI and CSV code ----------------------- */

/* -1 if valid UTF-8, else the offending byte. */
static int utf8_bad(const char *str)
{
    return csvr_utf8_bad((const unsigned char *)str, strlen(str));
}

/* Plain decimal notation only ("inf", "nan" and hex floats are refused). */
static int parse_double(const char *s, double *out)
{
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.' ||
              *p == 'e' || *p == 'E'))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (*end || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
        return -1;
    *out = v;
    return 0;
}

static int parse_long(const char *s, long *out)
{
    if (!*s)
        return -1;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-'))
            return -1;
    char *end;
    errno = 0;
    long v = strtol(s, &end, 10);
    if (*end || errno == ERANGE)
        return -1;
    *out = v;
    return 0;
}

/* A numeric range: lo (exclusive if lo_open) .. hi (exclusive if hi_open);
 * +-HUGE_VAL for no bound. */
struct range {
    double lo, hi;
    int lo_open, hi_open;
};

static const struct range R_ANY = { -HUGE_VAL, HUGE_VAL, 0, 0 };
static const struct range R_POS = { 0, HUGE_VAL, 1, 0 };
static const struct range R_NONNEG = { 0, HUGE_VAL, 0, 0 };

static int in_range(double v, struct range r)
{
    return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

static void range_desc(char *buf, size_t n, const char *what, struct range r)
{
    int has_lo = r.lo != -HUGE_VAL, has_hi = r.hi != HUGE_VAL;
    if (has_lo && has_hi && !r.lo_open && !r.hi_open)
        snprintf(buf, n, "%s in [%.15g, %.15g]", what, r.lo, r.hi);
    else if (has_lo && has_hi)
        snprintf(buf, n, "%s %s %.15g and %s %.15g", what, r.lo_open ? ">" : ">=", r.lo,
                 r.hi_open ? "<" : "<=", r.hi);
    else if (has_lo)
        snprintf(buf, n, "%s %s %.15g", what, r.lo_open ? ">" : ">=", r.lo);
    else if (has_hi)
        snprintf(buf, n, "%s %s %.15g", what, r.hi_open ? "<" : "<=", r.hi);
    else
        snprintf(buf, n, "%s", what);
}

static char *join_path(struct arena *a, const char *dir, const char *file)
{
    if (file[0] == '/' || !*dir)
        return a_strdup(a, file);
    size_t nd = strlen(dir), nf = strlen(file);
    int slash = dir[nd - 1] != '/';
    char *p = a_alloc(a, nd + (size_t)slash + nf + 1);
    memcpy(p, dir, nd);
    if (slash)
        p[nd] = '/';
    memcpy(p + nd + (size_t)slash, file, nf + 1);
    return p;
}

/* The arena and paths for the incident-stream loaders (scn_priv.h). */
void *scn__alloc(struct scn *s, size_t n)
{
    return a_zalloc(&((struct priv *)s->priv_)->a, n);
}

char *scn__strdup(struct scn *s, const char *str)
{
    return a_strdup(&((struct priv *)s->priv_)->a, str);
}

char *scn__path(struct scn *s, const char *file)
{
    return join_path(&((struct priv *)s->priv_)->a, s->dir, file);
}

/* ---- scenario.ini -------------------------------------------------------- */

enum key {
    K_NAME, K_DESCRIPTION,
    K_SEED, K_REPS, K_HORIZON, K_WARMUP,
    K_T_GRIDS, K_T_FACILITIES, K_T_UNITS, K_T_ITYPES, K_T_RUNCARDS, K_T_SHIFTS, K_T_ROSTERS,
    K_T_SERVICE_TIMES,
    K_METRIC, K_CIRCUITY,
    K_POLICY, K_HOME_FIRST, K_REDISPATCH, K_DEPTH,
    K_ZONE_FIRST, K_LEVELS, K_ESCALATE, K_PREEMPT, K_PREEMPT_GAP, K_CP, K_CP_MEAN, K_CP_SD,
    K_ABSENCE, K_PATROL_SPEED, K_VISIT, K_COMMUNITY,
    K_SOURCE, K_RATE, K_LOCATION,
    /* incident streams (streams.c, docs/incident-streams.md) */
    K_IN_START, K_IN_GRID_WEIGHTS, K_IN_TYPE_MIX,
    K_RP_FILE, K_RP_TFMT, K_RP_UTC, K_RP_SERVICE, K_RP_ROLLOVER, K_RP_FROM, K_RP_TO,
    K_RP_WINDOW, K_RP_LOCATION, K_RP_GRID_MAP, K_RP_GRID_PLACE, K_RP_OUTSIDE, K_RP_TYPE_MAP,
    K_RP_UNMAPPED, K_RP_DEFAULT_TYPE, K_RP_FILTER_VALUES,
    K_RP_C_DATE, K_RP_C_RECEIVED, K_RP_C_DISPATCHED, K_RP_C_ARRIVED, K_RP_C_CLEARED,
    K_RP_C_SERVICE, K_RP_C_X, K_RP_C_Y, K_RP_C_LAT, K_RP_C_LON, K_RP_C_GRID, K_RP_C_TYPE,
    K_RP_C_PRIORITY, K_RP_C_FILTER, K_RP_C_DEDUP,
    K_NH_PROFILE, K_NH_SEASONAL, K_NH_HOTSPOTS,
    K_GEO_LAT, K_GEO_LON, K_GEO_ID, K_GEO_NAME, K_GEO_WEIGHT,
    K_N
};

static const char *const sections[] = {
    "scenario", "run", "tables", "travel", "modes", "dispatch", "staffing", "incidents",
    "replay", "nhpp", "geo", NULL
};
#define SECTION_LIST "scenario, run, tables, travel, modes, dispatch, staffing, incidents, " \
    "replay, nhpp, geo"

static const struct { const char *sec, *key; } keys[K_N] = {
    [K_NAME] = { "scenario", "name" },
    [K_DESCRIPTION] = { "scenario", "description" },
    [K_SEED] = { "run", "seed" },
    [K_REPS] = { "run", "replications" },
    [K_HORIZON] = { "run", "horizon_days" },
    [K_WARMUP] = { "run", "warmup_days" },
    [K_T_GRIDS] = { "tables", "grids" },
    [K_T_FACILITIES] = { "tables", "facilities" },
    [K_T_UNITS] = { "tables", "units" },
    [K_T_ITYPES] = { "tables", "incident_types" },
    [K_T_RUNCARDS] = { "tables", "run_cards" },
    [K_T_SHIFTS] = { "tables", "shifts" },
    [K_T_ROSTERS] = { "tables", "rosters" },
    [K_T_SERVICE_TIMES] = { "tables", "service_times" },
    [K_METRIC] = { "travel", "metric" },
    [K_CIRCUITY] = { "travel", "circuity" },
    [K_POLICY] = { "dispatch", "policy" },
    [K_HOME_FIRST] = { "dispatch", "home_first" },
    [K_REDISPATCH] = { "dispatch", "redispatch_returning" },
    [K_DEPTH] = { "dispatch", "run_card_depth" },
    [K_ZONE_FIRST] = { "dispatch", "zone_first" },
    [K_LEVELS] = { "dispatch", "levels" },
    [K_ESCALATE] = { "dispatch", "escalate_min" },
    [K_PREEMPT] = { "dispatch", "preempt" },
    [K_PREEMPT_GAP] = { "dispatch", "preempt_priority_gap" },
    [K_CP] = { "dispatch", "call_processing" },
    [K_CP_MEAN] = { "dispatch", "call_processing_min" },
    [K_CP_SD] = { "dispatch", "call_processing_sd_min" },
    [K_ABSENCE] = { "staffing", "absence_probability" },
    [K_PATROL_SPEED] = { "staffing", "patrol_speed_factor" },
    [K_VISIT] = { "staffing", "visit_min" },
    [K_COMMUNITY] = { "staffing", "community_share" },
    [K_SOURCE] = { "incidents", "source" },
    [K_RATE] = { "incidents", "rate_per_day" },
    [K_LOCATION] = { "incidents", "location" },
    [K_IN_START] = { "incidents", "start" },
    [K_IN_GRID_WEIGHTS] = { "incidents", "grid_weights" },
    [K_IN_TYPE_MIX] = { "incidents", "type_mix" },
    [K_RP_FILE] = { "replay", "file" },
    [K_RP_TFMT] = { "replay", "time_format" },
    [K_RP_UTC] = { "replay", "utc_offset" },
    [K_RP_SERVICE] = { "replay", "service" },
    [K_RP_ROLLOVER] = { "replay", "rollover_hours" },
    [K_RP_FROM] = { "replay", "from" },
    [K_RP_TO] = { "replay", "to" },
    [K_RP_WINDOW] = { "replay", "reorder_window" },
    [K_RP_LOCATION] = { "replay", "location" },
    [K_RP_GRID_MAP] = { "replay", "grid_map" },
    [K_RP_GRID_PLACE] = { "replay", "grid_place" },
    [K_RP_OUTSIDE] = { "replay", "outside" },
    [K_RP_TYPE_MAP] = { "replay", "type_map" },
    [K_RP_UNMAPPED] = { "replay", "unmapped_type" },
    [K_RP_DEFAULT_TYPE] = { "replay", "default_type" },
    [K_RP_FILTER_VALUES] = { "replay", "filter_values" },
    [K_RP_C_DATE] = { "replay", "date_column" },
    [K_RP_C_RECEIVED] = { "replay", "received_column" },
    [K_RP_C_DISPATCHED] = { "replay", "dispatched_column" },
    [K_RP_C_ARRIVED] = { "replay", "arrived_column" },
    [K_RP_C_CLEARED] = { "replay", "cleared_column" },
    [K_RP_C_SERVICE] = { "replay", "service_column" },
    [K_RP_C_X] = { "replay", "x_column" },
    [K_RP_C_Y] = { "replay", "y_column" },
    [K_RP_C_LAT] = { "replay", "lat_column" },
    [K_RP_C_LON] = { "replay", "lon_column" },
    [K_RP_C_GRID] = { "replay", "grid_column" },
    [K_RP_C_TYPE] = { "replay", "type_column" },
    [K_RP_C_PRIORITY] = { "replay", "priority_column" },
    [K_RP_C_FILTER] = { "replay", "filter_column" },
    [K_RP_C_DEDUP] = { "replay", "dedup_column" },
    [K_NH_PROFILE] = { "nhpp", "profile" },
    [K_NH_SEASONAL] = { "nhpp", "seasonal" },
    [K_NH_HOTSPOTS] = { "nhpp", "hotspots" },
    [K_GEO_LAT] = { "geo", "origin_lat" },
    [K_GEO_LON] = { "geo", "origin_lon" },
    [K_GEO_ID] = { "geo", "id_property" },
    [K_GEO_NAME] = { "geo", "name_property" },
    [K_GEO_WEIGHT] = { "geo", "weight_property" },
};

#define MAX_SPEED_KMH 500.0
#define MAX_REPS 100000
#define MAX_DEPTH 100000

struct ld {
    struct scn *s;
    struct priv *pv;
    struct arena *a;
    struct perr *e;
    const char *ini_path;
    int kline[K_N];         /* 0 unset, > 0 line in scenario.ini, -1 override */
    const char *table[K_T_SERVICE_TIMES - K_T_GRIDS + 1]; /* [tables] values, NULL = default */
    const char *levels, *escalate;  /* [dispatch] lists, parsed after the file */
    int modes_cap;
    int gs_cap;
    int failed;             /* the INI handler stored an error */
    int fail_line;
};

/* The message prefix for a key: "path:LINE: ", "override " or "path: ". */
static void where(const struct ld *L, int line, char *buf, size_t n)
{
    if (line > 0)
        snprintf(buf, n, "%s:%d: ", L->ini_path, line);
    else if (line < 0)
        snprintf(buf, n, "override ");
    else
        snprintf(buf, n, "%s: ", L->ini_path);
}

static int bad_value(struct ld *L, const char *w, const char *sec, const char *key,
                     const char *what, const char *val)
{
    return err_set(L->e, "%s[%s] %s: expected %s, got '%s'", w, sec, key, what, val);
}

static int key_double(struct ld *L, const char *w, int k, const char *val,
                      struct range r, double *out)
{
    double v;
    if (parse_double(val, &v) < 0 || !in_range(v, r)) {
        char what[128];
        range_desc(what, sizeof what, "a number", r);
        return bad_value(L, w, keys[k].sec, keys[k].key, what, val);
    }
    *out = v;
    return 0;
}

static int key_int(struct ld *L, const char *w, int k, const char *val, long lo, long hi,
                   int *out)
{
    long v;
    if (parse_long(val, &v) < 0 || v < lo || v > hi) {
        char what[128];
        snprintf(what, sizeof what, "an integer in [%ld, %ld]", lo, hi);
        return bad_value(L, w, keys[k].sec, keys[k].key, what, val);
    }
    *out = (int)v;
    return 0;
}

static int key_bool(struct ld *L, const char *w, int k, const char *val, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(val, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(val, no[i]) == 0)
            return *out = false, 0;
    }
    return bad_value(L, w, keys[k].sec, keys[k].key,
                     "true, false, yes, no, on, off, 1 or 0", val);
}

/* Index of val in the NULL-terminated list words, or an error. */
static int key_word(struct ld *L, const char *w, int k, const char *val,
                    const char *const *words, const char *what, int *out)
{
    for (int i = 0; words[i]; i++)
        if (strcmp(val, words[i]) == 0)
            return *out = i, 0;
    return bad_value(L, w, keys[k].sec, keys[k].key, what, val);
}

static int key_text(struct ld *L, const char *w, int k, const char *val)
{
    int b = utf8_bad(val);
    if (b >= 0)
        return err_set(L->e, "%s[%s] %s: invalid UTF-8 byte 0x%02x (save the file as UTF-8)",
                       w, keys[k].sec, keys[k].key, (unsigned)b);
    return 0;
}

static int set_mode(struct ld *L, const char *w, const char *name, const char *val, int line)
{
    struct scn *s = L->s;
    int b = utf8_bad(name);
    if (b >= 0)
        return err_set(L->e, "%s[modes]: invalid UTF-8 byte 0x%02x in a mode name", w,
                       (unsigned)b);
    double v;
    if (parse_double(val, &v) < 0 || !(v > 0 && v <= MAX_SPEED_KMH))
        return err_set(L->e, "%s[modes] %s: expected a speed in km/h > 0 and <= %g, got '%s'",
                       w, name, MAX_SPEED_KMH, val);
    for (int i = 0; i < s->n_modes; i++)
        if (strcmp(s->modes[i].name, name) == 0) {
            if (line > 0)
                return err_set(L->e, "%s[modes] %s: mode defined twice", w, name);
            s->modes[i].speed_kmh = v;      /* an override replaces */
            return 0;
        }
    s->modes = a_grow(L->a, s->modes, sizeof *s->modes, s->n_modes, &L->modes_cap);
    s->modes[s->n_modes].name = a_strdup(L->a, name);
    s->modes[s->n_modes].speed_kmh = v;
    s->n_modes++;
    return 0;
}

/* Sets one key from the file (line > 0) or an override (line < 0). */
static int set_key(struct ld *L, const char *sec, const char *key, const char *val, int line)
{
    struct scn *s = L->s;
    char w[1024];
    where(L, line, w, sizeof w);

    int si = 0;
    while (sections[si] && strcmp(sections[si], sec) != 0)
        si++;
    if (!sections[si]) {
        if (!*sec)
            return err_set(L->e, "%skey '%s' comes before any [section]; expected one of "
                           SECTION_LIST, w, key);
        return err_set(L->e, "%sunknown section [%s]; expected one of " SECTION_LIST, w, sec);
    }
    if (strcmp(sec, "modes") == 0)
        return set_mode(L, w, key, val, line);

    int k = 0;
    while (k < K_N && !(strcmp(keys[k].sec, sec) == 0 && strcmp(keys[k].key, key) == 0))
        k++;
    if (k == K_N) {
        char list[768];     /* [replay] alone has 32 keys */
        size_t used = 0;
        list[0] = '\0';
        for (int j = 0; j < K_N; j++)
            if (strcmp(keys[j].sec, sec) == 0) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                 keys[j].key);
                if (n > 0 && (size_t)n < sizeof list - used)
                    used += (size_t)n;
            }
        return err_set(L->e, "%s[%s] unknown key '%s'; accepted keys: %s", w, sec, key, list);
    }

    if (L->kline[k] > 0 && line > 0) {
        /* inih reports an indented continuation line as the same key again:
         * the description may span lines, every other key is an error. */
        if (k == K_DESCRIPTION) {
            if (key_text(L, w, k, val) < 0)
                return -1;
            size_t n0 = strlen(s->description), n1 = strlen(val);
            char *d = a_alloc(L->a, n0 + n1 + 2);
            memcpy(d, s->description, n0);
            d[n0] = '\n';
            memcpy(d + n0 + 1, val, n1 + 1);
            s->description = d;
            return 0;
        }
        return err_set(L->e, "%s[%s] %s: given twice (first at line %d)", w, sec, key,
                       L->kline[k]);
    }

    int rc = 0, idx;
    switch ((enum key)k) {
    case K_NAME:
        if (!*val)
            return bad_value(L, w, sec, key, "a non-empty name", val);
        rc = key_text(L, w, k, val);
        if (rc == 0)
            s->name = a_strdup(L->a, val);
        break;
    case K_DESCRIPTION:
        rc = key_text(L, w, k, val);
        if (rc == 0)
            s->description = a_strdup(L->a, val);
        break;
    case K_SEED: {
        int ok = *val != '\0';
        for (const char *p = val; *p; p++)
            ok &= *p >= '0' && *p <= '9';
        unsigned long long v = 0;
        if (ok) {
            errno = 0;
            v = strtoull(val, NULL, 10);
            ok = errno != ERANGE;
        }
        if (!ok)
            return bad_value(L, w, sec, key, "an unsigned 64-bit integer", val);
        s->seed = (uint64_t)v;
        break;
    }
    case K_REPS:
        rc = key_int(L, w, k, val, 1, MAX_REPS, &s->reps);
        break;
    case K_HORIZON:
        rc = key_double(L, w, k, val, R_POS, &s->horizon_days);
        break;
    case K_WARMUP:
        rc = key_double(L, w, k, val, R_NONNEG, &s->warmup_days);
        break;
    case K_T_GRIDS:
    case K_T_FACILITIES:
    case K_T_UNITS:
    case K_T_ITYPES:
    case K_T_RUNCARDS:
    case K_T_SHIFTS:
    case K_T_ROSTERS:
    case K_T_SERVICE_TIMES:
        if (!*val && k < K_T_RUNCARDS)
            return bad_value(L, w, sec, key, "a file name", val);
        rc = key_text(L, w, k, val);
        if (rc == 0)
            L->table[k - K_T_GRIDS] = a_strdup(L->a, val);
        break;
    case K_METRIC: {
        static const char *const m[] = { "euclidean", "manhattan", NULL };
        rc = key_word(L, w, k, val, m, "euclidean or manhattan", &idx);
        if (rc == 0)
            s->metric = idx == 0 ? TRV_EUCLIDEAN : TRV_MANHATTAN;
        break;
    }
    case K_CIRCUITY:
        rc = key_double(L, w, k, val, (struct range){ 0.5, 5, 0, 0 }, &s->circuity);
        break;
    case K_POLICY: {
        static const char *const p[] = { "nearest_idle", "run_card", "tiered", NULL };
        rc = key_word(L, w, k, val, p, "nearest_idle, run_card or tiered", &idx);
        if (rc == 0)
            s->policy = a_strdup(L->a, p[idx]);
        break;
    }
    case K_HOME_FIRST:
        rc = key_bool(L, w, k, val, &s->home_first);
        break;
    case K_REDISPATCH:
        rc = key_bool(L, w, k, val, &s->redispatch_returning);
        break;
    case K_DEPTH:
        rc = key_int(L, w, k, val, 1, MAX_DEPTH, &s->run_card_depth);
        break;
    case K_ZONE_FIRST:
        rc = key_bool(L, w, k, val, &s->zone_first);
        break;
    case K_LEVELS:
    case K_ESCALATE:
        rc = key_text(L, w, k, val);
        if (rc == 0)
            *(k == K_LEVELS ? &L->levels : &L->escalate) = a_strdup(L->a, val);
        break;
    case K_PREEMPT:
        rc = key_bool(L, w, k, val, &s->preempt);
        break;
    case K_PREEMPT_GAP:
        rc = key_int(L, w, k, val, 1, 8, &s->preempt_gap);
        break;
    case K_CP: {
        static const char *const p[] = { "exponential", "lognormal", "gamma", "fixed", NULL };
        static const enum svc_dist d[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA, SVC_FIXED };
        rc = key_word(L, w, k, val, p, "exponential, lognormal, gamma or fixed", &idx);
        if (rc == 0)
            s->cp_dist = d[idx];
        break;
    }
    case K_CP_MEAN:
        rc = key_double(L, w, k, val, R_NONNEG, &s->cp_mean_min);
        break;
    case K_CP_SD:
        rc = key_double(L, w, k, val, R_POS, &s->cp_sd_min);
        break;
    case K_ABSENCE:
        rc = key_double(L, w, k, val, (struct range){ 0, 1, 0, 0 }, &s->absence_p);
        break;
    case K_PATROL_SPEED:
        rc = key_double(L, w, k, val, (struct range){ 0, 1, 1, 0 }, &s->patrol_speed_factor);
        break;
    case K_VISIT:
        rc = key_double(L, w, k, val, R_POS, &s->visit_min);
        break;
    case K_COMMUNITY:
        rc = key_double(L, w, k, val, (struct range){ 0, 1, 0, 0 }, &s->community_share);
        break;
    case K_SOURCE: {
        static const char *const p[] = { "poisson", "nhpp", "replay", NULL };
        rc = key_word(L, w, k, val, p, "poisson, nhpp or replay", &idx);
        if (rc == 0)
            s->source = a_strdup(L->a, p[idx]);
        break;
    }
    case K_RATE:
        rc = key_double(L, w, k, val, R_POS, &s->rate_per_day);
        break;
    case K_LOCATION: {
        static const char *const p[] = { "grid_weight", "area", NULL };
        rc = key_word(L, w, k, val, p, "grid_weight or area", &idx);
        if (rc == 0)
            s->location = idx == 0 ? LOC_GRID_WEIGHT : LOC_AREA;
        break;
    }
    case K_IN_START: case K_IN_GRID_WEIGHTS: case K_IN_TYPE_MIX:
    case K_RP_FILE: case K_RP_TFMT: case K_RP_UTC: case K_RP_SERVICE: case K_RP_ROLLOVER:
    case K_RP_FROM: case K_RP_TO: case K_RP_WINDOW: case K_RP_LOCATION: case K_RP_GRID_MAP:
    case K_RP_GRID_PLACE: case K_RP_OUTSIDE: case K_RP_TYPE_MAP: case K_RP_UNMAPPED:
    case K_RP_DEFAULT_TYPE: case K_RP_FILTER_VALUES:
    case K_RP_C_DATE: case K_RP_C_RECEIVED: case K_RP_C_DISPATCHED: case K_RP_C_ARRIVED:
    case K_RP_C_CLEARED: case K_RP_C_SERVICE: case K_RP_C_X: case K_RP_C_Y: case K_RP_C_LAT:
    case K_RP_C_LON: case K_RP_C_GRID: case K_RP_C_TYPE: case K_RP_C_PRIORITY:
    case K_RP_C_FILTER: case K_RP_C_DEDUP:
    case K_NH_PROFILE: case K_NH_SEASONAL: case K_NH_HOTSPOTS:
    case K_GEO_LAT: case K_GEO_LON: case K_GEO_ID: case K_GEO_NAME: case K_GEO_WEIGHT:
        rc = key_text(L, w, k, val);
        if (rc == 0)
            rc = scn__stream_key(s, sec, key, val, line, w, L->e);
        break;
    case K_N:
        break;
    }
    if (rc == 0)
        L->kline[k] = line;
    return rc;
}

/* ---- policing vocabulary: roles, incident classes, dispatch levels --------- */

static const char *const role_words[ROLE_N] = {
    "grid_car", "post_car", "station_duty", "community", "case_team", "special"
};
#define ROLE_LIST "grid_car, post_car, station_duty, community, case_team or special"

const char *unit_role_name(enum unit_role r)
{
    return (unsigned)r < ROLE_N ? role_words[r] : "?";
}

static const char *const class_words[CLS_N] = {
    "criminal", "public_order", "dispute", "help", "traffic", "other"
};

const char *inc_class_name(enum inc_class c)
{
    return (unsigned)c < CLS_N ? class_words[c] : "?";
}

static int role_find(const char *w, size_t len)
{
    for (int i = 0; i < ROLE_N; i++)
        if (strlen(role_words[i]) == len && strncmp(role_words[i], w, len) == 0)
            return i;
    return -1;
}

static int is_sep(char c)
{
    return c == ' ' || c == '\t' || c == ',' || c == ';';
}

/* Roles separated by spaces, ',' or ';' into a mask; on an unknown word
 * returns -1 with the word in bad. */
static int parse_roles(const char *s, unsigned *mask, char *bad, size_t nbad)
{
    *mask = 0;
    for (const char *p = s;;) {
        while (is_sep(*p))
            p++;
        if (!*p)
            return 0;
        const char *q = p;
        while (*q && !is_sep(*q))
            q++;
        int r = role_find(p, (size_t)(q - p));
        if (r < 0) {
            snprintf(bad, nbad, "%.*s", (int)(q - p), p);
            return -1;
        }
        *mask |= 1u << r;
        p = q;
    }
}

/* [dispatch] levels and escalate_min, once the whole file and the overrides
 * are in (either may come first). */
static int parse_levels(struct ld *L)
{
    struct scn *s = L->s;
    char w[1024];
    int n = 1;
    for (const char *p = L->levels ? L->levels : ""; *p; p++)
        n += *p == '|';
    s->levels = a_alloc(L->a, (size_t)n * sizeof *s->levels);
    s->escalate_min = a_alloc(L->a, (size_t)n * sizeof *s->escalate_min);
    s->n_levels = n;
    for (int i = 0; i < n; i++)
        s->escalate_min[i] = INFINITY;
    if (!L->levels) {
        s->levels[0] = (1u << ROLE_N) - 1;
    } else {
        where(L, L->kline[K_LEVELS], w, sizeof w);
        const char *p = L->levels;
        for (int i = 0; i < n; i++) {
            const char *q = strchr(p, '|');
            size_t len = q ? (size_t)(q - p) : strlen(p);
            char buf[256], bad[64];
            snprintf(buf, sizeof buf, "%.*s", (int)len, p);
            if (parse_roles(buf, &s->levels[i], bad, sizeof bad) < 0)
                return err_set(L->e, "%s[dispatch] levels: unknown role '%s' in level %d; "
                               "expected " ROLE_LIST, w, bad, i + 1);
            if (!s->levels[i])
                return err_set(L->e, "%s[dispatch] levels: level %d is empty; expected roles "
                               "separated by spaces and levels by '|', got '%s'", w, i + 1,
                               L->levels);
            p += len + (q != NULL);
        }
    }
    if (L->escalate) {
        where(L, L->kline[K_ESCALATE], w, sizeof w);
        int k = 0;
        const char *p = L->escalate;
        for (;;) {
            while (is_sep(*p) || *p == '|')
                p++;
            if (!*p)
                break;
            char *end;
            double v = strtod(p, &end);
            if (end == p || !(v > 0) || !isfinite(v) || (*end && !is_sep(*end) && *end != '|') ||
                k >= n - 1)
                return err_set(L->e, "%s[dispatch] escalate_min: expected %d number%s > 0 "
                               "(minutes, one per level but the last), got '%s'", w, n - 1,
                               n - 1 == 1 ? "" : "s", L->escalate);
            s->escalate_min[k++] = v;
            p = end;
        }
        if (k != n - 1)
            return err_set(L->e, "%s[dispatch] escalate_min: expected %d number%s > 0 "
                           "(minutes, one per level but the last), got '%s'", w, n - 1,
                           n - 1 == 1 ? "" : "s", L->escalate);
    }
    return 0;
}

static int on_ini(void *user, const char *sec, const char *key, const char *val, int lineno)
{
    struct ld *L = user;
    if (L->failed)
        return 1;               /* keep the first message; inih keeps the first line */
    if (set_key(L, sec, key, val ? val : "", lineno > 0 ? lineno : 1) < 0) {
        L->failed = 1;
        L->fail_line = lineno;
        return 0;
    }
    return 1;
}

static int load_ini(struct ld *L, const struct scn_override *ov, int n_ov)
{
    struct scn *s = L->s;
    s->seed = 1;
    s->reps = 10;
    s->horizon_days = 30;
    s->warmup_days = 0;
    s->metric = TRV_EUCLIDEAN;
    s->circuity = 1.0;
    s->policy = a_strdup(L->a, "nearest_idle");
    s->home_first = true;
    s->redispatch_returning = true;
    s->run_card_depth = 64;
    s->zone_first = true;
    s->preempt_gap = 1;
    s->cp_dist = SVC_FIXED;
    s->patrol_speed_factor = 0.5;
    s->visit_min = 30;
    s->community_share = 0.8;
    s->source = a_strdup(L->a, "poisson");
    s->location = LOC_GRID_WEIGHT;
    s->description = a_strdup(L->a, "");

    FILE *f = fopen(L->ini_path, "r");
    if (!f)
        return err_sys(L->e, "%s: cannot open", L->ini_path);
    int rc = ini_parse_file(f, on_ini, L);
    fclose(f);
    if (rc < 0)
        return err_set(L->e, "%s: cannot parse (inih error %d)", L->ini_path, rc);
    if (rc > 0 && (!L->failed || rc < L->fail_line))
        return err_set(L->e, "%s:%d: syntax error: expected [section], key = value or "
                       "a comment (lines are limited to 200 characters)", L->ini_path, rc);
    if (L->failed)
        return -1;

    for (int i = 0; i < n_ov; i++) {
        if (!ov[i].section || !ov[i].key || !ov[i].value)
            return err_set(L->e, "override %d: section, key and value are all required", i + 1);
        if (set_key(L, ov[i].section, ov[i].key, ov[i].value, -1) < 0)
            return -1;
    }

    if (!L->kline[K_NAME])
        return err_set(L->e, "%s: [scenario] name is required", L->ini_path);
    if (!L->kline[K_RATE] && strcmp(s->source, "replay") != 0)
        return err_set(L->e, "%s: [incidents] rate_per_day is required (except with "
                       "source = replay)", L->ini_path);
    if (s->n_modes == 0)
        return err_set(L->e, "%s: [modes] needs at least one mode (name = speed_kmh, "
                       "e.g. car = 40)", L->ini_path);
    if (parse_levels(L) < 0)
        return -1;
    if ((s->cp_dist == SVC_LOGNORMAL || s->cp_dist == SVC_GAMMA) && s->cp_mean_min > 0 &&
        !L->kline[K_CP_SD]) {
        char w[1024];
        where(L, L->kline[K_CP], w, sizeof w);
        return err_set(L->e, "%s[dispatch] call_processing: a %s delay needs "
                       "call_processing_sd_min", w, s->cp_dist == SVC_GAMMA ? "gamma" : "lognormal");
    }
    if (!(s->warmup_days < s->horizon_days)) {
        char w[1024];
        int k = L->kline[K_WARMUP] ? K_WARMUP : K_HORIZON;
        where(L, L->kline[k], w, sizeof w);
        return err_set(L->e, "%s[run] %s: warmup_days (%.15g) must be less than "
                       "horizon_days (%.15g)", w, keys[k].key, s->warmup_days, s->horizon_days);
    }
    return 0;
}

/* ---- tables --------------------------------------------------------------- */

#define TAB_MAXCOL 24

struct tab {
    struct ld *L;
    struct csvr *r;
    const char *path;
    const char *const *names;   /* known columns, NULL-terminated */
    int col[TAB_MAXCOL];
    int header_line;
};

static int tab_open(struct ld *L, struct tab *t, const char *path,
                    const char *const *names, const char *const *required)
{
    t->L = L;
    t->path = path;
    t->names = names;
    t->r = csvr_open(path, L->e);
    if (!t->r)
        return -1;
    if (csvr_header(t->r, names, required, t->col, L->e) < 0)
        return -1;
    t->header_line = (int)csvr_line(t->r);
    return 0;
}

static void tab_close(struct tab *t)
{
    csvr_close(t->r);
    t->r = NULL;
}

/* Next data row: 1, 0 at the end (an error if there were no rows), -1. */
static int tab_next(struct tab *t, int nrows)
{
    int rc = csvr_next(t->r, t->L->e);
    if (rc == 0 && nrows == 0)
        return err_set(t->L->e, "%s:%d: no data rows after the header; the table needs "
                       "at least one row", t->path, t->header_line);
    return rc;
}

static const char *tab_str(const struct tab *t, int k)
{
    return csvr_get(t->r, t->col[k]);
}

static int tab_verr(const struct tab *t, long line, int k, const char *fmt, va_list ap)
    ERR_PRINTF(4, 0);
static int tab_verr(const struct tab *t, long line, int k, const char *fmt, va_list ap)
{
    char msg[ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (k < 0)
        return err_set(t->L->e, "%s:%ld: %s", t->path, line, msg);
    if (t->col[k] < 0)
        return err_set(t->L->e, "%s:%ld: column '%s': %s", t->path, line, t->names[k], msg);
    return err_set(t->L->e, "%s:%ld: column %d '%s': %s", t->path, line, t->col[k] + 1,
                   t->names[k], msg);
}

/* Error about column k (k < 0: the whole row) of the current row. */
static int tab_err(const struct tab *t, int k, const char *fmt, ...) ERR_PRINTF(3, 4);
static int tab_err(const struct tab *t, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tab_verr(t, csvr_line(t->r), k, fmt, ap);
    va_end(ap);
    return -1;
}

/* Error about column k of the row at `line`, after the table was read. */
static int tab_err_at(const struct tab *t, int line, int k, const char *fmt, ...)
    ERR_PRINTF(4, 5);
static int tab_err_at(const struct tab *t, int line, int k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    tab_verr(t, line, k, fmt, ap);
    va_end(ap);
    return -1;
}

static int tab_id(const struct tab *t, int k, char **out)
{
    const char *v = tab_str(t, k);
    if (!*v)
        return tab_err(t, k, "an id is required, got an empty value");
    for (const char *p = v; *p; p++)
        if (*p == ';' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            return tab_err(t, k, "id '%s' must not contain ';' or spaces", v);
    *out = a_strdup(t->L->a, v);
    return 0;
}

/* A number in range r; an empty field gives *dflt, or is an error if dflt is
 * NULL. */
static int tab_num(const struct tab *t, int k, struct range r, const double *dflt,
                   double *out)
{
    const char *v = tab_str(t, k);
    char what[128];
    if (!*v && dflt) {
        *out = *dflt;
        return 0;
    }
    double x;
    if (parse_double(v, &x) == 0 && in_range(x, r)) {
        *out = x;
        return 0;
    }
    range_desc(what, sizeof what, "a number", r);
    if (!*v)
        return tab_err(t, k, "expected %s, got an empty value", what);
    return tab_err(t, k, "expected %s, got '%s'", what, v);
}

static int tab_int(const struct tab *t, int k, long lo, long hi, const long *dflt, int *out)
{
    const char *v = tab_str(t, k);
    char what[128];
    if (!*v && dflt) {
        *out = (int)*dflt;
        return 0;
    }
    long x;
    if (parse_long(v, &x) == 0 && x >= lo && x <= hi) {
        *out = (int)x;
        return 0;
    }
    if (hi == INT32_MAX)
        snprintf(what, sizeof what, "an integer >= %ld", lo);
    else
        snprintf(what, sizeof what, "an integer in [%ld, %ld]", lo, hi);
    if (!*v)
        return tab_err(t, k, "expected %s, got an empty value", what);
    return tab_err(t, k, "expected %s, got '%s'", what, v);
}

static const char *table_path(struct ld *L, int k, const char *dflt)
{
    const char *v = L->table[k - K_T_GRIDS];
    return join_path(L->a, L->s->dir, v ? v : dflt);
}

/* Sorts ids of n rows (first member `char *id`, rows `stride` bytes apart,
 * `int line` at line_off) and rejects duplicates, naming the earliest row
 * that repeats an id. */
static struct idref *index_ids(const struct tab *t, int k_id, const void *rows, int n,
                               size_t stride, size_t line_off)
{
    struct arena *a = t->L->a;
    struct idref *ix = a_alloc(a, (size_t)(n > 0 ? n : 1) * sizeof *ix);
    for (int i = 0; i < n; i++) {
        ix[i].id = *(char *const *)((const char *)rows + (size_t)i * stride);
        ix[i].idx = i;
    }
    qsort(ix, (size_t)n, sizeof *ix, cmp_idref);
    int first = -1, dup = -1;
    for (int i = 0; i + 1 < n; i++)
        if (strcmp(ix[i].id, ix[i + 1].id) == 0 && (dup < 0 || ix[i + 1].idx < dup)) {
            dup = ix[i + 1].idx;
            first = ix[i].idx;
        }
    if (dup >= 0) {
        const char *row = (const char *)rows + (size_t)dup * stride;
        const char *row0 = (const char *)rows + (size_t)first * stride;
        int line, line0;
        memcpy(&line, row + line_off, sizeof line);
        memcpy(&line0, row0 + line_off, sizeof line0);
        tab_err_at(t, line, k_id, "duplicate id '%s' (first at line %d)",
                   *(char *const *)row, line0);
        return NULL;
    }
    return ix;
}

/* ---- grids.csv ------------------------------------------------------------ */

enum { G_ID, G_NAME, G_WEIGHT, G_XMIN, G_YMIN, G_XMAX, G_YMAX, G_POLYGON, G_STATION };
static const char *const grid_cols[] = {
    "id", "name", "weight", "xmin", "ymin", "xmax", "ymax", "polygon", "station", NULL
};
static const char *const grid_req[] = { "id", NULL };

struct vbuf {
    struct geo_pt *v;
    int n, cap;
};

/* Parses "x y; x y; ..." into vb, dropping repeated consecutive vertices and
 * a closing vertex equal to the first (GIS exports repeat it). */
static int parse_polygon(const struct tab *t, const char *s, struct vbuf *vb)
{
    vb->n = 0;
    int vertex = 0;
    const char *p = s;
    while (*p) {
        const char *q = strchr(p, ';');
        size_t len = q ? (size_t)(q - p) : strlen(p);
        char piece[128];
        vertex++;
        const char *b = p, *e = p + len;
        while (b < e && (*b == ' ' || *b == '\t' || *b == '\n' || *b == '\r'))
            b++;
        while (e > b && (e[-1] == ' ' || e[-1] == '\t' || e[-1] == '\n' || e[-1] == '\r'))
            e--;
        if (b == e) {
            if (!q || q[1] == '\0')
                break;          /* a trailing ';' */
            return tab_err(t, G_POLYGON, "vertex %d is empty (two ';' in a row?)", vertex);
        }
        if ((size_t)(e - b) >= sizeof piece)
            return tab_err(t, G_POLYGON, "vertex %d: expected 'x y' (two numbers, km), "
                           "got '%.40s...'", vertex, b);
        memcpy(piece, b, (size_t)(e - b));
        piece[e - b] = '\0';
        char *sp = piece;
        while (*sp && *sp != ' ' && *sp != '\t')
            sp++;
        char *second = sp;
        while (*second == ' ' || *second == '\t')
            second++;
        double x, y;
        int ok = *sp != '\0';
        if (ok) {
            *sp = '\0';
            ok = parse_double(piece, &x) == 0 && parse_double(second, &y) == 0;
        }
        if (!ok) {
            memcpy(piece, b, (size_t)(e - b));
            piece[e - b] = '\0';
            return tab_err(t, G_POLYGON, "vertex %d: expected 'x y' (two numbers, km), "
                           "got '%s'", vertex, piece);
        }
        if (vb->n == vb->cap) {
            vb->cap = vb->cap ? 2 * vb->cap : 16;
            vb->v = xrealloc(vb->v, (size_t)vb->cap * sizeof *vb->v);
        }
        if (vb->n == 0 || vb->v[vb->n - 1].x != x || vb->v[vb->n - 1].y != y)
            vb->v[vb->n++] = (struct geo_pt){ x, y };
        p = q ? q + 1 : p + len;
    }
    if (vb->n > 1 && vb->v[0].x == vb->v[vb->n - 1].x && vb->v[0].y == vb->v[vb->n - 1].y)
        vb->n--;
    if (vb->n < 3)
        return tab_err(t, G_POLYGON, "a polygon needs at least 3 distinct vertices, got %d "
                       "in '%s'", vb->n, s);
    return 0;
}

static int read_grid_row(struct tab *t, struct scn_grid *g, struct vbuf *vb)
{
    struct arena *a = t->L->a;
    static const double one = 1;
    if (tab_id(t, G_ID, &g->id) < 0)
        return -1;
    g->name = a_strdup(a, tab_str(t, G_NAME));
    if (tab_num(t, G_WEIGHT, R_NONNEG, &one, &g->weight) < 0)
        return -1;
    /* The station is resolved once facilities are read (resolve_police). */
    int gi = (int)(g - t->L->s->grids);
    t->L->pv->grid_station = a_grow(a, t->L->pv->grid_station, sizeof(char *), gi,
                                    &t->L->gs_cap);
    t->L->pv->grid_station[gi] = a_strdup(a, tab_str(t, G_STATION));

    int rect = 0;
    for (int k = G_XMIN; k <= G_YMAX; k++)
        rect |= *tab_str(t, k) != '\0';
    int poly = *tab_str(t, G_POLYGON) != '\0';
    if (rect && poly)
        return tab_err(t, G_POLYGON, "grid '%s' gives both a rectangle (xmin, ymin, xmax, "
                       "ymax) and a polygon; give one of them", g->id);
    if (!rect && !poly)
        return tab_err(t, -1, "grid '%s' has no shape: give xmin, ymin, xmax, ymax "
                       "(a rectangle) or polygon", g->id);
    if (rect) {
        double c[4];
        for (int k = G_XMIN; k <= G_YMAX; k++)
            if (tab_num(t, k, R_ANY, NULL, &c[k - G_XMIN]) < 0)
                return -1;
        if (!(c[2] > c[0]))
            return tab_err(t, G_XMAX, "expected a number > xmin (%.15g), got '%s'", c[0],
                           tab_str(t, G_XMAX));
        if (!(c[3] > c[1]))
            return tab_err(t, G_YMAX, "expected a number > ymin (%.15g), got '%s'", c[1],
                           tab_str(t, G_YMAX));
        vb->n = 4;
        if (vb->cap < 4) {
            vb->cap = 16;
            vb->v = xrealloc(vb->v, (size_t)vb->cap * sizeof *vb->v);
        }
        vb->v[0] = (struct geo_pt){ c[0], c[1] };
        vb->v[1] = (struct geo_pt){ c[2], c[1] };
        vb->v[2] = (struct geo_pt){ c[2], c[3] };
        vb->v[3] = (struct geo_pt){ c[0], c[3] };
    } else if (parse_polygon(t, tab_str(t, G_POLYGON), vb) < 0) {
        return -1;
    }

    g->poly.n = vb->n;
    g->poly.v = a_alloc(a, (size_t)vb->n * sizeof *g->poly.v);
    memcpy(g->poly.v, vb->v, (size_t)vb->n * sizeof *g->poly.v);
    if (geo_poly_finish(&g->poly) < 0) {
        /* Tell the two failures apart for the planner: a polygon whose
         * vertices are not all on one line has positive area unless its
         * edges cross (a symmetric bow tie has zero signed area). */
        const struct geo_pt *v = vb->v;
        int far = 0;
        double dmax = 0;
        for (int i = 1; i < vb->n; i++) {
            double d = hypot(v[i].x - v[0].x, v[i].y - v[0].y);
            if (d > dmax)
                dmax = d, far = i;
        }
        double off = 0;
        for (int i = 1; i < vb->n; i++)
            off = fmax(off, fabs((v[far].x - v[0].x) * (v[i].y - v[0].y) -
                                 (v[far].y - v[0].y) * (v[i].x - v[0].x)) / dmax);
        if (off <= 1e-9 * dmax)
            return tab_err(t, G_POLYGON, "degenerate polygon (zero area): '%s'",
                           tab_str(t, G_POLYGON));
        return tab_err(t, G_POLYGON, "self-intersecting polygon (edges cross or touch): '%s'",
                       tab_str(t, G_POLYGON));
    }
    return 0;
}

static int cmp_by_xmin(const void *pa, const void *pb)
{
    const struct geo_poly *a = *(const struct geo_poly *const *)pa;
    const struct geo_poly *b = *(const struct geo_poly *const *)pb;
    if (a->xmin != b->xmin)
        return (a->xmin > b->xmin) - (a->xmin < b->xmin);
    return (a > b) - (a < b);
}

static int check_overlaps(struct tab *t)
{
    struct scn *s = t->L->s;
    struct geo_poly *polys = t->L->pv->polys;
    int n = s->n_grids;
    const struct geo_poly **order = xmalloc((size_t)n * sizeof *order);
    for (int i = 0; i < n; i++)
        order[i] = &polys[i];
    qsort(order, (size_t)n, sizeof *order, cmp_by_xmin);
    /* Report the pair met first when reading the file top-down. */
    int best_i = -1, best_j = -1;
    for (int a = 0; a < n; a++) {
        const struct geo_poly *p = order[a];
        for (int b = a + 1; b < n && order[b]->xmin < p->xmax; b++) {
            const struct geo_poly *q = order[b];
            if (q->ymin >= p->ymax || p->ymin >= q->ymax)
                continue;
            int i = (int)(p - polys), j = (int)(q - polys);
            if (i > j) {
                int tmp = i;
                i = j;
                j = tmp;
            }
            if (best_j >= 0 && (j > best_j || (j == best_j && i > best_i)))
                continue;
            if (geo_poly_overlap(p, q)) {
                best_i = i;
                best_j = j;
            }
        }
    }
    free(order);
    if (best_j >= 0)
        return tab_err_at(t, s->grids[best_j].line, -1, "grid '%s' overlaps grid '%s' "
                          "(line %d); grids must not overlap", s->grids[best_j].id,
                          s->grids[best_i].id, s->grids[best_i].line);
    return 0;
}

static int check_coverage(struct tab *t)
{
    struct scn *s = t->L->s;
    double w = s->xmax - s->xmin, h = s->ymax - s->ymin;
    double total = w * h, sum = 0;
    for (int i = 0; i < s->n_grids; i++)
        sum += s->grids[i].poly.area;
    if (s->location == LOC_GRID_WEIGHT) {
        double ws = 0;
        for (int i = 0; i < s->n_grids; i++)
            ws += s->grids[i].weight;
        if (!(ws > 0))
            return err_set(t->L->e, "%s: every weight is 0; with [incidents] location = "
                           "grid_weight at least one grid needs weight > 0", t->path);
        return 0;
    }
    if (sum >= total * (1 - 1e-9))
        return 0;
    /* Find a witness: the first probe cell centre in no grid, on finer and
     * finer probe lattices. */
    for (int k = 16; k <= 1024; k *= 4)
        for (int iy = 0; iy < k; iy++)
            for (int ix = 0; ix < k; ix++) {
                double x = s->xmin + (ix + 0.5) * w / k, y = s->ymin + (iy + 0.5) * h / k;
                if (geo_index_locate(s->grid_index, x, y) < 0)
                    return err_set(t->L->e, "%s: with [incidents] location = area the grids "
                                   "must cover their bounding box [%.6g, %.6g] x [%.6g, %.6g] "
                                   "without holes, but they cover %.9g of %.9g km^2; "
                                   "e.g. the point (%.6g, %.6g) lies in no grid", t->path,
                                   s->xmin, s->xmax, s->ymin, s->ymax, sum, total, x, y);
            }
    return err_set(t->L->e, "%s: with [incidents] location = area the grids must cover "
                   "their bounding box [%.6g, %.6g] x [%.6g, %.6g] without holes, but they "
                   "cover %.9g of %.9g km^2 (the gaps are narrow slivers)", t->path,
                   s->xmin, s->xmax, s->ymin, s->ymax, sum, total);
}

/* Grids from a GeoJSON file (geojson.c) instead of CSV rows: t is set up
 * for the whole-table checks below, which then name feature numbers as
 * lines; GeoJSON grids have no station column. */
static int geojson_grids(struct ld *L, struct tab *t, const char *path)
{
    t->L = L;
    t->path = path;
    t->names = grid_cols;
    for (int k = 0; k < TAB_MAXCOL; k++)
        t->col[k] = -1;
    if (scn__geojson_grids(L->s, path, L->e) < 0)
        return -1;
    L->pv->grid_station = a_alloc(L->a, (size_t)L->s->n_grids * sizeof(char *));
    for (int g = 0; g < L->s->n_grids; g++)
        L->pv->grid_station[g] = "";
    return 0;
}

static int load_grids(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    struct vbuf vb = { 0 };
    int cap = 0, rc = -1;
    const char *gpath = table_path(L, K_T_GRIDS, "grids.csv");
    if (scn__is_geojson(gpath)) {
        if (geojson_grids(L, &t, gpath) < 0)
            goto out;
    } else if (tab_open(L, &t, gpath, grid_cols, grid_req) < 0) {
        goto out;
    }
    while (t.r) {
        int r = tab_next(&t, s->n_grids);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->grids = a_grow(L->a, s->grids, sizeof *s->grids, s->n_grids, &cap);
        struct scn_grid *g = &s->grids[s->n_grids];
        memset(g, 0, sizeof *g);
        g->line = (int)csvr_line(t.r);
        if (read_grid_row(&t, g, &vb) < 0)
            goto out;
        s->n_grids++;
    }
    L->pv->grid_ix = index_ids(&t, G_ID, s->grids, s->n_grids, sizeof *s->grids,
                               offsetof(struct scn_grid, line));
    if (!L->pv->grid_ix)
        goto out;

    L->pv->polys = a_alloc(L->a, (size_t)s->n_grids * sizeof *L->pv->polys);
    for (int i = 0; i < s->n_grids; i++)
        L->pv->polys[i] = s->grids[i].poly;
    /* GeoJSON grids were checked by geojson.c, which tolerates GIS slivers. */
    if (!scn__is_geojson(gpath) && check_overlaps(&t) < 0)
        goto out;
    s->xmin = s->ymin = HUGE_VAL;
    s->xmax = s->ymax = -HUGE_VAL;
    for (int i = 0; i < s->n_grids; i++) {
        const struct geo_poly *p = &s->grids[i].poly;
        s->xmin = fmin(s->xmin, p->xmin);
        s->ymin = fmin(s->ymin, p->ymin);
        s->xmax = fmax(s->xmax, p->xmax);
        s->ymax = fmax(s->ymax, p->ymax);
    }
    s->grid_index = geo_index_new(L->pv->polys, s->n_grids);
    rc = check_coverage(&t);
out:
    free(vb.v);
    tab_close(&t);
    return rc;
}

/* ---- facilities.csv -------------------------------------------------------- */

enum { F_ID, F_NAME, F_TIER, F_X, F_Y, F_PARENT, F_ZONE };
static const char *const fac_cols[] = { "id", "name", "tier", "x", "y", "parent", "zone", NULL };
static const char *const fac_req[] = { "id", "tier", "x", "y", NULL };

static const struct { const char *word; enum fac_tier tier; } tier_words[] = {
    { "station", FAC_STATION },       { "派出所", FAC_STATION },
    { "workstation", FAC_WORKSTATION }, { "工作站", FAC_WORKSTATION },
    { "社区警务工作站", FAC_WORKSTATION }, { "警务站", FAC_WORKSTATION },
    { "office", FAC_OFFICE },         { "工作室", FAC_OFFICE },
    { "社区警务工作室", FAC_OFFICE },   { "警务室", FAC_OFFICE },
    { "post", FAC_POST },             { "驻巡站", FAC_POST },
};

static const char *tier_article(enum fac_tier t)
{
    return t == FAC_OFFICE ? "an" : "a";
}

static int check_parent(const struct tab *t, const struct scn_facility *f,
                        const struct scn_facility *p, const char *pname)
{
    switch (f->tier) {
    case FAC_STATION:
        return tab_err_at(t, f->line, F_PARENT, "a station has no parent, got '%s'", pname);
    case FAC_WORKSTATION:
        if (p->tier != FAC_STATION)
            return tab_err_at(t, f->line, F_PARENT, "a workstation's parent must be a "
                              "station, but '%s' is %s %s", pname, tier_article(p->tier),
                              fac_tier_name(p->tier));
        return 0;
    case FAC_OFFICE:
        if (p->tier != FAC_STATION && p->tier != FAC_WORKSTATION)
            return tab_err_at(t, f->line, F_PARENT, "an office's parent must be a "
                              "workstation or a station, but '%s' is %s %s", pname,
                              tier_article(p->tier), fac_tier_name(p->tier));
        return 0;
    case FAC_POST:
        if (p->tier != FAC_STATION)
            return tab_err_at(t, f->line, F_PARENT, "a post's parent must be a station "
                              "(or none), but '%s' is %s %s", pname, tier_article(p->tier),
                              fac_tier_name(p->tier));
        return 0;
    case FAC_N_TIERS:
        break;
    }
    return 0;
}

static int load_facilities(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, pcap = 0, zcap = 0, rc = -1;
    char **parent = NULL;       /* parent ids as written, resolved at the end */
    if (tab_open(L, &t, table_path(L, K_T_FACILITIES, "facilities.csv"), fac_cols,
                 fac_req) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, s->n_facilities);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->facilities = a_grow(L->a, s->facilities, sizeof *s->facilities, s->n_facilities,
                               &cap);
        parent = a_grow(L->a, parent, sizeof *parent, s->n_facilities, &pcap);
        struct scn_facility *f = &s->facilities[s->n_facilities];
        memset(f, 0, sizeof *f);
        f->line = (int)csvr_line(t.r);
        f->parent = -1;
        if (tab_id(&t, F_ID, &f->id) < 0)
            goto out;
        f->name = a_strdup(L->a, tab_str(&t, F_NAME));
        const char *tier = tab_str(&t, F_TIER);
        size_t k = 0, nw = sizeof tier_words / sizeof tier_words[0];
        while (k < nw && strcasecmp(tier_words[k].word, tier) != 0)
            k++;
        if (k == nw) {
            tab_err(&t, F_TIER, "unknown tier '%s'; expected station, workstation, "
                    "office or post (派出所, 工作站, 工作室, 驻巡站)", tier);
            goto out;
        }
        f->tier = tier_words[k].tier;
        if (tab_num(&t, F_X, R_ANY, NULL, &f->x) < 0 || tab_num(&t, F_Y, R_ANY, NULL, &f->y) < 0)
            goto out;
        parent[s->n_facilities] = a_strdup(L->a, tab_str(&t, F_PARENT));
        L->pv->fac_zone = a_grow(L->a, L->pv->fac_zone, sizeof(char *), s->n_facilities, &zcap);
        L->pv->fac_zone[s->n_facilities] = a_strdup(L->a, tab_str(&t, F_ZONE));
        s->n_facilities++;
    }
    L->pv->fac_ix = index_ids(&t, F_ID, s->facilities, s->n_facilities,
                              sizeof *s->facilities, offsetof(struct scn_facility, line));
    if (!L->pv->fac_ix)
        goto out;
    for (int i = 0; i < s->n_facilities; i++) {
        struct scn_facility *f = &s->facilities[i];
        if (!*parent[i]) {
            if (f->tier == FAC_WORKSTATION || f->tier == FAC_OFFICE) {
                tab_err_at(&t, f->line, F_PARENT, "%s %s needs a parent %s, got an "
                           "empty value", tier_article(f->tier), fac_tier_name(f->tier),
                           f->tier == FAC_OFFICE ? "workstation or station" : "station");
                goto out;
            }
            continue;
        }
        int p = ix_find(L->pv->fac_ix, s->n_facilities, parent[i]);
        if (p < 0) {
            tab_err_at(&t, f->line, F_PARENT, "unknown facility '%s'", parent[i]);
            goto out;
        }
        if (check_parent(&t, f, &s->facilities[p], parent[i]) < 0)
            goto out;
        f->parent = p;
    }
    rc = 0;
out:
    tab_close(&t);
    return rc;
}

/* ---- units.csv -------------------------------------------------------------- */

enum { U_ID, U_NAME, U_BASE, U_HOME, U_OFFICERS, U_AUX, U_MODE, U_ROLE, U_ROSTER, U_SQUAD,
       U_IDLE };
static const char *const unit_cols[] = {
    "id", "name", "base", "home_grids", "officers", "auxiliaries", "mode", "role", "roster",
    "squad", "between_calls", NULL
};
static const char *const unit_req[] = { "id", "base", "mode", NULL };

/* ---- shifts.csv and rosters.csv (optional) --------------------------------- */

/* Path of an optional table: NULL when absent (or named empty). */
static const char *optional_table(struct ld *L, int k, const char *dflt)
{
    const char *v = L->table[k - K_T_GRIDS];
    if (v)
        return *v ? join_path(L->a, L->s->dir, v) : NULL;
    const char *path = join_path(L->a, L->s->dir, dflt);
    return access(path, F_OK) == 0 ? path : NULL;
}

enum { SH_CODE, SH_START, SH_HOURS };
static const char *const shift_cols[] = { "code", "start_h", "hours", NULL };

static int load_shifts(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = optional_table(L, K_T_SHIFTS, "shifts.csv");
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (tab_open(L, &t, path, shift_cols, shift_cols) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, s->n_shifts);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->shifts = a_grow(L->a, s->shifts, sizeof *s->shifts, s->n_shifts, &cap);
        struct scn_shift *sh = &s->shifts[s->n_shifts];
        if (tab_id(&t, SH_CODE, &sh->code) < 0)
            goto out;
        if (!strcmp(sh->code, "-")) {
            tab_err(&t, SH_CODE, "'-' means a day off in rosters and cannot be a shift code");
            goto out;
        }
        for (int i = 0; i < s->n_shifts; i++)
            if (!strcmp(s->shifts[i].code, sh->code)) {
                tab_err(&t, SH_CODE, "duplicate shift code '%s'", sh->code);
                goto out;
            }
        if (tab_num(&t, SH_START, (struct range){ 0, 24, 0, 1 }, NULL, &sh->start_h) < 0 ||
            tab_num(&t, SH_HOURS, (struct range){ 0, 24, 1, 0 }, NULL, &sh->hours) < 0)
            goto out;
        s->n_shifts++;
    }
    rc = 0;
out:
    tab_close(&t);
    return rc;
}

enum { RO_ID, RO_PATTERN };
static const char *const roster_cols[] = { "id", "pattern", NULL };

static int load_rosters(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = optional_table(L, K_T_ROSTERS, "rosters.csv");
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (tab_open(L, &t, path, roster_cols, roster_cols) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, s->n_rosters);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->rosters = a_grow(L->a, s->rosters, sizeof *s->rosters, s->n_rosters, &cap);
        struct scn_roster *ro = &s->rosters[s->n_rosters];
        memset(ro, 0, sizeof *ro);
        ro->line = (int)csvr_line(t.r);
        if (tab_id(&t, RO_ID, &ro->id) < 0)
            goto out;
        for (int i = 0; i < s->n_rosters; i++)
            if (!strcmp(s->rosters[i].id, ro->id)) {
                tab_err(&t, RO_ID, "duplicate id '%s' (first at line %d)", ro->id,
                        s->rosters[i].line);
                goto out;
            }
        int dcap = 0, on = 0;
        for (const char *p = tab_str(&t, RO_PATTERN);;) {
            while (is_sep(*p))
                p++;
            if (!*p)
                break;
            const char *q = p;
            while (*q && !is_sep(*q))
                q++;
            int k = -1;
            if (!(q - p == 1 && *p == '-'))
                for (int i = 0; i < s->n_shifts && k < 0; i++)
                    if (strlen(s->shifts[i].code) == (size_t)(q - p) &&
                        !strncmp(s->shifts[i].code, p, (size_t)(q - p)))
                        k = i;
            if (k < 0 && !(q - p == 1 && *p == '-')) {
                tab_err(&t, RO_PATTERN, "unknown shift code '%.*s'; expected a code from "
                        "shifts.csv or '-' for a day off", (int)(q - p), p);
                goto out;
            }
            ro->day_shift = a_grow(L->a, ro->day_shift, sizeof(int), ro->n_days, &dcap);
            ro->day_shift[ro->n_days++] = k;
            on += k >= 0;
            p = q;
        }
        if (ro->n_days == 0 || on == 0) {
            tab_err(&t, RO_PATTERN, "expected shift codes per day of the cycle separated by "
                    "spaces ('-' = off) with at least one shift, got '%s'",
                    tab_str(&t, RO_PATTERN));
            goto out;
        }
        s->n_rosters++;
    }
    rc = 0;
out:
    tab_close(&t);
    return rc;
}

/* Role, roster, squad and between-calls mode of a units.csv row. */
static int unit_police(struct ld *L, struct tab *t, struct scn_unit *u)
{
    struct scn *s = L->s;
    static const long zero = 0;
    const char *v = tab_str(t, U_ROLE);
    u->role = ROLE_GRID_CAR;
    if (*v) {
        int r = role_find(v, strlen(v));
        if (r < 0)
            return tab_err(t, U_ROLE, "unknown role '%s'; expected " ROLE_LIST, v);
        u->role = (enum unit_role)r;
    }
    v = tab_str(t, U_ROSTER);
    u->roster = -1;
    if (*v) {
        for (int i = 0; i < s->n_rosters; i++)
            if (!strcmp(s->rosters[i].id, v))
                u->roster = i;
        if (u->roster < 0)
            return tab_err(t, U_ROSTER, "unknown roster '%s'%s", v,
                           s->n_rosters ? "; rosters.csv does not define it"
                                        : " (the scenario has no rosters.csv)");
    }
    if (tab_int(t, U_SQUAD, 0, 100000, &zero, &u->squad) < 0)
        return -1;
    static const char *const idle_words[] = { "base", "patrol", "community" };
    v = tab_str(t, U_IDLE);
    u->idle = IDLE_BASE;
    if (*v) {
        int k = 0;
        while (k < 3 && strcmp(idle_words[k], v))
            k++;
        if (k == 3)
            return tab_err(t, U_IDLE, "expected base, patrol or community, got '%s'", v);
        u->idle = (enum idle_mode)k;
    }
    if (u->idle != IDLE_BASE && u->n_home == 0)
        return tab_err(t, U_IDLE, "between_calls = %s needs home grids to work in, but unit "
                       "'%s' has none", idle_words[u->idle], u->id);
    return 0;
}

static int parse_home(struct tab *t, struct scn_unit *u)
{
    struct ld *L = t->L;
    const char *s = tab_str(t, U_HOME);
    int n = 0, cap = 0, pcap = 0;
    int *home = NULL, *post = NULL;
    const char *p = s;
    for (;;) {
        while (*p == ';' || *p == ' ' || *p == '\t' || *p == '\n' || *p == '\r')
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && *q != ';' && *q != ' ' && *q != '\t' && *q != '\n' && *q != '\r')
            q++;
        char tok[256];
        size_t len = (size_t)(q - p);
        if (len >= sizeof tok)
            return tab_err(t, U_HOME, "unknown grid '%.60s...'", p);
        memcpy(tok, p, len);
        tok[len] = '\0';
        /* "G1:B" holds the B post of G1 (AB角); no suffix means A. */
        int pst = 0;
        char *colon = strrchr(tok, ':');
        if (colon) {
            if (!(colon[1] >= 'A' && colon[1] <= 'C' && colon[2] == '\0'))
                return tab_err(t, U_HOME, "post '%s' in '%s': expected A, B or C after ':'",
                               colon + 1, tok);
            pst = colon[1] - 'A';
            *colon = '\0';
        }
        int g = ix_find(L->pv->grid_ix, L->s->n_grids, tok);
        if (g < 0)
            return tab_err(t, U_HOME, "unknown grid '%s'", tok);
        for (int i = 0; i < n; i++)
            if (home[i] == g)
                return tab_err(t, U_HOME, "grid '%s' is listed twice", tok);
        home = a_grow(L->a, home, sizeof *home, n, &cap);
        post = a_grow(L->a, post, sizeof *post, n, &pcap);
        post[n] = pst;
        home[n++] = g;
        p = q;
    }
    u->home = home;
    u->post = post;
    u->n_home = n;
    return 0;
}

static int load_units(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    static const long one = 1, zero = 0;
    if (tab_open(L, &t, table_path(L, K_T_UNITS, "units.csv"), unit_cols, unit_req) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, s->n_units);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->units = a_grow(L->a, s->units, sizeof *s->units, s->n_units, &cap);
        struct scn_unit *u = &s->units[s->n_units];
        memset(u, 0, sizeof *u);
        u->line = (int)csvr_line(t.r);
        if (tab_id(&t, U_ID, &u->id) < 0)
            goto out;
        u->name = a_strdup(L->a, tab_str(&t, U_NAME));
        const char *base = tab_str(&t, U_BASE);
        u->base = ix_find(L->pv->fac_ix, s->n_facilities, base);
        if (u->base < 0) {
            if (*base)
                tab_err(&t, U_BASE, "unknown facility '%s'", base);
            else
                tab_err(&t, U_BASE, "a base facility id is required, got an empty value");
            goto out;
        }
        if (parse_home(&t, u) < 0)
            goto out;
        if (tab_int(&t, U_OFFICERS, 0, INT32_MAX, &one, &u->officers) < 0 ||
            tab_int(&t, U_AUX, 0, INT32_MAX, &zero, &u->auxiliaries) < 0)
            goto out;
        if ((long)u->officers + u->auxiliaries < 1) {
            tab_err(&t, -1, "unit '%s' has no crew: officers + auxiliaries must be >= 1",
                    u->id);
            goto out;
        }
        const char *mode = tab_str(&t, U_MODE);
        u->mode = -1;
        for (int i = 0; i < s->n_modes; i++)
            if (strcmp(s->modes[i].name, mode) == 0)
                u->mode = i;
        if (u->mode < 0) {
            char list[512];
            size_t used = 0;
            list[0] = '\0';
            for (int i = 0; i < s->n_modes; i++) {
                int n = snprintf(list + used, sizeof list - used, "%s%s", i ? ", " : "",
                                 s->modes[i].name);
                if (n < 0 || (size_t)n >= sizeof list - used)
                    break;
                used += (size_t)n;
            }
            tab_err(&t, U_MODE, "unknown mode '%s'; [modes] in scenario.ini defines %s",
                    mode, list);
            goto out;
        }
        if (unit_police(L, &t, u) < 0)
            goto out;
        s->n_units++;
    }
    L->pv->unit_ix = index_ids(&t, U_ID, s->units, s->n_units, sizeof *s->units,
                               offsetof(struct scn_unit, line));
    rc = L->pv->unit_ix ? 0 : -1;
out:
    tab_close(&t);
    return rc;
}

/* ---- incident_types.csv ------------------------------------------------------ */

enum { I_ID, I_NAME, I_PRIORITY, I_SHARE, I_SERVICE, I_MEAN, I_SD, I_TARGET, I_CLASS,
       I_UNITS, I_ROLES, I_RESOLVE, I_FU, I_FU_MEAN, I_FU_SD };
static const char *const itype_cols[] = {
    "id", "name", "priority", "share", "service", "mean_min", "sd_min", "target_min",
    "class", "units_required", "roles", "resolve_prob", "followup", "followup_mean_min",
    "followup_sd_min", NULL
};
static const char *const itype_req[] = {
    "id", "priority", "share", "service", "mean_min", "target_min", NULL
};

/* Class, crews, roles, resolution and follow-up of an incident_types.csv row. */
static int itype_police(struct ld *L, struct tab *t, struct scn_itype *it)
{
    (void)L;
    static const long one = 1;
    const char *v = tab_str(t, I_CLASS);
    it->cls = CLS_OTHER;
    if (*v) {
        int k = 0;
        while (k < CLS_N && strcmp(class_words[k], v))
            k++;
        if (k == CLS_N)
            return tab_err(t, I_CLASS, "expected criminal, public_order, dispute, help, traffic "
                           "or other, got '%s'", v);
        it->cls = (enum inc_class)k;
    }
    bool is_case = inc_class_is_case(it->cls);
    if (tab_int(t, I_UNITS, 1, 50, &one, &it->units_required) < 0)
        return -1;
    v = tab_str(t, I_ROLES);
    it->roles = ROLE_ALL_BUT_CASE;
    if (*v) {
        char bad[64];
        if (parse_roles(v, &it->roles, bad, sizeof bad) < 0)
            return tab_err(t, I_ROLES, "unknown role '%s'; expected " ROLE_LIST, bad);
        if (!it->roles)
            return tab_err(t, I_ROLES, "expected at least one role, got '%s'", v);
    }
    for (int r = 0; r < ROLE_N; r++)
        it->resolve[r] = is_case ? 0 : 1;
    v = tab_str(t, I_RESOLVE);
    if (*v) {
        double p;
        if (parse_double(v, &p) == 0) {
            if (!(p >= 0 && p <= 1))
                return tab_err(t, I_RESOLVE, "expected a probability in [0, 1], got '%s'", v);
            for (int r = 0; r < ROLE_N; r++)
                it->resolve[r] = p;
        } else {
            for (int r = 0; r < ROLE_N; r++)
                it->resolve[r] = 0;
            for (const char *p0 = v;;) {
                while (is_sep(*p0))
                    p0++;
                if (!*p0)
                    break;
                const char *q = p0;
                while (*q && !is_sep(*q))
                    q++;
                const char *colon = memchr(p0, ':', (size_t)(q - p0));
                int r = colon ? role_find(p0, (size_t)(colon - p0)) : -1;
                char *end = NULL;
                double pr = colon ? strtod(colon + 1, &end) : NAN;
                if (r < 0 || end != q || !(pr >= 0 && pr <= 1))
                    return tab_err(t, I_RESOLVE, "expected a probability or role:probability "
                                   "pairs (e.g. grid_car:0.9;station_duty:0.8), got '%.*s'",
                                   (int)(q - p0), p0);
                it->resolve[r] = pr;
                p0 = q;
            }
        }
        if (is_case)
            for (int r = 0; r < ROLE_N; r++)
                if (it->resolve[r] > 0)
                    return tab_err(t, I_RESOLVE, "%s incidents are cases, always handed over "
                                   "(移交): resolve_prob must be empty or 0, got '%s'",
                                   class_words[it->cls], v);
    }
    bool handover = false;
    for (int r = 0; r < ROLE_N; r++)
        handover |= (it->roles >> r & 1) && it->resolve[r] < 1;
    v = tab_str(t, I_FU);
    if (*v) {
        static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed" };
        static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                                 SVC_FIXED };
        int d = 0;
        while (d < 4 && strcmp(dists[d], v))
            d++;
        if (d == 4)
            return tab_err(t, I_FU, "expected exponential, lognormal, gamma or fixed, got '%s'",
                           v);
        it->has_followup = true;
        it->fu_dist = dist_of[d];
        if (tab_num(t, I_FU_MEAN, R_POS, NULL, &it->fu_mean_min) < 0)
            return -1;
        if (it->fu_dist == SVC_LOGNORMAL || it->fu_dist == SVC_GAMMA) {
            if (tab_num(t, I_FU_SD, R_POS, NULL, &it->fu_sd_min) < 0)
                return -1;
        } else if (*tab_str(t, I_FU_SD)) {
            return tab_err(t, I_FU_SD, "must be empty for %s follow-up, got '%s'", dists[d],
                           tab_str(t, I_FU_SD));
        }
    } else if (handover) {
        return tab_err(t, I_FU, "incidents of type '%s' can be handed over (%s), so their "
                       "follow-up work for the case team is required: followup, "
                       "followup_mean_min (and followup_sd_min)", it->id,
                       is_case ? "a case class" : "resolve_prob < 1");
    }
    return 0;
}

static int load_itypes(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed",
                                         "empirical" };
    static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                             SVC_FIXED, SVC_EMPIRICAL };
    if (tab_open(L, &t, table_path(L, K_T_ITYPES, "incident_types.csv"), itype_cols,
                 itype_req) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, s->n_itypes);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->itypes = a_grow(L->a, s->itypes, sizeof *s->itypes, s->n_itypes, &cap);
        struct scn_itype *it = &s->itypes[s->n_itypes];
        memset(it, 0, sizeof *it);
        it->line = (int)csvr_line(t.r);
        if (tab_id(&t, I_ID, &it->id) < 0)
            goto out;
        it->name = a_strdup(L->a, tab_str(&t, I_NAME));
        if (tab_int(&t, I_PRIORITY, 1, 9, NULL, &it->priority) < 0 ||
            tab_num(&t, I_SHARE, R_NONNEG, NULL, &it->share) < 0)
            goto out;
        const char *svc = tab_str(&t, I_SERVICE);
        int d = 0;
        while (d < 5 && strcmp(dists[d], svc) != 0)
            d++;
        if (d == 5) {
            tab_err(&t, I_SERVICE, "expected exponential, lognormal, gamma, fixed or empirical, "
                    "got '%s'", svc);
            goto out;
        }
        it->dist = dist_of[d];
        const char *sd = tab_str(&t, I_SD);
        if (it->dist == SVC_EMPIRICAL) {
            /* The bins of service_times.csv give the distribution and its mean. */
            if (*tab_str(&t, I_MEAN) || *sd) {
                tab_err(&t, *sd ? I_SD : I_MEAN, "must be empty for empirical service (the "
                        "distribution comes from service_times.csv), got '%s'",
                        *sd ? sd : tab_str(&t, I_MEAN));
                goto out;
            }
        } else if (tab_num(&t, I_MEAN, R_POS, NULL, &it->mean_min) < 0) {
            goto out;
        }
        if (it->dist == SVC_LOGNORMAL || it->dist == SVC_GAMMA) {
            double v;
            if (parse_double(sd, &v) < 0 || !(v > 0)) {
                tab_err(&t, I_SD, "expected a number > 0 (%s service needs a standard "
                        "deviation), got '%s'", dists[d], sd);
                goto out;
            }
            it->sd_min = v;
        } else if (*sd) {
            double v;
            if (parse_double(sd, &v) < 0 || v != 0) {
                tab_err(&t, I_SD, "must be empty or 0 for %s service, got '%s'", dists[d], sd);
                goto out;
            }
        }
        if (tab_num(&t, I_TARGET, R_POS, NULL, &it->target_min) < 0)
            goto out;
        if (itype_police(L, &t, it) < 0)
            goto out;
        s->n_itypes++;
    }
    if (!index_ids(&t, I_ID, s->itypes, s->n_itypes, sizeof *s->itypes,
                   offsetof(struct scn_itype, line)))
        goto out;
    double total = 0;
    for (int i = 0; i < s->n_itypes; i++)
        total += s->itypes[i].share;
    if (!(total > 0)) {
        err_set(L->e, "%s: the shares sum to 0; at least one incident type needs share > 0",
                t.path);
        goto out;
    }
    int used[10] = { 0 };
    for (int i = 0; i < s->n_itypes; i++)
        used[s->itypes[i].priority] = 1;
    int np = 0, pidx[10];
    for (int p = 1; p <= 9; p++)
        if (used[p])
            pidx[p] = np++;
    s->priorities = a_alloc(L->a, (size_t)np * sizeof *s->priorities);
    s->n_priorities = np;
    for (int p = 1; p <= 9; p++)
        if (used[p])
            s->priorities[pidx[p]] = p;
    for (int i = 0; i < s->n_itypes; i++)
        s->itypes[i].prio_idx = pidx[s->itypes[i].priority];
    rc = 0;
out:
    tab_close(&t);
    return rc;
}

/* ---- service_times.csv (optional): binned on-scene times ------------------- */

enum { SV_TYPE, SV_FROM, SV_TO, SV_WEIGHT };
static const char *const svc_cols[] = { "type", "from_min", "to_min", "weight", NULL };

struct sv_bin {
    double lo, hi, w;
    int line;
};

static int cmp_bin(const void *pa, const void *pb)
{
    const struct sv_bin *a = pa, *b = pb;
    return (a->lo > b->lo) - (a->lo < b->lo);
}

/* Builds type it's histogram PDF from its bins (sorted here); gaps between
 * bins become empty bins, overlaps are errors. */
static int build_empirical(struct tab *t, struct scn_itype *it, struct sv_bin *b, int n)
{
    qsort(b, (size_t)n, sizeof *b, cmp_bin);
    double *edge = xmalloc((size_t)(2 * n + 1) * sizeof *edge);
    double *w = xmalloc((size_t)(2 * n) * sizeof *w);
    int ne = 0, nb = 0, rc = -1;
    double sum = 0, mean = 0;
    edge[ne++] = b[0].lo;
    for (int i = 0; i < n; i++) {
        if (i > 0 && b[i].lo < b[i - 1].hi) {
            tab_err_at(t, b[i].line, SV_FROM, "bin [%g, %g) of type '%s' overlaps [%g, %g) "
                       "(line %d)", b[i].lo, b[i].hi, it->id, b[i - 1].lo, b[i - 1].hi,
                       b[i - 1].line);
            goto out;
        }
        if (b[i].lo > edge[ne - 1]) {           /* a gap: an empty bin */
            w[nb++] = 0;
            edge[ne++] = b[i].lo;
        }
        w[nb++] = b[i].w;
        edge[ne++] = b[i].hi;
        sum += b[i].w;
        mean += b[i].w * (b[i].lo + b[i].hi) / 2;
    }
    if (!(sum > 0)) {
        tab_err_at(t, b[0].line, SV_WEIGHT, "the weights of type '%s' sum to 0", it->id);
        goto out;
    }
    gsl_histogram *h = gsl_histogram_alloc((size_t)nb);
    it->emp = gsl_histogram_pdf_alloc((size_t)nb);
    PS_ASSERT(h && it->emp);
    PS_ASSERT(gsl_histogram_set_ranges(h, edge, (size_t)ne) == 0);
    for (int i = 0; i < nb; i++)
        h->bin[i] = w[i];
    PS_ASSERT(gsl_histogram_pdf_init(it->emp, h) == 0);
    gsl_histogram_free(h);
    it->mean_min = mean / sum;
    rc = 0;
out:
    free(edge);
    free(w);
    return rc;
}

static int load_service_times(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = optional_table(L, K_T_SERVICE_TIMES, "service_times.csv");
    struct tab t = { 0 };
    struct sv_bin **bins = xcalloc((size_t)s->n_itypes, sizeof *bins);
    int *nb = xcalloc((size_t)s->n_itypes, sizeof *nb), *cap = xcalloc((size_t)s->n_itypes, sizeof *cap);
    int rows = 0, rc = -1;
    if (path) {
        if (tab_open(L, &t, path, svc_cols, svc_cols) < 0)
            goto out;
        for (;;) {
            int r = tab_next(&t, rows);
            if (r < 0)
                goto out;
            if (r == 0)
                break;
            rows++;
            const char *id = tab_str(&t, SV_TYPE);
            int k = 0;
            while (k < s->n_itypes && strcmp(s->itypes[k].id, id))
                k++;
            if (k == s->n_itypes) {
                tab_err(&t, SV_TYPE, "unknown incident type '%s'", id);
                goto out;
            }
            if (s->itypes[k].dist != SVC_EMPIRICAL) {
                tab_err(&t, SV_TYPE, "type '%s' does not have service = empirical", id);
                goto out;
            }
            struct sv_bin b = { 0, 0, 0, (int)csvr_line(t.r) };
            if (tab_num(&t, SV_FROM, R_NONNEG, NULL, &b.lo) < 0 ||
                tab_num(&t, SV_TO, R_POS, NULL, &b.hi) < 0 ||
                tab_num(&t, SV_WEIGHT, R_NONNEG, NULL, &b.w) < 0)
                goto out;
            if (!(b.hi > b.lo)) {
                tab_err(&t, SV_TO, "expected a number > from_min (%g), got '%s'", b.lo,
                        tab_str(&t, SV_TO));
                goto out;
            }
            if (nb[k] == cap[k]) {
                cap[k] = cap[k] ? 2 * cap[k] : 16;
                bins[k] = xrealloc(bins[k], (size_t)cap[k] * sizeof **bins);
            }
            bins[k][nb[k]++] = b;
        }
    }
    for (int k = 0; k < s->n_itypes; k++) {
        struct scn_itype *it = &s->itypes[k];
        if (it->dist != SVC_EMPIRICAL)
            continue;
        if (nb[k] == 0) {
            const char *ipath = table_path(L, K_T_ITYPES, "incident_types.csv");
            err_set(L->e, "%s:%d: column 'service': type '%s' is empirical but %s has no "
                    "bins for it (columns type, from_min, to_min, weight)", ipath, it->line,
                    it->id, path ? path : "service_times.csv (absent)");
            goto out;
        }
        if (build_empirical(&t, it, bins[k], nb[k]) < 0)
            goto out;
    }
    rc = 0;
out:
    for (int k = 0; k < s->n_itypes; k++)
        free(bins[k]);
    free(bins);
    free(nb);
    free(cap);
    if (path)
        tab_close(&t);
    return rc;
}

/* ---- run_cards.csv ---------------------------------------------------------- */

enum { R_GRID, R_RANK, R_UNIT };
static const char *const rc_cols[] = { "grid", "rank", "unit", NULL };
static const char *const rc_req[] = { "grid", "rank", "unit", NULL };

struct rc_entry {
    int grid, rank, unit, line;
};

static int cmp_rc(const void *pa, const void *pb)
{
    const struct rc_entry *a = pa, *b = pb;
    if (a->grid != b->grid)
        return (a->grid > b->grid) - (a->grid < b->grid);
    if (a->rank != b->rank)
        return (a->rank > b->rank) - (a->rank < b->rank);
    return (a->line > b->line) - (a->line < b->line);
}

static int load_runcards(struct ld *L)
{
    struct scn *s = L->s;
    s->runcard = a_zalloc(L->a, (size_t)s->n_grids * sizeof *s->runcard);
    s->n_runcard = a_zalloc(L->a, (size_t)s->n_grids * sizeof *s->n_runcard);

    const char *v = L->table[K_T_RUNCARDS - K_T_GRIDS];
    const char *path;
    if (v) {
        if (!*v)
            return 0;           /* run_cards = (empty): explicitly none */
        path = join_path(L->a, s->dir, v);
    } else {
        path = join_path(L->a, s->dir, "run_cards.csv");
        if (access(path, F_OK) != 0)
            return 0;
    }

    struct tab t = { 0 };
    struct rc_entry *ent = NULL;
    int *seen = NULL;
    int n = 0, cap = 0, rc = -1;
    if (tab_open(L, &t, path, rc_cols, rc_req) < 0)
        goto out;
    for (;;) {
        int r = tab_next(&t, n);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            ent = xrealloc(ent, (size_t)cap * sizeof *ent);
        }
        struct rc_entry *en = &ent[n];
        en->line = (int)csvr_line(t.r);
        const char *g = tab_str(&t, R_GRID), *u = tab_str(&t, R_UNIT);
        en->grid = ix_find(L->pv->grid_ix, s->n_grids, g);
        if (en->grid < 0) {
            tab_err(&t, R_GRID, "unknown grid '%s'", g);
            goto out;
        }
        if (tab_int(&t, R_RANK, 1, INT32_MAX, NULL, &en->rank) < 0)
            goto out;
        en->unit = ix_find(L->pv->unit_ix, s->n_units, u);
        if (en->unit < 0) {
            tab_err(&t, R_UNIT, "unknown unit '%s'", u);
            goto out;
        }
        n++;
    }
    qsort(ent, (size_t)n, sizeof *ent, cmp_rc);
    /* Duplicates: report the one furthest up the file. */
    int bad = -1, bad_prev = -1, bad_kind = 0;
    seen = xmalloc((size_t)(s->n_units > 0 ? s->n_units : 1) * sizeof *seen);
    for (int i = 0; i < s->n_units; i++)
        seen[i] = -1;
    for (int i = 0; i < n; i++) {
        int prev = -1, kind = 0;
        if (i > 0 && ent[i - 1].grid == ent[i].grid && ent[i - 1].rank == ent[i].rank)
            prev = i - 1, kind = 1;
        else if (seen[ent[i].unit] >= 0 && ent[seen[ent[i].unit]].grid == ent[i].grid)
            prev = seen[ent[i].unit], kind = 2;
        seen[ent[i].unit] = i;
        if (prev >= 0) {
            int later = ent[i].line > ent[prev].line ? i : prev;
            int earlier = later == i ? prev : i;
            if (bad < 0 || ent[later].line < ent[bad].line) {
                bad = later;
                bad_prev = earlier;
                bad_kind = kind;
            }
        }
    }
    if (bad >= 0) {
        const struct rc_entry *b = &ent[bad], *p = &ent[bad_prev];
        if (bad_kind == 1)
            tab_err_at(&t, b->line, R_RANK, "grid '%s' already has rank %d (line %d)",
                       s->grids[b->grid].id, b->rank, p->line);
        else
            tab_err_at(&t, b->line, R_UNIT, "unit '%s' is already on the run card of "
                       "grid '%s' (line %d)", s->units[b->unit].id, s->grids[b->grid].id,
                       p->line);
        goto out;
    }
    for (int i = 0; i < n; i++)
        s->n_runcard[ent[i].grid]++;
    for (int g = 0; g < s->n_grids; g++)
        if (s->n_runcard[g]) {
            s->runcard[g] = a_alloc(L->a, (size_t)s->n_runcard[g] * sizeof **s->runcard);
            s->n_runcard[g] = 0;
        }
    for (int i = 0; i < n; i++)
        s->runcard[ent[i].grid][s->n_runcard[ent[i].grid]++] = ent[i].unit;
    rc = 0;
out:
    free(ent);
    free(seen);
    tab_close(&t);
    return rc;
}

/* ---- cross-table resolution: stations, zones, grid stations ------------------ */

static int resolve_police(struct ld *L)
{
    struct scn *s = L->s;
    struct priv *pv = L->pv;
    /* Zones in order of first appearance; inheritance goes down parent links,
     * which are at most three deep (office -> workstation -> station). */
    int zcap = 0;
    for (int i = 0; i < s->n_facilities; i++) {
        const char *z = pv->fac_zone[i];
        s->facilities[i].zone = -1;
        if (!*z)
            continue;
        int k = 0;
        while (k < s->n_zones && strcmp(s->zones[k], z))
            k++;
        if (k == s->n_zones) {
            s->zones = a_grow(L->a, s->zones, sizeof *s->zones, s->n_zones, &zcap);
            s->zones[s->n_zones++] = a_strdup(L->a, z);
        }
        s->facilities[i].zone = k;
    }
    for (int i = 0; i < s->n_facilities; i++) {
        struct scn_facility *f = &s->facilities[i];
        int p = i;
        while (p >= 0 && s->facilities[p].tier != FAC_STATION)
            p = s->facilities[p].parent;
        f->station = p;
        for (p = i; f->zone < 0 && p >= 0; p = s->facilities[p].parent)
            f->zone = s->facilities[p].zone;
    }
    int n_stations = 0;
    int *stations = a_alloc(L->a, (size_t)(s->n_facilities ? s->n_facilities : 1) * sizeof(int));
    for (int f = 0; f < s->n_facilities; f++)
        if (s->facilities[f].tier == FAC_STATION)
            stations[n_stations++] = f;
    /* The station of the first unit holding each grid's A post: one pass. */
    int *a_station = a_alloc(L->a, (size_t)(s->n_grids ? s->n_grids : 1) * sizeof(int));
    for (int g = 0; g < s->n_grids; g++)
        a_station[g] = -1;
    for (int u = s->n_units - 1; u >= 0; u--)
        for (int k = 0; k < s->units[u].n_home; k++)
            if (s->units[u].post[k] == 0 && s->facilities[s->units[u].base].station >= 0)
                a_station[s->units[u].home[k]] = s->facilities[s->units[u].base].station;
    for (int g = 0; g < s->n_grids; g++) {
        struct scn_grid *gr = &s->grids[g];
        const char *id = pv->grid_station[g];
        gr->station = -1;
        if (*id) {
            int f = ix_find(pv->fac_ix, s->n_facilities, id);
            if (f < 0 || s->facilities[f].tier != FAC_STATION) {
                const char *gpath = table_path(L, K_T_GRIDS, "grids.csv");
                return err_set(L->e, "%s:%d: column 'station': %s '%s'%s", gpath, gr->line,
                               f < 0 ? "unknown facility" : "expected a station, got", id,
                               f < 0 ? "" : " which is not a station");
            }
            gr->station = f;
        }
        if (gr->station < 0)
            gr->station = a_station[g];
        /* Else the station nearest to the centroid. */
        if (gr->station < 0) {
            double best = INFINITY;
            for (int k = 0; k < n_stations; k++) {
                const struct scn_facility *f = &s->facilities[stations[k]];
                double d = scn_distance(s, f->x, f->y, gr->poly.centroid.x, gr->poly.centroid.y);
                if (d < best)
                    best = d, gr->station = stations[k];
            }
        }
        gr->zone = gr->station >= 0 ? s->facilities[gr->station].zone : -1;
    }
    return 0;
}

/* ---- entry points -------------------------------------------------------------- */

struct scn *scn_load(const char *dir, const struct scn_override *ov, int n_ov,
                     struct perr *e)
{
    struct scn *s = xcalloc(1, sizeof *s);
    struct priv *pv = xcalloc(1, sizeof *pv);
    s->priv_ = pv;
    struct ld L = { .s = s, .pv = pv, .a = &pv->a, .e = e };
    s->dir = a_strdup(L.a, dir);
    s->ini_path = join_path(L.a, dir, "scenario.ini");
    L.ini_path = s->ini_path;

    if (load_ini(&L, ov, n_ov) < 0 || load_grids(&L) < 0 || load_facilities(&L) < 0 ||
        load_shifts(&L) < 0 || load_rosters(&L) < 0 ||
        load_units(&L) < 0 || load_itypes(&L) < 0 || load_service_times(&L) < 0 ||
        load_runcards(&L) < 0 ||
        resolve_police(&L) < 0 || scn__streams_finish(s, e) < 0) {
        scn_free(s);
        return NULL;
    }
    return s;
}

void scn_free(struct scn *s)
{
    if (!s)
        return;
    geo_index_free(s->grid_index);
    for (int i = 0; i < s->n_itypes; i++)
        if (s->itypes[i].emp)
            gsl_histogram_pdf_free(s->itypes[i].emp);
    struct priv *pv = s->priv_;
    if (pv) {
        a_release(&pv->a);
        free(pv);
    }
    free(s);
}
