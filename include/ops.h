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

#include <stdbool.h>
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
    X(G_FIRST_CONTACT,  "first_contact_rate",    "share whose first unit is a home unit of the grid (首接率)") \
    X(G_RESOLVED,       "resolution_rate",       "share closed on scene by the first contact (处结率)") \
    X(G_HANDOVER,       "handover_share",        "share handed over to a station's case team (移交)") \
    X(G_CROSS_GRID,     "cross_grid_share",      "share served by a unit of another grid") \
    X(G_CROSS_ZONE,     "cross_zone_share",      "share served by a unit of another zone (片区)") \
    X(G_QUEUED,         "queued_share",          "share that waited for a free unit") \
    X(G_WAIT_MEAN,      "wait_mean_min",         "queue wait over all incidents, mean") \
    X(G_WAIT_QUEUED,    "wait_queued_mean_min",  "queue wait of those that waited, mean") \
    X(G_WAIT_P50,       "wait_p50_min",          "queue wait over all incidents, median") \
    X(G_WAIT_P90,       "wait_p90_min",          "queue wait over all incidents, 90th percentile") \
    X(G_MAX_QUEUE,      "max_queue",             "longest queue") \
    X(G_PREEMPTIONS,    "preemptions",           "jobs pre-empted by more urgent calls") \
    X(G_STATION_LOAD,   "station_load_per_day",  "calls reaching stations per day: handovers + calls first served by station-based units") \
    X(G_FOLLOWUP_WAIT,  "followup_wait_mean_min","wait of follow-ups for a case-team unit, mean") \
    X(G_UNSTAFFED,      "handovers_unstaffed",   "handovers to a station with no case team") \
    X(G_AB_NEEDED,      "ab_cover_needed",       "shifts in which a grid's A post was absent") \
    X(G_AB_FOUND,       "ab_cover_found_share",  "share of those covered by a B or C post on duty (AB角)") \
    X(G_ABSENT_SHIFTS,  "absent_unit_shifts",    "unit shifts not run because every officer was absent") \
    X(G_UTIL_MEAN,      "utilisation_mean",      "unit busy time / on-duty time, mean over units") \
    X(G_UTIL_MIN,       "utilisation_min",       "lowest unit utilisation") \
    X(G_UTIL_MAX,       "utilisation_max",       "highest unit utilisation") \
    X(G_UTIL_CV,        "utilisation_cv",        "coefficient of variation of unit utilisation") \
    X(G_UTIL_MAXMIN,    "utilisation_max_min_ratio", "highest / lowest unit utilisation") \
    X(G_JOBS_SHIFT,     "incidents_per_shift_mean", "incidents per unit shift (per day when unrostered), mean over units") \
    X(G_JOBS_SHIFT_CV,  "incidents_per_shift_cv", "coefficient of variation of incidents per shift across units") \
    X(G_DUTY_OFFICER_H, "officer_hours_on_duty", "officer-hours on duty (officers x unit hours)") \
    X(G_OVERTIME_H,     "officer_overtime_hours", "officer-hours worked past the end of shifts") \
    X(G_COMMUNITY_SHARE,"community_time_share",  "community units: share of on-duty time in the community") \
    X(G_HOURS,          "measured_hours",        "length of the measured period (warm-up to last event)") \
    X(G_COLLAPSED,      "queue_collapsed",       "1 if the queue kept growing: not empty for the last quarter of the horizon (at least a day) and 10+ calls at its end") \
    X(G_COLLAPSE_DAY,   "queue_growth_start_day","collapsed runs: day (from t = 0) since which the queue never emptied") \
    X(G_QUEUE_HORIZON,  "queue_at_horizon",      "calls waiting when the last calls were created (the horizon)") \
    X(G_RD_MEAN,        "received_dispatched_mean_min", "received to first dispatch (call processing + queue wait), mean") \
    X(G_RD_P50,         "received_dispatched_p50_min",  "received to first dispatch, median") \
    X(G_RD_P90,         "received_dispatched_p90_min",  "received to first dispatch, 90th percentile") \
    X(G_DA_MEAN,        "dispatched_arrived_mean_min",  "first dispatch to first arrival (turnout + travel), mean") \
    X(G_DA_P50,         "dispatched_arrived_p50_min",   "first dispatch to first arrival, median") \
    X(G_DA_P90,         "dispatched_arrived_p90_min",   "first dispatch to first arrival, 90th percentile") \
    X(G_TURNOUT_MEAN,   "turnout_mean_min",      "first unit on scene: its dispatch to its departure, mean") \
    X(G_UNITS_PER_CALL, "units_per_call_mean",   "unit dispatches per completed call, mean") \
    X(G_WORKLOAD_SHARE, "workload_share",        "non-call workload time / on-duty time, over all units") \
    X(G_BRIEFING_SHARE, "briefing_share",        "shift briefing time / on-duty time, over all units") \
    X(G_STOOD_DOWN_H,   "stood_down_hours",      "unit-hours on shift but stood down by the strength table") \
    X(G_INTERRUPTS,     "workload_interruptions","workload periods interrupted by a call")

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
    X(U_UTIL,      "utilisation",        "busy time / on-duty time (overtime included)") \
    X(U_JOBS,      "incidents",          "incidents attended") \
    X(U_JOBS_SHIFT,"incidents_per_shift","incidents per shift worked (per day when unrostered)") \
    X(U_AWAY,      "outside_home_share", "share of its incidents outside its home grids") \
    X(U_DUTY_H,    "on_duty_hours",      "hours on duty in the measured period") \
    X(U_OVERTIME_H,"overtime_hours",     "hours worked past the end of shifts") \
    X(U_COMMUNITY_H,"community_hours",   "idle on-duty hours in the community (visits)") \
    X(U_PATROL_H,  "patrol_hours",       "idle on-duty hours patrolling") \
    X(U_FOLLOWUPS, "followups",          "follow-ups worked (case team)") \
    X(U_SHIFTS,    "shifts",             "shifts worked") \
    X(U_WORKLOAD_H,"workload_hours",     "hours of non-call workload (workload.csv)") \
    X(U_STOOD_H,   "stood_down_hours",   "hours on shift stood down by strength.csv (not on duty)")

/* Per grid (section "grid", key = grid id). */
#define OPS_GRID_METRICS(X) \
    X(R_INCIDENTS,  "incidents",          "incidents in this grid") \
    X(R_RESP_MEAN,  "response_mean_min",  "response time, mean") \
    X(R_WITHIN,     "within_target_share","share within target") \
    X(R_FIRST,      "first_contact_rate", "share first reached by a home unit") \
    X(R_RESOLVED,   "resolution_rate",    "share closed on scene by the first contact") \
    X(R_QUEUED,     "queued_share",       "share that waited") \
    X(R_RD_MEAN,    "received_dispatched_mean_min", "received to first dispatch, mean") \
    X(R_DA_MEAN,    "dispatched_arrived_mean_min",  "first dispatch to first arrival, mean")

/* By hour of day of creation (section "hour", key = 00..23), by incident
 * type (section "type"), by facility tier of the first unit's base
 * (section "tier"), and by station (section "station"). */
#define OPS_HOUR_METRICS(X) \
    X(H_INCIDENTS,  "incidents",          "incidents created in this hour of day") \
    X(H_RESP_MEAN,  "response_mean_min",  "response time, mean") \
    X(H_WITHIN,     "within_target_share","share within target") \
    X(H_FIRST,      "first_contact_rate", "first-contact rate") \
    X(H_QUEUED,     "queued_share",       "share that waited") \
    X(H_RD_MEAN,    "received_dispatched_mean_min", "received to first dispatch, mean") \
    X(H_DA_MEAN,    "dispatched_arrived_mean_min",  "first dispatch to first arrival, mean")

#define OPS_TYPE_METRICS(X) \
    X(T_INCIDENTS,  "incidents",          "incidents of this type") \
    X(T_RESP_MEAN,  "response_mean_min",  "response time, mean") \
    X(T_RESP_P90,   "response_p90_min",   "response time, 90th percentile") \
    X(T_WITHIN,     "within_target_share","share within target") \
    X(T_FIRST,      "first_contact_rate", "first-contact rate") \
    X(T_RESOLVED,   "resolution_rate",    "share closed on scene by the first contact") \
    X(T_HANDOVER,   "handover_share",     "share handed over") \
    X(T_RD_MEAN,    "received_dispatched_mean_min", "received to first dispatch, mean") \
    X(T_DA_MEAN,    "dispatched_arrived_mean_min",  "first dispatch to first arrival, mean")

#define OPS_TIER_METRICS(X) \
    X(K_UNITS,      "units",              "units based at facilities of this tier") \
    X(K_INCIDENTS,  "incidents_served",   "incidents whose first unit is based at this tier") \
    X(K_RESP_MEAN,  "response_mean_min",  "response time of those, mean") \
    X(K_UTIL,       "utilisation_mean",   "utilisation of its units, mean")

#define OPS_STATION_METRICS(X) \
    X(S_LOAD_DAY,     "load_per_day",       "handovers + calls first served by units based here, per day") \
    X(S_HANDOVER_DAY, "handovers_per_day",  "handovers received per day") \
    X(S_SERVED_DAY,   "served_per_day",     "calls first served by units based here, per day") \
    X(S_FU_WAIT,      "followup_wait_mean_min", "wait of follow-ups for a case-team unit, mean") \
    X(S_UNSTAFFED,    "handovers_unstaffed","handovers with no case team to take them")

/* Conditional blocks, present only when the scenario uses the mechanism, so
 * scenarios without it keep their layout and outputs byte for byte.  The
 * global ones are section "all" (key ""), after every other slot. */

/* Units with between_calls = community exist.  The key community_share is
 * a share of idle time; reports of community policing give shares of
 * working time (community_time_share above): both are reported. */
#define OPS_COMMUNITY_METRICS(X) \
    X(C_IDLE_SHARE,  "community_idle_share",  "community units: share of idle on-duty time in the community (what [staffing] community_share sets)") \
    X(C_CALL_SHARE,  "community_call_share",  "community units: share of on-duty time on calls (busy)")

/* The civilian grid tier (a grid_worker unit, or a type listing grid_worker).
 * "Counted calls" are those created after the warm-up. */
#define OPS_GRIDTIER_METRICS(X) \
    X(GT_FIRST_SHARE,   "grid_first_share",       "share of counted calls first handled by a grid worker") \
    X(GT_RESOLVED_SHARE,"grid_resolved_share",    "share of counted calls resolved at grid level (never reaching the police)") \
    X(GT_RESOLUTION,    "grid_resolution_rate",   "of the calls grid workers took, share they resolved") \
    X(GT_AVOIDED,       "police_calls_avoided",   "calls resolved at grid level: police calls avoided, per replication") \
    X(GT_AVOIDED_DAY,   "police_calls_avoided_per_day", "the same per day") \
    X(GT_POLICE_CALLS,  "police_calls",           "counted calls the police attended (sent directly or escalated)") \
    X(GT_SAVED_H,       "police_hours_saved",     "police busy hours avoided: over calls resolved at grid level, units_required x (the call's police on-scene time + 2 x the travel of the police unit that would have gone)") \
    X(GT_SAVED_H_DAY,   "police_hours_saved_per_day", "the same per day") \
    X(GT_ESCALATED,     "grid_escalations",       "calls a grid worker did not resolve, passed to the police") \
    X(GT_ESC_DELAY,     "escalation_delay_mean_min", "grid worker clears unresolved -> police call enters dispatch, mean") \
    X(GT_GRID_RESP,     "grid_response_mean_min", "received -> grid worker on scene, mean over calls grid workers took") \
    X(GT_POLICE_RESP,   "police_response_mean_min","received -> first police unit on scene, mean over calls the police attended") \
    X(GT_ESC_RESP,      "escalated_police_response_mean_min", "received -> first police unit on scene, mean over escalated calls") \
    X(GT_UTIL,          "grid_worker_utilisation", "grid workers: busy time / on-duty time, mean over grid workers") \
    X(GT_DUTY_H,        "grid_worker_hours_on_duty", "grid-worker hours on duty (members x unit hours)")

/* Per incident type (section "grid_type", key = type id), same condition. */
#define OPS_GRIDTYPE_METRICS(X) \
    X(GY_FIRST_SHARE,   "grid_first_share",    "share of this type's counted calls first handled by a grid worker") \
    X(GY_RESOLVED_SHARE,"grid_resolved_share", "share of this type's counted calls resolved at grid level") \
    X(GY_ESCALATED,     "grid_escalations",    "this type's calls escalated from a grid worker to the police")

/* Endogenous demand (consequences.csv has rows). */
#define OPS_DEMAND_METRICS(X) \
    X(D_EXOGENOUS,  "incidents_exogenous",   "counted incidents from the incident source") \
    X(D_SPAWNED,    "incidents_spawned",     "counted incidents spawned by consequences.csv") \
    X(D_REPEATS,    "spawned_repeats",       "of those, repeat calls") \
    X(D_ESCALATIONS,"spawned_escalations",   "of those, escalations into another type (民转刑)") \
    X(D_SHARE,      "spawned_share",         "spawned / all counted incidents") \
    X(D_BEYOND,     "spawns_beyond_horizon", "consequences of counted incidents that fell due after the horizon (not created)") \
    X(D_CAPPED,     "spawn_depth_capped",    "counted incidents at [incidents] max_spawn_depth, whose consequences were not drawn")

#define OPS_ENUM(e, name, desc) e,
enum { OPS_GLOBAL_METRICS(OPS_ENUM) OPS_N_GLOBAL };
enum { OPS_PRIO_METRICS(OPS_ENUM) OPS_N_PRIO };
enum { OPS_UNIT_METRICS(OPS_ENUM) OPS_N_UNIT };
enum { OPS_GRID_METRICS(OPS_ENUM) OPS_N_GRID };
enum { OPS_HOUR_METRICS(OPS_ENUM) OPS_N_HOUR };
enum { OPS_TYPE_METRICS(OPS_ENUM) OPS_N_TYPE };
enum { OPS_TIER_METRICS(OPS_ENUM) OPS_N_TIER };
enum { OPS_STATION_METRICS(OPS_ENUM) OPS_N_STATION };
enum { OPS_COMMUNITY_METRICS(OPS_ENUM) OPS_N_COMMUNITY };
enum { OPS_GRIDTIER_METRICS(OPS_ENUM) OPS_N_GRIDTIER };
enum { OPS_GRIDTYPE_METRICS(OPS_ENUM) OPS_N_GRIDTYPE };
enum { OPS_DEMAND_METRICS(OPS_ENUM) OPS_N_DEMAND };
#undef OPS_ENUM

/* Where each section starts in a replication's result vector; global
 * metrics come first, at their enum values. */
struct ops_blocks {
    size_t prio, unit, grid, hour, type, tier, station, ecdf, duty, obs, obs_ecdf, ovs, n;
    /* The conditional blocks: their offsets, or SIZE_MAX when absent. */
    size_t comm, gridt, gtype, demand;
    int n_stations;
    int *station_fac;      /* block row -> facility index */
};
/* For charts (section "ecdf", metric "within_share", key "P/M": share of
 * priority P's incidents, or "all/M" of every incident, reached within M
 * minutes; "wait/M" and "travel/M" the same for the queue wait (received to
 * first dispatch) and the first unit's travel, "dispatched_arrived/M" for
 * first dispatch to first arrival; M runs over ops_ecdf_min) and section "duty", metric
 * "units_on_duty", key 00..23: units on duty and present at half past that
 * hour, mean over the measured days.  A source with observed timings (a
 * replay) adds section "observed_ecdf", keys "response/M", "wait/M" and
 * "travel/M": the same shares over the log's received -> arrived,
 * received -> dispatched and dispatched -> arrived intervals, and section
 * "obsvsim" the call-by-call comparison of obsvsim.h. */
#define OPS_N_ECDF 42
extern const double ops_ecdf_min[OPS_N_ECDF];

/* Fills b for scenario s (b->station_fac is owned: ops_blocks_release). */
void ops_blocks(const struct scn *s, struct ops_blocks *b);
void ops_blocks_release(struct ops_blocks *b);

/* The result layout of a scenario's replications. */
void ops_layout(const struct scn *s, struct res_layout *L);
/* Description of a metric name (for reports); "" if unknown. */
const char *ops_metric_desc(const char *section, const char *metric);
/* Whether the scenario has the civilian grid tier (a grid_worker unit, or
 * a type listing grid_worker): then the grid-tier blocks exist. */
bool ops_has_grid_tier(const struct scn *s);
/* 1 if the scenario's incident source reports observed timings. */
int ops_has_observed(const struct scn *s);

/* Counts kept for checks (conservation) and benchmarks. */
struct ops_totals {
    uint64_t created;      /* incidents that entered, warm-up included */
    uint64_t completed;    /* incidents finished on scene */
    uint64_t in_system;    /* created - completed at the end (0 after a drain) */
    uint64_t events;       /* calendar events executed */
    unsigned calendar_growths; /* event-pool growths (0 when sized right) */
    double t_end;          /* time of the last event, minutes */
    bool prefetch;         /* memory was prefetched (a large model; ops.c ops_setup) */
    bool plain;            /* calls took the path without feature tests (ops.c arrive) */
};

/* Random-stream purposes of the CAD mechanisms (ops_cad.c), numbered far
 * from inc.h's enum rng_purpose so both lists can grow.  Never renumber. */
enum {
    RNG_CAD_CALLPROC = 101,    /* call-processing delay, keyed by incident */
    RNG_CAD_UNITS = 102,       /* units per call, keyed by incident */
    RNG_CAD_TURNOUT = 103,     /* turnout delays, keyed by unit */
    RNG_CAD_WORKLOAD = 104,    /* workload gaps and lengths, keyed by unit */
    RNG_CAD_STRENGTH = 105,    /* strength ranking, keyed by unit and day */
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

/* Header line of the trace CSV: one row per incident, written when it
 * completes.  Times in minutes from t = 0: created (received), dispatched
 * (first dispatch decision), arrived (first unit on scene), cleared (last
 * unit clears), departed (the first unit on scene leaves for it: its
 * dispatch plus turnout); hour = local clock hour of receipt; units = units
 * requested, units_sent = dispatches made; call_processing_min = the drawn
 * receipt-to-decision delay (the rest of dispatched - created is queueing). */
extern const char ops_trace_header[];

#endif
