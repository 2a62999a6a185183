/* tcheck.h - the test harness: one PASS/FAIL line per check, a closing
 * "N passed, N failed" line, and a non-zero exit when anything failed.
 * Checks print both sides so a failure explains itself. */
#ifndef PATROLSIM_TCHECK_H
#define PATROLSIM_TCHECK_H

#include <stdio.h>

extern int tc_passed, tc_failed;

void tc_report(int ok, const char *file, int line, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
/* Prints the closing line; returns the process exit status. */
int tc_done(void);

#define CHECK(cond, ...) tc_report(!!(cond), __FILE__, __LINE__, __VA_ARGS__)
#define CHECK_INT(a, b) do { long long a_ = (a), b_ = (b); \
    tc_report(a_ == b_, __FILE__, __LINE__, "%s == %s (%lld vs %lld)", #a, #b, a_, b_); } while (0)
#define CHECK_NEAR(a, b, tol) do { double a_ = (a), b_ = (b); \
    tc_report(fabs(a_ - b_) <= (tol), __FILE__, __LINE__, "%s ~ %s (%.9g vs %.9g, tol %g)", \
              #a, #b, a_, b_, (double)(tol)); } while (0)
#define CHECK_STR(a, b) do { const char *a_ = (a), *b_ = (b); \
    tc_report(a_ && b_ && strcmp(a_, b_) == 0, __FILE__, __LINE__, "%s == %s ('%s' vs '%s')", \
              #a, #b, a_ ? a_ : "(null)", b_ ? b_ : "(null)"); } while (0)
/* Substring check, for error messages. */
#define CHECK_HAS(hay, needle) do { const char *h_ = (hay), *n_ = (needle); \
    tc_report(h_ && strstr(h_, n_) != NULL, __FILE__, __LINE__, "'%s' contains '%s'", \
              h_ ? h_ : "(null)", n_); } while (0)

#endif
