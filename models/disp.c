/* disp.c - dispatch policies: which available unit a call gets next.
 *
 * Candidates are units on duty and available (idle, or returning when
 * re-dispatch is allowed) whose role the job accepts (job.roles: the
 * type's police roles) and whose crew meets the type's needs (job.cmask).  They are
 * tried in groups (docs/policing-model.md):
 *   home - the grid's own units, A post before B before C, then by travel time;
 *   zone - units based in the grid's zone (片区), by travel time;
 *   any  - every candidate, by travel time (spatial indexes per mode and
 *          role for units at their base, a scan of the short list of units
 *          on the move).
 * Ties go to the unit listed first in units.csv.
 *
 * nearest_idle: the first non-empty group (home and zone only when enabled).
 * tiered (四级派警): levels of roles in order; a level is used when a group
 *   of it has a unit that can arrive within the level's escalate_min of the
 *   call's creation; otherwise the call escalates.  When no level qualifies,
 *   the fastest candidate of any level goes.  Among the home units every one
 *   is checked (by post, then travel), not only the best by post.  A level
 *   may instead be an organisational scope (group, team, station, zone of
 *   the grid's responsible unit, i.e. its first A-post home unit): its
 *   nearest eligible unit is checked against escalate_min the same way.
 * grid tier: types listing grid_worker go first to a grid worker
 *   (disp_grid_select), whatever the policy; the police policy serves the
 *   rest and the escalations.
 * run_card: per grid, an explicit run card from run_cards.csv if given, then
 *   the grid's home units, then every other unit by travel time from the
 *   grid's centroid.  Only the first run_card_depth entries are stored; past
 *   them the policy continues with the nearest candidate from the centroid,
 *   which is the same order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops_priv.h"

static inline bool eligible(const struct ops *o, int u, unsigned roles, uint32_t cmask)
{
    return ops_can_take(o, u, roles, cmask) && ops_available(o, u);
}

static int best_home(const struct ops *o, unsigned roles, uint32_t cmask, int g, double x,
                     double y, double *tt)
{
    int best = -1, best_post = 3;
    double bt = INFINITY;
    int only = o->grid_home1[g].u;        /* the common case, without the lists */
    if (only >= 0) {
        bool ok = eligible(o, only, roles, cmask);
        *tt = ok ? ops_travel_to(o, only, x, y) : INFINITY;
        return ok ? only : -1;
    }
    for (int k = 0; k < o->n_grid_home[g]; k++) {
        int u = o->grid_home[g][k], post = o->home_post[g][k];
        if (post > best_post)
            break;                      /* listed by post: a lower post was found */
        if (!eligible(o, u, roles, cmask))
            continue;
        double t = ops_travel_to(o, u, x, y);
        if (post < best_post || t < bt || (t == bt && u < best))
            bt = t, best = u, best_post = post;
    }
    *tt = bt;
    return best;
}

/* The best home unit of grid g by post, then travel time, among those that
 * arrive in time (elapsed + travel <= limit): a distant A post must not
 * hide a B post that is close (tiered, grid tier). */
static int best_home_within(const struct ops *o, unsigned roles, uint32_t cmask, int g,
                            double x, double y, double elapsed, double limit, double *tt)
{
    int best = -1, best_post = 3;
    double bt = INFINITY;
    for (int k = 0; k < o->n_grid_home[g]; k++) {
        int u = o->grid_home[g][k], post = o->home_post[g][k];
        if (post > best_post)
            break;
        if (!eligible(o, u, roles, cmask))
            continue;
        double t = ops_travel_to(o, u, x, y);
        if (!(elapsed + t <= limit))
            continue;
        if (post < best_post || t < bt || (t == bt && u < best))
            bt = t, best = u, best_post = post;
    }
    *tt = bt;
    return best;
}

static int best_of(const struct ops *o, const int *units, int n, unsigned roles,
                   uint32_t cmask, double x, double y, double *tt)
{
    int best = -1;
    double bt = INFINITY;
    for (int k = 0; k < n; k++) {
        int u = units[k];
        if (!eligible(o, u, roles, cmask))
            continue;
        double t = ops_travel_to(o, u, x, y);
        if (t < bt || (t == bt && u < best))
            bt = t, best = u;
    }
    *tt = bt;
    return best;
}

enum { GRP_HOME, GRP_ZONE, GRP_ANY, GRP_N };

/* Best candidate of group `grp` for job j (-1 if the group is off or empty). */
PS_HOT int group_best(const struct ops *o, int grp, unsigned roles, const struct job *j,
                      double *tt)
{
    const struct scn *s = o->s;
    int g = j->inc.grid;
    *tt = INFINITY;
    switch (grp) {
    case GRP_HOME:
        return s->home_first && g >= 0
             ? best_home(o, roles, j->cmask, g, j->inc.x, j->inc.y, tt) : -1;
    case GRP_ZONE:
        if (!s->zone_first || g < 0 || o->grid_zone[g] < 0)
            return -1;
        return best_of(o, o->zone_units[o->grid_zone[g]], o->n_zone_units[o->grid_zone[g]],
                       roles, j->cmask, j->inc.x, j->inc.y, tt);
    default:
        return ops_nearest_eligible(o, roles, j->cmask, j->inc.x, j->inc.y, tt);
    }
}

/* ---- nearest_idle ------------------------------------------------------ */

static void *no_state(const struct ops *o)
{
    (void)o;
    return NULL;
}

static void no_release(void *st) { (void)st; }

/* nearest_select past the home unit: the home group when the grid has
 * several home units, then the zone's, then all. */
PS_COLD static int nearest_beyond_home(const struct ops *o, const struct job *j, bool home)
{
    double tt;
    int u = home ? group_best(o, GRP_HOME, j->roles, j, &tt) : -1;
    if (u < 0)
        u = group_best(o, GRP_ZONE, j->roles, j, &tt);
    if (u >= 0)
        return u;
    return ops_nearest_eligible(o, j->roles, j->cmask, j->inc.x, j->inc.y, NULL);   /* GRP_ANY */
}

static int nearest_select(const struct ops *o, void *st, const struct job *j)
{
    (void)st;
    int g = j->inc.grid, only = g >= 0 ? o->grid_home1[g].u : -1;
    /* The grid's one home unit, the common case, without its travel time
     * (group_best's, which only tiered needs), and without a stack frame:
     * the rest is a tail call. */
    if (o->s->home_first && only >= 0) {
        if (eligible(o, only, j->roles, j->cmask))
            return only;
        return nearest_beyond_home(o, j, false);
    }
    return nearest_beyond_home(o, j, true);
}

/* ---- tiered -------------------------------------------------------------- */

/* The units of an organisational scope for job j (the group, team or
 * station of the grid's responsible unit, or the grid's zone), or NULL
 * when the incident has no such unit. */
static const int *scope_units(const struct ops *o, int scope, const struct job *j, int *n)
{
    const struct scn *s = o->s;
    int g = j->inc.grid, r = g >= 0 ? o->grid_resp[g] : -1, id = -1, kind = -1;
    *n = 0;
    switch (scope) {
    case SCOPE_GROUP: kind = 0; id = r >= 0 ? s->units[r].group : -1; break;
    case SCOPE_TEAM: kind = 1; id = r >= 0 ? s->units[r].team : -1; break;
    case SCOPE_STATION:
        kind = 2;
        id = g >= 0 && s->grids[g].station >= 0 ? s->grids[g].station
           : r >= 0 ? o->unit_station[r] : -1;
        break;
    case SCOPE_ZONE:
        if (g < 0 || o->grid_zone[g] < 0)
            return NULL;
        *n = o->n_zone_units[o->grid_zone[g]];
        return o->zone_units[o->grid_zone[g]];
    default:
        return NULL;
    }
    if (id < 0)
        return NULL;
    *n = o->n_org_units[kind][id];
    return o->org_units[kind][id];
}

static int tiered_select(const struct ops *o, void *st, const struct job *j)
{
    (void)st;
    const struct scn *s = o->s;
    unsigned roles = j->roles;
    double elapsed = sim_now(o->sim) - j->inc.t, tt, fast_t = INFINITY;
    int fast = -1;
    for (int k = 0; k < s->n_levels; k++) {
        unsigned mask = s->levels[k] & roles;
        if (!mask)
            continue;
        if (s->level_scope[k] != SCOPE_ANY) {
            int n;
            const int *set = scope_units(o, s->level_scope[k], j, &n);
            int u = set ? best_of(o, set, n, mask, j->cmask, j->inc.x, j->inc.y, &tt) : -1;
            if (u < 0)
                continue;
            if (elapsed + tt <= s->escalate_min[k])
                return u;
            if (tt < fast_t || (tt == fast_t && u < fast))
                fast_t = tt, fast = u;
            continue;
        }
        for (int grp = 0; grp < GRP_N; grp++) {
            int u = group_best(o, grp, mask, j, &tt);
            if (u < 0)
                continue;
            if (elapsed + tt <= s->escalate_min[k])
                return u;
            if (grp == GRP_HOME && o->grid_home1[j->inc.grid].u < 0) {
                /* The best home unit by post is late: another home unit may not be. */
                double t2;
                int v = best_home_within(o, mask, j->cmask, j->inc.grid, j->inc.x, j->inc.y,
                                         elapsed, s->escalate_min[k], &t2);
                if (v >= 0)
                    return v;
            }
            if (tt < fast_t || (tt == fast_t && u < fast))
                fast_t = tt, fast = u;
        }
    }
    return fast;
}

/* ---- the grid tier ----------------------------------------------------------- */

int disp_grid_select(const struct ops *o, const struct job *j, double *tt)
{
    const struct scn *s = o->s;
    double lim = s->grid_first_max_min;
    int g = j->inc.grid;
    uint32_t cm = o->type_cmask[j->inc.type];
    *tt = INFINITY;
    if (g >= 0 && o->n_grid_home[g] > 0) {
        int u = best_home_within(o, ROLE_GRID_BIT, cm, g, j->inc.x, j->inc.y, 0, lim, tt);
        if (u >= 0)
            return u;
    }
    int u = ops_nearest_eligible(o, ROLE_GRID_BIT, cm, j->inc.x, j->inc.y, tt);
    return u >= 0 && *tt <= lim ? u : -1;
}

/* ---- run_card ------------------------------------------------------------ */

struct cards {
    int **card;
    int *n;
    int n_grids;
};

struct cand {
    double t;
    int u;
};

static int cand_cmp(const void *a, const void *b)
{
    const struct cand *x = a, *y = b;
    if (x->t != y->t)
        return x->t < y->t ? -1 : 1;
    return (x->u > y->u) - (x->u < y->u);
}

static void cards_release(void *st)
{
    struct cards *c = st;
    for (int g = 0; g < c->n_grids; g++)
        free(c->card[g]);
    free(c->card);
    free(c->n);
    free(c);
}

static double base_time(const struct ops *o, int u, double x, double y)
{
    /* Cards are fixed per replication: ordered by free-flow time. */
    const struct scn_facility *b = &o->s->facilities[o->s->units[u].base];
    return trv_time(o->s->trv, o->s->units[u].mode, b->x, b->y, x, y, NAN);
}

/* Card for grid g: explicit entries, then home units (by post, then travel
 * time), then the rest by travel time from the centroid, each unit once,
 * depth-limited.  The nearest `depth` come from a bounded insertion sort:
 * O(units x depth) per grid at worst, done once per replication. */
static void *cards_init(const struct ops *o)
{
    const struct scn *s = o->s;
    int U = s->n_units, depth = s->run_card_depth < U ? s->run_card_depth : U;
    struct cards *c = xcalloc(1, sizeof *c);
    c->n_grids = s->n_grids;
    c->card = xcalloc((size_t)(s->n_grids ? s->n_grids : 1), sizeof *c->card);
    c->n = xcalloc((size_t)(s->n_grids ? s->n_grids : 1), sizeof *c->n);
    char *used = xcalloc((size_t)(U ? U : 1), 1);
    struct cand *home = xmalloc((size_t)(U ? U : 1) * sizeof *home);
    struct cand *best = xmalloc((size_t)(depth + 1) * sizeof *best);
    for (int g = 0; g < s->n_grids; g++) {
        double gx = s->grids[g].poly.centroid.x, gy = s->grids[g].poly.centroid.y;
        int *card = c->card[g] = xmalloc((size_t)(depth ? depth : 1) * sizeof(int)), n = 0;
        memset(used, 0, (size_t)U);
        for (int k = 0; k < s->n_runcard[g] && n < depth; k++) {
            card[n++] = s->runcard[g][k];
            used[s->runcard[g][k]] = 1;
        }
        int nh = 0;
        for (int k = 0; k < o->n_grid_home[g]; k++) {
            int u = o->grid_home[g][k];
            /* post weighs more than any travel time; grid workers take no police call */
            if (!used[u] && o->tag[u].role != ROLE_GRID_WORKER)
                home[nh++] = (struct cand){ o->home_post[g][k] * 1e9 + base_time(o, u, gx, gy), u };
        }
        qsort(home, (size_t)nh, sizeof *home, cand_cmp);
        for (int k = 0; k < nh && n < depth; k++) {
            card[n++] = home[k].u;
            used[home[k].u] = 1;
        }
        int room = depth - n, nb = 0;
        for (int u = 0; u < U && room > 0; u++) {
            if (used[u] || o->tag[u].role == ROLE_GRID_WORKER)  /* never police calls */
                continue;
            struct cand x = { base_time(o, u, gx, gy), u };
            if (nb == room && cand_cmp(&x, &best[nb - 1]) >= 0)
                continue;
            int i = nb < room ? nb++ : nb - 1;
            while (i > 0 && cand_cmp(&x, &best[i - 1]) < 0) {
                best[i] = best[i - 1];
                i--;
            }
            best[i] = x;
        }
        for (int k = 0; k < nb; k++)
            card[n++] = best[k].u;
        c->n[g] = n;
    }
    free(used);
    free(home);
    free(best);
    return c;
}

static int cards_select(const struct ops *o, void *st, const struct job *j)
{
    const struct cards *c = st;
    unsigned roles = j->roles;
    int g = j->inc.grid;
    if (g < 0)
        return ops_nearest_eligible(o, roles, j->cmask, j->inc.x, j->inc.y, NULL);
    for (int k = 0; k < c->n[g]; k++)
        if (eligible(o, c->card[g][k], roles, j->cmask))
            return c->card[g][k];
    const struct geo_pt *ct = &o->s->grids[g].poly.centroid;
    return ops_nearest_eligible(o, roles, j->cmask, ct->x, ct->y, NULL);
}

static const struct disp_policy policies[] = {
    { "nearest_idle", no_state, no_release, nearest_select },
    { "tiered", no_state, no_release, tiered_select },
    { "run_card", cards_init, cards_release, cards_select },
};

const struct disp_policy *disp_find(const char *name)
{
    for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
        if (strcmp(policies[i].name, name) == 0)
            return &policies[i];
    return NULL;
}
