/* scn_resolve.c - resolution across tables once all are read: zones (in
 * order of first appearance, inherited down the parent links, which are at
 * most three deep), each facility's station, and each grid's station (the
 * grids.csv column, else the station of the first unit holding the grid's A
 * post, else the station nearest to the grid's centroid by travel time).
 */
#include <math.h>
#include <string.h>
#include "scn_priv.h"
#include "trv.h"

int scn__resolve_police(struct ld *L)
{
    struct scn *s = L->s;
    struct priv *pv = L->pv;
    /* Zones in order of first appearance; inheritance goes down parent links,
     * which are at most three deep (office -> workstation -> station). */
    int zcap = 0;
    for (int i = 0; i < s->n_facilities; i++) {
        const char *z = pv->fac_zone[i];
        s->facilities[i].zone = -1;
        if (!*z)
            continue;
        int k = 0;
        while (k < s->n_zones && strcmp(s->zones[k], z))
            k++;
        if (k == s->n_zones) {
            s->zones = scn__a_grow(L->a, s->zones, sizeof *s->zones, s->n_zones, &zcap);
            s->zones[s->n_zones++] = scn__a_strdup(L->a, z);
        }
        s->facilities[i].zone = k;
    }
    for (int i = 0; i < s->n_facilities; i++) {
        struct scn_facility *f = &s->facilities[i];
        int p = i;
        while (p >= 0 && s->facilities[p].tier != FAC_STATION)
            p = s->facilities[p].parent;
        f->station = p;
        for (p = i; f->zone < 0 && p >= 0; p = s->facilities[p].parent)
            f->zone = s->facilities[p].zone;
    }
    int n_stations = 0;
    int *stations = scn__a_alloc(L->a, (size_t)(s->n_facilities ? s->n_facilities : 1) *
                                           sizeof(int));
    for (int f = 0; f < s->n_facilities; f++)
        if (s->facilities[f].tier == FAC_STATION)
            stations[n_stations++] = f;
    /* The station of the first unit holding each grid's A post: one pass. */
    int *a_station = scn__a_alloc(L->a, (size_t)(s->n_grids ? s->n_grids : 1) * sizeof(int));
    for (int g = 0; g < s->n_grids; g++)
        a_station[g] = -1;
    for (int u = s->n_units - 1; u >= 0; u--)
        for (int k = 0; k < s->units[u].n_home; k++)
            if (s->units[u].post[k] == 0 && s->facilities[s->units[u].base].station >= 0)
                a_station[s->units[u].home[k]] = s->facilities[s->units[u].base].station;
    for (int g = 0; g < s->n_grids; g++) {
        struct scn_grid *gr = &s->grids[g];
        const char *id = pv->grid_station[g];
        gr->station = -1;
        if (*id) {
            int f = scn__ix_find(pv->fac_ix, s->n_facilities, id);
            if (f < 0 || s->facilities[f].tier != FAC_STATION) {
                const char *gpath = scn__table_path(L, TB_GRIDS);
                return err_set(L->e, "%s:%d: column 'station': %s '%s'%s", gpath, gr->line,
                               f < 0 ? "unknown facility" : "expected a station, got", id,
                               f < 0 ? "" : " which is not a station");
            }
            gr->station = f;
        }
        if (gr->station < 0)
            gr->station = a_station[g];
        /* Else the station nearest to the centroid. */
        if (gr->station < 0) {
            double best = INFINITY;
            for (int k = 0; k < n_stations; k++) {
                const struct scn_facility *f = &s->facilities[stations[k]];
                /* By time in the first mode (free flow); the metric model
                 * compares its road km, as it always did. */
                double cx = gr->poly.centroid.x, cy = gr->poly.centroid.y;
                double d = s->trv->kind == TRV_KIND_METRIC
                               ? trv_metric_km(s->trv, f->x, f->y, cx, cy)
                               : trv_time(s->trv, 0, f->x, f->y, cx, cy, NAN);
                if (d < best)
                    best = d, gr->station = stations[k];
            }
        }
        gr->zone = gr->station >= 0 ? s->facilities[gr->station].zone : -1;
    }
    return 0;
}

