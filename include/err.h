/* err.h - one error buffer for bad input and system failures.
 *
 * Functions that can fail on input return int 0 / -1 and, on -1, leave a
 * complete message in a caller-owned struct perr.  Messages about files start
 * "path:line:" (and name the column when there is one), quote the bad value
 * and say what was expected.  err_set always returns -1 so callers can write
 * `return err_set(e, ...)`.
 */
#ifndef PATROLSIM_ERR_H
#define PATROLSIM_ERR_H

#include <stddef.h>

#define ERR_MSG_MAX 1024

struct perr {
    char msg[ERR_MSG_MAX];
};

/* Process exit codes; main maps every failure to one of these. */
enum exit_code {
    EXIT_OK = 0,
    EXIT_FAIL = 1,     /* system failure (I/O, memory) or internal error */
    EXIT_USAGE = 2,    /* bad command line or bad input files */
};

#if defined(__GNUC__)
#define ERR_PRINTF(a, b) __attribute__((format(printf, a, b)))
#else
#define ERR_PRINTF(a, b)
#endif

int err_set(struct perr *e, const char *fmt, ...) ERR_PRINTF(2, 3);
/* As err_set, appending ": strerror(errno)". */
int err_sys(struct perr *e, const char *fmt, ...) ERR_PRINTF(2, 3);

/* Our own bugs: print file:line and the condition, then abort.  Kept in
 * release builds; it guards invariants whose violation would make results
 * silently wrong. */
#define PS_ASSERT(c) \
    ((c) ? (void)0 : ps_assert_fail(#c, __FILE__, __LINE__))
_Noreturn void ps_assert_fail(const char *cond, const char *file, int line);
/* The same for invariants checked on every event, where the test would be
 * a measurable share of the event's cost: checked in builds without NDEBUG
 * (make asan runs every test so), compiled out of the optimised build. */
#ifdef NDEBUG
#define PS_HOT_ASSERT(c) ((void)0)
#else
#define PS_HOT_ASSERT(c) PS_ASSERT(c)
#endif

/* malloc/calloc/realloc that abort with a message on exhaustion: running
 * out of memory is not recoverable for a simulation. */
void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

#endif
