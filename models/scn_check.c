/* scn_check.c - semantic validation of a loaded scenario: what parses but
 * makes no sense for a planner (docs/scenario-format.md, "Validation").
 *
 * The loader's syntax checks come first; this pass runs at the end of
 * scn_load, over the whole scenario, and sorts what it finds by one rule:
 *
 *   error    the run cannot mean anything: nobody could ever serve a call
 *            type, nobody is ever on duty, a number lies outside what is
 *            physically possible (a speed of 1e-300 km/h, a rate of 1e300
 *            calls a day), two ids look identical on screen, scenario.ini
 *            holds a NUL byte.  The load fails with the first one.
 *   warning  the run means something, but probably not what was intended:
 *            coordinates that look like degrees in a km scenario, a
 *            facility far outside every grid, an offered load above 1,
 *            hours without anyone on duty, settings that apply to nothing,
 *            case calls without a case team, replay rows beyond the
 *            horizon.  Collected (scn_warnings), printed before a run, in
 *            its summary and summary.json; `validate --strict` fails on
 *            them.
 *
 * Every message starts with the file (and line) it is about.  The pass
 * also computes the offered load (scn_notes): calls x mean on-scene time x
 * units required / unit-time on duty, overall and per zone.  Travel time is
 * left out (it needs the dispatch), so the figure is a lower bound.
 *
 * Cost: O(U + G log G + F G + R D) for U units, G grids, F facilities and
 * R distinct (roster, squad) pairs over D <= 3660 days; the id checks sort
 * each table's ids once.
 */
#include <ctype.h>
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "inc_priv.h"
#include "scn_priv.h"
#include "ts.h"

/* ---- messages -------------------------------------------------------------- */

static void add_msg(struct ld *L, int warning, const char *fmt, ...) ERR_PRINTF(3, 4);

static void add_msg(struct ld *L, int warning, const char *fmt, ...)
{
    struct priv *pv = L->pv;
    char buf[ERR_MSG_MAX];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(buf, sizeof buf, fmt, ap);
    va_end(ap);
    char ***list = warning ? &pv->warn : &pv->note;
    int *n = warning ? &pv->n_warn : &pv->n_note;
    int *cap = warning ? &pv->warn_cap : &pv->note_cap;
    *list = scn__a_grow(L->a, *list, sizeof **list, *n, cap);
    (*list)[(*n)++] = scn__a_strdup(L->a, buf);
}

#define WARN(L, ...) add_msg(L, 1, __VA_ARGS__)

static void warn_str(struct ld *L, const char *msg)
{
    add_msg(L, 1, "%s", msg);
}
#define NOTE(L, ...) add_msg(L, 0, __VA_ARGS__)

int scn_warnings(const struct scn *s, const char *const **msgs)
{
    const struct priv *pv = s->priv_;
    *msgs = (const char *const *)pv->warn;
    return pv->n_warn;
}

int scn_notes(const struct scn *s, const char *const **msgs)
{
    const struct priv *pv = s->priv_;
    *msgs = (const char *const *)pv->note;
    return pv->n_note;
}

/* The "path:line: " of key section.name. */
static const char *key_where(const struct scn *s, const char *sec, const char *name,
                             char *buf, size_t n)
{
    scn__where(s, scn__key_line(s, sec, name), buf, n);
    return buf;
}

/* ---- scenario.ini bytes ---------------------------------------------------- */

/* inih reads lines as C strings: a NUL byte silently cuts a value or hides
 * a whole line, so it is refused before anything is trusted. */
static int check_nul(struct ld *L)
{
    FILE *fp = fopen(L->s->ini_path, "rb");
    if (!fp)
        return 0;               /* the loader has read it; nothing more to say */
    int c, line = 1, col = 1, rc = 0;
    while ((c = getc(fp)) != EOF) {
        if (c == '\0') {
            rc = err_set(L->e, "%s:%d: a NUL byte at column %d: the line would be cut there "
                               "or ignored; remove it (is the file UTF-16 or binary?)",
                         L->s->ini_path, line, col);
            break;
        }
        col++;
        if (c == '\n') {
            line++;
            col = 1;
        }
    }
    fclose(fp);
    return rc;
}

/* ---- ids ------------------------------------------------------------------- */

/* Length of an invisible or blank-looking character at p (0 if none) and
 * its name. */
static int invisible_at(const unsigned char *p, const char **name)
{
    static const struct { const char *bytes, *name; } tab[] = {
        { "\xc2\xa0", "U+00A0 NO-BREAK SPACE" },
        { "\xc2\xad", "U+00AD SOFT HYPHEN" },
        { "\xe2\x80\x8b", "U+200B ZERO WIDTH SPACE" },
        { "\xe2\x80\x8c", "U+200C ZERO WIDTH NON-JOINER" },
        { "\xe2\x80\x8d", "U+200D ZERO WIDTH JOINER" },
        { "\xe2\x80\x8e", "U+200E LEFT-TO-RIGHT MARK" },
        { "\xe2\x80\x8f", "U+200F RIGHT-TO-LEFT MARK" },
        { "\xe2\x80\xaf", "U+202F NARROW NO-BREAK SPACE" },
        { "\xe2\x81\xa0", "U+2060 WORD JOINER" },
        { "\xe3\x80\x80", "U+3000 IDEOGRAPHIC SPACE" },
        { "\xef\xbb\xbf", "U+FEFF BYTE ORDER MARK" },
    };
    if (*p >= 0x20 && *p < 0x7f)        /* printable ASCII: every entry starts above */
        return 0;
    for (size_t i = 0; i < sizeof tab / sizeof *tab; i++) {
        size_t n = strlen(tab[i].bytes);
        if (!memcmp(p, tab[i].bytes, n)) {
            *name = tab[i].name;
            return (int)n;
        }
    }
    if (*p < 0x20 || *p == 0x7f) {
        *name = "a control character";
        return 1;
    }
    return 0;
}

struct idkey {
    char *key;              /* the id without invisible characters (fold: lower case) */
    const char *id;
    int line;
};

static int cmp_idkey(const void *a, const void *b)
{
    const struct idkey *x = a, *y = b;
    int c = strcmp(x->key, y->key);
    return c ? c : x->line - y->line;
}

static char *strip_id(const char *id, int fold)
{
    size_t n = strlen(id);
    char *k = xmalloc(n + 1), *w = k;
    for (const unsigned char *p = (const unsigned char *)id; *p;) {
        const char *nm;
        int l = invisible_at(p, &nm);
        if (l) {
            p += l;
            continue;
        }
        *w++ = fold ? (char)tolower(*p) : (char)*p;
        p++;
    }
    *w = '\0';
    return k;
}

/* One table's ids: equal once invisible characters are removed is an error
 * (they look the same on screen); equal ignoring ASCII case a warning; an
 * invisible character in a lone id a warning. */
static int check_ids(struct ld *L, const char *path, const char *what, int n,
                     const char *(*id_of)(const struct scn *, int),
                     int (*line_of)(const struct scn *, int))
{
    if (n < 1)
        return 0;
    struct idkey *k = xmalloc((size_t)n * sizeof *k);
    int rc = 0;
    for (int fold = 0; fold < 2 && rc == 0; fold++) {
        /* Two ids with one key differ from it in one id at least: where no
         * id does (numbered grids and units, ids without invisible
         * characters), there is nothing to sort for (a large city's three
         * tables: 16,384 ids each at bench-city S = 128). */
        bool changed = false;
        for (int i = 0; i < n; i++) {
            k[i] = (struct idkey){ strip_id(id_of(L->s, i), fold), id_of(L->s, i),
                                   line_of(L->s, i) };
            changed |= strcmp(k[i].key, k[i].id) != 0;
        }
        if (changed)
            qsort(k, (size_t)n, sizeof *k, cmp_idkey);
        for (int i = 1; i < n && rc == 0 && changed; i++) {
            if (strcmp(k[i].key, k[i - 1].key) || !strcmp(k[i].id, k[i - 1].id))
                continue;
            if (!fold)
                rc = err_set(L->e, "%s:%d: %s id '%s' differs from '%s' (line %d) only by "
                                   "invisible characters (no-break spaces, zero-width "
                                   "characters...): they would be two %ss that look the same",
                             path, k[i].line, what, k[i].id, k[i - 1].id, k[i - 1].line, what);
            else
                WARN(L, "%s:%d: %s id '%s' differs from '%s' (line %d) only by upper/lower "
                        "case; two different %ss?", path, k[i].line, what, k[i].id,
                     k[i - 1].id, k[i - 1].line, what);
        }
        for (int i = 0; i < n; i++)
            free(k[i].key);
    }
    for (int i = 0; i < n && rc == 0; i++) {
        const char *id = id_of(L->s, i), *nm;
        for (const unsigned char *p = (const unsigned char *)id; *p; p++)
            if (invisible_at(p, &nm)) {
                WARN(L, "%s:%d: %s id '%s' contains %s at byte %d", path, line_of(L->s, i),
                     what, id, nm, (int)(p - (const unsigned char *)id) + 1);
                break;
            }
    }
    free(k);
    return rc;
}

static const char *unit_id(const struct scn *s, int i) { return s->units[i].id; }
static int unit_line(const struct scn *s, int i) { return s->units[i].line; }
static const char *grid_id(const struct scn *s, int i) { return s->grids[i].id; }
static int grid_line(const struct scn *s, int i) { return s->grids[i].line; }
static const char *fac_id(const struct scn *s, int i) { return s->facilities[i].id; }
static int fac_line(const struct scn *s, int i) { return s->facilities[i].line; }
static const char *type_id(const struct scn *s, int i) { return s->itypes[i].id; }
static int type_line(const struct scn *s, int i) { return s->itypes[i].line; }

/* ---- physically meaningful ranges ---------------------------------------- */

/* Error bounds: beyond them a value is not a mistake of degree but of kind
 * (units, a typo, a test).  Warning bounds: possible, but rare enough to ask. */
#define SPEED_MIN_KMH 0.5       /* slower than a slow walk */
#define SPEED_WARN_LO 2.0
#define SPEED_WARN_HI 200.0
#define DUR_MAX_MIN 525600.0    /* one year, in minutes */
#define SCENE_WARN_MIN 1440.0   /* one day on scene */
#define FU_WARN_MIN 43200.0     /* 30 days of follow-up work */
#define RATE_MAX_DAY 1e7        /* calls a day: more than any country's police receive */
#define HORIZON_MAX_DAYS 365250.0   /* 1,000 years */
#define HORIZON_WARN_DAYS 3660.0    /* 10 years */
#define COORD_MAX_KM 20000.0    /* half the Earth's circumference */

static int check_ranges(struct ld *L)
{
    struct scn *s = L->s;
    char w[600];
    for (int m = 0; m < s->n_modes; m++) {
        double v = s->modes[m].speed_kmh;
        key_where(s, "modes", s->modes[m].name, w, sizeof w);
        if (!(v >= SPEED_MIN_KMH))
            return err_set(L->e, "%s[modes] %s: a speed of %.6g km/h is not physically "
                                 "meaningful; expected %g..500 km/h", w, s->modes[m].name, v,
                           SPEED_MIN_KMH);
        if (v < SPEED_WARN_LO || v > SPEED_WARN_HI)
            WARN(L, "%s[modes] %s: %.6g km/h is outside the usual %g..%g km/h", w,
                 s->modes[m].name, v, SPEED_WARN_LO, SPEED_WARN_HI);
    }
    const char *tp = scn__table_path(L, TB_ITYPES);
    for (int t = 0; t < s->n_itypes; t++) {
        const struct scn_itype *it = &s->itypes[t];
        static const char *const what[] = { "mean_min", "sd_min", "target_min",
                                            "follow-up mean", "follow-up sd" };
        double v[] = { it->mean_min, it->sd_min, it->target_min, it->fu_mean_min,
                       it->fu_sd_min };
        for (int k = 0; k < 5; k++)
            if (!(v[k] <= DUR_MAX_MIN))
                return err_set(L->e, "%s:%d: type '%s': %s = %.6g minutes is not physically "
                                     "meaningful; expected at most %g minutes (one year)",
                               tp, it->line, it->id, what[k], v[k], DUR_MAX_MIN);
        if (it->mean_min > SCENE_WARN_MIN)
            WARN(L, "%s:%d: type '%s': mean on-scene time %.6g minutes is more than a day "
                    "(%g minutes); minutes intended?", tp, it->line, it->id, it->mean_min,
                 SCENE_WARN_MIN);
        if (it->has_followup && it->fu_mean_min > FU_WARN_MIN)
            WARN(L, "%s:%d: type '%s': mean follow-up %.6g minutes is more than 30 days", tp,
                 it->line, it->id, it->fu_mean_min);
    }
    if (!(s->cp_mean_min <= DUR_MAX_MIN))
        return err_set(L->e, "%s[dispatch] call processing mean %.6g minutes is not physically "
                             "meaningful; expected at most %g minutes",
                       key_where(s, "dispatch", "call_processing_min", w, sizeof w),
                       s->cp_mean_min, DUR_MAX_MIN);
    if (!(s->rate_per_day <= RATE_MAX_DAY))
        return err_set(L->e, "%s[incidents] rate_per_day: %.6g incidents a day is not "
                             "physically meaningful; expected at most %g",
                       key_where(s, "incidents", "rate_per_day", w, sizeof w), s->rate_per_day,
                       RATE_MAX_DAY);
    /* A replay ends with its rows whatever the horizon (fit sets 1e7 days);
     * a synthetic source creates calls for all of it. */
    int synthetic = strcmp(s->source, "replay") != 0;
    key_where(s, "run", "horizon_days", w, sizeof w);
    if (synthetic && !(s->horizon_days <= HORIZON_MAX_DAYS))
        return err_set(L->e, "%s[run] horizon_days: %.6g days is not meaningful for staffing; "
                             "expected at most %g (1,000 years)", w, s->horizon_days,
                       HORIZON_MAX_DAYS);
    if (synthetic && s->horizon_days > HORIZON_WARN_DAYS)
        WARN(L, "%s[run] horizon_days: %.6g days is more than 10 years; the run will be long",
             w, s->horizon_days);
    const char *fp = scn__table_path(L, TB_FACILITIES);
    for (int i = 0; i < s->n_facilities; i++) {
        const struct scn_facility *f = &s->facilities[i];
        if (!(fabs(f->x) <= COORD_MAX_KM && fabs(f->y) <= COORD_MAX_KM))
            return err_set(L->e, "%s:%d: facility '%s' at (%.6g, %.6g) km: expected |x|, |y| "
                                 "at most %g km (half the Earth's circumference)",
                           fp, f->line, f->id, f->x, f->y, COORD_MAX_KM);
    }
    if (!(fabs(s->xmin) <= COORD_MAX_KM && fabs(s->xmax) <= COORD_MAX_KM &&
          fabs(s->ymin) <= COORD_MAX_KM && fabs(s->ymax) <= COORD_MAX_KM))
        return err_set(L->e, "%s: the grids span (%.6g, %.6g)..(%.6g, %.6g) km: expected "
                             "coordinates within %g km", scn__table_path(L, TB_GRIDS), s->xmin,
                       s->ymin, s->xmax, s->ymax, COORD_MAX_KM);
    return 0;
}

/* ---- geography ------------------------------------------------------------- */

/* Facilities further than this from every grid are reported. */
#define FAC_OUT_MIN_KM 5.0
#define FAC_OUT_SHARE 0.25      /* ... or this share of the study area's larger side */

static void check_geography(struct ld *L)
{
    struct scn *s = L->s;
    double wx = s->xmax - s->xmin, wy = s->ymax - s->ymin, side = fmax(wx, wy);
    const char *gp = scn__table_path(L, TB_GRIDS);
    /* Degrees in the km columns: a whole study area under 1 "km" across,
     * centred where longitudes and latitudes of cities lie. */
    if (!s->has_proj && side < 1.0 && fabs(s->xmin) <= 180 && fabs(s->xmax) <= 180 &&
        fabs(s->ymin) <= 90 && fabs(s->ymax) <= 90 &&
        fmin(fabs(s->xmin + s->xmax), fabs(s->ymin + s->ymax)) / 2 > 1.0)
        WARN(L, "%s: the grids span only %.4g x %.4g km at (%.6g, %.6g): these look like "
                "longitude/latitude degrees in the km columns; give km, or lat/lon through "
                "GeoJSON grids or [geo]", gp, wx, wy, s->xmin, s->ymin);
    double lim = fmax(FAC_OUT_MIN_KM, FAC_OUT_SHARE * side);
    const char *fp = scn__table_path(L, TB_FACILITIES);
    for (int i = 0; i < s->n_facilities; i++) {
        const struct scn_facility *f = &s->facilities[i];
        if (geo_index_locate(s->grid_index, f->x, f->y) >= 0)
            continue;
        double d = INFINITY;
        int near = -1;
        for (int g = 0; g < s->n_grids; g++) {
            const struct geo_poly *p = &s->grids[g].poly;
            /* The bounding box bounds the distance from below. */
            double bx = fmax(fmax(p->xmin - f->x, f->x - p->xmax), 0);
            double by = fmax(fmax(p->ymin - f->y, f->y - p->ymax), 0);
            if (hypot(bx, by) >= d)
                continue;
            double e = geo_poly_edge_dist(p, f->x, f->y);
            if (e < d)
                d = e, near = g;
        }
        if (d > lim)
            WARN(L, "%s:%d: facility '%s' at (%.6g, %.6g) km is %.1f km outside every grid "
                    "(nearest '%s'); reported beyond %.1f km (the larger of %g km and %g%% of "
                    "the study area's %.1f km side): wrong coordinates or units?",
                 fp, f->line, f->id, f->x, f->y, d, near >= 0 ? s->grids[near].id : "?", lim,
                 FAC_OUT_MIN_KM, 100 * FAC_OUT_SHARE, side);
    }
}

/* ---- who can take what ------------------------------------------------------ */

/* Roles of units that can ever be dispatched: not case teams (they take
 * follow-ups), and for the tiered policy only roles of some level. */
static unsigned dispatchable_roles(const struct scn *s)
{
    unsigned levels = 0;
    for (int k = 0; k < s->n_levels; k++)
        levels |= s->levels[k];
    unsigned have = 0;
    for (int u = 0; u < s->n_units; u++)
        if (s->units[u].role != ROLE_CASE_TEAM)
            have |= 1u << s->units[u].role;
    return s->n_levels > 0 && !strcmp(s->policy, "tiered") ? have & levels : have;
}

static void role_list(unsigned mask, char *buf, size_t n)
{
    size_t w = 0;
    buf[0] = '\0';
    for (int r = 0; r < ROLE_N; r++)
        if (mask >> r & 1)
            w += (size_t)snprintf(buf + w, w < n ? n - w : 0, "%s%s", w ? ", " : "",
                                  unit_role_name((enum unit_role)r));
    if (!mask)
        snprintf(buf, n, "none");
}

static int check_roles(struct ld *L)
{
    struct scn *s = L->s;
    unsigned have = dispatchable_roles(s);
    const char *tp = scn__table_path(L, TB_ITYPES);
    for (int t = 0; t < s->n_itypes; t++) {
        const struct scn_itype *it = &s->itypes[t];
        if (it->share <= 0 || (it->roles & have))
            continue;
        char want[200], got[200];
        role_list(it->roles, want, sizeof want);
        role_list(have, got, sizeof got);
        return err_set(L->e, "%s:%d: type '%s': no unit may ever take it: it accepts roles "
                             "%s, the units that can be dispatched have roles %s; its calls "
                             "(in every grid) would wait for ever",
                       tp, it->line, it->id, want, got);
    }
    return 0;
}

/* Case calls are handed over to their grid's station's case team. */
static void check_case_teams(struct ld *L)
{
    struct scn *s = L->s;
    char cases[300] = "";
    size_t w = 0;
    int n_case = 0;
    for (int t = 0; t < s->n_itypes; t++)
        if (s->itypes[t].share > 0 && inc_class_is_case(s->itypes[t].cls)) {
            if (n_case < 4)
                w += (size_t)snprintf(cases + w, w < sizeof cases ? sizeof cases - w : 0, "%s'%s'",
                                      n_case ? ", " : "", s->itypes[t].id);
            n_case++;
        }
    if (!n_case)
        return;
    int *team = xcalloc((size_t)s->n_facilities + 1, sizeof *team);
    int any = 0;
    for (int u = 0; u < s->n_units; u++)
        if (s->units[u].role == ROLE_CASE_TEAM) {
            int st = s->facilities[s->units[u].base].station;
            if (st >= 0)
                team[st]++;
            any = 1;
        }
    const char *fp = scn__table_path(L, TB_FACILITIES);
    if (!any) {
        WARN(L, "%s: %d case type%s (%s%s) are handed over to a station's case team, but no "
                "unit has the role case_team: every handover goes unstaffed",
             scn__table_path(L, TB_UNITS), n_case, n_case > 1 ? "s" : "", cases,
             n_case > 4 ? ", ..." : "");
    } else {
        int *fed = xcalloc((size_t)s->n_facilities + 1, sizeof *fed);
        for (int g = 0; g < s->n_grids; g++)
            if (s->grids[g].station >= 0 && (s->grids[g].weight > 0 || s->location == LOC_AREA))
                fed[s->grids[g].station] = 1;
        for (int f = 0; f < s->n_facilities; f++)
            if (fed[f] && !team[f])
                WARN(L, "%s:%d: station '%s' receives handovers of case calls (%s) from its "
                        "grids but has no case_team unit: they go unstaffed", fp,
                     s->facilities[f].line, s->facilities[f].id, cases);
        free(fed);
    }
    free(team);
}

/* ---- duty ------------------------------------------------------------------ */

/* Share of time unit u is on duty and present (officers all absent: not). */
static double duty_share(const struct scn *s, int u)
{
    const struct scn_unit *un = &s->units[u];
    double present = un->officers > 0 ? 1 - pow(s->absence_p, un->officers) : 1;
    if (un->roster < 0)
        return un->officers > 0 && s->absence_p >= 1 ? 0 : 1;
    const struct scn_roster *ro = &s->rosters[un->roster];
    double h = 0;
    for (int d = 0; d < ro->n_days; d++)
        if (ro->day_shift[d] >= 0)
            h += s->shifts[ro->day_shift[d]].hours;
    return h / (24.0 * ro->n_days) * present;
}

struct ival {
    double a, b;
};

static int cmp_ival(const void *x, const void *y)
{
    const struct ival *p = x, *q = y;
    return (p->a > q->a) - (p->a < q->a);
}

static void fmt_time(double min, char *buf, size_t n)
{
    long d = (long)floor(min / 1440);
    double m = min - d * 1440.0;
    snprintf(buf, n, "day %ld %02d:%02d", d + 1, (int)(m / 60), (int)fmod(m, 60));
}

#define DUTY_DAYS_MAX 3660

/* Hours of the horizon with no dispatchable unit on duty. */
static int check_duty(struct ld *L)
{
    struct scn *s = L->s;
    unsigned have = dispatchable_roles(s);
    double H = s->horizon_days * 1440.0;
    int days = (int)fmin(ceil(s->horizon_days), DUTY_DAYS_MAX);
    double Hc = fmin(H, days * 1440.0);
    /* Distinct (roster, squad offset) pairs of dispatchable units. */
    int *pair = xmalloc(((size_t)s->n_units + 1) * 2 * sizeof *pair);
    int np = 0;
    for (int u = 0; u < s->n_units; u++) {
        const struct scn_unit *un = &s->units[u];
        if (!(have >> un->role & 1) || un->role == ROLE_CASE_TEAM)
            continue;
        if (un->officers > 0 && s->absence_p >= 1)
            continue;           /* never turns up */
        if (un->roster < 0) {
            free(pair);
            return 0;           /* always on duty */
        }
        int n = s->rosters[un->roster].n_days, q = ((un->squad % n) + n) % n, k;
        for (k = 0; k < np; k++)
            if (pair[2 * k] == un->roster && pair[2 * k + 1] == q)
                break;
        if (k == np) {
            pair[2 * np] = un->roster;
            pair[2 * np++ + 1] = q;
        }
    }
    struct ival *iv = NULL;
    size_t niv = 0, cap = 0;
    for (int k = 0; k < np; k++) {
        const struct scn_roster *ro = &s->rosters[pair[2 * k]];
        for (long d = -1; d < days; d++) {
            long c = ((d + pair[2 * k + 1]) % ro->n_days + ro->n_days) % ro->n_days;
            int sh = ro->day_shift[c];
            if (sh < 0)
                continue;
            double a = d * 1440.0 + s->shifts[sh].start_h * 60, b = a + s->shifts[sh].hours * 60;
            a = fmax(a, 0);
            b = fmin(b, Hc);
            if (b <= a)
                continue;
            if (niv == cap) {
                cap = cap ? 2 * cap : 256;
                iv = xrealloc(iv, cap * sizeof *iv);
            }
            iv[niv++] = (struct ival){ a, b };
        }
    }
    free(pair);
    if (niv)
        qsort(iv, niv, sizeof *iv, cmp_ival);
    double covered_to = 0, gap = 0, first_a = NAN, first_b = NAN;
    for (size_t i = 0; i <= niv; i++) {
        double a = i < niv ? iv[i].a : Hc;
        if (a > covered_to + 1e-6) {
            gap += a - covered_to;
            if (isnan(first_a))
                first_a = covered_to, first_b = a;
        }
        if (i < niv)
            covered_to = fmax(covered_to, iv[i].b);
    }
    free(iv);
    const char *up = scn__table_path(L, TB_UNITS);
    const char *span = Hc < H ? "of the first 10 years of the horizon" : "of the horizon";
    if (gap >= Hc - 1e-6)
        return err_set(L->e, "%s: no unit that can be dispatched is ever on duty %s (%g days): "
                             "check the rosters, squads, absence_probability and the roles; "
                             "every call would wait until the end", up, span, Hc / 1440);
    if (gap > 0) {
        char a[40], b[40];
        fmt_time(first_a, a, sizeof a);
        fmt_time(first_b, b, sizeof b);
        WARN(L, "%s: no unit is on duty for %.1f hours (%.1f%%) %s, first from %s to %s; "
                "calls then wait for the next shift", up, gap / 60, 100 * gap / Hc, span, a, b);
    }
    return 0;
}

static void check_absence(struct ld *L)
{
    struct scn *s = L->s;
    if (s->absence_p <= 0)
        return;
    int n = 0;
    for (int u = 0; u < s->n_units; u++)
        n += s->units[u].roster >= 0 && s->units[u].officers > 0;
    char w[600];
    if (!n)
        WARN(L, "%s[staffing] absence_probability = %g applies to nothing: absences are drawn "
                "per shift for rostered units with officers, and no unit has a roster (or "
                "officers)", key_where(s, "staffing", "absence_probability", w, sizeof w),
             s->absence_p);
}

/* ---- endogenous demand ---------------------------------------------------- */

/* consequences.csv as a branching process: M[a][b] = expected incidents of
 * type b spawned by one of type a, taking for each type the worse of its
 * two outcomes.  A spectral radius >= 1 (power iteration) is supercritical:
 * spawns would grow without end but for max_spawn_depth. */
static void check_spawn(struct ld *L)
{
    struct scn *s = L->s;
    int n = s->n_itypes;
    if (!s->n_conseq || s->max_spawn_depth == 0)
        return;
    double *m = xcalloc((size_t)n * (size_t)n * 2, sizeof *m), *M = xcalloc((size_t)n * (size_t)n, sizeof *M);
    for (int k = 0; k < s->n_conseq; k++) {
        const struct scn_conseq *c = &s->conseq[k];
        for (int o = 0; o < 2; o++)
            if (c->outcome == CQ_ANY || (int)c->outcome == o)
                m[((size_t)c->type * (size_t)n + (size_t)c->spawn_type) * 2 + (size_t)o] += c->p;
    }
    for (int a = 0; a < n; a++) {
        double row[2] = { 0, 0 };
        for (int b = 0; b < n; b++)
            for (int o = 0; o < 2; o++)
                row[o] += m[((size_t)a * (size_t)n + (size_t)b) * 2 + (size_t)o];
        int o = row[1] > row[0];
        for (int b = 0; b < n; b++)
            M[(size_t)a * (size_t)n + (size_t)b] = m[((size_t)a * (size_t)n + (size_t)b) * 2 + (size_t)o];
    }
    double *v = xmalloc((size_t)n * sizeof *v), *w = xmalloc((size_t)n * sizeof *w), rho = 0;
    for (int a = 0; a < n; a++)
        v[a] = 1;
    for (int it = 0; it < 500; it++) {
        double norm = 0;
        for (int b = 0; b < n; b++) {
            w[b] = 0;
            for (int a = 0; a < n; a++)
                w[b] += v[a] * M[(size_t)a * (size_t)n + (size_t)b];
            norm = fmax(norm, w[b]);
        }
        rho = norm;
        if (!(norm > 0))
            break;
        for (int b = 0; b < n; b++)
            v[b] = w[b] / norm;
    }
    if (rho >= 1 - 1e-9) {
        int worst = 0;
        for (int a = 0; a < n; a++)
            if (v[a] > v[worst])
                worst = a;
        WARN(L, "%s: supercritical consequences: each incident spawns %.3g incidents on "
                "average in the long run (the worse outcome of each type; type '%s' most), so "
                "demand grows generation after generation until [incidents] max_spawn_depth "
                "= %d stops it; lower the p of its repeat and escalate rows below 1 in total",
             scn__table_path(L, TB_CONSEQUENCES), rho, s->itypes[worst].id,
             s->max_spawn_depth);
    }
    free(m);
    free(M);
    free(v);
    free(w);
}

/* ---- load ------------------------------------------------------------------ */

static void check_load(struct ld *L)
{
    struct scn *s = L->s;
    double share = 0, busy = 0;
    for (int t = 0; t < s->n_itypes; t++) {
        const struct scn_itype *it = &s->itypes[t];
        double crew = it->units_required;
        if (it->n_upc > 0) {            /* units_per_call.csv: its mean */
            crew = 0;
            for (int k = 0; k < it->n_upc; k++)
                crew += it->upc_n[k] * (it->upc_cum[k] - (k ? it->upc_cum[k - 1] : 0));
        }
        share += it->share;
        busy += it->share * crew * it->mean_min;
    }
    if (!(share > 0))
        return;
    busy /= share;              /* unit-minutes on scene per call */
    unsigned have = dispatchable_roles(s);
    int Z = s->n_zones;
    double *duty = xcalloc((size_t)Z + 1, sizeof *duty), *calls = xcalloc((size_t)Z + 1,
                                                                          sizeof *calls);
    int n_grid = 0;
    for (int u = 0; u < s->n_units; u++) {
        /* Grid workers are not police: the load is the police's, as if
         * every call reached them (an upper bound with a grid tier). */
        n_grid += s->units[u].role == ROLE_GRID_WORKER;
        if (!(have >> s->units[u].role & 1) || s->units[u].role == ROLE_GRID_WORKER)
            continue;
        double d = duty_share(s, u);
        duty[Z] += d;
        int z = s->facilities[s->units[u].base].zone;
        if (z >= 0)
            duty[z] += d;
    }
    double wsum = 0;
    for (int g = 0; g < s->n_grids; g++)
        wsum += s->location == LOC_AREA ? s->grids[g].poly.area : s->grids[g].weight;
    for (int g = 0; g < s->n_grids && wsum > 0; g++) {
        double w = s->location == LOC_AREA ? s->grids[g].poly.area : s->grids[g].weight;
        if (s->grids[g].zone >= 0)
            calls[s->grids[g].zone] += s->rate_per_day * w / wsum;
    }
    double load = duty[Z] > 0 ? s->rate_per_day * busy / (duty[Z] * 1440) : INFINITY;
    char line[900];
    size_t w = (size_t)snprintf(line, sizeof line,
                                "offered load %.3g (%.6g calls/day x %.3g unit-minutes on "
                                "scene / %.3g %sunits on duty on average; travel not "
                                "included%s)", load, s->rate_per_day, busy, duty[Z],
                                n_grid ? "police " : "",
                                n_grid ? "; grid workers not counted, as if every call "
                                         "reached the police" : "");
    for (int z = 0; z < Z && w < sizeof line; z++) {
        double lz = duty[z] > 0 ? calls[z] * busy / (duty[z] * 1440) : INFINITY;
        w += (size_t)snprintf(line + w, sizeof line - w, "%s zone %s %.3g", z ? "," : ";",
                              s->zones[z], lz);
        if (lz > 1 && calls[z] > 0)
            WARN(L, "%s: zone '%s': offered load %.3g > 1 (%.4g calls/day x %.3g unit-minutes "
                    "on scene / %.3g units of the zone on duty): its own units cannot keep up",
                 s->ini_path, s->zones[z], lz, calls[z], busy, duty[z]);
    }
    NOTE(L, "%s", line);
    if (load > 1) {
        char k[600];
        WARN(L, "%s[incidents] rate_per_day: offered load %.3g > 1 (%.6g calls/day x %.3g "
                "unit-minutes on scene / %.3g units on duty): the system cannot keep up; the "
                "queue will grow for as long as calls come in",
             key_where(s, "incidents", "rate_per_day", k, sizeof k), load, s->rate_per_day,
             busy, duty[Z]);
    }
    free(duty);
    free(calls);
}

/* ---- replay ---------------------------------------------------------------- */

static void check_replay(struct ld *L)
{
    struct scn *s = L->s;
    if (strcmp(s->source, "replay") || !s->streams)
        return;
    const struct rp_cfg *c = &s->streams->rp;
    const struct rp_counts *n = &c->counts;
    uint64_t late = n->skipped[SK_HORIZON];
    if (!late)
        return;
    char t0[TS_ISO_MAX];
    ts_format(s->start_ms, 0, t0);
    uint64_t all = n->used + late;
    WARN(L, "%s: %llu of %llu rows (%.0f%%) fall at or after the horizon (%g days after t = 0 "
            "at %s%s) and are not replayed; %s",
         c->path, (unsigned long long)late, (unsigned long long)all, 100.0 * (double)late /
         (double)all, s->horizon_days, t0,
         s->streams->start_set ? ", [incidents] start" : ", midnight of the earliest row's day",
         s->streams->start_set ? "lengthen [run] horizon_days or move the start"
                               : "a mistyped early date (02/29/00?) sets t = 0 far before the "
                                 "rest: check that row, or set [incidents] start");
}

/* ---- the pass ------------------------------------------------------------- */

/* ---- CAD tables ------------------------------------------------------------ */

/* Workload whose busy periods, alone, leave a unit free less than this share
 * of its time is reported: with rate r per hour and mean m minutes, an
 * otherwise idle unit is free 1 / (1 + r m / 60) of the time. */
#define WORKLOAD_FREE_WARN 0.2

static int check_delay(struct ld *L, const char *path, int line, const char *what,
                       const struct scn_delay *d)
{
    char where[32] = "";
    if (line > 0)
        snprintf(where, sizeof where, ":%d", line);
    if (!(d->mean_min <= DUR_MAX_MIN && d->sd_min <= DUR_MAX_MIN))
        return err_set(L->e, "%s%s: %s: mean %.6g, sd %.6g minutes is not physically meaningful; "
                             "expected at most %g minutes (one year)", path, where, what,
                       d->mean_min, d->sd_min, DUR_MAX_MIN);
    return 0;
}

static int check_cad(struct ld *L)
{
    struct scn *s = L->s;
    char w[600];
    if (s->cp_pick) {
        const char *tp = scn__table_path(L, TB_CALL_PROCESSING);
        for (int i = 0; i < s->n_cp_rows; i++)
            if (check_delay(L, tp, s->cp_rows[i].line, "call-processing delay",
                            &s->cp_rows[i].d) < 0)
                return -1;
        if (scn__key_line(s, "dispatch", "call_processing_min") ||
            scn__key_line(s, "dispatch", "call_processing"))
            WARN(L, "%s[dispatch] call_processing*: ignored, %s gives the call-processing "
                    "delay of every type and hour",
                 key_where(s, "dispatch", scn__key_line(s, "dispatch", "call_processing_min")
                           ? "call_processing_min" : "call_processing", w, sizeof w), tp);
    }
    if (s->has_turnout) {
        const char *tp = scn__table_path(L, TB_TURNOUT);
        for (int k = 0; k < TO_N; k++)
            if (check_delay(L, tp, 0, scn_turnout_state_names[k], &s->turnout[k]) < 0)
                return -1;
    }
    if (s->strength) {
        int any = 0;
        for (int h = 0; h < 168; h++)
            any |= s->strength[h] > 0;
        if (!any)
            return err_set(L->e, "%s: every hour of the week has units = 0: no unit would "
                                 "ever be available and every call would wait for ever",
                           scn__table_path(L, TB_STRENGTH));
    }
    const char *wp = scn__table_path(L, TB_WORKLOAD);
    for (int i = 0; i < s->n_workload; i++) {
        const struct scn_workload *wl = &s->workload[i];
        if (check_delay(L, wp, wl->line, "workload period", &wl->d) < 0)
            return -1;
        double rho = wl->rate_per_hour * wl->d.mean_min / 60.0, free = 1.0 / (1.0 + rho);
        if (free < WORKLOAD_FREE_WARN)
            WARN(L, "%s:%d: workload of %s: %.6g periods an hour of %.6g minutes leave a unit "
                    "free only %.1f%% of its time even without calls (1 / (1 + %.3g)); units "
                    "would hardly ever be free", wp, wl->line,
                 wl->role < 0 ? "'*'" : unit_role_name((enum unit_role)wl->role),
                 wl->rate_per_hour, wl->d.mean_min, 100 * free, rho);
    }
    if (s->has_upc) {
        const char *up = scn__table_path(L, TB_UNITS_PER_CALL);
        for (int t = 0; t < s->n_itypes; t++) {
            const struct scn_itype *it = &s->itypes[t];
            if (it->n_upc == 0 || it->share <= 0)
                continue;
            int nmax = 0, elig = 0;
            for (int k = 0; k < it->n_upc; k++)
                if (it->upc_n[k] > nmax && (k == 0 || it->upc_cum[k] > it->upc_cum[k - 1]))
                    nmax = it->upc_n[k];
            for (int u = 0; u < s->n_units; u++)
                elig += s->units[u].role != ROLE_CASE_TEAM && (it->roles >> s->units[u].role & 1);
            if (nmax > elig)
                WARN(L, "%s: type '%s' may get %d units, but only %d units can take it: such "
                        "calls wait until units come back and are sent again", up, it->id, nmax,
                     elig);
        }
    }
    return 0;
}

int scn__check(struct ld *L)
{
    struct scn *s = L->s;
    if (check_nul(L) < 0 || check_ranges(L) < 0 ||
        check_ids(L, scn__table_path(L, TB_UNITS), "unit", s->n_units, unit_id, unit_line) < 0 ||
        check_ids(L, scn__table_path(L, TB_GRIDS), "grid", s->n_grids, grid_id, grid_line) < 0 ||
        check_ids(L, scn__table_path(L, TB_FACILITIES), "facility", s->n_facilities, fac_id,
                  fac_line) < 0 ||
        check_ids(L, scn__table_path(L, TB_ITYPES), "type", s->n_itypes, type_id, type_line) < 0 ||
        check_roles(L) < 0 || check_duty(L) < 0 || check_cad(L) < 0)
        return -1;
    check_geography(L);
    check_absence(L);
    check_spawn(L);
    check_case_teams(L);
    check_load(L);
    check_replay(L);
    scn__travel_warnings(L, warn_str);
    return 0;
}
