/* disp.c - dispatch policies: which available unit a call gets next.
 *
 * Candidates are units on duty and available (idle, or returning when
 * re-dispatch is allowed) whose role the incident type accepts.  They are
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
 *   the fastest candidate of any level goes.
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

static bool eligible(const struct ops *o, int u, unsigned roles)
{
    return ops_role_in(o, u, roles) && ops_available(o, u);
}

static int best_home(const struct ops *o, unsigned roles, int g, double x, double y, double *tt)
{
    int best = -1, best_post = 3;
    double bt = INFINITY;
    int only = o->grid_home1[g];        /* the common case, without the lists */
    if (only >= 0) {
        bool ok = eligible(o, only, roles);
        *tt = ok ? ops_travel_to(o, only, x, y) : INFINITY;
        return ok ? only : -1;
    }
    for (int k = 0; k < o->n_grid_home[g]; k++) {
        int u = o->grid_home[g][k], post = o->home_post[g][k];
        if (post > best_post)
            break;                      /* listed by post: a lower post was found */
        if (!eligible(o, u, roles))
            continue;
        double t = ops_travel_to(o, u, x, y);
        if (post < best_post || t < bt || (t == bt && u < best))
            bt = t, best = u, best_post = post;
    }
    *tt = bt;
    return best;
}

static int best_zone(const struct ops *o, unsigned roles, int z, double x, double y, double *tt)
{
    int best = -1;
    double bt = INFINITY;
    for (int k = 0; k < o->n_zone_units[z]; k++) {
        int u = o->zone_units[z][k];
        if (!eligible(o, u, roles))
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
static int group_best(const struct ops *o, int grp, unsigned roles, const struct job *j,
                      double *tt)
{
    const struct scn *s = o->s;
    int g = j->inc.grid;
    *tt = INFINITY;
    switch (grp) {
    case GRP_HOME:
        return s->home_first && g >= 0 ? best_home(o, roles, g, j->inc.x, j->inc.y, tt) : -1;
    case GRP_ZONE:
        return s->zone_first && g >= 0 && s->grids[g].zone >= 0
             ? best_zone(o, roles, s->grids[g].zone, j->inc.x, j->inc.y, tt) : -1;
    default:
        return ops_nearest_available(o, roles, j->inc.x, j->inc.y, tt);
    }
}

/* ---- nearest_idle ------------------------------------------------------ */

static void *no_state(const struct ops *o)
{
    (void)o;
    return NULL;
}

static void no_release(void *st) { (void)st; }

static int nearest_select(const struct ops *o, void *st, const struct job *j)
{
    (void)st;
    unsigned roles = o->s->itypes[j->inc.type].roles;
    double tt;
    for (int grp = 0; grp < GRP_N; grp++) {
        int u = group_best(o, grp, roles, j, &tt);
        if (u >= 0)
            return u;
    }
    return -1;
}

/* ---- tiered -------------------------------------------------------------- */

static int tiered_select(const struct ops *o, void *st, const struct job *j)
{
    (void)st;
    const struct scn *s = o->s;
    unsigned roles = s->itypes[j->inc.type].roles;
    double elapsed = sim_now(o->sim) - j->inc.t, tt, fast_t = INFINITY;
    int fast = -1;
    for (int k = 0; k < s->n_levels; k++) {
        unsigned mask = s->levels[k] & roles;
        if (!mask)
            continue;
        for (int grp = 0; grp < GRP_N; grp++) {
            int u = group_best(o, grp, mask, j, &tt);
            if (u < 0)
                continue;
            if (elapsed + tt <= s->escalate_min[k])
                return u;
            if (tt < fast_t || (tt == fast_t && u < fast))
                fast_t = tt, fast = u;
        }
    }
    return fast;
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
            if (!used[u])   /* post weighs more than any travel time */
                home[nh++] = (struct cand){ o->home_post[g][k] * 1e9 + base_time(o, u, gx, gy), u };
        }
        qsort(home, (size_t)nh, sizeof *home, cand_cmp);
        for (int k = 0; k < nh && n < depth; k++) {
            card[n++] = home[k].u;
            used[home[k].u] = 1;
        }
        int room = depth - n, nb = 0;
        for (int u = 0; u < U && room > 0; u++) {
            if (used[u])
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
    unsigned roles = o->s->itypes[j->inc.type].roles;
    int g = j->inc.grid;
    if (g < 0)
        return ops_nearest_available(o, roles, j->inc.x, j->inc.y, NULL);
    for (int k = 0; k < c->n[g]; k++)
        if (eligible(o, c->card[g][k], roles))
            return c->card[g][k];
    const struct geo_pt *ct = &o->s->grids[g].poly.centroid;
    return ops_nearest_available(o, roles, ct->x, ct->y, NULL);
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
