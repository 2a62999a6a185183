/* scn_num.c - the one number parser of the scenario loader.
 *
 * scenario.ini keys, every scenario CSV table, the stream tables and the
 * scaling overrides ("*1.2") all read numbers here, so "1,5", "2.5km",
 * "inf", "nan" and hex floats are refused everywhere alike, and every
 * message describes a range the same way.
 */
#include <errno.h>
#include <math.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"

/* The common plain decimal, [+-]digits[.digits], read without strtod
 * when its digits as an integer m fit 2^53 and it has at most 22 of them
 * after the point (k): m and 10^k are then exact doubles, and the one
 * correctly rounded division m / 10^k is the correctly rounded value of
 * the text, strtod's (Clinger's fast path).  A table of 16,384 grids has
 * 65,536 numbers; strtod took about 380 instructions each.  0: not such
 * a number (strtod reads it). */
static int plain_decimal(const char *s, double *out)
{
    static const double p10[23] = { 1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                    1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                    1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22 };
    const char *p = s;
    bool neg = *p == '-';
    p += *p == '-' || *p == '+';
    uint64_t m = 0;
    int digits = 0, k = -1;     /* k: digits after the point, -1 before it */
    for (;; p++) {
        if (*p >= '0' && *p <= '9') {
            if (++digits > 19)  /* m could wrap; strtod */
                return 0;
            m = m * 10 + (uint64_t)(*p - '0');
            k += k >= 0;
        } else if (*p == '.' && k < 0) {
            k = 0;
        } else {
            break;
        }
    }
    if (*p || digits == 0 || m > (uint64_t)1 << 53 || k > 22)
        return 0;
    double v = (double)m / p10[k > 0 ? k : 0];
    *out = neg ? -v : v;
    return 1;
}

int scn__parse_double(const char *s, double *out)
{
    if (!*s)
        return -1;
    if (plain_decimal(s, out))
        return 0;
    for (const char *p = s; *p; p++)
        if (!((*p >= '0' && *p <= '9') || *p == '+' || *p == '-' || *p == '.' ||
              *p == 'e' || *p == 'E'))
            return -1;
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    /* Underflow to a tiny value is fine; overflow to HUGE_VAL is not. */
    if (*end || !isfinite(v) || (errno == ERANGE && fabs(v) > 1))
        return -1;
    *out = v;
    return 0;
}

int scn__parse_long(const char *s, long *out)
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

int scn__in_range(double v, struct range r)
{
    return (r.lo_open ? v > r.lo : v >= r.lo) && (r.hi_open ? v < r.hi : v <= r.hi);
}

void scn__range_desc(char *buf, size_t n, const char *what, struct range r)
{
    int has_lo = r.lo != -INFINITY, has_hi = r.hi != INFINITY;
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

int scn__utf8_bad(const char *str)
{
    return csvr_utf8_bad((const unsigned char *)str, strlen(str));
}

int scn__csv_double(const struct csvr *r, int col, const char *name, double lo,
                    double hi, double *out, struct perr *e)
{
    const char *s = csvr_get(r, col);
    double v;
    struct range rg = { lo, hi, 0, 0 };
    if (scn__parse_double(s, &v) < 0 || !scn__in_range(v, rg)) {
        char what[128];
        scn__range_desc(what, sizeof what, "a number", rg);
        return csvr_error(r, col, name, e, "expected %s, got '%s'", what, s);
    }
    *out = v;
    return 0;
}

int scn__csv_int(const struct csvr *r, int col, const char *name, long lo, long hi,
                 long *out, struct perr *e)
{
    const char *s = csvr_get(r, col);
    long v;
    if (scn__parse_long(s, &v) < 0 || v < lo || v > hi)
        return csvr_error(r, col, name, e, "expected an integer in [%ld, %ld], got '%s'",
                          lo, hi, s);
    *out = v;
    return 0;
}
