/* ops_priv.h - operations-model state shared by ops.c and disp.c only. */
#ifndef PATROLSIM_OPS_PRIV_H
#define PATROLSIM_OPS_PRIV_H

#include <stdbool.h>
#include "inc.h"
#include "nn.h"
#include "rng.h"
#include "ops.h"
#include "sim.h"
#include "spawn.h"
#include "stats.h"

enum unit_state {
    U_OFF,          /* off duty, or absent this shift */
    U_IDLE,         /* on duty and free; what it does is `act` */
    U_ENROUTE,
    U_ONSCENE,
    U_RETURNING,    /* driving back to base after a job */
    U_FOLLOWUP,     /* case team working a follow-up at its base */
};

/* What an idle unit is doing (docs/policing-model.md). */
enum idle_act {
    ACT_BASE,       /* at its base (waiting, or desk time) */
    ACT_PATROL,     /* driving to a patrol point */
    ACT_TO_VISIT,   /* driving to a community visit */
    ACT_VISIT,      /* on a community visit */
    ACT_TO_BASE,    /* driving back for desk time */
};

/* Fields in the order an incident touches them: the first 64 bytes (state
 * and current leg) on every event, the next line on dispatch and return,
 * the rest at shift changes and at the end.  Aligned to a cache line
 * (ops.c allocates the array aligned), so a unit's hot part is two lines. */
struct unit_rt {
    _Alignas(64) enum unit_state st;
    enum idle_act act;
    uint32_t ver;          /* bumped to cancel the pending activity event */
    int job;               /* job slot while en route / on scene, else -1 */
    double x0, y0, t0;     /* current leg: from (km) at t0 (min) ... */
    double x1, y1, t1;     /* ... to (km) at t1 (min); x1,y1 = where it is when still */

    double busy_since;     /* start of the current busy period, min */
    double act_since;      /* start of the current idle activity, min */
    double min_per_km;     /* travel minutes per km of road distance */
    double busy;           /* busy minutes inside the measured period */
    uint32_t jobs, away;   /* inside the measured period */
    bool shift_over;       /* the shift ended while busy: off when free */
    bool mobile;           /* in the mobile list (available away from base) */
    int mob_pos;

    double duty_since;     /* start of the current on-duty period, min */
    double shift_end;      /* end of the current shift, INFINITY if none */
    int shift_day;         /* roster day of the current or next shift */
    /* accumulated inside the measured period, minutes */
    double duty, overtime, community, patrol;
    uint32_t followups, shifts;
};

/* A job's phase: the civilian grid tier goes first for the types listing
 * grid_worker (docs/policing-model.md, "The civilian grid tier"). */
enum job_phase {
    PH_POLICE,      /* a police call from the start */
    PH_GRID_TRY,    /* a grid-first type not yet dispatched */
    PH_GRID,        /* a grid worker took it */
    PH_ESCALATED,   /* the grid worker did not resolve it: a police call now */
};

_Static_assert(ROLE_N <= 8, "job.roles holds the role mask in a byte");

struct job {
    struct inc inc;
    double t_dispatch;     /* first dispatch, min */
    double t_first;        /* first arrival on scene, NAN before */
    double u_resolve;      /* uniform for the on-scene resolution draw */
    double fu_min;         /* follow-up work if handed over, min */
    double remaining;      /* on-scene time left after a pre-emption, NAN none */
    int first_unit;        /* first unit on scene, -1 before */
    bool first_contact;    /* that unit is a home unit of the incident's grid */
    /* in the padding: the struct stays 128 bytes, two cache lines */
    unsigned char phase;   /* enum job_phase */
    unsigned char roles;   /* police roles eligible (never grid_worker; ROLE_N <= 8) */
    int need;              /* units still to send */
    int active;            /* units sent and not yet cleared */
    bool queued;           /* waited at some point */
    bool in_queue;
    uint16_t cmask;        /* crew classes eligible (ops.c, crew_classes; at most 16) */
    int qprev, qnext;      /* links in its priority's FIFO */
    int next_free;         /* free-list link while unused */
};

/* What the grid tier, first_response crews and spawns keep per job, beside
 * the job pool (ops.jx[slot]) so plain scenarios do not carry it. */
struct job_x {
    uint64_t key;          /* stream key of the incident (spawn.h) */
    double t_police;       /* first police unit on scene, NAN before */
    double police_tt;      /* grid phase: travel of the police unit that would have gone */
    int police_unit;       /* that unit, -1 before */
    int depth;             /* spawn generation, 0 exogenous */
    bool spawned;          /* created by consequences.csv */
    bool officer_due;      /* needs_officer = first_response: an officer unit must follow */
    bool officer_ok;       /* a unit with a sworn officer was sent */
};

/* A station's follow-up queue (FIFO ring of pending work). */
struct station_rt {
    double *fu_t, *fu_min; /* created at, duration */
    int head, n, cap;
    int *team;             /* case-team units of this station */
    int n_team;
    double load, handovers, served; /* counts in the measured period */
    struct stat_acc fu_wait;
    uint64_t unstaffed;
};

/* The scenario fields of a unit read for every call, in 4 bytes. */
struct unit_tag {
    unsigned char role;    /* enum unit_role */
    unsigned char idle;    /* enum idle_mode */
    unsigned short slot;   /* its (mode, role, crew class) index (ops.c nn_slot) */
};

struct ops;

/* A dispatch policy: which available eligible units a call gets.  select
 * returns the unit to send next, or -1 when none qualifies. */
struct disp_policy {
    const char *name;
    void *(*init)(const struct ops *o);
    void (*release)(void *state);
    int (*select)(const struct ops *o, void *state, const struct job *j);
};

const struct disp_policy *disp_find(const char *name);

struct ops {
    const struct scn *s;
    struct ops_blocks B;
    struct sim *sim;
    const struct disp_policy *pol;
    void *pol_state;
    uint64_t seed;
    int rep;

    struct unit_rt *u;
    struct nn **nn;        /* per (mode, role): units idle at their base */
    int *nn_item;          /* unit -> item in its (mode, role) index */
    int **nn_unit;         /* per (mode, role): item -> unit */
    int *mob;              /* available units away from base */
    int n_mob;
    int **grid_home;       /* grid -> home units, by post then file order */
    int *n_grid_home;
    int **home_post;       /* grid -> post of each of those units */
    int *grid_home1;       /* grid -> its only home unit, -1 if it has none or several */
    int **zone_units;      /* zone -> units based in the zone */
    int *n_zone_units;
    int *unit_zone;        /* unit -> zone of its base, -1 */
    int *unit_station;     /* unit -> station above its base, -1 */
    /* Compact copies of scenario fields read for every incident, so the hot
     * path touches small arrays instead of scattered scenario records. */
    struct unit_tag *tag;  /* unit -> role, idle mode, index slot */
    struct geo_pt *base_xy;/* unit -> its base's position, km */
    int *unit_home1;       /* unit -> its only home grid, -1 none, -2 several */
    signed char *unit_tier;/* unit -> tier of its base */
    int *grid_zone;        /* grid -> zone, -1 */
    /* Crew classes: a unit's (has an officer, crew size capped at the
     * largest min_crew); one class when no type constrains crews. */
    int n_cc;
    unsigned char *cclass; /* unit -> crew class (kept out of unit_tag: 4 bytes) */
    uint32_t *type_cmask;  /* type -> classes that may take it */
    unsigned *type_roles;  /* type -> its police roles (job.roles) */
    uint32_t officer_cmask;/* classes with a sworn officer */
    /* Organisational levels: units per group, team and station, and the
     * responsible unit of each grid (first A-post home unit, -1 none). */
    int **org_units[3];    /* [0] group, [1] team, [2] station (facility) -> units */
    int *n_org_units[3];
    int *grid_resp;
    /* The grid tier and endogenous demand (NULL / false when unused). */
    bool grid_on, spawn_on;
    bool plain_onscene;    /* no crew time, no grid tier: on scene = the drawn time */
    bool any_first_resp;   /* a type has needs_officer = first_response */
    struct spawn_q spawns;
    struct spawn_counts sp;
    uint64_t n_exo, n_spawned, n_sp_effect[2];
    uint64_t gt_first, gt_resolved, gt_escalated, gt_police;
    double gt_saved_min;
    struct stat_sum gt_esc_delay, gt_grid_resp, gt_police_resp, gt_esc_resp, gt_police_travel;
    double *gy_acc;        /* per type: OPS_N_GRIDTYPE counts */
    double *t_closed_esc;  /* per type: escalated grid calls the police closed */
    struct station_rt *st; /* per facility (only stations used) */

    struct job *job;
    struct job_x *jx;      /* beside job[], when grid_on, spawn_on or any_first_resp */
    bool use_jx;
    int n_job, free_job, active_jobs;
    int n_busy;            /* units en route, on scene, returning or on a follow-up */
    int n_avail;           /* units ops_available() accepts; none: no policy is asked */
    int pending_fu;        /* follow-ups waiting for a case-team unit */
    int qhead[10], qtail[10];  /* per priority index: FIFO of queued jobs */
    int qn;
    double q_busy_since;       /* when the queue last became non-empty, min */
    int q_at_horizon;          /* queue length at the horizon */
    double q_since_at_horizon; /* q_busy_since then, NAN if the queue was empty */

    const struct inc_source_type *src;
    void *src_state;
    struct inc next;
    bool has_next;
    gsl_rng *r_outcome;
    gsl_rng *r_patrol;         /* per unit, over patrol_st (rng_stream_bind) */
    struct rng_state *patrol_st;
    bool draw_resolve;         /* some resolution probability is in (0, 1) */
    bool one_event;            /* one calendar event per busy cycle (ops.c) */

    double warmup, horizon;   /* minutes */
    FILE *trace;
    struct ops_totals tot;

    /* collectors, incidents created after the warm-up only.  Means alone
     * are read, so plain sums (stat_sum) serve.  With one priority level
     * the per-priority collectors would receive exactly what the overall
     * ones do, and with one type so would the type histogram: then only
     * the overall ones are filled and read for both (split_prio,
     * split_type false). */
    struct stat_sum *p_resp;     /* per priority, [n_priorities + 1] (last: all) */
    struct stat_hist *p_hist;
    uint64_t *p_within;
    bool split_prio, split_type;
    struct stat_sum travel, wait_all, wait_queued;
    struct stat_hist wait_hist, travel_hist;
    uint64_t n_first, n_cross, n_cross_zone, n_queued, n_resolved, n_handover, n_done;
    uint64_t preemptions, ab_needed, ab_found, absent_shifts;
    int max_queue;
    double *g_acc;               /* per grid: OPS_N_GRID sums */
    double *h_acc;               /* per hour: sums */
    double *t_acc;               /* per type: sums */
    struct stat_hist *t_hist;    /* per type response */
    double *k_acc;               /* per tier: sums */
};

/* Can a unit in state r take an incident now (on duty, free or
 * interruptible)? */
static inline bool ops_rt_available(const struct unit_rt *r)
{
    return (r->st == U_IDLE) || (r->st == U_RETURNING && r->mobile);
}
static inline bool ops_available(const struct ops *o, int u)
{
    return ops_rt_available(&o->u[u]);
}
/* May unit u take a job needing `roles` and crew classes `cmask`? */
static inline bool ops_can_take(const struct ops *o, int u, unsigned roles, uint32_t cmask)
{
    return (roles >> o->tag[u].role & 1) && (o->n_cc == 1 || (cmask >> o->cclass[u] & 1));
}
/* Is unit u's role among `roles` (a bit set over enum unit_role)? */
static inline bool ops_role_in(const struct ops *o, int u, unsigned roles)
{
    return roles >> o->tag[u].role & 1;
}
/* Where unit u is now (inline: dispatch asks for every candidate). */
static inline void ops_unit_pos(const struct ops *o, int u, double *x, double *y)
{
    const struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    if (r->t1 <= r->t0 || now >= r->t1) {
        *x = r->x1;
        *y = r->y1;
        return;
    }
    if (now <= r->t0) {             /* a leg that starts later (whole_cycle) */
        *x = r->x0;
        *y = r->y0;
        return;
    }
    /* Straight-line interpolation: the remaining distance shrinks linearly
     * in time under either metric, as both are norms. */
    double f = (now - r->t0) / (r->t1 - r->t0);
    *x = r->x0 + (r->x1 - r->x0) * f;
    *y = r->y0 + (r->y1 - r->y0) * f;
}
/* Travel minutes for unit u from where it is to (x, y). */
static inline double ops_travel_to(const struct ops *o, int u, double x, double y)
{
    double ux, uy;
    ops_unit_pos(o, u, &ux, &uy);
    return scn_distance(o->s, ux, uy, x, y) * o->u[u].min_per_km;
}
/* Available unit with a role in `roles` and the least travel time to (x, y),
 * ties to the lowest index; -1 if none.  *tt receives the minutes. */
int ops_nearest_available(const struct ops *o, unsigned roles, double x, double y, double *tt);
/* The same among units whose crew class is in cmask. */
int ops_nearest_eligible(const struct ops *o, unsigned roles, uint32_t cmask, double x,
                         double y, double *tt);
/* The grid worker to send first to job j (a grid-first type): the grid's
 * home grid workers (by post, then travel), else the nearest, if it can
 * arrive within [dispatch] grid_first_max_min; -1 if none.  *tt: minutes. */
int disp_grid_select(const struct ops *o, const struct job *j, double *tt);

#endif
