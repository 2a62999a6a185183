/* scn_cad.c - the optional CAD tables: what happens between a call and a
 * unit's arrival beyond travel, and when a unit on duty is not free.
 *
 *   call_processing.csv  type,hour_from,hour_to,dist,mean_min,sd_min
 *   strength.csv         dow,hour,units          (all 168 hours of the week)
 *   workload.csv         role,rate_per_hour,dist,mean_min,sd_min,interrupt_priority
 *   turnout.csv          state,dist,mean_min,sd_min
 *   units_per_call.csv   type,n,share
 *
 * Every table is small (at most a few hundred rows) and read once: lookups
 * are linear scans, and what the run needs per call is precomputed here
 * (cp_pick: the row of every (type, hour); the cumulative units-per-call
 * distribution of every type), so the model pays one array read.  The
 * semantics are in docs/scenario-format.md ("Call processing, availability,
 * turnout and crews"); semantic warnings (workload that leaves units hardly
 * ever free) are in scn_check.c.
 */
#include <stdio.h>
#include <string.h>
#include "scn_priv.h"

const char *const scn_turnout_state_names[TO_N] = {
    "at_base", "patrol", "community", "returning", "just_cleared", "workload",
};

/* ---- shared cell parsers ---------------------------------------------------- */

static const char *const delay_words[] = { "exponential", "lognormal", "gamma", "fixed",
                                           "empirical" };
static const enum svc_dist delay_dist[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                            SVC_FIXED, SVC_EMPIRICAL };

/* The quantiles column of an empirical delay: numbers >= 0 separated by
 * ';' or spaces, non-decreasing, at least 2 (minimum and maximum). */
static int parse_quantiles(const struct tab *t, int k_q, struct scn_delay *d)
{
    const char *v = scn__tab_str(t, k_q);
    int cap = 0;
    d->n_q = 0;
    for (const char *p = v;;) {
        while (*p == ';' || *p == ' ')
            p++;
        if (!*p)
            break;
        char num[64];
        size_t n = strcspn(p, "; ");
        double x;
        snprintf(num, sizeof num, "%.*s", (int)(n < 63 ? n : 63), p);
        if (n >= 63 || scn__parse_double(num, &x) < 0 || !(x >= 0))
            return scn__tab_err(t, k_q, "expected minutes >= 0 separated by ';', got '%s' in '%s'",
                                num, v);
        if (d->n_q > 0 && x < d->q[d->n_q - 1])
            return scn__tab_err(t, k_q, "quantiles must not decrease: %g after %g in '%s'", x,
                                d->q[d->n_q - 1], v);
        d->q = scn__a_grow(t->L->a, d->q, sizeof *d->q, d->n_q, &cap);
        d->q[d->n_q++] = x;
        p += n;
    }
    if (d->n_q < 2)
        return scn__tab_err(t, k_q, "an empirical delay needs at least 2 quantiles (minimum; ...; "
                            "maximum, equally spaced in probability), got '%s'", v);
    /* The mean of the piecewise-linear inverse CDF: the segments' midpoints. */
    double m = 0;
    for (int i = 0; i + 1 < d->n_q; i++)
        m += (d->q[i] + d->q[i + 1]) / 2;
    d->mean_min = m / (d->n_q - 1);
    return 0;
}

/* A delay from its dist, mean and sd columns (and quantiles, k_q, for
 * empirical): a fixed delay may be 0, the others need a mean > 0; lognormal
 * and gamma need sd > 0, the others an empty sd; empirical takes its
 * quantiles and no mean or sd. */
static int parse_delay(const struct tab *t, int k_dist, int k_mean, int k_sd, int k_q,
                       struct scn_delay *d)
{
    const char *v = scn__tab_str(t, k_dist);
    int i = 0;
    memset(d, 0, sizeof *d);
    while (i < 5 && strcmp(delay_words[i], v))
        i++;
    if (i == 5)
        return scn__tab_err(t, k_dist, "expected exponential, lognormal, gamma, fixed or "
                            "empirical, got '%s'", v);
    d->dist = delay_dist[i];
    if (d->dist == SVC_EMPIRICAL) {
        for (int k = 0; k < 2; k++) {
            int col = k ? k_sd : k_mean;
            if (*scn__tab_str(t, col))
                return scn__tab_err(t, col, "must be empty for an empirical delay (its "
                                    "quantiles say it all), got '%s'", scn__tab_str(t, col));
        }
        return parse_quantiles(t, k_q, d);
    }
    if (*scn__tab_str(t, k_q))
        return scn__tab_err(t, k_q, "only for an empirical delay; this one is %s, got '%s'", v,
                            scn__tab_str(t, k_q));
    if (scn__tab_num(t, k_mean, d->dist == SVC_FIXED ? R_NONNEG : R_POS, NULL, &d->mean_min) < 0)
        return -1;
    d->sd_min = 0;
    if (d->dist == SVC_LOGNORMAL || d->dist == SVC_GAMMA)
        return scn__tab_num(t, k_sd, R_POS, NULL, &d->sd_min);
    if (*scn__tab_str(t, k_sd))
        return scn__tab_err(t, k_sd, "must be empty for a %s delay, got '%s'", v,
                            scn__tab_str(t, k_sd));
    return 0;
}

/* An incident type id or '*' (-1). */
static int parse_type(const struct tab *t, int k, int *out)
{
    const struct scn *s = t->L->s;
    const char *v = scn__tab_str(t, k);
    if (!strcmp(v, "*")) {
        *out = -1;
        return 0;
    }
    for (int i = 0; i < s->n_itypes; i++)
        if (!strcmp(s->itypes[i].id, v)) {
            *out = i;
            return 0;
        }
    char ids[256] = "";
    size_t used = 0;
    for (int i = 0; i < s->n_itypes && used < sizeof ids - 8; i++) {
        int m = snprintf(ids + used, sizeof ids - used, "%s%s", i ? ", " : "", s->itypes[i].id);
        if (m > 0)
            used += (size_t)m < sizeof ids - used ? (size_t)m : sizeof ids - used - 1;
    }
    return scn__tab_err(t, k, "unknown incident type '%s'; expected an id of incident_types.csv "
                        "(%s) or '*' for any type", v, ids);
}

/* ---- call_processing.csv --------------------------------------------------- */

enum { CP_TYPE, CP_FROM, CP_TO, CP_DIST, CP_MEAN, CP_SD, CP_Q };
static const char *const cp_cols[] = { "type", "hour_from", "hour_to", "dist", "mean_min",
                                       "sd_min", "quantiles", NULL };
static const char *const cp_req[] = { "type", "hour_from", "hour_to", "dist", "mean_min", NULL };
const struct tabdef scn__tab_call_processing = { "call_processing", TB_CALL_PROCESSING,
                                                 "call_processing.csv", cp_cols, cp_req, NULL };

static bool in_band(const struct scn_cp_row *r, int h)
{
    return r->hour_from < r->hour_to ? h >= r->hour_from && h < r->hour_to
                                     : h >= r->hour_from || h < r->hour_to;
}

/* Appends "a-b" (or "a") hour ranges of the uncovered hours of a type. */
static size_t list_hours(char *buf, size_t n, size_t used, const bool *miss)
{
    for (int h = 0; h < 24 && used < n; h++) {
        if (!miss[h])
            continue;
        int e = h;
        while (e + 1 < 24 && miss[e + 1])
            e++;
        int m = e > h ? snprintf(buf + used, n - used, " %d-%d", h, e)
                      : snprintf(buf + used, n - used, " %d", h);
        if (m > 0)
            used += (size_t)m < n - used ? (size_t)m : n - used - 1;
        h = e;
    }
    return used;
}

static int load_call_processing(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_CALL_PROCESSING);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_call_processing, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->cp_rows = scn__a_grow(L->a, s->cp_rows, sizeof *s->cp_rows, s->n_cp_rows, &cap);
        struct scn_cp_row *row = &s->cp_rows[s->n_cp_rows];
        row->line = (int)csvr_line(t.r);
        if (parse_type(&t, CP_TYPE, &row->type) < 0 ||
            scn__tab_int(&t, CP_FROM, 0, 23, NULL, &row->hour_from) < 0 ||
            scn__tab_int(&t, CP_TO, 1, 24, NULL, &row->hour_to) < 0)
            goto out;
        if (row->hour_from == row->hour_to) {
            scn__tab_err(&t, CP_TO, "the band [%d, %d) is empty or ambiguous; use 0,24 for the "
                         "whole day", row->hour_from, row->hour_to);
            goto out;
        }
        if (parse_delay(&t, CP_DIST, CP_MEAN, CP_SD, CP_Q, &row->d) < 0)
            goto out;
        s->n_cp_rows++;
    }
    /* The first row matching (type, hour) wins: specific rows first. */
    s->cp_pick = scn__a_alloc(L->a, (size_t)s->n_itypes * 24 * sizeof *s->cp_pick);
    char miss_msg[1024];
    size_t used = 0;
    int n_miss = 0;
    for (int ty = 0; ty < s->n_itypes; ty++) {
        bool miss[24] = { false };
        int any = 0;
        for (int h = 0; h < 24; h++) {
            int k = 0;
            while (k < s->n_cp_rows &&
                   !((s->cp_rows[k].type < 0 || s->cp_rows[k].type == ty) &&
                     in_band(&s->cp_rows[k], h)))
                k++;
            s->cp_pick[ty * 24 + h] = k < s->n_cp_rows ? k : -1;
            if (k == s->n_cp_rows)
                miss[h] = true, any = 1, n_miss++;
        }
        if (any && used < sizeof miss_msg - 1) {
            int m = snprintf(miss_msg + used, sizeof miss_msg - used, "%stype '%s' at hours",
                             used ? "; " : "", s->itypes[ty].id);
            if (m > 0)
                used += (size_t)m < sizeof miss_msg - used ? (size_t)m : sizeof miss_msg - used - 1;
            used = list_hours(miss_msg, sizeof miss_msg, used, miss);
        }
    }
    if (n_miss) {
        err_set(L->e, "%s: no row covers %s; add rows for them or a '*' row (any type) "
                "after the specific ones", path, miss_msg);
        goto out;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- strength.csv ------------------------------------------------------------ */

enum { SG_DOW, SG_HOUR, SG_UNITS };
static const char *const sg_cols[] = { "dow", "hour", "units", NULL };
const struct tabdef scn__tab_strength = { "strength", TB_STRENGTH, "strength.csv", sg_cols,
                                          sg_cols, NULL };

static int load_strength(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_STRENGTH);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int rc = -1, line_of[168] = { 0 };
    s->strength = scn__a_alloc(L->a, 168 * sizeof *s->strength);
    if (scn__tab_open(L, &t, &scn__tab_strength, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        int dow, hour, units;
        if (scn__tab_int(&t, SG_DOW, 0, 6, NULL, &dow) < 0 ||
            scn__tab_int(&t, SG_HOUR, 0, 23, NULL, &hour) < 0 ||
            scn__tab_int(&t, SG_UNITS, 0, INT32_MAX, NULL, &units) < 0)
            goto out;
        int w = dow * 24 + hour;
        if (line_of[w]) {
            scn__tab_err(&t, SG_HOUR, "duplicate dow,hour %d,%d (first at line %d)", dow, hour,
                         line_of[w]);
            goto out;
        }
        line_of[w] = (int)csvr_line(t.r);
        s->strength[w] = units;
    }
    char miss[1024];
    size_t used = 0;
    int n_miss = 0;
    for (int w = 0; w < 168; w++)
        if (!line_of[w]) {
            if (n_miss < 24 && used < sizeof miss - 16) {
                int m = snprintf(miss + used, sizeof miss - used, "%s%d,%d", n_miss ? "; " : "",
                                 w / 24, w % 24);
                if (m > 0)
                    used += (size_t)m;
            }
            n_miss++;
        }
    if (n_miss) {
        err_set(L->e, "%s: %d of the 168 hours of the week have no row (dow 0 = Monday .. 6 = "
                "Sunday, hour 0..23): missing dow,hour %s%s", path, n_miss, miss,
                n_miss > 24 ? "; ..." : "");
        goto out;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- workload.csv ------------------------------------------------------------- */

enum { WL_ROLE, WL_RATE, WL_DIST, WL_MEAN, WL_SD, WL_INTR, WL_Q };
static const char *const wl_cols[] = { "role", "rate_per_hour", "dist", "mean_min", "sd_min",
                                       "interrupt_priority", "quantiles", NULL };
static const char *const wl_req[] = { "role", "rate_per_hour", "dist", "mean_min", NULL };
const struct tabdef scn__tab_workload = { "workload", TB_WORKLOAD, "workload.csv", wl_cols,
                                          wl_req, NULL };

static int load_workload(struct ld *L)
{
    struct scn *s = L->s;
    for (int r = 0; r < ROLE_N; r++)
        s->workload_of[r] = -1;
    const char *path = scn__optional_table(L, TB_WORKLOAD);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1, any = -1;
    if (scn__tab_open(L, &t, &scn__tab_workload, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->workload = scn__a_grow(L->a, s->workload, sizeof *s->workload, s->n_workload, &cap);
        struct scn_workload *w = &s->workload[s->n_workload];
        w->line = (int)csvr_line(t.r);
        const char *v = scn__tab_str(&t, WL_ROLE);
        w->role = strcmp(v, "*") ? scn__role_find(v, strlen(v)) : -1;
        if (w->role < 0 && strcmp(v, "*")) {
            scn__tab_err(&t, WL_ROLE, "unknown role '%s'; expected " ROLE_LIST " or '*' for "
                         "every other role", v);
            goto out;
        }
        int prev = w->role < 0 ? any : s->workload_of[w->role];
        if (prev >= 0) {
            scn__tab_err(&t, WL_ROLE, "duplicate role '%s' (first at line %d)", v,
                         s->workload[prev].line);
            goto out;
        }
        static const long never = 0;
        if (scn__tab_num(&t, WL_RATE, R_POS, NULL, &w->rate_per_hour) < 0 ||
            parse_delay(&t, WL_DIST, WL_MEAN, WL_SD, WL_Q, &w->d) < 0 ||
            scn__tab_int(&t, WL_INTR, 0, 9, &never, &w->interrupt_priority) < 0)
            goto out;
        if (w->d.mean_min <= 0) {
            scn__tab_err(&t, WL_MEAN, "expected a busy period > 0 minutes, got '%s'",
                         scn__tab_str(&t, WL_MEAN));
            goto out;
        }
        if (w->role < 0)
            any = s->n_workload;
        else
            s->workload_of[w->role] = s->n_workload;
        s->n_workload++;
    }
    for (int r = 0; r < ROLE_N; r++)
        if (s->workload_of[r] < 0)
            s->workload_of[r] = any;
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- turnout.csv ---------------------------------------------------------------- */

enum { TO_STATE, TO_DIST, TO_MEAN, TO_SD, TO_Q };
static const char *const to_cols[] = { "state", "dist", "mean_min", "sd_min", "quantiles", NULL };
static const char *const to_req[] = { "state", "dist", "mean_min", NULL };
const struct tabdef scn__tab_turnout = { "turnout", TB_TURNOUT, "turnout.csv", to_cols, to_req,
                                         NULL };

static int load_turnout(struct ld *L)
{
    struct scn *s = L->s;
    for (int k = 0; k < TO_N; k++)
        s->turnout[k] = (struct scn_delay){ .dist = SVC_FIXED };
    const char *path = scn__optional_table(L, TB_TURNOUT);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int rc = -1, line_of[TO_N] = { 0 };
    if (scn__tab_open(L, &t, &scn__tab_turnout, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        const char *v = scn__tab_str(&t, TO_STATE);
        int k = 0;
        while (k < TO_N && strcmp(scn_turnout_state_names[k], v))
            k++;
        if (k == TO_N) {
            scn__tab_err(&t, TO_STATE, "expected at_base, patrol, community, returning, "
                         "just_cleared or workload, got '%s'", v);
            goto out;
        }
        if (line_of[k]) {
            scn__tab_err(&t, TO_STATE, "duplicate state '%s' (first at line %d)", v, line_of[k]);
            goto out;
        }
        line_of[k] = (int)csvr_line(t.r);
        if (parse_delay(&t, TO_DIST, TO_MEAN, TO_SD, TO_Q, &s->turnout[k]) < 0)
            goto out;
    }
    s->has_turnout = true;
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- units_per_call.csv ----------------------------------------------------------- */

enum { UP_TYPE, UP_N, UP_SHARE };
static const char *const up_cols[] = { "type", "n", "share", NULL };
const struct tabdef scn__tab_units_per_call = { "units_per_call", TB_UNITS_PER_CALL,
                                                "units_per_call.csv", up_cols, up_cols, NULL };

struct up_row {
    int type, n, line;
    double share;
};

static int load_units_per_call(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_UNITS_PER_CALL);
    if (!path)
        return 0;
    struct tab t = { 0 };
    struct up_row *rows = NULL;
    int cap = 0, n = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_units_per_call, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        rows = scn__a_grow(L->a, rows, sizeof *rows, n, &cap);
        struct up_row *u = &rows[n];
        u->line = (int)csvr_line(t.r);
        if (parse_type(&t, UP_TYPE, &u->type) < 0 ||
            scn__tab_int(&t, UP_N, 1, 50, NULL, &u->n) < 0 ||
            scn__tab_num(&t, UP_SHARE, R_NONNEG, NULL, &u->share) < 0)
            goto out;
        for (int i = 0; i < n; i++)
            if (rows[i].type == u->type && rows[i].n == u->n) {
                scn__tab_err(&t, UP_N, "duplicate type,n %s,%d (first at line %d)",
                             scn__tab_str(&t, UP_TYPE), u->n, rows[i].line);
                goto out;
            }
        n++;
    }
    /* Per type: its own rows, else the '*' rows, else units_required. */
    for (int ty = 0; ty < s->n_itypes; ty++) {
        struct scn_itype *it = &s->itypes[ty];
        int use = ty;
        int k_own = 0;
        for (int i = 0; i < n; i++)
            k_own += rows[i].type == ty;
        if (!k_own)
            use = -1;
        double sum = 0;
        int k = 0, last = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].type == use)
                sum += rows[i].share, k++, last = rows[i].line;
        if (!k)
            continue;
        if (!(sum > 0)) {
            err_set(L->e, "%s:%d: the shares of %s%s%s sum to 0; expected at least one share > 0",
                    path, last, use < 0 ? "'*'" : "type '", use < 0 ? "" : it->id,
                    use < 0 ? "" : "'");
            goto out;
        }
        it->upc_n = scn__a_alloc(L->a, (size_t)k * sizeof *it->upc_n);
        it->upc_cum = scn__a_alloc(L->a, (size_t)k * sizeof *it->upc_cum);
        double c = 0;
        it->n_upc = 0;
        for (int i = 0; i < n; i++)
            if (rows[i].type == use) {
                c += rows[i].share;
                it->upc_n[it->n_upc] = rows[i].n;
                it->upc_cum[it->n_upc++] = c / sum;
            }
        it->upc_cum[it->n_upc - 1] = 1.0;
    }
    s->has_upc = true;
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

int scn__load_cad(struct ld *L)
{
    if (load_call_processing(L) < 0 || load_strength(L) < 0 || load_workload(L) < 0 ||
        load_turnout(L) < 0 || load_units_per_call(L) < 0)
        return -1;
    return 0;
}
