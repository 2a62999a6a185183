/* obsvsim.h - observed vs simulated response intervals of a replayed log.
 *
 * For a replay whose log has received, dispatched and arrived stamps, each
 * replication sets every call's simulated intervals beside the ones the log
 * recorded for the same call: received -> dispatched, dispatched -> arrived
 * (first unit) and received -> arrived.  Both sides are measured the way a
 * CAD log measures them: simulated stamps are cut to the clock minute
 * before differencing, as the log's HH:MM stamps are.  An interval is
 * compared on the calls where the log has it (both stamps, in order), so
 * the two samples are the same calls.
 *
 * Groups: `all`; hour band of the received time (`hour:00-06`, ...); zone
 * (`zone:<grid id>`); call type (`type:<incident type id>`); and whether
 * the log has a dispatch stamp (`dispatch_stamp:yes|no`, received ->
 * arrived only has calls in `no`).  Per group and interval the replication
 * slots hold the count, median, mean and p90 of each side and the
 * two-sample Kolmogorov-Smirnov distance; the across-replication summary
 * gives the CIs (res.h).
 *
 * Cost: O(calls) memory per replication (three doubles and the group keys
 * per call); the statistics sort each group's samples once per
 * replication, O(groups x calls log calls).
 */
#ifndef PATROLSIM_OBSVSIM_H
#define PATROLSIM_OBSVSIM_H

#include <stdio.h>
#include "err.h"
#include "inc.h"
#include "outf.h"
#include "res.h"
#include "scn.h"

struct obsvsim;

/* Replication slots the comparison adds for s (0 when s's source has no
 * observed timings), and their names appended to L in slot order. */
size_t obsvsim_n_slots(const struct scn *s);
void obsvsim_layout(const struct scn *s, struct res_layout *L);

/* One replication's collector; NULL when s has no observed timings. */
struct obsvsim *obsvsim_new(const struct scn *s);
void obsvsim_free(struct obsvsim *v);
/* A measured call: in carries the log's intervals (inc.h obs_*), t_dispatch
 * and t_first the simulated dispatch and first arrival, minutes. */
void obsvsim_add(struct obsvsim *v, const struct inc *in, double t_dispatch, double t_first);
/* Writes the obsvsim_n_slots(s) slots of the replication into out. */
void obsvsim_finish(struct obsvsim *v, double *out);

/* The text table (overall rows and received -> arrived by hour band). */
void obsvsim_print(FILE *fp, const struct scn *s, const struct res_layout *L,
                   const struct res_summary *S);
/* DIR/observed_vs_simulated.csv: interval, group, statistic, observed,
 * simulated, ci95_low, ci95_high, rel_error (one row per interval, group
 * and statistic n, median, mean, p90, ks). */
int obsvsim_write(struct outf *o, const char *dir, const struct scn *s,
                  const struct res_layout *L, const struct res_summary *S, struct perr *e);

/* Two-sample Kolmogorov-Smirnov distance sup |F_a - F_b| of two sorted
 * samples (ties handled); NAN if either is empty. */
double obsvsim_ks(const double *a, size_t na, const double *b, size_t nb);

#endif
