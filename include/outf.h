/* outf.h - output files that appear whole or not at all.
 *
 * A set of files is written to temporary names beside their final names and
 * renamed into place only when every one of them was written completely, so
 * an error or a crash never leaves a half-written result file behind.
 */
#ifndef PATROLSIM_OUTF_H
#define PATROLSIM_OUTF_H

#include <stdio.h>
#include "err.h"

#define OUTF_MAX 16

struct outf {
    int n;
    char *final[OUTF_MAX], *tmp[OUTF_MAX];
    FILE *fp[OUTF_MAX];
};

void outf_init(struct outf *o);
/* Creates dir (and parents) if needed; 0, or -1 with e set. */
int outf_mkdir(const char *dir, struct perr *e);
/* Opens dir/name for writing under a temporary name; NULL with e set. */
FILE *outf_open(struct outf *o, const char *dir, const char *name, struct perr *e);
/* Closes every file, checks for write errors and renames all into place;
 * on any failure removes every temporary file.  0, or -1 with e set. */
int outf_commit(struct outf *o, struct perr *e);
/* Closes and removes every temporary file (after an error elsewhere). */
void outf_abort(struct outf *o);
/* SIGINT, SIGTERM and SIGHUP remove the temporary files of every open set,
 * print one line and end the process with the signal's usual status. */
void outf_catch_signals(void);

#endif
