/* testutil.h - helpers for tests that build scenario folders on the fly. */
#ifndef PATROLSIM_TESTUTIL_H
#define PATROLSIM_TESTUTIL_H

/* A fresh empty directory under $TMPDIR; the caller frees the string. */
char *tu_tmpdir(void);
/* Writes text to dir/name; aborts on failure. */
void tu_write(const char *dir, const char *name, const char *text);
/* rm -rf dir. */
void tu_rmrf(const char *dir);

#endif
