/* outf.h - output files that appear whole or not at all.
 *
 * A set of files is written to temporary names beside their final names and
 * renamed into place only when every one of them was written completely, so
 * an error or a crash never leaves a half-written result file behind.
 *
 * A folder set (outf_set_dir) goes further: every file of the set is
 * written into a temporary folder beside the target folder, and commit
 * exchanges the two folders in one rename(2) (renameat2 RENAME_EXCHANGE), so
 * a reader sees the complete old set or the complete new one, never a mix.
 * The folder's manifest (manifest.txt, first line "patrolsim output set...",
 * written last) marks it as written
 * by patrolsim; a non-empty folder without one is not overwritten unless
 * OUTF_FORCE.  Files in the old folder that are not part of either set
 * (a trace the user wrote there, notes) are carried over into the new one.
 * Temporaries of earlier runs that crashed (their process is gone) are
 * removed when a later set is opened beside them.
 */
#ifndef PATROLSIM_OUTF_H
#define PATROLSIM_OUTF_H

#include <stdio.h>
#include "err.h"

#define OUTF_MAX 16

/* outf_set_dir flags */
#define OUTF_FORCE 1u   /* replace a folder patrolsim did not write */

/* The name of the manifest inside a folder set. */
#define OUTF_MANIFEST "manifest.txt"

struct outf {
    int n;
    char *final[OUTF_MAX], *tmp[OUTF_MAX];
    FILE *fp[OUTF_MAX];
    char *dir;              /* folder set: the target folder, else NULL */
    char *tmpdir;           /* folder set: the folder the files go to first */
    unsigned flags;         /* folder set: OUTF_* */
    char **carried;         /* folder set: files linked from the old folder */
    int n_carried;
};

void outf_init(struct outf *o);
/* Creates dir (and parents) if needed; 0, or -1 with e set. */
int outf_mkdir(const char *dir, struct perr *e);
/* Opens dir/name for writing under a temporary name; NULL with e set.  In
 * a folder set, a file of the target folder goes into its temporary one. */
FILE *outf_open(struct outf *o, const char *dir, const char *name, struct perr *e);
/* Closes every file, checks for write errors and renames all into place;
 * on any failure removes every temporary file.  0, or -1 with e set. */
int outf_commit(struct outf *o, struct perr *e);
/* Closes and removes every temporary file (after an error elsewhere). */
void outf_abort(struct outf *o);
/* SIGINT, SIGTERM and SIGHUP remove the temporary files of every open set,
 * print one line and end the process with the signal's usual status;
 * SIGXFSZ (a file-size limit, ulimit -f) does the same with exit status 1. */
void outf_catch_signals(void);

/* Makes o (just initialised) a folder set for dir: creates dir's parents
 * and a temporary folder beside dir, and removes stale temporaries of dir
 * left by processes that are gone.  flags | the process default
 * (outf_set_default_flags).  0, or -1 with e set (dir is a file, or a
 * non-empty folder without a manifest and no OUTF_FORCE). */
int outf_set_dir(struct outf *o, const char *dir, unsigned flags, struct perr *e);
/* The checks of outf_set_dir without side effects, for before a long
 * computation: 0, or -1 with e set. */
int outf_check_dir(const char *dir, unsigned flags, struct perr *e);
/* Flags every later outf_set_dir adds (the command line's --force). */
void outf_set_default_flags(unsigned flags);

#endif
