/* ts.h - calendar timestamps: parsing and formatting without the C library's
 * time zone machinery.
 *
 * A timestamp is an int64 count of milliseconds since 1970-01-01 00:00 on a
 * proleptic Gregorian calendar, in one fixed local time (a UTC offset, no
 * daylight saving).  Converting through integers instead of mktime/strptime
 * keeps parsing at tens of millions of fields per second, independent of
 * TZ and locale, and makes every conversion exact: a value formatted with
 * ts_format and parsed back is the same integer.
 *
 * Parsers take a NUL-terminated field, accept nothing but the documented
 * form (no surrounding text, no out-of-range fields such as 24:00 or
 * 02/30), and return 0, or -1 without touching *out.
 */
#ifndef PATROLSIM_TS_H
#define PATROLSIM_TS_H

#include <stddef.h>
#include <stdint.h>

#define TS_MS_MIN   60000LL
#define TS_MS_HOUR  3600000LL
#define TS_MS_DAY   86400000LL

/* Milliseconds of the civil date-time; fields must be in range. */
int64_t ts_from_civil(int y, int mon, int d, int h, int mi, int s, int ms);

struct ts_civil {
    int y, mon, d;          /* mon 1..12, d 1..31 */
    int h, mi, s, ms;
    int wday;               /* 0 = Monday .. 6 = Sunday */
};
void ts_to_civil(int64_t t, struct ts_civil *c);

/* ISO 8601: YYYY-MM-DD, optionally followed by 'T' or one space and
 * HH:MM, HH:MM:SS or HH:MM:SS.f (1 to 9 digits, rounded to the
 * millisecond), optionally followed by Z or an offset +HH, +HHMM, +HH:MM.
 * *off_min receives the offset in minutes east of UTC, or INT32_MIN when
 * the text carries none. */
int ts_parse_iso(const char *s, int64_t *out, int *off_min);
/* MM/DD/YY or MM/DD/YYYY; midnight of that day.  Two-digit years are
 * 1969..2068 (POSIX strptime's %y rule). */
int ts_parse_mdy(const char *s, int64_t *out);
/* HH:MM or HH:MM:SS: milliseconds since midnight. */
int ts_parse_hms(const char *s, int64_t *out);
/* Seconds since 1970-01-01 00:00 UTC, optionally with up to 3 decimals
 * (a leading '-' is accepted). */
int ts_parse_epoch(const char *s, int64_t *out);
/* A UTC offset: Z, UTC, or [UTC]+HH[:MM] / -HHMM; minutes east of UTC. */
int ts_parse_offset(const char *s, int *out);

/* "YYYY-MM-DDTHH:MM:SS" plus ".mmm" when with_ms; returns the length.
 * buf needs TS_ISO_MAX bytes. */
#define TS_ISO_MAX 32
size_t ts_format(int64_t t, int with_ms, char *buf);

#endif
