/* scn_load.c - loading and validating a scenario folder: the entry points.
 *
 * Order of work: scenario.ini and the overrides (scn_ini.c), then the tables
 * in dependency order (grids, facilities, shifts, rosters, units, incident
 * types, service times, run cards, the CAD tables), the resolution across them, and the
 * incident streams, then the semantic checks (scn_check.c).  The first
 * problem ends the load: the message names
 * file:line (and column), quotes the value and says what was expected.
 * Every table row keeps its line so checks made after a whole table was
 * read (duplicate ids, forward parent references, overlaps) can still
 * point at the row.
 *
 * Memory: every byte a struct scn refers to lives in one arena
 * (scn_arena.c) owned by the private part, plus the geo_index and the GSL
 * histograms of empirical types; scn_free releases all three.
 *
 * Cost: O(n log n) in the number of rows.
 */
#include <stdlib.h>
#include "scn_priv.h"
#include "trv.h"

struct scn *scn_load(const char *dir, const struct scn_override *ov, int n_ov,
                     struct perr *e)
{
    struct scn *s = xcalloc(1, sizeof *s);
    struct priv *pv = xcalloc(1, sizeof *pv);
    s->priv_ = pv;
    struct ld L = { .s = s, .pv = pv, .a = &pv->a, .e = e };
    s->dir = scn__a_strdup(L.a, dir);
    s->ini_path = scn__join_path(L.a, dir, "scenario.ini");
    L.ini_path = s->ini_path;

    if (scn__load_ini(&L, ov, n_ov) < 0 || scn__load_grids(&L) < 0 ||
        scn__load_facilities(&L) < 0 || scn__load_shifts(&L) < 0 ||
        scn__load_rosters(&L) < 0 || scn__load_units(&L) < 0 || scn__load_itypes(&L) < 0 ||
        scn__load_service_times(&L) < 0 || scn__load_runcards(&L) < 0 ||
        scn__load_cad(&L) < 0 || scn__load_consequences(&L) < 0 ||
        scn__ov_check_unused(&L) < 0 || scn__load_travel(&L) < 0 || scn__resolve_police(&L) < 0 ||
        scn__streams_finish(s, e) < 0 || scn__check(&L) < 0) {
        scn_free(s);
        return NULL;
    }
    return s;
}

void scn_free(struct scn *s)
{
    if (!s)
        return;
    geo_index_free(s->grid_index);
    trv_free(s->trv);
    for (int i = 0; i < s->n_itypes; i++)
        if (s->itypes[i].emp)
            gsl_histogram_pdf_free(s->itypes[i].emp);
    struct priv *pv = s->priv_;
    if (pv) {
        scn__a_release(&pv->a);
        free(pv);
    }
    free(s);
}
