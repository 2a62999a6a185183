/* sweep.h - a sweep specification and its expansion into points.
 *
 * A sweep varies scenario overrides ("section.key=value", see model.h).  Its
 * specification is a list of axes, constraints and fixed overrides, given as
 * command-line flags or as lines of a SWEEPFILE (docs/sweeps.md):
 *
 *   vary KEY=VALUES        one axis; VALUES is a comma list whose items are
 *                          values or ranges "lo..hi" / "lo..hi step s"
 *   vary K1,K2=a:b,c:d     one lock-step axis: K1 and K2 move together,
 *                          each row gives one value per key, ':'-separated
 *   where EXPR             keep only the points where EXPR is true
 *   set KEY=VALUE          a fixed override applied to every point
 *
 * The points are the full factorial of the axes in the order given, the
 * first axis varying slowest (as nested loops written in that order), minus
 * those a constraint rejects; they are numbered 0..n-1 in that order, so the
 * same specification always gives the same numbering.  Range values are
 * computed as lo + i*s (never by accumulating s), integers stay integers,
 * and non-integers are printed with 15 significant digits, so a value's text
 * (which the result store hashes) is the same on every run.
 *
 * Cost: expansion is O(product of the axis sizes x constraint size); the
 * product is capped at SWEEP_MAX_POINTS.
 */
#ifndef PATROLSIM_SWEEP_H
#define PATROLSIM_SWEEP_H

#include "err.h"

#define SWEEP_MAX_POINTS 10000000L  /* full-factorial size before constraints */

/* One axis: n_keys keys varied together over n_rows rows. */
struct sweep_axis {
    int n_keys;
    char **key;            /* "section.key" */
    int n_rows;
    char **value;          /* n_rows x n_keys, row-major */
    char *origin;          /* where it was given, for messages */
};

struct sweep_where;        /* a compiled constraint (private) */

/* A specification owns all its strings.  Fill it with the add functions (or
 * sweep_read_file), then call sweep_finish once before sweep_expand. */
struct sweep_spec {
    int n_axes;
    struct sweep_axis *axis;
    int n_where;
    struct sweep_where **where;
    int n_set;
    char **set_key, **set_value, **set_origin;
    int finished;
};

void sweep_init(struct sweep_spec *s);
void sweep_release(struct sweep_spec *s);

/* Each takes the text after `--vary`/`--where`/`--set` (or after the word in
 * a SWEEPFILE) and `origin`, which prefixes every message: "--vary" for a
 * flag, "path:line: vary" for a file line.  0, or -1 with e set. */
int sweep_add_vary(struct sweep_spec *s, const char *arg, const char *origin, struct perr *e);
int sweep_add_where(struct sweep_spec *s, const char *expr, const char *origin,
                    struct perr *e);
int sweep_add_set(struct sweep_spec *s, const char *arg, const char *origin, struct perr *e);
/* Reads a SWEEPFILE: `vary`, `where` and `set` lines, blank lines, and '#'
 * comments (a '#' at the start of a line or after white space). */
int sweep_read_file(struct sweep_spec *s, const char *path, struct perr *e);

/* Checks the specification as a whole (at least one axis, no key varied or
 * set twice, constraints name known keys) and compiles the constraints. */
int sweep_finish(struct sweep_spec *s, struct perr *e);

/* The canonical text of a finished specification (one line per axis with
 * its values spelled out, constraint and set): recorded in the result store.
 * Caller frees. */
char *sweep_text(const struct sweep_spec *s);

/* The points: n rows of n_params values.  Strings are borrowed from the
 * specification, which must outlive the points. */
struct sweep_points {
    int n_params;          /* every axis's keys, in axis order */
    const char **name;
    int n;
    const char **value;    /* n x n_params */
};

int sweep_expand(const struct sweep_spec *s, struct sweep_points *P, struct perr *e);
void sweep_points_release(struct sweep_points *P);
/* Point i's assignment as one line, "k1=v1 k2=v2" (values with white space,
 * quotes or backslashes double-quoted and escaped): a canonical, injective
 * text used to recognise the same point across runs.  Caller frees. */
char *sweep_assignment(const struct sweep_points *P, int i);

/* One unit of work: replication `rep` of point `point`, named in the result
 * store by `key`.  A sweep's work is a plain array of these in (point, rep)
 * order, holding no pointers, so that it can be copied as it is to other
 * processes: `sweep --mpi` sends tasks one at a time to MPI ranks, which
 * load the points they need and return (task, row) to rank 0, and `--shard
 * I/N` keeps the tasks whose index is I-1 modulo N.  Nothing about a task
 * depends on which process or thread runs it. */
#define SWEEP_KEY_HEX 65           /* 64 hex digits + NUL */
struct sweep_task {
    int point, rep;
    char key[SWEEP_KEY_HEX];
};

/* The task key: SHA-256 of "scenario_hash\nrep\nversion\n", as hex.  The
 * scenario hash already covers every input, the overrides, seed and
 * horizon (prov.h); the version is named again so that a key never
 * survives a program change, whatever the hash covers. */
void sweep_task_key(const char *scenario_hash, int rep, const char *version,
                    char key[SWEEP_KEY_HEX]);

#endif
