/* scn_runcards.c - the optional run_cards.csv: per grid, the units to send
 * first, in rank order.
 *
 * A row may name a unit by its id, one crew of a multi-crew units.csv row by
 * its derived id (C3#2), or such a row by its base id (C3): that stands for
 * all its crews, in crew order, at the row's rank.  A row naming a units.csv
 * row with count = 0 names no unit and is dropped, so a sweep over count
 * keeps the run cards valid.  Cost: O(n log n) in the rows.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "scn_priv.h"

enum { R_GRID, R_RANK, R_UNIT };
static const char *const rc_cols[] = { "grid", "rank", "unit", NULL };
static const char *const rc_req[] = { "grid", "rank", "unit", NULL };

const struct tabdef scn__tab_runcards = { "run_cards", TB_RUNCARDS, "run_cards.csv", rc_cols,
                                         rc_req, NULL };

struct rc_entry {
    int grid, rank, line;
    int unit, n;                /* units [unit, unit + n) */
};

static int cmp_rc(const void *pa, const void *pb)
{
    const struct rc_entry *a = pa, *b = pb;
    if (a->grid != b->grid)
        return (a->grid > b->grid) - (a->grid < b->grid);
    if (a->rank != b->rank)
        return (a->rank > b->rank) - (a->rank < b->rank);
    return (a->line > b->line) - (a->line < b->line);
}

/* The units a run card's unit field names: a unit id (or derived crew id),
 * else a units.csv row id, all its crews.  -1 if unknown. */
static int find_units(const struct ld *L, const char *id, int *first, int *n)
{
    const struct scn *s = L->s;
    int u = scn__ix_find(L->pv->unit_ix, s->n_units, id);
    if (u >= 0) {
        *first = u;
        *n = 1;
        return 0;
    }
    int r = scn__ix_find(L->pv->urow_ix, L->pv->n_urows, id);
    if (r < 0)
        return -1;
    *first = L->pv->urows[r].first;
    *n = L->pv->urows[r].n;
    return 0;
}

int scn__load_runcards(struct ld *L)
{
    struct scn *s = L->s;
    s->runcard = scn__a_zalloc(L->a, (size_t)s->n_grids * sizeof *s->runcard);
    s->n_runcard = scn__a_zalloc(L->a, (size_t)s->n_grids * sizeof *s->n_runcard);
    const char *path = scn__optional_table(L, TB_RUNCARDS);
    if (!path)
        return 0;

    struct tab t = { 0 };
    struct rc_entry *ent = NULL;
    int *seen = NULL;
    int n = 0, cap = 0, rc = -1;
    if (scn__tab_open(L, &t, &scn__tab_runcards, path) < 0)
        goto out;
    for (;;) {
        int r = scn__tab_next(&t);
        if (r < 0)
            goto out;
        if (r == 0)
            break;
        if (n == cap) {
            cap = cap ? 2 * cap : 64;
            ent = xrealloc(ent, (size_t)cap * sizeof *ent);
        }
        struct rc_entry *en = &ent[n];
        en->line = (int)csvr_line(t.r);
        const char *g = scn__tab_str(&t, R_GRID), *u = scn__tab_str(&t, R_UNIT);
        en->grid = scn__ix_find(L->pv->grid_ix, s->n_grids, g);
        if (en->grid < 0) {
            scn__tab_err(&t, R_GRID, "unknown grid '%s'", g);
            goto out;
        }
        if (scn__tab_int(&t, R_RANK, 1, INT32_MAX, NULL, &en->rank) < 0)
            goto out;
        if (find_units(L, u, &en->unit, &en->n) < 0) {
            scn__tab_err(&t, R_UNIT, "unknown unit '%s'", u);
            goto out;
        }
        n++;
    }
    qsort(ent, (size_t)n, sizeof *ent, cmp_rc);
    /* Duplicates: report the one furthest up the file.  A rank is taken
     * once per grid; a unit (crew) appears once per grid. */
    int bad = -1, bad_prev = -1, bad_kind = 0, bad_unit = -1;
    seen = xmalloc((size_t)(s->n_units > 0 ? s->n_units : 1) * sizeof *seen);
    for (int i = 0; i < s->n_units; i++)
        seen[i] = -1;
    for (int i = 0; i < n; i++) {
        int prev = -1, kind = 0, pu = -1;
        if (i > 0 && ent[i - 1].grid == ent[i].grid && ent[i - 1].rank == ent[i].rank)
            prev = i - 1, kind = 1;
        for (int u = ent[i].unit; u < ent[i].unit + ent[i].n; u++) {
            if (prev < 0 && seen[u] >= 0 && ent[seen[u]].grid == ent[i].grid)
                prev = seen[u], kind = 2, pu = u;
            seen[u] = i;
        }
        if (prev >= 0) {
            int later = ent[i].line > ent[prev].line ? i : prev;
            int earlier = later == i ? prev : i;
            if (bad < 0 || ent[later].line < ent[bad].line) {
                bad = later;
                bad_prev = earlier;
                bad_kind = kind;
                bad_unit = pu;
            }
        }
    }
    if (bad >= 0) {
        const struct rc_entry *b = &ent[bad], *p = &ent[bad_prev];
        if (bad_kind == 1)
            scn__tab_err_at(&t, b->line, R_RANK, "grid '%s' already has rank %d (line %d)",
                            s->grids[b->grid].id, b->rank, p->line);
        else
            scn__tab_err_at(&t, b->line, R_UNIT, "unit '%s' is already on the run card of "
                            "grid '%s' (line %d)", s->units[bad_unit].id,
                            s->grids[b->grid].id, p->line);
        goto out;
    }
    for (int i = 0; i < n; i++)
        s->n_runcard[ent[i].grid] += ent[i].n;
    for (int g = 0; g < s->n_grids; g++)
        if (s->n_runcard[g]) {
            s->runcard[g] = scn__a_alloc(L->a, (size_t)s->n_runcard[g] * sizeof **s->runcard);
            s->n_runcard[g] = 0;
        }
    for (int i = 0; i < n; i++)
        for (int u = ent[i].unit; u < ent[i].unit + ent[i].n; u++)
            s->runcard[ent[i].grid][s->n_runcard[ent[i].grid]++] = u;
    rc = 0;
out:
    free(ent);
    free(seen);
    scn__tab_close(&t);
    return rc;
}
