/* ts.h - calendar timestamps: parsing and formatting without the C library's
 * time zone machinery.
 *
 * A timestamp is an int64 count of milliseconds since 1970-01-01 00:00 on a
 * proleptic Gregorian calendar, in local civil time.  The parsers and
 * ts_from_civil/ts_to_civil know no time zone; struct ts_zone below converts
 * between such local values and UTC instants, daylight saving included.
 * Converting through integers instead of mktime/strptime keeps parsing at
 * tens of millions of fields per second, independent of TZ and locale, and
 * makes every conversion exact: a value formatted with ts_format and parsed
 * back is the same integer.
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

/* ---- time zones ------------------------------------------------------------
 *
 * A struct ts_zone is the UTC-offset history of one place: a fixed offset
 * (ts_zone_fixed), or a tz database zone read from its TZif file
 * (ts_zone_load; /usr/share/zoneinfo, or $TZDIR).  The file is parsed into a
 * table of transitions once; lookups are binary searches that touch no
 * process-global state (no TZ, tzset or localtime), so a zone may be shared
 * read-only between threads.  Offsets are kept in seconds, as the file has
 * them.
 *
 * "Local" values are civil clock readings in the ts_from_civil encoding.
 * The simulated clock is the local one (hour 7 of a day is 07:00 on the wall,
 * summer and winter), so two rules cover the hours a DST change disturbs:
 *   - ts_zone_to_local maps instants monotonically: at a fall-back the two
 *     real hours the clock shows as 01:00-02:00 (say) are both placed in the
 *     local 01:00-02:00, at half speed, so they keep their order and their
 *     hour label; at a spring-forward the skipped local hour receives nothing.
 *   - ts_zone_to_utc reads a local time with the offset in force just before
 *     the nearest transition when it falls in one: a time in the skipped hour
 *     (02:30 on a spring-forward night, written by a clock not yet moved) is
 *     02:30 standard time, i.e. 03:30 daylight time; a time in the repeated
 *     hour is its first occurrence (daylight time).
 */
struct ts_zone;

/* A zone of one fixed offset, minutes east of UTC; never NULL. */
struct ts_zone *ts_zone_fixed(int off_min);
/* The tz database zone `name` (Area/City such as America/Los_Angeles, or
 * UTC, Etc/GMT+8); NULL with e set when the name is malformed, the file is
 * missing or is not a valid TZif file. */
struct perr;
struct ts_zone *ts_zone_load(const char *name, struct perr *e);
void ts_zone_free(struct ts_zone *z);
/* "America/Los_Angeles", or "UTC-08:00" for a fixed zone. */
const char *ts_zone_name(const struct ts_zone *z);
/* Instants after this have no transitions in the file; a file built "slim"
 * leaves later ones to a rule this reader does not evaluate, so callers
 * refuse instants beyond it (INT64_MAX: the table is complete). */
int64_t ts_zone_valid_until(const struct ts_zone *z);
/* UTC offset in seconds in force at instant utc_ms (ms since the epoch). */
int ts_zone_offset(const struct ts_zone *z, int64_t utc_ms);
int64_t ts_zone_to_local(const struct ts_zone *z, int64_t utc_ms);
int64_t ts_zone_to_utc(const struct ts_zone *z, int64_t local_ms);
/* As ts_zone_to_utc, but a local time in a repeated hour is its second
 * occurrence (standard time); elsewhere the same. */
int64_t ts_zone_to_utc_late(const struct ts_zone *z, int64_t local_ms);

#endif
