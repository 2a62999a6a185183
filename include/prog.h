/* prog.h - progress of a long command on stderr.
 *
 * Mode auto: a one-line bar (done/total, rate, ETA) redrawn in place when
 * stderr is a terminal, nothing otherwise; plain: a line every few seconds
 * (for logs); none: silent.  Nothing is shown for commands that finish
 * within a second.  Progress never goes to stdout or to result files.
 */
#ifndef PATROLSIM_PROG_H
#define PATROLSIM_PROG_H

enum prog_mode { PROG_AUTO, PROG_PLAIN, PROG_NONE };

struct prog;

/* Parses "auto", "plain" or "none"; -1 if none of them. */
int prog_mode_parse(const char *s, enum prog_mode *out);
struct prog *prog_new(enum prog_mode mode, const char *label, long total);
/* Adds n finished units (thread-safe). */
void prog_add(struct prog *p, long n);
/* Clears the bar; prints nothing else. */
void prog_free(struct prog *p);

#endif
