/* ops_priv.h - operations-model state shared by ops.c and disp.c only. */
#ifndef PATROLSIM_OPS_PRIV_H
#define PATROLSIM_OPS_PRIV_H

#include <stdbool.h>
#include "inc.h"
#include "nn.h"
#include "ops.h"
#include "sim.h"
#include "stats.h"

enum unit_state { U_IDLE, U_ENROUTE, U_ONSCENE, U_RETURNING };

struct unit_rt {
    enum unit_state st;
    uint32_t ver;          /* bumped to cancel the pending event lazily */
    int job;               /* job slot while en route / on scene, else -1 */
    double x0, y0, t0;     /* current leg: from (km) at t0 (min) ... */
    double x1, y1, t1;     /* ... to (km) at t1 (min) */
    double busy_since;     /* start of the current busy period, minutes */
    double busy;           /* busy minutes inside the measured period */
    double min_per_km;     /* travel minutes per km of road distance */
    int ret_pos;           /* position in the returning list, or -1 */
    uint32_t jobs, away;   /* counted incidents; those outside home grids */
};

struct job {
    struct inc inc;
    double t_dispatch;
    int unit;
    bool queued;
    int next_free;         /* free-list link while unused */
};

struct ops;

/* A dispatch policy: candidate order over available units.  select returns
 * the unit to send, or -1 to queue the incident. */
struct disp_policy {
    const char *name;
    void *(*init)(const struct ops *o);
    void (*release)(void *state);
    int (*select)(const struct ops *o, void *state, const struct job *j);
};

const struct disp_policy *disp_find(const char *name);

struct ops {
    const struct scn *s;
    struct sim *sim;
    const struct disp_policy *pol;
    void *pol_state;

    struct unit_rt *u;
    struct nn **nn;        /* per mode: idle units at their base */
    int *nn_item;          /* unit -> item index in its mode's nn */
    int **nn_unit;         /* per mode: item -> unit */
    int *ret;              /* units returning and dispatchable */
    int n_ret;
    int **grid_home;       /* grid -> home units */
    int *n_grid_home;

    struct job *job;
    int n_job, free_job;
    int *q;                /* binary heap of queued job slots */
    int qn, qcap;

    const struct inc_source_type *src;
    void *src_state;
    struct inc next;
    bool has_next;

    double warmup;         /* minutes */
    FILE *trace;
    struct ops_totals tot;

    /* collectors, incidents created after the warm-up only */
    struct stat_acc *p_resp;     /* per priority, [n_priorities + 1] (last: all) */
    struct stat_hist *p_hist;
    uint64_t *p_within;
    struct stat_acc travel, wait_all, wait_queued;
    struct stat_hist wait_hist, travel_hist;
    uint64_t n_first, n_cross, n_queued;
    int max_queue;
    uint64_t *g_n, *g_within, *g_first, *g_queued;
    double *g_resp;
};

/* Available = idle at base, or returning when re-dispatch is allowed. */
static inline bool ops_available(const struct ops *o, int u)
{
    return o->u[u].st == U_IDLE || (o->u[u].st == U_RETURNING && o->u[u].ret_pos >= 0);
}
/* Where unit u is now (only meaningful for available units). */
void ops_unit_pos(const struct ops *o, int u, double *x, double *y);
/* Available unit with the least travel time to (x, y), ties to the lowest
 * index; -1 if none.  *tt receives the travel minutes. */
int ops_nearest_available(const struct ops *o, double x, double y, double *tt);

#endif
