/* ops.c - the operations model: event handlers, queue and collectors.
 *
 * Events (kind, id = unit): ARRIVE_SCENE, LEAVE_SCENE, ARRIVE_BASE.  Only
 * ARRIVE_BASE is ever cancelled (a returning unit re-dispatched), by bumping
 * the unit's version.  Each unit has one live event; cancelled ones wait in
 * the calendar until their time, so the pool is sized at twice the units.
 *
 * Memory per replication: O(units + grids + incidents in the system); the
 * job table grows (amortised doubling) only when more incidents are active
 * at once than ever before in the run.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops_priv.h"

enum { EV_ARRIVE_SCENE, EV_LEAVE_SCENE, EV_ARRIVE_BASE };

const char ops_trace_header[] =
    "seq,created_min,x_km,y_km,grid,type,priority,unit,queued,dispatched_min,"
    "arrived_min,cleared_min,first_contact\n";

/* ---- result layout ---------------------------------------------------- */

#define NAME(e, name, desc) name,
#define DESC(e, name, desc) desc,
static const char *const g_names[] = { OPS_GLOBAL_METRICS(NAME) };
static const char *const p_names[] = { OPS_PRIO_METRICS(NAME) };
static const char *const u_names[] = { OPS_UNIT_METRICS(NAME) };
static const char *const r_names[] = { OPS_GRID_METRICS(NAME) };
static const char *const g_descs[] = { OPS_GLOBAL_METRICS(DESC) };
static const char *const p_descs[] = { OPS_PRIO_METRICS(DESC) };
static const char *const u_descs[] = { OPS_UNIT_METRICS(DESC) };
static const char *const r_descs[] = { OPS_GRID_METRICS(DESC) };
static const char *const o_names[] = { INC_OBS_METRICS(NAME) };
static const char *const o_descs[] = { INC_OBS_METRICS(DESC) };
#undef NAME
#undef DESC

void ops_layout(const struct scn *s, struct res_layout *L)
{
    char key[32];
    res_layout_init(L);
    for (int m = 0; m < OPS_N_GLOBAL; m++)
        res_add(L, "all", g_names[m], "");
    for (int p = 0; p < s->n_priorities; p++) {
        snprintf(key, sizeof key, "%d", s->priorities[p]);
        for (int m = 0; m < OPS_N_PRIO; m++)
            res_add(L, "priority", p_names[m], key);
    }
    for (int u = 0; u < s->n_units; u++)
        for (int m = 0; m < OPS_N_UNIT; m++)
            res_add(L, "unit", u_names[m], s->units[u].id);
    for (int g = 0; g < s->n_grids; g++)
        for (int m = 0; m < OPS_N_GRID; m++)
            res_add(L, "grid", r_names[m], s->grids[g].id);
    PS_ASSERT(L->n == ops_slot_obs(s, 0));
    if (ops_has_observed(s))
        for (int m = 0; m < INC_N_OBS; m++)
            res_add(L, "observed", o_names[m], "");
}

int ops_has_observed(const struct scn *s)
{
    const struct inc_source_type *t = inc_source_find(s->source);
    return t && t->observed;
}

const char *ops_metric_desc(const char *section, const char *metric)
{
    const char *const *names, *const *descs;
    int n;
    if (!strcmp(section, "all"))           names = g_names, descs = g_descs, n = OPS_N_GLOBAL;
    else if (!strcmp(section, "priority")) names = p_names, descs = p_descs, n = OPS_N_PRIO;
    else if (!strcmp(section, "unit"))     names = u_names, descs = u_descs, n = OPS_N_UNIT;
    else if (!strcmp(section, "grid"))     names = r_names, descs = r_descs, n = OPS_N_GRID;
    else if (!strcmp(section, "observed")) names = o_names, descs = o_descs, n = INC_N_OBS;
    else return "";
    for (int i = 0; i < n; i++)
        if (!strcmp(names[i], metric))
            return descs[i];
    return "";
}

/* ---- units ------------------------------------------------------------- */

void ops_unit_pos(const struct ops *o, int u, double *x, double *y)
{
    const struct unit_rt *r = &o->u[u];
    if (r->st != U_RETURNING) {
        const struct scn_facility *b = &o->s->facilities[o->s->units[u].base];
        *x = b->x;
        *y = b->y;
        return;
    }
    /* Straight-line interpolation: the remaining distance to base shrinks
     * linearly in time under either metric, as both are norms. */
    double now = sim_now(o->sim), f = r->t1 > r->t0 ? (now - r->t0) / (r->t1 - r->t0) : 1.0;
    *x = r->x0 + (r->x1 - r->x0) * f;
    *y = r->y0 + (r->y1 - r->y0) * f;
}

static double travel(const struct ops *o, int u, double x0, double y0, double x1, double y1)
{
    return scn_distance(o->s, x0, y0, x1, y1) * o->u[u].min_per_km;
}

int ops_nearest_available(const struct ops *o, double x, double y, double *tt)
{
    int best = -1;
    double bt = INFINITY;
    for (int m = 0; m < o->s->n_modes; m++) {
        double d;
        int it = nn_nearest(o->nn[m], x, y, &d);
        if (it < 0)
            continue;
        int u = o->nn_unit[m][it];
        double t = d * o->s->circuity * o->u[u].min_per_km;
        if (t < bt || (t == bt && u < best))
            bt = t, best = u;
    }
    for (int k = 0; k < o->n_ret; k++) {
        int u = o->ret[k];
        double ux, uy;
        ops_unit_pos(o, u, &ux, &uy);
        double t = travel(o, u, ux, uy, x, y);
        if (t < bt || (t == bt && u < best))
            bt = t, best = u;
    }
    if (tt)
        *tt = bt;
    return best;
}

static void ret_add(struct ops *o, int u)
{
    o->u[u].ret_pos = o->n_ret;
    o->ret[o->n_ret++] = u;
}

static void ret_remove(struct ops *o, int u)
{
    int k = o->u[u].ret_pos, last = o->ret[--o->n_ret];
    o->ret[k] = last;
    o->u[last].ret_pos = k;
    o->u[u].ret_pos = -1;
}

static void idle_add(struct ops *o, int u)
{
    nn_insert(o->nn[o->s->units[u].mode], o->nn_item[u]);
}

static void idle_remove(struct ops *o, int u)
{
    nn_remove(o->nn[o->s->units[u].mode], o->nn_item[u]);
}

static bool is_home(const struct scn *s, int u, int g)
{
    for (int k = 0; k < s->units[u].n_home; k++)
        if (s->units[u].home[k] == g)
            return true;
    return false;
}

/* Busy time is counted only inside the measured period. */
static void busy_close(struct ops *o, int u, double now)
{
    double a = o->u[u].busy_since > o->warmup ? o->u[u].busy_since : o->warmup;
    if (now > a)
        o->u[u].busy += now - a;
}

/* ---- jobs and the queue -------------------------------------------------- */

static int job_alloc(struct ops *o)
{
    if (o->free_job < 0) {
        int old = o->n_job, n = old ? 2 * old : 64;
        o->job = xrealloc(o->job, (size_t)n * sizeof *o->job);
        for (int i = n - 1; i >= old; i--) {
            o->job[i].next_free = o->free_job;
            o->free_job = i;
        }
        o->n_job = n;
    }
    int j = o->free_job;
    o->free_job = o->job[j].next_free;
    return j;
}

static void job_free(struct ops *o, int j)
{
    o->job[j].next_free = o->free_job;
    o->free_job = j;
}

/* Queue order: priority level, then creation order (seq).  Total. */
static bool q_before(const struct ops *o, int a, int b)
{
    const struct inc *x = &o->job[a].inc, *y = &o->job[b].inc;
    int px = x->prio_idx, py = y->prio_idx;
    return px < py || (px == py && x->seq < y->seq);
}

static void q_push(struct ops *o, int j)
{
    if (o->qn == o->qcap) {
        o->qcap = o->qcap ? 2 * o->qcap : 64;
        o->q = xrealloc(o->q, (size_t)o->qcap * sizeof *o->q);
    }
    int i = o->qn++;
    while (i > 0 && q_before(o, j, o->q[(i - 1) / 2])) {
        o->q[i] = o->q[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    o->q[i] = j;
    if (o->qn > o->max_queue && o->job[j].inc.t >= o->warmup)
        o->max_queue = o->qn;
}

static int q_pop(struct ops *o)
{
    int top = o->q[0], last = o->q[--o->qn], i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= o->qn)
            break;
        if (c + 1 < o->qn && q_before(o, o->q[c + 1], o->q[c]))
            c++;
        if (!q_before(o, o->q[c], last))
            break;
        o->q[i] = o->q[c];
        i = c;
    }
    if (o->qn > 0)
        o->q[i] = last;
    return top;
}

/* ---- state transitions ------------------------------------------------- */

static void dispatch(struct ops *o, int u, int j)
{
    struct unit_rt *r = &o->u[u];
    double now = sim_now(o->sim), x, y;
    switch (r->st) {
    case U_IDLE:
        ops_unit_pos(o, u, &x, &y);
        idle_remove(o, u);
        r->busy_since = now;
        break;
    case U_RETURNING:
        ops_unit_pos(o, u, &x, &y);
        if (r->ret_pos >= 0)
            ret_remove(o, u);
        r->ver++;                       /* cancels the pending ARRIVE_BASE */
        break;
    case U_ONSCENE:                     /* straight on from the last scene */
        x = r->x1;
        y = r->y1;
        break;
    default:
        PS_ASSERT(!"dispatching a unit that is en route");
        return;
    }
    struct job *jb = &o->job[j];
    double tt = travel(o, u, x, y, jb->inc.x, jb->inc.y);
    jb->unit = u;
    jb->t_dispatch = now;
    r->st = U_ENROUTE;
    r->job = j;
    r->x0 = x; r->y0 = y; r->t0 = now;
    r->x1 = jb->inc.x; r->y1 = jb->inc.y; r->t1 = now + tt;
    sim_at(o->sim, now + tt, EV_ARRIVE_SCENE, (uint32_t)u, r->ver);
}

static void record_arrival(struct ops *o, int u, const struct job *jb, double now)
{
    const struct scn *s = o->s;
    const struct inc *in = &jb->inc;
    bool first = in->grid >= 0 && is_home(s, u, in->grid);
    if (o->trace)
        fprintf(o->trace, "%llu,%.4f,%.4f,%.4f,%s,%s,%d,%s,%d,%.4f,%.4f,%.4f,%d\n",
                (unsigned long long)in->seq, in->t, in->x, in->y,
                in->grid >= 0 ? s->grids[in->grid].id : "", s->itypes[in->type].id,
                s->priorities[in->prio_idx], s->units[u].id, jb->queued,
                jb->t_dispatch, now, now + in->service_min, first);
    if (in->t < o->warmup)
        return;
    const struct scn_itype *it = &s->itypes[in->type];
    double resp = now - in->t, wait = jb->t_dispatch - in->t;
    bool within = resp <= it->target_min;
    int P = s->n_priorities;
    for (int k = 0; k < 2; k++) {
        int p = k ? P : in->prio_idx;
        stat_acc_add(&o->p_resp[p], resp);
        stat_hist_add(&o->p_hist[p], resp);
        o->p_within[p] += within;
    }
    stat_acc_add(&o->travel, now - jb->t_dispatch);
    stat_hist_add(&o->travel_hist, now - jb->t_dispatch);
    stat_acc_add(&o->wait_all, wait);
    stat_hist_add(&o->wait_hist, wait);
    if (jb->queued) {
        stat_acc_add(&o->wait_queued, wait);
        o->n_queued++;
    }
    o->n_first += first;
    bool cross = !first && s->units[u].n_home > 0;
    o->n_cross += cross;
    o->u[u].jobs++;
    o->u[u].away += in->grid < 0 || !is_home(s, u, in->grid);
    if (in->grid >= 0) {
        int g = in->grid;
        o->g_n[g]++;
        o->g_resp[g] += resp;
        o->g_within[g] += within;
        o->g_first[g] += first;
        o->g_queued[g] += jb->queued;
    }
}

static int on_event(void *m, struct sim *sim, const struct evq_event *ev, struct perr *e)
{
    (void)e;
    struct ops *o = m;
    int u = (int)ev->id;
    struct unit_rt *r = &o->u[u];
    if (ev->ver != r->ver)
        return 1;
    double now = sim_now(sim);
    switch (ev->kind) {
    case EV_ARRIVE_SCENE: {
        struct job *jb = &o->job[r->job];
        record_arrival(o, u, jb, now);
        r->st = U_ONSCENE;
        sim_at(sim, now + jb->inc.service_min, EV_LEAVE_SCENE, (uint32_t)u, r->ver);
        break;
    }
    case EV_LEAVE_SCENE: {
        job_free(o, r->job);
        r->job = -1;
        o->tot.completed++;
        if (o->qn > 0 && o->s->redispatch_returning) {
            dispatch(o, u, q_pop(o));
            break;
        }
        const struct scn_facility *b = &o->s->facilities[o->s->units[u].base];
        double tt = travel(o, u, r->x1, r->y1, b->x, b->y);
        r->st = U_RETURNING;
        r->x0 = r->x1; r->y0 = r->y1; r->t0 = now;
        r->x1 = b->x;  r->y1 = b->y;  r->t1 = now + tt;
        if (o->s->redispatch_returning)
            ret_add(o, u);
        sim_at(sim, now + tt, EV_ARRIVE_BASE, (uint32_t)u, r->ver);
        break;
    }
    case EV_ARRIVE_BASE:
        if (r->ret_pos >= 0)
            ret_remove(o, u);
        r->st = U_IDLE;
        if (o->qn > 0) {
            r->st = U_RETURNING;        /* leaves from its base: same position */
            r->t0 = r->t1 = now;
            dispatch(o, u, q_pop(o));
        } else {
            busy_close(o, u, now);
            idle_add(o, u);
        }
        break;
    default:
        PS_ASSERT(!"unknown event kind");
    }
    return 0;
}

/* ---- arrivals ------------------------------------------------------------ */

static int pull(struct ops *o, struct perr *e)
{
    int rc = o->src->next(o->src_state, &o->next, e);
    if (rc < 0)
        return -1;
    o->has_next = rc == 1;
    return 0;
}

static double next_arrival(void *m)
{
    struct ops *o = m;
    return o->has_next ? o->next.t : INFINITY;
}

static int arrive(void *m, struct sim *sim, struct perr *e)
{
    (void)sim;
    struct ops *o = m;
    int j = job_alloc(o);
    o->job[j] = (struct job){ .inc = o->next, .unit = -1, .next_free = -1 };
    o->tot.created++;
    int u = o->pol->select(o, o->pol_state, &o->job[j]);
    if (u >= 0) {
        dispatch(o, u, j);
    } else {
        o->job[j].queued = true;
        q_push(o, j);
    }
    return pull(o, e);
}

/* ---- set-up, run and results -------------------------------------------- */

static void ops_release(struct ops *o)
{
    const struct scn *s = o->s;
    if (o->pol && o->pol_state)
        o->pol->release(o->pol_state);
    if (o->src && o->src_state)
        o->src->close(o->src_state);
    sim_free(o->sim);
    for (int m = 0; m < s->n_modes; m++) {
        if (o->nn)
            nn_free(o->nn[m]);
        if (o->nn_unit)
            free(o->nn_unit[m]);
    }
    free(o->nn); free(o->nn_unit); free(o->nn_item); free(o->ret); free(o->u);
    for (int g = 0; g < s->n_grids && o->grid_home; g++)
        free(o->grid_home[g]);
    free(o->grid_home); free(o->n_grid_home);
    free(o->job); free(o->q);
    for (int p = 0; p <= s->n_priorities && o->p_hist; p++)
        stat_hist_release(&o->p_hist[p]);
    if (o->wait_hist.h)
        stat_hist_release(&o->wait_hist);
    if (o->travel_hist.h)
        stat_hist_release(&o->travel_hist);
    free(o->p_resp); free(o->p_hist); free(o->p_within);
    free(o->g_n); free(o->g_within); free(o->g_first); free(o->g_queued); free(o->g_resp);
}

static int ops_setup(struct ops *o, const struct scn *s, const struct ops_params *p,
                     struct perr *e)
{
    memset(o, 0, sizeof *o);
    o->s = s;
    o->warmup = s->warmup_days * 1440.0;
    o->trace = p->trace;
    o->free_job = -1;
    int U = s->n_units, G = s->n_grids, P = s->n_priorities;

    o->u = xcalloc((size_t)U, sizeof *o->u);
    o->ret = xmalloc((size_t)(U ? U : 1) * sizeof *o->ret);
    o->nn_item = xmalloc((size_t)(U ? U : 1) * sizeof *o->nn_item);
    o->nn = xcalloc((size_t)s->n_modes, sizeof *o->nn);
    o->nn_unit = xcalloc((size_t)s->n_modes, sizeof *o->nn_unit);
    double *bx = xmalloc((size_t)(U ? U : 1) * sizeof *bx), *by = xmalloc((size_t)(U ? U : 1) * sizeof *by);
    for (int m = 0; m < s->n_modes; m++) {
        int n = 0;
        o->nn_unit[m] = xmalloc((size_t)(U ? U : 1) * sizeof(int));
        for (int u = 0; u < U; u++) {
            if (s->units[u].mode != m)
                continue;
            const struct scn_facility *b = &s->facilities[s->units[u].base];
            bx[n] = b->x;
            by[n] = b->y;
            o->nn_unit[m][n] = u;
            o->nn_item[u] = n++;
        }
        o->nn[m] = nn_new(bx, by, n, s->metric);
    }
    free(bx);
    free(by);
    for (int u = 0; u < U; u++) {
        o->u[u] = (struct unit_rt){ .st = U_IDLE, .job = -1, .ret_pos = -1,
                                    .min_per_km = 60.0 / s->modes[s->units[u].mode].speed_kmh };
        idle_add(o, u);
    }
    o->grid_home = xcalloc((size_t)G, sizeof *o->grid_home);
    o->n_grid_home = xcalloc((size_t)G, sizeof *o->n_grid_home);
    for (int u = 0; u < U; u++)
        for (int k = 0; k < s->units[u].n_home; k++)
            o->n_grid_home[s->units[u].home[k]]++;
    for (int g = 0; g < G; g++) {
        o->grid_home[g] = xmalloc((size_t)(o->n_grid_home[g] ? o->n_grid_home[g] : 1) * sizeof(int));
        o->n_grid_home[g] = 0;
    }
    for (int u = 0; u < U; u++)
        for (int k = 0; k < s->units[u].n_home; k++) {
            int g = s->units[u].home[k];
            o->grid_home[g][o->n_grid_home[g]++] = u;
        }

    o->p_resp = xmalloc((size_t)(P + 1) * sizeof *o->p_resp);
    o->p_hist = xcalloc((size_t)(P + 1), sizeof *o->p_hist);
    o->p_within = xcalloc((size_t)(P + 1), sizeof *o->p_within);
    for (int k = 0; k <= P; k++) {
        stat_acc_init(&o->p_resp[k]);
        stat_hist_init(&o->p_hist[k]);
    }
    stat_acc_init(&o->travel);
    stat_acc_init(&o->wait_all);
    stat_acc_init(&o->wait_queued);
    stat_hist_init(&o->wait_hist);
    stat_hist_init(&o->travel_hist);
    o->g_n = xcalloc((size_t)G, sizeof *o->g_n);
    o->g_within = xcalloc((size_t)G, sizeof *o->g_within);
    o->g_first = xcalloc((size_t)G, sizeof *o->g_first);
    o->g_queued = xcalloc((size_t)G, sizeof *o->g_queued);
    o->g_resp = xcalloc((size_t)G, sizeof *o->g_resp);

    o->sim = sim_new(2 * (size_t)U + 16);
    o->pol = disp_find(s->policy);
    if (!o->pol)
        return err_set(e, "%s: [dispatch] policy: unknown policy '%s'", s->ini_path, s->policy);
    o->pol_state = o->pol->init(o);
    o->src = inc_source_find(s->source);
    if (!o->src)
        return err_set(e, "%s: [incidents] source: unknown source '%s'", s->ini_path, s->source);
    o->src_state = o->src->open(s, p->seed, p->rep, e);
    if (!o->src_state)
        return -1;
    return pull(o, e);
}

static double ratio(uint64_t a, uint64_t b)
{
    return b ? (double)a / (double)b : NAN;
}

static void results(const struct ops *o, double *out)
{
    const struct scn *s = o->s;
    int P = s->n_priorities;
    double span = o->tot.t_end - o->warmup;
    const struct stat_acc *all = &o->p_resp[P];
    uint64_t n = all->n;

    out[G_INCIDENTS] = (double)n;
    out[G_RESP_MEAN] = stat_acc_mean(all);
    out[G_RESP_P50] = stat_hist_quantile(&o->p_hist[P], 0.50);
    out[G_RESP_P90] = stat_hist_quantile(&o->p_hist[P], 0.90);
    out[G_RESP_P95] = stat_hist_quantile(&o->p_hist[P], 0.95);
    out[G_WITHIN] = ratio(o->p_within[P], n);
    out[G_TRAVEL_MEAN] = stat_acc_mean(&o->travel);
    out[G_TRAVEL_P50] = stat_hist_quantile(&o->travel_hist, 0.50);
    out[G_TRAVEL_P90] = stat_hist_quantile(&o->travel_hist, 0.90);
    out[G_WAIT_P50] = stat_hist_quantile(&o->wait_hist, 0.50);
    out[G_FIRST_CONTACT] = ratio(o->n_first, n);
    out[G_CROSS_GRID] = ratio(o->n_cross, n);
    out[G_QUEUED] = ratio(o->n_queued, n);
    out[G_WAIT_MEAN] = stat_acc_mean(&o->wait_all);
    out[G_WAIT_QUEUED] = o->n_queued ? stat_acc_mean(&o->wait_queued) : 0.0;
    out[G_WAIT_P90] = stat_hist_quantile(&o->wait_hist, 0.90);
    out[G_MAX_QUEUE] = o->max_queue;
    out[G_HOURS] = span / 60.0;

    struct stat_acc util;
    stat_acc_init(&util);
    for (int u = 0; u < s->n_units; u++) {
        double ut = span > 0 ? o->u[u].busy / span : NAN;
        if (!isnan(ut))
            stat_acc_add(&util, ut);
        out[ops_slot_unit(s, u, U_UTIL)] = ut;
        out[ops_slot_unit(s, u, U_JOBS)] = o->u[u].jobs;
        out[ops_slot_unit(s, u, U_JOBS_DAY)] = span > 0 ? o->u[u].jobs / (span / 1440.0) : NAN;
        out[ops_slot_unit(s, u, U_AWAY)] = ratio(o->u[u].away, o->u[u].jobs);
    }
    out[G_UTIL_MEAN] = stat_acc_mean(&util);
    out[G_UTIL_MIN] = util.n ? util.min : NAN;
    out[G_UTIL_MAX] = util.n ? util.max : NAN;
    out[G_UTIL_CV] = util.n > 1 && util.mean > 0 ? stat_acc_sd(&util) / util.mean : NAN;

    for (int p = 0; p < P; p++) {
        const struct stat_acc *a = &o->p_resp[p];
        out[ops_slot_prio(p, P_INCIDENTS)] = (double)a->n;
        out[ops_slot_prio(p, P_RESP_MEAN)] = stat_acc_mean(a);
        out[ops_slot_prio(p, P_RESP_P50)] = stat_hist_quantile(&o->p_hist[p], 0.50);
        out[ops_slot_prio(p, P_RESP_P90)] = stat_hist_quantile(&o->p_hist[p], 0.90);
        out[ops_slot_prio(p, P_RESP_P95)] = stat_hist_quantile(&o->p_hist[p], 0.95);
        out[ops_slot_prio(p, P_WITHIN)] = ratio(o->p_within[p], a->n);
    }
    for (int g = 0; g < s->n_grids; g++) {
        out[ops_slot_grid(s, g, R_INCIDENTS)] = (double)o->g_n[g];
        out[ops_slot_grid(s, g, R_RESP_MEAN)] = o->g_n[g] ? o->g_resp[g] / (double)o->g_n[g] : NAN;
        out[ops_slot_grid(s, g, R_WITHIN)] = ratio(o->g_within[g], o->g_n[g]);
        out[ops_slot_grid(s, g, R_FIRST)] = ratio(o->g_first[g], o->g_n[g]);
        out[ops_slot_grid(s, g, R_QUEUED)] = ratio(o->g_queued[g], o->g_n[g]);
    }
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
        o.tot.t_end = sim_now(o.sim);
        o.tot.events = sim_counters(o.sim)->executed;
        o.tot.calendar_growths = sim_counters(o.sim)->calendar_growths;
        o.tot.in_system = o.tot.created - o.tot.completed;
        /* A drained run leaves nothing behind: conservation of incidents. */
        PS_ASSERT(o.tot.in_system == 0 && o.qn == 0);
        results(&o, out);
        if (o.src->observed)
            o.src->observed(o.src_state, o.warmup, out + ops_slot_obs(s, 0));
        if (tot)
            *tot = o.tot;
    }
    ops_release(&o);
    return rc;
}
