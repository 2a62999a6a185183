/* ops_cad.c - the CAD mechanisms of the operations model: call processing
 * by type and hour, units per call, turnout by what the unit was doing, and
 * units on duty that are not free (shift briefing, on-duty strength by hour
 * of the week, non-call workload).  The tables are scn_cad.c's; the rules
 * are documented in docs/scenario-format.md ("Call processing, availability,
 * turnout and crews").  ops.c calls the hooks (ops_priv.h) only when the
 * mechanism is on, so a scenario without the tables runs as before.
 *
 * Randomness: the call-processing delay and the units sent are drawn from
 * streams keyed by (seed, rep, purpose, incident seq), reseeded per call, so
 * every layout compared on one seed sees the same delay and crew size for
 * the same call.  Turnout delays and workload periods come from one stream
 * per unit keyed by its id, so they follow the unit when units.csv is
 * reordered.  The strength ranking is a hash of (seed, rep, unit id, local
 * day), independent of the order of units and events.
 *
 * Holds.  A held unit (U_HELD) is on duty and not dispatchable; one hold at
 * a time, of one kind:
 *   HOLD_BRIEF     the first briefing_min minutes of a shift;
 *   HOLD_WORKLOAD  a non-call busy period; a call of priority <=
 *                  interrupt_priority that finds no free unit takes the
 *                  nearest such unit, and the rest of the period resumes
 *                  after the call (and any queued calls);
 *   HOLD_STRENGTH  stood down by strength.csv until the ranking allows it.
 * Accounting: briefing and workload time are busy time (utilisation is the
 * share of on-duty time not available for calls) and are also reported on
 * their own (briefing_share, workload_share); stood-down time is not on-duty
 * time (it is removed from the unit's duty hours) and is reported as
 * stood_down_hours.
 *
 * Strength: at the top of every local hour, and whenever a unit comes on or
 * goes off duty, the units on duty (in a shift, busy or not; case teams,
 * which take no calls, aside) are ranked by the hash of (unit id, local
 * day); the first strength[dow * 24 + hour] are available, the others are
 * stood down: at once when free, after their current call otherwise (and
 * not re-dispatched on their way back).  A cap above the units on duty
 * stands none down.
 *
 * Cost: O(1) per call and per dispatch, plus an O(U) scan for a call that
 * finds no free unit while workload is interruptible (as pre-emption's); a
 * re-ranking is O(U log U) and there are about 24 a day plus one per shift
 * change.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "inc.h"
#include "ops_priv.h"
#include "rng.h"

enum hold_kind { HOLD_NONE, HOLD_BRIEF, HOLD_WORKLOAD, HOLD_STRENGTH };

struct unit_cad {
    uint64_t idkey;        /* rng_key_str of the unit's id */
    enum hold_kind hold;
    uint32_t hold_ver;     /* bumped to cancel the pending hold-end event */
    uint32_t wl_ver;       /* bumped to cancel the pending workload start */
    double hold_since;     /* start of the current hold, min */
    double hold_end;       /* its planned end (brief, workload), min */
    double wl_left;        /* interrupted workload still to do, min */
    double last_clear;     /* last call cleared, min; -INFINITY none */
    double disp_t;         /* its last dispatch, min */
    bool stood_down;       /* the strength ranking leaves it out this hour */
    /* accumulated inside the measured period, minutes */
    double workload, briefing, stood;
};

struct rank_ent {
    uint64_t key;          /* hash of (seed, rep, unit id, local day) */
    const char *id;        /* tie-break */
    int u;
};

struct ops_cad {
    struct unit_cad *cu;
    gsl_rng *r_call;               /* reseeded per call */
    gsl_rng *r_turnout, *r_work;   /* per unit, over the states below */
    struct rng_state *st_turnout, *st_work;
    struct rank_ent *rank;         /* workspace: units on duty */
    bool rerank_pending;
    struct stat_sum turnout;       /* first unit on scene */
    uint64_t interrupts;
};

static double draw_delay(const struct scn_delay *d, gsl_rng *r)
{
    if (d->dist == SVC_FIXED)
        return d->mean_min;
    if (d->dist == SVC_EMPIRICAL) {     /* the inverse CDF through the quantiles */
        double x = rng_u01(r) * (d->n_q - 1);
        int i = (int)x;
        if (i >= d->n_q - 1)
            return d->q[d->n_q - 1];
        return d->q[i] + (x - i) * (d->q[i + 1] - d->q[i]);
    }
    struct scn_itype it = { .dist = d->dist, .mean_min = d->mean_min, .sd_min = d->sd_min };
    return inc_draw_service(&it, r);
}

static void key_stream(gsl_rng *r, const struct ops *o, uint64_t purpose, uint64_t entity)
{
    rng_stream_seed_key(r, rng_mix4(o->seed, (uint64_t)o->rep, purpose, entity));
}

int ops_cad_setup(struct ops *o, struct perr *e)
{
    (void)e;
    const struct scn *s = o->s;
    o->cad_cp = s->cp_pick != NULL;
    o->cad_upc = s->has_upc;
    o->cad_turnout = s->has_turnout;
    o->cad_hold = s->has_briefing || s->strength || s->n_workload > 0;
    if (!(o->cad_cp || o->cad_upc || o->cad_turnout || o->cad_hold))
        return 0;
    int U = s->n_units;
    struct ops_cad *c = xcalloc(1, sizeof *c);
    o->cad = c;
    c->cu = xcalloc((size_t)(U ? U : 1), sizeof *c->cu);
    c->rank = xcalloc((size_t)(U ? U : 1), sizeof *c->rank);
    c->r_call = rng_stream_new(o->seed, (uint64_t)o->rep, RNG_CAD_CALLPROC);
    c->r_turnout = xcalloc((size_t)(U ? U : 1), sizeof *c->r_turnout);
    c->r_work = xcalloc((size_t)(U ? U : 1), sizeof *c->r_work);
    c->st_turnout = xcalloc((size_t)(U ? U : 1), sizeof *c->st_turnout);
    c->st_work = xcalloc((size_t)(U ? U : 1), sizeof *c->st_work);
    stat_sum_init(&c->turnout);
    for (int u = 0; u < U; u++) {
        struct unit_cad *cu = &c->cu[u];
        cu->idkey = rng_key_str(s->units[u].id);
        cu->last_clear = -INFINITY;
        rng_stream_bind(&c->r_turnout[u], &c->st_turnout[u]);
        rng_stream_bind(&c->r_work[u], &c->st_work[u]);
        key_stream(&c->r_turnout[u], o, RNG_CAD_TURNOUT, cu->idkey);
        key_stream(&c->r_work[u], o, RNG_CAD_WORKLOAD, cu->idkey);
    }
    /* Scheduled before any shift start, so the ranking at t = 0 runs
     * first; the shift starts at 0 re-rank after it. */
    if (s->strength)
        sim_at(o->sim, 0, OPS_EV_CAD_HOUR, 0, 0);
    return 0;
}

void ops_cad_release(struct ops *o)
{
    struct ops_cad *c = o->cad;
    if (!c)
        return;
    if (c->r_call)
        gsl_rng_free(c->r_call);
    free(c->r_turnout);
    free(c->r_work);
    free(c->st_turnout);
    free(c->st_work);
    free(c->rank);
    free(c->cu);
    free(c);
    o->cad = NULL;
}

/* ---- calls ------------------------------------------------------------------- */

double ops_cad_arrive(struct ops *o, struct job *jb)
{
    const struct scn *s = o->s;
    struct ops_cad *c = o->cad;     /* NULL with a trace alone: then neither table below */
    const struct scn_itype *it = &s->itypes[jb->inc.type];
    if (it->n_upc > 0) {
        key_stream(c->r_call, o, RNG_CAD_UNITS, jb->inc.seq);
        double u = rng_u01(c->r_call);
        int k = 0;
        while (k + 1 < it->n_upc && !(u < it->upc_cum[k]))
            k++;
        jb->need = it->upc_n[k];
        jb->n_req = (unsigned char)it->upc_n[k];
    }
    if (o->cad_upc && jb->inc.t >= o->warmup)    /* every counted call completes */
        o->units_sent += jb->n_req ? jb->n_req : (uint64_t)it->units_required;
    if (o->cad_cp) {
        const struct scn_cp_row *row =
            &s->cp_rows[s->cp_pick[jb->inc.type * 24 + ops_clock_hour(o, jb->inc.t)]];
        key_stream(c->r_call, o, RNG_CAD_CALLPROC, jb->inc.seq);
        return draw_delay(&row->d, c->r_call);
    }
    if (s->cp_mean_min > 0) {
        /* The [dispatch] keys, drawn as ops.c draws them without the tables. */
        struct scn_itype cp = *it;
        cp.dist = s->cp_dist;
        cp.mean_min = s->cp_mean_min;
        cp.sd_min = s->cp_sd_min;
        return inc_draw_service(&cp, o->r_outcome);
    }
    return 0;
}

/* ---- turnout ------------------------------------------------------------------ */

/* Precedence: an interrupted workload, then "just cleared", then returning,
 * then the idle activity. */
int ops_cad_turnout_state(const struct ops *o, int u, int was)
{
    const struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    if (was == U_HELD)
        return TO_WORKLOAD;
    if (now - o->cad->cu[u].last_clear <= o->s->cleared_window_min)
        return TO_JUST_CLEARED;
    if (was != U_IDLE)
        return TO_RETURNING;
    switch (r->act) {
    case ACT_BASE:
        return TO_AT_BASE;
    case ACT_PATROL:
        return TO_PATROL;
    default:
        return TO_COMMUNITY;
    }
}

void ops_cad_turnout(struct ops *o, int u, int state)
{
    struct unit_rt *r = &o->u[u];
    struct ops_cad *c = o->cad;
    c->cu[u].disp_t = r->t0;
    const struct scn_delay *d = &o->s->turnout[state];
    if (d->dist == SVC_FIXED && d->mean_min == 0)
        return;
    /* The unit stays where it is until it leaves: ops_unit_pos gives x0, y0
     * before t0. */
    double t = draw_delay(d, &c->r_turnout[u]);
    r->t0 += t;
    r->t1 += t;
}

void ops_cad_cleared(struct ops *o, int u, double t)
{
    o->cad->cu[u].last_clear = t;
}

void ops_cad_first(struct ops *o, int u, const struct job *jb)
{
    (void)jb;
    stat_sum_add(&o->cad->turnout, o->u[u].t0 - o->cad->cu[u].disp_t);
}

/* ---- holds ---------------------------------------------------------------------- */

/* Closes the bookkeeping of u's hold at now (it stays U_HELD). */
static void hold_account(struct ops *o, int u)
{
    struct unit_cad *cu = &o->cad->cu[u];
    double t = ops__clip(o, cu->hold_since, sim_now(o->sim));
    switch (cu->hold) {
    case HOLD_BRIEF:
        cu->briefing += t;
        o->u[u].busy += t;
        break;
    case HOLD_WORKLOAD:
        cu->workload += t;
        o->u[u].busy += t;
        break;
    case HOLD_STRENGTH:
        cu->stood += t;
        break;
    case HOLD_NONE:
        break;
    }
    cu->hold = HOLD_NONE;
    cu->hold_ver++;
}

/* Holds u from now, until `until` (INFINITY: until released). */
static void hold_start(struct ops *o, int u, enum hold_kind kind, double until)
{
    struct unit_cad *cu = &o->cad->cu[u];
    ops__hold(o, u);
    cu->hold = kind;
    cu->hold_since = sim_now(o->sim);
    cu->hold_end = until;
    cu->hold_ver++;
    if (isfinite(until))
        sim_at(o->sim, until, OPS_EV_CAD_HOLD_END, (uint32_t)u, cu->hold_ver);
}

static const struct scn_workload *workload_of(const struct ops *o, int u)
{
    int k = o->s->workload_of[o->tag[u].role];
    return k >= 0 ? &o->s->workload[k] : NULL;
}

bool ops_cad_free(struct ops *o, int u, int phase)
{
    struct unit_cad *cu = &o->cad->cu[u];
    double now = sim_now(o->sim);
    if (phase == 0) {
        if (!cu->stood_down || o->u[u].shift_over)
            return false;
        hold_start(o, u, HOLD_STRENGTH, INFINITY);
        return true;
    }
    if (cu->wl_left <= 0)
        return false;
    double left = cu->wl_left;
    cu->wl_left = 0;
    hold_start(o, u, HOLD_WORKLOAD, now + left);
    return true;
}

bool ops_cad_stood_down(const struct ops *o, int u)
{
    return o->cad->cu[u].stood_down;
}

void ops_cad_idle(struct ops *o, int u)
{
    const struct scn_workload *w = workload_of(o, u);
    struct unit_cad *cu = &o->cad->cu[u];
    if (!w || ops__closed(o))
        return;
    /* Memoryless: restarting the gap at every idle period is a Poisson
     * process over the unit's idle time. */
    double gap = rng_exponential(&o->cad->r_work[u], 60.0 / w->rate_per_hour);
    sim_at(o->sim, sim_now(o->sim) + gap, OPS_EV_CAD_WL, (uint32_t)u, ++cu->wl_ver);
}

static void schedule_rerank(struct ops *o)
{
    if (!o->s->strength || o->cad->rerank_pending || ops__closed(o))
        return;
    o->cad->rerank_pending = true;
    sim_at(o->sim, sim_now(o->sim), OPS_EV_CAD_RERANK, 0, 0);
}

bool ops_cad_shift_start(struct ops *o, int u, double shift_start)
{
    const struct scn *s = o->s;
    double now = sim_now(o->sim);
    const struct scn_unit *un = &s->units[u];
    double brief = 0;
    if (un->roster >= 0) {
        const struct scn_roster *ro = &s->rosters[un->roster];
        long n = ro->n_days, k = (((long)o->u[u].shift_day + un->squad) % n + n) % n;
        int sh = ro->day_shift[k];
        if (sh >= 0)
            brief = s->shifts[sh].briefing_min;
    }
    struct unit_cad *cu = &o->cad->cu[u];
    if (s->strength) {
        /* Stood down until the re-ranking at this instant says otherwise,
         * so that no call reaches it before. */
        cu->stood_down = true;
        schedule_rerank(o);
    }
    if (brief > 0 && shift_start + brief > now) {
        hold_start(o, u, HOLD_BRIEF, shift_start + brief);
        return true;
    }
    if (cu->stood_down) {
        hold_start(o, u, HOLD_STRENGTH, INFINITY);
        return true;
    }
    return false;
}

void ops_cad_shift_end(struct ops *o, int u)
{
    (void)u;
    schedule_rerank(o);
}

void ops_cad_off(struct ops *o, int u)
{
    struct unit_cad *cu = &o->cad->cu[u];
    if (o->u[u].st == U_HELD)
        hold_account(o, u);
    cu->wl_ver++;
    cu->wl_left = 0;        /* unfinished workload does not carry into the next shift */
    cu->stood_down = false;
}

int ops_cad_interrupt(struct ops *o, const struct job *j)
{
    const struct scn *s = o->s;
    struct ops_cad *c = o->cad;
    if (s->n_workload == 0)
        return -1;
    int prio = s->priorities[j->inc.prio_idx];
    unsigned roles = s->itypes[j->inc.type].roles;
    int best = -1;
    double bt = INFINITY;
    for (int u = 0; u < s->n_units; u++) {
        if (c->cu[u].hold != HOLD_WORKLOAD || !ops_role_in(o, u, roles) || o->u[u].shift_over)
            continue;
        const struct scn_workload *w = workload_of(o, u);
        if (!w || prio > w->interrupt_priority)
            continue;
        double t = ops_travel_to(o, u, j->inc.x, j->inc.y);
        if (t < bt || (t == bt && u < best))
            bt = t, best = u;
    }
    if (best < 0)
        return -1;
    struct unit_cad *cu = &c->cu[best];
    double now = sim_now(o->sim);
    cu->wl_left = cu->hold_end > now ? cu->hold_end - now : 0;
    hold_account(o, best);
    c->interrupts += now >= o->warmup;
    return best;            /* still U_HELD: assign takes it from where it is */
}

/* ---- strength ranking --------------------------------------------------------- */


static int cmp_rank(const void *pa, const void *pb)
{
    const struct rank_ent *a = pa, *b = pb;
    if (a->key != b->key)
        return a->key < b->key ? -1 : 1;
    return strcmp(a->id, b->id);
}

static void rerank(struct ops *o)
{
    const struct scn *s = o->s;
    struct ops_cad *c = o->cad;
    double now = sim_now(o->sim);
    double local = o->clock0_min + now;
    double wk = local - floor(local / 10080.0) * 10080.0;
    int w = (int)(wk / 60.0);
    if (w > 167)
        w = 167;
    int cap = s->strength[w];
    uint64_t day = (uint64_t)(int64_t)floor(local / 1440.0);
    int n = 0;
    for (int u = 0; u < s->n_units; u++) {
        c->cu[u].stood_down = false;
        /* Case teams take follow-ups, not calls: outside the count. */
        if (o->u[u].st != U_OFF && !o->u[u].shift_over && o->tag[u].role != ROLE_CASE_TEAM)
            c->rank[n++] = (struct rank_ent){
                rng_mix4(o->seed, (uint64_t)o->rep, RNG_CAD_STRENGTH,
                         c->cu[u].idkey ^ (day * 0x9E3779B97F4A7C15ull)),
                s->units[u].id, u };
    }
    qsort(c->rank, (size_t)n, sizeof *c->rank, cmp_rank);
    /* Stand down first, then release in rank order: a released unit may
     * take a queued call at once. */
    for (int i = cap; i < n; i++) {
        int u = c->rank[i].u;
        c->cu[u].stood_down = true;
        if (o->u[u].st == U_IDLE)
            hold_start(o, u, HOLD_STRENGTH, INFINITY);
        else if (o->u[u].st == U_RETURNING)
            ops__place(o, u);           /* no longer dispatchable on its way back */
    }
    for (int i = 0; i < n && i < cap; i++) {
        int u = c->rank[i].u;
        if (c->cu[u].hold == HOLD_STRENGTH) {
            hold_account(o, u);
            ops__become_free(o, u);
        } else if (o->u[u].st == U_RETURNING && !o->u[u].mobile) {
            ops__place(o, u);           /* dispatchable again if re-dispatch allows */
        }
    }
}

/* ---- events --------------------------------------------------------------------- */

void ops_cad_event(struct ops *o, uint32_t kind, int u, uint32_t ver)
{
    struct ops_cad *c = o->cad;
    if (ops__closed(o))
        return;
    double now = sim_now(o->sim);
    switch (kind) {
    case OPS_EV_CAD_HOLD_END:
        if (ver != c->cu[u].hold_ver || o->u[u].st != U_HELD)
            return;
        hold_account(o, u);
        ops__become_free(o, u);
        return;
    case OPS_EV_CAD_WL: {
        const struct scn_workload *w = workload_of(o, u);
        if (ver != c->cu[u].wl_ver || o->u[u].st != U_IDLE || !w)
            return;
        hold_start(o, u, HOLD_WORKLOAD, now + draw_delay(&w->d, &c->r_work[u]));
        return;
    }
    case OPS_EV_CAD_HOUR: {
        rerank(o);
        double local = o->clock0_min + now;
        double next = (floor(local / 60.0 + 1e-9) + 1) * 60.0 - o->clock0_min;
        sim_at(o->sim, next, OPS_EV_CAD_HOUR, 0, 0);
        return;
    }
    case OPS_EV_CAD_RERANK:
        c->rerank_pending = false;
        rerank(o);
        return;
    default:
        PS_ASSERT(!"unknown CAD event kind");
    }
}

/* ---- results ---------------------------------------------------------------------- */

void ops_cad_results(const struct ops *o, double *out)
{
    const struct scn *s = o->s;
    const struct ops_cad *c = o->cad;
    double duty = 0, work = 0, brief = 0, stood = 0;
    for (int u = 0; u < s->n_units; u++) {
        const struct unit_cad *cu = &c->cu[u];
        const struct unit_rt *r = &o->u[u];
        double *row = &out[o->B.unit + (size_t)u * OPS_N_UNIT];
        row[U_WORKLOAD_H] = cu->workload / 60.0;
        row[U_STOOD_H] = cu->stood / 60.0;
        if (cu->stood > 0) {
            /* Stood-down time is not on duty: off the duty hours and the
             * utilisation's denominator. */
            double on = r->duty - cu->stood, worked = on + r->overtime;
            row[U_DUTY_H] = on / 60.0;
            row[U_UTIL] = worked > 0 ? r->busy / worked : NAN;
            int crew = s->units[u].officers > 0 ? s->units[u].officers : 1;
            out[G_DUTY_OFFICER_H] -= crew * cu->stood / 60.0;
        }
        duty += r->duty - cu->stood + r->overtime;
        work += cu->workload;
        brief += cu->briefing;
        stood += cu->stood;
    }
    if (stood > 0) {
        /* Recompute the utilisation summary over the corrected units. */
        double sum = 0, sum2 = 0, lo = INFINITY, hi = -INFINITY;
        double tier_sum[FAC_N_TIERS] = { 0 }, tier_n[FAC_N_TIERS] = { 0 };
        int k = 0;
        for (int u = 0; u < s->n_units; u++) {
            double ut = out[o->B.unit + (size_t)u * OPS_N_UNIT + U_UTIL];
            if (isnan(ut))
                continue;
            sum += ut, sum2 += ut * ut, k++;
            lo = fmin(lo, ut), hi = fmax(hi, ut);
            tier_sum[o->unit_tier[u]] += ut;
            tier_n[o->unit_tier[u]] += 1;
        }
        for (int t = 0; t < FAC_N_TIERS; t++)
            out[o->B.tier + (size_t)t * OPS_N_TIER + K_UTIL] =
                tier_n[t] > 0 ? tier_sum[t] / tier_n[t] : NAN;
        if (k) {
            double mean = sum / k;
            out[G_UTIL_MEAN] = mean;
            out[G_UTIL_MIN] = lo;
            out[G_UTIL_MAX] = hi;
            double var = k > 1 ? (sum2 - k * mean * mean) / (k - 1) : NAN;
            out[G_UTIL_CV] = k > 1 && mean > 0 ? sqrt(fmax(var, 0)) / mean : NAN;
            out[G_UTIL_MAXMIN] = lo > 0 ? hi / lo : NAN;
        }
    }
    out[G_WORKLOAD_SHARE] = duty > 0 ? work / duty : NAN;
    out[G_BRIEFING_SHARE] = duty > 0 ? brief / duty : NAN;
    out[G_STOOD_DOWN_H] = stood / 60.0;
    out[G_INTERRUPTS] = (double)c->interrupts;
    if (o->cad_turnout)
        out[G_TURNOUT_MEAN] = stat_sum_mean(&c->turnout);
}
