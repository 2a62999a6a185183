/* scn_ini.c - scenario.ini: inih, the generic key setter, INI overrides and
 * the checks that need several keys.
 *
 * Order of work: the defaults of the key table, then scenario.ini through
 * inih, then the overrides in their order (an INI override goes through the
 * same setter as a file line; a cell override is recorded for the table
 * reader), then the checks across keys.  The setter knows nothing about
 * individual keys: it finds the row of the key table, parses the value by
 * the row's type and bounds, and stores it where the row says.
 *
 * inih: the 5-argument handler (INI_HANDLER_LINENO) is a deliberate choice
 * for Debian's libinih r55, which always passes lineno (STYLE.md section 9).
 * Other inih builds need ini.c vendored with that flag.
 */
#define INI_HANDLER_LINENO 1

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <ini.h>
#include "inc_priv.h"
#include "scn_priv.h"
#include "ts.h"

#define MAX_SPEED_KMH 500.0

void scn__where(const struct scn *s, int line, char *buf, size_t n)
{
    if (line > 0)
        snprintf(buf, n, "%s:%d: ", s->ini_path, line);
    else if (line < 0)
        snprintf(buf, n, "override ");
    else
        snprintf(buf, n, "%s: ", s->ini_path);
}

int scn__key_line(const struct scn *s, const char *section, const char *name)
{
    const struct priv *pv = s->priv_;
    int k = scn__key_index(section, name);
    return k >= 0 && pv->kline ? pv->kline[k] : 0;
}

static int bad_value(struct ld *L, const char *w, const char *sec, const char *key,
                     const char *what, const char *val)
{
    return err_set(L->e, "%s[%s] %s: expected %s, got '%s'", w, sec, key, what, val);
}

static int expected(struct ld *L, const char *w, const struct scn_keydef *k, const char *key,
                    const char *val)
{
    char what[256];
    scn__key_expect(k, what, sizeof what);
    return bad_value(L, w, k->section, key, what, val);
}

static int set_mode(struct ld *L, const char *w, const char *name, double v, int line)
{
    struct scn *s = L->s;
    for (int i = 0; i < s->n_modes; i++)
        if (strcmp(s->modes[i].name, name) == 0) {
            if (line > 0)
                return err_set(L->e, "%s[modes] %s: mode defined twice", w, name);
            s->modes[i].speed_kmh = v;      /* an override replaces */
            return 0;
        }
    s->modes = scn__a_grow(L->a, s->modes, sizeof *s->modes, s->n_modes, &L->modes_cap);
    s->modes[s->n_modes].name = scn__a_strdup(L->a, name);
    s->modes[s->n_modes].speed_kmh = v;
    s->n_modes++;
    return 0;
}

/* "a; b; c" into an arena array of trimmed, non-empty values. */
static int split_list(struct arena *a, const char *val, const char ***out)
{
    int n = 1;
    for (const char *p = val; *p; p++)
        n += *p == ';';
    const char **v = scn__a_alloc(a, (size_t)n * sizeof *v);
    int k = 0;
    for (const char *p = val;;) {
        const char *q = strchr(p, ';');
        const char *b = p, *end = q ? q : p + strlen(p);
        while (b < end && (*b == ' ' || *b == '\t'))
            b++;
        while (end > b && (end[-1] == ' ' || end[-1] == '\t'))
            end--;
        if (end > b) {
            char *t = scn__a_zalloc(a, (size_t)(end - b) + 1);
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

static int parse_bool(const char *val, bool *out)
{
    static const char *const yes[] = { "true", "yes", "on", "1" };
    static const char *const no[] = { "false", "no", "off", "0" };
    for (int i = 0; i < 4; i++) {
        if (strcasecmp(val, yes[i]) == 0)
            return *out = true, 0;
        if (strcasecmp(val, no[i]) == 0)
            return *out = false, 0;
    }
    return -1;
}

static int parse_u64(const char *val, uint64_t *out)
{
    if (!*val)
        return -1;
    for (const char *p = val; *p; p++)
        if (!(*p >= '0' && *p <= '9'))
            return -1;
    uint64_t v = 0;
    for (const char *p = val; *p; p++) {
        unsigned d = (unsigned)(*p - '0');
        if (v > (UINT64_MAX - d) / 10)
            return -1;
        v = v * 10 + d;
    }
    *out = v;
    return 0;
}

/* Parses val by row k and stores it; key is the name as written (a mode's
 * name for [modes]).  w is the message prefix. */
static int store(struct ld *L, const struct scn_keydef *k, const char *key, const char *val,
                 int line, const char *w)
{
    struct scn *s = L->s;
    void *f = k->impl->hook == KH_NONE ? scn__key_field(s, k) : NULL;
    switch (k->type) {
    case SCN_KT_TEXT:
    case SCN_KT_FILE:
    case SCN_KT_COLUMN: {
        int b = scn__utf8_bad(val);
        if (b >= 0)
            return err_set(L->e, "%s[%s] %s: invalid UTF-8 byte 0x%02x (save the file as "
                           "UTF-8)", w, k->section, key, (unsigned)b);
        if (!*val && !(k->flags & SCN_KF_EMPTY_OK))
            return expected(L, w, k, key, val);
        if (k->impl->hook == KH_FILTER) {
            struct rp_cfg *rp = &s->streams->rp;
            rp->n_filter = split_list(L->a, val, &rp->filter_values);
            return rp->n_filter ? 0 : expected(L, w, k, key, val);
        }
        *(const char **)f = scn__a_strdup(L->a, val);
        return 0;
    }
    case SCN_KT_U64: {
        uint64_t v;
        if (parse_u64(val, &v) < 0)
            return expected(L, w, k, key, val);
        *(uint64_t *)f = v;
        return 0;
    }
    case SCN_KT_INT: {
        long v;
        if (scn__parse_long(val, &v) < 0 || v < k->lo || v > k->hi)
            return expected(L, w, k, key, val);
        *(int *)f = (int)v;
        return 0;
    }
    case SCN_KT_DOUBLE: {
        double v;
        struct range r = { k->lo, k->hi, k->lo_open, k->hi_open };
        if (k->impl->hook == KH_MODE) {
            int b = scn__utf8_bad(key);
            if (b >= 0)
                return err_set(L->e, "%s[modes]: invalid UTF-8 byte 0x%02x in a mode name", w,
                               (unsigned)b);
        }
        if (scn__parse_double(val, &v) < 0 || !scn__in_range(v, r))
            return expected(L, w, k, key, val);
        if (k->impl->hook == KH_MODE)
            return set_mode(L, w, key, v, line);
        *(double *)f = v;
        return 0;
    }
    case SCN_KT_BOOL: {
        bool v;
        if (parse_bool(val, &v) < 0)
            return expected(L, w, k, key, val);
        *(bool *)f = v;
        return 0;
    }
    case SCN_KT_WORD: {
        int i = 0;
        while (k->words[i] && strcmp(k->words[i], val) != 0)
            i++;
        if (!k->words[i])
            return expected(L, w, k, key, val);
        switch (scn__word_store(k)) {
        case 1: *(char **)f = scn__a_strdup(L->a, k->words[i]); break;
        case 2: *(bool *)f = i != 0; break;
        default: *(int *)f = i; break;
        }
        return 0;
    }
    case SCN_KT_TIME: {
        int64_t t;
        int off;
        if (ts_parse_iso(val, &t, &off) < 0 || off != INT32_MIN)
            return expected(L, w, k, key, val);
        *(int64_t *)f = t;
        return 0;
    }
    case SCN_KT_OFFSET: {
        int m;
        if (ts_parse_offset(val, &m) < 0)
            return expected(L, w, k, key, val);
        *(int *)f = m;
        return 0;
    }
    }
    return 0;
}

static int unknown_section(struct ld *L, const char *w, const char *sec, const char *key)
{
    char list[512];
    scn__join_words(list, sizeof list, scn__sections(), ", ");
    if (!*sec)
        return err_set(L->e, "%skey '%s' comes before any [section]; expected one of %s", w,
                       key, list);
    return err_set(L->e, "%sunknown section [%s]; expected one of %s", w, sec, list);
}

static int is_section(const char *sec)
{
    for (const char *const *p = scn__sections(); *p; p++)
        if (strcmp(*p, sec) == 0)
            return 1;
    return 0;
}

/* "*f" applied to the key's current value, as text the setter parses. */
static int scale(struct ld *L, const struct scn_keydef *k, int ki, const char *key,
                 const char *val, char *out, size_t n)
{
    struct scn *s = L->s;
    double f, cur;
    if (k->type != SCN_KT_INT && k->type != SCN_KT_DOUBLE)
        return err_set(L->e, "override [%s] %s: '%s': only numeric keys can be scaled "
                       "(this one expects %s)", k->section, key, val,
                       k->type == SCN_KT_U64 ? "an unsigned 64-bit integer" : "no number");
    if (scn__parse_double(val + 1, &f) < 0)
        return err_set(L->e, "override [%s] %s: expected '*' and a number (a factor), got "
                       "'%s'", k->section, key, val);
    if (k->impl->hook == KH_MODE) {
        int i = 0;
        while (i < s->n_modes && strcmp(s->modes[i].name, key) != 0)
            i++;
        if (i == s->n_modes)
            return err_set(L->e, "override [modes] %s: '%s' scales a mode, but the scenario "
                           "has no mode '%s'", key, val, key);
        cur = s->modes[i].speed_kmh;
    } else {
        if (!L->pv->kline[ki] && !k->dflt)
            return err_set(L->e, "override [%s] %s: '%s' scales the scenario's value, but it "
                           "sets none and the key has no default", k->section, key, val);
        void *fld = scn__key_field(s, k);
        cur = k->type == SCN_KT_INT ? *(int *)fld : *(double *)fld;
    }
    double v = cur * f;
    if (k->type == SCN_KT_INT) {
        /* Rounded to the nearest integer, halves away from zero; the range
         * check of the setter follows. */
        if (!(fabs(v) < 1e15))
            return err_set(L->e, "override [%s] %s: %.15g x %.15g is out of range", k->section,
                           key, cur, f);
        snprintf(out, n, "%.0f", round(v));
    } else {
        snprintf(out, n, "%.17g", v);
    }
    return 0;
}

int scn__set_key(struct ld *L, const char *sec, const char *key, const char *val, int line)
{
    struct scn *s = L->s;
    char w[1024];
    scn__where(s, line, w, sizeof w);
    if (!is_section(sec))
        return unknown_section(L, w, sec, key);
    int ki = scn__key_index(sec, key);
    if (ki < 0) {
        char list[1024];    /* [replay] alone has 32 keys */
        size_t used = 0;
        list[0] = '\0';
        for (int j = 0; j < scn_n_keys; j++)
            if (strcmp(scn_keys[j].section, sec) == 0) {
                int m = snprintf(list + used, sizeof list - used, "%s%s", used ? ", " : "",
                                 scn_keys[j].name);
                if (m > 0 && (size_t)m < sizeof list - used)
                    used += (size_t)m;
            }
        return err_set(L->e, "%s[%s] unknown key '%s'; accepted keys: %s", w, sec, key, list);
    }
    const struct scn_keydef *k = &scn_keys[ki];
    int *kl = &L->pv->kline[ki];

    if (line < 0 && val[0] == '*') {
        char buf[64];
        if (scale(L, k, ki, key, val, buf, sizeof buf) < 0)
            return -1;
        if (scn__set_key(L, sec, key, buf, line) < 0) {
            size_t m = strlen(L->e->msg);
            snprintf(L->e->msg + m, sizeof L->e->msg - m, " (from '%s')", val);
            return -1;
        }
        return 0;
    }

    if (*kl > 0 && line > 0 && !(k->flags & SCN_KF_ANY_NAME)) {
        /* inih reports an indented continuation line as the same key again:
         * a text that may continue takes it, every other key is an error. */
        if (k->flags & SCN_KF_CONT) {
            int b = scn__utf8_bad(val);
            if (b >= 0)
                return err_set(L->e, "%s[%s] %s: invalid UTF-8 byte 0x%02x (save the file "
                               "as UTF-8)", w, sec, key, (unsigned)b);
            char **f = scn__key_field(s, k);
            size_t n0 = strlen(*f), n1 = strlen(val);
            char *d = scn__a_alloc(L->a, n0 + n1 + 2);
            memcpy(d, *f, n0);
            d[n0] = '\n';
            memcpy(d + n0 + 1, val, n1 + 1);
            *f = d;
            return 0;
        }
        return err_set(L->e, "%s[%s] %s: given twice (first at line %d)", w, sec, key, *kl);
    }
    if (store(L, k, key, val, line, w) < 0)
        return -1;
    *kl = line;
    return 0;
}

static void apply_defaults(struct ld *L)
{
    char w[8] = "";
    for (int k = 0; k < scn_n_keys; k++)
        if (scn_keys[k].dflt)
            PS_ASSERT(store(L, &scn_keys[k], scn_keys[k].name, scn_keys[k].dflt, 0, w) == 0);
}

/* Organisational scope words of [dispatch] levels (enum lvl_scope order). */
static const char *const scope_words[] = { "any", "group", "team", "station", "zone", NULL };

static int scope_find(const char *w, size_t len)
{
    for (int i = 0; scope_words[i]; i++)
        if (strlen(scope_words[i]) == len && strncmp(scope_words[i], w, len) == 0)
            return i;
    return -1;
}

/* Whether every word of v is a scope word: then `group, team, any` lists
 * one level per word (no '|' needed). */
static bool all_scopes(const char *v)
{
    int n = 0;
    for (const char *p = v;;) {
        while (scn__is_sep(*p))
            p++;
        if (!*p)
            return n > 0;
        const char *q = p;
        while (*q && !scn__is_sep(*q))
            q++;
        if (scope_find(p, (size_t)(q - p)) < 0)
            return false;
        n++;
        p = q;
    }
}

/* One level: roles and at most one scope word; no role means every role. */
static int parse_level(struct ld *L, const char *w, const char *buf, int i, unsigned *mask,
                       int *scope)
{
    *mask = 0;
    *scope = SCOPE_ANY;
    int n = 0, nscope = 0;
    for (const char *p = buf;;) {
        while (scn__is_sep(*p))
            p++;
        if (!*p)
            break;
        const char *q = p;
        while (*q && !scn__is_sep(*q))
            q++;
        int sc = scope_find(p, (size_t)(q - p)), r = scn__role_find(p, (size_t)(q - p));
        if (sc >= 0) {
            if (nscope++)
                return err_set(L->e, "%s[dispatch] levels: level %d names two scopes; a level "
                               "has at most one of any, group, team, station, zone", w, i + 1);
            *scope = sc;
        } else if (r >= 0) {
            *mask |= 1u << r;
        } else {
            return err_set(L->e, "%s[dispatch] levels: unknown role or scope '%.*s' in level "
                           "%d; expected " ROLE_LIST ", or a scope: any, group, team, station, "
                           "zone", w, (int)(q - p), p, i + 1);
        }
        n++;
        p = q;
    }
    if (!n)
        return err_set(L->e, "%s[dispatch] levels: level %d is empty; expected roles "
                       "separated by spaces and levels by '|', got '%s'", w, i + 1,
                       L->pv->raw.levels);
    if (!*mask)
        *mask = (1u << ROLE_N) - 1;
    return 0;
}

/* [dispatch] levels and escalate_min, once the whole file and the overrides
 * are in (either may come first).  A level is a role mask and an
 * organisational scope (docs/policing-model.md, Dispatch). */
static int parse_levels(struct ld *L)
{
    struct scn *s = L->s;
    const struct scn_raw *raw = &L->pv->raw;
    char w[1024];
    bool by_word = raw->levels && !strchr(raw->levels, '|') && all_scopes(raw->levels);
    int n = 1;
    if (by_word) {
        n = 0;
        for (const char *p = raw->levels;;) {
            while (scn__is_sep(*p))
                p++;
            if (!*p)
                break;
            n++;
            while (*p && !scn__is_sep(*p))
                p++;
        }
    } else {
        for (const char *p = raw->levels ? raw->levels : ""; *p; p++)
            n += *p == '|';
    }
    s->levels = scn__a_alloc(L->a, (size_t)n * sizeof *s->levels);
    s->level_scope = scn__a_zalloc(L->a, (size_t)n * sizeof *s->level_scope);
    s->escalate_min = scn__a_alloc(L->a, (size_t)n * sizeof *s->escalate_min);
    s->n_levels = n;
    for (int i = 0; i < n; i++)
        s->escalate_min[i] = INFINITY;
    if (!raw->levels) {
        s->levels[0] = (1u << ROLE_N) - 1;
    } else {
        scn__where(s, scn__key_line(s, "dispatch", "levels"), w, sizeof w);
        const char *p = raw->levels;
        for (int i = 0; i < n; i++) {
            size_t len;
            if (by_word) {
                while (scn__is_sep(*p))
                    p++;
                len = 0;
                while (p[len] && !scn__is_sep(p[len]))
                    len++;
            } else {
                const char *q = strchr(p, '|');
                len = q ? (size_t)(q - p) : strlen(p);
            }
            char buf[256];
            snprintf(buf, sizeof buf, "%.*s", (int)len, p);
            if (parse_level(L, w, buf, i, &s->levels[i], &s->level_scope[i]) < 0)
                return -1;
            p += len + (!by_word && p[len] == '|');
        }
    }
    if (raw->escalate) {
        scn__where(s, scn__key_line(s, "dispatch", "escalate_min"), w, sizeof w);
        int k = 0;
        const char *p = raw->escalate;
        for (;;) {
            while (scn__is_sep(*p) || *p == '|')
                p++;
            if (!*p)
                break;
            const char *q = p;
            while (*q && !scn__is_sep(*q) && *q != '|')
                q++;
            char num[64];
            double v = 0;
            int ok = (size_t)(q - p) < sizeof num;
            if (ok) {
                memcpy(num, p, (size_t)(q - p));
                num[q - p] = '\0';
                ok = scn__parse_double(num, &v) == 0 && v > 0;
            }
            if (!ok || k >= n - 1)
                return err_set(L->e, "%s[dispatch] escalate_min: expected %d number%s > 0 "
                               "(minutes, one per level but the last), got '%s'", w, n - 1,
                               n - 1 == 1 ? "" : "s", raw->escalate);
            s->escalate_min[k++] = v;
            p = q;
        }
        if (k != n - 1)
            return err_set(L->e, "%s[dispatch] escalate_min: expected %d number%s > 0 "
                           "(minutes, one per level but the last), got '%s'", w, n - 1,
                           n - 1 == 1 ? "" : "s", raw->escalate);
    }
    return 0;
}

static int on_ini(void *user, const char *sec, const char *key, const char *val, int lineno)
{
    struct ld *L = user;
    if (L->failed)
        return 1;               /* keep the first message; inih keeps the first line */
    if (scn__set_key(L, sec, key, val ? val : "", lineno > 0 ? lineno : 1) < 0) {
        L->failed = 1;
        L->fail_line = lineno;
        return 0;
    }
    return 1;
}

int scn__load_ini(struct ld *L, const struct scn_override *ov, int n_ov)
{
    struct scn *s = L->s;
    L->pv->kline = scn__a_zalloc(L->a, (size_t)scn_n_keys * sizeof *L->pv->kline);
    s->streams = scn__streams_new(s);
    apply_defaults(L);

    FILE *f = fopen(L->ini_path, "r");
    if (!f)
        return err_sys(L->e, "%s: cannot open", L->ini_path);
    scn__input_add(s, L->ini_path);
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
        if (is_section(ov[i].section)) {
            if (scn__set_key(L, ov[i].section, ov[i].key, ov[i].value, -1) < 0)
                return -1;
        } else if (scn__ov_cell(L, &ov[i]) < 0) {
            return -1;
        }
    }

    for (int k = 0; k < scn_n_keys; k++)
        if ((scn_keys[k].flags & SCN_KF_REQUIRED) && !L->pv->kline[k])
            return err_set(L->e, "%s: [%s] %s is required", L->ini_path, scn_keys[k].section,
                           scn_keys[k].name);
    if (!scn__key_line(s, "incidents", "rate_per_day") && strcmp(s->source, "replay") != 0)
        return err_set(L->e, "%s: [incidents] rate_per_day is required (except with "
                       "source = replay)", L->ini_path);
    if (s->n_modes == 0)
        return err_set(L->e, "%s: [modes] needs at least one mode (name = speed_kmh, "
                       "e.g. car = 40)", L->ini_path);
    if (parse_levels(L) < 0)
        return -1;
    if ((s->cp_dist == SVC_LOGNORMAL || s->cp_dist == SVC_GAMMA) && s->cp_mean_min > 0 &&
        !scn__key_line(s, "dispatch", "call_processing_sd_min")) {
        char w[1024];
        scn__where(s, scn__key_line(s, "dispatch", "call_processing"), w, sizeof w);
        return err_set(L->e, "%s[dispatch] call_processing: a %s delay needs "
                       "call_processing_sd_min", w,
                       s->cp_dist == SVC_GAMMA ? "gamma" : "lognormal");
    }
    if (!(s->warmup_days < s->horizon_days)) {
        char w[1024];
        const char *key = scn__key_line(s, "run", "warmup_days") ? "warmup_days" : "horizon_days";
        scn__where(s, scn__key_line(s, "run", key), w, sizeof w);
        return err_set(L->e, "%s[run] %s: warmup_days (%.15g) must be less than "
                       "horizon_days (%.15g)", w, key, s->warmup_days, s->horizon_days);
    }
    struct inc_streams *c = s->streams;
    c->start_set = scn__key_line(s, "incidents", "start") != 0;
    c->origin_lat_set = scn__key_line(s, "geo", "origin_lat") != 0;
    c->origin_lon_set = scn__key_line(s, "geo", "origin_lon") != 0;
    return 0;
}
