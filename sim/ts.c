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
