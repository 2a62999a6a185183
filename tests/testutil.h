/* testutil.h - helpers for tests that build scenario folders on the fly. */
#ifndef PATROLSIM_TESTUTIL_H
#define PATROLSIM_TESTUTIL_H

#include <stddef.h>

/* A fresh empty directory under $TMPDIR; the caller frees the string. */
char *tu_tmpdir(void);
/* Writes text to dir/name; aborts on failure. */
void tu_write(const char *dir, const char *name, const char *text);
/* rm -rf dir. */
void tu_rmrf(const char *dir);
/* The entries of dir not starting with '.', sorted; *names is malloc'd, as
 * is each name (tu_names_free).  Returns the count, or -1 if dir cannot be
 * opened. */
int tu_list(const char *dir, char ***names);
void tu_names_free(char **names, int n);
/* The first line of dir/expected (a fixture's expected message) into buf,
 * without its newline ("" when missing or empty); 1 if the file exists. */
int tu_expected(const char *dir, char *buf, size_t n);

/* Scenario overrides from NULL-terminated "section.key=value" strings (a
 * table cell is "table.ROW.COLUMN": the section ends at the first dot of the
 * part before '='): each string is copied into buf[i], which ov[i] points
 * into.  Returns the count. */
#define TU_SET_LEN 160
struct scn_override;
int tu_overrides(const char *const *sets, struct scn_override *ov, char (*buf)[TU_SET_LEN]);

#endif
