/* store.h - the result store of a sweep: one SQLite database.
 *
 * The store knows tasks, points, parameters, named result slots and
 * provenance text; nothing about any model.  A store holds one sweep at a
 * time (its specification, points and their layouts), and tasks, which are
 * keyed by content: a task's key is a hash of (resolved-scenario hash,
 * replication, program version) computed by the caller, and its results
 * belong to every point with that scenario hash.  So rerunning a sweep skips
 * what is stored, more replications extend it, and a changed specification
 * reuses the points it shares with the old one.
 *
 * Durability: every finished task is one transaction (its task row and all
 * its values), so a task is stored whole or not at all.  The database runs
 * in WAL mode with synchronous=NORMAL: a commit is then a write() into the
 * WAL without fsync.  Killing the process (SIGKILL, a crash) loses nothing
 * that was committed, because the data is already in the operating system's
 * page cache; only a power loss or kernel crash can lose the last few
 * commits, and even then the database is never corrupt (WAL frames are
 * checksummed and a torn tail is discarded).  Losing a few tasks on power
 * loss costs only their recomputation, so FULL (an fsync per task) is not
 * worth its cost here.
 *
 * Costs: store_put is one short transaction (~n_slots inserts); store_has
 * one primary-key lookup; store_export one indexed query per point.
 *
 * One thread at a time may use a struct store (the task pool's done
 * callback is serialised, see exp.h).
 */
#ifndef PATROLSIM_STORE_H
#define PATROLSIM_STORE_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "res.h"

struct store;

/* One point of the sweep, as the caller resolved it. */
struct store_point {
    const char *assign;    /* canonical assignment (sweep_assignment): identifies
                              the point across runs */
    const char *hash;      /* resolved-scenario hash, hex */
    int n_params;
    const char *const *name, *const *value;     /* the parameter assignment */
    int n_prov;
    const char *const *prov_key, *const *prov_value;   /* provenance */
    const struct res_layout *layout;            /* the point's result slots */
};

struct store_sweep {
    const char *spec;      /* canonical specification text */
    const char *model, *version;
    int reps;              /* replications per point (what export reads) */
    int n_points;
    const struct store_point *point;
};

enum { STORE_CREATE = 1 };

/* Opens the store at path; with STORE_CREATE creates it if missing.  Refuses
 * files that are not patrolsim stores.  NULL with e set. */
struct store *store_open(const char *path, int flags, struct perr *e);
void store_close(struct store *s);

/* Makes sw the store's sweep.  A point whose assignment was stored before
 * with a different scenario hash, and whose old tasks are still stored,
 * means the inputs changed: without force that is an error naming the point
 * and the provenance entries that differ; with force those tasks are
 * deleted.  One transaction.  0, or -1 with e set. */
int store_begin(struct store *s, const struct store_sweep *sw, int force, struct perr *e);

/* 1 if the task key is stored, 0 if not, -1 with e set. */
int store_has(struct store *s, const char *key, struct perr *e);

/* Stores one finished task of point `point` (an index into the sweep given
 * to store_begin): row holds that point's layout->n values (NAN: undefined).
 * A key already stored is left as it is.  0, or -1 with e set. */
int store_put(struct store *s, const char *key, int point, int rep, uint64_t seed,
              const double *row, struct perr *e);

/* Writes the sweep's results as CSV to fp, one row per point in point order
 * (or, with per_rep, one per stored replication): the parameters, then
 * `replications` and each metric's mean, ci95_low and ci95_high (Student t
 * 95% across replications, clipped to the slot's range), or `rep` and each
 * metric's value.  Metrics are those of every point, in the first point's
 * order, or the comma-separated res_lookup names in `metrics` (may be NULL).
 * The bytes depend only on the stored values, never on the order in which
 * tasks were stored.  0, or -1 with e set. */
int store_export(struct store *s, FILE *fp, int per_rep, const char *metrics,
                 struct perr *e);

/* Writes DIR/sweep.csv (store_export) and DIR/replications.csv (per_rep),
 * both or neither.  0, or -1 with e set. */
int store_export_dir(struct store *s, const char *dir, const char *metrics, struct perr *e);

/* 0 when stores a and b hold the same sweep: program version, model,
 * replications, specification and every point's assignment and scenario
 * hash.  Otherwise -1 with e naming both stores and the first difference. */
int store_same_sweep(struct store *a, struct store *b, struct perr *e);

/* Adds to s the tasks of the sweep in src that s lacks, in one transaction;
 * an empty s first gets src's sweep (points, parameters, layouts,
 * provenance), otherwise the two must hold the same sweep.  Only tasks of
 * the sweep's points are copied.  *added: tasks copied.  src must be
 * another file than s.  0, or -1 with e set. */
int store_merge(struct store *s, struct store *src, long *added, struct perr *e);

/* Tasks stored for the current sweep's points (replications < reps), and
 * the number expected (points x reps).  0, or -1 with e set. */
int store_progress(struct store *s, long *stored, long *expected, struct perr *e);

#endif
