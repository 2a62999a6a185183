/* ops.c - the operations model: units on shifts, calls, queue, handover.
 *
 * Unit states (ops_priv.h): off duty -> idle (at base, patrolling, on a
 * community visit or at the desk) -> en route -> on scene -> returning to
 * base, or straight back to patrol / community work from the scene; case
 * teams also work follow-ups at their base.  Idle and returning units are
 * interruptible: a call takes them from where they are.
 *
 * Events (kind, id = unit): ARRIVE_SCENE, LEAVE_SCENE, ARRIVE_BASE, ACT (an
 * idle activity reaches its next step), FU_END, SHIFT_START, SHIFT_END and
 * one HORIZON event.  Activity events are cancelled lazily by bumping the
 * unit's version; shift events are never cancelled.  A unit has at most one
 * live activity event and one shift event, so the pool is sized at four
 * per unit (room for stale events) and grows only if that proves short.
 *
 * Measured period: [warm-up, T], T = the later of the horizon and the moment
 * the system has drained (every call served, every unit back at base or back
 * at work).  At T all open periods are closed and the model stops scheduling
 * shifts and activities, so the calendar empties and the run ends.
 *
 * Randomness that belongs to an incident (resolution draw, follow-up length)
 * is drawn at its arrival from the outcome stream, whatever the layout, so
 * layouts compared on one seed share it; absences are a hash of (seed, rep,
 * unit, roster day, officer), independent of the order of events.
 *
 * The civilian grid tier, crews and endogenous demand (docs/policing-model.md)
 * ride on the same cycle: a grid-first call is a job whose phase is
 * PH_GRID while a grid worker has it and PH_ESCALATED once it re-enters
 * dispatch (EV_DISPATCH after the escalation delay) as a police call with
 * its received time; crew constraints are a mask of crew classes per job,
 * matched by the per-(mode, role, class) indexes; spawned incidents
 * (spawn.h) wait in a heap merged with the source by next_arrival.  Their
 * per-job state lives beside the job pool (job_x) and every hot-path test
 * of them is one flag, so scenarios without them run as before.
 *
 * Memory: O(units + grids + stations + incidents in the system).
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include <gsl/gsl_randist.h>
#include "obsvsim.h"
#include "ops_priv.h"
#include "nn_priv.h"
#include "rng.h"
#include "ts.h"

/* The steps of an incident's path (PS_HOT below), run once or twice per
 * incident: inlined into their callers they skip the calls' register saves
 * and argument set-up (bench-city S = 64: 2437 -> 2321 instructions per
 * incident). */

enum {
    EV_ARRIVE_SCENE, EV_LEAVE_SCENE, EV_ARRIVE_BASE, EV_ACT, EV_FU_END,
    EV_SHIFT_START, EV_SHIFT_END, EV_HORIZON, EV_DISPATCH  /* id = job slot */
};

const char ops_trace_header[] =
    "seq,created_min,x_km,y_km,grid,type,priority,first_unit,units,queued,dispatched_min,"
    "arrived_min,cleared_min,first_contact,resolved,hour,departed_min,units_sent,"
    "call_processing_min\n";

/* ---- result layout ---------------------------------------------------- */

#define NAME(e, name, desc) name,
#define DESC(e, name, desc) desc,
static const char *const g_names[] = { OPS_GLOBAL_METRICS(NAME) };
static const char *const g_descs[] = { OPS_GLOBAL_METRICS(DESC) };
static const char *const p_names[] = { OPS_PRIO_METRICS(NAME) };
static const char *const p_descs[] = { OPS_PRIO_METRICS(DESC) };
static const char *const u_names[] = { OPS_UNIT_METRICS(NAME) };
static const char *const u_descs[] = { OPS_UNIT_METRICS(DESC) };
static const char *const r_names[] = { OPS_GRID_METRICS(NAME) };
static const char *const r_descs[] = { OPS_GRID_METRICS(DESC) };
static const char *const h_names[] = { OPS_HOUR_METRICS(NAME) };
static const char *const h_descs[] = { OPS_HOUR_METRICS(DESC) };
static const char *const t_names[] = { OPS_TYPE_METRICS(NAME) };
static const char *const t_descs[] = { OPS_TYPE_METRICS(DESC) };
static const char *const k_names[] = { OPS_TIER_METRICS(NAME) };
static const char *const k_descs[] = { OPS_TIER_METRICS(DESC) };
static const char *const s_names[] = { OPS_STATION_METRICS(NAME) };
static const char *const s_descs[] = { OPS_STATION_METRICS(DESC) };
static const char *const o_names[] = { INC_OBS_METRICS(NAME) };
static const char *const o_descs[] = { INC_OBS_METRICS(DESC) };
static const char *const c_names[] = { OPS_COMMUNITY_METRICS(NAME) };
static const char *const c_descs[] = { OPS_COMMUNITY_METRICS(DESC) };
static const char *const gt_names[] = { OPS_GRIDTIER_METRICS(NAME) };
static const char *const gt_descs[] = { OPS_GRIDTIER_METRICS(DESC) };
static const char *const gy_names[] = { OPS_GRIDTYPE_METRICS(NAME) };
static const char *const gy_descs[] = { OPS_GRIDTYPE_METRICS(DESC) };
static const char *const d_names[] = { OPS_DEMAND_METRICS(NAME) };
static const char *const d_descs[] = { OPS_DEMAND_METRICS(DESC) };
#undef NAME
#undef DESC

static const struct section {
    const char *name;
    const char *const *names, *const *descs;
    int n;
} sections[] = {
    { "all", g_names, g_descs, OPS_N_GLOBAL },
    { "priority", p_names, p_descs, OPS_N_PRIO },
    { "unit", u_names, u_descs, OPS_N_UNIT },
    { "grid", r_names, r_descs, OPS_N_GRID },
    { "hour", h_names, h_descs, OPS_N_HOUR },
    { "type", t_names, t_descs, OPS_N_TYPE },
    { "tier", k_names, k_descs, OPS_N_TIER },
    { "station", s_names, s_descs, OPS_N_STATION },
    { "observed", o_names, o_descs, INC_N_OBS },
    /* conditional (ops.h): sections 9.. */
    { "all", c_names, c_descs, OPS_N_COMMUNITY },
    { "all", gt_names, gt_descs, OPS_N_GRIDTIER },
    { "grid_type", gy_names, gy_descs, OPS_N_GRIDTYPE },
    { "all", d_names, d_descs, OPS_N_DEMAND },
};

/* Which conditional blocks a scenario has (ops.h). */
static bool has_community(const struct scn *s)
{
    for (int u = 0; u < s->n_units; u++)
        if (s->units[u].idle == IDLE_COMMUNITY && s->units[u].role != ROLE_GRID_WORKER)
            return true;
    return false;
}

bool ops_has_grid_tier(const struct scn *s)
{
    for (int u = 0; u < s->n_units; u++)
        if (s->units[u].role == ROLE_GRID_WORKER)
            return true;
    for (int t = 0; t < s->n_itypes; t++)
        if (s->itypes[t].roles & ROLE_GRID_BIT)
            return true;
    return false;
}

int ops_has_observed(const struct scn *s)
{
    const struct inc_source_type *t = inc_source_find(s->source);
    return t && t->observed;
}

void ops_blocks(const struct scn *s, struct ops_blocks *b)
{
    memset(b, 0, sizeof *b);
    b->station_fac = xmalloc((size_t)(s->n_facilities ? s->n_facilities : 1) * sizeof(int));
    for (int f = 0; f < s->n_facilities; f++)
        if (s->facilities[f].tier == FAC_STATION)
            b->station_fac[b->n_stations++] = f;
    b->prio = OPS_N_GLOBAL;
    b->unit = b->prio + (size_t)s->n_priorities * OPS_N_PRIO;
    b->grid = b->unit + (size_t)s->n_units * OPS_N_UNIT;
    b->hour = b->grid + (size_t)s->n_grids * OPS_N_GRID;
    b->type = b->hour + 24 * OPS_N_HOUR;
    b->tier = b->type + (size_t)s->n_itypes * OPS_N_TYPE;
    b->station = b->tier + FAC_N_TIERS * OPS_N_TIER;
    b->ecdf = b->station + (size_t)b->n_stations * OPS_N_STATION;
    b->duty = b->ecdf + (size_t)(s->n_priorities + 4) * OPS_N_ECDF;
    b->obs = b->duty + 24;
    b->obs_ecdf = b->obs + (ops_has_observed(s) ? INC_N_OBS : 0);
    b->ovs = b->obs_ecdf + (ops_has_observed(s) ? 3 * OPS_N_ECDF : 0);
    size_t n = b->ovs + obsvsim_n_slots(s);
    b->comm = b->gridt = b->gtype = b->demand = SIZE_MAX;
    if (has_community(s))
        b->comm = n, n += OPS_N_COMMUNITY;
    if (ops_has_grid_tier(s)) {
        b->gridt = n, n += OPS_N_GRIDTIER;
        b->gtype = n, n += (size_t)s->n_itypes * OPS_N_GRIDTYPE;
    }
    if (s->n_conseq > 0)
        b->demand = n, n += OPS_N_DEMAND;
    b->n = n;
}

void ops_blocks_release(struct ops_blocks *b)
{
    free(b->station_fac);
    b->station_fac = NULL;
}

static void add_block(struct res_layout *L, int sec, int n_keys,
                      const char *(*key)(const struct scn *, const struct ops_blocks *, int, char *),
                      const struct scn *s, const struct ops_blocks *b)
{
    char buf[32];
    for (int i = 0; i < n_keys; i++) {
        const char *k = key(s, b, i, buf);
        for (int m = 0; m < sections[sec].n; m++)
            res_add(L, sections[sec].name, sections[sec].names[m], k);
    }
}

static const char *key_none(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)s; (void)b; (void)i; (void)buf;
    return "";
}
static const char *key_prio(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)b;
    snprintf(buf, 32, "%d", s->priorities[i]);
    return buf;
}
static const char *key_unit(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)b; (void)buf;
    return s->units[i].id;
}
static const char *key_grid(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)b; (void)buf;
    return s->grids[i].id;
}
static const char *key_hour(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)s; (void)b;
    snprintf(buf, 32, "%02d", i);
    return buf;
}
static const char *key_type(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)b; (void)buf;
    return s->itypes[i].id;
}
static const char *key_tier(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)s; (void)b; (void)buf;
    return fac_tier_name((enum fac_tier)i);
}
static const char *key_station(const struct scn *s, const struct ops_blocks *b, int i, char *buf)
{
    (void)buf;
    return s->facilities[b->station_fac[i]].id;
}

void ops_layout(const struct scn *s, struct res_layout *L)
{
    struct ops_blocks b;
    ops_blocks(s, &b);
    res_layout_init(L);
    add_block(L, 0, 1, key_none, s, &b);
    add_block(L, 1, s->n_priorities, key_prio, s, &b);
    add_block(L, 2, s->n_units, key_unit, s, &b);
    add_block(L, 3, s->n_grids, key_grid, s, &b);
    add_block(L, 4, 24, key_hour, s, &b);
    add_block(L, 5, s->n_itypes, key_type, s, &b);
    add_block(L, 6, FAC_N_TIERS, key_tier, s, &b);
    add_block(L, 7, b.n_stations, key_station, s, &b);
    char key[48];
    for (int p = 0; p < s->n_priorities + 4; p++)
        for (int k = 0; k < OPS_N_ECDF; k++) {
            static const char *const rest[4] = { "all", "wait", "travel", "dispatched_arrived" };
            if (p < s->n_priorities)
                snprintf(key, sizeof key, "%d/%g", s->priorities[p], ops_ecdf_min[k]);
            else
                snprintf(key, sizeof key, "%s/%g", rest[p - s->n_priorities], ops_ecdf_min[k]);
            res_add(L, "ecdf", "within_share", key);
        }
    for (int h = 0; h < 24; h++) {
        snprintf(key, sizeof key, "%02d", h);
        res_add(L, "duty", "units_on_duty", key);
    }
    if (ops_has_observed(s)) {
        add_block(L, 8, 1, key_none, s, &b);
        static const char *const what[3] = { "response", "wait", "travel" };
        for (int i = 0; i < 3; i++)
            for (int k = 0; k < OPS_N_ECDF; k++) {
                snprintf(key, sizeof key, "%s/%g", what[i], ops_ecdf_min[k]);
                res_add(L, "observed_ecdf", "within_share", key);
            }
        obsvsim_layout(s, L);
    }
    if (b.comm != SIZE_MAX)
        add_block(L, 9, 1, key_none, s, &b);
    if (b.gridt != SIZE_MAX) {
        add_block(L, 10, 1, key_none, s, &b);
        add_block(L, 11, s->n_itypes, key_type, s, &b);
    }
    if (b.demand != SIZE_MAX)
        add_block(L, 12, 1, key_none, s, &b);
    PS_ASSERT(L->n == b.n);
    ops_blocks_release(&b);
}

/* Minutes at which the response-time ECDF is kept: every minute up to
 * half an hour, where targets lie, then coarser into the tail. */
const double ops_ecdf_min[OPS_N_ECDF] = {
    0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24,
    25, 26, 27, 28, 29, 30, 35, 40, 45, 50, 55, 60, 75, 90, 120, 180, 240,
};

const char *ops_metric_desc(const char *section, const char *metric)
{
    if (!strcmp(section, "ecdf"))
        return "share of incidents reached within the key's minutes (key priority/minutes, "
               "all/, wait/, travel/ or dispatched_arrived/minutes)";
    if (!strcmp(section, "observed_ecdf"))
        return "share of the log's incidents within the key's minutes (response/, wait/ or "
               "travel/minutes)";
    if (!strcmp(section, "duty"))
        return "units on duty and present at half past this hour, mean over measured days";
    for (size_t k = 0; k < sizeof sections / sizeof *sections; k++)
        if (!strcmp(sections[k].name, section))
            for (int i = 0; i < sections[k].n; i++)
                if (!strcmp(sections[k].names[i], metric))
                    return sections[k].descs[i];
    return "";
}

/* ---- time accounting ------------------------------------------------------ */

/* Minutes of [a, b] inside the measured period (which starts at warm-up). */
static double clip(const struct ops *o, double a, double b)
{
    double lo = a > o->warmup ? a : o->warmup;
    return b > lo ? b - lo : 0;
}

static bool is_busy(enum unit_state st)
{
    return st == U_ENROUTE || st == U_ONSCENE || st == U_RETURNING || st == U_FOLLOWUP;
}

/* Every state change goes through here so that the count of busy units,
 * which decides when the run has drained, stays exact. */
PS_HOT void set_state(struct ops *o, struct unit_rt *r, enum unit_state st)
{
    o->n_busy += (int)is_busy(st) - (int)is_busy(r->st);
    o->n_avail -= ops_rt_available(r);
    r->st = st;
    o->n_avail += ops_rt_available(r);
}

/* The other input of availability, kept in step with n_avail likewise. */
static void set_mobile(struct ops *o, struct unit_rt *r, bool mobile)
{
    o->n_avail -= ops_rt_available(r);
    r->mobile = mobile;
    o->n_avail += ops_rt_available(r);
}

/* ---- positions and the availability indexes ------------------------------- */

static const struct scn_facility *base_of(const struct ops *o, int u)
{
    return &o->s->facilities[o->s->units[u].base];
}

/* u's tag; on the plain path the one all its units share when they do,
 * so that a dispatch or a return reads no line of tag[] (96 KB at
 * bench-city S = 128, one line in ten units). */
PS_HOT const struct unit_tag *tag_of(const struct ops *o, int u, const bool plain)
{
    PS_HOT_ASSERT(!(plain && o->tag1_ok) ||
                  memcmp(&o->tag1, &o->tag[u], sizeof o->tag1) == 0);
    return plain && o->tag1_ok ? &o->tag1 : &o->tag[u];
}

/* Minutes of a leg of u departing at t_dep (the travel model, trv.h);
 * plain as for tag_of. */
PS_HOT double travel_in(const struct ops *o, int u, double x0, double y0, double x1, double y1,
                        double t_dep, const bool plain)
{
    int m = tag_of(o, u, plain)->mode;
    return trv_time_mpk(o->s->trv, m, o->mode_mpk[m], x0, y0, x1, y1, t_dep);
}

PS_HOT double travel(const struct ops *o, int u, double x0, double y0, double x1, double y1,
                     double t_dep)
{
    return travel_in(o, u, x0, y0, x1, y1, t_dep, false);
}

/* The spatial index of unit u: one per (mode, role, crew class), so the
 * nearest-idle search only ever meets units a job may take. */
static int nn_slot(const struct ops *o, int u, int cclass)
{
    const struct scn *s = o->s;
    return (s->units[u].mode * ROLE_N + (int)s->units[u].role) * o->n_cc + cclass;
}

int ops_nearest_available(const struct ops *o, unsigned roles, double x, double y, double *tt)
{
    return ops_nearest_eligible(o, roles, UINT32_MAX, x, y, tt);
}

int ops_nearest_eligible(const struct ops *o, unsigned roles, uint32_t cmask, double x,
                         double y, double *tt)
{
    const struct scn *s = o->s;
    const struct trv *tv = s->trv;
    int best = -1, C = o->n_cc;
    double bt = INFINITY;
    if (C == 1 && tv->fast) {   /* no crew constraint, metric without bands: one index per
                                 * (mode, role); set bits only */
        PS_HOT_ASSERT(roles < 1u << ROLE_N);
        int k1 = o->sole_nn[roles];
        if (k1 >= 0) {          /* the common case: one index to ask */
            double d;
            int it = nn_nearest(o->nn[k1], x, y, &d);
            if (it >= 0) {
                best = o->nn_unit[k1][it];
                bt = d * tv->circuity * o->mode_mpk[k1 / ROLE_N];
            }
            goto mobile;
        }
        for (int m = 0; m < s->n_modes; m++)
            for (unsigned rs = roles & o->mode_roles[m]; rs; rs &= rs - 1) {
                int k = m * ROLE_N + __builtin_ctz(rs);
                double d;
                int it = nn_nearest(o->nn[k], x, y, &d);
                if (it < 0)
                    continue;
                int u = o->nn_unit[k][it];
                double tu = d * tv->circuity * o->mode_mpk[m];
                if (tu < bt || (tu == bt && u < best))
                    bt = tu, best = u;
            }
        goto mobile;
    }
    for (int m = 0; m < s->n_modes; m++)
        for (int r = 0; r < ROLE_N; r++) {
            if (!((roles & o->mode_roles[m]) >> r & 1))
                continue;
            for (int c = 0; c < C; c++) {
                if (!(cmask >> c & 1))
                    continue;
                int k = (m * ROLE_N + r) * C + c;
                int u;
                double tu;
                if (tv->kind == TRV_KIND_METRIC) {
                    /* Within one mode time grows with metric distance. */
                    double d;
                    int it = nn_nearest(o->nn[k], x, y, &d);
                    if (it < 0)
                        continue;
                    u = o->nn_unit[k][it];
                    tu = tv->has_bands ? trv_metric_time_d(tv, m, d, sim_now(o->sim))
                                       : d * tv->circuity * o->mode_mpk[m];
                } else {
                    /* Matrix and road: by a lower bound, then exact times (trv.h). */
                    int it = trv_nearest(tv, o->nn[k], o->nn_unit[k], o->base_xy, m, x, y,
                                         sim_now(o->sim), &tu);
                    if (it < 0)
                        continue;
                    u = o->nn_unit[k][it];
                }
                if (tu < bt || (tu == bt && u < best))
                    bt = tu, best = u;
            }
        }
mobile:
    for (int k = 0; k < o->n_mob; k++) {
        int u = o->mob[k];
        if (C == 1 ? !ops_role_in(o, u, roles) : !ops_can_take(o, u, roles, cmask))
            continue;
        double tu = ops_travel_to(o, u, x, y);
        if (tu < bt || (tu == bt && u < best))
            bt = tu, best = u;
    }
    if (tt)
        *tt = bt;
    return best;
}

/* Takes u out of whichever index holds it. */
PS_HOT void unplace(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    struct nn *t = o->nn[o->tag[u].slot];
    if (r->in_nn) {
        nn__take_ref(t, &r->nn);
        r->in_nn = false;
    }
    if (r->mobile) {
        int last = o->mob[--o->n_mob];
        o->mob[r->mob_pos] = last;
        o->u[last].mob_pos = r->mob_pos;
        set_mobile(o, r, false);
    }
}

/* Whether u, driving back from a scene, may take another call on the way:
 * when re-dispatch of returning units is on, its shift is not over, and the
 * strength table has not stood it down (such a unit goes back to be held). */
static bool redispatchable(const struct ops *o, int u)
{
    return o->s->redispatch_returning && !o->u[u].shift_over &&
           !(o->cad_hold && ops_cad_stood_down(o, u));
}

/* Puts u in the index its state calls for: idle at base -> spatial index;
 * idle elsewhere, or returning when re-dispatch is allowed -> mobile list. */
PS_HOT void place(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    unplace(o, u);
    if (r->st == U_IDLE && r->act == ACT_BASE) {
        nn__insert_ref(o->nn[o->tag[u].slot], &r->nn);
        r->in_nn = true;
    } else if (r->st == U_IDLE ||
               (r->st == U_RETURNING && redispatchable(o, u))) {
        set_mobile(o, r, true);
        r->mob_pos = o->n_mob;
        o->mob[o->n_mob++] = u;
    }
}

/* Sets a still position (at base, on a visit) or a leg to (x, y) at speed. */
PS_HOT void leg(struct ops *o, int u, double x, double y, double speed_factor)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim), px, py;
    ops_unit_pos(o, u, &px, &py);
    r->x0 = px; r->y0 = py; r->t0 = now;
    r->x1 = x; r->y1 = y;
    r->t1 = now + travel(o, u, px, py, x, y, now) / speed_factor;
}

PS_HOT void stay(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    double x, y;
    ops_unit_pos(o, u, &x, &y);
    r->x0 = r->x1 = x;
    r->y0 = r->y1 = y;
    r->t0 = r->t1 = sim_now(o->sim);
}

/* ---- shifts, absences, AB cover ----------------------------------------- */

static long floor_day(double t)
{
    return (long)floor(t / 1440.0);
}

/* Shift of unit u on roster day d: 1 with [start, end), 0 if off. */
static int shift_on(const struct ops *o, int u, long d, double *start, double *end)
{
    const struct scn *s = o->s;
    const struct scn_unit *un = &s->units[u];
    const struct scn_roster *ro = &s->rosters[un->roster];
    long n = ro->n_days, k = ((d + un->squad) % n + n) % n;
    int sh = ro->day_shift[k];
    if (sh < 0)
        return 0;
    *start = (double)d * 1440.0 + s->shifts[sh].start_h * 60.0;
    *end = *start + s->shifts[sh].hours * 60.0;
    return 1;
}

/* First shift of u ending after t (shifts are at most 24 h long, so one
 * that started the day before may still be running). */
static void next_shift(const struct ops *o, int u, double t, long *day, double *start, double *end)
{
    for (long d = floor_day(t) - 1;; d++)
        if (shift_on(o, u, d, start, end) && *end > t) {
            *day = d;
            return;
        }
}

static double hash_u01(const struct ops *o, uint64_t a, uint64_t b, uint64_t c)
{
    uint64_t h = rng_mix(rng_mix(o->seed, (uint64_t)o->rep, RNG_ABSENCE), a,
                         rng_mix(b, c, 0x5bd1e995));
    return (double)(h >> 11) * 0x1.0p-53;
}

/* Whether u's crew turns up for its shift of day d: absent only when every
 * officer is absent (auxiliaries do not run a unit alone). */
static bool present(const struct ops *o, int u, long d)
{
    double p = o->s->absence_p;
    int officers = o->s->units[u].officers;
    if (p <= 0 || officers == 0)
        return true;
    for (int i = 0; i < officers; i++)
        if (hash_u01(o, rng_key_str(o->s->units[u].id), (uint64_t)d, (uint64_t)i) >= p)
            return true;
    return false;
}

/* On duty and present at time t, from the roster (order-independent). */
static bool on_duty_at(const struct ops *o, int u, double t)
{
    if (o->s->units[u].roster < 0)
        return true;
    for (long d = floor_day(t) - 1; d <= floor_day(t); d++) {
        double a, b;
        if (shift_on(o, u, d, &a, &b) && a <= t && t < b)
            return present(o, u, d);
    }
    return false;
}

static void ab_cover(struct ops *o, int u)
{
    const struct scn *s = o->s;
    const struct scn_unit *un = &s->units[u];
    double now = sim_now(o->sim);
    for (int k = 0; k < un->n_home; k++) {
        if (un->post[k] != 0)
            continue;
        int g = un->home[k];
        bool found = false;
        for (int i = 0; i < o->n_grid_home[g] && !found; i++) {
            int v = o->grid_home[g][i];
            found = o->home_post[g][i] > 0 && on_duty_at(o, v, now);
        }
        if (now >= o->warmup) {
            o->ab_needed++;
            o->ab_found += found;
        }
    }
}

/* ---- queue: one FIFO per priority level --------------------------------- */

static void q_push(struct ops *o, int j)
{
    struct job *jb = &o->job[j];
    int p = jb->inc.prio_idx;
    jb->in_queue = true;
    jb->queued = true;
    jb->qnext = -1;
    jb->qprev = o->qtail[p];
    if (o->qtail[p] >= 0)
        o->job[o->qtail[p]].qnext = j;
    else
        o->qhead[p] = j;
    o->qtail[p] = j;
    if (o->qn++ == 0)
        o->q_busy_since = sim_now(o->sim);  /* collapse detection (results) */
    if (o->qn > o->max_queue && jb->inc.t >= o->warmup)
        o->max_queue = o->qn;
}

static void q_remove(struct ops *o, int j)
{
    struct job *jb = &o->job[j];
    int p = jb->inc.prio_idx;
    if (jb->qprev >= 0) o->job[jb->qprev].qnext = jb->qnext; else o->qhead[p] = jb->qnext;
    if (jb->qnext >= 0) o->job[jb->qnext].qprev = jb->qprev; else o->qtail[p] = jb->qprev;
    jb->in_queue = false;
    o->qn--;
}

/* First queued job (priority, then arrival) unit u may take; -1 if none. */
PS_HOT int q_first_for(const struct ops *o, int u)
{
    for (int p = 0; p < o->s->n_priorities; p++)
        for (int j = o->qhead[p]; j >= 0; j = o->job[j].qnext)
            if (o->q_any || ops_can_take(o, u, o->job[j].roles, o->job[j].cmask))
                return j;
    return -1;
}

/* ---- jobs ------------------------------------------------------------------ */

/* The pool never holds more calls than the scenario can create (twice the
 * expected count over the horizon, with slack), nor more than OPS_JOB_MAX:
 * past that a clear error instead of exhausting memory (rate_per_day =
 * 1e300 once took 4.2 GB in 20 s, then aborted). */
#define OPS_JOB_MAX (1 << 21)

static int job_cap(const struct scn *s)
{
    double n = s->rate_per_day * s->horizon_days;
    double cap = 2 * n + 10 * sqrt(n) + 4096;
    return cap < OPS_JOB_MAX ? (int)cap : OPS_JOB_MAX;
}

/* Grows the pool (the rare path of job_alloc, kept out of line). */
static int job_grow(struct ops *o, struct perr *e)
{
    int old = o->n_job, n = old ? 2 * old : 64, cap = job_cap(o->s);
    if (old >= cap)
        return err_set(e, "%s: more than %d calls in the system at once at t = %.6g min "
                          "(the scenario creates about %.6g over %g days at %.6g a day): "
                          "stopped before memory runs out; check [incidents] rate_per_day "
                          "and the staffing", o->s->ini_path, old, sim_now(o->sim),
                       o->s->rate_per_day * o->s->horizon_days, o->s->horizon_days,
                       o->s->rate_per_day);
    if (n > cap)
        n = cap;
    o->job = xrealloc(o->job, (size_t)n * sizeof *o->job);
    if (o->use_jx)
        o->jx = xrealloc(o->jx, (size_t)n * sizeof *o->jx);
    if (o->trace)
        o->jtr = xrealloc(o->jtr, (size_t)n * sizeof *o->jtr);
    for (int i = n - 1; i >= old; i--) {
        o->job[i].next_free = o->free_job;
        o->free_job = i;
    }
    o->n_job = n;
    return 0;
}

static inline int job_alloc(struct ops *o, struct perr *e)
{
    if (o->free_job < 0 && job_grow(o, e) < 0)
        return -1;
    int j = o->free_job;
    o->free_job = o->job[j].next_free;
    o->active_jobs++;
    return j;
}

/* A job of type t before its incident is copied in, every field set (u_resolve
 * by the caller); the size check is a reminder to set a field added to
 * struct job.  Built once per type (ops_setup), so that job_init copies one
 * record instead of setting its fields one by one. */
_Static_assert(sizeof(struct job) == 160, "job_template must set every field of struct job");
static void job_template(const struct ops *o, struct job *jb, int t)
{
    memset(&jb->inc, 0, sizeof jb->inc);
    jb->t_dispatch = jb->t_first = jb->remaining = NAN;
    jb->u_resolve = jb->fu_min = 0;
    jb->first_unit = -1;
    jb->first_contact = false;
    jb->n_req = 0;
    jb->phase = PH_POLICE;
    jb->roles = (unsigned char)o->type_roles[t];
    jb->need = o->s->itypes[t].units_required;
    jb->active = 0;
    jb->queued = jb->in_queue = false;
    jb->resent = 0;
    jb->cmask = (uint16_t)o->type_cmask[t];
    jb->qprev = jb->qnext = jb->next_free = -1;
}

/* A new job for incident in: its type's template and the incident, on the
 * plain path without the timings a replayed log observed, which only the
 * comparison with them reads (o->ovs, never there). */
_Static_assert(offsetof(struct job, inc) == 0 &&
               offsetof(struct job, t_dispatch) == sizeof(struct inc),
               "struct job is the incident, then the rest");
static inline void job_init(const struct ops *o, struct job *jb, const struct inc *in,
                            const bool plain)
{
    memcpy(&jb->t_dispatch, &o->job_tmpl[in->type].t_dispatch,
           sizeof *jb - offsetof(struct job, t_dispatch));
    if (plain)
        memcpy(&jb->inc, in, offsetof(struct inc, obs_wait));
    else
        jb->inc = *in;
}

/* Units requested by a job: units_per_call.csv's draw, else its type's. */
static int job_units(const struct ops *o, const struct job *jb)
{
    return jb->n_req ? jb->n_req : o->s->itypes[jb->inc.type].units_required;
}

static void job_free(struct ops *o, int j)
{
    o->job[j].next_free = o->free_job;
    o->free_job = j;
    o->active_jobs--;
}

/* ---- idle activities ---------------------------------------------------- */

/* Closes the bookkeeping of u's current idle activity at now. */
PS_HOT void end_activity(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    if (r->st != U_IDLE || r->act == ACT_BASE || r->act == ACT_TO_BASE)
        return;                         /* minutes no total counts (act_since) */
    double t = clip(o, r->act_since, sim_now(o->sim));
    if (r->act == ACT_PATROL)
        r->patrol += t;
    else
        r->community += t;
    r->act_since = sim_now(o->sim);
}

static void random_home_point(struct ops *o, int u, double *x, double *y)
{
    const struct scn_unit *un = &o->s->units[u];
    int k = un->n_home > 1 ? (int)gsl_rng_uniform_int(&o->r_patrol[u], (unsigned long)un->n_home) : 0;
    geo_poly_sample(&o->s->grids[un->home[k]].poly, &o->r_patrol[u], x, y);
}

/* Starts u's next idle activity from where it is (no queue check). */
PS_HOT void next_activity(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    const struct scn *s = o->s;
    double now = sim_now(o->sim), x, y;
    r->act_since = now;
    r->ver++;
    switch ((enum idle_mode)o->tag[u].idle) {
    case IDLE_BASE:
        stay(o, u);
        r->act = ACT_BASE;
        break;
    case IDLE_PATROL:
        random_home_point(o, u, &x, &y);
        leg(o, u, x, y, s->patrol_speed_factor);
        r->act = ACT_PATROL;
        sim_at(o->sim, r->t1, EV_ACT, (uint32_t)u, r->ver);
        break;
    case IDLE_COMMUNITY:
        if (rng_u01(&o->r_patrol[u]) < s->community_share) {
            random_home_point(o, u, &x, &y);
            leg(o, u, x, y, 1.0);
            r->act = ACT_TO_VISIT;
            sim_at(o->sim, r->t1, EV_ACT, (uint32_t)u, r->ver);
        } else {
            const struct scn_facility *b = base_of(o, u);
            double px, py;
            ops_unit_pos(o, u, &px, &py);
            if (px == b->x && py == b->y) {
                stay(o, u);
                r->act = ACT_BASE;      /* desk time */
                sim_at(o->sim, now + rng_exponential(&o->r_patrol[u], s->visit_min),
                       EV_ACT, (uint32_t)u, r->ver);
            } else {
                leg(o, u, b->x, b->y, 1.0);
                r->act = ACT_TO_BASE;
                sim_at(o->sim, r->t1, EV_ACT, (uint32_t)u, r->ver);
            }
        }
        break;
    }
    place(o, u);
}

static void on_activity(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    end_activity(o, u);
    switch (r->act) {
    case ACT_PATROL:
        next_activity(o, u);
        break;
    case ACT_TO_VISIT:
        stay(o, u);
        r->act = ACT_VISIT;
        r->ver++;
        sim_at(o->sim, now + rng_exponential(&o->r_patrol[u], o->s->visit_min), EV_ACT,
               (uint32_t)u, r->ver);
        place(o, u);
        break;
    case ACT_TO_BASE:
        stay(o, u);
        r->act = ACT_BASE;
        r->ver++;
        sim_at(o->sim, now + rng_exponential(&o->r_patrol[u], o->s->visit_min), EV_ACT,
               (uint32_t)u, r->ver);
        place(o, u);
        break;
    case ACT_VISIT:
    case ACT_BASE:
        next_activity(o, u);
        break;
    }
}

/* ---- work -------------------------------------------------------------- */

static void assign(struct ops *o, int u, int j);
static void assign_from_base(struct ops *o, int u, int j);
static void start_followup(struct ops *o, int u);
static void become_free_held(struct ops *o, int u);
PS_HOT void dispatch_job(struct ops *o, int j);

/* ---- the grid tier, crews, spawned incidents (docs/policing-model.md) ---- */

/* Their cold paths stay out of line (PS_COLD), so the hot functions that
 * call them keep their code (and register use) as it was. */

/* Sets up what a new job needs beyond its incident: its police roles, crew
 * classes, phase and stream key. */
static inline struct job_x *jx_of(const struct ops *o, const struct job *jb)
{
    return &o->jx[jb - o->job];
}

/* The job's phase and its extension (job_x), for the mechanisms that use them. */
static void job_start(struct ops *o, struct job *jb, uint64_t key, int depth, bool spawned)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    jb->phase = it->roles & ROLE_GRID_BIT ? PH_GRID_TRY : PH_POLICE;
    *jx_of(o, jb) = (struct job_x){ .key = key, .t_police = NAN, .police_tt = NAN,
                                    .police_unit = -1, .depth = depth, .spawned = spawned };
    if (o->spawn_on && jb->inc.t >= o->warmup)
        o->n_exo += depth == 0;
}

static int crew_size(const struct scn *s, int u)
{
    return s->units[u].officers + s->units[u].auxiliaries + s->units[u].members;
}

/* On-scene minutes of unit u at job jb: the incident's draw, scaled for a
 * grid worker, shifted per crew member beyond the first where configured. */
PS_COLD static double onscene_ext(const struct ops *o, int u, const struct job *jb)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    double t = jb->inc.service_min;
    if (o->tag[u].role == ROLE_GRID_WORKER)
        t *= it->grid_service_factor;
    if (it->min_per_extra != 0) {
        t += it->min_per_extra * (crew_size(o->s, u) - 1);
        if (t < 0)
            t = 0;
    }
    return t;
}

static inline double onscene_min(const struct ops *o, int u, const struct job *jb,
                                 const bool plain)
{
    return plain || o->plain_onscene ? jb->inc.service_min : onscene_ext(o, u, jb);
}

/* The uniform deciding first-contact resolution: the outcome stream's draw
 * for police, the incident's key stream for a grid worker (so adding the
 * grid tier leaves the outcome stream of every call as it was). */
static double grid_u(const struct ops *o, const struct job *jb)
{
    return o->grid_on && o->tag[jb->first_unit].role == ROLE_GRID_WORKER
         ? spawn_grid_u01(o->seed, o->rep, jx_of(o, jb)->key, 0) : jb->u_resolve;
}

/* Whether the grid worker closes job jb on scene; first_response types
 * always go on to an officer. */
static bool grid_resolves(const struct ops *o, const struct job *jb)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    return it->needs_officer != NEED_FIRST &&
           grid_u(o, jb) < it->resolve[ROLE_GRID_WORKER];
}

/* needs_officer = first_response: a crew without a sworn officer may go
 * first, then one more unit, with an officer, is due. */
PS_COLD static void officer_follow(struct ops *o, int u, struct job *jb)
{
    if (o->s->itypes[jb->inc.type].needs_officer != NEED_FIRST || jb->phase == PH_GRID)
        return;
    struct job_x *x = jx_of(o, jb);
    if (o->s->units[u].officers > 0) {
        x->officer_ok = true;
        if (x->officer_due) {
            x->officer_due = false;
            jb->cmask = (uint16_t)o->type_cmask[jb->inc.type];
        }
    } else if (!x->officer_ok && !x->officer_due) {
        x->officer_due = true;
        jb->need++;
        jb->cmask = (uint16_t)(o->type_cmask[jb->inc.type] & o->officer_cmask);
    }
}

/* A grid-first call: a grid worker if one can arrive within
 * grid_first_max_min (true), else a police call from now on (false). */
PS_COLD static bool grid_try(struct ops *o, int j)
{
    struct job *jb = &o->job[j];
    double tt;
    int u = o->n_avail > 0 ? disp_grid_select(o, jb, &tt) : -1;
    if (u < 0) {
        jb->phase = PH_POLICE;
        return false;
    }
    /* What sending the police instead would have cost: the travel of the
     * unit the policy picks now (police_hours_saved). */
    int p = o->pol->select(o, o->pol_state, jb);
    jx_of(o, jb)->police_tt = p >= 0 ? ops_travel_to(o, p, jb->inc.x, jb->inc.y) : NAN;
    jb->phase = PH_GRID;
    jb->need = 1;
    assign(o, u, j);
    return true;
}

/* The first police unit reaches job jb (grid tier on). */
PS_COLD static void police_arrival(struct ops *o, int u, struct job *jb, double now)
{
    jx_of(o, jb)->t_police = now;
    jx_of(o, jb)->police_unit = u;
    if (jb->inc.t < o->warmup)
        return;
    o->gt_police++;
    stat_sum_add(&o->gt_police_resp, now - jb->inc.t);
    stat_sum_add(&o->gt_police_travel, now - o->u[u].t0);
    if (jb->phase == PH_ESCALATED) {
        stat_sum_add(&o->gt_esc_resp, now - jb->inc.t);
        /* An escalated call reaches a station when its first police unit
         * is based there, as a direct call does (station_load). */
        if (o->unit_tier[u] == FAC_STATION) {
            o->st[o->s->units[u].base].served += 1;
            o->st[o->s->units[u].base].load += 1;
        }
    }
}

/* A counted call closed at grid level: the police work it did not need. */
static void grid_resolved(struct ops *o, const struct job *jb)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    double tt = jx_of(o, jb)->police_tt;
    if (isnan(tt))          /* no police unit was free then: their mean travel */
        tt = o->gt_police_travel.n ? stat_sum_mean(&o->gt_police_travel) : 0;
    o->gt_resolved++;
    o->gy_acc[(size_t)jb->inc.type * OPS_N_GRIDTYPE + GY_RESOLVED_SHARE] += 1;
    o->gt_saved_min += it->units_required * (jb->inc.service_min + 2 * tt);
}

/* The grid worker cleared job j unresolved: after the escalation delay
 * (exponential, escalate_delay_min) it enters dispatch as a police call,
 * keeping its received time. */
PS_COLD static void escalate(struct ops *o, int j)
{
    struct job *jb = &o->job[j];
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    double m = it->escalate_delay_min;
    double delay = m > 0 ? -m * log1p(-spawn_grid_u01(o->seed, o->rep, jx_of(o, jb)->key, 2)) : 0;
    jb->phase = PH_ESCALATED;
    jb->need = it->units_required;
    if (jb->inc.t >= o->warmup) {
        o->gt_escalated++;
        o->gy_acc[(size_t)jb->inc.type * OPS_N_GRIDTYPE + GY_ESCALATED] += 1;
        stat_sum_add(&o->gt_esc_delay, delay);
    }
    if (delay > 0)
        sim_after(o->sim, delay, EV_DISPATCH, (uint32_t)j, 0);
    else
        dispatch_job(o, j);
}

/* u has nothing assigned and is on duty where it stands: follow-ups (case
 * team), then the queue, then its idle activity. */
/* Work waiting for a unit that has just become free: the station's
 * follow-up queue for a case-team unit, else the first queued call it may
 * take.  Whether it took some. */
static inline bool take_waiting(struct ops *o, int u)
{
    int sfac = o->unit_station[u];
    if (o->tag[u].role == ROLE_CASE_TEAM && sfac >= 0 && o->st[sfac].n > 0) {
        start_followup(o, u);
        return true;
    }
    int j = o->qn > 0 ? q_first_for(o, u) : -1;
    if (j >= 0) {
        assign(o, u, j);
        return true;
    }
    return false;
}

/* Nothing waiting: idle, and on to its activity between calls. */
static inline void go_idle(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    if (is_busy(r->st))
        r->busy += clip(o, r->busy_since, sim_now(o->sim));
    set_state(o, r, U_IDLE);
    next_activity(o, u);
}

static void become_free(struct ops *o, int u)
{
    if (o->cad_hold) {
        become_free_held(o, u);
        return;
    }
    if (!take_waiting(o, u))
        go_idle(o, u);
}

/* become_free when units may be held (briefing, strength, workload;
 * ops_cad.c): the same steps, with a stood-down unit held first and
 * interrupted workload resumed before the idle activity. */
static void become_free_held(struct ops *o, int u)
{
    if (ops_cad_free(o, u, 0))
        return;                         /* stood down by the strength table */
    if (take_waiting(o, u))
        return;
    if (ops_cad_free(o, u, 1))
        return;                         /* back to interrupted workload */
    go_idle(o, u);
    ops_cad_idle(o, u);
}

/* Goes off duty: after a shift that ran over, or at the end of a shift. */
static void go_off(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    if (o->cad_hold)
        ops_cad_off(o, u);
    if (is_busy(r->st))
        r->busy += clip(o, r->busy_since, now);
    if (r->shift_over) {
        r->overtime += clip(o, r->shift_end, now);
        r->shift_over = false;
    }
    end_activity(o, u);
    unplace(o, u);
    r->ver++;
    set_state(o, r, U_OFF);
    const struct scn_facility *b = base_of(o, u);
    r->x0 = r->x1 = b->x;
    r->y0 = r->y1 = b->y;
    r->t0 = r->t1 = now;
}

/* fmod(t, 1440) for t >= 0, exactly, without the library call: d * 1440
 * is an integer below 2^53 and t - d * 1440 lies within 1440 of t's
 * multiples of its ulp, so the subtraction is exact; the quotient's
 * rounding can leave d one off, which the two corrections undo.  d is the
 * quotient truncated by a conversion, which for t >= 0 is its floor (and
 * for t < 0 one above, undone the same way) at a fraction of floor()'s
 * instructions; from 2^52 on every double is an integer already. */
static double minute_of_day(double t)
{
    double q = t / 1440.0;
    double r = t - (fabs(q) < 0x1p52 ? (double)(int64_t)q : q) * 1440.0;
    if (r < 0)
        r += 1440.0;
    else if (r >= 1440.0)
        r -= 1440.0;
    return r;
}

/* The hour of day (0 to 23) of a call at t >= 0, from the day of the call
 * asked about before (calls come mostly in time order) without a division
 * by 1440: day0 is a multiple of 1440 at or before t (or -inf), and t -
 * day0 is then exact (t itself for day0 = 0, else Sterbenz: day0 <= t <
 * day0 + 1440 <= 2 day0), so that whenever it lies in [0, 1440) it is
 * minute_of_day(t).  And day0 = t - minute_of_day(t) is exact too. */
PS_HOT int hour_of_day(struct ops *o, double t)
{
    double r = t - o->day0;
    if (!(r >= 0 && r < 1440.0)) {
        r = minute_of_day(t);
        if (t >= 0)
            o->day0 = t - r;
    }
    PS_HOT_ASSERT(r == minute_of_day(t));
    return (int)(r / 60.0);
}

PS_HOT bool home_of(const struct ops *o, int u, int g)
{
    if (o->unit_home1[u] != -2)
        return g >= 0 && o->unit_home1[u] == g;
    const struct scn_unit *un = &o->s->units[u];
    for (int k = 0; g >= 0 && k < un->n_home; k++)
        if (un->home[k] == g)
            return true;
    return false;
}

/* The first unit's departure (for the trace) and, for scenarios that model
 * call processing, turnout or crews or replay a log (by_interval), received
 * -> dispatched -> arrived by hour, type and grid, and first dispatch ->
 * first arrival where it is not the travel time.  Apart from record_first
 * to keep the common path short. */
static void record_intervals(struct ops *o, int u, struct job *jb, double now)
{
    const struct inc *in = &jb->inc;
    if (o->jtr)
        o->jtr[jb - o->job].t_depart = o->u[u].t0;
    if (in->t < o->warmup || !o->by_interval)
        return;
    int hr = hour_of_day(o, in->t);
    double wait = jb->t_dispatch - in->t, da = now - jb->t_dispatch;
    if (o->da_own) {
        stat_sum_add(&o->da, da);
        stat_hist_add(&o->da_hist, da);
    }
    if (o->cad_turnout)
        ops_cad_first(o, u, jb);
    if (in->grid >= 0) {
        o->g_tot[in->grid].rd += wait;
        o->g_tot[in->grid].da += da;
    }
    o->h_tal[hr].rd += wait;
    o->h_tal[hr].da += da;
    o->t_tal[in->type].rd += wait;
    o->t_tal[in->type].da += da;
}

/* A call's increment of a packed row (struct ptally), by within | first
 * << 1 | queued << 2 | resolved << 3: one load instead of four shifts. */
#define PK_(k) ((uint64_t)1 << PK_N * OPS_PK_BITS |                         \
               (uint64_t)((k) & 1) << PK_WITHIN * OPS_PK_BITS |             \
               (uint64_t)((k) >> 1 & 1) << PK_FIRST * OPS_PK_BITS |         \
               (uint64_t)((k) >> 2 & 1) << PK_QUEUED * OPS_PK_BITS |        \
               (uint64_t)((k) >> 3 & 1) << PK_RESOLVED * OPS_PK_BITS)
static const uint64_t pk_word[16] = {
    PK_(0), PK_(1), PK_(2), PK_(3), PK_(4), PK_(5), PK_(6), PK_(7),
    PK_(8), PK_(9), PK_(10), PK_(11), PK_(12), PK_(13), PK_(14), PK_(15),
};
#undef PK_

/* Field f of packed counts pk. */
static uint64_t pk_get(uint64_t pk, int f)
{
    return pk >> f * OPS_PK_BITS & OPS_PK_MAX;
}

/* Moves packed counts pk into a's 64-bit counts. */
static void pk_fold(struct tally *a, uint64_t pk)
{
    a->n += pk_get(pk, PK_N);
    a->within += pk_get(pk, PK_WITHIN);
    a->first += pk_get(pk, PK_FIRST);
    a->queued += pk_get(pk, PK_QUEUED);
    a->resolved += pk_get(pk, PK_RESOLVED);
}

/* Grid g's row, whose n field has reached pk_fold_at, into its totals. */
PS_COLD static void fold_grid(struct ops *o, int g)
{
    pk_fold(&o->g_tot[g], o->g_tal[g].pk);
    o->g_tal[g].pk = 0;
}

/* Every hour's and type's counts into h_tal and t_tal: every pk_fold_at
 * calls into them (a call adds to one row of each, so no field can pass
 * pk_fold_at) and before the results (fold_all).  Their sums stay in the
 * packed rows until then. */
PS_COLD static void fold_small(struct ops *o)
{
    for (int h = 0; h < 24; h++) {
        pk_fold(&o->h_tal[h], o->h_pk[h].pk);
        o->h_pk[h].pk = 0;
    }
    for (int t = 0; t < o->s->n_itypes; t++) {
        pk_fold(&o->t_tal[t], o->t_pk[t].pk);
        o->t_pk[t].pk = 0;
    }
    o->pk_left = o->pk_fold_at;
}

/* A first arrival into a packed row: its increment w (pk_word) and its
 * response minutes. */
PS_HOT void pk_add(struct ptally *a, uint64_t w, double resp)
{
    a->pk += w;
    a->resp += resp;
}

/* pk_add for grid g's row, folded when its n field reaches pk_fold_at. */
PS_HOT void tally_grid(struct ops *o, int g, uint64_t w, double resp)
{
    struct ptally *a = &o->g_tal[g];
    pk_add(a, w, resp);
    if ((a->pk & OPS_PK_MAX) == o->pk_fold_at)
        fold_grid(o, g);
}

/* Grid g's row of the breakdown: its totals and what its row holds since
 * the last fold. */
static struct tally grid_tally(const struct ops *o, int g)
{
    struct tally t = o->g_tot[g];
    pk_fold(&t, o->g_tal[g].pk);
    t.resp = o->g_tal[g].resp;
    return t;
}

/* Whether job jb closes on scene, without handover, when u is its first
 * unit: the resolution draw against its type's probability for u's role
 * (not for the grid tier or spawns: complete_ext). */
PS_HOT bool closes_on_scene(const struct ops *o, const struct job *jb, int u, const bool plain)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    return !inc_class_is_case(it->cls) && jb->u_resolve < it->resolve[tag_of(o, u, plain)->role];
}

/* waited: on the plain path, the call was taken from the queue (the
 * caller knows: back_to_queue_plain); elsewhere false, the job says. */
PS_HOT void record_first(struct ops *o, int u, struct job *jb, double now, const bool plain,
                         const bool waited, bool closes)
{
    const struct scn *s = o->s;
    const struct inc *in = &jb->inc;
    jb->t_first = now;
    jb->first_unit = u;
    /* A grid with one home unit decides it by the grid's record, which the
     * dispatch has just read, not by the unit's. */
    int gh = in->grid >= 0 ? o->grid_home1[in->grid].u : -1;
    jb->first_contact = gh >= 0 ? u == gh : home_of(o, u, in->grid);
    PS_HOT_ASSERT(jb->first_contact == home_of(o, u, in->grid));
    if (!plain && o->rec_extra)
        record_intervals(o, u, jb, now);
    if (!plain && in->t < o->warmup)
        return;
    const struct scn_itype *it = &s->itypes[in->type];
    /* On the plain path a call not queued is dispatched as it arrives, from
     * its unit's base: no wait, and the travel is the response, exactly.
     * One that waited left when its unit came back to base (t_dispatch). */
    PS_HOT_ASSERT(!waited || plain);
    PS_HOT_ASSERT(!plain || (jb->queued == waited && (waited || jb->t_dispatch == in->t)));
    double resp = now - in->t;
    double wait = plain && !waited ? 0.0 : jb->t_dispatch - in->t;
    double trav = !plain ? now - o->u[u].t0 : waited ? now - jb->t_dispatch : resp;
    bool within = resp <= it->target_min, first = jb->first_contact;
    bool queued = plain ? waited : jb->queued;
    int P = s->n_priorities;
    /* one bin search for every histogram of resp not batched (same_buf) */
    size_t rbin = trav != resp || (!plain && (o->split_prio || o->split_type))
                      ? stat_hist_bin(resp) : 0;
    if (!plain && !o->plain)            /* else t_tal[0] holds it (results) */
        stat_sum_add(&o->p_resp[P], resp);
    if (trav == resp) {
        stat_hbuf_add(&o->same_buf, resp);
    } else {
        stat_hist_add_bin(&o->p_hist[P], resp, rbin);
        stat_hist_add(&o->travel_hist, trav);
    }
    if (!plain && o->split_prio) {
        int p = in->prio_idx;
        stat_sum_add(&o->p_resp[p], resp);
        stat_hist_add_bin(&o->p_hist[p], resp, rbin);
        o->p_within[p] += within;
    }
    stat_sum_add(&o->travel, trav);
    if (plain && !waited) {             /* wait == 0: counted once, at the end */
        o->n_nowait++;
    } else {
        stat_sum_add(&o->wait_all, wait);
        stat_hist_add(&o->wait_hist, wait);
    }
    if (queued)
        stat_sum_add(&o->wait_queued, wait);
    o->n_cross += !first && tag_of(o, u, plain)->homed;
    if (!plain && o->zoned) {
        int gz = in->grid >= 0 ? o->grid_zone[in->grid] : -1;
        o->n_cross_zone += gz >= 0 && o->unit_zone[u] >= 0 && o->unit_zone[u] != gz;
    }
    unsigned wk = (unsigned)within | (unsigned)first << 1 | (unsigned)queued << 2;
    uint64_t w = pk_word[wk | (unsigned)(plain && closes) << 3];
    if (in->grid >= 0)
        tally_grid(o, in->grid, w, resp);
    int hr = hour_of_day(o, in->t);
    pk_add(&o->h_pk[hr], pk_word[wk], resp);    /* no resolved by hour */
    pk_add(&o->t_pk[in->type], w, resp);
    if (--o->pk_left == 0)
        fold_small(o);
    if (!plain && o->split_type)
        stat_hist_add_bin(&o->t_hist[in->type], resp, rbin);
    if (!plain && o->grid_on && o->tag[u].role == ROLE_GRID_WORKER) {
        o->gt_first++;
        o->gy_acc[(size_t)in->type * OPS_N_GRIDTYPE + GY_FIRST_SHARE] += 1;
        stat_sum_add(&o->gt_grid_resp, resp);
        return;                         /* not police: no tier, no station load */
    }
    if (o->one_tier >= 0)
        return;                         /* its row is the overall collector */
    struct tally *k = &o->k_tal[o->unit_tier[u]];
    k->n++;
    k->resp += resp;
    int sf = o->unit_tier[u] == FAC_STATION ? s->units[u].base : -1;
    if (sf >= 0) {
        o->st[sf].served += 1;
        o->st[sf].load += 1;
    }
}

static void handover(struct ops *o, struct job *jb)
{
    const struct scn *s = o->s;
    int g = jb->inc.grid;
    int sf = g >= 0 ? s->grids[g].station : o->unit_station[jb->first_unit];
    bool counted = jb->inc.t >= o->warmup;
    if (sf < 0 || o->st[sf].n_team == 0) {
        if (sf >= 0 && counted)
            o->st[sf].unstaffed++, o->st[sf].handovers++, o->st[sf].load++;
        return;
    }
    struct station_rt *st = &o->st[sf];
    if (counted) {
        st->handovers++;
        st->load++;
    }
    if (st->n == st->cap) {
        int nc = st->cap ? 2 * st->cap : 16;
        double *nt = xmalloc((size_t)nc * sizeof *nt), *nm = xmalloc((size_t)nc * sizeof *nm);
        for (int i = 0; i < st->n; i++) {
            nt[i] = st->fu_t[(st->head + i) % st->cap];
            nm[i] = st->fu_min[(st->head + i) % st->cap];
        }
        free(st->fu_t);
        free(st->fu_min);
        st->fu_t = nt;
        st->fu_min = nm;
        st->head = 0;
        st->cap = nc;
    }
    int k = (st->head + st->n++) % st->cap;
    o->pending_fu++;
    st->fu_t[k] = counted ? sim_now(o->sim) : -1;  /* -1: not measured */
    st->fu_min[k] = jb->fu_min;
    for (int i = 0; i < st->n_team; i++)
        if (o->u[st->team[i]].st == U_IDLE) {
            start_followup(o, st->team[i]);
            break;
        }
}

static void start_followup(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    struct station_rt *st = &o->st[o->unit_station[u]];
    double now = sim_now(o->sim);
    double t = st->fu_t[st->head], d = st->fu_min[st->head];
    st->head = (st->head + 1) % st->cap;
    st->n--;
    o->pending_fu--;
    if (t >= 0)
        stat_acc_add(&st->fu_wait, now - t);
    end_activity(o, u);
    unplace(o, u);
    if (!is_busy(r->st))
        r->busy_since = now;
    set_state(o, r, U_FOLLOWUP);
    r->ver++;
    r->followups += now >= o->warmup;
    sim_at(o->sim, now + d, EV_FU_END, (uint32_t)u, r->ver);
}

static void note_next_at(struct ops *o);

/* The grid tier and spawns at the end of a job: resolved = closed on scene
 * by the first contact (处结); closed = not handed over.  They differ only
 * for an escalated grid call, which the police may still close (the key
 * stream's draw 1, spawn.h).  Returns closed. */
PS_COLD static bool complete_ext(struct ops *o, struct job *jb, bool *resolved, bool counted)
{
    const struct scn_itype *it = &o->s->itypes[jb->inc.type];
    const struct job_x *x = jx_of(o, jb);
    bool closed;
    if (jb->phase == PH_ESCALATED) {
        *resolved = false;
        closed = !inc_class_is_case(it->cls) &&
                 spawn_grid_u01(o->seed, o->rep, x->key, 1) <
                     it->resolve[o->tag[x->police_unit].role];
    } else {
        *resolved = closed = !inc_class_is_case(it->cls) &&
                             grid_u(o, jb) < it->resolve[o->tag[jb->first_unit].role];
    }
    if (counted) {
        if (jb->phase == PH_GRID)
            grid_resolved(o, jb);
        o->t_closed_esc[jb->inc.type] += closed && !*resolved;
    }
    if (o->spawn_on) {
        spawn_draw(o->s, o->seed, o->rep, &jb->inc, x->key, x->depth, closed, sim_now(o->sim),
                   o->horizon, &o->spawns, &o->sp, counted);
        note_next_at(o);
    }
    return closed;
}

PS_HOT void complete(struct ops *o, int j, const bool plain, bool closes)
{
    const struct scn *s = o->s;
    struct job *jb = &o->job[j];
    const struct scn_itype *it = &s->itypes[jb->inc.type];
    double now = sim_now(o->sim);
    int fu = jb->first_unit;
    bool counted = plain || jb->inc.t >= o->warmup, resolved, closed;
    if (plain)                  /* record_first has counted it (closes) */
        resolved = closed = closes;
    else if (o->use_jx)
        closed = complete_ext(o, jb, &resolved, counted);
    else
        resolved = closed = closes_on_scene(o, jb, fu, false);
    if (counted) {
        if (!plain && jb->inc.grid >= 0)
            o->g_tot[jb->inc.grid].resolved += resolved;
        if (!plain)
            o->t_tal[jb->inc.type].resolved += resolved;
        o->t_handover[jb->inc.type] += !closed;
        if (!plain && o->ovs)   /* a replay with observed stamps only */
            obsvsim_add(o->ovs, &jb->inc, jb->t_dispatch, jb->t_first);
    }
    if (!plain && o->trace)
        fprintf(o->trace, "%llu,%.4f,%.4f,%.4f,%s,%s,%d,%s,%d,%d,%.4f,%.4f,%.4f,%d,%d,%d,%.4f,"
                "%d,%.4f\n",
                (unsigned long long)jb->inc.seq, jb->inc.t, jb->inc.x, jb->inc.y,
                jb->inc.grid >= 0 ? s->grids[jb->inc.grid].id : "", it->id,
                s->priorities[jb->inc.prio_idx], s->units[fu].id, job_units(o, jb),
                jb->queued, jb->t_dispatch, jb->t_first, now, jb->first_contact, closed,
                ops_clock_hour(o, jb->inc.t), o->jtr[j].t_depart, job_units(o, jb) + jb->resent,
                o->jtr[j].cp_min);
    if (!closed)
        handover(o, jb);
    job_free(o, j);
    o->tot.completed++;
}

/* The busy cycle of u on job j in one go, when nothing can observe its
 * middle (ops_setup sets one_event): the arrival on scene, the clearing
 * and the return leg follow from the leg times, so only the arrival back
 * at base is scheduled.  What arrival and clearing do is done here with
 * their times: the first-arrival statistics (taken at the arrival time),
 * counts that do not depend on when they are made, and completing the job
 * (no follow-up work can start, no trace is written).  The unit stays
 * U_ENROUTE until it is back, which only is_busy() reads.  back: the
 * minutes of the way back when the caller knows them, else NAN; waited:
 * as for record_first. */
PS_HOT void whole_cycle(struct ops *o, int u, int j, double back, const bool plain,
                        const bool waited)
{
    struct unit_rt *r = &o->u[u];
    struct job *jb = &o->job[j];
    double t_arrive = r->t1, t_leave = t_arrive + onscene_min(o, u, jb, plain);
    PS_HOT_ASSERT(!plain || isnan(jb->t_first));
    bool closes = plain && closes_on_scene(o, jb, u, true);    /* u is its first unit */
    if (plain || isnan(jb->t_first))
        record_first(o, u, jb, t_arrive, plain, waited, closes);
    if (plain || jb->inc.t >= o->warmup) {  /* u is the job's only unit, so its first */
        r->jobs++;
        r->away += !jb->first_contact;
    }
    double sx = jb->inc.x, sy = jb->inc.y;
    if (!plain) {               /* plain: never set (cycle_from_base) */
        r->job = -1;
        --jb->active;
    }
    complete(o, j, plain, closes);
    /* The return leg, as on_leave_scene would set it at t_leave; on the
     * plain path only its end, read by back_idle, which leaves the unit at
     * its base as the whole leg would. */
    const struct geo_pt *b = &o->base_xy[u];
    PS_HOT_ASSERT(!plain || (r->x1 == b->x && r->y1 == b->y && r->job == -1));
    if (!plain) {
        r->x0 = sx; r->y0 = sy; r->t0 = t_leave;
        r->x1 = b->x; r->y1 = b->y;
    }
    r->t1 = t_leave + (isnan(back) ? travel_in(o, u, sx, sy, b->x, b->y, t_leave, plain) : back);
    sim_at(o->sim, r->t1, EV_ARRIVE_BASE, (uint32_t)u, r->ver);
}

/* The leg from u's base to job j's scene and the whole cycle, under
 * one_event, where every dispatch starts at the unit's base (one_event_ok:
 * every unit idles there): no activity left to count, the position is the
 * base, no officer need follow (assign_from_base, assign_back).  waited:
 * on the plain path, a call the caller has taken off the queue
 * (back_to_queue_plain). */
PS_HOT void cycle_from_base(struct ops *o, int u, int j, double now, double px, double py,
                            const bool plain, const bool waited)
{
    struct unit_rt *r = &o->u[u];
    struct job *jb = &o->job[j];
    PS_HOT_ASSERT(!r->mobile && !r->in_nn && !o->any_first_resp);
    PS_HOT_ASSERT(!plain || (isnan(jb->t_dispatch) && !jb->in_queue && jb->need == 1));
    if (plain || isnan(jb->t_dispatch))
        jb->t_dispatch = now;
    /* px, py: where it is, its base (one_event_ok), which the caller has at
     * hand (start_from_base from base_xy, so that the unit record's second
     * line is not touched). */
    PS_HOT_ASSERT(r->x1 == o->base_xy[u].x && r->y1 == o->base_xy[u].y &&
                  px == r->x1 && py == r->y1);
    double x = jb->inc.x, y = jb->inc.y;
    /* The leg out, the unit's job and the job's counts of units needed and
     * active.  On the plain path nothing reads them before whole_cycle
     * undoes them (the leg back replaces the leg out, the job is done and
     * freed), so they are not written: the unit keeps its position at base
     * and no job. */
    if (!plain) {
        r->x0 = px; r->y0 = py; r->t0 = now;
        r->x1 = x; r->y1 = y;
        r->job = j;
        if (--jb->need == 0 && jb->in_queue)
            q_remove(o, j);
        jb->active++;
    }
    double out = travel_in(o, u, px, py, x, y, now, plain);
    r->t1 = now + out;
    r->st = U_ENROUTE;
    r->ver++;
    /* A metric without bands gives the same minutes both ways (|dx| + |dy|
     * and hypot do not depend on the direction), so a unit that left from
     * its base comes back in the time it took to get there. */
    whole_cycle(o, u, j, o->trv_sym ? out : NAN, plain, waited);
}

/* assign() under one_event for a unit idle at its base (bx, by), so in its
 * spatial index and on no activity: it goes from available to busy.
 * Inline in arrive_in, the hot caller, out of line elsewhere
 * (assign_from_base).  The caller passes the base, which the plain path
 * has from the unit's slot in its index, in cache from the search. */
PS_HOT void start_at(struct ops *o, int u, int j, double bx, double by, const bool plain)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    PS_HOT_ASSERT(r->in_nn && r->act == ACT_BASE);    /* no activity to close */
    PS_HOT_ASSERT(bx == o->base_xy[u].x && by == o->base_xy[u].y);
    nn__take_ref(o->nn[tag_of(o, u, plain)->slot], &r->nn);
    r->in_nn = false;
    r->busy_since = now;
    o->n_busy++;
    o->n_avail--;
    cycle_from_base(o, u, j, now, bx, by, plain, false);
}

/* start_at from u's base as its record has it. */
PS_HOT void start_from_base(struct ops *o, int u, int j, const bool plain)
{
    start_at(o, u, j, o->base_xy[u].x, o->base_xy[u].y, plain);
}

static void assign_from_base(struct ops *o, int u, int j)
{
    start_from_base(o, u, j, false);
}

/* assign() under one_event for a unit that has just arrived back at its
 * base from a call (back_idle): it stays busy.  Out of line, though not
 * rare where calls queue, so that on_event keeps the registers of its
 * common case, the unit going idle (inline it cost bench-city 5
 * instructions an incident and M/M/1 gained nothing). */
PS_COLD static void assign_back(struct ops *o, int u, int j)
{
    PS_HOT_ASSERT(o->u[u].st == U_ENROUTE && sim_now(o->sim) == o->u[u].t1);
    cycle_from_base(o, u, j, o->u[u].t1, o->u[u].x1, o->u[u].y1, false, false);
}

/* Sends u (available, or on scene and just cleared) to job j. */
static void assign(struct ops *o, int u, int j)
{
    struct unit_rt *r = &o->u[u];
    /* Idle at its base and in its index; not a unit whose shift has just
     * begun, which takes a queued call before it is placed (become_free). */
    if (o->one_event && r->st == U_IDLE && r->in_nn) {
        assign_from_base(o, u, j);
        return;
    }
    struct job *jb = &o->job[j];
    double now = sim_now(o->sim);
    enum unit_state was = r->st;
    end_activity(o, u);
    unplace(o, u);
    if (!is_busy(was))
        r->busy_since = now;
    if (isnan(jb->t_dispatch))
        jb->t_dispatch = now;
    leg(o, u, jb->inc.x, jb->inc.y, 1.0);
    set_state(o, r, U_ENROUTE);
    r->job = j;
    r->ver++;                           /* cancels any pending activity event */
    if (o->any_first_resp)
        officer_follow(o, u, jb);
    if (--jb->need == 0 && jb->in_queue)
        q_remove(o, j);
    jb->active++;
    if (o->one_event) {
        whole_cycle(o, u, j, NAN, false, false);
        return;
    }
    if (o->cad_turnout)                 /* never with one_event (one_event_ok) */
        ops_cad_turnout(o, u, ops_cad_turnout_state(o, u, was));
    sim_at(o->sim, r->t1, EV_ARRIVE_SCENE, (uint32_t)u, r->ver);
}

/* A unit serving a call at least preempt_gap levels less urgent than j,
 * eligible for j, nearest first; -1 if none.  Only single-unit calls are
 * pre-empted, so a pre-emption never splits a crew sent together. */
static int find_preemptable(const struct ops *o, const struct job *j)
{
    const struct scn *s = o->s;
    int best = -1;
    double bt = INFINITY;
    for (int u = 0; u < s->n_units; u++) {
        const struct unit_rt *r = &o->u[u];
        if ((r->st != U_ENROUTE && r->st != U_ONSCENE) || r->shift_over ||
            !ops_can_take(o, u, j->roles, j->cmask))
            continue;
        const struct job *v = &o->job[r->job];
        if (job_units(o, v) != 1 ||
            s->priorities[v->inc.prio_idx] - s->priorities[j->inc.prio_idx] < s->preempt_gap)
            continue;
        double t = ops_travel_to(o, u, j->inc.x, j->inc.y);
        if (t < bt || (t == bt && u < best))
            bt = t, best = u;
    }
    return best;
}

static void preempt(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    int v = r->job;
    struct job *vb = &o->job[v];
    double now = sim_now(o->sim);
    if (r->st == U_ONSCENE)
        vb->remaining = r->t1 > now ? r->t1 - now : 0;
    vb->active--;
    vb->need++;
    vb->resent++;                       /* it will be sent again */
    q_push(o, v);
    if (vb->inc.t >= o->warmup)
        o->preemptions++;
    /* Still where it is: on scene its leg has ended, en route it is moving. */
    set_state(o, r, U_RETURNING);                /* busy, not placed: assign takes it */
    r->job = -1;
}

/* Sends units to j until it has all it needs or none qualifies, then
 * pre-empts if allowed; what is still missing waits in the queue. */
static void dispatch_general(struct ops *o, int j);

/* The nearest_idle policy (disp.c nearest_select) on the plain path, where
 * it is inline: the grid's one home unit if it is free, else the nearest
 * free unit of the one index that holds every unit the call may take
 * (plain_nn), there being no mobile units under one_event; a grid with no
 * or several home units asks the policy.  Checked against the policy in
 * builds without NDEBUG. */
PS_HOT int plain_select(const struct ops *o, const struct job *jb, const struct nn_slot **at)
{
    int u = -1;
    *at = NULL;
    if (o->n_avail > 0) {
        const struct nn *t = o->nn[o->plain_nn];
        int g = jb->inc.grid;
        struct grid_home1 gh = g >= 0 ? o->grid_home1[g] : (struct grid_home1){ -1, OPS_NO_POS };
        int h = gh.u;
        /* Available and a role the call takes: present in plain_nn */
        bool home_free = gh.pos != OPS_NO_POS && nn__present_pos(t, gh.pos);
        PS_HOT_ASSERT(home_free == (h >= 0 && ops_available(o, h) && ops_role_in(o, h, jb->roles)));
        if (home_free) {
            u = h;
            *at = nn__slot(t, gh.pos);
        } else if (h >= 0) {
            *at = nn__nearest_slot(t, jb->inc.x, jb->inc.y);
            u = *at ? (*at)->id : -1;     /* nn_unit[plain_nn][(*at)->i] */
        } else {
            u = o->pol->select(o, o->pol_state, jb);
        }
    }
    PS_HOT_ASSERT(o->n_mob == 0 &&
                  u == (o->n_avail > 0 ? o->pol->select(o, o->pol_state, jb) : -1));
    return u;
}

/* Under one_event inline in its callers (their frame serves), and with
 * the busy cycle inline too where the caller is the hot one (whole; plain
 * as for arrive_in), else the general loop. */
PS_HOT void dispatch_in(struct ops *o, int j, const bool whole, const bool plain)
{
    if (plain || o->one_event) {
        /* One unit a call, no grid tier, holds or pre-emption (one_event_ok):
         * dispatch_general's loop once. */
        PS_HOT_ASSERT(o->job[j].need == 1 && o->job[j].phase == PH_POLICE);
        const struct nn_slot *at = NULL;    /* u's slot, where plain_select has it */
        int u = plain && o->plain_nn >= 0 ? plain_select(o, &o->job[j], &at)
              : o->n_avail > 0 ? o->pol->select(o, o->pol_state, &o->job[j]) : -1;
        if (u >= 0 && whole && at)      /* available: idle at its base (one_event_ok) */
            start_at(o, u, j, at->x, at->y, plain);
        else if (u >= 0 && whole)
            start_from_base(o, u, j, plain);
        else if (u >= 0)
            assign_from_base(o, u, j);
        else if (!o->job[j].in_queue)
            q_push(o, j);
        return;
    }
    dispatch_general(o, j);
}

PS_HOT void dispatch_job(struct ops *o, int j) { dispatch_in(o, j, false, false); }

static void dispatch_general(struct ops *o, int j)
{
    if (o->grid_on && o->job[j].phase == PH_GRID_TRY && grid_try(o, j))
        return;
    while (o->job[j].need > 0) {
        /* Every policy finds none when no unit is available (an M/M/1's
         * busy server, a city in a surge): then it is not asked. */
        int u = o->n_avail > 0 ? o->pol->select(o, o->pol_state, &o->job[j]) : -1;
        if (u < 0 && o->cad_hold)
            u = ops_cad_interrupt(o, &o->job[j]);
        if (u < 0 && o->s->preempt) {
            u = find_preemptable(o, &o->job[j]);
            if (u >= 0)
                preempt(o, u);
        }
        if (u < 0)
            break;
        assign(o, u, j);
    }
    if (o->job[j].need > 0 && !o->job[j].in_queue)
        q_push(o, j);
}

/* ---- closing the measured period ------------------------------------------ */

static bool closed(const struct ops *o)
{
    return o->tot.t_end > 0;
}

PS_COLD static void close_if_done(struct ops *o)
{
    if (closed(o))
        return;
    double now = sim_now(o->sim);
    if (now < o->horizon)
        return;
    o->tot.t_end = now;
    for (int u = 0; u < o->s->n_units; u++) {
        struct unit_rt *r = &o->u[u];
        if (r->st == U_OFF)
            continue;
        end_activity(o, u);
        r->duty += clip(o, r->duty_since, now);
        r->ver++;                       /* no further activity events */
        if (o->cad_hold)
            ops_cad_off(o, u);
    }
}

/* Runs after every event, inline: the cheap tests that end it during the
 * run (calls still to come, work in hand). */
PS_HOT void maybe_close(struct ops *o)
{
    if (o->has_next || o->spawns.n > 0 || o->active_jobs > 0 || o->n_busy > 0 ||
        o->pending_fu > 0)
        return;
    close_if_done(o);
}

/* ---- event handlers ------------------------------------------------------- */

static void on_shift_start(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim), a, b;
    long d;
    next_shift(o, u, now, &d, &a, &b);
    r->shift_day = (int)d;
    bool here = present(o, u, d);
    if (r->st != U_OFF) {
        /* Still finishing work from the previous shift: its overtime ends
         * here if the crew is on again, otherwise it goes off when done. */
        if (here && r->shift_over) {
            r->overtime += clip(o, r->shift_end, now);
            r->shift_over = false;
            place(o, u);
        }
    }
    r->shift_end = b;
    if (here) {
        r->duty_since = now;
        r->shifts += now >= o->warmup;
        if (r->st == U_OFF && !(o->cad_hold && ops_cad_shift_start(o, u, a))) {
            set_state(o, r, U_IDLE);
            stay(o, u);
            become_free(o, u);
        }
    } else {
        o->absent_shifts += now >= o->warmup;
        ab_cover(o, u);
    }
    sim_at(o->sim, b, EV_SHIFT_END, (uint32_t)u, 0);
}

static void on_shift_end(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim);
    if (o->cad_hold)
        ops_cad_shift_end(o, u);
    if (r->st != U_OFF) {
        r->duty += clip(o, r->duty_since, now);
        if (is_busy(r->st)) {
            r->shift_over = true;
            if (r->mobile)
                unplace(o, u);          /* a returning unit stops being dispatchable */
        } else {
            go_off(o, u);
        }
    }
    if (!closed(o)) {
        long d;
        double a, b;
        next_shift(o, u, now, &d, &a, &b);
        sim_at(o->sim, a > now ? a : now, EV_SHIFT_START, (uint32_t)u, 0);
    }
}

static void on_arrive_scene(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    struct job *jb = &o->job[r->job];
    double now = sim_now(o->sim);
    if (isnan(jb->t_first))
        record_first(o, u, jb, now, false, false, false);
    if (jb->inc.t >= o->warmup) {
        r->jobs++;
        r->away += u == jb->first_unit ? !jb->first_contact : !home_of(o, u, jb->inc.grid);
    }
    if (o->grid_on && o->tag[u].role != ROLE_GRID_WORKER && isnan(jx_of(o, jb)->t_police))
        police_arrival(o, u, jb, now);
    double on_scene = onscene_min(o, u, jb, false);
    if (!isnan(jb->remaining)) {        /* resuming a pre-empted job */
        on_scene = jb->remaining;
        jb->remaining = NAN;
    }
    set_state(o, r, U_ONSCENE);
    stay(o, u);
    r->t1 = now + on_scene;             /* still, until it clears */
    r->ver++;
    sim_at(o->sim, r->t1, EV_LEAVE_SCENE, (uint32_t)u, r->ver);
}

static void on_leave_scene(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    int j = r->job;
    r->job = -1;
    if (o->cad_turnout)
        ops_cad_cleared(o, u, sim_now(o->sim));
    if (--o->job[j].active == 0 && o->job[j].need == 0) {
        if (o->job[j].phase == PH_GRID && !grid_resolves(o, &o->job[j]))
            escalate(o, j);
        else
            complete(o, j, false, false);
    }
    const struct geo_pt *b = &o->base_xy[u];
    if (!r->shift_over && o->tag[u].idle != IDLE_BASE) {
        become_free(o, u);              /* back to patrol / community work from here */
        return;
    }
    if (redispatchable(o, u)) {
        int q = q_first_for(o, u);
        if (q >= 0) {
            assign(o, u, q);
            return;
        }
    }
    leg(o, u, b->x, b->y, 1.0);
    set_state(o, r, U_RETURNING);
    r->ver++;
    place(o, u);
    sim_at(o->sim, r->t1, EV_ARRIVE_BASE, (uint32_t)u, r->ver);
}

/* What go_idle, next_activity, stay and place do for an en-route unit
 * arriving at its base under one_event, written out once (back_idle). */
PS_HOT void settle_at_base(struct ops *o, int u, double now, const bool plain)
{
    struct unit_rt *r = &o->u[u];
    /* plain: no warm-up, so clip's minutes are these, exactly */
    r->busy += plain ? now - r->busy_since : clip(o, r->busy_since, now);
    o->n_busy--;                        /* set_state(U_IDLE): busy -> available */
    o->n_avail++;
    r->st = U_IDLE;
    r->ver++;
    r->act = ACT_BASE;                  /* no act_since: no total counts its minutes */
    /* Still at x1, y1 (the base) once t1 has passed (ops_unit_pos), so the
     * leg's start need not be reset: the record's second line stays cold. */
    nn__insert_ref(o->nn[tag_of(o, u, plain)->slot], &r->nn);
    r->in_nn = true;
}

/* back_idle with calls queued: the first it may take, as become_free
 * would, else idle. */
PS_COLD static int back_to_queue(struct ops *o, int u)
{
    int j = q_first_for(o, u);
    if (j >= 0)
        assign_back(o, u, j);
    else
        settle_at_base(o, u, o->u[u].t1, false);
    maybe_close(o);
    return 0;
}

/* back_to_queue on the plain path: the call taken leaves the queue here,
 * then its busy cycle from the base as an arrival's (cycle_from_base,
 * waited), not through the general path's tests.  Where calls queue, as
 * in the M/M/1 bench (three calls in four), this is the common case. */
PS_COLD static int back_to_queue_plain(struct ops *o, int u)
{
    int j = q_first_for(o, u);
    if (j >= 0) {
        q_remove(o, j);
        cycle_from_base(o, u, j, o->u[u].t1, o->base_xy[u].x, o->base_xy[u].y, true, true);
    } else {
        settle_at_base(o, u, o->u[u].t1, true);
    }
    maybe_close(o);
    return 0;
}

/* maybe_close's rare part, as an event handler's tail call. */
PS_COLD static int close_after_event(struct ops *o)
{
    close_if_done(o);
    return 0;
}

/* on_arrive_base under one_event (one_event_ok: idle at base, no holds,
 * no case team, so no follow-up to take) when the unit's shift goes on,
 * then maybe_close; on_event's return value.  Every call a tail call, so
 * that the common case, the unit going idle, needs no stack frame.  -1:
 * nothing done (the shift is over, or not one_event). */
PS_HOT int back_idle(struct ops *o, int u, const bool plain)
{
    struct unit_rt *r = &o->u[u];
    if (!(plain || o->one_event) || r->shift_over)
        return -1;
    PS_HOT_ASSERT(sim_now(o->sim) == r->t1 && r->st == U_ENROUTE && !r->in_nn && !r->mobile);
    if (o->qn > 0)
        return plain ? back_to_queue_plain(o, u) : back_to_queue(o, u);
    settle_at_base(o, u, r->t1, plain);
    if (o->has_next || o->spawns.n > 0 || o->active_jobs > 0 || o->n_busy > 0 ||
        o->pending_fu > 0)              /* maybe_close's test */
        return 0;
    return close_after_event(o);
}

static void on_arrive_base(struct ops *o, int u)
{
    /* stay() without the position lookup: the event is at the leg's end. */
    struct unit_rt *r = &o->u[u];
    PS_HOT_ASSERT(sim_now(o->sim) == r->t1);
    r->x0 = r->x1;
    r->y0 = r->y1;
    r->t0 = r->t1;
    if (o->u[u].shift_over)
        go_off(o, u);
    else
        become_free(o, u);
}

static void on_followup_end(struct ops *o, int u)
{
    if (o->u[u].shift_over)
        go_off(o, u);
    else
        become_free(o, u);
}

/* Every event but a busy cycle's end that back_idle takes (on_event). */
PS_COLD static int on_other_event(struct ops *o, const struct evq_event *ev)
{
    int u = (int)ev->id;
    if (ev->kind == EV_ARRIVE_BASE && ev->ver == o->u[u].ver) {
        on_arrive_base(o, u);
        maybe_close(o);
        return 0;
    }
    switch (ev->kind) {
    case EV_HORIZON:
        o->q_at_horizon = o->qn;
        o->q_since_at_horizon = o->qn ? o->q_busy_since : NAN;
        maybe_close(o);
        return 0;
    case EV_DISPATCH:                   /* call processing done (id = job) */
        dispatch_job(o, (int)ev->id);
        return 0;
    case EV_SHIFT_START:
        if (!closed(o))
            on_shift_start(o, u);
        return 0;
    case EV_SHIFT_END:
        if (!closed(o))
            on_shift_end(o, u);
        return 0;
    default:
        break;
    }
    if (ev->kind >= OPS_EV_CAD) {
        ops_cad_event(o, ev->kind, u, ev->ver);
        maybe_close(o);
        return 0;
    }
    if (ev->ver != o->u[u].ver)
        return 1;
    switch (ev->kind) {
    case EV_ARRIVE_SCENE: on_arrive_scene(o, u); break;
    case EV_LEAVE_SCENE:  on_leave_scene(o, u); break;
    case EV_ARRIVE_BASE:  on_arrive_base(o, u); break;
    case EV_FU_END:       on_followup_end(o, u); break;
    case EV_ACT:
        if (!closed(o))
            on_activity(o, u);
        break;
    default:
        PS_ASSERT(!"unknown event kind");
    }
    maybe_close(o);
    return 0;
}

static int on_event(void *m, struct sim *sim, const struct evq_event *ev, struct perr *e)
{
    (void)sim, (void)e;
    struct ops *o = m;
    int u = (int)ev->id;
    /* Most of the calendar: a busy cycle's end (its only event under
     * one_event), tested first and without a stack frame: everything else
     * is a tail call. */
    if (ev->kind == EV_ARRIVE_BASE && ev->ver == o->u[u].ver) {
        int rc = o->plain ? back_idle(o, u, true) : back_idle(o, u, false);
        if (rc >= 0)
            return rc;
    }
    return on_other_event(o, ev);
}

/* ---- arrivals ------------------------------------------------------------ */

/* Starts the memory fetches of what an incident will touch first: its
 * grid's entries when it is read (OPS_AHEAD - 1 arrivals away), its home
 * unit's records two arrivals before it (grid_home1[] is in cache by
 * then).  An incident lands in a random grid, so on a large city each of
 * these is otherwise a cache miss on the path that dispatches it, and an
 * arrival or two of distance are needed to hide one (docs/performance.md).
 * Hints only: nothing here changes a result.  PS_HOT, because GCC drops
 * a call to a function whose only effect is a prefetch, inline or not
 * (tests/test_prefetch.sh checks that every hint is compiled in). */
PS_HOT void prefetch_grid(const struct ops *o, const struct inc *in)
{
    if (in->grid < 0)
        return;
    __builtin_prefetch(&o->grid_home1[in->grid]);
    if (o->zoned)                               /* else grid_zone[] is not read */
        __builtin_prefetch(&o->grid_zone[in->grid]);
    __builtin_prefetch(&o->g_tal[in->grid], 1); /* a quarter line (struct ptally) */
}

PS_HOT void prefetch_home(const struct ops *o, const struct inc *in)
{
    if (in->grid < 0)
        return;
    struct grid_home1 gh = o->grid_home1[in->grid];
    if (gh.u < 0 || (o->plain_nn >= 0 && gh.pos == OPS_NO_POS))
        return;
    int h = gh.u;
    if (o->plain_nn >= 0) {
        /* A busy home unit's record is not read (plain_select): its bit
         * says so now, as it will most likely still say then.  The bit
         * picks the line by a mask, not a branch, as it is a coin toss
         * (four home units in ten busy at bench-city): for a busy unit the
         * hint goes to *o, in cache.  The unit's slot, where a dispatch
         * from base starts, is asked for either way. */
        const struct nn *t = o->nn[o->plain_nn];
        uintptr_t line = (uintptr_t)o, to_u = (uintptr_t)&o->u[h] - line;
        line += to_u & -(uintptr_t)nn__present_pos(t, gh.pos);
        __builtin_prefetch((const void *)line, 1);
        __builtin_prefetch(nn__slot(t, gh.pos));
        return;
    }
    __builtin_prefetch(&o->u[h], 1);            /* the line a dispatch writes */
    if (!o->plain)                              /* ... and the leg's (struct unit_rt) */
        __builtin_prefetch((const char *)&o->u[h] + 64, 1);
    __builtin_prefetch(&o->base_xy[h]);         /* where a dispatch from base starts */
}

/* Reads the stream until OPS_AHEAD incidents are in hand (one without
 * prefetching) or it ends; at set-up. */
static int fill(struct ops *o, struct perr *e)
{
    unsigned want = o->prefetch ? OPS_AHEAD : 1;
    for (o->nx_at = o->nx_n = 0; o->nx_n < want; o->nx_n++) {
        int rc = o->src->next(o->src_state, &o->nx[o->nx_n], e);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            o->src_done = true;
            break;
        }
    }
    o->next = &o->nx[0];
    o->has_next = o->nx_n > 0;
    note_next_at(o);
    return 0;
}

/* Moves the stream on past *next, which has arrived.  Without prefetching
 * *next is the only incident in hand; with it the ring stays full (the
 * slot just freed takes the next incident) until the stream ends. */
static int pull_ahead(struct ops *o, struct perr *e);
static int pull(struct ops *o, struct perr *e)
{
    if (o->prefetch)
        return pull_ahead(o, e);
    int rc = o->src->next(o->src_state, o->next, e);
    if (rc < 0)
        return -1;
    o->has_next = rc == 1;
    note_next_at(o);
    return 0;
}

/* pull with prefetching: out of line, so that the registers its hints
 * need are not saved on every call without them (5 instructions an
 * incident at S = 8 and 64). */
PS_COLD static int pull_ahead(struct ops *o, struct perr *e)
{
    _Static_assert((OPS_AHEAD & (OPS_AHEAD - 1)) == 0 && OPS_AHEAD > 2, "ring of 2^k > 2");
    unsigned at = (o->nx_at + 1) & (OPS_AHEAD - 1);
    struct inc *in = o->next;           /* its slot takes the stream's next */
    o->nx_at = at;
    o->next = &o->nx[at];
    if (o->src_done) {
        o->nx_n--;
    } else {
        int rc = o->src->next(o->src_state, in, e);
        if (rc < 0)
            return -1;
        if (rc == 0) {
            o->src_done = true;
            o->nx_n--;
        } else {
            prefetch_grid(o, in);
            prefetch_home(o, &o->nx[(at + 2) & (OPS_AHEAD - 1)]);
        }
    }
    o->has_next = o->nx_n > 0;
    note_next_at(o);
    return 0;
}

static int arrive_spawned(struct ops *o, const struct spawn_inc *x, struct perr *e);

/* The next arrival: the stream's next incident or a spawned one. */
static double arrival_time(const struct ops *o)
{
    double t = o->has_next ? o->next->t : INFINITY;
    if (o->spawn_on && o->spawns.n > 0 && spawn_q_top(&o->spawns)->inc.t < t)
        t = spawn_q_top(&o->spawns)->inc.t;
    return t;
}

/* o->next_at, which the run loop reads (sim_arrival_time_at), follows
 * arrival_time: called wherever the stream moves on (fill, pull) and
 * wherever a spawned incident is added or taken (complete_ext, arrive). */
static void note_next_at(struct ops *o)
{
    o->next_at = arrival_time(o);
}

static double next_arrival(void *m)
{
    return arrival_time(m);
}

/* An exogenous call arrives, most of the run's work: the busy cycle it
 * starts is inline here.  plain: o->plain, a constant in each of arrive's
 * two copies, so that the plain one tests none of the features it rules
 * out.  The functions it passes plain to take it as true on this path
 * only, so there it also means a new job, never dispatched or queued (no
 * dispatch time yet, no first arrival): PS_HOT_ASSERTed where relied on. */
PS_HOT int arrive_in(struct ops *o, struct perr *e, const bool plain)
{
    /* A spawned incident due before the next exogenous one goes first;
     * on a tie the exogenous one does. */
    if (!plain && o->spawn_on && o->spawns.n > 0 &&
        spawn_q_top(&o->spawns)->inc.t < (o->has_next ? o->next->t : INFINITY)) {
        struct spawn_inc x;
        spawn_q_pop(&o->spawns, &x);
        note_next_at(o);
        return arrive_spawned(o, &x, e);
    }
    const struct scn_itype *it = &o->s->itypes[o->next->type];
    int j = job_alloc(o, e);
    if (j < 0)
        return -1;
    struct job *jb = &o->job[j];
    job_init(o, jb, o->next, plain);
    if (!plain && o->use_jx)
        job_start(o, jb, spawn_key_exo(o->next->seq), 0, false);
    /* Drawn for every call whatever happens to it, so that the outcome
     * stream stays aligned across layouts (common random numbers), unless
     * every resolution probability is 0 or 1: then any u in [0, 1) gives
     * the same outcome, and the scenario's types decide this, not its
     * layout. */
    jb->u_resolve = o->draw_resolve ? rng_u01(o->r_outcome) : 0.5;
    if (!plain && it->has_followup) {
        struct scn_itype fu = *it;
        fu.dist = it->fu_dist;
        fu.mean_min = it->fu_mean_min;
        fu.sd_min = it->fu_sd_min;
        jb->fu_min = inc_draw_service(&fu, o->r_outcome);
    }
    o->tot.created++;
    if (!plain && o->arrive_cad) {
        /* Call processing (the dispatch decision comes after taking the
         * call: [dispatch] call_processing*, or by type and hour) and units
         * per call (ops_cad.c); the trace keeps the delay. */
        double cp = ops_cad_arrive(o, jb, spawn_key_exo(jb->inc.seq), o->r_outcome);
        if (o->jtr)
            o->jtr[j] = (struct job_trace){ cp, NAN };
        if (cp > 0)
            sim_after(o->sim, cp, EV_DISPATCH, (uint32_t)j, 0);
        else
            dispatch_job(o, j);
    } else {
        dispatch_in(o, j, true, plain);
    }
    if (pull(o, e) < 0)
        return -1;
    maybe_close(o);
    return 0;
}

static int arrive(void *m, struct sim *sim, struct perr *e)
{
    (void)sim;
    struct ops *o = m;
    return o->plain ? arrive_in(o, e, true) : arrive_in(o, e, false);
}

/* A spawned incident (spawn.h) arrives: as arrive(), but every draw comes
 * from its own key stream, so the outcome stream of exogenous calls is not
 * shifted by spawns. */
static int arrive_spawned(struct ops *o, const struct spawn_inc *x, struct perr *e)
{
    const struct scn_itype *it = &o->s->itypes[x->inc.type];
    int j = job_alloc(o, e);
    if (j < 0)
        return -1;
    struct job *jb = &o->job[j];
    job_init(o, jb, &x->inc, false);
    job_start(o, jb, x->key, x->depth, true);
    if (jb->inc.t >= o->warmup) {
        o->n_spawned++;
        o->n_sp_effect[x->effect]++;
    }
    gsl_rng r;
    struct rng_state st;
    rng_stream_bind(&r, &st);
    rng_stream_seed_key(&r, rng_mix4(o->seed, (uint64_t)o->rep, SPAWN_RNG, ~x->key));
    jb->u_resolve = rng_u01(&r);
    if (it->has_followup) {
        struct scn_itype fu = *it;
        fu.dist = it->fu_dist;
        fu.mean_min = it->fu_mean_min;
        fu.sd_min = it->fu_sd_min;
        jb->fu_min = inc_draw_service(&fu, &r);
    }
    o->tot.created++;
    if (o->arrive_cad) {
        /* As arrive(), keyed by the spawned incident (CRN for spawns). */
        double cp = ops_cad_arrive(o, jb, x->key, &r);
        if (o->jtr)
            o->jtr[j] = (struct job_trace){ cp, NAN };
        if (cp > 0)
            sim_after(o->sim, cp, EV_DISPATCH, (uint32_t)j, 0);
        else
            dispatch_job(o, j);
    } else {
        dispatch_job(o, j);
    }
    maybe_close(o);
    return 0;
}

/* ---- set-up ---------------------------------------------------------------- */

static void ops_release(struct ops *o)
{
    const struct scn *s = o->s;
    if (o->pol && o->pol_state)
        o->pol->release(o->pol_state);
    if (o->src && o->src_state)
        o->src->close(o->src_state);
    if (o->r_outcome)
        gsl_rng_free(o->r_outcome);
    obsvsim_free(o->ovs);
    free(o->r_patrol);
    free(o->patrol_st);
    sim_free(o->sim);
    for (int k = 0; k < s->n_modes * ROLE_N * o->n_cc; k++) {
        if (o->nn)
            nn_free(o->nn[k]);
        if (o->nn_unit)
            free(o->nn_unit[k]);
    }
    int norg[3] = { s->n_groups, s->n_teams, s->n_facilities };
    for (int k = 0; k < 3; k++) {
        for (int i = 0; i < norg[k] && o->org_units[k]; i++)
            free(o->org_units[k][i]);
        free(o->org_units[k]);
        free(o->n_org_units[k]);
    }
    free(o->grid_resp);
    free(o->type_cmask);
    free(o->cclass);
    free(o->type_roles);
    free(o->job_tmpl);
    free(o->gy_acc);
    free(o->t_closed_esc);
    free(o->t_handover);
    spawn_q_release(&o->spawns);
    free(o->nn); free(o->nn_unit); free(o->mob); free(o->u);
    free(o->mode_roles);
    free(o->sole_nn);
    free(o->mode_mpk);
    free(o->home_store);
    free(o->grid_home); free(o->home_post); free(o->n_grid_home);
    for (int z = 0; z < s->n_zones && o->zone_units; z++)
        free(o->zone_units[z]);
    free(o->zone_units); free(o->n_zone_units); free(o->unit_zone); free(o->unit_station);
    free(o->unit_home1); free(o->unit_tier); free(o->grid_zone);
    free(o->tag); free(o->base_xy); free(o->grid_home1);
    for (int f = 0; f < s->n_facilities && o->st; f++) {
        free(o->st[f].fu_t);
        free(o->st[f].fu_min);
        free(o->st[f].team);
    }
    free(o->st);
    free(o->job);
    free(o->jtr);
    free(o->jx);
    for (int p = 0; p <= s->n_priorities && o->p_hist; p++)
        stat_hist_release(&o->p_hist[p]);      /* NULL-safe: unfilled ones have no h */
    for (int t = 0; t < s->n_itypes && o->t_hist; t++)
        stat_hist_release(&o->t_hist[t]);
    if (o->wait_hist.h)
        stat_hist_release(&o->wait_hist);
    if (o->travel_hist.h)
        stat_hist_release(&o->travel_hist);
    if (o->same_hist.h)
        stat_hist_release(&o->same_hist);
    free(o->p_resp); free(o->p_hist); free(o->p_within); free(o->t_hist);
    free(o->g_tal); free(o->g_tot); free(o->h_tal); free(o->t_tal); free(o->k_tal);
    free(o->h_pk); free(o->t_pk);
    if (o->da_hist.h)
        stat_hist_release(&o->da_hist);
    ops_cad_release(o);
    ops_blocks_release(&o->B);
}

static void *zalloc(size_t n, size_t size)
{
    return xcalloc(n ? n : 1, size);
}

/* zalloc aligned to `align` (a power of two); freed with free(). */
static void *zalloc_aligned(size_t n, size_t size, size_t align)
{
    void *p = NULL;
    size_t bytes = (n ? n : 1) * size;
    if (posix_memalign(&p, align, bytes) != 0 || !p) {
        fprintf(stderr, "patrolsim: out of memory (requesting %zu bytes)\n", bytes);
        abort();
    }
    memset(p, 0, bytes);
    return p;
}

/* Crew classes (ops_priv.h): with no type constraining crews one class;
 * else class = has an officer x crew size capped at the largest min_crew
 * (sizes above it are alike), at most 2 x 8 = 16 classes (job.cmask).  Fills n_cc,
 * type_cmask and officer_cmask; returns each unit's class (caller frees). */
static int *crew_classes(struct ops *o)
{
    const struct scn *s = o->s;
    int cap = 1;
    bool constrained = false;
    for (int t = 0; t < s->n_itypes; t++) {
        constrained |= s->itypes[t].needs_officer != NEED_NONE || s->itypes[t].min_crew > 1;
        if (s->itypes[t].min_crew > cap)
            cap = s->itypes[t].min_crew;
    }
    int *cls = zalloc((size_t)s->n_units, sizeof *cls);
    o->type_cmask = zalloc((size_t)s->n_itypes, sizeof *o->type_cmask);
    o->n_cc = constrained ? 2 * cap : 1;
    PS_ASSERT(o->n_cc <= 16);
    o->officer_cmask = 0;
    for (int c = 0; c < o->n_cc; c++)
        o->officer_cmask |= (uint32_t)(constrained ? c >= cap : 1) << c;
    for (int u = 0; u < s->n_units && constrained; u++) {
        int crew = crew_size(s, u);
        cls[u] = (s->units[u].officers > 0 ? cap : 0) + (crew < cap ? crew : cap) - 1;
    }
    for (int t = 0; t < s->n_itypes; t++)
        for (int c = 0; c < o->n_cc; c++) {
            bool ok = !constrained ||
                      ((c % cap) + 1 >= s->itypes[t].min_crew &&
                       (s->itypes[t].needs_officer != NEED_OFFICER || c >= cap));
            o->type_cmask[t] |= (uint32_t)ok << c;
        }
    return cls;
}

/* Organisational lists for tiered levels by scope: units per group, team
 * and station, and each grid's responsible unit (its first A-post police
 * home unit, else its first police home unit). */
static void build_org(struct ops *o)
{
    const struct scn *s = o->s;
    int n[3] = { s->n_groups, s->n_teams, s->n_facilities };
    for (int k = 0; k < 3; k++) {
        o->org_units[k] = zalloc((size_t)n[k], sizeof *o->org_units[k]);
        o->n_org_units[k] = zalloc((size_t)n[k], sizeof *o->n_org_units[k]);
    }
    for (int u = 0; u < s->n_units; u++) {
        int id[3] = { s->units[u].group, s->units[u].team, o->unit_station[u] };
        for (int k = 0; k < 3; k++) {
            if (id[k] < 0)
                continue;
            int m = o->n_org_units[k][id[k]]++;
            o->org_units[k][id[k]] = xrealloc(o->org_units[k][id[k]],
                                              (size_t)(m + 1) * sizeof(int));
            o->org_units[k][id[k]][m] = u;
        }
    }
    o->grid_resp = zalloc((size_t)s->n_grids, sizeof *o->grid_resp);
    for (int g = 0; g < s->n_grids; g++) {
        o->grid_resp[g] = -1;
        for (int k = 0; k < o->n_grid_home[g] && o->grid_resp[g] < 0; k++)
            if (o->tag[o->grid_home[g][k]].role != ROLE_GRID_WORKER)
                o->grid_resp[g] = o->grid_home[g][k];
    }
}

/* Indexes that do not change during a run: per (mode, role) spatial indexes
 * of bases, home units per grid in post order, units per zone, case teams
 * per station. */
static void build_indexes(struct ops *o)
{
    const struct scn *s = o->s;
    int U = s->n_units, G = s->n_grids;
    int *cclass = crew_classes(o);
    int NI = s->n_modes * ROLE_N * o->n_cc;
    o->u = zalloc_aligned((size_t)U, sizeof *o->u, _Alignof(struct unit_rt));
    o->mob = zalloc((size_t)U, sizeof *o->mob);
    o->nn = zalloc((size_t)NI, sizeof *o->nn);
    o->nn_unit = zalloc((size_t)NI, sizeof *o->nn_unit);
    o->mode_roles = zalloc((size_t)s->n_modes, sizeof *o->mode_roles);
    o->mode_mpk = zalloc((size_t)s->n_modes, sizeof *o->mode_mpk);
    for (int m = 0; m < s->n_modes; m++)
        o->mode_mpk[m] = 60.0 / s->modes[m].speed_kmh;   /* a unit's travel minutes per km */
    for (int u = 0; u < U; u++)
        o->mode_roles[s->units[u].mode] |= 1u << s->units[u].role;
    o->sole_nn = zalloc((size_t)1 << ROLE_N, sizeof *o->sole_nn);
    for (unsigned roles = 0; roles < 1u << ROLE_N; roles++) {
        int k1 = -1, n = 0;
        for (int m = 0; m < s->n_modes; m++)
            for (unsigned rs = roles & o->mode_roles[m]; rs; rs &= rs - 1, n++)
                k1 = m * ROLE_N + __builtin_ctz(rs);
        o->sole_nn[roles] = n == 1 ? k1 : -1;
    }
    double *bx = zalloc((size_t)U, sizeof *bx), *by = zalloc((size_t)U, sizeof *by);
    for (int k = 0; k < NI; k++) {
        int n = 0;
        o->nn_unit[k] = zalloc((size_t)U, sizeof(int));
        for (int u = 0; u < U; u++) {
            if (nn_slot(o, u, cclass[u]) != k)
                continue;
            bx[n] = base_of(o, u)->x;
            by[n] = base_of(o, u)->y;
            o->nn_unit[k][n++] = u;
        }
        /* The road and matrix searches bound time by straight-line distance. */
        o->nn[k] = nn_new(bx, by, n, s->trv->kind == TRV_KIND_METRIC ? s->metric : TRV_EUCLIDEAN);
        for (int i = 0; i < n; i++) {
            o->u[o->nn_unit[k][i]].nn = nn_ref_of(o->nn[k], i);
            nn_set_id(o->nn[k], i, o->nn_unit[k][i]);
        }
        if (o->prefetch)
            nn_prefetch_ids(o->nn[k], o->u, sizeof *o->u);
    }
    free(bx);
    free(by);

    o->grid_home = zalloc((size_t)G, sizeof *o->grid_home);
    o->home_post = zalloc((size_t)G, sizeof *o->home_post);
    o->n_grid_home = zalloc((size_t)G, sizeof *o->n_grid_home);
    for (int u = 0; u < U; u++)
        for (int k = 0; k < s->units[u].n_home; k++)
            o->n_grid_home[s->units[u].home[k]]++;
    /* Both lists of every grid in one block: one allocation per grid was
     * 32,768 calls at bench-city S = 128, in the timed set-up of a run. */
    size_t n_home = 0;
    for (int g = 0; g < G; g++)
        n_home += (size_t)o->n_grid_home[g];
    o->home_store = zalloc(2 * n_home + 1, sizeof(int));
    for (int g = 0, *at = o->home_store; g < G; g++) {
        o->grid_home[g] = at;
        o->home_post[g] = at + n_home;
        at += o->n_grid_home[g];
        o->n_grid_home[g] = 0;
    }
    for (int post = 0; post < 3; post++)        /* A, then B, then C */
        for (int u = 0; u < U; u++)
            for (int k = 0; k < s->units[u].n_home; k++)
                if (s->units[u].post[k] == post) {
                    int g = s->units[u].home[k], n = o->n_grid_home[g]++;
                    o->grid_home[g][n] = u;
                    o->home_post[g][n] = post;
                }

    o->grid_home1 = zalloc((size_t)G, sizeof *o->grid_home1);
    for (int g = 0; g < G; g++)
        o->grid_home1[g] = (struct grid_home1){
            o->n_grid_home[g] == 1 ? o->grid_home[g][0] : -1, OPS_NO_POS };
    o->tag = zalloc((size_t)U, sizeof *o->tag);
    o->cclass = zalloc((size_t)U, sizeof *o->cclass);
    o->base_xy = zalloc((size_t)U, sizeof *o->base_xy);
    PS_ASSERT(NI <= 65535 && s->n_modes <= 255);
    for (int u = 0; u < U; u++) {
        o->tag[u] = (struct unit_tag){ (unsigned char)s->units[u].role,
                                       (unsigned char)s->units[u].idle,
                                       (unsigned short)nn_slot(o, u, cclass[u]),
                                       (unsigned char)s->units[u].mode,
                                       s->units[u].n_home > 0 };
        o->cclass[u] = (unsigned char)cclass[u];
        o->base_xy[u] = (struct geo_pt){ base_of(o, u)->x, base_of(o, u)->y };
    }
    o->unit_home1 = zalloc((size_t)U, sizeof *o->unit_home1);
    o->unit_tier = zalloc((size_t)U, sizeof *o->unit_tier);
    o->grid_zone = zalloc((size_t)G, sizeof *o->grid_zone);
    for (int u = 0; u < U; u++) {
        const struct scn_unit *un = &s->units[u];
        o->unit_home1[u] = un->n_home == 0 ? -1 : un->n_home == 1 ? un->home[0] : -2;
        o->unit_tier[u] = (signed char)base_of(o, u)->tier;
    }
    /* Every first arrival counted in one tier's row, not a station's (no
     * station load to count) and no grid tier: the row would receive what
     * the overall collector p_resp[P] does, in the same order. */
    o->one_tier = U > 0 && !ops_has_grid_tier(s) && o->unit_tier[0] != FAC_STATION
                ? o->unit_tier[0] : -1;
    for (int u = 1; u < U; u++)
        if (o->unit_tier[u] != o->one_tier)
            o->one_tier = -1;
    for (int g = 0; g < G; g++)
        o->grid_zone[g] = s->grids[g].zone;
    o->zoned = s->n_zones > 0;
    o->trv_sym = s->trv->fast;
    o->unit_zone = zalloc((size_t)U, sizeof *o->unit_zone);
    o->unit_station = zalloc((size_t)U, sizeof *o->unit_station);
    o->zone_units = zalloc((size_t)s->n_zones, sizeof *o->zone_units);
    o->n_zone_units = zalloc((size_t)s->n_zones, sizeof *o->n_zone_units);
    for (int u = 0; u < U; u++) {
        o->unit_zone[u] = base_of(o, u)->zone;
        o->unit_station[u] = base_of(o, u)->station;
        if (o->unit_zone[u] >= 0)
            o->n_zone_units[o->unit_zone[u]]++;
    }
    for (int z = 0; z < s->n_zones; z++) {
        o->zone_units[z] = zalloc((size_t)o->n_zone_units[z], sizeof(int));
        o->n_zone_units[z] = 0;
    }
    for (int u = 0; u < U; u++)
        if (o->unit_zone[u] >= 0)
            o->zone_units[o->unit_zone[u]][o->n_zone_units[o->unit_zone[u]]++] = u;

    free(cclass);
    build_org(o);
    o->st = zalloc((size_t)s->n_facilities, sizeof *o->st);
    for (int f = 0; f < s->n_facilities; f++)
        stat_acc_init(&o->st[f].fu_wait);
    for (int u = 0; u < U; u++)
        if (s->units[u].role == ROLE_CASE_TEAM && o->unit_station[u] >= 0) {
            struct station_rt *st = &o->st[o->unit_station[u]];
            st->team = xrealloc(st->team, (size_t)(st->n_team + 1) * sizeof(int));
            st->team[st->n_team++] = u;
        }
}

/* Whether a busy cycle can run as one event (whole_cycle): nothing may
 * look at a unit between dispatch and its return to base.  Observers are
 * pre-emption (reads en-route and on-scene units), re-dispatch of
 * returning units, idle activities resumed from the scene, crews of
 * several units (a job completes when the last one clears), follow-ups
 * (a handover starts case-team work at the clearing time) and the trace
 * (written in clearing order); and the CAD mechanisms but call processing
 * (a unit's turnout depends on when it last cleared, crews are several
 * units, held units change state between calls). */
static bool one_event_ok(const struct ops *o)
{
    const struct scn *s = o->s;
    if (s->preempt || s->redispatch_returning || o->trace || o->cad_hold || o->cad_upc ||
        o->cad_turnout)
        return false;
    for (int u = 0; u < s->n_units; u++)
        if (s->units[u].idle != IDLE_BASE || s->units[u].role == ROLE_CASE_TEAM)
            return false;
    for (int t = 0; t < s->n_itypes; t++)
        if (s->itypes[t].units_required != 1 || s->itypes[t].needs_officer == NEED_FIRST)
            return false;
    /* The grid tier escalates at the clearing time; spawns are drawn there. */
    return !o->grid_on && !o->spawn_on;
}

static int ops_setup(struct ops *o, const struct scn *s, const struct ops_params *p,
                     struct perr *e)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->seed = p->seed;
    o->rep = p->rep;
    o->warmup = s->warmup_days * 1440.0;
    o->day0 = -INFINITY;
    o->horizon = s->horizon_days * 1440.0;
    o->trace = p->trace;
    o->free_job = -1;
    for (int k = 0; k < 10; k++)
        o->qhead[k] = o->qtail[k] = -1;
    /* Prefetching (pull_ahead, evq_prefetch_records) can pay only once the
     * records an incident touches at random outgrow a core's cache, and it
     * costs about 70 instructions an incident, so it is on above 2 MB of
     * unit and grid records (twice a large core's L2): bench-city S = 128,
     * none of the bundled planning scenarios.  At S = 64 (1 MB) it bought
     * nothing (on against off 0.996, 15 pairs); at S = 128 the grid and
     * home-unit hints, compiled in since 56b3b59, bought 1.24 (41 pairs of
     * 2 days; docs/performance.md).  Most events are a unit's (id = unit;
     * a job's EV_DISPATCH wastes a hint). */
    o->prefetch = (size_t)s->n_units * sizeof *o->u +
                  (size_t)s->n_grids * sizeof *o->g_tal > OPS_PREFETCH_BYTES;
    /* A diagnostic override, for timing and for the test that results do
     * not depend on it (tests/test_prefetch.sh). */
    const char *pf = getenv("PATROLSIM_PREFETCH");
    if (pf && *pf) {
        if (strcmp(pf, "on") != 0 && strcmp(pf, "off") != 0)
            return err_set(e, "PATROLSIM_PREFETCH=%s: expected on or off (or unset: by size)", pf);
        o->prefetch = strcmp(pf, "on") == 0;
    }
    ops_blocks(s, &o->B);
    o->ovs = obsvsim_new(s);
    build_indexes(o);
    int U = s->n_units, G = s->n_grids, P = s->n_priorities;

    o->p_resp = zalloc((size_t)P + 1, sizeof *o->p_resp);
    o->p_hist = zalloc((size_t)P + 1, sizeof *o->p_hist);
    o->p_within = zalloc((size_t)P, sizeof *o->p_within);
    o->split_prio = P > 1;
    o->split_type = s->n_itypes > 1;
    for (int k = 0; k <= P; k++) {
        stat_sum_init(&o->p_resp[k]);
        if (k == P || o->split_prio)
            stat_hist_init(&o->p_hist[k]);
    }
    o->t_hist = zalloc((size_t)s->n_itypes, sizeof *o->t_hist);
    for (int t = 0; t < s->n_itypes && o->split_type; t++)
        stat_hist_init(&o->t_hist[t]);
    stat_sum_init(&o->travel);
    stat_sum_init(&o->wait_all);
    stat_sum_init(&o->wait_queued);
    stat_hist_init(&o->wait_hist);
    stat_hist_init(&o->travel_hist);
    stat_hist_init(&o->same_hist);
    stat_hbuf_init(&o->same_buf, &o->same_hist);
    o->g_tal = zalloc_aligned((size_t)G, sizeof *o->g_tal, 64);
    o->g_tot = zalloc((size_t)G, sizeof *o->g_tot);
    /* A diagnostic override of the folds' period, for the test that the
     * folds do not change a figure (tests/test_plain.sh). */
    o->pk_fold_at = OPS_PK_MAX;
    const char *fe = getenv("PATROLSIM_TALLY_FOLD");
    if (fe && *fe) {
        char *end;
        unsigned long v = strtoul(fe, &end, 10);
        if (*end || v < 1 || v > OPS_PK_MAX)
            return err_set(e, "PATROLSIM_TALLY_FOLD=%s: expected calls between folds, "
                           "1 to %d (or unset)", fe, OPS_PK_MAX);
        o->pk_fold_at = (uint32_t)v;
    }
    o->pk_left = o->pk_fold_at;
    o->h_pk = zalloc_aligned(24, sizeof *o->h_pk, 64);
    o->t_pk = zalloc_aligned((size_t)s->n_itypes, sizeof *o->t_pk, 64);
    o->h_tal = zalloc_aligned(24, sizeof *o->h_tal, 64);
    o->t_tal = zalloc_aligned((size_t)s->n_itypes, sizeof *o->t_tal, 64);
    o->k_tal = zalloc_aligned(FAC_N_TIERS, sizeof *o->k_tal, 64);
    o->t_closed_esc = zalloc((size_t)s->n_itypes, sizeof(double));
    o->t_handover = zalloc((size_t)s->n_itypes, sizeof *o->t_handover);
    o->gy_acc = zalloc((size_t)s->n_itypes * OPS_N_GRIDTYPE, sizeof(double));
    o->grid_on = ops_has_grid_tier(s);
    o->spawn_on = s->n_conseq > 0;
    o->plain_onscene = !o->grid_on;
    o->use_jx = o->grid_on || o->spawn_on;
    o->type_roles = zalloc((size_t)s->n_itypes, sizeof *o->type_roles);
    for (int t = 0; t < s->n_itypes; t++) {
        o->plain_onscene &= s->itypes[t].min_per_extra == 0;
        o->any_first_resp |= s->itypes[t].needs_officer == NEED_FIRST;
        o->type_roles[t] = s->itypes[t].roles & ROLE_POLICE;
    }
    o->job_tmpl = zalloc((size_t)s->n_itypes, sizeof *o->job_tmpl);
    for (int t = 0; t < s->n_itypes; t++)
        job_template(o, &o->job_tmpl[t], t);
    /* Every unit may take every call (one crew class, every role listed by
     * every type): the queue's first job is any unit's (q_first_for). */
    o->q_any = o->n_cc == 1;
    for (int u = 0; u < U && o->q_any; u++)
        for (int t = 0; t < s->n_itypes; t++)
            o->q_any &= (o->type_roles[t] >> o->tag[u].role & 1) != 0;
    o->use_jx |= o->any_first_resp;
    spawn_q_init(&o->spawns);
    stat_sum_init(&o->gt_esc_delay);
    stat_sum_init(&o->gt_grid_resp);
    stat_sum_init(&o->gt_police_resp);
    stat_sum_init(&o->gt_esc_resp);
    stat_sum_init(&o->gt_police_travel);

    /* The timing wheel, first bucket width four mean gaps between calls (it
     * retunes itself if the events per bucket say otherwise).  Against the
     * 4-ary heap on bench-city, instructions per incident (callgrind) go
     * 2490 -> 2403 at S = 8, 2652 -> 2438 at S = 64, 2700 -> 2441 at
     * S = 128, and 1793 -> 1785 per customer on the M/M/1 bench.  Paired
     * wall-time medians, wheel / heap, two sets of 11-15 pairs on a shared
     * machine: 0.87-0.96 at S = 8, 0.86-0.94 at S = 64, 0.84-0.86 at
     * S = 128, and 1.00-1.08 on M/M/1, whose calendar holds two events (a
     * wash).  Both pop the same sequence, so the choice changes no result. */
    o->sim = sim_new_kind(EVQ_WHEEL, 4 * (size_t)U + 16, 4 * 1440 / s->rate_per_day);
    if (o->prefetch)
        sim_prefetch_records(o->sim, o->u, sizeof *o->u, (uint32_t)U);
    sim_arrival_time_at(o->sim, &o->next_at);
    o->r_outcome = rng_stream_new(p->seed, (uint64_t)p->rep, RNG_OUTCOME);
    /* One patrol stream per unit, keyed by its id: reordering units.csv
     * leaves every unit's patrol points and visit times as they were. */
    o->r_patrol = zalloc((size_t)U, sizeof *o->r_patrol);
    o->patrol_st = zalloc((size_t)U, sizeof *o->patrol_st);
    for (int u = 0; u < U; u++) {
        rng_stream_bind(&o->r_patrol[u], &o->patrol_st[u]);
        rng_stream_seed_key(&o->r_patrol[u], rng_mix4(p->seed, (uint64_t)p->rep, RNG_PATROL,
                                                      rng_key_str(s->units[u].id)));
    }
    for (int t = 0; t < s->n_itypes; t++)
        for (int r = 0; r < ROLE_N && !inc_class_is_case(s->itypes[t].cls); r++)
            o->draw_resolve |= r != ROLE_GRID_WORKER && s->itypes[t].resolve[r] > 0 &&
                               s->itypes[t].resolve[r] < 1;
    /* Turnout, crews of several units and pre-emption make the first
     * dispatch and the first unit's departure differ. */
    o->da_own = s->preempt || s->has_turnout || s->has_upc;
    for (int t = 0; t < s->n_itypes; t++)
        o->da_own |= s->itypes[t].units_required != 1;
    if (o->da_own) {
        stat_sum_init(&o->da);
        stat_hist_init(&o->da_hist);
    }
    {
        struct ts_civil c;
        ts_to_civil(s->start_ms, &c);
        o->clock0_min = c.wday * 1440.0 + c.h * 60.0 + c.mi + (c.s + c.ms / 1000.0) / 60.0;
    }
    if (ops_cad_setup(o, e) < 0)
        return -1;
    o->arrive_cad = o->cad_cp || o->cad_upc || o->trace || s->cp_mean_min > 0;
    o->by_interval = o->da_own || o->cad || s->cp_mean_min > 0 || ops_has_observed(s);
    o->rec_extra = o->by_interval || o->trace;
    o->one_event = one_event_ok(o);
    /* The features an exogenous call's path tests that one_event does not
     * already rule out (one_event_ok: no trace, grid tier, spawns or
     * officer following, so no use_jx either), a warm-up among them. */
    o->plain = o->one_event && !o->arrive_cad && !o->rec_extra && !o->split_prio &&
               !o->split_type && !o->zoned && !o->ovs && o->plain_onscene && o->warmup == 0;
    for (int t = 0; t < s->n_itypes; t++)
        o->plain &= !s->itypes[t].has_followup;
    /* A diagnostic override, for the test that the plain path gives what
     * the general one does (tests/test_plain.sh). */
    const char *pl = getenv("PATROLSIM_PLAIN");
    if (pl && *pl) {
        if (strcmp(pl, "off") != 0)
            return err_set(e, "PATROLSIM_PLAIN=%s: expected off (or unset: by the scenario)", pl);
        o->plain = false;
    }
    o->pol = disp_find(s->policy);
    if (!o->pol)
        return err_set(e, "%s: [dispatch] policy: unknown policy '%s'", s->ini_path, s->policy);
    o->pol_state = o->pol->init(o);
    o->plain_nn = -1;
    if (o->plain && strcmp(o->pol->name, "nearest_idle") == 0 && s->home_first && !o->zoned &&
        o->n_cc == 1 && s->trv->fast)
        o->plain_nn = o->sole_nn[o->type_roles[0]];
    /* tag_of: whether the units a plain call may take, plain_nn's, share
     * one tag (bench-city's do). */
    _Static_assert(sizeof(struct unit_tag) == 6, "no padding for memcmp");
    int n1 = 0;
    bool same = true;
    for (int u = 0; u < U && o->plain_nn >= 0; u++) {
        if (o->tag[u].slot != o->plain_nn)
            continue;
        if (n1++ == 0)
            o->tag1 = o->tag[u];
        same &= memcmp(&o->tag1, &o->tag[u], sizeof o->tag1) == 0;
    }
    o->tag1_ok = n1 > 0 && same;
    for (int g = 0; g < G && o->plain_nn >= 0; g++) {
        int h = o->grid_home1[g].u;
        if (h >= 0 && o->tag[h].slot == o->plain_nn)
            o->grid_home1[g].pos = o->u[h].nn.pos;
    }
    o->src = inc_source_find(s->source);
    if (!o->src)
        return err_set(e, "%s: [incidents] source: unknown source '%s'", s->ini_path, s->source);
    o->src_state = o->src->open(s, p->seed, p->rep, e);
    if (!o->src_state)
        return -1;

    /* Units start at their base: on duty (unrostered, or inside a shift at
     * time 0) or waiting for their first shift. */
    for (int u = 0; u < U; u++) {
        struct unit_rt *r = &o->u[u];
        const struct scn_facility *b = base_of(o, u);
        r->job = -1;
        r->x0 = r->x1 = b->x;
        r->y0 = r->y1 = b->y;
        r->shift_end = INFINITY;
        set_state(o, r, U_OFF);
        if (s->units[u].roster < 0) {
            set_state(o, r, U_IDLE);
            next_activity(o, u);
            if (o->cad_hold)
                ops_cad_idle(o, u);
            continue;
        }
        long d;
        double a, bnd;
        next_shift(o, u, 0, &d, &a, &bnd);
        sim_at(o->sim, a > 0 ? a : 0, EV_SHIFT_START, (uint32_t)u, 0);
    }
    sim_at(o->sim, o->horizon, EV_HORIZON, 0, 0);
    o->src_done = false;
    return fill(o, e);
}

/* ---- results ---------------------------------------------------------------- */

static double ratio(double a, double b)
{
    return b > 0 ? a / b : NAN;
}

/* The grid-tier block (ops.h OPS_GRIDTIER_METRICS, OPS_GRIDTYPE_METRICS). */
static void grid_results(const struct ops *o, double *out, double n, double days,
                         const struct stat_acc *gw_util, double gw_duty_h)
{
    const struct scn *s = o->s;
    double *g = &out[o->B.gridt];
    g[GT_FIRST_SHARE] = ratio((double)o->gt_first, n);
    g[GT_RESOLVED_SHARE] = ratio((double)o->gt_resolved, n);
    g[GT_RESOLUTION] = ratio((double)o->gt_resolved, (double)o->gt_first);
    g[GT_AVOIDED] = (double)o->gt_resolved;
    g[GT_AVOIDED_DAY] = (double)o->gt_resolved / days;
    g[GT_POLICE_CALLS] = (double)o->gt_police;
    g[GT_SAVED_H] = o->gt_saved_min / 60.0;
    g[GT_SAVED_H_DAY] = o->gt_saved_min / 60.0 / days;
    g[GT_ESCALATED] = (double)o->gt_escalated;
    g[GT_ESC_DELAY] = stat_sum_mean(&o->gt_esc_delay);
    g[GT_GRID_RESP] = stat_sum_mean(&o->gt_grid_resp);
    g[GT_POLICE_RESP] = stat_sum_mean(&o->gt_police_resp);
    g[GT_ESC_RESP] = stat_sum_mean(&o->gt_esc_resp);
    g[GT_UTIL] = stat_acc_mean(gw_util);
    g[GT_DUTY_H] = gw_duty_h;
    for (int t = 0; t < s->n_itypes; t++) {
        const double *a = &o->gy_acc[(size_t)t * OPS_N_GRIDTYPE];
        double *row = &out[o->B.gtype + (size_t)t * OPS_N_GRIDTYPE];
        double k = (double)o->t_tal[t].n;
        row[GY_FIRST_SHARE] = ratio(a[GY_FIRST_SHARE], k);
        row[GY_RESOLVED_SHARE] = ratio(a[GY_RESOLVED_SHARE], k);
        row[GY_ESCALATED] = a[GY_ESCALATED];
    }
}

/* The endogenous-demand block (ops.h OPS_DEMAND_METRICS). */
static void demand_results(const struct ops *o, double *out)
{
    double *d = &out[o->B.demand];
    double all = (double)(o->n_exo + o->n_spawned);
    d[D_EXOGENOUS] = (double)o->n_exo;
    d[D_SPAWNED] = (double)o->n_spawned;
    d[D_REPEATS] = (double)o->n_sp_effect[CQ_REPEAT];
    d[D_ESCALATIONS] = (double)o->n_sp_effect[CQ_ESCALATE];
    d[D_SHARE] = ratio((double)o->n_spawned, all);
    d[D_BEYOND] = (double)o->sp.beyond;
    d[D_CAPPED] = (double)o->sp.capped;
}

/* What the run's hot path left for its end, into the collectors the
 * results read, once, after the run: the calls whose response was all
 * travel (same_hist, its last batch first) into the overall response and
 * the travel histograms; the plain path's calls that did not wait into the
 * wait's collectors (adding 0 to wait_all's sum, a sum of waits >= 0 from
 * +0, would change nothing, so only the counts move); the packed hour and
 * type rows into h_tal and t_tal, sums too (the grid rows are read
 * through grid_tally). */
static void fold_all(struct ops *o)
{
    stat_hbuf_flush(&o->same_buf);
    stat_hist_merge(&o->p_hist[o->s->n_priorities], &o->same_hist);
    stat_hist_merge(&o->travel_hist, &o->same_hist);
    stat_hist_reset(&o->same_hist);
    o->wait_all.n += o->n_nowait;
    o->wait_hist.n += o->n_nowait;
    o->wait_hist.zeros += o->n_nowait;
    o->n_nowait = 0;
    fold_small(o);
    for (int h = 0; h < 24; h++)
        o->h_tal[h].resp = o->h_pk[h].resp;
    for (int t = 0; t < o->s->n_itypes; t++)
        o->t_tal[t].resp = o->t_pk[t].resp;
}

static void results(const struct ops *o, double *out)
{
    const struct scn *s = o->s;
    const struct ops_blocks *B = &o->B;
    int P = s->n_priorities;
    double T = o->tot.t_end, span = T - o->warmup;
    double days = (o->horizon - o->warmup) / 1440.0;   /* incidents are created over this */
    /* With the plain path (one type) record_first leaves the overall
     * response sum to the type's row, which receives the same values in
     * the same order. */
    struct stat_sum plain_all = { .n = o->t_tal[0].n, .sum = o->t_tal[0].resp };
    const struct stat_sum *all = o->plain ? &plain_all : &o->p_resp[P];
    double n = (double)all->n;
    /* The overall counts: every counted call has a type and an hour. */
    uint64_t n_within = 0, n_first = 0, n_queued = 0, n_resolved = 0, n_handover = 0;
    double n_done = 0;
    for (int t = 0; t < s->n_itypes; t++) {
        const struct tally *a = &o->t_tal[t];
        n_within += a->within;
        n_first += a->first;
        n_resolved += a->resolved;
        n_handover += o->t_handover[t];
        n_done += (double)(a->resolved + o->t_handover[t]) + o->t_closed_esc[t];
    }
    for (int h = 0; h < 24; h++)
        n_queued += o->h_tal[h].queued;

    for (size_t i = 0; i < B->n; i++)
        out[i] = NAN;
    out[G_INCIDENTS] = n;
    out[G_RESP_MEAN] = stat_sum_mean(all);
    out[G_RESP_P50] = stat_hist_quantile(&o->p_hist[P], 0.50);
    out[G_RESP_P90] = stat_hist_quantile(&o->p_hist[P], 0.90);
    out[G_RESP_P95] = stat_hist_quantile(&o->p_hist[P], 0.95);
    out[G_WITHIN] = ratio((double)n_within, n);
    out[G_TRAVEL_MEAN] = stat_sum_mean(&o->travel);
    out[G_TRAVEL_P50] = stat_hist_quantile(&o->travel_hist, 0.50);
    out[G_TRAVEL_P90] = stat_hist_quantile(&o->travel_hist, 0.90);
    out[G_FIRST_CONTACT] = ratio((double)n_first, n);
    out[G_RESOLVED] = ratio((double)n_resolved, n_done);
    out[G_HANDOVER] = ratio((double)n_handover, n_done);
    out[G_CROSS_GRID] = ratio((double)o->n_cross, n);
    out[G_CROSS_ZONE] = ratio((double)o->n_cross_zone, n);
    out[G_QUEUED] = ratio((double)n_queued, n);
    out[G_WAIT_MEAN] = stat_sum_mean(&o->wait_all);
    out[G_WAIT_QUEUED] = n_queued ? stat_sum_mean(&o->wait_queued) : 0.0;
    out[G_WAIT_P50] = stat_hist_quantile(&o->wait_hist, 0.50);
    out[G_WAIT_P90] = stat_hist_quantile(&o->wait_hist, 0.90);
    out[G_MAX_QUEUE] = o->max_queue;
    /* Collapse: calls still queued when the last ones come in, and no empty
     * queue for a quarter of the horizon (at least a day) before it.  A
     * system that keeps up empties its queue within hours. */
    double stretch = o->horizon - o->q_since_at_horizon;
    bool collapsed = o->q_at_horizon >= 10 && stretch >= fmax(1440.0, 0.25 * o->horizon);
    out[G_COLLAPSED] = collapsed;
    out[G_COLLAPSE_DAY] = collapsed ? o->q_since_at_horizon / 1440.0 : NAN;
    out[G_QUEUE_HORIZON] = o->q_at_horizon;
    out[G_PREEMPTIONS] = (double)o->preemptions;
    out[G_AB_NEEDED] = (double)o->ab_needed;
    out[G_AB_FOUND] = ratio((double)o->ab_found, (double)o->ab_needed);
    out[G_ABSENT_SHIFTS] = (double)o->absent_shifts;
    out[G_HOURS] = span / 60.0;
    out[G_RD_MEAN] = out[G_WAIT_MEAN];      /* the same interval, named as in a CAD log */
    out[G_RD_P50] = out[G_WAIT_P50];
    out[G_RD_P90] = out[G_WAIT_P90];
    out[G_DA_MEAN] = o->da_own ? stat_sum_mean(&o->da) : out[G_TRAVEL_MEAN];
    out[G_DA_P50] = o->da_own ? stat_hist_quantile(&o->da_hist, 0.50) : out[G_TRAVEL_P50];
    out[G_DA_P90] = o->da_own ? stat_hist_quantile(&o->da_hist, 0.90) : out[G_TRAVEL_P90];
    out[G_TURNOUT_MEAN] = n > 0 ? 0.0 : NAN;
    /* Dispatches: the units requested (units_per_call.csv: summed at
     * arrival; otherwise each type's units_required) plus one per
     * pre-emption, for the counted calls, which all complete. */
    double sent = (double)o->units_sent + (double)o->preemptions;
    if (!o->cad_upc)
        for (int t = 0; t < s->n_itypes; t++)
            sent += s->itypes[t].units_required *
                    (double)(o->t_tal[t].resolved + o->t_handover[t]);
    out[G_UNITS_PER_CALL] = ratio(sent, n_done);
    out[G_WORKLOAD_SHARE] = 0;
    out[G_BRIEFING_SHARE] = 0;
    out[G_STOOD_DOWN_H] = 0;
    out[G_INTERRUPTS] = 0;

    double st_load = 0, unstaffed = 0;
    struct stat_acc fu_wait;
    stat_acc_init(&fu_wait);
    for (int i = 0; i < B->n_stations; i++) {
        const struct station_rt *st = &o->st[B->station_fac[i]];
        double *row = &out[B->station + (size_t)i * OPS_N_STATION];
        row[S_LOAD_DAY] = st->load / days;
        row[S_HANDOVER_DAY] = st->handovers / days;
        row[S_SERVED_DAY] = st->served / days;
        row[S_FU_WAIT] = stat_acc_mean(&st->fu_wait);
        row[S_UNSTAFFED] = (double)st->unstaffed;
        st_load += st->load;
        unstaffed += (double)st->unstaffed;
        stat_acc_merge(&fu_wait, &st->fu_wait);
    }
    out[G_STATION_LOAD] = B->n_stations ? st_load / days : NAN;
    out[G_FOLLOWUP_WAIT] = stat_acc_mean(&fu_wait);
    out[G_UNSTAFFED] = unstaffed;

    struct stat_acc util, per_shift;
    stat_acc_init(&util);
    stat_acc_init(&per_shift);
    double duty_oh = 0, over_oh = 0, comm = 0, comm_duty = 0, comm_idle = 0, comm_busy = 0;
    struct stat_acc gw_util;
    stat_acc_init(&gw_util);
    double gw_duty_h = 0;
    double tier_util[FAC_N_TIERS] = { 0 }, tier_units[FAC_N_TIERS] = { 0 };
    for (int u = 0; u < s->n_units; u++) {
        const struct unit_rt *r = &o->u[u];
        const struct scn_unit *un = &s->units[u];
        double *row = &out[B->unit + (size_t)u * OPS_N_UNIT];
        double worked = r->duty + r->overtime;
        double ut = worked > 0 ? r->busy / worked : NAN;
        double shifts = un->roster >= 0 ? (double)r->shifts : span / 1440.0;
        row[U_UTIL] = ut;
        row[U_JOBS] = r->jobs;
        row[U_JOBS_SHIFT] = ratio(r->jobs, shifts);
        row[U_AWAY] = ratio(r->away, r->jobs);
        row[U_DUTY_H] = r->duty / 60.0;
        row[U_OVERTIME_H] = r->overtime / 60.0;
        row[U_COMMUNITY_H] = r->community / 60.0;
        row[U_PATROL_H] = r->patrol / 60.0;
        row[U_FOLLOWUPS] = r->followups;
        row[U_SHIFTS] = shifts;
        row[U_WORKLOAD_H] = 0;
        row[U_STOOD_H] = 0;
        if (un->role == ROLE_GRID_WORKER) {     /* civilians: not in the officer load */
            if (!isnan(ut))
                stat_acc_add(&gw_util, ut);
            gw_duty_h += un->members * r->duty / 60.0;
            continue;
        }
        if (!isnan(ut)) {
            stat_acc_add(&util, ut);
            int tier = base_of(o, u)->tier;
            tier_util[tier] += ut;
            tier_units[tier] += 1;
        }
        if (!isnan(row[U_JOBS_SHIFT]))
            stat_acc_add(&per_shift, row[U_JOBS_SHIFT]);
        int crew = un->officers > 0 ? un->officers : 1;
        duty_oh += crew * r->duty / 60.0;
        over_oh += crew * r->overtime / 60.0;
        if (un->idle == IDLE_COMMUNITY) {
            comm += r->community;
            comm_duty += r->duty;
            comm_idle += worked - r->busy;
            comm_busy += r->busy;
        }
    }
    if (B->comm != SIZE_MAX) {
        out[B->comm + C_IDLE_SHARE] = ratio(comm, comm_idle);
        out[B->comm + C_CALL_SHARE] = ratio(comm_busy, comm_duty);
    }
    if (B->gridt != SIZE_MAX)
        grid_results(o, out, n, days, &gw_util, gw_duty_h);
    if (B->demand != SIZE_MAX)
        demand_results(o, out);
    out[G_UTIL_MEAN] = stat_acc_mean(&util);
    out[G_UTIL_MIN] = util.n ? util.min : NAN;
    out[G_UTIL_MAX] = util.n ? util.max : NAN;
    out[G_UTIL_CV] = util.n > 1 && util.mean > 0 ? stat_acc_sd(&util) / util.mean : NAN;
    out[G_UTIL_MAXMIN] = util.n && util.min > 0 ? util.max / util.min : NAN;
    out[G_JOBS_SHIFT] = stat_acc_mean(&per_shift);
    out[G_JOBS_SHIFT_CV] = per_shift.n > 1 && per_shift.mean > 0
                         ? stat_acc_sd(&per_shift) / per_shift.mean : NAN;
    out[G_DUTY_OFFICER_H] = duty_oh;
    out[G_OVERTIME_H] = over_oh;
    out[G_COMMUNITY_SHARE] = ratio(comm, comm_duty);

    for (int p = 0; p < P; p++) {
        int q = o->split_prio ? p : P;          /* one level: the overall collectors */
        const struct stat_sum *a = q == P ? all : &o->p_resp[q];
        double *row = &out[B->prio + (size_t)p * OPS_N_PRIO];
        row[P_INCIDENTS] = (double)a->n;
        row[P_RESP_MEAN] = stat_sum_mean(a);
        row[P_RESP_P50] = stat_hist_quantile(&o->p_hist[q], 0.50);
        row[P_RESP_P90] = stat_hist_quantile(&o->p_hist[q], 0.90);
        row[P_RESP_P95] = stat_hist_quantile(&o->p_hist[q], 0.95);
        row[P_WITHIN] = ratio((double)(q == P ? n_within : o->p_within[q]), (double)a->n);
    }
    for (int g = 0; g < s->n_grids; g++) {
        struct tally gt = grid_tally(o, g);
        const struct tally *a = &gt;
        double *row = &out[B->grid + (size_t)g * OPS_N_GRID];
        double k = (double)a->n;
        row[R_INCIDENTS] = k;
        row[R_RESP_MEAN] = ratio(a->resp, k);
        row[R_WITHIN] = ratio((double)a->within, k);
        row[R_FIRST] = ratio((double)a->first, k);
        row[R_RESOLVED] = ratio((double)a->resolved, k);
        row[R_QUEUED] = ratio((double)a->queued, k);
        if (o->by_interval) {
            row[R_RD_MEAN] = ratio(a->rd, k);
            row[R_DA_MEAN] = ratio(a->da, k);
        }
    }
    for (int h = 0; h < 24; h++) {
        const struct tally *a = &o->h_tal[h];
        double *row = &out[B->hour + (size_t)h * OPS_N_HOUR];
        double k = (double)a->n;
        row[H_INCIDENTS] = k;
        row[H_RESP_MEAN] = ratio(a->resp, k);
        row[H_WITHIN] = ratio((double)a->within, k);
        row[H_FIRST] = ratio((double)a->first, k);
        row[H_QUEUED] = ratio((double)a->queued, k);
        if (o->by_interval) {
            row[H_RD_MEAN] = ratio(a->rd, k);
            row[H_DA_MEAN] = ratio(a->da, k);
        }
    }
    for (int t = 0; t < s->n_itypes; t++) {
        const struct tally *a = &o->t_tal[t];
        double *row = &out[B->type + (size_t)t * OPS_N_TYPE];
        /* done: closed by the first contact, closed later (escalated), or handed over */
        double k = (double)a->n;
        double done = (double)(a->resolved + o->t_handover[t]) + o->t_closed_esc[t];
        row[T_INCIDENTS] = k;
        row[T_RESP_MEAN] = ratio(a->resp, k);
        row[T_RESP_P90] = stat_hist_quantile(o->split_type ? &o->t_hist[t] : &o->p_hist[P], 0.90);
        row[T_WITHIN] = ratio((double)a->within, k);
        row[T_FIRST] = ratio((double)a->first, k);
        row[T_RESOLVED] = ratio((double)a->resolved, done);
        row[T_HANDOVER] = ratio((double)o->t_handover[t], done);
        if (o->by_interval) {
            row[T_RD_MEAN] = ratio(a->rd, k);
            row[T_DA_MEAN] = ratio(a->da, k);
        }
    }
    struct tally k1 = { .n = all->n, .resp = all->sum };    /* record_first: one_tier */
    for (int k = 0; k < FAC_N_TIERS; k++) {
        const struct tally *a = k == o->one_tier ? &k1 : &o->k_tal[k];
        double *row = &out[B->tier + (size_t)k * OPS_N_TIER];
        row[K_UNITS] = tier_units[k];
        row[K_INCIDENTS] = (double)a->n;
        row[K_RESP_MEAN] = ratio(a->resp, (double)a->n);
        row[K_UTIL] = ratio(tier_util[k], tier_units[k]);
    }
    if (o->cad)
        ops_cad_results(o, out);    /* and corrects the duty figures for stood-down time */
}

/* The chart slots (ops.h): response ECDF and units on duty by hour. */
static void chart_results(const struct ops *o, double *out)
{
    const struct scn *s = o->s;
    for (int p = 0; p < s->n_priorities + 4; p++) {
        const struct stat_hist *h = p <= s->n_priorities ? &o->p_hist[p]
                                  : p == s->n_priorities + 1 ? &o->wait_hist
                                  : p == s->n_priorities + 2 || !o->da_own ? &o->travel_hist
                                  : &o->da_hist;
        for (int k = 0; k < OPS_N_ECDF; k++)
            out[o->B.ecdf + (size_t)p * OPS_N_ECDF + (size_t)k] =
                stat_hist_cdf(h, ops_ecdf_min[k]);
    }
    /* Sample points D*1440 + h*60 + 30 inside [warm-up, horizon). */
    double on[24] = { 0 }, pts[24] = { 0 };
    long d0 = floor_day(o->warmup), d1 = floor_day(o->horizon);
    for (long d = d0; d <= d1; d++)
        for (int h = 0; h < 24; h++) {
            double t = (double)d * 1440.0 + h * 60.0 + 30.0;
            pts[h] += t >= o->warmup && t < o->horizon;
        }
    for (int u = 0; u < s->n_units; u++) {
        if (s->units[u].roster < 0) {
            for (int h = 0; h < 24; h++)
                on[h] += pts[h];
            continue;
        }
        for (long d = d0 - 1; d <= d1; d++) {
            double a, b;
            if (!shift_on(o, u, d, &a, &b) || b <= o->warmup || a >= o->horizon ||
                !present(o, u, d))
                continue;
            for (double t = floor((a - 30.0) / 60.0) * 60.0 + 30.0; t < b; t += 60.0)
                if (t >= a && t >= o->warmup && t < o->horizon)
                    on[(long)floor(t / 60.0) % 24] += 1;
        }
    }
    for (int h = 0; h < 24; h++)
        out[o->B.duty + (size_t)h] = pts[h] > 0 ? on[h] / pts[h] : NAN;
}

int ops_run(const struct scn *s, const struct ops_params *p, double *out,
            struct ops_totals *tot, struct perr *e)
{
    static const struct sim_model_ops model = { next_arrival, arrive, on_event };
    struct ops o;
    int rc = ops_setup(&o, s, p, e);
    if (rc == 0)
        rc = sim_run(o.sim, &model, &o, e);
    if (rc == 0) {
        o.tot.events = sim_counters(o.sim)->executed;
        o.tot.calendar_growths = sim_counters(o.sim)->calendar_growths;
        o.tot.prefetch = o.prefetch;
        o.tot.plain = o.plain;
        o.tot.in_system = o.tot.created - o.tot.completed;
        /* A drained run leaves nothing behind: conservation of incidents. */
        PS_ASSERT(closed(&o) && o.tot.in_system == 0 && o.qn == 0);
        int avail = 0;
        for (int u = 0; u < s->n_units; u++)
            avail += ops_available(&o, u);
        PS_ASSERT(avail == o.n_avail);      /* the count the dispatch skip relies on */
        fold_all(&o);
        results(&o, out);
        chart_results(&o, out);
        if (o.src->observed)
            o.src->observed(o.src_state, o.warmup, out + o.B.obs, ops_ecdf_min, OPS_N_ECDF,
                            out + o.B.obs_ecdf);
        obsvsim_finish(o.ovs, out + o.B.ovs);
        if (tot)
            *tot = o.tot;
    }
    ops_release(&o);
    return rc;
}

/* ---- internals for ops_cad.c ------------------------------------------------ */

void ops__hold(struct ops *o, int u)
{
    struct unit_rt *r = &o->u[u];
    if (is_busy(r->st))
        r->busy += clip(o, r->busy_since, sim_now(o->sim));
    end_activity(o, u);
    unplace(o, u);
    stay(o, u);
    r->ver++;                           /* cancels any pending activity event */
    set_state(o, r, U_HELD);
}

void ops__become_free(struct ops *o, int u)
{
    become_free(o, u);
}

double ops__clip(const struct ops *o, double a, double b)
{
    return clip(o, a, b);
}

void ops__place(struct ops *o, int u)
{
    place(o, u);
}

bool ops__closed(const struct ops *o)
{
    return closed(o);
}

int ops_clock_hour(const struct ops *o, double t)
{
    return (int)(minute_of_day(o->clock0_min + t) / 60.0);
}
