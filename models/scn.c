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

/* -1 if valid UTF-8 without NUL, else the offending (lead) byte. */
static int utf8_bad(const char *str)
{
    const unsigned char *s = (const unsigned char *)str;
    while (*s) {
        unsigned c = *s;
        if (c < 0x80) {
            s++;
            continue;
        }
        int k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c == 0xE0)
            k = 2, lo = 0xA0;
        else if (c == 0xED)
            k = 2, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF)
            k = 2;
        else if (c == 0xF0)
            k = 3, lo = 0x90;
        else if (c == 0xF4)
            k = 3, hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3)
            k = 3;
        else
            return (int)c;
        if (s[1] < lo || s[1] > hi)
            return (int)c;
        for (int j = 2; j <= k; j++)
            if ((s[j] & 0xC0) != 0x80)
                return (int)c;
        s += k + 1;
    }
    return -1;
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

/* ---- scenario.ini -------------------------------------------------------- */

enum key {
    K_NAME, K_DESCRIPTION,
    K_SEED, K_REPS, K_HORIZON, K_WARMUP,
    K_T_GRIDS, K_T_FACILITIES, K_T_UNITS, K_T_ITYPES, K_T_RUNCARDS,
    K_METRIC, K_CIRCUITY,
    K_POLICY, K_HOME_FIRST, K_REDISPATCH, K_DEPTH,
    K_SOURCE, K_RATE, K_LOCATION,
    K_N
};

static const char *const sections[] = {
    "scenario", "run", "tables", "travel", "modes", "dispatch", "incidents", NULL
};
#define SECTION_LIST "scenario, run, tables, travel, modes, dispatch, incidents"

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
    [K_METRIC] = { "travel", "metric" },
    [K_CIRCUITY] = { "travel", "circuity" },
    [K_POLICY] = { "dispatch", "policy" },
    [K_HOME_FIRST] = { "dispatch", "home_first" },
    [K_REDISPATCH] = { "dispatch", "redispatch_returning" },
    [K_DEPTH] = { "dispatch", "run_card_depth" },
    [K_SOURCE] = { "incidents", "source" },
    [K_RATE] = { "incidents", "rate_per_day" },
    [K_LOCATION] = { "incidents", "location" },
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
    const char *table[5];   /* [tables] values in key order, NULL = default */
    int modes_cap;
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
        char list[256];
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
        if (!*val && k != K_T_RUNCARDS)
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
        static const char *const p[] = { "nearest_idle", "run_card", NULL };
        rc = key_word(L, w, k, val, p, "nearest_idle or run_card", &idx);
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
    case K_SOURCE: {
        static const char *const p[] = { "poisson", NULL };
        rc = key_word(L, w, k, val, p, "poisson (the only source for now)", &idx);
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
    case K_N:
        break;
    }
    if (rc == 0)
        L->kline[k] = line;
    return rc;
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
    if (!L->kline[K_RATE])
        return err_set(L->e, "%s: [incidents] rate_per_day is required", L->ini_path);
    if (s->n_modes == 0)
        return err_set(L->e, "%s: [modes] needs at least one mode (name = speed_kmh, "
                       "e.g. car = 40)", L->ini_path);
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

#define TAB_MAXCOL 12

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

enum { G_ID, G_NAME, G_WEIGHT, G_XMIN, G_YMIN, G_XMAX, G_YMAX, G_POLYGON };
static const char *const grid_cols[] = {
    "id", "name", "weight", "xmin", "ymin", "xmax", "ymax", "polygon", NULL
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

static int load_grids(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    struct vbuf vb = { 0 };
    int cap = 0, rc = -1;
    if (tab_open(L, &t, table_path(L, K_T_GRIDS, "grids.csv"), grid_cols, grid_req) < 0)
        goto out;
    for (;;) {
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
    if (check_overlaps(&t) < 0)
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

enum { F_ID, F_NAME, F_TIER, F_X, F_Y, F_PARENT };
static const char *const fac_cols[] = { "id", "name", "tier", "x", "y", "parent", NULL };
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
    int cap = 0, pcap = 0, rc = -1;
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

enum { U_ID, U_NAME, U_BASE, U_HOME, U_OFFICERS, U_AUX, U_MODE };
static const char *const unit_cols[] = {
    "id", "name", "base", "home_grids", "officers", "auxiliaries", "mode", NULL
};
static const char *const unit_req[] = { "id", "base", "mode", NULL };

static int parse_home(struct tab *t, struct scn_unit *u)
{
    struct ld *L = t->L;
    const char *s = tab_str(t, U_HOME);
    int n = 0, cap = 0;
    int *home = NULL;
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
        int g = ix_find(L->pv->grid_ix, L->s->n_grids, tok);
        if (g < 0)
            return tab_err(t, U_HOME, "unknown grid '%s'", tok);
        for (int i = 0; i < n; i++)
            if (home[i] == g)
                return tab_err(t, U_HOME, "grid '%s' is listed twice", tok);
        home = a_grow(L->a, home, sizeof *home, n, &cap);
        home[n++] = g;
        p = q;
    }
    u->home = home;
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

enum { I_ID, I_NAME, I_PRIORITY, I_SHARE, I_SERVICE, I_MEAN, I_SD, I_TARGET };
static const char *const itype_cols[] = {
    "id", "name", "priority", "share", "service", "mean_min", "sd_min", "target_min", NULL
};
static const char *const itype_req[] = {
    "id", "priority", "share", "service", "mean_min", "target_min", NULL
};

static int load_itypes(struct ld *L)
{
    struct scn *s = L->s;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed" };
    static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                             SVC_FIXED };
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
        while (d < 4 && strcmp(dists[d], svc) != 0)
            d++;
        if (d == 4) {
            tab_err(&t, I_SERVICE, "expected exponential, lognormal, gamma or fixed, got '%s'",
                    svc);
            goto out;
        }
        it->dist = dist_of[d];
        if (tab_num(&t, I_MEAN, R_POS, NULL, &it->mean_min) < 0)
            goto out;
        const char *sd = tab_str(&t, I_SD);
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
        load_units(&L) < 0 || load_itypes(&L) < 0 || load_runcards(&L) < 0) {
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
    struct priv *pv = s->priv_;
    if (pv) {
        a_release(&pv->a);
        free(pv);
    }
    free(s);
}
