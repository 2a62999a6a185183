/* ops.h - the operations model: units, dispatch, queue, service, metrics.
 *
 * One call runs one replication of a scenario to completion: incidents are
 * created over [0, horizon) and every one is served (the run drains).
 * Incidents created before the warm-up are simulated but not counted, and
 * officer time is measured from the warm-up to the last event.
 *
 * Unit cycle: idle at base -> en route -> on scene -> returning -> idle.
 * A returning unit may be re-dispatched ([dispatch] redispatch_returning),
 * from where it is on its way back; a unit finishing on scene takes the head
 * of the queue at once in that case, otherwise after reaching its base.
 * The queue is ordered by priority, then creation order.
 */
#ifndef PATROLSIM_OPS_H
#define PATROLSIM_OPS_H

#include <stdint.h>
#include <stdio.h>
#include "err.h"
#include "res.h"
#include "scn.h"

/* Metrics of the whole run (section "all"): X(enum, name, description). */
#define OPS_GLOBAL_METRICS(X) \
    X(G_INCIDENTS,      "incidents",             "incidents counted (created after warm-up)") \
    X(G_RESP_MEAN,      "response_mean_min",     "response time: creation to first unit on scene, mean") \
    X(G_RESP_P50,       "response_p50_min",      "response time, median") \
    X(G_RESP_P90,       "response_p90_min",      "response time, 90th percentile") \
    X(G_RESP_P95,       "response_p95_min",      "response time, 95th percentile") \
    X(G_WITHIN,         "within_target_share",   "share reached within their type's target") \
    X(G_TRAVEL_MEAN,    "travel_mean_min",       "travel time of the first unit, mean") \
    X(G_TRAVEL_P50,     "travel_p50_min",        "travel time of the first unit, median") \
    X(G_TRAVEL_P90,     "travel_p90_min",        "travel time of the first unit, 90th percentile") \
    X(G_FIRST_CONTACT,  "first_contact_rate",    "share whose first unit is a home unit of the grid") \
    X(G_CROSS_GRID,     "cross_grid_share",      "share served by a unit of another grid") \
    X(G_QUEUED,         "queued_share",          "share that waited for a free unit") \
    X(G_WAIT_MEAN,      "wait_mean_min",         "queue wait over all incidents, mean") \
    X(G_WAIT_QUEUED,    "wait_queued_mean_min",  "queue wait of those that waited, mean") \
    X(G_WAIT_P50,       "wait_p50_min",          "queue wait over all incidents, median") \
    X(G_WAIT_P90,       "wait_p90_min",          "queue wait over all incidents, 90th percentile") \
    X(G_MAX_QUEUE,      "max_queue",             "longest queue") \
    X(G_UTIL_MEAN,      "utilisation_mean",      "unit busy time / time, mean over units") \
    X(G_UTIL_MIN,       "utilisation_min",       "lowest unit utilisation") \
    X(G_UTIL_MAX,       "utilisation_max",       "highest unit utilisation") \
    X(G_UTIL_CV,        "utilisation_cv",        "coefficient of variation of unit utilisation") \
    X(G_HOURS,          "measured_hours",        "length of the measured period (warm-up to last event)")

/* Per priority level (section "priority", key = the level). */
#define OPS_PRIO_METRICS(X) \
    X(P_INCIDENTS,  "incidents",           "incidents of this priority") \
    X(P_RESP_MEAN,  "response_mean_min",   "response time, mean") \
    X(P_RESP_P50,   "response_p50_min",    "response time, median") \
    X(P_RESP_P90,   "response_p90_min",    "response time, 90th percentile") \
    X(P_RESP_P95,   "response_p95_min",    "response time, 95th percentile") \
    X(P_WITHIN,     "within_target_share", "share within target")

/* Per unit (section "unit", key = unit id). */
#define OPS_UNIT_METRICS(X) \
    X(U_UTIL,      "utilisation",       "busy time / measured time") \
    X(U_JOBS,      "incidents",         "incidents attended") \
    X(U_JOBS_DAY,  "incidents_per_day", "incidents attended per day") \
    X(U_AWAY,      "outside_home_share","share of its incidents outside its home grids")

/* Per grid (section "grid", key = grid id). */
#define OPS_GRID_METRICS(X) \
    X(R_INCIDENTS,  "incidents",          "incidents in this grid") \
    X(R_RESP_MEAN,  "response_mean_min",  "response time, mean") \
    X(R_WITHIN,     "within_target_share","share within target") \
    X(R_FIRST,      "first_contact_rate", "share first reached by a home unit") \
    X(R_QUEUED,     "queued_share",       "share that waited")

#define OPS_ENUM(e, name, desc) e,
enum { OPS_GLOBAL_METRICS(OPS_ENUM) OPS_N_GLOBAL };
enum { OPS_PRIO_METRICS(OPS_ENUM) OPS_N_PRIO };
enum { OPS_UNIT_METRICS(OPS_ENUM) OPS_N_UNIT };
enum { OPS_GRID_METRICS(OPS_ENUM) OPS_N_GRID };
#undef OPS_ENUM

/* Slot index helpers for a layout built by ops_layout. */
static inline size_t ops_slot_prio(int p, int m) { return OPS_N_GLOBAL + (size_t)p * OPS_N_PRIO + (size_t)m; }
static inline size_t ops_slot_unit(const struct scn *s, int u, int m)
{
    return OPS_N_GLOBAL + (size_t)s->n_priorities * OPS_N_PRIO + (size_t)u * OPS_N_UNIT + (size_t)m;
}
static inline size_t ops_slot_grid(const struct scn *s, int g, int m)
{
    return ops_slot_unit(s, s->n_units, 0) + (size_t)g * OPS_N_GRID + (size_t)m;
}
/* Observed timings (section "observed", inc.h INC_OBS_METRICS), present only
 * when the scenario's incident source observes them (ops_has_observed). */
static inline size_t ops_slot_obs(const struct scn *s, int m)
{
    return ops_slot_grid(s, s->n_grids, 0) + (size_t)m;
}
int ops_has_observed(const struct scn *s);

/* The result layout of a scenario's replications. */
void ops_layout(const struct scn *s, struct res_layout *L);
/* Description of a metric name (for reports); "" if unknown. */
const char *ops_metric_desc(const char *section, const char *metric);

/* Counts kept for checks (conservation) and benchmarks. */
struct ops_totals {
    uint64_t created;      /* incidents that entered, warm-up included */
    uint64_t completed;    /* incidents finished on scene */
    uint64_t in_system;    /* created - completed at the end (0 after a drain) */
    uint64_t events;       /* calendar events executed */
    unsigned calendar_growths; /* event-pool growths (0 when sized right) */
    double t_end;          /* time of the last event, minutes */
};

struct ops_params {
    uint64_t seed;
    int rep;
    FILE *trace;           /* optional per-incident CSV log, or NULL */
};

/* Runs one replication; fills out[L->n] (layout from ops_layout) and *tot.
 * Returns 0, or -1 with e set. */
int ops_run(const struct scn *s, const struct ops_params *p, double *out,
            struct ops_totals *tot, struct perr *e);

/* Header line of the trace CSV. */
extern const char ops_trace_header[];

#endif
