/* test_tz.c - time zones (ts.h): the TZif reader against glibc's own
 * reading of the same files, and the two DST rules (monotone local clock at
 * a fall-back, the offset before the transition for local times inside one)
 * on America/Los_Angeles's changes of 2021-11-07 and 2022-03-13. */
#define _DEFAULT_SOURCE
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include "err.h"
#include "tcheck.h"
#include "ts.h"

#define MS 1000LL
#define H TS_MS_HOUR
#define M TS_MS_MIN

/* Local 2021-11-07 and 2022-03-13 at h:mi. */
static int64_t nov7(int h, int mi) { return ts_from_civil(2021, 11, 7, h, mi, 0, 0); }
static int64_t mar13(int h, int mi) { return ts_from_civil(2022, 3, 13, h, mi, 0, 0); }

/* Offsets agree with localtime_r's tm_gmtoff every 30 min over 2000-2030
 * (the test is single-threaded, so setting TZ here is safe). */
static void against_glibc(const char *name)
{
    struct perr e;
    struct ts_zone *z = ts_zone_load(name, &e);
    CHECK(z != NULL, "load %s: %s", name, z ? "" : e.msg);
    if (!z)
        return;
    setenv("TZ", name, 1);
    tzset();
    int bad = 0;
    long n = 0;
    for (int64_t s = 946684800; s < 1893456000; s += 1800, n++) {
        time_t t = (time_t)s;
        struct tm tm;
        localtime_r(&t, &tm);
        if (ts_zone_offset(z, s * MS) != tm.tm_gmtoff && bad++ < 3)
            CHECK(0, "%s at %lld: %d vs glibc %ld", name, (long long)s,
                  ts_zone_offset(z, s * MS), (long)tm.tm_gmtoff);
    }
    CHECK(bad == 0, "%s: offsets equal glibc's at %ld instants (%d differ)", name, n, bad);
    unsetenv("TZ");
    tzset();
    ts_zone_free(z);
}

int main(void)
{
    struct perr e;
    against_glibc("America/Los_Angeles");
    against_glibc("Europe/Berlin");
    against_glibc("Australia/Lord_Howe");       /* 30-minute DST */
    against_glibc("Asia/Kolkata");

    struct ts_zone *la = ts_zone_load("America/Los_Angeles", &e);
    CHECK(la != NULL, "load America/Los_Angeles");
    if (!la)
        return tc_done();
    CHECK_STR(ts_zone_name(la), "America/Los_Angeles");
    CHECK(ts_zone_valid_until(la) > ts_from_civil(2036, 1, 1, 0, 0, 0, 0),
          "the installed file lists transitions past 2036 (fat)");

    /* Fall-back: 2021-11-07 09:00Z, 01:59:59 PDT -> 01:00 PST. */
    int64_t fb = ts_from_civil(2021, 11, 7, 9, 0, 0, 0);
    CHECK_INT(ts_zone_offset(la, fb - 1), -7 * 3600);
    CHECK_INT(ts_zone_offset(la, fb), -8 * 3600);
    CHECK_INT(ts_zone_to_local(la, fb - 2 * H), nov7(0, 0));    /* 00:00 PDT, untouched */
    /* The two real hours shown as 01:xx fill local 01:00-02:00 at half speed. */
    CHECK_INT(ts_zone_to_local(la, fb - H), nov7(1, 0));        /* 01:00 PDT */
    CHECK_INT(ts_zone_to_local(la, fb - 30 * M), nov7(1, 15));  /* 01:30 PDT */
    CHECK_INT(ts_zone_to_local(la, fb), nov7(1, 30));           /* 01:00 PST */
    CHECK_INT(ts_zone_to_local(la, fb + 30 * M), nov7(1, 45));  /* 01:30 PST */
    CHECK_INT(ts_zone_to_local(la, fb + H), nov7(2, 0));        /* 02:00 PST */
    CHECK_INT(ts_zone_to_local(la, fb + 2 * H), nov7(3, 0));
    int mono = 1;
    for (int64_t t = fb - 3 * H; t < fb + 3 * H; t += 60 * MS)
        mono &= ts_zone_to_local(la, t + 60 * MS) > ts_zone_to_local(la, t);
    CHECK(mono, "local time increases minute by minute across the fall-back");
    /* A local time in the repeated hour is its first occurrence (PDT). */
    CHECK_INT(ts_zone_to_utc(la, nov7(1, 30)), fb - 30 * M);
    CHECK_INT(ts_zone_to_utc(la, nov7(0, 59)), fb - 61 * M);
    CHECK_INT(ts_zone_to_utc(la, nov7(2, 0)), fb + H);          /* 02:00 PST */
    /* ... or, asked for, its second (PST). */
    CHECK_INT(ts_zone_to_utc_late(la, nov7(1, 30)), fb + 30 * M);
    CHECK_INT(ts_zone_to_utc_late(la, nov7(1, 0)), fb);
    CHECK_INT(ts_zone_to_utc_late(la, nov7(0, 59)), fb - 61 * M);
    CHECK_INT(ts_zone_to_utc_late(la, nov7(2, 0)), fb + H);
    CHECK_INT(ts_zone_to_utc_late(la, mar13(2, 30)), ts_zone_to_utc(la, mar13(2, 30)));

    /* Spring-forward: 2022-03-13 10:00Z, 01:59:59 PST -> 03:00 PDT. */
    int64_t sf = ts_from_civil(2022, 3, 13, 10, 0, 0, 0);
    CHECK_INT(ts_zone_to_local(la, sf - M), mar13(1, 59));
    CHECK_INT(ts_zone_to_local(la, sf), mar13(3, 0));           /* 02:xx never shown */
    /* A local time in the skipped hour is read as standard time. */
    CHECK_INT(ts_zone_to_utc(la, mar13(2, 30)), sf + 30 * M);   /* = 03:30 PDT */
    CHECK_INT(ts_zone_to_utc(la, mar13(1, 59)), sf - M);
    CHECK_INT(ts_zone_to_utc(la, mar13(3, 0)), sf);
    CHECK_INT(ts_zone_to_utc(la, mar13(3, 30)), sf + 30 * M);
    /* Outside the changes both directions invert each other. */
    int inv = 1;
    for (int64_t t = ts_from_civil(2021, 6, 1, 0, 0, 0, 0); t < ts_from_civil(2022, 6, 1, 0, 0,
         0, 0); t += 7 * M) {
        int64_t l = ts_zone_to_local(la, t);
        if ((t < fb - H || t >= fb + H) && ts_zone_to_utc(la, l) != t)
            inv = 0;
    }
    CHECK(inv, "to_utc(to_local(t)) == t for every 7 minutes of a year, the folded hours "
          "apart");
    ts_zone_free(la);

    struct ts_zone *fx = ts_zone_fixed(-8 * 60);
    CHECK_STR(ts_zone_name(fx), "UTC-08:00");
    CHECK_INT(ts_zone_to_local(fx, fb), fb - 8 * H);
    CHECK_INT(ts_zone_to_utc(fx, nov7(1, 30)), nov7(1, 30) + 8 * H);
    CHECK(ts_zone_valid_until(fx) == INT64_MAX, "a fixed zone has no end");
    ts_zone_free(fx);

    static const char *const bad_names[] = { "../etc/passwd", "/etc/localtime", "America//X",
                                             "Pacific Time", "-08", "", "America/Nowhere" };
    for (size_t i = 0; i < sizeof bad_names / sizeof *bad_names; i++) {
        struct ts_zone *z = ts_zone_load(bad_names[i], &e);
        CHECK(!z, "'%s' refused", bad_names[i]);
        if (!z)
            CHECK_HAS(e.msg, "America/Los_Angeles");
        ts_zone_free(z);
    }
    struct ts_zone *z = ts_zone_load("zone.tab", &e);    /* a file, but no TZif */
    CHECK(!z, "zone.tab refused");
    if (!z)
        CHECK_HAS(e.msg, "not a valid TZif");
    ts_zone_free(z);
    return tc_done();
}
