/* ops_priv.h - operations-model state shared by ops.c and disp.c only. */
#ifndef PATROLSIM_OPS_PRIV_H
#define PATROLSIM_OPS_PRIV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "inc.h"
#include "nn.h"
#include "rng.h"
#include "ops.h"
#include "sim.h"
#include "spawn.h"
#include "stats.h"
#include "trv.h"

enum unit_state {
    U_OFF,          /* off duty, or absent this shift */
    U_IDLE,         /* on duty and free; what it does is `act` */
    U_ENROUTE,
    U_ONSCENE,
    U_RETURNING,    /* driving back to base after a job */
    U_FOLLOWUP,     /* case team working a follow-up at its base */
    U_HELD,         /* on duty, not dispatchable: briefing, workload, stood down (ops_cad.c) */
};

/* What an idle unit is doing (docs/policing-model.md). */
enum idle_act {
    ACT_BASE,       /* at its base (waiting, or desk time) */
    ACT_PATROL,     /* driving to a patrol point */
    ACT_TO_VISIT,   /* driving to a community visit */
    ACT_VISIT,      /* on a community visit */
    ACT_TO_BASE,    /* driving back for desk time */
};

/* One row of a breakdown table, for the counted incidents of a grid, an
 * hour, a type or a tier: counts as integers (exact, one add each on the
 * path of every call), sums of minutes for the means.  Not every table
 * fills every field (results reads what it fills). */
struct tally {
    uint64_t n;                 /* first arrivals */
    uint64_t within, first, queued;
    uint64_t resolved;          /* at completion (handovers: ops.t_handover, by type only) */
    double resp;                /* response minutes */
    double rd, da;              /* received -> dispatched, dispatched -> arrived (by_interval) */
};
/* One cache line a row (ops_setup allocates the rows aligned), so that a
 * call touches one line of its grid's row, and a row's address is a shift. */
_Static_assert(sizeof(struct tally) == 64, "a breakdown row is one cache line");

/* A row of a breakdown as the path of every call fills it: its counts n,
 * within, first, queued and resolved packed in fields of OPS_PK_BITS bits
 * (n the lowest), so that a call adds one word a row (ops.c pk_word)
 * instead of five counts, and the sum of its response minutes.  A row is
 * folded into its struct tally's 64-bit counts before its n field, which
 * no other field exceeds, can pass OPS_PK_MAX (ops.c: a grid's row when
 * its n field reaches it, the hour and type rows all together every
 * OPS_PK_MAX calls, and all of them before the results are read).  The
 * sum stays here, in the order of the calls: no count to wrap.
 * 16 bytes, so that on a large city, where the grids' rows are among what
 * a call reads at random, four share a line (bench-city S = 128: 256 KB of
 * grid rows). */
enum { OPS_PK_BITS = 12, OPS_PK_MAX = (1 << OPS_PK_BITS) - 1 };
enum { PK_N, PK_WITHIN, PK_FIRST, PK_QUEUED, PK_RESOLVED, PK_FIELDS };
_Static_assert(PK_FIELDS * OPS_PK_BITS <= 64, "the packed counts fit a word");
struct ptally {
    uint64_t pk;
    double resp;
};
_Static_assert(sizeof(struct ptally) == 16, "four rows a cache line");

/* Fields in the order an incident touches them: the first 64 bytes (state,
 * the leg's end, the busy period, its bits in its spatial index and the
 * counts) on every dispatch and return, which is all of the unit the plain
 * path (ops.c arrive_in) and back_idle read or write; the second line (the
 * leg, the unit's job, the idle activity's start) on the other paths;
 * the rest at shift changes and at the end.  Aligned to a cache line
 * (ops.c allocates the array aligned), so that a busy cycle on the plain
 * path touches one line of its unit and the calendar's prefetch of the
 * next unit (evq_prefetch_records) fetches what its return reads. */
struct unit_rt {
    _Alignas(64) enum unit_state st;
    enum idle_act act;
    uint32_t ver;          /* bumped to cancel the pending activity event */
    uint32_t jobs;         /* inside the measured period (and away) */
    double t1;             /* the current leg's end (min): see x1, y1 */
    double busy_since;     /* start of the current busy period, min */
    double busy;           /* busy minutes inside the measured period */
    struct nn_ref nn;      /* its item's bits in its spatial index (static), so that
                            * leaving or rejoining the index reads no record of it */
    uint32_t away;         /* jobs outside its home grids */
    bool shift_over;       /* the shift ended while busy: off when free */
    bool mobile;           /* in the mobile list (available away from base) */
    bool in_nn;            /* in its spatial index (idle at base) */

    _Alignas(64) int job;  /* job slot while en route / on scene, else -1 */
    int mob_pos;
    double act_since;      /* start of the current idle activity, min; set only for
                            * those whose minutes count (patrol, a visit and the way
                            * to it: next_activity), not for ACT_BASE */
    double x0, y0, t0;     /* current leg: from (km) at t0 (min) ... */
    double x1, y1;         /* ... to (km) at t1; where it is when still, or once t1
                            * has passed (ops_unit_pos), whatever x0, y0, t0 hold */
    double duty_since;     /* start of the current on-duty period, min */
    double shift_end;      /* end of the current shift, INFINITY if none */
    int shift_day;         /* roster day of the current or next shift */
    /* accumulated inside the measured period, minutes */
    double duty, overtime, community, patrol;
    uint32_t followups, shifts;
};
_Static_assert(offsetof(struct unit_rt, in_nn) < 64 && offsetof(struct unit_rt, job) == 64,
               "the plain path's fields are the unit record's first line");

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
    unsigned char n_req;   /* units requested by units_per_call.csv (<= 50); 0: units_required */
    /* in the padding: the struct stays 128 bytes, two cache lines */
    unsigned char phase;   /* enum job_phase */
    unsigned char roles;   /* police roles eligible (never grid_worker; ROLE_N <= 8) */
    int need;              /* units still to send */
    int active;            /* units sent and not yet cleared */
    bool queued;           /* waited at some point */
    bool in_queue;
    unsigned short resent; /* units pre-empted off it (each sent again): dispatches = n_req + resent */
    uint16_t cmask;        /* crew classes eligible (ops.c, crew_classes; at most 16) */
    int qprev, qnext;      /* links in its priority's FIFO */
    int next_free;         /* free-list link while unused */
};

/* What the trace adds per job, beside o->job (only with a trace, so that
 * struct job stays two cache lines). */
struct job_trace {
    double cp_min;         /* call-processing delay drawn, min */
    double t_depart;       /* departure of the first unit on scene */
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

/* The scenario fields of a unit read for every call, in 6 bytes. */
struct unit_tag {
    unsigned char role;    /* enum unit_role */
    unsigned char idle;    /* enum idle_mode */
    unsigned short slot;   /* its (mode, role, crew class) index (ops.c nn_slot) */
    unsigned char mode;    /* index into scn.modes: the travel model's speed */
    unsigned char homed;   /* it has a home grid: a first arrival elsewhere is cross-grid */
};

/* A grid's only home unit, -1 if it has none or several; and where the
 * plain path (ops.c plain_select) finds whether that unit is free: its
 * slot in the plain_nn index, whose bit is set exactly when the unit is
 * available there (idle at its base), so that a call whose home unit is
 * busy reads nothing of the unit.  pos is OPS_NO_POS when there is no such
 * unit, no plain_nn, or the unit is not in it (a role the call may not
 * take). */
struct grid_home1 {
    int u;
    uint32_t pos;
};
#define OPS_NO_POS UINT32_MAX

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

struct obsvsim;

struct ops {
    const struct scn *s;
    struct ops_blocks B;
    struct obsvsim *ovs;   /* observed vs simulated collector, NULL without a log */
    struct sim *sim;
    const struct disp_policy *pol;
    void *pol_state;
    uint64_t seed;
    int rep;

    struct unit_rt *u;
    struct nn **nn;        /* per (mode, role): units idle at their base */
    int **nn_unit;         /* per (mode, role): item -> unit */
    double *mode_mpk;      /* per mode: travel minutes per km (a unit's, by its mode) */
    unsigned *mode_roles;  /* per mode: the roles some unit of that mode has (the indexes
                              the nearest-idle search need visit) */
    int plain_nn;          /* the plain path's dispatch (ops.c plain_select): the one type's
                            * sole_nn index when the policy is nearest_idle with home_first,
                            * there are no zones, one crew class and a metric without bands;
                            * -1: the policy's select */
    int *sole_nn;          /* per role mask (< 1 << ROLE_N): its one index with units (mode
                            * * ROLE_N + role) when there is one, else -1 (one crew class) */
    int *mob;              /* available units away from base */
    int n_mob;
    int **grid_home;       /* grid -> home units, by post then file order */
    int *n_grid_home;
    int **home_post;       /* grid -> post of each of those units */
    int *home_store;       /* the two lists' storage, one block */
    struct grid_home1 *grid_home1;  /* grid -> its only home unit (see the struct) */
    int **zone_units;      /* zone -> units based in the zone */
    int *n_zone_units;
    int *unit_zone;        /* unit -> zone of its base, -1 */
    bool zoned;            /* the scenario has zones (片区): cross-zone support is counted */
    int *unit_station;     /* unit -> station above its base, -1 */
    /* Compact copies of scenario fields read for every incident, so the hot
     * path touches small arrays instead of scattered scenario records. */
    struct unit_tag *tag;  /* unit -> role, idle mode, index slot */
    /* The tag every unit of plain_nn has when they all have the same
     * (tag1_ok), which the plain path then reads for any unit it sends
     * (ops.c tag_of): a call may take no unit outside plain_nn. */
    struct unit_tag tag1;
    bool tag1_ok;
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
    struct job *job_tmpl;  /* type -> a new job of it before its incident (job_init) */
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
    uint64_t *t_handover;  /* per type: calls handed over at completion */
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
    /* The stream is read OPS_AHEAD incidents ahead (pull_ahead() in ops.c), so
     * that the records they will touch can be fetched from memory while
     * the events before them run: nx[] is a ring of nx_n incidents from
     * nx_at, *next (= nx[nx_at]) arrives next, has_next = nx_n > 0. */
#define OPS_AHEAD 4
#define OPS_PREFETCH_BYTES (1u << 21)   /* see ops_setup */
    struct inc nx[OPS_AHEAD], *next;
    unsigned nx_at, nx_n;
    bool has_next, src_done;
    double next_at;            /* the next arrival's time (note_next_at in ops.c) */
    bool prefetch;             /* records too big for a cache: prefetch them (ops_setup) */
    bool q_any;                /* every unit may take every job (ops_setup, q_first_for) */
    bool trv_sym;              /* a leg takes the same minutes both ways (metric, no bands) */
    gsl_rng *r_outcome;
    gsl_rng *r_patrol;         /* per unit, over patrol_st (rng_stream_bind) */
    struct rng_state *patrol_st;
    bool draw_resolve;         /* some resolution probability is in (0, 1) */
    bool one_event;            /* one calendar event per busy cycle (ops.c) */
    bool plain;                /* one_event and none of the features an exogenous call's
                                * path tests (ops_setup): arrive's copy for it tests none */

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
    uint64_t *p_within;          /* per priority (split_prio); all: the types' sum */
    bool split_prio, split_type;
    struct stat_sum travel, wait_all, wait_queued;
    struct stat_hist wait_hist, travel_hist;
    uint64_t n_nowait;           /* plain calls not queued: into wait_all and
                                  * wait_hist at fold_all */
    /* The responses that were all travel (no wait), counted once here for
     * both the overall response and the travel histogram, which hold the
     * other calls' values during the run (fold_all merges it into
     * both at the end): one histogram line a call instead of two.  Its
     * values are added in batches (same_buf), flushed in fold_all. */
    struct stat_hist same_hist;
    struct stat_hbuf same_buf;
    uint64_t n_cross, n_cross_zone;
    uint64_t preemptions, ab_needed, ab_found, absent_shifts;
    int max_queue;
    /* The breakdowns, by grid, hour of day of creation, type and tier of
     * the first unit's base; the overall counts are their sums (results). */
    struct ptally *g_tal;        /* per grid, packed (struct ptally) */
    struct tally *g_tot;         /* per grid: g_tal's counts folded, and rd, da */
    struct ptally *h_pk, *t_pk;  /* per hour, per type, packed: folded into h_tal, t_tal */
    uint32_t pk_fold_at;         /* a row is folded at this n (OPS_PK_MAX) */
    uint32_t pk_left;            /* calls into h_pk, t_pk before their next fold */
    struct tally *h_tal, *t_tal, *k_tal;
    int one_tier;                /* the tier of every unit when its k_tal row is the
                                  * overall collector's (ops_setup), else -1 */
    struct stat_hist *t_hist;    /* per type response */

    /* First dispatch to first arrival: equal to the first unit's travel
     * unless turnout, crews or pre-emption separate them (da_own), when it
     * has its own collectors. */
    bool da_own;
    struct stat_sum da;
    struct stat_hist da_hist;
    uint64_t units_sent;         /* units_per_call.csv: units requested by counted calls */
    double clock0_min;           /* local minute of the week (0 = Monday 00:00) at t = 0 */
    double day0;                 /* hour_of_day's day: a multiple of 1440, or -inf */

    /* CAD mechanisms (ops_cad.c); NULL when the scenario has none of them. */
    struct ops_cad *cad;
    struct job_trace *jtr;       /* per job slot, with a trace only */
    bool cad_cp, cad_upc, cad_turnout, cad_hold;   /* which are on */
    bool arrive_cad;             /* a call-processing delay, units per call or a trace:
                                    arrivals call ops_cad_arrive */
    bool by_interval;            /* the interval metrics by hour, type, grid are kept */
    bool rec_extra;              /* by_interval or a trace: record_intervals runs */
};

/* ---- CAD mechanisms (ops_cad.c) -----------------------------------------------
 * Call processing by type and hour, units per call, turnout by state, and
 * units that are on duty but not free (briefing, strength, workload): the
 * hooks ops.c calls, each only when its mechanism is on.  Event kinds from
 * OPS_EV_CAD on are ops_cad_event's. */
enum { OPS_EV_CAD = 64, OPS_EV_CAD_HOLD_END = OPS_EV_CAD, OPS_EV_CAD_WL, OPS_EV_CAD_HOUR,
       OPS_EV_CAD_RERANK };

/* 0, or -1 with e set; allocates o->cad when any mechanism is on. */
int ops_cad_setup(struct ops *o, struct perr *e);
void ops_cad_release(struct ops *o);
/* A new call: sets the units requested (jb->need, n_req); returns its
 * call-processing delay.  key: the incident's stream key (spawn.h: its
 * sequence number for an exogenous call); r: the stream the [dispatch]
 * call_processing* keys draw from (the outcome stream, or a spawned
 * incident's own). */
double ops_cad_arrive(struct ops *o, struct job *jb, uint64_t key, gsl_rng *r);
/* What u was doing (its state `was` before assign), as a turnout state. */
int ops_cad_turnout_state(const struct ops *o, int u, int was);
/* u's leg to the scene was just set from now: delays it by its turnout. */
void ops_cad_turnout(struct ops *o, int u, int state);
/* u cleared a call at t (the start of its "just cleared" window). */
void ops_cad_cleared(struct ops *o, int u, double t);
/* The first unit u reached counted call jb: turnout statistics. */
void ops_cad_first(struct ops *o, int u, const struct job *jb);
/* u is free (become_free): phase 0 before the queue (stood down: held), 1
 * after it (interrupted workload resumes).  true if u is now held. */
bool ops_cad_free(struct ops *o, int u, int phase);
/* u is stood down by the strength table (not dispatchable when returning). */
bool ops_cad_stood_down(const struct ops *o, int u);
/* u has just become idle: its next workload period. */
void ops_cad_idle(struct ops *o, int u);
/* u comes on duty for a shift that began at shift_start (may be < now):
 * true if briefing or strength hold it. */
bool ops_cad_shift_start(struct ops *o, int u, double shift_start);
void ops_cad_shift_end(struct ops *o, int u);
/* u goes off duty / the measured period closes: its hold is accounted. */
void ops_cad_off(struct ops *o, int u);
/* A unit whose workload may be interrupted for j (eligible, nearest), taken
 * off its workload and ready for assign; -1 if none. */
int ops_cad_interrupt(struct ops *o, const struct job *j);
void ops_cad_event(struct ops *o, uint32_t kind, int u, uint32_t ver);
/* The CAD slots of a replication's results (global and per unit). */
void ops_cad_results(const struct ops *o, double *out);
/* Local clock hour (0..23) of time t. */
int ops_clock_hour(const struct ops *o, double t);

/* ops.c internals for ops_cad.c. */
void ops__hold(struct ops *o, int u);          /* u out of service where it is (U_HELD) */
void ops__become_free(struct ops *o, int u);   /* u free again: queue, idle activity */
double ops__clip(const struct ops *o, double a, double b);
void ops__place(struct ops *o, int u);         /* into the index its state calls for */
bool ops__closed(const struct ops *o);

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
PS_HOT double ops_travel_to(const struct ops *o, int u, double x, double y)
{
    double ux, uy;
    ops_unit_pos(o, u, &ux, &uy);
    const struct trv *t = o->s->trv;
    /* The inline metric path reads no clock (sim_now is a call). */
    int m = o->tag[u].mode;
    return trv_time_mpk(t, m, o->mode_mpk[m], ux, uy, x, y, t->fast ? NAN : sim_now(o->sim));
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
