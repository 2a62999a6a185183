/* ts.c - integer calendar arithmetic and strict timestamp parsers.
 *
 * Day numbers use H. Hinnant's days_from_civil / civil_from_days
 * algorithms (public domain, exact over the whole int64 range we use):
 * the year is shifted to start in March so the leap day is the last day of
 * the year, and a 400-year era has exactly 146097 days.
 *
 * Parsers walk the bytes once with fixed-width digit reads; a replay of a
 * CAD export calls them once or several times per row, so they avoid
 * sscanf/strtol and any locale or time zone lookup.
 */
#include <stdio.h>
#include "ts.h"

static int64_t days_from_civil(int64_t y, int m, int d)
{
    y -= m <= 2;
    int64_t era = (y >= 0 ? y : y - 399) / 400;
    int64_t yoe = y - era * 400;
    int64_t doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
    int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

int64_t ts_from_civil(int y, int mon, int d, int h, int mi, int s, int ms)
{
    return days_from_civil(y, mon, d) * TS_MS_DAY + h * TS_MS_HOUR + mi * TS_MS_MIN +
           s * 1000LL + ms;
}

static int64_t floor_div(int64_t a, int64_t b)
{
    int64_t q = a / b;
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q;
}

void ts_to_civil(int64_t t, struct ts_civil *c)
{
    int64_t z = floor_div(t, TS_MS_DAY);
    int64_t rem = t - z * TS_MS_DAY;
    c->wday = (int)(((z + 3) % 7 + 7) % 7);   /* 1970-01-01 was a Thursday */
    z += 719468;
    int64_t era = (z >= 0 ? z : z - 146096) / 146097;
    int64_t doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
    int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153;
    c->d = (int)(doy - (153 * mp + 2) / 5 + 1);
    c->mon = (int)(mp < 10 ? mp + 3 : mp - 9);
    c->y = (int)(yoe + era * 400 + (c->mon <= 2));
    c->h = (int)(rem / TS_MS_HOUR);
    c->mi = (int)(rem / TS_MS_MIN % 60);
    c->s = (int)(rem / 1000 % 60);
    c->ms = (int)(rem % 1000);
}

static int is_leap(int y)
{
    return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
}

static int month_days(int y, int m)
{
    static const unsigned char n[12] = { 31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31 };
    return m == 2 && is_leap(y) ? 29 : n[m - 1];
}

/* Reads exactly k digits at *p; -1 if any is not a digit. */
static int digits(const char **p, int k)
{
    int v = 0;
    for (int i = 0; i < k; i++) {
        unsigned c = (unsigned char)(*p)[i] - '0';
        if (c > 9)
            return -1;
        v = v * 10 + (int)c;
    }
    *p += k;
    return v;
}

static int valid_date(int y, int m, int d)
{
    return m >= 1 && m <= 12 && d >= 1 && d <= month_days(y, m);
}

/* HH:MM[:SS[.f...]] at *p; advances *p.  allow_frac: fractional seconds. */
static int parse_clock(const char **p, int allow_frac, int64_t *out)
{
    int h = digits(p, 2);
    if (h < 0 || h > 23 || **p != ':')
        return -1;
    (*p)++;
    int mi = digits(p, 2);
    if (mi < 0 || mi > 59)
        return -1;
    int s = 0, ms = 0;
    if (**p == ':') {
        (*p)++;
        s = digits(p, 2);
        if (s < 0 || s > 59)
            return -1;
        if (**p == '.' && allow_frac) {
            (*p)++;
            /* Up to 9 digits, rounded half up to the millisecond. */
            int n = 0;
            int64_t frac = 0;
            while (**p >= '0' && **p <= '9' && n < 9) {
                frac = frac * 10 + (**p - '0');
                (*p)++;
                n++;
            }
            if (n == 0)
                return -1;
            for (int i = n; i < 9; i++)
                frac *= 10;
            ms = (int)((frac + 500000) / 1000000);
            /* 59.9996 s rounds into the next minute: carry through the
             * integer sum below rather than special-casing it. */
        }
    }
    *out = h * TS_MS_HOUR + mi * TS_MS_MIN + s * 1000LL + ms;
    return 0;
}

int ts_parse_offset(const char *s, int *out)
{
    const char *p = s;
    if ((p[0] == 'Z' || p[0] == 'z') && !p[1]) {
        *out = 0;
        return 0;
    }
    if (p[0] == 'U' && p[1] == 'T' && p[2] == 'C') {
        p += 3;
        if (!*p) {
            *out = 0;
            return 0;
        }
    }
    int sign = *p == '+' ? 1 : *p == '-' ? -1 : 0;
    if (!sign)
        return -1;
    p++;
    int h = digits(&p, 2), m = 0;
    if (h < 0 || h > 18)
        return -1;
    if (*p == ':')
        p++;
    if (*p) {
        m = digits(&p, 2);
        if (m < 0 || m > 59 || *p)
            return -1;
    }
    *out = sign * (h * 60 + m);
    return 0;
}

int ts_parse_iso(const char *s, int64_t *out, int *off_min)
{
    const char *p = s;
    int y = digits(&p, 4);
    if (y < 0 || *p++ != '-')
        return -1;
    int m = digits(&p, 2);
    if (m < 0 || *p++ != '-')
        return -1;
    int d = digits(&p, 2);
    if (d < 0 || !valid_date(y, m, d))
        return -1;
    int64_t clock = 0;
    if (*p == 'T' || *p == ' ') {
        p++;
        if (parse_clock(&p, 1, &clock) < 0)
            return -1;
    }
    int off = INT32_MIN;
    if (*p && ts_parse_offset(p, &off) < 0)
        return -1;
    *out = days_from_civil(y, m, d) * TS_MS_DAY + clock;
    *off_min = off;
    return 0;
}

int ts_parse_mdy(const char *s, int64_t *out)
{
    const char *p = s;
    int m = digits(&p, 2);
    if (m < 0 || *p++ != '/')
        return -1;
    int d = digits(&p, 2);
    if (d < 0 || *p++ != '/')
        return -1;
    const char *q = p;
    int y = digits(&q, 4);
    if (y >= 0 && !*q) {
        p = q;
    } else {
        y = digits(&p, 2);
        if (y < 0 || *p)
            return -1;
        y += y < 69 ? 2000 : 1900;
    }
    if (!valid_date(y, m, d))
        return -1;
    *out = days_from_civil(y, m, d) * TS_MS_DAY;
    return 0;
}

int ts_parse_hms(const char *s, int64_t *out)
{
    const char *p = s;
    int64_t v;
    if (parse_clock(&p, 0, &v) < 0 || *p)
        return -1;
    *out = v;
    return 0;
}

int ts_parse_epoch(const char *s, int64_t *out)
{
    const char *p = s;
    int neg = *p == '-';
    if (neg)
        p++;
    int64_t sec = 0;
    int n = 0;
    while (*p >= '0' && *p <= '9') {
        if (++n > 15)
            return -1;          /* beyond any plausible date; avoids overflow */
        sec = sec * 10 + (*p++ - '0');
    }
    if (n == 0)
        return -1;
    int64_t ms = 0;
    if (*p == '.') {
        p++;
        int k = 0;
        while (*p >= '0' && *p <= '9' && k < 3) {
            ms = ms * 10 + (*p++ - '0');
            k++;
        }
        if (k == 0 || *p)
            return -1;
        while (k++ < 3)
            ms *= 10;
    }
    if (*p)
        return -1;
    int64_t v = sec * 1000 + ms;
    *out = neg ? -v : v;
    return 0;
}

size_t ts_format(int64_t t, int with_ms, char *buf)
{
    struct ts_civil c;
    ts_to_civil(t, &c);
    int n = with_ms ? snprintf(buf, TS_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d.%03d", c.y,
                               c.mon, c.d, c.h, c.mi, c.s, c.ms)
                    : snprintf(buf, TS_ISO_MAX, "%04d-%02d-%02dT%02d:%02d:%02d", c.y, c.mon,
                               c.d, c.h, c.mi, c.s);
    return n > 0 ? (size_t)n : 0;
}

/* ---- time zones ------------------------------------------------------------------
 *
 * The table: transition instants t[0..n) (UTC ms, increasing) and offsets
 * off[0..n] in seconds, off[i] in force before t[i] and off[i + 1] after it
 * (off[0] before the first: the file's time type 0, RFC 8536 3.2).
 * Transitions that keep the offset (a change of abbreviation only) are
 * dropped on load.  lkey[i] = t[i] + max(off[i], off[i + 1]) is the local
 * time at which transition i is over on the wall clock in both directions;
 * it orders local lookups (ts_zone_to_utc). */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include "err.h"

struct ts_zone {
    char name[96];
    int n;
    int64_t *t, *lkey;
    int *off;
    int64_t valid_until;
};

static struct ts_zone *zone_alloc(int n)
{
    struct ts_zone *z = calloc(1, sizeof *z);
    if (!z)
        return NULL;
    z->t = malloc((size_t)(n ? n : 1) * sizeof *z->t);
    z->lkey = malloc((size_t)(n ? n : 1) * sizeof *z->lkey);
    z->off = malloc((size_t)(n + 1) * sizeof *z->off);
    if (!z->t || !z->lkey || !z->off) {
        ts_zone_free(z);
        return NULL;
    }
    z->valid_until = INT64_MAX;
    return z;
}

void ts_zone_free(struct ts_zone *z)
{
    if (!z)
        return;
    free(z->t);
    free(z->lkey);
    free(z->off);
    free(z);
}

struct ts_zone *ts_zone_fixed(int off_min)
{
    struct ts_zone *z = zone_alloc(0);
    PS_ASSERT(z);
    z->off[0] = off_min * 60;
    int a = off_min < 0 ? -off_min : off_min;
    snprintf(z->name, sizeof z->name, "UTC%c%02d:%02d", off_min < 0 ? '-' : '+', a / 60, a % 60);
    return z;
}

const char *ts_zone_name(const struct ts_zone *z)
{
    return z->name;
}

int64_t ts_zone_valid_until(const struct ts_zone *z)
{
    return z->valid_until;
}

static int64_t be(const unsigned char *p, int k)
{
    uint64_t v = 0;
    for (int i = 0; i < k; i++)
        v = v << 8 | p[i];
    if (k == 4)
        return (int32_t)(uint32_t)v;
    return (int64_t)v;
}

/* Names as the tz database spells them: components of letters, digits and
 * "_+-.", separated by single '/', none starting with '.' or '-' (so no way
 * out of the zone folder). */
static int zone_name_ok(const char *s)
{
    size_t n = strlen(s);
    if (n == 0 || n >= 80 || s[0] == '/' || s[n - 1] == '/')
        return 0;
    for (const char *p = s; *p; p++) {
        int c = (unsigned char)*p;
        int ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
                 c == '_' || c == '+' || c == '-' || c == '/' || c == '.';
        int first = p == s || p[-1] == '/';
        if (!ok || (c == '/' && p[1] == '/') || (first && (c == '-' || c == '.')))
            return 0;
    }
    return 1;
}

/* Version 2+ TZif data: the 64-bit block after the version 1 one. */
static struct ts_zone *parse_tzif(const unsigned char *b, size_t len, const char *path,
                                  struct perr *e)
{
#define BAD(what) \
    do { \
        err_set(e, "%s: not a valid TZif time zone file (%s)", path, what); \
        return NULL; \
    } while (0)
    if (len < 44 || memcmp(b, "TZif", 4) != 0)
        BAD("no TZif header");
    if (b[4] < '2')
        BAD("version 1 only; 64-bit data needed");
    size_t cnt[6];
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be(b + 20 + 4 * i, 4);
    /* isutcnt, isstdcnt, leapcnt, timecnt, typecnt, charcnt */
    size_t v1 = cnt[3] * 5 + cnt[4] * 6 + cnt[5] + cnt[2] * 8 + cnt[1] + cnt[0];
    if (44 + v1 + 44 > len)
        BAD("truncated");
    const unsigned char *h = b + 44 + v1;
    if (memcmp(h, "TZif", 4) != 0)
        BAD("no second header");
    for (int i = 0; i < 6; i++)
        cnt[i] = (size_t)(uint32_t)be(h + 20 + 4 * i, 4);
    size_t timecnt = cnt[3], typecnt = cnt[4];
    if (cnt[2])
        BAD("leap-second (\"right/\") zones are not supported");
    if (typecnt == 0 || typecnt > 256 || timecnt > 100000)
        BAD("implausible counts");
    size_t need = timecnt * 9 + typecnt * 6 + cnt[5] + cnt[1] + cnt[0];
    if ((size_t)(h + 44 - b) + need > len)
        BAD("truncated");
    const unsigned char *pt = h + 44, *pi = pt + timecnt * 8, *ty = pi + timecnt;
    const unsigned char *footer = ty + typecnt * 6 + cnt[5] + cnt[1] + cnt[0];
    int type_off[256];
    for (size_t i = 0; i < typecnt; i++) {
        int64_t o = be(ty + 6 * i, 4);
        if (o <= -25 * 3600 || o >= 26 * 3600)
            BAD("offset out of range");
        type_off[i] = (int)o;
    }
    struct ts_zone *z = zone_alloc((int)timecnt);
    if (!z) {
        err_set(e, "%s: out of memory", path);
        return NULL;
    }
    z->off[0] = type_off[0];
    int n = 0;
    int64_t prev = INT64_MIN;
    for (size_t i = 0; i < timecnt; i++) {
        int64_t t = be(pt + 8 * i, 8);
        if (pi[i] >= typecnt || t <= prev || t > INT64_MAX / 2000 || t < INT64_MIN / 2000) {
            ts_zone_free(z);
            BAD(pi[i] >= typecnt ? "bad type index" : "transitions out of order or range");
        }
        prev = t;
        int o = type_off[pi[i]];
        if (o == z->off[n])
            continue;
        z->t[n] = t * 1000;
        z->off[n + 1] = o;
        int hi = o > z->off[n] ? o : z->off[n];
        z->lkey[n] = z->t[n] + hi * 1000LL;
        n++;
    }
    z->n = n;
    /* A footer rule with a DST part ("PST8PDT,M3.2.0,M11.1.0") governs times
     * after the last transition; a "fat" file lists them to 2037, a "slim"
     * one stops early.  Either way instants past the table are refused. */
    size_t flen = (size_t)(b + len - footer);
    if (flen > 1 && footer[0] == '\n' && memchr(footer + 1, ',', flen - 1))
        z->valid_until = timecnt ? (prev + 1) * 1000 : INT64_MIN;
    return z;
#undef BAD
}

struct ts_zone *ts_zone_load(const char *name, struct perr *e)
{
    if (!zone_name_ok(name)) {
        err_set(e, "'%s' is not a time zone name; expected a tz database name such as "
                "America/Los_Angeles (Area/City), UTC or Etc/GMT+8", name);
        return NULL;
    }
    const char *dir = getenv("TZDIR");
    if (!dir || !*dir)
        dir = "/usr/share/zoneinfo";
    char path[512];
    snprintf(path, sizeof path, "%s/%s", dir, name);
    FILE *fp = fopen(path, "rb");
    if (!fp) {
        int err = errno;
        err_set(e, "time zone '%s': cannot open %s: %s (%s)", name, path, strerror(err),
                err == ENOENT ? "no such zone; names are case-sensitive Area/City, e.g. "
                                "America/Los_Angeles; is the tzdata package installed?"
                              : "check the tz database");
        return NULL;
    }
    enum { CAP = 1 << 17 };         /* the largest zone files are under 4 KB fat */
    unsigned char *buf = malloc(CAP);
    if (!buf) {
        fclose(fp);
        err_set(e, "%s: out of memory", path);
        return NULL;
    }
    size_t len = fread(buf, 1, CAP, fp);
    int rerr = ferror(fp), big = !feof(fp);
    fclose(fp);
    if (rerr || big) {
        free(buf);
        err_set(e, "%s: %s", path, rerr ? "read error" : "too large for a TZif file");
        return NULL;
    }
    struct ts_zone *z = parse_tzif(buf, len, path, e);
    free(buf);
    if (z)
        snprintf(z->name, sizeof z->name, "%s", name);
    return z;
}

/* Number of transitions at or before utc. */
static int upto(const struct ts_zone *z, int64_t utc)
{
    int lo = 0, hi = z->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (z->t[mid] <= utc)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int ts_zone_offset(const struct ts_zone *z, int64_t utc_ms)
{
    return z->off[upto(z, utc_ms)];
}

int64_t ts_zone_to_local(const struct ts_zone *z, int64_t utc_ms)
{
    int k = upto(z, utc_ms);
    /* A fall-back j of d ms: real [t - d, t + d) -> local [t + after, t + before). */
    for (int j = k - 1; j <= k; j++) {
        if (j < 0 || j >= z->n)
            continue;
        int64_t d = (int64_t)(z->off[j] - z->off[j + 1]) * 1000;
        if (d > 0 && utc_ms >= z->t[j] - d && utc_ms < z->t[j] + d)
            return z->t[j] + z->off[j + 1] * 1000LL + (utc_ms - (z->t[j] - d)) / 2;
    }
    return utc_ms + z->off[k] * 1000LL;
}

/* The first transition not yet over on the wall clock at local_ms: its
 * "before" offset is in force (or, inside it, taken by rule). */
static int pending(const struct ts_zone *z, int64_t local_ms)
{
    int lo = 0, hi = z->n;
    while (lo < hi) {
        int mid = lo + (hi - lo) / 2;
        if (z->lkey[mid] <= local_ms)
            lo = mid + 1;
        else
            hi = mid;
    }
    return lo;
}

int64_t ts_zone_to_utc(const struct ts_zone *z, int64_t local_ms)
{
    return local_ms - z->off[pending(z, local_ms)] * 1000LL;
}

int64_t ts_zone_to_utc_late(const struct ts_zone *z, int64_t local_ms)
{
    int j = pending(z, local_ms);
    if (j < z->n && z->off[j] > z->off[j + 1] && local_ms >= z->t[j] + z->off[j + 1] * 1000LL)
        return local_ms - z->off[j + 1] * 1000LL;
    return local_ms - z->off[j] * 1000LL;
}
