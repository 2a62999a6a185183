#include <stdarg.h>
#include <stdio.h>
#include "tcheck.h"

int tc_passed, tc_failed;

void tc_report(int ok, const char *file, int line, const char *fmt, ...)
{
    va_list ap;
    printf("%s %s:%d: ", ok ? "PASS" : "FAIL", file, line);
    va_start(ap, fmt);
    vprintf(fmt, ap);
    va_end(ap);
    putchar('\n');
    if (ok)
        tc_passed++;
    else
        tc_failed++;
}

int tc_done(void)
{
    printf("%d passed, %d failed\n", tc_passed, tc_failed);
    return tc_failed ? 1 : 0;
}
