/* csvr.h - a pull-style CSV reader over libcsv, streaming in constant memory.
 *
 * libcsv pushes fields through callbacks; csvr turns that into
 * `while (csvr_next(r, e) == 1) use(r)`, one record at a time, so a replay
 * of millions of rows never holds more than one record.  It strips a UTF-8
 * BOM, accepts LF and CRLF, quoted fields (with embedded commas, quotes and
 * newlines), skips blank lines, and knows the physical line each record
 * starts on for error messages.  Strict mode: a malformed quote is an error
 * naming file:line.
 *
 * Field pointers returned by csvr_field are valid until the next csvr_next.
 * Fields are NUL-terminated; leading/trailing spaces are trimmed.
 */
#ifndef PATROLSIM_CSVR_H
#define PATROLSIM_CSVR_H

#include <stddef.h>
#include "err.h"

struct csvr;

/* Opens path; 0, or -1 with e set ("path: cannot open: ..."). */
struct csvr *csvr_open(const char *path, struct perr *e);
void csvr_close(struct csvr *r);

/* Reads the next record: 1 got one, 0 end of file, -1 error (e set). */
int csvr_next(struct csvr *r, struct perr *e);

size_t csvr_nfields(const struct csvr *r);
const char *csvr_field(const struct csvr *r, size_t i);   /* "" if i >= nfields */
long csvr_line(const struct csvr *r);                     /* 1-based line of the record */
const char *csvr_path(const struct csvr *r);

/* Header helper: reads the first record as column names.  `known` lists the
 * accepted column names (NULL-terminated); a column not in it is an error
 * naming the column; `required` (NULL-terminated) must all be present.
 * col[k] receives the field index of known[k], or -1 if absent.
 * Returns 0, or -1 with e set.  An empty file is an error. */
int csvr_header(struct csvr *r, const char *const *known,
                const char *const *required, int *col, struct perr *e);

/* Field by column index from csvr_header (col < 0 gives ""). */
const char *csvr_get(const struct csvr *r, int col);

/* Typed field parsers for validation.  On failure they set e to
 * "path:line: column N 'name': expected WHAT, got 'value'" and return -1.
 * `name` is the column's header name; col is the field index. */
int csvr_double(const struct csvr *r, int col, const char *name,
                double lo, double hi, double *out, struct perr *e);
int csvr_int(const struct csvr *r, int col, const char *name,
             long lo, long hi, long *out, struct perr *e);
/* -1 if s[0..n) is valid UTF-8 (RFC 3629) without NUL bytes, otherwise the
 * offending byte; shared with the INI loader. */
int csvr_utf8_bad(const unsigned char *s, size_t n);

/* Formats "path:line: column N 'name': " + message; returns -1. */
int csvr_error(const struct csvr *r, int col, const char *name,
               struct perr *e, const char *fmt, ...) ERR_PRINTF(5, 6);

#endif
