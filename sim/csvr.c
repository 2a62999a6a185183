/* csvr.c - pull-style CSV reader over libcsv, in constant memory.
 *
 * libcsv is a push parser: csv_parse() calls back once per field and once
 * per row.  We turn that into csvr_next() by feeding it one *segment* at a
 * time, where a segment runs up to and including the next CR or LF (or the
 * end of the input buffer).  libcsv can only end a row on CR or LF, so one
 * csv_parse() call completes at most one row and we can return as soon as it
 * does, with no queue of pending records.  Feeding line by line is also what
 * lets us know the physical line a record starts on: a record starts on the
 * first line that carries a non-blank byte while no record is open.
 *
 * Invariants:
 *   - `line` is the 1-based physical line of the byte at in[in_pos].  LF,
 *     CR and CRLF each end one line.
 *   - open == 1 exactly while libcsv holds part of a record (it is set when
 *     a non-blank byte is fed in state "no record" and cleared by the row
 *     callback), so whitespace-only segments seen with open == 0 can be
 *     skipped without feeding them: libcsv would ignore them anyway.
 *   - The current record is rec[off[i]] for i < nf, each field trimmed of
 *     spaces and tabs and NUL-terminated.  rec, off and libcsv's own entry
 *     buffer are reused and only grow, to the longest record seen, so memory
 *     is constant in the number of rows.
 *
 * Cost: one csv_parse() call per line and one memcpy per field; no malloc
 * per field or per row once the buffers have grown.  UTF-8 is validated in
 * the field callback while the bytes are hot, with an ASCII fast path.
 *
 * Two rules beyond plain CSV, both for spreadsheet exports: a record whose
 * fields are all empty (",,,," rows) counts as a blank line and is skipped;
 * after csvr_header, trailing fields beyond the header are accepted only if
 * they are empty (a non-empty one usually means an unquoted comma).
 */
#include <errno.h>
#include <limits.h>
#include <math.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <csv.h>
#include "csvr.h"

#define CSVR_BUFSZ 65536

struct csvr {
    FILE *f;
    char *path;
    struct csv_parser p;

    unsigned char *in;      /* input buffer, CSVR_BUFSZ bytes */
    size_t in_len, in_pos;
    long line;              /* physical line of in[in_pos], 1-based */
    int prev_cr;            /* the previous segment ended with CR */
    int started;            /* first buffer read (BOM handled) */
    int done;               /* end of input reached and flushed */
    int failed;             /* an error was reported; no more records */

    char *rec;              /* current record's fields, NUL-separated */
    size_t rec_len, rec_cap;
    size_t *off;            /* field i starts at rec + off[i] */
    size_t nf, off_cap;
    long rec_line;          /* line the current record starts on */
    int open;               /* libcsv holds an unfinished record */
    int row_done;           /* the row callback fired */
    size_t ncols;           /* header width after csvr_header, else 0 */

    int bad;                /* first invalid byte seen in this record */
    int bad_byte;           /* its value (0 = NUL) */
    size_t bad_field;
};

/* Returns -1 if s[0..n) is valid UTF-8 without NUL bytes, otherwise the
 * offending byte: the lead byte of a broken sequence, a stray continuation
 * byte, or 0 for NUL.  Follows RFC 3629: no overlong forms, no surrogates,
 * nothing above U+10FFFF. */
int csvr_utf8_bad(const unsigned char *s, size_t n)
{
    size_t i = 0;
    while (i < n) {
        unsigned c = s[i];
        if (c < 0x80) {
            if (c == 0)
                return 0;
            i++;
            continue;
        }
        size_t k;
        unsigned lo = 0x80, hi = 0xBF;
        if (c >= 0xC2 && c <= 0xDF)
            k = 1;
        else if (c == 0xE0)
            k = 2, lo = 0xA0;
        else if (c == 0xED)
            k = 2, hi = 0x9F;
        else if (c >= 0xE1 && c <= 0xEF)
            k = 2;
        else if (c == 0xF0)
            k = 3, lo = 0x90;
        else if (c == 0xF4)
            k = 3, hi = 0x8F;
        else if (c >= 0xF1 && c <= 0xF3)
            k = 3;
        else
            return (int)c;
        if (n - i <= k)
            return (int)c;
        if (s[i + 1] < lo || s[i + 1] > hi)
            return (int)c;
        for (size_t j = 2; j <= k; j++)
            if ((s[i + j] & 0xC0) != 0x80)
                return (int)c;
        i += k + 1;
    }
    return -1;
}

static void on_field(void *data, size_t len, void *user)
{
    struct csvr *r = user;
    const unsigned char *s = data ? data : (const unsigned char *)"";

    /* libcsv trims unquoted fields already; quoted ones keep their spaces. */
    while (len && (s[0] == ' ' || s[0] == '\t'))
        s++, len--;
    while (len && (s[len - 1] == ' ' || s[len - 1] == '\t'))
        len--;

    if (r->nf == r->off_cap) {
        r->off_cap = r->off_cap ? 2 * r->off_cap : 16;
        r->off = xrealloc(r->off, r->off_cap * sizeof *r->off);
    }
    if (r->rec_cap - r->rec_len < len + 1) {
        while (r->rec_cap - r->rec_len < len + 1)
            r->rec_cap = r->rec_cap ? 2 * r->rec_cap : 256;
        r->rec = xrealloc(r->rec, r->rec_cap);
    }
    memcpy(r->rec + r->rec_len, s, len);
    r->rec[r->rec_len + len] = '\0';
    r->off[r->nf++] = r->rec_len;
    r->rec_len += len + 1;
    r->open = 1;

    if (!r->bad) {
        /* ASCII fast path: most fields are ids and numbers.  Eight bytes at
         * a time while none has its high bit set and none is NUL (the
         * classic (w - 0x01..) & ~w & 0x80.. zero-byte test). */
        const uint64_t lo = 0x0101010101010101ULL, hi = 0x8080808080808080ULL;
        size_t i = 0;
        for (; i + 8 <= len; i += 8) {
            uint64_t w;
            memcpy(&w, s + i, 8);
            if ((w & hi) || ((w - lo) & ~w & hi))
                break;
        }
        while (i < len && s[i] != 0 && s[i] < 0x80)
            i++;
        if (i < len) {
            int b = csvr_utf8_bad(s + i, len - i);
            if (b >= 0) {
                r->bad = 1;
                r->bad_byte = b;
                r->bad_field = r->nf - 1;
            }
        }
    }
}

static void on_row(int c, void *user)
{
    struct csvr *r = user;
    (void)c;
    r->row_done = 1;
    r->open = 0;
}

struct csvr *csvr_open(const char *path, struct perr *e)
{
    FILE *f = fopen(path, "rb");
    if (!f) {
        err_sys(e, "%s: cannot open", path);
        return NULL;
    }
    struct csvr *r = xcalloc(1, sizeof *r);
    r->f = f;
    r->path = xstrdup(path);
    r->in = xmalloc(CSVR_BUFSZ);
    r->line = 1;
    /* STRICT_FINI makes an unterminated quote at end of file an error
     * instead of a silently accepted field. */
    if (csv_init(&r->p, CSV_STRICT | CSV_STRICT_FINI | CSV_APPEND_NULL) != 0) {
        csvr_close(r);
        err_set(e, "%s: cannot initialise the CSV parser", path);
        return NULL;
    }
    return r;
}

void csvr_close(struct csvr *r)
{
    if (!r)
        return;
    csv_free(&r->p);
    if (r->f)
        fclose(r->f);
    free(r->in);
    free(r->rec);
    free(r->off);
    free(r->path);
    free(r);
}

static int fill(struct csvr *r, struct perr *e)
{
    size_t n = fread(r->in, 1, CSVR_BUFSZ, r->f);
    if (n == 0 && ferror(r->f))
        return err_sys(e, "%s:%ld: read error", r->path, r->line);
    r->in_len = n;
    r->in_pos = 0;
    if (!r->started) {
        r->started = 1;
        if (n >= 3 && r->in[0] == 0xEF && r->in[1] == 0xBB && r->in[2] == 0xBF)
            r->in_pos = 3;
    }
    return 0;
}

static int malformed(struct csvr *r, long line, const char *hint, struct perr *e)
{
    return err_set(e, "%s:%ld: malformed CSV: %s (%s)", r->path, line,
                   csv_strerror(csv_error(&r->p)), hint);
}

/* Feeds segments until libcsv completes a row (1), input ends (0) or an
 * error (-1). */
static int read_record(struct csvr *r, struct perr *e)
{
    for (;;) {
        if (r->in_pos == r->in_len) {
            if (r->done)
                return 0;
            if (fill(r, e) < 0)
                return -1;
            if (r->in_pos == r->in_len) {
                r->done = 1;
                if (csv_fini(&r->p, on_field, on_row, r) != 0)
                    return malformed(r, r->rec_line,
                                     "a quoted field starting on this line is never closed", e);
                return r->row_done;
            }
        }
        /* The line ends at the first LF or CR: memchr for LF over the
         * buffer, then for CR over that line only (CR-only files are rare),
         * instead of a byte loop -- this scan runs over every byte. */
        unsigned char *s = r->in + r->in_pos, *end = r->in + r->in_len;
        unsigned char *q = memchr(s, '\n', (size_t)(end - s));
        unsigned char *cr = memchr(s, '\r', (size_t)((q ? q : end) - s));
        if (cr)
            q = cr;
        if (!q)
            q = end;
        int term = q < end;
        if (term)
            q++;
        size_t n = (size_t)(q - s);

        if (!r->open) {
            const unsigned char *t = s;
            while (t < q && (*t == ' ' || *t == '\t' || *t == '\r' || *t == '\n'))
                t++;
            if (t < q) {
                r->open = 1;
                r->rec_line = r->line;
            }
        }
        if (r->open && csv_parse(&r->p, s, n, on_field, on_row, r) != n)
            return malformed(r, r->line,
                             "a quote inside an unquoted field or text after a closing quote; "
                             "quote the whole field and double any quote inside it", e);
        r->in_pos += n;
        if (term) {
            if (q[-1] == '\r') {
                r->line++;
                r->prev_cr = 1;
            } else {
                if (!(n == 1 && r->prev_cr))
                    r->line++;
                r->prev_cr = 0;
            }
        } else {
            r->prev_cr = 0;
        }
        if (r->row_done)
            return 1;
    }
}

int csvr_next(struct csvr *r, struct perr *e)
{
    if (r->failed)
        return err_set(e, "%s: read after an earlier error", r->path);
    for (;;) {
        r->nf = 0;
        r->rec_len = 0;
        r->row_done = 0;
        r->bad = 0;
        int rc = read_record(r, e);
        if (rc < 0) {
            r->failed = 1;
            return -1;
        }
        if (rc == 0)
            return 0;

        size_t i = 0;
        while (i < r->nf && r->rec[r->off[i]] == '\0')
            i++;
        if (i == r->nf)
            continue;           /* ",,,," - a blank spreadsheet row */

        if (r->bad) {
            r->failed = 1;
            if (r->bad_byte == 0)
                return err_set(e, "%s:%ld: column %zu: NUL byte (0x00) in a text file",
                               r->path, r->rec_line, r->bad_field + 1);
            return err_set(e, "%s:%ld: column %zu: invalid UTF-8 byte 0x%02x "
                           "(save the file as CSV UTF-8)",
                           r->path, r->rec_line, r->bad_field + 1, (unsigned)r->bad_byte);
        }
        if (r->ncols && r->nf > r->ncols) {
            for (i = r->ncols; i < r->nf; i++)
                if (r->rec[r->off[i]] != '\0') {
                    r->failed = 1;
                    return err_set(e, "%s:%ld: %zu fields, but the header has %zu columns "
                                   "(an unquoted comma in a value?)",
                                   r->path, r->rec_line, r->nf, r->ncols);
                }
        }
        return 1;
    }
}

size_t csvr_nfields(const struct csvr *r)
{
    return r->nf;
}

const char *csvr_field(const struct csvr *r, size_t i)
{
    return i < r->nf ? r->rec + r->off[i] : "";
}

long csvr_line(const struct csvr *r)
{
    return r->rec_line;
}

const char *csvr_path(const struct csvr *r)
{
    return r->path;
}

const char *csvr_get(const struct csvr *r, int col)
{
    return col < 0 ? "" : csvr_field(r, (size_t)col);
}

int csvr_header(struct csvr *r, const char *const *known,
                const char *const *required, int *col, struct perr *e)
{
    size_t nk = 0;
    while (known[nk])
        col[nk++] = -1;

    int rc = csvr_next(r, e);
    if (rc < 0)
        return -1;
    if (rc == 0)
        return err_set(e, "%s: empty file; expected a header row naming the columns", r->path);

    /* Trailing unnamed columns (spreadsheet exports) are tolerated, provided
     * every value in them is empty; an unnamed column in between is not. */
    size_t width = r->nf;
    while (width > 0 && r->rec[r->off[width - 1]] == '\0')
        width--;
    for (size_t i = 0; i < width; i++) {
        const char *name = r->rec + r->off[i];
        if (!*name)
            return err_set(e, "%s:%ld: column %zu: the header has an empty column name",
                           r->path, r->rec_line, i + 1);
        size_t k = 0;
        while (k < nk && strcmp(known[k], name) != 0)
            k++;
        if (k == nk) {
            char list[512];
            size_t used = 0;
            list[0] = '\0';
            for (size_t j = 0; j < nk && used < sizeof list; j++) {
                int w = snprintf(list + used, sizeof list - used, "%s%s", j ? ", " : "", known[j]);
                if (w < 0)
                    break;
                used += (size_t)w;
            }
            return err_set(e, "%s:%ld: column %zu: unknown column '%s'; expected one of %s",
                           r->path, r->rec_line, i + 1, name, list);
        }
        if (col[k] >= 0)
            return err_set(e, "%s:%ld: column %zu: duplicate column '%s' (also column %d)",
                           r->path, r->rec_line, i + 1, name, col[k] + 1);
        col[k] = (int)i;
    }
    for (size_t j = 0; required && required[j]; j++) {
        size_t k = 0;
        while (k < nk && strcmp(known[k], required[j]) != 0)
            k++;
        if (k == nk || col[k] < 0)
            return err_set(e, "%s:%ld: missing required column '%s'",
                           r->path, r->rec_line, required[j]);
    }
    r->ncols = width;
    return 0;
}

static int verror(const struct csvr *r, int col, const char *name, struct perr *e,
                  const char *fmt, va_list ap) ERR_PRINTF(5, 0);
static int verror(const struct csvr *r, int col, const char *name, struct perr *e,
                  const char *fmt, va_list ap)
{
    char msg[ERR_MSG_MAX];
    vsnprintf(msg, sizeof msg, fmt, ap);
    if (col >= 0)
        return err_set(e, "%s:%ld: column %d '%s': %s", r->path, r->rec_line, col + 1, name, msg);
    return err_set(e, "%s:%ld: column '%s': %s", r->path, r->rec_line, name, msg);
}

int csvr_error(const struct csvr *r, int col, const char *name,
               struct perr *e, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    verror(r, col, name, e, fmt, ap);
    va_end(ap);
    return -1;
}

/* Only plain decimal notation: strtod alone would also take "inf", "nan"
 * and hex floats, none of which belong in a planner's table. */
static int plain_number(const char *s, int allow_frac)
{
    if (!*s)
        return 0;
    for (const char *p = s; *p; p++) {
        if ((*p >= '0' && *p <= '9') || *p == '+' || *p == '-')
            continue;
        if (allow_frac && (*p == '.' || *p == 'e' || *p == 'E'))
            continue;
        return 0;
    }
    return 1;
}

static void describe(char *buf, size_t n, const char *what, double lo, double hi)
{
    if (lo == -HUGE_VAL && hi == HUGE_VAL)
        snprintf(buf, n, "%s", what);
    else if (hi == HUGE_VAL)
        snprintf(buf, n, "%s >= %.15g", what, lo);
    else if (lo == -HUGE_VAL)
        snprintf(buf, n, "%s <= %.15g", what, hi);
    else
        snprintf(buf, n, "%s in [%.15g, %.15g]", what, lo, hi);
}

int csvr_double(const struct csvr *r, int col, const char *name,
                double lo, double hi, double *out, struct perr *e)
{
    const char *s = csvr_get(r, col);
    char *end;
    double v = 0;
    int ok = plain_number(s, 1);
    if (ok) {
        errno = 0;
        v = strtod(s, &end);
        ok = *end == '\0' && isfinite(v) && !(errno == ERANGE && fabs(v) > 1);
    }
    if (!ok || v < lo || v > hi) {
        char what[128];
        describe(what, sizeof what, "a number", lo, hi);
        return csvr_error(r, col, name, e, "expected %s, got '%s'", what, s);
    }
    *out = v;
    return 0;
}

int csvr_int(const struct csvr *r, int col, const char *name,
             long lo, long hi, long *out, struct perr *e)
{
    const char *s = csvr_get(r, col);
    char *end;
    long v = 0;
    int ok = plain_number(s, 0);
    if (ok) {
        errno = 0;
        v = strtol(s, &end, 10);
        ok = *end == '\0' && errno != ERANGE;
    }
    if (!ok || v < lo || v > hi) {
        char what[128];
        describe(what, sizeof what, "an integer",
                 lo == LONG_MIN ? -HUGE_VAL : (double)lo,
                 hi == LONG_MAX ? HUGE_VAL : (double)hi);
        return csvr_error(r, col, name, e, "expected %s, got '%s'", what, s);
    }
    *out = v;
    return 0;
}
