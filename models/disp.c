/* disp.c - dispatch policies: which available unit an incident gets.
 *
 * nearest_idle: the available unit with the least travel time to the
 *   incident, optionally trying the grid's own (home) units first.  Idle
 *   units are found through per-mode spatial indexes (nn.h), returning units
 *   by a scan of the returning list, which stays short.
 * run_card: each grid has a preference list - an explicit run card from
 *   run_cards.csv if given, then its home units, then every other unit by
 *   travel time from the grid's centroid.  Only the first run_card_depth
 *   entries are stored; past them the policy continues with the nearest
 *   available unit from the centroid, which is the same order.
 */
#include <math.h>
#include <stdlib.h>
#include <string.h>
#include "ops_priv.h"

static double travel_from(const struct ops *o, int u, double x, double y)
{
    double ux, uy;
    ops_unit_pos(o, u, &ux, &uy);
    return scn_distance(o->s, ux, uy, x, y) * o->u[u].min_per_km;
}

/* ---- nearest_idle ------------------------------------------------------ */

static void *nearest_init(const struct ops *o)
{
    (void)o;
    return NULL;
}

static void nearest_release(void *st) { (void)st; }

static int nearest_select(const struct ops *o, void *st, const struct job *j)
{
    (void)st;
    const struct inc *in = &j->inc;
    if (o->s->home_first && in->grid >= 0) {
        int best = -1;
        double bt = INFINITY;
        for (int k = 0; k < o->n_grid_home[in->grid]; k++) {
            int u = o->grid_home[in->grid][k];
            if (!ops_available(o, u))
                continue;
            double t = travel_from(o, u, in->x, in->y);
            if (t < bt || (t == bt && u < best))
                bt = t, best = u;
        }
        if (best >= 0)
            return best;
    }
    return ops_nearest_available(o, in->x, in->y, NULL);
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

/* Card for grid g: explicit entries, then home units by travel time, then
 * the rest by travel time from the centroid, each unit once, depth-limited.
 * Selection of the nearest `depth` uses a bounded sort per grid:
 * O(units log depth) per grid, done once per replication. */
static void *cards_init(const struct ops *o)
{
    const struct scn *s = o->s;
    int U = s->n_units, depth = s->run_card_depth < U ? s->run_card_depth : U;
    struct cards *c = xcalloc(1, sizeof *c);
    c->n_grids = s->n_grids;
    c->card = xcalloc((size_t)s->n_grids, sizeof *c->card);
    c->n = xcalloc((size_t)s->n_grids, sizeof *c->n);
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
            if (!used[u]) {
                const struct scn_facility *b = &s->facilities[s->units[u].base];
                home[nh++] = (struct cand){ scn_distance(s, b->x, b->y, gx, gy) * o->u[u].min_per_km, u };
            }
        }
        qsort(home, (size_t)nh, sizeof *home, cand_cmp);
        for (int k = 0; k < nh && n < depth; k++) {
            card[n++] = home[k].u;
            used[home[k].u] = 1;
        }
        /* Insertion into a sorted array of at most `room` best candidates. */
        int room = depth - n, nb = 0;
        for (int u = 0; u < U && room > 0; u++) {
            if (used[u])
                continue;
            const struct scn_facility *b = &s->facilities[s->units[u].base];
            struct cand x = { scn_distance(s, b->x, b->y, gx, gy) * o->u[u].min_per_km, u };
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
    int g = j->inc.grid;
    if (g < 0)
        return ops_nearest_available(o, j->inc.x, j->inc.y, NULL);
    for (int k = 0; k < c->n[g]; k++)
        if (ops_available(o, c->card[g][k]))
            return c->card[g][k];
    const struct geo_pt *ct = &o->s->grids[g].poly.centroid;
    return ops_nearest_available(o, ct->x, ct->y, NULL);
}

static const struct disp_policy policies[] = {
    { "nearest_idle", nearest_init, nearest_release, nearest_select },
    { "run_card", cards_init, cards_release, cards_select },
};

const struct disp_policy *disp_find(const char *name)
{
    for (size_t i = 0; i < sizeof policies / sizeof *policies; i++)
        if (strcmp(policies[i].name, name) == 0)
            return &policies[i];
    return NULL;
}
