/* spawn.c - endogenous demand: consequences.csv and the spawned incidents.
 *
 * The table (optional, [tables] consequences) has one row per consequence:
 *   type,outcome,effect,p,delay_dist,delay_mean_h,delay_sd_h,spawn_type
 * outcome resolved | unresolved | any (resolved = closed on scene, by the
 * first contact or by the police after a grid worker's escalation;
 * unresolved = handed over, 移交); effect repeat (the same type again) or
 * escalate (spawn_type, e.g. dispute -> criminal, 民转刑).  Rows are
 * independent: each fires with its p, plus p_per_hour for every hour from
 * the call's receipt to its end (optional; capped at 1).  Invariants and costs: spawn.h.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"
#include "rng.h"
#include "spawn.h"

/* ---- consequences.csv ------------------------------------------------------ */

enum { C_TYPE, C_OUTCOME, C_EFFECT, C_P, C_DIST, C_MEAN, C_SD, C_SPAWN, C_P_HOUR };
static const char *const cq_cols[] = {
    "type", "outcome", "effect", "p", "delay_dist", "delay_mean_h", "delay_sd_h",
    "spawn_type", "p_per_hour", NULL
};
static const char *const cq_req[] = {
    "type", "outcome", "effect", "p", "delay_dist", "delay_mean_h", NULL
};

const struct tabdef scn__tab_consequences = { "consequences", TB_CONSEQUENCES,
                                              "consequences.csv", cq_cols, cq_req, NULL };

static int word_of(const char *const *words, const char *v)
{
    for (int i = 0; words[i]; i++)
        if (!strcmp(words[i], v))
            return i;
    return -1;
}

static int type_of(const struct scn *s, const char *id)
{
    for (int i = 0; i < s->n_itypes; i++)
        if (!strcmp(s->itypes[i].id, id))
            return i;
    return -1;
}

static int read_row(struct tab *t, struct scn_conseq *c)
{
    const struct scn *s = t->L->s;
    static const char *const outcomes[] = { "resolved", "unresolved", "any", NULL };
    static const char *const effects[] = { "repeat", "escalate", NULL };
    static const char *const dists[] = { "exponential", "lognormal", "gamma", "fixed", NULL };
    static const enum svc_dist dist_of[] = { SVC_EXPONENTIAL, SVC_LOGNORMAL, SVC_GAMMA,
                                             SVC_FIXED };
    const char *v = scn__tab_str(t, C_TYPE);
    if ((c->type = type_of(s, v)) < 0)
        return scn__tab_err(t, C_TYPE, "unknown incident type '%s'", v);
    int k = word_of(outcomes, v = scn__tab_str(t, C_OUTCOME));
    if (k < 0)
        return scn__tab_err(t, C_OUTCOME, "expected resolved, unresolved or any, got '%s'", v);
    c->outcome = (enum conseq_outcome)k;
    if ((k = word_of(effects, v = scn__tab_str(t, C_EFFECT))) < 0)
        return scn__tab_err(t, C_EFFECT, "expected repeat or escalate, got '%s'", v);
    c->effect = (enum conseq_effect)k;
    static const double zero = 0;
    if (scn__tab_num(t, C_P, (struct range){ 0, 1, 0, 0 }, NULL, &c->p) < 0 ||
        scn__tab_num(t, C_P_HOUR, R_NONNEG, &zero, &c->p_per_hour) < 0)
        return -1;
    if ((k = word_of(dists, v = scn__tab_str(t, C_DIST))) < 0)
        return scn__tab_err(t, C_DIST, "expected exponential, lognormal, gamma or fixed, "
                            "got '%s'", v);
    c->delay_dist = dist_of[k];
    bool fixed = c->delay_dist == SVC_FIXED, sd = c->delay_dist == SVC_LOGNORMAL ||
                                                  c->delay_dist == SVC_GAMMA;
    if (scn__tab_num(t, C_MEAN, fixed ? R_NONNEG : R_POS, NULL, &c->delay_mean_h) < 0)
        return -1;
    if (sd) {
        if (scn__tab_num(t, C_SD, R_POS, NULL, &c->delay_sd_h) < 0)
            return -1;
    } else if (*scn__tab_str(t, C_SD)) {
        return scn__tab_err(t, C_SD, "must be empty for a %s delay, got '%s'", dists[k],
                            scn__tab_str(t, C_SD));
    }
    v = scn__tab_str(t, C_SPAWN);
    if (c->effect == CQ_REPEAT) {
        if (*v && strcmp(v, scn__tab_str(t, C_TYPE)))
            return scn__tab_err(t, C_SPAWN, "a repeat spawns the same type: spawn_type must be "
                                "empty or '%s', got '%s'", scn__tab_str(t, C_TYPE), v);
        c->spawn_type = c->type;
    } else {
        if (!*v)
            return scn__tab_err(t, C_SPAWN, "escalate needs the type it turns into (e.g. "
                                "criminal for 民转刑), got an empty value");
        if ((c->spawn_type = type_of(s, v)) < 0)
            return scn__tab_err(t, C_SPAWN, "unknown incident type '%s'", v);
    }
    if (c->outcome == CQ_UNRESOLVED || c->outcome == CQ_ANY)
        return 0;
    const struct scn_itype *it = &s->itypes[c->type];
    bool can_resolve = false;
    for (int r = 0; r < ROLE_N; r++)
        can_resolve |= (it->roles >> r & 1) && it->resolve[r] > 0;
    if (!can_resolve)
        return scn__tab_err(t, C_OUTCOME, "type '%s' is never resolved on scene (%s), so a "
                            "consequence of outcome resolved can never fire", it->id,
                            inc_class_is_case(it->cls) ? "a case class" : "resolve_prob 0");
    return 0;
}

int scn__load_consequences(struct ld *L)
{
    struct scn *s = L->s;
    const char *path = scn__optional_table(L, TB_CONSEQUENCES);
    if (!path)
        return 0;
    struct tab t = { 0 };
    int cap = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_consequences, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        s->conseq = scn__a_grow(L->a, s->conseq, sizeof *s->conseq, s->n_conseq, &cap);
        struct scn_conseq *c = &s->conseq[s->n_conseq];
        memset(c, 0, sizeof *c);
        c->line = (int)csvr_line(t.r);
        if (read_row(&t, c) < 0)
            goto out;
        s->n_conseq++;
    }
    rc = 0;
out:
    scn__tab_close(&t);
    return rc;
}

/* ---- the pending heap -------------------------------------------------------- */

void spawn_q_init(struct spawn_q *q)
{
    memset(q, 0, sizeof *q);
}

void spawn_q_release(struct spawn_q *q)
{
    free(q->h);
    memset(q, 0, sizeof *q);
}

/* (time, key): total, as keys are distinct. */
static bool before(const struct spawn_inc *a, const struct spawn_inc *b)
{
    return a->inc.t < b->inc.t || (a->inc.t == b->inc.t && a->key < b->key);
}

void spawn_q_push(struct spawn_q *q, const struct spawn_inc *x)
{
    if (q->n == q->cap) {
        q->cap = q->cap ? 2 * q->cap : 64;
        q->h = xrealloc(q->h, (size_t)q->cap * sizeof *q->h);
    }
    int i = q->n++;
    while (i > 0 && before(x, &q->h[(i - 1) / 2])) {
        q->h[i] = q->h[(i - 1) / 2];
        i = (i - 1) / 2;
    }
    q->h[i] = *x;
}

void spawn_q_pop(struct spawn_q *q, struct spawn_inc *out)
{
    PS_ASSERT(q->n > 0);
    *out = q->h[0];
    struct spawn_inc last = q->h[--q->n];
    int i = 0;
    for (;;) {
        int c = 2 * i + 1;
        if (c >= q->n)
            break;
        if (c + 1 < q->n && before(&q->h[c + 1], &q->h[c]))
            c++;
        if (!before(&q->h[c], &last))
            break;
        q->h[i] = q->h[c];
        i = c;
    }
    if (q->n > 0)
        q->h[i] = last;
}

/* ---- draws ------------------------------------------------------------------ */

uint64_t spawn_key_child(uint64_t parent, int row)
{
    return rng_mix(parent, (uint64_t)row + 1, SPAWN_RNG);
}

double spawn_grid_u01(uint64_t seed, int rep, uint64_t key, int k)
{
    uint64_t h = rng_mix(rng_mix4(seed, (uint64_t)rep, GRID_RNG, key), (uint64_t)k, 0x9e37);
    return (double)(h >> 11) * 0x1.0p-53;
}

void spawn_draw(const struct scn *s, uint64_t seed, int rep, const struct inc *in,
                uint64_t key, int depth, bool resolved, double now, double horizon_min,
                struct spawn_q *q, struct spawn_counts *c, bool counted)
{
    if (depth >= s->max_spawn_depth) {
        for (int k = 0; k < s->n_conseq; k++)
            if (s->conseq[k].type == in->type) {
                c->capped += counted;
                break;
            }
        return;
    }
    gsl_rng r;
    struct rng_state st;
    rng_stream_bind(&r, &st);
    for (int k = 0; k < s->n_conseq; k++) {
        const struct scn_conseq *cq = &s->conseq[k];
        if (cq->type != in->type ||
            (cq->outcome == CQ_RESOLVED && !resolved) ||
            (cq->outcome == CQ_UNRESOLVED && resolved))
            continue;
        /* One stream per (incident, row): the draws of one row never shift
         * another's, whatever the table's other rows say. */
        rng_stream_seed_key(&r, rng_mix4(seed, (uint64_t)rep, SPAWN_RNG,
                                         rng_mix(key, (uint64_t)cq->line, 0)));
        /* The longer a call took from receipt to its end, the likelier a
         * consequence, where p_per_hour says so (capped at 1). */
        double p = cq->p_per_hour > 0 ? fmin(1, cq->p + cq->p_per_hour * (now - in->t) / 60)
                                      : cq->p;
        if (!(rng_u01(&r) < p))
            continue;
        struct scn_itype d = { 0 };
        d.dist = cq->delay_dist;
        d.mean_min = cq->delay_mean_h * 60.0;
        d.sd_min = cq->delay_sd_h * 60.0;
        double delay = inc_draw_service(&d, &r);
        const struct scn_itype *nt = &s->itypes[cq->spawn_type];
        struct spawn_inc x = { .inc = *in, .key = spawn_key_child(key, cq->line),
                               .depth = depth + 1, .effect = cq->effect };
        x.inc.t = now + delay;
        x.inc.type = cq->spawn_type;
        x.inc.prio_idx = nt->prio_idx;
        x.inc.service_min = inc_draw_service(nt, &r);
        c->drawn[cq->effect] += counted;
        if (x.inc.t >= horizon_min) {
            c->beyond += counted;
            continue;
        }
        spawn_q_push(q, &x);
    }
}
