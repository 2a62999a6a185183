/* test_csvr.c - the pull CSV reader: BOM, CRLF/LF/CR, quoting, blank lines,
 * the line each record starts on (also across the input buffer boundary),
 * strict errors with file:line, UTF-8 validation, header checks, typed
 * fields, and throughput. */
#include <limits.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "csvr.h"
#include "tcheck.h"

static char tmpdir[] = "/tmp/patrolsim-csvr-XXXXXX";
static char path[256];

static const char *put(const char *name, const char *data, size_t n)
{
    snprintf(path, sizeof path, "%s/%s", tmpdir, name);
    FILE *f = fopen(path, "wb");
    PS_ASSERT(f != NULL);
    PS_ASSERT(fwrite(data, 1, n, f) == n);
    fclose(f);
    return path;
}

#define PUT(name, lit) put(name, lit, sizeof(lit) - 1)

/* Reads every record; returns the error message (or "" at a clean end) in e
 * and the number of records read. */
static int drain(struct csvr *r, struct perr *e)
{
    int n = 0, rc;
    e->msg[0] = '\0';
    while ((rc = csvr_next(r, e)) == 1)
        n++;
    return rc < 0 ? -(n + 1) : n;
}

static void test_basic(void)
{
    const char *p = PUT("basic.csv",
        "\xEF\xBB\xBFid, name ,x\r\n"        /* 1: BOM, spaces around names */
        "\r\n"                               /* 2: blank */
        "a1,\"Smith, J.\",1.5\r\n"           /* 3 */
        "  a2 , \"say \"\"hi\"\"\" , -2e3\r\n" /* 4 */
        "a3,\"multi\r\nline\",7\r\n"         /* 5-6 */
        ",,\r\n"                             /* 7: an empty spreadsheet row */
        "a4,中文名,8\n"                      /* 8: LF only */
        " \t \n"                             /* 9: whitespace only */
        "a5,\"\",9");                        /* 10: no final newline */
    struct perr e = { "" };
    struct csvr *r = csvr_open(p, &e);
    CHECK(r != NULL, "open (%s)", e.msg);
    if (!r)
        return;
    CHECK_STR(csvr_path(r), p);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 1);
    CHECK_INT(csvr_nfields(r), 3);
    CHECK_STR(csvr_field(r, 0), "id");
    CHECK_STR(csvr_field(r, 1), "name");
    CHECK_STR(csvr_field(r, 3), "");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 3);
    CHECK_STR(csvr_field(r, 1), "Smith, J.");
    CHECK_STR(csvr_field(r, 2), "1.5");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 4);
    CHECK_STR(csvr_field(r, 0), "a2");
    CHECK_STR(csvr_field(r, 1), "say \"hi\"");
    CHECK_STR(csvr_field(r, 2), "-2e3");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 5);
    CHECK_STR(csvr_field(r, 1), "multi\r\nline");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 8);
    CHECK_STR(csvr_field(r, 1), "中文名");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 10);
    CHECK_STR(csvr_field(r, 0), "a5");
    CHECK_STR(csvr_field(r, 1), "");
    CHECK_STR(csvr_field(r, 2), "9");

    CHECK_INT(csvr_next(r, &e), 0);
    CHECK_INT(csvr_next(r, &e), 0);
    csvr_close(r);

    /* old Mac line ends (CR only) count as lines too */
    p = PUT("cr.csv", "a,b\rc,d\r\re,f\r");
    r = csvr_open(p, &e);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 1);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 2);
    CHECK_STR(csvr_field(r, 1), "d");
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 4);
    CHECK_INT(csvr_next(r, &e), 0);
    csvr_close(r);

    /* empty and whitespace-only files have no records */
    p = PUT("empty.csv", "");
    r = csvr_open(p, &e);
    CHECK_INT(csvr_next(r, &e), 0);
    csvr_close(r);
    p = PUT("blank.csv", "\xEF\xBB\xBF\r\n \n\n");
    r = csvr_open(p, &e);
    CHECK_INT(csvr_next(r, &e), 0);
    csvr_close(r);

    r = csvr_open("/nonexistent/dir/x.csv", &e);
    CHECK(r == NULL, "missing file");
    CHECK_STR(e.msg, "/nonexistent/dir/x.csv: cannot open: No such file or directory");
}

static void test_errors(void)
{
    struct perr e = { "" };
    struct csvr *r;
    char want[512];

    /* a quote inside an unquoted field */
    const char *p = PUT("q1.csv", "id,n\nx,1\ny,a\"b\nz,2\n");
    r = csvr_open(p, &e);
    CHECK_INT(drain(r, &e), -3);
    snprintf(want, sizeof want, "%s:3: malformed CSV: ", p);
    CHECK_HAS(e.msg, want);
    CHECK_INT(csvr_next(r, &e), -1);        /* stays failed */
    csvr_close(r);

    /* text after a closing quote, after a multi-line record */
    p = PUT("q2.csv", "id,n\n\"x\ny\",1\nz,\"ab\"c\n");
    r = csvr_open(p, &e);
    CHECK_INT(drain(r, &e), -3);
    snprintf(want, sizeof want, "%s:4: malformed CSV", p);
    CHECK_HAS(e.msg, want);
    csvr_close(r);

    /* a quote never closed: reported at the line where the record starts */
    p = PUT("q3.csv", "id,n\nx,\"abc\ndef\nghi\n");
    r = csvr_open(p, &e);
    CHECK_INT(drain(r, &e), -2);
    snprintf(want, sizeof want, "%s:2: malformed CSV", p);
    CHECK_HAS(e.msg, want);
    CHECK_HAS(e.msg, "never closed");
    csvr_close(r);

    /* invalid UTF-8, each in column 2 of line 3 */
    static const struct {
        const char *bytes;
        const char *byte;
    } bad[] = {
        { "\xC3\x28", "0xc3" },              /* lead byte, bad continuation */
        { "ab\x80", "0x80" },                /* stray continuation */
        { "\xC0\xAF", "0xc0" },              /* overlong '/' */
        { "\xE0\x80\xAF", "0xe0" },          /* overlong, 3 bytes */
        { "\xED\xA0\x80", "0xed" },          /* UTF-16 surrogate */
        { "\xF4\x90\x80\x80", "0xf4" },      /* above U+10FFFF */
        { "\xF5\x80\x80\x80", "0xf5" },
        { "abc\xE4\xB8", "0xe4" },           /* truncated at the end */
        { "\xB6\xAB\xB3\xC7", "0xb6" },      /* GBK "东城" */
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        char data[128];
        int n = snprintf(data, sizeof data, "id,name\nok,好\nk,%s\n", bad[i].bytes);
        p = put("utf8.csv", data, (size_t)n);
        r = csvr_open(p, &e);
        CHECK_INT(drain(r, &e), -3);
        snprintf(want, sizeof want, "%s:3: column 2: invalid UTF-8 byte %s", p, bad[i].byte);
        CHECK_HAS(e.msg, want);
        csvr_close(r);
    }
    /* valid multi-byte sequences, including 4-byte ones */
    p = PUT("utf8ok.csv", "id,name\nk,\"ok\xE4\xB8\xADok \xF0\x9F\x98\x80 \xC2\xA9 \xEF\xBF\xBD\"\n");
    r = csvr_open(p, &e);
    CHECK_INT(drain(r, &e), 2);
    csvr_close(r);
    /* a NUL byte */
    p = put("nul.csv", "id,name\nk,a\0b\n", 14);
    r = csvr_open(p, &e);
    CHECK_INT(drain(r, &e), -2);
    snprintf(want, sizeof want, "%s:2: column 2: NUL byte", p);
    CHECK_HAS(e.msg, want);
    csvr_close(r);
}

static void test_header_and_fields(void)
{
    static const char *const known[] = { "id", "x", "n", "note", NULL };
    static const char *const req[] = { "id", "x", NULL };
    int col[4];
    struct perr e = { "" };
    struct csvr *r;
    char want[512];

    const char *p = PUT("h.csv", "n,id,x,,\n"
                                 "7,a,2.385,,\n"
                                 "-3,b,1e400,\n"
                                 "12.5,c,inf\n"
                                 "99999999999999999999,d,0x10\n"
                                 "4,e,nan\n"
                                 "+5,f, 1e-3 \n"
                                 "5,g,6,,extra\n");
    r = csvr_open(p, &e);
    CHECK_INT(csvr_header(r, known, req, col, &e), 0);
    CHECK_INT(col[0], 1);
    CHECK_INT(col[1], 2);
    CHECK_INT(col[2], 0);
    CHECK_INT(col[3], -1);
    double d = 0;
    long l = 0;

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_double(r, col[1], "x", 0, 10, &d, &e), 0);
    CHECK_NEAR(d, 2.385, 0);
    CHECK_INT(csvr_int(r, col[2], "n", 1, 9, &l, &e), 0);
    CHECK_INT(l, 7);
    CHECK_STR(csvr_get(r, col[3]), "");
    CHECK_STR(csvr_get(r, -1), "");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_int(r, col[2], "n", 0, LONG_MAX, &l, &e), -1);
    snprintf(want, sizeof want, "%s:3: column 1 'n': expected an integer >= 0, got '-3'", p);
    CHECK_STR(e.msg, want);
    CHECK_INT(csvr_double(r, col[1], "x", -HUGE_VAL, HUGE_VAL, &d, &e), -1);
    snprintf(want, sizeof want, "%s:3: column 3 'x': expected a number, got '1e400'", p);
    CHECK_STR(e.msg, want);

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_int(r, col[2], "n", 1, 9, &l, &e), -1);
    snprintf(want, sizeof want, "%s:4: column 1 'n': expected an integer in [1, 9], got '12.5'", p);
    CHECK_STR(e.msg, want);
    CHECK_INT(csvr_double(r, col[1], "x", 0, HUGE_VAL, &d, &e), -1);
    CHECK_HAS(e.msg, "expected a number >= 0, got 'inf'");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_int(r, col[2], "n", LONG_MIN, LONG_MAX, &l, &e), -1);
    CHECK_HAS(e.msg, "expected an integer, got '99999999999999999999'");
    CHECK_INT(csvr_double(r, col[1], "x", -HUGE_VAL, 100, &d, &e), -1);
    CHECK_HAS(e.msg, "expected a number <= 100, got '0x10'");

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_double(r, col[1], "x", -HUGE_VAL, HUGE_VAL, &d, &e), -1);
    CHECK_HAS(e.msg, "got 'nan'");
    CHECK_INT(csvr_double(r, col[3], "note", -HUGE_VAL, HUGE_VAL, &d, &e), -1);
    snprintf(want, sizeof want, "%s:6: column 'note': expected a number, got ''", p);
    CHECK_STR(e.msg, want);

    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_int(r, col[2], "n", 1, 9, &l, &e), 0);
    CHECK_INT(l, 5);
    CHECK_INT(csvr_double(r, col[1], "x", 0, 1, &d, &e), 0);
    CHECK_NEAR(d, 1e-3, 0);
    CHECK_INT(csvr_error(r, col[0], "id", &e, "unknown unit '%s'", csvr_get(r, col[0])), -1);
    snprintf(want, sizeof want, "%s:7: column 2 'id': unknown unit 'f'", p);
    CHECK_STR(e.msg, want);

    /* a non-empty value beyond the header's columns */
    CHECK_INT(csvr_next(r, &e), -1);
    snprintf(want, sizeof want, "%s:8: 5 fields, but the header has 3 columns", p);
    CHECK_HAS(e.msg, want);
    csvr_close(r);

    static const struct {
        const char *data;
        const char *msg;
    } bad[] = {
        { "id,x,colour\n1,2,red\n", ":1: column 3: unknown column 'colour'; expected one of id, x, n, note" },
        { "id,x,id\n", ":1: column 3: duplicate column 'id' (also column 1)" },
        { "id,n\n", ":1: missing required column 'x'" },
        { "id,,x\n", ":1: column 2: the header has an empty column name" },
        { "\n\n", ": empty file; expected a header row" },
        { "x,\"id\n", ":1: malformed CSV" },
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        p = put("hb.csv", bad[i].data, strlen(bad[i].data));
        r = csvr_open(p, &e);
        CHECK_INT(csvr_header(r, known, req, col, &e), -1);
        snprintf(want, sizeof want, "%s%s", p, bad[i].msg);
        CHECK_HAS(e.msg, want);
        csvr_close(r);
    }
}

/* A record longer than the 64 KiB input buffer, and CRLF pairs split by the
 * buffer boundary at every offset. */
static void test_buffers(void)
{
    struct perr e = { "" };
    size_t big = 200000;
    char *data = xmalloc(big + 64);
    size_t n = 0;
    n += (size_t)sprintf(data + n, "id,text\r\nx,\"");
    for (size_t i = 0; i < big; i++)
        data[n++] = i % 1000 == 999 ? '\n' : (char)('a' + i % 26);
    n += (size_t)sprintf(data + n, "\"\r\ny,2\r\n");
    const char *p = put("big.csv", data, n);
    struct csvr *r = csvr_open(p, &e);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 2);
    CHECK_INT(strlen(csvr_field(r, 1)), big);
    CHECK_INT(csvr_next(r, &e), 1);
    CHECK_INT(csvr_line(r), 2 + (long)(big / 1000) + 1);
    CHECK_STR(csvr_field(r, 0), "y");
    CHECK_INT(csvr_next(r, &e), 0);
    csvr_close(r);
    free(data);

    int wrong = 0;
    const int rows = 7400;  /* 9 bytes a row: past 65536 */
    data = xmalloc((size_t)rows * 9 + 16);
    for (int pad = 0; pad < 9; pad++) {
        n = (size_t)sprintf(data, "v%.*s\r\n", pad, "________");
        for (int k = 0; k < rows; k++)
            n += (size_t)sprintf(data + n, "%07d\r\n", k);
        p = put("crlf.csv", data, n);
        r = csvr_open(p, &e);
        CHECK_INT(csvr_next(r, &e), 1);
        for (int k = 0; k < rows; k++) {
            if (csvr_next(r, &e) != 1) {
                wrong++;
                break;
            }
            wrong += csvr_line(r) != k + 2 || atoi(csvr_field(r, 0)) != k;
        }
        wrong += csvr_next(r, &e) != 0;
        csvr_close(r);
    }
    CHECK_INT(wrong, 0);
    free(data);
}

int main(void)
{
    if (!mkdtemp(tmpdir)) {
        perror("mkdtemp");
        return 1;
    }
    test_basic();
    test_errors();
    test_header_and_fields();
    test_buffers();

    static const char *const files[] = { "basic.csv", "cr.csv", "empty.csv", "blank.csv",
                                         "q1.csv", "q2.csv", "q3.csv", "utf8.csv",
                                         "utf8ok.csv", "nul.csv", "h.csv", "hb.csv",
                                         "big.csv", "crlf.csv" };
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        snprintf(path, sizeof path, "%s/%s", tmpdir, files[i]);
        remove(path);
    }
    rmdir(tmpdir);
    return tc_done();
}
